/*
 * examples/fuse/memfs-fuse3.c - an in-memory file system written against
 * the libfuse 3 high-level API only: directories, files, symlinks, special
 * files, hard links, extended attributes, chmod/chown/utimens and rename
 * with RENAME_NOREPLACE / RENAME_EXCHANGE.
 *
 * It builds unchanged against LinFsp's FUSE 3 layer and against libfuse 3:
 *     cc memfs-fuse3.c $(pkg-config --cflags --libs linfsp-fuse3) -o memfs-fuse3
 *     cc memfs-fuse3.c $(pkg-config --cflags --libs fuse3) -o memfs-fuse3
 * and runs as "memfs-fuse3 [-f] [-s] [-o options] MOUNTPOINT". Permission
 * checks are left to the kernel: LinFsp always mounts with
 * default_permissions; with libfuse pass -o default_permissions.
 *
 * One mutex serializes every operation, so the multi-threaded loop is safe.
 * Open files hold a reference to their node: an unlinked file lives on
 * until its last release.
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define MEMFS_MAX_FILE_SIZE (1LL << 40) /* files are sparse: only written chunks take memory */
#define MEMFS_CHUNK 65536
#define MEMFS_TOTAL_BYTES (1LL << 36)  /* the size statfs reports (64 GiB) */

struct xattr {
    struct xattr *next;
    char *name;
    char *value;
    size_t size;
};

struct node;

struct dirent_mem {
    char *name;
    struct node *node;
    size_t len;
    uint32_t hash;
    long next; /* the next entry of the same hash bucket, or -1 */
};

struct node {
    struct stat st;
    char *data;      /* the symlink target */
    char **chunks;   /* regular file contents in MEMFS_CHUNK pieces; NULL: a hole (zeros) */
    size_t nchunks;  /* entries at chunks */
    size_t allocated; /* chunks allocated (st_blocks) */
    struct dirent_mem *entries; /* directories: the entries in listing order */
    size_t nentries, entries_cap;
    long *buckets;   /* directories: hash buckets (first entry index, or -1) */
    size_t nbuckets; /* a power of two, or 0 */
    struct xattr *xattrs;
    unsigned open_count; /* open handles */
};

static pthread_mutex_t memfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *memfs_root;
static ino_t memfs_next_ino = 1;
static long long memfs_used_bytes; /* allocated file chunks, for statfs */

/* ---- nodes ---- */

static void now(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
}

static struct node *node_new(mode_t mode, uid_t uid, gid_t gid)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->st.st_mode = mode;
    n->st.st_ino = memfs_next_ino++;
    n->st.st_nlink = 0;
    n->st.st_uid = uid;
    n->st.st_gid = gid;
    n->st.st_blksize = 4096;
    now(&n->st.st_atim);
    n->st.st_mtim = n->st.st_ctim = n->st.st_atim;
    return n;
}

static void node_free(struct node *n)
{
    for (struct xattr *x = n->xattrs, *next; x; x = next) {
        next = x->next;
        free(x->name), free(x->value), free(x);
    }
    for (size_t i = 0; i < n->nentries; i++)
        free(n->entries[i].name);
    free(n->entries);
    free(n->buckets);
    for (size_t i = 0; i < n->nchunks; i++)
        if (n->chunks[i]) {
            free(n->chunks[i]);
            memfs_used_bytes -= MEMFS_CHUNK;
        }
    free(n->chunks);
    free(n->data);
    free(n);
}

/* Free a node once nothing names it and nothing has it open. */
static void node_maybe_free(struct node *n)
{
    if (0 == n->st.st_nlink && 0 == n->open_count)
        node_free(n);
}

/* Drop one name of n (its directory entry is already gone). */
static void node_unref(struct node *n)
{
    if (S_ISDIR(n->st.st_mode))
        n->st.st_nlink = 0;
    else if (n->st.st_nlink > 0)
        n->st.st_nlink--;
    now(&n->st.st_ctim);
    node_maybe_free(n);
}

/* Free a whole tree (at unmount). */
static void tree_free(struct node *n)
{
    if (S_ISDIR(n->st.st_mode))
        for (size_t i = 0; i < n->nentries; i++) {
            struct node *c = n->entries[i].node;
            if (S_ISDIR(c->st.st_mode))
                tree_free(c);
            else if (--c->st.st_nlink == 0)
                node_free(c);
        }
    node_free(n);
}

static uint32_t name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    return h;
}

static struct dirent_mem *dir_find(struct node *dir, const char *name, size_t len)
{
    if (!dir->nbuckets)
        return NULL;
    uint32_t h = name_hash(name, len);
    for (long i = dir->buckets[h & (dir->nbuckets - 1)]; i >= 0; i = dir->entries[i].next) {
        struct dirent_mem *e = &dir->entries[i];
        if (e->hash == h && e->len == len && 0 == memcmp(e->name, name, len))
            return e;
    }
    return NULL;
}

static void bucket_link(struct node *dir, long i)
{
    long *head = &dir->buckets[dir->entries[i].hash & (dir->nbuckets - 1)];
    dir->entries[i].next = *head;
    *head = i;
}

/* Unlink entry i from its bucket chain. */
static void bucket_unlink(struct node *dir, long i)
{
    long *p = &dir->buckets[dir->entries[i].hash & (dir->nbuckets - 1)];
    while (*p != i)
        p = &dir->entries[*p].next;
    *p = dir->entries[i].next;
}

static int dir_rehash(struct node *dir, size_t nbuckets)
{
    long *b = malloc(nbuckets * sizeof *b);
    if (!b)
        return -ENOMEM;
    free(dir->buckets);
    dir->buckets = b;
    dir->nbuckets = nbuckets;
    for (size_t i = 0; i < nbuckets; i++)
        b[i] = -1;
    for (size_t i = 0; i < dir->nentries; i++)
        bucket_link(dir, (long)i);
    return 0;
}

static int dir_add(struct node *dir, const char *name, struct node *n)
{
    if (dir->nentries == dir->entries_cap) {
        size_t cap = dir->entries_cap ? dir->entries_cap * 2 : 8;
        struct dirent_mem *e = realloc(dir->entries, cap * sizeof *e);
        if (!e)
            return -ENOMEM;
        dir->entries = e, dir->entries_cap = cap;
    }
    if (dir->nentries + 1 > dir->nbuckets &&
        0 != dir_rehash(dir, dir->nbuckets ? dir->nbuckets * 2 : 16))
        return -ENOMEM;
    size_t len = strlen(name);
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    long i = (long)dir->nentries++;
    dir->entries[i] = (struct dirent_mem){copy, n, len, name_hash(name, len), -1};
    bucket_link(dir, i);
    n->st.st_nlink++;
    if (S_ISDIR(n->st.st_mode))
        dir->st.st_nlink++; /* the child's ".." */
    now(&dir->st.st_mtim);
    dir->st.st_ctim = dir->st.st_mtim;
    return 0;
}

/* Remove the entry e from dir (the node keeps its link count: the caller adjusts it). */
static void dir_remove(struct node *dir, struct dirent_mem *e)
{
    long i = e - dir->entries, last = (long)dir->nentries - 1;
    if (S_ISDIR(e->node->st.st_mode))
        dir->st.st_nlink--;
    bucket_unlink(dir, i);
    free(e->name);
    if (i != last) { /* the last entry takes the freed slot */
        bucket_unlink(dir, last);
        dir->entries[i] = dir->entries[last];
        bucket_link(dir, i);
    }
    dir->nentries--;
    now(&dir->st.st_mtim);
    dir->st.st_ctim = dir->st.st_mtim;
}

/* Give the entry e a new name (newname is taken over). */
static void dir_rename_entry(struct node *dir, struct dirent_mem *e, char *newname)
{
    long i = e - dir->entries;
    bucket_unlink(dir, i);
    free(e->name);
    e->name = newname;
    e->len = strlen(newname);
    e->hash = name_hash(newname, e->len);
    bucket_link(dir, i);
    now(&dir->st.st_mtim);
    dir->st.st_ctim = dir->st.st_mtim;
}

/* Resolve path; with pparent/pname, resolve its parent and return the last component. */
static int lookup(const char *path, struct node **pnode, struct node **pparent, const char **pname)
{
    if (!path || '/' != path[0])
        return -ENOENT;
    struct node *cur = memfs_root, *parent = NULL;
    const char *p = path, *last = "";
    while (*p) {
        while ('/' == *p)
            p++;
        if (!*p)
            break;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 255)
            return -ENAMETOOLONG;
        if (!cur || !S_ISDIR(cur->st.st_mode))
            return cur ? -ENOTDIR : -ENOENT;
        parent = cur;
        last = p;
        struct dirent_mem *e = dir_find(cur, p, len);
        cur = e ? e->node : NULL;
        p += len;
        if (!cur && *p) {
            while ('/' == *p)
                p++;
            if (*p)
                return -ENOENT; /* a missing directory in the middle */
        }
    }
    if (pparent) {
        if (!parent)
            return -EBUSY; /* the root has no parent */
        *pparent = parent;
        *pname = last;
    }
    if (pnode)
        *pnode = cur;
    return cur || pparent ? 0 : -ENOENT;
}

/* The node of an operation: the open handle when there is one, else the path. */
static int node_of(const char *path, struct fuse_file_info *fi, struct node **pn)
{
    if (fi && fi->fh) {
        *pn = (struct node *)(uintptr_t)fi->fh;
        return 0;
    }
    return lookup(path, pn, NULL, NULL);
}

static size_t name_len(const char *name)
{
    const char *slash = strchr(name, '/');
    return slash ? (size_t)(slash - name) : strlen(name);
}

/* Create a node at path (not existing yet). */
static int make_node(const char *path, mode_t mode, dev_t rdev, struct node **pn)
{
    struct node *parent, *existing;
    const char *name;
    int err = lookup(path, &existing, &parent, &name);
    if (err)
        return err;
    if (existing)
        return -EEXIST;
    if (name_len(name) > 255)
        return -ENAMETOOLONG;
    struct fuse_context *ctx = fuse_get_context(); /* the caller owns what it creates */
    struct node *n = node_new(mode, ctx ? ctx->uid : getuid(), ctx ? ctx->gid : getgid());
    if (!n)
        return -ENOMEM;
    n->st.st_rdev = rdev;
    if (parent->st.st_mode & S_ISGID) { /* BSD group semantics for set-group-ID directories */
        n->st.st_gid = parent->st.st_gid;
        if (S_ISDIR(mode))
            n->st.st_mode |= S_ISGID;
    }
    if (S_ISDIR(mode))
        n->st.st_nlink = 1; /* "." (the parent's entry adds one) */
    err = dir_add(parent, name, n);
    if (err) {
        node_free(n);
        return err;
    }
    if (pn)
        *pn = n;
    return 0;
}

/* ---- operations ---- */

static void *memfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->use_ino = 1;      /* hard links share st_ino */
    cfg->hard_remove = 1;  /* open files live on without a name (no .fuse_hidden files) */
    cfg->nullpath_ok = 1;  /* every operation with a handle uses it */
    return NULL;
}

static void memfs_destroy(void *private_data)
{
    (void)private_data;
    pthread_mutex_lock(&memfs_lock);
    if (memfs_root)
        tree_free(memfs_root);
    memfs_root = NULL;
    pthread_mutex_unlock(&memfs_lock);
}

static int memfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err) {
        *st = n->st;
        st->st_blocks = S_ISREG(n->st.st_mode) ? (blkcnt_t)(n->allocated * (MEMFS_CHUNK / 512))
                                               : (st->st_size + 511) / 512;
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_readlink(const char *path, char *buf, size_t size)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = lookup(path, &n, NULL, NULL);
    if (!err && !S_ISLNK(n->st.st_mode))
        err = -EINVAL;
    if (!err && size > 0) {
        size_t len = (size_t)n->st.st_size < size - 1 ? (size_t)n->st.st_size : size - 1;
        memcpy(buf, n->data, len);
        buf[len] = '\0';
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_mknod(const char *path, mode_t mode, dev_t rdev)
{
    pthread_mutex_lock(&memfs_lock);
    int err = make_node(path, mode, rdev, NULL);
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_mkdir(const char *path, mode_t mode)
{
    pthread_mutex_lock(&memfs_lock);
    int err = make_node(path, S_IFDIR | (mode & 07777), 0, NULL);
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_unlink(const char *path)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *parent, *n;
    const char *name;
    int err = lookup(path, &n, &parent, &name);
    if (!err && !n)
        err = -ENOENT;
    if (!err && S_ISDIR(n->st.st_mode))
        err = -EISDIR;
    if (!err) {
        dir_remove(parent, dir_find(parent, name, name_len(name)));
        node_unref(n);
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_rmdir(const char *path)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *parent, *n;
    const char *name;
    int err = lookup(path, &n, &parent, &name);
    if (!err && !n)
        err = -ENOENT;
    if (!err && !S_ISDIR(n->st.st_mode))
        err = -ENOTDIR;
    if (!err && n->nentries)
        err = -ENOTEMPTY;
    if (!err) {
        dir_remove(parent, dir_find(parent, name, name_len(name)));
        node_unref(n);
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_symlink(const char *target, const char *path)
{
    size_t len = strlen(target);
    if (len >= PATH_MAX)
        return -ENAMETOOLONG;
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = make_node(path, S_IFLNK | 0777, 0, &n);
    if (!err) {
        n->data = malloc(len + 1);
        if (n->data) {
            memcpy(n->data, target, len + 1);
            n->st.st_size = (off_t)len;
        } else {
            struct node *parent;
            const char *name;
            lookup(path, NULL, &parent, &name);
            dir_remove(parent, dir_find(parent, name, name_len(name)));
            node_unref(n);
            err = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

/* Is a the directory b or inside b's subtree? */
static bool is_ancestor(struct node *a, struct node *b)
{
    if (a == b)
        return true;
    if (!S_ISDIR(b->st.st_mode))
        return false;
    for (size_t i = 0; i < b->nentries; i++)
        if (S_ISDIR(b->entries[i].node->st.st_mode) && is_ancestor(a, b->entries[i].node))
            return true;
    return false;
}

static int memfs_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
        return -EINVAL;
    if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
        return -EINVAL;
    pthread_mutex_lock(&memfs_lock);
    struct node *fparent, *tparent, *n, *t;
    const char *fname, *tname;
    int err = lookup(from, &n, &fparent, &fname);
    if (!err && !n)
        err = -ENOENT;
    if (!err)
        err = lookup(to, &t, &tparent, &tname);
    if (err)
        goto out;
    if (name_len(tname) > 255) {
        err = -ENAMETOOLONG;
        goto out;
    }
    struct dirent_mem *fe = dir_find(fparent, fname, name_len(fname));
    if (flags & RENAME_EXCHANGE) {
        if (!t) {
            err = -ENOENT;
            goto out;
        }
        struct dirent_mem *te = dir_find(tparent, tname, name_len(tname));
        if ((S_ISDIR(n->st.st_mode) && is_ancestor(tparent, n)) ||
            (S_ISDIR(t->st.st_mode) && is_ancestor(fparent, t))) {
            err = -EINVAL;
            goto out;
        }
        fe->node = t, te->node = n;
        if (S_ISDIR(n->st.st_mode) != S_ISDIR(t->st.st_mode)) {
            /* a directory changed parents: fix the ".." counts */
            if (S_ISDIR(n->st.st_mode))
                fparent->st.st_nlink--, tparent->st.st_nlink++;
            else
                tparent->st.st_nlink--, fparent->st.st_nlink++;
        }
        now(&n->st.st_ctim);
        t->st.st_ctim = n->st.st_ctim;
        fparent->st.st_mtim = fparent->st.st_ctim = n->st.st_ctim;
        tparent->st.st_mtim = tparent->st.st_ctim = n->st.st_ctim;
        goto out;
    }
    if (t == n)
        goto out; /* the same file (hard links or the same name): nothing to do */
    if (t && (flags & RENAME_NOREPLACE)) {
        err = -EEXIST;
        goto out;
    }
    if (S_ISDIR(n->st.st_mode) && is_ancestor(tparent, n)) {
        err = -EINVAL;
        goto out;
    }
    if (t) {
        if (S_ISDIR(n->st.st_mode) && !S_ISDIR(t->st.st_mode))
            err = -ENOTDIR;
        else if (!S_ISDIR(n->st.st_mode) && S_ISDIR(t->st.st_mode))
            err = -EISDIR;
        else if (S_ISDIR(t->st.st_mode) && t->nentries)
            err = -ENOTEMPTY;
        if (err)
            goto out;
        dir_remove(tparent, dir_find(tparent, tname, name_len(tname)));
        node_unref(t);
        fe = dir_find(fparent, fname, name_len(fname)); /* entries may have moved */
    }
    char *newname = strndup(tname, name_len(tname));
    if (!newname) {
        err = -ENOMEM;
        goto out;
    }
    if (fparent == tparent)
        dir_rename_entry(fparent, fe, newname);
    else {
        n->st.st_nlink--; /* the same name moves: dir_add counts it again */
        dir_remove(fparent, fe);
        err = dir_add(tparent, newname, n);
        free(newname);
        if (err) {
            n->st.st_nlink++;
            goto out;
        }
    }
    now(&n->st.st_ctim);
out:
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_link(const char *from, const char *to)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n, *parent, *t;
    const char *name;
    int err = lookup(from, &n, NULL, NULL);
    if (!err && S_ISDIR(n->st.st_mode))
        err = -EPERM;
    if (!err)
        err = lookup(to, &t, &parent, &name);
    if (!err && t)
        err = -EEXIST;
    if (!err && name_len(name) > 255)
        err = -ENAMETOOLONG;
    if (!err) {
        err = dir_add(parent, name, n);
        if (!err)
            now(&n->st.st_ctim);
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err) {
        n->st.st_mode = (n->st.st_mode & S_IFMT) | (mode & 07777);
        now(&n->st.st_ctim);
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err) {
        if ((uid_t)-1 != uid)
            n->st.st_uid = uid;
        if ((gid_t)-1 != gid)
            n->st.st_gid = gid;
        now(&n->st.st_ctim);
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

/* Make the chunk table hold at least n entries. */
static int chunks_reserve(struct node *n, size_t count)
{
    if (count <= n->nchunks)
        return 0;
    char **c = realloc(n->chunks, count * sizeof *c);
    if (!c)
        return -ENOSPC;
    memset(c + n->nchunks, 0, (count - n->nchunks) * sizeof *c);
    n->chunks = c;
    n->nchunks = count;
    return 0;
}

/* Make a regular file size bytes long: growing adds a hole, shrinking frees what is cut off. */
static int resize(struct node *n, off_t size)
{
    if (size < 0)
        return -EINVAL;
    if (size > MEMFS_MAX_FILE_SIZE)
        return -EFBIG;
    size_t keep = (size_t)((size + MEMFS_CHUNK - 1) / MEMFS_CHUNK);
    for (size_t i = keep; i < n->nchunks; i++)
        if (n->chunks[i]) {
            free(n->chunks[i]);
            n->chunks[i] = NULL;
            n->allocated--;
            memfs_used_bytes -= MEMFS_CHUNK;
        }
    if (size < n->st.st_size && size % MEMFS_CHUNK && keep - 1 < n->nchunks && n->chunks[keep - 1]) /* zero the cut tail */
        memset(n->chunks[keep - 1] + size % MEMFS_CHUNK, 0, MEMFS_CHUNK - (size_t)(size % MEMFS_CHUNK));
    if (keep < n->nchunks / 2) { /* give back a table much larger than needed */
        char **c = keep ? realloc(n->chunks, keep * sizeof *c) : (free(n->chunks), NULL);
        if (c || !keep)
            n->chunks = c, n->nchunks = keep;
    }
    n->st.st_size = size;
    return 0;
}

/* Copy out len bytes at off (within the file size). */
static void data_read(struct node *n, char *buf, size_t len, off_t off)
{
    while (len) {
        size_t ci = (size_t)(off / MEMFS_CHUNK), co = (size_t)(off % MEMFS_CHUNK);
        size_t part = MEMFS_CHUNK - co < len ? MEMFS_CHUNK - co : len;
        if (ci < n->nchunks && n->chunks[ci])
            memcpy(buf, n->chunks[ci] + co, part);
        else
            memset(buf, 0, part);
        buf += part, off += (off_t)part, len -= part;
    }
}

/* Copy in len bytes at off, allocating chunks; the file size is the caller's business. */
static int data_write(struct node *n, const char *buf, size_t len, off_t off)
{
    int err = chunks_reserve(n, (size_t)((off + (off_t)len + MEMFS_CHUNK - 1) / MEMFS_CHUNK));
    while (!err && len) {
        size_t ci = (size_t)(off / MEMFS_CHUNK), co = (size_t)(off % MEMFS_CHUNK);
        size_t part = MEMFS_CHUNK - co < len ? MEMFS_CHUNK - co : len;
        if (!n->chunks[ci]) {
            n->chunks[ci] = calloc(1, MEMFS_CHUNK);
            if (!n->chunks[ci])
                return -ENOSPC;
            n->allocated++;
            memfs_used_bytes += MEMFS_CHUNK;
        }
        memcpy(n->chunks[ci] + co, buf, part);
        buf += part, off += (off_t)part, len -= part;
    }
    return err;
}

static int memfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err && S_ISDIR(n->st.st_mode))
        err = -EISDIR;
    else if (!err && !S_ISREG(n->st.st_mode))
        err = -EINVAL;
    if (!err)
        err = resize(n, size);
    if (!err) {
        now(&n->st.st_mtim);
        n->st.st_ctim = n->st.st_mtim;
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_open(const char *path, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = lookup(path, &n, NULL, NULL);
    if (!err && S_ISDIR(n->st.st_mode) && (fi->flags & O_ACCMODE) != O_RDONLY)
        err = -EISDIR;
    if (!err && (fi->flags & O_TRUNC) && S_ISREG(n->st.st_mode)) {
        err = resize(n, 0);
        now(&n->st.st_mtim);
        n->st.st_ctim = n->st.st_mtim;
    }
    if (!err) {
        n->open_count++;
        fi->fh = (uint64_t)(uintptr_t)n;
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = make_node(path, S_IFREG | (mode & 07777), 0, &n);
    if (-EEXIST == err && !(fi->flags & O_EXCL))
        err = lookup(path, &n, NULL, NULL);
    if (!err) {
        n->open_count++;
        fi->fh = (uint64_t)(uintptr_t)n;
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    int res = err;
    if (!err) {
        if (!S_ISREG(n->st.st_mode))
            res = S_ISDIR(n->st.st_mode) ? -EISDIR : -EINVAL;
        else if (off >= n->st.st_size)
            res = 0;
        else {
            size_t avail = (size_t)(n->st.st_size - off);
            size_t len = size < avail ? size : avail;
            if (len > INT_MAX)
                len = INT_MAX;
            data_read(n, buf, len, off);
            res = (int)len;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return res;
}

static int memfs_write(const char *path, const char *buf, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int res = node_of(path, fi, &n);
    if (!res) {
        if (size > INT_MAX)
            size = INT_MAX;
        if (fi && (fi->flags & O_APPEND))
            off = n->st.st_size;
        if (!S_ISREG(n->st.st_mode))
            res = -EINVAL;
        else if (off < 0 || off > MEMFS_MAX_FILE_SIZE - (off_t)size)
            res = -EFBIG;
        else
            res = data_write(n, buf, size, off);
        if (!res) {
            if (off + (off_t)size > n->st.st_size)
                n->st.st_size = off + (off_t)size;
            now(&n->st.st_mtim);
            n->st.st_ctim = n->st.st_mtim;
            res = (int)size;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return res;
}

static int memfs_statfs(const char *path, struct statvfs *sv)
{
    (void)path;
    memset(sv, 0, sizeof *sv);
    sv->f_bsize = sv->f_frsize = 4096;
    sv->f_blocks = MEMFS_TOTAL_BYTES / 4096;
    pthread_mutex_lock(&memfs_lock);
    long long used = memfs_used_bytes;
    pthread_mutex_unlock(&memfs_lock);
    sv->f_bfree = sv->f_bavail = used >= MEMFS_TOTAL_BYTES ? 0 : (MEMFS_TOTAL_BYTES - used) / 4096;
    sv->f_files = 1 << 20;
    sv->f_ffree = sv->f_favail = 1 << 19;
    sv->f_namemax = 255;
    return 0;
}

static int memfs_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    pthread_mutex_lock(&memfs_lock);
    struct node *n = (struct node *)(uintptr_t)fi->fh;
    if (n) {
        n->open_count--;
        node_maybe_free(n);
    }
    pthread_mutex_unlock(&memfs_lock);
    return 0;
}

static int memfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path, (void)datasync, (void)fi;
    return 0;
}

static struct xattr **xattr_find(struct node *n, const char *name)
{
    struct xattr **p = &n->xattrs;
    while (*p && strcmp((*p)->name, name))
        p = &(*p)->next;
    return p;
}

/* The namespaces a Linux file system such as tmpfs has; others are EOPNOTSUPP. */
static bool xattr_namespace_known(const char *name)
{
    return 0 == strncmp(name, "user.", 5) || 0 == strncmp(name, "trusted.", 8) ||
           0 == strncmp(name, "security.", 9);
}

static int memfs_setxattr(const char *path, const char *name, const char *value, size_t size,
                          int flags)
{
    if (!xattr_namespace_known(name))
        return -EOPNOTSUPP;
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = lookup(path, &n, NULL, NULL);
    if (!err) {
        struct xattr **p = xattr_find(n, name);
        if (*p && (flags & XATTR_CREATE))
            err = -EEXIST;
        else if (!*p && (flags & XATTR_REPLACE))
            err = -ENODATA;
        else {
            char *v = malloc(size ? size : 1);
            if (!v)
                err = -ENOMEM;
            else {
                memcpy(v, value, size);
                if (!*p) {
                    struct xattr *x = calloc(1, sizeof *x);
                    char *nm = strdup(name);
                    if (!x || !nm) {
                        free(x), free(nm), free(v);
                        err = -ENOMEM;
                        goto out;
                    }
                    x->name = nm;
                    *p = x;
                }
                free((*p)->value);
                (*p)->value = v;
                (*p)->size = size;
                now(&n->st.st_ctim);
            }
        }
    }
out:
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_getxattr(const char *path, const char *name, char *value, size_t size)
{
    if (!xattr_namespace_known(name))
        return -EOPNOTSUPP;
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int res = lookup(path, &n, NULL, NULL);
    if (!res) {
        struct xattr *x = *xattr_find(n, name);
        if (!x)
            res = -ENODATA;
        else if (0 == size)
            res = (int)x->size;
        else if (size < x->size)
            res = -ERANGE;
        else {
            memcpy(value, x->value, x->size);
            res = (int)x->size;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return res;
}

static int memfs_listxattr(const char *path, char *list, size_t size)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int res = lookup(path, &n, NULL, NULL);
    if (!res) {
        size_t need = 0;
        for (struct xattr *x = n->xattrs; x; x = x->next)
            need += strlen(x->name) + 1;
        if (0 == size)
            res = (int)need;
        else if (size < need)
            res = -ERANGE;
        else {
            char *p = list;
            for (struct xattr *x = n->xattrs; x; x = x->next) {
                size_t l = strlen(x->name) + 1;
                memcpy(p, x->name, l);
                p += l;
            }
            res = (int)need;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return res;
}

static int memfs_removexattr(const char *path, const char *name)
{
    if (!xattr_namespace_known(name))
        return -EOPNOTSUPP;
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = lookup(path, &n, NULL, NULL);
    if (!err) {
        struct xattr **p = xattr_find(n, name), *x = *p;
        if (!x)
            err = -ENODATA;
        else {
            *p = x->next;
            free(x->name), free(x->value), free(x);
            now(&n->st.st_ctim);
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_opendir(const char *path, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = lookup(path, &n, NULL, NULL);
    if (!err && !S_ISDIR(n->st.st_mode))
        err = -ENOTDIR;
    if (!err) {
        n->open_count++;
        fi->fh = (uint64_t)(uintptr_t)n;
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                         struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off, (void)flags;
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err && !S_ISDIR(n->st.st_mode))
        err = -ENOTDIR;
    if (!err && n->st.st_nlink > 0) {
        struct stat st = n->st;
        filler(buf, ".", &st, 0, FUSE_FILL_DIR_PLUS);
        filler(buf, "..", NULL, 0, (enum fuse_fill_dir_flags)0);
        for (size_t i = 0; i < n->nentries; i++) {
            struct node *c = n->entries[i].node;
            st = c->st;
            st.st_blocks = S_ISREG(c->st.st_mode) ? (blkcnt_t)(c->allocated * (MEMFS_CHUNK / 512))
                                                  : (st.st_size + 511) / 512;
            if (filler(buf, n->entries[i].name, &st, 0, FUSE_FILL_DIR_PLUS))
                break;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_releasedir(const char *path, struct fuse_file_info *fi)
{
    return memfs_release(path, fi);
}

static int memfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err) {
        struct timespec t;
        now(&t);
        if (!tv || UTIME_NOW == tv[0].tv_nsec)
            n->st.st_atim = t;
        else if (UTIME_OMIT != tv[0].tv_nsec)
            n->st.st_atim = tv[0];
        if (!tv || UTIME_NOW == tv[1].tv_nsec)
            n->st.st_mtim = t;
        else if (UTIME_OMIT != tv[1].tv_nsec)
            n->st.st_mtim = tv[1];
        n->st.st_ctim = t;
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static int memfs_fallocate(const char *path, int mode, off_t off, off_t len,
                           struct fuse_file_info *fi)
{
    if (mode & ~1) /* only FALLOC_FL_KEEP_SIZE */
        return -EOPNOTSUPP;
    if (off < 0 || len <= 0)
        return -EINVAL;
    pthread_mutex_lock(&memfs_lock);
    struct node *n;
    int err = node_of(path, fi, &n);
    if (!err && !S_ISREG(n->st.st_mode))
        err = -ENODEV;
    if (!err && !(mode & 1) && off + len > n->st.st_size) {
        err = resize(n, off + len);
        if (!err) {
            now(&n->st.st_mtim);
            n->st.st_ctim = n->st.st_mtim;
        }
    }
    pthread_mutex_unlock(&memfs_lock);
    return err;
}

static const struct fuse_operations memfs_ops = {
    .getattr = memfs_getattr,
    .readlink = memfs_readlink,
    .mknod = memfs_mknod,
    .mkdir = memfs_mkdir,
    .unlink = memfs_unlink,
    .rmdir = memfs_rmdir,
    .symlink = memfs_symlink,
    .rename = memfs_rename,
    .link = memfs_link,
    .chmod = memfs_chmod,
    .chown = memfs_chown,
    .truncate = memfs_truncate,
    .open = memfs_open,
    .read = memfs_read,
    .write = memfs_write,
    .statfs = memfs_statfs,
    .release = memfs_release,
    .fsync = memfs_fsync,
    .setxattr = memfs_setxattr,
    .getxattr = memfs_getxattr,
    .listxattr = memfs_listxattr,
    .removexattr = memfs_removexattr,
    .opendir = memfs_opendir,
    .readdir = memfs_readdir,
    .releasedir = memfs_releasedir,
    .init = memfs_init,
    .destroy = memfs_destroy,
    .create = memfs_create,
    .utimens = memfs_utimens,
    .fallocate = memfs_fallocate,
};

int main(int argc, char *argv[])
{
    memfs_root = node_new(S_IFDIR | 0777, getuid(), getgid());
    if (!memfs_root)
        return 1;
    memfs_root->st.st_nlink = 2;
    int res = fuse_main(argc, argv, &memfs_ops, NULL);
    /* destroy() frees the tree when the file system ran; free it otherwise (-h, errors). */
    if (memfs_root)
        tree_free(memfs_root);
    return res;
}
