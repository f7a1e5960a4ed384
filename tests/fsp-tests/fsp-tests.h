/*
 * tests/fsp-tests/fsp-tests.h - shared declarations of fsp-tests, LinFsp's file system test program
 * (WinFsp's winfsp-tests, for Linux).
 *
 * Every test runs in a fresh empty directory that is the current working
 * directory, so tests use relative names ("file0", "dir1/file2"). The
 * directory lies on the memfs that fsp-tests mounted in-process (default) or
 * under the directory given with --external. It is removed after the test.
 *
 * A group lives in GROUP-test.c and registers its tests from GROUP_tests().
 */
#ifndef FSP_TESTS_H_INCLUDED
#define FSP_TESTS_H_INCLUDED

#include "tlib.h"
#include <winfsp/winfsp.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

/** The largest file of the in-process memfs (its MaxFileSize): beyond it writes and truncation fail with EFBIG. */
#define FSP_TESTS_MEMFS_MAX_FILE_SIZE (16ULL * 1024 * 1024 * 1024)

/** The options fsp-tests was started with. */
struct fsp_tests_options {
    const char *external;   /* --external DIR, or NULL: memfs in-process */
    ULONG file_info_timeout; /* --timeout=MS (internal; default 1000, INFINITE with --timeout=-1) */
    bool case_insensitive;  /* --case-insensitive (internal) */
    bool writeback;         /* --writeback (internal): the kernel's writeback cache */
    bool slowio;            /* --slowio: memfs completes reads/writes/readdir asynchronously */
    bool coarse;            /* --coarse: COARSE operation guard strategy */
    ULONG threads;          /* --threads=N dispatcher threads (0: default) */
    bool linfsp;            /* --linfsp: the --external directory is served by LinFsp */
};
extern struct fsp_tests_options fsp_tests_options;

/** True when the tests run on the in-process memfs (false with --external). */
bool fsp_tests_internal(void);
/**
 * True when the file system under test is LinFsp's (the in-process memfs, or --external with
 * --linfsp): tests then accept LinFsp's documented deviations from tmpfs (doc/ntfs-compatibility.md:
 * xattr values up to 65535 bytes, no special files without reparse points, names that are not
 * UTF-8 refused, ...) instead of tmpfs's
 * behaviour.
 */
bool fsp_tests_linfsp(void);
/** The in-process file system (NULL with --external). */
FSP_FILE_SYSTEM *fsp_tests_fs(void);
/** The mount point (internal) or the --external directory. */
const char *fsp_tests_root(void);
/** The absolute path of the current test's directory. */
const char *fsp_tests_dir(void);

/** Skip the test unless it runs on the in-process memfs. */
void fsp_tests_need_internal(void);
/** Skip the test unless the program runs as root (needed to switch users). */
void fsp_tests_need_root(void);

/**
 * Run fn(arg) in a child process as uid/gid (no supplementary groups), in
 * the test directory. Returns fn's return value (0..255), or -1 when the
 * child died from a signal or could not be started.
 */
int fsp_tests_as_user(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg);

/** Create a file holding size bytes of data (or empty when data is NULL); ASSERTs on error. */
void fsp_tests_write_file(const char *path, const void *data, size_t size);
/** Read up to size bytes of a file into buf; returns the count; ASSERTs on error. */
size_t fsp_tests_read_file(const char *path, void *buf, size_t size);

/** Count the entries of a directory other than "." and ".."; -1 when it cannot be read. */
int fsp_tests_count_entries(const char *path);
/** True when the directory holds an entry named exactly name. */
bool fsp_tests_has_entry(const char *path, const char *name);

/* Groups (each in GROUP-test.c). */
void create_tests(void);
void info_tests(void);
void rename_tests(void);
void delete_tests(void);
void rdwr_tests(void);
void mmap_tests(void);
void dirctl_tests(void);
void security_tests(void);
void acl_tests(void);     /* POSIX ACLs as Linux defines them (passes on tmpfs) */
void reparse_tests(void);
void xattr_tests(void);
void stream_tests(void);
void link_tests(void);
void volume_tests(void);
void timeout_tests(void);
void mount_tests(void);
void native_tests(void);
void badfs_tests(void);  /* a file system that returns impossible data */
void blocking_tests(void); /* a blocked operation does not stall the others */
void fuse_tests(void);
void fuse_compat_tests(void);   /* the FUSE 3 layer in-process (fuse_new, fuse_mount, fuse_loop[_mt]) */
void fuse_opt_tests(void); /* tests/unit/test-fuse-opt-cases.c: fuse_opt_parse */
void backing_tests(void); /* kernel passthrough to backing files */
void ntfs_tests(void);    /* NTFS data as xattrs (ntfs-3g's, Samba's), POSIX ACLs, birth times, labels */
void posix_tests(void);  /* tests/unit/test-posix.c: the POSIX mapping API */
void dirbuf_tests(void); /* tests/unit/test-dirbuf.c: directory buffers */

#endif
