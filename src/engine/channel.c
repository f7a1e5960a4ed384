/*
 * src/engine/channel.c - the /dev/fuse channel: open, per-worker clones,
 * reading one request, writing one reply.
 *
 * Every worker reads its own descriptor (a clone bound to the connection
 * with FUSE_DEV_IOC_CLONE, or the master); all of them share the
 * connection's one queue. Which worker reads when is workers.c's business:
 * the leader waits in a blocking read(2) (in workers.c, where cancellation
 * is handled), which the kernel wakes for one request (an exclusive wait);
 * helpers read here without waiting (O_NONBLOCK on their own descriptor) and
 * go idle when the queue is empty.
 */
#include "core.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int fsp_channel_open(int *pfd)
{
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno;
    *pfd = fd;
    return 0;
}

int fsp_channel_clone(int master_fd, int *pfd)
{
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errno;
    uint32_t master = (uint32_t)master_fd;
    if (ioctl(fd, FUSE_DEV_IOC_CLONE, &master) < 0) {
        int err = errno;
        close(fd);
        return err;
    }
    *pfd = fd;
    return 0;
}

void fsp_channel_set_nonblock(struct fsp_worker *w, bool on)
{
    /* A descriptor shared with other workers (the master, or the unit tests' socket) keeps its
     * mode: the leader may be waiting on it. fsp_channel_read_nowait copes. */
    if (!w->own_fd || w->nonblock == on)
        return;
    int fl = fcntl(w->fd, F_GETFL);
    if (fl >= 0 && 0 == fcntl(w->fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK))
        w->nonblock = on;
}

/* One read(2); bytes, or -errno with EINTR and ENOENT (a request interrupted before it was
 * read) retried while the engine is not stopping. */
static ssize_t read_once(struct fsp_worker *w, int flags)
{
    for (;;) {
        if (atomic_load(&w->engine->stopping))
            return 0;
        ssize_t n = flags ? recv(w->fd, w->buf, FSP_ENGINE_BUFSIZE, flags)
                          : read(w->fd, w->buf, FSP_ENGINE_BUFSIZE);
        if (n >= 0)
            return n; /* 0: the peer (unit tests' socket) closed */
        if (EINTR == errno || ENOENT == errno)
            continue;
        if (ENODEV == errno) /* unmounted */
            return 0;
        return -errno;
    }
}

bool fsp_channel_pending(struct fsp_worker *w)
{
    struct pollfd p = {w->fd, POLLIN, 0};
    return 1 == poll(&p, 1, 0) && (p.revents & POLLIN);
}

ssize_t fsp_channel_read_nowait(struct fsp_worker *w)
{
    if (w->own_fd) {
        fsp_channel_set_nonblock(w, true);
        if (w->nonblock)
            return read_once(w, 0);
    } else if (w->engine->attached)
        return read_once(w, MSG_DONTWAIT); /* the unit tests' socket, shared by all workers */
    /* The shared master: take a request only when one is queued. Another worker may take it
     * first, and then this read waits like the leader's: harmless, and rare. */
    if (!fsp_channel_pending(w))
        return atomic_load(&w->engine->stopping) ? 0 : -EAGAIN;
    return read_once(w, 0);
}

int fsp_channel_write(int fd, const struct iovec *iov, int count)
{
    for (;;) {
        ssize_t n = writev(fd, iov, count);
        if (n >= 0)
            return 0;
        if (EINTR == errno)
            continue;
        return errno;
    }
}
