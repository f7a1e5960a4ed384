/*
 * src/launcher/instance.c - instances: start (class file, access check, command line, RunAs,
 * mount point policy, process), readiness (exec done, secret answered "OK", mounted), stop
 * (SIGTERM, then the FUSE connection aborted and SIGKILL), the end of a process (its mount
 * freed; Recovery restarts a crashed one), info and list. Every change happens on the
 * launcher's one thread; clients waiting for an instance get their reply when it is ready or
 * gone. States: starting -> running -> stopping -> gone; a crashed instance with Recovery goes
 * through restarting.
 */
#include "launcher.h"
#include "api.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Recovery: restart after 0.5, 1, 2, 4, 8 s; give up after 5 failures in a row (an instance
 * that ran for RECOVERY_RESET_MS starts a new row). */
#define RECOVERY_DELAY_MS 500
#define RECOVERY_MAX_FAILURES 5
#define RECOVERY_RESET_MS 10000
/* While an instance waits to be mounted, mount changes are also polled this often. */
#define MOUNT_POLL_MS 200

enum state { ST_STARTING, ST_RUNNING, ST_STOPPING, ST_RESTARTING };
static const char *const state_names[] = {"starting", "running", "stopping", "restarting"};

struct waiter {
    struct client *cl;
    bool start; /* a start request (else stop) */
    struct waiter *next;
};

struct instance {
    struct instance *next;
    char *class_name, *instance_name;
    char **argv, **envp, *cmdline;
    char *exec_path; /* what runs: Executable's canonical path, checked (argv[0] is Executable) */
    char *workdir, *stderr_path, *mountpoint;
    bool verify_target; /* the mount must land on mountpoint (checked for a non-root caller) */
    bool change_ids;
    uid_t uid;
    gid_t gid, *groups;
    int ngroups;
    PSECURITY_DESCRIPTOR sd;
    bool jobcontrol, recovery, has_secret;
    char *secret;
    size_t secret_len;
    uid_t caller_uid;

    pid_t pid;
    int status_fd, out_fd;
    struct watch status_watch, out_watch;
    enum state state;
    uint64_t deadline;
    int stop_phase; /* 1: SIGTERM sent; 2: connection aborted and SIGKILL sent */
    bool exec_ok, spawn_failed, secret_ok, mounted, stop_requested;
    struct spawn_failure failure;
    unsigned dev, pre_dev;
    int mnt_id;
    char *mounted_at;
    char out_buf[2];
    size_t out_len;
    ULONG fail_code; /* for start waiters when a start fails */
    unsigned failures;
    uint64_t ready_at;
    struct waiter *waiters;
};

static struct instance *instances;
static unsigned ninstances;

#define CONTAINER(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static struct instance *find(const char *class_name, const char *instance_name)
{
    for (struct instance *in = instances; in; in = in->next)
        if (0 == strcmp(in->class_name, class_name) && 0 == strcmp(in->instance_name, instance_name))
            return in;
    return 0;
}

static void add_waiter(struct instance *in, struct client *cl, bool start)
{
    struct waiter *w = malloc(sizeof *w);
    if (!w) {
        server_reply(cl, ERROR_NO_SYSTEM_RESOURCES, 0, 0);
        return;
    }
    w->cl = cl, w->start = start, w->next = in->waiters;
    in->waiters = w;
}

/* Reply to the start waiters (or all) and drop them. */
static void reply_waiters(struct instance *in, bool starts, bool stops, ULONG start_error,
                          ULONG stop_error)
{
    for (struct waiter **pw = &in->waiters; *pw;) {
        struct waiter *w = *pw;
        if ((w->start && starts) || (!w->start && stops)) {
            *pw = w->next;
            server_reply(w->cl, w->start ? start_error : stop_error, 0, 0);
            free(w);
        } else
            pw = &w->next;
    }
}

void instance_forget_client(struct client *cl)
{
    for (struct instance *in = instances; in; in = in->next)
        for (struct waiter **pw = &in->waiters; *pw; pw = &(*pw)->next)
            if ((*pw)->cl == cl) {
                struct waiter *w = *pw;
                *pw = w->next;
                free(w);
                return;
            }
}

static void close_fds(struct instance *in)
{
    if (in->status_fd >= 0) {
        loop_del(in->status_fd);
        close(in->status_fd);
        in->status_fd = -1;
    }
    if (in->out_fd >= 0) {
        loop_del(in->out_fd);
        close(in->out_fd);
        in->out_fd = -1;
    }
}

static void free_vector(char **v)
{
    if (v)
        for (char **p = v; *p; p++)
            free(*p);
    free(v);
}

static void instance_free(struct instance *in)
{
    close_fds(in);
    free(in->class_name), free(in->instance_name);
    free_vector(in->argv), free_vector(in->envp);
    free(in->cmdline), free(in->exec_path), free(in->workdir), free(in->stderr_path), free(in->mountpoint);
    free(in->groups), free(in->sd), free(in->mounted_at);
    if (in->secret) {
        explicit_bzero(in->secret, in->secret_len);
        free(in->secret);
    }
    free(in);
}

static void unlink_instance(struct instance *in)
{
    for (struct instance **p = &instances; *p; p = &(*p)->next)
        if (*p == in) {
            *p = in->next;
            ninstances--;
            return;
        }
}

/* The instance is gone: answer everyone waiting and forget it. */
static void finish(struct instance *in)
{
    reply_waiters(in, true, true, in->fail_code ? in->fail_code : ERROR_OPERATION_ABORTED, 0);
    unlink_instance(in);
    instance_free(in);
}

/* ---- the process ---- */

static void status_ready(struct watch *w, uint32_t events);
static void out_ready(struct watch *w, uint32_t events);
static void check_ready(struct instance *in);

static int launch(struct instance *in)
{
    int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
    if (in->has_secret && (0 != pipe2(in_pipe, O_CLOEXEC) || 0 != pipe2(out_pipe, O_CLOEXEC))) {
        int err = errno;
        if (in_pipe[0] >= 0)
            close(in_pipe[0]), close(in_pipe[1]);
        errno = err;
        return -1;
    }
    struct spawn_spec spec = {
        .path = in->exec_path, .argv = in->argv, .envp = in->envp, .change_ids = in->change_ids, .uid = in->uid,
        .gid = in->gid, .groups = in->groups, .ngroups = in->ngroups, .workdir = in->workdir,
        .stderr_path = in->stderr_path, .stdin_fd = in_pipe[0], .stdout_fd = out_pipe[1],
        .jobcontrol = in->jobcontrol,
    };
    int status_fd = -1;
    pid_t pid = spawn_instance(&spec, &status_fd);
    int err = errno;
    if (in->has_secret) {
        close(in_pipe[0]), close(out_pipe[1]);
        if (pid > 0) {
            /* The secret (at most a request's size) fits in a pipe: one write, then EOF; never
             * blocking (a pipe of an unprivileged user may hold less). */
            fcntl(in_pipe[1], F_SETFL, fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
            ssize_t r;
            do
                r = write(in_pipe[1], in->secret, in->secret_len);
            while (r < 0 && EINTR == errno);
            if (r != (ssize_t)in->secret_len)
                log_msg(LOG_WARNING, "%s/%s: cannot pass the secret", in->class_name, in->instance_name);
        }
        close(in_pipe[1]);
        if (pid < 0)
            close(out_pipe[0]);
    }
    if (pid < 0) {
        errno = err;
        return -1;
    }
    in->pid = pid;
    in->state = ST_STARTING;
    in->deadline = now_ms() + launcher_cfg.start_timeout_ms;
    in->stop_phase = 0;
    in->exec_ok = in->spawn_failed = in->secret_ok = in->mounted = false;
    in->out_len = 0;
    in->dev = 0;
    free(in->mounted_at);
    in->mounted_at = 0;
    in->status_fd = status_fd;
    in->status_watch.on_ready = status_ready;
    loop_add(status_fd, EPOLLIN, &in->status_watch);
    if (in->has_secret) {
        in->out_fd = out_pipe[0];
        fcntl(in->out_fd, F_SETFL, fcntl(in->out_fd, F_GETFL) | O_NONBLOCK);
        in->out_watch.on_ready = out_ready;
        loop_add(in->out_fd, EPOLLIN, &in->out_watch);
    }
    return 0;
}

static void signal_group(struct instance *in, int sig)
{
    if (in->pid <= 0)
        return;
    if (0 != kill(-in->pid, sig))
        kill(in->pid, sig);
}

static void begin_stop(struct instance *in)
{
    in->stop_requested = true;
    if (ST_STOPPING == in->state)
        return;
    if (in->pid <= 0) { /* restarting: no process */
        finish(in);
        return;
    }
    in->state = ST_STOPPING;
    in->stop_phase = 1;
    in->deadline = now_ms() + launcher_cfg.stop_timeout_ms;
    signal_group(in, SIGTERM);
}

/* A start that cannot complete: stop the process; the start waiters get error once it is gone. */
static void fail_start(struct instance *in, ULONG error)
{
    if (!in->fail_code)
        in->fail_code = error;
    begin_stop(in);
}

static void status_ready(struct watch *w, uint32_t events)
{
    (void)events;
    struct instance *in = CONTAINER(w, struct instance, status_watch);
    struct spawn_failure f;
    ssize_t r = read(in->status_fd, &f, sizeof f);
    if (r < 0 && (EAGAIN == errno || EINTR == errno))
        return;
    if (r == (ssize_t)sizeof f) {
        in->spawn_failed = true;
        in->failure = f;
    } else if (0 == r && !in->spawn_failed)
        in->exec_ok = true;
    loop_del(in->status_fd);
    close(in->status_fd);
    in->status_fd = -1;
    check_ready(in);
}

static void out_ready(struct watch *w, uint32_t events)
{
    (void)events;
    struct instance *in = CONTAINER(w, struct instance, out_watch);
    char buf[512];
    for (;;) {
        ssize_t r = read(in->out_fd, buf, sizeof buf);
        if (r < 0 && EINTR == errno)
            continue;
        if (r < 0 && EAGAIN == errno)
            return;
        if (r <= 0) {
            loop_del(in->out_fd);
            close(in->out_fd);
            in->out_fd = -1;
            break;
        }
        /* The first two bytes answer the secret; what follows is read and dropped. */
        for (ssize_t i = 0; i < r && in->out_len < sizeof in->out_buf; i++)
            in->out_buf[in->out_len++] = buf[i];
        if (in->out_len == sizeof in->out_buf)
            break;
    }
    if (ST_STARTING != in->state || in->secret_ok)
        return;
    if (in->out_len == sizeof in->out_buf && 'O' == in->out_buf[0] && 'K' == in->out_buf[1]) {
        in->secret_ok = true;
        check_ready(in);
    } else if (in->out_len == sizeof in->out_buf || in->out_fd < 0) {
        log_msg(LOG_WARNING, "%s/%s: the instance did not accept its secret", in->class_name,
                in->instance_name);
        fail_start(in, ERROR_ACCESS_DENIED);
    }
}

/* Look for the instance's mount: its FUSE connection (from /proc/PID/fdinfo), or a FUSE
 * mount appearing on its MountPoint where the kernel does not tell the connection. */
static void find_mount(struct instance *in, const struct mnt_table *t)
{
    /* One mount per run of the process (mounted_at is kept until the next spawn): once it is
     * gone, its connection's device number may already belong to another instance's new mount,
     * which must never be taken for this one's. */
    if (in->mounted || in->mounted_at || in->pid <= 0)
        return;
    unsigned dev = 0;
    const struct mnt_entry *e = 0;
    int r = fuse_connection_of(in->pid, &dev);
    if (1 == r)
        e = mnt_table_find_dev(t, dev);
    else if (in->mountpoint) {
        e = mnt_table_find_fuse_target(t, in->mountpoint);
        if (e && e->dev == in->pre_dev)
            e = 0;
    }
    if (!e || !(in->mounted_at = strdup(e->target)))
        return;
    in->mounted = true;
    in->dev = e->dev;
    in->mnt_id = e->id;
    log_msg(LOG_INFO, "%s/%s: mounted at %s (FUSE connection %u)", in->class_name,
            in->instance_name, in->mounted_at, in->dev);
}

/* Is the instance's mount still there (the same mount, not another with its reused number)? */
static bool own_mount_present(const struct instance *in, const struct mnt_table *t)
{
    return in->mounted && mnt_table_find_mount(t, in->mnt_id, in->dev, in->mounted_at);
}

/* Abort the instance's connection and unmount it, if its mount is still there. */
static void free_mount(struct instance *in, bool abort_connection)
{
    struct mnt_table t;
    if (!in->mounted || 0 != mnt_table_read(&t))
        return;
    if (own_mount_present(in, &t)) {
        if (abort_connection)
            fuse_abort_connection(in->dev);
        mounts_detach_dev(in->dev);
    }
    mnt_table_free(&t);
}

static void check_ready(struct instance *in)
{
    if (ST_STARTING != in->state || in->spawn_failed || !in->exec_ok)
        return;
    if (in->has_secret && !in->secret_ok)
        return;
    if (in->mounted && in->verify_target && 0 != strcmp(in->mounted_at, in->mountpoint)) {
        log_msg(LOG_WARNING, "%s/%s: mounted at %s instead of %s: unmounting it", in->class_name,
                in->instance_name, in->mounted_at, in->mountpoint);
        free_mount(in, true);
        fail_start(in, ERROR_BAD_PATHNAME);
        return;
    }
    if (in->mountpoint && !in->mounted)
        return;
    in->state = ST_RUNNING;
    in->ready_at = now_ms();
    log_msg(LOG_INFO, "%s/%s: running (pid %d)", in->class_name, in->instance_name, (int)in->pid);
    reply_waiters(in, true, false, 0, 0);
}

static void schedule_restart(struct instance *in)
{
    uint64_t now = now_ms();
    if (in->ready_at && now - in->ready_at >= RECOVERY_RESET_MS)
        in->failures = 0;
    in->failures++;
    if (in->failures > RECOVERY_MAX_FAILURES) {
        log_msg(LOG_ERR, "%s/%s: failed %u times in a row: not restarting it again",
                in->class_name, in->instance_name, in->failures - 1);
        finish(in);
        return;
    }
    in->state = ST_RESTARTING;
    in->deadline = now + ((uint64_t)RECOVERY_DELAY_MS << (in->failures - 1));
    log_msg(LOG_NOTICE, "%s/%s: restarting it in %llu ms (Recovery)", in->class_name,
            in->instance_name, (unsigned long long)(in->deadline - now));
}

void instances_child_exited(pid_t pid, int status)
{
    struct instance *in = instances;
    while (in && in->pid != pid)
        in = in->next;
    if (!in)
        return; /* an instance left running at shutdown, or an orphan of one */
    in->pid = 0;
    /* A failure before exec may still sit in the pipe. */
    if (in->status_fd >= 0)
        status_ready(&in->status_watch, EPOLLIN);
    close_fds(in);
    /* As a job object ends with its last handle: what the instance left in its process group
     * ends with it (the engine's unmount watchdog has a session of its own). */
    kill(-pid, SIGKILL);
    char how[64];
    bool crashed = WIFSIGNALED(status) || (WIFEXITED(status) && 0 != WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
    /* Whatever happened, the mount does not outlive the process. */
    free_mount(in, true);
    in->mounted = false;
    if (in->spawn_failed) {
        log_msg(LOG_ERR, "%s/%s: %s failed: %s", in->class_name, in->instance_name,
                spawn_stage_name(in->failure.stage), strerror(in->failure.error));
        if (!in->fail_code)
            in->fail_code = ERROR_BAD_CONFIGURATION;
    }
    if (in->stop_requested || launcher_stopping) {
        log_msg(LOG_INFO, "%s/%s: stopped (%s)", in->class_name, in->instance_name, how);
        finish(in);
        return;
    }
    if (ST_STARTING == in->state) {
        if (!in->spawn_failed)
            log_msg(LOG_WARNING, "%s/%s: ended before it was ready (%s)", in->class_name,
                    in->instance_name, how);
        if (!in->fail_code)
            in->fail_code = ERROR_PROCESS_ABORTED;
        /* A restart by Recovery (nobody waits) tries again; a start requested now fails. */
        if (in->recovery && !in->waiters && !in->spawn_failed && in->failures) {
            in->fail_code = 0;
            schedule_restart(in);
        } else
            finish(in);
        return;
    }
    if (crashed && in->recovery) {
        log_msg(LOG_WARNING, "%s/%s: crashed (%s)", in->class_name, in->instance_name, how);
        schedule_restart(in);
        return;
    }
    log_msg(crashed ? LOG_WARNING : LOG_INFO, "%s/%s: ended (%s)", in->class_name,
            in->instance_name, how);
    finish(in);
}

void instances_mounts_changed(void)
{
    struct mnt_table t;
    if (0 != mnt_table_read(&t))
        return;
    for (struct instance *in = instances, *next; in; in = next) {
        next = in->next;
        if (in->pid <= 0)
            continue;
        find_mount(in, &t);
        if (ST_STARTING == in->state)
            check_ready(in);
        else if (ST_RUNNING == in->state && in->mounted && !own_mount_present(in, &t)) {
            /* umount of its mount point: the instance's work is done. */
            log_msg(LOG_INFO, "%s/%s: unmounted from %s: stopping it", in->class_name,
                    in->instance_name, in->mounted_at);
            in->mounted = false;
            begin_stop(in);
        }
    }
    mnt_table_free(&t);
}

uint64_t instances_tick(uint64_t now)
{
    uint64_t next = 0;
    bool poll_mounts = false;
    for (struct instance *in = instances, *nx; in; in = nx) {
        nx = in->next;
        if (in->deadline && now >= in->deadline) {
            in->deadline = 0;
            if (ST_STARTING == in->state) {
                log_msg(LOG_WARNING, "%s/%s: not ready after %u ms: stopping it", in->class_name,
                        in->instance_name, launcher_cfg.start_timeout_ms);
                fail_start(in, ERROR_TIMEOUT);
            } else if (ST_STOPPING == in->state && 1 == in->stop_phase) {
                log_msg(LOG_WARNING, "%s/%s: still running %u ms after SIGTERM: aborting its "
                        "FUSE connection and killing it", in->class_name, in->instance_name,
                        launcher_cfg.stop_timeout_ms);
                free_mount(in, true);
                signal_group(in, SIGKILL);
                in->stop_phase = 2;
                in->deadline = now + launcher_cfg.kill_timeout_ms;
            } else if (ST_STOPPING == in->state) {
                log_msg(LOG_ERR, "%s/%s: pid %d does not end even after SIGKILL", in->class_name,
                        in->instance_name, (int)in->pid);
                reply_waiters(in, true, true, ERROR_TIMEOUT, ERROR_TIMEOUT);
                signal_group(in, SIGKILL);
                in->deadline = now + launcher_cfg.kill_timeout_ms;
            } else if (ST_RESTARTING == in->state) {
                if (0 != launch(in)) {
                    log_msg(LOG_ERR, "%s/%s: cannot restart: %s", in->class_name,
                            in->instance_name, strerror(errno));
                    schedule_restart(in);
                } else
                    log_msg(LOG_NOTICE, "%s/%s: restarted (pid %d)", in->class_name,
                            in->instance_name, (int)in->pid);
            }
        }
    }
    for (struct instance *in = instances; in; in = in->next) {
        if (in->deadline && (!next || in->deadline < next))
            next = in->deadline;
        if (in->pid > 0 && !in->mounted && (ST_STARTING == in->state || ST_RUNNING == in->state) &&
            (in->mountpoint || ST_STARTING == in->state))
            poll_mounts = true;
    }
    static uint64_t last_poll;
    if (poll_mounts) {
        if (now - last_poll >= MOUNT_POLL_MS) {
            last_poll = now;
            instances_mounts_changed();
        }
        uint64_t p = last_poll + MOUNT_POLL_MS;
        if (!next || p < next)
            next = p;
    }
    return next;
}

/* ---- requests ---- */

static char *join_cmdline(char **argv)
{
    size_t cap = 1;
    for (char **a = argv; *a; a++)
        cap += 2 * strlen(*a) + 3;
    char *s = malloc(cap), *o = s;
    if (!s)
        return 0;
    for (char **a = argv; *a; a++) {
        if (a != argv)
            *o++ = ' ';
        bool quote = !**a || strpbrk(*a, " \t\"'\\");
        if (quote)
            *o++ = '"';
        for (const char *c = *a; *c; c++) {
            if (quote && ('"' == *c || '\\' == *c))
                *o++ = '\\';
            *o++ = *c;
        }
        if (quote)
            *o++ = '"';
    }
    *o = '\0';
    return s;
}

/* The RunAs user: root (default), "." (the caller) or a user name. */
static int resolve_runas(struct instance *in, const char *runas, const struct caller *c,
                         char **pname, char **phome, char *why, size_t whysize)
{
    if (runas && 0 == strcmp(runas, ".")) {
        in->uid = c->uid, in->gid = c->gid, in->ngroups = c->ngroups;
        in->groups = malloc((size_t)(c->ngroups ? c->ngroups : 1) * sizeof(gid_t));
        if (!in->groups)
            return -1;
        memcpy(in->groups, c->groups, (size_t)c->ngroups * sizeof(gid_t));
        *pname = strdup(c->name);
        *phome = strdup(c->home[0] ? c->home : "/");
        return *pname && *phome ? 0 : -1;
    }
    const char *user = !runas || 0 == strcmp(runas, "LocalSystem") ? "root" : runas;
    struct passwd pw, *res = 0;
    char buf[4096];
    if (0 != getpwnam_r(user, &pw, buf, sizeof buf, &res) || !res) {
        snprintf(why, whysize, "RunAs user %s does not exist", user);
        return -1;
    }
    in->uid = pw.pw_uid, in->gid = pw.pw_gid;
    int n = 32;
    for (;;) {
        gid_t *g = realloc(in->groups, (size_t)n * sizeof *g);
        if (!g)
            return -1;
        in->groups = g;
        int got = n;
        if (getgrouplist(user, pw.pw_gid, in->groups, &got) >= 0) {
            in->ngroups = got;
            break;
        }
        if (got <= n || got > 65536)
            return -1;
        n = got;
    }
    *pname = strdup(pw.pw_name);
    *phome = strdup(pw.pw_dir && pw.pw_dir[0] ? pw.pw_dir : "/");
    return *pname && *phome ? 0 : -1;
}

static char **make_env(const char *name, const char *home)
{
    static const char *const keep[] = {"TZ", "LANG", "LC_ALL"};
    char **env = calloc(5 + ARRAYSIZE(keep) + 1, sizeof *env);
    int n = 0;
    if (!env)
        return 0;
    bool ok = 0 < asprintf(&env[n++], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") &&
              0 < asprintf(&env[n++], "HOME=%s", home) && 0 < asprintf(&env[n++], "USER=%s", name) &&
              0 < asprintf(&env[n++], "LOGNAME=%s", name);
    for (size_t i = 0; ok && i < ARRAYSIZE(keep); i++) {
        const char *v = getenv(keep[i]);
        if (v)
            ok = 0 < asprintf(&env[n++], "%s=%s", keep[i], v);
    }
    if (!ok) {
        for (int i = 0; i < n; i++)
            if (env[i] != (char *)0)
                free(env[i]);
        free(env);
        return 0;
    }
    return env;
}

/* Does a path have a "." or ".." component? */
static bool has_dot_component(const char *path)
{
    for (const char *p = path; *p; p++)
        if ('.' == p[0] && (p == path || '/' == p[-1]) &&
            (!p[1] || '/' == p[1] || ('.' == p[1] && (!p[2] || '/' == p[2]))))
            return true;
    return false;
}

/* Executable must be a regular file that only root (or the launcher's user) can change, in
 * directories only they can change. A symbolic link is followed: what it points to is checked
 * the same way, and that canonical path is what the instance runs (a link into a directory
 * another user may change would let that user swap the file between this check and the
 * exec). Returns the path to run (malloc'ed), or NULL with why. */
static char *check_executable(const char *path, char *why, size_t whysize)
{
    struct stat st;
    char *real = realpath(path, 0);
    if (!real) {
        snprintf(why, whysize, "Executable %s: %s", path, strerror(errno));
        return 0;
    }
    const char *shown = 0 == strcmp(real, path) ? "" : " (it is ";
    char *dir = strdup(real);
    if (!dir) {
        snprintf(why, whysize, "out of memory");
        free(real);
        return 0;
    }
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    char msg[512];
    NTSTATUS status = fsp_class_check_dir(dir, geteuid(), msg, sizeof msg);
    free(dir);
    if (!NT_SUCCESS(status)) {
        snprintf(why, whysize, "Executable %s%s%s%s: %s", path, shown, shown[0] ? real : "",
                 shown[0] ? ")" : "", msg);
        free(real);
        return 0;
    }
    int r = stat(real, &st);
    if (0 != r || !S_ISREG(st.st_mode)) {
        snprintf(why, whysize, "Executable %s: %s", path, 0 != r ? strerror(errno) : "not a regular file");
        free(real);
        return 0;
    }
    if ((0 != st.st_uid && geteuid() != st.st_uid) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        snprintf(why, whysize, "Executable %s%s%s%s: may be changed by others than root", path,
                 shown, shown[0] ? real : "", shown[0] ? ")" : "");
        free(real);
        return 0;
    }
    return real;
}

void instance_start(struct client *cl, bool with_secret, const char *class_name,
                    const char *instance_name, int argc, char **argv, const char *secret,
                    size_t secret_len)
{
    const struct caller *c = client_caller(cl);
    char msg[768] = "", why[768] = "";
    FSP_LAUNCH_REG_RECORD *rec = 0;
    struct instance *in = 0;
    char *exe = 0, *line = 0, *sddl = 0, *runas = 0, *s = 0, *name = 0, *home = 0;
    char **words = 0;
    PWSTR wsddl = 0;
    PSECURITY_DESCRIPTOR sd = 0;
    ULONG error = 0;

    if (launcher_stopping) {
        server_reply(cl, ERROR_SHUTDOWN_IN_PROGRESS, 0, 0);
        return;
    }
    NTSTATUS status = fsp_class_load(launcher_cfg.class_dir, class_name, geteuid(), &rec, msg,
                                     sizeof msg);
    if (STATUS_OBJECT_NAME_NOT_FOUND == status) {
        log_msg(LOG_INFO, "start %s/%s by uid %u: no such class", class_name, instance_name,
                (unsigned)c->uid);
        server_reply(cl, ERROR_FILE_NOT_FOUND, 0, 0);
        return;
    }
    if (!NT_SUCCESS(status)) {
        log_msg(LOG_ERR, "class %s refused: %s", class_name, msg);
        server_reply(cl, STATUS_INSUFFICIENT_RESOURCES == status ? ERROR_NO_SYSTEM_RESOURCES
                                                                 : ERROR_BAD_CONFIGURATION, 0, 0);
        return;
    }
    /* As WinFsp: "O:SYG:SY" + the class's DACL (or the default), checked for SERVICE_START. */
    if (!(sddl = fsp_class_sddl(rec)) || 0 != fsp_utf8_to_wcs(sddl, strlen(sddl), &wsddl, 0) ||
        !NT_SUCCESS(FspSddlToSecurityDescriptor(wsddl, &sd, 0))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    if (!caller_allowed(c, sd, SERVICE_START, "start", class_name, instance_name)) {
        error = ERROR_ACCESS_DENIED;
        goto out;
    }
    if (with_secret != (0 != rec->Credentials)) {
        log_msg(LOG_WARNING, "start %s/%s: the class %s a secret (Credentials=%lu)", class_name,
                instance_name, rec->Credentials ? "needs" : "takes no",
                (unsigned long)rec->Credentials);
        error = ERROR_BAD_CONFIGURATION;
        goto out;
    }
    if (find(class_name, instance_name)) {
        error = ERROR_ALREADY_EXISTS;
        goto out;
    }
    /* As for clients: a user other than root may have at most an eighth of the instances, and
     * the last eighth is kept for root, so that no user can take every place. */
    unsigned share = launcher_cfg.max_instances / 8 ? launcher_cfg.max_instances / 8 : 1;
    unsigned limit = launcher_cfg.max_instances - (0 == c->uid ? 0 : launcher_cfg.max_instances / 8);
    unsigned mine = 0;
    for (struct instance *i = instances; i && 0 != c->uid; i = i->next)
        mine += i->caller_uid == c->uid;
    if (ninstances >= limit || (0 != c->uid && mine >= share)) {
        if (ninstances >= limit)
            log_msg(LOG_WARNING, "start %s/%s by uid %u: %u instances already", class_name,
                    instance_name, (unsigned)c->uid, ninstances);
        else
            log_msg(LOG_WARNING, "start %s/%s by uid %u: it has %u instances already (at most "
                    "%u)", class_name, instance_name, (unsigned)c->uid, mine, share);
        error = ERROR_BUSY;
        goto out;
    }
    if (!(in = calloc(1, sizeof *in))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    in->status_fd = in->out_fd = -1;
    in->caller_uid = c->uid;
    in->jobcontrol = 0 != rec->JobControl;
    in->recovery = 0 != rec->Recovery;
    in->has_secret = with_secret;
    if (!(in->class_name = strdup(class_name)) || !(in->instance_name = strdup(instance_name)) ||
        !(exe = fsp_class_string(rec->Executable))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    if (with_secret) {
        if (!(in->secret = malloc(secret_len ? secret_len : 1))) {
            error = ERROR_NO_SYSTEM_RESOURCES;
            goto out;
        }
        memcpy(in->secret, secret, secret_len);
        in->secret_len = secret_len;
    }
    if (!(in->exec_path = check_executable(exe, why, sizeof why))) {
        log_msg(LOG_ERR, "class %s refused: %s", class_name, why);
        error = ERROR_BAD_CONFIGURATION;
        goto out;
    }

    /* %0 the executable, %1-%9 the arguments; %U, %P, %T. */
    const char *args[10] = {exe};
    for (int i = 0; i < argc && i < 9; i++)
        args[1 + i] = argv[i];
    char now[96];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(now, sizeof now, "%04d%02d%02dT%02d%02d%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts.tv_nsec / 1000000) % 1000);
    const char *vars[26] = {0};
    vars['U' - 'A'] = c->name;
    vars['P' - 'A'] = c->home;
    vars['T' - 'A'] = now;

    line = rec->CommandLine ? fsp_class_string(rec->CommandLine) : strdup("");
    if (!line || 0 != fsp_cmdline_split(line, &words, why, sizeof why)) {
        error = line ? ERROR_BAD_CONFIGURATION : ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    size_t nwords = 0;
    while (words[nwords])
        nwords++;
    if (!(in->argv = calloc(nwords + 2, sizeof *in->argv)) || !(in->argv[0] = strdup(exe))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    for (size_t i = 0; i < nwords; i++)
        if (!(in->argv[1 + i] = fsp_cmdline_substitute(words[i], args, vars))) {
            error = ERROR_NO_SYSTEM_RESOURCES;
            goto out;
        }
    if (!(in->cmdline = join_cmdline(in->argv))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    if (rec->Stderr) {
        s = fsp_class_string(rec->Stderr);
        if (!s) {
            error = ERROR_NO_SYSTEM_RESOURCES;
            goto out;
        }
        /* Arguments name the file: with a / one could lead through a symbolic link that a
         * user put into the file's directory (as /tmp) to anywhere the instance may write. */
        for (const char *p = strchr(s, '%'); p && p[1]; p = strchr(p + 2, '%'))
            if ('1' <= p[1] && p[1] <= '9' && args[p[1] - '0'] && strchr(args[p[1] - '0'], '/')) {
                log_msg(LOG_WARNING, "start %s/%s by uid %u refused: Stderr %s: argument %%%c "
                        "holds a / (arguments may name the file, not directories)", class_name,
                        instance_name, (unsigned)c->uid, s, p[1]);
                error = ERROR_INVALID_PARAMETER;
                goto out;
            }
        if (!(in->stderr_path = fsp_cmdline_substitute(s, args, vars))) {
            error = ERROR_NO_SYSTEM_RESOURCES;
            goto out;
        }
        free(s);
        s = 0;
        /* Arguments may go into the file's name, not out of the class's directory. */
        if (has_dot_component(in->stderr_path)) {
            log_msg(LOG_WARNING, "start %s/%s by uid %u refused: Stderr %s has . or .. in it",
                    class_name, instance_name, (unsigned)c->uid, in->stderr_path);
            error = ERROR_INVALID_PARAMETER;
            goto out;
        }
    }
    if (rec->WorkDirectory && !(in->workdir = fsp_class_string(rec->WorkDirectory))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }

    runas = rec->RunAs ? fsp_class_string(rec->RunAs) : 0;
    if (0 != resolve_runas(in, runas, c, &name, &home, why, sizeof why)) {
        log_msg(LOG_ERR, "class %s refused: %s", class_name, why[0] ? why : "out of memory");
        error = why[0] ? ERROR_BAD_CONFIGURATION : ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    if (0 == geteuid())
        in->change_ids = true;
    else if (in->uid != geteuid()) {
        log_msg(LOG_ERR, "start %s/%s: cannot run it as uid %u: the launcher does not run as "
                "root", class_name, instance_name, (unsigned)in->uid);
        error = ERROR_BAD_CONFIGURATION;
        goto out;
    }
    if (!(in->envp = make_env(name, home))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }

    if (rec->MountPoint) {
        s = fsp_class_string(rec->MountPoint);
        char *mp = s ? fsp_cmdline_substitute(s, args, vars) : 0;
        if (!mp) {
            error = ERROR_NO_SYSTEM_RESOURCES;
            goto out;
        }
        if (!mp[0]) {
            log_msg(LOG_INFO, "start %s/%s: MountPoint is empty (an argument is missing)",
                    class_name, instance_name);
            free(mp);
            error = ERROR_INVALID_PARAMETER;
            goto out;
        }
        error = mountpoint_check(mp, c, in->uid, class_name, instance_name, argc, argv,
                                 &in->mountpoint, &in->verify_target, why, sizeof why);
        free(mp);
        if (error) {
            log_msg(LOG_WARNING, "start %s/%s by uid %u (%s) refused: %s", class_name,
                    instance_name, (unsigned)c->uid, c->name, why);
            goto out;
        }
        struct mnt_table t;
        if (0 == mnt_table_read(&t)) {
            const struct mnt_entry *e = mnt_table_find_fuse_target(&t, in->mountpoint);
            in->pre_dev = e ? e->dev : 0;
            mnt_table_free(&t);
        }
    }

    /* As WinFsp: whoever starts an instance may also stop and query it. */
    if (!NT_SUCCESS(FspSecurityDescriptorAddAccessAllowedAce(sd, SERVICE_STOP | SERVICE_QUERY_STATUS,
                                                             FspAccessTokenUserSid(c->token),
                                                             &in->sd))) {
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    if (0 != launch(in)) {
        log_msg(LOG_ERR, "start %s/%s: cannot create its process: %s", class_name, instance_name,
                strerror(errno));
        error = ERROR_NO_SYSTEM_RESOURCES;
        goto out;
    }
    in->next = instances;
    instances = in;
    ninstances++;
    log_msg(LOG_INFO, "%s/%s: started by uid %u (%s) as uid %u, pid %d: %s", class_name,
            instance_name, (unsigned)c->uid, c->name, (unsigned)in->uid, (int)in->pid, in->cmdline);
    add_waiter(in, cl, true);
    in = 0;
    cl = 0;

out:
    if (cl)
        server_reply(cl, error, 0, 0);
    if (in)
        instance_free(in);
    fsp_cmdline_free(words);
    free(rec), free(exe), free(line), free(sddl), free(runas), free(s), free(name), free(home);
    free(wsddl), free(sd);
}

void instance_stop(struct client *cl, const char *class_name, const char *instance_name)
{
    const struct caller *c = client_caller(cl);
    struct instance *in = find(class_name, instance_name);
    if (!in) {
        server_reply(cl, ERROR_FILE_NOT_FOUND, 0, 0);
        return;
    }
    if (!caller_allowed(c, in->sd, SERVICE_STOP, "stop", class_name, instance_name)) {
        server_reply(cl, ERROR_ACCESS_DENIED, 0, 0);
        return;
    }
    log_msg(LOG_INFO, "%s/%s: stop requested by uid %u (%s)", class_name, instance_name,
            (unsigned)c->uid, c->name);
    add_waiter(in, cl, false);
    if (ST_STARTING == in->state && !in->fail_code)
        in->fail_code = ERROR_OPERATION_ABORTED;
    begin_stop(in);
}

/* Append NUL-terminated strings; false when they do not fit. */
static bool put(char *buf, size_t size, size_t *plen, const char *s)
{
    size_t n = strlen(s) + 1;
    if (*plen + n > size)
        return false;
    memcpy(buf + *plen, s, n);
    *plen += n;
    return true;
}

void instance_info(struct client *cl, const char *class_name, const char *instance_name)
{
    const struct caller *c = client_caller(cl);
    struct instance *in = find(class_name, instance_name);
    if (!in) {
        server_reply(cl, ERROR_FILE_NOT_FOUND, 0, 0);
        return;
    }
    if (!caller_allowed(c, in->sd, SERVICE_QUERY_STATUS, "info", class_name, instance_name)) {
        server_reply(cl, ERROR_ACCESS_DENIED, 0, 0);
        return;
    }
    char buf[FSP_LAUNCH_PIPE_BUFFER_SIZE - 1], pid[16];
    size_t len = 0;
    snprintf(pid, sizeof pid, "%d", (int)in->pid);
    const char *mp = in->mounted ? in->mounted_at : in->mountpoint ? in->mountpoint : "";
    /* A command line too long for a reply is cut (as WinFsp's fixed buffer does). */
    char *cmd = strdup(in->cmdline);
    if (cmd && strlen(cmd) > sizeof buf / 2)
        cmd[sizeof buf / 2] = '\0';
    if (!cmd || !put(buf, sizeof buf, &len, in->class_name) ||
        !put(buf, sizeof buf, &len, in->instance_name) || !put(buf, sizeof buf, &len, cmd) ||
        !put(buf, sizeof buf, &len, pid) || !put(buf, sizeof buf, &len, mp) ||
        !put(buf, sizeof buf, &len, state_names[in->state])) {
        free(cmd);
        server_reply(cl, ERROR_NO_SYSTEM_RESOURCES, 0, 0);
        return;
    }
    free(cmd);
    server_reply(cl, 0, buf, len);
}

void instance_list(struct client *cl)
{
    char buf[FSP_LAUNCH_PIPE_BUFFER_SIZE - 1];
    size_t len = 0;
    /* As WinFsp: the list stops where the buffer ends; oldest first. */
    struct instance *order[1024];
    size_t n = 0;
    for (struct instance *in = instances; in && n < ARRAYSIZE(order); in = in->next)
        order[n++] = in;
    for (size_t i = n; i-- > 0;) {
        size_t mark = len;
        if (!put(buf, sizeof buf, &len, order[i]->class_name) ||
            !put(buf, sizeof buf, &len, order[i]->instance_name)) {
            len = mark;
            break;
        }
    }
    server_reply(cl, 0, buf, len);
}

void instances_shutdown(void)
{
    for (struct instance *in = instances, *next; in; in = next) {
        next = in->next;
        reply_waiters(in, true, false, ERROR_SHUTDOWN_IN_PROGRESS, 0);
        if (in->jobcontrol) {
            log_msg(LOG_INFO, "%s/%s: stopping it (JobControl)", in->class_name, in->instance_name);
            begin_stop(in);
        } else {
            log_msg(LOG_INFO, "%s/%s: left running, pid %d (JobControl=0)", in->class_name,
                    in->instance_name, (int)in->pid);
            reply_waiters(in, true, true, ERROR_SHUTDOWN_IN_PROGRESS, ERROR_SHUTDOWN_IN_PROGRESS);
            unlink_instance(in);
            instance_free(in);
        }
    }
}

bool instances_done(void)
{
    return !instances;
}

void instances_free_all(void)
{
    while (instances) {
        struct instance *in = instances;
        reply_waiters(in, true, true, ERROR_SHUTDOWN_IN_PROGRESS, ERROR_SHUTDOWN_IN_PROGRESS);
        unlink_instance(in);
        instance_free(in);
    }
}
