/*
 * include/fuse3/fuse_common.h - LinFsp's FUSE 3 compatibility layer: the
 * declarations libfuse 3 shares between its high-level and low-level APIs
 * (file information, connection information, capabilities, data buffers,
 * loop configuration, daemonizing, signals).
 *
 * Source compatible with libfuse 3 for FUSE_USE_VERSION 30..35 and the
 * 3.12+ spellings (312, 314, 317); structure layouts follow libfuse 3.14.
 * Include <fuse.h> rather than this header.
 */
#ifndef LINFSP_FUSE3_COMMON_H_INCLUDED
#define LINFSP_FUSE3_COMMON_H_INCLUDED

#include "fuse_opt.h"
#include "fuse_log.h"
#include <stdint.h>
#include <sys/types.h>

/* The libfuse API level this layer provides. */
#define FUSE_MAJOR_VERSION 3
#define FUSE_MINOR_VERSION 14
#define FUSE_MAKE_VERSION(maj, min) ((maj) * 100 + (min))
#define FUSE_VERSION FUSE_MAKE_VERSION(FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION)

/* Programs choose their API level with FUSE_USE_VERSION; 31 when they do not. */
#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 31
#endif
#if FUSE_USE_VERSION < 30
#error "LinFsp's FUSE 3 layer needs FUSE_USE_VERSION 30 or later (use <fuse/...> for FUSE 2)"
#endif

/* LinFsp marker: programs may test for it. */
#define LINFSP_FUSE3 1

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What an open file carries between open/create/opendir and the
 * operations that follow until release/releasedir.
 */
struct fuse_file_info {
    /** open(2) flags (O_ACCMODE part, O_APPEND, ...); set by the layer. */
    int flags;
    /** Set when a write comes from the page cache rather than a process. */
    unsigned int writepage : 1;
    /** The file system sets it in open/create to bypass the page cache. */
    unsigned int direct_io : 1;
    /** The file system sets it in open/create to keep cached data. */
    unsigned int keep_cache : 1;
    /** Set for flush() calls made at the close of a descriptor. */
    unsigned int flush : 1;
    /** The file system sets it in open to mark the file non-seekable. */
    unsigned int nonseekable : 1;
    /** Set in release() when flock locks must be dropped. */
    unsigned int flock_release : 1;
    /** The file system sets it in opendir to let the kernel cache listings. */
    unsigned int cache_readdir : 1;
    /** The file system sets it in open to say flush() is not needed. */
    unsigned int noflush : 1;
    /** Parallel direct writes allowed (libfuse 3.15+; accepted, not used). */
    unsigned int parallel_direct_writes : 1;
    unsigned int padding : 23;
    unsigned int padding2 : 32;
    /** The file system's handle for the open file (any value). */
    uint64_t fh;
    /** Lock owner for lock/flock/flush. */
    uint64_t lock_owner;
    /** poll(2) events wanted (poll operation). */
    uint32_t poll_events;
};

/* Capabilities (struct fuse_conn_info capable/want). */
#define FUSE_CAP_ASYNC_READ (1 << 0)
#define FUSE_CAP_POSIX_LOCKS (1 << 1)
#define FUSE_CAP_ATOMIC_O_TRUNC (1 << 3)
#define FUSE_CAP_EXPORT_SUPPORT (1 << 4)
#define FUSE_CAP_DONT_MASK (1 << 6)
#define FUSE_CAP_SPLICE_WRITE (1 << 7)
#define FUSE_CAP_SPLICE_MOVE (1 << 8)
#define FUSE_CAP_SPLICE_READ (1 << 9)
#define FUSE_CAP_FLOCK_LOCKS (1 << 10)
#define FUSE_CAP_IOCTL_DIR (1 << 11)
#define FUSE_CAP_AUTO_INVAL_DATA (1 << 12)
#define FUSE_CAP_READDIRPLUS (1 << 13)
#define FUSE_CAP_READDIRPLUS_AUTO (1 << 14)
#define FUSE_CAP_ASYNC_DIO (1 << 15)
#define FUSE_CAP_WRITEBACK_CACHE (1 << 16)
#define FUSE_CAP_NO_OPEN_SUPPORT (1 << 17)
#define FUSE_CAP_PARALLEL_DIROPS (1 << 18)
#define FUSE_CAP_POSIX_ACL (1 << 19)
#define FUSE_CAP_HANDLE_KILLPRIV (1 << 20)
#define FUSE_CAP_CACHE_SYMLINKS (1 << 23)
#define FUSE_CAP_NO_OPENDIR_SUPPORT (1 << 24)
#define FUSE_CAP_EXPLICIT_INVAL_DATA (1 << 25)
#define FUSE_CAP_EXPIRE_ONLY (1 << 26)

/* ioctl flags (ioctl operation). */
#define FUSE_IOCTL_COMPAT (1 << 0)
#define FUSE_IOCTL_UNRESTRICTED (1 << 1)
#define FUSE_IOCTL_RETRY (1 << 2)
#define FUSE_IOCTL_DIR (1 << 4)
#define FUSE_IOCTL_MAX_IOV 256

/**
 * Connection parameters, given to the init operation. On LinFsp the
 * native engine negotiates with the kernel; the values here describe what
 * the layer offers, and what the file system puts in 'want' is advisory.
 */
struct fuse_conn_info {
    unsigned proto_major;
    unsigned proto_minor;
    unsigned max_write;
    unsigned max_read;
    unsigned max_readahead;
    unsigned capable;
    unsigned want;
    unsigned max_background;
    unsigned congestion_threshold;
    unsigned time_gran;
    unsigned reserved[22];
};

struct fuse_session;
struct fuse_pollhandle;

/** Connection options from the command line (opaque): see fuse_parse_conn_info_opts. */
struct fuse_conn_info_opts;

/**
 * Take the connection options out of args (max_write=, max_readahead=, max_background=,
 * congestion_threshold=, [no_]auto_inval_data, sync_read, async_read, atomic_o_trunc,
 * no_remote_lock, no_remote_flock, no_remote_posix_lock, [no_]splice_*, readdirplus=,
 * [no_]writeback_cache, time_gran=). Returns them (free() them), or NULL on error.
 */
struct fuse_conn_info_opts *fuse_parse_conn_info_opts(struct fuse_args *args);

/** Apply what fuse_parse_conn_info_opts found to conn (in init). */
void fuse_apply_conn_info_opts(struct fuse_conn_info_opts *opts, struct fuse_conn_info *conn);

/**
 * Detach from the terminal unless foreground is non-zero: fork (the parent
 * exits 0 once the child has set itself up), setsid, chdir("/"), and
 * stdin/stdout/stderr to /dev/null. Returns 0 or -1.
 */
int fuse_daemonize(int foreground);

/** FUSE_VERSION of the library (3.14 level: 314). */
int fuse_version(void);

/** The library's version string. */
const char *fuse_pkgversion(void);

/** Release a poll handle the poll operation kept. */
void fuse_pollhandle_destroy(struct fuse_pollhandle *ph);

/* ---- data buffers ---- */

enum fuse_buf_flags {
    /** The buffer is the file descriptor 'fd' rather than memory 'mem'. */
    FUSE_BUF_IS_FD = (1 << 1),
    /** With FUSE_BUF_IS_FD: read/write at 'pos' (pread/pwrite). */
    FUSE_BUF_FD_SEEK = (1 << 2),
    /** With FUSE_BUF_IS_FD: retry short transfers until done or EOF. */
    FUSE_BUF_FD_RETRY = (1 << 3)
};

enum fuse_buf_copy_flags {
    FUSE_BUF_NO_SPLICE = (1 << 1),
    FUSE_BUF_FORCE_SPLICE = (1 << 2),
    FUSE_BUF_SPLICE_MOVE = (1 << 3),
    FUSE_BUF_SPLICE_NONBLOCK = (1 << 4)
};

/** One piece of data: memory or a file descriptor. */
struct fuse_buf {
    size_t size;
    enum fuse_buf_flags flags;
    void *mem;
    int fd;
    off_t pos;
};

/** A list of buffers and a position in it (buffer idx, byte off). */
struct fuse_bufvec {
    size_t count;
    size_t idx;
    size_t off;
    struct fuse_buf buf[1];
};

/** A fuse_bufvec holding one memory buffer of size__ bytes (mem still to be set). */
#define FUSE_BUFVEC_INIT(size__)                                                             \
    ((struct fuse_bufvec){1, 0, 0, {{(size__), (enum fuse_buf_flags)0, NULL, -1, 0}}})

/** Total bytes of all the buffers. */
size_t fuse_buf_size(const struct fuse_bufvec *bufv);

/**
 * Copy from src to dst, as much as both hold, advancing both positions.
 * Returns the bytes copied or a negative errno (when nothing was copied).
 */
ssize_t fuse_buf_copy(struct fuse_bufvec *dst, struct fuse_bufvec *src,
                      enum fuse_buf_copy_flags flags);

/* ---- signals ---- */

/**
 * SIGINT, SIGTERM and SIGHUP end the session's loop (fuse_session_exit);
 * SIGPIPE is ignored. Returns 0 or -1.
 */
int fuse_set_signal_handlers(struct fuse_session *se);

/** Undo fuse_set_signal_handlers. */
void fuse_remove_signal_handlers(struct fuse_session *se);

/* ---- loop configuration ---- */

#if FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
struct fuse_loop_config_v1;
/** Multi-threaded loop parameters (API before 3.12: a public structure). */
struct fuse_loop_config {
#else
/** The pre-3.12 loop parameters, for fuse_loop_cfg_convert. */
struct fuse_loop_config_v1 {
#endif
    int clone_fd;
    unsigned int max_idle_threads;
};

#if FUSE_USE_VERSION >= FUSE_MAKE_VERSION(3, 12)
/** Opaque multi-threaded loop parameters (3.12+): create, set, pass to fuse_loop_mt, destroy. */
struct fuse_loop_config;
struct fuse_loop_config *fuse_loop_cfg_create(void);
void fuse_loop_cfg_destroy(struct fuse_loop_config *config);
void fuse_loop_cfg_set_idle_threads(struct fuse_loop_config *config, unsigned int value);
void fuse_loop_cfg_set_max_threads(struct fuse_loop_config *config, unsigned int value);
void fuse_loop_cfg_set_clone_fd(struct fuse_loop_config *config, unsigned int value);
void fuse_loop_cfg_convert(struct fuse_loop_config *config, struct fuse_loop_config_v1 *v1_conf);
#endif

#ifdef __cplusplus
}
#endif

#if defined(__GNUC__) && !defined(__cplusplus)
_Static_assert(sizeof(off_t) == 8, "FUSE needs a 64-bit off_t (_FILE_OFFSET_BITS=64)");
#endif

#endif
