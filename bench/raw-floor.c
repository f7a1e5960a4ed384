/*
 * bench/raw-floor.c - the round-trip floor: the smallest file system that
 * answers the kernel directly on /dev/fuse, single-threaded, with an
 * in-memory table of files and directories. It does no more work per
 * request than a hash lookup and a reply, so fsbench over it measures
 * what the kernel's FUSE round trip itself costs; LinFsp's engine (and
 * libfuse) can be compared against it.
 *
 * Enough of a file system for fsbench: LOOKUP FORGET BATCH_FORGET GETATTR
 * SETATTR OPEN CREATE MKNOD READ WRITE RELEASE FLUSH FSYNC OPENDIR READDIR
 * RELEASEDIR FSYNCDIR MKDIR UNLINK RMDIR STATFS; everything else ENOSYS.
 *
 * The cache policy copies LinFsp's engine so the comparison is like for
 * like: -t MS is the entry/attribute timeout (negative entries cached for
 * as long); -t -1 means "forever" (one year) plus FOPEN_KEEP_CACHE, as the
 * engine does for FileInfoTimeout INFINITE. INIT asks for ASYNC_READ,
 * ATOMIC_O_TRUNC, BIG_WRITES and MAX_PAGES (1 MiB writes).
 *
 * With -u it answers over FUSE io_uring instead (Linux 6.14+, the fuse module's
 * enable_uring=Y): INIT comes over /dev/fuse and its reply asks for
 * FUSE_OVER_IO_URING; then one thread per kernel queue (one per possible
 * CPU, pinned to it) owns an io_uring with -q ring entries for its queue
 * and answers what arrives there, committing each reply with the next
 * fetch, the kernel's protocol and nothing else (the table is shared under
 * a mutex). FORGET and INTERRUPT still come over /dev/fuse. This is the
 * stand-in for libfuse's own FUSE-over-io_uring, which Debian's libfuse
 * (3.14) does not have.
 *
 * Experiments on /dev/fuse (doc/performance/analysis.md, "Unpinned: where the
 * time goes"): after INIT, -T N threads wait in read(2) as libfuse's pool does;
 * -S US: after a reply, a thread reads without waiting (a clone of the channel
 * in O_NONBLOCK) for up to US microseconds before it waits, -Y with
 * sched_yield between those reads; -A N: every N requests a thread pins itself
 * to the CPU its caller last ran on; -P: a reader pinned to each CPU, all in
 * poll(2). The table is then shared under the mutex.
 *
 * usage: raw-floor [-t MS] [-s] [-d] [-u [-q DEPTH]] [-T N] [-S US [-Y]] [-A N] [-P]
 *                  MOUNTPOINT
 *        (root; serves until SIGTERM/SIGINT)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_WRITE (1024 * 1024)
#define MAX_PAGES 256
#define BUFSIZE (MAX_WRITE + 64 * 1024)
#define NBUCKETS (1u << 16)
#define MAX_OPCODE 64

struct node {
    uint64_t ino;
    uint64_t parent;           /* 0 once unlinked */
    char *name;
    struct node *hnext;        /* hash chain of (parent, name) */
    struct node *sprev, *snext; /* siblings in the parent directory */
    struct node *children;     /* directories: first child */
    uint64_t nchildren;
    mode_t mode;
    uint32_t nlink;
    uint64_t nlookup;          /* kernel references (LOOKUP/CREATE/MKDIR minus FORGET) */
    uint32_t nopen;
    char *data;
    size_t size, cap;
    struct timespec atime, mtime, ctime;
};

static struct node **table;   /* by ino */
static uint64_t table_cap, next_ino = 1;
static struct node *buckets[NBUCKETS];
static uint64_t timeout_sec;
static uint32_t timeout_nsec;
static bool keep_cache;
static bool refuse_direct;     /* -d: EINVAL for O_DIRECT opens (tests fsbench's skip) */
static uint64_t counts[MAX_OPCODE + 1];
static bool use_uring;          /* -u */
static unsigned uring_depth = 1; /* -q: ring entries per queue */
static bool uring_negotiated;
static unsigned long long ring_requests; /* answered through the rings (under table_lock) */
#define URING_FLAG2 (1u << 9)   /* FUSE_OVER_IO_URING (1ULL << 41) in flags2 (FUSE 7.42) */
static volatile sig_atomic_t stop;
static int fuse_fd = -1;
/* Experiments with the reading threads on /dev/fuse (see usage): */
static unsigned opt_threads = 1; /* -T: threads in read(2) */
static unsigned opt_spin_us;     /* -S: after a reply, read without waiting for this long */
static bool opt_yield;           /* -Y: sched_yield between those reads */
static unsigned opt_follow;      /* -A: every N requests move to the caller's last CPU */
static bool opt_percpu;          /* -P: a reader pinned to each CPU, all in poll(2) */
static __thread int reply_fd = -1; /* the descriptor the current request was read from */

/* ---- the node table ---- */

static uint32_t hash(uint64_t parent, const char *name)
{
    uint32_t h = 2166136261u ^ (uint32_t)parent ^ (uint32_t)(parent >> 32);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h & (NBUCKETS - 1);
}

static struct node *get(uint64_t ino)
{
    return ino < table_cap ? table[ino] : 0;
}

static struct node *find(uint64_t parent, const char *name)
{
    for (struct node *n = buckets[hash(parent, name)]; n; n = n->hnext)
        if (n->parent == parent && 0 == strcmp(n->name, name))
            return n;
    return 0;
}

static struct node *new_node(struct node *dir, const char *name, mode_t mode)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n || !(n->name = strdup(name))) {
        free(n);
        return 0;
    }
    if (next_ino >= table_cap) {
        uint64_t cap = table_cap ? table_cap * 2 : 1024;
        struct node **t = realloc(table, cap * sizeof *t);
        if (!t) {
            free(n->name);
            free(n);
            return 0;
        }
        memset(t + table_cap, 0, (cap - table_cap) * sizeof *t);
        table = t, table_cap = cap;
    }
    n->ino = next_ino++;
    table[n->ino] = n;
    n->mode = mode;
    n->nlink = S_ISDIR(mode) ? 2 : 1;
    clock_gettime(CLOCK_REALTIME, &n->mtime);
    n->atime = n->ctime = n->mtime;
    if (dir) {
        n->parent = dir->ino;
        uint32_t h = hash(dir->ino, name);
        n->hnext = buckets[h];
        buckets[h] = n;
        n->snext = dir->children;
        if (dir->children)
            dir->children->sprev = n;
        dir->children = n;
        dir->nchildren++;
        if (S_ISDIR(mode))
            dir->nlink++;
        dir->mtime = dir->ctime = n->mtime;
    }
    return n;
}

static void maybe_free(struct node *n)
{
    if (n->parent || n->nlookup || n->nopen || 1 == n->ino)
        return;
    table[n->ino] = 0;
    free(n->name);
    free(n->data);
    free(n);
}

static void unlink_node(struct node *dir, struct node *n)
{
    struct node **pp = &buckets[hash(n->parent, n->name)];
    while (*pp != n)
        pp = &(*pp)->hnext;
    *pp = n->hnext;
    if (n->sprev)
        n->sprev->snext = n->snext;
    else
        dir->children = n->snext;
    if (n->snext)
        n->snext->sprev = n->sprev;
    dir->nchildren--;
    if (S_ISDIR(n->mode))
        dir->nlink--;
    clock_gettime(CLOCK_REALTIME, &dir->mtime);
    dir->ctime = dir->mtime;
    n->parent = 0;
    n->nlink = 0;
    maybe_free(n);
}

static int resize(struct node *n, uint64_t size)
{
    if (size > n->cap) {
        size_t cap = n->cap ? n->cap : 4096;
        while (cap < size)
            cap *= 2;
        char *d = realloc(n->data, cap);
        if (!d)
            return ENOMEM;
        n->data = d, n->cap = cap;
    }
    if (size > n->size)
        memset(n->data + n->size, 0, size - n->size);
    n->size = size;
    return 0;
}

/* ---- replies ---- */

/* io_uring (-u): the ring entry the current request came in (NULL: /dev/fuse). */
struct ring_ent;
static __thread struct ring_ent *cur_ent;
static void ring_reply(struct ring_ent *e, int err, const void *data, size_t size);

static void reply(const struct fuse_in_header *in, int err, const void *data, size_t size)
{
    if (cur_ent)
        return ring_reply(cur_ent, err, data, size);
    struct fuse_out_header out = {.len = (uint32_t)(sizeof out + (err ? 0 : size)),
                                  .error = -err, .unique = in->unique};
    struct iovec iov[2] = {{&out, sizeof out}, {(void *)data, err ? 0 : size}};
    if (writev(reply_fd >= 0 ? reply_fd : fuse_fd, iov, err || !size ? 1 : 2) < 0 && ENOENT != errno)
        perror("raw-floor: writev /dev/fuse"); /* ENOENT: the request was interrupted */
}

static void fill_attr(const struct node *n, struct fuse_attr *a)
{
    memset(a, 0, sizeof *a);
    a->ino = n->ino;
    a->size = n->size;
    a->blocks = (n->size + 511) / 512;
    a->atime = n->atime.tv_sec, a->atimensec = n->atime.tv_nsec;
    a->mtime = n->mtime.tv_sec, a->mtimensec = n->mtime.tv_nsec;
    a->ctime = n->ctime.tv_sec, a->ctimensec = n->ctime.tv_nsec;
    a->mode = n->mode;
    a->nlink = n->nlink;
    a->blksize = 4096;
}

static void reply_entry(const struct fuse_in_header *in, struct node *n)
{
    struct fuse_entry_out e;
    memset(&e, 0, sizeof e);
    e.nodeid = n->ino;
    e.entry_valid = e.attr_valid = timeout_sec;
    e.entry_valid_nsec = e.attr_valid_nsec = timeout_nsec;
    fill_attr(n, &e.attr);
    n->nlookup++;
    reply(in, 0, &e, sizeof e);
}

static void reply_attr(const struct fuse_in_header *in, const struct node *n)
{
    struct fuse_attr_out a;
    memset(&a, 0, sizeof a);
    a.attr_valid = timeout_sec;
    a.attr_valid_nsec = timeout_nsec;
    fill_attr(n, &a.attr);
    reply(in, 0, &a, sizeof a);
}

/* ---- operations ---- */

static void do_init(const struct fuse_in_header *in, const struct fuse_init_in *arg)
{
    struct fuse_init_out out;
    memset(&out, 0, sizeof out);
    out.major = FUSE_KERNEL_VERSION;
    out.minor = FUSE_KERNEL_MINOR_VERSION;
    if (arg->major > FUSE_KERNEL_VERSION) {
        reply(in, 0, &out, sizeof out); /* the kernel retries with our major */
        return;
    }
    if (arg->major < 7 || arg->minor < 31) {
        fprintf(stderr, "raw-floor: kernel FUSE %u.%u too old\n", arg->major, arg->minor);
        reply(in, EPROTO, 0, 0);
        return;
    }
    if (arg->minor < out.minor)
        out.minor = arg->minor;
    uint32_t want = FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_MAX_PAGES;
    out.flags = want & arg->flags;
    if (use_uring && (arg->flags & FUSE_INIT_EXT) && (arg->flags2 & URING_FLAG2)) {
        out.flags |= FUSE_INIT_EXT;
        out.flags2 = URING_FLAG2;
        uring_negotiated = true;
    }
    out.max_readahead = arg->max_readahead;
    out.max_background = 64;
    out.congestion_threshold = 48;
    out.max_write = MAX_WRITE;
    out.time_gran = 1;
    out.max_pages = MAX_PAGES;
    reply(in, 0, &out, sizeof out);
}

static void do_lookup(const struct fuse_in_header *in, const char *name)
{
    struct node *n = find(in->nodeid, name);
    if (n)
        return reply_entry(in, n);
    if (!timeout_sec && !timeout_nsec)
        return reply(in, ENOENT, 0, 0);
    struct fuse_entry_out e; /* nodeid 0: a negative entry the kernel caches */
    memset(&e, 0, sizeof e);
    e.entry_valid = timeout_sec;
    e.entry_valid_nsec = timeout_nsec;
    reply(in, 0, &e, sizeof e);
}

static void forget(uint64_t ino, uint64_t nlookup)
{
    struct node *n = get(ino);
    if (!n)
        return;
    n->nlookup = nlookup > n->nlookup ? 0 : n->nlookup - nlookup;
    maybe_free(n);
}

static void do_setattr(const struct fuse_in_header *in, struct node *n,
                       const struct fuse_setattr_in *a)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (a->valid & FATTR_SIZE) {
        if (S_ISDIR(n->mode))
            return reply(in, EISDIR, 0, 0);
        int err = resize(n, a->size);
        if (err)
            return reply(in, err, 0, 0);
        n->mtime = now;
    }
    if (a->valid & FATTR_MODE)
        n->mode = (n->mode & S_IFMT) | (a->mode & 07777);
    if (a->valid & FATTR_ATIME)
        n->atime.tv_sec = (time_t)a->atime, n->atime.tv_nsec = a->atimensec;
    if (a->valid & FATTR_ATIME_NOW)
        n->atime = now;
    if (a->valid & FATTR_MTIME)
        n->mtime.tv_sec = (time_t)a->mtime, n->mtime.tv_nsec = a->mtimensec;
    if (a->valid & FATTR_MTIME_NOW)
        n->mtime = now;
    n->ctime = now;
    reply_attr(in, n);
}

static void reply_open(const struct fuse_in_header *in, struct node *n)
{
    struct fuse_open_out o;
    memset(&o, 0, sizeof o);
    o.fh = n->ino;
    o.open_flags = keep_cache ? FOPEN_KEEP_CACHE : 0;
    n->nopen++;
    reply(in, 0, &o, sizeof o);
}

static void do_create(const struct fuse_in_header *in, struct node *dir,
                      const struct fuse_create_in *c, const char *name)
{
    if (!S_ISDIR(dir->mode))
        return reply(in, ENOTDIR, 0, 0);
    if (refuse_direct && (c->flags & O_DIRECT))
        return reply(in, EINVAL, 0, 0);
    struct node *n = find(dir->ino, name);
    if (n && (c->flags & O_EXCL))
        return reply(in, EEXIST, 0, 0);
    if (n && S_ISDIR(n->mode))
        return reply(in, EISDIR, 0, 0);
    if (!n && !(n = new_node(dir, name, S_IFREG | (c->mode & 07777 & ~c->umask))))
        return reply(in, ENOMEM, 0, 0);
    if (c->flags & O_TRUNC)
        resize(n, 0);
    struct {
        struct fuse_entry_out e;
        struct fuse_open_out o;
    } out;
    memset(&out, 0, sizeof out);
    out.e.nodeid = n->ino;
    out.e.entry_valid = out.e.attr_valid = timeout_sec;
    out.e.entry_valid_nsec = out.e.attr_valid_nsec = timeout_nsec;
    fill_attr(n, &out.e.attr);
    out.o.fh = n->ino;
    out.o.open_flags = keep_cache ? FOPEN_KEEP_CACHE : 0;
    n->nlookup++;
    n->nopen++;
    reply(in, 0, &out, sizeof out);
}

static void do_readdir(const struct fuse_in_header *in, struct node *dir,
                       const struct fuse_read_in *r)
{
    static char buf[MAX_WRITE];
    size_t size = r->size < sizeof buf ? r->size : sizeof buf, used = 0;
    uint64_t off = r->offset, i = 0;
    struct node *child = dir->children;
    /* offset: 0 ".", 1 "..", 2+k the k-th child (the list only changes at its head...
     * adequate for fsbench, which never modifies a directory while listing it) */
    for (; i < off && i < 2; i++)
        ;
    for (; child && i < off; i++)
        child = child->snext;
    for (;;) {
        const char *name;
        uint64_t ino;
        uint32_t type;
        if (0 == i)
            name = ".", ino = dir->ino, type = S_IFDIR >> 12;
        else if (1 == i)
            name = "..", ino = dir->parent ? dir->parent : dir->ino, type = S_IFDIR >> 12;
        else if (child)
            name = child->name, ino = child->ino, type = (child->mode & S_IFMT) >> 12;
        else
            break;
        size_t namelen = strlen(name);
        size_t reclen = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);
        if (used + reclen > size)
            break;
        struct fuse_dirent *de = (struct fuse_dirent *)(buf + used);
        de->ino = ino;
        de->off = i + 1;
        de->namelen = (uint32_t)namelen;
        de->type = type;
        memcpy(de->name, name, namelen);
        memset(de->name + namelen, 0, reclen - FUSE_NAME_OFFSET - namelen);
        used += reclen;
        if (i >= 2)
            child = child->snext;
        i++;
    }
    reply(in, 0, buf, used);
}

static void dispatch(char *buf, size_t len)
{
    const struct fuse_in_header *in = (const struct fuse_in_header *)buf;
    const void *arg = buf + sizeof *in;
    if (len < sizeof *in || in->len != len) {
        fprintf(stderr, "raw-floor: short request\n");
        return;
    }
    counts[in->opcode <= MAX_OPCODE ? in->opcode : 0]++;
    struct node *n = 0;
    switch (in->opcode) {
    case FUSE_INIT:
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT:
    case FUSE_DESTROY:
        break;
    default:
        if (!(n = get(in->nodeid)))
            return reply(in, ESTALE, 0, 0);
    }

    switch (in->opcode) {
    case FUSE_INIT:
        return do_init(in, arg);
    case FUSE_DESTROY:
        stop = 1;
        return reply(in, 0, 0, 0);
    case FUSE_LOOKUP:
        return do_lookup(in, arg);
    case FUSE_FORGET:
        return forget(in->nodeid, ((const struct fuse_forget_in *)arg)->nlookup);
    case FUSE_BATCH_FORGET: {
        const struct fuse_batch_forget_in *b = arg;
        const struct fuse_forget_one *one = (const void *)(b + 1);
        for (uint32_t i = 0; i < b->count; i++)
            forget(one[i].nodeid, one[i].nlookup);
        return;
    }
    case FUSE_INTERRUPT:
        return; /* every request is answered at once: nothing to interrupt */
    case FUSE_GETATTR:
        return reply_attr(in, n);
    case FUSE_SETATTR:
        return do_setattr(in, n, arg);
    case FUSE_OPEN: {
        const struct fuse_open_in *o = arg;
        if (S_ISDIR(n->mode))
            return reply(in, EISDIR, 0, 0);
        if (refuse_direct && (o->flags & O_DIRECT))
            return reply(in, EINVAL, 0, 0);
        if (o->flags & O_TRUNC)
            resize(n, 0);
        return reply_open(in, n);
    }
    case FUSE_CREATE: {
        const struct fuse_create_in *c = arg;
        return do_create(in, n, c, (const char *)(c + 1));
    }
    case FUSE_MKNOD: {
        const struct fuse_mknod_in *m = arg;
        const char *name = (const char *)(m + 1);
        if (!S_ISREG(m->mode))
            return reply(in, EPERM, 0, 0);
        if (find(n->ino, name))
            return reply(in, EEXIST, 0, 0);
        struct node *c = new_node(n, name, S_IFREG | (m->mode & 07777 & ~m->umask));
        return c ? reply_entry(in, c) : reply(in, ENOMEM, 0, 0);
    }
    case FUSE_MKDIR: {
        const struct fuse_mkdir_in *m = arg;
        const char *name = (const char *)(m + 1);
        if (!S_ISDIR(n->mode))
            return reply(in, ENOTDIR, 0, 0);
        if (find(n->ino, name))
            return reply(in, EEXIST, 0, 0);
        struct node *c = new_node(n, name, S_IFDIR | (m->mode & 07777 & ~m->umask));
        return c ? reply_entry(in, c) : reply(in, ENOMEM, 0, 0);
    }
    case FUSE_UNLINK:
    case FUSE_RMDIR: {
        struct node *c = find(n->ino, arg);
        if (!c)
            return reply(in, ENOENT, 0, 0);
        if (FUSE_UNLINK == in->opcode && S_ISDIR(c->mode))
            return reply(in, EISDIR, 0, 0);
        if (FUSE_RMDIR == in->opcode && !S_ISDIR(c->mode))
            return reply(in, ENOTDIR, 0, 0);
        if (FUSE_RMDIR == in->opcode && c->nchildren)
            return reply(in, ENOTEMPTY, 0, 0);
        unlink_node(n, c);
        return reply(in, 0, 0, 0);
    }
    case FUSE_READ: {
        const struct fuse_read_in *r = arg;
        size_t size = 0;
        if (r->offset < n->size)
            size = n->size - r->offset < r->size ? n->size - r->offset : r->size;
        return reply(in, 0, n->data + (size ? r->offset : 0), size);
    }
    case FUSE_WRITE: {
        const struct fuse_write_in *w = arg;
        if (w->offset + w->size > n->size) {
            int err = resize(n, w->offset + w->size);
            if (err)
                return reply(in, err, 0, 0);
        }
        memcpy(n->data + w->offset, w + 1, w->size);
        clock_gettime(CLOCK_REALTIME, &n->mtime);
        n->ctime = n->mtime;
        struct fuse_write_out out = {.size = w->size};
        return reply(in, 0, &out, sizeof out);
    }
    case FUSE_RELEASE:
        if (n->nopen)
            n->nopen--;
        reply(in, 0, 0, 0);
        return maybe_free(n);
    case FUSE_OPENDIR: {
        if (!S_ISDIR(n->mode))
            return reply(in, ENOTDIR, 0, 0);
        struct fuse_open_out o;
        memset(&o, 0, sizeof o);
        o.fh = n->ino;
        return reply(in, 0, &o, sizeof o);
    }
    case FUSE_READDIR:
        return do_readdir(in, n, arg);
    case FUSE_RELEASEDIR:
    case FUSE_FSYNC:
    case FUSE_FSYNCDIR:
        return reply(in, 0, 0, 0);
    case FUSE_STATFS: {
        struct fuse_statfs_out s;
        memset(&s, 0, sizeof s);
        s.st.blocks = s.st.bfree = s.st.bavail = 1u << 24;
        s.st.files = s.st.ffree = 1u << 20;
        s.st.bsize = s.st.frsize = 4096;
        s.st.namelen = 255;
        return reply(in, 0, &s, sizeof s);
    }
    default: /* FLUSH, xattrs, ACCESS, ...: ENOSYS, which the kernel remembers */
        return reply(in, ENOSYS, 0, 0);
    }
}

/* ---- FUSE over io_uring (-u) ---- */

struct uring_ent_in_out {
    uint64_t flags;
    uint64_t commit_id;
    uint32_t payload_sz;
    uint32_t padding;
    uint64_t reserved;
};

struct uring_req_header { /* the kernel's struct fuse_uring_req_header */
    char in_out[128];     /* fuse_in_header / fuse_out_header */
    char op_in[128];      /* the opcode's first argument */
    struct uring_ent_in_out ent;
};

struct uring_cmd_req { /* in the SQE's command area */
    uint64_t flags;
    uint64_t commit_id;
    uint16_t qid;
    uint8_t padding[6];
};

enum { URING_CMD_REGISTER = 1, URING_CMD_COMMIT_AND_FETCH = 2 };
#define HEAD_ROOM 4096 /* room for the header and the first argument in front of the payload */

struct ring_ent {
    struct ring_q *q;
    uint64_t commit_id;
    char *mem; /* header at the start, payload at HEAD_ROOM */
    struct uring_req_header *hdr;
    char *payload;
    struct iovec iov[2];
};

struct ring_q {
    unsigned qid;
    int ring_fd;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask, sq_local;
    void *sqes;
    struct io_uring_cqe *cqes;
    unsigned to_submit;
    struct ring_ent *ents;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER; /* the table, with -u */
static size_t payload_size;

static int ring_setup(struct ring_q *q, unsigned entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SQE128;
    int fd = (int)syscall(__NR_io_uring_setup, entries, &p);
    if (fd < 0)
        return -1;
    q->ring_fd = fd;
    size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (cq_sz > sq_sz)
        sq_sz = cq_sz;
    char *sq = mmap(0, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                    IORING_OFF_SQ_RING);
    q->sqes = mmap(0, p.sq_entries * 128, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                   IORING_OFF_SQES);
    if (MAP_FAILED == sq || MAP_FAILED == q->sqes || !(p.features & IORING_FEAT_SINGLE_MMAP))
        return -1;
    q->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    q->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    q->sq_array = (unsigned *)(sq + p.sq_off.array);
    q->cq_head = (unsigned *)(sq + p.cq_off.head);
    q->cq_tail = (unsigned *)(sq + p.cq_off.tail);
    q->cq_mask = (unsigned *)(sq + p.cq_off.ring_mask);
    q->cqes = (struct io_uring_cqe *)(sq + p.cq_off.cqes);
    q->sq_local = *q->sq_tail;
    return 0;
}

static void push_cmd(struct ring_q *q, struct ring_ent *e, unsigned op)
{
    unsigned idx = q->sq_local & *q->sq_mask;
    struct io_uring_sqe *sqe = (void *)((char *)q->sqes + (size_t)idx * 128);
    memset(sqe, 0, 128);
    q->sq_array[idx] = idx;
    q->sq_local++;
    q->to_submit++;
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = fuse_fd;
    sqe->cmd_op = op;
    sqe->user_data = (uint64_t)(uintptr_t)e;
    if (URING_CMD_REGISTER == op) {
        sqe->addr = (uint64_t)(uintptr_t)e->iov;
        sqe->len = 2;
    }
    struct uring_cmd_req *c = (void *)sqe->cmd;
    c->qid = (uint16_t)q->qid;
    c->commit_id = URING_CMD_COMMIT_AND_FETCH == op ? e->commit_id : 0;
}

static void ring_reply(struct ring_ent *e, int err, const void *data, size_t size)
{
    if (err || size > payload_size)
        size = 0;
    if (size)
        memcpy(e->payload, data, size);
    struct fuse_out_header out = {.len = (uint32_t)(sizeof out + size), .error = -err,
                                  .unique = e->commit_id};
    memcpy(e->hdr->in_out, &out, sizeof out);
    memset(&e->hdr->ent, 0, sizeof e->hdr->ent);
    e->hdr->ent.commit_id = e->commit_id;
    e->hdr->ent.payload_sz = (uint32_t)size;
}

/* One queue's thread: register its entries, then answer and commit-and-fetch, forever. */
static void *ring_main(void *arg)
{
    struct ring_q *q = arg;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(q->qid, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one); /* may fail (not allowed): fine */
    for (unsigned i = 0; i < uring_depth; i++)
        push_cmd(q, &q->ents[i], URING_CMD_REGISTER);
    for (;;) {
        __atomic_store_n(q->sq_tail, q->sq_local, __ATOMIC_RELEASE);
        long r = syscall(__NR_io_uring_enter, q->ring_fd, q->to_submit, 1, IORING_ENTER_GETEVENTS,
                         (void *)0, (size_t)0);
        if (r < 0 && EINTR != errno && EAGAIN != errno && EBUSY != errno)
            break;
        if (r > 0)
            q->to_submit -= (unsigned)r < q->to_submit ? (unsigned)r : q->to_submit;
        unsigned head = *q->cq_head;
        while (head != __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE)) {
            struct io_uring_cqe *cqe = &q->cqes[head & *q->cq_mask];
            struct ring_ent *e = (void *)(uintptr_t)cqe->user_data;
            int res = cqe->res;
            __atomic_store_n(q->cq_head, ++head, __ATOMIC_RELEASE);
            if (-EAGAIN == res) { /* the kernel has not seen the INIT reply yet */
                sched_yield();
                push_cmd(q, e, URING_CMD_REGISTER);
                continue;
            }
            if (res < 0)
                return 0; /* unmounted (or aborted) */
            /* put the request back together in front of the payload and answer it */
            struct fuse_in_header in;
            memcpy(&in, e->hdr->in_out, sizeof in);
            uint32_t psz = e->hdr->ent.payload_sz;
            size_t oplen = in.len - sizeof in - psz;
            e->commit_id = e->hdr->ent.commit_id;
            if (in.len < sizeof in + psz || psz > payload_size || oplen > sizeof e->hdr->op_in) {
                ring_reply(e, EIO, 0, 0);
            } else {
                char *start = e->payload - oplen - sizeof in;
                memcpy(start, &in, sizeof in);
                memcpy(start + sizeof in, e->hdr->op_in, oplen);
                cur_ent = e;
                pthread_mutex_lock(&table_lock);
                ring_requests++;
                dispatch(start, in.len);
                pthread_mutex_unlock(&table_lock);
                cur_ent = 0;
            }
            push_cmd(q, e, URING_CMD_COMMIT_AND_FETCH);
        }
    }
    return 0;
}

/* After the INIT reply asked for io_uring: a thread per kernel queue. */
static int start_rings(void)
{
    unsigned nq = (unsigned)get_nprocs_conf();
    payload_size = MAX_WRITE > MAX_PAGES * 4096 ? MAX_WRITE : MAX_PAGES * 4096;
    for (unsigned qid = 0; qid < nq; qid++) {
        struct ring_q *q = calloc(1, sizeof *q);
        if (!q || !(q->ents = calloc(uring_depth, sizeof *q->ents)))
            return -1;
        q->qid = qid;
        unsigned entries = 8;
        while (entries < 2 * uring_depth + 4)
            entries *= 2;
        if (ring_setup(q, entries) < 0) {
            perror("raw-floor: io_uring_setup");
            return -1;
        }
        for (unsigned i = 0; i < uring_depth; i++) {
            struct ring_ent *e = &q->ents[i];
            e->q = q;
            e->mem = aligned_alloc(4096, HEAD_ROOM + payload_size);
            if (!e->mem)
                return -1;
            e->hdr = (struct uring_req_header *)e->mem;
            e->payload = e->mem + HEAD_ROOM;
            e->iov[0] = (struct iovec){e->hdr, sizeof *e->hdr};
            e->iov[1] = (struct iovec){e->payload, payload_size};
        }
        pthread_t t;
        if (pthread_create(&t, 0, ring_main, q))
            return -1;
        pthread_detach(t);
    }
    return 0;
}

/* ---- experiments with the reading threads on /dev/fuse (-T, -S, -Y, -A) ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CPU a thread last ran on (field 39 of /proc/TID/stat), or -1. */
static int last_cpu_of(uint32_t tid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%u/stat", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* after ") ": field 3 (state) onwards; the CPU is field 39 */
    int field = 2;
    for (; *p && field < 39; p++)
        if (' ' == *p)
            field++;
    return *p ? atoi(p) : -1;
}

static void serve_locked(char *buf, size_t len, int fd)
{
    reply_fd = fd;
    pthread_mutex_lock(&table_lock);
    dispatch(buf, len);
    pthread_mutex_unlock(&table_lock);
}

static void *reader_main(void *arg)
{
    int fd = fuse_fd, nbfd = -1;
    if (opt_percpu) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET((int)(intptr_t)arg, &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    }
    if (opt_spin_us || opt_percpu) {
        /* a second descriptor of the connection, non-blocking, for the reads after a reply */
        nbfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        uint32_t master = (uint32_t)fuse_fd;
        if (nbfd < 0 || ioctl(nbfd, FUSE_DEV_IOC_CLONE, &master) < 0 ||
            fcntl(nbfd, F_SETFL, O_NONBLOCK) < 0) {
            perror("raw-floor: clone /dev/fuse");
            exit(1);
        }
    }
    char *buf = malloc(BUFSIZE);
    if (!buf)
        exit(1);
    unsigned long served = 0;
    bool spin = false;
    while (!stop) {
        ssize_t r = -1;
        int from = fd;
        if (spin) {
            uint64_t end = now_ns() + (uint64_t)opt_spin_us * 1000u;
            for (;;) {
                r = read(nbfd, buf, BUFSIZE);
                if (r >= 0 || EAGAIN != errno || now_ns() >= end)
                    break;
                if (opt_yield)
                    sched_yield();
            }
            from = nbfd;
            if (r < 0 && EAGAIN == errno) {
                spin = false;
                continue;
            }
        } else if (opt_percpu) {
            struct pollfd p = {nbfd, POLLIN, 0};
            if (poll(&p, 1, -1) < 0)
                continue;
            r = read(nbfd, buf, BUFSIZE);
            from = nbfd;
        } else
            r = read(fd, buf, BUFSIZE);
        if (r < 0) {
            if (EINTR == errno || EAGAIN == errno || ENOENT == errno)
                continue;
            break; /* ENODEV: unmounted */
        }
        const struct fuse_in_header *in = (const struct fuse_in_header *)buf;
        if (opt_follow && r >= (ssize_t)sizeof *in && in->pid && 0 == served++ % opt_follow) {
            int cpu = last_cpu_of(in->pid);
            if (cpu >= 0 && cpu != sched_getcpu()) {
                cpu_set_t one;
                CPU_ZERO(&one);
                CPU_SET(cpu, &one);
                pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            }
        }
        serve_locked(buf, (size_t)r, from);
        spin = 0 != opt_spin_us;
    }
    return 0;
}

/* Serve /dev/fuse with opt_threads readers (this thread among them) until stopped. */
static void serve_readers(void)
{
    if (opt_percpu)
        opt_threads = (unsigned)get_nprocs();
    /* The other readers block the stop signals, so that they reach this thread, which unmounts. */
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stops, &old);
    for (unsigned i = 1; i < opt_threads; i++) {
        pthread_t t;
        if (pthread_create(&t, 0, reader_main, (void *)(intptr_t)i))
            exit(1);
        pthread_detach(t);
    }
    pthread_sigmask(SIG_SETMASK, &old, 0);
    reader_main(0);
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char *opnames[MAX_OPCODE + 1] = {
    [FUSE_LOOKUP] = "LOOKUP", [FUSE_FORGET] = "FORGET", [FUSE_GETATTR] = "GETATTR",
    [FUSE_SETATTR] = "SETATTR", [FUSE_MKNOD] = "MKNOD", [FUSE_MKDIR] = "MKDIR",
    [FUSE_UNLINK] = "UNLINK", [FUSE_RMDIR] = "RMDIR", [FUSE_OPEN] = "OPEN", [FUSE_READ] = "READ",
    [FUSE_WRITE] = "WRITE", [FUSE_STATFS] = "STATFS", [FUSE_RELEASE] = "RELEASE",
    [FUSE_FSYNC] = "FSYNC", [FUSE_GETXATTR] = "GETXATTR", [FUSE_FLUSH] = "FLUSH",
    [FUSE_INIT] = "INIT", [FUSE_OPENDIR] = "OPENDIR", [FUSE_READDIR] = "READDIR",
    [FUSE_RELEASEDIR] = "RELEASEDIR", [FUSE_ACCESS] = "ACCESS", [FUSE_CREATE] = "CREATE",
    [FUSE_INTERRUPT] = "INTERRUPT", [FUSE_DESTROY] = "DESTROY",
    [FUSE_BATCH_FORGET] = "BATCH_FORGET",
};

int main(int argc, char **argv)
{
    long long t = -1;
    bool stats = false;
    int opt;
    while (-1 != (opt = getopt(argc, argv, "t:sduq:T:S:YA:Ph"))) {
        char *end;
        switch (opt) {
        case 't':
            errno = 0;
            t = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end || t < -1) {
                fprintf(stderr, "raw-floor: bad -t '%s' (milliseconds, or -1)\n", optarg);
                return 2;
            }
            break;
        case 's':
            stats = true;
            break;
        case 'd':
            refuse_direct = true;
            break;
        case 'u':
            use_uring = true;
            break;
        case 'q':
            uring_depth = (unsigned)strtoul(optarg, 0, 10);
            if (uring_depth < 1 || uring_depth > 64) {
                fprintf(stderr, "raw-floor: bad -q '%s' (1..64)\n", optarg);
                return 2;
            }
            break;
        case 'T':
        case 'S':
        case 'A': {
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            unsigned long max = 'T' == opt ? 64 : 'S' == opt ? 100000 : 1000000;
            if (errno || end == optarg || *end || v < 1 || v > max) {
                fprintf(stderr, "raw-floor: bad -%c '%s' (1..%lu)\n", opt, optarg, max);
                return 2;
            }
            *('T' == opt ? &opt_threads : 'S' == opt ? &opt_spin_us : &opt_follow) = (unsigned)v;
            break;
        }
        case 'Y':
            opt_yield = true;
            break;
        case 'P':
            opt_percpu = true;
            break;
        case 'h':
        default:
            fprintf(opt == 'h' ? stdout : stderr,
                    "usage: raw-floor [-t MS] [-s] [-d] [-u [-q DEPTH]] [-T N] [-S US [-Y]] [-A N] [-P]\n"
                    "                 MOUNTPOINT\n"
                    "  -t MS  entry/attr timeout in ms; -1 (default): forever + keep page cache\n"
                    "  -s     print request counts by opcode at exit\n"
                    "  -d     refuse O_DIRECT opens with EINVAL\n"
                    "  -u     FUSE over io_uring (fuse.enable_uring=Y): a thread per kernel queue\n"
                    "  -q N   ring entries per queue with -u (default 1)\n"
                    "  experiments on /dev/fuse (unpinned placement):\n"
                    "  -T N   N threads in read(2) (the table under a mutex)\n"
                    "  -S US  after a reply, read without waiting for up to US microseconds\n"
                    "  -Y     sched_yield between those reads\n"
                    "  -A N   every N requests, move the reading thread to its caller's last CPU\n"
                    "  -P     a reader pinned to each CPU, all waiting in poll(2) (each request wakes\n"
                    "         them all; the one on the caller's CPU is usually first)\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: raw-floor [-t MS] [-s] [-d] [-u [-q DEPTH]] [-T N] [-S US [-Y]] [-A N] [-P]\n"
                    "                 MOUNTPOINT\n");
        return 2;
    }
    const char *mnt = argv[optind];
    if (t < 0) {
        timeout_sec = 365ULL * 24 * 3600, timeout_nsec = 0;
        keep_cache = true;
    } else {
        timeout_sec = (uint64_t)t / 1000, timeout_nsec = (uint32_t)(t % 1000) * 1000000u;
    }

    struct node *root = new_node(0, "", S_IFDIR | 0755);
    if (!root || 1 != root->ino)
        return 1;
    root->nlookup = 1;

    fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fuse_fd < 0) {
        perror("raw-floor: /dev/fuse");
        return 1;
    }
    char opts[256];
    snprintf(opts, sizeof opts,
             "fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other", fuse_fd);
    if (mount("rawfloor", mnt, "fuse.rawfloor", MS_NOSUID | MS_NODEV, opts) < 0) {
        fprintf(stderr, "raw-floor: mount %s: %s\n", mnt, strerror(errno));
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: read(2) returns EINTR */
    sigaction(SIGTERM, &sa, 0);
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGHUP, &sa, 0);
    signal(SIGPIPE, SIG_IGN);

    char *buf = malloc(BUFSIZE);
    if (!buf)
        return 1;
    int rc = 0;
    while (!stop) {
        if (!use_uring && counts[FUSE_INIT] && (opt_threads > 1 || opt_spin_us || opt_follow || opt_percpu)) {
            serve_readers();
            break;
        }
        ssize_t r = read(fuse_fd, buf, BUFSIZE);
        if (r < 0) {
            if (EINTR == errno || EAGAIN == errno)
                continue;
            if (ENOENT == errno) /* the request was interrupted before we read it */
                continue;
            if (ENODEV != errno) { /* ENODEV: unmounted */
                perror("raw-floor: read /dev/fuse");
                rc = 1;
            }
            break;
        }
        bool was = uring_negotiated;
        if (use_uring)
            pthread_mutex_lock(&table_lock);
        dispatch(buf, (size_t)r);
        if (use_uring)
            pthread_mutex_unlock(&table_lock);
        if (!was && uring_negotiated && start_rings() < 0) {
            fprintf(stderr, "raw-floor: cannot set up the io_uring queues\n");
            rc = 1;
            break;
        }
    }
    if (use_uring && !uring_negotiated)
        fprintf(stderr, "raw-floor: the kernel did not offer FUSE over io_uring "
                        "(fuse.enable_uring?): /dev/fuse was used\n");
    if (umount2(mnt, MNT_DETACH) < 0 && EINVAL != errno && ENOENT != errno)
        fprintf(stderr, "raw-floor: umount %s: %s\n", mnt, strerror(errno));
    close(fuse_fd);
    if (stats) {
        if (uring_negotiated) {
            pthread_mutex_lock(&table_lock);
            fprintf(stderr, "%-13s %llu\n", "(io_uring)", ring_requests);
            pthread_mutex_unlock(&table_lock);
        }
        for (int i = 0; i <= MAX_OPCODE; i++)
            if (counts[i])
                fprintf(stderr, "%-13s %llu\n", opnames[i] ? opnames[i] : "other",
                        (unsigned long long)counts[i]);
    }
    return rc;
}
