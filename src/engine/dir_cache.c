/*
 * src/engine/dir_cache.c - complete directory listings kept between opens.
 *
 * Listing a directory costs a ReadDirectory per batch and a conversion of
 * every name. A directory listed again (each `ls`, each opendir of a build)
 * that did not change since can be answered from the last complete listing:
 * it is kept here, tagged with the directory's attribute change count
 * (attr_cache.c: every create, unlink, rename, link... in it raises the
 * count, so does FspFileSystemNotify) and served while the names' timeout
 * allows (DirInfoTimeout when valid, else FileInfoTimeout; nothing is kept
 * with FileInfoTimeout 0). The contents are ops_dir.c's (an
 * opaque block); a few directories are kept, the least recently stored go.
 * Only plain READDIR uses it: READDIRPLUS carries attributes, which are read
 * afresh.
 */
#include "core.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FSP_DIR_CACHE_SLOTS 4

struct dir_blob {
    unsigned refs; /* under the cache's lock */
    size_t size;
    char data[];
};

struct fsp_dir_cache {
    pthread_mutex_t lock;
    struct {
        uint64_t nodeid;
        uint32_t gen, stamp;
        uint64_t age; /* store order, for replacing the oldest */
        struct dir_blob *blob;
    } slot[FSP_DIR_CACHE_SLOTS];
    uint64_t clock;
};

/* A listing is served under the same timeout as the names in it (the kernel's entry timeout):
 * DirInfoTimeout when the file system gives one (DirInfoTimeoutValid), else FileInfoTimeout. */
static bool fresh(struct fsp_engine *eng, uint32_t stamp)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &eng->fs->VolumeParams;
    UINT32 timeout = vp->DirInfoTimeoutValid ? vp->DirInfoTimeout : vp->FileInfoTimeout;
    if (INFINITE == timeout)
        return true;
    uint32_t age = fsp_attr_ticks() - stamp;
    return 0 != timeout && ((uint64_t)age + 1) * 16 <= timeout;
}

static struct fsp_dir_cache *cache_of(struct fsp_engine *eng, bool make)
{
    struct fsp_dir_cache *c = __atomic_load_n(&eng->dir_cache, __ATOMIC_ACQUIRE);
    if (c || !make)
        return c;
    pthread_mutex_lock(&eng->info_cache_lock);
    c = eng->dir_cache;
    if (!c && (c = calloc(1, sizeof *c))) {
        pthread_mutex_init(&c->lock, 0);
        __atomic_store_n(&eng->dir_cache, c, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&eng->info_cache_lock);
    return c;
}

static void blob_unref(struct dir_blob *b)
{
    if (b && 0 == --b->refs)
        free(b);
}

void *fsp_dir_cache_new(size_t size)
{
    struct dir_blob *b = malloc(sizeof *b + size);
    if (!b)
        return 0;
    b->refs = 1;
    b->size = size;
    return b->data;
}

void fsp_dir_cache_put(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen, void *data)
{
    struct dir_blob *b = (struct dir_blob *)((char *)data - offsetof(struct dir_blob, data));
    struct fsp_dir_cache *c = FSP_ATTR_GEN_NONE == gen ? 0 : cache_of(eng, true);
    if (!c) {
        free(b);
        return;
    }
    pthread_mutex_lock(&c->lock);
    /* The directory's older listing, else a free slot, else the one stored first. */
    unsigned use = FSP_DIR_CACHE_SLOTS;
    for (unsigned i = 0; i < FSP_DIR_CACHE_SLOTS && FSP_DIR_CACHE_SLOTS == use; i++)
        if (c->slot[i].blob && c->slot[i].nodeid == nodeid)
            use = i;
    for (unsigned i = 0; i < FSP_DIR_CACHE_SLOTS && FSP_DIR_CACHE_SLOTS == use; i++)
        if (!c->slot[i].blob)
            use = i;
    if (FSP_DIR_CACHE_SLOTS == use) {
        use = 0;
        for (unsigned i = 1; i < FSP_DIR_CACHE_SLOTS; i++)
            if (c->slot[i].age < c->slot[use].age)
                use = i;
    }
    blob_unref(c->slot[use].blob);
    c->slot[use].nodeid = nodeid;
    c->slot[use].gen = gen;
    c->slot[use].stamp = fsp_attr_ticks();
    c->slot[use].age = ++c->clock;
    c->slot[use].blob = b;
    pthread_mutex_unlock(&c->lock);
}

void *fsp_dir_cache_get(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen)
{
    struct fsp_dir_cache *c = FSP_ATTR_GEN_NONE == gen ? 0 : cache_of(eng, false);
    if (!c)
        return 0;
    void *data = 0;
    pthread_mutex_lock(&c->lock);
    for (unsigned i = 0; i < FSP_DIR_CACHE_SLOTS; i++)
        if (c->slot[i].blob && c->slot[i].nodeid == nodeid) {
            if (c->slot[i].gen == gen && fresh(eng, c->slot[i].stamp)) {
                c->slot[i].blob->refs++;
                data = c->slot[i].blob->data;
            }
            break;
        }
    pthread_mutex_unlock(&c->lock);
    return data;
}

void fsp_dir_cache_release(struct fsp_engine *eng, void *data)
{
    struct fsp_dir_cache *c = cache_of(eng, false);
    if (!data || !c)
        return;
    pthread_mutex_lock(&c->lock);
    blob_unref((struct dir_blob *)((char *)data - offsetof(struct dir_blob, data)));
    pthread_mutex_unlock(&c->lock);
}

void fsp_dir_cache_fini(struct fsp_engine *eng)
{
    struct fsp_dir_cache *c = eng->dir_cache;
    if (!c)
        return;
    for (unsigned i = 0; i < FSP_DIR_CACHE_SLOTS; i++)
        blob_unref(c->slot[i].blob);
    pthread_mutex_destroy(&c->lock);
    free(c);
    eng->dir_cache = 0;
}
