/*
 * src/fuse/fuse3_intf.c - the native file system interface of the FUSE 3
 * layer: every FSP_FILE_SYSTEM_INTERFACE operation is carried out with the
 * program's struct fuse_operations (as WinFsp's FUSE layer does).
 *
 * - Names: the native WCHAR path ("\dir\file") becomes the FUSE path
 *   ("/dir/file", UTF-8) through FspPosixMapWindowsToPosixPath.
 * - Attributes: getattr gives FILE_INFO (sizes, times, st_ino with use_ino,
 *   st_nlink) and the security descriptor (FspPosixMapPermissionsToSecurity-
 *   Descriptor of uid, gid and mode). Directories have
 *   FILE_ATTRIBUTE_DIRECTORY; symlinks are IO_REPARSE_TAG_SYMLINK and
 *   FIFOs, sockets and devices IO_REPARSE_TAG_NFS reparse points, as the
 *   engine expects.
 * - Opens: the engine opens files for its own needs (lookups, attribute
 *   changes, unlink, rename) as well as for open(2). open()/opendir()/create()
 *   are called only for the opens of processes (the request's PosixOpen, with
 *   the kernel's open(2) flags in fi->flags); the others need no FUSE handle.
 *   A context without one gets it on first use (read, write, readdir).
 * - Every call gets its own struct fuse_file_info, filled from what open
 *   returned (fh) and the open's flags, as libfuse builds one per request:
 *   what an operation changes in it stays with that call.
 * - Everything the program's operations return as errno reaches the caller
 *   as that errno (fuse3_status).
 * - Deletion happens in CanDelete (called right before Cleanup with
 *   FspCleanupDelete), so unlink/rmdir errors reach the caller; an unlinked
 *   file that is still open is renamed to a hidden name first (unless
 *   hard_remove) and unlinked at its last close, as libfuse does.
 * - Results are validated: a negative size, a read returning more than
 *   asked, readdir names with '/', getattr without a file type become EIO
 *   and a log line.
 */
#include "fuse3_priv.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define FUSE3_SYMLINK_MAX 4096

/* ---- context ---- */

static __thread struct fuse_context tls_context;

struct fuse_context *fuse3_context(void)
{
    return &tls_context;
}

void fuse3_context_enter(struct fuse *f)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    tls_context.fuse = f;
    tls_context.private_data = f->private_data;
    tls_context.umask = 0;
    if (oc && oc->Request) {
        tls_context.uid = (uid_t)oc->Request->CallerUid;
        tls_context.gid = (gid_t)oc->Request->CallerGid;
        tls_context.pid = (pid_t)oc->Request->CallerPid;
    } else {
        tls_context.uid = getuid();
        tls_context.gid = getgid();
        tls_context.pid = getpid();
    }
}

static struct fuse *enter(FSP_FILE_SYSTEM *fs)
{
    struct fuse *f = fs->UserContext;
    fuse3_context_enter(f);
    return f;
}

NTSTATUS fuse3_status(int err)
{
    NTSTATUS status = FspNtStatusFromErrno(-err);
    /* Where the native status would merge errnos (ENOTTY and ENOSYS, ...), carry it exactly. */
    return FspErrnoFromNtStatus(status) == -err ? status : FSP_STATUS_FROM_ERRNO(-err);
}

static NTSTATUS st_err(int err) /* err: a negative errno from the file system */
{
    if (err >= 0)
        return STATUS_SUCCESS;
    if (err < -4095) {
        fuse3_log_error("fuse: operation returned an impossible error %d\n", err);
        return STATUS_IO_DEVICE_ERROR;
    }
    return fuse3_status(err);
}

/* ---- paths and the open file list ---- */

/* A file's state flags (opened, removed, unlink_on_close) are read by other threads (the open
 * file list, a GETATTR of an unlinked file) while their owner changes them. */
static bool flag_get(const bool *flag)
{
    return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static void flag_set(bool *flag, bool value)
{
    __atomic_store_n(flag, value, __ATOMIC_RELEASE);
}

static char *posix_path(PWSTR FileName)
{
    char *p = 0;
    if (!FileName || !NT_SUCCESS(FspPosixMapWindowsToPosixPath(FileName, &p)))
        return 0;
    if (!p[0]) { /* "" cannot happen for a rooted name; be safe */
        FspPosixDeletePath(p);
        return strdup("/");
    }
    char *copy = strdup(p); /* plain malloc'ed strings throughout this file */
    FspPosixDeletePath(p);
    return copy;
}

/* A copy of the file's current path (NULL when it was removed or out of memory). */
static char *file_path(struct fuse *f, struct fuse3_file *file)
{
    pthread_mutex_lock(&f->lock);
    char *p = file->path ? strdup(file->path) : 0;
    pthread_mutex_unlock(&f->lock);
    return p;
}

static void file_register(struct fuse *f, struct fuse3_file *file)
{
    pthread_mutex_lock(&f->lock);
    file->next = f->files.next;
    file->prev = &f->files;
    f->files.next->prev = file;
    f->files.next = file;
    pthread_mutex_unlock(&f->lock);
}

static struct fuse3_file *file_new(struct fuse *f, const char *path, bool is_dir)
{
    struct fuse3_file *file = calloc(1, sizeof *file);
    if (!file)
        return 0;
    file->path = strdup(path);
    if (!file->path) {
        free(file);
        return 0;
    }
    file->is_dir = is_dir;
    file_register(f, file);
    return file;
}

static void listing_release(struct fuse *f, struct fuse3_file *file);

static void file_free(struct fuse *f, struct fuse3_file *file)
{
    pthread_mutex_lock(&f->lock);
    file->prev->next = file->next;
    file->next->prev = file->prev;
    if (file->ghost && 0 == --file->ghost->refs)
        free(file->ghost);
    file->ghost = 0;
    pthread_mutex_unlock(&f->lock);
    listing_release(f, file);
    free(file->path);
    free(file);
}

/* Is path open (with a FUSE handle) through a file other than self? Called with f->lock. */
static bool path_open_elsewhere(struct fuse *f, const char *path, struct fuse3_file *self)
{
    for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next)
        if (x != self && flag_get(&x->opened) && x->path && 0 == strcmp(x->path, path))
            return true;
    return false;
}

/* Is path open (with or without a FUSE handle) through a file other than self? Called with f->lock. */
static bool path_used_elsewhere(struct fuse *f, const char *path, struct fuse3_file *self)
{
    for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next)
        if (x != self && x->path && 0 == strcmp(x->path, path))
            return true;
    return false;
}

/* After a rename from -> to: open files at from, or under from/, follow. */
static void paths_renamed(struct fuse *f, const char *from, const char *to)
{
    size_t fl = strlen(from);
    pthread_mutex_lock(&f->lock);
    for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next) {
        if (!x->path || strncmp(x->path, from, fl) || (x->path[fl] && '/' != x->path[fl]))
            continue;
        size_t tl = strlen(to), rl = strlen(x->path + fl);
        char *n = malloc(tl + rl + 1);
        if (!n)
            continue;
        memcpy(n, to, tl);
        memcpy(n + tl, x->path + fl, rl + 1);
        free(x->path);
        x->path = n;
    }
    pthread_mutex_unlock(&f->lock);
}

/* Does path name prefix or something under it? */
static bool path_under(const char *path, const char *prefix, size_t pl)
{
    return path && 0 == strncmp(path, prefix, pl) && (!path[pl] || '/' == path[pl]);
}

/* After RENAME_EXCHANGE of a and b: open files at (or under) each follow to the other. */
static void paths_exchanged(struct fuse *f, const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);
    pthread_mutex_lock(&f->lock);
    for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next) {
        bool in_a = path_under(x->path, a, al), in_b = !in_a && path_under(x->path, b, bl);
        if (!in_a && !in_b)
            continue;
        const char *to = in_a ? b : a;
        size_t skip = in_a ? al : bl, tl = strlen(to), rl = strlen(x->path + skip);
        char *n = malloc(tl + rl + 1);
        if (!n)
            continue;
        memcpy(n, to, tl);
        memcpy(n + tl, x->path + skip, rl + 1);
        free(x->path);
        x->path = n;
    }
    pthread_mutex_unlock(&f->lock);
}

/*
 * After path was removed: open files at it, or under it (hidden files in a removed
 * directory), have no name any more, as libfuse's nodes lose theirs. dir_st: the
 * attributes of a directory removed while open, which its open contexts keep (a ghost).
 */
static void path_removed(struct fuse *f, const char *path, const struct stat *dir_st)
{
    struct fuse3_ghost *g = 0;
    if (dir_st && (g = calloc(1, sizeof *g))) {
        g->st = *dir_st;
        g->st.st_nlink = 0;
        clock_gettime(CLOCK_REALTIME, &g->st.st_ctim);
    }
    size_t pl = strlen(path);
    pthread_mutex_lock(&f->lock);
    for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next) {
        if (!x->path || strncmp(x->path, path, pl) || (x->path[pl] && '/' != x->path[pl]))
            continue;
        bool exact = !x->path[pl];
        free(x->path);
        x->path = 0;
        flag_set(&x->removed, true);
        if (exact && g && x->is_dir && !x->ghost) {
            x->ghost = g;
            g->refs++;
        }
    }
    /* decided under the lock: once it is released, a Close may drop the last reference and
     * free the ghost itself */
    bool unused = g && 0 == g->refs;
    pthread_mutex_unlock(&f->lock);
    if (unused)
        free(g);
}

/* A struct fuse_file_info for one call on file: its open's fh and flags, nothing else. */
static struct fuse_file_info *call_fi(struct fuse3_file *file, struct fuse_file_info *fi)
{
    memset(fi, 0, sizeof *fi);
    fi->fh = file->fh;
    fi->flags = file->fi_flags;
    return fi;
}

/*
 * The handle a path operation gets with its path, as libfuse gives it: the file's own
 * (from open or create) for regular files; never a directory's (opendir's handle is for
 * readdir, fsyncdir and releasedir only: libfuse passes fi to getattr, chmod, chown,
 * utimens and truncate only from FUSE_GETATTR_FH / FATTR_FH, which the kernel sends for
 * regular files). fi: the call's own copy.
 */
static struct fuse_file_info *file_fi(struct fuse3_file *file, struct fuse_file_info *fi)
{
    return !file->is_dir && flag_get(&file->opened) ? call_fi(file, fi) : 0;
}

/* ---- attributes ---- */

static int get_stat(struct fuse *f, const char *path, struct fuse_file_info *fi, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (!f->top->op.getattr)
        return -ENOSYS;
    if (!path && !fi)
        return -ENOENT; /* removed, and no handle to reach it by (libfuse: ESTALE) */
    int err = fuse_fs_getattr(f->top, path, st, fi);
    if (err > 0)
        err = 0;
    if (err)
        return err;
    if (0 == (st->st_mode & S_IFMT)) {
        fuse3_log_error("fuse: getattr(%s) returned no file type (st_mode 0%o)\n", path ? path : "NULL",
                        (unsigned)st->st_mode);
        return -EIO;
    }
    if (st->st_size < 0 || st->st_blocks < 0) {
        fuse3_log_error("fuse: getattr(%s) returned a negative size\n", path ? path : "NULL");
        return -EIO;
    }
    if (f->conf.set_uid)
        st->st_uid = f->conf.uid;
    if (f->conf.set_gid)
        st->st_gid = f->conf.gid;
    if (f->conf.set_mode)
        st->st_mode = (st->st_mode & S_IFMT) | (0777 & ~f->conf.umask);
    return 0;
}

static UINT64 filetime_of(const struct timespec *ts)
{
    UINT64 ut[2] = {(UINT64)ts->tv_sec, (UINT64)ts->tv_nsec}, ft;
    if (ts->tv_sec < -11644473600LL)
        return 0;
    FspPosixUnixTimeToFileTime(ut, &ft);
    return ft;
}

/*
 * The nanoseconds of the times below FILETIME's 100 ns go beside the FileInfo the engine passes
 * (the layer sets VolumeParams.NanosecondTimes: times are exact, as the program keeps them);
 * NULL for any other FileInfo.
 */
static FSP_FSCTL_FILE_NSEC *nsec_of(FSP_FSCTL_FILE_INFO *info)
{
    return info ? FspFileSystemGetFileInfoNsec(info) : 0;
}

static UINT8 nsec_below_100(const struct timespec *ts)
{
    return ts->tv_sec < -11644473600LL || ts->tv_nsec < 0 ? 0 : (UINT8)(ts->tv_nsec % 100);
}

/* stat -> FILE_INFO, and the times' nanoseconds below 100 ns into *nsec (when not NULL). */
static void info_from_stat(struct fuse *f, const struct stat *st, FSP_FSCTL_FILE_INFO *info,
                           FSP_FSCTL_FILE_NSEC *nsec)
{
    memset(info, 0, sizeof *info);
    if (nsec) {
        nsec->LastWriteTime = nsec_below_100(&st->st_mtim);
        nsec->LastAccessTime = nsec_below_100(&st->st_atim);
        nsec->ChangeTime = nsec_below_100(&st->st_ctim);
    }
    switch (st->st_mode & S_IFMT) {
    case S_IFDIR:
        info->FileAttributes = FILE_ATTRIBUTE_DIRECTORY;
        break;
    case S_IFLNK:
        info->FileAttributes = FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_SYMLINK;
        break;
    case S_IFIFO:
    case S_IFSOCK:
    case S_IFCHR:
    case S_IFBLK:
        info->FileAttributes = FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_NFS;
        break;
    default:
        info->FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
        break;
    }
    info->FileSize = (UINT64)st->st_size;
    info->AllocationSize = (UINT64)st->st_blocks * 512;
    /* no birth time: struct stat has none (statx shows none, as with libfuse) */
    info->CreationTime = 0;
    info->LastAccessTime = filetime_of(&st->st_atim);
    info->LastWriteTime = filetime_of(&st->st_mtim);
    info->ChangeTime = filetime_of(&st->st_ctim);
    info->IndexNumber = f->conf.use_ino ? (UINT64)st->st_ino : 0;
    info->HardLinks = (UINT32)st->st_nlink;
}

/* getattr of an open file (with its FUSE handle when it has one) into info. */
static NTSTATUS file_info(struct fuse *f, struct fuse3_file *file, FSP_FSCTL_FILE_INFO *info,
                          struct stat *pst)
{
    struct stat st = {0};
    pthread_mutex_lock(&f->lock);
    bool ghost = file->ghost;
    if (ghost)
        st = file->ghost->st;
    char *path = !ghost && file->path ? strdup(file->path) : 0;
    bool nomem = !ghost && file->path && !path;
    pthread_mutex_unlock(&f->lock);
    if (nomem)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (!ghost) {
        struct fuse_file_info fi;
        int err = get_stat(f, path, file_fi(file, &fi), &st);
        free(path);
        if (err)
            return st_err(err);
    }
    /* Unlinked while open, it lives on under a hidden name: that name is not one of its links. */
    if (flag_get(&file->unlink_on_close) && st.st_nlink > 0)
        st.st_nlink--;
    if (info)
        info_from_stat(f, &st, info, nsec_of(info));
    if (pst)
        *pst = st;
    return STATUS_SUCCESS;
}

static NTSTATUS sd_from_stat(const struct stat *st, PSECURITY_DESCRIPTOR SecurityDescriptor,
                             SIZE_T *PSecurityDescriptorSize)
{
    if (!PSecurityDescriptorSize)
        return STATUS_SUCCESS;
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS status = FspPosixMapPermissionsToSecurityDescriptor(st->st_uid, st->st_gid,
                                                                 st->st_mode & 07777, &sd);
    if (!NT_SUCCESS(status))
        return status;
    SIZE_T size = FspGetSecurityDescriptorLength(sd);
    if (*PSecurityDescriptorSize < size || !SecurityDescriptor) {
        *PSecurityDescriptorSize = size;
        status = SecurityDescriptor ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    } else {
        memcpy(SecurityDescriptor, sd, size);
        *PSecurityDescriptorSize = size;
    }
    FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    return status;
}

/* ---- opening ---- */

/*
 * Is the current Create/Open the open(2), creat(2) or opendir(3) of a process (rather than
 * one the engine makes for itself)? *pflags receives the flags the kernel sent with it.
 */
static bool posix_open(int *pflags)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (!oc || !oc->Request || FspFsctlTransactCreateKind != oc->Request->Kind ||
        !oc->Request->Req.Create.PosixOpen)
        return false;
    *pflags = (int)oc->Request->Req.Create.PosixFlags;
    return true;
}

static int flags_from_access(UINT32 GrantedAccess)
{
    bool r = GrantedAccess & FILE_READ_DATA, w = GrantedAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA);
    int flags = r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY;
    if ((GrantedAccess & FILE_APPEND_DATA) && !(GrantedAccess & FILE_WRITE_DATA))
        flags |= O_APPEND;
    return flags;
}

/*
 * Tell the engine how the kernel treats this open, from what open/opendir/create left in fi
 * (libfuse's fill_open). Only inside the engine's Create/Open/Overwrite calls; elsewhere (a
 * late open on first use) the kernel's open was answered already.
 */
static void tell_open_flags(const struct fuse_file_info *fi)
{
    UINT32 flags = (fi->direct_io ? FSP_FSCTL_OPEN_DIRECT_IO : 0) |
                   (fi->keep_cache ? FSP_FSCTL_OPEN_KEEP_CACHE : 0) |
                   (fi->nonseekable ? FSP_FSCTL_OPEN_NONSEEKABLE : 0) |
                   (fi->cache_readdir ? FSP_FSCTL_OPEN_CACHE_DIR : 0) |
                   (fi->noflush ? FSP_FSCTL_OPEN_NOFLUSH : 0) |
                   (fi->parallel_direct_writes ? FSP_FSCTL_OPEN_PARALLEL_DIRECT_WRITES : 0);
    FspFileSystemSetOpenFlags(flags);
}

/* What a successful open/opendir/create gave: the file's handle for every later call. */
static void file_opened(struct fuse *f, struct fuse3_file *file, struct fuse_file_info *fi)
{
    if (!file->is_dir && f->conf.kernel_cache)
        fi->keep_cache = 1;
    file->fh = fi->fh;
    file->fi_flags = file->open_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
    tell_open_flags(fi);
    flag_set(&file->opened, true);
}

/* Give the file its FUSE handle (open/opendir) unless it has one. */
static int file_open(struct fuse *f, struct fuse3_file *file)
{
    if (flag_get(&file->opened))
        return 0;
    char *path = file_path(f, file);
    if (!path)
        return flag_get(&file->removed) ? -ENOENT : -ENOMEM;
    struct fuse_file_info fi;
    memset(&fi, 0, sizeof fi);
    fi.flags = file->open_flags;
    int err;
    if (file->is_dir)
        err = fuse_fs_opendir(f->top, path, &fi);
    else {
        if (f->conf.direct_io)
            fi.direct_io = 1;
        if (f->conf.no_rofd_flush && O_RDONLY == (fi.flags & O_ACCMODE))
            fi.noflush = 1;
        err = fuse_fs_open(f->top, path, &fi);
    }
    free(path);
    if (err > 0)
        err = 0;
    if (!err)
        file_opened(f, file, &fi);
    return err;
}

/* file_open for a file that may be in use by other threads already (Read, Write, ReadDirectory). */
static int file_open_late(struct fuse *f, struct fuse3_file *file)
{
    if (flag_get(&file->opened))
        return 0;
    pthread_mutex_lock(&f->open_lock);
    int err = file_open(f, file);
    pthread_mutex_unlock(&f->open_lock);
    return err;
}

static void file_release(struct fuse *f, struct fuse3_file *file)
{
    if (!flag_get(&file->opened))
        return;
    char *path = file_path(f, file);
    struct fuse_file_info fi;
    call_fi(file, &fi);
    if (file->is_dir)
        fuse_fs_releasedir(f->top, path, &fi);
    else
        fuse_fs_release(f->top, path, &fi);
    free(path);
    flag_set(&file->opened, false);
}

/* ---- volume ---- */

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *fs, FSP_FSCTL_VOLUME_INFO *VolumeInfo)
{
    struct fuse *f = enter(fs);
    struct statvfs sv;
    memset(&sv, 0, sizeof sv);
    memset(VolumeInfo, 0, sizeof *VolumeInfo);
    if (f->top->op.statfs) {
        int err = fuse_fs_statfs(f->top, "/", &sv);
        if (err < 0)
            return st_err(err);
    }
    UINT64 bsize = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
    VolumeInfo->TotalSize = (UINT64)sv.f_blocks * bsize;
    VolumeInfo->FreeSize = (UINT64)sv.f_bavail * bsize;
    if (f->volname) {
        PWSTR w = 0;
        if (NT_SUCCESS(FspPosixMapPosixToWindowsPathEx(f->volname, &w, FALSE))) {
            size_t n = wcslen(w);
            if (n > 32)
                n = 32;
            memcpy(VolumeInfo->VolumeLabel, w, n * sizeof(WCHAR));
            VolumeInfo->VolumeLabelLength = (UINT16)(n * sizeof(WCHAR));
            FspPosixDeletePath(w);
        }
    }
    return STATUS_SUCCESS;
}

static bool served_lookup(struct fuse *f, const char *path, struct stat *st);

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *fs, PWSTR FileName, PUINT32 PFileAttributes,
                                  PSECURITY_DESCRIPTOR SecurityDescriptor,
                                  SIZE_T *PSecurityDescriptorSize)
{
    struct fuse *f = enter(fs);
    char *path = posix_path(FileName);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct stat st = {0};
    int err = served_lookup(f, path, &st) ? 0 : get_stat(f, path, 0, &st);
    free(path);
    if (err)
        return st_err(err);
    if (PFileAttributes) {
        FSP_FSCTL_FILE_INFO info;
        info_from_stat(f, &st, &info, 0);
        *PFileAttributes = info.FileAttributes;
    }
    return sd_from_stat(&st, SecurityDescriptor, PSecurityDescriptorSize);
}

/* ---- create and open ---- */

/* A symlink or special file from the engine's reparse data (see src/engine/ops_namespace.c). */
static int create_special(struct fuse *f, const char *path, bool is_dir, UINT32 mode,
                          PVOID ExtraBuffer, ULONG ExtraLength)
{
    const REPARSE_DATA_BUFFER *rp = ExtraBuffer;
    if (is_dir || ExtraLength < REPARSE_DATA_BUFFER_HEADER_SIZE)
        return -EINVAL;
    if (IO_REPARSE_TAG_SYMLINK == rp->ReparseTag) {
        char *target = 0;
        int err;
        NTSTATUS ts = FspPosixGetSymlinkTarget(ExtraBuffer, ExtraLength, &target);
        if (!NT_SUCCESS(ts))
            err = STATUS_INSUFFICIENT_RESOURCES == ts ? -ENOMEM : -EINVAL;
        else if (!f->top->op.symlink)
            err = -EPERM;
        else
            err = fuse_fs_symlink(f->top, target, path);
        FspPosixDeletePath(target);
        return err;
    }
    if (IO_REPARSE_TAG_NFS != rp->ReparseTag)
        return -EINVAL;
    const UCHAR *d = rp->GenericReparseBuffer.DataBuffer;
    size_t dl = ExtraLength - REPARSE_DATA_BUFFER_HEADER_SIZE;
    UINT64 type = 0;
    UINT32 mm[2] = {0, 0};
    if (dl >= 8)
        memcpy(&type, d, 8);
    if (dl >= 16)
        memcpy(mm, d + 8, 8);
    mode_t fmt = NFS_SPECFILE_FIFO == type   ? S_IFIFO
                 : NFS_SPECFILE_SOCK == type ? S_IFSOCK
                 : NFS_SPECFILE_CHR == type  ? S_IFCHR
                 : NFS_SPECFILE_BLK == type  ? S_IFBLK
                                             : 0;
    if (!fmt)
        return -EINVAL;
    if (!f->top->op.mknod)
        return -EPERM;
    return fuse_fs_mknod(f->top, path, fmt | (mode & 07777), makedev(mm[0], mm[1]));
}

/*
 * A regular file: create with the kernel's flags when the caller is creat(2) (user), else made
 * and opened write-only, as libfuse makes a regular file mknod(2) asks for when the program has
 * create; without create, mknod (and an open for creat(2)).
 */
static int create_regular(struct fuse *f, struct fuse3_file *file, const char *path, UINT32 mode,
                          bool user)
{
    if (f->top->op.create) {
        struct fuse_file_info fi;
        memset(&fi, 0, sizeof fi);
        fi.flags = user ? file->open_flags : O_CREAT | O_EXCL | O_WRONLY;
        if (!user)
            file->open_flags = fi.flags;
        if (f->conf.direct_io)
            fi.direct_io = 1;
        int err = fuse_fs_create(f->top, path, (mode & 07777) | S_IFREG, &fi);
        if (err >= 0)
            file_opened(f, file, &fi);
        return err;
    }
    if (!f->top->op.mknod)
        return -ENOSYS;
    int err = fuse_fs_mknod(f->top, path, (mode & 07777) | S_IFREG, 0);
    if (err >= 0 && user) {
        err = file_open(f, file);
        if (err < 0 && f->top->op.unlink)
            fuse_fs_unlink(f->top, path);
    }
    return err;
}

/* Extended attributes given at creation (CreateEx's EA buffer): set one by one. */
static int create_set_eas(struct fuse *f, const char *path, PVOID ExtraBuffer)
{
    int err = 0;
    for (PFILE_FULL_EA_INFORMATION ea = ExtraBuffer; !err;) {
        if (ea->EaValueLength && f->top->op.setxattr)
            err = fuse_fs_setxattr(f->top, path, ea->EaName, ea->EaName + ea->EaNameLength + 1,
                                  ea->EaValueLength, 0);
        if (!ea->NextEntryOffset)
            break;
        ea = (PFILE_FULL_EA_INFORMATION)((char *)ea + ea->NextEntryOffset);
    }
    return err > 0 ? 0 : err;
}

static NTSTATUS create_common(struct fuse *f, char *path, UINT32 CreateOptions, UINT32 GrantedAccess,
                              PSECURITY_DESCRIPTOR SecurityDescriptor, PVOID ExtraBuffer,
                              ULONG ExtraLength, BOOLEAN ExtraBufferIsReparsePoint,
                              PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    UINT32 uid = tls_context.uid, gid = tls_context.gid, mode = 0777;
    bool is_dir = CreateOptions & FILE_DIRECTORY_FILE;
    if (SecurityDescriptor &&
        !NT_SUCCESS(FspPosixMapSecurityDescriptorToPermissions(SecurityDescriptor, &uid, &gid, &mode)))
        return STATUS_INVALID_SECURITY_DESCR;
    if (!SecurityDescriptor)
        mode = is_dir ? 0777 : 0666;
    int pflags = 0;
    bool user = posix_open(&pflags); /* creat(2) rather than mknod/mkdir/symlink/the engine's */
    struct fuse3_file *file = file_new(f, path, is_dir);
    if (!file)
        return STATUS_INSUFFICIENT_RESOURCES;
    file->open_flags = user ? pflags : flags_from_access(GrantedAccess);
    int err;
    if (ExtraBuffer && ExtraBufferIsReparsePoint)
        err = create_special(f, path, is_dir, mode, ExtraBuffer, ExtraLength);
    else if (is_dir)
        err = f->top->op.mkdir ? fuse_fs_mkdir(f->top, path, (mode & 07777) | S_IFDIR) : -ENOSYS;
    else
        err = create_regular(f, file, path, mode, user);
    if (err > 0)
        err = 0;
    if (!err && ExtraBuffer && !ExtraBufferIsReparsePoint)
        err = create_set_eas(f, path, ExtraBuffer);
    /* The new object's owner is the caller unless its security descriptor says otherwise
     * (a set-group-ID parent directory gives its group). */
    struct fuse_file_info fi;
    if (!err && SecurityDescriptor && f->top->op.chown &&
        (uid != tls_context.uid || gid != tls_context.gid)) {
        int cerr = fuse_fs_chown(f->top, path, uid != tls_context.uid ? uid : (uid_t)-1,
                                 gid != tls_context.gid ? gid : (gid_t)-1, file_fi(file, &fi));
        (void)cerr; /* the file exists: a file system that refuses keeps its own choice */
    }
    NTSTATUS status = st_err(err);
    if (NT_SUCCESS(status)) {
        struct stat st = {0};
        err = get_stat(f, path, file_fi(file, &fi), &st);
        status = st_err(err);
        if (NT_SUCCESS(status)) {
            info_from_stat(f, &st, FileInfo, nsec_of(FileInfo));
            file->is_dir = S_ISDIR(st.st_mode);
        }
    }
    if (!NT_SUCCESS(status)) {
        file_release(f, file);
        file_free(f, file);
        return status;
    }
    *PFileContext = file;
    return STATUS_SUCCESS;
}

static NTSTATUS CreateEx(FSP_FILE_SYSTEM *fs, PWSTR FileName, UINT32 CreateOptions,
                         UINT32 GrantedAccess, UINT32 FileAttributes,
                         PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
                         PVOID ExtraBuffer, ULONG ExtraLength, BOOLEAN ExtraBufferIsReparsePoint,
                         PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)FileAttributes, (void)AllocationSize;
    struct fuse *f = enter(fs);
    char *path = posix_path(FileName);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = create_common(f, path, CreateOptions, GrantedAccess, SecurityDescriptor,
                                    ExtraBuffer, ExtraLength, ExtraBufferIsReparsePoint,
                                    PFileContext, FileInfo);
    free(path);
    return status;
}

static NTSTATUS Create(FSP_FILE_SYSTEM *fs, PWSTR FileName, UINT32 CreateOptions,
                       UINT32 GrantedAccess, UINT32 FileAttributes,
                       PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
                       PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    return CreateEx(fs, FileName, CreateOptions, GrantedAccess, FileAttributes, SecurityDescriptor,
                    AllocationSize, 0, 0, FALSE, PFileContext, FileInfo);
}

static NTSTATUS Open(FSP_FILE_SYSTEM *fs, PWSTR FileName, UINT32 CreateOptions,
                     UINT32 GrantedAccess, PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)CreateOptions;
    struct fuse *f = enter(fs);
    int pflags = 0;
    bool user = posix_open(&pflags); /* open(2)/opendir(3) rather than the engine's own */
    char *path = posix_path(FileName);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct stat st = {0};
    int err = get_stat(f, path, 0, &st);
    if (err) {
        free(path);
        return st_err(err);
    }
    struct fuse3_file *file = file_new(f, path, S_ISDIR(st.st_mode));
    free(path);
    if (!file)
        return STATUS_INSUFFICIENT_RESOURCES;
    file->open_flags = user ? pflags : flags_from_access(GrantedAccess);
    if (user && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
        if (S_ISREG(st.st_mode) && (file->open_flags & O_TRUNC)) {
            if (f->atomic_o_trunc)
                file->truncated = true; /* open truncates (atomic_o_trunc): Overwrite has no more to do */
            else
                file->open_flags &= ~O_TRUNC; /* Overwrite truncates after the open (libfuse 2.9) */
        }
        err = file_open(f, file);
        if (err) {
            file_free(f, file);
            return st_err(err);
        }
    }
    info_from_stat(f, &st, FileInfo, nsec_of(FileInfo));
    *PFileContext = file;
    return STATUS_SUCCESS;
}

static NTSTATUS truncate_file(struct fuse *f, struct fuse3_file *file, UINT64 size)
{
    if (size > (UINT64)INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    if (!f->top->op.truncate)
        return st_err(-ENOSYS);
    char *path = file_path(f, file);
    if (!path && !flag_get(&file->removed))
        return STATUS_INSUFFICIENT_RESOURCES;
    /* With its handle when that can write (as ftruncate(2) needs); by name otherwise. */
    struct fuse_file_info fibuf, *fi = file_fi(file, &fibuf);
    if (fi && path && O_RDONLY == (fi->flags & O_ACCMODE))
        fi = 0;
    int err = path || fi ? fuse_fs_truncate(f->top, path, (off_t)size, fi) : -ENOENT;
    free(path);
    return st_err(err);
}

static NTSTATUS Overwrite(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT32 FileAttributes,
                          BOOLEAN ReplaceFileAttributes, UINT64 AllocationSize,
                          FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)FileAttributes, (void)ReplaceFileAttributes, (void)AllocationSize;
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    /*
     * The engine opens with Open and truncates with Overwrite right after it (open(2) with
     * O_TRUNC). libfuse (atomic_o_trunc) passes O_TRUNC to open and calls no truncate, and
     * a program may rely on that (e.g. open the file it keeps the data in with the flags it
     * gets, O_RDONLY | O_TRUNC included): Open gave the program's open the kernel's O_TRUNC,
     * so nothing is left to do. Should the open not have had it, the handle Open got is given
     * back and the file opened again with O_TRUNC. Without atomic_o_trunc (FUSE 2.9's
     * default) the file is truncated instead, as libfuse 2.9 does.
     */
    if (file->truncated) {
        file->truncated = false;
        return file_info(f, file, FileInfo, 0);
    }
    if (f->atomic_o_trunc && !file->is_dir && flag_get(&file->opened) && f->top->op.open) {
        pthread_mutex_lock(&f->open_lock);
        file_release(f, file);
        file->open_flags |= O_TRUNC;
        int err = file_open(f, file);
        file->open_flags &= ~O_TRUNC;
        pthread_mutex_unlock(&f->open_lock);
        if (err)
            return st_err(err);
        return file_info(f, file, FileInfo, 0);
    }
    struct stat st;
    NTSTATUS status = file_info(f, file, 0, &st);
    if (NT_SUCCESS(status) && S_ISREG(st.st_mode)) /* O_TRUNC is ignored on FIFOs and devices */
        status = truncate_file(f, file, 0);
    if (!NT_SUCCESS(status))
        return status;
    return file_info(f, file, FileInfo, 0);
}

/* ---- removal ---- */

/*
 * Give the open file at path a hidden name in its directory, as libfuse's hide_node: the
 * first ".fuse_hiddenXXXXXXXXYYYYYYYY" getattr does not find (10 tries), then
 * rename(path, hidden, 0). Its open contexts follow and unlink it at their last close.
 */
static int hide_path(struct fuse *f, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dl = (size_t)(slash - path);
    char *hidden = malloc(dl + 64);
    if (!hidden)
        return -ENOMEM;
    int err = -EBUSY;
    for (int attempt = 0; attempt < 10; attempt++) {
        pthread_mutex_lock(&f->lock);
        unsigned n = ++f->hidden_counter;
        pthread_mutex_unlock(&f->lock);
        snprintf(hidden, dl + 64, "%.*s/.fuse_hidden%08x%08x", (int)dl, path, n, (unsigned)getpid());
        struct stat st;
        int res = get_stat(f, hidden, 0, &st);
        if (0 == res)
            continue; /* taken: the next number */
        if (-ENOENT == res) {
            err = fuse_fs_rename(f->top, path, hidden, 0);
            if (err > 0)
                err = 0;
        }
        break;
    }
    if (!err) {
        paths_renamed(f, path, hidden);
        unsigned marked = 0;
        pthread_mutex_lock(&f->lock);
        for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next)
            if (!x->closing && x->path && 0 == strcmp(x->path, hidden)) {
                flag_set(&x->unlink_on_close, true);
                marked++;
            }
        pthread_mutex_unlock(&f->lock);
        /* The last close came first (libfuse then keeps the hidden file for good): unlink it
         * now, as that close would have. */
        if (!marked && f->top->op.unlink)
            fuse_fs_unlink(f->top, hidden);
    }
    free(hidden);
    return err;
}

/* Remove path; an open file is renamed to a hidden name instead (unlinked at its last close). */
static int remove_path(struct fuse *f, struct fuse3_file *self, const char *path, bool is_dir)
{
    if (!is_dir && !f->conf.hard_remove && f->top->op.rename) {
        pthread_mutex_lock(&f->lock);
        bool busy = path_open_elsewhere(f, path, self);
        pthread_mutex_unlock(&f->lock);
        if (busy)
            return hide_path(f, path);
    }
    /* A directory open elsewhere lives on without a name: keep its attributes. */
    struct stat dir_st;
    bool ghost = false;
    if (is_dir) {
        pthread_mutex_lock(&f->lock);
        bool used = path_used_elsewhere(f, path, self);
        pthread_mutex_unlock(&f->lock);
        ghost = used && 0 == get_stat(f, path, 0, &dir_st) && S_ISDIR(dir_st.st_mode);
    }
    int err = is_dir ? (f->top->op.rmdir ? fuse_fs_rmdir(f->top, path) : -ENOSYS)
                     : (f->top->op.unlink ? fuse_fs_unlink(f->top, path) : -ENOSYS);
    if (err > 0)
        err = 0;
    if (!err)
        path_removed(f, path, ghost ? &dir_st : 0);
    return err;
}

static NTSTATUS CanDelete(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR FileName)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    char *path = posix_path(FileName);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (0 == strcmp(path, "/")) {
        free(path);
        return STATUS_ACCESS_DENIED;
    }
    int err = remove_path(f, file, path, file->is_dir);
    free(path);
    return st_err(err);
}

static VOID Cleanup(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR FileName, ULONG Flags)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    /* flush() runs at each close(2) (FlushDescriptor), not here */
    if (Flags & FspCleanupDelete) {
        /* Deleted in CanDelete normally (or hidden); this is a delete-on-close without it. The
         * outcome goes to the engine through the operation context (LinFsp extension). */
        NTSTATUS status = STATUS_SUCCESS;
        if (!flag_get(&file->removed) && !flag_get(&file->unlink_on_close)) {
            char *path = FileName ? posix_path(FileName) : file_path(f, file);
            status = path ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
            if (path) {
                pthread_mutex_lock(&f->lock);
                bool same = file->path && 0 == strcmp(file->path, path);
                pthread_mutex_unlock(&f->lock);
                if (same)
                    status = st_err(remove_path(f, file, path, file->is_dir));
                free(path);
            }
        }
        FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
        if (oc && oc->Response)
            oc->Response->IoStatus.Status = (UINT32)status;
    }
}

static VOID Close(FSP_FILE_SYSTEM *fs, PVOID FileContext)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    file_release(f, file);
    /* A hidden file: the others still open keep the hidden name (and unlink it at the last
     * close); the last one unlinks it. Decided under the lock, as hide_path marks. */
    char *path = 0;
    pthread_mutex_lock(&f->lock);
    file->closing = true;
    if (flag_get(&file->unlink_on_close) && file->path) {
        bool others = false;
        for (struct fuse3_file *x = f->files.next; x != &f->files; x = x->next)
            if (x != file && !x->closing && x->path && 0 == strcmp(x->path, file->path)) {
                flag_set(&x->unlink_on_close, true);
                others = true;
            }
        if (!others)
            path = strdup(file->path);
    }
    pthread_mutex_unlock(&f->lock);
    if (path && f->top->op.unlink)
        fuse_fs_unlink(f->top, path);
    free(path);
    file_free(f, file);
}

/* ---- data ---- */

static NTSTATUS Read(FSP_FILE_SYSTEM *fs, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                     ULONG Length, PULONG PBytesTransferred)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    *PBytesTransferred = 0;
    if (file->is_dir)
        return STATUS_FILE_IS_A_DIRECTORY;
    if (Offset > (UINT64)INT64_MAX)
        return STATUS_END_OF_FILE;
    int err = file_open_late(f, file);
    if (err)
        return st_err(err);
    char *path = file_path(f, file);
    struct fuse_file_info fi;
    int n = fuse_fs_read(f->top, path, Buffer, Length, (off_t)Offset, call_fi(file, &fi));
    free(path);
    if (n < 0)
        return st_err(n);
    if ((ULONG)n > Length) {
        fuse3_log_error("fuse: read returned %d bytes for a %u-byte request\n", n, Length);
        return STATUS_IO_DEVICE_ERROR;
    }
    *PBytesTransferred = (ULONG)n;
    return STATUS_SUCCESS;
}

static NTSTATUS Write(FSP_FILE_SYSTEM *fs, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                      ULONG Length, BOOLEAN WriteToEndOfFile, BOOLEAN ConstrainedIo,
                      PULONG PBytesTransferred, FSP_FSCTL_FILE_INFO *FileInfo)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    *PBytesTransferred = 0;
    if (file->is_dir)
        return STATUS_FILE_IS_A_DIRECTORY;
    int err = file_open_late(f, file);
    if (err)
        return st_err(err);
    if (WriteToEndOfFile || ConstrainedIo) {
        struct stat st = {0};
        NTSTATUS status = file_info(f, file, 0, &st);
        if (!NT_SUCCESS(status))
            return status;
        if (WriteToEndOfFile)
            Offset = (UINT64)st.st_size;
        else if (Offset >= (UINT64)st.st_size)
            return file_info(f, file, FileInfo, 0);
        else if (Offset + Length > (UINT64)st.st_size)
            Length = (ULONG)((UINT64)st.st_size - Offset);
    }
    if (Offset > (UINT64)INT64_MAX - Length)
        return STATUS_INVALID_PARAMETER;
    char *path = file_path(f, file);
    struct fuse_file_info fi;
    int n = fuse_fs_write(f->top, path, Buffer, Length, (off_t)Offset, call_fi(file, &fi));
    free(path);
    if (n < 0)
        return st_err(n);
    if ((ULONG)n > Length) {
        fuse3_log_error("fuse: write reported %d bytes for a %u-byte request\n", n, Length);
        return STATUS_IO_DEVICE_ERROR;
    }
    *PBytesTransferred = (ULONG)n;
    return file_info(f, file, FileInfo, 0);
}

static NTSTATUS Flush(FSP_FILE_SYSTEM *fs, PVOID FileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    if (!file)
        return STATUS_SUCCESS; /* the volume: nothing of ours to flush */
    if (flag_get(&file->opened)) {
        char *path = file_path(f, file);
        struct fuse_file_info fi;
        int err = file->is_dir ? fuse_fs_fsyncdir(f->top, path, 0, call_fi(file, &fi))
                               : fuse_fs_fsync(f->top, path, 0, call_fi(file, &fi));
        free(path);
        if (err < 0 && -ENOSYS != err)
            return st_err(err);
    }
    return file_info(f, file, FileInfo, 0);
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *fs, PVOID FileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    struct fuse *f = enter(fs);
    return file_info(f, FileContext, FileInfo, 0);
}

static NTSTATUS SetBasicInfo(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT32 FileAttributes,
                             UINT64 CreationTime, UINT64 LastAccessTime, UINT64 LastWriteTime,
                             UINT64 ChangeTime, FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)FileAttributes, (void)CreationTime, (void)ChangeTime;
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    if (LastAccessTime || LastWriteTime) {
        if (!f->top->op.utimens)
            return st_err(-ENOSYS);
        /* The times' nanoseconds below 100 ns come with the request (NanosecondTimes). */
        FSP_FSCTL_FILE_NSEC ns = {0, 0, 0, 0};
        FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
        if (oc && oc->Request && FspFsctlTransactSetInformationKind == oc->Request->Kind)
            ns = oc->Request->Req.SetInformation.Nsec;
        struct timespec tv[2];
        UINT64 times[2] = {LastAccessTime, LastWriteTime};
        UINT8 below[2] = {ns.LastAccessTime, ns.LastWriteTime};
        for (int i = 0; i < 2; i++) {
            if (!times[i]) {
                tv[i].tv_sec = 0;
                tv[i].tv_nsec = UTIME_OMIT;
            } else {
                UINT64 ut[2];
                FspPosixFileTimeToUnixTime(times[i], ut);
                tv[i].tv_sec = (time_t)(INT64)ut[0];
                tv[i].tv_nsec = (long)ut[1] + (below[i] > 99 ? 99 : below[i]);
            }
        }
        pthread_mutex_lock(&f->lock);
        struct fuse3_ghost *g = file->ghost;
        if (g) { /* a removed directory: only its descriptors see it */
            for (int i = 0; i < 2; i++)
                if (UTIME_OMIT != tv[i].tv_nsec)
                    *(i ? &g->st.st_mtim : &g->st.st_atim) = tv[i];
            clock_gettime(CLOCK_REALTIME, &g->st.st_ctim);
        }
        pthread_mutex_unlock(&f->lock);
        if (!g) {
            char *path = file_path(f, file);
            struct fuse_file_info fibuf, *fi = file_fi(file, &fibuf);
            int err = path || fi ? fuse_fs_utimens(f->top, path, tv, fi) : -ENOENT;
            free(path);
            if (err < 0)
                return st_err(err);
        }
    }
    return file_info(f, file, FileInfo, 0);
}

static NTSTATUS SetFileSize(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT64 NewSize,
                            BOOLEAN SetAllocationSize, FSP_FSCTL_FILE_INFO *FileInfo)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    NTSTATUS status = STATUS_SUCCESS;
    if (SetAllocationSize) {
        struct stat st = {0};
        status = file_info(f, file, 0, &st);
        if (!NT_SUCCESS(status))
            return status;
        if (NewSize < (UINT64)st.st_size)
            status = truncate_file(f, file, NewSize);
        else if (f->top->op.fallocate && NewSize <= (UINT64)INT64_MAX && flag_get(&file->opened)) {
            char *path = file_path(f, file);
            struct fuse_file_info fi;
            int err = fuse_fs_fallocate(f->top, path, 1 /* FALLOC_FL_KEEP_SIZE */, 0,
                                        (off_t)NewSize, call_fi(file, &fi));
            free(path);
            if (err < 0 && -ENOSYS != err && -EOPNOTSUPP != err)
                status = st_err(err);
        }
    } else
        status = truncate_file(f, file, NewSize);
    if (!NT_SUCCESS(status))
        return status;
    return file_info(f, file, FileInfo, 0);
}

/* fallocate(2): the program's fallocate with the mode as the kernel gave it (FSP_FALLOCATE_* are
 * Linux's FALLOC_FL_* values). Without one: EOPNOTSUPP, as libfuse answers. */
static NTSTATUS Fallocate(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT32 Mode, UINT64 Offset,
                          UINT64 Length, FSP_FSCTL_FILE_INFO *FileInfo)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    if (!f->top->op.fallocate || !flag_get(&file->opened))
        return STATUS_NOT_SUPPORTED;
    char *path = file_path(f, file);
    struct fuse_file_info fi;
    int err = fuse_fs_fallocate(f->top, path, (int)Mode, (off_t)Offset, (off_t)Length,
                                call_fi(file, &fi));
    free(path);
    if (-ENOSYS == err || -EOPNOTSUPP == err)
        return STATUS_NOT_SUPPORTED;
    if (err < 0)
        return st_err(err);
    return file_info(f, file, FileInfo, 0);
}

static NTSTATUS Rename(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR FileName, PWSTR NewFileName,
                       BOOLEAN ReplaceIfExists)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    if (!f->top->op.rename)
        return st_err(-ENOSYS);
    char *from = posix_path(FileName), *to = posix_path(NewFileName);
    if (!from || !to) {
        free(from), free(to);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    int err = 0;
    bool same = 0 == strcmp(from, to);
    struct stat dir_st;
    bool ghost = false;
    if (ReplaceIfExists && !same) {
        pthread_mutex_lock(&f->lock);
        bool busy = path_open_elsewhere(f, to, file), used = path_used_elsewhere(f, to, file);
        pthread_mutex_unlock(&f->lock);
        struct stat st = {0};
        if (used && 0 == get_stat(f, to, 0, &st)) {
            if (S_ISDIR(st.st_mode)) {
                /* An open directory about to be replaced lives on without a name. */
                dir_st = st;
                ghost = true;
            } else if (busy && !f->conf.hard_remove && f->top->op.rename)
                /* An open file about to be replaced keeps its data under a hidden name. */
                (void)hide_path(f, to); /* best effort: the rename replaces it anyway */
        }
    }
    err = fuse_fs_rename(f->top, from, to, ReplaceIfExists ? 0 : RENAME_NOREPLACE);
    if (err > 0)
        err = 0;
    if (!err && !same) {
        path_removed(f, to, ghost ? &dir_st : 0);
        paths_renamed(f, from, to);
    }
    free(from), free(to);
    return st_err(err);
}

/* RENAME_EXCHANGE (LinFsp extension): the program's rename with the flag, as libfuse passes it. */
static NTSTATUS RenameExchange(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR FileName,
                               PWSTR NewFileName)
{
    (void)FileContext;
    struct fuse *f = enter(fs);
    if (!f->top->op.rename)
        return st_err(-EINVAL); /* what the kernel answers when a file system cannot exchange */
    char *from = posix_path(FileName), *to = posix_path(NewFileName);
    if (!from || !to) {
        free(from), free(to);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    int err = fuse_fs_rename(f->top, from, to, RENAME_EXCHANGE);
    if (err > 0)
        err = 0;
    if (!err)
        paths_exchanged(f, from, to);
    free(from), free(to);
    return st_err(err);
}

/* ---- security ---- */

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *fs, PVOID FileContext,
                            PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T *PSecurityDescriptorSize)
{
    struct fuse *f = enter(fs);
    struct stat st = {0};
    NTSTATUS status = file_info(f, FileContext, 0, &st);
    if (!NT_SUCCESS(status))
        return status;
    return sd_from_stat(&st, SecurityDescriptor, PSecurityDescriptorSize);
}

static NTSTATUS SetSecurity(FSP_FILE_SYSTEM *fs, PVOID FileContext,
                            SECURITY_INFORMATION SecurityInformation,
                            PSECURITY_DESCRIPTOR ModificationDescriptor)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    struct stat st = {0};
    NTSTATUS status = file_info(f, file, 0, &st);
    if (!NT_SUCCESS(status))
        return status;
    PSECURITY_DESCRIPTOR cur = 0, merged = 0;
    status = FspPosixMapPermissionsToSecurityDescriptor(st.st_uid, st.st_gid, st.st_mode & 07777, &cur);
    if (!NT_SUCCESS(status))
        return status;
    status = FspSetSecurityDescriptor(cur, SecurityInformation, ModificationDescriptor, &merged);
    FspDeleteSecurityDescriptor(cur, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    if (!NT_SUCCESS(status))
        return status;
    UINT32 uid, gid, mode;
    status = FspPosixMapSecurityDescriptorToPermissions(merged, &uid, &gid, &mode);
    FspDeleteSecurityDescriptor(merged, (NTSTATUS(*)())FspSetSecurityDescriptor);
    if (!NT_SUCCESS(status))
        return status;
    pthread_mutex_lock(&f->lock);
    struct fuse3_ghost *g = file->ghost;
    if (g) { /* a removed directory: only its descriptors see it */
        g->st.st_mode = (g->st.st_mode & S_IFMT) | (mode & 07777);
        g->st.st_uid = uid;
        g->st.st_gid = gid;
        clock_gettime(CLOCK_REALTIME, &g->st.st_ctim);
    }
    pthread_mutex_unlock(&f->lock);
    if (g)
        return STATUS_SUCCESS;
    char *path = file_path(f, file);
    if (!path && !flag_get(&file->removed))
        return STATUS_INSUFFICIENT_RESOURCES;
    struct fuse_file_info fibuf, *fi = file_fi(file, &fibuf);
    if (!path && !fi)
        return st_err(-ENOENT);
    int err = 0;
    if ((mode & 07777) != (st.st_mode & 07777))
        err = f->top->op.chmod ? fuse_fs_chmod(f->top, path, (st.st_mode & S_IFMT) | (mode & 07777), fi) : -ENOSYS;
    if (err >= 0 && (uid != st.st_uid || gid != st.st_gid))
        err = f->top->op.chown ? fuse_fs_chown(f->top, path, uid != st.st_uid ? uid : (uid_t)-1,
                                          gid != st.st_gid ? gid : (gid_t)-1, fi)
                           : -ENOSYS;
    free(path);
    return st_err(err);
}

/* ---- directories ---- */

/*
 * A listing is what the program's readdir gave, kept in the program's order with the names in
 * one arena (libfuse sorts nothing either): ReadDirectory from the start (no marker) calls
 * readdir again, and each batch goes on from a cursor, the entry after the last one served
 * (the marker the engine sends back is that entry's name; any other marker is looked for,
 * from the cursor back first). Records (name conversion, attributes) are made only for the
 * entries a batch carries.
 *
 * readdir's filler only collects the entries: a program may hold a lock of its own while it
 * calls the filler (sshfs's directory cache does), and libfuse's filler never calls back into
 * the program. An entry readdir gave without a stat (its type unknown) is asked for with
 * getattr when it goes into a batch.
 *
 * READDIRPLUS gives an entry its attributes only where libfuse 3.14 does: the filler gave it
 * with an offset, a stat and FUSE_FILL_DIR_PLUS. Every other entry goes with
 * FSP_FSCTL_DIR_INFO_NAME_ONLY (nodeid 0 in the reply: the kernel enters nothing and looks it
 * up when a caller needs it), without a getattr when the filler gave its type.
 *
 * The engine takes the attributes of every batch as current (it asks again, with a marker,
 * for READDIRPLUS at an offset). libfuse serves later batches with the attributes of its
 * fill, whatever happened since. Here they are served as filled only while no call that may
 * change a file's attributes went to the program since the fill (f->changes, read before
 * readdir is called); otherwise the entries served get fresh attributes from getattr.
 */
enum { ENTRY_NO_STAT, ENTRY_TYPE_STAT, ENTRY_FULL_STAT };

struct listing_entry {
    uint32_t name; /* offset in names (NUL terminated) */
    uint8_t kind;  /* ENTRY_FULL_STAT: st with FUSE_FILL_DIR_PLUS; ENTRY_TYPE_STAT: a stat
                      without it, its file type used if getattr fails; ENTRY_NO_STAT */
    bool attrs;    /* READDIRPLUS gives its attributes: ENTRY_FULL_STAT given with an offset */
    struct stat st;
};

struct fuse3_listing {
    pthread_mutex_t lock; /* the program's readdir and getattr are called with it held */
    struct listing_entry *e;
    size_t n, cap;
    char *names;
    size_t names_len, names_cap;
    size_t cursor;    /* the entry after the last one served */
    uint64_t changes; /* f->changes before the fill */
    bool filled;      /* readdir filled it (a marker may come first: the engine kept a listing) */
};

/* A spare listing kept for the next directory opened when no larger than this. */
#define LISTING_SPARE_MAX (1024 * 1024)

void fuse3_listing_free(struct fuse3_listing *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l->e);
    free(l->names);
    free(l);
}

/* A listing for file (the spare one of f when there is one); NULL when out of memory. */
static struct fuse3_listing *listing_of(struct fuse *f, struct fuse3_file *file)
{
    struct fuse3_listing *l = __atomic_load_n(&file->listing, __ATOMIC_ACQUIRE);
    if (l)
        return l;
    l = __atomic_exchange_n(&f->spare_listing, (struct fuse3_listing *)0, __ATOMIC_ACQ_REL);
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l)
            return 0;
        pthread_mutex_init(&l->lock, 0);
    }
    l->n = l->names_len = l->cursor = 0;
    l->filled = false;
    /* Two threads may race to give the file its first one: keep the first. */
    struct fuse3_listing *none = 0;
    if (!__atomic_compare_exchange_n(&file->listing, &none, l, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        fuse3_listing_free(l);
        l = none;
    }
    return l;
}

/* The file is freed: keep its listing's memory for the next directory opened (not too much). */
static void listing_release(struct fuse *f, struct fuse3_file *file)
{
    struct fuse3_listing *l = file->listing;
    file->listing = 0;
    if (!l)
        return;
    if (l->cap * sizeof *l->e + l->names_cap > LISTING_SPARE_MAX) {
        fuse3_listing_free(l);
        return;
    }
    fuse3_listing_free(__atomic_exchange_n(&f->spare_listing, l, __ATOMIC_ACQ_REL));
}

/* Room for more elements of size elem in an array; false when out of memory or too large. */
static bool array_room(void **base, size_t *cap, size_t len, size_t more, size_t elem)
{
    if (len + more <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < len + more)
        ncap *= 2;
    if (ncap > UINT32_MAX) /* names are found by 32-bit offsets */
        return false;
    void *p = realloc(*base, ncap * elem);
    if (!p)
        return false;
    *base = p;
    *cap = ncap;
    return true;
}

/*
 * The owners of the entries this thread's ReadDirectory just served. For the READDIRPLUS
 * reply it builds from a batch, the engine asks each new entry's owner and mode with
 * GetSecurityByName in the same request (FSP_FSCTL_TRANSACT_REQ.Hint: the kernel's unique id
 * of the request, never reused on a connection). Those are answered from the attributes the
 * entry was just served with (the program's readdir gave them, or getattr in listing_serve),
 * as libfuse answers READDIRPLUS from its filler: no getattr per entry. Any other request
 * (another Hint) finds no memo and asks getattr.
 */
struct served_entry {
    uint32_t name; /* offset in names (NUL terminated) */
    uint32_t uid, gid, mode;
};

struct served_batch {
    struct fuse *f;
    UINT64 hint;     /* 0: nothing kept */
    char *dir;       /* the directory's path (POSIX) */
    struct served_entry *e;
    size_t n, cap, next; /* next: where the next look-up starts (the engine asks in order) */
    char *names;
    size_t names_len, names_cap;
};

static pthread_key_t served_key;
static pthread_once_t served_once = PTHREAD_ONCE_INIT;
static bool served_key_ok;

static void served_free(void *p)
{
    struct served_batch *b = p;
    if (!b)
        return;
    free(b->dir);
    free(b->e);
    free(b->names);
    free(b);
}

static void served_key_init(void)
{
    served_key_ok = 0 == pthread_key_create(&served_key, served_free);
}

/* The current request's Hint (0: none). */
static UINT64 request_hint(void)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    return oc && oc->Request ? oc->Request->Hint : 0;
}

/* The thread's memo for entries of dir served now (kept when the same request served an
 * earlier batch of the same directory, else emptied); NULL: none (no request, out of memory). */
static struct served_batch *served_begin(struct fuse *f, const char *dir)
{
    UINT64 hint = request_hint();
    pthread_once(&served_once, served_key_init);
    if (!hint || !dir || !served_key_ok)
        return 0;
    struct served_batch *b = pthread_getspecific(served_key);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b || 0 != pthread_setspecific(served_key, b)) {
            free(b);
            return 0;
        }
    }
    if (b->hint == hint && b->f == f && b->dir && 0 == strcmp(b->dir, dir))
        return b;
    b->hint = 0;
    b->n = b->names_len = b->next = 0;
    free(b->dir);
    b->dir = strdup(dir);
    if (!b->dir)
        return 0;
    b->f = f;
    b->hint = hint;
    return b;
}

static void served_add(struct served_batch *b, const char *name, const struct stat *st)
{
    size_t len = strlen(name);
    if (!b->hint || !array_room((void **)&b->e, &b->cap, b->n, 1, sizeof *b->e) ||
        !array_room((void **)&b->names, &b->names_cap, b->names_len, len + 1, 1))
        return; /* not kept: GetSecurityByName asks getattr */
    struct served_entry *e = &b->e[b->n++];
    e->name = (uint32_t)b->names_len;
    memcpy(b->names + b->names_len, name, len + 1);
    b->names_len += len + 1;
    e->uid = (uint32_t)st->st_uid, e->gid = (uint32_t)st->st_gid, e->mode = (uint32_t)st->st_mode;
}

/* The owner, group and mode path was served with in the current request; false: not kept. */
static bool served_lookup(struct fuse *f, const char *path, struct stat *st)
{
    UINT64 hint = request_hint();
    if (!hint || !served_key_ok)
        return false;
    struct served_batch *b = pthread_getspecific(served_key);
    if (!b || b->hint != hint || b->f != f)
        return false;
    size_t dl = strlen(b->dir);
    if (1 == dl && '/' == b->dir[0])
        dl = 0;
    if (0 != strncmp(path, b->dir, dl) || '/' != path[dl])
        return false;
    const char *name = path + dl + 1;
    for (size_t k = 0; k < b->n; k++) {
        size_t i = (b->next + k) % b->n;
        if (0 == strcmp(b->names + b->e[i].name, name)) {
            b->next = i + 1 < b->n ? i + 1 : 0;
            memset(st, 0, sizeof *st);
            st->st_uid = (uid_t)b->e[i].uid;
            st->st_gid = (gid_t)b->e[i].gid;
            st->st_mode = (mode_t)b->e[i].mode;
            return true;
        }
    }
    return false;
}

struct fill_ctx {
    const char *dirpath;
    struct fuse3_listing *l;
    bool oom;
};

static int fill_dir(void *buf, const char *name, const struct stat *stbuf, off_t off,
                    enum fuse_fill_dir_flags flags)
{
    struct fill_ctx *c = buf;
    if (c->oom)
        return 1;
    if (!name || !name[0])
        return 0;
    size_t len = strlen(name);
    if ((1 == len && '.' == name[0]) || (2 == len && '.' == name[0] && '.' == name[1]))
        return 0;
    if (len > 255 || memchr(name, '/', len)) {
        fuse3_log_error("fuse: readdir(%s) returned an invalid name \"%s\"; skipped\n", c->dirpath, name);
        return 0;
    }
    struct fuse3_listing *l = c->l;
    if (!array_room((void **)&l->e, &l->cap, l->n, 1, sizeof *l->e) ||
        !array_room((void **)&l->names, &l->names_cap, l->names_len, len + 1, 1)) {
        c->oom = true;
        return 1;
    }
    struct listing_entry *e = &l->e[l->n++];
    e->name = (uint32_t)l->names_len;
    memcpy(l->names + l->names_len, name, len + 1);
    l->names_len += len + 1;
    if (stbuf && (stbuf->st_mode & S_IFMT)) {
        e->st = *stbuf;
        e->kind = (flags & FUSE_FILL_DIR_PLUS) ? ENTRY_FULL_STAT : ENTRY_TYPE_STAT;
    } else
        e->kind = ENTRY_NO_STAT;
    e->attrs = ENTRY_FULL_STAT == e->kind && 0 != off;
    return 0;
}

/* Fill l from the program's readdir (l->lock held). */
static int list_dir(struct fuse *f, struct fuse3_file *file, const char *path, struct fuse3_listing *l)
{
    l->n = l->names_len = l->cursor = 0;
    if (!f->top->op.readdir)
        return -ENOSYS;
    int err = file_open_late(f, file);
    if (err)
        return err;
    struct fill_ctx c = {path, l, false};
    struct fuse_file_info fi;
    err = fuse_fs_readdir(f->top, path, &c, fill_dir, 0, call_fi(file, &fi), FUSE_READDIR_PLUS);
    if (!err && c.oom)
        err = -ENOMEM;
    if (err < 0)
        l->n = l->names_len = 0;
    return err > 0 ? 0 : err;
}

/* The first entry after the one named marker (POSIX form): found from the cursor back, then
 * on; l->n (the listing ends) when no entry has that name. */
static size_t listing_after(const struct fuse3_listing *l, const char *marker)
{
    for (size_t i = l->cursor; i > 0; i--)
        if (0 == strcmp(l->names + l->e[i - 1].name, marker))
            return i;
    for (size_t i = l->cursor; i < l->n; i++)
        if (0 == strcmp(l->names + l->e[i].name, marker))
            return i + 1;
    return l->n;
}

/* The Windows form of a name (at most 255 bytes) into out, which has room for 256 WCHARs:
 * names of letters, digits, '-', '_', '.' and ' ' as they are (each maps to itself), others
 * through FspPosixMapPosixToWindowsPath. Its length, or -1 when out of memory. */
static size_t wide_name(const char *name, WCHAR *out)
{
    size_t i = 0;
    for (;; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!c)
            return i;
        if (!(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
              '-' == c || '_' == c || '.' == c || ' ' == c))
            break;
        out[i] = c;
    }
    PWSTR w = 0;
    if (!NT_SUCCESS(FspPosixMapPosixToWindowsPath(name, &w)))
        return (size_t)-1;
    size_t wl = wcslen(w);
    if (wl > 256)
        wl = 256; /* cannot be: one WCHAR at most per byte */
    memcpy(out, w, wl * sizeof(WCHAR));
    FspPosixDeletePath(w);
    return wl;
}

/*
 * Put the entries from index i on into Buffer as DIR_INFO records until it is full, and the
 * end marker when all are in; the cursor goes past the last one put. as_filled: the filler's
 * attributes are current (else getattr is asked, and they are used only when it fails).
 */
static void listing_serve(struct fuse *f, struct fuse3_file *file, struct fuse3_listing *l,
                          size_t i, bool as_filled, PVOID Buffer, ULONG Length,
                          PULONG PBytesTransferred)
{
    char *dir = 0, *child = 0;
    size_t dl = 0;
    bool no_path = false;
    /* one record, reused for every entry (a name has at most 255 bytes, so as many WCHARs) */
    union {
        FSP_FSCTL_DIR_INFO di;
        char bytes[sizeof(FSP_FSCTL_DIR_INFO) + 256 * sizeof(WCHAR)];
    } rec;
    bool full = false;
    /* what each entry is served with, kept for the engine's GetSecurityByName of this request */
    struct served_batch *memo = 0;
    bool memo_begun = false;
    if (i < l->n) {
        dir = file_path(f, file);
        dl = dir ? strlen(dir) : 0;
        no_path = !dir;
    }
    for (; i < l->n; i++) {
        struct listing_entry *e = &l->e[i];
        const char *name = l->names + e->name;
        struct stat st;
        bool have = false;
        /* attributes for READDIRPLUS: the filler's while current, else getattr's; a name
         * only: the filler's type, getattr only when it gave none */
        if (e->attrs ? !as_filled : ENTRY_NO_STAT == e->kind) {
            if (!child && !no_path) {
                child = malloc(dl + 258);
                no_path = !child;
            }
            if (child) {
                size_t pos = dl;
                memcpy(child, dir, dl);
                if (!(1 == dl && '/' == dir[0]))
                    child[pos++] = '/';
                strcpy(child + pos, name);
                have = 0 == get_stat(f, child, 0, &st);
            }
        }
        if (!have) {
            if (ENTRY_NO_STAT == e->kind)
                continue; /* gone meanwhile */
            st = e->st; /* listed but not stat-able: show what readdir said */
            if (ENTRY_FULL_STAT == e->kind) {
                if (f->conf.set_uid)
                    st.st_uid = f->conf.uid;
                if (f->conf.set_gid)
                    st.st_gid = f->conf.gid;
                if (f->conf.set_mode)
                    st.st_mode = (st.st_mode & S_IFMT) | (0777 & ~f->conf.umask);
            }
        }
        FSP_FSCTL_DIR_INFO *di = &rec.di;
        memset(di, 0, sizeof *di);
        size_t wl = wide_name(name, di->FileNameBuf);
        if ((size_t)-1 == wl)
            break; /* out of memory: a short batch, the next one goes on from here */
        di->Size = (UINT16)(sizeof(FSP_FSCTL_DIR_INFO) + wl * sizeof(WCHAR));
        info_from_stat(f, &st, &di->FileInfo, &di->Nsec);
        if (!e->attrs)
            di->EntryFlags = FSP_FSCTL_DIR_INFO_NAME_ONLY;
        if (!FspFileSystemAddDirInfo(di, Buffer, Length, PBytesTransferred)) {
            full = true;
            break;
        }
        /* the owners of the entries served with attributes, for the engine's GetSecurityByName */
        if (e->attrs && !memo_begun) {
            memo = served_begin(f, dir);
            memo_begun = true;
        }
        if (memo && e->attrs)
            served_add(memo, name, &st);
    }
    l->cursor = i;
    if (!full && i == l->n)
        FspFileSystemAddDirInfo(0, Buffer, Length, PBytesTransferred);
    free(child);
    free(dir);
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR Pattern, PWSTR Marker,
                              PVOID Buffer, ULONG Length, PULONG PBytesTransferred)
{
    (void)Pattern;
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    *PBytesTransferred = 0;
    if (!file->is_dir)
        return STATUS_NOT_A_DIRECTORY;
    char *marker = 0;
    if (Marker && !NT_SUCCESS(FspPosixMapWindowsToPosixPath(Marker, &marker)))
        return STATUS_INSUFFICIENT_RESOURCES;
    struct fuse3_listing *l = listing_of(f, file);
    if (!l) {
        FspPosixDeletePath(marker);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_lock(&l->lock);
    bool fill = !marker || !l->filled;
    if (fill) {
        char *path = file_path(f, file);
        l->changes = __atomic_load_n(&f->changes, __ATOMIC_ACQUIRE);
        int err = path ? list_dir(f, file, path, l) : -ENOENT;
        free(path);
        l->filled = !err;
        if (err) {
            pthread_mutex_unlock(&l->lock);
            FspPosixDeletePath(marker);
            return st_err(err);
        }
    }
    size_t from = marker ? listing_after(l, marker) : 0;
    bool as_filled = fill || __atomic_load_n(&f->changes, __ATOMIC_ACQUIRE) == l->changes;
    listing_serve(f, file, l, from, as_filled, Buffer, Length, PBytesTransferred);
    pthread_mutex_unlock(&l->lock);
    FspPosixDeletePath(marker);
    return STATUS_SUCCESS;
}

/* ---- symlinks and special files ---- */

static NTSTATUS GetReparsePoint(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR FileName,
                                PVOID Buffer, PSIZE_T PSize)
{
    (void)FileName;
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    struct stat st = {0};
    NTSTATUS status = file_info(f, file, 0, &st);
    if (!NT_SUCCESS(status))
        return status;
    REPARSE_DATA_BUFFER *rp = 0;
    size_t size = 0;
    if (S_ISLNK(st.st_mode)) {
        if (!f->top->op.readlink)
            return st_err(-ENOSYS);
        char *target = malloc(FUSE3_SYMLINK_MAX + 1);
        char *path = file_path(f, file);
        if (!target || !path) {
            free(target), free(path);
            return target && flag_get(&file->removed) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
        }
        memset(target, 0, FUSE3_SYMLINK_MAX + 1);
        int err = fuse_fs_readlink(f->top, path, target, FUSE3_SYMLINK_MAX + 1);
        free(path);
        target[FUSE3_SYMLINK_MAX] = '\0';
        if (err < 0 || !target[0]) {
            free(target);
            if (!err)
                fuse3_log_error("fuse: readlink returned an empty target\n");
            return err < 0 ? st_err(err) : STATUS_IO_DEVICE_ERROR;
        }
        SIZE_T need = 0;
        status = FspPosixMakeSymlinkReparseData(target, 0, &need);
        if (STATUS_BUFFER_TOO_SMALL == status)
            status = (rp = calloc(1, need)) ? FspPosixMakeSymlinkReparseData(target, rp, &need)
                                            : STATUS_INSUFFICIENT_RESOURCES;
        free(target);
        if (!NT_SUCCESS(status)) {
            free(rp);
            return status;
        }
        size = need;
    } else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) ||
               S_ISBLK(st.st_mode)) {
        bool dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
        size_t dl = dev ? 16 : 8;
        size = REPARSE_DATA_BUFFER_HEADER_SIZE + dl;
        rp = calloc(1, size);
        if (!rp)
            return STATUS_INSUFFICIENT_RESOURCES;
        UINT64 type = S_ISFIFO(st.st_mode)   ? NFS_SPECFILE_FIFO
                      : S_ISSOCK(st.st_mode) ? NFS_SPECFILE_SOCK
                      : S_ISCHR(st.st_mode)  ? NFS_SPECFILE_CHR
                                             : NFS_SPECFILE_BLK;
        rp->ReparseTag = IO_REPARSE_TAG_NFS;
        rp->ReparseDataLength = (USHORT)dl;
        memcpy(rp->GenericReparseBuffer.DataBuffer, &type, 8);
        if (dev) {
            UINT32 mm[2] = {major(st.st_rdev), minor(st.st_rdev)};
            memcpy(rp->GenericReparseBuffer.DataBuffer + 8, mm, 8);
        }
    } else
        return STATUS_NOT_A_REPARSE_POINT;
    if (*PSize < size) {
        free(rp);
        *PSize = size;
        return STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(Buffer, rp, size);
    *PSize = size;
    free(rp);
    return STATUS_SUCCESS;
}

/* ---- hard links ---- */

static NTSTATUS CreateHardLink(FSP_FILE_SYSTEM *fs, PVOID FileContext, PWSTR FileName,
                               PWSTR NewFileName, FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)FileContext;
    struct fuse *f = enter(fs);
    if (!f->top->op.link)
        return st_err(-ENOSYS);
    if (!FileName)
        return st_err(-ENOENT); /* no name (only CreateUnnamed's files, which the layer has not) */
    char *from = posix_path(FileName), *to = posix_path(NewFileName);
    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    if (from && to) {
        int err = fuse_fs_link(f->top, from, to);
        status = st_err(err);
        if (NT_SUCCESS(status)) {
            struct stat st = {0};
            err = get_stat(f, to, 0, &st);
            status = st_err(err);
            if (NT_SUCCESS(status))
                info_from_stat(f, &st, FileInfo, nsec_of(FileInfo));
        }
    }
    free(from), free(to);
    return status;
}

/* ---- extended attributes ---- */

static NTSTATUS GetEa(FSP_FILE_SYSTEM *fs, PVOID FileContext, PFILE_FULL_EA_INFORMATION Ea,
                      ULONG EaLength, PULONG PBytesTransferred)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    *PBytesTransferred = 0;
    if (!f->top->op.listxattr || !f->top->op.getxattr) {
        FspFileSystemAddEa(0, Ea, EaLength, PBytesTransferred);
        return STATUS_SUCCESS;
    }
    char *path = file_path(f, file);
    if (!path)
        return flag_get(&file->removed) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = STATUS_SUCCESS;
    char *list = 0;
    FILE_FULL_EA_INFORMATION *single = 0;
    /* getxattr(2) of one name (LinFsp extension Req.QueryEa.Name): the program's getxattr of
     * that name alone, as libfuse calls it, with its error (e.g. EOPNOTSUPP) */
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    const char *want = oc && oc->Request && FspFsctlTransactQueryEaKind == oc->Request->Kind
                           ? oc->Request->Req.QueryEa.Name
                           : 0;
    if (want && strlen(want) <= 255) {
        single = malloc(sizeof(FILE_FULL_EA_INFORMATION) + 255 + 1 + 0x10000);
        size_t nl = strlen(want);
        int vl = single ? fuse_fs_getxattr(f->top, path, want, single->EaName + nl + 1, 0xffff)
                        : -ENOMEM;
        if (vl >= 0 && vl <= 0xffff) {
            single->NextEntryOffset = 0; /* the value is in place already: no memset */
            single->Flags = 0;
            single->EaNameLength = (UCHAR)nl;
            single->EaValueLength = (USHORT)vl;
            memcpy(single->EaName, want, nl + 1);
            if (!FspFileSystemAddEa(single, Ea, EaLength, PBytesTransferred))
                status = STATUS_BUFFER_OVERFLOW;
        } else if (vl < 0 && -ENODATA != vl && -ERANGE != vl)
            status = st_err(vl); /* ENODATA: absent; ERANGE: too large for an EA, not shown */
        if (NT_SUCCESS(status))
            FspFileSystemAddEa(0, Ea, EaLength, PBytesTransferred);
        free(single), free(path);
        return status;
    }
    int n = fuse_fs_listxattr(f->top, path, 0, 0);
    for (int attempt = 0; n > 0 && attempt < 4; attempt++) {
        free(list);
        list = malloc((size_t)n);
        if (!list) {
            n = -ENOMEM;
            break;
        }
        int m = fuse_fs_listxattr(f->top, path, list, (size_t)n);
        if (-ERANGE == m) {
            n = fuse_fs_listxattr(f->top, path, 0, 0);
            continue;
        }
        if (m > n) {
            fuse3_log_error("fuse: listxattr returned more than asked\n");
            m = -EIO;
        }
        n = m;
        break;
    }
    if (n < 0) {
        status = st_err(n); /* ENOTSUP and all: the caller's listxattr(2) fails the same way */
        n = 0;
    }
    /* One record at a time, the value read in place (only when there are attributes). */
    if (n > 0 && !(single = malloc(sizeof(FILE_FULL_EA_INFORMATION) + 255 + 1 + 0x10000)))
        status = STATUS_INSUFFICIENT_RESOURCES;
    for (int pos = 0; NT_SUCCESS(status) && pos < n;) {
        const char *name = list + pos;
        size_t nl = strnlen(name, (size_t)(n - pos));
        pos += (int)nl + 1;
        if (0 == nl || nl > 255)
            continue;
        if ((size_t)(pos - 1) >= (size_t)n) /* not NUL-terminated */
            break;
        memset(single, 0, sizeof *single);
        memcpy(single->EaName, name, nl + 1);
        int vl = fuse_fs_getxattr(f->top, path, name, single->EaName + nl + 1, 0xffff);
        if (vl < 0) /* gone meanwhile, too large or failing: not shown */
            continue;
        if (vl > 0xffff)
            continue;
        single->EaNameLength = (UCHAR)nl;
        single->EaValueLength = (USHORT)vl;
        if (!FspFileSystemAddEa(single, Ea, EaLength, PBytesTransferred))
            status = STATUS_BUFFER_OVERFLOW;
    }
    if (NT_SUCCESS(status))
        FspFileSystemAddEa(0, Ea, EaLength, PBytesTransferred);
    free(single), free(list), free(path);
    return status;
}

struct set_ea_ctx {
    struct fuse *f;
    const char *path;
};

static NTSTATUS set_one_ea(FSP_FILE_SYSTEM *fs, PVOID Context, PFILE_FULL_EA_INFORMATION SingleEa)
{
    (void)fs;
    struct set_ea_ctx *c = Context;
    int err;
    /* EaValueLength 0 deletes, unless it is an empty value (VolumeParams.EmptyEaValues). */
    if (0 == SingleEa->EaValueLength && !(SingleEa->Flags & FSP_FSCTL_EA_EMPTY_VALUE)) {
        err = c->f->top->op.removexattr ? fuse_fs_removexattr(c->f->top, c->path, SingleEa->EaName) : -ENOTSUP;
        if (-ENODATA == err)
            err = 0;
    } else
        err = c->f->top->op.setxattr ? fuse_fs_setxattr(c->f->top, c->path, SingleEa->EaName,
                                                      SingleEa->EaName + SingleEa->EaNameLength + 1,
                                                      SingleEa->EaValueLength, 0)
                                 : -ENOTSUP;
    return st_err(err);
}

static NTSTATUS SetEa(FSP_FILE_SYSTEM *fs, PVOID FileContext, PFILE_FULL_EA_INFORMATION Ea,
                      ULONG EaLength, FSP_FSCTL_FILE_INFO *FileInfo)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    char *path = file_path(f, file);
    if (!path)
        return flag_get(&file->removed) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
    struct set_ea_ctx c = {f, path};
    NTSTATUS status = FspFileSystemEnumerateEa(fs, set_one_ea, &c, Ea, EaLength);
    free(path);
    if (!NT_SUCCESS(status))
        return status;
    return file_info(f, file, FileInfo, 0);
}

/* ---- LinFsp extensions: what the kernel sends, as it sends it ---- */

/* The path and per-call fi of an open file for an operation that needs a FUSE handle. */
static int open_file_path(struct fuse *f, struct fuse3_file *file, char **ppath)
{
    *ppath = file_path(f, file);
    if (!*ppath && !flag_get(&file->removed))
        return -ENOMEM;
    return 0;
}

/* chmod(2)/chown(2): chmod, then chown, as libfuse's setattr calls them, even for no change. */
static NTSTATUS SetPosixSecurity(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT32 Which, UINT32 Uid,
                                 UINT32 Gid, UINT32 Mode)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    pthread_mutex_lock(&f->lock);
    struct fuse3_ghost *g = file->ghost;
    if (g) { /* a removed directory: only its descriptors see it */
        if (Which & FSP_FSCTL_POSIX_SET_MODE)
            g->st.st_mode = (g->st.st_mode & S_IFMT) | (Mode & 07777);
        if (Which & FSP_FSCTL_POSIX_SET_UID)
            g->st.st_uid = Uid;
        if (Which & FSP_FSCTL_POSIX_SET_GID)
            g->st.st_gid = Gid;
        clock_gettime(CLOCK_REALTIME, &g->st.st_ctim);
    }
    pthread_mutex_unlock(&f->lock);
    if (g)
        return STATUS_SUCCESS;
    char *path;
    int err = open_file_path(f, file, &path);
    struct fuse_file_info fibuf, *fi = file_fi(file, &fibuf);
    if (!err && !path && !fi)
        err = -ENOENT;
    if (!err && (Which & FSP_FSCTL_POSIX_SET_MODE)) {
        mode_t mode = Mode;
        if (!(mode & S_IFMT)) { /* the kernel sends the type bits; be safe without them */
            struct stat st;
            if (0 == get_stat(f, path, fi, &st))
                mode |= st.st_mode & S_IFMT;
        }
        err = fuse_fs_chmod(f->top, path, mode, fi);
    }
    if (err >= 0 && (Which & (FSP_FSCTL_POSIX_SET_UID | FSP_FSCTL_POSIX_SET_GID)))
        err = fuse_fs_chown(f->top, path, (Which & FSP_FSCTL_POSIX_SET_UID) ? Uid : (uid_t)-1,
                            (Which & FSP_FSCTL_POSIX_SET_GID) ? Gid : (gid_t)-1, fi);
    free(path);
    return st_err(err);
}

/*
 * close(2) of a descriptor: flush(), then the owner's POSIX locks go (libfuse's flush: lock
 * F_UNLCK over the whole file), as on every FUSE_FLUSH.
 */
static NTSTATUS FlushDescriptor(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT64 LockOwner)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    if (!flag_get(&file->opened) || file->is_dir)
        return STATUS_SUCCESS;
    char *path;
    int err = open_file_path(f, file, &path);
    if (err)
        return st_err(err);
    struct fuse_file_info fi;
    call_fi(file, &fi);
    fi.lock_owner = LockOwner;
    fi.flush = 1;
    err = fuse_fs_flush(f->top, path, &fi);
    if (f->top->op.lock) {
        struct flock lock;
        memset(&lock, 0, sizeof lock);
        lock.l_type = F_UNLCK;
        lock.l_whence = SEEK_SET;
        call_fi(file, &fi);
        fi.lock_owner = LockOwner;
        fi.flush = 1;
        fuse_fs_lock(f->top, path, &fi, F_SETLK, &lock);
    }
    free(path);
    return -ENOSYS == err ? STATUS_SUCCESS : st_err(err);
}

static NTSTATUS PosixLock(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT32 Command, UINT64 LockOwner,
                          FSP_FSCTL_POSIX_LOCK *Lock)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    if (Lock->Start > (UINT64)INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    char *path;
    int err = open_file_path(f, file, &path);
    if (err)
        return st_err(err);
    struct flock lock;
    memset(&lock, 0, sizeof lock);
    lock.l_type = (short)Lock->Type;
    lock.l_whence = SEEK_SET;
    lock.l_start = (off_t)Lock->Start;
    lock.l_len = Lock->End >= (UINT64)INT64_MAX ? 0 : (off_t)(Lock->End - Lock->Start + 1);
    lock.l_pid = (pid_t)Lock->Pid;
    struct fuse_file_info fi;
    call_fi(file, &fi);
    fi.lock_owner = LockOwner;
    err = fuse_fs_lock(f->top, path, &fi, (int)Command, &lock);
    free(path);
    if (err)
        return st_err(err);
    if (F_GETLK == Command) {
        Lock->Type = (UINT32)lock.l_type;
        Lock->Pid = F_UNLCK == lock.l_type ? 0 : (UINT32)lock.l_pid;
        Lock->Start = F_UNLCK == lock.l_type ? 0 : (UINT64)lock.l_start;
        Lock->End = F_UNLCK == lock.l_type ? 0
                    : lock.l_len > 0      ? (UINT64)(lock.l_start + lock.l_len - 1)
                                          : (UINT64)INT64_MAX; /* OFFSET_MAX: to the end */
    }
    return STATUS_SUCCESS;
}

static NTSTATUS Flock(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT64 LockOwner, UINT32 Operation)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    char *path;
    int err = open_file_path(f, file, &path);
    if (err)
        return st_err(err);
    struct fuse_file_info fi;
    call_fi(file, &fi);
    fi.lock_owner = LockOwner;
    if (LOCK_UN == (Operation & ~(UINT32)LOCK_NB))
        fi.flock_release = 1;
    err = fuse_fs_flock(f->top, path, &fi, (int)Operation);
    free(path);
    return st_err(err);
}

/* ioctl(2): one buffer holds the input and receives the output, as libfuse gives it. */
static NTSTATUS Ioctl(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT32 Command, UINT32 Flags,
                      UINT64 Argument, PVOID InputBuffer, ULONG InputLength, PVOID OutputBuffer,
                      ULONG OutputLength, PINT32 PResult)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    *PResult = 0;
    if (Flags & FUSE_IOCTL_COMPAT)
        return st_err(-ENOSYS);
    if ((Flags & FUSE_IOCTL_DIR) && !(f->conn_want & FUSE_CAP_IOCTL_DIR))
        return st_err(-ENOTTY);
    char *path;
    int err = open_file_path(f, file, &path);
    if (err)
        return st_err(err);
    size_t size = InputLength > OutputLength ? InputLength : OutputLength;
    void *data = size ? calloc(1, size) : 0;
    if (size && !data) {
        free(path);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (InputLength)
        memcpy(data, InputBuffer, InputLength);
    struct fuse_file_info fi;
    err = fuse_fs_ioctl(f->top, path, Command, (void *)(uintptr_t)Argument, call_fi(file, &fi),
                        Flags, data);
    free(path);
    if (err >= 0 && OutputLength)
        memcpy(OutputBuffer, data, OutputLength);
    free(data);
    if (err < 0)
        return st_err(err);
    *PResult = err;
    return STATUS_SUCCESS;
}

static NTSTATUS Poll(FSP_FILE_SYSTEM *fs, PVOID FileContext, UINT64 PollHandle, UINT32 Events,
                     PUINT32 PRevents)
{
    struct fuse *f = enter(fs);
    struct fuse3_file *file = FileContext;
    *PRevents = 0;
    char *path;
    int err = open_file_path(f, file, &path);
    if (err)
        return st_err(err);
    struct fuse_pollhandle *ph = 0;
    if (PollHandle) {
        ph = malloc(sizeof *ph);
        if (!ph) {
            free(path);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        ph->kh = PollHandle;
        ph->fs = fs;
    }
    struct fuse_file_info fi;
    call_fi(file, &fi);
    fi.poll_events = Events;
    unsigned revents = 0;
    err = fuse_fs_poll(f->top, path, &fi, ph, &revents); /* ph is the program's now */
    free(path);
    if (err)
        return st_err(err);
    *PRevents = revents;
    return STATUS_SUCCESS;
}

static NTSTATUS Access(FSP_FILE_SYSTEM *fs, PWSTR FileName, UINT32 Mask)
{
    struct fuse *f = enter(fs);
    char *path = posix_path(FileName);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    int err = fuse_fs_access(f->top, path, (int)Mask);
    free(path);
    return st_err(err);
}

/* The volume went away (unmounted from outside, connection aborted): fuse_loop returns. */
static VOID DispatcherStopped(FSP_FILE_SYSTEM *fs, BOOLEAN Normally)
{
    struct fuse *f = fs->UserContext;
    if (!Normally) {
        __atomic_store_n(&f->se.exited, 1, __ATOMIC_RELEASE);
        fuse3_session_wake(&f->se);
    }
}

const FSP_FILE_SYSTEM_INTERFACE fuse3_interface = {
    .GetVolumeInfo = GetVolumeInfo,
    .GetSecurityByName = GetSecurityByName,
    .Create = Create,
    .Open = Open,
    .Overwrite = Overwrite,
    .Cleanup = Cleanup,
    .Close = Close,
    .Read = Read,
    .Write = Write,
    .Flush = Flush,
    .GetFileInfo = GetFileInfo,
    .SetBasicInfo = SetBasicInfo,
    .SetFileSize = SetFileSize,
    .CanDelete = CanDelete,
    .Rename = Rename,
    .GetSecurity = GetSecurity,
    .SetSecurity = SetSecurity,
    .ReadDirectory = ReadDirectory,
    .GetReparsePoint = GetReparsePoint,
    .CreateEx = CreateEx,
    .GetEa = GetEa,
    .SetEa = SetEa,
    .CreateHardLink = CreateHardLink,
    .RenameExchange = RenameExchange,
    .DispatcherStopped = DispatcherStopped,
    .Fallocate = Fallocate,
    .SetPosixSecurity = SetPosixSecurity,
    .FlushDescriptor = FlushDescriptor,
    .PosixLock = PosixLock,
    .Flock = Flock,
    .Ioctl = Ioctl,
    .Poll = Poll,
    .Access = Access,
};

void fuse3_interface_for(struct fuse *f)
{
    const struct fuse_operations *o = &f->top->op;
    f->intf = fuse3_interface;
    /* What the program lacks the engine answers as libfuse would (ENOSYS, or the kernel
     * keeps the locks itself); init may turn locks off with conn->want. */
    if (!o->lock || (f->inited && !(f->conn_want & FUSE_CAP_POSIX_LOCKS)))
        f->intf.PosixLock = 0;
    if (!o->flock || (f->inited && !(f->conn_want & FUSE_CAP_FLOCK_LOCKS)))
        f->intf.Flock = 0;
    if (!o->flush && !f->intf.PosixLock)
        f->intf.FlushDescriptor = 0;
    if (!o->ioctl)
        f->intf.Ioctl = 0;
    if (!o->poll)
        f->intf.Poll = 0;
    if (!o->access)
        f->intf.Access = 0;
}
