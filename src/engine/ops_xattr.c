/*
 * src/engine/ops_xattr.c - Linux extended attributes as WinFsp extended
 * attributes (EAs): GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR. The full
 * Linux name ("user.comment") is the EA name, case preserved. An EA cannot
 * hold an empty value (a zero-length value deletes it), so setting an empty
 * xattr fails with EINVAL, unless the file system keeps empty values (the
 * LinFsp extension VolumeParams.EmptyEaValues: SetEa gets them marked with
 * FSP_FSCTL_EA_EMPTY_VALUE, and an EA listed with an empty value exists).
 * The names the engine serves from a file's NTFS data (system.ntfs_*,
 * Samba's, POSIX ACLs) go to ops_ntxattr.c first; with the LinFsp extension
 * VolumeParams.LinuxXattrNamespaces the others must be in a namespace Linux
 * file systems have.
 */
#include "ops.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define EA_BUFFER_MAX (4 * 1024 * 1024)

static bool eas_supported(struct fsp_request *req)
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

/* All EAs of the request's file (or, name != NULL, at least that one), in the thread's
 * FSP_SCRATCH_EA buffer (valid until the next call on this thread); *plen bytes. */
static NTSTATUS read_eas(struct fsp_request *req, PVOID ctx, const char *name, void **pbuf,
                         ULONG *plen)
{
    for (ULONG size = 64 * 1024; size <= EA_BUFFER_MAX; size *= 4) {
        void *buf = fsp_thread_scratch(FSP_SCRATCH_EA, size);
        if (!buf)
            return STATUS_INSUFFICIENT_RESOURCES;
        ULONG got = 0;
        req->treq.Req.QueryEa.Name = name; /* LinFsp extension: the name looked for */
        fsp_op_enter(req, FspFsctlTransactQueryEaKind);
        NTSTATUS status = req->fs->Interface->GetEa(req->fs, ctx, buf, size, &got);
        fsp_op_leave(req);
        if (STATUS_BUFFER_OVERFLOW == status || STATUS_BUFFER_TOO_SMALL == status)
            continue;
        if (!NT_SUCCESS(status) || got > size)
            return NT_SUCCESS(status) ? STATUS_EA_CORRUPT_ERROR : status;
        *pbuf = buf;
        *plen = got;
        return STATUS_SUCCESS;
    }
    return STATUS_EA_TOO_LARGE;
}

struct find_ctx {
    struct fsp_request *req; /* LISTXATTR: names the engine serves are hidden */
    const char *name;
    size_t namelen;
    const FILE_FULL_EA_INFORMATION *found;
    char *list;      /* LISTXATTR: names NUL-separated */
    size_t listlen;
};

static NTSTATUS find_ea(FSP_FILE_SYSTEM *fs, PVOID context, PFILE_FULL_EA_INFORMATION ea)
{
    (void)fs;
    struct find_ctx *c = context;
    if (ea->EaNameLength == c->namelen && 0 == memcmp(ea->EaName, c->name, c->namelen))
        c->found = ea;
    return STATUS_SUCCESS;
}

static NTSTATUS list_ea(FSP_FILE_SYSTEM *fs, PVOID context, PFILE_FULL_EA_INFORMATION ea)
{
    struct find_ctx *c = context;
    if (0 == ea->EaValueLength && !empty_values(fs))
        return STATUS_SUCCESS;
    char name[256];
    memcpy(name, ea->EaName, ea->EaNameLength);
    name[ea->EaNameLength] = 0;
    if (fsp_ntxattr_hides(c->req, name))
        return STATUS_SUCCESS;
    memcpy(c->list + c->listlen, ea->EaName, ea->EaNameLength);
    c->listlen += ea->EaNameLength;
    c->list[c->listlen++] = '\0';
    return STATUS_SUCCESS;
}

/* Open the request's node for EA access (or use nothing: ENOENT). */
static int open_node(struct fsp_request *req, UINT32 access, PWSTR *ppath, PVOID *pctx)
{
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_NODE, ppath);
    if (err)
        return err;
    FSP_FSCTL_OPEN_FILE_INFO info;
    NTSTATUS status = fsp_ops_open_path(req, *ppath, access, pctx, &info);
    return NT_SUCCESS(status) ? 0 : FspErrnoFromNtStatus(status);
}

struct by_handle {
    struct fsp_request *req;
    fsp_node_fn *fn;
    void *arg;
};

static int run_by_handle(struct fsp_handle *h, void *arg)
{
    struct by_handle *b = arg;
    return b->fn(b->req, FSP_OPS_CTX(h), b->arg);
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
    err = fn(req, ctx, arg);
    fsp_ops_close(req, ctx, path, 0);
    return err;
}

/* Look up one EA; *pvalue and *plen receive its value (in the thread's FSP_SCRATCH_EA buffer:
 * valid until the next EA read on this thread). */
static int lookup(struct fsp_request *req, PVOID ctx, const char *name, void **pvalue, size_t *plen)
{
    void *buf = 0;
    ULONG len = 0;
    NTSTATUS status = read_eas(req, ctx, name, &buf, &len);
    if (!NT_SUCCESS(status))
        return FspErrnoFromNtStatus(status);
    struct find_ctx c = {req, name, strlen(name), 0, 0, 0};
    status = FspFileSystemEnumerateEa(req->fs, find_ea, &c, buf, len);
    int err = 0;
    if (!NT_SUCCESS(status)) {
        FspDebugLog("linfsp: GetEa returned a malformed list\n");
        err = EIO;
    } else if (!c.found || (0 == c.found->EaValueLength && !empty_values(req->fs)))
        err = ENODATA;
    else if (pvalue) {
        *plen = c.found->EaValueLength;
        *pvalue = (char *)c.found->EaName + c.found->EaNameLength + 1;
    }
    return err;
}

struct get_args {
    const char *name;
    void *value;
    size_t len;
};

static int get_fn(struct fsp_request *req, PVOID ctx, void *arg)
{
    struct get_args *a = arg;
    int err = fsp_ntxattr_check_ea(req, ctx, a->name, false);
    return err ? err : lookup(req, ctx, a->name, &a->value, &a->len);
}

void fsp_op_getxattr(struct fsp_request *req)
{
    const struct fuse_getxattr_in *in = req->arg;
    const char *name = (const char *)(in + 1);
    if (!memchr(name, '\0', req->arglen - sizeof *in))
        return fsp_reply_err(req, EINVAL);
    if (fsp_ntxattr_get(req, name, in->size))
        return;
    if (!eas_supported(req) || !known_namespace(req, name))
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
}

struct list_args {
    void *buf;
    ULONG len;
    char *served; /* the names the engine serves (ops_ntxattr.c) */
    size_t servedlen;
};

static int list_fn(struct fsp_request *req, PVOID ctx, void *arg)
{
    struct list_args *a = arg;
    int err = fsp_ntxattr_list(req, ctx, &a->served, &a->servedlen);
    if (err || !eas_supported(req))
        return err;
    NTSTATUS status = read_eas(req, ctx, 0, &a->buf, &a->len);
    return NT_SUCCESS(status) ? 0 : FspErrnoFromNtStatus(status);
}

void fsp_op_listxattr(struct fsp_request *req)
{
    const struct fuse_getxattr_in *in = req->arg;
    struct list_args a = {0, 0, 0, 0};
    int err = fsp_ops_with_node(req, FILE_READ_EA | FILE_READ_ATTRIBUTES, list_fn, &a);
    if (err) {
        free(a.served); /* (a.buf is the thread's) */
        return fsp_reply_err(req, err);
    }
    void *buf = a.buf;
    ULONG len = a.len;
    NTSTATUS status = STATUS_SUCCESS;
    struct find_ctx c = {req, 0, 0, 0, malloc(len + a.servedlen + 1), 0};
    if (!c.list) {
        free(a.served);
        return fsp_reply_err(req, ENOMEM);
    }
    if (a.servedlen)
        memcpy(c.list, a.served, a.servedlen);
    c.listlen = a.servedlen;
    free(a.served);
    if (buf)
        status = FspFileSystemEnumerateEa(req->fs, list_ea, &c, buf, len);
    if (!NT_SUCCESS(status))
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

/* Set (value != NULL; len 0: an empty value, LinFsp extension) or delete one EA. */
static NTSTATUS set_one(struct fsp_request *req, PVOID ctx, const char *name, const void *value,
                        size_t len)
{
    if (!value)
        len = 0;
    size_t namelen = strlen(name);
    size_t size = offsetof(FILE_FULL_EA_INFORMATION, EaName) + namelen + 1 + len;
    FILE_FULL_EA_INFORMATION *ea = calloc(1, size);
    if (!ea)
        return STATUS_INSUFFICIENT_RESOURCES;
    ea->EaNameLength = (UCHAR)namelen;
    ea->EaValueLength = (USHORT)len;
    if (value && 0 == len)
        ea->Flags = FSP_FSCTL_EA_EMPTY_VALUE;
    memcpy(ea->EaName, name, namelen + 1);
    if (len)
        memcpy(ea->EaName + namelen + 1, value, len);
    FSP_FSCTL_OPEN_FILE_INFO info;
    memset(&info, 0, sizeof info);
    fsp_op_enter(req, FspFsctlTransactSetEaKind);
    NTSTATUS status = req->fs->Interface->SetEa(req->fs, ctx, ea, (ULONG)size,
                                                fsp_op_info_arg(req, &info));
    fsp_op_leave(req);
    free(ea);
    return status;
}

int fsp_ops_xattr_present(struct fsp_request *req, PVOID ctx, const char *name)
{
    if (!eas_supported(req))
        return EOPNOTSUPP;
    return lookup(req, ctx, name, 0, 0);
}

NTSTATUS fsp_ops_xattr_remove(struct fsp_request *req, PVOID ctx, const char *name)
{
    return set_one(req, ctx, name, 0, 0);
}

struct set_args {
    const char *name;
    const void *value; /* NULL: remove */
    size_t len;
    uint32_t flags;
};

static int set_fn(struct fsp_request *req, PVOID ctx, void *arg)
{
    struct set_args *a = arg;
    int err = fsp_ntxattr_check_ea(req, ctx, a->name, true);
    if (err)
        return err;
    if (!a->value || (a->flags & (XATTR_CREATE | XATTR_REPLACE))) {
        err = lookup(req, ctx, a->name, 0, 0);
        if (0 == err && (a->flags & XATTR_CREATE))
            err = EEXIST;
        else if (ENODATA == err && a->value && !(a->flags & XATTR_REPLACE))
            err = 0;
    }
    if (err)
        return err;
    NTSTATUS status = set_one(req, ctx, a->name, a->value, a->len);
    return NT_SUCCESS(status) ? 0 : FspErrnoFromNtStatus(status);
}

void fsp_op_setxattr(struct fsp_request *req)
{
    const struct fuse_setxattr_in *in = req->arg;
    size_t hdr = (fsp_engine_init_flags(req->engine) & FUSE_SETXATTR_EXT) ? sizeof *in
                                                                          : FUSE_COMPAT_SETXATTR_IN_SIZE;
    if (req->arglen <= hdr)
        return fsp_reply_err(req, EINVAL);
    const char *name = (const char *)req->arg + hdr;
    const char *z = memchr(name, '\0', req->arglen - hdr);
    if (!z || in->size > req->arglen - hdr - (size_t)(z + 1 - name))
        return fsp_reply_err(req, EINVAL);
    const void *value = z + 1;
    if (fsp_ntxattr_set(req, name, value, in->size, in->flags,
                        sizeof *in == hdr ? in->setxattr_flags : 0))
        return;
    if (!eas_supported(req) || !known_namespace(req, name))
        return fsp_reply_err(req, EOPNOTSUPP);
    if (req->fs->VolumeParams.ReadOnlyVolume)
        return fsp_reply_err(req, EROFS);
    if ((size_t)(z - name) > 255)
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
    const char *name = req->arg;
    if (!memchr(name, '\0', req->arglen))
        return fsp_reply_err(req, EINVAL);
    if (fsp_ntxattr_remove(req, name))
        return;
    if (!eas_supported(req) || !known_namespace(req, name))
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
