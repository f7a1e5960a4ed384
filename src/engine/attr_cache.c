/*
 * src/engine/attr_cache.c - what attribute replies need, cached while
 * FileInfoTimeout allows.
 *
 * Answering GETATTR from the file system takes an Open, GetSecurity, the
 * mapping of the security descriptor to owner, group and mode, and a Close.
 * Two caches spare most of that:
 *
 * - per node (nodes.c): the owner, group and mode the security descriptor
 *   maps to, valid while the node's change count (attr_gen) is unchanged;
 * - here: the FILE_INFO of recently seen nodes, with the nanoseconds of its
 *   times below 100 ns (Nsec, kept with NanosecondTimes), in a fixed table indexed by
 *   nodeid (FSP_INFO_SLOTS entries, so memory does not grow with the number
 *   of files), each entry tagged with the change count it was read under.
 *
 * Both honour FileInfoTimeout as the kernel does: 0 caches nothing; a number
 * of milliseconds lets an entry be served for that long (counted from when it
 * was read, in 16 ms ticks, rounded towards serving less); INFINITE until a
 * change; an answer built from cached data carries a shorter attribute timeout
 * (FileInfoTimeout less its age), so that the kernel's cache and this one
 * together never serve it longer than FileInfoTimeout. Changes made through the mount invalidate (fsp_attr_invalidate:
 * the change count goes up), so do FspFileSystemNotify and the end of a
 * pending operation; changes behind the mount's back show after the timeout,
 * as in the kernel's own cache. A file system that uses kernel passthrough
 * gets no FILE_INFO from here (the kernel writes its backing files without
 * telling the engine).
 */
#include "core.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FSP_INFO_SLOTS 4096 /* FILE_INFO entries; a power of two */
#define FSP_INFO_LOCKS 64   /* lock stripes */
#define TICK_MS 16

struct info_slot {
    uint64_t nodeid; /* 0: empty (nodeids start at 1 and are never reused) */
    uint32_t gen;
    uint32_t stamp;
    FSP_FSCTL_FILE_INFO info;
    FSP_FSCTL_FILE_NSEC nsec; /* the times' nanoseconds below 100 ns (NanosecondTimes) */
};

struct fsp_info_cache {
    pthread_mutex_t locks[FSP_INFO_LOCKS];
    struct info_slot slots[FSP_INFO_SLOTS];
};

uint32_t fsp_attr_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint32_t)(((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) / TICK_MS);
}

bool fsp_attr_fresh(struct fsp_engine *eng, uint32_t stamp)
{
    UINT32 timeout = eng->fs->VolumeParams.FileInfoTimeout;
    if (INFINITE == timeout)
        return true;
    if (0 == timeout)
        return false;
    /* The entry may be up to one tick older than its stamp says. */
    uint32_t age = fsp_attr_ticks() - stamp;
    return ((uint64_t)age + 1) * TICK_MS <= timeout;
}

uint32_t fsp_attr_age_ms(struct fsp_engine *eng, uint32_t stamp)
{
    if (INFINITE == eng->fs->VolumeParams.FileInfoTimeout)
        return 0;
    uint64_t age = ((uint64_t)(fsp_attr_ticks() - stamp) + 1) * TICK_MS;
    return age > UINT32_MAX ? UINT32_MAX : (uint32_t)age;
}

static bool caching(struct fsp_engine *eng)
{
    return 0 != eng->fs->VolumeParams.FileInfoTimeout;
}

bool fsp_attr_cacheable(const FSP_FSCTL_FILE_INFO *info)
{
    if (info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
        return false;
    return (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) || info->HardLinks <= 1 ||
           0 != info->IndexNumber;
}

static uint64_t slot_of(uint64_t nodeid)
{
    uint64_t h = nodeid * 0x9e3779b97f4a7c15ULL;
    return (h >> 32) & (FSP_INFO_SLOTS - 1);
}

static struct fsp_info_cache *info_cache(struct fsp_engine *eng, bool make)
{
    struct fsp_info_cache *c = __atomic_load_n(&eng->info_cache, __ATOMIC_ACQUIRE);
    if (c || !make)
        return c;
    pthread_mutex_lock(&eng->info_cache_lock);
    c = eng->info_cache;
    if (!c && (c = calloc(1, sizeof *c))) {
        for (unsigned i = 0; i < FSP_INFO_LOCKS; i++)
            pthread_mutex_init(&c->locks[i], 0);
        __atomic_store_n(&eng->info_cache, c, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&eng->info_cache_lock);
    return c;
}

void fsp_attr_cache_fini(struct fsp_engine *eng)
{
    struct fsp_info_cache *c = eng->info_cache;
    if (c) {
        for (unsigned i = 0; i < FSP_INFO_LOCKS; i++)
            pthread_mutex_destroy(&c->locks[i]);
        free(c);
    }
    eng->info_cache = 0;
}

void fsp_attr_cache_get(struct fsp_engine *eng, uint64_t nodeid, struct fsp_attr_cached *c)
{
    c->has_owner = c->has_info = false;
    c->gen = FSP_ATTR_GEN_NONE;
    if (!caching(eng))
        return;
    c->owner_age_ms = c->info_age_ms = 0;
    c->has_owner = fsp_node_owner_get(eng, nodeid, &c->gen, c->owner, &c->owner_age_ms);
    struct fsp_info_cache *ic = eng->passthrough ? 0 : info_cache(eng, false);
    if (!ic || FSP_ATTR_GEN_NONE == c->gen)
        return;
    uint64_t i = slot_of(nodeid);
    pthread_mutex_t *lock = &ic->locks[i % FSP_INFO_LOCKS];
    pthread_mutex_lock(lock);
    struct info_slot *s = &ic->slots[i];
    if (s->nodeid == nodeid && s->gen == c->gen && fsp_attr_fresh(eng, s->stamp)) {
        memset(&c->info, 0, sizeof c->info);
        c->info.FileInfo = s->info;
        c->info.Nsec = s->nsec;
        c->info_age_ms = fsp_attr_age_ms(eng, s->stamp);
        c->has_info = true;
    }
    pthread_mutex_unlock(lock);
}

void fsp_attr_cache_put(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen,
                        const FSP_FSCTL_OPEN_FILE_INFO *info, const uint32_t owner[3])
{
    if (!caching(eng) || FSP_ATTR_GEN_NONE == gen || (info && !fsp_attr_cacheable(&info->FileInfo)))
        return;
    if (owner)
        fsp_node_owner_put(eng, nodeid, gen, owner);
    struct fsp_info_cache *ic = info && !eng->passthrough ? info_cache(eng, true) : 0;
    if (!ic)
        return;
    uint64_t i = slot_of(nodeid);
    pthread_mutex_t *lock = &ic->locks[i % FSP_INFO_LOCKS];
    pthread_mutex_lock(lock);
    struct info_slot *s = &ic->slots[i];
    s->nodeid = nodeid;
    s->gen = gen; /* a change since gen makes the node's count differ: never served */
    s->stamp = fsp_attr_ticks();
    s->info = info->FileInfo;
    s->nsec = eng->fs->VolumeParams.NanosecondTimes ? info->Nsec : (FSP_FSCTL_FILE_NSEC){0};
    pthread_mutex_unlock(lock);
}

void fsp_attr_changed_to(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen,
                         const FSP_FSCTL_OPEN_FILE_INFO *info)
{
    uint32_t now = fsp_node_attr_changed_from(eng, nodeid, gen);
    if (FSP_ATTR_GEN_NONE != now)
        fsp_attr_cache_put(eng, nodeid, now, info, 0);
}

void fsp_attr_drop_info(struct fsp_engine *eng, uint64_t nodeid)
{
    struct fsp_info_cache *ic = info_cache(eng, false);
    if (!ic)
        return;
    uint64_t i = slot_of(nodeid);
    pthread_mutex_t *lock = &ic->locks[i % FSP_INFO_LOCKS];
    pthread_mutex_lock(lock);
    if (ic->slots[i].nodeid == nodeid)
        ic->slots[i].nodeid = 0;
    pthread_mutex_unlock(lock);
}
