/*
 * tests/unit/test-api.c - native API helpers (group "api"): status codes,
 * path splitting, EAs, stream and notify records, reparse helpers, version,
 * FspFileSystemCreate argument checks, UTF-8 conversion; plus the directory
 * buffer tests (test-dirbuf.c).
 */
#include <winfsp/winfsp.h>
#include "api.h" /* fsp_utf8_to_wcs / fsp_wcs_to_utf8 (internal) */
#include "tlib.h"
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

void dirbuf_tests(void);

/* ---- status codes ---- */

static void ntstatus_errno_map_test(void)
{
    static const struct {
        int err;
        NTSTATUS status;
    } map[] = {
        {ENOENT, STATUS_OBJECT_NAME_NOT_FOUND},  {EEXIST, STATUS_OBJECT_NAME_COLLISION},
        {EACCES, STATUS_ACCESS_DENIED},          {EPERM, STATUS_PRIVILEGE_NOT_HELD},
        {ENOTEMPTY, STATUS_DIRECTORY_NOT_EMPTY}, {ENOTDIR, STATUS_NOT_A_DIRECTORY},
        {EISDIR, STATUS_FILE_IS_A_DIRECTORY},    {ENOSPC, STATUS_DISK_FULL},
        {ENOMEM, STATUS_INSUFFICIENT_RESOURCES}, {EINVAL, STATUS_INVALID_PARAMETER},
        {ENAMETOOLONG, STATUS_NAME_TOO_LONG},    {EBADF, STATUS_INVALID_HANDLE},
        {EROFS, STATUS_MEDIA_WRITE_PROTECTED},   {ENOSYS, STATUS_INVALID_DEVICE_REQUEST},
        {EBUSY, STATUS_DEVICE_BUSY},             {EXDEV, STATUS_NOT_SAME_DEVICE},
        {EFBIG, STATUS_FILE_TOO_LARGE},          {ENODATA, STATUS_NONEXISTENT_EA_ENTRY},
        {ERANGE, STATUS_BUFFER_TOO_SMALL},       {ELOOP, STATUS_REPARSE_POINT_NOT_RESOLVED},
        {EMFILE, STATUS_TOO_MANY_OPENED_FILES},  {EOPNOTSUPP, STATUS_NOT_SUPPORTED},
        {EILSEQ, STATUS_ILLEGAL_CHARACTER},      {ENODEV, STATUS_NO_SUCH_DEVICE},
        {EIO, STATUS_IO_DEVICE_ERROR},           {EMLINK, STATUS_TOO_MANY_LINKS},
        {E2BIG, STATUS_EA_TOO_LARGE},            {EAGAIN, STATUS_CANT_WAIT},
        {EINTR, STATUS_CANCELLED},               {ETIMEDOUT, STATUS_IO_TIMEOUT},
        {EOVERFLOW, STATUS_INTEGER_OVERFLOW},    {EFAULT, STATUS_INVALID_USER_BUFFER},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        NTSTATUS s = FspNtStatusFromErrno(map[i].err);
        int e = FspErrnoFromNtStatus(map[i].status);
        if (s != map[i].status || e != map[i].err)
            fprintf(stderr, "    errno %d -> 0x%08x, 0x%08x -> errno %d\n", map[i].err,
                    (unsigned)s, (unsigned)map[i].status, e);
        ASSERT_EQ(map[i].status, s);
        ASSERT_EQ(map[i].err, e);
        ASSERT_EQ(map[i].status, FspNtStatusFromErrno(-map[i].err)); /* -errno style too */
    }
}

static void ntstatus_status_map_test(void)
{
    static const struct {
        NTSTATUS status;
        int err;
    } map[] = {
        {STATUS_SUCCESS, 0},
        {STATUS_PENDING, 0},
        {STATUS_REPARSE, 0},
        {STATUS_OBJECT_PATH_NOT_FOUND, ENOENT},
        {STATUS_NO_SUCH_FILE, ENOENT},
        {STATUS_DELETE_PENDING, ENOENT},
        {STATUS_OBJECT_NAME_INVALID, EINVAL},
        {STATUS_SHARING_VIOLATION, EBUSY},
        {STATUS_CANNOT_DELETE, EPERM},
        {STATUS_NOT_IMPLEMENTED, ENOSYS},
        {STATUS_EAS_NOT_SUPPORTED, EOPNOTSUPP},
        {STATUS_NO_EAS_ON_FILE, ENODATA},
        {STATUS_BUFFER_OVERFLOW, ERANGE},
        {STATUS_STOPPED_ON_SYMLINK, ELOOP},
        {STATUS_NOT_A_REPARSE_POINT, EINVAL},
        {STATUS_LOCK_NOT_GRANTED, EAGAIN}, /* a conflict: what fcntl(F_SETLK) says */
        {STATUS_UNSUCCESSFUL, EIO},
        {STATUS_INTERNAL_ERROR, EIO},
        {(NTSTATUS)0xC0DE0001, EIO}, /* unknown errors */
        {(NTSTATUS)0xE0000001, EIO},
        {(NTSTATUS)0x80001234, EIO}, /* unknown warnings are failures too */
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        int e = FspErrnoFromNtStatus(map[i].status);
        if (e != map[i].err)
            fprintf(stderr, "    0x%08x -> %d, expected %d\n", (unsigned)map[i].status, e, map[i].err);
        ASSERT_EQ(map[i].err, e);
    }
}

/* Every errno maps to a failure status that maps back to some errno. */
static void ntstatus_all_errno_test(void)
{
    ASSERT_EQ(STATUS_SUCCESS, FspNtStatusFromErrno(0));
    for (int e = 1; e < 200; e++) {
        NTSTATUS s = FspNtStatusFromErrno(e);
        ASSERT(!NT_SUCCESS(s));
        ASSERT_EQ(s, FspNtStatusFromErrno(-e));
        int back = FspErrnoFromNtStatus(s);
        ASSERT(back > 0);
        /* the statuses chosen for errno values map back to the same errno, except where
         * several errno values share one status */
        if (e != back && ENXIO != e && ENFILE != e && ESPIPE != e && EDQUOT != e &&
            ENOTCONN != e && ENOTTY != e && ENOLCK != e && STATUS_UNSUCCESSFUL != s) {
            fprintf(stderr, "    errno %d -> 0x%08x -> errno %d\n", e, (unsigned)s, back);
            ASSERT(0);
        }
    }
    ASSERT(!NT_SUCCESS(FspNtStatusFromErrno(4000)));
    ASSERT(!NT_SUCCESS(FspNtStatusFromErrno(INT_MAX)));
    ASSERT(!NT_SUCCESS(FspNtStatusFromErrno(INT_MIN)));
    ASSERT_EQ(EIO, FspErrnoFromNtStatus(FspNtStatusFromErrno(4000)));
}

/* ---- paths (WinFsp's path tests) ---- */

static void path_prefix_test(void)
{
    static const wchar_t *in[] = {
        L"", L"\\", L"\\\\", L"\\a", L"\\\\a", L"\\\\a\\", L"\\\\a\\\\", L"a\\", L"a\\\\",
        L"a\\b", L"a\\\\b", L"foo\\\\\\bar\\\\baz", L"foo\\\\\\bar\\\\baz\\",
        L"foo\\\\\\bar\\\\baz\\\\", L"foo",
    };
    static const wchar_t *out[] = {
        L"", L"",        L"ROOT", L"",        L"ROOT", L"",    L"ROOT", L"a",
        L"ROOT", L"a",   L"ROOT", L"a\\",     L"ROOT", L"a\\\\", L"a", L"",
        L"a", L"",       L"a", L"b",          L"a", L"b",
        L"foo", L"bar\\\\baz", L"foo", L"bar\\\\baz\\", L"foo", L"bar\\\\baz\\\\", L"foo", L"",
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        WCHAR buf[32];
        PWSTR prefix, remain;
        wcscpy(buf, in[i]);
        FspPathPrefix(buf, &prefix, &remain, L"ROOT");
        int ok = 0 == wcscmp(out[2 * i], prefix) && 0 == wcscmp(out[2 * i + 1], remain);
        if (!ok)
            fprintf(stderr, "    \"%ls\" -> \"%ls\" \"%ls\"\n", in[i], prefix, remain);
        ASSERT(ok);
        FspPathCombine(buf, remain);
        ASSERT(0 == wcscmp(in[i], buf));
    }
}

static void path_suffix_test(void)
{
    static const wchar_t *in[] = {
        L"", L"\\", L"\\\\", L"\\a", L"\\\\a", L"\\\\a\\", L"\\\\a\\\\", L"a\\", L"a\\\\",
        L"a\\b", L"a\\\\b", L"foo\\\\\\bar\\\\baz", L"foo\\\\\\bar\\\\baz\\",
        L"foo\\\\\\bar\\\\baz\\\\", L"foo", L"\\a\\b",
    };
    static const wchar_t *out[] = {
        L"", L"",         L"ROOT", L"",      L"ROOT", L"",    L"ROOT", L"a",
        L"ROOT", L"a",    L"\\\\a", L"",     L"\\\\a", L"",   L"a", L"",
        L"a", L"",        L"a", L"b",        L"a", L"b",
        L"foo\\\\\\bar", L"baz", L"foo\\\\\\bar\\\\baz", L"", L"foo\\\\\\bar\\\\baz", L"",
        L"foo", L"",      L"\\a", L"b",
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        WCHAR buf[32];
        PWSTR remain, suffix;
        wcscpy(buf, in[i]);
        FspPathSuffix(buf, &remain, &suffix, L"ROOT");
        int ok = 0 == wcscmp(out[2 * i], remain) && 0 == wcscmp(out[2 * i + 1], suffix);
        if (!ok)
            fprintf(stderr, "    \"%ls\" -> \"%ls\" \"%ls\"\n", in[i], remain, suffix);
        ASSERT(ok);
        FspPathCombine(buf, suffix);
        ASSERT(0 == wcscmp(in[i], buf));
    }
    /* without a Root the root stays an empty string */
    WCHAR buf[8];
    PWSTR remain, suffix;
    wcscpy(buf, L"\\a");
    FspPathSuffix(buf, &remain, &suffix, 0);
    ASSERT(0 == wcscmp(remain, L""));
    ASSERT(0 == wcscmp(suffix, L"a"));
}

/* ---- extended attributes ---- */

/* Build one EA in storage (4-byte aligned). */
static PFILE_FULL_EA_INFORMATION make_ea(void *storage, const char *name, const void *value,
                                         USHORT vlen, UCHAR flags)
{
    PFILE_FULL_EA_INFORMATION ea = storage;
    size_t n = strlen(name);
    ea->NextEntryOffset = 0;
    ea->Flags = flags;
    ea->EaNameLength = (UCHAR)n;
    ea->EaValueLength = vlen;
    memcpy(ea->EaName, name, n + 1);
    memcpy(ea->EaName + n + 1, value, vlen);
    return ea;
}

struct ea_seen {
    int count;
    char names[8][32];
    USHORT vlens[8];
    int stop_at; /* fail with STATUS_INSUFFICIENT_RESOURCES on this entry (1-based), 0: never */
};

static NTSTATUS ea_collect(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea)
{
    (void)fs;
    struct ea_seen *s = ctx;
    if (s->count == 8)
        return STATUS_BUFFER_OVERFLOW;
    memcpy(s->names[s->count], ea->EaName, ea->EaNameLength);
    s->names[s->count][ea->EaNameLength] = 0;
    s->vlens[s->count] = ea->EaValueLength;
    s->count++;
    return s->stop_at == s->count ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
}

static void ea_test(void)
{
    uint32_t st1[32], st2[32], st3[32], out[64];
    PFILE_FULL_EA_INFORMATION a = make_ea(st1, "user.a", "xyz", 3, 0);
    PFILE_FULL_EA_INFORMATION b = make_ea(st2, "user.bb", "", 0, 0);
    PFILE_FULL_EA_INFORMATION c = make_ea(st3, "user.ccc", "0123456789", 10, FILE_NEED_EA);
    ASSERT_EQ(5 + 6 + 3, FspFileSystemGetEaPackedSize(a));
    ASSERT_EQ(5 + 7 + 0, FspFileSystemGetEaPackedSize(b));
    ASSERT_EQ(5 + 8 + 10, FspFileSystemGetEaPackedSize(c));

    memset(out, 0xCC, sizeof out);
    ULONG bytes = 0;
    ASSERT(FspFileSystemAddEa(a, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(b, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(c, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(0, (PVOID)out, sizeof out, &bytes)); /* end of list */
    ASSERT(bytes <= sizeof out);

    /* the chain: 4-byte aligned offsets, the last entry ends the list */
    PFILE_FULL_EA_INFORMATION e = (PVOID)out;
    ASSERT_EQ(0, e->NextEntryOffset & 3);
    ASSERT(e->NextEntryOffset >= offsetof(FILE_FULL_EA_INFORMATION, EaName) + 6 + 1 + 3);
    ASSERT(0 == memcmp(e->EaName, "user.a\0xyz", 10));
    e = (PVOID)((char *)e + e->NextEntryOffset);
    ASSERT_EQ(0, e->NextEntryOffset & 3);
    ASSERT(0 == strcmp(e->EaName, "user.bb"));
    e = (PVOID)((char *)e + e->NextEntryOffset);
    ASSERT_EQ(0, e->NextEntryOffset);
    ASSERT_EQ(FILE_NEED_EA, e->Flags);
    ASSERT(0 == memcmp(e->EaName, "user.ccc\0" "0123456789", 19));

    struct ea_seen seen = {0};
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &seen, (PVOID)out, bytes));
    ASSERT_EQ(3, seen.count);
    ASSERT(0 == strcmp(seen.names[0], "user.a"));
    ASSERT(0 == strcmp(seen.names[1], "user.bb"));
    ASSERT(0 == strcmp(seen.names[2], "user.ccc"));
    ASSERT_EQ(3, seen.vlens[0]);
    ASSERT_EQ(0, seen.vlens[1]);
    ASSERT_EQ(10, seen.vlens[2]);

    /* the callback's failure stops the enumeration and is returned */
    struct ea_seen stop = {0};
    stop.stop_at = 2;
    ASSERT_EQ(STATUS_INSUFFICIENT_RESOURCES,
              FspFileSystemEnumerateEa(0, ea_collect, &stop, (PVOID)out, bytes));
    ASSERT_EQ(2, stop.count);

    /* an empty list */
    struct ea_seen none = {0};
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &none, (PVOID)out, 0));
    ASSERT_EQ(0, none.count);

    /* full: FALSE and nothing counted */
    uint32_t small[8];
    bytes = 0;
    ASSERT(FspFileSystemAddEa(a, (PVOID)small, sizeof small, &bytes)); /* 8 + 6 + 1 + 3 = 18 */
    ULONG before = bytes;
    ASSERT(!FspFileSystemAddEa(c, (PVOID)small, sizeof small, &bytes));
    ASSERT_EQ(before, bytes);
    ASSERT(!FspFileSystemAddEa(a, (PVOID)small, 10, &(ULONG){0}));
}

/*
 * Appending is amortized O(1): FspFileSystemAddEa does not walk the list from its start to find
 * the entry to chain (2000 EAs made getxattr O(n^2)). Seen from outside: an entry whose chain
 * from the start was cut after it was written is still the one the next append links from.
 * Lists built in turns in the same thread, a list rebuilt in the same buffer and a buffer whose
 * last entry was changed by hand still come out right.
 */
static void ea_append_test(void)
{
    uint32_t st1[32], st2[32], st3[32], out[64], other[64];
    PFILE_FULL_EA_INFORMATION a = make_ea(st1, "user.a", "xyz", 3, 0);
    PFILE_FULL_EA_INFORMATION b = make_ea(st2, "user.bb", "v", 1, 0);
    PFILE_FULL_EA_INFORMATION c = make_ea(st3, "user.ccc", "0123456789", 10, 0);
    ULONG bytes = 0, obytes = 0;
    ASSERT(FspFileSystemAddEa(a, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(b, (PVOID)out, sizeof out, &bytes));
    PFILE_FULL_EA_INFORMATION first = (PVOID)out;
    PFILE_FULL_EA_INFORMATION second = (PVOID)((char *)out + first->NextEntryOffset);
    ULONG link = first->NextEntryOffset;
    first->NextEntryOffset = 0; /* a walk from the start would now take `first` as the last */
    ASSERT(FspFileSystemAddEa(c, (PVOID)out, sizeof out, &bytes));
    ASSERT_EQ(0, first->NextEntryOffset);
    ASSERT(0 != second->NextEntryOffset);
    first->NextEntryOffset = link;
    struct ea_seen seen = {0};
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &seen, (PVOID)out, bytes));
    ASSERT_EQ(3, seen.count);
    ASSERT(0 == strcmp(seen.names[2], "user.ccc"));

    /* two lists built in turns */
    bytes = 0;
    ASSERT(FspFileSystemAddEa(a, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(c, (PVOID)other, sizeof other, &obytes));
    ASSERT(FspFileSystemAddEa(b, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(a, (PVOID)other, sizeof other, &obytes));
    ASSERT(FspFileSystemAddEa(c, (PVOID)out, sizeof out, &bytes));
    struct ea_seen s1 = {0}, s2 = {0};
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &s1, (PVOID)out, bytes));
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &s2, (PVOID)other, obytes));
    ASSERT_EQ(3, s1.count);
    ASSERT(0 == strcmp(s1.names[0], "user.a") && 0 == strcmp(s1.names[1], "user.bb") &&
           0 == strcmp(s1.names[2], "user.ccc"));
    ASSERT_EQ(2, s2.count);
    ASSERT(0 == strcmp(s2.names[0], "user.ccc") && 0 == strcmp(s2.names[1], "user.a"));

    /* the same buffer again from the start, reaching the same byte count with other entries */
    uint32_t st4[32], st5[32];
    PFILE_FULL_EA_INFORMATION d = make_ea(st4, "user.d1", "12345", 5, 0);
    PFILE_FULL_EA_INFORMATION f = make_ea(st5, "user.f2", "67890", 5, 0);
    bytes = 0;
    ASSERT(FspFileSystemAddEa(d, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(a, (PVOID)out, sizeof out, &bytes));
    ULONG mark = bytes;
    bytes = 0;
    ASSERT(FspFileSystemAddEa(a, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(f, (PVOID)out, sizeof out, &bytes));
    ASSERT(FspFileSystemAddEa(d, (PVOID)out, sizeof out, &bytes));
    ASSERT(mark != bytes);
    ASSERT(FspFileSystemAddEa(b, (PVOID)out, sizeof out, &bytes));
    struct ea_seen s3 = {0};
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &s3, (PVOID)out, bytes));
    ASSERT_EQ(4, s3.count);
    ASSERT(0 == strcmp(s3.names[0], "user.a") && 0 == strcmp(s3.names[1], "user.f2") &&
           0 == strcmp(s3.names[2], "user.d1") && 0 == strcmp(s3.names[3], "user.bb"));

    /* the last entry changed by hand to point on: the append walks and links the true last */
    bytes = 0;
    ASSERT(FspFileSystemAddEa(d, (PVOID)out, sizeof out, &bytes));
    ULONG fpos = (bytes + 3) & ~3u;
    ASSERT(FspFileSystemAddEa(f, (PVOID)out, sizeof out, &bytes));
    ULONG fsize = bytes - fpos, gpos = (bytes + 3) & ~3u;
    memcpy((char *)out + gpos, f, fsize); /* a third entry, by hand */
    ((PFILE_FULL_EA_INFORMATION)((char *)out + fpos))->NextEntryOffset = gpos - fpos;
    bytes = gpos + fsize;
    ASSERT(FspFileSystemAddEa(b, (PVOID)out, sizeof out, &bytes));
    struct ea_seen s4 = {0};
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnumerateEa(0, ea_collect, &s4, (PVOID)out, bytes));
    ASSERT_EQ(4, s4.count);
    ASSERT(0 == strcmp(s4.names[3], "user.bb"));
}

static void ea_corrupt_test(void)
{
    uint32_t st[32];
    struct ea_seen seen = {0};
    PFILE_FULL_EA_INFORMATION e = make_ea(st, "user.a", "xyz", 3, 0);
    ULONG size = (ULONG)offsetof(FILE_FULL_EA_INFORMATION, EaName) + 6 + 1 + 3;

    /* each case must fail without reading past the buffer: use exact-size heap copies */
    for (int k = 0; k < 6; k++) {
        ULONG len = size;
        unsigned char *copy = malloc(64);
        memcpy(copy, e, size);
        PFILE_FULL_EA_INFORMATION c = (PVOID)copy;
        switch (k) {
        case 0: len = size - 1; break;                 /* value cut short */
        case 1: len = 5; break;                        /* header cut short */
        case 2: c->EaNameLength = 200; break;          /* name past the end */
        case 3: c->EaName[6] = 'x'; break;             /* name not NUL terminated */
        case 4: c->NextEntryOffset = 6; break;         /* next entry inside this one */
        case 5: c->NextEntryOffset = 1000; break;      /* next entry past the end */
        }
        unsigned char *exact = malloc(len);
        memcpy(exact, copy, len);
        seen.count = 0;
        NTSTATUS status = FspFileSystemEnumerateEa(0, ea_collect, &seen, (PVOID)exact, len);
        free(exact);
        free(copy);
        if (STATUS_EA_CORRUPT_ERROR != status)
            fprintf(stderr, "    case %d: 0x%08x\n", k, (unsigned)status);
        ASSERT_EQ(STATUS_EA_CORRUPT_ERROR, status);
        ASSERT_EQ(0, seen.count);
    }
}

/* ---- stream and notify records ---- */

static void stream_info_test(void)
{
    static const wchar_t *names[] = {L"::$DATA", L":s1:$DATA", L":stream2:$DATA"};
    uint64_t store[64];
    unsigned char *buf = (unsigned char *)store;
    memset(buf, 0xCC, sizeof store);
    ULONG bytes = 0;
    for (int i = 0; i < 3; i++) {
        size_t n = wcslen(names[i]);
        FSP_FSCTL_STREAM_INFO *si = calloc(1, sizeof *si + n * sizeof(WCHAR));
        si->Size = (UINT16)(sizeof *si + n * sizeof(WCHAR));
        si->StreamSize = 100 * (UINT64)i;
        si->StreamAllocationSize = 4096;
        memcpy(si->StreamNameBuf, names[i], n * sizeof(WCHAR));
        ASSERT(FspFileSystemAddStreamInfo(si, buf, sizeof store, &bytes));
        free(si);
    }
    ASSERT(FspFileSystemAddStreamInfo(0, buf, sizeof store, &bytes));
    size_t pos = 0;
    int count = 0;
    for (;;) {
        ASSERT_EQ(0, pos & 7);
        const FSP_FSCTL_STREAM_INFO *si = (const void *)(buf + pos);
        if (0 == si->Size)
            break;
        size_t n = (si->Size - sizeof *si) / sizeof(WCHAR);
        ASSERT_EQ(wcslen(names[count]), n);
        ASSERT(0 == memcmp(si->StreamNameBuf, names[count], n * sizeof(WCHAR)));
        ASSERT_EQ(100 * (UINT64)count, si->StreamSize);
        count++;
        pos = (pos + si->Size + 7) & ~(size_t)7;
    }
    ASSERT_EQ(3, count);
    ASSERT_EQ(pos + 2, bytes);

    /* full */
    FSP_FSCTL_STREAM_INFO si = {.Size = sizeof si};
    ULONG b = 0;
    ASSERT(!FspFileSystemAddStreamInfo(&si, buf, sizeof si - 1, &b));
    ASSERT_EQ(0, b);
    ASSERT(FspFileSystemAddStreamInfo(&si, buf, sizeof si, &b));
    ASSERT_EQ(sizeof si, b);
}

static void notify_info_test(void)
{
    uint64_t store[32];
    ULONG bytes = 0;
    size_t n = 5;
    FSP_FSCTL_NOTIFY_INFO *ni = calloc(1, sizeof *ni + n * sizeof(WCHAR));
    ni->Size = (UINT16)(sizeof *ni + n * sizeof(WCHAR));
    ni->Filter = FILE_NOTIFY_CHANGE_FILE_NAME;
    ni->Action = FILE_ACTION_ADDED;
    memcpy(ni->FileNameBuf, L"\\a\\bc", n * sizeof(WCHAR));
    ASSERT(FspFileSystemAddNotifyInfo(ni, store, sizeof store, &bytes));
    ULONG first = bytes;
    ASSERT(FspFileSystemAddNotifyInfo(ni, store, sizeof store, &bytes));
    ASSERT(bytes > first);
    const FSP_FSCTL_NOTIFY_INFO *second = (const void *)((char *)store + ((first + 7) & ~7u));
    ASSERT_EQ(ni->Size, second->Size);
    ASSERT_EQ(FILE_ACTION_ADDED, second->Action);
    ASSERT(0 == memcmp(second->FileNameBuf, L"\\a\\bc", n * sizeof(WCHAR)));
    ULONG b = 0;
    ASSERT(!FspFileSystemAddNotifyInfo(ni, store, ni->Size - 1, &b));
    ASSERT_EQ(0, b);
    free(ni);
}

/* ---- reparse points ---- */

/* A tiny namespace: a few paths are reparse points. */
struct rp_entry {
    const wchar_t *path;
    ULONG tag;
    const wchar_t *target; /* symlinks */
    BOOLEAN relative;
};
static const struct rp_entry rp_table[] = {
    {L"\\dir\\rel", IO_REPARSE_TAG_SYMLINK, L"target", TRUE},
    {L"\\dir\\rel2", IO_REPARSE_TAG_SYMLINK, L"rel", TRUE},
    {L"\\abs", IO_REPARSE_TAG_SYMLINK, L"\\other\\place", FALSE},
    {L"\\loop1", IO_REPARSE_TAG_SYMLINK, L"loop2", TRUE},
    {L"\\loop2", IO_REPARSE_TAG_SYMLINK, L"loop1", TRUE},
    {L"\\nfs", IO_REPARSE_TAG_NFS, 0, FALSE},
    {L"\\a\\link", IO_REPARSE_TAG_SYMLINK, L"b", TRUE},
};

struct rp_calls {
    int count;
    wchar_t last[64];
};

static SIZE_T build_reparse(const struct rp_entry *e, void *buf)
{
    REPARSE_DATA_BUFFER *rp = buf;
    memset(rp, 0, 64);
    rp->ReparseTag = e->tag;
    if (IO_REPARSE_TAG_SYMLINK != e->tag) {
        static const UINT64 fifo = NFS_SPECFILE_FIFO;
        memcpy(rp->GenericReparseBuffer.DataBuffer, &fifo, sizeof fifo);
        rp->ReparseDataLength = sizeof fifo;
        return REPARSE_DATA_BUFFER_HEADER_SIZE + sizeof fifo;
    }
    USHORT len = (USHORT)(wcslen(e->target) * sizeof(WCHAR));
    rp->SymbolicLinkReparseBuffer.SubstituteNameOffset = 0;
    rp->SymbolicLinkReparseBuffer.SubstituteNameLength = len;
    rp->SymbolicLinkReparseBuffer.PrintNameOffset = len;
    rp->SymbolicLinkReparseBuffer.PrintNameLength = len;
    rp->SymbolicLinkReparseBuffer.Flags = e->relative ? SYMLINK_FLAG_RELATIVE : 0;
    memcpy(rp->SymbolicLinkReparseBuffer.PathBuffer, e->target, len);
    memcpy((char *)rp->SymbolicLinkReparseBuffer.PathBuffer + len, e->target, len);
    size_t hdr = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer);
    rp->ReparseDataLength = (USHORT)(hdr - REPARSE_DATA_BUFFER_HEADER_SIZE + 2 * len);
    return hdr + 2 * len;
}

static NTSTATUS rp_by_name(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, BOOLEAN is_dir, PVOID buf,
                           PSIZE_T psize)
{
    (void)fs, (void)is_dir;
    struct rp_calls *calls = ctx;
    calls->count++;
    wcsncpy(calls->last, name, 63);
    for (size_t i = 0; i < sizeof rp_table / sizeof rp_table[0]; i++)
        if (0 == wcscmp(rp_table[i].path, name)) {
            if (buf) {
                unsigned char tmp[1024];
                SIZE_T size = build_reparse(&rp_table[i], tmp);
                if (size > *psize)
                    return STATUS_BUFFER_TOO_SMALL;
                memcpy(buf, tmp, size);
                *psize = size;
            }
            return STATUS_SUCCESS;
        }
    return STATUS_NOT_A_REPARSE_POINT;
}

static void find_reparse_point_test(void)
{
    static const struct {
        const wchar_t *path;
        BOOLEAN found;
        UINT32 index;
    } map[] = {
        {L"\\a\\link\\x\\y", TRUE, 3},
        {L"\\a\\link\\x", TRUE, 3},
        {L"\\a\\link", FALSE, 0}, /* the last component is not looked at */
        {L"\\abs\\x", TRUE, 1},
        {L"\\dir\\file", FALSE, 0},
        {L"\\nfs\\x", TRUE, 1},
        {L"\\", FALSE, 0},
        {L"\\x\\y\\z", FALSE, 0},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        WCHAR name[64];
        wcscpy(name, map[i].path);
        struct rp_calls calls = {0};
        UINT32 index = 9999;
        BOOLEAN found = FspFileSystemFindReparsePoint(0, rp_by_name, &calls, name, &index);
        if (found != map[i].found || (found && index != map[i].index))
            fprintf(stderr, "    %ls: found %d index %u\n", map[i].path, found, index);
        ASSERT_EQ(map[i].found, found);
        if (found)
            ASSERT_EQ(map[i].index, index);
        ASSERT(0 == wcscmp(name, map[i].path)); /* the name is restored */
    }
    WCHAR name[] = L"\\abs\\x";
    struct rp_calls calls = {0};
    ASSERT(FspFileSystemFindReparsePoint(0, rp_by_name, &calls, name, 0)); /* index optional */
}

static void resolve_reparse_points_test(void)
{
    static const struct {
        const wchar_t *path;
        BOOLEAN last;
        NTSTATUS status;
        const wchar_t *resolved; /* IO_REPARSE: the new path */
    } map[] = {
        {L"\\dir\\rel\\file", FALSE, STATUS_REPARSE, L"\\dir\\target\\file"},
        {L"\\dir\\rel", FALSE, STATUS_REPARSE, L"\\dir\\rel"},
        {L"\\dir\\rel", TRUE, STATUS_REPARSE, L"\\dir\\target"},
        {L"\\dir\\rel2\\f", FALSE, STATUS_REPARSE, L"\\dir\\target\\f"}, /* link to a link */
        {L"\\abs\\x\\y", FALSE, STATUS_REPARSE, L"\\other\\place\\x\\y"},
        {L"\\abs", TRUE, STATUS_REPARSE, L"\\other\\place"},
        {L"\\plain\\path", TRUE, STATUS_REPARSE, L"\\plain\\path"},
        {L"\\loop1\\x", FALSE, STATUS_REPARSE_POINT_NOT_RESOLVED, 0},
        {L"\\loop1", TRUE, STATUS_REPARSE_POINT_NOT_RESOLVED, 0},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        WCHAR name[64];
        wcscpy(name, map[i].path);
        struct rp_calls calls = {0};
        IO_STATUS_BLOCK io = {0, 0xFFFF};
        uint64_t store[128];
        SIZE_T size = sizeof store;
        NTSTATUS status = FspFileSystemResolveReparsePoints(0, rp_by_name, &calls, name, 0,
                                                           map[i].last, &io, store, &size);
        int ok = status == map[i].status;
        if (ok && map[i].resolved)
            ok = STATUS_REPARSE == io.Status && 0 == io.Information &&
                 0 == wcscmp((PWSTR)store, map[i].resolved) &&
                 size == wcslen(map[i].resolved) * sizeof(WCHAR);
        if (!ok)
            fprintf(stderr, "    %ls: 0x%08x %ls\n", map[i].path, (unsigned)status,
                    NT_SUCCESS(status) ? (PWSTR)store : L"");
        ASSERT(ok);
        ASSERT(0 == wcscmp(name, map[i].path));
    }

    /* a reparse point that is not a symlink: its data and tag come back */
    WCHAR name[] = L"\\nfs\\x";
    struct rp_calls calls = {0};
    IO_STATUS_BLOCK io = {0, 0};
    uint64_t store[128];
    SIZE_T size = sizeof store;
    ASSERT_EQ(STATUS_REPARSE,
              FspFileSystemResolveReparsePoints(0, rp_by_name, &calls, name, 1, FALSE, &io, store, &size));
    ASSERT_EQ(STATUS_REPARSE, io.Status);
    ASSERT_EQ(IO_REPARSE_TAG_NFS, io.Information);
    ASSERT_EQ(REPARSE_DATA_BUFFER_HEADER_SIZE + 8, size);
    ULONG tag;
    memcpy(&tag, store, sizeof tag);
    ASSERT_EQ(IO_REPARSE_TAG_NFS, tag);

    /* the output buffer is too small */
    WCHAR name2[] = L"\\abs\\xxxxxxxx";
    size = 8;
    NTSTATUS status = FspFileSystemResolveReparsePoints(0, rp_by_name, &calls, name2, 1, FALSE, &io,
                                                        store, &size);
    ASSERT(!NT_SUCCESS(status) && STATUS_REPARSE != status);
}

static void can_replace_reparse_point_test(void)
{
    unsigned char cur[64], rep[64];
    struct rp_entry link1 = {L"\\x", IO_REPARSE_TAG_SYMLINK, L"t1", TRUE};
    struct rp_entry link2 = {L"\\y", IO_REPARSE_TAG_SYMLINK, L"other", FALSE};
    struct rp_entry nfs = {L"\\z", IO_REPARSE_TAG_NFS, 0, FALSE};
    SIZE_T s1 = build_reparse(&link1, cur), s2 = build_reparse(&link2, rep);
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemCanReplaceReparsePoint(cur, s1, rep, s2));
    SIZE_T s3 = build_reparse(&nfs, rep);
    ASSERT_EQ(STATUS_IO_REPARSE_TAG_MISMATCH, FspFileSystemCanReplaceReparsePoint(cur, s1, rep, s3));
    ASSERT_EQ(STATUS_IO_REPARSE_DATA_INVALID, FspFileSystemCanReplaceReparsePoint(cur, 2, rep, s3));

    /* third-party tags also need the same GUID */
    REPARSE_GUID_DATA_BUFFER g1, g2;
    memset(&g1, 0, sizeof g1);
    g1.ReparseTag = 0x00001234;
    g1.ReparseGuid.Data1 = 0x11223344;
    g1.ReparseGuid.Data4[7] = 9;
    g2 = g1;
    ASSERT_EQ(STATUS_SUCCESS,
              FspFileSystemCanReplaceReparsePoint(&g1, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE, &g2,
                                                  REPARSE_GUID_DATA_BUFFER_HEADER_SIZE));
    g2.ReparseGuid.Data4[7] = 10;
    ASSERT_EQ(STATUS_REPARSE_ATTRIBUTE_CONFLICT,
              FspFileSystemCanReplaceReparsePoint(&g1, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE, &g2,
                                                  REPARSE_GUID_DATA_BUFFER_HEADER_SIZE));
    g2 = g1;
    g2.ReparseTag = 0x00001235;
    ASSERT_EQ(STATUS_IO_REPARSE_TAG_MISMATCH,
              FspFileSystemCanReplaceReparsePoint(&g1, REPARSE_GUID_DATA_BUFFER_HEADER_SIZE, &g2,
                                                  REPARSE_GUID_DATA_BUFFER_HEADER_SIZE));
}

/* ---- version, file system object ---- */

/* FspPosixMakeSymlinkReparseData / FspPosixGetSymlinkTarget: one builder and parser for all. */
static void symlink_reparse_data_test(void)
{
    static const char *const targets[] = {"/abs/path", "rel/a:b*c", "..", "x\x80y", "a\\b"};
    static char buf[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        SIZE_T size = 0;
        ASSERT_EQ(FspPosixMakeSymlinkReparseData(targets[i], 0, &size), STATUS_BUFFER_TOO_SMALL);
        SIZE_T need = size;
        size = need - 1;
        ASSERT_EQ(FspPosixMakeSymlinkReparseData(targets[i], buf, &size), STATUS_BUFFER_TOO_SMALL);
        ASSERT_EQ(size, need);
        size = sizeof buf;
        ASSERT_EQ(FspPosixMakeSymlinkReparseData(targets[i], buf, &size), STATUS_SUCCESS);
        ASSERT_EQ(size, need);
        const REPARSE_DATA_BUFFER *rp = (const REPARSE_DATA_BUFFER *)buf;
        ASSERT_EQ(rp->ReparseTag, IO_REPARSE_TAG_SYMLINK);
        ASSERT_EQ(rp->ReparseDataLength + REPARSE_DATA_BUFFER_HEADER_SIZE, size);
        ASSERT_EQ(rp->SymbolicLinkReparseBuffer.Flags, '/' == targets[i][0] ? 0 : SYMLINK_FLAG_RELATIVE);
        ASSERT_EQ(rp->SymbolicLinkReparseBuffer.SubstituteNameLength,
                  rp->SymbolicLinkReparseBuffer.PrintNameLength);
        char *t = 0;
        ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_SUCCESS);
        ASSERT(0 == strcmp(t, targets[i]));
        FspPosixDeletePath(t);
        /* Cut short, or claiming more than it carries: invalid, never read past the end. */
        ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size - 1, &t), STATUS_IO_REPARSE_DATA_INVALID);
        ASSERT(!t);
    }
    /* Another tag, an empty or odd substitute name, an embedded NUL. */
    SIZE_T size = sizeof buf;
    ASSERT_EQ(FspPosixMakeSymlinkReparseData("abc", buf, &size), STATUS_SUCCESS);
    REPARSE_DATA_BUFFER *rp = (REPARSE_DATA_BUFFER *)buf;
    char *t = 0;
    rp->ReparseTag = IO_REPARSE_TAG_NFS;
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_IO_REPARSE_DATA_INVALID);
    rp->ReparseTag = IO_REPARSE_TAG_SYMLINK;
    rp->SymbolicLinkReparseBuffer.SubstituteNameLength = 0;
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_IO_REPARSE_DATA_INVALID);
    rp->SymbolicLinkReparseBuffer.SubstituteNameLength = 3;
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_IO_REPARSE_DATA_INVALID);
    rp->SymbolicLinkReparseBuffer.SubstituteNameLength = 3 * sizeof(WCHAR);
    rp->SymbolicLinkReparseBuffer.PathBuffer[1] = 0;
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_IO_REPARSE_DATA_INVALID);
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, 4, &t), STATUS_IO_REPARSE_DATA_INVALID);
    ASSERT(!t);
    /* Targets too long for Linux, the longest ones; bad arguments. */
    static char longt[5000];
    memset(longt, 'a', 4096);
    size = sizeof buf;
    ASSERT_EQ(FspPosixMakeSymlinkReparseData(longt, buf, &size), STATUS_NAME_TOO_LONG);
    /* The longest Linux target, 4095 characters (16380 bytes of WCHARs): it fits in the 32 KiB
     * of MAXIMUM_REPARSE_DATA_BUFFER_SIZE, but not twice with the header: no print name. */
    longt[4095] = 0;
    size = sizeof buf;
    ASSERT_EQ(FspPosixMakeSymlinkReparseData(longt, buf, &size), STATUS_SUCCESS);
    ASSERT_EQ(rp->SymbolicLinkReparseBuffer.PrintNameLength, 0);
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_SUCCESS);
    ASSERT_EQ(strlen(t), 4095);
    FspPosixDeletePath(t);
    longt[2100] = 0; /* 2100 characters (8400 bytes): fits twice, the print name too */
    size = sizeof buf;
    ASSERT_EQ(FspPosixMakeSymlinkReparseData(longt, buf, &size), STATUS_SUCCESS);
    ASSERT_EQ(rp->SymbolicLinkReparseBuffer.PrintNameLength, 2100 * sizeof(WCHAR));
    ASSERT_EQ(FspPosixGetSymlinkTarget(buf, size, &t), STATUS_SUCCESS);
    ASSERT_EQ(strlen(t), 2100);
    FspPosixDeletePath(t);
    size = 10;
    ASSERT_EQ(FspPosixMakeSymlinkReparseData("x", 0, &size), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(FspPosixMakeSymlinkReparseData(0, buf, &size), STATUS_INVALID_PARAMETER);
    ASSERT_EQ(FspPosixGetSymlinkTarget(0, 10, &t), STATUS_INVALID_PARAMETER);
}

static void version_test(void)
{
    /* WinFsp's interface has 64 slots; LinFsp's extensions take reserved ones */
    ASSERT_EQ(sizeof(FSP_FILE_SYSTEM_INTERFACE), 64 * sizeof(void (*)(void)));
    UINT32 v = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspVersion(&v));
    ASSERT_EQ((UINT32)FSP_VERSION_MAJOR << 16 | FSP_VERSION_MINOR, v);
}

static FSP_FILE_SYSTEM_INTERFACE empty_interface;

static void fs_create_invalid_test(void)
{
    FSP_FSCTL_VOLUME_PARAMS vp;
    FSP_FILE_SYSTEM *fs = (FSP_FILE_SYSTEM *)1;
    memset(&vp, 0, sizeof vp);

    vp.Version = 1; /* neither 0 nor sizeof */
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, &fs));
    ASSERT(0 == fs);
    vp.Version = sizeof vp + 8;
    fs = (FSP_FILE_SYSTEM *)1;
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, &fs));
    ASSERT(0 == fs);

    memset(&vp, 0, sizeof vp);
    vp.SectorSize = 1000; /* not a power of two */
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, &fs));
    vp.SectorSize = 256; /* too small */
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, &fs));

    memset(&vp, 0, sizeof vp);
    vp.UmFileContextIsUserContext2 = 1;
    vp.UmFileContextIsFullContext = 1; /* mutually exclusive */
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_NET_DEVICE_NAME, &vp, &empty_interface, &fs));
    ASSERT(0 == fs);

    memset(&vp, 0, sizeof vp);
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, 0, &empty_interface, &fs));
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, 0, &fs));
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, 0));

    /* a device LinFsp does not have */
    fs = (FSP_FILE_SYSTEM *)1;
    NTSTATUS status = FspFileSystemCreate(L"/dev/null", &vp, &empty_interface, &fs);
    ASSERT(!NT_SUCCESS(status));
    ASSERT(0 == fs);
    status = FspFileSystemCreate(L"WinFsp.Bogus", &vp, &empty_interface, &fs);
    ASSERT(!NT_SUCCESS(status));
    ASSERT(0 == fs);
}

static void fs_create_test(void)
{
    if (0 != access("/dev/fuse", R_OK | W_OK)) {
        FSP_FSCTL_VOLUME_PARAMS vp;
        memset(&vp, 0, sizeof vp);
        FSP_FILE_SYSTEM *fs = (FSP_FILE_SYSTEM *)1;
        NTSTATUS status = FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, &fs);
        ASSERT(STATUS_NO_SUCH_DEVICE == status || STATUS_ACCESS_DENIED == status);
        ASSERT(0 == fs);
        tlib_skip("/dev/fuse is not accessible");
    }
    static const PWSTR devices[] = {FSP_FSCTL_DISK_DEVICE_NAME, FSP_FSCTL_NET_DEVICE_NAME, 0};
    for (int v = 0; v < 2; v++)
        for (size_t d = 0; d < sizeof devices / sizeof devices[0]; d++) {
            FSP_FSCTL_VOLUME_PARAMS vp;
            memset(&vp, 0, sizeof vp);
            vp.Version = v ? sizeof vp : 0;
            vp.MaxComponentLength = 1000;
            vp.SectorsPerAllocationUnit = 8;
            vp.FileInfoTimeout = 1000;
            vp.CaseSensitiveSearch = 1;
            vp.DirInfoTimeoutValid = 1; /* a V1 field */
            vp.DirInfoTimeout = 5;
            wcscpy(vp.FileSystemName, L"TESTFS");
            FSP_FILE_SYSTEM *fs = 0;
            ASSERT_EQ(STATUS_SUCCESS, FspFileSystemCreate(devices[d], &vp, &empty_interface, &fs));
            ASSERT(0 != fs);
            int ok = &empty_interface == fs->Interface && 0 == fs->MountPoint &&
                     0 == FspFileSystemMountPoint(fs) && 512 == fs->VolumeParams.SectorSize &&
                     8 == fs->VolumeParams.SectorsPerAllocationUnit &&
                     255 == fs->VolumeParams.MaxComponentLength &&
                     FSP_FSCTL_IRPTIMEOUT_DEFAULT == fs->VolumeParams.IrpTimeout &&
                     FSP_FSCTL_IRPCAPACITY_DEFAULT == fs->VolumeParams.IrpCapacity &&
                     1 == fs->VolumeParams.CaseSensitiveSearch &&
                     0 == wcscmp(fs->VolumeParams.FileSystemName, L"TESTFS") &&
                     (v ? 1 : 0) == fs->VolumeParams.DirInfoTimeoutValid &&
                     FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE == fs->OpGuardStrategy;
            FspFileSystemSetOperationGuardStrategy(fs, FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE);
            ok = ok && FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE == fs->OpGuardStrategy;
            FspFileSystemSetDebugLog(fs, 0x10);
            ok = ok && 0x10 == fs->DebugLog;
            FspFileSystemDelete(fs);
            if (!ok)
                fprintf(stderr, "    version %d device %zu\n", v, d);
            ASSERT(ok);
        }
    FspFileSystemDelete(0); /* nothing to delete */
}

/* What the operation guard holds: 0 none, 1 shared, 2 exclusive (probed from this thread). */
static int guard_held(FSP_FILE_SYSTEM *fs)
{
    if (0 == pthread_rwlock_trywrlock(&fs->OpGuardLock)) {
        pthread_rwlock_unlock(&fs->OpGuardLock);
        return 0;
    }
    if (0 == pthread_rwlock_tryrdlock(&fs->OpGuardLock)) {
        pthread_rwlock_unlock(&fs->OpGuardLock);
        return 1;
    }
    return 2;
}

/* WinFsp's FINE and COARSE operation guard strategies. */
static void opguard_test(void)
{
    if (0 != access("/dev/fuse", R_OK | W_OK))
        tlib_skip("/dev/fuse is not accessible");
    FSP_FSCTL_VOLUME_PARAMS vp;
    memset(&vp, 0, sizeof vp);
    FSP_FILE_SYSTEM *fs = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &empty_interface, &fs));
    static const struct {
        UINT32 kind, arg; /* arg: Create disposition, Cleanup delete, SetInformation class, Flush file */
        int fine, coarse;
    } map[] = {
        {FspFsctlTransactCreateKind, FILE_OPEN, 1, 2},
        {FspFsctlTransactCreateKind, FILE_CREATE, 2, 2},
        {FspFsctlTransactCreateKind, FILE_OPEN_IF, 2, 2},
        {FspFsctlTransactCreateKind, FILE_OVERWRITE_IF, 2, 2},
        {FspFsctlTransactOverwriteKind, 0, 2, 2},
        {FspFsctlTransactCleanupKind, 1, 2, 2},
        {FspFsctlTransactCleanupKind, 0, 0, 2},
        {FspFsctlTransactCloseKind, 0, 0, 2},
        {FspFsctlTransactReadKind, 0, 0, 2},
        {FspFsctlTransactWriteKind, 0, 0, 2},
        {FspFsctlTransactQueryInformationKind, 0, 0, 2},
        {FspFsctlTransactSetInformationKind, FileRenameInformation, 2, 2},
        {FspFsctlTransactSetInformationKind, FileRenameInformationEx, 2, 2},
        {FspFsctlTransactSetInformationKind, FileDispositionInformation, 1, 2},
        {FspFsctlTransactSetInformationKind, FileDispositionInformationEx, 1, 2},
        {FspFsctlTransactSetInformationKind, FileBasicInformation, 0, 2},
        {FspFsctlTransactSetInformationKind, FileEndOfFileInformation, 0, 2},
        {FspFsctlTransactFlushBuffersKind, 0, 2, 2}, /* the volume */
        {FspFsctlTransactFlushBuffersKind, 1, 0, 2}, /* a file */
        {FspFsctlTransactQueryVolumeInformationKind, 0, 1, 2},
        {FspFsctlTransactSetVolumeInformationKind, 0, 2, 2},
        {FspFsctlTransactQueryDirectoryKind, 0, 1, 2},
        {FspFsctlTransactQuerySecurityKind, 0, 0, 2},
        {FspFsctlTransactSetSecurityKind, 0, 0, 2},
        {FspFsctlTransactQueryEaKind, 0, 0, 2},
        {FspFsctlTransactQueryStreamInformationKind, 0, 0, 2},
    };
    int bad = -1;
    for (int coarse = 0; coarse < 2; coarse++) {
        FspFileSystemSetOperationGuardStrategy(fs, coarse ? FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE
                                                          : FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE);
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
            FSP_FSCTL_TRANSACT_REQ req;
            FSP_FSCTL_TRANSACT_RSP rsp;
            memset(&req, 0, sizeof req);
            memset(&rsp, 0, sizeof rsp);
            req.Kind = map[i].kind;
            switch (map[i].kind) {
            case FspFsctlTransactCreateKind:
                req.Req.Create.CreateOptions = map[i].arg << 24 | FILE_NON_DIRECTORY_FILE;
                break;
            case FspFsctlTransactCleanupKind:
                req.Req.Cleanup.UserContext = 1;
                req.Req.Cleanup.Delete = map[i].arg;
                break;
            case FspFsctlTransactSetInformationKind:
                req.Req.SetInformation.UserContext = 1;
                req.Req.SetInformation.FileInformationClass = map[i].arg;
                break;
            case FspFsctlTransactFlushBuffersKind:
                req.Req.FlushBuffers.UserContext = map[i].arg;
                break;
            }
            ASSERT_EQ(STATUS_SUCCESS, FspFileSystemEnterOperation(fs, &req, &rsp));
            int held = guard_held(fs);
            ASSERT_EQ(STATUS_SUCCESS, FspFileSystemLeaveOperation(fs, &req, &rsp));
            int after = guard_held(fs);
            if ((held != (coarse ? map[i].coarse : map[i].fine) || 0 != after) && bad < 0) {
                fprintf(stderr, "    %s kind %u arg %u: held %d after %d\n", coarse ? "COARSE" : "FINE",
                        map[i].kind, map[i].arg, held, after);
                bad = (int)i;
            }
        }
    }
    /* no guard at all */
    FspFileSystemSetOperationGuard(fs, 0, 0);
    FSP_FSCTL_TRANSACT_REQ req;
    memset(&req, 0, sizeof req);
    req.Kind = FspFsctlTransactOverwriteKind;
    NTSTATUS s = FspFileSystemEnterOperation(fs, &req, 0);
    int held = guard_held(fs);
    FspFileSystemLeaveOperation(fs, &req, 0);
    FspFileSystemDelete(fs);
    ASSERT_EQ(-1, bad);
    ASSERT_EQ(STATUS_SUCCESS, s);
    ASSERT_EQ(0, held);
}

/* ---- UTF-8 <-> WCHAR (internal, used by every path the engine hands over) ---- */

static void utf8_test(void)
{
    static const struct {
        const char *utf8;
        const wchar_t *wcs;
    } map[] = {
        {"", L""},
        {"abc", L"abc"},
        {"\xc2\x80\xdf\xbf", L"\x80\x7ff"},
        {"\xe0\xa0\x80\xef\xbf\xbd\xee\x80\x80", L"\x800\xfffd\xe000"},
        {"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", L"\x10000\x10ffff"},
        {"\x80", L"\xdc80"},                     /* a lone continuation byte */
        {"\xc3", L"\xdcc3"},                     /* a truncated sequence */
        {"\xc3(", L"\xdcc3("},
        {"\xe2\x82", L"\xdce2\xdc82"},
        {"\xf4\x90\x80\x80", L"\xdcf4\xdc90\xdc80\xdc80"}, /* beyond U+10FFFF */
        {"\xf8\x88\x80\x80\x80", L"\xdcf8\xdc88\xdc80\xdc80\xdc80"},
        {"\xe0\x80\xaf", L"\xdce0\xdc80\xdcaf"},           /* overlong '/' */
        {"\xed\xb2\x80", L"\xdced\xdcb2\xdc80"},           /* UTF-8 of U+DC80 itself */
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        PWSTR w = 0;
        char *s = 0;
        size_t wl = 99, sl = 99;
        ASSERT_EQ(0, fsp_utf8_to_wcs(map[i].utf8, strlen(map[i].utf8), &w, &wl));
        int weq = 0 == wcscmp(w, map[i].wcs) && wl == wcslen(map[i].wcs);
        int err = fsp_wcs_to_utf8(w, wl, &s, &sl);
        int seq = 0 == err && 0 == strcmp(s, map[i].utf8) && sl == strlen(map[i].utf8);
        if (!weq || !seq)
            fprintf(stderr, "    case %zu\n", i);
        free(w);
        free(s);
        ASSERT(weq);
        ASSERT(seq);
    }
    /* embedded NUL: lengths, not terminators, count */
    PWSTR w = 0;
    size_t wl = 0;
    ASSERT_EQ(0, fsp_utf8_to_wcs("a\0b", 3, &w, &wl));
    ASSERT_EQ(3, wl);
    ASSERT(L'b' == w[2] && 0 == w[3]);
    free(w);
    /* WCHARs with no UTF-8 form */
    char *s = (char *)1;
    ASSERT_EQ(EILSEQ, fsp_wcs_to_utf8(L"\xd800", 1, &s, 0));
    ASSERT_EQ(EILSEQ, fsp_wcs_to_utf8(L"\xdc7f", 1, &s, 0));
    ASSERT_EQ(EILSEQ, fsp_wcs_to_utf8(L"\xdd00", 1, &s, 0));
    ASSERT_EQ(EILSEQ, fsp_wcs_to_utf8(L"\x110000", 1, &s, 0));
    ASSERT_EQ(EILSEQ, fsp_wcs_to_utf8((const wchar_t[]){(wchar_t)-1}, 1, &s, 0));
}

int main(int argc, char **argv)
{
    TLIB_ADD_TEST("api", ntstatus_errno_map_test);
    TLIB_ADD_TEST("api", ntstatus_status_map_test);
    TLIB_ADD_TEST("api", ntstatus_all_errno_test);
    TLIB_ADD_TEST("api", path_prefix_test);
    TLIB_ADD_TEST("api", path_suffix_test);
    TLIB_ADD_TEST("api", ea_test);
    TLIB_ADD_TEST("api", ea_corrupt_test);
    TLIB_ADD_TEST("api", ea_append_test);
    TLIB_ADD_TEST("api", stream_info_test);
    TLIB_ADD_TEST("api", notify_info_test);
    TLIB_ADD_TEST("api", find_reparse_point_test);
    TLIB_ADD_TEST("api", resolve_reparse_points_test);
    TLIB_ADD_TEST("api", can_replace_reparse_point_test);
    TLIB_ADD_TEST("api", symlink_reparse_data_test);
    TLIB_ADD_TEST("api", version_test);
    TLIB_ADD_TEST("api", fs_create_invalid_test);
    TLIB_ADD_TEST("api", fs_create_test);
    TLIB_ADD_TEST("api", opguard_test);
    TLIB_ADD_TEST("api", utf8_test);
    dirbuf_tests();
    return tlib_run(argc, argv);
}
