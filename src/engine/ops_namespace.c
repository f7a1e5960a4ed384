/*
 * src/engine/ops_namespace.c - changing names: UNLINK, RMDIR, RENAME,
 * RENAME2, LINK, SYMLINK, READLINK, MKNOD.
 *
 * Deleting follows WinFsp: Open the name, ask CanDelete/SetDelete, then
 * Cleanup with FspCleanupDelete and Close. With SupportsPosixUnlinkRename the
 * file system removes the name at once and keeps the file for its open
 * handles, which is POSIX unlink. Cleanup reports a delete that failed through
 * the operation context's response (LinFsp extension); when it reports
 * nothing, the engine checks that the name is gone.
 */
#include "ops.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define FileLinkInformation 11

/*
 * A Cleanup that did not say whether it deleted (a file system written for WinFsp, where Cleanup
 * cannot fail): is the name gone? It is, when it opens no more or now names another file (by
 * IndexNumber). Otherwise the delete did not happen (the reason is unknown: EIO).
 */
static int check_gone(struct fsp_request *req, PWSTR path, const FSP_FSCTL_FILE_INFO *was)
{
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    if (fsp_ops_open_path(req, path, FILE_READ_ATTRIBUTES, &ctx, &info))
        return 0;
    fsp_ops_close(req, ctx, path, 0);
    if (was->IndexNumber && info.FileInfo.IndexNumber != was->IndexNumber)
        return 0;
    FspDebugLog("linfsp: Cleanup did not delete %ls (nor report why)\n", path);
    return EIO;
}

/* Mark an open file for deletion (SetDelete, or CanDelete: ask; neither: nothing to ask). */
static int mark_delete(struct fsp_request *req, PVOID ctx, PWSTR path)
{
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    req->treq.Req.SetInformation.FileInformationClass = FileDispositionInformation;
    req->treq.FileName = path;
    fsp_op_enter(req, FspFsctlTransactSetInformationKind);
    int err = fi->SetDelete   ? fsp_err_from_status(fi->SetDelete(req->fs, ctx, path, TRUE))
              : fi->CanDelete ? fsp_err_from_status(fi->CanDelete(req->fs, ctx, path))
                              : 0;
    fsp_op_leave(req);
    return err;
}

static void remove_name(struct fsp_request *req, bool dir)
{
    const char *name = req->names[0];
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    PWSTR path = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, name, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    err = fsp_ops_open_path(req, path, DELETE | FILE_READ_ATTRIBUTES, &ctx, &oinfo);
    if (err)
        return fsp_reply_err(req, err);
    const FSP_FSCTL_FILE_INFO *info = &oinfo.FileInfo;
    bool is_dir = (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
                  !((info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) &&
                    IO_REPARSE_TAG_SYMLINK == info->ReparseTag);
    /* A removed directory may live on as a process's working directory, which has neither a
     * name nor an open handle to ask the file system about: its attributes are kept. */
    struct fuse_attr gone;
    bool keep = dir && is_dir && 0 == fsp_ops_fill_attr(req, 0, ctx, path, &oinfo, &gone);
    if (dir && !is_dir)
        err = ENOTDIR;
    else if (!dir && is_dir)
        err = EISDIR;
    else if (!fi->Cleanup)
        err = FSP_EACCESS_DENIED; /* files are deleted in Cleanup: it cannot delete */
    else
        err = mark_delete(req, ctx, path);
    int deleted = fsp_ops_close(req, ctx, path, !err ? FspCleanupDelete : 0);
    if (!err)
        err = FSP_EPENDING == deleted ? check_gone(req, path, info) : deleted;
    /* The node goes only with the name: a delete that did not happen keeps both. */
    if (err)
        return fsp_reply_err(req, err);
    fsp_attr_invalidate(req->engine, req->in->nodeid); /* its directory changed */
    if (keep)
        fsp_node_keep_gone_attr(req->engine, req->in->nodeid, name, &gone);
    fsp_node_unlinked(req->engine, req->in->nodeid, name); /* and the file (its links) */
    if (dir)
        fsp_node_subdirs_add(req->engine, req->in->nodeid, -1);
    fsp_reply_err(req, 0);
}

void fsp_op_unlink(struct fsp_request *req)
{
    remove_name(req, false);
}

void fsp_op_rmdir(struct fsp_request *req)
{
    remove_name(req, true);
}

/*
 * The attributes of a directory that a rename is about to replace, kept should the rename
 * succeed (see remove_name): only when the kernel knows the target as a directory.
 */
static bool replaced_dir_attr(struct fsp_request *req, uint64_t newdir, const char *newname,
                              PWSTR newpath, struct fuse_attr *attr)
{
    if (!S_ISDIR(fsp_node_child_type(req->engine, newdir, newname)))
        return false;
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    if (fsp_ops_open_path(req, newpath, FILE_READ_ATTRIBUTES, &ctx, &info))
        return false;
    bool got = (info.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
               0 == fsp_ops_fill_attr(req, 0, ctx, newpath, &info, attr);
    fsp_ops_close(req, ctx, newpath, 0);
    return got;
}

/* A directory to Linux (a symlink reparse point carrying the directory attribute is a symlink). */
static bool is_directory(const FSP_FSCTL_FILE_INFO *info)
{
    return (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
           !((info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) &&
             IO_REPARSE_TAG_SYMLINK == info->ReparseTag);
}

static int call_rename(struct fsp_request *req, PVOID ctx, PWSTR oldpath, PWSTR newpath,
                       BOOLEAN replace)
{
    req->treq.Req.SetInformation.FileInformationClass = FileRenameInformation;
    req->treq.Req.SetInformation.Info.Rename.AccessToken = (UINT64)req->in->pid << 32;
    req->treq.FileName = oldpath;
    fsp_op_enter(req, FspFsctlTransactSetInformationKind);
    int err = fsp_err_from_status(req->fs->Interface->Rename(req->fs, ctx, oldpath, newpath, replace));
    fsp_op_leave(req);
    return err;
}

/* The security descriptor of an open file (GetSecurity), malloc'ed; NULL when there is none. */
static PSECURITY_DESCRIPTOR security_of(struct fsp_request *req, PVOID ctx)
{
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    if (!fi->GetSecurity)
        return 0;
    for (SIZE_T size = 1024; size <= 65536; size *= 4) {
        PSECURITY_DESCRIPTOR sd = malloc(size);
        if (!sd)
            return 0;
        SIZE_T got = size;
        fsp_op_enter(req, FspFsctlTransactQuerySecurityKind);
        int err = fsp_err_from_status(fi->GetSecurity(req->fs, ctx, sd, &got));
        fsp_op_leave(req);
        if (!err && got <= size && FspIsValidSecurityDescriptor(sd, got))
            return sd;
        free(sd);
        if (FSP_EBUFFER_OVERFLOW != err && FSP_EBUFFER_TOO_SMALL != err)
            return 0;
    }
    return 0;
}

/*
 * rename(2) of a directory onto an existing empty directory: POSIX replaces the target, while
 * Windows refuses, and so do WinFsp file systems (STATUS_ACCESS_DENIED, as NTFS; some answer
 * STATUS_OBJECT_NAME_COLLISION). The engine then deletes the empty target the way unlink does
 * (SetDelete or CanDelete, Cleanup with FspCleanupDelete, Close) and calls Rename again.
 *
 * The whole sequence runs with the operation guard held as one rename (exclusive with FINE and
 * COARSE), so that no other operation the engine passes to the file system (opens of names,
 * creations, deletions, renames, listings) runs in between: nobody sees the target missing.
 * The kernel holds both parent directories locked for the rename as well. A target that is
 * not empty gives ENOTEMPTY (as on Linux). If the second Rename fails, the engine creates the
 * target directory again with its security descriptor (its times, attributes and EAs are
 * lost) and reports the failure; the source is left as it was.
 */
static int rename_over_directory(struct fsp_request *req, PVOID ctx, PWSTR oldpath,
                                 PWSTR newpath, int refused, bool *preplaced)
{
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    if (!fi->Cleanup)
        return refused; /* it could not delete the target anyway */
    FSP_FSCTL_TRANSACT_REQ held;
    fsp_op_hold_guard(req, &held);
    PVOID tctx;
    FSP_FSCTL_OPEN_FILE_INFO tinfo;
    int err = fsp_ops_open_path(req, newpath, DELETE | FILE_READ_ATTRIBUTES | READ_CONTROL, &tctx,
                                &tinfo);
    if (err) {
        /* the target went meanwhile (or cannot be opened): the refusal stands, unless it is gone */
        if (FSP_ENAME_NOT_FOUND == err)
            err = call_rename(req, ctx, oldpath, newpath, TRUE);
        else
            err = refused;
        fsp_op_release_guard(req, &held);
        return err;
    }
    if (!is_directory(&tinfo.FileInfo)) {
        fsp_ops_close(req, tctx, newpath, 0);
        fsp_op_release_guard(req, &held);
        return refused;
    }
    err = mark_delete(req, tctx, newpath);
    PSECURITY_DESCRIPTOR sd = !err ? security_of(req, tctx) : 0;
    fsp_ops_close(req, tctx, newpath, !err ? FspCleanupDelete : 0);
    if (!err) {
        err = call_rename(req, ctx, oldpath, newpath, TRUE);
        if (!err)
            *preplaced = true;
        else {
            /* put the empty target back as it was, as far as the interface allows */
            PVOID nctx;
            FSP_FSCTL_OPEN_FILE_INFO ninfo;
            if (!fsp_ops_create_object(req, newpath, FILE_DIRECTORY_FILE,
                                       FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
                                       FILE_ATTRIBUTE_DIRECTORY, sd, 0, 0, &nctx, &ninfo))
                fsp_ops_close(req, nctx, newpath, 0);
            else
                FspDebugLog("linfsp: rename over a directory failed and its target could not be "
                            "created again\n");
        }
    }
    free(sd);
    fsp_op_release_guard(req, &held);
    return err;
}

static void do_rename(struct fsp_request *req, uint64_t newdir, uint32_t flags)
{
    const char *oldname = req->names[0], *newname = req->names[1];
    bool exchange = flags & RENAME_EXCHANGE;
    /* RENAME_WHITEOUT (overlayfs) has no counterpart; RENAME_EXCHANGE goes to the LinFsp
     * extension RenameExchange and cannot be combined with RENAME_NOREPLACE. */
    if ((flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
        (exchange && (flags & RENAME_NOREPLACE)))
        return fsp_reply_err(req, EINVAL);
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    /* A file system without RenameExchange lacks a flag, not the operation: EINVAL, as Linux
     * file systems that cannot exchange answer (ENOSYS would make the kernel refuse every
     * RENAME2 flag for the whole mount). */
    if (exchange && !fi->RenameExchange)
        return fsp_reply_err(req, EINVAL);
    if (!exchange && !fi->Rename)
        return fsp_reply_err(req, ENOSYS);
    PWSTR oldpath = 0, newpath = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, oldname, FSP_PATH_NODE, &oldpath);
    if (!err)
        err = fsp_node_child_path(req->engine, newdir, newname, FSP_PATH_OTHER, &newpath);
    if (err)
        return fsp_reply_err(req, err);
    if (0 == wcscmp(oldpath, newpath))
        return fsp_reply_err(req, 0);
    /* What the node table needs comes first: once the file system has renamed, recording it
     * must not fail (a node left without a name the kernel still uses). */
    struct fsp_node_rename nr;
    err = fsp_node_rename_prepare(req->engine, oldname, newname, &nr);
    if (err)
        return fsp_reply_err(req, err);
    struct fuse_attr gone;
    bool keep = !exchange && replaced_dir_attr(req, newdir, newname, newpath, &gone);
    BOOLEAN replace = (flags & RENAME_NOREPLACE) ? FALSE : TRUE;
    bool counts = !req->fs->VolumeParams.HardLinks; /* the engine keeps directories' st_nlink */
    bool src_dir = false, target_dir = false;
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = fsp_ops_open_path(req, oldpath, DELETE | FILE_READ_ATTRIBUTES, &ctx, &info);
    if (!err) {
        src_dir = is_directory(&info.FileInfo);
        if (counts && (exchange || (src_dir && replace))) {
            /* is the target a directory (a directory goes, or an exchange moves one)? */
            PVOID tctx;
            FSP_FSCTL_OPEN_FILE_INFO tinfo;
            if (!fsp_ops_open_path(req, newpath, FILE_READ_ATTRIBUTES, &tctx, &tinfo)) {
                target_dir = is_directory(&tinfo.FileInfo);
                fsp_ops_close(req, tctx, newpath, 0);
            }
        }
        if (exchange) {
            req->treq.Req.SetInformation.FileInformationClass = FileRenameInformation;
            req->treq.Req.SetInformation.Info.Rename.AccessToken = (UINT64)req->in->pid << 32;
            req->treq.FileName = oldpath;
            fsp_op_enter(req, FspFsctlTransactSetInformationKind);
            err = fsp_err_from_status(fi->RenameExchange(req->fs, ctx, oldpath, newpath));
            fsp_op_leave(req);
        } else {
            err = call_rename(req, ctx, oldpath, newpath, replace);
            if ((FSP_EACCESS_DENIED == err || FSP_ENAME_COLLISION == err) && src_dir && replace) {
                bool replaced = false;
                err = rename_over_directory(req, ctx, oldpath, newpath, err, &replaced);
                target_dir = replaced;
            }
        }
        fsp_ops_close(req, ctx, oldpath, 0);
    }
    if (err) {
        fsp_node_rename_discard(&nr);
        return fsp_reply_err(req, err);
    }
    /* Both directories changed; fsp_node_renamed and fsp_node_exchanged drop the attributes
     * of the files they move (and of the replaced file). */
    fsp_attr_invalidate(req->engine, req->in->nodeid);
    fsp_attr_invalidate(req->engine, newdir);
    if (exchange) {
        fsp_node_exchanged(req->engine, req->in->nodeid, newdir, &nr);
        if (counts && src_dir != target_dir) {
            /* the directory of the two moved from one parent to the other */
            fsp_node_subdirs_add(req->engine, req->in->nodeid, src_dir ? -1 : +1);
            fsp_node_subdirs_add(req->engine, newdir, src_dir ? +1 : -1);
        }
    } else {
        if (keep)
            fsp_node_keep_gone_attr(req->engine, newdir, newname, &gone);
        fsp_node_renamed(req->engine, req->in->nodeid, newdir, &nr);
        if (counts && src_dir) {
            fsp_node_subdirs_add(req->engine, req->in->nodeid, -1);
            fsp_node_subdirs_add(req->engine, newdir, target_dir ? 0 : +1);
        }
    }
    fsp_reply_err(req, 0);
}

void fsp_op_rename(struct fsp_request *req)
{
    const struct fuse_rename_in *in = req->arg;
    do_rename(req, in->newdir, 0);
}

void fsp_op_rename2(struct fsp_request *req)
{
    const struct fuse_rename2_in *in = req->arg;
    do_rename(req, in->newdir, in->flags);
}

/* LINK made newpath but cannot answer with its entry: remove the new name again, as UNLINK. */
static void undo_link(struct fsp_request *req, PWSTR newpath)
{
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    int err = fsp_ops_open_path(req, newpath, DELETE | FILE_READ_ATTRIBUTES, &ctx, &info);
    if (!err) {
        err = mark_delete(req, ctx, newpath);
        int deleted = fsp_ops_close(req, ctx, newpath, !err ? FspCleanupDelete : 0);
        if (!err && FSP_EPENDING != deleted)
            err = deleted;
    }
    if (err)
        FspDebugLog("linfsp: the link made for a failed LINK was not removed (errno %d)\n",
                    fsp_err_public(err));
}

/* LINK of a file without a name (TMPFILE's): CreateHardLink on one of its open handles. */
struct link_unnamed {
    struct fsp_request *req;
    PWSTR newpath;
    FSP_FSCTL_OPEN_FILE_INFO info;
    struct fuse_attr attr;
    int status; /* CreateHardLink's */
    int err;    /* then fsp_ops_fill_attr's */
};

static int link_unnamed_fn(struct fsp_handle *h, void *arg)
{
    struct link_unnamed *l = arg;
    struct fsp_request *req = l->req;
    if (h->is_dir)
        return ENOENT;
    memset(&l->info, 0, sizeof l->info);
    req->treq.Req.SetInformation.FileInformationClass = FileLinkInformation;
    req->treq.FileName = 0;
    fsp_op_enter(req, FspFsctlTransactSetInformationKind);
    l->status = fsp_err_from_status(req->fs->Interface->CreateHardLink(req->fs, FSP_OPS_CTX(h), 0,
                                                                       l->newpath,
                                                                       fsp_op_info_arg(req, &l->info)));
    fsp_op_leave(req);
    fsp_attr_invalidate(req->engine, h->nodeid); /* its link count */
    fsp_attr_invalidate(req->engine, req->in->nodeid); /* the new name's directory */
    if (!l->status)
        l->err = fsp_ops_fill_attr(req, 0, FSP_OPS_CTX(h), l->newpath, &l->info, &l->attr);
    return 0;
}

static void link_unnamed(struct fsp_request *req, uint64_t oldnodeid, const char *newname,
                         PWSTR newpath)
{
    struct link_unnamed l;
    memset(&l, 0, sizeof l);
    l.req = req, l.newpath = newpath;
    int err = fsp_handle_with_node(req, oldnodeid, link_unnamed_fn, &l);
    if (err)
        return fsp_reply_err(req, err);
    if (l.status)
        return fsp_reply_err(req, l.status);
    /* The name is the node's own: the kernel keeps the inode it has for the open file. */
    struct fuse_entry_out out;
    memset(&out, 0, sizeof out);
    out.attr = l.attr;
    err = l.err;
    if (!err) {
        fsp_node_named(req->engine, oldnodeid, req->in->nodeid, newname);
        err = fsp_ops_enter_entry(req, req->in->nodeid, newname, &l.info, &out);
    }
    if (err) { /* the caller is told the link was not made: it must not be */
        undo_link(req, newpath);
        return fsp_reply_err(req, err);
    }
    fsp_ops_reply_entry(req, &out);
}

void fsp_op_link(struct fsp_request *req)
{
    const struct fuse_link_in *in = req->arg;
    const char *newname = req->names[0];
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->CreateHardLink || !fs->VolumeParams.HardLinks)
        return fsp_reply_err(req, ENOSYS);
    if (fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    PWSTR oldpath = 0, newpath = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, newname, FSP_PATH_OTHER, &newpath);
    if (err)
        return fsp_reply_err(req, err);
    err = fsp_node_path(req->engine, in->oldnodeid, FSP_PATH_NODE, &oldpath);
    if (ENOENT == err) {
        /* No name: a file made by TMPFILE, which the kernel lets link(2) name (it refuses
         * files whose names were all removed). It is reached through its open handle. */
        link_unnamed(req, in->oldnodeid, newname, newpath);
        return;
    }
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = fsp_ops_open_path(req, oldpath, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, &ctx, &info);
    if (!err && (info.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        fsp_ops_close(req, ctx, oldpath, 0);
        err = EPERM; /* no hard links to directories */
    } else if (!err) {
        req->treq.Req.SetInformation.FileInformationClass = FileLinkInformation;
        req->treq.FileName = oldpath;
        memset(&info, 0, sizeof info);
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        err = fsp_err_from_status(fs->Interface->CreateHardLink(fs, ctx, oldpath, newpath,
                                                                fsp_op_info_arg(req, &info)));
        fsp_op_leave(req);
        fsp_attr_invalidate(req->engine, in->oldnodeid); /* its link count */
        fsp_attr_invalidate(req->engine, req->in->nodeid); /* the new name's directory */
        if (!err) {
            struct fuse_entry_out out;
            /* The new name is the old node's (one kernel inode per file), when the file
             * system gives the file an IndexNumber. */
            if (info.FileInfo.IndexNumber)
                fsp_node_register_index(req->engine, in->oldnodeid, info.FileInfo.IndexNumber);
            err = fsp_ops_make_entry(req, req->in->nodeid, newname, ctx, newpath, &info, &out);
            fsp_ops_close(req, ctx, oldpath, 0);
            if (err) /* the caller is told the link was not made: it must not be */
                undo_link(req, newpath);
            /* Otherwise the old name is another kernel inode: its cached link count is stale,
             * and a chmod through the new name would not unmark it (ops_killpriv.c). */
            fsp_node_set_flag(req->engine, in->oldnodeid, FSP_NODE_NO_PRIVS, false);
            if (!err && out.nodeid != in->oldnodeid)
                fsp_notify_inval_attr(req->engine, in->oldnodeid);
            if (err)
                return fsp_reply_err(req, err);
            return fsp_ops_reply_entry(req, &out);
        }
        fsp_ops_close(req, ctx, oldpath, 0);
    }
    fsp_reply_err(req, err);
}

/* Create a name carrying reparse data (symlink or special file) and answer with its entry. */
static void create_special(struct fsp_request *req, const char *name, uint32_t mode, void *reparse,
                           size_t reparse_len)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    if (reparse && !fs->VolumeParams.ReparsePoints)
        return fsp_reply_err(req, ENOSYS);
    if (fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    PWSTR path = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, name, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = fsp_ops_create_child(req, path, mode, false, FILE_NON_DIRECTORY_FILE,
                               FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | DELETE,
                               reparse ? FILE_ATTRIBUTE_REPARSE_POINT : FILE_ATTRIBUTE_ARCHIVE,
                               reparse, (ULONG)reparse_len, &ctx, &info);
    fsp_attr_invalidate(req->engine, req->in->nodeid); /* its directory changed */
    if (err)
        return fsp_reply_err(req, err);
    struct fuse_entry_out out;
    err = fsp_ops_make_entry(req, req->in->nodeid, name, ctx, path, &info, &out);
    /* no entry to answer with: the caller is told it was not made, so it must not be */
    if (err && 0 != fsp_ops_close(req, ctx, path, FspCleanupDelete))
        FspDebugLog("linfsp: an object made for a failed MKNOD/SYMLINK may not be deleted\n");
    else if (!err)
        fsp_ops_close(req, ctx, path, 0);
    if (err)
        return fsp_reply_err(req, err);
    fsp_ops_reply_entry(req, &out);
}

void fsp_op_symlink(struct fsp_request *req)
{
    const char *name = req->names[0], *target = req->names[1];
    void *rp = 0;
    size_t rplen = 0;
    int err = fsp_ops_symlink_reparse(target, &rp, &rplen);
    if (err)
        return fsp_reply_err(req, err);
    create_special(req, name, 0777, rp, rplen);
    free(rp);
}

void fsp_op_readlink(struct fsp_request *req)
{
    PWSTR path = 0;
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = fsp_ops_open_path(req, path, FILE_READ_ATTRIBUTES, &ctx, &info);
    void *data = 0;
    size_t size = 0;
    if (!err) {
        err = fsp_ops_get_reparse(req, ctx, path, &data, &size);
        fsp_ops_close(req, ctx, path, 0);
    }
    if (err)
        return fsp_reply_err(req, FSP_ENOT_REPARSE == err ? EINVAL : err);
    char *target = 0;
    err = fsp_ops_symlink_target(data, size, &target);
    free(data);
    if (err)
        return fsp_reply_err(req, err);
    fsp_reply_data(req, target, strlen(target));
    FspPosixDeletePath(target);
}

void fsp_op_mknod(struct fsp_request *req)
{
    const struct fuse_mknod_in *in = req->arg;
    const char *name = req->names[0];
    uint32_t type = in->mode & S_IFMT;
    if (S_ISREG(type) || 0 == type)
        return create_special(req, name, in->mode, 0, 0);
    UINT64 spec;
    switch (type) {
    case S_IFIFO:
        spec = NFS_SPECFILE_FIFO;
        break;
    case S_IFSOCK:
        spec = NFS_SPECFILE_SOCK;
        break;
    case S_IFCHR:
        spec = NFS_SPECFILE_CHR;
        break;
    case S_IFBLK:
        spec = NFS_SPECFILE_BLK;
        break;
    default:
        return fsp_reply_err(req, EINVAL);
    }
    /* IO_REPARSE_TAG_NFS data: the type, then major and minor for devices. */
    size_t dlen = (NFS_SPECFILE_CHR == spec || NFS_SPECFILE_BLK == spec) ? 16 : 8;
    size_t size = REPARSE_DATA_BUFFER_HEADER_SIZE + dlen;
    REPARSE_DATA_BUFFER *rp = calloc(1, size);
    if (!rp)
        return fsp_reply_err(req, ENOMEM);
    rp->ReparseTag = IO_REPARSE_TAG_NFS;
    rp->ReparseDataLength = (USHORT)dlen;
    memcpy(rp->GenericReparseBuffer.DataBuffer, &spec, 8);
    if (16 == dlen) {
        UINT32 mm[2] = {major(in->rdev), minor(in->rdev)};
        memcpy(rp->GenericReparseBuffer.DataBuffer + 8, mm, 8);
    }
    create_special(req, name, in->mode & 07777, rp, size);
    free(rp);
}
