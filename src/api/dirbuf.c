/*
 * src/api/dirbuf.c - WinFsp's directory buffers: a file system lists a
 * directory once into the buffer, then serves ReadDirectory calls (by marker)
 * from it. Entries are kept in one growing byte array with an index sorted by
 * name ("." and ".." first), so a marker is found by binary search.
 */
#include "api.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    pthread_rwlock_t lock;
    char *data;          /* DIR_INFO records, 8-byte aligned */
    size_t size, cap;
    ULONG *index;        /* offsets into data, sorted by name after release */
    size_t count, icap;
} DIRBUF;

static size_t name_len(const FSP_FSCTL_DIR_INFO *d)
{
    return (d->Size - sizeof *d) / sizeof(WCHAR);
}

static int dot_rank(const WCHAR *n, size_t l)
{
    if (1 == l && L'.' == n[0])
        return 0;
    if (2 == l && L'.' == n[0] && L'.' == n[1])
        return 1;
    return 2;
}

static int compare_names(const WCHAR *a, size_t al, const WCHAR *b, size_t bl)
{
    int ra = dot_rank(a, al), rb = dot_rank(b, bl);
    if (ra != rb || ra < 2)
        return ra - rb;
    size_t l = al < bl ? al : bl;
    for (size_t i = 0; i < l; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

static int compare_index(const void *x, const void *y, void *ctx)
{
    const DIRBUF *db = ctx;
    const FSP_FSCTL_DIR_INFO *a = (const void *)(db->data + *(const ULONG *)x);
    const FSP_FSCTL_DIR_INFO *b = (const void *)(db->data + *(const ULONG *)y);
    return compare_names(a->FileNameBuf, name_len(a), b->FileNameBuf, name_len(b));
}

/* Is the index in order already (a file system that lists in name order)? */
static bool index_sorted(DIRBUF *db)
{
    for (size_t i = 1; i < db->count; i++)
        if (compare_index(&db->index[i - 1], &db->index[i], db) > 0)
            return false;
    return true;
}

FSP_API BOOLEAN FspFileSystemAcquireDirectoryBufferEx(PVOID *PDirBuffer, BOOLEAN Reset,
                                                      ULONG CapacityHint, PNTSTATUS PResult)
{
    DIRBUF *db = __atomic_load_n(PDirBuffer, __ATOMIC_ACQUIRE); /* may race with its creation */
    if (!db) {
        db = calloc(1, sizeof *db);
        if (!db) {
            *PResult = STATUS_INSUFFICIENT_RESOURCES;
            return FALSE;
        }
        pthread_rwlock_init(&db->lock, 0);
        /* Several threads may race to create it: keep the first. */
        if (!__atomic_compare_exchange_n(PDirBuffer, &(PVOID){0}, db, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            pthread_rwlock_destroy(&db->lock);
            free(db);
            db = __atomic_load_n(PDirBuffer, __ATOMIC_ACQUIRE);
        }
        Reset = TRUE;
    }
    pthread_rwlock_wrlock(&db->lock);
    if (Reset || 0 == db->count) {
        db->size = 0;
        db->count = 0;
        if (CapacityHint && CapacityHint > db->cap) {
            char *d = realloc(db->data, CapacityHint);
            if (d)
                db->data = d, db->cap = CapacityHint;
        }
        *PResult = STATUS_SUCCESS;
        return TRUE; /* the caller fills it and then releases it */
    }
    pthread_rwlock_unlock(&db->lock);
    *PResult = STATUS_SUCCESS;
    return FALSE;
}

FSP_API BOOLEAN FspFileSystemAcquireDirectoryBuffer(PVOID *PDirBuffer, BOOLEAN Reset,
                                                    PNTSTATUS PResult)
{
    return FspFileSystemAcquireDirectoryBufferEx(PDirBuffer, Reset, 0, PResult);
}

FSP_API BOOLEAN FspFileSystemFillDirectoryBuffer(PVOID *PDirBuffer, FSP_FSCTL_DIR_INFO *DirInfo,
                                                 PNTSTATUS PResult)
{
    DIRBUF *db = __atomic_load_n(PDirBuffer, __ATOMIC_ACQUIRE);
    if (!db || !DirInfo || DirInfo->Size < sizeof *DirInfo) {
        *PResult = STATUS_INVALID_PARAMETER;
        return FALSE;
    }
    size_t need = (DirInfo->Size + 7) & ~(size_t)7;
    if (db->size + need > db->cap) {
        size_t cap = db->cap ? db->cap : 4096;
        while (db->size + need > cap)
            cap = cap < (1u << 20) ? cap * 4 : cap * 2;
        char *d = realloc(db->data, cap);
        if (!d) {
            *PResult = STATUS_INSUFFICIENT_RESOURCES;
            return FALSE;
        }
        db->data = d, db->cap = cap;
    }
    if (db->count == db->icap) {
        size_t icap = db->icap ? db->icap * 2 : 64;
        ULONG *ix = realloc(db->index, icap * sizeof *ix);
        if (!ix) {
            *PResult = STATUS_INSUFFICIENT_RESOURCES;
            return FALSE;
        }
        db->index = ix, db->icap = icap;
    }
    if (db->size > 0xffffffffu - need) {
        *PResult = STATUS_INSUFFICIENT_RESOURCES;
        return FALSE;
    }
    memcpy(db->data + db->size, DirInfo, DirInfo->Size);
    db->index[db->count++] = (ULONG)db->size;
    db->size += need;
    *PResult = STATUS_SUCCESS;
    return TRUE;
}

FSP_API VOID FspFileSystemReleaseDirectoryBuffer(PVOID *PDirBuffer)
{
    DIRBUF *db = __atomic_load_n(PDirBuffer, __ATOMIC_ACQUIRE);
    if (!db)
        return;
    /* an empty buffer has no index array (qsort_r may not get NULL) */
    if (db->count && !index_sorted(db))
        qsort_r(db->index, db->count, sizeof *db->index, compare_index, db);
    pthread_rwlock_unlock(&db->lock);
}

FSP_API VOID FspFileSystemReadDirectoryBuffer(PVOID *PDirBuffer, PWSTR Marker, PVOID Buffer,
                                              ULONG Length, PULONG PBytesTransferred)
{
    DIRBUF *db = __atomic_load_n(PDirBuffer, __ATOMIC_ACQUIRE);
    *PBytesTransferred = 0;
    if (!db) {
        FspFileSystemAddDirInfo(0, Buffer, Length, PBytesTransferred);
        return;
    }
    pthread_rwlock_rdlock(&db->lock);
    size_t lo = 0, hi = db->count;
    if (Marker) {
        size_t ml = wcslen(Marker);
        while (lo < hi) { /* first entry whose name is greater than Marker */
            size_t mid = lo + (hi - lo) / 2;
            const FSP_FSCTL_DIR_INFO *d = (const void *)(db->data + db->index[mid]);
            if (compare_names(d->FileNameBuf, name_len(d), Marker, ml) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    size_t i;
    for (i = lo; i < db->count; i++) {
        FSP_FSCTL_DIR_INFO *d = (void *)(db->data + db->index[i]);
        if (!FspFileSystemAddDirInfo(d, Buffer, Length, PBytesTransferred))
            break;
    }
    if (i == db->count)
        FspFileSystemAddDirInfo(0, Buffer, Length, PBytesTransferred);
    pthread_rwlock_unlock(&db->lock);
}

FSP_API VOID FspFileSystemDeleteDirectoryBuffer(PVOID *PDirBuffer)
{
    DIRBUF *db = __atomic_load_n(PDirBuffer, __ATOMIC_ACQUIRE);
    if (!db)
        return;
    pthread_rwlock_destroy(&db->lock);
    free(db->data);
    free(db->index);
    free(db);
    __atomic_store_n(PDirBuffer, 0, __ATOMIC_RELEASE);
}
