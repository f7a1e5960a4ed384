/*
 * src/engine/ops_misc.c - the opcode table, the minimum payload of each
 * request, and the remaining operations: IOCTL (-> Ioctl or Control), SYNCFS,
 * GETLK/SETLK/SETLKW (-> PosixLock, Flock) and POLL (-> Poll).
 *
 * Opcodes without a handler get ENOSYS, which makes the kernel stop sending
 * them where it remembers that (BMAP, LSEEK, COPY_FILE_RANGE), and TMPFILE when
 * the file system has no CreateUnnamed. IOCTL FS_IOC_GETFSLABEL /
 * FS_IOC_SETFSLABEL reach GetVolumeInfo / SetVolumeLabel. The lock opcodes come
 * only when FUSE_INIT negotiated them, which it does for file systems with the
 * LinFsp extensions PosixLock / Flock (otherwise the kernel keeps locks
 * locally). What a file system that lacks an operation gets is
 * fsp_ops_unsupported's answer (doc/design.md, "A missing operation"): the
 * handlers answer ENOSYS then, and fsp_reply_err turns it into that.
 */
#include "ops.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

static fsp_op_fn *const handlers[] = {
    [FUSE_LOOKUP] = fsp_op_lookup,       [FUSE_FORGET] = fsp_op_forget,
    [FUSE_GETATTR] = fsp_op_getattr,     [FUSE_SETATTR] = fsp_op_setattr,
    [FUSE_READLINK] = fsp_op_readlink,   [FUSE_SYMLINK] = fsp_op_symlink,
    [FUSE_MKNOD] = fsp_op_mknod,         [FUSE_MKDIR] = fsp_op_mkdir,
    [FUSE_UNLINK] = fsp_op_unlink,       [FUSE_RMDIR] = fsp_op_rmdir,
    [FUSE_RENAME] = fsp_op_rename,       [FUSE_LINK] = fsp_op_link,
    [FUSE_OPEN] = fsp_op_open,           [FUSE_READ] = fsp_op_read,
    [FUSE_WRITE] = fsp_op_write,         [FUSE_STATFS] = fsp_op_statfs,
    [FUSE_RELEASE] = fsp_op_release,     [FUSE_FSYNC] = fsp_op_fsync,
    [FUSE_SETXATTR] = fsp_op_setxattr,   [FUSE_GETXATTR] = fsp_op_getxattr,
    [FUSE_LISTXATTR] = fsp_op_listxattr, [FUSE_REMOVEXATTR] = fsp_op_removexattr,
    [FUSE_OPENDIR] = fsp_op_opendir,     [FUSE_READDIR] = fsp_op_readdir,
    [FUSE_RELEASEDIR] = fsp_op_releasedir, [FUSE_FSYNCDIR] = fsp_op_fsync,
    [FUSE_CREATE] = fsp_op_create,       [FUSE_IOCTL] = fsp_op_ioctl,
    [FUSE_BATCH_FORGET] = fsp_op_batch_forget, [FUSE_FALLOCATE] = fsp_op_fallocate,
    [FUSE_READDIRPLUS] = fsp_op_readdirplus, [FUSE_RENAME2] = fsp_op_rename2,
    [FUSE_SYNCFS] = fsp_op_syncfs,      [FUSE_FLUSH] = fsp_op_flush,
    [FUSE_ACCESS] = fsp_op_access,       [FUSE_GETLK] = fsp_op_getlk,
    [FUSE_SETLK] = fsp_op_setlk,         [FUSE_SETLKW] = fsp_op_setlkw,
    [FUSE_POLL] = fsp_op_poll,           [FUSE_TMPFILE] = fsp_op_tmpfile,
    [FUSE_STATX] = fsp_op_statx,
};

static const char *const names[] = {
    [FUSE_LOOKUP] = "LOOKUP",         [FUSE_FORGET] = "FORGET",       [FUSE_GETATTR] = "GETATTR",
    [FUSE_SETATTR] = "SETATTR",       [FUSE_READLINK] = "READLINK",   [FUSE_SYMLINK] = "SYMLINK",
    [FUSE_MKNOD] = "MKNOD",           [FUSE_MKDIR] = "MKDIR",         [FUSE_UNLINK] = "UNLINK",
    [FUSE_RMDIR] = "RMDIR",           [FUSE_RENAME] = "RENAME",       [FUSE_LINK] = "LINK",
    [FUSE_OPEN] = "OPEN",             [FUSE_READ] = "READ",           [FUSE_WRITE] = "WRITE",
    [FUSE_STATFS] = "STATFS",         [FUSE_RELEASE] = "RELEASE",     [FUSE_FSYNC] = "FSYNC",
    [FUSE_SETXATTR] = "SETXATTR",     [FUSE_GETXATTR] = "GETXATTR",   [FUSE_LISTXATTR] = "LISTXATTR",
    [FUSE_REMOVEXATTR] = "REMOVEXATTR", [FUSE_FLUSH] = "FLUSH",       [FUSE_INIT] = "INIT",
    [FUSE_OPENDIR] = "OPENDIR",       [FUSE_READDIR] = "READDIR",     [FUSE_RELEASEDIR] = "RELEASEDIR",
    [FUSE_FSYNCDIR] = "FSYNCDIR",     [FUSE_GETLK] = "GETLK",         [FUSE_SETLK] = "SETLK",
    [FUSE_SETLKW] = "SETLKW",         [FUSE_ACCESS] = "ACCESS",       [FUSE_CREATE] = "CREATE",
    [FUSE_INTERRUPT] = "INTERRUPT",   [FUSE_BMAP] = "BMAP",           [FUSE_DESTROY] = "DESTROY",
    [FUSE_IOCTL] = "IOCTL",           [FUSE_POLL] = "POLL",           [FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
    [FUSE_BATCH_FORGET] = "BATCH_FORGET", [FUSE_FALLOCATE] = "FALLOCATE",
    [FUSE_READDIRPLUS] = "READDIRPLUS", [FUSE_RENAME2] = "RENAME2",   [FUSE_LSEEK] = "LSEEK",
    [FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE", [FUSE_SYNCFS] = "SYNCFS", [FUSE_TMPFILE] = "TMPFILE",
    [FUSE_STATX] = "STATX",           [FUSE_SETUPMAPPING] = "SETUPMAPPING",
    [FUSE_REMOVEMAPPING] = "REMOVEMAPPING",
};

const char *fsp_ops_name(uint32_t opcode)
{
    return opcode < ARRAYSIZE(names) && names[opcode] ? names[opcode] : "???";
}

int fsp_ops_unsupported(uint32_t opcode)
{
    switch (opcode) {
    case FUSE_READ:
    case FUSE_WRITE:
        return EINVAL; /* vfs_read/vfs_write: no read or write method */
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
        return ENOTDIR; /* iterate_dir: no iterate method */
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK:
    case FUSE_LINK:
    case FUSE_UNLINK:
    case FUSE_RMDIR:
    case FUSE_RENAME:
    case FUSE_RENAME2:
        return EPERM; /* vfs_mknod ... vfs_rename: no such inode operation */
    case FUSE_SETATTR:
        return EPERM; /* a change the file system cannot make (as vfat answers chown) */
    case FUSE_CREATE:
        return EACCES; /* vfs_create: no create method */
    case FUSE_FSYNC:
    case FUSE_FSYNCDIR:
    case FUSE_SYNCFS:
        return 0; /* noop_fsync, no sync_fs: nothing to write back */
    case FUSE_IOCTL:
        return ENOTTY;
    case FUSE_FLUSH:  /* the kernel stops sending it: a close succeeds (no flush method) */
    case FUSE_ACCESS: /* the kernel checks the mode bits itself */
    case FUSE_POLL:   /* files are always ready */
    case FUSE_GETLK:
    case FUSE_SETLK:
    case FUSE_SETLKW:
    case FUSE_TMPFILE: /* O_TMPFILE fails with EOPNOTSUPP, and the kernel stops asking */
        return ENOSYS;
    default:
        /* xattrs, FALLOCATE, OPEN, GETATTR, ...: not supported; unknown opcodes: ENOSYS */
        return fsp_ops_handler(opcode) ? EOPNOTSUPP : ENOSYS;
    }
}

fsp_op_fn *fsp_ops_handler(uint32_t opcode)
{
    return opcode < ARRAYSIZE(handlers) ? handlers[opcode] : 0;
}

/*
 * Each request's argument shape, validated by fsp_ops_check_args before its handler runs: a
 * fixed part (the opcode's fuse_*_in), then `names` NUL-terminated names, then data (WRITE's
 * bytes, SETXATTR's value, IOCTL's input, BATCH_FORGET's entries) whose size the handler checks
 * against its fixed part. Opcodes not listed carry nothing the engine reads.
 */
static const struct {
    uint16_t fixed;
    uint8_t names;
} shapes[] = {
    [FUSE_LOOKUP] = {0, 1},
    [FUSE_FORGET] = {sizeof(struct fuse_forget_in), 0},
    [FUSE_GETATTR] = {sizeof(struct fuse_getattr_in), 0},
    [FUSE_SETATTR] = {sizeof(struct fuse_setattr_in), 0},
    [FUSE_SYMLINK] = {0, 2}, /* name, target */
    [FUSE_MKNOD] = {sizeof(struct fuse_mknod_in), 1},
    [FUSE_MKDIR] = {sizeof(struct fuse_mkdir_in), 1},
    [FUSE_UNLINK] = {0, 1},
    [FUSE_RMDIR] = {0, 1},
    [FUSE_RENAME] = {sizeof(struct fuse_rename_in), 2},
    [FUSE_LINK] = {sizeof(struct fuse_link_in), 1},
    [FUSE_OPEN] = {sizeof(struct fuse_open_in), 0},
    [FUSE_READ] = {sizeof(struct fuse_read_in), 0},
    [FUSE_WRITE] = {sizeof(struct fuse_write_in), 0},
    [FUSE_RELEASE] = {sizeof(struct fuse_release_in), 0},
    [FUSE_FSYNC] = {sizeof(struct fuse_fsync_in), 0},
    [FUSE_SETXATTR] = {FUSE_COMPAT_SETXATTR_IN_SIZE, 1}, /* the whole struct with FUSE_SETXATTR_EXT */
    [FUSE_GETXATTR] = {sizeof(struct fuse_getxattr_in), 1},
    [FUSE_LISTXATTR] = {sizeof(struct fuse_getxattr_in), 0},
    [FUSE_REMOVEXATTR] = {0, 1},
    [FUSE_FLUSH] = {sizeof(struct fuse_flush_in), 0},
    [FUSE_INIT] = {16, 0}, /* major, minor, max_readahead, flags: what every 7.x kernel sends */
    [FUSE_OPENDIR] = {sizeof(struct fuse_open_in), 0},
    [FUSE_READDIR] = {sizeof(struct fuse_read_in), 0},
    [FUSE_RELEASEDIR] = {sizeof(struct fuse_release_in), 0},
    [FUSE_FSYNCDIR] = {sizeof(struct fuse_fsync_in), 0},
    [FUSE_GETLK] = {sizeof(struct fuse_lk_in), 0},
    [FUSE_SETLK] = {sizeof(struct fuse_lk_in), 0},
    [FUSE_SETLKW] = {sizeof(struct fuse_lk_in), 0},
    [FUSE_ACCESS] = {sizeof(struct fuse_access_in), 0},
    [FUSE_CREATE] = {sizeof(struct fuse_create_in), 1},
    [FUSE_INTERRUPT] = {sizeof(struct fuse_interrupt_in), 0},
    [FUSE_IOCTL] = {sizeof(struct fuse_ioctl_in), 0},
    [FUSE_POLL] = {sizeof(struct fuse_poll_in), 0},
    [FUSE_BATCH_FORGET] = {sizeof(struct fuse_batch_forget_in), 0},
    [FUSE_FALLOCATE] = {sizeof(struct fuse_fallocate_in), 0},
    [FUSE_READDIRPLUS] = {sizeof(struct fuse_read_in), 0},
    [FUSE_RENAME2] = {sizeof(struct fuse_rename2_in), 2},
    [FUSE_SYNCFS] = {sizeof(struct fuse_syncfs_in), 0},
    [FUSE_TMPFILE] = {sizeof(struct fuse_create_in), 0}, /* the kernel's name ("/") is not read */
    [FUSE_STATX] = {sizeof(struct fsp_fuse_statx_in), 0},
};

size_t fsp_ops_min_arglen(uint32_t opcode, uint64_t init_flags)
{
    if (opcode >= ARRAYSIZE(shapes))
        return 0;
    size_t fixed = shapes[opcode].fixed;
    if (FUSE_SETXATTR == opcode && (init_flags & FUSE_SETXATTR_EXT))
        fixed = sizeof(struct fuse_setxattr_in);
    return fixed + 2 * (size_t)shapes[opcode].names; /* a name is at least one byte and its NUL */
}

int fsp_ops_check_args(struct fsp_request *req, uint64_t init_flags)
{
    uint32_t opcode = req->in->opcode;
    size_t min = fsp_ops_min_arglen(opcode, init_flags);
    if (req->arglen < min)
        return -1;
    size_t pos = min - 2 * (opcode < ARRAYSIZE(shapes) ? (size_t)shapes[opcode].names : 0);
    const char *p = req->arg;
    for (unsigned i = 0; opcode < ARRAYSIZE(shapes) && i < shapes[opcode].names; i++) {
        const char *z = pos < req->arglen ? memchr(p + pos, '\0', req->arglen - pos) : 0;
        if (!z)
            return EINVAL;
        req->names[i] = p + pos;
        pos = (size_t)(z - p) + 1;
    }
    req->data = p + pos;
    req->datalen = req->arglen - pos;
    return 0;
}

/* IOCTL through the LinFsp extension Ioctl: the kernel's request as it comes. */
static void ioctl_ext(struct fsp_request *req)
{
    const struct fuse_ioctl_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (in->flags & FUSE_IOCTL_UNRESTRICTED) /* CUSE only */
        return fsp_reply_err(req, EPERM);
    if (in->in_size > req->datalen || in->out_size > FSP_ENGINE_MAX_WRITE)
        return fsp_reply_err(req, EINVAL);
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    void *out = fsp_request_scratch(req);
    memset(out, 0, in->out_size);
    INT32 result = 0;
    req->treq.Req.DeviceControl.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    req->treq.Req.DeviceControl.IoControlCode = in->cmd;
    req->treq.Req.DeviceControl.OutputLength = in->out_size;
    fsp_op_enter(req, FspFsctlTransactDeviceControlKind);
    int err = fsp_err_from_status(fs->Interface->Ioctl(fs, FSP_OPS_CTX(h), in->cmd, in->flags,
                                                       in->arg, in->in_size ? (void *)req->data : 0,
                                                       in->in_size, in->out_size ? out : 0,
                                                       in->out_size, &result));
    fsp_op_leave(req);
    fsp_attr_invalidate_owner(req->engine, h->nodeid); /* an ioctl may change anything */
    if (err)
        return fsp_reply_err(req, err);
    if (result < 0) {
        FspDebugLog("linfsp: Ioctl returned a negative result %d\n", result);
        return fsp_reply_err(req, EIO);
    }
    struct fuse_ioctl_out o;
    memset(&o, 0, sizeof o);
    o.result = result;
    struct iovec v[2] = {{&o, sizeof o}, {out, in->out_size}};
    fsp_reply_iov(req, v, in->out_size ? 2 : 1);
}

/*
 * FS_IOC_GETFSLABEL / FS_IOC_SETFSLABEL (e.g. on the mount's root directory): the volume label
 * through GetVolumeInfo / SetVolumeLabel, whatever VolumeParams.DeviceControl says. Both are
 * "restricted" ioctls (_IOR / _IOW of char[FSLABEL_MAX]): the kernel copies FSLABEL_MAX bytes
 * out or in. Setting needs CAP_SYS_ADMIN, as on Linux's own file systems. True when handled.
 */
static bool volume_label_ioctl(struct fsp_request *req, const struct fuse_ioctl_in *in)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    if (FS_IOC_GETFSLABEL != in->cmd && FS_IOC_SETFSLABEL != in->cmd)
        return false;
    FSP_FSCTL_VOLUME_INFO vi;
    memset(&vi, 0, sizeof vi);
    int err = 0;
    if (FS_IOC_GETFSLABEL == in->cmd) {
        if (in->out_size < FSLABEL_MAX) {
            fsp_reply_err(req, EINVAL);
            return true;
        }
        if (fs->Interface->GetVolumeInfo) {
            fsp_op_enter(req, FspFsctlTransactQueryVolumeInformationKind);
            err = fsp_err_from_status(fs->Interface->GetVolumeInfo(fs, &vi));
            fsp_op_leave(req);
        }
        if (err) {
            fsp_reply_err(req, err);
            return true;
        }
        char label[FSLABEL_MAX];
        memset(label, 0, sizeof label);
        size_t n = vi.VolumeLabelLength / sizeof(WCHAR);
        if (n > ARRAYSIZE(vi.VolumeLabel))
            n = ARRAYSIZE(vi.VolumeLabel);
        WCHAR w[ARRAYSIZE(vi.VolumeLabel) + 1];
        memcpy(w, vi.VolumeLabel, n * sizeof(WCHAR));
        w[n] = 0;
        char *u = 0;
        if (NT_SUCCESS(FspPosixMapWindowsToPosixPathEx(w, &u, FALSE))) {
            strncpy(label, u, sizeof label - 1);
            FspPosixDeletePath(u);
        }
        struct fuse_ioctl_out o;
        memset(&o, 0, sizeof o);
        struct iovec v[2] = {{&o, sizeof o}, {label, FSLABEL_MAX}};
        fsp_reply_iov(req, v, 2);
        return true;
    }
    if (in->in_size < FSLABEL_MAX || in->in_size > req->datalen) {
        fsp_reply_err(req, EINVAL);
        return true;
    }
    if (!fs->Interface->SetVolumeLabel) {
        fsp_reply_err(req, ENOSYS); /* the file system lacks it (fsp_ops_unsupported: ENOTTY) */
        return true;
    }
    if (fs->VolumeParams.ReadOnlyVolume) {
        fsp_reply_err(req, EROFS);
        return true;
    }
    if (!fsp_ops_caller_capable(req, 21 /* CAP_SYS_ADMIN */)) {
        fsp_reply_err(req, EPERM);
        return true;
    }
    const char *s = req->data;
    size_t len = strnlen(s, FSLABEL_MAX);
    PWSTR w = 0;
    char *copy = len < FSLABEL_MAX ? strndup(s, len) : 0;
    if (!copy || !NT_SUCCESS(FspPosixMapPosixToWindowsPathEx(copy, &w, FALSE))) {
        free(copy);
        fsp_reply_err(req, len < FSLABEL_MAX ? ENOMEM : EINVAL);
        return true;
    }
    free(copy);
    if (wcslen(w) > ARRAYSIZE(vi.VolumeLabel))
        err = EINVAL;
    else {
        req->treq.Req.SetVolumeInformation.FsInformationClass = 2; /* FileFsLabelInformation */
        fsp_op_enter(req, FspFsctlTransactSetVolumeInformationKind);
        err = fsp_err_from_status(fs->Interface->SetVolumeLabel(fs, w, &vi));
        fsp_op_leave(req);
    }
    FspPosixDeletePath(w);
    if (err) {
        fsp_reply_err(req, FSP_EINVALID_PARAMETER == err ? EINVAL : err);
        return true;
    }
    struct fuse_ioctl_out o; /* an ioctl's reply always has it */
    memset(&o, 0, sizeof o);
    fsp_reply_data(req, &o, sizeof o);
    return true;
}

void fsp_op_ioctl(struct fsp_request *req)
{
    const struct fuse_ioctl_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (fs->Interface->Ioctl)
        return ioctl_ext(req); /* every ioctl is the file system's, as with libfuse */
    if (!(in->flags & FUSE_IOCTL_UNRESTRICTED) && volume_label_ioctl(req, in))
        return;
    if (!fs->VolumeParams.DeviceControl || !fs->Interface->Control ||
        (in->flags & FUSE_IOCTL_UNRESTRICTED))
        return fsp_reply_err(req, ENOTTY);
    if (in->in_size > req->datalen || in->out_size > FSP_ENGINE_MAX_WRITE)
        return fsp_reply_err(req, EINVAL);
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    void *out = fsp_request_scratch(req);
    ULONG bytes = 0;
    req->treq.Req.DeviceControl.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    req->treq.Req.DeviceControl.IoControlCode = in->cmd;
    req->treq.Req.DeviceControl.OutputLength = in->out_size;
    fsp_op_enter(req, FspFsctlTransactDeviceControlKind);
    int err = fsp_err_from_status(fs->Interface->Control(fs, FSP_OPS_CTX(h), in->cmd,
                                                         (void *)req->data, in->in_size, out,
                                                         in->out_size, &bytes));
    fsp_op_leave(req);
    fsp_attr_invalidate_owner(req->engine, h->nodeid); /* a control code may change anything */
    if (err)
        return fsp_reply_err(req, err);
    if (bytes > in->out_size) {
        FspDebugLog("linfsp: Control returned %u bytes for a %u-byte buffer\n", bytes, in->out_size);
        return fsp_reply_err(req, EIO);
    }
    struct fuse_ioctl_out o;
    memset(&o, 0, sizeof o);
    struct iovec v[2] = {{&o, sizeof o}, {out, bytes}};
    fsp_reply_iov(req, v, bytes ? 2 : 1);
}

void fsp_op_syncfs(struct fsp_request *req)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->Flush)
        return fsp_reply_err(req, ENOSYS);
    FSP_FSCTL_OPEN_FILE_INFO info;
    memset(&info, 0, sizeof info);
    req->treq.Req.FlushBuffers.UserContext = 0;
    req->treq.Req.FlushBuffers.UserContext2 = 0;
    fsp_op_enter(req, FspFsctlTransactFlushBuffersKind);
    int err = fsp_err_from_status(fs->Interface->Flush(fs, 0, fsp_op_info_arg(req, &info)));
    fsp_op_leave(req);
    fsp_reply_err(req, err);
}

/* ---- locks (the LinFsp extensions PosixLock and Flock) ---- */

static void lock_common(struct fsp_request *req, uint32_t command)
{
    const struct fuse_lk_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    bool flock = (in->lk_flags & FUSE_LK_FLOCK) && F_GETLK != command;
    if (flock ? !fs->Interface->Flock : !fs->Interface->PosixLock)
        return fsp_reply_err(req, ENOSYS);
    if (F_RDLCK != in->lk.type && F_WRLCK != in->lk.type && F_UNLCK != in->lk.type)
        return fsp_reply_err(req, EINVAL);
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    req->treq.Req.LockControl.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    req->treq.Req.LockControl.LockFunction = flock ? 0 : command;
    req->treq.Req.LockControl.Offset = in->lk.start;
    req->treq.Req.LockControl.Length = in->lk.end < in->lk.start || in->lk.end >= (UINT64)INT64_MAX
                                           ? 0 /* to the end of the file */
                                           : in->lk.end - in->lk.start + 1;
    req->treq.Req.LockControl.ProcessId = in->lk.pid;
    req->treq.Req.LockControl.Exclusive = F_WRLCK == in->lk.type;
    req->treq.Req.LockControl.FailImmediately = F_SETLKW != command;
    int err;
    FSP_FSCTL_POSIX_LOCK lock = {in->lk.type, in->lk.pid, in->lk.start, in->lk.end};
    fsp_op_enter(req, FspFsctlTransactLockControlKind);
    if (flock) {
        UINT32 op = F_UNLCK == in->lk.type ? LOCK_UN : F_RDLCK == in->lk.type ? LOCK_SH : LOCK_EX;
        if (F_SETLKW != command && LOCK_UN != op)
            op |= LOCK_NB;
        err = fsp_err_from_status(fs->Interface->Flock(fs, FSP_OPS_CTX(h), in->owner, op));
    } else
        err = fsp_err_from_status(fs->Interface->PosixLock(fs, FSP_OPS_CTX(h), command, in->owner,
                                                           &lock));
    fsp_op_leave(req);
    if (err)
        return fsp_reply_err(req, err);
    if (F_GETLK != command)
        return fsp_reply_err(req, 0);
    if ((F_RDLCK != lock.Type && F_WRLCK != lock.Type && F_UNLCK != lock.Type) ||
        (F_UNLCK != lock.Type && (lock.Start > (UINT64)INT64_MAX || lock.End > (UINT64)INT64_MAX ||
                                  lock.End < lock.Start))) {
        FspDebugLog("linfsp: PosixLock returned an impossible lock (type %u, %llu..%llu)\n",
                    lock.Type, (unsigned long long)lock.Start, (unsigned long long)lock.End);
        return fsp_reply_err(req, EIO);
    }
    struct fuse_lk_out out;
    memset(&out, 0, sizeof out);
    out.lk.type = lock.Type;
    out.lk.pid = lock.Pid;
    out.lk.start = lock.Start;
    out.lk.end = lock.End;
    fsp_reply_data(req, &out, sizeof out);
}

void fsp_op_getlk(struct fsp_request *req)
{
    lock_common(req, F_GETLK);
}

void fsp_op_setlk(struct fsp_request *req)
{
    lock_common(req, F_SETLK);
}

void fsp_op_setlkw(struct fsp_request *req)
{
    lock_common(req, F_SETLKW);
}

/* ---- POLL (the LinFsp extension Poll) ---- */

void fsp_op_poll(struct fsp_request *req)
{
    const struct fuse_poll_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->Poll)
        return fsp_reply_err(req, ENOSYS); /* the kernel stops asking: files are always ready */
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    UINT32 revents = 0;
    UINT64 kh = (in->flags & FUSE_POLL_SCHEDULE_NOTIFY) ? in->kh : 0;
    req->treq.Req.QueryInformation.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    fsp_op_enter(req, FspFsctlTransactQueryInformationKind);
    int err = fsp_err_from_status(fs->Interface->Poll(fs, FSP_OPS_CTX(h), kh, in->events, &revents));
    fsp_op_leave(req);
    if (err)
        return fsp_reply_err(req, err);
    struct fuse_poll_out out;
    memset(&out, 0, sizeof out);
    out.revents = revents;
    fsp_reply_data(req, &out, sizeof out);
}
