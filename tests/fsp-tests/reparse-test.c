/*
 * tests/fsp-tests/reparse-test.c - symbolic links (IO_REPARSE_TAG_SYMLINK reparse points on LinFsp):
 * symlink/readlink round trips, lstat, targets up to PATH_MAX - 1 bytes, following, dangling
 * links, loops, O_NOFOLLOW, a symlink's own times, rename, unlink.
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* symlink(target, name), then check readlink and lstat. */
static void check_symlink(const char *target, const char *name)
{
    static char buf[PATH_MAX + 1];
    ASSERT(0 == symlink(target, name));
    memset(buf, 0, sizeof buf);
    ssize_t n = readlink(name, buf, sizeof buf);
    ASSERT_EQ(n, strlen(target));
    ASSERT(0 == memcmp(buf, target, (size_t)n));
    struct stat st;
    ASSERT(0 == lstat(name, &st));
    ASSERT(S_ISLNK(st.st_mode));
    ASSERT_EQ(st.st_size, strlen(target));
    ASSERT_EQ(st.st_nlink, 1);
}

static void reparse_symlink_relative_test(void)
{
    fsp_tests_write_file("file0", "hello", 5);
    check_symlink("file0", "link0");
    ASSERT(0 == mkdir("dir1", 0755));
    check_symlink("../file0", "dir1/link1");
    check_symlink("./dir1/../file0", "link2");
    check_symlink("no/such/thing", "link3");
    check_symlink("a", "link4");
    char buf[8] = {0};
    ASSERT_EQ(fsp_tests_read_file("dir1/link1", buf, sizeof buf), 5);
    ASSERT(0 == memcmp(buf, "hello", 5));
    ASSERT_EQ(fsp_tests_read_file("link2", buf, sizeof buf), 5);
}

static void reparse_symlink_absolute_test(void)
{
    static char target[PATH_MAX + 64];
    fsp_tests_write_file("file0", "abc", 3);
    snprintf(target, sizeof target, "%s/file0", fsp_tests_dir());
    check_symlink(target, "link0");
    char buf[8] = {0};
    ASSERT_EQ(fsp_tests_read_file("link0", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "abc", 3));
    /* A target outside the file system. */
    check_symlink("/etc/passwd", "link1");
    check_symlink("/", "link2");
    struct stat st;
    ASSERT(0 == stat("link2", &st));
    ASSERT(S_ISDIR(st.st_mode));
}

static void reparse_symlink_long_test(void)
{
    static char target[4001];
    for (int i = 0; i < 4000; i++)
        target[i] = (i % 100) == 99 ? '/' : 'a' + i % 26;
    target[4000] = 0;
    check_symlink(target, "link0");
    ASSERT(0 == unlink("link0"));
    /* A long target that resolves: many "./" components. */
    for (int i = 0; i < 1990; i++)
        memcpy(target + 2 * i, "./", 2);
    memcpy(target + 3980, "file0", 6);
    fsp_tests_write_file("file0", "x", 1);
    check_symlink(target, "link1");
    char buf[4] = {0};
    ASSERT_EQ(fsp_tests_read_file("link1", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 'x');
}

/* Targets up to PATH_MAX - 1 = 4095 bytes (ASCII and multi-byte UTF-8), as tmpfs and libfuse. */
static void reparse_symlink_max_test(void)
{
    static char target[PATH_MAX + 2];
    memset(target, 'm', PATH_MAX - 1);
    target[PATH_MAX - 1] = 0;
    check_symlink(target, "link0");
    /* 2047 two-byte characters and one more byte: 4095 bytes, 2048 characters */
    for (int i = 0; i < 2047; i++)
        memcpy(target + 2 * i, "\xc3\xa9", 2);
    target[4094] = 'x';
    target[4095] = 0;
    check_symlink(target, "link1");
    /* One byte more is the kernel's ENAMETOOLONG, on every file system. */
    memset(target, 'n', PATH_MAX);
    target[PATH_MAX] = 0;
    ASSERT_ERRNO(symlink(target, "link2"), ENAMETOOLONG);
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
}

/*
 * utimensat(AT_SYMLINK_NOFOLLOW) sets a symlink's own times, exactly, and nothing changes them
 * afterwards (pjdfstest utimensat/05). An access time older than the modification time would
 * be moved on by any read of the target (relatime): a file system must not read it after
 * setting the times, as LinFsp's FUSE layer once did for the reply's size.
 */
static void reparse_symlink_utimens_test(void)
{
    fsp_tests_write_file("file0", "data", 4);
    ASSERT(0 == symlink("file0", "link0"));
    struct timespec ts[2] = {{1000000000, 111111100}, {1300000000, 222222200}};
    ASSERT(0 == utimensat(AT_FDCWD, "link0", ts, AT_SYMLINK_NOFOLLOW));
    /* the file system's own answer, asked right after (not the kernel's cache); the times are
     * whole 100 ns units, so that file systems that keep FILETIME's ticks only answer the same */
    struct statx sx;
    ASSERT(0 == statx(AT_FDCWD, "link0", AT_SYMLINK_NOFOLLOW | AT_STATX_FORCE_SYNC,
                      STATX_BASIC_STATS, &sx));
    ASSERT(S_ISLNK(sx.stx_mode));
    ASSERT_EQ(sx.stx_atime.tv_sec, 1000000000);
    ASSERT_EQ(sx.stx_atime.tv_nsec, 111111100);
    ASSERT_EQ(sx.stx_mtime.tv_sec, 1300000000);
    ASSERT_EQ(sx.stx_mtime.tv_nsec, 222222200);
    ASSERT_EQ(sx.stx_size, 5);
    /* the target keeps its own times */
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT(st.st_mtim.tv_sec != 1300000000);
}

static void reparse_symlink_odd_target_test(void)
{
    static const char *targets[] = {
        "a b", "a\\b", "c:d", "*?", "\"<>|", "tab\there", "\x01\x1f", "caf\xc3\xa9/\xe2\x82\xac",
        "trailing.", "trailing ", "a//b", "dir/", "..", ".", "...", ":stream:$DATA", "x\xf0\x9f\x98\x80y",
    };
    char name[32];
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        snprintf(name, sizeof name, "link%zu", i);
        check_symlink(targets[i], name);
    }
    /* A link whose target has odd characters resolves to the file of that name. */
    fsp_tests_write_file("a\\b:c*d?", "odd", 3);
    check_symlink("a\\b:c*d?", "linkodd");
    char buf[4] = {0};
    ASSERT_EQ(fsp_tests_read_file("linkodd", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "odd", 3));
}

static void reparse_symlink_follow_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file1", "12345678", 8);
    ASSERT(0 == symlink("dir0", "dlink"));
    ASSERT(0 == symlink("dir0/file1", "flink"));
    ASSERT(0 == symlink("flink", "flink2")); /* a link to a link */

    struct stat st, lst;
    ASSERT(0 == stat("dlink", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT(0 == lstat("dlink", &lst));
    ASSERT(S_ISLNK(lst.st_mode));
    ASSERT(st.st_ino != lst.st_ino);
    ASSERT(0 == stat("dlink/file1", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_size, 8);
    ASSERT(0 == stat("flink2", &lst));
    ASSERT_EQ(lst.st_ino, st.st_ino);

    /* Writing through a link writes the target. */
    int fd = open("flink2", O_WRONLY | O_APPEND);
    ASSERT(-1 != fd);
    ssize_t n = write(fd, "9", 1);
    close(fd);
    ASSERT_EQ(n, 1);
    char buf[16] = {0};
    ASSERT_EQ(fsp_tests_read_file("dir0/file1", buf, sizeof buf), 9);
    ASSERT(0 == memcmp(buf, "123456789", 9));

    /* Creating through a link to a directory. */
    fsp_tests_write_file("dlink/file2", "z", 1);
    ASSERT(0 == stat("dir0/file2", &st));
    ASSERT(0 == mkdir("dlink/sub", 0755));
    ASSERT(0 == stat("dir0/sub", &st));
    ASSERT(S_ISDIR(st.st_mode));

    /* A link to a directory is not a directory for rmdir, and unlinking it keeps the directory. */
    ASSERT_ERRNO(rmdir("dlink"), ENOTDIR);
    ASSERT(0 == unlink("dlink"));
    ASSERT(0 == stat("dir0/file2", &st));
    ASSERT_ERRNO(lstat("dlink", &st), ENOENT);
}

static void reparse_symlink_dangling_test(void)
{
    ASSERT(0 == symlink("missing", "link0"));
    struct stat st;
    ASSERT(0 == lstat("link0", &st));
    ASSERT(S_ISLNK(st.st_mode));
    ASSERT_ERRNO(stat("link0", &st), ENOENT);
    ASSERT_ERRNO(open("link0", O_RDONLY), ENOENT);
    ASSERT_ERRNO(open("link0", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    ASSERT_ERRNO(lstat("missing", &st), ENOENT);

    /* open(O_CREAT) through a dangling link creates the target. */
    int fd = open("link0", O_CREAT | O_WRONLY, 0644);
    ASSERT(-1 != fd);
    ssize_t n = write(fd, "made", 4);
    close(fd);
    ASSERT_EQ(n, 4);
    ASSERT(0 == lstat("missing", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_size, 4);
    ASSERT(0 == stat("link0", &st));
    ASSERT(S_ISREG(st.st_mode));

    /* Removing the target makes the link dangle again. */
    ASSERT(0 == unlink("missing"));
    ASSERT_ERRNO(stat("link0", &st), ENOENT);
    ASSERT(0 == lstat("link0", &st));

    /* A dangling link through a missing directory. */
    ASSERT(0 == symlink("nodir/file", "link1"));
    ASSERT_ERRNO(open("link1", O_CREAT | O_WRONLY, 0644), ENOENT);
}

static void reparse_symlink_loop_test(void)
{
    ASSERT(0 == symlink("loop1", "loop0"));
    ASSERT(0 == symlink("loop0", "loop1"));
    ASSERT(0 == symlink("self", "self"));
    struct stat st;
    ASSERT_ERRNO(stat("loop0", &st), ELOOP);
    ASSERT_ERRNO(open("loop1", O_RDONLY), ELOOP);
    ASSERT_ERRNO(open("self", O_CREAT | O_WRONLY, 0644), ELOOP);
    ASSERT_ERRNO(stat("self/x", &st), ELOOP);
    ASSERT(0 == lstat("loop0", &st));
    ASSERT(S_ISLNK(st.st_mode));

    /* A chain of 41 links exceeds the kernel's limit of 40. */
    char name[32], target[32];
    fsp_tests_write_file("end", 0, 0);
    ASSERT(0 == symlink("end", "chain0"));
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof name, "chain%d", i);
        snprintf(target, sizeof target, "chain%d", i - 1);
        ASSERT(0 == symlink(target, name));
    }
    ASSERT(0 == stat("chain39", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_ERRNO(stat("chain40", &st), ELOOP);
}

static void reparse_symlink_nofollow_test(void)
{
    fsp_tests_write_file("file0", "data", 4);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == symlink("file0", "link0"));
    ASSERT(0 == symlink("dir0", "link1"));
    ASSERT_ERRNO(open("link0", O_RDONLY | O_NOFOLLOW), ELOOP);
    ASSERT_ERRNO(open("link0", O_WRONLY | O_NOFOLLOW), ELOOP);
    ASSERT_ERRNO(open("link1", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
    ASSERT_ERRNO(open("link1", O_RDONLY | O_NOFOLLOW), ELOOP);

    /* O_PATH|O_NOFOLLOW opens the link itself. */
    int fd = open("link0", O_PATH | O_NOFOLLOW);
    ASSERT(-1 != fd);
    struct stat st;
    int r = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r);
    ASSERT(S_ISLNK(st.st_mode));

    /* O_NOFOLLOW applies to the last component only. */
    fsp_tests_write_file("dir0/file1", 0, 0);
    fd = open("link1/file1", O_RDONLY | O_NOFOLLOW);
    ASSERT(-1 != fd);
    close(fd);

    /* fchmodat AT_SYMLINK_NOFOLLOW and lchown on the link leave the target alone. */
    ASSERT(0 == lchown("link0", 0, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_mode & 07777, 0644);
}

static void reparse_symlink_rename_unlink_test(void)
{
    fsp_tests_write_file("file0", "data", 4);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == symlink("file0", "link0"));
    ASSERT(0 == rename("link0", "link1"));
    struct stat st;
    ASSERT_ERRNO(lstat("link0", &st), ENOENT);
    ASSERT(0 == lstat("link1", &st));
    ASSERT(S_ISLNK(st.st_mode));
    char buf[16] = {0};
    ASSERT_EQ(readlink("link1", buf, sizeof buf), 5);
    ASSERT(0 == memcmp(buf, "file0", 5));
    ASSERT_EQ(fsp_tests_read_file("link1", buf, sizeof buf), 4);

    /* Moved into a subdirectory the relative target no longer resolves; the text is unchanged. */
    ASSERT(0 == rename("link1", "dir0/link2"));
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(readlink("dir0/link2", buf, sizeof buf), 5);
    ASSERT(0 == memcmp(buf, "file0", 5));
    ASSERT_ERRNO(stat("dir0/link2", &st), ENOENT);

    /* Renaming a link over a file replaces the file, not the link's target. */
    ASSERT(0 == symlink("../file0", "dir0/link3"));
    fsp_tests_write_file("victim", "v", 1);
    ASSERT(0 == rename("dir0/link3", "victim"));
    ASSERT(0 == lstat("victim", &st));
    ASSERT(S_ISLNK(st.st_mode));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 4);

    /* Renaming a file over a link replaces the link. */
    fsp_tests_write_file("file2", "22", 2);
    ASSERT(0 == symlink("file0", "link4"));
    ASSERT(0 == rename("file2", "link4"));
    ASSERT(0 == lstat("link4", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_size, 2);

    /* unlink removes the link only. */
    ASSERT(0 == unlink("victim"));
    ASSERT(0 == unlink("dir0/link2"));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 4);
    ASSERT(0 == rmdir("dir0"));
}

static void reparse_symlink_exists_test(void)
{
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == symlink("file0", "link0"));
    ASSERT(0 == symlink("missing", "dangling"));
    ASSERT_ERRNO(symlink("x", "file0"), EEXIST);
    ASSERT_ERRNO(symlink("x", "dir0"), EEXIST);
    ASSERT_ERRNO(symlink("x", "link0"), EEXIST);
    ASSERT_ERRNO(symlink("x", "dangling"), EEXIST);
    ASSERT_ERRNO(symlink("x", "nodir/link"), ENOENT);
    ASSERT_ERRNO(symlink("x", "file0/link"), ENOTDIR);
    ASSERT_ERRNO(mkdir("link0", 0755), EEXIST);
    ASSERT_ERRNO(mkdir("dangling", 0755), EEXIST);
    char buf[16];
    ASSERT_ERRNO(readlink("file0", buf, sizeof buf), EINVAL);
    ASSERT_ERRNO(readlink("dir0", buf, sizeof buf), EINVAL);
    ASSERT_ERRNO(readlink("missing", buf, sizeof buf), ENOENT);
    /* A short buffer truncates silently. */
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(readlink("dangling", buf, 3), 3);
    ASSERT(0 == memcmp(buf, "mis", 3));
}

static void reparse_symlink_readdir_test(void)
{
    /* A symlink is listed with its own name and DT_LNK, not its target's type. */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == symlink("dir0", "link0"));
    DIR *d = opendir(".");
    ASSERT(d);
    int found = 0, type = -1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (0 == strcmp(e->d_name, "link0"))
            found++, type = e->d_type;
    closedir(d);
    ASSERT_EQ(found, 1);
    ASSERT(DT_LNK == type || DT_UNKNOWN == type);
    struct stat st;
    ASSERT(0 == fstatat(AT_FDCWD, "link0", &st, AT_SYMLINK_NOFOLLOW));
    ASSERT(S_ISLNK(st.st_mode));
    ASSERT(st.st_mtime > 0);
}

void reparse_tests(void)
{
    TLIB_ADD_TEST("reparse", reparse_symlink_relative_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_absolute_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_long_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_max_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_utimens_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_odd_target_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_follow_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_dangling_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_loop_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_nofollow_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_rename_unlink_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_exists_test);
    TLIB_ADD_TEST("reparse", reparse_symlink_readdir_test);
}
