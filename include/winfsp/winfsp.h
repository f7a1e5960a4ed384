/**
 * @file winfsp/winfsp.h
 * LinFsp's native API: WinFsp's native API for Linux.
 *
 * Names and semantics follow WinFsp's winfsp.h, so that a file system written
 * for WinFsp ports with changes only where it calls Windows itself. Every
 * deviation and every extension is listed in doc/native-api.md. In short:
 * - paths are WCHAR (wchar_t) strings with backslash separators, rooted at "\";
 * - the engine talks to the Linux kernel through /dev/fuse; a mount point is a
 *   directory path (FspFileSystemSetMountPoint);
 * - POSIX permissions are derived from each file's security descriptor through
 *   the POSIX mapping (FspPosixMap*); the kernel enforces them;
 * - extensions: CreateHardLink (hard links), FspFileSystemSetMountOptions,
 *   FspNtStatusFromErrno / FspErrnoFromNtStatus, FspPosixMapGidToSid,
 *   FspFileSystemSetOpenBackingFile (kernel passthrough to backing files).
 */
#ifndef WINFSP_WINFSP_H_INCLUDED
#define WINFSP_WINFSP_H_INCLUDED

#include <winfsp/fsctl.h>
#include <stdarg.h>
#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_API __attribute__((visibility("default")))

/* LinFsp version: major.minor, as FspVersion reports it (major << 16 | minor). */
#define FSP_VERSION_MAJOR 0
#define FSP_VERSION_MINOR 1

typedef struct _FSP_FILE_SYSTEM FSP_FILE_SYSTEM;
typedef NTSTATUS FSP_FILE_SYSTEM_OPERATION(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *,
                                           FSP_FSCTL_TRANSACT_RSP *);

/** How the engine serializes operations (WinFsp's operation guard strategies). */
typedef enum {
    /**
     * FINE (default): namespace changes are exclusive, namespace reads shared,
     * everything else unguarded.
     * Exclusive: Create (not FILE_OPEN), Overwrite, Cleanup with delete, Rename,
     *            SetVolumeLabel, volume Flush, CreateHardLink.
     * Shared:    Open, CanDelete/SetDelete, ReadDirectory, GetVolumeInfo.
     * None:      the rest.
     */
    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE = 0,
    /** COARSE: every operation is exclusive. */
    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE,
} FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY;

/** Cleanup flags. */
enum {
    FspCleanupDelete = 0x01,
    FspCleanupSetAllocationSize = 0x02,
    FspCleanupSetArchiveBit = 0x10,
    FspCleanupSetLastAccessTime = 0x20,
    FspCleanupSetLastWriteTime = 0x40,
    FspCleanupSetChangeTime = 0x80,
};

/**
 * The operations a file system implements. Unset members are "not
 * implemented": the engine answers the kernel accordingly (ENOSYS where the
 * kernel then stops asking). FileContext is what Create/Open returned.
 * All names are full paths from the volume root ("\dir\file").
 */
typedef struct _FSP_FILE_SYSTEM_INTERFACE {
    /** statfs(2): sizes and label. */
    NTSTATUS (*GetVolumeInfo)(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_VOLUME_INFO *VolumeInfo);
    NTSTATUS (*SetVolumeLabel)(FSP_FILE_SYSTEM *FileSystem, PWSTR VolumeLabel,
                               FSP_FSCTL_VOLUME_INFO *VolumeInfo);
    /** Attributes and security descriptor of a file by name (PSecurityDescriptorSize in/out). */
    NTSTATUS (*GetSecurityByName)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName,
                                  PUINT32 PFileAttributes /* or ReparsePointIndex */,
                                  PSECURITY_DESCRIPTOR SecurityDescriptor,
                                  SIZE_T *PSecurityDescriptorSize);
    /** Create a file or (FILE_DIRECTORY_FILE) a directory; fails if the name exists. */
    NTSTATUS (*Create)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                       UINT32 GrantedAccess, UINT32 FileAttributes,
                       PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
                       PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    /** Open an existing file or directory. */
    NTSTATUS (*Open)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                     UINT32 GrantedAccess, PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    /** Truncate an open file to 0 (open with O_TRUNC). */
    NTSTATUS (*Overwrite)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 FileAttributes,
                          BOOLEAN ReplaceFileAttributes, UINT64 AllocationSize,
                          FSP_FSCTL_FILE_INFO *FileInfo);
    /** The last handle of an open is closing; with FspCleanupDelete, delete the file now. */
    VOID (*Cleanup)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName, ULONG Flags);
    /** Release the file context. */
    VOID (*Close)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext);
    /** Read; may return STATUS_PENDING and complete with FspFileSystemSendResponse. */
    NTSTATUS (*Read)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                     ULONG Length, PULONG PBytesTransferred);
    /** Write; may return STATUS_PENDING. Buffer is the kernel's data, in place; do not modify it. */
    NTSTATUS (*Write)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                      ULONG Length, BOOLEAN WriteToEndOfFile, BOOLEAN ConstrainedIo,
                      PULONG PBytesTransferred, FSP_FSCTL_FILE_INFO *FileInfo);
    /** fsync(2); FileContext NULL flushes the volume. */
    NTSTATUS (*Flush)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    NTSTATUS (*GetFileInfo)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            FSP_FSCTL_FILE_INFO *FileInfo);
    /** Attributes (INVALID_FILE_ATTRIBUTES: unchanged) and times (0: unchanged). */
    NTSTATUS (*SetBasicInfo)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 FileAttributes,
                             UINT64 CreationTime, UINT64 LastAccessTime, UINT64 LastWriteTime,
                             UINT64 ChangeTime, FSP_FSCTL_FILE_INFO *FileInfo);
    NTSTATUS (*SetFileSize)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT64 NewSize,
                            BOOLEAN SetAllocationSize, FSP_FSCTL_FILE_INFO *FileInfo);
    /** May this file be deleted (e.g. a directory must be empty)? Never delete here. */
    NTSTATUS (*CanDelete)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName);
    NTSTATUS (*Rename)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                       PWSTR NewFileName, BOOLEAN ReplaceIfExists);
    NTSTATUS (*GetSecurity)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            PSECURITY_DESCRIPTOR SecurityDescriptor,
                            SIZE_T *PSecurityDescriptorSize);
    /** Apply ModificationDescriptor (see FspSetSecurityDescriptor). */
    NTSTATUS (*SetSecurity)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            SECURITY_INFORMATION SecurityInformation,
                            PSECURITY_DESCRIPTOR ModificationDescriptor);
    /** Entries after Marker (NULL: from the start), added with FspFileSystemAddDirInfo. May pend. */
    NTSTATUS (*ReadDirectory)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR Pattern,
                              PWSTR Marker, PVOID Buffer, ULONG Length, PULONG PBytesTransferred);
    NTSTATUS (*ResolveReparsePoints)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName,
                                     UINT32 ReparsePointIndex, BOOLEAN ResolveLastPathComponent,
                                     PIO_STATUS_BLOCK PIoStatus, PVOID Buffer, PSIZE_T PSize);
    NTSTATUS (*GetReparsePoint)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                PVOID Buffer, PSIZE_T PSize);
    NTSTATUS (*SetReparsePoint)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                PVOID Buffer, SIZE_T Size);
    NTSTATUS (*DeleteReparsePoint)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                   PVOID Buffer, SIZE_T Size);
    NTSTATUS (*GetStreamInfo)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer,
                              ULONG Length, PULONG PBytesTransferred);
    /** One entry of an open directory by name (used for lookups with PassQueryDirectoryFileName). */
    NTSTATUS (*GetDirInfoByName)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                                 FSP_FSCTL_DIR_INFO *DirInfo);
    /** ioctl(2) with DeviceControl set. */
    NTSTATUS (*Control)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 ControlCode,
                        PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                        ULONG OutputBufferLength, PULONG PBytesTransferred);
    /** Mark (or unmark) for deletion; takes precedence over CanDelete. Never delete here. */
    NTSTATUS (*SetDelete)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                          BOOLEAN DeleteFile);
    /** Create with extended attributes or reparse data; takes precedence over Create. */
    NTSTATUS (*CreateEx)(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                         UINT32 GrantedAccess, UINT32 FileAttributes,
                         PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
                         PVOID ExtraBuffer, ULONG ExtraLength, BOOLEAN ExtraBufferIsReparsePoint,
                         PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo);
    NTSTATUS (*OverwriteEx)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, UINT32 FileAttributes,
                            BOOLEAN ReplaceFileAttributes, UINT64 AllocationSize,
                            PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength,
                            FSP_FSCTL_FILE_INFO *FileInfo);
    /** All extended attributes, added with FspFileSystemAddEa. */
    NTSTATUS (*GetEa)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PFILE_FULL_EA_INFORMATION Ea,
                      ULONG EaLength, PULONG PBytesTransferred);
    /** Set (value length > 0) or delete (value length 0) the attributes listed. */
    NTSTATUS (*SetEa)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PFILE_FULL_EA_INFORMATION Ea,
                      ULONG EaLength, FSP_FSCTL_FILE_INFO *FileInfo);
    NTSTATUS (*Obsolete0)(VOID);
    /** The dispatcher has stopped; Normally is FALSE when the volume went away underneath. */
    VOID (*DispatcherStopped)(FSP_FILE_SYSTEM *FileSystem, BOOLEAN Normally);
    /**
     * LinFsp extension (needs VolumeParams.HardLinks): make NewFileName a new
     * name of the open file FileContext (named FileName). Fails with
     * STATUS_OBJECT_NAME_COLLISION when NewFileName exists. FileInfo receives
     * the file's information with its new HardLinks count.
     */
    NTSTATUS (*CreateHardLink)(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR FileName,
                               PWSTR NewFileName, FSP_FSCTL_FILE_INFO *FileInfo);
    NTSTATUS (*Reserved[30])(VOID);
} FSP_FILE_SYSTEM_INTERFACE;

/** Opaque engine state. */
struct fsp_engine;

/** A file system instance. Fields are public as in WinFsp; change them only through the API. */
struct _FSP_FILE_SYSTEM {
    UINT16 Version;
    PVOID UserContext; /**< for the file system's own use */
    WCHAR VolumeName[FSP_FSCTL_VOLUME_NAME_SIZEMAX / sizeof(WCHAR)];
    HANDLE VolumeHandle;
    const FSP_FILE_SYSTEM_INTERFACE *Interface;
    FSP_FSCTL_VOLUME_PARAMS VolumeParams;
    PWSTR MountPoint;
    UINT32 DebugLog; /**< bit mask over 1 << Kind; -1 traces everything */
    FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY OpGuardStrategy;
    pthread_rwlock_t OpGuardLock;
    NTSTATUS (*EnterOperation)(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *, FSP_FSCTL_TRANSACT_RSP *);
    NTSTATUS (*LeaveOperation)(FSP_FILE_SYSTEM *, FSP_FSCTL_TRANSACT_REQ *, FSP_FSCTL_TRANSACT_RSP *);
    NTSTATUS DispatcherResult;
    BOOLEAN UmFileContextIsUserContext2, UmFileContextIsFullContext;
    struct fsp_engine *Engine; /**< LinFsp: the kernel-facing engine */
};

typedef struct {
    FSP_FSCTL_TRANSACT_REQ *Request;
    FSP_FSCTL_TRANSACT_RSP *Response;
} FSP_FILE_SYSTEM_OPERATION_CONTEXT;

/* ---- lifecycle ---- */

/**
 * Create a file system object. DevicePath is FSP_FSCTL_DISK_DEVICE_NAME or
 * FSP_FSCTL_NET_DEVICE_NAME (both "/dev/fuse"); NULL is accepted too, any
 * other name fails with STATUS_NO_SUCH_DEVICE.
 * Opens /dev/fuse; returns STATUS_NO_SUCH_DEVICE when it is absent,
 * STATUS_ACCESS_DENIED when it cannot be opened, STATUS_INVALID_PARAMETER
 * for inconsistent VolumeParams.
 */
FSP_API NTSTATUS FspFileSystemCreate(PWSTR DevicePath, const FSP_FSCTL_VOLUME_PARAMS *VolumeParams,
                                     const FSP_FILE_SYSTEM_INTERFACE *Interface,
                                     FSP_FILE_SYSTEM **PFileSystem);
/** Stop the dispatcher if running, unmount, free everything. */
FSP_API VOID FspFileSystemDelete(FSP_FILE_SYSTEM *FileSystem);
/**
 * Mount at the directory MountPoint (must exist). As root the engine mounts
 * with mount(2) and arranges auto-unmount should the process die; otherwise
 * through fusermount3. Errors: STATUS_OBJECT_PATH_NOT_FOUND (missing),
 * STATUS_NOT_A_DIRECTORY, STATUS_ACCESS_DENIED, STATUS_DEVICE_BUSY (already
 * a mount point of this process's file systems), STATUS_NO_SUCH_DEVICE.
 */
FSP_API NTSTATUS FspFileSystemSetMountPoint(FSP_FILE_SYSTEM *FileSystem, PWSTR MountPoint);
FSP_API NTSTATUS FspFileSystemSetMountPointEx(FSP_FILE_SYSTEM *FileSystem, PWSTR MountPoint,
                                              PSECURITY_DESCRIPTOR SecurityDescriptor);
/**
 * LinFsp extension: extra mount options, comma separated, as mount -o takes
 * them: allow_other, allow_root, default_permissions (always on),
 * ro, rw, fsname=, subtype=, auto_unmount, max_read=, nosuid, nodev, noexec,
 * noatime, sync, dirsync. Call before FspFileSystemSetMountPoint.
 * Unknown options: STATUS_INVALID_PARAMETER.
 */
FSP_API NTSTATUS FspFileSystemSetMountOptions(FSP_FILE_SYSTEM *FileSystem, const char *Options);
/** Unmount (lazily if busy). */
FSP_API VOID FspFileSystemRemoveMountPoint(FSP_FILE_SYSTEM *FileSystem);
/** Start ThreadCount worker threads (0: a default for this machine). */
FSP_API NTSTATUS FspFileSystemStartDispatcher(FSP_FILE_SYSTEM *FileSystem, ULONG ThreadCount);
/** Stop and join the workers; pending operations are cancelled. */
FSP_API VOID FspFileSystemStopDispatcher(FSP_FILE_SYSTEM *FileSystem);
/** Complete an operation the file system answered with STATUS_PENDING (any thread). */
FSP_API VOID FspFileSystemSendResponse(FSP_FILE_SYSTEM *FileSystem,
                                       FSP_FSCTL_TRANSACT_RSP *Response);
/** The current operation's request and response (valid inside an interface call). */
FSP_API FSP_FILE_SYSTEM_OPERATION_CONTEXT *FspFileSystemGetOperationContext(VOID);
/**
 * LinFsp extension (kernel passthrough; needs VolumeParams.PassthroughBackingFiles and
 * VolumeParams.Version = sizeof(FSP_FSCTL_VOLUME_PARAMS)): call inside Create, CreateEx,
 * Open or Overwrite with an open descriptor of a regular file on a non-stacked local file
 * system that holds the data of the file being opened. When the open succeeds, the kernel
 * reads, writes and mmaps that file directly: Read and Write are not called for the open
 * (nor for other opens of the same file while it is open this way); all other operations
 * (attributes, truncation, Flush, Cleanup, Close, ...) still reach the file system.
 * The engine neither closes nor keeps Fd (the kernel takes its own reference during the
 * call that answers the open); keep it open until Close. Where the kernel refuses it
 * (Linux < 6.9, no CAP_SYS_ADMIN, writeback cache, a stacked source such as overlayfs,
 * not a regular file) the open silently takes the normal path. Returns STATUS_SUCCESS,
 * STATUS_NOT_SUPPORTED (passthrough not negotiated on this mount: nothing recorded),
 * STATUS_INVALID_DEVICE_STATE (not inside one of those callbacks) or
 * STATUS_INVALID_PARAMETER (Fd < 0). Only the last Create/Open of an operation counts.
 */
FSP_API NTSTATUS FspFileSystemSetOpenBackingFile(int Fd);
FSP_API NTSTATUS FspFileSystemPreflight(PWSTR DevicePath, PWSTR MountPoint);

static inline PWSTR FspFileSystemMountPoint(FSP_FILE_SYSTEM *FileSystem)
{
    return FileSystem->MountPoint;
}
FSP_API PWSTR FspFileSystemMountPointF(FSP_FILE_SYSTEM *FileSystem);

/* ---- operation guard ---- */
FSP_API NTSTATUS FspFileSystemOpEnter(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_REQ *Request,
                                      FSP_FSCTL_TRANSACT_RSP *Response);
FSP_API NTSTATUS FspFileSystemOpLeave(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_REQ *Request,
                                      FSP_FSCTL_TRANSACT_RSP *Response);
static inline NTSTATUS FspFileSystemEnterOperation(FSP_FILE_SYSTEM *FileSystem,
                                                   FSP_FSCTL_TRANSACT_REQ *Request,
                                                   FSP_FSCTL_TRANSACT_RSP *Response)
{
    return FileSystem->EnterOperation ? FileSystem->EnterOperation(FileSystem, Request, Response)
                                      : STATUS_SUCCESS;
}
static inline NTSTATUS FspFileSystemLeaveOperation(FSP_FILE_SYSTEM *FileSystem,
                                                   FSP_FSCTL_TRANSACT_REQ *Request,
                                                   FSP_FSCTL_TRANSACT_RSP *Response)
{
    return FileSystem->LeaveOperation ? FileSystem->LeaveOperation(FileSystem, Request, Response)
                                      : STATUS_SUCCESS;
}
/** Replace the guard callbacks (NULL, NULL: no guard at all). */
FSP_API VOID FspFileSystemSetOperationGuard(FSP_FILE_SYSTEM *FileSystem,
                                            FSP_FILE_SYSTEM_OPERATION *EnterOperation,
                                            FSP_FILE_SYSTEM_OPERATION *LeaveOperation);
/** Choose FINE or COARSE; call before FspFileSystemStartDispatcher. */
FSP_API VOID FspFileSystemSetOperationGuardStrategyF(FSP_FILE_SYSTEM *FileSystem,
                                                     FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY GuardStrategy);
static inline VOID FspFileSystemSetOperationGuardStrategy(FSP_FILE_SYSTEM *FileSystem,
                                                          FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY GuardStrategy)
{
    FspFileSystemSetOperationGuardStrategyF(FileSystem, GuardStrategy);
}
/** Trace requests and responses whose kind is in the mask (-1: all) with FspDebugLog. */
static inline VOID FspFileSystemSetDebugLog(FSP_FILE_SYSTEM *FileSystem, UINT32 DebugLog)
{
    FileSystem->DebugLog = DebugLog;
}
FSP_API VOID FspFileSystemSetDebugLogF(FSP_FILE_SYSTEM *FileSystem, UINT32 DebugLog);
static inline NTSTATUS FspFileSystemGetDispatcherResult(FSP_FILE_SYSTEM *FileSystem)
{
    return FileSystem->DispatcherResult;
}
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
FSP_API BOOLEAN FspFileSystemIsOperationCaseSensitiveF(VOID);
/** The pid of the process that made the current request. */
FSP_API UINT32 FspFileSystemOperationProcessIdF(VOID);
static inline UINT32 FspFileSystemOperationProcessId(VOID)
{
    return FspFileSystemOperationProcessIdF();
}

/* ---- notifications (kernel cache invalidation) ---- */
FSP_API NTSTATUS FspFileSystemNotifyBegin(FSP_FILE_SYSTEM *FileSystem, ULONG Timeout);
FSP_API NTSTATUS FspFileSystemNotifyEnd(FSP_FILE_SYSTEM *FileSystem);
/**
 * Tell the engine that files changed behind its back; the kernel drops its
 * cached names, attributes and data for them. Buffer holds NOTIFY_INFO
 * records (8-byte aligned, see FspFileSystemAddNotifyInfo).
 */
FSP_API NTSTATUS FspFileSystemNotify(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_NOTIFY_INFO *NotifyInfo,
                                     SIZE_T Size);
FSP_API BOOLEAN FspFileSystemAddNotifyInfo(FSP_FSCTL_NOTIFY_INFO *NotifyInfo, PVOID Buffer,
                                           ULONG Length, PULONG PBytesTransferred);

/* ---- buffer helpers ---- */
/** Append a DIR_INFO (8-byte aligned); NULL appends the end marker. FALSE when it does not fit. */
FSP_API BOOLEAN FspFileSystemAddDirInfo(FSP_FSCTL_DIR_INFO *DirInfo, PVOID Buffer, ULONG Length,
                                        PULONG PBytesTransferred);
FSP_API BOOLEAN FspFileSystemAddStreamInfo(FSP_FSCTL_STREAM_INFO *StreamInfo, PVOID Buffer,
                                           ULONG Length, PULONG PBytesTransferred);
/** Append an EA (4-byte aligned, NextEntryOffset chained); NULL terminates. FALSE when full. */
FSP_API BOOLEAN FspFileSystemAddEa(PFILE_FULL_EA_INFORMATION SingleEa,
                                   PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength,
                                   PULONG PBytesTransferred);
static inline UINT32 FspFileSystemGetEaPackedSize(PFILE_FULL_EA_INFORMATION SingleEa)
{
    /* the packed size of an EA (FILE_GET_EA_INFORMATION-style accounting: 5 + name + value) */
    return 5 + SingleEa->EaNameLength + SingleEa->EaValueLength;
}
/** Call EnumerateEa for each EA in the list; stops at the first failure. */
FSP_API NTSTATUS FspFileSystemEnumerateEa(FSP_FILE_SYSTEM *FileSystem,
                                          NTSTATUS (*EnumerateEa)(FSP_FILE_SYSTEM *FileSystem,
                                                                  PVOID Context,
                                                                  PFILE_FULL_EA_INFORMATION SingleEa),
                                          PVOID Context, PFILE_FULL_EA_INFORMATION Ea,
                                          ULONG EaLength);
FSP_API PWSTR FspFileSystemGetOpenFileInfoName(FSP_FSCTL_FILE_INFO *FileInfo);
static inline FSP_FSCTL_OPEN_FILE_INFO *FspFileSystemGetOpenFileInfo(FSP_FSCTL_FILE_INFO *FileInfo)
{
    return (FSP_FSCTL_OPEN_FILE_INFO *)FileInfo;
}

/* ---- directory buffers ---- */
/**
 * Acquire the directory buffer at *PDirBuffer for filling (returns TRUE) when
 * Reset is TRUE or it is empty; otherwise FALSE (read it as it is). On TRUE
 * fill it with FspFileSystemFillDirectoryBuffer, then release it.
 */
FSP_API BOOLEAN FspFileSystemAcquireDirectoryBuffer(PVOID *PDirBuffer, BOOLEAN Reset,
                                                    PNTSTATUS PResult);
FSP_API BOOLEAN FspFileSystemAcquireDirectoryBufferEx(PVOID *PDirBuffer, BOOLEAN Reset,
                                                      ULONG CapacityHint, PNTSTATUS PResult);
FSP_API BOOLEAN FspFileSystemFillDirectoryBuffer(PVOID *PDirBuffer, FSP_FSCTL_DIR_INFO *DirInfo,
                                                 PNTSTATUS PResult);
/** Sort the entries by name ("." and ".." first) and release the fill lock. */
FSP_API VOID FspFileSystemReleaseDirectoryBuffer(PVOID *PDirBuffer);
/** Copy the entries after Marker into Buffer, then the end marker when everything fits. */
FSP_API VOID FspFileSystemReadDirectoryBuffer(PVOID *PDirBuffer, PWSTR Marker, PVOID Buffer,
                                              ULONG Length, PULONG PBytesTransferred);
FSP_API VOID FspFileSystemDeleteDirectoryBuffer(PVOID *PDirBuffer);

/* ---- reparse points ---- */
FSP_API BOOLEAN FspFileSystemFindReparsePoint(FSP_FILE_SYSTEM *FileSystem,
                                              NTSTATUS (*GetReparsePointByName)(FSP_FILE_SYSTEM *FileSystem,
                                                                                PVOID Context,
                                                                                PWSTR FileName,
                                                                                BOOLEAN IsDirectory,
                                                                                PVOID Buffer,
                                                                                PSIZE_T PSize),
                                              PVOID Context, PWSTR FileName,
                                              PUINT32 PReparsePointIndex);
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
/** May the reparse data New replace Current (same tag, and same GUID for non-Microsoft tags)? */
FSP_API NTSTATUS FspFileSystemCanReplaceReparsePoint(PVOID CurrentReparseData,
                                                     SIZE_T CurrentReparseDataSize,
                                                     PVOID ReplaceReparseData,
                                                     SIZE_T ReplaceReparseDataSize);

/* ---- security ---- */
FSP_API PGENERIC_MAPPING FspGetFileGenericMapping(VOID);
/**
 * Build the security descriptor of a new object from its parent's
 * (inheritable ACEs) and the one requested (explicit, may be NULL).
 * OwnerUid/OwnerGid-style defaults come from the POSIX mapping of the caller.
 * Free with FspDeleteSecurityDescriptor(SD, (NTSTATUS (*)())FspCreateSecurityDescriptor).
 */
FSP_API NTSTATUS FspCreateSecurityDescriptor(FSP_FILE_SYSTEM *FileSystem,
                                             FSP_FSCTL_TRANSACT_REQ *Request,
                                             PSECURITY_DESCRIPTOR ParentDescriptor,
                                             PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/**
 * Apply a SetSecurity modification: the parts named by SecurityInformation
 * are taken from ModificationDescriptor, the rest from InputDescriptor.
 * Free the result with FspDeleteSecurityDescriptor(SD, (NTSTATUS (*)())FspSetSecurityDescriptor).
 */
FSP_API NTSTATUS FspSetSecurityDescriptor(PSECURITY_DESCRIPTOR InputDescriptor,
                                          SECURITY_INFORMATION SecurityInformation,
                                          PSECURITY_DESCRIPTOR ModificationDescriptor,
                                          PSECURITY_DESCRIPTOR *PSecurityDescriptor);
FSP_API VOID FspDeleteSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                         NTSTATUS (*CreateFunc)());
/** Length in bytes of a valid self-relative SD; 0 if it is not valid. */
FSP_API ULONG FspGetSecurityDescriptorLength(PSECURITY_DESCRIPTOR SecurityDescriptor);
/** Check that Size bytes hold a valid self-relative SD (every offset and ACE in bounds). */
FSP_API BOOLEAN FspIsValidSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T Size);
/** Parse SDDL ("O:BAG:BAD:P(A;;FA;;;SY)...") into a malloc'ed self-relative SD. */
FSP_API NTSTATUS FspSddlToSecurityDescriptor(PCWSTR Sddl, PSECURITY_DESCRIPTOR *PSecurityDescriptor,
                                             PULONG PSecurityDescriptorSize);
/** Format a self-relative SD as malloc'ed SDDL. */
FSP_API NTSTATUS FspSecurityDescriptorToSddl(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                             SECURITY_INFORMATION SecurityInformation,
                                             PWSTR *PSddl);
/** Parse "S-1-5-18" or an SDDL alias ("SY", "BA", "WD", ...) into a malloc'ed SID. */
FSP_API NTSTATUS FspStringToSid(PCWSTR String, PSID *PSid);
FSP_API NTSTATUS FspSidToString(PSID Sid, PWSTR *PString);
FSP_API BOOLEAN FspIsValidSid(PSID Sid, SIZE_T Size);
FSP_API ULONG FspGetSidLength(PSID Sid);
FSP_API BOOLEAN FspEqualSid(PSID Sid1, PSID Sid2);
/** Owner, group and DACL of a self-relative SD (NULL when absent). */
FSP_API PSID FspSecurityDescriptorOwner(PSECURITY_DESCRIPTOR SecurityDescriptor);
FSP_API PSID FspSecurityDescriptorGroup(PSECURITY_DESCRIPTOR SecurityDescriptor);
FSP_API PACL FspSecurityDescriptorDacl(PSECURITY_DESCRIPTOR SecurityDescriptor);

/* ---- POSIX interoperability ---- */
/**
 * UID/GID <-> SID mapping. LinFsp maps Linux ids to the "Unix User" and "Unix
 * Group" SIDs S-1-22-1-UID and S-1-22-2-GID (as Samba does), which
 * round-trips every id exactly; well-known Windows SIDs map as in WinFsp
 * (S-1-5-18 <-> 18, S-1-5-32-544 <-> 544, S-1-1-0 <-> 0x10100, ...).
 * Unmapped SIDs map to 65534. SIDs are malloc'ed; free with FspDeleteSid.
 */
FSP_API NTSTATUS FspPosixSetUidMap(UINT32 Uid[], PSID Sid[], ULONG Count);
FSP_API NTSTATUS FspPosixMapUidToSid(UINT32 Uid, PSID *PSid);
FSP_API NTSTATUS FspPosixMapGidToSid(UINT32 Gid, PSID *PSid); /**< LinFsp extension */
FSP_API NTSTATUS FspPosixMapSidToUid(PSID Sid, PUINT32 PUid);
FSP_API VOID FspDeleteSid(PSID Sid, NTSTATUS (*CreateFunc)());
/**
 * mode (including S_ISUID, S_ISGID, S_ISVTX) -> self-relative SD with owner
 * S-1-22-1-Uid, group S-1-22-2-Gid and a protected DACL (see doc/posix-mapping.md).
 * Free with FspDeleteSecurityDescriptor(SD, (NTSTATUS (*)())FspPosixMapPermissionsToSecurityDescriptor).
 */
FSP_API NTSTATUS FspPosixMapPermissionsToSecurityDescriptor(UINT32 Uid, UINT32 Gid, UINT32 Mode,
                                                            PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/**
 * As WinFsp: the existing SD's owner, group, DACL and SACL are kept; Uid/Gid
 * supply only a missing owner/group. A NULL existing SD: as the above.
 */
FSP_API NTSTATUS FspPosixMergePermissionsToSecurityDescriptor(UINT32 Uid, UINT32 Gid, UINT32 Mode,
                                                              PSECURITY_DESCRIPTOR ExistingSecurityDescriptor,
                                                              PSECURITY_DESCRIPTOR *PSecurityDescriptor);
/** SD -> uid, gid and mode (permission bits and S_ISUID/S_ISGID/S_ISVTX; no S_IFMT bits). */
FSP_API NTSTATUS FspPosixMapSecurityDescriptorToPermissions(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                            PUINT32 PUid, PUINT32 PGid,
                                                            PUINT32 PMode);
/**
 * Path mapping. Windows -> POSIX: UTF-32 to UTF-8, '\' to '/', private-use
 * U+F001..U+F07F back to the characters they stand for. POSIX -> Windows:
 * UTF-8 to UTF-32, '/' to '\', and 0x01-0x1F and " * : < > ? \ | to
 * U+F000 + the character. Results are malloc'ed; free with FspPosixDeletePath.
 * Invalid UTF-8 bytes map to U+DC80..U+DCFF and back (lossless). With
 * Translate FALSE the Ex forms only convert UTF-8 <-> UTF-32 (as WinFsp).
 */
FSP_API NTSTATUS FspPosixMapWindowsToPosixPathEx(PWSTR WindowsPath, char **PPosixPath,
                                                 BOOLEAN Translate);
FSP_API NTSTATUS FspPosixMapPosixToWindowsPathEx(const char *PosixPath, PWSTR *PWindowsPath,
                                                 BOOLEAN Translate);
static inline NTSTATUS FspPosixMapWindowsToPosixPath(PWSTR WindowsPath, char **PPosixPath)
{
    return FspPosixMapWindowsToPosixPathEx(WindowsPath, PPosixPath, TRUE);
}
static inline NTSTATUS FspPosixMapPosixToWindowsPath(const char *PosixPath, PWSTR *PWindowsPath)
{
    return FspPosixMapPosixToWindowsPathEx(PosixPath, PWindowsPath, TRUE);
}
FSP_API VOID FspPosixDeletePath(void *Path);
/** In place, Size characters: Encode gives the POSIX form ('\\' to '/', U+F0xx back), Decode the reverse. */
FSP_API VOID FspPosixEncodeWindowsPath(PWSTR WindowsPath, ULONG Size);
FSP_API VOID FspPosixDecodeWindowsPath(PWSTR WindowsPath, ULONG Size);

struct timespec;
/** FILETIME (100 ns since 1601) <-> Unix time. */
static inline VOID FspPosixFileTimeToUnixTime(UINT64 FileTime, UINT64 UnixTime[2])
{
    INT64 FileTime0 = (INT64)FileTime - 116444736000000000LL;
    INT64 Sec = FileTime0 / 10000000, Rem = FileTime0 % 10000000;
    if (Rem < 0)
        Rem += 10000000, Sec--;
    UnixTime[0] = (UINT64)Sec;
    UnixTime[1] = (UINT64)(Rem * 100);
}
static inline VOID FspPosixUnixTimeToFileTime(const UINT64 UnixTime[2], PUINT64 PFileTime)
{
    *PFileTime = (UINT64)((INT64)UnixTime[0] * 10000000 + (INT64)UnixTime[1] / 100 +
                          116444736000000000LL);
}

/* ---- paths ---- */
/** Split Path at its first separator: *PPrefix is Path, *PRemain after it; the separator becomes NUL. */
FSP_API VOID FspPathPrefix(PWSTR Path, PWSTR *PPrefix, PWSTR *PRemain, PWSTR Root);
/** Split Path at its last separator: *PRemain before it, *PSuffix the last component. */
FSP_API VOID FspPathSuffix(PWSTR Path, PWSTR *PRemain, PWSTR *PSuffix, PWSTR Root);
/** Undo FspPathPrefix/FspPathSuffix (put the separator back). */
FSP_API VOID FspPathCombine(PWSTR Prefix, PWSTR Suffix);

/* ---- status codes ---- */
/** errno -> NTSTATUS (0 -> STATUS_SUCCESS). LinFsp extension. */
FSP_API NTSTATUS FspNtStatusFromErrno(int Errno);
/** NTSTATUS -> positive errno (success codes -> 0; unknown errors -> EIO). LinFsp extension. */
FSP_API int FspErrnoFromNtStatus(NTSTATUS Status);

/* ---- service framework ---- */
typedef struct _FSP_SERVICE FSP_SERVICE;
struct _FSP_SERVICE {
    UINT16 Version;
    PVOID UserContext;
    NTSTATUS (*OnStart)(FSP_SERVICE *Service, ULONG Argc, PWSTR *Argv);
    NTSTATUS (*OnStop)(FSP_SERVICE *Service);
    NTSTATUS (*OnControl)(FSP_SERVICE *Service, ULONG Control, ULONG EventType, PVOID EventData);
    ULONG ExitCode;
    int StopSignal; /**< LinFsp: the signal that stopped the service (0 if none) */
    BOOLEAN AllowConsoleMode;
    WCHAR ServiceName[];
};
/**
 * Run a service in the foreground: convert argv to WCHAR, call OnStart, wait
 * for SIGINT or SIGTERM (or FspServiceStop), call OnStop, and return the
 * exit code (0 when it stopped normally, as WinFsp's console mode does).
 */
FSP_API ULONG FspServiceRunEx(PWSTR ServiceName,
                              NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                              NTSTATUS (*OnStop)(FSP_SERVICE *),
                              NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                              PVOID UserContext);
static inline ULONG FspServiceRun(PWSTR ServiceName,
                                  NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                                  NTSTATUS (*OnStop)(FSP_SERVICE *),
                                  NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID))
{
    return FspServiceRunEx(ServiceName, OnStart, OnStop, OnControl, 0);
}
/** Run with explicit argc/argv (LinFsp extension: FspServiceRun reads /proc/self/cmdline). */
FSP_API ULONG FspServiceRunArgv(PWSTR ServiceName, int argc, char **argv,
                                NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                                NTSTATUS (*OnStop)(FSP_SERVICE *),
                                NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                                PVOID UserContext);
FSP_API VOID FspServiceStop(FSP_SERVICE *Service);
FSP_API VOID FspServiceSetExitCode(FSP_SERVICE *Service, ULONG ExitCode);
FSP_API ULONG FspServiceGetExitCode(FSP_SERVICE *Service);
FSP_API VOID FspServiceAllowConsoleMode(FSP_SERVICE *Service);
FSP_API VOID FspServiceAcceptControl(FSP_SERVICE *Service, ULONG Control);
FSP_API BOOLEAN FspServiceIsInteractive(VOID);
/** Log to stderr ("NAME: message"); Type is EVENTLOG_*_TYPE. */
#define EVENTLOG_SUCCESS 0x0000
#define EVENTLOG_ERROR_TYPE 0x0001
#define EVENTLOG_WARNING_TYPE 0x0002
#define EVENTLOG_INFORMATION_TYPE 0x0004
FSP_API VOID FspServiceLog(ULONG Type, PWSTR Format, ...);
FSP_API VOID FspServiceLogV(ULONG Type, PWSTR Format, va_list ap);
/** Stop the service a file system runs in when its dispatcher stopped abnormally. */
FSP_API VOID FspFileSystemStopServiceIfNecessary(FSP_FILE_SYSTEM *FileSystem, BOOLEAN Normally);

/* ---- utility ---- */
/** Where FspDebugLog writes (default stderr); a file descriptor. */
FSP_API VOID FspDebugLogSetHandle(HANDLE Handle);
FSP_API VOID FspDebugLogSetFd(int Fd);
FSP_API VOID FspDebugLog(const char *Format, ...) __attribute__((format(printf, 1, 2)));
FSP_API VOID FspDebugLogSD(const char *Format, PSECURITY_DESCRIPTOR SecurityDescriptor);
FSP_API VOID FspDebugLogSid(const char *Format, PSID Sid);
FSP_API VOID FspDebugLogFT(const char *Format, PFILETIME FileTime);
FSP_API VOID FspDebugLogRequest(FSP_FSCTL_TRANSACT_REQ *Request);
FSP_API VOID FspDebugLogResponse(FSP_FSCTL_TRANSACT_RSP *Response);
FSP_API VOID FspEventLog(ULONG Type, PWSTR Format, ...);
FSP_API VOID FspEventLogV(ULONG Type, PWSTR Format, va_list ap);
/** LinFsp's version as major << 16 | minor. */
FSP_API NTSTATUS FspVersion(PUINT32 PVersion);

#ifdef __cplusplus
}
#endif
#endif
