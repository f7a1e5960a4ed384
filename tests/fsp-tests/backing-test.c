/*
 * tests/fsp-tests/backing-test.c - group "backing": kernel passthrough to backing files
 * (VolumeParams.PassthroughBackingFiles, FspFileSystemSetOpenBackingFile).
 *
 * bkfs, a small native file system mounted in-process for the group, serves the files of
 * one directory on the real disk (TMPDIR) flat, one descriptor per open, and hands that
 * descriptor to the engine in Open/Create when data is accessed (FileInfoTimeout INFINITE,
 * so that normal opens keep the page cache: FOPEN_KEEP_CACHE). It counts its Read and
 * Write calls: with passthrough they stay 0 while read(2), write(2) and mmap(2) move data
 * through the mount to the source files. Names starting with "plain" get no backing file
 * (their I/O must reach Read/Write: the counters work). The group is skipped when the
 * kernel does not offer FUSE_PASSTHROUGH (Linux < 6.9) or the process lacks CAP_SYS_ADMIN.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <wchar.h>

typedef struct {
    int fd;
    bool is_dir;
} BKFILE;

static FSP_FILE_SYSTEM *bkfs;
static char bk_base[PATH_MAX], bk_src[PATH_MAX + 8], bk_mnt[PATH_MAX + 8];
static int bk_srcfd = -1;
static PSECURITY_DESCRIPTOR bk_dir_sd, bk_file_sd;
static atomic_int bk_reads, bk_writes, bk_backed;
static atomic_int bk_live; /* file contexts not closed yet */
static atomic_bool bk_offer = true;          /* hand descriptors to the engine at all */
static _Atomic NTSTATUS bk_last_status = -1; /* what FspFileSystemSetOpenBackingFile said last */

/* "\name" -> "name" (UTF-8, malloc'ed), "" for the root; NULL for anything deeper. */
static char *leaf_of(PCWSTR name)
{
    if (L'\\' != name[0] || wcschr(name + 1, L'\\'))
        return 0;
    size_t n = wcstombs(0, name + 1, 0);
    if ((size_t)-1 == n)
        return 0;
    char *s = malloc(n + 1);
    if (s)
        wcstombs(s, name + 1, n + 1);
    return s;
}

static void info_of(int fd, FSP_FSCTL_FILE_INFO *info)
{
    struct stat st;
    memset(info, 0, sizeof *info);
    if (0 != fstat(fd, &st))
        return;
    info->FileAttributes = S_ISDIR(st.st_mode) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
    info->FileSize = (UINT64)st.st_size;
    info->AllocationSize = ((UINT64)st.st_size + 4095) & ~4095ULL;
    UINT64 t = 116444736000000000ULL + (UINT64)st.st_mtim.tv_sec * 10000000ULL +
               (UINT64)st.st_mtim.tv_nsec / 100;
    info->CreationTime = info->LastAccessTime = info->LastWriteTime = info->ChangeTime = t;
    info->IndexNumber = st.st_ino;
    info->HardLinks = (UINT32)st.st_nlink;
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

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *fs, FSP_FSCTL_VOLUME_INFO *vi)
{
    (void)fs;
    memset(vi, 0, sizeof *vi);
    vi->TotalSize = vi->FreeSize = 1ULL << 30;
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *fs, PWSTR name, PUINT32 pattr,
                                  PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    (void)fs;
    char *leaf = leaf_of(name);
    if (!leaf)
        return STATUS_OBJECT_PATH_NOT_FOUND;
    struct stat st;
    int r = leaf[0] ? fstatat(bk_srcfd, leaf, &st, AT_SYMLINK_NOFOLLOW) : fstat(bk_srcfd, &st);
    free(leaf);
    if (0 != r)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (pattr)
        *pattr = S_ISDIR(st.st_mode) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
    return psize ? copy_sd(S_ISDIR(st.st_mode) ? bk_dir_sd : bk_file_sd, sd, psize)
                 : STATUS_SUCCESS;
}

/* Offer the descriptor of a regular file opened for data (not "plain*" names). */
static void offer(PCWSTR name, UINT32 access, BKFILE *f)
{
    if (f->is_dir || !atomic_load(&bk_offer) || 0 == wcsncmp(name, L"\\plain", 6))
        return;
    if (!(access & (FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_EXECUTE)))
        return;
    NTSTATUS st = FspFileSystemSetOpenBackingFile(f->fd);
    atomic_store(&bk_last_status, st);
    if (NT_SUCCESS(st))
        atomic_fetch_add(&bk_backed, 1);
}

static NTSTATUS open_common(PWSTR name, UINT32 access, bool create, PVOID *pctx,
                            FSP_FSCTL_FILE_INFO *info)
{
    char *leaf = leaf_of(name);
    if (!leaf)
        return STATUS_OBJECT_PATH_NOT_FOUND;
    BKFILE *f = calloc(1, sizeof *f);
    if (f)
        atomic_fetch_add(&bk_live, 1);
    if (!f) {
        free(leaf);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (!leaf[0]) {
        f->is_dir = true;
        f->fd = dup(bk_srcfd);
    } else if (create)
        f->fd = openat(bk_srcfd, leaf, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    else {
        f->fd = openat(bk_srcfd, leaf, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (f->fd < 0 && EISDIR == errno) {
            f->is_dir = true;
            f->fd = openat(bk_srcfd, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
    }
    int err = errno;
    free(leaf);
    if (f->fd < 0) {
        free(f);
        atomic_fetch_sub(&bk_live, 1);
        return EEXIST == err ? STATUS_OBJECT_NAME_COLLISION
               : ENOENT == err ? STATUS_OBJECT_NAME_NOT_FOUND
                               : FspNtStatusFromErrno(err);
    }
    info_of(f->fd, info);
    offer(name, access, f);
    *pctx = f;
    return STATUS_SUCCESS;
}

static NTSTATUS Create(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access,
                       UINT32 attrs, PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID *pctx,
                       FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)attrs, (void)sd, (void)alloc;
    if (options & FILE_DIRECTORY_FILE)
        return STATUS_INVALID_DEVICE_REQUEST;
    return open_common(name, access, true, pctx, info);
}

static NTSTATUS Open(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access,
                     PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)options;
    return open_common(name, access, false, pctx, info);
}

static NTSTATUS Overwrite(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, BOOLEAN replace,
                          UINT64 alloc, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)attrs, (void)replace, (void)alloc;
    BKFILE *f = ctx;
    if (0 != ftruncate(f->fd, 0))
        return FspNtStatusFromErrno(errno);
    info_of(f->fd, info);
    return STATUS_SUCCESS;
}

static VOID Cleanup(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, ULONG flags)
{
    (void)fs, (void)ctx;
    if ((flags & FspCleanupDelete) && name) {
        char *leaf = leaf_of(name);
        if (leaf && leaf[0])
            unlinkat(bk_srcfd, leaf, 0);
        free(leaf);
    }
}

static VOID Close(FSP_FILE_SYSTEM *fs, PVOID ctx)
{
    (void)fs;
    BKFILE *f = ctx;
    close(f->fd);
    free(f);
    atomic_fetch_sub(&bk_live, 1);
}

/*
 * close(2) returns before the kernel's RELEASE reaches the file system; the engine learns that
 * an inode's cached opens are gone only then. Wait (up to 2 s) until every context is closed.
 */
static bool wait_all_closed(void)
{
    for (int i = 0; i < 2000 && 0 != atomic_load(&bk_live); i++)
        usleep(1000);
    return 0 == atomic_load(&bk_live);
}

static NTSTATUS Read(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                     PULONG pbytes)
{
    (void)fs;
    atomic_fetch_add(&bk_reads, 1);
    ssize_t n = pread(((BKFILE *)ctx)->fd, buf, len, (off_t)off);
    if (n < 0)
        return FspNtStatusFromErrno(errno);
    *pbytes = (ULONG)n;
    return 0 == n && len ? STATUS_END_OF_FILE : STATUS_SUCCESS;
}

static NTSTATUS Write(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                      BOOLEAN append, BOOLEAN constrained, PULONG pbytes,
                      FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)append, (void)constrained;
    atomic_fetch_add(&bk_writes, 1);
    BKFILE *f = ctx;
    ssize_t n = pwrite(f->fd, buf, len, (off_t)off);
    if (n < 0)
        return FspNtStatusFromErrno(errno);
    *pbytes = (ULONG)n;
    info_of(f->fd, info);
    return STATUS_SUCCESS;
}

static NTSTATUS Flush(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    BKFILE *f = ctx;
    if (!f)
        return STATUS_SUCCESS;
    if (0 != fsync(f->fd))
        return FspNtStatusFromErrno(errno);
    info_of(f->fd, info);
    return STATUS_SUCCESS;
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    info_of(((BKFILE *)ctx)->fd, info);
    return STATUS_SUCCESS;
}

static NTSTATUS SetBasicInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, UINT64 ctime,
                             UINT64 atime, UINT64 mtime, UINT64 chtime, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)attrs, (void)ctime, (void)atime, (void)mtime, (void)chtime;
    info_of(((BKFILE *)ctx)->fd, info);
    return STATUS_SUCCESS;
}

static NTSTATUS SetFileSize(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT64 size, BOOLEAN alloc,
                            FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    BKFILE *f = ctx;
    if (!alloc && 0 != ftruncate(f->fd, (off_t)size))
        return FspNtStatusFromErrno(errno);
    info_of(f->fd, info);
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *fs, PVOID ctx, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    (void)fs;
    return copy_sd(((BKFILE *)ctx)->is_dir ? bk_dir_sd : bk_file_sd, sd, psize);
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR pattern, PWSTR marker,
                              PVOID buf, ULONG length, PULONG pbytes)
{
    (void)fs, (void)ctx, (void)pattern, (void)marker;
    *pbytes = 0;
    FspFileSystemAddDirInfo(0, buf, length, pbytes); /* listings are not what this group tests */
    return STATUS_SUCCESS;
}

static FSP_FILE_SYSTEM_INTERFACE bkfs_interface = {
    .GetVolumeInfo = GetVolumeInfo,
    .GetSecurityByName = GetSecurityByName,
    .Create = Create,
    .Open = Open,
    .Overwrite = Overwrite,
    .Cleanup = Cleanup,
    .Close = Close,
    .Read = Read,
    .Write = Write,
    .Flush = Flush,
    .GetFileInfo = GetFileInfo,
    .SetBasicInfo = SetBasicInfo,
    .SetFileSize = SetFileSize,
    .GetSecurity = GetSecurity,
    .ReadDirectory = ReadDirectory,
};

static void bkfs_unmount(void)
{
    if (!bkfs)
        return;
    if (0 != chdir("/"))
        (void)0;
    FspFileSystemStopDispatcher(bkfs);
    FspFileSystemRemoveMountPoint(bkfs);
    FspFileSystemDelete(bkfs);
    bkfs = 0;
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", bk_base);
    if (0 != system(cmd))
        (void)0;
    if (bk_srcfd >= 0)
        close(bk_srcfd);
    FspDeleteSecurityDescriptor(bk_dir_sd, 0);
    FspDeleteSecurityDescriptor(bk_file_sd, 0);
}

/* Mount bkfs once (first use), skip when passthrough is not available, chdir to the mount. */
static void bkfs_enter(void)
{
    fsp_tests_need_internal();
    static bool unavailable;
    static const char *why;
    if (unavailable)
        tlib_skip(why);
    if (!bkfs) {
        const char *tmp = getenv("TMPDIR");
        snprintf(bk_base, sizeof bk_base, "%s/fsp-tests-backing.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        ASSERT(mkdtemp(bk_base));
        snprintf(bk_src, sizeof bk_src, "%s/src", bk_base);
        snprintf(bk_mnt, sizeof bk_mnt, "%s/mnt", bk_base);
        ASSERT(0 == mkdir(bk_src, 0755) && 0 == mkdir(bk_mnt, 0755));
        bk_srcfd = open(bk_src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT(bk_srcfd >= 0);
        ASSERT(NT_SUCCESS(FspPosixMapPermissionsToSecurityDescriptor(0, 0, 0755, &bk_dir_sd)));
        ASSERT(NT_SUCCESS(FspPosixMapPermissionsToSecurityDescriptor(0, 0, 0644, &bk_file_sd)));
        FSP_FSCTL_VOLUME_PARAMS vp;
        memset(&vp, 0, sizeof vp);
        vp.Version = sizeof vp;
        vp.SectorSize = 4096;
        vp.SectorsPerAllocationUnit = 1;
        vp.MaxComponentLength = 255;
        vp.FileInfoTimeout = INFINITE; /* opens answer FOPEN_KEEP_CACHE unless passthrough */
        vp.CaseSensitiveSearch = 1;
        vp.CasePreservedNames = 1;
        vp.UnicodeOnDisk = 1;
        vp.PersistentAcls = 1;
        vp.PostCleanupWhenModifiedOnly = 1;
        vp.PassthroughBackingFiles = 1;
        wcscpy(vp.FileSystemName, L"bkfs");
        ASSERT(NT_SUCCESS(FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &bkfs_interface, &bkfs)));
        atexit(bkfs_unmount);
        WCHAR wroot[PATH_MAX + 8];
        mbstowcs(wroot, bk_mnt, PATH_MAX + 8);
        ASSERT(NT_SUCCESS(FspFileSystemSetMountPoint(bkfs, wroot)));
        ASSERT(NT_SUCCESS(FspFileSystemStartDispatcher(bkfs, 4)));
        /* Probe: does the engine accept a backing file (passthrough negotiated)? */
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof probe, "%s/probe", bk_mnt);
        int fd = open(probe, O_CREAT | O_RDWR, 0644);
        ASSERT(fd >= 0);
        close(fd);
        unlink(probe);
        struct statfs sfs;
        NTSTATUS st = atomic_load(&bk_last_status);
        if (STATUS_NOT_SUPPORTED == st) {
            unavailable = true;
            why = "no kernel passthrough here (FUSE_PASSTHROUGH not offered, or no CAP_SYS_ADMIN)";
        } else if (0 == fstatfs(bk_srcfd, &sfs) && 0x794c7630 == sfs.f_type) {
            unavailable = true;
            why = "TMPDIR is on overlayfs: the kernel refuses stacked backing files";
        }
        if (unavailable)
            tlib_skip(why);
        ASSERT(NT_SUCCESS(st));
    }
    ASSERT(0 == chdir(bk_mnt));
    atomic_store(&bk_offer, true);
}

static void fill(char *buf, size_t size, unsigned seed)
{
    for (size_t i = 0; i < size; i++)
        buf[i] = (char)((i * 31 + seed) & 0xff);
}

/* The source file's contents (direct, not through the mount). */
static size_t read_source(const char *name, char *buf, size_t size)
{
    int fd = openat(bk_srcfd, name, O_RDONLY | O_CLOEXEC);
    ASSERT(fd >= 0);
    size_t got = 0;
    ssize_t n;
    while (got < size && (n = read(fd, buf + got, size - got)) > 0)
        got += (size_t)n;
    close(fd);
    return got;
}

static void backing_rdwr_test(void)
{
    bkfs_enter();
    enum { SIZE = 3 * 1024 * 1024 + 123 };
    char *data = malloc(SIZE), *back = malloc(SIZE);
    ASSERT(data && back);
    fill(data, SIZE, 7);
    int r0 = atomic_load(&bk_reads), w0 = atomic_load(&bk_writes);
    int fd = open("rdwr", O_CREAT | O_EXCL | O_RDWR, 0644);
    ASSERT(fd >= 0);
    ASSERT_EQ(SIZE, write(fd, data, SIZE));
    ASSERT(0 == fsync(fd));
    ASSERT_EQ(SIZE, pread(fd, back, SIZE, 0));
    ASSERT(0 == memcmp(data, back, SIZE));
    ASSERT(0 == close(fd));
    memset(back, 0, SIZE);
    ASSERT_EQ(SIZE, read_source("rdwr", back, SIZE));
    ASSERT(0 == memcmp(data, back, SIZE));
    /* Written directly to the source, read through the mount. */
    fill(data, 4096, 99);
    int sfd = openat(bk_srcfd, "rdwr", O_WRONLY);
    ASSERT(sfd >= 0);
    ASSERT_EQ(4096, pwrite(sfd, data, 4096, 8192));
    close(sfd);
    fd = open("rdwr", O_RDONLY);
    ASSERT(fd >= 0);
    ASSERT_EQ(4096, pread(fd, back, 4096, 8192));
    close(fd);
    ASSERT(0 == memcmp(data, back, 4096));
    struct stat st;
    ASSERT(0 == stat("rdwr", &st));
    ASSERT_EQ(SIZE, st.st_size);
    ASSERT_EQ(r0, atomic_load(&bk_reads));
    ASSERT_EQ(w0, atomic_load(&bk_writes));
    ASSERT(0 == unlink("rdwr"));
    free(data), free(back);
}

static void backing_mmap_test(void)
{
    bkfs_enter();
    enum { SIZE = 256 * 1024 };
    int r0 = atomic_load(&bk_reads), w0 = atomic_load(&bk_writes);
    int fd = open("mapped", O_CREAT | O_EXCL | O_RDWR, 0644);
    ASSERT(fd >= 0);
    ASSERT(0 == ftruncate(fd, SIZE));
    char *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ASSERT(MAP_FAILED != p);
    fill(p, SIZE, 3);
    ASSERT(0 == msync(p, SIZE, MS_SYNC));
    char *back = malloc(SIZE), *want = malloc(SIZE);
    ASSERT(back && want);
    fill(want, SIZE, 3);
    ASSERT_EQ(SIZE, read_source("mapped", back, SIZE));
    ASSERT(0 == memcmp(want, back, SIZE));
    ASSERT(0 == munmap(p, SIZE));
    ASSERT(0 == close(fd));
    /* A read-only mapping of a fresh open sees the data too. */
    fd = open("mapped", O_RDONLY);
    ASSERT(fd >= 0);
    p = mmap(0, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    ASSERT(MAP_FAILED != p);
    ASSERT(0 == memcmp(want, p, SIZE));
    ASSERT(0 == munmap(p, SIZE));
    ASSERT(0 == close(fd));
    ASSERT_EQ(r0, atomic_load(&bk_reads));
    ASSERT_EQ(w0, atomic_load(&bk_writes));
    ASSERT(0 == unlink("mapped"));
    free(back), free(want);
}

/* Several opens of one file share its backing file, even one whose Open offered none. */
static void backing_shared_opens_test(void)
{
    bkfs_enter();
    int r0 = atomic_load(&bk_reads), w0 = atomic_load(&bk_writes);
    int a = open("shared", O_CREAT | O_EXCL | O_RDWR, 0644);
    ASSERT(a >= 0);
    int b = open("shared", O_RDONLY);
    ASSERT(b >= 0);
    atomic_store(&bk_offer, false);
    int c = open("shared", O_WRONLY | O_APPEND);
    ASSERT(c >= 0);
    atomic_store(&bk_offer, true);
    ASSERT_EQ(5, write(a, "hello", 5));
    ASSERT_EQ(6, write(c, " world", 6));
    char buf[16] = {0};
    ASSERT_EQ(11, pread(b, buf, sizeof buf, 0));
    ASSERT(0 == memcmp(buf, "hello world", 11));
    ASSERT(0 == close(a));
    ASSERT(0 == close(b));
    ASSERT_EQ(1, write(c, "!", 1));
    ASSERT(0 == close(c));
    /* All closed: a new open registers the backing file anew. */
    a = open("shared", O_RDONLY);
    ASSERT(a >= 0);
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(12, read(a, buf, sizeof buf));
    ASSERT(0 == memcmp(buf, "hello world!", 12));
    ASSERT(0 == close(a));
    ASSERT_EQ(r0, atomic_load(&bk_reads));
    ASSERT_EQ(w0, atomic_load(&bk_writes));
    ASSERT(0 == unlink("shared"));
}

/* Names the file system gives no backing file take the normal path (Read/Write are called). */
static void backing_plain_test(void)
{
    bkfs_enter();
    int r0 = atomic_load(&bk_reads), w0 = atomic_load(&bk_writes);
    int fd = open("plainfile", O_CREAT | O_EXCL | O_RDWR, 0644);
    ASSERT(fd >= 0);
    ASSERT_EQ(4, write(fd, "data", 4));
    ASSERT(0 == fsync(fd));
    ASSERT(0 == close(fd));
    char buf[8] = {0};
    ASSERT_EQ(4, read_source("plainfile", buf, sizeof buf));
    ASSERT(0 == memcmp(buf, "data", 4));
    ASSERT(atomic_load(&bk_writes) > w0);
    /* A file made in the source, never cached: its data comes through Read. */
    int sfd = openat(bk_srcfd, "plainread", O_CREAT | O_EXCL | O_WRONLY, 0644);
    ASSERT(sfd >= 0);
    ASSERT_EQ(4, write(sfd, "more", 4));
    close(sfd);
    fd = open("plainread", O_RDONLY);
    ASSERT(fd >= 0);
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(4, read(fd, buf, sizeof buf));
    ASSERT(0 == close(fd));
    ASSERT(0 == memcmp(buf, "more", 4));
    ASSERT(atomic_load(&bk_reads) > r0);
    ASSERT(0 == unlink("plainfile"));
    ASSERT(0 == unlink("plainread"));
}

/*
 * A file open in the normal (cached) mode stays so for a new open that comes with a backing
 * file (the kernel allows no mix); once all are closed the next open is passthrough.
 */
static void backing_mixed_modes_test(void)
{
    bkfs_enter();
    atomic_store(&bk_offer, false);
    int a = open("mixed", O_CREAT | O_EXCL | O_RDWR, 0644);
    ASSERT(a >= 0);
    atomic_store(&bk_offer, true);
    int w0 = atomic_load(&bk_writes);
    int b = open("mixed", O_RDWR); /* offered a backing file, but the inode is open cached */
    ASSERT(b >= 0);
    ASSERT_EQ(3, write(b, "abc", 3));
    ASSERT(0 == fsync(b));
    ASSERT(atomic_load(&bk_writes) > w0);
    char buf[4] = {0};
    ASSERT_EQ(3, pread(a, buf, 3, 0));
    ASSERT(0 == memcmp(buf, "abc", 3));
    ASSERT(0 == close(a));
    ASSERT(0 == close(b));
    ASSERT(wait_all_closed());
    w0 = atomic_load(&bk_writes);
    a = open("mixed", O_RDWR);
    ASSERT(a >= 0);
    ASSERT_EQ(3, pwrite(a, "xyz", 3, 3));
    ASSERT(0 == close(a));
    ASSERT_EQ(w0, atomic_load(&bk_writes));
    char src[8] = {0};
    ASSERT_EQ(6, read_source("mixed", src, sizeof src));
    ASSERT(0 == memcmp(src, "abcxyz", 6));
    ASSERT(0 == unlink("mixed"));
}

/* Normal opens (keeping the page cache) after a passthrough open see what it wrote. */
static void backing_cache_history_test(void)
{
    bkfs_enter();
    atomic_store(&bk_offer, false);
    int fd = open("history", O_CREAT | O_EXCL | O_RDWR, 0644);
    ASSERT(fd >= 0);
    ASSERT_EQ(4, write(fd, "AAAA", 4));
    char buf[8] = {0};
    ASSERT_EQ(4, pread(fd, buf, 4, 0)); /* in the page cache now */
    ASSERT(0 == close(fd));
    ASSERT(wait_all_closed());
    atomic_store(&bk_offer, true);
    int w0 = atomic_load(&bk_writes);
    fd = open("history", O_RDWR);
    ASSERT(fd >= 0);
    ASSERT_EQ(4, pwrite(fd, "BBBB", 4, 0));
    ASSERT(0 == close(fd));
    ASSERT_EQ(w0, atomic_load(&bk_writes));
    atomic_store(&bk_offer, false);
    fd = open("history", O_RDONLY);
    ASSERT(fd >= 0);
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(4, pread(fd, buf, 4, 0));
    ASSERT(0 == close(fd));
    ASSERT(0 == memcmp(buf, "BBBB", 4));
    atomic_store(&bk_offer, true);
    ASSERT(0 == unlink("history"));
}

/* The API outside an Open/Create callback. */
static void backing_api_test(void)
{
    fsp_tests_need_internal();
    ASSERT_EQ(STATUS_INVALID_DEVICE_STATE, FspFileSystemSetOpenBackingFile(0));
}

void backing_tests(void)
{
    TLIB_ADD_TEST("backing", backing_api_test);
    TLIB_ADD_TEST("backing", backing_rdwr_test);
    TLIB_ADD_TEST("backing", backing_mmap_test);
    TLIB_ADD_TEST("backing", backing_shared_opens_test);
    TLIB_ADD_TEST("backing", backing_plain_test);
    TLIB_ADD_TEST("backing", backing_mixed_modes_test);
    TLIB_ADD_TEST("backing", backing_cache_history_test);
}
