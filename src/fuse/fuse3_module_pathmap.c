/*
 * src/fuse/fuse3_module_pathmap.c - a stack layer that passes every operation to the layer
 * below with its paths mapped by the module (fuse3_module_pathmap.h): what the subdir and
 * iconv modules have in common. A NULL path (an unlinked open file) stays NULL.
 */
#include "fuse3_module_pathmap.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct fuse3_pathmap *me(void)
{
    return fuse_get_context()->private_data;
}

static int down(struct fuse3_pathmap *m, const char *path, char **out)
{
    *out = 0;
    return path ? m->down(m, path, out) : 0;
}

/* One mapped path, then the call below. */
#define ONE_PATH(path, call)                                                                       \
    ({                                                                                             \
        struct fuse3_pathmap *m = me();                                                            \
        char *p_;                                                                                  \
        int e_ = down(m, path, &p_);                                                               \
        if (!e_) {                                                                                 \
            const char *mapped = p_;                                                               \
            e_ = (int)(call);                                                                      \
            free(p_);                                                                              \
        }                                                                                          \
        e_;                                                                                        \
    })

static int pm_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_getattr(m->next, mapped, st, fi));
}

static int pm_access(const char *path, int mask)
{
    return ONE_PATH(path, fuse_fs_access(m->next, mapped, mask));
}

static int pm_readlink(const char *path, char *buf, size_t size)
{
    return ONE_PATH(path, ({
                        int r_ = fuse_fs_readlink(m->next, mapped, buf, size);
                        if (0 == r_ && m->target_up && size > 0)
                            m->target_up(m, mapped, buf, size);
                        r_;
                    }));
}

static int pm_opendir(const char *path, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_opendir(m->next, mapped, fi));
}

struct pm_fill {
    struct fuse3_pathmap *m;
    void *buf;
    fuse_fill_dir_t filler;
};

static int pm_fill_dir(void *buf, const char *name, const struct stat *st, off_t off,
                       enum fuse_fill_dir_flags flags)
{
    struct pm_fill *c = buf;
    char *up = 0;
    if (c->m->name_up && 0 != c->m->name_up(c->m, name, &up))
        return 0; /* a name that cannot be shown above is left out */
    int r = c->filler(c->buf, up ? up : name, st, off, flags);
    free(up);
    return r;
}

static int pm_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    return ONE_PATH(path, ({
                        struct pm_fill c_ = {m, buf, filler};
                        fuse_fs_readdir(m->next, mapped, &c_, pm_fill_dir, off, fi, flags);
                    }));
}

static int pm_releasedir(const char *path, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_releasedir(m->next, mapped, fi));
}

static int pm_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_fsyncdir(m->next, mapped, datasync, fi));
}

static int pm_mknod(const char *path, mode_t mode, dev_t rdev)
{
    return ONE_PATH(path, fuse_fs_mknod(m->next, mapped, mode, rdev));
}

static int pm_mkdir(const char *path, mode_t mode)
{
    return ONE_PATH(path, fuse_fs_mkdir(m->next, mapped, mode));
}

static int pm_unlink(const char *path)
{
    return ONE_PATH(path, fuse_fs_unlink(m->next, mapped));
}

static int pm_rmdir(const char *path)
{
    return ONE_PATH(path, fuse_fs_rmdir(m->next, mapped));
}

static int pm_symlink(const char *target, const char *path)
{
    return ONE_PATH(path, ({
                        char *t_ = 0;
                        int r_ = m->target_down ? m->target_down(m, target, &t_) : 0;
                        if (0 == r_)
                            r_ = fuse_fs_symlink(m->next, t_ ? t_ : target, mapped);
                        free(t_);
                        r_;
                    }));
}

/* Two mapped paths, then the call below. */
static int two_paths(const char *a, const char *b, char **pa, char **pb)
{
    struct fuse3_pathmap *m = me();
    int err = down(m, a, pa);
    if (!err && (err = down(m, b, pb)) != 0) {
        free(*pa);
        *pa = 0;
    }
    return err;
}

static int pm_rename(const char *from, const char *to, unsigned int flags)
{
    char *a, *b;
    int err = two_paths(from, to, &a, &b);
    if (!err) {
        err = fuse_fs_rename(me()->next, a, b, flags);
        free(a), free(b);
    }
    return err;
}

static int pm_link(const char *from, const char *to)
{
    char *a, *b;
    int err = two_paths(from, to, &a, &b);
    if (!err) {
        err = fuse_fs_link(me()->next, a, b);
        free(a), free(b);
    }
    return err;
}

static int pm_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_chmod(m->next, mapped, mode, fi));
}

static int pm_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_chown(m->next, mapped, uid, gid, fi));
}

static int pm_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_truncate(m->next, mapped, size, fi));
}

static int pm_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_utimens(m->next, mapped, tv, fi));
}

static int pm_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_create(m->next, mapped, mode, fi));
}

static int pm_open(const char *path, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_open(m->next, mapped, fi));
}

static int pm_read_buf(const char *path, struct fuse_bufvec **bufp, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_read_buf(m->next, mapped, bufp, size, off, fi));
}

static int pm_write_buf(const char *path, struct fuse_bufvec *buf, off_t off,
                        struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_write_buf(m->next, mapped, buf, off, fi));
}

static int pm_statfs(const char *path, struct statvfs *st)
{
    return ONE_PATH(path, fuse_fs_statfs(m->next, mapped, st));
}

static int pm_flush(const char *path, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_flush(m->next, mapped, fi));
}

static int pm_release(const char *path, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_release(m->next, mapped, fi));
}

static int pm_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_fsync(m->next, mapped, datasync, fi));
}

static int pm_setxattr(const char *path, const char *name, const char *value, size_t size,
                       int flags)
{
    return ONE_PATH(path, fuse_fs_setxattr(m->next, mapped, name, value, size, flags));
}

static int pm_getxattr(const char *path, const char *name, char *value, size_t size)
{
    return ONE_PATH(path, fuse_fs_getxattr(m->next, mapped, name, value, size));
}

static int pm_listxattr(const char *path, char *list, size_t size)
{
    return ONE_PATH(path, fuse_fs_listxattr(m->next, mapped, list, size));
}

static int pm_removexattr(const char *path, const char *name)
{
    return ONE_PATH(path, fuse_fs_removexattr(m->next, mapped, name));
}

static int pm_lock(const char *path, struct fuse_file_info *fi, int cmd, struct flock *lock)
{
    return ONE_PATH(path, fuse_fs_lock(m->next, mapped, fi, cmd, lock));
}

static int pm_flock(const char *path, struct fuse_file_info *fi, int op)
{
    return ONE_PATH(path, fuse_fs_flock(m->next, mapped, fi, op));
}

static int pm_bmap(const char *path, size_t blocksize, uint64_t *idx)
{
    return ONE_PATH(path, fuse_fs_bmap(m->next, mapped, blocksize, idx));
}

static int pm_ioctl(const char *path, unsigned int cmd, void *arg, struct fuse_file_info *fi,
                    unsigned int flags, void *data)
{
    return ONE_PATH(path, fuse_fs_ioctl(m->next, mapped, cmd, arg, fi, flags, data));
}

static int pm_poll(const char *path, struct fuse_file_info *fi, struct fuse_pollhandle *ph,
                   unsigned *reventsp)
{
    return ONE_PATH(path, fuse_fs_poll(m->next, mapped, fi, ph, reventsp));
}

static int pm_fallocate(const char *path, int mode, off_t off, off_t len,
                        struct fuse_file_info *fi)
{
    return ONE_PATH(path, fuse_fs_fallocate(m->next, mapped, mode, off, len, fi));
}

static off_t pm_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
    struct fuse3_pathmap *m = me();
    char *p;
    int err = down(m, path, &p);
    if (err)
        return err;
    off_t r = fuse_fs_lseek(m->next, p, off, whence, fi);
    free(p);
    return r;
}

static ssize_t pm_copy_file_range(const char *path_in, struct fuse_file_info *fi_in,
                                  off_t off_in, const char *path_out,
                                  struct fuse_file_info *fi_out, off_t off_out, size_t len,
                                  int flags)
{
    char *a, *b;
    int err = two_paths(path_in, path_out, &a, &b);
    if (err)
        return err;
    ssize_t r = fuse_fs_copy_file_range(me()->next, a, fi_in, off_in, b, fi_out, off_out, len,
                                        flags);
    free(a), free(b);
    return r;
}

static void *pm_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    struct fuse3_pathmap *m = me();
    fuse_fs_init(m->next, conn, cfg);
    return m;
}

static void pm_destroy(void *data)
{
    struct fuse3_pathmap *m = data;
    fuse_fs_destroy(m->next);
    m->free_state(m);
}

static const struct fuse_operations pathmap_ops = {
    .getattr = pm_getattr,       .readlink = pm_readlink,   .mknod = pm_mknod,
    .mkdir = pm_mkdir,           .unlink = pm_unlink,       .rmdir = pm_rmdir,
    .symlink = pm_symlink,       .rename = pm_rename,       .link = pm_link,
    .chmod = pm_chmod,           .chown = pm_chown,         .truncate = pm_truncate,
    .open = pm_open,             .statfs = pm_statfs,       .flush = pm_flush,
    .release = pm_release,       .fsync = pm_fsync,         .setxattr = pm_setxattr,
    .getxattr = pm_getxattr,     .listxattr = pm_listxattr, .removexattr = pm_removexattr,
    .opendir = pm_opendir,       .readdir = pm_readdir,     .releasedir = pm_releasedir,
    .fsyncdir = pm_fsyncdir,     .init = pm_init,           .destroy = pm_destroy,
    .access = pm_access,         .create = pm_create,       .lock = pm_lock,
    .utimens = pm_utimens,       .bmap = pm_bmap,           .ioctl = pm_ioctl,
    .poll = pm_poll,             .write_buf = pm_write_buf, .read_buf = pm_read_buf,
    .flock = pm_flock,           .fallocate = pm_fallocate, .copy_file_range = pm_copy_file_range,
    .lseek = pm_lseek,
};

static void free_data(void *user_data)
{
    struct fuse3_pathmap *m = user_data;
    m->free_state(m);
}

struct fuse_fs *fuse3_pathmap_new(struct fuse3_pathmap *m)
{
    struct fuse_fs *fs = fuse_fs_new(&pathmap_ops, sizeof pathmap_ops, m);
    if (!fs) {
        m->free_state(m);
        return 0;
    }
    fs->free_data = free_data;
    /* Offer only what the layer below has (so that the FUSE layer sees, say, no lock
     * operation where there is none below); reads and writes of either kind convert. */
    const struct fuse_operations *below = &m->next->op;
    struct fuse_operations *o = &fs->op;
#define PM_KEEP_IF(name) if (!below->name) o->name = 0
    PM_KEEP_IF(getattr); PM_KEEP_IF(readlink); PM_KEEP_IF(mknod); PM_KEEP_IF(mkdir);
    PM_KEEP_IF(unlink); PM_KEEP_IF(rmdir); PM_KEEP_IF(symlink); PM_KEEP_IF(rename);
    PM_KEEP_IF(link); PM_KEEP_IF(chmod); PM_KEEP_IF(chown); PM_KEEP_IF(truncate);
    PM_KEEP_IF(open); PM_KEEP_IF(statfs); PM_KEEP_IF(flush); PM_KEEP_IF(release);
    PM_KEEP_IF(fsync); PM_KEEP_IF(setxattr); PM_KEEP_IF(getxattr); PM_KEEP_IF(listxattr);
    PM_KEEP_IF(removexattr); PM_KEEP_IF(opendir); PM_KEEP_IF(readdir); PM_KEEP_IF(releasedir);
    PM_KEEP_IF(fsyncdir); PM_KEEP_IF(access); PM_KEEP_IF(create); PM_KEEP_IF(lock);
    PM_KEEP_IF(utimens); PM_KEEP_IF(bmap); PM_KEEP_IF(ioctl); PM_KEEP_IF(poll);
    PM_KEEP_IF(flock); PM_KEEP_IF(fallocate); PM_KEEP_IF(copy_file_range); PM_KEEP_IF(lseek);
#undef PM_KEEP_IF
    if (!below->read && !below->read_buf)
        o->read_buf = 0;
    if (!below->write && !below->write_buf)
        o->write_buf = 0;
    return fs;
}
