/*
 * src/engine/core.h - the engine core's private state (channel, session,
 * dispatch, nodes, handles, pending). Ops never include this file.
 */
#ifndef LINFSP_CORE_H_INCLUDED
#define LINFSP_CORE_H_INCLUDED

#include "engine.h"
#include <sys/types.h>

struct fsp_node {
    uint64_t nodeid;           /* the generation is the engine's, always 1 (never reused) */
    uint64_t ino;              /* the file's IndexNumber when entered (0: unknown); a name that
                                * comes back with another one names another file now */
    struct fsp_node *parent;   /* NULL for the root and for unlinked nodes */
    PWSTR name;                /* Windows form of the name component (NULL for the root):
                                * own_name, or the malloc'ed name a rename gave (nodes.c) */
    uint64_t nlookup;          /* the kernel's lookup references */
    struct fsp_node *id_next;  /* nodeid hash chain */
    struct fsp_node *name_next; /* (parent, name) hash chain while linked */
    uint32_t name_hash;
    uint32_t nchildren;         /* linked children (a node with children stays as a path element) */
    uint16_t flags;             /* FSP_NODE_* (engine.h); atomic */
    uint16_t type;              /* S_IFMT bits, as last told to the kernel (fsp_node_enter_file) */
    uint16_t owner_mode;        /* cached owner (attr_cache.c): S_IFMT | 07777 */
    struct fsp_node_link *link; /* hard links (nodes.c); NULL for almost every node */
    uint32_t owner_uid, owner_gid; /* cached owner: uid, gid */
    uint32_t attr_gen;          /* attribute changes (low 31 bits) | FSP_ATTR_OWNER_VALID; atomic */
    uint32_t owner_stamp;       /* when the cached owner was read (attr_cache.c ticks) */
    struct fuse_attr *gone_attr; /* a removed directory's last attributes (nodes.c), or NULL */
    /* A directory's subdirectories, for st_nlink when the file system keeps no link counts:
     * -1 unknown; dirgen counts the changes made under it (fsp_node_subdirs_*, nodes.c). */
    int32_t nsubdirs;
    uint32_t dirgen;
    WCHAR own_name[];           /* the name the node was made with, in its allocation */
};

struct fsp_pending;
struct fsp_early_response;
struct fsp_uring;

/* What a worker on /dev/fuse is doing (workers.c). */
enum fsp_worker_role {
    FSP_ROLE_LEADER,  /* the one worker that may wait in a blocking read(2) */
    FSP_ROLE_HELPER,  /* serves what is queued without blocking, then goes idle */
    FSP_ROLE_WATCHER, /* idle: looks at the leader every tick while it is busy */
    FSP_ROLE_PARKED,  /* idle: waits to be needed */
    FSP_ROLE_STOP,
};

struct fsp_worker {
    struct fsp_engine *engine;
    pthread_t thread;
    bool started;        /* the thread was created (joined at stop) */
    int fd;              /* this worker's channel (a clone, or the master fd) */
    bool own_fd;         /* the fd is a clone to close on exit */
    bool nonblock;       /* the fd is O_NONBLOCK now (helpers and io_uring read without waiting) */
    void *buf;           /* the request buffer (FSP_ENGINE_BUFSIZE) */
    void *scratch;       /* reply scratch buffer (FSP_ENGINE_BUFSIZE) */
    uint64_t current_unique; /* the request being processed synchronously, 0 if none */
    struct fsp_pending *spare; /* the record for this worker's next pending operation (pending.c) */
    uint64_t lead_busy;  /* the leader: its lead_state while serving a request, else 0 */
    bool demoted;        /* the leader: the watcher took over during its request */
    int look_fd;         /* the leader: a non-blocking clone for its looks, -1 if none (workers.c) */
    uint64_t served_ns;  /* the leader: when it answered its last request (CLOCK_MONOTONIC), 0: none */
    bool look;           /* the leader: look for the next request before it waits in read(2) */
    unsigned look_skip;  /* the leader: looks to skip (backoff after a look that found nothing) */
    unsigned look_backoff; /* the leader: the skip after the next look that finds nothing */
};

struct fsp_engine {
    FSP_FILE_SYSTEM *fs;
    int fd;                     /* the master /dev/fuse fd (or the test socket) */
    int stop_fd;                /* eventfd that wakes idle workers at stop */
    atomic_bool stopping;
    atomic_bool stop_notified; /* DispatcherStopped was called for this run */
    bool attached;              /* served on an fd from fsp_engine_attach_fd */
    bool adopted;               /* served on a /dev/fuse fd mounted by someone else ("/dev/fd/N") */
    /* session (FUSE_INIT) */
    pthread_mutex_t init_lock;
    bool initialized;
    uint32_t proto_minor;
    uint64_t init_flags;        /* negotiated flags | flags2 << 32 */
    uint32_t max_write;
    uid_t owner_uid;
    gid_t owner_gid;
    /* mount */
    char *mountpoint;           /* the mounted directory (UTF-8), NULL if not mounted */
    char *mount_options;        /* extra options from FspFileSystemSetMountOptions */
    bool mounted_with_fusermount;
    int watchdog_fd;            /* write end of the auto-unmount watchdog's pipe, -1 if none */
    pid_t watchdog_pid;
    /* dispatcher (workers.c) */
    struct fsp_worker *workers;
    unsigned nworkers;          /* slots in workers (the most threads that may run) */
    pthread_mutex_t workers_lock; /* roles, parking, starting threads */
    pthread_cond_t workers_cond;  /* parked workers wait here for the watcher's place */
    unsigned nstarted;          /* threads created (workers_lock) */
    unsigned nparked;           /* workers waiting in workers_cond (workers_lock) */
    struct fsp_worker *leader;  /* the worker allowed to block in read(2) (workers_lock; atomic reads) */
    struct fsp_worker *watcher; /* the watching worker, NULL when the place is free (workers_lock) */
    uint64_t lead_state;        /* leader's requests << 2 | FSP_LEAD_DEMOTED | FSP_LEAD_BUSY (atomic) */
    uint32_t watch_word;        /* futex the watcher sleeps on (atomic) */
    bool watcher_asleep;        /* the watcher sleeps until the leader's next request (atomic) */
    unsigned holdup_us;         /* how long the leader may be busy before the watcher steps in */
    unsigned spin_us;           /* how long the leader looks for its next request (LINFSP_SPIN_US) */
    bool dispatching;
    bool abandoned; /* a worker never came back from the file system: the engine is leaked */
    bool destroyed;             /* FUSE_DESTROY received or the channel closed */
    /* node table */
    pthread_rwlock_t nodes_lock;
    struct fsp_node **id_buckets, **name_buckets;
    size_t nbuckets_id, nbuckets_name, nnodes;
    uint64_t next_nodeid;
    struct fsp_info_cache *info_cache; /* attr_cache.c: recent FILE_INFO by nodeid (lazily made) */
    struct fsp_dir_cache *dir_cache;   /* dir_cache.c: complete listings (lazily made) */
    pthread_mutex_t info_cache_lock;   /* making them */
    struct fsp_node *root;
    struct fsp_node **index_buckets; /* hard-linked files by IndexNumber (FSP_NODE_INDEX_BUCKETS) */
    /* handle table */
    pthread_mutex_t handles_lock;
    struct fsp_handle **handles; /* slot array indexed by fh & 0xffffffff */
    uint32_t *handle_gen;
    size_t nhandles_cap;
    uint32_t *free_slots;
    size_t nfree;
    struct fsp_handle *closing; /* handles whose last reference went on a completion path */
    /* tests: the fault_alloc-th allocation that fsp_engine_fault_alloc is asked about fails */
    int fault_alloc;
    /* pending (asynchronous) operations */
    pthread_mutex_t pending_lock;
    pthread_cond_t pending_cond;
    struct fsp_pending *pending;
    size_t npending;
    struct fsp_early_response *early; /* responses sent before their request was pended */
    struct fsp_uring *uring;    /* FUSE over io_uring (uring.c), NULL when not used */
    /* kernel passthrough to backing files (passthrough.c): NULL unless negotiated */
    struct fsp_passthrough *passthrough;
};

/* session.c */
struct fsp_engine *fsp_engine_new(FSP_FILE_SYSTEM *fs);
void fsp_engine_free(struct fsp_engine *eng);
/** True when a worker was abandoned in a file system callback (fsp_dispatcher_stop): nothing of
 * the engine or its file system may be freed then. */
bool fsp_engine_abandoned(struct fsp_engine *eng);
void fsp_session_init(struct fsp_request *req);
void fsp_session_destroy(struct fsp_request *req);

/* channel.c */
int fsp_channel_open(int *pfd);
int fsp_channel_clone(int master_fd, int *pfd);
/* Read one request into w->buf if one is queued: bytes, -EAGAIN when none, 0 when the channel
 * ended (unmounted, closed) or the engine stops, -errno on a fatal error. (The leader's blocking
 * read is workers.c's.) */
ssize_t fsp_channel_read_nowait(struct fsp_worker *w);
/* Is a request queued on the connection (without taking it)? */
bool fsp_channel_pending(struct fsp_worker *w);
/* Make w's reads blocking or not (O_NONBLOCK on its own descriptor). */
void fsp_channel_set_nonblock(struct fsp_worker *w, bool on);
int fsp_channel_write(int fd, const struct iovec *iov, int count);

/* mount.c */
NTSTATUS fsp_mount(struct fsp_engine *eng, const char *mountpoint);
void fsp_unmount(struct fsp_engine *eng);
NTSTATUS fsp_mount_check_options(const char *options);
/* Give up the mounted descriptor (FspFileSystemDetachDevice): neither served nor unmounted. */
NTSTATUS fsp_mount_detach(struct fsp_engine *eng, int *pfd);

/* workers.c */
NTSTATUS fsp_dispatcher_start(struct fsp_engine *eng, unsigned nthreads);
void fsp_dispatcher_stop(struct fsp_engine *eng, bool normally);
/* The request the leader w serves is answered (reply.c, before the reply goes out), or done:
 * the leader is no longer busy; notes whether the watcher took over meanwhile. */
void fsp_worker_request_done(struct fsp_worker *w);
/* A worker found the volume gone (unmounted, DESTROY, end of the channel): stop the others and
 * tell the file system (DispatcherStopped, or the service). */
void fsp_dispatcher_volume_gone(struct fsp_engine *eng);

/* dispatch.c */
void fsp_dispatch_one(struct fsp_engine *eng, struct fsp_worker *w, int fd, void *buf, size_t n);
FSP_FILE_SYSTEM_OPERATION_CONTEXT **fsp_opctx_slot(void);
/* FspFileSystemSetOpenFlags for the request being processed (its Create/Open/Overwrite). */
NTSTATUS fsp_set_open_flags(UINT32 Flags);
/* FspFileSystemGetFileInfoNsec: the Nsec beside FileInfo when it is the FILE_INFO the request
 * being processed passed to the callback (fsp_op_info_arg) on a NanosecondTimes volume, else NULL. */
FSP_FSCTL_FILE_NSEC *fsp_file_info_nsec(FSP_FSCTL_FILE_INFO *FileInfo);

/* notify.c: FspFileSystemNotifyBegin/End, FspFileSystemNotify, FspFileSystemNotifyPoll */
void fsp_notify_begin(void);
void fsp_notify_end(void);
NTSTATUS fsp_notify(struct fsp_engine *eng, const FSP_FSCTL_NOTIFY_INFO *NotifyInfo, SIZE_T Size);
NTSTATUS fsp_notify_poll(struct fsp_engine *eng, UINT64 PollHandle);

/* pending.c */
void fsp_pending_interrupt(struct fsp_request *req);
void fsp_pending_cancel_all(struct fsp_engine *eng);
void fsp_pending_complete(struct fsp_engine *eng, FSP_FSCTL_TRANSACT_RSP *rsp);
void fsp_pending_free_all(struct fsp_engine *eng);

/* attr_cache.c */
#define FSP_ATTR_OWNER_VALID 0x80000000u /* in fsp_node.attr_gen */
/* The cache clock: 16 ms ticks of CLOCK_MONOTONIC_COARSE (a 32-bit count lasts two years). */
uint32_t fsp_attr_ticks(void);
/* May something read at `stamp` still be served under FileInfoTimeout? */
bool fsp_attr_fresh(struct fsp_engine *eng, uint32_t stamp);
/* How old something read at stamp may be, in ms (0 with FileInfoTimeout INFINITE). */
uint32_t fsp_attr_age_ms(struct fsp_engine *eng, uint32_t stamp);
void fsp_attr_cache_fini(struct fsp_engine *eng);
/* dir_cache.c */
void fsp_dir_cache_fini(struct fsp_engine *eng);
/* nodes.c: a node's cached owner (uid, gid, mode) if fresh; *pgen its change count
 * (FSP_ATTR_GEN_NONE for an unknown node). */
bool fsp_node_owner_get(struct fsp_engine *eng, uint64_t nodeid, uint32_t *pgen, uint32_t owner[3],
                        uint32_t *page_ms);
/* nodes.c: the node changed (FILE_INFO) by a call made while its change count was gen: count the
 * change; returns the new count when no other change came in between (what the call returned is
 * then current), else FSP_ATTR_GEN_NONE. */
uint32_t fsp_node_attr_changed_from(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen);
/* nodes.c: cache the owner read while the node's change count was gen (ignored if it changed). */
void fsp_node_owner_put(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen, const uint32_t owner[3]);

/* nodes.c / handles.c */
int fsp_nodes_init(struct fsp_engine *eng);
void fsp_nodes_fini(struct fsp_engine *eng);
/* Find a linked node by its Windows path ("\a\b"); returns nodeid or 0. */
uint64_t fsp_node_find_path(struct fsp_engine *eng, PCWSTR path, uint64_t *pparent,
                            PWSTR *plastname);
int fsp_handles_init(struct fsp_engine *eng);
void fsp_handles_fini(struct fsp_engine *eng);

/* passthrough.c */
/* FUSE_INIT: add FUSE_PASSTHROUGH to flags when the file system asks for it, the kernel
 * offers it, the writeback cache is off and the process has CAP_SYS_ADMIN. */
uint64_t fsp_passthrough_negotiate(struct fsp_engine *eng, uint64_t offered, uint64_t flags);
/* FUSE_INIT reply: max_stack_depth when FUSE_PASSTHROUGH is in flags. */
void fsp_passthrough_init_out(struct fsp_engine *eng, uint64_t flags, struct fuse_init_out *out);
/* Engine teardown: close the backing ids still registered. */
void fsp_passthrough_fini(struct fsp_engine *eng);
/* FspFileSystemSetOpenBackingFile for the request being processed. */
NTSTATUS fsp_passthrough_set_backing_fd(int Fd);

#endif
