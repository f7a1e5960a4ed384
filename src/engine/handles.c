/*
 * src/engine/handles.c - the handle table: the fh values the kernel passes
 * back in READ, WRITE, RELEASE, ... and the per-open state behind them.
 *
 * fh = generation << 32 | slot; a stale or forged fh finds nothing.
 *
 * Lifetime. A handle is counted: one reference while it is in the table
 * (published), one for each request using it (fsp_handle_get records it in
 * the request, and the request drops it when it ends), one for each pending
 * operation started through it (kept until the file system's response). RELEASE
 * takes the handle out of the table; whoever drops the last reference closes it
 * (Cleanup, Close, free): the RELEASE itself in the normal case, otherwise the
 * request that was still using it. A pending operation's completion runs on the
 * file system's thread, which must not be called back into (it may hold its own
 * locks, or the operation guard): a handle whose last reference goes there is
 * queued, and a worker closes it before its next request (or the dispatcher at
 * stop). No file system callback ever runs under the table's lock.
 */
#include "core.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fsp_handles_init(struct fsp_engine *eng)
{
    pthread_mutex_init(&eng->handles_lock, 0);
    return 0;
}

/* Free a handle's memory (no file system call). */
static void handle_destroy(struct fsp_handle *h)
{
    if (h->dir_free && h->dir_buffer)
        h->dir_free(h->dir_buffer);
    pthread_mutex_destroy(&h->lock);
    free(h->path);
    free(h);
}

/*
 * Handles kept for reuse by the thread that freed them (with their path buffers): an OPEN after
 * a RELEASE allocates nothing. At most SPARE_HANDLES per thread; freed when the thread ends.
 */
#define SPARE_HANDLES 16
static __thread struct fsp_handle *tls_spare;
static __thread unsigned tls_nspare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_key_made;

static void spare_free(void *arg)
{
    (void)arg;
    while (tls_spare) {
        struct fsp_handle *h = tls_spare;
        tls_spare = h->next_closing;
        handle_destroy(h);
    }
    tls_nspare = 0;
}

static void spare_key_make(void)
{
    spare_key_made = 0 == pthread_key_create(&spare_key, spare_free);
}

/* Keep h for reuse, or free it. */
static void handle_recycle(struct fsp_handle *h)
{
    if (h->dir_free && h->dir_buffer)
        h->dir_free(h->dir_buffer);
    h->dir_free = 0, h->dir_buffer = 0;
    if (tls_nspare >= SPARE_HANDLES)
        return handle_destroy(h);
    if (!tls_spare) {
        pthread_once(&spare_once, spare_key_make);
        if (!spare_key_made || 0 != pthread_setspecific(spare_key, &tls_spare))
            return handle_destroy(h);
    }
    h->next_closing = tls_spare;
    tls_spare = h;
    tls_nspare++;
}

/* A handle with room for path (NULL: none), zeroed but for its path buffer and lock. */
static struct fsp_handle *handle_alloc(PCWSTR path)
{
    size_t need = path ? wcslen(path) + 1 : 0;
    struct fsp_handle *h = tls_spare;
    if (h) {
        tls_spare = h->next_closing;
        tls_nspare--;
        PWSTR buf = h->path;
        size_t cap = h->path_cap;
        pthread_mutex_t lock = h->lock; /* initialized and unlocked */
        memset(h, 0, sizeof *h);
        h->path = buf, h->path_cap = cap;
        h->lock = lock;
    } else {
        h = calloc(1, sizeof *h);
        if (!h)
            return 0;
        pthread_mutex_init(&h->lock, 0);
    }
    if (need > h->path_cap) {
        size_t cap = need < 128 ? 128 : need;
        PWSTR p = realloc(h->path, cap * sizeof(WCHAR));
        if (!p) {
            handle_destroy(h);
            return 0;
        }
        h->path = p, h->path_cap = cap;
    }
    if (path)
        memcpy(h->path, path, need * sizeof(WCHAR));
    else {
        free(h->path); /* no path: NULL, as asked */
        h->path = 0, h->path_cap = 0;
    }
    return h;
}

void fsp_handles_fini(struct fsp_engine *eng)
{
    /* The kernel is gone without RELEASE: the contexts die with the file system. */
    for (size_t i = 0; i < eng->nhandles_cap; i++)
        if (eng->handles[i])
            handle_destroy(eng->handles[i]);
    for (struct fsp_handle *h = eng->closing, *next; h; h = next) {
        next = h->next_closing;
        handle_destroy(h);
    }
    eng->closing = 0;
    free(eng->handles);
    free(eng->handle_gen);
    free(eng->free_slots);
    pthread_mutex_destroy(&eng->handles_lock);
}

static int grow(struct fsp_engine *eng)
{
    size_t cap = eng->nhandles_cap ? eng->nhandles_cap * 2 : 256;
    struct fsp_handle **h = realloc(eng->handles, cap * sizeof *h);
    if (!h)
        return ENOMEM;
    eng->handles = h;
    uint32_t *g = realloc(eng->handle_gen, cap * sizeof *g);
    if (!g)
        return ENOMEM;
    eng->handle_gen = g;
    uint32_t *f = realloc(eng->free_slots, cap * sizeof *f);
    if (!f)
        return ENOMEM;
    eng->free_slots = f;
    for (size_t i = eng->nhandles_cap; i < cap; i++) {
        eng->handles[i] = 0;
        eng->handle_gen[i] = 1;
    }
    /* push new slots so the lowest is taken first */
    for (size_t i = cap; i > eng->nhandles_cap; i--)
        eng->free_slots[eng->nfree++] = (uint32_t)(i - 1);
    eng->nhandles_cap = cap;
    return 0;
}

/* The request's reference: one handle per request. */
static void attach(struct fsp_request *req, struct fsp_handle *h)
{
    if (req->handle) /* not done by the ops; a second handle would keep the first counted */
        fsp_handle_put(req->engine, req->handle, true);
    req->handle = h;
}

struct fsp_handle *fsp_handle_new(struct fsp_request *req, uint64_t nodeid, PVOID file_context,
                                  PWSTR path, int open_flags, bool is_dir)
{
    struct fsp_engine *eng = req->engine;
    struct fsp_handle *h = handle_alloc(path);
    if (!h)
        return 0;
    h->nodeid = nodeid;
    h->file_context = file_context;
    h->open_flags = open_flags;
    h->is_dir = is_dir;
    h->closer = *req->in; /* until RELEASE: an open undone closes for the opening request */
    pthread_mutex_lock(&eng->handles_lock);
    if (0 == eng->nfree && (eng->nhandles_cap >= 0xffffffffu || 0 != grow(eng))) {
        pthread_mutex_unlock(&eng->handles_lock);
        handle_recycle(h);
        return 0;
    }
    uint32_t slot = eng->free_slots[--eng->nfree];
    eng->handles[slot] = h;
    h->fh = (uint64_t)eng->handle_gen[slot] << 32 | slot;
    h->published = true;
    h->refs = 2; /* the table's and the request's */
    pthread_mutex_unlock(&eng->handles_lock);
    attach(req, h);
    return h;
}

struct fsp_handle *fsp_handle_get(struct fsp_request *req, uint64_t fh)
{
    struct fsp_engine *eng = req->engine;
    uint32_t slot = (uint32_t)fh, gen = (uint32_t)(fh >> 32);
    pthread_mutex_lock(&eng->handles_lock);
    struct fsp_handle *h = 0;
    if (slot < eng->nhandles_cap && eng->handle_gen[slot] == gen)
        h = eng->handles[slot];
    if (h)
        h->refs++;
    pthread_mutex_unlock(&eng->handles_lock);
    if (h)
        attach(req, h);
    return h;
}

void fsp_handle_unpublish(struct fsp_engine *eng, struct fsp_handle *h)
{
    uint32_t slot = (uint32_t)h->fh;
    pthread_mutex_lock(&eng->handles_lock);
    if (h->published && slot < eng->nhandles_cap && eng->handles[slot] == h) {
        eng->handles[slot] = 0;
        eng->handle_gen[slot]++;
        if (0 == eng->handle_gen[slot])
            eng->handle_gen[slot] = 1;
        eng->free_slots[eng->nfree++] = slot;
        h->published = false;
        h->refs--; /* the table's; the caller holds one more */
    }
    pthread_mutex_unlock(&eng->handles_lock);
}

void fsp_handle_put(struct fsp_engine *eng, struct fsp_handle *h, bool may_close_now)
{
    pthread_mutex_lock(&eng->handles_lock);
    bool last = 0 == --h->refs;
    if (last && !may_close_now) {
        h->next_closing = eng->closing;
        __atomic_store_n(&eng->closing, h, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&eng->handles_lock);
    if (last && may_close_now)
        fsp_ops_close_handle(eng, h);
}

void fsp_handles_close_queued(struct fsp_engine *eng)
{
    if (!__atomic_load_n(&eng->closing, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&eng->handles_lock);
    struct fsp_handle *list = eng->closing;
    __atomic_store_n(&eng->closing, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&eng->handles_lock);
    while (list) {
        struct fsp_handle *next = list->next_closing;
        fsp_ops_close_handle(eng, list);
        list = next;
    }
}

void fsp_handle_free(struct fsp_handle *h)
{
    handle_recycle(h);
}

int fsp_handle_with_node(struct fsp_request *req, uint64_t nodeid,
                         int (*fn)(struct fsp_handle *h, void *arg), void *arg)
{
    struct fsp_engine *eng = req->engine;
    struct fsp_handle *h = 0;
    pthread_mutex_lock(&eng->handles_lock);
    for (size_t i = 0; i < eng->nhandles_cap; i++)
        if (eng->handles[i] && eng->handles[i]->nodeid == nodeid) {
            h = eng->handles[i];
            h->refs++;
            break;
        }
    pthread_mutex_unlock(&eng->handles_lock);
    if (!h)
        return ENOENT;
    int r = fn(h, arg); /* outside the lock: the reference keeps h and its context */
    fsp_handle_put(eng, h, true);
    return r;
}
