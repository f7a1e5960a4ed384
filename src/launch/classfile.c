/*
 * src/launch/classfile.c - class files: CLASS.conf, one Key=Value line per field of
 * FSP_LAUNCH_REG_RECORD (WinFsp's registry values). Parsing checks every value the way the
 * launcher will use it, so that a file is either accepted whole or refused with the line and
 * the reason; loading also checks who owns the file and the directories above it, since the
 * launcher runs what the file names, as root. The format is in doc/launcher.md.
 */
#include "launch-internal.h"
#include "api.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum key_kind { KEY_STRING, KEY_NUMBER };

static const struct class_key {
    const char *name;
    enum key_kind kind;
    size_t offset; /* of the field in FSP_LAUNCH_REG_RECORD */
} class_keys[] = {
    {"Agent", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, Agent)},
    {"Executable", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, Executable)},
    {"CommandLine", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, CommandLine)},
    {"WorkDirectory", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, WorkDirectory)},
    {"RunAs", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, RunAs)},
    {"Security", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, Security)},
    {"Stderr", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, Stderr)},
    {"MountPoint", KEY_STRING, offsetof(FSP_LAUNCH_REG_RECORD, MountPoint)},
    {"JobControl", KEY_NUMBER, offsetof(FSP_LAUNCH_REG_RECORD, JobControl)},
    {"Credentials", KEY_NUMBER, offsetof(FSP_LAUNCH_REG_RECORD, Credentials)},
    {"Recovery", KEY_NUMBER, offsetof(FSP_LAUNCH_REG_RECORD, Recovery)},
};
#define NKEYS ARRAYSIZE(class_keys)

bool fsp_class_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (0 == n || n > 64 || '.' == name[0] || '-' == name[0])
        return false;
    for (const char *c = name; *c; c++)
        if (!(('a' <= *c && *c <= 'z') || ('A' <= *c && *c <= 'Z') || ('0' <= *c && *c <= '9') ||
              '_' == *c || '-' == *c || '.' == *c || '+' == *c))
            return false;
    return true;
}

bool fsp_class_text_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if ((c < 0x20 && '\t' != c) || 0x7f == c)
                return false;
            p++;
            continue;
        }
        int n = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
        if (n < 0 || c > 0xf4)
            return false;
        unsigned v = c & (0x3f >> n);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            v = v << 6 | (p[i] & 0x3f);
        }
        if ((2 == n && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
            (3 == n && (v < 0x10000 || v > 0x10ffff)))
            return false;
        p += n + 1;
    }
    return true;
}

static bool user_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (0 == n || n > 32 || '-' == s[0])
        return false;
    for (const char *c = s; *c; c++)
        if (!(('a' <= *c && *c <= 'z') || ('A' <= *c && *c <= 'Z') || ('0' <= *c && *c <= '9') ||
              '_' == *c || '-' == *c || '.' == *c || ('$' == *c && !c[1])))
            return false;
    return true;
}

static void say(char *msg, size_t msgsize, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t msgsize, const char *format, ...)
{
    if (!msg || !msgsize)
        return;
    va_list ap;
    va_start(ap, format);
    vsnprintf(msg, msgsize, format, ap);
    va_end(ap);
}

/* Check one value as the launcher will use it; 0 or -1 with a reason in why. */
static int check_value(const struct class_key *k, const char *v, char *why, size_t whysize)
{
    char err[256];
    const char *name = k->name;
    if (0 == strcmp(name, "Executable") || 0 == strcmp(name, "WorkDirectory")) {
        if ('/' != v[0]) {
            snprintf(why, whysize, "%s must be an absolute path", name);
            return -1;
        }
    } else if (0 == strcmp(name, "CommandLine")) {
        char **words = 0;
        if (0 != fsp_cmdline_split(v, &words, err, sizeof err)) {
            snprintf(why, whysize, "CommandLine: %s", err);
            return -1;
        }
        int r = 0;
        for (char **w = words; *w && 0 == r; w++)
            if (0 != (r = fsp_cmdline_check(*w, err, sizeof err)))
                snprintf(why, whysize, "CommandLine: %s", err);
        fsp_cmdline_free(words);
        return r;
    } else if (0 == strcmp(name, "Stderr") || 0 == strcmp(name, "MountPoint")) {
        if (0 != fsp_cmdline_check(v, err, sizeof err)) {
            snprintf(why, whysize, "%s: %s", name, err);
            return -1;
        }
        /* Stderr must stay absolute whatever is substituted; a MountPoint is usually one
         * argument ("%2") and is checked once substituted. */
        if ('S' == name[0] && '/' != v[0]) {
            snprintf(why, whysize, "Stderr must be an absolute path");
            return -1;
        }
    } else if (0 == strcmp(name, "RunAs")) {
        if (0 == strcmp(v, "LocalService") || 0 == strcmp(v, "NetworkService")) {
            snprintf(why, whysize, "RunAs=%s is Windows-only: use root, a user name or .", v);
            return -1;
        }
        if (0 != strcmp(v, ".") && !user_name_ok(v)) {
            snprintf(why, whysize, "RunAs must be root, a user name or . (the caller)");
            return -1;
        }
    } else if (0 == strcmp(name, "Security")) {
        size_t n = strlen(v);
        char *sddl = malloc(n + sizeof FSP_CLASS_SDDL_OWNER);
        PWSTR w = 0;
        PSECURITY_DESCRIPTOR sd = 0;
        NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
        if (sddl) {
            snprintf(sddl, n + sizeof FSP_CLASS_SDDL_OWNER, "%s%s",
                     'D' == v[0] && ':' == v[1] ? FSP_CLASS_SDDL_OWNER : "", v);
            if (0 == fsp_utf8_to_wcs(sddl, strlen(sddl), &w, 0))
                status = FspSddlToSecurityDescriptor(w, &sd, 0);
        }
        /* A descriptor without a DACL (an empty value, "O:SYG:SY", "D:NO_ACCESS_CONTROL")
         * gives everyone every right over every instance: never what an empty or forgotten
         * DACL was meant to say. Leaving Security out gives the default; a class open to all
         * says so with an ACE for Everyone. */
        bool no_dacl = NT_SUCCESS(status) && !FspSecurityDescriptorDacl(sd);
        free(sddl), free(w), free(sd);
        if (!NT_SUCCESS(status)) {
            snprintf(why, whysize, "Security is not valid SDDL (e.g. %s)",
                     FSP_LAUNCH_SERVICE_DEFAULT_SDDL);
            return -1;
        }
        if (no_dacl) {
            snprintf(why, whysize, "Security %s, which would give everyone every right "
                     "(leave the key out for the default, %s; write D:P(A;;RPWPLC;;;WD) if "
                     "everyone is meant)",
                     v[0] ? "has no DACL (or a NULL one)" : "is empty",
                     FSP_LAUNCH_SERVICE_DEFAULT_SDDL);
            return -1;
        }
    }
    return 0;
}

static char *trim(char *s)
{
    while (' ' == *s || '\t' == *s)
        s++;
    size_t n = strlen(s);
    while (n && (' ' == s[n - 1] || '\t' == s[n - 1]))
        s[--n] = '\0';
    return s;
}

char *fsp_class_string(PCWSTR value)
{
    char *s = 0;
    if (value && 0 != fsp_wcs_to_utf8(value, wcslen(value), &s, 0))
        s = 0;
    return s;
}

/* Build a record in one allocation from the checked values. */
static NTSTATUS build_record(char *strings[NKEYS], const ULONG numbers[NKEYS], const bool set[NKEYS],
                             FSP_LAUNCH_REG_RECORD **precord)
{
    PWSTR wide[NKEYS] = {0};
    size_t wlen[NKEYS] = {0}, total = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (size_t i = 0; i < NKEYS && NT_SUCCESS(status); i++)
        if (KEY_STRING == class_keys[i].kind && strings[i]) {
            if (0 != fsp_utf8_to_wcs(strings[i], strlen(strings[i]), &wide[i], &wlen[i]))
                status = STATUS_INSUFFICIENT_RESOURCES;
            total += (wlen[i] + 1) * sizeof(WCHAR);
        }
    FSP_LAUNCH_REG_RECORD *r = NT_SUCCESS(status) ? calloc(1, sizeof *r + total) : 0;
    if (NT_SUCCESS(status) && !r)
        status = STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(status)) {
        PWSTR p = (PWSTR)r->Buffer;
        r->JobControl = 1; /* WinFsp's default */
        for (size_t i = 0; i < NKEYS; i++) {
            char *field = (char *)r + class_keys[i].offset;
            if (KEY_STRING == class_keys[i].kind && wide[i]) {
                memcpy(p, wide[i], (wlen[i] + 1) * sizeof(WCHAR));
                memcpy(field, &p, sizeof p);
                p += wlen[i] + 1;
            } else if (KEY_NUMBER == class_keys[i].kind && set[i])
                memcpy(field, &numbers[i], sizeof(ULONG));
        }
        *precord = r;
    }
    for (size_t i = 0; i < NKEYS; i++)
        free(wide[i]);
    return status;
}

NTSTATUS fsp_class_parse(const char *text, size_t len, const char *where,
                         FSP_LAUNCH_REG_RECORD **precord, char *msg, size_t msgsize)
{
    char *strings[NKEYS] = {0};
    ULONG numbers[NKEYS] = {0};
    bool set[NKEYS] = {0};
    char line[FSP_CLASS_LINE_MAX + 2];
    NTSTATUS status = STATUS_SUCCESS;
    unsigned lineno = 0;
    *precord = 0;
    if (len > FSP_CLASS_FILE_MAX) {
        say(msg, msgsize, "%s: longer than %d bytes", where, FSP_CLASS_FILE_MAX);
        return STATUS_OBJECT_NAME_INVALID;
    }
    if (memchr(text, '\0', len)) {
        say(msg, msgsize, "%s: holds a NUL byte (not a text file)", where);
        return STATUS_OBJECT_NAME_INVALID;
    }
    /* A UTF-8 byte order mark at the start (Windows editors write one) says only "UTF-8". */
    size_t start = len >= 3 && 0 == memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (size_t pos = start; pos < len && NT_SUCCESS(status);) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        if (n > FSP_CLASS_LINE_MAX) {
            say(msg, msgsize, "%s:%u: line longer than %d bytes", where, lineno, FSP_CLASS_LINE_MAX);
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + (nl ? 1 : 0);
        if (n && '\r' == line[n - 1])
            line[n - 1] = '\0';
        char *s = trim(line);
        if (!*s || '#' == *s || ';' == *s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            say(msg, msgsize, "%s:%u: expected Key=Value", where, lineno);
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t k = 0;
        while (k < NKEYS && 0 != strcmp(key, class_keys[k].name))
            k++;
        if (k == NKEYS) {
            if (0 == strcmp(key, "AuthPackage") || 0 == strcmp(key, "AuthPackageId"))
                say(msg, msgsize, "%s:%u: %s is Windows-only (not supported on Linux)", where,
                    lineno, key);
            else {
                const char *hint = 0;
                for (size_t i = 0; i < NKEYS && !hint; i++)
                    if (0 == strcasecmp(key, class_keys[i].name))
                        hint = class_keys[i].name;
                say(msg, msgsize, "%s:%u: unknown key '%.64s'%s%s%s", where, lineno, key,
                    hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
            }
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        if (set[k]) {
            say(msg, msgsize, "%s:%u: %s is given twice", where, lineno, key);
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        set[k] = true;
        if (!fsp_class_text_ok(value)) {
            say(msg, msgsize, "%s:%u: %s holds invalid UTF-8 or control characters", where,
                lineno, key);
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        char why[512];
        if (KEY_NUMBER == class_keys[k].kind) {
            if (!(('0' == value[0] || '1' == value[0]) && !value[1])) {
                say(msg, msgsize, "%s:%u: %s must be 0 or 1", where, lineno, key);
                status = STATUS_OBJECT_NAME_INVALID;
                break;
            }
            numbers[k] = (ULONG)(value[0] - '0');
        } else if (0 != check_value(&class_keys[k], value, why, sizeof why)) {
            say(msg, msgsize, "%s:%u: %s", where, lineno, why);
            status = STATUS_OBJECT_NAME_INVALID;
            break;
        } else if (!(strings[k] = strdup(value)))
            status = STATUS_INSUFFICIENT_RESOURCES;
    }
    if (NT_SUCCESS(status) && !strings[1]) {
        say(msg, msgsize, "%s: Executable is missing", where);
        status = STATUS_OBJECT_NAME_INVALID;
    }
    if (NT_SUCCESS(status))
        status = build_record(strings, numbers, set, precord);
    if (STATUS_INSUFFICIENT_RESOURCES == status)
        say(msg, msgsize, "%s: out of memory", where);
    for (size_t i = 0; i < NKEYS; i++)
        free(strings[i]);
    return status;
}

NTSTATUS fsp_class_format(const FSP_LAUNCH_REG_RECORD *record, char **ptext)
{
    *ptext = 0;
    if (!record || !record->Executable || record->AuthPackage || record->AuthPackageId)
        return STATUS_INVALID_PARAMETER;
    size_t cap = 256, len = 0;
    char *text = malloc(cap);
    NTSTATUS status = text ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 0; i < NKEYS && NT_SUCCESS(status); i++) {
        const char *field = (const char *)record + class_keys[i].offset;
        char *value = 0, num[16];
        if (KEY_STRING == class_keys[i].kind) {
            PCWSTR w;
            memcpy(&w, field, sizeof w);
            if (!w)
                continue;
            if (!(value = fsp_class_string(w))) {
                status = STATUS_INVALID_PARAMETER; /* not convertible (or no memory) */
                break;
            }
            size_t n = strlen(value);
            if (!fsp_class_text_ok(value) || (n && (' ' == value[0] || '\t' == value[0] ||
                                          ' ' == value[n - 1] || '\t' == value[n - 1]))) {
                free(value);
                status = STATUS_INVALID_PARAMETER;
                break;
            }
        } else {
            ULONG v;
            memcpy(&v, field, sizeof v);
            /* JobControl is always written (its default is 1), the others when set. */
            if (0 == v && 0 != strcmp(class_keys[i].name, "JobControl"))
                continue;
            snprintf(num, sizeof num, "%lu", (unsigned long)v);
        }
        const char *v = value ? value : num;
        size_t need = len + strlen(class_keys[i].name) + strlen(v) + 3;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            char *n = realloc(text, cap);
            if (!n)
                status = STATUS_INSUFFICIENT_RESOURCES;
            else
                text = n;
        }
        if (NT_SUCCESS(status))
            len += (size_t)sprintf(text + len, "%s=%s\n", class_keys[i].name, v);
        free(value);
    }
    if (!NT_SUCCESS(status)) {
        free(text);
        return status;
    }
    *ptext = text;
    return STATUS_SUCCESS;
}

char *fsp_class_sddl(const FSP_LAUNCH_REG_RECORD *record)
{
    char *security = record->Security ? fsp_class_string(record->Security) : 0;
    const char *v = security ? security : FSP_LAUNCH_SERVICE_DEFAULT_SDDL;
    char *sddl = 0;
    if (asprintf(&sddl, "%s%s", 'D' == v[0] && ':' == v[1] ? FSP_CLASS_SDDL_OWNER : "", v) < 0)
        sddl = 0;
    free(security);
    return sddl;
}

/* Owner root or trusted; for the last component and DIR itself no write bit for group or
 * others; above DIR a sticky directory may be writable (its entries cannot be replaced by
 * others). */
static NTSTATUS check_owner_mode(const char *path, const struct stat *st, uid_t trusted_uid,
                                 bool strict, char *msg, size_t msgsize)
{
    if (0 != st->st_uid && trusted_uid != st->st_uid) {
        say(msg, msgsize, "%s: owned by uid %u, not by root%s", path, (unsigned)st->st_uid,
            0 != trusted_uid ? " or the launcher's user" : "");
        return STATUS_ACCESS_DENIED;
    }
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && (strict || !(st->st_mode & S_ISVTX))) {
        say(msg, msgsize, "%s: writable by %s (chmod go-w)", path,
            (st->st_mode & S_IWOTH) ? "everyone" : "its group");
        return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

NTSTATUS fsp_class_check_dir(const char *dir, uid_t trusted_uid, char *msg, size_t msgsize)
{
    char *real = realpath(dir, 0);
    if (!real) {
        say(msg, msgsize, "%s: %s", dir, strerror(errno));
        return ENOENT == errno || ENOTDIR == errno ? STATUS_OBJECT_PATH_NOT_FOUND
                                                   : FspNtStatusFromErrno(errno);
    }
    /* Every directory from / down to DIR. */
    size_t n = strlen(real);
    char *prefix = malloc(n + 1);
    NTSTATUS status = prefix ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 1; i <= n && NT_SUCCESS(status); i++) {
        /* "/" (i == 1), then each prefix that ends before a '/', then DIR */
        if (1 != i && i < n && '/' != real[i])
            continue;
        memcpy(prefix, real, i);
        prefix[i] = '\0';
        struct stat st;
        if (0 != stat(prefix, &st)) {
            say(msg, msgsize, "%s: %s", prefix, strerror(errno));
            status = FspNtStatusFromErrno(errno);
        } else if (!S_ISDIR(st.st_mode)) {
            say(msg, msgsize, "%s: not a directory", prefix);
            status = STATUS_OBJECT_PATH_NOT_FOUND;
        } else
            status = check_owner_mode(prefix, &st, trusted_uid, i == n, msg, msgsize);
    }
    free(prefix);
    free(real);
    return status;
}

NTSTATUS fsp_class_load(const char *dir, const char *class_name, uid_t trusted_uid,
                        FSP_LAUNCH_REG_RECORD **precord, char *msg, size_t msgsize)
{
    *precord = 0;
    if (!fsp_class_name_valid(class_name)) {
        say(msg, msgsize, "invalid class name (letters, digits, _ - . +; at most 64)");
        return STATUS_OBJECT_NAME_INVALID;
    }
    NTSTATUS status = fsp_class_check_dir(dir, trusted_uid, msg, msgsize);
    if (!NT_SUCCESS(status))
        return status;
    char *path = 0;
    if (asprintf(&path, "%s/%s.conf", dir, class_name) < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    char *text = 0;
    ssize_t got = 0;
    if (fd < 0) {
        if (ENOENT == errno)
            status = STATUS_OBJECT_NAME_NOT_FOUND, say(msg, msgsize, "%s: no such class", path);
        else if (ELOOP == errno)
            status = STATUS_ACCESS_DENIED, say(msg, msgsize, "%s: a symbolic link (not allowed)", path);
        else
            status = FspNtStatusFromErrno(errno), say(msg, msgsize, "%s: %s", path, strerror(errno));
    } else if (0 != fstat(fd, &st)) {
        status = FspNtStatusFromErrno(errno), say(msg, msgsize, "%s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        status = STATUS_ACCESS_DENIED, say(msg, msgsize, "%s: not a regular file", path);
    } else if (!NT_SUCCESS(status = check_owner_mode(path, &st, trusted_uid, true, msg, msgsize))) {
        ;
    } else if (st.st_size > FSP_CLASS_FILE_MAX) {
        status = STATUS_OBJECT_NAME_INVALID;
        say(msg, msgsize, "%s: longer than %d bytes", path, FSP_CLASS_FILE_MAX);
    } else if (!(text = malloc((size_t)st.st_size + 1))) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        size_t want = (size_t)st.st_size + 1; /* one more: the file must not have grown */
        while ((size_t)got < want) {
            ssize_t r = read(fd, text + got, want - (size_t)got);
            if (r < 0 && EINTR == errno)
                continue;
            if (r <= 0)
                break;
            got += r;
        }
        if ((size_t)got != (size_t)st.st_size) {
            status = STATUS_OBJECT_NAME_INVALID;
            say(msg, msgsize, "%s: changed while it was read", path);
        } else
            status = fsp_class_parse(text, (size_t)got, path, precord, msg, msgsize);
    }
    if (fd >= 0)
        close(fd);
    free(text);
    free(path);
    return status;
}
