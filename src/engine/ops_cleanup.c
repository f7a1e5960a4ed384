/*
 * src/engine/ops_cleanup.c - WinFsp's Cleanup flags at the points Linux expects them.
 *
 * WinFsp's driver tells a file system at Cleanup what happened through the handle:
 * FspCleanupSetLastWriteTime and FspCleanupSetArchiveBit when it was written or truncated,
 * FspCleanupSetChangeTime when it was written or its metadata (security, EAs) changed,
 * FspCleanupSetLastAccessTime, FspCleanupSetAllocationSize (trim the allocation to the file
 * size). WinFsp file systems (its MEMFS among them) leave the times to those flags: their
 * Write, SetFileSize and SetSecurity do not touch them.
 *
 * Linux shows a write's mtime and ctime at once (stat before close), frees the blocks past
 * a truncation at once, and updates atime after reads (relatime). So the engine passes the
 * flags where Linux makes the change visible, and only where the file system did not do it
 * itself:
 *
 * - after WRITE, SETATTR (size, mode, owner), an O_TRUNC open, FALLOCATE, SETXATTR and
 *   REMOVEXATTR, it compares the times in the FileInfo the file system returned with the time
 *   the operation started: a time older than that means the file system left it to Cleanup.
 *   The engine then opens the file by name, calls Cleanup with the flags that are owed, and
 *   Closes it: every open still gets exactly one Cleanup, as on WinFsp. A file system that
 *   keeps its write times itself (LinFsp's memfs, passthrough) gets such an open only for the
 *   access time (below).
 * - A file without a name (unlinked while open) cannot be opened: the same effect goes
 *   through SetBasicInfo (the times) and SetFileSize(..., TRUE) (the allocation) on the
 *   handle's context. The flags of a write that completed asynchronously (STATUS_PENDING)
 *   wait in the handle and go with its own Cleanup at RELEASE, as on WinFsp (ops_file.c then
 *   invalidates the kernel's cached attributes).
 * - At the first READ or READDIR through a handle, FspCleanupSetLastAccessTime follows Linux's
 *   relatime rule (atime not after mtime or ctime, or a day old), unless the volume is read-only
 *   or mounted noatime, or the file was opened O_NOATIME: the same open of the file's own
 *   carries it, before the data is
 *   answered, so a stat after the read sees the new atime (the kernel marks its atime stale at
 *   each read). At RELEASE, which the kernel sends after close(2) returned, it would come too
 *   late for a stat that the kernel then caches (for good with FileInfoTimeout INFINITE).
 * - FspCleanupSetAllocationSize is passed after a truncation that leaves more allocated than
 *   the file needs; never at close (Linux keeps fallocate's preallocation after close).
 */
#include "ops.h"
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_FILETIME (24ULL * 3600 * 10000000)

UINT64 fsp_ops_since(void)
{
    /* The coarse clock: a file system that stamps times with it (or a backing file system that
     * does, as tmpfs) is never taken to be behind. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    UINT64 ut[2] = {(UINT64)ts.tv_sec, (UINT64)ts.tv_nsec}, ft;
    FspPosixUnixTimeToFileTime(ut, &ft);
    return ft;
}

ULONG fsp_ops_owed_flags(struct fsp_request *req, const FSP_FSCTL_FILE_INFO *info, UINT64 since,
                         ULONG want)
{
    ULONG owed = 0;
    UINT64 ctime = info->ChangeTime ? info->ChangeTime : info->LastWriteTime;
    if ((want & FspCleanupSetLastWriteTime) && info->LastWriteTime < since)
        owed |= FspCleanupSetLastWriteTime;
    if ((want & FspCleanupSetChangeTime) && ctime < since)
        owed |= FspCleanupSetChangeTime;
    if ((want & FspCleanupSetAllocationSize) && !(info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        const FSP_FSCTL_VOLUME_PARAMS *vp = &req->fs->VolumeParams;
        UINT64 unit = (UINT64)vp->SectorSize * vp->SectorsPerAllocationUnit;
        if (unit && info->FileSize <= UINT64_MAX - unit &&
            info->AllocationSize > (info->FileSize + unit - 1) / unit * unit)
            owed |= FspCleanupSetAllocationSize;
    }
    if ((owed & (FspCleanupSetLastWriteTime | FspCleanupSetChangeTime)) && (want & FspCleanupSetArchiveBit))
        owed |= FspCleanupSetArchiveBit;
    return owed;
}

/*
 * A file without a name (unlinked while open) cannot be opened for a Cleanup of its own, and its
 * handle's Cleanup comes only at its release, too late for Linux (fstat after ftruncate). The
 * same effect through the calls that exist for it: SetBasicInfo with the times (0: unchanged),
 * SetFileSize(allocation, TRUE) for the allocation (as WinFsp's MEMFS applies the flag).
 */
static void apply_nameless(struct fsp_request *req, PVOID ctx, ULONG owed,
                           FSP_FSCTL_OPEN_FILE_INFO *info)
{
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    UINT64 size = info->FileInfo.FileSize;
    if ((owed & (FspCleanupSetLastAccessTime | FspCleanupSetLastWriteTime | FspCleanupSetChangeTime)) &&
        fi->SetBasicInfo) {
        UINT8 now_ns;
        UINT64 now = fsp_ops_now_filetime(&now_ns);
        FSP_FSCTL_FILE_NSEC *nsec = &req->treq.Req.SetInformation.Nsec;
        memset(nsec, 0, sizeof *nsec);
        if (req->fs->VolumeParams.NanosecondTimes) {
            /* the nanoseconds of the times set (NanosecondTimes) */
            if (owed & FspCleanupSetLastAccessTime)
                nsec->LastAccessTime = now_ns;
            if (owed & FspCleanupSetLastWriteTime)
                nsec->LastWriteTime = now_ns;
            if (owed & FspCleanupSetChangeTime)
                nsec->ChangeTime = now_ns;
        }
        req->treq.Req.SetInformation.FileInformationClass = FileBasicInformation;
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        fi->SetBasicInfo(req->fs, ctx, INVALID_FILE_ATTRIBUTES, 0,
                         (owed & FspCleanupSetLastAccessTime) ? now : 0,
                         (owed & FspCleanupSetLastWriteTime) ? now : 0,
                         (owed & FspCleanupSetChangeTime) ? now : 0, fsp_op_info_arg(req, info));
        fsp_op_leave(req);
        memset(nsec, 0, sizeof *nsec);
    }
    if ((owed & FspCleanupSetAllocationSize) && fi->SetFileSize) {
        const FSP_FSCTL_VOLUME_PARAMS *vp = &req->fs->VolumeParams;
        UINT64 unit = (UINT64)vp->SectorSize * vp->SectorsPerAllocationUnit;
        req->treq.Req.SetInformation.FileInformationClass = FileAllocationInformation;
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        fi->SetFileSize(req->fs, ctx, (size + unit - 1) / unit * unit, TRUE, fsp_op_info_arg(req, info));
        fsp_op_leave(req);
    }
}

/* Give the file system the owed flags now: through an open of the file's own, or nameless. */
static void apply_owed(struct fsp_request *req, uint64_t nodeid, PWSTR path, struct fsp_handle *h,
                       PVOID ctx, ULONG owed, FSP_FSCTL_OPEN_FILE_INFO *info, bool refresh)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    PWSTR own = 0;
    PVOID octx = 0;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    if (!path && nodeid && 0 == fsp_node_path(req->engine, nodeid, FSP_PATH_OTHER, &own))
        path = own;
    if (path && !fsp_ops_open_path(req, path, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, &octx,
                                   &oinfo)) {
        fsp_ops_close(req, octx, path, owed);
        /* the file's times as the reply should show them */
        if (ctx && refresh)
            fsp_ops_get_file_info(req, ctx, info);
    } else if (ctx && (fs->Interface->SetBasicInfo || fs->Interface->SetFileSize))
        apply_nameless(req, ctx, owed, info);
    else if (h)
        __atomic_or_fetch(&h->cleanup, owed, __ATOMIC_ACQ_REL); /* at its release */
    /* The times (and allocation) changed: what the attribute cache holds of the file is older
     * (after the change, so that no reader puts back what it read before). */
    if (nodeid)
        fsp_attr_invalidate(req->engine, nodeid);
}

void fsp_ops_modified(struct fsp_request *req, uint64_t nodeid, PWSTR path, struct fsp_handle *h,
                      PVOID ctx, UINT64 since, ULONG want, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    if (!req->fs->Interface->Cleanup || !want)
        return;
    ULONG owed = fsp_ops_owed_flags(req, &info->FileInfo, since, want);
    if (owed)
        apply_owed(req, nodeid, path, h, ctx, owed, info, true);
}

void fsp_ops_owe(struct fsp_handle *h, ULONG flags)
{
    __atomic_or_fetch(&h->cleanup, flags, __ATOMIC_ACQ_REL);
}

void fsp_ops_read_through(struct fsp_request *req, struct fsp_handle *h)
{
    if (__atomic_load_n(&h->cleanup, __ATOMIC_RELAXED) & FSP_HANDLE_READ)
        return; /* the handle's first read decided */
    if (__atomic_fetch_or(&h->cleanup, FSP_HANDLE_READ, __ATOMIC_ACQ_REL) & FSP_HANDLE_READ)
        return; /* another read through it got there first */
    if (!req->fs->Interface->Cleanup || req->fs->VolumeParams.AccessTimesByFileSystem ||
        fsp_engine_noatime(req->engine) || (h->open_flags & O_NOATIME))
        return; /* nothing owed: no Cleanup, the file system keeps its own, noatime, O_NOATIME */
    /* relatime: an access time not after the last change, or a day old, is updated */
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    if (fsp_ops_get_file_info(req, FSP_OPS_CTX(h), &oinfo))
        return;
    const FSP_FSCTL_FILE_INFO *info = &oinfo.FileInfo;
    UINT64 ctime = info->ChangeTime ? info->ChangeTime : info->LastWriteTime;
    if (info->LastAccessTime <= info->LastWriteTime || info->LastAccessTime <= ctime ||
        info->LastAccessTime + DAY_FILETIME <= fsp_ops_since())
        apply_owed(req, h->nodeid, 0, 0, FSP_OPS_CTX(h), FspCleanupSetLastAccessTime, &oinfo, false);
}

ULONG fsp_ops_release_flags(struct fsp_handle *h)
{
    return __atomic_exchange_n(&h->cleanup, 0, __ATOMIC_ACQ_REL) & ~(uint32_t)FSP_HANDLE_READ;
}
