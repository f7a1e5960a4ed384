/**
 * @file winfsp/fsctl.h
 * The structures shared by the LinFsp engine and file systems: volume
 * parameters, file/directory/stream/volume information, notifications and
 * the transact request/response records (WinFsp's fsctl.h).
 *
 * On WinFsp the transact records travel between the kernel driver and the
 * DLL. On LinFsp the engine builds them from FUSE requests; a file system
 * sees them through FspFileSystemGetOperationContext() (Kind, Hint and the
 * per-kind parameters) and sends FSP_FSCTL_TRANSACT_RSP records back with
 * FspFileSystemSendResponse() to complete an operation it answered with
 * STATUS_PENDING.
 */
#ifndef WINFSP_FSCTL_H_INCLUDED
#define WINFSP_FSCTL_H_INCLUDED

#include <winfsp/wintypes.h>
#include <winfsp/ntstatus.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSP_FSCTL_DRIVER_NAME "LinFsp"
/* Both of WinFsp's device names stand for the kernel's FUSE device here. */
#define FSP_FSCTL_DISK_DEVICE_NAME L"/dev/fuse"
#define FSP_FSCTL_NET_DEVICE_NAME L"/dev/fuse"

#define FSP_FSCTL_VOLUME_NAME_SIZE (64 * sizeof(WCHAR))
#define FSP_FSCTL_VOLUME_PREFIX_SIZE (192 * sizeof(WCHAR))
#define FSP_FSCTL_VOLUME_FSNAME_SIZE (16 * sizeof(WCHAR))
#define FSP_FSCTL_VOLUME_NAME_SIZEMAX (FSP_FSCTL_VOLUME_NAME_SIZE + FSP_FSCTL_VOLUME_PREFIX_SIZE)
#define FSP_FSCTL_TRANSACT_PATH_SIZEMAX (1024 * sizeof(WCHAR))
#define FSP_FSCTL_TRANSACT_REQ_SIZEMAX (16 * 1024 - 64)
#define FSP_FSCTL_TRANSACT_RSP_SIZEMAX (16 * 1024)
#define FSP_FSCTL_DEVICECONTROL_SIZEMAX (4 * 1024)

/* IrpTimeout and IrpCapacity bounds (kept for source compatibility; see doc/native-api.md) */
#define FSP_FSCTL_IRPTIMEOUT_MINIMUM 60000
#define FSP_FSCTL_IRPTIMEOUT_MAXIMUM 600000
#define FSP_FSCTL_IRPTIMEOUT_DEFAULT 300000
#define FSP_FSCTL_IRPCAPACITY_MINIMUM 100
#define FSP_FSCTL_IRPCAPACITY_MAXIMUM 1000
#define FSP_FSCTL_IRPCAPACITY_DEFAULT 1000

/** Volume parameters: given to FspFileSystemCreate; they drive the engine and the kernel caches. */
typedef struct {
    UINT16 Version; /**< 0 or sizeof(FSP_FSCTL_VOLUME_PARAMS) (enables the V1 fields) */
    /* volume information */
    UINT16 SectorSize;               /**< st_blksize is SectorSize * SectorsPerAllocationUnit */
    UINT16 SectorsPerAllocationUnit;
    UINT16 MaxComponentLength;       /**< maximum name component length in characters (<= 255) */
    UINT64 VolumeCreationTime;
    UINT32 VolumeSerialNumber;
    /* I/O timeouts, capacity, etc. */
    UINT32 TransactTimeout;          /**< DEPRECATED; ignored */
    UINT32 IrpTimeout;               /**< pending operation timeout (ms) */
    UINT32 IrpCapacity;              /**< maximum number of pending operations */
    UINT32 FileInfoTimeout;          /**< ms the kernel caches attributes and entries; INFINITE also caches data */
    /* file system attributes */
    UINT32 CaseSensitiveSearch : 1;  /**< names are case-sensitive (0: case-insensitive lookups) */
    UINT32 CasePreservedNames : 1;
    UINT32 UnicodeOnDisk : 1;
    UINT32 PersistentAcls : 1;       /**< the file system keeps security descriptors (POSIX permissions) */
    UINT32 ReparsePoints : 1;        /**< reparse points (symlinks, special files) */
    UINT32 ReparsePointsAccessCheck : 1;
    UINT32 NamedStreams : 1;
    UINT32 HardLinks : 1;            /**< LinFsp extension: the file system implements CreateHardLink */
    UINT32 ExtendedAttributes : 1;   /**< GetEa/SetEa serve Linux extended attributes */
    UINT32 ReadOnlyVolume : 1;       /**< mount read-only */
    /* engine flags */
    UINT32 PostCleanupWhenModifiedOnly : 1;
    UINT32 PassQueryDirectoryPattern : 1;
    UINT32 AlwaysUseDoubleBuffering : 1;
    UINT32 PassQueryDirectoryFileName : 1; /**< lookups use GetDirInfoByName */
    UINT32 FlushAndPurgeOnCleanup : 1;     /**< drop the file's page cache when its last handle closes */
    UINT32 DeviceControl : 1;              /**< forward ioctl(2) to Control */
    /* user-mode flags */
    UINT32 UmFileContextIsUserContext2 : 1;
    UINT32 UmFileContextIsFullContext : 1;
    UINT32 UmNoReparsePointsDirCheck : 1;
    UINT32 UmReservedFlags : 5;
    /* additional engine flags */
    UINT32 AllowOpenInKernelMode : 1;
    UINT32 CasePreservedExtendedAttributes : 1;
    UINT32 WslFeatures : 1;
    UINT32 DirectoryMarkerAsNextOffset : 1;
    UINT32 RejectIrpPriorToTransact0 : 1; /**< DEPRECATED; ignored */
    UINT32 SupportsPosixUnlinkRename : 1;
    UINT32 PostDispositionWhenNecessaryOnly : 1;
    UINT32 KmReservedFlags : 1;
    WCHAR Prefix[FSP_FSCTL_VOLUME_PREFIX_SIZE / sizeof(WCHAR)];         /**< UNC prefix \Server\Share (shown as the mount source) */
    WCHAR FileSystemName[FSP_FSCTL_VOLUME_FSNAME_SIZE / sizeof(WCHAR)]; /**< mount subtype: fuse.NAME */
    /* V1 additions */
    UINT32 VolumeInfoTimeoutValid : 1;
    UINT32 DirInfoTimeoutValid : 1;
    UINT32 SecurityTimeoutValid : 1;
    UINT32 StreamInfoTimeoutValid : 1;
    UINT32 EaTimeoutValid : 1;
    UINT32 PassthroughBackingFiles : 1; /**< LinFsp extension: kernel passthrough to backing files
                                             (FspFileSystemSetOpenBackingFile; needs Version V1) */
    UINT32 WritebackCache : 1;          /**< LinFsp extension: with FileInfoTimeout INFINITE the
                                             kernel keeps written data in its page cache and writes
                                             it back later (FUSE_WRITEBACK_CACHE; needs Version V1) */
    UINT32 KmAdditionalReservedFlags : 25;
    UINT32 VolumeInfoTimeout;
    UINT32 DirInfoTimeout;           /**< entry (name) cache timeout when DirInfoTimeoutValid */
    UINT32 SecurityTimeout;
    UINT32 StreamInfoTimeout;
    UINT32 EaTimeout;
    UINT32 FsextControlCode;
    UINT32 Reserved32[1];
    UINT64 Reserved64[2];
} FSP_FSCTL_VOLUME_PARAMS;

/** Volume information (GetVolumeInfo). */
typedef struct {
    UINT64 TotalSize;
    UINT64 FreeSize;
    UINT16 VolumeLabelLength; /**< bytes */
    WCHAR VolumeLabel[32];
} FSP_FSCTL_VOLUME_INFO;

/** File information; every operation that changes a file returns it fresh. */
typedef struct {
    UINT32 FileAttributes;
    UINT32 ReparseTag;
    UINT64 AllocationSize;
    UINT64 FileSize;
    UINT64 CreationTime;
    UINT64 LastAccessTime;
    UINT64 LastWriteTime;
    UINT64 ChangeTime;
    UINT64 IndexNumber; /**< st_ino when not 0 */
    UINT32 HardLinks;   /**< LinFsp: st_nlink when not 0 (WinFsp: unimplemented, 0) */
    UINT32 EaSize;
} FSP_FSCTL_FILE_INFO;

/** What Create/Open actually receive: FileInfo plus an optional normalized name. */
typedef struct {
    FSP_FSCTL_FILE_INFO FileInfo;
    PWSTR NormalizedName;
    UINT16 NormalizedNameSize; /**< bytes available / used */
} FSP_FSCTL_OPEN_FILE_INFO;

/** A directory entry for ReadDirectory and GetDirInfoByName. */
typedef struct {
    UINT16 Size; /**< bytes, including the name (no NUL) */
    FSP_FSCTL_FILE_INFO FileInfo;
    union {
        UINT64 NextOffset;
        UINT8 Padding[24];
    };
    WCHAR FileNameBuf[];
} FSP_FSCTL_DIR_INFO;

/** A named stream entry for GetStreamInfo (name as ":NAME:$DATA", or "::$DATA" for the main stream). */
typedef struct {
    UINT16 Size;
    UINT64 StreamSize;
    UINT64 StreamAllocationSize;
    WCHAR StreamNameBuf[];
} FSP_FSCTL_STREAM_INFO;

/** A change notification for FspFileSystemNotify. */
typedef struct {
    UINT16 Size;
    UINT32 Filter; /**< FILE_NOTIFY_CHANGE_* */
    UINT32 Action; /**< FILE_ACTION_* */
    WCHAR FileNameBuf[];
} FSP_FSCTL_NOTIFY_INFO;

#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040
#define FILE_NOTIFY_CHANGE_EA 0x00000080
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100
#define FILE_NOTIFY_CHANGE_STREAM_NAME 0x00000200
#define FILE_NOTIFY_CHANGE_STREAM_SIZE 0x00000400
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800
#define FILE_ACTION_ADDED 0x00000001
#define FILE_ACTION_REMOVED 0x00000002
#define FILE_ACTION_MODIFIED 0x00000003
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005
#define FILE_ACTION_ADDED_STREAM 0x00000006
#define FILE_ACTION_REMOVED_STREAM 0x00000007
#define FILE_ACTION_MODIFIED_STREAM 0x00000008

/** Both contexts of an open file (UmFileContextIsFullContext). */
typedef struct {
    UINT64 UserContext;
    UINT64 UserContext2;
} FSP_FSCTL_TRANSACT_FULL_CONTEXT;

typedef struct {
    UINT16 Offset;
    UINT16 Size;
} FSP_FSCTL_TRANSACT_BUF;

enum {
    FspFsctlTransactReservedKind = 0,
    FspFsctlTransactCreateKind,
    FspFsctlTransactOverwriteKind,
    FspFsctlTransactCleanupKind,
    FspFsctlTransactCloseKind,
    FspFsctlTransactReadKind,
    FspFsctlTransactWriteKind,
    FspFsctlTransactQueryInformationKind,
    FspFsctlTransactSetInformationKind,
    FspFsctlTransactQueryEaKind,
    FspFsctlTransactSetEaKind,
    FspFsctlTransactFlushBuffersKind,
    FspFsctlTransactQueryVolumeInformationKind,
    FspFsctlTransactSetVolumeInformationKind,
    FspFsctlTransactQueryDirectoryKind,
    FspFsctlTransactFileSystemControlKind,
    FspFsctlTransactDeviceControlKind,
    FspFsctlTransactShutdownKind,
    FspFsctlTransactLockControlKind,
    FspFsctlTransactQuerySecurityKind,
    FspFsctlTransactSetSecurityKind,
    FspFsctlTransactQueryStreamInformationKind,
    FspFsctlTransactKindCount,
};

/**
 * A request as the engine describes it to the file system. On LinFsp the
 * FileName and buffer members point to memory the engine owns for the
 * duration of the operation (or, for a pending operation, until it is
 * completed with FspFileSystemSendResponse).
 */
typedef struct {
    UINT16 Version;
    UINT16 Size;
    UINT32 Kind; /**< FspFsctlTransact*Kind */
    UINT64 Hint; /**< identifies the operation; copy it into the response */
    union {
        struct {
            UINT32 CreateOptions; /**< disposition << 24 | options */
            UINT32 FileAttributes;
            UINT64 AllocationSize;
            UINT32 DesiredAccess;
            UINT32 GrantedAccess;
            UINT32 ShareAccess;
            UINT32 UserMode : 1;
            UINT32 HasTraversePrivilege : 1;
            UINT32 HasBackupPrivilege : 1;
            UINT32 HasRestorePrivilege : 1;
            UINT32 OpenTargetDirectory : 1;
            UINT32 CaseSensitive : 1;
            UINT32 HasTrailingBackslash : 1;
            UINT32 ReservedFlags : 25;
            UINT16 NamedStream; /**< offset of ':' in the file name, 0 if none */
        } Create;
        struct {
            UINT64 UserContext, UserContext2;
            UINT32 FileAttributes;
            UINT64 AllocationSize;
            UINT32 Supersede : 1;
        } Overwrite;
        struct {
            UINT64 UserContext, UserContext2;
            UINT32 Delete : 1;
            UINT32 SetAllocationSize : 1;
            UINT32 SetArchiveBit : 1;
            UINT32 SetLastAccessTime : 1;
            UINT32 SetLastWriteTime : 1;
            UINT32 SetChangeTime : 1;
        } Cleanup;
        struct {
            UINT64 UserContext, UserContext2;
        } Close;
        struct {
            UINT64 UserContext, UserContext2;
            UINT64 Address; /**< the buffer passed to Read */
            UINT64 Offset;
            UINT32 Length;
            UINT32 Key;
        } Read;
        struct {
            UINT64 UserContext, UserContext2;
            UINT64 Address; /**< the buffer passed to Write */
            UINT64 Offset;
            UINT32 Length;
            UINT32 Key;
            UINT32 ConstrainedIo : 1;
        } Write;
        struct {
            UINT64 UserContext, UserContext2;
        } QueryInformation;
        struct {
            UINT64 UserContext, UserContext2;
            UINT32 FileInformationClass;
        } SetInformation;
        struct {
            UINT64 UserContext, UserContext2;
        } QueryEa, SetEa, FlushBuffers, QuerySecurity, QueryStreamInformation;
        struct {
            UINT32 FsInformationClass;
        } SetVolumeInformation;
        struct {
            UINT64 UserContext, UserContext2;
            UINT64 Address; /**< the buffer passed to ReadDirectory */
            UINT32 Length;
            UINT32 CaseSensitive : 1;
            UINT32 PatternIsFileName : 1;
        } QueryDirectory;
        struct {
            UINT64 UserContext, UserContext2;
            UINT32 FsControlCode;
        } FileSystemControl;
        struct {
            UINT64 UserContext, UserContext2;
            UINT32 IoControlCode;
            UINT32 OutputLength;
        } DeviceControl;
        struct {
            UINT64 UserContext, UserContext2;
            UINT32 SecurityInformation;
        } SetSecurity;
    } Req;
    PWSTR FileName; /**< LinFsp: the file name of the operation, or NULL */
    UINT32 CallerUid, CallerGid, CallerPid; /**< LinFsp: the calling process */
} FSP_FSCTL_TRANSACT_REQ;

/** A response: used to complete pending Read, Write and ReadDirectory operations. */
typedef struct {
    UINT16 Version;
    UINT16 Size;
    UINT32 Kind;
    UINT64 Hint;
    struct {
        UINT32 Information; /**< bytes transferred */
        UINT32 Status;      /**< NTSTATUS */
    } IoStatus;
    union {
        union {
            struct {
                UINT64 UserContext;
                UINT64 UserContext2;
                UINT32 GrantedAccess;
                FSP_FSCTL_FILE_INFO FileInfo;
            } Opened;
        } Create;
        struct {
            FSP_FSCTL_FILE_INFO FileInfo;
        } Overwrite, Write, QueryInformation, SetInformation, FlushBuffers, SetEa;
        struct {
            FSP_FSCTL_VOLUME_INFO VolumeInfo;
        } QueryVolumeInformation, SetVolumeInformation;
    } Rsp;
} FSP_FSCTL_TRANSACT_RSP;

#ifdef __cplusplus
}
#endif
#endif
