/*
 * tests/fsp-tests/ntfs-test.c - fsp-tests group ntfs: a file's NTFS data seen and changed from
 * Linux (issue 15): ntfs-3g's system.ntfs_* xattrs, Samba's user.DOSATTRIB, security.NTACL and
 * user.DosStream.NAME:$DATA, POSIX ACLs the kernel enforces, statx birth times, the volume label
 * ioctls, and case-insensitive names folded by a fixed table. LinFsp only (tmpfs has none of
 * these): each test skips unless the file system is LinFsp's; some need the in-process memfs.
 */
#include "fsp-tests.h"
#include "memfs.h"
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534

static void need_linfsp(void)
{
    if (!fsp_tests_linfsp())
        tlib_skip("LinFsp's names (not on this file system)");
    /* a file system with VolumeParams.XattrsPassThrough (the passthrough, the FUSE layer) keeps
     * every name its own: the engine serves none */
    uint32_t a;
    if (4 != getxattr(".", "system.ntfs_attrib", &a, sizeof a))
        tlib_skip("the engine serves no NTFS names here (XattrsPassThrough)");
}

static uint32_t attrib_of(const char *path)
{
    uint32_t a = 0;
    ASSERT_EQ(getxattr(path, "system.ntfs_attrib", &a, sizeof a), 4);
    return a;
}

/* system.ntfs_attrib / _be: the attributes, set through SetBasicInfo; never listed or removed. */
static void ntfs_attrib_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == mkdir("dir", 0755));
    ASSERT(attrib_of("file") & FILE_ATTRIBUTE_ARCHIVE);
    ASSERT(attrib_of("dir") & FILE_ATTRIBUTE_DIRECTORY);
    uint32_t a = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_READONLY;
    ASSERT(0 == setxattr("file", "system.ntfs_attrib", &a, 4, 0));
    ASSERT_EQ(attrib_of("file"), a);
    unsigned char be[4];
    ASSERT_EQ(getxattr("file", "system.ntfs_attrib_be", be, 4), 4);
    ASSERT_EQ(be[3], a);
    unsigned char seta[4] = {0, 0, 0, FILE_ATTRIBUTE_ARCHIVE};
    ASSERT(0 == setxattr("file", "system.ntfs_attrib_be", seta, 4, 0));
    ASSERT_EQ(attrib_of("file"), FILE_ATTRIBUTE_ARCHIVE);
    /* a directory stays one; other bits do not change */
    a = FILE_ATTRIBUTE_HIDDEN;
    ASSERT(0 == setxattr("dir", "system.ntfs_attrib", &a, 4, 0));
    ASSERT_EQ(attrib_of("dir"), FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_HIDDEN);
    ASSERT_ERRNO(setxattr("file", "system.ntfs_attrib", &a, 2, 0), EINVAL);
    ASSERT_ERRNO(setxattr("file", "system.ntfs_attrib", &a, 4, XATTR_CREATE), EEXIST);
    ASSERT_ERRNO(removexattr("file", "system.ntfs_attrib"), EPERM);
    char list[256];
    ASSERT_EQ(listxattr("file", list, sizeof list), 0); /* never listed, as ntfs-3g */
}

/* system.ntfs_times / _crtime: the four times; the creation time is statx's birth time. */
static void ntfs_times_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    UINT64 t[4];
    ASSERT_EQ(getxattr("file", "system.ntfs_times", t, sizeof t), 32);
    ASSERT_EQ(getxattr("file", "system.ntfs_times", t, 20), 16); /* what fits */
    ASSERT_ERRNO(getxattr("file", "system.ntfs_times", t, 4), ERANGE);
    UINT64 crtime = (UINT64)(1000000000 + 11644473600LL) * 10000000; /* 2001-09-09 */
    ASSERT(0 == setxattr("file", "system.ntfs_crtime", &crtime, 8, 0));
    struct statx stx;
    ASSERT(0 == statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS | STATX_BTIME, &stx));
    ASSERT(stx.stx_mask & STATX_BTIME);
    ASSERT_EQ(stx.stx_btime.tv_sec, 1000000000);
    UINT64 be;
    ASSERT_EQ(getxattr("file", "system.ntfs_crtime_be", &be, 8), 8);
    ASSERT_EQ(__builtin_bswap64(be), crtime);
    /* creation and write times at once: the write time is mtime */
    UINT64 two[2] = {crtime + 10000000, crtime + 20000000};
    ASSERT(0 == setxattr("file", "system.ntfs_times", two, 16, 0));
    ASSERT_EQ(getxattr("file", "system.ntfs_times", t, sizeof t), 32);
    ASSERT_EQ(t[0], crtime + 10000000);
    struct stat st;
    ASSERT(0 == stat("file", &st));
    /* with the writeback cache the kernel owns the mtime of a regular file and writes its own
     * back (doc/ntfs-compatibility.md) */
    if (!fsp_tests_options.writeback) {
        ASSERT_EQ(t[1], crtime + 20000000);
        ASSERT_EQ(st.st_mtime, 1000000002);
    }
    /* asked afresh, the engine's attribute cache has let go of the old times */
    ASSERT(0 == statx(AT_FDCWD, "file", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS | STATX_BTIME, &stx));
    ASSERT(stx.stx_mask & STATX_BTIME);
    ASSERT_EQ(stx.stx_btime.tv_sec, 1000000001);
    if (!fsp_tests_options.writeback)
        ASSERT_EQ(stx.stx_mtime.tv_sec, 1000000002);
    ASSERT_ERRNO(removexattr("file", "system.ntfs_times"), EPERM);
}

static int read_xattr_as_user(void *arg)
{
    char buf[4096];
    ssize_t n = getxattr("file", (const char *)arg, buf, sizeof buf);
    return n >= 0 ? 0 : errno;
}

static int set_acl_as_user(void *arg)
{
    (void)arg;
    uint32_t a = FILE_ATTRIBUTE_HIDDEN;
    return 0 == setxattr("file", "system.ntfs_attrib", &a, 4, 0) ? 0 : errno;
}

/* system.ntfs_acl: the descriptor; a set is checked, applied and seen by the kernel at once. */
/*
 * A new security descriptor through system.ntfs_acl (or a POSIX ACL) changes the file's ctime
 * as chmod(2) does, also on a file system that leaves the times to WinFsp's Cleanup flags
 * (winfsp-memfs); the mtime stays.
 */
static void ntfs_acl_ctime_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file", old, 0));
    char sd[4096];
    ssize_t n = getxattr("file", "system.ntfs_acl", sd, sizeof sd);
    ASSERT(n > 20);
    struct stat st0, st1;
    ASSERT(0 == stat("file", &st0));
    struct timespec pause = {0, 30000000};
    nanosleep(&pause, NULL);
    ASSERT(0 == setxattr("file", "system.ntfs_acl", sd, (size_t)n, 0));
    /* asked afresh: not the engine's or the kernel's cached attributes */
    struct statx sx;
    ASSERT(0 == statx(AT_FDCWD, "file", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx));
    ASSERT(0 == stat("file", &st1));
    ASSERT(st1.st_ctim.tv_sec > st0.st_ctim.tv_sec ||
           (st1.st_ctim.tv_sec == st0.st_ctim.tv_sec && st1.st_ctim.tv_nsec > st0.st_ctim.tv_nsec));
    ASSERT_EQ(st1.st_mtim.tv_sec, 1000000000);
}

static void ntfs_acl_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    ASSERT(0 == chmod("file", 0644));
    char sd[4096];
    ssize_t n = getxattr("file", "system.ntfs_acl", sd, sizeof sd);
    ASSERT(n > 20);
    ASSERT(FspIsValidSecurityDescriptor(sd, (SIZE_T)n));
    UINT32 uid, gid, mode;
    ASSERT_EQ(FspPosixMapSecurityDescriptorToPermissions(sd, &uid, &gid, &mode), STATUS_SUCCESS);
    ASSERT_EQ(mode, 0644);
    PSECURITY_DESCRIPTOR nsd = 0;
    ASSERT_EQ(FspPosixMapPermissionsToSecurityDescriptor(geteuid(), 1234, 0600, &nsd), STATUS_SUCCESS);
    ULONG len = FspGetSecurityDescriptorLength(nsd);
    int r = setxattr("file", "system.ntfs_acl", nsd, len, 0);
    int bad = setxattr("file", "system.ntfs_acl", nsd, len - 4, 0) ? errno : 0;
    free(nsd);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(bad, EINVAL);
    struct stat st; /* the kernel's cached view follows at once */
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_mode & 07777, 0600);
    ASSERT_EQ(st.st_gid, 1234);
    ASSERT_ERRNO(removexattr("file", "system.ntfs_acl"), EPERM);
    if (0 == geteuid()) {
        /* reading needs read access to the file; setting, ownership */
        ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, read_xattr_as_user, "system.ntfs_acl"), EACCES);
        ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, read_xattr_as_user, "security.NTACL"), EACCES);
        ASSERT(0 == chmod("file", 0644));
        ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, read_xattr_as_user, "system.ntfs_acl"), 0);
        ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, set_acl_as_user, 0), EPERM);
    }
}

/* setxattr(2) of a descriptor made by the mode mapping (or an SDDL string when sddl). */
static int set_sd(const char *path, const char *name, uint32_t uid, uint32_t gid, uint32_t mode,
                  const wchar_t *sddl)
{
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS st = sddl ? FspSddlToSecurityDescriptor(sddl, &sd, 0)
                       : FspPosixMapPermissionsToSecurityDescriptor(uid, gid, mode, &sd);
    if (!NT_SUCCESS(st))
        return -1;
    ULONG len = FspGetSecurityDescriptorLength(sd);
    int r;
    if (0 == strcmp(name, "security.NTACL")) {
        /* version 1: 8 header bytes, the offsets counted from the blob's start */
        unsigned char *b = calloc(1, 8 + len);
        b[0] = 1, b[2] = 1, b[6] = 2;
        memcpy(b + 8, sd, len);
        for (int i = 4; i < 20; i += 4) {
            UINT32 off;
            memcpy(&off, b + 8 + i, 4);
            if (off)
                off += 8;
            memcpy(b + 8 + i, &off, 4);
        }
        r = setxattr(path, name, b, 8 + len, 0) ? errno : 0;
        free(b);
    } else
        r = setxattr(path, name, sd, len, 0) ? errno : 0;
    free(sd);
    return r;
}

/* What the file's owner may do with system.ntfs_acl: no more than chown(2) and chmod(2). */
static int owner_sets_as_user(void *arg)
{
    (void)arg;
    static const struct {
        const char *path, *name;
        uint32_t uid, gid, mode;
        const wchar_t *sddl;
        int want;
    } c[] = {
        {"mine", "system.ntfs_acl", NOBODY, NOBODY, 0640, 0, 0},
        {"mine", "system.ntfs_acl", 0, NOBODY, 0640, 0, EPERM},           /* give it away */
        {"mine", "system.ntfs_acl", NOBODY, 0, 0640, 0, EPERM},           /* a group not mine */
        {"mine", "system.ntfs_acl", NOBODY, NOBODY, 02750, 0, 0},         /* set-group-ID, my group */
        {"theirs", "system.ntfs_acl", NOBODY, 0, 02750, 0, EPERM},        /* set-group-ID, not my group */
        {"theirs", "system.ntfs_acl", NOBODY, 0, 0700, 0, 0},
        {"mine", "system.ntfs_acl", 0, 0, 0,
         L"O:S-1-22-1-65534G:S-1-22-2-65534D:(A;;FA;;;S-1-22-1-65534)S:(AU;SA;FW;;;WD)", EPERM}, /* a SACL */
        {"mine", "security.NTACL", NOBODY, NOBODY, 0600, 0, EPERM},       /* security.*: CAP_SYS_ADMIN */
        /* not the owner: nothing, though the file is writable */
        {"rootfile", "system.ntfs_acl", 0, 0, 0666, 0, EPERM},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int r = set_sd(c[i].path, c[i].name, c[i].uid, c[i].gid, c[i].mode, c[i].sddl);
        if (r != c[i].want) {
            fprintf(stderr, "    case %zu: %s of %s gave %d, expected %d\n", i, c[i].name, c[i].path, r, c[i].want);
            return 100 + (int)i;
        }
    }
    uint32_t a = FILE_ATTRIBUTE_HIDDEN;
    UINT64 t = 116444736000000000ULL;
    unsigned char v5[24] = {0, 0, 5, 0, 5, 0, 0, 0, 0x01, 0, 0, 0, 0x02, 0, 0, 0};
    unsigned char rp[12] = {0x13, 0, 0, 0x80, 4, 0, 0, 0, 'd', 'a', 't', 'a'};
    if (!setxattr("rootfile", "system.ntfs_attrib", &a, 4, 0) || EPERM != errno)
        return 1;
    if (!setxattr("rootfile", "system.ntfs_crtime", &t, 8, 0) || EPERM != errno)
        return 2;
    if (!setxattr("rootfile", "user.DOSATTRIB", v5, sizeof v5, 0) || EPERM != errno)
        return 3;
    if (!setxattr("rootfile", "system.ntfs_reparse_data", rp, sizeof rp, 0) || EPERM != errno)
        return 4;
    /* the owner may */
    if (setxattr("mine", "system.ntfs_attrib", &a, 4, 0) || setxattr("mine", "user.DOSATTRIB", v5, sizeof v5, 0))
        return 5;
    /* every capability in a user namespace of one's own is none over the mount */
    if (0 == unshare(CLONE_NEWUSER)) {
        int r = set_sd("mine", "system.ntfs_acl", 0, 0, 04755, 0);
        if (EPERM != r) {
            fprintf(stderr, "    in a user namespace of its own: giving the file to root gave %d\n", r);
            return 6;
        }
        if (!setxattr("rootfile", "system.ntfs_attrib", &a, 4, 0) || EPERM != errno)
            return 7;
    } else
        fprintf(stderr, "    (no user namespace: %s)\n", strerror(errno));
    return 0;
}

/*
 * Setting NTFS data gives no caller more than Linux would: the owner may change the ACL but not
 * give the file away, nor take a group it is not in, nor set the set-group-ID bit on such a
 * group, nor set a SACL; security.NTACL needs CAP_SYS_ADMIN; a non-owner with write access
 * changes no attributes, times, reparse data or descriptor. Root may do all of it.
 */
static void ntfs_owner_rules_test(void)
{
    need_linfsp();
    fsp_tests_need_root();
    fsp_tests_write_file("mine", "x", 1);
    fsp_tests_write_file("theirs", "x", 1);
    fsp_tests_write_file("rootfile", "x", 1);
    ASSERT(0 == chown("mine", NOBODY, NOBODY));
    ASSERT(0 == chown("theirs", NOBODY, 0));
    ASSERT(0 == chmod("rootfile", 0666));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, owner_sets_as_user, 0), 0);
    struct stat st;
    ASSERT(0 == stat("mine", &st));
    ASSERT_EQ(st.st_uid, NOBODY);
    ASSERT_EQ(st.st_gid, NOBODY);
    ASSERT(0 == stat("theirs", &st));
    ASSERT_EQ(st.st_mode & 07777, 0700);
    ASSERT(0 == stat("rootfile", &st));
    ASSERT_EQ(st.st_mode & 07777, 0666);
    /* root gives files away and sets what it likes */
    ASSERT_EQ(set_sd("rootfile", "system.ntfs_acl", NOBODY - 1, NOBODY - 1, 02640, 0), 0);
    ASSERT(0 == stat("rootfile", &st));
    ASSERT_EQ(st.st_uid, NOBODY - 1);
    ASSERT_EQ(st.st_gid, NOBODY - 1);
    ASSERT_EQ(st.st_mode & 07777, 02640);
    ASSERT_EQ(set_sd("rootfile", "security.NTACL", 0, 0, 0600, 0), 0);
    ASSERT(0 == stat("rootfile", &st));
    ASSERT_EQ(st.st_uid, 0);
    ASSERT_EQ(st.st_mode & 07777, 0600);
}

/* system.ntfs_reparse_data: any reparse point but the ones that are Linux file types. */
static void ntfs_reparse_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    char buf[64];
    ASSERT_ERRNO(getxattr("file", "system.ntfs_reparse_data", buf, sizeof buf), ENODATA);
    unsigned char rp[8 + 4] = {0x13, 0, 0, 0x80, 4, 0, 0, 0, 'd', 'a', 't', 'a'}; /* IO_REPARSE_TAG_DEDUP */
    ASSERT(0 == setxattr("file", "system.ntfs_reparse_data", rp, sizeof rp, 0));
    ASSERT_EQ(getxattr("file", "system.ntfs_reparse_data", buf, sizeof buf), sizeof rp);
    ASSERT(0 == memcmp(buf, rp, sizeof rp));
    ASSERT(attrib_of("file") & FILE_ATTRIBUTE_REPARSE_POINT);
    /* still a regular file to Linux: opened, created over, read */
    int fd = open("file", O_CREAT | O_RDWR, 0644);
    ASSERT(fd >= 0);
    close(fd);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), 1);
    ASSERT_ERRNO(setxattr("file", "system.ntfs_reparse_data", rp, sizeof rp, XATTR_CREATE), EEXIST);
    ASSERT_ERRNO(setxattr("file", "system.ntfs_reparse_data", rp, sizeof rp - 1, 0), EINVAL);
    ASSERT(0 == removexattr("file", "system.ntfs_reparse_data"));
    ASSERT(!(attrib_of("file") & FILE_ATTRIBUTE_REPARSE_POINT));
    /* symlinks stay what the kernel knows: neither made nor removed this way */
    unsigned char sl[8] = {0x0c, 0, 0, 0xa0, 0, 0, 0, 0};
    ASSERT_ERRNO(setxattr("file", "system.ntfs_reparse_data", sl, sizeof sl, 0), EPERM);
    ASSERT(0 == symlink("target", "link"));
    char rbuf[1024];
    ASSERT(lgetxattr("link", "system.ntfs_reparse_data", rbuf, sizeof rbuf) > 8);
    ASSERT_ERRNO(lremovexattr("link", "system.ntfs_reparse_data"), EPERM);
}

/* user.DOSATTRIB: Samba's NDR blob (version 5) from the attributes; writes of any version. */
static void samba_dosattrib_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    unsigned char b[256];
    ASSERT_EQ(getxattr("file", "user.DOSATTRIB", b, sizeof b), 24);
    ASSERT_EQ(b[2], 5);          /* version */
    ASSERT_EQ(b[8], 0x11);       /* valid: attributes and creation time */
    ASSERT_EQ(b[12], FILE_ATTRIBUTE_ARCHIVE);
    UINT64 ct;
    memcpy(&ct, b + 16, 8);
    UINT64 t[4];
    ASSERT_EQ(getxattr("file", "system.ntfs_times", t, sizeof t), 32);
    ASSERT_EQ(ct, t[0]);
    /* Samba's own write: version 5, hidden + archive, a creation time */
    unsigned char v5[24] = {0, 0, 5, 0, 5, 0, 0, 0, 0x11, 0, 0, 0, 0x22, 0, 0, 0};
    UINT64 crtime = (UINT64)(1000000000 + 11644473600LL) * 10000000;
    memcpy(v5 + 16, &crtime, 8);
    ASSERT(0 == setxattr("file", "user.DOSATTRIB", v5, sizeof v5, 0));
    ASSERT_EQ(attrib_of("file"), FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_ARCHIVE);
    struct statx stx;
    ASSERT(0 == statx(AT_FDCWD, "file", 0, STATX_BTIME, &stx));
    ASSERT_EQ(stx.stx_btime.tv_sec, 1000000000);
    /* the valid flags count: attributes only */
    v5[8] = 0x01, v5[12] = 0x01;
    memset(v5 + 16, 0, 8);
    ASSERT(0 == setxattr("file", "user.DOSATTRIB", v5, sizeof v5, 0));
    ASSERT_EQ(attrib_of("file"), FILE_ATTRIBUTE_READONLY);
    ASSERT(0 == statx(AT_FDCWD, "file", 0, STATX_BTIME, &stx));
    ASSERT_EQ(stx.stx_btime.tv_sec, 1000000000);
    ASSERT(0 == setxattr("file", "user.DOSATTRIB", "0x2", 3, 0)); /* the legacy form */
    ASSERT_EQ(attrib_of("file"), FILE_ATTRIBUTE_HIDDEN);
    ASSERT_ERRNO(setxattr("file", "user.DOSATTRIB", "\0\0\x07\0\x07\0", 6, 0), EINVAL);
    ASSERT_ERRNO(removexattr("file", "user.DOSATTRIB"), EPERM);
    char list[256];
    ASSERT_EQ(listxattr("file", list, sizeof list), 0);
}

/* security.NTACL: a version 1 blob of the real descriptor; Samba's version 4 writes apply. */
static void samba_ntacl_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "x", 1);
    unsigned char blob[4096], sd[4096];
    ssize_t bn = getxattr("file", "security.NTACL", blob, sizeof blob);
    ssize_t sn = getxattr("file", "system.ntfs_acl", sd, sizeof sd);
    ASSERT(sn > 20 && bn == sn + 8);
    ASSERT(1 == blob[0] && 1 == blob[2]);
    /* the descriptor's offsets count from the blob's start (NDR) */
    UINT32 owner;
    memcpy(&owner, blob + 8 + 4, 4);
    UINT32 sdowner;
    memcpy(&sdowner, sd + 4, 4);
    ASSERT_EQ(owner, sdowner + 8);
    /* a version 4 blob (as Samba writes) of a descriptor with mode 0640, group 77 */
    PSECURITY_DESCRIPTOR nsd = 0;
    ASSERT_EQ(FspPosixMapPermissionsToSecurityDescriptor(geteuid(), 77, 0640, &nsd), STATUS_SUCCESS);
    ULONG len = FspGetSecurityDescriptorLength(nsd);
    unsigned char v4[4096];
    memset(v4, 0, sizeof v4);
    v4[0] = 4, v4[2] = 4, v4[6] = 2, v4[10] = 2; /* version, discriminant, pointers */
    v4[12] = 1;                                   /* hash type SHA256 (not checked) */
    memcpy(v4 + 78, "posix_acl", 10);             /* description */
    memcpy(v4 + 160, nsd, len);
    for (int i = 4; i < 20; i += 4) {
        UINT32 off;
        memcpy(&off, v4 + 160 + i, 4);
        if (off)
            off += 160;
        memcpy(v4 + 160 + i, &off, 4);
    }
    free(nsd);
    ASSERT(0 == setxattr("file", "security.NTACL", v4, 160 + len, 0));
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_mode & 07777, 0640);
    ASSERT_EQ(st.st_gid, 77);
    ASSERT_ERRNO(setxattr("file", "security.NTACL", v4, 100, 0), EINVAL);
}

/* user.DosStream.NAME:$DATA: the named stream NAME (data and a NUL), never an EA. */
static void samba_stream_test(void)
{
    need_linfsp();
    fsp_tests_write_file("file", "main", 4);
    /* a file system without named streams (NamedStreams, GetStreamInfo) keeps the names as EAs:
     * a value then reads back without the NUL a stream's gets */
    char probe[8];
    ASSERT(0 == setxattr("file", "user.DosStream.probe:$DATA", "p", 1, 0));
    ssize_t pn = getxattr("file", "user.DosStream.probe:$DATA", probe, sizeof probe);
    ASSERT(0 == removexattr("file", "user.DosStream.probe:$DATA"));
    if (1 == pn)
        tlib_skip("no named streams here (the names are EAs)");
    ASSERT_EQ(pn, 2);
    ASSERT(0 == setxattr("file", "user.DosStream.one:$DATA", "first\0", 6, 0));
    ASSERT(0 == setxattr("file", "user.DosStream.two:$DATA", "second", 6, XATTR_CREATE));
    char buf[256];
    ASSERT_EQ(getxattr("file", "user.DosStream.one:$DATA", buf, sizeof buf), 6);
    ASSERT(0 == memcmp(buf, "first", 6));
    ASSERT_EQ(getxattr("file", "user.DosStream.two:$DATA", buf, sizeof buf), 7);
    ASSERT(0 == memcmp(buf, "second", 7));
    ASSERT_ERRNO(setxattr("file", "user.DosStream.one:$DATA", "x", 1, XATTR_CREATE), EEXIST);
    ASSERT_ERRNO(setxattr("file", "user.DosStream.three:$DATA", "x", 1, XATTR_REPLACE), ENODATA);
    ASSERT_ERRNO(getxattr("file", "user.DosStream.three:$DATA", buf, sizeof buf), ENODATA);
    ASSERT_ERRNO(setxattr("file", "user.DosStream.bad", "x", 1, 0), EINVAL);
    ssize_t n = listxattr("file", buf, sizeof buf);
    ASSERT(n > 0);
    int found = 0;
    for (char *p = buf; p < buf + n; p += strlen(p) + 1)
        found += !strcmp(p, "user.DosStream.one:$DATA") + !strcmp(p, "user.DosStream.two:$DATA");
    ASSERT_EQ(found, 2);
    /* an empty stream */
    ASSERT(0 == setxattr("file", "user.DosStream.empty:$DATA", "", 0, 0));
    ASSERT_EQ(getxattr("file", "user.DosStream.empty:$DATA", buf, sizeof buf), 1);
    ASSERT(0 == removexattr("file", "user.DosStream.one:$DATA"));
    ASSERT_ERRNO(getxattr("file", "user.DosStream.one:$DATA", buf, sizeof buf), ENODATA);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), 4);
    /* a stream bigger than an xattr value is read up to the limit */
    char *big = calloc(1, 65535);
    ASSERT(big);
    memset(big, 'b', 65535);
    int r = setxattr("file", "user.DosStream.big:$DATA", big, 65535, 0);
    ssize_t bn = getxattr("file", "user.DosStream.big:$DATA", 0, 0);
    free(big);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(bn, 65536);
    if (fsp_tests_internal()) {
        /* they are memfs's streams: open natively */
        FSP_FILE_SYSTEM *fs = fsp_tests_fs();
        WCHAR name[512];
        const char *dir = fsp_tests_dir() + strlen(fsp_tests_root());
        swprintf(name, ARRAYSIZE(name), L"%s\\file:two", dir);
        for (WCHAR *p = name; *p; p++)
            if (L'/' == *p)
                *p = L'\\';
        PVOID ctx;
        FSP_FSCTL_FILE_INFO info;
        NTSTATUS s = fs->Interface->Open(fs, name, 0, FILE_GENERIC_READ, &ctx, &info);
        if (NT_SUCCESS(s)) {
            fs->Interface->Cleanup(fs, ctx, 0, 0);
            fs->Interface->Close(fs, ctx);
        }
        ASSERT_EQ(s, STATUS_SUCCESS);
        ASSERT_EQ(info.FileSize, 6);
    }
}

static int cat_as_user(void *arg)
{
    int fd = open((const char *)arg, O_RDONLY);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* POSIX ACLs are the DACL's entries, and the kernel enforces them. */
static void posix_acl_enforced_test(void)
{
    need_linfsp();
    fsp_tests_need_root();
    fsp_tests_write_file("file", "secret", 6);
    ASSERT(0 == chmod("file", 0600));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, cat_as_user, "file"), EACCES);
    /* user:65534:r--, mask::r-- */
    unsigned char acl[4 + 5 * 8] = {2, 0, 0, 0,
                                    1, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,  /* USER_OBJ rw- */
                                    2, 0, 4, 0, 0xfe, 0xff, 0, 0,        /* USER 65534 r-- */
                                    4, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,  /* GROUP_OBJ --- */
                                    0x10, 0, 4, 0, 0xff, 0xff, 0xff, 0xff, /* MASK r-- */
                                    0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}; /* OTHER --- */
    ASSERT(0 == setxattr("file", "system.posix_acl_access", acl, sizeof acl, 0));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, cat_as_user, "file"), 0);
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_mode & 0777, 0640); /* the group bits show the mask */
    unsigned char back[64];
    ASSERT_EQ(getxattr("file", "system.posix_acl_access", back, sizeof back), sizeof acl);
    ASSERT(0 == memcmp(back, acl, sizeof acl));
    /* a denying entry keeps the user out though others may read */
    ASSERT(0 == chmod("file", 0644));
    acl[4 + 8 + 2] = 0; /* USER 65534 --- */
    acl[4 + 24 + 2] = 4; /* MASK r-- */
    acl[4 + 32 + 2] = 4; /* OTHER r-- */
    ASSERT(0 == setxattr("file", "system.posix_acl_access", acl, sizeof acl, 0));
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, cat_as_user, "file"), EACCES);
    ASSERT_EQ(fsp_tests_as_user(NOBODY + 1, NOBODY + 1, cat_as_user, "file"), 0);
    /* chmod keeps the entry; removing the ACL leaves the mode */
    ASSERT(0 == chmod("file", 0640));
    ASSERT(getxattr("file", "system.posix_acl_access", back, sizeof back) > 28);
    ASSERT(0 == removexattr("file", "system.posix_acl_access"));
    ASSERT_ERRNO(getxattr("file", "system.posix_acl_access", back, sizeof back), ENODATA);
    ASSERT(0 == stat("file", &st));
    /* the mask is not stored: with no entry granting anything the group bits show none */
    ASSERT_EQ(st.st_mode & 0707, 0600);
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, cat_as_user, "file"), EACCES);
}

/* A directory's default ACL (its inheritable ACEs) goes to new files, the mode asked for limits it. */
static void posix_acl_default_test(void)
{
    need_linfsp();
    fsp_tests_need_root();
    ASSERT(0 == mkdir("dir", 0700));
    ASSERT(0 == chmod("dir", 0755));
    unsigned char acl[4 + 5 * 8] = {2, 0, 0, 0,
                                    1, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
                                    2, 0, 6, 0, 0xfe, 0xff, 0, 0,
                                    4, 0, 5, 0, 0xff, 0xff, 0xff, 0xff,
                                    0x10, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
                                    0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    ASSERT(0 == setxattr("dir", "system.posix_acl_default", acl, sizeof acl, 0));
    mode_t old = umask(077); /* a default ACL overrides the umask */
    int fd = open("dir/new", O_CREAT | O_WRONLY, 0640);
    umask(old);
    ASSERT(fd >= 0);
    close(fd);
    struct stat st;
    ASSERT(0 == stat("dir/new", &st));
    ASSERT_EQ(st.st_mode & 0777, 0640);
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, cat_as_user, "dir/new"), 0);
    ASSERT_EQ(fsp_tests_as_user(NOBODY + 1, NOBODY + 1, cat_as_user, "dir/new"), EACCES);
    ASSERT(0 == mkdir("dir/sub", 0777));
    unsigned char back[64];
    ASSERT_EQ(getxattr("dir/sub", "system.posix_acl_default", back, sizeof back), sizeof acl);
    /* without a default ACL the umask applies */
    old = umask(027);
    fd = open("plain", O_CREAT | O_WRONLY, 0666);
    umask(old);
    ASSERT(fd >= 0);
    close(fd);
    ASSERT(0 == stat("plain", &st));
    ASSERT_EQ(st.st_mode & 0777, 0640);
}

static int set_label_as_user(void *arg)
{
    char label[FSLABEL_MAX];
    memset(label, 0, sizeof label);
    strcpy(label, (const char *)arg);
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return 200;
    int r = ioctl(fd, FS_IOC_SETFSLABEL, label) ? errno : 0;
    int g = ioctl(fd, FS_IOC_GETFSLABEL, label) ? errno : 0; /* anyone reads it */
    /* nor with the capabilities of a user namespace of its own */
    int u = 0 == unshare(CLONE_NEWUSER) && 0 == ioctl(fd, FS_IOC_SETFSLABEL, label) ? 201 : 0;
    close(fd);
    return r ? r : g ? 100 + g : u;
}

/* FS_IOC_GETFSLABEL / FS_IOC_SETFSLABEL reach the volume label (setting it: CAP_SYS_ADMIN). */
static void volume_label_test(void)
{
    need_linfsp();
    fsp_tests_need_root();
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    ASSERT(fd >= 0);
    char label[FSLABEL_MAX], back[FSLABEL_MAX];
    memset(label, 0, sizeof label);
    memset(back, 0, sizeof back);
    int g0 = ioctl(fd, FS_IOC_GETFSLABEL, back);
    strcpy(label, "Volume \xc3\xa9t\xc3\xa9");
    int s = ioctl(fd, FS_IOC_SETFSLABEL, label);
    if (-1 == s && ENOTTY == errno) {
        close(fd);
        tlib_skip("no SetVolumeLabel");
    }
    int g = ioctl(fd, FS_IOC_GETFSLABEL, back);
    memset(label, 'x', 40);
    int toolong = ioctl(fd, FS_IOC_SETFSLABEL, label) ? errno : 0;
    close(fd);
    ASSERT_EQ(g0, 0);
    ASSERT_EQ(s, 0);
    ASSERT_EQ(g, 0);
    ASSERT(0 == strcmp(back, "Volume \xc3\xa9t\xc3\xa9"));
    ASSERT_EQ(toolong, EINVAL);
    ASSERT_EQ(fsp_tests_as_user(NOBODY, NOBODY, set_label_as_user, "mine"), EPERM);
    fd = open(".", O_RDONLY | O_DIRECTORY);
    ASSERT(fd >= 0);
    memset(back, 0, sizeof back);
    g = ioctl(fd, FS_IOC_GETFSLABEL, back);
    close(fd);
    ASSERT_EQ(g, 0);
    ASSERT(0 == strcmp(back, "Volume \xc3\xa9t\xc3\xa9"));
}

/* Case-insensitive volumes fold by a fixed table, and no failed lookup hides a new spelling. */
static void case_fold_test(void)
{
    need_linfsp();
    if (!fsp_tests_options.case_insensitive)
        tlib_skip("needs --case-insensitive");
    struct stat st;
    fsp_tests_write_file("caf\xc3\xa9", "x", 1);             /* café, in the C locale */
    ASSERT(0 == stat("CAF\xc3\x89", &st));                   /* CAFÉ */
    ASSERT_EQ(st.st_size, 1);
    ASSERT_ERRNO(stat("FILE.TXT", &st), ENOENT);             /* the kernel may cache this */
    fsp_tests_write_file("File.txt", "abc", 3);
    ASSERT(0 == stat("FILE.TXT", &st));
    int fd = open("FILE.TXT", O_CREAT | O_RDWR, 0644);      /* opens File.txt */
    ASSERT(fd >= 0);
    close(fd);
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
    ASSERT_ERRNO(open("file.TXT", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
}

/* Without POSIX ACL support an ACL is never stored: it would not be enforced. */
static void posix_acl_unenforced_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_need_root();
    const char *tmp = getenv("TMPDIR");
    char path[256];
    snprintf(path, sizeof path, "%s/fsp-tests-noacl.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ASSERT(mkdtemp(path));
    MEMFS *m = 0;
    NTSTATUS st = MemfsCreate(MemfsDisk, 0, 64, 16 * 1024 * 1024, 0, 0, &m);
    int set_err = -1, get_err = -1, ea_err = -1;
    if (NT_SUCCESS(st)) {
        FSP_FILE_SYSTEM *fs = MemfsFileSystem(m);
        fs->VolumeParams.XattrsPassThrough = 1; /* a file system whose EAs are someone else's */
        WCHAR w[256];
        mbstowcs(w, path, 256);
        st = FspFileSystemSetMountPoint(fs, w);
        if (NT_SUCCESS(st))
            st = MemfsStart(m);
        if (NT_SUCCESS(st)) {
            char f[300];
            snprintf(f, sizeof f, "%s/f", path);
            int fd = open(f, O_CREAT | O_WRONLY, 0644);
            if (fd >= 0)
                close(fd);
            unsigned char acl[4 + 3 * 8] = {2, 0, 0, 0, 1, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
                                            4, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
                                            0x20, 0, 4, 0, 0xff, 0xff, 0xff, 0xff};
            set_err = setxattr(f, "system.posix_acl_access", acl, sizeof acl, 0) ? errno : 0;
            char b[64];
            get_err = getxattr(f, "system.posix_acl_access", b, sizeof b) < 0 ? errno : 0;
            ea_err = setxattr(f, "user.DOSATTRIB", "plain", 5, 0) ? errno : 0; /* an EA there */
            MemfsStop(m);
        }
        FspFileSystemRemoveMountPoint(fs);
        MemfsDelete(m);
    }
    rmdir(path);
    ASSERT_EQ(st, STATUS_SUCCESS);
    ASSERT_EQ(set_err, EOPNOTSUPP);
    ASSERT_EQ(get_err, EOPNOTSUPP);
    ASSERT_EQ(ea_err, 0);
}

void ntfs_tests(void)
{
    TLIB_ADD_TEST("ntfs", ntfs_attrib_test);
    TLIB_ADD_TEST("ntfs", ntfs_times_test);
    TLIB_ADD_TEST("ntfs", ntfs_acl_test);
    TLIB_ADD_TEST("ntfs", ntfs_acl_ctime_test);
    TLIB_ADD_TEST("ntfs", ntfs_owner_rules_test);
    TLIB_ADD_TEST("ntfs", ntfs_reparse_test);
    TLIB_ADD_TEST("ntfs", samba_dosattrib_test);
    TLIB_ADD_TEST("ntfs", samba_ntacl_test);
    TLIB_ADD_TEST("ntfs", samba_stream_test);
    TLIB_ADD_TEST("ntfs", posix_acl_enforced_test);
    TLIB_ADD_TEST("ntfs", posix_acl_default_test);
    TLIB_ADD_TEST("ntfs", posix_acl_unenforced_test);
    TLIB_ADD_TEST("ntfs", volume_label_test);
    TLIB_ADD_TEST("ntfs", case_fold_test);
}
