/*
 * src/engine/reply.c - replies to kernel requests: a fuse_out_header plus
 * payload pieces, written with one writev(2) on the request's channel.
 */
#include "core.h"
#include "uring.h"
#include "fs_errors.h"
#include <errno.h>
#include <string.h>

static void reply_iov_err(struct fsp_request *req, int err, const struct iovec *iov, int count)
{
    if (req->replied) {
        FspDebugLog("linfsp: internal error: second reply to unique %llu\n",
                    (unsigned long long)req->in->unique);
        return;
    }
    req->replied = true;
    struct iovec v[8];
    struct fuse_out_header out;
    size_t len = sizeof out;
    if (count > 7)
        count = 7;
    for (int i = 0; i < count; i++) {
        v[i + 1] = iov[i];
        len += iov[i].iov_len;
    }
    out.len = (uint32_t)len;
    out.error = -err;
    out.unique = req->in->unique;
    v[0].iov_base = &out;
    v[0].iov_len = sizeof out;
    if (req->fs->DebugLog) {
        if (0 == out.error)
            FspDebugLog("   unique: %llu, success, outsize: %u\n", (unsigned long long)out.unique,
                        out.len);
        else {
            char text[128];
            FspDebugLog("   unique: %llu, error: %d (%s), outsize: %u\n",
                        (unsigned long long)out.unique, out.error,
                        strerror_r(err, text, sizeof text), out.len);
        }
    }
    /* Not busy from here on: the thread may lose the CPU to the caller it wakes. */
    if (req->worker && req->worker->lead_busy)
        fsp_worker_request_done(req->worker);
    int werr = req->ring ? fsp_uring_reply(req, v, count + 1) : fsp_channel_write(req->fd, v, count + 1);
    req->reply_error = werr;
    /* ENOENT: the kernel no longer waits for this request (interrupted or aborted). */
    if (werr && ENOENT != werr && ENODEV != werr)
        FspDebugLog("linfsp: reply to unique %llu failed: %s\n", (unsigned long long)out.unique,
                    strerror(werr));
}

void fsp_reply_err(struct fsp_request *req, int err)
{
    /* An internal code goes out as its public errno (fs_errors.h). */
    err = fsp_err_public(err);
    /* "The file system lacks this operation": ENOSYS would make the kernel stop sending some
     * opcodes for the whole mount, so it gets the opcode's own answer. */
    if (ENOSYS == err)
        err = fsp_ops_unsupported(req->in->opcode);
    reply_iov_err(req, err, 0, 0);
}

void fsp_reply_data(struct fsp_request *req, const void *data, size_t size)
{
    struct iovec v = {(void *)data, size};
    reply_iov_err(req, 0, &v, size ? 1 : 0);
}

void fsp_reply_iov(struct fsp_request *req, const struct iovec *iov, int count)
{
    reply_iov_err(req, 0, iov, count);
}

void fsp_reply_none(struct fsp_request *req)
{
    req->replied = true;
}
