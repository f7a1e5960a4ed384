/*
 * examples/fuse/memfs-fuse2.c - an in-memory file system written against the FUSE 2.9
 * high-level API (FUSE_USE_VERSION 29) and nothing else, so it builds unchanged against
 * libfuse 2.9 and against LinFsp's FUSE layer:
 *     cc -std=gnu11 memfs-fuse2.c $(pkg-config --cflags --libs fuse) -o memfs-fuse2
 *     ./memfs-fuse2 [-f] [-d] [-s] [-o OPTION,...] [-o size=BYTES] MOUNTPOINT
 *
 * Directories, regular files (data in 64 KiB chunks, holes where nothing was written),
 * symbolic links, FIFOs and device nodes, hard links, modes, owners, times, extended
 * attributes, rename, truncate and fallocate. Everything lives under one mutex.
 *
 * The file system always runs with "-o use_ino" (its inode numbers, shared by hard
 * links) and "-o default_permissions" (the kernel checks access against the modes and
 * owners it reports), and with "-o attr_timeout=0" unless the command line says
 * otherwise: libfuse's high-level API gives each name of a hard-linked file an inode of
 * its own, so a cached attribute of one name would miss a change made through another.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define FUSE_USE_VERSION 29
#include <fuse.h>

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
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef ENOATTR
#define ENOATTR ENODATA
#endif
#define XATTR_CREATE_FLAG 1  /* XATTR_CREATE of <sys/xattr.h> */
#define XATTR_REPLACE_FLAG 2 /* XATTR_REPLACE */

#define CHUNK_SIZE 65536
#define MAX_FILE_SIZE ((off_t)1 << 40)

struct xattr {
    struct xattr *next;
    size_t size;
    char *value;
    char name[];
};

struct node;
struct entry {
    struct node *node; /* NULL: a removed entry, until the array is compacted */
    uint64_t cookie;   /* position in the directory: readdir offsets, stable under deletion */
    char *name;
    uint32_t hash;
    int32_t hnext;     /* the next entry (index) in the hash chain, -1 at the end */
};

struct node {
    ino_t ino;
    mode_t mode;
    nlink_t nlink;
    uid_t uid;
    gid_t gid;
    dev_t rdev;
    struct timespec atime, mtime, ctime;
    off_t size;
    char **chunks;   /* regular file: ceil(size / CHUNK_SIZE) or more; NULL is a hole */
    size_t nchunks;
    char *target;    /* symbolic link */
    struct xattr *xattrs;
    struct entry *entries; /* directory: in cookie order, removed ones included */
    size_t nentries, capacity, nlive;
    int32_t *buckets;      /* hash index of the entries by name */
    size_t nbuckets;
    uint64_t next_cookie;
    struct node *parent;   /* directory: its parent (the root is its own; NULL once removed) */
    unsigned opened;       /* open handles */
    unsigned hidden;       /* names in the hidden table (see hide()) */
};

static struct {
    char *size;
} options;

static const struct fuse_opt option_spec[] = {
    {"size=%s", offsetof(__typeof__(options), size), 0},
    FUSE_OPT_END,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *root;
static ino_t next_ino = 1;
static uint64_t capacity = 4ULL << 30; /* bytes, -o size= */
static uint64_t used_chunks;
static uint64_t node_count;

/* ---- nodes ---- */

static void now(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
}

static struct node *new_node(mode_t mode, uid_t uid, gid_t gid)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->ino = next_ino++;
    n->mode = mode;
    n->nlink = S_ISDIR(mode) ? 2 : 1;
    n->uid = uid;
    n->gid = gid;
    n->next_cookie = 3; /* 1 and 2 are "." and ".." */
    now(&n->atime);
    n->mtime = n->ctime = n->atime;
    node_count++;
    return n;
}

static void truncate_data(struct node *n, off_t size);

/* Free a node that has no name, no open handle and no hidden name left. */
static void maybe_free(struct node *n)
{
    if (n->nlink || n->opened || n->hidden)
        return;
    truncate_data(n, 0);
    free(n->chunks);
    free(n->target);
    for (struct xattr *x = n->xattrs, *next; x; x = next) {
        next = x->next;
        free(x->value);
        free(x);
    }
    for (size_t i = 0; i < n->nentries; i++)
        free(n->entries[i].name);
    free(n->entries);
    free(n->buckets);
    free(n);
    node_count--;
}

/*
 * A directory's entries: an array in cookie order (readdir resumes by binary search on
 * the cookie), where removing an entry leaves a hole that a later insertion compacts
 * away, and a chained hash index by name. Removing never moves an entry, so pointers to
 * entries stay good until the next insertion.
 */
static uint32_t name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    return h;
}

static void rehash(struct node *dir, size_t nbuckets)
{
    if (nbuckets != dir->nbuckets) {
        int32_t *b = malloc(nbuckets * sizeof *b);
        if (b) { /* else the old index stays, with longer chains */
            free(dir->buckets);
            dir->buckets = b, dir->nbuckets = nbuckets;
        }
    }
    for (size_t i = 0; i < dir->nbuckets; i++)
        dir->buckets[i] = -1;
    for (size_t i = 0; i < dir->nentries; i++) {
        struct entry *e = &dir->entries[i];
        if (e->node) {
            int32_t *head = &dir->buckets[e->hash % dir->nbuckets];
            e->hnext = *head;
            *head = (int32_t)i;
        }
    }
}

static struct entry *find_entry(struct node *dir, const char *name, size_t len)
{
    if (!dir->nbuckets)
        return NULL;
    uint32_t h = name_hash(name, len);
    for (int32_t i = dir->buckets[h % dir->nbuckets]; -1 != i; i = dir->entries[i].hnext) {
        struct entry *e = &dir->entries[i];
        if (e->hash == h && 0 == strncmp(e->name, name, len) && 0 == e->name[len])
            return e;
    }
    return NULL;
}

/* Room for one more entry (so that insert_entry cannot fail). */
static int reserve_entry(struct node *dir)
{
    if (dir->nentries < dir->capacity)
        return 0;
    size_t holes = dir->nentries - dir->nlive;
    if (holes > 16 && holes >= dir->nlive)
        return 0; /* insert_entry compacts */
    size_t cap = dir->capacity ? 2 * dir->capacity : 8;
    struct entry *e = realloc(dir->entries, cap * sizeof *e);
    if (!e)
        return -ENOMEM;
    dir->entries = e, dir->capacity = cap;
    return 0;
}

/* Append an entry (reserve_entry first); name is the entry's from now on. */
static void insert_entry(struct node *dir, char *name, struct node *n)
{
    size_t holes = dir->nentries - dir->nlive;
    if (holes > 16 && holes >= dir->nlive) {
        size_t k = 0;
        for (size_t i = 0; i < dir->nentries; i++)
            if (dir->entries[i].node)
                dir->entries[k++] = dir->entries[i];
        dir->nentries = k;
        rehash(dir, dir->nbuckets);
    }
    size_t len = strlen(name);
    size_t i = dir->nentries++;
    dir->entries[i] = (struct entry){n, dir->next_cookie++, name, name_hash(name, len), -1};
    dir->nlive++;
    if (dir->nentries > 2 * dir->nbuckets)
        rehash(dir, dir->nbuckets ? 4 * dir->nbuckets : 16);
    else {
        int32_t *head = &dir->buckets[dir->entries[i].hash % dir->nbuckets];
        dir->entries[i].hnext = *head;
        *head = (int32_t)i;
    }
    if (S_ISDIR(n->mode)) {
        n->parent = dir;
        dir->nlink++;
    }
    now(&dir->mtime);
    dir->ctime = dir->mtime;
}

static int add_entry(struct node *dir, const char *name, struct node *n)
{
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    int err = reserve_entry(dir);
    if (err) {
        free(copy);
        return err;
    }
    insert_entry(dir, copy, n);
    return 0;
}

/* Take the entry out of its directory; the node's link count is the caller's business. */
static void remove_entry(struct node *dir, struct entry *e)
{
    int32_t idx = (int32_t)(e - dir->entries);
    for (int32_t *p = &dir->buckets[e->hash % dir->nbuckets]; -1 != *p; p = &dir->entries[*p].hnext)
        if (*p == idx) {
            *p = e->hnext;
            break;
        }
    if (S_ISDIR(e->node->mode))
        dir->nlink--;
    free(e->name);
    e->name = NULL;
    e->node = NULL;
    dir->nlive--;
    now(&dir->mtime);
    dir->ctime = dir->mtime;
}

/* ---- hidden names ---- */

/*
 * libfuse's high-level API (without hard_remove) keeps a file that is unlinked or replaced
 * while open under a hidden name, ".fuse_hidden" and 16 hex digits, by renaming it, names
 * it so in later operations (getattr, chmod, setxattr, ...), and unlinks that name after
 * the last release. Here the hiding rename removes the file's name from its directory for
 * real (its link count drops, listings and rmdir no longer see it), and the hidden name
 * lives in this table only.
 */
#define HIDDEN_PREFIX ".fuse_hidden"
struct hidden {
    struct hidden *next;
    struct node *node;
    char name[];
};
static struct hidden *hidden_names;

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool is_hidden_name(const char *path)
{
    const char *base = base_name(path);
    if (0 != strncmp(base, HIDDEN_PREFIX, sizeof HIDDEN_PREFIX - 1))
        return false;
    base += sizeof HIDDEN_PREFIX - 1;
    size_t n = strspn(base, "0123456789abcdefABCDEF");
    return 16 == n && 0 == base[n];
}

static struct hidden **find_hidden(const char *path)
{
    if (!is_hidden_name(path))
        return NULL;
    const char *base = base_name(path);
    for (struct hidden **p = &hidden_names; *p; p = &(*p)->next)
        if (0 == strcmp((*p)->name, base))
            return p;
    return NULL;
}

/* ---- paths ---- */

/* The node a path names, or NULL with *err set. */
static struct node *lookup(const char *path, int *err)
{
    if (!path) {
        *err = -ENOENT;
        return NULL;
    }
    struct hidden **h = find_hidden(path);
    if (h)
        return (*h)->node;
    struct node *n = root;
    const char *p = path;
    for (;;) {
        while ('/' == *p)
            p++;
        if (!*p)
            return n;
        size_t len = strcspn(p, "/");
        if (!S_ISDIR(n->mode)) {
            *err = -ENOTDIR;
            return NULL;
        }
        if (len > NAME_MAX) {
            *err = -ENAMETOOLONG;
            return NULL;
        }
        struct entry *e = find_entry(n, p, len);
        if (!e) {
            *err = -ENOENT;
            return NULL;
        }
        n = e->node;
        p += len;
    }
}

/* The directory that holds the last component of path, and that component. */
static struct node *lookup_parent(const char *path, const char **name, int *err)
{
    const char *slash = strrchr(path, '/');
    *name = slash ? slash + 1 : path;
    if (!**name) {
        *err = -EINVAL;
        return NULL;
    }
    if (strlen(*name) > NAME_MAX) {
        *err = -ENAMETOOLONG;
        return NULL;
    }
    char dir[PATH_MAX];
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (len >= sizeof dir) {
        *err = -ENAMETOOLONG;
        return NULL;
    }
    memcpy(dir, path, len);
    dir[len] = 0;
    struct node *d = lookup(dir, err);
    if (d && !S_ISDIR(d->mode)) {
        *err = -ENOTDIR;
        return NULL;
    }
    return d;
}

/* A node made by the caller in dir: owner, group and the set-group-ID rule. */
static int make_node(const char *path, mode_t mode, struct node **out)
{
    int err = 0;
    const char *name;
    struct node *dir = lookup_parent(path, &name, &err);
    if (!dir)
        return err;
    if (find_entry(dir, name, strlen(name)))
        return -EEXIST;
    if (0 == dir->nlink)
        return -ENOENT; /* removed */
    struct fuse_context *ctx = fuse_get_context();
    struct node *n = new_node(mode, ctx->uid, ctx->gid);
    if (!n)
        return -ENOMEM;
    if (dir->mode & S_ISGID) {
        n->gid = dir->gid;
        if (S_ISDIR(mode))
            n->mode |= S_ISGID;
    }
    err = add_entry(dir, name, n);
    if (err) {
        n->nlink = 0;
        maybe_free(n);
        return err;
    }
    *out = n;
    return 0;
}

/* ---- data ---- */

static void truncate_data(struct node *n, off_t size)
{
    size_t keep = (size_t)((size + CHUNK_SIZE - 1) / CHUNK_SIZE);
    for (size_t i = keep; i < n->nchunks; i++)
        if (n->chunks[i]) {
            free(n->chunks[i]);
            n->chunks[i] = NULL;
            used_chunks--;
        }
    if (keep < n->nchunks)
        n->nchunks = keep;
    /* the bytes after the end of the file read as zero when it grows again */
    if (size % CHUNK_SIZE && (size_t)(size / CHUNK_SIZE) < n->nchunks && n->chunks[size / CHUNK_SIZE])
        memset(n->chunks[size / CHUNK_SIZE] + size % CHUNK_SIZE, 0,
               CHUNK_SIZE - (size_t)(size % CHUNK_SIZE));
}

static int reserve_chunks(struct node *n, size_t count)
{
    if (count <= n->nchunks)
        return 0;
    char **c = realloc(n->chunks, count * sizeof *c);
    if (!c)
        return -ENOMEM;
    memset(c + n->nchunks, 0, (count - n->nchunks) * sizeof *c);
    n->chunks = c, n->nchunks = count;
    return 0;
}

static char *chunk(struct node *n, size_t i)
{
    if (!n->chunks[i]) {
        if ((used_chunks + 1) * CHUNK_SIZE > capacity)
            return NULL;
        n->chunks[i] = calloc(1, CHUNK_SIZE);
        if (n->chunks[i])
            used_chunks++;
    }
    return n->chunks[i];
}

static int set_size(struct node *n, off_t size)
{
    if (size < 0)
        return -EINVAL;
    if (size > MAX_FILE_SIZE)
        return -EFBIG;
    if (size < n->size)
        truncate_data(n, size);
    n->size = size;
    return 0;
}

static void fill_stat(struct node *n, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_ino = n->ino;
    st->st_mode = n->mode;
    st->st_nlink = n->nlink;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_rdev = n->rdev;
    st->st_size = n->size;
    st->st_blksize = 4096;
    blkcnt_t blocks = 0;
    for (size_t i = 0; i < n->nchunks; i++)
        blocks += n->chunks[i] ? CHUNK_SIZE / 512 : 0;
    st->st_blocks = blocks;
    st->st_atim = n->atime;
    st->st_mtim = n->mtime;
    st->st_ctim = n->ctime;
}

/* ---- operations ---- */

#define LOCKED(expr)                \
    ({                              \
        pthread_mutex_lock(&lock);  \
        int r_ = (expr);            \
        pthread_mutex_unlock(&lock); \
        r_;                         \
    })

static struct node *handle(struct fuse_file_info *fi)
{
    return (struct node *)(uintptr_t)fi->fh;
}

static int do_getattr(const char *path, struct stat *st)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    fill_stat(n, st);
    return 0;
}

static int mf_getattr(const char *path, struct stat *st)
{
    return LOCKED(do_getattr(path, st));
}

static int do_fgetattr(struct fuse_file_info *fi, struct stat *st)
{
    fill_stat(handle(fi), st);
    return 0;
}

static int mf_fgetattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_fgetattr(fi, st));
}

static int do_readlink(const char *path, char *buf, size_t size)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    if (!S_ISLNK(n->mode))
        return -EINVAL;
    if (size) {
        snprintf(buf, size, "%s", n->target);
        now(&n->atime);
    }
    return 0;
}

static int mf_readlink(const char *path, char *buf, size_t size)
{
    return LOCKED(do_readlink(path, buf, size));
}

static int do_mknod(const char *path, mode_t mode, dev_t rdev)
{
    if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISSOCK(mode))
        return -EINVAL;
    struct node *n;
    int err = make_node(path, mode, &n);
    if (!err)
        n->rdev = rdev;
    return err;
}

static int mf_mknod(const char *path, mode_t mode, dev_t rdev)
{
    return LOCKED(do_mknod(path, mode, rdev));
}

static int do_mkdir(const char *path, mode_t mode)
{
    struct node *n;
    return make_node(path, S_IFDIR | (mode & 07777), &n);
}

static int mf_mkdir(const char *path, mode_t mode)
{
    return LOCKED(do_mkdir(path, mode));
}

static int do_unlink(const char *path)
{
    struct hidden **h = find_hidden(path);
    if (h) {
        /* the last release of a hidden file: its name was taken away by the hiding rename */
        struct hidden *gone = *h;
        *h = gone->next;
        gone->node->hidden--;
        maybe_free(gone->node);
        free(gone);
        return 0;
    }
    int err = 0;
    const char *name;
    struct node *dir = lookup_parent(path, &name, &err);
    if (!dir)
        return err;
    struct entry *e = find_entry(dir, name, strlen(name));
    if (!e)
        return -ENOENT;
    struct node *n = e->node;
    if (S_ISDIR(n->mode))
        return -EISDIR;
    remove_entry(dir, e);
    n->nlink--;
    now(&n->ctime);
    maybe_free(n);
    return 0;
}

static int mf_unlink(const char *path)
{
    return LOCKED(do_unlink(path));
}

static int do_rmdir(const char *path)
{
    int err = 0;
    const char *name;
    struct node *dir = lookup_parent(path, &name, &err);
    if (!dir)
        return err;
    struct entry *e = find_entry(dir, name, strlen(name));
    if (!e)
        return -ENOENT;
    struct node *n = e->node;
    if (!S_ISDIR(n->mode))
        return -ENOTDIR;
    if (n->nlive)
        return -ENOTEMPTY;
    remove_entry(dir, e);
    n->nlink = 0;
    n->parent = NULL; /* the parent may go before a handle of this one */
    now(&n->ctime);
    maybe_free(n);
    return 0;
}

static int mf_rmdir(const char *path)
{
    return LOCKED(do_rmdir(path));
}

static int do_symlink(const char *target, const char *path)
{
    size_t len = strlen(target);
    if (len >= PATH_MAX)
        return -ENAMETOOLONG;
    char *copy = strdup(target);
    if (!copy)
        return -ENOMEM;
    struct node *n;
    int err = make_node(path, S_IFLNK | 0777, &n);
    if (err) {
        free(copy);
        return err;
    }
    n->target = copy;
    n->size = (off_t)len;
    return 0;
}

static int mf_symlink(const char *target, const char *path)
{
    return LOCKED(do_symlink(target, path));
}

/* The hiding rename (see "hidden names"): the name goes, the node stays reachable. */
static int hide(const char *from, const char *to)
{
    int err = 0;
    const char *name;
    struct node *dir = lookup_parent(from, &name, &err);
    if (!dir)
        return err;
    struct entry *e = find_entry(dir, name, strlen(name));
    if (!e)
        return -ENOENT;
    const char *base = base_name(to);
    struct hidden *h = malloc(sizeof *h + strlen(base) + 1);
    if (!h)
        return -ENOMEM;
    strcpy(h->name, base);
    h->node = e->node;
    h->next = hidden_names;
    hidden_names = h;
    struct node *n = e->node;
    n->hidden++;
    remove_entry(dir, e);
    n->nlink = S_ISDIR(n->mode) ? 0 : n->nlink - 1;
    now(&n->ctime);
    return 0;
}

static int do_rename(const char *from, const char *to)
{
    if (is_hidden_name(to) && !find_hidden(from))
        return hide(from, to);
    int err = 0;
    const char *fname, *tname;
    struct node *fdir = lookup_parent(from, &fname, &err);
    if (!fdir)
        return err;
    struct node *tdir = lookup_parent(to, &tname, &err);
    if (!tdir)
        return err;
    struct entry *fe = find_entry(fdir, fname, strlen(fname));
    if (!fe)
        return -ENOENT;
    struct node *n = fe->node;
    struct entry *te = find_entry(tdir, tname, strlen(tname));
    if (te && te->node == n)
        return 0; /* two names of one file: nothing happens */
    if (S_ISDIR(n->mode)) {
        /* not into itself or below */
        for (struct node *d = tdir;; d = d->parent) {
            if (d == n)
                return -EINVAL;
            if (d == root)
                break;
        }
    }
    if (te) {
        struct node *old = te->node;
        if (S_ISDIR(n->mode) && !S_ISDIR(old->mode))
            return -ENOTDIR;
        if (!S_ISDIR(n->mode) && S_ISDIR(old->mode))
            return -EISDIR;
        if (S_ISDIR(old->mode) && old->nlive)
            return -ENOTEMPTY;
    }
    /* everything that can fail first: then the old names go and the new one comes */
    char *copy = strdup(tname);
    if (!copy)
        return -ENOMEM;
    size_t fidx = (size_t)(fe - fdir->entries), tidx = te ? (size_t)(te - tdir->entries) : 0;
    err = reserve_entry(tdir); /* may move tdir's entries */
    if (err) {
        free(copy);
        return err;
    }
    fe = &fdir->entries[fidx];
    te = te ? &tdir->entries[tidx] : NULL;
    if (te) {
        struct node *old = te->node;
        remove_entry(tdir, te);
        if (S_ISDIR(old->mode))
            old->parent = NULL;
        old->nlink = S_ISDIR(old->mode) ? 0 : old->nlink - 1;
        now(&old->ctime);
        maybe_free(old);
    }
    remove_entry(fdir, fe);
    insert_entry(tdir, copy, n);
    n->ctime = tdir->mtime;
    return 0;
}

static int mf_rename(const char *from, const char *to)
{
    return LOCKED(do_rename(from, to));
}

static int do_link(const char *from, const char *to)
{
    int err = 0;
    struct node *n = lookup(from, &err);
    if (!n)
        return err;
    if (S_ISDIR(n->mode))
        return -EPERM;
    if (0 == n->nlink)
        return -ENOENT;
    const char *name;
    struct node *dir = lookup_parent(to, &name, &err);
    if (!dir)
        return err;
    if (find_entry(dir, name, strlen(name)))
        return -EEXIST;
    err = add_entry(dir, name, n);
    if (err)
        return err;
    n->nlink++;
    now(&n->ctime);
    return 0;
}

static int mf_link(const char *from, const char *to)
{
    return LOCKED(do_link(from, to));
}

static int do_chmod(const char *path, mode_t mode)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    n->mode = (n->mode & S_IFMT) | (mode & 07777);
    now(&n->ctime);
    return 0;
}

static int mf_chmod(const char *path, mode_t mode)
{
    return LOCKED(do_chmod(path, mode));
}

static int do_chown(const char *path, uid_t uid, gid_t gid)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    if ((uid_t)-1 != uid)
        n->uid = uid;
    if ((gid_t)-1 != gid)
        n->gid = gid;
    now(&n->ctime);
    return 0;
}

static int mf_chown(const char *path, uid_t uid, gid_t gid)
{
    return LOCKED(do_chown(path, uid, gid));
}

static int do_truncate(struct node *n, off_t size)
{
    if (S_ISDIR(n->mode))
        return -EISDIR;
    if (!S_ISREG(n->mode))
        return -EINVAL;
    int err = set_size(n, size);
    if (!err) {
        now(&n->mtime);
        n->ctime = n->mtime;
    }
    return err;
}

static int do_truncate_path(const char *path, off_t size)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    return n ? do_truncate(n, size) : err;
}

static int mf_truncate(const char *path, off_t size)
{
    return LOCKED(do_truncate_path(path, size));
}

static int mf_ftruncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_truncate(handle(fi), size));
}

static int do_open(const char *path, struct fuse_file_info *fi)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    if (S_ISDIR(n->mode) && (fi->flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    if ((fi->flags & O_TRUNC) && S_ISREG(n->mode) && (fi->flags & O_ACCMODE) != O_RDONLY) {
        err = do_truncate(n, 0);
        if (err)
            return err;
    }
    n->opened++;
    fi->fh = (uint64_t)(uintptr_t)n;
    return 0;
}

static int mf_open(const char *path, struct fuse_file_info *fi)
{
    return LOCKED(do_open(path, fi));
}

static int do_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (n) {
        if (fi->flags & O_EXCL)
            return -EEXIST;
        return do_open(path, fi);
    }
    err = make_node(path, S_IFREG | (mode & 07777), &n);
    if (err)
        return err;
    n->opened++;
    fi->fh = (uint64_t)(uintptr_t)n;
    return 0;
}

static int mf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    return LOCKED(do_create(path, mode, fi));
}

static int do_read(struct node *n, char *buf, size_t size, off_t off)
{
    if (off < 0)
        return -EINVAL;
    if (off >= n->size)
        return 0;
    if ((off_t)size > n->size - off)
        size = (size_t)(n->size - off);
    size_t done = 0;
    while (done < size) {
        size_t i = (size_t)((off + (off_t)done) / CHUNK_SIZE);
        size_t at = (size_t)((off + (off_t)done) % CHUNK_SIZE);
        size_t len = CHUNK_SIZE - at < size - done ? CHUNK_SIZE - at : size - done;
        if (i < n->nchunks && n->chunks[i])
            memcpy(buf + done, n->chunks[i] + at, len);
        else
            memset(buf + done, 0, len);
        done += len;
    }
    now(&n->atime);
    return (int)size;
}

static int mf_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_read(handle(fi), buf, size, off));
}

static int do_write(struct node *n, const char *buf, size_t size, off_t off)
{
    if (off < 0)
        return -EINVAL;
    if (off + (off_t)size > MAX_FILE_SIZE)
        return -EFBIG;
    if (0 == size)
        return 0;
    int err = reserve_chunks(n, (size_t)((off + (off_t)size + CHUNK_SIZE - 1) / CHUNK_SIZE));
    if (err)
        return err;
    size_t done = 0;
    while (done < size) {
        size_t i = (size_t)((off + (off_t)done) / CHUNK_SIZE);
        size_t at = (size_t)((off + (off_t)done) % CHUNK_SIZE);
        size_t len = CHUNK_SIZE - at < size - done ? CHUNK_SIZE - at : size - done;
        char *c = chunk(n, i);
        if (!c)
            break;
        memcpy(c + at, buf + done, len);
        done += len;
    }
    if (0 == done)
        return -ENOSPC;
    if (off + (off_t)done > n->size)
        n->size = off + (off_t)done;
    now(&n->mtime);
    n->ctime = n->mtime;
    return (int)done;
}

static int mf_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_write(handle(fi), buf, size, off));
}

static int do_statfs(struct statvfs *sv)
{
    memset(sv, 0, sizeof *sv);
    sv->f_bsize = CHUNK_SIZE;
    sv->f_frsize = CHUNK_SIZE;
    sv->f_blocks = capacity / CHUNK_SIZE;
    sv->f_bfree = sv->f_bavail = sv->f_blocks > used_chunks ? sv->f_blocks - used_chunks : 0;
    sv->f_files = 1 << 20;
    sv->f_ffree = sv->f_favail = sv->f_files > node_count ? sv->f_files - node_count : 0;
    sv->f_namemax = NAME_MAX;
    return 0;
}

static int mf_statfs(const char *path, struct statvfs *sv)
{
    (void)path;
    return LOCKED(do_statfs(sv));
}

static int mf_flush(const char *path, struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    return 0;
}

static int do_release(struct fuse_file_info *fi)
{
    struct node *n = handle(fi);
    n->opened--;
    maybe_free(n);
    return 0;
}

static int mf_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_release(fi));
}

static int mf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path, (void)datasync, (void)fi;
    return 0;
}

/* ---- extended attributes ---- */

static struct xattr **find_xattr(struct node *n, const char *name)
{
    for (struct xattr **p = &n->xattrs; *p; p = &(*p)->next)
        if (0 == strcmp((*p)->name, name))
            return p;
    return NULL;
}

/* The namespaces a Linux file system such as tmpfs has; others are EOPNOTSUPP. */
static int xattr_namespace_known(const char *name)
{
    return 0 == strncmp(name, "user.", 5) || 0 == strncmp(name, "trusted.", 8) ||
           0 == strncmp(name, "security.", 9);
}

static int do_setxattr(const char *path, const char *name, const char *value, size_t size,
                       int flags)
{
    if (!xattr_namespace_known(name))
        return -EOPNOTSUPP;
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    struct xattr **p = find_xattr(n, name);
    if (p && (flags & XATTR_CREATE_FLAG))
        return -EEXIST;
    if (!p && (flags & XATTR_REPLACE_FLAG))
        return -ENOATTR;
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, value, size);
    if (!p) {
        struct xattr *x = calloc(1, sizeof *x + strlen(name) + 1);
        if (!x) {
            free(copy);
            return -ENOMEM;
        }
        strcpy(x->name, name);
        x->next = n->xattrs;
        n->xattrs = x;
        p = &n->xattrs;
    }
    free((*p)->value);
    (*p)->value = copy;
    (*p)->size = size;
    now(&n->ctime);
    return 0;
}

static int mf_setxattr(const char *path, const char *name, const char *value, size_t size,
                       int flags)
{
    return LOCKED(do_setxattr(path, name, value, size, flags));
}

static int do_getxattr(const char *path, const char *name, char *value, size_t size)
{
    if (!xattr_namespace_known(name))
        return -EOPNOTSUPP;
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    struct xattr **p = find_xattr(n, name);
    if (!p)
        return -ENOATTR;
    if (size) {
        if (size < (*p)->size)
            return -ERANGE;
        memcpy(value, (*p)->value, (*p)->size);
    }
    return (int)(*p)->size;
}

static int mf_getxattr(const char *path, const char *name, char *value, size_t size)
{
    return LOCKED(do_getxattr(path, name, value, size));
}

static int do_listxattr(const char *path, char *list, size_t size)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    size_t total = 0;
    for (struct xattr *x = n->xattrs; x; x = x->next)
        total += strlen(x->name) + 1;
    if (size) {
        if (size < total)
            return -ERANGE;
        for (struct xattr *x = n->xattrs; x; x = x->next) {
            size_t len = strlen(x->name) + 1;
            memcpy(list, x->name, len);
            list += len;
        }
    }
    return (int)total;
}

static int mf_listxattr(const char *path, char *list, size_t size)
{
    return LOCKED(do_listxattr(path, list, size));
}

static int do_removexattr(const char *path, const char *name)
{
    if (!xattr_namespace_known(name))
        return -EOPNOTSUPP;
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    struct xattr **p = find_xattr(n, name);
    if (!p)
        return -ENOATTR;
    struct xattr *x = *p;
    *p = x->next;
    free(x->value);
    free(x);
    now(&n->ctime);
    return 0;
}

static int mf_removexattr(const char *path, const char *name)
{
    return LOCKED(do_removexattr(path, name));
}

/* ---- directories ---- */

static int do_opendir(const char *path, struct fuse_file_info *fi)
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    if (!S_ISDIR(n->mode))
        return -ENOTDIR;
    n->opened++;
    fi->fh = (uint64_t)(uintptr_t)n;
    return 0;
}

static int mf_opendir(const char *path, struct fuse_file_info *fi)
{
    return LOCKED(do_opendir(path, fi));
}

/*
 * Offsets: "." is at 1, ".." at 2, an entry at its cookie; the offset handed to the filler
 * is where the next call resumes (the first entry whose position is at least that), so
 * entries removed in between shift nothing.
 */
static int do_readdir(void *buf, fuse_fill_dir_t filler, off_t off, struct fuse_file_info *fi)
{
    struct node *d = handle(fi);
    struct stat st;
    memset(&st, 0, sizeof st);
    if (off < 1) {
        st.st_ino = d->ino, st.st_mode = S_IFDIR;
        if (filler(buf, ".", &st, 1))
            return 0;
    }
    if (off < 2) {
        st.st_ino = d->parent ? d->parent->ino : d->ino, st.st_mode = S_IFDIR;
        if (filler(buf, "..", &st, 2))
            return 0;
    }
    size_t lo = 0, hi = d->nentries; /* the first entry at or after off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((off_t)d->entries[mid].cookie < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < d->nentries; i++) {
        struct entry *e = &d->entries[i];
        if (!e->node)
            continue;
        st.st_ino = e->node->ino, st.st_mode = e->node->mode & S_IFMT;
        if (filler(buf, e->name, &st, (off_t)e->cookie + 1))
            break;
    }
    now(&d->atime);
    return 0;
}

static int mf_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_readdir(buf, filler, off, fi));
}

static int mf_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_release(fi));
}

static int mf_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path, (void)datasync, (void)fi;
    return 0;
}

static int do_access(const char *path)
{
    int err = 0;
    return lookup(path, &err) ? 0 : err;
}

static int mf_access(const char *path, int mask)
{
    (void)mask; /* the kernel checks permissions (default_permissions) */
    return LOCKED(do_access(path));
}

static void set_time(struct timespec *t, const struct timespec *v, const struct timespec *when)
{
    if (UTIME_OMIT == v->tv_nsec)
        return;
    *t = UTIME_NOW == v->tv_nsec ? *when : *v;
}

static int do_utimens(const char *path, const struct timespec tv[2])
{
    int err = 0;
    struct node *n = lookup(path, &err);
    if (!n)
        return err;
    struct timespec t;
    now(&t);
    if (!tv) {
        n->atime = n->mtime = t;
    } else {
        set_time(&n->atime, &tv[0], &t);
        set_time(&n->mtime, &tv[1], &t);
    }
    n->ctime = t;
    return 0;
}

static int mf_utimens(const char *path, const struct timespec tv[2])
{
    return LOCKED(do_utimens(path, tv));
}

static int do_fallocate(struct node *n, int mode, off_t off, off_t len)
{
    if (!S_ISREG(n->mode))
        return -ENODEV;
    if (off < 0 || len <= 0)
        return -EINVAL;
    if (off + len > MAX_FILE_SIZE || off + len < off)
        return -EFBIG;
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
        return -EOPNOTSUPP;
    off_t end = off + len;
    if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
        if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
            return -EOPNOTSUPP;
        for (off_t at = off; at < end && at < (off_t)n->nchunks * CHUNK_SIZE;) {
            size_t i = (size_t)(at / CHUNK_SIZE);
            size_t in = (size_t)(at % CHUNK_SIZE);
            size_t l = (off_t)(CHUNK_SIZE - in) < end - at ? CHUNK_SIZE - in : (size_t)(end - at);
            if (n->chunks[i]) {
                if (0 == in && CHUNK_SIZE == l) {
                    free(n->chunks[i]);
                    n->chunks[i] = NULL;
                    used_chunks--;
                } else
                    memset(n->chunks[i] + in, 0, l);
            }
            at += (off_t)l;
        }
    } else {
        /* allocate: the chunks exist afterwards (unless the space runs out) */
        int err = reserve_chunks(n, (size_t)((end + CHUNK_SIZE - 1) / CHUNK_SIZE));
        if (err)
            return err;
        uint64_t need = 0;
        for (size_t i = (size_t)(off / CHUNK_SIZE); i < (size_t)((end + CHUNK_SIZE - 1) / CHUNK_SIZE); i++)
            need += !n->chunks[i];
        if ((used_chunks + need) * CHUNK_SIZE > capacity)
            return -ENOSPC;
        for (size_t i = (size_t)(off / CHUNK_SIZE); i < (size_t)((end + CHUNK_SIZE - 1) / CHUNK_SIZE); i++)
            if (!chunk(n, i))
                return -ENOSPC;
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > n->size)
        n->size = end;
    now(&n->mtime);
    n->ctime = n->mtime;
    return 0;
}

static int mf_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
    (void)path;
    return LOCKED(do_fallocate(handle(fi), mode, off, len));
}

static void *mf_init(struct fuse_conn_info *conn)
{
    (void)conn;
    return NULL;
}

static void mf_destroy(void *data)
{
    (void)data;
}

static struct fuse_operations mf_ops = {
    .getattr = mf_getattr,
    .fgetattr = mf_fgetattr,
    .readlink = mf_readlink,
    .mknod = mf_mknod,
    .mkdir = mf_mkdir,
    .unlink = mf_unlink,
    .rmdir = mf_rmdir,
    .symlink = mf_symlink,
    .rename = mf_rename,
    .link = mf_link,
    .chmod = mf_chmod,
    .chown = mf_chown,
    .truncate = mf_truncate,
    .ftruncate = mf_ftruncate,
    .open = mf_open,
    .create = mf_create,
    .read = mf_read,
    .write = mf_write,
    .statfs = mf_statfs,
    .flush = mf_flush,
    .release = mf_release,
    .fsync = mf_fsync,
    .setxattr = mf_setxattr,
    .getxattr = mf_getxattr,
    .listxattr = mf_listxattr,
    .removexattr = mf_removexattr,
    .opendir = mf_opendir,
    .readdir = mf_readdir,
    .releasedir = mf_releasedir,
    .fsyncdir = mf_fsyncdir,
    .access = mf_access,
    .utimens = mf_utimens,
    .fallocate = mf_fallocate,
    .init = mf_init,
    .destroy = mf_destroy,
    .flag_nullpath_ok = 1,
    .flag_utime_omit_ok = 1,
};

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (-1 == fuse_opt_parse(&args, &options, option_spec, NULL))
        return 1;
    if (options.size) {
        char *end;
        unsigned long long v = strtoull(options.size, &end, 0);
        if (end == options.size || *end || v < CHUNK_SIZE) {
            fprintf(stderr, "%s: bad size=%s\n", argv[0], options.size);
            fuse_opt_free_args(&args);
            return 1;
        }
        capacity = v;
    }
    for (int i = 1; i < argc; i++)
        if (0 == strcmp(argv[i], "-h") || 0 == strcmp(argv[i], "--help"))
            printf("usage: %s [options] MOUNTPOINT\n"
                   "    -o size=BYTES          capacity (default 4 GiB)\n\n", argv[0]);
    root = new_node(S_IFDIR | 0755, getuid(), getgid());
    if (!root)
        return 1;
    root->parent = root;
    /* see the comment on top */
    fuse_opt_insert_arg(&args, 1, "-oattr_timeout=0");
    fuse_opt_add_arg(&args, "-ouse_ino,default_permissions");
    int r = fuse_main(args.argc, args.argv, &mf_ops, NULL);
    fuse_opt_free_args(&args);
    free(options.size);
    return r;
}
