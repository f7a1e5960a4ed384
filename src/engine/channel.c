/*
 * src/engine/channel.c - the /dev/fuse channel: open, per-worker clones,
 * reading one request, writing one reply.
 *
 * Workers read with O_NONBLOCK and sleep in poll() only when the queue is
 * empty, so a busy worker pays one read(2) per request and a stopping
 * dispatcher wakes idle workers through the engine's eventfd.
 */
#include "core.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

ssize_t fsp_channel_read(struct fsp_engine *eng, int fd, void *buf, size_t size)
{
    for (;;) {
        if (atomic_load(&eng->stopping))
            return 0;
        ssize_t n = read(fd, buf, size);
        if (n > 0)
            return n;
        if (0 == n)
            return 0; /* the peer (unit tests' socket) closed */
        switch (errno) {
        case EINTR:
        case ENOENT: /* the request was interrupted before we read it */
            continue;
        case EAGAIN: {
            struct pollfd p[2] = {{fd, POLLIN, 0}, {eng->stop_fd, POLLIN, 0}};
            if (poll(p, 2, -1) < 0 && EINTR != errno)
                return -errno;
            if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL) && !(p[0].revents & POLLIN))
                return 0;
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
