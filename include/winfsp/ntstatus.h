/**
 * @file winfsp/ntstatus.h
 * The NTSTATUS codes of the native API, with their Windows values.
 *
 * An NTSTATUS is a signed 32-bit value: success codes (including the
 * informational ones) are >= 0 (NT_SUCCESS()), warnings have the top bits 10,
 * errors 11. File systems return these from their callbacks; the engine turns
 * the result of each callback into the errno the calling Linux program sees
 * with FspErrnoFromNtStatus() (winfsp.h): every success code becomes 0, the
 * codes below that name an errno become it, and any other failure becomes EIO.
 * The table is in src/api/ntstatus.c; a few callbacks have their own rules,
 * noted at the code concerned (STATUS_END_OF_FILE from Read,
 * STATUS_INVALID_DEVICE_REQUEST from Control, STATUS_NOT_A_REPARSE_POINT for
 * readlink(2), STATUS_OBJECT_NAME_NOT_FOUND during a lookup).
 * FspNtStatusFromErrno() converts the other way, for file systems that work
 * on Linux files (the passthrough example).
 *
 * FspNtStatusFromWin32() and FspWin32FromNtStatus() convert to and from Win32
 * error codes (the same table).
 *
 * Defined: the codes the API and the engine use and those WinFsp file systems
 * commonly return (doc/porting.md); a file system may return any other NTSTATUS,
 * which becomes EIO.
 */
#ifndef WINFSP_NTSTATUS_H_INCLUDED
#define WINFSP_NTSTATUS_H_INCLUDED

/** The operation succeeded. */
#define STATUS_SUCCESS                          ((NTSTATUS)0x00000000u)
/** Same value as STATUS_SUCCESS (Windows wait result); kept for source compatibility. */
#define STATUS_WAIT_0                           ((NTSTATUS)0x00000000u)
/** Success code of Windows waits (the mutex waited for was abandoned); not produced by LinFsp. */
#define STATUS_ABANDONED                        ((NTSTATUS)0x00000080u)
/** Success code of Windows alertable waits (an APC ran); not produced by LinFsp. */
#define STATUS_USER_APC                         ((NTSTATUS)0x000000C0u)
/** Success code of Windows alertable waits; not produced by LinFsp. */
#define STATUS_ALERTED                          ((NTSTATUS)0x00000101u)
/** Success code of Windows waits that timed out; a success code, so FspErrnoFromNtStatus() gives 0 (use STATUS_IO_TIMEOUT for a failure). */
#define STATUS_TIMEOUT                          ((NTSTATUS)0x00000102u)
/** The operation will complete later with FspFileSystemSendResponse(). Honoured only from Read, Write and ReadDirectory; from any other member it counts as success. */
#define STATUS_PENDING                          ((NTSTATUS)0x00000103u)
/** A reparse point was met; returned by FspFileSystemResolveReparsePoints(). The engine never expects it from a callback. */
#define STATUS_REPARSE                          ((NTSTATUS)0x00000104u)
/** Success code: more entries are available; not used by the engine. */
#define STATUS_MORE_ENTRIES                     ((NTSTATUS)0x00000105u)
/** Success code of Windows account lookups (some names or SIDs were not mapped); FspErrnoFromNtStatus() gives 0. */
#define STATUS_SOME_NOT_MAPPED                  ((NTSTATUS)0x00000107u)
/** Success code of Windows change notifications; not produced by LinFsp. */
#define STATUS_NOTIFY_CLEANUP                   ((NTSTATUS)0x0000010Bu)
/** Success code of Windows change notifications (too many changes: list the directory again); not produced by LinFsp. */
#define STATUS_NOTIFY_ENUM_DIR                  ((NTSTATUS)0x0000010Cu)
/** Success code: the buffer holds only zeros; FspErrnoFromNtStatus() gives 0. */
#define STATUS_BUFFER_ALL_ZEROS                 ((NTSTATUS)0x00000117u)
/** Informational code (a success code: FspErrnoFromNtStatus() gives 0); use STATUS_OBJECT_NAME_COLLISION for "exists" as a failure. */
#define STATUS_OBJECT_NAME_EXISTS               ((NTSTATUS)0x40000000u)
/** Warning: the data did not fit; the needed size is reported. The engine retries GetSecurity/GetSecurityByName and GetEa with a bigger buffer on it. errno ERANGE. */
#define STATUS_BUFFER_OVERFLOW                  ((NTSTATUS)0x80000005u)
/** Warning: a directory listing has no more entries. errno ENOENT. */
#define STATUS_NO_MORE_FILES                    ((NTSTATUS)0x80000006u)
/** Warning: the device or mount point is busy (FspFileSystemSetMountPoint() on a directory that is already mounted). errno EBUSY. */
#define STATUS_DEVICE_BUSY                      ((NTSTATUS)0x80000011u)
/** Warning: an extended attribute name is not valid. errno EINVAL. */
#define STATUS_INVALID_EA_NAME                  ((NTSTATUS)0x80000013u)
/** Warning: an extended attribute list is malformed. errno EINVAL. */
#define STATUS_EA_LIST_INCONSISTENT             ((NTSTATUS)0x80000014u)
/** Warning: an extended attribute's flags are not valid. errno EINVAL. */
#define STATUS_INVALID_EA_FLAG                  ((NTSTATUS)0x80000015u)
/** Warning: no more entries; not used by the engine. */
#define STATUS_NO_MORE_ENTRIES                  ((NTSTATUS)0x8000001Au)
/** Warning: a symbolic link stopped path traversal. errno ELOOP. */
#define STATUS_STOPPED_ON_SYMLINK               ((NTSTATUS)0x8000002Du)
/** Unspecified failure; FspNtStatusFromErrno() gives it for an errno it has no entry for. errno EIO. */
#define STATUS_UNSUCCESSFUL                     ((NTSTATUS)0xC0000001u)
/** The request is not implemented. errno ENOSYS; from GetSecurity/GetSecurityByName it means "no security", as if the member were missing. */
#define STATUS_NOT_IMPLEMENTED                  ((NTSTATUS)0xC0000002u)
/** Unknown information class. errno EINVAL. */
#define STATUS_INVALID_INFO_CLASS               ((NTSTATUS)0xC0000003u)
/** A buffer length does not match the information class. errno EINVAL. */
#define STATUS_INFO_LENGTH_MISMATCH             ((NTSTATUS)0xC0000004u)
/** Bad memory access. errno EFAULT. */
#define STATUS_ACCESS_VIOLATION                 ((NTSTATUS)0xC0000005u)
/** The handle is not valid. errno EBADF. */
#define STATUS_INVALID_HANDLE                   ((NTSTATUS)0xC0000008u)
/** A parameter is not valid. errno EINVAL. FspServiceRun*() exits with 2 when OnStart fails with it. */
#define STATUS_INVALID_PARAMETER                ((NTSTATUS)0xC000000Du)
/** The device does not exist: no /dev/fuse, no fusermount3, or a DevicePath other than /dev/fuse. errno ENODEV. */
#define STATUS_NO_SUCH_DEVICE                   ((NTSTATUS)0xC000000Eu)
/** The file does not exist. errno ENOENT. */
#define STATUS_NO_SUCH_FILE                     ((NTSTATUS)0xC000000Fu)
/** The request is not supported by this file system. errno ENOSYS; from Control it becomes ENOTTY. */
#define STATUS_INVALID_DEVICE_REQUEST           ((NTSTATUS)0xC0000010u)
/** A read started at or after the end of the file. From Read the engine answers 0 bytes (end of file) instead of an error. errno ENODATA elsewhere. */
#define STATUS_END_OF_FILE                      ((NTSTATUS)0xC0000011u)
/** Windows' code for an I/O request that is not finished; not a result for a callback. errno EIO. */
#define STATUS_MORE_PROCESSING_REQUIRED         ((NTSTATUS)0xC0000016u)
/** Out of memory. errno ENOMEM. */
#define STATUS_NO_MEMORY                        ((NTSTATUS)0xC0000017u)
/** A lock request out of sequence. errno EINVAL. */
#define STATUS_INVALID_LOCK_SEQUENCE            ((NTSTATUS)0xC000001Eu)
/** Access is denied. errno EACCES. */
#define STATUS_ACCESS_DENIED                    ((NTSTATUS)0xC0000022u)
/** The buffer is too small; treated like STATUS_BUFFER_OVERFLOW where the engine retries. errno ERANGE. */
#define STATUS_BUFFER_TOO_SMALL                 ((NTSTATUS)0xC0000023u)
/** The object has the wrong type. errno EINVAL. */
#define STATUS_OBJECT_TYPE_MISMATCH             ((NTSTATUS)0xC0000024u)
/** The range is not locked. errno ENOLCK. */
#define STATUS_NOT_LOCKED                       ((NTSTATUS)0xC000002Au)
/** Parameters that cannot be combined. errno EINVAL. */
#define STATUS_INVALID_PARAMETER_MIX            ((NTSTATUS)0xC0000030u)
/** The file system's storage is corrupt. errno EIO. */
#define STATUS_DISK_CORRUPT_ERROR               ((NTSTATUS)0xC0000032u)
/** The name is not valid (for example not convertible to UTF-8). errno EINVAL. */
#define STATUS_OBJECT_NAME_INVALID              ((NTSTATUS)0xC0000033u)
/** The name does not exist. errno ENOENT; from Open during LOOKUP the engine answers a negative entry. */
#define STATUS_OBJECT_NAME_NOT_FOUND            ((NTSTATUS)0xC0000034u)
/** The name exists already (Create, Rename without replace, CreateHardLink). errno EEXIST; CREATE without O_EXCL then opens the existing file. */
#define STATUS_OBJECT_NAME_COLLISION            ((NTSTATUS)0xC0000035u)
/** The path is not valid. errno EINVAL. */
#define STATUS_OBJECT_PATH_INVALID              ((NTSTATUS)0xC0000039u)
/** A directory of the path does not exist. errno ENOENT. */
#define STATUS_OBJECT_PATH_NOT_FOUND            ((NTSTATUS)0xC000003Au)
/** A path component is not a directory. errno ENOTDIR. */
#define STATUS_OBJECT_PATH_SYNTAX_BAD           ((NTSTATUS)0xC000003Bu)
/** The data could not be read or written. errno EIO. */
#define STATUS_DATA_ERROR                       ((NTSTATUS)0xC000003Eu)
/** A checksum did not match. errno EIO. */
#define STATUS_CRC_ERROR                        ((NTSTATUS)0xC000003Fu)
/** The file is in use. errno EBUSY. */
#define STATUS_SHARING_VIOLATION                ((NTSTATUS)0xC0000043u)
/** A quota was exceeded. errno EDQUOT. */
#define STATUS_QUOTA_EXCEEDED                   ((NTSTATUS)0xC0000044u)
/** The thread is going away. errno EINTR. */
#define STATUS_THREAD_IS_TERMINATING            ((NTSTATUS)0xC000004Bu)
/** The file system has no extended attributes. errno EOPNOTSUPP. */
#define STATUS_EAS_NOT_SUPPORTED                ((NTSTATUS)0xC000004Fu)
/** The extended attributes do not fit. errno E2BIG. */
#define STATUS_EA_TOO_LARGE                     ((NTSTATUS)0xC0000050u)
/** No such extended attribute. errno ENODATA. */
#define STATUS_NONEXISTENT_EA_ENTRY             ((NTSTATUS)0xC0000051u)
/** The file has no extended attributes. errno ENODATA. */
#define STATUS_NO_EAS_ON_FILE                   ((NTSTATUS)0xC0000052u)
/** A malformed extended attribute list. errno EIO. */
#define STATUS_EA_CORRUPT_ERROR                 ((NTSTATUS)0xC0000053u)
/** A lock conflicts. errno EAGAIN. */
#define STATUS_FILE_LOCK_CONFLICT               ((NTSTATUS)0xC0000054u)
/** A lock was not granted. errno EAGAIN. */
#define STATUS_LOCK_NOT_GRANTED                 ((NTSTATUS)0xC0000055u)
/** The file is being deleted. errno ENOENT. */
#define STATUS_DELETE_PENDING                   ((NTSTATUS)0xC0000056u)
/** The owner cannot be set to this SID. errno EPERM. */
#define STATUS_INVALID_OWNER                    ((NTSTATUS)0xC000005Au)
/** The group cannot be set to this SID. errno EPERM. */
#define STATUS_INVALID_PRIMARY_GROUP            ((NTSTATUS)0xC000005Bu)
/** The caller lacks a privilege. errno EPERM. */
#define STATUS_PRIVILEGE_NOT_HELD               ((NTSTATUS)0xC0000061u)
/** The account does not exist. errno EINVAL. */
#define STATUS_NO_SUCH_USER                     ((NTSTATUS)0xC0000064u)
/** A wrong password. errno EACCES. */
#define STATUS_WRONG_PASSWORD                   ((NTSTATUS)0xC000006Au)
/** The user could not log on. errno EACCES. */
#define STATUS_LOGON_FAILURE                    ((NTSTATUS)0xC000006Du)
/** No account maps to the name or SID. errno EINVAL. */
#define STATUS_NONE_MAPPED                      ((NTSTATUS)0xC0000073u)
/** The access control list is not valid. errno EINVAL. */
#define STATUS_INVALID_ACL                      ((NTSTATUS)0xC0000077u)
/** The security identifier is not valid. errno EINVAL. */
#define STATUS_INVALID_SID                      ((NTSTATUS)0xC0000078u)
/** The security descriptor is not valid. errno EINVAL; a descriptor the engine finds invalid fails the request with EIO. */
#define STATUS_INVALID_SECURITY_DESCR           ((NTSTATUS)0xC0000079u)
/** The range to unlock is not locked. errno ENOLCK. */
#define STATUS_RANGE_NOT_LOCKED                 ((NTSTATUS)0xC000007Eu)
/** No space left. errno ENOSPC. */
#define STATUS_DISK_FULL                        ((NTSTATUS)0xC000007Fu)
/** A value overflowed. errno EOVERFLOW. */
#define STATUS_INTEGER_OVERFLOW                 ((NTSTATUS)0xC0000095u)
/** The file is no longer valid. errno EIO. */
#define STATUS_FILE_INVALID                     ((NTSTATUS)0xC0000098u)
/** Out of memory or another resource. errno ENOMEM. */
#define STATUS_INSUFFICIENT_RESOURCES           ((NTSTATUS)0xC000009Au)
/** The device could not read or write the data. errno EIO. */
#define STATUS_DEVICE_DATA_ERROR                ((NTSTATUS)0xC000009Cu)
/** The device is not connected. errno ENXIO. */
#define STATUS_DEVICE_NOT_CONNECTED             ((NTSTATUS)0xC000009Du)
/** The volume is read-only. errno EROFS. */
#define STATUS_MEDIA_WRITE_PROTECTED            ((NTSTATUS)0xC00000A2u)
/** The device is not ready. errno ENODEV. */
#define STATUS_DEVICE_NOT_READY                 ((NTSTATUS)0xC00000A3u)
/** The request is not valid for the device. errno ENOSYS. */
#define STATUS_ILLEGAL_FUNCTION                 ((NTSTATUS)0xC00000AFu)
/** The operation timed out. errno ETIMEDOUT. */
#define STATUS_IO_TIMEOUT                       ((NTSTATUS)0xC00000B5u)
/** The file is a directory (unlink of a directory, a directory opened for writing). errno EISDIR. */
#define STATUS_FILE_IS_A_DIRECTORY              ((NTSTATUS)0xC00000BAu)
/** The operation is not supported. errno EOPNOTSUPP. FspFileSystemSetOpenBackingFile() returns it when passthrough is not negotiated. */
#define STATUS_NOT_SUPPORTED                    ((NTSTATUS)0xC00000BBu)
/** The network path was not found. errno ENOENT. */
#define STATUS_BAD_NETWORK_PATH                 ((NTSTATUS)0xC00000BEu)
/** The device does not exist. errno ENODEV. */
#define STATUS_DEVICE_DOES_NOT_EXIST            ((NTSTATUS)0xC00000C0u)
/** The network name went away (a share or server was removed). errno ENOENT. */
#define STATUS_NETWORK_NAME_DELETED             ((NTSTATUS)0xC00000C9u)
/** Network access is denied. errno EACCES. */
#define STATUS_NETWORK_ACCESS_DENIED            ((NTSTATUS)0xC00000CAu)
/** The device has the wrong type. errno ENODEV. */
#define STATUS_BAD_DEVICE_TYPE                  ((NTSTATUS)0xC00000CBu)
/** The network name was not found. errno ENOENT. */
#define STATUS_BAD_NETWORK_NAME                 ((NTSTATUS)0xC00000CCu)
/** A rename or link across devices. errno EXDEV. */
#define STATUS_NOT_SAME_DEVICE                  ((NTSTATUS)0xC00000D4u)
/** The object has no security information. errno EOPNOTSUPP. */
#define STATUS_NO_SECURITY_ON_OBJECT            ((NTSTATUS)0xC00000D7u)
/** The operation would block. errno EAGAIN. */
#define STATUS_CANT_WAIT                        ((NTSTATUS)0xC00000D8u)
/** An internal error. errno EIO. */
#define STATUS_INTERNAL_ERROR                   ((NTSTATUS)0xC00000E5u)
/** A buffer address is not valid. errno EFAULT. */
#define STATUS_INVALID_USER_BUFFER              ((NTSTATUS)0xC00000E8u)
/** An unexpected I/O error. errno EIO. */
#define STATUS_UNEXPECTED_IO_ERROR              ((NTSTATUS)0xC00000E9u)
/** The first parameter is not valid. errno EINVAL. */
#define STATUS_INVALID_PARAMETER_1              ((NTSTATUS)0xC00000EFu)
/** The second parameter is not valid. errno EINVAL. */
#define STATUS_INVALID_PARAMETER_2              ((NTSTATUS)0xC00000F0u)
/** The third parameter is not valid. errno EINVAL. */
#define STATUS_INVALID_PARAMETER_3              ((NTSTATUS)0xC00000F1u)
/** The directory is not empty (rmdir, or a rename onto a non-empty directory). errno ENOTEMPTY. */
#define STATUS_DIRECTORY_NOT_EMPTY              ((NTSTATUS)0xC0000101u)
/** The file's data is corrupt. errno EIO. */
#define STATUS_FILE_CORRUPT_ERROR               ((NTSTATUS)0xC0000102u)
/** The file is not a directory. errno ENOTDIR. */
#define STATUS_NOT_A_DIRECTORY                  ((NTSTATUS)0xC0000103u)
/** A name is too long. errno ENAMETOOLONG. */
#define STATUS_NAME_TOO_LONG                    ((NTSTATUS)0xC0000106u)
/** The process is going away. errno EINTR. */
#define STATUS_PROCESS_IS_TERMINATING           ((NTSTATUS)0xC000010Au)
/** Too many open files. errno EMFILE. */
#define STATUS_TOO_MANY_OPENED_FILES            ((NTSTATUS)0xC000011Fu)
/** The operation was cancelled; the engine completes an interrupted pending operation with it. errno EINTR. */
#define STATUS_CANCELLED                        ((NTSTATUS)0xC0000120u)
/** The file cannot be deleted. errno EPERM. */
#define STATUS_CANNOT_DELETE                    ((NTSTATUS)0xC0000121u)
/** The file was deleted. errno ENOENT. */
#define STATUS_FILE_DELETED                     ((NTSTATUS)0xC0000123u)
/** The file was closed. errno EBADF. */
#define STATUS_FILE_CLOSED                      ((NTSTATUS)0xC0000128u)
/** A library was not found (FspLoad()). errno ENOENT. */
#define STATUS_DLL_NOT_FOUND                    ((NTSTATUS)0xC0000135u)
/** The other end of a pipe or connection is closed. errno EPIPE. */
#define STATUS_PIPE_BROKEN                      ((NTSTATUS)0xC000014Bu)
/** A character that cannot be represented. errno EILSEQ. */
#define STATUS_ILLEGAL_CHARACTER                ((NTSTATUS)0xC0000161u)
/** A character that cannot be mapped. errno EILSEQ. */
#define STATUS_UNMAPPABLE_CHARACTER             ((NTSTATUS)0xC0000162u)
/** The object is in the wrong state for the call (already mounted, dispatcher already started, mount options after mounting, FspFileSystemSetOpenBackingFile() outside Create/Open/Overwrite). errno EIO. */
#define STATUS_INVALID_DEVICE_STATE             ((NTSTATUS)0xC0000184u)
/** An I/O error. errno EIO. */
#define STATUS_IO_DEVICE_ERROR                  ((NTSTATUS)0xC0000185u)
/** The operation would deadlock. errno EDEADLK. */
#define STATUS_POSSIBLE_DEADLOCK                ((NTSTATUS)0xC0000194u)
/** A buffer size is not valid. errno EINVAL. */
#define STATUS_INVALID_BUFFER_SIZE              ((NTSTATUS)0xC0000206u)
/** The connection is closed. errno ENOTCONN. */
#define STATUS_CONNECTION_DISCONNECTED          ((NTSTATUS)0xC000020Cu)
/** The connection was reset. errno ECONNRESET. */
#define STATUS_CONNECTION_RESET                 ((NTSTATUS)0xC000020Du)
/** Not found. errno ENOENT. */
#define STATUS_NOT_FOUND                        ((NTSTATUS)0xC0000225u)
/** Try again. errno EAGAIN. */
#define STATUS_RETRY                            ((NTSTATUS)0xC000022Du)
/** The connection was refused. errno ECONNREFUSED. */
#define STATUS_CONNECTION_REFUSED               ((NTSTATUS)0xC0000236u)
/** The network cannot be reached. errno ENETUNREACH. */
#define STATUS_NETWORK_UNREACHABLE              ((NTSTATUS)0xC000023Cu)
/** The host cannot be reached. errno EHOSTUNREACH. */
#define STATUS_HOST_UNREACHABLE                 ((NTSTATUS)0xC000023Du)
/** The request was aborted. errno ECANCELED. */
#define STATUS_REQUEST_ABORTED                  ((NTSTATUS)0xC0000240u)
/** The connection was aborted. errno ECONNABORTED. */
#define STATUS_CONNECTION_ABORTED               ((NTSTATUS)0xC0000241u)
/** Too many hard links. errno EMLINK. */
#define STATUS_TOO_MANY_LINKS                   ((NTSTATUS)0xC0000265u)
/** The volume is no longer mounted. errno ENODEV. */
#define STATUS_VOLUME_DISMOUNTED                ((NTSTATUS)0xC000026Eu)
/** The file is not a reparse point (GetReparsePoint); readlink(2) then fails with EINVAL. errno EINVAL. */
#define STATUS_NOT_A_REPARSE_POINT              ((NTSTATUS)0xC0000275u)
/** The reparse tag is not valid. errno EINVAL. */
#define STATUS_IO_REPARSE_TAG_INVALID           ((NTSTATUS)0xC0000276u)
/** The reparse tag differs from the file's (FspFileSystemCanReplaceReparsePoint()). errno EINVAL. */
#define STATUS_IO_REPARSE_TAG_MISMATCH          ((NTSTATUS)0xC0000277u)
/** The reparse data is not valid. errno EINVAL. */
#define STATUS_IO_REPARSE_DATA_INVALID          ((NTSTATUS)0xC0000278u)
/** No handler for the reparse tag. errno EIO (no entry). */
#define STATUS_IO_REPARSE_TAG_NOT_HANDLED       ((NTSTATUS)0xC0000279u)
/** A reparse point could not be resolved (too many links). errno ELOOP. */
#define STATUS_REPARSE_POINT_NOT_RESOLVED       ((NTSTATUS)0xC0000280u)
/** The directory is a reparse point. errno ENOTDIR. */
#define STATUS_DIRECTORY_IS_A_REPARSE_POINT     ((NTSTATUS)0xC0000281u)
/** The reparse GUID differs from the file's (FspFileSystemCanReplaceReparsePoint()). errno EINVAL. */
#define STATUS_REPARSE_ATTRIBUTE_CONFLICT       ((NTSTATUS)0xC00002B2u)
/** The file or directory cannot be made: WinFsp file systems return it when they have no room for another file (WinFsp's MEMFS at its MaxFileNodes). errno ENOSPC. */
#define STATUS_CANNOT_MAKE                      ((NTSTATUS)0xC00002EAu)
/** A limit of the file system was reached. errno EFBIG. */
#define STATUS_FILE_SYSTEM_LIMITATION           ((NTSTATUS)0xC0000427u)
/** A directory cannot be used here. errno EISDIR. */
#define STATUS_DIRECTORY_NOT_SUPPORTED          ((NTSTATUS)0xC000047Cu)
/** The disk quota was exceeded. errno EDQUOT. */
#define STATUS_DISK_QUOTA_EXCEEDED              ((NTSTATUS)0xC0000802u)
/** The file would become too large. errno EFBIG. */
#define STATUS_FILE_TOO_LARGE                   ((NTSTATUS)0xC0000904u)

#endif
