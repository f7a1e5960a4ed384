/*
 * tests/fsp-tests/native-test.c - the native API as seen through the mount: DeviceControl (ioctl)
 * with memfs's ROT13 control code, FspFileSystemNotify invalidating what the kernel cached,
 * FspVersion, the operation context outside operations, NTSTATUS <-> errno.
 */
#include "fsp-tests.h"
#include "memfs.h"
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#define UNKNOWN_CONTROL _IOWR('M', 'Z', char[64])

static void rot13(const char *in, char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z')
            c = (char)('A' + (c - 'A' + 13) % 26);
        out[i] = c;
    }
}

static void native_ioctl_rot13_test(void)
{
    fsp_tests_need_internal();
    char buf[64], expect[64];
    static const char text[] = "Hello, World! The quick brown fox jumps over the lazy dog 0123";
    memset(buf, 0, sizeof buf);
    memcpy(buf, text, sizeof text);
    rot13(buf, expect, sizeof buf);
    fsp_tests_write_file("file0", "content", 7);
    int fd = open("file0", O_RDONLY);
    ASSERT(-1 != fd);
    int r1 = ioctl(fd, MEMFS_CONTROL_ROT13, buf);
    char twice[64];
    memcpy(twice, buf, sizeof twice);
    int r2 = ioctl(fd, MEMFS_CONTROL_ROT13, twice);
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT(0 == memcmp(buf, expect, sizeof buf));
    ASSERT(0 == memcmp(buf, "Uryyb, Jbeyq!", 13));
    ASSERT_EQ(r2, 0);
    ASSERT(0 == memcmp(twice, text, sizeof text)); /* ROT13 twice is the identity */
    /* the control code leaves the file alone */
    char data[16] = {0};
    ASSERT_EQ(fsp_tests_read_file("file0", data, sizeof data), 7);
    ASSERT(0 == memcmp(data, "content", 7));
    /* on a file opened for writing and on a directory */
    fd = open("file0", O_WRONLY);
    ASSERT(-1 != fd);
    memcpy(buf, "abc", 4);
    r1 = ioctl(fd, MEMFS_CONTROL_ROT13, buf);
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT(0 == memcmp(buf, "nop", 4));
    fd = open(".", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    memcpy(buf, "Zz", 3);
    r1 = ioctl(fd, MEMFS_CONTROL_ROT13, buf);
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT(0 == memcmp(buf, "Mm", 3));
}

static void native_ioctl_unknown_test(void)
{
    char buf[64] = "unchanged";
    fsp_tests_write_file("file0", 0, 0);
    int fd = open("file0", O_RDONLY);
    ASSERT(-1 != fd);
    errno = 0;
    int r = ioctl(fd, UNKNOWN_CONTROL, buf);
    int e = errno;
    close(fd);
    ASSERT_EQ(r, -1);
    ASSERT_EQ(e, ENOTTY);
    ASSERT(0 == strcmp(buf, "unchanged"));
}

static void native_version_test(void)
{
    UINT32 version = 0xdeadbeef;
    ASSERT_EQ(FspVersion(&version), STATUS_SUCCESS);
    ASSERT_EQ(version, (UINT32)FSP_VERSION_MAJOR << 16 | FSP_VERSION_MINOR);
    ASSERT(0 != version);
}

static void native_operation_context_test(void)
{
    /* outside an operation there is no context (this thread is no dispatcher thread) */
    ASSERT(NULL == FspFileSystemGetOperationContext());
    ASSERT(FspFileSystemIsOperationCaseSensitive());
    /* still none after operations ran on the mount */
    fsp_tests_write_file("file0", "x", 1);
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT(NULL == FspFileSystemGetOperationContext());
}

static void native_ntstatus_test(void)
{
    ASSERT_EQ(FspNtStatusFromErrno(0), STATUS_SUCCESS);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_SUCCESS), 0);
    static const int errnos[] = {ENOENT, EACCES, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ENOSPC, EROFS, ENOMEM};
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++) {
        NTSTATUS s = FspNtStatusFromErrno(errnos[i]);
        ASSERT(!NT_SUCCESS(s));
        ASSERT_EQ(FspErrnoFromNtStatus(s), errnos[i]);
    }
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_OBJECT_NAME_NOT_FOUND), ENOENT);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_OBJECT_PATH_NOT_FOUND), ENOENT);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_ACCESS_DENIED), EACCES);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_OBJECT_NAME_COLLISION), EEXIST);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_DIRECTORY_NOT_EMPTY), ENOTEMPTY);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_DISK_FULL), ENOSPC);
    ASSERT(0 != FspErrnoFromNtStatus(STATUS_UNSUCCESSFUL));
}

/* ---- FspFileSystemNotify ---- */

/* The Windows path of name in the test directory ("\fsp-tests.N.M\name"). */
static void win_path(const char *name, WCHAR *wpath, size_t n)
{
    const char *dir = fsp_tests_dir(), *base = strrchr(dir, '/');
    swprintf(wpath, n, L"\\%s\\%s", base ? base + 1 : dir, name);
}

/* Tell the engine that wpath changed. */
static NTSTATUS notify(FSP_FILE_SYSTEM *fs, const WCHAR *wpath, UINT32 filter, UINT32 action)
{
    union {
        FSP_FSCTL_NOTIFY_INFO ni;
        UINT8 b[sizeof(FSP_FSCTL_NOTIFY_INFO) + 512 * sizeof(WCHAR)];
    } one;
    union {
        UINT64 align;
        UINT8 b[4096];
    } buf;
    size_t len = wcslen(wpath);
    memset(&one, 0, sizeof one);
    one.ni.Size = (UINT16)(sizeof one.ni + len * sizeof(WCHAR));
    one.ni.Filter = filter;
    one.ni.Action = action;
    memcpy(one.ni.FileNameBuf, wpath, len * sizeof(WCHAR));
    ULONG bytes = 0;
    if (!FspFileSystemAddNotifyInfo(&one.ni, buf.b, sizeof buf.b, &bytes))
        return STATUS_BUFFER_OVERFLOW;
    NTSTATUS status = FspFileSystemNotifyBegin(fs, 1000);
    if (!NT_SUCCESS(status))
        return status;
    status = FspFileSystemNotify(fs, (FSP_FSCTL_NOTIFY_INFO *)buf.b, bytes);
    FspFileSystemNotifyEnd(fs);
    return status;
}

static void native_notify_test(void)
{
    fsp_tests_need_internal();
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    const FSP_FILE_SYSTEM_INTERFACE *fi = fs->Interface;
    WCHAR wpath[PATH_MAX];
    struct stat st;
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ULONG n = 0;

    /* 1. data and size changed behind the kernel's back */
    fsp_tests_write_file("file0", "aaaa", 4);
    ASSERT(0 == stat("file0", &st)); /* the kernel caches the attributes */
    ASSERT_EQ(st.st_size, 4);
    win_path("file0", wpath, PATH_MAX);
    NTSTATUS open_s = fi->Open(fs, wpath, 0, FILE_WRITE_DATA, &ctx, &info);
    NTSTATUS write_s = -1;
    if (NT_SUCCESS(open_s)) {
        write_s = fi->Write(fs, ctx, "bbbb", 0, 4, TRUE, FALSE, &n, &info);
        fi->Cleanup(fs, ctx, wpath, 0);
        fi->Close(fs, ctx);
    }
    ASSERT_EQ(open_s, STATUS_SUCCESS);
    ASSERT_EQ(write_s, STATUS_SUCCESS);
    ASSERT_EQ(n, 4);
    ASSERT_EQ(notify(fs, wpath, FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE,
                     FILE_ACTION_MODIFIED),
              STATUS_SUCCESS);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 8);
    char data[16] = {0};
    ASSERT_EQ(fsp_tests_read_file("file0", data, sizeof data), 8);
    ASSERT(0 == memcmp(data, "aaaabbbb", 8));

    /* 2. a name added behind the kernel's back (the kernel cached that it did not exist) */
    ASSERT_ERRNO(stat("file1", &st), ENOENT);
    win_path("file1", wpath, PATH_MAX);
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS sd_s = FspPosixMapPermissionsToSecurityDescriptor(0, 0, 0640, &sd);
    NTSTATUS create_s = -1;
    if (NT_SUCCESS(sd_s)) {
        create_s = fi->Create(fs, wpath, 0, FILE_WRITE_DATA, FILE_ATTRIBUTE_NORMAL, sd, 0, &ctx, &info);
        FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
        if (NT_SUCCESS(create_s)) {
            fi->Cleanup(fs, ctx, wpath, 0);
            fi->Close(fs, ctx);
        }
    }
    ASSERT_EQ(sd_s, STATUS_SUCCESS);
    ASSERT_EQ(create_s, STATUS_SUCCESS);
    ASSERT_EQ(notify(fs, wpath, FILE_NOTIFY_CHANGE_FILE_NAME, FILE_ACTION_ADDED), STATUS_SUCCESS);
    ASSERT(0 == stat("file1", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_mode & 07777, 0640);

    /* 3. a name removed behind the kernel's back */
    fsp_tests_write_file("file2", "z", 1);
    ASSERT(0 == stat("file2", &st));
    win_path("file2", wpath, PATH_MAX);
    open_s = fi->Open(fs, wpath, 0, DELETE, &ctx, &info);
    if (NT_SUCCESS(open_s)) {
        fi->Cleanup(fs, ctx, wpath, FspCleanupDelete);
        fi->Close(fs, ctx);
    }
    ASSERT_EQ(open_s, STATUS_SUCCESS);
    ASSERT_EQ(notify(fs, wpath, FILE_NOTIFY_CHANGE_FILE_NAME, FILE_ACTION_REMOVED), STATUS_SUCCESS);
    ASSERT_ERRNO(stat("file2", &st), ENOENT);
    ASSERT_ERRNO(open("file2", O_RDONLY), ENOENT);

    /* 4. notifying about names nobody knows, or an empty buffer, is harmless */
    win_path("no-such-file", wpath, PATH_MAX);
    ASSERT_EQ(notify(fs, wpath, FILE_NOTIFY_CHANGE_FILE_NAME, FILE_ACTION_REMOVED), STATUS_SUCCESS);
    ASSERT_EQ(notify(fs, L"\\no\\such\\dir\\file", FILE_NOTIFY_CHANGE_FILE_NAME, FILE_ACTION_REMOVED),
              STATUS_SUCCESS);
    ASSERT_EQ(FspFileSystemNotify(fs, 0, 0), STATUS_SUCCESS);
    ASSERT(0 == stat("file0", &st));
}

void native_tests(void)
{
    TLIB_ADD_TEST("native", native_ioctl_rot13_test);
    TLIB_ADD_TEST("native", native_ioctl_unknown_test);
    TLIB_ADD_TEST("native", native_version_test);
    TLIB_ADD_TEST("native", native_operation_context_test);
    TLIB_ADD_TEST("native", native_ntstatus_test);
    TLIB_ADD_TEST("native", native_notify_test);
}
