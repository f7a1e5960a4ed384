/*
 * tests/fsp-tests/blocking-test.c - group "blocking" (internal only): a slow or blocked
 * operation never stalls the others.
 *
 * A second memfs is mounted on a temporary directory with its Read wrapped: a Read of the
 * file "slow" blocks inside the file system until the test lets it go. While it is blocked,
 * stat, create, write and read of other files must all complete. This checks liveness, not
 * speed: the limits are generous (tens of seconds) and only catch a mount that stopped
 * serving. Whatever happens, the blocked Read is let go before the test ends (a deadline in
 * the file system lets it go by itself too), so the test cannot hang.
 */
#include "fsp-tests.h"
#include "memfs.h"
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define LIVENESS_SECONDS 60 /* what "goes on" may take at most on a loaded machine */
#define BLOCK_SECONDS 120   /* the file system lets the Read go by itself after this */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    const FSP_FILE_SYSTEM_INTERFACE *inner; /* memfs's own interface */
    FSP_FILE_SYSTEM_INTERFACE wrapped;
    PVOID slow_ctx;   /* memfs's context of \slow, recorded by Open */
    bool armed;       /* the next Read of \slow blocks */
    bool blocked;     /* a Read of \slow waits now */
    bool released;    /* the test let it go */
    int reads_blocked;
} blk = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static NTSTATUS slow_open(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access,
                          PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = blk.inner->Open(fs, name, options, access, pctx, info);
    if (NT_SUCCESS(status) && 0 == wcscmp(name, L"\\slow")) {
        pthread_mutex_lock(&blk.lock);
        blk.slow_ctx = *pctx;
        pthread_mutex_unlock(&blk.lock);
    }
    return status;
}

static NTSTATUS slow_read(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 offset, ULONG length,
                          PULONG pbytes)
{
    pthread_mutex_lock(&blk.lock);
    if (blk.armed && ctx == blk.slow_ctx) {
        blk.armed = false;
        blk.blocked = true;
        blk.reads_blocked++;
        pthread_cond_broadcast(&blk.cond);
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += BLOCK_SECONDS;
        while (!blk.released &&
               ETIMEDOUT != pthread_cond_timedwait(&blk.cond, &blk.lock, &deadline))
            ;
        blk.blocked = false;
    }
    pthread_mutex_unlock(&blk.lock);
    return blk.inner->Read(fs, ctx, buf, offset, length, pbytes);
}

/* Wait (under blk.lock) until *flag is want or the deadline passes. */
static bool wait_flag(bool *flag, bool want, int seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    while (*flag != want)
        if (ETIMEDOUT == pthread_cond_timedwait(&blk.cond, &blk.lock, &deadline))
            return *flag == want;
    return true;
}

struct job {
    char dir[PATH_MAX];
    bool done;
    int failures;   /* operations that failed */
    char what[128]; /* the first failure */
    ssize_t got;    /* the slow reader: bytes read */
    int cpu;        /* run on this CPU only (-1: anywhere) */
};

/* The kernel puts a request in the io_uring queue of the CPU its caller runs on: callers on one
 * CPU share one queue. */
static void pin(const struct job *j)
{
    if (j->cpu < 0)
        return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(j->cpu, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}

static void failed(struct job *j, const char *what)
{
    if (!j->failures++)
        snprintf(j->what, sizeof j->what, "%s: %s", what, strerror(errno));
}

static void finish(struct job *j)
{
    pthread_mutex_lock(&blk.lock);
    j->done = true;
    pthread_cond_broadcast(&blk.cond);
    pthread_mutex_unlock(&blk.lock);
}

/* The caller whose Read blocks in the file system. */
static void *slow_reader(void *arg)
{
    struct job *j = arg;
    char path[PATH_MAX + 16], buf[64];
    pin(j);
    snprintf(path, sizeof path, "%s/slow", j->dir);
    int fd = open(path, O_RDONLY | O_DIRECT); /* past the page cache: the Read reaches memfs */
    if (fd < 0)
        fd = open(path, O_RDONLY);
    j->got = fd < 0 ? -1 : pread(fd, buf, sizeof buf, 0);
    if (fd >= 0)
        close(fd);
    finish(j);
    return 0;
}

/* What must go on meanwhile: stat, create + write, read, on other files, a few times. */
static void *others(void *arg)
{
    struct job *j = arg;
    char path[PATH_MAX + 32], buf[64];
    pin(j);
    for (int i = 0; i < 20; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/other", j->dir);
        if (0 != stat(path, &st) || 5 != st.st_size)
            failed(j, "stat other");
        int fd = open(path, O_RDONLY | O_DIRECT);
        if (fd < 0)
            fd = open(path, O_RDONLY);
        if (fd < 0 || 5 != pread(fd, buf, sizeof buf, 0) || 0 != memcmp(buf, "other", 5))
            failed(j, "read other");
        if (fd >= 0)
            close(fd);
        snprintf(path, sizeof path, "%s/new%d", j->dir, i);
        fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd < 0 || 3 != write(fd, "new", 3))
            failed(j, "create and write new");
        if (fd >= 0)
            close(fd);
        if (0 != stat(path, &st) || 3 != st.st_size)
            failed(j, "stat new");
    }
    finish(j);
    return 0;
}

static void write_at(const char *dir, const char *name, const char *data)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    ASSERT(fd >= 0);
    ASSERT_EQ((ssize_t)strlen(data), write(fd, data, strlen(data)));
    ASSERT(0 == close(fd));
}

/* Mount a memfs with the blocking Read, run the slow reader and the others, let go, clean up;
 * then assert. threads: dispatcher threads (0: the engine's default). cpu: the slow reader and
 * the others run on this CPU only (-1: anywhere). late: with the engine's test hook
 * LINFSP_IO_URING_LATE_REGISTER_MS (2 s). */
static void blocked_read_run(ULONG file_info_timeout, ULONG threads, int cpu, bool late)
{
    fsp_tests_need_internal();
    char dir[64];
    WCHAR wdir[64];
    snprintf(dir, sizeof dir, "%s/fsp-blocking.XXXXXX",
             getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ASSERT(mkdtemp(dir));
    mbstowcs(wdir, dir, 64);
    MEMFS *memfs = 0;
    NTSTATUS status = MemfsCreate(MemfsDisk, file_info_timeout, 1024, 16 * 1024 * 1024, 0, 0, &memfs);
    bool mounted = false, started = false, was_blocked = false, still_blocked = false;
    bool others_done = false, reader_done = false;
    struct job slow, rest;
    memset(&slow, 0, sizeof slow);
    memset(&rest, 0, sizeof rest);
    snprintf(slow.dir, sizeof slow.dir, "%s", dir);
    snprintf(rest.dir, sizeof rest.dir, "%s", dir);
    slow.cpu = rest.cpu = cpu;
    pthread_t ts = 0, to = 0;
    bool ts_made = false, to_made = false;
    if (NT_SUCCESS(status)) {
        FSP_FILE_SYSTEM *fs = MemfsFileSystem(memfs);
        blk.inner = fs->Interface;
        blk.wrapped = *fs->Interface;
        blk.wrapped.Open = slow_open;
        blk.wrapped.Read = slow_read;
        blk.slow_ctx = 0;
        blk.armed = blk.blocked = blk.released = false;
        blk.reads_blocked = 0;
        fs->Interface = &blk.wrapped;
        status = FspFileSystemSetMountPoint(fs, wdir);
        mounted = NT_SUCCESS(status);
        if (mounted && late)
            setenv("LINFSP_IO_URING_LATE_REGISTER_MS", "2000", 1); /* read when it starts */
        if (mounted)
            status = MemfsStartEx(memfs, threads);
        if (late)
            unsetenv("LINFSP_IO_URING_LATE_REGISTER_MS");
        started = mounted && NT_SUCCESS(status);
    }
    if (started) {
        write_at(dir, "slow", "slow!");
        write_at(dir, "other", "other");
        pthread_mutex_lock(&blk.lock);
        blk.armed = true;
        pthread_mutex_unlock(&blk.lock);
        ts_made = 0 == pthread_create(&ts, 0, slow_reader, &slow);
        pthread_mutex_lock(&blk.lock);
        was_blocked = ts_made && wait_flag(&blk.blocked, true, LIVENESS_SECONDS);
        pthread_mutex_unlock(&blk.lock);
        if (was_blocked) {
            to_made = 0 == pthread_create(&to, 0, others, &rest);
            pthread_mutex_lock(&blk.lock);
            others_done = to_made && wait_flag(&rest.done, true, LIVENESS_SECONDS);
            still_blocked = blk.blocked; /* the others went on while the Read was held */
            pthread_mutex_unlock(&blk.lock);
        }
        /* Let go in any case, then wait for everybody (they can finish now). */
        pthread_mutex_lock(&blk.lock);
        blk.armed = false;
        blk.released = true;
        pthread_cond_broadcast(&blk.cond);
        reader_done = !ts_made || wait_flag(&slow.done, true, LIVENESS_SECONDS);
        pthread_mutex_unlock(&blk.lock);
        if (ts_made && reader_done)
            pthread_join(ts, 0);
        if (to_made) {
            pthread_mutex_lock(&blk.lock);
            bool done = wait_flag(&rest.done, true, LIVENESS_SECONDS);
            pthread_mutex_unlock(&blk.lock);
            if (done)
                pthread_join(to, 0);
            else
                pthread_detach(to);
        }
        if (ts_made && !reader_done)
            pthread_detach(ts);
        for (int i = 0; i < 20; i++) {
            char path[PATH_MAX + 16];
            snprintf(path, sizeof path, "%s/new%d", dir, i);
            unlink(path);
        }
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/slow", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/other", dir);
        unlink(path);
    }
    if (memfs) {
        if (started)
            MemfsStop(memfs);
        if (mounted)
            FspFileSystemRemoveMountPoint(MemfsFileSystem(memfs));
        MemfsDelete(memfs);
    }
    rmdir(dir);
    ASSERT_EQ(STATUS_SUCCESS, status);
    ASSERT(was_blocked);   /* the Read reached the file system and waited there */
    ASSERT(others_done);   /* everything else went on meanwhile */
    if (rest.failures)
        fprintf(stderr, "    first failure: %s\n", rest.what);
    ASSERT_EQ(0, rest.failures);
    ASSERT(still_blocked); /* ...while the Read was still held */
    ASSERT(reader_done);
    ASSERT_EQ(5, slow.got); /* and the Read completed once let go */
}

static void blocking_read_test(void)
{
    blocked_read_run(0, 0, -1, false); /* no caching: every stat reaches the file system */
}

static void blocking_read_cached_test(void)
{
    blocked_read_run(INFINITE, 0, -1, false);
}

static void blocking_read_two_threads_test(void)
{
    blocked_read_run(0, 2, -1, false); /* the fewest threads that can do it: the leader and the watcher */
}

/*
 * Over io_uring: the held Read and the others in one kernel queue (their callers on one CPU),
 * while the queue's second ring entry registers late (the engine's test hook
 * LINFSP_IO_URING_LATE_REGISTER_MS: the second worker of each queue registers 2 s after the
 * first, as a worker that starts late on a loaded CPU does). A request that came while the
 * queue's only entry held the Read must not wait for the Read once the second entry is there.
 * Over /dev/fuse the hook does nothing and this is the plain test on one CPU.
 */
static void blocking_read_late_ring_entry_test(void)
{
    cpu_set_t set;
    int cpu = -1;
    if (0 == sched_getaffinity(0, sizeof set, &set))
        for (int c = 0; c < CPU_SETSIZE && cpu < 0; c++)
            if (CPU_ISSET(c, &set))
                cpu = c;
    blocked_read_run(0, 0, cpu, true);
}

void blocking_tests(void)
{
    TLIB_ADD_TEST("blocking", blocking_read_test);
    TLIB_ADD_TEST("blocking", blocking_read_cached_test);
    TLIB_ADD_TEST("blocking", blocking_read_two_threads_test);
    TLIB_ADD_TEST("blocking", blocking_read_late_ring_entry_test);
}
