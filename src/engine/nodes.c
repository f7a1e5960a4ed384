/*
 * src/engine/nodes.c - the node table: the kernel's nodeids and the names
 * they stand for.
 *
 * A node is one name the kernel has looked up. Nodes link to their parent,
 * so a node's full path is built by walking up, and renaming a directory
 * moves its whole subtree by changing one node. Two hash tables index the
 * nodes: by nodeid, and by (parent, name) for linked nodes. Names are kept in
 * Windows form (the file system's); with CaseSensitiveSearch off the name
 * index folds case with FspUpcaseChar (a fixed table, not the locale).
 *
 * Hard links: the kernel should see one inode per file, whatever name it came
 * through, or its caches of the names disagree (sizes, times, pages). A file
 * with more than one link and an IndexNumber is entered in a third index; a
 * name of it that is looked up later becomes an alias node of the node the
 * kernel already has, and the kernel gets that node's nodeid. A node's path is
 * then that of any of its names that is still linked.
 */
#include "core.h"
#include "api.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROOT_ID FUSE_ROOT_ID
#define INDEX_BUCKETS 1024

static bool case_insensitive(struct fsp_engine *eng)
{
    return !eng->fs->VolumeParams.CaseSensitiveSearch;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint32_t name_hash(struct fsp_engine *eng, uint64_t parent, PCWSTR name)
{
    uint64_t h = 1469598103934665603ULL ^ mix(parent);
    bool fold = case_insensitive(eng);
    for (; *name; name++) {
        WCHAR c = fold ? FspUpcaseChar(*name) : *name;
        h = (h ^ (uint64_t)c) * 1099511628211ULL;
    }
    return (uint32_t)mix(h);
}

static bool name_equal(struct fsp_engine *eng, PCWSTR a, PCWSTR b)
{
    if (!case_insensitive(eng))
        return 0 == wcscmp(a, b);
    for (; *a && *b; a++, b++)
        if (FspUpcaseChar(*a) != FspUpcaseChar(*b))
            return false;
    return *a == *b;
}

static int grow(struct fsp_node ***pbuckets, size_t *pn, size_t want, bool by_name)
{
    size_t n = *pn;
    if (want <= n)
        return 0;
    size_t newn = n ? n : 1024;
    while (newn < want)
        newn *= 2;
    struct fsp_node **nb = calloc(newn, sizeof *nb);
    if (!nb)
        return ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct fsp_node *node = (*pbuckets)[i];
        while (node) {
            struct fsp_node *next = by_name ? node->name_next : node->id_next;
            size_t b = (by_name ? node->name_hash : mix(node->nodeid)) & (newn - 1);
            if (by_name) {
                node->name_next = nb[b];
                nb[b] = node;
            } else {
                node->id_next = nb[b];
                nb[b] = node;
            }
            node = next;
        }
    }
    free(*pbuckets);
    *pbuckets = nb;
    *pn = newn;
    return 0;
}

static struct fsp_node *by_id(struct fsp_engine *eng, uint64_t nodeid)
{
    for (struct fsp_node *n = eng->id_buckets[mix(nodeid) & (eng->nbuckets_id - 1)]; n;
         n = n->id_next)
        if (n->nodeid == nodeid)
            return n;
    return 0;
}

static struct fsp_node *by_name(struct fsp_engine *eng, struct fsp_node *parent, PCWSTR name,
                                uint32_t hash)
{
    for (struct fsp_node *n = eng->name_buckets[hash & (eng->nbuckets_name - 1)]; n;
         n = n->name_next)
        if (n->parent == parent && n->name_hash == hash && name_equal(eng, n->name, name))
            return n;
    return 0;
}

static void link_name(struct fsp_engine *eng, struct fsp_node *n)
{
    size_t b = n->name_hash & (eng->nbuckets_name - 1);
    n->name_next = eng->name_buckets[b];
    eng->name_buckets[b] = n;
    n->parent->nchildren++;
}

static void free_node(struct fsp_engine *eng, struct fsp_node *n);

/* A new node named name (NULL: none), zeroed otherwise; NULL when out of memory. The name it is
 * made with lives in the node's own allocation (bytes per file: one malloc chunk, not two). */
static struct fsp_node *node_alloc(PCWSTR name)
{
    size_t size = name ? (wcslen(name) + 1) * sizeof(WCHAR) : 0;
    struct fsp_node *n = calloc(1, offsetof(struct fsp_node, own_name) + size);
    if (n && name) {
        memcpy(n->own_name, name, size);
        n->name = n->own_name;
    }
    return n;
}

/* Give n the name wname (malloc'ed, taken over; NULL: none). */
static void node_set_name(struct fsp_node *n, PWSTR wname)
{
    if (n->name != n->own_name)
        free(n->name);
    n->name = wname;
}

/* Free n and what only it holds (not unlinking it from anything). */
static void node_release(struct fsp_node *n)
{
    free(n->link);
    free(n->gone_attr);
    node_set_name(n, 0);
    free(n);
}

/*
 * Hard-link state, kept apart (n->link) because almost no node needs it. An alias names the
 * file of its primary (the node the kernel knows); a primary lists its aliases; a node in the
 * IndexNumber index has index != 0.
 */
struct fsp_node_link {
    struct fsp_node *primary;    /* an alias: the node it names */
    struct fsp_node *aliases;    /* a primary: its aliases, through alias_next */
    struct fsp_node *alias_next;
    struct fsp_node *index_next; /* index hash chain */
    uint64_t index;
};

static struct fsp_node_link *link_of(struct fsp_node *n) /* made on first use; NULL: ENOMEM */
{
    if (!n->link)
        n->link = calloc(1, sizeof *n->link);
    return n->link;
}

static struct fsp_node *primary_of(const struct fsp_node *n)
{
    return n->link ? n->link->primary : 0;
}

static struct fsp_node *aliases_of(const struct fsp_node *n)
{
    return n->link ? n->link->aliases : 0;
}

static uint64_t index_of(const struct fsp_node *n)
{
    return n->link ? n->link->index : 0;
}

/* Does n (a node the kernel knows) still have a name, itself or through an alias? */
static bool node_linked(struct fsp_node *n)
{
    if (n->parent)
        return true;
    for (struct fsp_node *a = aliases_of(n); a; a = a->link->alias_next)
        if (a->parent)
            return true;
    return false;
}

static void index_remove(struct fsp_engine *eng, struct fsp_node *n)
{
    uint64_t index = index_of(n);
    if (!index)
        return;
    for (struct fsp_node **pp = &eng->index_buckets[mix(index) & (INDEX_BUCKETS - 1)]; *pp;
         pp = &(*pp)->link->index_next)
        if (*pp == n) {
            *pp = n->link->index_next;
            break;
        }
    n->link->index = 0;
    n->link->index_next = 0;
}

static void index_add(struct fsp_engine *eng, struct fsp_node *n, uint64_t index)
{
    if (!index || index_of(n) || primary_of(n))
        return;
    struct fsp_node_link *l = link_of(n);
    if (!l)
        return; /* out of memory: the file is not recognised under its other names */
    size_t b = mix(index) & (INDEX_BUCKETS - 1);
    l->index = index;
    l->index_next = eng->index_buckets[b];
    eng->index_buckets[b] = n;
}

/* The node the kernel knows for the file with this IndexNumber, if it still has a name. */
static struct fsp_node *index_find(struct fsp_engine *eng, uint64_t index)
{
    for (struct fsp_node *n = eng->index_buckets[mix(index) & (INDEX_BUCKETS - 1)]; n;
         n = n->link->index_next)
        if (n->link->index == index && node_linked(n))
            return n;
    return 0;
}

/* Unlink n from its name; a parent that the kernel forgot and that has no children left goes too. */
static void unlink_name(struct fsp_engine *eng, struct fsp_node *n)
{
    struct fsp_node *parent = n->parent;
    if (!parent)
        return;
    size_t b = n->name_hash & (eng->nbuckets_name - 1);
    for (struct fsp_node **pp = &eng->name_buckets[b]; *pp; pp = &(*pp)->name_next)
        if (*pp == n) {
            *pp = n->name_next;
            break;
        }
    n->parent = 0;
    n->name_next = 0;
    parent->nchildren--;
    if (parent != eng->root && 0 == parent->nlookup && 0 == parent->nchildren)
        free_node(eng, parent);
}

int fsp_nodes_init(struct fsp_engine *eng)
{
    pthread_rwlock_init(&eng->nodes_lock, 0);
    if (grow(&eng->id_buckets, &eng->nbuckets_id, 1024, false) ||
        grow(&eng->name_buckets, &eng->nbuckets_name, 1024, true))
        return ENOMEM;
    eng->index_buckets = calloc(INDEX_BUCKETS, sizeof *eng->index_buckets);
    struct fsp_node *root = eng->index_buckets ? node_alloc(0) : 0;
    if (!root)
        return ENOMEM;
    root->nodeid = ROOT_ID;
    root->nlookup = 1;
    root->nsubdirs = -1;
    eng->root = root;
    eng->next_nodeid = ROOT_ID + 1;
    size_t b = mix(ROOT_ID) & (eng->nbuckets_id - 1);
    eng->id_buckets[b] = root;
    eng->nnodes = 1;
    return 0;
}

void fsp_nodes_fini(struct fsp_engine *eng)
{
    if (eng->id_buckets)
        for (size_t i = 0; i < eng->nbuckets_id; i++)
            for (struct fsp_node *n = eng->id_buckets[i], *next; n; n = next) {
                next = n->id_next;
                node_release(n);
            }
    free(eng->id_buckets);
    free(eng->name_buckets);
    free(eng->index_buckets);
    eng->id_buckets = eng->name_buckets = eng->index_buckets = 0;
    pthread_rwlock_destroy(&eng->nodes_lock);
}

/* Longest name component in WCHARs (Linux's NAME_MAX counts bytes; readdir could not show more). */
#define NAME_CHARS 255

/* Map one POSIX name component to its Windows form in w (NAME_CHARS + 1 WCHARs); EINVAL for
 * '/', "." or "..", ENAMETOOLONG. */
static int map_component(struct fsp_engine *eng, const char *name, PWSTR w)
{
    size_t len = strlen(name);
    if (0 == len || strchr(name, '/') || 0 == strcmp(name, ".") || 0 == strcmp(name, ".."))
        return EINVAL;
    if (len > NAME_CHARS)
        return ENAMETOOLONG;
    size_t n = fsp_posix_map_name_into(name, len, w);
    size_t maxlen = eng->fs->VolumeParams.MaxComponentLength;
    if (maxlen && n > maxlen)
        return ENAMETOOLONG;
    return 0;
}

/* The path of n into the thread's slot, with `extra` more WCHARs of room; *plen its length. */
static int build_path(struct fsp_node *n, unsigned slot, size_t extra, PWSTR *ppath, size_t *plen)
{
    size_t len = 0;
    for (struct fsp_node *p = n; p->name; p = p->parent) {
        if (!p->parent)
            return ENOENT; /* unlinked somewhere on the way */
        len += 1 + wcslen(p->name);
    }
    if (n->nodeid != ROOT_ID && 0 == len)
        return ENOENT;
    PWSTR path = fsp_thread_scratch(slot, (len + 2 + extra) * sizeof(WCHAR));
    if (!path)
        return ENOMEM;
    if (0 == len) {
        path[0] = L'\\', path[1] = 0;
        *ppath = path;
        *plen = 1;
        return 0;
    }
    path[len] = 0;
    size_t pos = len;
    for (struct fsp_node *p = n; p->name; p = p->parent) {
        size_t l = wcslen(p->name);
        pos -= l;
        memcpy(path + pos, p->name, l * sizeof(WCHAR));
        path[--pos] = L'\\';
    }
    *ppath = path;
    *plen = len;
    return 0;
}

/* nodeid's path (its own name's, or any of its other names'); caller holds nodes_lock. */
static int node_path_locked(struct fsp_engine *eng, uint64_t nodeid, unsigned slot, size_t extra,
                            PWSTR *ppath, size_t *plen)
{
    struct fsp_node *n = by_id(eng, nodeid);
    if (n && primary_of(n))
        n = primary_of(n);
    int err = n ? build_path(n, slot, extra, ppath, plen) : ENOENT;
    /* Its own name is gone: any other name of the file will do. */
    for (struct fsp_node *a = n ? aliases_of(n) : 0; ENOENT == err && a; a = a->link->alias_next)
        err = build_path(a, slot, extra, ppath, plen);
    return err;
}

int fsp_node_path(struct fsp_engine *eng, uint64_t nodeid, enum fsp_path_slot slot, PWSTR *ppath)
{
    size_t len;
    pthread_rwlock_rdlock(&eng->nodes_lock);
    int err = node_path_locked(eng, nodeid, slot, 0, ppath, &len);
    pthread_rwlock_unlock(&eng->nodes_lock);
    return err;
}

int fsp_node_child_path(struct fsp_engine *eng, uint64_t parent, const char *name,
                        enum fsp_path_slot slot, PWSTR *ppath)
{
    WCHAR wname[NAME_CHARS + 1];
    int err = map_component(eng, name, wname);
    if (err)
        return err;
    size_t nl = wcslen(wname), pl;
    PWSTR path;
    pthread_rwlock_rdlock(&eng->nodes_lock);
    err = node_path_locked(eng, parent, slot, nl + 1, &path, &pl);
    pthread_rwlock_unlock(&eng->nodes_lock);
    if (err)
        return err;
    fsp_path_append(path, pl, wname, nl);
    *ppath = path;
    return 0;
}

void fsp_path_append(PWSTR dir, size_t dl, PCWSTR name, size_t nl)
{
    bool root = 1 == dl && L'\\' == dir[0];
    if (!root)
        dir[dl++] = L'\\';
    memcpy(dir + dl, name, (nl + 1) * sizeof(WCHAR));
}

static void detach(struct fsp_engine *eng, struct fsp_node *n);
static void attr_changed(struct fsp_node *n, bool owner);

int fsp_node_enter_file(struct fsp_engine *eng, uint64_t parent, const char *name, uint32_t mode,
                        uint64_t ino, bool linked, uint64_t *pnodeid, uint64_t *pgeneration,
                        uint32_t *pgen)
{
    uint64_t index = linked ? ino : 0; /* hard-linked files are found by IndexNumber */
    WCHAR wname[NAME_CHARS + 1];
    int err = map_component(eng, name, wname);
    if (err)
        return err;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *p = by_id(eng, parent);
    if (!p || (p != eng->root && !p->parent)) {
        pthread_rwlock_unlock(&eng->nodes_lock);
        return ENOENT;
    }
    uint32_t h = name_hash(eng, parent, wname);
    struct fsp_node *n = by_name(eng, p, wname, h);
    struct fsp_node *k = n && primary_of(n) ? primary_of(n) : n;
    if (k && ino && k->ino && k->ino != ino) {
        /* Another file has the name now (replaced behind the engine's back): the kernel must
         * see a new inode, so the old node loses the name and lives on nameless. */
        attr_changed(n, true);
        detach(eng, n);
        n = 0;
    }
    if (pgen)
        *pgen = FSP_ATTR_GEN_NONE;
    if (n) {
        if (primary_of(n))
            n = primary_of(n); /* another name of a file the kernel knows */
        n->nlookup++;
        index_add(eng, n, index);
    } else {
        n = node_alloc(wname);
        if (!n || grow(&eng->id_buckets, &eng->nbuckets_id, eng->nnodes + 1, false) ||
            grow(&eng->name_buckets, &eng->nbuckets_name, eng->nnodes + 1, true)) {
            pthread_rwlock_unlock(&eng->nodes_lock);
            free(n);
            return ENOMEM;
        }
        n->nodeid = eng->next_nodeid++;
        n->ino = ino;
        n->nsubdirs = -1;
        n->parent = p;
        n->name_hash = h;
        n->nlookup = 1;
        size_t b = mix(n->nodeid) & (eng->nbuckets_id - 1);
        n->id_next = eng->id_buckets[b];
        eng->id_buckets[b] = n;
        link_name(eng, n);
        eng->nnodes++;
        struct fsp_node *known = index ? index_find(eng, index) : 0;
        struct fsp_node_link *l = known && known != n ? link_of(n) : 0;
        if (l) {
            /* A new name of a file the kernel knows: an alias; the kernel gets known's nodeid. */
            n->nlookup = 0;
            l->primary = known;
            l->alias_next = known->link->aliases;
            known->link->aliases = n;
            n = known;
            n->nlookup++;
        } else {
            if (!known)
                index_add(eng, n, index);
            if (pgen)
                *pgen = 0; /* a new node: nothing can have changed it yet */
        }
    }
    if (mode & S_IFMT) /* remembered for a file that loses every name (fsp_node_unlinked_type) */
        __atomic_store_n(&n->type, (uint16_t)(mode & S_IFMT), __ATOMIC_RELAXED);
    if (ino)
        n->ino = ino;
    *pnodeid = n->nodeid;
    *pgeneration = 1; /* nodeids are never reused, so every node has the same generation */
    pthread_rwlock_unlock(&eng->nodes_lock);
    return 0;
}

static void free_node(struct fsp_engine *eng, struct fsp_node *n)
{
    size_t b = mix(n->nodeid) & (eng->nbuckets_id - 1);
    for (struct fsp_node **pp = &eng->id_buckets[b]; *pp; pp = &(*pp)->id_next)
        if (*pp == n) {
            *pp = n->id_next;
            break;
        }
    unlink_name(eng, n);
    struct fsp_node *p = primary_of(n);
    if (p) {
        for (struct fsp_node **pp = &p->link->aliases; *pp; pp = &(*pp)->link->alias_next)
            if (*pp == n) {
                *pp = n->link->alias_next;
                break;
            }
        n->link->primary = 0;
    }
    /* The kernel forgot the file: its other names go too (a later lookup makes them anew). */
    while (aliases_of(n))
        free_node(eng, aliases_of(n));
    index_remove(eng, n);
    node_release(n);
    eng->nnodes--;
}

void fsp_node_forget(struct fsp_engine *eng, uint64_t nodeid, uint64_t nlookup)
{
    if (ROOT_ID == nodeid)
        return;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n) {
        if (nlookup > n->nlookup) {
            FspDebugLog("linfsp: FORGET of %llu lookups on node %llu that has %llu\n",
                        (unsigned long long)nlookup, (unsigned long long)nodeid,
                        (unsigned long long)n->nlookup);
            nlookup = n->nlookup;
        }
        n->nlookup -= nlookup;
        /* The kernel forgets children before parents, so a forgotten node rarely has linked
         * children; when it does, it stays as an (unreferenced) path element. */
        if (0 == n->nlookup && 0 == n->nchildren)
            free_node(eng, n);
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}

static struct fsp_node *child_locked(struct fsp_engine *eng, uint64_t parent, const char *name)
{
    WCHAR wname[NAME_CHARS + 1];
    if (map_component(eng, name, wname))
        return 0;
    struct fsp_node *p = by_id(eng, parent);
    return p ? by_name(eng, p, wname, name_hash(eng, parent, wname)) : 0;
}

/* Detach a node from its name; free it when the kernel holds no reference. */
static void detach(struct fsp_engine *eng, struct fsp_node *n)
{
    unlink_name(eng, n);
    struct fsp_node *k = primary_of(n) ? primary_of(n) : n;
    if (primary_of(n)) {
        free_node(eng, n); /* an alias is only a name */
        if (!node_linked(k))
            index_remove(eng, k); /* the file's last name went */
    } else if (0 == n->nlookup && 0 == n->nchildren)
        free_node(eng, n);
    else if (!node_linked(k))
        index_remove(eng, k); /* nameless: its IndexNumber may come back as another file */
}

/* Drop what attr_cache.c holds of n's attributes (its size, link count, times, ... changed):
 * the change count goes up, so FILE_INFO read before is not served; with owner, also the owner
 * (its security changed). An owner read meanwhile is not stored either way. */
static void attr_changed(struct fsp_node *n, bool owner)
{
    if (primary_of(n))
        n = primary_of(n);
    uint32_t old = __atomic_load_n(&n->attr_gen, __ATOMIC_RELAXED), new;
    do
        new = (((old & ~FSP_ATTR_OWNER_VALID) + 1) & ~FSP_ATTR_OWNER_VALID) |
              (owner ? 0 : old & FSP_ATTR_OWNER_VALID);
    while (!__atomic_compare_exchange_n(&n->attr_gen, &old, new, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED));
}

static void invalidate(struct fsp_engine *eng, uint64_t nodeid, bool owner)
{
    if (0 == eng->fs->VolumeParams.FileInfoTimeout)
        return; /* nothing is cached */
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n)
        attr_changed(n, owner);
    pthread_rwlock_unlock(&eng->nodes_lock);
}

void fsp_attr_invalidate(struct fsp_engine *eng, uint64_t nodeid)
{
    invalidate(eng, nodeid, false);
}

uint32_t fsp_node_attr_changed_from(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen)
{
    if (0 == eng->fs->VolumeParams.FileInfoTimeout)
        return FSP_ATTR_GEN_NONE;
    uint32_t now = FSP_ATTR_GEN_NONE;
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n && primary_of(n))
        n = primary_of(n);
    if (n) {
        uint32_t old = __atomic_load_n(&n->attr_gen, __ATOMIC_RELAXED);
        uint32_t next = ((gen + 1) & ~FSP_ATTR_OWNER_VALID) | (old & FSP_ATTR_OWNER_VALID);
        if (FSP_ATTR_GEN_NONE != gen && (old & ~FSP_ATTR_OWNER_VALID) == gen &&
            __atomic_compare_exchange_n(&n->attr_gen, &old, next, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED))
            now = next & ~FSP_ATTR_OWNER_VALID; /* no one else changed it in between */
        else
            attr_changed(n, false);
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    return now;
}

void fsp_attr_invalidate_owner(struct fsp_engine *eng, uint64_t nodeid)
{
    invalidate(eng, nodeid, true);
}

void fsp_attr_invalidate_entry(struct fsp_engine *eng, uint64_t nodeid)
{
    if (0 == eng->fs->VolumeParams.FileInfoTimeout)
        return; /* nothing is cached */
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n) {
        attr_changed(n, true);
        if (n->parent)
            attr_changed(n->parent, false); /* its kept listing (dir_cache.c) */
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}

bool fsp_node_owner_get(struct fsp_engine *eng, uint64_t nodeid, uint32_t *pgen, uint32_t owner[3],
                        uint32_t *page_ms)
{
    bool has = false;
    *pgen = FSP_ATTR_GEN_NONE;
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n && primary_of(n))
        n = primary_of(n);
    if (n) {
        uint32_t gen = __atomic_load_n(&n->attr_gen, __ATOMIC_SEQ_CST);
        *pgen = gen & ~FSP_ATTR_OWNER_VALID;
        /* The fields are written under the write lock only. */
        if ((gen & FSP_ATTR_OWNER_VALID) && fsp_attr_fresh(eng, n->owner_stamp)) {
            owner[0] = n->owner_uid, owner[1] = n->owner_gid, owner[2] = n->owner_mode;
            *page_ms = fsp_attr_age_ms(eng, n->owner_stamp);
            has = true;
        }
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    return has;
}

void fsp_node_owner_put(struct fsp_engine *eng, uint64_t nodeid, uint32_t gen, const uint32_t owner[3])
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n && primary_of(n))
        n = primary_of(n);
    uint32_t now = __atomic_load_n(n ? &n->attr_gen : &gen, __ATOMIC_SEQ_CST);
    if (n && (now & ~FSP_ATTR_OWNER_VALID) == gen) { /* unchanged since it was read */
        n->owner_uid = owner[0], n->owner_gid = owner[1], n->owner_mode = (uint16_t)owner[2];
        n->owner_stamp = fsp_attr_ticks();
        __atomic_store_n(&n->attr_gen, gen | FSP_ATTR_OWNER_VALID, __ATOMIC_SEQ_CST);
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}

bool fsp_node_enter_cached(struct fsp_engine *eng, uint64_t parent, PCWSTR wname, uint64_t ino,
                           uint32_t type, uint32_t owner[3], uint32_t *page_ms, uint64_t *pnodeid,
                           uint64_t *pgeneration)
{
    bool done = false;
    uint32_t h = name_hash(eng, parent, wname);
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *p = by_id(eng, parent);
    struct fsp_node *n = p ? by_name(eng, p, wname, h) : 0;
    if (n && primary_of(n))
        n = primary_of(n);
    if (n && ino && n->ino && n->ino != ino)
        n = 0; /* another file has the name now: fsp_node_enter_file gives it a new node */
    if (n) {
        uint32_t gen = __atomic_load_n(&n->attr_gen, __ATOMIC_SEQ_CST);
        if ((gen & FSP_ATTR_OWNER_VALID) && (n->owner_mode & S_IFMT) == type &&
            fsp_attr_fresh(eng, n->owner_stamp)) {
            owner[0] = n->owner_uid, owner[1] = n->owner_gid, owner[2] = n->owner_mode;
            *page_ms = fsp_attr_age_ms(eng, n->owner_stamp);
            n->nlookup++;
            __atomic_store_n(&n->type, (uint16_t)type, __ATOMIC_RELAXED);
            *pnodeid = n->nodeid;
            *pgeneration = 1; /* as fsp_node_enter_file */
            done = true;
        }
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    return done;
}

uint64_t fsp_node_child_id(struct fsp_engine *eng, uint64_t parent, PCWSTR wname, uint64_t ino)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *p = by_id(eng, parent);
    struct fsp_node *n = p ? by_name(eng, p, wname, name_hash(eng, parent, wname)) : 0;
    if (n && primary_of(n))
        n = primary_of(n);
    uint64_t id = n && !(ino && n->ino && n->ino != ino) ? n->nodeid : 0;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return id;
}

void fsp_node_unlinked(struct fsp_engine *eng, uint64_t parent, const char *name)
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = child_locked(eng, parent, name);
    if (n) {
        attr_changed(n, false);
        detach(eng, n);
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}

int fsp_node_rename_prepare(struct fsp_engine *eng, const char *name, const char *newname,
                            struct fsp_node_rename *r)
{
    memset(r, 0, sizeof *r);
    WCHAR a[NAME_CHARS + 1], b[NAME_CHARS + 1];
    int err = map_component(eng, name, a);
    if (!err)
        err = map_component(eng, newname, b);
    if (!err && !fsp_engine_fault_alloc(eng)) {
        r->oldw = wcsdup(a);
        r->neww = wcsdup(b);
    }
    if (!err && (!r->oldw || !r->neww)) {
        fsp_node_rename_discard(r);
        err = ENOMEM;
    }
    return err;
}

void fsp_node_rename_discard(struct fsp_node_rename *r)
{
    free(r->oldw);
    free(r->neww);
    memset(r, 0, sizeof *r);
}

void fsp_node_renamed(struct fsp_engine *eng, uint64_t parent, uint64_t newparent,
                      struct fsp_node_rename *r)
{
    PWSTR copy = r->neww;
    r->neww = 0;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *p = by_id(eng, parent), *q = by_id(eng, newparent);
    struct fsp_node *n = p ? by_name(eng, p, r->oldw, name_hash(eng, parent, r->oldw)) : 0;
    struct fsp_node *target = q ? by_name(eng, q, copy, name_hash(eng, newparent, copy)) : 0;
    if (n)
        attr_changed(n, false); /* its change time */
    if (target)
        attr_changed(target, false); /* its link count */
    if (n)
        n->nlookup++; /* hold n while its neighbours may be freed */
    if (target && target != n)
        detach(eng, target);
    if (n)
        n->nlookup--;
    if (n) {
        unlink_name(eng, n); /* may free an unreferenced old parent: find the new one after */
        struct fsp_node *np = by_id(eng, newparent);
        if (np) {
            node_set_name(n, copy);
            copy = 0;
            n->parent = np;
            n->name_hash = name_hash(eng, newparent, n->name);
            link_name(eng, n);
        } else if (0 == n->nlookup && 0 == n->nchildren)
            free_node(eng, n);
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    free(copy);
    fsp_node_rename_discard(r);
}

/* Give n the name wname (taken over) in directory p. */
static void relink(struct fsp_engine *eng, struct fsp_node *n, struct fsp_node *p, PWSTR wname)
{
    node_set_name(n, wname);
    n->parent = p;
    n->name_hash = name_hash(eng, p->nodeid, wname);
    link_name(eng, n);
}

/* A node held across a change lets go: free it when nothing refers to it any more. */
static void release_held(struct fsp_engine *eng, struct fsp_node *n)
{
    if (n && n != eng->root && 0 == --n->nlookup && 0 == n->nchildren && !primary_of(n) &&
        !aliases_of(n))
        free_node(eng, n);
}

void fsp_node_exchanged(struct fsp_engine *eng, uint64_t parent, uint64_t newparent,
                        struct fsp_node_rename *r)
{
    /* each node's new name: the other's (made by fsp_node_rename_prepare, so nothing fails) */
    PWSTR copy_a = r->neww, copy_b = r->oldw;
    r->neww = r->oldw = 0;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *pa = by_id(eng, parent), *pb = by_id(eng, newparent);
    struct fsp_node *a = pa ? by_name(eng, pa, copy_b, name_hash(eng, parent, copy_b)) : 0;
    struct fsp_node *b = pb ? by_name(eng, pb, copy_a, name_hash(eng, newparent, copy_a)) : 0;
    if (a)
        attr_changed(a, false); /* its change time */
    if (b)
        attr_changed(b, false);
    if (a != b && pa && pb) {
        /* Hold both directories: taking a name out may free a directory the kernel forgot. */
        pa->nlookup++, pb->nlookup++;
        if (a)
            unlink_name(eng, a);
        if (b)
            unlink_name(eng, b);
        /* Each known node takes the other's name; a name the table does not know needs no
         * node (the kernel looks it up again). */
        if (a)
            relink(eng, a, pb, copy_a), copy_a = 0;
        if (b)
            relink(eng, b, pa, copy_b), copy_b = 0;
        release_held(eng, pa);
        release_held(eng, pb);
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    free(copy_a);
    free(copy_b);
}

void fsp_node_keep_gone_attr(struct fsp_engine *eng, uint64_t parent, const char *name,
                             const struct fuse_attr *attr)
{
    struct fuse_attr *copy = malloc(sizeof *copy);
    if (!copy)
        return; /* then it answers ENOENT, as before */
    *copy = *attr;
    copy->nlink = 0;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = child_locked(eng, parent, name);
    if (n && !primary_of(n) && S_ISDIR(attr->mode)) {
        free(n->gone_attr);
        n->gone_attr = copy;
        copy = 0;
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    free(copy);
}

bool fsp_node_gone_attr(struct fsp_engine *eng, uint64_t nodeid, struct fuse_attr *attr)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    bool gone = n && n->gone_attr && !node_linked(n);
    if (gone)
        *attr = *n->gone_attr;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return gone;
}

bool fsp_node_set_gone_attr(struct fsp_engine *eng, uint64_t nodeid, const struct fuse_attr *attr)
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    bool gone = n && n->gone_attr && !node_linked(n);
    if (gone)
        *n->gone_attr = *attr;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return gone;
}

uint32_t fsp_node_child_type(struct fsp_engine *eng, uint64_t parent, const char *name)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = child_locked(eng, parent, name);
    if (n && primary_of(n))
        n = primary_of(n);
    uint32_t type = n ? __atomic_load_n(&n->type, __ATOMIC_RELAXED) : 0;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return type;
}

int fsp_node_new_unnamed(struct fsp_engine *eng, uint32_t mode, uint64_t ino, uint64_t *pnodeid,
                         uint64_t *pgeneration)
{
    struct fsp_node *n = node_alloc(0);
    if (!n)
        return ENOMEM;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    if (grow(&eng->id_buckets, &eng->nbuckets_id, eng->nnodes + 1, false) ||
        grow(&eng->name_buckets, &eng->nbuckets_name, eng->nnodes + 1, true)) {
        pthread_rwlock_unlock(&eng->nodes_lock);
        free(n);
        return ENOMEM;
    }
    n->nodeid = eng->next_nodeid++;
    n->ino = ino;
    n->nlookup = 1;
    n->type = (uint16_t)(mode & S_IFMT);
    size_t b = mix(n->nodeid) & (eng->nbuckets_id - 1);
    n->id_next = eng->id_buckets[b];
    eng->id_buckets[b] = n;
    eng->nnodes++;
    *pnodeid = n->nodeid;
    *pgeneration = 1; /* as fsp_node_enter_file */
    pthread_rwlock_unlock(&eng->nodes_lock);
    return 0;
}

bool fsp_node_named(struct fsp_engine *eng, uint64_t nodeid, uint64_t parent, const char *name)
{
    WCHAR wname[NAME_CHARS + 1];
    if (map_component(eng, name, wname))
        return false;
    PWSTR copy = wcsdup(wname);
    if (!copy)
        return false;
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid), *p = by_id(eng, parent);
    bool done = false;
    if (n && p && n != eng->root && !n->parent && !primary_of(n) && !aliases_of(n) &&
        (p == eng->root || p->parent)) {
        uint32_t h = name_hash(eng, parent, copy);
        if (!by_name(eng, p, copy, h)) {
            relink(eng, n, p, copy);
            copy = 0;
            done = true;
        }
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
    free(copy);
    return done;
}

uint64_t fsp_node_find_path(struct fsp_engine *eng, PCWSTR path, uint64_t *pparent,
                            PWSTR *plastname)
{
    /* Walk "\a\b\c" from the root through the name index. */
    if (!path || L'\\' != path[0])
        return 0;
    PWSTR copy = wcsdup(path);
    if (!copy)
        return 0;
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = eng->root, *parent = 0;
    PWSTR last = 0, save = 0;
    for (PWSTR tok = wcstok(copy + 1, L"\\", &save); tok; tok = wcstok(0, L"\\", &save)) {
        parent = n;
        last = tok;
        n = n ? by_name(eng, n, tok, name_hash(eng, n->nodeid, tok)) : 0;
    }
    uint64_t id = n ? (primary_of(n) ? primary_of(n)->nodeid : n->nodeid) : 0;
    if (pparent)
        *pparent = parent ? parent->nodeid : 0;
    if (plastname)
        *plastname = last && parent ? wcsdup(last) : 0;
    pthread_rwlock_unlock(&eng->nodes_lock);
    free(copy);
    return id;
}

/* A node's flags word: FSP_NODE_* in the low bits, a change count above (FSP_NODE_GEN_ONE). */
unsigned fsp_node_flags(struct fsp_engine *eng, uint64_t nodeid)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    unsigned word = n ? __atomic_load_n(&n->flags, __ATOMIC_ACQUIRE) : 0;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return word;
}

void fsp_node_set_flag(struct fsp_engine *eng, uint64_t nodeid, unsigned flag, bool on)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n) {
        uint16_t old = __atomic_load_n(&n->flags, __ATOMIC_ACQUIRE), new;
        do /* clearing also counts a change, which fsp_node_set_flag_if sees */
            new = on ? (uint16_t)(old | flag) : (uint16_t)((old & ~flag) + FSP_NODE_GEN_ONE);
        while (!__atomic_compare_exchange_n(&n->flags, &old, new, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE));
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}

bool fsp_node_set_flag_if(struct fsp_engine *eng, uint64_t nodeid, unsigned flag, unsigned seen)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    uint16_t expect = (uint16_t)seen;
    bool done = n && __atomic_compare_exchange_n(&n->flags, &expect, (uint16_t)(seen | flag), false,
                                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    pthread_rwlock_unlock(&eng->nodes_lock);
    return done;
}

uint32_t fsp_node_unlinked_type(struct fsp_engine *eng, uint64_t nodeid)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    uint32_t type = n && n != eng->root && !primary_of(n) && !node_linked(n)
                        ? __atomic_load_n(&n->type, __ATOMIC_RELAXED)
                        : 0;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return type;
}

void fsp_node_register_index(struct fsp_engine *eng, uint64_t nodeid, uint64_t index)
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n && primary_of(n))
        n = primary_of(n);
    if (n && n != eng->root && !index_find(eng, index))
        index_add(eng, n, index);
    pthread_rwlock_unlock(&eng->nodes_lock);
}

/*
 * Link counts for file systems that keep none (VolumeParams.HardLinks off, as WinFsp's API
 * has it): a name that is gone has 0 links; a directory has 2 plus its subdirectories when the
 * engine knows them: from its creation through the mount (empty), or from a complete listing
 * that no change overtook, kept up to date by the mkdir, rmdir and rename the engine passes.
 */
uint32_t fsp_node_nlink(struct fsp_engine *eng, uint64_t nodeid, bool is_dir, uint32_t reported)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    uint32_t nlink = reported ? reported : is_dir ? 2 : 1;
    if (n && n != eng->root && !node_linked(primary_of(n) ? primary_of(n) : n))
        nlink = 0;
    else if (n && is_dir && !reported && n->nsubdirs >= 0)
        nlink = 2 + (uint32_t)n->nsubdirs;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return nlink;
}

uint32_t fsp_node_subdirs_gen(struct fsp_engine *eng, uint64_t nodeid)
{
    pthread_rwlock_rdlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    uint32_t gen = n ? n->dirgen : 0;
    pthread_rwlock_unlock(&eng->nodes_lock);
    return gen;
}

void fsp_node_subdirs_set(struct fsp_engine *eng, uint64_t nodeid, uint32_t count, uint32_t gen)
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n && n->dirgen == gen && count < INT32_MAX)
        n->nsubdirs = (int32_t)count;
    pthread_rwlock_unlock(&eng->nodes_lock);
}

void fsp_node_subdirs_add(struct fsp_engine *eng, uint64_t nodeid, int delta)
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n) {
        n->dirgen++;
        if (n->nsubdirs >= 0 && ((delta < 0 && n->nsubdirs >= -delta) || (delta > 0 && n->nsubdirs < INT32_MAX - delta)))
            n->nsubdirs += delta;
        else if (delta)
            n->nsubdirs = -1; /* out of step (a change the engine did not see): unknown */
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}

void fsp_node_subdirs_forget(struct fsp_engine *eng, uint64_t nodeid)
{
    pthread_rwlock_wrlock(&eng->nodes_lock);
    struct fsp_node *n = by_id(eng, nodeid);
    if (n) {
        n->dirgen++;
        n->nsubdirs = -1;
    }
    pthread_rwlock_unlock(&eng->nodes_lock);
}
