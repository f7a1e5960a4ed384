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
 * Differences from libfuse are listed in doc/fuse3.md: times have 100 ns
 * resolution, bmap/copy_file_range/lseek are not called (the kernel does
 * without them), write_buf/read_buf are used when write/read are missing
 * and the other way round. There is no low-level API (fuse_lowlevel.h holds
 * what high-level programs use of it).
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
/** The supplementary groups of the caller (from /proc/PID/status): how many, or a negative errno. */
int fuse_getgroups(int size, gid_t list[]);
/** Whether the current operation was interrupted (always 0). */
int fuse_interrupted(void);
/** Drop the kernel's cached data and attributes of path. Returns 0 or a negative errno. */
int fuse_invalidate_path(struct fuse *f, const char *path);

/** libfuse's cache cleaning thread: not needed here; these do nothing. */
int fuse_start_cleanup_thread(struct fuse *fuse);
void fuse_stop_cleanup_thread(struct fuse *fuse);
int fuse_clean_cache(struct fuse *fuse);

/** Wake the poll(2) waiting on the file a poll operation kept ph for. 0 or a negative errno. */
int fuse_notify_poll(struct fuse_pollhandle *ph);

/** The session of a file system (for signal handlers, fuse_session_exit, fuse_session_fd). */
struct fuse_session *fuse_get_session(struct fuse *f);

/**
 * Open a /dev/fuse descriptor and mount it at mountpoint with options (mount options, as
 * -o takes them). Returns the descriptor, for a file system to serve as "/dev/fd/N"
 * (mount.fuse3 -o drop_privileges), or -1.
 */
int fuse_open_channel(const char *mountpoint, const char *options);

/* ---- the stacking API ---- */

/** One layer of operations in the file system stack (opaque). */
struct fuse_fs;

/*
 * Call the layer's operation (with the layer's private data as the context's private_data)
 * and return its result. A missing operation gives -ENOSYS, except open, release, opendir,
 * releasedir and statfs, which succeed (statfs with a 255-byte name limit).
 */
int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf,
                    struct fuse_file_info *fi);
int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath, const char *newpath,
                   unsigned int flags);
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
                    off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags);
int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
                     struct fuse_file_info *fi);
int fuse_fs_releasedir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi);
int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode, struct fuse_file_info *fi);
int fuse_fs_lock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi, int cmd,
                 struct flock *lock);
int fuse_fs_flock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi, int op);
int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode, struct fuse_file_info *fi);
int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid,
                  struct fuse_file_info *fi);
int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size, struct fuse_file_info *fi);
int fuse_fs_utimens(struct fuse_fs *fs, const char *path, const struct timespec tv[2],
                    struct fuse_file_info *fi);
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
#if FUSE_USE_VERSION < 35
int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, int cmd, void *arg,
                  struct fuse_file_info *fi, unsigned int flags, void *data);
#else
int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, unsigned int cmd, void *arg,
                  struct fuse_file_info *fi, unsigned int flags, void *data);
#endif
int fuse_fs_poll(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi,
                 struct fuse_pollhandle *ph, unsigned *reventsp);
int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode, off_t offset, off_t length,
                      struct fuse_file_info *fi);
ssize_t fuse_fs_copy_file_range(struct fuse_fs *fs, const char *path_in,
                                struct fuse_file_info *fi_in, off_t off_in, const char *path_out,
                                struct fuse_file_info *fi_out, off_t off_out, size_t len,
                                int flags);
off_t fuse_fs_lseek(struct fuse_fs *fs, const char *path, off_t off, int whence,
                    struct fuse_file_info *fi);
/** The layer's init (its result becomes its private data) and destroy (which frees the layer). */
void fuse_fs_init(struct fuse_fs *fs, struct fuse_conn_info *conn, struct fuse_config *cfg);
void fuse_fs_destroy(struct fuse_fs *fs);

/** A new layer with op (op_size bytes of it) and private_data; NULL when out of memory. */
struct fuse_fs *fuse_fs_new(const struct fuse_operations *op, size_t op_size, void *private_data);

/**
 * A module's factory: take the module's options out of args, return the new layer above
 * fs[0] (fs holds exactly one layer and a NULL), or NULL.
 */
typedef struct fuse_fs *(*fuse_module_factory_t)(struct fuse_args *args, struct fuse_fs *fs[]);

/**
 * Define a module in a shared library libfusemod_NAME.so (on the library path): -o
 * modules=NAME loads it and pushes its layer. LinFsp has subdir and iconv built in.
 */
#define FUSE_REGISTER_MODULE(name_, factory_)                                                      \
    fuse_module_factory_t fuse_module_##name_##_factory = factory_

/** End the session's loop; whether it was ended. (libfuse declares these in fuse_lowlevel.h.) */
void fuse_session_exit(struct fuse_session *se);
int fuse_session_exited(struct fuse_session *se);
void fuse_session_reset(struct fuse_session *se);

#ifdef __cplusplus
}
#endif
#endif
