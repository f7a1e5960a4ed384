/*
 * src/engine/ops_xattr.c - Linux extended attributes as WinFsp extended
 * attributes (EAs): GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR. One xattr is
 * one EA whose name is the full Linux name ("user.comment"). An EA cannot
 * hold an empty value (a zero-length value deletes it), so setting an empty
 * xattr fails with EINVAL, unless the file system keeps empty values (the
 * LinFsp extension VolumeParams.EmptyEaValues: SetEa gets them marked with
 * FSP_FSCTL_EA_EMPTY_VALUE, and an EA listed with an empty value exists).
 * The names the engine serves from a file's NTFS data (system.ntfs_*,
 * Samba's, POSIX ACLs) go to ops_ntxattr.c first, and EAs of those names are
 * hidden; with the LinFsp extension VolumeParams.LinuxXattrNamespaces the
 * others must be in a namespace Linux file systems have.
 *
 * Names. Linux xattr names are case-sensitive; EA names are case-insensitive
 * on WinFsp (NTFS's rule: WinFsp file systems compare them so, and WinFsp's
 * driver passes them upper-cased unless CasePreservedExtendedAttributes). A
 * file system that sets LinFsp's VolumeParams.CaseSensitiveExtendedAttributes
 * gets Linux names unchanged. For the others the engine encodes the case of
 * a Linux name so that two names differing only in case are two EAs: each
 * ASCII upper-case letter becomes '^' and the letter in lower case, '^'
 * becomes "^^" ("user.Color" -> "user.^color"; names without upper-case
 * letters or '^' stay as they are), and without CasePreservedExtendedAttributes
 * the result is upper-cased as WinFsp's driver does ("USER.^COLOR"). EA names
 * read back are decoded ignoring their case ("USER.COLOR" and "user.color"
 * are "user.color"), so what a file system stores in any case reads back as
 * the name it was set with. A name whose encoded form exceeds 255 bytes is
 * refused with ERANGE.
 *
 * Lists. GetEa returns all EAs; a list that did not fit is retried with a
 * larger buffer (up to 16 MiB): STATUS_BUFFER_OVERFLOW, an entry that
 * FspFileSystemAddEa refused (a WinFsp file system returns success with what
 * fit), or a list filled by hand that leaves no room for another entry. A
 * list that still does not fit is an error (E2BIG), never taken as complete.
 * Where the engine looks for one name (getxattr(2), the XATTR_CREATE /
 * XATTR_REPLACE checks), the LinFsp extension Req.QueryEa.Name gives GetEa
 * that name as SetEa would get it (encoded as above): the file system may
 * list only that EA.
 */
#include "ops.h"
#include "api.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define EA_BUFFER_FIRST (64 * 1024)
#define EA_BUFFER_MAX (16 * 1024 * 1024)
/* The largest entry: header, 255-byte name, NUL, 65535-byte value, 4-byte alignment. */
#define EA_ENTRY_MAX ((offsetof(FILE_FULL_EA_INFORMATION, EaName) + 255 + 1 + 65535 + 3) & ~(size_t)3)

bool fsp_ops_eas_supported(struct fsp_request *req)
{
    const FSP_FILE_SYSTEM *fs = req->fs;
    return fs->VolumeParams.ExtendedAttributes && fs->Interface->GetEa && fs->Interface->SetEa;
}

/* Does an EA listed with an empty value exist (LinFsp extension), or is it WinFsp's absent EA? */
static bool empty_values(FSP_FILE_SYSTEM *fs)
{
    return fs->VolumeParams.EmptyEaValues;
}

/* Is name in a namespace the file system has (all, or with LinuxXattrNamespaces tmpfs's)? */
static bool known_namespace(struct fsp_request *req, const char *name)
{
    if (!req->fs->VolumeParams.LinuxXattrNamespaces)
        return true;
    return 0 == strncmp(name, "user.", 5) || 0 == strncmp(name, "trusted.", 8) ||
           0 == strncmp(name, "security.", 9);
}

static bool names_encoded(struct fsp_request *req)
{
    return !req->fs->VolumeParams.CaseSensitiveExtendedAttributes;
}

static bool ascii_upper(char c)
{
    return 'A' <= c && c <= 'Z';
}

static bool ascii_lower(char c)
{
    return 'a' <= c && c <= 'z';
}

/* The EA name of a Linux xattr name (malloc'ed): ERANGE when it would exceed 255 bytes. */
static int ea_name_of(struct fsp_request *req, const char *name, char **pea)
{
    size_t len = strlen(name), n = 0;
    char *ea = malloc(2 * len + 1);
    if (!ea)
        return ENOMEM;
    bool upper = !req->fs->VolumeParams.CasePreservedExtendedAttributes;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!names_encoded(req))
            ea[n++] = c;
        else if ('^' == c)
            ea[n++] = '^', ea[n++] = '^';
        else if (ascii_upper(c))
            ea[n++] = '^', ea[n++] = upper ? c : (char)(c - 'A' + 'a');
        else
            ea[n++] = upper && ascii_lower(c) ? (char)(c - 'a' + 'A') : c;
    }
    ea[n] = '\0';
    if (n > 255) {
        free(ea);
        return ERANGE;
    }
    *pea = ea;
    return 0;
}

/*
 * The Linux name of an EA name of len bytes into out (len + 1 bytes): the decoding of
 * ea_name_of, blind to the case of the stored name. False for a name Linux cannot have
 * (empty, or with a NUL).
 */
static bool linux_name_of(struct fsp_request *req, const char *ea, size_t len, char *out)
{
    if (0 == len || memchr(ea, '\0', len))
        return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = ea[i];
        if (!names_encoded(req))
            out[n++] = c;
        else if ('^' == c && i + 1 < len && '^' == ea[i + 1])
            out[n++] = '^', i++;
        else if ('^' == c && i + 1 < len && (ascii_lower(ea[i + 1]) || ascii_upper(ea[i + 1])))
            out[n++] = ascii_lower(ea[i + 1]) ? (char)(ea[i + 1] - 'a' + 'A') : ea[i + 1], i++;
        else
            out[n++] = ascii_upper(c) ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
    return true;
}

/*
 * All EAs of the file (or, ea_name != NULL, at least the EA of that name: Req.QueryEa.Name),
 * malloc'ed; *plen bytes (see "Lists" above).
 */
static int read_eas(struct fsp_request *req, PVOID ctx, const char *ea_name, void **pbuf,
                    ULONG *plen)
{
    for (ULONG size = EA_BUFFER_FIRST; size <= EA_BUFFER_MAX; size *= 4) {
        void *buf = malloc(size);
        if (!buf)
            return FSP_ENO_RESOURCES;
        ULONG got = 0;
        fsp_ea_track_reset();
        req->treq.Req.QueryEa.Name = ea_name; /* LinFsp extension: the name looked for */
        fsp_op_enter(req, FspFsctlTransactQueryEaKind);
        int err = fsp_err_from_status(req->fs->Interface->GetEa(req->fs, ctx, buf, size, &got));
        fsp_op_leave(req);
        struct fsp_ea_track track = fsp_ea_track_get();
        bool truncated = FSP_EBUFFER_OVERFLOW == err || FSP_EBUFFER_TOO_SMALL == err ||
                         (!err && got <= size &&
                          (track.refused || (0 == track.adds && got > 0 && got > size - EA_ENTRY_MAX)));
        if (truncated) {
            free(buf);
            continue;
        }
        if (err || got > size) {
            free(buf);
            return err ? err : fsp_err_from_status(STATUS_EA_CORRUPT_ERROR);
        }
        *pbuf = buf;
        *plen = got;
        return 0;
    }
    FspDebugLog("linfsp: the extended attributes of a file exceed %u bytes\n", EA_BUFFER_MAX);
    return fsp_err_from_status(STATUS_EA_TOO_LARGE);
}

int fsp_ops_read_eas(struct fsp_request *req, PVOID ctx, void **pbuf, ULONG *plen)
{
    return read_eas(req, ctx, 0, pbuf, plen);
}

struct find_ctx {
    struct fsp_request *req;
    const char *name;              /* the Linux name looked for */
    const FILE_FULL_EA_INFORMATION *found;
    char *list;                    /* LISTXATTR: names NUL-separated */
    size_t listlen;
    char dec[256];
};

static NTSTATUS find_ea(FSP_FILE_SYSTEM *fs, PVOID context, PFILE_FULL_EA_INFORMATION ea)
{
    (void)fs;
    struct find_ctx *c = context;
    if (!c->found && linux_name_of(c->req, ea->EaName, ea->EaNameLength, c->dec) &&
        0 == strcmp(c->dec, c->name))
        c->found = ea;
    return STATUS_SUCCESS;
}

static NTSTATUS list_ea(FSP_FILE_SYSTEM *fs, PVOID context, PFILE_FULL_EA_INFORMATION ea)
{
    struct find_ctx *c = context;
    if ((0 == ea->EaValueLength && !empty_values(fs)) ||
        !linux_name_of(c->req, ea->EaName, ea->EaNameLength, c->dec))
        return STATUS_SUCCESS;
    if (fsp_ntxattr_hides(c->req, c->dec))
        return STATUS_SUCCESS; /* a served name takes it */
    size_t n = strlen(c->dec);
    memcpy(c->list + c->listlen, c->dec, n + 1);
    c->listlen += n + 1;
    return STATUS_SUCCESS;
}

/* Open the request's node for EA access (or use nothing: ENOENT). */
static int open_node(struct fsp_request *req, UINT32 access, PWSTR *ppath, PVOID *pctx)
{
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, ppath);
    if (err)
        return err;
    FSP_FSCTL_OPEN_FILE_INFO info;
    return fsp_err_public(fsp_ops_open_path(req, *ppath, access, pctx, &info));
}

struct by_handle {
    struct fsp_request *req;
    fsp_node_fn *fn;
    void *arg;
};

static int run_by_handle(struct fsp_handle *h, void *arg)
{
    struct by_handle *b = arg;
    return b->fn(b->req, FSP_OPS_CTX(h), h, b->arg);
}

/*
 * Run fn on the request's node: opened by its name, or, when it has none
 * (unlinked while open; the xattr requests carry no fh), on one of its open handles.
 */
int fsp_ops_with_node(struct fsp_request *req, UINT32 access, fsp_node_fn *fn, void *arg)
{
    PWSTR path;
    PVOID ctx;
    int err = open_node(req, access, &path, &ctx);
    if (ENOENT == err) {
        struct by_handle b = {req, fn, arg};
        return fsp_handle_with_node(req, req->in->nodeid, run_by_handle, &b);
    }
    if (err)
        return err;
    err = fn(req, ctx, 0, arg);
    fsp_ops_close(req, ctx, path, 0);
    return err;
}

/*
 * Look up one EA by its Linux name; *pvalue and *plen receive a malloc'ed copy of its value,
 * *pstored (if not NULL) a malloc'ed copy of the EA name as the file system stores it.
 */
static int lookup(struct fsp_request *req, PVOID ctx, const char *name, void **pvalue, size_t *plen,
                  char **pstored)
{
    void *buf = 0;
    ULONG len = 0;
    char *ea_name = 0;
    int err = ea_name_of(req, name, &ea_name);
    if (ERANGE == err)
        err = 0; /* no EA can have it: the whole list, where it is not found */
    if (err)
        return err;
    err = fsp_err_public(read_eas(req, ctx, ea_name, &buf, &len));
    free(ea_name);
    if (err)
        return err;
    struct find_ctx c = {req, name, 0, 0, 0, {0}};
    if (!NT_SUCCESS(FspFileSystemEnumerateEa(req->fs, find_ea, &c, buf, len))) {
        FspDebugLog("linfsp: GetEa returned a malformed list\n");
        err = EIO;
    } else if (!c.found || (0 == c.found->EaValueLength && !empty_values(req->fs)))
        err = ENODATA;
    else {
        if (pvalue) {
            *plen = c.found->EaValueLength;
            *pvalue = malloc(*plen);
            if (!*pvalue)
                err = ENOMEM;
            else
                memcpy(*pvalue, c.found->EaName + c.found->EaNameLength + 1, *plen);
        }
        if (!err && pstored) {
            *pstored = strndup(c.found->EaName, c.found->EaNameLength);
            if (!*pstored) {
                err = ENOMEM;
                if (pvalue)
                    free(*pvalue), *pvalue = 0;
            }
        }
    }
    free(buf);
    return err;
}

struct get_args {
    const char *name;
    void *value;
    size_t len;
};

static int get_fn(struct fsp_request *req, PVOID ctx, struct fsp_handle *h, void *arg)
{
    (void)h;
    struct get_args *a = arg;
    int err = fsp_ntxattr_check_ea(req, ctx, a->name, false);
    return err ? err : lookup(req, ctx, a->name, &a->value, &a->len, 0);
}

void fsp_op_getxattr(struct fsp_request *req)
{
    const struct fuse_getxattr_in *in = req->arg;
    const char *name = req->names[0];
    if (fsp_ntxattr_get(req, name, in->size))
        return;
    if (!fsp_ops_eas_supported(req) || !known_namespace(req, name))
        return fsp_reply_err(req, EOPNOTSUPP);
    if (strlen(name) > 255)
        return fsp_reply_err(req, ERANGE);
    /* The kernel asks before a write or truncation whether there are capabilities to drop: a
     * node known to have none (ops_killpriv.c) answers without the file system. */
    if (0 == strcmp(name, "security.capability") &&
        (fsp_node_flags(req->engine, req->in->nodeid) & FSP_NODE_NO_PRIVS))
        return fsp_reply_err(req, ENODATA);
    struct get_args a = {name, 0, 0};
    int err = fsp_ops_with_node(req, FILE_READ_EA | FILE_READ_ATTRIBUTES, get_fn, &a);
    if (err)
        return fsp_reply_err(req, err);
    void *value = a.value;
    size_t len = a.len;
    if (0 == in->size) {
        struct fuse_getxattr_out out = {(uint32_t)len, 0};
        fsp_reply_data(req, &out, sizeof out);
    } else if (in->size < len)
        fsp_reply_err(req, ERANGE);
    else
        fsp_reply_data(req, value, len);
    free(value);
}

struct list_args {
    void *buf;
    ULONG len;
    char *served; /* the names the engine serves (ops_ntxattr.c) */
    size_t servedlen;
};

static int list_fn(struct fsp_request *req, PVOID ctx, struct fsp_handle *h, void *arg)
{
    (void)h;
    struct list_args *a = arg;
    int err = fsp_ntxattr_list(req, ctx, &a->served, &a->servedlen);
    if (err || !fsp_ops_eas_supported(req))
        return err; /* no EAs: only the served names, as a file system without xattrs has */
    return fsp_err_public(fsp_ops_read_eas(req, ctx, &a->buf, &a->len));
}

void fsp_op_listxattr(struct fsp_request *req)
{
    const struct fuse_getxattr_in *in = req->arg;
    struct list_args a = {0, 0, 0, 0};
    int err = fsp_ops_with_node(req, FILE_READ_EA | FILE_READ_ATTRIBUTES, list_fn, &a);
    if (err) {
        free(a.served);
        free(a.buf);
        return fsp_reply_err(req, err);
    }
    void *buf = a.buf;
    ULONG len = a.len;
    bool malformed = false;
    struct find_ctx c = {req, 0, 0, malloc(len + a.servedlen + 1), 0, {0}};
    if (!c.list) {
        free(a.served);
        free(buf);
        return fsp_reply_err(req, ENOMEM);
    }
    if (a.servedlen)
        memcpy(c.list, a.served, a.servedlen);
    c.listlen = a.servedlen;
    free(a.served);
    if (buf)
        malformed = !NT_SUCCESS(FspFileSystemEnumerateEa(req->fs, list_ea, &c, buf, len));
    free(buf);
    if (malformed)
        fsp_reply_err(req, EIO);
    else if (0 == in->size) {
        struct fuse_getxattr_out out = {(uint32_t)c.listlen, 0};
        fsp_reply_data(req, &out, sizeof out);
    } else if (in->size < c.listlen)
        fsp_reply_err(req, ERANGE);
    else
        fsp_reply_data(req, c.list, c.listlen);
    free(c.list);
}

/*
 * Set (value != NULL; len 0: an empty value, LinFsp extension) or delete the EA named ea_name
 * (the file system's spelling).
 */
static int set_one(struct fsp_request *req, PVOID ctx, const char *ea_name, const void *value,
                   size_t len, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    if (!value)
        len = 0;
    size_t namelen = strlen(ea_name);
    size_t size = offsetof(FILE_FULL_EA_INFORMATION, EaName) + namelen + 1 + len;
    FILE_FULL_EA_INFORMATION *ea = calloc(1, size);
    if (!ea)
        return FSP_ENO_RESOURCES;
    ea->EaNameLength = (UCHAR)namelen;
    ea->EaValueLength = (USHORT)len;
    if (value && 0 == len)
        ea->Flags = FSP_FSCTL_EA_EMPTY_VALUE;
    memcpy(ea->EaName, ea_name, namelen + 1);
    if (len)
        memcpy(ea->EaName + namelen + 1, value, len);
    fsp_op_enter(req, FspFsctlTransactSetEaKind);
    int err = fsp_err_from_status(req->fs->Interface->SetEa(req->fs, ctx, ea, (ULONG)size,
                                                            fsp_op_info_arg(req, info)));
    fsp_op_leave(req);
    free(ea);
    return err;
}

int fsp_ops_xattr_present(struct fsp_request *req, PVOID ctx, const char *name)
{
    if (!fsp_ops_eas_supported(req))
        return EOPNOTSUPP;
    return lookup(req, ctx, name, 0, 0, 0);
}

int fsp_ops_xattr_remove(struct fsp_request *req, PVOID ctx, const char *name)
{
    char *stored = 0;
    int err = names_encoded(req) ? lookup(req, ctx, name, 0, 0, &stored)
                                 : (stored = strdup(name)) ? 0 : ENOMEM;
    if (ENODATA == err)
        return 0;
    if (err)
        return fsp_err_through_status(err);
    FSP_FSCTL_OPEN_FILE_INFO info;
    err = set_one(req, ctx, stored, 0, 0, &info);
    free(stored);
    return err;
}

struct set_args {
    const char *name;
    const void *value; /* NULL: remove */
    size_t len;
    uint32_t flags;
};

static int set_fn(struct fsp_request *req, PVOID ctx, struct fsp_handle *h, void *arg)
{
    struct set_args *a = arg;
    int err = fsp_ntxattr_check_ea(req, ctx, a->name, true);
    if (err)
        return err;
    /* The EA as the file system stores it, when there is one (its spelling is the one to
     * replace or delete: a WinFsp file system compares case-insensitively). */
    char *stored = 0;
    if (!names_encoded(req) && a->value && !(a->flags & (XATTR_CREATE | XATTR_REPLACE)))
        err = (stored = strdup(a->name)) ? 0 : ENOMEM; /* the name is the EA name: no look needed */
    else
        err = lookup(req, ctx, a->name, 0, 0, &stored);
    if (0 == err && a->value && (a->flags & XATTR_CREATE))
        err = EEXIST;
    else if (ENODATA == err && a->value && !(a->flags & XATTR_REPLACE))
        err = ea_name_of(req, a->name, &stored);
    if (err) {
        free(stored);
        return err;
    }
    FSP_FSCTL_OPEN_FILE_INFO info;
    UINT64 since = fsp_ops_since();
    int serr = set_one(req, ctx, stored, a->value, a->value ? a->len : 0, &info);
    free(stored);
    if (serr)
        return fsp_err_public(serr);
    /* the change time, when the file system leaves it to Cleanup (ops_cleanup.c) */
    fsp_ops_modified(req, req->in->nodeid, 0, h, ctx, since, FSP_OPS_EA_CHANGED, &info);
    return 0;
}

void fsp_op_setxattr(struct fsp_request *req)
{
    const struct fuse_setxattr_in *in = req->arg;
    const char *name = req->names[0];
    if (in->size > req->datalen)
        return fsp_reply_err(req, EINVAL);
    const void *value = req->data;
    bool ext = fsp_engine_init_flags(req->engine) & FUSE_SETXATTR_EXT; /* the whole struct came */
    if (fsp_ntxattr_set(req, name, value, in->size, in->flags, ext ? in->setxattr_flags : 0))
        return;
    if (!fsp_ops_eas_supported(req) || !known_namespace(req, name))
        return fsp_reply_err(req, EOPNOTSUPP);
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    if (strlen(name) > 255)
        return fsp_reply_err(req, ERANGE);
    if (in->size > 0xffff)
        return fsp_reply_err(req, E2BIG);
    if (0 == in->size && !empty_values(req->fs))
        return fsp_reply_err(req, EINVAL); /* an EA with an empty value would be a delete */
    struct set_args a = {name, value, in->size, in->flags};
    int err = fsp_ops_with_node(req, FILE_READ_EA | FILE_WRITE_EA | FILE_READ_ATTRIBUTES, set_fn, &a);
    /* A capability may have arrived: the node's next write checks again (ops_killpriv.c). */
    fsp_node_set_flag(req->engine, req->in->nodeid, FSP_NODE_NO_PRIVS, false);
    fsp_attr_invalidate_owner(req->engine, req->in->nodeid); /* its change time (EAs may be security) */
    fsp_reply_err(req, err);
}

void fsp_op_removexattr(struct fsp_request *req)
{
    const char *name = req->names[0];
    if (fsp_ntxattr_remove(req, name))
        return;
    if (!fsp_ops_eas_supported(req) || !known_namespace(req, name))
        return fsp_reply_err(req, EOPNOTSUPP);
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    if (strlen(name) > 255)
        return fsp_reply_err(req, ERANGE);
    struct set_args a = {name, 0, 0, 0};
    int err = fsp_ops_with_node(req, FILE_READ_EA | FILE_WRITE_EA | FILE_READ_ATTRIBUTES, set_fn, &a);
    fsp_attr_invalidate_owner(req->engine, req->in->nodeid); /* its change time (EAs may be security) */
    fsp_reply_err(req, err);
}
