/*
 * src/engine/uring.c - FUSE over io_uring (Linux 6.14+, FUSE 7.42).
 *
 * Flow. FUSE_INIT comes over /dev/fuse as always. When io_uring is wanted
 * (below) and the kernel offers
 * FUSE_OVER_IO_URING, the INIT reply asks for it; from then on the kernel
 * holds new requests back until every one of its queues (one per possible
 * CPU) has a ring entry, and then sends them through the rings. FORGET,
 * BATCH_FORGET and INTERRUPT still come over /dev/fuse, and notifications
 * still go there.
 *
 * Every worker owns one io_uring (SQE128, raw syscalls) in which it has
 * registered its ring entries for one queue (qid = worker index modulo the
 * number of queues; the worker is pinned to that CPU). Every queue has two
 * workers at least (fsp_uring_start), and once all are registered every
 * queue is kicked (kick_queues: a request that came before a queue's later
 * entries registered would otherwise wait for the first one's commit). An
 * entry is a header
 * (struct fuse_uring_req_header: fuse_in_header, the opcode's first
 * argument, then commit id and payload size) and a payload buffer of the
 * kernel's maximum payload. The payload buffer sits inside one allocation
 * behind room for the header and the first argument, so a request is put
 * back together in place (header + argument copied in front of the
 * payload) and goes through fsp_dispatch_via like a /dev/fuse request: the
 * handlers do not know the difference.
 *
 * A reply is written into the entry (out header, payload, payload size)
 * and committed with FUSE_IO_URING_CMD_COMMIT_AND_FETCH, which also gives
 * the entry back for the next request. Only the owner submits to its ring
 * (the kernel delivers a request in the context of the task that submitted
 * the entry's command): a reply from another thread (an asynchronous
 * completion, or an interrupt handled by another worker) is put on the
 * queue's list and the owner is woken through its eventfd. The owner also
 * polls its /dev/fuse channel, the dispatcher's stop eventfd and that
 * eventfd through the same ring, so it waits in one io_uring_enter.
 *
 * Teardown: unmounting aborts the connection: the kernel completes every
 * waiting command with -ENOTCONN and /dev/fuse reports the end as before.
 * Stopping the dispatcher: the workers leave, the rings are closed (the
 * kernel cancels their commands), replies still to come are dropped (the
 * kernel's requests end when the connection is aborted); the entries'
 * memory stays until the engine is freed.
 *
 * Replies are copied into the entry (a READ's data from the worker's
 * scratch buffer): the scratch buffer stays with a pending request until the
 * file system answers, whereas the entry goes back to the kernel with the
 * reply. A WRITE's data stays in its entry, so an interrupted asynchronous
 * WRITE is not answered before the file system completes it (pending.c).
 *
 * Used by default when the kernel offers it (the fuse module's enable_uring
 * is Y); LINFSP_IO_URING=0 or the mount option "no_io_uring" keep /dev/fuse,
 * LINFSP_IO_URING=1 or "io_uring" ask for it regardless.
 */
#include "uring.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the FUSE 7.42 io_uring ABI (newer than the build machine's <linux/fuse.h>) ---- */

#ifndef FUSE_OVER_IO_URING
#define FUSE_OVER_IO_URING (1ULL << 41)
#endif

struct fsp_uring_ent_in_out {
    uint64_t flags;
    uint64_t commit_id; /* the request's unique: named in the commit */
    uint32_t payload_sz;
    uint32_t padding;
    uint64_t reserved;
};

struct fsp_uring_req_header {
    char in_out[128]; /* fuse_in_header (request) / fuse_out_header (reply) */
    char op_in[128];  /* the opcode's first argument (in_args[0]) */
    struct fsp_uring_ent_in_out ent_in_out;
};

/* In the 80-byte command area of an SQE128. */
struct fsp_uring_cmd_req {
    uint64_t flags;
    uint64_t commit_id;
    uint16_t qid;
    uint8_t padding[6];
};

enum { FSP_URING_CMD_REGISTER = 1, FSP_URING_CMD_COMMIT_AND_FETCH = 2 };

#define SQE_SIZE 128
#define HEAD_ROOM 4096 /* header copy + first argument go in front of the payload */

/* user_data of the poll SQEs (entries use their address) */
enum { TAG_DEV = 1, TAG_STOP = 2, TAG_WAKE = 3 };

/* ---- state ---- */

struct fsp_uring_ent {
    struct fsp_uring_q *q;
    struct fsp_uring_ent *next_done;
    uint64_t commit_id;
    uint16_t qid;
    bool dead;                         /* the kernel gave it back with an error */
    char *mem;                         /* header at the start, payload at HEAD_ROOM */
    struct fsp_uring_req_header *hdr;
    char *payload;
    struct iovec iov[2];
};

struct fsp_uring_q {
    struct fsp_uring *u;
    int cpu;                           /* pin the owner here (-1: no pinning) */
    int ring_fd, wake_fd;
    void *sq_map, *cq_map, *sqes;
    size_t sq_map_sz, cq_map_sz, sqes_sz;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, sq_entries;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_cqe *cqes;
    unsigned sq_local_tail, to_submit; /* owner only */
    unsigned nents;
    struct fsp_uring_ent *ents;
    pthread_mutex_t lock;
    struct fsp_uring_ent *done;        /* replied from other threads, to commit (lock) */
    bool dead;                         /* the owner left: replies are dropped (lock) */
    bool closed;
};

struct fsp_uring {
    unsigned nqueues, nworkers;
    size_t payload_sz;
    int state;                         /* 0 until INIT, 1 negotiated, -1 not (atomic) */
    unsigned registered;               /* workers whose entries are registered (atomic) */
    char *mountpoint;                  /* where the kick's statfs goes (a copy) */
    unsigned late_ms;                  /* test hook: second workers of a queue register late */
    cpu_set_t allowed;                 /* the process's CPUs (the workers are pinned later) */
    unsigned long long ring_reqs, dev_reqs, foreign; /* atomic counters */
    struct fsp_uring_q *q;             /* one per worker */
};

static __thread struct fsp_uring_q *tls_owner;

/*
 * ThreadSanitizer sees the order the kernel imposes on /dev/fuse traffic (it treats a write(2)
 * to a file as a release and a read(2) as an acquire of one sync object shared by all files),
 * but not io_uring_enter: a reply committed by one worker and the request the kernel sends
 * because of it (a RELEASEDIR after a READDIR's reply, say) to another worker look unordered.
 * Tell it: submitting is a release and reaping completions an acquire, of one object.
 */
#if defined(__SANITIZE_THREAD__)
#define FSP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FSP_TSAN 1
#endif
#endif
#ifdef FSP_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char kernel_order;
#define KERNEL_RELEASE() __tsan_release(&kernel_order)
#define KERNEL_ACQUIRE() __tsan_acquire(&kernel_order)
#else
#define KERNEL_RELEASE() ((void)0)
#define KERNEL_ACQUIRE() ((void)0)
#endif

/* ---- raw io_uring ---- */

static void ring_close(struct fsp_uring_q *q)
{
    if (q->closed)
        return;
    q->closed = true;
    if (q->sqes && MAP_FAILED != q->sqes)
        munmap(q->sqes, q->sqes_sz);
    if (q->cq_map && MAP_FAILED != q->cq_map && q->cq_map != q->sq_map)
        munmap(q->cq_map, q->cq_map_sz);
    if (q->sq_map && MAP_FAILED != q->sq_map)
        munmap(q->sq_map, q->sq_map_sz);
    if (q->ring_fd >= 0)
        close(q->ring_fd);
    q->ring_fd = -1;
}

static int ring_setup(struct fsp_uring_q *q, unsigned entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SQE128;
    int fd = (int)syscall(__NR_io_uring_setup, entries, &p);
    if (fd < 0)
        return errno;
    q->ring_fd = fd;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    q->sq_map_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    q->cq_map_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    bool single = p.features & IORING_FEAT_SINGLE_MMAP;
    if (single && q->cq_map_sz > q->sq_map_sz)
        q->sq_map_sz = q->cq_map_sz;
    q->sq_map = mmap(0, q->sq_map_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                     IORING_OFF_SQ_RING);
    if (MAP_FAILED == q->sq_map)
        return errno;
    q->cq_map = single ? q->sq_map
                       : mmap(0, q->cq_map_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                              fd, IORING_OFF_CQ_RING);
    if (MAP_FAILED == q->cq_map)
        return errno;
    q->sqes_sz = (size_t)p.sq_entries * SQE_SIZE;
    q->sqes = mmap(0, q->sqes_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                   IORING_OFF_SQES);
    if (MAP_FAILED == q->sqes)
        return errno;
    /* Not in a child's copy of this address space (the kick's, a host program's fork): a mapping
     * of the ring would keep the ring, and what it holds, alive after this process ended. */
    madvise(q->sq_map, q->sq_map_sz, MADV_DONTFORK);
    if (!single)
        madvise(q->cq_map, q->cq_map_sz, MADV_DONTFORK);
    madvise(q->sqes, q->sqes_sz, MADV_DONTFORK);
    char *sq = q->sq_map, *cq = q->cq_map;
    q->sq_head = (unsigned *)(sq + p.sq_off.head);
    q->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    q->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    q->sq_array = (unsigned *)(sq + p.sq_off.array);
    q->sq_entries = p.sq_entries;
    q->cq_head = (unsigned *)(cq + p.cq_off.head);
    q->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    q->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    q->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    q->sq_local_tail = __atomic_load_n(q->sq_tail, __ATOMIC_RELAXED);
    return 0;
}

/* Submit what is queued and, when wait, wait for at least one completion. */
static int ring_enter(struct fsp_uring_q *q, bool wait)
{
    __atomic_store_n(q->sq_tail, q->sq_local_tail, __ATOMIC_RELEASE);
    KERNEL_RELEASE();
    for (;;) {
        long r = syscall(__NR_io_uring_enter, q->ring_fd, q->to_submit, wait ? 1 : 0,
                         wait ? IORING_ENTER_GETEVENTS : 0, (void *)0, (size_t)0);
        KERNEL_ACQUIRE();
        if (r >= 0) {
            q->to_submit -= (unsigned)r < q->to_submit ? (unsigned)r : q->to_submit;
            return 0;
        }
        if (EINTR == errno)
            continue;
        if ((EAGAIN == errno || EBUSY == errno) && wait)
            return 0; /* completions to reap first */
        return errno;
    }
}

static struct io_uring_sqe *get_sqe(struct fsp_uring_q *q)
{
    for (int tries = 0; tries < 2; tries++) {
        unsigned head = __atomic_load_n(q->sq_head, __ATOMIC_ACQUIRE);
        if (q->sq_local_tail - head < q->sq_entries) {
            unsigned idx = q->sq_local_tail & *q->sq_mask;
            struct io_uring_sqe *sqe = (void *)((char *)q->sqes + (size_t)idx * SQE_SIZE);
            memset(sqe, 0, SQE_SIZE);
            q->sq_array[idx] = idx;
            q->sq_local_tail++;
            q->to_submit++;
            return sqe;
        }
        if (ring_enter(q, false)) /* full (cannot happen with our sizing): flush */
            break;
    }
    return 0;
}

static void push_poll(struct fsp_uring_q *q, int fd, uint64_t tag, uint32_t events)
{
    struct io_uring_sqe *sqe = get_sqe(q);
    if (!sqe)
        return;
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = fd;
    sqe->poll32_events = events;
    sqe->user_data = tag;
}

static void push_cmd(struct fsp_uring_q *q, int fd, struct fsp_uring_ent *ent, unsigned op)
{
    struct io_uring_sqe *sqe = get_sqe(q);
    if (!sqe) {
        FspDebugLog("linfsp: io_uring: submission queue full\n");
        return;
    }
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = fd;
    sqe->cmd_op = op;
    sqe->user_data = (uint64_t)(uintptr_t)ent;
    if (FSP_URING_CMD_REGISTER == op) {
        sqe->addr = (uint64_t)(uintptr_t)ent->iov;
        sqe->len = 2;
    }
    struct fsp_uring_cmd_req *c = (void *)sqe->cmd;
    c->qid = ent->qid;
    c->commit_id = FSP_URING_CMD_COMMIT_AND_FETCH == op ? ent->commit_id : 0;
}

/* ---- setup ---- */

/* Does the fuse module offer FUSE over io_uring (enable_uring=Y)? */
static bool kernel_offers(void)
{
    char c = 0;
    int fd = open("/sys/module/fuse/parameters/enable_uring", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, &c, 1);
    close(fd);
    return 1 == n && ('Y' == c || 'y' == c || '1' == c);
}

static bool wanted(struct fsp_engine *eng)
{
    const char *env = getenv("LINFSP_IO_URING");
    if (env && *env)
        return '0' != env[0];
    const char *o = eng->mount_options;
    for (const char *s = o; s && *s;) {
        size_t n = strcspn(s, ",");
        if (8 == n && 0 == strncmp(s, "io_uring", 8))
            return true;
        if (11 == n && 0 == strncmp(s, "no_io_uring", 11))
            return false;
        s += n + (',' == s[n]);
    }
    return kernel_offers();
}

/* Read a CPU list file of sysfs ("0-3,8"): the number of CPUs in it, and whether cpu is one of
 * them (when has is not NULL). 0 when it cannot be read. */
static unsigned cpu_list(const char *file, unsigned cpu, bool *has)
{
    unsigned n = 0;
    if (has)
        *has = false;
    FILE *f = fopen(file, "re");
    if (!f)
        return 0;
    char line[256];
    if (fgets(line, sizeof line, f))
        for (char *s = line; *s && '\n' != *s;) {
            char *end;
            unsigned long a = strtoul(s, &end, 10), b = a;
            if (end == s)
                break;
            if ('-' == *end)
                b = strtoul(end + 1, &end, 10);
            if (b >= a)
                n += (unsigned)(b - a + 1);
            if (has && cpu >= a && cpu <= b)
                *has = true;
            s = ',' == *end ? end + 1 : end;
            if (end == s)
                break;
        }
    fclose(f);
    return n;
}

/* The kernel's number of queues: num_possible_cpus(). */
static unsigned possible_cpus(void)
{
    unsigned n = cpu_list("/sys/devices/system/cpu/possible", 0, 0);
    if (0 == n) {
        int c = get_nprocs_conf();
        n = c > 0 ? (unsigned)c : 1;
    }
    return n;
}

/* Is cpu online (true when that cannot be read)? */
static bool cpu_online(unsigned cpu)
{
    bool has;
    return 0 == cpu_list("/sys/devices/system/cpu/online", cpu, &has) || has;
}

static void free_queue(struct fsp_uring_q *q)
{
    ring_close(q);
    if (q->wake_fd >= 0)
        close(q->wake_fd);
    q->wake_fd = -1;
    for (unsigned i = 0; q->ents && i < q->nents; i++)
        free(q->ents[i].mem);
    free(q->ents);
    q->ents = 0;
    pthread_mutex_destroy(&q->lock);
}

void fsp_uring_free(struct fsp_engine *eng)
{
    struct fsp_uring *u = eng->uring;
    if (!u)
        return;
    eng->uring = 0;
    for (unsigned i = 0; i < u->nworkers; i++)
        free_queue(&u->q[i]);
    free(u->mountpoint);
    free(u->q);
    free(u);
}

/* Ring entries per queue a worker serves (LINFSP_IO_URING_DEPTH, default 1). With one, a busy
 * worker has no entry the kernel could fill, so a request goes to an idle worker of its queue
 * (or waits in the kernel for the first to answer). With more, a request may wait behind a
 * busy worker while another is idle: a file system operation that waits for another request
 * to the same mount (or a thread of the process touching the mount) can then deadlock. */
static unsigned depth(void)
{
    const char *env = getenv("LINFSP_IO_URING_DEPTH");
    long d = env ? strtol(env, 0, 10) : 0;
    return d >= 1 && d <= 64 ? (unsigned)d : 1;
}

unsigned fsp_uring_start(struct fsp_engine *eng, unsigned requested, unsigned dev_workers)
{
    fsp_uring_free(eng); /* a previous dispatcher's */
    if (eng->attached || !wanted(eng))
        return dev_workers;
    if (eng->initialized && !(eng->init_flags & FUSE_OVER_IO_URING))
        return dev_workers; /* a restarted dispatcher on a connection that uses /dev/fuse */
    /* Every queue gets two workers at least: the kernel sends a queue's requests to that
     * queue's ring entries only, so one worker held up by a slow operation must leave another
     * (the kernel gives a request to the entry made available last, so the second works only
     * then); a worker serving several queues would leave all of them waiting. Fewer threads
     * asked for than that: /dev/fuse, where any idle worker can take over. */
    unsigned nqueues = possible_cpus();
    unsigned nworkers = requested ? requested : 2 * nqueues;
    if (nworkers < 2 * nqueues) {
        FspDebugLog("linfsp: io_uring not used: %u worker thread(s) for %u kernel queues (two "
                    "per queue needed)\n", nworkers, nqueues);
        return dev_workers;
    }
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (0 != sched_getaffinity(0, sizeof allowed, &allowed))
        CPU_ZERO(&allowed);
    /* The kick (kick_queues) must reach every queue a caller can use: from the mount point, on
     * each online CPU. Not possible: /dev/fuse. */
    const char *why_not = !eng->mountpoint || eng->adopted
                              ? "no mount point to kick the queues through" : 0;
    for (unsigned c = 0; !why_not && c < nqueues; c++)
        if ((c >= CPU_SETSIZE || !CPU_ISSET(c, &allowed)) && cpu_online(c))
            why_not = "an online CPU is outside this process's CPU affinity";
    if (why_not) {
        FspDebugLog("linfsp: io_uring not used: %s\n", why_not);
        return dev_workers;
    }
    struct fsp_uring *u = calloc(1, sizeof *u);
    if (!u)
        return dev_workers;
    u->nqueues = nqueues;
    u->nworkers = nworkers;
    u->mountpoint = strdup(eng->mountpoint);
    u->allowed = allowed;
    const char *late = getenv("LINFSP_IO_URING_LATE_REGISTER_MS");
    long late_ms = late ? strtol(late, 0, 10) : 0;
    u->late_ms = late_ms > 0 && late_ms <= 60000 ? (unsigned)late_ms : 0;
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = (size_t)FSP_ENGINE_MAX_PAGES * (size_t)(page > 0 ? page : 4096);
    /* The kernel's maximum payload: max(8 KiB, max_write, max_pages pages). */
    u->payload_sz = FSP_ENGINE_MAX_WRITE > pages ? FSP_ENGINE_MAX_WRITE : pages;
    if (u->payload_sz < 8192)
        u->payload_sz = 8192;
    u->q = calloc(nworkers, sizeof *u->q);
    if (!u->q || !u->mountpoint) {
        free(u->q);
        free(u->mountpoint);
        free(u);
        return dev_workers;
    }
    for (unsigned i = 0; i < nworkers; i++) {
        u->q[i].ring_fd = u->q[i].wake_fd = -1;
        pthread_mutex_init(&u->q[i].lock, 0);
    }
    unsigned k = depth();
    const char *pin = getenv("LINFSP_IO_URING_PIN");
    bool pinning = !(pin && '0' == pin[0]);
    const char *why = 0;
    int err = 0;
    for (unsigned i = 0; i < nworkers && !why; i++) {
        struct fsp_uring_q *q = &u->q[i];
        q->u = u;
        unsigned qid = i % u->nqueues; /* this worker's queue */
        q->cpu = pinning && CPU_ISSET(qid, &allowed) ? (int)qid : -1;
        q->nents = k;
        q->ents = calloc(q->nents, sizeof *q->ents);
        if (!q->ents) {
            why = "out of memory";
            break;
        }
        for (unsigned e = 0; e < q->nents; e++) {
            struct fsp_uring_ent *ent = &q->ents[e];
            ent->q = q;
            ent->qid = (uint16_t)qid;
            ent->mem = aligned_alloc(4096, HEAD_ROOM + u->payload_sz);
            if (!ent->mem) {
                why = "out of memory";
                break;
            }
            ent->hdr = (struct fsp_uring_req_header *)ent->mem;
            ent->payload = ent->mem + HEAD_ROOM;
            ent->iov[0].iov_base = ent->hdr;
            ent->iov[0].iov_len = sizeof *ent->hdr;
            ent->iov[1].iov_base = ent->payload;
            ent->iov[1].iov_len = u->payload_sz;
        }
        if (why)
            break;
        unsigned entries = 8;
        while (entries < q->nents + 4)
            entries *= 2;
        if ((err = ring_setup(q, entries)))
            why = "io_uring_setup";
        else if ((q->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
            err = errno, why = "eventfd";
    }
    if (why) {
        FspDebugLog("linfsp: io_uring not used: %s%s%s\n", why, err ? ": " : "",
                    err ? strerror(err) : "");
        eng->uring = u;
        fsp_uring_free(eng);
        return dev_workers;
    }
    if (eng->initialized)
        u->state = 1; /* restarted: the connection uses the rings already */
    eng->uring = u;
    return nworkers;
}

uint64_t fsp_uring_init_flags(struct fsp_engine *eng, uint64_t offered)
{
    if (!eng->uring || !(offered & FUSE_OVER_IO_URING) || !(offered & FUSE_INIT_EXT))
        return 0;
    return FUSE_OVER_IO_URING;
}

void fsp_uring_init_done(struct fsp_engine *eng, uint64_t flags)
{
    struct fsp_uring *u = eng->uring;
    if (!u)
        return;
    __atomic_store_n(&u->state, (flags & FUSE_OVER_IO_URING) ? 1 : -1, __ATOMIC_RELEASE);
    if (eng->fs->DebugLog || !(flags & FUSE_OVER_IO_URING))
        FspDebugLog("linfsp: io_uring %s\n", (flags & FUSE_OVER_IO_URING)
                                                 ? "negotiated"
                                                 : "not offered by the kernel (fuse.enable_uring?): "
                                                   "using /dev/fuse");
    uint64_t one = 1;
    for (unsigned i = 0; i < u->nworkers; i++)
        if (write(u->q[i].wake_fd, &one, sizeof one) < 0)
            (void)0;
}

/* ---- replies ---- */

static void commit_later(struct fsp_uring_ent *ent)
{
    struct fsp_uring_q *q = ent->q;
    pthread_mutex_lock(&q->lock);
    bool dead = q->dead;
    __atomic_fetch_add(&q->u->foreign, 1, __ATOMIC_RELAXED);
    if (!dead) {
        ent->next_done = q->done;
        q->done = ent;
    }
    pthread_mutex_unlock(&q->lock);
    uint64_t one = 1;
    if (!dead && write(q->wake_fd, &one, sizeof one) < 0)
        (void)0;
}

int fsp_uring_reply(struct fsp_request *req, const struct iovec *v, int count)
{
    struct fsp_uring_ent *ent = req->ring;
    struct fsp_uring_q *q = ent->q;
    if (tls_owner != q) {
        pthread_mutex_lock(&q->lock);
        bool dead = q->dead;
        pthread_mutex_unlock(&q->lock);
        if (dead)
            return ENODEV;
    }
    const struct fuse_out_header *oh = v[0].iov_base;
    size_t off = 0, cap = q->u->payload_sz;
    int error = oh->error;
    for (int i = 1; i < count && !error; i++) {
        if (v[i].iov_len > cap - off) {
            FspDebugLog("linfsp: io_uring: reply of %zu bytes does not fit\n", off + v[i].iov_len);
            error = -EIO, off = 0;
            break;
        }
        if (v[i].iov_base != ent->payload + off && v[i].iov_len)
            memmove(ent->payload + off, v[i].iov_base, v[i].iov_len);
        off += v[i].iov_len;
    }
    if (error)
        off = 0;
    struct fuse_out_header out;
    out.len = (uint32_t)(sizeof out + off);
    out.error = error;
    out.unique = ent->commit_id;
    memcpy(ent->hdr->in_out, &out, sizeof out);
    memset(&ent->hdr->ent_in_out, 0, sizeof ent->hdr->ent_in_out);
    ent->hdr->ent_in_out.commit_id = ent->commit_id;
    ent->hdr->ent_in_out.payload_sz = (uint32_t)off;
    if (tls_owner == q)
        push_cmd(q, req->fd, ent, FSP_URING_CMD_COMMIT_AND_FETCH);
    else
        commit_later(ent);
    return 0;
}

/* ---- the kick ---- */

/*
 * The kernel makes a ring entry available when it is registered, but only a commit
 * (COMMIT_AND_FETCH) takes a request that waits in its queue: a request that came while the
 * queue's entries registered so far were all busy stays queued when another entry registers, until
 * one of the busy ones is committed. The kernel sends requests as soon as every queue has one
 * entry, so the later entries of a queue may register after requests came (a worker that starts
 * late on a loaded CPU): with the first one inside a slow operation, those requests would wait
 * for it while the late entry idles. Once every entry is registered, one request on each queue
 * (a statfs of the mount point from each queue's CPU) is served by an available entry whose
 * commit takes what waits; from then on every commit does.
 *
 * The statfs is sent by a child process that holds nothing of this one: no descriptor (it closes
 * them all but its pipe), no ring mapping (MADV_DONTFORK). A caller of the mount inside this
 * process would deadlock it should the process end while its request is in a ring entry: the
 * kernel waits for an answer already sent to user space without a timeout, and the waiting
 * thread would keep the process's descriptors, /dev/fuse among them, open for ever. The child is
 * made by a raw clone (no atfork handlers of the host program run, no exit signal) and makes only
 * raw system calls; a thread of the engine (kick_main) makes it, tells it to go once its pid is
 * recorded (fsp_uring_is_kick: the engine answers its statfs), and reaps it. When this process
 * ends first, /dev/fuse closes, the connection aborts, the child's statfs fails and it exits.
 */
struct kick {
    char *path;            /* the mount point, absolute (fsp_mount resolved it) */
    unsigned ncpus;
    unsigned max_fd;       /* for closing descriptors where close_range is refused */
    cpu_set_t cpus[];      /* one CPU each */
};

/* The kicking children now (their pids, 0: free slot), of every engine of the process. */
#define KICK_SLOTS 16
static uint32_t kick_pids[KICK_SLOTS];

bool fsp_uring_is_kick(uint32_t pid)
{
    for (unsigned i = 0; pid && i < KICK_SLOTS; i++)
        if (__atomic_load_n(&kick_pids[i], __ATOMIC_ACQUIRE) == pid)
            return true;
    return false;
}

/* Make the child and, in it, kick: raw system calls only from the clone on (the child is a copy
 * of a multithreaded process; no sanitizer runtime either). Returns the child's pid, or -1. */
__attribute__((noinline, no_sanitize("address", "thread", "undefined")))
static long kick_child(const struct kick *k, int rfd)
{
    long pid = syscall(SYS_clone, 0L /* no exit signal, nothing shared */, 0L, 0L, 0L, 0L);
    if (0 != pid)
        return pid;
    if ((rfd > 0 && 0 != syscall(SYS_close_range, 0U, (unsigned)rfd - 1, 0U)) ||
        0 != syscall(SYS_close_range, (unsigned)rfd + 1, ~0U, 0U))
        for (unsigned fd = 0; fd < k->max_fd; fd++)
            if ((int)fd != rfd)
                syscall(SYS_close, fd);
    syscall(SYS_chdir, "/");
    char go = 0;
    long n;
    do
        n = syscall(SYS_read, rfd, &go, 1L);
    while (n < 0 && EINTR == errno);
    if (1 == n)
        for (unsigned i = 0; i < k->ncpus; i++) {
            struct statfs st;
            /* The kernel picks the queue of the CPU the caller runs on. */
            if (0 == syscall(SYS_sched_setaffinity, 0, sizeof k->cpus[i], &k->cpus[i]))
                syscall(SYS_statfs, k->path, &st); /* whatever the answer: it went through */
        }
    for (;;)
        syscall(SYS_exit_group, 0);
}

static void *kick_main(void *arg)
{
    struct kick *k = arg;
    int p[2];
    if (0 != pipe2(p, O_CLOEXEC)) {
        FspDebugLog("linfsp: io_uring: no pipe for the kick: %s\n", strerror(errno));
        goto done;
    }
    long pid = kick_child(k, p[0]);
    int err = errno;
    close(p[0]);
    if (pid < 0) {
        FspDebugLog("linfsp: io_uring: cannot start the kick: %s\n", strerror(err));
        close(p[1]);
        goto done;
    }
    int slot = -1;
    for (int i = 0; i < KICK_SLOTS && slot < 0; i++) {
        uint32_t free_slot = 0;
        if (__atomic_compare_exchange_n(&kick_pids[i], &free_slot, (uint32_t)pid, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            slot = i;
    }
    /* Go only when recorded (else its statfs would reach the file system): closed, it exits. */
    if (slot >= 0 && 1 != write(p[1], "k", 1))
        FspDebugLog("linfsp: io_uring: cannot start the kick: %s\n", strerror(errno));
    close(p[1]);
    int status;
    while (waitpid((pid_t)pid, &status, __WCLONE) < 0 && EINTR == errno)
        ;
    if (slot >= 0)
        __atomic_store_n(&kick_pids[slot], 0, __ATOMIC_RELEASE);
done:
    free(k->path);
    free(k);
    return 0;
}

/* Kick every queue, from a thread of its own (it waits for the child, which waits for the
 * answers; it touches nothing of the engine, which may stop and be freed meanwhile). */
static void kick_queues(struct fsp_uring *u)
{
    struct kick *k = calloc(1, sizeof *k + u->nqueues * sizeof k->cpus[0]);
    if (!k)
        return;
    k->path = strdup(u->mountpoint);
    for (unsigned c = 0; c < u->nqueues && c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &u->allowed)) {
            CPU_ZERO(&k->cpus[k->ncpus]);
            CPU_SET(c, &k->cpus[k->ncpus]);
            k->ncpus++;
        }
    long max_fd = sysconf(_SC_OPEN_MAX);
    k->max_fd = max_fd > 0 && max_fd < 65536 ? (unsigned)max_fd : 65536;
    pthread_attr_t attr;
    pthread_t t;
    bool started = false;
    /* Every signal blocked: in the thread and so in the child (a copy of the process; a signal
     * to the process group must not run the host's handler there). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    if (k->path && 0 == pthread_attr_init(&attr)) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = 0 == pthread_create(&t, &attr, kick_main, k);
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, 0);
    if (!started) {
        FspDebugLog("linfsp: io_uring: cannot start the thread that kicks the queues\n");
        free(k->path);
        free(k);
    }
}

/* ---- the worker ---- */

_Static_assert(sizeof(struct fsp_uring_req_header) == FSP_URING_HEADER_SIZE, "ring entry header");
_Static_assert(HEAD_ROOM == FSP_URING_HEAD_ROOM, "head room");

void *fsp_uring_unpack(const void *hdr, char *payload, size_t payload_cap, size_t *plen)
{
    const struct fsp_uring_req_header *h = hdr;
    struct fuse_in_header in;
    memcpy(&in, h->in_out, sizeof in);
    uint32_t psize;
    memcpy(&psize, (const char *)h + offsetof(struct fsp_uring_req_header, ent_in_out) +
                       offsetof(struct fsp_uring_ent_in_out, payload_sz), sizeof psize);
    size_t oplen = (size_t)in.len - sizeof in - psize;
    if (in.len < sizeof in + (size_t)psize || psize > payload_cap || oplen > sizeof h->op_in) {
        FspDebugLog("linfsp: io_uring: malformed request (opcode %s (%u) len %u payload %u)\n",
                    fsp_ops_name(in.opcode), in.opcode, in.len, psize);
        return 0;
    }
    char *start = payload - oplen - sizeof in;
    memcpy(start, &in, sizeof in);
    memcpy(start + sizeof in, h->op_in, oplen);
    *plen = in.len;
    return start;
}

/* A request arrived in ent: put it back together in front of the payload and dispatch it. */
static void ring_request(struct fsp_worker *w, struct fsp_uring_q *q, struct fsp_uring_ent *ent)
{
    ent->commit_id = ent->hdr->ent_in_out.commit_id;
    __atomic_fetch_add(&q->u->ring_reqs, 1, __ATOMIC_RELAXED);
    size_t len = 0;
    void *start = fsp_uring_unpack(ent->hdr, ent->payload, q->u->payload_sz, &len);
    if (!start) {
        struct fuse_out_header out = {sizeof out, -EIO, ent->commit_id};
        struct iovec v = {&out, sizeof out};
        struct fsp_request req;
        memset(&req, 0, sizeof req);
        req.ring = ent;
        req.fd = w->fd;
        fsp_uring_reply(&req, &v, 1);
        return;
    }
    fsp_dispatch_via(w->engine, w, w->fd, ent, start, len);
}

static void take_done(struct fsp_uring_q *q, int fd)
{
    pthread_mutex_lock(&q->lock);
    struct fsp_uring_ent *list = q->done;
    q->done = 0;
    pthread_mutex_unlock(&q->lock);
    while (list) {
        struct fsp_uring_ent *next = list->next_done;
        push_cmd(q, fd, list, FSP_URING_CMD_COMMIT_AND_FETCH);
        list = next;
    }
}

/* Read one request from /dev/fuse (FORGET, INTERRUPT, INIT...). false when the channel ended. */
static bool dev_request(struct fsp_worker *w, struct fsp_uring *u)
{
    struct fsp_engine *eng = w->engine;
    for (;;) {
        ssize_t n = read(w->fd, w->buf, FSP_ENGINE_BUFSIZE);
        KERNEL_ACQUIRE();
        if (n > 0) {
            __atomic_fetch_add(&u->dev_reqs, 1, __ATOMIC_RELAXED);
            fsp_dispatch_one(eng, w, w->fd, w->buf, (size_t)n);
            KERNEL_RELEASE(); /* its reply went out by writev */
            return true;
        }
        if (0 == n)
            return false;
        switch (errno) {
        case EINTR:
        case ENOENT:
            continue;
        case EAGAIN:
            return true;
        case ENODEV:
            return false;
        default:
            FspDebugLog("linfsp: reading requests failed: %s\n", strerror(errno));
            return false;
        }
    }
}

bool fsp_uring_serve(struct fsp_worker *w)
{
    struct fsp_engine *eng = w->engine;
    struct fsp_uring *u = eng->uring;
    if (!u)
        return false;
    struct fsp_uring_q *q = &u->q[w - eng->workers];
    cpu_set_t old;
    bool pinned = false;
    if (q->cpu >= 0 && 0 == pthread_getaffinity_np(pthread_self(), sizeof old, &old)) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(q->cpu, &one);
        pinned = 0 == pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    }
    tls_owner = q;
    /* Every worker's ring polls the connection for FORGET and INTERRUPT: exclusively, so that
     * one of them wakes for each (as with epoll's EPOLLEXCLUSIVE; without it all would). */
    uint32_t dev_events = POLLIN | EPOLLEXCLUSIVE;
    push_poll(q, w->fd, TAG_DEV, dev_events);
    push_poll(q, eng->stop_fd, TAG_STOP, POLLIN);
    push_poll(q, q->wake_fd, TAG_WAKE, POLLIN);
    bool registered = false, ended = false, fallback = false, rekick = false;
    while (!ended) {
        int state = __atomic_load_n(&u->state, __ATOMIC_ACQUIRE);
        if (!registered && 1 == state) {
            if (u->late_ms && (unsigned)(w - eng->workers) >= u->nqueues)
                usleep(u->late_ms * 1000u); /* test hook: a worker that starts late */
            for (unsigned i = 0; i < q->nents; i++)
                push_cmd(q, w->fd, &q->ents[i], FSP_URING_CMD_REGISTER);
            registered = true;
            /* Registered when io_uring_enter returns (the kernel does it while submitting). */
            if (0 == ring_enter(q, false) &&
                __atomic_add_fetch(&u->registered, 1, __ATOMIC_ACQ_REL) == u->nworkers)
                kick_queues(u); /* the last worker to register */
        } else if (!registered && -1 == state) {
            fallback = true;
            break;
        }
        int err = ring_enter(q, true);
        if (err) {
            FspDebugLog("linfsp: io_uring_enter failed: %s\n", strerror(err));
            break;
        }
        unsigned head = *q->cq_head;
        while (!ended && head != __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE)) {
            struct io_uring_cqe *cqe = &q->cqes[head & *q->cq_mask];
            uint64_t tag = cqe->user_data;
            int res = cqe->res;
            __atomic_store_n(q->cq_head, ++head, __ATOMIC_RELEASE);
            KERNEL_ACQUIRE(); /* posted maybe after the io_uring_enter that returned */
            if (TAG_STOP == tag) {
                if (atomic_load(&eng->stopping))
                    ended = true;
                else
                    push_poll(q, eng->stop_fd, TAG_STOP, POLLIN);
            } else if (TAG_WAKE == tag) {
                uint64_t drain;
                if (read(q->wake_fd, &drain, sizeof drain) < 0)
                    (void)0;
                push_poll(q, q->wake_fd, TAG_WAKE, POLLIN);
                take_done(q, w->fd);
            } else if (TAG_DEV == tag) {
                if (-EINVAL == res && (dev_events & EPOLLEXCLUSIVE))
                    dev_events = POLLIN; /* a kernel without exclusive io_uring polls */
                else if (!dev_request(w, u))
                    ended = true;
                if (!ended)
                    push_poll(q, w->fd, TAG_DEV, dev_events);
            } else if (tag) {
                struct fsp_uring_ent *ent = (void *)(uintptr_t)tag;
                if (0 == res)
                    ring_request(w, q, ent);
                else if (-EAGAIN == res && !ent->dead) {
                    sched_yield(); /* the kernel has not seen the INIT reply yet */
                    push_cmd(q, w->fd, ent, FSP_URING_CMD_REGISTER);
                    rekick = true;
                } else if (!ent->dead) {
                    ent->dead = true;
                    if (-ENOTCONN != res && -ECONNABORTED != res && -ECANCELED != res)
                        FspDebugLog("linfsp: io_uring: ring entry (queue %u) failed: %s\n",
                                    ent->qid, strerror(-res));
                }
            }
            if (__atomic_load_n(&eng->destroyed, __ATOMIC_ACQUIRE) ||
                atomic_load(&eng->stopping))
                ended = true;
        }
        /* An entry registered again: kick once it is (when all the others are). */
        if (rekick && !ended && 0 == ring_enter(q, false) &&
            __atomic_load_n(&u->registered, __ATOMIC_ACQUIRE) == u->nworkers)
            kick_queues(u);
        rekick = false;
    }
    /* Commit what was answered meanwhile (the connection may live on after a stop). */
    take_done(q, w->fd);
    if (q->to_submit && !q->closed)
        ring_enter(q, false);
    tls_owner = 0;
    pthread_mutex_lock(&q->lock);
    q->dead = true;
    q->done = 0;
    pthread_mutex_unlock(&q->lock);
    if (pinned)
        pthread_setaffinity_np(pthread_self(), sizeof old, &old);
    if (fallback) {
        ring_close(q); /* not negotiated: back to reading /dev/fuse */
        return false;
    }
    return true;
}

void fsp_uring_stop(struct fsp_engine *eng)
{
    struct fsp_uring *u = eng->uring;
    if (!u)
        return;
    for (unsigned i = 0; i < u->nworkers; i++) {
        struct fsp_uring_q *q = &u->q[i];
        pthread_mutex_lock(&q->lock);
        q->dead = true;
        q->done = 0;
        pthread_mutex_unlock(&q->lock);
        ring_close(q);
    }
    if (1 == __atomic_load_n(&u->state, __ATOMIC_ACQUIRE))
        FspDebugLog("linfsp: io_uring: %llu requests came through the rings (%llu answered from "
                    "other threads), %llu through /dev/fuse\n",
                    __atomic_load_n(&u->ring_reqs, __ATOMIC_RELAXED),
                    __atomic_load_n(&u->foreign, __ATOMIC_RELAXED),
                    __atomic_load_n(&u->dev_reqs, __ATOMIC_RELAXED));
}
