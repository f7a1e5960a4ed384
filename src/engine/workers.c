/*
 * src/engine/workers.c - the worker threads: who reads the next request,
 * starting and stopping them.
 *
 * On /dev/fuse one worker at a time, the leader, waits for requests in a
 * blocking read(2) and serves what it reads itself before it reads again.
 * With one caller at a time a request costs its read and its reply and no
 * hand-off between threads: the thread that answered is the one the kernel
 * wakes for the next request. The other workers stay out of the kernel's
 * queue (a second thread in read(2) would take turns with the leader, since
 * the kernel wakes its waiters in order).
 *
 * The look (LINFSP_SPIN_US, spin_us): after a reply the leader may read a
 * second, permanently non-blocking clone of the channel in a loop, without
 * giving up the CPU, until spin_us after the reply, before it waits in
 * read(2). When the caller runs on the other CPU ("split"), its next request
 * then finds the leader running instead of halted in read(2), which saves
 * one wake-up of an idle CPU per request (16-28 us on a virtual machine that
 * halts idle vCPUs). When the caller shares the leader's CPU, its request
 * cannot come while the leader looks. So the leader looks only after a
 * request that reached its blocking read FSP_LOOK_MIN_GAP_US or more after
 * the reply before it (a gap the size of two cross-CPU wake-ups; on one CPU
 * the next request is there within a few microseconds) and at most
 * FSP_LOOK_GAP_FACTOR looks' time (not after a pause); a look that finds
 * nothing, or finds a request only after its time, makes the leader skip the
 * next 1, 2, 4, ... up to FSP_LOOK_BACKOFF_MAX looks; a look whose first read
 * finds a request waiting already counts neither way. Without sched_yield: a
 * yield hands the CPU to any other task (and its whole slice to a CPU-bound
 * one), which cost more than the look saved.
 *
 * One idle worker, the watcher, looks at the leader every holdup_us
 * (LINFSP_HOLDUP_US, default FSP_ENGINE_HOLDUP_US) while the leader serves a
 * request. When the leader is still on the request it was on at the last
 * look (the file system is slow or blocked), or requests wait in the kernel
 * while it is busy, the watcher becomes the leader and a parked worker (or a
 * new thread, up to the configured count) becomes the watcher. The old leader
 * finishes its request, serves what is queued without waiting (a helper) and
 * goes idle: watcher if that place is free, else parked. So a slow or blocked
 * operation holds up the others for at most two ticks, and a busy mount gets
 * more threads as the queue grows. A watcher that has seen no request for
 * FSP_WATCH_IDLE_TICKS ticks sleeps until the leader's next request wakes it.
 * Threads start as needed: the leader and the watcher first.
 *
 * The leader's record (lead_state: requests started << 2 | DEMOTED | BUSY) has
 * one writer, the leader, except that the watcher sets DEMOTED with a
 * compare-and-swap on a BUSY value it saw at its last look; the leader ends
 * a request with a compare-and-swap back to not BUSY, which fails exactly when
 * it was demoted meanwhile.
 *
 * Stopping: the stop flag, wake-ups for the parked workers and the watcher,
 * and pthread_cancel: cancellation is enabled only around the leader's
 * blocking read (the worker threads run with it disabled, so a file system
 * callback is never cancelled). glibc before 2.41 may act on a cancellation
 * just after read(2) returned a request; the request is then in the buffer
 * (whose header length is cleared before each read), and the cancellation
 * cleanup serves it before the thread ends.
 *
 * FUSE over io_uring (uring.c) starts every worker at once (the kernel needs
 * an entry on each of its queues), and each serves its ring; a worker whose
 * ring is not used takes a role here.
 */
#include "core.h"
#include "uring.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FSP_ENGINE_HOLDUP_US 1000 /* default tick of the watcher */
#define FSP_WATCH_IDLE_TICKS 16   /* ticks without a request before the watcher sleeps */
#define FSP_ENGINE_SPIN_US 50     /* default of LINFSP_SPIN_US: the leader's look for its next request */
#define FSP_LOOK_MIN_GAP_US 15    /* it looks only after a request that came at least this late, */
#define FSP_LOOK_GAP_FACTOR 4     /* and within 4 looks' time, after the reply before it */
#define FSP_LOOK_BACKOFF_MAX 1024 /* a failed look: up to 1024 requests in read(2) before the next */

enum { FSP_LEAD_BUSY = 1, FSP_LEAD_DEMOTED = 2, FSP_LEAD_ONE = 4 };

static void futex_wait(uint32_t *word, uint32_t val, const struct timespec *timeout)
{
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, timeout, 0, 0);
}

static void futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, 0, 0, 0);
}

/* Wake the watcher from its tick or its sleep. */
static void wake_watcher(struct fsp_engine *eng)
{
    __atomic_fetch_add(&eng->watch_word, 1, __ATOMIC_SEQ_CST);
    futex_wake(&eng->watch_word);
}

static void *worker_main(void *arg);

/* Create the thread of workers[nstarted]; caller holds workers_lock. */
static bool start_one(struct fsp_engine *eng)
{
    if (eng->nstarted >= eng->nworkers)
        return false;
    struct fsp_worker *w = &eng->workers[eng->nstarted];
    if (!w->buf) {
        w->buf = malloc(FSP_ENGINE_BUFSIZE);
        w->scratch = malloc(FSP_ENGINE_BUFSIZE);
    }
    if (!w->buf || !w->scratch || 0 != pthread_create(&w->thread, 0, worker_main, w))
        return false;
    w->started = true;
    eng->nstarted++;
    return true;
}

/* The watcher's place is free: a parked worker takes it, or a new thread. Caller holds
 * workers_lock. */
static void recruit_watcher(struct fsp_engine *eng)
{
    if (eng->nparked)
        pthread_cond_signal(&eng->workers_cond);
    else if (!start_one(eng) && eng->nstarted < eng->nworkers)
        FspDebugLog("linfsp: cannot start another worker thread\n");
}

/* An idle worker's role: the leader's place if free, else the watcher's, else parked. */
static enum fsp_worker_role idle_role(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    enum fsp_worker_role role = FSP_ROLE_PARKED;
    pthread_mutex_lock(&eng->workers_lock);
    if (atomic_load(&eng->stopping))
        role = FSP_ROLE_STOP;
    else if (!eng->leader) {
        __atomic_store_n(&eng->leader, w, __ATOMIC_RELEASE);
        role = FSP_ROLE_LEADER;
    } else if (!eng->watcher) {
        eng->watcher = w;
        role = FSP_ROLE_WATCHER;
    }
    pthread_mutex_unlock(&eng->workers_lock);
    return role;
}

/*
 * The cancellation cleanup of the leader's read: stopping caught the thread just after read(2)
 * returned a request (glibc before 2.41 acts on a cancellation there). Serve it.
 */
static void serve_cancelled_read(void *arg)
{
    struct fsp_worker *w = arg;
    const struct fuse_in_header *in = w->buf;
    if (in->len >= sizeof *in && in->len <= FSP_ENGINE_BUFSIZE)
        fsp_dispatch_one(w->engine, w, w->fd, w->buf, in->len);
}

/*
 * The leader's blocking read(2), the only place where a worker may be cancelled. It calls read(2)
 * itself, and the frames a cancellation unwinds (this one, lead, worker_main) are not
 * instrumented by AddressSanitizer: glibc unwinds a cancelled C thread in ways ASan does not
 * follow, and instrumented frames would leave their stack poisoned (ASan then reports its own
 * sigaltstack at thread exit).
 */
#if defined(__SANITIZE_ADDRESS__)
#define FSP_NO_ASAN __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FSP_NO_ASAN __attribute__((no_sanitize_address))
#endif
#endif
#ifndef FSP_NO_ASAN
#define FSP_NO_ASAN
#endif
FSP_NO_ASAN static ssize_t lead_read(struct fsp_worker *w)
{
    ssize_t n;
    int old;
    pthread_cleanup_push(serve_cancelled_read, w);
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    for (;;) {
        if (atomic_load(&w->engine->stopping)) {
            n = 0;
            break;
        }
        /* A cancelled read is recognised by a header it filled in (serve_cancelled_read). */
        ((struct fuse_in_header *)w->buf)->len = 0;
        n = read(w->fd, w->buf, FSP_ENGINE_BUFSIZE);
        if (n >= 0)
            break; /* 0: the peer (unit tests' socket) closed */
        n = -errno;
        if (-EINTR == n || -ENOENT == n) /* ENOENT: interrupted before it was read */
            continue;
        if (-EAGAIN == n) { /* a shared descriptor left non-blocking (io_uring fallback) */
            struct pollfd p = {w->fd, POLLIN, 0};
            poll(&p, 1, -1);
            continue;
        }
        if (-ENODEV == n) /* unmounted */
            n = 0;
        break;
    }
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_cleanup_pop(0);
    return n;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The leader's look for its next request after a reply: reads of its non-blocking clone, without
 * giving up the CPU, until spin_us after the reply. It pays off when the caller runs on the other
 * CPU (its next request then finds the leader awake, not halted in read(2)); when the caller needs
 * this CPU it cannot come, and the look fails. A look that finds nothing, or finds a request only
 * after its time (other tasks had the CPU), counts as failed: the next 1, 2, 4, ... up to
 * FSP_LOOK_BACKOFF_MAX looks are skipped. Bytes read, 0 or -errno when the channel ended, -EAGAIN
 * when nothing came (or there was no look).
 */
static ssize_t lead_look(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    if (!w->look)
        return -EAGAIN;
    if (w->look_skip) {
        w->look_skip--;
        return -EAGAIN;
    }
    uint64_t end = w->served_ns + (uint64_t)eng->spin_us * 1000u;
    ssize_t n;
    bool late, first = true;
    for (;; first = false) {
        if (atomic_load(&eng->stopping))
            return 0;
        n = read(w->look_fd, w->buf, FSP_ENGINE_BUFSIZE);
        if (n < 0) {
            n = -errno;
            if (-EINTR == n || -ENOENT == n) /* ENOENT: interrupted before it was read */
                n = -EAGAIN;
            else if (-ENODEV == n) /* unmounted */
                return 0;
            else if (-EAGAIN != n)
                return n;
        } else if (0 == n)
            return 0;
        if (n > 0 && first)
            return n; /* queued already: a blocking read would have had it at once, too */
        late = now_ns() >= end;
        if (-EAGAIN != n || late)
            break;
    }
    if (-EAGAIN != n && !late) {
        w->look_backoff = 0; /* it came while the leader looked: the look paid */
        return n;
    }
    w->look_skip = w->look_backoff;
    w->look_backoff = w->look_backoff ? w->look_backoff * 2 : 1;
    if (w->look_backoff > FSP_LOOK_BACKOFF_MAX)
        w->look_backoff = FSP_LOOK_BACKOFF_MAX;
    return n; /* a request that came late is served all the same */
}

/* The leader's non-blocking clone for its looks (opened once per worker); false: no looks. */
static bool open_look_fd(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    if (w->look_fd >= 0)
        return true;
    if (eng->attached || eng->fd < 0 || 0 != fsp_channel_clone(eng->fd, &w->look_fd))
        return false;
    int fl = fcntl(w->look_fd, F_GETFL);
    if (fl < 0 || fcntl(w->look_fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        close(w->look_fd);
        w->look_fd = -1;
        return false;
    }
    return true;
}

/* Serve one request read into w->buf; false when the volume is gone (DESTROY). */
static bool serve(struct fsp_worker *w, int fd, size_t n)
{
    struct fsp_engine *eng = w->engine;
    fsp_dispatch_one(eng, w, fd, w->buf, n);
    return !__atomic_load_n(&eng->destroyed, __ATOMIC_ACQUIRE);
}

/* A read failed or the channel ended: the volume is gone (or the dispatcher stops). */
static enum fsp_worker_role channel_ended(struct fsp_worker *w, ssize_t n)
{
    if (n < 0)
        FspDebugLog("linfsp: reading requests failed: %s\n", strerror((int)-n));
    fsp_dispatcher_volume_gone(w->engine);
    return FSP_ROLE_STOP;
}

FSP_NO_ASAN static enum fsp_worker_role lead(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    bool looks = eng->spin_us && open_look_fd(w);
    uint64_t gap_lo = (uint64_t)FSP_LOOK_MIN_GAP_US * 1000u;
    uint64_t gap_hi = (uint64_t)eng->spin_us * 1000u * FSP_LOOK_GAP_FACTOR;
    w->look = false;
    w->served_ns = 0;
    w->look_skip = w->look_backoff = 0;
    for (;;) {
        int fd = w->look_fd;
        ssize_t n = lead_look(w);
        if (-EAGAIN == n) {
            fd = w->fd;
            fsp_channel_set_nonblock(w, false);
            n = lead_read(w);
            /* Look after this request only when it came after a gap the size of two wake-ups
             * across CPUs (split from the caller), not at once (the caller shares this CPU) nor
             * after a pause. */
            if (looks && n > 0 && w->served_ns) {
                uint64_t gap = now_ns() - w->served_ns;
                w->look = gap >= gap_lo && gap <= gap_hi;
            }
        }
        if (n <= 0)
            return atomic_load(&eng->stopping) ? FSP_ROLE_STOP : channel_ended(w, n);
        /* Busy from now on: the watcher may step in. (No one else writes the record while it
         * is not BUSY.) */
        uint64_t busy = (__atomic_load_n(&eng->lead_state, __ATOMIC_RELAXED) & ~(uint64_t)3) +
                        FSP_LEAD_ONE + FSP_LEAD_BUSY;
        __atomic_store_n(&eng->lead_state, busy, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&eng->watcher_asleep, __ATOMIC_SEQ_CST)) {
            __atomic_store_n(&eng->watcher_asleep, false, __ATOMIC_RELAXED);
            wake_watcher(eng);
        }
        w->lead_busy = busy;
        w->demoted = false;
        bool alive = serve(w, fd, (size_t)n);
        fsp_worker_request_done(w); /* when it was not answered (FORGET, pending) */
        if (!alive)
            return channel_ended(w, 0);
        if (w->demoted)
            return FSP_ROLE_HELPER; /* the watcher took over while this request ran */
        if (looks)
            w->served_ns = now_ns();
    }
}

void fsp_worker_request_done(struct fsp_worker *w)
{
    uint64_t busy = w->lead_busy;
    if (!busy)
        return;
    w->lead_busy = 0;
    if (!__atomic_compare_exchange_n(&w->engine->lead_state, &busy, busy - FSP_LEAD_BUSY, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        w->demoted = true;
}

static enum fsp_worker_role help(struct fsp_worker *w)
{
    for (;;) {
        ssize_t n = fsp_channel_read_nowait(w);
        if (-EAGAIN == n)
            return idle_role(w);
        if (n <= 0)
            return atomic_load(&w->engine->stopping) ? FSP_ROLE_STOP : channel_ended(w, n);
        if (!serve(w, w->fd, (size_t)n))
            return channel_ended(w, 0);
    }
}

/* Become the leader in place of the one that is held up (seen with lead_state == seen). */
static bool take_over(struct fsp_worker *w, uint64_t seen)
{
    struct fsp_engine *eng = w->engine;
    if (!__atomic_compare_exchange_n(&eng->lead_state, &seen, seen | FSP_LEAD_DEMOTED, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        return false; /* it finished meanwhile */
    pthread_mutex_lock(&eng->workers_lock);
    __atomic_store_n(&eng->lead_state, seen & ~(uint64_t)3, __ATOMIC_SEQ_CST);
    __atomic_store_n(&eng->leader, w, __ATOMIC_RELEASE);
    eng->watcher = 0;
    if (!atomic_load(&eng->stopping))
        recruit_watcher(eng);
    pthread_mutex_unlock(&eng->workers_lock);
    return true;
}

static enum fsp_worker_role watch(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    struct timespec tick = {0, (long)eng->holdup_us * 1000};
    uint64_t last = __atomic_load_n(&eng->lead_state, __ATOMIC_SEQ_CST);
    unsigned idle = 0, backlog = 0;
    while (!atomic_load(&eng->stopping)) {
        uint32_t word = __atomic_load_n(&eng->watch_word, __ATOMIC_SEQ_CST);
        if (idle >= FSP_WATCH_IDLE_TICKS) {
            /* Nothing to watch: sleep until the leader's next request (or stop). */
            __atomic_store_n(&eng->watcher_asleep, true, __ATOMIC_SEQ_CST);
            if (__atomic_load_n(&eng->lead_state, __ATOMIC_SEQ_CST) == last &&
                !atomic_load(&eng->stopping))
                futex_wait(&eng->watch_word, word, 0);
            __atomic_store_n(&eng->watcher_asleep, false, __ATOMIC_SEQ_CST);
            idle = 0;
            last = __atomic_load_n(&eng->lead_state, __ATOMIC_SEQ_CST);
            continue;
        }
        futex_wait(&eng->watch_word, word, &tick);
        uint64_t now = __atomic_load_n(&eng->lead_state, __ATOMIC_SEQ_CST);
        bool busy = (now & FSP_LEAD_BUSY) && !(now & FSP_LEAD_DEMOTED);
        /* Held up: on the same request as at the last look. Or requests keep waiting in the
         * kernel while it is busy (at two looks in a row: one that came just now, a FORGET
         * say, is the leader's next). */
        backlog = busy && fsp_channel_pending(w) ? backlog + 1 : 0;
        if (busy && (now == last || backlog >= 2) && take_over(w, now))
            return FSP_ROLE_LEADER;
        idle = now == last && !(now & FSP_LEAD_BUSY) ? idle + 1 : 0;
        last = now;
    }
    return FSP_ROLE_STOP;
}

static enum fsp_worker_role park(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    enum fsp_worker_role role = FSP_ROLE_STOP;
    pthread_mutex_lock(&eng->workers_lock);
    eng->nparked++;
    while (!atomic_load(&eng->stopping) && eng->watcher)
        pthread_cond_wait(&eng->workers_cond, &eng->workers_lock);
    eng->nparked--;
    if (!atomic_load(&eng->stopping)) {
        eng->watcher = w;
        role = FSP_ROLE_WATCHER;
    }
    pthread_mutex_unlock(&eng->workers_lock);
    return role;
}

FSP_NO_ASAN static void *worker_main(void *arg)
{
    struct fsp_worker *w = arg;
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    if (fsp_uring_serve(w)) { /* through io_uring (uring.c) until the end */
        if (!atomic_load(&w->engine->stopping))
            fsp_dispatcher_volume_gone(w->engine);
        return 0;
    }
    enum fsp_worker_role role = idle_role(w);
    while (FSP_ROLE_STOP != role) {
        switch (role) {
        case FSP_ROLE_LEADER:
            role = lead(w);
            break;
        case FSP_ROLE_HELPER:
            role = help(w);
            break;
        case FSP_ROLE_WATCHER:
            role = watch(w);
            break;
        default:
            role = park(w);
            break;
        }
    }
    return 0;
}

/* Wake every idle worker (parked, watching) to see the stop flag. */
static void wake_all(struct fsp_engine *eng)
{
    pthread_mutex_lock(&eng->workers_lock);
    pthread_cond_broadcast(&eng->workers_cond);
    pthread_mutex_unlock(&eng->workers_lock);
    wake_watcher(eng);
    uint64_t one = 1;
    if (write(eng->stop_fd, &one, sizeof one) < 0) /* io_uring workers wait on it */
        (void)0;
}

void fsp_dispatcher_volume_gone(struct fsp_engine *eng)
{
    if (atomic_exchange(&eng->stopping, true))
        return; /* stopping already (or another worker saw it first) */
    wake_all(eng);
    /* The leader may wait in read(2) still (a helper saw the end first): end that read. */
    pthread_mutex_lock(&eng->workers_lock);
    struct fsp_worker *leader = eng->leader;
    if (leader && leader->started && !pthread_equal(leader->thread, pthread_self()))
        pthread_cancel(leader->thread);
    pthread_mutex_unlock(&eng->workers_lock);
    /* As on WinFsp: the file system hears of it through DispatcherStopped (which usually
     * calls FspFileSystemStopServiceIfNecessary), or the service is stopped for it. */
    if (eng->fs->Interface->DispatcherStopped) {
        if (!atomic_exchange(&eng->stop_notified, true))
            eng->fs->Interface->DispatcherStopped(eng->fs, FALSE);
    } else
        FspFileSystemStopServiceIfNecessary(eng->fs, FALSE);
}

static unsigned default_thread_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    n *= 2;
    return n < 2 ? 2 : n > 16 ? 16 : (unsigned)n;
}

static unsigned holdup_us(void)
{
    const char *env = getenv("LINFSP_HOLDUP_US");
    long us = env ? strtol(env, 0, 10) : 0;
    return us >= 50 && us <= 1000000 ? (unsigned)us : FSP_ENGINE_HOLDUP_US;
}

/* LINFSP_SPIN_US: 0 (no look) to 1000; default FSP_ENGINE_SPIN_US. */
static unsigned spin_us(void)
{
    const char *env = getenv("LINFSP_SPIN_US");
    char *end;
    long us = env && *env ? strtol(env, &end, 10) : -1;
    return env && *env && !*end && us >= 0 && us <= 1000 ? (unsigned)us : FSP_ENGINE_SPIN_US;
}

static void free_worker(struct fsp_worker *w)
{
    if (w->own_fd && w->fd >= 0)
        close(w->fd);
    if (w->look_fd >= 0)
        close(w->look_fd);
    w->fd = w->look_fd = -1;
    free(w->buf);
    free(w->scratch);
    free(w->spare);
    w->buf = w->scratch = 0;
    w->spare = 0;
}

NTSTATUS fsp_dispatcher_start(struct fsp_engine *eng, unsigned nthreads)
{
    if (eng->dispatching)
        return STATUS_INVALID_DEVICE_STATE;
    if (eng->fd < 0)
        return STATUS_INVALID_DEVICE_STATE;
    /* io_uring sizes the workers to the kernel's queues (or is not used). */
    nthreads = fsp_uring_start(eng, nthreads, nthreads ? nthreads : default_thread_count());
    eng->workers = calloc(nthreads, sizeof *eng->workers);
    if (!eng->workers) {
        fsp_uring_free(eng);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    atomic_store(&eng->stopping, false);
    eng->holdup_us = holdup_us();
    eng->spin_us = spin_us();
    eng->leader = eng->watcher = 0;
    eng->nstarted = eng->nparked = 0;
    eng->lead_state = 0;
    eng->watcher_asleep = false;
    /* Blocking reads on /dev/fuse (the leader); io_uring workers poll and read without waiting. */
    int fl = fcntl(eng->fd, F_GETFL);
    if (fl >= 0)
        fcntl(eng->fd, F_SETFL, eng->uring ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
    for (unsigned i = 0; i < nthreads; i++) {
        struct fsp_worker *w = &eng->workers[i];
        w->engine = eng;
        w->fd = eng->fd;
        w->look_fd = -1;
        w->nonblock = 0 != eng->uring;
        if (i > 0 && !eng->attached && 0 == fsp_channel_clone(eng->fd, &w->fd)) {
            w->own_fd = true;
            w->nonblock = false;
            if (eng->uring)
                fsp_channel_set_nonblock(w, true);
        }
    }
    __atomic_store_n(&eng->nworkers, nthreads, __ATOMIC_RELEASE); /* read by other threads (pending.c) */
    eng->dispatching = true;
    /* io_uring: every worker now; /dev/fuse: the leader and the watcher, the rest when needed. */
    unsigned first = eng->uring ? nthreads : nthreads < 2 ? nthreads : 2;
    bool ok = true;
    pthread_mutex_lock(&eng->workers_lock);
    for (unsigned i = 0; i < first && ok; i++)
        ok = start_one(eng);
    pthread_mutex_unlock(&eng->workers_lock);
    if (!ok && (eng->uring || 0 == eng->nstarted)) {
        fsp_dispatcher_stop(eng, TRUE);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

/* How long stopping the dispatcher waits for a worker that is inside the file system. */
#define FSP_ENGINE_STOP_GRACE_SECONDS 5

/* Join a worker, waiting at most the grace period; false when it did not end (it is detached). */
static bool join_worker(struct fsp_worker *w)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += FSP_ENGINE_STOP_GRACE_SECONDS;
    if (0 == pthread_timedjoin_np(w->thread, 0, &deadline))
        return true;
    pthread_detach(w->thread);
    return false;
}

void fsp_dispatcher_stop(struct fsp_engine *eng, bool normally)
{
    if (!eng->dispatching)
        return;
    bool went_away = atomic_load(&eng->stopping);
    atomic_store(&eng->stopping, true);
    wake_all(eng);
    /* The thread set no longer grows once stopping is seen under the lock. */
    pthread_mutex_lock(&eng->workers_lock);
    unsigned nstarted = eng->nstarted;
    /* Ends the leader's read (cancellation is enabled nowhere else). */
    for (unsigned i = 0; i < nstarted; i++)
        pthread_cancel(eng->workers[i].thread);
    pthread_mutex_unlock(&eng->workers_lock);
    bool stuck = false;
    for (unsigned i = 0; i < nstarted; i++)
        stuck |= !join_worker(&eng->workers[i]);
    if (stuck) {
        /* A file system callback that never returns must not wedge the unmount (as libfuse's
         * loop does not wait for such threads): the stuck worker is left running, and what it
         * may still touch (engine, workers, file system object) is never freed. */
        FspDebugLog("linfsp: a worker did not come back from the file system within %d s; "
                    "it is abandoned and the engine's memory kept\n",
                    FSP_ENGINE_STOP_GRACE_SECONDS);
        eng->abandoned = true;
        eng->dispatching = false;
        return;
    }
    fsp_uring_stop(eng);
    /* fsp_pending_complete looks at the workers under pending_lock (from any thread). */
    unsigned nworkers = eng->nworkers;
    pthread_mutex_lock(&eng->pending_lock);
    __atomic_store_n(&eng->nworkers, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&eng->pending_lock);
    for (unsigned i = 0; i < nworkers; i++)
        free_worker(&eng->workers[i]);
    free(eng->workers);
    eng->workers = 0;
    eng->leader = eng->watcher = 0;
    eng->dispatching = false;
    fsp_pending_cancel_all(eng);
    fsp_handles_close_queued(eng); /* released while their operations were pending */
    uint64_t drain;
    if (read(eng->stop_fd, &drain, sizeof drain) < 0)
        (void)0;
    if (eng->fs->Interface->DispatcherStopped && !atomic_exchange(&eng->stop_notified, true))
        eng->fs->Interface->DispatcherStopped(eng->fs, normally && !went_away);
    atomic_store(&eng->stop_notified, false); /* the dispatcher may be started again */
}
