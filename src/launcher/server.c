/*
 * src/launcher/server.c - the launcher's socket: a SOCK_SEQPACKET Unix socket (its own, or
 * systemd's), one request per connection, every request checked before it is acted on (its
 * length, its form, the names and arguments in it), one reply, then the connection is closed.
 * Many clients are served at once: a start or stop waits for its instance without holding up
 * anybody else. The protocol is in doc/launcher.md.
 */
#include "launcher.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A client must send its request this soon after connecting. */
#define REQUEST_TIMEOUT_MS 10000
/* Instance names: a mount's source in /proc/mounts, so no blanks, commas or backslashes. */
#define INSTANCE_NAME_MAX 255

struct client {
    struct client *prev, *next;
    int fd;
    struct watch watch;
    struct caller caller;
    uint64_t deadline; /* for the request; 0 once it is read */
};

static struct client *clients;
static unsigned nclients;

/* Connections per user: one user other than root may hold at most an eighth of the clients
 * (--max-clients), and the last eighth is kept for root, so that nobody can lock everybody
 * out by holding connections open (each may stay REQUEST_TIMEOUT_MS without a request, and
 * reconnect). Counted per uid in a small hash table. */
struct uid_count {
    struct uid_count *next;
    uid_t uid;
    unsigned n;
};
#define UID_BUCKETS 256
static struct uid_count *uid_counts[UID_BUCKETS];

static struct uid_count **uid_slot(uid_t uid)
{
    struct uid_count **p = &uid_counts[uid % UID_BUCKETS];
    while (*p && (*p)->uid != uid)
        p = &(*p)->next;
    return p;
}

static unsigned uid_clients(uid_t uid)
{
    struct uid_count *u = *uid_slot(uid);
    return u ? u->n : 0;
}

static int uid_add(uid_t uid)
{
    struct uid_count **p = uid_slot(uid);
    if (!*p) {
        if (!(*p = calloc(1, sizeof **p)))
            return -1;
        (*p)->uid = uid;
    }
    (*p)->n++;
    return 0;
}

static void uid_remove(uid_t uid)
{
    struct uid_count **p = uid_slot(uid), *u = *p;
    if (u && 0 == --u->n) {
        *p = u->next;
        free(u);
    }
}

static unsigned share_of_clients(void)
{
    unsigned n = launcher_cfg.max_clients / 8;
    return n ? n : 1;
}

static unsigned kept_for_root(void)
{
    return launcher_cfg.max_clients / 8; /* none below 8 clients */
}

/* Log refused connections at most once a second (a flood must not flood the log). */
static void log_refused(const char *why, uid_t uid)
{
    static uint64_t last;
    static unsigned suppressed;
    uint64_t now = now_ms();
    if (last && now - last < 1000) {
        suppressed++;
        return;
    }
    log_msg(LOG_WARNING, "connection of uid %u refused: %s%s", (unsigned)uid, why,
            suppressed ? " (and more since the last such message)" : "");
    last = now, suppressed = 0;
}
static int listen_fd = -1, lock_fd = -1;
static bool own_socket;
static struct watch listen_watch;
/* Out of file descriptors, the launcher stops accepting for a while: the connection waiting
 * keeps the socket readable, so trying again at once would spin. */
#define ACCEPT_PAUSE_MS 250
static uint64_t accept_paused_until;
static uint64_t accept_short_logged; /* when the shortage was last logged (once a minute) */

const struct caller *client_caller(struct client *cl)
{
    return &cl->caller;
}

static void client_free(struct client *cl)
{
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    nclients--;
    uid_remove(cl->caller.uid);
    loop_del(cl->fd);
    close(cl->fd);
    caller_free(&cl->caller);
    free(cl);
}

void server_reply(struct client *cl, ULONG error, const char *data, size_t len)
{
    char buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    size_t n;
    if (error)
        n = (size_t)snprintf(buf, sizeof buf, "%c%lu", FspLaunchCmdFailure, (unsigned long)error);
    else {
        if (len > sizeof buf - 1)
            len = sizeof buf - 1;
        buf[0] = FspLaunchCmdSuccess;
        if (len)
            memcpy(buf + 1, data, len);
        n = len + 1;
    }
    if (send(cl->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        log_msg(LOG_DEBUG, "reply to pid %d lost: %s", (int)cl->caller.pid, strerror(errno));
    client_free(cl);
}

static bool instance_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (0 == n || n > INSTANCE_NAME_MAX || !fsp_class_text_ok(s))
        return false;
    return !strpbrk(s, " \t,\\");
}

/* Arguments end up on command lines and in logs: UTF-8 without control characters. */
static bool argument_ok(const char *s)
{
    return fsp_class_text_ok(s) && !strchr(s, '\t');
}

static void dispatch(struct client *cl, char *buf, size_t len)
{
    /* COMMAND, then NUL-terminated arguments. */
    char *argv[2 + FSP_LAUNCH_MAX_ARGUMENTS + 1];
    int argc = 0;
    char cmd = buf[0];
    if (len > 1 && '\0' != buf[len - 1])
        goto invalid;
    for (size_t pos = 1; pos < len;) {
        if (argc == (int)ARRAYSIZE(argv))
            goto invalid;
        argv[argc++] = buf + pos;
        pos += strlen(buf + pos) + 1;
    }
    const struct caller *c = &cl->caller;
    switch (cmd) {
    case FspLaunchCmdStart:
    case FspLaunchCmdStartWithSecret: {
        bool secret = FspLaunchCmdStartWithSecret == cmd;
        /* CLASS INSTANCE ARG... [SECRET]: at most 9 arguments, the secret among them */
        if (argc < 2 + (secret ? 1 : 0) || argc > 2 + FSP_LAUNCH_MAX_ARGUMENTS)
            goto invalid;
        if (!fsp_class_name_valid(argv[0]) || !instance_name_ok(argv[1]))
            goto invalid;
        int nargs = argc - 2 - (secret ? 1 : 0);
        for (int i = 0; i < nargs; i++)
            if (!argument_ok(argv[2 + i]))
                goto invalid;
        const char *sec = secret ? argv[argc - 1] : 0;
        if (secret && !sec[0])
            goto invalid;
        log_msg(LOG_DEBUG, "uid %u pid %d: %s %s/%s", (unsigned)c->uid, (int)c->pid,
                secret ? "startWithSecret" : "start", argv[0], argv[1]);
        instance_start(cl, secret, argv[0], argv[1], nargs, argv + 2, sec, sec ? strlen(sec) : 0);
        return;
    }
    case FspLaunchCmdStop:
    case FspLaunchCmdGetInfo:
        if (2 != argc || !fsp_class_name_valid(argv[0]) || !instance_name_ok(argv[1]))
            goto invalid;
        log_msg(LOG_DEBUG, "uid %u pid %d: %s %s/%s", (unsigned)c->uid, (int)c->pid,
                FspLaunchCmdStop == cmd ? "stop" : "info", argv[0], argv[1]);
        if (FspLaunchCmdStop == cmd)
            instance_stop(cl, argv[0], argv[1]);
        else
            instance_info(cl, argv[0], argv[1]);
        return;
    case FspLaunchCmdGetNameList:
        if (0 != argc)
            goto invalid;
        instance_list(cl);
        return;
    default:
        break;
    }
invalid:
    log_msg(LOG_NOTICE, "malformed request (command 0x%02x, %zu bytes) from uid %u pid %d",
            (unsigned char)cmd, len, (unsigned)cl->caller.uid, (int)cl->caller.pid);
    server_reply(cl, ERROR_INVALID_PARAMETER, 0, 0);
}

static void client_ready(struct watch *w, uint32_t events)
{
    struct client *cl = (struct client *)((char *)w - offsetof(struct client, watch));
    if (0 == cl->deadline) {
        /* The request was read and a reply is due: the client hung up meanwhile. */
        if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
            instance_forget_client(cl);
            client_free(cl);
        }
        return;
    }
    char *buf = malloc(FSP_LAUNCH_PIPE_BUFFER_SIZE + 1);
    if (!buf) {
        server_reply(cl, ERROR_NO_SYSTEM_RESOURCES, 0, 0);
        return;
    }
    /* MSG_TRUNC: the message's real length even when it is longer than the buffer. */
    ssize_t r = recv(cl->fd, buf, FSP_LAUNCH_PIPE_BUFFER_SIZE, MSG_DONTWAIT | MSG_TRUNC);
    if (r < 0 && (EAGAIN == errno || EINTR == errno)) {
        free(buf);
        return;
    }
    if (r <= 0) { /* closed without a request */
        free(buf);
        client_free(cl);
        return;
    }
    cl->deadline = 0;
    loop_mod(cl->fd, EPOLLRDHUP, &cl->watch); /* from now on only a hang-up matters */
    if (r > FSP_LAUNCH_PIPE_BUFFER_SIZE) {
        log_msg(LOG_NOTICE, "request of %zd bytes (more than %d) from uid %u pid %d", r,
                FSP_LAUNCH_PIPE_BUFFER_SIZE, (unsigned)cl->caller.uid, (int)cl->caller.pid);
        server_reply(cl, ERROR_BAD_LENGTH, 0, 0);
    } else
        dispatch(cl, buf, (size_t)r);
    explicit_bzero(buf, FSP_LAUNCH_PIPE_BUFFER_SIZE + 1); /* may hold a secret */
    free(buf);
}

static void listen_ready(struct watch *w, uint32_t events)
{
    (void)w, (void)events;
    for (;;) {
        int fd = accept4(listen_fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (EINTR == errno)
                continue;
            if (EMFILE == errno || ENFILE == errno || ENOBUFS == errno || ENOMEM == errno) {
                /* paused, tried again later; logged at most once a minute (not once per try) */
                uint64_t now = now_ms();
                if (!accept_short_logged || now - accept_short_logged >= 60000) {
                    log_msg(LOG_WARNING, "cannot accept connections (%s, %u clients): "
                            "trying again every %d ms", strerror(errno), nclients,
                            ACCEPT_PAUSE_MS);
                    accept_short_logged = now;
                }
                accept_paused_until = now + ACCEPT_PAUSE_MS;
                loop_mod(listen_fd, 0, &listen_watch);
            } else if (EAGAIN != errno && EWOULDBLOCK != errno)
                log_msg(LOG_WARNING, "accept: %s", strerror(errno));
            return;
        }
        struct client *cl = calloc(1, sizeof *cl);
        int error = !cl || 0 != caller_from_socket(fd, &cl->caller) ? ERROR_NO_SYSTEM_RESOURCES : 0;
        if (!error) {
            /* root may use every slot; others all but root's share, each user at most a share */
            bool root = 0 == cl->caller.uid;
            unsigned limit = launcher_cfg.max_clients - (root ? 0 : kept_for_root());
            if (nclients >= launcher_cfg.max_clients || (!root && nclients >= limit)) {
                log_refused("too many clients", cl->caller.uid);
                error = ERROR_BUSY;
            } else if (!root && uid_clients(cl->caller.uid) >= share_of_clients()) {
                log_refused("too many connections of this user", cl->caller.uid);
                error = ERROR_BUSY;
            } else if (0 != uid_add(cl->caller.uid))
                error = ERROR_NO_SYSTEM_RESOURCES;
        }
        if (error) {
            char busy[16];
            int n = snprintf(busy, sizeof busy, "%c%d", FspLaunchCmdFailure, error);
            if (send(fd, busy, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                (void)0;
            if (cl)
                caller_free(&cl->caller);
            free(cl);
            close(fd);
            continue;
        }
        cl->fd = fd;
        cl->deadline = now_ms() + REQUEST_TIMEOUT_MS;
        cl->watch.on_ready = client_ready;
        cl->next = clients;
        if (clients)
            clients->prev = cl;
        clients = cl;
        nclients++;
        if (0 != loop_add(fd, EPOLLIN | EPOLLRDHUP, &cl->watch))
            client_free(cl);
    }
}

uint64_t server_tick(uint64_t now)
{
    uint64_t next = 0;
    if (accept_paused_until && listen_fd >= 0) {
        if (now >= accept_paused_until) {
            accept_paused_until = 0;
            loop_mod(listen_fd, EPOLLIN, &listen_watch);
        } else
            next = accept_paused_until;
    }
    for (struct client *cl = clients, *nx; cl; cl = nx) {
        nx = cl->next;
        if (!cl->deadline)
            continue;
        if (now >= cl->deadline) {
            log_msg(LOG_DEBUG, "pid %d sent no request in time", (int)cl->caller.pid);
            client_free(cl);
        } else if (!next || cl->deadline < next)
            next = cl->deadline;
    }
    return next;
}

/* Create the socket's directory (and its parents) when missing, mode 0755. */
static int make_parent_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    char *slash = strrchr(copy, '/');
    int r = 0;
    if (slash && slash != copy) {
        *slash = '\0';
        for (char *p = copy + 1; 0 == r; p++) {
            if ('/' != *p && '\0' != *p)
                continue;
            char saved = *p;
            *p = '\0';
            if (0 != mkdir(copy, 0755) && EEXIST != errno)
                r = -1;
            *p = saved;
            if (!saved)
                break;
        }
    }
    free(copy);
    return r;
}

int server_init(void)
{
    listen_fd = systemd_listen_fd();
    if (-2 == listen_fd) {
        log_msg(LOG_ERR, "the socket systemd passed is not a listening SOCK_SEQPACKET Unix socket");
        return -1;
    }
    if (listen_fd >= 0)
        log_msg(LOG_INFO, "listening on the socket systemd passed");
    else {
        const char *path = launcher_cfg.socket_path;
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof addr.sun_path) {
            log_msg(LOG_ERR, "socket path too long: %s", path);
            return -1;
        }
        strcpy(addr.sun_path, path);
        if (0 != make_parent_dirs(path)) {
            log_msg(LOG_ERR, "cannot create the directory of %s: %s", path, strerror(errno));
            return -1;
        }
        /* One launcher per socket: a lock next to it, held for the launcher's life. */
        char lock[sizeof addr.sun_path + 8];
        snprintf(lock, sizeof lock, "%s.lock", path);
        lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lock_fd < 0 || 0 != flock(lock_fd, LOCK_EX | LOCK_NB)) {
            log_msg(LOG_ERR, "%s: %s", lock,
                    lock_fd >= 0 && EWOULDBLOCK == errno ? "another launcher serves this socket"
                                                         : strerror(errno));
            return -1;
        }
        listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (listen_fd < 0)
            return -1;
        unlink(path); /* a stale socket of an earlier launcher: the lock is ours */
        /* Everyone may connect: each request is checked on its own. */
        mode_t old = umask(0111);
        int r = bind(listen_fd, (struct sockaddr *)&addr, sizeof addr);
        umask(old);
        if (0 != r || 0 != listen(listen_fd, 128)) {
            log_msg(LOG_ERR, "cannot listen on %s: %s", path, strerror(errno));
            return -1;
        }
        own_socket = true;
        log_msg(LOG_INFO, "listening on %s", path);
    }
    return 0;
}

int server_start(void)
{
    listen_watch.on_ready = listen_ready;
    return loop_add(listen_fd, EPOLLIN, &listen_watch);
}

void server_close(void)
{
    if (listen_fd < 0)
        return;
    loop_del(listen_fd);
    close(listen_fd);
    listen_fd = -1;
    if (own_socket)
        unlink(launcher_cfg.socket_path);
    own_socket = false;
}

void server_free_all(void)
{
    while (clients)
        client_free(clients);
    if (lock_fd >= 0)
        close(lock_fd);
    lock_fd = -1;
}
