/*
 * src/engine/ops_misc.c - the opcode table, the minimum payload of each
 * request, and the remaining operations: IOCTL (-> Control) and SYNCFS.
 *
 * Opcodes without a handler get ENOSYS, which makes the kernel stop sending
 * them where it remembers that (FLUSH, ACCESS, GETLK/SETLK (the kernel then
 * handles locks locally), BMAP, POLL, LSEEK, COPY_FILE_RANGE, TMPFILE, STATX).
 */
#include "ops.h"
#include <errno.h>
#include <string.h>

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
    [FUSE_RELEASEDIR] = fsp_op_releasedir, [FUSE_FSYNCDIR] = fsp_op_fsyncdir,
    [FUSE_CREATE] = fsp_op_create,       [FUSE_IOCTL] = fsp_op_ioctl,
    [FUSE_BATCH_FORGET] = fsp_op_batch_forget, [FUSE_FALLOCATE] = fsp_op_fallocate,
    [FUSE_READDIRPLUS] = fsp_op_readdirplus, [FUSE_RENAME2] = fsp_op_rename2,
    [FUSE_SYNCFS] = fsp_op_syncfs,
};

fsp_op_fn *fsp_ops_handler(uint32_t opcode)
{
    return opcode < ARRAYSIZE(handlers) ? handlers[opcode] : 0;
}

size_t fsp_ops_min_arglen(uint32_t opcode, uint32_t proto_minor)
{
    switch (opcode) {
    case FUSE_LOOKUP:
    case FUSE_UNLINK:
    case FUSE_RMDIR:
    case FUSE_REMOVEXATTR:
        return 2; /* a name and its NUL */
    case FUSE_FORGET:
        return sizeof(struct fuse_forget_in);
    case FUSE_BATCH_FORGET:
        return sizeof(struct fuse_batch_forget_in);
    case FUSE_GETATTR:
        return sizeof(struct fuse_getattr_in);
    case FUSE_SETATTR:
        return sizeof(struct fuse_setattr_in);
    case FUSE_SYMLINK:
        return 4;
    case FUSE_MKNOD:
        return (proto_minor < 12 ? FUSE_COMPAT_MKNOD_IN_SIZE : sizeof(struct fuse_mknod_in)) + 2;
    case FUSE_MKDIR:
        return sizeof(struct fuse_mkdir_in) + 2;
    case FUSE_RENAME:
        return sizeof(struct fuse_rename_in) + 4;
    case FUSE_RENAME2:
        return sizeof(struct fuse_rename2_in) + 4;
    case FUSE_LINK:
        return sizeof(struct fuse_link_in) + 2;
    case FUSE_OPEN:
    case FUSE_OPENDIR:
        return sizeof(struct fuse_open_in);
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
        return sizeof(struct fuse_read_in);
    case FUSE_WRITE:
        return proto_minor < 9 ? FUSE_COMPAT_WRITE_IN_SIZE : sizeof(struct fuse_write_in);
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR:
        return sizeof(struct fuse_release_in);
    case FUSE_FSYNC:
    case FUSE_FSYNCDIR:
        return sizeof(struct fuse_fsync_in);
    case FUSE_SETXATTR:
        return FUSE_COMPAT_SETXATTR_IN_SIZE + 2;
    case FUSE_GETXATTR:
        return sizeof(struct fuse_getxattr_in) + 2;
    case FUSE_LISTXATTR:
        return sizeof(struct fuse_getxattr_in);
    case FUSE_CREATE:
        return (proto_minor < 12 ? 8 : sizeof(struct fuse_create_in)) + 2;
    case FUSE_IOCTL:
        return sizeof(struct fuse_ioctl_in);
    case FUSE_FALLOCATE:
        return sizeof(struct fuse_fallocate_in);
    case FUSE_SYNCFS:
        return sizeof(struct fuse_syncfs_in);
    default:
        return 0;
    }
}

void fsp_op_ioctl(struct fsp_request *req)
{
    const struct fuse_ioctl_in *in = req->arg;
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->VolumeParams.DeviceControl || !fs->Interface->Control ||
        (in->flags & FUSE_IOCTL_UNRESTRICTED))
        return fsp_reply_err(req, ENOTTY);
    if (in->in_size > req->arglen - sizeof *in || in->out_size > FSP_ENGINE_MAX_WRITE)
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
    NTSTATUS status = fs->Interface->Control(fs, FSP_OPS_CTX(h), in->cmd, (char *)(in + 1),
                                             in->in_size, out, in->out_size, &bytes);
    fsp_op_leave(req);
    if (!NT_SUCCESS(status))
        return fsp_reply_err(req, STATUS_INVALID_DEVICE_REQUEST == status ? ENOTTY
                                                                          : FspErrnoFromNtStatus(status));
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
        return fsp_reply_err(req, 0);
    FSP_FSCTL_FILE_INFO info;
    req->treq.Req.FlushBuffers.UserContext = 0;
    req->treq.Req.FlushBuffers.UserContext2 = 0;
    fsp_op_enter(req, FspFsctlTransactFlushBuffersKind);
    NTSTATUS status = fs->Interface->Flush(fs, 0, &info);
    fsp_op_leave(req);
    fsp_reply_status(req, status);
}
