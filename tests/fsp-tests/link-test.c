/*
 * tests/fsp-tests/link-test.c - hard links (CreateHardLink, a LinFsp extension of the native API):
 * link counts, shared inode and data, unlinking, renaming, errors, open files without names.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static void link_basic_test(void)
{
    struct stat st0, st1, dst;
    fsp_tests_write_file("file0", "hello", 5);
    ASSERT(0 == stat(".", &dst));
    ASSERT(0 == stat("file0", &st0));
    ASSERT_EQ(st0.st_nlink, 1);
    ASSERT(0 == link("file0", "file1"));
    ASSERT(0 == stat("file0", &st0));
    ASSERT(0 == stat("file1", &st1));
    ASSERT_EQ(st0.st_nlink, 2);
    ASSERT_EQ(st1.st_nlink, 2);
    ASSERT_EQ(st0.st_ino, st1.st_ino);
    ASSERT_EQ(st0.st_size, 5);
    ASSERT_EQ(st1.st_size, 5);
    ASSERT_EQ(st0.st_mode, st1.st_mode);
    /* a third name */
    ASSERT(0 == link("file1", "file2"));
    ASSERT(0 == stat("file0", &st0));
    ASSERT_EQ(st0.st_nlink, 3);
    /* the directory's link count does not change with file links */
    ASSERT(0 == stat(".", &st1));
    ASSERT_EQ(st1.st_nlink, dst.st_nlink);
}

static void link_data_test(void)
{
    char buf[32] = {0};
    fsp_tests_write_file("file0", "0123456789", 10);
    ASSERT(0 == link("file0", "file1"));
    /* write via one name, read via the other */
    int fd = open("file1", O_WRONLY);
    ASSERT(-1 != fd);
    ssize_t n = pwrite(fd, "ABC", 3, 2);
    close(fd);
    ASSERT_EQ(n, 3);
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 10);
    ASSERT(0 == memcmp(buf, "01ABC56789", 10));
    /* both names open at once */
    int fd0 = open("file0", O_RDWR);
    int fd1 = open("file1", O_RDWR);
    ssize_t w = fd0 >= 0 ? pwrite(fd0, "xyz", 3, 10) : -1;
    ssize_t r = fd1 >= 0 ? pread(fd1, buf, sizeof buf, 0) : -1;
    int t = fd1 >= 0 ? ftruncate(fd1, 4) : -1;
    struct stat st;
    int s = fd0 >= 0 ? fstat(fd0, &st) : -1;
    if (fd0 >= 0)
        close(fd0);
    if (fd1 >= 0)
        close(fd1);
    ASSERT(fd0 >= 0 && fd1 >= 0);
    ASSERT_EQ(w, 3);
    ASSERT_EQ(r, 13);
    ASSERT(0 == memcmp(buf, "01ABC56789xyz", 13));
    ASSERT_EQ(t, 0);
    ASSERT_EQ(s, 0);
    ASSERT_EQ(st.st_size, 4);
    /* truncating via open(O_TRUNC) on one name */
    fsp_tests_write_file("file1", "new", 3);
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "new", 3));
}

static void link_unlink_test(void)
{
    char buf[8] = {0};
    struct stat st;
    fsp_tests_write_file("file0", "keep", 4);
    ASSERT(0 == link("file0", "file1"));
    ASSERT(0 == unlink("file0"));
    ASSERT_ERRNO(stat("file0", &st), ENOENT);
    ASSERT(0 == stat("file1", &st));
    ASSERT_EQ(st.st_nlink, 1);
    ASSERT_EQ(fsp_tests_read_file("file1", buf, sizeof buf), 4);
    ASSERT(0 == memcmp(buf, "keep", 4));
    /* the freed name can be used for something else, linked again */
    ASSERT(0 == link("file1", "file0"));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT(0 == unlink("file1"));
    ASSERT(0 == unlink("file0"));
    ASSERT_ERRNO(stat("file1", &st), ENOENT);
    ASSERT_ERRNO(link("file0", "file2"), ENOENT);
}

static void link_errors_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("file0", 0, 0);
    fsp_tests_write_file("file1", 0, 0);
    ASSERT_ERRNO(link("dir0", "dir1"), EPERM);
    ASSERT_ERRNO(link("file0", "file1"), EEXIST);
    ASSERT_ERRNO(link("file0", "dir0"), EEXIST);
    ASSERT_ERRNO(link("file0", "file0"), EEXIST);
    ASSERT_ERRNO(link("missing", "file2"), ENOENT);
    ASSERT_ERRNO(link("file0", "nodir/file2"), ENOENT);
    ASSERT_ERRNO(link("file0", "file1/file2"), ENOTDIR);
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_nlink, 1);
    ASSERT(0 == stat("dir0", &st));
    ASSERT(S_ISDIR(st.st_mode));
}

static void link_other_dir_test(void)
{
    char buf[8] = {0};
    struct stat st0, st1;
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == mkdir("dir0/sub", 0755));
    fsp_tests_write_file("file0", "abc", 3);
    ASSERT(0 == link("file0", "dir0/sub/file1"));
    ASSERT(0 == stat("file0", &st0));
    ASSERT(0 == stat("dir0/sub/file1", &st1));
    ASSERT_EQ(st0.st_ino, st1.st_ino);
    ASSERT_EQ(st1.st_nlink, 2);
    ASSERT_EQ(fsp_tests_read_file("dir0/sub/file1", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "abc", 3));
    /* renaming the directory keeps the link */
    ASSERT(0 == rename("dir0", "dir1"));
    ASSERT(0 == stat("dir1/sub/file1", &st1));
    ASSERT_EQ(st1.st_ino, st0.st_ino);
    ASSERT_EQ(st1.st_nlink, 2);
    /* a directory holding a link cannot be removed while not empty; after unlinking it can */
    ASSERT_ERRNO(rmdir("dir1/sub"), ENOTEMPTY);
    ASSERT(0 == unlink("dir1/sub/file1"));
    ASSERT(0 == rmdir("dir1/sub"));
    ASSERT(0 == stat("file0", &st0));
    ASSERT_EQ(st0.st_nlink, 1);
}

static void link_rename_test(void)
{
    char buf[8] = {0};
    struct stat st0, st1;
    fsp_tests_write_file("file0", "r", 1);
    ASSERT(0 == link("file0", "file1"));
    ASSERT(0 == rename("file1", "file2"));
    ASSERT_ERRNO(stat("file1", &st1), ENOENT);
    ASSERT(0 == stat("file0", &st0));
    ASSERT(0 == stat("file2", &st1));
    ASSERT_EQ(st0.st_ino, st1.st_ino);
    ASSERT_EQ(st0.st_nlink, 2);
    ASSERT_EQ(st1.st_nlink, 2);
    ASSERT_EQ(fsp_tests_read_file("file2", buf, sizeof buf), 1);
    /* renaming one name onto the other is a no-op: both stay */
    ASSERT(0 == rename("file0", "file2"));
    ASSERT(0 == stat("file0", &st0));
    ASSERT(0 == stat("file2", &st1));
    ASSERT_EQ(st0.st_nlink, 2);
    /* renaming another file over one name drops that name only */
    fsp_tests_write_file("other", "ooo", 3);
    ASSERT(0 == rename("other", "file2"));
    ASSERT(0 == stat("file0", &st0));
    ASSERT_EQ(st0.st_nlink, 1);
    ASSERT(0 == stat("file2", &st1));
    ASSERT(st0.st_ino != st1.st_ino);
    ASSERT_EQ(st1.st_size, 3);
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 'r');
}

static void link_attr_shared_test(void)
{
    struct stat st;
    char buf[8];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == link("file0", "file1"));
    ASSERT(0 == chmod("file0", 0640));
    ASSERT(0 == stat("file1", &st));
    ASSERT_EQ(st.st_mode & 07777, 0640);
    ASSERT(0 == chown("file1", 1234, 5678));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 1234);
    ASSERT_EQ(st.st_gid, 5678);
    struct timespec ts[2] = {{1000000, 0}, {2000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file1", ts, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_mtime, 2000000);
    ASSERT_EQ(st.st_atime, 1000000);
    ASSERT(0 == setxattr("file0", "user.shared", "s", 1, 0));
    ASSERT_EQ(getxattr("file1", "user.shared", buf, sizeof buf), 1);
    /* link(2) changes the ctime, visible via both names */
    ASSERT(0 == stat("file0", &st));
    struct stat st2;
    ASSERT(0 == link("file1", "file2"));
    ASSERT(0 == stat("file0", &st2));
    ASSERT(st2.st_ctim.tv_sec > st.st_ctim.tv_sec ||
           (st2.st_ctim.tv_sec == st.st_ctim.tv_sec && st2.st_ctim.tv_nsec >= st.st_ctim.tv_nsec));
}

static void link_open_unlinked_test(void)
{
    char buf[16] = {0};
    fsp_tests_write_file("file0", "alive", 5);
    ASSERT(0 == link("file0", "file1"));
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    int u0 = unlink("file0");
    int u1 = unlink("file1");
    struct stat st;
    int s = fstat(fd, &st);
    ssize_t w = pwrite(fd, "!", 1, 5);
    ssize_t r = pread(fd, buf, sizeof buf, 0);
    close(fd);
    ASSERT_EQ(u0, 0);
    ASSERT_EQ(u1, 0);
    ASSERT_EQ(s, 0);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(w, 1);
    ASSERT_EQ(r, 6);
    ASSERT(0 == memcmp(buf, "alive!", 6));
    ASSERT_ERRNO(stat("file0", &st), ENOENT);
    ASSERT_ERRNO(stat("file1", &st), ENOENT);
}

/*
 * One file is one inode: what is written through a descriptor (and may still sit in the page
 * cache) is there through a name made later, and a size changed through one name is the size
 * seen through the descriptor of another.
 */
static void link_same_inode_test(void)
{
    char buf[16] = {0};
    struct stat a, b;
    int fd = open("file0", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    ssize_t w = write(fd, "cached", 6);
    int l = link("file0", "file1");
    size_t n1 = 0 == l ? fsp_tests_read_file("file1", buf, sizeof buf) : 0;
    int s1 = fstat(fd, &a), s2 = stat("file1", &b);
    ssize_t w2 = pwrite(fd, "C", 1, 0);
    char buf2[16] = {0};
    size_t n2 = fsp_tests_read_file("file1", buf2, sizeof buf2);
    int t = truncate("file1", 3);
    struct stat c;
    int s3 = fstat(fd, &c);
    close(fd);
    ASSERT_EQ(w, 6);
    ASSERT_EQ(l, 0);
    ASSERT_EQ(n1, 6);
    ASSERT(0 == memcmp(buf, "cached", 6));
    ASSERT(0 == s1 && 0 == s2);
    ASSERT_EQ(a.st_ino, b.st_ino);
    ASSERT_EQ(a.st_nlink, 2);
    ASSERT_EQ(b.st_nlink, 2);
    ASSERT_EQ(a.st_size, 6);
    ASSERT_EQ(b.st_size, 6);
    ASSERT_EQ(w2, 1);
    ASSERT_EQ(n2, 6);
    ASSERT(0 == memcmp(buf2, "Cached", 6));
    ASSERT_EQ(t, 0);
    ASSERT_EQ(s3, 0);
    ASSERT_EQ(c.st_size, 3);
    /* the first name gone, the file lives on under the second */
    ASSERT(0 == unlink("file0"));
    ASSERT(0 == stat("file1", &b));
    ASSERT_EQ(b.st_nlink, 1);
    ASSERT_EQ(b.st_ino, a.st_ino);
    ASSERT(0 == rename("file1", "file2"));
    ASSERT_EQ(fsp_tests_read_file("file2", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "Cac", 3));
}

static void link_symlink_test(void)
{
    /* link(2) does not follow a symlink: the new name is another link to the symlink */
    struct stat st;
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == symlink("file0", "sym0"));
    ASSERT(0 == link("sym0", "sym1"));
    ASSERT(0 == lstat("sym1", &st));
    ASSERT(S_ISLNK(st.st_mode));
    ASSERT_EQ(st.st_nlink, 2);
    char buf[8] = {0};
    ASSERT_EQ(readlink("sym1", buf, sizeof buf), 5);
    ASSERT(0 == memcmp(buf, "file0", 5));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_nlink, 1);
    /* linkat AT_SYMLINK_FOLLOW links the target */
    ASSERT(0 == linkat(AT_FDCWD, "sym0", AT_FDCWD, "file1", AT_SYMLINK_FOLLOW));
    ASSERT(0 == lstat("file1", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_nlink, 2);
}

static void link_many_test(void)
{
    char name[32];
    struct stat st;
    fsp_tests_write_file("file0", 0, 0);
    for (int i = 1; i <= 100; i++) {
        snprintf(name, sizeof name, "l%d", i);
        ASSERT(0 == link("file0", name));
    }
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_nlink, 101);
    for (int i = 1; i <= 100; i += 2) {
        snprintf(name, sizeof name, "l%d", i);
        ASSERT(0 == unlink(name));
    }
    ASSERT(0 == stat("l100", &st));
    ASSERT_EQ(st.st_nlink, 51);
}

void link_tests(void)
{
    TLIB_ADD_TEST("link", link_basic_test);
    TLIB_ADD_TEST("link", link_data_test);
    TLIB_ADD_TEST("link", link_unlink_test);
    TLIB_ADD_TEST("link", link_errors_test);
    TLIB_ADD_TEST("link", link_other_dir_test);
    TLIB_ADD_TEST("link", link_rename_test);
    TLIB_ADD_TEST("link", link_attr_shared_test);
    TLIB_ADD_TEST("link", link_open_unlinked_test);
    TLIB_ADD_TEST("link", link_same_inode_test);
    TLIB_ADD_TEST("link", link_symlink_test);
    TLIB_ADD_TEST("link", link_many_test);
}
