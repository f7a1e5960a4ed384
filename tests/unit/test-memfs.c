/*
 * tests/unit/test-memfs.c - memfs through its FSP_FILE_SYSTEM_INTERFACE,
 * called directly: no mount, no engine, no dispatcher.
 *
 * Outside the engine there is no operation context
 * (FspFileSystemGetOperationContext returns NULL); memfs then creates the
 * security of new files for the calling process's uid/gid, which the tests
 * check. Every test starts a fresh memfs; the teardown closes what a failed
 * test left open and deletes the file system.
 */
#include "memfs.h"
#include "tlib.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/*
 * Out of memory on demand: this program's wcsdup (which memfs and the engine, linked in, call)
 * fails when g_fail_wcsdup counts down to 0. (wcsdup is not one of the sanitizers' interceptors
 * that matter here: its memory comes from their malloc.)
 */
static int g_fail_wcsdup;

wchar_t *wcsdup(const wchar_t *s)
{
    if (__atomic_load_n(&g_fail_wcsdup, __ATOMIC_RELAXED) > 0 &&
        0 == __atomic_sub_fetch(&g_fail_wcsdup, 1, __ATOMIC_RELAXED))
        return 0;
    size_t n = wcslen(s) + 1;
    wchar_t *d = malloc(n * sizeof *d);
    return d ? wmemcpy(d, s, n) : 0;
}

static MEMFS *g_memfs;
static FSP_FILE_SYSTEM *F;
static const FSP_FILE_SYSTEM_INTERFACE *I;

/* Open file contexts, closed by the teardown when a test fails midway. */
#define MAX_OPEN 64
static PVOID g_open[MAX_OPEN];
static REPARSE_DATA_BUFFER *g_rp; /* reparse_points' data */

/* A writable copy of a string literal: names are PWSTR, and the file system may use them as
 * scratch space (FspFileSystemFindReparsePoint cuts the name in place, as in WinFsp). */
#define WR(lit) ((WCHAR[]){lit})

/* ---- fixture ---- */

static void start_ex(ULONG flags, ULONG max_nodes, UINT64 max_size)
{
    NTSTATUS status = MemfsCreate(flags, 0, max_nodes, max_size, 0, 0, &g_memfs);
    if (STATUS_NO_SUCH_DEVICE == status || STATUS_ACCESS_DENIED == status)
        tlib_skip("no usable /dev/fuse (FspFileSystemCreate opens it)");
    ASSERT_EQ(status, STATUS_SUCCESS);
    F = MemfsFileSystem(g_memfs);
    I = F->Interface;
    ASSERT(0 == FspFileSystemGetOperationContext());
}

static void start(void)
{
    start_ex(MemfsDisk, 1024, 16 * 1024 * 1024);
}

static void track(PVOID ctx)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (!g_open[i]) {
            g_open[i] = ctx;
            return;
        }
    ASSERT(!"too many open files in one test");
}

static void untrack(PVOID ctx)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (g_open[i] == ctx) {
            g_open[i] = 0;
            return;
        }
    ASSERT(!"closing a context that is not open");
}

static void teardown(void)
{
    if (g_memfs) {
        for (int i = 0; i < MAX_OPEN; i++)
            if (g_open[i]) {
                I->Close(F, g_open[i]);
                g_open[i] = 0;
            }
        MemfsDelete(g_memfs);
        g_memfs = 0;
    }
    memset(g_open, 0, sizeof g_open);
    F = 0;
    I = 0;
}

/* ---- helpers ---- */

static NTSTATUS create_sd(PWSTR path, bool dir, PSECURITY_DESCRIPTOR sd, PVOID *pctx,
                          FSP_FSCTL_FILE_INFO *info)
{
    FSP_FSCTL_OPEN_FILE_INFO oi;
    memset(&oi, 0, sizeof oi);
    PVOID ctx = 0;
    NTSTATUS status = I->Create(F, path, dir ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE,
                                FILE_ALL_ACCESS,
                                dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE, sd, 0, &ctx,
                                &oi.FileInfo);
    if (NT_SUCCESS(status)) {
        ASSERT(ctx);
        track(ctx);
        *pctx = ctx;
        if (info)
            *info = oi.FileInfo;
    }
    return status;
}

static NTSTATUS create(PWSTR path, bool dir, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    return create_sd(path, dir, 0, pctx, info);
}

static NTSTATUS open_(PWSTR path, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    FSP_FSCTL_OPEN_FILE_INFO oi;
    memset(&oi, 0, sizeof oi);
    PVOID ctx = 0;
    NTSTATUS status = I->Open(F, path, 0, FILE_ALL_ACCESS, &ctx, &oi.FileInfo);
    if (NT_SUCCESS(status)) {
        ASSERT(ctx);
        track(ctx);
        *pctx = ctx;
        if (info)
            *info = oi.FileInfo;
    }
    return status;
}

static void close_(PVOID ctx)
{
    untrack(ctx);
    I->Cleanup(F, ctx, 0, 0);
    I->Close(F, ctx);
}

/* Create (or make sure of) a name and close it again. */
static void touch(PWSTR path, bool dir)
{
    PVOID ctx;
    ASSERT_EQ(create(path, dir, &ctx, 0), STATUS_SUCCESS);
    close_(ctx);
}

/* WinFsp delete: open, CanDelete, Cleanup with FspCleanupDelete, Close. */
static NTSTATUS delete_(PWSTR path)
{
    PVOID ctx;
    NTSTATUS status = open_(path, &ctx, 0);
    if (!NT_SUCCESS(status))
        return status;
    status = I->CanDelete(F, ctx, path);
    if (NT_SUCCESS(status))
        I->Cleanup(F, ctx, path, FspCleanupDelete);
    untrack(ctx);
    I->Close(F, ctx);
    return status;
}

static bool exists(PWSTR path)
{
    PVOID ctx;
    NTSTATUS status = open_(path, &ctx, 0);
    if (NT_SUCCESS(status))
        close_(ctx);
    else
        ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == status || STATUS_OBJECT_PATH_NOT_FOUND == status);
    return NT_SUCCESS(status);
}

static void write_all(PVOID ctx, UINT64 off, const void *buf, ULONG len)
{
    ULONG done = 0;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(I->Write(F, ctx, (PVOID)buf, off, len, FALSE, FALSE, &done, &info), STATUS_SUCCESS);
    ASSERT_EQ(done, len);
    ASSERT(info.FileSize >= off + len);
}

static FSP_FSCTL_FILE_INFO file_info(PVOID ctx)
{
    FSP_FSCTL_FILE_INFO info;
    memset(&info, 0xcc, sizeof info);
    ASSERT_EQ(I->GetFileInfo(F, ctx, &info), STATUS_SUCCESS);
    return info;
}

/* The uid/gid/mode a security descriptor maps to. */
static void sd_perms(PSECURITY_DESCRIPTOR sd, UINT32 *uid, UINT32 *gid, UINT32 *mode)
{
    ASSERT_EQ(FspPosixMapSecurityDescriptorToPermissions(sd, uid, gid, mode), STATUS_SUCCESS);
}

/* A file's security descriptor through GetSecurity (size query first, as the engine does). */
static void *get_sd(PVOID ctx)
{
    SIZE_T size = 0;
    NTSTATUS status = I->GetSecurity(F, ctx, 0, &size);
    ASSERT(STATUS_BUFFER_OVERFLOW == status || STATUS_SUCCESS == status);
    ASSERT(size > 0 && size < 65536);
    void *sd = malloc(size);
    ASSERT(sd);
    SIZE_T got = size;
    status = I->GetSecurity(F, ctx, sd, &got);
    if (STATUS_SUCCESS != status)
        free(sd);
    ASSERT_EQ(status, STATUS_SUCCESS);
    ASSERT_EQ(got, size);
    if (!FspIsValidSecurityDescriptor(sd, (ULONG)got))
        free(sd);
    ASSERT(FspIsValidSecurityDescriptor(sd, (ULONG)got));
    return sd;
}

/* ---- tests ---- */

static void create_open_close(void)
{
    start();
    PVOID f, d, x;
    FSP_FSCTL_FILE_INFO fi, di, oi;
    ASSERT_EQ(create(L"\\file", false, &f, &fi), STATUS_SUCCESS);
    ASSERT(!(fi.FileAttributes & FILE_ATTRIBUTE_DIRECTORY));
    ASSERT(fi.FileAttributes & FILE_ATTRIBUTE_ARCHIVE);
    ASSERT_EQ(fi.FileSize, 0);
    ASSERT_EQ(fi.AllocationSize, 0);
    ASSERT_EQ(fi.HardLinks, 1);
    ASSERT(fi.IndexNumber != 0);
    ASSERT(fi.CreationTime != 0 && fi.LastWriteTime != 0 && fi.ChangeTime != 0);
    ASSERT_EQ(create(L"\\dir", true, &d, &di), STATUS_SUCCESS);
    ASSERT(di.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    ASSERT_EQ(di.HardLinks, 2);
    ASSERT(di.IndexNumber != fi.IndexNumber);

    /* Names that exist, names that do not, parents that do not. */
    ASSERT_EQ(create(L"\\file", false, &x, 0), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(create(L"\\file", true, &x, 0), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(create(L"\\dir", true, &x, 0), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(create(L"\\", true, &x, 0), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(open_(L"\\missing", &x, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(open_(L"\\nodir\\file", &x, 0), STATUS_OBJECT_PATH_NOT_FOUND);
    ASSERT_EQ(create(L"\\nodir\\file", false, &x, 0), STATUS_OBJECT_PATH_NOT_FOUND);
    ASSERT_EQ(open_(L"\\file\\below", &x, 0), STATUS_OBJECT_PATH_NOT_FOUND); /* a file is no directory */
    ASSERT_EQ(open_(L"relative", &x, 0), STATUS_OBJECT_NAME_INVALID);
    ASSERT_EQ(open_(L"\\file", &x, &oi), STATUS_SUCCESS);
    ASSERT_EQ(oi.IndexNumber, fi.IndexNumber);
    close_(x);
    ASSERT_EQ(open_(L"\\", &x, &oi), STATUS_SUCCESS);
    ASSERT(oi.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    ASSERT_EQ(oi.HardLinks, 3); /* the root with one subdirectory */
    close_(x);

    /* Nested. */
    ASSERT_EQ(create(L"\\dir\\sub", true, &x, 0), STATUS_SUCCESS);
    close_(x);
    ASSERT_EQ(create(L"\\dir\\sub\\leaf", false, &x, 0), STATUS_SUCCESS);
    close_(x);
    ASSERT(exists(L"\\dir\\sub\\leaf"));
    ASSERT(exists(L"\\dir\\sub\\")); /* a trailing separator names the same directory */
    ASSERT_EQ(file_info(d).HardLinks, 3);
    close_(f);
    close_(d);
}

static void write_read(void)
{
    start();
    PVOID f;
    ASSERT_EQ(create(L"\\f", false, &f, 0), STATUS_SUCCESS);
    static unsigned char buf[50000], got[60000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 13 + 7);
    write_all(f, 0, buf, sizeof buf);
    FSP_FSCTL_FILE_INFO info = file_info(f);
    ASSERT_EQ(info.FileSize, sizeof buf);
    ASSERT_EQ(info.AllocationSize, (sizeof buf + 4095) / 4096 * 4096);

    ULONG n = 0;
    ASSERT_EQ(I->Read(F, f, got, 0, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, sizeof buf);
    ASSERT(0 == memcmp(got, buf, sizeof buf));
    ASSERT_EQ(I->Read(F, f, got, 4090, 10, &n), STATUS_SUCCESS); /* across a page */
    ASSERT_EQ(n, 10);
    ASSERT(0 == memcmp(got, buf + 4090, 10));
    ASSERT_EQ(I->Read(F, f, got, sizeof buf, 10, &n), STATUS_END_OF_FILE);
    ASSERT_EQ(n, 0);
    ASSERT_EQ(I->Read(F, f, got, 1ULL << 40, 10, &n), STATUS_END_OF_FILE);

    /* Append (WriteToEndOfFile) and constrained I/O (no growth). */
    ULONG done;
    ASSERT_EQ(I->Write(F, f, "END", 0, 3, TRUE, FALSE, &done, &info), STATUS_SUCCESS);
    ASSERT_EQ(done, 3);
    ASSERT_EQ(info.FileSize, sizeof buf + 3);
    ASSERT_EQ(I->Write(F, f, "XYZW", sizeof buf + 1, 4, FALSE, TRUE, &done, &info), STATUS_SUCCESS);
    ASSERT_EQ(done, 2);
    ASSERT_EQ(info.FileSize, sizeof buf + 3);
    ASSERT_EQ(I->Write(F, f, "XYZW", sizeof buf + 10, 4, FALSE, TRUE, &done, &info), STATUS_SUCCESS);
    ASSERT_EQ(done, 0);
    ASSERT_EQ(I->Read(F, f, got, sizeof buf, 10, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 3);
    ASSERT(0 == memcmp(got, "EXY", 3));

    /* A hole reads as zeros. */
    write_all(f, 100000, "Z", 1);
    ASSERT_EQ(I->Read(F, f, got, 60000, 40001, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 40001);
    for (ULONG i = 0; i < 40000; i++)
        ASSERT_EQ(got[i], 0);
    ASSERT_EQ(got[40000], 'Z');
    /* Beyond the maximum file size: EFBIG at it, a write across it is cut short. */
    ASSERT_EQ(I->Write(F, f, "Q", 16 * 1024 * 1024, 1, FALSE, FALSE, &done, &info),
              STATUS_FILE_TOO_LARGE);
    ASSERT_EQ(I->Write(F, f, "QRS", 16 * 1024 * 1024 - 2, 3, FALSE, FALSE, &done, &info),
              STATUS_SUCCESS);
    ASSERT_EQ(done, 2);
    ASSERT_EQ(file_info(f).FileSize, 16 * 1024 * 1024);
    ASSERT_EQ(I->SetFileSize(F, f, 100001, FALSE, &info), STATUS_SUCCESS);
    ASSERT_EQ(file_info(f).FileSize, 100001);

    /* Overwrite truncates and sets the attributes. */
    ASSERT_EQ(I->Overwrite(F, f, FILE_ATTRIBUTE_HIDDEN, TRUE, 0, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 0);
    ASSERT_EQ(info.AllocationSize, 0);
    ASSERT(info.FileAttributes & FILE_ATTRIBUTE_HIDDEN);
    ASSERT_EQ(I->Read(F, f, got, 0, 10, &n), STATUS_END_OF_FILE);
    close_(f);

    /* Flush and GetVolumeInfo account for data. */
    FSP_FSCTL_VOLUME_INFO vi;
    ASSERT_EQ(I->GetVolumeInfo(F, &vi), STATUS_SUCCESS);
    ASSERT(vi.TotalSize > 0);
    ASSERT_EQ(vi.FreeSize, vi.TotalSize);
    ASSERT_EQ(I->Flush(F, 0, &info), STATUS_SUCCESS);
}

static void sparse_large_file(void)
{
    const UINT64 GiB = 1ULL << 30;
    start_ex(MemfsDisk, 1024, 8 * GiB);
    PVOID f;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(create(L"\\sparse", false, &f, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->SetFileSize(F, f, 5 * GiB, FALSE, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 5 * GiB);
    ASSERT_EQ(info.AllocationSize, 0); /* nothing allocated */
    static unsigned char got[65536];
    memset(got, 0xee, sizeof got);
    ULONG n;
    ASSERT_EQ(I->Read(F, f, got, 4 * GiB + 12345, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, sizeof got);
    for (size_t i = 0; i < sizeof got; i++)
        ASSERT_EQ(got[i], 0);
    ASSERT_EQ(I->Read(F, f, got, 5 * GiB - 100, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 100);
    ASSERT_EQ(I->Read(F, f, got, 5 * GiB, 1, &n), STATUS_END_OF_FILE);

    /* Data near the end takes one page. */
    write_all(f, 5 * GiB - 1, "!", 1);
    info = file_info(f);
    ASSERT_EQ(info.FileSize, 5 * GiB);
    ASSERT_EQ(info.AllocationSize, 4096);
    ASSERT_EQ(I->Read(F, f, got, 5 * GiB - 2, 10, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(got[0], 0);
    ASSERT_EQ(got[1], '!');
    /* Past 4 GiB offsets in ULONG-sized pieces do not wrap. */
    write_all(f, 4 * GiB + 1, "abc", 3);
    ASSERT_EQ(I->Read(F, f, got, 1, 3, &n), STATUS_SUCCESS);
    ASSERT_EQ(got[0], 0);

    /* Shrinking drops data; growing again reads zeros. */
    ASSERT_EQ(I->SetFileSize(F, f, 100, FALSE, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 100);
    ASSERT_EQ(info.AllocationSize, 0);
    ASSERT_EQ(I->SetFileSize(F, f, 5 * GiB, FALSE, &info), STATUS_SUCCESS);
    ASSERT_EQ(I->Read(F, f, got, 5 * GiB - 1, 1, &n), STATUS_SUCCESS);
    ASSERT_EQ(got[0], 0);
    /* Allocation size: growing reserves nothing, shrinking below the file size truncates. */
    ASSERT_EQ(I->SetFileSize(F, f, 6 * GiB, TRUE, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 5 * GiB);
    ASSERT_EQ(I->SetFileSize(F, f, 4096, TRUE, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 4096);
    /* Beyond the maximum. */
    ASSERT_EQ(I->SetFileSize(F, f, 9 * GiB, FALSE, &info), STATUS_FILE_TOO_LARGE);
    ASSERT_EQ(file_info(f).FileSize, 4096);
    close_(f);
}

static void rename_(void)
{
    start();
    touch(L"\\a", false);
    touch(L"\\b", false);
    touch(L"\\d", true);
    touch(L"\\d\\inner", false);
    PVOID a, d;
    ASSERT_EQ(open_(L"\\a", &a, 0), STATUS_SUCCESS);
    UINT64 ino = file_info(a).IndexNumber;
    /* To a new name (the open context follows). */
    ASSERT_EQ(I->Rename(F, a, L"\\a", L"\\a2", FALSE), STATUS_SUCCESS);
    ASSERT(!exists(L"\\a"));
    ASSERT(exists(L"\\a2"));
    ASSERT_EQ(file_info(a).IndexNumber, ino);
    /* Onto an existing name: only with ReplaceIfExists. */
    ASSERT_EQ(I->Rename(F, a, L"\\a2", L"\\b", FALSE), STATUS_OBJECT_NAME_COLLISION);
    ASSERT(exists(L"\\a2"));
    ASSERT_EQ(I->Rename(F, a, L"\\a2", L"\\b", TRUE), STATUS_SUCCESS);
    ASSERT(!exists(L"\\a2"));
    PVOID b;
    FSP_FSCTL_FILE_INFO bi;
    ASSERT_EQ(open_(L"\\b", &b, &bi), STATUS_SUCCESS);
    ASSERT_EQ(bi.IndexNumber, ino);
    close_(b);
    /* A file cannot replace a directory, nor a directory a file. */
    ASSERT_EQ(I->Rename(F, a, L"\\b", L"\\d", TRUE), STATUS_ACCESS_DENIED);
    /* Into a directory; a name that is not the context's. */
    ASSERT_EQ(I->Rename(F, a, L"\\b", L"\\d\\b", FALSE), STATUS_SUCCESS);
    ASSERT(exists(L"\\d\\b"));
    ASSERT_EQ(I->Rename(F, a, L"\\b", L"\\c", FALSE), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(I->Rename(F, a, L"\\d\\b", L"\\nodir\\b", FALSE), STATUS_OBJECT_PATH_NOT_FOUND);
    close_(a);

    /* Directories move with their contents, not into themselves. */
    ASSERT_EQ(open_(L"\\d", &d, 0), STATUS_SUCCESS);
    touch(L"\\d\\sub", true);
    ASSERT_EQ(I->Rename(F, d, L"\\d", L"\\d\\sub\\d", FALSE), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(I->Rename(F, d, L"\\d", L"\\e", FALSE), STATUS_SUCCESS);
    ASSERT(exists(L"\\e\\inner"));
    ASSERT(exists(L"\\e\\sub"));
    ASSERT(!exists(L"\\d"));
    /* A directory cannot replace a non-empty directory. */
    touch(L"\\full", true);
    touch(L"\\full\\x", false);
    ASSERT_EQ(I->Rename(F, d, L"\\e", L"\\full", TRUE), STATUS_DIRECTORY_NOT_EMPTY);
    touch(L"\\file", false);
    ASSERT_EQ(I->Rename(F, d, L"\\e", L"\\file", TRUE), STATUS_NOT_A_DIRECTORY);
    /* Case-only rename on a case-sensitive volume is an ordinary rename. */
    ASSERT_EQ(I->Rename(F, d, L"\\e", L"\\E", FALSE), STATUS_SUCCESS);
    ASSERT(exists(L"\\E\\inner"));
    ASSERT(!exists(L"\\e"));
    close_(d);
    /* The root cannot be renamed. */
    PVOID r;
    ASSERT_EQ(open_(L"\\", &r, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->Rename(F, r, L"\\", L"\\x", FALSE), STATUS_INVALID_PARAMETER);
    close_(r);
}

static void delete_semantics(void)
{
    start();
    touch(L"\\d", true);
    touch(L"\\d\\f", false);
    PVOID d, f, r;
    ASSERT_EQ(open_(L"\\d", &d, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->CanDelete(F, d, L"\\d"), STATUS_DIRECTORY_NOT_EMPTY);
    ASSERT_EQ(I->SetDelete(F, d, L"\\d", TRUE), STATUS_DIRECTORY_NOT_EMPTY);
    ASSERT_EQ(I->SetDelete(F, d, L"\\d", FALSE), STATUS_SUCCESS);
    /* Cleanup with delete on a non-empty directory leaves it. */
    I->Cleanup(F, d, L"\\d", FspCleanupDelete);
    ASSERT(exists(L"\\d\\f"));
    ASSERT_EQ(open_(L"\\", &r, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->CanDelete(F, r, L"\\"), STATUS_CANNOT_DELETE);
    close_(r);

    /* Deleting a file that is open elsewhere: the name goes, the open file lives on. */
    ASSERT_EQ(open_(L"\\d\\f", &f, 0), STATUS_SUCCESS);
    write_all(f, 0, "keep", 4);
    ASSERT_EQ(delete_(L"\\d\\f"), STATUS_SUCCESS);
    ASSERT(!exists(L"\\d\\f"));
    FSP_FSCTL_FILE_INFO info = file_info(f);
    ASSERT_EQ(info.HardLinks, 0);
    char got[8];
    ULONG n;
    ASSERT_EQ(I->Read(F, f, got, 0, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 4);
    ASSERT(0 == memcmp(got, "keep", 4));
    /* The name can be reused meanwhile. */
    touch(L"\\d\\f", false);
    ASSERT_EQ(delete_(L"\\d\\f"), STATUS_SUCCESS);
    close_(f); /* frees the unlinked file (ASan checks) */

    /* Now empty: the directory goes. */
    ASSERT_EQ(I->CanDelete(F, d, L"\\d"), STATUS_SUCCESS);
    ASSERT_EQ(I->SetDelete(F, d, L"\\d", TRUE), STATUS_SUCCESS);
    I->Cleanup(F, d, L"\\d", FspCleanupDelete);
    untrack(d);
    I->Close(F, d);
    ASSERT(!exists(L"\\d"));
    ASSERT_EQ(delete_(L"\\d"), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(open_(L"\\", &r, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.HardLinks, 2);
    close_(r);
}

/* Parse a ReadDirectory buffer; appends names (malloc'ed) to names[]. Returns TRUE at the end marker. */
static bool parse_dir(const void *buf, ULONG bytes, PWSTR *names, size_t *pn, size_t cap,
                      FSP_FSCTL_FILE_INFO *infos)
{
    size_t pos = 0;
    while (pos + sizeof(UINT16) <= bytes) {
        const FSP_FSCTL_DIR_INFO *d = (const FSP_FSCTL_DIR_INFO *)((const char *)buf + pos);
        if (0 == d->Size)
            return true;
        ASSERT(d->Size >= sizeof *d && d->Size <= bytes - pos);
        ASSERT_EQ((d->Size - sizeof *d) % sizeof(WCHAR), 0);
        size_t nc = (d->Size - sizeof *d) / sizeof(WCHAR);
        ASSERT(nc > 0);
        pos += (d->Size + 7) & ~(size_t)7;
        if (*pn >= cap)
            continue; /* keep the first cap entries */
        PWSTR w = malloc((nc + 1) * sizeof(WCHAR));
        ASSERT(w);
        memcpy(w, d->FileNameBuf, nc * sizeof(WCHAR));
        w[nc] = 0;
        if (infos)
            infos[*pn] = d->FileInfo;
        names[(*pn)++] = w;
    }
    return false;
}

/* The names of a test's listing (freed by the teardown hook below after a failed ASSERT). */
static PWSTR *g_names;
static size_t g_nnames;
static void free_names(void)
{
    for (size_t i = 0; i < g_nnames; i++)
        free(g_names[i]);
    free(g_names);
    g_names = 0;
    g_nnames = 0;
}
static void teardown_all(void)
{
    free_names();
    free(g_rp);
    g_rp = 0;
    teardown();
}

/* List a directory with ReadDirectory in buffers of `len` bytes, resuming from the last name. */
static void list_dir(PVOID ctx, ULONG len, size_t cap)
{
    free_names();
    g_names = calloc(cap, sizeof *g_names);
    ASSERT(g_names);
    void *buf = malloc(len);
    ASSERT(buf);
    PWSTR marker = 0;
    for (int rounds = 0;; rounds++) {
        ULONG bytes = 0;
        NTSTATUS status = I->ReadDirectory(F, ctx, 0, marker, buf, len, &bytes);
        if (STATUS_SUCCESS != status || bytes > len || rounds > 1000000)
            free(buf);
        ASSERT_EQ(status, STATUS_SUCCESS);
        ASSERT(bytes <= len);
        size_t before = g_nnames;
        bool end = parse_dir(buf, bytes, g_names, &g_nnames, cap, 0);
        if (end)
            break;
        if (g_nnames == before)
            free(buf);
        ASSERT(g_nnames > before); /* a full buffer holds at least one entry */
        marker = g_names[g_nnames - 1];
    }
    free(buf);
}

static void readdir_20000(void)
{
    enum { N = 20000 };
    start_ex(MemfsDisk, N + 100, 1024 * 1024);
    touch(L"\\big", true);
    WCHAR path[64];
    /* Created in a scrambled order. */
    for (unsigned i = 0; i < N; i++) {
        unsigned k = (i * 7919u) % N;
        swprintf(path, 64, L"\\big\\entry%05u", k);
        PVOID ctx;
        FSP_FSCTL_OPEN_FILE_INFO oi;
        NTSTATUS status = I->Create(F, path, k % 100 ? FILE_NON_DIRECTORY_FILE : FILE_DIRECTORY_FILE,
                                    FILE_ALL_ACCESS, k % 100 ? 0 : FILE_ATTRIBUTE_DIRECTORY, 0, 0,
                                    &ctx, &oi.FileInfo);
        ASSERT_EQ(status, STATUS_SUCCESS);
        I->Close(F, ctx);
    }
    PVOID d;
    ASSERT_EQ(open_(L"\\big", &d, 0), STATUS_SUCCESS);
    ASSERT_EQ(file_info(d).HardLinks, 2 + N / 100);

    /* Small buffers: many calls, each resumed after the previous last name. */
    list_dir(d, 4096, N + 10);
    ASSERT_EQ(g_nnames, N + 2);
    ASSERT(0 == wcscmp(g_names[0], L"."));
    ASSERT(0 == wcscmp(g_names[1], L".."));
    for (size_t i = 2; i < g_nnames; i++) {
        swprintf(path, 64, L"entry%05u", (unsigned)(i - 2));
        ASSERT(0 == wcscmp(g_names[i], path)); /* sorted, each once */
    }
    /* One big buffer: the same. */
    list_dir(d, 4 * 1024 * 1024, N + 10);
    ASSERT_EQ(g_nnames, N + 2);

    /* Resuming from any marker, including one that is not a name. */
    static char buf[8192];
    PWSTR names[64];
    size_t n = 0;
    ULONG bytes;
    ASSERT_EQ(I->ReadDirectory(F, d, 0, L"entry12345", buf, sizeof buf, &bytes), STATUS_SUCCESS);
    parse_dir(buf, bytes, names, &n, 64, 0);
    ASSERT(n > 0);
    bool ok = 0 == wcscmp(names[0], L"entry12346");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    ASSERT(ok);
    n = 0;
    ASSERT_EQ(I->ReadDirectory(F, d, 0, L"entry12345a", buf, sizeof buf, &bytes), STATUS_SUCCESS);
    parse_dir(buf, bytes, names, &n, 64, 0);
    ok = n > 0 && 0 == wcscmp(names[0], L"entry12346");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    ASSERT(ok);
    /* After the last name: only the end. */
    n = 0;
    ASSERT_EQ(I->ReadDirectory(F, d, 0, L"entry19999", buf, sizeof buf, &bytes), STATUS_SUCCESS);
    ASSERT(parse_dir(buf, bytes, names, &n, 64, 0));
    ASSERT_EQ(n, 0);
    /* Resuming after "." gives ".." first; after "..", the first name. */
    ASSERT_EQ(I->ReadDirectory(F, d, 0, L".", buf, sizeof buf, &bytes), STATUS_SUCCESS);
    parse_dir(buf, bytes, names, &n, 64, 0);
    ok = n > 1 && 0 == wcscmp(names[0], L"..") && 0 == wcscmp(names[1], L"entry00000");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    ASSERT(ok);
    /* A buffer too small for one entry: nothing, no overrun. */
    bytes = 1234;
    ASSERT_EQ(I->ReadDirectory(F, d, 0, 0, buf, 16, &bytes), STATUS_SUCCESS);
    ASSERT_EQ(bytes, 0);

    /* DIR_INFO carries each entry's file info. */
    FSP_FSCTL_FILE_INFO infos[4];
    n = 0;
    ASSERT_EQ(I->ReadDirectory(F, d, 0, L"entry00099", buf, sizeof buf, &bytes), STATUS_SUCCESS);
    parse_dir(buf, bytes, names, &n, 4, infos);
    ok = n >= 2 && 0 == wcscmp(names[0], L"entry00100") &&
         (infos[0].FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
         !(infos[1].FileAttributes & FILE_ATTRIBUTE_DIRECTORY) && infos[0].IndexNumber &&
         infos[0].IndexNumber != infos[1].IndexNumber;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    ASSERT(ok);

    /* ReadDirectory on a file. */
    PVOID f;
    ASSERT_EQ(open_(L"\\big\\entry00001", &f, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->ReadDirectory(F, f, 0, 0, buf, sizeof buf, &bytes), STATUS_NOT_A_DIRECTORY);
    close_(f);
    close_(d);
    free_names();
}

static void root_listing_and_dirinfo(void)
{
    start();
    touch(L"\\b", false);
    touch(L"\\a", true);
    touch(L"\\C", false);
    PVOID r;
    ASSERT_EQ(open_(L"\\", &r, 0), STATUS_SUCCESS);
    list_dir(r, 4096, 16);
    /* The root has no "." or "..": the engine adds them. Case-sensitive order: upper case first. */
    ASSERT_EQ(g_nnames, 3);
    ASSERT(0 == wcscmp(g_names[0], L"C"));
    ASSERT(0 == wcscmp(g_names[1], L"a"));
    ASSERT(0 == wcscmp(g_names[2], L"b"));
    union {
        FSP_FSCTL_DIR_INFO d;
        char raw[sizeof(FSP_FSCTL_DIR_INFO) + 512 * sizeof(WCHAR)];
    } u;
    memset(&u, 0, sizeof u);
    ASSERT_EQ(I->GetDirInfoByName(F, r, L"a", &u.d), STATUS_SUCCESS);
    ASSERT_EQ(u.d.Size, sizeof u.d + 1 * sizeof(WCHAR));
    ASSERT_EQ(u.d.FileNameBuf[0], L'a');
    ASSERT(u.d.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    ASSERT_EQ(I->GetDirInfoByName(F, r, L"c", &u.d), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(I->GetDirInfoByName(F, r, L"missing", &u.d), STATUS_OBJECT_NAME_NOT_FOUND);
    close_(r);
    free_names();
}

static void case_insensitive(void)
{
    start_ex(MemfsDisk | MemfsCaseInsensitive, 1024, 1024 * 1024);
    ASSERT(!F->VolumeParams.CaseSensitiveSearch);
    ASSERT(F->VolumeParams.CasePreservedNames);
    touch(L"\\MixedCase", true);
    touch(L"\\MixedCase\\Inner.TXT", false);
    PVOID x;
    FSP_FSCTL_FILE_INFO a, b;
    ASSERT_EQ(open_(L"\\mixedcase", &x, &a), STATUS_SUCCESS);
    close_(x);
    ASSERT_EQ(open_(L"\\MIXEDCASE\\inner.txt", &x, &b), STATUS_SUCCESS);
    close_(x);
    ASSERT_EQ(open_(L"\\mIxEdCaSe\\INNER.txt", &x, 0), STATUS_SUCCESS);
    close_(x);
    ASSERT_EQ(create(L"\\MIXEDCASE", true, &x, 0), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(create(L"\\mixedcase\\INNER.TXT", false, &x, 0), STATUS_OBJECT_NAME_COLLISION);
    /* The stored case is kept and reported. */
    ASSERT_EQ(open_(L"\\MIXEDCASE", &x, 0), STATUS_SUCCESS);
    union {
        FSP_FSCTL_DIR_INFO d;
        char raw[sizeof(FSP_FSCTL_DIR_INFO) + 512 * sizeof(WCHAR)];
    } u;
    ASSERT_EQ(I->GetDirInfoByName(F, x, L"inner.txt", &u.d), STATUS_SUCCESS);
    ASSERT_EQ(u.d.Size, sizeof u.d + 9 * sizeof(WCHAR));
    ASSERT(0 == memcmp(u.d.FileNameBuf, L"Inner.TXT", 9 * sizeof(WCHAR)));
    close_(x);
    /* Listing order folds case. */
    touch(L"\\b", false);
    touch(L"\\A", false);
    touch(L"\\c", false);
    PVOID r;
    ASSERT_EQ(open_(L"\\", &r, 0), STATUS_SUCCESS);
    list_dir(r, 4096, 16);
    ASSERT_EQ(g_nnames, 4);
    ASSERT(0 == wcscmp(g_names[0], L"A"));
    ASSERT(0 == wcscmp(g_names[1], L"b"));
    ASSERT(0 == wcscmp(g_names[2], L"c"));
    ASSERT(0 == wcscmp(g_names[3], L"MixedCase"));
    /* A marker in another case resumes at the same place. */
    static char buf[4096];
    ULONG bytes;
    PWSTR names[8];
    size_t n = 0;
    ASSERT_EQ(I->ReadDirectory(F, r, 0, L"B", buf, sizeof buf, &bytes), STATUS_SUCCESS);
    parse_dir(buf, bytes, names, &n, 8, 0);
    bool ok = 2 == n && 0 == wcscmp(names[0], L"c");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    ASSERT(ok);
    /* Rename that changes only the case keeps one entry, with the new case. */
    PVOID m;
    ASSERT_EQ(open_(L"\\mixedcase", &m, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->Rename(F, m, L"\\mixedcase", L"\\MIXEDcase", FALSE), STATUS_SUCCESS);
    close_(m);
    list_dir(r, 4096, 16);
    ASSERT_EQ(g_nnames, 4);
    ASSERT(0 == wcscmp(g_names[3], L"MIXEDcase"));
    /* Deleting by another case works too. */
    ASSERT_EQ(delete_(L"\\a"), STATUS_SUCCESS);
    ASSERT(!exists(L"\\A"));
    close_(r);
    free_names();

    /* Against that, a case-sensitive instance. */
    teardown();
    start();
    ASSERT(F->VolumeParams.CaseSensitiveSearch);
    touch(L"\\Name", false);
    ASSERT(!exists(L"\\name"));
    touch(L"\\name", false);
    ASSERT(exists(L"\\Name") && exists(L"\\name"));
}

static void max_file_nodes(void)
{
    /* Five nodes: the root and four more. */
    start_ex(MemfsDisk, 5, 1024 * 1024);
    touch(L"\\1", false);
    touch(L"\\2", true);
    touch(L"\\2\\3", false);
    touch(L"\\4", false);
    PVOID x;
    /* WinFsp's memfs answers STATUS_CANNOT_MAKE here; LinFsp's memfs answers STATUS_DISK_FULL
     * (ENOSPC for POSIX callers; STATUS_CANNOT_MAKE is not among LinFsp's status codes). */
    NTSTATUS status = create(L"\\5", false, &x, 0);
    ASSERT(!NT_SUCCESS(status));
    ASSERT_EQ(status, STATUS_DISK_FULL);
    ASSERT_EQ(FspErrnoFromNtStatus(status), ENOSPC);
    ASSERT_EQ(create(L"\\5", true, &x, 0), STATUS_DISK_FULL);
    ASSERT(!exists(L"\\5"));
    /* Named streams are nodes too. */
    ASSERT_EQ(create(L"\\1:stream", false, &x, 0), STATUS_DISK_FULL);
    /* Freeing a node makes room. */
    ASSERT_EQ(delete_(L"\\4"), STATUS_SUCCESS);
    touch(L"\\5", false);
    ASSERT_EQ(create(L"\\6", false, &x, 0), STATUS_DISK_FULL);
    /* An open unlinked file still counts until it is closed. */
    PVOID f;
    ASSERT_EQ(open_(L"\\5", &f, 0), STATUS_SUCCESS);
    ASSERT_EQ(delete_(L"\\5"), STATUS_SUCCESS);
    ASSERT_EQ(create(L"\\6", false, &x, 0), STATUS_DISK_FULL);
    close_(f);
    touch(L"\\6", false);
}

static void hard_links(void)
{
    start();
    ASSERT(F->VolumeParams.HardLinks);
    ASSERT(I->CreateHardLink);
    PVOID a;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(create(L"\\a", false, &a, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.HardLinks, 1);
    write_all(a, 0, "shared", 6);
    touch(L"\\d", true);
    ASSERT_EQ(I->CreateHardLink(F, a, L"\\a", L"\\d\\b", &info), STATUS_SUCCESS);
    ASSERT_EQ(info.HardLinks, 2);
    ASSERT_EQ(file_info(a).HardLinks, 2);
    /* The new name is the same file. */
    PVOID b;
    FSP_FSCTL_FILE_INFO bi;
    ASSERT_EQ(open_(L"\\d\\b", &b, &bi), STATUS_SUCCESS);
    ASSERT_EQ(bi.IndexNumber, info.IndexNumber);
    ASSERT_EQ(bi.HardLinks, 2);
    ASSERT_EQ(bi.FileSize, 6);
    write_all(b, 6, "!", 1);
    ASSERT_EQ(file_info(a).FileSize, 7);
    /* Errors: existing name, missing parent, a directory, the name in another form. */
    ASSERT_EQ(I->CreateHardLink(F, a, L"\\a", L"\\d\\b", &info), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(I->CreateHardLink(F, a, L"\\a", L"\\d", &info), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(I->CreateHardLink(F, a, L"\\a", L"\\nodir\\c", &info), STATUS_OBJECT_PATH_NOT_FOUND);
    ASSERT_EQ(I->CreateHardLink(F, a, L"\\a", L"\\", &info), STATUS_OBJECT_NAME_INVALID);
    ASSERT_EQ(I->CreateHardLink(F, a, L"\\a", L"\\c:stream", &info), STATUS_OBJECT_NAME_INVALID);
    PVOID d;
    ASSERT_EQ(open_(L"\\d", &d, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->CreateHardLink(F, d, L"\\d", L"\\d2", &info), STATUS_ACCESS_DENIED);
    ASSERT_EQ(file_info(d).HardLinks, 2); /* file links do not count as subdirectories */
    close_(d);
    /* Both names are listed. */
    ASSERT(exists(L"\\a") && exists(L"\\d\\b"));
    /* Removing one name leaves the other with the data. */
    ASSERT_EQ(delete_(L"\\a"), STATUS_SUCCESS);
    ASSERT(!exists(L"\\a"));
    ASSERT_EQ(file_info(b).HardLinks, 1);
    char got[8];
    ULONG n;
    ASSERT_EQ(I->Read(F, b, got, 0, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 7);
    ASSERT(0 == memcmp(got, "shared!", 7));
    /* Renaming over another name of the same file changes nothing. */
    ASSERT_EQ(I->CreateHardLink(F, b, L"\\d\\b", L"\\c", &info), STATUS_SUCCESS);
    ASSERT_EQ(I->Rename(F, b, L"\\d\\b", L"\\c", TRUE), STATUS_SUCCESS);
    ASSERT(exists(L"\\d\\b") && exists(L"\\c"));
    ASSERT_EQ(file_info(b).HardLinks, 2);
    /* The last name goes while open: linking it again fails (as Linux's ENOENT). */
    ASSERT_EQ(delete_(L"\\c"), STATUS_SUCCESS);
    ASSERT_EQ(delete_(L"\\d\\b"), STATUS_SUCCESS);
    ASSERT_EQ(file_info(b).HardLinks, 0);
    ASSERT_EQ(I->CreateHardLink(F, b, L"\\d\\b", L"\\revived", &info), STATUS_OBJECT_NAME_NOT_FOUND);
    close_(b);
    close_(a);
}

static void security(void)
{
    start();
    UINT32 uid, gid, mode;
    PVOID r, f, g;
    /* The root: the calling user, 0755. */
    ASSERT_EQ(open_(L"\\", &r, 0), STATUS_SUCCESS);
    void *sd = get_sd(r);
    sd_perms(sd, &uid, &gid, &mode);
    free(sd);
    ASSERT_EQ(uid, geteuid());
    ASSERT_EQ(gid, getegid());
    ASSERT_EQ(mode & 0777, 0755);
    close_(r);

    /* A new file without a descriptor (no operation context): the calling process owns it. */
    ASSERT_EQ(create(L"\\inherited", false, &f, 0), STATUS_SUCCESS);
    sd = get_sd(f);
    sd_perms(sd, &uid, &gid, &mode);
    free(sd);
    ASSERT_EQ(uid, geteuid());
    ASSERT_EQ(gid, getegid());
    close_(f);

    /* With a descriptor. */
    PSECURITY_DESCRIPTOR psd = 0;
    ASSERT_EQ(FspPosixMapPermissionsToSecurityDescriptor(1234, 5678, 0640, &psd), STATUS_SUCCESS);
    NTSTATUS status = create_sd(L"\\owned", false, psd, &g, 0);
    FspDeleteSecurityDescriptor(psd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    ASSERT_EQ(status, STATUS_SUCCESS);
    sd = get_sd(g);
    sd_perms(sd, &uid, &gid, &mode);
    free(sd);
    ASSERT_EQ(uid, 1234);
    ASSERT_EQ(gid, 5678);
    ASSERT_EQ(mode & 07777, 0640);

    /* GetSecurityByName: attributes and the same descriptor; size queries. */
    UINT32 attrs = 0;
    SIZE_T size = 0;
    ASSERT_EQ(I->GetSecurityByName(F, WR(L"\\owned"), &attrs, 0, &size), STATUS_BUFFER_OVERFLOW);
    ASSERT(size > 0);
    sd = malloc(size);
    ASSERT(sd);
    SIZE_T small = size - 1;
    status = I->GetSecurityByName(F, WR(L"\\owned"), &attrs, sd, &small);
    if (STATUS_BUFFER_OVERFLOW != status)
        free(sd);
    ASSERT_EQ(status, STATUS_BUFFER_OVERFLOW);
    ASSERT_EQ(small, size);
    status = I->GetSecurityByName(F, WR(L"\\owned"), &attrs, sd, &size);
    if (STATUS_SUCCESS == status)
        sd_perms(sd, &uid, &gid, &mode);
    free(sd);
    ASSERT_EQ(status, STATUS_SUCCESS);
    ASSERT(!(attrs & FILE_ATTRIBUTE_DIRECTORY));
    ASSERT_EQ(mode & 07777, 0640);
    ASSERT_EQ(I->GetSecurityByName(F, WR(L"\\missing"), &attrs, 0, &size), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(I->GetSecurityByName(F, WR(L"\\nodir\\x"), &attrs, 0, &size), STATUS_OBJECT_PATH_NOT_FOUND);

    /* SetSecurity: change the DACL only (built for the same owner and group, since its ACEs
     * name them); owner and group stay. */
    ASSERT_EQ(FspPosixMapPermissionsToSecurityDescriptor(1234, 5678, 0604, &psd), STATUS_SUCCESS);
    status = I->SetSecurity(F, g, DACL_SECURITY_INFORMATION, psd);
    FspDeleteSecurityDescriptor(psd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    ASSERT_EQ(status, STATUS_SUCCESS);
    sd = get_sd(g);
    sd_perms(sd, &uid, &gid, &mode);
    free(sd);
    ASSERT_EQ(uid, 1234);
    ASSERT_EQ(gid, 5678);
    ASSERT_EQ(mode & 0777, 0604);
    /* Owner and group too. */
    ASSERT_EQ(FspPosixMapPermissionsToSecurityDescriptor(42, 43, 0600, &psd), STATUS_SUCCESS);
    status = I->SetSecurity(F, g, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                                      DACL_SECURITY_INFORMATION, psd);
    FspDeleteSecurityDescriptor(psd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    ASSERT_EQ(status, STATUS_SUCCESS);
    sd = get_sd(g);
    sd_perms(sd, &uid, &gid, &mode);
    free(sd);
    ASSERT_EQ(uid, 42);
    ASSERT_EQ(gid, 43);
    ASSERT_EQ(mode & 0777, 0600);
    /* A too-small buffer reports the size needed. */
    char tiny[8];
    size = sizeof tiny;
    ASSERT_EQ(I->GetSecurity(F, g, tiny, &size), STATUS_BUFFER_OVERFLOW);
    ASSERT(size > sizeof tiny);
    close_(g);
}

/* A symbolic link's reparse data for target (ASCII), malloc'ed. */
static REPARSE_DATA_BUFFER *symlink_data(const char *target, SIZE_T *psize)
{
    size_t n = strlen(target);
    size_t hdr = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer);
    size_t size = hdr + 2 * n * sizeof(WCHAR);
    REPARSE_DATA_BUFFER *rp = calloc(1, size);
    ASSERT(rp);
    rp->ReparseTag = IO_REPARSE_TAG_SYMLINK;
    rp->ReparseDataLength = (USHORT)(size - REPARSE_DATA_BUFFER_HEADER_SIZE);
    rp->SymbolicLinkReparseBuffer.SubstituteNameLength = (USHORT)(n * sizeof(WCHAR));
    rp->SymbolicLinkReparseBuffer.PrintNameOffset = (USHORT)(n * sizeof(WCHAR));
    rp->SymbolicLinkReparseBuffer.PrintNameLength = (USHORT)(n * sizeof(WCHAR));
    rp->SymbolicLinkReparseBuffer.Flags = SYMLINK_FLAG_RELATIVE;
    for (size_t i = 0; i < n; i++)
        rp->SymbolicLinkReparseBuffer.PathBuffer[i] = rp->SymbolicLinkReparseBuffer.PathBuffer[n + i] =
            (WCHAR)target[i];
    *psize = size;
    return rp;
}

static void reparse_points(void)
{
    start();
    PVOID f;
    ASSERT_EQ(create(L"\\link", false, &f, 0), STATUS_SUCCESS);
    static char buf[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
    SIZE_T size = sizeof buf;
    ASSERT_EQ(I->GetReparsePoint(F, f, L"\\link", buf, &size), STATUS_NOT_A_REPARSE_POINT);
    SIZE_T rsize;
    g_rp = symlink_data("target/file", &rsize);
    ASSERT_EQ(I->SetReparsePoint(F, f, L"\\link", g_rp, rsize), STATUS_SUCCESS);
    FSP_FSCTL_FILE_INFO info = file_info(f);
    ASSERT(info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
    ASSERT_EQ(info.ReparseTag, IO_REPARSE_TAG_SYMLINK);
    size = sizeof buf;
    ASSERT_EQ(I->GetReparsePoint(F, f, L"\\link", buf, &size), STATUS_SUCCESS);
    ASSERT_EQ(size, rsize);
    ASSERT(0 == memcmp(buf, g_rp, rsize));
    size = rsize - 1;
    ASSERT_EQ(I->GetReparsePoint(F, f, L"\\link", buf, &size), STATUS_BUFFER_TOO_SMALL);
    /* Too short to be reparse data. */
    ASSERT_EQ(I->SetReparsePoint(F, f, L"\\link", g_rp, 4), STATUS_IO_REPARSE_DATA_INVALID);
    /* Another tag cannot replace it; deleting needs the same tag. */
    REPARSE_DATA_BUFFER other = *g_rp;
    other.ReparseTag = IO_REPARSE_TAG_MOUNT_POINT;
    other.ReparseDataLength = 0;
    ASSERT_EQ(I->SetReparsePoint(F, f, L"\\link", &other, REPARSE_DATA_BUFFER_HEADER_SIZE),
              STATUS_IO_REPARSE_TAG_MISMATCH);
    ASSERT_EQ(I->DeleteReparsePoint(F, f, L"\\link", &other, REPARSE_DATA_BUFFER_HEADER_SIZE),
              STATUS_IO_REPARSE_TAG_MISMATCH);
    ASSERT_EQ(I->DeleteReparsePoint(F, f, L"\\link", g_rp, REPARSE_DATA_BUFFER_HEADER_SIZE),
              STATUS_SUCCESS);
    info = file_info(f);
    ASSERT(!(info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT));
    ASSERT_EQ(info.ReparseTag, 0);
    ASSERT_EQ(I->DeleteReparsePoint(F, f, L"\\link", g_rp, REPARSE_DATA_BUFFER_HEADER_SIZE),
              STATUS_NOT_A_REPARSE_POINT);
    close_(f);

    /* Created with the data at once (CreateEx), as the engine makes symlinks. */
    FSP_FSCTL_OPEN_FILE_INFO oi;
    PVOID s;
    ASSERT_EQ(I->CreateEx(F, L"\\sym", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS, 0, 0, 0, g_rp, (ULONG)rsize,
                          TRUE, &s, &oi.FileInfo),
              STATUS_SUCCESS);
    track(s);
    ASSERT(oi.FileInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
    ASSERT_EQ(oi.FileInfo.ReparseTag, IO_REPARSE_TAG_SYMLINK);
    close_(s);
    /* A non-empty directory cannot become a reparse point. */
    touch(L"\\d", true);
    touch(L"\\d\\x", false);
    PVOID d;
    ASSERT_EQ(open_(L"\\d", &d, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->SetReparsePoint(F, d, L"\\d", g_rp, rsize), STATUS_DIRECTORY_NOT_EMPTY);
    close_(d);
    free(g_rp);
    g_rp = 0;
}

/* Build an EA list: names[i] = values[i] (NULL value: length 0, i.e. delete). */
static ULONG build_eas(void *buf, size_t cap, const char *const *names, const char *const *values, int n)
{
    char *p = buf;
    size_t pos = 0;
    FILE_FULL_EA_INFORMATION *prev = 0;
    memset(buf, 0, cap);
    for (int i = 0; i < n; i++) {
        pos = (pos + 3) & ~(size_t)3;
        FILE_FULL_EA_INFORMATION *e = (FILE_FULL_EA_INFORMATION *)(p + pos);
        size_t nl = strlen(names[i]), vl = values[i] ? strlen(values[i]) : 0;
        size_t size = offsetof(FILE_FULL_EA_INFORMATION, EaName) + nl + 1 + vl;
        ASSERT(pos + size <= cap);
        if (prev)
            prev->NextEntryOffset = (ULONG)((char *)e - (char *)prev);
        e->Flags = 0;
        e->EaNameLength = (UCHAR)nl;
        e->EaValueLength = (USHORT)vl;
        memcpy(e->EaName, names[i], nl + 1);
        if (vl)
            memcpy(e->EaName + nl + 1, values[i], vl);
        prev = e;
        pos += size;
    }
    return (ULONG)pos;
}

/* Find an EA by name in a GetEa result; returns its value length or -1. */
static int find_ea(const void *buf, ULONG len, const char *name, char *value)
{
    const char *p = buf;
    size_t pos = 0;
    while (pos < len) {
        const FILE_FULL_EA_INFORMATION *e = (const FILE_FULL_EA_INFORMATION *)(p + pos);
        ASSERT(pos + offsetof(FILE_FULL_EA_INFORMATION, EaName) + e->EaNameLength + 1 + e->EaValueLength <= len);
        if (e->EaNameLength == strlen(name) && 0 == memcmp(e->EaName, name, e->EaNameLength)) {
            memcpy(value, e->EaName + e->EaNameLength + 1, e->EaValueLength);
            return e->EaValueLength;
        }
        if (!e->NextEntryOffset)
            break;
        pos += e->NextEntryOffset;
    }
    return -1;
}

static void extended_attributes(void)
{
    start();
    PVOID f;
    static char eas[1024], got[1024];
    char value[256];
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(create(L"\\f", false, &f, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.EaSize, 0);
    ULONG n;
    ASSERT_EQ(I->GetEa(F, f, (PFILE_FULL_EA_INFORMATION)got, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 0);
    const char *names[] = {"user.one", "user.two"};
    const char *values[] = {"1", "second value"};
    ULONG len = build_eas(eas, sizeof eas, names, values, 2);
    ASSERT_EQ(I->SetEa(F, f, (PFILE_FULL_EA_INFORMATION)eas, len, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.EaSize, (5 + 8 + 1) + (5 + 8 + 12));
    ASSERT_EQ(I->GetEa(F, f, (PFILE_FULL_EA_INFORMATION)got, sizeof got, &n), STATUS_SUCCESS);
    ASSERT(n > 0 && n <= sizeof got);
    ASSERT_EQ(find_ea(got, n, "user.one", value), 1);
    ASSERT(0 == memcmp(value, "1", 1));
    ASSERT_EQ(find_ea(got, n, "user.two", value), 12);
    ASSERT(0 == memcmp(value, "second value", 12));
    ASSERT_EQ(find_ea(got, n, "user.three", value), -1);
    /* Too small for all of them. */
    ASSERT_EQ(I->GetEa(F, f, (PFILE_FULL_EA_INFORMATION)got, 20, &n), STATUS_BUFFER_OVERFLOW);
    /* Replace one, delete the other (value length 0). */
    const char *values2[] = {"uno", 0};
    len = build_eas(eas, sizeof eas, names, values2, 2);
    ASSERT_EQ(I->SetEa(F, f, (PFILE_FULL_EA_INFORMATION)eas, len, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.EaSize, 5 + 8 + 3);
    ASSERT_EQ(I->GetEa(F, f, (PFILE_FULL_EA_INFORMATION)got, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(find_ea(got, n, "user.one", value), 3);
    ASSERT(0 == memcmp(value, "uno", 3));
    ASSERT_EQ(find_ea(got, n, "user.two", value), -1);
    /* A corrupt list is refused. */
    len = build_eas(eas, sizeof eas, names, values, 1);
    ((FILE_FULL_EA_INFORMATION *)eas)->EaNameLength = 200;
    ASSERT_EQ(I->SetEa(F, f, (PFILE_FULL_EA_INFORMATION)eas, len, &info), STATUS_EA_CORRUPT_ERROR);
    /* Overwrite with EAs replaces them all. */
    const char *names3[] = {"user.new"};
    const char *values3[] = {"v"};
    len = build_eas(eas, sizeof eas, names3, values3, 1);
    ASSERT_EQ(I->OverwriteEx(F, f, 0, FALSE, 0, (PFILE_FULL_EA_INFORMATION)eas, len, &info), STATUS_SUCCESS);
    ASSERT_EQ(I->GetEa(F, f, (PFILE_FULL_EA_INFORMATION)got, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(find_ea(got, n, "user.one", value), -1);
    ASSERT_EQ(find_ea(got, n, "user.new", value), 1);
    close_(f);
    /* Created with EAs (CreateEx). */
    len = build_eas(eas, sizeof eas, names, values, 2);
    FSP_FSCTL_OPEN_FILE_INFO oi;
    PVOID g;
    ASSERT_EQ(I->CreateEx(F, L"\\g", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS, 0, 0, 0, eas, len, FALSE,
                          &g, &oi.FileInfo),
              STATUS_SUCCESS);
    track(g);
    ASSERT_EQ(oi.FileInfo.EaSize, (5 + 8 + 1) + (5 + 8 + 12));
    ASSERT_EQ(I->GetEa(F, g, (PFILE_FULL_EA_INFORMATION)got, sizeof got, &n), STATUS_SUCCESS);
    ASSERT_EQ(find_ea(got, n, "user.two", value), 12);
    close_(g);
}

static void named_streams(void)
{
    start();
    touch(L"\\f", false);
    PVOID f, s;
    ASSERT_EQ(open_(L"\\f", &f, 0), STATUS_SUCCESS);
    write_all(f, 0, "main", 4);
    ASSERT_EQ(create(L"\\f:alt", false, &s, 0), STATUS_SUCCESS);
    write_all(s, 0, "stream data", 11);
    ASSERT_EQ(create(L"\\f:alt", false, &s, 0), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(create(L"\\missing:alt", false, &s, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(file_info(f).FileSize, 4);
    FSP_FSCTL_FILE_INFO si = file_info(s);
    ASSERT_EQ(si.FileSize, 11);
    ASSERT_EQ(si.IndexNumber, file_info(f).IndexNumber);
    /* "f::$DATA" is the main stream; "f:alt:$DATA" the named one. */
    PVOID x;
    ASSERT_EQ(open_(L"\\f::$DATA", &x, &si), STATUS_SUCCESS);
    ASSERT_EQ(si.FileSize, 4);
    close_(x);
    ASSERT_EQ(open_(L"\\f:alt:$DATA", &x, &si), STATUS_SUCCESS);
    ASSERT_EQ(si.FileSize, 11);
    close_(x);
    ASSERT_EQ(open_(L"\\f:alt:$BOGUS", &x, 0), STATUS_OBJECT_NAME_INVALID);
    ASSERT_EQ(open_(L"\\f:nope", &x, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    /* GetStreamInfo lists both. */
    static char buf[4096];
    ULONG n;
    ASSERT_EQ(I->GetStreamInfo(F, f, buf, sizeof buf, &n), STATUS_SUCCESS);
    int found = 0;
    for (size_t pos = 0; pos + sizeof(UINT16) <= n;) {
        FSP_FSCTL_STREAM_INFO *si2 = (FSP_FSCTL_STREAM_INFO *)(buf + pos);
        if (0 == si2->Size)
            break;
        size_t nc = (si2->Size - sizeof *si2) / sizeof(WCHAR);
        if (7 == nc && 0 == memcmp(si2->StreamNameBuf, L"::$DATA", 7 * sizeof(WCHAR)) && 4 == si2->StreamSize)
            found |= 1;
        if (10 == nc && 0 == memcmp(si2->StreamNameBuf, L":alt:$DATA", 10 * sizeof(WCHAR)) &&
            11 == si2->StreamSize)
            found |= 2;
        pos += (si2->Size + 7) & ~(size_t)7;
    }
    ASSERT_EQ(found, 3);
    /* Streams cannot be renamed; deleting the stream keeps the file. */
    ASSERT_EQ(I->Rename(F, s, L"\\f:alt", L"\\f:other", FALSE), STATUS_INVALID_PARAMETER);
    close_(s);
    ASSERT_EQ(delete_(L"\\f:alt"), STATUS_SUCCESS);
    ASSERT_EQ(open_(L"\\f:alt", &x, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(file_info(f).FileSize, 4);
    /* Deleting the file while its stream is open. */
    ASSERT_EQ(create(L"\\f:alt2", false, &s, 0), STATUS_SUCCESS);
    close_(f);
    ASSERT_EQ(delete_(L"\\f"), STATUS_SUCCESS);
    ASSERT(!exists(L"\\f"));
    write_all(s, 0, "still", 5);
    close_(s);
}

static void basic_info_volume_control(void)
{
    start();
    PVOID f;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(create(L"\\f", false, &f, 0), STATUS_SUCCESS);
    ASSERT_EQ(I->SetBasicInfo(F, f, FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_DIRECTORY, 111, 222, 333, 444, &info),
              STATUS_SUCCESS);
    ASSERT(info.FileAttributes & FILE_ATTRIBUTE_READONLY);
    ASSERT(!(info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)); /* cannot become a directory */
    ASSERT_EQ(info.CreationTime, 111);
    ASSERT_EQ(info.LastAccessTime, 222);
    ASSERT_EQ(info.LastWriteTime, 333);
    ASSERT_EQ(info.ChangeTime, 444);
    /* Zero times and INVALID_FILE_ATTRIBUTES leave things alone. */
    ASSERT_EQ(I->SetBasicInfo(F, f, INVALID_FILE_ATTRIBUTES, 0, 0, 0, 555, &info), STATUS_SUCCESS);
    ASSERT(info.FileAttributes & FILE_ATTRIBUTE_READONLY);
    ASSERT_EQ(info.CreationTime, 111);
    ASSERT_EQ(info.LastWriteTime, 333);
    ASSERT_EQ(info.ChangeTime, 555);
    /* Cleanup flags update times. */
    I->Cleanup(F, f, 0, FspCleanupSetLastWriteTime);
    ASSERT(file_info(f).LastWriteTime > 333);

    /* Volume label. */
    FSP_FSCTL_VOLUME_INFO vi;
    ASSERT_EQ(I->SetVolumeLabel(F, L"LABEL", &vi), STATUS_SUCCESS);
    ASSERT_EQ(vi.VolumeLabelLength, 5 * sizeof(WCHAR));
    ASSERT(0 == memcmp(vi.VolumeLabel, L"LABEL", 5 * sizeof(WCHAR)));
    ASSERT_EQ(I->GetVolumeInfo(F, &vi), STATUS_SUCCESS);
    ASSERT_EQ(vi.VolumeLabelLength, 5 * sizeof(WCHAR));
    ASSERT(vi.FreeSize <= vi.TotalSize);

    /* Control: ROT13. */
    char out[64];
    ULONG n = 0;
    ASSERT_EQ(I->Control(F, f, MEMFS_CONTROL_ROT13, "Hello, World", 12, out, sizeof out, &n), STATUS_SUCCESS);
    ASSERT_EQ(n, 12);
    ASSERT(0 == memcmp(out, "Uryyb, Jbeyq", 12));
    ASSERT_EQ(I->Control(F, f, 0x1234, "x", 1, out, sizeof out, &n), STATUS_INVALID_DEVICE_REQUEST);
    close_(f);
}

/*
 * Fallocate (LinFsp extension) on memfs: punching a hole or zeroing a range gives the range's
 * whole pages back (AllocationSize shrinks, also across 16 MiB chunk tables) and clears the
 * parts of pages at its ends; KEEP_SIZE never changes the size, the default mode only grows it.
 */
static void fallocate_modes(void)
{
    start_ex(MemfsDisk, 1024, 1ULL << 32);
    ASSERT(I->Fallocate);
    PVOID f;
    ASSERT_EQ(create(L"\\f", false, &f, 0), STATUS_SUCCESS);
    static unsigned char page[4096], got[3 * 4096];
    memset(page, 0xab, sizeof page);
    for (UINT64 p = 0; p < 8; p++)
        write_all(f, p * 4096, page, sizeof page);
    write_all(f, (1ULL << 24) + 4096, page, sizeof page); /* in the second chunk table */
    FSP_FSCTL_FILE_INFO info = file_info(f);
    ASSERT_EQ(info.AllocationSize, 9 * 4096);
    UINT64 size = info.FileSize;
    /* keep-size inside and past the end: nothing changes */
    ASSERT_EQ(I->Fallocate(F, f, FSP_FALLOCATE_KEEP_SIZE, 0, 4096, &info), STATUS_SUCCESS);
    ASSERT_EQ(I->Fallocate(F, f, FSP_FALLOCATE_KEEP_SIZE, size, 1 << 20, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, size);
    ASSERT_EQ(info.AllocationSize, 9 * 4096);
    /* punch 100 .. 3 pages + 100: pages 1 and 2 go, 0 and 3 are cleared in part */
    ASSERT_EQ(I->Fallocate(F, f, FSP_FALLOCATE_PUNCH_HOLE | FSP_FALLOCATE_KEEP_SIZE, 100,
                           3 * 4096, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, size);
    ASSERT_EQ(info.AllocationSize, 7 * 4096);
    ULONG n;
    ASSERT_EQ(I->Read(F, f, got, 0, sizeof got, &n), STATUS_SUCCESS);
    for (size_t i = 0; i < sizeof got; i++)
        ASSERT_EQ(got[i], i < 100 ? 0xab : 0);
    ASSERT_EQ(I->Read(F, f, got, 3 * 4096, 4096, &n), STATUS_SUCCESS);
    for (size_t i = 0; i < 4096; i++)
        ASSERT_EQ(got[i], i < 100 ? 0 : 0xab);
    /* zero a range across both chunk tables: every page inside goes */
    ASSERT_EQ(I->Fallocate(F, f, FSP_FALLOCATE_ZERO_RANGE | FSP_FALLOCATE_KEEP_SIZE, 4 * 4096,
                           1ULL << 24, &info),
              STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, size);
    ASSERT_EQ(info.AllocationSize, 2 * 4096); /* pages 0 and 3 are left */
    /* zero past the end grows the file; the default mode grows it and never shrinks it */
    ASSERT_EQ(I->Fallocate(F, f, FSP_FALLOCATE_ZERO_RANGE, size - 1, 11, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, size + 10);
    ASSERT_EQ(I->Fallocate(F, f, 0, 0, 10, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, size + 10);
    ASSERT_EQ(I->Fallocate(F, f, 0, size + 10, 90, &info), STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, size + 100);
    ASSERT_EQ(I->Fallocate(F, f, 0, 0, 1ULL << 33, &info), STATUS_FILE_TOO_LARGE); /* > MaxFileSize: EFBIG */
    ASSERT_EQ(I->Fallocate(F, f, 0x20, 0, 10, &info), STATUS_NOT_SUPPORTED);
    close_(f);
}

/* ---- races (run under ThreadSanitizer and ASan in CI: they catch what these provoke) ---- */

#define RACE_ROUNDS 3000

struct racer {
    pthread_t thread;
    volatile bool stop;
    void (*fn)(struct racer *);
    PVOID ctx;
    unsigned rounds;
};

static void *race_main(void *arg)
{
    struct racer *r = arg;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        r->fn(r);
        __atomic_add_fetch(&r->rounds, 1, __ATOMIC_RELEASE);
    }
    return 0;
}

static void race_start(struct racer *r, void (*fn)(struct racer *), PVOID ctx)
{
    memset(r, 0, sizeof *r);
    r->fn = fn;
    r->ctx = ctx;
    ASSERT(0 == pthread_create(&r->thread, 0, race_main, r));
}

static unsigned race_rounds(struct racer *r)
{
    return __atomic_load_n(&r->rounds, __ATOMIC_ACQUIRE);
}

static void race_stop(struct racer *r)
{
    __atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
    pthread_join(r->thread, 0);
}

static REPARSE_DATA_BUFFER *g_rp_short, *g_rp_long;
static SIZE_T g_rp_short_size, g_rp_long_size;

/* Replace the link's reparse data with a short, then a long one, then remove it. */
static void flip_reparse(struct racer *r)
{
    I->SetReparsePoint(F, r->ctx, L"\\link", g_rp_short, g_rp_short_size);
    I->SetReparsePoint(F, r->ctx, L"\\link", g_rp_long, g_rp_long_size);
    I->DeleteReparsePoint(F, r->ctx, L"\\link", g_rp_long, REPARSE_DATA_BUFFER_HEADER_SIZE);
}

/*
 * Reparse data read by name (GetSecurityByName and ResolveReparsePoints of a path through the
 * link) while SetReparsePoint/DeleteReparsePoint replace or free it: reparse_by_name copied the
 * data under the tree lock only, while the others change it under the node's lock
 * (use-after-free, or a copy of the old size from the new data).
 */
static void reparse_by_name_race(void)
{
    start();
    PVOID f;
    ASSERT_EQ(create(L"\\link", false, &f, 0), STATUS_SUCCESS);
    g_rp_short = symlink_data("t", &g_rp_short_size);
    g_rp_long = symlink_data("a/much/longer/target/that/does/not/fit/the/short/one", &g_rp_long_size);
    struct racer r;
    race_start(&r, flip_reparse, f);
    static char buf[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
    for (int i = 0; i < RACE_ROUNDS || race_rounds(&r) < RACE_ROUNDS / 10; i++) {
        UINT32 attrs;
        SIZE_T size = 0;
        WCHAR name[] = L"\\link\\x";
        I->GetSecurityByName(F, name, &attrs, 0, &size);
        IO_STATUS_BLOCK io;
        size = sizeof buf;
        WCHAR name2[] = L"\\link\\x";
        I->ResolveReparsePoints(F, name2, 1, FALSE, &io, buf, &size);
    }
    race_stop(&r);
    close_(f);
    free(g_rp_short), free(g_rp_long);
    g_rp_short = g_rp_long = 0;
}

static pthread_barrier_t g_barrier;

struct stream_delete {
    PVOID f, s; /* the file and one open of its stream */
};

/* Delete the file's name, then the stream (detaching it from the file), and close both. */
static void *delete_file_and_stream(void *arg)
{
    struct stream_delete *d = arg;
    pthread_barrier_wait(&g_barrier);
    I->Cleanup(F, d->f, L"\\sf", FspCleanupDelete); /* the file lives on by its stream's opens */
    I->Close(F, d->f);
    I->Cleanup(F, d->s, L"\\sf:alt", FspCleanupDelete);
    I->Close(F, d->s);
    return 0;
}

/*
 * A stream's file (its `main`) read without the tree lock - GetSecurity, SetSecurity,
 * GetStreamInfo, GetFileInfo - while deleting the stream detached it under that lock and could
 * free the file: use-after-free (ASan), a data race (ThreadSanitizer).
 */
static void stream_main_race(void)
{
    start();
    ASSERT(0 == pthread_barrier_init(&g_barrier, 0, 2));
    static char buf[4096];
    for (int i = 0; i < 200; i++) {
        struct stream_delete d;
        PVOID s;
        FSP_FSCTL_FILE_INFO info;
        ASSERT_EQ(I->Create(F, L"\\sf", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS,
                            FILE_ATTRIBUTE_ARCHIVE, 0, 0, &d.f, &info), STATUS_SUCCESS);
        ASSERT_EQ(I->Create(F, L"\\sf:alt", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS,
                            FILE_ATTRIBUTE_ARCHIVE, 0, 0, &d.s, &info), STATUS_SUCCESS);
        ASSERT_EQ(I->Open(F, L"\\sf:alt", 0, FILE_ALL_ACCESS, &s, &info), STATUS_SUCCESS);
        pthread_t t;
        ASSERT(0 == pthread_create(&t, 0, delete_file_and_stream, &d));
        pthread_barrier_wait(&g_barrier);
        for (int k = 0; k < 20; k++) {
            SIZE_T size = sizeof buf;
            I->GetSecurity(F, s, buf, &size);
            ULONG n;
            I->GetStreamInfo(F, s, buf, sizeof buf, &n);
            I->GetFileInfo(F, s, &info);
        }
        pthread_join(t, 0);
        FSP_FSCTL_FILE_INFO after;
        ASSERT_EQ(I->GetFileInfo(F, s, &after), STATUS_SUCCESS); /* still a usable open */
        I->Close(F, s);
    }
    pthread_barrier_destroy(&g_barrier);
}

/* Rename a file back and forth, link and unlink a second name: the directory's times change. */
static void rename_and_link(struct racer *r)
{
    (void)r;
    PVOID f;
    FSP_FSCTL_FILE_INFO info;
    if (NT_SUCCESS(I->Open(F, L"\\d\\a", 0, FILE_ALL_ACCESS, &f, &info))) {
        I->Rename(F, f, L"\\d\\a", L"\\d\\b", TRUE);
        I->Rename(F, f, L"\\d\\b", L"\\d\\a", TRUE);
        if (NT_SUCCESS(I->CreateHardLink(F, f, L"\\d\\a", L"\\d\\l", &info)))
            I->Cleanup(F, f, L"\\d\\l", FspCleanupDelete);
        I->Close(F, f);
    }
}

/*
 * A directory's times written by Rename and CreateHardLink without the directory's lock while
 * GetFileInfo of the directory reads them under it (a data race; torn times on 32-bit).
 */
static void parent_times_race(void)
{
    start();
    touch(L"\\d", true);
    touch(L"\\d\\a", false);
    PVOID d;
    ASSERT_EQ(open_(L"\\d", &d, 0), STATUS_SUCCESS);
    struct racer r;
    race_start(&r, rename_and_link, 0);
    for (int i = 0; i < RACE_ROUNDS * 3 || race_rounds(&r) < RACE_ROUNDS / 10; i++) {
        FSP_FSCTL_FILE_INFO info;
        I->GetFileInfo(F, d, &info);
    }
    race_stop(&r);
    close_(d);
}

/*
 * Files that lost every name while open (unlinked, a deleted stream, a file replaced by a
 * rename) belong to memfs until their last Close. When no Close comes (the kernel went away
 * without RELEASE), MemfsDelete must still free them: it leaked them (LeakSanitizer in the
 * sanitizer build).
 */
static void nameless_open_files_freed(void)
{
    start();
    PVOID f, d, g, s, v, w;
    FSP_FSCTL_FILE_INFO info;
    /* not tracked: the teardown must not close them, MemfsDelete must free them */
    ASSERT_EQ(I->Create(F, L"\\f", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS, FILE_ATTRIBUTE_ARCHIVE,
                        0, 0, &f, &info), STATUS_SUCCESS);
    write_all(f, 0, "data", 4);
    I->Cleanup(F, f, L"\\f", FspCleanupDelete);
    ASSERT_EQ(I->Create(F, L"\\d", FILE_DIRECTORY_FILE, FILE_ALL_ACCESS, FILE_ATTRIBUTE_DIRECTORY,
                        0, 0, &d, &info), STATUS_SUCCESS);
    I->Cleanup(F, d, L"\\d", FspCleanupDelete);
    ASSERT_EQ(I->Create(F, L"\\g", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS, FILE_ATTRIBUTE_ARCHIVE,
                        0, 0, &g, &info), STATUS_SUCCESS);
    ASSERT_EQ(I->Create(F, L"\\g:s", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS,
                        FILE_ATTRIBUTE_ARCHIVE, 0, 0, &s, &info), STATUS_SUCCESS);
    I->Cleanup(F, s, L"\\g:s", FspCleanupDelete);
    I->Cleanup(F, g, L"\\g", FspCleanupDelete);
    ASSERT_EQ(I->Create(F, L"\\v", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS, FILE_ATTRIBUTE_ARCHIVE,
                        0, 0, &v, &info), STATUS_SUCCESS);
    ASSERT_EQ(I->Create(F, L"\\w", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS, FILE_ATTRIBUTE_ARCHIVE,
                        0, 0, &w, &info), STATUS_SUCCESS);
    ASSERT_EQ(I->Rename(F, w, L"\\w", L"\\v", TRUE), STATUS_SUCCESS);
    ASSERT(!exists(L"\\f") && !exists(L"\\d") && !exists(L"\\g") && exists(L"\\v"));
    /* still usable while open */
    ASSERT_EQ(file_info(f).FileSize, 4);
    (void)v, (void)w;
}

/* The first bytes of a file by name ("" when it does not exist). */
static void contents(PWSTR path, char *buf, size_t size)
{
    PVOID ctx;
    buf[0] = 0;
    if (!NT_SUCCESS(open_(path, &ctx, 0)))
        return;
    ULONG n = 0;
    I->Read(F, ctx, buf, 0, (ULONG)size - 1, &n);
    buf[n] = 0;
    close_(ctx);
}

/*
 * A rename that replaces its target is all or nothing, also out of memory: memfs removed the
 * target and only then allocated the new name, so a failure lost the target and left the
 * source where it was.
 */
static void rename_replace_out_of_memory(void)
{
    start();
    for (int n = 1; n <= 6; n++) {
        PVOID a, b;
        ASSERT_EQ(create(L"\\a", false, &a, 0), STATUS_SUCCESS);
        write_all(a, 0, "A", 1);
        ASSERT_EQ(create(L"\\b", false, &b, 0), STATUS_SUCCESS);
        write_all(b, 0, "B", 1);
        close_(b);
        g_fail_wcsdup = n;
        NTSTATUS status = I->Rename(F, a, L"\\a", L"\\b", TRUE);
        g_fail_wcsdup = 0;
        close_(a);
        char ca[8], cb[8];
        contents(L"\\a", ca, sizeof ca);
        contents(L"\\b", cb, sizeof cb);
        if (NT_SUCCESS(status)) {
            ASSERT(0 == strcmp(ca, "") && 0 == strcmp(cb, "A"));
            ASSERT_EQ(delete_(L"\\b"), STATUS_SUCCESS);
        } else {
            ASSERT_EQ(status, STATUS_INSUFFICIENT_RESOURCES);
            ASSERT(0 == strcmp(ca, "A") && 0 == strcmp(cb, "B")); /* nothing changed */
            ASSERT_EQ(delete_(L"\\a"), STATUS_SUCCESS);
            ASSERT_EQ(delete_(L"\\b"), STATUS_SUCCESS);
        }
    }
}

/* This process's resident memory in bytes. */
static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    ASSERT(f);
    unsigned long size = 0, resident = 0;
    ASSERT_EQ(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/*
 * The data of a deleted file goes back to the system, also when small allocations that stay
 * (other files) lie between its pages: glibc's malloc keeps such holes in its arenas, and a soak
 * that wrote and deleted a few hundred MiB a minute left memfs at 180-380 MiB of RSS with 14 MiB
 * in use, until memfs trimmed the heap after large frees. (Not under the sanitizers: their
 * allocator keeps freed memory in quarantine on purpose.)
 */
static void deleted_data_given_back(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    tlib_skip("the sanitizers' allocator keeps freed memory");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    tlib_skip("the sanitizers' allocator keeps freed memory");
#endif
#endif
#ifndef __GLIBC__
    tlib_skip("memfs trims glibc's malloc only");
#endif
    enum { MIB = 1024 * 1024, N = 160 };
    start_ex(MemfsDisk, 4096, (UINT64)1 << 30);
    static char block[MIB];
    memset(block, 0x5a, sizeof block);
    size_t before = rss_bytes();
    PVOID big;
    ASSERT_EQ(create(L"\\big", false, &big, 0), STATUS_SUCCESS);
    WCHAR path[64];
    for (unsigned i = 0; i < N; i++) {
        write_all(big, (UINT64)i * MIB, block, MIB);
        /* a small file that stays, made between the big file's pages */
        swprintf(path, 64, L"\\small%03u", i);
        PVOID s;
        ASSERT_EQ(create(path, false, &s, 0), STATUS_SUCCESS);
        write_all(s, 0, "small", 5);
        close_(s);
    }
    close_(big);
    size_t full = rss_bytes();
    ASSERT(full > before + (size_t)N * MIB * 3 / 4); /* the data is in memory */
    ASSERT_EQ(delete_(L"\\big"), STATUS_SUCCESS);
    size_t after = rss_bytes();
    fprintf(stderr, "RSS %zu MiB before, %zu MiB with the file, %zu MiB after its delete; ",
            before / MIB, full / MIB, after / MIB);
    ASSERT(after < before + (size_t)N * MIB / 4);
}

int main(int argc, char **argv)
{
    tlib_set_teardown(teardown_all);
    TLIB_ADD_TEST("memfs", create_open_close);
    TLIB_ADD_TEST("memfs", write_read);
    TLIB_ADD_TEST("memfs", sparse_large_file);
    TLIB_ADD_TEST("memfs", rename_);
    TLIB_ADD_TEST("memfs", delete_semantics);
    TLIB_ADD_TEST("memfs", readdir_20000);
    TLIB_ADD_TEST("memfs", root_listing_and_dirinfo);
    TLIB_ADD_TEST("memfs", case_insensitive);
    TLIB_ADD_TEST("memfs", max_file_nodes);
    TLIB_ADD_TEST("memfs", hard_links);
    TLIB_ADD_TEST("memfs", security);
    TLIB_ADD_TEST("memfs", reparse_points);
    TLIB_ADD_TEST("memfs", extended_attributes);
    TLIB_ADD_TEST("memfs", named_streams);
    TLIB_ADD_TEST("memfs", basic_info_volume_control);
    TLIB_ADD_TEST("memfs", fallocate_modes);
    TLIB_ADD_TEST("memfs", reparse_by_name_race);
    TLIB_ADD_TEST("memfs", stream_main_race);
    TLIB_ADD_TEST("memfs", parent_times_race);
    TLIB_ADD_TEST("memfs", nameless_open_files_freed);
    TLIB_ADD_TEST("memfs", rename_replace_out_of_memory);
    TLIB_ADD_TEST("memfs", deleted_data_given_back);
    return tlib_run(argc, argv);
}
