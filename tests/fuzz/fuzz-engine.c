/*
 * tests/fuzz/fuzz-engine.c - a libFuzzer target for the engine's message decoding.
 *
 * Every input is one session: a fresh memfs whose engine is attached to one end of a
 * SOCK_SEQPACKET socketpair (fsp_engine_attach_fd, as tests/unit/test-engine.c does), the
 * fuzzer playing the kernel on the other end. The input decides the configuration, the
 * FUSE_INIT, then a sequence of messages: any opcode with any payload, lengths that lie, names
 * of any bytes, known and unknown nodeids and handles, FORGET storms, INTERRUPTs for known and
 * unknown uniques, requests as they come out of an io_uring entry (fsp_uring_unpack, the ring
 * code's own decoding), and pauses that let asynchronous completions land.
 *
 * What counts as a bug (abort(), so libFuzzer keeps the input):
 *   - a sanitizer report (the target is built with ASan and UBSan) or a crash;
 *   - a reply that is malformed (length, error range, payload on an error), answers a unique
 *     that was never sent or already answered, or has a payload of the wrong size for its
 *     opcode (ENTRY, ATTR, OPEN, WRITE, STATFS, GETXATTR replies; READ and READDIR longer than
 *     asked; a READDIR payload that is not a list of whole entries);
 *   - a request that gets no reply within FUZZ_REPLY_WAIT_MS (a hang, a lost reply), or the
 *     engine no longer reading its channel;
 *   - a notification that is not one the engine sends.
 * A request that must get no reply: FORGET and BATCH_FORGET once initialized, a message shorter
 * than a request header; an INTERRUPT gets at most one (EAGAIN or EINVAL).
 *
 * Input format (little-endian):
 *   byte 0   configuration: bits 0-1 workers - 1; bits 2-3 FileInfoTimeout (0: 0 ms, 1: 1000 ms,
 *            2-3: INFINITE); bit 4 case-insensitive; bit 5 slow I/O (half of the reads, writes
 *            and listings complete later, within 10 ms); bit 6 writeback cache; bit 7 no FUSE_INIT of the
 *            harness's own (the records come first)
 *   byte 1   bit 0: leave the handles open at the end (else every handle the session knows is
 *            released before it ends or sends DESTROY, as a kernel does); other bits: reserved
 *   bytes 2-10  unless bit 7: FUSE_INIT: minor selector (31 + n % 15; n >= 0xf0: n - 0xf0), flags
 *            and flags2 (u64)
 *   records, each: type, opcode selector, flags, nodeid selector, fh selector, u16 length L,
 *            then L payload bytes. type % 7:
 *     0-2  a request: opcode = selector (64: CUSE_INIT, 65: 0xffffffff); payload as given;
 *          flags 0x01 put a known fh in the opcode's fh field, 0x02 a header length that lies,
 *          0x04 the previous request's unique again, 0x08 uid/gid/pid 65534, 0x10 filler up to
 *          the maximum message size, 0x20 only the first bytes of the header, 0x40 the nodeid
 *          from the payload's first 8 bytes (else: 0, the root, or a nodeid seen in a reply),
 *          0x80 do not wait for the answer (without it, the answers to everything sent so far
 *          come before the next record, so that later records see the nodeids and handles)
 *     3    a FORGET storm: 1 + 4 * selector forgets of known (or made-up) nodeids, as one
 *          BATCH_FORGET (flags 0x01) or single FORGETs; flags 0x02 huge counts
 *     4    an INTERRUPT of a recent request (nodeid selector 0: the latest, 1: the one before...;
 *          flags 0x01: of the payload's u64; 0x02: of 0)
 *     5    an io_uring entry: the payload is the entry's header area (FSP_URING_HEADER_SIZE
 *          bytes) and then its payload buffer; what fsp_uring_unpack makes of it is sent
 *          (flags 0x01: a known fh in the opcode's fh field, 0x40: the header's nodeid as it
 *          is, 0x80: do not wait for the answer)
 *     6    a pause: wait up to 100 ms for the answers so far
 *
 * FUZZ_ENGINE_VERBOSE=1 shows the engine's debug log (hidden: malformed messages make it talk);
 * FUZZ_ENGINE_TRACE=1 prints every message sent and every reply (to replay a crash by eye).
 * Two knobs let a run look past a known defect while it is being fixed:
 * FUZZ_ENGINE_CLOSE_ALL=1 ignores byte 1's bit 0 (every session releases its handles at the end;
 * issue 8's defect 11 was a leak of files deleted while open and never released), and
 * FUZZ_ENGINE_CONFIG_MASK=0xNN is ANDed with the configuration byte (0xdc: one worker, no slow
 * I/O, away from races between RELEASE and requests still using the handle: defect 10).
 */
#include "core.h"
#include "memfs.h"
#include "uring.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef FUZZ_REPLY_WAIT_MS
#define FUZZ_REPLY_WAIT_MS 10000 /* generous: ASan, slow I/O and a shared machine */
#endif
#define SEND_WAIT_MS 10000
#define MAX_OUTSTANDING 8192
#define MAX_KNOWN 256
#define MAX_RECORDS 512
#define FILLER_MAX (FSP_ENGINE_BUFSIZE - 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- the session's state ---- */

enum { EXPECT_ONE, EXPECT_AT_MOST_ONE };
struct outstanding {
    uint64_t unique;
    uint32_t opcode;
    uint32_t asked; /* READ, READDIR, READDIRPLUS, WRITE, GETXATTR, LISTXATTR: the size asked */
    int expect;
    bool ambiguous; /* another request was sent with the same unique while this one waited */
};

static struct {
    MEMFS *memfs;
    int sock;
    pthread_t reader;
    bool reader_running;
    atomic_bool stop;
    uint64_t next_unique, last_unique;
    atomic_bool initialized; /* a FUSE_INIT succeeded (set by the reader) */
    /* guarded by lock: what the reader thread updates */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct outstanding out[MAX_OUTSTANDING];
    size_t nout;
    uint64_t nodeids[MAX_KNOWN], fhs[MAX_KNOWN];
    size_t nnodeids, nfhs;
    uint64_t dir_fhs[MAX_KNOWN]; /* the fhs OPENDIR gave */
    size_t ndir_fhs;
    uint64_t recent[64];
    size_t nrecent;
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static unsigned char rbuf[FSP_ENGINE_BUFSIZE + 4096];
static bool trace;
static bool close_all; /* FUZZ_ENGINE_CLOSE_ALL=1: never leave handles open at the end */
static unsigned config_mask = 0xff; /* FUZZ_ENGINE_CONFIG_MASK: ANDed with the configuration byte */
static unsigned char msg[FSP_ENGINE_BUFSIZE];
static char ring_mem[FSP_URING_HEAD_ROOM + FSP_ENGINE_MAX_WRITE];

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz-engine: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void remember(uint64_t *list, size_t *n, uint64_t v)
{
    if (0 == v)
        return;
    for (size_t i = 0; i < *n; i++)
        if (list[i] == v)
            return;
    if (*n < MAX_KNOWN)
        list[(*n)++] = v;
    else
        list[v % MAX_KNOWN] = v;
}

/* ---- replies (the reader thread) ---- */

static void check_notification(const struct fuse_out_header *o, size_t n)
{
    if (FUSE_NOTIFY_INVAL_INODE == o->error) {
        if (n != sizeof *o + sizeof(struct fuse_notify_inval_inode_out))
            die("INVAL_INODE notification of %zu bytes", n);
    } else if (FUSE_NOTIFY_INVAL_ENTRY == o->error) {
        struct fuse_notify_inval_entry_out e;
        if (n < sizeof *o + sizeof e)
            die("INVAL_ENTRY notification of %zu bytes", n);
        memcpy(&e, rbuf + sizeof *o, sizeof e);
        if (n != sizeof *o + sizeof e + e.namelen + 1 || rbuf[n - 1])
            die("INVAL_ENTRY notification: %zu bytes for a name of %u", n, e.namelen);
    } else
        die("a notification the engine does not send: code %d", o->error);
}

/* A READDIR or READDIRPLUS payload: whole entries only. Records READDIRPLUS's nodeids. */
static void check_dirents(const unsigned char *p, size_t len, bool plus)
{
    size_t off = 0;
    while (off < len) {
        size_t fixed = plus ? sizeof(struct fuse_direntplus) : sizeof(struct fuse_dirent);
        if (len - off < fixed)
            die("READDIR%s: a partial entry at %zu of %zu", plus ? "PLUS" : "", off, len);
        struct fuse_dirent d;
        memcpy(&d, p + off + (plus ? offsetof(struct fuse_direntplus, dirent) : 0), sizeof d);
        size_t whole = (plus ? offsetof(struct fuse_direntplus, dirent) : 0) +
                       FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + d.namelen);
        if (0 == d.namelen || d.namelen > 1024 || whole > len - off)
            die("READDIR%s: an entry with a name of %u bytes at %zu of %zu", plus ? "PLUS" : "",
                d.namelen, off, len);
        if (plus) {
            struct fuse_entry_out e;
            memcpy(&e, p + off, sizeof e);
            remember(S.nodeids, &S.nnodeids, e.nodeid);
        }
        off += whole;
    }
}

static void check_size(const struct outstanding *r, size_t payload, size_t want)
{
    if (payload != want)
        die("opcode %u (unique %llu): a reply payload of %zu bytes, expected %zu", r->opcode,
            (unsigned long long)r->unique, payload, want);
}

static void check_reply(const struct outstanding *r, const unsigned char *p, size_t len)
{
    switch (r->opcode) {
    case FUSE_LOOKUP:
    case FUSE_MKDIR:
    case FUSE_MKNOD:
    case FUSE_SYMLINK:
    case FUSE_LINK: {
        check_size(r, len, sizeof(struct fuse_entry_out));
        struct fuse_entry_out e;
        memcpy(&e, p, sizeof e);
        remember(S.nodeids, &S.nnodeids, e.nodeid);
        break;
    }
    case FUSE_CREATE:
    case FUSE_TMPFILE: {
        check_size(r, len, sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out));
        struct fuse_entry_out e;
        struct fuse_open_out o;
        memcpy(&e, p, sizeof e);
        memcpy(&o, p + sizeof e, sizeof o);
        remember(S.nodeids, &S.nnodeids, e.nodeid);
        remember(S.fhs, &S.nfhs, o.fh);
        break;
    }
    case FUSE_OPEN:
    case FUSE_OPENDIR: {
        check_size(r, len, sizeof(struct fuse_open_out));
        struct fuse_open_out o;
        memcpy(&o, p, sizeof o);
        remember(S.fhs, &S.nfhs, o.fh);
        if (FUSE_OPENDIR == r->opcode)
            remember(S.dir_fhs, &S.ndir_fhs, o.fh);
        break;
    }
    case FUSE_GETATTR:
    case FUSE_SETATTR:
        check_size(r, len, sizeof(struct fuse_attr_out));
        break;
    case FUSE_STATFS:
        check_size(r, len, sizeof(struct fuse_statfs_out));
        break;
    case FUSE_STATX:
        check_size(r, len, sizeof(struct fsp_fuse_statx_out));
        break;
    case FUSE_POLL:
        check_size(r, len, sizeof(struct fuse_poll_out));
        break;
    case FUSE_WRITE: {
        check_size(r, len, sizeof(struct fuse_write_out));
        struct fuse_write_out w;
        memcpy(&w, p, sizeof w);
        if (w.size > r->asked)
            die("WRITE of %u bytes answered %u written", r->asked, w.size);
        break;
    }
    case FUSE_READ:
        if (len > r->asked)
            die("READ of %u bytes answered with %zu", r->asked, len);
        break;
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
        if (len > r->asked)
            die("READDIR of %u bytes answered with %zu", r->asked, len);
        check_dirents(p, len, FUSE_READDIRPLUS == r->opcode);
        break;
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR:
        if (0 == r->asked)
            check_size(r, len, sizeof(struct fuse_getxattr_out));
        else if (len > r->asked)
            die("opcode %u of %u bytes answered with %zu", r->opcode, r->asked, len);
        break;
    case FUSE_INIT:
        if (len >= sizeof(struct fuse_init_out)) {
            struct fuse_init_out i;
            memcpy(&i, p, sizeof i);
            if (7 == i.major && i.minor >= FSP_FUSE_MINOR_MIN)
                atomic_store(&S.initialized, true);
        }
        break;
    case FUSE_READLINK:
    case FUSE_IOCTL:
        break; /* variable */
    default:
        if (r->opcode < 64 && len)
            check_size(r, len, 0); /* the rest answer with the header alone */
        break;
    }
}

/* One message from the engine. Called with S.lock held. */
static void on_message(size_t n)
{
    struct fuse_out_header o;
    if (n < sizeof o)
        die("a reply of %zu bytes", n);
    memcpy(&o, rbuf, sizeof o);
    if (o.len != n)
        die("a reply whose header says %u bytes came in %zu", o.len, n);
    if (0 == o.unique)
        return check_notification(&o, n);
    if (o.error > 0 || o.error <= -4096)
        die("a reply with error %d", o.error);
    if (o.error && n != sizeof o)
        die("an error reply (%d) with a %zu-byte payload", o.error, n - sizeof o);
    /* The request it answers; of two with one unique (sent so on purpose), one that must be
     * answered first. */
    size_t k = S.nout;
    for (size_t i = 0; i < S.nout; i++)
        if (S.out[i].unique == o.unique && (k == S.nout || EXPECT_ONE == S.out[i].expect))
            k = i;
    if (k == S.nout)
        die("a reply to unique %llu, which was never sent or was answered already",
            (unsigned long long)o.unique);
    struct outstanding r = S.out[k];
    S.out[k] = S.out[--S.nout];
    if (trace)
        fprintf(stderr, "<- unique %llu opcode %u error %d payload %zu\n",
                (unsigned long long)o.unique, r.opcode, o.error, n - sizeof o);
    /* With one unique for two requests, which one this answers is anybody's guess. */
    if (0 == o.error && !r.ambiguous)
        check_reply(&r, rbuf + sizeof o, n - sizeof o);
    pthread_cond_broadcast(&S.cond);
}

static void *reader_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&S.stop)) {
        struct pollfd p = {S.sock, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r < 0 && EINTR != errno)
            die("poll: %s", strerror(errno));
        if (r <= 0)
            continue;
        if (p.revents & (POLLHUP | POLLERR) && !(p.revents & POLLIN))
            break;
        ssize_t n = recv(S.sock, rbuf, sizeof rbuf, MSG_DONTWAIT);
        if (n < 0 && (EAGAIN == errno || EINTR == errno))
            continue;
        if (n <= 0)
            break;
        pthread_mutex_lock(&S.lock);
        on_message((size_t)n);
        pthread_mutex_unlock(&S.lock);
    }
    return 0;
}

/* ---- sending ---- */

static bool must_answer_left(void)
{
    for (size_t k = 0; k < S.nout; k++)
        if (EXPECT_ONE == S.out[k].expect)
            return true;
    return false;
}

/* Wait until every request that must be answered was; with fail, a missing answer is a bug. */
static void wait_answers(int64_t ms, bool fail)
{
    int64_t deadline = now_ms() + ms;
    pthread_mutex_lock(&S.lock);
    while (must_answer_left() && now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * 1000000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&S.cond, &S.lock, &ts);
    }
    if (fail)
        for (size_t k = 0; k < S.nout; k++)
            if (EXPECT_ONE == S.out[k].expect)
                die("no reply to opcode %u (unique %llu) within %d ms", S.out[k].opcode,
                    (unsigned long long)S.out[k].unique, (int)ms);
    pthread_mutex_unlock(&S.lock);
}

static void expect(uint64_t unique, uint32_t opcode, uint32_t asked, int how)
{
    pthread_mutex_lock(&S.lock);
    if (S.nout == MAX_OUTSTANDING)
        die("too many requests outstanding");
    bool ambiguous = false;
    for (size_t i = 0; i < S.nout; i++)
        if (S.out[i].unique == unique)
            S.out[i].ambiguous = ambiguous = true;
    S.out[S.nout++] = (struct outstanding){unique, opcode, asked, how, ambiguous};
    S.recent[S.nrecent++ % 64] = unique;
    pthread_mutex_unlock(&S.lock);
}

/* Send one message whole; the engine must take it within SEND_WAIT_MS. */
static void send_msg(const void *m, size_t len)
{
    if (trace) {
        struct fuse_in_header h;
        memset(&h, 0, sizeof h);
        memcpy(&h, m, len < sizeof h ? len : sizeof h);
        fprintf(stderr, "-> %zu bytes: unique %llu opcode %u nodeid %llu len %u\n", len,
                (unsigned long long)h.unique, h.opcode, (unsigned long long)h.nodeid, h.len);
    }
    int64_t deadline = now_ms() + SEND_WAIT_MS;
    for (;;) {
        ssize_t n = send(S.sock, m, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == (ssize_t)len)
            return;
        if (n >= 0)
            die("a message of %zu bytes went out as %zd", len, n);
        if (EAGAIN != errno && EINTR != errno)
            die("send: %s", strerror(errno));
        if (now_ms() > deadline)
            die("the engine stopped reading its channel");
        struct pollfd p = {S.sock, POLLOUT, 0};
        poll(&p, 1, 10);
    }
}

static uint64_t fresh_unique(void)
{
    S.next_unique += 2; /* even: bit 0 marks interrupts */
    S.last_unique = S.next_unique;
    return S.next_unique;
}

static uint64_t pick(const uint64_t *list, size_t n, unsigned sel, uint64_t fallback)
{
    pthread_mutex_lock(&S.lock);
    uint64_t v = n ? list[sel % n] : fallback;
    pthread_mutex_unlock(&S.lock);
    return v;
}

static uint64_t pick_nodeid(unsigned sel)
{
    if (0 == sel)
        return 0;
    if (1 == sel)
        return FUSE_ROOT_ID;
    return pick(S.nodeids, S.nnodeids, sel - 2, FUSE_ROOT_ID);
}

/* Where an opcode's request carries an fh (-1: it has none). */
static int fh_offset(uint32_t opcode)
{
    switch (opcode) {
    case FUSE_GETATTR:
        return offsetof(struct fuse_getattr_in, fh);
    case FUSE_SETATTR:
        return offsetof(struct fuse_setattr_in, fh);
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
        return offsetof(struct fuse_read_in, fh);
    case FUSE_WRITE:
        return offsetof(struct fuse_write_in, fh);
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR:
        return offsetof(struct fuse_release_in, fh);
    case FUSE_FLUSH:
        return offsetof(struct fuse_flush_in, fh);
    case FUSE_FSYNC:
    case FUSE_FSYNCDIR:
        return offsetof(struct fuse_fsync_in, fh);
    case FUSE_FALLOCATE:
        return offsetof(struct fuse_fallocate_in, fh);
    case FUSE_IOCTL:
        return offsetof(struct fuse_ioctl_in, fh);
    case FUSE_LSEEK:
        return offsetof(struct fuse_lseek_in, fh);
    case FUSE_POLL:
        return offsetof(struct fuse_poll_in, fh);
    case FUSE_GETLK:
    case FUSE_SETLK:
    case FUSE_SETLKW:
        return offsetof(struct fuse_lk_in, fh);
    default:
        return -1;
    }
}

/* The size a request asks for, where the reply is bounded by it. */
static uint32_t asked_size(uint32_t opcode, const unsigned char *arg, size_t arglen)
{
    uint32_t v = 0;
    switch (opcode) {
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
        if (arglen >= sizeof(struct fuse_read_in))
            memcpy(&v, arg + offsetof(struct fuse_read_in, size), sizeof v);
        break;
    case FUSE_WRITE:
        if (arglen >= sizeof(struct fuse_write_in))
            memcpy(&v, arg + offsetof(struct fuse_write_in, size), sizeof v);
        break;
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR:
        if (arglen >= sizeof(struct fuse_getxattr_in))
            memcpy(&v, arg + offsetof(struct fuse_getxattr_in, size), sizeof v);
        break;
    }
    return v;
}

/* What the engine must answer to a whole, well-formed-or-not message with this header. */
static void expect_for(const struct fuse_in_header *h, size_t sent)
{
    const unsigned char *arg = msg + sizeof *h;
    size_t arglen = sent - sizeof *h;
    if (h->len != sent) {
        expect(h->unique, h->opcode, 0, EXPECT_ONE); /* EIO */
        return;
    }
    if (FUSE_INTERRUPT == h->opcode && S.initialized) {
        expect(h->unique, h->opcode, 0, EXPECT_AT_MOST_ONE);
        return;
    }
    if ((FUSE_FORGET == h->opcode || FUSE_BATCH_FORGET == h->opcode) && S.initialized &&
        arglen >= fsp_ops_min_arglen(h->opcode, FSP_FUSE_MINOR_MAX)) {
        /* Malformed batches (counts beyond the message) are refused without an answer too. */
        expect(h->unique, h->opcode, 0, EXPECT_AT_MOST_ONE);
        return;
    }
    expect(h->unique, h->opcode, asked_size(h->opcode, arg, arglen), EXPECT_ONE);
}

/* ---- records ---- */

struct cursor {
    const uint8_t *p;
    size_t left;
};

static size_t take(struct cursor *c, void *out, size_t n)
{
    size_t k = n < c->left ? n : c->left;
    if (out) {
        memcpy(out, c->p, k);
        memset((char *)out + k, 0, n - k);
    }
    c->p += k, c->left -= k;
    return k;
}

static void fill_header(struct fuse_in_header *h, uint32_t opcode, uint64_t nodeid, uint64_t unique,
                        size_t len, bool other_user)
{
    memset(h, 0, sizeof *h);
    h->len = (uint32_t)len;
    h->opcode = opcode;
    h->unique = unique;
    h->nodeid = nodeid;
    h->uid = other_user ? 65534 : (uint32_t)geteuid();
    h->gid = other_user ? 65534 : (uint32_t)getegid();
    h->pid = other_user ? 65534 : (uint32_t)getpid();
}

/* What a kernel does before it lets a file system go: RELEASE (RELEASEDIR) every handle. */
static bool leave_open;
static void release_all(void)
{
    wait_answers(FUZZ_REPLY_WAIT_MS, true);
    pthread_mutex_lock(&S.lock);
    size_t n = S.nfhs;
    uint64_t fhs[MAX_KNOWN];
    bool dir[MAX_KNOWN];
    memcpy(fhs, S.fhs, n * sizeof fhs[0]);
    for (size_t i = 0; i < n; i++) {
        dir[i] = false;
        for (size_t k = 0; k < S.ndir_fhs; k++)
            dir[i] |= S.dir_fhs[k] == fhs[i];
    }
    pthread_mutex_unlock(&S.lock);
    for (size_t i = 0; i < n; i++) {
        struct fuse_release_in in = {fhs[i], O_RDWR, 0, 0};
        unsigned char m[sizeof(struct fuse_in_header) + sizeof in]; /* msg may hold a request */
        struct fuse_in_header h;
        fill_header(&h, dir[i] ? FUSE_RELEASEDIR : FUSE_RELEASE, FUSE_ROOT_ID, fresh_unique(),
                    sizeof m, false);
        memcpy(m, &h, sizeof h);
        memcpy(m + sizeof h, &in, sizeof in);
        expect(h.unique, h.opcode, 0, EXPECT_ONE);
        send_msg(m, sizeof m);
    }
    wait_answers(FUZZ_REPLY_WAIT_MS, true);
}

/* A request record. Returns false when the session ends (DESTROY). */
static bool do_request(uint8_t opsel, uint8_t flags, uint8_t nodesel, uint8_t fhsel,
                       const uint8_t *payload, size_t plen)
{
    uint32_t opcode = 64 == opsel ? 4096 : 65 == opsel ? UINT32_MAX : opsel;
    uint64_t nodeid = pick_nodeid(nodesel);
    if ((flags & 0x40) && plen >= 8) {
        memcpy(&nodeid, payload, 8);
        payload += 8, plen -= 8;
    }
    size_t arglen = plen;
    if (flags & 0x10)
        arglen = plen + (size_t)fhsel * 4096 + nodesel; /* filler */
    if (sizeof(struct fuse_in_header) + arglen > sizeof msg)
        arglen = sizeof msg - sizeof(struct fuse_in_header);
    unsigned char *arg = msg + sizeof(struct fuse_in_header);
    memcpy(arg, payload, plen < arglen ? plen : arglen);
    if (arglen > plen)
        memset(arg + plen, 'x', arglen - plen);
    int fo = fh_offset(opcode);
    if ((flags & 0x01) && fo >= 0 && arglen >= (size_t)fo + 8) {
        uint64_t fh = pick(S.fhs, S.nfhs, fhsel, 1);
        memcpy(arg + fo, &fh, 8);
    }
    uint64_t unique = (flags & 0x04) && S.last_unique ? S.last_unique : fresh_unique();
    size_t len = sizeof(struct fuse_in_header) + arglen;
    struct fuse_in_header h;
    fill_header(&h, opcode, nodeid, unique, len, flags & 0x08);
    if (flags & 0x02)
        h.len = (uint32_t)(len + ((nodesel & 1) ? -(int)(1 + fhsel % 64) : (int)(1 + fhsel % 64)));
    memcpy(msg, &h, sizeof h);
    if (FUSE_DESTROY == opcode && h.len == len) {
        /* The engine stops reading after DESTROY: let everything before it be answered. */
        if (!leave_open)
            release_all();
        wait_answers(FUZZ_REPLY_WAIT_MS, true);
        expect(unique, opcode, 0, EXPECT_ONE);
        send_msg(msg, len);
        wait_answers(FUZZ_REPLY_WAIT_MS, true);
        return false;
    }
    if (flags & 0x20) {
        /* Only part of the header: never answered (the unique cannot be read). */
        size_t cut = 1 + (plen ? payload[0] : fhsel) % (sizeof h - 1);
        send_msg(msg, cut);
        return true;
    }
    if (FUSE_INIT == opcode)
        wait_answers(FUZZ_REPLY_WAIT_MS, true); /* INIT changes what later requests get */
    expect_for(&h, len);
    send_msg(msg, len);
    if (FUSE_INIT == opcode || !(flags & 0x80))
        wait_answers(FUZZ_REPLY_WAIT_MS, true);
    return true;
}

static void do_forget_storm(uint8_t opsel, uint8_t flags, uint8_t nodesel, uint8_t fhsel)
{
    unsigned count = 1 + 4u * opsel;
    uint64_t nlookup = (flags & 0x02) ? UINT64_MAX - fhsel : 1 + fhsel % 3;
    if (flags & 0x01) {
        struct fuse_batch_forget_in b = {count, 0};
        size_t len = sizeof(struct fuse_in_header) + sizeof b + count * sizeof(struct fuse_forget_one);
        unsigned char *p = msg + sizeof(struct fuse_in_header);
        memcpy(p, &b, sizeof b);
        p += sizeof b;
        for (unsigned i = 0; i < count; i++) {
            struct fuse_forget_one f = {pick_nodeid(nodesel + i), nlookup};
            memcpy(p + i * sizeof f, &f, sizeof f);
        }
        struct fuse_in_header h;
        fill_header(&h, FUSE_BATCH_FORGET, 0, fresh_unique(), len, false);
        memcpy(msg, &h, sizeof h);
        expect_for(&h, len);
        send_msg(msg, len);
    } else
        for (unsigned i = 0; i < count; i++) {
            struct fuse_forget_in f = {nlookup};
            size_t len = sizeof(struct fuse_in_header) + sizeof f;
            struct fuse_in_header h;
            fill_header(&h, FUSE_FORGET, pick_nodeid(nodesel + i), fresh_unique(), len, false);
            memcpy(msg, &h, sizeof h);
            memcpy(msg + sizeof h, &f, sizeof f);
            expect_for(&h, len);
            send_msg(msg, len);
        }
}

static void do_interrupt(uint8_t flags, uint8_t nodesel, const uint8_t *payload, size_t plen)
{
    struct fuse_interrupt_in in = {0};
    if (flags & 0x02)
        in.unique = 0;
    else if ((flags & 0x01) && plen >= 8)
        memcpy(&in.unique, payload, 8);
    else {
        /* selector 0: the latest request, 1: the one before, ... */
        pthread_mutex_lock(&S.lock);
        size_t n = S.nrecent < 64 ? S.nrecent : 64;
        in.unique = n ? S.recent[(S.nrecent - 1 - nodesel % n) % 64] : 2;
        pthread_mutex_unlock(&S.lock);
    }
    size_t len = sizeof(struct fuse_in_header) + sizeof in;
    struct fuse_in_header h;
    /* The kernel's interrupt unique: the target's with bit 0 set. */
    uint64_t unique = in.unique ? in.unique | 1 : fresh_unique() | 1;
    fill_header(&h, FUSE_INTERRUPT, 0, unique, len, false);
    memcpy(msg, &h, sizeof h);
    memcpy(msg + sizeof h, &in, sizeof in);
    /* At most one answer (EAGAIN, EINVAL, or EIO before INIT). */
    expect(unique, FUSE_INTERRUPT, 0, S.initialized ? EXPECT_AT_MOST_ONE : EXPECT_ONE);
    send_msg(msg, len);
}

static void do_ring_entry(uint8_t flags, uint8_t nodesel, uint8_t fhsel, const uint8_t *payload,
                          size_t plen)
{
    char *hdr = ring_mem, *pay = ring_mem + FSP_URING_HEAD_ROOM;
    memset(hdr, 0, FSP_URING_HEADER_SIZE);
    size_t hl = plen < FSP_URING_HEADER_SIZE ? plen : FSP_URING_HEADER_SIZE;
    memcpy(hdr, payload, hl);
    size_t dl = plen - hl;
    if (dl > FSP_ENGINE_MAX_WRITE)
        dl = FSP_ENGINE_MAX_WRITE;
    /* What the input does not give is zero, as on the first use (no bytes of earlier inputs). */
    static size_t dirty;
    memcpy(pay, payload + hl, dl);
    if (dirty > dl)
        memset(pay + dl, 0, dirty - dl);
    dirty = dl;
    /* The kernel fills in unique and nodeid; the rest of the header is the fuzzer's. */
    struct fuse_in_header h;
    memcpy(&h, hdr, sizeof h);
    h.unique = fresh_unique();
    if (!(flags & 0x40))
        h.nodeid = pick_nodeid(nodesel);
    memcpy(hdr, &h, sizeof h);
    int fo = fh_offset(h.opcode);
    if ((flags & 0x01) && fo >= 0) {
        uint64_t fh = pick(S.fhs, S.nfhs, fhsel, 1);
        memcpy(hdr + 128 + fo, &fh, 8); /* in the opcode's first argument */
    }
    size_t len = 0;
    void *start = fsp_uring_unpack(hdr, pay, FSP_ENGINE_MAX_WRITE, &len);
    if (!start)
        return; /* the ring answers EIO itself */
    if (len < sizeof h || len > sizeof msg)
        die("fsp_uring_unpack made a request of %zu bytes", len);
    memcpy(msg, start, len);
    struct fuse_in_header back;
    memcpy(&back, msg, sizeof back);
    if (back.len != len || back.unique != h.unique || back.opcode != h.opcode)
        die("fsp_uring_unpack changed the request header");
    if (FUSE_DESTROY == back.opcode || FUSE_INIT == back.opcode)
        return; /* never come through a ring; the request path tests them */
    expect_for(&back, len);
    send_msg(msg, len);
    if (!(flags & 0x80))
        wait_answers(FUZZ_REPLY_WAIT_MS, true);
}

/* ---- the session ---- */

static void session_start(uint8_t config)
{
    static const ULONG timeouts[] = {0, 1000, INFINITE, INFINITE};
    ULONG flags = MemfsDisk;
    if (config & 0x10)
        flags |= MemfsCaseInsensitive;
    if (config & 0x40)
        flags |= MemfsWritebackCache;
    bool slow = config & 0x20;
    NTSTATUS status = MemfsCreateFunnel(flags, timeouts[(config >> 2) & 3], 64, 1024 * 1024,
                                        slow ? 10 : 0, slow ? 50 : 0, slow ? 50 : 0, 0, 0, 0,
                                        &S.memfs);
    if (!NT_SUCCESS(status))
        die("MemfsCreate: 0x%08x (is /dev/fuse there?)", (unsigned)status);
    int sv[2];
    if (0 != socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
        die("socketpair: %s", strerror(errno));
    /* /dev/fuse takes max_write-sized messages: so must the socket (root: SO_SNDBUFFORCE). */
    int big = 16 * FSP_ENGINE_BUFSIZE;
    for (int i = 0; i < 2; i++)
        if (0 != setsockopt(sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big))
            setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    S.sock = sv[0];
    FSP_FILE_SYSTEM *fs = MemfsFileSystem(S.memfs);
    if (!NT_SUCCESS(fsp_engine_attach_fd(fs, sv[1])))
        die("fsp_engine_attach_fd");
    if (!NT_SUCCESS(FspFileSystemStartDispatcher(fs, 1 + (config & 3))))
        die("FspFileSystemStartDispatcher");
    S.next_unique = S.last_unique = 0;
    atomic_store(&S.initialized, false);
    S.nout = S.nnodeids = S.nfhs = S.ndir_fhs = S.nrecent = 0;
    atomic_store(&S.stop, false);
    if (0 != pthread_create(&S.reader, 0, reader_main, 0))
        die("pthread_create");
    S.reader_running = true;
}

static void session_end(void)
{
    atomic_store(&S.stop, true);
    shutdown(S.sock, SHUT_RD); /* wakes the reader */
    if (S.reader_running)
        pthread_join(S.reader, 0);
    S.reader_running = false;
    MemfsDelete(S.memfs); /* stops the dispatcher, closes the engine's end */
    S.memfs = 0;
    close(S.sock);
    S.sock = -1;
}

static void send_init(uint8_t minor_sel, uint64_t flags)
{
    struct fuse_init_in in;
    memset(&in, 0, sizeof in);
    in.major = 7;
    in.minor = minor_sel >= 0xf0 ? minor_sel - 0xf0u : FSP_FUSE_MINOR_MIN + minor_sel % 15u;
    in.max_readahead = 128 * 1024;
    in.flags = (uint32_t)flags;
    in.flags2 = (uint32_t)(flags >> 32);
    size_t len = sizeof(struct fuse_in_header) + sizeof in;
    struct fuse_in_header h;
    fill_header(&h, FUSE_INIT, 0, fresh_unique(), len, false);
    memcpy(msg, &h, sizeof h);
    memcpy(msg + sizeof h, &in, sizeof in);
    expect(h.unique, FUSE_INIT, 0, EXPECT_ONE);
    send_msg(msg, len);
    wait_answers(FUZZ_REPLY_WAIT_MS, true);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    signal(SIGPIPE, SIG_IGN);
    const char *cm = getenv("FUZZ_ENGINE_CONFIG_MASK");
    if (cm && *cm)
        config_mask = (unsigned)strtoul(cm, 0, 0) & 0xff;
    const char *ca = getenv("FUZZ_ENGINE_CLOSE_ALL");
    close_all = ca && '1' == ca[0];
    const char *t = getenv("FUZZ_ENGINE_TRACE");
    trace = t && '1' == t[0];
    const char *v = getenv("FUZZ_ENGINE_VERBOSE");
    if (!(v && '1' == v[0])) {
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (devnull >= 0)
            FspDebugLogSetFd(devnull);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (0 == size)
        return 0;
    struct cursor c = {data, size};
    uint8_t config, config2;
    take(&c, &config, 1);
    take(&c, &config2, 1);
    config &= (uint8_t)config_mask;
    leave_open = (config2 & 1) && !close_all;
    session_start(config);
    if (!(config & 0x80)) {
        uint8_t minor_sel;
        uint64_t flags;
        take(&c, &minor_sel, 1);
        take(&c, &flags, 8);
        send_init(minor_sel, flags);
    }
    bool destroyed = false;
    for (unsigned n = 0; n < MAX_RECORDS && c.left; n++) {
        uint8_t rec[7];
        take(&c, rec, sizeof rec);
        size_t plen = (size_t)rec[5] | (size_t)rec[6] << 8;
        const uint8_t *payload = c.p;
        plen = take(&c, 0, plen);
        bool go_on = true;
        switch (rec[0] % 7) {
        case 0:
        case 1:
        case 2:
            go_on = do_request(rec[1], rec[2], rec[3], rec[4], payload, plen);
            break;
        case 3:
            do_forget_storm(rec[1], rec[2], rec[3], rec[4]);
            break;
        case 4:
            do_interrupt(rec[2], rec[3], payload, plen);
            break;
        case 5:
            do_ring_entry(rec[2], rec[3], rec[4], payload, plen);
            break;
        case 6:
            wait_answers(100, false);
            break;
        }
        if (!go_on) {
            destroyed = true;
            break;
        }
    }
    if (!leave_open && !destroyed)
        release_all();
    wait_answers(FUZZ_REPLY_WAIT_MS, true);
    session_end();
    return 0;
}
