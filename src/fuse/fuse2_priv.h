/*
 * src/fuse/fuse2_priv.h - the FUSE 2.9 types as fuse2.c sees them.
 *
 * fuse2.c is built on the FUSE 3 layer's internals (fuse3_priv.h), whose
 * struct fuse_operations, fuse_file_info and fuse_conn_info are FUSE 3's;
 * the 2.9 ones are mirrored here under fuse2_ names. fuse2_check.c compares
 * each mirror with include/fuse/ member by member at compile time.
 */
#ifndef LINFSP_FUSE2_PRIV_H_INCLUDED
#define LINFSP_FUSE2_PRIV_H_INCLUDED

#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <utime.h>

struct fuse_bufvec;
struct fuse_args;
struct fuse_fs;
struct fusemod_so;
struct fuse_pollhandle;
struct fuse_dirhandle;
struct flock;

/** struct fuse_file_info of include/fuse/fuse_common.h. */
struct fuse2_file_info {
    int flags;
    unsigned long fh_old;
    int writepage;
    unsigned int direct_io : 1;
    unsigned int keep_cache : 1;
    unsigned int flush : 1;
    unsigned int nonseekable : 1;
    unsigned int flock_release : 1;
    unsigned int padding : 27;
    uint64_t fh;
    uint64_t lock_owner;
};

/** struct fuse_conn_info of include/fuse/fuse_common.h. */
struct fuse2_conn_info {
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

#define FUSE2_CAP_BIG_WRITES (1 << 5)

typedef int (*fuse2_fill_dir_t)(void *buf, const char *name, const struct stat *stbuf, off_t off);
typedef int (*fuse2_dirfil_t)(struct fuse_dirhandle *h, const char *name, int type, ino_t ino);

/** struct fuse_operations of include/fuse/fuse.h. */
struct fuse2_operations {
    int (*getattr)(const char *, struct stat *);
    int (*readlink)(const char *, char *, size_t);
    int (*getdir)(const char *, struct fuse_dirhandle *, fuse2_dirfil_t);
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
    int (*utime)(const char *, struct utimbuf *);
    int (*open)(const char *, struct fuse2_file_info *);
    int (*read)(const char *, char *, size_t, off_t, struct fuse2_file_info *);
    int (*write)(const char *, const char *, size_t, off_t, struct fuse2_file_info *);
    int (*statfs)(const char *, struct statvfs *);
    int (*flush)(const char *, struct fuse2_file_info *);
    int (*release)(const char *, struct fuse2_file_info *);
    int (*fsync)(const char *, int, struct fuse2_file_info *);
    int (*setxattr)(const char *, const char *, const char *, size_t, int);
    int (*getxattr)(const char *, const char *, char *, size_t);
    int (*listxattr)(const char *, char *, size_t);
    int (*removexattr)(const char *, const char *);
    int (*opendir)(const char *, struct fuse2_file_info *);
    int (*readdir)(const char *, void *, fuse2_fill_dir_t, off_t, struct fuse2_file_info *);
    int (*releasedir)(const char *, struct fuse2_file_info *);
    int (*fsyncdir)(const char *, int, struct fuse2_file_info *);
    void *(*init)(struct fuse2_conn_info *conn);
    void (*destroy)(void *);
    int (*access)(const char *, int);
    int (*create)(const char *, mode_t, struct fuse2_file_info *);
    int (*ftruncate)(const char *, off_t, struct fuse2_file_info *);
    int (*fgetattr)(const char *, struct stat *, struct fuse2_file_info *);
    int (*lock)(const char *, struct fuse2_file_info *, int cmd, struct flock *);
    int (*utimens)(const char *, const struct timespec tv[2]);
    int (*bmap)(const char *, size_t blocksize, uint64_t *idx);
    unsigned int flag_nullpath_ok : 1;
    unsigned int flag_nopath : 1;
    unsigned int flag_utime_omit_ok : 1;
    unsigned int flag_reserved : 29;
    int (*ioctl)(const char *, int cmd, void *arg, struct fuse2_file_info *, unsigned int flags,
                 void *data);
    int (*poll)(const char *, struct fuse2_file_info *, struct fuse_pollhandle *ph,
                unsigned *reventsp);
    int (*write_buf)(const char *, struct fuse_bufvec *buf, off_t off, struct fuse2_file_info *);
    int (*read_buf)(const char *, struct fuse_bufvec **bufp, size_t size, off_t off,
                    struct fuse2_file_info *);
    int (*flock)(const char *, struct fuse2_file_info *, int op);
    int (*fallocate)(const char *, int, off_t, off_t, struct fuse2_file_info *);
};

/** struct fuse_module of include/fuse/fuse.h (fuse_register_module). */
struct fuse2_module {
    const char *name;
    struct fuse_fs *(*factory)(struct fuse_args *args, struct fuse_fs *fs[]);
    struct fuse2_module *next;
    struct fusemod_so *so;
    int ctr;
};

#endif
