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
 * Only the codes the API, the engine and the examples use are defined.
 */
#ifndef WINFSP_NTSTATUS_H_INCLUDED
#define WINFSP_NTSTATUS_H_INCLUDED

/** The operation succeeded. */
#define STATUS_SUCCESS                          ((NTSTATUS)0x00000000u)
/** Same value as STATUS_SUCCESS (Windows wait result); kept for source compatibility. */
#define STATUS_WAIT_0                           ((NTSTATUS)0x00000000u)
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
/** Informational code (a success code: FspErrnoFromNtStatus() gives 0); use STATUS_OBJECT_NAME_COLLISION for "exists" as a failure. */
#define STATUS_OBJECT_NAME_EXISTS               ((NTSTATUS)0x40000000u)
/** Warning: the data did not fit; the needed size is reported. The engine retries GetSecurity/GetSecurityByName and GetEa with a bigger buffer on it. errno ERANGE. */
#define STATUS_BUFFER_OVERFLOW                  ((NTSTATUS)0x80000005u)
/** Warning: a directory listing has no more entries. errno ENOENT. */
#define STATUS_NO_MORE_FILES                    ((NTSTATUS)0x80000006u)
/** Warning: the device or mount point is busy (FspFileSystemSetMountPoint() on a directory that is already mounted). errno EBUSY. */
#define STATUS_DEVICE_BUSY                      ((NTSTATUS)0x80000011u)
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
/** Out of memory. errno ENOMEM. */
#define STATUS_NO_MEMORY                        ((NTSTATUS)0xC0000017u)
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
/** The file is in use. errno EBUSY. */
#define STATUS_SHARING_VIOLATION                ((NTSTATUS)0xC0000043u)
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
/** The caller lacks a privilege. errno EPERM. */
#define STATUS_PRIVILEGE_NOT_HELD               ((NTSTATUS)0xC0000061u)
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
/** The volume is read-only. errno EROFS. */
#define STATUS_MEDIA_WRITE_PROTECTED            ((NTSTATUS)0xC00000A2u)
/** The device is not ready. errno ENODEV. */
#define STATUS_DEVICE_NOT_READY                 ((NTSTATUS)0xC00000A3u)
/** The operation timed out. errno ETIMEDOUT. */
#define STATUS_IO_TIMEOUT                       ((NTSTATUS)0xC00000B5u)
/** The file is a directory (unlink of a directory, a directory opened for writing). errno EISDIR. */
#define STATUS_FILE_IS_A_DIRECTORY              ((NTSTATUS)0xC00000BAu)
/** The operation is not supported. errno EOPNOTSUPP. FspFileSystemSetOpenBackingFile() returns it when passthrough is not negotiated. */
#define STATUS_NOT_SUPPORTED                    ((NTSTATUS)0xC00000BBu)
/** The network path was not found. errno ENOENT. */
#define STATUS_BAD_NETWORK_PATH                 ((NTSTATUS)0xC00000BEu)
/** Network access is denied. errno EACCES. */
#define STATUS_NETWORK_ACCESS_DENIED            ((NTSTATUS)0xC00000CAu)
/** A rename or link across devices. errno EXDEV. */
#define STATUS_NOT_SAME_DEVICE                  ((NTSTATUS)0xC00000D4u)
/** The operation would block. errno EAGAIN. */
#define STATUS_CANT_WAIT                        ((NTSTATUS)0xC00000D8u)
/** An internal error. errno EIO. */
#define STATUS_INTERNAL_ERROR                   ((NTSTATUS)0xC00000E5u)
/** A buffer address is not valid. errno EFAULT. */
#define STATUS_INVALID_USER_BUFFER              ((NTSTATUS)0xC00000E8u)
/** The directory is not empty (rmdir, or a rename onto a non-empty directory). errno ENOTEMPTY. */
#define STATUS_DIRECTORY_NOT_EMPTY              ((NTSTATUS)0xC0000101u)
/** The file is not a directory. errno ENOTDIR. */
#define STATUS_NOT_A_DIRECTORY                  ((NTSTATUS)0xC0000103u)
/** A name is too long. errno ENAMETOOLONG. */
#define STATUS_NAME_TOO_LONG                    ((NTSTATUS)0xC0000106u)
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
/** A character that cannot be represented. errno EILSEQ. */
#define STATUS_ILLEGAL_CHARACTER                ((NTSTATUS)0xC0000161u)
/** A character that cannot be mapped. errno EILSEQ. */
#define STATUS_UNMAPPABLE_CHARACTER             ((NTSTATUS)0xC0000162u)
/** The object is in the wrong state for the call (already mounted, dispatcher already started, mount options after mounting, FspFileSystemSetOpenBackingFile() outside Create/Open/Overwrite). errno EIO. */
#define STATUS_INVALID_DEVICE_STATE             ((NTSTATUS)0xC0000184u)
/** An I/O error. errno EIO. */
#define STATUS_IO_DEVICE_ERROR                  ((NTSTATUS)0xC0000185u)
/** A buffer size is not valid. errno EINVAL. */
#define STATUS_INVALID_BUFFER_SIZE              ((NTSTATUS)0xC0000206u)
/** Not found. errno ENOENT. */
#define STATUS_NOT_FOUND                        ((NTSTATUS)0xC0000225u)
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
/** A limit of the file system was reached. errno EFBIG. */
#define STATUS_FILE_SYSTEM_LIMITATION           ((NTSTATUS)0xC0000427u)
/** The file would become too large. errno EFBIG. */
#define STATUS_FILE_TOO_LARGE                   ((NTSTATUS)0xC0000904u)

#endif
