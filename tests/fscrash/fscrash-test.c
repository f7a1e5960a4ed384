/*
 * tests/fscrash/fscrash-test.c - the fscrash driver: for every injection point (action x
 * enter/leave x transact kind) it mounts a file system under the fscrash layer, runs a
 * workload against it from several processes until the injection fires, and checks what the
 * crash leaves behind:
 *
 *   - the file system's process ended the way the action says (exit status 86, SIGSEGV,
 *     SIGABRT), and it ended at the kind asked for (its log names the kind);
 *   - every caller returned within a second of the death (ENOTCONN or ECONNABORTED), and no
 *     call hangs;
 *   - the mount is gone (the engine's watchdog unmounts it), or else it can be aborted
 *     through fusectl and detached;
 *   - the mount point can be mounted again: the same program, without the layer, mounts
 *     there, serves a write and a read, stops on SIGTERM with status 0 and unmounts;
 *   - with --durable (a passthrough over a real directory): every file the workload fsynced
 *     before the crash holds its data in the source directory.
 *
 * --huge-alloc does not end the process: the layer takes all memory the process may still
 * get and the file system goes on. Then every call must still return within a second (with
 * an error or not), and SIGTERM must still stop the file system and unmount it.
 *
 * The server command's words may hold @MNT@ (the mount point, a new directory) and @SRC@ (a
 * new directory for a passthrough's source). Every mount is freed and every process ended
 * (by its pid) even when a check fails. Prints one line per injection point and ends with
 * "N passed, N failed".
 */
#include "fscrash.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef FSCRASH_COMMAND
#error FSCRASH_COMMAND: the path of the fscrash command (set by Meson)
#endif

/* memfs's ioctl (examples/memfs/memfs.h): DeviceControl. Other file systems answer ENOTTY. */
#define MEMFS_CONTROL_ROT13 _IOWR('M', 'R', char[64])

#define MAX_WORKERS 8
#define MAX_DURABLE 4096
#define RETURN_LIMIT_NS 1000000000LL /* every caller returns within a second of the death */
#define MOUNT_WAIT_S 10
#define POINT_DEADLINE_S 60

/* ---- options ---- */

static const char *fscrash_cmd = FSCRASH_COMMAND;
static char **server;         /* the server command's words (with @MNT@, @SRC@) */
static int nserver;
static UINT32 kinds_mask;     /* 0: the kinds the workload reaches */
static UINT32 skip_mask;      /* --skip-kinds */
static bool src_tmpfs;        /* @SRC@ is a tmpfs of its own */
static bool want_action[8];
static bool want_enter = true, want_leave = true;
static unsigned percent = 100, nseeds = 1;
static unsigned nworkers = 3;
static unsigned max_iterations = 400;
static bool durable, verbose;
static const char *only_pattern;

/* The kinds the workload reaches on a file system that implements them. */
static const UINT32 reachable_kinds[] = {
    FspFsctlTransactCreateKind,           FspFsctlTransactOverwriteKind,
    FspFsctlTransactCleanupKind,          FspFsctlTransactCloseKind,
    FspFsctlTransactReadKind,             FspFsctlTransactWriteKind,
    FspFsctlTransactQueryInformationKind, FspFsctlTransactSetInformationKind,
    FspFsctlTransactQueryEaKind,          FspFsctlTransactSetEaKind,
    FspFsctlTransactFlushBuffersKind,     FspFsctlTransactQueryVolumeInformationKind,
    FspFsctlTransactQueryDirectoryKind,   FspFsctlTransactFileSystemControlKind,
    FspFsctlTransactDeviceControlKind,    FspFsctlTransactQuerySecurityKind,
    FspFsctlTransactSetSecurityKind,
};

/* ---- shared state of the workers (an anonymous shared mapping) ---- */

struct worker_state {
    _Atomic int64_t call_start; /* ns (CLOCK_MONOTONIC) the current call began; 0: none */
    char op[32];                /* the current or last call */
    _Atomic int64_t exit_time;  /* ns when it ended; 0 while running */
    _Atomic int64_t exit_run_delay; /* its time waiting for a CPU (schedstat) when it ended */
    _Atomic int64_t max_call;   /* the longest call, ns */
    char max_op[32];
    int dead_errno;             /* the error that told it the file system is gone */
    uint64_t calls;
    unsigned iterations;
    unsigned unexpected;        /* calls that failed with another error */
    char first_unexpected[96];
};
struct durable_file {
    char name[64]; /* under @SRC@ */
    uint32_t size, seed;
};
struct shared {
    struct worker_state w[MAX_WORKERS];
    _Atomic unsigned ndurable;
    struct durable_file d[MAX_DURABLE];
};
static struct shared *sh;
static volatile sig_atomic_t interrupted; /* SIGINT/SIGTERM: stop after cleaning up */

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && EINTR == errno)
        ;
}

/* snprintf into a path buffer; a name that does not fit ends the program. */
#define PATHF(buf, ...)                                                                     \
    do {                                                                                    \
        int pathf_n_ = snprintf(buf, sizeof buf, __VA_ARGS__);                              \
        if (pathf_n_ < 0 || (size_t)pathf_n_ >= sizeof buf) {                               \
            fprintf(stderr, "fscrash-test: path too long\n");                               \
            _exit(2);                                                                       \
        }                                                                                   \
    } while (0)

/* The time a process has spent runnable but waiting for a CPU (ns; /proc/PID/schedstat), or
 * -1. On a loaded machine a caller the kernel answered at once may still wait for a CPU before
 * it runs again: that wait is not the file system's. pid 0: this process. */
static int64_t run_delay_of(pid_t pid)
{
    char path[64];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/schedstat");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    unsigned long long cpu, wait;
    return 2 == sscanf(buf, "%llu %llu", &cpu, &wait) ? (int64_t)wait : -1;
}

/* ---- the workload (runs in each worker process) ---- */

static struct worker_state *me;
static const char *mnt;
static bool huge_alloc_run;

/* The error values that mean "the file system is gone". */
static bool gone(int err)
{
    return ENOTCONN == err || ECONNABORTED == err;
}

static int64_t call_run_delay; /* huge-alloc runs: the CPU wait when the call began */

static void call_begin(const char *op)
{
    snprintf(me->op, sizeof me->op, "%s", op);
    if (huge_alloc_run)
        call_run_delay = run_delay_of(0);
    atomic_store(&me->call_start, now_ns());
}

/* After a call: record its time; a "gone" error ends the worker. */
static long call_end(long r, bool error_expected)
{
    int err = errno;
    int64_t t = now_ns(), d = t - atomic_load(&me->call_start);
    atomic_store(&me->call_start, 0);
    if (huge_alloc_run && call_run_delay >= 0) {
        int64_t waited = run_delay_of(0) - call_run_delay;
        if (waited > 0 && waited < d)
            d -= waited; /* the time the call took, not the time this process waited for a CPU */
    }
    me->calls++;
    if (d > atomic_load(&me->max_call)) {
        atomic_store(&me->max_call, d);
        snprintf(me->max_op, sizeof me->max_op, "%s", me->op);
    }
    if (r < 0 && gone(err)) {
        me->dead_errno = err;
        atomic_store(&me->exit_time, now_ns());
        atomic_store(&me->exit_run_delay, run_delay_of(0));
        _exit(0);
    }
    if (r < 0 && !error_expected && !huge_alloc_run) {
        if (0 == me->unexpected++)
            snprintf(me->first_unexpected, sizeof me->first_unexpected, "%s: %s", me->op,
                     strerror(err));
    }
    errno = err;
    return r;
}
#define CALL(op, expr) (call_begin(op), call_end((long)(expr), false))
#define CALL_MAY_FAIL(op, expr) (call_begin(op), call_end((long)(expr), true))

static unsigned char pattern_byte(uint32_t seed, uint32_t off)
{
    return (unsigned char)((seed * 131u + off * 7u + (off >> 9)) % 251u + 1u);
}

static void fill(unsigned char *buf, uint32_t size, uint32_t seed)
{
    for (uint32_t i = 0; i < size; i++)
        buf[i] = pattern_byte(seed, i);
}

static void workload(unsigned index)
{
    static unsigned char buf[65536], rbuf[65536];
    char base[PATH_MAX], dir[PATH_MAX], f[PATH_MAX], g[PATH_MAX], h[PATH_MAX], s[PATH_MAX];
    PATHF(base, "%s/w%u", mnt, index);
    CALL_MAY_FAIL("mkdir", mkdir(base, 0755));
    /* With no memory left in the file system, a few rounds tell as much as many. */
    unsigned iterations = huge_alloc_run && max_iterations > 20 ? 20 : max_iterations;
    for (unsigned i = 0; i < iterations; i++) {
        me->iterations = i;
        PATHF(dir, "%s/d%u", base, i);
        PATHF(f, "%s/f", dir);
        PATHF(g, "%s/g", dir);
        PATHF(h, "%s/h", dir);
        PATHF(s, "%s/s", dir);
        uint32_t size = 4096 + (i * 7919u) % 12288u;
        fill(buf, size, index * 100000u + i);
        CALL("mkdir", mkdir(dir, 0755));
        int fd = (int)CALL("create", open(f, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644));
        if (fd >= 0) {
            CALL("write", pwrite(fd, buf, size, 0));
            CALL("fsync", fsync(fd));
            CALL("close", close(fd));
        }
        /* A new open without the kernel's cached pages: the read reaches the file system. */
        fd = (int)CALL("open", open(f, O_RDONLY | O_CLOEXEC));
        if (fd >= 0) {
            CALL("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) ? -1 : 0);
            if (CALL("read", pread(fd, rbuf, size, 0)) == (long)size && memcmp(rbuf, buf, size))
                if (0 == me->unexpected++)
                    snprintf(me->first_unexpected, sizeof me->first_unexpected,
                             "read: wrong data in d%u/f", i);
            CALL_MAY_FAIL("ioctl", ioctl(fd, MEMFS_CONTROL_ROT13, rbuf));
            CALL("close", close(fd));
        }
        struct stat st;
        CALL("stat", stat(f, &st));
        fd = (int)CALL("open-trunc", open(f, O_RDWR | O_TRUNC | O_CLOEXEC));
        if (fd >= 0) {
            CALL("write", pwrite(fd, buf, 512, 0));
            CALL("close", close(fd));
        }
        CALL("truncate", truncate(f, 1000));
        CALL("utimes", utimensat(AT_FDCWD, f, 0, 0));
        CALL("chmod", chmod(f, 0600));
        CALL("setxattr", setxattr(f, "user.fscrash", buf, 64, 0));
        CALL("getxattr", getxattr(f, "user.fscrash", rbuf, sizeof rbuf));
        CALL("listxattr", listxattr(f, (char *)rbuf, sizeof rbuf));
        CALL("symlink", symlink("f", s));
        CALL("readlink", readlink(s, (char *)rbuf, sizeof rbuf));
        CALL("link", link(f, h));
        CALL("rename", rename(f, g));
        DIR *d;
        call_begin("opendir");
        d = opendir(dir);
        call_end(d ? 0 : -1, false);
        if (d) {
            for (;;) {
                call_begin("readdir");
                errno = 0;
                struct dirent *e = readdir(d);
                call_end(e || !errno ? 0 : -1, false);
                if (!e)
                    break;
            }
            CALL("closedir", closedir(d));
        }
        struct statfs sfs;
        CALL("statfs", statfs(base, &sfs));
        CALL("unlink", unlink(g));
        CALL("unlink", unlink(h));
        CALL("unlink", unlink(s));
        CALL("rmdir", rmdir(dir));
        if (durable) {
            /* A file fsynced and never touched again: it must survive the crash. */
            char name[64], path[PATH_MAX];
            snprintf(name, sizeof name, "w%u/durable%u", index, i);
            PATHF(path, "%s/%s", mnt, name);
            uint32_t dsize = 1 + (i * 104729u + index) % 65536u, seed = index * 7777u + i;
            fill(buf, dsize, seed);
            fd = (int)CALL("create", open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
            if (fd >= 0) {
                if (CALL("write", pwrite(fd, buf, dsize, 0)) == (long)dsize &&
                    0 == CALL("fsync", fsync(fd))) {
                    unsigned k = atomic_fetch_add(&sh->ndurable, 1);
                    if (k < MAX_DURABLE) {
                        snprintf(sh->d[k].name, sizeof sh->d[k].name, "%s", name);
                        sh->d[k].size = dsize;
                        sh->d[k].seed = seed;
                    }
                }
                CALL("close", close(fd));
            }
        }
    }
    atomic_store(&me->exit_time, now_ns());
    _exit(3); /* never saw the file system go */
}

/* ---- helpers of the driver ---- */

static char workdir[PATH_MAX], mntdir[PATH_MAX], srcdir[PATH_MAX], logpath[PATH_MAX];

/* "0:NN" of the FUSE mount at dir, or "" when nothing is mounted there. */
static bool mount_dev(const char *dir, char *dev, size_t size)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    bool found = false;
    if (!f)
        return false;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char d[64], mp[PATH_MAX];
        if (2 == sscanf(line, "%*s %*s %63s %*s %4095s", d, mp) && 0 == strcmp(mp, dir)) {
            snprintf(dev, size, "%s", d);
            found = true; /* the last one is the top of the stack */
        }
    }
    fclose(f);
    return found;
}

static bool is_mounted(const char *dir)
{
    char dev[64];
    return mount_dev(dir, dev, sizeof dev);
}

/* Abort the FUSE connection mounted at dir (fusectl, mounted first when needed). */
static bool abort_connection(const char *dir)
{
    char dev[64];
    if (!mount_dev(dir, dev, sizeof dev))
        return false;
    const char *minor = strchr(dev, ':');
    if (!minor)
        return false;
    char path[128];
    snprintf(path, sizeof path, "/sys/fs/fuse/connections/%s/abort", minor + 1);
    if (0 != access("/sys/fs/fuse/connections/", F_OK))
        return false;
    if (0 != access(path, F_OK))
        mount("fusectl", "/sys/fs/fuse/connections", "fusectl", 0, 0);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = 1 == write(fd, "1", 1);
    close(fd);
    return ok;
}

/* Free whatever is mounted at dir: abort, then detach. */
static void free_mount(const char *dir)
{
    for (int i = 0; i < 8 && is_mounted(dir); i++) {
        abort_connection(dir);
        umount2(dir, MNT_DETACH);
    }
}

static char *subst(const char *word)
{
    size_t cap = strlen(word) + 1;
    for (const char *p = word; (p = strchr(p, '@')); p++)
        cap += PATH_MAX;
    char *out = malloc(cap), *o = out;
    if (!out)
        return 0;
    for (const char *p = word; *p;) {
        if (0 == strncmp(p, "@MNT@", 5))
            o += sprintf(o, "%s", mntdir), p += 5;
        else if (0 == strncmp(p, "@SRC@", 5))
            o += sprintf(o, "%s", srcdir), p += 5;
        else
            *o++ = *p++;
    }
    *o = 0;
    return out;
}

/* Start the server command (with crash options before it when crash_words is not NULL),
 * output to the log. Returns its pid. */
static pid_t start_server(const char *crash_words)
{
    char **av = calloc((size_t)nserver + 24, sizeof *av);
    int n = 0;
    if (!av)
        return -1;
    char *copy = 0;
    if (crash_words) {
        av[n++] = (char *)fscrash_cmd;
        copy = strdup(crash_words);
        char *save = 0;
        for (char *w = strtok_r(copy, " ", &save); w && n < 20; w = strtok_r(0, " ", &save))
            av[n++] = w;
        av[n++] = "--";
    }
    for (int i = 0; i < nserver; i++)
        av[n++] = subst(server[i]);
    av[n] = 0;
    fflush(0);
    pid_t pid = fork();
    if (0 == pid) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        setpgid(0, 0);
        execvp(av[0], av);
        fprintf(stderr, "cannot run %s: %s\n", av[0], strerror(errno));
        _exit(127);
    }
    for (int i = crash_words ? n - nserver : 0; i < n; i++)
        free(av[i]);
    free(copy);
    free(av);
    return pid;
}

/* Wait until something is mounted at mntdir or the server ended. */
static bool wait_mounted(pid_t pid, int *pstatus, bool *pexited)
{
    for (int i = 0; i < MOUNT_WAIT_S * 100; i++) {
        if (is_mounted(mntdir))
            return true;
        if (pid == waitpid(pid, pstatus, WNOHANG)) {
            *pexited = true;
            return is_mounted(mntdir);
        }
        sleep_ms(10);
    }
    return false;
}

/* Wait at most ms for pid; true when it ended (status in *pstatus). */
static bool wait_exit(pid_t pid, unsigned ms, int *pstatus)
{
    for (unsigned t = 0; t <= ms; t += 5) {
        if (pid == waitpid(pid, pstatus, WNOHANG))
            return true;
        sleep_ms(5);
    }
    return false;
}

static void kill_wait(pid_t pid)
{
    if (pid <= 0)
        return;
    int status;
    if (pid == waitpid(pid, &status, WNOHANG))
        return;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (FTW_DP == flag || FTW_D == flag)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d))) {
        if (0 == strcmp(e->d_name, ".") || 0 == strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
}

/* Where a process waits in the kernel: /proc/PID/stack, one line of function names. */
static void kernel_stack(pid_t pid, char *out, size_t size)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/stack", (int)pid);
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(out, size, "unknown");
        return;
    }
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n + 2 < size) {
        char *name = strchr(line, ' ');
        name = name ? name + 1 : line;
        name[strcspn(name, "+\n")] = 0;
        int k = snprintf(out + n, size - n, "%s%s", n ? " < " : "", name);
        if (k < 0)
            break;
        n += (size_t)k;
    }
    fclose(f);
}

/* ---- one injection point ---- */

struct result {
    bool ok;
    char why[512];
    char notes[512];
};

static void fail(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct result *r, const char *fmt, ...)
{
    if (!r->ok)
        return; /* the first failure is the one that counts */
    r->ok = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

static void note(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct result *r, const char *fmt, ...)
{
    size_t n = strlen(r->notes);
    if (n + 8 >= sizeof r->notes)
        return;
    if (n)
        r->notes[n++] = ';', r->notes[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes + n, sizeof r->notes - n, fmt, ap);
    va_end(ap);
}

static bool log_contains(const char *needle)
{
    FILE *f = fopen(logpath, "re");
    if (!f)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = 0 != strstr(line, needle);
    fclose(f);
    return found;
}

/* The program without the layer mounts at the same place, serves, stops cleanly. */
static void check_remount(struct result *r)
{
    if (is_mounted(mntdir)) {
        fail(r, "remount: %s is still mounted", mntdir);
        return;
    }
    int status = 0;
    bool exited = false;
    pid_t pid = start_server(0);
    if (!wait_mounted(pid, &status, &exited)) {
        fail(r, "remount: the program did not mount at the same place again");
        if (!exited)
            kill_wait(pid);
        free_mount(mntdir);
        return;
    }
    /* Serve a write and a read (checked by a child with a time limit: the mount may hang). */
    pid_t c = fork();
    if (0 == c) {
        char path[PATH_MAX];
        PATHF(path, "%s/remount-check", mntdir);
        int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
        char in[64] = "", out[] = "written after the crash";
        bool ok = fd >= 0 && (ssize_t)sizeof out == pwrite(fd, out, sizeof out, 0) &&
                  (ssize_t)sizeof out == pread(fd, in, sizeof in, 0) && 0 == memcmp(in, out, sizeof out);
        if (fd >= 0)
            close(fd);
        ok = ok && 0 == unlink(path);
        _exit(ok ? 0 : 1);
    }
    int cs = 0;
    if (!wait_exit(c, 10000, &cs)) {
        fail(r, "remount: a write and read on the new mount hang");
        abort_connection(mntdir);
        kill_wait(c);
    } else if (!WIFEXITED(cs) || 0 != WEXITSTATUS(cs))
        fail(r, "remount: a write and read on the new mount failed");
    kill(pid, SIGTERM);
    if (!wait_exit(pid, 10000, &status)) {
        fail(r, "remount: the program did not stop on SIGTERM");
        abort_connection(mntdir);
        kill_wait(pid);
    } else if (!WIFEXITED(status) || 0 != WEXITSTATUS(status))
        fail(r, "remount: the program exited with status 0x%x after SIGTERM", status);
    if (is_mounted(mntdir)) {
        fail(r, "remount: still mounted after the program stopped");
        free_mount(mntdir);
    }
}

static void check_durable(struct result *r)
{
    unsigned n = atomic_load(&sh->ndurable);
    if (n > MAX_DURABLE)
        n = MAX_DURABLE;
    static unsigned char want[65536], got[65536];
    unsigned lost = 0;
    char first[256] = "";
    for (unsigned k = 0; k < n; k++) {
        struct durable_file *d = &sh->d[k];
        char path[PATH_MAX];
        PATHF(path, "%s/%s", srcdir, d->name);
        fill(want, d->size, d->seed);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t got_n = fd >= 0 ? pread(fd, got, sizeof got, 0) : -1;
        if (fd >= 0)
            close(fd);
        if (got_n != (ssize_t)d->size || memcmp(got, want, d->size)) {
            if (0 == lost++)
                snprintf(first, sizeof first, "%s: %s", d->name,
                         fd < 0 ? "missing" : got_n != (ssize_t)d->size ? "wrong size" : "wrong data");
        }
    }
    if (lost)
        fail(r, "%u of %u fsynced files lost data (first: %s)", lost, n, first);
    else
        note(r, "%u fsynced files intact", n);
}

static const char *action_word(int a)
{
    switch (a) {
    case FsCrashTerminate: return "terminate";
    case FsCrashSegv: return "crash";
    case FsCrashAbort: return "abort";
    case FsCrashHugeAlloc: return "huge-alloc";
    default: return "?";
    }
}

static void run_point(int action, bool enter, UINT32 kind, unsigned seed, struct result *r)
{
    memset(r, 0, sizeof *r);
    r->ok = true;
    memset(sh, 0, sizeof *sh);
    empty_dir(srcdir);
    unlink(logpath);
    huge_alloc_run = FsCrashHugeAlloc == action;
    char words[256];
    snprintf(words, sizeof words, "--mask=%s %s --%s --percent=%u --seed=%u", FsCrashKindName(kind),
             enter ? "--enter" : "--leave", action_word(action), percent, seed);
    int status = 0;
    bool exited = false;
    pid_t fs = start_server(words);
    if (fs < 0 || !wait_mounted(fs, &status, &exited)) {
        fail(r, "the file system did not mount (log: %s)", logpath);
        if (!exited)
            kill_wait(fs);
        free_mount(mntdir);
        return;
    }
    int rootfd = open(mntdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        fail(r, "cannot open the mount's root: %s", strerror(errno));
        kill_wait(fs);
        free_mount(mntdir);
        return;
    }
    /* The workers keep it across fork (not exec): no O_CLOEXEC matters there. */
    pid_t workers[MAX_WORKERS] = {0};
    for (unsigned i = 0; i < nworkers; i++) {
        fflush(0);
        workers[i] = fork();
        if (0 == workers[i]) {
            signal(SIGPIPE, SIG_IGN);
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            me = &sh->w[i];
            /* Every path goes through a descriptor of the mount's root: once the dead mount is
             * detached, its names would lead to the directory underneath instead. */
            static char root[64];
            snprintf(root, sizeof root, "/proc/self/fd/%d", rootfd);
            mnt = root;
            workload(i);
        }
    }
    /* Wait for the death (or, for huge-alloc, for the workers to finish). */
    int64_t start = now_ns(), death = 0;
    bool all_done = false;
    unsigned done_mask = 0;
    int wstatus[MAX_WORKERS] = {0};
    int64_t delay_at_death[MAX_WORKERS];
    for (unsigned i = 0; i < MAX_WORKERS; i++)
        delay_at_death[i] = -1;
    while (now_ns() - start < (int64_t)POINT_DEADLINE_S * 1000000000LL && !interrupted) {
        if (!exited && fs == waitpid(fs, &status, WNOHANG)) {
            exited = true;
            death = now_ns();
            for (unsigned i = 0; i < nworkers; i++)
                if (!(done_mask & (1u << i)))
                    delay_at_death[i] = run_delay_of(workers[i]);
        }
        for (unsigned i = 0; i < nworkers; i++)
            if (!(done_mask & (1u << i)) && workers[i] == waitpid(workers[i], &wstatus[i], WNOHANG))
                done_mask |= 1u << i;
        all_done = done_mask == (1u << nworkers) - 1;
        if (exited && all_done)
            break;
        if (exited && now_ns() - death > 3 * RETURN_LIMIT_NS)
            break; /* the callers had their second (and more) */
        if (all_done && !exited && !huge_alloc_run)
            break; /* the workload ended without the injection */
        if (all_done && huge_alloc_run)
            break;
        sleep_ms(2);
    }
    close(rootfd);
    /* Workers that saw the file system gone may end before its process does (its descriptors
     * close early in its exit): give it a moment. */
    if (!exited && all_done && !huge_alloc_run) {
        bool any_saw = false;
        for (unsigned i = 0; i < nworkers; i++)
            any_saw |= WIFEXITED(wstatus[i]) && 0 == WEXITSTATUS(wstatus[i]);
        if (any_saw && wait_exit(fs, 5000, &status)) {
            exited = true;
            death = now_ns();
        }
    }
    /* What the workers saw. */
    int64_t latest = 0, latest_raw = 0, latest_waited = 0;
    unsigned never_died = 0;
    for (unsigned i = 0; i < nworkers; i++) {
        struct worker_state *w = &sh->w[i];
        if (!(done_mask & (1u << i))) {
            int64_t since = atomic_load(&w->call_start);
            char stack[256];
            kernel_stack(workers[i], stack, sizeof stack);
            fail(r, "worker %u did not return: %s %s for %.1f s (kernel stack: %s)", i,
                 since ? "in" : "after", w->op, since ? (double)(now_ns() - since) / 1e9 : 0.0, stack);
            continue;
        }
        if (WIFEXITED(wstatus[i]) && 3 == WEXITSTATUS(wstatus[i]))
            never_died++;
        else if (!WIFEXITED(wstatus[i]) || 0 != WEXITSTATUS(wstatus[i]))
            fail(r, "worker %u ended with status 0x%x in %s", i, wstatus[i], w->op);
        /* When it returned, less the time it then waited for a CPU on a loaded machine. */
        int64_t e = atomic_load(&w->exit_time), waited = 0;
        int64_t rd = atomic_load(&w->exit_run_delay);
        if (e && delay_at_death[i] >= 0 && rd > delay_at_death[i])
            waited = rd - delay_at_death[i];
        if (e - waited > latest)
            latest = e - waited;
        if (e > latest_raw)
            latest_raw = e, latest_waited = waited;
        if (huge_alloc_run && atomic_load(&w->max_call) > RETURN_LIMIT_NS)
            fail(r, "worker %u: %s took %.2f s with no memory left in the file system", i,
                 w->max_op, (double)atomic_load(&w->max_call) / 1e9);
        if (w->unexpected && verbose)
            note(r, "worker %u: %u calls failed before the crash (first: %s)", i, w->unexpected,
                 w->first_unexpected);
    }
    if (huge_alloc_run) {
        if (exited)
            fail(r, "the file system ended with no memory left (status 0x%x; log: %s)", status, logpath);
        else if (!log_contains("fscrash: injected"))
            fail(r, "the workload never reached %s", FsCrashKindName(kind));
        else {
            note(r, "%" PRIu64 " calls with no memory left", sh->w[0].calls);
            /* It must still stop and unmount. */
            kill(fs, SIGTERM);
            if (!wait_exit(fs, 10000, &status)) {
                fail(r, "with no memory left, the file system did not stop on SIGTERM");
                abort_connection(mntdir);
                kill_wait(fs);
            } else
                exited = true;
            for (int i = 0; i < 200 && is_mounted(mntdir); i++)
                sleep_ms(10);
            if (is_mounted(mntdir)) {
                fail(r, "with no memory left, SIGTERM did not unmount");
                free_mount(mntdir);
            }
        }
    } else if (!exited) {
        if (never_died == nworkers)
            fail(r, "the workload never reached %s (%u iterations)", FsCrashKindName(kind),
                 max_iterations);
        else
            fail(r, "the file system did not end");
        kill_wait(fs);
    } else {
        /* It died the way it was told to, at the kind it was told. */
        char needle[96];
        snprintf(needle, sizeof needle, "fscrash: injected at %s (%s)", FsCrashKindName(kind),
                 enter ? "enter" : "leave");
        if (!log_contains(needle))
            fail(r, "the file system ended (status 0x%x) but not at the injection (log: %s)",
                 status, logpath);
        bool how = FsCrashTerminate == action ? WIFEXITED(status) && FSCRASH_EXIT_TERMINATED == WEXITSTATUS(status)
                   : FsCrashSegv == action   ? (WIFSIGNALED(status) && SIGSEGV == WTERMSIG(status)) ||
                                                 (WIFEXITED(status) && 0 != WEXITSTATUS(status)) /* a sanitizer's report */
                   : FsCrashAbort == action  ? WIFSIGNALED(status) && SIGABRT == WTERMSIG(status)
                                             : false;
        if (!how)
            fail(r, "the file system ended with status 0x%x, not by %s", status, action_word(action));
        if (latest && latest - death > RETURN_LIMIT_NS)
            fail(r, "a caller returned %.2f s after the file system died (%.2f s of it waiting for a CPU)",
                 (double)(latest_raw - death) / 1e9, (double)latest_waited / 1e9);
        for (unsigned i = 0; i < nworkers; i++)
            if ((done_mask & (1u << i)) && WIFEXITED(wstatus[i]) && 0 == WEXITSTATUS(wstatus[i]) &&
                !gone(sh->w[i].dead_errno))
                fail(r, "worker %u ended without seeing the file system gone", i);
        note(r, "callers returned within %.0f ms (%.0f ms with the wait for a CPU)",
             latest > death ? (double)(latest - death) / 1e6 : 0.0,
             latest_raw > death ? (double)(latest_raw - death) / 1e6 : 0.0);
        /* The mount: gone (the watchdog), or abortable. */
        for (int i = 0; i < 200 && is_mounted(mntdir); i++)
            sleep_ms(10);
        if (is_mounted(mntdir)) {
            if (!abort_connection(mntdir) || 0 != umount2(mntdir, MNT_DETACH) || is_mounted(mntdir))
                fail(r, "the dead mount could not be aborted and detached");
            else
                note(r, "the dead mount was aborted and detached");
        }
    }
    for (unsigned i = 0; i < nworkers; i++)
        if (!(done_mask & (1u << i)))
            kill_wait(workers[i]);
    free_mount(mntdir);
    for (unsigned i = 0; i < nworkers; i++)
        if (!(done_mask & (1u << i)))
            waitpid(workers[i], 0, 0);
    if (durable && !huge_alloc_run)
        check_durable(r);
    check_remount(r);
}

/* ---- main ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fscrash-test [options] [--] SERVER COMMAND...\n"
            "  --actions=LIST   terminate,crash,abort,huge-alloc (default terminate,crash,huge-alloc)\n"
            "  --phases=LIST    enter,leave (default both)\n"
            "  --kinds=LIST     transact kinds (names; default: all the workload reaches)\n"
            "  --skip-kinds=LIST  kinds the file system does not have (e.g. DeviceControl)\n"
            "  --src-tmpfs      mount a tmpfs of its own at @SRC@ (default: a directory in $TMPDIR)\n"
            "  --skip-kinds=LIST  kinds the file system does not have (e.g. DeviceControl)\n"
            "  --src-tmpfs      mount a tmpfs of its own at @SRC@ (default: a directory in $TMPDIR)\n"
            "  --percent=P      inject at P%% of the matching calls (default 100: the first)\n"
            "  --seeds=N        each point N times with seeds 1..N (with --percent below 100)\n"
            "  --workers=N      workload processes (default 3, at most %d)\n"
            "  --iterations=N   workload iterations per process before giving up (default 400)\n"
            "  --durable        check that fsynced files survive in @SRC@ (passthroughs)\n"
            "  --only=PATTERN   only the points whose name contains PATTERN\n"
            "  --fscrash=PATH   the fscrash command (default %s)\n"
            "  -v               more detail\n"
            "SERVER COMMAND: words with @MNT@ (mount point) and @SRC@ (a source directory).\n",
            MAX_WORKERS, FSCRASH_COMMAND);
}

static bool parse_list(const char *v, bool (*each)(const char *))
{
    char *copy = strdup(v), *save = 0;
    bool ok = copy != 0;
    for (char *t = copy ? strtok_r(copy, ",", &save) : 0; t && ok; t = strtok_r(0, ",", &save))
        ok = each(t);
    free(copy);
    return ok;
}
static bool add_action(const char *t)
{
    for (int a = FsCrashTerminate; a <= FsCrashHugeAlloc; a++)
        if (0 == strcmp(t, action_word(a)))
            return want_action[a] = true;
    return false;
}
static bool add_phase(const char *t)
{
    if (0 == strcmp(t, "enter"))
        return want_enter = true;
    if (0 == strcmp(t, "leave"))
        return want_leave = true;
    return false;
}
static bool kind_to(const char *t, UINT32 *mask)
{
    for (UINT32 k = 1; FsCrashKindName(k); k++)
        if (0 == strcmp(t, FsCrashKindName(k))) {
            *mask |= 1u << k;
            return true;
        }
    return false;
}
static bool add_kind(const char *t)
{
    return kind_to(t, &kinds_mask);
}
static bool add_skip_kind(const char *t)
{
    return kind_to(t, &skip_mask);
}

static void cleanup_all(void)
{
    free_mount(mntdir);
    if (src_tmpfs)
        umount2(srcdir, MNT_DETACH);
    empty_dir(workdir);
    rmdir(workdir);
}

int main(int argc, char **argv)
{
    int i = 1;
    bool actions_given = false;
    for (; i < argc && 0 == strncmp(argv[i], "-", 1); i++) {
        const char *a = argv[i], *v = strchr(a, '=');
        v = v ? v + 1 : "";
        bool ok = true;
        if (0 == strcmp(a, "--")) {
            i++;
            break;
        } else if (0 == strcmp(a, "-h") || 0 == strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (0 == strncmp(a, "--actions=", 10))
            ok = parse_list(v, add_action), actions_given = true;
        else if (0 == strncmp(a, "--phases=", 9)) {
            want_enter = want_leave = false;
            ok = parse_list(v, add_phase);
        } else if (0 == strncmp(a, "--kinds=", 8))
            ok = parse_list(v, add_kind);
        else if (0 == strncmp(a, "--skip-kinds=", 13))
            ok = parse_list(v, add_skip_kind);
        else if (0 == strcmp(a, "--src-tmpfs"))
            src_tmpfs = true;
        else if (0 == strncmp(a, "--percent=", 10))
            ok = (percent = (unsigned)atoi(v)) <= 100 && *v;
        else if (0 == strncmp(a, "--seeds=", 8))
            ok = (nseeds = (unsigned)atoi(v)) >= 1;
        else if (0 == strncmp(a, "--workers=", 10))
            ok = (nworkers = (unsigned)atoi(v)) >= 1 && nworkers <= MAX_WORKERS;
        else if (0 == strncmp(a, "--iterations=", 13))
            ok = (max_iterations = (unsigned)atoi(v)) >= 1;
        else if (0 == strncmp(a, "--only=", 7))
            only_pattern = v;
        else if (0 == strncmp(a, "--fscrash=", 10))
            fscrash_cmd = v;
        else if (0 == strcmp(a, "--durable"))
            durable = true;
        else if (0 == strcmp(a, "-v"))
            verbose = true;
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "fscrash-test: invalid option: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "fscrash-test: the server command is missing\n");
        usage(stderr);
        return 2;
    }
    server = argv + i;
    nserver = argc - i;
    if (!actions_given)
        want_action[FsCrashTerminate] = want_action[FsCrashSegv] = want_action[FsCrashHugeAlloc] = true;
    if (0 != geteuid()) {
        fprintf(stderr, "fscrash-test: needs root (mounts, fusectl)\n");
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(workdir, sizeof workdir, "%s/fscrash-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(workdir)) {
        perror("fscrash-test: mkdtemp");
        return 2;
    }
    PATHF(mntdir, "%s/mnt", workdir);
    PATHF(srcdir, "%s/src", workdir);
    PATHF(logpath, "%s/server.log", workdir);
    mkdir(mntdir, 0755);
    mkdir(srcdir, 0755);
    if (src_tmpfs && 0 != mount("fscrash-src", srcdir, "tmpfs", 0, "size=1g")) {
        perror("fscrash-test: mount tmpfs");
        src_tmpfs = false;
        rmdir(srcdir), rmdir(mntdir), rmdir(workdir);
        return 2;
    }
    sh = mmap(0, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (MAP_FAILED == sh) {
        perror("fscrash-test: mmap");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    atexit(cleanup_all);

    unsigned passed = 0, failed = 0;
    for (int action = FsCrashTerminate; action <= FsCrashHugeAlloc; action++) {
        if (!want_action[action])
            continue;
        for (int phase = 0; phase < 2; phase++) {
            bool enter = 0 == phase;
            if (enter ? !want_enter : !want_leave)
                continue;
            if (FsCrashHugeAlloc == action && !enter)
                continue; /* the same starvation either way: entering only */
            for (size_t k = 0; k < sizeof reachable_kinds / sizeof reachable_kinds[0]; k++) {
                UINT32 kind = reachable_kinds[k];
                if ((kinds_mask && !(kinds_mask & (1u << kind))) || (skip_mask & (1u << kind)))
                    continue;
                for (unsigned seed = 1; seed <= nseeds; seed++) {
                    char name[160];
                    snprintf(name, sizeof name, "fscrash/%s/%s/%s%s", action_word(action),
                             enter ? "enter" : "leave", FsCrashKindName(kind), "");
                    if (nseeds > 1)
                        snprintf(name + strlen(name), sizeof name - strlen(name), "/seed%u", seed);
                    if ((only_pattern && !strstr(name, only_pattern)) || interrupted)
                        continue;
                    printf("%s... ", name);
                    fflush(stdout);
                    int64_t t0 = now_ns();
                    struct result r;
                    run_point(action, enter, kind, seed, &r);
                    double secs = (double)(now_ns() - t0) / 1e9;
                    if (r.ok) {
                        passed++;
                        printf("OK %.2fs%s%s%s\n", secs, verbose && *r.notes ? " (" : "",
                               verbose ? r.notes : "", verbose && *r.notes ? ")" : "");
                    } else {
                        failed++;
                        printf("FAIL %.2fs\n    %s\n", secs, r.why);
                        if (*r.notes)
                            printf("    (%s)\n", r.notes);
                        FILE *lf = fopen(logpath, "re");
                        if (lf) {
                            char line[512];
                            int n = 0;
                            while (fgets(line, sizeof line, lf) && n++ < 12)
                                printf("    log: %s", line);
                            fclose(lf);
                        }
                    }
                    fflush(stdout);
                }
            }
        }
    }
    if (interrupted) {
        printf("interrupted\n");
        failed++;
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
