/**
 * @file winfsp/fsctl.h
 * The records shared by the LinFsp engine and file systems (WinFsp's fsctl.h):
 * volume parameters, file, directory, stream and volume information,
 * change notifications, and the transact request and response records.
 *
 * On WinFsp the transact records travel between the kernel driver and the
 * DLL. On LinFsp they are not a wire format: the engine reads FUSE requests
 * from /dev/fuse and builds an FSP_FSCTL_TRANSACT_REQ for each interface call
 * it makes. A file system sees that record through
 * FspFileSystemGetOperationContext() (Kind, Hint, the caller and the per-kind
 * parameters), and sends an FSP_FSCTL_TRANSACT_RSP back with
 * FspFileSystemSendResponse() to complete an operation it answered with
 * STATUS_PENDING.
 *
 * Sizes: WCHAR is 4 bytes on LinFsp (wchar_t), so every *_SIZE constant
 * expressed as N * sizeof(WCHAR) keeps WinFsp's character count with twice
 * the bytes, and the structures that hold WCHAR arrays are larger than
 * WinFsp's. Byte lengths (FSP_FSCTL_DIR_INFO::Size, VolumeLabelLength, ...)
 * count 4 bytes per character.
 */
#ifndef WINFSP_FSCTL_H_INCLUDED
#define WINFSP_FSCTL_H_INCLUDED

#include <winfsp/wintypes.h>
#include <winfsp/ntstatus.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * FSP_FSCTL_STATIC_ASSERT(e, m): as in WinFsp, a no-op for file system code (WinFsp checks
 * its own structure sizes only when it builds itself); define LINFSP_STATIC_ASSERT_CHECK
 * before including to make it a real C11 _Static_assert. Structure sizes differ from
 * WinFsp's anyway (WCHAR is 4 bytes): asserts about them would fail here.
 */
#if defined(LINFSP_STATIC_ASSERT_CHECK)
#define FSP_FSCTL_STATIC_ASSERT(e, m) _Static_assert(e, m)
#else
#define FSP_FSCTL_STATIC_ASSERT(e, m) _Static_assert(1, "")
#endif

/** Makes a string of a macro's value (FSP_FSCTL_STR(FSP_FSCTL_DEFAULT_ALIGNMENT) is "8"). @param x the macro */
#define FSP_FSCTL_STR(x) FSP_FSCTL_STR_(x)
/** FSP_FSCTL_STR()'s second step (x as written). @param x the text */
#define FSP_FSCTL_STR_(x) #x
#define FSP_FSCTL_PRODUCT_NAME "LinFsp"        /**< WinFsp: "WinFsp" */
#define FSP_FSCTL_PRODUCT_FILE_NAME "linfsp"   /**< WinFsp: "winfsp" (the DLL's base name) */

/** The driver's name: a narrow string on LinFsp ("LinFsp"), a wide one on WinFsp. */
#define FSP_FSCTL_DRIVER_NAME FSP_FSCTL_PRODUCT_NAME
/**
 * The device FspFileSystemCreate() accepts: the kernel's FUSE device. WinFsp's device names
 * (WinFsp.Disk, WinFsp.Net, WinFsp.Mup) all stand for it; wide strings, so that WinFsp's
 * L"" FSP_FSCTL_DISK_DEVICE_NAME works.
 */
#define FSP_FSCTL_DISK_DEVICE_NAME L"/dev/fuse"
/** Same as FSP_FSCTL_DISK_DEVICE_NAME: LinFsp has no network-volume distinction. */
#define FSP_FSCTL_NET_DEVICE_NAME L"/dev/fuse"
/** Same as FSP_FSCTL_DISK_DEVICE_NAME (WinFsp's MUP device for network file systems). */
#define FSP_FSCTL_MUP_DEVICE_NAME L"/dev/fuse"

/** x rounded up to a multiple of s (a power of two). */
#define FSP_FSCTL_ALIGN_UP(x, s) (((x) + ((s) - 1L)) & ~((s) - 1L))
/** The alignment of records in WinFsp's buffers (directory entries, transact requests). */
#define FSP_FSCTL_DEFAULT_ALIGNMENT 8
/** x rounded up to FSP_FSCTL_DEFAULT_ALIGNMENT. */
#define FSP_FSCTL_DEFAULT_ALIGN_UP(x) FSP_FSCTL_ALIGN_UP(x, FSP_FSCTL_DEFAULT_ALIGNMENT)
/** WinFsp's __declspec(align(8)). */
#define FSP_FSCTL_DECLSPEC_ALIGN __attribute__((aligned(FSP_FSCTL_DEFAULT_ALIGNMENT)))

/*
 * WinFsp's device control codes: its driver's interface. Kept for source compatibility only:
 * LinFsp has no driver to send them to (the engine speaks FUSE on /dev/fuse).
 */
/** WinFsp driver control code: make a mount device (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_MOUNTDEV CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'M', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: get the volume name (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_VOLUME_NAME CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'N', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: list the volumes (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_VOLUME_LIST CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'L', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: exchange requests and responses (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_TRANSACT CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'T', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: exchange requests and responses (device I/O control form) (value only; no driver takes it on LinFsp). */
#define FSP_IOCTL_TRANSACT CTL_CODE(0x8000 | ('F' << 8) | 'W', 0x800 + 'T', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: exchange requests and responses in batches (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_TRANSACT_BATCH CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 't', METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
/** WinFsp driver control code: batched exchange (device I/O control form) (value only; no driver takes it on LinFsp). */
#define FSP_IOCTL_TRANSACT_BATCH CTL_CODE(0x8000 | ('F' << 8) | 'W', 0x800 + 't', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: stop the volume (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_STOP CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'S', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: stop the volume (older form) (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_STOP0 CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 's', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: send change notifications (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_NOTIFY CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'n', METHOD_NEITHER, FILE_ANY_ACCESS)
/** WinFsp driver control code: internal exchange (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_TRANSACT_INTERNAL CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + 'I', METHOD_NEITHER, FILE_ANY_ACCESS)
/** WinFsp driver control code: internal exchange (device I/O control form) (value only; no driver takes it on LinFsp). */
#define FSP_IOCTL_TRANSACT_INTERNAL CTL_CODE(0x8000 | ('F' << 8) | 'W', 0x800 + 'I', METHOD_BUFFERED, FILE_ANY_ACCESS)
/** WinFsp driver control code: ask whether a volume is WinFsp's (value only; no driver takes it on LinFsp). */
#define FSP_FSCTL_QUERY_WINFSP CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + '?', METHOD_BUFFERED, FILE_ANY_ACCESS)

/** WinFsp's prefix of the volume parameters in its device path (kept for source compatibility). */
#define FSP_FSCTL_VOLUME_PARAMS_PREFIX "\\VolumeParams="

/** Bytes of a volume name (64 characters); FSP_FILE_SYSTEM::VolumeName is never set on LinFsp. */
#define FSP_FSCTL_VOLUME_NAME_SIZE (64 * sizeof(WCHAR))
/** Bytes of FSP_FSCTL_VOLUME_PARAMS::Prefix (192 characters). */
#define FSP_FSCTL_VOLUME_PREFIX_SIZE (192 * sizeof(WCHAR))
/** Bytes of FSP_FSCTL_VOLUME_PARAMS::FileSystemName (16 characters). */
#define FSP_FSCTL_VOLUME_FSNAME_SIZE (16 * sizeof(WCHAR))
/** Bytes of FSP_FILE_SYSTEM::VolumeName: a volume name and a prefix. */
#define FSP_FSCTL_VOLUME_NAME_SIZEMAX (FSP_FSCTL_VOLUME_NAME_SIZE + FSP_FSCTL_VOLUME_PREFIX_SIZE)
/**
 * WinFsp's longest file name in a request: 1024 characters. LinFsp does not limit the length of
 * the paths it passes (a deep tree on Linux has longer paths): see doc/porting.md, "Path buffers".
 */
#define FSP_FSCTL_TRANSACT_PATH_SIZEMAX (1024 * sizeof(WCHAR))
/** WinFsp's largest transact request; kept for source compatibility. */
#define FSP_FSCTL_TRANSACT_REQ_SIZEMAX (16 * 1024 - 64)
/** Largest FSP_FSCTL_TRANSACT_RSP that FspFileSystemSendResponse() copies when it must keep a response for later (16 KiB). */
#define FSP_FSCTL_TRANSACT_RSP_SIZEMAX (16 * 1024)
/** WinFsp's room for a request's variable data (name, buffers) in a transact buffer. */
#define FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX (FSP_FSCTL_TRANSACT_REQ_SIZEMAX - sizeof(FSP_FSCTL_TRANSACT_REQ))
/** WinFsp's room for a response's variable data. */
#define FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX (FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof(FSP_FSCTL_TRANSACT_RSP))
/** WinFsp's smallest transact batch buffer (kept for source compatibility). */
#define FSP_FSCTL_TRANSACT_BATCH_BUFFER_SIZEMIN (64 * 1024)
/** WinFsp's smallest transact buffer (kept for source compatibility). */
#define FSP_FSCTL_TRANSACT_BUFFER_SIZEMIN FSP_FSCTL_TRANSACT_REQ_SIZEMAX
/** WinFsp's device control buffer limit; LinFsp's Control buffers are limited by the ioctl size (up to 1 MiB out) instead. */
#define FSP_FSCTL_DEVICECONTROL_SIZEMAX (4 * 1024)

/** The token handle in an AccessToken: WinFsp's is (process id << 32) | token handle; LinFsp passes no token (0). */
#define FSP_FSCTL_TRANSACT_REQ_TOKEN_HANDLE(T) ((HANDLE)((UINT_PTR)((T) & 0xffffffff)))
/** The process id in an AccessToken (FSP_FSCTL_TRANSACT_REQ: Create, Rename). */
#define FSP_FSCTL_TRANSACT_REQ_TOKEN_PID(T) ((UINT32)(((T) >> 32) & 0xffffffff))

/* IrpTimeout and IrpCapacity bounds (kept for source compatibility; see doc/native-api.md) */
/** WinFsp's bounds of VolumeParams.TransactTimeout, IrpTimeout (ms) and IrpCapacity. */
enum {
    FspFsctlTransactTimeoutMinimum = 1000,  /**< DEPRECATED (TransactTimeout is ignored) */
    FspFsctlTransactTimeoutMaximum = 10000, /**< DEPRECATED */
    FspFsctlTransactTimeoutDefault = 1000,  /**< DEPRECATED */
    FspFsctlIrpTimeoutMinimum = 60000,      /**< WinFsp's smallest IrpTimeout; not enforced: pending operations never time out on LinFsp */
    FspFsctlIrpTimeoutMaximum = 600000,     /**< WinFsp's largest IrpTimeout; not enforced */
    FspFsctlIrpTimeoutDefault = 300000,     /**< the IrpTimeout FspFileSystemCreate() fills in for 0; recorded, not enforced */
    FspFsctlIrpTimeoutDebug = 142,          /**< WinFsp's debugging IrpTimeout; not enforced */
    FspFsctlIrpCapacityMinimum = 100,       /**< WinFsp's smallest IrpCapacity; not enforced: LinFsp does not limit pending operations */
    FspFsctlIrpCapacityMaximum = 1000,      /**< WinFsp's largest IrpCapacity; not enforced */
    FspFsctlIrpCapacityDefault = 1000,      /**< the IrpCapacity FspFileSystemCreate() fills in for 0; recorded, not enforced */
};
/** LinFsp's earlier name of FspFsctlIrpTimeoutMinimum. */
#define FSP_FSCTL_IRPTIMEOUT_MINIMUM FspFsctlIrpTimeoutMinimum
/** LinFsp's earlier name of FspFsctlIrpTimeoutMaximum. */
#define FSP_FSCTL_IRPTIMEOUT_MAXIMUM FspFsctlIrpTimeoutMaximum
/** LinFsp's earlier name of FspFsctlIrpTimeoutDefault. */
#define FSP_FSCTL_IRPTIMEOUT_DEFAULT FspFsctlIrpTimeoutDefault
/** LinFsp's earlier name of FspFsctlIrpCapacityMinimum. */
#define FSP_FSCTL_IRPCAPACITY_MINIMUM FspFsctlIrpCapacityMinimum
/** LinFsp's earlier name of FspFsctlIrpCapacityMaximum. */
#define FSP_FSCTL_IRPCAPACITY_MAXIMUM FspFsctlIrpCapacityMaximum
/** LinFsp's earlier name of FspFsctlIrpCapacityDefault. */
#define FSP_FSCTL_IRPCAPACITY_DEFAULT FspFsctlIrpCapacityDefault

/**
 * Volume parameters: given to FspFileSystemCreate(), which validates and
 * completes them (defaults for 0 values) and keeps its own copy in
 * FSP_FILE_SYSTEM::VolumeParams. They drive the engine and the kernel's caches.
 *
 * Each member says whether LinFsp uses it. "Accepted and ignored" members
 * exist for source compatibility with WinFsp file systems and have no effect.
 * The V1 members (after FileSystemName) are read only when Version is
 * sizeof(FSP_FSCTL_VOLUME_PARAMS); with Version 0 FspFileSystemCreate() clears them.
 */
typedef struct {
    UINT16 Version; /**< 0 (V0: the V1 members are cleared) or sizeof(FSP_FSCTL_VOLUME_PARAMS) (V1); anything else is STATUS_INVALID_PARAMETER */
    /* volume information */
    UINT16 SectorSize;               /**< bytes; a power of two >= 512 (0 becomes 512). st_blksize and statfs' f_bsize are SectorSize * SectorsPerAllocationUnit */
    UINT16 SectorsPerAllocationUnit; /**< sectors per block (0 becomes 1) */
    UINT16 MaxComponentLength;       /**< longest name component in characters (UTF-32 code points); 0 or more than 255 become 255. Longer names are ENAMETOOLONG; statfs' f_namelen */
    UINT64 VolumeCreationTime;       /**< accepted and ignored (FILETIME) */
    UINT32 VolumeSerialNumber;       /**< accepted and ignored */
    /* I/O timeouts, capacity, etc. */
    UINT32 TransactTimeout;          /**< DEPRECATED in WinFsp; ignored */
    UINT32 IrpTimeout;               /**< WinFsp's pending operation timeout (ms); 0 becomes FSP_FSCTL_IRPTIMEOUT_DEFAULT. Not enforced: a pending operation waits as long as the file system takes */
    UINT32 IrpCapacity;              /**< WinFsp's limit of pending operations; 0 becomes FSP_FSCTL_IRPCAPACITY_DEFAULT. Not enforced */
    UINT32 FileInfoTimeout;          /**< ms the kernel caches attributes (and names, unless DirInfoTimeoutValid). 0: nothing cached between requests. INFINITE: cached for a year, file data kept across opens (FOPEN_KEEP_CACHE unless FlushAndPurgeOnCleanup) and symlink targets cached. Unless the writeback cache is on, the kernel drops a file's cached data when fresh attributes show another size or mtime */
    /* file system attributes */
    UINT32 CaseSensitiveSearch : 1;  /**< names are case-sensitive. 0: the engine's name table folds case with FspUpcaseChar() (a fixed table, not the locale), so File and FILE are one node, and the kernel caches no failed lookups; FspFileSystemIsOperationCaseSensitive() reports it for Create and QueryDirectory */
    UINT32 CasePreservedNames : 1;   /**< accepted and ignored */
    UINT32 UnicodeOnDisk : 1;        /**< accepted and ignored */
    UINT32 PersistentAcls : 1;       /**< accepted and ignored: the engine asks for security descriptors whenever GetSecurity/GetSecurityByName exist */
    UINT32 ReparsePoints : 1;        /**< the volume holds reparse points: needed for symlink(2) and mknod(2) of FIFOs, sockets and devices (EPERM without it). Existing reparse points are reported either way */
    UINT32 ReparsePointsAccessCheck : 1; /**< accepted and ignored */
    UINT32 NamedStreams : 1;         /**< the files have named streams (with GetStreamInfo): Linux reaches them as Samba's xattrs user.DosStream.NAME:$DATA (doc/ntfs-compatibility.md) */
    UINT32 HardLinks : 1;            /**< LinFsp extension (WinFsp has the bit but leaves it unimplemented): link(2) calls CreateHardLink, and FSP_FSCTL_FILE_INFO::HardLinks is st_nlink. Without it link(2) is EPERM and the engine supplies st_nlink: 1 for a file, 0 once its last name is gone, 2 + the subdirectories it knows of for a directory (doc/native-api.md) */
    UINT32 ExtendedAttributes : 1;   /**< GetEa/SetEa serve Linux extended attributes (needs both members); without it getxattr(2) is EOPNOTSUPP and listxattr(2) empty */
    UINT32 ReadOnlyVolume : 1;       /**< mount read-only (MS_RDONLY); every change is EROFS in the engine before any callback */
    /* engine flags */
    UINT32 PostCleanupWhenModifiedOnly : 1; /**< skip Cleanup calls that carry no flags (every Cleanup except the one that deletes) */
    UINT32 PassQueryDirectoryPattern : 1;   /**< accepted and ignored: ReadDirectory's Pattern is always NULL */
    UINT32 AlwaysUseDoubleBuffering : 1;    /**< accepted and ignored */
    UINT32 PassQueryDirectoryFileName : 1;  /**< accepted and ignored: GetDirInfoByName is never called (lookups use Open) */
    UINT32 FlushAndPurgeOnCleanup : 1;      /**< with FileInfoTimeout INFINITE, do not keep a file's page cache across opens (no FOPEN_KEEP_CACHE) */
    UINT32 DeviceControl : 1;               /**< forward ioctl(2) requests to Control; without it ioctl(2) is ENOTTY */
    /* user-mode flags */
    UINT32 UmFileContextIsUserContext2 : 1; /**< accepted and ignored (FileContext is always the pointer Create/Open stored); may not be combined with UmFileContextIsFullContext */
    UINT32 UmFileContextIsFullContext : 1;  /**< FileContext is a pointer to an FSP_FSCTL_TRANSACT_FULL_CONTEXT the engine allocates per open; Create/Open fill its UserContext and UserContext2 through PFileContext */
    UINT32 UmNoReparsePointsDirCheck : 1;   /**< accepted and ignored */
    UINT32 UmReservedFlags : 5;             /**< reserved, 0 */
    /* additional engine flags */
    UINT32 AllowOpenInKernelMode : 1;           /**< accepted and ignored */
    UINT32 CasePreservedExtendedAttributes : 1; /**< EA names keep their case; 0: the engine passes them upper-cased, as WinFsp's driver does (with CaseSensitiveExtendedAttributes: accepted and ignored, names are passed as Linux gave them) */
    UINT32 WslFeatures : 1;                     /**< accepted and ignored */
    UINT32 DirectoryMarkerAsNextOffset : 1;     /**< accepted and ignored: Marker is always a file name */
    UINT32 RejectIrpPriorToTransact0 : 1;       /**< DEPRECATED in WinFsp; ignored */
    UINT32 SupportsPosixUnlinkRename : 1;       /**< accepted and ignored: deletion is always POSIX-style (the name goes at unlink(2), open handles keep the file) */
    UINT32 PostDispositionWhenNecessaryOnly : 1; /**< accepted and ignored */
    UINT32 KmReservedFlags : 1;                 /**< reserved, 0 */
    WCHAR Prefix[FSP_FSCTL_VOLUME_PREFIX_SIZE / sizeof(WCHAR)];         /**< WinFsp's UNC prefix (\\Server\\Share). On LinFsp the mount source shown in /proc/mounts (default: the subtype); commas, spaces and backslashes become '_'. NUL-terminated by FspFileSystemCreate() */
    WCHAR FileSystemName[FSP_FSCTL_VOLUME_FSNAME_SIZE / sizeof(WCHAR)]; /**< the mount's subtype: the file system type shows as fuse.NAME (default "linfsp"). NUL-terminated by FspFileSystemCreate() */
    /* V1 additions */
    UINT32 VolumeInfoTimeoutValid : 1;  /**< V1; accepted and ignored */
    UINT32 DirInfoTimeoutValid : 1;     /**< V1: DirInfoTimeout gives the name (entry) cache timeout instead of FileInfoTimeout */
    UINT32 SecurityTimeoutValid : 1;    /**< V1; accepted and ignored */
    UINT32 StreamInfoTimeoutValid : 1;  /**< V1; accepted and ignored */
    UINT32 EaTimeoutValid : 1;          /**< V1; accepted and ignored */
    UINT32 PassthroughBackingFiles : 1; /**< LinFsp extension (V1; takes a WinFsp reserved bit): kernel passthrough to backing files, see FspFileSystemSetOpenBackingFile(). Negotiated only when the kernel offers it (Linux 6.9+), the writeback cache is off and the process has CAP_SYS_ADMIN */
    UINT32 WritebackCache : 1;          /**< LinFsp extension (V1; takes a WinFsp reserved bit): with FileInfoTimeout INFINITE the kernel keeps written data in its page cache and calls Write later (FUSE_WRITEBACK_CACHE). The kernel then owns the size and times of regular files: use it only when every change goes through the mount. Write errors reach fsync(2)/close(2), not write(2) */
    UINT32 MountOptionsAsGiven : 1;     /**< LinFsp extension (V1; takes a WinFsp reserved bit): the mount gets only the options given with FspFileSystemSetMountOptions(), as libfuse mounts: no implied default_permissions, nor allow_other for root. Without it the engine adds both (see doc/mounting.md) */
    UINT32 SymlinkAttributesFromFileInfo : 1; /**< LinFsp extension (V1; takes a WinFsp reserved bit): a symlink is recognised by its reparse tag alone (IO_REPARSE_TAG_SYMLINK in FSP_FSCTL_FILE_INFO::ReparseTag) and its attributes come from its FSP_FSCTL_FILE_INFO and security alone (st_size is FileSize); its reparse data is read only for readlink(2). Without it the engine reads the reparse data to classify reparse points and st_size is the target's length */
    UINT32 FileMountPoint : 1;          /**< LinFsp extension (V1; takes a WinFsp reserved bit): a regular file (not only a directory) may be the mount point; the root is then a file, and the file system must report it as one (no FILE_ATTRIBUTE_DIRECTORY). Without it a file mount point is ENOTDIR */
    UINT32 NegativeEntryTimeoutValid : 1; /**< LinFsp extension (V1; takes a WinFsp reserved bit): a name found missing is cached (as a negative entry) for NegativeEntryTimeout ms instead of the entry timeout */
    UINT32 NanosecondTimes : 1;         /**< LinFsp extension (V1; takes a WinFsp reserved bit): the file system keeps exact POSIX times. Every FSP_FSCTL_FILE_INFO the engine passes to a callback is then the FileInfo of an FSP_FSCTL_OPEN_FILE_INFO whose Nsec the callback fills (FspFileSystemGetFileInfoNsec()), directory entries carry theirs in FSP_FSCTL_DIR_INFO::Nsec, and SetBasicInfo finds the nanoseconds of the times it sets in the request (FSP_FSCTL_TRANSACT_REQ::Req.SetInformation.Nsec). The kernel is told a time granularity of 1 ns instead of FILETIME's 100 ns */
    UINT32 EmptyEaValues : 1;           /**< LinFsp extension (V1; takes a WinFsp reserved bit): the file system stores EAs with empty values, as Linux xattrs allow. SetEa then receives an empty value as an entry with EaValueLength 0 and Flags FSP_FSCTL_EA_EMPTY_VALUE (without that flag EaValueLength 0 still deletes, as on WinFsp), and an EA GetEa lists with EaValueLength 0 exists (an empty xattr). Without it setting an empty xattr is EINVAL */
    UINT32 LinuxXattrNamespaces : 1;    /**< LinFsp extension (V1; takes a WinFsp reserved bit): only the xattr namespaces Linux file systems such as tmpfs know exist: names that do not start with "user.", "trusted." or "security." get EOPNOTSUPP from getxattr(2), setxattr(2) and removexattr(2) before any callback */
    UINT32 XattrsPassThrough : 1;       /**< LinFsp extension (V1; takes a WinFsp reserved bit): every Linux xattr name is one of the file system's EAs. Without it the engine serves some names itself, from the file's real data (doc/ntfs-compatibility.md): ntfs-3g's system.ntfs_*, Samba's user.DOSATTRIB, security.NTACL and user.DosStream.*, and POSIX ACLs from the security descriptor. For file systems whose EAs are another file system's xattrs (the passthrough example, the FUSE layer); system.posix_acl_* then fail with EOPNOTSUPP, as the kernel would not enforce them */
    UINT32 CaseSensitiveExtendedAttributes : 1; /**< LinFsp extension (V1; takes a WinFsp reserved bit): the file system keeps EA names case-sensitively, so the engine passes Linux xattr names unchanged. 0 (WinFsp's rule, EA names case-insensitive as on NTFS): the engine encodes the case of each name so that user.Color and user.color stay two attributes (doc/native-api.md) */
    UINT32 AccessTimesByFileSystem : 1; /**< LinFsp extension (V1; takes a WinFsp reserved bit): the file system keeps access times itself, or not at all, as FUSE programs do (the FUSE layer sets it). The engine then owes it no access time after reads: without it, the first READ or READDIR through a handle applies Linux's relatime rule through the native API (GetFileInfo, then Cleanup with FspCleanupSetLastAccessTime when the access time is not after the modification or change time, or a day old), which is two more calls per opened file or listing (doc/native-api.md) */
    UINT32 KmAdditionalReservedFlags : 15; /**< reserved, 0 */
    UINT32 VolumeInfoTimeout;        /**< V1; accepted and ignored */
    UINT32 DirInfoTimeout;           /**< V1: name (entry) cache timeout in ms when DirInfoTimeoutValid; also how long a failed lookup is cached as a negative entry */
    UINT32 SecurityTimeout;          /**< V1; accepted and ignored */
    UINT32 StreamInfoTimeout;        /**< V1; accepted and ignored */
    UINT32 EaTimeout;                /**< V1; accepted and ignored */
    UINT32 FsextControlCode;         /**< V1; accepted and ignored (no kernel-mode extensions) */
    UINT32 NegativeEntryTimeout;     /**< LinFsp extension (V1; takes WinFsp's Reserved32[0]): with NegativeEntryTimeoutValid, ms a failed lookup is cached; 0: not cached */
    UINT64 Reserved64[2];            /**< reserved, 0 */
} FSP_FSCTL_VOLUME_PARAMS;

/**
 * WinFsp's field lists of FSP_FSCTL_VOLUME_PARAMS, for code that declares its own structures
 * with them: the version 0 fields (up to FileSystemName) and the version 1 additions. They are
 * the members above, documented there (tests/unit/test-port.c checks that they agree).
 */
#define FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN                                                     \
    UINT16 Version;                                                                            \
    UINT16 SectorSize;                                                                         \
    UINT16 SectorsPerAllocationUnit;                                                           \
    UINT16 MaxComponentLength;                                                                 \
    UINT64 VolumeCreationTime;                                                                 \
    UINT32 VolumeSerialNumber;                                                                 \
    UINT32 TransactTimeout;                                                                    \
    UINT32 IrpTimeout;                                                                         \
    UINT32 IrpCapacity;                                                                        \
    UINT32 FileInfoTimeout;                                                                    \
    UINT32 CaseSensitiveSearch : 1;                                                            \
    UINT32 CasePreservedNames : 1;                                                             \
    UINT32 UnicodeOnDisk : 1;                                                                  \
    UINT32 PersistentAcls : 1;                                                                 \
    UINT32 ReparsePoints : 1;                                                                  \
    UINT32 ReparsePointsAccessCheck : 1;                                                       \
    UINT32 NamedStreams : 1;                                                                   \
    UINT32 HardLinks : 1;                                                                      \
    UINT32 ExtendedAttributes : 1;                                                             \
    UINT32 ReadOnlyVolume : 1;                                                                 \
    UINT32 PostCleanupWhenModifiedOnly : 1;                                                    \
    UINT32 PassQueryDirectoryPattern : 1;                                                      \
    UINT32 AlwaysUseDoubleBuffering : 1;                                                       \
    UINT32 PassQueryDirectoryFileName : 1;                                                     \
    UINT32 FlushAndPurgeOnCleanup : 1;                                                         \
    UINT32 DeviceControl : 1;                                                                  \
    UINT32 UmFileContextIsUserContext2 : 1;                                                    \
    UINT32 UmFileContextIsFullContext : 1;                                                     \
    UINT32 UmNoReparsePointsDirCheck : 1;                                                      \
    UINT32 UmReservedFlags : 5;                                                                \
    UINT32 AllowOpenInKernelMode : 1;                                                          \
    UINT32 CasePreservedExtendedAttributes : 1;                                                \
    UINT32 WslFeatures : 1;                                                                    \
    UINT32 DirectoryMarkerAsNextOffset : 1;                                                    \
    UINT32 RejectIrpPriorToTransact0 : 1;                                                      \
    UINT32 SupportsPosixUnlinkRename : 1;                                                      \
    UINT32 PostDispositionWhenNecessaryOnly : 1;                                               \
    UINT32 KmReservedFlags : 1;                                                                \
    WCHAR Prefix[FSP_FSCTL_VOLUME_PREFIX_SIZE / sizeof(WCHAR)];                                \
    WCHAR FileSystemName[FSP_FSCTL_VOLUME_FSNAME_SIZE / sizeof(WCHAR)];
/** The version 1 additions (see FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN). */
#define FSP_FSCTL_VOLUME_PARAMS_V1_FIELD_DEFN                                                     \
    UINT32 VolumeInfoTimeoutValid : 1;                                                         \
    UINT32 DirInfoTimeoutValid : 1;                                                            \
    UINT32 SecurityTimeoutValid : 1;                                                           \
    UINT32 StreamInfoTimeoutValid : 1;                                                         \
    UINT32 EaTimeoutValid : 1;                                                                 \
    UINT32 PassthroughBackingFiles : 1;                                                        \
    UINT32 WritebackCache : 1;                                                                 \
    UINT32 MountOptionsAsGiven : 1;                                                            \
    UINT32 SymlinkAttributesFromFileInfo : 1;                                                  \
    UINT32 FileMountPoint : 1;                                                                 \
    UINT32 NegativeEntryTimeoutValid : 1;                                                      \
    UINT32 NanosecondTimes : 1;                                                                \
    UINT32 EmptyEaValues : 1;                                                                  \
    UINT32 LinuxXattrNamespaces : 1;                                                           \
    UINT32 XattrsPassThrough : 1;                                                              \
    UINT32 CaseSensitiveExtendedAttributes : 1;                                                \
    UINT32 AccessTimesByFileSystem : 1;                                                        \
    UINT32 KmAdditionalReservedFlags : 15;                                                     \
    UINT32 VolumeInfoTimeout;                                                                  \
    UINT32 DirInfoTimeout;                                                                     \
    UINT32 SecurityTimeout;                                                                    \
    UINT32 StreamInfoTimeout;                                                                  \
    UINT32 EaTimeout;                                                                          \
    UINT32 FsextControlCode;                                                                   \
    UINT32 NegativeEntryTimeout;                                                               \
    UINT64 Reserved64[2];

/** Volume parameters of version 0 (Version 0: FspFileSystemCreate() reads no V1 fields). */
typedef struct {
    FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN
} FSP_FSCTL_VOLUME_PARAMS_V0;

/**
 * Volume information, filled by GetVolumeInfo for statfs(2). Blocks are
 * SectorSize * SectorsPerAllocationUnit bytes; the native API has no file
 * counts, so statfs reports one file per block.
 */
typedef struct {
    UINT64 TotalSize;         /**< bytes of the volume (f_blocks = TotalSize / block size) */
    UINT64 FreeSize;          /**< free bytes (f_bfree = f_bavail); more than TotalSize is clamped to it */
    UINT16 VolumeLabelLength; /**< bytes of VolumeLabel (4 per character); not visible on Linux */
    WCHAR VolumeLabel[32];    /**< the label, not NUL-terminated; not visible on Linux (statfs(2) has no label) */
} FSP_FSCTL_VOLUME_INFO;

/**
 * File information: what the engine turns into a file's POSIX attributes
 * (together with its security descriptor, see GetSecurity). Every callback
 * that opens, creates or changes a file returns it fresh; the engine answers
 * the kernel from it and the kernel caches it for FileInfoTimeout. The engine
 * rejects a FileSize or AllocationSize above INT64_MAX with EIO.
 */
typedef struct {
    UINT32 FileAttributes; /**< FILE_ATTRIBUTE_*: DIRECTORY gives S_IFDIR; REPARSE_POINT with ReparseTag IO_REPARSE_TAG_SYMLINK gives S_IFLNK, with IO_REPARSE_TAG_NFS a FIFO, socket or device (the engine reads the reparse data to tell); anything else is S_IFREG */
    UINT32 ReparseTag;     /**< the reparse tag when FILE_ATTRIBUTE_REPARSE_POINT is set */
    UINT64 AllocationSize; /**< bytes allocated: st_blocks = AllocationSize / 512, rounded up */
    UINT64 FileSize;       /**< bytes: st_size (for a symlink the engine reports the target's length instead) */
    UINT64 CreationTime;   /**< FILETIME; not visible on Linux */
    UINT64 LastAccessTime; /**< FILETIME: st_atime */
    UINT64 LastWriteTime;  /**< FILETIME: st_mtime */
    UINT64 ChangeTime;     /**< FILETIME: st_ctime (0: LastWriteTime is used) */
    UINT64 IndexNumber;    /**< st_ino when not 0 (else the kernel's node id). For a non-directory with more than one link it also tells the engine that its names are one file (one kernel inode) */
    UINT32 HardLinks;      /**< LinFsp: st_nlink when VolumeParams.HardLinks is set (0 for a file unlinked while open); WinFsp leaves it 0. Without HardLinks a non-zero value is used and 0 lets the engine count (1 for a file, 2 + known subdirectories for a directory, 0 once the name is gone) */
    UINT32 EaSize;         /**< bytes of the file's EAs (WinFsp); not used by the engine */
} FSP_FSCTL_FILE_INFO;

/**
 * LinFsp extension (VolumeParams.NanosecondTimes): the nanoseconds of a
 * file's times below FILETIME's 100 ns ticks. FILETIME counts 100 ns units,
 * POSIX times count nanoseconds: the exact time of FSP_FSCTL_FILE_INFO's
 * LastWriteTime is LastWriteTime * 100 ns + Nsec.LastWriteTime ns (since
 * 1601). For a struct timespec ts that is FspPosixUnixTimeToFileTime() of ts
 * and ts.tv_nsec % 100 (FILETIME's ticks fall on whole seconds of the Unix
 * epoch). Each member is 0..99; the engine treats larger values as 99.
 */
typedef struct {
    UINT8 CreationTime;   /**< nanoseconds of CreationTime below 100 ns (not visible on Linux) */
    UINT8 LastAccessTime; /**< nanoseconds of LastAccessTime below 100 ns: st_atim */
    UINT8 LastWriteTime;  /**< nanoseconds of LastWriteTime below 100 ns: st_mtim */
    UINT8 ChangeTime;     /**< nanoseconds of ChangeTime below 100 ns: st_ctim */
} FSP_FSCTL_FILE_NSEC;

/**
 * What Create, CreateEx and Open receive behind their FileInfo pointer:
 * FileInfo plus an optional normalized name (FspFileSystemGetOpenFileInfo()).
 * The engine passes NormalizedName NULL and NormalizedNameSize 0 and does not
 * read them back: names are the ones Linux used. With the LinFsp extension
 * VolumeParams.NanosecondTimes every callback that returns an
 * FSP_FSCTL_FILE_INFO receives one that lies in such a record, so that it can
 * return Nsec too (FspFileSystemGetFileInfoNsec()).
 */
typedef struct {
    FSP_FSCTL_FILE_INFO FileInfo; /**< the file's information, filled by the callback */
    PWSTR NormalizedName;         /**< WinFsp: where a case-insensitive file system may copy the name's stored case; NULL on LinFsp */
    UINT16 NormalizedNameSize;    /**< bytes available at NormalizedName (0 on LinFsp) / used */
    FSP_FSCTL_FILE_NSEC Nsec;     /**< LinFsp extension (in WinFsp's padding; the record keeps its size): with VolumeParams.NanosecondTimes, the nanoseconds of FileInfo's times below 100 ns; 0 on entry, read by the engine after the call */
} FSP_FSCTL_OPEN_FILE_INFO;

/**
 * A directory entry: what ReadDirectory places in its buffer (with
 * FspFileSystemAddDirInfo()) and GetDirInfoByName would return. The name
 * follows the record, without a NUL; records are 8-byte aligned. The engine
 * checks every record against the bytes returned (a malformed one is EIO),
 * drops "." and ".." (it makes its own) and skips names Linux cannot hold
 * (embedded NUL, unpaired surrogates, more than 255 bytes in UTF-8).
 */
typedef struct {
    UINT16 Size;                  /**< bytes of the record including the name (no NUL): sizeof(FSP_FSCTL_DIR_INFO) + 4 * characters */
    FSP_FSCTL_FILE_INFO FileInfo; /**< the entry's information: d_type and d_ino (IndexNumber, or a hash of the name when 0); for readdirplus also its attributes */
    /** WinFsp's directory offset (DirectoryMarkerAsNextOffset, ignored by LinFsp) and the LinFsp extension Nsec, in WinFsp's padding. */
    union {
        /** The members that use the padding. */
        struct {
            UINT64 NextOffset;        /**< the entry's offset for the next query; ignored */
            FSP_FSCTL_FILE_NSEC Nsec; /**< LinFsp extension: with VolumeParams.NanosecondTimes, the nanoseconds of FileInfo's times below 100 ns (readdirplus shows them); 0 otherwise */
            UINT32 EntryFlags;        /**< LinFsp extension: FSP_FSCTL_DIR_INFO_NAME_ONLY, or 0 (WinFsp's padding: 0 in records made before it existed) */
        };
        UINT8 Padding[24];  /**< reserved, 0 */
    };
    WCHAR FileNameBuf[];    /**< the name (one component), not NUL-terminated */
} FSP_FSCTL_DIR_INFO;

/**
 * FSP_FSCTL_DIR_INFO::EntryFlags (LinFsp extension): a READDIRPLUS reply gives the entry
 * without attributes (nodeid 0), as libfuse does for entries its program's filler gave
 * without an offset or without FUSE_FILL_DIR_PLUS: the kernel enters nothing for it and looks
 * it up when a caller needs its attributes. FileInfo still gives d_type and d_ino. Without
 * it (0, as on WinFsp) the engine gives every READDIRPLUS entry its attributes.
 */
#define FSP_FSCTL_DIR_INFO_NAME_ONLY 0x00000001

/**
 * A named stream entry for GetStreamInfo (FspFileSystemAddStreamInfo()): the
 * name is ":NAME:$DATA", or "::$DATA" for the main stream. GetStreamInfo is
 * never called on LinFsp (named streams are not reachable from Linux).
 */
typedef struct {
    UINT16 Size;                 /**< bytes of the record including the name (no NUL) */
    UINT64 StreamSize;           /**< bytes of the stream's data */
    UINT64 StreamAllocationSize; /**< bytes allocated to it */
    WCHAR StreamNameBuf[];       /**< the name, not NUL-terminated */
} FSP_FSCTL_STREAM_INFO;

/**
 * A change notification for FspFileSystemNotify() (built with
 * FspFileSystemAddNotifyInfo()). The name is a full path from the root
 * ("\dir\file"), without a NUL. LinFsp ignores Filter and Action: every record
 * makes the kernel drop the name and the file's attributes and data.
 */
typedef struct {
    UINT16 Size;        /**< bytes of the record including the name (no NUL) */
    UINT32 Filter;      /**< FILE_NOTIFY_CHANGE_* (ignored by LinFsp) */
    UINT32 Action;      /**< FILE_ACTION_* (ignored by LinFsp) */
    WCHAR FileNameBuf[]; /**< the full path, not NUL-terminated */
} FSP_FSCTL_NOTIFY_INFO;

/**
 * LinFsp extension: a flag of FILE_FULL_EA_INFORMATION::Flags that SetEa
 * receives, with VolumeParams.EmptyEaValues, on an entry with EaValueLength
 * 0 that sets an empty value (setxattr(2) with size 0) instead of deleting
 * the EA. It is not part of the value's flags: store the EA without it.
 */
#define FSP_FSCTL_EA_EMPTY_VALUE 0x01

/** Notification filter: a file name changed. */
#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001
/** Notification filter: a directory name changed. */
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002
/** Notification filter: attributes changed. */
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004
/** Notification filter: the size changed. */
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008
/** Notification filter: the last write time changed. */
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010
/** Notification filter: the last access time changed. */
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020
/** Notification filter: the creation time changed. */
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040
/** Notification filter: extended attributes changed. */
#define FILE_NOTIFY_CHANGE_EA 0x00000080
/** Notification filter: the security descriptor changed. */
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100
/** Notification filter: a stream name changed. */
#define FILE_NOTIFY_CHANGE_STREAM_NAME 0x00000200
/** Notification filter: a stream's size changed. */
#define FILE_NOTIFY_CHANGE_STREAM_SIZE 0x00000400
/** Notification filter: a stream was written. */
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800
/** Notification action: the name was added. */
#define FILE_ACTION_ADDED 0x00000001
/** Notification action: the name was removed. */
#define FILE_ACTION_REMOVED 0x00000002
/** Notification action: the file was modified. */
#define FILE_ACTION_MODIFIED 0x00000003
/** Notification action: the old name of a rename. */
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004
/** Notification action: the new name of a rename. */
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005
/** Notification action: a stream was added. */
#define FILE_ACTION_ADDED_STREAM 0x00000006
/** Notification action: a stream was removed. */
#define FILE_ACTION_REMOVED_STREAM 0x00000007
/** Notification action: a stream was modified. */
#define FILE_ACTION_MODIFIED_STREAM 0x00000008

/**
 * LinFsp extension: how the kernel treats one open, chosen with
 * FspFileSystemSetOpenFlags() during Create/Open (the values of the FUSE
 * protocol's FOPEN_* flags). Without a choice the engine gives files
 * FSP_FSCTL_OPEN_KEEP_CACHE when FileInfoTimeout is INFINITE and nothing else.
 */
#define FSP_FSCTL_OPEN_DIRECT_IO 0x01   /**< bypass the page cache for this open: each read(2)/write(2) is one Read/Write, of the caller's size and offset */
#define FSP_FSCTL_OPEN_KEEP_CACHE 0x02  /**< keep the file's cached pages (not dropped at this open) */
#define FSP_FSCTL_OPEN_NONSEEKABLE 0x04 /**< the open is not seekable (lseek(2) fails with ESPIPE; pread/pwrite with ESPIPE) */
#define FSP_FSCTL_OPEN_CACHE_DIR 0x08   /**< a directory open: the kernel may cache its listing across opendir(3) */
#define FSP_FSCTL_OPEN_NOFLUSH 0x20     /**< close(2) of this open's descriptors does not call FlushDescriptor */
#define FSP_FSCTL_OPEN_PARALLEL_DIRECT_WRITES 0x40 /**< with FSP_FSCTL_OPEN_DIRECT_IO: writes of this open may run in parallel (the kernel does not serialise them per file) */
#define FSP_FSCTL_OPEN_FLAGS_VALID 0x6f /**< every FSP_FSCTL_OPEN_* flag; FspFileSystemSetOpenFlags() rejects others */

/**
 * LinFsp extension: a POSIX record lock (fcntl(2) F_GETLK/F_SETLK/F_SETLKW,
 * F_OFD_*), as PosixLock gets and answers it.
 */
typedef struct {
    UINT32 Type;  /**< F_RDLCK, F_WRLCK or F_UNLCK (<fcntl.h>) */
    UINT32 Pid;   /**< the owning process (its tgid); for F_GETLK the holder's, answered by the file system (0 when unknown) */
    UINT64 Start; /**< first byte of the range */
    UINT64 End;   /**< last byte of the range (inclusive); INT64_MAX (the kernel's OFFSET_MAX) means "to the end of the file" */
} FSP_FSCTL_POSIX_LOCK;

/** LinFsp extension: SetPosixSecurity sets the mode (chmod(2)). */
#define FSP_FSCTL_POSIX_SET_MODE 0x01
/** LinFsp extension: SetPosixSecurity sets the owner (chown(2)). */
#define FSP_FSCTL_POSIX_SET_UID 0x02
/** LinFsp extension: SetPosixSecurity sets the group (chown(2), chgrp(1)). */
#define FSP_FSCTL_POSIX_SET_GID 0x04

/**
 * Both contexts of an open file, with VolumeParams.UmFileContextIsFullContext:
 * the engine allocates one per open, passes its address as PFileContext to
 * Create/CreateEx/Open (which fill it) and as FileContext to every later call,
 * and frees it after Close (or when the create or open fails).
 */
typedef struct {
    UINT64 UserContext;  /**< the file system's first context value */
    UINT64 UserContext2; /**< the file system's second context value */
} FSP_FSCTL_TRANSACT_FULL_CONTEXT;

/** WinFsp's offset/size pair into a transact request's buffer; unused on LinFsp (FSP_FSCTL_TRANSACT_REQ::FileName is a pointer). */
typedef struct {
    UINT16 Offset; /**< bytes from the start of the request */
    UINT16 Size;   /**< bytes */
} FSP_FSCTL_TRANSACT_BUF;

/**
 * The kind of a transact request (FSP_FSCTL_TRANSACT_REQ::Kind): which
 * interface call the engine is making. The operation guard (FINE strategy)
 * decides by kind whether a call is exclusive, shared or unguarded.
 */
enum {
    FspFsctlTransactReservedKind = 0,       /**< not used */
    FspFsctlTransactCreateKind,             /**< Create, CreateEx (disposition FILE_CREATE: exclusive guard) and Open (FILE_OPEN: shared) */
    FspFsctlTransactOverwriteKind,          /**< Overwrite, OverwriteEx, or SetFileSize(0) for open(O_TRUNC) (exclusive) */
    FspFsctlTransactCleanupKind,            /**< Cleanup (exclusive with FspCleanupDelete, else unguarded) */
    FspFsctlTransactCloseKind,              /**< Close (unguarded) */
    FspFsctlTransactReadKind,               /**< Read (unguarded) */
    FspFsctlTransactWriteKind,              /**< Write (unguarded) */
    FspFsctlTransactQueryInformationKind,   /**< GetFileInfo, the LinFsp extensions Access and Poll (unguarded) */
    FspFsctlTransactSetInformationKind,     /**< SetBasicInfo, SetFileSize (unguarded), SetDelete/CanDelete (shared), Rename and CreateHardLink (exclusive) */
    FspFsctlTransactQueryEaKind,            /**< GetEa (unguarded) */
    FspFsctlTransactSetEaKind,              /**< SetEa (unguarded) */
    FspFsctlTransactFlushBuffersKind,       /**< Flush: of a file unguarded, of the volume (FileContext NULL) exclusive; the LinFsp extension FlushDescriptor (unguarded) */
    FspFsctlTransactQueryVolumeInformationKind, /**< GetVolumeInfo (shared) */
    FspFsctlTransactSetVolumeInformationKind,   /**< SetVolumeLabel (exclusive): ioctl(2) FS_IOC_SETFSLABEL */
    FspFsctlTransactQueryDirectoryKind,     /**< ReadDirectory (shared) */
    FspFsctlTransactFileSystemControlKind,  /**< GetReparsePoint, SetReparsePoint (unguarded) */
    FspFsctlTransactDeviceControlKind,      /**< Control, the LinFsp extension Ioctl (unguarded) */
    FspFsctlTransactShutdownKind,           /**< never occurs on LinFsp */
    FspFsctlTransactLockControlKind,        /**< LinFsp extensions PosixLock and Flock (unguarded) */
    FspFsctlTransactQuerySecurityKind,      /**< GetSecurity, GetSecurityByName (unguarded) */
    FspFsctlTransactSetSecurityKind,        /**< SetSecurity, the LinFsp extension SetPosixSecurity (unguarded) */
    FspFsctlTransactQueryStreamInformationKind, /**< GetStreamInfo (never called on LinFsp) */
    FspFsctlTransactKindCount,              /**< number of kinds */
};

/**
 * A request as the engine describes it to the file system: the record behind
 * FspFileSystemGetOperationContext()->Request during every interface call.
 *
 * It is not a wire format on LinFsp. The engine fills Kind, Hint, the caller
 * and the members of the kind's Req entry listed below before each call; the
 * other members are 0. FileName and the buffer addresses point to memory the
 * engine owns for the duration of the call, or, for a Read, Write or
 * ReadDirectory answered with STATUS_PENDING, until it is completed with
 * FspFileSystemSendResponse(). The record itself is valid only during the
 * call: copy Hint (and whatever else is needed) before returning
 * STATUS_PENDING. FSP_FSCTL_TRANSACT_BUF members (offsets into WinFsp's
 * marshalled request) are always 0: the engine passes that data as the
 * call's arguments.
 */
typedef struct {
    UINT16 Version; /**< used by the operation guard while the call runs (the guard taken); do not change */
    UINT16 Size;    /**< sizeof(FSP_FSCTL_TRANSACT_REQ) */
    UINT32 Kind;    /**< FspFsctlTransact*Kind: which call this is */
    UINT64 Hint;    /**< identifies the operation (the FUSE request's unique id); copy it into the response of a pending operation */
    /** The per-kind parameters. */
    union {
        /** FspFsctlTransactCreateKind (Create, CreateEx, Open). */
        struct {
            UINT32 CreateOptions;  /**< disposition << 24 | options: FILE_OPEN << 24 | FILE_OPEN_REPARSE_POINT for Open, FILE_CREATE << 24 | FILE_DIRECTORY_FILE or FILE_NON_DIRECTORY_FILE for Create */
            UINT32 FileAttributes; /**< the new file's attributes (Create) */
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor; /**< always 0 (Create gets it as an argument) */
            UINT64 AllocationSize; /**< always 0 */
            UINT64 AccessToken;    /**< CallerPid << 32 (WinFsp: process id << 32 | token handle); FSP_FSCTL_TRANSACT_REQ_TOKEN_PID() gives the pid */
            UINT32 DesiredAccess;  /**< the access asked for (same as GrantedAccess) */
            UINT32 GrantedAccess;  /**< the access asked for; the engine makes no access check */
            UINT32 ShareAccess;    /**< always 0 (no share modes) */
            FSP_FSCTL_TRANSACT_BUF Ea; /**< always 0 (CreateEx gets the EAs as an argument) */
            UINT32 UserMode : 1;   /**< always 1 */
            UINT32 HasTraversePrivilege : 1; /**< always 0 */
            UINT32 HasBackupPrivilege : 1;   /**< always 0 */
            UINT32 HasRestorePrivilege : 1;  /**< always 0 */
            UINT32 OpenTargetDirectory : 1;  /**< always 0 */
            UINT32 CaseSensitive : 1;        /**< VolumeParams.CaseSensitiveSearch */
            UINT32 HasTrailingBackslash : 1; /**< always 0 */
            UINT32 AcceptsSecurityDescriptor : 1; /**< always 0 */
            UINT32 EaIsReparsePoint : 1;     /**< always 0 (symlinks and special files are made by SetReparsePoint) */
            UINT32 PosixOpen : 1;            /**< LinFsp extension: 1 when this Create/Open is an open(2), creat(2) or opendir(3) of a process (not a call the engine makes for itself); PosixFlags holds its flags */
            UINT32 ReservedFlags : 22;       /**< 0 */
            UINT16 NamedStream; /**< offset of ':' in the file name, 0 if none; always 0 on LinFsp */
            UINT32 PosixFlags;  /**< LinFsp extension: with PosixOpen, the open(2) flags the kernel sent (O_ACCMODE, O_APPEND, O_NONBLOCK, O_DIRECT, O_SYNC, O_NOATIME, O_TRUNC, O_CREAT, O_EXCL, ...); 0 otherwise */
        } Create;
        /** FspFsctlTransactOverwriteKind (Overwrite, OverwriteEx). */
        struct {
            UINT64 UserContext;    /**< not filled (0) */
            UINT64 UserContext2;   /**< not filled (0) */
            UINT32 FileAttributes; /**< always 0 */
            UINT64 AllocationSize; /**< always 0 */
            UINT32 Supersede : 1;  /**< always 0 */
            FSP_FSCTL_TRANSACT_BUF Ea; /**< always 0 (OverwriteEx gets the EAs as an argument) */
        } Overwrite;
        /** FspFsctlTransactCleanupKind (Cleanup). */
        struct {
            UINT64 UserContext;            /**< not filled (0) */
            UINT64 UserContext2;           /**< not filled (0) */
            UINT32 Delete : 1;             /**< 1 when Cleanup deletes the file (FspCleanupDelete) */
            UINT32 SetAllocationSize : 1;  /**< 1 with FspCleanupSetAllocationSize (the engine's Cleanup flags: doc/design.md) */
            UINT32 SetArchiveBit : 1;      /**< 1 with FspCleanupSetArchiveBit */
            UINT32 SetLastAccessTime : 1;  /**< 1 with FspCleanupSetLastAccessTime */
            UINT32 SetLastWriteTime : 1;   /**< 1 with FspCleanupSetLastWriteTime */
            UINT32 SetChangeTime : 1;      /**< 1 with FspCleanupSetChangeTime */
        } Cleanup;
        /** FspFsctlTransactCloseKind (Close). */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< not filled (0) */
        } Close;
        /** FspFsctlTransactReadKind (Read). */
        struct {
            UINT64 UserContext;  /**< the FileContext passed to Read */
            UINT64 UserContext2; /**< 0 */
            UINT64 Address;      /**< the buffer passed to Read: where a pending read places its data */
            UINT64 Offset;       /**< the file offset */
            UINT32 Length;       /**< bytes asked for */
            UINT32 Key;          /**< 0 */
        } Read;
        /** FspFsctlTransactWriteKind (Write). */
        struct {
            UINT64 UserContext;  /**< the FileContext passed to Write */
            UINT64 UserContext2; /**< 0 */
            UINT64 Address;      /**< the buffer passed to Write (the kernel's data, in place) */
            UINT64 Offset;       /**< the file offset */
            UINT32 Length;       /**< bytes to write */
            UINT32 Key;          /**< 0 */
            UINT32 ConstrainedIo : 1; /**< always 0 */
        } Write;
        /** FspFsctlTransactQueryInformationKind (GetFileInfo): nothing is filled. */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< not filled (0) */
        } QueryInformation;
        /** FspFsctlTransactSetInformationKind. */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< not filled (0) */
            UINT32 FileInformationClass; /**< FileBasicInformation, FileEndOfFileInformation, FileAllocationInformation, FileDispositionInformation, FileRenameInformation (also for RenameExchange), or 11 (FileLinkInformation) for CreateHardLink */
            /** WinFsp's parameters per class: LinFsp fills Rename.AccessToken (CallerPid << 32); the rest is 0 (the call's arguments carry the values). */
            union {
                struct {
                    UINT64 AllocationSize;
                } Allocation;
                struct {
                    UINT32 FileAttributes;
                    UINT64 CreationTime;
                    UINT64 LastAccessTime;
                    UINT64 LastWriteTime;
                    UINT64 ChangeTime;
                } Basic;
                struct {
                    UINT32 Delete : 1;
                } Disposition;
                struct {
                    UINT32 Flags;
                } DispositionEx;
                struct {
                    UINT64 FileSize;
                } EndOfFile;
                struct {
                    FSP_FSCTL_TRANSACT_BUF NewFileName;
                    UINT64 AccessToken;
                } Rename;
                struct {
                    FSP_FSCTL_TRANSACT_BUF NewFileName;
                    UINT64 AccessToken;
                    UINT32 Flags;
                } RenameEx;
            } Info;
            FSP_FSCTL_FILE_NSEC Nsec;    /**< LinFsp extension: for SetBasicInfo with VolumeParams.NanosecondTimes, the nanoseconds below 100 ns of the times it sets (0 for the times it leaves) */
        } SetInformation;
        /** FspFsctlTransactQueryEaKind (GetEa). */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< 0 */
            const char *Name;    /**< LinFsp extension: the one xattr name the engine looks for (getxattr(2), the XATTR_CREATE / XATTR_REPLACE checks, security.capability before a write), NUL-terminated and named as SetEa would get it (the Linux name, with its case encoded unless VolumeParams.CaseSensitiveExtendedAttributes); NULL for listxattr(2). GetEa may list all EAs as on WinFsp (the engine picks the name), only this one, or fail with the error the name deserves (e.g. STATUS_NOT_SUPPORTED for a namespace the file system does not have) */
        } QueryEa;
        /** FspFsctlTransactSetEaKind (SetEa). */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< 0 */
            FSP_FSCTL_TRANSACT_BUF Ea; /**< always 0 (SetEa gets the EAs as an argument) */
        } SetEa;
        /** FspFsctlTransactFlushBuffersKind (Flush). */
        struct {
            UINT64 UserContext;  /**< the FileContext passed to Flush (0 for the volume) */
            UINT64 UserContext2; /**< 0 */
        } FlushBuffers;
        /** FspFsctlTransactSetVolumeInformationKind (SetVolumeLabel, for FS_IOC_SETFSLABEL). */
        struct {
            UINT32 FsInformationClass; /**< FileFsLabelInformation (2) */
            /** WinFsp's new label: always 0 on LinFsp (SetVolumeLabel gets the label as an argument). */
            union {
                struct {
                    FSP_FSCTL_TRANSACT_BUF VolumeLabel;
                } Label;
            } Info;
        } SetVolumeInformation;
        /** FspFsctlTransactQueryDirectoryKind (ReadDirectory). */
        struct {
            UINT64 UserContext;  /**< the FileContext passed to ReadDirectory */
            UINT64 UserContext2; /**< 0 */
            UINT64 Address;      /**< the buffer passed to ReadDirectory: where a pending call places its entries */
            UINT32 Length;       /**< bytes of that buffer */
            FSP_FSCTL_TRANSACT_BUF Pattern; /**< always 0 (ReadDirectory's Pattern argument is NULL) */
            FSP_FSCTL_TRANSACT_BUF Marker;  /**< always 0 (the Marker is ReadDirectory's argument) */
            UINT32 CaseSensitive : 1;     /**< VolumeParams.CaseSensitiveSearch */
            UINT32 PatternIsFileName : 1; /**< always 0 */
        } QueryDirectory;
        /** FspFsctlTransactFileSystemControlKind (GetReparsePoint, SetReparsePoint). */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< not filled (0) */
            UINT32 FsControlCode; /**< FSCTL_GET_REPARSE_POINT or FSCTL_SET_REPARSE_POINT */
            FSP_FSCTL_TRANSACT_BUF Buffer; /**< always 0 (the reparse data is an argument) */
            UINT16 TargetOnFileSystem;     /**< always 0 */
        } FileSystemControl;
        /** FspFsctlTransactDeviceControlKind (Control). */
        struct {
            UINT64 UserContext;   /**< the FileContext passed to Control */
            UINT64 UserContext2;  /**< 0 */
            UINT32 IoControlCode; /**< the ioctl(2) request number */
            FSP_FSCTL_TRANSACT_BUF Buffer; /**< always 0 (the input is an argument) */
            UINT32 OutputLength;  /**< bytes of the output buffer */
        } DeviceControl;
        /** FspFsctlTransactSetSecurityKind (SetSecurity). */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< not filled (0) */
        } QuerySecurity;
        /** FspFsctlTransactSetSecurityKind (SetSecurity). */
        struct {
            UINT64 UserContext;  /**< not filled (0) */
            UINT64 UserContext2; /**< not filled (0) */
            UINT32 SecurityInformation; /**< OWNER|GROUP|DACL_SECURITY_INFORMATION */
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor; /**< always 0 (the descriptor is an argument) */
        } SetSecurity;
        /** FspFsctlTransactLockControlKind (LinFsp: PosixLock, Flock). */
        struct {
            UINT64 UserContext;  /**< the FileContext passed to PosixLock or Flock */
            UINT64 UserContext2; /**< 0 */
            UINT32 LockFunction; /**< LinFsp: F_GETLK, F_SETLK or F_SETLKW for PosixLock; 0 for Flock */
            UINT64 Offset;       /**< first byte of the range (0 for Flock) */
            UINT64 Length;       /**< bytes of the range; 0 for "to the end of the file" */
            UINT32 Key;          /**< 0 */
            UINT32 ProcessId;    /**< the process the lock is for (0 when the kernel gives none) */
            UINT32 Exclusive : 1;       /**< a write (exclusive) lock */
            UINT32 FailImmediately : 1; /**< 0 only for F_SETLKW and a blocking flock(2) */
        } LockControl;
        /** FspFsctlTransactQueryStreamInformationKind (GetStreamInfo: never called on LinFsp). */
        struct {
            UINT64 UserContext;  /**< 0 */
            UINT64 UserContext2; /**< 0 */
        } QueryStreamInformation;
    } Req;
    PWSTR FileName; /**< LinFsp: the name the call concerns ("\dir\file"), or NULL when it has none (Read, Write, GetFileInfo, Close, ...); instead of WinFsp's offset into the request */
    UINT32 CallerUid; /**< LinFsp: the calling process's fsuid */
    UINT32 CallerGid; /**< LinFsp: the calling process's fsgid */
    UINT32 CallerPid; /**< LinFsp: the caller's pid as the kernel reports it (its thread id; FspFileSystemOperationProcessId() returns it); 0 for requests the kernel makes without a caller (release, write-back) */
} FSP_FSCTL_TRANSACT_REQ;

/**
 * A response: on LinFsp used only to complete a Read, Write or ReadDirectory
 * that returned STATUS_PENDING, with FspFileSystemSendResponse(). The engine
 * reads Hint (which operation), Size and IoStatus, and of a Write
 * Rsp.Write.FileInfo; Kind and the rest of the Rsp union are not read (set
 * Kind to the request's kind all the same, as on WinFsp).
 */
typedef struct {
    UINT16 Version; /**< 0 */
    UINT16 Size;    /**< sizeof(FSP_FSCTL_TRANSACT_RSP) (larger values up to FSP_FSCTL_TRANSACT_RSP_SIZEMAX are allowed) */
    UINT32 Kind;    /**< the request's Kind (not read by LinFsp) */
    UINT64 Hint;    /**< the request's Hint: which operation this completes */
    /** The result. */
    struct {
        UINT32 Information; /**< bytes read, written or placed in the directory buffer */
        UINT32 Status;      /**< the NTSTATUS of the operation (STATUS_END_OF_FILE for a read at the end: 0 bytes) */
    } IoStatus;
    /** WinFsp's per-kind results; LinFsp reads only Write.FileInfo. */
    union {
        /** Create results (WinFsp). */
        union {
            /** An opened file (WinFsp). */
            struct {
                UINT64 UserContext;           /**< WinFsp: the new file context */
                UINT64 UserContext2;          /**< WinFsp: the second file context */
                UINT32 GrantedAccess;         /**< WinFsp: the access granted */
                FSP_FSCTL_TRANSACT_BUF SecurityDescriptor; /**< WinFsp: the new file's descriptor */
                FSP_FSCTL_FILE_INFO FileInfo; /**< WinFsp: the file's information */
                FSP_FSCTL_TRANSACT_BUF FileName; /**< WinFsp: the normalized name */
                UINT32 DisableCache : 1;      /**< WinFsp: no caching for this open */
                UINT32 HasSecurityDescriptor : 1; /**< WinFsp: SecurityDescriptor is set */
            } Opened;
            struct {
                FSP_FSCTL_TRANSACT_BUF Buffer;
            } Reparse;
        } Create;
        /** Results that carry file information (WinFsp). */
        struct {
            FSP_FSCTL_FILE_INFO FileInfo; /**< the file's information after the call; LinFsp reads it from a completed Write (its times tell whether the write still owes Cleanup flags; all 0: unknown) */
        } Overwrite, Write, QueryInformation, SetInformation, FlushBuffers;
        /** GetEa's result (WinFsp). */
        struct {
            FSP_FSCTL_TRANSACT_BUF Ea; /**< WinFsp: the EA list */
        } QueryEa;
        /** SetEa's result (WinFsp). */
        struct {
            FSP_FSCTL_FILE_INFO FileInfo; /**< WinFsp: the file's information after the call */
            FSP_FSCTL_TRANSACT_BUF Ea;    /**< WinFsp: the EA list after the call */
        } SetEa;
        /** Volume results (WinFsp). */
        struct {
            FSP_FSCTL_VOLUME_INFO VolumeInfo; /**< WinFsp: the volume's information */
        } QueryVolumeInformation, SetVolumeInformation;
        struct {
            FSP_FSCTL_TRANSACT_BUF Buffer;
        } FileSystemControl, DeviceControl, QueryStreamInformation;
        struct {
            FSP_FSCTL_TRANSACT_BUF SecurityDescriptor;
        } QuerySecurity, SetSecurity;
    } Rsp;
} FSP_FSCTL_TRANSACT_RSP;

/*
 * WinFsp's helpers for walking a batch of requests and responses packed back to back (8-byte
 * aligned). LinFsp has no transact buffers; they are kept because they are plain arithmetic.
 */
/**
 * Whether a request of the largest size fits before the end of a request buffer.
 * @param Request where the next request would go
 * @param RequestBufEnd the buffer's end
 * @return TRUE when it fits
 */
static inline BOOLEAN FspFsctlTransactCanProduceRequest(FSP_FSCTL_TRANSACT_REQ *Request,
                                                        PVOID RequestBufEnd)
{
    return (PUINT8)Request + FSP_FSCTL_TRANSACT_REQ_SIZEMAX <= (PUINT8)RequestBufEnd;
}
/**
 * Where the request after one of RequestSize bytes goes.
 * @param Request the request
 * @param RequestSize its size
 * @return the next request's place (8-byte aligned)
 */
static inline FSP_FSCTL_TRANSACT_REQ *FspFsctlTransactProduceRequest(FSP_FSCTL_TRANSACT_REQ *Request,
                                                                    SIZE_T RequestSize)
{
    return (FSP_FSCTL_TRANSACT_REQ *)((PUINT8)Request + FSP_FSCTL_DEFAULT_ALIGN_UP(RequestSize));
}
/**
 * The request after this one in a buffer.
 * @param Request the request
 * @param RequestBufEnd the buffer's end
 * @return the next request, or NULL at the end or for a request whose Size is too small
 */
static inline FSP_FSCTL_TRANSACT_REQ *FspFsctlTransactConsumeRequest(FSP_FSCTL_TRANSACT_REQ *Request,
                                                                    PVOID RequestBufEnd)
{
    if ((PUINT8)Request + sizeof(Request->Size) > (PUINT8)RequestBufEnd ||
        sizeof(FSP_FSCTL_TRANSACT_REQ) > Request->Size)
        return 0;
    PUINT8 Next = (PUINT8)Request + FSP_FSCTL_DEFAULT_ALIGN_UP(Request->Size);
    return Next <= (PUINT8)RequestBufEnd ? (FSP_FSCTL_TRANSACT_REQ *)Next : 0;
}
/**
 * Whether a response of the largest size fits before the end of a response buffer.
 * @param Response where the next response would go
 * @param ResponseBufEnd the buffer's end
 * @return TRUE when it fits
 */
static inline BOOLEAN FspFsctlTransactCanProduceResponse(FSP_FSCTL_TRANSACT_RSP *Response,
                                                         PVOID ResponseBufEnd)
{
    return (PUINT8)Response + FSP_FSCTL_TRANSACT_RSP_SIZEMAX <= (PUINT8)ResponseBufEnd;
}
/**
 * Where the response after one of ResponseSize bytes goes.
 * @param Response the response
 * @param ResponseSize its size
 * @return the next response's place (8-byte aligned)
 */
static inline FSP_FSCTL_TRANSACT_RSP *FspFsctlTransactProduceResponse(FSP_FSCTL_TRANSACT_RSP *Response,
                                                                     SIZE_T ResponseSize)
{
    return (FSP_FSCTL_TRANSACT_RSP *)((PUINT8)Response + FSP_FSCTL_DEFAULT_ALIGN_UP(ResponseSize));
}
/**
 * The response after this one in a buffer.
 * @param Response the response
 * @param ResponseBufEnd the buffer's end
 * @return the next response, or NULL at the end or for a response whose Size is too small
 */
static inline FSP_FSCTL_TRANSACT_RSP *FspFsctlTransactConsumeResponse(FSP_FSCTL_TRANSACT_RSP *Response,
                                                                     PVOID ResponseBufEnd)
{
    if ((PUINT8)Response + sizeof(Response->Size) > (PUINT8)ResponseBufEnd ||
        sizeof(FSP_FSCTL_TRANSACT_RSP) > Response->Size)
        return 0;
    PUINT8 Next = (PUINT8)Response + FSP_FSCTL_DEFAULT_ALIGN_UP(Response->Size);
    return Next <= (PUINT8)ResponseBufEnd ? (FSP_FSCTL_TRANSACT_RSP *)Next : 0;
}

/*
 * WinFsp's atomics: a load with acquire and a store with release ordering (WinFsp: with the
 * memory barriers of its platforms), for values shared between threads.
 */
/** Load a 32-bit value with acquire ordering. @param p the variable */
#define FSP_INTERLOCKED__LOAD32(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
/** Store a 32-bit value with release ordering. @param p the variable @param v the value */
#define FSP_INTERLOCKED__STORE32(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
/** Load a 64-bit value with acquire ordering. @param p the variable */
#define FSP_INTERLOCKED__LOAD64(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
/** Store a 64-bit value with release ordering. @param p the variable @param v the value */
#define FSP_INTERLOCKED__STORE64(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
/**
 * Load a value another thread stores (acquire ordering).
 * @param p the variable
 * @return its value
 */
static inline INT32 FspInterlockedLoad32(INT32 volatile *p)
{
    return FSP_INTERLOCKED__LOAD32(p);
}
/**
 * Store a value other threads load (sequentially consistent, as WinFsp's interlocked exchange).
 * @param p the variable
 * @param v the value
 */
static inline VOID FspInterlockedStore32(INT32 volatile *p, INT32 v)
{
    /* WinFsp uses an interlocked exchange: a sequentially consistent store */
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
/**
 * Load a pointer another thread stores (acquire ordering).
 * @param p the variable
 * @return its value
 */
static inline VOID *FspInterlockedLoadPointer(VOID *volatile *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
/**
 * Store a pointer other threads load (sequentially consistent).
 * @param p the variable
 * @param v the value
 */
static inline VOID FspInterlockedStorePointer(VOID *volatile *p, VOID *v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

#ifdef __cplusplus
}
#endif
#endif
