/*
 * src/engine/ops_entry.c - names and attributes: LOOKUP, FORGET,
 * BATCH_FORGET, GETATTR, STATX, SETATTR, STATFS, ACCESS.
 */
#include "ops.h"
#include "uring.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

void fsp_op_lookup(struct fsp_request *req)
{
    const char *name = req->names[0];
    PWSTR path = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, name, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = fsp_ops_open_path(req, path, FILE_READ_ATTRIBUTES, &ctx, &info);
    if (FSP_ENAME_NOT_FOUND == err || FSP_EPATH_NOT_FOUND == err) {
        struct fuse_entry_out out;
        memset(&out, 0, sizeof out);
        fsp_engine_negative_timeout(req->engine, &out.entry_valid, &out.entry_valid_nsec);
        /* The kernel's name cache is case-sensitive: on a case-insensitive volume a cached
         * failure of one spelling would hide the file another spelling creates. */
        if (!req->fs->VolumeParams.CaseSensitiveSearch)
            out.entry_valid = 0, out.entry_valid_nsec = 0;
        if (0 == out.entry_valid && 0 == out.entry_valid_nsec)
            return fsp_reply_err(req, ENOENT);
        return fsp_reply_data(req, &out, sizeof out); /* a cached negative entry */
    }
    if (err)
        return fsp_reply_err(req, err);
    struct fuse_entry_out out;
    err = fsp_ops_make_entry(req, req->in->nodeid, name, ctx, path, &info, &out);
    fsp_ops_close(req, ctx, path, 0);
    if (err)
        return fsp_reply_err(req, err);
    fsp_ops_reply_entry(req, &out);
}

void fsp_op_forget(struct fsp_request *req)
{
    const struct fuse_forget_in *in = req->arg;
    fsp_node_forget(req->engine, req->in->nodeid, in->nlookup);
    fsp_reply_none(req);
}

void fsp_op_batch_forget(struct fsp_request *req)
{
    const struct fuse_batch_forget_in *in = req->arg;
    size_t room = req->datalen / sizeof(struct fuse_forget_one);
    const struct fuse_forget_one *one = req->data;
    uint32_t n = in->count <= room ? in->count : (uint32_t)room;
    if (n != in->count)
        FspDebugLog("linfsp: BATCH_FORGET claims %u entries but carries %zu\n", in->count, room);
    for (uint32_t i = 0; i < n; i++)
        fsp_node_forget(req->engine, one[i].nodeid, one[i].nlookup);
    fsp_reply_none(req);
}

/* The file an attribute request is about: its open handle, a by-name open, or (unlinked) any open. */
struct target {
    PVOID ctx;
    PWSTR path;
    bool opened; /* we opened it and must close it */
    const FSP_FSCTL_OPEN_FILE_INFO *info; /* what opening it by name returned, or NULL */
    struct fsp_handle *h; /* the open handle it came from, if any */
};

static int open_target(struct fsp_request *req, bool use_fh, uint64_t fh, UINT32 access,
                       struct target *t, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    memset(t, 0, sizeof *t);
    if (use_fh) {
        struct fsp_handle *h = fsp_handle_get(req, fh);
        if (!h)
            return EBADF;
        t->ctx = FSP_OPS_CTX(h);
        t->h = h;
        return 0;
    }
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, &t->path);
    if (err)
        return err;
    int oerr = fsp_ops_open_path(req, t->path, access, &t->ctx, info);
    if (oerr) {
        t->path = 0;
        return fsp_err_public(oerr);
    }
    t->opened = true;
    t->info = info;
    return 0;
}

static void close_target(struct fsp_request *req, struct target *t)
{
    if (t->opened)
        fsp_ops_close(req, t->ctx, t->path, 0);
}

/* FILETIME plus its nanoseconds below 100 ns -> statx time (0 stays 1601-based, as for the
 * other times). */
static struct fsp_fuse_sx_time sx_time(UINT64 ft, UINT8 ns)
{
    UINT64 ut[2];
    FspPosixFileTimeToUnixTime(ft, ut);
    struct fsp_fuse_sx_time t = {(int64_t)ut[0], (uint32_t)ut[1] + (ns > 99 ? 99 : ns), 0};
    return t;
}

/*
 * Reply to GETATTR with out (the node's nodeid as ino when it has none, the attribute timeout
 * less the age of cached data in it), or to STATX with the same attributes and the birth time
 * (CreationTime, with its nanoseconds from file systems that keep them); st_nlink as the engine
 * keeps it. info NULL: no birth time.
 */
static void send_attr(struct fsp_request *req, const struct fuse_attr_out *pout,
                      const FSP_FSCTL_OPEN_FILE_INFO *info)
{
    struct fuse_attr_out o = *pout, *out = &o;
    if (0 == o.attr.ino)
        o.attr.ino = req->in->nodeid;
    /* st_nlink as the engine keeps it when the file system keeps no link counts */
    if (info)
        fsp_ops_fix_nlink(req, req->in->nodeid, &info->FileInfo, &o.attr);
    else if (!req->fs->VolumeParams.HardLinks)
        o.attr.nlink = fsp_node_nlink(req->engine, req->in->nodeid, S_ISDIR(o.attr.mode), o.attr.nlink);
    fsp_engine_attr_timeout_aged(req->engine, req->attr_age_ms, &o.attr_valid, &o.attr_valid_nsec);
    /* Each name of a hard-linked file is its own kernel inode: do not cache what another name may change. */
    if (o.attr.nlink > 1 && !S_ISDIR(o.attr.mode))
        o.attr_valid = 0, o.attr_valid_nsec = 0;
    if (FUSE_STATX != req->in->opcode)
        return fsp_reply_data(req, out, sizeof *out);
    struct fsp_fuse_statx_out sx;
    memset(&sx, 0, sizeof sx);
    const struct fuse_attr *a = &out->attr;
    UINT64 birth = info ? info->FileInfo.CreationTime : 0;
    sx.attr_valid = out->attr_valid;
    sx.attr_valid_nsec = out->attr_valid_nsec;
    sx.stat.mask = STATX_BASIC_STATS | (birth ? STATX_BTIME : 0);
    sx.stat.blksize = a->blksize;
    sx.stat.nlink = a->nlink;
    sx.stat.uid = a->uid;
    sx.stat.gid = a->gid;
    sx.stat.mode = (uint16_t)a->mode;
    sx.stat.ino = a->ino;
    sx.stat.size = a->size;
    sx.stat.blocks = a->blocks;
    sx.stat.atime = (struct fsp_fuse_sx_time){(int64_t)a->atime, a->atimensec, 0};
    sx.stat.mtime = (struct fsp_fuse_sx_time){(int64_t)a->mtime, a->mtimensec, 0};
    sx.stat.ctime = (struct fsp_fuse_sx_time){(int64_t)a->ctime, a->ctimensec, 0};
    if (birth)
        sx.stat.btime = sx_time(birth, req->fs->VolumeParams.NanosecondTimes ? info->Nsec.CreationTime : 0);
    sx.stat.rdev_major = major(a->rdev);
    sx.stat.rdev_minor = minor(a->rdev);
    fsp_reply_data(req, &sx, sizeof sx);
}

/* Reply with the attributes of the request's node, read (info) while its change count was gen. */
static void reply_attr(struct fsp_request *req, uint32_t gen, PVOID ctx, PWSTR path,
                       const FSP_FSCTL_OPEN_FILE_INFO *info)
{
    struct fuse_attr_out out;
    memset(&out, 0, sizeof out);
    int err = fsp_ops_fill_attr(req, req->in->nodeid, ctx, path, info, &out.attr);
    if (err)
        return fsp_reply_err(req, err);
    fsp_attr_cache_put(req->engine, req->in->nodeid, gen, info, 0);
    send_attr(req, &out, info);
}

static int getattr_by_handle(struct fsp_handle *h, void *arg)
{
    struct fsp_request *req = arg;
    FSP_FSCTL_OPEN_FILE_INFO info;
    int err = fsp_ops_get_file_info(req, FSP_OPS_CTX(h), &info);
    if (err)
        return fsp_err_public(err);
    reply_attr(req, FSP_ATTR_GEN_NONE, FSP_OPS_CTX(h), 0, &info);
    return 0;
}

void fsp_op_statx(struct fsp_request *req)
{
    /* the getattr_flags and fh come first, as in GETATTR; sx_flags and sx_mask ask for no more
     * than the engine always gives */
    fsp_op_getattr(req);
}

void fsp_op_getattr(struct fsp_request *req)
{
    const struct fuse_getattr_in *in = req->arg;
    bool use_fh = in->getattr_flags & FUSE_GETATTR_FH;
    /* Cached while FileInfoTimeout allows and nothing changed the file: no file system call. */
    struct fsp_attr_cached c;
    fsp_attr_cache_get(req->engine, req->in->nodeid, &c);
    if (c.has_info && c.has_owner) {
        struct fuse_attr_out out;
        memset(&out, 0, sizeof out);
        uint32_t type = c.owner[2] & S_IFMT;
        fsp_attr_from_info(req->engine, &c.info, c.owner[0], c.owner[1], c.owner[2], type, 0,
                           &out.attr);
        req->attr_age_ms = c.owner_age_ms > c.info_age_ms ? c.owner_age_ms : c.info_age_ms;
        return send_attr(req, &out, &c.info);
    }
    struct target t;
    FSP_FSCTL_OPEN_FILE_INFO info;
    int err = open_target(req, use_fh, in->fh, FILE_READ_ATTRIBUTES, &t, &info);
    if (ENOENT == err && !use_fh) {
        /* No name (unlinked while open): answer from one of its open handles. */
        err = fsp_handle_with_node(req, req->in->nodeid, getattr_by_handle, req);
        if (!err)
            return;
        /* A removed directory that is only a process's working directory: what was kept. */
        struct fuse_attr_out out;
        memset(&out, 0, sizeof out);
        if (ENOENT == err && fsp_node_gone_attr(req->engine, req->in->nodeid, &out.attr)) {
            fsp_engine_attr_timeout(req->engine, &out.attr_valid, &out.attr_valid_nsec);
            return send_attr(req, &out, 0);
        }
    }
    if (err)
        return fsp_reply_err(req, err);
    if (use_fh) {
        err = fsp_ops_get_file_info(req, t.ctx, &info);
        if (err)
            return fsp_reply_err(req, err);
    }
    reply_attr(req, c.gen, t.ctx, t.path, &info);
    close_target(req, &t);
}

/* A time from the kernel as FILETIME, and in *pns its nanoseconds below 100 ns. */
static UINT64 to_filetime(uint64_t sec, uint32_t nsec, UINT8 *pns)
{
    /* The kernel passes any s64 seconds: clamp to FILETIME's range (1601 .. year 30828)
     * so the conversion cannot overflow. */
    int64_t s = (int64_t)sec;
    *pns = 0;
    if (s < -11644473600LL)
        return 1;
    if (s > 910692730084LL)
        s = 910692730084LL;
    if (nsec > 999999999u)
        nsec = 999999999u;
    UINT64 ut[2] = {(UINT64)s, nsec}, ft;
    FspPosixUnixTimeToFileTime(ut, &ft);
    if (!ft)
        return 1; /* 0 means "unchanged" to SetBasicInfo */
    *pns = (UINT8)(nsec % 100);
    return ft;
}

/*
 * chmod/chown with the LinFsp extension SetPosixSecurity: the file system gets what the caller
 * asked, also when it changes nothing (it may refuse even that, as bindfs --chmod-deny does).
 */
static int set_posix_security(struct fsp_request *req, PVOID ctx, PWSTR path,
                              const struct fuse_setattr_in *in)
{
    UINT32 which = ((in->valid & FATTR_MODE) ? FSP_FSCTL_POSIX_SET_MODE : 0) |
                   ((in->valid & FATTR_UID) ? FSP_FSCTL_POSIX_SET_UID : 0) |
                   ((in->valid & FATTR_GID) ? FSP_FSCTL_POSIX_SET_GID : 0);
    uint32_t mode = in->mode; /* with the file type bits, as the kernel sends it */
    /* A new owner takes no privileges along (FUSE_HANDLE_KILLPRIV_V2: the kernel asks us, for
     * every file type but directories, as chown(2) does on Linux). */
    if ((in->valid & FATTR_KILL_SUIDGID) && (in->valid & (FATTR_UID | FATTR_GID)) &&
        !(in->valid & FATTR_MODE)) {
        struct fuse_attr cur;
        FSP_FSCTL_OPEN_FILE_INFO info;
        int err = fsp_ops_get_file_info(req, ctx, &info);
        if (err)
            return err;
        err = fsp_ops_fill_attr(req, req->in->nodeid, ctx, path, &info, &cur);
        if (err)
            return fsp_err_through_status(err);
        uint32_t killed = fsp_ops_killed_mode(req, cur.mode & 07777, cur.gid, true);
        if (!S_ISDIR(cur.mode) && killed != (cur.mode & 07777))
            which |= FSP_FSCTL_POSIX_SET_MODE, mode = (cur.mode & S_IFMT) | killed;
    }
    req->treq.Req.SetSecurity.SecurityInformation =
        ((which & FSP_FSCTL_POSIX_SET_MODE) ? DACL_SECURITY_INFORMATION : 0) |
        ((which & FSP_FSCTL_POSIX_SET_UID) ? OWNER_SECURITY_INFORMATION : 0) |
        ((which & FSP_FSCTL_POSIX_SET_GID) ? GROUP_SECURITY_INFORMATION : 0);
    fsp_op_enter(req, FspFsctlTransactSetSecurityKind);
    int err = fsp_err_from_status(req->fs->Interface->SetPosixSecurity(req->fs, ctx, which, in->uid,
                                                                       in->gid, mode));
    fsp_op_leave(req);
    fsp_node_set_flag(req->engine, req->in->nodeid, FSP_NODE_NO_PRIVS, false);
    return err;
}

static int set_owner_mode(struct fsp_request *req, PVOID ctx, PWSTR path,
                          const struct fuse_setattr_in *in)
{
    if (req->fs->Interface->SetPosixSecurity)
        return set_posix_security(req, ctx, path, in);
    if (!req->fs->Interface->SetSecurity)
        return FSP_EINVALID_DEVICE_REQUEST;
    struct fuse_attr cur;
    FSP_FSCTL_OPEN_FILE_INFO info;
    int err = fsp_ops_get_file_info(req, ctx, &info);
    if (err)
        return err;
    err = fsp_ops_fill_attr(req, req->in->nodeid, ctx, path, &info, &cur);
    if (err)
        return fsp_err_through_status(err);
    uint32_t uid = (in->valid & FATTR_UID) ? in->uid : cur.uid;
    uint32_t gid = (in->valid & FATTR_GID) ? in->gid : cur.gid;
    uint32_t mode = (in->valid & FATTR_MODE) ? in->mode & 07777 : cur.mode & 07777;
    /* A new owner takes no privileges along (FUSE_HANDLE_KILLPRIV_V2: the kernel asks us, for
     * every file type but directories, as chown(2) does on Linux). */
    if ((in->valid & FATTR_KILL_SUIDGID) && (in->valid & (FATTR_UID | FATTR_GID)) &&
        !(in->valid & FATTR_MODE) && !S_ISDIR(cur.mode))
        mode = fsp_ops_killed_mode(req, mode, cur.gid, true);
    err = fsp_ops_set_posix_security(req, ctx, uid, gid, mode);
    /* The node may now carry privileges (chmod u+s): check again at its next write. */
    fsp_node_set_flag(req->engine, req->in->nodeid, FSP_NODE_NO_PRIVS, false);
    return err;
}

static void setattr_target(struct fsp_request *req, struct target *t);

/*
 * A SETATTR that changes nothing, with FUSE_HANDLE_KILLPRIV_V2: the kernel's own
 * file_remove_privs (a write it did not send us, e.g. through a backing file) asks
 * the file system to drop the file's privileges.
 */
static bool setattr_kills_privs(struct fsp_request *req, const struct fuse_setattr_in *in)
{
    const uint32_t changes = FATTR_MODE | FATTR_UID | FATTR_GID | FATTR_SIZE | FATTR_ATIME |
                             FATTR_MTIME | FATTR_CTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW;
    return !(in->valid & changes) &&
           (fsp_engine_init_flags(req->engine) & FUSE_HANDLE_KILLPRIV_V2);
}

static int setattr_by_handle(struct fsp_handle *h, void *arg)
{
    struct target t = {.ctx = FSP_OPS_CTX(h), .h = h};
    setattr_target(arg, &t);
    return 0;
}

/*
 * The kernel writes back a file's times (the writeback cache) after the file was deleted
 * and closed: it has no name and no handle, so there is nothing left to change. An error
 * would be recorded as a write-back error of the whole volume (syncfs(2) fails), so the
 * request succeeds with the attributes of a removed file. Anything else than times stays
 * ENOENT.
 */
static bool setattr_of_gone_file(struct fsp_request *req, const struct fuse_setattr_in *in)
{
    const uint32_t times = FATTR_ATIME | FATTR_MTIME | FATTR_CTIME | FATTR_ATIME_NOW |
                           FATTR_MTIME_NOW | FATTR_LOCKOWNER;
    uint32_t type = (in->valid & ~times) ? 0 : fsp_node_unlinked_type(req->engine, req->in->nodeid);
    if (!type)
        return false;
    struct fuse_attr_out out;
    memset(&out, 0, sizeof out);
    out.attr.ino = req->in->nodeid;
    out.attr.mode = type;
    out.attr.blksize = 4096;
    out.attr.mtime = in->mtime, out.attr.mtimensec = in->mtimensec;
    out.attr.ctime = in->ctime, out.attr.ctimensec = in->ctimensec;
    out.attr.atime = in->atime, out.attr.atimensec = in->atimensec;
    fsp_reply_data(req, &out, sizeof out);
    return true;
}

/*
 * A removed directory without a name or an open handle (a process's working directory):
 * chmod, chown and utimensat change the attributes kept for it (nothing else can see them).
 */
static bool setattr_of_gone_dir(struct fsp_request *req, const struct fuse_setattr_in *in)
{
    struct fuse_attr_out out;
    memset(&out, 0, sizeof out);
    if (!fsp_node_gone_attr(req->engine, req->in->nodeid, &out.attr))
        return false;
    struct fuse_attr *a = &out.attr;
    if (in->valid & FATTR_SIZE) {
        fsp_reply_err(req, EISDIR);
        return true;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (in->valid & FATTR_MODE)
        a->mode = (a->mode & S_IFMT) | (in->mode & 07777);
    if (in->valid & FATTR_UID)
        a->uid = in->uid;
    if (in->valid & FATTR_GID)
        a->gid = in->gid;
    if (in->valid & FATTR_ATIME_NOW)
        a->atime = (uint64_t)now.tv_sec, a->atimensec = (uint32_t)now.tv_nsec;
    else if (in->valid & FATTR_ATIME)
        a->atime = in->atime, a->atimensec = in->atimensec;
    if (in->valid & FATTR_MTIME_NOW)
        a->mtime = (uint64_t)now.tv_sec, a->mtimensec = (uint32_t)now.tv_nsec;
    else if (in->valid & FATTR_MTIME)
        a->mtime = in->mtime, a->mtimensec = in->mtimensec;
    if (in->valid & FATTR_CTIME)
        a->ctime = in->ctime, a->ctimensec = in->ctimensec;
    else
        a->ctime = (uint64_t)now.tv_sec, a->ctimensec = (uint32_t)now.tv_nsec;
    if (!req->fs->VolumeParams.NanosecondTimes) { /* the granularity the kernel was told */
        a->atimensec -= a->atimensec % 100, a->mtimensec -= a->mtimensec % 100;
        a->ctimensec -= a->ctimensec % 100;
    }
    fsp_node_set_gone_attr(req->engine, req->in->nodeid, a);
    fsp_engine_attr_timeout(req->engine, &out.attr_valid, &out.attr_valid_nsec);
    fsp_reply_data(req, &out, sizeof out);
    return true;
}

void fsp_op_setattr(struct fsp_request *req)
{
    const struct fuse_setattr_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (fs->DebugLog)
        FspDebugLog("linfsp: setattr nodeid %llu valid 0x%x mode 0%o size %llu\n",
                    (unsigned long long)req->in->nodeid, in->valid, in->mode,
                    (unsigned long long)in->size);
    if (fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    UINT32 access = FILE_READ_ATTRIBUTES | READ_CONTROL;
    if (in->valid & FATTR_SIZE)
        access |= FILE_WRITE_DATA;
    if (in->valid & (FATTR_ATIME | FATTR_MTIME | FATTR_CTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW))
        access |= FILE_WRITE_ATTRIBUTES;
    if (in->valid & (FATTR_MODE | FATTR_UID | FATTR_GID) || setattr_kills_privs(req, in))
        access |= WRITE_DAC | WRITE_OWNER;
    struct target t;
    FSP_FSCTL_OPEN_FILE_INFO info;
    int err = open_target(req, in->valid & FATTR_FH, in->fh, access, &t, &info);
    if (ENOENT == err && !(in->valid & FATTR_FH)) {
        /* No name (unlinked while open; fchmod/futimens carry no fh): use one of its open handles. */
        err = fsp_handle_with_node(req, req->in->nodeid, setattr_by_handle, req);
        if (!err)
            return;
        if (ENOENT == err && (setattr_of_gone_dir(req, in) || setattr_of_gone_file(req, in)))
            return;
    }
    if (err)
        return fsp_reply_err(req, err);
    setattr_target(req, &t);
}

/* Apply a SETATTR to an opened target, reply, and close the target. */
static void setattr_target(struct fsp_request *req, struct target *tp)
{
    const struct fuse_setattr_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    const FSP_FILE_SYSTEM_INTERFACE *fi = fs->Interface;
    struct target t = *tp;
    FSP_FSCTL_OPEN_FILE_INFO info;
    memset(&info, 0, sizeof info);
    int err = 0;
    UINT64 since = fsp_ops_since();
    /* what the change owes the file's times when the file system leaves them to Cleanup
     * (ops_cleanup.c); times set explicitly are not overridden */
    ULONG owed = 0;
    if (in->valid & FATTR_SIZE)
        owed |= FSP_OPS_SIZE_CHANGED;
    if (in->valid & (FATTR_MODE | FATTR_UID | FATTR_GID))
        owed |= FSP_OPS_SECURITY_CHANGED;
    if (in->valid & (FATTR_MTIME | FATTR_MTIME_NOW))
        owed &= ~(ULONG)FspCleanupSetLastWriteTime;
    if (in->valid & (FATTR_ATIME | FATTR_MTIME | FATTR_CTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW))
        owed &= ~(ULONG)FspCleanupSetChangeTime; /* SetBasicInfo gets the change time */
    if (in->valid & (FATTR_MODE | FATTR_UID | FATTR_GID))
        err = set_owner_mode(req, t.ctx, t.path, in);
    if (!err && (in->valid & (FATTR_SIZE | FATTR_UID | FATTR_GID)))
        err = fsp_ops_kill_privs(req, req->in->nodeid, t.ctx, t.path,
                                    (in->valid & FATTR_KILL_SUIDGID) && (in->valid & FATTR_SIZE)
                                        ? FSP_KILLPRIV_SUIDGID
                                        : FSP_KILLPRIV_CAPS);
    /* The caller's CAP_FSETID is not known here: root is taken to have it. */
    if (!err && setattr_kills_privs(req, in))
        err = fsp_ops_kill_privs(req, req->in->nodeid, t.ctx, t.path,
                                 req->in->uid ? FSP_KILLPRIV_SUIDGID : FSP_KILLPRIV_CAPS);
    if (!err && (in->valid & FATTR_SIZE)) {
        if (!fi->SetFileSize)
            err = FSP_EINVALID_DEVICE_REQUEST;
        else {
            req->treq.Req.SetInformation.FileInformationClass = FileEndOfFileInformation;
            fsp_op_enter(req, FspFsctlTransactSetInformationKind);
            err = fsp_err_from_status(
                fi->SetFileSize(fs, t.ctx, in->size, FALSE, fsp_op_info_arg(req, &info)));
            fsp_op_leave(req);
        }
    }
    if (!err &&
        (in->valid & (FATTR_ATIME | FATTR_MTIME | FATTR_CTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW))) {
        /* The nanoseconds below FILETIME's ticks go beside the times (LinFsp extension). */
        FSP_FSCTL_FILE_NSEC ns = {0, 0, 0, 0};
        UINT8 now_ns;
        UINT64 now = fsp_ops_now_filetime(&now_ns);
        UINT64 at = 0, mt = 0, ct = now;
        ns.ChangeTime = now_ns;
        if (in->valid & FATTR_ATIME_NOW)
            at = now, ns.LastAccessTime = now_ns;
        else if (in->valid & FATTR_ATIME)
            at = to_filetime(in->atime, in->atimensec, &ns.LastAccessTime);
        if (in->valid & FATTR_MTIME_NOW)
            mt = now, ns.LastWriteTime = now_ns;
        else if (in->valid & FATTR_MTIME)
            mt = to_filetime(in->mtime, in->mtimensec, &ns.LastWriteTime);
        if (in->valid & FATTR_CTIME)
            ct = to_filetime(in->ctime, in->ctimensec, &ns.ChangeTime);
        if (!fi->SetBasicInfo)
            err = FSP_EINVALID_DEVICE_REQUEST;
        else {
            /* A symlink's size is its target's length, read from the file system for the
             * reply: read it now, before the times change, since reading it may change its
             * access time (a FUSE program's readlink on a source file system). */
            if (t.info)
                fsp_ops_remember_symlink_size(req, t.ctx, t.path, t.info);
            req->treq.Req.SetInformation.FileInformationClass = FileBasicInformation;
            if (fs->VolumeParams.NanosecondTimes)
                req->treq.Req.SetInformation.Nsec = ns;
            memset(&info, 0, sizeof info);
            fsp_op_enter(req, FspFsctlTransactSetInformationKind);
            err = fsp_err_from_status(fi->SetBasicInfo(fs, t.ctx, INVALID_FILE_ATTRIBUTES, 0, at,
                                                       mt, ct, fsp_op_info_arg(req, &info)));
            fsp_op_leave(req);
        }
    }
    /* Whatever went through, the attributes are those the file system gives now. */
    fsp_attr_invalidate_owner(req->engine, req->in->nodeid);
    struct fsp_attr_cached c;
    fsp_attr_cache_get(req->engine, req->in->nodeid, &c);
    if (!err)
        err = fsp_ops_get_file_info(req, t.ctx, &info);
    if (!err)
        fsp_ops_modified(req, req->in->nodeid, t.path, t.h, t.ctx, since, owed, &info);
    if (err) {
        close_target(req, &t);
        return fsp_reply_err(req, err);
    }
    reply_attr(req, c.gen, t.ctx, t.path, &info);
    close_target(req, &t);
}

/*
 * ACCESS comes only from mounts without default_permissions (access(2), chdir(2)); the
 * LinFsp extension Access answers it. Without it: ENOSYS, which the kernel remembers
 * (every later check succeeds), as libfuse answers for a program without access().
 */
void fsp_op_access(struct fsp_request *req)
{
    const struct fuse_access_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->Access)
        return fsp_reply_err(req, ENOSYS);
    PWSTR path = 0;
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    req->treq.FileName = path;
    fsp_op_enter(req, FspFsctlTransactQueryInformationKind);
    err = fsp_err_from_status(fs->Interface->Access(fs, path, in->mask));
    fsp_op_leave(req);
    fsp_reply_err(req, err);
}

void fsp_op_statfs(struct fsp_request *req)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    FSP_FSCTL_VOLUME_INFO vi;
    memset(&vi, 0, sizeof vi);
    int err = 0;
    /* The io_uring kick (uring.c) is answered here: the file system did not ask for it. */
    if (fs->Interface->GetVolumeInfo && !fsp_uring_is_kick(req->in->pid)) {
        fsp_op_enter(req, FspFsctlTransactQueryVolumeInformationKind);
        err = fsp_err_from_status(fs->Interface->GetVolumeInfo(fs, &vi));
        fsp_op_leave(req);
    }
    if (err)
        return fsp_reply_err(req, err);
    if (vi.FreeSize > vi.TotalSize)
        vi.FreeSize = vi.TotalSize;
    struct fuse_statfs_out out;
    memset(&out, 0, sizeof out);
    uint32_t bsize = (uint32_t)fs->VolumeParams.SectorSize * fs->VolumeParams.SectorsPerAllocationUnit;
    out.st.bsize = out.st.frsize = bsize;
    out.st.blocks = vi.TotalSize / bsize;
    out.st.bfree = out.st.bavail = vi.FreeSize / bsize;
    /* The native API has no file counts: report room for one file per free block. */
    out.st.files = out.st.blocks;
    out.st.ffree = out.st.bfree;
    out.st.namelen = fs->VolumeParams.MaxComponentLength;
    fsp_reply_data(req, &out, sizeof out);
}
