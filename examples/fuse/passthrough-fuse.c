/*
 * examples/fuse/passthrough-fuse.c - a FUSE 3 file system that mirrors an existing
 * directory ("the source"). Uses only the public libfuse 3 high-level API, so it
 * builds unchanged against libfuse 3 and against LinFsp's FUSE 3 layer:
 *     cc -std=gnu11 passthrough-fuse.c $(pkg-config --cflags --libs fuse3) -o passthrough-fuse
 *     ./passthrough-fuse -o source=DIR [-f] [-d] [-s] [-o OPTION,...] MOUNTPOINT
 *
 * Every path the kernel sends is resolved relative to an O_PATH descriptor of the
 * source directory (the path minus its leading '/', "." for the root), with the
 * *at() system calls, never following a symbolic link in the last component.
 * Open files and directories keep their descriptor in fi->fh (nullpath_ok), and a file
 * unlinked or replaced while open stays reachable (see "Open files that lost their name").
 *
 * The file system runs with the credentials of its process. Run as root it creates
 * files, directories, nodes and symbolic links as root and then gives them to the
 * calling user and group (the group of a set-group-ID parent directory is kept), and
 * it always adds "-o default_permissions" so that the kernel checks the caller's
 * access against the modes and owners it reports. Add "-o allow_other" to let other
 * users in.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

static struct {
    char *source;
} options;

static const struct fuse_opt option_spec[] = {
    {"source=%s", offsetof(__typeof__(options), source), 0},
    FUSE_OPT_END,
};

static int source_fd = -1; /* O_PATH | O_DIRECTORY descriptor of the source */

/* The path relative to the source: "/a/b" -> "a/b", "/" -> ".". */
static const char *rel(const char *path)
{
    while ('/' == *path)
        path++;
    return *path ? path : ".";
}

/*
 * Open files that lost their name. libfuse's high-level API (without hard_remove) keeps a
 * file that is unlinked or replaced while open under a hidden name, ".fuse_hidden" and 16
 * hex digits, by renaming it, and goes on naming it so (getattr, chmod, setxattr, ...)
 * until the last release, then unlinks that name. Here the "hiding" rename keeps an
 * O_PATH descriptor of the file and really unlinks it from the source, so the source,
 * its listings and rmdir(2) of its directory behave as on a local file system; the
 * hidden name then stands for the descriptor, as /proc/self/fd/N.
 *
 * A rename is taken for a hiding one only when it looks like one whatever the library's
 * details: to a hidden name, from a name that is not one, with flags 0 or RENAME_NOREPLACE,
 * of a file that is open here (the library hides open files only; anything else, say a
 * user's "mv f .fuse_hidden0123456789abcdef", is an ordinary rename). The descriptor is
 * given up when the unlink of the hidden name comes, or at the last release of the file,
 * whichever is first: a library may have no name left to unlink (libfuse, when the
 * hidden file's directory was removed meanwhile). One more case: libfuse decides to hide
 * a file while it is open, but its last release may overtake the rename, and libfuse then
 * never unlinks the hidden name. A hiding rename of a file released moments ago (one of
 * the last RECENT files released) is therefore the unlink it stands for (the price: a
 * user's rename of such a file to a hidden-looking name deletes it).
 */
#define HIDDEN_PREFIX ".fuse_hidden"
struct hidden {
    struct hidden *next;
    int fd;
    dev_t dev;
    ino_t ino;
    char name[];
};
static struct hidden *hidden_files;
static pthread_mutex_t hidden_lock = PTHREAD_MUTEX_INITIALIZER;

/* The files open here (by open and create): how many handles each has (hidden_lock). */
struct open_file {
    struct open_file *next;
    dev_t dev;
    ino_t ino;
    unsigned count;
};
static struct open_file *open_files;

/* The files whose last handle was released most recently (hidden_lock). */
#define RECENT 64
static struct {
    dev_t dev;
    ino_t ino;
} recently_released[RECENT];
static unsigned recent_count;

static struct open_file **open_file_find(dev_t dev, ino_t ino)
{
    struct open_file **p = &open_files;
    while (*p && ((*p)->dev != dev || (*p)->ino != ino))
        p = &(*p)->next;
    return p;
}

/* A handle of the file fd was opened (fd stays open: the caller's). */
static int open_file_add(int fd)
{
    struct stat st;
    if (-1 == fstat(fd, &st))
        return -errno;
    int err = 0;
    pthread_mutex_lock(&hidden_lock);
    struct open_file **p = open_file_find(st.st_dev, st.st_ino);
    if (*p)
        (*p)->count++;
    else if ((*p = malloc(sizeof **p))) {
        (*p)->next = NULL;
        (*p)->dev = st.st_dev;
        (*p)->ino = st.st_ino;
        (*p)->count = 1;
    } else
        err = -ENOMEM;
    pthread_mutex_unlock(&hidden_lock);
    return err;
}

/* A handle of the file fd is released: at the last one, the file's hidden name goes too. */
static void open_file_remove(int fd)
{
    struct stat st;
    if (-1 == fstat(fd, &st))
        return;
    struct hidden *gone = NULL;
    pthread_mutex_lock(&hidden_lock);
    struct open_file **p = open_file_find(st.st_dev, st.st_ino), *o = *p;
    if (o && 0 == --o->count) {
        *p = o->next;
        free(o);
        recently_released[recent_count % RECENT].dev = st.st_dev;
        recently_released[recent_count % RECENT].ino = st.st_ino;
        recent_count++;
        for (struct hidden **h = &hidden_files; *h;)
            if ((*h)->dev == st.st_dev && (*h)->ino == st.st_ino) {
                struct hidden *x = *h;
                *h = x->next;
                x->next = gone;
                gone = x;
            } else
                h = &(*h)->next;
    }
    pthread_mutex_unlock(&hidden_lock);
    while (gone) {
        struct hidden *x = gone;
        gone = x->next;
        close(x->fd);
        free(x);
    }
}

/* The object at path (in the source): a file open here, one released moments ago, or else. */
enum { NOT_OPEN, OPEN_HERE, JUST_RELEASED };
static int open_state(const char *path)
{
    struct stat st;
    if (-1 == fstatat(source_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
        return NOT_OPEN;
    int state = NOT_OPEN;
    pthread_mutex_lock(&hidden_lock);
    if (*open_file_find(st.st_dev, st.st_ino))
        state = OPEN_HERE;
    else
        for (unsigned i = 0; i < RECENT && i < recent_count; i++)
            if (recently_released[i].dev == st.st_dev && recently_released[i].ino == st.st_ino)
                state = JUST_RELEASED;
    pthread_mutex_unlock(&hidden_lock);
    return state;
}

static bool is_hidden_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (0 != strncmp(base, HIDDEN_PREFIX, sizeof HIDDEN_PREFIX - 1))
        return false;
    base += sizeof HIDDEN_PREFIX - 1;
    size_t n = strspn(base, "0123456789abcdefABCDEF");
    return 16 == n && 0 == base[n];
}

/*
 * A descriptor of the file a hidden name stands for, or -1: a duplicate, which the caller
 * closes (the table's own may be closed by the final unlink meanwhile); with unlink, the
 * table's own, and the name is forgotten.
 */
static int hidden_fd(const char *path, bool unlink)
{
    if (!path || !is_hidden_name(path))
        return -1;
    const char *base = strrchr(path, '/') + 1;
    int fd = -1;
    pthread_mutex_lock(&hidden_lock);
    for (struct hidden **p = &hidden_files; *p; p = &(*p)->next)
        if (0 == strcmp((*p)->name, base)) {
            struct hidden *h = *p;
            if (unlink) {
                fd = h->fd;
                *p = h->next;
                free(h);
            } else
                fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0);
            break;
        }
    pthread_mutex_unlock(&hidden_lock);
    return fd;
}

static int hide(const char *from, const char *to, unsigned int flags)
{
    const char *base = strrchr(to, '/') + 1;
    struct hidden *h = malloc(sizeof *h + strlen(base) + 1);
    if (!h)
        return -ENOMEM;
    strcpy(h->name, base);
    struct stat st;
    if (RENAME_NOREPLACE == flags && 0 == fstatat(source_fd, rel(to), &st, AT_SYMLINK_NOFOLLOW)) {
        free(h);
        return -EEXIST;
    }
    h->fd = openat(source_fd, rel(from), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (-1 == h->fd || -1 == fstat(h->fd, &st) || -1 == unlinkat(source_fd, rel(from), 0)) {
        int e = errno;
        if (-1 != h->fd)
            close(h->fd);
        free(h);
        return -e;
    }
    h->dev = st.st_dev;
    h->ino = st.st_ino;
    pthread_mutex_lock(&hidden_lock);
    bool taken = false;
    for (struct hidden *x = hidden_files; x; x = x->next)
        taken |= 0 == strcmp(x->name, h->name);
    if (!taken) {
        h->next = hidden_files;
        hidden_files = h;
    }
    pthread_mutex_unlock(&hidden_lock);
    if (taken) { /* the library names each hidden file once: cannot happen */
        close(h->fd);
        free(h);
    }
    return 0;
}

/*
 * Where an operation finds the object named by path: (dirfd, name) and the *at() flag
 * that keeps a final symbolic link from being followed. A hidden file is named by its
 * /proc/self/fd link, which must be followed (it leads to the file itself).
 */
struct where {
    int dirfd;
    const char *name;
    int nofollow;
    int fd; /* of a hidden file, closed by done() */
    char proc[32];
};

static void locate(const char *path, struct where *w)
{
    w->fd = hidden_fd(path, false);
    if (-1 != w->fd) {
        snprintf(w->proc, sizeof w->proc, "/proc/self/fd/%d", w->fd);
        w->dirfd = AT_FDCWD, w->name = w->proc, w->nofollow = 0;
    } else
        w->dirfd = source_fd, w->name = rel(path), w->nofollow = AT_SYMLINK_NOFOLLOW;
}

/* The end of an operation on what locate() found: returns r, errno kept. */
static int done(struct where *w, int r)
{
    if (-1 != w->fd) {
        int e = errno;
        close(w->fd);
        errno = e;
    }
    return r;
}

/* openat() of what locate() found. */
static int open_located(struct where *w, int flags, mode_t mode)
{
    return done(w, openat(w->dirfd, w->name, flags | O_CLOEXEC | (w->nofollow ? O_NOFOLLOW : 0), mode));
}

/*
 * Give a newly created object to the caller. When the process is not root the object
 * already belongs to the process and nothing is done. chown(2) clears the set-user-ID
 * and set-group-ID bits of a non-directory; they are put back.
 */
static int give_to_caller(int dirfd, const char *name, int flags)
{
    if (0 != geteuid())
        return 0;
    struct fuse_context *ctx = fuse_get_context();
    struct stat st;
    if (-1 == fstatat(dirfd, name, &st, flags))
        return -errno;
    uid_t uid = ctx->uid == st.st_uid ? (uid_t)-1 : ctx->uid;
    gid_t gid = ctx->gid == st.st_gid ? (gid_t)-1 : ctx->gid;
    /* In a set-group-ID directory the new object has the directory's group already. */
    char dir[PATH_MAX];
    const char *slash = strrchr(name, '/');
    size_t len = slash ? (size_t)(slash - name) : 0;
    if (len >= sizeof dir)
        return -ENAMETOOLONG;
    memcpy(dir, name, len);
    strcpy(dir + len, len ? "" : ".");
    struct stat parent;
    if ((gid_t)-1 != gid && 0 == fstatat(source_fd, dir, &parent, 0) && (parent.st_mode & S_ISGID))
        gid = (gid_t)-1;
    if ((uid_t)-1 == uid && (gid_t)-1 == gid)
        return 0;
    if (-1 == fchownat(dirfd, name, uid, gid, flags))
        return -errno;
    if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID))) {
        struct stat now;
        if (-1 != fstatat(dirfd, name, &now, flags) && (now.st_mode & 07777) != (st.st_mode & 07777) &&
            -1 == fchmodat(dirfd, name, st.st_mode & 07777, 0))
            return -errno; /* the set-ID bits the chown dropped could not be put back */
    }
    return 0;
}

/* Undo a creation whose object could not be given to the caller. */
static int created(const char *path, int err, int is_dir)
{
    if (0 != err)
        unlinkat(source_fd, rel(path), is_dir ? AT_REMOVEDIR : 0);
    return err;
}

static void *pt_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->use_ino = 1;      /* the source's inode numbers (hard links share one) */
    cfg->nullpath_ok = 1;  /* operations on an open file need only fi->fh */
    /* hard_remove stays off: see "Open files that lost their name" */
    return NULL;
}

static void pt_destroy(void *private_data)
{
    (void)private_data;
    while (hidden_files) {
        struct hidden *h = hidden_files;
        hidden_files = h->next;
        close(h->fd);
        free(h);
    }
    while (open_files) {
        struct open_file *o = open_files;
        open_files = o->next;
        free(o);
    }
    if (-1 != source_fd)
        close(source_fd);
    source_fd = -1;
}

static int pt_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (fi)
        return -1 == fstat((int)fi->fh, st) ? -errno : 0;
    struct where w;
    locate(path, &w);
    return done(&w, -1 == fstatat(w.dirfd, w.name, st, w.nofollow) ? -errno : 0);
}

static int pt_readlink(const char *path, char *buf, size_t size)
{
    if (0 == size)
        return -EINVAL;
    ssize_t n = readlinkat(source_fd, rel(path), buf, size - 1);
    if (-1 == n)
        return -errno;
    buf[n] = 0;
    return 0;
}

static int pt_mknod(const char *path, mode_t mode, dev_t rdev)
{
    if (-1 == mknodat(source_fd, rel(path), mode, rdev))
        return -errno;
    return created(path, give_to_caller(source_fd, rel(path), AT_SYMLINK_NOFOLLOW), 0);
}

static int pt_mkdir(const char *path, mode_t mode)
{
    if (-1 == mkdirat(source_fd, rel(path), mode))
        return -errno;
    return created(path, give_to_caller(source_fd, rel(path), AT_SYMLINK_NOFOLLOW), 1);
}

static int pt_unlink(const char *path)
{
    int fd = hidden_fd(path, true);
    if (-1 != fd) {
        close(fd); /* the last release of a hidden file: it is gone from the source already */
        return 0;
    }
    return -1 == unlinkat(source_fd, rel(path), 0) ? -errno : 0;
}

static int pt_rmdir(const char *path)
{
    return -1 == unlinkat(source_fd, rel(path), AT_REMOVEDIR) ? -errno : 0;
}

static int pt_symlink(const char *target, const char *path)
{
    if (-1 == symlinkat(target, source_fd, rel(path)))
        return -errno;
    return created(path, give_to_caller(source_fd, rel(path), AT_SYMLINK_NOFOLLOW), 0);
}

static int pt_rename(const char *from, const char *to, unsigned int flags)
{
    if ((0 == flags || RENAME_NOREPLACE == flags) && is_hidden_name(to) && !is_hidden_name(from)) {
        struct stat st;
        switch (open_state(from)) {
        case OPEN_HERE:
            return hide(from, to, flags);
        case JUST_RELEASED: /* no handle left to keep it for: the unlink it stands for */
            if (RENAME_NOREPLACE == flags && 0 == fstatat(source_fd, rel(to), &st, AT_SYMLINK_NOFOLLOW))
                return -EEXIST;
            return -1 == unlinkat(source_fd, rel(from), 0) ? -errno : 0;
        }
    }
    if (-1 == renameat2(source_fd, rel(from), source_fd, rel(to), flags))
        return -errno;
    return 0;
}

static int pt_link(const char *from, const char *to)
{
    return -1 == linkat(source_fd, rel(from), source_fd, rel(to), 0) ? -errno : 0;
}

static int pt_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    if (fi)
        return -1 == fchmod((int)fi->fh, mode) ? -errno : 0;
    /* chmod through /proc/self/fd of an O_PATH descriptor: never follows a symlink */
    struct where w;
    locate(path, &w);
    int fd = open_located(&w, O_PATH, 0);
    if (-1 == fd)
        return -errno;
    struct stat st;
    int r = 0;
    if (-1 == fstat(fd, &st))
        r = -errno;
    else if (S_ISLNK(st.st_mode))
        r = -EOPNOTSUPP;
    else {
        char proc[32];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (-1 == chmod(proc, mode))
            r = -errno;
    }
    close(fd);
    return r;
}

static int pt_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    if (fi)
        return -1 == fchown((int)fi->fh, uid, gid) ? -errno : 0;
    struct where w;
    locate(path, &w);
    return done(&w, -1 == fchownat(w.dirfd, w.name, uid, gid, w.nofollow) ? -errno : 0);
}

static int pt_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    if (fi)
        return -1 == ftruncate((int)fi->fh, size) ? -errno : 0;
    struct where w;
    locate(path, &w);
    int fd = open_located(&w, O_WRONLY | O_NONBLOCK, 0);
    if (-1 == fd)
        return -errno;
    int r = ftruncate(fd, size) ? -errno : 0;
    close(fd);
    return r;
}

/*
 * The open flags for the source. O_DIRECT stays with the kernel, which bypasses its page
 * cache of the mount for the file; the buffers libfuse reads into and writes from need
 * not meet the source's alignment rules for direct I/O.
 */
static int source_flags(int flags)
{
    return (flags & ~(O_CREAT | O_DIRECT)) | O_CLOEXEC;
}

static int pt_open(const char *path, struct fuse_file_info *fi)
{
    struct where w;
    locate(path, &w); /* a hidden file can be opened again, e.g. through /proc/PID/fd */
    int fd = open_located(&w, source_flags(fi->flags), 0);
    if (-1 == fd)
        return -errno;
    int err = open_file_add(fd);
    if (err) {
        close(fd);
        return err;
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int pt_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    /* Create exclusively, so that only a file made here is given to the caller; one that
     * appeared in the source since the kernel looked is opened as it is (without O_EXCL). */
    int flags = source_flags(fi->flags) | O_NOFOLLOW;
    int fd = openat(source_fd, rel(path), flags | O_CREAT | O_EXCL, mode);
    if (-1 == fd && EEXIST == errno && !(fi->flags & O_EXCL)) {
        fd = openat(source_fd, rel(path), flags);
        if (-1 == fd)
            return -errno;
    } else if (-1 == fd)
        return -errno;
    else {
        int err = give_to_caller(source_fd, rel(path), AT_SYMLINK_NOFOLLOW);
        if (err) {
            close(fd);
            return created(path, err, 0);
        }
    }
    int err = open_file_add(fd);
    if (err) {
        close(fd);
        return err;
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int pt_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    ssize_t n = pread((int)fi->fh, buf, size, off);
    return -1 == n ? -errno : (int)n;
}

static int pt_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)path;
    ssize_t n = pwrite((int)fi->fh, buf, size, off);
    return -1 == n ? -errno : (int)n;
}

static int pt_statfs(const char *path, struct statvfs *sv)
{
    (void)path;
    return -1 == fstatvfs(source_fd, sv) ? -errno : 0;
}

static int pt_flush(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    /* Closing a duplicate runs what close(2) runs on the source (e.g. on NFS)
     * without giving up the descriptor. */
    int fd = dup((int)fi->fh);
    if (-1 == fd)
        return -errno;
    return -1 == close(fd) ? -errno : 0;
}

static int pt_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    open_file_remove((int)fi->fh);
    close((int)fi->fh);
    return 0;
}

static int pt_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    int r = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);
    return -1 == r ? -errno : 0;
}

/*
 * Extended attributes: the *xattrat() system calls are too new for the C library, so the
 * object is opened with O_PATH | O_NOFOLLOW and named by its /proc/self/fd link, which
 * resolves to the object itself (a symbolic link included, never its target).
 */
static int xattr_open(const char *path, char *proc, size_t size)
{
    struct where w;
    locate(path, &w);
    int fd = open_located(&w, O_PATH, 0);
    if (-1 != fd)
        snprintf(proc, size, "/proc/self/fd/%d", fd);
    return fd;
}

static int pt_setxattr(const char *path, const char *name, const char *value, size_t size,
                       int flags)
{
    char proc[64];
    int fd = xattr_open(path, proc, sizeof proc);
    if (-1 == fd)
        return -errno;
    int r = -1 == setxattr(proc, name, value, size, flags) ? -errno : 0;
    close(fd);
    return r;
}

static int pt_getxattr(const char *path, const char *name, char *value, size_t size)
{
    char proc[64];
    int fd = xattr_open(path, proc, sizeof proc);
    if (-1 == fd)
        return -errno;
    ssize_t n = getxattr(proc, name, value, size);
    int r = -1 == n ? -errno : (int)n;
    close(fd);
    return r;
}

static int pt_listxattr(const char *path, char *list, size_t size)
{
    char proc[64];
    int fd = xattr_open(path, proc, sizeof proc);
    if (-1 == fd)
        return -errno;
    ssize_t n = listxattr(proc, list, size);
    int r = -1 == n ? -errno : (int)n;
    close(fd);
    return r;
}

static int pt_removexattr(const char *path, const char *name)
{
    char proc[64];
    int fd = xattr_open(path, proc, sizeof proc);
    if (-1 == fd)
        return -errno;
    int r = -1 == removexattr(proc, name) ? -errno : 0;
    close(fd);
    return r;
}

/* An open directory: the stream, the entry read but not yet delivered, and its offset. */
struct pt_dir {
    DIR *dp;
    struct dirent *entry;
    off_t offset;
};

static int pt_opendir(const char *path, struct fuse_file_info *fi)
{
    int fd = openat(source_fd, rel(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (-1 == fd)
        return -errno;
    struct pt_dir *d = calloc(1, sizeof *d);
    if (!d) {
        close(fd);
        return -ENOMEM;
    }
    d->dp = fdopendir(fd);
    if (!d->dp) {
        int e = errno;
        close(fd);
        free(d);
        return -e;
    }
    fi->fh = (uint64_t)(uintptr_t)d;
    return 0;
}

static int pt_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)path;
    struct pt_dir *d = (struct pt_dir *)(uintptr_t)fi->fh;
    if (off != d->offset) {
        seekdir(d->dp, off);
        d->entry = NULL;
        d->offset = off;
    }
    for (;;) {
        if (!d->entry) {
            errno = 0;
            d->entry = readdir(d->dp);
            if (!d->entry) {
                if (errno)
                    return -errno;
                break;
            }
        }
        struct stat st;
        memset(&st, 0, sizeof st);
        enum fuse_fill_dir_flags fill = 0;
        if ((flags & FUSE_READDIR_PLUS) &&
            0 == fstatat(dirfd(d->dp), d->entry->d_name, &st, AT_SYMLINK_NOFOLLOW))
            fill = FUSE_FILL_DIR_PLUS;
        else {
            st.st_ino = d->entry->d_ino;
            st.st_mode = (mode_t)DTTOIF(d->entry->d_type);
        }
        off_t next = telldir(d->dp);
        if (filler(buf, d->entry->d_name, &st, next, fill))
            break; /* full: the entry is delivered by the next call */
        d->entry = NULL;
        d->offset = next;
    }
    return 0;
}

static int pt_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    struct pt_dir *d = (struct pt_dir *)(uintptr_t)fi->fh;
    closedir(d->dp);
    free(d);
    return 0;
}

static int pt_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    struct pt_dir *d = (struct pt_dir *)(uintptr_t)fi->fh;
    int fd = dirfd(d->dp);
    int r = datasync ? fdatasync(fd) : fsync(fd);
    return -1 == r ? -errno : 0;
}

static int pt_access(const char *path, int mask)
{
    struct where w;
    locate(path, &w);
    return done(&w, -1 == faccessat(w.dirfd, w.name, mask, w.nofollow) ? -errno : 0);
}

static int pt_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    if (fi)
        return -1 == futimens((int)fi->fh, tv) ? -errno : 0;
    struct where w;
    locate(path, &w);
    return done(&w, -1 == utimensat(w.dirfd, w.name, tv, w.nofollow) ? -errno : 0);
}

static int pt_fallocate(const char *path, int mode, off_t off, off_t len,
                        struct fuse_file_info *fi)
{
    (void)path;
    if (!fi)
        return -EOPNOTSUPP;
    return -1 == fallocate((int)fi->fh, mode, off, len) ? -errno : 0;
}

static int pt_flock(const char *path, struct fuse_file_info *fi, int op)
{
    (void)path;
    return -1 == flock((int)fi->fh, op) ? -errno : 0;
}

static off_t pt_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
    (void)path;
    off_t r = lseek((int)fi->fh, off, whence);
    return -1 == r ? -errno : r;
}

static ssize_t pt_copy_file_range(const char *path_in, struct fuse_file_info *fi_in, off_t off_in,
                                  const char *path_out, struct fuse_file_info *fi_out,
                                  off_t off_out, size_t len, int flags)
{
    (void)path_in, (void)path_out;
    ssize_t n = copy_file_range((int)fi_in->fh, &off_in, (int)fi_out->fh, &off_out, len,
                                (unsigned)flags);
    return -1 == n ? -errno : n;
}

static const struct fuse_operations pt_ops = {
    .init = pt_init,
    .destroy = pt_destroy,
    .getattr = pt_getattr,
    .readlink = pt_readlink,
    .mknod = pt_mknod,
    .mkdir = pt_mkdir,
    .unlink = pt_unlink,
    .rmdir = pt_rmdir,
    .symlink = pt_symlink,
    .rename = pt_rename,
    .link = pt_link,
    .chmod = pt_chmod,
    .chown = pt_chown,
    .truncate = pt_truncate,
    .open = pt_open,
    .create = pt_create,
    .read = pt_read,
    .write = pt_write,
    .statfs = pt_statfs,
    .flush = pt_flush,
    .release = pt_release,
    .fsync = pt_fsync,
    .setxattr = pt_setxattr,
    .getxattr = pt_getxattr,
    .listxattr = pt_listxattr,
    .removexattr = pt_removexattr,
    .opendir = pt_opendir,
    .readdir = pt_readdir,
    .releasedir = pt_releasedir,
    .fsyncdir = pt_fsyncdir,
    .access = pt_access,
    .utimens = pt_utimens,
    .fallocate = pt_fallocate,
    .flock = pt_flock,
    .lseek = pt_lseek,
    .copy_file_range = pt_copy_file_range,
};

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (-1 == fuse_opt_parse(&args, &options, option_spec, NULL))
        return 1;
    bool help = false, version = false; /* libfuse prints them; no source needed */
    for (int i = 1; i < argc; i++) {
        help |= 0 == strcmp(argv[i], "-h") || 0 == strcmp(argv[i], "--help");
        version |= 0 == strcmp(argv[i], "-V") || 0 == strcmp(argv[i], "--version");
    }
    if (help || version) {
        if (help)
            printf("usage: %s -o source=DIR [options] MOUNTPOINT\n"
                   "    -o source=DIR          the directory to mirror\n\n", argv[0]);
        int r = fuse_main(args.argc, args.argv, &pt_ops, NULL);
        fuse_opt_free_args(&args);
        return r;
    }
    if (!options.source) {
        fprintf(stderr, "usage: %s -o source=DIR [options] MOUNTPOINT\n", argv[0]);
        fuse_opt_free_args(&args);
        return 1;
    }
    source_fd = open(options.source, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (-1 == source_fd) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], options.source, strerror(errno));
        fuse_opt_free_args(&args);
        return 1;
    }
    /* the kernel checks access against what getattr reports (see the comment on top) */
    fuse_opt_add_arg(&args, "-odefault_permissions");
    /* Each name of a hard-linked file is an inode of its own to the kernel (libfuse's
     * high-level API works with names), so cached attributes of one name would miss
     * changes made through another: no caching, unless the command line says otherwise. */
    fuse_opt_insert_arg(&args, 1, "-oattr_timeout=0");
    umask(0); /* the kernel has applied the caller's umask to the modes it sends */
    int r = fuse_main(args.argc, args.argv, &pt_ops, NULL);
    fuse_opt_free_args(&args);
    free(options.source);
    return r;
}
