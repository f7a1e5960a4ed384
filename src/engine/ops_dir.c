/*
 * src/engine/ops_dir.c - directories: OPENDIR, READDIR, READDIRPLUS,
 * RELEASEDIR, MKDIR (FSYNCDIR is FSYNC's handler, ops_file.c).
 *
 * Each open directory keeps a listing that grows batch by batch: when the
 * kernel asks past what it holds, the engine calls ReadDirectory with the
 * last name received as the marker. A READDIR offset is a position in the
 * listing: "." is at 0, ".." at 1, entry i (from 0) at i + 2, and each
 * record carries the position after it (d_off: "." 1, ".." 2, entry i
 * i + 3), where the next READDIR resumes; so telldir/seekdir work, and
 * offset 0 starts a fresh listing (rewinddir). READDIRPLUS drops what the listing holds from
 * the offset asked and lists it again: the kernel takes the attributes it
 * carries as current, so they must not come from an earlier batch. A
 * ReadDirectory that pends completes the same way: the completion adds the
 * batch and answers from it (if that batch held only names Linux cannot
 * show, the answer is empty and the listing ends there: a known limit),
 * without calling the file system: READDIRPLUS entries then go without
 * attributes, and the kernel looks them up. So do the entries the file system
 * marks FSP_FSCTL_DIR_INFO_NAME_ONLY (the FUSE layer, where libfuse would).
 */
#include "ops.h"
#include "api.h"
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH_SIZE (64 * 1024)
/* READDIRPLUS lists afresh per request: a batch a little larger than what a 32 KiB reply holds
 * (more are fetched when it does not fill the reply). */
#define PLUS_BATCH_SIZE (32 * 1024)

struct dir_entry {
    uint32_t name;  /* POSIX form: offset in names (NUL terminated) */
    uint32_t wname; /* the file system's form: offset in wnames (NUL terminated) */
    uint16_t namelen;  /* at most 255 */
    uint16_t name_only; /* FSP_FSCTL_DIR_INFO_NAME_ONLY: READDIRPLUS gives it without attributes */
    FSP_FSCTL_FILE_NSEC nsec; /* the DIR_INFO's Nsec (NanosecondTimes) */
    FSP_FSCTL_FILE_INFO info;
};

/* The entries received so far; names live in two arenas, so a batch costs no allocation per
 * entry and rewinddir keeps the memory. */
struct listing {
    struct dir_entry *e;
    size_t n, cap;
    char *names;
    size_t names_len, names_cap;
    WCHAR *wnames;
    size_t wnames_len, wnames_cap; /* in WCHARs */
    bool complete;
    PWSTR marker; /* a name received after the last entry but not shown (or NULL) */
    /* the directory's change count when the listing started (FSP_ATTR_GEN_NONE: it changed
     * since, or nothing is cached), and whether names were skipped: then the listing is not
     * kept (dir_cache.c) nor continued from a kept one */
    uint32_t gen;
    bool skipped;
    uint32_t subdirs_gen; /* the directory's fsp_node_subdirs_gen when the listing started (st_nlink) */
};

/* A complete listing as kept between opens (dir_cache.c): the entries, then the two arenas. */
struct kept_listing {
    size_t n, names_len, wnames_len;
    struct dir_entry e[];
};
#define KEPT_MAX 16384 /* listings with more entries are not kept */

static const char *entry_name(const struct listing *l, const struct dir_entry *e)
{
    return l->names + e->name;
}

static PWSTR entry_wname(const struct listing *l, const struct dir_entry *e)
{
    return l->wnames + e->wname;
}

/* A fresh listing of the handle's directory starts: note the directory's change count. */
static void listing_start(struct fsp_request *req, struct fsp_handle *h, struct listing *l)
{
    l->subdirs_gen = fsp_node_subdirs_gen(req->engine, h->nodeid);
}

/* Drop the entries from index k on (they will be listed again). */
static void listing_truncate(struct listing *l, size_t k)
{
    if (k < l->n) {
        l->names_len = l->e[k].name;
        l->wnames_len = l->e[k].wname;
        l->n = k;
    }
    l->complete = false;
    free(l->marker);
    l->marker = 0;
}

static bool arena_room(void **base, size_t *cap, size_t len, size_t more, size_t elem);

/* The directory's change count now (FSP_ATTR_GEN_NONE when nothing is cached). */
static uint32_t dir_gen(struct fsp_request *req, struct fsp_handle *h)
{
    struct fsp_attr_cached c;
    fsp_attr_cache_get(req->engine, h->nodeid, &c);
    return c.gen;
}

/* Start afresh (rewinddir), keeping the memory. */
static void listing_clear(struct listing *l, uint32_t gen)
{
    listing_truncate(l, 0);
    l->gen = gen;
    l->skipped = false;
}

/* Continue the listing from the one kept for the directory (same change count): no
 * ReadDirectory. False when there is none to continue from. */
static bool listing_from_kept(struct fsp_request *req, struct fsp_handle *h, struct listing *l)
{
    if (h->fresh_listing || FSP_ATTR_GEN_NONE == l->gen || l->skipped || l->marker)
        return false;
    struct kept_listing *k = fsp_dir_cache_get(req->engine, h->nodeid, l->gen);
    if (!k)
        return false;
    bool done = false;
    if (k->n == l->n) { /* nothing more */
        l->complete = true;
        done = true;
    } else if (k->n > l->n) {
        size_t m = k->n - l->n;
        const char *knames = (const char *)(k->e + k->n);
        const WCHAR *kwnames = (const WCHAR *)(knames + k->names_len);
        size_t n0 = l->n < k->n ? k->e[l->n].name : k->names_len;
        size_t w0 = l->n < k->n ? k->e[l->n].wname : k->wnames_len;
        size_t nb = k->names_len - n0, wb = k->wnames_len - w0;
        if (arena_room((void **)&l->names, &l->names_cap, l->names_len, nb, 1) &&
            arena_room((void **)&l->wnames, &l->wnames_cap, l->wnames_len, wb, sizeof(WCHAR)) &&
            arena_room((void **)&l->e, &l->cap, l->n, m, sizeof *l->e)) {
            memcpy(l->names + l->names_len, knames + n0, nb);
            memcpy(l->wnames + l->wnames_len, kwnames + w0, wb * sizeof(WCHAR));
            for (size_t i = 0; i < m; i++) {
                struct dir_entry e = k->e[l->n + i];
                e.name = (uint32_t)(e.name - n0 + l->names_len);
                e.wname = (uint32_t)(e.wname - w0 + l->wnames_len);
                l->e[l->n + i] = e;
            }
            l->n += m;
            l->names_len += nb;
            l->wnames_len += wb;
            l->complete = true;
            done = true;
        }
    }
    fsp_dir_cache_release(req->engine, k);
    return done;
}

/* Keep a complete listing made while the directory did not change (dir_cache.c). */
static void listing_keep(struct fsp_request *req, struct fsp_handle *h, struct listing *l)
{
    if (h->fresh_listing || !l->complete || FSP_ATTR_GEN_NONE == l->gen || l->skipped || l->n > KEPT_MAX ||
        dir_gen(req, h) != l->gen)
        return;
    size_t size = sizeof(struct kept_listing) + l->n * sizeof(struct dir_entry) + l->names_len +
                  l->wnames_len * sizeof(WCHAR);
    struct kept_listing *k = fsp_dir_cache_new(size);
    if (!k)
        return;
    k->n = l->n, k->names_len = l->names_len, k->wnames_len = l->wnames_len;
    char *names = (char *)(k->e + k->n);
    if (l->n) { /* (an empty directory's listing has no arrays) */
        memcpy(k->e, l->e, l->n * sizeof *l->e);
        memcpy(names, l->names, l->names_len);
        memcpy(names + l->names_len, l->wnames, l->wnames_len * sizeof(WCHAR));
    }
    fsp_dir_cache_put(req->engine, h->nodeid, l->gen, k);
}

static void listing_destroy(void *p)
{
    struct listing *l = p;
    if (!l)
        return;
    free(l->e);
    free(l->names);
    free(l->wnames);
    free(l->marker);
    free(l);
}

/*
 * The memory of a closed directory's listing, kept by the thread that closed it for the next
 * listing it starts (the leader serves RELEASEDIR and the next OPENDIR's READDIR alike): freeing
 * it would give a large listing's arrays back to the system (a heap trim) at every close and fault
 * them in again at the next listing. At most SPARE_MAX bytes; freed when the thread ends.
 */
#define SPARE_MAX (1024 * 1024)
static __thread struct listing *tls_spare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_key_made;

static void spare_key_make(void)
{
    spare_key_made = 0 == pthread_key_create(&spare_key, listing_destroy);
}

static void listing_free(PVOID p)
{
    struct listing *l = p;
    free(l->marker);
    l->marker = 0;
    if (l->cap * sizeof *l->e + l->names_cap + l->wnames_cap * sizeof(WCHAR) > SPARE_MAX)
        return listing_destroy(l);
    pthread_once(&spare_once, spare_key_make);
    if (!spare_key_made || 0 != pthread_setspecific(spare_key, l))
        return listing_destroy(l);
    listing_destroy(tls_spare);
    tls_spare = l;
}

/* A listing for a directory opened: the thread's spare (emptied), else a new one; NULL when out of
 * memory. */
static struct listing *listing_new(void)
{
    struct listing *l = tls_spare;
    if (l) {
        tls_spare = 0;
        pthread_setspecific(spare_key, 0);
        struct listing keep = {.e = l->e, .cap = l->cap, .names = l->names, .names_cap = l->names_cap,
                               .wnames = l->wnames, .wnames_cap = l->wnames_cap};
        *l = keep;
        return l;
    }
    return calloc(1, sizeof *l);
}

/* Room for more in an arena of elements of size elem; false when out of memory. */
static bool arena_room(void **base, size_t *cap, size_t len, size_t more, size_t elem)
{
    if (len + more <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < len + more)
        ncap *= 2;
    void *p = realloc(*base, ncap * elem);
    if (!p)
        return false;
    *base = p;
    *cap = ncap;
    return true;
}

/*
 * Add the DIR_INFO records of one ReadDirectory batch, asked for with marker (NULL: from the
 * start); returns 0 or EIO for malformed data. The next batch starts after the batch's last
 * record, whatever it is: an entry, "." or "..", or a name Linux cannot show (then l->marker).
 * A batch that makes no progress - its last name is the marker it was asked with (a file system
 * that ignores the marker), or it has no name to go on from - ends the listing and adds
 * nothing, so that no listing asks for the same batch forever.
 */
static int listing_add_batch(struct listing *l, PCWSTR marker, const char *buf, size_t bytes)
{
    size_t pos = 0, records = 0, n0 = l->n;
    bool ended = false;
    /* The marker may be the last entry's name, in the arena that may move below. */
    ptrdiff_t marker_at = marker && l->wnames && marker >= l->wnames &&
                                  marker < l->wnames + l->wnames_len
                              ? marker - l->wnames
                              : -1;
    /* the batch's last record, when it did not become an entry ("." or "..", or a name Linux
     * cannot show) */
    const FSP_FSCTL_DIR_INFO *last = 0;
    size_t last_chars = 0;
    while (pos + sizeof(UINT16) <= bytes) {
        const FSP_FSCTL_DIR_INFO *d = (const FSP_FSCTL_DIR_INFO *)(buf + pos);
        if (0 == d->Size) {
            ended = true;
            break;
        }
        if (d->Size < sizeof *d || d->Size > bytes - pos) {
            FspDebugLog("linfsp: ReadDirectory returned a malformed entry (size %u)\n", d->Size);
            return EIO;
        }
        size_t nchars = (d->Size - sizeof *d) / sizeof(WCHAR);
        pos += (d->Size + 7) & ~(size_t)7;
        records++; /* skipped ones too: a batch of only those does not end the listing */
        /* The name as it is (copied: the record may not be aligned for WCHAR). */
        if (!arena_room((void **)&l->wnames, &l->wnames_cap, l->wnames_len, nchars + 1,
                        sizeof(WCHAR)) ||
            !arena_room((void **)&l->names, &l->names_cap, l->names_len, 4 * nchars + 1, 1))
            return ENOMEM;
        PWSTR w = l->wnames + l->wnames_len;
        memcpy(w, d->FileNameBuf, nchars * sizeof(WCHAR));
        w[nchars] = 0;
        last = 0;
        if (0 == nchars || wcslen(w) != nchars)
            continue; /* empty or NUL-carrying: invalid, and no marker either */
        if ((1 == nchars && L'.' == w[0]) || (2 == nchars && L'.' == w[0] && L'.' == w[1])) {
            last = d, last_chars = nchars; /* ".", "..": synthesized by the engine */
            continue;
        }
        char *name = l->names + l->names_len;
        size_t len = fsp_posix_unmap_name_into(w, nchars, name);
        if ((size_t)-1 == len || memchr(name, '/', len) || len > 255) {
            FspDebugLog("linfsp: ReadDirectory returned a name Linux cannot show; skipped\n");
            l->skipped = true; /* not kept (dir_cache.c): it is not all there */
            last = d, last_chars = nchars;
            continue;
        }
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 64;
            struct dir_entry *e = realloc(l->e, cap * sizeof *e);
            if (!e)
                return ENOMEM;
            l->e = e, l->cap = cap;
        }
        l->e[l->n++] = (struct dir_entry){(uint32_t)l->names_len, (uint32_t)l->wnames_len,
                                          (uint16_t)len,
                                          (uint16_t)(0 != (d->EntryFlags & FSP_FSCTL_DIR_INFO_NAME_ONLY)),
                                          d->Nsec, d->FileInfo};
        l->names_len += len + 1;
        l->wnames_len += nchars + 1;
    }
    if (marker_at >= 0)
        marker = l->wnames + marker_at;
    PWSTR lastw = 0;
    if (last) {
        lastw = malloc((last_chars + 1) * sizeof(WCHAR));
        if (!lastw)
            return ENOMEM;
        memcpy(lastw, last->FileNameBuf, last_chars * sizeof(WCHAR));
        lastw[last_chars] = 0;
    }
    /* where the next batch would start: no such name, or the marker again, is no progress */
    PCWSTR got = lastw ? lastw : l->n > n0 ? entry_wname(l, &l->e[l->n - 1]) : 0;
    if (records && (!got || (marker && 0 == wcscmp(got, marker)))) {
        FspDebugLog("linfsp: ReadDirectory made no progress past a marker; the listing ends\n");
        free(lastw);
        listing_truncate(l, n0);
        l->complete = true;
        l->skipped = true; /* not kept: it may not be all there */
        return 0;
    }
    if (records) {
        /* the next batch starts after this one's last record */
        free(l->marker);
        l->marker = lastw; /* NULL when that record is the listing's last entry */
        lastw = 0;
    }
    free(lastw);
    if (ended || 0 == records)
        l->complete = true;
    return 0;
}

/* Bytes entry off (0 ".", 1 "..", 2 + i entry i) takes in a reply. */
static size_t reply_bytes(const struct listing *l, uint64_t off, bool plus)
{
    size_t namelen = off < 2 ? off + 1 : l->e[off - 2].namelen;
    size_t rec = FUSE_NAME_OFFSET + namelen;
    if (plus)
        rec += offsetof(struct fuse_direntplus, dirent);
    return FUSE_DIRENT_ALIGN(rec);
}

/* Reply bytes of what the listing holds from off on, counting up to at most limit. */
static size_t held_bytes(const struct listing *l, uint64_t off, bool plus, size_t limit)
{
    size_t sum = 0;
    for (; off < l->n + 2 && sum < limit; off++)
        sum += reply_bytes(l, off, plus);
    return sum;
}

static uint32_t dtype_of(const FSP_FSCTL_FILE_INFO *info)
{
    if ((info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) && IO_REPARSE_TAG_SYMLINK == info->ReparseTag)
        return DT_LNK;
    if ((info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) && IO_REPARSE_TAG_NFS == info->ReparseTag)
        return DT_UNKNOWN;
    return (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? DT_DIR : DT_REG;
}

/*
 * A listing just became complete: without link counts from the file system the directory's
 * st_nlink is 2 + its subdirectories, which the listing now tells (unless the directory
 * changed since the listing started: then nothing is recorded).
 */
static void listing_completed(struct fsp_request *req, struct fsp_handle *h, struct listing *l)
{
    if (req->fs->VolumeParams.HardLinks)
        return;
    uint32_t subdirs = 0;
    for (size_t i = 0; i < l->n; i++)
        if (DT_DIR == dtype_of(&l->e[i].info))
            subdirs++;
    fsp_node_subdirs_set(req->engine, h->nodeid, subdirs, l->subdirs_gen);
}

static uint64_t ino_of(const struct listing *l, const struct dir_entry *e)
{
    if (e->info.IndexNumber)
        return e->info.IndexNumber;
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = entry_name(l, e); *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h | 1;
}

/* Child path: the directory's path + the entry's Windows name (the thread's FSP_PATH_ENTRY). */
static PWSTR child_path(PCWSTR dir, PCWSTR wname)
{
    size_t dl = wcslen(dir), nl = wcslen(wname);
    PWSTR p = fsp_thread_scratch(FSP_PATH_ENTRY, (dl + nl + 2) * sizeof(WCHAR));
    if (!p)
        return 0;
    memcpy(p, dir, dl * sizeof(WCHAR));
    fsp_path_append(p, dl, wname, nl);
    return p;
}

/*
 * The entry of a file the kernel knows whose owner is cached (most entries of a directory
 * listed again): its attributes from the listing and the cache, its lookup reference, with
 * one trip through the node table. False: the long way (nothing done).
 */
static bool known_entry(struct fsp_request *req, uint64_t dir, PWSTR wname,
                        const FSP_FSCTL_OPEN_FILE_INFO *oinfo, struct fuse_entry_out *out)
{
    const FSP_FSCTL_FILE_INFO *info = &oinfo->FileInfo;
    bool is_dir = info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY;
    if (!fsp_attr_cacheable(info) || (!is_dir && info->HardLinks > 1) ||
        info->FileSize > (UINT64)INT64_MAX || info->AllocationSize > (UINT64)INT64_MAX)
        return false;
    uint32_t type = is_dir ? S_IFDIR : S_IFREG, owner[3], age;
    if (!fsp_node_enter_cached(req->engine, dir, wname, info->IndexNumber, type, owner, &age,
                               &out->nodeid, &out->generation))
        return false;
    fsp_attr_from_info(req->engine, oinfo, owner[0], owner[1], owner[2], type, 0, &out->attr);
    if (0 == out->attr.ino)
        out->attr.ino = out->nodeid;
    fsp_ops_fix_nlink(req, out->nodeid, info, &out->attr); /* as fsp_ops_enter_entry does */
    fsp_engine_entry_timeout(req->engine, &out->entry_valid, &out->entry_valid_nsec);
    fsp_engine_attr_timeout_aged(req->engine, age, &out->attr_valid, &out->attr_valid_nsec);
    return true;
}

/*
 * Fill the reply from the listing at offset; returns bytes written into out. READDIRPLUS entries
 * carry attributes (and enter their nodes) only with attrs, which calls the file system, and
 * unless the file system gave them FSP_FSCTL_DIR_INFO_NAME_ONLY; else they have nodeid 0, which
 * tells the kernel to look them up itself.
 */
static size_t fill_reply(struct fsp_request *req, struct fsp_handle *h, struct listing *l,
                         uint64_t offset, size_t size, bool plus, bool attrs, char *out)
{
    size_t used = 0;
    /* The directory's current path: h->path is the one it was opened by, and it may have been
     * renamed since (a new directory may even hold the old name). NULL: no attributes. */
    PWSTR dirpath = 0;
    if (plus && attrs && 0 != fsp_node_path(req->engine, h->nodeid, FSP_PATH_PARENT, &dirpath))
        dirpath = 0;
    for (uint64_t off = offset;; off++) {
        const char *name;
        uint64_t ino;
        uint32_t type;
        struct dir_entry *e = 0;
        if (0 == off)
            name = ".", ino = 1, type = DT_DIR;
        else if (1 == off)
            name = "..", ino = 1, type = DT_DIR;
        else if (off - 2 < l->n) {
            e = &l->e[off - 2];
            name = entry_name(l, e), ino = ino_of(l, e), type = dtype_of(&e->info);
        } else
            break;
        size_t namelen = off < 2 ? off + 1 : e->namelen;
        size_t entsize = reply_bytes(l, off, plus);
        if (used + entsize > size)
            break;
        struct fuse_dirent *de;
        char *rec = out + used;
        memset(rec, 0, entsize);
        if (plus) {
            struct fuse_direntplus *dp = (struct fuse_direntplus *)rec;
            de = &dp->dirent;
            /* FileInfo and Nsec as the file system's replies give them */
            FSP_FSCTL_OPEN_FILE_INFO oinfo;
            memset(&oinfo, 0, sizeof oinfo);
            if (e)
                oinfo.FileInfo = e->info, oinfo.Nsec = e->nsec;
            if (e && e->name_only)
                ; /* nodeid 0: the kernel looks it up when it needs it */
            else if (e && known_entry(req, h->nodeid, entry_wname(l, e), &oinfo, &dp->entry_out))
                ino = dp->entry_out.attr.ino;
            else if (e) {
                /* The owner of a file the kernel knows may be cached. */
                PWSTR wname = entry_wname(l, e);
                req->attr_age_ms = 0; /* this entry's */
                uint64_t known = fsp_node_child_id(req->engine, h->nodeid, wname, e->info.IndexNumber);
                PWSTR path = dirpath ? child_path(dirpath, wname) : 0;
                if (path &&
                    0 == fsp_ops_fill_attr(req, known, 0, path, &oinfo, &dp->entry_out.attr) &&
                    0 == fsp_ops_enter_entry(req, h->nodeid, name, &oinfo, &dp->entry_out))
                    ino = dp->entry_out.attr.ino;
                else
                    memset(&dp->entry_out, 0, sizeof dp->entry_out); /* the kernel looks it up */
            }
        } else
            de = (struct fuse_dirent *)rec;
        de->ino = ino;
        de->off = off + 1;
        de->namelen = (uint32_t)namelen;
        de->type = type;
        memcpy(de->name, name, namelen);
        used += entsize;
    }
    return used;
}

/* The kernel did not get a READDIRPLUS reply: give back the lookup references its entries took. */
static void forget_entries(struct fsp_request *req, const char *out, size_t n)
{
    for (size_t pos = 0; pos + FUSE_NAME_OFFSET_DIRENTPLUS <= n;) {
        const struct fuse_direntplus *dp = (const struct fuse_direntplus *)(out + pos);
        if (dp->entry_out.nodeid)
            fsp_node_forget(req->engine, dp->entry_out.nodeid, 1);
        pos += FUSE_DIRENTPLUS_SIZE(dp);
    }
}

/* Answer from the listing. Called with h->lock held; releases it before the reply goes out (the
 * kernel may send READDIR again at once; the request's reference keeps h). attrs: fill_reply. */
static void reply_listing_unlock(struct fsp_request *req, struct fsp_handle *h, uint64_t offset,
                                 size_t size, bool plus, bool attrs)
{
    struct listing *l = h->dir_buffer;
    char *out = malloc(size ? size : 1);
    size_t n = out ? fill_reply(req, h, l, offset, size, plus, attrs, out) : 0;
    pthread_mutex_unlock(&h->lock);
    if (!out)
        return fsp_reply_err(req, ENOMEM);
    fsp_reply_data(req, out, n);
    if (req->reply_error && plus)
        forget_entries(req, out, n);
    free(out);
}

/*
 * Completion of a ReadDirectory the file system finished later (or that was cancelled): on the
 * thread that called FspFileSystemSendResponse, which may be inside another callback of the
 * file system, so nothing here calls the file system (READDIRPLUS answers without attributes).
 * The request still has its arguments (the pending record keeps its buffer) and its handle.
 */
static void readdir_complete(struct fsp_request *req, FSP_FSCTL_TRANSACT_RSP *rsp, void *vctx)
{
    (void)vctx;
    const struct fuse_read_in *in = req->arg;
    struct fsp_handle *h = req->handle;
    bool plus = FUSE_READDIRPLUS == req->in->opcode;
    size_t size = in->size > FSP_ENGINE_MAX_WRITE ? FSP_ENGINE_MAX_WRITE : in->size;
    int err = fsp_err_public(fsp_err_from_status((NTSTATUS)rsp->IoStatus.Status));
    fsp_attr_drop_info(req->engine, h->nodeid); /* its access time */
    pthread_mutex_lock(&h->lock);
    if (!err && rsp->IoStatus.Information > (plus ? PLUS_BATCH_SIZE : BATCH_SIZE)) {
        FspDebugLog("linfsp: ReadDirectory returned more bytes than asked\n");
        err = EIO;
    } else if (!err) {
        struct listing *l = h->dir_buffer;
        bool was_complete = l->complete;
        err = listing_add_batch(l, l->marker ? l->marker : l->n ? entry_wname(l, &l->e[l->n - 1]) : 0,
                                fsp_request_scratch(req), rsp->IoStatus.Information);
        if (!err && l->complete && !was_complete)
            listing_completed(req, h, l);
    }
    /* Unlock before replying (see reply_listing_unlock). */
    if (err) {
        pthread_mutex_unlock(&h->lock);
        fsp_reply_err(req, err);
    } else
        reply_listing_unlock(req, h, in->offset, size, plus, false);
}

static void readdir_common(struct fsp_request *req, bool plus)
{
    const struct fuse_read_in *in = req->arg;
    if (FSP_GONE_DIR_FH == in->fh)
        return fsp_reply_data(req, 0, 0); /* a removed directory lists nothing */
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h || !h->is_dir)
        return fsp_reply_err(req, EBADF);
    FSP_FILE_SYSTEM *fs = req->fs;
    size_t size = in->size > FSP_ENGINE_MAX_WRITE ? FSP_ENGINE_MAX_WRITE : in->size;
    fsp_ops_read_through(req, h); /* the directory's access time (relatime), before the entries */
    pthread_mutex_lock(&h->lock);
    struct listing *l = h->dir_buffer;
    if (!l) {
        l = listing_new();
        if (!l) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, ENOMEM);
        }
        h->dir_buffer = l;
        h->dir_free = listing_free;
        l->gen = dir_gen(req, h);
        listing_start(req, h, l);
    } else if (0 == in->offset) {
        listing_clear(l, dir_gen(req, h)); /* rewinddir: list afresh */
        listing_start(req, h, l);
    } else if (plus) {
        /* Attributes go with the entries: the kernel takes them as current, so entries
         * fetched for an earlier request (maybe changed since) are listed again. */
        listing_truncate(l, in->offset < 2 ? 0 : in->offset - 2);
        if (dir_gen(req, h) != l->gen)
            l->gen = FSP_ATTR_GEN_NONE; /* the directory changed meanwhile: a mixed listing */
    }
    /* Fetch more until what we hold from the offset fills the reply the kernel asked for, or
     * the listing ends (a batch of names Linux cannot show adds nothing: then the next one).
     * Names only (READDIR): the rest of a listing kept from an earlier open of the unchanged
     * directory will do. */
    bool fetched = false;
    while (!l->complete && held_bytes(l, in->offset, plus, size) < size) {
        if (!plus && listing_from_kept(req, h, l)) {
            listing_completed(req, h, l);
            break;
        }
        if (!fs->Interface->ReadDirectory) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, ENOSYS);
        }
        if (!fsp_request_prepare_pend(req)) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, ENOMEM);
        }
        fetched = true;
        PWSTR marker = l->marker ? l->marker : l->n ? entry_wname(l, &l->e[l->n - 1]) : 0;
        ULONG bytes = 0, batch = plus ? PLUS_BATCH_SIZE : BATCH_SIZE;
        void *buf = fsp_request_scratch(req);
        req->treq.Req.QueryDirectory.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
        req->treq.Req.QueryDirectory.Address = (UINT64)(uintptr_t)buf;
        req->treq.Req.QueryDirectory.Length = batch;
        req->treq.Req.QueryDirectory.CaseSensitive = fs->VolumeParams.CaseSensitiveSearch;
        req->treq.FileName = h->path;
        fsp_op_enter(req, FspFsctlTransactQueryDirectoryKind);
        int err = fsp_err_from_status_pending(fs->Interface->ReadDirectory(fs, FSP_OPS_CTX(h), 0,
                                                                           marker, buf, batch, &bytes));
        fsp_op_leave(req);
        fsp_attr_drop_info(req->engine, h->nodeid); /* its access time */
        if (FSP_EPENDING == err) {
            pthread_mutex_unlock(&h->lock);
            return fsp_request_pend(req, readdir_complete, 0);
        }
        if (err)
            err = fsp_err_public(err);
        else if (bytes > batch) {
            FspDebugLog("linfsp: ReadDirectory returned more bytes than asked\n");
            err = EIO;
        } else
            err = listing_add_batch(l, marker, buf, bytes);
        if (err) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, err);
        }
        if (l->complete)
            listing_completed(req, h, l);
    }
    if (fetched)
        listing_keep(req, h, l);
    reply_listing_unlock(req, h, in->offset, size, plus, true);
}

void fsp_op_readdir(struct fsp_request *req)
{
    readdir_common(req, false);
}

void fsp_op_readdirplus(struct fsp_request *req)
{
    readdir_common(req, true);
}

void fsp_op_opendir(struct fsp_request *req)
{
    PWSTR path = 0;
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, &path);
    struct fuse_attr gone;
    if (ENOENT == err && fsp_node_gone_attr(req->engine, req->in->nodeid, &gone)) {
        /* A removed directory (a process's working directory): it opens, and lists nothing. */
        struct fuse_open_out out;
        memset(&out, 0, sizeof out);
        out.fh = FSP_GONE_DIR_FH;
        return fsp_reply_data(req, &out, sizeof out);
    }
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx;
    FSP_FSCTL_OPEN_FILE_INFO info;
    req->posix_open = true, req->posix_flags = ((const struct fuse_open_in *)req->arg)->flags;
    err = fsp_ops_open_path(req, path, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                            &ctx, &info);
    if (err)
        return fsp_reply_err(req, err);
    if (!(info.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        fsp_ops_close(req, ctx, path, 0);
        return fsp_reply_err(req, ENOTDIR);
    }
    struct fsp_handle *h = fsp_handle_new(req, req->in->nodeid, ctx, path, 0, true);
    if (!h) {
        fsp_ops_close(req, ctx, path, 0);
        return fsp_reply_err(req, ENOMEM);
    }
    struct fuse_open_out out;
    memset(&out, 0, sizeof out);
    out.fh = h->fh;
    out.open_flags = fsp_ops_open_flags(req, true);
    /* A file system that describes its directory opens (the FUSE layer, from opendir's
     * cache_readdir) decides whether a listing may outlive an open: only with
     * FSP_FSCTL_OPEN_CACHE_DIR, as for the kernel's own cache. */
    pthread_mutex_lock(&h->lock); /* READDIR reads it under the handle's lock */
    h->fresh_listing = req->has_open_flags && !(req->open_flags & FSP_FSCTL_OPEN_CACHE_DIR);
    pthread_mutex_unlock(&h->lock);
    fsp_ops_reply_open(req, h, &out);
}

void fsp_op_releasedir(struct fsp_request *req)
{
    const struct fuse_release_in *in = req->arg;
    if (FSP_GONE_DIR_FH == in->fh)
        return fsp_reply_err(req, 0); /* a removed directory's open has nothing to close */
    fsp_ops_release_handle(req, true);
}

void fsp_op_mkdir(struct fsp_request *req)
{
    const struct fuse_mkdir_in *in = req->arg;
    const char *name = req->names[0];
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    PWSTR path = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, name, FSP_PATH_NODE, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = fsp_ops_create_child(req, path, in->mode, true, FILE_DIRECTORY_FILE,
                               FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                               FILE_ATTRIBUTE_DIRECTORY, 0, 0, &ctx, &info);
    fsp_attr_invalidate(req->engine, req->in->nodeid); /* its directory changed */
    if (err)
        return fsp_reply_err(req, err);
    /* st_nlink without link counts from the file system: a new subdirectory, itself empty */
    fsp_node_subdirs_add(req->engine, req->in->nodeid, +1);
    struct fuse_entry_out out;
    err = fsp_ops_make_entry(req, req->in->nodeid, name, ctx, path, &info, &out);
    /* no entry to answer with: the caller is told it was not made, so it must not be */
    if (err && 0 != fsp_ops_close(req, ctx, path, FspCleanupDelete))
        FspDebugLog("linfsp: a directory made for a failed MKDIR may not be deleted\n");
    else if (!err)
        fsp_ops_close(req, ctx, path, 0);
    if (err)
        return fsp_reply_err(req, err);
    fsp_node_subdirs_set(req->engine, out.nodeid, 0, fsp_node_subdirs_gen(req->engine, out.nodeid));
    fsp_ops_reply_entry(req, &out);
}
