/*
 * tests/fsp-tests/timeout-test.c - fsp-tests group timeout: the kernel's
 * caching of what the file system returned, bounded by FileInfoTimeout, and
 * slow (pending) operations.
 *
 * Changes are made behind the kernel's back by calling memfs's interface
 * directly (internal runs only): a stat through the mount sees them once the
 * timeout has expired (--timeout=MS; not with INFINITE), or at once after
 * FspFileSystemNotify. With --slowio memfs completes reads, writes and
 * directory reads later from other threads; timeout_slowio_test checks that
 * they still return the right data (it runs in every mode).
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static void native_name(WCHAR *out, size_t cap, const char *rel)
{
    const char *dir = fsp_tests_dir() + strlen(fsp_tests_root());
    size_t n = 0;
    for (const char *p = dir; *p && n + 1 < cap; p++)
        out[n++] = '/' == *p ? L'\\' : (WCHAR)(unsigned char)*p;
    if (n + 1 < cap)
        out[n++] = L'\\';
    for (const char *p = rel; *p && n + 1 < cap; p++)
        out[n++] = '/' == *p ? L'\\' : (WCHAR)(unsigned char)*p;
    out[n] = 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (-1 == nanosleep(&ts, &ts) && EINTR == errno)
        ;
}

/* Wait (up to 5 s) until the kernel has no request of this mount outstanding, as its fusectl
 * "waiting" count shows. A close(2) sends RELEASE in the background and the kernel keeps the
 * inode until it is answered; with the writeback cache a kept inode keeps its own size even
 * after FUSE_NOTIFY_INVAL_INODE (only a new inode takes the file system's), so the tests that
 * check the size after a Notify wait for that answer first. No fusectl: no wait. */
static void wait_kernel_idle(void)
{
    struct stat st;
    if (0 != stat(".", &st))
        return;
    char path[96];
    snprintf(path, sizeof path, "/sys/fs/fuse/connections/%u/waiting", minor(st.st_dev));
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        if (!f)
            return;
        unsigned n = 1;
        int got = fscanf(f, "%u", &n);
        fclose(f);
        if (1 != got || 0 == n)
            return;
        sleep_ms(10);
    }
}

/* Write data at off into rel through memfs's interface, bypassing the kernel. */
static NTSTATUS native_write(const char *rel, const void *data, ULONG len, UINT64 off)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    NTSTATUS status = fs->Interface->Open(fs, name, FILE_NON_DIRECTORY_FILE,
                                          FILE_GENERIC_READ | FILE_GENERIC_WRITE, &ctx, &info);
    if (!NT_SUCCESS(status))
        return status;
    ULONG done = 0;
    status = fs->Interface->Write(fs, ctx, (PVOID)data, off, len, FALSE, FALSE, &done, &info);
    if (NT_SUCCESS(status) && done != len)
        status = STATUS_UNSUCCESSFUL;
    fs->Interface->Cleanup(fs, ctx, name, 0);
    fs->Interface->Close(fs, ctx);
    return status;
}

/* Read rel through memfs's interface; returns the count or -1. */
static long native_read(const char *rel, void *buf, ULONG len)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    if (!NT_SUCCESS(fs->Interface->Open(fs, name, FILE_NON_DIRECTORY_FILE, FILE_GENERIC_READ, &ctx,
                                        &info)))
        return -1;
    ULONG got = 0;
    NTSTATUS status = fs->Interface->Read(fs, ctx, buf, 0, len, &got);
    fs->Interface->Cleanup(fs, ctx, name, 0);
    fs->Interface->Close(fs, ctx);
    if (STATUS_END_OF_FILE == status)
        return 0;
    return NT_SUCCESS(status) ? (long)got : -1;
}

static NTSTATUS native_create(const char *rel, const void *data, ULONG len)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS status = FspPosixMapPermissionsToSecurityDescriptor((UINT32)geteuid(), (UINT32)getegid(),
                                                                 0644, &sd);
    if (!NT_SUCCESS(status))
        return status;
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    status = fs->Interface->Create(fs, name, FILE_NON_DIRECTORY_FILE,
                                   FILE_GENERIC_READ | FILE_GENERIC_WRITE, FILE_ATTRIBUTE_ARCHIVE, sd,
                                   0, &ctx, &info);
    FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    if (!NT_SUCCESS(status))
        return status;
    ULONG done = 0;
    if (len)
        status = fs->Interface->Write(fs, ctx, (PVOID)data, 0, len, FALSE, FALSE, &done, &info);
    fs->Interface->Cleanup(fs, ctx, name, 0);
    fs->Interface->Close(fs, ctx);
    return status;
}

static NTSTATUS native_delete(const char *rel)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    NTSTATUS status = fs->Interface->Open(fs, name, 0, DELETE, &ctx, &info);
    if (!NT_SUCCESS(status))
        return status;
    status = fs->Interface->CanDelete(fs, ctx, name);
    fs->Interface->Cleanup(fs, ctx, name, NT_SUCCESS(status) ? FspCleanupDelete : 0);
    fs->Interface->Close(fs, ctx);
    return status;
}

/* Give rel the mode (owner and group: this process's) through memfs's interface. */
static NTSTATUS native_chmod(const char *rel, UINT32 mode)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS status = FspPosixMapPermissionsToSecurityDescriptor((UINT32)geteuid(), (UINT32)getegid(),
                                                                 mode, &sd);
    if (!NT_SUCCESS(status))
        return status;
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    status = fs->Interface->Open(fs, name, 0, READ_CONTROL | WRITE_DAC | WRITE_OWNER, &ctx, &info);
    if (NT_SUCCESS(status)) {
        status = fs->Interface->SetSecurity(fs, ctx, OWNER_SECURITY_INFORMATION |
                                                        GROUP_SECURITY_INFORMATION |
                                                        DACL_SECURITY_INFORMATION, sd);
        fs->Interface->Cleanup(fs, ctx, name, 0);
        fs->Interface->Close(fs, ctx);
    }
    FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    return status;
}

/* Tell the engine that rel changed. */
static NTSTATUS notify(const char *rel, UINT32 filter, UINT32 action)
{
    static uint64_t buf[128];
    union {
        FSP_FSCTL_NOTIFY_INFO ni;
        uint8_t raw[sizeof(FSP_FSCTL_NOTIFY_INFO) + 512 * sizeof(WCHAR)];
    } u;
    WCHAR name[400];
    native_name(name, ARRAYSIZE(name), rel);
    size_t len = wcslen(name);
    memset(&u, 0, sizeof u);
    u.ni.Size = (UINT16)(sizeof u.ni + len * sizeof(WCHAR));
    u.ni.Filter = filter;
    u.ni.Action = action;
    memcpy(u.ni.FileNameBuf, name, len * sizeof(WCHAR));
    ULONG bytes = 0;
    if (!FspFileSystemAddNotifyInfo(&u.ni, buf, sizeof buf, &bytes))
        return STATUS_BUFFER_OVERFLOW;
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    NTSTATUS status = FspFileSystemNotifyBegin(fs, 1000);
    if (!NT_SUCCESS(status))
        return status;
    status = FspFileSystemNotify(fs, (FSP_FSCTL_NOTIFY_INFO *)buf, bytes);
    FspFileSystemNotifyEnd(fs);
    return status;
}

static off_t size_of(const char *path)
{
    struct stat st;
    return 0 == stat(path, &st) ? st.st_size : -1;
}

/*
 * With the writeback cache the kernel keeps its own i_size for as long as it holds the inode,
 * and a RELEASE of an earlier open still in flight holds it: a notification drops the name and
 * the inode goes only once that RELEASE is answered. Wait for the kernel's outstanding requests
 * (wait_kernel_idle), then notify() again until stat shows SIZE (5 s at most; also where no
 * fusectl shows them); one notification without the writeback cache. Returns the size seen last.
 */
static off_t notify_for_size(const char *rel, UINT32 filter, UINT32 action, off_t size)
{
    off_t seen = -1;
    wait_kernel_idle();
    for (int i = 0; i < 50; i++) {
        if (i)
            sleep_ms(100);
        if (STATUS_SUCCESS != notify(rel, filter, action))
            return -1;
        seen = size_of(rel);
        if (size == seen || !fsp_tests_options.writeback)
            break;
    }
    return seen;
}

#define ACTION_MODIFIED 3 /* FILE_ACTION_MODIFIED */
#define ACTION_ADDED 1
#define ACTION_REMOVED 2

/* A change behind the kernel's back shows through the mount once FileInfoTimeout expired. */
static void timeout_expire_test(void)
{
    fsp_tests_need_internal();
    ULONG timeout = fsp_tests_options.file_info_timeout;
    if (INFINITE == timeout)
        tlib_skip("FileInfoTimeout is INFINITE: nothing expires");
    double t0 = now_ms();
    fsp_tests_write_file("file", "abc", 3);
    ASSERT_EQ(size_of("file"), 3);
    ASSERT_EQ(native_write("file", "defgh", 5, 3), STATUS_SUCCESS);
    off_t early = size_of("file");
    double dt = now_ms() - t0;
    /* still cached (when the check certainly ran before the attributes expired) */
    if (timeout >= 500 && dt < timeout / 2.0)
        ASSERT_EQ(early, 3);
    else
        ASSERT(3 == early || 8 == early);
    /* fresh once the timeout has passed */
    sleep_ms(timeout + 100);
    ASSERT_EQ(size_of("file"), 8);
    char b[16];
    memset(b, 0, sizeof b);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 8);
    ASSERT(0 == memcmp(b, "abcdefgh", 8));
}

/* Data cached by an open descriptor is dropped once the attributes expired and show a change. */
static void timeout_expire_data_test(void)
{
    fsp_tests_need_internal();
    ULONG timeout = fsp_tests_options.file_info_timeout;
    if (INFINITE == timeout)
        tlib_skip("FileInfoTimeout is INFINITE: nothing expires");
    fsp_tests_write_file("file", "old data here", 13);
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    char b[32];
    memset(b, 0, sizeof b);
    ssize_t n1 = pread(fd, b, sizeof b, 0);
    bool ok1 = 13 == n1 && 0 == memcmp(b, "old data here", 13);
    sleep_ms(20); /* a later LastWriteTime */
    NTSTATUS s = native_write("file", "NEW", 3, 0);
    sleep_ms(timeout + 100);
    memset(b, 0, sizeof b);
    ssize_t n2 = pread(fd, b, sizeof b, 0);
    close(fd);
    ASSERT(ok1);
    ASSERT_EQ(s, STATUS_SUCCESS);
    ASSERT_EQ(n2, 13);
    ASSERT(0 == memcmp(b, "NEW data here", 13));
}

/* A name created behind the kernel's back shows once the (negative) entry expired. */
static void timeout_expire_create_test(void)
{
    fsp_tests_need_internal();
    ULONG timeout = fsp_tests_options.file_info_timeout;
    if (INFINITE == timeout)
        tlib_skip("FileInfoTimeout is INFINITE: nothing expires");
    struct stat st;
    ASSERT_ERRNO(stat("late", &st), ENOENT);
    ASSERT_EQ(native_create("late", "12345", 5), STATUS_SUCCESS);
    sleep_ms(timeout + 100);
    ASSERT(0 == stat("late", &st));
    ASSERT_EQ(st.st_size, 5);
    /* and a name deleted behind its back goes */
    ASSERT_EQ(native_delete("late"), STATUS_SUCCESS);
    sleep_ms(timeout + 100);
    ASSERT_ERRNO(stat("late", &st), ENOENT);
}

/*
 * The engine's own cache of attributes (owner, group, mode; sizes and times) follows the same
 * rules as the kernel's: with FileInfoTimeout 0 a change behind the mount shows at the next
 * stat; with a timeout once it expired; with INFINITE after FspFileSystemNotify. The stats
 * and fstats before the change fill the engine's cache.
 */
static void timeout_engine_cache_test(void)
{
    fsp_tests_need_internal();
    ULONG timeout = fsp_tests_options.file_info_timeout;
    fsp_tests_write_file("file", "abc", 3);
    ASSERT(0 == chmod("file", 0644));
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    struct stat st, fst;
    int r1 = stat("file", &st), r2 = fstat(fd, &fst);
    NTSTATUS s1 = native_chmod("file", 0600);
    NTSTATUS s2 = native_write("file", "defgh", 5, 3);
    if (INFINITE == timeout) {
        NTSTATUS s3 = notify("file", FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_SECURITY,
                             ACTION_MODIFIED);
        ASSERT_EQ(s3, STATUS_SUCCESS);
    } else if (timeout)
        sleep_ms(timeout + 100);
    /* fstat first: a GETATTR (a stat may revalidate the name with a LOOKUP instead) */
    struct stat st2, fst2;
    int r4 = fstat(fd, &fst2), r3 = stat("file", &st2);
    close(fd);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3 && 0 == r4);
    ASSERT_EQ(STATUS_SUCCESS, s1);
    ASSERT_EQ(STATUS_SUCCESS, s2);
    ASSERT_EQ(0644, st.st_mode & 07777);
    ASSERT_EQ(3, st.st_size);
    ASSERT_EQ(3, fst.st_size);
    ASSERT_EQ(0600, st2.st_mode & 07777);
    ASSERT_EQ(0600, fst2.st_mode & 07777);
    if (!fsp_tests_options.writeback) { /* with the writeback cache the kernel owns the size */
        ASSERT_EQ(8, st2.st_size);
        ASSERT_EQ(8, fst2.st_size);
    }
}

/* FspFileSystemNotify makes the kernel forget attributes and data at once. */
static void timeout_notify_test(void)
{
    fsp_tests_need_internal();
    ULONG timeout = fsp_tests_options.file_info_timeout;
    fsp_tests_write_file("file", "abc", 3);
    char b[16];
    memset(b, 0, sizeof b);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 3); /* data cached (with INFINITE) */
    double t0 = now_ms();
    ASSERT_EQ(size_of("file"), 3);
    ASSERT_EQ(native_write("file", "XYZdefgh", 8, 0), STATUS_SUCCESS);
    off_t early = size_of("file");
    double dt = now_ms() - t0;
    if (INFINITE == timeout || (timeout >= 500 && dt < timeout / 2.0))
        ASSERT_EQ(early, 3);
    ASSERT_EQ(notify_for_size("file", FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE, ACTION_MODIFIED, 8),
              8);
    memset(b, 0, sizeof b);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 8);
    ASSERT(0 == memcmp(b, "XYZdefgh", 8));
    /* a change of the same size: the data must not come from a stale cache */
    ASSERT_EQ(native_write("file", "12345678", 8, 0), STATUS_SUCCESS);
    ASSERT_EQ(notify("file", FILE_NOTIFY_CHANGE_LAST_WRITE, ACTION_MODIFIED), STATUS_SUCCESS);
    memset(b, 0, sizeof b);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 8);
    ASSERT(0 == memcmp(b, "12345678", 8));
}

/* After FspFileSystemNotify, O_APPEND writes go to the file system's end of file. */
static void timeout_notify_append_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_write_file("file", "abc", 3);
    ASSERT_EQ(size_of("file"), 3);
    ASSERT_EQ(native_write("file", "def", 3, 3), STATUS_SUCCESS);
    ASSERT_EQ(notify_for_size("file", FILE_NOTIFY_CHANGE_SIZE, ACTION_MODIFIED, 6), 6);
    int fd = open("file", O_WRONLY | O_APPEND);
    ASSERT(-1 != fd);
    ssize_t n = write(fd, "X", 1);
    close(fd);
    ASSERT_EQ(n, 1);
    char b[16];
    memset(b, 0, sizeof b);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 7);
    ASSERT(0 == memcmp(b, "abcdefX", 7));
    ASSERT_EQ(native_read("file", b, sizeof b), 7);
    ASSERT(0 == memcmp(b, "abcdefX", 7));
}

/* FspFileSystemNotify also reaches pages mapped into memory. */
static void timeout_notify_mmap_test(void)
{
    fsp_tests_need_internal();
    static char data[8192];
    memset(data, 'a', sizeof data);
    fsp_tests_write_file("file", data, sizeof data);
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    char *m = mmap(0, sizeof data, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    ASSERT(MAP_FAILED != m);
    bool before = 'a' == m[0] && 'a' == m[5000];
    memset(data, 'b', sizeof data);
    NTSTATUS s1 = native_write("file", data, sizeof data, 0);
    NTSTATUS s2 = notify("file", FILE_NOTIFY_CHANGE_LAST_WRITE, ACTION_MODIFIED);
    bool after = 'b' == m[0] && 'b' == m[5000] && 'b' == m[sizeof data - 1];
    munmap(m, sizeof data);
    ASSERT(before);
    ASSERT_EQ(s1, STATUS_SUCCESS);
    ASSERT_EQ(s2, STATUS_SUCCESS);
    ASSERT(after);
}

/* FspFileSystemNotify for names added and removed behind the kernel's back. */
static void timeout_notify_names_test(void)
{
    fsp_tests_need_internal();
    ULONG timeout = fsp_tests_options.file_info_timeout;
    struct stat st;
    ASSERT_ERRNO(stat("new", &st), ENOENT); /* a negative entry, cached unless the timeout is 0 */
    ASSERT_EQ(native_create("new", "hello", 5), STATUS_SUCCESS);
    if (INFINITE == timeout)
        ASSERT_ERRNO(stat("new", &st), ENOENT);
    ASSERT_EQ(notify("new", FILE_NOTIFY_CHANGE_FILE_NAME, ACTION_ADDED), STATUS_SUCCESS);
    ASSERT(0 == stat("new", &st));
    ASSERT_EQ(st.st_size, 5);
    char b[16];
    ASSERT_EQ(fsp_tests_read_file("new", b, sizeof b), 5);
    ASSERT(0 == memcmp(b, "hello", 5));

    ASSERT_EQ(native_delete("new"), STATUS_SUCCESS);
    /* the cached name still resolves (access(F_OK) needs no attributes, which a read may
     * have invalidated: atime) */
    if (INFINITE == timeout)
        ASSERT(0 == access("new", F_OK));
    ASSERT_EQ(notify("new", FILE_NOTIFY_CHANGE_FILE_NAME, ACTION_REMOVED), STATUS_SUCCESS);
    ASSERT_ERRNO(stat("new", &st), ENOENT);
    /* the directory listing agrees (directories are not cached) */
    DIR *d = opendir(".");
    ASSERT(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    ASSERT_EQ(n, 0);
    /* a notification for a name the kernel never saw is harmless */
    ASSERT_EQ(notify("never-seen", FILE_NOTIFY_CHANGE_FILE_NAME, ACTION_ADDED), STATUS_SUCCESS);
    ASSERT_EQ(notify("no/such/dir", FILE_NOTIFY_CHANGE_FILE_NAME, ACTION_ADDED), STATUS_SUCCESS);
}

/* Notify for a name holding a character Windows does not allow (':' is U+F03A natively). */
static void timeout_notify_mapped_name_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_write_file("a:b", "abc", 3);
    ASSERT_EQ(size_of("a:b"), 3);
    /* the native name of "a:b" */
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), "a");
    size_t len = wcslen(name);
    name[len] = 0xF000 + L':';
    name[len + 1] = L'b';
    name[len + 2] = 0;
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(fs->Interface->Open(fs, name, 0, FILE_GENERIC_WRITE, &ctx, &info), STATUS_SUCCESS);
    ULONG done = 0;
    NTSTATUS st = fs->Interface->Write(fs, ctx, "defg", 3, 4, FALSE, FALSE, &done, &info);
    fs->Interface->Cleanup(fs, ctx, name, 0);
    fs->Interface->Close(fs, ctx);
    ASSERT_EQ(st, STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 7);
    static uint64_t buf[128];
    union {
        FSP_FSCTL_NOTIFY_INFO ni;
        uint8_t raw[sizeof(FSP_FSCTL_NOTIFY_INFO) + 512 * sizeof(WCHAR)];
    } u;
    memset(&u, 0, sizeof u);
    len = wcslen(name);
    u.ni.Size = (UINT16)(sizeof u.ni + len * sizeof(WCHAR));
    u.ni.Filter = FILE_NOTIFY_CHANGE_SIZE;
    u.ni.Action = ACTION_MODIFIED;
    memcpy(u.ni.FileNameBuf, name, len * sizeof(WCHAR));
    ULONG bytes = 0;
    ASSERT(FspFileSystemAddNotifyInfo(&u.ni, buf, sizeof buf, &bytes));
    ASSERT_EQ(FspFileSystemNotify(fs, (FSP_FSCTL_NOTIFY_INFO *)buf, bytes), STATUS_SUCCESS);
    /* (a RELEASE in flight keeps the writeback cache's i_size: see notify_for_size) */
    for (int i = 0; fsp_tests_options.writeback && 7 != size_of("a:b") && i < 50; i++) {
        sleep_ms(100);
        ASSERT_EQ(FspFileSystemNotify(fs, (FSP_FSCTL_NOTIFY_INFO *)buf, bytes), STATUS_SUCCESS);
    }
    ASSERT_EQ(size_of("a:b"), 7);
    char b[16];
    ASSERT_EQ(fsp_tests_read_file("a:b", b, sizeof b), 7);
    ASSERT(0 == memcmp(b, "abcdefg", 7));
}

/* Directory listings are not cached: a native create shows in the next readdir. */
static void timeout_readdir_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_write_file("one", "1", 1);
    ASSERT_EQ(native_create("two", "22", 2), STATUS_SUCCESS);
    DIR *d = opendir(".");
    ASSERT(d);
    int n = 0, two = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        two += 0 == strcmp(e->d_name, "two");
    }
    closedir(d);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(two, 1);
    char b[8];
    ASSERT_EQ(fsp_tests_read_file("two", b, sizeof b), 2);
}

/* What Linux wrote is in the file system once the file is closed (no lazy write-back). */
static void timeout_writeback_test(void)
{
    fsp_tests_need_internal();
    static char big[200000], got[200001];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 23);
    fsp_tests_write_file("file", big, sizeof big);
    ASSERT_EQ(native_read("file", got, sizeof got), sizeof big);
    ASSERT(0 == memcmp(got, big, sizeof big));
    /* after fsync, before close */
    int fd = open("file", O_WRONLY);
    ASSERT(-1 != fd);
    bool ok = 5 == pwrite(fd, "FSYNC", 5, 1000) && 0 == fsync(fd);
    long n = native_read("file", got, sizeof got);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(n, sizeof big);
    ASSERT(0 == memcmp(got + 1000, "FSYNC", 5));
}

/* ---- slow I/O ---- */

struct reader {
    const char *path;
    size_t size;
    unsigned seed;
    int errors;
};

static uint8_t slow_pat(size_t off)
{
    return (uint8_t)(off * 7 + (off >> 10));
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    int fd = open(r->path, O_RDONLY | O_DIRECT);
    if (-1 == fd)
        fd = open(r->path, O_RDONLY);
    if (-1 == fd) {
        r->errors++;
        return 0;
    }
    static __thread uint8_t buf[64 * 1024] __attribute__((aligned(4096)));
    unsigned s = r->seed;
    for (int i = 0; i < 60; i++) {
        s = s * 1103515245u + 12345u;
        size_t off = ((s >> 8) % (r->size / 4096)) * 4096;
        size_t len = 4096 * (1 + (s >> 4) % 16);
        ssize_t n = pread(fd, buf, len, (off_t)off);
        size_t want = off + len > r->size ? r->size - off : len;
        if (n != (ssize_t)want) {
            r->errors++;
            continue;
        }
        for (size_t k = 0; k < want; k++)
            if (buf[k] != slow_pat(off + k)) {
                r->errors++;
                break;
            }
    }
    close(fd);
    return 0;
}

/* Many reads, writes and listings (some pending with --slowio) complete with the right data. */
static void timeout_slowio_test(void)
{
    const size_t size = 1024 * 1024;
    static uint8_t buf[64 * 1024];
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    bool ok = true;
    for (size_t off = 0; ok && off < size; off += sizeof buf) {
        for (size_t k = 0; k < sizeof buf; k++)
            buf[k] = slow_pat(off + k);
        ok = sizeof buf == pwrite(fd, buf, sizeof buf, (off_t)off);
    }
    close(fd);
    ASSERT(ok);
    /* concurrent uncached readers */
    struct reader r[3];
    pthread_t t[3];
    int started = 0;
    for (int i = 0; i < 3; i++) {
        r[i] = (struct reader){"file", size, 77u * (unsigned)i + 1, 0};
        if (0 != pthread_create(&t[i], 0, reader_main, &r[i]))
            break;
        started++;
    }
    int errors = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], 0);
        errors += r[i].errors;
    }
    ASSERT_EQ(started, 3);
    ASSERT_EQ(errors, 0);
    /* small writes then reads, each through the file system */
    fd = open("small", O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (-1 == fd)
        fd = open("small", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    static uint8_t sb[4096] __attribute__((aligned(4096)));
    for (int i = 0; ok && i < 50; i++) {
        memset(sb, 'a' + i % 26, sizeof sb);
        ok = sizeof sb == pwrite(fd, sb, sizeof sb, (off_t)i * 4096);
    }
    for (int i = 0; ok && i < 50; i++) {
        ok = sizeof sb == pread(fd, sb, sizeof sb, (off_t)i * 4096) && 'a' + i % 26 == sb[0] &&
             'a' + i % 26 == sb[4095];
    }
    close(fd);
    ASSERT(ok);
    /* listings */
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "entry%03d", i);
        fsp_tests_write_file(name, 0, 0);
    }
    for (int round = 0; round < 5; round++) {
        DIR *d = opendir(".");
        ASSERT(d);
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
            n++;
        closedir(d);
        ASSERT_EQ(n, 300 + 2 + 2);
    }
}

void timeout_tests(void)
{
    TLIB_ADD_TEST("timeout", timeout_expire_test);
    TLIB_ADD_TEST("timeout", timeout_expire_data_test);
    TLIB_ADD_TEST("timeout", timeout_expire_create_test);
    TLIB_ADD_TEST("timeout", timeout_engine_cache_test);
    TLIB_ADD_TEST("timeout", timeout_notify_test);
    TLIB_ADD_TEST("timeout", timeout_notify_append_test);
    TLIB_ADD_TEST("timeout", timeout_notify_mmap_test);
    TLIB_ADD_TEST("timeout", timeout_notify_names_test);
    TLIB_ADD_TEST("timeout", timeout_notify_mapped_name_test);
    TLIB_ADD_TEST("timeout", timeout_readdir_test);
    TLIB_ADD_TEST("timeout", timeout_writeback_test);
    TLIB_ADD_TEST("timeout", timeout_slowio_test);
}
