/*
 * tests/fsp-tests/xattr-test.c - extended attributes (WinFsp EAs on LinFsp): set/get/list/remove,
 * XATTR_CREATE/XATTR_REPLACE, size queries, ERANGE, binary and large values, many attributes,
 * directories, rename, symlinks and access checks.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Count of names in a listxattr buffer equal to name. */
static int list_count(const char *list, ssize_t len, const char *name)
{
    int n = 0;
    for (const char *p = list; p < list + len; p += strlen(p) + 1)
        n += 0 == strcmp(p, name);
    return n;
}

static void xattr_basic_test(void)
{
    char buf[256];
    fsp_tests_write_file("file0", "data", 4);
    ASSERT(0 == setxattr("file0", "user.color", "blue", 4, 0));
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(getxattr("file0", "user.color", buf, sizeof buf), 4);
    ASSERT(0 == memcmp(buf, "blue", 4));

    /* Overwrite with a longer and then a shorter value. */
    ASSERT(0 == setxattr("file0", "user.color", "turquoise", 9, 0));
    ASSERT_EQ(getxattr("file0", "user.color", buf, sizeof buf), 9);
    ASSERT(0 == memcmp(buf, "turquoise", 9));
    ASSERT(0 == setxattr("file0", "user.color", "red", 3, 0));
    ASSERT_EQ(getxattr("file0", "user.color", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "red", 3));

    ASSERT(0 == setxattr("file0", "user.Color", "RED", 3, 0)); /* names are case sensitive */
    ASSERT_EQ(getxattr("file0", "user.color", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "red", 3));
    ASSERT_EQ(getxattr("file0", "user.Color", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "RED", 3));

    ssize_t len = listxattr("file0", buf, sizeof buf);
    ASSERT(len > 0);
    ASSERT_EQ(list_count(buf, len, "user.color"), 1);
    ASSERT_EQ(list_count(buf, len, "user.Color"), 1);

    ASSERT(0 == removexattr("file0", "user.color"));
    ASSERT_ERRNO(getxattr("file0", "user.color", buf, sizeof buf), ENODATA);
    ASSERT_ERRNO(removexattr("file0", "user.color"), ENODATA);
    len = listxattr("file0", buf, sizeof buf);
    ASSERT_EQ(list_count(buf, len, "user.color"), 0);
    ASSERT_EQ(list_count(buf, len, "user.Color"), 1);

    /* Setting xattrs leaves the data alone. */
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 4);
    ASSERT(0 == memcmp(buf, "data", 4));
}

static void xattr_flags_test(void)
{
    char buf[16];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT_ERRNO(setxattr("file0", "user.a", "1", 1, XATTR_REPLACE), ENODATA);
    ASSERT_ERRNO(getxattr("file0", "user.a", buf, sizeof buf), ENODATA);
    ASSERT(0 == setxattr("file0", "user.a", "1", 1, XATTR_CREATE));
    ASSERT_ERRNO(setxattr("file0", "user.a", "2", 1, XATTR_CREATE), EEXIST);
    ASSERT_EQ(getxattr("file0", "user.a", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], '1');
    ASSERT(0 == setxattr("file0", "user.a", "33", 2, XATTR_REPLACE));
    ASSERT_EQ(getxattr("file0", "user.a", buf, sizeof buf), 2);
    ASSERT(0 == memcmp(buf, "33", 2));
    ASSERT(0 == removexattr("file0", "user.a"));
    ASSERT_ERRNO(setxattr("file0", "user.a", "4", 1, XATTR_REPLACE), ENODATA);
    ASSERT(0 == setxattr("file0", "user.a", "5", 1, XATTR_CREATE));
}

static void xattr_missing_test(void)
{
    char buf[16];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT_ERRNO(getxattr("file0", "user.none", buf, sizeof buf), ENODATA);
    ASSERT_ERRNO(getxattr("file0", "user.none", 0, 0), ENODATA);
    ASSERT_ERRNO(removexattr("file0", "user.none"), ENODATA);
    ASSERT_EQ(listxattr("file0", buf, sizeof buf), 0);
    ASSERT_EQ(listxattr("file0", 0, 0), 0);
    ASSERT_ERRNO(getxattr("nofile", "user.none", buf, sizeof buf), ENOENT);
    ASSERT_ERRNO(setxattr("nofile", "user.none", "x", 1, 0), ENOENT);
    ASSERT_ERRNO(listxattr("nofile", buf, sizeof buf), ENOENT);
}

static void xattr_size_test(void)
{
    char buf[64];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == setxattr("file0", "user.k", "0123456789", 10, 0));
    ASSERT(0 == setxattr("file0", "user.kk", "x", 1, 0));
    /* size 0 asks for the size */
    ASSERT_EQ(getxattr("file0", "user.k", 0, 0), 10);
    ASSERT_EQ(listxattr("file0", 0, 0), 7 + 8);
    /* too small a buffer: ERANGE */
    ASSERT_ERRNO(getxattr("file0", "user.k", buf, 9), ERANGE);
    ASSERT_ERRNO(getxattr("file0", "user.k", buf, 1), ERANGE);
    ASSERT_ERRNO(listxattr("file0", buf, 14), ERANGE);
    ASSERT_ERRNO(listxattr("file0", buf, 1), ERANGE);
    /* exact sizes work */
    ASSERT_EQ(getxattr("file0", "user.k", buf, 10), 10);
    ASSERT(0 == memcmp(buf, "0123456789", 10));
    ASSERT_EQ(listxattr("file0", buf, 15), 15);
    ASSERT_EQ(list_count(buf, 15, "user.k"), 1);
    ASSERT_EQ(list_count(buf, 15, "user.kk"), 1);
}

static void xattr_binary_test(void)
{
    unsigned char value[256], buf[256];
    for (int i = 0; i < 256; i++)
        value[i] = (unsigned char)(255 - i);
    value[0] = 0, value[100] = 0, value[255] = 0;
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == setxattr("file0", "user.bin", value, sizeof value, 0));
    memset(buf, 0xaa, sizeof buf);
    ASSERT_EQ(getxattr("file0", "user.bin", buf, sizeof buf), 256);
    ASSERT(0 == memcmp(buf, value, sizeof value));
    /* A single NUL byte is a value of length 1. */
    ASSERT(0 == setxattr("file0", "user.nul", "", 1, 0));
    ASSERT_EQ(getxattr("file0", "user.nul", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 0);
    /* Name characters outside ASCII. */
    ASSERT(0 == setxattr("file0", "user.caf\xc3\xa9 x:y", "u", 1, 0));
    ASSERT_EQ(getxattr("file0", "user.caf\xc3\xa9 x:y", buf, sizeof buf), 1);
    char list[256];
    ssize_t len = listxattr("file0", list, sizeof list);
    ASSERT_EQ(list_count(list, len, "user.caf\xc3\xa9 x:y"), 1);
}

/* Empty values are values (Linux allows them; LinFsp's extension VolumeParams.EmptyEaValues). */
static void xattr_empty_value_test(void)
{
    char buf[16];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == setxattr("file0", "user.empty", "", 0, 0));
    ASSERT_EQ(getxattr("file0", "user.empty", buf, sizeof buf), 0);
    ASSERT_EQ(getxattr("file0", "user.empty", 0, 0), 0);
    ASSERT_EQ(listxattr("file0", buf, sizeof buf), 11);
    ASSERT(0 == memcmp(buf, "user.empty", 11));
    /* it exists: XATTR_CREATE fails, XATTR_REPLACE works */
    ASSERT_ERRNO(setxattr("file0", "user.empty", "", 0, XATTR_CREATE), EEXIST);
    ASSERT(0 == setxattr("file0", "user.empty", "v", 1, XATTR_REPLACE));
    ASSERT_EQ(getxattr("file0", "user.empty", buf, sizeof buf), 1);
    ASSERT(0 == setxattr("file0", "user.empty", "", 0, XATTR_REPLACE));
    ASSERT_EQ(getxattr("file0", "user.empty", buf, sizeof buf), 0);
    ASSERT(0 == removexattr("file0", "user.empty"));
    ASSERT_ERRNO(getxattr("file0", "user.empty", buf, sizeof buf), ENODATA);
    ASSERT_EQ(listxattr("file0", buf, sizeof buf), 0);
    /* on a directory too */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == setxattr("dir0", "user.e", "", 0, XATTR_CREATE));
    ASSERT_EQ(getxattr("dir0", "user.e", buf, sizeof buf), 0);
}

/* Names in namespaces Linux file systems do not have are not supported (tmpfs: EOPNOTSUPP). */
static void xattr_namespace_test(void)
{
    char buf[16];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT_ERRNO(setxattr("file0", "foo.bar", "v", 1, 0), EOPNOTSUPP);
    ASSERT_ERRNO(getxattr("file0", "foo.bar", buf, sizeof buf), EOPNOTSUPP);
    ASSERT_ERRNO(removexattr("file0", "foo.bar"), EOPNOTSUPP);
    ASSERT_ERRNO(setxattr("file0", "noprefix", "v", 1, 0), EOPNOTSUPP);
    ASSERT_ERRNO(setxattr("file0", "User.x", "v", 1, 0), EOPNOTSUPP);
    ASSERT_EQ(listxattr("file0", buf, sizeof buf), 0);
    ASSERT(0 == setxattr("file0", "user.ok", "v", 1, 0));
    ASSERT_EQ(listxattr("file0", buf, sizeof buf), 8);
}

static void xattr_large_test(void)
{
    /* 65535 bytes: the largest EA value (EaValueLength is 16 bits); tmpfs takes up to 65536. */
    static unsigned char value[65537], buf[65537];
    for (size_t i = 0; i < sizeof value; i++)
        value[i] = (unsigned char)(i * 7 + i / 251);
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == setxattr("file0", "user.big", value, 65535, 0));
    ASSERT_EQ(getxattr("file0", "user.big", 0, 0), 65535);
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(getxattr("file0", "user.big", buf, sizeof buf), 65535);
    ASSERT(0 == memcmp(buf, value, 65535));
    ASSERT(0 == setxattr("file0", "user.big2", value + 1, 40000, 0));
    ASSERT_EQ(getxattr("file0", "user.big", buf, sizeof buf), 65535);
    ASSERT(0 == memcmp(buf, value, 65535));
    ASSERT_EQ(getxattr("file0", "user.big2", buf, sizeof buf), 40000);
    ASSERT(0 == memcmp(buf, value + 1, 40000));
    /* Beyond XATTR_SIZE_MAX the kernel refuses. */
    ASSERT_ERRNO(setxattr("file0", "user.huge", value, 65537, 0), E2BIG);
    if (fsp_tests_linfsp()) /* LinFsp: EA values are at most 65535 bytes */
        ASSERT_ERRNO(setxattr("file0", "user.huge", value, 65536, 0), E2BIG);
    ASSERT_ERRNO(getxattr("file0", "user.huge", 0, 0), ENODATA);

    /* Names up to 255 bytes. */
    char name[300];
    memset(name, 'n', sizeof name);
    memcpy(name, "user.", 5);
    name[255] = 0;
    ASSERT(0 == setxattr("file0", name, "v", 1, 0));
    ASSERT_EQ(getxattr("file0", name, buf, 16), 1);
    name[255] = 'n', name[256] = 0;
    ASSERT_ERRNO(setxattr("file0", name, "v", 1, 0), ERANGE);
    ASSERT_ERRNO(getxattr("file0", name, buf, 16), ERANGE);
}

static void xattr_many_test(void)
{
    enum { N = 200 };
    static char list[N * 32];
    char name[32], value[32], buf[32];
    fsp_tests_write_file("file0", 0, 0);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "user.attr%03d", i);
        int vl = snprintf(value, sizeof value, "value-%d", i * i);
        ASSERT(0 == setxattr("file0", name, value, (size_t)vl, XATTR_CREATE));
    }
    ssize_t len = listxattr("file0", list, sizeof list);
    ASSERT_EQ(len, N * 13);
    ASSERT_EQ(listxattr("file0", 0, 0), len);
    int names = 0;
    for (const char *p = list; p < list + len; p += strlen(p) + 1)
        names++;
    ASSERT_EQ(names, N);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "user.attr%03d", i);
        ASSERT_EQ(list_count(list, len, name), 1);
        int vl = snprintf(value, sizeof value, "value-%d", i * i);
        ASSERT_EQ(getxattr("file0", name, buf, sizeof buf), vl);
        ASSERT(0 == memcmp(buf, value, (size_t)vl));
    }
    /* Remove the odd ones; the even ones stay, exactly. */
    for (int i = 1; i < N; i += 2) {
        snprintf(name, sizeof name, "user.attr%03d", i);
        ASSERT(0 == removexattr("file0", name));
    }
    len = listxattr("file0", list, sizeof list);
    ASSERT_EQ(len, N / 2 * 13);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "user.attr%03d", i);
        ASSERT_EQ(list_count(list, len, name), i % 2 ? 0 : 1);
    }
}

static void xattr_dir_test(void)
{
    char buf[32];
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == setxattr("dir0", "user.d", "dirval", 6, 0));
    ASSERT_EQ(getxattr("dir0", "user.d", buf, sizeof buf), 6);
    ASSERT(0 == memcmp(buf, "dirval", 6));
    ASSERT_EQ(listxattr("dir0", buf, sizeof buf), 7);
    ASSERT(0 == strcmp(buf, "user.d"));
    /* The directory still works as one, and a child has no xattrs of its own. */
    fsp_tests_write_file("dir0/file1", 0, 0);
    ASSERT_EQ(listxattr("dir0/file1", buf, sizeof buf), 0);
    ASSERT(0 == removexattr("dir0", "user.d"));
    ASSERT_EQ(listxattr("dir0", buf, sizeof buf), 0);
    /* The test directory itself. */
    ASSERT(0 == setxattr(".", "user.cwd", "1", 1, 0));
    ASSERT_EQ(getxattr(".", "user.cwd", buf, sizeof buf), 1);
    ASSERT(0 == removexattr(".", "user.cwd"));
}

static void xattr_rename_test(void)
{
    char buf[32];
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == mkdir("dir1", 0755));
    fsp_tests_write_file("dir0/file0", "x", 1);
    ASSERT(0 == setxattr("dir0/file0", "user.f", "fv", 2, 0));
    ASSERT(0 == setxattr("dir0", "user.d", "dv", 2, 0));
    ASSERT(0 == rename("dir0/file0", "dir1/file1"));
    ASSERT_EQ(getxattr("dir1/file1", "user.f", buf, sizeof buf), 2);
    ASSERT(0 == memcmp(buf, "fv", 2));
    ASSERT(0 == rename("dir0", "dir2"));
    ASSERT_EQ(getxattr("dir2", "user.d", buf, sizeof buf), 2);
    ASSERT(0 == memcmp(buf, "dv", 2));
    /* Renaming over a file with xattrs: the survivor has the source's xattrs only. */
    fsp_tests_write_file("file3", 0, 0);
    ASSERT(0 == setxattr("file3", "user.other", "o", 1, 0));
    ASSERT(0 == rename("dir1/file1", "file3"));
    ASSERT_EQ(getxattr("file3", "user.f", buf, sizeof buf), 2);
    ASSERT_ERRNO(getxattr("file3", "user.other", buf, sizeof buf), ENODATA);
    /* A new file of an old name has none. */
    fsp_tests_write_file("dir1/file1", 0, 0);
    ASSERT_EQ(listxattr("dir1/file1", buf, sizeof buf), 0);
}

static void xattr_fd_test(void)
{
    char buf[32];
    int fd = open("file0", O_RDWR | O_CREAT, 0644);
    ASSERT(-1 != fd);
    int r1 = fsetxattr(fd, "user.viafd", "fd", 2, 0);
    ssize_t r2 = fgetxattr(fd, "user.viafd", buf, sizeof buf);
    ssize_t r3 = flistxattr(fd, buf + 8, sizeof buf - 8);
    int r4 = fremovexattr(fd, "user.viafd");
    ssize_t r5 = fgetxattr(fd, "user.viafd", buf + 20, sizeof buf - 20);
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(r2, 2);
    ASSERT(0 == memcmp(buf, "fd", 2));
    ASSERT_EQ(r3, 11);
    ASSERT(0 == strcmp(buf + 8, "user.viafd"));
    ASSERT_EQ(r4, 0);
    ASSERT_EQ(r5, -1);
}

static void xattr_unlinked_test(void)
{
    /* xattrs of a file that is open but has no name any more */
    char buf[32];
    int fd = open("file0", O_RDWR | O_CREAT, 0644);
    ASSERT(-1 != fd);
    int r1 = fsetxattr(fd, "user.early", "e", 1, 0);
    int r2 = unlink("file0");
    int r3 = fsetxattr(fd, "user.late", "l", 1, 0);
    ssize_t r4 = fgetxattr(fd, "user.early", buf, sizeof buf);
    ssize_t r5 = flistxattr(fd, buf, sizeof buf);
    int r6 = fremovexattr(fd, "user.early");
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(r3, 0);
    ASSERT_EQ(r4, 1);
    ASSERT_EQ(r5, 21);
    ASSERT_EQ(r6, 0);
}

static void xattr_symlink_test(void)
{
    char buf[32];
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == symlink("file0", "link0"));
    /* user.* xattrs are for regular files and directories only; through the link they go to the target. */
    ASSERT_ERRNO(lsetxattr("link0", "user.l", "1", 1, 0), EPERM);
    ASSERT_ERRNO(lgetxattr("link0", "user.l", buf, sizeof buf), ENODATA);
    ASSERT(0 == setxattr("link0", "user.t", "2", 1, 0));
    ASSERT_EQ(getxattr("file0", "user.t", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], '2');
}

static int setxattr_as_user(void *arg)
{
    (void)arg;
    char buf[8];
    if (-1 != setxattr("ro", "user.x", "1", 1, 0) || EACCES != errno)
        return 1;
    if (-1 != removexattr("ro", "user.a") || EACCES != errno)
        return 2;
    if (1 != getxattr("ro", "user.a", buf, sizeof buf))
        return 3;
    if (-1 != getxattr("secret", "user.a", buf, sizeof buf) || EACCES != errno)
        return 4;
    if (0 != setxattr("rw", "user.x", "1", 1, 0))
        return 5;
    return 0;
}

static void xattr_access_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("ro", 0, 0);
    fsp_tests_write_file("secret", 0, 0);
    fsp_tests_write_file("rw", 0, 0);
    ASSERT(0 == setxattr("ro", "user.a", "a", 1, 0));
    ASSERT(0 == setxattr("secret", "user.a", "a", 1, 0));
    ASSERT(0 == chmod("ro", 0644));
    ASSERT(0 == chmod("secret", 0600));
    ASSERT(0 == chmod("rw", 0666));
    ASSERT_EQ(fsp_tests_as_user(54321, 54321, setxattr_as_user, 0), 0);
    char buf[8];
    ASSERT_EQ(getxattr("rw", "user.x", buf, sizeof buf), 1);
}

static int system_ns_as_user(void *arg)
{
    (void)arg;
    char buf[8];
    /* not the owner, no write access: nothing in system.* changes */
    if (0 == setxattr("theirs", "system.x", "y", 1, 0) || (EPERM != errno && EOPNOTSUPP != errno))
        return 1;
    if (0 == removexattr("theirs", "system.x") || (EPERM != errno && EOPNOTSUPP != errno && ENODATA != errno))
        return 2;
    /* nor is it read without read access */
    if (getxattr("secret", "system.x", buf, sizeof buf) >= 0)
        return 3;
    return 0;
}

/*
 * The kernel guards no system.* name (a file system refuses the names it does not know, as
 * tmpfs does, or checks them): a user changes none on another's file, nor reads one of a file
 * it may not read. Where such names are EAs (LinFsp), ntfs-3g's rules apply.
 */
static void xattr_system_namespace_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("theirs", "x", 1);
    fsp_tests_write_file("secret", "x", 1);
    ASSERT(0 == chmod("theirs", 0644));
    ASSERT(0 == chmod("secret", 0600));
    int r = setxattr("theirs", "system.x", "v", 1, 0) ? errno : 0;
    ASSERT(0 == r || EOPNOTSUPP == r);
    if (0 == r)
        ASSERT(0 == setxattr("secret", "system.x", "v", 1, 0));
    ASSERT_EQ(fsp_tests_as_user(54321, 54321, system_ns_as_user, 0), 0);
    char buf[8];
    if (0 == r) {
        ASSERT_EQ(getxattr("theirs", "system.x", buf, sizeof buf), 1);
        ASSERT_EQ(buf[0], 'v');
    }
}

/*
 * Names that differ only in case are different xattrs (Linux), also on a file system whose EA
 * names are case-insensitive (WinFsp's rule; LinFsp encodes the case then): none replaces
 * another, each reads back and is listed under its own spelling, and removing one leaves the
 * others. '^' (LinFsp's case mark) is an ordinary character of a name.
 */
static void xattr_case_test(void)
{
    static const char *names[] = {"user.color", "user.Color", "user.COLOR", "user.^c", "user.^C",
                                  "user.^^", "user.x^"};
    const size_t n = sizeof names / sizeof names[0];
    char buf[1024], want[16];
    fsp_tests_write_file("file0", "data", 4);
    for (size_t i = 0; i < n; i++) {
        snprintf(want, sizeof want, "value%zu", i);
        ASSERT(0 == setxattr("file0", names[i], want, strlen(want), XATTR_CREATE));
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(want, sizeof want, "value%zu", i);
        memset(buf, 0, sizeof buf);
        ASSERT_EQ(getxattr("file0", names[i], buf, sizeof buf), (ssize_t)strlen(want));
        ASSERT(0 == memcmp(buf, want, strlen(want)));
    }
    ssize_t len = listxattr("file0", buf, sizeof buf);
    ASSERT(len > 0);
    for (size_t i = 0; i < n; i++)
        ASSERT_EQ(list_count(buf, len, names[i]), 1);
    ASSERT_ERRNO(getxattr("file0", "user.cOLOR", buf, sizeof buf), ENODATA);
    /* replacing one spelling leaves the others */
    ASSERT(0 == setxattr("file0", "user.Color", "new", 3, XATTR_REPLACE));
    ASSERT_EQ(getxattr("file0", "user.color", buf, sizeof buf), 6);
    ASSERT(0 == memcmp(buf, "value0", 6));
    ASSERT_EQ(getxattr("file0", "user.Color", buf, sizeof buf), 3);
    ASSERT(0 == removexattr("file0", "user.COLOR"));
    ASSERT_ERRNO(getxattr("file0", "user.COLOR", buf, sizeof buf), ENODATA);
    ASSERT_EQ(getxattr("file0", "user.color", buf, sizeof buf), 6);
    ASSERT_EQ(getxattr("file0", "user.Color", buf, sizeof buf), 3);
    len = listxattr("file0", buf, sizeof buf);
    ASSERT_EQ(list_count(buf, len, "user.COLOR"), 0);
    ASSERT_EQ(list_count(buf, len, "user.color"), 1);
}

/* open(O_TRUNC) truncates the data and leaves the xattrs (WinFsp's Overwrite replaces EAs). */
static void xattr_trunc_test(void)
{
    char buf[64];
    fsp_tests_write_file("file0", "some data", 9);
    ASSERT(0 == setxattr("file0", "user.kept", "yes", 3, 0));
    int fd = open("file0", O_WRONLY | O_TRUNC);
    ASSERT(-1 != fd);
    close(fd);
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 0);
    ASSERT_EQ(getxattr("file0", "user.kept", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "yes", 3));
}

/* Setting and removing an xattr change the file's ctime (not its mtime). */
static void xattr_ctime_test(void)
{
    struct stat st0, st1, st2;
    fsp_tests_write_file("file0", "x", 1);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    ASSERT(0 == stat("file0", &st0));
    struct timespec pause = {0, 30000000};
    nanosleep(&pause, NULL);
    ASSERT(0 == setxattr("file0", "user.t", "1", 1, 0));
    ASSERT(0 == stat("file0", &st1));
    nanosleep(&pause, NULL);
    ASSERT(0 == removexattr("file0", "user.t"));
    ASSERT(0 == stat("file0", &st2));
    ASSERT(st1.st_ctim.tv_sec > st0.st_ctim.tv_sec ||
           (st1.st_ctim.tv_sec == st0.st_ctim.tv_sec && st1.st_ctim.tv_nsec > st0.st_ctim.tv_nsec));
    ASSERT(st2.st_ctim.tv_sec > st1.st_ctim.tv_sec ||
           (st2.st_ctim.tv_sec == st1.st_ctim.tv_sec && st2.st_ctim.tv_nsec > st1.st_ctim.tv_nsec));
    ASSERT_EQ(st2.st_mtim.tv_sec, 1000000000);
}

void xattr_tests(void)
{
    TLIB_ADD_TEST("xattr", xattr_basic_test);
    TLIB_ADD_TEST("xattr", xattr_flags_test);
    TLIB_ADD_TEST("xattr", xattr_missing_test);
    TLIB_ADD_TEST("xattr", xattr_size_test);
    TLIB_ADD_TEST("xattr", xattr_binary_test);
    TLIB_ADD_TEST("xattr", xattr_empty_value_test);
    TLIB_ADD_TEST("xattr", xattr_namespace_test);
    TLIB_ADD_TEST("xattr", xattr_large_test);
    TLIB_ADD_TEST("xattr", xattr_many_test);
    TLIB_ADD_TEST("xattr", xattr_dir_test);
    TLIB_ADD_TEST("xattr", xattr_rename_test);
    TLIB_ADD_TEST("xattr", xattr_fd_test);
    TLIB_ADD_TEST("xattr", xattr_unlinked_test);
    TLIB_ADD_TEST("xattr", xattr_symlink_test);
    TLIB_ADD_TEST("xattr", xattr_access_test);
    TLIB_ADD_TEST("xattr", xattr_system_namespace_test);
    TLIB_ADD_TEST("xattr", xattr_case_test);
    TLIB_ADD_TEST("xattr", xattr_trunc_test);
    TLIB_ADD_TEST("xattr", xattr_ctime_test);
}
