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
 *   changes, unlink, rename) as well as for open(2). open()/opendir() are
 *   called only for opens that can transfer data (read/write/list access
 *   together with SYNCHRONIZE, which the engine asks for open(2) and
 *   opendir(3) only); the others need no FUSE handle. A context without
 *   one gets it on first use (read, write, readdir).
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

static NTSTATUS st_err(int err) /* err: a negative errno from the file system */
{
    if (err >= 0)
        return STATUS_SUCCESS;
    if (err < -4095) {
        fuse3_log_error("fuse: operation returned an impossible error %d\n", err);
        return STATUS_IO_DEVICE_ERROR;
    }
    return FspNtStatusFromErrno(-err);
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

static void file_free(struct fuse *f, struct fuse3_file *file)
{
    pthread_mutex_lock(&f->lock);
    file->prev->next = file->next;
    file->next->prev = file->prev;
    if (file->ghost && 0 == --file->ghost->refs)
        free(file->ghost);
    file->ghost = 0;
    pthread_mutex_unlock(&f->lock);
    FspFileSystemDeleteDirectoryBuffer(&file->dir_buffer);
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
    pthread_mutex_unlock(&f->lock);
    if (g && 0 == g->refs)
        free(g);
}

/*
 * The handle a path operation gets with its path, as libfuse gives it: the file's own
 * (from open or create) for regular files; never a directory's (opendir's handle is for
 * readdir, fsyncdir and releasedir only: libfuse passes fi to getattr, chmod, chown,
 * utimens and truncate only from FUSE_GETATTR_FH / FATTR_FH, which the kernel sends for
 * regular files).
 */
static struct fuse_file_info *file_fi(struct fuse3_file *file)
{
    return !file->is_dir && flag_get(&file->opened) ? &file->fi : 0;
}

/* ---- attributes ---- */

static int get_stat(struct fuse *f, const char *path, struct fuse_file_info *fi, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (!f->ops.getattr)
        return -ENOSYS;
    if (!path && !fi)
        return -ENOENT; /* removed, and no handle to reach it by (libfuse: ESTALE) */
    int err = f->ops.getattr(path, st, fi);
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

static void info_from_stat(struct fuse *f, const struct stat *st, FSP_FSCTL_FILE_INFO *info)
{
    memset(info, 0, sizeof *info);
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
    info->CreationTime = filetime_of(&st->st_mtim);
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
        int err = get_stat(f, path, file_fi(file), &st);
        free(path);
        if (err)
            return st_err(err);
    }
    /* Unlinked while open, it lives on under a hidden name: that name is not one of its links. */
    if (flag_get(&file->unlink_on_close) && st.st_nlink > 0)
        st.st_nlink--;
    if (info)
        info_from_stat(f, &st, info);
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

/* Does an open with this access transfer data (open(2)/opendir(3)), rather than serve the engine? */
static bool data_access(UINT32 GrantedAccess)
{
    return (GrantedAccess & (FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
           (GrantedAccess & SYNCHRONIZE);
}

static int flags_from_access(UINT32 GrantedAccess)
{
    bool r = GrantedAccess & FILE_READ_DATA, w = GrantedAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA);
    int flags = r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY;
    if ((GrantedAccess & FILE_APPEND_DATA) && !(GrantedAccess & FILE_WRITE_DATA))
        flags |= O_APPEND;
    return flags;
}

/* Give the file its FUSE handle (open/opendir) unless it has one. */
static int file_open(struct fuse *f, struct fuse3_file *file)
{
    if (flag_get(&file->opened))
        return 0;
    char *path = file_path(f, file);
    if (!path)
        return flag_get(&file->removed) ? -ENOENT : -ENOMEM;
    int err = 0;
    memset(&file->fi, 0, sizeof file->fi);
    file->fi.flags = file->open_flags;
    if (file->is_dir) {
        file->fi.flags = O_RDONLY | O_DIRECTORY;
        if (f->ops.opendir)
            err = f->ops.opendir(path, &file->fi);
    } else {
        if (f->conf.direct_io)
            file->fi.direct_io = 1;
        if (f->ops.open)
            err = f->ops.open(path, &file->fi);
    }
    free(path);
    if (err > 0)
        err = 0;
    if (!err)
        flag_set(&file->opened, true);
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
    if (file->is_dir) {
        if (f->ops.releasedir)
            f->ops.releasedir(path, &file->fi);
    } else if (f->ops.release)
        f->ops.release(path, &file->fi);
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
    if (f->ops.statfs) {
        int err = f->ops.statfs("/", &sv);
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

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *fs, PWSTR FileName, PUINT32 PFileAttributes,
                                  PSECURITY_DESCRIPTOR SecurityDescriptor,
                                  SIZE_T *PSecurityDescriptorSize)
{
    struct fuse *f = enter(fs);
    char *path = posix_path(FileName);
    if (!path)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct stat st = {0};
    int err = get_stat(f, path, 0, &st);
    free(path);
    if (err)
        return st_err(err);
    if (PFileAttributes) {
        FSP_FSCTL_FILE_INFO info;
        info_from_stat(f, &st, &info);
        *PFileAttributes = info.FileAttributes;
    }
    return sd_from_stat(&st, SecurityDescriptor, PSecurityDescriptorSize);
}

/* ---- create and open ---- */

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
    struct fuse3_file *file = file_new(f, path, is_dir);
    if (!file)
        return STATUS_INSUFFICIENT_RESOURCES;
    file->open_flags = flags_from_access(GrantedAccess);
    int err = 0;
    if (ExtraBuffer && ExtraBufferIsReparsePoint) {
        /* A symlink or special file (see src/engine/ops_namespace.c). */
        const REPARSE_DATA_BUFFER *rp = ExtraBuffer;
        size_t hdr = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer);
        if (is_dir || ExtraLength < REPARSE_DATA_BUFFER_HEADER_SIZE)
            err = -EINVAL;
        else if (IO_REPARSE_TAG_SYMLINK == rp->ReparseTag) {
            size_t off = rp->SymbolicLinkReparseBuffer.SubstituteNameOffset;
            size_t len = rp->SymbolicLinkReparseBuffer.SubstituteNameLength;
            if (ExtraLength < hdr || hdr + off + len > ExtraLength || (off | len) % sizeof(WCHAR))
                err = -EINVAL;
            else if (!f->ops.symlink)
                err = -EPERM;
            else {
                PWSTR w = malloc(len + sizeof(WCHAR));
                char *target = 0;
                if (!w)
                    err = -ENOMEM;
                else {
                    memcpy(w, (const char *)rp->SymbolicLinkReparseBuffer.PathBuffer + off, len);
                    w[len / sizeof(WCHAR)] = 0;
                    if (!NT_SUCCESS(FspPosixMapWindowsToPosixPath(w, &target)))
                        err = -ENOMEM;
                    else {
                        err = f->ops.symlink(target, path);
                        FspPosixDeletePath(target);
                    }
                    free(w);
                }
            }
        } else if (IO_REPARSE_TAG_NFS == rp->ReparseTag) {
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
                err = -EINVAL;
            else if (!f->ops.mknod)
                err = -EPERM;
            else
                err = f->ops.mknod(path, fmt | (mode & 07777), makedev(mm[0], mm[1]));
        } else
            err = -EINVAL;
    } else if (is_dir) {
        err = f->ops.mkdir ? f->ops.mkdir(path, (mode & 07777) | S_IFDIR) : -ENOSYS;
    } else if (f->ops.create && (data_access(GrantedAccess) || !f->ops.mknod)) {
        memset(&file->fi, 0, sizeof file->fi);
        file->fi.flags = file->open_flags | O_CREAT | O_EXCL;
        if (f->conf.direct_io)
            file->fi.direct_io = 1;
        err = f->ops.create(path, (mode & 07777) | S_IFREG, &file->fi);
        if (err >= 0)
            flag_set(&file->opened, true);
    } else if (f->ops.mknod) {
        err = f->ops.mknod(path, (mode & 07777) | S_IFREG, 0);
        if (err >= 0 && data_access(GrantedAccess)) {
            err = file_open(f, file);
            if (err < 0 && f->ops.unlink)
                f->ops.unlink(path);
        }
    } else
        err = -ENOSYS;
    if (err > 0)
        err = 0;
    if (!err && ExtraBuffer && !ExtraBufferIsReparsePoint) {
        /* Extended attributes given at creation: set them one by one. */
        for (PFILE_FULL_EA_INFORMATION ea = ExtraBuffer; !err;) {
            if (ea->EaValueLength && f->ops.setxattr)
                err = f->ops.setxattr(path, ea->EaName, ea->EaName + ea->EaNameLength + 1,
                                      ea->EaValueLength, 0);
            if (!ea->NextEntryOffset)
                break;
            ea = (PFILE_FULL_EA_INFORMATION)((char *)ea + ea->NextEntryOffset);
        }
        if (err > 0)
            err = 0;
    }
    /* The new object's owner is the caller unless its security descriptor says otherwise
     * (a set-group-ID parent directory gives its group). */
    if (!err && SecurityDescriptor && f->ops.chown &&
        (uid != tls_context.uid || gid != tls_context.gid)) {
        int cerr = f->ops.chown(path, uid != tls_context.uid ? uid : (uid_t)-1,
                                gid != tls_context.gid ? gid : (gid_t)-1, file_fi(file));
        (void)cerr; /* the file exists: a file system that refuses keeps its own choice */
    }
    NTSTATUS status = st_err(err);
    if (NT_SUCCESS(status)) {
        struct stat st = {0};
        err = get_stat(f, path, file_fi(file), &st);
        status = st_err(err);
        if (NT_SUCCESS(status)) {
            info_from_stat(f, &st, FileInfo);
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
    file->open_flags = flags_from_access(GrantedAccess);
    if (data_access(GrantedAccess) && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
        err = file_open(f, file);
        if (err) {
            file_free(f, file);
            return st_err(err);
        }
    }
    info_from_stat(f, &st, FileInfo);
    *PFileContext = file;
    return STATUS_SUCCESS;
}

static NTSTATUS truncate_file(struct fuse *f, struct fuse3_file *file, UINT64 size)
{
    if (size > (UINT64)INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    if (!f->ops.truncate)
        return st_err(-ENOSYS);
    char *path = file_path(f, file);
    if (!path && !flag_get(&file->removed))
        return STATUS_INSUFFICIENT_RESOURCES;
    /* With its handle when that can write (as ftruncate(2) needs); by name otherwise. */
    struct fuse_file_info *fi = file_fi(file);
    if (fi && path && O_RDONLY == (fi->flags & O_ACCMODE))
        fi = 0;
    int err = path || fi ? f->ops.truncate(path, (off_t)size, fi) : -ENOENT;
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
     * gets, O_RDONLY | O_TRUNC included): the handle Open got is given back and the file
     * opened again with O_TRUNC. Without atomic_o_trunc (FUSE 2.9's default) the file is
     * truncated instead, as libfuse 2.9 does.
     */
    if (f->atomic_o_trunc && !file->is_dir && flag_get(&file->opened) && f->ops.open) {
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
            err = f->ops.rename(path, hidden, 0);
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
        if (!marked && f->ops.unlink)
            f->ops.unlink(hidden);
    }
    free(hidden);
    return err;
}

/* Remove path; an open file is renamed to a hidden name instead (unlinked at its last close). */
static int remove_path(struct fuse *f, struct fuse3_file *self, const char *path, bool is_dir)
{
    if (!is_dir && !f->conf.hard_remove && f->ops.rename) {
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
    int err = is_dir ? (f->ops.rmdir ? f->ops.rmdir(path) : -ENOSYS)
                     : (f->ops.unlink ? f->ops.unlink(path) : -ENOSYS);
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
    if (flag_get(&file->opened) && !file->is_dir && f->ops.flush) {
        char *path = file_path(f, file);
        file->fi.flush = 1;
        f->ops.flush(path, &file->fi);
        file->fi.flush = 0;
        free(path);
    }
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
    if (path && f->ops.unlink)
        f->ops.unlink(path);
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
    int n;
    if (f->ops.read)
        n = f->ops.read(path, Buffer, Length, (off_t)Offset, &file->fi);
    else if (f->ops.read_buf) {
        struct fuse_bufvec *bv = 0;
        n = f->ops.read_buf(path, &bv, Length, (off_t)Offset, &file->fi);
        if (n >= 0 && bv) {
            struct fuse_bufvec dst = FUSE_BUFVEC_INIT(Length);
            dst.buf[0].mem = Buffer;
            n = (int)fuse_buf_copy(&dst, bv, 0);
        }
        if (bv) {
            for (size_t i = 0; i < bv->count; i++)
                if (!(bv->buf[i].flags & FUSE_BUF_IS_FD))
                    free(bv->buf[i].mem);
            free(bv);
        }
    } else
        n = -ENOSYS;
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
    int n;
    if (f->ops.write)
        n = f->ops.write(path, Buffer, Length, (off_t)Offset, &file->fi);
    else if (f->ops.write_buf) {
        struct fuse_bufvec bv = FUSE_BUFVEC_INIT(Length);
        bv.buf[0].mem = Buffer;
        n = f->ops.write_buf(path, &bv, (off_t)Offset, &file->fi);
    } else
        n = -ENOSYS;
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
        int err = 0;
        if (file->is_dir && f->ops.fsyncdir)
            err = f->ops.fsyncdir(path, 0, &file->fi);
        else if (!file->is_dir && f->ops.fsync)
            err = f->ops.fsync(path, 0, &file->fi);
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
        if (!f->ops.utimens)
            return st_err(-ENOSYS);
        struct timespec tv[2];
        UINT64 times[2] = {LastAccessTime, LastWriteTime};
        for (int i = 0; i < 2; i++) {
            if (!times[i]) {
                tv[i].tv_sec = 0;
                tv[i].tv_nsec = UTIME_OMIT;
            } else {
                UINT64 ut[2];
                FspPosixFileTimeToUnixTime(times[i], ut);
                tv[i].tv_sec = (time_t)(INT64)ut[0];
                tv[i].tv_nsec = (long)ut[1];
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
            struct fuse_file_info *fi = file_fi(file);
            int err = path || fi ? f->ops.utimens(path, tv, fi) : -ENOENT;
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
        else if (f->ops.fallocate && NewSize <= (UINT64)INT64_MAX && flag_get(&file->opened)) {
            char *path = file_path(f, file);
            int err = f->ops.fallocate(path, 1 /* FALLOC_FL_KEEP_SIZE */, 0, (off_t)NewSize,
                                       &file->fi);
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
    if (!f->ops.fallocate || !flag_get(&file->opened))
        return STATUS_NOT_SUPPORTED;
    char *path = file_path(f, file);
    int err = f->ops.fallocate(path, (int)Mode, (off_t)Offset, (off_t)Length, &file->fi);
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
    if (!f->ops.rename)
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
            } else if (busy && !f->conf.hard_remove && f->ops.rename)
                /* An open file about to be replaced keeps its data under a hidden name. */
                (void)hide_path(f, to); /* best effort: the rename replaces it anyway */
        }
    }
    err = f->ops.rename(from, to, ReplaceIfExists ? 0 : RENAME_NOREPLACE);
    if (err > 0)
        err = 0;
    if (!err && !same) {
        path_removed(f, to, ghost ? &dir_st : 0);
        paths_renamed(f, from, to);
    }
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
    struct fuse_file_info *fi = file_fi(file);
    if (!path && !fi)
        return st_err(-ENOENT);
    int err = 0;
    if ((mode & 07777) != (st.st_mode & 07777))
        err = f->ops.chmod ? f->ops.chmod(path, (st.st_mode & S_IFMT) | (mode & 07777), fi) : -ENOSYS;
    if (err >= 0 && (uid != st.st_uid || gid != st.st_gid))
        err = f->ops.chown ? f->ops.chown(path, uid != st.st_uid ? uid : (uid_t)-1,
                                          gid != st.st_gid ? gid : (gid_t)-1, fi)
                           : -ENOSYS;
    free(path);
    return st_err(err);
}

/* ---- directories ---- */

struct fill_ctx {
    struct fuse *f;
    const char *dirpath;
    PVOID *dir_buffer;
    NTSTATUS status;
    bool plus;
    bool any; /* CanDelete: an entry other than . and .. seen */
};

static int fill_dir(void *buf, const char *name, const struct stat *stbuf, off_t off,
                    enum fuse_fill_dir_flags flags)
{
    (void)off;
    struct fill_ctx *c = buf;
    if (!NT_SUCCESS(c->status))
        return 1;
    if (!name || !name[0] || 0 == strcmp(name, ".") || 0 == strcmp(name, ".."))
        return 0;
    if (strchr(name, '/') || strlen(name) > 255) {
        fuse3_log_error("fuse: readdir(%s) returned an invalid name \"%s\"; skipped\n", c->dirpath, name);
        return 0;
    }
    c->any = true;
    if (!c->dir_buffer)
        return 0;
    struct stat st = {0};
    if (stbuf && (flags & FUSE_FILL_DIR_PLUS) && (stbuf->st_mode & S_IFMT)) {
        st = *stbuf;
        if (c->f->conf.set_uid)
            st.st_uid = c->f->conf.uid;
        if (c->f->conf.set_gid)
            st.st_gid = c->f->conf.gid;
        if (c->f->conf.set_mode)
            st.st_mode = (st.st_mode & S_IFMT) | (0777 & ~c->f->conf.umask);
    } else {
        size_t dl = strlen(c->dirpath), nl = strlen(name);
        char *child = malloc(dl + nl + 2);
        if (!child) {
            c->status = STATUS_INSUFFICIENT_RESOURCES;
            return 1;
        }
        memcpy(child, c->dirpath, dl);
        size_t pos = dl;
        if (!(1 == dl && '/' == c->dirpath[0]))
            child[pos++] = '/';
        memcpy(child + pos, name, nl + 1);
        int err = get_stat(c->f, child, 0, &st);
        free(child);
        if (err) {
            if (stbuf && (stbuf->st_mode & S_IFMT))
                st = *stbuf; /* listed but not stat-able: show what readdir said */
            else
                return 0; /* gone meanwhile */
        }
    }
    PWSTR w = 0;
    if (!NT_SUCCESS(FspPosixMapPosixToWindowsPath(name, &w))) {
        c->status = STATUS_INSUFFICIENT_RESOURCES;
        return 1;
    }
    size_t wl = wcslen(w);
    size_t size = sizeof(FSP_FSCTL_DIR_INFO) + wl * sizeof(WCHAR);
    FSP_FSCTL_DIR_INFO *di = calloc(1, size);
    if (!di) {
        FspPosixDeletePath(w);
        c->status = STATUS_INSUFFICIENT_RESOURCES;
        return 1;
    }
    di->Size = (UINT16)size;
    info_from_stat(c->f, &st, &di->FileInfo);
    memcpy(di->FileNameBuf, w, wl * sizeof(WCHAR));
    FspPosixDeletePath(w);
    NTSTATUS status;
    if (!FspFileSystemFillDirectoryBuffer(c->dir_buffer, di, &status))
        c->status = NT_SUCCESS(status) ? STATUS_INSUFFICIENT_RESOURCES : status;
    free(di);
    return NT_SUCCESS(c->status) ? 0 : 1;
}

static int list_dir(struct fuse *f, struct fuse3_file *file, const char *path, struct fill_ctx *c)
{
    if (!f->ops.readdir)
        return -ENOSYS;
    int err = file_open_late(f, file);
    if (err)
        return err;
    err = f->ops.readdir(path, c, fill_dir, 0, &file->fi, c->plus ? FUSE_READDIR_PLUS : 0);
    return err > 0 ? 0 : err;
}

/*
 * The listing is read once (when asked from the start) and then served in
 * batches; the engine takes the attributes of every batch as current (it
 * asks again, with a marker, for READDIRPLUS at an offset). Entries served
 * from an earlier fill get fresh attributes from getattr.
 */
static void refresh_entries(struct fuse *f, struct fuse3_file *file, PVOID Buffer, ULONG bytes)
{
    char *dir = file_path(f, file);
    if (!dir)
        return;
    size_t dl = strlen(dir);
    for (ULONG pos = 0; pos + sizeof(UINT16) <= bytes;) {
        FSP_FSCTL_DIR_INFO *di = (FSP_FSCTL_DIR_INFO *)((char *)Buffer + pos);
        if (di->Size < sizeof *di || di->Size > bytes - pos)
            break;
        size_t nchars = (di->Size - sizeof *di) / sizeof(WCHAR);
        PWSTR w = malloc((nchars + 1) * sizeof(WCHAR));
        char *name = 0;
        if (w) {
            memcpy(w, di->FileNameBuf, nchars * sizeof(WCHAR));
            w[nchars] = 0;
            if (NT_SUCCESS(FspPosixMapWindowsToPosixPath(w, &name))) {
                char *child = malloc(dl + strlen(name) + 2);
                if (child) {
                    sprintf(child, "%s%s%s", dir, 1 == dl ? "" : "/", name);
                    struct stat st = {0};
                    if (0 == get_stat(f, child, 0, &st))
                        info_from_stat(f, &st, &di->FileInfo);
                    free(child);
                }
                FspPosixDeletePath(name);
            }
            free(w);
        }
        pos += (di->Size + 7) & ~7u;
    }
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
    NTSTATUS status = STATUS_SUCCESS;
    if (FspFileSystemAcquireDirectoryBuffer(&file->dir_buffer, 0 == Marker, &status)) {
        char *path = file_path(f, file);
        struct fill_ctx c = {f, path ? path : "", &file->dir_buffer, STATUS_SUCCESS, true, false};
        int err = path ? list_dir(f, file, path, &c) : -ENOENT;
        FspFileSystemReleaseDirectoryBuffer(&file->dir_buffer);
        free(path);
        if (err)
            return st_err(err);
        if (!NT_SUCCESS(c.status))
            return c.status;
    }
    if (!NT_SUCCESS(status))
        return status;
    FspFileSystemReadDirectoryBuffer(&file->dir_buffer, Marker, Buffer, Length, PBytesTransferred);
    if (Marker)
        refresh_entries(f, file, Buffer, *PBytesTransferred);
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
        if (!f->ops.readlink)
            return st_err(-ENOSYS);
        char *target = malloc(FUSE3_SYMLINK_MAX + 1);
        char *path = file_path(f, file);
        if (!target || !path) {
            free(target), free(path);
            return target && flag_get(&file->removed) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
        }
        memset(target, 0, FUSE3_SYMLINK_MAX + 1);
        int err = f->ops.readlink(path, target, FUSE3_SYMLINK_MAX + 1);
        free(path);
        target[FUSE3_SYMLINK_MAX] = '\0';
        if (err < 0 || !target[0]) {
            free(target);
            if (!err)
                fuse3_log_error("fuse: readlink returned an empty target\n");
            return err < 0 ? st_err(err) : STATUS_IO_DEVICE_ERROR;
        }
        PWSTR w = 0;
        status = FspPosixMapPosixToWindowsPath(target, &w);
        bool relative = '/' != target[0];
        free(target);
        if (!NT_SUCCESS(status))
            return status;
        size_t bytes = wcslen(w) * sizeof(WCHAR);
        size_t hdr = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer);
        size_t pbytes = hdr + 2 * bytes > MAXIMUM_REPARSE_DATA_BUFFER_SIZE ? 0 : bytes;
        size = hdr + bytes + pbytes;
        if (size > MAXIMUM_REPARSE_DATA_BUFFER_SIZE || !(rp = calloc(1, size))) {
            FspPosixDeletePath(w);
            return size > MAXIMUM_REPARSE_DATA_BUFFER_SIZE ? STATUS_NAME_TOO_LONG
                                                           : STATUS_INSUFFICIENT_RESOURCES;
        }
        rp->ReparseTag = IO_REPARSE_TAG_SYMLINK;
        rp->ReparseDataLength = (USHORT)(size - REPARSE_DATA_BUFFER_HEADER_SIZE);
        rp->SymbolicLinkReparseBuffer.SubstituteNameOffset = 0;
        rp->SymbolicLinkReparseBuffer.SubstituteNameLength = (USHORT)bytes;
        rp->SymbolicLinkReparseBuffer.PrintNameOffset = (USHORT)bytes;
        rp->SymbolicLinkReparseBuffer.PrintNameLength = (USHORT)pbytes;
        rp->SymbolicLinkReparseBuffer.Flags = relative ? SYMLINK_FLAG_RELATIVE : 0;
        memcpy(rp->SymbolicLinkReparseBuffer.PathBuffer, w, bytes);
        memcpy((char *)rp->SymbolicLinkReparseBuffer.PathBuffer + bytes, w, pbytes);
        FspPosixDeletePath(w);
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
    if (!f->ops.link)
        return st_err(-EPERM);
    char *from = posix_path(FileName), *to = posix_path(NewFileName);
    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    if (from && to) {
        int err = f->ops.link(from, to);
        status = st_err(err);
        if (NT_SUCCESS(status)) {
            struct stat st = {0};
            err = get_stat(f, to, 0, &st);
            status = st_err(err);
            if (NT_SUCCESS(status))
                info_from_stat(f, &st, FileInfo);
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
    if (!f->ops.listxattr || !f->ops.getxattr) {
        FspFileSystemAddEa(0, Ea, EaLength, PBytesTransferred);
        return STATUS_SUCCESS;
    }
    char *path = file_path(f, file);
    if (!path)
        return flag_get(&file->removed) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = STATUS_SUCCESS;
    char *list = 0, *value = 0;
    FILE_FULL_EA_INFORMATION *single = 0;
    int n = f->ops.listxattr(path, 0, 0);
    for (int attempt = 0; n > 0 && attempt < 4; attempt++) {
        free(list);
        list = malloc((size_t)n);
        if (!list) {
            n = -ENOMEM;
            break;
        }
        int m = f->ops.listxattr(path, list, (size_t)n);
        if (-ERANGE == m) {
            n = f->ops.listxattr(path, 0, 0);
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
        status = -ENOTSUP == n || -ENOSYS == n ? STATUS_SUCCESS : st_err(n);
        n = 0;
    }
    single = malloc(sizeof(FILE_FULL_EA_INFORMATION) + 255 + 1 + 0x10000);
    value = malloc(0x10000);
    if (!single || !value)
        status = STATUS_INSUFFICIENT_RESOURCES;
    for (int pos = 0; NT_SUCCESS(status) && pos < n;) {
        const char *name = list + pos;
        size_t nl = strnlen(name, (size_t)(n - pos));
        pos += (int)nl + 1;
        if (0 == nl || nl > 255)
            continue;
        if ((size_t)(pos - 1) >= (size_t)n) /* not NUL-terminated */
            break;
        int vl = f->ops.getxattr(path, name, value, 0xffff);
        if (vl <= 0) /* gone meanwhile, empty, too large or failing: not shown */
            continue;
        if (vl > 0xffff)
            continue;
        memset(single, 0, sizeof *single);
        single->EaNameLength = (UCHAR)nl;
        single->EaValueLength = (USHORT)vl;
        memcpy(single->EaName, name, nl + 1);
        memcpy(single->EaName + nl + 1, value, (size_t)vl);
        if (!FspFileSystemAddEa(single, Ea, EaLength, PBytesTransferred))
            status = STATUS_BUFFER_OVERFLOW;
    }
    if (NT_SUCCESS(status))
        FspFileSystemAddEa(0, Ea, EaLength, PBytesTransferred);
    free(single), free(value), free(list), free(path);
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
    if (0 == SingleEa->EaValueLength) {
        err = c->f->ops.removexattr ? c->f->ops.removexattr(c->path, SingleEa->EaName) : -ENOTSUP;
        if (-ENODATA == err)
            err = 0;
    } else
        err = c->f->ops.setxattr ? c->f->ops.setxattr(c->path, SingleEa->EaName,
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
    .DispatcherStopped = DispatcherStopped,
    .Fallocate = Fallocate,
};
