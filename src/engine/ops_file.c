/*
 * src/engine/ops_file.c - open files: OPEN, CREATE, TMPFILE, READ, WRITE, FSYNC (and FSYNCDIR),
 * FLUSH, RELEASE, FALLOCATE. (FLUSH, sent at every close(2), has no WinFsp
 * counterpart: without the LinFsp extension FlushDescriptor the engine answers
 * ENOSYS and the kernel stops sending it; see fsp_ops_unsupported.)
 */
#include "ops.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

uint32_t fsp_ops_open_flags(struct fsp_request *req, bool is_dir)
{
    if (req->has_open_flags)
        return req->open_flags;
    const FSP_FSCTL_VOLUME_PARAMS *vp = &req->fs->VolumeParams;
    /* FileInfoTimeout INFINITE: the page cache survives opens (WinFsp's cache manager mode). */
    if (!is_dir && INFINITE == vp->FileInfoTimeout && !vp->FlushAndPurgeOnCleanup)
        return FOPEN_KEEP_CACHE;
    return 0;
}

/*
 * Access for an open(2) with these flags. With the writeback cache the kernel reads a
 * write-only file too (to fill a partly written page), so such opens also get read access.
 */
static UINT32 open_access(struct fsp_request *req, int flags)
{
    UINT32 access = fsp_ops_access_from_flags(flags);
    if ((flags & O_ACCMODE) == O_WRONLY && (fsp_engine_init_flags(req->engine) & FUSE_WRITEBACK_CACHE))
        access |= FILE_GENERIC_READ;
    return access;
}

/*
 * open(O_TRUNC): truncate to 0. oinfo holds what Open returned (in) and the result (out). Linux
 * keeps a file's xattrs through O_TRUNC, while WinFsp's Overwrite gives the file the EAs of the
 * request (none): a file with EAs (EaSize) gets its own EAs back through OverwriteEx.
 */
static int overwrite(struct fsp_request *req, PVOID ctx, FSP_FSCTL_OPEN_FILE_INFO *oinfo)
{
    FSP_FSCTL_FILE_INFO *info = &oinfo->FileInfo;
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    if (!fi->Overwrite && !fi->OverwriteEx && !fi->SetFileSize)
        return FSP_EINVALID_DEVICE_REQUEST;
    void *eas = 0;
    ULONG ealen = 0;
    if (fi->OverwriteEx && info->EaSize && fsp_ops_eas_supported(req)) {
        int err = fsp_ops_read_eas(req, ctx, &eas, &ealen);
        if (err)
            return err;
    }
    req->treq.Req.Overwrite.FileAttributes = 0;
    memset(oinfo, 0, sizeof *oinfo);
    fsp_op_enter(req, FspFsctlTransactOverwriteKind);
    fsp_op_info_arg(req, oinfo);
    int err;
    if (fi->OverwriteEx)
        err = fsp_err_from_status(
            fi->OverwriteEx(req->fs, ctx, 0, FALSE, 0, ealen ? eas : 0, ealen, info));
    else if (fi->Overwrite)
        err = fsp_err_from_status(fi->Overwrite(req->fs, ctx, 0, FALSE, 0, info));
    else
        err = fsp_err_from_status(fi->SetFileSize(req->fs, ctx, 0, FALSE, info));
    fsp_op_leave(req);
    free(eas);
    return err;
}

void fsp_op_open(struct fsp_request *req)
{
    const struct fuse_open_in *in = req->arg;
    if (req->fs->VolumeParams.ReadOnlyVolume && ((in->flags & O_ACCMODE) != O_RDONLY || (in->flags & O_TRUNC)))
        return fsp_reply_err(req, EROFS);
    PWSTR path = 0;
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    req->posix_open = true, req->posix_flags = in->flags;
    err = fsp_ops_open_path(req, path, open_access(req, (int)in->flags), &ctx, &info);
    if (!err && (info.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
        (in->flags & O_ACCMODE) != O_RDONLY) {
        fsp_ops_close(req, ctx, path, 0);
        err = EISDIR;
    } else if (!err && (in->flags & O_TRUNC)) {
        UINT64 since = fsp_ops_since();
        err = fsp_ops_kill_privs(req, req->in->nodeid, ctx, path,
                                    (in->open_flags & FUSE_OPEN_KILL_SUIDGID) ? FSP_KILLPRIV_SUIDGID
                                                                              : FSP_KILLPRIV_CAPS);
        struct fsp_attr_cached c;
        fsp_attr_cache_get(req->engine, req->in->nodeid, &c);
        if (!err)
            err = overwrite(req, ctx, &info);
        if (!err)
            fsp_attr_changed_to(req->engine, req->in->nodeid, c.gen, &info);
        else
            fsp_attr_invalidate(req->engine, req->in->nodeid);
        if (!err) /* (invalidates the cache again when it passes Cleanup flags) */
            fsp_ops_modified(req, req->in->nodeid, path, 0, ctx, since, FSP_OPS_SIZE_CHANGED, &info);
        else
            fsp_ops_close(req, ctx, path, 0);
    }
    if (err)
        return fsp_reply_err(req, err);
    struct fsp_handle *h = fsp_handle_new(req, req->in->nodeid, ctx, path, (int)in->flags, false);
    if (!h) {
        fsp_ops_close(req, ctx, path, 0);
        return fsp_reply_err(req, ENOMEM);
    }
    struct fuse_open_out out;
    memset(&out, 0, sizeof out);
    out.fh = h->fh;
    out.open_flags = fsp_ops_open_flags(req, false);
    h->no_flush = out.open_flags & FOPEN_NOFLUSH;
    fsp_passthrough_open(req, h, &out);
    fsp_ops_reply_open(req, h, &out);
}

/*
 * CREATE found the name taken: another process created it since the kernel's lookup, or a
 * case-insensitive volume has it under another case. Without O_EXCL that is an open(2) of
 * the existing file: open it, check the caller's access against its mode (the kernel
 * checked only the directory), truncate on O_TRUNC. Directories give EISDIR; symlinks and
 * other reparse points keep the collision (EEXIST).
 */
static int create_opens_existing(struct fsp_request *req, PWSTR path, int flags,
                                 uint32_t open_flags, PVOID *pctx, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    req->posix_open = true, req->posix_flags = (uint32_t)flags & ~(uint32_t)(O_CREAT | O_EXCL);
    int err = fsp_ops_open_path(req, path, open_access(req, flags), pctx, info);
    if (err)
        return err;
    if (info->FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        err = EISDIR;
    else if (info->FileInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
        err = FSP_ENAME_COLLISION;
    else if (0 != req->in->uid) {
        struct fuse_attr attr;
        int aerr = fsp_ops_fill_attr(req, 0, *pctx, path, info, &attr);
        uint32_t want = ((flags & O_ACCMODE) != O_WRONLY ? 4 : 0) |
                        ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) ? 2 : 0);
        uint32_t bits = req->in->uid == attr.uid   ? (attr.mode >> 6) & 7
                        : req->in->gid == attr.gid ? (attr.mode >> 3) & 7
                                                   : attr.mode & 7;
        if (aerr)
            err = fsp_err_through_status(aerr);
        else if ((bits & want) != want)
            err = FSP_EACCESS_DENIED;
    }
    if (!err && (flags & O_TRUNC))
        err = fsp_ops_kill_privs(req, 0, *pctx, path,
                                 (open_flags & FUSE_OPEN_KILL_SUIDGID) ? FSP_KILLPRIV_SUIDGID
                                                                       : FSP_KILLPRIV_CAPS);
    if (!err && (flags & O_TRUNC)) {
        UINT64 since = fsp_ops_since();
        err = overwrite(req, *pctx, info);
        if (!err)
            fsp_ops_modified(req, 0, path, 0, *pctx, since, FSP_OPS_SIZE_CHANGED, info);
    }
    if (err) {
        fsp_ops_close(req, *pctx, path, 0);
        *pctx = 0;
    }
    return err;
}

void fsp_op_create(struct fsp_request *req)
{
    const struct fuse_create_in *in = req->arg;
    const char *name = req->names[0];
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    PWSTR path = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, name, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    req->posix_open = true, req->posix_flags = in->flags;
    err = fsp_ops_create_child(req, path, in->mode, false, FILE_NON_DIRECTORY_FILE,
                               open_access(req, (int)in->flags) | DELETE, FILE_ATTRIBUTE_ARCHIVE, 0,
                               0, &ctx, &info);
    bool existed = false;
    if (FSP_ENAME_COLLISION == err && !(in->flags & O_EXCL)) {
        existed = true;
        err = create_opens_existing(req, path, (int)in->flags, in->open_flags, &ctx, &info);
    }
    if (!existed) /* its directory changed */
        fsp_attr_invalidate(req->engine, req->in->nodeid);
    if (err)
        return fsp_reply_err(req, err);
    struct {
        struct fuse_entry_out entry;
        struct fuse_open_out open;
    } out;
    memset(&out, 0, sizeof out);
    err = fsp_ops_make_entry(req, req->in->nodeid, name, ctx, path, &info, &out.entry);
    if (!err && existed) /* opened, maybe truncated (and its set-ID bits dropped) */
        fsp_attr_invalidate_owner(req->engine, out.entry.nodeid);
    else if (!err && !(out.entry.attr.mode & (S_ISUID | S_ISGID)))
        /* A file just made has no privileges (no set-ID bit, no capability): its writes and
         * truncations have nothing to drop (ops_killpriv.c). */
        fsp_node_set_flag_if(req->engine, out.entry.nodeid, FSP_NODE_NO_PRIVS, 0);
    struct fsp_handle *h = err ? 0
                               : fsp_handle_new(req, out.entry.nodeid, ctx, path, (int)in->flags,
                                                false);
    if (!h) {
        if (!err) {
            fsp_node_forget(req->engine, out.entry.nodeid, 1);
            err = ENOMEM;
        }
        fsp_ops_close(req, ctx, path, existed ? 0 : FspCleanupDelete); /* undo only our create */
        return fsp_reply_err(req, err);
    }
    out.open.fh = h->fh;
    out.open.open_flags = fsp_ops_open_flags(req, false);
    h->no_flush = out.open.open_flags & FOPEN_NOFLUSH;
    fsp_passthrough_open(req, h, &out.open);
    fsp_reply_data(req, &out, sizeof out);
    if (req->reply_error) {
        /* The kernel did not get it: no lookup reference, no open (the file stays). */
        fsp_node_forget(req->engine, out.entry.nodeid, 1);
        fsp_handle_unpublish(req->engine, h);
    }
}

/*
 * TMPFILE (open(2) with O_TMPFILE): a regular file without a name, through the LinFsp
 * extension CreateUnnamed, answered like CREATE (entry + open). Its node has no name until a
 * LINK names it (ops_namespace.c); until then it is reached through its open handles only.
 * Without CreateUnnamed: ENOSYS, which the kernel turns into EOPNOTSUPP and remembers.
 */
void fsp_op_tmpfile(struct fsp_request *req)
{
    const struct fuse_create_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->CreateUnnamed)
        return fsp_reply_err(req, ENOSYS); /* the file system lacks it (fsp_ops_unsupported) */
    if (fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    if (!S_ISREG(in->mode & S_IFMT) && 0 != (in->mode & S_IFMT))
        return fsp_reply_err(req, EINVAL);
    PWSTR dirpath = 0;
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, &dirpath);
    if (err)
        return fsp_reply_err(req, err);
    PSECURITY_DESCRIPTOR sd = 0; /* the thread's (fsp_ops_new_object_sd) */
    PVOID ctx = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    req->posix_open = true, req->posix_flags = in->flags;
    err = fsp_ops_new_object_sd(req, req->in->nodeid, in->mode, false, &sd);
    if (!err)
        err = fsp_ops_create_unnamed(req, dirpath, open_access(req, (int)in->flags) | DELETE, sd,
                                     &ctx, &info);
    if (err)
        return fsp_reply_err(req, err);
    struct {
        struct fuse_entry_out entry;
        struct fuse_open_out open;
    } out;
    memset(&out, 0, sizeof out);
    struct fsp_handle *h = 0;
    err = fsp_ops_fill_attr(req, 0, ctx, 0, &info, &out.entry.attr);
    if (!err)
        err = fsp_node_new_unnamed(req->engine, S_IFREG, info.FileInfo.IndexNumber,
                                   &out.entry.nodeid, &out.entry.generation);
    if (!err) {
        h = fsp_handle_new(req, out.entry.nodeid, ctx, 0, (int)in->flags, false);
        if (!h) {
            fsp_node_forget(req->engine, out.entry.nodeid, 1);
            err = ENOMEM;
        }
    }
    if (err) {
        fsp_ops_close(req, ctx, 0, 0); /* nameless: its Close removes it */
        return fsp_reply_err(req, err);
    }
    if (0 == out.entry.attr.ino)
        out.entry.attr.ino = out.entry.nodeid;
    fsp_engine_entry_timeout(req->engine, &out.entry.entry_valid, &out.entry.entry_valid_nsec);
    fsp_engine_attr_timeout(req->engine, &out.entry.attr_valid, &out.entry.attr_valid_nsec);
    out.open.fh = h->fh;
    out.open.open_flags = fsp_ops_open_flags(req, false);
    h->no_flush = out.open.open_flags & FOPEN_NOFLUSH;
    fsp_passthrough_open(req, h, &out.open);
    fsp_reply_data(req, &out, sizeof out);
    if (req->reply_error) {
        /* The kernel did not get it: no lookup reference, no open (the file goes at its Close). */
        fsp_node_forget(req->engine, out.entry.nodeid, 1);
        fsp_handle_unpublish(req->engine, h);
    }
}

/* Completion of a Read the file system finished later (or that was cancelled). */
static void read_complete(struct fsp_request *req, FSP_FSCTL_TRANSACT_RSP *rsp, void *ctx)
{
    size_t size = (size_t)(uintptr_t)ctx;
    int err = fsp_err_from_status((NTSTATUS)rsp->IoStatus.Status);
    fsp_attr_invalidate(req->engine, req->in->nodeid); /* its access time */
    if (FSP_EEND_OF_FILE == err)
        return fsp_reply_data(req, 0, 0);
    if (err)
        return fsp_reply_err(req, err);
    if (rsp->IoStatus.Information > size) {
        FspDebugLog("linfsp: Read returned %u bytes for a %zu-byte request\n",
                    rsp->IoStatus.Information, size);
        return fsp_reply_err(req, EIO);
    }
    fsp_reply_data(req, fsp_request_scratch(req), rsp->IoStatus.Information);
}

void fsp_op_read(struct fsp_request *req)
{
    const struct fuse_read_in *in = req->arg;
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    if (!req->fs->Interface->Read)
        return fsp_reply_err(req, ENOSYS); /* the file system lacks it (fsp_ops_unsupported) */
    fsp_ops_read_through(req, h); /* its access time (relatime), before the data */
    size_t size = in->size > FSP_ENGINE_MAX_WRITE ? FSP_ENGINE_MAX_WRITE : in->size;
    if (!fsp_request_prepare_pend(req))
        return fsp_reply_err(req, ENOMEM);
    void *buf = fsp_request_scratch(req);
    ULONG got = 0;
    req->treq.Req.Read.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    req->treq.Req.Read.Address = (UINT64)(uintptr_t)buf;
    req->treq.Req.Read.Offset = in->offset;
    req->treq.Req.Read.Length = (UINT32)size;
    fsp_op_enter(req, FspFsctlTransactReadKind);
    int err = fsp_err_from_status_pending(req->fs->Interface->Read(req->fs, FSP_OPS_CTX(h), buf,
                                                                   in->offset, (ULONG)size, &got));
    fsp_op_leave(req);
    if (FSP_EPENDING == err)
        return fsp_request_pend(req, read_complete, (void *)(uintptr_t)size);
    fsp_attr_invalidate(req->engine, h->nodeid); /* its access time */
    if (FSP_EEND_OF_FILE == err)
        return fsp_reply_data(req, 0, 0);
    if (err)
        return fsp_reply_err(req, err);
    if (got > size) {
        FspDebugLog("linfsp: Read returned %u bytes for a %zu-byte request\n", got, size);
        return fsp_reply_err(req, EIO);
    }
    fsp_reply_data(req, buf, got);
}

struct write_pending {
    size_t size;
    struct fsp_handle *h; /* alive while the kernel waits for the write */
    UINT64 since;
};

static void write_complete(struct fsp_request *req, FSP_FSCTL_TRANSACT_RSP *rsp, void *ctx)
{
    /* ctx: a write_pending, or (out of memory) the size shifted left and tagged with bit 0 */
    struct write_pending p = {(uintptr_t)ctx >> 1, 0, 0};
    if (!((uintptr_t)ctx & 1)) {
        p = *(struct write_pending *)ctx;
        free(ctx);
    }
    size_t size = p.size;
    int err = fsp_err_from_status((NTSTATUS)rsp->IoStatus.Status);
    fsp_attr_invalidate(req->engine, req->in->nodeid);
    if (err)
        return fsp_reply_err(req, err);
    /* This thread is the file system's own (inside FspFileSystemSendResponse): the times a
     * WinFsp file system leaves to Cleanup wait for the handle's release. A response without
     * FileInfo (times 0) tells nothing. */
    if (p.h && rsp->Rsp.Write.FileInfo.LastWriteTime)
        fsp_ops_owe(p.h, fsp_ops_owed_flags(req, &rsp->Rsp.Write.FileInfo, p.since,
                                            FSP_OPS_DATA_CHANGED));
    if (rsp->IoStatus.Information > size) {
        FspDebugLog("linfsp: Write reports %u bytes for a %zu-byte request\n",
                    rsp->IoStatus.Information, size);
        return fsp_reply_err(req, EIO);
    }
    struct fuse_write_out out;
    memset(&out, 0, sizeof out);
    out.size = rsp->IoStatus.Information;
    fsp_reply_data(req, &out, sizeof out);
}

void fsp_op_write(struct fsp_request *req)
{
    const struct fuse_write_in *in = req->arg;
    if (in->size > req->datalen)
        return fsp_reply_err(req, EINVAL);
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    if (!req->fs->Interface->Write)
        return fsp_reply_err(req, ENOSYS);
    void *data = (void *)req->data;
    int err = fsp_ops_kill_privs(req, h->nodeid, FSP_OPS_CTX(h), h->path,
                                 (in->write_flags & FUSE_WRITE_KILL_SUIDGID) ? FSP_KILLPRIV_SUIDGID
                                                                             : FSP_KILLPRIV_CAPS);
    if (err)
        return fsp_reply_err(req, err);
    if (!fsp_request_prepare_pend(req))
        return fsp_reply_err(req, ENOMEM);
    ULONG done = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    memset(&info, 0, sizeof info);
    struct fsp_attr_cached c;
    fsp_attr_cache_get(req->engine, h->nodeid, &c);
    UINT64 since = fsp_ops_since();
    req->treq.Req.Write.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    req->treq.Req.Write.Address = (UINT64)(uintptr_t)data;
    req->treq.Req.Write.Offset = in->offset;
    req->treq.Req.Write.Length = in->size;
    fsp_op_enter(req, FspFsctlTransactWriteKind);
    err = fsp_err_from_status_pending(
        req->fs->Interface->Write(req->fs, FSP_OPS_CTX(h), data, in->offset, in->size, FALSE, FALSE,
                                  &done, fsp_op_info_arg(req, &info)));
    fsp_op_leave(req);
    if (FSP_EPENDING == err) {
        struct write_pending *p = malloc(sizeof *p);
        if (p)
            *p = (struct write_pending){in->size, h, since};
        return fsp_request_pend(req, write_complete, p ? (void *)p : (void *)((uintptr_t)in->size << 1 | 1));
    }
    if (!err)
        fsp_attr_changed_to(req->engine, h->nodeid, c.gen, &info);
    else
        fsp_attr_invalidate(req->engine, h->nodeid);
    if (err)
        return fsp_reply_err(req, err);
    if (done > in->size) {
        FspDebugLog("linfsp: Write reports %u bytes for a %u-byte request\n", done, in->size);
        return fsp_reply_err(req, EIO);
    }
    if (done)
        fsp_ops_modified(req, h->nodeid, 0, h, FSP_OPS_CTX(h), since, FSP_OPS_DATA_CHANGED, &info);
    struct fuse_write_out out;
    memset(&out, 0, sizeof out);
    out.size = done;
    fsp_reply_data(req, &out, sizeof out);
}

/* FSYNC and FSYNCDIR: Flush of the open file or directory; datasync is ignored. */
void fsp_op_fsync(struct fsp_request *req)
{
    const struct fuse_fsync_in *in = req->arg;
    if (FUSE_FSYNCDIR == req->in->opcode && FSP_GONE_DIR_FH == in->fh)
        return fsp_reply_err(req, 0); /* a removed directory's handle (ops_dir.c): nothing to flush */
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    if (!req->fs->Interface->Flush)
        return fsp_reply_err(req, ENOSYS); /* nothing to flush: success (fsp_ops_unsupported) */
    FSP_FSCTL_OPEN_FILE_INFO info;
    memset(&info, 0, sizeof info);
    req->treq.Req.FlushBuffers.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    fsp_op_enter(req, FspFsctlTransactFlushBuffersKind);
    int err = fsp_err_from_status(req->fs->Interface->Flush(req->fs, FSP_OPS_CTX(h),
                                                            fsp_op_info_arg(req, &info)));
    fsp_op_leave(req);
    fsp_attr_invalidate(req->engine, h->nodeid);
    fsp_reply_err(req, err);
}

/* The LinFsp extension FlushDescriptor: one descriptor of the open was closed. */
static int flush_descriptor(struct fsp_request *req, struct fsp_handle *h, uint64_t owner)
{
    req->treq.Req.FlushBuffers.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    req->treq.Req.FlushBuffers.UserContext2 = 1; /* a file, never the volume (guard) */
    fsp_op_enter(req, FspFsctlTransactFlushBuffersKind);
    int err =
        fsp_err_from_status(req->fs->Interface->FlushDescriptor(req->fs, FSP_OPS_CTX(h), owner));
    fsp_op_leave(req);
    fsp_attr_invalidate(req->engine, h->nodeid); /* what it wrote back may change the size */
    return err;
}

void fsp_op_flush(struct fsp_request *req)
{
    const struct fuse_flush_in *in = req->arg;
    if (!req->fs->Interface->FlushDescriptor)
        return fsp_reply_err(req, ENOSYS); /* the kernel stops sending FLUSH */
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h || h->is_dir)
        return fsp_reply_err(req, EBADF);
    if (h->no_flush)
        return fsp_reply_err(req, 0);
    fsp_reply_err(req, flush_descriptor(req, h, in->lock_owner));
}

void fsp_ops_close_handle(struct fsp_engine *eng, struct fsp_handle *h)
{
    /* For the request in h->closer (its caller, its unique as Hint): the request that let the
     * handle go may be another one, even none (a completion), and may have answered already. */
    struct fsp_request r;
    memset(&r, 0, sizeof r);
    r.engine = eng;
    r.fs = fsp_engine_fs(eng);
    r.fd = -1;
    r.in = &h->closer;
    r.replied = true;
    /* Cleanup and Close get the file's current name: it may have been renamed while open. */
    PWSTR path = 0;
    if (0 != fsp_node_path(eng, h->nodeid, FSP_PATH_CLOSE, &path))
        path = 0;
    /* Out of the table before: a GETATTR of the unlinked file must not pick this context (done
     * by fsp_ops_release_handle). The Cleanup flags an asynchronous write left owed. */
    ULONG owed = fsp_ops_release_flags(h);
    fsp_ops_close(&r, FSP_OPS_CTX(h), path ? path : h->path, owed);
    if (owed)
        fsp_attr_invalidate(eng, h->nodeid); /* the times Cleanup set */
    /* The times an asynchronous write left to this Cleanup: the kernel sends RELEASE after
     * close(2) returned and may have cached the attributes from before them (for good with
     * FileInfoTimeout INFINITE). Only then, since dropping them also drops what the kernel knows
     * of the file's mode and owner. */
    if (owed)
        fsp_notify_inval_attr(eng, h->nodeid);
    fsp_passthrough_release(eng, h);
    fsp_handle_free(h);
}

/* RELEASE and RELEASEDIR: out of the table; closed now, or by the last request still using it. */
void fsp_ops_release_handle(struct fsp_request *req, bool dir)
{
    const struct fuse_release_in *in = req->arg;
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h || h->is_dir != dir)
        return fsp_reply_err(req, EBADF);
    h->closer = *req->in;
    /* Out of the table first: a GETATTR of the unlinked file must not pick this context. */
    fsp_handle_unpublish(req->engine, h);
    req->handle = 0;
    fsp_handle_put(req->engine, h, true);
    fsp_reply_err(req, 0);
}

void fsp_op_release(struct fsp_request *req)
{
    const struct fuse_release_in *in = req->arg;
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    bool unlock = (in->release_flags & FUSE_RELEASE_FLOCK_UNLOCK) && fi->Flock;
    bool flush = (in->release_flags & FUSE_RELEASE_FLUSH) && fi->FlushDescriptor;
    struct fsp_handle *h = (unlock || flush) ? fsp_handle_get(req, in->fh) : 0;
    if (h && !h->is_dir) {
        /* The open's flock(2) lock goes with its last descriptor (kept by the file system). */
        if (unlock) {
            req->treq.Req.LockControl.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
            fsp_op_enter(req, FspFsctlTransactLockControlKind);
            fi->Flock(req->fs, FSP_OPS_CTX(h), in->lock_owner, LOCK_UN);
            fsp_op_leave(req);
        }
        if (flush && !h->no_flush)
            flush_descriptor(req, h, in->lock_owner);
    }
    /* the handle stays the request's (req->handle) until fsp_ops_release_handle takes it again */
    fsp_ops_release_handle(req, false);
}

/*
 * FALLOCATE with Linux's semantics: through the Fallocate member (extension) when the file system
 * has it; otherwise modes 0 and KEEP_SIZE through SetFileSize: the size grows to the range's end
 * (mode 0), or the allocation does (KEEP_SIZE), and only when the range ends past both the size
 * and the allocation, since an allocation set below the size truncates the file (Windows rule)
 * and a sparse file's allocation is below its size.
 */
void fsp_op_fallocate(struct fsp_request *req)
{
    const struct fuse_fallocate_in *in = req->arg;
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    uint32_t mode = in->mode;
    const uint32_t known = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE;
    /* what vfs_fallocate refuses: unknown modes, punch and zero together, punch without keep */
    if ((mode & ~known) || ((mode & FALLOC_FL_PUNCH_HOLE) && (mode & FALLOC_FL_ZERO_RANGE)) ||
        ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)))
        return fsp_reply_err(req, EOPNOTSUPP);
    /* As the kernel's loff_t: negative offsets and lengths are EINVAL, an end past the largest
     * offset EFBIG (checked without wrapping). */
    if (in->offset > INT64_MAX || 0 == in->length || in->length > INT64_MAX)
        return fsp_reply_err(req, EINVAL);
    if (in->offset > INT64_MAX - in->length)
        return fsp_reply_err(req, EFBIG);
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    FSP_FSCTL_FILE_INFO *info = &oinfo.FileInfo;
    memset(&oinfo, 0, sizeof oinfo);
    int err;
    if (fi->Fallocate) {
        req->treq.Req.SetInformation.FileInformationClass = FileAllocationInformation;
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        err = fsp_err_from_status(fi->Fallocate(req->fs, FSP_OPS_CTX(h), mode, in->offset,
                                                in->length, fsp_op_info_arg(req, &oinfo)));
        fsp_op_leave(req);
        fsp_attr_invalidate(req->engine, h->nodeid);
        if (FSP_ENOT_SUPPORTED == err || FSP_EINVALID_DEVICE_REQUEST == err ||
            FSP_ENOT_IMPLEMENTED == err)
            return fsp_reply_err(req, EOPNOTSUPP);
        return fsp_reply_err(req, err);
    }
    if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) || !fi->SetFileSize || !fi->GetFileInfo)
        return fsp_reply_err(req, EOPNOTSUPP);
    UINT64 end = in->offset + in->length;
    UINT64 since = fsp_ops_since();
    bool grown = false;
    fsp_op_enter(req, FspFsctlTransactQueryInformationKind);
    err =
        fsp_err_from_status(fi->GetFileInfo(req->fs, FSP_OPS_CTX(h), fsp_op_info_arg(req, &oinfo)));
    fsp_op_leave(req);
    if (!err && end > info->FileSize) {
        bool keep = mode & FALLOC_FL_KEEP_SIZE;
        UINT64 allocation = info->AllocationSize;
        memset(&oinfo, 0, sizeof oinfo);
        req->treq.Req.SetInformation.FileInformationClass =
            keep ? FileAllocationInformation : FileEndOfFileInformation;
        if (!keep || end > allocation) {
            fsp_op_enter(req, FspFsctlTransactSetInformationKind);
            err = fsp_err_from_status(fi->SetFileSize(req->fs, FSP_OPS_CTX(h), end, keep,
                                                      fsp_op_info_arg(req, &oinfo)));
            fsp_op_leave(req);
            grown = !keep;
        }
        fsp_attr_invalidate(req->engine, h->nodeid);
    }
    if (!err && grown)
        fsp_ops_modified(req, h->nodeid, 0, h, FSP_OPS_CTX(h), since, FSP_OPS_DATA_CHANGED, &oinfo);
    fsp_reply_err(req, err);
}
