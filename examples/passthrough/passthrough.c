/*
 * examples/passthrough/passthrough.c - PASSTHROUGH: a directory of the Linux
 * file system served through LinFsp's native API (WinFsp's passthrough and
 * ntptfs samples, for Linux).
 *
 *     passthrough -p SOURCE_DIR -m MOUNTPOINT [-d DebugFlags] [-D DebugLogFile]
 *                 [-t FileInfoTimeout] [-u \Server\Share] [-o MountOptions] [-P[0|1]]
 *
 * What is kept, both ways:
 * - owner, group and mode (including S_ISUID, S_ISGID, S_ISVTX): the security
 *   descriptor of a file is FspPosixMapPermissionsToSecurityDescriptor of its
 *   stat(2); SetSecurity maps the new descriptor back and applies it with
 *   fchownat(2) and fchmod(2);
 * - times to the nanosecond (FILETIME and the LinFsp extension
 *   VolumeParams.NanosecondTimes), set with utimensat(2); the creation time is
 *   the birth time when the source reports one;
 * - extended attributes as EAs (listxattr/getxattr/setxattr/removexattr),
 *   empty values included (VolumeParams.EmptyEaValues);
 * - symlinks as IO_REPARSE_TAG_SYMLINK reparse points (readlinkat/symlinkat),
 *   FIFOs, sockets and devices as IO_REPARSE_TAG_NFS reparse points (mknodat),
 *   in the formats the engine uses;
 * - hard links (CreateHardLink -> linkat; HardLinks = st_nlink, IndexNumber =
 *   st_ino); POSIX rename (renameat2, RENAME_NOREPLACE, RENAME_EXCHANGE through
 *   the LinFsp extension RenameExchange) and unlink (Cleanup deletes the name,
 *   open descriptors keep working); O_TMPFILE (CreateUnnamed) as O_TMPFILE in
 *   the source directory.
 *
 * Confinement: every name is resolved relative to an O_PATH descriptor of the
 * source directory with openat2(2) and RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS; "." and ".." components are refused outright. No
 * symlink inside the source is ever followed by the passthrough: operations on
 * a name (create, mkdir, mknod, symlink, link, rename, unlink) work on the last
 * component relative to a descriptor of its directory, which is itself opened
 * beneath the root without following symlinks. (A symlink shown by the mount
 * is followed, if at all, by the kernel on the caller's side, like any
 * symlink.) The passthrough's own open descriptors are reached through their
 * /proc/self/fd magic links (which lead to the very file open, never to a name)
 * where Linux has no call for the kind of descriptor held: chmod, utimens
 * and xattrs of O_PATH descriptors (special files, symlinks), truncate through
 * a read-only one (open(O_RDONLY | O_TRUNC)), linkat when not privileged - and to
 * open a file for data: a name is opened O_PATH, checked, and the file that
 * descriptor holds is opened again, never the name (a FIFO swapped in meanwhile
 * would block the worker forever).
 *
 * The source may change under the passthrough (other programs use it too). A
 * delete (Cleanup, or undoing a failed create) removes only the file it was
 * given: Linux removes by name only, so the name is first moved to a private
 * name in its directory (.linfsp-unlink.PID.N, briefly visible), checked there
 * and removed there, and put back when it is another file or cannot be removed.
 *
 * Permissions: the kernel checks every access against the owners and modes
 * shown (default_permissions), as it would on the source, capabilities
 * included (chown, trusted.* xattrs, device nodes need them in the caller).
 * The passthrough itself acts with its own rights on the source; run as root
 * (the normal case) it can do anything there, so whatever reaches it has
 * passed the kernel's checks only. Not enforced through the mount: POSIX ACLs
 * of the source (only the mode bits count; a source whose ACLs deny someone
 * what the mode bits grant should not be served to other users), and LSM
 * labels of the source files.
 *
 * Each open file keeps one descriptor: a directory O_RDONLY|O_DIRECTORY; a
 * regular file O_RDWR when opened for writing, O_RDONLY when opened for
 * reading, O_PATH when opened for attributes only; symlinks and special files
 * O_PATH. Reads and writes are pread/pwrite on it.
 *
 * Kernel passthrough (-P1, the default; -P0 turns it off): Open and Create hand the
 * descriptor of a regular file opened for data to the engine (FspFileSystemSetOpenBackingFile);
 * on Linux 6.9+ with CAP_SYS_ADMIN the kernel then reads, writes and maps the source file
 * itself and Read/Write are not called (about twice the throughput over a tmpfs source).
 * Elsewhere, or with a source the kernel refuses (overlayfs), the opens take the normal path.
 */
#include <winfsp/winfsp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/openat2.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PROGNAME "passthrough"
#define ALLOCATION_UNIT 4096

typedef struct {
    FSP_FILE_SYSTEM *fs;
    int root; /* O_PATH descriptor of the source directory */
    dev_t root_dev;
    ino_t root_ino;
    bool backing_files; /* -P1: hand regular files' descriptors to the kernel (passthrough) */
} PTFS;

typedef struct {
    int fd;
    bool is_path;  /* an O_PATH descriptor: no data access */
    mode_t type;   /* S_IFMT bits */
    dev_t dev;
    ino_t ino;
    PVOID dir_buffer;
} PTFILE;

static PTFS *ptfs_of(FSP_FILE_SYSTEM *fs)
{
    return fs->UserContext;
}

static NTSTATUS status_of(int err)
{
    switch (err) {
    case ETXTBSY:
        return STATUS_SHARING_VIOLATION;
    case ELOOP:
        /* a symlink where a directory was expected: the name does not lead anywhere here */
        return STATUS_OBJECT_PATH_NOT_FOUND;
    case EXDEV:
        return STATUS_NOT_SAME_DEVICE;
    default:
        return FspNtStatusFromErrno(err);
    }
}

/* ---- names: confined resolution ---- */

/*
 * "\a\b" -> "a/b" (malloc'ed; "." for the root). Every component must be a
 * plain name: empty, "." and ".." components are refused.
 */
static NTSTATUS rel_path(PWSTR wpath, char **prel)
{
    *prel = 0;
    if (!wpath || L'\\' != wpath[0])
        return STATUS_OBJECT_NAME_INVALID;
    char *posix = 0;
    NTSTATUS status = FspPosixMapWindowsToPosixPath(wpath, &posix);
    if (!NT_SUCCESS(status))
        return status;
    const char *s = posix;
    while ('/' == *s)
        s++;
    size_t len = strlen(s);
    while (len && '/' == s[len - 1])
        len--;
    char *rel = len ? strndup(s, len) : strdup(".");
    FspPosixDeletePath(posix);
    if (!rel)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (len) {
        for (char *c = rel;;) {
            char *e = strchr(c, '/');
            size_t n = e ? (size_t)(e - c) : strlen(c);
            if (0 == n || (1 == n && '.' == c[0]) || (2 == n && '.' == c[0] && '.' == c[1])) {
                free(rel);
                return STATUS_OBJECT_NAME_INVALID;
            }
            if (n > NAME_MAX) {
                free(rel);
                return STATUS_NAME_TOO_LONG;
            }
            if (!e)
                break;
            c = e + 1;
        }
    }
    *prel = rel;
    return STATUS_SUCCESS;
}

static bool is_root(const char *rel)
{
    return 0 == strcmp(rel, ".");
}

/* openat2 beneath dirfd, never following a symlink (a trailing one is opened only with O_PATH). */
static int open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0; attempt < 32; attempt++) {
        long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (EAGAIN != errno)
            break;
    }
    return -1;
}

/*
 * Open (O_PATH) the directory holding rel's last component; *pleaf points into
 * rel at that component. rel must not be the root. Returns the descriptor or -1.
 */
static int open_parent(PTFS *pt, char *rel, const char **pleaf)
{
    char *slash = strrchr(rel, '/');
    if (!slash) {
        *pleaf = rel;
        return fcntl(pt->root, F_DUPFD_CLOEXEC, 0);
    }
    *slash = 0;
    int fd = open_beneath(pt->root, rel, O_PATH | O_DIRECTORY, 0);
    int err = errno;
    *slash = '/';
    *pleaf = slash + 1;
    errno = err;
    return fd;
}

static char *proc_fd_path(int fd, char buf[40])
{
    snprintf(buf, 40, "/proc/self/fd/%d", fd);
    return buf;
}

/* ---- file information ---- */

static int stat_fd(int fd, struct statx *sx)
{
    return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT,
                 STATX_BASIC_STATS | STATX_BTIME, sx);
}

static UINT64 filetime_of(const struct statx_timestamp *t)
{
    UINT64 ut[2] = {(UINT64)t->tv_sec, t->tv_nsec}, ft;
    FspPosixUnixTimeToFileTime(ut, &ft);
    return ft;
}

/* stat -> FILE_INFO, and the times' nanoseconds below 100 ns into *nsec (when not NULL). */
static void info_of(const struct statx *sx, FSP_FSCTL_FILE_INFO *info, FSP_FSCTL_FILE_NSEC *nsec)
{
    memset(info, 0, sizeof *info);
    if (nsec) {
        nsec->LastAccessTime = (UINT8)(sx->stx_atime.tv_nsec % 100);
        nsec->LastWriteTime = (UINT8)(sx->stx_mtime.tv_nsec % 100);
        nsec->ChangeTime = (UINT8)(sx->stx_ctime.tv_nsec % 100);
        nsec->CreationTime = (UINT8)(((sx->stx_mask & STATX_BTIME) ? sx->stx_btime.tv_nsec : 0) % 100);
    }
    mode_t type = sx->stx_mode & S_IFMT;
    if (S_ISDIR(type))
        info->FileAttributes = FILE_ATTRIBUTE_DIRECTORY;
    else if (S_ISLNK(type)) {
        info->FileAttributes = FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_SYMLINK;
    } else if (S_ISREG(type))
        info->FileAttributes = FILE_ATTRIBUTE_ARCHIVE;
    else {
        info->FileAttributes = FILE_ATTRIBUTE_REPARSE_POINT;
        info->ReparseTag = IO_REPARSE_TAG_NFS;
    }
    info->FileSize = sx->stx_size;
    info->AllocationSize = sx->stx_blocks * 512;
    info->LastAccessTime = filetime_of(&sx->stx_atime);
    info->LastWriteTime = filetime_of(&sx->stx_mtime);
    info->ChangeTime = filetime_of(&sx->stx_ctime);
    info->CreationTime = (sx->stx_mask & STATX_BTIME) ? filetime_of(&sx->stx_btime)
                         : info->ChangeTime < info->LastWriteTime ? info->ChangeTime
                                                                  : info->LastWriteTime;
    info->IndexNumber = sx->stx_ino;
    info->HardLinks = sx->stx_nlink;
}

/*
 * An open file's information for a callback's FileInfo, with the source's nanoseconds beside it
 * when the engine passed it (VolumeParams.NanosecondTimes; NULL from FspFileSystemGetFileInfoNsec
 * for any other FileInfo, e.g. passthrough-races' own).
 */
static NTSTATUS file_info(PTFILE *f, FSP_FSCTL_FILE_INFO *info)
{
    struct statx sx;
    if (0 != stat_fd(f->fd, &sx))
        return status_of(errno);
    info_of(&sx, info, FspFileSystemGetFileInfoNsec(info));
    return STATUS_SUCCESS;
}

/* The security descriptor of a stat: owner, group and mode through the POSIX mapping. */
static NTSTATUS copy_security(const struct statx *sx, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    if (!psize)
        return STATUS_SUCCESS;
    PSECURITY_DESCRIPTOR mapped = 0;
    NTSTATUS status = FspPosixMapPermissionsToSecurityDescriptor(sx->stx_uid, sx->stx_gid,
                                                                 sx->stx_mode & 07777, &mapped);
    if (!NT_SUCCESS(status))
        return status;
    SIZE_T len = FspGetSecurityDescriptorLength(mapped);
    if (len > *psize)
        status = STATUS_BUFFER_OVERFLOW;
    else if (sd)
        memcpy(sd, mapped, len);
    *psize = len;
    FspDeleteSecurityDescriptor(mapped, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    return status;
}

/* ---- open files ---- */

static void file_free(PTFILE *f)
{
    if (!f)
        return;
    FspFileSystemDeleteDirectoryBuffer(&f->dir_buffer);
    if (f->fd >= 0)
        close(f->fd);
    free(f);
}

/* A file context for a descriptor (taken over, also on failure); sx: its statx. */
static NTSTATUS wrap_fd(int fd, bool is_path, const struct statx *sx, PTFILE **pf)
{
    PTFILE *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    f->fd = fd;
    f->is_path = is_path;
    f->type = sx->stx_mode & S_IFMT;
    f->dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
    f->ino = sx->stx_ino;
    *pf = f;
    return STATUS_SUCCESS;
}

/* -P1: let the kernel do this open's I/O on the source file itself (no-op when not negotiated). */
static void offer_backing_file(PTFS *pt, PTFILE *f)
{
    if (pt->backing_files && f && !f->is_path && S_ISREG(f->type))
        FspFileSystemSetOpenBackingFile(f->fd);
}

/*
 * Open rel (beneath dirfd) for a file context: O_PATH first to learn what it is, then, when its
 * kind and the requested access call for data access, the very file that O_PATH descriptor
 * holds is opened again through its /proc/self/fd magic link - never the name again: a FIFO
 * swapped in between would block the open(2) forever (and the worker with it), and another file
 * would be opened in place of the one checked.
 */
static NTSTATUS open_file(int dirfd, const char *rel, UINT32 access, UINT32 options, PTFILE **pf)
{
    *pf = 0;
    int pfd = open_beneath(dirfd, rel, O_PATH, 0);
    if (pfd < 0)
        return status_of(errno);
    struct statx sx;
    if (0 != stat_fd(pfd, &sx)) {
        int err = errno;
        close(pfd);
        return status_of(err);
    }
    mode_t type = sx.stx_mode & S_IFMT;
    if ((options & FILE_DIRECTORY_FILE) && !S_ISDIR(type)) {
        close(pfd);
        return STATUS_NOT_A_DIRECTORY;
    }
    if ((options & FILE_NON_DIRECTORY_FILE) && S_ISDIR(type)) {
        close(pfd);
        return STATUS_FILE_IS_A_DIRECTORY;
    }
    int flags = -1;
    if (S_ISDIR(type))
        flags = O_RDONLY | O_DIRECTORY;
    else if (S_ISREG(type)) {
        if (access & (FILE_WRITE_DATA | FILE_APPEND_DATA))
            flags = O_RDWR;
        else if (access & (FILE_READ_DATA | FILE_EXECUTE))
            flags = O_RDONLY;
    }
    if (flags < 0)
        return wrap_fd(pfd, true, &sx, pf);
    char buf[40];
    int fd = open(proc_fd_path(pfd, buf), flags | O_CLOEXEC | O_NOCTTY);
    int err = errno;
    close(pfd);
    if (fd < 0)
        return status_of(err);
    return wrap_fd(fd, false, &sx, pf);
}

/* Is the name (beneath pfd) the file dev/ino, and not another one that took it? */
static bool name_is(int pfd, const char *leaf, dev_t dev, ino_t ino)
{
    struct statx sx;
    if (0 != statx(pfd, leaf, AT_SYMLINK_NOFOLLOW, STATX_INO, &sx))
        return false;
    return sx.stx_ino == ino && makedev(sx.stx_dev_major, sx.stx_dev_minor) == dev;
}

/*
 * Remove the name leaf (beneath pfd) if, and only if, it is the file dev/ino. Linux removes by
 * name only, and the name may be taken by another file between a check and the unlink (another
 * program changing the source): so the name is first moved to a private name in the same
 * directory (renameat2 RENAME_NOREPLACE: atomic), checked there, and removed there; a file that
 * turns out to be another one, or that cannot be removed (a directory not empty), goes back.
 * Returns 0 or an errno (ENOENT: the name is not that file's).
 */
static int unlink_file(int pfd, const char *leaf, dev_t dev, ino_t ino, bool dir)
{
    static unsigned counter;
    if (!name_is(pfd, leaf, dev, ino))
        return ENOENT;
    char tmp[64];
    snprintf(tmp, sizeof tmp, ".linfsp-unlink.%d.%u", (int)getpid(),
             __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    if (0 != renameat2(pfd, leaf, pfd, tmp, RENAME_NOREPLACE))
        return errno;
    int err = 0;
    if (!name_is(pfd, tmp, dev, ino))
        err = ENOENT; /* another file took the name just before: not ours to remove */
    else if (0 != unlinkat(pfd, tmp, dir ? AT_REMOVEDIR : 0))
        err = errno;
    if (err && 0 != renameat2(pfd, tmp, pfd, leaf, RENAME_NOREPLACE))
        FspDebugLog(PROGNAME ": cannot put back %s after a failed delete (left as %s): %s\n", leaf,
                    tmp, strerror(errno));
    return err;
}

/* ---- reparse data ---- */

static NTSTATUS special_reparse(mode_t type, dev_t rdev, void *buf, SIZE_T *psize)
{
    UINT64 kind = S_ISFIFO(type) ? NFS_SPECFILE_FIFO
                  : S_ISSOCK(type) ? NFS_SPECFILE_SOCK
                  : S_ISCHR(type)  ? NFS_SPECFILE_CHR
                                   : NFS_SPECFILE_BLK;
    size_t dlen = S_ISCHR(type) || S_ISBLK(type) ? 16 : 8;
    size_t size = REPARSE_DATA_BUFFER_HEADER_SIZE + dlen;
    if (size > *psize) {
        *psize = size;
        return STATUS_BUFFER_TOO_SMALL;
    }
    REPARSE_DATA_BUFFER *rp = buf;
    memset(rp, 0, size);
    rp->ReparseTag = IO_REPARSE_TAG_NFS;
    rp->ReparseDataLength = (USHORT)dlen;
    memcpy(rp->GenericReparseBuffer.DataBuffer, &kind, 8);
    if (16 == dlen) {
        UINT32 mm[2] = {major(rdev), minor(rdev)};
        memcpy(rp->GenericReparseBuffer.DataBuffer + 8, mm, 8);
    }
    *psize = size;
    return STATUS_SUCCESS;
}

/* What a reparse buffer asks to create: a symlink (*ptarget, malloc'ed) or a special file. */
static NTSTATUS parse_reparse(const void *data, size_t size, char **ptarget, mode_t *ptype,
                              dev_t *prdev)
{
    const REPARSE_DATA_BUFFER *rp = data;
    *ptarget = 0;
    if (size < REPARSE_DATA_BUFFER_HEADER_SIZE ||
        size < REPARSE_DATA_BUFFER_HEADER_SIZE + (size_t)rp->ReparseDataLength)
        return STATUS_IO_REPARSE_DATA_INVALID;
    if (IO_REPARSE_TAG_SYMLINK == rp->ReparseTag) {
        NTSTATUS status = FspPosixGetSymlinkTarget((PVOID)data, size, ptarget);
        if (!NT_SUCCESS(status))
            return status;
        *ptype = S_IFLNK;
        return STATUS_SUCCESS;
    }
    if (IO_REPARSE_TAG_NFS == rp->ReparseTag) {
        const UCHAR *d = rp->GenericReparseBuffer.DataBuffer;
        size_t dl = rp->ReparseDataLength;
        UINT64 kind;
        if (dl < 8)
            return STATUS_IO_REPARSE_DATA_INVALID;
        memcpy(&kind, d, 8);
        *prdev = 0;
        if (NFS_SPECFILE_FIFO == kind)
            *ptype = S_IFIFO;
        else if (NFS_SPECFILE_SOCK == kind)
            *ptype = S_IFSOCK;
        else if ((NFS_SPECFILE_CHR == kind || NFS_SPECFILE_BLK == kind) && dl >= 16) {
            UINT32 mm[2];
            memcpy(mm, d + 8, 8);
            *ptype = NFS_SPECFILE_CHR == kind ? S_IFCHR : S_IFBLK;
            *prdev = makedev(mm[0], mm[1]);
        } else
            return STATUS_IO_REPARSE_DATA_INVALID;
        return STATUS_SUCCESS;
    }
    return STATUS_IO_REPARSE_TAG_INVALID; /* other reparse points cannot be stored on Linux */
}

/* ---- owner and mode ---- */

/* chmod an open file, whatever its descriptor (symlinks have no mode of their own). */
static int chmod_file(PTFILE *f, mode_t mode)
{
    if (S_ISLNK(f->type))
        return 0;
    if (!f->is_path)
        return fchmod(f->fd, mode);
    char buf[40];
    return chmod(proc_fd_path(f->fd, buf), mode);
}

/* Give an open file its owner and mode; chown first, since it may clear S_ISUID/S_ISGID. */
static int set_owner_mode(PTFILE *f, uid_t uid, gid_t gid, mode_t mode)
{
    struct statx sx;
    if (0 != stat_fd(f->fd, &sx))
        return -1;
    if ((sx.stx_uid != uid || sx.stx_gid != gid) &&
        0 != fchownat(f->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
        return -1;
    if (0 != stat_fd(f->fd, &sx))
        return -1;
    if ((sx.stx_mode & 07777) != (mode & 07777))
        return chmod_file(f, mode & 07777);
    return 0;
}

/* ftruncate, also for a descriptor opened without write access (open(O_RDONLY | O_TRUNC)). */
static int truncate_file(PTFILE *f, off_t size)
{
    int fl = f->is_path ? O_PATH : fcntl(f->fd, F_GETFL);
    if (fl >= 0 && !(fl & O_PATH) && O_RDONLY != (fl & O_ACCMODE))
        return ftruncate(f->fd, size);
    char buf[40];
    return truncate(proc_fd_path(f->fd, buf), size);
}

/* ---- operations ---- */

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *fs, FSP_FSCTL_VOLUME_INFO *vi)
{
    PTFS *pt = ptfs_of(fs);
    struct statvfs sv;
    if (0 != fstatvfs(pt->root, &sv))
        return status_of(errno);
    memset(vi, 0, sizeof *vi);
    vi->TotalSize = (UINT64)sv.f_blocks * sv.f_frsize;
    vi->FreeSize = (UINT64)sv.f_bavail * sv.f_frsize;
    static const WCHAR label[] = L"passthrough";
    vi->VolumeLabelLength = (UINT16)(wcslen(label) * sizeof(WCHAR));
    memcpy(vi->VolumeLabel, label, vi->VolumeLabelLength);
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *fs, PWSTR name, PUINT32 pattrs,
                                  PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    PTFS *pt = ptfs_of(fs);
    char *rel;
    NTSTATUS status = rel_path(name, &rel);
    if (!NT_SUCCESS(status))
        return status;
    int fd = open_beneath(pt->root, rel, O_PATH, 0);
    struct statx sx;
    if (fd < 0 || 0 != stat_fd(fd, &sx))
        status = status_of(errno);
    else {
        if (pattrs) {
            FSP_FSCTL_FILE_INFO info;
            info_of(&sx, &info, 0);
            *pattrs = info.FileAttributes;
        }
        status = copy_security(&sx, sd, psize);
    }
    if (fd >= 0)
        close(fd);
    free(rel);
    return status;
}

/* Owner, group and mode a new object gets: from its security descriptor, else the caller's. */
static NTSTATUS new_object_identity(PSECURITY_DESCRIPTOR sd, bool is_dir, uid_t *puid,
                                    gid_t *pgid, mode_t *pmode)
{
    if (sd) {
        ULONG len = FspGetSecurityDescriptorLength(sd);
        if (0 == len || !FspIsValidSecurityDescriptor(sd, len))
            return STATUS_INVALID_SECURITY_DESCR;
        UINT32 uid, gid, mode;
        NTSTATUS status = FspPosixMapSecurityDescriptorToPermissions(sd, &uid, &gid, &mode);
        if (!NT_SUCCESS(status))
            return status;
        *puid = uid, *pgid = gid, *pmode = mode & 07777;
        return STATUS_SUCCESS;
    }
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (oc && oc->Request)
        *puid = oc->Request->CallerUid, *pgid = oc->Request->CallerGid;
    else
        *puid = geteuid(), *pgid = getegid();
    *pmode = is_dir ? 0755 : 0644;
    return STATUS_SUCCESS;
}

static NTSTATUS set_ea_one(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea);

/* Make the object leaf in the directory pfd: a directory, a regular file (its descriptor is
 * returned), a symlink to target or a special file; -1 with errno on failure. */
static int make_object(int pfd, const char *leaf, mode_t type, mode_t mode, const char *target, dev_t rdev)
{
    if (S_ISDIR(type))
        return mkdirat(pfd, leaf, mode & 01777);
    if (S_ISREG(type))
        return open_beneath(pfd, leaf, O_CREAT | O_EXCL | O_RDWR, mode & 0777);
    if (S_ISLNK(type))
        return symlinkat(target, pfd, leaf);
    return mknodat(pfd, leaf, type | (mode & 0777), rdev);
}

/* The object just made, as a file: a regular file by the descriptor fd (closed on failure),
 * others opened by name. */
static NTSTATUS open_made(int pfd, const char *leaf, mode_t type, int fd, PTFILE **pf)
{
    if (!S_ISREG(type))
        return open_file(pfd, leaf, 0, 0, pf);
    /* the new file's own descriptor: no second lookup of the name */
    struct statx sx;
    if (0 != stat_fd(fd, &sx)) {
        NTSTATUS status = status_of(errno);
        close(fd);
        return status;
    }
    return wrap_fd(fd, false, &sx, pf);
}

/* The new object's owner and mode, then CreateEx's extended attributes (when extra holds EAs). */
static NTSTATUS set_new_object_attrs(FSP_FILE_SYSTEM *fs, PTFILE *f, mode_t type, uid_t uid, gid_t gid,
                                     mode_t mode, PVOID extra, ULONG extra_len, BOOLEAN extra_is_reparse)
{
    if (0 != set_owner_mode(f, uid, gid, S_ISLNK(type) ? 0777 : mode))
        return status_of(errno);
    if (extra && extra_len && !extra_is_reparse)
        return FspFileSystemEnumerateEa(fs, set_ea_one, f, extra, extra_len);
    return STATUS_SUCCESS;
}

static NTSTATUS create_common(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options,
                              PSECURITY_DESCRIPTOR sd, PVOID extra, ULONG extra_len,
                              BOOLEAN extra_is_reparse, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    PTFS *pt = ptfs_of(fs);
    bool is_dir = options & FILE_DIRECTORY_FILE;
    char *rel = 0, *target = 0;
    int pfd = -1;
    PTFILE *f = 0;
    bool made = false;
    mode_t type = is_dir ? S_IFDIR : S_IFREG;
    dev_t rdev = 0;
    uid_t uid;
    gid_t gid;
    mode_t mode;
    const char *leaf;
    NTSTATUS status = rel_path(name, &rel);
    if (!NT_SUCCESS(status))
        return status;
    if (is_root(rel)) {
        status = STATUS_OBJECT_NAME_COLLISION;
        goto out;
    }
    status = new_object_identity(sd, is_dir, &uid, &gid, &mode);
    if (!NT_SUCCESS(status))
        goto out;
    if (extra && extra_len && extra_is_reparse) {
        if (is_dir) {
            status = STATUS_INVALID_PARAMETER; /* directories cannot be symlinks or devices here */
            goto out;
        }
        status = parse_reparse(extra, extra_len, &target, &type, &rdev);
        if (!NT_SUCCESS(status))
            goto out;
    }
    pfd = open_parent(pt, rel, &leaf);
    if (pfd < 0) {
        status = status_of(errno);
        if (STATUS_OBJECT_NAME_NOT_FOUND == status)
            status = STATUS_OBJECT_PATH_NOT_FOUND;
        goto out;
    }
    int r = make_object(pfd, leaf, type, mode, target, rdev);
    if (r < 0) {
        status = status_of(errno);
        goto out;
    }
    made = true;
    status = open_made(pfd, leaf, type, r, &f);
    if (!NT_SUCCESS(status))
        goto out;
    status = set_new_object_attrs(fs, f, type, uid, gid, mode, extra, extra_len, extra_is_reparse);
    if (!NT_SUCCESS(status))
        goto out;
    status = file_info(f, info);
    if (NT_SUCCESS(status))
        offer_backing_file(pt, f);
out:
    if (!NT_SUCCESS(status)) {
        /* Undo the create: remove what was made, only that (the name may be another file's by
         * now); what was made is known by the descriptor of it, when one was had. */
        if (made && f)
            unlink_file(pfd, leaf, f->dev, f->ino, S_ISDIR(type));
        file_free(f);
        f = 0;
    }
    if (pfd >= 0)
        close(pfd);
    free(target);
    free(rel);
    *pctx = f;
    return status;
}

static NTSTATUS Create(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access, UINT32 attrs,
                       PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)access, (void)attrs, (void)alloc;
    return create_common(fs, name, options, sd, 0, 0, FALSE, pctx, info);
}

static NTSTATUS CreateEx(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access,
                         UINT32 attrs, PSECURITY_DESCRIPTOR sd, UINT64 alloc, PVOID extra,
                         ULONG extra_len, BOOLEAN extra_is_reparse, PVOID *pctx,
                         FSP_FSCTL_FILE_INFO *info)
{
    (void)access, (void)attrs, (void)alloc;
    return create_common(fs, name, options, sd, extra, extra_len, extra_is_reparse, pctx, info);
}

static NTSTATUS Open(FSP_FILE_SYSTEM *fs, PWSTR name, UINT32 options, UINT32 access, PVOID *pctx,
                     FSP_FSCTL_FILE_INFO *info)
{
    PTFS *pt = ptfs_of(fs);
    char *rel;
    NTSTATUS status = rel_path(name, &rel);
    if (!NT_SUCCESS(status))
        return status;
    PTFILE *f = 0;
    status = open_file(pt->root, rel, access, options, &f);
    free(rel);
    if (NT_SUCCESS(status))
        status = file_info(f, info);
    if (NT_SUCCESS(status))
        offer_backing_file(pt, f);
    if (!NT_SUCCESS(status)) {
        file_free(f);
        f = 0;
    }
    *pctx = f;
    return status;
}

static NTSTATUS Overwrite(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, BOOLEAN replace,
                          UINT64 alloc, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs, (void)attrs, (void)replace, (void)alloc;
    PTFILE *f = ctx;
    if (!S_ISREG(f->type))
        return STATUS_INVALID_PARAMETER;
    if (0 != truncate_file(f, 0))
        return status_of(errno);
    return file_info(f, info);
}


/*
 * Tell the engine how a delete in Cleanup went (LinFsp extension: Cleanup returns nothing, so the
 * outcome goes in the operation context's response): the source may refuse what CanDelete
 * allowed (EPERM for an immutable file, EBUSY for a mount point, ENOTEMPTY after a file was
 * added on the source's side).
 */
static void report_cleanup(NTSTATUS status)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    if (oc && oc->Response)
        oc->Response->IoStatus.Status = (UINT32)status;
}

static VOID Cleanup(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, ULONG flags)
{
    PTFS *pt = ptfs_of(fs);
    PTFILE *f = ctx;
    if (!(flags & FspCleanupDelete) || !name)
        return; /* times and sizes are the source file system's own business */
    char *rel;
    NTSTATUS status = rel_path(name, &rel);
    if (!NT_SUCCESS(status))
        return report_cleanup(status);
    const char *leaf;
    int pfd = is_root(rel) ? -1 : open_parent(pt, rel, &leaf);
    if (is_root(rel))
        status = STATUS_CANNOT_DELETE;
    else if (pfd < 0)
        status = status_of(errno);
    else {
        /* only the file given (the name may be another file's now: not ours to delete) */
        int err = unlink_file(pfd, leaf, f->dev, f->ino, S_ISDIR(f->type));
        if (err)
            status = status_of(err);
    }
    if (pfd >= 0)
        close(pfd);
    free(rel);
    report_cleanup(status);
}

static VOID Close(FSP_FILE_SYSTEM *fs, PVOID ctx)
{
    (void)fs;
    file_free(ctx);
}

static NTSTATUS Read(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                     PULONG pbytes)
{
    (void)fs;
    PTFILE *f = ctx;
    *pbytes = 0;
    if (off > (UINT64)INT64_MAX)
        return STATUS_END_OF_FILE;
    ULONG done = 0;
    while (done < len) {
        ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (EINTR == errno)
                continue;
            if (done)
                break;
            return status_of(errno);
        }
        if (0 == n)
            break;
        done += (ULONG)n;
    }
    *pbytes = done;
    return 0 == done && len ? STATUS_END_OF_FILE : STATUS_SUCCESS;
}

static NTSTATUS Write(FSP_FILE_SYSTEM *fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len,
                      BOOLEAN to_end, BOOLEAN constrained, PULONG pbytes, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    PTFILE *f = ctx;
    *pbytes = 0;
    if (to_end || constrained) {
        struct stat st;
        if (0 != fstat(f->fd, &st))
            return status_of(errno);
        if (to_end)
            off = (UINT64)st.st_size;
        if (constrained) {
            if (off >= (UINT64)st.st_size)
                len = 0;
            else if (len > (UINT64)st.st_size - off)
                len = (ULONG)((UINT64)st.st_size - off);
        }
    }
    if (off > (UINT64)INT64_MAX)
        return STATUS_FILE_TOO_LARGE;
    ULONG done = 0;
    while (done < len) {
        ssize_t n = pwrite(f->fd, (const char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (EINTR == errno)
                continue;
            if (done)
                break;
            return status_of(errno);
        }
        if (0 == n)
            break;
        done += (ULONG)n;
    }
    *pbytes = done;
    return file_info(f, info);
}

static NTSTATUS Flush(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    PTFILE *f = ctx;
    if (!f) {
        /* the volume (syncfs wants a descriptor that is not O_PATH) */
        int fd = openat(ptfs_of(fs)->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = fd < 0 ? -1 : syncfs(fd);
        int err = errno;
        if (fd >= 0)
            close(fd);
        return 0 == r ? STATUS_SUCCESS : status_of(err);
    }
    if (!f->is_path && 0 != fsync(f->fd))
        return status_of(errno);
    return file_info(f, info);
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    return file_info(ctx, info);
}

/* A FILETIME (0: unchanged) and its nanoseconds below 100 ns as a timespec for utimensat(2). */
static void timespec_of(UINT64 ft, UINT8 ns, struct timespec *ts)
{
    if (0 == ft) {
        ts->tv_sec = 0;
        ts->tv_nsec = UTIME_OMIT;
        return;
    }
    UINT64 ut[2];
    FspPosixFileTimeToUnixTime(ft, ut);
    ts->tv_sec = (time_t)ut[0];
    ts->tv_nsec = (long)ut[1] + (ns > 99 ? 99 : ns);
}

static NTSTATUS SetBasicInfo(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 attrs, UINT64 ctime,
                             UINT64 atime, UINT64 mtime, UINT64 chtime, FSP_FSCTL_FILE_INFO *info)
{
    /* Linux keeps no Windows attributes, and sets neither birth nor change time. */
    (void)fs, (void)attrs, (void)ctime, (void)chtime;
    PTFILE *f = ctx;
    if (atime || mtime) {
        /* the times' nanoseconds below 100 ns come with the request (NanosecondTimes) */
        FSP_FSCTL_FILE_NSEC ns = FspFileSystemGetOperationContext()->Request->Req.SetInformation.Nsec;
        struct timespec ts[2];
        timespec_of(atime, ns.LastAccessTime, &ts[0]);
        timespec_of(mtime, ns.LastWriteTime, &ts[1]);
        int r;
        if (!f->is_path)
            r = futimens(f->fd, ts);
        else {
            /* the magic link of our own O_PATH descriptor leads to the file itself (a symlink too) */
            char buf[40];
            r = utimensat(AT_FDCWD, proc_fd_path(f->fd, buf), ts, 0);
        }
        if (0 != r)
            return status_of(errno);
    }
    return file_info(f, info);
}

static NTSTATUS SetFileSize(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT64 size, BOOLEAN alloc,
                            FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    PTFILE *f = ctx;
    if (size > (UINT64)INT64_MAX)
        return STATUS_FILE_TOO_LARGE;
    if (!S_ISREG(f->type))
        return STATUS_INVALID_PARAMETER;
    if (!alloc) {
        if (0 != truncate_file(f, (off_t)size))
            return status_of(errno);
    } else {
        struct stat st;
        if (0 != fstat(f->fd, &st))
            return status_of(errno);
        if (size < (UINT64)st.st_size) {
            /* an allocation below the end of file truncates it (NTFS) */
            if (0 != truncate_file(f, (off_t)size))
                return status_of(errno);
        } else if (size > (UINT64)st.st_blocks * 512 &&
                   0 != fallocate(f->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) &&
                   EOPNOTSUPP != errno)
            return status_of(errno);
    }
    return file_info(f, info);
}

/*
 * fallocate(2) on the source file, with the same mode (LinFsp extension; FSP_FALLOCATE_* are
 * Linux's FALLOC_FL_* values). A source without FALLOC_FL_ZERO_RANGE (tmpfs) gets it as a punched
 * hole allocated again: the range reads as zeros and is allocated, the size grows as asked.
 */
static NTSTATUS Fallocate(FSP_FILE_SYSTEM *fs, PVOID ctx, UINT32 mode, UINT64 off, UINT64 len,
                          FSP_FSCTL_FILE_INFO *info)
{
    (void)fs;
    PTFILE *f = ctx;
    if (!S_ISREG(f->type) || f->is_path)
        return STATUS_INVALID_PARAMETER;
    int r = fallocate(f->fd, (int)mode, (off_t)off, (off_t)len);
    if (r < 0 && EOPNOTSUPP == errno && (mode & FSP_FALLOCATE_ZERO_RANGE)) {
        r = fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
        if (0 == r)
            r = fallocate(f->fd, (int)(mode & FSP_FALLOCATE_KEEP_SIZE), (off_t)off, (off_t)len);
    }
    if (r < 0)
        return EOPNOTSUPP == errno ? STATUS_NOT_SUPPORTED : status_of(errno);
    return file_info(f, info);
}

static NTSTATUS CanDelete(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name)
{
    PTFS *pt = ptfs_of(fs);
    PTFILE *f = ctx;
    (void)name;
    if (f->ino == pt->root_ino && f->dev == pt->root_dev)
        return STATUS_CANNOT_DELETE;
    if (!S_ISDIR(f->type))
        return STATUS_SUCCESS;
    int dfd = openat(f->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return status_of(errno);
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = STATUS_SUCCESS;
    struct dirent *e;
    while ((e = readdir(d)))
        if (0 != strcmp(e->d_name, ".") && 0 != strcmp(e->d_name, "..")) {
            status = STATUS_DIRECTORY_NOT_EMPTY;
            break;
        }
    closedir(d);
    return status;
}

static NTSTATUS SetDelete(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, BOOLEAN del)
{
    return del ? CanDelete(fs, ctx, name) : STATUS_SUCCESS;
}

/* renameat2(2) of name to newname on the source with flags (RENAME_NOREPLACE, RENAME_EXCHANGE). */
static NTSTATUS rename_flags(FSP_FILE_SYSTEM *fs, PWSTR name, PWSTR newname, unsigned flags)
{
    PTFS *pt = ptfs_of(fs);
    char *rel = 0, *newrel = 0;
    int opfd = -1, npfd = -1;
    const char *leaf, *newleaf;
    NTSTATUS status = rel_path(name, &rel);
    if (NT_SUCCESS(status))
        status = rel_path(newname, &newrel);
    if (!NT_SUCCESS(status))
        goto out;
    if (is_root(rel) || is_root(newrel)) {
        status = STATUS_ACCESS_DENIED;
        goto out;
    }
    opfd = open_parent(pt, rel, &leaf);
    if (opfd < 0) {
        status = status_of(errno);
        goto out;
    }
    npfd = open_parent(pt, newrel, &newleaf);
    if (npfd < 0) {
        status = status_of(errno);
        if (STATUS_OBJECT_NAME_NOT_FOUND == status)
            status = STATUS_OBJECT_PATH_NOT_FOUND;
        goto out;
    }
    if (0 != renameat2(opfd, leaf, npfd, newleaf, flags))
        status = status_of(errno);
out:
    if (opfd >= 0)
        close(opfd);
    if (npfd >= 0)
        close(npfd);
    free(rel);
    free(newrel);
    return status;
}

static NTSTATUS Rename(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PWSTR newname, BOOLEAN replace)
{
    (void)ctx;
    return rename_flags(fs, name, newname, replace ? 0 : RENAME_NOREPLACE);
}

/* LinFsp extension: renameat2(RENAME_EXCHANGE), atomic on the source as on the mount. */
static NTSTATUS RenameExchange(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PWSTR newname)
{
    (void)ctx;
    return rename_flags(fs, name, newname, RENAME_EXCHANGE);
}

/*
 * LinFsp extension: open(2) with O_TMPFILE, as O_TMPFILE in the source directory (an unnamed
 * file of the source; CreateHardLink names it with linkat(2) of its descriptor).
 */
static NTSTATUS CreateUnnamed(FSP_FILE_SYSTEM *fs, PWSTR dirname, UINT32 access, UINT32 attrs,
                              PSECURITY_DESCRIPTOR sd, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    (void)access, (void)attrs;
    PTFS *pt = ptfs_of(fs);
    *pctx = 0;
    char *rel = 0;
    uid_t uid;
    gid_t gid;
    mode_t mode;
    NTSTATUS status = rel_path(dirname, &rel);
    if (NT_SUCCESS(status))
        status = new_object_identity(sd, false, &uid, &gid, &mode);
    if (!NT_SUCCESS(status)) {
        free(rel);
        return status;
    }
    int dfd = open_beneath(pt->root, rel, O_PATH | O_DIRECTORY, 0);
    free(rel);
    if (dfd < 0)
        return ENOTDIR == errno ? STATUS_NOT_A_DIRECTORY : status_of(errno);
    /* The O_PATH descriptor of the directory, reopened through its magic link for O_TMPFILE. */
    char buf[40];
    int fd = open(proc_fd_path(dfd, buf), O_TMPFILE | O_RDWR | O_CLOEXEC, mode & 0777);
    int err = errno;
    close(dfd);
    if (fd < 0)
        return status_of(err);
    struct statx sx;
    PTFILE *f = 0;
    if (0 != stat_fd(fd, &sx)) {
        status = status_of(errno);
        close(fd);
        return status;
    }
    status = wrap_fd(fd, false, &sx, &f);
    if (NT_SUCCESS(status) && 0 != set_owner_mode(f, uid, gid, mode))
        status = status_of(errno);
    if (NT_SUCCESS(status))
        status = file_info(f, info);
    if (!NT_SUCCESS(status)) {
        file_free(f);
        return status;
    }
    offer_backing_file(pt, f);
    *pctx = f;
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *fs, PVOID ctx, PSECURITY_DESCRIPTOR sd, SIZE_T *psize)
{
    (void)fs;
    PTFILE *f = ctx;
    struct statx sx;
    if (0 != stat_fd(f->fd, &sx))
        return status_of(errno);
    return copy_security(&sx, sd, psize);
}

static NTSTATUS SetSecurity(FSP_FILE_SYSTEM *fs, PVOID ctx, SECURITY_INFORMATION secinfo,
                            PSECURITY_DESCRIPTOR mod)
{
    (void)fs;
    PTFILE *f = ctx;
    ULONG modlen = FspGetSecurityDescriptorLength(mod);
    if (0 == modlen || !FspIsValidSecurityDescriptor(mod, modlen))
        return STATUS_INVALID_SECURITY_DESCR;
    struct statx sx;
    if (0 != stat_fd(f->fd, &sx))
        return status_of(errno);
    PSECURITY_DESCRIPTOR cur = 0, next = 0;
    NTSTATUS status = FspPosixMapPermissionsToSecurityDescriptor(sx.stx_uid, sx.stx_gid,
                                                                 sx.stx_mode & 07777, &cur);
    if (!NT_SUCCESS(status))
        return status;
    status = FspSetSecurityDescriptor(cur, secinfo, mod, &next);
    FspDeleteSecurityDescriptor(cur, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    if (!NT_SUCCESS(status))
        return status;
    UINT32 uid, gid, mode;
    status = FspPosixMapSecurityDescriptorToPermissions(next, &uid, &gid, &mode);
    FspDeleteSecurityDescriptor(next, (NTSTATUS(*)())FspSetSecurityDescriptor);
    if (!NT_SUCCESS(status))
        return status;
    if (0 != set_owner_mode(f, uid, gid, S_ISLNK(f->type) ? sx.stx_mode & 07777 : mode & 07777))
        return status_of(errno);
    return STATUS_SUCCESS;
}

/*
 * One directory entry (its name only) into the directory buffer. Attributes are
 * taken when entries are handed out (refresh_entries): the engine lists a
 * batch again to get current attributes, and a buffer filled at the first
 * batch would bring back old ones.
 */
static bool fill_entry(PVOID *pbuf, const char *name, NTSTATUS *pstatus)
{
    union {
        FSP_FSCTL_DIR_INFO d;
        char raw[sizeof(FSP_FSCTL_DIR_INFO) + (NAME_MAX + 1) * sizeof(WCHAR)];
    } u;
    PWSTR w = 0;
    if (!NT_SUCCESS(FspPosixMapPosixToWindowsPath(name, &w)))
        return true;
    size_t len = wcslen(w);
    if (len > NAME_MAX) {
        FspPosixDeletePath(w);
        return true;
    }
    memset(&u.d, 0, sizeof u.d);
    u.d.Size = (UINT16)(sizeof u.d + len * sizeof(WCHAR));
    memcpy(u.d.FileNameBuf, w, len * sizeof(WCHAR));
    FspPosixDeletePath(w);
    return FspFileSystemFillDirectoryBuffer(pbuf, &u.d, pstatus);
}

/* Current attributes for the DIR_INFO records of a ReadDirectory answer. */
static void refresh_entries(int dfd, char *buf, ULONG bytes)
{
    WCHAR wname[NAME_MAX + 1];
    for (ULONG pos = 0; pos + sizeof(UINT16) <= bytes;) {
        FSP_FSCTL_DIR_INFO *d = (FSP_FSCTL_DIR_INFO *)(buf + pos);
        if (0 == d->Size || d->Size < sizeof *d || d->Size > bytes - pos)
            break;
        size_t n = (d->Size - sizeof *d) / sizeof(WCHAR);
        pos += (d->Size + 7u) & ~7u;
        if (n > NAME_MAX)
            continue;
        memcpy(wname, d->FileNameBuf, n * sizeof(WCHAR));
        wname[n] = 0;
        char *name = 0;
        struct statx sx;
        if (NT_SUCCESS(FspPosixMapWindowsToPosixPath(wname, &name)) && !strchr(name, '/') &&
            0 == statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT,
                       STATX_BASIC_STATS | STATX_BTIME, &sx))
            info_of(&sx, &d->FileInfo, &d->Nsec);
        FspPosixDeletePath(name);
    }
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR pattern, PWSTR marker,
                              PVOID buf, ULONG len, PULONG pbytes)
{
    (void)fs, (void)pattern;
    PTFILE *f = ctx;
    *pbytes = 0;
    if (!S_ISDIR(f->type))
        return STATUS_NOT_A_DIRECTORY;
    NTSTATUS status;
    if (FspFileSystemAcquireDirectoryBuffer(&f->dir_buffer, 0 == marker, &status)) {
        /* a descriptor of our own: its position is not shared with anyone */
        int dfd = openat(f->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : 0;
        if (!d) {
            if (dfd >= 0)
                close(dfd);
            /* removed while open: an empty directory */
            status = ENOENT == errno || dfd >= 0 ? STATUS_SUCCESS : status_of(errno);
        } else {
            struct dirent *e;
            while ((e = readdir(d)))
                if (0 != strcmp(e->d_name, ".") && 0 != strcmp(e->d_name, "..") &&
                    !fill_entry(&f->dir_buffer, e->d_name, &status))
                    break;
            closedir(d);
        }
        FspFileSystemReleaseDirectoryBuffer(&f->dir_buffer);
    }
    if (!NT_SUCCESS(status))
        return status;
    FspFileSystemReadDirectoryBuffer(&f->dir_buffer, marker, buf, len, pbytes);
    refresh_entries(f->fd, buf, *pbytes);
    return STATUS_SUCCESS;
}

static NTSTATUS GetReparsePoint(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PVOID buf,
                                PSIZE_T psize)
{
    (void)fs, (void)name;
    PTFILE *f = ctx;
    if (S_ISLNK(f->type)) {
        char target[PATH_MAX + 1];
        ssize_t n = readlinkat(f->fd, "", target, sizeof target);
        if (n < 0)
            return status_of(errno);
        if ((size_t)n >= sizeof target)
            return STATUS_NAME_TOO_LONG;
        target[n] = 0;
        return FspPosixMakeSymlinkReparseData(target, buf, psize);
    }
    if (S_ISFIFO(f->type) || S_ISSOCK(f->type) || S_ISCHR(f->type) || S_ISBLK(f->type)) {
        struct statx sx;
        if (0 != stat_fd(f->fd, &sx))
            return status_of(errno);
        return special_reparse(f->type, makedev(sx.stx_rdev_major, sx.stx_rdev_minor), buf, psize);
    }
    return STATUS_NOT_A_REPARSE_POINT;
}

/* ---- extended attributes ---- */

/* xattr calls on an open file: its descriptor, or for O_PATH ones the file through our fd's magic link. */
static ssize_t x_list(PTFILE *f, char *list, size_t size)
{
    char buf[40];
    return f->is_path ? listxattr(proc_fd_path(f->fd, buf), list, size) : flistxattr(f->fd, list, size);
}

static ssize_t x_get(PTFILE *f, const char *name, void *value, size_t size)
{
    char buf[40];
    return f->is_path ? getxattr(proc_fd_path(f->fd, buf), name, value, size)
                      : fgetxattr(f->fd, name, value, size);
}

static int x_set(PTFILE *f, const char *name, const void *value, size_t size)
{
    char buf[40];
    return f->is_path ? setxattr(proc_fd_path(f->fd, buf), name, value, size, 0)
                      : fsetxattr(f->fd, name, value, size, 0);
}

static int x_remove(PTFILE *f, const char *name)
{
    char buf[40];
    return f->is_path ? removexattr(proc_fd_path(f->fd, buf), name) : fremovexattr(f->fd, name);
}

static NTSTATUS GetEa(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea, ULONG len,
                      PULONG pbytes)
{
    (void)fs;
    PTFILE *f = ctx;
    *pbytes = 0;
    char *list = 0;
    ssize_t n;
    for (;;) {
        n = x_list(f, 0, 0);
        if (n < 0) {
            if (ENOTSUP == errno || EOPNOTSUPP == errno)
                n = 0; /* no xattrs here: no EAs */
            else
                return status_of(errno);
        }
        free(list);
        list = malloc((size_t)n + 1);
        if (!list)
            return STATUS_INSUFFICIENT_RESOURCES;
        if (0 == n)
            break;
        n = x_list(f, list, (size_t)n);
        if (n >= 0)
            break;
        if (ERANGE != errno) {
            free(list);
            return status_of(errno);
        }
    }
    NTSTATUS status = STATUS_SUCCESS;
    union {
        FILE_FULL_EA_INFORMATION e;
        char raw[sizeof(FILE_FULL_EA_INFORMATION) + 256 + 65536];
    } *u = malloc(sizeof *u);
    if (!u) {
        free(list);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* Local file systems list trusted.* only to CAP_SYS_ADMIN; the kernel leaves that to us:
     * show them to root only (the kernel denies their values to others anyway). */
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *oc = FspFileSystemGetOperationContext();
    bool hide_trusted = oc && oc->Request && 0 != oc->Request->CallerUid;
    for (char *name = list; name < list + n; name += strlen(name) + 1) {
        size_t nl = strlen(name);
        if (0 == nl || nl > 255 || (hide_trusted && 0 == strncmp(name, "trusted.", 8)))
            continue;
        memcpy(u->e.EaName, name, nl + 1);
        ssize_t vl = x_get(f, name, u->e.EaName + nl + 1, 65535);
        if (vl < 0 && ENODATA != errno && ERANGE != errno) {
            /* listed but unreadable (EIO, EACCES, ...): an error, not an attribute not there */
            status = status_of(errno);
            break;
        }
        if (vl < 0)
            continue; /* gone meanwhile or over 65535 bytes (an empty value is listed:
                       * VolumeParams.EmptyEaValues) */
        u->e.NextEntryOffset = 0;
        u->e.Flags = 0;
        u->e.EaNameLength = (UCHAR)nl;
        u->e.EaValueLength = (USHORT)vl;
        if (!FspFileSystemAddEa(&u->e, ea, len, pbytes)) {
            status = STATUS_BUFFER_OVERFLOW;
            break;
        }
    }
    free(u);
    free(list);
    if (NT_SUCCESS(status))
        FspFileSystemAddEa(0, ea, len, pbytes);
    return status;
}

static NTSTATUS set_ea_one(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea)
{
    (void)fs;
    PTFILE *f = ctx;
    char *name = strndup(ea->EaName, ea->EaNameLength);
    if (!name)
        return STATUS_INSUFFICIENT_RESOURCES;
    int r;
    /* EaValueLength 0 deletes, unless it is an empty value (VolumeParams.EmptyEaValues) */
    if (0 == ea->EaValueLength && !(ea->Flags & FSP_FSCTL_EA_EMPTY_VALUE)) {
        r = x_remove(f, name);
        if (r < 0 && ENODATA == errno)
            r = 0;
    } else
        r = x_set(f, name, ea->EaName + ea->EaNameLength + 1, ea->EaValueLength);
    int err = errno;
    free(name);
    if (r < 0)
        return ENOTSUP == err ? STATUS_EAS_NOT_SUPPORTED : status_of(err);
    return STATUS_SUCCESS;
}

static NTSTATUS SetEa(FSP_FILE_SYSTEM *fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea, ULONG len,
                      FSP_FSCTL_FILE_INFO *info)
{
    NTSTATUS status = FspFileSystemEnumerateEa(fs, set_ea_one, ctx, ea, len);
    if (!NT_SUCCESS(status))
        return status;
    return file_info(ctx, info);
}

/* ---- hard links ---- */

static NTSTATUS CreateHardLink(FSP_FILE_SYSTEM *fs, PVOID ctx, PWSTR name, PWSTR newname,
                               FSP_FSCTL_FILE_INFO *info)
{
    PTFS *pt = ptfs_of(fs);
    PTFILE *f = ctx;
    (void)name;
    if (S_ISDIR(f->type))
        return STATUS_ACCESS_DENIED;
    char *rel;
    NTSTATUS status = rel_path(newname, &rel);
    if (!NT_SUCCESS(status))
        return status;
    const char *leaf;
    int pfd = is_root(rel) ? -1 : open_parent(pt, rel, &leaf);
    if (is_root(rel))
        status = STATUS_OBJECT_NAME_COLLISION;
    else if (pfd < 0) {
        status = status_of(errno);
        if (STATUS_OBJECT_NAME_NOT_FOUND == status)
            status = STATUS_OBJECT_PATH_NOT_FOUND;
    } else {
        /* link the very file we have open (AT_EMPTY_PATH: root; the magic link: anyone) */
        int r = linkat(f->fd, "", pfd, leaf, AT_EMPTY_PATH);
        if (r < 0 && (EPERM == errno || EACCES == errno)) {
            char buf[40];
            r = linkat(AT_FDCWD, proc_fd_path(f->fd, buf), pfd, leaf, AT_SYMLINK_FOLLOW);
        }
        status = r < 0 ? status_of(errno) : STATUS_SUCCESS;
        close(pfd);
    }
    free(rel);
    if (NT_SUCCESS(status))
        status = file_info(f, info);
    return status;
}

static VOID DispatcherStopped(FSP_FILE_SYSTEM *fs, BOOLEAN normally)
{
    FspFileSystemStopServiceIfNecessary(fs, normally);
}

static FSP_FILE_SYSTEM_INTERFACE ptfs_interface = {
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
    .SetDelete = SetDelete,
    .CreateEx = CreateEx,
    .GetEa = GetEa,
    .SetEa = SetEa,
    .DispatcherStopped = DispatcherStopped,
    .CreateHardLink = CreateHardLink,
    .Fallocate = Fallocate,
    .RenameExchange = RenameExchange,
    .CreateUnnamed = CreateUnnamed,
};

/* ---- lifecycle ---- */

static void ptfs_delete(PTFS *pt)
{
    if (!pt)
        return;
    if (pt->fs)
        FspFileSystemDelete(pt->fs);
    if (pt->root >= 0)
        close(pt->root);
    free(pt);
}

static NTSTATUS ptfs_create(const char *source, ULONG file_info_timeout, PWSTR prefix,
                            bool backing_files, PTFS **ppt)
{
    *ppt = 0;
    PTFS *pt = calloc(1, sizeof *pt);
    if (!pt)
        return STATUS_INSUFFICIENT_RESOURCES;
    pt->root = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (pt->root < 0) {
        NTSTATUS status = ENOTDIR == errno ? STATUS_NOT_A_DIRECTORY : status_of(errno);
        free(pt);
        return status;
    }
    struct statx sx;
    if (0 != stat_fd(pt->root, &sx)) {
        NTSTATUS status = status_of(errno);
        ptfs_delete(pt);
        return status;
    }
    pt->root_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    pt->root_ino = sx.stx_ino;
    struct statvfs sv;
    unsigned long frsize = 0 == fstatvfs(pt->root, &sv) && sv.f_frsize ? sv.f_frsize : ALLOCATION_UNIT;

    FSP_FSCTL_VOLUME_PARAMS vp;
    memset(&vp, 0, sizeof vp);
    vp.Version = sizeof vp;
    vp.SectorSize = 512;
    vp.SectorsPerAllocationUnit = (UINT16)(frsize >= 512 && frsize <= 65536 ? frsize / 512 : 8);
    vp.MaxComponentLength = NAME_MAX;
    FSP_FSCTL_FILE_INFO rinfo;
    info_of(&sx, &rinfo, 0);
    vp.VolumeCreationTime = rinfo.CreationTime;
    vp.VolumeSerialNumber = (UINT32)(pt->root_dev ^ pt->root_ino);
    vp.FileInfoTimeout = file_info_timeout;
    vp.CaseSensitiveSearch = 1;
    vp.CasePreservedNames = 1;
    vp.UnicodeOnDisk = 1;
    vp.PersistentAcls = 1;
    vp.ReparsePoints = 1;
    vp.ReparsePointsAccessCheck = 0;
    vp.NamedStreams = 0;
    vp.HardLinks = 1;
    vp.ExtendedAttributes = 1;
    vp.NanosecondTimes = 1;      /* LinFsp extensions: the source's exact times, its empty */
    vp.EmptyEaValues = 1;        /* xattr values, and the xattr namespaces of Linux file */
    vp.LinuxXattrNamespaces = 1; /* systems (others are EOPNOTSUPP, as on the source) */
    vp.XattrsPassThrough = 1;    /* the EAs are the source's xattrs, Samba's names too */
    vp.PostCleanupWhenModifiedOnly = 1;
    vp.CasePreservedExtendedAttributes = 1;
    vp.CaseSensitiveExtendedAttributes = 1; /* LinFsp: EA names are the source's xattr names */
    vp.SupportsPosixUnlinkRename = 1;
    vp.PassthroughBackingFiles = backing_files;
    pt->backing_files = backing_files;
    if (prefix)
        wcsncpy(vp.Prefix, prefix, ARRAYSIZE(vp.Prefix) - 1);
    wcsncpy(vp.FileSystemName, L"" PROGNAME, ARRAYSIZE(vp.FileSystemName) - 1);
    NTSTATUS status = FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &vp, &ptfs_interface, &pt->fs);
    if (!NT_SUCCESS(status)) {
        pt->fs = 0;
        ptfs_delete(pt);
        return status;
    }
    pt->fs->UserContext = pt;
    *ppt = pt;
    return STATUS_SUCCESS;
}

/* ---- the program ---- */

static PTFS *ptfs;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROGNAME " OPTIONS\n"
            "\n"
            "options:\n"
            "    -p SourceDir        directory to serve (required)\n"
            "    -m MountPoint       directory to mount on (required)\n"
            "    -t FileInfoTimeout  ms the kernel caches metadata; -1 also caches data (default 1000)\n"
            "    -d DebugFlags       trace requests (-1: all)\n"
            "    -D DebugLogFile     trace to this file ('-' for stderr)\n"
            "    -u \\Server\\Share    volume prefix (shown as the mount source)\n"
            "    -o Options          mount options (allow_other, ro, ...); may repeat\n"
            "    -P1, -P0            kernel passthrough on (default) or off: the kernel reads and\n"
            "                        writes regular files on the source itself (Linux 6.9+, root)\n"
            "    -h                  this help\n"
            "\n"
            "Runs in the foreground until SIGINT or SIGTERM. Acts on SourceDir with the\n"
            "rights of the user running it (root: all of them); the kernel checks each\n"
            "caller's access against the modes shown.\n");
}

static int parse_ulong(const char *s, bool allow_minus_one, unsigned long long *pv)
{
    if (allow_minus_one && 0 == strcmp(s, "-1")) {
        *pv = ULLONG_MAX;
        return 0;
    }
    if (!s[0] || '-' == s[0])
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *pv = v;
    return 0;
}

static PWSTR widen(const char *s)
{
    size_t n = mbstowcs(0, s, 0);
    if ((size_t)-1 == n)
        return 0;
    PWSTR w = malloc((n + 1) * sizeof(WCHAR));
    if (w)
        mbstowcs(w, s, n + 1);
    return w;
}

/* Is path equal to or beneath dir (both canonical)? */
static bool path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (1 == n && '/' == dir[0])
        return true;
    return 0 == strncmp(path, dir, n) && ('\0' == path[n] || '/' == path[n]);
}

/* The command line's settings (SvcStart's options, before any is acted on). */
struct pt_options {
    const char *source, *mountpoint, *debug_file, *prefix;
    char *options; /* the -o options joined by commas (malloc'd) */
    unsigned long long timeout, debug;
    bool backing_files;
};

/* The wide argv as multibyte strings (an unconvertible argument becomes "?"). */
static char **narrow_argv(ULONG argc, PWSTR *argv)
{
    char **av = calloc(argc + 1, sizeof *av);
    if (!av)
        return 0;
    for (ULONG i = 0; i < argc; i++) {
        size_t n = wcstombs(0, argv[i], 0);
        av[i] = (size_t)-1 == n ? 0 : malloc(n + 1);
        if (av[i])
            wcstombs(av[i], argv[i], n + 1);
        else
            av[i] = strdup("?");
    }
    return av;
}

static void free_argv(ULONG argc, char **av)
{
    for (ULONG i = 0; i < argc; i++)
        free(av[i]);
    free(av);
}

/* Append one -o argument to the comma-separated options; -1 when out of memory. */
static int append_option(char **poptions, const char *arg)
{
    size_t old = *poptions ? strlen(*poptions) : 0;
    char *n = realloc(*poptions, old + strlen(arg) + 2);
    if (!n)
        return -1;
    if (old)
        n[old++] = ',';
    strcpy(n + old, arg);
    *poptions = n;
    return 0;
}

/* Parse the options into o (defaults first); a bad one is reported with the usage. */
static NTSTATUS parse_options(int argc, char **av, struct pt_options *o)
{
    memset(o, 0, sizeof *o);
    o->timeout = 1000;
    o->backing_files = true;
    int opt;
    optind = 1;
    opterr = 0;
    while (-1 != (opt = getopt(argc, av, "+p:m:t:d:D:u:o:P::h"))) {
        int bad = 0;
        switch (opt) {
        case 'p': o->source = optarg; break;
        case 'm': o->mountpoint = optarg; break;
        case 't': bad = parse_ulong(optarg, true, &o->timeout); break;
        case 'd': bad = parse_ulong(optarg, true, &o->debug); break;
        case 'D': o->debug_file = optarg; break;
        case 'u': o->prefix = optarg; break;
        case 'P':
            if (!optarg || 0 == strcmp(optarg, "1"))
                o->backing_files = true;
            else if (0 == strcmp(optarg, "0"))
                o->backing_files = false;
            else
                bad = 1;
            break;
        case 'o': bad = append_option(&o->options, optarg); break;
        case 'h':
            usage(stderr);
            return STATUS_INVALID_PARAMETER;
        default:
            bad = 1;
        }
        if (bad) {
            if ('?' == opt)
                fprintf(stderr, PROGNAME ": unknown option -%c\n", optopt);
            else if (':' == opt)
                fprintf(stderr, PROGNAME ": option -%c needs a value\n", optopt);
            else
                fprintf(stderr, PROGNAME ": invalid value for -%c: %s\n", opt, optarg);
            usage(stderr);
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (optind < argc || !o->source || !o->mountpoint) {
        fprintf(stderr, PROGNAME ": %s\n",
                optind < argc  ? "unexpected argument"
                : !o->source   ? "-p SourceDir is required"
                               : "-m MountPoint is required");
        usage(stderr);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* Refuse a source that does not resolve, or a mount point inside the source. */
static NTSTATUS check_source(const char *source, const char *mountpoint)
{
    /* Serving a directory inside its own mount would make the passthrough call itself. */
    char *rs = realpath(source, 0), *rm = realpath(mountpoint, 0);
    bool loop = rs && rm && path_within(rm, rs);
    if (!rs)
        fprintf(stderr, PROGNAME ": %s: %s\n", source, strerror(errno));
    else if (loop)
        fprintf(stderr, PROGNAME ": the mount point %s is inside the source %s\n", rm, rs);
    free(rs), free(rm);
    return !rs || loop ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

/* Send the trace to -D's file ('-': stderr), when one is given. */
static NTSTATUS open_debug_log(const char *debug_file)
{
    if (!debug_file)
        return STATUS_SUCCESS;
    int fd = 0 == strcmp(debug_file, "-")
                 ? 2
                 : open(debug_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, PROGNAME ": cannot open %s: %s\n", debug_file, strerror(errno));
        return STATUS_INVALID_PARAMETER;
    }
    FspDebugLogSetFd(fd);
    return STATUS_SUCCESS;
}

/* Apply the mount options, mount at the mount point and start serving; ptfs is deleted on failure. */
static NTSTATUS mount_and_start(const struct pt_options *o, PWSTR wmount)
{
    FSP_FILE_SYSTEM *fs = ptfs->fs;
    fs->DebugLog = (UINT32)o->debug;
    NTSTATUS status = STATUS_SUCCESS;
    if (o->options) {
        status = FspFileSystemSetMountOptions(fs, o->options);
        if (!NT_SUCCESS(status))
            fprintf(stderr, PROGNAME ": invalid mount options: %s\n", o->options);
    }
    if (NT_SUCCESS(status)) {
        status = FspFileSystemSetMountPoint(fs, wmount);
        if (!NT_SUCCESS(status))
            fprintf(stderr, PROGNAME ": cannot mount at %s: %s\n", o->mountpoint,
                    STATUS_OBJECT_PATH_NOT_FOUND == status ? "mount point does not exist"
                    : STATUS_NOT_A_DIRECTORY == status     ? "mount point is not a directory"
                    : STATUS_DEVICE_BUSY == status         ? "already mounted there"
                    : STATUS_NO_SUCH_DEVICE == status      ? "no FUSE device (/dev/fuse)"
                                                           : strerror(FspErrnoFromNtStatus(status)));
    }
    if (NT_SUCCESS(status)) {
        status = FspFileSystemStartDispatcher(fs, 0);
        if (!NT_SUCCESS(status))
            fprintf(stderr, PROGNAME ": cannot start the dispatcher: %s\n",
                    strerror(FspErrnoFromNtStatus(status)));
    }
    if (!NT_SUCCESS(status)) {
        ptfs_delete(ptfs);
        ptfs = 0;
    } else
        fprintf(stderr, PROGNAME ": serving %s at %s\n", o->source, o->mountpoint);
    return status;
}

/* Create the file system over the source (volume parameters from the options), then mount and start it. */
static NTSTATUS create_and_start(const struct pt_options *o)
{
    PWSTR wprefix = o->prefix ? widen(o->prefix) : 0;
    PWSTR wmount = widen(o->mountpoint);
    NTSTATUS status;
    if (!wmount || (o->prefix && !wprefix)) {
        fprintf(stderr, PROGNAME ": invalid characters in an argument\n");
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }
    status = ptfs_create(o->source, ULLONG_MAX == o->timeout || o->timeout > 0xfffffffeULL ? INFINITE
                                                                                      : (ULONG)o->timeout,
                         wprefix, o->backing_files, &ptfs);
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, PROGNAME ": cannot serve %s: %s\n", o->source,
                STATUS_NOT_A_DIRECTORY == status ? "not a directory"
                                                 : strerror(FspErrnoFromNtStatus(status)));
        goto out;
    }
    status = mount_and_start(o, wmount);
out:
    free(wprefix), free(wmount);
    return status;
}

static NTSTATUS SvcStart(FSP_SERVICE *service, ULONG argc, PWSTR *argv)
{
    (void)service;
    char **av = narrow_argv(argc, argv);
    if (!av)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct pt_options o;
    NTSTATUS status = parse_options((int)argc, av, &o);
    if (NT_SUCCESS(status))
        status = check_source(o.source, o.mountpoint);
    if (NT_SUCCESS(status))
        status = open_debug_log(o.debug_file);
    if (NT_SUCCESS(status))
        status = create_and_start(&o);
    free(o.options);
    free_argv(argc, av);
    return status;
}

static NTSTATUS SvcStop(FSP_SERVICE *service)
{
    (void)service;
    if (ptfs) {
        FspFileSystemStopDispatcher(ptfs->fs);
        ptfs_delete(ptfs);
        ptfs = 0;
    }
    return STATUS_SUCCESS;
}

int main(int argc, char **argv)
{
    /* WCHAR is UTF-32: make the C library's multibyte conversions UTF-8. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    if (2 == argc && (0 == strcmp(argv[1], "-h") || 0 == strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    /* Modes arrive with the caller's umask applied already: create exactly what is asked. */
    umask(0);
    return (int)FspServiceRunArgv(L"" PROGNAME, argc, argv, SvcStart, SvcStop, 0, 0);
}
