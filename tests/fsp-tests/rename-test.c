/*
 * tests/fsp-tests/rename-test.c - fsp-tests group "rename": rename and renameat2 of files and
 * directories (after winfsp-tests' rename tests, in POSIX terms).
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int do_renameat2(const char *from, const char *to, unsigned flags)
{
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

/* Assert that path holds exactly the string s. */
#define ASSERT_CONTENT(path, s)                                                              \
    do {                                                                                     \
        char buf_[256];                                                                      \
        size_t n_ = fsp_tests_read_file(path, buf_, sizeof buf_);                            \
        ASSERT_EQ(n_, strlen(s));                                                            \
        ASSERT(0 == memcmp(buf_, s, n_));                                                    \
    } while (0)

static void rename_file_test(void)
{
    struct stat st, st2;
    fsp_tests_write_file("file0", "content", 7);
    ASSERT(0 == chmod("file0", 0600));
    struct timespec ts[2] = {{1000000000, 0}, {1100000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT(0 == rename("file0", "file1"));
    ASSERT_ERRNO(stat("file0", &st2), ENOENT);
    ASSERT(0 == stat("file1", &st2));
    /* the same file under a new name: identity, mode, size and mtime are kept */
    ASSERT_EQ(st2.st_ino, st.st_ino);
    ASSERT_EQ(st2.st_mode, S_IFREG | 0600);
    ASSERT_EQ(st2.st_size, 7);
    ASSERT_EQ(st2.st_mtim.tv_sec, 1100000000);
    ASSERT_CONTENT("file1", "content");
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
    ASSERT(fsp_tests_has_entry(".", "file1"));
    /* and back again */
    ASSERT(0 == rename("file1", "file0"));
    ASSERT_CONTENT("file0", "content");
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

static void rename_replace_test(void)
{
    struct stat st, st2;
    char buf[32];
    fsp_tests_write_file("src", "new data", 8);
    fsp_tests_write_file("dst", "old", 3);
    ASSERT(0 == stat("src", &st));
    int fd = open("dst", O_RDWR);
    ASSERT(-1 != fd);
    int r = rename("src", "dst");
    if (0 != r)
        close(fd);
    ASSERT(0 == r);
    /* an open descriptor of the replaced file still reads the old data */
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    ssize_t w = pwrite(fd, "OLD", 3, 0);
    int r2 = fstat(fd, &st2);
    close(fd);
    ASSERT_EQ(n, 3);
    ASSERT(0 == memcmp(buf, "old", 3));
    ASSERT_EQ(w, 3);
    ASSERT(0 == r2);
    ASSERT_EQ(st2.st_nlink, 0);
    ASSERT(st2.st_ino != st.st_ino);
    /* the name now holds the renamed file; the write to the replaced one went nowhere visible */
    ASSERT_CONTENT("dst", "new data");
    ASSERT(0 == stat("dst", &st2));
    ASSERT_EQ(st2.st_ino, st.st_ino);
    ASSERT_EQ(st2.st_nlink, 1);
    ASSERT_ERRNO(stat("src", &st2), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

static void rename_dir_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/f", "x", 1);
    /* a directory replaces an empty directory */
    ASSERT(0 == mkdir("empty", 0700));
    ASSERT(0 == rename("dir0", "empty"));
    ASSERT_ERRNO(stat("dir0", &st), ENOENT);
    ASSERT(0 == stat("empty", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 0755);
    ASSERT_CONTENT("empty/f", "x");
    /* but not a non-empty one */
    ASSERT(0 == mkdir("full", 0755));
    fsp_tests_write_file("full/g", "y", 1);
    ASSERT_ERRNO(rename("empty", "full"), ENOTEMPTY);
    ASSERT_CONTENT("full/g", "y");
    ASSERT_CONTENT("empty/f", "x");
    /* types must match */
    fsp_tests_write_file("file0", "z", 1);
    ASSERT_ERRNO(rename("file0", "full"), EISDIR);
    ASSERT_ERRNO(rename("full", "file0"), ENOTDIR);
    ASSERT_ERRNO(rename("file0", "full/"), ENOTDIR); /* the VFS: a non-directory source with a trailing-slash target */
    ASSERT_ERRNO(rename("file0/", "other"), ENOTDIR);
    ASSERT_CONTENT("file0", "z");
    ASSERT_EQ(fsp_tests_count_entries("."), 3);
    /* a directory may be renamed with a trailing slash */
    ASSERT(0 == rename("full/", "full2/"));
    ASSERT_CONTENT("full2/g", "y");
}

static void rename_into_self_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("d", 0755));
    ASSERT(0 == mkdir("d/e", 0755));
    ASSERT(0 == mkdir("d/e/f", 0755));
    ASSERT_ERRNO(rename("d", "d/x"), EINVAL);
    ASSERT_ERRNO(rename("d", "d/e/f/x"), EINVAL);
    ASSERT_ERRNO(rename("d", "d/e"), EINVAL); /* also replacing one's own subdirectory */
    ASSERT_ERRNO(rename("d/e", "d/e/f/g"), EINVAL);
    ASSERT_ERRNO(rename(".", "x"), EBUSY);
    ASSERT_ERRNO(rename("d/e", "d/e/."), EBUSY);
    /* a subdirectory may move up over its empty parent's sibling, and its parent can be moved
     * next to it */
    ASSERT(0 == rename("d/e/f", "f"));
    ASSERT(0 == rename("d", "f/d"));
    ASSERT(0 == stat("f/d/e", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

static void rename_self_test(void)
{
    struct stat st, st2;
    fsp_tests_write_file("file0", "same", 4);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == stat("file0", &st));
    ASSERT(0 == rename("file0", "file0"));
    ASSERT(0 == rename("dir0", "dir0"));
    ASSERT(0 == rename("dir0", "dir0/"));
    ASSERT(0 == stat("file0", &st2));
    ASSERT_EQ(st2.st_ino, st.st_ino);
    ASSERT_EQ(st2.st_nlink, 1);
    ASSERT_CONTENT("file0", "same");
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
    ASSERT(0 == do_renameat2("file0", "file0", RENAME_NOREPLACE) || EEXIST == errno);
    ASSERT_CONTENT("file0", "same");
}

static void rename_errors_test(void)
{
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT_ERRNO(rename("missing", "x"), ENOENT);
    ASSERT_ERRNO(rename("missing", "file0"), ENOENT);
    ASSERT_ERRNO(rename("file0", "nodir/x"), ENOENT);
    ASSERT_ERRNO(rename("file0", "file0/x"), ENOTDIR);
    ASSERT_ERRNO(rename("dir0/missing", "dir0/x"), ENOENT);
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    ASSERT_ERRNO(rename("file0", name), ENAMETOOLONG);
    name[255] = 0;
    ASSERT(0 == rename("file0", name));
    ASSERT_CONTENT(name, "x");
    ASSERT(0 == rename(name, "file0"));
    ASSERT_CONTENT("file0", "x");
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
}

static void rename_noreplace_test(void)
{
    fsp_tests_write_file("a", "AAA", 3);
    fsp_tests_write_file("b", "BBB", 3);
    ASSERT(0 == mkdir("d", 0755));
    ASSERT(0 == mkdir("e", 0755));
    if (0 != do_renameat2("a", "c", RENAME_NOREPLACE) && ENOSYS == errno)
        tlib_skip("no renameat2");
    ASSERT_CONTENT("c", "AAA");
    ASSERT_ERRNO(do_renameat2("c", "b", RENAME_NOREPLACE), EEXIST);
    ASSERT_ERRNO(do_renameat2("d", "e", RENAME_NOREPLACE), EEXIST);
    ASSERT_ERRNO(do_renameat2("c", "d", RENAME_NOREPLACE), EEXIST);
    ASSERT_CONTENT("c", "AAA");
    ASSERT_CONTENT("b", "BBB");
    ASSERT(0 == do_renameat2("d", "f", RENAME_NOREPLACE));
    ASSERT_EQ(fsp_tests_count_entries("."), 4);
    ASSERT(fsp_tests_has_entry(".", "f"));
    ASSERT_ERRNO(do_renameat2("c", "b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
}

/* renameat2(RENAME_EXCHANGE): both names exist, and they swap files in one step. */
static void rename_exchange_test(void)
{
    struct stat sa, sb, st;
    fsp_tests_write_file("a", "AAA", 3);
    fsp_tests_write_file("b", "BBBB", 4);
    ASSERT(0 == stat("a", &sa));
    ASSERT(0 == stat("b", &sb));
    /* the change time as the file system has it (asked afresh, not from any cache) */
    struct statx c0, c1;
    ASSERT(0 == statx(AT_FDCWD, "a", AT_STATX_FORCE_SYNC, STATX_CTIME, &c0));
    usleep(20000); /* past a coarse clock's tick */
    int fd = open("a", O_RDWR);
    ASSERT(-1 != fd);
    if (0 != do_renameat2("a", "b", RENAME_EXCHANGE)) {
        int e = errno;
        close(fd);
        if (ENOSYS == e)
            tlib_skip("no renameat2");
        errno = e;
        ASSERT(!"RENAME_EXCHANGE failed");
    }
    /* the exchange changed both files' change time */
    ASSERT(0 == statx(AT_FDCWD, "b", AT_STATX_FORCE_SYNC, STATX_CTIME, &c1));
    ASSERT(c1.stx_ctime.tv_sec > c0.stx_ctime.tv_sec ||
           (c1.stx_ctime.tv_sec == c0.stx_ctime.tv_sec && c1.stx_ctime.tv_nsec > c0.stx_ctime.tv_nsec));
    /* an open descriptor follows its file to the other name */
    ssize_t w = pwrite(fd, "a", 1, 3);
    close(fd);
    ASSERT_EQ(w, 1);
    ASSERT_CONTENT("a", "BBBB");
    ASSERT_CONTENT("b", "AAAa");
    ASSERT(0 == stat("a", &st));
    ASSERT_EQ(st.st_ino, sb.st_ino);
    ASSERT(0 == stat("b", &st));
    ASSERT_EQ(st.st_ino, sa.st_ino);
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
    /* a directory and a file exchange too */
    ASSERT(0 == mkdir("d", 0755));
    fsp_tests_write_file("d/in", "I", 1);
    ASSERT(0 == do_renameat2("a", "d", RENAME_EXCHANGE));
    ASSERT_CONTENT("d", "BBBB");
    ASSERT_CONTENT("a/in", "I");
    ASSERT(0 == stat("a", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_ERRNO(do_renameat2("a", "missing", RENAME_EXCHANGE), ENOENT);
    ASSERT_ERRNO(do_renameat2("missing", "a", RENAME_EXCHANGE), ENOENT);
    ASSERT_ERRNO(do_renameat2("a", "b", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
    /* a name with itself: nothing happens */
    ASSERT(0 == do_renameat2("b", "b", RENAME_EXCHANGE));
    ASSERT_CONTENT("b", "AAAa");
}

/* RENAME_EXCHANGE across directories: directories, their contents and ".." follow. */
static void rename_exchange_dirs_test(void)
{
    struct stat p, q, st;
    ASSERT(0 == mkdir("p", 0755));
    ASSERT(0 == mkdir("q", 0755));
    ASSERT(0 == mkdir("p/x", 0755));
    fsp_tests_write_file("p/x/inner", "px", 2);
    ASSERT(0 == mkdir("q/y", 0700));
    fsp_tests_write_file("q/y/inner", "qy", 2);
    fsp_tests_write_file("q/f", "file", 4);
    ASSERT(0 == stat("p", &p));
    ASSERT(0 == stat("q", &q));
    if (0 != do_renameat2("p/x", "q/y", RENAME_EXCHANGE)) {
        if (ENOSYS == errno)
            tlib_skip("no renameat2");
        ASSERT(!"RENAME_EXCHANGE failed");
    }
    ASSERT_CONTENT("p/x/inner", "qy");
    ASSERT_CONTENT("q/y/inner", "px");
    ASSERT(0 == stat("p/x", &st));
    ASSERT_EQ(st.st_mode & 07777, 0700);
    ASSERT(0 == stat("p/x/..", &st));
    ASSERT_EQ(st.st_ino, p.st_ino);
    ASSERT(0 == stat("q/y/..", &st));
    ASSERT_EQ(st.st_ino, q.st_ino);
    /* a directory with a file in another directory: the link counts of both parents follow */
    ASSERT(0 == do_renameat2("p/x", "q/f", RENAME_EXCHANGE));
    ASSERT_CONTENT("p/x", "file");
    ASSERT_CONTENT("q/f/inner", "qy");
    ASSERT(0 == stat("p", &st));
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT(0 == stat("q", &st));
    ASSERT_EQ(st.st_nlink, 4);
    /* a directory cannot be exchanged with something inside it */
    ASSERT_ERRNO(do_renameat2("q", "q/f/inner", RENAME_EXCHANGE), EINVAL);
    ASSERT_ERRNO(do_renameat2("q/f/inner", "q", RENAME_EXCHANGE), EINVAL);
    ASSERT_CONTENT("q/f/inner", "qy");
}

/* A rename that replaces a file with other names changes that file: its ctime (rename/23). */
static void rename_hardlink_ctime_test(void)
{
    struct stat before, st;
    fsp_tests_write_file("a", "A", 1);
    fsp_tests_write_file("b", "B", 1);
    ASSERT(0 == link("b", "c"));
    ASSERT(0 == stat("c", &before));
    ASSERT_EQ(before.st_nlink, 2);
    struct timespec pause = {0, 50 * 1000 * 1000}; /* beyond the clock's tick */
    nanosleep(&pause, 0);
    ASSERT(0 == rename("a", "b"));
    ASSERT(0 == stat("c", &st));
    ASSERT_EQ(st.st_nlink, 1);
    ASSERT_EQ(st.st_ino, before.st_ino);
    ASSERT(st.st_ctim.tv_sec > before.st_ctim.tv_sec ||
           (st.st_ctim.tv_sec == before.st_ctim.tv_sec && st.st_ctim.tv_nsec > before.st_ctim.tv_nsec));
    ASSERT_CONTENT("c", "B");
    ASSERT_CONTENT("b", "A");
}

static void rename_subtree_test(void)
{
    char buf[32];
    struct stat st;
    ASSERT(0 == mkdir("d", 0755));
    ASSERT(0 == mkdir("d/e", 0755));
    ASSERT(0 == mkdir("d/e/f", 0755));
    fsp_tests_write_file("d/e/f/deep", "deep", 4);
    fsp_tests_write_file("d/top", "top", 3);
    int fd = open("d/e/f/deep", O_RDWR);
    ASSERT(-1 != fd);
    int dfd = open("d/e", O_RDONLY | O_DIRECTORY);
    if (-1 == dfd)
        close(fd);
    ASSERT(-1 != dfd);
    int r = rename("d", "x");
    /* open descriptors inside the moved tree keep working */
    ssize_t w = pwrite(fd, "DEEP", 4, 0);
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    int fd2 = openat(dfd, "f/new", O_RDWR | O_CREAT | O_EXCL, 0644);
    if (-1 != fd2)
        close(fd2);
    close(fd);
    close(dfd);
    ASSERT(0 == r);
    ASSERT_EQ(w, 4);
    ASSERT_EQ(n, 4);
    ASSERT(0 == memcmp(buf, "DEEP", 4));
    ASSERT(-1 != fd2);
    /* the whole subtree moved */
    ASSERT_ERRNO(stat("d", &st), ENOENT);
    ASSERT_ERRNO(stat("d/e/f/deep", &st), ENOENT);
    ASSERT_CONTENT("x/e/f/deep", "DEEP");
    ASSERT_CONTENT("x/top", "top");
    ASSERT(0 == stat("x/e/f/new", &st));
    ASSERT_EQ(fsp_tests_count_entries("x/e/f"), 2);
    /* and it moves on deeper */
    ASSERT(0 == mkdir("y", 0755));
    ASSERT(0 == rename("x/e", "y/e2"));
    ASSERT_CONTENT("y/e2/f/deep", "DEEP");
    ASSERT_EQ(fsp_tests_count_entries("x"), 1);
    ASSERT(0 == rename("y", "x/y"));
    ASSERT_CONTENT("x/y/e2/f/deep", "DEEP");
}

static void rename_across_dirs_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("a", 0755));
    ASSERT(0 == mkdir("b", 0755));
    ASSERT(0 == mkdir("a/sub", 0755));
    fsp_tests_write_file("a/f", "moved", 5);
    ASSERT(0 == rename("a/f", "b/g"));
    ASSERT_CONTENT("b/g", "moved");
    ASSERT_ERRNO(stat("a/f", &st), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("a"), 1);
    ASSERT_EQ(fsp_tests_count_entries("b"), 1);
    /* moving a directory moves its ".." link */
    ASSERT(0 == stat("a", &st));
    ASSERT_EQ(st.st_nlink, 3);
    ASSERT(0 == rename("a/sub", "b/sub"));
    ASSERT(0 == stat("a", &st));
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT(0 == stat("b", &st));
    ASSERT_EQ(st.st_nlink, 3);
    struct stat up, b;
    ASSERT(0 == stat("b/sub/..", &up));
    ASSERT(0 == stat("b", &b));
    ASSERT_EQ(up.st_ino, b.st_ino);
    /* replacing across directories */
    fsp_tests_write_file("a/h", "from a", 6);
    ASSERT(0 == rename("b/g", "a/h"));
    ASSERT_CONTENT("a/h", "moved");
    ASSERT_EQ(fsp_tests_count_entries("b"), 1);
    ASSERT_EQ(fsp_tests_count_entries("a"), 1);
    /* the parents' mtimes change */
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "a", old, 0));
    ASSERT(0 == utimensat(AT_FDCWD, "b", old, 0));
    ASSERT(0 == rename("a/h", "b/h"));
    ASSERT(0 == stat("a", &st));
    ASSERT(st.st_mtim.tv_sec > 1000000000);
    ASSERT(0 == stat("b", &st));
    ASSERT(st.st_mtim.tv_sec > 1000000000);
}

static void rename_case_test(void)
{
    struct stat st;
    fsp_tests_write_file("a", "lower", 5);
    ASSERT(0 == rename("a", "A"));
    ASSERT(0 == stat("A", &st));
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
    if (fsp_tests_options.case_insensitive) {
        /* both spellings name the same file; the Linux VFS sees a rename of a file onto
         * itself when the kernel already knows the other spelling, so either spelling may
         * remain in the directory */
        ASSERT(0 == stat("a", &st));
        ASSERT(fsp_tests_has_entry(".", "A") || fsp_tests_has_entry(".", "a"));
        ASSERT_CONTENT("a", "lower");
        ASSERT_CONTENT("A", "lower");
        /* a rename onto another file's name in a different case replaces that file. Only the
         * spelling used is checked afterwards: the kernel's dentry cache is case-sensitive, so
         * other spellings it looked up before ("b", "A") may name the old files until their
         * entry timeout runs out -- a limit of case-insensitive FUSE file systems. */
        fsp_tests_write_file("b", "bee", 3);
        ASSERT_EQ(fsp_tests_count_entries("."), 2);
        ASSERT(0 == rename("a", "B"));
        ASSERT_EQ(fsp_tests_count_entries("."), 1);
        ASSERT(fsp_tests_has_entry(".", "B"));
        ASSERT_CONTENT("B", "lower");
        return;
    }
    ASSERT(fsp_tests_has_entry(".", "A"));
    ASSERT(!fsp_tests_has_entry(".", "a"));
    ASSERT_ERRNO(stat("a", &st), ENOENT);
    ASSERT_CONTENT("A", "lower");
    /* in a case-sensitive directory "a" and "A" are two files, and one replaces the other */
    fsp_tests_write_file("a", "again", 5);
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
    ASSERT(0 == rename("A", "a"));
    ASSERT_CONTENT("a", "lower");
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
    ASSERT(0 == mkdir("dir", 0755));
    ASSERT(0 == rename("dir", "DIR"));
    ASSERT(fsp_tests_has_entry(".", "DIR"));
    ASSERT(!fsp_tests_has_entry(".", "dir"));
}

static void rename_cwd_test(void)
{
    char cwd[PATH_MAX], path[PATH_MAX];
    struct stat st;
    ASSERT(0 == mkdir("d", 0755));
    ASSERT(0 == chdir("d"));
    ASSERT(0 == rename("../d", "../e"));
    /* the current directory moved with its name */
    fsp_tests_write_file("inside", "in", 2);
    ASSERT(0 == stat(".", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT(NULL != getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/e", fsp_tests_dir());
    ASSERT(0 == strcmp(cwd, path));
    ASSERT(0 == chdir(".."));
    ASSERT_CONTENT("e/inside", "in");
    ASSERT_ERRNO(stat("d", &st), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("e"), 1);
}

static void rename_open_file_test(void)
{
    char buf[32];
    fsp_tests_write_file("file0", "before", 6);
    int fd = open("file0", O_RDWR | O_APPEND);
    ASSERT(-1 != fd);
    int r1 = rename("file0", "file1");
    ssize_t w = write(fd, "+after", 6);
    int r2 = mkdir("dir0", 0755);
    int r3 = rename("file1", "dir0/file2");
    ssize_t w2 = write(fd, "!", 1);
    struct stat st;
    int r4 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3 && 0 == r4);
    ASSERT_EQ(w, 6);
    ASSERT_EQ(w2, 1);
    ASSERT_EQ(st.st_size, 13);
    ASSERT_EQ(st.st_nlink, 1);
    ASSERT_EQ(fsp_tests_read_file("dir0/file2", buf, sizeof buf), 13);
    ASSERT(0 == memcmp(buf, "before+after!", 13));
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

static void rename_over_open_dir_test(void)
{
    ASSERT(0 == mkdir("src", 0755));
    fsp_tests_write_file("src/f", "f", 1);
    ASSERT(0 == mkdir("dst", 0755));
    int dfd = open("dst", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != dfd);
    /* replacing an empty directory that someone has open */
    int r = rename("src", "dst");
    int e = errno;
    struct stat st;
    int r2 = fstat(dfd, &st);
    int fd = openat(dfd, "new", O_RDWR | O_CREAT, 0644);
    int e3 = errno;
    if (-1 != fd)
        close(fd);
    close(dfd);
    ASSERT(0 == r || (fprintf(stderr, "    rename: %s\n", strerror(e)), false));
    ASSERT(0 == r2);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(fd, -1);
    ASSERT_EQ(e3, ENOENT);
    ASSERT_CONTENT("dst/f", "f");
    ASSERT_EQ(fsp_tests_count_entries("dst"), 1);
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

static void rename_many_test(void)
{
    enum { N = 200 };
    char from[32], to[32];
    for (int i = 0; i < N; i++) {
        snprintf(from, sizeof from, "f%d", i);
        fsp_tests_write_file(from, from, strlen(from));
    }
    for (int i = 0; i < N; i++) {
        snprintf(from, sizeof from, "f%d", i);
        snprintf(to, sizeof to, "g%d", i);
        ASSERT(0 == rename(from, to));
    }
    /* a chain of renames over each other: g0 <- g1 <- g2 ... */
    for (int i = 1; i < N; i += 2) {
        snprintf(from, sizeof from, "g%d", i);
        snprintf(to, sizeof to, "g%d", i - 1);
        ASSERT(0 == rename(from, to));
    }
    ASSERT_EQ(fsp_tests_count_entries("."), N / 2);
    DIR *d = opendir(".");
    ASSERT(NULL != d);
    struct dirent *de;
    int bad = 0;
    while ((de = readdir(d))) {
        int i;
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        if (1 != sscanf(de->d_name, "g%d", &i) || i % 2)
            bad++;
    }
    closedir(d);
    ASSERT_EQ(bad, 0);
    for (int i = 0; i < N; i += 2) {
        snprintf(from, sizeof from, "g%d", i);
        snprintf(to, sizeof to, "f%d", i + 1);
        ASSERT_CONTENT(from, to);
    }
}

static void rename_odd_names_test(void)
{
    static const char *const names[] = {"a:b", "q?", "st*r", "<>", "p|pe", "back\\slash", "dq\"",
                                        "caf\xc3\xa9", "sp ace "};
    enum { N = sizeof names / sizeof names[0] };
    fsp_tests_write_file("plain", "odd", 3);
    const char *prev = "plain";
    for (int i = 0; i < N; i++) {
        ASSERT(0 == rename(prev, names[i]));
        ASSERT(fsp_tests_has_entry(".", names[i]));
        ASSERT_EQ(fsp_tests_count_entries("."), 1);
        ASSERT_CONTENT(names[i], "odd");
        prev = names[i];
    }
    ASSERT(0 == mkdir("d:?*", 0755));
    ASSERT(0 == rename(prev, "d:?*/x|y"));
    ASSERT(fsp_tests_has_entry("d:?*", "x|y"));
    ASSERT_CONTENT("d:?*/x|y", "odd");
}

static void rename_ctime_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    ASSERT(0 == rename("file0", "file1"));
    ASSERT(0 == stat("file1", &st));
    /* a rename leaves mtime and atime alone */
    ASSERT_EQ(st.st_mtim.tv_sec, 1000000000);
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
}

/* The cwd lies inside a directory that is renamed: its path follows. */
static void rename_cwd_deep_test(void)
{
    char cwd[PATH_MAX], path[PATH_MAX];
    struct stat st;
    ASSERT(0 == mkdir("d", 0755));
    ASSERT(0 == mkdir("d/e", 0755));
    ASSERT(0 == mkdir("d/e/f", 0755));
    ASSERT(0 == chdir("d/e/f"));
    ASSERT(0 == rename("../../../d", "../../../x"));
    ASSERT(0 == rename("../../e", "../../E"));
    fsp_tests_write_file("inside", "in", 2);
    ASSERT(0 == mkdir("sub", 0755));
    fsp_tests_write_file("sub/deeper", "dd", 2);
    ASSERT(NULL != getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/x/E/f", fsp_tests_dir());
    ASSERT(0 == strcmp(cwd, path));
    ASSERT(0 == chdir(fsp_tests_dir()));
    ASSERT_CONTENT("x/E/f/inside", "in");
    ASSERT_CONTENT("x/E/f/sub/deeper", "dd");
    ASSERT_ERRNO(stat("d", &st), ENOENT);
    if (!fsp_tests_options.case_insensitive)
        ASSERT_ERRNO(stat("x/e", &st), ENOENT);
}

/* Renaming onto a name whose previous file was unlinked but is still open. */
static void rename_onto_unlinked_open_test(void)
{
    char buf[16];
    fsp_tests_write_file("a", "AAAA", 4);
    fsp_tests_write_file("b", "BB", 2);
    int fd = open("b", O_RDWR);
    ASSERT(-1 != fd);
    int r1 = unlink("b");
    int r2 = rename("a", "b");
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    ssize_t w = pwrite(fd, "bb", 2, 0);
    struct stat st;
    int r3 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3);
    ASSERT_EQ(n, 2);
    ASSERT(0 == memcmp(buf, "BB", 2));
    ASSERT_EQ(w, 2);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_CONTENT("b", "AAAA");
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
    /* and the renamed file, opened by its new name, can be unlinked and replaced again */
    fd = open("b", O_RDONLY);
    ASSERT(-1 != fd);
    r1 = rename("b", "c");
    fsp_tests_write_file("b", "new b", 5);
    n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    ASSERT(0 == r1);
    ASSERT_EQ(n, 4);
    ASSERT(0 == memcmp(buf, "AAAA", 4));
    ASSERT_CONTENT("b", "new b");
    ASSERT_CONTENT("c", "AAAA");
}

/* A directory renamed between opendir and readdir: the listing and the attributes it brings
 * along are those of the renamed directory, not of a new one that took its old name. */
static void rename_opendir_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("d", 0755));
    fsp_tests_write_file("d/f", "old", 3);
    ASSERT(0 == chmod("d/f", 0600));
    fsp_tests_write_file("d/only-old", "o", 1);
    DIR *dir = opendir("d");
    ASSERT(NULL != dir);
    int r1 = rename("d", "x");
    int r2 = mkdir("d", 0755);
    int fd = open("d/f", O_RDWR | O_CREAT | O_EXCL, 0640);
    if (-1 != fd) {
        if (10 != write(fd, "0123456789", 10))
            r2 = -1;
        close(fd);
    }
    int r3 = chmod("d/f", 0604);
    int found_f = 0, found_old = 0, others = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (0 == strcmp(de->d_name, "f"))
            found_f++;
        else if (0 == strcmp(de->d_name, "only-old"))
            found_old++;
        else if (0 != strcmp(de->d_name, ".") && 0 != strcmp(de->d_name, ".."))
            others++;
    }
    closedir(dir);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3);
    ASSERT(-1 != fd);
    ASSERT_EQ(found_f, 1);
    ASSERT_EQ(found_old, 1);
    ASSERT_EQ(others, 0);
    ASSERT(0 == stat("x/f", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0600);
    ASSERT_EQ(st.st_size, 3);
    ASSERT(0 == stat("d/f", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0604);
    ASSERT_EQ(st.st_size, 10);
    ASSERT_CONTENT("x/f", "old");
}

#define REN_THREADS 6
#define REN_ROUNDS 100
struct rename_thread_arg {
    int index;
    int failures;
};

/* Each thread moves its own file around two directories; all share the directories. */
static void *rename_thread(void *p)
{
    struct rename_thread_arg *a = p;
    char x[32], y[32], z[32];
    snprintf(x, sizeof x, "d1/t%d", a->index);
    snprintf(y, sizeof y, "d2/t%d", a->index);
    snprintf(z, sizeof z, "d1/u%d", a->index);
    for (int i = 0; i < REN_ROUNDS; i++) {
        struct stat st;
        if (0 != rename(x, y) || 0 != stat(y, &st) || 0 != rename(y, z) || 0 != rename(z, x))
            a->failures++;
        if (0 != stat(x, &st) || 1 != st.st_size)
            a->failures++;
    }
    return NULL;
}

static void rename_threads_test(void)
{
    char name[32];
    ASSERT(0 == mkdir("d1", 0755));
    ASSERT(0 == mkdir("d2", 0755));
    for (int t = 0; t < REN_THREADS; t++) {
        snprintf(name, sizeof name, "d1/t%d", t);
        fsp_tests_write_file(name, "x", 1);
    }
    pthread_t th[REN_THREADS];
    struct rename_thread_arg args[REN_THREADS];
    for (int t = 0; t < REN_THREADS; t++) {
        args[t].index = t;
        args[t].failures = 0;
        ASSERT(0 == pthread_create(&th[t], NULL, rename_thread, &args[t]));
    }
    int failures = 0;
    for (int t = 0; t < REN_THREADS; t++) {
        pthread_join(th[t], NULL);
        failures += args[t].failures;
    }
    ASSERT_EQ(failures, 0);
    ASSERT_EQ(fsp_tests_count_entries("d1"), REN_THREADS);
    ASSERT_EQ(fsp_tests_count_entries("d2"), 0);
    for (int t = 0; t < REN_THREADS; t++) {
        snprintf(name, sizeof name, "d1/t%d", t);
        ASSERT_CONTENT(name, "x");
    }
}

void rename_tests(void)
{
    TLIB_ADD_TEST("rename", rename_file_test);
    TLIB_ADD_TEST("rename", rename_replace_test);
    TLIB_ADD_TEST("rename", rename_dir_test);
    TLIB_ADD_TEST("rename", rename_into_self_test);
    TLIB_ADD_TEST("rename", rename_self_test);
    TLIB_ADD_TEST("rename", rename_errors_test);
    TLIB_ADD_TEST("rename", rename_noreplace_test);
    TLIB_ADD_TEST("rename", rename_exchange_test);
    TLIB_ADD_TEST("rename", rename_subtree_test);
    TLIB_ADD_TEST("rename", rename_across_dirs_test);
    TLIB_ADD_TEST("rename", rename_case_test);
    TLIB_ADD_TEST("rename", rename_cwd_test);
    TLIB_ADD_TEST("rename", rename_cwd_deep_test);
    TLIB_ADD_TEST("rename", rename_onto_unlinked_open_test);
    TLIB_ADD_TEST("rename", rename_opendir_test);
    TLIB_ADD_TEST("rename", rename_threads_test);
    TLIB_ADD_TEST("rename", rename_open_file_test);
    TLIB_ADD_TEST("rename", rename_over_open_dir_test);
    TLIB_ADD_TEST("rename", rename_many_test);
    TLIB_ADD_TEST("rename", rename_odd_names_test);
    TLIB_ADD_TEST("rename", rename_ctime_test);
    TLIB_ADD_TEST("rename", rename_exchange_dirs_test);
    TLIB_ADD_TEST("rename", rename_hardlink_ctime_test);
}
