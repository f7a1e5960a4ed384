/*
 * src/engine/dispatch.c - one request from the kernel to its handler:
 * validation, the opcode table, the operation context and the operation
 * guard around every interface call. (The threads that read the requests
 * are workers.c's.)
 */
#include "core.h"
#include "uring.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static __thread FSP_FILE_SYSTEM_OPERATION_CONTEXT tls_opctx;
static __thread FSP_FILE_SYSTEM_OPERATION_CONTEXT *tls_opctx_ptr;

FSP_FILE_SYSTEM_OPERATION_CONTEXT **fsp_opctx_slot(void)
{
    return &tls_opctx_ptr;
}

void *fsp_request_scratch(struct fsp_request *req)
{
    return req->scratch;
}

void fsp_op_enter(struct fsp_request *req, UINT32 kind)
{
    req->treq.Version = 0;
    req->treq.Size = sizeof req->treq;
    req->treq.Kind = kind;
    req->treq.Hint = req->in->unique;
    req->treq.CallerUid = req->in->uid;
    req->treq.CallerGid = req->in->gid;
    req->treq.CallerPid = req->in->pid;
    if (FspFsctlTransactCreateKind == kind) {
        req->has_backing_fd = false; /* a backing fd belongs to the last Create/Open only */
        req->has_open_flags = false; /* so do open flags (FspFileSystemSetOpenFlags) */
    }
    memset(&req->trsp, 0, sizeof req->trsp);
    req->trsp.Size = sizeof req->trsp;
    req->trsp.Kind = kind;
    req->trsp.Hint = req->treq.Hint;
    tls_opctx.Request = &req->treq;
    tls_opctx.Response = &req->trsp;
    tls_opctx_ptr = &tls_opctx;
    if (!req->guard_held)
        FspFileSystemEnterOperation(req->fs, &req->treq, &req->trsp);
}

NTSTATUS fsp_set_open_flags(UINT32 Flags)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *ctx = tls_opctx_ptr;
    if (!ctx || !ctx->Request)
        return STATUS_INVALID_DEVICE_STATE;
    UINT32 kind = ctx->Request->Kind;
    if (FspFsctlTransactCreateKind != kind && FspFsctlTransactOverwriteKind != kind)
        return STATUS_INVALID_DEVICE_STATE;
    if (Flags & ~(UINT32)FSP_FSCTL_OPEN_FLAGS_VALID)
        return STATUS_INVALID_PARAMETER;
    /* The engine's operation context is always the treq of the request being processed. */
    struct fsp_request *req =
        (struct fsp_request *)((char *)ctx->Request - offsetof(struct fsp_request, treq));
    req->has_open_flags = true;
    req->open_flags = Flags;
    return STATUS_SUCCESS;
}

void fsp_op_leave(struct fsp_request *req)
{
    if (!req->guard_held)
        FspFileSystemLeaveOperation(req->fs, &req->treq, &req->trsp);
    tls_opctx_ptr = 0;
    memset(&req->treq.Req, 0, sizeof req->treq.Req);
    req->treq.FileName = 0;
    req->info_arg = 0;
}

FSP_FSCTL_FILE_INFO *fsp_op_info_arg(struct fsp_request *req, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    memset(info, 0, sizeof *info);
    req->info_arg = &info->FileInfo;
    return &info->FileInfo;
}

FSP_FSCTL_FILE_NSEC *fsp_file_info_nsec(FSP_FSCTL_FILE_INFO *FileInfo)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *ctx = tls_opctx_ptr;
    if (!FileInfo || !ctx || !ctx->Request)
        return 0;
    /* The operation context is always the treq of the request being processed. */
    struct fsp_request *req =
        (struct fsp_request *)((char *)ctx->Request - offsetof(struct fsp_request, treq));
    if (req->info_arg != FileInfo || !req->fs->VolumeParams.NanosecondTimes)
        return 0;
    return &FspFileSystemGetOpenFileInfo(FileInfo)->Nsec;
}

void fsp_op_hold_guard(struct fsp_request *req, FSP_FSCTL_TRANSACT_REQ *held)
{
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(held, 0, sizeof *held);
    memset(&rsp, 0, sizeof rsp);
    held->Size = sizeof *held;
    held->Kind = FspFsctlTransactSetInformationKind;
    held->Hint = req->in->unique;
    held->Req.SetInformation.FileInformationClass = FileRenameInformation;
    held->CallerUid = req->in->uid, held->CallerGid = req->in->gid, held->CallerPid = req->in->pid;
    FspFileSystemEnterOperation(req->fs, held, &rsp);
    req->guard_held = true;
}

void fsp_op_release_guard(struct fsp_request *req, FSP_FSCTL_TRANSACT_REQ *held)
{
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(&rsp, 0, sizeof rsp);
    req->guard_held = false;
    FspFileSystemLeaveOperation(req->fs, held, &rsp);
}

/* Reply EIO to a request we cannot process, when its header is readable. */
static void reject(struct fsp_request *req, const char *why)
{
    FspDebugLog("linfsp: rejected request (opcode %s (%u), unique %llu): %s\n",
                fsp_ops_name(req->in->opcode), req->in->opcode, (unsigned long long)req->in->unique,
                why);
    if (0 != req->in->unique)
        fsp_reply_err(req, EIO);
}

/* The payload against the opcode's shape (ops_misc.c); false when answered. */
static bool args_ok(struct fsp_request *req, uint64_t init_flags)
{
    int err = fsp_ops_check_args(req, init_flags);
    if (err < 0)
        reject(req, "payload shorter than the opcode requires");
    else if (err)
        fsp_reply_err(req, err); /* a name without its NUL */
    return 0 == err;
}

static void handle_interrupt(struct fsp_request *req)
{
    /* No request has unique 0, and idle workers' current_unique is 0: nothing to interrupt. */
    if (0 == ((const struct fuse_interrupt_in *)req->arg)->unique)
        return fsp_reply_err(req, EINVAL);
    fsp_pending_interrupt(req);
}

void fsp_dispatch_one(struct fsp_engine *eng, struct fsp_worker *w, int fd, void *buf, size_t n)
{
    fsp_dispatch_via(eng, w, fd, 0, buf, n);
}

void fsp_dispatch_via(struct fsp_engine *eng, struct fsp_worker *w, int fd,
                      struct fsp_uring_ent *ent, void *buf, size_t n)
{
    struct fsp_request req;
    memset(&req, 0, sizeof req);
    req.engine = eng;
    req.fs = eng->fs;
    req.worker = w;
    req.fd = fd;
    req.ring = ent;
    req.scratch = w ? w->scratch : 0;
    if (w)
        fsp_handles_close_queued(eng); /* handles released on a completion path */
    if (n < sizeof(struct fuse_in_header)) {
        FspDebugLog("linfsp: rejected a %zu-byte message shorter than a request header\n", n);
        return;
    }
    req.in = buf;
    req.arg = (const char *)buf + sizeof(struct fuse_in_header);
    req.arglen = n - sizeof(struct fuse_in_header);
    if (req.in->len != n) {
        reject(&req, "length in header does not match the message");
        return;
    }
    uint32_t opcode = req.in->opcode;
    /* The trace in libfuse's words (scripts read it): request, then "success" or "error". */
    if (eng->fs->DebugLog)
        FspDebugLog("unique: %llu, opcode: %s (%u), nodeid: %llu, insize: %u, pid: %u\n",
                    (unsigned long long)req.in->unique, fsp_ops_name(opcode), opcode,
                    (unsigned long long)req.in->nodeid, req.in->len, req.in->pid);
    if (FUSE_INIT == opcode) {
        if (args_ok(&req, 0))
            fsp_session_init(&req);
        return;
    }
    if (!eng->initialized) {
        reject(&req, "request before FUSE_INIT");
        return;
    }
    if (!args_ok(&req, eng->init_flags))
        return;
    if (FUSE_INTERRUPT == opcode) {
        handle_interrupt(&req);
        return;
    }
    if (FUSE_DESTROY == opcode) {
        fsp_session_destroy(&req);
        return;
    }
    fsp_op_fn *fn = fsp_ops_handler(opcode);
    if (!fn) {
        fsp_reply_err(&req, ENOSYS);
        return;
    }
    if (w)
        __atomic_store_n(&w->current_unique, req.in->unique, __ATOMIC_RELEASE);
    fn(&req);
    if (w)
        __atomic_store_n(&w->current_unique, 0, __ATOMIC_RELEASE);
    if (!req.replied && FUSE_FORGET != opcode && FUSE_BATCH_FORGET != opcode) {
        FspDebugLog("linfsp: internal error: opcode %s (%u) left unanswered\n",
                    fsp_ops_name(opcode), opcode);
        fsp_reply_err(&req, EIO);
    }
    if (req.handle) /* the request's reference; the last one closes the handle here */
        fsp_handle_put(eng, req.handle, true);
}
