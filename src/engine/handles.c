/*
 * src/engine/handles.c - the handle table: the fh values the kernel passes
 * back in READ, WRITE, RELEASE, ... and the per-open state behind them.
 *
 * fh = generation << 32 | slot; a stale or forged fh finds nothing.
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

void fsp_handles_fini(struct fsp_engine *eng)
{
    for (size_t i = 0; i < eng->nhandles_cap; i++) {
        struct fsp_handle *h = eng->handles[i];
        if (h) {
            /* The kernel is gone without RELEASE: the contexts die with the file system. */
            if (h->dir_free && h->dir_buffer)
                h->dir_free(h->dir_buffer);
            pthread_mutex_destroy(&h->lock);
            free(h->path);
            free(h);
        }
    }
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

struct fsp_handle *fsp_handle_new(struct fsp_engine *eng, uint64_t nodeid, PVOID file_context,
                                  PWSTR path, int open_flags, bool is_dir)
{
    struct fsp_handle *h = calloc(1, sizeof *h);
    PWSTR copy = path ? wcsdup(path) : 0;
    if (!h || (path && !copy)) {
        free(h), free(copy);
        return 0;
    }
    h->nodeid = nodeid;
    h->file_context = file_context;
    h->path = copy;
    h->open_flags = open_flags;
    h->is_dir = is_dir;
    pthread_mutex_init(&h->lock, 0);
    pthread_mutex_lock(&eng->handles_lock);
    if (0 == eng->nfree && (eng->nhandles_cap >= 0xffffffffu || 0 != grow(eng))) {
        pthread_mutex_unlock(&eng->handles_lock);
        pthread_mutex_destroy(&h->lock);
        free(copy), free(h);
        return 0;
    }
    uint32_t slot = eng->free_slots[--eng->nfree];
    eng->handles[slot] = h;
    h->fh = (uint64_t)eng->handle_gen[slot] << 32 | slot;
    pthread_mutex_unlock(&eng->handles_lock);
    return h;
}

struct fsp_handle *fsp_handle_get(struct fsp_engine *eng, uint64_t fh)
{
    uint32_t slot = (uint32_t)fh, gen = (uint32_t)(fh >> 32);
    pthread_mutex_lock(&eng->handles_lock);
    struct fsp_handle *h = 0;
    if (slot < eng->nhandles_cap && eng->handle_gen[slot] == gen)
        h = eng->handles[slot];
    pthread_mutex_unlock(&eng->handles_lock);
    return h;
}

void fsp_handle_unpublish(struct fsp_engine *eng, struct fsp_handle *h)
{
    uint32_t slot = (uint32_t)h->fh;
    pthread_mutex_lock(&eng->handles_lock);
    if (slot < eng->nhandles_cap && eng->handles[slot] == h) {
        eng->handles[slot] = 0;
        eng->handle_gen[slot]++;
        if (0 == eng->handle_gen[slot])
            eng->handle_gen[slot] = 1;
        eng->free_slots[eng->nfree++] = slot;
    }
    pthread_mutex_unlock(&eng->handles_lock);
}

void fsp_handle_free(struct fsp_handle *h)
{
    if (h->dir_free && h->dir_buffer)
        h->dir_free(h->dir_buffer);
    pthread_mutex_destroy(&h->lock);
    free(h->path);
    free(h);
}

int fsp_handle_with_node(struct fsp_engine *eng, uint64_t nodeid,
                         int (*fn)(struct fsp_handle *h, void *arg), void *arg)
{
    int r = ENOENT;
    pthread_mutex_lock(&eng->handles_lock);
    for (size_t i = 0; i < eng->nhandles_cap; i++)
        if (eng->handles[i] && eng->handles[i]->nodeid == nodeid) {
            r = fn(eng->handles[i], arg);
            break;
        }
    pthread_mutex_unlock(&eng->handles_lock);
    return r;
}
