/*
 * src/fuse/fuse3_fs.c - libfuse's stacking API: struct fuse_fs (one layer of operations with
 * its private data), fuse_fs_new and the fuse_fs_* calls, and modules (-o modules=a:b).
 *
 * The layer calls every program operation through these functions, on the top of the
 * stack (f->top): the program's operations, with the modules fuse_new pushed above them.
 * Each call makes the layer's user_data the context's private_data for its duration and
 * records the layer as the thread's current one (fuse2.c's trampolines find their 2.9
 * operations there), as libfuse does.
 *
 * Modules: the built-in subdir and iconv (fuse3_module_*.c), those a FUSE 2.9 program
 * registered (fuse_register_module, through fuse3_module_lookup), else libfusemod_NAME.so
 * found by dlopen with its fuse_module_NAME_factory (FUSE_REGISTER_MODULE).
 */
#include "fuse3_priv.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread struct fuse_fs *tls_fs;

struct fuse_fs *fuse3_current_fs(void)
{
    return tls_fs;
}

/* Enter fs for one call: returns what to give leave_fs. */
struct fs_frame {
    struct fuse_fs *fs;
    void *private_data;
    struct fuse *owner; /* whose in_program counts this call */
    bool changes;       /* the call may change what getattr says: count it in owner->changes */
};

static struct fs_frame enter_fs(struct fuse_fs *fs, bool changes)
{
    struct fuse_context *c = fuse3_context();
    struct fs_frame prev = {tls_fs, c->private_data, fs->owner, changes};
    tls_fs = fs;
    c->private_data = fs->user_data;
    if (prev.owner)
        __atomic_add_fetch(&prev.owner->in_program, 1, __ATOMIC_ACQ_REL);
    return prev;
}

static void leave_fs(struct fs_frame prev)
{
    if (prev.owner && prev.changes)
        fuse3_changed(prev.owner);
    if (prev.owner)
        __atomic_sub_fetch(&prev.owner->in_program, 1, __ATOMIC_ACQ_REL);
    tls_fs = prev.fs;
    fuse3_context()->private_data = prev.private_data;
}

/* Call fs's operation `name` with the arguments that follow; missing: what to return without it.
 * changes: the operation may change what getattr returns (fuse3_changed once it returned). */
#define FS_CALL_(fs, changes, name, missing, ...)                                                  \
    ({                                                                                             \
        __typeof__((fs)->op.name(__VA_ARGS__)) r_ = (missing);                                     \
        if ((fs)->op.name) {                                                                       \
            struct fs_frame f_ = enter_fs(fs, changes);                                            \
            r_ = (fs)->op.name(__VA_ARGS__);                                                       \
            leave_fs(f_);                                                                          \
        }                                                                                          \
        r_;                                                                                        \
    })
/* Every operation counts as a change (data, size, times, names, atime on read, a program's
 * write-back on release) except those that only ask: FS_QUERY. */
#define FS_CALL(fs, name, missing, ...) FS_CALL_(fs, true, name, missing, __VA_ARGS__)
#define FS_QUERY(fs, name, missing, ...) FS_CALL_(fs, false, name, missing, __VA_ARGS__)

FUSE3_API struct fuse_fs *fuse_fs_new(const struct fuse_operations *op, size_t op_size,
                                      void *private_data)
{
    if (op_size > sizeof(struct fuse_operations)) {
        fuse_log(FUSE_LOG_ERR, "fuse: warning: library too old, some operations may not work\n");
        op_size = sizeof(struct fuse_operations);
    }
    struct fuse_fs *fs = calloc(1, sizeof *fs);
    if (!fs) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate fuse_fs object\n");
        return 0;
    }
    if (op)
        memcpy(&fs->op, op, op_size);
    fs->user_data = private_data;
    return fs;
}

struct fuse_fs *fuse3_fs_new_compat(const struct fuse_operations *op, void *user_data,
                                    const void *compat, size_t compat_size)
{
    struct fuse_fs *fs = calloc(1, sizeof *fs + compat_size);
    if (!fs) {
        fuse_log(FUSE_LOG_ERR, "fuse: failed to allocate fuse_fs object\n");
        return 0;
    }
    fs->op = *op;
    fs->user_data = user_data;
    memcpy(fs + 1, compat, compat_size);
    fs->compat = fs + 1;
    return fs;
}

FUSE3_API int fuse_fs_getattr(struct fuse_fs *fs, const char *path, struct stat *buf,
                              struct fuse_file_info *fi)
{
    return FS_QUERY(fs, getattr, -ENOSYS, path, buf, fi);
}

FUSE3_API int fuse_fs_rename(struct fuse_fs *fs, const char *oldpath, const char *newpath,
                             unsigned int flags)
{
    return FS_CALL(fs, rename, -ENOSYS, oldpath, newpath, flags);
}

FUSE3_API int fuse_fs_unlink(struct fuse_fs *fs, const char *path)
{
    return FS_CALL(fs, unlink, -ENOSYS, path);
}

FUSE3_API int fuse_fs_rmdir(struct fuse_fs *fs, const char *path)
{
    return FS_CALL(fs, rmdir, -ENOSYS, path);
}

FUSE3_API int fuse_fs_symlink(struct fuse_fs *fs, const char *linkname, const char *path)
{
    return FS_CALL(fs, symlink, -ENOSYS, linkname, path);
}

FUSE3_API int fuse_fs_link(struct fuse_fs *fs, const char *oldpath, const char *newpath)
{
    return FS_CALL(fs, link, -ENOSYS, oldpath, newpath);
}

FUSE3_API int fuse_fs_release(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    return FS_CALL(fs, release, 0, path, fi);
}

FUSE3_API int fuse_fs_open(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    return FS_CALL(fs, open, 0, path, fi);
}

FUSE3_API int fuse_fs_read(struct fuse_fs *fs, const char *path, char *buf, size_t size,
                           off_t off, struct fuse_file_info *fi)
{
    if (fs->op.read)
        return FS_CALL(fs, read, -ENOSYS, path, buf, size, off, fi);
    if (!fs->op.read_buf)
        return -ENOSYS;
    struct fuse_bufvec *bv = 0;
    int n = FS_CALL(fs, read_buf, -ENOSYS, path, &bv, size, off, fi);
    if (n >= 0 && bv) {
        struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
        dst.buf[0].mem = buf;
        n = (int)fuse_buf_copy(&dst, bv, 0);
    }
    if (bv) {
        for (size_t i = 0; i < bv->count; i++)
            if (!(bv->buf[i].flags & FUSE_BUF_IS_FD))
                free(bv->buf[i].mem);
        free(bv);
    }
    return n;
}

FUSE3_API int fuse_fs_read_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec **bufp,
                               size_t size, off_t off, struct fuse_file_info *fi)
{
    if (fs->op.read_buf)
        return FS_CALL(fs, read_buf, -ENOSYS, path, bufp, size, off, fi);
    if (!fs->op.read)
        return -ENOSYS;
    struct fuse_bufvec *bv = malloc(sizeof *bv);
    void *mem = malloc(size ? size : 1);
    if (!bv || !mem) {
        free(bv), free(mem);
        return -ENOMEM;
    }
    *bv = (struct fuse_bufvec)FUSE_BUFVEC_INIT(size);
    bv->buf[0].mem = mem;
    int n = FS_CALL(fs, read, -ENOSYS, path, mem, size, off, fi);
    if (n < 0) {
        free(mem), free(bv);
        return n;
    }
    bv->buf[0].size = (size_t)n;
    *bufp = bv;
    return 0;
}

FUSE3_API int fuse_fs_write(struct fuse_fs *fs, const char *path, const char *buf, size_t size,
                            off_t off, struct fuse_file_info *fi)
{
    if (fs->op.write)
        return FS_CALL(fs, write, -ENOSYS, path, buf, size, off, fi);
    if (!fs->op.write_buf)
        return -ENOSYS;
    struct fuse_bufvec bv = FUSE_BUFVEC_INIT(size);
    bv.buf[0].mem = (void *)buf;
    return FS_CALL(fs, write_buf, -ENOSYS, path, &bv, off, fi);
}

FUSE3_API int fuse_fs_write_buf(struct fuse_fs *fs, const char *path, struct fuse_bufvec *buf,
                                off_t off, struct fuse_file_info *fi)
{
    if (fs->op.write_buf)
        return FS_CALL(fs, write_buf, -ENOSYS, path, buf, off, fi);
    if (!fs->op.write)
        return -ENOSYS;
    size_t size = fuse_buf_size(buf);
    if (1 == buf->count && !(buf->buf[0].flags & FUSE_BUF_IS_FD))
        return FS_CALL(fs, write, -ENOSYS, path, (const char *)buf->buf[0].mem + buf->off, size,
                       off, fi);
    char *mem = malloc(size ? size : 1);
    if (!mem)
        return -ENOMEM;
    struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
    dst.buf[0].mem = mem;
    ssize_t got = fuse_buf_copy(&dst, buf, 0);
    int n = got < 0 ? (int)got : FS_CALL(fs, write, -ENOSYS, path, mem, (size_t)got, off, fi);
    free(mem);
    return n;
}

FUSE3_API int fuse_fs_fsync(struct fuse_fs *fs, const char *path, int datasync,
                            struct fuse_file_info *fi)
{
    return FS_CALL(fs, fsync, -ENOSYS, path, datasync, fi);
}

FUSE3_API int fuse_fs_flush(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    return FS_CALL(fs, flush, -ENOSYS, path, fi);
}

FUSE3_API int fuse_fs_statfs(struct fuse_fs *fs, const char *path, struct statvfs *buf)
{
    if (!fs->op.statfs) {
        memset(buf, 0, sizeof *buf);
        buf->f_namemax = 255;
        buf->f_bsize = 512;
        return 0;
    }
    return FS_QUERY(fs, statfs, -ENOSYS, path, buf);
}

FUSE3_API int fuse_fs_opendir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    return FS_QUERY(fs, opendir, 0, path, fi);
}

FUSE3_API int fuse_fs_readdir(struct fuse_fs *fs, const char *path, void *buf,
                              fuse_fill_dir_t filler, off_t off, struct fuse_file_info *fi,
                              enum fuse_readdir_flags flags)
{
    return FS_QUERY(fs, readdir, -ENOSYS, path, buf, filler, off, fi, flags);
}

FUSE3_API int fuse_fs_fsyncdir(struct fuse_fs *fs, const char *path, int datasync,
                               struct fuse_file_info *fi)
{
    return FS_QUERY(fs, fsyncdir, -ENOSYS, path, datasync, fi);
}

FUSE3_API int fuse_fs_releasedir(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi)
{
    return FS_QUERY(fs, releasedir, 0, path, fi);
}

FUSE3_API int fuse_fs_create(struct fuse_fs *fs, const char *path, mode_t mode,
                             struct fuse_file_info *fi)
{
    return FS_CALL(fs, create, -ENOSYS, path, mode, fi);
}

FUSE3_API int fuse_fs_lock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi,
                           int cmd, struct flock *lock)
{
    return FS_QUERY(fs, lock, -ENOSYS, path, fi, cmd, lock);
}

FUSE3_API int fuse_fs_flock(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi,
                            int op)
{
    return FS_QUERY(fs, flock, -ENOSYS, path, fi, op);
}

FUSE3_API int fuse_fs_chmod(struct fuse_fs *fs, const char *path, mode_t mode,
                            struct fuse_file_info *fi)
{
    return FS_CALL(fs, chmod, -ENOSYS, path, mode, fi);
}

FUSE3_API int fuse_fs_chown(struct fuse_fs *fs, const char *path, uid_t uid, gid_t gid,
                            struct fuse_file_info *fi)
{
    return FS_CALL(fs, chown, -ENOSYS, path, uid, gid, fi);
}

FUSE3_API int fuse_fs_truncate(struct fuse_fs *fs, const char *path, off_t size,
                               struct fuse_file_info *fi)
{
    return FS_CALL(fs, truncate, -ENOSYS, path, size, fi);
}

FUSE3_API int fuse_fs_utimens(struct fuse_fs *fs, const char *path, const struct timespec tv[2],
                              struct fuse_file_info *fi)
{
    return FS_CALL(fs, utimens, -ENOSYS, path, tv, fi);
}

FUSE3_API int fuse_fs_access(struct fuse_fs *fs, const char *path, int mask)
{
    return FS_QUERY(fs, access, -ENOSYS, path, mask);
}

FUSE3_API int fuse_fs_readlink(struct fuse_fs *fs, const char *path, char *buf, size_t len)
{
    return FS_QUERY(fs, readlink, -ENOSYS, path, buf, len);
}

FUSE3_API int fuse_fs_mknod(struct fuse_fs *fs, const char *path, mode_t mode, dev_t rdev)
{
    return FS_CALL(fs, mknod, -ENOSYS, path, mode, rdev);
}

FUSE3_API int fuse_fs_mkdir(struct fuse_fs *fs, const char *path, mode_t mode)
{
    return FS_CALL(fs, mkdir, -ENOSYS, path, mode);
}

FUSE3_API int fuse_fs_setxattr(struct fuse_fs *fs, const char *path, const char *name,
                               const char *value, size_t size, int flags)
{
    return FS_CALL(fs, setxattr, -ENOSYS, path, name, value, size, flags);
}

FUSE3_API int fuse_fs_getxattr(struct fuse_fs *fs, const char *path, const char *name,
                               char *value, size_t size)
{
    return FS_QUERY(fs, getxattr, -ENOSYS, path, name, value, size);
}

FUSE3_API int fuse_fs_listxattr(struct fuse_fs *fs, const char *path, char *list, size_t size)
{
    return FS_QUERY(fs, listxattr, -ENOSYS, path, list, size);
}

FUSE3_API int fuse_fs_removexattr(struct fuse_fs *fs, const char *path, const char *name)
{
    return FS_CALL(fs, removexattr, -ENOSYS, path, name);
}

FUSE3_API int fuse_fs_bmap(struct fuse_fs *fs, const char *path, size_t blocksize, uint64_t *idx)
{
    return FS_QUERY(fs, bmap, -ENOSYS, path, blocksize, idx);
}

FUSE3_API int fuse_fs_ioctl(struct fuse_fs *fs, const char *path, unsigned int cmd, void *arg,
                            struct fuse_file_info *fi, unsigned int flags, void *data)
{
    return FS_CALL(fs, ioctl, -ENOSYS, path, cmd, arg, fi, flags, data);
}

FUSE3_API int fuse_fs_poll(struct fuse_fs *fs, const char *path, struct fuse_file_info *fi,
                           struct fuse_pollhandle *ph, unsigned *reventsp)
{
    return FS_QUERY(fs, poll, -ENOSYS, path, fi, ph, reventsp);
}

FUSE3_API int fuse_fs_fallocate(struct fuse_fs *fs, const char *path, int mode, off_t offset,
                                off_t length, struct fuse_file_info *fi)
{
    return FS_CALL(fs, fallocate, -ENOSYS, path, mode, offset, length, fi);
}

FUSE3_API ssize_t fuse_fs_copy_file_range(struct fuse_fs *fs, const char *path_in,
                                          struct fuse_file_info *fi_in, off_t off_in,
                                          const char *path_out, struct fuse_file_info *fi_out,
                                          off_t off_out, size_t len, int flags)
{
    return FS_CALL(fs, copy_file_range, (ssize_t)-ENOSYS, path_in, fi_in, off_in, path_out,
                   fi_out, off_out, len, flags);
}

FUSE3_API off_t fuse_fs_lseek(struct fuse_fs *fs, const char *path, off_t off, int whence,
                              struct fuse_file_info *fi)
{
    return FS_QUERY(fs, lseek, (off_t)-ENOSYS, path, off, whence, fi);
}

FUSE3_API void fuse_fs_init(struct fuse_fs *fs, struct fuse_conn_info *conn,
                            struct fuse_config *cfg)
{
    if (!fs->op.init)
        return;
    struct fs_frame f = enter_fs(fs, false);
    void *data = fs->op.init(conn, cfg);
    leave_fs(f);
    fs->user_data = data;
}

FUSE3_API void fuse_fs_destroy(struct fuse_fs *fs)
{
    if (!fs)
        return;
    if (fs->op.destroy) {
        struct fs_frame f = enter_fs(fs, false);
        fs->op.destroy(fs->user_data);
        leave_fs(f);
    }
    if (fs->dl)
        dlclose(fs->dl);
    free(fs);
}

/* ---- modules ---- */

fuse_module_factory_t (*fuse3_module_lookup)(const char *name);

/* The factory of module name, and the library it came from (to close with its layer). */
static fuse_module_factory_t find_module(const char *name, void **pdl)
{
    *pdl = 0;
    if (0 == strcmp(name, "subdir"))
        return fuse3_module_subdir;
    if (0 == strcmp(name, "iconv"))
        return fuse3_module_iconv;
    if (fuse3_module_lookup) {
        fuse_module_factory_t factory = fuse3_module_lookup(name);
        if (factory)
            return factory;
    }
    /* libfusemod_NAME.so with the factory FUSE_REGISTER_MODULE(NAME, ...) defines */
    size_t n = strlen(name) + 32;
    char *lib = malloc(n), *sym = malloc(n);
    fuse_module_factory_t factory = 0;
    if (lib && sym) {
        snprintf(lib, n, "libfusemod_%s.so", name);
        snprintf(sym, n, "fuse_module_%s_factory", name);
        void *dl = dlopen(lib, RTLD_NOW);
        if (!dl)
            fuse_log(FUSE_LOG_ERR, "fuse: %s\n", dlerror());
        else {
            fuse_module_factory_t *p = dlsym(dl, sym);
            if (p && *p) {
                factory = *p;
                *pdl = dl;
            } else {
                fuse_log(FUSE_LOG_ERR, "fuse: symbol of module %s not found (%s)\n", name, sym);
                dlclose(dl);
            }
        }
    }
    free(lib), free(sym);
    return factory;
}

int fuse3_push_modules(struct fuse *f, struct fuse_args *args)
{
    if (!f->conf.modules || !f->conf.modules[0])
        return 0;
    char *list = strdup(f->conf.modules), *save = 0;
    if (!list)
        return -1;
    int res = 0;
    for (char *name = strtok_r(list, ":", &save); name && 0 == res; name = strtok_r(0, ":", &save)) {
        if (f->nchain > FUSE3_MAX_MODULES) {
            fuse_log(FUSE_LOG_ERR, "fuse: too many modules\n");
            res = -1;
            break;
        }
        void *dl = 0;
        fuse_module_factory_t factory = find_module(name, &dl);
        if (!factory) {
            fuse_log(FUSE_LOG_ERR, "fuse: module %s not found\n", name);
            res = -1;
            break;
        }
        struct fuse_fs *next[2] = {f->top, 0};
        struct fuse_fs *fs = factory(args, next);
        if (!fs) {
            if (dl)
                dlclose(dl);
            res = -1;
            break;
        }
        fs->dl = dl;
        fs->owner = f;
        f->chain[f->nchain++] = fs;
        f->top = fs;
    }
    free(list);
    return res;
}

void fuse3_free_stack(struct fuse *f)
{
    if (f->inited && !f->destroyed) {
        /* destroy() runs down the stack: each module destroys (and frees) the layer below */
        fuse3_context_enter(f);
        fuse_fs_destroy(f->top);
    } else {
        /* init never ran, so neither does destroy(): free each layer and a built-in
         * module's state */
        for (unsigned i = f->nchain; i-- > 0;) {
            struct fuse_fs *fs = f->chain[i];
            if (fs->free_data)
                fs->free_data(fs->user_data);
            if (fs->dl)
                dlclose(fs->dl);
            free(fs);
        }
    }
    f->top = 0;
    f->nchain = 0;
}
