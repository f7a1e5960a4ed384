/*
 * tests/unit/test-engine.c - the engine fed with FUSE messages through a
 * SOCK_SEQPACKET socketpair standing in for /dev/fuse (no mount), with memfs
 * as the file system.
 *
 * Each test starts a memfs, attaches one end of a socketpair to its engine
 * (fsp_engine_attach_fd), starts the dispatcher and plays the kernel on the
 * other end: it writes requests (fuse_in_header + arguments, one message per
 * write) and reads replies (fuse_out_header + payload) with a poll timeout,
 * so a missing reply fails the test instead of hanging it. The teardown
 * stops the dispatcher and deletes the file system after every test, failed
 * or not.
 *
 * Options: -v shows the engine's debug log (hidden otherwise, since the
 * malformed-message tests make it complain on purpose). TEST_ENGINE_FUZZ=SEED[,N]
 * varies the fuzz tests (including fuzz_pending, interrupts racing late completions).
 */
#include "core.h"
#include "fs_errors.h"
#include "memfs.h"
#include "tlib.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define REPLY_TIMEOUT_MS 5000
#define NO_REPLY_WAIT_MS 150

static MEMFS *g_memfs;
static int g_sock = -1;
static uint64_t g_unique;
static bool g_big_ok; /* the socket buffers take messages of max_write */
static unsigned g_notifications; /* notifications the engine sent (unique 0) */
/* INTERRUPTs not answered yet: handled (no reply ever) or an EAGAIN that may still come. */
static uint64_t g_late[4096];
static size_t g_nlate;

/* A late EAGAIN to one of g_late: consume it. */
static bool late_reply(const struct fuse_out_header *o)
{
    for (size_t k = 0; k < g_nlate; k++)
        if (g_late[k] == o->unique) {
            ASSERT_EQ(o->error, -EAGAIN);
            g_late[k] = g_late[--g_nlate];
            return true;
        }
    return false;
}
/* Large enough for any reply (max_write plus headers). */
static unsigned char g_rbuf[FSP_ENGINE_BUFSIZE + 4096];

/* A parsed directory listing. */
struct listing {
    char **names;
    uint64_t *offs, *inos, *nodeids;
    uint32_t *types;
    size_t n, cap;
};
/* The listings of a test (globals so that the teardown frees them after a failed ASSERT). */
static struct listing g_l1, g_l2;

/* ---- fixture ---- */

static FSP_FILE_SYSTEM *fs(void)
{
    return MemfsFileSystem(g_memfs);
}

/*
 * A test may change memfs's interface before the dispatcher starts: g_patch (set before
 * start/start_slow) edits a copy, g_iface, which the file system then uses; g_memfs_iface is
 * memfs's own, for the wrappers to call. The teardown resets g_patch.
 */
static void (*g_patch)(FSP_FILE_SYSTEM_INTERFACE *iface);
static FSP_FILE_SYSTEM_INTERFACE g_iface;
static const FSP_FILE_SYSTEM_INTERFACE *g_memfs_iface;

static void apply_patch(void)
{
    g_memfs_iface = fs()->Interface;
    if (g_patch) {
        g_iface = *g_memfs_iface;
        g_patch(&g_iface);
        fs()->Interface = &g_iface;
    }
}

static struct fsp_engine *engine(void)
{
    return fs()->Engine;
}

/* Start memfs on a socketpair, dispatcher running, FUSE_INIT not yet sent. */
static void start_raw(ULONG flags, ULONG file_info_timeout, ULONG max_nodes, unsigned threads)
{
    NTSTATUS status = MemfsCreate(flags, file_info_timeout, max_nodes, 16 * 1024 * 1024, 0, 0, &g_memfs);
    if (STATUS_NO_SUCH_DEVICE == status || STATUS_ACCESS_DENIED == status)
        tlib_skip("no usable /dev/fuse (FspFileSystemCreate opens it)");
    ASSERT_EQ(status, STATUS_SUCCESS);
    apply_patch();
    int sv[2];
    ASSERT(0 == socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
    g_sock = sv[0];
    /* /dev/fuse carries max_write-sized messages; a datagram socket needs send buffers for them
     * (SO_SNDBUFFORCE needs CAP_NET_ADMIN; without it big transfers are skipped). */
    int size = 4 * FSP_ENGINE_BUFSIZE;
    g_big_ok = true;
    for (int i = 0; i < 2; i++)
        if (0 != setsockopt(sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size))
            g_big_ok = false;
    status = fsp_engine_attach_fd(fs(), sv[1]);
    if (!NT_SUCCESS(status))
        close(sv[1]);
    ASSERT_EQ(status, STATUS_SUCCESS);
    /* Attaching twice or mounting an attached engine are refused only while dispatching;
     * mounting after attaching is refused always. */
    ASSERT_EQ(FspFileSystemSetMountPoint(fs(), L"/tmp"), STATUS_INVALID_DEVICE_STATE);
    ASSERT_EQ(FspFileSystemStartDispatcher(fs(), threads), STATUS_SUCCESS);
    g_unique = 0;
    g_notifications = 0;
    g_nlate = 0;
}

static void listing_free(struct listing *l);
static void gate_open(void);
static void forget_pending(void);
static void teardown(void)
{
    g_patch = 0;
    gate_open(); /* a worker a failed test left at a gate */
    listing_free(&g_l1);
    listing_free(&g_l2);
    if (g_memfs) {
        MemfsDelete(g_memfs); /* stops the dispatcher, frees the engine (closes its end) */
        g_memfs = 0;
    }
    if (g_sock >= 0) {
        close(g_sock);
        g_sock = -1;
    }
    forget_pending();
}

/* ---- messages ---- */

/* Write one raw message; asserts it went out whole. */
static void send_raw(const void *msg, size_t len)
{
    ssize_t n = write(g_sock, msg, len);
    ASSERT_EQ(n, (ssize_t)len);
}

/* Send a request made of a header and up to two argument pieces; returns its unique. */
static uint64_t send_req(uint32_t opcode, uint64_t nodeid, const void *a, size_t al, const void *b,
                         size_t bl)
{
    struct fuse_in_header h;
    memset(&h, 0, sizeof h);
    g_unique += 2; /* kernel uniques are even; bit 0 marks interrupts */
    h.len = (uint32_t)(sizeof h + al + bl);
    h.opcode = opcode;
    h.unique = g_unique;
    h.nodeid = nodeid;
    h.uid = (uint32_t)geteuid();
    h.gid = (uint32_t)getegid();
    h.pid = (uint32_t)getpid();
    struct iovec v[3] = {{&h, sizeof h}, {(void *)a, al}, {(void *)b, bl}};
    ssize_t n = writev(g_sock, v, 3);
    ASSERT_EQ(n, (ssize_t)h.len);
    return h.unique;
}

/* Read one message within timeout_ms; -1 when none came. */
static ssize_t recv_msg(int timeout_ms)
{
    struct pollfd p = {g_sock, POLLIN, 0};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && EINTR == errno);
    if (r <= 0 || !(p.revents & POLLIN))
        return -1;
    return read(g_sock, g_rbuf, sizeof g_rbuf);
}

/* A notification (unique 0) the engine sent on its own: well formed, counted. */
static void check_notification(ssize_t n)
{
    struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
    ASSERT_EQ(o->len, n);
    ASSERT(o->error == FUSE_NOTIFY_INVAL_INODE || o->error == FUSE_NOTIFY_INVAL_ENTRY);
    if (FUSE_NOTIFY_INVAL_INODE == o->error)
        ASSERT_EQ(n, sizeof *o + sizeof(struct fuse_notify_inval_inode_out));
    else {
        struct fuse_notify_inval_entry_out e;
        ASSERT(n >= (ssize_t)(sizeof *o + sizeof e));
        memcpy(&e, g_rbuf + sizeof *o, sizeof e);
        ASSERT_EQ(n, sizeof *o + sizeof e + e.namelen + 1);
    }
    g_notifications++;
}

/* Read the reply to `unique`: asserts it comes, is well formed and answers that request.
 * Returns the error field (0 or -errno); payload in *pdata, *plen. */
static int recv_reply(uint64_t unique, void **pdata, size_t *plen)
{
    ssize_t n;
    struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
    for (;;) {
        n = recv_msg(REPLY_TIMEOUT_MS);
        if (n < 0)
            fprintf(stderr, "    no reply to unique %llu\n", (unsigned long long)unique);
        ASSERT(n >= (ssize_t)sizeof(struct fuse_out_header));
        if (0 == o->unique)
            check_notification(n);
        else if (!late_reply(o))
            break;
    }
    ASSERT_EQ(o->len, n);
    ASSERT_EQ(o->unique, unique);
    ASSERT(o->error <= 0 && o->error > -4096);
    if (o->error)
        ASSERT_EQ(o->len, sizeof *o); /* errors carry no payload */
    if (pdata)
        *pdata = g_rbuf + sizeof *o;
    if (plen)
        *plen = (size_t)n - sizeof *o;
    return o->error;
}

/* One request and its reply. */
static int call(uint32_t opcode, uint64_t nodeid, const void *a, size_t al, const void *b, size_t bl,
                void **pdata, size_t *plen)
{
    uint64_t u = send_req(opcode, nodeid, a, al, b, bl);
    return recv_reply(u, pdata, plen);
}

/* Assert that nothing arrives for a while (requests that get no reply). */
static void expect_no_reply(void)
{
    ssize_t n = recv_msg(NO_REPLY_WAIT_MS);
    if (n >= (ssize_t)sizeof(struct fuse_out_header)) {
        struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
        fprintf(stderr, "    unexpected reply: unique %llu error %d len %u\n",
                (unsigned long long)o->unique, o->error, o->len);
    }
    ASSERT_EQ(n, -1);
}

/* ---- operations ---- */

static int do_init(uint32_t major, uint32_t minor, uint64_t flags, size_t arglen,
                   struct fuse_init_out *out)
{
    struct fuse_init_in in;
    memset(&in, 0, sizeof in);
    in.major = major;
    in.minor = minor;
    in.max_readahead = 128 * 1024;
    in.flags = (uint32_t)flags;
    in.flags2 = (uint32_t)(flags >> 32);
    void *data;
    size_t len;
    int err = call(FUSE_INIT, 0, &in, arglen, 0, 0, &data, &len);
    if (out)
        memset(out, 0, sizeof *out);
    if (!err) {
        ASSERT_EQ(len, sizeof *out);
        if (out)
            memcpy(out, data, sizeof *out);
    }
    return err;
}

/* Everything the kernel of today offers. */
#define ALL_FLAGS (0xffffffffULL | (0xffffffffULL << 32))

static void start(ULONG flags, ULONG file_info_timeout, unsigned threads)
{
    start_raw(flags, file_info_timeout, 1024, threads);
    struct fuse_init_out out;
    ASSERT_EQ(do_init(FUSE_KERNEL_VERSION, FSP_FUSE_MINOR_MAX, ALL_FLAGS, sizeof(struct fuse_init_in),
                      &out), 0);
}

static int lookup(uint64_t parent, const char *name, struct fuse_entry_out *out)
{
    void *data;
    size_t len;
    int err = call(FUSE_LOOKUP, parent, name, strlen(name) + 1, 0, 0, &data, &len);
    if (!err) {
        ASSERT_EQ(len, sizeof *out);
        memcpy(out, data, sizeof *out);
    }
    return err;
}

static int mkdir_(uint64_t parent, const char *name, uint32_t mode, struct fuse_entry_out *out)
{
    struct fuse_mkdir_in in = {.mode = mode, .umask = 022};
    void *data;
    size_t len;
    int err = call(FUSE_MKDIR, parent, &in, sizeof in, name, strlen(name) + 1, &data, &len);
    if (!err) {
        ASSERT_EQ(len, sizeof *out);
        memcpy(out, data, sizeof *out);
    }
    return err;
}

static int create(uint64_t parent, const char *name, uint32_t mode, struct fuse_entry_out *entry,
                  uint64_t *pfh)
{
    struct fuse_create_in in = {.flags = O_RDWR | O_CREAT | O_EXCL, .mode = S_IFREG | mode, .umask = 022};
    void *data;
    size_t len;
    int err = call(FUSE_CREATE, parent, &in, sizeof in, name, strlen(name) + 1, &data, &len);
    if (!err) {
        struct fuse_open_out oo;
        ASSERT_EQ(len, sizeof *entry + sizeof oo);
        memcpy(entry, data, sizeof *entry);
        memcpy(&oo, (char *)data + sizeof *entry, sizeof oo);
        *pfh = oo.fh;
    }
    return err;
}

static int getattr(uint64_t nodeid, struct fuse_attr *attr)
{
    struct fuse_getattr_in in;
    memset(&in, 0, sizeof in);
    void *data;
    size_t len;
    int err = call(FUSE_GETATTR, nodeid, &in, sizeof in, 0, 0, &data, &len);
    if (!err) {
        struct fuse_attr_out out;
        ASSERT_EQ(len, sizeof out);
        memcpy(&out, data, sizeof out);
        *attr = out.attr;
    }
    return err;
}

static int open_(uint64_t nodeid, uint32_t flags, uint64_t *pfh, bool dir)
{
    struct fuse_open_in in = {.flags = flags};
    void *data;
    size_t len;
    int err = call(dir ? FUSE_OPENDIR : FUSE_OPEN, nodeid, &in, sizeof in, 0, 0, &data, &len);
    if (!err) {
        struct fuse_open_out out;
        ASSERT_EQ(len, sizeof out);
        memcpy(&out, data, sizeof out);
        *pfh = out.fh;
    }
    return err;
}

static int release(uint64_t nodeid, uint64_t fh, bool dir)
{
    struct fuse_release_in in = {.fh = fh};
    size_t len;
    int err = call(dir ? FUSE_RELEASEDIR : FUSE_RELEASE, nodeid, &in, sizeof in, 0, 0, 0, &len);
    ASSERT_EQ(len, 0);
    return err;
}

static int write_(uint64_t nodeid, uint64_t fh, uint64_t off, const void *buf, uint32_t size,
                  uint32_t *pwritten)
{
    struct fuse_write_in in = {.fh = fh, .offset = off, .size = size};
    void *data;
    size_t len;
    int err = call(FUSE_WRITE, nodeid, &in, sizeof in, buf, size, &data, &len);
    if (!err) {
        struct fuse_write_out out;
        ASSERT_EQ(len, sizeof out);
        memcpy(&out, data, sizeof out);
        *pwritten = out.size;
    }
    return err;
}

/* READ / READDIR / READDIRPLUS: payload in *pdata (g_rbuf), *plen bytes. */
static int read_(uint32_t opcode, uint64_t nodeid, uint64_t fh, uint64_t off, uint32_t size,
                 void **pdata, size_t *plen)
{
    struct fuse_read_in in = {.fh = fh, .offset = off, .size = size};
    int err = call(opcode, nodeid, &in, sizeof in, 0, 0, pdata, plen);
    if (!err)
        ASSERT(*plen <= size);
    return err;
}

static void forget(uint64_t nodeid, uint64_t nlookup)
{
    struct fuse_forget_in in = {.nlookup = nlookup};
    send_req(FUSE_FORGET, nodeid, &in, sizeof in, 0, 0);
}

static size_t node_count(void)
{
    struct fsp_engine *e = engine();
    pthread_rwlock_rdlock(&e->nodes_lock);
    size_t n = e->nnodes;
    pthread_rwlock_unlock(&e->nodes_lock);
    return n;
}

static bool node_known(uint64_t nodeid)
{
    PWSTR path = 0;
    return 0 == fsp_node_path(engine(), nodeid, FSP_PATH_NODE, &path);
}

/* A STATFS round trip: after it, every earlier request (one worker) has been processed. */
static void sync_engine(void)
{
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_STATFS, FUSE_ROOT_ID, 0, 0, 0, 0, &data, &len), 0);
}

/* ---- FUSE_INIT ---- */

static void init_current_kernel(void)
{
    start_raw(0, 0, 1024, 1);
    struct fuse_init_out out;
    ASSERT_EQ(do_init(7, FSP_FUSE_MINOR_MAX, ALL_FLAGS, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(out.major, 7);
    ASSERT_EQ(out.minor, FSP_FUSE_MINOR_MAX);
    ASSERT(out.flags & FUSE_MAX_PAGES);
    ASSERT(out.flags & FUSE_INIT_EXT);
    ASSERT(out.flags & FUSE_BIG_WRITES);
    ASSERT_EQ(out.max_write, FSP_ENGINE_MAX_WRITE);
    ASSERT_EQ(out.max_pages, FSP_ENGINE_MAX_PAGES);
    ASSERT_EQ(out.max_readahead, 128 * 1024);
    ASSERT(out.time_gran > 0);
    ASSERT_EQ(fsp_engine_proto_minor(engine()), FSP_FUSE_MINOR_MAX);
    ASSERT_EQ(fsp_engine_init_flags(engine()), (uint64_t)out.flags | (uint64_t)out.flags2 << 32);
    /* The session serves requests now. */
    struct fuse_attr attr;
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), 0);
    ASSERT(S_ISDIR(attr.mode));
}

static void init_flags_subset(void)
{
    start_raw(0, 0, 1024, 1);
    /* Offered without FUSE_INIT_EXT: flags2 must be ignored and nothing beyond the offer returned. */
    uint64_t offered = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_ATOMIC_O_TRUNC | FUSE_POSIX_LOCKS |
                       FUSE_EXPORT_SUPPORT | ((uint64_t)0xffffffff << 32);
    struct fuse_init_out out;
    ASSERT_EQ(do_init(7, 38, offered, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(out.major, 7);
    ASSERT_EQ(out.minor, 38);
    ASSERT_EQ(out.flags & ~(uint32_t)offered, 0);
    ASSERT_EQ(out.flags2, 0);
    ASSERT(out.flags & FUSE_ASYNC_READ);
    ASSERT(out.flags & FUSE_BIG_WRITES);
    /* No FUSE_MAX_PAGES: the kernel's 32 pages limit max_write. */
    ASSERT_EQ(out.max_pages, 0);
    ASSERT(out.max_write > 0 && out.max_write <= 32 * 4096);

    /* Nothing offered: nothing taken. */
    teardown();
    start_raw(0, 0, 1024, 1);
    ASSERT_EQ(do_init(7, 40, 0, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(out.flags, 0);
    ASSERT_EQ(out.flags2, 0);
}

static void init_old_kernel(void)
{
    start_raw(0, 0, 1024, 1);
    /* Before 7.36 the kernel sends only major, minor, max_readahead and flags (16 bytes). */
    struct fuse_init_out out;
    ASSERT_EQ(do_init(7, 31, FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES | FUSE_DO_READDIRPLUS,
                      16, &out), 0);
    ASSERT_EQ(out.major, 7);
    ASSERT_EQ(out.minor, 31);
    ASSERT_EQ(out.flags & ~(uint32_t)(FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
                                      FUSE_DO_READDIRPLUS), 0);
    ASSERT_EQ(out.flags2, 0);
    ASSERT_EQ(fsp_engine_proto_minor(engine()), 31);
    /* Operations work at 7.31. */
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "old", 0644, &e, &fh), 0);
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, fh, 0, "abc", 3, &w), 0);
    ASSERT_EQ(w, 3);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "old", &e), 0);
    ASSERT_EQ(e.attr.size, 3);
}

static void init_newer_kernel(void)
{
    start_raw(0, 0, 1024, 1);
    struct fuse_init_out out;
    /* A newer minor: ours. */
    ASSERT_EQ(do_init(7, 99, ALL_FLAGS, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(out.major, 7);
    ASSERT_EQ(out.minor, FSP_FUSE_MINOR_MAX);
    teardown();

    /* A newer major: the engine answers with its own version and waits for a new INIT. */
    start_raw(0, 0, 1024, 1);
    ASSERT_EQ(do_init(8, 0, ALL_FLAGS, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(out.major, 7);
    ASSERT_EQ(out.minor, FSP_FUSE_MINOR_MAX);
    struct fuse_attr attr;
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), -EIO); /* not initialized yet */
    ASSERT_EQ(do_init(7, FSP_FUSE_MINOR_MAX, ALL_FLAGS, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), 0);
}

static void init_rejected(void)
{
    start_raw(0, 0, 1024, 1);
    struct fuse_init_out out;
    struct fuse_attr attr;
    /* Requests before INIT are refused. */
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), -EIO);
    /* An older major, a minor below 7.31: refused with an error, session not started. */
    int err = do_init(6, 50, ALL_FLAGS, sizeof(struct fuse_init_in), &out);
    ASSERT(err < 0);
    ASSERT_EQ(err, -EPROTO);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), -EIO);
    err = do_init(7, FSP_FUSE_MINOR_MIN - 1, ALL_FLAGS, sizeof(struct fuse_init_in), &out);
    ASSERT_EQ(err, -EPROTO);
    err = do_init(7, 8, 0, 16, &out);
    ASSERT_EQ(err, -EPROTO);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), -EIO);
    /* Too short to be an INIT. */
    ASSERT_EQ(do_init(7, FSP_FUSE_MINOR_MAX, 0, 8, &out), -EIO);
    /* A proper INIT still works after all that. */
    ASSERT_EQ(do_init(7, FSP_FUSE_MINOR_MAX, ALL_FLAGS, sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(out.minor, FSP_FUSE_MINOR_MAX);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &attr), 0);
}

/* ---- names and attributes ---- */

static void lookup_missing(void)
{
    start(0, 0, 1);
    struct fuse_entry_out e;
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "missing", &e), -ENOENT);
    /* Under a directory, and through a missing parent nodeid. */
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &e), 0);
    ASSERT_EQ(lookup(e.nodeid, "missing", &e), -ENOENT);
    ASSERT_EQ(lookup(424242, "x", &e), -ENOENT);
    ASSERT_EQ(node_count(), 2); /* root and d: failed lookups enter nothing */
}

static void lookup_negative_cached(void)
{
    /* With an entry timeout the engine answers a missing name with a cacheable negative entry. */
    start(0, 1000, 1);
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_LOOKUP, FUSE_ROOT_ID, "missing", 8, 0, 0, &data, &len), 0);
    struct fuse_entry_out e;
    ASSERT_EQ(len, sizeof e);
    memcpy(&e, data, sizeof e);
    ASSERT_EQ(e.nodeid, 0);
    ASSERT_EQ(e.entry_valid, 1);
}

static void mkdir_create_lookup_getattr(void)
{
    start(0, 0, 1);
    struct fuse_entry_out d, f, l;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "dir", 0750, &d), 0);
    ASSERT(d.nodeid > FUSE_ROOT_ID);
    ASSERT(S_ISDIR(d.attr.mode));
    ASSERT_EQ(d.attr.mode & 07777, 0750);
    ASSERT_EQ(d.attr.nlink, 2);
    ASSERT_EQ(d.attr.size, 0);
    ASSERT_EQ(d.attr.uid, geteuid());
    ASSERT_EQ(d.attr.gid, getegid());
    ASSERT(d.attr.ino != 0);
    ASSERT(d.attr.blksize >= 512);

    uint64_t fh;
    ASSERT_EQ(create(d.nodeid, "file", 0640, &f, &fh), 0);
    ASSERT(f.nodeid != d.nodeid && f.nodeid > FUSE_ROOT_ID);
    ASSERT(S_ISREG(f.attr.mode));
    ASSERT_EQ(f.attr.mode & 07777, 0640);
    ASSERT_EQ(f.attr.nlink, 1);
    ASSERT_EQ(f.attr.size, 0);
    ASSERT(f.attr.ino != d.attr.ino);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);

    /* Existing names. */
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "dir", 0755, &l), -EEXIST);
    ASSERT_EQ(create(d.nodeid, "file", 0644, &l, &fh), -EEXIST);

    /* LOOKUP finds the same nodes with the same attributes. */
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "dir", &l), 0);
    ASSERT_EQ(l.nodeid, d.nodeid);
    ASSERT_EQ(l.generation, d.generation);
    ASSERT_EQ(l.attr.ino, d.attr.ino);
    ASSERT_EQ(l.attr.mode, d.attr.mode);
    ASSERT_EQ(lookup(d.nodeid, "file", &l), 0);
    ASSERT_EQ(l.nodeid, f.nodeid);
    ASSERT_EQ(l.attr.mode, f.attr.mode);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "file", &l), -ENOENT); /* not in the root */
    ASSERT_EQ(lookup(d.nodeid, "FILE", &l), -ENOENT);     /* case-sensitive volume */

    /* GETATTR by nodeid. */
    struct fuse_attr a;
    ASSERT_EQ(getattr(f.nodeid, &a), 0);
    ASSERT_EQ(a.mode, f.attr.mode);
    ASSERT_EQ(a.ino, f.attr.ino);
    ASSERT_EQ(a.nlink, 1);
    ASSERT_EQ(getattr(d.nodeid, &a), 0);
    ASSERT_EQ(a.mode, S_IFDIR | 0750);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &a), 0);
    ASSERT(S_ISDIR(a.mode));
    ASSERT_EQ(a.nlink, 3); /* ".", "..", and dir's ".." */

    /* A subdirectory adds a link to its parent. */
    ASSERT_EQ(mkdir_(d.nodeid, "sub", 0700, &l), 0);
    ASSERT_EQ(getattr(d.nodeid, &a), 0);
    ASSERT_EQ(a.nlink, 3);
}

static void write_read(void)
{
    start(0, 0, 1);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "data", 0644, &e, &fh), 0);
    static unsigned char buf[200000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 7 + (i >> 8));
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, fh, 0, buf, 100000, &w), 0);
    ASSERT_EQ(w, 100000);
    ASSERT_EQ(write_(e.nodeid, fh, 100000, buf + 100000, 100000, &w), 0);
    ASSERT_EQ(w, 100000);
    /* A write past the end leaves a hole of zeros. */
    ASSERT_EQ(write_(e.nodeid, fh, 300000, "tail", 4, &w), 0);

    struct fuse_attr a;
    ASSERT_EQ(getattr(e.nodeid, &a), 0);
    ASSERT_EQ(a.size, 300004);

    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 131072, &data, &len), 0);
    ASSERT_EQ(len, 131072);
    ASSERT(0 == memcmp(data, buf, 131072));
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 150000, 100000, &data, &len), 0);
    ASSERT_EQ(len, 100000);
    ASSERT(0 == memcmp(data, buf + 150000, 50000));
    for (size_t i = 50000; i < 100000; i++)
        ASSERT_EQ(((unsigned char *)data)[i], 0);
    /* Short read at the end, empty read past it. */
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 300000, 4096, &data, &len), 0);
    ASSERT_EQ(len, 4);
    ASSERT(0 == memcmp(data, "tail", 4));
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 400000, 4096, &data, &len), 0);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);

    /* Reopen read-only; the data persists. */
    ASSERT_EQ(open_(e.nodeid, O_RDONLY, &fh, false), 0);
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 1000, 10, &data, &len), 0);
    ASSERT_EQ(len, 10);
    ASSERT(0 == memcmp(data, buf + 1000, 10));
    /* A maximal write. */
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(open_(e.nodeid, O_RDWR | O_TRUNC, &fh, false), 0);
    ASSERT_EQ(getattr(e.nodeid, &a), 0);
    ASSERT_EQ(a.size, 0);
    static unsigned char big[FSP_ENGINE_MAX_WRITE];
    memset(big, 0x5a, sizeof big);
    if (!g_big_ok) {
        ASSERT_EQ(release(e.nodeid, fh, false), 0);
        tlib_skip("cannot enlarge socket buffers for max_write transfers");
    }
    ASSERT_EQ(write_(e.nodeid, fh, 0, big, sizeof big, &w), 0);
    ASSERT_EQ(w, sizeof big);
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, sizeof big, &data, &len), 0);
    ASSERT_EQ(len, sizeof big);
    ASSERT(0 == memcmp(data, big, sizeof big));
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    /* The handle is gone. */
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 10, &data, &len), -EBADF);
}

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names), free(l->offs), free(l->inos), free(l->nodeids), free(l->types);
    memset(l, 0, sizeof *l);
}

static void parse_dirents(const unsigned char *p, size_t len, bool plus, struct listing *l)
{
    size_t pos = 0;
    while (pos < len) {
        const struct fuse_dirent *d;
        size_t recsize;
        uint64_t nodeid = 0;
        if (plus) {
            ASSERT(len - pos >= FUSE_NAME_OFFSET_DIRENTPLUS);
            const struct fuse_direntplus *dp = (const struct fuse_direntplus *)(p + pos);
            d = &dp->dirent;
            recsize = FUSE_DIRENTPLUS_SIZE(dp);
            nodeid = dp->entry_out.nodeid;
            if (nodeid) {
                ASSERT_EQ(dp->entry_out.attr.ino, d->ino);
                ASSERT_EQ(S_ISDIR(dp->entry_out.attr.mode), DT_DIR == d->type);
            }
        } else {
            ASSERT(len - pos >= FUSE_NAME_OFFSET);
            d = (const struct fuse_dirent *)(p + pos);
            recsize = FUSE_DIRENT_SIZE(d);
        }
        ASSERT(d->namelen > 0 && d->namelen <= 255);
        ASSERT(recsize <= len - pos);
        ASSERT_EQ(recsize % 8, 0);
        for (uint32_t i = 0; i < d->namelen; i++)
            ASSERT(d->name[i] != '\0' && d->name[i] != '/');
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 64;
            l->names = realloc(l->names, l->cap * sizeof *l->names);
            l->offs = realloc(l->offs, l->cap * sizeof *l->offs);
            l->inos = realloc(l->inos, l->cap * sizeof *l->inos);
            l->types = realloc(l->types, l->cap * sizeof *l->types);
            l->nodeids = realloc(l->nodeids, l->cap * sizeof *l->nodeids);
            ASSERT(l->names && l->offs && l->inos && l->types && l->nodeids);
        }
        l->names[l->n] = strndup(d->name, d->namelen);
        l->offs[l->n] = d->off;
        l->inos[l->n] = d->ino;
        l->types[l->n] = d->type;
        l->nodeids[l->n] = nodeid;
        l->n++;
        pos += recsize;
    }
    ASSERT_EQ(pos, len);
}

/* List a directory through READDIR(PLUS) with reply buffers of `size` bytes. */
static void list_dir(uint64_t nodeid, uint32_t size, bool plus, struct listing *l)
{
    uint64_t fh;
    ASSERT_EQ(open_(nodeid, O_RDONLY | O_DIRECTORY, &fh, true), 0);
    uint64_t off = 0;
    for (int rounds = 0;; rounds++) {
        ASSERT(rounds < 1000000);
        void *data;
        size_t len;
        ASSERT_EQ(read_(plus ? FUSE_READDIRPLUS : FUSE_READDIR, nodeid, fh, off, size, &data, &len), 0);
        if (0 == len)
            break;
        size_t before = l->n;
        parse_dirents(data, len, plus, l);
        ASSERT(l->n > before);
        /* Offsets grow by one from where we asked. */
        for (size_t i = before; i < l->n; i++)
            ASSERT_EQ(l->offs[i], off + (i - before) + 1);
        off = l->offs[l->n - 1];
    }
    ASSERT_EQ(release(nodeid, fh, true), 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void readdir_entries(void)
{
    start(0, 0, 1);
    struct fuse_entry_out d, e;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "dir", 0755, &d), 0);
    enum { N = 700 };
    char name[64];
    for (int i = 0; i < N; i++) {
        uint64_t fh;
        snprintf(name, sizeof name, "%s-%04d", i % 3 ? "file" : "entry-with-a-longer-name", (i * 37) % N);
        if (i % 10 == 0) {
            ASSERT_EQ(mkdir_(d.nodeid, name, 0755, &e), 0);
        } else {
            ASSERT_EQ(create(d.nodeid, name, 0644, &e, &fh), 0);
            ASSERT_EQ(release(e.nodeid, fh, false), 0);
        }
    }
    /* Small buffers: many round trips, resumed by offset. */
    struct listing *lp = &g_l1;
#define l (*lp)
    list_dir(d.nodeid, 1000, false, &l);
    ASSERT_EQ(l.n, N + 2);
    ASSERT(0 == strcmp(l.names[0], "."));
    ASSERT(0 == strcmp(l.names[1], ".."));
    ASSERT_EQ(l.types[0], DT_DIR);
    ASSERT_EQ(l.types[1], DT_DIR);
    size_t dirs = 0;
    for (size_t i = 2; i < l.n; i++) {
        ASSERT(l.types[i] == DT_DIR || l.types[i] == DT_REG);
        ASSERT(l.inos[i] != 0);
        dirs += DT_DIR == l.types[i];
        if (i > 2)
            ASSERT(strcmp(l.names[i - 1], l.names[i]) < 0); /* memfs lists in name order, once each */
    }
    ASSERT_EQ(dirs, N / 10);
    /* Each name is what was created, and LOOKUP agrees on the type. */
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "%s-%04d", i % 3 ? "file" : "entry-with-a-longer-name", (i * 37) % N);
        char *key = name;
        ASSERT(bsearch(&key, l.names + 2, l.n - 2, sizeof *l.names, cmp_str));
    }
    ASSERT_EQ(lookup(d.nodeid, l.names[5], &e), 0);
    ASSERT_EQ(S_ISDIR(e.attr.mode), DT_DIR == l.types[5]);
    ASSERT_EQ(e.attr.ino, l.inos[5]);

    /* A big buffer gives the same listing. */
    struct listing *lp2 = &g_l2;
#define l2 (*lp2)
    list_dir(d.nodeid, 128 * 1024, false, &l2);
    ASSERT_EQ(l2.n, l.n);
    for (size_t i = 0; i < l.n; i++)
        ASSERT(0 == strcmp(l.names[i], l2.names[i]));
    listing_free(&l2);

    /* READDIRPLUS: same names; entries carry attributes and nodes the kernel now knows. */
    list_dir(d.nodeid, 4096, true, &l2);
    ASSERT_EQ(l2.n, l.n);
    for (size_t i = 0; i < l.n; i++) {
        ASSERT(0 == strcmp(l.names[i], l2.names[i]));
        if (i >= 2) {
            ASSERT(l2.nodeids[i] > FUSE_ROOT_ID);
            ASSERT(node_known(l2.nodeids[i]));
            ASSERT_EQ(l2.inos[i], l.inos[i]);
        }
    }
    /* The nodes were entered with a lookup reference each: forgetting that once more
     * than LOOKUP/CREATE gave leaves them known; forgetting both removes them. */
    uint64_t some = l2.nodeids[7];
    forget(some, 1);
    sync_engine();
    ASSERT(node_known(some));
    forget(some, 1);
    sync_engine();
    ASSERT(!node_known(some));
    listing_free(&l2);
    listing_free(&l);

    /* The root (memfs gives no "." or ".." there; the engine adds them) and an empty directory. */
    list_dir(FUSE_ROOT_ID, 4096, false, &l);
    ASSERT_EQ(l.n, 3);
    ASSERT(0 == strcmp(l.names[2], "dir"));
    listing_free(&l);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "empty", 0755, &e), 0);
    list_dir(e.nodeid, 4096, false, &l);
    ASSERT_EQ(l.n, 2);
    listing_free(&l);

    /* A buffer too small for one entry gives an empty reply; READDIR on a file handle fails. */
    uint64_t fh;
    ASSERT_EQ(open_(d.nodeid, O_RDONLY, &fh, true), 0);
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READDIR, d.nodeid, fh, 0, 10, &data, &len), 0);
    ASSERT_EQ(len, 0);
    /* Seek back (telldir/seekdir): offset 5 continues with the 6th record. */
    ASSERT_EQ(read_(FUSE_READDIR, d.nodeid, fh, 0, 4096, &data, &len), 0);
    ASSERT_EQ(read_(FUSE_READDIR, d.nodeid, fh, 5, 4096, &data, &len), 0);
    ASSERT(len > 0);
    ASSERT_EQ(((struct fuse_dirent *)data)->off, 6);
    ASSERT_EQ(release(d.nodeid, fh, true), 0);
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    ASSERT_EQ(read_(FUSE_READDIR, e.nodeid, fh, 0, 4096, &data, &len), -EBADF);
    ASSERT_EQ(open_(e.nodeid, O_RDONLY, &fh, true) , -ENOTDIR);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
#undef l
#undef l2
}

static void statfs_(void)
{
    start(0, 0, 1);
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_STATFS, FUSE_ROOT_ID, 0, 0, 0, 0, &data, &len), 0);
    struct fuse_statfs_out out;
    ASSERT_EQ(len, sizeof out);
    memcpy(&out, data, sizeof out);
    ASSERT_EQ(out.st.bsize, 4096);
    ASSERT_EQ(out.st.frsize, 4096);
    ASSERT_EQ(out.st.namelen, 255);
    ASSERT(out.st.blocks > 0);
    ASSERT(out.st.bfree <= out.st.blocks);
    ASSERT(out.st.bavail <= out.st.bfree);
    uint64_t free0 = out.st.bfree;
    /* Data takes space. */
    struct fuse_entry_out e;
    uint64_t fh;
    uint32_t w;
    static char buf[64 * 1024];
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    ASSERT_EQ(write_(e.nodeid, fh, 0, buf, sizeof buf, &w), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(call(FUSE_STATFS, FUSE_ROOT_ID, 0, 0, 0, 0, &data, &len), 0);
    memcpy(&out, data, sizeof out);
    ASSERT_EQ(out.st.bfree, free0 - sizeof buf / 4096);
}

static int setattr(uint64_t nodeid, const struct fuse_setattr_in *in, struct fuse_attr *attr)
{
    void *data;
    size_t len;
    int err = call(FUSE_SETATTR, nodeid, in, sizeof *in, 0, 0, &data, &len);
    if (!err) {
        struct fuse_attr_out out;
        ASSERT_EQ(len, sizeof out);
        memcpy(&out, data, sizeof out);
        *attr = out.attr;
    }
    return err;
}

static void setattr_(void)
{
    start(0, 0, 1);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    struct fuse_attr a;
    /* Size (truncate up: sparse) and mode. */
    struct fuse_setattr_in in = {.valid = FATTR_SIZE | FATTR_MODE, .size = 12345, .mode = S_IFREG | 0600};
    ASSERT_EQ(setattr(e.nodeid, &in, &a), 0);
    ASSERT_EQ(a.size, 12345);
    ASSERT_EQ(a.mode, S_IFREG | 0600);
    /* Through the open handle. */
    memset(&in, 0, sizeof in);
    in.valid = FATTR_SIZE | FATTR_FH, in.fh = fh, in.size = 10;
    ASSERT_EQ(setattr(e.nodeid, &in, &a), 0);
    ASSERT_EQ(a.size, 10);
    /* Times. */
    memset(&in, 0, sizeof in);
    in.valid = FATTR_MTIME | FATTR_ATIME, in.mtime = 1000000000, in.mtimensec = 123456700;
    in.atime = 86400;
    ASSERT_EQ(setattr(e.nodeid, &in, &a), 0);
    ASSERT_EQ(a.mtime, 1000000000);
    ASSERT_EQ(a.mtimensec, 123456700);
    ASSERT_EQ(a.atime, 86400);
    ASSERT_EQ(getattr(e.nodeid, &a), 0);
    ASSERT_EQ(a.mtime, 1000000000);
    /* Times beyond what FILETIME holds (the kernel passes any s64) are clamped, not overflowed. */
    in.mtime = (uint64_t)INT64_MAX, in.mtimensec = 4000000000u;
    in.atime = (uint64_t)INT64_MIN, in.atimensec = 0;
    ASSERT_EQ(setattr(e.nodeid, &in, &a), 0);
    ASSERT_EQ(a.mtime, 910692730084LL); /* year 30828 */
    ASSERT((int64_t)a.atime <= -11644473599LL); /* 1601 */
    in.mtime = (uint64_t)-5, in.mtimensec = 0; /* before 1970 works */
    ASSERT_EQ(setattr(e.nodeid, &in, &a), 0);
    ASSERT_EQ((int64_t)a.mtime, -5);
    /* Beyond memfs's maximum file size: EFBIG, as truncate(2) beyond a file system's limit. */
    memset(&in, 0, sizeof in);
    in.valid = FATTR_SIZE, in.size = UINT64_MAX;
    ASSERT_EQ(setattr(e.nodeid, &in, &a), -EFBIG);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(getattr(e.nodeid, &a), 0);
    ASSERT_EQ(a.size, 10);
}

/* ---- namespace ---- */

static int rename2(uint64_t dir, const char *from, uint64_t newdir, const char *to, uint32_t flags)
{
    char names[600];
    size_t fl = strlen(from) + 1, tl = strlen(to) + 1;
    ASSERT(fl + tl <= sizeof names);
    memcpy(names, from, fl);
    memcpy(names + fl, to, tl);
    struct fuse_rename2_in in = {.newdir = newdir, .flags = flags};
    return call(FUSE_RENAME2, dir, &in, sizeof in, names, fl + tl, 0, 0);
}

static void namespace_ops(void)
{
    start(0, 0, 1);
    struct fuse_entry_out d, f, x, l;
    uint64_t fh;
    uint32_t w;
    struct fuse_attr a;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(create(d.nodeid, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(write_(f.nodeid, fh, 0, "hello", 5, &w), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);

    /* LINK: a second name for the same file (same ino, two links) and the same node: one
     * kernel inode per file. */
    struct fuse_link_in li = {.oldnodeid = f.nodeid};
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "hl", 3, &data, &len), 0);
    ASSERT_EQ(len, sizeof l);
    memcpy(&l, data, sizeof l);
    ASSERT_EQ(l.attr.ino, f.attr.ino);
    ASSERT_EQ(l.nodeid, f.nodeid);
    ASSERT_EQ(l.attr.nlink, 2);
    ASSERT_EQ(l.attr.size, 5);
    ASSERT_EQ(getattr(f.nodeid, &a), 0);
    ASSERT_EQ(a.nlink, 2);
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "hl", 3, 0, 0), -EEXIST);
    li.oldnodeid = d.nodeid;
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "dl", 3, 0, 0), -EPERM);
    /* UNLINK one name: the other stays with one link. */
    ASSERT_EQ(call(FUSE_UNLINK, FUSE_ROOT_ID, "hl", 3, 0, 0, 0, 0), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "hl", &x), -ENOENT);
    ASSERT_EQ(getattr(f.nodeid, &a), 0);
    ASSERT_EQ(a.nlink, 1);
    /* a lookup of the first name still finds the node the kernel has */
    ASSERT_EQ(lookup(d.nodeid, "f", &x), 0);
    ASSERT_EQ(x.nodeid, f.nodeid);
    ASSERT_EQ(call(FUSE_UNLINK, FUSE_ROOT_ID, "hl", 3, 0, 0, 0, 0), -ENOENT);

    /* Wrong kinds. */
    ASSERT_EQ(call(FUSE_RMDIR, FUSE_ROOT_ID, "d", 2, 0, 0, 0, 0), -ENOTEMPTY);
    ASSERT_EQ(call(FUSE_UNLINK, FUSE_ROOT_ID, "d", 2, 0, 0, 0, 0), -EISDIR);
    ASSERT_EQ(call(FUSE_RMDIR, d.nodeid, "f", 2, 0, 0, 0, 0), -ENOTDIR);

    /* RENAME moves the node: its nodeid now names the new path. */
    struct fuse_rename_in ri = {.newdir = FUSE_ROOT_ID};
    ASSERT_EQ(call(FUSE_RENAME, d.nodeid, &ri, sizeof ri, "f\0g", 4, 0, 0), 0);
    ASSERT_EQ(lookup(d.nodeid, "f", &x), -ENOENT);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "g", &x), 0);
    ASSERT_EQ(x.nodeid, f.nodeid);
    ASSERT_EQ(getattr(f.nodeid, &a), 0);
    ASSERT_EQ(a.size, 5);
    /* A directory's subtree moves with it. */
    struct fuse_entry_out in_d;
    ASSERT_EQ(mkdir_(d.nodeid, "sub", 0700, &in_d), 0);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "d", FUSE_ROOT_ID, "e", 0), 0);
    ASSERT_EQ(getattr(in_d.nodeid, &a), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "e", &x), 0);
    ASSERT_EQ(x.nodeid, d.nodeid);
    ASSERT_EQ(lookup(d.nodeid, "sub", &x), 0);
    ASSERT_EQ(x.nodeid, in_d.nodeid);
    /* NOREPLACE, EXCHANGE (memfs's RenameExchange; not with NOREPLACE, nor WHITEOUT),
     * replace, into itself. */
    ASSERT_EQ(create(FUSE_ROOT_ID, "h", 0644, &x, &fh), 0);
    ASSERT_EQ(release(x.nodeid, fh, false), 0);
    uint64_t h_node = x.nodeid;
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "g", FUSE_ROOT_ID, "h", RENAME_NOREPLACE), -EEXIST);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "g", FUSE_ROOT_ID, "h", RENAME_EXCHANGE | RENAME_NOREPLACE),
              -EINVAL);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "g", FUSE_ROOT_ID, "h", RENAME_WHITEOUT), -EINVAL);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "g", FUSE_ROOT_ID, "h", RENAME_EXCHANGE), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "h", &x), 0); /* the node table follows the exchange */
    ASSERT_EQ(x.nodeid, f.nodeid);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "g", &x), 0);
    ASSERT_EQ(x.nodeid, h_node);
    ASSERT_EQ(x.attr.size, 0);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "g", FUSE_ROOT_ID, "missing", RENAME_EXCHANGE), -ENOENT);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "h", FUSE_ROOT_ID, "g", RENAME_EXCHANGE), 0);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "g", FUSE_ROOT_ID, "h", 0), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "h", &x), 0);
    ASSERT_EQ(x.nodeid, f.nodeid);
    ASSERT_EQ(x.attr.size, 5);
    ASSERT(rename2(FUSE_ROOT_ID, "e", in_d.nodeid, "loop", 0) < 0);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "h", FUSE_ROOT_ID, "h", 0), 0);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "missing", FUSE_ROOT_ID, "m2", 0), -ENOENT);

    /* SYMLINK and READLINK. */
    ASSERT_EQ(call(FUSE_SYMLINK, FUSE_ROOT_ID, "sl\0../some/target", 18, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, sizeof x);
    memcpy(&x, data, sizeof x);
    ASSERT(S_ISLNK(x.attr.mode));
    ASSERT_EQ(x.attr.size, 14);
    ASSERT_EQ(call(FUSE_READLINK, x.nodeid, 0, 0, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, 14);
    ASSERT(0 == memcmp(data, "../some/target", 14));
    ASSERT_EQ(call(FUSE_READLINK, f.nodeid, 0, 0, 0, 0, &data, &len), -EINVAL);
    ASSERT_EQ(call(FUSE_SYMLINK, FUSE_ROOT_ID, "sl\0other", 9, 0, 0, 0, 0), -EEXIST);

    /* MKNOD: a FIFO and a regular file. */
    struct fuse_mknod_in mi = {.mode = S_IFIFO | 0640, .umask = 022};
    ASSERT_EQ(call(FUSE_MKNOD, FUSE_ROOT_ID, &mi, sizeof mi, "fifo", 5, &data, &len), 0);
    memcpy(&x, data, sizeof x);
    ASSERT_EQ(x.attr.mode, S_IFIFO | 0640);
    ASSERT_EQ(getattr(x.nodeid, &a), 0);
    ASSERT_EQ(a.mode, S_IFIFO | 0640);
    mi.mode = S_IFREG | 0600;
    ASSERT_EQ(call(FUSE_MKNOD, FUSE_ROOT_ID, &mi, sizeof mi, "reg", 4, &data, &len), 0);
    memcpy(&x, data, sizeof x);
    ASSERT_EQ(x.attr.mode, S_IFREG | 0600);

    /* RMDIR once empty. */
    ASSERT_EQ(call(FUSE_RMDIR, d.nodeid, "sub", 4, 0, 0, 0, 0), 0);
    ASSERT_EQ(call(FUSE_RMDIR, FUSE_ROOT_ID, "e", 2, 0, 0, 0, 0), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "e", &x), -ENOENT);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &a), 0);
    ASSERT_EQ(a.nlink, 2);
}

static void xattrs(void)
{
    start(0, 0, 1);
    struct fuse_entry_out f;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    /* FUSE_SETXATTR_EXT was negotiated: the long setxattr_in. */
    ASSERT(fsp_engine_init_flags(engine()) & FUSE_SETXATTR_EXT);
    char msg[128];
    struct fuse_setxattr_in si = {.size = 5};
    size_t nl = strlen("user.test") + 1;
    memcpy(msg, "user.test", nl);
    memcpy(msg + nl, "value", 5);
    ASSERT_EQ(call(FUSE_SETXATTR, f.nodeid, &si, sizeof si, msg, nl + 5, 0, 0), 0);
    memcpy(msg, "user.b\0bb", 9);
    si.size = 2;
    ASSERT_EQ(call(FUSE_SETXATTR, f.nodeid, &si, sizeof si, msg, 9, 0, 0), 0);
    /* XATTR_CREATE on an existing one. */
    si.flags = XATTR_CREATE;
    si.size = 5;
    memcpy(msg, "user.test", nl);
    ASSERT_EQ(call(FUSE_SETXATTR, f.nodeid, &si, sizeof si, msg, nl + 5, 0, 0), -EEXIST);
    /* Value claimed longer than carried. */
    si.flags = 0;
    si.size = 50;
    ASSERT_EQ(call(FUSE_SETXATTR, f.nodeid, &si, sizeof si, msg, nl + 5, 0, 0), -EINVAL);

    /* GETXATTR: size query, value, too small, missing. */
    struct fuse_getxattr_in gi = {.size = 0};
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.test", nl, &data, &len), 0);
    struct fuse_getxattr_out go;
    ASSERT_EQ(len, sizeof go);
    memcpy(&go, data, sizeof go);
    ASSERT_EQ(go.size, 5);
    gi.size = 100;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.test", nl, &data, &len), 0);
    ASSERT_EQ(len, 5);
    ASSERT(0 == memcmp(data, "value", 5));
    gi.size = 3;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.test", nl, 0, 0), -ERANGE);
    gi.size = 100;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.none", 10, 0, 0), -ENODATA);

    /* LISTXATTR. */
    ASSERT_EQ(call(FUSE_LISTXATTR, f.nodeid, &gi, sizeof gi, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, 10 + 7);
    char list[32];
    ASSERT(len <= sizeof list);
    memcpy(list, data, len);
    ASSERT(memmem(list, len, "user.test", 10) && memmem(list, len, "user.b", 7));
    gi.size = 0;
    ASSERT_EQ(call(FUSE_LISTXATTR, f.nodeid, &gi, sizeof gi, 0, 0, &data, &len), 0);
    memcpy(&go, data, sizeof go);
    ASSERT_EQ(go.size, 17);

    /* REMOVEXATTR. */
    ASSERT_EQ(call(FUSE_REMOVEXATTR, f.nodeid, "user.test", nl, 0, 0, 0, 0), 0);
    ASSERT_EQ(call(FUSE_REMOVEXATTR, f.nodeid, "user.test", nl, 0, 0, 0, 0), -ENODATA);
    gi.size = 100;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.test", nl, 0, 0), -ENODATA);
    ASSERT_EQ(call(FUSE_LISTXATTR, f.nodeid, &gi, sizeof gi, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, 7);
}

/* ---- fidelity: LinFsp's extensions that carry what Linux file systems keep ---- */

/* memfs with or without VolumeParams.NanosecondTimes (changed before FUSE_INIT). */
static void start_times(bool nanoseconds, struct fuse_init_out *out)
{
    start_raw(0, 0, 1024, 1);
    fs()->VolumeParams.NanosecondTimes = nanoseconds;
    ASSERT_EQ(do_init(FUSE_KERNEL_VERSION, FSP_FUSE_MINOR_MAX, ALL_FLAGS, sizeof(struct fuse_init_in),
                      out), 0);
}

/* Exact times through SETATTR, GETATTR and READDIRPLUS, and the granularity told at INIT. */
static void nanosecond_times(void)
{
    for (int exact = 1; exact >= 0; exact--) {
        if (!exact)
            teardown();
        struct fuse_init_out io;
        start_times(exact, &io);
        /* Without the extension the kernel rounds its own times to FILETIME's 100 ns. */
        ASSERT_EQ(io.time_gran, exact ? 1 : 100);
        struct fuse_entry_out d, f;
        uint64_t fh;
        ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
        ASSERT_EQ(create(d.nodeid, "f", 0644, &f, &fh), 0);
        ASSERT_EQ(release(f.nodeid, fh, false), 0);
        struct fuse_setattr_in in;
        memset(&in, 0, sizeof in);
        in.valid = FATTR_ATIME | FATTR_MTIME;
        in.atime = 1000000000, in.atimensec = 123456789;
        in.mtime = 1234567890, in.mtimensec = 987654321;
        struct fuse_attr a;
        ASSERT_EQ(setattr(f.nodeid, &in, &a), 0);
        uint32_t at = exact ? 123456789 : 123456700, mt = exact ? 987654321 : 987654300;
        ASSERT_EQ(a.atime, 1000000000);
        ASSERT_EQ(a.atimensec, at);
        ASSERT_EQ(a.mtime, 1234567890);
        ASSERT_EQ(a.mtimensec, mt);
        memset(&a, 0, sizeof a);
        ASSERT_EQ(getattr(f.nodeid, &a), 0);
        ASSERT_EQ(a.atimensec, at);
        ASSERT_EQ(a.mtimensec, mt);
        /* ctime is "now", with its nanoseconds when they are kept */
        ASSERT(a.ctime > 1234567890);
        /* READDIRPLUS carries the same attributes. */
        uint64_t dfh;
        ASSERT_EQ(open_(d.nodeid, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
        void *data;
        size_t len;
        ASSERT_EQ(read_(FUSE_READDIRPLUS, d.nodeid, dfh, 0, 4096, &data, &len), 0);
        bool seen = false;
        for (size_t pos = 0; pos < len;) {
            const struct fuse_direntplus *dp = (const struct fuse_direntplus *)((char *)data + pos);
            if (1 == dp->dirent.namelen && 'f' == dp->dirent.name[0]) {
                ASSERT_EQ(dp->entry_out.nodeid, f.nodeid);
                ASSERT_EQ(dp->entry_out.attr.atimensec, at);
                ASSERT_EQ(dp->entry_out.attr.mtimensec, mt);
                seen = true;
            }
            pos += FUSE_DIRENTPLUS_SIZE(dp);
        }
        ASSERT(seen);
        ASSERT_EQ(release(d.nodeid, dfh, true), 0);
        /* Times before 1970 keep their nanoseconds as well. */
        in.valid = FATTR_MTIME;
        in.mtime = (uint64_t)-2, in.mtimensec = 999999999;
        ASSERT_EQ(setattr(f.nodeid, &in, &a), 0);
        ASSERT_EQ((int64_t)a.mtime, -2);
        ASSERT_EQ(a.mtimensec, exact ? 999999999 : 999999900);
    }
}

/* SETXATTR with the long setxattr_in (FUSE_SETXATTR_EXT, offered by ALL_FLAGS). */
static int setxattr_(uint64_t nodeid, const char *name, const void *value, size_t size, uint32_t flags)
{
    char msg[512];
    struct fuse_setxattr_in si = {.size = (uint32_t)size, .flags = flags};
    size_t nl = strlen(name) + 1;
    ASSERT(nl + size <= sizeof msg);
    memcpy(msg, name, nl);
    memcpy(msg + nl, value, size);
    return call(FUSE_SETXATTR, nodeid, &si, sizeof si, msg, nl + size, 0, 0);
}

/* Empty xattr values (VolumeParams.EmptyEaValues) and the namespaces Linux knows. */
static void empty_xattrs(void)
{
    start(0, 0, 1);
    struct fuse_entry_out f;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    ASSERT_EQ(setxattr_(f.nodeid, "user.empty", "", 0, 0), 0);
    struct fuse_getxattr_in gi = {.size = 0};
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.empty", 11, &data, &len), 0);
    struct fuse_getxattr_out go;
    ASSERT_EQ(len, sizeof go);
    memcpy(&go, data, sizeof go);
    ASSERT_EQ(go.size, 0);
    gi.size = 10;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.empty", 11, &data, &len), 0);
    ASSERT_EQ(len, 0);
    gi.size = 100;
    ASSERT_EQ(call(FUSE_LISTXATTR, f.nodeid, &gi, sizeof gi, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, 11);
    ASSERT(0 == memcmp(data, "user.empty", 11));
    /* A value replaces the empty one and an empty one the value; removing removes. */
    ASSERT_EQ(setxattr_(f.nodeid, "user.empty", "v", 1, 0), 0);
    ASSERT_EQ(setxattr_(f.nodeid, "user.empty", "", 0, 0), 0);
    gi.size = 0;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.empty", 11, &data, &len), 0);
    memcpy(&go, data, sizeof go);
    ASSERT_EQ(go.size, 0);
    ASSERT_EQ(call(FUSE_REMOVEXATTR, f.nodeid, "user.empty", 11, 0, 0, 0, 0), 0);
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.empty", 11, 0, 0), -ENODATA);
    /* Namespaces tmpfs does not have (VolumeParams.LinuxXattrNamespaces). */
    ASSERT_EQ(setxattr_(f.nodeid, "foo.bar", "v", 1, 0), -EOPNOTSUPP);
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "foo.bar", 8, 0, 0), -EOPNOTSUPP);
    ASSERT_EQ(call(FUSE_REMOVEXATTR, f.nodeid, "foo.bar", 8, 0, 0, 0, 0), -EOPNOTSUPP);
    ASSERT_EQ(setxattr_(f.nodeid, "trusted.t", "v", 1, 0), 0);
    /* The names the engine serves from the file's data stay (ops_ntxattr.c), other system.*
     * names are outside tmpfs's namespaces. */
    gi.size = 0;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "system.ntfs_attrib", 19, &data, &len), 0);
    ASSERT_EQ(len, sizeof go);
    memcpy(&go, data, sizeof go);
    ASSERT_EQ(go.size, 4);
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "system.x", 9, 0, 0), -EOPNOTSUPP);
    ASSERT_EQ(setxattr_(f.nodeid, "system.x", "v", 1, 0), -EOPNOTSUPP);
    /* A file system without the extension: an empty value would be a delete, refused. */
    fs()->VolumeParams.EmptyEaValues = 0;
    fs()->VolumeParams.LinuxXattrNamespaces = 0;
    ASSERT_EQ(setxattr_(f.nodeid, "user.empty", "", 0, 0), -EINVAL);
    ASSERT_EQ(setxattr_(f.nodeid, "foo.bar", "v", 1, 0), 0);
    fs()->VolumeParams.EmptyEaValues = 1;
    fs()->VolumeParams.LinuxXattrNamespaces = 1;
}

/* A memfs with WinFsp's case-insensitive EA names that records Req.QueryEa.Name. */
static char g_query_ea_name[300];
static int g_query_ea_calls;
static NTSTATUS recording_get_ea(FSP_FILE_SYSTEM *fs_, PVOID ctx, PFILE_FULL_EA_INFORMATION ea,
                                 ULONG len, PULONG got)
{
    const char *name = FspFileSystemGetOperationContext()->Request->Req.QueryEa.Name;
    snprintf(g_query_ea_name, sizeof g_query_ea_name, "%s", name ? name : "(null)");
    g_query_ea_calls++;
    return g_memfs_iface->GetEa(fs_, ctx, ea, len, got);
}

static void patch_ea_case(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->GetEa = recording_get_ea;
    fs()->VolumeParams.CaseSensitiveExtendedAttributes = 0;
    fs()->VolumeParams.CasePreservedExtendedAttributes = 0;
}

/* A memfs that counts the Cleanup calls that carry FspCleanupSetLastAccessTime. */
static int g_atime_cleanups;
static VOID counting_cleanup(FSP_FILE_SYSTEM *fs_, PVOID ctx, PWSTR name, ULONG flags)
{
    if (flags & FspCleanupSetLastAccessTime)
        g_atime_cleanups++;
    g_memfs_iface->Cleanup(fs_, ctx, name, flags);
}

static void patch_count_atime(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->Cleanup = counting_cleanup;
}

static void patch_count_atime_own(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->Cleanup = counting_cleanup;
    fs()->VolumeParams.AccessTimesByFileSystem = 1;
}

/* The first READ and READDIR through a handle owe the file system Linux's relatime update
 * (Cleanup with FspCleanupSetLastAccessTime; a new file's access time is not after its
 * modification time), once per handle; with VolumeParams.AccessTimesByFileSystem nothing is
 * owed and no Cleanup comes. */
static void read_atime_owed(bool own)
{
    g_patch = own ? patch_count_atime_own : patch_count_atime;
    g_atime_cleanups = 0;
    start(0, 0, 1);
    struct fuse_entry_out e;
    uint64_t fh;
    uint32_t w;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    ASSERT_EQ(write_(e.nodeid, fh, 0, "data", 4, &w), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    int before = g_atime_cleanups;
    ASSERT_EQ(open_(e.nodeid, O_RDONLY, &fh, false), 0);
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 4, &data, &len), 0);
    ASSERT_EQ(len, 4);
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 4, &data, &len), 0);
    int after_reads = g_atime_cleanups;
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(open_(FUSE_ROOT_ID, O_RDONLY, &fh, true), 0);
    ASSERT_EQ(read_(FUSE_READDIR, FUSE_ROOT_ID, fh, 0, 4096, &data, &len), 0);
    ASSERT(len > 0);
    int after_list = g_atime_cleanups;
    ASSERT_EQ(release(FUSE_ROOT_ID, fh, true), 0);
    ASSERT_EQ(after_reads - before, own ? 0 : 1);
    ASSERT_EQ(after_list - after_reads, own ? 0 : 1);
}

static void read_atime_owed_by_engine(void)
{
    read_atime_owed(false);
}

static void read_atime_kept_by_file_system(void)
{
    read_atime_owed(true);
}

/*
 * Req.QueryEa.Name (issue 11) on a volume whose EA names are encoded (issue 12's case rule):
 * GetEa learns the name as SetEa stores it (a file system may list only that EA), NULL for
 * LISTXATTR; empty values (EmptyEaValues) keep working with encoded names.
 */
static void query_ea_name_encoded(void)
{
    g_patch = patch_ea_case;
    start(0, 0, 1);
    struct fuse_entry_out f;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    ASSERT_EQ(setxattr_(f.nodeid, "user.Color", "red", 3, XATTR_CREATE), 0);
    ASSERT(0 == strcmp(g_query_ea_name, "USER.^COLOR"));
    ASSERT_EQ(setxattr_(f.nodeid, "user.color", "", 0, 0), 0);
    struct fuse_getxattr_in gi = {.size = 100};
    void *data;
    size_t len;
    g_query_ea_calls = 0;
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.Color", 11, &data, &len), 0);
    ASSERT_EQ(g_query_ea_calls, 1);
    ASSERT(0 == strcmp(g_query_ea_name, "USER.^COLOR"));
    ASSERT_EQ(len, 3);
    ASSERT(0 == memcmp(data, "red", 3));
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.color", 11, &data, &len), 0);
    ASSERT(0 == strcmp(g_query_ea_name, "USER.COLOR"));
    ASSERT_EQ(len, 0);
    ASSERT_EQ(call(FUSE_LISTXATTR, f.nodeid, &gi, sizeof gi, 0, 0, &data, &len), 0);
    ASSERT(0 == strcmp(g_query_ea_name, "(null)"));
    ASSERT_EQ(len, 22);
    ASSERT(data && memmem(data, len, "user.Color", 11) && memmem(data, len, "user.color", 11));
    ASSERT_EQ(call(FUSE_REMOVEXATTR, f.nodeid, "user.Color", 11, 0, 0, 0, 0), 0);
    ASSERT(0 == strcmp(g_query_ea_name, "USER.^COLOR"));
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.Color", 11, 0, 0), -ENODATA);
    ASSERT_EQ(call(FUSE_GETXATTR, f.nodeid, &gi, sizeof gi, "user.color", 11, &data, &len), 0);
}

/* TMPFILE (CreateUnnamed): an unnamed file; LINK gives it a name, the same node. */
static void tmpfile_link(void)
{
    start(0, 0, 1);
    struct fuse_entry_out d;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    struct fuse_create_in ci = {.flags = O_RDWR, .mode = S_IFREG | 0600, .umask = 022};
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_TMPFILE, d.nodeid, &ci, sizeof ci, "/", 2, &data, &len), 0);
    struct fuse_entry_out e;
    struct fuse_open_out oo;
    ASSERT_EQ(len, sizeof e + sizeof oo);
    memcpy(&e, data, sizeof e);
    memcpy(&oo, (char *)data + sizeof e, sizeof oo);
    ASSERT(S_ISREG(e.attr.mode));
    ASSERT_EQ(e.attr.mode & 07777, 0600);
    ASSERT_EQ(e.attr.nlink, 0);
    ASSERT(!node_known(e.nodeid)); /* no name */
    list_dir(d.nodeid, 4096, false, &g_l1);
    ASSERT_EQ(g_l1.n, 2); /* "." and ".." only */
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, oo.fh, 0, "tmp", 3, &w), 0);
    ASSERT_EQ(w, 3);
    struct fuse_attr a;
    ASSERT_EQ(getattr(e.nodeid, &a), 0); /* through its open handle */
    ASSERT_EQ(a.size, 3);
    /* linkat(2) of its descriptor: LINK of the nameless node. */
    struct fuse_link_in li = {.oldnodeid = e.nodeid};
    ASSERT_EQ(call(FUSE_LINK, d.nodeid, &li, sizeof li, "named", 6, &data, &len), 0);
    struct fuse_entry_out le;
    ASSERT_EQ(len, sizeof le);
    memcpy(&le, data, sizeof le);
    ASSERT_EQ(le.nodeid, e.nodeid); /* the kernel's inode stays the same */
    ASSERT_EQ(le.attr.nlink, 1);
    ASSERT_EQ(le.attr.size, 3);
    ASSERT(node_known(e.nodeid));
    struct fuse_entry_out x;
    ASSERT_EQ(lookup(d.nodeid, "named", &x), 0);
    ASSERT_EQ(x.nodeid, e.nodeid);
    /* A second name is an ordinary hard link. */
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "second", 7, &data, &len), 0);
    ASSERT_EQ(release(e.nodeid, oo.fh, false), 0);
    /* A file that lost its names cannot get one back (the kernel refuses too). */
    ASSERT_EQ(call(FUSE_TMPFILE, d.nodeid, &ci, sizeof ci, "/", 2, &data, &len), 0);
    memcpy(&e, data, sizeof e);
    memcpy(&oo, (char *)data + sizeof e, sizeof oo);
    ASSERT_EQ(release(e.nodeid, oo.fh, false), 0);
    li.oldnodeid = e.nodeid;
    ASSERT_EQ(call(FUSE_LINK, d.nodeid, &li, sizeof li, "late", 5, 0, 0), -ENOENT);
    forget(e.nodeid, 1);
    sync_engine();
    ASSERT_EQ(lookup(d.nodeid, "late", &x), -ENOENT);
}

/* A removed directory that is a process's working directory: attributes, an empty listing. */
static void removed_dir_attributes(void)
{
    start(0, 0, 1);
    struct fuse_entry_out d;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "cwd", 0750, &d), 0);
    ASSERT_EQ(call(FUSE_RMDIR, FUSE_ROOT_ID, "cwd", 4, 0, 0, 0, 0), 0);
    struct fuse_attr a;
    ASSERT_EQ(getattr(d.nodeid, &a), 0);
    ASSERT(S_ISDIR(a.mode));
    ASSERT_EQ(a.mode & 07777, 0750);
    ASSERT_EQ(a.nlink, 0);
    /* chmod(".") changes what is kept */
    struct fuse_setattr_in in;
    memset(&in, 0, sizeof in);
    in.valid = FATTR_MODE;
    in.mode = S_IFDIR | 0700;
    ASSERT_EQ(setattr(d.nodeid, &in, &a), 0);
    ASSERT_EQ(a.mode, S_IFDIR | 0700);
    ASSERT_EQ(getattr(d.nodeid, &a), 0);
    ASSERT_EQ(a.mode, S_IFDIR | 0700);
    in.valid = FATTR_SIZE;
    ASSERT_EQ(setattr(d.nodeid, &in, &a), -EISDIR);
    /* opendir(".") opens it and lists nothing */
    uint64_t dfh;
    ASSERT_EQ(open_(d.nodeid, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READDIR, d.nodeid, dfh, 0, 4096, &data, &len), 0);
    ASSERT_EQ(len, 0);
    struct fuse_fsync_in fi = {.fh = dfh};
    ASSERT_EQ(call(FUSE_FSYNCDIR, d.nodeid, &fi, sizeof fi, 0, 0, 0, 0), 0);
    /* the handle is not an open file of the file system */
    struct fuse_read_in ri = {.fh = dfh, .size = 10};
    ASSERT_EQ(call(FUSE_READ, d.nodeid, &ri, sizeof ri, 0, 0, 0, 0), -EBADF);
    ASSERT_EQ(release(d.nodeid, dfh, true), 0);
    /* a directory replaced by a rename is kept the same way */
    struct fuse_entry_out s, t;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "src", 0755, &s), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "dst", 0711, &t), 0);
    ASSERT_EQ(rename2(FUSE_ROOT_ID, "src", FUSE_ROOT_ID, "dst", 0), 0);
    ASSERT_EQ(getattr(t.nodeid, &a), 0);
    ASSERT_EQ(a.mode, S_IFDIR | 0711);
    ASSERT_EQ(a.nlink, 0);
    ASSERT_EQ(getattr(s.nodeid, &a), 0);
    ASSERT_EQ(a.mode, S_IFDIR | 0755);
    ASSERT(a.nlink > 0);
    /* once forgotten, nothing is left */
    forget(d.nodeid, 1);
    sync_engine();
    ASSERT_EQ(getattr(d.nodeid, &a), -ENOENT);
}

/* RENAME_EXCHANGE of a directory and a file in two directories: the node table follows. */
static void exchange_nodes(void)
{
    start(0, 0, 1);
    struct fuse_entry_out p, q, a, inner, b, x;
    uint64_t fh;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "p", 0755, &p), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "q", 0755, &q), 0);
    ASSERT_EQ(mkdir_(p.nodeid, "a", 0755, &a), 0);
    ASSERT_EQ(create(a.nodeid, "inner", 0644, &inner, &fh), 0);
    ASSERT_EQ(release(inner.nodeid, fh, false), 0);
    ASSERT_EQ(create(q.nodeid, "b", 0644, &b, &fh), 0);
    ASSERT_EQ(release(b.nodeid, fh, false), 0);
    ASSERT_EQ(rename2(p.nodeid, "a", q.nodeid, "b", RENAME_EXCHANGE), 0);
    ASSERT_EQ(lookup(q.nodeid, "b", &x), 0);
    ASSERT_EQ(x.nodeid, a.nodeid);
    ASSERT(S_ISDIR(x.attr.mode));
    ASSERT_EQ(lookup(p.nodeid, "a", &x), 0);
    ASSERT_EQ(x.nodeid, b.nodeid);
    ASSERT(S_ISREG(x.attr.mode));
    PWSTR path = 0;
    ASSERT_EQ(fsp_node_path(engine(), inner.nodeid, FSP_PATH_NODE, &path), 0);
    int same = 0 == wcscmp(path, L"\\q\\b\\inner");
    ASSERT(same);
    /* a directory cannot go into itself */
    ASSERT_EQ(rename2(q.nodeid, "b", a.nodeid, "inner", RENAME_EXCHANGE), -EINVAL);
}

/* A memfs that keeps no link counts (WinFsp's model): the engine gives st_nlink. */
static void patch_no_hard_links(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    (void)iface;
    fs()->VolumeParams.HardLinks = 0;
}

/*
 * Without VolumeParams.HardLinks the engine counts a directory's subdirectories for st_nlink:
 * a RENAME_EXCHANGE of a directory and a file moves one subdirectory from one parent to the
 * other; an exchange of two directories moves none.
 */
static void exchange_nlink(void)
{
    g_patch = patch_no_hard_links;
    start(0, 0, 1);
    struct fuse_entry_out p, q, a, b, c;
    struct fuse_attr attr;
    uint64_t fh;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "p", 0755, &p), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "q", 0755, &q), 0);
    ASSERT_EQ(mkdir_(p.nodeid, "a", 0755, &a), 0);
    ASSERT_EQ(create(q.nodeid, "b", 0644, &b, &fh), 0);
    ASSERT_EQ(release(b.nodeid, fh, false), 0);
    ASSERT_EQ(getattr(p.nodeid, &attr), 0);
    ASSERT_EQ(attr.nlink, 3);
    ASSERT_EQ(getattr(q.nodeid, &attr), 0);
    ASSERT_EQ(attr.nlink, 2);
    ASSERT_EQ(rename2(p.nodeid, "a", q.nodeid, "b", RENAME_EXCHANGE), 0);
    ASSERT_EQ(getattr(p.nodeid, &attr), 0);
    ASSERT_EQ(attr.nlink, 2);
    ASSERT_EQ(getattr(q.nodeid, &attr), 0);
    ASSERT_EQ(attr.nlink, 3);
    /* two directories: the counts stay */
    ASSERT_EQ(mkdir_(p.nodeid, "c", 0755, &c), 0);
    ASSERT_EQ(rename2(p.nodeid, "c", q.nodeid, "b", RENAME_EXCHANGE), 0);
    ASSERT_EQ(getattr(p.nodeid, &attr), 0);
    ASSERT_EQ(attr.nlink, 3);
    ASSERT_EQ(getattr(q.nodeid, &attr), 0);
    ASSERT_EQ(attr.nlink, 3);
}

/* ---- the engine's error currency (fs_errors.h): what the kernel gets for a status ---- */

/*
 * Every NTSTATUS becomes, inside the engine, an errno or an internal code whose public errno is
 * exactly FspErrnoFromNtStatus's; no internal code can reach the kernel.
 */
static void errno_mapping_table(void)
{
    static const UINT32 bases[] = {0x00000000u, 0x40000000u, 0x80000000u, 0xC0000000u,
                                   0xC0070000u, (UINT32)FSP_STATUS_FROM_ERRNO(0)};
    unsigned internal = 0;
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
        for (UINT32 low = 0; low <= 0xffff; low++) {
            NTSTATUS s = (NTSTATUS)(bases[b] | low);
            int want = FspErrnoFromNtStatus(s);
            int e = fsp_err_from_status(s), p = fsp_err_from_status_pending(s);
            if (fsp_err_is_internal(e)) {
                internal++;
                ASSERT_EQ((UINT32)fsp_err_status(e), (UINT32)s);
            }
            ASSERT_EQ(fsp_err_public(e), want);
            ASSERT_EQ(fsp_err_public(p), want);
            ASSERT(!fsp_err_is_internal(fsp_err_public(e)));
            ASSERT_EQ(NT_SUCCESS(s) ? 0 : 1, e ? 1 : 0);
            ASSERT_EQ(STATUS_PENDING == s ? FSP_EPENDING : e, p);
        }
    ASSERT_EQ(internal, FSP_EINTERNAL_END - FSP_EINTERNAL_BASE - 1); /* all but FSP_EPENDING */
}

static NTSTATUS g_fail_status; /* what GetFileInfo returns while set */
static NTSTATUS failing_get_file_info(FSP_FILE_SYSTEM *fs_, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    if (g_fail_status)
        return g_fail_status;
    return g_memfs_iface->GetFileInfo(fs_, ctx, info);
}

static void patch_failing_get_file_info(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->GetFileInfo = failing_get_file_info;
}

/* Through a handler and its reply: the kernel gets FspErrnoFromNtStatus of each failure (ENOSYS as
 * fsp_ops_unsupported answers it). */
static void errno_mapping_reply(void)
{
    g_patch = patch_failing_get_file_info;
    start(0, 0, 1);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    NTSTATUS statuses[0x400 + 140 + FSP_EINTERNAL_END - FSP_EINTERNAL_BASE];
    size_t n = 0;
    for (UINT32 low = 1; low < 0x400; low++)
        statuses[n++] = (NTSTATUS)(0xC0000000u | low);
    for (int err = 1; err < 140; err++)
        statuses[n++] = FSP_STATUS_FROM_ERRNO(err);
    for (int c = FSP_EINTERNAL_BASE; c < FSP_EINTERNAL_END; c++)
        if (!NT_SUCCESS(fsp_err_status(c)))
            statuses[n++] = fsp_err_status(c);
    for (size_t i = 0; i < n; i++) {
        g_fail_status = statuses[i];
        struct fuse_getattr_in in;
        memset(&in, 0, sizeof in);
        in.getattr_flags = FUSE_GETATTR_FH;
        in.fh = fh;
        void *data;
        size_t len;
        int err = call(FUSE_GETATTR, e.nodeid, &in, sizeof in, 0, 0, &data, &len);
        g_fail_status = 0;
        /* ENOSYS goes out as the opcode's answer for a missing operation (fsp_ops_unsupported) */
        int want = FspErrnoFromNtStatus(statuses[i]);
        ASSERT_EQ(err, -(ENOSYS == want ? fsp_ops_unsupported(FUSE_GETATTR) : want));
    }
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* What the file system answers instead of memfs, while set (NTSTATUS 0: memfs's answer). */
static NTSTATUS g_open_status, g_create_status, g_read_status;
static NTSTATUS status_open(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access,
                            PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    if (g_open_status)
        return g_open_status;
    return g_memfs_iface->Open(fs_, name, options, access, pctx, info);
}

static NTSTATUS status_create_ex(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access,
                                 UINT32 attrs, PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID extra,
                                 ULONG extralen, BOOLEAN is_reparse, PVOID *pctx,
                                 FSP_FSCTL_FILE_INFO *info)
{
    if (g_create_status)
        return g_create_status;
    return g_memfs_iface->CreateEx(fs_, name, options, access, attrs, sd, alloc, extra, extralen,
                                   is_reparse, pctx, info);
}

static NTSTATUS status_read(FSP_FILE_SYSTEM *fs_, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                            PULONG pgot)
{
    if (g_read_status)
        return g_read_status;
    return g_memfs_iface->Read(fs_, ctx, buf, off, len, pgot);
}

static void patch_statuses(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->Open = status_open;
    iface->CreateEx = status_create_ex;
    iface->Read = status_read;
}

/*
 * The statuses that share an errno and that the engine tells apart: only a name that is not
 * there makes a negative entry (not DELETE_PENDING, also ENOENT); only the file system's name
 * collision makes CREATE open the existing file (not its own EEXIST); END_OF_FILE is a read of
 * 0 bytes (the file system's own ENODATA is an error).
 */
static void errno_distinctions(void)
{
    g_patch = patch_statuses;
    start(0, 1000, 1);
    void *data;
    size_t len;
    struct fuse_entry_out e;
    NTSTATUS negative[] = {STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND};
    for (size_t i = 0; i < 2; i++) {
        g_open_status = negative[i];
        ASSERT_EQ(call(FUSE_LOOKUP, FUSE_ROOT_ID, "x", 2, 0, 0, &data, &len), 0);
        ASSERT_EQ(len, sizeof e);
        memcpy(&e, data, sizeof e);
        ASSERT_EQ(e.nodeid, 0);
    }
    g_open_status = STATUS_DELETE_PENDING;
    ASSERT_EQ(call(FUSE_LOOKUP, FUSE_ROOT_ID, "x", 2, 0, 0, &data, &len), -ENOENT);
    g_open_status = FSP_STATUS_FROM_ERRNO(ENOENT);
    ASSERT_EQ(call(FUSE_LOOKUP, FUSE_ROOT_ID, "x", 2, 0, 0, &data, &len), -ENOENT);
    g_open_status = 0;

    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    struct fuse_create_in in = {.flags = O_RDWR | O_CREAT, .mode = S_IFREG | 0644, .umask = 022};
    g_create_status = STATUS_OBJECT_NAME_COLLISION; /* as memfs answers: the existing file opens */
    ASSERT_EQ(call(FUSE_CREATE, FUSE_ROOT_ID, &in, sizeof in, "f", 2, &data, &len), 0);
    struct fuse_entry_out e2;
    struct fuse_open_out oo;
    ASSERT_EQ(len, sizeof e2 + sizeof oo);
    memcpy(&e2, data, sizeof e2);
    memcpy(&oo, (char *)data + sizeof e2, sizeof oo);
    ASSERT_EQ(e2.nodeid, e.nodeid);
    ASSERT_EQ(release(e.nodeid, oo.fh, false), 0);
    forget(e.nodeid, 1);
    g_create_status = FSP_STATUS_FROM_ERRNO(EEXIST);
    ASSERT_EQ(call(FUSE_CREATE, FUSE_ROOT_ID, &in, sizeof in, "f", 2, &data, &len), -EEXIST);
    g_create_status = 0;

    g_read_status = STATUS_END_OF_FILE;
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 16, &data, &len), 0);
    ASSERT_EQ(len, 0);
    g_read_status = FSP_STATUS_FROM_ERRNO(ENODATA);
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 16, &data, &len), -ENODATA);
    g_read_status = 0;
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* ---- asynchronous completion (memfs slow I/O: STATUS_PENDING + FspFileSystemSendResponse) ---- */

static void start_slow(ULONG max_delay_ms, unsigned threads)
{
    NTSTATUS status = MemfsCreateFunnel(0, 0, 1024, 16 * 1024 * 1024, max_delay_ms, 100, 0, 0, 0, 0,
                                        &g_memfs);
    if (STATUS_NO_SUCH_DEVICE == status || STATUS_ACCESS_DENIED == status)
        tlib_skip("no usable /dev/fuse (FspFileSystemCreate opens it)");
    ASSERT_EQ(status, STATUS_SUCCESS);
    apply_patch();
    int sv[2];
    ASSERT(0 == socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
    g_sock = sv[0];
    status = fsp_engine_attach_fd(fs(), sv[1]);
    if (!NT_SUCCESS(status))
        close(sv[1]);
    ASSERT_EQ(status, STATUS_SUCCESS);
    ASSERT_EQ(FspFileSystemStartDispatcher(fs(), threads), STATUS_SUCCESS);
    g_unique = 0;
    g_notifications = 0;
    g_nlate = 0;
    struct fuse_init_out out;
    ASSERT_EQ(do_init(7, FSP_FUSE_MINOR_MAX, ALL_FLAGS, sizeof(struct fuse_init_in), &out), 0);
}

static void pending_io(void)
{
    /* Every Read, Write and ReadDirectory completes later from another thread. */
    start_slow(3, 2);
    struct fuse_entry_out d, e;
    uint64_t fh;
    uint32_t w;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(create(d.nodeid, "f", 0644, &e, &fh), 0);
    static unsigned char buf[100000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i ^ (i >> 9));
    ASSERT_EQ(write_(e.nodeid, fh, 0, buf, sizeof buf, &w), 0);
    ASSERT_EQ(w, sizeof buf);
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 1000, 50000, &data, &len), 0);
    ASSERT_EQ(len, 50000);
    ASSERT(0 == memcmp(data, buf + 1000, 50000));
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, sizeof buf, 10, &data, &len), 0);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    for (int i = 0; i < 50; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%02d", i);
        ASSERT_EQ(create(d.nodeid, name, 0644, &e, &fh), 0);
        ASSERT_EQ(release(e.nodeid, fh, false), 0);
    }
    list_dir(d.nodeid, 512, false, &g_l1);
    ASSERT_EQ(g_l1.n, 2 + 51);
    /* Pipelined reads complete in any order, each exactly once. */
    ASSERT_EQ(lookup(d.nodeid, "f", &e), 0);
    ASSERT_EQ(open_(e.nodeid, O_RDONLY, &fh, false), 0);
    enum { K = 32 };
    uint64_t us[K];
    for (int i = 0; i < K; i++) {
        struct fuse_read_in ri = {.fh = fh, .offset = (uint64_t)i * 1000, .size = 1000};
        us[i] = send_req(FUSE_READ, e.nodeid, &ri, sizeof ri, 0, 0);
    }
    bool got[K] = {0};
    for (int i = 0; i < K; i++) {
        ssize_t n = recv_msg(REPLY_TIMEOUT_MS);
        ASSERT(n > 0);
        struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
        ASSERT_EQ(o->len, n);
        ASSERT_EQ(o->error, 0);
        ASSERT_EQ(n, sizeof *o + 1000);
        int k = -1;
        for (int j = 0; j < K; j++)
            if (us[j] == o->unique)
                k = j;
        ASSERT(k >= 0 && !got[k]);
        got[k] = true;
        ASSERT(0 == memcmp(g_rbuf + sizeof *o, buf + k * 1000, 1000));
    }
    expect_no_reply();
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* The next message other than a late EAGAIN to one of g_late; -1 after timeout_ms without one. */
static ssize_t recv_not_late(int timeout_ms)
{
    for (;;) {
        ssize_t n = recv_msg(timeout_ms);
        if (n < (ssize_t)sizeof(struct fuse_out_header) || !late_reply((struct fuse_out_header *)g_rbuf))
            return n;
    }
}

static void interrupt_pending(void)
{
    start_slow(400, 2);
    struct fuse_entry_out e;
    uint64_t fh;
    uint32_t w;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    ASSERT_EQ(write_(e.nodeid, fh, 0, "0123456789", 10, &w), 0);
    bool interrupted = false;
    for (int attempt = 0; attempt < 50 && !interrupted; attempt++) {
        struct fuse_read_in ri = {.fh = fh, .offset = 0, .size = 10};
        uint64_t u = send_req(FUSE_READ, e.nodeid, &ri, sizeof ri, 0, 0);
        ssize_t n = recv_not_late(30);
        if (n > 0) {
            /* This one completed fast (the delay is random): try again. */
            ASSERT_EQ(((struct fuse_out_header *)g_rbuf)->unique, u);
            continue;
        }
        struct fuse_interrupt_in ii = {.unique = u};
        uint64_t ui = send_req(FUSE_INTERRUPT, 0, &ii, sizeof ii, 0, 0);
        /* The READ is answered EINTR at once and the INTERRUPT itself gets no reply; or the READ
         * completes normally and the INTERRUPT gets EAGAIN (it came before the READ or after its
         * answer) or no reply (it came while a worker was still inside Read, before the READ
         * was pending: such an operation is not cancelled). */
        n = recv_not_late(REPLY_TIMEOUT_MS);
        ASSERT(n >= (ssize_t)sizeof(struct fuse_out_header));
        struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
        ASSERT_EQ(o->len, n);
        ASSERT(o->unique == u || o->unique == ui);
        if (o->unique == u && -EINTR == o->error) {
            interrupted = true;
            continue;
        }
        if (o->unique == u) {
            ASSERT_EQ(o->error, 0);
            ASSERT(g_nlate < sizeof g_late / sizeof g_late[0]);
            g_late[g_nlate++] = ui; /* EAGAIN or nothing, whenever */
        } else {
            ASSERT_EQ(o->error, -EAGAIN);
            ASSERT_EQ(recv_reply(u, 0, 0), 0);
        }
    }
    ASSERT(interrupted);
    /* The file system's late response is dropped: nothing more arrives (but an EAGAIN above). */
    usleep(450 * 1000);
    ASSERT_EQ(recv_not_late(NO_REPLY_WAIT_MS), -1);
    /* And the engine serves on. */
    void *data;
    size_t len;
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(open_(e.nodeid, O_RDONLY, &fh, false), 0);
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 2, 3, &data, &len), 0);
    ASSERT_EQ(len, 3);
    ASSERT(0 == memcmp(data, "234", 3));
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* ---- protocol ---- */

static void unknown_opcode(void)
{
    start(0, 0, 1);
    unsigned char arg[64] = {0};
    ASSERT_EQ(call(9999, FUSE_ROOT_ID, arg, sizeof arg, 0, 0, 0, 0), -ENOSYS);
    ASSERT_EQ(call(0, FUSE_ROOT_ID, 0, 0, 0, 0, 0, 0), -ENOSYS);
    ASSERT_EQ(call(UINT32_MAX, FUSE_ROOT_ID, 0, 0, 0, 0, 0, 0), -ENOSYS);
    /* Opcodes the engine leaves to the kernel. */
    ASSERT_EQ(call(FUSE_FLUSH, FUSE_ROOT_ID, arg, sizeof(struct fuse_flush_in), 0, 0, 0, 0), -ENOSYS);
    ASSERT_EQ(call(FUSE_GETLK, FUSE_ROOT_ID, arg, sizeof(struct fuse_lk_in), 0, 0, 0, 0), -ENOSYS);
    ASSERT_EQ(call(FUSE_BMAP, FUSE_ROOT_ID, arg, sizeof(struct fuse_bmap_in), 0, 0, 0, 0), -ENOSYS);
    ASSERT_EQ(call(FUSE_LSEEK, FUSE_ROOT_ID, arg, sizeof(struct fuse_lseek_in), 0, 0, 0, 0), -ENOSYS);
    /* The debug log names opcodes: every one the engine handles, and the rest it knows. */
    for (uint32_t op = 0; op < 64; op++)
        if (fsp_ops_handler(op))
            ASSERT(0 != strcmp(fsp_ops_name(op), "???"));
    ASSERT(0 == strcmp(fsp_ops_name(FUSE_LOOKUP), "LOOKUP"));
    ASSERT(0 == strcmp(fsp_ops_name(FUSE_INIT), "INIT"));
    ASSERT(0 == strcmp(fsp_ops_name(FUSE_SETUPMAPPING), "SETUPMAPPING"));
    ASSERT(0 == strcmp(fsp_ops_name(9999), "???"));
    ASSERT(0 == strcmp(fsp_ops_name(UINT32_MAX), "???"));
    /* Still serving. */
    sync_engine();
}

static void forget_counts(void)
{
    start(0, 0, 1);
    ASSERT_EQ(node_count(), 1);
    struct fuse_entry_out d, f, l;
    uint64_t fh;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);          /* d: 1 */
    ASSERT_EQ(create(d.nodeid, "f", 0644, &f, &fh), 0);         /* f: 1 */
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "d", &l), 0);                /* d: 2 */
    ASSERT_EQ(l.nodeid, d.nodeid);
    ASSERT_EQ(lookup(d.nodeid, "f", &l), 0);                    /* f: 2 */
    ASSERT_EQ(lookup(d.nodeid, "f", &l), 0);                    /* f: 3 */
    ASSERT_EQ(node_count(), 3);

    /* FORGET gets no reply; the node stays until all its lookups are forgotten. */
    forget(f.nodeid, 2);
    expect_no_reply();
    sync_engine();
    ASSERT(node_known(f.nodeid));
    struct fuse_attr a;
    ASSERT_EQ(getattr(f.nodeid, &a), 0);
    forget(f.nodeid, 1);
    expect_no_reply();
    sync_engine();
    ASSERT(!node_known(f.nodeid));
    ASSERT_EQ(getattr(f.nodeid, &a), -ENOENT);
    ASSERT_EQ(node_count(), 2);

    /* A new lookup gives a fresh node. */
    ASSERT_EQ(lookup(d.nodeid, "f", &f), 0);                    /* f': 1 */
    ASSERT(node_known(f.nodeid));

    /* A directory forgotten while a child is known stays as the child's path element. */
    forget(d.nodeid, 2);
    sync_engine();
    ASSERT_EQ(getattr(f.nodeid, &a), 0);
    ASSERT_EQ(node_count(), 3);
    /* Forgetting the child lets both go. */
    forget(f.nodeid, 1);
    sync_engine();
    ASSERT_EQ(node_count(), 1);

    /* BATCH_FORGET: no reply; each entry's count is honoured. */
    struct fuse_entry_out n[3];
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "a", 0755, &n[0]), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "b", 0755, &n[1]), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "c", 0755, &n[2]), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "b", &l), 0);                /* b: 2 */
    ASSERT_EQ(node_count(), 4);
    struct {
        struct fuse_batch_forget_in in;
        struct fuse_forget_one one[4];
    } bf = {{3, 0}, {{n[0].nodeid, 1}, {n[1].nodeid, 1}, {n[2].nodeid, 1}, {0, 0}}};
    send_req(FUSE_BATCH_FORGET, 0, &bf, sizeof bf.in + 3 * sizeof bf.one[0], 0, 0);
    expect_no_reply();
    sync_engine();
    ASSERT_EQ(node_count(), 2);
    ASSERT(node_known(n[1].nodeid));
    ASSERT(!node_known(n[0].nodeid));
    /* A count larger than what the message carries is clamped; over-forgetting is harmless. */
    bf.in.count = 1000000;
    bf.one[0].nodeid = n[1].nodeid;
    bf.one[0].nlookup = 99;
    send_req(FUSE_BATCH_FORGET, 0, &bf, sizeof bf.in + sizeof bf.one[0], 0, 0);
    expect_no_reply();
    sync_engine();
    ASSERT_EQ(node_count(), 1);
    /* Forgetting the root or unknown nodes changes nothing. */
    forget(FUSE_ROOT_ID, 1000);
    forget(777777, 1);
    forget(UINT64_MAX, UINT64_MAX);
    expect_no_reply();
    sync_engine();
    ASSERT_EQ(node_count(), 1);
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &a), 0);
    /* The names themselves are still there. */
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "a", &l), 0);
    ASSERT_EQ(lookup(d.nodeid, "f", &l), -ENOENT); /* d's nodeid was forgotten */
}

static void interrupt_unknown(void)
{
    start(0, 0, 1);
    struct fuse_interrupt_in in = {.unique = 123456};
    /* Interrupting a request the engine does not hold: EAGAIN (the kernel resends if needed). */
    uint64_t u = send_req(FUSE_INTERRUPT, 0, &in, sizeof in, 0, 0);
    ASSERT_EQ(recv_reply(u, 0, 0), -EAGAIN);
    /* Interrupting one that was answered already: the same. */
    u = send_req(FUSE_STATFS, FUSE_ROOT_ID, 0, 0, 0, 0);
    ASSERT_EQ(recv_reply(u, 0, 0), 0);
    in.unique = u;
    uint64_t u2 = send_req(FUSE_INTERRUPT, 0, &in, sizeof in, 0, 0);
    ASSERT_EQ(recv_reply(u2, 0, 0), -EAGAIN);
    /* Unique 0 names no request (it must not match an idle worker either). */
    in.unique = 0;
    ASSERT_EQ(call(FUSE_INTERRUPT, 0, &in, sizeof in, 0, 0, 0, 0), -EINVAL);
    /* Too short. */
    ASSERT_EQ(call(FUSE_INTERRUPT, 0, &in, 4, 0, 0, 0, 0), -EIO);
    sync_engine();
}

static void destroy_(void)
{
    /* One worker: with more, another worker may still take a request the test sends after
     * DESTROY (the kernel sends none then). */
    start(0, 0, 1);
    struct fuse_entry_out e;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &e), 0);
    size_t len;
    ASSERT_EQ(call(FUSE_DESTROY, 0, 0, 0, 0, 0, 0, &len), 0);
    ASSERT_EQ(len, 0);
    /* The engine stops serving: later requests are not answered. */
    send_req(FUSE_STATFS, FUSE_ROOT_ID, 0, 0, 0, 0);
    expect_no_reply();
    ASSERT(atomic_load(&engine()->stopping));
    /* Stopping (teardown) after that is clean. */
}

static void peer_closed(void)
{
    /* The kernel side going away (read returns 0) stops the workers; stopping afterwards is clean. */
    start(0, 0, 3);
    sync_engine();
    close(g_sock);
    g_sock = -1;
    for (int i = 0; i < 500 && !atomic_load(&engine()->stopping); i++)
        usleep(10000);
    ASSERT(atomic_load(&engine()->stopping));
}

/* ---- malformed requests ---- */

static void malformed_headers(void)
{
    start(0, 0, 1);
    struct {
        struct fuse_in_header h;
        unsigned char arg[64];
    } m;
    memset(&m, 0, sizeof m);

    /* Shorter than a header: nothing to answer (no readable unique). */
    send_raw(&m, 10);
    send_raw(&m, 1);
    expect_no_reply();
    sync_engine();

    /* Header len smaller than a header. */
    m.h.len = 10, m.h.opcode = FUSE_GETATTR, m.h.unique = 1000, m.h.nodeid = FUSE_ROOT_ID;
    send_raw(&m, sizeof m.h + sizeof(struct fuse_getattr_in));
    ASSERT_EQ(recv_reply(1000, 0, 0), -EIO);
    /* Header len larger than what was read. */
    m.h.len = 4096, m.h.unique = 1002;
    send_raw(&m, sizeof m.h + sizeof(struct fuse_getattr_in));
    ASSERT_EQ(recv_reply(1002, 0, 0), -EIO);
    /* Header len smaller than what was read (trailing garbage). */
    m.h.len = sizeof m.h, m.h.unique = 1004;
    send_raw(&m, sizeof m.h + sizeof(struct fuse_getattr_in));
    ASSERT_EQ(recv_reply(1004, 0, 0), -EIO);
    m.h.len = UINT32_MAX, m.h.unique = 1006;
    send_raw(&m, sizeof m.h);
    ASSERT_EQ(recv_reply(1006, 0, 0), -EIO);
    /* A bad message with unique 0 gets no reply. */
    m.h.len = 5, m.h.unique = 0;
    send_raw(&m, sizeof m.h);
    expect_no_reply();

    /* The engine keeps serving. */
    struct fuse_attr a;
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &a), 0);
    ASSERT(S_ISDIR(a.mode));
}

static void malformed_args(void)
{
    start(0, 0, 1);
    unsigned char z[256];
    memset(z, 0, sizeof z);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "file", 0644, &e, &fh), 0);

    /* Payloads shorter than the opcode's minimum. */
    static const struct {
        uint32_t opcode;
        size_t len;
    } shorts[] = {
        {FUSE_GETATTR, 0},
        {FUSE_GETATTR, sizeof(struct fuse_getattr_in) - 1},
        {FUSE_SETATTR, sizeof(struct fuse_setattr_in) - 8},
        {FUSE_LOOKUP, 0},
        {FUSE_LOOKUP, 1},
        {FUSE_MKDIR, sizeof(struct fuse_mkdir_in)},
        {FUSE_MKDIR, 3},
        {FUSE_CREATE, sizeof(struct fuse_create_in)},
        {FUSE_OPEN, 4},
        {FUSE_OPENDIR, 0},
        {FUSE_READ, sizeof(struct fuse_read_in) - 4},
        {FUSE_READDIR, 8},
        {FUSE_READDIRPLUS, 8},
        {FUSE_WRITE, sizeof(struct fuse_write_in) - 1},
        {FUSE_RELEASE, 8},
        {FUSE_RELEASEDIR, 8},
        {FUSE_FSYNC, 0},
        {FUSE_RENAME, sizeof(struct fuse_rename_in) + 2},
        {FUSE_RENAME2, sizeof(struct fuse_rename2_in)},
        {FUSE_LINK, sizeof(struct fuse_link_in)},
        {FUSE_SYMLINK, 3},
        {FUSE_MKNOD, sizeof(struct fuse_mknod_in)},
        {FUSE_SETXATTR, 4},
        {FUSE_GETXATTR, sizeof(struct fuse_getxattr_in)},
        {FUSE_LISTXATTR, 4},
        {FUSE_REMOVEXATTR, 1},
        {FUSE_UNLINK, 1},
        {FUSE_RMDIR, 0},
        {FUSE_IOCTL, 16},
        {FUSE_FALLOCATE, 8},
        {FUSE_SYNCFS, 0},
        {FUSE_FORGET, 4},
        {FUSE_BATCH_FORGET, 4},
    };
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++) {
        int err = call(shorts[i].opcode, FUSE_ROOT_ID, z, shorts[i].len, 0, 0, 0, 0);
        if (-EIO != err)
            fprintf(stderr, "    opcode %u with %zu bytes: %d\n", shorts[i].opcode, shorts[i].len, err);
        ASSERT_EQ(err, -EIO);
    }
    sync_engine();

    /* Names without their NUL terminator. */
    ASSERT_EQ(call(FUSE_LOOKUP, FUSE_ROOT_ID, "file", 4, 0, 0, 0, 0), -EINVAL);
    struct fuse_mkdir_in mi = {.mode = 0755};
    ASSERT_EQ(call(FUSE_MKDIR, FUSE_ROOT_ID, &mi, sizeof mi, "newdir", 6, 0, 0), -EINVAL);
    struct fuse_create_in ci = {.flags = O_RDWR | O_CREAT, .mode = S_IFREG | 0644};
    ASSERT_EQ(call(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof ci, "newfile", 7, 0, 0), -EINVAL);
    ASSERT_EQ(call(FUSE_UNLINK, FUSE_ROOT_ID, "file", 4, 0, 0, 0, 0), -EINVAL);
    ASSERT_EQ(call(FUSE_RMDIR, FUSE_ROOT_ID, "dd", 2, 0, 0, 0, 0), -EINVAL);
    struct fuse_rename_in ri = {.newdir = FUSE_ROOT_ID};
    ASSERT_EQ(call(FUSE_RENAME, FUSE_ROOT_ID, &ri, sizeof ri, "file\0other", 10, 0, 0), -EINVAL);
    ASSERT_EQ(call(FUSE_RENAME, FUSE_ROOT_ID, &ri, sizeof ri, "fileother", 9, 0, 0), -EINVAL);
    struct fuse_link_in li = {.oldnodeid = e.nodeid};
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "link", 4, 0, 0), -EINVAL);
    ASSERT_EQ(call(FUSE_SYMLINK, FUSE_ROOT_ID, "name\0target", 11, 0, 0, 0, 0), -EINVAL);
    struct fuse_getxattr_in gi = {.size = 100};
    ASSERT_EQ(call(FUSE_GETXATTR, e.nodeid, &gi, sizeof gi, "user.x", 6, 0, 0), -EINVAL);
    /* Names the engine refuses. */
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "", &e), -EIO); /* 1 byte: below LOOKUP's minimum */
    ASSERT_EQ(call(FUSE_LOOKUP, FUSE_ROOT_ID, "\0", 2, 0, 0, 0, 0), -EINVAL);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, ".", &e), -EINVAL);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "..", &e), -EINVAL);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "a/b", &e), -EINVAL);
    char longname[300];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    ASSERT_EQ(lookup(FUSE_ROOT_ID, longname, &e), -ENAMETOOLONG);
    struct fuse_entry_out d;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, longname, 0755, &d), -ENAMETOOLONG);

    /* WRITE claiming more data than it carries. */
    struct fuse_write_in wi = {.fh = fh, .offset = 0, .size = 100};
    ASSERT_EQ(call(FUSE_WRITE, e.nodeid, &wi, sizeof wi, "short", 5, 0, 0), -EINVAL);
    wi.size = UINT32_MAX;
    ASSERT_EQ(call(FUSE_WRITE, e.nodeid, &wi, sizeof wi, "short", 5, 0, 0), -EINVAL);
    /* Unknown and forged file handles. */
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, fh + 1, 0, "x", 1, &w), -EBADF);
    ASSERT_EQ(write_(e.nodeid, fh ^ (1ULL << 32), 0, "x", 1, &w), -EBADF);
    ASSERT_EQ(write_(e.nodeid, UINT64_MAX, 0, "x", 1, &w), -EBADF);
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, 0, 0, 10, &data, &len), -EBADF);
    ASSERT_EQ(release(e.nodeid, UINT64_MAX, false), -EBADF);
    ASSERT_EQ(release(e.nodeid, 12345, true), -EBADF);
    struct fuse_getattr_in ga = {.getattr_flags = FUSE_GETATTR_FH, .fh = 0xdeadbeef};
    ASSERT_EQ(call(FUSE_GETATTR, e.nodeid, &ga, sizeof ga, 0, 0, 0, 0), -EBADF);

    /* Huge and unknown nodeids. */
    struct fuse_attr a;
    ASSERT_EQ(getattr(UINT64_MAX, &a), -ENOENT);
    ASSERT_EQ(getattr(0, &a), -ENOENT);
    ASSERT_EQ(getattr(987654321, &a), -ENOENT);
    ASSERT_EQ(lookup(UINT64_MAX, "file", &d), -ENOENT);
    ASSERT_EQ(mkdir_(UINT64_MAX, "x", 0755, &d), -ENOENT);
    ASSERT_EQ(create(UINT64_MAX - 1, "x", 0644, &d, &fh), -ENOENT);
    uint64_t fh2;
    ASSERT_EQ(open_(UINT64_MAX, O_RDONLY, &fh2, false), -ENOENT);
    ASSERT_EQ(open_(UINT64_MAX, O_RDONLY, &fh2, true), -ENOENT);
    ASSERT_EQ(call(FUSE_UNLINK, UINT64_MAX, "file", 5, 0, 0, 0, 0), -ENOENT);
    ri.newdir = UINT64_MAX;
    ASSERT_EQ(call(FUSE_RENAME, FUSE_ROOT_ID, &ri, sizeof ri, "file\0other", 11, 0, 0), -ENOENT);
    li.oldnodeid = UINT64_MAX;
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "link", 5, 0, 0), -ENOENT);
    ASSERT_EQ(call(FUSE_STATFS, UINT64_MAX, 0, 0, 0, 0, 0, 0), 0); /* statfs is volume-wide */

    /* Zero sizes and extreme offsets. */
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, UINT64_MAX, 100, &data, &len), 0);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(write_(e.nodeid, fh, 0, "", 0, &w), 0);
    ASSERT_EQ(w, 0);
    ASSERT_EQ(write_(e.nodeid, fh, UINT64_MAX - 1, "xy", 2, &w), -EFBIG); /* beyond memfs's maximum */
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 0, 10, &data, &len), 0);
    ASSERT_EQ(len, 0);
    uint64_t dfh;
    ASSERT_EQ(open_(FUSE_ROOT_ID, O_RDONLY, &dfh, true), 0);
    ASSERT_EQ(read_(FUSE_READDIR, FUSE_ROOT_ID, dfh, 0, 0, &data, &len), 0);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(read_(FUSE_READDIR, FUSE_ROOT_ID, dfh, UINT64_MAX, 4096, &data, &len), 0);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(read_(FUSE_READDIR, FUSE_ROOT_ID, dfh, 1, 4096, &data, &len), 0);
    ASSERT(len > 0);
    ASSERT_EQ(release(FUSE_ROOT_ID, dfh, true), 0);
    /* Name length: 255 bytes is allowed, 256 is not. */
    longname[255] = 0;
    ASSERT_EQ(lookup(FUSE_ROOT_ID, longname, &d), -ENOENT);
    longname[255] = 'x';
    longname[256] = 0;
    ASSERT_EQ(lookup(FUSE_ROOT_ID, longname, &d), -ENAMETOOLONG);

    /* And after all that, a full round trip still works and nothing leaked into the tables. */
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "file", &d), 0);
    ASSERT_EQ(d.nodeid, e.nodeid);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "other", &d), -ENOENT);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "newfile", &d), -ENOENT);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "newdir", &d), -ENOENT);
    ASSERT_EQ(node_count(), 2);
}

/* Random messages of every opcode: each gets at most one well-formed reply and the engine goes on. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fuzz(void)
{
    start(0, 0, 2);
    /* Some things to find. */
    struct fuse_entry_out d, f;
    uint64_t fh, dfh;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(create(d.nodeid, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(open_(d.nodeid, O_RDONLY, &dfh, true), 0);
    const uint64_t nodeids[] = {0, FUSE_ROOT_ID, d.nodeid, f.nodeid, UINT64_MAX, 1000};
    const char *names[] = {"f", "d", "x", "", ".", "..", "a/b", "\xff\xfe"};
    unsigned char msg[600];
    /* TEST_ENGINE_FUZZ=SEED[,ITERATIONS] varies the run. */
    int iterations = 4000;
    const char *env = getenv("TEST_ENGINE_FUZZ");
    if (env) {
        char *end;
        rng_state = strtoull(env, &end, 0) | 1;
        if (',' == *end)
            iterations = atoi(end + 1);
    }
    for (int iter = 0; iter < iterations; iter++) {
        uint32_t opcode = (uint32_t)(rnd() % 56);
        if (FUSE_INIT == opcode || FUSE_DESTROY == opcode)
            continue;
        size_t len = rnd() % 300;
        for (size_t i = 0; i < len; i++)
            msg[i] = (unsigned char)rnd();
        /* Sometimes plausible: known handles in the fh slot, a real name after the fixed part. */
        if (len >= 8 && rnd() % 2) {
            uint64_t h = rnd() % 2 ? fh : dfh;
            memcpy(msg, &h, sizeof h);
        }
        if (rnd() % 2) {
            const char *nm = names[rnd() % (sizeof names / sizeof names[0])];
            size_t at = rnd() % 80;
            size_t nl = strlen(nm) + 1;
            if (at + nl <= sizeof msg) {
                memcpy(msg + at, nm, nl);
                if (len < at + nl)
                    len = at + nl;
            }
        }
        /* Keep sizes sane for requests that would otherwise ask for big buffers (still bounded). */
        uint64_t nodeid = nodeids[rnd() % (sizeof nodeids / sizeof nodeids[0])];
        uint64_t u = send_req(opcode, nodeid, msg, len, 0, 0);
        uint64_t s = send_req(FUSE_STATFS, FUSE_ROOT_ID, 0, 0, 0, 0);
        /* Replies: at most one for u (none for FORGET/BATCH_FORGET), then the STATFS. */
        int seen_u = 0;
        for (;;) {
            ssize_t n = recv_msg(REPLY_TIMEOUT_MS);
            if (n < 0)
                fprintf(stderr, "    iteration %d opcode %u len %zu: no reply\n", iter, opcode, len);
            ASSERT(n >= (ssize_t)sizeof(struct fuse_out_header));
            struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
            if (0 == o->unique) {
                check_notification(n);
                continue;
            }
            ASSERT_EQ(o->len, n);
            ASSERT(o->error <= 0 && o->error > -4096);
            if (o->unique == s)
                break;
            if (o->unique != u)
                fprintf(stderr, "    iteration %d opcode %u: reply to unknown unique %llu\n", iter,
                        opcode, (unsigned long long)o->unique);
            ASSERT_EQ(o->unique, u);
            seen_u++;
        }
        ASSERT(seen_u <= 1);
        /* A well-formed FORGET gets no reply (a truncated one is rejected with EIO). */
        bool no_reply = (FUSE_FORGET == opcode || FUSE_BATCH_FORGET == opcode) &&
                        len >= fsp_ops_min_arglen(opcode, 0);
        if (no_reply)
            ASSERT_EQ(seen_u, 0);
        /* With two workers the reply to u may come after the STATFS reply: collect it. */
        else if (!seen_u) {
            if (recv_msg(REPLY_TIMEOUT_MS) < 0)
                fprintf(stderr, "    iteration %d opcode %u len %zu nodeid %llu first %016llx: no reply\n",
                        iter, opcode, len, (unsigned long long)nodeid,
                        (unsigned long long)(len >= 8 ? *(uint64_t *)msg : 0));
            struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
            ASSERT_EQ(o->unique, u);
            ASSERT(o->error <= 0);
        }
    }
    /* Still serving. */
    struct fuse_attr a;
    ASSERT_EQ(getattr(FUSE_ROOT_ID, &a), 0);
}

/* Reads, writes and listings that pend, some interrupted at once: each request gets exactly one
 * reply (an interrupted one EINTR, or its result if it finished first), nothing else arrives. */
static void fuzz_pending(void)
{
    start_slow(2, 3);
    struct fuse_entry_out d, f;
    uint64_t fh, dfh;
    uint32_t w;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "e%02d", i);
        ASSERT_EQ(create(d.nodeid, name, 0644, &f, &fh), 0);
        ASSERT_EQ(release(f.nodeid, fh, false), 0);
    }
    ASSERT_EQ(create(d.nodeid, "f", 0644, &f, &fh), 0);
    static unsigned char data[8192];
    memset(data, 'x', sizeof data);
    ASSERT_EQ(write_(f.nodeid, fh, 0, data, sizeof data, &w), 0);
    ASSERT_EQ(open_(d.nodeid, O_RDONLY, &dfh, true), 0);
    int iterations = 1500;
    const char *env = getenv("TEST_ENGINE_FUZZ");
    if (env) {
        char *end;
        rng_state = strtoull(env, &end, 0) | 1;
        if (',' == *end)
            iterations = atoi(end + 1) / 10 + 1;
    }
    unsigned eintr = 0;
    for (int iter = 0; iter < iterations; iter++) {
        uint64_t u, ui = 0;
        uint32_t kind = (uint32_t)(rnd() % 3);
        if (0 == kind) {
            struct fuse_read_in ri = {.fh = fh, .offset = rnd() % 10000, .size = (uint32_t)(rnd() % 9000)};
            u = send_req(FUSE_READ, f.nodeid, &ri, sizeof ri, 0, 0);
        } else if (1 == kind) {
            struct fuse_write_in wi = {.fh = fh, .offset = rnd() % 10000, .size = (uint32_t)(rnd() % 4096)};
            u = send_req(FUSE_WRITE, f.nodeid, &wi, sizeof wi, data, wi.size);
        } else {
            if (0 == iter % 7) { /* a fresh listing now and then */
                ASSERT_EQ(release(d.nodeid, dfh, true), 0);
                ASSERT_EQ(open_(d.nodeid, O_RDONLY, &dfh, true), 0);
            }
            struct fuse_read_in ri = {.fh = dfh, .offset = rnd() % 30, .size = 200 + (uint32_t)(rnd() % 2000)};
            u = send_req(rnd() % 2 ? FUSE_READDIR : FUSE_READDIRPLUS, d.nodeid, &ri, sizeof ri, 0, 0);
        }
        if (rnd() % 2) {
            if (rnd() % 2)
                usleep((useconds_t)(rnd() % 3000));
            struct fuse_interrupt_in ii = {.unique = u};
            ui = send_req(FUSE_INTERRUPT, 0, &ii, sizeof ii, 0, 0);
        }
        /* Exactly one reply to u; for ui none (handled) or EAGAIN (too late or too early). */
        bool got_u = false;
        int got_ui = 0;
        for (;;) {
            ssize_t n = recv_msg(got_u ? 0 : REPLY_TIMEOUT_MS);
            if (n < 0) {
                if (!got_u)
                    fprintf(stderr, "    iteration %d kind %u: no reply\n", iter, kind);
                ASSERT(got_u);
                break;
            }
            struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
            ASSERT(n >= (ssize_t)sizeof *o);
            ASSERT_EQ(o->len, n);
            if (0 == o->unique) {
                check_notification(n);
                continue;
            }
            if (o->unique == u) {
                ASSERT(!got_u);
                got_u = true;
                if (-EINTR == o->error)
                    eintr++;
                else
                    ASSERT_EQ(o->error, 0);
            } else if (ui && o->unique == ui) {
                ASSERT_EQ(o->error, -EAGAIN);
                ASSERT(!got_ui);
                got_ui++;
            } else if (!late_reply(o)) {
                fprintf(stderr, "    iteration %d: reply to unique %llu (u %llu, ui %llu)\n", iter,
                        (unsigned long long)o->unique, (unsigned long long)u, (unsigned long long)ui);
                ASSERT(!"unexpected reply");
            }
        }
        if (ui && !got_ui) {
            ASSERT(g_nlate < sizeof g_late / sizeof g_late[0]);
            g_late[g_nlate++] = ui;
        }
    }
    /* Late EAGAINs, then nothing else. */
    for (;;) {
        ssize_t n = recv_msg(200);
        if (n < 0)
            break;
        struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
        ASSERT(n >= (ssize_t)sizeof *o);
        ASSERT(late_reply(o));
    }
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    ASSERT_EQ(release(d.nodeid, dfh, true), 0);
    /* Some interrupts landed while their request was pending. */
    ASSERT(eintr > 0);
}

/* Several workers answer a sequence of requests correctly. */
static void many_workers(void)
{
    start(0, 0, 8);
    struct fuse_entry_out e;
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "n%d", i);
        ASSERT_EQ(mkdir_(FUSE_ROOT_ID, name, 0755, &e), 0);
        ASSERT_EQ(lookup(FUSE_ROOT_ID, name, &e), 0);
    }
    /* Pipelined: send many, then read all replies (any order). */
    enum { K = 64 };
    uint64_t us[K];
    for (int i = 0; i < K; i++) {
        snprintf(name, sizeof name, "n%d", i);
        us[i] = send_req(FUSE_LOOKUP, FUSE_ROOT_ID, name, strlen(name) + 1, 0, 0);
    }
    bool got[K] = {0};
    for (int i = 0; i < K; i++) {
        ssize_t n = recv_msg(REPLY_TIMEOUT_MS);
        ASSERT(n > 0);
        struct fuse_out_header *o = (struct fuse_out_header *)g_rbuf;
        ASSERT_EQ(o->len, n);
        ASSERT_EQ(o->error, 0);
        ASSERT_EQ(o->len, sizeof *o + sizeof(struct fuse_entry_out));
        int k = -1;
        for (int j = 0; j < K; j++)
            if (us[j] == o->unique)
                k = j;
        ASSERT(k >= 0 && !got[k]);
        got[k] = true;
    }
    expect_no_reply();
}

/* ---- reliability: defects of the review (issue 8) ---- */

/* Append one DIR_INFO record named name (a plain file) to buf. */
static bool add_dir_record(PCWSTR name, PVOID buf, ULONG len, PULONG pbytes)
{
    union {
        FSP_FSCTL_DIR_INFO d;
        char raw[sizeof(FSP_FSCTL_DIR_INFO) + 512 * sizeof(WCHAR)];
    } u;
    size_t n = wcslen(name);
    memset(&u.d, 0, sizeof u.d);
    u.d.Size = (UINT16)(sizeof u.d + n * sizeof(WCHAR));
    u.d.FileInfo.FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
    memcpy(u.d.FileNameBuf, name, n * sizeof(WCHAR));
    return FspFileSystemAddDirInfo(&u.d, buf, len, pbytes);
}

/* How the test's ReadDirectory answers (readdir_no_progress). */
static int g_rd_mode;
static unsigned g_rd_calls;
static WCHAR g_long_name[300];

static NTSTATUS rd_batches(FSP_FILE_SYSTEM *fs_, PVOID ctx, PWSTR pattern, PWSTR marker, PVOID buf,
                           ULONG len, PULONG pbytes)
{
    (void)fs_, (void)ctx, (void)pattern;
    __atomic_add_fetch(&g_rd_calls, 1, __ATOMIC_RELAXED);
    *pbytes = 0;
    switch (g_rd_mode) {
    case 1: /* "." and ".." only, every time, never the end */
        add_dir_record(L".", buf, len, pbytes);
        add_dir_record(L"..", buf, len, pbytes);
        return STATUS_SUCCESS;
    case 2: /* "." and ".." in a batch of their own, then the entries */
        if (!marker) {
            add_dir_record(L".", buf, len, pbytes);
            add_dir_record(L"..", buf, len, pbytes);
        } else if (0 == wcscmp(marker, L"..")) {
            add_dir_record(L"a", buf, len, pbytes);
            add_dir_record(L"b", buf, len, pbytes);
            FspFileSystemAddDirInfo(0, buf, len, pbytes);
        } else
            FspFileSystemAddDirInfo(0, buf, len, pbytes);
        return STATUS_SUCCESS;
    case 3: /* the marker ignored: the same batch every time, never the end */
        add_dir_record(L"a", buf, len, pbytes);
        add_dir_record(L"b", buf, len, pbytes);
        return STATUS_SUCCESS;
    default: /* a batch of a name Linux cannot show (over 255 bytes), then the entries */
        if (!marker)
            add_dir_record(g_long_name, buf, len, pbytes);
        else if (0 == wcscmp(marker, g_long_name)) {
            add_dir_record(L"z", buf, len, pbytes);
            FspFileSystemAddDirInfo(0, buf, len, pbytes);
        } else
            FspFileSystemAddDirInfo(0, buf, len, pbytes);
        return STATUS_SUCCESS;
    }
}

static void patch_readdir(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->ReadDirectory = rd_batches;
}

/*
 * A ReadDirectory batch that adds nothing the listing shows (only "." and "..", only names
 * Linux cannot show) must still move the marker on, and a batch that makes no progress at all
 * (the file system ignores the marker) must end the listing: the engine asked for the same
 * batch forever (4 million calls in 3 s) and the reader hung.
 */
static void readdir_no_progress(void)
{
    for (size_t i = 0; i < 299; i++)
        g_long_name[i] = L'x';
    g_long_name[299] = 0;
    static const char *const want[][3] = {{0}, {0}, {"a", "b", 0}, {"a", "b", 0}, {"z", 0}};
    for (int mode = 1; mode <= 4; mode++) {
        g_rd_mode = mode;
        g_rd_calls = 0;
        g_patch = patch_readdir;
        start(0, 0, 1);
        for (int plus = 0; plus <= 1; plus++) {
            struct listing *l = plus ? &g_l2 : &g_l1;
            list_dir(FUSE_ROOT_ID, 4096, plus, l);
            size_t k = 0;
            for (size_t i = 0; i < l->n; i++) {
                if (0 == strcmp(l->names[i], ".") || 0 == strcmp(l->names[i], ".."))
                    continue;
                ASSERT(want[mode][k]);
                ASSERT(0 == strcmp(l->names[i], want[mode][k]));
                k++;
            }
            ASSERT(!want[mode][k]);
        }
        ASSERT(__atomic_load_n(&g_rd_calls, __ATOMIC_RELAXED) < 20);
        teardown();
    }
}

/*
 * Gates and tracking for the handle tests: a wrapped member may block at a gate until the test
 * opens it (at most 10 s, so that a failing test cannot hang), and every operation on a file
 * context is counted while it runs (also while it is pending), so that a Close of a context
 * still in use is seen (g_violations).
 */
enum { GATE_NONE, GATE_READDIR, GATE_GETFILEINFO };
static pthread_mutex_t g_gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_gate_cond = PTHREAD_COND_INITIALIZER;
static int g_gate_armed;
static bool g_gate_entered, g_gate_open;
#define NTRACK 64
static struct {
    PVOID ctx;
    int inflight;
} g_track[NTRACK];
static unsigned g_violations, g_closes;

static void gate_arm(int which)
{
    pthread_mutex_lock(&g_gate_lock);
    g_gate_armed = which;
    g_gate_entered = g_gate_open = false;
    pthread_mutex_unlock(&g_gate_lock);
}

static void gate_open(void)
{
    pthread_mutex_lock(&g_gate_lock);
    g_gate_armed = GATE_NONE;
    g_gate_open = true;
    pthread_cond_broadcast(&g_gate_cond);
    pthread_mutex_unlock(&g_gate_lock);
}

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000)
        ts->tv_sec++, ts->tv_nsec -= 1000000000;
}

/* Called by a wrapped member: block here when armed for it. */
static void gate_pass(int which)
{
    pthread_mutex_lock(&g_gate_lock);
    if (g_gate_armed == which) {
        g_gate_armed = GATE_NONE;
        g_gate_entered = true;
        pthread_cond_broadcast(&g_gate_cond);
        struct timespec ts;
        deadline_in(&ts, 10000);
        while (!g_gate_open && 0 == pthread_cond_timedwait(&g_gate_cond, &g_gate_lock, &ts))
            ;
    }
    pthread_mutex_unlock(&g_gate_lock);
}

static bool gate_wait_entered(void)
{
    pthread_mutex_lock(&g_gate_lock);
    struct timespec ts;
    deadline_in(&ts, REPLY_TIMEOUT_MS);
    while (!g_gate_entered && 0 == pthread_cond_timedwait(&g_gate_cond, &g_gate_lock, &ts))
        ;
    bool entered = g_gate_entered;
    pthread_mutex_unlock(&g_gate_lock);
    return entered;
}

static void track(PVOID ctx, int delta)
{
    pthread_mutex_lock(&g_gate_lock);
    int free_slot = -1;
    for (int i = 0; i < NTRACK; i++) {
        if (g_track[i].ctx == ctx && g_track[i].inflight) {
            g_track[i].inflight += delta;
            pthread_mutex_unlock(&g_gate_lock);
            return;
        }
        if (free_slot < 0 && !g_track[i].inflight)
            free_slot = i;
    }
    if (delta > 0 && free_slot >= 0)
        g_track[free_slot].ctx = ctx, g_track[free_slot].inflight = delta;
    pthread_mutex_unlock(&g_gate_lock);
}

static unsigned closes(void)
{
    pthread_mutex_lock(&g_gate_lock);
    unsigned n = g_closes;
    pthread_mutex_unlock(&g_gate_lock);
    return n;
}

static void reset_tracking(void)
{
    pthread_mutex_lock(&g_gate_lock);
    memset(g_track, 0, sizeof g_track);
    g_violations = g_closes = 0;
    g_gate_armed = GATE_NONE;
    g_gate_open = true;
    pthread_mutex_unlock(&g_gate_lock);
}

/* A pending operation the test completes itself (w_read/w_readdir with g_pend set). */
static bool g_pend;
static struct {
    bool valid;
    UINT32 kind;
    UINT64 hint;
    PVOID ctx, buf;
    UINT64 offset;
    ULONG len;
    PWSTR marker;
} g_pending;

/* Set on the thread that completes a pending operation, while in FspFileSystemSendResponse:
 * the engine must not call the file system from there. */
static __thread bool t_completing;

static void check_not_completing(const char *member)
{
    if (t_completing) {
        fprintf(stderr, "    %s called from FspFileSystemSendResponse\n", member);
        pthread_mutex_lock(&g_gate_lock);
        g_violations++;
        pthread_mutex_unlock(&g_gate_lock);
    }
}

static void forget_pending(void)
{
    free(g_pending.marker);
    memset(&g_pending, 0, sizeof g_pending);
}

static VOID w_close(FSP_FILE_SYSTEM *fs_, PVOID ctx)
{
    check_not_completing("Close");
    pthread_mutex_lock(&g_gate_lock);
    for (int i = 0; i < NTRACK; i++)
        if (g_track[i].ctx == ctx && g_track[i].inflight > 0) {
            fprintf(stderr, "    Close of a context with %d operation(s) in flight\n",
                    g_track[i].inflight);
            g_violations++;
        }
    g_closes++;
    pthread_mutex_unlock(&g_gate_lock);
    g_memfs_iface->Close(fs_, ctx);
}

static NTSTATUS record_pending(UINT32 kind, PVOID ctx, PVOID buf, UINT64 off, ULONG len, PWSTR marker)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    pthread_mutex_lock(&g_gate_lock);
    g_pending.kind = kind;
    g_pending.hint = oc->Request->Hint;
    g_pending.ctx = ctx, g_pending.buf = buf, g_pending.offset = off, g_pending.len = len;
    free(g_pending.marker);
    g_pending.marker = marker ? wcsdup(marker) : 0;
    __atomic_store_n(&g_pending.valid, true, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&g_gate_lock);
    return STATUS_PENDING; /* tracked until the test completes it */
}

static NTSTATUS w_read(FSP_FILE_SYSTEM *fs_, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                       PULONG pbytes)
{
    track(ctx, 1);
    if (__atomic_load_n(&g_pend, __ATOMIC_ACQUIRE))
        return record_pending(FspFsctlTransactReadKind, ctx, buf, off, len, 0);
    NTSTATUS status = g_memfs_iface->Read(fs_, ctx, buf, off, len, pbytes);
    track(ctx, -1);
    return status;
}

static NTSTATUS w_readdir(FSP_FILE_SYSTEM *fs_, PVOID ctx, PWSTR pattern, PWSTR marker, PVOID buf,
                          ULONG len, PULONG pbytes)
{
    track(ctx, 1);
    gate_pass(GATE_READDIR);
    if (__atomic_load_n(&g_pend, __ATOMIC_ACQUIRE))
        return record_pending(FspFsctlTransactQueryDirectoryKind, ctx, buf, 0, len, marker);
    NTSTATUS status = g_memfs_iface->ReadDirectory(fs_, ctx, pattern, marker, buf, len, pbytes);
    track(ctx, -1);
    return status;
}

static NTSTATUS w_getfileinfo(FSP_FILE_SYSTEM *fs_, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    check_not_completing("GetFileInfo");
    track(ctx, 1);
    gate_pass(GATE_GETFILEINFO);
    NTSTATUS status = g_memfs_iface->GetFileInfo(fs_, ctx, info);
    track(ctx, -1);
    return status;
}

/* The test completes the recorded pending operation (as the file system would, later). */
static void complete_pending(void)
{
    pthread_mutex_lock(&g_gate_lock);
    bool valid = __atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE);
    __atomic_store_n(&g_pending.valid, false, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&g_gate_lock);
    ASSERT(valid);
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(&rsp, 0, sizeof rsp);
    rsp.Size = sizeof rsp;
    rsp.Kind = g_pending.kind;
    rsp.Hint = g_pending.hint;
    ULONG bytes = 0;
    NTSTATUS status = FspFsctlTransactReadKind == g_pending.kind
                          ? g_memfs_iface->Read(fs(), g_pending.ctx, g_pending.buf, g_pending.offset,
                                                g_pending.len, &bytes)
                          : g_memfs_iface->ReadDirectory(fs(), g_pending.ctx, 0, g_pending.marker,
                                                         g_pending.buf, g_pending.len, &bytes);
    rsp.IoStatus.Status = (UINT32)status;
    rsp.IoStatus.Information = bytes;
    t_completing = true;
    FspFileSystemSendResponse(fs(), &rsp);
    t_completing = false;
    track(g_pending.ctx, -1); /* the file system is done with the context only now */
}

static NTSTATUS w_getsecbyname(FSP_FILE_SYSTEM *fs_, PWSTR name, PUINT32 pattrs,
                               PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    check_not_completing("GetSecurityByName");
    return g_memfs_iface->GetSecurityByName(fs_, name, pattrs, sd, psize);
}

static NTSTATUS w_getsecurity(FSP_FILE_SYSTEM *fs_, PVOID ctx, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    check_not_completing("GetSecurity");
    return g_memfs_iface->GetSecurity(fs_, ctx, sd, psize);
}

static NTSTATUS w_open(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access, PVOID *pctx,
                       FSP_FSCTL_FILE_INFO *info)
{
    check_not_completing("Open");
    return g_memfs_iface->Open(fs_, name, options, access, pctx, info);
}

static NTSTATUS w_getreparse(FSP_FILE_SYSTEM *fs_, PVOID ctx, PWSTR name, PVOID buf, PSIZE_T psize)
{
    check_not_completing("GetReparsePoint");
    return g_memfs_iface->GetReparsePoint(fs_, ctx, name, buf, psize);
}

static void patch_tracking(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->GetSecurityByName = w_getsecbyname;
    iface->GetSecurity = w_getsecurity;
    iface->Open = w_open;
    iface->GetReparsePoint = w_getreparse;
    reset_tracking();
    iface->Close = w_close;
    iface->Read = w_read;
    iface->ReadDirectory = w_readdir;
    iface->GetFileInfo = w_getfileinfo;
}

/* Wait (up to the reply timeout) until the file system has seen n Close calls. */
static void wait_closes(unsigned n)
{
    for (int i = 0; i < REPLY_TIMEOUT_MS / 10 && closes() < n; i++)
        usleep(10000);
    ASSERT(closes() >= n);
}

/*
 * RELEASEDIR while another worker is reading the same directory handle: the handle (its lock,
 * its listing) and the file context must outlive the READDIR; Close comes after it. Before
 * handles had a reference count, RELEASEDIR closed the context and freed the handle under the
 * running READDIR (ASan: heap-use-after-free in fill_reply).
 */
static void handle_release_during_readdir(void)
{
    g_patch = patch_tracking;
    start(0, 0, 2);
    struct fuse_entry_out d;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    uint64_t fh;
    ASSERT_EQ(open_(d.nodeid, O_RDONLY | O_DIRECTORY, &fh, true), 0);
    gate_arm(GATE_READDIR);
    struct fuse_read_in rin = {.fh = fh, .offset = 0, .size = 4096};
    uint64_t ur = send_req(FUSE_READDIR, d.nodeid, &rin, sizeof rin, 0, 0);
    ASSERT(gate_wait_entered());
    /* counted from here: the open the engine made of its own before the listing (the access
     * time, ops_cleanup.c) is closed by now */
    unsigned closes0 = closes();
    struct fuse_release_in rel = {.fh = fh};
    uint64_t uc = send_req(FUSE_RELEASEDIR, d.nodeid, &rel, sizeof rel, 0, 0);
    ASSERT_EQ(recv_reply(uc, 0, 0), 0);
    usleep(50000);
    ASSERT_EQ(closes(), closes0); /* not closed under the running READDIR */
    gate_open();
    void *data;
    size_t len;
    ASSERT_EQ(recv_reply(ur, &data, &len), 0);
    wait_closes(closes0 + 1);
    ASSERT_EQ(g_violations, 0);
    /* the handle is gone for good */
    ASSERT_EQ(read_(FUSE_READDIR, d.nodeid, fh, 0, 4096, &data, &len), -EBADF);
}

/*
 * RELEASE or RELEASEDIR while a READ or READDIR of that handle is pending in the file system:
 * the context stays open until the file system completes it, and the completion still finds its
 * handle. Close then comes from a worker (at its next request), never from inside
 * FspFileSystemSendResponse.
 */
static void handle_release_during_pending(void)
{
    g_patch = patch_tracking;
    start(0, 0, 2);
    struct fuse_entry_out d, e;
    uint64_t fh, dfh;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(create(d.nodeid, "f", 0644, &e, &fh), 0);
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, fh, 0, "0123456789", 10, &w), 0);
    ASSERT_EQ(open_(d.nodeid, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
    for (int dir = 0; dir <= 1; dir++) {
        __atomic_store_n(&g_pend, true, __ATOMIC_RELEASE);
        struct fuse_read_in rin = {.fh = dir ? dfh : fh, .offset = 0, .size = 4096};
        uint64_t ur = send_req(dir ? FUSE_READDIR : FUSE_READ, dir ? d.nodeid : e.nodeid, &rin,
                               sizeof rin, 0, 0);
        for (int i = 0; i < 500 && !__atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE); i++)
            usleep(10000);
        __atomic_store_n(&g_pend, false, __ATOMIC_RELEASE);
        /* counted once the read is pending: the engine's own open for the access time, made
         * before the read reached the file system, is closed by then */
        unsigned closes0 = closes();
        struct fuse_release_in rel = {.fh = dir ? dfh : fh};
        ASSERT_EQ(call(dir ? FUSE_RELEASEDIR : FUSE_RELEASE, dir ? d.nodeid : e.nodeid, &rel,
                       sizeof rel, 0, 0, 0, 0), 0);
        sync_engine();
        ASSERT_EQ(closes(), closes0); /* the file system still has the operation */
        complete_pending();
        void *data;
        size_t len;
        ASSERT_EQ(recv_reply(ur, &data, &len), 0);
        if (!dir) {
            ASSERT_EQ(len, 10);
            ASSERT(0 == memcmp(data, "0123456789", 10));
        }
        ASSERT_EQ(closes(), closes0); /* not from the completing thread */
        sync_engine();                /* a worker closes it at its next request */
        wait_closes(closes0 + 1);
        ASSERT_EQ(g_violations, 0);
    }
}

/*
 * A named stream read through its xattr (user.DosStream.NAME:$DATA) while the file system pends
 * the Read: the engine waits for the completion, since the file system works in the engine's
 * buffer until then, and answers with the data. An INTERRUPT meanwhile gets no answer of its
 * own, the GETXATTR none before the completion (then EINTR), and nothing is freed early
 * (ASan) or leaked.
 */
/* Only reads pend (w_read with g_pend): the engine may close the stream's context as soon as
 * the completion is sent, before complete_pending's own bookkeeping ends. */
static void patch_pend_reads(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    reset_tracking();
    iface->Read = w_read;
}

static void stream_xattr_pending(void)
{
    g_patch = patch_pend_reads;
    start(0, 0, 3);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    static const char name[] = "user.DosStream.s:$DATA";
    ASSERT_EQ(setxattr_(e.nodeid, name, "hello", 6, 0), 0);
    for (int intr = 0; intr <= 1; intr++) {
        __atomic_store_n(&g_pend, true, __ATOMIC_RELEASE);
        struct fuse_getxattr_in gi = {.size = 100};
        uint64_t u = send_req(FUSE_GETXATTR, e.nodeid, &gi, sizeof gi, name, sizeof name);
        for (int i = 0; i < 500 && !__atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE); i++)
            usleep(10000);
        __atomic_store_n(&g_pend, false, __ATOMIC_RELEASE);
        ASSERT(__atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE));
        if (intr) {
            struct fuse_interrupt_in ii = {.unique = u};
            send_req(FUSE_INTERRUPT, 0, &ii, sizeof ii, 0, 0);
        }
        expect_no_reply();
        complete_pending();
        void *data;
        size_t len;
        int err = recv_reply(u, &data, &len);
        if (intr)
            ASSERT_EQ(err, -EINTR);
        else {
            ASSERT_EQ(err, 0);
            ASSERT_EQ(len, 6);
            ASSERT(0 == memcmp(data, "hello", 6));
        }
        ASSERT_EQ(g_violations, 0);
    }
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* A memfs whose xattrs are all its own EAs (VolumeParams.XattrsPassThrough). */
static void patch_passthrough_xattrs(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    (void)iface;
    fs()->VolumeParams.XattrsPassThrough = 1;
}

static int mkdir_umask(uint64_t parent, const char *name, uint32_t mode, uint32_t umask_,
                       struct fuse_entry_out *entry)
{
    struct fuse_mkdir_in in = {.mode = S_IFDIR | mode, .umask = umask_};
    void *data;
    size_t len;
    int err = call(FUSE_MKDIR, parent, &in, sizeof in, name, strlen(name) + 1, &data, &len);
    if (!err) {
        ASSERT_EQ(len, sizeof *entry);
        memcpy(entry, data, sizeof *entry);
    }
    return err;
}

/*
 * FUSE_POSIX_ACL and FUSE_DONT_MASK, negotiated for a file system with security descriptors:
 * the kernel then sends the umask apart, and the engine applies it, unless the parent has a
 * default ACL (inheritable ACEs), which replaces it. Not negotiated with XattrsPassThrough, or
 * when the kernel does not offer them (it applied the umask itself: the mode is taken as sent),
 * and then system.posix_acl_* are EOPNOTSUPP, never stored unenforced.
 */
static void posix_acl_init_umask(void)
{
    static const uint64_t acl_flags = FUSE_POSIX_ACL | FUSE_DONT_MASK;
    start(0, 0, 1);
    ASSERT_EQ(fsp_engine_init_flags(engine()) & acl_flags, acl_flags);
    struct fuse_entry_out e, d, f;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0666, &e, &fh), 0); /* umask 022 */
    ASSERT_EQ(e.attr.mode & 07777, 0644);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(mkdir_umask(FUSE_ROOT_ID, "d", 0777, 027, &d), 0);
    ASSERT_EQ(d.attr.mode & 07777, 0750);
    /* default ACL user::rwx group::rwx other::r-x: the umask no longer applies below d */
    static const unsigned char dacl[4 + 3 * 8] = {2, 0, 0, 0, 1, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
                                                  4, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
                                                  0x20, 0, 5, 0, 0xff, 0xff, 0xff, 0xff};
    ASSERT_EQ(setxattr_(d.nodeid, "system.posix_acl_default", dacl, sizeof dacl, 0), 0);
    ASSERT_EQ(create(d.nodeid, "g", 0666, &f, &fh), 0);
    ASSERT_EQ(f.attr.mode & 07777, 0664);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    ASSERT_EQ(mkdir_umask(d.nodeid, "sub", 0777, 077, &f), 0);
    ASSERT_EQ(f.attr.mode & 07777, 0775);
    teardown();

    /* a kernel that does not offer them */
    start_raw(0, 0, 1024, 1);
    struct fuse_init_out out;
    ASSERT_EQ(do_init(FUSE_KERNEL_VERSION, FSP_FUSE_MINOR_MAX, ALL_FLAGS & ~acl_flags,
                      sizeof(struct fuse_init_in), &out), 0);
    ASSERT_EQ(fsp_engine_init_flags(engine()) & acl_flags, 0);
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0666, &e, &fh), 0);
    ASSERT_EQ(e.attr.mode & 07777, 0666);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(setxattr_(e.nodeid, "system.posix_acl_access", dacl, sizeof dacl, 0), -EOPNOTSUPP);
    struct fuse_getxattr_in gi = {.size = 100};
    ASSERT_EQ(call(FUSE_GETXATTR, e.nodeid, &gi, sizeof gi, "system.posix_acl_access", 24, 0, 0), -EOPNOTSUPP);
    teardown();

    /* XattrsPassThrough: every name is an EA, POSIX ACLs are refused */
    g_patch = patch_passthrough_xattrs;
    start(0, 0, 1);
    ASSERT_EQ(fsp_engine_init_flags(engine()) & acl_flags, 0);
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0666, &e, &fh), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(setxattr_(e.nodeid, "system.posix_acl_access", dacl, sizeof dacl, 0), -EOPNOTSUPP);
    ASSERT_EQ(setxattr_(e.nodeid, "user.DOSATTRIB", "0x20", 4, 0), 0); /* an EA */
    void *data;
    size_t len;
    ASSERT_EQ(call(FUSE_GETXATTR, e.nodeid, &gi, sizeof gi, "user.DOSATTRIB", 15, &data, &len), 0);
    ASSERT_EQ(len, 4);
    ASSERT(0 == memcmp(data, "0x20", 4));
}

/*
 * Hostile values of the names the engine serves: truncated and random blobs for every name, at
 * odd addresses in the request (the value follows the name). Each gets an error or applies;
 * the engine keeps serving (and ASan/UBSan see no bad access).
 */
static void ntxattr_fuzz(void)
{
    start(0, 0, 2);
    struct fuse_entry_out e, d;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(mkdir_umask(FUSE_ROOT_ID, "d", 0755, 0, &d), 0);
    static const char *const names[] = {
        "system.ntfs_acl",  "system.ntfs_attrib",      "system.ntfs_attrib_be",    "system.ntfs_times",
        "system.ntfs_times_be", "system.ntfs_crtime",  "system.ntfs_crtime_be",    "system.ntfs_reparse_data",
        "user.DOSATTRIB",   "security.NTACL",          "user.DosStream.x:$DATA",   "system.posix_acl_access",
        "system.posix_acl_default",
    };
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    unsigned char v[400];
    for (int i = 0; i < 3000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        const char *name = names[seed % (sizeof names / sizeof names[0])];
        size_t n = (size_t)(seed >> 20) % sizeof v;
        for (size_t k = 0; k < n; k++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            v[k] = (unsigned char)seed;
        }
        if (n >= 8 && (i & 1)) /* plausible headers: versions, revisions, tags */
            v[0] = (unsigned char)(1 + i % 4), v[1] = 0, v[2] = v[0], v[3] = 0;
        int err = setxattr_((i & 2) ? d.nodeid : e.nodeid, name, v, n, 0);
        ASSERT(err <= 0);
    }
    /* still serving, the file still a file */
    struct fuse_attr a;
    ASSERT_EQ(getattr(e.nodeid, &a), 0);
    ASSERT(S_ISREG(a.mode) || S_ISDIR(a.mode) || S_ISLNK(a.mode) || S_ISFIFO(a.mode));
    sync_engine();
}

/*
 * A request answered through one of a file's open handles (GETATTR of a file unlinked while
 * open) must not hold a table-wide lock while the file system works: before, fsp_handle_with_node
 * ran GetFileInfo under the handle table's lock, so every OPEN, READ, RELEASE of any file waited
 * for it.
 */
static void handle_table_not_locked_in_callbacks(void)
{
    g_patch = patch_tracking;
    start(0, 0, 3);
    struct fuse_entry_out e, d;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(call(FUSE_UNLINK, FUSE_ROOT_ID, "f", 2, 0, 0, 0, 0), 0);
    gate_arm(GATE_GETFILEINFO);
    struct fuse_getattr_in gin;
    memset(&gin, 0, sizeof gin);
    uint64_t ug = send_req(FUSE_GETATTR, e.nodeid, &gin, sizeof gin, 0, 0);
    ASSERT(gate_wait_entered());
    /* GETATTR is inside the file system; an OPENDIR must still be answered */
    uint64_t dfh;
    ASSERT_EQ(open_(d.nodeid, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
    gate_open();
    void *data;
    size_t len;
    ASSERT_EQ(recv_reply(ug, &data, &len), 0);
    ASSERT_EQ(release(d.nodeid, dfh, true), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(g_violations, 0);
}

/*
 * Completing a pending READDIRPLUS must not call the file system: the completion runs on
 * whatever thread called FspFileSystemSendResponse, maybe inside one of the file system's own
 * callbacks (holding its locks or the operation guard). The entries then go without attributes
 * (nodeid 0: the kernel looks them up), as FUSE allows.
 */
static void readdirplus_completion_no_reentry(void)
{
    g_patch = patch_tracking;
    start(0, 0, 2);
    struct fuse_entry_out d, e;
    uint64_t fh, dfh;
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(create(d.nodeid, "a", 0644, &e, &fh), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    ASSERT_EQ(call(FUSE_SYMLINK, d.nodeid, "l\0target", 9, 0, 0, 0, 0), 0);
    ASSERT_EQ(open_(d.nodeid, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
    __atomic_store_n(&g_pend, true, __ATOMIC_RELEASE);
    struct fuse_read_in rin = {.fh = dfh, .offset = 0, .size = 4096};
    uint64_t ur = send_req(FUSE_READDIRPLUS, d.nodeid, &rin, sizeof rin, 0, 0);
    for (int i = 0; i < 500 && !__atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE); i++)
        usleep(10000);
    __atomic_store_n(&g_pend, false, __ATOMIC_RELEASE);
    complete_pending();
    void *data;
    size_t len;
    ASSERT_EQ(recv_reply(ur, &data, &len), 0);
    parse_dirents(data, len, true, &g_l1);
    ASSERT_EQ(g_l1.n, 4);
    ASSERT(0 == strcmp(g_l1.names[2], "a") && 0 == strcmp(g_l1.names[3], "l"));
    ASSERT_EQ(g_violations, 0);
    /* a READDIRPLUS that does not pend still carries attributes */
    ASSERT_EQ(read_(FUSE_READDIRPLUS, d.nodeid, dfh, 2, 4096, &data, &len), 0);
    parse_dirents(data, len, true, &g_l2);
    ASSERT_EQ(g_l2.n, 2);
    ASSERT(0 != g_l2.nodeids[0] && 0 != g_l2.nodeids[1]);
    ASSERT_EQ(release(d.nodeid, dfh, true), 0);
}

/* Make the n-th allocation the engine checks from now on fail (fsp_engine_fault_alloc). */
static void fail_alloc(int n)
{
    __atomic_store_n(&engine()->fault_alloc, n, __ATOMIC_RELAXED);
}

/*
 * Out of memory around an operation that pends: the engine must not answer ENOMEM while the
 * file system still works in the request's buffers (it would write a read's data, or read a
 * write's, in buffers the worker reuses). Before, the pending record was allocated only after
 * Read returned STATUS_PENDING, and its failure answered at once.
 */
static void pending_out_of_memory(void)
{
    g_patch = patch_tracking;
    start(0, 0, 1);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, fh, 0, "0123456789", 10, &w), 0);
    for (int round = 0; round < 3; round++) {
        __atomic_store_n(&g_pend, true, __ATOMIC_RELEASE);
        fail_alloc(1);
        struct fuse_read_in rin = {.fh = fh, .offset = 0, .size = 4096};
        uint64_t ur = send_req(FUSE_READ, e.nodeid, &rin, sizeof rin, 0, 0);
        for (int i = 0; i < 50 && !__atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE); i++)
            usleep(10000);
        __atomic_store_n(&g_pend, false, __ATOMIC_RELEASE);
        fail_alloc(0);
        if (__atomic_load_n(&g_pending.valid, __ATOMIC_ACQUIRE)) {
            /* the file system has the read: the answer must wait for it */
            expect_no_reply();
            complete_pending();
            void *data;
            size_t len;
            ASSERT_EQ(recv_reply(ur, &data, &len), 0);
            ASSERT_EQ(len, 10);
        } else
            ASSERT_EQ(recv_reply(ur, 0, 0), -ENOMEM); /* refused before the file system saw it */
    }
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READ, e.nodeid, fh, 2, 4, &data, &len), 0);
    ASSERT(4 == len && 0 == memcmp(data, "2345", 4));
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* nlookup of a node (0 when unknown). */
static uint64_t node_nlookup(uint64_t nodeid)
{
    struct fsp_engine *e = engine();
    uint64_t n = 0;
    pthread_rwlock_rdlock(&e->nodes_lock);
    for (size_t b = 0; b < e->nbuckets_id; b++)
        for (struct fsp_node *x = e->id_buckets[b]; x; x = x->id_next)
            if (x->nodeid == nodeid)
                n = x->nlookup;
    pthread_rwlock_unlock(&e->nodes_lock);
    return n;
}

/* Handles in the table. */
static size_t handle_count(void)
{
    struct fsp_engine *e = engine();
    size_t n = 0;
    pthread_mutex_lock(&e->handles_lock);
    for (size_t i = 0; i < e->nhandles_cap; i++)
        n += 0 != e->handles[i];
    pthread_mutex_unlock(&e->handles_lock);
    return n;
}

/* Contexts the file system gave out (Open, CreateEx) and not got back (Close). */
static int g_contexts;

static NTSTATUS w_open_counted(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access,
                               PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = g_memfs_iface->Open(fs_, name, options, access, pctx, info);
    if (NT_SUCCESS(status))
        __atomic_add_fetch(&g_contexts, 1, __ATOMIC_RELAXED);
    return status;
}

static NTSTATUS w_createex_counted(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access,
                                   UINT32 attrs, PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID extra,
                                   ULONG extra_len, BOOLEAN extra_is_reparse, PVOID *pctx,
                                   FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = g_memfs_iface->CreateEx(fs_, name, options, access, attrs, sd, alloc, extra,
                                              extra_len, extra_is_reparse, pctx, info);
    if (NT_SUCCESS(status))
        __atomic_add_fetch(&g_contexts, 1, __ATOMIC_RELAXED);
    return status;
}

static VOID w_close_counted(FSP_FILE_SYSTEM *fs_, PVOID ctx)
{
    __atomic_sub_fetch(&g_contexts, 1, __ATOMIC_RELAXED);
    g_memfs_iface->Close(fs_, ctx);
}

static void patch_counting(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    g_contexts = 0;
    iface->Open = w_open_counted;
    iface->CreateEx = w_createex_counted;
    iface->Close = w_close_counted;
}

/* Does memfs have this name (asked directly, not through the engine)? */
static bool memfs_has(PCWSTR name)
{
    UINT32 attrs;
    WCHAR copy[256]; /* the file system may cut the name in place (FspFileSystemFindReparsePoint) */
    wcsncpy(copy, name, 255);
    copy[255] = 0;
    return NT_SUCCESS(g_memfs_iface->GetSecurityByName(fs(), copy, &attrs, 0, 0));
}

/*
 * When the reply cannot be written (the kernel no longer waits: request interrupted or
 * connection aborted), what the request took must be given back, as libfuse does: the lookup
 * reference of LOOKUP, MKDIR, MKNOD, SYMLINK, LINK, CREATE and every READDIRPLUS entry, and the
 * handle (and file context) of CREATE, OPEN and OPENDIR. Here replies fail because the test's
 * end of the socket stops reading.
 */
static void reply_failure_undoes(void)
{
    g_patch = patch_counting;
    start(0, 0, 1);
    struct fuse_entry_out x, d0, e;
    uint64_t fh, dfh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "x", 0644, &x, &fh), 0);
    ASSERT_EQ(release(x.nodeid, fh, false), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d0", 0755, &d0), 0);
    ASSERT_EQ(create(d0.nodeid, "e1", 0644, &e, &fh), 0);
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
    forget(e.nodeid, 1);
    ASSERT_EQ(open_(d0.nodeid, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
    sync_engine();
    size_t nodes0 = node_count(), handles0 = handle_count();
    uint64_t x_refs = node_nlookup(x.nodeid);
    int contexts0 = __atomic_load_n(&g_contexts, __ATOMIC_RELAXED);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    ASSERT(0 == shutdown(g_sock, SHUT_RD));
    send_req(FUSE_LOOKUP, FUSE_ROOT_ID, "x", 2, 0, 0);
    struct fuse_mkdir_in mk = {.mode = 0755, .umask = 022};
    send_req(FUSE_MKDIR, FUSE_ROOT_ID, &mk, sizeof mk, "m", 2);
    struct fuse_mknod_in mn = {.mode = S_IFIFO | 0644, .umask = 022};
    send_req(FUSE_MKNOD, FUSE_ROOT_ID, &mn, sizeof mn, "n", 2);
    send_req(FUSE_SYMLINK, FUSE_ROOT_ID, "s\0t", 4, 0, 0);
    struct fuse_link_in li = {.oldnodeid = x.nodeid};
    send_req(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "xl", 3);
    struct fuse_create_in ci = {.flags = O_RDWR | O_CREAT | O_EXCL, .mode = S_IFREG | 0644, .umask = 022};
    send_req(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof ci, "c", 2);
    struct fuse_open_in oi = {.flags = O_RDONLY};
    send_req(FUSE_OPEN, x.nodeid, &oi, sizeof oi, 0, 0);
    struct fuse_open_in odi = {.flags = O_RDONLY | O_DIRECTORY};
    send_req(FUSE_OPENDIR, d0.nodeid, &odi, sizeof odi, 0, 0);
    struct fuse_read_in rin = {.fh = dfh, .offset = 0, .size = 4096};
    send_req(FUSE_READDIRPLUS, d0.nodeid, &rin, sizeof rin, 0, 0);
    send_req(FUSE_MKDIR, FUSE_ROOT_ID, &mk, sizeof mk, "zz", 3); /* the last: made when all ran */
    for (int i = 0; i < 500 && !memfs_has(L"\\zz"); i++)
        usleep(10000);
    ASSERT(memfs_has(L"\\zz") && memfs_has(L"\\c") && memfs_has(L"\\xl"));
    /* LINK's new name stays known as a name of x (an alias without references of its own) */
    for (int i = 0; i < 200 && node_count() != nodes0 + 1; i++)
        usleep(10000);
    signal(SIGPIPE, old);
    ASSERT_EQ(node_count(), nodes0 + 1);
    ASSERT_EQ(node_nlookup(x.nodeid), x_refs);
    ASSERT_EQ(handle_count(), handles0);
    ASSERT_EQ(__atomic_load_n(&g_contexts, __ATOMIC_RELAXED), contexts0);
    forget(x.nodeid, x_refs); /* x and its alias go */
    for (int i = 0; i < 200 && node_count() != nodes0 - 1; i++)
        usleep(10000);
    ASSERT_EQ(node_count(), nodes0 - 1);
}

/* How the test's Cleanup treats a delete (delete_failures). */
static int g_cleanup_mode;

static VOID w_cleanup(FSP_FILE_SYSTEM *fs_, PVOID ctx, PWSTR name, ULONG flags)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (!(flags & FspCleanupDelete))
        return g_memfs_iface->Cleanup(fs_, ctx, name, flags);
    switch (g_cleanup_mode) {
    case 1: { /* another file arrives in the directory between CanDelete and the delete */
        PVOID c;
        FSP_FSCTL_FILE_INFO info;
        size_t n = wcslen(name);
        PWSTR child = malloc((n + 8) * sizeof(WCHAR));
        memcpy(child, name, n * sizeof(WCHAR));
        wcscpy(child + n, L"\\late");
        if (NT_SUCCESS(g_memfs_iface->Create(fs_, child, FILE_NON_DIRECTORY_FILE, 0,
                                             FILE_ATTRIBUTE_ARCHIVE, 0, 0, &c, &info)))
            g_memfs_iface->Close(fs_, c);
        free(child);
        g_memfs_iface->Cleanup(fs_, ctx, name, flags); /* memfs reports the outcome */
        return;
    }
    case 2: /* a file system that knows nothing of the extension and does not delete */
        return;
    default: /* one that deletes but does not report it */
        g_memfs_iface->Cleanup(fs_, ctx, name, flags);
        oc->Response->IoStatus.Status = (UINT32)STATUS_PENDING; /* as the engine set it */
        return;
    }
}

static void patch_cleanup(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->Cleanup = w_cleanup;
}

/*
 * UNLINK/RMDIR must not answer success, nor drop the node, for a delete that did not happen.
 * Cleanup returns nothing, so a file system reports the outcome of a delete through the operation
 * context's Response->IoStatus.Status (LinFsp extension); one that leaves the engine's
 * STATUS_PENDING there has its delete checked by the engine (is the name gone?). Before, every
 * delete the file system failed in Cleanup was answered with success.
 */
static void delete_failures(void)
{
    for (int mode = 1; mode <= 3; mode++) {
        g_cleanup_mode = mode;
        g_patch = patch_cleanup;
        start(0, 0, 1);
        struct fuse_entry_out d, f;
        uint64_t fh;
        ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "dd", 0755, &d), 0);
        ASSERT_EQ(create(FUSE_ROOT_ID, "ff", 0644, &f, &fh), 0);
        ASSERT_EQ(release(f.nodeid, fh, false), 0);
        int rmdir_err = call(FUSE_RMDIR, FUSE_ROOT_ID, "dd", 3, 0, 0, 0, 0);
        int unlink_err = call(FUSE_UNLINK, FUSE_ROOT_ID, "ff", 3, 0, 0, 0, 0);
        struct fuse_entry_out again;
        if (1 == mode) {
            ASSERT_EQ(rmdir_err, -ENOTEMPTY);
            ASSERT_EQ(unlink_err, 0);
        } else if (2 == mode) {
            ASSERT_EQ(rmdir_err, -EIO);
            ASSERT_EQ(unlink_err, -EIO);
        } else {
            ASSERT_EQ(rmdir_err, 0);
            ASSERT_EQ(unlink_err, 0);
        }
        if (rmdir_err) { /* still there, and still the node the kernel knows */
            ASSERT(node_known(d.nodeid));
            ASSERT_EQ(lookup(FUSE_ROOT_ID, "dd", &again), 0);
            ASSERT_EQ(again.nodeid, d.nodeid);
        } else
            ASSERT_EQ(lookup(FUSE_ROOT_ID, "dd", &again), -ENOENT);
        if (unlink_err) {
            ASSERT_EQ(lookup(FUSE_ROOT_ID, "ff", &again), 0);
            ASSERT_EQ(again.nodeid, f.nodeid);
        } else
            ASSERT_EQ(lookup(FUSE_ROOT_ID, "ff", &again), -ENOENT);
        teardown();
    }
}

/*
 * FALLOCATE ranges as the kernel's loff_t sees them: a length above INT64_MAX is negative
 * (EINVAL), and offset + length past INT64_MAX is too big (EFBIG). The check wrapped before:
 * INT64_MAX - length overflowed for such lengths, and the file was extended or cut to a
 * wrapped end.
 */
static void fallocate_ranges(void)
{
    start(0, 0, 1);
    struct fuse_entry_out e;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &e, &fh), 0);
    uint32_t w;
    ASSERT_EQ(write_(e.nodeid, fh, 0, "0123456789", 10, &w), 0);
    static const struct {
        uint64_t offset, length;
        uint32_t mode;
        int err;
    } cases[] = {
        {0, 1ULL << 63, 0, -EINVAL},            /* length < 0 as a loff_t */
        {4, UINT64_MAX - 1, 0, -EINVAL},        /* end wraps to 2 */
        {4, UINT64_MAX - 1, 1, -EINVAL},        /* the same, keep-size */
        {1ULL << 63, 10, 0, -EINVAL},           /* offset < 0 */
        {INT64_MAX - 5, 10, 0, -EFBIG},         /* past the largest offset */
        {INT64_MAX, 1, 1, -EFBIG},
        {0, 0, 0, -EINVAL},                     /* no length */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fuse_fallocate_in in = {.fh = fh, .offset = cases[i].offset,
                                       .length = cases[i].length, .mode = cases[i].mode};
        int err = call(FUSE_FALLOCATE, e.nodeid, &in, sizeof in, 0, 0, 0, 0);
        if (err != cases[i].err)
            fprintf(stderr, "    case %zu: %d\n", i, err);
        ASSERT_EQ(err, cases[i].err);
        struct fuse_attr a;
        ASSERT_EQ(getattr(e.nodeid, &a), 0);
        ASSERT_EQ(a.size, 10);
    }
    ASSERT_EQ(release(e.nodeid, fh, false), 0);
}

/* Make newname a name of the file at oldname, or move it there, through memfs directly (behind
 * the engine's back, as another program changes a passthrough's source). */
static void memfs_rename(PCWSTR from, PCWSTR to)
{
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(g_memfs_iface->Open(fs(), (PWSTR)from, 0, DELETE, &ctx, &info), STATUS_SUCCESS);
    NTSTATUS status = g_memfs_iface->Rename(fs(), ctx, (PWSTR)from, (PWSTR)to, TRUE);
    g_memfs_iface->Close(fs(), ctx);
    ASSERT_EQ(status, STATUS_SUCCESS);
}

/*
 * A name whose file was replaced behind the engine's back (another IndexNumber) must reach the
 * kernel as a new inode (a new nodeid), or the kernel keeps the old file's cached attributes and
 * pages under it. LOOKUP and READDIRPLUS both learn names.
 */
static void replaced_file_new_nodeid(void)
{
    g_patch = patch_tracking; /* g_memfs_iface set */
    start(0, 0, 1);
    struct fuse_entry_out f, again;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "f", &again), 0);
    ASSERT_EQ(again.nodeid, f.nodeid); /* the same file: the same inode */
    /* another file takes the name */
    struct fuse_entry_out g;
    ASSERT_EQ(create(FUSE_ROOT_ID, "g", 0644, &g, &fh), 0);
    ASSERT_EQ(release(g.nodeid, fh, false), 0);
    forget(g.nodeid, 1);
    sync_engine();
    memfs_rename(L"\\g", L"\\f");
    ASSERT_EQ(lookup(FUSE_ROOT_ID, "f", &again), 0);
    ASSERT(again.nodeid != f.nodeid);
    ASSERT_EQ(again.attr.ino, g.attr.ino);
    uint64_t second = again.nodeid;
    /* the old node has no name any more */
    struct fuse_attr a;
    ASSERT_EQ(getattr(f.nodeid, &a), -ENOENT);
    /* READDIRPLUS, the same: a third file under the name */
    ASSERT_EQ(create(FUSE_ROOT_ID, "h", 0644, &g, &fh), 0);
    ASSERT_EQ(release(g.nodeid, fh, false), 0);
    forget(g.nodeid, 1);
    sync_engine();
    memfs_rename(L"\\h", L"\\f");
    uint64_t dfh;
    ASSERT_EQ(open_(FUSE_ROOT_ID, O_RDONLY | O_DIRECTORY, &dfh, true), 0);
    void *data;
    size_t len;
    ASSERT_EQ(read_(FUSE_READDIRPLUS, FUSE_ROOT_ID, dfh, 0, 4096, &data, &len), 0);
    parse_dirents(data, len, true, &g_l1);
    bool seen = false;
    for (size_t i = 0; i < g_l1.n; i++)
        if (0 == strcmp(g_l1.names[i], "f")) {
            seen = true;
            ASSERT(g_l1.nodeids[i] != second && g_l1.nodeids[i] != f.nodeid);
        }
    ASSERT(seen);
    ASSERT_EQ(release(FUSE_ROOT_ID, dfh, true), 0);
}

/* The next security query fails (armed by a wrapped member that made something). */
static bool g_fail_next_security, g_arm_security_failure;

static NTSTATUS w_getsecurity_failing(FSP_FILE_SYSTEM *fs_, PVOID ctx, PSECURITY_DESCRIPTOR sd,
                                      SIZE_T *psize)
{
    if (__atomic_exchange_n(&g_fail_next_security, false, __ATOMIC_ACQ_REL))
        return STATUS_INSUFFICIENT_RESOURCES;
    return g_memfs_iface->GetSecurity(fs_, ctx, sd, psize);
}

static NTSTATUS w_getsecbyname_failing(FSP_FILE_SYSTEM *fs_, PWSTR name, PUINT32 pattrs,
                                       PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    if (__atomic_exchange_n(&g_fail_next_security, false, __ATOMIC_ACQ_REL))
        return STATUS_INSUFFICIENT_RESOURCES;
    return g_memfs_iface->GetSecurityByName(fs_, name, pattrs, sd, psize);
}

static NTSTATUS w_createex_arming(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access,
                                  UINT32 attrs, PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID extra,
                                  ULONG extra_len, BOOLEAN extra_is_reparse, PVOID *pctx,
                                  FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = g_memfs_iface->CreateEx(fs_, name, options, access, attrs, sd, alloc, extra,
                                              extra_len, extra_is_reparse, pctx, info);
    if (NT_SUCCESS(status) && g_arm_security_failure)
        __atomic_store_n(&g_fail_next_security, true, __ATOMIC_RELEASE);
    return status;
}

static NTSTATUS w_link_arming(FSP_FILE_SYSTEM *fs_, PVOID ctx, PWSTR name, PWSTR newname,
                              FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = g_memfs_iface->CreateHardLink(fs_, ctx, name, newname, info);
    if (NT_SUCCESS(status) && g_arm_security_failure)
        __atomic_store_n(&g_fail_next_security, true, __ATOMIC_RELEASE);
    return status;
}

static void patch_entry_failure(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->GetSecurity = w_getsecurity_failing;
    iface->GetSecurityByName = w_getsecbyname_failing;
    iface->CreateEx = w_createex_arming;
    iface->CreateHardLink = w_link_arming;
}

/*
 * A request that made something and then cannot answer with its entry (here the attributes
 * cannot be read: ENOMEM) must not leave it made: LINK answered the error with the new link in
 * place, and so did MKDIR, MKNOD and SYMLINK with their new object; a later lookup found what
 * the caller was told was not made.
 */
static void entry_failure_undoes(void)
{
    g_patch = patch_entry_failure;
    g_arm_security_failure = false;
    start(0, 0, 1);
    struct fuse_entry_out x;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "x", 0644, &x, &fh), 0);
    ASSERT_EQ(release(x.nodeid, fh, false), 0);
    g_arm_security_failure = true;
    struct fuse_link_in li = {.oldnodeid = x.nodeid};
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "xl", 3, 0, 0), -ENOMEM);
    struct fuse_mkdir_in mk = {.mode = 0755, .umask = 022};
    ASSERT_EQ(call(FUSE_MKDIR, FUSE_ROOT_ID, &mk, sizeof mk, "m", 2, 0, 0), -ENOMEM);
    struct fuse_mknod_in mn = {.mode = S_IFIFO | 0644, .umask = 022};
    ASSERT_EQ(call(FUSE_MKNOD, FUSE_ROOT_ID, &mn, sizeof mn, "n", 2, 0, 0), -ENOMEM);
    ASSERT_EQ(call(FUSE_SYMLINK, FUSE_ROOT_ID, "s\0t", 4, 0, 0, 0, 0), -ENOMEM);
    struct fuse_create_in ci = {.flags = O_RDWR | O_CREAT | O_EXCL, .mode = S_IFREG | 0644, .umask = 022};
    ASSERT_EQ(call(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof ci, "c", 2, 0, 0), -ENOMEM);
    g_arm_security_failure = false;
    ASSERT(!memfs_has(L"\\xl"));
    ASSERT(!memfs_has(L"\\m"));
    ASSERT(!memfs_has(L"\\n"));
    ASSERT(!memfs_has(L"\\s"));
    ASSERT(!memfs_has(L"\\c"));
    ASSERT(memfs_has(L"\\x"));
    struct fuse_attr a;
    ASSERT_EQ(getattr(x.nodeid, &a), 0);
    ASSERT_EQ(a.nlink, 1);
}

/*
 * RENAME out of memory: the file system's rename and the node table must agree. The node's new
 * name was allocated only after the file system had renamed, and when that failed the node was
 * left without a name although the kernel still used it (GETATTR: ENOENT). Now the engine makes
 * what it needs first and answers ENOMEM without renaming.
 */
static void rename_out_of_memory(void)
{
    g_patch = patch_tracking;
    start(0, 0, 1);
    struct fuse_entry_out a, d;
    uint64_t fh;
    ASSERT_EQ(create(FUSE_ROOT_ID, "a", 0644, &a, &fh), 0);
    ASSERT_EQ(release(a.nodeid, fh, false), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    for (int n = 1; n <= 3; n++) {
        fail_alloc(n);
        struct fuse_rename_in rin = {.newdir = d.nodeid};
        int err = call(FUSE_RENAME, FUSE_ROOT_ID, &rin, sizeof rin, "a\0b", 4, 0, 0);
        fail_alloc(0);
        struct fuse_attr attr;
        ASSERT_EQ(getattr(a.nodeid, &attr), 0); /* the node keeps a name */
        struct fuse_entry_out e;
        if (err) {
            ASSERT_EQ(err, -ENOMEM);
            ASSERT(memfs_has(L"\\a") && !memfs_has(L"\\d\\b"));
            ASSERT_EQ(lookup(FUSE_ROOT_ID, "a", &e), 0);
        } else {
            ASSERT(!memfs_has(L"\\a") && memfs_has(L"\\d\\b"));
            ASSERT_EQ(lookup(d.nodeid, "b", &e), 0);
            struct fuse_rename_in back = {.newdir = FUSE_ROOT_ID};
            ASSERT_EQ(call(FUSE_RENAME, d.nodeid, &back, sizeof back, "b\0a", 4, 0, 0), 0);
        }
        ASSERT_EQ(e.nodeid, a.nodeid);
    }
}

/*
 * Every opcode's argument shape (ops_misc.c) is checked before its handler runs: one byte
 * short of the fixed part and its names is EIO (the kernel never sends that), a name without
 * its NUL is EINVAL, and no handler sees either.
 */
static void arg_shapes(void)
{
    start(0, 0, 1);
    static const struct {
        uint32_t opcode;
        size_t fixed;
        unsigned names;
    } want[] = {
        {FUSE_LOOKUP, 0, 1},
        {FUSE_FORGET, sizeof(struct fuse_forget_in), 0},
        {FUSE_GETATTR, sizeof(struct fuse_getattr_in), 0},
        {FUSE_SETATTR, sizeof(struct fuse_setattr_in), 0},
        {FUSE_SYMLINK, 0, 2},
        {FUSE_MKNOD, sizeof(struct fuse_mknod_in), 1},
        {FUSE_MKDIR, sizeof(struct fuse_mkdir_in), 1},
        {FUSE_UNLINK, 0, 1},
        {FUSE_RMDIR, 0, 1},
        {FUSE_RENAME, sizeof(struct fuse_rename_in), 2},
        {FUSE_LINK, sizeof(struct fuse_link_in), 1},
        {FUSE_OPEN, sizeof(struct fuse_open_in), 0},
        {FUSE_READ, sizeof(struct fuse_read_in), 0},
        {FUSE_WRITE, sizeof(struct fuse_write_in), 0},
        {FUSE_RELEASE, sizeof(struct fuse_release_in), 0},
        {FUSE_FSYNC, sizeof(struct fuse_fsync_in), 0},
        {FUSE_SETXATTR, sizeof(struct fuse_setxattr_in), 1}, /* FUSE_SETXATTR_EXT negotiated */
        {FUSE_GETXATTR, sizeof(struct fuse_getxattr_in), 1},
        {FUSE_LISTXATTR, sizeof(struct fuse_getxattr_in), 0},
        {FUSE_REMOVEXATTR, 0, 1},
        {FUSE_FLUSH, sizeof(struct fuse_flush_in), 0},
        {FUSE_OPENDIR, sizeof(struct fuse_open_in), 0},
        {FUSE_READDIR, sizeof(struct fuse_read_in), 0},
        {FUSE_RELEASEDIR, sizeof(struct fuse_release_in), 0},
        {FUSE_FSYNCDIR, sizeof(struct fuse_fsync_in), 0},
        {FUSE_GETLK, sizeof(struct fuse_lk_in), 0},
        {FUSE_SETLK, sizeof(struct fuse_lk_in), 0},
        {FUSE_SETLKW, sizeof(struct fuse_lk_in), 0},
        {FUSE_ACCESS, sizeof(struct fuse_access_in), 0},
        {FUSE_CREATE, sizeof(struct fuse_create_in), 1},
        {FUSE_INTERRUPT, sizeof(struct fuse_interrupt_in), 0},
        {FUSE_IOCTL, sizeof(struct fuse_ioctl_in), 0},
        {FUSE_POLL, sizeof(struct fuse_poll_in), 0},
        {FUSE_BATCH_FORGET, sizeof(struct fuse_batch_forget_in), 0},
        {FUSE_FALLOCATE, sizeof(struct fuse_fallocate_in), 0},
        {FUSE_READDIRPLUS, sizeof(struct fuse_read_in), 0},
        {FUSE_RENAME2, sizeof(struct fuse_rename2_in), 2},
        {FUSE_SYNCFS, sizeof(struct fuse_syncfs_in), 0},
        {FUSE_TMPFILE, sizeof(struct fuse_create_in), 0}, /* the kernel's "/" is not read */
        {FUSE_STATX, sizeof(struct fsp_fuse_statx_in), 0},
    };
    ASSERT(fsp_engine_init_flags(engine()) & FUSE_SETXATTR_EXT);
    ASSERT_EQ(fsp_ops_min_arglen(FUSE_SETXATTR, 0), FUSE_COMPAT_SETXATTR_IN_SIZE + 2);
    ASSERT_EQ(fsp_ops_min_arglen(FUSE_INIT, 0), 16);
    unsigned char msg[512];
    for (size_t i = 0; i < ARRAYSIZE(want); i++) {
        uint32_t op = want[i].opcode;
        size_t min = want[i].fixed + 2 * want[i].names;
        ASSERT_EQ(fsp_ops_min_arglen(op, fsp_engine_init_flags(engine())), min);
        ASSERT(fsp_ops_handler(op) || FUSE_INTERRUPT == op);
        memset(msg, 0, sizeof msg);
        int err = call(op, FUSE_ROOT_ID, msg, min - 1, 0, 0, 0, 0);
        if (-EIO != err)
            fprintf(stderr, "    %s with %zu bytes: %d\n", fsp_ops_name(op), min - 1, err);
        ASSERT_EQ(err, -EIO);
        /* Each name in turn left without its NUL (the ones before it well-formed). */
        for (unsigned k = 0; k < want[i].names; k++) {
            memset(msg, 0, sizeof msg);
            size_t len = want[i].fixed;
            for (unsigned j = 0; j < k; j++) {
                msg[len++] = 'a';
                msg[len++] = 0;
            }
            memset(msg + len, 'a', 8);
            len += 8;
            err = call(op, FUSE_ROOT_ID, msg, len, 0, 0, 0, 0);
            if (-EINVAL != err)
                fprintf(stderr, "    %s name %u unterminated: %d\n", fsp_ops_name(op), k, err);
            ASSERT_EQ(err, -EINVAL);
        }
    }
    /* Opcodes the engine handles all have a shape here. */
    for (uint32_t op = 1; op < 64; op++) {
        if (!fsp_ops_handler(op) || FUSE_READLINK == op || FUSE_STATFS == op)
            continue; /* those two carry nothing */
        bool listed = false;
        for (size_t i = 0; i < ARRAYSIZE(want); i++)
            listed |= want[i].opcode == op;
        if (!listed)
            fprintf(stderr, "    %s has no shape in the test\n", fsp_ops_name(op));
        ASSERT(listed);
    }
    ASSERT_EQ(node_count(), 1);
    sync_engine();
}

/* ---- a file system that lacks an operation (fsp_ops_unsupported) ---- */

static NTSTATUS g_open_status; /* atomic: what w_open_status answers instead of memfs, 0: memfs */

static NTSTATUS w_open_status(FSP_FILE_SYSTEM *fs_, PWSTR name, UINT32 options, UINT32 access,
                              PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = __atomic_load_n(&g_open_status, __ATOMIC_ACQUIRE);
    if (status)
        return status;
    return g_memfs_iface->Open(fs_, name, options, access, pctx, info);
}

static void patch_lacking(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->Open = w_open_status;
    iface->Read = 0;
    iface->Write = 0;
    iface->ReadDirectory = 0;
    iface->Rename = 0;
    iface->CreateHardLink = 0;
    iface->SetSecurity = 0;
    iface->SetPosixSecurity = 0;
    iface->SetFileSize = 0;
    iface->SetBasicInfo = 0;
    iface->Overwrite = 0;
    iface->OverwriteEx = 0;
    iface->Flush = 0;
    iface->FlushDescriptor = 0;
    iface->Access = 0;
    iface->Poll = 0;
    iface->Control = 0;
    iface->Ioctl = 0;
    iface->RenameExchange = 0;
    iface->CreateUnnamed = 0;
    iface->SetVolumeLabel = 0;
}

static void patch_no_create(FSP_FILE_SYSTEM_INTERFACE *iface)
{
    iface->Create = 0;
    iface->CreateEx = 0;
}

/*
 * Members left NULL (or answering STATUS_INVALID_DEVICE_REQUEST / STATUS_NOT_IMPLEMENTED) get
 * what Linux answers for a file system without the operation, one mapping for all; never
 * ENOSYS for an opcode the engine implements, which the kernel would remember for the whole
 * mount (an OPEN answered ENOSYS once made every later open(2) succeed without the file system).
 */
static void missing_members(void)
{
    g_patch = patch_lacking;
    start(0, 0, 1);
    struct fuse_entry_out f, d;
    uint64_t fh, dh;
    uint32_t w;
    void *data;
    size_t len;
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &f, &fh), 0);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), 0);
    ASSERT_EQ(write_(f.nodeid, fh, 0, "x", 1, &w), -EINVAL);
    ASSERT_EQ(read_(FUSE_READ, f.nodeid, fh, 0, 4096, &data, &len), -EINVAL);
    ASSERT_EQ(open_(d.nodeid, O_RDONLY, &dh, true), 0);
    ASSERT_EQ(read_(FUSE_READDIR, d.nodeid, dh, 0, 4096, &data, &len), -ENOTDIR);
    ASSERT_EQ(read_(FUSE_READDIRPLUS, d.nodeid, dh, 0, 4096, &data, &len), -ENOTDIR);
    struct fuse_rename_in rn = {.newdir = FUSE_ROOT_ID};
    ASSERT_EQ(call(FUSE_RENAME, FUSE_ROOT_ID, &rn, sizeof rn, "f\0g", 4, 0, 0), -EPERM);
    struct fuse_link_in li = {.oldnodeid = f.nodeid};
    ASSERT_EQ(call(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof li, "h", 2, 0, 0), -EPERM);
    struct fuse_attr a;
    struct fuse_setattr_in sa = {.valid = FATTR_MODE, .mode = S_IFREG | 0600};
    ASSERT_EQ(setattr(f.nodeid, &sa, &a), -EPERM);
    sa = (struct fuse_setattr_in){.valid = FATTR_SIZE, .size = 7};
    ASSERT_EQ(setattr(f.nodeid, &sa, &a), -EPERM);
    sa = (struct fuse_setattr_in){.valid = FATTR_MTIME, .mtime = 1000};
    ASSERT_EQ(setattr(f.nodeid, &sa, &a), -EPERM);
    /* Nothing to write back: success, as a Linux file system without fsync/sync_fs. */
    struct fuse_fsync_in fs_in = {.fh = fh};
    ASSERT_EQ(call(FUSE_FSYNC, f.nodeid, &fs_in, sizeof fs_in, 0, 0, 0, 0), 0);
    fs_in.fh = dh;
    ASSERT_EQ(call(FUSE_FSYNCDIR, d.nodeid, &fs_in, sizeof fs_in, 0, 0, 0, 0), 0);
    struct fuse_syncfs_in sf = {0};
    ASSERT_EQ(call(FUSE_SYNCFS, FUSE_ROOT_ID, &sf, sizeof sf, 0, 0, 0, 0), 0);
    struct fuse_ioctl_in io = {.fh = fh, .cmd = 1};
    ASSERT_EQ(call(FUSE_IOCTL, f.nodeid, &io, sizeof io, 0, 0, 0, 0), -ENOTTY);
    /* ENOSYS where the kernel then does it itself: a close succeeds, the mode bits decide,
     * files are always ready. */
    struct fuse_flush_in fl = {.fh = fh};
    ASSERT_EQ(call(FUSE_FLUSH, f.nodeid, &fl, sizeof fl, 0, 0, 0, 0), -ENOSYS);
    struct fuse_access_in ac = {.mask = R_OK};
    ASSERT_EQ(call(FUSE_ACCESS, f.nodeid, &ac, sizeof ac, 0, 0, 0, 0), -ENOSYS);
    struct fuse_poll_in po = {.fh = fh};
    ASSERT_EQ(call(FUSE_POLL, f.nodeid, &po, sizeof po, 0, 0, 0, 0), -ENOSYS);
    /* O_TMPFILE: ENOSYS, which the kernel turns into EOPNOTSUPP (and stops asking). */
    struct fuse_create_in tc = {.flags = O_RDWR, .mode = S_IFREG | 0600};
    ASSERT_EQ(call(FUSE_TMPFILE, FUSE_ROOT_ID, &tc, sizeof tc, "/", 2, 0, 0), -ENOSYS);
    /* A flag the file system cannot honour, not a missing operation: EINVAL, so the kernel
     * keeps sending RENAME2 (ENOSYS would end every RENAME2 flag for the mount). */
    struct fuse_rename2_in rx = {.newdir = FUSE_ROOT_ID, .flags = RENAME_EXCHANGE};
    ASSERT_EQ(call(FUSE_RENAME2, FUSE_ROOT_ID, &rx, sizeof rx, "f\0d", 4, 0, 0), -EINVAL);
    /* FS_IOC_SETFSLABEL without SetVolumeLabel: as IOCTL without the method. */
    char label[FSLABEL_MAX] = "x";
    struct fuse_ioctl_in sl = {.fh = fh, .cmd = FS_IOC_SETFSLABEL, .in_size = FSLABEL_MAX};
    ASSERT_EQ(call(FUSE_IOCTL, FUSE_ROOT_ID, &sl, sizeof sl, label, sizeof label, 0, 0), -ENOTTY);
    ASSERT_EQ(release(d.nodeid, dh, true), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    /* O_TRUNC without Overwrite, OverwriteEx or SetFileSize. */
    ASSERT_EQ(open_(f.nodeid, O_WRONLY | O_TRUNC, &fh, false), -EOPNOTSUPP);
    /* Open answering "not implemented" in its two spellings. */
    static const NTSTATUS nots[] = {STATUS_INVALID_DEVICE_REQUEST, STATUS_NOT_IMPLEMENTED};
    for (size_t i = 0; i < ARRAYSIZE(nots); i++) {
        __atomic_store_n(&g_open_status, nots[i], __ATOMIC_RELEASE);
        ASSERT_EQ(open_(f.nodeid, O_RDONLY, &fh, false), -EOPNOTSUPP);
        ASSERT_EQ(open_(d.nodeid, O_RDONLY, &dh, true), -EOPNOTSUPP);
        __atomic_store_n(&g_open_status, 0, __ATOMIC_RELEASE);
    }
    ASSERT_EQ(open_(f.nodeid, O_RDONLY, &fh, false), 0);
    ASSERT_EQ(release(f.nodeid, fh, false), 0);
    teardown();

    g_patch = patch_no_create;
    start(0, 0, 1);
    ASSERT_EQ(create(FUSE_ROOT_ID, "f", 0644, &f, &fh), -EACCES);
    ASSERT_EQ(mkdir_(FUSE_ROOT_ID, "d", 0755, &d), -EPERM);
    struct fuse_mknod_in mk = {.mode = S_IFIFO | 0644};
    ASSERT_EQ(call(FUSE_MKNOD, FUSE_ROOT_ID, &mk, sizeof mk, "p", 2, 0, 0), -EPERM);
    ASSERT_EQ(call(FUSE_SYMLINK, FUSE_ROOT_ID, "s\0t", 4, 0, 0, 0, 0), -EPERM);
}

int main(int argc, char **argv)
{
    bool verbose = false;
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (0 == strcmp(argv[i], "-v"))
            verbose = true;
        else
            argv[n++] = argv[i];
    }
    int devnull = -1;
    if (!verbose) {
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (devnull >= 0)
            FspDebugLogSetFd(devnull);
    }
    tlib_set_teardown(teardown);
    TLIB_ADD_TEST("init", init_current_kernel);
    TLIB_ADD_TEST("init", init_flags_subset);
    TLIB_ADD_TEST("init", init_old_kernel);
    TLIB_ADD_TEST("init", init_newer_kernel);
    TLIB_ADD_TEST("init", init_rejected);
    TLIB_ADD_TEST("entry", lookup_missing);
    TLIB_ADD_TEST("entry", lookup_negative_cached);
    TLIB_ADD_TEST("entry", mkdir_create_lookup_getattr);
    TLIB_ADD_TEST("file", write_read);
    TLIB_ADD_TEST("dir", readdir_entries);
    TLIB_ADD_TEST("misc", statfs_);
    TLIB_ADD_TEST("misc", setattr_);
    TLIB_ADD_TEST("namespace", namespace_ops);
    TLIB_ADD_TEST("namespace", xattrs);
    TLIB_ADD_TEST("fidelity", nanosecond_times);
    TLIB_ADD_TEST("fidelity", empty_xattrs);
    TLIB_ADD_TEST("fidelity", query_ea_name_encoded);
    TLIB_ADD_TEST("fidelity", read_atime_owed_by_engine);
    TLIB_ADD_TEST("fidelity", read_atime_kept_by_file_system);
    TLIB_ADD_TEST("fidelity", exchange_nlink);
    TLIB_ADD_TEST("fidelity", tmpfile_link);
    TLIB_ADD_TEST("fidelity", removed_dir_attributes);
    TLIB_ADD_TEST("fidelity", exchange_nodes);
    TLIB_ADD_TEST("errors", errno_mapping_table);
    TLIB_ADD_TEST("errors", errno_mapping_reply);
    TLIB_ADD_TEST("errors", errno_distinctions);
    TLIB_ADD_TEST("pending", pending_io);
    TLIB_ADD_TEST("pending", interrupt_pending);
    TLIB_ADD_TEST("proto", unknown_opcode);
    TLIB_ADD_TEST("proto", missing_members);
    TLIB_ADD_TEST("proto", forget_counts);
    TLIB_ADD_TEST("proto", interrupt_unknown);
    TLIB_ADD_TEST("proto", destroy_);
    TLIB_ADD_TEST("proto", peer_closed);
    TLIB_ADD_TEST("proto", many_workers);
    TLIB_ADD_TEST("malformed", malformed_headers);
    TLIB_ADD_TEST("malformed", malformed_args);
    TLIB_ADD_TEST("malformed", arg_shapes);
    TLIB_ADD_TEST("malformed", fuzz);
    /* Interrupts racing the file system's late responses (pending.c keeps a record that is
     * being cancelled alive until its cancel reply is written). */
    TLIB_ADD_TEST("pending", fuzz_pending);
    TLIB_ADD_TEST("rel", readdir_no_progress);
    TLIB_ADD_TEST("rel", handle_release_during_readdir);
    TLIB_ADD_TEST("rel", handle_release_during_pending);
    TLIB_ADD_TEST("rel", stream_xattr_pending);
    TLIB_ADD_TEST("rel", posix_acl_init_umask);
    TLIB_ADD_TEST("rel", ntxattr_fuzz);
    TLIB_ADD_TEST("rel", handle_table_not_locked_in_callbacks);
    TLIB_ADD_TEST("rel", readdirplus_completion_no_reentry);
    TLIB_ADD_TEST("rel", pending_out_of_memory);
    TLIB_ADD_TEST("rel", reply_failure_undoes);
    TLIB_ADD_TEST("rel", delete_failures);
    TLIB_ADD_TEST("rel", fallocate_ranges);
    TLIB_ADD_TEST("rel", replaced_file_new_nodeid);
    TLIB_ADD_TEST("rel", entry_failure_undoes);
    TLIB_ADD_TEST("rel", rename_out_of_memory);
    int rc = tlib_run(n, argv);
    if (devnull >= 0) {
        FspDebugLogSetFd(2);
        close(devnull);
    }
    return rc;
}
