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
 * Differences from libfuse 2.9 are listed in doc/fuse2.md. In short: times
 * have 100 ns resolution; bmap is not called; no low-level API, no compat
 * APIs from before 2.6, no fuse_read_cmd/fuse_process_cmd (the engine owns
 * the kernel channel).
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

/** The supplementary groups of the caller (from /proc/PID/status): how many, or a negative errno. */
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

/** Wake the poll(2) waiting on the file a poll operation kept ph for. 0 or a negative errno. */
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

/* ---- the stacking API ---- */

/** One layer of operations in the file system stack (opaque). */
struct fuse_fs;

/*
 * Call the layer's operation (with the layer's private data as the context's private_data)
 * and return its result. A missing operation gives -ENOSYS, except open, release, opendir,
 * releasedir and statfs, which succeed.
 */
int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf);
int fuse_fs_fgetattr(struct fuse_fs *fs, const char *path, struct stat *buf,
                     struct fuse_file_info *fi);
int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath, const char *newpath);
int fuse_fs_unlink(struct fuse_fs *fs, const char *path);
int fuse_fs_rmdir(struct fuse_fs *fs, const char *path);
int fuse_fs_symlink(struct fuse_fs *fs, const char *linkname, const char *path);
int fuse_fs_link(struct fuse_fs *fs, const char *oldpath, const char *newpath);
int fuse_fs_release(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi);
int fuse_fs_open(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi);
int fuse_fs_read(struct fuse_fs *fs, const char *path, char *buf, size_t size, off_t off,
                 struct fuse_file_info *fi);
int fuse_fs_read_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec **bufp, size_t size,
                     off_t off, struct fuse_file_info *fi);
int fuse_fs_write(struct fuse_fs *fs, const char *path, const char *buf, size_t size, off_t off,
                  struct fuse_file_info *fi);
int fuse_fs_write_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec *buf, off_t off,
                      struct fuse_file_info *fi);
int fuse_fs_fsync(struct fuse_fs *fs, const char *path, int datasync, struct fuse_file_info *fi);
int fuse_fs_flush(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi);
int fuse_fs_statfs(struct fuse_fs *fs, const char *path, struct statvfs *buf);
int fuse_fs_opendir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi);
int fuse_fs_readdir(struct fuse_fs *fs, const char *path, void *buf, fuse_fill_dir_t filler,
                    off_t off, struct fuse_file_info *fi);
int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
                     struct fuse_file_info *fi);
int fuse_fs_releasedir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi);
int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode, struct fuse_file_info *fi);
int fuse_fs_lock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi, int cmd,
                 struct flock *lock);
int fuse_fs_flock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi, int op);
int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode);
int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid);
int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size);
int fuse_fs_ftruncate(struct fuse_fs *fs, const char *path, off_t size, struct fuse_file_info *fi);
int fuse_fs_utimens(struct fuse_fs *fs, const char *path, const struct timespec tv[2]);
int fuse_fs_access(struct fuse_fs *fs, const char *path, int mask);
int fuse_fs_readlink(struct fuse_fs *fs, const char *path, char *buf, size_t len);
int fuse_fs_mknod(struct fuse_fs *fs, const char *path, mode_t mode, dev_t rdev);
int fuse_fs_mkdir(struct fuse_fs *fs, const char *path, mode_t mode);
int fuse_fs_setxattr(struct fuse_fs *fs, const char *path, const char *name, const char *value,
                     size_t size, int flags);
int fuse_fs_getxattr(struct fuse_fs *fs, const char *path, const char *name, char *value,
                     size_t size);
int fuse_fs_listxattr(struct fuse_fs *fs, const char *path, char *list, size_t size);
int fuse_fs_removexattr(struct fuse_fs *fs, const char *path, const char *name);
int fuse_fs_bmap(struct fuse_fs *fs, const char *path, size_t blocksize, uint64_t *idx);
int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, int cmd, void *arg,
                  struct fuse_file_info *fi, unsigned int flags, void *data);
int fuse_fs_poll(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi,
                 struct fuse_pollhandle *ph, unsigned *reventsp);
int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode, off_t offset, off_t length,
                      struct fuse_file_info *fi);
/** The layer's init (its result becomes its private data) and destroy (which frees the layer). */
void fuse_fs_init(struct fuse_fs *fs, struct fuse_conn_info *conn);
void fuse_fs_destroy(struct fuse_fs *fs);

/** A new layer with op (op_size bytes of it) and user_data; NULL when out of memory. */
struct fuse_fs *fuse_fs_new(const struct fuse_operations *op, size_t op_size, void *user_data);

/**
 * A module: -o modules=NAME pushes the layer its factory makes (from args, which it may
 * take its options out of, above fs[0]) on the stack. subdir and iconv are built in.
 */
struct fuse_module {
    const char *name;
    struct fuse_fs *(*factory)(struct fuse_args *args, struct fuse_fs *fs[]);
    struct fuse_module *next;
    struct fusemod_so *so;
    int ctr;
};

/** Make mod known to -o modules= (FUSE_REGISTER_MODULE's libraries need not call it). */
void fuse_register_module(struct fuse_module *mod);

/** Define the module of a shared library libfusemod_NAME.so (found by -o modules=NAME). */
#define FUSE_REGISTER_MODULE(name_, factory_)                                                      \
    struct fuse_module fuse_fusemod_##name_##_module = {#name_, factory_, NULL, NULL, 0};

#ifdef __cplusplus
}
#endif
#endif
