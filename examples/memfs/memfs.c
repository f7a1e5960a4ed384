/*
 * examples/memfs/memfs.c - MEMFS, LinFsp's reference file system: every
 * native API operation, in memory.
 *
 * Data structures:
 * - a node per file or directory; directory entries are separate (struct
 *   dent), so a file may have several names (hard links);
 * - each directory's entries in a treap ordered by name (case-folded when
 *   case-insensitive): O(log n) lookup, insert, delete and "first name after
 *   marker" for ReadDirectory;
 * - file data in 4 KiB pages reached through a two-level table: sparse
 *   (missing pages read as zeros) and no copying as a file grows;
 * - named streams hang off their file; EAs and reparse data per node.
 * Locking: a tree lock (names) and a lock per node (data and metadata); a
 * node lives while it has a name or an open (opens of its streams count).
 */
#include "memfs.h"
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define CHUNK_PAGES 4096 /* pages per second-level table: 16 MiB */
#define PAGE_BYTES(npages) ((UINT64)(npages) << PAGE_SHIFT)

typedef struct memfs_node NODE;

/* A name in a directory. The name is in the entry's own allocation (dent_new), one malloc chunk
 * instead of two (bytes per empty file): a rename makes a new entry (dent_renamed). */
struct dent {
    struct dent *l, *r;
    NODE *node;
    NODE *parent; /* the directory holding this entry */
    uint32_t prio;
    WCHAR name[];
};

struct ea {
    char *name;
    UCHAR flags;
    void *value;
    USHORT len;
};

/*
 * What memfs keeps of a file's FSP_FSCTL_FILE_INFO (fill_info makes the rest: AllocationSize from
 * npages, HardLinks from nlinks; EaSize is the node's ea_size).
 */
struct memfs_info {
    UINT32 FileAttributes;
    UINT32 ReparseTag;
    UINT64 FileSize;
    UINT64 CreationTime;
    UINT64 LastAccessTime;
    UINT64 LastWriteTime;
    UINT64 ChangeTime;
    UINT64 IndexNumber;
};

struct memfs_node {
    pthread_rwlock_t lock; /* data and metadata */
    struct memfs_info info;
    void *sd;              /* shared (sd_get; its size: sd_size_of) */
    struct extra *x;       /* reparse data, EAs, streams: NULL until a file has one (xr, xw) */
    uint8_t ***chunks; /* chunks[i][j]: page i * CHUNK_PAGES + j */
    /* names and lifetime (under the tree lock, opens atomic) */
    struct dent *children; /* directories: treap root */
    struct dent *dirent;   /* directories: their one entry (NULL for the root) */
    NODE *orphan_prev, *orphan_next; /* nameless but open: MEMFS.orphans (orphan_add) */
    uint32_t npages;       /* allocated pages (in memory: far below 2^32) */
    uint32_t nchunks;      /* entries of chunks (at most 2^31: 32 PiB of 16 MiB chunks) */
    uint32_t nchildren, nsubdirs;
    uint32_t ea_size;      /* FileInfo.EaSize */
    int opens;
    FSP_FSCTL_FILE_NSEC nsec; /* the times' nanoseconds below 100 ns (VolumeParams.NanosecondTimes) */
    uint16_t nlinks;       /* at most 65000 */
    bool is_dir;           /* set when made, never changed: read without locks */
    bool linkable;         /* made by CreateUnnamed and never named yet: CreateHardLink may name it */
};
/* 200 bytes: a 208-byte malloc chunk (see doc/performance/analysis.md, bytes per empty file) */
_Static_assert(sizeof(struct memfs_node) <= 200, "memfs's node grew (bytes per empty file)");

/* What few files have, kept apart to keep a node small (issue 4: bytes per empty file). */
struct extra {
    void *reparse;
    size_t reparse_size;
    struct ea *eas;
    size_t neas;
    NODE *main;        /* streams: the file they belong to (set when made, never changed) */
    PWSTR stream_name; /* streams: the name after ':' */
    NODE **streams;
    size_t nstreams;
};

static const struct extra no_extra;

/*
 * The extras pointer is set once, atomically (their fields are guarded by the locks that
 * guarded them in the node: the node lock for EAs and reparse data, the tree lock for
 * streams, so two threads may make it at once), and freed with the node.
 */
static struct extra *xe(const NODE *n)
{
    return __atomic_load_n(&n->x, __ATOMIC_ACQUIRE);
}

/* A node's extras to read (all empty when it has none). */
static const struct extra *xr(const NODE *n)
{
    struct extra *x = xe(n);
    return x ? x : &no_extra;
}

/* A node's extras to change, made on first use; NULL when out of memory. */
static struct extra *xw(NODE *n)
{
    struct extra *x = xe(n);
    if (x)
        return x;
    struct extra *fresh = calloc(1, sizeof *fresh);
    if (!fresh)
        return 0;
    if (__atomic_compare_exchange_n(&n->x, &x, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return fresh;
    free(fresh); /* another thread made them first */
    return x;
}

struct _MEMFS {
    FSP_FILE_SYSTEM *fs;
    pthread_rwlock_t tree_lock;
    NODE *root;
    bool case_insensitive;
    ULONG max_nodes;
    UINT64 max_size;
    ULONG nnodes;
    UINT64 used_bytes; /* allocated pages, under alloc_lock */
    UINT64 freed_bytes; /* pages freed since memory was last given back (pages_freed, give_back) */
    pthread_mutex_t alloc_lock;
    uint64_t next_index;
    WCHAR label[32];
    USHORT label_len;
    ULONG slow_max_delay, slow_percent, slow_rarefy;
    pthread_mutex_t slow_lock;
    pthread_cond_t slow_cond;
    unsigned slow_pending;
    unsigned slow_rand_state; /* slow I/O's random numbers (slow_lock) */
    unsigned rand_state;      /* treap priorities (tree lock) */
    /* Security descriptors are shared: most files have one of a few (sd_lock) */
    pthread_mutex_t sd_lock;
    struct shared_sd **sd_buckets; /* SD_BUCKETS chains */
    NODE *orphans; /* nodes without a name kept by their opens (tree lock): MemfsDelete frees them */
};

/* ---- shared security descriptors ---- */

/*
 * Files made by the same user with the same mode have byte-identical security descriptors: one
 * copy serves them all (a node's sd points into a shared_sd, read-only, counted). This keeps
 * memfs's memory per empty file down (issue 4's goal).
 */
#define SD_BUCKETS 1024

struct shared_sd {
    struct shared_sd *next;
    size_t refs, size;
    uint64_t hash;
    _Alignas(8) unsigned char bytes[];
};

static uint64_t sd_hash(const void *sd, size_t size)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ ((const unsigned char *)sd)[i]) * 1099511628211ULL;
    return h;
}

/* A shared copy of sd (size bytes), counted; NULL when out of memory. */
static void *sd_get(MEMFS *m, const void *sd, size_t size)
{
    uint64_t h = sd_hash(sd, size);
    pthread_mutex_lock(&m->sd_lock);
    struct shared_sd **b = &m->sd_buckets[h & (SD_BUCKETS - 1)], *x;
    for (x = *b; x; x = x->next)
        if (x->hash == h && x->size == size && 0 == memcmp(x->bytes, sd, size))
            break;
    if (!x && (x = malloc(sizeof *x + size))) {
        x->refs = 0, x->size = size, x->hash = h;
        memcpy(x->bytes, sd, size);
        x->next = *b;
        *b = x;
    }
    if (x)
        x->refs++;
    pthread_mutex_unlock(&m->sd_lock);
    return x ? x->bytes : 0;
}

static struct shared_sd *shared_of(void *sd)
{
    return (struct shared_sd *)((unsigned char *)sd - offsetof(struct shared_sd, bytes));
}

/* The size of a descriptor from sd_get (0 for none); the shared copy keeps it. */
static size_t sd_size_of(void *sd)
{
    return sd ? shared_of(sd)->size : 0;
}

/* Drop one reference to a descriptor from sd_get. */
static void sd_put(MEMFS *m, void *sd)
{
    if (!sd)
        return;
    struct shared_sd *x = shared_of(sd);
    pthread_mutex_lock(&m->sd_lock);
    if (0 == --x->refs) {
        for (struct shared_sd **pp = &m->sd_buckets[x->hash & (SD_BUCKETS - 1)]; *pp; pp = &(*pp)->next)
            if (*pp == x) {
                *pp = x->next;
                break;
            }
        free(x);
    }
    pthread_mutex_unlock(&m->sd_lock);
}

static MEMFS *memfs_of(FSP_FILE_SYSTEM *fs)
{
    return fs->UserContext;
}

/*
 * Times are exact POSIX times (LinFsp's VolumeParams.NanosecondTimes): a FILETIME in the node's
 * info and its nanoseconds below 100 ns in the node's nsec, member by member.
 */
struct ftime {
    UINT64 ft;
    UINT8 ns;
};

static struct ftime now_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    UINT64 ut[2] = {(UINT64)ts.tv_sec, (UINT64)ts.tv_nsec};
    struct ftime t;
    FspPosixUnixTimeToFileTime(ut, &t.ft);
    t.ns = (UINT8)(ts.tv_nsec % 100);
    return t;
}

/* Set one of a node's times (CreationTime, LastAccessTime, LastWriteTime, ChangeTime). */
#define SET_TIME(n, Member, t)                                                                     \
    do {                                                                                           \
        struct ftime t_ = (t);                                                                     \
        (n)->info.Member = t_.ft;                                                                  \
        (n)->nsec.Member = t_.ns;                                                                  \
    } while (0)

/*
 * Where a callback returns the nanoseconds of the FileInfo it fills: beside it when the engine
 * passed it (NanosecondTimes); nowhere (NULL) for any other FileInfo, e.g. when memfs is called
 * directly (test-memfs) with a plain one.
 */
static FSP_FSCTL_FILE_NSEC *nsec_of(FSP_FSCTL_FILE_INFO *info)
{
    return FspFileSystemGetFileInfoNsec(info);
}

/* ---- names ---- */

/* A new entry named name (nothing else set); NULL when out of memory. */
static struct dent *dent_new(PCWSTR name)
{
    size_t size = (wcslen(name) + 1) * sizeof(WCHAR);
    struct dent *d = calloc(1, offsetof(struct dent, name) + size);
    if (d)
        memcpy(d->name, name, size);
    return d;
}

/* The entry nd (from dent_new) takes the place of d, which is out of its directory's treap and
 * is freed: same file, directory and treap priority; the file's dirent follows. */
static void dent_renamed(struct dent *d, struct dent *nd)
{
    nd->node = d->node;
    nd->parent = d->parent;
    nd->prio = d->prio;
    if (d->node->dirent == d)
        d->node->dirent = nd;
    free(d);
}

static int name_cmp(MEMFS *m, PCWSTR a, PCWSTR b)
{
    if (!m->case_insensitive)
        return wcscmp(a, b);
    for (;; a++, b++) {
        WCHAR x = FspUpcaseChar(*a), y = FspUpcaseChar(*b); /* as the engine folds */
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return 0;
    }
}

static struct dent *rot_right(struct dent *t)
{
    struct dent *l = t->l;
    t->l = l->r;
    l->r = t;
    return l;
}

static struct dent *rot_left(struct dent *t)
{
    struct dent *r = t->r;
    t->r = r->l;
    r->l = t;
    return r;
}

static struct dent *treap_insert(MEMFS *m, struct dent *t, struct dent *d)
{
    if (!t) {
        d->l = d->r = 0; /* an entry moved from another tree must not bring its old links */
        return d;
    }
    if (name_cmp(m, d->name, t->name) < 0) {
        t->l = treap_insert(m, t->l, d);
        if (t->l->prio > t->prio)
            t = rot_right(t);
    } else {
        t->r = treap_insert(m, t->r, d);
        if (t->r->prio > t->prio)
            t = rot_left(t);
    }
    return t;
}

static struct dent *treap_merge(struct dent *a, struct dent *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (a->prio > b->prio) {
        a->r = treap_merge(a->r, b);
        return a;
    }
    b->l = treap_merge(a, b->l);
    return b;
}

static struct dent *treap_remove(MEMFS *m, struct dent *t, PCWSTR name)
{
    if (!t)
        return 0;
    int c = name_cmp(m, name, t->name);
    if (c < 0)
        t->l = treap_remove(m, t->l, name);
    else if (c > 0)
        t->r = treap_remove(m, t->r, name);
    else
        return treap_merge(t->l, t->r);
    return t;
}

static struct dent *treap_find(MEMFS *m, struct dent *t, PCWSTR name)
{
    while (t) {
        int c = name_cmp(m, name, t->name);
        if (0 == c)
            return t;
        t = c < 0 ? t->l : t->r;
    }
    return 0;
}

/* The first entry whose name is greater than marker (NULL: the first entry). */
static struct dent *treap_after(MEMFS *m, struct dent *t, PCWSTR marker)
{
    struct dent *best = 0;
    while (t) {
        if (!marker || name_cmp(m, t->name, marker) > 0) {
            best = t;
            t = t->l;
        } else
            t = t->r;
    }
    return best;
}

/*
 * The entries after marker in order, without searching the treap again for each: a stack of
 * the entries whose left part has been walked (a treap is O(log n) deep; a deeper one than the
 * stack holds is walked by searching from the last entry).
 */
#define WALK_DEPTH 96
struct treap_walk {
    struct dent *stack[WALK_DEPTH];
    unsigned depth;
    bool overflow;
    struct dent *root;
};

static void walk_push_left(struct treap_walk *w, struct dent *t)
{
    for (; t; t = t->l) {
        if (w->depth == WALK_DEPTH) {
            w->overflow = true;
            return;
        }
        w->stack[w->depth++] = t;
    }
}

static void walk_start(MEMFS *m, struct treap_walk *w, struct dent *t, PCWSTR marker)
{
    w->depth = 0;
    w->overflow = false;
    w->root = t;
    while (t && !w->overflow) {
        if (!marker || name_cmp(m, t->name, marker) > 0) {
            if (w->depth == WALK_DEPTH)
                w->overflow = true;
            else
                w->stack[w->depth++] = t;
            t = t->l;
        } else
            t = t->r;
    }
    if (w->overflow) /* too deep: start over by searching */
        w->depth = 0, w->stack[w->depth++] = treap_after(m, t = w->root, marker);
}

static struct dent *walk_next(MEMFS *m, struct treap_walk *w)
{
    if (!w->depth || !w->stack[w->depth - 1])
        return 0;
    struct dent *d = w->stack[--w->depth];
    if (w->overflow) { /* search for each */
        struct dent *next = treap_after(m, w->root, d->name);
        w->stack[w->depth++] = next;
        return d;
    }
    walk_push_left(w, d->r);
    if (w->overflow) {
        w->depth = 0;
        w->stack[w->depth++] = treap_after(m, w->root, d->name);
    }
    return d;
}

static uint32_t next_prio(MEMFS *m)
{
    m->rand_state = m->rand_state * 1103515245u + 12345u;
    return m->rand_state ^ (m->rand_state >> 16);
}

/* ---- memory given back ---- */

/*
 * glibc's malloc keeps freed memory in its arenas (one per worker thread or so) and gives back to
 * the system only what lies at the top of an arena; file data (4 KiB pages) between the nodes and
 * names still alive stays in the process. A soak that wrote and deleted a few hundred MiB per
 * minute left memfs at 180-380 MiB of RSS with 14 MiB in use (13 of them the engine's request
 * buffers). So once TRIM_BYTES of pages have been freed, the next operation that frees data
 * calls malloc_trim, outside memfs's locks.
 */
#define TRIM_BYTES ((UINT64)64 << 20)

/* npages pages were freed. */
static void pages_freed(MEMFS *m, uint64_t npages)
{
    pthread_mutex_lock(&m->alloc_lock);
    m->used_bytes -= PAGE_BYTES(npages);
    __atomic_store_n(&m->freed_bytes, m->freed_bytes + PAGE_BYTES(npages), __ATOMIC_RELAXED);
    pthread_mutex_unlock(&m->alloc_lock);
}

/* Give freed memory back to the system when enough was freed. No memfs lock held. */
static void give_back(MEMFS *m)
{
    if (__atomic_load_n(&m->freed_bytes, __ATOMIC_RELAXED) < TRIM_BYTES)
        return;
    pthread_mutex_lock(&m->alloc_lock);
    bool due = m->freed_bytes >= TRIM_BYTES;
    if (due)
        __atomic_store_n(&m->freed_bytes, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&m->alloc_lock);
#ifdef __GLIBC__
    if (due)
        malloc_trim(0);
#endif
}

/* ---- nodes ---- */

static void page_free_all(MEMFS *m, NODE *n)
{
    for (size_t i = 0; i < n->nchunks; i++) {
        if (!n->chunks[i])
            continue;
        for (size_t j = 0; j < CHUNK_PAGES; j++)
            free(n->chunks[i][j]);
        free(n->chunks[i]);
    }
    free(n->chunks);
    n->chunks = 0;
    n->nchunks = 0;
    pages_freed(m, n->npages);
    n->npages = 0;
}

/*
 * A node that lost its last name while open (unlinked, a deleted stream, a file a rename
 * replaced) lives on by its opens; it is kept in MEMFS.orphans so that MemfsDelete frees it when
 * no Close comes (the kernel went away without RELEASE). Tree lock held (write).
 */
static void orphan_add(MEMFS *m, NODE *n)
{
    if (n->orphan_prev || m->orphans == n)
        return;
    n->orphan_next = m->orphans;
    if (m->orphans)
        m->orphans->orphan_prev = n;
    m->orphans = n;
}

static void orphan_remove(MEMFS *m, NODE *n)
{
    if (!n->orphan_prev && m->orphans != n)
        return;
    if (n->orphan_prev)
        n->orphan_prev->orphan_next = n->orphan_next;
    else
        m->orphans = n->orphan_next;
    if (n->orphan_next)
        n->orphan_next->orphan_prev = n->orphan_prev;
    n->orphan_prev = n->orphan_next = 0;
}

static void node_free(MEMFS *m, NODE *n)
{
    orphan_remove(m, n);
    for (size_t i = 0; i < xr(n)->nstreams; i++)
        node_free(m, xr(n)->streams[i]);
    free(xr(n)->streams);
    page_free_all(m, n);
    for (size_t i = 0; i < xr(n)->neas; i++) {
        free(xr(n)->eas[i].name);
        free(xr(n)->eas[i].value);
    }
    free(xr(n)->eas);
    sd_put(m, n->sd);
    free(xr(n)->reparse);
    free(xr(n)->stream_name);
    free(n->x);
    pthread_rwlock_destroy(&n->lock);
    __atomic_sub_fetch(&m->nnodes, 1, __ATOMIC_RELAXED);
    free(n);
}

static NODE *node_new(MEMFS *m, UINT32 attributes, const void *sd, size_t sd_size)
{
    if (__atomic_load_n(&m->nnodes, __ATOMIC_RELAXED) >= m->max_nodes)
        return 0;
    NODE *n = calloc(1, sizeof *n);
    if (!n)
        return 0;
    if (sd_size) {
        n->sd = sd_get(m, sd, sd_size);
        if (!n->sd) {
            free(n);
            return 0;
        }
    }
    pthread_rwlock_init(&n->lock, 0);
    struct ftime now = now_time();
    n->info.FileAttributes = attributes;
    n->is_dir = attributes & FILE_ATTRIBUTE_DIRECTORY;
    SET_TIME(n, CreationTime, now); SET_TIME(n, LastAccessTime, now);
    SET_TIME(n, LastWriteTime, now); SET_TIME(n, ChangeTime, now);
    n->info.IndexNumber = __atomic_add_fetch(&m->next_index, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->nnodes, 1, __ATOMIC_RELAXED);
    return n;
}

/* The node a file context belongs to for lifetime purposes. */
static NODE *owner_of(NODE *n)
{
    return xr(n)->main ? xr(n)->main : n;
}

/* One more open of n; a stream's opens also keep its file alive. */
static void ref_open(NODE *n)
{
    __atomic_add_fetch(&n->opens, 1, __ATOMIC_ACQ_REL);
    if (xr(n)->main)
        __atomic_add_fetch(&xr(n)->main->opens, 1, __ATOMIC_ACQ_REL);
}

/*
 * One open less; free what has neither names nor opens. Tree lock held (write). A stream's
 * opens count for its file too, so the file outlives every open of its streams (a stream's
 * `main` is never changed: read without the tree lock); a deleted stream (nlinks 0, no longer
 * among its file's streams) goes with its own last open.
 */
static void ref_close(MEMFS *m, NODE *n)
{
    NODE *main = xr(n)->main;
    int left = __atomic_sub_fetch(&n->opens, 1, __ATOMIC_ACQ_REL);
    if (main) {
        if (0 == left && 0 == n->nlinks)
            node_free(m, n);
        if (0 == __atomic_sub_fetch(&main->opens, 1, __ATOMIC_ACQ_REL) && 0 == main->nlinks &&
            main != m->root)
            node_free(m, main); /* frees its streams too */
    } else if (0 == left && 0 == n->nlinks && n != m->root)
        node_free(m, n);
}

/* A directory's entries changed: its modification and change times, under its lock (others read
 * them under it only). */
static void dir_changed(NODE *d, struct ftime now)
{
    pthread_rwlock_wrlock(&d->lock);
    SET_TIME(d, LastWriteTime, now);
    SET_TIME(d, ChangeTime, now);
    pthread_rwlock_unlock(&d->lock);
}

/* A node's information; its times' nanoseconds go to *nsec when nsec is not NULL. */
static void fill_info(NODE *n, FSP_FSCTL_FILE_INFO *info, FSP_FSCTL_FILE_NSEC *nsec)
{
    info->FileAttributes = n->info.FileAttributes;
    info->ReparseTag = n->info.ReparseTag;
    info->FileSize = n->info.FileSize;
    info->CreationTime = n->info.CreationTime;
    info->LastAccessTime = n->info.LastAccessTime;
    info->LastWriteTime = n->info.LastWriteTime;
    info->ChangeTime = n->info.ChangeTime;
    info->IndexNumber = n->info.IndexNumber;
    info->EaSize = n->ea_size;
    if (nsec)
        *nsec = n->nsec;
    NODE *o = owner_of(n);
    /* link counts change under the tree lock, which is not held here: read atomically */
    if (n->is_dir)
        info->HardLinks = __atomic_load_n(&n->nlinks, __ATOMIC_RELAXED)
                              ? 2 + (UINT32)__atomic_load_n(&n->nsubdirs, __ATOMIC_RELAXED)
                              : 0; /* 0: removed while open */
    else
        info->HardLinks = __atomic_load_n(&o->nlinks, __ATOMIC_RELAXED);
    info->AllocationSize = PAGE_BYTES(n->npages);
    if (xr(n)->main) {
        /* a stream shares its file's identity */
        info->IndexNumber = o->info.IndexNumber;
    }
}

static void get_info(NODE *n, FSP_FSCTL_FILE_INFO *info, FSP_FSCTL_FILE_NSEC *nsec)
{
    pthread_rwlock_rdlock(&n->lock);
    fill_info(n, info, nsec);
    pthread_rwlock_unlock(&n->lock);
}

/* ---- paths ---- */

/* Split the last component: "name" or "name:stream[:$DATA]". *stream is NULL without one. */
#define PARSED_INLINE 256 /* paths up to this many WCHARs are parsed without allocating */

struct parsed {
    PWSTR buf;         /* the path's copy: inline, or malloc'ed (free with parsed_free) */
    PWSTR name;        /* last component, or NULL for the root */
    PWSTR stream;      /* stream name, or NULL */
    WCHAR inline_buf[PARSED_INLINE];
};

static void parsed_free(struct parsed *p)
{
    if (p->buf != p->inline_buf)
        free(p->buf);
    p->buf = 0;
}

static NTSTATUS parse_path(PCWSTR path, struct parsed *p)
{
    p->buf = p->name = p->stream = 0;
    if (!path || L'\\' != path[0])
        return STATUS_OBJECT_NAME_INVALID;
    size_t len = wcslen(path);
    if (len < PARSED_INLINE) {
        p->buf = p->inline_buf;
        memcpy(p->buf, path, (len + 1) * sizeof(WCHAR));
    } else if (!(p->buf = wcsdup(path)))
        return STATUS_INSUFFICIENT_RESOURCES;
    while (len > 1 && L'\\' == p->buf[len - 1])
        p->buf[--len] = 0;
    PWSTR last = wcsrchr(p->buf, L'\\');
    if (last[1]) {
        p->name = last + 1;
        PWSTR colon = wcschr(p->name, L':');
        if (colon) {
            *colon = 0;
            p->stream = colon + 1;
            PWSTR type = wcschr(p->stream, L':');
            if (type) {
                if (0 != wcscmp(type, L":$DATA"))
                    goto invalid;
                *type = 0;
            }
            if (!p->name[0])
                goto invalid;
            if (!p->stream[0])
                p->stream = 0; /* "file::$DATA" is the main stream */
        }
        if (wcslen(p->name) > 255 || (p->stream && wcslen(p->stream) > 255)) {
            parsed_free(p);
            return STATUS_OBJECT_NAME_INVALID;
        }
    }
    return STATUS_SUCCESS;
invalid:
    parsed_free(p);
    return STATUS_OBJECT_NAME_INVALID;
}

/* Walk to the directory holding the last component. Tree lock held. */
static NTSTATUS find_parent(MEMFS *m, struct parsed *p, NODE **pparent)
{
    NODE *dir = m->root;
    if (!p->name) {
        *pparent = 0;
        return STATUS_SUCCESS;
    }
    PWSTR s = p->buf + 1;
    while (s < p->name - 1) {
        PWSTR e = wcschr(s, L'\\');
        if (!e || e >= p->name)
            break;
        *e = 0;
        struct dent *d = treap_find(m, dir->children, s);
        *e = L'\\';
        if (!d)
            return STATUS_OBJECT_PATH_NOT_FOUND;
        dir = d->node;
        if (!dir->is_dir)
            return STATUS_OBJECT_PATH_NOT_FOUND;
        s = e + 1;
    }
    *pparent = dir;
    return STATUS_SUCCESS;
}

static NODE *find_stream(NODE *n, PCWSTR name, MEMFS *m)
{
    for (size_t i = 0; i < xr(n)->nstreams; i++)
        if (0 == name_cmp(m, xr(xr(n)->streams[i])->stream_name, name))
            return xr(n)->streams[i];
    return 0;
}

/* Look a path up. Tree lock held. */
static NTSTATUS lookup(MEMFS *m, PCWSTR path, NODE **pnode, struct dent **pdent)
{
    struct parsed p;
    NTSTATUS status = parse_path(path, &p);
    if (!NT_SUCCESS(status))
        return status;
    NODE *parent;
    status = find_parent(m, &p, &parent);
    if (NT_SUCCESS(status)) {
        if (!p.name) {
            *pnode = m->root;
            if (pdent)
                *pdent = 0;
        } else {
            struct dent *d = treap_find(m, parent->children, p.name);
            if (!d)
                status = STATUS_OBJECT_NAME_NOT_FOUND;
            else if (p.stream) {
                NODE *s = find_stream(d->node, p.stream, m);
                if (!s)
                    status = STATUS_OBJECT_NAME_NOT_FOUND;
                else
                    *pnode = s;
                if (pdent)
                    *pdent = 0;
            } else {
                *pnode = d->node;
                if (pdent)
                    *pdent = d;
            }
        }
    }
    parsed_free(&p);
    return status;
}

/* ---- data pages ---- */

static uint8_t *page_get(NODE *n, uint64_t page)
{
    uint64_t c = page / CHUNK_PAGES;
    if (c >= n->nchunks || !n->chunks[c])
        return 0;
    return n->chunks[c][page % CHUNK_PAGES];
}

static NTSTATUS page_alloc(MEMFS *m, NODE *n, uint64_t page, uint8_t **pp)
{
    uint64_t c = page / CHUNK_PAGES;
    if (c >= ((uint64_t)1 << 30))
        return STATUS_INSUFFICIENT_RESOURCES; /* a chunk table that large is not in memory */
    if (c >= n->nchunks) {
        size_t nc = n->nchunks ? n->nchunks : 4;
        while (nc <= c)
            nc *= 2;
        uint8_t ***t = realloc(n->chunks, nc * sizeof *t);
        if (!t)
            return STATUS_INSUFFICIENT_RESOURCES;
        memset(t + n->nchunks, 0, (nc - n->nchunks) * sizeof *t);
        n->chunks = t, n->nchunks = (uint32_t)nc;
    }
    if (!n->chunks[c]) {
        n->chunks[c] = calloc(CHUNK_PAGES, sizeof(uint8_t *));
        if (!n->chunks[c])
            return STATUS_INSUFFICIENT_RESOURCES;
    }
    uint8_t **slot = &n->chunks[c][page % CHUNK_PAGES];
    if (!*slot) {
        *slot = calloc(1, PAGE_SIZE);
        if (!*slot)
            return STATUS_INSUFFICIENT_RESOURCES;
        n->npages++;
        pthread_mutex_lock(&m->alloc_lock);
        m->used_bytes += PAGE_SIZE;
        pthread_mutex_unlock(&m->alloc_lock);
    }
    *pp = *slot;
    return STATUS_SUCCESS;
}

/* Drop data at and after `size` (pages wholly past it go; the tail of the last is zeroed). */
static void truncate_data(MEMFS *m, NODE *n, uint64_t size)
{
    uint64_t first = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    if (size & (PAGE_SIZE - 1)) {
        uint8_t *p = page_get(n, size >> PAGE_SHIFT);
        if (p)
            memset(p + (size & (PAGE_SIZE - 1)), 0, PAGE_SIZE - (size & (PAGE_SIZE - 1)));
    }
    uint64_t freed = 0;
    for (size_t c = first / CHUNK_PAGES; c < n->nchunks; c++) {
        if (!n->chunks[c])
            continue;
        size_t j0 = c == first / CHUNK_PAGES ? first % CHUNK_PAGES : 0;
        for (size_t j = j0; j < CHUNK_PAGES; j++)
            if (n->chunks[c][j]) {
                free(n->chunks[c][j]);
                n->chunks[c][j] = 0;
                freed++;
            }
        if (0 == j0) {
            free(n->chunks[c]);
            n->chunks[c] = 0;
        }
    }
    n->npages -= freed;
    pages_freed(m, freed);
}

/*
 * Make [from, to) read as zeros: whole pages inside go (memory given back), the parts of pages
 * at either end are cleared. Node lock held (write).
 */
static void zero_data(MEMFS *m, NODE *n, uint64_t from, uint64_t to)
{
    if (from >= to)
        return;
    uint64_t first = (from + PAGE_SIZE - 1) >> PAGE_SHIFT; /* the first page wholly inside */
    uint64_t end = to >> PAGE_SHIFT;                       /* the first page not wholly inside */
    if (first > end) { /* within one page */
        uint8_t *p = page_get(n, from >> PAGE_SHIFT);
        if (p)
            memset(p + (from & (PAGE_SIZE - 1)), 0, to - from);
        return;
    }
    if (from & (PAGE_SIZE - 1)) {
        uint8_t *p = page_get(n, from >> PAGE_SHIFT);
        if (p)
            memset(p + (from & (PAGE_SIZE - 1)), 0, PAGE_SIZE - (from & (PAGE_SIZE - 1)));
    }
    if (to & (PAGE_SIZE - 1)) {
        uint8_t *p = page_get(n, end);
        if (p)
            memset(p, 0, to & (PAGE_SIZE - 1));
    }
    uint64_t freed = 0;
    for (uint64_t c = first / CHUNK_PAGES; c < n->nchunks && c * CHUNK_PAGES < end; c++) {
        if (!n->chunks[c])
            continue;
        uint64_t j0 = c == first / CHUNK_PAGES ? first % CHUNK_PAGES : 0;
        uint64_t j1 = end - c * CHUNK_PAGES < CHUNK_PAGES ? end - c * CHUNK_PAGES : CHUNK_PAGES;
        for (uint64_t j = j0; j < j1; j++)
            if (n->chunks[c][j]) {
                free(n->chunks[c][j]);
                n->chunks[c][j] = 0;
                freed++;
            }
        if (0 == j0 && CHUNK_PAGES == j1) {
            free(n->chunks[c]);
            n->chunks[c] = 0;
        }
    }
    n->npages -= freed;
    pages_freed(m, freed);
}

static NTSTATUS set_size(MEMFS *m, NODE *n, UINT64 size)
{
    if (size > m->max_size)
        return STATUS_FILE_TOO_LARGE; /* EFBIG: beyond the largest file, as truncate(2) */
    if (size < n->info.FileSize)
        truncate_data(m, n, size);
    n->info.FileSize = size;
    return STATUS_SUCCESS;
}

static void read_data(NODE *n, void *buf, uint64_t off, size_t len)
{
    char *out = buf;
    while (len) {
        uint64_t page = off >> PAGE_SHIFT;
        size_t in = off & (PAGE_SIZE - 1), k = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
        uint8_t *p = page_get(n, page);
        if (p)
            memcpy(out, p + in, k);
        else
            memset(out, 0, k);
        out += k, off += k, len -= k;
    }
}

static NTSTATUS write_data(MEMFS *m, NODE *n, const void *buf, uint64_t off, size_t len)
{
    const char *src = buf;
    while (len) {
        uint64_t page = off >> PAGE_SHIFT;
        size_t in = off & (PAGE_SIZE - 1), k = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
        uint8_t *p;
        NTSTATUS status = page_alloc(m, n, page, &p);
        if (!NT_SUCCESS(status))
            return status;
        memcpy(p + in, src, k);
        src += k, off += k, len -= k;
    }
    return STATUS_SUCCESS;
}

/* ---- extended attributes ---- */

static UINT32 ea_size(NODE *n)
{
    UINT32 s = 0;
    for (size_t i = 0; i < xr(n)->neas; i++)
        s += 5 + (UINT32)strlen(xr(n)->eas[i].name) + xr(n)->eas[i].len;
    return s;
}

static NTSTATUS set_ea_one(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION e)
{
    (void)fs;
    NODE *n = ctx;
    size_t i;
    for (i = 0; i < xr(n)->neas; i++)
        if (strlen(xr(n)->eas[i].name) == e->EaNameLength &&
            0 == memcmp(xr(n)->eas[i].name, e->EaName, e->EaNameLength))
            break;
    /* EaValueLength 0 deletes, as on WinFsp, unless it is an empty value (LinFsp extension). */
    if (0 == e->EaValueLength && !(e->Flags & FSP_FSCTL_EA_EMPTY_VALUE)) {
        if (i < xr(n)->neas) {
            struct extra *x = xe(n); /* it has EAs */
            free(x->eas[i].name);
            free(x->eas[i].value);
            x->eas[i] = x->eas[--x->neas];
        }
        return STATUS_SUCCESS;
    }
    struct extra *x = xw(n);
    void *value = x ? malloc(e->EaValueLength ? e->EaValueLength : 1) : 0;
    if (!value)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(value, e->EaName + e->EaNameLength + 1, e->EaValueLength);
    UCHAR flags = e->Flags & (UCHAR)~FSP_FSCTL_EA_EMPTY_VALUE;
    if (i == x->neas) {
        struct ea *a = realloc(x->eas, (x->neas + 1) * sizeof *a);
        char *name = strndup(e->EaName, e->EaNameLength);
        if (!a || !name) {
            if (a)
                x->eas = a;
            free(name), free(value);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        x->eas = a;
        x->eas[x->neas++] = (struct ea){name, flags, 0, 0};
    }
    free(x->eas[i].value);
    x->eas[i].value = value;
    x->eas[i].len = e->EaValueLength;
    x->eas[i].flags = flags;
    return STATUS_SUCCESS;
}

static NTSTATUS apply_eas(FSP_FILE_SYSTEM *fs, NODE *n, PFILE_FULL_EA_INFORMATION ea, ULONG len)
{
    NTSTATUS status = FspFileSystemEnumerateEa(fs, set_ea_one, n, ea, len);
    n->ea_size = ea_size(n);
    return status;
}

/* ---- operations ---- */

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *fs, FSP_FSCTL_VOLUME_INFO *vi)
{
    MEMFS *m = memfs_of(fs);
    UINT64 total = m->max_size;
    if (m->max_nodes && total <= ((UINT64)1 << 50) / m->max_nodes)
        total = m->max_size * m->max_nodes;
    if (total > (UINT64)1 << 50)
        total = (UINT64)1 << 50;
    pthread_mutex_lock(&m->alloc_lock);
    UINT64 used = m->used_bytes;
    pthread_mutex_unlock(&m->alloc_lock);
    memset(vi, 0, sizeof *vi);
    vi->TotalSize = total;
    vi->FreeSize = used < total ? total - used : 0;
    pthread_rwlock_rdlock(&m->tree_lock);
    vi->VolumeLabelLength = m->label_len;
    memcpy(vi->VolumeLabel, m->label, m->label_len);
    pthread_rwlock_unlock(&m->tree_lock);
    return STATUS_SUCCESS;
}

static NTSTATUS SetVolumeLabel(FSP_FILE_SYSTEM *fs, PWSTR label, FSP_FSCTL_VOLUME_INFO *vi)
{
    MEMFS *m = memfs_of(fs);
    size_t n = wcslen(label);
    if (n > ARRAYSIZE(m->label))
        n = ARRAYSIZE(m->label);
    pthread_rwlock_wrlock(&m->tree_lock);
    memcpy(m->label, label, n * sizeof(WCHAR));
    m->label_len = (USHORT)(n * sizeof(WCHAR));
    pthread_rwlock_unlock(&m->tree_lock);
    return GetVolumeInfo(fs, vi);
}

static NTSTATUS copy_sd(NODE *n, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    NODE *o = owner_of(n);
    if (!psize)
        return STATUS_SUCCESS;
    size_t size = sd_size_of(o->sd);
    if (size > *psize) {
        *psize = size;
        return STATUS_BUFFER_OVERFLOW;
    }
    *psize = size;
    if (sd && size)
        memcpy(sd, o->sd, size);
    return STATUS_SUCCESS;
}

/*
 * Reparse data by name, for FspFileSystemFindReparsePoint/ResolveReparsePoints. Tree lock held
 * (the name's node stays); the data is read under the node's lock, which Set/DeleteReparsePoint
 * hold while they replace or free it.
 */
static NTSTATUS reparse_by_name(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, BOOLEAN is_dir,
                                PVOID buf, PSIZE_T psize)
{
    (void)ctx, (void)is_dir;
    MEMFS *m = memfs_of(fs);
    NODE *n;
    if (!NT_SUCCESS(lookup(m, name, &n, 0)))
        return STATUS_NOT_A_REPARSE_POINT;
    NTSTATUS status = STATUS_SUCCESS;
    pthread_rwlock_rdlock(&n->lock);
    if (!(n->info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        status = STATUS_NOT_A_REPARSE_POINT;
    else if (buf) {
        if (xr(n)->reparse_size > *psize)
            status = STATUS_BUFFER_TOO_SMALL;
        else {
            memcpy(buf, xr(n)->reparse, xr(n)->reparse_size);
            *psize = xr(n)->reparse_size;
        }
    }
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *fs, PWSTR name, PUINT32 pattrs,
                                  PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    MEMFS *m = memfs_of(fs);
    pthread_rwlock_rdlock(&m->tree_lock);
    NODE *n;
    NTSTATUS status = lookup(m, name, &n, 0);
    if (!NT_SUCCESS(status)) {
        UINT32 index;
        if (FspFileSystemFindReparsePoint(fs, reparse_by_name, 0, name, &index)) {
            if (pattrs)
                *pattrs = index;
            status = STATUS_REPARSE;
        }
    } else {
        pthread_rwlock_rdlock(&n->lock);
        if (pattrs)
            *pattrs = n->info.FileAttributes;
        status = copy_sd(n, sd, psize);
        pthread_rwlock_unlock(&n->lock);
    }
    pthread_rwlock_unlock(&m->tree_lock);
    return status;
}

/* A new named stream of the existing file (the tree is write-locked). */
static NTSTATUS create_stream(MEMFS *m, const struct parsed *p, struct dent *existing, bool is_dir,
                              NODE **pn)
{
    if (is_dir)
        return STATUS_NOT_A_DIRECTORY;
    if (!existing)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    NODE *f = existing->node;
    if (find_stream(f, p->stream, m))
        return STATUS_OBJECT_NAME_COLLISION;
    struct extra *fx = xw(f);
    NODE **s = fx ? realloc(fx->streams, (fx->nstreams + 1) * sizeof *s) : 0;
    if (s)
        fx->streams = s;
    NODE *n = s ? node_new(m, FILE_ATTRIBUTE_ARCHIVE, 0, 0) : 0;
    struct extra *nx = n ? xw(n) : 0;
    if (!nx || !(nx->stream_name = wcsdup(p->stream))) {
        if (n)
            node_free(m, n);
        return n || !s ? STATUS_INSUFFICIENT_RESOURCES : STATUS_DISK_FULL;
    }
    nx->main = f;
    __atomic_store_n(&n->nlinks, 1, __ATOMIC_RELAXED); /* 0 once deleted */
    fx->streams[fx->nstreams++] = n;
    *pn = n;
    return STATUS_SUCCESS;
}

/* The new file's security descriptor: the given one checked, else one inherited from the parent
 * (*pinherited, for FspDeleteSecurityDescriptor). */
static NTSTATUS creation_sd(FSP_FILE_SYSTEM *fs, NODE *parent, UINT32 options, PSECURITY_DESCRIPTOR *psd,
                            size_t *psd_size, PSECURITY_DESCRIPTOR *pinherited)
{
    PSECURITY_DESCRIPTOR sd = *psd;
    size_t sd_size = sd ? FspGetSecurityDescriptorLength(sd) : 0;
    if (sd && (0 == sd_size || !FspIsValidSecurityDescriptor(sd, sd_size)))
        return STATUS_INVALID_SECURITY_DESCR;
    if (!sd) {
        FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
        FSP_FSCTL_TRANSACT_REQ fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.Kind = FspFsctlTransactCreateKind;
        fallback.Req.Create.CreateOptions = options;
        fallback.CallerUid = (UINT32)geteuid(), fallback.CallerGid = (UINT32)getegid();
        NTSTATUS status = FspCreateSecurityDescriptor(fs, oc && oc->Request ? oc->Request : &fallback,
                                                      parent->sd, pinherited);
        if (!NT_SUCCESS(status))
            return status;
        sd = *pinherited;
        sd_size = FspGetSecurityDescriptorLength(sd);
    }
    *psd = sd;
    *psd_size = sd_size;
    return STATUS_SUCCESS;
}

/* CreateEx's extra buffer on the new node: its reparse point, or its extended attributes. */
static NTSTATUS apply_create_extra(FSP_FILE_SYSTEM *fs, NODE *n, PVOID extra, ULONG extra_len,
                                   BOOLEAN extra_is_reparse)
{
    if (!extra_is_reparse)
        return apply_eas(fs, n, extra, extra_len);
    struct extra *nx = extra_len >= REPARSE_DATA_BUFFER_HEADER_SIZE ? xw(n) : 0;
    if (!nx || !(nx->reparse = malloc(extra_len)))
        return extra_len < REPARSE_DATA_BUFFER_HEADER_SIZE ? STATUS_IO_REPARSE_DATA_INVALID
                                                           : STATUS_INSUFFICIENT_RESOURCES;
    memcpy(nx->reparse, extra, extra_len);
    nx->reparse_size = extra_len;
    n->info.FileAttributes |= FILE_ATTRIBUTE_REPARSE_POINT;
    n->info.ReparseTag = *(PULONG)extra;
    return STATUS_SUCCESS;
}

/* Enter the new node under its name in the parent, which it changes (the tree is write-locked). */
static void link_new_node(MEMFS *m, NODE *parent, struct dent *d, NODE *n, bool is_dir)
{
    d->node = n;
    d->parent = parent;
    d->prio = next_prio(m);
    parent->children = treap_insert(m, parent->children, d);
    parent->nchildren++;
    if (is_dir) {
        __atomic_add_fetch(&parent->nsubdirs, 1, __ATOMIC_RELAXED);
        n->dirent = d;
    }
    __atomic_store_n(&n->nlinks, 1, __ATOMIC_RELAXED);
    struct ftime born = {n->info.CreationTime, n->nsec.CreationTime};
    pthread_rwlock_wrlock(&parent->lock);
    SET_TIME(parent, LastWriteTime, born); SET_TIME(parent, ChangeTime, born);
    pthread_rwlock_unlock(&parent->lock);
}

/* A new file or directory named p->name in parent (the tree is write-locked). */
static NTSTATUS create_file(FSP_FILE_SYSTEM *fs, MEMFS *m, const struct parsed *p, NODE *parent,
                            struct dent *existing, UINT32 options, UINT32 attrs, PSECURITY_DESCRIPTOR sd,
                            PVOID extra, ULONG extra_len, BOOLEAN extra_is_reparse, NODE **pn)
{
    bool is_dir = options & FILE_DIRECTORY_FILE;
    if (existing)
        return STATUS_OBJECT_NAME_COLLISION;
    PSECURITY_DESCRIPTOR inherited = 0;
    size_t sd_size;
    NTSTATUS status = creation_sd(fs, parent, options, &sd, &sd_size, &inherited);
    if (!NT_SUCCESS(status))
        return status;
    UINT32 a = (attrs & ~(UINT32)FILE_ATTRIBUTE_NORMAL) | (is_dir ? FILE_ATTRIBUTE_DIRECTORY : 0);
    if (!is_dir)
        a &= ~(UINT32)FILE_ATTRIBUTE_DIRECTORY;
    NODE *n = node_new(m, a, sd, sd_size);
    FspDeleteSecurityDescriptor(inherited, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    struct dent *d = n ? dent_new(p->name) : 0;
    if (!n || !d) {
        status = n ? STATUS_INSUFFICIENT_RESOURCES : STATUS_DISK_FULL;
        free(d);
        if (n)
            node_free(m, n);
        return status;
    }
    if (extra && extra_len) {
        status = apply_create_extra(fs, n, extra, extra_len, extra_is_reparse);
        if (!NT_SUCCESS(status)) {
            free(d);
            node_free(m, n);
            return status;
        }
    }
    link_new_node(m, parent, d, n, is_dir);
    *pn = n;
    return STATUS_SUCCESS;
}

static NTSTATUS create_common(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 attrs,
                              PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID extra, ULONG extra_len,
                              BOOLEAN extra_is_reparse, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)alloc; /* reserve nothing: memory is allocated as data arrives */
    MEMFS *m = memfs_of(fs);
    struct parsed p;
    NTSTATUS status = parse_path(name, &p);
    if (!NT_SUCCESS(status))
        return status;
    if (!p.name) {
        parsed_free(&p);
        return STATUS_OBJECT_NAME_COLLISION; /* the root */
    }
    bool is_dir = options & FILE_DIRECTORY_FILE;
    pthread_rwlock_wrlock(&m->tree_lock);
    NODE *parent, *n = 0;
    status = find_parent(m, &p, &parent);
    struct dent *existing = NT_SUCCESS(status) ? treap_find(m, parent->children, p.name) : 0;
    /* A named stream of an existing file, or a new file or directory. */
    if (NT_SUCCESS(status))
        status = p.stream ? create_stream(m, &p, existing, is_dir, &n)
                          : create_file(fs, m, &p, parent, existing, options, attrs, sd, extra, extra_len,
                                        extra_is_reparse, &n);
    if (NT_SUCCESS(status)) {
        ref_open(n);
        *pctx = n;
        get_info(n, info, nsec_of(info));
        status = STATUS_SUCCESS;
    }
    pthread_rwlock_unlock(&m->tree_lock);
    parsed_free(&p);
    return status;
}

static NTSTATUS Create(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access, UINT32 attrs,
                       PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)access;
    return create_common(fs, name, options, attrs, sd, alloc, 0, 0, FALSE, pctx, info);
}

static NTSTATUS CreateEx(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access, UINT32 attrs,
                         PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID extra, ULONG extra_len,
                         BOOLEAN extra_is_reparse, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)access;
    return create_common(fs, name, options, attrs, sd, alloc, extra, extra_len, extra_is_reparse,
                         pctx, info);
}

static NTSTATUS Open(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access, PVOID *pctx,
                     FSP_FSCTL_FILE_INFO *info)
{
    (void)options, (void)access;
    MEMFS *m = memfs_of(fs);
    pthread_rwlock_rdlock(&m->tree_lock);
    NODE *n;
    NTSTATUS status = lookup(m, name, &n, 0);
    if (NT_SUCCESS(status)) {
        ref_open(n);
        *pctx = n;
        get_info(n, info, nsec_of(info));
    }
    pthread_rwlock_unlock(&m->tree_lock);
    return status;
}

static NTSTATUS OverwriteEx(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, BOOLEAN replace,
                            UINT64 alloc, PFILE_FULL_EA_INFORMATION ea, ULONG ea_len,
                            FSP_FSCTL_FILE_INFO *info)
{
    (void)alloc;
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = set_size(m, n, 0);
    if (NT_SUCCESS(status) && ea) {
        for (size_t i = 0; i < xr(n)->neas; i++)
            free(xr(n)->eas[i].name), free(xr(n)->eas[i].value);
        if (xe(n))
            xe(n)->neas = 0;
        status = apply_eas(fs, n, ea, ea_len);
    }
    if (NT_SUCCESS(status)) {
        attrs &= ~(UINT32)(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY);
        if (replace)
            n->info.FileAttributes = attrs | FILE_ATTRIBUTE_ARCHIVE |
                                     (n->info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
        else
            n->info.FileAttributes |= attrs | FILE_ATTRIBUTE_ARCHIVE;
        struct ftime now = now_time();
        SET_TIME(n, LastWriteTime, now); SET_TIME(n, ChangeTime, now);
    }
    fill_info(n, info, nsec_of(info));
    pthread_rwlock_unlock(&n->lock);
    give_back(m);
    return status;
}

static NTSTATUS Overwrite(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, BOOLEAN replace, UINT64 alloc,
                          FSP_FSCTL_FILE_INFO *info)
{
    return OverwriteEx(fs, ctx, attrs, replace, alloc, 0, 0, info);
}

/*
 * Remove a name (or a stream) the way Cleanup with FspCleanupDelete does. Tree lock held.
 * STATUS_OBJECT_NAME_NOT_FOUND when the name is not n's (any more).
 */
static NTSTATUS delete_name(MEMFS *m, NODE *n, PWSTR name)
{
    if (xr(n)->main) {
        /* A stream: no longer one of its file's streams; it lives on by its own opens, which
         * keep its file too (ref_close). Its `main` stays: others read it without this lock. */
        NODE *f = xr(n)->main; /* so both have extras */
        struct extra *fx = xe(f);
        for (size_t i = 0; i < fx->nstreams; i++)
            if (fx->streams[i] == n) {
                fx->streams[i] = fx->streams[--fx->nstreams];
                break;
            }
        __atomic_store_n(&n->nlinks, 0, __ATOMIC_RELAXED);
        orphan_add(m, n); /* open: the caller's context at least */
        return STATUS_SUCCESS;
    }
    struct parsed p;
    NODE *parent;
    NTSTATUS status = parse_path(name, &p);
    if (!NT_SUCCESS(status))
        return status;
    status = STATUS_OBJECT_NAME_NOT_FOUND;
    if (p.name && NT_SUCCESS(find_parent(m, &p, &parent))) {
        struct dent *d = treap_find(m, parent->children, p.name);
        if (d && d->node == n) {
            parent->children = treap_remove(m, parent->children, d->name);
            parent->nchildren--;
            if (n->is_dir) {
                __atomic_sub_fetch(&parent->nsubdirs, 1, __ATOMIC_RELAXED);
                n->dirent = 0;
            }
            if (0 == __atomic_sub_fetch(&n->nlinks, 1, __ATOMIC_RELAXED))
                orphan_add(m, n); /* open: the caller's context at least */
            struct ftime now = now_time();
            pthread_rwlock_wrlock(&parent->lock);
            SET_TIME(parent, LastWriteTime, now); SET_TIME(parent, ChangeTime, now);
            pthread_rwlock_unlock(&parent->lock);
            pthread_rwlock_wrlock(&n->lock);
            SET_TIME(n, ChangeTime, now);
            pthread_rwlock_unlock(&n->lock);
            free(d);
            status = STATUS_SUCCESS;
        }
    }
    parsed_free(&p);
    return status;
}

/*
 * Tell the engine how a delete in Cleanup went (LinFsp extension: Cleanup returns nothing, so the
 * outcome goes in the operation context's response).
 */
static void report_cleanup(NTSTATUS status)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (oc && oc->Response)
        oc->Response->IoStatus.Status = (UINT32)status;
}

static VOID Cleanup(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, ULONG flags)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if ((flags & FspCleanupDelete) && name) {
        pthread_rwlock_wrlock(&m->tree_lock);
        /* a directory that got an entry since CanDelete stays (and the engine hears why) */
        NTSTATUS status = n->is_dir && n->nchildren
                              ? STATUS_DIRECTORY_NOT_EMPTY
                              : delete_name(m, n, name);
        pthread_rwlock_unlock(&m->tree_lock);
        report_cleanup(status);
        give_back(m);
        return;
    }
    if (flags & (FspCleanupSetArchiveBit | FspCleanupSetLastAccessTime | FspCleanupSetLastWriteTime |
                 FspCleanupSetChangeTime | FspCleanupSetAllocationSize)) {
        struct ftime now = now_time();
        pthread_rwlock_wrlock(&n->lock);
        if ((flags & FspCleanupSetArchiveBit) && !n->is_dir)
            n->info.FileAttributes |= FILE_ATTRIBUTE_ARCHIVE;
        if (flags & FspCleanupSetLastAccessTime)
            SET_TIME(n, LastAccessTime, now);
        if (flags & FspCleanupSetLastWriteTime)
            SET_TIME(n, LastWriteTime, now);
        if (flags & FspCleanupSetChangeTime)
            SET_TIME(n, ChangeTime, now);
        pthread_rwlock_unlock(&n->lock);
    }
}

static VOID Close(FSP_FILE_SYSTEM *fs, PVOID ctx)
{
    MEMFS *m = memfs_of(fs);
    pthread_rwlock_wrlock(&m->tree_lock);
    ref_close(m, ctx);
    pthread_rwlock_unlock(&m->tree_lock);
    give_back(m);
}

/* ---- slow I/O: complete some operations later from another thread ---- */

struct slow_op {
    MEMFS *m;
    UINT32 kind;
    UINT64 hint;
    NODE *node;
    PVOID buffer;
    UINT64 offset;
    ULONG length;
    PWSTR marker;
    unsigned delay_ms;
};

static NTSTATUS do_read(MEMFS *m, NODE *n, PVOID buf, UINT64 off, ULONG len, PULONG pbytes);
static NTSTATUS do_write(MEMFS *m, NODE *n, PVOID buf, UINT64 off, ULONG len, BOOLEAN to_end,
                         BOOLEAN constrained, PULONG pbytes, FSP_FSCTL_FILE_INFO *info,
                         FSP_FSCTL_FILE_NSEC *nsec);
static NTSTATUS do_read_directory(MEMFS *m, NODE *n, PWSTR marker, PVOID buf, ULONG len,
                                  PULONG pbytes);

static bool slow_now(MEMFS *m)
{
    if (!m->slow_percent)
        return false;
    pthread_mutex_lock(&m->slow_lock);
    m->slow_rand_state = m->slow_rand_state * 1103515245u + 12345u;
    bool r = ((m->slow_rand_state >> 16) % 100) < m->slow_percent;
    pthread_mutex_unlock(&m->slow_lock);
    return r;
}

static void *slow_main(void *arg)
{
    struct slow_op *op = arg;
    MEMFS *m = op->m;
    if (op->delay_ms) {
        struct timespec ts = {op->delay_ms / 1000, (long)(op->delay_ms % 1000) * 1000000};
        nanosleep(&ts, 0);
    }
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(&rsp, 0, sizeof rsp);
    rsp.Size = sizeof rsp;
    rsp.Kind = op->kind;
    rsp.Hint = op->hint;
    ULONG bytes = 0;
    NTSTATUS status;
    if (FspFsctlTransactReadKind == op->kind)
        status = do_read(m, op->node, op->buffer, op->offset, op->length, &bytes);
    else if (FspFsctlTransactWriteKind == op->kind)
        status = do_write(m, op->node, op->buffer, op->offset, op->length, FALSE, FALSE, &bytes,
                          &rsp.Rsp.Write.FileInfo, 0);
    else
        status = do_read_directory(m, op->node, op->marker, op->buffer, op->length, &bytes);
    rsp.IoStatus.Status = (UINT32)status;
    rsp.IoStatus.Information = bytes;
    /* The operation's reference goes before its completion is reported: once the caller sees the
     * write done, an unlink of the file frees its pages at once (statvfs shows them free). */
    pthread_rwlock_wrlock(&m->tree_lock);
    ref_close(m, op->node);
    pthread_rwlock_unlock(&m->tree_lock);
    FspFileSystemSendResponse(m->fs, &rsp);
    give_back(m);
    free(op->marker);
    free(op);
    pthread_mutex_lock(&m->slow_lock);
    if (0 == --m->slow_pending)
        pthread_cond_broadcast(&m->slow_cond);
    pthread_mutex_unlock(&m->slow_lock);
    return 0;
}

/* Start an operation in the background; STATUS_PENDING, or a failure to run it now instead. */
static NTSTATUS slow_start(MEMFS *m, UINT32 kind, NODE *n, PVOID buf, UINT64 off, ULONG len,
                           PWSTR marker)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (!oc || !oc->Request)
        return STATUS_UNSUCCESSFUL;
    struct slow_op *op = calloc(1, sizeof *op);
    if (!op)
        return STATUS_UNSUCCESSFUL;
    if (marker && !(op->marker = wcsdup(marker))) {
        free(op);
        return STATUS_UNSUCCESSFUL;
    }
    op->m = m, op->kind = kind, op->hint = oc->Request->Hint, op->node = n, op->buffer = buf;
    op->offset = off, op->length = len;
    pthread_mutex_lock(&m->slow_lock);
    m->slow_rand_state = m->slow_rand_state * 1103515245u + 12345u;
    op->delay_ms = m->slow_max_delay ? (m->slow_rand_state >> 16) % (m->slow_max_delay + 1) : 0;
    if (m->slow_rarefy && (m->slow_rand_state >> 8) % 100 >= m->slow_rarefy)
        op->delay_ms = 0;
    m->slow_pending++;
    pthread_mutex_unlock(&m->slow_lock);
    ref_open(n);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&t, &attr, slow_main, op);
    pthread_attr_destroy(&attr);
    if (0 != r) {
        pthread_rwlock_wrlock(&m->tree_lock);
        ref_close(m, n);
        pthread_rwlock_unlock(&m->tree_lock);
        pthread_mutex_lock(&m->slow_lock);
        m->slow_pending--;
        pthread_mutex_unlock(&m->slow_lock);
        free(op->marker);
        free(op);
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_PENDING;
}

static NTSTATUS do_read(MEMFS *m, NODE *n, PVOID buf, UINT64 off, ULONG len, PULONG pbytes)
{
    (void)m;
    pthread_rwlock_rdlock(&n->lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (off >= n->info.FileSize) {
        *pbytes = 0;
        status = STATUS_END_OF_FILE;
    } else {
        UINT64 avail = n->info.FileSize - off;
        ULONG k = avail < len ? (ULONG)avail : len;
        read_data(n, buf, off, k);
        *pbytes = k;
    }
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS Read(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len, PULONG pbytes)
{
    MEMFS *m = memfs_of(fs);
    if (slow_now(m) && STATUS_PENDING == slow_start(m, FspFsctlTransactReadKind, ctx, buf, off, len, 0))
        return STATUS_PENDING;
    return do_read(m, ctx, buf, off, len, pbytes);
}

static NTSTATUS do_write(MEMFS *m, NODE *n, PVOID buf, UINT64 off, ULONG len, BOOLEAN to_end,
                         BOOLEAN constrained, PULONG pbytes, FSP_FSCTL_FILE_INFO *info,
                         FSP_FSCTL_FILE_NSEC *nsec)
{
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (to_end)
        off = n->info.FileSize;
    if (constrained) {
        if (off >= n->info.FileSize)
            len = 0;
        else if (off + len > n->info.FileSize)
            len = (ULONG)(n->info.FileSize - off);
    }
    *pbytes = 0;
    /* The largest file: a write starting there fails with EFBIG, one crossing it is cut short
     * (as Linux's write(2) at a file system's s_maxbytes). */
    if (len && off >= m->max_size)
        status = STATUS_FILE_TOO_LARGE;
    else if (len > m->max_size - off)
        len = (ULONG)(m->max_size - off);
    if (NT_SUCCESS(status) && len) {
        status = write_data(m, n, buf, off, len);
        if (NT_SUCCESS(status)) {
            if (off + len > n->info.FileSize)
                n->info.FileSize = off + len;
            *pbytes = len;
        }
    }
    if (NT_SUCCESS(status)) {
        struct ftime now = now_time();
        SET_TIME(n, LastWriteTime, now); SET_TIME(n, ChangeTime, now);
        n->info.FileAttributes |= FILE_ATTRIBUTE_ARCHIVE;
    }
    fill_info(n, info, nsec);
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS Write(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                      BOOLEAN to_end, BOOLEAN constrained, PULONG pbytes, FSP_FSCTL_FILE_INFO *info)
{
    MEMFS *m = memfs_of(fs);
    if (!to_end && !constrained && slow_now(m) &&
        STATUS_PENDING == slow_start(m, FspFsctlTransactWriteKind, ctx, buf, off, len, 0))
        return STATUS_PENDING;
    return do_write(m, ctx, buf, off, len, to_end, constrained, pbytes, info, nsec_of(info));
}

static NTSTATUS Flush(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    if (ctx)
        get_info(ctx, info, nsec_of(info)); /* memory is always "on disk" */
    return STATUS_SUCCESS;
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    get_info(ctx, info, nsec_of(info));
    return STATUS_SUCCESS;
}

static NTSTATUS SetBasicInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, UINT64 ctime,
                             UINT64 atime, UINT64 mtime, UINT64 chtime, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    NODE *n = ctx;
    pthread_rwlock_wrlock(&n->lock);
    if (INVALID_FILE_ATTRIBUTES != attrs) {
        UINT32 keep = n->info.FileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT);
        n->info.FileAttributes = (attrs & ~(UINT32)(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY |
                                                   FILE_ATTRIBUTE_REPARSE_POINT)) | keep;
    }
    /* The times' nanoseconds below 100 ns come with the request (VolumeParams.NanosecondTimes). */
    FSP_FSCTL_FILE_NSEC ns = {0, 0, 0, 0};
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (oc && oc->Request && FspFsctlTransactSetInformationKind == oc->Request->Kind)
        ns = oc->Request->Req.SetInformation.Nsec;
    if (ctime)
        SET_TIME(n, CreationTime, ((struct ftime){ctime, ns.CreationTime}));
    if (atime)
        SET_TIME(n, LastAccessTime, ((struct ftime){atime, ns.LastAccessTime}));
    if (mtime)
        SET_TIME(n, LastWriteTime, ((struct ftime){mtime, ns.LastWriteTime}));
    if (chtime)
        SET_TIME(n, ChangeTime, ((struct ftime){chtime, ns.ChangeTime}));
    else
        SET_TIME(n, ChangeTime, now_time());
    fill_info(n, info, nsec_of(info));
    pthread_rwlock_unlock(&n->lock);
    return STATUS_SUCCESS;
}

static NTSTATUS SetFileSize(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT64 size, BOOLEAN alloc,
                            FSP_FSCTL_FILE_INFO *info)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (alloc) {
        /* Allocation size: shrinking it below the file size truncates the file (NTFS rule);
         * growing it reserves nothing (memory is taken as data arrives). */
        if (size > m->max_size)
            status = STATUS_FILE_TOO_LARGE;
        else if (size < n->info.FileSize)
            status = set_size(m, n, size);
    } else if (size != n->info.FileSize)
        status = set_size(m, n, size);
    if (NT_SUCCESS(status) && !alloc) {
        struct ftime now = now_time();
        SET_TIME(n, LastWriteTime, now); SET_TIME(n, ChangeTime, now);
    }
    fill_info(n, info, nsec_of(info));
    pthread_rwlock_unlock(&n->lock);
    give_back(m);
    return status;
}

/*
 * fallocate(2) (LinFsp extension), as tmpfs: mode 0 grows the file to the range's end, KEEP_SIZE
 * leaves the size; memfs takes memory as data arrives, so neither reserves pages. PUNCH_HOLE
 * and ZERO_RANGE make the range read as zeros and give its whole pages back; ZERO_RANGE
 * without KEEP_SIZE grows the file too.
 */
static NTSTATUS Fallocate(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 mode, UINT64 off, UINT64 len,
                          FSP_FSCTL_FILE_INFO *info)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if (mode & ~(UINT32)(FSP_FALLOCATE_KEEP_SIZE | FSP_FALLOCATE_PUNCH_HOLE | FSP_FALLOCATE_ZERO_RANGE))
        return STATUS_NOT_SUPPORTED;
    if (n->is_dir)
        return STATUS_FILE_IS_A_DIRECTORY;
    UINT64 end = off + len; /* the engine checked: no wrap */
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = STATUS_SUCCESS;
    bool grow = !(mode & FSP_FALLOCATE_KEEP_SIZE) && end > n->info.FileSize;
    if (end > m->max_size && (grow || !(mode & (FSP_FALLOCATE_PUNCH_HOLE | FSP_FALLOCATE_ZERO_RANGE))))
        status = STATUS_FILE_TOO_LARGE; /* EFBIG: past the largest file, as Linux's fallocate(2) */
    else {
        if (mode & (FSP_FALLOCATE_PUNCH_HOLE | FSP_FALLOCATE_ZERO_RANGE))
            zero_data(m, n, off, end);
        if (grow)
            n->info.FileSize = end;
        if (grow || (mode & (FSP_FALLOCATE_PUNCH_HOLE | FSP_FALLOCATE_ZERO_RANGE))) {
            struct ftime now = now_time();
            SET_TIME(n, LastWriteTime, now);
            SET_TIME(n, ChangeTime, now);
            n->info.FileAttributes |= FILE_ATTRIBUTE_ARCHIVE;
        }
    }
    fill_info(n, info, nsec_of(info));
    pthread_rwlock_unlock(&n->lock);
    give_back(m);
    return status;
}

static NTSTATUS CanDelete(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name)
{
    (void)name;
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    pthread_rwlock_rdlock(&m->tree_lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (n == m->root)
        status = STATUS_CANNOT_DELETE;
    else if (n->is_dir && n->nchildren)
        status = STATUS_DIRECTORY_NOT_EMPTY;
    pthread_rwlock_unlock(&m->tree_lock);
    return status;
}

static NTSTATUS SetDelete(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, BOOLEAN del)
{
    return del ? CanDelete(fs, ctx, name) : STATUS_SUCCESS;
}

/* Would the directory n be moved into its own subtree as a child of dparent? */
static bool inside_own_subtree(NODE *n, NODE *dparent)
{
    for (NODE *p = dparent; p; p = p->dirent ? p->dirent->parent : 0)
        if (p == n)
            return true;
    return false;
}

/* A rename onto the same entry: only the name's case changes (the tree is write-locked). */
static NTSTATUS rename_case_only(MEMFS *m, NODE *sparent, struct dent *sd, PCWSTR newname)
{
    struct dent *nd = dent_new(newname);
    if (!nd)
        return STATUS_INSUFFICIENT_RESOURCES;
    sparent->children = treap_remove(m, sparent->children, sd->name);
    dent_renamed(sd, nd);
    sparent->children = treap_insert(m, sparent->children, nd);
    return STATUS_SUCCESS;
}

/* May n replace the existing entry td? *psame when td is another name of n (nothing happens). */
static NTSTATUS check_replace(struct dent *td, NODE *n, BOOLEAN replace, bool *psame)
{
    *psame = false;
    if (!replace)
        return STATUS_OBJECT_NAME_COLLISION;
    if (td->node == n) {
        *psame = true; /* two names of one file: POSIX says nothing happens */
        return STATUS_SUCCESS;
    }
    bool tdir = td->node->is_dir;
    if (tdir && !n->is_dir)
        return STATUS_ACCESS_DENIED;
    if (!tdir && n->is_dir)
        return STATUS_NOT_A_DIRECTORY;
    if (tdir && td->node->nchildren)
        return STATUS_DIRECTORY_NOT_EMPTY;
    return STATUS_SUCCESS;
}

/* Remove the replaced entry td from dparent: its node loses a link (freed, orphaned or changed). */
static void drop_replaced(MEMFS *m, NODE *dparent, struct dent *td)
{
    bool tdir = td->node->is_dir;
    NODE *victim = td->node;
    dparent->children = treap_remove(m, dparent->children, td->name);
    dparent->nchildren--;
    if (tdir) {
        __atomic_sub_fetch(&dparent->nsubdirs, 1, __ATOMIC_RELAXED);
        victim->dirent = 0;
    }
    __atomic_sub_fetch(&victim->nlinks, 1, __ATOMIC_RELAXED);
    free(td);
    if (0 == victim->nlinks && 0 == __atomic_load_n(&victim->opens, __ATOMIC_ACQUIRE))
        node_free(m, victim);
    else {
        if (0 == victim->nlinks)
            orphan_add(m, victim);
        /* A name less is a change of the file, seen through its other names and opens. */
        pthread_rwlock_wrlock(&victim->lock);
        SET_TIME(victim, ChangeTime, now_time());
        pthread_rwlock_unlock(&victim->lock);
    }
}

/* Move n's entry sd from sparent to dparent as the new entry nd (dent_new, its new name); n and
 * both directories change. */
static void move_entry(MEMFS *m, NODE *n, struct dent *sd, NODE *sparent, NODE *dparent, struct dent *nd)
{
    bool is_dir = n->is_dir;
    sparent->children = treap_remove(m, sparent->children, sd->name);
    sparent->nchildren--;
    if (is_dir)
        __atomic_sub_fetch(&sparent->nsubdirs, 1, __ATOMIC_RELAXED);
    dent_renamed(sd, nd);
    nd->parent = dparent;
    dparent->children = treap_insert(m, dparent->children, nd);
    dparent->nchildren++;
    if (is_dir)
        __atomic_add_fetch(&dparent->nsubdirs, 1, __ATOMIC_RELAXED);
    struct ftime now = now_time();
    pthread_rwlock_wrlock(&n->lock);
    SET_TIME(n, ChangeTime, now);
    pthread_rwlock_unlock(&n->lock);
    dir_changed(sparent, now);
    if (dparent != sparent)
        dir_changed(dparent, now);
}

static NTSTATUS Rename(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PWSTR newname, BOOLEAN replace)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if (xr(n)->main || xr(n)->stream_name)
        return STATUS_INVALID_PARAMETER; /* streams cannot be renamed (as on WinFsp) */
    struct parsed src, dst;
    NTSTATUS status = parse_path(name, &src);
    if (!NT_SUCCESS(status))
        return status;
    status = parse_path(newname, &dst);
    if (!NT_SUCCESS(status)) {
        parsed_free(&src);
        return status;
    }
    pthread_rwlock_wrlock(&m->tree_lock);
    NODE *sparent, *dparent;
    struct dent *sd = 0, *td;
    if (!src.name || !dst.name || src.stream || dst.stream) {
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }
    status = find_parent(m, &src, &sparent);
    if (NT_SUCCESS(status))
        status = find_parent(m, &dst, &dparent);
    if (!NT_SUCCESS(status))
        goto out;
    sd = treap_find(m, sparent->children, src.name);
    if (!sd || sd->node != n) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
        goto out;
    }
    if (n->is_dir && inside_own_subtree(n, dparent)) {
        status = STATUS_INVALID_PARAMETER; /* into its own subtree */
        goto out;
    }
    td = treap_find(m, dparent->children, dst.name);
    if (td == sd) {
        status = rename_case_only(m, sparent, sd, dst.name);
        goto out;
    }
    if (td) {
        bool same;
        status = check_replace(td, n, replace, &same);
        if (!NT_SUCCESS(status) || same)
            goto out;
    }
    /* Everything that can fail comes before the first change: the rename happens whole or not. */
    struct dent *nd = dent_new(dst.name);
    if (!nd) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    if (td)
        drop_replaced(m, dparent, td);
    move_entry(m, n, sd, sparent, dparent, nd);
out:
    pthread_rwlock_unlock(&m->tree_lock);
    parsed_free(&src);
    parsed_free(&dst);
    give_back(m);
    return status;
}

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *fs, PVOID ctx, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    (void)fs;
    NODE *n = owner_of(ctx);
    pthread_rwlock_rdlock(&n->lock);
    NTSTATUS status = copy_sd(n, sd, psize);
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS SetSecurity(FSP_FILE_SYSTEM *fs, PVOID ctx, SECURITY_INFORMATION info,
                            PSECURITY_DESCRIPTOR mod)
{
    NODE *n = owner_of(ctx);
    ULONG modlen = FspGetSecurityDescriptorLength(mod);
    if (0 == modlen || !FspIsValidSecurityDescriptor(mod, modlen))
        return STATUS_INVALID_SECURITY_DESCR;
    pthread_rwlock_wrlock(&n->lock);
    PSECURITY_DESCRIPTOR newsd = 0;
    NTSTATUS status = n->sd ? FspSetSecurityDescriptor(n->sd, info, mod, &newsd)
                            : FspSetSecurityDescriptor(mod, info, mod, &newsd);
    if (NT_SUCCESS(status)) {
        size_t size = FspGetSecurityDescriptorLength(newsd);
        void *shared = sd_get(memfs_of(fs), newsd, size);
        if (shared) {
            sd_put(memfs_of(fs), n->sd);
            n->sd = shared;
            SET_TIME(n, ChangeTime, now_time());
        } else
            status = STATUS_INSUFFICIENT_RESOURCES;
        FspDeleteSecurityDescriptor(newsd, (NTSTATUS(*)())FspSetSecurityDescriptor);
    }
    pthread_rwlock_unlock(&n->lock);
    return status;
}

/* Fill a DIR_INFO for one entry into buf (sizeof DIR_INFO + 256 WCHARs). */
static FSP_FSCTL_DIR_INFO *make_dir_info(NODE *n, PCWSTR name, void *buf)
{
    FSP_FSCTL_DIR_INFO *d = buf;
    size_t len = wcslen(name);
    memset(d, 0, sizeof *d);
    d->Size = (UINT16)(sizeof *d + len * sizeof(WCHAR));
    get_info(n, &d->FileInfo, &d->Nsec);
    memcpy(d->FileNameBuf, name, len * sizeof(WCHAR));
    return d;
}

static NTSTATUS do_read_directory(MEMFS *m, NODE *n, PWSTR marker, PVOID buf, ULONG len,
                                  PULONG pbytes)
{
    union {
        FSP_FSCTL_DIR_INFO d;
        char raw[sizeof(FSP_FSCTL_DIR_INFO) + 260 * sizeof(WCHAR)];
    } u;
    *pbytes = 0;
    pthread_rwlock_rdlock(&m->tree_lock);
    if (n != m->root) {
        NODE *parent = n->dirent ? n->dirent->parent : m->root;
        if (!marker) {
            if (!FspFileSystemAddDirInfo(make_dir_info(n, L".", &u), buf, len, pbytes))
                goto full;
        }
        if (!marker || 0 == wcscmp(marker, L".")) {
            if (!FspFileSystemAddDirInfo(make_dir_info(parent, L"..", &u), buf, len, pbytes))
                goto full;
            marker = 0;
        } else if (0 == wcscmp(marker, L".."))
            marker = 0;
    }
    struct treap_walk walk;
    walk_start(m, &walk, n->children, marker);
    for (struct dent *d; (d = walk_next(m, &walk));)
        if (!FspFileSystemAddDirInfo(make_dir_info(d->node, d->name, &u), buf, len, pbytes))
            goto full;
    FspFileSystemAddDirInfo(0, buf, len, pbytes);
full:
    pthread_rwlock_unlock(&m->tree_lock);
    return STATUS_SUCCESS;
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR pattern, PWSTR marker, PVOID buf,
                              ULONG len, PULONG pbytes)
{
    (void)pattern;
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if (!n->is_dir)
        return STATUS_NOT_A_DIRECTORY;
    if (slow_now(m) &&
        STATUS_PENDING == slow_start(m, FspFsctlTransactQueryDirectoryKind, n, buf, 0, len, marker))
        return STATUS_PENDING;
    return do_read_directory(m, n, marker, buf, len, pbytes);
}

static NTSTATUS GetDirInfoByName(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, FSP_FSCTL_DIR_INFO *di)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    pthread_rwlock_rdlock(&m->tree_lock);
    struct dent *d = treap_find(m, n->children, name);
    if (d)
        make_dir_info(d->node, d->name, di);
    pthread_rwlock_unlock(&m->tree_lock);
    return d ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
}

static NTSTATUS ResolveReparsePoints(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 index, BOOLEAN last,
                                     PIO_STATUS_BLOCK pio, PVOID buf, PSIZE_T psize)
{
    MEMFS *m = memfs_of(fs);
    pthread_rwlock_rdlock(&m->tree_lock);
    NTSTATUS status = FspFileSystemResolveReparsePoints(fs, reparse_by_name, 0, name, index, last,
                                                        pio, buf, psize);
    pthread_rwlock_unlock(&m->tree_lock);
    return status;
}

static NTSTATUS GetReparsePoint(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PVOID buf, PSIZE_T psize)
{
    (void)fs, (void)name;
    NODE *n = ctx;
    pthread_rwlock_rdlock(&n->lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (!(n->info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        status = STATUS_NOT_A_REPARSE_POINT;
    else if (xr(n)->reparse_size > *psize)
        status = STATUS_BUFFER_TOO_SMALL;
    else {
        memcpy(buf, xr(n)->reparse, xr(n)->reparse_size);
        *psize = xr(n)->reparse_size;
    }
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS SetReparsePoint(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PVOID buf, SIZE_T size)
{
    (void)name;
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if (size < REPARSE_DATA_BUFFER_HEADER_SIZE || size > MAXIMUM_REPARSE_DATA_BUFFER_SIZE)
        return STATUS_IO_REPARSE_DATA_INVALID;
    pthread_rwlock_rdlock(&m->tree_lock);
    bool nonempty = n->is_dir && n->nchildren;
    pthread_rwlock_unlock(&m->tree_lock);
    if (nonempty)
        return STATUS_DIRECTORY_NOT_EMPTY;
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (xr(n)->reparse)
        status = FspFileSystemCanReplaceReparsePoint(xr(n)->reparse, xr(n)->reparse_size, buf, size);
    struct extra *x = NT_SUCCESS(status) ? xw(n) : 0;
    void *copy = x ? malloc(size) : 0;
    if (NT_SUCCESS(status) && !copy)
        status = STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(status)) {
        memcpy(copy, buf, size);
        free(x->reparse);
        x->reparse = copy;
        x->reparse_size = size;
        n->info.FileAttributes |= FILE_ATTRIBUTE_REPARSE_POINT;
        n->info.ReparseTag = *(PULONG)buf;
        SET_TIME(n, ChangeTime, now_time());
    }
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS DeleteReparsePoint(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PVOID buf, SIZE_T size)
{
    (void)fs, (void)name;
    NODE *n = ctx;
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = STATUS_NOT_A_REPARSE_POINT;
    if (xr(n)->reparse) {
        status = FspFileSystemCanReplaceReparsePoint(xr(n)->reparse, xr(n)->reparse_size, buf, size);
        if (NT_SUCCESS(status)) {
            struct extra *x = xe(n); /* it has reparse data, so extras */
            free(x->reparse);
            x->reparse = 0;
            x->reparse_size = 0;
            n->info.FileAttributes &= ~(UINT32)FILE_ATTRIBUTE_REPARSE_POINT;
            n->info.ReparseTag = 0;
        }
    }
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS GetStreamInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, ULONG len, PULONG pbytes)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = owner_of(ctx);
    union {
        FSP_FSCTL_STREAM_INFO s;
        char raw[sizeof(FSP_FSCTL_STREAM_INFO) + 270 * sizeof(WCHAR)];
    } u;
    *pbytes = 0;
    pthread_rwlock_rdlock(&m->tree_lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (!n->is_dir) {
        u.s.Size = (UINT16)(sizeof u.s + 7 * sizeof(WCHAR));
        u.s.StreamSize = n->info.FileSize;
        u.s.StreamAllocationSize = PAGE_BYTES(n->npages);
        memcpy(u.s.StreamNameBuf, L"::$DATA", 7 * sizeof(WCHAR));
        if (!FspFileSystemAddStreamInfo(&u.s, buf, len, pbytes))
            goto out;
    }
    for (size_t i = 0; i < xr(n)->nstreams; i++) {
        NODE *s = xr(n)->streams[i];
        size_t nl = wcslen(xr(s)->stream_name);
        u.s.Size = (UINT16)(sizeof u.s + (nl + 7) * sizeof(WCHAR));
        u.s.StreamSize = s->info.FileSize;
        u.s.StreamAllocationSize = PAGE_BYTES(s->npages);
        u.s.StreamNameBuf[0] = L':';
        memcpy(u.s.StreamNameBuf + 1, xr(s)->stream_name, nl * sizeof(WCHAR));
        memcpy(u.s.StreamNameBuf + 1 + nl, L":$DATA", 6 * sizeof(WCHAR));
        if (!FspFileSystemAddStreamInfo(&u.s, buf, len, pbytes))
            goto out;
    }
    FspFileSystemAddStreamInfo(0, buf, len, pbytes);
out:
    pthread_rwlock_unlock(&m->tree_lock);
    return status;
}

static NTSTATUS Control(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 code, PVOID in, ULONG inlen, PVOID out,
                        ULONG outlen, PULONG pbytes)
{
    (void)fs, (void)ctx;
    if (MEMFS_CONTROL_ROT13 != code)
        return STATUS_INVALID_DEVICE_REQUEST;
    ULONG n = inlen < outlen ? inlen : outlen;
    const char *s = in;
    char *d = out;
    for (ULONG i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z')
            c = (char)('A' + (c - 'A' + 13) % 26);
        d[i] = c;
    }
    *pbytes = n;
    return STATUS_SUCCESS;
}

static NTSTATUS GetEa(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea, ULONG len,
                      PULONG pbytes)
{
    (void)fs;
    NODE *n = ctx;
    NTSTATUS status = STATUS_SUCCESS;
    *pbytes = 0;
    pthread_rwlock_rdlock(&n->lock);
    for (size_t i = 0; i < xr(n)->neas; i++) {
        size_t nl = strlen(xr(n)->eas[i].name);
        size_t size = offsetof(FILE_FULL_EA_INFORMATION, EaName) + nl + 1 + xr(n)->eas[i].len;
        FILE_FULL_EA_INFORMATION *e = malloc(size);
        if (!e) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        e->NextEntryOffset = 0;
        e->Flags = xr(n)->eas[i].flags;
        e->EaNameLength = (UCHAR)nl;
        e->EaValueLength = xr(n)->eas[i].len;
        memcpy(e->EaName, xr(n)->eas[i].name, nl + 1);
        memcpy(e->EaName + nl + 1, xr(n)->eas[i].value, xr(n)->eas[i].len);
        BOOLEAN ok = FspFileSystemAddEa(e, ea, len, pbytes);
        free(e);
        if (!ok) {
            status = STATUS_BUFFER_OVERFLOW;
            break;
        }
    }
    pthread_rwlock_unlock(&n->lock);
    if (NT_SUCCESS(status))
        FspFileSystemAddEa(0, ea, len, pbytes);
    return status;
}

static NTSTATUS SetEa(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea, ULONG len,
                      FSP_FSCTL_FILE_INFO *info)
{
    NODE *n = ctx;
    pthread_rwlock_wrlock(&n->lock);
    NTSTATUS status = apply_eas(fs, n, ea, len);
    if (NT_SUCCESS(status))
        SET_TIME(n, ChangeTime, now_time());
    fill_info(n, info, nsec_of(info));
    pthread_rwlock_unlock(&n->lock);
    return status;
}

static NTSTATUS CreateHardLink(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PWSTR newname,
                               FSP_FSCTL_FILE_INFO *info)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if (n->is_dir || xr(n)->main || xr(n)->stream_name)
        return STATUS_ACCESS_DENIED;
    struct parsed p;
    NTSTATUS status = parse_path(newname, &p);
    if (!NT_SUCCESS(status))
        return status;
    pthread_rwlock_wrlock(&m->tree_lock);
    NODE *parent;
    if (!p.name || p.stream)
        status = STATUS_OBJECT_NAME_INVALID;
    else
        status = find_parent(m, &p, &parent);
    /* Linking an unlinked file is ENOENT, as on Linux; a file made by CreateUnnamed (name NULL)
     * gets its first name here (linkat(2) of an O_TMPFILE descriptor). */
    if (NT_SUCCESS(status) && 0 == n->nlinks && !(n->linkable && !name))
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    if (NT_SUCCESS(status) && treap_find(m, parent->children, p.name))
        status = STATUS_OBJECT_NAME_COLLISION;
    if (NT_SUCCESS(status) && n->nlinks >= 65000)
        status = STATUS_TOO_MANY_LINKS;
    if (NT_SUCCESS(status)) {
        struct dent *d = dent_new(p.name);
        if (!d) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            d->node = n, d->parent = parent, d->prio = next_prio(m);
            parent->children = treap_insert(m, parent->children, d);
            parent->nchildren++;
            __atomic_add_fetch(&n->nlinks, 1, __ATOMIC_RELAXED);
            if (n->linkable) { /* an unnamed file (CreateUnnamed) gets its first name */
                n->linkable = false;
                orphan_remove(m, n);
            }
            struct ftime now = now_time();
            dir_changed(parent, now);
            pthread_rwlock_wrlock(&n->lock);
            SET_TIME(n, ChangeTime, now);
            pthread_rwlock_unlock(&n->lock);
        }
    }
    get_info(n, info, nsec_of(info));
    pthread_rwlock_unlock(&m->tree_lock);
    parsed_free(&p);
    return status;
}

/* Is node a directory on the way from dir up to the root (dir itself included)? */
static bool is_ancestor(NODE *node, NODE *dir)
{
    for (NODE *p = dir; p; p = p->dirent ? p->dirent->parent : 0)
        if (p == node)
            return true;
    return false;
}

static NTSTATUS RenameExchange(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PWSTR newname)
{
    MEMFS *m = memfs_of(fs);
    NODE *n = ctx;
    if (xr(n)->main || xr(n)->stream_name)
        return STATUS_INVALID_PARAMETER; /* streams have no names to exchange */
    struct parsed src, dst;
    NTSTATUS status = parse_path(name, &src);
    if (!NT_SUCCESS(status))
        return status;
    status = parse_path(newname, &dst);
    if (!NT_SUCCESS(status)) {
        parsed_free(&src);
        return status;
    }
    pthread_rwlock_wrlock(&m->tree_lock);
    NODE *sparent, *dparent;
    struct dent *sd, *td;
    if (!src.name || !dst.name || src.stream || dst.stream) {
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }
    status = find_parent(m, &src, &sparent);
    if (NT_SUCCESS(status))
        status = find_parent(m, &dst, &dparent);
    if (!NT_SUCCESS(status))
        goto out;
    sd = treap_find(m, sparent->children, src.name);
    td = treap_find(m, dparent->children, dst.name);
    if (!sd || sd->node != n || !td) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
        goto out;
    }
    NODE *o = td->node;
    if (o == n)
        goto out; /* two names of one file (or one name): nothing changes, as on Linux */
    bool ndir = n->info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY;
    bool odir = o->info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY;
    /* Neither directory may end up inside itself. */
    if ((ndir && is_ancestor(n, dparent)) || (odir && is_ancestor(o, sparent))) {
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }
    /* The entries keep their names and change files. */
    sd->node = o;
    td->node = n;
    if (ndir)
        n->dirent = td;
    if (odir)
        o->dirent = sd;
    if (ndir != odir && sparent != dparent) {
        NODE *gains = ndir ? dparent : sparent, *loses = ndir ? sparent : dparent;
        gains->nsubdirs++;
        loses->nsubdirs--;
    }
    struct ftime now = now_time();
    pthread_rwlock_wrlock(&n->lock);
    SET_TIME(n, ChangeTime, now);
    pthread_rwlock_unlock(&n->lock);
    pthread_rwlock_wrlock(&o->lock);
    SET_TIME(o, ChangeTime, now);
    pthread_rwlock_unlock(&o->lock);
    NODE *dirs[2] = {sparent, dparent};
    for (int i = 0; i < (sparent == dparent ? 1 : 2); i++) {
        pthread_rwlock_wrlock(&dirs[i]->lock);
        SET_TIME(dirs[i], LastWriteTime, now);
        SET_TIME(dirs[i], ChangeTime, now);
        pthread_rwlock_unlock(&dirs[i]->lock);
    }
out:
    pthread_rwlock_unlock(&m->tree_lock);
    parsed_free(&src);
    parsed_free(&dst);
    return status;
}

static NTSTATUS CreateUnnamed(FSP_FILE_SYSTEM *fs, PWSTR dirname, UINT32 access, UINT32 attrs,
                              PSECURITY_DESCRIPTOR sd, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)access;
    MEMFS *m = memfs_of(fs);
    pthread_rwlock_wrlock(&m->tree_lock);
    NODE *dir = 0, *n = 0;
    PSECURITY_DESCRIPTOR inherited = 0;
    NTSTATUS status = lookup(m, dirname, &dir, 0);
    if (NT_SUCCESS(status) && !(dir->info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        status = STATUS_NOT_A_DIRECTORY;
    if (NT_SUCCESS(status) && xr(dir)->main)
        status = STATUS_NOT_A_DIRECTORY; /* a stream */
    size_t sd_size = sd ? FspGetSecurityDescriptorLength(sd) : 0;
    if (NT_SUCCESS(status) && sd && (0 == sd_size || !FspIsValidSecurityDescriptor(sd, sd_size)))
        status = STATUS_INVALID_SECURITY_DESCR;
    if (NT_SUCCESS(status) && !sd) {
        status = FspCreateSecurityDescriptor(fs, FspFileSystemGetOperationContext()->Request,
                                             dir->sd, &inherited);
        sd = inherited;
        sd_size = NT_SUCCESS(status) ? FspGetSecurityDescriptorLength(sd) : 0;
    }
    if (NT_SUCCESS(status)) {
        attrs &= ~(UINT32)(FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_DIRECTORY |
                           FILE_ATTRIBUTE_REPARSE_POINT);
        n = node_new(m, attrs, sd, sd_size);
        if (!n)
            status = STATUS_DISK_FULL;
    }
    FspDeleteSecurityDescriptor(inherited, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    if (NT_SUCCESS(status)) {
        /* No name and no directory entry: it lives by its opens until CreateHardLink names it. */
        n->linkable = true;
        orphan_add(m, n); /* MemfsDelete frees it should its Close never come */
        ref_open(n);
        *pctx = n;
        get_info(n, info, nsec_of(info));
    }
    pthread_rwlock_unlock(&m->tree_lock);
    return status;
}

static VOID DispatcherStopped(FSP_FILE_SYSTEM *fs, BOOLEAN normally)
{
    FspFileSystemStopServiceIfNecessary(fs, normally);
}

static FSP_FILE_SYSTEM_INTERFACE memfs_interface = {
    .GetVolumeInfo = GetVolumeInfo,
    .SetVolumeLabel = SetVolumeLabel,
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
    .CanDelete = CanDelete,
    .Rename = Rename,
    .GetSecurity = GetSecurity,
    .SetSecurity = SetSecurity,
    .ReadDirectory = ReadDirectory,
    .ResolveReparsePoints = ResolveReparsePoints,
    .GetReparsePoint = GetReparsePoint,
    .SetReparsePoint = SetReparsePoint,
    .DeleteReparsePoint = DeleteReparsePoint,
    .GetStreamInfo = GetStreamInfo,
    .GetDirInfoByName = GetDirInfoByName,
    .Control = Control,
    .SetDelete = SetDelete,
    .CreateEx = CreateEx,
    .OverwriteEx = OverwriteEx,
    .GetEa = GetEa,
    .SetEa = SetEa,
    .DispatcherStopped = DispatcherStopped,
    .CreateHardLink = CreateHardLink,
    .Fallocate = Fallocate,
    .RenameExchange = RenameExchange,
    .CreateUnnamed = CreateUnnamed,
};

/* ---- lifecycle ---- */

static void free_tree(MEMFS *m, struct dent *t)
{
    if (!t)
        return;
    free_tree(m, t->l);
    free_tree(m, t->r);
    NODE *n = t->node;
    if (n->is_dir)
        free_tree(m, n->children);
    if (0 == --n->nlinks)
        node_free(m, n);
    free(t);
}

NTSTATUS MemfsCreateFunnel(ULONG Flags, ULONG FileInfoTimeout, ULONG MaxFileNodes, UINT64 MaxFileSize,
                           ULONG SlowioMaxDelay, ULONG SlowioPercentDelay, ULONG SlowioRarefyDelay,
                           PWSTR FileSystemName, PWSTR VolumePrefix, PWSTR RootSddl, MEMFS **PMemfs)
{
    *PMemfs = 0;
    if (0 == MaxFileNodes || SlowioPercentDelay > 100 || SlowioRarefyDelay > 100)
        return STATUS_INVALID_PARAMETER;
    MEMFS *m = calloc(1, sizeof *m);
    if (m && !(m->sd_buckets = calloc(SD_BUCKETS, sizeof *m->sd_buckets))) {
        free(m);
        m = 0;
    }
    if (!m)
        return STATUS_INSUFFICIENT_RESOURCES;
    m->case_insensitive = Flags & MemfsCaseInsensitive;
    m->max_nodes = MaxFileNodes;
    m->max_size = MaxFileSize;
    m->slow_max_delay = SlowioMaxDelay;
    m->slow_percent = SlowioPercentDelay;
    m->slow_rarefy = SlowioRarefyDelay;
    m->rand_state = (unsigned)time(0) ^ (unsigned)getpid();
    m->slow_rand_state = m->rand_state * 2654435761u;
    pthread_rwlock_init(&m->tree_lock, 0);
    pthread_mutex_init(&m->alloc_lock, 0);
    pthread_mutex_init(&m->sd_lock, 0);
    pthread_mutex_init(&m->slow_lock, 0);
    pthread_cond_init(&m->slow_cond, 0);

    PSECURITY_DESCRIPTOR root_sd = 0;
    ULONG root_sd_size = 0;
    NTSTATUS status;
    bool from_sddl = RootSddl && RootSddl[0];
    if (from_sddl)
        status = FspSddlToSecurityDescriptor(RootSddl, &root_sd, &root_sd_size);
    else {
        status = FspPosixMapPermissionsToSecurityDescriptor((UINT32)geteuid(), (UINT32)getegid(), 0755,
                                                            &root_sd);
        root_sd_size = NT_SUCCESS(status) ? FspGetSecurityDescriptorLength(root_sd) : 0;
    }
    if (NT_SUCCESS(status)) {
        m->root = node_new(m, FILE_ATTRIBUTE_DIRECTORY, root_sd, root_sd_size);
        if (!m->root)
            status = STATUS_INSUFFICIENT_RESOURCES;
    }
    free(root_sd);
    if (!NT_SUCCESS(status)) {
        MemfsDelete(m);
        return status;
    }
    m->root->nlinks = 1;

    FSP_FSCTL_VOLUME_PARAMS vp;
    memset(&vp, 0, sizeof vp);
    vp.Version = sizeof vp;
    vp.SectorSize = 512;
    vp.SectorsPerAllocationUnit = 8; /* 4 KiB, memfs's page size */
    vp.MaxComponentLength = 255;
    vp.VolumeCreationTime = m->root->info.CreationTime;
    vp.VolumeSerialNumber = (UINT32)(m->root->info.CreationTime / (10000 * 1000));
    vp.FileInfoTimeout = FileInfoTimeout;
    vp.CaseSensitiveSearch = !m->case_insensitive;
    vp.CasePreservedNames = 1;
    vp.UnicodeOnDisk = 1;
    vp.PersistentAcls = 1;
    vp.ReparsePoints = 1;
    vp.ReparsePointsAccessCheck = 0;
    vp.NamedStreams = 1;
    vp.HardLinks = 1;
    vp.ExtendedAttributes = 1;
    vp.NanosecondTimes = 1;      /* LinFsp extensions: exact times, empty xattr values, */
    vp.EmptyEaValues = 1;        /* tmpfs's xattr namespaces */
    vp.LinuxXattrNamespaces = 1;
    vp.PostCleanupWhenModifiedOnly = 1;
    vp.PassQueryDirectoryFileName = 1;
    vp.FlushAndPurgeOnCleanup = (Flags & MemfsFlushAndPurgeOnCleanup) ? 1 : 0;
    vp.WritebackCache = (Flags & MemfsWritebackCache) ? 1 : 0;
    vp.DeviceControl = 1;
    vp.CasePreservedExtendedAttributes = 1;
    vp.CaseSensitiveExtendedAttributes = 1; /* LinFsp: EA names are Linux xattr names */
    vp.SupportsPosixUnlinkRename = (Flags & MemfsLegacyUnlinkRename) ? 0 : 1;
    if (VolumePrefix)
        wcsncpy(vp.Prefix, VolumePrefix, ARRAYSIZE(vp.Prefix) - 1);
    wcsncpy(vp.FileSystemName, FileSystemName && FileSystemName[0] ? FileSystemName : L"memfs",
            ARRAYSIZE(vp.FileSystemName) - 1);

    status = FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &memfs_interface, &m->fs);
    if (!NT_SUCCESS(status)) {
        MemfsDelete(m);
        return status;
    }
    m->fs->UserContext = m;
    *PMemfs = m;
    return STATUS_SUCCESS;
}

VOID MemfsDelete(MEMFS *m)
{
    if (!m)
        return;
    /* Slow operations still running complete into the engine first. */
    pthread_mutex_lock(&m->slow_lock);
    while (m->slow_pending)
        pthread_cond_wait(&m->slow_cond, &m->slow_lock);
    pthread_mutex_unlock(&m->slow_lock);
    if (m->fs)
        FspFileSystemDelete(m->fs);
    if (m->root) {
        free_tree(m, m->root->children);
        node_free(m, m->root);
    }
    while (m->orphans) /* still open when the file system went (no Close came) */
        node_free(m, m->orphans);
    pthread_rwlock_destroy(&m->tree_lock);
    pthread_mutex_destroy(&m->alloc_lock);
    pthread_mutex_destroy(&m->sd_lock);
    free(m->sd_buckets);
    pthread_mutex_destroy(&m->slow_lock);
    pthread_cond_destroy(&m->slow_cond);
    free(m);
}

NTSTATUS MemfsStartEx(MEMFS *m, ULONG ThreadCount)
{
    return FspFileSystemStartDispatcher(m->fs, ThreadCount);
}

NTSTATUS MemfsStart(MEMFS *m)
{
    return MemfsStartEx(m, 0);
}

VOID MemfsStop(MEMFS *m)
{
    FspFileSystemStopDispatcher(m->fs);
}

FSP_FILE_SYSTEM *MemfsFileSystem(MEMFS *m)
{
    return m->fs;
}
