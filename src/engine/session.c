/*
 * src/engine/session.c - engine state and the FUSE session: FUSE_INIT
 * negotiation (protocol version and feature flags) and FUSE_DESTROY.
 */
#include "core.h"
#include "uring.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct fsp_engine *fsp_engine_new(FSP_FILE_SYSTEM *fs)
{
    struct fsp_engine *eng = calloc(1, sizeof *eng);
    if (!eng)
        return 0;
    eng->fs = fs;
    eng->fd = -1;
    eng->watchdog_fd = -1;
    eng->owner_uid = geteuid();
    eng->owner_gid = getegid();
    eng->max_write = FSP_ENGINE_MAX_WRITE;
    pthread_mutex_init(&eng->init_lock, 0);
    pthread_mutex_init(&eng->pending_lock, 0);
    pthread_cond_init(&eng->pending_cond, 0);
    pthread_mutex_init(&eng->workers_lock, 0);
    pthread_cond_init(&eng->workers_cond, 0);
    pthread_mutex_init(&eng->info_cache_lock, 0);
    eng->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (eng->stop_fd < 0 || 0 != fsp_nodes_init(eng) || 0 != fsp_handles_init(eng)) {
        fsp_engine_free(eng);
        return 0;
    }
    return eng;
}

bool fsp_engine_abandoned(struct fsp_engine *eng)
{
    return eng && eng->abandoned;
}

void fsp_engine_free(struct fsp_engine *eng)
{
    if (!eng || eng->abandoned) /* a stuck worker may still use it: see fsp_dispatcher_stop */
        return;
    fsp_pending_free_all(eng);
    fsp_uring_free(eng);
    fsp_passthrough_fini(eng); /* needs eng->fd */
    fsp_handles_fini(eng);
    fsp_nodes_fini(eng);
    fsp_attr_cache_fini(eng);
    fsp_dir_cache_fini(eng);
    pthread_mutex_destroy(&eng->info_cache_lock);
    if (eng->stop_fd >= 0)
        close(eng->stop_fd);
    if (eng->fd >= 0)
        close(eng->fd);
    pthread_mutex_destroy(&eng->init_lock);
    pthread_mutex_destroy(&eng->pending_lock);
    pthread_cond_destroy(&eng->pending_cond);
    pthread_mutex_destroy(&eng->workers_lock);
    pthread_cond_destroy(&eng->workers_cond);
    free(eng->mountpoint);
    free(eng->mount_options);
    free(eng);
}

bool fsp_engine_fault_alloc(struct fsp_engine *eng)
{
    int n = __atomic_load_n(&eng->fault_alloc, __ATOMIC_RELAXED);
    while (n > 0)
        if (__atomic_compare_exchange_n(&eng->fault_alloc, &n, n - 1, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            return 1 == n;
    return false;
}

FSP_FILE_SYSTEM *fsp_engine_fs(struct fsp_engine *eng)
{
    return eng->fs;
}

uint32_t fsp_engine_proto_minor(struct fsp_engine *eng)
{
    return eng->proto_minor;
}

uint64_t fsp_engine_init_flags(struct fsp_engine *eng)
{
    return eng->init_flags;
}

bool fsp_engine_noatime(struct fsp_engine *eng)
{
    if (eng->fs->VolumeParams.ReadOnlyVolume)
        return true;
    /* the options given with FspFileSystemSetMountOptions, comma separated; the last one wins */
    bool noatime = false, ro = false;
    for (const char *p = eng->mount_options; p && *p;) {
        size_t n = strcspn(p, ",");
        if (7 == n && 0 == strncmp(p, "noatime", 7))
            noatime = true;
        else if ((5 == n && 0 == strncmp(p, "atime", 5)) || (8 == n && 0 == strncmp(p, "relatime", 8)))
            noatime = false;
        else if (2 == n && (0 == strncmp(p, "ro", 2) || 0 == strncmp(p, "rw", 2)))
            ro = 'o' == p[1];
        p += n + (',' == p[n]);
    }
    return noatime || ro;
}

uid_t fsp_engine_owner_uid(struct fsp_engine *eng)
{
    return eng->owner_uid;
}

gid_t fsp_engine_owner_gid(struct fsp_engine *eng)
{
    return eng->owner_gid;
}

/* Milliseconds -> (sec, nsec); INFINITE becomes one year, which the kernel treats as "cached". */
static void timeout_split(UINT32 ms, uint64_t *sec, uint32_t *nsec)
{
    if (INFINITE == ms) {
        *sec = 365ULL * 24 * 3600, *nsec = 0;
        return;
    }
    *sec = ms / 1000;
    *nsec = (ms % 1000) * 1000000u;
}

void fsp_engine_entry_timeout(struct fsp_engine *eng, uint64_t *sec, uint32_t *nsec)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &eng->fs->VolumeParams;
    timeout_split(vp->DirInfoTimeoutValid ? vp->DirInfoTimeout : vp->FileInfoTimeout, sec, nsec);
}

void fsp_engine_negative_timeout(struct fsp_engine *eng, uint64_t *sec, uint32_t *nsec)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &eng->fs->VolumeParams;
    if (vp->NegativeEntryTimeoutValid)
        timeout_split(vp->NegativeEntryTimeout, sec, nsec);
    else
        fsp_engine_entry_timeout(eng, sec, nsec);
}

void fsp_engine_attr_timeout(struct fsp_engine *eng, uint64_t *sec, uint32_t *nsec)
{
    timeout_split(eng->fs->VolumeParams.FileInfoTimeout, sec, nsec);
}

void fsp_engine_attr_timeout_aged(struct fsp_engine *eng, uint32_t age_ms, uint64_t *sec,
                                  uint32_t *nsec)
{
    UINT32 t = eng->fs->VolumeParams.FileInfoTimeout;
    timeout_split(INFINITE == t ? t : t > age_ms ? t - age_ms : 0, sec, nsec);
}

/* The INIT flags the engine asks for, out of what the kernel offers. */
static uint64_t wanted_flags(struct fsp_engine *eng, uint64_t offered)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &eng->fs->VolumeParams;
    uint64_t want = FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
                    FUSE_HAS_IOCTL_DIR | FUSE_SETXATTR_EXT | FUSE_INIT_EXT |
                    FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO;
    /* The engine drops set-ID bits and capabilities itself (ops_killpriv.c), which spares a
     * GETXATTR "security.capability" round trip per write. */
    if (eng->fs->Interface->SetSecurity && !vp->ReadOnlyVolume)
        want |= FUSE_HANDLE_KILLPRIV_V2;
    /* POSIX ACLs from the security descriptors (ops_ntxattr.c): the kernel enforces what the
     * engine shows. New files then take the parent's inheritable ACEs instead of the umask
     * (the engine applies the umask itself where the parent has none: FUSE_DONT_MASK). */
    if (eng->fs->Interface->GetSecurity && eng->fs->Interface->SetSecurity &&
        !vp->XattrsPassThrough)
        want |= FUSE_POSIX_ACL | FUSE_DONT_MASK;
    if (FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE == eng->fs->OpGuardStrategy)
        want |= FUSE_PARALLEL_DIROPS;
    /* Locks the file system keeps (LinFsp extensions); otherwise the kernel keeps them. */
    if (eng->fs->Interface->PosixLock)
        want |= FUSE_POSIX_LOCKS;
    if (eng->fs->Interface->Flock)
        want |= FUSE_FLOCK_LOCKS;
    if (INFINITE == vp->FileInfoTimeout)
        want |= FUSE_CACHE_SYMLINKS;
    /* WinFsp's cache manager mode with write-behind: written data stays in the page cache,
     * the kernel owns size and times of regular files until it writes them back. */
    if (INFINITE == vp->FileInfoTimeout && vp->WritebackCache && !vp->ReadOnlyVolume)
        want |= FUSE_WRITEBACK_CACHE;
    else
        want |= FUSE_AUTO_INVAL_DATA;
    return want & offered;
}

void fsp_session_init(struct fsp_request *req)
{
    struct fsp_engine *eng = req->engine;
    const struct fuse_init_in *in = req->arg;
    struct fuse_init_out out;
    memset(&out, 0, sizeof out);

    if (in->major > FUSE_KERNEL_VERSION) {
        /* A newer major: answer with ours; the kernel sends a new INIT if it can speak it. */
        out.major = FUSE_KERNEL_VERSION;
        out.minor = FSP_FUSE_MINOR_MAX;
        fsp_reply_data(req, &out, sizeof out);
        return;
    }
    if (in->major < FUSE_KERNEL_VERSION || in->minor < FSP_FUSE_MINOR_MIN) {
        FspDebugLog("linfsp: kernel FUSE protocol %u.%u is too old (need 7.%u or later)\n",
                    in->major, in->minor, FSP_FUSE_MINOR_MIN);
        fsp_reply_err(req, EPROTO);
        return;
    }
    uint64_t offered = in->flags;
    if (req->arglen >= sizeof *in && (in->flags & FUSE_INIT_EXT))
        offered |= (uint64_t)in->flags2 << 32;
    uint64_t flags = wanted_flags(eng, offered);
    flags |= fsp_uring_init_flags(eng, offered);
    flags = fsp_passthrough_negotiate(eng, offered, flags); /* after every other flag */

    pthread_mutex_lock(&eng->init_lock);
    eng->proto_minor = in->minor < FSP_FUSE_MINOR_MAX ? in->minor : FSP_FUSE_MINOR_MAX;
    eng->init_flags = flags;
    eng->initialized = true;
    pthread_mutex_unlock(&eng->init_lock);

    out.major = FUSE_KERNEL_VERSION;
    out.minor = eng->proto_minor;
    out.max_readahead = in->max_readahead;
    out.flags = (uint32_t)flags;
    out.flags2 = (uint32_t)(flags >> 32);
    out.max_background = 64;
    out.congestion_threshold = 48;
    out.max_write = eng->max_write;
    /* The times the kernel caches (and makes itself: writes, the writeback cache) are rounded
     * to what the file system keeps: FILETIME's 100 ns, or exact ones (LinFsp extension). */
    out.time_gran = eng->fs->VolumeParams.NanosecondTimes ? 1 : 100;
    out.max_pages = (flags & FUSE_MAX_PAGES) ? FSP_ENGINE_MAX_PAGES : 0;
    if (!(flags & FUSE_MAX_PAGES) && out.max_write > 32 * 4096)
        out.max_write = eng->max_write = 32 * 4096;
    fsp_passthrough_init_out(eng, flags, &out);
    if (eng->fs->DebugLog)
        FspDebugLog("linfsp: INIT kernel %u.%u flags 0x%llx -> %u.%u flags 0x%llx\n", in->major,
                    in->minor, (unsigned long long)offered, out.major, out.minor,
                    (unsigned long long)flags);
    fsp_reply_data(req, &out, sizeof out);
    fsp_uring_init_done(eng, flags); /* the workers register their ring entries now */
}

void fsp_session_destroy(struct fsp_request *req)
{
    __atomic_store_n(&req->engine->destroyed, true, __ATOMIC_RELEASE); /* read by the other workers */
    fsp_reply_err(req, 0);
}
