/*
 * include/fuse/fuse_common.h - LinFsp's FUSE 2.9 compatibility layer: the
 * declarations the 2.9 high-level API shares with the rest of libfuse 2
 * (open file information, connection information, mounting, command line,
 * data buffers, signals).
 *
 * Source and binary compatible with libfuse 2.9 for FUSE_USE_VERSION
 * 26..29 (structure layouts are libfuse 2.9's; tests/fuse2-abi/fuse2-abi.sh
 * compares them with the system's <fuse/...> headers when present).
 * Include <fuse.h> rather than this header.
 */
#ifndef LINFSP_FUSE2_COMMON_H_INCLUDED
#define LINFSP_FUSE2_COMMON_H_INCLUDED

#include "fuse_opt.h"
#include <stdint.h>
#include <sys/types.h>

/* The libfuse API level this layer provides: 2.9. */
#define FUSE_MAJOR_VERSION 2
#define FUSE_MINOR_VERSION 9
#define FUSE_MAKE_VERSION(maj, min) ((maj) * 10 + (min))
#define FUSE_VERSION FUSE_MAKE_VERSION(FUSE_MAJOR_VERSION, FUSE_MINOR_VERSION)

/* Programs choose their API level with FUSE_USE_VERSION (26..29); 26 when they do not. */
#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 26
#endif
#if FUSE_USE_VERSION < 26
#error "LinFsp's FUSE 2 layer provides FUSE_USE_VERSION 26..29 (the 2.6+ API) only"
#endif
#if FUSE_USE_VERSION >= 30
#error "FUSE_USE_VERSION 30 and later is the FUSE 3 API: use <fuse3/fuse.h> (pkg-config linfsp-fuse3)"
#endif

/* LinFsp marker: programs may test for it. */
#define LINFSP_FUSE2 1

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What an open file carries from open/create/opendir to release/releasedir.
 * The layout is libfuse 2.9's.
 */
struct fuse_file_info {
    /** open(2) flags (O_ACCMODE part); set by the layer. */
    int flags;
    /** Unused old handle field (kept for the layout). */
    unsigned long fh_old;
    /** Non-zero when a write comes from the page cache. */
    int writepage;
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
    unsigned int padding : 27;
    /** The file system's handle for the open file (any value). */
    uint64_t fh;
    /** Lock owner (lock, flock, flush). */
    uint64_t lock_owner;
};

/* Capabilities (struct fuse_conn_info capable/want). */
#define FUSE_CAP_ASYNC_READ (1 << 0)
#define FUSE_CAP_POSIX_LOCKS (1 << 1)
#define FUSE_CAP_ATOMIC_O_TRUNC (1 << 3)
#define FUSE_CAP_EXPORT_SUPPORT (1 << 4)
#define FUSE_CAP_BIG_WRITES (1 << 5)
#define FUSE_CAP_DONT_MASK (1 << 6)
#define FUSE_CAP_SPLICE_WRITE (1 << 7)
#define FUSE_CAP_SPLICE_MOVE (1 << 8)
#define FUSE_CAP_SPLICE_READ (1 << 9)
#define FUSE_CAP_FLOCK_LOCKS (1 << 10)
#define FUSE_CAP_IOCTL_DIR (1 << 11)

/* ioctl flags (ioctl operation; never called on LinFsp). */
#define FUSE_IOCTL_COMPAT (1 << 0)
#define FUSE_IOCTL_UNRESTRICTED (1 << 1)
#define FUSE_IOCTL_RETRY (1 << 2)
#define FUSE_IOCTL_DIR (1 << 4)
#define FUSE_IOCTL_MAX_IOV 256

/**
 * Connection parameters given to init(). The native engine negotiates with
 * the kernel; these describe what the layer offers, and 'want' is advisory.
 */
struct fuse_conn_info {
    unsigned proto_major;
    unsigned proto_minor;
    unsigned async_read;
    unsigned max_write;
    unsigned max_readahead;
    unsigned capable;
    unsigned want;
    unsigned max_background;
    unsigned congestion_threshold;
    unsigned reserved[23];
};

struct fuse_session;
struct fuse_chan;
struct fuse_pollhandle;

/**
 * Prepare a mount on mountpoint (an existing directory). The mount options
 * in args (allow_other, ro, fsname=, ...) are taken out of args and kept
 * with the channel. On LinFsp the mount itself happens in fuse_new(), which
 * needs the file system's operations first. Returns NULL on error.
 */
struct fuse_chan *fuse_mount(const char *mountpoint, struct fuse_args *args);

/** Unmount what fuse_mount()/fuse_new() mounted, and release the channel. */
void fuse_unmount(const char *mountpoint, struct fuse_chan *ch);

/**
 * Take the generic options out of args: -h, -V, -d, -f, -s and the mount
 * point (returned malloc'ed, made absolute). multithreaded and foreground
 * may be NULL. Returns 0 or -1.
 */
int fuse_parse_cmdline(struct fuse_args *args, char **mountpoint, int *multithreaded,
                       int *foreground);

/**
 * Detach from the terminal unless foreground is non-zero (fork, setsid,
 * chdir("/"), standard descriptors to /dev/null). Returns 0 or -1.
 */
int fuse_daemonize(int foreground);

/** FUSE_VERSION of the library (29). */
int fuse_version(void);

/** Release a poll handle (the layer never hands any out). */
void fuse_pollhandle_destroy(struct fuse_pollhandle *ph);

/* ---- data buffers ---- */

enum fuse_buf_flags {
    /** The buffer is the file descriptor 'fd' rather than memory 'mem'. */
    FUSE_BUF_IS_FD = (1 << 1),
    /** With FUSE_BUF_IS_FD: read/write at 'pos'. */
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

/** Copy from src to dst, advancing both. Returns the bytes copied or a negative errno. */
ssize_t fuse_buf_copy(struct fuse_bufvec *dst, struct fuse_bufvec *src,
                      enum fuse_buf_copy_flags flags);

/* ---- signals ---- */

/** SIGINT, SIGTERM and SIGHUP end the session's loop; SIGPIPE is ignored. Returns 0 or -1. */
int fuse_set_signal_handlers(struct fuse_session *se);

/** Undo fuse_set_signal_handlers. */
void fuse_remove_signal_handlers(struct fuse_session *se);

#ifdef __cplusplus
}
#endif

#if defined(__GNUC__) && !defined(__cplusplus)
_Static_assert(sizeof(off_t) == 8, "FUSE needs a 64-bit off_t (_FILE_OFFSET_BITS=64)");
#endif

#endif
