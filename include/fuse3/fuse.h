/*
 * include/fuse3/fuse.h - LinFsp's FUSE 3 high-level API.
 *
 * A program written for libfuse 3's high-level API builds unchanged with
 *     cc prog.c $(pkg-config --cflags --libs linfsp-fuse3)
 * and runs with libfuse's command line. As WinFsp's FUSE layer does on
 * Windows, LinFsp implements this API on top of its native API
 * (<winfsp/winfsp.h>): every native file system operation calls the FUSE
 * operations below; the native engine speaks to the kernel.
 *
 * Differences from libfuse are listed in doc/fuse3.md. In short: the
 * kernel always checks permissions (default_permissions); access() is not
 * called; lock/flock/poll/bmap/ioctl/copy_file_range/lseek are not called;
 * write_buf/read_buf are used when write/read are missing.
 */
#ifndef LINFSP_FUSE3_H_INCLUDED
#define LINFSP_FUSE3_H_INCLUDED

#include "fuse_common.h"
#include <fcntl.h>
#include <time.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A FUSE file system instance (opaque). */
struct fuse;

/** Flags readdir() receives. */
enum fuse_readdir_flags {
    /** The listing's stat data is cached as attributes: fill it completely when set. */
    FUSE_READDIR_PLUS = (1 << 0)
};

/** Flags the readdir() filler receives. */
enum fuse_fill_dir_flags {
    /** The stat given is complete (with FUSE_READDIR_PLUS). */
    FUSE_FILL_DIR_PLUS = (1 << 1)
};

/**
 * Add one directory entry in readdir(). stbuf may be NULL (only st_ino and
 * the S_IFMT bits of st_mode are used unless FUSE_FILL_DIR_PLUS). off is 0
 * when the file system lists everything in one call, otherwise the offset
 * of the next entry. Returns 1 when the buffer is full (stop), 0 otherwise.
 */
typedef int (*fuse_fill_dir_t)(void *buf, const char *name, const struct stat *stbuf, off_t off,
                               enum fuse_fill_dir_flags flags);

/**
 * Configuration set from the command line; init() may change it.
 * Timeouts are in seconds.
 */
struct fuse_config {
    int set_gid;
    unsigned int gid;
    int set_uid;
    unsigned int uid;
    int set_mode;
    unsigned int umask;
    double entry_timeout;
    double negative_timeout;
    double attr_timeout;
    int intr;
    int intr_signal;
    int remember;
    int hard_remove;
    int use_ino;
    int readdir_ino;
    int direct_io;
    int kernel_cache;
    int auto_cache;
    int no_rofd_flush;
    int ac_attr_timeout_set;
    double ac_attr_timeout;
    int nullpath_ok;
    int show_help;
    char *modules;
    int debug;
    /* LinFsp: room for later libfuse additions. */
    unsigned int reserved_linfsp[16];
};

/**
 * The file system operations. All are optional. They return 0 or a
 * negative errno (read/write: the byte count). Paths are absolute from the
 * file system root ("/dir/file"). Member order is libfuse 3's.
 */
struct fuse_operations {
    int (*getattr)(const char *, struct stat *, struct fuse_file_info *fi);
    int (*readlink)(const char *, char *, size_t);
    int (*mknod)(const char *, mode_t, dev_t);
    int (*mkdir)(const char *, mode_t);
    int (*unlink)(const char *);
    int (*rmdir)(const char *);
    int (*symlink)(const char *, const char *);
    int (*rename)(const char *, const char *, unsigned int flags);
    int (*link)(const char *, const char *);
    int (*chmod)(const char *, mode_t, struct fuse_file_info *fi);
    int (*chown)(const char *, uid_t, gid_t, struct fuse_file_info *fi);
    int (*truncate)(const char *, off_t, struct fuse_file_info *fi);
    int (*open)(const char *, struct fuse_file_info *);
    int (*read)(const char *, char *, size_t, off_t, struct fuse_file_info *);
    int (*write)(const char *, const char *, size_t, off_t, struct fuse_file_info *);
    int (*statfs)(const char *, struct statvfs *);
    int (*flush)(const char *, struct fuse_file_info *);
    int (*release)(const char *, struct fuse_file_info *);
    int (*fsync)(const char *, int, struct fuse_file_info *);
    int (*setxattr)(const char *, const char *, const char *, size_t, int);
    int (*getxattr)(const char *, const char *, char *, size_t);
    int (*listxattr)(const char *, char *, size_t);
    int (*removexattr)(const char *, const char *);
    int (*opendir)(const char *, struct fuse_file_info *);
    int (*readdir)(const char *, void *, fuse_fill_dir_t, off_t, struct fuse_file_info *,
                   enum fuse_readdir_flags);
    int (*releasedir)(const char *, struct fuse_file_info *);
    int (*fsyncdir)(const char *, int, struct fuse_file_info *);
    void *(*init)(struct fuse_conn_info *conn, struct fuse_config *cfg);
    void (*destroy)(void *private_data);
    int (*access)(const char *, int);
    int (*create)(const char *, mode_t, struct fuse_file_info *);
    int (*lock)(const char *, struct fuse_file_info *, int cmd, struct flock *);
    int (*utimens)(const char *, const struct timespec tv[2], struct fuse_file_info *fi);
    int (*bmap)(const char *, size_t blocksize, uint64_t *idx);
#if FUSE_USE_VERSION < 35
    int (*ioctl)(const char *, int cmd, void *arg, struct fuse_file_info *, unsigned int flags,
                 void *data);
#else
    int (*ioctl)(const char *, unsigned int cmd, void *arg, struct fuse_file_info *,
                 unsigned int flags, void *data);
#endif
    int (*poll)(const char *, struct fuse_file_info *, struct fuse_pollhandle *ph,
                unsigned *reventsp);
    int (*write_buf)(const char *, struct fuse_bufvec *buf, off_t off, struct fuse_file_info *);
    int (*read_buf)(const char *, struct fuse_bufvec **bufp, size_t size, off_t off,
                    struct fuse_file_info *);
    int (*flock)(const char *, struct fuse_file_info *, int op);
    int (*fallocate)(const char *, int, off_t, off_t, struct fuse_file_info *);
    ssize_t (*copy_file_range)(const char *path_in, struct fuse_file_info *fi_in, off_t offset_in,
                               const char *path_out, struct fuse_file_info *fi_out,
                               off_t offset_out, size_t size, int flags);
    off_t (*lseek)(const char *, off_t off, int whence, struct fuse_file_info *);
};

/** Who made the current request, and the file system's private data. */
struct fuse_context {
    struct fuse *fuse;
    uid_t uid;
    gid_t gid;
    pid_t pid;
    void *private_data;
    mode_t umask;
};

/** libfuse 3.17+: the version of the headers a program was built with. */
struct libfuse_version {
    uint32_t major;
    uint32_t minor;
    uint32_t hotfix;
    uint32_t padding;
};

/**
 * The whole life of a file system: parse the command line (-h, -V, -d, -f,
 * -s, -o OPTIONS, MOUNTPOINT), mount, daemonize unless -f, serve until
 * unmounted or SIGINT/SIGTERM/SIGHUP, unmount. Returns 0 on success, 1 on
 * command line errors, a non-zero value on other failures.
 */
#define fuse_main(argc, argv, op, private_data)                                                    \
    fuse_main_real(argc, argv, op, sizeof(*(op)), private_data)
int fuse_main_real(int argc, char *argv[], const struct fuse_operations *op, size_t op_size,
                   void *private_data);
/** libfuse 3.17+ spelling of fuse_main_real (version is informational). */
int fuse_main_real_versioned(int argc, char *argv[], const struct fuse_operations *op,
                             size_t op_size, struct libfuse_version *version, void *private_data);

/** Print the options fuse_new() understands. */
void fuse_lib_help(struct fuse_args *args);

/**
 * Create a file system from args (options: see fuse_lib_help; unknown
 * options are an error) and op (op_size bytes of it). Returns NULL on error.
 */
#if FUSE_USE_VERSION == 30
struct fuse *fuse_new_30(struct fuse_args *args, const struct fuse_operations *op, size_t op_size,
                         void *private_data);
#define fuse_new(args, op, size, data) fuse_new_30(args, op, size, data)
#else
struct fuse *fuse_new(struct fuse_args *args, const struct fuse_operations *op, size_t op_size,
                      void *private_data);
#endif
struct fuse *fuse_new_31(struct fuse_args *args, const struct fuse_operations *op, size_t op_size,
                         void *private_data);

/** Mount at mountpoint (an existing directory). Returns 0 or -1. */
int fuse_mount(struct fuse *f, const char *mountpoint);
/** Unmount (the file system stays usable for fuse_destroy). */
void fuse_unmount(struct fuse *f);
/** Free the file system (unmounting it if still mounted). */
void fuse_destroy(struct fuse *f);

/** Serve with one thread until fuse_exit, a signal, or unmount. Returns 0, or a negative errno. */
int fuse_loop(struct fuse *f);
/** Make fuse_loop/fuse_loop_mt return. */
void fuse_exit(struct fuse *f);

/** Serve with several threads (config may be NULL). */
#if FUSE_USE_VERSION < 32
int fuse_loop_mt_31(struct fuse *f, int clone_fd);
#define fuse_loop_mt(f, clone_fd) fuse_loop_mt_31(f, clone_fd)
#elif FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config *config);
#define fuse_loop_mt(f, config) fuse_loop_mt_32(f, config)
#else
int fuse_loop_mt(struct fuse *f, struct fuse_loop_config *config);
#endif

/** The context of the current operation (valid inside an operation, and in init/destroy). */
struct fuse_context *fuse_get_context(void);
/** Supplementary groups of the caller: not available; -ENOSYS. */
int fuse_getgroups(int size, gid_t list[]);
/** Whether the current operation was interrupted (always 0). */
int fuse_interrupted(void);
/** Drop the kernel's cached data and attributes of path. Returns 0 or a negative errno. */
int fuse_invalidate_path(struct fuse *f, const char *path);

/** libfuse's cache cleaning thread: not needed here; these do nothing. */
int fuse_start_cleanup_thread(struct fuse *fuse);
void fuse_stop_cleanup_thread(struct fuse *fuse);
int fuse_clean_cache(struct fuse *fuse);

/** Wake a poll waiter: not supported (-ENOSYS). */
int fuse_notify_poll(struct fuse_pollhandle *ph);

/** The session of a file system (for signal handlers and fuse_session_exit). */
struct fuse_session *fuse_get_session(struct fuse *f);

/** End the session's loop; whether it was ended. (libfuse declares these in fuse_lowlevel.h.) */
void fuse_session_exit(struct fuse_session *se);
int fuse_session_exited(struct fuse_session *se);
void fuse_session_reset(struct fuse_session *se);

#ifdef __cplusplus
}
#endif
#endif
