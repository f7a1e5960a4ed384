/*
 * src/engine/channel.c - the /dev/fuse channel: open, per-worker clones,
 * reading one request, writing one reply.
 *
 * Workers read with O_NONBLOCK and sleep only when the queue is empty, so a
 * busy worker pays one read(2) per request. Each idle worker sleeps in its own
 * epoll set holding its channel with EPOLLEXCLUSIVE and the engine's stop
 * eventfd: all clones share the connection's one wait queue, and an exclusive
 * wait makes the kernel wake one idle worker per request (a plain poll() woke
 * every idle worker for every request, and all but one went back to sleep);
 * a stopping dispatcher still wakes them all through the eventfd.
 */
#include "core.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
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

/* The worker's epoll set (created on first use); -1 when epoll is not available. */
static int wait_set(struct fsp_worker *w)
{
    if (w->epfd >= 0)
        return w->epfd;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -1;
    struct epoll_event chan = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = w->fd};
    struct epoll_event stop = {.events = EPOLLIN, .data.fd = w->engine->stop_fd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &chan) < 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, w->engine->stop_fd, &stop) < 0) {
        close(ep);
        return -1;
    }
    return w->epfd = ep;
}

/* Sleep until the channel may have a request or the engine stops; false when the channel is dead. */
static bool wait_readable(struct fsp_worker *w, int *perr)
{
    int ep = wait_set(w);
    if (ep >= 0) {
        struct epoll_event ev[2];
        int n = epoll_wait(ep, ev, 2, -1);
        if (n < 0) {
            *perr = EINTR == errno ? 0 : errno;
            return EINTR == errno;
        }
        for (int i = 0; i < n; i++)
            if (ev[i].data.fd == w->fd && (ev[i].events & (EPOLLERR | EPOLLHUP)) &&
                !(ev[i].events & EPOLLIN))
                return false;
        return true;
    }
    struct pollfd p[2] = {{w->fd, POLLIN, 0}, {w->engine->stop_fd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
        *perr = EINTR == errno ? 0 : errno;
        return EINTR == errno;
    }
    return !(p[0].revents & (POLLERR | POLLHUP | POLLNVAL) && !(p[0].revents & POLLIN));
}

ssize_t fsp_channel_read(struct fsp_worker *w, void *buf, size_t size)
{
    for (;;) {
        if (atomic_load(&w->engine->stopping))
            return 0;
        ssize_t n = read(w->fd, buf, size);
        if (n > 0)
            return n;
        if (0 == n)
            return 0; /* the peer (unit tests' socket) closed */
        switch (errno) {
        case EINTR:
        case ENOENT: /* the request was interrupted before we read it */
            continue;
        case EAGAIN: {
            int err = 0;
            if (!wait_readable(w, &err))
                return err ? -err : 0;
            continue;
        }
        case ENODEV: /* unmounted */
            return 0;
        default:
            return -errno;
        }
    }
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
