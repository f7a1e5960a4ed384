/*
 * src/engine/ops_dir.c - directories: OPENDIR, READDIR, READDIRPLUS,
 * RELEASEDIR, FSYNCDIR, MKDIR.
 *
 * Each open directory keeps a listing that grows batch by batch: when the
 * kernel asks past what it holds, the engine calls ReadDirectory with the
 * last name received as the marker. Offsets index the listing ("." is 1,
 * ".." is 2, entry i is i + 3), so telldir/seekdir work; offset 0 starts a
 * fresh listing (rewinddir). READDIRPLUS drops what the listing holds from
 * the offset asked and lists it again: the kernel takes the attributes it
 * carries as current, so they must not come from an earlier batch. A
 * ReadDirectory that pends completes the same way: the completion adds the
 * batch and answers from it (if that batch held only names Linux cannot
 * show, the answer is empty and the listing ends there: a known limit),
 * without calling the file system: READDIRPLUS entries then go without
 * attributes, and the kernel looks them up.
 */
#include "ops.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH_SIZE (64 * 1024)
#define PLUS_BATCH_SIZE (16 * 1024) /* READDIRPLUS lists afresh per request: smaller batches */

struct dir_entry {
    char *name;   /* POSIX form */
    PWSTR wname;  /* the file system's form */
    FSP_FSCTL_OPEN_FILE_INFO info; /* FileInfo and Nsec of the DIR_INFO */
};

struct listing {
    struct dir_entry *e;
    size_t n, cap;
    bool complete;
    PWSTR marker; /* a name received after the last entry but not shown (or NULL) */
};

static void listing_clear(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        FspPosixDeletePath(l->e[i].name);
        free(l->e[i].wname);
    }
    free(l->e);
    free(l->marker);
    memset(l, 0, sizeof *l);
}

/* Drop the entries from index k on (they will be listed again). */
static void listing_truncate(struct listing *l, size_t k)
{
    if (k >= l->n)
        return;
    for (size_t i = k; i < l->n; i++) {
        FspPosixDeletePath(l->e[i].name);
        free(l->e[i].wname);
    }
    l->n = k;
    l->complete = false;
    free(l->marker);
    l->marker = 0;
}

static void listing_free(PVOID p)
{
    listing_clear(p);
    free(p);
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
    PWSTR last = 0; /* the batch's last record's name, when it did not become an entry */
    while (pos + sizeof(UINT16) <= bytes) {
        const FSP_FSCTL_DIR_INFO *d = (const FSP_FSCTL_DIR_INFO *)(buf + pos);
        if (0 == d->Size) {
            ended = true;
            break;
        }
        if (d->Size < sizeof *d || d->Size > bytes - pos) {
            FspDebugLog("linfsp: ReadDirectory returned a malformed entry (size %u)\n", d->Size);
            free(last);
            return EIO;
        }
        size_t nchars = (d->Size - sizeof *d) / sizeof(WCHAR);
        pos += (d->Size + 7) & ~(size_t)7;
        records++; /* skipped ones too: a batch of only those does not end the listing */
        PWSTR w = malloc((nchars + 1) * sizeof(WCHAR));
        if (!w) {
            free(last);
            return ENOMEM;
        }
        memcpy(w, d->FileNameBuf, nchars * sizeof(WCHAR));
        w[nchars] = 0;
        free(last);
        last = 0;
        if (0 == nchars || wcslen(w) != nchars) {
            free(w); /* empty or NUL-carrying: invalid, and no marker either */
            continue;
        }
        if ((1 == nchars && L'.' == w[0]) || (2 == nchars && L'.' == w[0] && L'.' == w[1])) {
            last = w; /* ".", "..": synthesized by the engine */
            continue;
        }
        char *name = 0;
        if (!NT_SUCCESS(FspPosixMapWindowsToPosixPathEx(w, &name, TRUE)) || strchr(name, '/') ||
            strlen(name) > 255) {
            FspDebugLog("linfsp: ReadDirectory returned a name Linux cannot show; skipped\n");
            FspPosixDeletePath(name);
            last = w;
            continue;
        }
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 64;
            struct dir_entry *e = realloc(l->e, cap * sizeof *e);
            if (!e) {
                FspPosixDeletePath(name);
                free(w);
                return ENOMEM;
            }
            l->e = e, l->cap = cap;
        }
        struct dir_entry *e = &l->e[l->n++];
        memset(e, 0, sizeof *e);
        e->name = name, e->wname = w;
        e->info.FileInfo = d->FileInfo;
        e->info.Nsec = d->Nsec;
    }
    /* where the next batch would start: no such name, or the marker again, is no progress */
    PCWSTR got = last ? last : l->n > n0 ? l->e[l->n - 1].wname : 0;
    if (records && (!got || (marker && 0 == wcscmp(got, marker)))) {
        FspDebugLog("linfsp: ReadDirectory made no progress past a marker; the listing ends\n");
        listing_truncate(l, n0);
        free(last);
        l->complete = true;
        return 0;
    }
    if (records) {
        /* the next batch starts after this one's last record */
        free(l->marker);
        l->marker = last; /* NULL when that record is the listing's last entry */
        last = 0;
    }
    free(last);
    if (ended || 0 == records)
        l->complete = true;
    return 0;
}

static uint32_t dtype_of(const FSP_FSCTL_FILE_INFO *info)
{
    if ((info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) && IO_REPARSE_TAG_SYMLINK == info->ReparseTag)
        return DT_LNK;
    if ((info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) && IO_REPARSE_TAG_NFS == info->ReparseTag)
        return DT_UNKNOWN;
    return (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? DT_DIR : DT_REG;
}

static uint64_t ino_of(const struct dir_entry *e)
{
    if (e->info.FileInfo.IndexNumber)
        return e->info.FileInfo.IndexNumber;
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = e->name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h | 1;
}

/* Child path: the directory's path + the entry's Windows name. */
static PWSTR child_path(PCWSTR dir, PCWSTR wname)
{
    size_t dl = wcslen(dir), nl = wcslen(wname);
    bool root = 1 == dl;
    PWSTR p = malloc((dl + nl + 2) * sizeof(WCHAR));
    if (!p)
        return 0;
    memcpy(p, dir, dl * sizeof(WCHAR));
    size_t pos = dl;
    if (!root)
        p[pos++] = L'\\';
    memcpy(p + pos, wname, (nl + 1) * sizeof(WCHAR));
    return p;
}

/*
 * Fill the reply from the listing at offset; returns bytes written into out. READDIRPLUS entries
 * carry attributes (and enter their nodes) only with attrs, which calls the file system;
 * without, they have nodeid 0, which tells the kernel to look them up itself.
 */
static size_t fill_reply(struct fsp_request *req, struct fsp_handle *h, struct listing *l,
                         uint64_t offset, size_t size, bool plus, bool attrs, char *out)
{
    size_t used = 0;
    /* The directory's current path: h->path is the one it was opened by, and it may have been
     * renamed since (a new directory may even hold the old name). NULL: no attributes. */
    PWSTR dirpath = 0;
    if (plus && attrs && 0 != fsp_node_path(req->engine, h->nodeid, &dirpath))
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
            name = e->name, ino = ino_of(e), type = dtype_of(&e->info.FileInfo);
        } else
            break;
        size_t namelen = strlen(name);
        size_t entsize = plus ? FUSE_DIRENTPLUS_SIZE(&(struct fuse_direntplus){.dirent.namelen = (uint32_t)namelen})
                              : FUSE_DIRENT_SIZE(&(struct fuse_dirent){.namelen = (uint32_t)namelen});
        if (used + entsize > size)
            break;
        struct fuse_dirent *de;
        char *rec = out + used;
        memset(rec, 0, entsize);
        if (plus) {
            struct fuse_direntplus *dp = (struct fuse_direntplus *)rec;
            de = &dp->dirent;
            if (e) {
                PWSTR path = dirpath ? child_path(dirpath, e->wname) : 0;
                if (path && 0 == fsp_ops_fill_attr(req, 0, path, &e->info, &dp->entry_out.attr) &&
                    0 == fsp_ops_enter_entry(req, h->nodeid, e->name, &e->info.FileInfo,
                                             &dp->entry_out))
                    ino = dp->entry_out.attr.ino;
                else
                    memset(&dp->entry_out, 0, sizeof dp->entry_out); /* the kernel looks it up */
                free(path);
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
    free(dirpath);
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
    NTSTATUS status = (NTSTATUS)rsp->IoStatus.Status;
    int err = 0;
    pthread_mutex_lock(&h->lock);
    if (!NT_SUCCESS(status))
        err = FspErrnoFromNtStatus(status);
    else if (rsp->IoStatus.Information > (plus ? PLUS_BATCH_SIZE : BATCH_SIZE)) {
        FspDebugLog("linfsp: ReadDirectory returned more bytes than asked\n");
        err = EIO;
    } else
    {
        struct listing *l = h->dir_buffer;
        err = listing_add_batch(l, l->marker ? l->marker : l->n ? l->e[l->n - 1].wname : 0,
                                fsp_request_scratch(req), rsp->IoStatus.Information);
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
    pthread_mutex_lock(&h->lock);
    struct listing *l = h->dir_buffer;
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, ENOMEM);
        }
        h->dir_buffer = l;
        h->dir_free = listing_free;
    } else if (0 == in->offset)
        listing_clear(l); /* rewinddir: list afresh */
    else if (plus)
        /* Attributes go with the entries: the kernel takes them as current, so entries
         * fetched for an earlier request (maybe changed since) are listed again. */
        listing_truncate(l, in->offset < 2 ? 0 : in->offset - 2);
    /* Fetch more when the kernel asks at (or past) the end of what we hold (a batch of
     * names Linux cannot show adds nothing: then the next one). */
    while (!l->complete && in->offset >= l->n) {
        if (!fs->Interface->ReadDirectory) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, ENOTDIR);
        }
        if (!fsp_request_prepare_pend(req)) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, ENOMEM);
        }
        PWSTR marker = l->marker ? l->marker : l->n ? l->e[l->n - 1].wname : 0;
        ULONG bytes = 0, batch = plus ? PLUS_BATCH_SIZE : BATCH_SIZE;
        void *buf = fsp_request_scratch(req);
        req->treq.Req.QueryDirectory.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
        req->treq.Req.QueryDirectory.Address = (UINT64)(uintptr_t)buf;
        req->treq.Req.QueryDirectory.Length = batch;
        req->treq.Req.QueryDirectory.CaseSensitive = fs->VolumeParams.CaseSensitiveSearch;
        req->treq.FileName = h->path;
        fsp_op_enter(req, FspFsctlTransactQueryDirectoryKind);
        NTSTATUS status = fs->Interface->ReadDirectory(fs, FSP_OPS_CTX(h), 0, marker, buf,
                                                       batch, &bytes);
        fsp_op_leave(req);
        if (STATUS_PENDING == status) {
            pthread_mutex_unlock(&h->lock);
            return fsp_request_pend(req, readdir_complete, 0);
        }
        int err = 0;
        if (!NT_SUCCESS(status))
            err = FspErrnoFromNtStatus(status);
        else if (bytes > batch) {
            FspDebugLog("linfsp: ReadDirectory returned more bytes than asked\n");
            err = EIO;
        } else
            err = listing_add_batch(l, marker, buf, bytes);
        if (err) {
            pthread_mutex_unlock(&h->lock);
            return fsp_reply_err(req, err);
        }
    }
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
    int err = fsp_node_path(req->engine, req->in->nodeid, &path);
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
    NTSTATUS status = fsp_ops_open_path(req, path, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES |
                                                       SYNCHRONIZE, &ctx, &info);
    if (!NT_SUCCESS(status)) {
        free(path);
        return fsp_reply_status(req, status);
    }
    if (!(info.FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        fsp_ops_close(req, ctx, path, 0);
        free(path);
        return fsp_reply_err(req, ENOTDIR);
    }
    struct fsp_handle *h = fsp_handle_new(req, req->in->nodeid, ctx, path, 0, true);
    if (!h) {
        fsp_ops_close(req, ctx, path, 0);
        free(path);
        return fsp_reply_err(req, ENOMEM);
    }
    free(path);
    struct fuse_open_out out;
    memset(&out, 0, sizeof out);
    out.fh = h->fh;
    out.open_flags = fsp_ops_open_flags(req, true);
    fsp_ops_reply_open(req, h, &out);
}

void fsp_op_releasedir(struct fsp_request *req)
{
    const struct fuse_release_in *in = req->arg;
    if (FSP_GONE_DIR_FH == in->fh)
        return fsp_reply_err(req, 0); /* a removed directory's open has nothing to close */
    fsp_ops_release_handle(req, true);
}

void fsp_op_fsyncdir(struct fsp_request *req)
{
    const struct fuse_fsync_in *in = req->arg;
    if (FSP_GONE_DIR_FH == in->fh)
        return fsp_reply_err(req, 0);
    struct fsp_handle *h = fsp_handle_get(req, in->fh);
    if (!h)
        return fsp_reply_err(req, EBADF);
    if (!req->fs->Interface->Flush)
        return fsp_reply_err(req, 0);
    FSP_FSCTL_OPEN_FILE_INFO info;
    memset(&info, 0, sizeof info);
    req->treq.Req.FlushBuffers.UserContext = (UINT64)(uintptr_t)FSP_OPS_CTX(h);
    fsp_op_enter(req, FspFsctlTransactFlushBuffersKind);
    NTSTATUS status = req->fs->Interface->Flush(req->fs, FSP_OPS_CTX(h), fsp_op_info_arg(req, &info));
    fsp_op_leave(req);
    fsp_reply_status(req, status);
}

void fsp_op_mkdir(struct fsp_request *req)
{
    const struct fuse_mkdir_in *in = req->arg;
    const char *name = (const char *)(in + 1);
    if (req->arglen <= sizeof *in || !memchr(name, '\0', req->arglen - sizeof *in))
        return fsp_reply_err(req, EINVAL);
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    PWSTR path = 0;
    int err = fsp_node_child_path(req->engine, req->in->nodeid, name, &path);
    if (err)
        return fsp_reply_err(req, err);
    PVOID ctx = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    NTSTATUS status = fsp_ops_create_child(req, path, in->mode, true, FILE_DIRECTORY_FILE,
                                           FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                                           FILE_ATTRIBUTE_DIRECTORY, 0, 0, &ctx, &info);
    if (!NT_SUCCESS(status)) {
        free(path);
        return fsp_reply_status(req, status);
    }
    struct fuse_entry_out out;
    err = fsp_ops_make_entry(req, req->in->nodeid, name, ctx, path, &info, &out);
    /* no entry to answer with: the caller is told it was not made, so it must not be */
    if (err && STATUS_SUCCESS != fsp_ops_close(req, ctx, path, FspCleanupDelete))
        FspDebugLog("linfsp: a directory made for a failed MKDIR may not be deleted\n");
    else if (!err)
        fsp_ops_close(req, ctx, path, 0);
    free(path);
    if (err)
        return fsp_reply_err(req, err);
    fsp_ops_reply_entry(req, &out);
}
