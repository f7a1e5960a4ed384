/*
 * src/launcher/systemd.c - what the launcher needs of systemd's protocols, without libsystemd:
 * socket activation (sd_listen_fds: $LISTEN_PID, $LISTEN_FDS, the socket at fd 3) and
 * readiness (sd_notify: a datagram to $NOTIFY_SOCKET). Both do nothing without systemd.
 */
#include "launcher.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int systemd_listen_fd(void)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (!pid || !fds || strtol(pid, 0, 10) != (long)getpid())
        return -1;
    long n = strtol(fds, 0, 10);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (n < 1)
        return -1;
    /* fd 3 must be a listening SOCK_SEQPACKET Unix socket; others passed are closed. */
    for (int fd = 4; fd < 3 + n; fd++)
        close(fd);
    int type = 0, listening = 0, family = 0;
    socklen_t len = sizeof type;
    if (0 != getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) || SOCK_SEQPACKET != type)
        return -2;
    len = sizeof listening;
    if (0 != getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) || !listening)
        return -2;
    len = sizeof family;
    if (0 != getsockopt(3, SOL_SOCKET, SO_DOMAIN, &family, &len) || AF_UNIX != family)
        return -2;
    fcntl(3, F_SETFD, FD_CLOEXEC);
    fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK);
    return 3;
}

void systemd_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !path[0])
        return;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    if (n >= sizeof addr.sun_path || ('/' != path[0] && '@' != path[0]))
        return;
    memcpy(addr.sun_path, path, n);
    if ('@' == path[0])
        addr.sun_path[0] = '\0'; /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
        log_msg(LOG_DEBUG, "sd_notify: %s", strerror(errno));
    close(fd);
}
