/*
 * tests/fsp-tests/security-test.c - POSIX permissions, which LinFsp derives from security descriptors
 * through the WinFsp POSIX mapping: chmod/chown round trips, access checks for other users, sticky
 * and setgid directories, clearing setuid/setgid on writes, the umask, and who may chmod/chown.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define USER_A 54321
#define USER_B 54322
#define GROUP_X 1234

static mode_t mode_of(const char *path)
{
    struct stat st;
    ASSERT(0 == lstat(path, &st));
    return st.st_mode & 07777;
}

static const mode_t interesting_modes[] = {
    0000, 0644, 0755, 04755, 02755, 01777, 0601, 07777, 0070, 0007, 0700, 0777,
    04000, 02000, 01000, 0421, 0124, 06711, 05555, 03070,
};

static void security_chmod_file_test(void)
{
    fsp_tests_write_file("file0", "x", 1);
    for (size_t i = 0; i < sizeof interesting_modes / sizeof interesting_modes[0]; i++) {
        mode_t m = interesting_modes[i];
        ASSERT(0 == chmod("file0", m));
        ASSERT_EQ(mode_of("file0"), m);
        /* the same seen through an open file (root opens whatever the mode) */
        int fd = open("file0", O_RDONLY);
        ASSERT(-1 != fd);
        struct stat st;
        int r = fstat(fd, &st);
        close(fd);
        ASSERT_EQ(r, 0);
        ASSERT_EQ(st.st_mode & 07777, m);
        ASSERT(S_ISREG(st.st_mode));
    }
    /* fchmod */
    int fd = open("file0", O_RDONLY);
    ASSERT(-1 != fd);
    int r = fchmod(fd, 0640);
    close(fd);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(mode_of("file0"), 0640);
    /* chmod leaves the data alone */
    char c = 0;
    ASSERT_EQ(fsp_tests_read_file("file0", &c, 1), 1);
    ASSERT_EQ(c, 'x');
}

static void security_chmod_dir_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file1", 0, 0);
    for (size_t i = 0; i < sizeof interesting_modes / sizeof interesting_modes[0]; i++) {
        mode_t m = interesting_modes[i];
        ASSERT(0 == chmod("dir0", m));
        ASSERT_EQ(mode_of("dir0"), m);
        struct stat st;
        ASSERT(0 == stat("dir0", &st));
        ASSERT(S_ISDIR(st.st_mode));
    }
    ASSERT(0 == chmod("dir0", 0700));
    /* the child is unaffected */
    ASSERT_EQ(mode_of("dir0/file1"), 0644);
}

static void security_chown_test(void)
{
    static const struct {
        uid_t uid;
        gid_t gid;
    } ids[] = {
        {12345, 54321}, {4000000000u, 4000000001u}, {0, 0}, {65534, 65534}, {1, 2},
        {1000, 1000}, {0x7fffffff, 0x80000000u}, {4294967294u, 4294967294u}, {0, 12345},
    };
    struct stat st;
    fsp_tests_write_file("file0", 0, 0);
    ASSERT(0 == mkdir("dir0", 0750));
    ASSERT(0 == chmod("file0", 0640));
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        ASSERT(0 == chown("file0", ids[i].uid, ids[i].gid));
        ASSERT(0 == stat("file0", &st));
        ASSERT_EQ(st.st_uid, ids[i].uid);
        ASSERT_EQ(st.st_gid, ids[i].gid);
        ASSERT_EQ(st.st_mode & 07777, 0640);
        ASSERT(0 == chown("dir0", ids[i].uid, ids[i].gid));
        ASSERT(0 == stat("dir0", &st));
        ASSERT_EQ(st.st_uid, ids[i].uid);
        ASSERT_EQ(st.st_gid, ids[i].gid);
        ASSERT_EQ(st.st_mode & 07777, 0750);
    }
    /* -1 leaves one of the two alone */
    ASSERT(0 == chown("file0", 777, 888));
    ASSERT(0 == chown("file0", (uid_t)-1, 999));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 777);
    ASSERT_EQ(st.st_gid, 999);
    ASSERT(0 == chown("file0", 666, (gid_t)-1));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 666);
    ASSERT_EQ(st.st_gid, 999);
    /* lchown of a symlink changes the link, not the target */
    ASSERT(0 == symlink("file0", "link0"));
    ASSERT(0 == lchown("link0", 4242, 2424));
    ASSERT(0 == lstat("link0", &st));
    ASSERT_EQ(st.st_uid, 4242);
    ASSERT_EQ(st.st_gid, 2424);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 666);
}


static int create_as_user(void *arg)
{
    (void)arg;
    int fd = open("userfile", O_CREAT | O_WRONLY, 0640);
    if (-1 == fd)
        return 1;
    close(fd);
    if (0 != mkdir("userdir", 0750))
        return 2;
    if (0 != symlink("userfile", "userlink"))
        return 3;
    return 0;
}

static void security_new_owner_test(void)
{
    fsp_tests_need_root();
    ASSERT(0 == chmod(".", 0777));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_B, create_as_user, 0), 0);
    struct stat st;
    ASSERT(0 == stat("userfile", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    ASSERT_EQ(st.st_gid, USER_B);
    ASSERT_EQ(st.st_mode & 07777, 0640 & ~022);
    ASSERT(0 == stat("userdir", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    ASSERT_EQ(st.st_gid, USER_B);
    ASSERT_EQ(st.st_mode & 07777, 0750);
    ASSERT(0 == lstat("userlink", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    ASSERT_EQ(st.st_gid, USER_B);
    /* root's files are root's */
    fsp_tests_write_file("rootfile", 0, 0);
    ASSERT(0 == stat("rootfile", &st));
    ASSERT_EQ(st.st_uid, 0);
    ASSERT_EQ(st.st_gid, 0);
}

static bool denied(int r)
{
    return -1 == r && EACCES == errno;
}

static int opened(const char *path, int flags)
{
    int fd = open(path, flags, 0644); /* O_CREAT needs a mode */
    if (-1 == fd)
        return -1;
    close(fd);
    return 0;
}

static int access_as_user(void *arg)
{
    (void)arg;
    struct stat st;
    /* 0600 root:root - nothing for others */
    if (!denied(opened("secret", O_RDONLY)))
        return 1;
    if (!denied(opened("secret", O_WRONLY)))
        return 2;
    /* 0620 root:A - group may write, not read */
    if (0 != opened("grpw", O_WRONLY))
        return 3;
    if (!denied(opened("grpw", O_RDONLY)))
        return 4;
    /* 0604 - others may read, not write */
    if (0 != opened("otherr", O_RDONLY))
        return 5;
    if (!denied(opened("otherr", O_RDWR)))
        return 6;
    if (!denied(truncate("otherr", 0)))
        return 7;
    /* execute bits */
    if (!denied(access("noexec", X_OK)))
        return 8;
    if (0 != access("exec", X_OK))
        return 9;
    if (0 != access("grpw", W_OK) || !denied(access("grpw", R_OK)))
        return 10;
    /* directory search permission */
    if (!denied(stat("nosearch/file", &st)))
        return 11;
    if (!denied(opened("nosearch/file", O_RDONLY)))
        return 12;
    if (0 != stat("searchonly/file", &st))
        return 13;
    if (0 != opened("searchonly/file", O_RDONLY))
        return 14;
    if (!denied(opened("searchonly", O_RDONLY | O_DIRECTORY)))
        return 15;
    if (!denied(opened("searchonly/new", O_WRONLY | O_CREAT)))
        return 16;
    /* no write permission on a directory: no create, unlink, mkdir, rename */
    if (!denied(opened("new", O_WRONLY | O_CREAT)))
        return 17;
    if (!denied(unlink("otherr")))
        return 18;
    if (!denied(mkdir("newdir", 0755)))
        return 19;
    if (!denied(rename("otherr", "renamed")))
        return 20;
    if (!denied(symlink("x", "newlink")))
        return 21;
    /* write permission on a directory (and search) is enough to remove a file there */
    if (0 != unlink("open/file"))
        return 22;
    if (0 != opened("open/new", O_WRONLY | O_CREAT))
        return 23;
    return 0;
}

static void security_access_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("secret", "s", 1);
    ASSERT(0 == chmod("secret", 0600));
    fsp_tests_write_file("grpw", "g", 1);
    ASSERT(0 == chown("grpw", 0, USER_A));
    ASSERT(0 == chmod("grpw", 0620));
    fsp_tests_write_file("otherr", "o", 1);
    ASSERT(0 == chmod("otherr", 0604));
    fsp_tests_write_file("noexec", "#!/bin/sh\n", 10);
    ASSERT(0 == chmod("noexec", 0776));
    fsp_tests_write_file("exec", "#!/bin/sh\n", 10);
    ASSERT(0 == chmod("exec", 0701));
    ASSERT(0 == mkdir("nosearch", 0755));
    fsp_tests_write_file("nosearch/file", 0, 0);
    ASSERT(0 == chmod("nosearch", 0776));
    ASSERT(0 == mkdir("searchonly", 0755));
    fsp_tests_write_file("searchonly/file", 0, 0);
    ASSERT(0 == chmod("searchonly", 0711));
    ASSERT(0 == mkdir("open", 0777));
    ASSERT(0 == chmod("open", 0777));
    fsp_tests_write_file("open/file", 0, 0);
    ASSERT(0 == chmod("open/file", 0600));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, access_as_user, 0), 0);
    /* the group bits hold only for the group: another user gets the other bits */
    struct stat st;
    ASSERT(0 == stat("grpw", &st));
    ASSERT_EQ(st.st_size, 1); /* opened for writing, not truncated */
}

static int sticky_as_a(void *arg)
{
    (void)arg;
    int fd = open("afile", O_CREAT | O_WRONLY, 0666);
    if (-1 == fd)
        return 1;
    close(fd);
    if (0 != chmod("afile", 0666))
        return 3;
    fd = open("afile2", O_CREAT | O_WRONLY, 0666);
    if (-1 == fd)
        return 2;
    close(fd);
    return 0;
}

static int sticky_as_b(void *arg)
{
    bool sticky = *(bool *)arg;
    if (sticky) {
        if (-1 != unlink("rootfile") || EPERM != errno)
            return 1;
        if (-1 != unlink("afile") || EPERM != errno)
            return 2;
        if (-1 != rename("afile", "bname") || EPERM != errno)
            return 3;
        if (-1 != rename("rootfile", "sub/bname") || EPERM != errno)
            return 4;
        /* nor replace another's file by a rename of one's own */
        int fd = open("bfile", O_CREAT | O_WRONLY, 0666);
        if (-1 == fd)
            return 5;
        close(fd);
        if (-1 != rename("bfile", "afile") || EPERM != errno)
            return 6;
        if (0 != unlink("bfile"))
            return 7;
        /* but one may still write another's file when its mode allows */
        fd = open("afile", O_WRONLY);
        if (-1 == fd)
            return 8;
        close(fd);
    } else {
        if (0 != unlink("afile"))
            return 11;
        if (0 != rename("afile2", "bname"))
            return 12;
    }
    return 0;
}

static int sticky_as_a_cleanup(void *arg)
{
    (void)arg;
    if (0 != unlink("afile") || 0 != rename("afile2", "arenamed") || 0 != unlink("arenamed"))
        return 1;
    return 0;
}

static void security_sticky_test(void)
{
    fsp_tests_need_root();
    bool sticky = true;
    ASSERT(0 == chmod(".", 01777));
    ASSERT_EQ(mode_of("."), 01777);
    ASSERT(0 == mkdir("sub", 0777));
    ASSERT(0 == chmod("sub", 0777));
    fsp_tests_write_file("rootfile", 0, 0);
    ASSERT(0 == chmod("rootfile", 0666));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, sticky_as_a, 0), 0);
    ASSERT_EQ(fsp_tests_as_user(USER_B, USER_B, sticky_as_b, &sticky), 0);
    struct stat st;
    ASSERT(0 == stat("afile", &st));
    ASSERT(0 == stat("rootfile", &st));
    /* the owner may */
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, sticky_as_a_cleanup, 0), 0);
    ASSERT_ERRNO(stat("afile", &st), ENOENT);
    /* without the sticky bit another user may */
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, sticky_as_a, 0), 0);
    ASSERT(0 == chmod(".", 0777));
    sticky = false;
    ASSERT_EQ(fsp_tests_as_user(USER_B, USER_B, sticky_as_b, &sticky), 0);
    ASSERT_ERRNO(stat("afile", &st), ENOENT);
    ASSERT(0 == stat("bname", &st));
    ASSERT_EQ(st.st_uid, USER_A);
}

static int setgid_as_user(void *arg)
{
    (void)arg;
    int fd = open("sg/ufile", O_CREAT | O_WRONLY, 0644);
    if (-1 == fd)
        return 1;
    close(fd);
    if (0 != mkdir("sg/udir", 0755))
        return 2;
    return 0;
}

static void security_setgid_dir_test(void)
{
    fsp_tests_need_root();
    struct stat st;
    ASSERT(0 == mkdir("sg", 0777));
    ASSERT(0 == chown("sg", 0, GROUP_X));
    ASSERT(0 == chmod("sg", 02777));
    ASSERT_EQ(mode_of("sg"), 02777);
    fsp_tests_write_file("sg/file", 0, 0);
    ASSERT(0 == stat("sg/file", &st));
    ASSERT_EQ(st.st_gid, GROUP_X);
    ASSERT_EQ(st.st_uid, 0);
    ASSERT_EQ(st.st_mode & 07777, 0644);
    ASSERT(0 == mkdir("sg/sub", 0755));
    ASSERT(0 == stat("sg/sub", &st));
    ASSERT_EQ(st.st_gid, GROUP_X);
    ASSERT_EQ(st.st_mode & 07777, 02755);
    /* inherited down the tree */
    ASSERT(0 == mkdir("sg/sub/subsub", 0700));
    ASSERT(0 == stat("sg/sub/subsub", &st));
    ASSERT_EQ(st.st_gid, GROUP_X);
    ASSERT_EQ(st.st_mode & 07777, 02700);
    ASSERT(0 == symlink("x", "sg/sub/link"));
    ASSERT(0 == lstat("sg/sub/link", &st));
    ASSERT_EQ(st.st_gid, GROUP_X);
    /* a user outside the group creating there gets the directory's group too */
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, setgid_as_user, 0), 0);
    ASSERT(0 == stat("sg/ufile", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    ASSERT_EQ(st.st_gid, GROUP_X);
    ASSERT(0 == stat("sg/udir", &st));
    ASSERT_EQ(st.st_gid, GROUP_X);
    ASSERT(st.st_mode & S_ISGID);
    /* without setgid the creator's group */
    ASSERT(0 == mkdir("plain", 0777));
    ASSERT(0 == chown("plain", 0, GROUP_X));
    fsp_tests_write_file("plain/file", 0, 0);
    ASSERT(0 == stat("plain/file", &st));
    ASSERT_EQ(st.st_gid, 0);
}

static int write_as_user(void *arg)
{
    const char *const *names = arg;
    for (int i = 0; names[i]; i++) {
        int fd = open(names[i], O_WRONLY | O_APPEND);
        if (-1 == fd)
            return 10 + i;
        ssize_t n = write(fd, "w", 1);
        close(fd);
        if (1 != n)
            return 20 + i;
    }
    return 0;
}

static void security_killpriv_test(void)
{
    fsp_tests_need_root();
    static const char *const names[] = {"suid", "sgid", "both", 0};
    fsp_tests_write_file("suid", "x", 1);
    fsp_tests_write_file("sgid", "x", 1);
    fsp_tests_write_file("both", "x", 1);
    ASSERT(0 == chmod("suid", 04777));
    ASSERT(0 == chmod("sgid", 02777));
    ASSERT(0 == chmod("both", 06777));
    /* a write by another user (not privileged) clears setuid and setgid (with group execute) */
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, write_as_user, (void *)names), 0);
    ASSERT_EQ(mode_of("suid"), 0777);
    ASSERT_EQ(mode_of("sgid"), 0777);
    ASSERT_EQ(mode_of("both"), 0777);
    struct stat st;
    ASSERT(0 == stat("both", &st));
    ASSERT_EQ(st.st_size, 2);
    /* a write by root keeps them */
    ASSERT(0 == chmod("suid", 04777));
    int fd = open("suid", O_WRONLY | O_APPEND);
    ASSERT(-1 != fd);
    ssize_t n = write(fd, "r", 1);
    close(fd);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(mode_of("suid"), 04777);
    /* chown clears them, even by root */
    ASSERT(0 == chmod("both", 06755));
    ASSERT(0 == chown("both", 12, 12));
    ASSERT_EQ(mode_of("both"), 0755);
    /* but not on a directory */
    ASSERT(0 == mkdir("dir", 0755));
    ASSERT(0 == chmod("dir", 02755));
    ASSERT(0 == chown("dir", 12, 12));
    ASSERT_EQ(mode_of("dir"), 02755);
}

/* The file types a change of owner concerns (pjdfstest chown/00). */
static const struct {
    const char *name;
    mode_t type;
} chown_types[] = {
    {"reg", S_IFREG}, {"fifo", S_IFIFO}, {"sock", S_IFSOCK}, {"chr", S_IFCHR}, {"blk", S_IFBLK},
    {"dir", S_IFDIR},
};

static int chown_group_as_user(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < sizeof chown_types / sizeof chown_types[0]; i++)
        for (int k = 0; k < 3; k++) {
            char name[32];
            snprintf(name, sizeof name, "%s%d", chown_types[i].name, k);
            if (0 != lchown(name, (uid_t)-1, USER_A))
                return 10 + (int)i;
        }
    return 0;
}

/*
 * chown(2) by an unprivileged owner clears S_ISUID on every file type but directories, and
 * S_ISGID when the group may execute or the caller is not in the file's group (Linux's
 * setattr_should_drop_sgid; tmpfs; pjdfstest chown/00). Directories keep both.
 */
static void security_killpriv_chown_types_test(void)
{
    fsp_tests_need_root();
    /* mode and group before: 6555 (group may execute), 6545 in the caller's group, 6545 in
     * another group */
    static const mode_t modes[3] = {06555, 06545, 06545};
    static const gid_t groups[3] = {USER_A, USER_A, GROUP_X};
    for (size_t i = 0; i < sizeof chown_types / sizeof chown_types[0]; i++)
        for (int k = 0; k < 3; k++) {
            char name[32];
            snprintf(name, sizeof name, "%s%d", chown_types[i].name, k);
            mode_t type = chown_types[i].type;
            int r = S_ISDIR(type) ? mkdir(name, 0700)
                    : S_ISREG(type) ? (fsp_tests_write_file(name, 0, 0), 0)
                                    : mknod(name, type | 0600, makedev(1, 7));
            if (0 != r && !S_ISREG(type) && !S_ISDIR(type)) {
                ASSERT(fsp_tests_linfsp()); /* memfs may have no special files */
                tlib_skip("the file system does not hold special files");
            }
            ASSERT(0 == r);
            ASSERT(0 == lchown(name, USER_A, groups[k]));
            ASSERT(0 == chmod(name, modes[k]));
            ASSERT_EQ(mode_of(name), modes[k]);
        }
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, chown_group_as_user, 0), 0);
    for (size_t i = 0; i < sizeof chown_types / sizeof chown_types[0]; i++) {
        bool dir = S_ISDIR(chown_types[i].type);
        static const mode_t after[3] = {0555, 02545, 0545};
        for (int k = 0; k < 3; k++) {
            char name[32];
            snprintf(name, sizeof name, "%s%d", chown_types[i].name, k);
            mode_t want = dir ? modes[k] : after[k];
            mode_t got = mode_of(name);
            if (got != want)
                fprintf(stderr, "    %s: mode %04o, expected %04o\n", name, (unsigned)got,
                        (unsigned)want);
            ASSERT_EQ(got, want);
            struct stat st;
            ASSERT(0 == lstat(name, &st));
            ASSERT_EQ(st.st_gid, USER_A);
        }
    }
}

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int tmpfile_exchange_as_user(void *arg)
{
    (void)arg;
    /* O_TMPFILE needs write permission on the directory */
    if (-1 != open("ro", O_TMPFILE | O_RDWR, 0600) || EACCES != errno)
        return 10;
    /* an unnamed file is the caller's, with the mode asked for (less the umask) */
    int fd = open("w", O_TMPFILE | O_RDWR, 0666);
    if (-1 == fd)
        return 11;
    struct stat st;
    int r = fstat(fd, &st);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int r2 = linkat(AT_FDCWD, proc, AT_FDCWD, "w/named", AT_SYMLINK_FOLLOW);
    close(fd);
    if (0 != r || st.st_uid != USER_A || st.st_gid != USER_A || (st.st_mode & 07777) != (0666 & ~022))
        return 12;
    if (0 != r2)
        return 13;
    /* RENAME_EXCHANGE in a sticky directory of files that are not the caller's: EPERM */
    if (-1 != syscall(SYS_renameat2, AT_FDCWD, "sticky/a", AT_FDCWD, "sticky/b", RENAME_EXCHANGE) ||
        EPERM != errno)
        return 14;
    /* nor in a directory the caller may not write */
    if (-1 != syscall(SYS_renameat2, AT_FDCWD, "ro/c", AT_FDCWD, "w/named", RENAME_EXCHANGE) ||
        EACCES != errno)
        return 15;
    return 0;
}

/* O_TMPFILE and RENAME_EXCHANGE give an unprivileged caller nothing the permissions do not. */
static void security_tmpfile_exchange_test(void)
{
    fsp_tests_need_root();
    ASSERT(0 == mkdir("ro", 0755));
    fsp_tests_write_file("ro/c", "c", 1);
    ASSERT(0 == mkdir("w", 0777));
    ASSERT(0 == chmod("w", 0777));
    ASSERT(0 == mkdir("sticky", 0777));
    ASSERT(0 == chmod("sticky", 01777));
    fsp_tests_write_file("sticky/a", "a", 1);
    fsp_tests_write_file("sticky/b", "b", 1);
    mode_t old = umask(022);
    int r = fsp_tests_as_user(USER_A, USER_A, tmpfile_exchange_as_user, 0);
    umask(old);
    ASSERT_EQ(r, 0);
    struct stat st;
    ASSERT(0 == stat("w/named", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    char buf[2];
    ASSERT_EQ(fsp_tests_read_file("sticky/a", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 'a');
    ASSERT_EQ(fsp_tests_read_file("ro/c", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 'c');
}

static int truncate_as_user(void *arg)
{
    const char *const *names = arg;
    int fd = open(names[0], O_WRONLY);
    if (-1 == fd)
        return 10;
    int r = ftruncate(fd, 0);
    close(fd);
    if (0 != r)
        return 11;
    if (0 != truncate(names[1], 0))
        return 12;
    fd = open(names[2], O_WRONLY | O_TRUNC);
    if (-1 == fd)
        return 13;
    close(fd);
    fd = open(names[3], O_WRONLY | O_APPEND);
    if (-1 == fd)
        return 14;
    ssize_t n = write(fd, "w", 1);
    close(fd);
    return 1 == n ? 0 : 15;
}

/* The cases around killpriv: truncation, and setgid without group execute (a locking mark). */
static void security_killpriv_truncate_test(void)
{
    fsp_tests_need_root();
    static const char *const names[] = {"ftrunc", "trunc", "otrunc", "sgid_nox", 0};
    for (int i = 0; names[i]; i++) {
        fsp_tests_write_file(names[i], "xyz", 3);
        /* the writer is in sgid_nox's group */
        ASSERT(0 == chown(names[i], 0, 3 == i ? USER_A : 0));
        ASSERT(0 == chmod(names[i], 3 == i ? 02767 : 06777));
    }
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, truncate_as_user, (void *)names), 0);
    ASSERT_EQ(mode_of("ftrunc"), 0777);
    ASSERT_EQ(mode_of("trunc"), 0777);
    ASSERT_EQ(mode_of("otrunc"), 0777);
    /* setgid without group execute is not a privilege: a write by a group member keeps it */
    ASSERT_EQ(mode_of("sgid_nox"), 02767);
    struct stat st;
    ASSERT(0 == stat("otrunc", &st));
    ASSERT_EQ(st.st_size, 0);
    ASSERT(0 == stat("sgid_nox", &st));
    ASSERT_EQ(st.st_size, 4);
    /* root truncating keeps them */
    ASSERT(0 == chmod("ftrunc", 06777));
    ASSERT(0 == truncate("ftrunc", 1));
    ASSERT_EQ(mode_of("ftrunc"), 06777);
}

/*
 * S_ISGID without group execute stays when the writer is in the file's group through a
 * supplementary group only (and goes for a writer outside it), as on Linux.
 */
static void security_killpriv_supplementary_group_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("member", "x", 1);
    fsp_tests_write_file("stranger", "x", 1);
    ASSERT(0 == chown("member", 0, GROUP_X));
    ASSERT(0 == chown("stranger", 0, GROUP_X));
    ASSERT(0 == chmod("member", 02766));
    ASSERT(0 == chmod("stranger", 02766));
    int status[2];
    for (int i = 0; i < 2; i++) {
        fflush(stdout);
        pid_t pid = fork();
        ASSERT(-1 != pid);
        if (0 == pid) {
            gid_t g = GROUP_X;
            /* primary group USER_A; GROUP_X only as a supplementary group for "member" */
            if (0 != setgroups(0 == i ? 1 : 0, &g) || 0 != setgid(USER_A) || 0 != setuid(USER_A))
                _exit(2);
            int fd = open(0 == i ? "member" : "stranger", O_WRONLY | O_APPEND);
            _exit(-1 != fd && 1 == write(fd, "w", 1) ? 0 : 3);
        }
        ASSERT(pid == waitpid(pid, &status[i], 0));
    }
    ASSERT(WIFEXITED(status[0]) && 0 == WEXITSTATUS(status[0]));
    ASSERT(WIFEXITED(status[1]) && 0 == WEXITSTATUS(status[1]));
    ASSERT_EQ(mode_of("member"), 02766);
    ASSERT_EQ(mode_of("stranger"), 0766);
}

/* A file capability (VFS_CAP_REVISION_2: cap_net_bind_service, effective). */
static int set_caps(const char *path)
{
    static const uint32_t caps[5] = {0x02000001, 1u << 10, 0, 0, 0};
    return setxattr(path, "security.capability", caps, sizeof caps, 0);
}

static bool has_caps(const char *path)
{
    char buf[64];
    return getxattr(path, "security.capability", buf, sizeof buf) > 0;
}

/* A write, a truncation or a change of owner removes a file's capabilities, even by root. */
static void security_killpriv_caps_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("capfile", "xyz", 3);
    ASSERT(0 == chmod("capfile", 0755));
    if (0 != set_caps("capfile")) {
        ASSERT(ENOTSUP == errno);
        tlib_skip("no security.capability here");
    }
    ASSERT(has_caps("capfile"));
    /* reading keeps them */
    char buf[8];
    ASSERT_EQ(fsp_tests_read_file("capfile", buf, sizeof buf), 3);
    ASSERT(has_caps("capfile"));
    /* a write */
    int fd = open("capfile", O_WRONLY | O_APPEND);
    ASSERT(-1 != fd);
    ssize_t n = write(fd, "w", 1);
    close(fd);
    ASSERT_EQ(n, 1);
    ASSERT(!has_caps("capfile"));
    ASSERT_ERRNO(getxattr("capfile", "security.capability", buf, sizeof buf), ENODATA);
    /* a truncation */
    ASSERT(0 == set_caps("capfile"));
    ASSERT(0 == truncate("capfile", 1));
    ASSERT(!has_caps("capfile"));
    /* an O_TRUNC open */
    ASSERT(0 == set_caps("capfile"));
    fd = open("capfile", O_WRONLY | O_TRUNC);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT(!has_caps("capfile"));
    /* a change of owner */
    ASSERT(0 == set_caps("capfile"));
    ASSERT(0 == chown("capfile", 12, 12));
    ASSERT(!has_caps("capfile"));
    ASSERT_EQ(mode_of("capfile"), 0755);
    /* writes again after the capabilities came back (a node marked clean is checked anew) */
    ASSERT(0 == set_caps("capfile"));
    fd = open("capfile", O_WRONLY | O_APPEND);
    ASSERT(-1 != fd);
    n = write(fd, "v", 1);
    close(fd);
    ASSERT_EQ(n, 1);
    ASSERT(!has_caps("capfile"));
}

/* Set-ID bits given to a file after it was written are dropped at its next write as well. */
static void security_killpriv_again_test(void)
{
    fsp_tests_need_root();
    static const char *const names[] = {"again", 0};
    fsp_tests_write_file("again", "x", 1);
    ASSERT(0 == chmod("again", 0777));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, write_as_user, (void *)names), 0);
    ASSERT_EQ(mode_of("again"), 0777);
    for (int i = 0; i < 3; i++) {
        ASSERT(0 == chmod("again", 06777));
        ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, write_as_user, (void *)names), 0);
        ASSERT_EQ(mode_of("again"), 0777);
    }
    /* through a second name (a hard link) as well */
    ASSERT(0 == link("again", "again2"));
    static const char *const names2[] = {"again2", 0};
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, write_as_user, (void *)names2), 0);
    ASSERT(0 == chmod("again", 06777));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, write_as_user, (void *)names2), 0);
    ASSERT_EQ(mode_of("again"), 0777);
    struct stat st;
    ASSERT(0 == stat("again", &st));
    ASSERT_EQ(st.st_size, 7);
}

static void security_umask_test(void)
{
    umask(027);
    int fd = open("file0", O_CREAT | O_WRONLY, 0666);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT_EQ(mode_of("file0"), 0640);
    ASSERT(0 == mkdir("dir0", 0777));
    ASSERT_EQ(mode_of("dir0"), 0750);
    umask(0);
    fd = open("file1", O_CREAT | O_WRONLY, 0666);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT_EQ(mode_of("file1"), 0666);
    ASSERT(0 == mkdir("dir1", 0777));
    ASSERT_EQ(mode_of("dir1"), 0777);
    umask(0777);
    fd = open("file2", O_CREAT | O_WRONLY, 0666);
    ASSERT(-1 != fd); /* created with mode 0, still opened for writing */
    ssize_t n = write(fd, "x", 1);
    close(fd);
    ASSERT_EQ(n, 1);
    ASSERT_EQ(mode_of("file2"), 0);
    umask(022);
    /* the mode given at creation, not the umask, is what chmod later overrides */
    ASSERT(0 == chmod("file2", 0666));
    ASSERT_EQ(mode_of("file2"), 0666);
    /* special bits pass the umask */
    umask(077);
    ASSERT(0 == mkdir("dir2", 01777));
    ASSERT_EQ(mode_of("dir2"), 01700);
    umask(022);
}

static int chmod_as_user(void *arg)
{
    (void)arg;
    /* another's file: EPERM */
    if (-1 != chmod("rootfile", 0777) || EPERM != errno)
        return 1;
    if (-1 != chown("rootfile", USER_A, USER_A) || EPERM != errno)
        return 2;
    /* one's own file: chmod yes, giving it away no */
    if (0 != chmod("userfile", 0600))
        return 3;
    if (-1 != chown("userfile", USER_B, (gid_t)-1) || EPERM != errno)
        return 4;
    if (-1 != chown("userfile", (uid_t)-1, 0) || EPERM != errno)
        return 5;
    /* to one's own group (a no-op) is allowed */
    if (0 != chown("userfile", USER_A, USER_A))
        return 6;
    /* setgid on a file whose group one is not in is silently dropped */
    if (0 != chmod("userfile_x", 02755))
        return 7;
    /* one's own directory */
    if (0 != chmod("userdir", 0700))
        return 8;
    return 0;
}

static void security_chmod_nonowner_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("rootfile", 0, 0);
    ASSERT(0 == chmod("rootfile", 0666));
    fsp_tests_write_file("userfile", 0, 0);
    ASSERT(0 == chown("userfile", USER_A, USER_A));
    fsp_tests_write_file("userfile_x", 0, 0);
    ASSERT(0 == chown("userfile_x", USER_A, GROUP_X));
    ASSERT(0 == mkdir("userdir", 0755));
    ASSERT(0 == chown("userdir", USER_A, USER_A));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, chmod_as_user, 0), 0);
    struct stat st;
    ASSERT_EQ(mode_of("rootfile"), 0666);
    ASSERT(0 == stat("rootfile", &st));
    ASSERT_EQ(st.st_uid, 0);
    ASSERT_EQ(mode_of("userfile"), 0600);
    ASSERT(0 == stat("userfile", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    ASSERT_EQ(st.st_gid, USER_A);
    ASSERT_EQ(mode_of("userfile_x"), 0755);
    ASSERT_EQ(mode_of("userdir"), 0700);
}

static int chown_as_user(void *arg)
{
    (void)arg;
    if (-1 != chown("ownfile", 0, 0) || EPERM != errno)
        return 1;
    if (-1 != chown("ownfile", USER_B, USER_B) || EPERM != errno)
        return 2;
    if (-1 != lchown("ownlink", USER_B, (gid_t)-1) || EPERM != errno)
        return 3;
    return 0;
}

static void security_chown_nonroot_test(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("ownfile", 0, 0);
    ASSERT(0 == chown("ownfile", USER_A, USER_A));
    ASSERT(0 == symlink("ownfile", "ownlink"));
    ASSERT(0 == lchown("ownlink", USER_A, USER_A));
    ASSERT_EQ(fsp_tests_as_user(USER_A, USER_A, chown_as_user, 0), 0);
    struct stat st;
    ASSERT(0 == stat("ownfile", &st));
    ASSERT_EQ(st.st_uid, USER_A);
    ASSERT_EQ(st.st_gid, USER_A);
}

void security_tests(void)
{
    TLIB_ADD_TEST("security", security_chmod_file_test);
    TLIB_ADD_TEST("security", security_chmod_dir_test);
    TLIB_ADD_TEST("security", security_chown_test);
    TLIB_ADD_TEST("security", security_new_owner_test);
    TLIB_ADD_TEST("security", security_access_test);
    TLIB_ADD_TEST("security", security_sticky_test);
    TLIB_ADD_TEST("security", security_setgid_dir_test);
    TLIB_ADD_TEST("security", security_killpriv_test);
    TLIB_ADD_TEST("security", security_killpriv_chown_types_test);
    TLIB_ADD_TEST("security", security_tmpfile_exchange_test);
    TLIB_ADD_TEST("security", security_killpriv_truncate_test);
    TLIB_ADD_TEST("security", security_killpriv_supplementary_group_test);
    TLIB_ADD_TEST("security", security_killpriv_caps_test);
    TLIB_ADD_TEST("security", security_killpriv_again_test);
    TLIB_ADD_TEST("security", security_umask_test);
    TLIB_ADD_TEST("security", security_chmod_nonowner_test);
    TLIB_ADD_TEST("security", security_chown_nonroot_test);
}
