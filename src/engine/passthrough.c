/*
 * src/engine/passthrough.c - kernel passthrough to backing files (FUSE 7.40, Linux 6.9+).
 *
 * A file system that sets VolumeParams.PassthroughBackingFiles may hand the engine an open
 * descriptor of a regular file inside its Create/Open/Overwrite callbacks
 * (FspFileSystemSetOpenBackingFile). The engine registers it with the kernel
 * (FUSE_DEV_IOC_BACKING_OPEN on /dev/fuse -> backing id) and answers the OPEN/CREATE with
 * FOPEN_PASSTHROUGH and that id: from then on the kernel reads, writes and maps the file
 * through the backing file itself, and no READ/WRITE reaches the file system for it.
 *
 * The kernel's rules shape the bookkeeping here (one record per node that is open):
 * - all opens of one inode must use the same backing id, and an inode cannot be open in
 *   passthrough and in cached mode at once (a conflicting open fails with EIO). So the
 *   first passthrough open of a node registers the file system's descriptor; later opens
 *   of the node reuse its id (with or without a descriptor of their own); an open that
 *   comes with a descriptor while the node is open in cached mode stays cached.
 * - the backing id is closed (FUSE_DEV_IOC_BACKING_CLOSE) when the node's last passthrough
 *   open is released; the kernel keeps its own reference to the file meanwhile, so the
 *   file system's descriptor is never kept or closed by the engine.
 * - the kernel refuses backing files without CAP_SYS_ADMIN, on file systems stacked
 *   max_stack_depth deep or more, without read_iter/write_iter (O_PATH, directories):
 *   the engine then falls back to the normal path for that open and logs it once.
 */
#include "core.h"
#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Backing files must be on a file system that is not stacked (ext4, xfs, tmpfs, ...);
 * the FUSE mount itself may be stacked under overlayfs. */
#define FSP_PASSTHROUGH_STACK_DEPTH 1

struct pt_node {
    uint64_t nodeid;
    int32_t backing_id;     /* > 0 while npassthrough > 0 */
    uint32_t npassthrough;  /* opens in passthrough mode */
    uint32_t ncached;       /* opens in the normal (page cache) mode */
    struct pt_node *next;
};

struct fsp_passthrough {
    pthread_mutex_t lock;
    struct pt_node **buckets;
    size_t nbuckets, count;
    bool warned;            /* a refused backing file was logged */
};

static struct fsp_passthrough *pt_of(struct fsp_engine *eng)
{
    return __atomic_load_n(&eng->passthrough, __ATOMIC_ACQUIRE);
}

static bool have_cap_sys_admin(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    if (0 != syscall(SYS_capget, &hdr, data))
        return false;
    return 0 != (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN));
}

uint64_t fsp_passthrough_negotiate(struct fsp_engine *eng, uint64_t offered, uint64_t flags)
{
    if (!eng->fs->VolumeParams.PassthroughBackingFiles)
        return flags;
    const char *why = !(offered & FUSE_PASSTHROUGH) || !(flags & FUSE_INIT_EXT)
                          ? "the kernel does not offer FUSE_PASSTHROUGH (Linux 6.9+)"
                      : (flags & FUSE_WRITEBACK_CACHE) ? "the writeback cache is on"
                      : !have_cap_sys_admin()         ? "the process lacks CAP_SYS_ADMIN"
                                                      : 0;
    struct fsp_passthrough *pt = pt_of(eng);
    if (!why && !pt) {
        pt = calloc(1, sizeof *pt);
        if (pt) {
            pt->nbuckets = 256;
            pt->buckets = calloc(pt->nbuckets, sizeof *pt->buckets);
            if (!pt->buckets) {
                free(pt);
                pt = 0;
            }
        }
        if (!pt)
            why = "out of memory";
        else {
            pthread_mutex_init(&pt->lock, 0);
            __atomic_store_n(&eng->passthrough, pt, __ATOMIC_RELEASE);
        }
    }
    if (why) {
        if (eng->fs->DebugLog)
            FspDebugLog("linfsp: passthrough to backing files is off: %s\n", why);
        return flags;
    }
    return flags | FUSE_PASSTHROUGH;
}

void fsp_passthrough_init_out(struct fsp_engine *eng, uint64_t flags, struct fuse_init_out *out)
{
    (void)eng;
    if (flags & FUSE_PASSTHROUGH)
        FSP_INIT_OUT_MAX_STACK_DEPTH(*out) = FSP_PASSTHROUGH_STACK_DEPTH;
}

void fsp_passthrough_fini(struct fsp_engine *eng)
{
    struct fsp_passthrough *pt = pt_of(eng);
    if (!pt)
        return;
    for (size_t i = 0; i < pt->nbuckets; i++)
        for (struct pt_node *n = pt->buckets[i], *next; n; n = next) {
            next = n->next;
            /* Best effort: the connection may be gone already (then the kernel freed them). */
            if (n->npassthrough && eng->fd >= 0) {
                uint32_t id = (uint32_t)n->backing_id;
                if (ioctl(eng->fd, FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
                    (void)0;
            }
            free(n);
        }
    free(pt->buckets);
    pthread_mutex_destroy(&pt->lock);
    free(pt);
    eng->passthrough = 0;
}

static size_t bucket_of(struct fsp_passthrough *pt, uint64_t nodeid)
{
    uint64_t h = nodeid * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32) & (pt->nbuckets - 1);
}

/* With pt->lock held. */
static struct pt_node **find_slot(struct fsp_passthrough *pt, uint64_t nodeid)
{
    struct pt_node **p = &pt->buckets[bucket_of(pt, nodeid)];
    while (*p && (*p)->nodeid != nodeid)
        p = &(*p)->next;
    return p;
}

/* With pt->lock held: the node's record, created (all counts 0) when absent; NULL: ENOMEM. */
static struct pt_node *get_node(struct fsp_passthrough *pt, uint64_t nodeid)
{
    struct pt_node **p = find_slot(pt, nodeid);
    if (*p)
        return *p;
    if (pt->count >= pt->nbuckets * 2) {
        size_t nb = pt->nbuckets * 2;
        struct pt_node **b = calloc(nb, sizeof *b);
        if (b) {
            struct pt_node **old = pt->buckets;
            size_t ob = pt->nbuckets;
            pt->buckets = b;
            pt->nbuckets = nb;
            for (size_t i = 0; i < ob; i++)
                for (struct pt_node *n = old[i], *next; n; n = next) {
                    next = n->next;
                    size_t k = bucket_of(pt, n->nodeid);
                    n->next = b[k];
                    b[k] = n;
                }
            free(old);
            p = find_slot(pt, nodeid);
        }
    }
    struct pt_node *n = calloc(1, sizeof *n);
    if (!n)
        return 0;
    n->nodeid = nodeid;
    *p = n;
    pt->count++;
    return n;
}

void fsp_passthrough_open(struct fsp_request *req, struct fsp_handle *h, struct fuse_open_out *out)
{
    struct fsp_engine *eng = req->engine;
    struct fsp_passthrough *pt = pt_of(eng);
    if (!pt || h->is_dir)
        return;
    int err = 0;
    pthread_mutex_lock(&pt->lock);
    struct pt_node *n = get_node(pt, h->nodeid);
    if (n && n->npassthrough) {
        /* The kernel wants the same backing file for every open of the inode. */
        n->npassthrough++;
        h->backing_id = n->backing_id;
    } else if (n && req->has_backing_fd && 0 == n->ncached) {
        struct fuse_backing_map map;
        memset(&map, 0, sizeof map);
        map.fd = req->backing_fd;
        int id = ioctl(eng->fd, FUSE_DEV_IOC_BACKING_OPEN, &map);
        if (id > 0) {
            n->backing_id = id;
            n->npassthrough = 1;
            h->backing_id = id;
        } else {
            err = id < 0 ? errno : EIO;
            if (!pt->warned) {
                pt->warned = true;
                FspDebugLog("linfsp: the kernel refused a backing file (%s); such opens use the "
                            "normal path\n", strerror(err));
            }
        }
    }
    if (n && !h->backing_id)
        n->ncached++;
    h->pt_counted = 0 != n;
    pthread_mutex_unlock(&pt->lock);
    if (h->backing_id) {
        out->open_flags &= ~(uint32_t)FOPEN_KEEP_CACHE; /* no page cache of its own */
        out->open_flags |= FOPEN_PASSTHROUGH;
        FSP_OPEN_OUT_BACKING_ID(*out) = h->backing_id;
    }
    if (eng->fs->DebugLog && (h->backing_id || req->has_backing_fd))
        FspDebugLog("linfsp: open nodeid %llu fh 0x%llx: %s backing id %d%s%s\n",
                    (unsigned long long)h->nodeid, (unsigned long long)h->fh,
                    h->backing_id ? "passthrough," : "normal path, no", (int)h->backing_id,
                    err ? ": " : "", err ? strerror(err) : "");
}

void fsp_passthrough_release(struct fsp_engine *eng, struct fsp_handle *h)
{
    struct fsp_passthrough *pt = pt_of(eng);
    if (!pt || !h->pt_counted)
        return;
    pthread_mutex_lock(&pt->lock);
    struct pt_node **p = find_slot(pt, h->nodeid), *n = *p;
    if (n) {
        if (h->backing_id && n->npassthrough) {
            if (0 == --n->npassthrough) {
                uint32_t id = (uint32_t)n->backing_id;
                if (ioctl(eng->fd, FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
                    FspDebugLog("linfsp: closing backing id %u failed: %s\n", id, strerror(errno));
                n->backing_id = 0;
            }
        } else if (!h->backing_id && n->ncached)
            n->ncached--;
        if (0 == n->npassthrough && 0 == n->ncached) {
            *p = n->next;
            pt->count--;
            free(n);
        }
    }
    pthread_mutex_unlock(&pt->lock);
    h->pt_counted = false;
    h->backing_id = 0;
}

NTSTATUS fsp_passthrough_set_backing_fd(int Fd)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *ctx = *fsp_opctx_slot();
    if (!ctx || !ctx->Request)
        return STATUS_INVALID_DEVICE_STATE;
    UINT32 kind = ctx->Request->Kind;
    if (FspFsctlTransactCreateKind != kind && FspFsctlTransactOverwriteKind != kind)
        return STATUS_INVALID_DEVICE_STATE;
    if (Fd < 0)
        return STATUS_INVALID_PARAMETER;
    /* The engine's operation context is always the treq of the request being processed. */
    struct fsp_request *req =
        (struct fsp_request *)((char *)ctx->Request - offsetof(struct fsp_request, treq));
    if (!pt_of(req->engine))
        return STATUS_NOT_SUPPORTED;
    req->backing_fd = Fd;
    req->has_backing_fd = true;
    return STATUS_SUCCESS;
}
