/*
 * src/engine/ops_ntxattr.c - the xattr names the engine serves itself from a file's real
 * NTFS data, so that Linux tools and Samba see one set of books (doc/ntfs-compatibility.md):
 *
 *   system.ntfs_acl                  the security descriptor (GetSecurity / SetSecurity)
 *   system.ntfs_attrib[_be]          FILE_ATTRIBUTE_* (GetFileInfo / SetBasicInfo)
 *   system.ntfs_times[_be]           creation, write, access, change times
 *   system.ntfs_crtime[_be]          the creation time
 *   system.ntfs_reparse_data         the reparse data (Get/Set/DeleteReparsePoint)
 *   user.DOSATTRIB                   Samba's NDR blob of attributes and creation time
 *   security.NTACL                   Samba's NDR blob of the security descriptor
 *   user.DosStream.NAME:$DATA        the named stream NAME, plus one NUL (Samba's streams_xattr)
 *   system.posix_acl_access/default  the DACL as POSIX ACLs (with FUSE_POSIX_ACL)
 *
 * ntfs-3g's names follow ntfs-3g: never listed, host byte order (_be: big-endian), reading
 * needs read access to the file, changing needs ownership (or CAP_FOWNER), and the ACL,
 * attributes and times cannot be removed. An EA of a served name is hidden, never used.
 * VolumeParams.XattrsPassThrough turns all of this off (every name is an EA).
 */
#include "ops.h"
#include "posixacl.h"
#include "xattr_blobs.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

enum kind {
    K_NONE,     /* not ours: an EA */
    K_REFUSED,  /* system.posix_acl_* the kernel would not enforce: EOPNOTSUPP */
    K_BADNAME,  /* user.DosStream.* that is not NAME:$DATA: EINVAL */
    K_ACL,
    K_ATTRIB,
    K_ATTRIB_BE,
    K_TIMES,
    K_TIMES_BE,
    K_CRTIME,
    K_CRTIME_BE,
    K_REPARSE,
    K_DOSATTRIB,
    K_NTACL,
    K_STREAM,
    K_ACL_ACCESS,
    K_ACL_DEFAULT,
};

#define STREAM_PREFIX "user.DosStream."
#define STREAM_SUFFIX ":$DATA"
/* Linux's limit of one xattr value: a stream is served up to this much, NUL included. */
#define XATTR_VALUE_MAX 65536
/* The attributes ntfs-3g lets a set change: R H S A TEMPORARY OFFLINE NOT_CONTENT_INDEXED. */
#define SETTABLE_ATTRIBUTES 0x3127u

static const struct {
    const char *name;
    enum kind kind;
} ntfs_names[] = {
    {"system.ntfs_acl", K_ACL},         {"system.ntfs_attrib", K_ATTRIB},
    {"system.ntfs_attrib_be", K_ATTRIB_BE}, {"system.ntfs_times", K_TIMES},
    {"system.ntfs_times_be", K_TIMES_BE}, {"system.ntfs_crtime", K_CRTIME},
    {"system.ntfs_crtime_be", K_CRTIME_BE}, {"system.ntfs_reparse_data", K_REPARSE},
};

bool fsp_ops_posix_acls(struct fsp_request *req)
{
    return 0 != (fsp_engine_init_flags(req->engine) & FUSE_POSIX_ACL);
}

static bool streams_served(const FSP_FILE_SYSTEM *fs)
{
    return fs->VolumeParams.NamedStreams && fs->Interface->GetStreamInfo &&
           (fs->Interface->Create || fs->Interface->CreateEx);
}

static enum kind kind_of(struct fsp_request *req, const char *name)
{
    const FSP_FILE_SYSTEM *fs = req->fs;
    if (0 == strcmp(name, "system.posix_acl_access") || 0 == strcmp(name, "system.posix_acl_default")) {
        if (!fsp_ops_posix_acls(req) || fs->VolumeParams.XattrsPassThrough)
            return K_REFUSED; /* never stored where the kernel would not enforce it */
        return 0 == strcmp(name, "system.posix_acl_access") ? K_ACL_ACCESS : K_ACL_DEFAULT;
    }
    if (fs->VolumeParams.XattrsPassThrough)
        return K_NONE;
    if (0 == strncmp(name, "system.ntfs_", 12)) {
        for (size_t i = 0; i < ARRAYSIZE(ntfs_names); i++)
            if (0 == strcmp(name, ntfs_names[i].name))
                return ntfs_names[i].kind;
        return K_NONE;
    }
    if (0 == strcmp(name, "user.DOSATTRIB"))
        return fs->Interface->SetBasicInfo && fs->Interface->GetFileInfo ? K_DOSATTRIB : K_NONE;
    if (0 == strcmp(name, "security.NTACL"))
        return fs->Interface->GetSecurity && fs->Interface->SetSecurity ? K_NTACL : K_NONE;
    if (0 == strncmp(name, STREAM_PREFIX, sizeof STREAM_PREFIX - 1) && streams_served(fs)) {
        const char *s = name + sizeof STREAM_PREFIX - 1, *colon = strrchr(s, ':');
        if (!colon || colon == s || 0 != strcasecmp(colon, STREAM_SUFFIX) || memchr(s, '/', (size_t)(colon - s)) ||
            memchr(s, ':', (size_t)(colon - s)))
            return K_BADNAME;
        return K_STREAM;
    }
    return K_NONE;
}

bool fsp_ntxattr_hides(struct fsp_request *req, const char *name)
{
    return K_NONE != kind_of(req, name);
}

/* ---- what the operations share ---- */

struct op {
    enum kind kind;
    const char *name;
    const void *value; /* set */
    size_t size;       /* set: value bytes; get: the caller's buffer (0: size query) */
    uint32_t flags;    /* XATTR_CREATE / XATTR_REPLACE */
    uint32_t setxattr_flags;
    bool remove;
    void *out;         /* get: the value (malloc'ed) */
    size_t outlen;
    bool changed_security; /* the kernel's cached attributes must go */
};

/* GetFileInfo (the NTFS data is in FILETIMEs: the nanoseconds beside them are not used). */
static int file_info(struct fsp_request *req, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    if (!req->fs->Interface->GetFileInfo)
        return FSP_EINVALID_DEVICE_REQUEST;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    fsp_op_enter(req, FspFsctlTransactQueryInformationKind);
    int call_err = fsp_err_from_status(
        req->fs->Interface->GetFileInfo(req->fs, ctx, fsp_op_info_arg(req, &oinfo)));
    fsp_op_leave(req);
    *info = oinfo.FileInfo;
    return call_err;
}

static int err_of(int call_err)
{
    /* a missing member (STATUS_INVALID_DEVICE_REQUEST, STATUS_NOT_IMPLEMENTED) is ENOSYS, which
     * fsp_reply_err answers as fsp_ops_unsupported says (EOPNOTSUPP for the xattrs) */
    return fsp_err_public(call_err);
}

/*
 * Does the caller hold capability cap (CapEff of /proc/PID/status; uid 0 when that cannot be
 * read)? Only in the engine's own user namespace: a process that made a user namespace of its
 * own holds every capability there, and none over this mount.
 */
bool fsp_ops_caller_capable(struct fsp_request *req, int cap)
{
    char path[64], line[256];
    if (!req->in->pid)
        return 0 == req->in->uid;
    struct stat caller_ns, own_ns;
    snprintf(path, sizeof path, "/proc/%u/ns/user", req->in->pid);
    if (0 != stat(path, &caller_ns) || 0 != stat("/proc/self/ns/user", &own_ns))
        return 0 == req->in->uid;
    if (caller_ns.st_ino != own_ns.st_ino || caller_ns.st_dev != own_ns.st_dev)
        return false;
    snprintf(path, sizeof path, "/proc/%u/status", req->in->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0 == req->in->uid;
    bool has = false;
    while (fgets(line, sizeof line, f))
        if (0 == strncmp(line, "CapEff:", 7)) {
            unsigned long long caps = strtoull(line + 7, 0, 16);
            has = (caps >> cap) & 1;
            break;
        }
    fclose(f);
    return has;
}

#define CAP_CHOWN_BIT 0
#define CAP_DAC_OVERRIDE_BIT 1
#define CAP_DAC_READ_SEARCH_BIT 2
#define CAP_FOWNER_BIT 3
#define CAP_FSETID_BIT 4
#define CAP_SYS_ADMIN_BIT 21

/* The file's POSIX view (owner, mode, ACL entries); *pa freed with fsp_posix_acls_free. */
static int posix_view(struct fsp_request *req, PVOID ctx, struct fsp_posix_acls *pa)
{
    PSECURITY_DESCRIPTOR sd = 0;
    int call_err = fsp_ops_get_security(req, ctx, 0, &sd);
    if (FSP_EINVALID_DEVICE_REQUEST == call_err || FSP_ENOT_IMPLEMENTED == call_err) {
        /* no security: the mounting user owns everything */
        memset(pa, 0, sizeof *pa);
        pa->uid = fsp_engine_owner_uid(req->engine);
        pa->gid = fsp_engine_owner_gid(req->engine);
        return 0;
    }
    if (call_err)
        return err_of(call_err);
    call_err = fsp_err_from_status(fsp_posix_acls_from_sd(sd, pa));
    free(sd);
    return !call_err ? 0 : err_of(call_err);
}

/* May the caller read the file (POSIX rules, with the ACL entries when ACLs are on)? */
static int check_read(struct fsp_request *req, PVOID ctx)
{
    if (fsp_ops_caller_capable(req, CAP_DAC_OVERRIDE_BIT) || fsp_ops_caller_capable(req, CAP_DAC_READ_SEARCH_BIT))
        return 0;
    struct fsp_posix_acls a;
    int err = posix_view(req, ctx, &a);
    if (err)
        return err;
    if (!a.acc) {
        fsp_posix_acls_free(&a);
        return 0; /* no security: everything readable */
    }
    uint32_t uid = req->in->uid;
    uint16_t mask = 7, perm = 0;
    bool done = false, group_found = false;
    for (size_t i = 0; i < a.nacc; i++)
        if (FSP_ACL_MASK == a.acc[i].tag)
            mask = a.acc[i].perm;
    bool acls = fsp_ops_posix_acls(req);
    for (size_t i = 0; i < a.nacc && !done; i++)
        if (FSP_ACL_USER_OBJ == a.acc[i].tag && uid == a.uid)
            perm = a.acc[i].perm, done = true;
    for (size_t i = 0; acls && i < a.nacc && !done; i++)
        if (FSP_ACL_USER == a.acc[i].tag && uid == a.acc[i].id)
            perm = a.acc[i].perm & mask, done = true;
    for (size_t i = 0; i < a.nacc && !done; i++) {
        uint32_t g = FSP_ACL_GROUP_OBJ == a.acc[i].tag ? a.gid
                     : FSP_ACL_GROUP == a.acc[i].tag && acls ? a.acc[i].id
                                                             : UINT32_MAX;
        if (UINT32_MAX != g && fsp_ops_caller_in_group(req, g)) {
            group_found = true;
            if ((a.acc[i].perm & mask) & 4) /* GROUP_OBJ may show its own ACE: the mask is what it gets */
                perm = 4, done = true;
        }
    }
    for (size_t i = 0; i < a.nacc && !done && !group_found; i++)
        if (FSP_ACL_OTHER == a.acc[i].tag)
            perm = a.acc[i].perm, done = true;
    fsp_posix_acls_free(&a);
    return (perm & 4) ? 0 : EACCES;
}

/* Is the caller the owner, or does it hold CAP_FOWNER? */
static int check_owner(struct fsp_request *req, PVOID ctx)
{
    if (fsp_ops_caller_capable(req, CAP_FOWNER_BIT))
        return 0;
    struct fsp_posix_acls a;
    int err = posix_view(req, ctx, &a);
    if (err)
        return err;
    uint32_t uid = a.uid;
    fsp_posix_acls_free(&a);
    return req->in->uid == uid ? 0 : EPERM;
}

int fsp_ntxattr_check_ea(struct fsp_request *req, PVOID ctx, const char *name, bool change)
{
    if (0 != strncmp(name, "system.", 7))
        return 0;
    return change ? check_owner(req, ctx) : check_read(req, ctx);
}

static int set_basic(struct fsp_request *req, PVOID ctx, UINT32 attributes, UINT64 creation,
                          UINT64 access, UINT64 write)
{
    if (!req->fs->Interface->SetBasicInfo)
        return FSP_EINVALID_DEVICE_REQUEST;
    FSP_FSCTL_OPEN_FILE_INFO info;
    /* the times set are whole FILETIMEs; the change time is now, to the nanosecond */
    UINT8 now_ns;
    UINT64 now = fsp_ops_now_filetime(&now_ns);
    req->treq.Req.SetInformation.FileInformationClass = FileBasicInformation;
    if (req->fs->VolumeParams.NanosecondTimes)
        req->treq.Req.SetInformation.Nsec.ChangeTime = now_ns;
    fsp_op_enter(req, FspFsctlTransactSetInformationKind);
    int call_err = fsp_err_from_status(req->fs->Interface->SetBasicInfo(
        req->fs, ctx, attributes, creation, access, write, now, fsp_op_info_arg(req, &info)));
    fsp_op_leave(req);
    return call_err;
}

/* New attributes from the settable ones of want and the rest of the file's. */
static UINT32 merged_attributes(const FSP_FSCTL_FILE_INFO *info, uint32_t want)
{
    UINT32 a = (info->FileAttributes & ~SETTABLE_ATTRIBUTES) | (want & SETTABLE_ATTRIBUTES);
    return a ? a : FILE_ATTRIBUTE_NORMAL;
}

static int set_security(struct fsp_request *req, PVOID ctx, SECURITY_INFORMATION what,
                             PSECURITY_DESCRIPTOR sd)
{
    if (!req->fs->Interface->SetSecurity)
        return FSP_EINVALID_DEVICE_REQUEST;
    req->treq.Req.SetSecurity.SecurityInformation = what;
    fsp_op_enter(req, FspFsctlTransactSetSecurityKind);
    int call_err = fsp_err_from_status(req->fs->Interface->SetSecurity(req->fs, ctx, what, sd));
    fsp_op_leave(req);
    return call_err;
}

/* What a descriptor carries, as SECURITY_INFORMATION. */
static SECURITY_INFORMATION parts_of(PSECURITY_DESCRIPTOR sd)
{
    const SECURITY_DESCRIPTOR_RELATIVE *h = sd;
    return (FspSecurityDescriptorOwner(sd) ? OWNER_SECURITY_INFORMATION : 0) |
           (FspSecurityDescriptorGroup(sd) ? GROUP_SECURITY_INFORMATION : 0) |
           ((h->Control & SE_DACL_PRESENT) ? DACL_SECURITY_INFORMATION : 0) |
           ((h->Control & SE_SACL_PRESENT) ? SACL_SECURITY_INFORMATION : 0);
}

/*
 * May the caller give the file the descriptor nsd (what parts_of(nsd) names of it)? Not more
 * than chown(2) and chmod(2) give: another owner needs CAP_CHOWN; another group, CAP_CHOWN or
 * the owner's membership in that group; a set-group-ID bit newly set (or kept on another
 * group) for a group the caller is not in needs CAP_FSETID; a SACL needs CAP_SYS_ADMIN (as
 * SeSecurityPrivilege on Windows). Changing the DACL itself needs ownership or CAP_FOWNER,
 * which the callers check first. 0 or EPERM (or the errno of reading the current descriptor).
 */
static int check_sd_change(struct fsp_request *req, PVOID ctx, PSECURITY_DESCRIPTOR nsd)
{
    SECURITY_INFORMATION what = parts_of(nsd);
    if ((what & SACL_SECURITY_INFORMATION) && !fsp_ops_caller_capable(req, CAP_SYS_ADMIN_BIT))
        return EPERM;
    PSECURITY_DESCRIPTOR cur = 0, merged = 0;
    int call_err = fsp_ops_get_security(req, ctx, 0, &cur);
    if (call_err)
        return err_of(call_err);
    UINT32 cuid, cgid, cmode, nuid, ngid, nmode;
    call_err =
        fsp_err_from_status(FspPosixMapSecurityDescriptorToPermissions(cur, &cuid, &cgid, &cmode));
    if (!call_err)
        call_err = fsp_err_from_status(FspSetSecurityDescriptor(cur, what, nsd, &merged));
    if (!call_err)
        call_err = fsp_err_from_status(
            FspPosixMapSecurityDescriptorToPermissions(merged, &nuid, &ngid, &nmode));
    if (merged)
        FspDeleteSecurityDescriptor(merged, (NTSTATUS(*)())FspSetSecurityDescriptor);
    free(cur);
    if (call_err)
        return FSP_ENO_RESOURCES == call_err ? ENOMEM : EINVAL;
    bool chown_cap = nuid != cuid || ngid != cgid ? fsp_ops_caller_capable(req, CAP_CHOWN_BIT) : true;
    if (nuid != cuid && !chown_cap)
        return EPERM;
    if (ngid != cgid && !chown_cap && !(req->in->uid == cuid && fsp_ops_caller_in_group(req, ngid)))
        return EPERM;
    if ((nmode & S_ISGID) && !((cmode & S_ISGID) && ngid == cgid) && !fsp_ops_caller_in_group(req, ngid) &&
        !fsp_ops_caller_capable(req, CAP_FSETID_BIT))
        return EPERM;
    return 0;
}

static void put64(uint8_t *p, uint64_t v, bool be)
{
    if (be)
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (56 - 8 * i));
    else
        memcpy(p, &v, 8);
}

static uint64_t get64(const uint8_t *p, bool be)
{
    uint64_t v = 0;
    if (be)
        for (int i = 0; i < 8; i++)
            v = v << 8 | p[i];
    else
        memcpy(&v, p, 8);
    return v;
}

/* ---- named streams ---- */

/* The stream's Windows path "\dir\file:NAME" for user.DosStream.NAME:$DATA; malloc'ed. */
static int stream_path(struct fsp_request *req, const char *name, PWSTR *ppath)
{
    PWSTR base = 0; /* the thread's FSP_PATH_OTHER (FSP_PATH_NODE holds the opened node's) */
    int err = fsp_node_path(req->engine, req->in->nodeid, FSP_PATH_OTHER, &base);
    if (err)
        return err;
    const char *s = name + sizeof STREAM_PREFIX - 1;
    size_t n = (size_t)(strrchr(s, ':') - s);
    char *u = strndup(s, n);
    PWSTR w = 0;
    if (!u || !NT_SUCCESS(FspPosixMapPosixToWindowsPathEx(u, &w, TRUE))) {
        free(u);
        return ENOMEM;
    }
    free(u);
    size_t bl = wcslen(base), wl = wcslen(w);
    PWSTR p = wl > 255 ? 0 : malloc((bl + wl + 2) * sizeof(WCHAR));
    if (p) {
        memcpy(p, base, bl * sizeof(WCHAR));
        p[bl] = L':';
        memcpy(p + bl + 1, w, (wl + 1) * sizeof(WCHAR));
    }
    FspPosixDeletePath(w);
    if (!p)
        return wl > 255 ? ENAMETOOLONG : ENOMEM;
    *ppath = p;
    return 0;
}

static int stream_get(struct fsp_request *req, struct op *o)
{
    PWSTR path;
    int err = stream_path(req, o->name, &path);
    if (err)
        return err;
    PVOID sctx;
    FSP_FSCTL_OPEN_FILE_INFO oinfo;
    int call_err =
        fsp_ops_open_path(req, path, FILE_READ_DATA | FILE_READ_ATTRIBUTES, &sctx, &oinfo);
    const FSP_FSCTL_FILE_INFO *info = &oinfo.FileInfo;
    if (call_err) {
        free(path);
        return FSP_ENAME_NOT_FOUND == call_err || FSP_EPATH_NOT_FOUND == call_err
                   ? ENODATA
                   : err_of(call_err);
    }
    /* up to Linux's value limit, the NUL included */
    size_t want = info->FileSize < XATTR_VALUE_MAX - 1 ? (size_t)info->FileSize : XATTR_VALUE_MAX - 1;
    char *buf = malloc(want + 1);
    ULONG got = 0;
    call_err = buf ? 0 : FSP_ENO_RESOURCES;
    if (!call_err && want && o->size) {
        if (!req->fs->Interface->Read)
            call_err = FSP_EINVALID_DEVICE_REQUEST;
        else {
            req->treq.Req.Read.Offset = 0;
            req->treq.Req.Read.Length = (UINT32)want;
            fsp_op_enter(req, FspFsctlTransactReadKind);
            call_err = fsp_err_from_status_pending(
                req->fs->Interface->Read(req->fs, sctx, buf, 0, (ULONG)want, &got));
            fsp_op_leave(req);
            if (FSP_EPENDING == call_err) {
                /* the file system reads into buf until it responds */
                UINT64 n = 0;
                call_err = fsp_err_from_status(fsp_request_wait(req, &n));
                got = n > want ? (ULONG)want + 1 : (ULONG)n;
            }
            if (FSP_EEND_OF_FILE == call_err)
                call_err = 0, got = 0;
            else if (!call_err && got > want)
                call_err = FSP_EINTERNAL_ERROR;
        }
    } else
        got = (ULONG)want; /* size query: the length is enough */
    fsp_ops_close(req, sctx, path, 0);
    free(path);
    if (call_err) {
        free(buf);
        return FSP_EINTERNAL_ERROR == call_err ? EIO : err_of(call_err);
    }
    buf[got] = 0;
    o->out = buf;
    o->outlen = (size_t)got + 1;
    return 0;
}

static int delete_opened(struct fsp_request *req, PVOID sctx, PWSTR path)
{
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    int call_err = 0;
    req->treq.Req.SetInformation.FileInformationClass = FileDispositionInformation;
    if (fi->SetDelete) {
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        call_err = fsp_err_from_status(fi->SetDelete(req->fs, sctx, path, TRUE));
        fsp_op_leave(req);
    } else if (fi->CanDelete) {
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        call_err = fsp_err_from_status(fi->CanDelete(req->fs, sctx, path));
        fsp_op_leave(req);
    }
    if (call_err) {
        fsp_ops_close(req, sctx, path, 0);
        return call_err;
    }
    int deleted = fsp_ops_close(req, sctx, path, FspCleanupDelete);
    return FSP_EPENDING == deleted ? 0 : deleted;
}

static int stream_set(struct fsp_request *req, struct op *o)
{
    const FSP_FILE_SYSTEM_INTERFACE *fi = req->fs->Interface;
    PWSTR path;
    int err = stream_path(req, o->name, &path);
    if (err)
        return err;
    PVOID sctx = 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    UINT32 access = FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | DELETE;
    int call_err = fsp_ops_open_path(req, path, access, &sctx, &info);
    bool found = !call_err;
    if (o->remove) {
        if (found)
            call_err = delete_opened(req, sctx, path);
        free(path);
        return found ? (!call_err ? 0 : err_of(call_err))
               : FSP_ENAME_NOT_FOUND == call_err ? ENODATA
                                                        : err_of(call_err);
    }
    if (found && (o->flags & XATTR_CREATE))
        call_err = FSP_ENAME_COLLISION;
    else if (!found && FSP_ENAME_NOT_FOUND == call_err && !(o->flags & XATTR_REPLACE))
        call_err = fsp_ops_create_object(req, path, FILE_NON_DIRECTORY_FILE, access,
                                         FILE_ATTRIBUTE_NORMAL, 0, 0, 0, &sctx, &info);
    else if (!found && FSP_ENAME_NOT_FOUND == call_err) {
        free(path);
        return ENODATA;
    }
    if (call_err) {
        if (found)
            fsp_ops_close(req, sctx, path, 0);
        free(path);
        return FSP_ENAME_COLLISION == call_err ? EEXIST : err_of(call_err);
    }
    /* the value is the data and Samba's NUL; a value without it is all data */
    size_t len = o->size && 0 == ((const char *)o->value)[o->size - 1] ? o->size - 1 : o->size;
    if (!fi->SetFileSize)
        call_err = FSP_EINVALID_DEVICE_REQUEST;
    else {
        req->treq.Req.SetInformation.FileInformationClass = FileEndOfFileInformation;
        fsp_op_enter(req, FspFsctlTransactSetInformationKind);
        call_err = fsp_err_from_status(
            fi->SetFileSize(req->fs, sctx, 0, FALSE, fsp_op_info_arg(req, &info)));
        fsp_op_leave(req);
    }
    if (!call_err && len) {
        ULONG done = 0;
        /* Write may keep its buffer until it responds (fsp_request_wait) */
        void *copy = malloc(len);
        if (!copy)
            call_err = FSP_ENO_RESOURCES;
        else if (!fi->Write)
            call_err = FSP_EINVALID_DEVICE_REQUEST;
        else {
            memcpy(copy, o->value, len);
            req->treq.Req.Write.Offset = 0;
            req->treq.Req.Write.Length = (UINT32)len;
            fsp_op_enter(req, FspFsctlTransactWriteKind);
            call_err =
                fsp_err_from_status_pending(fi->Write(req->fs, sctx, copy, 0, (ULONG)len, FALSE,
                                                      FALSE, &done, fsp_op_info_arg(req, &info)));
            fsp_op_leave(req);
            if (FSP_EPENDING == call_err) {
                /* the file system reads copy until it responds */
                UINT64 n = 0;
                call_err = fsp_err_from_status(fsp_request_wait(req, &n));
                done = n > len ? 0 : (ULONG)n;
            }
            if (!call_err && done != len)
                call_err = ENOSPC;
        }
        free(copy);
    }
    fsp_ops_close(req, sctx, path, 0);
    free(path);
    return !call_err ? 0 : err_of(call_err);
}

/* ---- POSIX ACLs ---- */

static int posix_acl_get(struct fsp_request *req, PVOID ctx, struct op *o)
{
    struct fsp_posix_acls a;
    int err = posix_view(req, ctx, &a);
    if (err)
        return err;
    struct fsp_acl_entry *e = K_ACL_ACCESS == o->kind ? a.acc : a.def;
    size_t n = K_ACL_ACCESS == o->kind ? a.nacc : a.ndef;
    /* an access ACL of the three base entries is the mode: there is none */
    if (!e || (K_ACL_ACCESS == o->kind && n <= 3))
        err = ENODATA;
    else
        err = fsp_acl_encode(e, n, &o->out, &o->outlen);
    fsp_posix_acls_free(&a);
    return err;
}

/* Apply a changed view: the descriptor rebuilt from it, with what has no POSIX form kept. */
static int apply_view(struct fsp_request *req, PVOID ctx, PSECURITY_DESCRIPTOR cur,
                      const struct fsp_posix_acls *a)
{
    PSECURITY_DESCRIPTOR sd = 0;
    const SECURITY_DESCRIPTOR_RELATIVE *h = cur;
    int call_err = fsp_err_from_status(fsp_posix_acls_to_sd(
        a, cur, h->Control & (SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED), &sd));
    if (!call_err)
        call_err = set_security(req, ctx,
                              OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                              sd);
    free(sd);
    return !call_err ? 0 : err_of(call_err);
}

static int posix_acl_set(struct fsp_request *req, PVOID ctx, struct op *o)
{
    struct fsp_acl_entry *e = 0;
    size_t n = 0;
    /* the kernel asks the same before it sends the request (vfs_set_acl) */
    int err = check_owner(req, ctx);
    if (!err && !o->remove)
        err = fsp_acl_decode(o->value, o->size, &e, &n);
    if (err)
        return err;
    PSECURITY_DESCRIPTOR cur = 0;
    int call_err = fsp_ops_get_security(req, ctx, 0, &cur);
    struct fsp_posix_acls a;
    if (!call_err)
        call_err = fsp_err_from_status(fsp_posix_acls_from_sd(cur, &a));
    if (call_err) {
        free(e), free(cur);
        return err_of(call_err);
    }
    if (K_ACL_ACCESS == o->kind) {
        if (o->remove) {
            /* the mode stays what it showed; the entries for other ids go */
            uint32_t mode = fsp_posix_acls_mode(&a);
            a.nacc = 3;
            a.acc[0] = (struct fsp_acl_entry){FSP_ACL_USER_OBJ, (uint16_t)((mode >> 6) & 7), 0};
            a.acc[1] = (struct fsp_acl_entry){FSP_ACL_GROUP_OBJ, (uint16_t)((mode >> 3) & 7), 0};
            a.acc[2] = (struct fsp_acl_entry){FSP_ACL_OTHER, (uint16_t)(mode & 7), 0};
        } else {
            free(a.acc);
            a.acc = e, a.nacc = n, e = 0;
            if (o->setxattr_flags & FUSE_SETXATTR_ACL_KILL_SGID)
                a.special &= ~(uint32_t)S_ISGID;
        }
    } else {
        free(a.def);
        a.def = e, a.ndef = n, e = 0;
    }
    err = apply_view(req, ctx, cur, &a);
    fsp_posix_acls_free(&a);
    free(e);
    free(cur);
    o->changed_security = true;
    return err;
}

/* ---- get, set, remove ---- */

static int do_get(struct fsp_request *req, PVOID ctx, struct op *o)
{
    FSP_FSCTL_FILE_INFO info;
    int call_err;
    int err;
    switch (o->kind) {
    case K_ACL:
    case K_NTACL: {
        if ((err = check_read(req, ctx)))
            return err;
        PSECURITY_DESCRIPTOR sd = 0;
        call_err = fsp_ops_get_security(req, ctx, 0, &sd);
        if (call_err)
            return err_of(call_err);
        size_t len = FspGetSecurityDescriptorLength(sd);
        if (K_NTACL == o->kind) {
            err = fsp_ntacl_encode_v1(sd, len, &o->out, &o->outlen);
            free(sd);
            return err;
        }
        o->out = sd;
        o->outlen = len;
        return 0;
    }
    case K_ATTRIB:
    case K_ATTRIB_BE:
    case K_TIMES:
    case K_TIMES_BE:
    case K_CRTIME:
    case K_CRTIME_BE:
    case K_DOSATTRIB:
        if (K_DOSATTRIB != o->kind && (err = check_read(req, ctx)))
            return err;
        call_err = file_info(req, ctx, &info);
        if (call_err)
            return err_of(call_err);
        if (!(o->out = calloc(1, 32)))
            return ENOMEM;
        if (K_DOSATTRIB == o->kind) {
            free(o->out);
            if (!(o->out = malloc(FSP_DOSATTRIB_V5_SIZE)))
                return ENOMEM;
            fsp_dosattrib_encode(info.FileAttributes, info.CreationTime, o->out);
            o->outlen = FSP_DOSATTRIB_V5_SIZE;
        } else if (K_ATTRIB == o->kind || K_ATTRIB_BE == o->kind) {
            uint32_t a = info.FileAttributes;
            if (0 == a)
                a = FILE_ATTRIBUTE_NORMAL;
            uint8_t *p = o->out;
            if (K_ATTRIB_BE == o->kind)
                p[0] = (uint8_t)(a >> 24), p[1] = (uint8_t)(a >> 16), p[2] = (uint8_t)(a >> 8), p[3] = (uint8_t)a;
            else
                memcpy(p, &a, 4);
            o->outlen = 4;
        } else {
            bool be = K_TIMES_BE == o->kind || K_CRTIME_BE == o->kind;
            UINT64 t[4] = {info.CreationTime, info.LastWriteTime, info.LastAccessTime,
                           info.ChangeTime ? info.ChangeTime : info.LastWriteTime};
            for (int i = 0; i < 4; i++)
                put64((uint8_t *)o->out + 8 * i, t[i], be);
            o->outlen = K_CRTIME == o->kind || K_CRTIME_BE == o->kind ? 8 : 32;
            /* as ntfs-3g: the times that fit into a smaller buffer, at least one */
            if (o->size && o->size < o->outlen) {
                if (o->size < 8)
                    return ERANGE;
                o->outlen = o->size / 8 * 8;
            }
        }
        return 0;
    case K_REPARSE: {
        if ((err = check_read(req, ctx)))
            return err;
        call_err = file_info(req, ctx, &info);
        if (call_err)
            return err_of(call_err);
        if (!(info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
            return ENODATA;
        call_err = fsp_ops_get_reparse(req, ctx, 0, &o->out, &o->outlen);
        return !call_err ? 0 : FSP_ENOT_REPARSE == call_err ? ENODATA : err_of(call_err);
    }
    case K_STREAM:
        return stream_get(req, o);
    case K_ACL_ACCESS:
    case K_ACL_DEFAULT:
        return posix_acl_get(req, ctx, o);
    default:
        return EOPNOTSUPP;
    }
}

/* Reparse tags that make a Linux file type: the engine's own (symlink(2), mknod(2)). */
static bool typed_tag(ULONG tag)
{
    return IO_REPARSE_TAG_SYMLINK == tag || IO_REPARSE_TAG_NFS == tag;
}

static int reparse_set(struct fsp_request *req, PVOID ctx, struct op *o)
{
    const FSP_FILE_SYSTEM *fs = req->fs;
    if (!fs->VolumeParams.ReparsePoints ||
        !(o->remove ? fs->Interface->DeleteReparsePoint : fs->Interface->SetReparsePoint))
        return ENOSYS; /* the file system lacks it (fsp_ops_unsupported) */
    int err = check_owner(req, ctx);
    if (err)
        return err;
    FSP_FSCTL_FILE_INFO info;
    int call_err = file_info(req, ctx, &info);
    if (call_err)
        return err_of(call_err);
    bool has = info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT;
    void *cur = 0;
    size_t curlen = 0;
    if (has) {
        call_err = fsp_ops_get_reparse(req, ctx, 0, &cur, &curlen);
        if (call_err)
            return err_of(call_err);
    }
    /* a symlink, FIFO, socket or device stays what the kernel knows it as */
    if (cur && typed_tag(((REPARSE_DATA_BUFFER *)cur)->ReparseTag))
        err = EPERM;
    else if (o->remove) {
        if (!cur)
            err = ENODATA;
        else {
            /* the header names the tag (and the GUID of a third-party tag) to delete */
            ULONG tag = ((REPARSE_DATA_BUFFER *)cur)->ReparseTag;
            size_t hl = (tag & 0x80000000u) ? REPARSE_DATA_BUFFER_HEADER_SIZE : REPARSE_GUID_DATA_BUFFER_HEADER_SIZE;
            if (hl > curlen)
                hl = curlen;
            ((REPARSE_DATA_BUFFER *)cur)->ReparseDataLength = 0;
            req->treq.Req.FileSystemControl.FsControlCode = FSCTL_DELETE_REPARSE_POINT;
            fsp_op_enter(req, FspFsctlTransactFileSystemControlKind);
            call_err = fsp_err_from_status(
                fs->Interface->DeleteReparsePoint((FSP_FILE_SYSTEM *)fs, ctx, 0, cur, hl));
            fsp_op_leave(req);
            err = !call_err ? 0 : err_of(call_err);
        }
    } else {
        const REPARSE_DATA_BUFFER *rp = o->value;
        size_t hdr = REPARSE_DATA_BUFFER_HEADER_SIZE;
        if (o->size < hdr || o->size > MAXIMUM_REPARSE_DATA_BUFFER_SIZE || 0 == rp->ReparseTag)
            err = EINVAL;
        else if (hdr + rp->ReparseDataLength + ((rp->ReparseTag & 0x80000000u) ? 0 : 16) != o->size)
            err = EINVAL;
        else if (typed_tag(rp->ReparseTag))
            err = EPERM; /* made by symlink(2) and mknod(2) only */
        else if (cur && (o->flags & XATTR_CREATE))
            err = EEXIST;
        else if (!cur && (o->flags & XATTR_REPLACE))
            err = ENODATA;
        else {
            req->treq.Req.FileSystemControl.FsControlCode = FSCTL_SET_REPARSE_POINT;
            fsp_op_enter(req, FspFsctlTransactFileSystemControlKind);
            call_err = fsp_err_from_status(fs->Interface->SetReparsePoint(
                (FSP_FILE_SYSTEM *)fs, ctx, 0, (PVOID)o->value, o->size));
            fsp_op_leave(req);
            err = !call_err ? 0 : err_of(call_err);
        }
    }
    free(cur);
    o->changed_security = !err;
    return err;
}

static int do_set(struct fsp_request *req, PVOID ctx, struct op *o)
{
    FSP_FSCTL_FILE_INFO info;
    int call_err;
    int err;
    bool always = K_ACL == o->kind || K_ATTRIB == o->kind || K_ATTRIB_BE == o->kind || K_TIMES == o->kind ||
                  K_TIMES_BE == o->kind || K_CRTIME == o->kind || K_CRTIME_BE == o->kind ||
                  K_DOSATTRIB == o->kind || K_NTACL == o->kind;
    if (always && o->remove)
        return EPERM; /* they always exist (as on ntfs-3g) */
    if (always && (o->flags & XATTR_CREATE))
        return EEXIST;
    switch (o->kind) {
    case K_ACL:
    case K_NTACL: {
        PSECURITY_DESCRIPTOR sd = 0;
        size_t len = 0;
        if (K_NTACL == o->kind) {
            /* security.*: CAP_SYS_ADMIN, as the kernel asks (ntfs-3g: root) */
            if (!fsp_ops_caller_capable(req, CAP_SYS_ADMIN_BIT))
                return EPERM;
            if ((err = fsp_ntacl_decode(o->value, o->size, &sd, &len)))
                return err;
        } else {
            if ((err = check_owner(req, ctx)))
                return err;
            len = o->size;
            if (len < sizeof(SECURITY_DESCRIPTOR_RELATIVE) || !FspIsValidSecurityDescriptor((PVOID)o->value, len) ||
                FspGetSecurityDescriptorLength((PVOID)o->value) != len ||
                !FspSecurityDescriptorOwner((PVOID)o->value) || !FspSecurityDescriptorGroup((PVOID)o->value))
                return EINVAL;
            if (!(sd = malloc(len)))
                return ENOMEM;
            memcpy(sd, o->value, len);
        }
        SECURITY_INFORMATION what = parts_of(sd);
        if (what && (err = check_sd_change(req, ctx, sd))) {
            free(sd);
            return err;
        }
        call_err = what ? set_security(req, ctx, what, sd) : 0;
        free(sd);
        o->changed_security = true;
        return !call_err ? 0 : err_of(call_err);
    }
    case K_ATTRIB:
    case K_ATTRIB_BE:
    case K_TIMES:
    case K_TIMES_BE:
    case K_CRTIME:
    case K_CRTIME_BE: {
        if ((err = check_owner(req, ctx)))
            return err;
        const uint8_t *v = o->value;
        if (K_ATTRIB == o->kind || K_ATTRIB_BE == o->kind) {
            if (o->size < 4)
                return EINVAL;
            uint32_t a;
            if (K_ATTRIB_BE == o->kind)
                a = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
            else
                memcpy(&a, v, 4);
            call_err = file_info(req, ctx, &info);
            if (!call_err)
                call_err = set_basic(req, ctx, merged_attributes(&info, a), 0, 0, 0);
        } else {
            bool be = K_TIMES_BE == o->kind || K_CRTIME_BE == o->kind;
            if (o->size < 8)
                return ERANGE;
            size_t n = K_CRTIME == o->kind || K_CRTIME_BE == o->kind ? 1 : o->size / 8 > 3 ? 3 : o->size / 8;
            UINT64 t[3] = {0, 0, 0}; /* creation, write, access; 0: unchanged */
            for (size_t i = 0; i < n; i++)
                t[i] = get64(v + 8 * i, be);
            call_err = set_basic(req, ctx, INVALID_FILE_ATTRIBUTES, t[0], t[2], t[1]);
        }
        o->changed_security = true; /* times are attributes the kernel caches */
        return !call_err ? 0 : err_of(call_err);
    }
    case K_DOSATTRIB: {
        /* attributes and the creation time: what system.ntfs_attrib and _crtime ask (the
         * kernel checked write access only; Samba retries as root where it may) */
        if ((err = check_owner(req, ctx)))
            return err;
        struct fsp_dosattrib d;
        if ((err = fsp_dosattrib_decode(o->value, o->size, &d)))
            return err;
        UINT32 attributes = INVALID_FILE_ATTRIBUTES;
        call_err = 0;
        if (d.has_attrib) {
            call_err = file_info(req, ctx, &info);
            attributes = merged_attributes(&info, d.attrib);
        }
        if (!call_err && (d.has_attrib || d.has_create_time))
            call_err = set_basic(req, ctx, attributes, d.has_create_time ? d.create_time : 0, 0, 0);
        o->changed_security = true;
        return !call_err ? 0 : err_of(call_err);
    }
    case K_REPARSE:
        return reparse_set(req, ctx, o);
    case K_STREAM:
        return stream_set(req, o);
    case K_ACL_ACCESS:
    case K_ACL_DEFAULT:
        return posix_acl_set(req, ctx, o);
    default:
        return EOPNOTSUPP;
    }
}

static int run_op(struct fsp_request *req, PVOID ctx, struct fsp_handle *h, void *arg)
{
    struct op *o = arg;
    if (!o->value && !o->remove)
        return do_get(req, ctx, o);
    UINT64 since = fsp_ops_since();
    int err = do_set(req, ctx, o);
    /* A new descriptor owes the file its change time as chmod(2) does, when the file system
     * leaves it to Cleanup (ops_cleanup.c); the attributes and times are set with the change
     * time already (set_basic). */
    bool security = K_ACL == o->kind || K_NTACL == o->kind || K_ACL_ACCESS == o->kind ||
                    K_ACL_DEFAULT == o->kind;
    if (!err && security && o->changed_security && req->fs->Interface->Cleanup) {
        FSP_FSCTL_OPEN_FILE_INFO info;
        if (!(fsp_ops_get_file_info(req, ctx, &info)))
            fsp_ops_modified(req, req->in->nodeid, 0, h, ctx, since, FSP_OPS_SECURITY_CHANGED, &info);
    }
    return err;
}

/* The access the engine's open asks for. */
static UINT32 access_for(const struct op *o, bool change)
{
    UINT32 a = FILE_READ_ATTRIBUTES | READ_CONTROL;
    if (change)
        a |= FILE_WRITE_ATTRIBUTES | WRITE_DAC | WRITE_OWNER;
    (void)o;
    return a;
}

bool fsp_ntxattr_get(struct fsp_request *req, const char *name, uint32_t size)
{
    struct op o = {.kind = kind_of(req, name), .name = name, .size = size};
    if (K_NONE == o.kind)
        return false;
    if (K_REFUSED == o.kind || K_BADNAME == o.kind) {
        fsp_reply_err(req, K_REFUSED == o.kind ? EOPNOTSUPP : EINVAL);
        return true;
    }
    int err = fsp_ops_with_node(req, access_for(&o, false), run_op, &o);
    if (err)
        fsp_reply_err(req, err);
    else if (0 == size) {
        struct fuse_getxattr_out out = {(uint32_t)o.outlen, 0};
        fsp_reply_data(req, &out, sizeof out);
    } else if (size < o.outlen)
        fsp_reply_err(req, ERANGE);
    else
        fsp_reply_data(req, o.out, o.outlen);
    free(o.out);
    return true;
}

static void after_change(struct fsp_request *req, struct op *o, int err)
{
    /* attributes, security, times, reparse data, streams: whatever went through, what
     * attr_cache.c holds of the file goes, and its directory's kept listing (the file's type);
     * before the kernel is told, so that it reads them anew */
    fsp_attr_invalidate_entry(req->engine, req->in->nodeid);
    /* mode, owner, type or times may have changed: the kernel reads them again */
    if (!err && o->changed_security)
        fsp_notify_inval_attr(req->engine, req->in->nodeid);
    fsp_node_set_flag(req->engine, req->in->nodeid, FSP_NODE_NO_PRIVS, false);
}

bool fsp_ntxattr_set(struct fsp_request *req, const char *name, const void *value, size_t size,
                     uint32_t flags, uint32_t setxattr_flags)
{
    struct op o = {.kind = kind_of(req, name), .name = name, .size = size, .flags = flags,
                   .setxattr_flags = setxattr_flags};
    if (K_NONE == o.kind)
        return false;
    int err;
    void *copy = 0;
    if (K_REFUSED == o.kind || K_BADNAME == o.kind)
        err = K_REFUSED == o.kind ? EOPNOTSUPP : EINVAL;
    else if (req->fs->VolumeParams.ReadOnlyVolume)
        err = EROFS;
    else if (size > XATTR_VALUE_MAX)
        err = E2BIG;
    else if (!(copy = malloc(size ? size : 1)))
        err = ENOMEM;
    else {
        /* the value follows the name in the request, at any address: the descriptors and
         * reparse buffers it holds are read as structures, so they get an aligned copy */
        if (size)
            memcpy(copy, value, size);
        o.value = copy;
        err = fsp_ops_with_node(req, access_for(&o, true), run_op, &o);
    }
    free(copy);
    after_change(req, &o, err);
    fsp_reply_err(req, err);
    return true;
}

bool fsp_ntxattr_remove(struct fsp_request *req, const char *name)
{
    struct op o = {.kind = kind_of(req, name), .name = name, .remove = true};
    if (K_NONE == o.kind)
        return false;
    int err;
    if (K_REFUSED == o.kind || K_BADNAME == o.kind)
        err = K_REFUSED == o.kind ? EOPNOTSUPP : EINVAL;
    else if (req->fs->VolumeParams.ReadOnlyVolume)
        err = EROFS;
    else
        err = fsp_ops_with_node(req, access_for(&o, true), run_op, &o);
    after_change(req, &o, err);
    fsp_reply_err(req, err);
    return true;
}

/* ---- listing ---- */

static int append(char **plist, size_t *plen, const char *a, size_t al, const char *b, size_t bl,
                  const char *c)
{
    size_t cl = strlen(c), n = al + bl + cl + 1;
    char *l = realloc(*plist, *plen + n);
    if (!l)
        return ENOMEM;
    memcpy(l + *plen, a, al);
    memcpy(l + *plen + al, b, bl);
    memcpy(l + *plen + al + bl, c, cl + 1);
    *plist = l;
    *plen += n;
    return 0;
}

static int list_streams(struct fsp_request *req, PVOID ctx, char **plist, size_t *plen)
{
    ULONG cap = 64 * 1024, got = 0;
    void *buf = 0;
    int call_err = FSP_EBUFFER_OVERFLOW;
    for (int i = 0;
         i < 5 && (FSP_EBUFFER_OVERFLOW == call_err || FSP_EBUFFER_TOO_SMALL == call_err); i++) {
        free(buf);
        if (!(buf = malloc(cap)))
            return ENOMEM;
        got = 0;
        req->treq.Req.QueryStreamInformation.UserContext = 0;
        fsp_op_enter(req, FspFsctlTransactQueryStreamInformationKind);
        call_err =
            fsp_err_from_status(req->fs->Interface->GetStreamInfo(req->fs, ctx, buf, cap, &got));
        fsp_op_leave(req);
        cap *= 4;
    }
    if (call_err || got > cap / 4) {
        free(buf);
        return !call_err ? EIO : FSP_EINVALID_DEVICE_REQUEST == call_err ? 0 : err_of(call_err);
    }
    int err = 0;
    for (size_t pos = 0; !err && pos + sizeof(UINT16) <= got;) {
        const FSP_FSCTL_STREAM_INFO *s = (const FSP_FSCTL_STREAM_INFO *)((char *)buf + pos);
        if (0 == s->Size || s->Size < sizeof *s || s->Size > got - pos)
            break;
        size_t nchars = (s->Size - sizeof *s) / sizeof(WCHAR);
        /* ":NAME:$DATA"; the main stream "::$DATA" is not a name */
        if (nchars > 7 && L':' == s->StreamNameBuf[0] &&
            0 == memcmp(s->StreamNameBuf + nchars - 6, L":$DATA", 6 * sizeof(WCHAR))) {
            PWSTR w = malloc((nchars - 6) * sizeof(WCHAR));
            char *u = 0;
            if (!w)
                err = ENOMEM;
            else {
                memcpy(w, s->StreamNameBuf + 1, (nchars - 7) * sizeof(WCHAR));
                w[nchars - 7] = 0;
                if (NT_SUCCESS(FspPosixMapWindowsToPosixPathEx(w, &u, TRUE)) && !strchr(u, '/'))
                    err = append(plist, plen, STREAM_PREFIX, sizeof STREAM_PREFIX - 1, u, strlen(u), STREAM_SUFFIX);
                FspPosixDeletePath(u);
                free(w);
            }
        }
        pos = (pos + s->Size + 7) & ~(size_t)7;
    }
    free(buf);
    return err;
}

int fsp_ntxattr_list(struct fsp_request *req, PVOID ctx, char **plist, size_t *plen)
{
    const FSP_FILE_SYSTEM *fs = req->fs;
    if (fs->VolumeParams.XattrsPassThrough)
        return 0;
    int err = 0;
    if (streams_served(fs))
        err = list_streams(req, ctx, plist, plen);
    if (!err && fsp_ops_posix_acls(req)) {
        struct fsp_posix_acls a;
        if (0 == posix_view(req, ctx, &a)) {
            if (a.nacc > 3)
                err = append(plist, plen, "system.posix_acl_access", 23, "", 0, "");
            if (!err && a.ndef)
                err = append(plist, plen, "system.posix_acl_default", 24, "", 0, "");
            fsp_posix_acls_free(&a);
        }
    }
    return err;
}
