/*
 * src/engine/engine.h - the LinFsp engine's internal interfaces (not installed).
 *
 * The engine plays the role of WinFsp's kernel driver (FSD): it reads FUSE
 * requests from /dev/fuse, keeps the node table (nodeid <-> name) and the
 * handle table (fh <-> FileContext), and turns each request into calls of
 * the file system's FSP_FILE_SYSTEM_INTERFACE. The data path is one way:
 *
 *   channel.c  read a request from /dev/fuse into the worker's buffer
 *   dispatch.c validate it, pick its handler from the opcode table
 *   ops_*.c    translate it into native API calls (guarded by opguard)
 *   reply.c    write the reply (writev) on the channel it came from
 *
 * Ownership: core (channel, mount, session, dispatch, nodes, handles,
 * pending, reply) and operations (ops_*.c, attr.c). Ops use only what is
 * declared here.
 */
#ifndef LINFSP_ENGINE_H_INCLUDED
#define LINFSP_ENGINE_H_INCLUDED

#include <winfsp/winfsp.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/uio.h>

/* Constants newer than the build machine's <linux/fuse.h> (7.38) are defined here. */
#include "fuse_compat.h"

#define FSP_ENGINE_MAX_WRITE (1024 * 1024) /* 1 MiB writes: 256 pages */
#define FSP_ENGINE_MAX_PAGES 256
#define FSP_ENGINE_BUFSIZE (FSP_ENGINE_MAX_WRITE + 4096) /* request header + args + data */

struct fsp_engine;
struct fsp_worker;
struct fsp_uring_ent;
struct fsp_handle;

/* ---- requests and replies (dispatch.c, reply.c) ---- */

/** One kernel request while it is being processed. */
struct fsp_request {
    struct fsp_engine *engine;
    FSP_FILE_SYSTEM *fs;
    struct fsp_worker *worker; /* NULL once detached for asynchronous completion */
    int fd;                    /* the channel the request came from; replies go there */
    const struct fuse_in_header *in;
    const void *arg;           /* payload after the header */
    size_t arglen;             /* payload bytes (validated against the opcode's minimum) */
    /* what follows the opcode's fixed part (fsp_ops_check_args, before the handler runs) */
    const char *names[2];      /* its NUL-terminated names (LOOKUP's name, RENAME's two, ...) */
    const void *data;          /* the bytes after the names (WRITE's data, SETXATTR's value) */
    size_t datalen;
    bool replied;
    int reply_error;           /* the reply could not be written (errno): the kernel did not get it */
    uint32_t attr_age_ms;      /* age of cached attributes in what is being answered (attr_cache.c) */
    void *scratch;             /* reply scratch buffer (FSP_ENGINE_BUFSIZE), see fsp_request_scratch */
    struct fsp_uring_ent *ring; /* the io_uring entry it came in (uring.c), NULL: /dev/fuse */
    /* what the file system sees through FspFileSystemGetOperationContext */
    FSP_FSCTL_TRANSACT_REQ treq;
    FSP_FSCTL_TRANSACT_RSP trsp;
    /* the FileInfo passed to the interface call running (fsp_op_info_arg), or NULL */
    FSP_FSCTL_FILE_INFO *info_arg;
    /* a symlink's target length read earlier in this request (fsp_ops_remember_symlink_size) */
    bool symlink_size_known;
    uint64_t symlink_size;
    /* FspFileSystemSetOpenBackingFile during this OPEN/CREATE (passthrough.c) */
    bool has_backing_fd;
    int backing_fd;            /* the file system's descriptor; never closed or kept */
    /* the open handle the request uses (fsp_handle_get/new): one reference, dropped when the
     * request ends, or kept by its pending operation until the file system's response */
    struct fsp_handle *handle;
    /* OPEN/CREATE/OPENDIR: the open(2) flags for the Create/Open call the open makes
     * (Req.Create.PosixOpen/PosixFlags); cleared once used */
    bool posix_open;
    uint32_t posix_flags;
    /* FspFileSystemSetOpenFlags during this OPEN/CREATE/OPENDIR (ops_file.c) */
    bool has_open_flags;
    uint32_t open_flags;       /* FSP_FSCTL_OPEN_* (the FOPEN_* values) */
    /* fsp_op_hold_guard: the guard is held for a sequence of calls (fsp_op_enter skips it) */
    bool guard_held;
};

/**
 * The FOPEN_* flags for the reply to an OPEN, CREATE or OPENDIR: what the file system chose
 * with FspFileSystemSetOpenFlags during the request, otherwise the engine's default for files
 * (FOPEN_KEEP_CACHE with FileInfoTimeout INFINITE) or directories (none).
 */
uint32_t fsp_ops_open_flags(struct fsp_request *req, bool is_dir);

/**
 * Reply with an error: the engine's errno (fs_errors.h; an internal code goes to the kernel as
 * its public errno; either sign); 0 = success with no payload.
 */
void fsp_reply_err(struct fsp_request *req, int err);
/** Reply success with one payload buffer. */
void fsp_reply_data(struct fsp_request *req, const void *data, size_t size);
/** Reply success with a payload in pieces (no header; the engine adds it). */
void fsp_reply_iov(struct fsp_request *req, const struct iovec *iov, int count);
/** No reply (FORGET, BATCH_FORGET, INTERRUPT that is handled). */
void fsp_reply_none(struct fsp_request *req);
/*
 * After a reply, req->reply_error is nonzero when it could not be written (the kernel no longer
 * waits for the request: interrupted, aborted, unmounted). What the request took must then be
 * given back (a lookup reference, an open handle), as the kernel will never use it. Replies
 * through io_uring are committed later and always count as written.
 */

/** A per-worker scratch buffer of FSP_ENGINE_BUFSIZE bytes for replies (reads, readdir). */
void *fsp_request_scratch(struct fsp_request *req);

/* ---- operation guard and operation context (dispatch.c) ---- */

/**
 * Enter the file system for one interface call: set req->treq.Kind (and the
 * kind's fields the guard looks at) before calling. Takes the operation guard
 * and makes the request the thread's operation context. Always pair with
 * fsp_op_leave.
 */
void fsp_op_enter(struct fsp_request *req, UINT32 kind);
void fsp_op_leave(struct fsp_request *req);
/**
 * The FileInfo argument of the interface call about to be made (after fsp_op_enter): info
 * zeroed, and its FileInfo recorded as the one the call may return nanoseconds beside
 * (FspFileSystemGetFileInfoNsec) until fsp_op_leave.
 */
FSP_FSCTL_FILE_INFO *fsp_op_info_arg(struct fsp_request *req, FSP_FSCTL_OPEN_FILE_INFO *info);
/**
 * Take the operation guard once for a sequence of interface calls that must look like one
 * operation to every other (rename of a directory over an empty one): entered as a rename
 * (FileRenameInformation: exclusive with FINE and COARSE). Until fsp_op_release_guard,
 * fsp_op_enter/fsp_op_leave set the operation context but leave the guard alone. held is
 * the request record the guard was entered with (the caller's storage).
 */
void fsp_op_hold_guard(struct fsp_request *req, FSP_FSCTL_TRANSACT_REQ *held);
void fsp_op_release_guard(struct fsp_request *req, FSP_FSCTL_TRANSACT_REQ *held);

/* ---- asynchronous completion (pending.c) ---- */

/**
 * Called by ops when Read/Write/ReadDirectory returned STATUS_PENDING.
 * The request (and its worker buffers holding write data / the read or
 * directory buffer) is detached from the worker; complete() runs when the
 * file system calls FspFileSystemSendResponse with req->treq.Hint, or with
 * STATUS_CANCELLED when the kernel interrupts it or the dispatcher stops.
 * complete() must reply; the engine frees the request afterwards.
 */
typedef void fsp_complete_fn(struct fsp_request *req, FSP_FSCTL_TRANSACT_RSP *rsp, void *ctx);
void fsp_request_pend(struct fsp_request *req, fsp_complete_fn *complete, void *ctx);
/**
 * Call before a file system member that may return STATUS_PENDING: makes the record a pending
 * operation needs (kept per worker, so made again only after one was used). False when out of
 * memory: answer ENOMEM without calling the file system, which must never be left working in
 * the buffers of a request the engine has answered.
 */
bool fsp_request_prepare_pend(struct fsp_request *req);
/**
 * Wait for the response to an operation the engine called for itself while serving req (e.g.
 * Read of a named stream for GETXATTR) that returned STATUS_PENDING: the file system keeps
 * working in the engine's buffers until it responds, so this returns only then (an interrupt
 * or a stop makes the result STATUS_CANCELLED but still waits). Returns the response's status
 * and IoStatus.Information in *pinformation (may be NULL).
 */
NTSTATUS fsp_request_wait(struct fsp_request *req, UINT64 *pinformation);

/* ---- node table (nodes.c) ---- */

/**
 * A node is one name the kernel knows (nodeid). Nodes form a tree through
 * parent pointers, so renaming a directory moves its whole subtree at once.
 */
struct fsp_node;

/**
 * Paths are built into buffers of the calling thread, one per slot: a path stays valid until
 * its slot is used again on the same thread, and is never freed by the caller (no malloc per
 * request once the buffers have grown to the longest path).
 */
enum fsp_path_slot {
    FSP_PATH_NODE,   /**< the request's own file */
    FSP_PATH_OTHER,  /**< a second name (rename's target, link's new name) */
    FSP_PATH_PARENT, /**< a parent's (security of a new file) */
    FSP_PATH_ENTRY,  /**< a directory entry's (READDIRPLUS) */
    FSP_PATH_CLOSE,  /**< a handle's, when it closes (after its last request let it go) */
    FSP_PATH_SLOTS
};
/**
 * A scratch buffer of the calling thread (scratch.c) of at least bytes bytes: kinds 0 ..
 * FSP_PATH_SLOTS - 1 are the path slots, then enum fsp_scratch_kind. It stays valid until the
 * same kind is asked for again on the same thread, grows as needed and is freed when the
 * thread ends. NULL when out of memory.
 */
void *fsp_thread_scratch(unsigned kind, size_t bytes);
enum fsp_scratch_kind {
    FSP_SCRATCH_SECURITY = FSP_PATH_SLOTS, /**< a security descriptor being read */
    FSP_SCRATCH_NEW_SD,                    /**< a new object's inherited security descriptor */
    FSP_SCRATCH_KINDS
};
/** Full path of a nodeid ("\" for the root) in the thread's slot. ENOENT if unknown/unlinked. */
int fsp_node_path(struct fsp_engine *eng, uint64_t nodeid, enum fsp_path_slot slot, PWSTR *ppath);
/**
 * Path of the child `name` (a POSIX name component from the kernel, NUL terminated) of
 * directory nodeid, in the thread's slot. Maps the name with the POSIX path mapping;
 * ENAMETOOLONG / EINVAL for bad names.
 */
int fsp_node_child_path(struct fsp_engine *eng, uint64_t parent, const char *name,
                        enum fsp_path_slot slot, PWSTR *ppath);
/**
 * Join a directory's path of dl WCHARs and a name of nl WCHARs (NUL-terminated) in place:
 * dir + "\\" + name, without a separator after the root "\\". dir has room for dl + nl + 2
 * WCHARs. The one path join of the engine (child paths, READDIRPLUS's entries).
 */
void fsp_path_append(PWSTR dir, size_t dl, PCWSTR name, size_t nl);
/**
 * Record that the kernel now knows the child `name` of `parent` (LOOKUP, CREATE, MKDIR, ...):
 * find or add its node, add one lookup reference, and return its nodeid and generation.
 * Also records the file type of mode (S_IFMT bits, as told to the
 * kernel; 0: unchanged) and the file's IndexNumber (ino; 0: unknown). A name whose node has
 * another IndexNumber names another file now (replaced behind the engine's back): the old node
 * loses the name and the name gets a new node, so the kernel sees a new inode. For a
 * non-directory with more than one link (linked) and a nonzero IndexNumber, a new name of a
 * file the kernel already knows under another name gets that node's nodeid (one kernel inode
 * per file). *pgen (may be NULL) gets the node's attribute change count for fsp_attr_cache_put
 * when the node is new, FSP_ATTR_GEN_NONE when it existed (what was read before may be older
 * than its cache).
 */
int fsp_node_enter_file(struct fsp_engine *eng, uint64_t parent, const char *name, uint32_t mode,
                        uint64_t ino, bool linked, uint64_t *pnodeid, uint64_t *pgeneration,
                        uint32_t *pgen);

/* ---- attribute cache (attr_cache.c) ---- */

/**
 * What an attribute reply needs is cached per node while FileInfoTimeout allows (never with
 * 0; for FileInfoTimeout ms, or until changed with INFINITE): the owner, group and mode that
 * the security descriptor maps to, and (in a table of recent nodes) the FILE_INFO. Every
 * request that changes a file, or may, calls fsp_attr_invalidate on its node (and on the
 * directories whose entries it changes); what was read from the file system is put back only
 * if the node did not change since (the change count taken before reading).
 */
#define FSP_ATTR_GEN_NONE 0xffffffffu /**< no change count: nothing may be cached */
struct fsp_attr_cached {
    uint32_t gen;    /**< the node's change count when looked at (for fsp_attr_cache_put) */
    bool has_owner;  /**< uid, gid, mode are current */
    bool has_info;   /**< info is current */
    uint32_t owner_age_ms, info_age_ms; /**< how old they may be (0 with INFINITE) */
    uint32_t owner[3]; /**< uid, gid, mode (S_IFMT | 07777) */
    FSP_FSCTL_OPEN_FILE_INFO info; /**< FileInfo and its Nsec (NormalizedName NULL) */
};
/** Look up what is cached of nodeid (nothing when caching is off or the node is unknown). */
void fsp_attr_cache_get(struct fsp_engine *eng, uint64_t nodeid, struct fsp_attr_cached *c);
/**
 * Cache what was read of nodeid (info and owner may be NULL) while its change count was gen;
 * ignored when it changed since, when caching is off, or when the file is not cacheable
 * (fsp_attr_cacheable).
 */
void fsp_attr_cache_put(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen,
                        const FSP_FSCTL_OPEN_FILE_INFO *info, const uint32_t owner[3]);
/** Files whose attributes may be cached: not reparse points (symlinks, special files), and
 * not hard-linked files without an IndexNumber (their names are separate nodes). */
bool fsp_attr_cacheable(const FSP_FSCTL_FILE_INFO *info);
/** nodeid's attributes (size, times, links: FILE_INFO) changed or may have (nothing for an
 * unknown node). Its owner, group and mode stay cached. */
void fsp_attr_invalidate(struct fsp_engine *eng, uint64_t nodeid);
/**
 * nodeid was changed by a call that returned its FILE_INFO (Overwrite, Write), made while its
 * change count was gen (from fsp_attr_cache_get before the call): the change is counted as with
 * fsp_attr_invalidate, and info cached when no other change came in between.
 */
void fsp_attr_changed_to(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen,
                         const FSP_FSCTL_OPEN_FILE_INFO *info);
/**
 * Complete directory listings kept between opens (dir_cache.c): a block of fsp_dir_cache_new
 * (contents the caller's) is stored for directory nodeid read while its change count was gen
 * (from fsp_attr_cache_get; ownership passes); fsp_dir_cache_get finds it while the count is
 * still gen and the entry timeout allows (DirInfoTimeout when valid, else FileInfoTimeout), as a
 * reference to give back with fsp_dir_cache_release.
 */
void *fsp_dir_cache_new(size_t size);
void fsp_dir_cache_put(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen, void *data);
void *fsp_dir_cache_get(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen);
void fsp_dir_cache_release(struct fsp_engine *eng, void *data);
/** Forget the cached FILE_INFO of nodeid without counting a change (a directory's access time
 * after a listing: its entries, and so its kept listing, are the same). */
void fsp_attr_drop_info(struct fsp_engine *eng, uint64_t nodeid);
/** nodeid's security (owner, group, mode) changed or may have, and maybe anything else. */
void fsp_attr_invalidate_owner(struct fsp_engine *eng, uint64_t nodeid);
/** fsp_attr_invalidate_owner, and the directory that holds nodeid's name counts a change too
 * (its kept listing shows the file's type: reparse data or attributes set as xattrs). */
void fsp_attr_invalidate_entry(struct fsp_engine *eng, uint64_t nodeid);
/** Enter nodeid in the IndexNumber index (LINK: its new name will be an alias of it). */
void fsp_node_register_index(struct fsp_engine *eng, uint64_t nodeid, uint64_t index);
/**
 * READDIRPLUS of a file the kernel knows: when the child wname (Windows form) of parent is the
 * file with IndexNumber ino (0: unknown) and has a cached owner of file type type (S_IFMT), add
 * a lookup reference and give its nodeid, generation, owner (uid, gid, mode) and the owner's
 * age (attr_cache.c); false otherwise (nothing done: the caller takes the long way,
 * fsp_ops_fill_attr + fsp_ops_enter_entry).
 */
bool fsp_node_enter_cached(struct fsp_engine *eng, uint64_t parent, PCWSTR wname, uint64_t ino,
                           uint32_t type, uint32_t owner[3], uint32_t *page_ms, uint64_t *pnodeid,
                           uint64_t *pgeneration);
/**
 * The node of the child named wname (Windows form) of parent, if the kernel knows it as the
 * file with IndexNumber ino (0: unknown); else 0.
 */
uint64_t fsp_node_child_id(struct fsp_engine *eng, uint64_t parent, PCWSTR wname, uint64_t ino);
/** Drop nlookup lookup references (FORGET); the node goes when none remain. */
void fsp_node_forget(struct fsp_engine *eng, uint64_t nodeid, uint64_t nlookup);
/** A name was removed (UNLINK/RMDIR): detach the node from its name (it lives on until forgotten). */
void fsp_node_unlinked(struct fsp_engine *eng, uint64_t parent, const char *name);
/** The names a rename works on, mapped and allocated before the file system renames. */
struct fsp_node_rename {
    PWSTR oldw, neww;
};
/**
 * Make what fsp_node_renamed needs (the two names' Windows forms), so that recording a rename
 * the file system has done cannot fail: call before Rename, and answer its error (ENOMEM,
 * EINVAL, ENAMETOOLONG) without renaming. Release with fsp_node_renamed or _discard.
 */
int fsp_node_rename_prepare(struct fsp_engine *eng, const char *name, const char *newname,
                            struct fsp_node_rename *r);
void fsp_node_rename_discard(struct fsp_node_rename *r);
/** A rename succeeded: move the node (and so its subtree); a replaced target is detached. */
void fsp_node_renamed(struct fsp_engine *eng, uint64_t parent, uint64_t newparent,
                      struct fsp_node_rename *r);
/**
 * RENAME_EXCHANGE succeeded: swap the two names (prepared with fsp_node_rename_prepare, whose
 * strings it takes: the name in parent and the new name in newparent).
 */
void fsp_node_exchanged(struct fsp_engine *eng, uint64_t parent, uint64_t newparent,
                        struct fsp_node_rename *r);
/**
 * A directory the kernel knows as the child name of parent is about to be removed (RMDIR, or
 * a RENAME over it): keep attr (with st_nlink 0) for the node, which may live on without a
 * name as a process's working directory or an open directory (fsp_node_gone_attr). Nothing
 * happens for a name the kernel does not know.
 */
void fsp_node_keep_gone_attr(struct fsp_engine *eng, uint64_t parent, const char *name,
                             const struct fuse_attr *attr);
/**
 * The attributes kept for a removed directory without a name, copied to *attr; false when
 * nodeid is not such a directory (it has a name, or no attributes were kept).
 */
bool fsp_node_gone_attr(struct fsp_engine *eng, uint64_t nodeid, struct fuse_attr *attr);
/** Replace the attributes kept for a removed directory (SETATTR); false as fsp_node_gone_attr. */
bool fsp_node_set_gone_attr(struct fsp_engine *eng, uint64_t nodeid, const struct fuse_attr *attr);
/** The file type (S_IFMT) last told to the kernel of the child name of parent; 0 when unknown. */
uint32_t fsp_node_child_type(struct fsp_engine *eng, uint64_t parent, const char *name);
/**
 * Create a node without a name (TMPFILE) for the file with IndexNumber ino (0: unknown): one
 * lookup reference, no parent; it gets a name when LINK gives it one (fsp_node_named).
 * Returns 0 or ENOMEM.
 */
int fsp_node_new_unnamed(struct fsp_engine *eng, uint32_t mode, uint64_t ino, uint64_t *pnodeid,
                         uint64_t *pgeneration);
/**
 * LINK gave nodeid, a node without a name (TMPFILE's), the name `name` in parent: it becomes
 * that name's node (so the kernel keeps one inode). False when nodeid has a name already or
 * the name is taken in the table (the caller then enters the name as usual).
 */
bool fsp_node_named(struct fsp_engine *eng, uint64_t nodeid, uint64_t parent, const char *name);

/** Node flags the ops keep between requests (the low bits of the flags word). */
enum {
    /** Known to have no S_ISUID/S_ISGID bit and no security.capability (ops_killpriv.c). */
    FSP_NODE_NO_PRIVS = 1,
    /** The flags word counts changes above the flags: each clearing adds this. */
    FSP_NODE_GEN_ONE = 16,
};
/** nodeid's flags word (flags and change count); 0 for an unknown nodeid. */
unsigned fsp_node_flags(struct fsp_engine *eng, uint64_t nodeid);
/** Set (on) or clear a flag of nodeid; clearing counts a change. Nothing for an unknown nodeid. */
void fsp_node_set_flag(struct fsp_engine *eng, uint64_t nodeid, unsigned flag, bool on);
/**
 * Set a flag only if the flags word is still seen (from fsp_node_flags): a decision made
 * from a look at the file is not recorded when the file changed meanwhile. False if not set.
 */
bool fsp_node_set_flag_if(struct fsp_engine *eng, uint64_t nodeid, unsigned flag, unsigned seen);
/** The file type of nodeid when it is unlinked (no name any more); 0 when linked or unknown. */
uint32_t fsp_node_unlinked_type(struct fsp_engine *eng, uint64_t nodeid);

/*
 * Link counts when the file system keeps none (VolumeParams.HardLinks off): st_nlink of
 * nodeid as the kernel should see it: 0 when the name is gone (unlinked or removed while open),
 * else `reported` (the file system's FileInfo.HardLinks) when not 0, else 1 for a file and 2
 * plus the subdirectories for a directory when the engine knows them (fsp_node_subdirs_*),
 * 2 when it does not.
 */
uint32_t fsp_node_nlink(struct fsp_engine *eng, uint64_t nodeid, bool is_dir, uint32_t reported);
/** A directory's change count, to take before listing it (fsp_node_subdirs_set). */
uint32_t fsp_node_subdirs_gen(struct fsp_engine *eng, uint64_t nodeid);
/** A complete listing found count subdirectories: recorded if no change happened since gen. */
void fsp_node_subdirs_set(struct fsp_engine *eng, uint64_t nodeid, uint32_t count, uint32_t gen);
/** A subdirectory was added (+1) or removed (-1) through the mount (0: some change). */
void fsp_node_subdirs_add(struct fsp_engine *eng, uint64_t nodeid, int delta);
/** The directory changed in ways the engine did not see: its subdirectories are unknown. */
void fsp_node_subdirs_forget(struct fsp_engine *eng, uint64_t nodeid);

/* ---- handle table (handles.c) ---- */

/**
 * Per-open state; fh in the kernel's requests is the handle's id. Counted (see handles.c): a
 * handle and its file context live until the last of the table, the requests using it and its
 * pending operations lets go, and only then is it closed (Cleanup, Close).
 */
struct fsp_handle {
    uint64_t fh;
    uint64_t nodeid;
    PVOID file_context;  /* what Create/Open returned */
    PWSTR path;          /* the name it was opened by (the current one: fsp_node_path) */
    size_t path_cap;     /* WCHARs path has room for (handles.c reuses handles) */
    int open_flags;      /* O_* from OPEN/CREATE */
    bool is_dir;
    PVOID dir_buffer;    /* ops' listing state for an open directory */
    void (*dir_free)(PVOID dir_buffer); /* frees dir_buffer when the handle goes */
    pthread_mutex_t lock; /* serializes readdir on this handle */
    bool no_flush;       /* opened with FSP_FSCTL_OPEN_NOFLUSH */
    bool fresh_listing;  /* a directory open whose file system set its open flags without
                          * FSP_FSCTL_OPEN_CACHE_DIR: listed afresh, never from a kept listing */
    /* passthrough.c: this open's kernel backing file id (> 0) or 0; counted per node when pt_counted */
    int32_t backing_id;
    bool pt_counted;
    /* lifetime (handles.c; under the table's lock) */
    unsigned refs;
    bool published;      /* in the table: fsp_handle_get finds it */
    struct fuse_in_header closer; /* the request Cleanup and Close are made for (RELEASE, or the open) */
    struct fsp_handle *next_closing;
    /* ops_cleanup.c: FspCleanup* flags still owed to the file system for this open (given at
     * its release), and FSP_HANDLE_READ once data or entries were read through it; atomic */
    uint32_t cleanup;
};
/** fsp_handle.cleanup: data or entries were read through the handle (its access time). */
#define FSP_HANDLE_READ 0x10000u
/**
 * The fh of an open of a removed directory that has no name and no other open (a process's
 * working directory opened again): it lists nothing and has no file context. No handle of the
 * table has it (fsp_handle_get finds nothing: EBADF for what READDIR, RELEASEDIR and
 * FSYNCDIR do not handle themselves).
 */
#define FSP_GONE_DIR_FH UINT64_MAX
/**
 * Create a handle for an open file, in the table, with fh set; the request holds a reference
 * (req->handle). NULL when out of memory.
 */
struct fsp_handle *fsp_handle_new(struct fsp_request *req, uint64_t nodeid, PVOID file_context,
                                  PWSTR path, int open_flags, bool is_dir);
/**
 * Look up an fh (NULL when unknown) and take a reference for the request (req->handle): the
 * handle and its file context stay valid until the request ends, even if RELEASE comes meanwhile.
 */
struct fsp_handle *fsp_handle_get(struct fsp_request *req, uint64_t fh);
/**
 * Run fn on some open handle of nodeid, holding a reference (not a lock: fn may call the file
 * system). For files that have no name any more (unlinked while open). Returns fn's result, or
 * ENOENT when none is open.
 */
int fsp_handle_with_node(struct fsp_request *req, uint64_t nodeid,
                         int (*fn)(struct fsp_handle *h, void *arg), void *arg);
/**
 * Take an fh out of the table (RELEASE, an open undone): from then on neither fsp_handle_get
 * nor fsp_handle_with_node finds it. The caller still holds a reference; the last one closes it.
 */
void fsp_handle_unpublish(struct fsp_engine *eng, struct fsp_handle *h);
/**
 * Drop a reference. The last one closes the handle (fsp_ops_close_handle) at once when
 * may_close_now (a worker, outside any file system call), else queues it for a worker.
 */
void fsp_handle_put(struct fsp_engine *eng, struct fsp_handle *h, bool may_close_now);
/** Close the handles queued by fsp_handle_put (a worker before its next request; stop). */
void fsp_handles_close_queued(struct fsp_engine *eng);
/** Free a closed handle's memory (or keep it for the thread's next fsp_handle_new). */
void fsp_handle_free(struct fsp_handle *h);
/**
 * Close a handle nothing uses any more (ops_file.c): Cleanup and Close for the request in
 * h->closer, the backing file, the memory.
 */
void fsp_ops_close_handle(struct fsp_engine *eng, struct fsp_handle *h);

/* ---- engine state read by ops ---- */

/**
 * Fault injection for the unit tests: true when an allocation at this point must be taken as
 * failed (the test set the engine's countdown; never in normal operation). Checked at the
 * allocations whose failure the engine must survive without harm.
 */
bool fsp_engine_fault_alloc(struct fsp_engine *eng);
/** The file system the engine serves. */
FSP_FILE_SYSTEM *fsp_engine_fs(struct fsp_engine *eng);
/** Negotiated protocol minor version and INIT flags (flags | flags2 << 32). */
uint32_t fsp_engine_proto_minor(struct fsp_engine *eng);
uint64_t fsp_engine_init_flags(struct fsp_engine *eng);
/** Entry/attr timeouts from VolumeParams in seconds + nanoseconds. */
void fsp_engine_entry_timeout(struct fsp_engine *eng, uint64_t *sec, uint32_t *nsec);
void fsp_engine_attr_timeout(struct fsp_engine *eng, uint64_t *sec, uint32_t *nsec);
/** How long a name found missing may be cached (NegativeEntryTimeout, else the entry timeout). */
void fsp_engine_negative_timeout(struct fsp_engine *eng, uint64_t *sec, uint32_t *nsec);
/** The attribute timeout for attributes that were already age_ms old (from the engine's cache):
 * together with the kernel's caching they are never served longer than FileInfoTimeout. */
void fsp_engine_attr_timeout_aged(struct fsp_engine *eng, uint32_t age_ms, uint64_t *sec,
                                  uint32_t *nsec);
/** Make the kernel drop its cached attributes of nodeid (safe inside a request handler). */
void fsp_notify_inval_attr(struct fsp_engine *eng, uint64_t nodeid);
/** Are access times never to be updated (read-only volume, mount option noatime)? */
bool fsp_engine_noatime(struct fsp_engine *eng);
/** The uid/gid that mounted the file system (default owner when there is no security). */
uid_t fsp_engine_owner_uid(struct fsp_engine *eng);
gid_t fsp_engine_owner_gid(struct fsp_engine *eng);

/* ---- kernel passthrough to backing files (passthrough.c) ---- */

/**
 * OPEN/CREATE succeeded and h is the new handle: when passthrough was negotiated, pick the
 * open's io mode. Uses the backing fd the file system gave (FspFileSystemSetOpenBackingFile)
 * or the one its node already has; sets FOPEN_PASSTHROUGH and the backing id in out. Falls
 * back silently (logged once) to the normal path when the kernel refuses the backing file.
 */
void fsp_passthrough_open(struct fsp_request *req, struct fsp_handle *h,
                          struct fuse_open_out *out);
/** RELEASE: drop the handle's share of its node's backing file (closed with the last one). */
void fsp_passthrough_release(struct fsp_engine *eng, struct fsp_handle *h);

/* ---- attaching without a mount (unit tests) ---- */

/**
 * Serve the connection on `fd` instead of mounting: the unit tests pass one
 * end of a SOCK_SEQPACKET socketpair standing in for /dev/fuse. Call instead
 * of FspFileSystemSetMountPoint, before FspFileSystemStartDispatcher. The
 * engine takes ownership of fd.
 */
NTSTATUS fsp_engine_attach_fd(FSP_FILE_SYSTEM *fs, int fd);

/* ---- the opcode handlers (ops_*.c), called by dispatch.c ---- */

typedef void fsp_op_fn(struct fsp_request *req);
/** Handler for an opcode, or NULL when the engine answers ENOSYS. */
fsp_op_fn *fsp_ops_handler(uint32_t opcode);
/**
 * The error for a request the file system cannot serve because it lacks the operation: a NULL
 * interface member, or STATUS_INVALID_DEVICE_REQUEST / STATUS_NOT_IMPLEMENTED from one (both
 * become ENOSYS in FspErrnoFromNtStatus). What Linux answers for a file system without the
 * operation (doc/design.md, "A missing operation"): EINVAL for READ and WRITE, ENOTDIR for
 * READDIR(PLUS), EPERM for the namespace operations and SETATTR, EACCES for CREATE, 0 for the
 * syncs, EOPNOTSUPP for the xattrs, FALLOCATE and anything else the engine implements, ENOTTY for
 * IOCTL. ENOSYS only for opcodes without a handler and for those where ENOSYS makes the kernel
 * do it itself (FLUSH, ACCESS, POLL, the locks): never for an opcode whose ENOSYS the kernel
 * would remember for the whole mount (OPEN, CREATE, FSYNC, the xattrs, ...).
 * fsp_reply_err applies it to every ENOSYS.
 */
int fsp_ops_unsupported(uint32_t opcode);
/** The opcode's name for the debug trace ("LOOKUP", ...; "???" when unknown). */
const char *fsp_ops_name(uint32_t opcode);
/**
 * Minimum payload size of an opcode's request: its fixed part (the protocol 7.31 or later that
 * the engine speaks, FSP_FUSE_MINOR_MIN; SETXATTR's depends on FUSE_SETXATTR_EXT in init_flags)
 * and two bytes per name. From the table of argument shapes in ops_misc.c.
 */
size_t fsp_ops_min_arglen(uint32_t opcode, uint64_t init_flags);
/**
 * Validate a request's payload against its opcode's shape (ops_misc.c) and set req->names,
 * req->data and req->datalen: -1 when shorter than fsp_ops_min_arglen (the kernel never sends
 * that), EINVAL when a name lacks its NUL, else 0.
 */
int fsp_ops_check_args(struct fsp_request *req, uint64_t init_flags);

/**
 * Convert FILE_INFO (and, with VolumeParams.NanosecondTimes, the Nsec beside it) + owner/mode
 * to fuse_attr (attr.c). mode holds permission bits only.
 */
void fsp_attr_from_info(struct fsp_engine *eng, const FSP_FSCTL_OPEN_FILE_INFO *info, uint32_t uid,
                        uint32_t gid, uint32_t mode, uint32_t rdev_type_mode, uint32_t rdev,
                        struct fuse_attr *attr);

#endif
