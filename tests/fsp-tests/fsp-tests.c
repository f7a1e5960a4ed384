/*
 * tests/fsp-tests/fsp-tests.c - fsp-tests' main program: options, the in-process memfs mount,
 * the per-test directory and the helpers shared by the groups.
 *
 * usage: fsp-tests [--external DIR] [--timeout=MS] [--case-insensitive] [--slowio]
 *                  [--coarse] [--threads=N] [--io-uring] [-d] [--list] [pattern|-pattern|+pattern ...]
 */
#include "fsp-tests.h"
#include "memfs.h"
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fsp_tests_options fsp_tests_options = {.file_info_timeout = 1000};

static MEMFS *memfs;
static char root[PATH_MAX];
static char test_dir[PATH_MAX + 64];
static unsigned test_count;

bool fsp_tests_internal(void)
{
    return NULL != memfs;
}

bool fsp_tests_linfsp(void)
{
    return NULL != memfs || fsp_tests_options.linfsp;
}

FSP_FILE_SYSTEM *fsp_tests_fs(void)
{
    return memfs ? MemfsFileSystem(memfs) : NULL;
}

const char *fsp_tests_root(void)
{
    return root;
}

const char *fsp_tests_dir(void)
{
    return test_dir;
}

void fsp_tests_need_internal(void)
{
    if (!memfs)
        tlib_skip("needs the in-process memfs");
}

void fsp_tests_need_root(void)
{
    if (0 != geteuid())
        tlib_skip("needs root to switch users");
}

int fsp_tests_as_user(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (-1 == pid)
        return -1;
    if (0 == pid) {
        if (0 != setgroups(0, NULL) || 0 != setgid(gid) || 0 != setuid(uid))
            _exit(254);
        _exit(fn(arg) & 0xff);
    }
    int status;
    while (-1 == waitpid(pid, &status, 0))
        if (EINTR != errno)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void fsp_tests_write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    const char *p = data;
    while (p && size) {
        ssize_t n = write(fd, p, size);
        if (n <= 0) {
            close(fd);
            ASSERT(n > 0);
        }
        p += n, size -= (size_t)n;
    }
    ASSERT(0 == close(fd));
}

size_t fsp_tests_read_file(const char *path, void *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ASSERT(-1 != fd);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, (char *)buf + got, size - got);
        if (n < 0) {
            close(fd);
            ASSERT(n >= 0);
        }
        if (0 == n)
            break;
        got += (size_t)n;
    }
    ASSERT(0 == close(fd));
    return got;
}

int fsp_tests_count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (0 != strcmp(de->d_name, ".") && 0 != strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

bool fsp_tests_has_entry(const char *path, const char *name)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(d)))
        found = 0 == strcmp(de->d_name, name);
    closedir(d);
    return found;
}

/* ---- the per-test directory ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    int r = FTW_DP == flag ? rmdir(path) : unlink(path);
    if (0 != r && ENOENT != errno)
        fprintf(stderr, "    fsp-tests: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

/* Give the owner full access to every directory below path so that the tree can be removed. */
static int open_up_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if ((FTW_D == flag || FTW_DNR == flag) && S_IRWXU != (st->st_mode & S_IRWXU))
        chmod(path, (st->st_mode & 07777) | S_IRWXU);
    return 0;
}

static void remove_tree(const char *path)
{
    nftw(path, open_up_entry, 16, FTW_PHYS);
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_setup(void)
{
    snprintf(test_dir, sizeof test_dir, "%s/fsp-tests.%ld.%u", root, (long)getpid(), ++test_count);
    remove_tree(test_dir);
    if (0 != mkdir(test_dir, 0755)) {
        fprintf(stderr, "    fsp-tests: mkdir %s: %s\n", test_dir, strerror(errno));
        ASSERT(!"cannot create the test directory");
    }
    ASSERT(0 == chdir(test_dir));
}

static void test_teardown(void)
{
    umask(022);
    if (0 != chdir(root))
        fprintf(stderr, "    fsp-tests: chdir %s: %s\n", root, strerror(errno));
    if (test_dir[0]) {
        remove_tree(test_dir);
        struct stat st;
        if (0 == lstat(test_dir, &st))
            fprintf(stderr, "    fsp-tests: %s was not removed\n", test_dir);
    }
    test_dir[0] = 0;
}

/* ---- options and main ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fsp-tests [options] [pattern|-pattern|+pattern ...]\n"
            "  --external DIR      run the tests in DIR (any file system) instead of memfs\n"
            "                      (default: memfs mounted in-process under $TMPDIR or /tmp)\n"
            "  --timeout=MS        memfs FileInfoTimeout in ms (-1: INFINITE; default 1000)\n"
            "  --case-insensitive  memfs with case-insensitive names\n"
            "  --writeback         memfs asks for the kernel's writeback cache (with --timeout=-1)\n"
            "  --slowio            memfs completes reads, writes and readdir asynchronously\n"
            "  --linfsp            with --external: DIR is served by LinFsp (accept its documented\n"
            "                      deviations from tmpfs, e.g. xattr values up to 65535 bytes)\n"
            "  --coarse            COARSE operation guard strategy\n"
            "  --threads=N         dispatcher threads (default: the engine's)\n"
            "  --io-uring          FUSE over io_uring (mount option io_uring, LINFSP_IO_URING=1;\n"
            "                      needs fuse.enable_uring=Y, else /dev/fuse)\n"
            "  -d                  trace every request and response to stderr\n"
            "  --list              list the selected tests\n"
            "patterns select tests by name or group (shell wildcards); -pattern excludes,\n"
            "+pattern also selects optional tests (e.g. +dirctl_100k_test).\n");
}

static bool parse_ulong(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    bool debug = false, io_uring = false;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return 2;
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        if (0 == strcmp(a, "--external") && i + 1 < argc)
            fsp_tests_options.external = argv[++i];
        else if (0 == strncmp(a, "--external=", 11))
            fsp_tests_options.external = a + 11;
        else if (0 == strncmp(a, "--timeout=", 10) && parse_ulong(a + 10, &v) && v >= -1)
            fsp_tests_options.file_info_timeout = -1 == v ? INFINITE : (ULONG)v;
        else if (0 == strcmp(a, "--case-insensitive"))
            fsp_tests_options.case_insensitive = true;
        else if (0 == strcmp(a, "--writeback"))
            fsp_tests_options.writeback = true;
        else if (0 == strcmp(a, "--slowio"))
            fsp_tests_options.slowio = true;
        else if (0 == strcmp(a, "--linfsp"))
            fsp_tests_options.linfsp = true;
        else if (0 == strcmp(a, "--coarse"))
            fsp_tests_options.coarse = true;
        else if (0 == strncmp(a, "--threads=", 10) && parse_ulong(a + 10, &v) && v >= 0 && v <= 256)
            fsp_tests_options.threads = (ULONG)v;
        else if (0 == strcmp(a, "--io-uring"))
            io_uring = true, setenv("LINFSP_IO_URING", "1", 1); /* every engine in this process */
        else if (0 == strcmp(a, "-d"))
            debug = true;
        else if (0 == strcmp(a, "-h") || 0 == strcmp(a, "--help")) {
            usage(stdout);
            free(rest);
            return 0;
        } else if (0 == strcmp(a, "--list") || '-' != a[0] || ('-' == a[0] && '-' != a[1] && a[1]))
            rest[nrest++] = argv[i];
        else {
            fprintf(stderr, "fsp-tests: unknown option %s\n", a);
            usage(stderr);
            free(rest);
            return 2;
        }
    }

    bool listing = false;
    for (int i = 1; i < nrest; i++)
        listing |= 0 == strcmp(rest[i], "--list");

    /* The mount point: a new directory under $TMPDIR (default /tmp). */
    char mount_dir[PATH_MAX];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(mount_dir, sizeof mount_dir, "%s/fsp-tests.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    NTSTATUS status;
    if (fsp_tests_options.external) {
        if (!realpath(fsp_tests_options.external, root)) {
            fprintf(stderr, "fsp-tests: %s: %s\n", fsp_tests_options.external, strerror(errno));
            free(rest);
            return 2;
        }
    } else if (!listing) {
        if (!mkdtemp(mount_dir)) {
            fprintf(stderr, "fsp-tests: mkdtemp: %s\n", strerror(errno));
            free(rest);
            return 2;
        }
        ULONG flags = MemfsDisk | (fsp_tests_options.case_insensitive ? MemfsCaseInsensitive : 0) |
                      (fsp_tests_options.writeback ? MemfsWritebackCache : 0);
        status = MemfsCreateFunnel(flags, fsp_tests_options.file_info_timeout, 1024 * 1024,
                                   FSP_TESTS_MEMFS_MAX_FILE_SIZE, fsp_tests_options.slowio ? 10 : 0,
                                   fsp_tests_options.slowio ? 50 : 0, fsp_tests_options.slowio ? 1 : 0,
                                   0, 0, 0, &memfs);
        if (STATUS_SUCCESS == status) {
            FSP_FILE_SYSTEM *fs = MemfsFileSystem(memfs);
            if (debug)
                FspFileSystemSetDebugLog(fs, (UINT32)-1);
            if (fsp_tests_options.coarse)
                FspFileSystemSetOperationGuardStrategy(fs,
                    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE);
            WCHAR wmount[PATH_MAX];
            mbstowcs(wmount, mount_dir, PATH_MAX);
            status = io_uring ? FspFileSystemSetMountOptions(fs, "io_uring") : STATUS_SUCCESS;
            if (STATUS_SUCCESS == status)
                status = FspFileSystemSetMountPoint(fs, wmount);
            if (STATUS_SUCCESS == status)
                status = MemfsStartEx(memfs, fsp_tests_options.threads);
        }
        if (STATUS_SUCCESS != status) {
            fprintf(stderr, "fsp-tests: cannot start memfs at %s: status 0x%08x (%s)\n", mount_dir,
                    (unsigned)status, strerror(FspErrnoFromNtStatus(status)));
            if (memfs)
                MemfsDelete(memfs);
            rmdir(mount_dir);
            free(rest);
            return 2;
        }
        snprintf(root, sizeof root, "%s", mount_dir);
    }

    create_tests();
    info_tests();
    rename_tests();
    delete_tests();
    rdwr_tests();
    mmap_tests();
    dirctl_tests();
    security_tests();
    acl_tests();
    reparse_tests();
    xattr_tests();
    stream_tests();
    link_tests();
    volume_tests();
    timeout_tests();
    mount_tests();
    native_tests();
    ntfs_tests();
    badfs_tests();
    blocking_tests();
    fuse_tests();
    fuse_compat_tests();
    fuse_opt_tests();
    backing_tests();
    posix_tests();
    dirbuf_tests();

    if (!listing) {
        tlib_set_setup(test_setup);
        tlib_set_teardown(test_teardown);
    }
    int rc = tlib_run(nrest, rest);

    if (memfs) {
        if (0 != chdir("/"))
            rc = rc ? rc : 1;
        MemfsStop(memfs);
        FspFileSystemRemoveMountPoint(MemfsFileSystem(memfs));
        MemfsDelete(memfs);
        rmdir(mount_dir);
    }
    free(rest);
    return rc;
}
