/*
 * tests/fsp-tests/badfs-test.c - group "badfs": a file system that returns impossible data.
 *
 * The engine must validate what a file system returns: a caller gets EIO (or the entry is
 * left out of a listing), the process keeps serving, and memory is never corrupted (the
 * sanitizer build proves the last part). badfs is mounted in-process on its own directory
 * for the whole group and unmounted at exit.
 *
 *   \ok           a regular file holding "ok\n"
 *   \hugesize     FileSize beyond what Linux can show (> INT64_MAX)
 *   \overread     Read reports more bytes than were asked for
 *   \badsd        GetSecurity returns bytes that are no security descriptor
 *   \badlink      a symlink whose reparse data is truncated
 *   \malformed\   ReadDirectory returns a record whose size runs past the buffer
 *   root listing  also holds names Linux cannot show: an invalid code point, a name with
 *                 a path separator in it, a 300-character name; they are left out
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

enum badfs_file { BAD_ROOT = 1, BAD_OK, BAD_HUGESIZE, BAD_OVERREAD, BAD_BADSD, BAD_BADLINK, BAD_MALFORMED };

static const struct {
    const WCHAR *name;
    enum badfs_file id;
} badfs_names[] = {
    {L"\\", BAD_ROOT},           {L"\\ok", BAD_OK},           {L"\\hugesize", BAD_HUGESIZE},
    {L"\\overread", BAD_OVERREAD}, {L"\\badsd", BAD_BADSD},   {L"\\badlink", BAD_BADLINK},
    {L"\\malformed", BAD_MALFORMED},
};

static FSP_FILE_SYSTEM *badfs;
static char badfs_root[PATH_MAX];
static PSECURITY_DESCRIPTOR badfs_dir_sd, badfs_file_sd;

static enum badfs_file lookup(PCWSTR name)
{
    for (size_t i = 0; i < sizeof badfs_names / sizeof badfs_names[0]; i++)
        if (0 == wcscmp(name, badfs_names[i].name))
            return badfs_names[i].id;
    return 0;
}

static bool is_dir(enum badfs_file f)
{
    return BAD_ROOT == f || BAD_MALFORMED == f;
}

static void fill_info(enum badfs_file f, FSP_FSCTL_FILE_INFO *info)
{
    memset(info, 0, sizeof *info);
    info->FileAttributes = is_dir(f) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL;
    info->FileSize = BAD_OK == f || BAD_OVERREAD == f ? 3 : 0;
    if (BAD_HUGESIZE == f)
        info->FileSize = UINT64_MAX - 1;
    if (BAD_BADLINK == f) {
        info->FileAttributes |= FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_SYMLINK;
    }
    info->AllocationSize = 4096;
    info->CreationTime = info->LastAccessTime = info->LastWriteTime = info->ChangeTime =
        116444736000000000ULL + 10000000ULL * 1700000000ULL;
    info->IndexNumber = (UINT64)f + 100;
    info->HardLinks = 1;
}

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *fs, FSP_FSCTL_VOLUME_INFO *vi)
{
    (void)fs;
    memset(vi, 0, sizeof *vi);
    vi->TotalSize = vi->FreeSize = 1 << 20;
    return STATUS_SUCCESS;
}

static NTSTATUS copy_sd(PSECURITY_DESCRIPTOR sd, PSECURITY_DESCRIPTOR out, SIZE_T *psize)
{
    SIZE_T len = FspGetSecurityDescriptorLength(sd);
    if (out) {
        if (*psize < len) {
            *psize = len;
            return STATUS_BUFFER_OVERFLOW;
        }
        memcpy(out, sd, len);
    }
    *psize = len;
    return STATUS_SUCCESS;
}

static NTSTATUS get_sd(enum badfs_file f, PSECURITY_DESCRIPTOR out, SIZE_T *psize)
{
    if (BAD_BADSD == f) {
        /* Garbage: a length that claims more than there is, no valid header. */
        static const unsigned char junk[] = {0x7f, 0xff, 0x13, 0x37, 0xff, 0xff, 0xff, 0xff};
        if (out && *psize >= sizeof junk)
            memcpy(out, junk, sizeof junk);
        *psize = sizeof junk;
        return STATUS_SUCCESS;
    }
    return copy_sd(is_dir(f) ? badfs_dir_sd : badfs_file_sd, out, psize);
}

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *fs, PWSTR name, PUINT32 pattr,
                                  PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    (void)fs;
    enum badfs_file f = lookup(name);
    if (!f)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (pattr) {
        FSP_FSCTL_FILE_INFO info;
        fill_info(f, &info);
        *pattr = info.FileAttributes;
    }
    return psize ? get_sd(f, sd, psize) : STATUS_SUCCESS;
}

static NTSTATUS Open(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access,
                     PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)options, (void)access;
    enum badfs_file f = lookup(name);
    if (!f)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    *pctx = (PVOID)(uintptr_t)f;
    fill_info(f, info);
    return STATUS_SUCCESS;
}

static VOID Close(FSP_FILE_SYSTEM *fs, PVOID ctx)
{
    (void)fs, (void)ctx;
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    fill_info((enum badfs_file)(uintptr_t)ctx, info);
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *fs, PVOID ctx, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    (void)fs;
    return get_sd((enum badfs_file)(uintptr_t)ctx, sd, psize);
}

static NTSTATUS Read(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 offset, ULONG length,
                     PULONG pbytes)
{
    (void)fs;
    enum badfs_file f = (enum badfs_file)(uintptr_t)ctx;
    if (offset >= 3)
        return STATUS_END_OF_FILE;
    ULONG n = length < 3 - offset ? length : (ULONG)(3 - offset);
    memcpy(buf, &"ok\n"[offset], n);
    *pbytes = BAD_OVERREAD == f ? length + 4096 : n; /* claims more than the buffer holds */
    return STATUS_SUCCESS;
}

static void add_entry(PVOID buf, ULONG length, PULONG pbytes, const WCHAR *name, enum badfs_file f)
{
    union {
        UINT8 bytes[sizeof(FSP_FSCTL_DIR_INFO) + 400 * sizeof(WCHAR)];
        FSP_FSCTL_DIR_INFO d;
    } u;
    size_t len = wcslen(name);
    memset(&u.d, 0, sizeof u.d);
    u.d.Size = (UINT16)(sizeof u.d + len * sizeof(WCHAR));
    fill_info(f ? f : BAD_OK, &u.d.FileInfo);
    memcpy(u.d.FileNameBuf, name, len * sizeof(WCHAR));
    FspFileSystemAddDirInfo(&u.d, buf, length, pbytes);
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR pattern, PWSTR marker,
                              PVOID buf, ULONG length, PULONG pbytes)
{
    (void)fs, (void)pattern;
    enum badfs_file f = (enum badfs_file)(uintptr_t)ctx;
    *pbytes = 0;
    if (marker)
        return FspFileSystemAddDirInfo(0, buf, length, pbytes), STATUS_SUCCESS;
    if (BAD_MALFORMED == f) {
        /* One record whose Size runs past what is reported as transferred. */
        if (length < sizeof(FSP_FSCTL_DIR_INFO) + 8)
            return STATUS_BUFFER_OVERFLOW;
        FSP_FSCTL_DIR_INFO *d = buf;
        memset(d, 0, sizeof *d + 8);
        d->Size = 0x7ff0;
        d->FileNameBuf[0] = L'x';
        *pbytes = sizeof *d + 8;
        return STATUS_SUCCESS;
    }
    WCHAR invalid[] = {L'b', L'a', L'd', (WCHAR)0x110000, 0}; /* beyond Unicode */
    WCHAR separator[] = L"has\\separator";
    WCHAR longname[301];
    for (int i = 0; i < 300; i++)
        longname[i] = L'n';
    longname[300] = 0;
    add_entry(buf, length, pbytes, L"ok", BAD_OK);
    add_entry(buf, length, pbytes, invalid, 0);
    add_entry(buf, length, pbytes, separator, 0);
    add_entry(buf, length, pbytes, longname, 0);
    add_entry(buf, length, pbytes, L"hugesize", BAD_HUGESIZE);
    add_entry(buf, length, pbytes, L"malformed", BAD_MALFORMED);
    FspFileSystemAddDirInfo(0, buf, length, pbytes);
    return STATUS_SUCCESS;
}

static NTSTATUS GetReparsePoint(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PVOID buf, PSIZE_T psize)
{
    (void)fs, (void)ctx, (void)name;
    /* A symlink reparse header that claims a long target but carries 2 bytes of it. */
    if (*psize < 16)
        return STATUS_BUFFER_TOO_SMALL;
    memset(buf, 0, 16);
    REPARSE_DATA_BUFFER *rp = buf;
    rp->ReparseTag = IO_REPARSE_TAG_SYMLINK;
    rp->ReparseDataLength = 4000;
    *psize = 10;
    return STATUS_SUCCESS;
}

static FSP_FILE_SYSTEM_INTERFACE badfs_interface = {
    .GetVolumeInfo = GetVolumeInfo,
    .GetSecurityByName = GetSecurityByName,
    .Open = Open,
    .Close = Close,
    .Read = Read,
    .GetFileInfo = GetFileInfo,
    .GetSecurity = GetSecurity,
    .ReadDirectory = ReadDirectory,
    .GetReparsePoint = GetReparsePoint,
};

static void badfs_unmount(void)
{
    if (!badfs)
        return;
    FspFileSystemStopDispatcher(badfs);
    FspFileSystemRemoveMountPoint(badfs);
    FspFileSystemDelete(badfs);
    badfs = 0;
    rmdir(badfs_root);
    FspDeleteSecurityDescriptor(badfs_dir_sd, 0);
    FspDeleteSecurityDescriptor(badfs_file_sd, 0);
}

/* Mount badfs once (first use) and chdir to it. */
static void badfs_enter(void)
{
    fsp_tests_need_internal();
    if (!badfs) {
        const char *tmp = getenv("TMPDIR");
        snprintf(badfs_root, sizeof badfs_root, "%s/fsp-tests-badfs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        ASSERT(mkdtemp(badfs_root));
        ASSERT(NT_SUCCESS(FspPosixMapPermissionsToSecurityDescriptor(0, 0, 0755, &badfs_dir_sd)));
        ASSERT(NT_SUCCESS(FspPosixMapPermissionsToSecurityDescriptor(0, 0, 0644, &badfs_file_sd)));
        FSP_FSCTL_VOLUME_PARAMS vp;
        memset(&vp, 0, sizeof vp);
        vp.SectorSize = 4096;
        vp.SectorsPerAllocationUnit = 1;
        vp.MaxComponentLength = 255;
        vp.FileInfoTimeout = 0;
        vp.CaseSensitiveSearch = 1;
        vp.CasePreservedNames = 1;
        vp.UnicodeOnDisk = 1;
        vp.PersistentAcls = 1;
        vp.ReparsePoints = 1;
        vp.ReadOnlyVolume = 1;
        wcscpy(vp.FileSystemName, L"badfs");
        NTSTATUS st = FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &badfs_interface, &badfs);
        ASSERT(NT_SUCCESS(st));
        atexit(badfs_unmount);
        WCHAR wroot[PATH_MAX];
        mbstowcs(wroot, badfs_root, PATH_MAX);
        ASSERT(NT_SUCCESS(FspFileSystemSetMountPoint(badfs, wroot)));
        ASSERT(NT_SUCCESS(FspFileSystemStartDispatcher(badfs, 2)));
    }
    ASSERT(0 == chdir(badfs_root));
}

/* After each bad answer the file system still serves a good one. */
static void assert_still_serving(void)
{
    char buf[8];
    ASSERT_EQ(3, fsp_tests_read_file("ok", buf, sizeof buf));
    ASSERT(0 == memcmp(buf, "ok\n", 3));
}

static void badfs_good_file_test(void)
{
    badfs_enter();
    struct stat st;
    ASSERT(0 == stat("ok", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(0644, st.st_mode & 07777);
    ASSERT_EQ(3, st.st_size);
    ASSERT_EQ(BAD_OK + 100, st.st_ino);
    assert_still_serving();
}

static void badfs_huge_size_test(void)
{
    badfs_enter();
    struct stat st;
    ASSERT_ERRNO(stat("hugesize", &st), EIO);
    assert_still_serving();
}

static void badfs_overread_test(void)
{
    badfs_enter();
    int fd = open("overread", O_RDONLY);
    ASSERT(-1 != fd);
    char buf[16];
    errno = 0;
    ssize_t n = read(fd, buf, sizeof buf);
    int err = errno;
    close(fd);
    ASSERT_EQ(-1, n);
    ASSERT_EQ(EIO, err);
    assert_still_serving();
}

static void badfs_bad_security_test(void)
{
    badfs_enter();
    struct stat st;
    ASSERT_ERRNO(stat("badsd", &st), EIO);
    assert_still_serving();
}

static void badfs_bad_symlink_test(void)
{
    badfs_enter();
    char target[64];
    struct stat st;
    /* Truncated reparse data: not shown as a symlink (it has no target), and readlink fails. */
    if (0 == lstat("badlink", &st))
        ASSERT(!S_ISLNK(st.st_mode));
    else
        ASSERT_EQ(EIO, errno);
    errno = 0;
    ASSERT_EQ(-1, readlink("badlink", target, sizeof target));
    ASSERT(EINVAL == errno || EIO == errno);
    assert_still_serving();
}

static void badfs_listing_test(void)
{
    badfs_enter();
    DIR *d = opendir(".");
    ASSERT(d);
    int ok = 0, huge = 0, malformed = 0, other = 0, dots = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (0 == strcmp(e->d_name, ".") || 0 == strcmp(e->d_name, ".."))
            dots++;
        else if (0 == strcmp(e->d_name, "ok"))
            ok++;
        else if (0 == strcmp(e->d_name, "hugesize"))
            huge++;
        else if (0 == strcmp(e->d_name, "malformed"))
            malformed++;
        else
            other++;
    }
    closedir(d);
    ASSERT_EQ(2, dots);
    ASSERT_EQ(1, ok);
    ASSERT_EQ(1, huge);
    ASSERT_EQ(1, malformed);
    ASSERT_EQ(0, other); /* the three names Linux cannot show are left out */
    assert_still_serving();
}

static void badfs_malformed_listing_test(void)
{
    badfs_enter();
    DIR *d = opendir("malformed");
    ASSERT(d);
    errno = 0;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n++;
    int err = errno;
    closedir(d);
    ASSERT_EQ(EIO, err);
    ASSERT(n <= 2); /* at most "." and ".." before the bad batch */
    assert_still_serving();
}

static void badfs_read_only_test(void)
{
    badfs_enter();
    ASSERT_ERRNO(open("newfile", O_CREAT | O_WRONLY, 0644), EROFS);
    ASSERT_ERRNO(mkdir("newdir", 0755), EROFS);
    assert_still_serving();
}

void badfs_tests(void)
{
    TLIB_ADD_TEST("badfs", badfs_good_file_test);
    TLIB_ADD_TEST("badfs", badfs_huge_size_test);
    TLIB_ADD_TEST("badfs", badfs_overread_test);
    TLIB_ADD_TEST("badfs", badfs_bad_security_test);
    TLIB_ADD_TEST("badfs", badfs_bad_symlink_test);
    TLIB_ADD_TEST("badfs", badfs_listing_test);
    TLIB_ADD_TEST("badfs", badfs_malformed_listing_test);
    TLIB_ADD_TEST("badfs", badfs_read_only_test);
}
