/*
 * src/fuse/fuse3_buf.c - struct fuse_buf / fuse_bufvec: size and copy
 * between memory and file descriptor buffers (no splice: plain read/write).
 */
#include "fuse3_priv.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

FUSE3_API size_t fuse_buf_size(const struct fuse_bufvec *bufv)
{
    size_t size = 0;
    for (size_t i = 0; i < bufv->count; i++) {
        if (SIZE_MAX - size < bufv->buf[i].size)
            return SIZE_MAX;
        size += bufv->buf[i].size;
    }
    return size;
}

/* Copy len bytes from src (at src_off) to dst (at dst_off); returns bytes or a negative errno. */
static ssize_t copy_one(const struct fuse_buf *dst, size_t dst_off, const struct fuse_buf *src,
                        size_t src_off, size_t len)
{
    bool src_fd = src->flags & FUSE_BUF_IS_FD, dst_fd = dst->flags & FUSE_BUF_IS_FD;
    if (!src_fd && !dst_fd) {
        if (src->mem != dst->mem || src_off != dst_off)
            memmove((char *)dst->mem + dst_off, (const char *)src->mem + src_off, len);
        return (ssize_t)len;
    }
    if (!dst_fd) { /* fd -> memory */
        size_t done = 0;
        while (done < len) {
            ssize_t n = (src->flags & FUSE_BUF_FD_SEEK)
                            ? pread(src->fd, (char *)dst->mem + dst_off + done, len - done,
                                    src->pos + (off_t)(src_off + done))
                            : read(src->fd, (char *)dst->mem + dst_off + done, len - done);
            if (n < 0) {
                if (EINTR == errno)
                    continue;
                return done ? (ssize_t)done : -errno;
            }
            if (0 == n)
                break;
            done += (size_t)n;
            if (!(src->flags & FUSE_BUF_FD_RETRY))
                break;
        }
        return (ssize_t)done;
    }
    if (!src_fd) { /* memory -> fd */
        size_t done = 0;
        while (done < len) {
            ssize_t n = (dst->flags & FUSE_BUF_FD_SEEK)
                            ? pwrite(dst->fd, (const char *)src->mem + src_off + done, len - done,
                                     dst->pos + (off_t)(dst_off + done))
                            : write(dst->fd, (const char *)src->mem + src_off + done, len - done);
            if (n < 0) {
                if (EINTR == errno)
                    continue;
                return done ? (ssize_t)done : -errno;
            }
            if (0 == n)
                break;
            done += (size_t)n;
            if (!(dst->flags & FUSE_BUF_FD_RETRY))
                break;
        }
        return (ssize_t)done;
    }
    /* fd -> fd through a bounce buffer */
    char tmp[16384];
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done < sizeof tmp ? len - done : sizeof tmp;
        struct fuse_buf mem = {chunk, (enum fuse_buf_flags)0, tmp, -1, 0};
        ssize_t r = copy_one(&mem, 0, src, src_off + done, chunk);
        if (r <= 0)
            return done ? (ssize_t)done : r;
        ssize_t w = copy_one(dst, dst_off + done, &mem, 0, (size_t)r);
        if (w <= 0)
            return done ? (ssize_t)done : w;
        done += (size_t)w;
        if ((size_t)w < chunk)
            break;
    }
    return (ssize_t)done;
}

FUSE3_API ssize_t fuse_buf_copy(struct fuse_bufvec *dstv, struct fuse_bufvec *srcv,
                                enum fuse_buf_copy_flags flags)
{
    (void)flags;
    size_t copied = 0;
    if (dstv == srcv)
        return (ssize_t)fuse_buf_size(dstv);
    while (dstv->idx < dstv->count && srcv->idx < srcv->count) {
        const struct fuse_buf *d = &dstv->buf[dstv->idx], *s = &srcv->buf[srcv->idx];
        if (dstv->off >= d->size) {
            dstv->idx++, dstv->off = 0;
            continue;
        }
        if (srcv->off >= s->size) {
            srcv->idx++, srcv->off = 0;
            continue;
        }
        size_t len = d->size - dstv->off;
        if (s->size - srcv->off < len)
            len = s->size - srcv->off;
        ssize_t n = copy_one(d, dstv->off, s, srcv->off, len);
        if (n < 0)
            return copied ? (ssize_t)copied : n;
        copied += (size_t)n;
        dstv->off += (size_t)n;
        srcv->off += (size_t)n;
        if ((size_t)n < len)
            break; /* end of file or short write */
    }
    return (ssize_t)copied;
}
