/*
 * tests/fsp-tests/acl-test.c - fsp-tests group acl: POSIX ACLs (system.posix_acl_access and
 * system.posix_acl_default) as Linux defines them, so every test passes on tmpfs
 * (fsp-tests --external) as on memfs, where they are the security descriptor's ACEs (issue 15):
 * the kernel enforces them, the mask limits the group class, chmod(2) sets the mask, an ACL
 * equal to the mode is the mode, a directory's default ACL replaces the umask for new files
 * and directories (FUSE_POSIX_ACL with FUSE_DONT_MASK on LinFsp), only the owner sets them,
 * and a caller outside the file's group loses the set-group-ID bit by setting one.
 *
 * The values are written and read as raw xattrs (version 2, entries sorted by tag and id), as
 * libacl's setfacl(1) and getfacl(1) do. A file system without POSIX ACLs (EOPNOTSUPP: the
 * LinFsp passthrough, FUSE programs) skips the group; the in-process memfs must have them.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define NOBODY 65534
#define ACL_ACCESS "system.posix_acl_access"
#define ACL_DEFAULT "system.posix_acl_default"

enum { UOBJ = 0x01, USER = 0x02, GOBJ = 0x04, GROUP = 0x08, MASK = 0x10, OTHER = 0x20 };

struct ent {
    uint16_t tag, perm;
    uint32_t id;
};

/* The xattr value of n entries (given sorted); returns its size. */
static size_t acl_value(unsigned char *v, const struct ent *e, size_t n)
{
    uint32_t version = 2;
    memcpy(v, &version, 4);
    for (size_t i = 0; i < n; i++) {
        uint32_t id = USER == e[i].tag || GROUP == e[i].tag ? e[i].id : 0xffffffffu;
        memcpy(v + 4 + 8 * i, &e[i].tag, 2);
        memcpy(v + 4 + 8 * i + 2, &e[i].perm, 2);
        memcpy(v + 4 + 8 * i + 4, &id, 4);
    }
    return 4 + 8 * n;
}

static int set_acl(const char *path, const char *name, const struct ent *e, size_t n)
{
    unsigned char v[4 + 8 * 16];
    return setxattr(path, name, v, acl_value(v, e, n), 0);
}

/* The path's ACL equals the n entries (sorted as the kernel and libacl keep them). */
static void assert_acl(const char *path, const char *name, const struct ent *e, size_t n)
{
    unsigned char want[4 + 8 * 16], got[4 + 8 * 16];
    size_t wn = acl_value(want, e, n);
    ssize_t gn = getxattr(path, name, got, sizeof got);
    if (gn != (ssize_t)wn || 0 != memcmp(got, want, wn)) {
        fprintf(stderr, "    %s of %s:", name, path);
        for (ssize_t i = 4; i + 8 <= gn; i += 8) {
            uint16_t tag, perm;
            uint32_t id;
            memcpy(&tag, got + i, 2), memcpy(&perm, got + i + 2, 2), memcpy(&id, got + i + 4, 4);
            fprintf(stderr, " %x:%o:%d", tag, perm, (int)id);
        }
        fprintf(stderr, " (%zd bytes, errno %d); expected", gn, gn < 0 ? errno : 0);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %x:%o:%d", e[i].tag, e[i].perm,
                    USER == e[i].tag || GROUP == e[i].tag ? (int)e[i].id : -1);
        fprintf(stderr, "\n");
    }
    ASSERT_EQ(gn, (ssize_t)wn);
    ASSERT(0 == memcmp(got, want, wn));
}

static int try_open(uid_t uid, gid_t gid, char how, const char *path);

/*
 * Skip where the file system has no POSIX ACLs (EOPNOTSUPP; not on the in-process memfs, which
 * has them). One it stores must be enforced: an entry that lets a user read a file of mode
 * 0600 does (a FUSE file system without FUSE_POSIX_ACL would keep the xattr and the kernel
 * ignore it, the silent failure issue 15 forbids).
 */
static void need_acls(void)
{
    fsp_tests_need_root();
    fsp_tests_write_file("probe", "x", 1);
    ASSERT(0 == chmod("probe", 0600));
    const struct ent e[] = {{UOBJ, 6, 0}, {USER, 4, NOBODY}, {GOBJ, 0, 0}, {MASK, 4, 0}, {OTHER, 0, 0}};
    int r = set_acl("probe", ACL_ACCESS, e, 5);
    int err = errno;
    int enforced = r ? -1 : try_open(NOBODY, NOBODY, 'r', "probe");
    unlink("probe");
    if (r && EOPNOTSUPP == err && !fsp_tests_internal())
        tlib_skip("no POSIX ACLs on this file system");
    ASSERT_EQ(r, 0);
    if (enforced)
        fprintf(stderr, "    an ACL was stored but is not enforced\n");
    ASSERT_EQ(enforced, 0);
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    ASSERT(0 == stat(path, &st));
    return st.st_mode & 07777;
}

static int open_as(void *arg)
{
    const char *spec = arg; /* "r:PATH" or "w:PATH" */
    int fd = open(spec + 2, 'w' == spec[0] ? O_WRONLY : O_RDONLY);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* May uid:gid (no other groups) open path for reading (r) or writing (w)? 0 or the errno. */
static int try_open(uid_t uid, gid_t gid, char how, const char *path)
{
    char spec[256];
    snprintf(spec, sizeof spec, "%c:%s", how, path);
    return fsp_tests_as_user(uid, gid, open_as, spec);
}

/* New files and directories have no ACL of their own. */
static void acl_none_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == mkdir("dir", 0755));
    char b[256];
    ASSERT_ERRNO(getxattr("file", ACL_ACCESS, b, sizeof b), ENODATA);
    ASSERT_ERRNO(getxattr("dir", ACL_ACCESS, b, sizeof b), ENODATA);
    ASSERT_ERRNO(getxattr("dir", ACL_DEFAULT, b, sizeof b), ENODATA);
    ASSERT_ERRNO(getxattr("file", ACL_DEFAULT, b, sizeof b), ENODATA);
    ssize_t n = listxattr("file", b, sizeof b);
    ASSERT(n >= 0);
    for (char *p = b; p < b + n; p += strlen(p) + 1)
        ASSERT(0 != strncmp(p, "system.posix_acl", 16));
}

/* A named user's entry gives that user access the mode does not, and the kernel checks it. */
static void acl_named_user_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "secret", 6);
    ASSERT(0 == chmod("file", 0600));
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "file"), EACCES);
    const struct ent e[] = {{UOBJ, 6, 0}, {USER, 4, NOBODY}, {GOBJ, 0, 0}, {MASK, 4, 0}, {OTHER, 0, 0}};
    ASSERT(0 == set_acl("file", ACL_ACCESS, e, 5));
    assert_acl("file", ACL_ACCESS, e, 5);
    ASSERT_EQ(mode_of("file"), 0640); /* the group bits show the mask */
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "file"), 0);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'w', "file"), EACCES);
    ASSERT_EQ(try_open(NOBODY - 1, NOBODY - 1, 'r', "file"), EACCES);
    ssize_t n;
    char b[256];
    ASSERT((n = listxattr("file", b, sizeof b)) > 0);
    bool listed = false;
    for (char *p = b; p < b + n; p += strlen(p) + 1)
        listed |= 0 == strcmp(p, ACL_ACCESS);
    ASSERT(listed);
}

/* A named group's entry, and an entry that gives less than others have: the user is kept out. */
static void acl_named_group_deny_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "data", 4);
    ASSERT(0 == chmod("file", 0604));
    const struct ent e[] = {{UOBJ, 6, 0}, {USER, 0, NOBODY}, {GOBJ, 0, 0}, {GROUP, 6, NOBODY - 1},
                            {MASK, 6, 0}, {OTHER, 4, 0}};
    ASSERT(0 == set_acl("file", ACL_ACCESS, e, 6));
    assert_acl("file", ACL_ACCESS, e, 6);
    ASSERT_EQ(mode_of("file"), 0664);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "file"), EACCES);          /* user:nobody:--- */
    ASSERT_EQ(try_open(NOBODY - 2, NOBODY - 1, 'w', "file"), 0);       /* group:65533:rw- */
    ASSERT_EQ(try_open(NOBODY - 2, NOBODY - 2, 'r', "file"), 0);       /* other::r-- */
    ASSERT_EQ(try_open(NOBODY - 2, NOBODY - 2, 'w', "file"), EACCES);
}

/* The mask limits named entries and the owning group; chmod(2) sets the mask, the entries stay. */
static void acl_mask_chmod_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "data", 4);
    const struct ent e[] = {{UOBJ, 6, 0}, {USER, 6, NOBODY}, {GOBJ, 4, 0}, {MASK, 6, 0}, {OTHER, 0, 0}};
    ASSERT(0 == set_acl("file", ACL_ACCESS, e, 5));
    ASSERT_EQ(mode_of("file"), 0660);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'w', "file"), 0);
    ASSERT(0 == chmod("file", 0640)); /* mask r-- */
    const struct ent masked[] = {{UOBJ, 6, 0}, {USER, 6, NOBODY}, {GOBJ, 4, 0}, {MASK, 4, 0}, {OTHER, 0, 0}};
    assert_acl("file", ACL_ACCESS, masked, 5);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'w', "file"), EACCES);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "file"), 0);
    ASSERT(0 == chmod("file", 0664)); /* mask rw-, others r-- */
    const struct ent wide[] = {{UOBJ, 6, 0}, {USER, 6, NOBODY}, {GOBJ, 4, 0}, {MASK, 6, 0}, {OTHER, 4, 0}};
    assert_acl("file", ACL_ACCESS, wide, 5);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'w', "file"), 0);
    ASSERT_EQ(try_open(NOBODY - 1, NOBODY - 1, 'w', "file"), EACCES);
}

/* An ACL of the base entries alone is the mode: it sets the mode and is not kept as an ACL. */
static void acl_equals_mode_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == chmod("file", 0600));
    const struct ent e[] = {{UOBJ, 7, 0}, {GOBJ, 5, 0}, {OTHER, 1, 0}};
    ASSERT(0 == set_acl("file", ACL_ACCESS, e, 3));
    ASSERT_EQ(mode_of("file"), 0751);
    char b[256];
    ASSERT_ERRNO(getxattr("file", ACL_ACCESS, b, sizeof b), ENODATA);
}

/* Removing the access ACL: the entries go, the mode stays (its group bits were the mask). */
static void acl_remove_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == chmod("file", 0600));
    const struct ent e[] = {{UOBJ, 6, 0}, {USER, 4, NOBODY}, {GOBJ, 4, 0}, {MASK, 4, 0}, {OTHER, 0, 0}};
    ASSERT(0 == set_acl("file", ACL_ACCESS, e, 5));
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "file"), 0);
    ASSERT(0 == removexattr("file", ACL_ACCESS));
    char b[256];
    ASSERT_ERRNO(getxattr("file", ACL_ACCESS, b, sizeof b), ENODATA);
    ASSERT_EQ(mode_of("file"), 0640);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "file"), EACCES);
}

/* Only the owner (or CAP_FOWNER) sets an ACL, even with write access to the file. */
static int set_acl_as(void *arg)
{
    const struct ent e[] = {{UOBJ, 6, 0}, {USER, 6, NOBODY - 1}, {GOBJ, 6, 0}, {MASK, 6, 0}, {OTHER, 6, 0}};
    return set_acl((const char *)arg, ACL_ACCESS, e, 5) ? errno : 0;
}

static void acl_owner_only_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == chmod("file", 0666));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, set_acl_as, "file"), EPERM);
    char b[256];
    ASSERT_ERRNO(getxattr("file", ACL_ACCESS, b, sizeof b), ENODATA);
    ASSERT(0 == chown("file", NOBODY, NOBODY));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, set_acl_as, "file"), 0);
    ASSERT(getxattr("file", ACL_ACCESS, b, sizeof b) > 28);
    /* a default ACL belongs to directories */
    const struct ent d[] = {{UOBJ, 7, 0}, {GOBJ, 5, 0}, {OTHER, 5, 0}};
    ASSERT_ERRNO(set_acl("file", ACL_DEFAULT, d, 3), EACCES);
}

/* Setting an ACL outside the file's group drops the set-group-ID bit (as chmod(2) would). */
static int set_acl_keep_mode_as(void *arg)
{
    const struct ent e[] = {{UOBJ, 7, 0}, {USER, 5, NOBODY - 1}, {GOBJ, 5, 0}, {MASK, 5, 0}, {OTHER, 5, 0}};
    return set_acl((const char *)arg, ACL_ACCESS, e, 5) ? errno : 0;
}

static void acl_setgid_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == chown("file", NOBODY, 0));
    ASSERT(0 == chmod("file", 02755));
    ASSERT_EQ(mode_of("file"), 02755);
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, set_acl_keep_mode_as, "file"), 0);
    ASSERT_EQ(mode_of("file"), 0755);
    /* the owner in the group keeps it */
    fsp_tests_write_file("file2", "x", 1);
    ASSERT(0 == chown("file2", NOBODY, NOBODY));
    ASSERT(0 == chmod("file2", 02755));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, set_acl_keep_mode_as, "file2"), 0);
    ASSERT_EQ(mode_of("file2"), 02755);
}

/* Values the kernel refuses before any file system sees them. */
static void acl_invalid_test(void)
{
    need_acls();
    fsp_tests_write_file("file", "x", 1);
    const struct ent no_mask[] = {{UOBJ, 6, 0}, {USER, 4, NOBODY}, {GOBJ, 4, 0}, {OTHER, 0, 0}};
    ASSERT_ERRNO(set_acl("file", ACL_ACCESS, no_mask, 4), EINVAL);
    const struct ent no_other[] = {{UOBJ, 6, 0}, {GOBJ, 4, 0}};
    ASSERT_ERRNO(set_acl("file", ACL_ACCESS, no_other, 2), EINVAL);
    unsigned char v[4 + 3 * 8];
    const struct ent ok[] = {{UOBJ, 6, 0}, {GOBJ, 4, 0}, {OTHER, 4, 0}};
    size_t n = acl_value(v, ok, 3);
    v[0] = 1; /* version */
    ASSERT_ERRNO(setxattr("file", ACL_ACCESS, v, n, 0), EOPNOTSUPP);
    v[0] = 2;
    ASSERT_ERRNO(setxattr("file", ACL_ACCESS, v, n - 3, 0), EINVAL);
    char b[256];
    ASSERT_ERRNO(getxattr("file", ACL_ACCESS, b, sizeof b), ENODATA);
}

/*
 * A directory's default ACL: new files and directories take it instead of the umask, limited
 * by the mode asked for (the owner, the mask, others); new directories inherit it as theirs.
 */
static void acl_default_inherit_test(void)
{
    need_acls();
    ASSERT(0 == mkdir("dir", 0755));
    const struct ent d[] = {{UOBJ, 7, 0}, {USER, 5, NOBODY}, {GOBJ, 5, 0}, {MASK, 5, 0}, {OTHER, 0, 0}};
    ASSERT(0 == set_acl("dir", ACL_DEFAULT, d, 5));
    assert_acl("dir", ACL_DEFAULT, d, 5);
    char b[256];
    ASSERT_ERRNO(getxattr("dir", ACL_ACCESS, b, sizeof b), ENODATA); /* the directory's own: none */
    mode_t old = umask(077);
    int fd = open("dir/file", O_CREAT | O_WRONLY, 0666);
    int mk = mkdir("dir/sub", 0777);
    umask(old);
    ASSERT(fd >= 0);
    close(fd);
    ASSERT_EQ(mk, 0);
    /* file: user::rw- (rwx & rw-), mask::r-- (r-x & rw-), other::--- */
    ASSERT_EQ(mode_of("dir/file"), 0640);
    const struct ent fa[] = {{UOBJ, 6, 0}, {USER, 5, NOBODY}, {GOBJ, 5, 0}, {MASK, 4, 0}, {OTHER, 0, 0}};
    assert_acl("dir/file", ACL_ACCESS, fa, 5);
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "dir/file"), 0);
    ASSERT_EQ(try_open(NOBODY - 1, NOBODY - 1, 'r', "dir/file"), EACCES);
    ASSERT_ERRNO(getxattr("dir/file", ACL_DEFAULT, b, sizeof b), ENODATA);
    /* directory: the default ACL as its access ACL (mode 0777 limits nothing) and its default */
    ASSERT_EQ(mode_of("dir/sub"), 0750);
    assert_acl("dir/sub", ACL_ACCESS, d, 5);
    assert_acl("dir/sub", ACL_DEFAULT, d, 5);
    /* and so on down */
    fd = open("dir/sub/deeper", O_CREAT | O_WRONLY, 0600);
    ASSERT(fd >= 0);
    close(fd);
    ASSERT_EQ(mode_of("dir/sub/deeper"), 0600); /* mask::--- */
    ASSERT_EQ(try_open(NOBODY, NOBODY, 'r', "dir/sub/deeper"), EACCES);
}

/* A default ACL of the base entries alone: new files take its bits, not the umask's. */
static void acl_default_umask_test(void)
{
    need_acls();
    ASSERT(0 == mkdir("acl", 0755));
    ASSERT(0 == mkdir("plain", 0755));
    const struct ent d[] = {{UOBJ, 7, 0}, {GOBJ, 7, 0}, {OTHER, 5, 0}};
    ASSERT(0 == set_acl("acl", ACL_DEFAULT, d, 3));
    mode_t old = umask(077);
    int fa = open("acl/file", O_CREAT | O_WRONLY, 0666);
    int fp = open("plain/file", O_CREAT | O_WRONLY, 0666);
    int da = mkdir("acl/dir", 0777);
    int dp = mkdir("plain/dir", 0777);
    umask(old);
    if (fa >= 0)
        close(fa);
    if (fp >= 0)
        close(fp);
    ASSERT(fa >= 0 && fp >= 0);
    ASSERT(0 == da && 0 == dp);
    ASSERT_EQ(mode_of("acl/file"), 0664);  /* the default ACL, not the umask */
    ASSERT_EQ(mode_of("plain/file"), 0600); /* the umask */
    ASSERT_EQ(mode_of("acl/dir"), 0775);
    ASSERT_EQ(mode_of("plain/dir"), 0700);
    char b[256];
    ASSERT_ERRNO(getxattr("acl/file", ACL_ACCESS, b, sizeof b), ENODATA); /* it is the mode */
    /* removing the default ACL brings the umask back */
    ASSERT(0 == removexattr("acl", ACL_DEFAULT));
    ASSERT_ERRNO(getxattr("acl", ACL_DEFAULT, b, sizeof b), ENODATA);
    old = umask(027);
    fa = open("acl/file2", O_CREAT | O_WRONLY, 0666);
    umask(old);
    ASSERT(fa >= 0);
    close(fa);
    ASSERT_EQ(mode_of("acl/file2"), 0640);
}

void acl_tests(void)
{
    TLIB_ADD_TEST("acl", acl_none_test);
    TLIB_ADD_TEST("acl", acl_named_user_test);
    TLIB_ADD_TEST("acl", acl_named_group_deny_test);
    TLIB_ADD_TEST("acl", acl_mask_chmod_test);
    TLIB_ADD_TEST("acl", acl_equals_mode_test);
    TLIB_ADD_TEST("acl", acl_remove_test);
    TLIB_ADD_TEST("acl", acl_owner_only_test);
    TLIB_ADD_TEST("acl", acl_setgid_test);
    TLIB_ADD_TEST("acl", acl_invalid_test);
    TLIB_ADD_TEST("acl", acl_default_inherit_test);
    TLIB_ADD_TEST("acl", acl_default_umask_test);
}
