/*
 * tests/unit/test-dirbuf.c - directory buffers (FspFileSystem*DirectoryBuffer)
 * and FspFileSystemAddDirInfo, through the public API only.
 */
#include <winfsp/winfsp.h>
#include "tlib.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void dirbuf_tests(void);

#define NAMEMAX 64

static uint64_t dirbuf_rng = 0x853C49E6748FEA9BULL;
static uint32_t dirbuf_rand(void)
{
    dirbuf_rng ^= dirbuf_rng << 13;
    dirbuf_rng ^= dirbuf_rng >> 7;
    dirbuf_rng ^= dirbuf_rng << 17;
    return (uint32_t)(dirbuf_rng >> 16);
}

/* A DIR_INFO for name; IndexNumber and FileSize carry a tag to check later. */
static FSP_FSCTL_DIR_INFO *make_dir_info(const wchar_t *name, UINT64 tag)
{
    size_t n = wcslen(name);
    FSP_FSCTL_DIR_INFO *d = calloc(1, sizeof *d + n * sizeof(WCHAR));
    if (!d)
        abort();
    d->Size = (UINT16)(sizeof *d + n * sizeof(WCHAR));
    d->FileInfo.IndexNumber = tag;
    d->FileInfo.FileSize = tag * 3;
    d->FileInfo.FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
    memcpy(d->FileNameBuf, name, n * sizeof(WCHAR));
    return d;
}

/* What a ReadDirectory buffer holds. */
struct listing {
    int count;
    int eof;       /* the end marker was there */
    int malformed; /* a record was not well formed */
    wchar_t (*names)[NAMEMAX];
    UINT64 *tags;
    int cap;
};

static void listing_init(struct listing *l, int cap)
{
    memset(l, 0, sizeof *l);
    l->names = calloc((size_t)cap, sizeof *l->names);
    l->tags = calloc((size_t)cap, sizeof *l->tags);
    l->cap = cap;
}

static void listing_free(struct listing *l)
{
    free(l->names);
    free(l->tags);
}

/* Append the records of buf (bytes long) to l. */
static void parse_listing(const void *buf, ULONG bytes, struct listing *l)
{
    size_t pos = 0;
    l->eof = 0;
    while (pos + sizeof(UINT16) <= bytes) {
        const FSP_FSCTL_DIR_INFO *d = (const void *)((const char *)buf + pos);
        if (0 == d->Size) {
            l->eof = 1;
            if (pos + sizeof(UINT16) != bytes)
                l->malformed = 1; /* nothing may follow the end marker */
            return;
        }
        if (d->Size < sizeof *d || d->Size > bytes - pos || 0 != (pos & 7) || l->count == l->cap) {
            l->malformed = 1;
            return;
        }
        size_t n = (d->Size - sizeof *d) / sizeof(WCHAR);
        if (n >= NAMEMAX) {
            l->malformed = 1;
            return;
        }
        memcpy(l->names[l->count], d->FileNameBuf, n * sizeof(WCHAR));
        l->names[l->count][n] = 0;
        l->tags[l->count] = d->FileInfo.IndexNumber;
        if (d->FileInfo.FileSize != d->FileInfo.IndexNumber * 3)
            l->malformed = 1;
        l->count++;
        pos = (pos + d->Size + 7) & ~(size_t)7;
    }
    if (pos != bytes && !(pos > bytes && pos - bytes < 8))
        l->malformed = 1;
}

/* Read the whole buffer with chunks of len bytes, continuing from the last name. */
static int read_all(PVOID *db, ULONG len, struct listing *l, int *calls)
{
    uint64_t *buf = malloc(len + 8);
    wchar_t marker[NAMEMAX];
    int have_marker = 0;
    *calls = 0;
    for (;;) {
        ULONG bytes = 0xDEADBEEF;
        FspFileSystemReadDirectoryBuffer(db, have_marker ? marker : 0, buf, len, &bytes);
        (*calls)++;
        if (bytes > len) {
            free(buf);
            return 0;
        }
        int before = l->count;
        parse_listing(buf, bytes, l);
        if (l->malformed || l->eof)
            break;
        if (l->count == before || *calls > 100000) { /* no progress */
            free(buf);
            return 0;
        }
        wcscpy(marker, l->names[l->count - 1]);
        have_marker = 1;
    }
    free(buf);
    return !l->malformed;
}

static void fill_names(PVOID *db, const wchar_t *const *names, int n)
{
    NTSTATUS result = -1;
    ASSERT(FspFileSystemAcquireDirectoryBuffer(db, TRUE, &result));
    ASSERT_EQ(STATUS_SUCCESS, result);
    for (int i = 0; i < n; i++) {
        FSP_FSCTL_DIR_INFO *d = make_dir_info(names[i], (UINT64)i + 1);
        BOOLEAN ok = FspFileSystemFillDirectoryBuffer(db, d, &result);
        free(d);
        ASSERT(ok);
        ASSERT_EQ(STATUS_SUCCESS, result);
    }
    FspFileSystemReleaseDirectoryBuffer(db);
}

static UINT16 first_u16(const void *buf)
{
    UINT16 v;
    memcpy(&v, buf, sizeof v);
    return v;
}

/* ---- tests ---- */

static void dirbuf_empty_test(void)
{
    PVOID db = 0;
    uint64_t buf[64];
    ULONG bytes = 77;

    /* never acquired: just the end marker */
    FspFileSystemReadDirectoryBuffer(&db, 0, buf, sizeof buf, &bytes);
    ASSERT_EQ(sizeof(UINT16), bytes);
    ASSERT_EQ(0, first_u16(buf));

    NTSTATUS result = -1;
    ASSERT(FspFileSystemAcquireDirectoryBuffer(&db, FALSE, &result));
    ASSERT_EQ(STATUS_SUCCESS, result);
    ASSERT(0 != db);
    FspFileSystemReleaseDirectoryBuffer(&db);
    memset(buf, 0xCC, sizeof buf);
    bytes = 77;
    FspFileSystemReadDirectoryBuffer(&db, 0, buf, sizeof buf, &bytes);
    ASSERT_EQ(sizeof(UINT16), bytes);
    ASSERT_EQ(0, first_u16(buf));
    bytes = 77;
    FspFileSystemReadDirectoryBuffer(&db, L"zzz", buf, sizeof buf, &bytes);
    ASSERT_EQ(sizeof(UINT16), bytes);

    /* not even room for the end marker */
    bytes = 77;
    FspFileSystemReadDirectoryBuffer(&db, 0, buf, 1, &bytes);
    ASSERT_EQ(0, bytes);

    FspFileSystemDeleteDirectoryBuffer(&db);
    ASSERT(0 == db);
    FspFileSystemDeleteDirectoryBuffer(&db); /* deleting nothing is fine */
    ASSERT(0 == db);
}

static void dirbuf_sorted_test(void)
{
    static const wchar_t *names[] = {
        L"zeta", L"..", L"Alpha", L"alpha", L"beta", L".", L"a", L"ab", L".hidden",
        L"\x00e9t\x00e9", L"B", L"abc", L"~", L"\x1F600", L"0", L"...",
    };
    static const wchar_t *sorted[] = {
        L".", L"..", L"...", L".hidden", L"0", L"Alpha", L"B", L"a", L"ab", L"abc", L"alpha",
        L"beta", L"zeta", L"~", L"\x00e9t\x00e9", L"\x1F600",
    };
    const int n = (int)(sizeof names / sizeof names[0]);
    PVOID db = 0;
    fill_names(&db, names, n);

    struct listing l;
    listing_init(&l, 64);
    int calls;
    int ok = read_all(&db, 64 * 1024, &l, &calls);
    int order = l.count == n;
    for (int i = 0; order && i < n; i++) {
        if (0 != wcscmp(l.names[i], sorted[i]))
            order = 0;
        /* the entry kept its FileInfo */
        for (int j = 0; j < n; j++)
            if (0 == wcscmp(names[j], l.names[i]) && l.tags[i] != (UINT64)j + 1)
                order = 0;
    }
    if (!order)
        for (int i = 0; i < l.count; i++)
            fprintf(stderr, "    [%d] %ls\n", i, l.names[i]);
    listing_free(&l);
    FspFileSystemDeleteDirectoryBuffer(&db);
    ASSERT(ok);
    ASSERT_EQ(1, calls);
    ASSERT(order);
}

static void dirbuf_marker_test(void)
{
    static const wchar_t *names[] = {L"d", L"b", L"..", L"a", L"c", L".", L"e"};
    static const struct {
        const wchar_t *marker;
        const wchar_t *first; /* NULL: nothing after it */
        int count;
    } map[] = {
        {L".", L"..", 6}, {L"..", L"a", 5}, {L"a", L"b", 4}, {L"b", L"c", 3},
        {L"bb", L"c", 3}, {L"A", L"a", 5}, {L"e", 0, 0},    {L"zz", 0, 0},
        {L"d", L"e", 1},  {L"0", L"a", 5},
    };
    PVOID db = 0;
    fill_names(&db, names, (int)(sizeof names / sizeof names[0]));
    int bad = -1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        uint64_t buf[256];
        ULONG bytes = 0;
        struct listing l;
        listing_init(&l, 16);
        FspFileSystemReadDirectoryBuffer(&db, (PWSTR)map[i].marker, buf, sizeof buf, &bytes);
        parse_listing(buf, bytes, &l);
        int ok = !l.malformed && l.eof && l.count == map[i].count &&
                 (0 == map[i].first || 0 == wcscmp(l.names[0], map[i].first));
        listing_free(&l);
        if (!ok && bad < 0)
            bad = (int)i;
    }
    FspFileSystemDeleteDirectoryBuffer(&db);
    if (bad >= 0)
        fprintf(stderr, "    marker \"%ls\"\n", map[bad].marker);
    ASSERT_EQ(-1, bad);
}

/* Small output buffers: partial results, no end marker until everything was returned. */
static void dirbuf_small_buffer_test(void)
{
    wchar_t namebuf[100][16];
    const wchar_t *names[100];
    for (int i = 0; i < 100; i++) {
        swprintf(namebuf[i], 16, L"file%03d", (i * 37) % 100);
        names[i] = namebuf[i];
    }
    PVOID db = 0;
    fill_names(&db, names, 100);
    /* each entry: 104 + 7 * 4 = 132 bytes, 136 aligned */
    static const ULONG lens[] = {136, 137, 140, 271, 272, 300, 1000, 4096, 13600, 13602, 65536};
    int bad = -1;
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        struct listing l;
        listing_init(&l, 128);
        int calls = 0;
        int ok = read_all(&db, lens[k], &l, &calls) && 100 == l.count;
        for (int i = 0; ok && i < 100; i++) {
            wchar_t want[16];
            swprintf(want, 16, L"file%03d", i);
            ok = 0 == wcscmp(want, l.names[i]);
        }
        listing_free(&l);
        if (!ok && bad < 0)
            bad = (int)k;
    }

    /* the first call with room for exactly one entry returns one entry and no end marker */
    uint64_t buf[64];
    ULONG bytes = 0;
    struct listing l;
    listing_init(&l, 8);
    FspFileSystemReadDirectoryBuffer(&db, 0, buf, 136, &bytes);
    parse_listing(buf, bytes, &l);
    int one = 1 == l.count && !l.eof && !l.malformed && 0 == wcscmp(l.names[0], L"file000");
    listing_free(&l);
    /* room for less than one entry: nothing */
    bytes = 5;
    FspFileSystemReadDirectoryBuffer(&db, 0, buf, 100, &bytes);
    int none = 0 == bytes;
    FspFileSystemDeleteDirectoryBuffer(&db);
    if (bad >= 0)
        fprintf(stderr, "    length %u\n", lens[bad]);
    ASSERT_EQ(-1, bad);
    ASSERT(one);
    ASSERT(none);
}

static void dirbuf_reset_test(void)
{
    static const wchar_t *first[] = {L"x", L"y"};
    static const wchar_t *second[] = {L"q", L"p", L"r"};
    PVOID db = 0;
    NTSTATUS result = -1;

    fill_names(&db, first, 2);
    /* filled: acquiring without Reset says "read it as it is" */
    ASSERT(!FspFileSystemAcquireDirectoryBuffer(&db, FALSE, &result));
    ASSERT_EQ(STATUS_SUCCESS, result);
    ASSERT(!FspFileSystemAcquireDirectoryBufferEx(&db, FALSE, 1 << 16, &result));
    ASSERT_EQ(STATUS_SUCCESS, result);

    struct listing l;
    int calls;
    listing_init(&l, 8);
    int ok1 = read_all(&db, 4096, &l, &calls) && 2 == l.count && 0 == wcscmp(l.names[0], L"x");
    listing_free(&l);

    /* Reset: refill from scratch */
    fill_names(&db, second, 3);
    listing_init(&l, 8);
    int ok2 = read_all(&db, 4096, &l, &calls) && 3 == l.count && 0 == wcscmp(l.names[0], L"p") &&
              0 == wcscmp(l.names[2], L"r");
    listing_free(&l);

    /* Reset to nothing */
    ASSERT(FspFileSystemAcquireDirectoryBufferEx(&db, TRUE, 0, &result));
    FspFileSystemReleaseDirectoryBuffer(&db);
    listing_init(&l, 8);
    int ok3 = read_all(&db, 4096, &l, &calls) && 0 == l.count && l.eof;
    listing_free(&l);

    /* invalid entries are refused */
    ASSERT(FspFileSystemAcquireDirectoryBuffer(&db, TRUE, &result));
    FSP_FSCTL_DIR_INFO small;
    memset(&small, 0, sizeof small);
    small.Size = sizeof small - 1;
    result = 0;
    BOOLEAN filled = FspFileSystemFillDirectoryBuffer(&db, &small, &result);
    NTSTATUS smallresult = result;
    FspFileSystemReleaseDirectoryBuffer(&db);
    FspFileSystemDeleteDirectoryBuffer(&db);
    ASSERT(ok1);
    ASSERT(ok2);
    ASSERT(ok3);
    ASSERT(!filled);
    ASSERT_EQ(STATUS_INVALID_PARAMETER, smallresult);
}

static int compare_wcs(const void *a, const void *b)
{
    return wcscmp(*(const wchar_t *const *)a, *(const wchar_t *const *)b);
}

static void dirbuf_many_test(void)
{
    enum { N = 10000 };
    wchar_t (*namebuf)[24] = malloc(N * sizeof *namebuf);
    const wchar_t **names = malloc(N * sizeof *names);
    for (int i = 0; i < N; i++) {
        /* random prefix, unique suffix; some with non-ASCII characters */
        wint_t first = i % 7 ? (wint_t)(L'a' + dirbuf_rand() % 26) : (wint_t)(0x4E00 + i % 50);
        swprintf(namebuf[i], 24, L"%lc%08x_%05d", first, dirbuf_rand(), i);
        names[i] = namebuf[i];
    }
    PVOID db = 0;
    NTSTATUS result;
    ASSERT(FspFileSystemAcquireDirectoryBufferEx(&db, TRUE, 256 * 1024, &result));
    for (int i = 0; i < N; i++) {
        FSP_FSCTL_DIR_INFO *d = make_dir_info(names[i], (UINT64)i + 1);
        BOOLEAN ok = FspFileSystemFillDirectoryBuffer(&db, d, &result);
        free(d);
        ASSERT(ok);
    }
    FspFileSystemReleaseDirectoryBuffer(&db);

    qsort(names, N, sizeof *names, compare_wcs);
    int bad = -1;
    static const ULONG lens[] = {4096, 16384, 2 * 1024 * 1024};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0] && bad < 0; k++) {
        struct listing l;
        int calls;
        listing_init(&l, N + 1);
        int ok = read_all(&db, lens[k], &l, &calls) && N == l.count;
        for (int i = 0; ok && i < N; i++)
            ok = 0 == wcscmp(names[i], l.names[i]);
        if (!ok)
            bad = (int)k;
        listing_free(&l);
    }
    FspFileSystemDeleteDirectoryBuffer(&db);
    free(names);
    free(namebuf);
    ASSERT_EQ(-1, bad);
}

struct reader_arg {
    PVOID *db;
    int count, ok;
};

static void *reader(void *p)
{
    struct reader_arg *a = p;
    a->ok = 1;
    for (int r = 0; r < 20 && a->ok; r++) {
        struct listing l;
        int calls;
        listing_init(&l, a->count + 1);
        a->ok = read_all(a->db, 2048, &l, &calls) && a->count == l.count;
        listing_free(&l);
    }
    return 0;
}

/* Readers in parallel see the whole, consistent listing. */
static void dirbuf_concurrent_read_test(void)
{
    wchar_t namebuf[500][16];
    const wchar_t *names[500];
    for (int i = 0; i < 500; i++) {
        swprintf(namebuf[i], 16, L"n%d", i);
        names[i] = namebuf[i];
    }
    PVOID db = 0;
    fill_names(&db, names, 500);
    pthread_t t[4];
    struct reader_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i].db = &db, a[i].count = 500, a[i].ok = 0;
        pthread_create(&t[i], 0, reader, &a[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], 0);
    FspFileSystemDeleteDirectoryBuffer(&db);
    for (int i = 0; i < 4; i++)
        ASSERT(a[i].ok);
}

struct filler_arg {
    PVOID *db;
    const wchar_t *const *names;
    int count, ok, filled;
};

static void *filler(void *p)
{
    struct filler_arg *a = p;
    NTSTATUS result;
    a->ok = 1;
    for (int r = 0; r < 10 && a->ok; r++) {
        /* the usual ReadDirectory pattern: fill once (first caller), then read */
        if (FspFileSystemAcquireDirectoryBuffer(a->db, FALSE, &result)) {
            a->filled++;
            for (int i = 0; i < a->count; i++) {
                FSP_FSCTL_DIR_INFO *d = make_dir_info(a->names[i], (UINT64)i + 1);
                if (!FspFileSystemFillDirectoryBuffer(a->db, d, &result))
                    a->ok = 0;
                free(d);
            }
            FspFileSystemReleaseDirectoryBuffer(a->db);
        } else if (STATUS_SUCCESS != result)
            a->ok = 0;
        struct listing l;
        int calls;
        listing_init(&l, a->count + 1);
        a->ok = a->ok && read_all(a->db, 1024, &l, &calls) && a->count == l.count;
        listing_free(&l);
    }
    return 0;
}

/* Several threads racing to create, fill and read one buffer all see the whole listing. */
static void dirbuf_concurrent_fill_test(void)
{
    wchar_t namebuf[200][16];
    const wchar_t *names[200];
    for (int i = 0; i < 200; i++) {
        swprintf(namebuf[i], 16, L"e%d", i * 7);
        names[i] = namebuf[i];
    }
    for (int round = 0; round < 20; round++) {
        PVOID db = 0;
        pthread_t t[8];
        struct filler_arg a[8];
        for (int i = 0; i < 8; i++) {
            a[i].db = &db, a[i].names = names, a[i].count = 200, a[i].ok = 0, a[i].filled = 0;
            pthread_create(&t[i], 0, filler, &a[i]);
        }
        int filled = 0;
        for (int i = 0; i < 8; i++) {
            pthread_join(t[i], 0);
            filled += a[i].filled;
        }
        FspFileSystemDeleteDirectoryBuffer(&db);
        for (int i = 0; i < 8; i++)
            ASSERT(a[i].ok);
        ASSERT(filled >= 1);
    }
}

/* ---- FspFileSystemAddDirInfo ---- */

static void add_dir_info_test(void)
{
    /* 104 + 2 * 4 = 112 bytes: already 8-byte aligned */
    FSP_FSCTL_DIR_INFO *d = make_dir_info(L"ab", 7);
    ASSERT_EQ(112, d->Size);
    uint64_t store[64];
    unsigned char *buf = (unsigned char *)store;
    ULONG bytes = 0;

    memset(buf, 0xCC, sizeof store);
    ASSERT(FspFileSystemAddDirInfo(d, buf, 336, &bytes));
    ASSERT_EQ(112, bytes);
    ASSERT(FspFileSystemAddDirInfo(d, buf, 336, &bytes));
    ASSERT(FspFileSystemAddDirInfo(d, buf, 336, &bytes));
    ASSERT_EQ(336, bytes);
    /* full: FALSE, nothing written or counted */
    ASSERT(!FspFileSystemAddDirInfo(d, buf, 336, &bytes));
    ASSERT_EQ(336, bytes);
    ASSERT(!FspFileSystemAddDirInfo(0, buf, 337, &bytes)); /* the end marker needs 2 bytes */
    ASSERT_EQ(336, bytes);
    ASSERT_EQ(0xCC, buf[336]);
    ASSERT(FspFileSystemAddDirInfo(0, buf, 338, &bytes));
    ASSERT_EQ(338, bytes);
    ASSERT_EQ(0, buf[336]);
    ASSERT_EQ(0, buf[337]);
    ASSERT_EQ(0xCC, buf[338]);
    ASSERT(0 == memcmp(buf + 224, d, 112));
    struct listing l;
    listing_init(&l, 8);
    parse_listing(buf, bytes, &l);
    int ok = 3 == l.count && l.eof && !l.malformed && 0 == wcscmp(l.names[2], L"ab") && 7 == l.tags[2];
    listing_free(&l);
    ASSERT(ok);
    free(d);

    /* odd sizes: records still start 8-byte aligned; nothing is written past Length */
    FSP_FSCTL_DIR_INFO *odd = make_dir_info(L"x", 9); /* 108 bytes */
    ASSERT_EQ(108, odd->Size);
    memset(buf, 0xCC, sizeof store);
    bytes = 0;
    ASSERT(FspFileSystemAddDirInfo(odd, buf, 400, &bytes));
    ASSERT(FspFileSystemAddDirInfo(odd, buf, 400, &bytes));
    ASSERT(0 == memcmp(buf + 112, odd, 108));
    ASSERT_EQ(224, bytes); /* as WinFsp: a record counts with its padding */
    ULONG before = bytes;
    ASSERT(!FspFileSystemAddDirInfo(odd, buf, 300, &bytes));
    ASSERT_EQ(before, bytes);
    for (int i = 224; i < (int)sizeof store; i++)
        if (0xCC != buf[i]) {
            fprintf(stderr, "    byte %d written\n", i);
            ASSERT(0);
        }
    ASSERT(FspFileSystemAddDirInfo(0, buf, 400, &bytes));
    listing_init(&l, 8);
    parse_listing(buf, bytes, &l);
    ok = 2 == l.count && l.eof && !l.malformed && 0 == wcscmp(l.names[1], L"x");
    listing_free(&l);
    ASSERT(ok);

    /* the padding must fit too: 108 bytes need 112 */
    bytes = 0;
    ASSERT(!FspFileSystemAddDirInfo(odd, buf, 108, &bytes));
    ASSERT_EQ(0, bytes);
    ASSERT(!FspFileSystemAddDirInfo(odd, buf, 111, &bytes));
    ASSERT(FspFileSystemAddDirInfo(odd, buf, 112, &bytes));
    ASSERT_EQ(112, bytes);

    /* a record shorter than its header is refused */
    odd->Size = sizeof *odd - 2;
    bytes = 0;
    ASSERT(!FspFileSystemAddDirInfo(odd, buf, 400, &bytes));
    ASSERT_EQ(0, bytes);
    free(odd);

    /* zero length buffer */
    bytes = 0;
    ASSERT(!FspFileSystemAddDirInfo(0, buf, 0, &bytes));
    ASSERT_EQ(0, bytes);
}

void dirbuf_tests(void)
{
    TLIB_ADD_TEST("dirbuf", dirbuf_empty_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_sorted_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_marker_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_small_buffer_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_reset_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_many_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_concurrent_read_test);
    TLIB_ADD_TEST("dirbuf", dirbuf_concurrent_fill_test);
    TLIB_ADD_TEST("dirbuf", add_dir_info_test);
}
