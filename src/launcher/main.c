/*
 * src/launcher/main.c - linfsp-launcher: options, start-up (socket, systemd readiness, daemon
 * mode), the event loop (one thread, one epoll set; signals through a signalfd) and shutdown
 * (instances under job control are stopped before the launcher exits).
 */
#include "launcher.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LINFSP_CLASS_DIRECTORY
#define LINFSP_CLASS_DIRECTORY "/etc/linfsp/services"
#endif

struct launcher_config launcher_cfg = {
    .socket_path = FSP_LAUNCH_PIPE_NAME,
    .class_dir = LINFSP_CLASS_DIRECTORY,
    .fstab = "/etc/fstab",
    .start_timeout_ms = 15000, /* WinFsp's StartWithSecret timeout */
    .stop_timeout_ms = 5500,   /* WinFsp's stop timeout */
    .kill_timeout_ms = 5000,   /* WinFsp's kill timeout */
    .max_clients = 256,
    .max_instances = 1024,
};
bool launcher_stopping;

static int epoll_fd = -1;

int loop_add(int fd, uint32_t events, struct watch *w)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

int loop_mod(int fd, uint32_t events, struct watch *w)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
}

void loop_del(int fd)
{
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, 0);
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: linfsp-launcher [OPTIONS]\n"
            "\n"
            "Starts and stops instances of the file-system classes registered in the class\n"
            "directory, on request of clients on its socket (launchctl, mount.linfsp, the\n"
            "FspLaunch* API). See doc/launcher.md.\n"
            "\n"
            "options:\n"
            "  -f, --foreground          stay in the foreground, log to standard error (for\n"
            "                            systemd, containers, by hand); without it the launcher\n"
            "                            becomes a daemon once listening and logs to syslog\n"
            "  -s, --socket PATH         listen on PATH (default %s)\n"
            "  -c, --class-dir DIR       class files CLASS.conf (default %s)\n"
            "  -a, --admin-group GROUP   members of GROUP (name or gid) count as\n"
            "                            Administrators (BA) in classes' Security\n"
            "      --fstab PATH          fstab that lets users mount (default /etc/fstab)\n"
            "      --start-timeout MS    an instance must be ready this soon (default 15000)\n"
            "      --stop-timeout MS     SIGTERM, then abort and SIGKILL (default 5500)\n"
            "      --kill-timeout MS     then give up waiting (default 5000)\n"
            "      --max-clients N       clients served at once (default 256; a user other\n"
            "                            than root an eighth of them, an eighth kept for root)\n"
            "      --max-instances N     instances at once (default 1024; a user other than\n"
            "                            root an eighth of them, an eighth kept for root)\n"
            "  -p, --pid-file PATH       write the launcher's pid to PATH\n"
            "      --check               check every class file, print what is wrong, exit\n"
            "  -v, --verbose             log every request\n"
            "  -h, --help                this help\n"
            "\n"
            "Signals: SIGTERM or SIGINT stop the launcher (and the instances whose class has\n"
            "JobControl=1); SIGHUP is ignored (class files are read at each start).\n",
            FSP_LAUNCH_PIPE_NAME, LINFSP_CLASS_DIRECTORY);
}

static int parse_uint(const char *s, unsigned max, unsigned *pv)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || '-' == s[0] || v > max)
        return -1;
    *pv = (unsigned)v;
    return 0;
}

/* --check: every CLASS.conf of the class directory, as a start would read it. */
static int check_classes(void)
{
    char msg[768];
    NTSTATUS status = fsp_class_check_dir(launcher_cfg.class_dir, geteuid(), msg, sizeof msg);
    if (!NT_SUCCESS(status)) {
        printf("%s\n", msg);
        return 1;
    }
    DIR *d = opendir(launcher_cfg.class_dir);
    if (!d) {
        printf("%s: %s\n", launcher_cfg.class_dir, strerror(errno));
        return 1;
    }
    int bad = 0, n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if ('.' == de->d_name[0] || len <= 5 || 0 != strcmp(de->d_name + len - 5, ".conf"))
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), de->d_name);
        FSP_LAUNCH_REG_RECORD *rec = 0;
        status = fsp_class_load(launcher_cfg.class_dir, name, geteuid(), &rec, msg, sizeof msg);
        n++;
        if (NT_SUCCESS(status))
            printf("%s: OK\n", name);
        else {
            printf("%s: %s\n", name, msg);
            bad++;
        }
        free(rec);
    }
    closedir(d);
    printf("%d classes, %d refused\n", n, bad);
    return bad ? 1 : 0;
}

/* Daemon mode: the parent returns once the daemon listens (0) or failed (1). */
static int daemonize(int *pready_fd)
{
    int p[2];
    if (0 != pipe2(p, O_CLOEXEC))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        char c = 0;
        ssize_t r;
        do
            r = read(p[0], &c, 1);
        while (r < 0 && EINTR == errno);
        _exit(1 == r && 'R' == c ? 0 : 1);
    }
    close(p[0]);
    if (setsid() < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (0 != chdir("/"))
        return -1;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        return -1;
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    close(null);
    *pready_fd = p[1];
    return 0;
}

static int write_pid_file(const char *path)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 || write(fd, buf, (size_t)n) != n) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return close(fd);
}

static struct watch signal_watch;
static int signal_fd = -1;

static void signal_ready(struct watch *w, uint32_t events)
{
    (void)w, (void)events;
    struct signalfd_siginfo si;
    while (sizeof si == read(signal_fd, &si, sizeof si)) {
        if (SIGCHLD == si.ssi_signo) {
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                instances_child_exited(pid, status);
        } else if (SIGHUP == si.ssi_signo)
            log_msg(LOG_INFO, "SIGHUP ignored (class files are read at each start)");
        else if (!launcher_stopping) {
            log_msg(LOG_NOTICE, "signal %u: stopping", si.ssi_signo);
            launcher_stopping = true;
        }
    }
}

int main(int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    enum { OPT_FSTAB = 256, OPT_START, OPT_STOP, OPT_KILL, OPT_CLIENTS, OPT_INSTANCES, OPT_CHECK };
    static const struct option longopts[] = {
        {"foreground", no_argument, 0, 'f'},       {"socket", required_argument, 0, 's'},
        {"class-dir", required_argument, 0, 'c'},  {"admin-group", required_argument, 0, 'a'},
        {"fstab", required_argument, 0, OPT_FSTAB}, {"start-timeout", required_argument, 0, OPT_START},
        {"stop-timeout", required_argument, 0, OPT_STOP}, {"kill-timeout", required_argument, 0, OPT_KILL},
        {"max-clients", required_argument, 0, OPT_CLIENTS},
        {"max-instances", required_argument, 0, OPT_INSTANCES},
        {"pid-file", required_argument, 0, 'p'},   {"check", no_argument, 0, OPT_CHECK},
        {"verbose", no_argument, 0, 'v'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    bool check = false;
    int opt;
    while (-1 != (opt = getopt_long(argc, argv, "fs:c:a:p:vh", longopts, 0))) {
        int bad = 0;
        switch (opt) {
        case 'f': launcher_cfg.foreground = true; break;
        case 's': launcher_cfg.socket_path = optarg; bad = '/' != optarg[0]; break;
        case 'c': launcher_cfg.class_dir = optarg; bad = '/' != optarg[0]; break;
        case 'a': {
            struct group *g = getgrnam(optarg);
            unsigned gid;
            if (g)
                launcher_cfg.admin_gid = g->gr_gid;
            else if (0 == parse_uint(optarg, 0xfffffffe, &gid))
                launcher_cfg.admin_gid = gid;
            else
                bad = 1;
            launcher_cfg.has_admin_group = true;
            break;
        }
        case OPT_FSTAB: launcher_cfg.fstab = optarg; break;
        case OPT_START: bad = parse_uint(optarg, 3600000, &launcher_cfg.start_timeout_ms); break;
        case OPT_STOP: bad = parse_uint(optarg, 3600000, &launcher_cfg.stop_timeout_ms); break;
        case OPT_KILL: bad = parse_uint(optarg, 3600000, &launcher_cfg.kill_timeout_ms); break;
        case OPT_CLIENTS: bad = parse_uint(optarg, 65536, &launcher_cfg.max_clients) || !launcher_cfg.max_clients; break;
        case OPT_INSTANCES: bad = parse_uint(optarg, 1024, &launcher_cfg.max_instances) || !launcher_cfg.max_instances; break;
        case 'p': launcher_cfg.pid_file = optarg; break;
        case OPT_CHECK: check = true; break;
        case 'v': launcher_cfg.verbose = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "linfsp-launcher: invalid value for %s: %s\n", argv[optind - 1], optarg);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "linfsp-launcher: unexpected argument %s\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (check)
        return check_classes();

    int ready_fd = -1, rc = 1;
    log_init(false);
    /* Signals arrive through a signalfd; SIGPIPE is of no interest (MSG_NOSIGNAL anyway). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD), sigaddset(&set, SIGTERM), sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, 0);
    signal(SIGPIPE, SIG_IGN);
    char msg[768];
    if (!NT_SUCCESS(fsp_class_check_dir(launcher_cfg.class_dir, geteuid(), msg, sizeof msg)))
        log_msg(LOG_WARNING, "class directory refused (no class can start): %s", msg);
    /* Listening before a daemon detaches: errors still reach the terminal. */
    if (0 != server_init())
        goto out;
    if (!launcher_cfg.foreground) {
        if (0 != daemonize(&ready_fd)) {
            log_msg(LOG_ERR, "cannot become a daemon: %s", strerror(errno));
            goto out;
        }
        log_init(true);
    }
    /* epoll and signalfd belong to the process that waits on them (not to a daemon's parent). */
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    signal_watch.on_ready = signal_ready;
    if (epoll_fd < 0 || signal_fd < 0 || 0 != loop_add(signal_fd, EPOLLIN, &signal_watch) ||
        0 != server_start()) {
        log_msg(LOG_ERR, "cannot set up: %s", strerror(errno));
        goto out;
    }
    /* Orphans of instances (e.g. the engine's unmount watchdog) are reaped here. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (0 != mounts_init()) {
        log_msg(LOG_ERR, "cannot watch /proc/self/mountinfo: %s", strerror(errno));
        goto out;
    }
    if (launcher_cfg.pid_file && 0 != write_pid_file(launcher_cfg.pid_file))
        log_msg(LOG_WARNING, "cannot write %s: %s", launcher_cfg.pid_file, strerror(errno));
    log_msg(LOG_NOTICE, "ready (class directory %s)", launcher_cfg.class_dir);
    systemd_notify("READY=1\nSTATUS=serving");
    if (ready_fd >= 0) {
        if (write(ready_fd, "R", 1) < 0)
            (void)0;
        close(ready_fd);
        ready_fd = -1;
    }

    bool shutting_down = false;
    for (;;) {
        if (launcher_stopping && !shutting_down) {
            shutting_down = true;
            systemd_notify("STOPPING=1");
            server_close();
            instances_shutdown();
        }
        if (shutting_down && instances_done())
            break;
        uint64_t now = now_ms(), next = server_tick(now), n2 = instances_tick(now);
        if (n2 && (!next || n2 < next))
            next = n2;
        int timeout = -1;
        if (next) {
            now = now_ms();
            timeout = next > now ? (int)(next - now < 60000 ? next - now : 60000) : 0;
        }
        /* One event at a time: handling one may free what another event points to. */
        struct epoll_event ev;
        int n = epoll_wait(epoll_fd, &ev, 1, timeout);
        if (n < 0 && EINTR != errno) {
            log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
            break;
        }
        if (1 == n) {
            struct watch *w = ev.data.ptr;
            w->on_ready(w, ev.events);
        }
    }
    rc = 0;
    log_msg(LOG_NOTICE, "stopped");
out:
    if (ready_fd >= 0)
        close(ready_fd);
    server_close();
    instances_free_all();
    server_free_all();
    mounts_close();
    if (signal_fd >= 0)
        close(signal_fd);
    if (epoll_fd >= 0)
        close(epoll_fd);
    if (launcher_cfg.pid_file && 0 == rc)
        unlink(launcher_cfg.pid_file);
    return rc;
}
