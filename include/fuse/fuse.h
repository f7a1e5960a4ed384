/*
 * include/fuse/fuse.h - LinFsp's FUSE 2.9 high-level API.
 *
 * A program written for libfuse 2.9's high-level API (FUSE_USE_VERSION
 * 26..29) builds unchanged with
 *     cc prog.c $(pkg-config --cflags --libs linfsp-fuse)
 * and runs with libfuse's command line. The layer adapts the 2.9 operations
 * to LinFsp's FUSE 3 layer, which implements them on the native API
 * (<winfsp/winfsp.h>), as WinFsp's FUSE layer does on Windows.
 *
 * Differences from libfuse 2.9 are listed in doc/fuse2.md. In short: the
 * kernel always checks permissions (access() is not called); rename flags
 * (renameat2) are refused with EINVAL as with libfuse 2.9;
 * lock/flock/poll/bmap/ioctl are not called; no low-level API, no modules
 * (fuse_fs_*), no fuse_read_cmd/fuse_process_cmd.
 */
#ifndef LINFSP_FUSE2_H_INCLUDED
#define LINFSP_FUSE2_H_INCLUDED

#include "fuse_common.h"
#include <fcntl.h>
#include <time.h>
#include <utime.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A FUSE file system instance (opaque). */
struct fuse;
struct fuse_cmd;

/**
 * Add one directory entry in readdir(). stbuf may be NULL; only st_ino and
 * the S_IFMT bits of st_mode are used. off is 0 when the file system lists
 * everything in one call, otherwise the offset of the next entry. Returns
 * 1 when the buffer is full (stop), 0 otherwise.
 */
typedef int (*fuse_fill_dir_t)(void *buf, const char *name, const struct stat *stbuf, off_t off);

/* The deprecated getdir() and its filler (type: the DT_* value, ino: the inode number). */
typedef struct fuse_dirhandle *fuse_dirh_t;
typedef int (*fuse_dirfil_t)(fuse_dirh_t h, const char *name, int type, ino_t ino);

/**
 * The file system operations (libfuse 2.9 order). All are optional. They
 * return 0 or a negative errno (read/write: the byte count). Paths are
 * absolute from the file system root ("/dir/file"). With flag_nullpath_ok
 * (or flag_nopath) the operations that take a fuse_file_info may get a NULL
 * path for a file unlinked while open (with -o hard_remove).
 */
struct fuse_operations {
    int (*getattr)(const char *, struct stat *);
    int (*readlink)(const char *, char *, size_t);
    int (*getdir)(const char *, fuse_dirh_t, fuse_dirfil_t); /* deprecated: readdir */
    int (*mknod)(const char *, mode_t, dev_t);
    int (*mkdir)(const char *, mode_t);
    int (*unlink)(const char *);
    int (*rmdir)(const char *);
    int (*symlink)(const char *, const char *);
    int (*rename)(const char *, const char *);
    int (*link)(const char *, const char *);
    int (*chmod)(const char *, mode_t);
    int (*chown)(const char *, uid_t, gid_t);
    int (*truncate)(const char *, off_t);
    int (*utime)(const char *, struct utimbuf *); /* deprecated: utimens */
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
    int (*readdir)(const char *, void *, fuse_fill_dir_t, off_t, struct fuse_file_info *);
    int (*releasedir)(const char *, struct fuse_file_info *);
    int (*fsyncdir)(const char *, int, struct fuse_file_info *);
    void *(*init)(struct fuse_conn_info *conn);
    void (*destroy)(void *);
    int (*access)(const char *, int);
    int (*create)(const char *, mode_t, struct fuse_file_info *);
    int (*ftruncate)(const char *, off_t, struct fuse_file_info *);
    int (*fgetattr)(const char *, struct stat *, struct fuse_file_info *);
    int (*lock)(const char *, struct fuse_file_info *, int cmd, struct flock *);
    int (*utimens)(const char *, const struct timespec tv[2]);
    int (*bmap)(const char *, size_t blocksize, uint64_t *idx);
    /** The operations taking a fuse_file_info accept a NULL path (unlinked open files). */
    unsigned int flag_nullpath_ok : 1;
    /** Paths are not needed by the operations taking a fuse_file_info (LinFsp passes them anyway). */
    unsigned int flag_nopath : 1;
    /** utimens() understands UTIME_OMIT (otherwise the layer fills in the current time). */
    unsigned int flag_utime_omit_ok : 1;
    unsigned int flag_reserved : 29;
    int (*ioctl)(const char *, int cmd, void *arg, struct fuse_file_info *, unsigned int flags,
                 void *data);
    int (*poll)(const char *, struct fuse_file_info *, struct fuse_pollhandle *ph,
                unsigned *reventsp);
    int (*write_buf)(const char *, struct fuse_bufvec *buf, off_t off, struct fuse_file_info *);
    int (*read_buf)(const char *, struct fuse_bufvec **bufp, size_t size, off_t off,
                    struct fuse_file_info *);
    int (*flock)(const char *, struct fuse_file_info *, int op);
    int (*fallocate)(const char *, int, off_t, off_t, struct fuse_file_info *);
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

/**
 * The whole life of a file system: parse the command line (-h, -V, -d, -f,
 * -s, -o OPTIONS, MOUNTPOINT), mount, daemonize unless -f, serve until
 * unmounted or SIGINT/SIGTERM/SIGHUP, unmount. Returns 0 on success, 1 on
 * failure.
 */
#define fuse_main(argc, argv, op, user_data) fuse_main_real(argc, argv, op, sizeof(*(op)), user_data)
int fuse_main_real(int argc, char *argv[], const struct fuse_operations *op, size_t op_size,
                   void *user_data);

/**
 * Create the file system for the channel of fuse_mount() and mount it.
 * args: the library options (see -h); unknown options are an error.
 * Returns NULL on error.
 */
struct fuse *fuse_new(struct fuse_chan *ch, struct fuse_args *args,
                      const struct fuse_operations *op, size_t op_size, void *user_data);

/** Free the file system (calling destroy()); unmounts it if fuse_unmount() was not called. */
void fuse_destroy(struct fuse *f);

/** Serve with one thread until fuse_exit, a signal, or unmount. Returns 0 or -1. */
int fuse_loop(struct fuse *f);

/** Make fuse_loop/fuse_loop_mt return. */
void fuse_exit(struct fuse *f);

/** Serve with several threads (10). Returns 0 or -1. */
int fuse_loop_mt(struct fuse *f);

/** The context of the current operation (valid inside an operation, and in init/destroy). */
struct fuse_context *fuse_get_context(void);

/** Supplementary groups of the caller: not available; -ENOSYS. */
int fuse_getgroups(int size, gid_t list[]);

/** Whether the current operation was interrupted (always 0). */
int fuse_interrupted(void);

/** Drop the kernel's cached data and attributes of path. Returns 0 or a negative errno. */
int fuse_invalidate(struct fuse *f, const char *path);

/** Whether opt is an option fuse_new() understands (deprecated). */
int fuse_is_lib_option(const char *opt);

/** libfuse's cache cleaning thread: not needed here; these do nothing. */
int fuse_start_cleanup_thread(struct fuse *fuse);
void fuse_stop_cleanup_thread(struct fuse *fuse);
int fuse_clean_cache(struct fuse *fuse);

/** Wake a poll waiter: not supported (-ENOSYS). */
int fuse_notify_poll(struct fuse_pollhandle *ph);

/**
 * fuse_main() in steps: command line, fuse_mount, fuse_new, fuse_daemonize,
 * signal handlers. *mountpoint is malloc'ed; multithreaded tells which loop
 * to run. Undo with fuse_teardown(). Returns NULL on error.
 */
struct fuse *fuse_setup(int argc, char *argv[], const struct fuse_operations *op, size_t op_size,
                        char **mountpoint, int *multithreaded, void *user_data);

/** Undo fuse_setup(): signal handlers, unmount, fuse_destroy, free(mountpoint). */
void fuse_teardown(struct fuse *fuse, char *mountpoint);

/** Whether the loop was told to end (fuse_exit, a signal). */
int fuse_exited(struct fuse *f);

/** The session of a file system (for fuse_set_signal_handlers). */
struct fuse_session *fuse_get_session(struct fuse *f);

/* libfuse 2.9 declares these in fuse_lowlevel.h; high-level programs use them with fuse_setup. */
void fuse_session_exit(struct fuse_session *se);
int fuse_session_exited(struct fuse_session *se);
void fuse_session_reset(struct fuse_session *se);

#ifdef __cplusplus
}
#endif
#endif
