/*
 * src/launch/launch-internal.h - what the launch API (liblinfsp) shares with the launcher
 * daemon (src/launcher/), which links liblinfsp's internal archive (not installed).
 * Each block names the file that implements it.
 */
#ifndef LINFSP_LAUNCH_INTERNAL_H_INCLUDED
#define LINFSP_LAUNCH_INTERNAL_H_INCLUDED

#include <winfsp/launch.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The largest class file, and the longest line in one. */
#define FSP_CLASS_FILE_MAX (64 * 1024)
#define FSP_CLASS_LINE_MAX 4096
/* The SDDL prefix WinFsp puts before a class's Security when it is only a DACL ("D:..."). */
#define FSP_CLASS_SDDL_OWNER "O:SYG:SY"

/* ---- cmdline.c: a class's CommandLine and its % escapes ----
 * A command line is split into words at blanks (space, tab); "..." and '...' quote blanks,
 * inside "..." \" and \\ stand for " and \, outside quotes \ quotes the next character.
 * % escapes are replaced in each word after splitting (an argument never splits a word):
 * %0-%9 the arguments (%0 the executable; a missing one is empty), %% a %, and the variables
 * %U (the caller's user name), %P (the caller's home directory), %T (the time, UTC).
 * Errors return -1 with a message in err. */
int fsp_cmdline_split(const char *line, char ***pwords, char *err, size_t errsize);
void fsp_cmdline_free(char **words);
/* Check the % escapes of a template (a word, Stderr, MountPoint). */
int fsp_cmdline_check(const char *template_, char *err, size_t errsize);
/* args[0..9] and vars['A'..'Z'] (NULL entries are empty); NULL when out of memory. */
char *fsp_cmdline_substitute(const char *template_, const char *const args[10],
                             const char *const vars[26]);

/* ---- classfile.c: class files (CLASS.conf) ----
 * Records are FSP_LAUNCH_REG_RECORDs in one allocation (free()). Errors: STATUS_OBJECT_NAME_INVALID
 * (syntax, unknown key, bad value), STATUS_ACCESS_DENIED (unsafe owner or permissions),
 * STATUS_OBJECT_NAME_NOT_FOUND (no such class), with a message "FILE:LINE: what". */
bool fsp_class_name_valid(const char *name);
/* Strict UTF-8 (no overlong forms, surrogates or values above U+10FFFF) without control
 * characters other than tab. */
bool fsp_class_text_ok(const char *s);
NTSTATUS fsp_class_parse(const char *text, size_t len, const char *where,
                         FSP_LAUNCH_REG_RECORD **precord, char *msg, size_t msgsize);
/* The file's text (malloc'ed) for a record; STATUS_INVALID_PARAMETER for values a file cannot
 * hold (line breaks, control characters, blanks at either end). */
NTSTATUS fsp_class_format(const FSP_LAUNCH_REG_RECORD *record, char **ptext);
/* Load DIR/CLASS.conf. The file and every directory above it must belong to root or to
 * trusted_uid; the file and DIR may not be writable by group or others; a directory above DIR
 * may be only when it is sticky (as /tmp). */
NTSTATUS fsp_class_load(const char *dir, const char *class_name, uid_t trusted_uid,
                        FSP_LAUNCH_REG_RECORD **precord, char *msg, size_t msgsize);
/* The checks on DIR alone (fsp_class_load does them too). */
NTSTATUS fsp_class_check_dir(const char *dir, uid_t trusted_uid, char *msg, size_t msgsize);
/* The record's SDDL as the launcher uses it: FSP_CLASS_SDDL_OWNER before a bare DACL, the
 * default when the class has none. malloc'ed UTF-8. */
char *fsp_class_sddl(const FSP_LAUNCH_REG_RECORD *record);
/* A record's string field as malloc'ed UTF-8 (NULL for a NULL field or out of memory). */
char *fsp_class_string(PCWSTR value);

#endif
