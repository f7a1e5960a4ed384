/*
 * src/engine/ops_common.c - what the opcode handlers share: the engine's own
 * opens, POSIX attributes from FILE_INFO + security descriptor + reparse data,
 * entries for names the kernel learns, security for new objects, symlinks.
 */
#include "ops.h"
#include "posixacl.h"
#include "fs_errors.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

UINT64 fsp_ops_now_filetime(UINT8 *pnsec)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    UINT64 ut[2] = {(UINT64)ts.tv_sec, (UINT64)ts.tv_nsec}, ft;
    FspPosixUnixTimeToFileTime(ut, &ft);
    if (pnsec)
        *pnsec = (UINT8)(ts.tv_nsec % 100);
    return ft;
}

UINT32 fsp_ops_access_from_flags(int flags)
{
    switch (flags & O_ACCMODE) {
    case O_WRONLY:
        return FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES;
    case O_RDWR:
        return FILE_GENERIC_READ | FILE_GENERIC_WRITE;
    default:
        return FILE_GENERIC_READ;
    }
}

/* Where Create/Open store the context: per UmFileContextIsFullContext, a FULL_CONTEXT we own. */
static int ctx_begin(struct fsp_request *req, PVOID *slot, PVOID **parg)
{
    *slot = 0;
    *parg = slot;
    if (req->fs->UmFileContextIsFullContext) {
        FSP_FSCTL_TRANSACT_FULL_CONTEXT *full = calloc(1, sizeof *full);
        if (!full)
            return FSP_ENO_RESOURCES;
        *slot = full;
        *parg = (PVOID *)full;
    }
    return 0;
}

static void ctx_end(struct fsp_request *req, PVOID *slot, int err)
{
    if (req->fs->UmFileContextIsFullContext && err) {
        free(*slot);
        *slot = 0;
    }
}

int fsp_ops_open_path(struct fsp_request *req, PWSTR path, UINT32 access, PVOID *pctx,
                      FSP_FSCTL_OPEN_FILE_INFO *info)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    *pctx = 0;
    if (!fs->Interface->Open)
        return FSP_EINVALID_DEVICE_REQUEST;
    PVOID slot, *arg;
    int err = ctx_begin(req, &slot, &arg);
    if (err)
        return err;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    memset(&oinfo, 0, sizeof oinfo);
    UINT32 options = FILE_OPEN_REPARSE_POINT;
    req->treq.Req.Create.CreateOptions = (FILE_OPEN << 24) | options;
    req->treq.Req.Create.GrantedAccess = access;
    req->treq.Req.Create.DesiredAccess = access;
    req->treq.Req.Create.CaseSensitive = fs->VolumeParams.CaseSensitiveSearch;
    req->treq.Req.Create.UserMode = 1;
    req->treq.Req.Create.AccessToken = (UINT64)req->in->pid << 32; /* WinFsp: PID << 32 | token */
    req->treq.FileName = path;
    fsp_op_enter(req, FspFsctlTransactCreateKind);
    req->treq.Req.Create.PosixOpen = req->posix_open;
    req->treq.Req.Create.PosixFlags = req->posix_open ? req->posix_flags : 0;
    req->posix_open = false; /* the process's open is this one; later opens are the engine's */
    err = fsp_err_from_status(
        fs->Interface->Open(fs, path, options, access, arg, fsp_op_info_arg(req, &oinfo)));
    fsp_op_leave(req);
    ctx_end(req, &slot, err);
    if (!err) {
        *pctx = req->fs->UmFileContextIsFullContext ? slot : *arg;
        *info = oinfo;
    }
    return err;
}

int fsp_ops_get_file_info(struct fsp_request *req, PVOID ctx, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    if (!req->fs->Interface->GetFileInfo)
        return FSP_EINVALID_DEVICE_REQUEST;
    memset(info, 0, sizeof *info);
    fsp_op_enter(req, FspFsctlTransactQueryInformationKind);
    int err = fsp_err_from_status(
        req->fs->Interface->GetFileInfo(req->fs, ctx, fsp_op_info_arg(req, info)));
    fsp_op_leave(req);
    return err;
}

int fsp_ops_close(struct fsp_request *req, PVOID ctx, PWSTR path, ULONG cleanup_flags)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    int deleted = 0;
    if (fs->Interface->Cleanup && (cleanup_flags || !fs->VolumeParams.PostCleanupWhenModifiedOnly)) {
        bool del = cleanup_flags & FspCleanupDelete;
        req->treq.Req.Cleanup.Delete = del ? 1 : 0;
        req->treq.Req.Cleanup.SetAllocationSize = (cleanup_flags & FspCleanupSetAllocationSize) ? 1 : 0;
        req->treq.Req.Cleanup.SetArchiveBit = (cleanup_flags & FspCleanupSetArchiveBit) ? 1 : 0;
        req->treq.Req.Cleanup.SetLastAccessTime = (cleanup_flags & FspCleanupSetLastAccessTime) ? 1 : 0;
        req->treq.Req.Cleanup.SetLastWriteTime = (cleanup_flags & FspCleanupSetLastWriteTime) ? 1 : 0;
        req->treq.Req.Cleanup.SetChangeTime = (cleanup_flags & FspCleanupSetChangeTime) ? 1 : 0;
        req->treq.FileName = path;
        fsp_op_enter(req, FspFsctlTransactCleanupKind);
        /* A file system reports the delete's outcome here (extension); one that does not leaves
         * STATUS_PENDING: unknown. */
        if (del)
            req->trsp.IoStatus.Status = (UINT32)STATUS_PENDING;
        fs->Interface->Cleanup(fs, ctx, del ? path : 0, cleanup_flags);
        if (del)
            deleted = fsp_err_from_status_pending((NTSTATUS)req->trsp.IoStatus.Status);
        fsp_op_leave(req);
    }
    if (fs->Interface->Close) {
        fsp_op_enter(req, FspFsctlTransactCloseKind);
        fs->Interface->Close(fs, ctx);
        fsp_op_leave(req);
    }
    if (fs->UmFileContextIsFullContext)
        free(ctx);
    return deleted;
}

/* Fetch a security descriptor by context or by name into the thread's scratch buffer
 * (FSP_SCRATCH_SECURITY: valid until the next call on this thread), validated. */
static int get_security(struct fsp_request *req, PVOID ctx, PWSTR path, PSECURITY_DESCRIPTOR *psd,
                        SIZE_T *psize)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    bool by_ctx = ctx && fs->Interface->GetSecurity;
    if (!by_ctx && !(path && fs->Interface->GetSecurityByName))
        return FSP_EINVALID_DEVICE_REQUEST;
    SIZE_T size = 1024;
    for (int attempt = 0; attempt < 3; attempt++) {
        void *sd = fsp_thread_scratch(FSP_SCRATCH_SECURITY, size);
        if (!sd)
            return FSP_ENO_RESOURCES;
        SIZE_T got = size;
        int err;
        if (by_ctx) {
            fsp_op_enter(req, FspFsctlTransactQuerySecurityKind);
            err = fsp_err_from_status(fs->Interface->GetSecurity(fs, ctx, sd, &got));
        } else {
            UINT32 attrs;
            req->treq.FileName = path;
            fsp_op_enter(req, FspFsctlTransactQuerySecurityKind);
            err = fsp_err_from_status(fs->Interface->GetSecurityByName(fs, path, &attrs, sd, &got));
        }
        fsp_op_leave(req);
        if ((FSP_EBUFFER_OVERFLOW == err || FSP_EBUFFER_TOO_SMALL == err) && got > size &&
            got <= 65536) {
            size = got;
            continue;
        }
        if (err)
            return err;
        if (got > size || !FspIsValidSecurityDescriptor(sd, got)) {
            FspDebugLog("linfsp: the file system returned an invalid security descriptor\n");
            return FSP_EBAD_SD;
        }
        *psd = sd;
        *psize = got;
        return 0;
    }
    return FSP_EBAD_SD;
}

/* get_security into a malloc'ed copy (for callers that keep it across other calls). */
int fsp_ops_get_security(struct fsp_request *req, PVOID ctx, PWSTR path, PSECURITY_DESCRIPTOR *psd)
{
    PSECURITY_DESCRIPTOR sd = 0;
    SIZE_T size = 0;
    int err = get_security(req, ctx, path, &sd, &size);
    if (err)
        return err;
    void *copy = malloc(size);
    if (!copy)
        return FSP_ENO_RESOURCES;
    memcpy(copy, sd, size);
    *psd = copy;
    return 0;
}

/*
 * The POSIX owner, group and mode of a security descriptor. Most files of a file system share
 * a few descriptors: the thread keeps the last one it mapped and its result.
 */
#define SD_MEMO_BYTES 512
static __thread struct {
    SIZE_T size; /* 0: nothing kept */
    uint32_t uid, gid, mode;
    unsigned char sd[SD_MEMO_BYTES];
} tls_sd_memo;

static int map_security(PSECURITY_DESCRIPTOR sd, SIZE_T size, uint32_t *puid, uint32_t *pgid,
                        uint32_t *pmode)
{
    if (size == tls_sd_memo.size && 0 == memcmp(sd, tls_sd_memo.sd, size)) {
        *puid = tls_sd_memo.uid, *pgid = tls_sd_memo.gid, *pmode = tls_sd_memo.mode;
        return 0;
    }
    int err =
        fsp_err_from_status(FspPosixMapSecurityDescriptorToPermissions(sd, puid, pgid, pmode));
    if (!err && size <= SD_MEMO_BYTES) {
        memcpy(tls_sd_memo.sd, sd, size);
        tls_sd_memo.size = size;
        tls_sd_memo.uid = *puid, tls_sd_memo.gid = *pgid, tls_sd_memo.mode = *pmode;
    }
    return err;
}

/* uid, gid and permission bits of a file. */
static int posix_owner(struct fsp_request *req, PVOID ctx, PWSTR path, bool is_dir, uint32_t *puid,
                       uint32_t *pgid, uint32_t *pmode)
{
    PSECURITY_DESCRIPTOR sd = 0;
    SIZE_T size = 0;
    int err = get_security(req, ctx, path, &sd, &size);
    if (FSP_EINVALID_DEVICE_REQUEST == err || FSP_ENOT_IMPLEMENTED == err) {
        /* No security: the mounting user owns everything. */
        *puid = fsp_engine_owner_uid(req->engine);
        *pgid = fsp_engine_owner_gid(req->engine);
        *pmode = is_dir ? 0777 : 0666;
        if (req->fs->VolumeParams.ReadOnlyVolume)
            *pmode &= ~0222u;
        return 0;
    }
    if (err)
        return FSP_ENO_RESOURCES == err ? ENOMEM : FSP_EBAD_SD == err ? EIO : fsp_err_public(err);
    /* with POSIX ACLs the group bits are the mask when there are entries for other ids */
    err = fsp_ops_posix_acls(req) ? fsp_err_from_status(fsp_posix_mode_of_sd(sd, puid, pgid, pmode))
                                  : map_security(sd, size, puid, pgid, pmode);
    return err ? EIO : 0;
}

int fsp_ops_get_reparse(struct fsp_request *req, PVOID ctx, PWSTR path, void **pdata, size_t *psize)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->GetReparsePoint)
        return FSP_ENOT_REPARSE;
    void *buf = malloc(MAXIMUM_REPARSE_DATA_BUFFER_SIZE);
    if (!buf)
        return FSP_ENO_RESOURCES;
    SIZE_T size = MAXIMUM_REPARSE_DATA_BUFFER_SIZE;
    req->treq.Req.FileSystemControl.FsControlCode = FSCTL_GET_REPARSE_POINT;
    req->treq.FileName = path;
    fsp_op_enter(req, FspFsctlTransactFileSystemControlKind);
    int err = fsp_err_from_status(fs->Interface->GetReparsePoint(fs, ctx, path, buf, &size));
    fsp_op_leave(req);
    if (!err &&
        (size > MAXIMUM_REPARSE_DATA_BUFFER_SIZE || size < REPARSE_DATA_BUFFER_HEADER_SIZE)) {
        FspDebugLog("linfsp: the file system returned reparse data of an impossible size\n");
        err = fsp_err_from_status(STATUS_IO_REPARSE_DATA_INVALID);
    }
    if (err) {
        free(buf);
        return err;
    }
    *pdata = buf;
    *psize = size;
    return 0;
}

int fsp_ops_symlink_reparse(const char *target, void **pdata, size_t *psize)
{
    SIZE_T size = 0;
    int err = fsp_err_from_status(FspPosixMakeSymlinkReparseData(target, 0, &size));
    if (FSP_EBUFFER_TOO_SMALL != err)
        return err ? fsp_err_public(err) : EIO;
    void *rp = malloc(size);
    if (!rp)
        return ENOMEM;
    err = fsp_err_from_status(FspPosixMakeSymlinkReparseData(target, rp, &size));
    if (err) {
        free(rp);
        return fsp_err_public(err);
    }
    *pdata = rp;
    *psize = size;
    return 0;
}

int fsp_ops_symlink_target(const void *data, size_t size, char **ptarget)
{
    /* not a symlink: EINVAL */
    return fsp_err_public(fsp_err_from_status(FspPosixGetSymlinkTarget((PVOID)data, size, ptarget)));
}

int fsp_ops_fill_attr(struct fsp_request *req, uint64_t nodeid, PVOID ctx, PWSTR path,
                      const FSP_FSCTL_OPEN_FILE_INFO *oinfo, struct fuse_attr *attr)
{
    const FSP_FSCTL_FILE_INFO *info = &oinfo->FileInfo;
    bool is_dir = info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY;
    uint32_t type = is_dir ? S_IFDIR : S_IFREG, rdev = 0;
    uint64_t size_override = UINT64_MAX;
    bool reparse = info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT;
    bool symlink = reparse && IO_REPARSE_TAG_SYMLINK == info->ReparseTag;
    /*
     * With SymlinkAttributesFromFileInfo a symlink is a symlink by its tag alone, and its
     * size is the file system's FileSize: the target is read for readlink(2) only. Were such
     * a file system's symlink shown as anything else, following it would be left to the file
     * system (a FUSE program's open may follow it anywhere). Otherwise the target is read
     * here for the size (or was read earlier in this request: fsp_ops_remember_symlink_size),
     * and reparse data without a target is not shown as a symlink.
     */
    bool by_tag = symlink && req->fs->VolumeParams.SymlinkAttributesFromFileInfo;
    if (by_tag)
        type = S_IFLNK;
    else if (symlink && req->symlink_size_known) {
        type = S_IFLNK; /* its target was read earlier in this request */
        size_override = req->symlink_size;
    } else if (reparse && (IO_REPARSE_TAG_NFS == info->ReparseTag || symlink)) {
        PVOID octx = ctx;
        FSP_FSCTL_OPEN_FILE_INFO ninfo;
        if (!octx && path &&
            fsp_ops_open_path(req, path, FILE_READ_ATTRIBUTES, &octx, &ninfo))
            octx = 0;
        void *data = 0;
        size_t dsize = 0;
        int err = octx ? fsp_ops_get_reparse(req, octx, path, &data, &dsize) : FSP_ENAME_NOT_FOUND;
        if (octx && octx != ctx)
            fsp_ops_close(req, octx, path, 0);
        if (!err) {
            if (symlink) {
                char *t = 0;
                if (0 == fsp_ops_symlink_target(data, dsize, &t)) {
                    type = S_IFLNK;
                    size_override = strlen(t);
                    free(t);
                }
            } else {
                const REPARSE_DATA_BUFFER *rp = data;
                const UCHAR *d = rp->GenericReparseBuffer.DataBuffer;
                size_t dl = dsize - REPARSE_DATA_BUFFER_HEADER_SIZE;
                if (dl >= 8) {
                    UINT64 t;
                    memcpy(&t, d, 8);
                    if (NFS_SPECFILE_FIFO == t)
                        type = S_IFIFO;
                    else if (NFS_SPECFILE_SOCK == t)
                        type = S_IFSOCK;
                    else if ((NFS_SPECFILE_CHR == t || NFS_SPECFILE_BLK == t) && dl >= 16) {
                        UINT32 mm[2];
                        memcpy(mm, d + 8, 8);
                        type = NFS_SPECFILE_CHR == t ? S_IFCHR : S_IFBLK;
                        rdev = (uint32_t)makedev(mm[0], mm[1]);
                    }
                }
            }
            free(data);
        }
    }
    if (info->FileSize > (UINT64)INT64_MAX || info->AllocationSize > (UINT64)INT64_MAX) {
        FspDebugLog("linfsp: file system returned an impossible file size (%llu, allocation %llu)\n",
                    (unsigned long long)info->FileSize, (unsigned long long)info->AllocationSize);
        return EIO;
    }
    /* The owner as cached for the node, or from the file system (cached then). */
    uint32_t owner[3];
    struct fsp_attr_cached c;
    c.has_owner = false;
    c.gen = FSP_ATTR_GEN_NONE;
    bool cacheable = nodeid && fsp_attr_cacheable(info);
    if (cacheable)
        fsp_attr_cache_get(req->engine, nodeid, &c);
    if (c.has_owner && (c.owner[2] & S_IFMT) == type) {
        memcpy(owner, c.owner, sizeof owner);
        if (c.owner_age_ms > req->attr_age_ms)
            req->attr_age_ms = c.owner_age_ms;
    } else {
        int err = posix_owner(req, ctx, path, is_dir, &owner[0], &owner[1], &owner[2]);
        if (err)
            return err;
        owner[2] = (owner[2] & 07777) | type;
        if (cacheable)
            fsp_attr_cache_put(req->engine, nodeid, c.gen, 0, owner);
    }
    fsp_attr_from_info(req->engine, oinfo, owner[0], owner[1], owner[2], type, rdev, attr);
    if (UINT64_MAX != size_override)
        attr->size = size_override;
    else if (S_ISFIFO(type) || S_ISSOCK(type) || S_ISCHR(type) || S_ISBLK(type))
        attr->size = 0;
    return 0;
}

void fsp_ops_remember_symlink_size(struct fsp_request *req, PVOID ctx, PWSTR path,
                                   const FSP_FSCTL_OPEN_FILE_INFO *info)
{
    /* With SymlinkAttributesFromFileInfo the size is FileSize: the target is never read for it. */
    if (req->symlink_size_known || req->fs->VolumeParams.SymlinkAttributesFromFileInfo ||
        !(info->FileInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
        IO_REPARSE_TAG_SYMLINK != info->FileInfo.ReparseTag)
        return;
    void *data = 0;
    size_t dsize = 0;
    char *t = 0;
    if (!fsp_ops_get_reparse(req, ctx, path, &data, &dsize) &&
        0 == fsp_ops_symlink_target(data, dsize, &t)) {
        req->symlink_size = strlen(t);
        req->symlink_size_known = true;
    }
    free(t);
    free(data);
}

void fsp_ops_fix_nlink(struct fsp_request *req, uint64_t nodeid, const FSP_FSCTL_FILE_INFO *info,
                       struct fuse_attr *attr)
{
    if (!req->fs->VolumeParams.HardLinks)
        attr->nlink = fsp_node_nlink(req->engine, nodeid, S_ISDIR(attr->mode), info->HardLinks);
}

int fsp_ops_make_entry(struct fsp_request *req, uint64_t parent, const char *name, PVOID ctx,
                       PWSTR path, const FSP_FSCTL_OPEN_FILE_INFO *info, struct fuse_entry_out *out)
{
    memset(out, 0, sizeof *out);
    int err = fsp_ops_fill_attr(req, 0, ctx, path, info, &out->attr);
    if (err)
        return err;
    return fsp_ops_enter_entry(req, parent, name, info, out);
}

int fsp_ops_enter_entry(struct fsp_request *req, uint64_t parent, const char *name,
                        const FSP_FSCTL_OPEN_FILE_INFO *oinfo, struct fuse_entry_out *out)
{
    const FSP_FSCTL_FILE_INFO *info = &oinfo->FileInfo;
    bool linked = info->HardLinks > 1 && !S_ISDIR(out->attr.mode);
    uint32_t gen;
    int err = fsp_node_enter_file(req->engine, parent, name, out->attr.mode, info->IndexNumber,
                                  linked, &out->nodeid, &out->generation, &gen);
    if (err)
        return err;
    /* A new node starts with what was just read of it. */
    uint32_t owner[3] = {out->attr.uid, out->attr.gid, out->attr.mode};
    if (!S_ISLNK(out->attr.mode) && !S_ISCHR(out->attr.mode) && !S_ISBLK(out->attr.mode) &&
        !S_ISFIFO(out->attr.mode) && !S_ISSOCK(out->attr.mode))
        fsp_attr_cache_put(req->engine, out->nodeid, gen, oinfo, owner);
    if (0 == out->attr.ino)
        out->attr.ino = out->nodeid;
    fsp_ops_fix_nlink(req, out->nodeid, info, &out->attr);
    fsp_engine_entry_timeout(req->engine, &out->entry_valid, &out->entry_valid_nsec);
    fsp_engine_attr_timeout_aged(req->engine, req->attr_age_ms, &out->attr_valid,
                                 &out->attr_valid_nsec);
    /* A hard-linked file without an IndexNumber cannot be recognised under its other names:
     * each is its own kernel inode, so do not cache what another name may change. */
    if (linked && 0 == info->IndexNumber)
        out->attr_valid = 0, out->attr_valid_nsec = 0;
    return 0;
}

void fsp_ops_reply_entry(struct fsp_request *req, const struct fuse_entry_out *out)
{
    fsp_reply_data(req, out, sizeof *out);
    if (req->reply_error && out->nodeid)
        fsp_node_forget(req->engine, out->nodeid, 1);
}

void fsp_ops_reply_open(struct fsp_request *req, struct fsp_handle *h,
                        const struct fuse_open_out *out)
{
    fsp_reply_data(req, out, sizeof *out);
    if (req->reply_error)
        fsp_handle_unpublish(req->engine, h); /* the request's reference closes it */
}

/*
 * The security descriptor for owner, group and mode, owned by the calling thread (valid until
 * its next call): a thread keeps the last one it made, since most new files of a caller get the
 * same.
 */
#define PERM_SD_BYTES 512
static __thread struct {
    bool valid;
    uint32_t uid, gid, mode;
    unsigned char sd[PERM_SD_BYTES];
} tls_perm_sd;

static int permissions_sd(uint32_t uid, uint32_t gid, uint32_t mode, PSECURITY_DESCRIPTOR *psd)
{
    if (!tls_perm_sd.valid || tls_perm_sd.uid != uid || tls_perm_sd.gid != gid ||
        tls_perm_sd.mode != mode) {
        PSECURITY_DESCRIPTOR sd = 0;
        int err =
            fsp_err_from_status(FspPosixMapPermissionsToSecurityDescriptor(uid, gid, mode, &sd));
        if (err)
            return err;
        size_t size = FspGetSecurityDescriptorLength(sd);
        bool fits = size <= PERM_SD_BYTES;
        if (fits)
            memcpy(tls_perm_sd.sd, sd, size);
        FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
        if (!fits)
            return FSP_ENO_RESOURCES; /* never: a POSIX descriptor is small */
        tls_perm_sd.valid = true;
        tls_perm_sd.uid = uid, tls_perm_sd.gid = gid, tls_perm_sd.mode = mode;
    }
    *psd = tls_perm_sd.sd;
    return 0;
}

/* The umask the kernel left to the engine (FUSE_DONT_MASK): CREATE, TMPFILE, MKDIR and MKNOD
 * carry it. */
static uint32_t request_umask(struct fsp_request *req)
{
    if (!(fsp_engine_init_flags(req->engine) & FUSE_DONT_MASK) || fsp_engine_proto_minor(req->engine) < 12)
        return 0;
    switch (req->in->opcode) {
    case FUSE_CREATE:
    case FUSE_TMPFILE:
        return ((const struct fuse_create_in *)req->arg)->umask;
    case FUSE_MKDIR:
        return ((const struct fuse_mkdir_in *)req->arg)->umask;
    case FUSE_MKNOD:
        return ((const struct fuse_mknod_in *)req->arg)->umask;
    default:
        return 0;
    }
}

/*
 * A new object under a parent with inheritable ACEs (a POSIX default ACL): the ACEs it inherits
 * as on NTFS (FspCreateSecurityDescriptor), then the POSIX rule for the mode asked for: the
 * owner, the mask (or group) and others keep only the mode's bits; the umask does not apply.
 */
static int inherited_sd(struct fsp_request *req, PSECURITY_DESCRIPTOR parent, uint32_t gid,
                        uint32_t mode, bool is_dir, PSECURITY_DESCRIPTOR *psd)
{
    FSP_FSCTL_TRANSACT_REQ r;
    memset(&r, 0, sizeof r);
    r.Kind = FspFsctlTransactCreateKind;
    r.Req.Create.CreateOptions = is_dir ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE;
    r.CallerUid = req->in->uid;
    r.CallerGid = gid;
    PSECURITY_DESCRIPTOR inh = 0;
    int err = fsp_err_from_status(FspCreateSecurityDescriptor(req->fs, &r, parent, &inh));
    if (err)
        return err;
    struct fsp_posix_acls a;
    err = fsp_err_from_status(fsp_posix_acls_from_sd(inh, &a));
    if (!err) {
        for (size_t i = 0; i < a.nacc; i++) {
            uint16_t t = a.acc[i].tag;
            bool masked = FSP_ACL_USER_OBJ == t || FSP_ACL_OTHER == t || FSP_ACL_MASK == t ||
                          (FSP_ACL_GROUP_OBJ == t && a.nacc <= 3); /* no mask: the group */
            uint32_t bits = FSP_ACL_USER_OBJ == t ? (mode >> 6) & 7 : FSP_ACL_OTHER == t ? mode & 7
                                                                                    : (mode >> 3) & 7;
            if (masked)
                a.acc[i].perm &= (uint16_t)bits;
        }
        a.special = mode & (S_ISUID | S_ISGID | S_ISVTX);
        a.uid = req->in->uid;
        a.gid = gid;
        err = fsp_err_from_status(fsp_posix_acls_to_sd(&a, inh, SE_DACL_AUTO_INHERITED, psd));
        fsp_posix_acls_free(&a);
    }
    FspDeleteSecurityDescriptor(inh, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    return err;
}

int fsp_ops_new_object_sd(struct fsp_request *req, uint64_t parent, uint32_t mode, bool is_dir,
                          PSECURITY_DESCRIPTOR *psd)
{
    uint32_t gid = req->in->gid;
    /* The parent's owner as cached, or from the file system: a set-group-ID directory gives
     * new files its group (and new directories the bit). */
    struct fsp_attr_cached c;
    fsp_attr_cache_get(req->engine, parent, &c);
    PWSTR ppath = 0;
    PSECURITY_DESCRIPTOR psd_parent = 0;
    SIZE_T psize = 0;
    /* With POSIX ACLs the parent's descriptor itself: a default ACL is inherited. */
    bool acls = fsp_ops_posix_acls(req);
    if ((acls || !c.has_owner) && 0 == fsp_node_path(req->engine, parent, FSP_PATH_PARENT, &ppath) &&
        !get_security(req, 0, ppath, &psd_parent, &psize) && !c.has_owner &&
        !map_security(psd_parent, psize, &c.owner[0], &c.owner[1], &c.owner[2]))
        c.has_owner = true;
    if (c.has_owner && (c.owner[2] & S_ISGID)) {
        gid = c.owner[1];
        if (is_dir)
            mode |= S_ISGID;
    }
    if (!(acls && psd_parent && fsp_sd_has_inheritable(psd_parent, is_dir)))
        return permissions_sd(req->in->uid, gid, mode & 07777 & ~request_umask(req), psd);
    /* inherited: made anew (its ACEs depend on the parent), kept in the thread's scratch */
    PSECURITY_DESCRIPTOR sd = 0;
    int err = inherited_sd(req, psd_parent, gid, mode & 07777, is_dir, &sd);
    if (err)
        return err;
    size_t size = FspGetSecurityDescriptorLength(sd);
    void *buf = fsp_thread_scratch(FSP_SCRATCH_NEW_SD, size);
    if (buf)
        memcpy(buf, sd, size);
    free(sd);
    if (!buf)
        return FSP_ENO_RESOURCES;
    *psd = buf;
    return 0;
}

int fsp_ops_create_object(struct fsp_request *req, PWSTR path, UINT32 create_options,
                          UINT32 granted_access, UINT32 file_attributes, PSECURITY_DESCRIPTOR sd,
                          PVOID reparse, ULONG reparse_len, PVOID *pctx,
                          FSP_FSCTL_OPEN_FILE_INFO *info)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    const FSP_FILE_SYSTEM_INTERFACE *fi = fs->Interface;
    *pctx = 0;
    if (!fi->CreateEx && !fi->Create)
        return FSP_EINVALID_DEVICE_REQUEST;
    if (reparse && !fi->CreateEx && !fi->SetReparsePoint)
        return FSP_EINVALID_DEVICE_REQUEST;
    PVOID slot, *arg;
    int err = ctx_begin(req, &slot, &arg);
    if (err)
        return err;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    memset(&oinfo, 0, sizeof oinfo);
    req->treq.Req.Create.CreateOptions = (FILE_CREATE << 24) | create_options;
    req->treq.Req.Create.GrantedAccess = granted_access;
    req->treq.Req.Create.DesiredAccess = granted_access;
    req->treq.Req.Create.FileAttributes = file_attributes;
    req->treq.Req.Create.CaseSensitive = fs->VolumeParams.CaseSensitiveSearch;
    req->treq.Req.Create.UserMode = 1;
    req->treq.Req.Create.AccessToken = (UINT64)req->in->pid << 32; /* WinFsp: PID << 32 | token */
    req->treq.FileName = path;
    fsp_op_enter(req, FspFsctlTransactCreateKind);
    req->treq.Req.Create.PosixOpen = req->posix_open;
    req->treq.Req.Create.PosixFlags = req->posix_open ? req->posix_flags : 0;
    req->posix_open = false;
    if (fi->CreateEx)
        err = fsp_err_from_status(fi->CreateEx(fs, path, create_options, granted_access,
                                               file_attributes, sd, 0, reparse,
                                               reparse ? reparse_len : 0, reparse ? TRUE : FALSE,
                                               arg, fsp_op_info_arg(req, &oinfo)));
    else
        err = fsp_err_from_status(fi->Create(fs, path, create_options, granted_access,
                                             file_attributes, sd, 0, arg,
                                             fsp_op_info_arg(req, &oinfo)));
    fsp_op_leave(req);
    ctx_end(req, &slot, err);
    if (err)
        return err;
    PVOID ctx = fs->UmFileContextIsFullContext ? slot : *arg;
    if (reparse && !fi->CreateEx) {
        req->treq.Req.FileSystemControl.FsControlCode = FSCTL_SET_REPARSE_POINT;
        req->treq.FileName = path;
        fsp_op_enter(req, FspFsctlTransactFileSystemControlKind);
        err = fsp_err_from_status(fi->SetReparsePoint(fs, ctx, path, reparse, reparse_len));
        fsp_op_leave(req);
        if (!err && fi->GetFileInfo)
            err = fsp_ops_get_file_info(req, ctx, &oinfo);
        if (err) {
            fsp_ops_close(req, ctx, path, FspCleanupDelete);
            return err;
        }
    }
    *pctx = ctx;
    *info = oinfo;
    return 0;
}

int fsp_ops_create_unnamed(struct fsp_request *req, PWSTR dirpath, UINT32 granted_access,
                           PSECURITY_DESCRIPTOR sd, PVOID *pctx, FSP_FSCTL_OPEN_FILE_INFO *info)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    *pctx = 0;
    if (!fs->Interface->CreateUnnamed)
        return FSP_EINVALID_DEVICE_REQUEST;
    PVOID slot, *arg;
    int err = ctx_begin(req, &slot, &arg);
    if (err)
        return err;
    memset(info, 0, sizeof *info);
    req->treq.Req.Create.CreateOptions = (FILE_CREATE << 24) | FILE_NON_DIRECTORY_FILE;
    req->treq.Req.Create.GrantedAccess = granted_access;
    req->treq.Req.Create.DesiredAccess = granted_access;
    req->treq.Req.Create.FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
    req->treq.Req.Create.CaseSensitive = fs->VolumeParams.CaseSensitiveSearch;
    req->treq.Req.Create.UserMode = 1;
    req->treq.Req.Create.PosixOpen = req->posix_open;
    req->treq.Req.Create.PosixFlags = req->posix_open ? req->posix_flags : 0;
    req->posix_open = false;
    req->treq.FileName = dirpath;
    fsp_op_enter(req, FspFsctlTransactCreateKind);
    err = fsp_err_from_status(fs->Interface->CreateUnnamed(fs, dirpath, granted_access,
                                                           FILE_ATTRIBUTE_ARCHIVE, sd, arg,
                                                           fsp_op_info_arg(req, info)));
    fsp_op_leave(req);
    ctx_end(req, &slot, err);
    if (!err)
        *pctx = fs->UmFileContextIsFullContext ? slot : *arg;
    return err;
}

int fsp_ops_create_child(struct fsp_request *req, PWSTR path, uint32_t mode, bool is_dir,
                         UINT32 create_options, UINT32 granted_access, UINT32 file_attributes,
                         PVOID reparse, ULONG reparse_len, PVOID *pctx,
                         FSP_FSCTL_OPEN_FILE_INFO *info)
{
    PSECURITY_DESCRIPTOR sd = 0;
    *pctx = 0;
    int err = fsp_ops_new_object_sd(req, req->in->nodeid, mode, is_dir, &sd);
    if (!err)
        err = fsp_ops_create_object(req, path, create_options, granted_access, file_attributes, sd,
                                    reparse, reparse_len, pctx, info);
    return err;
}

int fsp_ops_set_posix_security(struct fsp_request *req, PVOID ctx, uint32_t uid, uint32_t gid,
                               uint32_t mode)
{
    FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->Interface->SetSecurity)
        return FSP_EINVALID_DEVICE_REQUEST;
    PSECURITY_DESCRIPTOR sd = 0, cur = 0;
    bool made = false; /* sd malloc'ed (else the thread's) */
    /* With POSIX ACLs chmod(2) keeps what POSIX keeps (the entries for other ids, the mask
     * taking the group bits, the default ACL) and the ACEs that have no POSIX form. */
    if (fsp_ops_posix_acls(req) && !fsp_ops_get_security(req, ctx, 0, &cur)) {
        struct fsp_posix_acls a;
        if (!fsp_err_from_status(fsp_posix_acls_from_sd(cur, &a))) {
            fsp_posix_acls_chmod(&a, mode);
            a.uid = uid;
            a.gid = gid;
            const SECURITY_DESCRIPTOR_RELATIVE *h = cur;
            made = !fsp_err_from_status(fsp_posix_acls_to_sd(
                &a, cur, h->Control & (SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED), &sd));
            fsp_posix_acls_free(&a);
        }
        free(cur);
    }
    int err = made ? 0 : permissions_sd(uid, gid, mode, &sd);
    if (err)
        return err;
    SECURITY_INFORMATION what =
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
    req->treq.Req.SetSecurity.SecurityInformation = what;
    fsp_op_enter(req, FspFsctlTransactSetSecurityKind);
    err = fsp_err_from_status(fs->Interface->SetSecurity(fs, ctx, what, sd));
    fsp_op_leave(req);
    if (made)
        free(sd);
    return err;
}
