/*
 * src/fuse/fuse2.c - LinFsp's FUSE 2.9 high-level API (liblinfsp-fuse.so.2),
 * an adapter on top of the FUSE 3 layer.
 *
 * The library holds the FUSE 3 layer's sources too, compiled with private
 * names (fuse2_rename.h). A 2.9 file system's operations are wrapped in a
 * FUSE 3 struct fuse_operations of trampolines, each converting what
 * differs: struct fuse_file_info (the 2.9 layout) in and out, getattr vs
 * fgetattr, truncate vs ftruncate, utimens (UTIME_OMIT without
 * flag_utime_omit_ok; utime fallback), readdir's filler (offset-based) or
 * the deprecated getdir, rename without flags, init's fuse_conn_info. The
 * FUSE 3 layer then serves them through the native API.
 *
 * Life cycle, as in libfuse 2.9: fuse_mount(mountpoint, args) takes the
 * mount options out of args into a struct fuse_chan; fuse_new(ch, args,
 * ...) creates the FUSE 3 instance from both and mounts it (the native
 * mount needs the operations, so it happens here); fuse_unmount(mountpoint,
 * ch) unmounts; fuse_destroy frees. The channel lives until both
 * fuse_unmount and fuse_destroy have let it go.
 */
#include "fuse3_priv.h"
#define FUSE2_UNRENAME
#include "fuse2_rename.h" /* from here, the 2.9 names are ours; FUSE 3's are fuse3_impl_* */
#undef FUSE2_UNRENAME
#include "fuse2_priv.h"
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUSE2_API __attribute__((visibility("default")))

struct fuse_chan {
    char *mountpoint;
    char *mount_opts;   /* the mount options fuse_mount took out of args */
    bool read_only;     /* -o ro */
    FSP_FILE_SYSTEM *fs; /* mounted by fuse_mount, until fuse_new takes it over */
    struct fuse *f;     /* set by fuse_new, cleared by fuse_destroy */
    int refs;           /* fuse_mount's (dropped by fuse_unmount) and fuse_new's (fuse_destroy) */
};

/** What a FUSE 3 struct fuse carries for the 2.9 API (f->compat). */
struct fuse2_state {
    struct fuse2_operations ops;
    struct fuse_chan *ch;
};

static void chan_put(struct fuse_chan *ch)
{
    if (--ch->refs > 0)
        return;
    if (ch->fs) /* mounted, never taken over */
        fuse3_unmount_native(ch->fs);
    free(ch->mountpoint);
    free(ch->mount_opts);
    free(ch);
}

/* ---- the trampolines ---- */

/* The 2.9 operations of the stack layer whose operation runs (fuse_fs_* record it). */
static const struct fuse2_operations *ops2(void)
{
    return fuse3_current_fs()->compat;
}

static void fi_to2(const struct fuse_file_info *fi, struct fuse2_file_info *fi2)
{
    memset(fi2, 0, sizeof *fi2);
    fi2->flags = fi->flags;
    fi2->writepage = fi->writepage;
    fi2->direct_io = fi->direct_io;
    fi2->keep_cache = fi->keep_cache;
    fi2->flush = fi->flush;
    fi2->nonseekable = fi->nonseekable;
    fi2->flock_release = fi->flock_release;
    fi2->fh = fi->fh;
    fi2->lock_owner = fi->lock_owner;
}

static void fi_from2(const struct fuse2_file_info *fi2, struct fuse_file_info *fi)
{
    fi->fh = fi2->fh;
    fi->direct_io = fi2->direct_io;
    fi->keep_cache = fi2->keep_cache;
    fi->nonseekable = fi2->nonseekable;
}

/*
 * Call a 2.9 operation with a fuse_file_info: the FUSE 3 one converted in
 * and back. A NULL path (an unlinked open file with hard_remove) reaches
 * the file system only with flag_nullpath_ok or flag_nopath; otherwise
 * ENOENT, as libfuse 2.9 does.
 */
#define CALL_FI(o, path, fi, call)                                                                 \
    ({                                                                                             \
        int r_;                                                                                    \
        if (!(path) && !(o)->flag_nullpath_ok && !(o)->flag_nopath)                                \
            r_ = -ENOENT;                                                                          \
        else {                                                                                     \
            struct fuse2_file_info fi2_;                                                           \
            fi_to2(fi, &fi2_);                                                                     \
            struct fuse2_file_info *fi2 = &fi2_;                                                   \
            r_ = (call);                                                                           \
            fi_from2(&fi2_, fi);                                                                   \
        }                                                                                          \
        r_;                                                                                        \
    })

static int t_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    if (fi && o->fgetattr)
        return CALL_FI(o, path, fi, o->fgetattr(path, st, fi2));
    if (!path)
        return -ENOENT;
    return o->getattr ? o->getattr(path, st) : -ENOSYS;
}

static int t_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags)
        return -EINVAL; /* no renameat2 flags in the 2.9 API (libfuse 2.9 answers the same) */
    const struct fuse2_operations *o = ops2();
    return o->rename(from, to);
}

static int t_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)fi;
    return path ? ops2()->chmod(path, mode) : -ENOENT;
}

static int t_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    (void)fi;
    return path ? ops2()->chown(path, uid, gid) : -ENOENT;
}

static int t_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    if (fi && o->ftruncate)
        return CALL_FI(o, path, fi, o->ftruncate(path, size, fi2));
    if (!path)
        return -ENOENT;
    return o->truncate ? o->truncate(path, size) : -ENOSYS;
}

static int t_open(const char *path, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->open(path, fi2));
}

static int t_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->read(path, buf, size, off, fi2));
}

static int t_write(const char *path, const char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->write(path, buf, size, off, fi2));
}

static int t_flush(const char *path, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->flush(path, fi2));
}

static int t_release(const char *path, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->release(path, fi2));
}

static int t_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->fsync(path, datasync, fi2));
}

static int t_opendir(const char *path, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->opendir(path, fi2));
}

/*
 * readdir: the 2.9 filler collects the entries; they go to the FUSE 3
 * layer's filler once readdir has returned. Given without
 * FUSE_FILL_DIR_PLUS, the entries go without attributes (as libfuse 2.9 has
 * no READDIRPLUS), and that layer asks getattr only for an entry given
 * without a file type, which a file system may not answer while it holds its
 * own lock in readdir (libfuse's filler never calls back).
 */
struct dir2_entry {
    char *name;
    struct stat st;
    bool has_st;
    off_t off;
};

struct fill2_ctx {
    struct dir2_entry *v;
    size_t n, cap;
    bool oom;
};

static int add_entry(struct fill2_ctx *c, const char *name, const struct stat *stbuf, off_t off)
{
    if (c->oom || !name)
        return c->oom;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct dir2_entry *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return c->oom = true;
        c->v = v, c->cap = cap;
    }
    struct dir2_entry *e = &c->v[c->n];
    if (!(e->name = strdup(name)))
        return c->oom = true;
    e->has_st = stbuf != 0;
    if (stbuf)
        e->st = *stbuf;
    e->off = off;
    c->n++;
    return 0;
}

static int fill2(void *buf, const char *name, const struct stat *stbuf, off_t off)
{
    return add_entry(buf, name, stbuf, off);
}

/* getdir: the deprecated filler (a DT_* type and an inode number). */
struct fuse_dirhandle {
    struct fill2_ctx c;
};

static int dirfil2(struct fuse_dirhandle *h, const char *name, int type, ino_t ino)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_ino = ino;
    st.st_mode = (mode_t)type << 12;
    return add_entry(&h->c, name, &st, 0) ? -ENOMEM : 0;
}

/* Hand the collected entries to the FUSE 3 filler and free them. */
static int flush_entries(struct fill2_ctx *c, int err, void *buf, fuse_fill_dir_t filler)
{
    bool full = false;
    for (size_t i = 0; i < c->n; i++) {
        if (!err && !c->oom && !full)
            full = 0 != filler(buf, c->v[i].name, c->v[i].has_st ? &c->v[i].st : 0, c->v[i].off, 0);
        free(c->v[i].name);
    }
    free(c->v);
    return err ? err : c->oom ? -ENOMEM : 0;
}

static int t_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)flags; /* the 2.9 filler's stat is never complete: entries go without FUSE_FILL_DIR_PLUS */
    const struct fuse2_operations *o = ops2();
    if (o->readdir) {
        struct fill2_ctx c = {0, 0, 0, false};
        int err = CALL_FI(o, path, fi, o->readdir(path, &c, fill2, off, fi2));
        return flush_entries(&c, err < 0 ? err : 0, buf, filler);
    }
    if (!path)
        return -ENOENT;
    struct fuse_dirhandle h = {{0, 0, 0, false}};
    int err = o->getdir(path, &h, dirfil2);
    return flush_entries(&h.c, err < 0 ? err : 0, buf, filler);
}

static int t_releasedir(const char *path, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->releasedir(path, fi2));
}

static int t_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->fsyncdir(path, datasync, fi2));
}

static void *t_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    const struct fuse2_operations *o = ops2();
    /* The capabilities both APIs know (bits 0..11 are the same). */
    const unsigned common = FUSE_CAP_ASYNC_READ | FUSE_CAP_POSIX_LOCKS | FUSE_CAP_ATOMIC_O_TRUNC |
                            FUSE_CAP_EXPORT_SUPPORT | FUSE_CAP_DONT_MASK | FUSE_CAP_SPLICE_WRITE |
                            FUSE_CAP_SPLICE_MOVE | FUSE_CAP_SPLICE_READ | FUSE_CAP_FLOCK_LOCKS |
                            FUSE_CAP_IOCTL_DIR;
    struct fuse2_conn_info c2;
    memset(&c2, 0, sizeof c2);
    c2.proto_major = conn->proto_major;
    c2.proto_minor = conn->proto_minor;
    c2.async_read = !!(conn->want & FUSE_CAP_ASYNC_READ);
    c2.max_write = conn->max_write;
    c2.max_readahead = conn->max_readahead;
    c2.capable = (conn->capable & common) | FUSE2_CAP_BIG_WRITES;
    /* libfuse 2.9 asks for atomic O_TRUNC only when the file system does (otherwise the open
     * is followed by a truncate); the rest of the defaults are FUSE 3's. */
    c2.want = (conn->want & common & ~(unsigned)FUSE_CAP_ATOMIC_O_TRUNC) | FUSE2_CAP_BIG_WRITES;
    c2.max_background = conn->max_background;
    c2.congestion_threshold = conn->congestion_threshold;
    void *data = o->init ? o->init(&c2) : fuse3_context()->private_data;
    conn->want = (conn->want & ~common) | (c2.want & common & conn->capable);
    if (!c2.async_read)
        conn->want &= ~(unsigned)FUSE_CAP_ASYNC_READ;
    if (c2.max_write && c2.max_write < conn->max_write)
        conn->max_write = c2.max_write;
    conn->max_readahead = c2.max_readahead;
    conn->max_background = c2.max_background;
    conn->congestion_threshold = c2.congestion_threshold;
    cfg->nullpath_ok = o->flag_nullpath_ok || o->flag_nopath;
    return data;
}

static int t_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->create(path, mode, fi2));
}

static int t_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    if (!path)
        return -ENOENT; /* 2.9's utimens/utime take a path only */
    struct timespec t[2] = {tv[0], tv[1]};
    bool omit = UTIME_OMIT == t[0].tv_nsec || UTIME_OMIT == t[1].tv_nsec;
    if (omit && (!o->utimens || !o->flag_utime_omit_ok)) {
        /* The file system cannot leave a time alone: give it the current value. */
        struct stat st;
        memset(&st, 0, sizeof st);
        int err = t_getattr(path, &st, fi);
        if (err < 0)
            return err;
        if (UTIME_OMIT == t[0].tv_nsec)
            t[0] = st.st_atim;
        if (UTIME_OMIT == t[1].tv_nsec)
            t[1] = st.st_mtim;
    }
    if (o->utimens)
        return o->utimens(path, t);
    struct utimbuf ub = {t[0].tv_sec, t[1].tv_sec};
    return o->utime(path, &ub);
}

static int t_write_buf(const char *path, struct fuse_bufvec *buf, off_t off,
                       struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->write_buf(path, buf, off, fi2));
}

static int t_read_buf(const char *path, struct fuse_bufvec **bufp, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->read_buf(path, bufp, size, off, fi2));
}

static int t_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->fallocate(path, mode, off, len, fi2));
}

static int t_lock(const char *path, struct fuse_file_info *fi, int cmd, struct flock *lock)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->lock(path, fi2, cmd, lock));
}

static int t_flock(const char *path, struct fuse_file_info *fi, int op)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->flock(path, fi2, op));
}

static int t_ioctl(const char *path, unsigned int cmd, void *arg, struct fuse_file_info *fi,
                   unsigned int flags, void *data)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->ioctl(path, (int)cmd, arg, fi2, flags, data));
}

static int t_poll(const char *path, struct fuse_file_info *fi, struct fuse_pollhandle *ph,
                  unsigned *reventsp)
{
    const struct fuse2_operations *o = ops2();
    return CALL_FI(o, path, fi, o->poll(path, fi2, ph, reventsp));
}

/*
 * The FUSE 3 table for a 2.9 one: an entry only where the 2.9 file system
 * has the operation (the FUSE 3 layer looks at which ones exist). The
 * operations whose signatures did not change are used directly.
 */
static void ops3_of(const struct fuse2_operations *o, struct fuse_operations *o3)
{
    memset(o3, 0, sizeof *o3);
    if (o->getattr || o->fgetattr)
        o3->getattr = t_getattr;
    o3->readlink = o->readlink;
    o3->mknod = o->mknod;
    o3->mkdir = o->mkdir;
    o3->unlink = o->unlink;
    o3->rmdir = o->rmdir;
    o3->symlink = o->symlink;
    if (o->rename)
        o3->rename = t_rename;
    o3->link = o->link;
    if (o->chmod)
        o3->chmod = t_chmod;
    if (o->chown)
        o3->chown = t_chown;
    if (o->truncate || o->ftruncate)
        o3->truncate = t_truncate;
    if (o->open)
        o3->open = t_open;
    if (o->read)
        o3->read = t_read;
    if (o->write)
        o3->write = t_write;
    o3->statfs = o->statfs;
    if (o->flush)
        o3->flush = t_flush;
    if (o->release)
        o3->release = t_release;
    if (o->fsync)
        o3->fsync = t_fsync;
    o3->setxattr = o->setxattr;
    o3->getxattr = o->getxattr;
    o3->listxattr = o->listxattr;
    o3->removexattr = o->removexattr;
    if (o->opendir)
        o3->opendir = t_opendir;
    if (o->readdir || o->getdir)
        o3->readdir = t_readdir;
    if (o->releasedir)
        o3->releasedir = t_releasedir;
    if (o->fsyncdir)
        o3->fsyncdir = t_fsyncdir;
    o3->init = t_init; /* always: it sets the 2.9 defaults (see t_init) */
    o3->destroy = o->destroy;
    o3->access = o->access;
    if (o->create)
        o3->create = t_create;
    if (o->utimens || o->utime)
        o3->utimens = t_utimens;
    if (o->write_buf)
        o3->write_buf = t_write_buf;
    if (o->read_buf)
        o3->read_buf = t_read_buf;
    if (o->fallocate)
        o3->fallocate = t_fallocate;
    if (o->lock)
        o3->lock = t_lock;
    if (o->flock)
        o3->flock = t_flock;
    if (o->ioctl)
        o3->ioctl = t_ioctl;
    if (o->poll)
        o3->poll = t_poll;
    o3->bmap = o->bmap;
}

/* ---- mounting ---- */

enum { KEY2_MOUNT = 300, KEY2_DROP };

/* The options fuse_mount takes out of args (libfuse 2.9's mount options). */
static const struct fuse_opt mount_opts2[] = {
    FUSE_OPT_KEY("allow_other", KEY2_MOUNT),
    FUSE_OPT_KEY("allow_root", KEY2_MOUNT),
    FUSE_OPT_KEY("auto_unmount", KEY2_MOUNT),
    FUSE_OPT_KEY("default_permissions", KEY2_MOUNT),
    FUSE_OPT_KEY("fsname=", KEY2_MOUNT),
    FUSE_OPT_KEY("subtype=", KEY2_MOUNT),
    FUSE_OPT_KEY("max_read=", KEY2_MOUNT),
    FUSE_OPT_KEY("ro", KEY2_MOUNT),
    FUSE_OPT_KEY("rw", KEY2_MOUNT),
    FUSE_OPT_KEY("suid", KEY2_MOUNT),
    FUSE_OPT_KEY("nosuid", KEY2_MOUNT),
    FUSE_OPT_KEY("dev", KEY2_MOUNT),
    FUSE_OPT_KEY("nodev", KEY2_MOUNT),
    FUSE_OPT_KEY("exec", KEY2_MOUNT),
    FUSE_OPT_KEY("noexec", KEY2_MOUNT),
    FUSE_OPT_KEY("async", KEY2_MOUNT),
    FUSE_OPT_KEY("sync", KEY2_MOUNT),
    FUSE_OPT_KEY("dirsync", KEY2_MOUNT),
    FUSE_OPT_KEY("atime", KEY2_MOUNT),
    FUSE_OPT_KEY("noatime", KEY2_MOUNT),
    FUSE_OPT_KEY("relatime", KEY2_MOUNT),
    /* 2.9 mount options the engine has no use for */
    FUSE_OPT_KEY("nonempty", KEY2_DROP),
    FUSE_OPT_KEY("blkdev", KEY2_DROP),
    FUSE_OPT_KEY("blksize=", KEY2_DROP),
    FUSE_OPT_KEY("large_read", KEY2_DROP),
    FUSE_OPT_KEY("user=", KEY2_DROP),
    FUSE_OPT_KEY("context=", KEY2_DROP),
    FUSE_OPT_KEY("fscontext=", KEY2_DROP),
    FUSE_OPT_KEY("defcontext=", KEY2_DROP),
    FUSE_OPT_KEY("rootcontext=", KEY2_DROP),
    FUSE_OPT_END,
};

static int mount_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)outargs;
    struct fuse_chan *ch = data;
    switch (key) {
    case KEY2_MOUNT:
        if (0 == strcmp(arg, "ro") || 0 == strcmp(arg, "rw"))
            ch->read_only = 'o' == arg[1];
        return -1 == fuse_opt_add_opt(&ch->mount_opts, arg) ? -1 : 0;
    case KEY2_DROP:
        return 0;
    default:
        return 1;
    }
}

FUSE2_API struct fuse_chan *fuse_mount(const char *mountpoint, struct fuse_args *args)
{
    if (!mountpoint) {
        fuse3_log_error("fuse: missing mountpoint parameter\n");
        return 0;
    }
    struct stat st;
    unsigned fdn;
    char rest;
    bool given_fd = 1 == sscanf(mountpoint, "/dev/fd/%u%c", &fdn, &rest);
    if (!given_fd && (stat(mountpoint, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))) {
        fuse3_log_error("fuse: bad mount point `%s': %s\n", mountpoint,
                        stat(mountpoint, &st) < 0 ? strerror(errno) : "Not a directory");
        return 0;
    }
    struct fuse_chan *ch = calloc(1, sizeof *ch);
    if (!ch || !(ch->mountpoint = strdup(mountpoint))) {
        free(ch);
        fuse3_log_error("fuse: out of memory\n");
        return 0;
    }
    ch->refs = 1;
    if (args && -1 == fuse_opt_parse(args, ch, mount_opts2, mount_proc)) {
        chan_put(ch);
        return 0;
    }
    /* libfuse 2.9 mounts here, and programs use the channel's descriptor before fuse_new
     * (fuse_chan_fd); the operations arrive with fuse_new, which takes the mount over. */
    FSP_FSCTL_VOLUME_PARAMS vp;
    fuse3_base_volume_params(&vp, ch->read_only);
    ch->fs = fuse3_mount_native(&vp, &fuse3_interface, ch->mount_opts, 0, 0, mountpoint, false);
    if (!ch->fs) {
        chan_put(ch);
        return 0;
    }
    return ch;
}

FUSE2_API int fuse_chan_fd(struct fuse_chan *ch)
{
    FSP_FILE_SYSTEM *fs = !ch ? 0 : ch->fs ? ch->fs : ch->f ? ch->f->fs : 0;
    return fs ? FspFileSystemDeviceDescriptor(fs) : -1;
}

FUSE2_API size_t fuse_chan_bufsize(struct fuse_chan *ch)
{
    (void)ch;
    return 1024 * 1024 + 4096; /* the engine's request buffer: 1 MiB of data and the header */
}

FUSE2_API struct fuse_session *fuse_chan_session(struct fuse_chan *ch)
{
    return ch && ch->f ? fuse3_impl_fuse_get_session(ch->f) : 0;
}

FUSE2_API struct fuse_chan *fuse_session_next_chan(struct fuse_session *se, struct fuse_chan *ch)
{
    if (!se || ch || !se->f || !se->f->compat)
        return 0;
    return ((struct fuse2_state *)se->f->compat)->ch;
}

FUSE2_API void fuse_unmount(const char *mountpoint, struct fuse_chan *ch)
{
    (void)mountpoint;
    if (!ch)
        return;
    if (ch->f)
        fuse3_impl_fuse_unmount(ch->f);
    else if (ch->fs) {
        fuse3_unmount_native(ch->fs);
        ch->fs = 0;
    }
    chan_put(ch);
}

/* ---- the file system ---- */

/* 2.9 library and session options the FUSE 3 layer does not know: accepted, no effect. */
static const struct fuse_opt lib_opts2[] = {
    FUSE_OPT_KEY("big_writes", KEY2_DROP),
    FUSE_OPT_KEY("nopath", KEY2_DROP),
    FUSE_OPT_KEY("nonempty", KEY2_DROP),
    FUSE_OPT_END,
};

static int lib_proc2(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data, (void)arg, (void)outargs;
    return KEY2_DROP == key ? 0 : 1;
}

FUSE2_API struct fuse *fuse_new(struct fuse_chan *ch, struct fuse_args *args,
                                const struct fuse2_operations *op, size_t op_size, void *user_data)
{
    if (!ch || ch->f) {
        fuse3_log_error("fuse: fuse_new needs a channel from fuse_mount\n");
        return 0;
    }
    struct fuse2_state *s = calloc(1, sizeof *s);
    if (!s) {
        fuse3_log_error("fuse: out of memory\n");
        return 0;
    }
    if (op_size > sizeof s->ops) {
        fuse3_log_error("fuse: warning: library too old, some operations may not work\n");
        op_size = sizeof s->ops;
    }
    if (op)
        memcpy(&s->ops, op, op_size);
    struct fuse_operations o3;
    ops3_of(&s->ops, &o3);
    /* The FUSE 3 layer's fuse_new gets the library options and the mount options together. */
    struct fuse_args a = FUSE_ARGS_INIT(0, 0);
    bool ok = 0 == fuse_opt_add_arg(&a, args && args->argc > 0 && args->argv[0] ? args->argv[0] : "fuse");
    for (int i = 1; ok && args && i < args->argc; i++)
        ok = 0 == fuse_opt_add_arg(&a, args->argv[i]);
    if (ok && ch->mount_opts)
        ok = 0 == fuse_opt_add_arg(&a, "-o") && 0 == fuse_opt_add_arg(&a, ch->mount_opts);
    struct fuse *f = 0;
    if (ok && -1 != fuse_opt_parse(&a, 0, lib_opts2, lib_proc2))
        f = fuse3_impl_fuse_new(&a, &o3, sizeof o3, user_data);
    fuse_opt_free_args(&a);
    if (!f) {
        free(s);
        return 0;
    }
    f->compat = s;
    f->chain[0]->compat = &s->ops; /* the trampolines' 2.9 operations */
    if (!ch->fs) {
        fuse3_log_error("fuse: the channel is not mounted\n");
        fuse3_impl_fuse_destroy(f);
        free(s);
        return 0;
    }
    fuse3_adopt_mount(f, ch->fs, ch->mountpoint);
    ch->fs = 0;
    s->ch = ch;
    ch->f = f;
    ch->refs++;
    return f;
}

FUSE2_API void fuse_destroy(struct fuse *f)
{
    if (!f)
        return;
    struct fuse2_state *s = f->compat;
    fuse3_impl_fuse_destroy(f);
    if (s && s->ch) {
        s->ch->f = 0;
        chan_put(s->ch);
    }
    free(s);
}

FUSE2_API int fuse_loop(struct fuse *f)
{
    return fuse3_impl_fuse_loop(f) < 0 ? -1 : 0; /* a signal ends 2.9's loop cleanly */
}

FUSE2_API int fuse_loop_mt(struct fuse *f)
{
    return fuse3_impl_fuse_loop_mt(f, 0) < 0 ? -1 : 0;
}

FUSE2_API int fuse_session_loop(struct fuse_session *se)
{
    return se && se->f ? fuse_loop(se->f) : -1;
}

FUSE2_API int fuse_session_loop_mt(struct fuse_session *se)
{
    return se && se->f ? fuse_loop_mt(se->f) : -1;
}

FUSE2_API void fuse_exit(struct fuse *f)
{
    fuse3_impl_fuse_exit(f);
}

FUSE2_API int fuse_exited(struct fuse *f)
{
    return f ? __atomic_load_n(&f->se.exited, __ATOMIC_ACQUIRE) : 1;
}

FUSE2_API struct fuse_session *fuse_get_session(struct fuse *f)
{
    return fuse3_impl_fuse_get_session(f);
}

FUSE2_API void fuse_session_exit(struct fuse_session *se)
{
    fuse3_impl_fuse_session_exit(se);
}

FUSE2_API int fuse_session_exited(struct fuse_session *se)
{
    return fuse3_impl_fuse_session_exited(se);
}

FUSE2_API void fuse_session_reset(struct fuse_session *se)
{
    fuse3_impl_fuse_session_reset(se);
}

FUSE2_API struct fuse_context *fuse_get_context(void)
{
    return fuse3_impl_fuse_get_context(); /* the same layout in 2.9 and 3 */
}

FUSE2_API int fuse_getgroups(int size, gid_t list[])
{
    return fuse3_impl_fuse_getgroups(size, list);
}

FUSE2_API int fuse_interrupted(void)
{
    return fuse3_impl_fuse_interrupted();
}

FUSE2_API int fuse_invalidate(struct fuse *f, const char *path)
{
    return fuse3_impl_fuse_invalidate_path(f, path);
}

FUSE2_API int fuse_start_cleanup_thread(struct fuse *fuse)
{
    return fuse3_impl_fuse_start_cleanup_thread(fuse);
}

FUSE2_API void fuse_stop_cleanup_thread(struct fuse *fuse)
{
    fuse3_impl_fuse_stop_cleanup_thread(fuse);
}

FUSE2_API int fuse_clean_cache(struct fuse *fuse)
{
    return fuse3_impl_fuse_clean_cache(fuse);
}

FUSE2_API int fuse_notify_poll(struct fuse_pollhandle *ph)
{
    return fuse3_impl_fuse_notify_poll(ph);
}

FUSE2_API void fuse_pollhandle_destroy(struct fuse_pollhandle *ph)
{
    fuse3_impl_fuse_pollhandle_destroy(ph);
}

FUSE2_API int fuse_version(void)
{
    return 29;
}

FUSE2_API int fuse_daemonize(int foreground)
{
    return fuse3_impl_fuse_daemonize(foreground);
}

FUSE2_API int fuse_set_signal_handlers(struct fuse_session *se)
{
    return fuse3_impl_fuse_set_signal_handlers(se);
}

FUSE2_API void fuse_remove_signal_handlers(struct fuse_session *se)
{
    fuse3_impl_fuse_remove_signal_handlers(se);
}

FUSE2_API size_t fuse_buf_size(const struct fuse_bufvec *bufv)
{
    return fuse3_impl_fuse_buf_size(bufv);
}

FUSE2_API ssize_t fuse_buf_copy(struct fuse_bufvec *dst, struct fuse_bufvec *src,
                                enum fuse_buf_copy_flags flags)
{
    return fuse3_impl_fuse_buf_copy(dst, src, flags);
}

/* The library options of libfuse 2.9's fuse_new (fuse_is_lib_option). */
static const struct fuse_opt lib_option_names[] = {
    FUSE_OPT_KEY("-h", 0), FUSE_OPT_KEY("--help", 0), FUSE_OPT_KEY("-d", 0),
    FUSE_OPT_KEY("debug", 0), FUSE_OPT_KEY("hard_remove", 0), FUSE_OPT_KEY("use_ino", 0),
    FUSE_OPT_KEY("readdir_ino", 0), FUSE_OPT_KEY("direct_io", 0), FUSE_OPT_KEY("kernel_cache", 0),
    FUSE_OPT_KEY("auto_cache", 0), FUSE_OPT_KEY("noauto_cache", 0), FUSE_OPT_KEY("umask=", 0),
    FUSE_OPT_KEY("uid=", 0), FUSE_OPT_KEY("gid=", 0), FUSE_OPT_KEY("entry_timeout=", 0),
    FUSE_OPT_KEY("attr_timeout=", 0), FUSE_OPT_KEY("ac_attr_timeout=", 0),
    FUSE_OPT_KEY("negative_timeout=", 0), FUSE_OPT_KEY("noforget", 0),
    FUSE_OPT_KEY("remember=", 0), FUSE_OPT_KEY("nopath", 0), FUSE_OPT_KEY("intr", 0),
    FUSE_OPT_KEY("intr_signal=", 0), FUSE_OPT_KEY("modules=", 0), FUSE_OPT_KEY("allow_root", 0),
    FUSE_OPT_KEY("max_write=", 0), FUSE_OPT_KEY("max_readahead=", 0),
    FUSE_OPT_KEY("max_background=", 0), FUSE_OPT_KEY("congestion_threshold=", 0),
    FUSE_OPT_KEY("async_read", 0), FUSE_OPT_KEY("sync_read", 0), FUSE_OPT_KEY("atomic_o_trunc", 0),
    FUSE_OPT_KEY("no_remote_lock", 0), FUSE_OPT_KEY("no_remote_flock", 0),
    FUSE_OPT_KEY("no_remote_posix_lock", 0), FUSE_OPT_KEY("big_writes", 0),
    FUSE_OPT_KEY("splice_write", 0), FUSE_OPT_KEY("no_splice_write", 0),
    FUSE_OPT_KEY("splice_move", 0), FUSE_OPT_KEY("no_splice_move", 0),
    FUSE_OPT_KEY("splice_read", 0), FUSE_OPT_KEY("no_splice_read", 0),
    FUSE_OPT_KEY("auto_inval_data", 0), FUSE_OPT_KEY("no_auto_inval_data", 0),
    FUSE_OPT_END,
};

FUSE2_API int fuse_is_lib_option(const char *opt)
{
    return opt && fuse_opt_match(lib_option_names, opt);
}

/* ---- command line and fuse_main ---- */

static void help2(const char *prog)
{
    printf("usage: %s mountpoint [options]\n\n", prog && prog[0] ? prog : "fuse");
    printf("general options:\n"
           "    -o opt,[opt...]        mount options\n"
           "    -h   --help            print help\n"
           "    -V   --version         print version\n"
           "\n"
           "FUSE options:\n"
           "    -d   -o debug          enable debug output (implies -f)\n"
           "    -f                     foreground operation\n"
           "    -s                     disable multi-threaded operation\n"
           "    -o big_writes, nonempty, nopath: accepted (no effect)\n"
           "\n");
    fuse3_impl_fuse_lib_help(0);
}

/* 0: go on; 1: help or version shown (opts->mountpoint is NULL); -1: error. */
static int parse2(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    if (0 != fuse3_impl_fuse_parse_cmdline_312(args, opts))
        return -1;
    if (opts->show_help || opts->show_version) {
        if (opts->show_help)
            help2(args->argc > 0 ? args->argv[0] : 0);
        else
            printf("FUSE library version: 2.9 (LinFsp)\n");
        free(opts->mountpoint);
        opts->mountpoint = 0;
        return 1;
    }
    return 0;
}

FUSE2_API int fuse_parse_cmdline(struct fuse_args *args, char **mountpoint, int *multithreaded,
                                 int *foreground)
{
    struct fuse_cmdline_opts opts;
    int r = parse2(args, &opts);
    if (r < 0)
        return -1;
    if (mountpoint)
        *mountpoint = opts.mountpoint;
    else
        free(opts.mountpoint);
    if (multithreaded)
        *multithreaded = !opts.singlethread;
    if (foreground)
        *foreground = opts.foreground;
    return 0;
}

/* fuse_setup's steps after the command line. */
static struct fuse *setup2(struct fuse_args *args, const struct fuse2_operations *op, size_t op_size,
                           const char *mountpoint, int foreground, void *user_data)
{
    struct fuse_chan *ch = fuse_mount(mountpoint, args);
    if (!ch)
        return 0;
    struct fuse *f = fuse_new(ch, args, op, op_size, user_data);
    if (!f) {
        fuse_unmount(mountpoint, ch);
        return 0;
    }
    if (0 != fuse_daemonize(foreground) || 0 != fuse_set_signal_handlers(fuse_get_session(f))) {
        fuse_unmount(mountpoint, ch);
        fuse_destroy(f);
        return 0;
    }
    return f;
}

FUSE2_API struct fuse *fuse_setup(int argc, char *argv[], const struct fuse2_operations *op,
                                  size_t op_size, char **mountpoint, int *multithreaded,
                                  void *user_data)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    struct fuse *f = 0;
    if (0 == parse2(&args, &opts)) {
        if (!opts.mountpoint)
            fuse3_log_error("fuse: no mount point\n");
        else
            f = setup2(&args, op, op_size, opts.mountpoint, opts.foreground, user_data);
    }
    fuse_opt_free_args(&args);
    if (!f) {
        free(opts.mountpoint);
        return 0;
    }
    if (mountpoint)
        *mountpoint = opts.mountpoint;
    else
        free(opts.mountpoint);
    if (multithreaded)
        *multithreaded = !opts.singlethread;
    return f;
}

FUSE2_API void fuse_teardown(struct fuse *fuse, char *mountpoint)
{
    if (fuse) {
        struct fuse2_state *s = fuse->compat;
        fuse_remove_signal_handlers(fuse_get_session(fuse));
        if (s && s->ch)
            fuse_unmount(mountpoint, s->ch);
        fuse_destroy(fuse);
    }
    free(mountpoint);
}

FUSE2_API int fuse_main_real(int argc, char *argv[], const struct fuse2_operations *op,
                             size_t op_size, void *user_data)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    int r = parse2(&args, &opts);
    if (r) {
        fuse_opt_free_args(&args);
        return r < 0 ? 1 : 0;
    }
    if (!opts.mountpoint) {
        fuse3_log_error("fuse: no mount point\n");
        fuse_opt_free_args(&args);
        return 1;
    }
    struct fuse *f = setup2(&args, op, op_size, opts.mountpoint, opts.foreground, user_data);
    fuse_opt_free_args(&args);
    if (!f) {
        free(opts.mountpoint);
        return 1;
    }
    int err;
    if (opts.singlethread)
        err = fuse3_impl_fuse_loop(f);
    else {
        struct fuse_loop_config cfg = {opts.clone_fd, opts.max_idle_threads, opts.max_threads};
        err = fuse3_impl_fuse_loop_mt(f, &cfg);
    }
    fuse_teardown(f, opts.mountpoint);
    return err < 0 ? 1 : 0;
}

/* ---- the 2.9 stacking API (fuse_fs_*) and modules ---- */

/*
 * A 2.9 struct fuse_fs is the FUSE 3 layer's own: its operations are FUSE 3 ones. A layer
 * made by the 2.9 fuse_fs_new holds the 2.9 operations behind the trampolines above; the
 * 2.9 fuse_fs_* calls convert their arguments and go through the FUSE 3 ones, so 2.9 layers
 * and the built-in modules stack on each other.
 */

static void fi3_of2(const struct fuse2_file_info *fi2, struct fuse_file_info *fi)
{
    memset(fi, 0, sizeof *fi);
    fi->flags = fi2->flags;
    fi->writepage = fi2->writepage ? 1 : 0;
    fi->direct_io = fi2->direct_io;
    fi->keep_cache = fi2->keep_cache;
    fi->flush = fi2->flush;
    fi->nonseekable = fi2->nonseekable;
    fi->flock_release = fi2->flock_release;
    fi->fh = fi2->fh;
    fi->lock_owner = fi2->lock_owner;
}

static void fi3_to2(const struct fuse_file_info *fi, struct fuse2_file_info *fi2)
{
    fi2->fh = fi->fh;
    fi2->direct_io = fi->direct_io;
    fi2->keep_cache = fi->keep_cache;
    fi2->nonseekable = fi->nonseekable;
}

/* Call a FUSE 3 fuse_fs_* with a converted fuse_file_info (NULL stays NULL). */
#define FS3_FI(fi2, call)                                                                          \
    ({                                                                                             \
        struct fuse_file_info fi3_, *fi3 = 0;                                                      \
        if (fi2) {                                                                                 \
            fi3_of2(fi2, &fi3_);                                                                   \
            fi3 = &fi3_;                                                                           \
        }                                                                                          \
        int r_ = (call);                                                                           \
        if (fi2)                                                                                   \
            fi3_to2(fi3, fi2);                                                                     \
        r_;                                                                                        \
    })

FUSE2_API struct fuse_fs *fuse_fs_new(const struct fuse2_operations *op, size_t op_size,
                                      void *user_data)
{
    struct fuse2_operations o;
    memset(&o, 0, sizeof o);
    if (op_size > sizeof o) {
        fuse3_log_error("fuse: warning: library too old, some operations may not work\n");
        op_size = sizeof o;
    }
    if (op)
        memcpy(&o, op, op_size);
    struct fuse_operations o3;
    ops3_of(&o, &o3);
    return fuse3_fs_new_compat(&o3, user_data, &o, sizeof o);
}

FUSE2_API int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf)
{
    return fuse3_impl_fuse_fs_getattr(fs, path, buf, 0);
}

FUSE2_API int fuse_fs_fgetattr(struct fuse_fs *fs, const char *path, struct stat *buf,
                               struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_getattr(fs, path, buf, fi3));
}

FUSE2_API int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath, const char *newpath)
{
    return fuse3_impl_fuse_fs_rename(fs, oldpath, newpath, 0);
}

FUSE2_API int fuse_fs_unlink(struct fuse_fs *fs, const char *path)
{
    return fuse3_impl_fuse_fs_unlink(fs, path);
}

FUSE2_API int fuse_fs_rmdir(struct fuse_fs *fs, const char *path)
{
    return fuse3_impl_fuse_fs_rmdir(fs, path);
}

FUSE2_API int fuse_fs_symlink(struct fuse_fs *fs, const char *linkname, const char *path)
{
    return fuse3_impl_fuse_fs_symlink(fs, linkname, path);
}

FUSE2_API int fuse_fs_link(struct fuse_fs *fs, const char *oldpath, const char *newpath)
{
    return fuse3_impl_fuse_fs_link(fs, oldpath, newpath);
}

FUSE2_API int fuse_fs_release(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_release(fs, path, fi3));
}

FUSE2_API int fuse_fs_open(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_open(fs, path, fi3));
}

FUSE2_API int fuse_fs_read(struct fuse_fs *fs, const char *path, char *buf, size_t size,
                           off_t off, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_read(fs, path, buf, size, off, fi3));
}

FUSE2_API int fuse_fs_read_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec **bufp,
                               size_t size, off_t off, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_read_buf(fs, path, bufp, size, off, fi3));
}

FUSE2_API int fuse_fs_write(struct fuse_fs *fs, const char *path, const char *buf, size_t size,
                            off_t off, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_write(fs, path, buf, size, off, fi3));
}

FUSE2_API int fuse_fs_write_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec *buf,
                                off_t off, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_write_buf(fs, path, buf, off, fi3));
}

FUSE2_API int fuse_fs_fsync(struct fuse_fs *fs, const char *path, int datasync,
                            struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_fsync(fs, path, datasync, fi3));
}

FUSE2_API int fuse_fs_flush(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_flush(fs, path, fi3));
}

FUSE2_API int fuse_fs_statfs(struct fuse_fs *fs, const char *path, struct statvfs *buf)
{
    return fuse3_impl_fuse_fs_statfs(fs, path, buf);
}

FUSE2_API int fuse_fs_opendir(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_opendir(fs, path, fi3));
}

struct fill3to2 {
    void *buf;
    fuse2_fill_dir_t filler;
};

static int fill3to2(void *buf, const char *name, const struct stat *st, off_t off,
                    enum fuse_fill_dir_flags flags)
{
    (void)flags;
    struct fill3to2 *c = buf;
    return c->filler(c->buf, name, st, off);
}

FUSE2_API int fuse_fs_readdir(struct fuse_fs *fs, const char *path, void *buf,
                              fuse2_fill_dir_t filler, off_t off, struct fuse2_file_info *fi)
{
    struct fill3to2 c = {buf, filler};
    return FS3_FI(fi, fuse3_impl_fuse_fs_readdir(fs, path, &c, fill3to2, off, fi3, 0));
}

FUSE2_API int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
                               struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_fsyncdir(fs, path, datasync, fi3));
}

FUSE2_API int fuse_fs_releasedir(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_releasedir(fs, path, fi3));
}

FUSE2_API int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode,
                             struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_create(fs, path, mode, fi3));
}

FUSE2_API int fuse_fs_lock(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi,
                           int cmd, struct flock *lock)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_lock(fs, path, fi3, cmd, lock));
}

FUSE2_API int fuse_fs_flock(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi,
                            int op)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_flock(fs, path, fi3, op));
}

FUSE2_API int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode)
{
    return fuse3_impl_fuse_fs_chmod(fs, path, mode, 0);
}

FUSE2_API int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid)
{
    return fuse3_impl_fuse_fs_chown(fs, path, uid, gid, 0);
}

FUSE2_API int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size)
{
    return fuse3_impl_fuse_fs_truncate(fs, path, size, 0);
}

FUSE2_API int fuse_fs_ftruncate(struct fuse_fs *fs, const char *path, off_t size,
                                struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_truncate(fs, path, size, fi3));
}

FUSE2_API int fuse_fs_utimens(struct fuse_fs *fs, const char *path, const struct timespec tv[2])
{
    return fuse3_impl_fuse_fs_utimens(fs, path, tv, 0);
}

FUSE2_API int fuse_fs_access(struct fuse_fs *fs, const char *path, int mask)
{
    return fuse3_impl_fuse_fs_access(fs, path, mask);
}

FUSE2_API int fuse_fs_readlink(struct fuse_fs *fs, const char *path, char *buf, size_t len)
{
    return fuse3_impl_fuse_fs_readlink(fs, path, buf, len);
}

FUSE2_API int fuse_fs_mknod(struct fuse_fs *fs, const char *path, mode_t mode, dev_t rdev)
{
    return fuse3_impl_fuse_fs_mknod(fs, path, mode, rdev);
}

FUSE2_API int fuse_fs_mkdir(struct fuse_fs *fs, const char *path, mode_t mode)
{
    return fuse3_impl_fuse_fs_mkdir(fs, path, mode);
}

FUSE2_API int fuse_fs_setxattr(struct fuse_fs *fs, const char *path, const char *name,
                               const char *value, size_t size, int flags)
{
    return fuse3_impl_fuse_fs_setxattr(fs, path, name, value, size, flags);
}

FUSE2_API int fuse_fs_getxattr(struct fuse_fs *fs, const char *path, const char *name,
                               char *value, size_t size)
{
    return fuse3_impl_fuse_fs_getxattr(fs, path, name, value, size);
}

FUSE2_API int fuse_fs_listxattr(struct fuse_fs *fs, const char *path, char *list, size_t size)
{
    return fuse3_impl_fuse_fs_listxattr(fs, path, list, size);
}

FUSE2_API int fuse_fs_removexattr(struct fuse_fs *fs, const char *path, const char *name)
{
    return fuse3_impl_fuse_fs_removexattr(fs, path, name);
}

FUSE2_API int fuse_fs_bmap(struct fuse_fs *fs, const char *path, size_t blocksize, uint64_t *idx)
{
    return fuse3_impl_fuse_fs_bmap(fs, path, blocksize, idx);
}

FUSE2_API int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, int cmd, void *arg,
                            struct fuse2_file_info *fi, unsigned int flags, void *data)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_ioctl(fs, path, (unsigned)cmd, arg, fi3, flags, data));
}

FUSE2_API int fuse_fs_poll(struct fuse_fs *fs, const char *path, struct fuse2_file_info *fi,
                           struct fuse_pollhandle *ph, unsigned *reventsp)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_poll(fs, path, fi3, ph, reventsp));
}

FUSE2_API int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode, off_t offset,
                                off_t length, struct fuse2_file_info *fi)
{
    return FS3_FI(fi, fuse3_impl_fuse_fs_fallocate(fs, path, mode, offset, length, fi3));
}

FUSE2_API void fuse_fs_init(struct fuse_fs *fs, struct fuse2_conn_info *conn2)
{
    struct fuse_conn_info conn;
    memset(&conn, 0, sizeof conn);
    conn.proto_major = conn2->proto_major;
    conn.proto_minor = conn2->proto_minor;
    conn.max_write = conn2->max_write;
    conn.max_readahead = conn2->max_readahead;
    conn.capable = conn2->capable & ~(unsigned)FUSE2_CAP_BIG_WRITES;
    conn.want = conn2->want & ~(unsigned)FUSE2_CAP_BIG_WRITES;
    if (conn2->async_read)
        conn.want |= FUSE_CAP_ASYNC_READ;
    conn.max_background = conn2->max_background;
    conn.congestion_threshold = conn2->congestion_threshold;
    struct fuse *f = fuse3_context()->fuse;
    struct fuse_config local;
    memset(&local, 0, sizeof local);
    fuse3_impl_fuse_fs_init(fs, &conn, f ? &f->conf : &local);
    conn2->want = (conn.want & 0xfff) | (conn2->want & FUSE2_CAP_BIG_WRITES);
    conn2->async_read = !!(conn.want & FUSE_CAP_ASYNC_READ);
    conn2->max_write = conn.max_write;
    conn2->max_readahead = conn.max_readahead;
}

FUSE2_API void fuse_fs_destroy(struct fuse_fs *fs)
{
    fuse3_impl_fuse_fs_destroy(fs);
}

/* Modules a 2.9 program registers (fuse_register_module), or that libfusemod_NAME.so holds. */
static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fuse2_module *modules2;

static fuse_module_factory_t lookup2(const char *name)
{
    pthread_mutex_lock(&modules_lock);
    fuse_module_factory_t factory = 0;
    for (struct fuse2_module *m = modules2; m && !factory; m = m->next)
        if (m->name && 0 == strcmp(m->name, name))
            factory = m->factory;
    pthread_mutex_unlock(&modules_lock);
    if (factory)
        return factory;
    /* FUSE_REGISTER_MODULE of 2.9 defines struct fuse_module fuse_fusemod_NAME_module */
    size_t n = strlen(name) + 32;
    char *lib = malloc(n), *sym = malloc(n);
    if (lib && sym) {
        snprintf(lib, n, "libfusemod_%s.so", name);
        snprintf(sym, n, "fuse_fusemod_%s_module", name);
        void *dl = dlopen(lib, RTLD_NOW);
        struct fuse2_module *m = dl ? dlsym(dl, sym) : 0;
        if (m && m->factory)
            factory = m->factory; /* the library stays loaded: its code is the module's */
        else if (dl)
            dlclose(dl);
    }
    free(lib), free(sym);
    return factory;
}

FUSE2_API void fuse_register_module(struct fuse2_module *mod)
{
    if (!mod)
        return;
    pthread_mutex_lock(&modules_lock);
    mod->next = modules2;
    modules2 = mod;
    pthread_mutex_unlock(&modules_lock);
}

__attribute__((constructor)) static void fuse2_modules_init(void)
{
    fuse3_module_lookup = lookup2;
}
