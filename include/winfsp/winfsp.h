/**
 * @file winfsp/winfsp.h
 * LinFsp's native API: WinFsp's native API for Linux.
 *
 * A file system is an FSP_FILE_SYSTEM_INTERFACE (a table of callbacks) and an
 * FSP_FSCTL_VOLUME_PARAMS. FspFileSystemCreate() makes the file system object,
 * FspFileSystemSetMountPoint() mounts it on a directory, and
 * FspFileSystemStartDispatcher() starts the engine's worker threads, which
 * read the Linux kernel's FUSE requests from /dev/fuse and call the callbacks.
 * Names and semantics follow WinFsp's winfsp.h, so that a file system written
 * for WinFsp ports with changes only where it calls Windows itself. Every
 * deviation from WinFsp and every extension is listed in doc/native-api.md;
 * doc/design.md says which callbacks each Linux operation reaches.
 *
 * @par Conventions
 * - File names are WCHAR (wchar_t, UTF-32) strings with backslash separators:
 *   full paths from the volume root ("\dir\file"; the root is "\"). Linux
 *   names are mapped to this form by the POSIX mapping (FspPosixMapPosixToWindowsPathEx()).
 * - FileContext is whatever Create, CreateEx or Open stored through
 *   PFileContext (with VolumeParams.UmFileContextIsFullContext: the address of
 *   an FSP_FSCTL_TRANSACT_FULL_CONTEXT).
 * - Every callback returns an NTSTATUS; the engine answers the kernel with
 *   FspErrnoFromNtStatus() of it, except where a member says otherwise.
 * - Every callback that opens, creates or changes a file returns the file's
 *   fresh FSP_FSCTL_FILE_INFO.
 * - A member left NULL means "not implemented"; each member says what Linux
 *   programs then see.
 *
 * @par Threads, the operation guard and ordering
 * The engine calls the interface from its worker threads (by default twice
 * the CPUs, 2 to 16), several at once. Around each call it takes the operation
 * guard (FspFileSystemOpEnter() / FspFileSystemOpLeave()): with the default
 * FINE strategy, namespace changes (Create, CreateEx, Overwrite, Cleanup that
 * deletes, Rename, CreateHardLink, Flush of the volume) are exclusive,
 * namespace reads (Open, SetDelete, CanDelete, ReadDirectory, GetVolumeInfo)
 * are shared, and everything else runs unguarded, concurrently with anything,
 * including other calls on the same FileContext (a Read and a Write, a
 * GetFileInfo and a SetFileSize): a file system protects its per-file state
 * itself. The guard covers one interface call, not a whole Linux operation.
 * Inside a callback FspFileSystemGetOperationContext() gives the engine's
 * description of the call (FSP_FSCTL_TRANSACT_REQ: kind, caller, parameters).
 * A callback must not call FspFileSystemStopDispatcher() or
 * FspFileSystemDelete() (they wait for the workers), nor FspFileSystemNotify()
 * for the file it is working on.
 *
 * @par Asynchronous completion
 * Read, Write and ReadDirectory may return STATUS_PENDING and complete later,
 * from any thread, with FspFileSystemSendResponse(). Their buffers stay valid
 * until then (the engine gives the worker fresh ones). STATUS_PENDING from any
 * other member counts as success.
 *
 * @par LinFsp extensions
 * Marked "LinFsp extension" where they are declared: CreateHardLink and
 * VolumeParams.HardLinks, FspFileSystemSetMountOptions(),
 * FspFileSystemSetOpenBackingFile() and VolumeParams.PassthroughBackingFiles,
 * VolumeParams.WritebackCache, VolumeParams.NanosecondTimes (with
 * FSP_FSCTL_FILE_NSEC and FspFileSystemGetFileInfoNsec()),
 * VolumeParams.EmptyEaValues, VolumeParams.LinuxXattrNamespaces,
 * Req.QueryEa.Name, VolumeParams.XattrsPassThrough, FspUpcaseChar(),
 * VolumeParams.CaseSensitiveExtendedAttributes,
 * RenameExchange, CreateUnnamed, FspNtStatusFromErrno(), FspErrnoFromNtStatus(),
 * FspPosixMapGidToSid(), FspServiceRunArgv(), FspDebugLogSetFd(),
 * FSP_SERVICE::StopSignal, FSP_FILE_SYSTEM::Engine and the Caller* members of
 * FSP_FSCTL_TRANSACT_REQ; Fallocate; access tokens and the access check
 * (FSP_ACCESS_TOKEN, FspPosixCreateAccessToken(), FspAccessCheckToken()) and
 * FspSecurityDescriptorAddAccessAllowedAce(); and, for file systems with POSIX
 * semantics of their own (LinFsp's FUSE layer), the members SetPosixSecurity,
 * FlushDescriptor, PosixLock, Flock, Ioctl, Poll and Access, the volume flags
 * MountOptionsAsGiven, SymlinkAttributesFromFileInfo, FileMountPoint and
 * NegativeEntryTimeoutValid, Req.Create.PosixOpen/PosixFlags and
 * Req.LockControl of FSP_FSCTL_TRANSACT_REQ, FspFileSystemSetOpenFlags(),
 * FspFileSystemNotifyPoll(), FspFileSystemDeviceDescriptor(),
 * FspFileSystemDetachDevice(), FSP_STATUS_FROM_ERRNO(), FspPosixMakeSymlinkReparseData()
 * and FspPosixGetSymlinkTarget(), and mount points
 * "/dev/fd/N" and regular files (FspFileSystemSetMountPoint()). The launch
 * API, WinFsp's FspLaunch* functions, is in winfsp/launch.h.
 *
 * @par Porting
 * A WinFsp file system includes <winfsp/win32-compat.h> for the Windows calls
 * it makes; what the engine does for it that WinFsp's driver did (Cleanup
 * flags, link counts, rename over a directory, EA lists and names) is in
 * doc/porting.md.
 */
#ifndef WINFSP_WINFSP_H_INCLUDED
#define WINFSP_WINFSP_H_INCLUDED

#include <winfsp/fsctl.h>
#include <stdarg.h>
#include <pthread.h>
/* WinFsp code gets these through <windows.h>; LinFsp's header provides them itself. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the functions liblinfsp exports (the library hides every other symbol). */
#define FSP_API __attribute__((visibility("default")))

/** LinFsp's major version, as FspVersion() reports it (major << 16 | minor). */
#define FSP_VERSION_MAJOR 0
/** LinFsp's minor version, as FspVersion() reports it. */
#define FSP_VERSION_MINOR 1

/** A file system instance (struct _FSP_FILE_SYSTEM). */
typedef struct _FSP_FILE_SYSTEM FSP_FILE_SYSTEM;
/** WinFsp's type of the operation guard hooks: the same as FSP_FILE_SYSTEM_OPERATION. */
typedef NTSTATUS FSP_FILE_SYSTEM_OPERATION_GUARD(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *,
                                                 FSP_FSCTL_TRANSACT_RSP *);
/**
 * The type of the operation guard hooks (FSP_FILE_SYSTEM::EnterOperation and
 * FSP_FILE_SYSTEM::LeaveOperation, FspFileSystemOpEnter(), FspFileSystemOpLeave()).
 * The engine calls them around every interface call with the request it
 * describes; their return value is ignored.
 */
typedef NTSTATUS FSP_FILE_SYSTEM_OPERATION(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *,
                                           FSP_FSCTL_TRANSACT_RSP *);

/**
 * How the default operation guard serializes interface calls (WinFsp's
 * strategies). Chosen with FspFileSystemSetOperationGuardStrategy() before
 * FspFileSystemStartDispatcher().
 */
typedef enum {
    /**
     * FINE (default): namespace changes are exclusive, namespace reads shared,
     * everything else unguarded. Decided per call from the request's kind:
     * - exclusive: Create and CreateEx (disposition FILE_CREATE), Overwrite and
     *   OverwriteEx (and SetFileSize standing in for them at open(O_TRUNC)),
     *   Cleanup with FspCleanupDelete, Rename, CreateHardLink, SetVolumeLabel,
     *   Flush of the volume (FileContext NULL);
     * - shared: Open, SetDelete and CanDelete, ReadDirectory, GetVolumeInfo;
     * - none: everything else (Read, Write, GetFileInfo, SetBasicInfo,
     *   SetFileSize, GetSecurity, GetSecurityByName, SetSecurity, GetEa, SetEa,
     *   GetReparsePoint, SetReparsePoint, Control, Flush of a file, Cleanup
     *   without delete, Close).
     * The engine also lets the kernel run directory operations in parallel
     * (FUSE_PARALLEL_DIROPS).
     */
    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE = 0,
    /** COARSE: every interface call is exclusive; the kernel also serializes directory operations. */
    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE,
} FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY;

/**
 * The Flags of Cleanup. The Set* flags come where Linux shows their effect and only when the
 * file system did not do the work itself (see FSP_FILE_SYSTEM_INTERFACE::Cleanup).
 */
enum {
    FspCleanupDelete = 0x01,            /**< delete the file now (unlink(2), rmdir(2)); FileName is its name */
    FspCleanupSetAllocationSize = 0x02, /**< trim the allocation to the size: after a truncation that left more allocated than needed */
    FspCleanupSetArchiveBit = 0x10,     /**< set FILE_ATTRIBUTE_ARCHIVE: with SetLastWriteTime or SetChangeTime */
    FspCleanupSetLastAccessTime = 0x20, /**< set the access time to now: at the first read through an open, by Linux's relatime rule */
    FspCleanupSetLastWriteTime = 0x40,  /**< set the last write time to now: after a write or size change whose FileInfo showed an older one */
    FspCleanupSetChangeTime = 0x80,     /**< set the change time to now: after a write, size, mode, owner or xattr change whose FileInfo showed an older one */
};

/** Fallocate modes (LinFsp extension; the values of Linux's FALLOC_FL_*). */
enum {
    FSP_FALLOCATE_KEEP_SIZE = 0x01,  /**< do not change the file size */
    FSP_FALLOCATE_PUNCH_HOLE = 0x02, /**< deallocate the range (with KEEP_SIZE): it reads as zeros */
    FSP_FALLOCATE_ZERO_RANGE = 0x10, /**< the range reads as zeros and is allocated */
};

/**
 * The operations a file system implements: WinFsp's 64-slot table, with the
 * LinFsp extensions CreateHardLink, Fallocate, SetPosixSecurity,
 * FlushDescriptor, PosixLock, Flock, Ioctl, Poll, Access, RenameExchange and
 * CreateUnnamed in the first reserved slots.
 *
 * Each member says which Linux operations reach it, what it receives, what it
 * returns, which operation guard it runs under (strategy FINE; COARSE makes
 * every call exclusive), what the engine checks, and what Linux sees when the
 * member is NULL. General rules are in the file's description: names are full
 * backslash paths, calls come from several threads at once, results become
 * errno values through FspErrnoFromNtStatus().
 *
 * Besides the opens Linux programs make, the engine opens files for itself to
 * answer name-based requests (lookup, stat(2) and chmod(2) by name, unlink(2),
 * rename(2), link(2), readlink(2), xattrs): Open, a few calls on the context,
 * then Cleanup and Close. A file system therefore sees many short Open/Close
 * pairs; keep Open cheap.
 *
 * The table is read, not copied: it must stay valid and unchanged while the
 * file system object exists.
 */
typedef struct _FSP_FILE_SYSTEM_INTERFACE {
    /**
     * Get the volume's sizes, for statfs(2).
     *
     * The engine zeroes VolumeInfo before the call and reports blocks of
     * SectorSize * SectorsPerAllocationUnit bytes, FreeSize clamped to
     * TotalSize, one file per block (the native API has no file counts) and
     * MaxComponentLength as the name length. The label is what ioctl(2)
     * FS_IOC_GETFSLABEL on the mount returns (UTF-8), whatever
     * VolumeParams.DeviceControl says.
     *
     * Guard: shared. Without this member statfs(2) succeeds with all sizes 0.
     * @param FileSystem the file system
     * @param VolumeInfo receives TotalSize and FreeSize (and the label)
     * @return STATUS_SUCCESS, or the error statfs(2) fails with
     */
    NTSTATUS (*GetVolumeInfo)(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_VOLUME_INFO *VolumeInfo);
    /**
     * Set the volume label: ioctl(2) FS_IOC_SETFSLABEL on the mount (any file
     * or directory of it), by a caller with CAP_SYS_ADMIN, whatever
     * VolumeParams.DeviceControl says. Labels longer than the 32 characters
     * of FSP_FSCTL_VOLUME_INFO are EINVAL before the call.
     *
     * Guard: exclusive. Without this member FS_IOC_SETFSLABEL fails with ENOTTY.
     * @param FileSystem the file system
     * @param VolumeLabel the new label (NUL-terminated)
     * @param VolumeInfo receives the volume information
     * @return an NTSTATUS
     */
    NTSTATUS (*SetVolumeLabel)(FSP_FILE_SYSTEM *FileSystem, PWSTR VolumeLabel,
                               FSP_FSCTL_VOLUME_INFO *VolumeInfo);
    /**
     * Get a file's security descriptor by name.
     *
     * The engine derives owner, group and permission bits from security
     * descriptors (FspPosixMapSecurityDescriptorToPermissions()); the kernel
     * then checks them (the mount always has default_permissions). It calls
     * this member where it has a name but no open context of the file (each
     * entry of readdirplus; an open context when GetSecurity is NULL), and
     * for the parent directory when something is created in it (a set-group-ID
     * parent gives its group to the new file).
     *
     * The first call gets a 1024-byte buffer. Answer STATUS_BUFFER_OVERFLOW or
     * STATUS_BUFFER_TOO_SMALL with the needed size in *PSecurityDescriptorSize
     * (at most 64 KiB) to be called again with that much. The engine checks the
     * descriptor it gets (FspIsValidSecurityDescriptor()); an invalid one makes
     * the request fail with EIO. STATUS_NOT_IMPLEMENTED or
     * STATUS_INVALID_DEVICE_REQUEST count as "no security", as a NULL member does.
     *
     * Implement both GetSecurity and GetSecurityByName or neither: without any,
     * every file is owned by the user who mounted, mode 0777 (directories) or
     * 0666 (files), without write bits on a read-only volume.
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileName the file's full name
     * @param PFileAttributes receives the file's attributes (WinFsp: or a
     *        reparse point index with STATUS_REPARSE); never NULL, and ignored
     *        by the engine, which does not expect STATUS_REPARSE
     * @param SecurityDescriptor the buffer to fill with a self-relative
     *        security descriptor (never NULL from the engine; WinFsp may pass
     *        NULL when it wants only the attributes)
     * @param PSecurityDescriptorSize in: bytes available; out: bytes used, or
     *        the size needed with STATUS_BUFFER_OVERFLOW
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_BUFFER_OVERFLOW, ...
     */
    NTSTATUS (*GetSecurityByName)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName,
                                  PUINT32 PFileAttributes /* or ReparsePointIndex */,
                                  PSECURITY_DESCRIPTOR SecurityDescriptor,
                                  SIZE_T *PSecurityDescriptorSize);
    /**
     * Create a new file or directory; fail when the name exists.
     *
     * Called only when CreateEx is NULL, for open(2) with O_CREAT of a name
     * the kernel does not know (creat(2)), mkdir(2), mknod(2), and, followed by
     * SetReparsePoint, for symlink(2) and mknod(2) of FIFOs, sockets and devices.
     * The disposition is always FILE_CREATE: a name that exists must fail with
     * STATUS_OBJECT_NAME_COLLISION (for an open(O_CREAT) without O_EXCL the
     * engine then opens the existing file with Open, checks the caller's
     * permission bits and truncates on O_TRUNC, as open(2) does).
     *
     * The created file stays open: for open(2) until its release; for
     * mkdir(2), mknod(2) and symlink(2) the engine reads its attributes and
     * then calls Cleanup and Close. If the engine cannot complete the request
     * after a successful Create (out of memory, SetReparsePoint failed) it
     * removes the file again with Cleanup(FspCleanupDelete) and Close.
     * The file system may call FspFileSystemSetOpenBackingFile() here.
     *
     * Guard: exclusive.
     * @param FileSystem the file system
     * @param FileName the new file's full name
     * @param CreateOptions FILE_DIRECTORY_FILE (mkdir) or FILE_NON_DIRECTORY_FILE
     * @param GrantedAccess the access asked for, not the result of an access
     *        check (the kernel checked the directory): from O_ACCMODE,
     *        FILE_GENERIC_READ, FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES or
     *        both, plus DELETE; mkdir: FILE_LIST_DIRECTORY |
     *        FILE_READ_ATTRIBUTES | SYNCHRONIZE; mknod and symlink:
     *        FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | DELETE
     * @param FileAttributes FILE_ATTRIBUTE_ARCHIVE (file),
     *        FILE_ATTRIBUTE_DIRECTORY (directory) or FILE_ATTRIBUTE_REPARSE_POINT
     *        (symlink or special file)
     * @param SecurityDescriptor the new file's self-relative descriptor, never
     *        NULL: owner the caller's uid, group the caller's gid (the parent's
     *        when the parent is set-group-ID; a new directory then keeps
     *        S_ISGID), a protected DACL from the mode after the umask
     *        (FspPosixMapPermissionsToSecurityDescriptor()). The parent's
     *        inheritable ACEs are not applied. Valid during the call only: copy it
     * @param AllocationSize always 0
     * @param PFileContext receives the file context that later calls get
     *        (with UmFileContextIsFullContext: points to the
     *        FSP_FSCTL_TRANSACT_FULL_CONTEXT to fill)
     * @param FileInfo receives the new file's information (the FileInfo of an
     *        FSP_FSCTL_OPEN_FILE_INFO, see FspFileSystemGetOpenFileInfo())
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_COLLISION, STATUS_OBJECT_PATH_NOT_FOUND, ...
     */
    NTSTATUS (*Create)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                       UINT32 GrantedAccess, UINT32 FileAttributes,
                       PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
                       PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Open an existing file or directory.
     *
     * Called for open(2) and opendir(3) of known names, and for every open the
     * engine makes for itself: to look a name up (FILE_READ_ATTRIBUTES),
     * for stat(2), chmod(2), truncate(2), utimensat(2) by name, readlink(2),
     * the xattr calls, unlink(2), rmdir(2) and rename(2) (DELETE |
     * FILE_READ_ATTRIBUTES), link(2) (FILE_READ_ATTRIBUTES |
     * FILE_WRITE_ATTRIBUTES), and to read a symlink's target for its size.
     * Each of the engine's own opens ends with Cleanup and Close.
     *
     * Open a reparse point itself (symlinks included): never follow it. The
     * engine checks the type from FileInfo->FileAttributes: opendir(3) of a
     * file fails with ENOTDIR, open(2) of a directory for writing with EISDIR.
     * When a lookup gets STATUS_OBJECT_NAME_NOT_FOUND or
     * STATUS_OBJECT_PATH_NOT_FOUND the kernel caches the name as absent for
     * the entry timeout. The file system may call
     * FspFileSystemSetOpenBackingFile() here.
     * Do not fail an open with STATUS_INVALID_DEVICE_REQUEST or
     * STATUS_NOT_IMPLEMENTED: they become ENOSYS, which the kernel takes as
     * "this file system needs no opens" and stops sending opens (or
     * opendirs) for the rest of the mount.
     *
     * Guard: shared. Without this member every lookup and open is answered
     * ENOSYS: implement it.
     * @param FileSystem the file system
     * @param FileName the file's full name
     * @param CreateOptions always FILE_OPEN_REPARSE_POINT
     * @param GrantedAccess the access asked for (no access check is made:
     *        the kernel checks the permission bits): FILE_GENERIC_READ,
     *        FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES or both by O_ACCMODE
     *        (write-only opens also get FILE_GENERIC_READ with the writeback
     *        cache); FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE
     *        for opendir(3); what the operation needs for the engine's own opens
     * @param PFileContext receives the file context (see Create)
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND, ...
     */
    NTSTATUS (*Open)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                     UINT32 GrantedAccess, PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Truncate an open file to 0 bytes: open(2) with O_TRUNC.
     *
     * Called after Open (or after Open of an existing name in an
     * open(O_CREAT | O_TRUNC)), only when OverwriteEx is NULL; without either
     * the engine calls SetFileSize(0) in their place. Before it, with
     * FUSE_HANDLE_KILLPRIV_V2, the engine may drop the file's set-ID bits and
     * capabilities (GetFileInfo, GetSecurity, SetSecurity, GetEa, SetEa). The
     * file system may call FspFileSystemSetOpenBackingFile() here.
     *
     * Guard: exclusive. Implement one of Overwrite, OverwriteEx or SetFileSize:
     * without all three the engine answers open(O_TRUNC) with ENOSYS, which
     * the kernel takes as "no opens needed" for the rest of the mount (see Open).
     * @param FileSystem the file system
     * @param FileContext the file, as Open returned it
     * @param FileAttributes always 0
     * @param ReplaceFileAttributes always FALSE
     * @param AllocationSize always 0
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS or an error (the open fails, and the engine closes the file)
     */
    NTSTATUS (*Overwrite)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 FileAttributes,
                          BOOLEAN ReplaceFileAttributes, UINT64 AllocationSize,
                          FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * An open of the file ends; with FspCleanupDelete, delete the file now.
     *
     * Called before Close: at the release of an open file description (the
     * last close(2) of it), at the end of each of the engine's own opens, and
     * after SetDelete or CanDelete succeeded for unlink(2) or rmdir(2), with
     * FspCleanupDelete and the name. Deletion is POSIX-style: remove the name
     * at that Cleanup and keep the file usable through its other open contexts
     * until their Close. The deleting open is one the engine made for
     * itself; there is no delete-on-close.
     *
     * LinFsp extension: a delete can fail here (the directory got an entry
     * since CanDelete, the backing store refuses). With FspCleanupDelete the
     * engine sets the operation context's Response->IoStatus.Status to
     * STATUS_PENDING before the call; Cleanup reports the outcome by setting
     * it to STATUS_SUCCESS (the name is gone) or to the failure (the name is
     * still there; e.g. STATUS_DIRECTORY_NOT_EMPTY, STATUS_ACCESS_DENIED),
     * which unlink(2) or rmdir(2) then returns. A Cleanup that leaves
     * STATUS_PENDING (one written for WinFsp) makes the engine check that the
     * name is gone (an Open of it fails, or opens another IndexNumber); if it
     * is not, the caller gets EIO.
     *
     * Skipped when Flags would be 0 and VolumeParams.PostCleanupWhenModifiedOnly
     * is set.
     *
     * WinFsp's other flags (FspCleanupSetLastWriteTime, SetChangeTime,
     * SetArchiveBit, SetLastAccessTime, SetAllocationSize) come where Linux
     * shows their effect, and only when the file system did not do the work:
     * after a Write, SetFileSize, SetSecurity (mode, owner) or SetEa whose
     * FileInfo shows a time older than the operation's start, the engine opens
     * the file by name, calls Cleanup with the flags owed and Closes it; at the
     * first read through an open, SetLastAccessTime by the relatime rule
     * (never on a read-only volume, with noatime, or for an O_NOATIME open).
     * A file without a name gets the same effect through SetBasicInfo and
     * SetFileSize. A file system that updates times itself (as LinFsp's
     * memfs) sees only the access time's. Request->Req.Cleanup's bits match
     * Flags. See doc/porting.md.
     *
     * Guard: exclusive with FspCleanupDelete, else none. Without this member
     * nothing can be deleted: unlink(2) and rmdir(2) fail with EACCES.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param FileName the file's name with FspCleanupDelete; otherwise NULL
     * @param Flags FspCleanupDelete, the Set* flags owed, or 0
     */
    VOID (*Cleanup)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName, ULONG Flags);
    /**
     * Release a file context: the last call with it.
     *
     * Called after Cleanup for every context Create, CreateEx or Open
     * returned. The engine has already taken the open out of its tables, so no
     * other call can be given this context any more; calls started earlier
     * with it have returned (asynchronous ones excepted: complete pending
     * operations before freeing what they use). With
     * UmFileContextIsFullContext the engine frees the
     * FSP_FSCTL_TRANSACT_FULL_CONTEXT after this call.
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the file context to release
     */
    VOID (*Close)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext);
    /**
     * Read from an open file: read(2), pread(2), mmap(2) page-ins, readahead.
     *
     * Length is at most 1 MiB. Place the data at Buffer and the count in
     * *PBytesTransferred: fewer bytes than asked for is a short read, and
     * STATUS_END_OF_FILE (a read at or past the end) answers 0 bytes. A count
     * above Length is an error (EIO). Not called for opens in kernel
     * passthrough mode (FspFileSystemSetOpenBackingFile()). Before the first
     * Read through an open the engine calls GetFileInfo, and when Linux's
     * relatime rule says the access time is due, passes
     * FspCleanupSetLastAccessTime to a Cleanup of an open of its own (see
     * Cleanup).
     *
     * May return STATUS_PENDING and complete later with
     * FspFileSystemSendResponse(): Response.Hint and Kind from the request
     * (FspFileSystemGetOperationContext() during this call),
     * IoStatus.Status, and IoStatus.Information = the byte count. Buffer (also
     * Request->Req.Read.Address) stays valid until then; the data must be in it
     * before the response is sent. If the caller is interrupted first, the
     * engine answers EINTR at once and discards the late response.
     *
     * Guard: none (reads and writes of one file may run at the same time).
     * Without this member read(2) fails with EINVAL.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param Buffer where to place the data: Length bytes of the engine's memory
     * @param Offset the file offset
     * @param Length bytes asked for (at most 1 MiB)
     * @param PBytesTransferred receives the bytes read
     * @return STATUS_SUCCESS, STATUS_END_OF_FILE, STATUS_PENDING or an error
     */
    NTSTATUS (*Read)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                     ULONG Length, PULONG PBytesTransferred);
    /**
     * Write to an open file: write(2), pwrite(2), mmap(2) write-back.
     *
     * Buffer is the kernel's data in the engine's request buffer: do not
     * modify it. Length is at most 1 MiB. Report the bytes written in
     * *PBytesTransferred (more than Length is an error, EIO). The engine reads
     * FileInfo's times: a LastWriteTime or ChangeTime older than the write
     * means the file system leaves them to Cleanup flags, which the engine
     * then passes (see Cleanup).
     * Before the first write to a file not known to be clean, with
     * FUSE_HANDLE_KILLPRIV_V2, the engine drops set-ID bits and capabilities
     * (GetFileInfo, GetSecurity, SetSecurity, GetEa, SetEa). With
     * VolumeParams.WritebackCache the kernel writes whole pages later, through
     * any writable open of the file, not on behalf of the writer. Not called for
     * opens in kernel passthrough mode.
     *
     * May return STATUS_PENDING and complete later with
     * FspFileSystemSendResponse() (IoStatus.Information = bytes written);
     * Buffer stays valid until then. An interrupted pending Write is answered
     * EINTR at once, except over FUSE io_uring, where its data lives in the
     * kernel's ring entry: it is answered when the file system completes it.
     *
     * Guard: none. Without this member write(2) fails with EINVAL.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param Buffer the data, read-only
     * @param Offset the file offset (the kernel resolves O_APPEND to an offset)
     * @param Length bytes to write (at most 1 MiB)
     * @param WriteToEndOfFile always FALSE on LinFsp
     * @param ConstrainedIo always FALSE on LinFsp (no paging I/O)
     * @param PBytesTransferred receives the bytes written
     * @param FileInfo receives the file's information (its times are read)
     * @return STATUS_SUCCESS, STATUS_PENDING or an error
     */
    NTSTATUS (*Write)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                      ULONG Length, BOOLEAN WriteToEndOfFile, BOOLEAN ConstrainedIo,
                      PULONG PBytesTransferred, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Flush a file's or the volume's data to stable storage.
     *
     * fsync(2) and fdatasync(2) (no distinction) of files and directories
     * pass the open file's context; syncfs(2) passes NULL (flush the volume).
     * Not called at close(2).
     *
     * Guard: exclusive for the volume, none for a file. Without this member
     * these calls succeed.
     * @param FileSystem the file system
     * @param FileContext the file, or NULL for the whole volume
     * @param FileInfo receives the file's information (not read by the engine)
     * @return STATUS_SUCCESS or the error fsync(2) fails with
     */
    NTSTATUS (*Flush)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Get an open file's information.
     *
     * Called for fstat(2) on an open file (GETATTR with a handle), for stat(2)
     * of a file unlinked while open (through any of its opens), after every
     * attribute change for the fresh attributes of the reply, before
     * chmod(2)/chown(2) (the current ones), by fallocate(2), before dropping
     * privileges on a write or truncation, and after SetReparsePoint.
     * For a file unlinked while open (no name left), GetFileInfo, GetSecurity,
     * SetSecurity, SetFileSize, SetBasicInfo, GetEa and SetEa may be called
     * while the engine holds its table of open files locked: such calls must
     * not wait for another request of this mount to finish.
     *
     * Guard: none. Without this member fstat(2) on an open file fails
     * (ENOSYS), every attribute change fails with EACCES and fallocate(2)
     * with EOPNOTSUPP: implement it.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*GetFileInfo)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Set attributes and times: utimensat(2), utime(2), futimens(3).
     *
     * A time 0 means "unchanged"; a time that would be 0 (1601-01-01) is passed
     * as 1. Times are clamped to FILETIME's range. The engine then calls
     * GetFileInfo for its reply. With the LinFsp extension
     * VolumeParams.NanosecondTimes the nanoseconds below 100 ns of the times
     * are in FspFileSystemGetOperationContext()->Request->Req.SetInformation.Nsec.
     * For a file without a name (unlinked while open) the engine also passes
     * the times Cleanup flags would have set (the current time; the others 0).
     *
     * Guard: none. Without this member changing times fails with EACCES.
     * @param FileSystem the file system
     * @param FileContext the file (an open of the caller, or the engine's own)
     * @param FileAttributes INVALID_FILE_ATTRIBUTES (unchanged) for times;
     *        the new attributes for setxattr(2) of system.ntfs_attrib or
     *        user.DOSATTRIB (only READONLY, HIDDEN, SYSTEM, ARCHIVE, TEMPORARY,
     *        OFFLINE and NOT_CONTENT_INDEXED change; the others are the file's;
     *        FILE_ATTRIBUTE_NORMAL for none)
     * @param CreationTime 0 (unchanged), or the new creation time from
     *        system.ntfs_times, system.ntfs_crtime or user.DOSATTRIB
     * @param LastAccessTime the new access time (FILETIME) or 0
     * @param LastWriteTime the new modification time or 0
     * @param ChangeTime the change time: the current time, or the kernel's
     *        when it supplies one; 0 (unchanged) for the times of a nameless file
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*SetBasicInfo)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 FileAttributes,
                             UINT64 CreationTime, UINT64 LastAccessTime, UINT64 LastWriteTime,
                             UINT64 ChangeTime, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Set a file's size or allocation size.
     *
     * truncate(2) and ftruncate(2): SetAllocationSize FALSE (set the file's
     * size, zero-filling when it grows). fallocate(2) (after GetFileInfo):
     * mode 0 calls it with SetAllocationSize FALSE only when the end of the
     * range is past the file's size; FALLOC_FL_KEEP_SIZE calls it with
     * SetAllocationSize TRUE only when the end is past AllocationSize (reserve
     * space, keep the size). Other fallocate(2) modes fail with EOPNOTSUPP.
     * Also called with NewSize 0 for open(O_TRUNC) when Overwrite and
     * OverwriteEx are NULL (then under the exclusive guard), and with
     * SetAllocationSize TRUE to trim the allocation of a file without a name
     * after a truncation (what FspCleanupSetAllocationSize does for the others).
     *
     * Guard: none. Without this member truncate(2) fails with EACCES and
     * fallocate(2) with EOPNOTSUPP.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param NewSize the new size or allocation size, bytes
     * @param SetAllocationSize TRUE for fallocate(FALLOC_FL_KEEP_SIZE) and allocation trims
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS, STATUS_DISK_FULL, ...
     */
    NTSTATUS (*SetFileSize)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT64 NewSize,
                            BOOLEAN SetAllocationSize, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * May this file be deleted? Check only; never delete here.
     *
     * Called for unlink(2) and rmdir(2) only when SetDelete is NULL, on the
     * engine's own open of the name (access DELETE | FILE_READ_ATTRIBUTES).
     * The engine has already checked the type (rmdir(2) of a file is ENOTDIR,
     * unlink(2) of a directory EISDIR). On success it calls
     * Cleanup(FspCleanupDelete). Return STATUS_DIRECTORY_NOT_EMPTY for a
     * directory that has entries.
     *
     * Guard: shared. With neither SetDelete nor CanDelete the engine deletes
     * without asking.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param FileName the file's full name
     * @return STATUS_SUCCESS, STATUS_DIRECTORY_NOT_EMPTY, STATUS_CANNOT_DELETE, ...
     */
    NTSTATUS (*CanDelete)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName);
    /**
     * Rename a file or directory: rename(2), renameat2(2).
     *
     * FileContext is the engine's own open of FileName (DELETE |
     * FILE_READ_ATTRIBUTES). ReplaceIfExists is TRUE for rename(2), which
     * replaces an existing target silently, and FALSE for RENAME_NOREPLACE:
     * then fail with STATUS_OBJECT_NAME_COLLISION when NewFileName exists.
     * RENAME_EXCHANGE goes to the LinFsp extension RenameExchange instead
     * (EINVAL without it), RENAME_WHITEOUT fails with EINVAL before any call; a
     * rename of a name onto itself succeeds without a call. The engine does
     * not check whether the target is open or whether files under a renamed
     * directory are open, and applies no POSIX rule itself: a directory may
     * replace only an empty directory (STATUS_DIRECTORY_NOT_EMPTY), a file may
     * not replace a directory (STATUS_FILE_IS_A_DIRECTORY) nor a directory a
     * file (STATUS_NOT_A_DIRECTORY). A replaced target's open contexts must
     * stay usable until their Close, as after a delete.
     *
     * A directory renamed over an existing directory that this call refuses
     * with STATUS_ACCESS_DENIED or STATUS_OBJECT_NAME_COLLISION (as NTFS and
     * WinFsp file systems do): the engine deletes the target as unlink(2)
     * would (its SetDelete or CanDelete refuse a non-empty one) and calls
     * Rename again, all under the exclusive guard; if that fails, it makes the
     * target directory again (doc/porting.md).
     *
     * Guard: exclusive. Without this member rename(2) fails with EPERM.
     * @param FileSystem the file system
     * @param FileContext the file being renamed
     * @param FileName its current full name
     * @param NewFileName its new full name
     * @param ReplaceIfExists whether an existing NewFileName is replaced
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_COLLISION, STATUS_OBJECT_PATH_NOT_FOUND, ...
     */
    NTSTATUS (*Rename)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                       PWSTR NewFileName, BOOLEAN ReplaceIfExists);
    /**
     * Get an open file's security descriptor.
     *
     * The engine calls it wherever it computes attributes with an open
     * context at hand (lookup, stat(2), fstat(2), the reply of every change,
     * new files and directories, privilege checks before writes) and before
     * chmod(2)/chown(2). Buffer handling, validation and "no security" are as
     * for GetSecurityByName. Implement both or neither: without GetSecurity,
     * attributes computed for an open file (fstat(2), ftruncate(2) and
     * futimens(3) replies) fall back to "owned by the mounting user, mode
     * 0666/0777", and the kernel caches that.
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param SecurityDescriptor the buffer to fill with a self-relative descriptor
     * @param PSecurityDescriptorSize in: bytes available; out: bytes used, or
     *        the size needed with STATUS_BUFFER_OVERFLOW
     * @return STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW, ...
     */
    NTSTATUS (*GetSecurity)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            PSECURITY_DESCRIPTOR SecurityDescriptor,
                            SIZE_T *PSecurityDescriptorSize);
    /**
     * Change an open file's security descriptor: chmod(2), chown(2), and the
     * engine dropping set-ID bits (FUSE_HANDLE_KILLPRIV_V2).
     *
     * The engine reads the current owner, group and mode (GetFileInfo,
     * GetSecurity), applies the change and passes a descriptor built from the
     * result with FspPosixMapPermissionsToSecurityDescriptor(): the file's whole
     * DACL is replaced by the mode's protected DACL. Apply it with
     * FspSetSecurityDescriptor(). The kernel has checked that the caller may
     * make the change. With this member and a writable volume the engine
     * negotiates FUSE_HANDLE_KILLPRIV_V2 (it drops privileges itself).
     *
     * With POSIX ACLs (the kernel offers FUSE_POSIX_ACL; not with
     * VolumeParams.XattrsPassThrough) chmod(2), chown(2), setfacl(1) and
     * setxattr(2) of system.ntfs_acl or security.NTACL pass descriptors that
     * keep ACEs the mode mapping does not make (doc/posix-mapping.md).
     *
     * Guard: none. Without this member chmod(2) and chown(2) fail with EACCES.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param SecurityInformation OWNER_SECURITY_INFORMATION |
     *        GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION; for
     *        system.ntfs_acl and security.NTACL what the descriptor carries
     *        (SACL_SECURITY_INFORMATION too)
     * @param ModificationDescriptor the new owner, group and DACL, self-relative;
     *        valid during the call only
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*SetSecurity)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            SECURITY_INFORMATION SecurityInformation,
                            PSECURITY_DESCRIPTOR ModificationDescriptor);
    /**
     * List an open directory, one batch per call: readdir(3) (READDIR and
     * READDIRPLUS).
     *
     * Add the entries that come after Marker (all entries when Marker is
     * NULL), in an order that does not change while the directory is listed
     * (WinFsp file systems list by name), with FspFileSystemAddDirInfo() until
     * it returns FALSE; when the last entry is in, add the end marker
     * (FspFileSystemAddDirInfo(NULL, ...)). The engine calls again, with the
     * last name it received as Marker, while the kernel reads on and the end
     * marker has not come; a batch that adds no entry also ends the listing.
     * Entries "." and ".." are dropped (the engine makes its own); the engine
     * checks every record and skips names Linux cannot hold (logged).
     * FspFileSystemReadDirectoryBuffer() implements all this over a directory
     * buffer.
     *
     * Calls for one open directory never overlap (the engine holds that
     * open's listing lock). For readdirplus the engine then gets each entry's
     * security with GetSecurityByName (and a symlink's target with Open,
     * GetReparsePoint, Cleanup, Close). Request->FileName is the name the
     * directory was opened by.
     *
     * May return STATUS_PENDING and complete later with
     * FspFileSystemSendResponse() (IoStatus.Information = bytes placed in
     * Buffer); Buffer stays valid until then.
     *
     * Guard: shared. Without this member readdir(3) fails with ENOTDIR.
     * @param FileSystem the file system
     * @param FileContext the directory, as Open returned it
     * @param Pattern always NULL (no pattern matching)
     * @param Marker the name to list after, or NULL to start
     * @param Buffer where to place FSP_FSCTL_DIR_INFO records
     * @param Length bytes of Buffer: 64 KiB for readdir, 16 KiB for readdirplus
     * @param PBytesTransferred receives the bytes placed (at most Length)
     * @return STATUS_SUCCESS, STATUS_PENDING or an error
     */
    NTSTATUS (*ReadDirectory)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR Pattern,
                              PWSTR Marker, PVOID Buffer, ULONG Length, PULONG PBytesTransferred);
    /**
     * Resolve the reparse points along a path. Never called on LinFsp: the
     * kernel resolves symbolic links itself (readlink(2) uses GetReparsePoint).
     * FspFileSystemResolveReparsePoints() is available to implement it.
     * @param FileSystem the file system
     * @param FileName the path
     * @param ReparsePointIndex where the first reparse point's name starts
     * @param ResolveLastPathComponent whether the last component is resolved too
     * @param PIoStatus receives the status and reparse tag
     * @param Buffer receives the resolved path or the reparse data
     * @param PSize in: bytes of Buffer; out: bytes used
     * @return STATUS_REPARSE or an error
     */
    NTSTATUS (*ResolveReparsePoints)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName,
                                     UINT32 ReparsePointIndex, BOOLEAN ResolveLastPathComponent,
                                     PIO_STATUS_BLOCK PIoStatus, PVOID Buffer, PSIZE_T PSize);
    /**
     * Get an open file's reparse data: readlink(2), and the type of a file
     * whose attributes carry FILE_ATTRIBUTE_REPARSE_POINT with
     * IO_REPARSE_TAG_SYMLINK (its size is the target's length) or
     * IO_REPARSE_TAG_NFS (FIFO, socket or device).
     *
     * Buffer holds MAXIMUM_REPARSE_DATA_BUFFER_SIZE (32 KiB on LinFsp) bytes. The engine
     * checks the size returned (at least the 8-byte header, at most the
     * buffer) and, for symbolic links, the tag, the name offsets and that the
     * target holds no NUL: bad data makes readlink(2) fail with EINVAL.
     * Return STATUS_NOT_A_REPARSE_POINT for a file without reparse data
     * (readlink(2) fails with EINVAL).
     *
     * Guard: none. Without this member readlink(2) fails with EINVAL and
     * reparse points show as regular files.
     * @param FileSystem the file system
     * @param FileContext the file (the engine's own open, or an open of the caller)
     * @param FileName the file's full name, or NULL when the engine works
     *        from an open of the caller
     * @param Buffer receives the REPARSE_DATA_BUFFER (or REPARSE_GUID_DATA_BUFFER)
     * @param PSize in: bytes of Buffer; out: bytes of reparse data
     * @return STATUS_SUCCESS, STATUS_NOT_A_REPARSE_POINT, STATUS_BUFFER_TOO_SMALL, ...
     */
    NTSTATUS (*GetReparsePoint)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                PVOID Buffer, PSIZE_T PSize);
    /**
     * Set a new file's reparse data: symlink(2) (IO_REPARSE_TAG_SYMLINK) and
     * mknod(2) of FIFOs, sockets and devices (IO_REPARSE_TAG_NFS).
     *
     * Called right after Create, when CreateEx is NULL (CreateEx receives
     * the reparse data itself), and only with VolumeParams.ReparsePoints set;
     * and for setxattr(2) of system.ntfs_reparse_data by the file's owner (or
     * CAP_FOWNER), with checked data of any tag but IO_REPARSE_TAG_SYMLINK and
     * IO_REPARSE_TAG_NFS (EPERM: those make Linux file types), never on a
     * symbolic link, FIFO, socket or device.
     * If it fails the engine deletes the new file again
     * (Cleanup(FspCleanupDelete), Close). On success it calls GetFileInfo.
     *
     * Guard: none. Without this member (and without CreateEx) symlink(2) and
     * mknod(2) of special files fail with EPERM.
     * @param FileSystem the file system
     * @param FileContext the new file
     * @param FileName its full name
     * @param Buffer the reparse data (REPARSE_DATA_BUFFER); valid during the call only
     * @param Size bytes of reparse data
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*SetReparsePoint)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                PVOID Buffer, SIZE_T Size);
    /**
     * Delete a file's reparse data: removexattr(2) of system.ntfs_reparse_data
     * by the file's owner (or CAP_FOWNER). Never for symbolic links, FIFOs,
     * sockets and devices (IO_REPARSE_TAG_SYMLINK, IO_REPARSE_TAG_NFS: EPERM):
     * the kernel knows them by their type. Buffer is the current data's header
     * with ReparseDataLength 0 (and the GUID of a third-party tag).
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param FileName its full name
     * @param Buffer reparse data naming the tag to delete
     * @param Size bytes of Buffer
     * @return an NTSTATUS
     */
    NTSTATUS (*DeleteReparsePoint)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                   PVOID Buffer, SIZE_T Size);
    /**
     * List a file's named streams (FspFileSystemAddStreamInfo()): listxattr(2)
     * shows each as Samba's user.DosStream.NAME:$DATA (with
     * VolumeParams.NamedStreams). The engine gets, sets and removes a stream
     * through Open / Create of "FILE:NAME", Read, SetFileSize, Write and
     * SetDelete (or CanDelete) + Cleanup(FspCleanupDelete).
     *
     * Guard: none. The buffer is 64 KiB; STATUS_BUFFER_OVERFLOW asks for four
     * times as much (up to 16 MiB).
     * @param FileSystem the file system
     * @param FileContext the file
     * @param Buffer receives FSP_FSCTL_STREAM_INFO records
     * @param Length bytes of Buffer
     * @param PBytesTransferred receives the bytes placed
     * @return an NTSTATUS
     */
    NTSTATUS (*GetStreamInfo)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer,
                              ULONG Length, PULONG PBytesTransferred);
    /**
     * Get one entry of an open directory by name. Never called on LinFsp
     * (lookups use Open), whatever VolumeParams.PassQueryDirectoryFileName says.
     * @param FileSystem the file system
     * @param FileContext the directory
     * @param FileName the entry's name (one component)
     * @param DirInfo receives the entry
     * @return an NTSTATUS
     */
    NTSTATUS (*GetDirInfoByName)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                 FSP_FSCTL_DIR_INFO *DirInfo);
    /**
     * Process an ioctl(2) on an open file or directory (VolumeParams.DeviceControl).
     *
     * ControlCode is the Linux request number (_IOR/_IOW/_IOWR encoding), not
     * a CTL_CODE() value. Only "restricted" ioctls reach the file system (the
     * kernel copies _IOC_SIZE bytes in for _IOW/_IOWR and out for
     * _IOR/_IOWR); unrestricted ones fail with ENOTTY. Report the bytes
     * placed in OutputBuffer (more than OutputBufferLength is EIO).
     * STATUS_INVALID_DEVICE_REQUEST (an unknown request) becomes ENOTTY.
     *
     * Guard: none. Without this member or without DeviceControl, ioctl(2)
     * fails with ENOTTY.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param ControlCode the ioctl(2) request number
     * @param InputBuffer the input the kernel copied in (in the engine's request buffer)
     * @param InputBufferLength bytes of input
     * @param OutputBuffer where to place the output (the engine's memory)
     * @param OutputBufferLength bytes of output expected (at most 1 MiB)
     * @param PBytesTransferred receives the bytes of output
     * @return STATUS_SUCCESS, STATUS_INVALID_DEVICE_REQUEST or an error
     */
    NTSTATUS (*Control)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 ControlCode,
                        PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                        ULONG OutputBufferLength, PULONG PBytesTransferred);
    /**
     * Mark a file for deletion; check only, never delete here.
     *
     * Called for unlink(2) and rmdir(2) with DeleteFile TRUE (FALSE never
     * occurs), on the engine's own open of the name; takes precedence over
     * CanDelete. The engine has already checked the type. On success the
     * engine calls Cleanup(FspCleanupDelete), where the name goes. Return
     * STATUS_DIRECTORY_NOT_EMPTY for a directory with entries.
     *
     * Guard: shared.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param FileName its full name
     * @param DeleteFile always TRUE on LinFsp
     * @return STATUS_SUCCESS, STATUS_DIRECTORY_NOT_EMPTY, STATUS_CANNOT_DELETE, ...
     */
    NTSTATUS (*SetDelete)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                          BOOLEAN DeleteFile);
    /**
     * Create a new file or directory with reparse data; takes precedence over
     * Create.
     *
     * Everything said for Create holds. ExtraBuffer carries reparse data for
     * symlink(2) (IO_REPARSE_TAG_SYMLINK) and mknod(2) of FIFOs, sockets and
     * devices (IO_REPARSE_TAG_NFS), with ExtraBufferIsReparsePoint TRUE; it is
     * NULL otherwise. It never carries EAs.
     *
     * Guard: exclusive.
     * @param FileSystem the file system
     * @param FileName the new file's full name
     * @param CreateOptions FILE_DIRECTORY_FILE or FILE_NON_DIRECTORY_FILE
     * @param GrantedAccess the access asked for (see Create)
     * @param FileAttributes FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY or
     *        FILE_ATTRIBUTE_REPARSE_POINT
     * @param SecurityDescriptor the new file's descriptor (see Create); never NULL
     * @param AllocationSize always 0
     * @param ExtraBuffer the reparse data, or NULL; valid during the call only
     * @param ExtraLength bytes of ExtraBuffer (0 without)
     * @param ExtraBufferIsReparsePoint TRUE when ExtraBuffer is given
     * @param PFileContext receives the file context (see Create)
     * @param FileInfo receives the new file's information
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_COLLISION, ...
     */
    NTSTATUS (*CreateEx)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                         UINT32 GrantedAccess, UINT32 FileAttributes,
                         PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
                         PVOID ExtraBuffer, ULONG ExtraLength, BOOLEAN ExtraBufferIsReparsePoint,
                         PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Truncate an open file to 0 bytes, with extended attributes; takes
     * precedence over Overwrite. Everything said for Overwrite holds; no EAs
     * are ever passed.
     *
     * Guard: exclusive.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param FileAttributes always 0
     * @param ReplaceFileAttributes always FALSE
     * @param AllocationSize always 0
     * @param Ea always NULL
     * @param EaLength always 0
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*OverwriteEx)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 FileAttributes,
                            BOOLEAN ReplaceFileAttributes, UINT64 AllocationSize,
                            PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength,
                            FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Get all of a file's extended attributes: getxattr(2), listxattr(2), and
     * the engine's checks for setxattr(2) with XATTR_CREATE or XATTR_REPLACE,
     * removexattr(2) and capabilities before a write.
     *
     * Linux extended attributes are EAs named by their full Linux name
     * ("user.comment"), unchanged with VolumeParams.CaseSensitiveExtendedAttributes,
     * else with their case encoded (EA names are case-insensitive on WinFsp:
     * "user.Color" is "user.^color", upper-cased as WinFsp's driver passes it
     * unless CasePreservedExtendedAttributes; names read back are decoded).
     * Add every EA with FspFileSystemAddEa(). The buffer is 64 KiB; the engine
     * calls again with four times as much, up to 16 MiB (then E2BIG), when the
     * list did not fit: STATUS_BUFFER_OVERFLOW (or STATUS_BUFFER_TOO_SMALL), an
     * entry FspFileSystemAddEa() refused (WinFsp file systems return
     * STATUS_SUCCESS with what fit), or a list filled by hand that leaves no
     * room for another entry. A partial list is never taken as complete. The
     * engine checks the list (FspFileSystemEnumerateEa(); malformed: EIO) and
     * treats an EA with an empty value as absent, unless the file system sets
     * the LinFsp extension VolumeParams.EmptyEaValues: then it is an xattr
     * whose value is empty.
     * Used only with VolumeParams.ExtendedAttributes and both GetEa and SetEa.
     *
     * Guard: none. Without them getxattr(2) fails with EOPNOTSUPP and
     * listxattr(2) returns an empty list.
     * @param FileSystem the file system
     * @param FileContext the file (the engine's own open for the xattr calls)
     * @param Ea the buffer to fill
     * @param EaLength bytes of the buffer
     * @param PBytesTransferred receives the bytes used
     * @return STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW or an error
     */
    NTSTATUS (*GetEa)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PFILE_FULL_EA_INFORMATION Ea,
                      ULONG EaLength, PULONG PBytesTransferred);
    /**
     * Set or delete extended attributes: setxattr(2) (value length > 0),
     * removexattr(2) (value length 0), and the engine removing
     * "security.capability" when a file changes.
     *
     * The engine always passes exactly one entry, named as GetEa describes. It
     * has checked the name (1 to 255 bytes, encoded, else ERANGE; with the
     * LinFsp extension VolumeParams.LinuxXattrNamespaces only "user.",
     * "trusted." and "security." names, else EOPNOTSUPP) and the value (1 to
     * 65535 bytes: an empty value is EINVAL, since it would mean "delete";
     * longer is E2BIG), and the XATTR_CREATE / XATTR_REPLACE conditions (with
     * GetEa, which also gives the spelling a case-insensitive file system
     * stored). With the LinFsp extension VolumeParams.EmptyEaValues an empty
     * value is passed as an entry with EaValueLength 0 and Flags
     * FSP_FSCTL_EA_EMPTY_VALUE: store an EA with an empty value (and without
     * that flag); an entry with EaValueLength 0 and no such flag still
     * deletes. The engine reads FileInfo's ChangeTime (see Cleanup).
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param Ea one FILE_FULL_EA_INFORMATION entry; valid during the call only
     * @param EaLength bytes of Ea
     * @param FileInfo receives the file's information (its ChangeTime is read)
     * @return STATUS_SUCCESS, STATUS_EA_TOO_LARGE, ...
     */
    NTSTATUS (*SetEa)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PFILE_FULL_EA_INFORMATION Ea,
                      ULONG EaLength, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * Obsolete slot (WinFsp); never called.
     * @return an NTSTATUS
     */
    NTSTATUS (*Obsolete0)(VOID);
    /**
     * The dispatcher has stopped; called once per run of the dispatcher.
     *
     * From FspFileSystemStopDispatcher(), after the workers have ended and
     * pending operations were cancelled, with Normally TRUE (FALSE when the
     * volume had already gone away). From a worker thread, with Normally FALSE,
     * when the volume went away underneath (unmounted from outside, the
     * kernel's FUSE_DESTROY); the other workers may still be stopping then.
     * A typical implementation calls
     * FspFileSystemStopServiceIfNecessary(FileSystem, Normally), which stops a
     * running FspServiceRun(). Without this member the engine calls that
     * itself when the volume goes away. Not called when a worker stuck in a
     * callback had to be abandoned (see FspFileSystemStopDispatcher()).
     * Not guarded.
     * @param FileSystem the file system
     * @param Normally FALSE when the volume went away underneath
     */
    VOID (*DispatcherStopped)(FSP_FILE_SYSTEM *FileSystem, BOOLEAN Normally);
    /**
     * LinFsp extension: make NewFileName another name of an existing file,
     * for link(2).
     *
     * Takes WinFsp's first reserved slot. Called only with
     * VolumeParams.HardLinks set (else link(2) fails with EPERM, as it does
     * without this member), on the engine's own open of the existing name
     * (FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES); directories are refused
     * with EPERM before the call. Fail with STATUS_OBJECT_NAME_COLLISION when
     * NewFileName exists. Return the file's information with its new
     * HardLinks count; with an IndexNumber the engine presents both names as
     * one kernel inode.
     *
     * A file made by CreateUnnamed (open(2) with O_TMPFILE) gets its first name
     * here (linkat(2) of its descriptor): FileContext is then that open and
     * FileName NULL; the kernel allows this only for such a file, not for one
     * whose names were all removed. Give it the name and count the link (1).
     *
     * Guard: exclusive.
     * @param FileSystem the file system
     * @param FileContext the existing file
     * @param FileName its existing full name; NULL for a file without a name
     *        (from CreateUnnamed)
     * @param NewFileName the new full name
     * @param FileInfo receives the file's information
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_COLLISION, STATUS_TOO_MANY_LINKS, ...
     */
    NTSTATUS (*CreateHardLink)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                               PWSTR NewFileName, FSP_FSCTL_FILE_INFO *FileInfo);
    /**
     * LinFsp extension: fallocate(2) on an open file, with Linux's semantics. Mode is 0 or a
     * combination of FSP_FALLOCATE_* (the values of Linux's FALLOC_FL_*):
     * - 0: make [Offset, Offset + Length) allocated; when it ends past the end of file the
     *   file grows to its end (never shrinks);
     * - FSP_FALLOCATE_KEEP_SIZE: the same without changing the size, also for a range past
     *   the end of file (unlike SetFileSize's allocation size, it never truncates);
     * - FSP_FALLOCATE_PUNCH_HOLE | FSP_FALLOCATE_KEEP_SIZE: the range reads as zeros
     *   afterwards and its storage may be given back; the size does not change;
     * - FSP_FALLOCATE_ZERO_RANGE [| FSP_FALLOCATE_KEEP_SIZE]: the range reads as zeros (and is
     *   allocated); without KEEP_SIZE a range past the end of file grows the file.
     * The engine has checked the arguments (Length > 0, Offset + Length <= INT64_MAX, a mode
     * Linux allows). Return STATUS_NOT_SUPPORTED for a mode the file system does not do
     * (EOPNOTSUPP), STATUS_DISK_FULL or STATUS_FILE_TOO_LARGE when the space is not there.
     * FileInfo receives the file's information afterwards. Without this member the engine
     * serves modes 0 and KEEP_SIZE with SetFileSize and refuses the others.
     */
    NTSTATUS (*Fallocate)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 Mode,
                          UINT64 Offset, UINT64 Length, FSP_FSCTL_FILE_INFO *FileInfo);
    /*
     * LinFsp extensions that carry what the kernel sends as it sends it, for file systems with
     * POSIX semantics of their own (LinFsp's FUSE layer). The engine calls each only when it is
     * set; without them it behaves as it always did. See doc/native-api.md.
     */
    /**
     * LinFsp extension: chmod(2), chown(2) and chgrp(1) as the caller asked, instead of
     * SetSecurity (which the engine then never calls for them).
     *
     * Called for every such request, also when nothing would change (a file system may refuse
     * even that), on the open the request names or on the engine's own open of the file. The
     * kernel has checked the caller's right to ask unless the mount lacks
     * default_permissions. When a chown(2) of a file that is not a directory must drop its
     * set-user-ID and set-group-ID bits (FUSE_HANDLE_KILLPRIV_V2: set-user-ID always,
     * set-group-ID when group execute is set or, unless the caller is root, when the caller is
     * not in the file's group, as Linux does), the engine adds FSP_FSCTL_POSIX_SET_MODE with
     * the reduced mode.
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the file
     * @param Which FSP_FSCTL_POSIX_SET_MODE, FSP_FSCTL_POSIX_SET_UID, FSP_FSCTL_POSIX_SET_GID:
     *        which of Mode, Uid and Gid to set
     * @param Uid the new owner (with FSP_FSCTL_POSIX_SET_UID)
     * @param Gid the new group (with FSP_FSCTL_POSIX_SET_GID)
     * @param Mode the new permission bits (07777) with the file type bits (S_IFMT) as the kernel
     *        sends them (with FSP_FSCTL_POSIX_SET_MODE)
     * @return STATUS_SUCCESS or an error (FSP_STATUS_FROM_ERRNO() gives an exact errno)
     */
    NTSTATUS (*SetPosixSecurity)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 Which,
                                 UINT32 Uid, UINT32 Gid, UINT32 Mode);
    /**
     * LinFsp extension: a descriptor of the open FileContext was closed (close(2) of any of the
     * descriptors that share the open, unlike Cleanup, which comes once after the last).
     *
     * With this member the engine answers the kernel's FLUSH instead of ENOSYS, so it is called
     * at every close(2), and also from the release of the last descriptor when the kernel asks
     * for that (FUSE_RELEASE_FLUSH). LockOwner identifies the closing descriptor's owner: the
     * POSIX locks it holds (PosixLock) are to be released. Its result is close(2)'s. Not called
     * for opens made with FSP_FSCTL_OPEN_NOFLUSH.
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the open file (never NULL)
     * @param LockOwner the owner of the closing descriptor's locks
     * @return STATUS_SUCCESS or an error for close(2)
     */
    NTSTATUS (*FlushDescriptor)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT64 LockOwner);
    /**
     * LinFsp extension: POSIX record locks (fcntl(2) F_GETLK, F_SETLK, F_SETLKW) kept by the
     * file system.
     *
     * With this member the engine offers FUSE_POSIX_LOCKS at INIT and the kernel forwards
     * these locks instead of keeping them locally (without it they are local to the mount, as
     * on WinFsp). For F_GETLK, *Lock receives the first conflicting lock (with its holder's
     * Pid), or Type F_UNLCK when there is none; for F_SETLK and F_SETLKW the lock is set (or
     * released, F_UNLCK). F_SETLKW may wait; F_SETLK fails with STATUS_LOCK_NOT_GRANTED
     * (EAGAIN) when the lock is held. A Type the engine does not know in the answer to F_GETLK
     * is EIO.
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the open file
     * @param Command F_GETLK, F_SETLK or F_SETLKW (<fcntl.h>)
     * @param LockOwner the lock's owner (the kernel's id of the file table or open file)
     * @param Lock the lock (in) and, for F_GETLK, the conflicting lock (out)
     * @return STATUS_SUCCESS, STATUS_LOCK_NOT_GRANTED, or an error
     */
    NTSTATUS (*PosixLock)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 Command,
                          UINT64 LockOwner, FSP_FSCTL_POSIX_LOCK *Lock);
    /**
     * LinFsp extension: flock(2) locks kept by the file system.
     *
     * With this member the engine offers FUSE_FLOCK_LOCKS at INIT and the kernel forwards
     * flock(2) (without it these locks are local to the mount). The engine also calls it with
     * LOCK_UN when the open's last descriptor is released with a flock lock held. A lock that
     * cannot be had with LOCK_NB fails with STATUS_LOCK_NOT_GRANTED (EWOULDBLOCK).
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the open file
     * @param LockOwner the lock's owner (the open file description)
     * @param Operation LOCK_SH, LOCK_EX or LOCK_UN (<sys/file.h>), with LOCK_NB when the caller
     *        does not wait
     * @return STATUS_SUCCESS, STATUS_LOCK_NOT_GRANTED, or an error
     */
    NTSTATUS (*Flock)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT64 LockOwner,
                      UINT32 Operation);
    /**
     * LinFsp extension: ioctl(2) as the kernel sends it, instead of Control.
     *
     * Called for every ioctl(2) the kernel forwards on a file or directory of the mount,
     * whether or not VolumeParams.DeviceControl is set (Control is then never called). Input
     * and output sizes are what the request number's _IOC size and direction say; the engine
     * refuses FUSE_IOCTL_UNRESTRICTED requests (CUSE only) with EPERM. A request the file
     * system does not know is best answered FSP_STATUS_FROM_ERRNO(ENOTTY).
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the open file or directory
     * @param Command the request number
     * @param Flags FUSE_IOCTL_* of <linux/fuse.h>: FUSE_IOCTL_DIR for directories,
     *        FUSE_IOCTL_COMPAT for 32-bit callers
     * @param Argument the caller's argument value (an address in the caller for most requests)
     * @param InputBuffer InputLength bytes of input, NULL when none
     * @param InputLength bytes of input
     * @param OutputBuffer OutputLength bytes of output (zeroed before the call), NULL when none;
     *        all of it is returned to the caller
     * @param OutputLength bytes of output
     * @param PResult receives ioctl(2)'s return value (>= 0; a negative value is EIO)
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*Ioctl)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 Command,
                      UINT32 Flags, UINT64 Argument, PVOID InputBuffer, ULONG InputLength,
                      PVOID OutputBuffer, ULONG OutputLength, PINT32 PResult);
    /**
     * LinFsp extension: poll(2), select(2) and epoll(7) of an open file.
     *
     * Without it the kernel treats the mount's files as always ready. When PollHandle is not
     * 0 the caller will wait: the file system keeps the handle and passes it to
     * FspFileSystemNotifyPoll() once the file becomes ready (a handle is used once).
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileContext the open file
     * @param PollHandle 0, or the handle for FspFileSystemNotifyPoll()
     * @param Events the POLL* bits (<poll.h>) wanted
     * @param PRevents receives the POLL* bits that are ready
     * @return STATUS_SUCCESS or an error
     */
    NTSTATUS (*Poll)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT64 PollHandle,
                     UINT32 Events, PUINT32 PRevents);
    /**
     * LinFsp extension: access(2), faccessat(2) and chdir(2) checks by the file system.
     *
     * The kernel asks only on mounts without default_permissions (the engine adds that option
     * unless VolumeParams.MountOptionsAsGiven). Without this member the engine answers ENOSYS
     * and the kernel lets every later check pass, as libfuse does for a program without
     * access().
     *
     * Guard: none.
     * @param FileSystem the file system
     * @param FileName the file's full name
     * @param Mask R_OK, W_OK, X_OK bits, or F_OK (<unistd.h>)
     * @return STATUS_SUCCESS, STATUS_ACCESS_DENIED (EACCES), or an error
     */
    NTSTATUS (*Access)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 Mask);
    /**
     * LinFsp extension: exchange two names atomically, for renameat2(2) with
     * RENAME_EXCHANGE.
     *
     * Takes WinFsp's tenth reserved slot. FileContext is the engine's own
     * open of FileName (DELETE | FILE_READ_ATTRIBUTES). Both names must exist
     * (else STATUS_OBJECT_NAME_NOT_FOUND); afterwards FileName names the file
     * or directory NewFileName named and the other way round, in one step
     * that no other operation observes half done. Files and directories may
     * be exchanged with each other, also between directories; fail with
     * STATUS_INVALID_PARAMETER when one is a directory that contains the
     * other (the kernel checks this too). Both files keep their open
     * contexts; their change times and both directories' modification times
     * are updated, as rename(2) does. An exchange of a name with itself
     * succeeds without a call.
     *
     * Guard: exclusive. Without this member renameat2(RENAME_EXCHANGE) fails
     * with EINVAL, as on file systems that cannot exchange.
     * @param FileSystem the file system
     * @param FileContext the file or directory named FileName
     * @param FileName one full name
     * @param NewFileName the other full name
     * @return STATUS_SUCCESS, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_INVALID_PARAMETER, ...
     */
    NTSTATUS (*RenameExchange)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                               PWSTR NewFileName);
    /**
     * LinFsp extension: create and open a regular file that has no name, for
     * open(2) with O_TMPFILE.
     *
     * Takes WinFsp's eleventh reserved slot. The file lives in DirectoryName's
     * volume but in no directory: it has no name (HardLinks 0), is not
     * listed, and goes away at its Close unless CreateHardLink gave it a
     * name first (with FileName NULL; linkat(2) of the descriptor, unless
     * O_EXCL was given). The request is of the Create kind
     * (Req.Create.CreateOptions FILE_CREATE << 24 | FILE_NON_DIRECTORY_FILE,
     * FileName = DirectoryName). SecurityDescriptor is built as for Create
     * (the caller, the mode after umask, the directory's group when it has
     * set-group-ID). The context returned is used like Create's (Read,
     * Write, GetFileInfo, ..., Cleanup, Close).
     *
     * Guard: exclusive. Without this member open(O_TMPFILE) fails with
     * EOPNOTSUPP.
     * @param FileSystem the file system
     * @param DirectoryName the full name of the directory given to open(2)
     * @param GrantedAccess the access of the open (as for Create)
     * @param FileAttributes FILE_ATTRIBUTE_ARCHIVE
     * @param SecurityDescriptor the new file's security descriptor (never NULL)
     * @param PFileContext receives the new file's context
     * @param FileInfo receives the file's information (HardLinks 0)
     * @return STATUS_SUCCESS, STATUS_OBJECT_PATH_NOT_FOUND (no such directory),
     *         STATUS_NOT_A_DIRECTORY, STATUS_DISK_FULL, ...
     */
    NTSTATUS (*CreateUnnamed)(FSP_FILE_SYSTEM *FileSystem, PWSTR DirectoryName,
                              UINT32 GrantedAccess, UINT32 FileAttributes,
                              PSECURITY_DESCRIPTOR SecurityDescriptor, PVOID *PFileContext,
                              FSP_FSCTL_FILE_INFO *FileInfo);
    /** Reserved slots (WinFsp's table has 64 members in all); leave them NULL. */
    NTSTATUS (*Reserved[20])(VOID);
} FSP_FILE_SYSTEM_INTERFACE;

/** Opaque engine state (LinFsp): the kernel-facing part of a file system object. */
struct fsp_engine;

/**
 * A file system instance, made by FspFileSystemCreate(). Members are public as
 * in WinFsp; read them freely, change them only through the API (UserContext
 * excepted).
 */
struct _FSP_FILE_SYSTEM {
    UINT16 Version;    /**< 0 */
    PVOID UserContext; /**< for the file system's own use; the engine never touches it */
    WCHAR VolumeName[FSP_FSCTL_VOLUME_NAME_SIZEMAX / sizeof(WCHAR)]; /**< WinFsp's volume device name; never set on LinFsp (empty) */
    HANDLE VolumeHandle; /**< WinFsp's volume handle; never set on LinFsp (NULL) */
    const FSP_FILE_SYSTEM_INTERFACE *Interface; /**< the interface given to FspFileSystemCreate() (not copied) */
    FSP_FSCTL_VOLUME_PARAMS VolumeParams; /**< the volume parameters as FspFileSystemCreate() validated and completed them */
    PWSTR MountPoint;  /**< the directory given to FspFileSystemSetMountPoint() (a copy), NULL before; kept after unmounting */
    UINT32 DebugLog;   /**< non-zero: trace every request and reply with FspDebugLog() (a switch on LinFsp, not WinFsp's per-kind mask) */
    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY OpGuardStrategy; /**< the default guard's strategy (FINE unless set) */
    pthread_rwlock_t OpGuardLock; /**< the lock the default operation guard takes */
    NTSTATUS (*EnterOperation)(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *, FSP_FSCTL_TRANSACT_RSP *); /**< guard hook called before every interface call (FspFileSystemOpEnter() unless replaced) */
    NTSTATUS (*LeaveOperation)(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *, FSP_FSCTL_TRANSACT_RSP *); /**< guard hook called after every interface call (FspFileSystemOpLeave() unless replaced) */
    NTSTATUS DispatcherResult; /**< WinFsp's dispatcher result; never set on LinFsp (0) */
    BOOLEAN UmFileContextIsUserContext2; /**< VolumeParams.UmFileContextIsUserContext2 (no effect on LinFsp) */
    BOOLEAN UmFileContextIsFullContext;  /**< VolumeParams.UmFileContextIsFullContext: FileContext points to an FSP_FSCTL_TRANSACT_FULL_CONTEXT */
    struct fsp_engine *Engine; /**< LinFsp: the kernel-facing engine (opaque) */
};

/** The current interface call, as FspFileSystemGetOperationContext() returns it. */
typedef struct {
    FSP_FSCTL_TRANSACT_REQ *Request;  /**< the engine's description of the call (kind, caller, parameters) */
    FSP_FSCTL_TRANSACT_RSP *Response; /**< a response record prepared with Kind and Hint (not read back by the engine) */
} FSP_FILE_SYSTEM_OPERATION_CONTEXT;

/* ---- lifecycle ---- */

/**
 * Create a file system object.
 *
 * Validates and copies VolumeParams (see FSP_FSCTL_VOLUME_PARAMS: Version 0
 * or sizeof, SectorSize a power of two >= 512, defaults for 0 values, not
 * both UmFileContextIsUserContext2 and UmFileContextIsFullContext; Prefix and
 * FileSystemName are NUL-terminated), keeps the Interface pointer, sets up
 * the default operation guard (FINE) and opens /dev/fuse. An ordinary user
 * who may not open /dev/fuse still gets a file system: fusermount3 opens the
 * device when mounting.
 * @param DevicePath FSP_FSCTL_DISK_DEVICE_NAME, FSP_FSCTL_NET_DEVICE_NAME (both
 *        "/dev/fuse") or NULL; any other name fails with STATUS_NO_SUCH_DEVICE
 * @param VolumeParams the volume parameters (copied)
 * @param Interface the callbacks; must stay valid until FspFileSystemDelete()
 * @param PFileSystem receives the new file system (NULL on failure)
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (a NULL argument,
 *         inconsistent VolumeParams); STATUS_NO_SUCH_DEVICE (no /dev/fuse,
 *         the kernel has no FUSE); STATUS_ACCESS_DENIED (root cannot open
 *         /dev/fuse); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspFileSystemCreate(PWSTR DevicePath, const FSP_FSCTL_VOLUME_PARAMS *VolumeParams,
                                     const FSP_FILE_SYSTEM_INTERFACE *Interface,
                                     FSP_FILE_SYSTEM **PFileSystem);
/**
 * Delete a file system object: stop the dispatcher if it runs
 * (FspFileSystemStopDispatcher()), unmount if mounted, free everything.
 * If a worker had to be abandoned inside a callback that never returned, the
 * object and the engine are left allocated, so that the stuck thread never
 * touches freed memory. Do not call it from a callback.
 * @param FileSystem the file system, or NULL (nothing happens); invalid afterwards
 */
FSP_API VOID FspFileSystemDelete(FSP_FILE_SYSTEM *FileSystem);
/**
 * Mount the file system on an existing directory.
 *
 * Call before FspFileSystemStartDispatcher(). As root the engine mounts
 * with mount(2) (type fuse.SUBTYPE, nosuid, nodev, always allow_other and
 * default_permissions: every user reaches the file system and its security
 * decides) and starts a watchdog process that unmounts lazily should this
 * process die without unmounting. Otherwise it runs fusermount3 (Debian's
 * fuse3), with auto_unmount. Mount options set with
 * FspFileSystemSetMountOptions() are added. FileSystem->MountPoint receives
 * a copy of MountPoint. See doc/mounting.md.
 *
 * LinFsp extensions: with VolumeParams.MountOptionsAsGiven the mount has
 * only the options given (no implied allow_other, default_permissions).
 * With VolumeParams.FileMountPoint MountPoint may be a regular file (the
 * root is then a file). MountPoint "/dev/fd/N" names a /dev/fuse descriptor
 * N that someone else mounted already (mount.fuse3 -o drop_privileges, as
 * libfuse 3.3 and later accept): the engine takes the descriptor over (it
 * closes it with the file system) and serves it, and neither mounts nor
 * unmounts.
 * @param FileSystem the file system
 * @param MountPoint the directory (a Linux path; no drive letters), a regular
 *        file (see above), or "/dev/fd/N"
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL or empty; "/dev/fd/N"
 *         not a character device); STATUS_INVALID_HANDLE ("/dev/fd/N" not an
 *         open descriptor); STATUS_OBJECT_NAME_INVALID (not convertible to UTF-8);
 *         STATUS_OBJECT_PATH_NOT_FOUND; STATUS_NOT_A_DIRECTORY;
 *         STATUS_ACCESS_DENIED (mount(2) refused, or fusermount3 refused);
 *         STATUS_DEVICE_BUSY (this process already serves the directory, or
 *         it is already a FUSE mount point); STATUS_NO_SUCH_DEVICE (no FUSE in
 *         the kernel, or no fusermount3 for an ordinary user);
 *         STATUS_INVALID_DEVICE_STATE (already mounted)
 */
FSP_API NTSTATUS FspFileSystemSetMountPoint(FSP_FILE_SYSTEM *FileSystem, PWSTR MountPoint);
/**
 * FspFileSystemSetMountPoint() with a security descriptor for the mount
 * point; LinFsp ignores the descriptor (the directory's own permissions apply).
 * @param FileSystem the file system
 * @param MountPoint the directory
 * @param SecurityDescriptor ignored
 * @return as FspFileSystemSetMountPoint()
 */
FSP_API NTSTATUS FspFileSystemSetMountPointEx(FSP_FILE_SYSTEM *FileSystem, PWSTR MountPoint,
                                              PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * LinFsp extension: add mount options, comma separated as mount -o takes them.
 *
 * Call before FspFileSystemSetMountPoint(); options of several calls
 * accumulate. Accepted: allow_other, allow_root (becomes allow_other),
 * default_permissions (implied unless VolumeParams.MountOptionsAsGiven), ro,
 * rw, fsname=NAME, subtype=NAME, auto_unmount, max_read=N, nosuid, suid,
 * nodev, dev, noexec, exec, noatime, atime, relatime, sync, async, dirsync,
 * and the engine's own io_uring and no_io_uring (use FUSE over io_uring when
 * the kernel offers it, or not). Later options override earlier ones (suid
 * after nosuid, ...); see doc/mounting.md.
 * @param FileSystem the file system
 * @param Options the options; NULL or "" adds nothing
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (an unknown option, a value
 *         where none is taken or none where one is needed, a max_read that is
 *         not a number from 1 to 2^32-1); STATUS_INVALID_DEVICE_STATE (already
 *         mounted); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspFileSystemSetMountOptions(FSP_FILE_SYSTEM *FileSystem, const char *Options);
/**
 * Unmount: umount2(2), lazily when the mount is busy (as root), or
 * fusermount3 -u -z; then ends the watchdog. Nothing happens when the file
 * system is not mounted. FileSystem->MountPoint keeps its value.
 * @param FileSystem the file system
 */
FSP_API VOID FspFileSystemRemoveMountPoint(FSP_FILE_SYSTEM *FileSystem);
/**
 * Start the worker threads that serve the kernel's requests.
 *
 * Mount first: workers reading an unmounted /dev/fuse descriptor fail at once
 * and stop. Worker 0 reads the mount's /dev/fuse descriptor; each other worker
 * clones it (FUSE_DEV_IOC_CLONE) for a queue of its own. With FUSE over
 * io_uring (Linux 6.14+, when the kernel offers it) the workers serve ring
 * entries instead. The dispatcher may be started again after
 * FspFileSystemStopDispatcher().
 * @param FileSystem the file system
 * @param ThreadCount number of workers; 0: twice the online CPUs, at least 2, at most 16
 * @return STATUS_SUCCESS; STATUS_INVALID_DEVICE_STATE (already started, or no
 *         /dev/fuse descriptor to serve); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspFileSystemStartDispatcher(FSP_FILE_SYSTEM *FileSystem, ULONG ThreadCount);
/**
 * Stop the worker threads.
 *
 * Wakes the workers and joins them, waiting at most 5 seconds for a worker
 * that is inside a callback. A worker that does not come back is abandoned:
 * it is left running and the engine and file system object are never freed
 * (FspFileSystemDelete() leaves them), and DispatcherStopped is not called.
 * Otherwise every pending operation is completed with STATUS_CANCELLED (the
 * callers see EINTR; responses sent later are discarded) and
 * DispatcherStopped is called (Normally TRUE unless the volume had gone
 * away). Does not unmount. Nothing happens when the dispatcher is not
 * running. Do not call it from a callback.
 * @param FileSystem the file system
 */
FSP_API VOID FspFileSystemStopDispatcher(FSP_FILE_SYSTEM *FileSystem);
/**
 * Complete an operation that Read, Write or ReadDirectory answered with
 * STATUS_PENDING.
 *
 * May be called from any thread, also before the callback that returned
 * STATUS_PENDING has returned (the engine keeps such an early response and
 * delivers it). The engine reads the response during the call only (a stack
 * record will do). Response->Hint must be the request's Hint;
 * IoStatus.Status and IoStatus.Information (bytes read, written or placed in
 * the directory buffer, at most the length asked for) give the result; read
 * data and directory entries must already be in the buffer the callback got.
 * A response for an operation that was interrupted or cancelled meanwhile is
 * discarded; one for an unknown Hint is ignored (and logged).
 * @param FileSystem the file system (NULL: ignored)
 * @param Response the response (NULL: ignored)
 */
FSP_API VOID FspFileSystemSendResponse(FSP_FILE_SYSTEM *FileSystem,
                                       FSP_FSCTL_TRANSACT_RSP *Response);
/**
 * The current interface call's request and response (thread-local).
 * @return the context during an interface call made by the engine on this
 *         thread, NULL elsewhere. The records it points to are valid until the
 *         callback returns.
 */
FSP_API FSP_FILE_SYSTEM_OPERATION_CONTEXT *FspFileSystemGetOperationContext(VOID);
/**
 * LinFsp extension (kernel passthrough to backing files; Linux 6.9+): let
 * the kernel do this open's I/O on a file of a local Linux file system.
 *
 * Needs VolumeParams.PassthroughBackingFiles (and so VolumeParams.Version =
 * sizeof(FSP_FSCTL_VOLUME_PARAMS)). Call it inside Create, CreateEx, Open or
 * Overwrite with an open descriptor of a regular file on a non-stacked local
 * file system that holds the data of the file being opened. When the open
 * succeeds the engine registers the descriptor with the kernel and the
 * kernel reads, writes, splices and maps that file directly: Read and Write
 * are not called for the open (nor for other opens of the same file while it
 * is open this way); everything else (attributes, truncation, Flush,
 * Cleanup, Close, ...) still reaches the file system, and GetFileInfo should
 * report the backing file's size and times.
 *
 * The engine neither closes nor keeps Fd (the kernel takes its own reference
 * while the open is answered); keep it open until Close anyway. Only the
 * descriptor given in the last Create/Open call of an operation counts. The
 * kernel wants one backing file per file and no mix of modes: while a file is
 * open in passthrough mode further opens share its backing file, and while it
 * is open normally an open that brings a descriptor stays normal. Where the
 * kernel refuses the descriptor (no CAP_SYS_ADMIN, a stacked file system such
 * as overlayfs, not a regular file, O_PATH) the open silently takes the normal
 * path; the first refusal is logged with FspDebugLog().
 * @param Fd the backing file's descriptor
 * @return STATUS_SUCCESS; STATUS_NOT_SUPPORTED (passthrough not negotiated on
 *         this mount: nothing recorded); STATUS_INVALID_DEVICE_STATE (not
 *         inside Create, CreateEx, Open or Overwrite); STATUS_INVALID_PARAMETER
 *         (Fd < 0)
 */
FSP_API NTSTATUS FspFileSystemSetOpenBackingFile(int Fd);
/**
 * LinFsp extension: say how the kernel treats the open being made.
 *
 * Call inside Create, CreateEx, Open, Overwrite or OverwriteEx of an open the
 * kernel asked for (open(2), creat(2), opendir(3); see
 * FSP_FSCTL_TRANSACT_REQ::Req.Create.PosixOpen). The flags replace the
 * engine's own choice for that open (FSP_FSCTL_OPEN_KEEP_CACHE for files when
 * FileInfoTimeout is INFINITE); kernel passthrough is still added where it
 * applies. Only the last call of an operation counts.
 * @param Flags FSP_FSCTL_OPEN_* flags (fsctl.h)
 * @return STATUS_SUCCESS; STATUS_INVALID_DEVICE_STATE (not inside one of those
 *         callbacks); STATUS_INVALID_PARAMETER (a flag outside
 *         FSP_FSCTL_OPEN_FLAGS_VALID)
 */
FSP_API NTSTATUS FspFileSystemSetOpenFlags(UINT32 Flags);
/**
 * LinFsp extension: the /dev/fuse descriptor the engine serves.
 *
 * For the descriptor's flags (FD_CLOEXEC) and for polling by a caller that
 * runs its own loop only: the engine alone reads and writes it.
 * @param FileSystem the file system
 * @return the descriptor after FspFileSystemSetMountPoint(), else -1
 */
FSP_API int FspFileSystemDeviceDescriptor(FSP_FILE_SYSTEM *FileSystem);
/**
 * LinFsp extension: give the mounted /dev/fuse descriptor away.
 *
 * After FspFileSystemSetMountPoint() and before the dispatcher starts:
 * *PFd receives the descriptor, and the engine neither serves nor unmounts
 * the mount any more (delete the file system object afterwards). Another
 * program serves it, as "/dev/fd/N" (libfuse's fuse_open_channel(),
 * mount.fuse3 -o drop_privileges). The mount stays until someone unmounts it
 * (when mounted through fusermount3: until its connection ends).
 * @param FileSystem the file system
 * @param PFd receives the descriptor (-1 on failure)
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER; STATUS_INVALID_DEVICE_STATE
 *         (not mounted, mounted on an adopted descriptor, or the dispatcher
 *         already started)
 */
FSP_API NTSTATUS FspFileSystemDetachDevice(FSP_FILE_SYSTEM *FileSystem, int *PFd);
/**
 * LinFsp extension: the file that Poll was given PollHandle for became ready;
 * the kernel polls it again (FUSE_NOTIFY_POLL). From any thread, also inside
 * a callback.
 * @param FileSystem the file system
 * @param PollHandle a handle Poll received
 * @return STATUS_SUCCESS (also when the kernel no longer waits for the
 *         handle); STATUS_INVALID_PARAMETER (PollHandle 0);
 *         STATUS_INVALID_DEVICE_STATE (not mounted); an error from writing to
 *         /dev/fuse
 */
FSP_API NTSTATUS FspFileSystemNotifyPoll(FSP_FILE_SYSTEM *FileSystem, UINT64 PollHandle);
/**
 * Check that a file system could be mounted, without creating one: /dev/fuse
 * is readable and writable (root) or exists (others), and the mount point is
 * an existing directory.
 * @param DevicePath ignored
 * @param MountPoint the directory to check, or NULL to check only the device
 * @return STATUS_SUCCESS; STATUS_NO_SUCH_DEVICE; STATUS_ACCESS_DENIED;
 *         STATUS_OBJECT_PATH_NOT_FOUND; STATUS_NOT_A_DIRECTORY;
 *         STATUS_OBJECT_NAME_INVALID (not convertible to UTF-8)
 */
FSP_API NTSTATUS FspFileSystemPreflight(PWSTR DevicePath, PWSTR MountPoint);

/**
 * The mount point given to FspFileSystemSetMountPoint().
 * @param FileSystem the file system
 * @return FileSystem->MountPoint (NULL before mounting); owned by the file system
 */
static inline PWSTR FspFileSystemMountPoint(FSP_FILE_SYSTEM *FileSystem)
{
    return FileSystem->MountPoint;
}
/**
 * FspFileSystemMountPoint() as an exported function.
 * @param FileSystem the file system
 * @return FileSystem->MountPoint
 */
FSP_API PWSTR FspFileSystemMountPointF(FSP_FILE_SYSTEM *FileSystem);

/* ---- operation guard ---- */
/**
 * The default guard's enter hook: take the operation guard for one interface
 * call.
 *
 * Classifies the call by Request->Kind (and the kind's fields) as exclusive
 * (write lock on FileSystem->OpGuardLock), shared (read lock) or unguarded,
 * by FileSystem->OpGuardStrategy (see FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY),
 * and records what it took in Request->Version for FspFileSystemOpLeave().
 * @param FileSystem the file system
 * @param Request the call's request
 * @param Response unused
 * @return STATUS_SUCCESS
 */
FSP_API NTSTATUS FspFileSystemOpEnter(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_REQ *Request,
                                      FSP_FSCTL_TRANSACT_RSP *Response);
/**
 * The default guard's leave hook: release what FspFileSystemOpEnter() took
 * (as recorded in Request->Version).
 * @param FileSystem the file system
 * @param Request the call's request
 * @param Response unused
 * @return STATUS_SUCCESS
 */
FSP_API NTSTATUS FspFileSystemOpLeave(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_REQ *Request,
                                      FSP_FSCTL_TRANSACT_RSP *Response);
/**
 * Call the file system's enter hook (FSP_FILE_SYSTEM::EnterOperation), if any.
 * The engine calls this before every interface call.
 * @param FileSystem the file system
 * @param Request the call's request
 * @param Response the call's response record
 * @return the hook's result, or STATUS_SUCCESS without a hook (the engine ignores it)
 */
static inline NTSTATUS FspFileSystemEnterOperation(FSP_FILE_SYSTEM *FileSystem,
                                                   FSP_FSCTL_TRANSACT_REQ *Request,
                                                   FSP_FSCTL_TRANSACT_RSP *Response)
{
    return FileSystem->EnterOperation ? FileSystem->EnterOperation(FileSystem, Request, Response)
                                      : STATUS_SUCCESS;
}
/**
 * FspFileSystemEnterOperation() as an exported function.
 * @param FileSystem the file system
 * @param Request the call's request
 * @param Response the call's response record
 * @return the hook's result, or STATUS_SUCCESS without a hook
 */
FSP_API NTSTATUS FspFileSystemEnterOperationF(FSP_FILE_SYSTEM *FileSystem,
                                              FSP_FSCTL_TRANSACT_REQ *Request,
                                              FSP_FSCTL_TRANSACT_RSP *Response);
/**
 * Call the file system's leave hook (FSP_FILE_SYSTEM::LeaveOperation), if any.
 * The engine calls this after every interface call.
 * @param FileSystem the file system
 * @param Request the call's request
 * @param Response the call's response record
 * @return the hook's result, or STATUS_SUCCESS without a hook (the engine ignores it)
 */
static inline NTSTATUS FspFileSystemLeaveOperation(FSP_FILE_SYSTEM *FileSystem,
                                                   FSP_FSCTL_TRANSACT_REQ *Request,
                                                   FSP_FSCTL_TRANSACT_RSP *Response)
{
    return FileSystem->LeaveOperation ? FileSystem->LeaveOperation(FileSystem, Request, Response)
                                      : STATUS_SUCCESS;
}
/**
 * FspFileSystemLeaveOperation() as an exported function.
 * @param FileSystem the file system
 * @param Request the call's request
 * @param Response the call's response record
 * @return the hook's result, or STATUS_SUCCESS without a hook
 */
FSP_API NTSTATUS FspFileSystemLeaveOperationF(FSP_FILE_SYSTEM *FileSystem,
                                              FSP_FSCTL_TRANSACT_REQ *Request,
                                              FSP_FSCTL_TRANSACT_RSP *Response);
/**
 * Replace the operation guard hooks. Call before FspFileSystemStartDispatcher()
 * (the hooks are read without synchronization).
 * @param FileSystem the file system
 * @param EnterOperation called before every interface call, or NULL
 * @param LeaveOperation called after every interface call, or NULL (NULL and
 *        NULL: no guard at all; the file system serializes itself)
 */
FSP_API VOID FspFileSystemSetOperationGuard(FSP_FILE_SYSTEM *FileSystem,
                                            FSP_FILE_SYSTEM_OPERATION_GUARD *EnterOperation,
                                            FSP_FILE_SYSTEM_OPERATION_GUARD *LeaveOperation);
/**
 * FspFileSystemSetOperationGuard() under WinFsp's name for its exported form.
 * @param FileSystem the file system
 * @param EnterOperation called before every interface call, or NULL
 * @param LeaveOperation called after every interface call, or NULL
 */
FSP_API VOID FspFileSystemSetOperationGuardF(FSP_FILE_SYSTEM *FileSystem,
                                             FSP_FILE_SYSTEM_OPERATION_GUARD *EnterOperation,
                                             FSP_FILE_SYSTEM_OPERATION_GUARD *LeaveOperation);
/**
 * Choose the default guard's strategy (exported function). Call before
 * FspFileSystemStartDispatcher(): the strategy in force at the kernel's
 * FUSE_INIT also decides whether directory operations may run in parallel.
 * @param FileSystem the file system
 * @param GuardStrategy FINE (default) or COARSE
 */
FSP_API VOID FspFileSystemSetOperationGuardStrategyF(FSP_FILE_SYSTEM *FileSystem,
                                                     FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY GuardStrategy);
/**
 * Choose the default guard's strategy; see FspFileSystemSetOperationGuardStrategyF().
 * @param FileSystem the file system
 * @param GuardStrategy FINE (default) or COARSE
 */
static inline VOID FspFileSystemSetOperationGuardStrategy(FSP_FILE_SYSTEM *FileSystem,
                                                          FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY GuardStrategy)
{
    FspFileSystemSetOperationGuardStrategyF(FileSystem, GuardStrategy);
}
/**
 * Turn request tracing on or off. On LinFsp any non-zero value logs every
 * request (unique id, opcode, node, uid, pid) and reply with FspDebugLog();
 * it is not WinFsp's per-kind mask.
 * @param FileSystem the file system
 * @param DebugLog 0 (off) or non-zero (on; WinFsp programs pass -1)
 */
static inline VOID FspFileSystemSetDebugLog(FSP_FILE_SYSTEM *FileSystem, UINT32 DebugLog)
{
    FileSystem->DebugLog = DebugLog;
}
/**
 * FspFileSystemSetDebugLog() as an exported function.
 * @param FileSystem the file system
 * @param DebugLog 0 (off) or non-zero (on)
 */
FSP_API VOID FspFileSystemSetDebugLogF(FSP_FILE_SYSTEM *FileSystem, UINT32 DebugLog);
/**
 * The dispatcher's result: the first failure recorded with
 * FspFileSystemSetDispatcherResult() (STATUS_SUCCESS if none). The engine
 * records none itself; a file system uses it as on WinFsp, to report why it
 * stopped (WinFsp's samples read it after FspFileSystemStopDispatcher()).
 * @param FileSystem the file system
 * @param PDispatcherResult receives the result
 */
static inline VOID FspFileSystemGetDispatcherResult(FSP_FILE_SYSTEM *FileSystem,
                                                    NTSTATUS *PDispatcherResult)
{
    *PDispatcherResult = FspInterlockedLoad32((INT32 *)&FileSystem->DispatcherResult);
}
/**
 * FspFileSystemGetDispatcherResult() as an exported function.
 * @param FileSystem the file system
 * @param PDispatcherResult receives the result
 */
FSP_API VOID FspFileSystemGetDispatcherResultF(FSP_FILE_SYSTEM *FileSystem,
                                               NTSTATUS *PDispatcherResult);
/**
 * Record a failure as the dispatcher's result; success values are ignored and
 * only the first failure is kept. Safe from any thread.
 * @param FileSystem the file system
 * @param DispatcherResult the status to record
 */
static inline VOID FspFileSystemSetDispatcherResult(FSP_FILE_SYSTEM *FileSystem,
                                                    NTSTATUS DispatcherResult)
{
    NTSTATUS Expected = 0;
    if (NT_SUCCESS(DispatcherResult))
        return;
    __atomic_compare_exchange_n(&FileSystem->DispatcherResult, &Expected, DispatcherResult, 0,
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/**
 * FspFileSystemSetDispatcherResult() as an exported function.
 * @param FileSystem the file system
 * @param DispatcherResult the status to record
 */
FSP_API VOID FspFileSystemSetDispatcherResultF(FSP_FILE_SYSTEM *FileSystem,
                                               NTSTATUS DispatcherResult);
/**
 * Whether the current call compares names case-sensitively.
 * @return for Create-kind calls (Create, CreateEx, Open) and ReadDirectory:
 *         VolumeParams.CaseSensitiveSearch; TRUE for every other call and
 *         outside interface calls
 */
static inline BOOLEAN FspFileSystemIsOperationCaseSensitive(VOID)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *Context = FspFileSystemGetOperationContext();
    return Context && Context->Request && Context->Request->Kind == FspFsctlTransactCreateKind
               ? Context->Request->Req.Create.CaseSensitive
               : Context && Context->Request &&
                         Context->Request->Kind == FspFsctlTransactQueryDirectoryKind
                     ? Context->Request->Req.QueryDirectory.CaseSensitive
                     : TRUE;
}
/**
 * FspFileSystemIsOperationCaseSensitive() as an exported function.
 * @return as FspFileSystemIsOperationCaseSensitive()
 */
FSP_API BOOLEAN FspFileSystemIsOperationCaseSensitiveF(VOID);
/**
 * The process id of the caller of the current call, exported function.
 * Valid in every interface call (WinFsp: only some kinds).
 * @return Request->CallerPid: the pid the kernel reports for the caller (its
 *         thread id; 0 for requests the kernel makes without a caller);
 *         0 outside interface calls
 */
FSP_API UINT32 FspFileSystemOperationProcessIdF(VOID);
/**
 * The process id of the caller of the current call; see FspFileSystemOperationProcessIdF().
 * @return the caller's pid, or 0
 */
static inline UINT32 FspFileSystemOperationProcessId(VOID)
{
    return FspFileSystemOperationProcessIdF();
}

/* ---- notifications (kernel cache invalidation) ---- */
/**
 * Begin a batch of FspFileSystemNotify() calls. Never blocks and never fails
 * on LinFsp (it takes a process-wide read lock that nothing else takes);
 * exists for source compatibility. Pair with FspFileSystemNotifyEnd().
 * @param FileSystem the file system (unused)
 * @param Timeout ignored
 * @return STATUS_SUCCESS
 */
FSP_API NTSTATUS FspFileSystemNotifyBegin(FSP_FILE_SYSTEM *FileSystem, ULONG Timeout);
/**
 * End a batch begun with FspFileSystemNotifyBegin().
 * @param FileSystem the file system (unused)
 * @return STATUS_SUCCESS
 */
FSP_API NTSTATUS FspFileSystemNotifyEnd(FSP_FILE_SYSTEM *FileSystem);
/**
 * Tell the engine that files changed behind the kernel's back; the kernel
 * drops what it cached of them.
 *
 * For each record the engine looks the path up among the names the kernel
 * knows: it makes the kernel forget the name (FUSE_NOTIFY_INVAL_ENTRY) when
 * the parent is known, and the file's attributes and cached data
 * (FUSE_NOTIFY_INVAL_INODE) when the file is known. Names the kernel never
 * looked up need nothing. Filter and Action are ignored. Call it from any
 * thread, but not from inside an operation on the same file: the kernel may
 * wait for that operation while invalidating.
 * @param FileSystem the file system
 * @param NotifyInfo FSP_FSCTL_NOTIFY_INFO records, 8-byte aligned (built with
 *        FspFileSystemAddNotifyInfo()); read during the call only
 * @param Size bytes of records
 * @return STATUS_SUCCESS (also before the kernel's FUSE_INIT: nothing is
 *         cached yet); STATUS_INVALID_PARAMETER (a record's Size out of
 *         bounds, or NULL with Size > 0); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspFileSystemNotify(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_NOTIFY_INFO *NotifyInfo,
                                     SIZE_T Size);
/**
 * Append a notification record to a buffer for FspFileSystemNotify().
 * @param NotifyInfo the record (its Size counts the name), or NULL for an end marker
 * @param Buffer the buffer
 * @param Length bytes of Buffer
 * @param PBytesTransferred in: bytes used so far; out: after the record and
 *        its padding to 8 bytes
 * @return TRUE, or FALSE when the record (with its padding) does not fit
 */
FSP_API BOOLEAN FspFileSystemAddNotifyInfo(FSP_FSCTL_NOTIFY_INFO *NotifyInfo, PVOID Buffer,
                                           ULONG Length, PULONG PBytesTransferred);

/* ---- buffer helpers ---- */
/**
 * Append a directory entry to ReadDirectory's buffer.
 *
 * The record is copied at the next 8-byte boundary and padded to 8 bytes;
 * the padding must fit too. With DirInfo NULL appends the end marker (a zero
 * UINT16) that tells the engine the listing is complete.
 * @param DirInfo the entry (DirInfo->Size counts the name), or NULL for the end marker
 * @param Buffer ReadDirectory's buffer
 * @param Length bytes of Buffer
 * @param PBytesTransferred in: bytes used so far; out: bytes used after the record
 * @return TRUE; FALSE when it does not fit (stop and return: the engine asks
 *         again after the last entry added) or DirInfo->Size is too small
 */
FSP_API BOOLEAN FspFileSystemAddDirInfo(FSP_FSCTL_DIR_INFO *DirInfo, PVOID Buffer, ULONG Length,
                                        PULONG PBytesTransferred);
/**
 * Append a stream entry to GetStreamInfo's buffer (8-byte aligned, as
 * FspFileSystemAddDirInfo()). GetStreamInfo is never called on LinFsp.
 * @param StreamInfo the entry, or NULL for an end marker
 * @param Buffer the buffer
 * @param Length bytes of Buffer
 * @param PBytesTransferred in: bytes used so far; out: after the record
 * @return TRUE, or FALSE when it does not fit
 */
FSP_API BOOLEAN FspFileSystemAddStreamInfo(FSP_FSCTL_STREAM_INFO *StreamInfo, PVOID Buffer,
                                           ULONG Length, PULONG PBytesTransferred);
/**
 * Append an extended attribute to GetEa's list.
 *
 * The entry is copied at the next 4-byte boundary and chained to the
 * previous one through its NextEntryOffset; the new entry's
 * NextEntryOffset is 0, so the list is always terminated.
 * @param SingleEa the EA (EaNameLength, EaValueLength, name, NUL, value), or
 *        NULL, which adds nothing (WinFsp's end of list)
 * @param Ea the start of the list (GetEa's buffer)
 * @param EaLength bytes of the buffer
 * @param PBytesTransferred in: bytes used so far; out: after the entry
 * @return TRUE, or FALSE when the entry does not fit
 *
 * Amortized O(1) per append (LinFsp): the function remembers, per thread, the
 * buffer and byte count it left and the entry it wrote, and chains the next
 * entry of that list to it without walking the list (checked: that entry must
 * still end the list at *PBytesTransferred).
 */
FSP_API BOOLEAN FspFileSystemAddEa(PFILE_FULL_EA_INFORMATION SingleEa,
                                   PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength,
                                   PULONG PBytesTransferred);
/**
 * The packed size of an EA as WinFsp counts it toward FSP_FSCTL_FILE_INFO::EaSize:
 * 5 bytes (flags, name length, value length, the name's NUL) plus the name
 * and the value.
 * @param SingleEa the EA
 * @return its packed size in bytes
 */
static inline UINT32 FspFileSystemGetEaPackedSize(PFILE_FULL_EA_INFORMATION SingleEa)
{
    /* the packed size of an EA (FILE_GET_EA_INFORMATION-style accounting: 5 + name + value) */
    return 5 + SingleEa->EaNameLength + SingleEa->EaValueLength;
}
/**
 * Call EnumerateEa for each EA of a list, checking the list as it goes (every
 * entry within EaLength, a NUL after each name, NextEntryOffset a multiple of
 * 4 no smaller than the entry). The engine uses it on what GetEa returns.
 * @param FileSystem passed to EnumerateEa
 * @param EnumerateEa called for each entry; a failure stops the walk
 * @param Context passed to EnumerateEa
 * @param Ea the list
 * @param EaLength bytes of the list
 * @return STATUS_SUCCESS; STATUS_EA_CORRUPT_ERROR (a malformed list); or the
 *         first failure EnumerateEa returned
 */
FSP_API NTSTATUS FspFileSystemEnumerateEa(FSP_FILE_SYSTEM *FileSystem,
                                          NTSTATUS (*EnumerateEa)(FSP_FILE_SYSTEM *FileSystem,
                                                                  PVOID Context,
                                                                  PFILE_FULL_EA_INFORMATION SingleEa),
                                          PVOID Context, PFILE_FULL_EA_INFORMATION Ea,
                                          ULONG EaLength);
/**
 * The normalized-name buffer behind the FileInfo that Create, CreateEx and
 * Open receive.
 * @param FileInfo the FileInfo argument of Create, CreateEx or Open
 * @return NormalizedName of the FSP_FSCTL_OPEN_FILE_INFO: always NULL on LinFsp
 */
FSP_API PWSTR FspFileSystemGetOpenFileInfoName(FSP_FSCTL_FILE_INFO *FileInfo);
/**
 * The FSP_FSCTL_OPEN_FILE_INFO behind the FileInfo that Create, CreateEx and
 * Open receive (NormalizedName NULL and NormalizedNameSize 0 on LinFsp).
 * @param FileInfo the FileInfo argument of Create, CreateEx or Open
 * @return the same address as an FSP_FSCTL_OPEN_FILE_INFO
 */
static inline FSP_FSCTL_OPEN_FILE_INFO *FspFileSystemGetOpenFileInfo(FSP_FSCTL_FILE_INFO *FileInfo)
{
    return (FSP_FSCTL_OPEN_FILE_INFO *)FileInfo;
}
/**
 * LinFsp extension: where a callback returns the nanoseconds below 100 ns
 * of the times it puts in FileInfo (VolumeParams.NanosecondTimes).
 *
 * With that flag every FSP_FSCTL_FILE_INFO the engine passes to a callback
 * (Create, CreateEx, Open, Overwrite, OverwriteEx, Write, Flush, GetFileInfo,
 * SetBasicInfo, SetFileSize, SetEa, CreateHardLink, Fallocate, CreateUnnamed)
 * is the FileInfo of an FSP_FSCTL_OPEN_FILE_INFO with Nsec zeroed, and the
 * engine reads Nsec back with the FileInfo. This function checks that: it
 * returns that Nsec only for the FileInfo the engine passed to the callback
 * now running on this thread, and NULL for anything else (a file system's
 * own FSP_FSCTL_FILE_INFO, a callback the file system calls itself, a volume
 * without the flag), so a file system may call it on any FileInfo and fill
 * what it gets. Directory entries carry their nanoseconds in
 * FSP_FSCTL_DIR_INFO::Nsec instead.
 * @param FileInfo a FileInfo argument
 * @return the FSP_FSCTL_OPEN_FILE_INFO::Nsec that goes with it, or NULL
 */
FSP_API FSP_FSCTL_FILE_NSEC *FspFileSystemGetFileInfoNsec(FSP_FSCTL_FILE_INFO *FileInfo);

/* ---- directory buffers ---- */
/**
 * Acquire a directory buffer for filling.
 *
 * A directory buffer lets a file system list a directory once and then serve
 * ReadDirectory calls from the listing, by marker
 * (FspFileSystemReadDirectoryBuffer()). Keep the PVOID in the open
 * directory's context, NULL at first; the buffer is created on first use
 * (safe against threads racing to create it).
 *
 * Returns TRUE, with the buffer's write lock held and its entries dropped,
 * when Reset is TRUE or the buffer holds no entries: fill it with
 * FspFileSystemFillDirectoryBuffer(), then call
 * FspFileSystemReleaseDirectoryBuffer() (always, also after a failed fill).
 * Returns FALSE, holding nothing, when the buffer already has entries and
 * Reset is FALSE: read it as it is. Typically Reset is TRUE when Marker is
 * NULL (a listing from the start).
 * @param PDirBuffer where the buffer's pointer lives
 * @param Reset start a new listing even if the buffer has one
 * @param PResult receives STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES
 *        (then FALSE is returned)
 * @return TRUE when the caller must fill and release the buffer
 */
FSP_API BOOLEAN FspFileSystemAcquireDirectoryBuffer(PVOID *PDirBuffer, BOOLEAN Reset,
                                                    PNTSTATUS PResult);
/**
 * FspFileSystemAcquireDirectoryBuffer() with a capacity hint.
 * @param PDirBuffer where the buffer's pointer lives
 * @param Reset start a new listing even if the buffer has one
 * @param CapacityHint bytes of entries to make room for when filling starts (0: none)
 * @param PResult receives STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES
 * @return TRUE when the caller must fill and release the buffer
 */
FSP_API BOOLEAN FspFileSystemAcquireDirectoryBufferEx(PVOID *PDirBuffer, BOOLEAN Reset,
                                                      ULONG CapacityHint, PNTSTATUS PResult);
/**
 * Add an entry to a directory buffer acquired for filling (between
 * FspFileSystemAcquireDirectoryBuffer() returning TRUE and
 * FspFileSystemReleaseDirectoryBuffer()). Entries may be added in any order;
 * "." and ".." may be added too (they sort first, and the engine drops them).
 * @param PDirBuffer where the buffer's pointer lives
 * @param DirInfo the entry, copied
 * @param PResult receives STATUS_SUCCESS, STATUS_INVALID_PARAMETER (no buffer,
 *        DirInfo NULL or its Size too small) or STATUS_INSUFFICIENT_RESOURCES
 * @return TRUE when the entry was added
 */
FSP_API BOOLEAN FspFileSystemFillDirectoryBuffer(PVOID *PDirBuffer, FSP_FSCTL_DIR_INFO *DirInfo,
                                                 PNTSTATUS PResult);
/**
 * Finish filling: sort the entries by name ("." and ".." first, then by
 * character code, case-sensitively) and release the write lock taken by
 * FspFileSystemAcquireDirectoryBuffer().
 * @param PDirBuffer where the buffer's pointer lives
 */
FSP_API VOID FspFileSystemReleaseDirectoryBuffer(PVOID *PDirBuffer);
/**
 * Serve a ReadDirectory call from a directory buffer: copy the entries whose
 * names sort after Marker into Buffer with FspFileSystemAddDirInfo() while
 * they fit, then the end marker when every remaining entry fit. Takes the
 * buffer's read lock meanwhile. A buffer never filled gives just the end marker.
 * @param PDirBuffer where the buffer's pointer lives
 * @param Marker ReadDirectory's Marker (NULL: from the first entry)
 * @param Buffer ReadDirectory's buffer
 * @param Length bytes of Buffer
 * @param PBytesTransferred receives the bytes placed
 */
FSP_API VOID FspFileSystemReadDirectoryBuffer(PVOID *PDirBuffer, PWSTR Marker, PVOID Buffer,
                                              ULONG Length, PULONG PBytesTransferred);
/**
 * Free a directory buffer (typically in Close) and set *PDirBuffer to NULL.
 * No other thread may use the buffer meanwhile.
 * @param PDirBuffer where the buffer's pointer lives (NULL buffer: nothing happens)
 */
FSP_API VOID FspFileSystemDeleteDirectoryBuffer(PVOID *PDirBuffer);

/* ---- reparse points ---- */
/**
 * Find the first reparse point among the directories of a path.
 *
 * Calls GetReparsePointByName for every proper prefix of FileName ("\a",
 * "\a\b", ... but not the whole name), with IsDirectory TRUE and no buffer,
 * until one succeeds. WinFsp uses it in GetSecurityByName to report
 * STATUS_REPARSE; the LinFsp engine never expects that, but the function works
 * as WinFsp's.
 * @param FileSystem passed to GetReparsePointByName
 * @param GetReparsePointByName tells whether a name is a reparse point
 *        (success) and, given a buffer, fills it with the reparse data
 * @param Context passed to GetReparsePointByName
 * @param FileName the path (modified during the call, restored before it returns)
 * @param PReparsePointIndex receives where the reparse point's name starts in
 *        FileName (may be NULL)
 * @return TRUE when a reparse point was found
 */
FSP_API BOOLEAN FspFileSystemFindReparsePoint(FSP_FILE_SYSTEM *FileSystem,
                                              NTSTATUS (*GetReparsePointByName)(FSP_FILE_SYSTEM *FileSystem,
                                                                                PVOID Context,
                                                                                PWSTR FileName,
                                                                                BOOLEAN IsDirectory,
                                                                                PVOID Buffer,
                                                                                PSIZE_T PSize),
                                              PVOID Context, PWSTR FileName,
                                              PUINT32 PReparsePointIndex);
/**
 * Resolve the symbolic links along a path (an implementation aid for
 * ResolveReparsePoints, which the LinFsp engine never calls).
 *
 * Walks FileName component by component, asking GetReparsePointByName for
 * each prefix; a symbolic link (IO_REPARSE_TAG_SYMLINK) is replaced by its
 * target (relative targets against the link's directory) and the walk starts
 * over, at most 63 times. A reparse point of another tag stops the walk:
 * its data is copied to Buffer and its tag reported. Paths are limited to
 * 4095 characters.
 * @param FileSystem passed to GetReparsePointByName
 * @param GetReparsePointByName fills Buffer with a name's reparse data
 *        (success) or fails for names that are not reparse points
 * @param Context passed to GetReparsePointByName
 * @param FileName the path to resolve (not modified)
 * @param ReparsePointIndex ignored (the walk starts at the root)
 * @param ResolveLastPathComponent whether the last component is resolved too
 * @param PIoStatus receives STATUS_REPARSE and, in Information, 0 (Buffer holds
 *        the resolved path) or the tag of the reparse point that stopped the walk
 * @param Buffer receives the resolved path (NUL-terminated) or the reparse data
 * @param PSize in: bytes of Buffer; out: bytes of the path without its NUL,
 *        or of the reparse data
 * @return STATUS_REPARSE; STATUS_REPARSE_POINT_NOT_RESOLVED (too many links,
 *         or too long); STATUS_BUFFER_TOO_SMALL; STATUS_OBJECT_NAME_INVALID
 *         (FileName too long); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspFileSystemResolveReparsePoints(FSP_FILE_SYSTEM *FileSystem,
                                                   NTSTATUS (*GetReparsePointByName)(FSP_FILE_SYSTEM *FileSystem,
                                                                                     PVOID Context,
                                                                                     PWSTR FileName,
                                                                                     BOOLEAN IsDirectory,
                                                                                     PVOID Buffer,
                                                                                     PSIZE_T PSize),
                                                   PVOID Context, PWSTR FileName,
                                                   UINT32 ReparsePointIndex,
                                                   BOOLEAN ResolveLastPathComponent,
                                                   PIO_STATUS_BLOCK PIoStatus, PVOID Buffer,
                                                   PSIZE_T PSize);
/**
 * May reparse data replace a file's current reparse data? Yes when the tags
 * are equal and, for tags that are not Microsoft's, the GUIDs too (WinFsp's
 * rule for SetReparsePoint on a file that has reparse data).
 * @param CurrentReparseData the file's reparse data
 * @param CurrentReparseDataSize its bytes
 * @param ReplaceReparseData the new reparse data
 * @param ReplaceReparseDataSize its bytes
 * @return STATUS_SUCCESS; STATUS_IO_REPARSE_TAG_MISMATCH;
 *         STATUS_REPARSE_ATTRIBUTE_CONFLICT (other GUID);
 *         STATUS_IO_REPARSE_DATA_INVALID (too short)
 */
FSP_API NTSTATUS FspFileSystemCanReplaceReparsePoint(PVOID CurrentReparseData,
                                                     SIZE_T CurrentReparseDataSize,
                                                     PVOID ReplaceReparseData,
                                                     SIZE_T ReplaceReparseDataSize);

/* ---- security ---- */
/**
 * The generic mapping of files: GENERIC_READ to FILE_GENERIC_READ,
 * GENERIC_WRITE to FILE_GENERIC_WRITE, GENERIC_EXECUTE to
 * FILE_GENERIC_EXECUTE, GENERIC_ALL to FILE_ALL_ACCESS.
 * @return a static mapping; do not modify it
 */
FSP_API PGENERIC_MAPPING FspGetFileGenericMapping(VOID);
/**
 * Build the security descriptor of a new file or directory from its parent's
 * (WinFsp's rule for Create when no descriptor is requested).
 *
 * The owner and group are the caller's (S-1-22-1-CallerUid and
 * S-1-22-2-CallerGid, or what FspPosixSetUidMap() maps them to). The DACL is
 * made of the parent DACL's inheritable ACEs (marked inherited; CREATOR
 * OWNER and CREATOR GROUP ACEs apply to the new owner and group); without
 * any, it is the DACL of mode 0755 (directory) or 0644 (file). The LinFsp
 * engine does not call it: Create receives a descriptor built from the
 * caller's mode.
 * @param FileSystem unused
 * @param Request the Create request (its CreateOptions tell a directory by
 *        FILE_DIRECTORY_FILE; its CallerUid and CallerGid give the owner)
 * @param ParentDescriptor the parent directory's descriptor, or NULL
 * @param PSecurityDescriptor receives a malloc'ed self-relative descriptor;
 *        free it with FspDeleteSecurityDescriptor()
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (Request NULL);
 *         STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspCreateSecurityDescriptor(FSP_FILE_SYSTEM *FileSystem,
                                             FSP_FSCTL_TRANSACT_REQ *Request,
                                             PSECURITY_DESCRIPTOR ParentDescriptor,
                                             PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/**
 * Apply a SetSecurity modification: the parts named by SecurityInformation
 * (owner, group, DACL, SACL) come from ModificationDescriptor, the others from
 * InputDescriptor. PROTECTED_DACL_SECURITY_INFORMATION and
 * UNPROTECTED_DACL_SECURITY_INFORMATION set or clear SE_DACL_PROTECTED.
 * Both descriptors must be valid self-relative descriptors (not checked).
 * @param InputDescriptor the file's current descriptor
 * @param SecurityInformation which parts to take from ModificationDescriptor
 * @param ModificationDescriptor the descriptor SetSecurity received
 * @param PSecurityDescriptor receives a malloc'ed self-relative descriptor
 *        (NULL on failure); free it with FspDeleteSecurityDescriptor()
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (a NULL descriptor);
 *         STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspSetSecurityDescriptor(PSECURITY_DESCRIPTOR InputDescriptor,
                                          SECURITY_INFORMATION SecurityInformation,
                                          PSECURITY_DESCRIPTOR ModificationDescriptor,
                                          PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/**
 * Free a security descriptor made by the API (FspCreateSecurityDescriptor(),
 * FspSetSecurityDescriptor(), FspSddlToSecurityDescriptor(),
 * FspPosixMapPermissionsToSecurityDescriptor(), ...).
 * @param SecurityDescriptor the descriptor, or NULL
 * @param CreateFunc the function that made it (WinFsp needs it; LinFsp
 *        ignores it: every descriptor is freed with free(3))
 */
FSP_API VOID FspDeleteSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                         NTSTATUS (*CreateFunc)());
/**
 * The length of a self-relative security descriptor: the end of its furthest
 * part. Trusts the offsets and sizes inside: check untrusted data with
 * FspIsValidSecurityDescriptor() first.
 * @param SecurityDescriptor the descriptor
 * @return its length in bytes; 0 when it is NULL, of another revision or not self-relative
 */
FSP_API ULONG FspGetSecurityDescriptorLength(PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * Check a self-relative security descriptor held in Size bytes: revision,
 * SE_SELF_RELATIVE, every offset after the header, 4-byte aligned and inside
 * Size, every SID and ACL (revision, sizes, each ACE's size and SID) inside
 * its bounds. The engine checks every descriptor a file system returns with it.
 * @param SecurityDescriptor the descriptor
 * @param Size bytes available
 * @return TRUE when it is valid
 */
FSP_API BOOLEAN FspIsValidSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T Size);
/**
 * Parse SDDL into a self-relative security descriptor.
 *
 * Supported: "O:" and "G:" with a SID string or alias; "D:" and "S:" with the
 * flags P, AI, AR and NO_ACCESS_CONTROL (a NULL ACL), and ACEs
 * "(type;flags;rights;;;sid)" of types A, D and AU, flags OI CI NP IO ID SA FA,
 * rights GA GR GW GX RC SD WD WO FA FR FW FX CC DC LC SW RP WP DT LO CR or
 * 0xHEX. SID aliases: WD CO CG OW NU IU SU AN AU SY LS NS BA BU BG. Object and
 * conditional ACEs and other aliases are not supported.
 * @param Sddl the SDDL string, e.g. L"O:BAG:BAD:P(A;;FA;;;SY)"
 * @param PSecurityDescriptor receives a malloc'ed descriptor (NULL on
 *        failure); free it with FspDeleteSecurityDescriptor()
 * @param PSecurityDescriptorSize receives its size in bytes (may be NULL)
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL, or bad syntax);
 *         STATUS_INVALID_SID; STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspSddlToSecurityDescriptor(PCWSTR Sddl, PSECURITY_DESCRIPTOR *PSecurityDescriptor,
                                             PULONG PSecurityDescriptorSize);
/**
 * Format a self-relative security descriptor as SDDL: SIDs with an alias are
 * written as the alias, rights as FA or 0xHEX; ACEs other than allow, deny
 * and audit are left out.
 * @param SecurityDescriptor the descriptor (checked)
 * @param SecurityInformation which parts to write (OWNER_, GROUP_, DACL_,
 *        SACL_SECURITY_INFORMATION)
 * @param PSddl receives a malloc'ed string (NULL on failure); free it with free(3)
 * @return STATUS_SUCCESS; STATUS_INVALID_SECURITY_DESCR; STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspSecurityDescriptorToSddl(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                             SECURITY_INFORMATION SecurityInformation,
                                             PWSTR *PSddl);
/**
 * Parse a SID string ("S-1-5-18") or an SDDL alias ("SY", "BA", "WD", ...).
 * @param String the string (nothing may follow the SID)
 * @param PSid receives a malloc'ed SID (NULL on failure); free it with FspDeleteSid()
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL); STATUS_INVALID_SID;
 *         STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspStringToSid(PCWSTR String, PSID *PSid);
/**
 * Format a SID as "S-R-A-S1-S2...".
 * @param Sid the SID (checked)
 * @param PString receives a malloc'ed string (NULL on failure); free it with free(3)
 * @return STATUS_SUCCESS; STATUS_INVALID_SID; STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspSidToString(PSID Sid, PWSTR *PString);
/**
 * Check a SID held in Size bytes: revision 1, at most 15 sub-authorities,
 * its length within Size.
 * @param Sid the SID, or NULL
 * @param Size bytes available
 * @return TRUE when it is valid
 */
FSP_API BOOLEAN FspIsValidSid(PSID Sid, SIZE_T Size);
/**
 * The length of a SID: 8 + 4 * SubAuthorityCount (not checked).
 * @param Sid the SID
 * @return its length in bytes
 */
FSP_API ULONG FspGetSidLength(PSID Sid);
/**
 * Compare two SIDs byte for byte.
 * @param Sid1 a SID
 * @param Sid2 another SID
 * @return TRUE when both are equal; FALSE when they differ or either is NULL
 */
FSP_API BOOLEAN FspEqualSid(PSID Sid1, PSID Sid2);
/**
 * The owner of a self-relative security descriptor (not checked).
 * @param SecurityDescriptor the descriptor
 * @return a pointer into the descriptor, or NULL when it has no owner (or is NULL)
 */
FSP_API PSID FspSecurityDescriptorOwner(PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * The group of a self-relative security descriptor (not checked).
 * @param SecurityDescriptor the descriptor
 * @return a pointer into the descriptor, or NULL when it has no group (or is NULL)
 */
FSP_API PSID FspSecurityDescriptorGroup(PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * The DACL of a self-relative security descriptor (not checked).
 * @param SecurityDescriptor the descriptor
 * @return a pointer into the descriptor; NULL when no DACL is present, for a
 *         NULL DACL (present, offset 0: everything is allowed), or when the
 *         descriptor is NULL
 */
FSP_API PACL FspSecurityDescriptorDacl(PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * LinFsp extension: a copy of a security descriptor whose DACL grants one SID
 * more rights: an allow ACE (no inheritance flags) for Sid with AccessMask is
 * appended after the DACL's ACEs, which are copied unchanged and in order. So
 * a deny ACE that comes earlier still wins (Windows' rule, as
 * FspAccessCheckToken() applies it). The owner, group, SACL and control flags
 * are kept. A descriptor without a DACL, or with a NULL DACL, already grants
 * everyone everything and is copied unchanged (an ACE would take rights away
 * from everyone else). The launcher uses it to give the starter of an instance
 * the rights to stop and query it, as WinFsp's launcher does.
 * @param SecurityDescriptor a self-relative security descriptor (checked with
 *        FspIsValidSecurityDescriptor())
 * @param AccessMask the rights the new ACE allows (taken as they are: generic
 *        rights are not mapped)
 * @param Sid the SID the new ACE allows them to (checked with FspIsValidSid())
 * @param PSecurityDescriptor receives a malloc'ed self-relative descriptor
 *        (NULL on failure); free it with FspDeleteSecurityDescriptor()
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (an invalid or NULL
 *         descriptor or SID); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspSecurityDescriptorAddAccessAllowedAce(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                          ACCESS_MASK AccessMask, PSID Sid,
                                                          PSECURITY_DESCRIPTOR *PSecurityDescriptor);

/* ---- access tokens and access checks (LinFsp extensions) ---- */
/**
 * LinFsp extension: an access token, the SIDs a caller is known by, as a
 * Windows token lists a process's user and groups. Windows gives every
 * process one; on Linux FspPosixCreateAccessToken() builds one from a
 * caller's credentials (for example SO_PEERCRED and SO_PEERGROUPS of a Unix
 * socket), and FspAccessCheckToken() checks it against a security descriptor.
 * The structure is opaque: use the FspAccessToken* functions. A token is not
 * locked: share it between threads only for reading (FspAccessTokenHasSid(),
 * FspAccessTokenSid(), FspAccessCheckToken()).
 */
typedef struct _FSP_ACCESS_TOKEN FSP_ACCESS_TOKEN;
/**
 * LinFsp extension: build the access token of a Linux caller through the
 * POSIX mapping (doc/posix-mapping.md). Its SIDs, in this order:
 * - the user SID, FspPosixMapUidToSid() of Uid (FspAccessTokenUserSid());
 * - FspPosixMapGidToSid() of Gid, then of each of Groups;
 * - Everyone (S-1-1-0, WD) and Authenticated Users (S-1-5-11, AU);
 * - for Uid 0 also LocalSystem (S-1-5-18, SY) and Administrators
 *   (S-1-5-32-544, BA).
 *
 * A SID that is already in the token is not added again (Gid among Groups, or
 * two ids mapped to one SID by FspPosixSetUidMap()). FspAccessTokenAddSid()
 * adds more, for example BA for members of an administrators' group (as
 * linfsp-launcher --admin-group does).
 * @param Uid the caller's (effective) uid
 * @param Gid the caller's (effective) gid
 * @param Groups the caller's supplementary groups (may be NULL when
 *        GroupCount is 0)
 * @param GroupCount the number of Groups
 * @param PToken receives the new token (NULL on failure); free it with
 *        FspDeleteAccessToken()
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (Groups NULL with a
 *         GroupCount); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixCreateAccessToken(UINT32 Uid, UINT32 Gid, const UINT32 *Groups,
                                           ULONG GroupCount, FSP_ACCESS_TOKEN **PToken);
/**
 * LinFsp extension: add a SID to a token, after the SIDs it has. The token
 * keeps a copy; nothing happens when the token has the SID already.
 * @param Token the token
 * @param Sid the SID (checked with FspIsValidSid())
 * @return STATUS_SUCCESS (also when the token had the SID);
 *         STATUS_INVALID_PARAMETER (Token NULL, or an invalid SID);
 *         STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspAccessTokenAddSid(FSP_ACCESS_TOKEN *Token, PSID Sid);
/**
 * LinFsp extension: whether a token has a SID (compared with FspEqualSid()).
 * @param Token the token, or NULL
 * @param Sid the SID, or NULL
 * @return TRUE when the token has the SID; FALSE when not, or when either is
 *         NULL
 */
FSP_API BOOLEAN FspAccessTokenHasSid(FSP_ACCESS_TOKEN *Token, PSID Sid);
/**
 * LinFsp extension: a token's user SID, the first of its SIDs.
 * @param Token the token, or NULL
 * @return the SID, owned by the token (valid until FspDeleteAccessToken());
 *         NULL for a NULL or empty token
 */
FSP_API PSID FspAccessTokenUserSid(FSP_ACCESS_TOKEN *Token);
/**
 * LinFsp extension: how many SIDs a token has (FspAccessTokenSid() gives each).
 * @param Token the token, or NULL
 * @return the number of SIDs, the user's included; 0 for a NULL token
 */
FSP_API ULONG FspAccessTokenSidCount(FSP_ACCESS_TOKEN *Token);
/**
 * LinFsp extension: one of a token's SIDs, in the order they were added (the
 * user first), for example to list them as fsptool id does.
 * @param Token the token, or NULL
 * @param Index 0 to FspAccessTokenSidCount() - 1
 * @return the SID, owned by the token (valid until FspDeleteAccessToken());
 *         NULL for a NULL token or an Index past the end
 */
FSP_API PSID FspAccessTokenSid(FSP_ACCESS_TOKEN *Token, ULONG Index);
/**
 * LinFsp extension: free a token and its SIDs.
 * @param Token the token, or NULL (nothing happens)
 */
FSP_API VOID FspDeleteAccessToken(FSP_ACCESS_TOKEN *Token);
/**
 * LinFsp extension: Windows' access check (AccessCheck) of a token against a
 * security descriptor's DACL, for example of a launcher class's Security
 * against a caller.
 *
 * DesiredAccess is first mapped through GenericMapping (GENERIC_READ,
 * GENERIC_WRITE, GENERIC_EXECUTE, GENERIC_ALL become the specific rights they
 * stand for); each ACE's mask is mapped the same way. Then:
 * - no DACL (or a NULL DACL): every right of GenericMapping->GenericAll and
 *   the standard rights is granted;
 * - an empty DACL grants nothing;
 * - else the ACEs are taken in order; an ACE applies when the token has its
 *   SID; inherit-only ACEs and ACE types other than allow and deny are
 *   skipped; the first applicable ACE that names a right decides it (a right
 *   allowed earlier is not denied later, and the other way round);
 * - the owner (a token that has the descriptor's owner SID) is granted
 *   READ_CONTROL and WRITE_DAC, unless the DACL has ACEs for OWNER RIGHTS
 *   (S-1-3-4): those then apply to the owner instead.
 *
 * The access is granted when every desired right is. MAXIMUM_ALLOWED in
 * DesiredAccess asks for every right the DACL grants (and the other desired
 * rights must be among them). No privileges are held: ACCESS_SYSTEM_SECURITY
 * is never granted.
 * @param SecurityDescriptor a self-relative security descriptor (checked with
 *        FspIsValidSecurityDescriptor(); as Windows' AccessCheck this takes no
 *        size, so it must come from LinFsp, for example
 *        FspSddlToSecurityDescriptor(), or have been checked by the caller)
 * @param Token the caller's token (FspPosixCreateAccessToken())
 * @param DesiredAccess the rights asked for (specific, standard and generic
 *        rights, MAXIMUM_ALLOWED)
 * @param GenericMapping how generic rights map to the object's specific
 *        rights (for a launcher instance: the service rights SERVICE_*)
 * @param PGrantedAccess receives the granted rights: DesiredAccess mapped, or
 *        with MAXIMUM_ALLOWED every right granted; 0 when access is denied
 *        (may be NULL)
 * @return STATUS_SUCCESS when access is granted; STATUS_ACCESS_DENIED (a
 *         desired right is not granted, or DesiredAccess asks for nothing);
 *         STATUS_PRIVILEGE_NOT_HELD (ACCESS_SYSTEM_SECURITY desired);
 *         STATUS_INVALID_PARAMETER (an invalid descriptor, Token or
 *         GenericMapping NULL)
 */
FSP_API NTSTATUS FspAccessCheckToken(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                     FSP_ACCESS_TOKEN *Token, ACCESS_MASK DesiredAccess,
                                     PGENERIC_MAPPING GenericMapping, PACCESS_MASK PGrantedAccess);

/* ---- POSIX interoperability ---- */
/**
 * Set the process-wide table of uids with explicit SIDs, replacing the
 * previous one (the table is copied). FspPosixMapUidToSid() and
 * FspPosixMapGidToSid() consult it before the Unix SIDs, and
 * FspPosixMapSidToUid() before its rules. Nothing changes on failure.
 * See doc/posix-mapping.md.
 * @param Uid Count uids
 * @param Sid Count SIDs, one per uid
 * @param Count number of pairs (0: an empty table)
 * @return STATUS_SUCCESS; STATUS_INVALID_SID; STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixSetUidMap(UINT32 Uid[], PSID Sid[], ULONG Count);
/**
 * Map a Linux uid to a SID: the SID FspPosixSetUidMap() gave it, or the
 * "Unix User" SID S-1-22-1-UID (as Samba does), which maps back exactly.
 * @param Uid the uid
 * @param PSid receives a malloc'ed SID; free it with FspDeleteSid()
 * @return STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMapUidToSid(UINT32 Uid, PSID *PSid);
/**
 * LinFsp extension: map a Linux gid to a SID: the SID FspPosixSetUidMap()
 * gave the same number as a uid, or the "Unix Group" SID S-1-22-2-GID.
 * @param Gid the gid
 * @param PSid receives a malloc'ed SID; free it with FspDeleteSid()
 * @return STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMapGidToSid(UINT32 Gid, PSID *PSid);
/**
 * Map a SID to a Linux uid (or gid): the table of FspPosixSetUidMap(); then
 * S-1-22-1-N and S-1-22-2-N to N; S-1-5-RID to RID (SYSTEM is 18);
 * S-1-5-32-RID to RID (Administrators is 544); other S-1-5-X-RID with a small
 * RID to 0x1000 * X + RID; S-1-16-RID (mandatory labels) to 0x60000 + RID;
 * S-1-X-Y with small X and Y to 0x10000 + 0x100 * X + Y (Everyone is
 * 0x10100); anything else, such as domain accounts S-1-5-21-..., to 65534.
 * @param Sid the SID (checked)
 * @param PUid receives the id
 * @return STATUS_SUCCESS (also for SIDs mapped to 65534); STATUS_INVALID_SID
 */
FSP_API NTSTATUS FspPosixMapSidToUid(PSID Sid, PUINT32 PUid);
/**
 * Free a SID made by the API (FspPosixMapUidToSid(), FspStringToSid(), ...).
 * @param Sid the SID, or NULL
 * @param CreateFunc ignored (WinFsp needs it; LinFsp frees with free(3))
 */
FSP_API VOID FspDeleteSid(PSID Sid, NTSTATUS (*CreateFunc)());
/**
 * Make the security descriptor of a POSIX owner, group and mode.
 *
 * Owner S-1-22-1-Uid, group S-1-22-2-Gid (or the SIDs FspPosixSetUidMap()
 * gives), and a protected DACL that grants each class what the mode grants
 * it, with deny ACEs where a later class would otherwise add rights, so that
 * Windows' sum of ACEs gives the POSIX answer. S_ISUID, S_ISGID and S_ISVTX
 * ride on an allow ACE for the NULL SID (S-1-0-0), which no caller has. The
 * engine builds every descriptor it passes to Create and SetSecurity with
 * it. See doc/posix-mapping.md.
 * @param Uid the owner
 * @param Gid the group
 * @param Mode permission bits with S_ISUID, S_ISGID and S_ISVTX (bits outside 07777 are ignored)
 * @param PSecurityDescriptor receives a malloc'ed self-relative descriptor;
 *        free it with FspDeleteSecurityDescriptor()
 * @return STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMapPermissionsToSecurityDescriptor(UINT32 Uid, UINT32 Gid, UINT32 Mode,
                                                            PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/**
 * As WinFsp: keep an existing descriptor's owner, group, DACL and SACL; Uid
 * and Gid supply only a missing owner or group. Without an existing
 * descriptor, the result is FspPosixMapPermissionsToSecurityDescriptor()'s.
 * @param Uid the owner, when the existing descriptor has none
 * @param Gid the group, when the existing descriptor has none
 * @param Mode the mode, used only without an existing descriptor
 * @param ExistingSecurityDescriptor the descriptor to keep, or NULL
 * @param PSecurityDescriptor receives a malloc'ed self-relative descriptor;
 *        free it with FspDeleteSecurityDescriptor()
 * @return STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMergePermissionsToSecurityDescriptor(UINT32 Uid, UINT32 Gid, UINT32 Mode,
                                                              PSECURITY_DESCRIPTOR ExistingSecurityDescriptor,
                                                              PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/**
 * Derive a POSIX owner, group and mode from a security descriptor, as the
 * engine does for every file.
 *
 * The owner and group map with FspPosixMapSidToUid() (65534 when absent).
 * Each class's rights are the rights its ACEs allow before any ACE denies
 * them, in ACL order (ACEs for Everyone count for every class; inherit-only
 * ACEs are skipped; generic rights are mapped): FILE_READ_DATA gives r,
 * FILE_WRITE_DATA w, FILE_EXECUTE x. An allow ACE for the NULL SID carries
 * S_ISUID, S_ISGID and S_ISVTX. A NULL or absent DACL gives 0777.
 * @param SecurityDescriptor the descriptor (checked)
 * @param PUid receives the owner's uid
 * @param PGid receives the group's gid
 * @param PMode receives the permission bits with S_ISUID, S_ISGID and S_ISVTX (no S_IFMT bits)
 * @return STATUS_SUCCESS or STATUS_INVALID_SECURITY_DESCR
 */
FSP_API NTSTATUS FspPosixMapSecurityDescriptorToPermissions(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                            PUINT32 PUid, PUINT32 PGid,
                                                            PUINT32 PMode);
/**
 * Map a Windows path to a POSIX path.
 *
 * Converts UTF-32 to UTF-8; with Translate also '\' to '/' and U+F001..U+F07F
 * back to the characters Windows forbids that they stand for. U+DC80..U+DCFF
 * become the invalid UTF-8 bytes they carry (see the reverse mapping).
 * @param WindowsPath the path
 * @param PPosixPath receives a malloc'ed UTF-8 string (NULL on failure);
 *        free it with FspPosixDeletePath()
 * @param Translate TRUE to translate separators and forbidden characters;
 *        FALSE only converts the encoding (as WinFsp)
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL);
 *         STATUS_OBJECT_NAME_INVALID (a character that is not a Unicode scalar
 *         value nor an escaped byte); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMapWindowsToPosixPathEx(PWSTR WindowsPath, char **PPosixPath,
                                                 BOOLEAN Translate);
/**
 * Map a POSIX path to a Windows path.
 *
 * Converts UTF-8 to UTF-32 (bytes that are not valid UTF-8 become
 * U+DC80..U+DCFF, so any byte string maps back exactly); with Translate also
 * '/' to '\', and 0x01-0x1F and " * : < > ? \ | (which Windows forbids in
 * names) to U+F000 + the character. The engine maps every name from the
 * kernel this way.
 * @param PosixPath the path
 * @param PWindowsPath receives a malloc'ed string (NULL on failure); free it
 *        with FspPosixDeletePath()
 * @param Translate TRUE to translate separators and forbidden characters;
 *        FALSE only converts the encoding (as WinFsp)
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (NULL); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMapPosixToWindowsPathEx(const char *PosixPath, PWSTR *PWindowsPath,
                                                 BOOLEAN Translate);
/**
 * FspPosixMapWindowsToPosixPathEx() with Translate TRUE.
 * @param WindowsPath the path
 * @param PPosixPath receives a malloc'ed UTF-8 string; free it with FspPosixDeletePath()
 * @return as FspPosixMapWindowsToPosixPathEx()
 */
static inline NTSTATUS FspPosixMapWindowsToPosixPath(PWSTR WindowsPath, char **PPosixPath)
{
    return FspPosixMapWindowsToPosixPathEx(WindowsPath, PPosixPath, TRUE);
}
/**
 * FspPosixMapPosixToWindowsPathEx() with Translate TRUE.
 * @param PosixPath the path
 * @param PWindowsPath receives a malloc'ed string; free it with FspPosixDeletePath()
 * @return as FspPosixMapPosixToWindowsPathEx()
 */
static inline NTSTATUS FspPosixMapPosixToWindowsPath(const char *PosixPath, PWSTR *PWindowsPath)
{
    return FspPosixMapPosixToWindowsPathEx(PosixPath, PWindowsPath, TRUE);
}
/**
 * Free a path made by FspPosixMapWindowsToPosixPath*() or FspPosixMapPosixToWindowsPath*().
 * @param Path the path, or NULL
 */
FSP_API VOID FspPosixDeletePath(void *Path);

/**
 * LinFsp extension: the case folding of case-insensitive volumes
 * (VolumeParams.CaseSensitiveSearch 0). A fixed table, the same in every
 * process whatever its locale (unlike towupper(3)): Unicode's simple
 * uppercase mapping (UnicodeData.txt, Unicode 15.0) of the Basic Multilingual
 * Plane, as NTFS folds names one UTF-16 unit at a time; characters outside it
 * are their own uppercase. The engine's name table folds with it, and a file
 * system should fold its own names the same way (memfs does), so that both
 * agree which spellings name one file ("café" and "CAFÉ" do).
 * @param Char a character (UTF-32)
 * @return its uppercase, or Char itself
 */
FSP_API WCHAR FspUpcaseChar(WCHAR Char);
/**
 * Build the IO_REPARSE_TAG_SYMLINK reparse data of a POSIX symlink, as the engine makes it for
 * symlink(2) and reads it back for readlink(2) (LinFsp extension). The substitute name is
 * Target mapped with FspPosixMapPosixToWindowsPath() (lossless), followed by the same as print
 * name when both fit in MAXIMUM_REPARSE_DATA_BUFFER_SIZE (else the print name is empty); Flags
 * is SYMLINK_FLAG_RELATIVE unless Target starts with '/'.
 * @param Target the POSIX target, NUL-terminated, shorter than 4096 bytes
 * @param Buffer where to build the data; may be NULL when *PSize is 0
 * @param PSize in: the size of Buffer; out: the size of the data (also when it did not fit)
 * @return STATUS_SUCCESS; STATUS_BUFFER_TOO_SMALL (*PSize tells the size needed);
 *         STATUS_NAME_TOO_LONG (the target or its data too long); STATUS_INVALID_PARAMETER
 *         (NULL); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixMakeSymlinkReparseData(const char *Target, PVOID Buffer, PSIZE_T PSize);
/**
 * The POSIX target of IO_REPARSE_TAG_SYMLINK reparse data (LinFsp extension): the substitute
 * name mapped with FspPosixMapWindowsToPosixPath(). The reverse of
 * FspPosixMakeSymlinkReparseData(); SYMLINK_FLAG_RELATIVE is not consulted (the target's own
 * leading '/' tells).
 * @param Buffer the reparse data
 * @param Size its size in bytes
 * @param PTarget receives a malloc'ed NUL-terminated target; free it with FspPosixDeletePath()
 * @return STATUS_SUCCESS; STATUS_IO_REPARSE_DATA_INVALID (another tag, a header or substitute
 *         name outside Size, an empty or unaligned one, an embedded NUL);
 *         STATUS_INVALID_PARAMETER (NULL); STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspPosixGetSymlinkTarget(PVOID Buffer, SIZE_T Size, char **PTarget);
/**
 * Turn a Windows path into its POSIX form in place, in WCHARs: '\' to '/'
 * and U+F001..U+F07F back to the forbidden characters they stand for.
 * @param WindowsPath the characters
 * @param Size number of characters to convert (not bytes)
 */
FSP_API VOID FspPosixEncodeWindowsPath(PWSTR WindowsPath, ULONG Size);
/**
 * The reverse of FspPosixEncodeWindowsPath(), in place: '/' to '\' and the
 * characters Windows forbids in names to U+F000 + the character.
 * @param WindowsPath the characters
 * @param Size number of characters to convert (not bytes)
 */
FSP_API VOID FspPosixDecodeWindowsPath(PWSTR WindowsPath, ULONG Size);

struct timespec;
/**
 * Convert a FILETIME (100 ns intervals since 1601-01-01 UTC) to Unix time.
 * @param FileTime the FILETIME
 * @param UnixTime receives seconds since 1970-01-01 UTC (negative values
 *        stored as UINT64) in [0] and nanoseconds (0..999999900) in [1]
 */
static inline VOID FspPosixFileTimeToUnixTime(UINT64 FileTime, UINT64 UnixTime[2])
{
    INT64 FileTime0 = (INT64)FileTime - 116444736000000000LL;
    INT64 Sec = FileTime0 / 10000000, Rem = FileTime0 % 10000000;
    if (Rem < 0)
        Rem += 10000000, Sec--;
    UnixTime[0] = (UINT64)Sec;
    UnixTime[1] = (UINT64)(Rem * 100);
}
/**
 * Convert Unix time to a FILETIME (nanoseconds truncated to 100 ns).
 * @param UnixTime seconds since 1970-01-01 UTC (signed, stored as UINT64) in
 *        [0] and nanoseconds in [1]
 * @param PFileTime receives the FILETIME
 */
static inline VOID FspPosixUnixTimeToFileTime(const UINT64 UnixTime[2], PUINT64 PFileTime)
{
    *PFileTime = (UINT64)((INT64)UnixTime[0] * 10000000 + (INT64)UnixTime[1] / 100 +
                          116444736000000000LL);
}

/* ---- paths ---- */
/**
 * Split a path at its first separator, in place (the separator becomes a NUL;
 * FspPathCombine() puts it back). "a\b\c" gives "a" and "b\c"; "\a\b" gives
 * Root (or "") and "a\b". Runs of separators count as one.
 * @param Path the path, modified
 * @param PPrefix receives the part before the separator (Root when Path starts with one and Root is not NULL)
 * @param PRemain receives the part after it ("" when there is none)
 * @param Root what to return as the prefix of a path that starts with a separator, or NULL
 */
FSP_API VOID FspPathPrefix(PWSTR Path, PWSTR *PPrefix, PWSTR *PRemain, PWSTR Root);
/**
 * Split a path at its last separator, in place (the separator becomes a NUL;
 * FspPathCombine() puts it back): "\a\b" gives "\a" and "b"; "\a" gives Root
 * (or "") and "a"; "a" gives "a" and "".
 * @param Path the path, modified
 * @param PRemain receives the part before the separator (Root for a file of the root, when Root is not NULL)
 * @param PSuffix receives the last component
 * @param Root what to return as the rest for a name directly under the root, or NULL
 */
FSP_API VOID FspPathSuffix(PWSTR Path, PWSTR *PRemain, PWSTR *PSuffix, PWSTR Root);
/**
 * Undo FspPathPrefix() or FspPathSuffix(): turn the NULs between Prefix and
 * Suffix back into separators.
 * @param Prefix the first part (the original Path)
 * @param Suffix the second part, as the split returned it
 */
FSP_API VOID FspPathCombine(PWSTR Prefix, PWSTR Suffix);

/* ---- status codes ---- */
/**
 * LinFsp extension: the NTSTATUS for an errno (a file system working on Linux
 * files returns what its system calls failed with). Negative values count as
 * their positive errno. The table is in src/api/ntstatus.c.
 * @param Errno an errno value (or its negative)
 * @return STATUS_SUCCESS for 0; the matching status; STATUS_UNSUCCESSFUL for
 *         an errno without an entry
 */
FSP_API NTSTATUS FspNtStatusFromErrno(int Errno);
/**
 * LinFsp extension: the errno for an NTSTATUS; the engine answers the kernel
 * with it. Every failure code of winfsp/ntstatus.h has one (its
 * documentation names it; STATUS_CANNOT_MAKE and STATUS_DISK_FULL are ENOSPC).
 * @param Status an NTSTATUS
 * @return 0 for every success code (NT_SUCCESS(), including informational
 *         ones); the matching positive errno; EIO for a failure without an entry
 */
FSP_API int FspErrnoFromNtStatus(NTSTATUS Status);
/**
 * LinFsp extension: an error NTSTATUS that carries the errno value Errno (1..65535) exactly:
 * FspErrnoFromNtStatus gives Errno back, where FspNtStatusFromErrno would merge errnos that
 * share a status (ENOTTY and ENOSYS) or map unknown ones to STATUS_UNSUCCESSFUL (EIO). For
 * file systems that speak errno (LinFsp's FUSE layer); the status has the customer bit set.
 */
#define FSP_STATUS_FROM_ERRNO(Errno) ((NTSTATUS)(0xE0FE0000u | ((UINT32)(Errno) & 0xffffu)))
/** Whether Status was made by FSP_STATUS_FROM_ERRNO. */
#define FSP_STATUS_IS_ERRNO(Status) (0xE0FE0000u == ((UINT32)(Status) & 0xffff0000u))
/**
 * The NTSTATUS for a Windows error code, as WinFsp maps it. For errno values (what POSIX
 * calls that replaced Windows calls report) use FspNtStatusFromErrno(). The table is in
 * src/api/ntstatus.c (doc/native-api.md).
 * @param Error an ERROR_* code, as GetLastError() returns it on Windows (with
 *        <winfsp/win32-compat.h> its functions set them)
 * @return STATUS_SUCCESS for ERROR_SUCCESS; the matching status (ERROR_FILE_NOT_FOUND:
 *         STATUS_OBJECT_NAME_NOT_FOUND, ERROR_ACCESS_DENIED: STATUS_ACCESS_DENIED, ...);
 *         0xC0070000 | (Error & 0xffff) (facility NTWIN32) for a code without one,
 *         which FspErrnoFromNtStatus() reads back
 */
FSP_API NTSTATUS FspNtStatusFromWin32(DWORD Error);
/**
 * The Windows error code for an NTSTATUS (the same table).
 * @param Status an NTSTATUS
 * @return ERROR_SUCCESS for success codes (ERROR_IO_PENDING for STATUS_PENDING); the
 *         matching ERROR_* code; the code inside a facility NTWIN32 status;
 *         ERROR_MR_MID_NOT_FOUND for a status without one
 */
FSP_API DWORD FspWin32FromNtStatus(NTSTATUS Status);

/* ---- service framework ---- */
/** A service, as FspServiceRun*() creates it (WinFsp's service framework, run in the foreground). */
typedef struct _FSP_SERVICE FSP_SERVICE;
/** The type of FSP_SERVICE::OnStart: called with the arguments (argv[0] included). */
typedef NTSTATUS FSP_SERVICE_START(FSP_SERVICE *, ULONG, PWSTR *);
/** The type of FSP_SERVICE::OnStop. */
typedef NTSTATUS FSP_SERVICE_STOP(FSP_SERVICE *);
/** The type of FSP_SERVICE::OnControl (never called on LinFsp). */
typedef NTSTATUS FSP_SERVICE_CONTROL(FSP_SERVICE *, ULONG, ULONG, PVOID);
/**
 * A service. FspServiceRunEx(), FspServiceRunArgv() and FspServiceCreate()
 * create it and pass it to the callbacks. WinFsp's service control manager
 * members do not exist on LinFsp.
 */
struct _FSP_SERVICE {
    UINT16 Version;    /**< 0 */
    PVOID UserContext; /**< the UserContext given to FspServiceRunEx()/FspServiceRunArgv(); for the service's own use */
    FSP_SERVICE_START *OnStart;     /**< start the service (create and mount the file system) */
    FSP_SERVICE_STOP *OnStop;       /**< stop the service (its return value is ignored) */
    FSP_SERVICE_CONTROL *OnControl; /**< never called on LinFsp */
    ULONG AcceptControl; /**< what FspServiceAcceptControl() recorded (no effect on Linux) */
    ULONG ExitCode;     /**< the exit code FspServiceRun*() returns (FspServiceSetExitCode()) */
    int StopSignal;     /**< LinFsp extension: the signal that stopped the service (SIGINT, SIGTERM or SIGHUP), 0 if none */
    BOOLEAN AllowConsoleMode; /**< always TRUE: LinFsp services always run in the foreground */
    WCHAR ServiceName[]; /**< the service's name */
};
/**
 * Run a service in the foreground until it is told to stop.
 *
 * Reads the command line from /proc/self/cmdline and continues as
 * FspServiceRunArgv().
 * @param ServiceName the service's name, used in log lines (NULL: "linfsp")
 * @param OnStart called with the arguments (argv[0] included) converted to
 *        WCHAR; typically creates, mounts and starts the file system (NULL: nothing)
 * @param OnStop called after a stop signal; typically stops and deletes the
 *        file system (NULL: nothing)
 * @param OnControl never called on LinFsp
 * @param UserContext stored in FSP_SERVICE::UserContext
 * @return the exit code (see FspServiceRunArgv()); 1 when the command line
 *         cannot be read
 */
FSP_API ULONG FspServiceRunEx(PWSTR ServiceName,
                              NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                              NTSTATUS (*OnStop)(FSP_SERVICE *),
                              NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                              PVOID UserContext);
/**
 * FspServiceRunEx() without a user context.
 * @param ServiceName the service's name (NULL: "linfsp")
 * @param OnStart called with the arguments
 * @param OnStop called after a stop signal
 * @param OnControl never called
 * @return the exit code
 */
static inline ULONG FspServiceRun(PWSTR ServiceName,
                                  NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                                  NTSTATUS (*OnStop)(FSP_SERVICE *),
                                  NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID))
{
    return FspServiceRunEx(ServiceName, OnStart, OnStop, OnControl, 0);
}
/**
 * LinFsp extension: run a service with the given arguments.
 *
 * Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (threads that
 * OnStart creates inherit the mask; block them yourself in threads created
 * earlier), calls OnStart, then waits for one of those signals (or
 * FspServiceStop()), records it in FSP_SERVICE::StopSignal and calls OnStop.
 * Stop signals that arrive meanwhile are discarded and the signal mask is
 * restored before returning. There is no service control manager: the
 * service always runs in the foreground, as WinFsp's console mode does.
 * @param ServiceName the service's name (NULL: "linfsp")
 * @param argc number of arguments
 * @param argv the arguments (argv[0] included), converted to WCHAR for OnStart
 * @param OnStart called with the arguments (NULL: nothing)
 * @param OnStop called after a stop signal (NULL: nothing)
 * @param OnControl never called
 * @param UserContext stored in FSP_SERVICE::UserContext
 * @return the service's ExitCode (0 unless set); when OnStart fails: the exit
 *         code it set, else 2 for STATUS_INVALID_PARAMETER and 1 for other
 *         failures; 1 when out of memory
 */
FSP_API ULONG FspServiceRunArgv(PWSTR ServiceName, int argc, char **argv,
                                NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                                NTSTATUS (*OnStop)(FSP_SERVICE *),
                                NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                                PVOID UserContext);
/**
 * Create a service object (WinFsp's service framework run in steps):
 * FspServiceCreate(), then FspServiceAllowConsoleMode(), FspServiceLoop(),
 * FspServiceGetExitCode(), FspServiceDelete().
 * @param ServiceName the service's name (NULL: "linfsp")
 * @param OnStart called with the arguments (NULL: nothing)
 * @param OnStop called after a stop signal (NULL: nothing)
 * @param OnControl never called
 * @param PService receives the service
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER without PService;
 *         STATUS_INSUFFICIENT_RESOURCES
 */
FSP_API NTSTATUS FspServiceCreate(PWSTR ServiceName, FSP_SERVICE_START *OnStart,
                                  FSP_SERVICE_STOP *OnStop, FSP_SERVICE_CONTROL *OnControl,
                                  FSP_SERVICE **PService);
/**
 * Free a service made by FspServiceCreate().
 * @param Service the service, or NULL
 */
FSP_API VOID FspServiceDelete(FSP_SERVICE *Service);
/**
 * Run the service until it is stopped, as FspServiceRunEx() does (the command
 * line comes from /proc/self/cmdline).
 * @param Service the service
 * @return STATUS_SUCCESS, or the failure of OnStart
 */
FSP_API NTSTATUS FspServiceLoop(FSP_SERVICE *Service);
/**
 * Ask the service control manager for time. Does nothing on LinFsp.
 * @param Service the service
 * @param Time ignored
 */
FSP_API VOID FspServiceRequestTime(FSP_SERVICE *Service, ULONG Time);
/**
 * Whether the process may run as a system service.
 * @param Token must be NULL (the process's own)
 * @param PIsLocalSystem receives TRUE when the process runs as root (as a
 *        system service would), or NULL
 * @return STATUS_SUCCESS for root, STATUS_ACCESS_DENIED otherwise;
 *         STATUS_INVALID_PARAMETER for a Token
 */
FSP_API NTSTATUS FspServiceContextCheck(HANDLE Token, PBOOLEAN PIsLocalSystem);
/**
 * Stop the running service: sends SIGTERM to the thread waiting in
 * FspServiceRun*(). Nothing happens when no service runs. May be called from
 * any thread (a file system's DispatcherStopped, a signal-free shutdown path).
 * @param Service ignored: the process's running service is stopped
 */
FSP_API VOID FspServiceStop(FSP_SERVICE *Service);
/**
 * Set the exit code FspServiceRun*() returns.
 * @param Service the service
 * @param ExitCode the exit code
 */
FSP_API VOID FspServiceSetExitCode(FSP_SERVICE *Service, ULONG ExitCode);
/**
 * The exit code FspServiceRun*() will return.
 * @param Service the service
 * @return FSP_SERVICE::ExitCode
 */
FSP_API ULONG FspServiceGetExitCode(FSP_SERVICE *Service);
/**
 * Allow the service to run in console mode. Sets AllowConsoleMode; has no
 * other effect (LinFsp services always run in the foreground).
 * @param Service the service
 */
FSP_API VOID FspServiceAllowConsoleMode(FSP_SERVICE *Service);
/**
 * Accept a service control. Does nothing on LinFsp (no service control manager).
 * @param Service the service
 * @param Control ignored
 */
FSP_API VOID FspServiceAcceptControl(FSP_SERVICE *Service, ULONG Control);
/**
 * Whether the process runs interactively.
 * @return isatty(0)
 */
FSP_API BOOLEAN FspServiceIsInteractive(VOID);
/** Log type of FspServiceLog() (ignored by LinFsp): success. */
#define EVENTLOG_SUCCESS 0x0000
/** Log type: error. */
#define EVENTLOG_ERROR_TYPE 0x0001
/** Log type: warning. */
#define EVENTLOG_WARNING_TYPE 0x0002
/** Log type: information. */
#define EVENTLOG_INFORMATION_TYPE 0x0004
/**
 * Log a message to stderr as "NAME: message" (NAME is the running service's
 * name, or "linfsp"), in one write(2), adding a newline when the message has
 * none.
 * @param Type EVENTLOG_*_TYPE (ignored: there is no event log)
 * @param Format a wide format as WinFsp's (the Windows C library's wide
 *        printf) reads it: %s and %c take a wide string and character, %S and
 *        %C narrow ones (%hs/%ls, %hc/%lc name the width explicitly), an l on
 *        an integer conversion is 32 bits (Windows' long: %ld, %lx with ULONG
 *        or NTSTATUS), ll and I64 are 64 bits, I and z size_t. LinFsp
 *        translates the format to glibc's (doc/native-api.md, item 58)
 * @param ... the format's arguments
 */
FSP_API VOID FspServiceLog(ULONG Type, PWSTR Format, ...);
/**
 * FspServiceLog() with a va_list.
 * @param Type ignored
 * @param Format the wide format (see FspServiceLog())
 * @param ap the arguments
 */
FSP_API VOID FspServiceLogV(ULONG Type, PWSTR Format, va_list ap);
/**
 * Stop the service a file system runs in when its dispatcher stopped
 * abnormally: with Normally FALSE calls FspServiceStop(). A DispatcherStopped
 * member usually calls this; without one the engine calls it when the volume
 * goes away.
 * @param FileSystem ignored
 * @param Normally TRUE: nothing happens; FALSE: the running service is stopped
 */
FSP_API VOID FspFileSystemStopServiceIfNecessary(FSP_FILE_SYSTEM *FileSystem, BOOLEAN Normally);

/* ---- utility ---- */
/**
 * Set where FspDebugLog() writes (default: standard error).
 * @param Handle a file descriptor cast to HANDLE
 */
FSP_API VOID FspDebugLogSetHandle(HANDLE Handle);
/**
 * LinFsp extension: set the file descriptor FspDebugLog() writes to (default 2).
 * The descriptor is not duplicated; keep it open while logging.
 * @param Fd the descriptor
 */
FSP_API VOID FspDebugLogSetFd(int Fd);
/**
 * Write a debug line: "[TID] " and the formatted message, in one write(2) so
 * that lines from several threads do not mix. Lines are cut at 2047 bytes
 * (ending in a newline). The engine logs through it: request traces when
 * FileSystem->DebugLog is set, and data it refused from a file system.
 * @param Format a narrow printf(3) format as glibc reads it (include the
 *        newline): %s narrow, %S and %ls wide, as in WinFsp; an l on an
 *        integer is Linux's 64-bit long (the compiler checks the arguments)
 * @param ... the format's arguments
 */
FSP_API VOID FspDebugLog(const char *Format, ...) __attribute__((format(printf, 1, 2)));
/**
 * Log a security descriptor as SDDL with FspDebugLog().
 * @param Format a format with one %s, which receives the SDDL (or "NULL",
 *        "invalid security descriptor")
 * @param SecurityDescriptor the descriptor, or NULL
 */
FSP_API VOID FspDebugLogSD(const char *Format, PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * Log a SID as a string with FspDebugLog().
 * @param Format a format with one %s, which receives "S-1-..." (or "NULL", "invalid SID")
 * @param Sid the SID, or NULL
 */
FSP_API VOID FspDebugLogSid(const char *Format, PSID Sid);
/**
 * Log a FILETIME as Unix seconds with FspDebugLog().
 * @param Format a format with one %s, which receives "SECONDS.NANOSECONDS"
 * @param FileTime the time
 */
FSP_API VOID FspDebugLogFT(const char *Format, PFILETIME FileTime);
/**
 * Log a request with FspDebugLog(): kind, hint, file name, caller uid and pid.
 * The engine does not call it.
 * @param Request the request
 */
FSP_API VOID FspDebugLogRequest(FSP_FSCTL_TRANSACT_REQ *Request);
/**
 * Log a response with FspDebugLog(): kind, hint, status and information.
 * The engine does not call it.
 * @param Response the response
 */
FSP_API VOID FspDebugLogResponse(FSP_FSCTL_TRANSACT_RSP *Response);
/**
 * Log to the event log: on LinFsp the same as FspServiceLog() (stderr, the
 * same format rules).
 * @param Type ignored
 * @param Format the wide format (see FspServiceLog())
 * @param ... the format's arguments
 */
FSP_API VOID FspEventLog(ULONG Type, PWSTR Format, ...);
/**
 * FspEventLog() with a va_list.
 * @param Type ignored
 * @param Format the wide format (see FspServiceLog())
 * @param ap the arguments
 */
FSP_API VOID FspEventLogV(ULONG Type, PWSTR Format, va_list ap);
/**
 * LinFsp's version (not WinFsp's).
 * @param PVersion receives FSP_VERSION_MAJOR << 16 | FSP_VERSION_MINOR
 * @return STATUS_SUCCESS
 */
FSP_API NTSTATUS FspVersion(PUINT32 PVersion);
/**
 * WinFsp's side-by-side installation suffix.
 * @return L"": LinFsp has none
 */
FSP_API PWSTR FspSxsIdent(VOID);

/**
 * WinFsp's delay-load helper (it loads winfsp-x64.dll). LinFsp is an ordinary shared library
 * that the dynamic linker loads: nothing to do.
 * @param PModule receives NULL, or NULL
 * @return STATUS_SUCCESS
 */
static inline NTSTATUS FspLoad(PVOID *PModule)
{
    if (PModule)
        *PModule = 0;
    return STATUS_SUCCESS;
}

#ifdef __cplusplus
}
#endif
#endif
