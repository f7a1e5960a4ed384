/**
 * @file winfsp/wintypes.h
 * Portable definitions of the Windows types, constants and structures that
 * WinFsp's native API uses, so that a file system written for WinFsp compiles
 * on Linux with few changes.
 *
 * Conventions:
 * - WCHAR is wchar_t (32 bits on Linux), so L"" literals and the C library's
 *   wide-string functions (wcslen, wcscmp, ...) work in ported code.
 * - FILETIME values are UINT64 counts of 100 ns intervals since 1601-01-01 UTC.
 * - Security structures (SID, ACL, ACE, SECURITY_DESCRIPTOR) have the exact
 *   Windows binary layout; security descriptors are always self-relative.
 *
 * @copyright 2026 The LinFsp authors. MIT License; see LICENSE.
 */
#ifndef WINFSP_WINTYPES_H_INCLUDED
#define WINFSP_WINTYPES_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- basic types ---- */
/** The Windows name of C's void (return types, empty parameter lists). */
typedef void VOID;
/** Pointer to anything. */
typedef void *PVOID;
/** Pointer to constant data. */
typedef const void *PCVOID;
/** An 8-bit truth value: TRUE (1) or FALSE (0). Used by the native API. */
typedef uint8_t BOOLEAN;
/** Pointer to a BOOLEAN. */
typedef uint8_t *PBOOLEAN;
/** An int-sized truth value (Win32 style). */
typedef int BOOL;
/** Unsigned 8-bit integer. */
typedef uint8_t UINT8;
/** Unsigned 8-bit integer (a byte). */
typedef uint8_t BYTE;
/** Unsigned 8-bit integer (unsigned char). */
typedef uint8_t UCHAR;
/** Pointer to a UINT8. */
typedef uint8_t *PUINT8;
/** Pointer to a BYTE. */
typedef uint8_t *PBYTE;
/** Pointer to a UCHAR. */
typedef uint8_t *PUCHAR;
/** Unsigned 16-bit integer. */
typedef uint16_t UINT16;
/** Unsigned 16-bit integer (unsigned short). */
typedef uint16_t USHORT;
/** Unsigned 16-bit integer (a word). */
typedef uint16_t WORD;
/** Pointer to a UINT16. */
typedef uint16_t *PUINT16;
/** Pointer to a USHORT. */
typedef uint16_t *PUSHORT;
/** Unsigned 32-bit integer. */
typedef uint32_t UINT32;
/** Unsigned 32-bit integer (Windows' ULONG is 32 bits, also on 64-bit Linux). */
typedef uint32_t ULONG;
/** Unsigned 32-bit integer (a double word). */
typedef uint32_t DWORD;
/** Pointer to a UINT32. */
typedef uint32_t *PUINT32;
/** Pointer to a ULONG. */
typedef uint32_t *PULONG;
/** Pointer to a DWORD. */
typedef uint32_t *PDWORD;
/** Signed 32-bit integer. */
typedef int32_t INT32;
/** Signed 32-bit integer (Windows' LONG is 32 bits, also on 64-bit Linux). */
typedef int32_t LONG;
/** Pointer to an INT32. */
typedef int32_t *PINT32;
/** Pointer to a LONG. */
typedef int32_t *PLONG;
/** Unsigned 64-bit integer. */
typedef uint64_t UINT64;
/** Unsigned 64-bit integer (unsigned long long). */
typedef uint64_t ULONGLONG;
/** Pointer to a UINT64. */
typedef uint64_t *PUINT64;
/** Pointer to a ULONGLONG. */
typedef uint64_t *PULONGLONG;
/** Signed 64-bit integer. */
typedef int64_t INT64;
/** Signed 64-bit integer (long long). */
typedef int64_t LONGLONG;
/** Pointer to an INT64. */
typedef int64_t *PINT64;
/** Pointer to a LONGLONG. */
typedef int64_t *PLONGLONG;
/** Unsigned integer the size of a pointer. */
typedef uintptr_t UINT_PTR;
/** Unsigned integer the size of a pointer. */
typedef uintptr_t ULONG_PTR;
/** A size in bytes (pointer-sized, unsigned). */
typedef uintptr_t SIZE_T;
/** Pointer to a SIZE_T (in/out sizes of buffers). */
typedef uintptr_t *PSIZE_T;
/** Signed integer the size of a pointer. */
typedef intptr_t INT_PTR;
/** Signed integer the size of a pointer. */
typedef intptr_t LONG_PTR;
/** A narrow character. */
typedef char CHAR;
/** A narrow, NUL-terminated string. */
typedef char *PSTR;
/** A constant narrow, NUL-terminated string. */
typedef const char *PCSTR;
/**
 * A wide character: wchar_t, 32 bits (UTF-32) on Linux where WinFsp has 16
 * bits (UTF-16). L"..." literals and the C library's wcs* functions work on it.
 * Byte lengths of WCHAR strings in the API count 4 bytes per character.
 */
typedef wchar_t WCHAR;
/** Pointer to a WCHAR. */
typedef wchar_t *PWCHAR;
/** A wide, NUL-terminated string (file names, SDDL, ...). */
typedef wchar_t *PWSTR;
/** A constant wide, NUL-terminated string. */
typedef const wchar_t *PCWSTR;
/** A status code (see winfsp/ntstatus.h): >= 0 success, < 0 warning or error. */
typedef int32_t NTSTATUS;
/** Pointer to an NTSTATUS (an output status). */
typedef int32_t *PNTSTATUS;
/** An opaque handle; on LinFsp a pointer-sized value (FspDebugLogSetHandle() takes a file descriptor cast to it). */
typedef void *HANDLE;
/** Pointer to a HANDLE. */
typedef void **PHANDLE;
/** A set of access rights (FILE_READ_DATA, DELETE, GENERIC_READ, ...). */
typedef uint32_t ACCESS_MASK;
/** Pointer to an ACCESS_MASK. */
typedef uint32_t *PACCESS_MASK;
/** Which parts of a security descriptor a call concerns (OWNER_SECURITY_INFORMATION, ...). */
typedef uint32_t SECURITY_INFORMATION;
/** Pointer to a SECURITY_INFORMATION. */
typedef uint32_t *PSECURITY_INFORMATION;

#ifndef TRUE
/** BOOLEAN true. */
#define TRUE 1
#endif
#ifndef FALSE
/** BOOLEAN false. */
#define FALSE 0
#endif
#ifndef INFINITE
/** "Forever": as FSP_FSCTL_VOLUME_PARAMS::FileInfoTimeout it makes the kernel cache attributes, names and file data across opens. */
#define INFINITE 0xFFFFFFFFu
#endif
/** "No attributes": SetBasicInfo receives it to mean "leave the attributes unchanged" (always, on LinFsp). */
#define INVALID_FILE_ATTRIBUTES ((UINT32)-1)
/** The invalid HANDLE value (Windows compatibility; the API does not return it). */
#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)

/** True for success and informational codes (Status >= 0), including STATUS_PENDING. @param Status an NTSTATUS */
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
/** True for informational codes (top bits 01). @param Status an NTSTATUS */
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
/** True for warnings (top bits 10), such as STATUS_BUFFER_OVERFLOW. @param Status an NTSTATUS */
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
/** True for errors (top bits 11). @param Status an NTSTATUS */
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

#ifndef MAX_PATH
/** Windows' classic path limit in characters (260); the native API does not enforce it. */
#define MAX_PATH 260
#endif

#ifndef ARRAYSIZE
/** Number of elements of an array. @param a an array (not a pointer) */
#define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef FIELD_OFFSET
/** Offset of a member in a structure, as a LONG. @param type the structure type @param field the member */
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#endif
#ifndef CONTAINING_RECORD
/** The structure that holds a member, from the member's address. @param address address of the member @param type the structure type @param field the member */
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((char *)(address) - offsetof(type, field)))
#endif

/**
 * A Windows FILETIME in two halves: 100 ns intervals since 1601-01-01 UTC.
 * The native API passes times as UINT64 values of the same meaning
 * (FSP_FSCTL_FILE_INFO); this structure appears only in FspDebugLogFT().
 */
typedef struct _FILETIME {
    DWORD dwLowDateTime;  /**< low 32 bits */
    DWORD dwHighDateTime; /**< high 32 bits */
} FILETIME;
/** Pointer to a FILETIME. */
typedef FILETIME *PFILETIME;

/** A 64-bit signed integer, also as two halves (Windows compatibility). */
typedef union _LARGE_INTEGER {
    /** The value as two halves. */
    struct {
        DWORD LowPart; /**< low 32 bits */
        LONG HighPart; /**< high 32 bits */
    };
    LONGLONG QuadPart; /**< the value */
} LARGE_INTEGER;
/** Pointer to a LARGE_INTEGER. */
typedef LARGE_INTEGER *PLARGE_INTEGER;

/** A counted wide string (Windows compatibility; the native API passes NUL-terminated PWSTR). */
typedef struct _UNICODE_STRING {
    USHORT Length;        /**< bytes, without terminator */
    USHORT MaximumLength; /**< bytes */
    PWSTR Buffer;         /**< the characters */
} UNICODE_STRING;
/** Pointer to a UNICODE_STRING. */
typedef UNICODE_STRING *PUNICODE_STRING;

/** The result of an operation: a status and a count (ResolveReparsePoints, FspFileSystemResolveReparsePoints()). */
typedef struct _IO_STATUS_BLOCK {
    NTSTATUS Status;    /**< the operation's status */
    UINT64 Information; /**< bytes transferred, or a reparse tag with STATUS_REPARSE */
} IO_STATUS_BLOCK;
/** Pointer to an IO_STATUS_BLOCK. */
typedef IO_STATUS_BLOCK *PIO_STATUS_BLOCK;

/** A globally unique identifier, in Windows' layout (the GUID of non-Microsoft reparse data). */
typedef struct _GUID {
    UINT32 Data1;   /**< first 8 hex digits */
    UINT16 Data2;   /**< next 4 */
    UINT16 Data3;   /**< next 4 */
    UINT8 Data4[8]; /**< last 16 */
} GUID;

/* ---- file attributes ---- */
/** Read-only file. Reported only; attributes cannot be changed from Linux. */
#define FILE_ATTRIBUTE_READONLY 0x00000001
/** Hidden file (not visible on Linux). */
#define FILE_ATTRIBUTE_HIDDEN 0x00000002
/** System file (not visible on Linux). */
#define FILE_ATTRIBUTE_SYSTEM 0x00000004
/** A directory: the engine reports S_IFDIR. mkdir(2) creates with it. */
#define FILE_ATTRIBUTE_DIRECTORY 0x00000010
/** Archive bit; creat(2) and mknod(2) of a regular file create with it. */
#define FILE_ATTRIBUTE_ARCHIVE 0x00000020
/** Reserved (Windows devices). */
#define FILE_ATTRIBUTE_DEVICE 0x00000040
/** No other attribute set (Windows convention). */
#define FILE_ATTRIBUTE_NORMAL 0x00000080
/** Temporary file (not visible on Linux). */
#define FILE_ATTRIBUTE_TEMPORARY 0x00000100
/** Sparse file (not visible on Linux). */
#define FILE_ATTRIBUTE_SPARSE_FILE 0x00000200
/** The file has reparse data (FSP_FSCTL_FILE_INFO::ReparseTag). With IO_REPARSE_TAG_SYMLINK the engine reports a symbolic link, with IO_REPARSE_TAG_NFS a FIFO, socket or device; symlink(2) and mknod(2) of special files create with it. */
#define FILE_ATTRIBUTE_REPARSE_POINT 0x00000400
/** Compressed file (not visible on Linux). */
#define FILE_ATTRIBUTE_COMPRESSED 0x00000800
/** Offline file (not visible on Linux). */
#define FILE_ATTRIBUTE_OFFLINE 0x00001000
/** Not indexed (not visible on Linux). */
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000
/** Encrypted file (not visible on Linux). */
#define FILE_ATTRIBUTE_ENCRYPTED 0x00004000

/* ---- access rights ---- */
/** Right to read a file's data. */
#define FILE_READ_DATA 0x0001
/** Right to list a directory (same bit as FILE_READ_DATA); opendir(3) asks for it. */
#define FILE_LIST_DIRECTORY 0x0001
/** Right to write a file's data (truncate(2) asks for it). */
#define FILE_WRITE_DATA 0x0002
/** Right to create a file in a directory (same bit as FILE_WRITE_DATA). */
#define FILE_ADD_FILE 0x0002
/** Right to append to a file. */
#define FILE_APPEND_DATA 0x0004
/** Right to create a subdirectory (same bit as FILE_APPEND_DATA). */
#define FILE_ADD_SUBDIRECTORY 0x0004
/** Right to read extended attributes (getxattr(2)). */
#define FILE_READ_EA 0x0008
/** Right to write extended attributes (setxattr(2), removexattr(2)). */
#define FILE_WRITE_EA 0x0010
/** Right to execute a file. */
#define FILE_EXECUTE 0x0020
/** Right to traverse a directory (same bit as FILE_EXECUTE). */
#define FILE_TRAVERSE 0x0020
/** Right to delete entries of a directory. */
#define FILE_DELETE_CHILD 0x0040
/** Right to read attributes; every open the engine makes for itself asks for at least this. */
#define FILE_READ_ATTRIBUTES 0x0080
/** Right to change attributes and times (utimensat(2)). */
#define FILE_WRITE_ATTRIBUTES 0x0100
/** Right to delete or rename; unlink(2), rmdir(2) and rename(2) open with it, and so does a new file made by open(O_CREAT). */
#define DELETE 0x00010000
/** Right to read the security descriptor. */
#define READ_CONTROL 0x00020000
/** Right to change the DACL (chmod(2)). */
#define WRITE_DAC 0x00040000
/** Right to change the owner (chown(2)). */
#define WRITE_OWNER 0x00080000
/** Right to wait on the file (Windows); part of the generic mappings. */
#define SYNCHRONIZE 0x00100000
/** DELETE, READ_CONTROL, WRITE_DAC and WRITE_OWNER. */
#define STANDARD_RIGHTS_REQUIRED 0x000F0000
/** Standard rights of a read (READ_CONTROL). */
#define STANDARD_RIGHTS_READ READ_CONTROL
/** Standard rights of a write (READ_CONTROL). */
#define STANDARD_RIGHTS_WRITE READ_CONTROL
/** Standard rights of an execute (READ_CONTROL). */
#define STANDARD_RIGHTS_EXECUTE READ_CONTROL
/** All standard rights. */
#define STANDARD_RIGHTS_ALL 0x001F0000
/** Right to read or change the SACL. */
#define ACCESS_SYSTEM_SECURITY 0x01000000
/** Ask for every right the caller has (Windows). */
#define MAXIMUM_ALLOWED 0x02000000
/** Generic all; maps to FILE_ALL_ACCESS (FspGetFileGenericMapping()). */
#define GENERIC_ALL 0x10000000
/** Generic execute; maps to FILE_GENERIC_EXECUTE. */
#define GENERIC_EXECUTE 0x20000000
/** Generic write; maps to FILE_GENERIC_WRITE. */
#define GENERIC_WRITE 0x40000000
/** Generic read; maps to FILE_GENERIC_READ. */
#define GENERIC_READ 0x80000000
/** Every file right. */
#define FILE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF)
/** The rights of a read: the access the engine passes for open(O_RDONLY). */
#define FILE_GENERIC_READ \
    (STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE)
/** The rights of a write: with FILE_READ_ATTRIBUTES, the access the engine passes for open(O_WRONLY). */
#define FILE_GENERIC_WRITE                                                                   \
    (STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA |      \
     FILE_APPEND_DATA | SYNCHRONIZE)
/** The rights of an execute. */
#define FILE_GENERIC_EXECUTE \
    (STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE)

/** How the GENERIC_* rights map to specific rights (FspGetFileGenericMapping()). */
typedef struct _GENERIC_MAPPING {
    ACCESS_MASK GenericRead;    /**< what GENERIC_READ stands for */
    ACCESS_MASK GenericWrite;   /**< what GENERIC_WRITE stands for */
    ACCESS_MASK GenericExecute; /**< what GENERIC_EXECUTE stands for */
    ACCESS_MASK GenericAll;     /**< what GENERIC_ALL stands for */
} GENERIC_MAPPING;
/** Pointer to a GENERIC_MAPPING. */
typedef GENERIC_MAPPING *PGENERIC_MAPPING;

/* ---- create dispositions and options (NtCreateFile) ---- */
/** Create disposition: replace the file if it exists (Windows; the engine never asks for it). */
#define FILE_SUPERSEDE 0x00000000
/** Create disposition: open an existing file. Every Open call has it (FSP_FSCTL_TRANSACT_REQ Create.CreateOptions >> 24). */
#define FILE_OPEN 0x00000001
/** Create disposition: create, fail if the name exists. Every Create/CreateEx call has it. */
#define FILE_CREATE 0x00000002
/** Create disposition: open or create (Windows; the engine never asks for it). */
#define FILE_OPEN_IF 0x00000003
/** Create disposition: open and truncate (Windows; the engine calls Overwrite instead). */
#define FILE_OVERWRITE 0x00000004
/** Create disposition: open and truncate, or create (Windows; not used). */
#define FILE_OVERWRITE_IF 0x00000005

/** Create option: the file is a directory. Create/CreateEx get it for mkdir(2). */
#define FILE_DIRECTORY_FILE 0x00000001
/** Create option: write through (Windows; not passed). */
#define FILE_WRITE_THROUGH 0x00000002
/** Create option: sequential access (Windows; not passed). */
#define FILE_SEQUENTIAL_ONLY 0x00000004
/** Create option: no buffering (Windows; not passed). */
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008
/** Create option: synchronous I/O (Windows; not passed). */
#define FILE_SYNCHRONOUS_IO_ALERT 0x00000010
/** Create option: synchronous I/O (Windows; not passed). */
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
/** Create option: the file is not a directory. Create/CreateEx get it for creat(2), mknod(2) and symlink(2). */
#define FILE_NON_DIRECTORY_FILE 0x00000040
/** Create option (Windows; not passed). */
#define FILE_CREATE_TREE_CONNECTION 0x00000080
/** Create option (Windows; not passed). */
#define FILE_COMPLETE_IF_OPLOCKED 0x00000100
/** Create option (Windows; not passed). */
#define FILE_NO_EA_KNOWLEDGE 0x00000200
/** Create option (Windows; not passed). */
#define FILE_OPEN_REMOTE_INSTANCE 0x00000400
/** Create option: random access (Windows; not passed). */
#define FILE_RANDOM_ACCESS 0x00000800
/** Create option: delete at the last close (Windows; never passed: deletion is POSIX-style). */
#define FILE_DELETE_ON_CLOSE 0x00001000
/** Create option (Windows; not passed). */
#define FILE_OPEN_BY_FILE_ID 0x00002000
/** Create option (Windows; not passed). */
#define FILE_OPEN_FOR_BACKUP_INTENT 0x00004000
/** Create option (Windows; not passed). */
#define FILE_NO_COMPRESSION 0x00008000
/** Create option (Windows; not passed). */
#define FILE_OPEN_REQUIRING_OPLOCK 0x00010000
/** Create option (Windows; not passed). */
#define FILE_RESERVE_OPFILTER 0x00100000
/** Create option: open a reparse point itself, do not follow it. The only option Open ever receives: the engine never asks a file system to follow reparse points. */
#define FILE_OPEN_REPARSE_POINT 0x00200000
/** Create option (Windows; not passed). */
#define FILE_OPEN_NO_RECALL 0x00400000
/** Create option (Windows; not passed). */
#define FILE_OPEN_FOR_FREE_SPACE_QUERY 0x00800000

/* IO_STATUS_BLOCK.Information values for Create */
/** IO_STATUS_BLOCK::Information after a create: superseded (Windows). */
#define FILE_SUPERSEDED 0x00000000
/** IO_STATUS_BLOCK::Information after a create: opened (Windows). */
#define FILE_OPENED 0x00000001
/** IO_STATUS_BLOCK::Information after a create: created (Windows). */
#define FILE_CREATED 0x00000002
/** IO_STATUS_BLOCK::Information after a create: overwritten (Windows). */
#define FILE_OVERWRITTEN 0x00000003
/** IO_STATUS_BLOCK::Information after a create: exists (Windows). */
#define FILE_EXISTS 0x00000004
/** IO_STATUS_BLOCK::Information after a create: does not exist (Windows). */
#define FILE_DOES_NOT_EXIST 0x00000005

/* ---- information classes used by the transact protocol ---- */
/** Information class of SetBasicInfo calls (FSP_FSCTL_TRANSACT_REQ SetInformation.FileInformationClass). */
#define FileBasicInformation 4
/** Information class of Rename calls (exclusive operation guard). */
#define FileRenameInformation 10
/** Information class of SetDelete/CanDelete calls (shared operation guard). */
#define FileDispositionInformation 13
/** Information class of SetFileSize with SetAllocationSize TRUE (fallocate(FALLOC_FL_KEEP_SIZE)). */
#define FileAllocationInformation 19
/** Information class of SetFileSize with SetAllocationSize FALSE (truncate(2), fallocate(2)). */
#define FileEndOfFileInformation 20
/** Information class of extended disposition (Windows; classified like FileDispositionInformation by the guard). */
#define FileDispositionInformationEx 64
/** Information class of extended rename (Windows; classified like FileRenameInformation by the guard). */
#define FileRenameInformationEx 65
/** Volume information class (Windows). */
#define FileFsVolumeInformation 1
/** Volume information class of a label change (Windows; SetVolumeLabel is never called). */
#define FileFsLabelInformation 2
/** Volume information class of sizes (Windows). */
#define FileFsSizeInformation 3
/** Volume information class of attributes (Windows). */
#define FileFsAttributeInformation 5

/* rename and disposition flags (FileRenameInformationEx, FileDispositionInformationEx) */
/** Rename flag: replace an existing target (Windows). */
#define FILE_RENAME_REPLACE_IF_EXISTS 0x00000001
/** Rename flag: POSIX semantics (Windows). */
#define FILE_RENAME_POSIX_SEMANTICS 0x00000002
/** Rename flag: ignore the read-only attribute (Windows). */
#define FILE_RENAME_IGNORE_READONLY_ATTRIBUTE 0x00000040
/** Disposition flag: do not delete (Windows). */
#define FILE_DISPOSITION_DO_NOT_DELETE 0x00000000
/** Disposition flag: delete (Windows). */
#define FILE_DISPOSITION_DELETE 0x00000001
/** Disposition flag: POSIX semantics (Windows; LinFsp's deletion is always POSIX-style). */
#define FILE_DISPOSITION_POSIX_SEMANTICS 0x00000002
/** Disposition flag: ignore the read-only attribute (Windows). */
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010

/* ---- security ---- */
/** The owner of a security descriptor. SetSecurity always gets OWNER|GROUP|DACL. */
#define OWNER_SECURITY_INFORMATION 0x00000001
/** The primary group of a security descriptor. */
#define GROUP_SECURITY_INFORMATION 0x00000002
/** The DACL (discretionary access control list) of a security descriptor. */
#define DACL_SECURITY_INFORMATION 0x00000004
/** The SACL (system access control list) of a security descriptor. */
#define SACL_SECURITY_INFORMATION 0x00000008
/** The mandatory label of a security descriptor (Windows). */
#define LABEL_SECURITY_INFORMATION 0x00000010
/** Mark the DACL protected (FspSetSecurityDescriptor() honours it). */
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000
/** Mark the SACL protected (Windows). */
#define PROTECTED_SACL_SECURITY_INFORMATION 0x40000000
/** Mark the DACL unprotected (FspSetSecurityDescriptor() honours it). */
#define UNPROTECTED_DACL_SECURITY_INFORMATION 0x20000000
/** Mark the SACL unprotected (Windows). */
#define UNPROTECTED_SACL_SECURITY_INFORMATION 0x10000000

/** The only SID revision (SID::Revision). */
#define SID_REVISION 1
/** Most sub-authorities a SID may have. */
#define SID_MAX_SUB_AUTHORITIES 15
/** Largest SID in bytes (68). */
#define SECURITY_MAX_SID_SIZE (8 + SID_MAX_SUB_AUTHORITIES * 4)

/** The 48-bit identifier authority of a SID (the 5 of S-1-5-18), big-endian. */
typedef struct _SID_IDENTIFIER_AUTHORITY {
    BYTE Value[6]; /**< the authority, most significant byte first */
} SID_IDENTIFIER_AUTHORITY;
/** Pointer to a SID_IDENTIFIER_AUTHORITY. */
typedef SID_IDENTIFIER_AUTHORITY *PSID_IDENTIFIER_AUTHORITY;

/**
 * A security identifier in its Windows binary layout (variable length:
 * 8 + 4 * SubAuthorityCount bytes). Linux uids and gids map to
 * S-1-22-1-UID and S-1-22-2-GID (FspPosixMapUidToSid()).
 */
typedef struct _SID {
    BYTE Revision;                                /**< SID_REVISION */
    BYTE SubAuthorityCount;                       /**< number of sub-authorities, at most SID_MAX_SUB_AUTHORITIES */
    SID_IDENTIFIER_AUTHORITY IdentifierAuthority; /**< the authority */
    DWORD SubAuthority[1];                        /**< SubAuthorityCount entries (the array runs past its declared size) */
} SID;
/** A SID passed by address; an opaque pointer as in Windows (the API validates before reading). */
typedef PVOID PSID;

/** ACL revision of ACLs with only allow/deny/audit ACEs; the API builds these. */
#define ACL_REVISION 2
/** ACL revision that allows object ACEs (accepted by validation, not built). */
#define ACL_REVISION_DS 4

/** An access control list header; AceCount ACEs follow it back to back, each 4-byte aligned. */
typedef struct _ACL {
    BYTE AclRevision; /**< ACL_REVISION or ACL_REVISION_DS */
    BYTE Sbz1;        /**< padding, 0 */
    WORD AclSize;     /**< bytes, including the header and every ACE */
    WORD AceCount;    /**< number of ACEs */
    WORD Sbz2;        /**< padding, 0 */
} ACL;
/** Pointer to an ACL. */
typedef ACL *PACL;

/** The header every ACE starts with. */
typedef struct _ACE_HEADER {
    BYTE AceType;  /**< ACCESS_ALLOWED_ACE_TYPE, ACCESS_DENIED_ACE_TYPE, ... */
    BYTE AceFlags; /**< inheritance and audit flags (OBJECT_INHERIT_ACE, ...) */
    WORD AceSize;  /**< bytes of the whole ACE, a multiple of 4 */
} ACE_HEADER;
/** Pointer to an ACE_HEADER. */
typedef ACE_HEADER *PACE_HEADER;

/** ACE type: allow (SDDL "A"). */
#define ACCESS_ALLOWED_ACE_TYPE 0x0
/** ACE type: deny (SDDL "D"). */
#define ACCESS_DENIED_ACE_TYPE 0x1
/** ACE type: audit, in a SACL (SDDL "AU"). */
#define SYSTEM_AUDIT_ACE_TYPE 0x2
/** ACE type: mandatory label (validated, not interpreted). */
#define SYSTEM_MANDATORY_LABEL_ACE_TYPE 0x11

/** ACE flag: inherited by files (SDDL "OI"). */
#define OBJECT_INHERIT_ACE 0x01
/** ACE flag: inherited by directories (SDDL "CI"). */
#define CONTAINER_INHERIT_ACE 0x02
/** ACE flag: inherited one level only (SDDL "NP"). */
#define NO_PROPAGATE_INHERIT_ACE 0x04
/** ACE flag: only for inheritance, not applied here (SDDL "IO"). */
#define INHERIT_ONLY_ACE 0x08
/** ACE flag: the ACE was inherited (SDDL "ID"). */
#define INHERITED_ACE 0x10
/** All inheritance flags. */
#define VALID_INHERIT_FLAGS 0x1F
/** Audit ACE flag: audit successes (SDDL "SA"). */
#define SUCCESSFUL_ACCESS_ACE_FLAG 0x40
/** Audit ACE flag: audit failures (SDDL "FA"). */
#define FAILED_ACCESS_ACE_FLAG 0x80

/** An allow ACE; deny and audit ACEs share its layout. */
typedef struct _ACCESS_ALLOWED_ACE {
    ACE_HEADER Header; /**< type, flags and size */
    ACCESS_MASK Mask;  /**< the rights allowed, denied or audited */
    DWORD SidStart;    /**< the SID starts here (and runs to the end of the ACE) */
} ACCESS_ALLOWED_ACE;
/** Pointer to an ACCESS_ALLOWED_ACE. */
typedef ACCESS_ALLOWED_ACE *PACCESS_ALLOWED_ACE;
/** A deny ACE (same layout as ACCESS_ALLOWED_ACE). */
typedef ACCESS_ALLOWED_ACE ACCESS_DENIED_ACE;
/** Pointer to an ACCESS_DENIED_ACE. */
typedef ACCESS_ALLOWED_ACE *PACCESS_DENIED_ACE;
/** An audit ACE (same layout as ACCESS_ALLOWED_ACE). */
typedef ACCESS_ALLOWED_ACE SYSTEM_AUDIT_ACE;
/** Pointer to a SYSTEM_AUDIT_ACE. */
typedef ACCESS_ALLOWED_ACE *PSYSTEM_AUDIT_ACE;

/** The only security descriptor revision. */
#define SECURITY_DESCRIPTOR_REVISION 1
/** The control bits of a security descriptor (SE_*). */
typedef WORD SECURITY_DESCRIPTOR_CONTROL;
/** Pointer to a SECURITY_DESCRIPTOR_CONTROL. */
typedef WORD *PSECURITY_DESCRIPTOR_CONTROL;
/** Security descriptor control: the owner was defaulted. */
#define SE_OWNER_DEFAULTED 0x0001
/** Security descriptor control: the group was defaulted. */
#define SE_GROUP_DEFAULTED 0x0002
/** Security descriptor control: a DACL is present (a present DACL at offset 0 is a NULL DACL, which grants everything). */
#define SE_DACL_PRESENT 0x0004
/** Security descriptor control: the DACL was defaulted. */
#define SE_DACL_DEFAULTED 0x0008
/** Security descriptor control: a SACL is present. */
#define SE_SACL_PRESENT 0x0010
/** Security descriptor control: the SACL was defaulted. */
#define SE_SACL_DEFAULTED 0x0020
/** Security descriptor control: DACL auto-inheritance requested (SDDL "AR"). */
#define SE_DACL_AUTO_INHERIT_REQ 0x0100
/** Security descriptor control: SACL auto-inheritance requested. */
#define SE_SACL_AUTO_INHERIT_REQ 0x0200
/** Security descriptor control: the DACL was built by inheritance (SDDL "AI"). */
#define SE_DACL_AUTO_INHERITED 0x0400
/** Security descriptor control: the SACL was built by inheritance. */
#define SE_SACL_AUTO_INHERITED 0x0800
/** Security descriptor control: the DACL does not inherit (SDDL "P"); DACLs made from POSIX modes are protected. */
#define SE_DACL_PROTECTED 0x1000
/** Security descriptor control: the SACL does not inherit. */
#define SE_SACL_PROTECTED 0x2000
/** Security descriptor control: resource manager bits valid (Windows). */
#define SE_RM_CONTROL_VALID 0x4000
/** Security descriptor control: self-relative form. LinFsp handles only self-relative descriptors; validation requires this bit. */
#define SE_SELF_RELATIVE 0x8000

/**
 * The header of a self-relative security descriptor. The owner, group, SACL
 * and DACL follow in the same block; their offsets count from its start and
 * 0 means absent. FspIsValidSecurityDescriptor() checks every offset, SID and
 * ACE against the block's size.
 */
typedef struct _SECURITY_DESCRIPTOR_RELATIVE {
    BYTE Revision;                       /**< SECURITY_DESCRIPTOR_REVISION */
    BYTE Sbz1;                           /**< padding, 0 */
    SECURITY_DESCRIPTOR_CONTROL Control; /**< SE_* bits; SE_SELF_RELATIVE is required */
    DWORD Owner;                         /**< offset of the owner SID, or 0 */
    DWORD Group;                         /**< offset of the group SID, or 0 */
    DWORD Sacl;                          /**< offset of the SACL, or 0 */
    DWORD Dacl;                          /**< offset of the DACL, or 0 (with SE_DACL_PRESENT: a NULL DACL) */
} SECURITY_DESCRIPTOR_RELATIVE;
/** Pointer to a SECURITY_DESCRIPTOR_RELATIVE. */
typedef SECURITY_DESCRIPTOR_RELATIVE *PISECURITY_DESCRIPTOR_RELATIVE;
/**
 * A security descriptor: an opaque block of bytes in self-relative form
 * (SECURITY_DESCRIPTOR_RELATIVE and what follows). Absolute descriptors are
 * not supported anywhere in LinFsp. Descriptors the API allocates are
 * malloc'ed; free them with FspDeleteSecurityDescriptor().
 */
typedef PVOID PSECURITY_DESCRIPTOR;

/* ---- reparse points ---- */
/** Reparse tag of Windows junctions (mount points); not given a POSIX meaning. */
#define IO_REPARSE_TAG_MOUNT_POINT 0xA0000003u
/** Reparse tag of symbolic links. The engine stores symlink(2) targets under it (REPARSE_DATA_BUFFER::SymbolicLinkReparseBuffer: the POSIX target in Windows form, relative unless it starts with "/") and reports S_IFLNK for it. */
#define IO_REPARSE_TAG_SYMLINK 0xA000000Cu
/** Reparse tag of NFS special files. The engine stores FIFOs, sockets and devices made by mknod(2) under it (NFS_SPECFILE_*) and reports their type. */
#define IO_REPARSE_TAG_NFS 0x80000014u
/** Reparse tag of WSL symbolic links (defined for completeness; not interpreted). */
#define IO_REPARSE_TAG_LX_SYMLINK 0xA000001Du
/** True for Microsoft reparse tags (high bit set), whose data has no GUID. @param Tag a reparse tag */
#define IsReparseTagMicrosoft(Tag) ((Tag) & 0x80000000u)
/** True for tags that stand for another name (symlinks, junctions). @param Tag a reparse tag */
#define IsReparseTagNameSurrogate(Tag) ((Tag) & 0x20000000u)
/** SymbolicLinkReparseBuffer.Flags: the target is relative to the link's directory. */
#define SYMLINK_FLAG_RELATIVE 0x00000001
/** Largest reparse data in bytes: 32 KiB on LinFsp (Windows: 16 KiB), so that with 4-byte WCHARs a symlink target holds as many characters as on Windows, and every Linux target (up to PATH_MAX - 1 = 4095 bytes) fits (with its print name up to 4091 characters). The size of the buffer the engine passes to GetReparsePoint. */
#define MAXIMUM_REPARSE_DATA_BUFFER_SIZE (32 * 1024)

/**
 * The reparse data of a file with FILE_ATTRIBUTE_REPARSE_POINT: the buffer
 * GetReparsePoint fills and SetReparsePoint / CreateEx receive. Microsoft tags
 * use the layouts below; other tags use REPARSE_GUID_DATA_BUFFER. Name offsets
 * and lengths are in bytes, and WCHAR is 4 bytes on LinFsp.
 */
typedef struct _REPARSE_DATA_BUFFER {
    ULONG ReparseTag;         /**< IO_REPARSE_TAG_* */
    USHORT ReparseDataLength; /**< bytes after the first 8 (REPARSE_DATA_BUFFER_HEADER_SIZE) */
    USHORT Reserved;          /**< 0 */
    /** The tag-specific data. */
    union {
        /** IO_REPARSE_TAG_SYMLINK. The engine writes the target as the substitute name and again as the print name (dropped when both do not fit). */
        struct {
            USHORT SubstituteNameOffset; /**< bytes into PathBuffer */
            USHORT SubstituteNameLength; /**< bytes, no NUL */
            USHORT PrintNameOffset;      /**< bytes into PathBuffer */
            USHORT PrintNameLength;      /**< bytes, no NUL */
            ULONG Flags;                 /**< SYMLINK_FLAG_RELATIVE or 0 */
            WCHAR PathBuffer[1];         /**< the names (the array runs past its declared size) */
        } SymbolicLinkReparseBuffer;
        /** IO_REPARSE_TAG_MOUNT_POINT (Windows junctions). */
        struct {
            USHORT SubstituteNameOffset; /**< bytes into PathBuffer */
            USHORT SubstituteNameLength; /**< bytes, no NUL */
            USHORT PrintNameOffset;      /**< bytes into PathBuffer */
            USHORT PrintNameLength;      /**< bytes, no NUL */
            WCHAR PathBuffer[1];         /**< the names */
        } MountPointReparseBuffer;
        /** Any other Microsoft tag, e.g. IO_REPARSE_TAG_NFS (a UINT64 NFS_SPECFILE_* type, then major and minor for devices). */
        struct {
            UCHAR DataBuffer[1]; /**< ReparseDataLength bytes */
        } GenericReparseBuffer;
    };
} REPARSE_DATA_BUFFER;
/** Pointer to a REPARSE_DATA_BUFFER. */
typedef REPARSE_DATA_BUFFER *PREPARSE_DATA_BUFFER;
/** Bytes of REPARSE_DATA_BUFFER before its tag-specific data (8). */
#define REPARSE_DATA_BUFFER_HEADER_SIZE FIELD_OFFSET(REPARSE_DATA_BUFFER, GenericReparseBuffer)

/** Reparse data of tags that are not Microsoft's: they carry a GUID (FspFileSystemCanReplaceReparsePoint() compares it). */
typedef struct _REPARSE_GUID_DATA_BUFFER {
    ULONG ReparseTag;         /**< the tag (high bit clear) */
    USHORT ReparseDataLength; /**< bytes after the first 8 */
    USHORT Reserved;          /**< 0 */
    GUID ReparseGuid;         /**< identifies the owner of the data */
    /** The data. */
    struct {
        UCHAR DataBuffer[1]; /**< the tag owner's bytes */
    } GenericReparseBuffer;
} REPARSE_GUID_DATA_BUFFER;
/** Pointer to a REPARSE_GUID_DATA_BUFFER. */
typedef REPARSE_GUID_DATA_BUFFER *PREPARSE_GUID_DATA_BUFFER;
/** Bytes of REPARSE_GUID_DATA_BUFFER before its data (24). */
#define REPARSE_GUID_DATA_BUFFER_HEADER_SIZE \
    FIELD_OFFSET(REPARSE_GUID_DATA_BUFFER, GenericReparseBuffer)

/* NFS special files (IO_REPARSE_TAG_NFS): DataBuffer starts with a UINT64 type. */
/** IO_REPARSE_TAG_NFS type: symbolic link (not made by the engine, which uses IO_REPARSE_TAG_SYMLINK). */
#define NFS_SPECFILE_LNK 0x00000000014B4E4CULL
/** IO_REPARSE_TAG_NFS type: character device; two UINT32 follow (major, minor). */
#define NFS_SPECFILE_CHR 0x0000000000524843ULL
/** IO_REPARSE_TAG_NFS type: block device; two UINT32 follow (major, minor). */
#define NFS_SPECFILE_BLK 0x00000000004B4C42ULL
/** IO_REPARSE_TAG_NFS type: FIFO (named pipe). */
#define NFS_SPECFILE_FIFO 0x000000004F464946ULL
/** IO_REPARSE_TAG_NFS type: socket. */
#define NFS_SPECFILE_SOCK 0x000000004B434F53ULL

/* FSCTL codes forwarded to the reparse-point operations */
/** File system control code of SetReparsePoint calls (FSP_FSCTL_TRANSACT_REQ FileSystemControl.FsControlCode). */
#define FSCTL_SET_REPARSE_POINT 0x000900A4u
/** File system control code of GetReparsePoint calls. */
#define FSCTL_GET_REPARSE_POINT 0x000900A8u
/** File system control code of DeleteReparsePoint (never called on LinFsp). */
#define FSCTL_DELETE_REPARSE_POINT 0x000900ACu

/* ---- extended attributes ---- */
/** FILE_FULL_EA_INFORMATION::Flags: the file needs this EA to be understood (Windows; stored, not interpreted). */
#define FILE_NEED_EA 0x00000080

/**
 * One extended attribute (EA) in a list: entries are 4-byte aligned and
 * chained by NextEntryOffset; 0 ends the list. On LinFsp EAs carry Linux
 * extended attributes: the full name ("user.comment") is the EA name, as
 * Linux gave it with VolumeParams.CaseSensitiveExtendedAttributes, else with
 * its case encoded (doc/native-api.md); an EA with an empty value means
 * "delete" in SetEa.
 * FspFileSystemAddEa() builds lists, FspFileSystemEnumerateEa() walks them.
 */
typedef struct _FILE_FULL_EA_INFORMATION {
    ULONG NextEntryOffset; /**< bytes from this entry to the next, 0 for the last */
    UCHAR Flags;           /**< FILE_NEED_EA or 0 */
    UCHAR EaNameLength;    /**< bytes, without the NUL that follows the name (at most 255) */
    USHORT EaValueLength;  /**< bytes of the value */
    CHAR EaName[1];        /**< the name, a NUL, then the value */
} FILE_FULL_EA_INFORMATION;
/** Pointer to a FILE_FULL_EA_INFORMATION (an EA list). */
typedef FILE_FULL_EA_INFORMATION *PFILE_FULL_EA_INFORMATION;

/* ---- device control codes ---- */
/** CTL_CODE() transfer method (Windows; source compatibility only). */
#define METHOD_BUFFERED 0
/** CTL_CODE() transfer method (Windows; source compatibility only). */
#define METHOD_IN_DIRECT 1
/** CTL_CODE() transfer method (Windows; source compatibility only). */
#define METHOD_OUT_DIRECT 2
/** CTL_CODE() transfer method (Windows; source compatibility only). */
#define METHOD_NEITHER 3
/** CTL_CODE() access (Windows; source compatibility only). */
#define FILE_ANY_ACCESS 0
/** CTL_CODE() access (Windows; source compatibility only). */
#define FILE_READ_ACCESS 1
/** CTL_CODE() access (Windows; source compatibility only). */
#define FILE_WRITE_ACCESS 2
/** Windows device control code from its parts (computed in DWORD). Kept for source compatibility only: on LinFsp the Control member receives Linux ioctl(2) request numbers (_IOR/_IOW/_IOWR), not CTL_CODE values. @param DeviceType device type @param Function function number @param Method METHOD_* @param Access FILE_*_ACCESS */
#define CTL_CODE(DeviceType, Function, Method, Access)                                       \
    (((DWORD)(DeviceType) << 16) | ((DWORD)(Access) << 14) | ((DWORD)(Function) << 2) |      \
     (DWORD)(Method))
/** The device type part of a CTL_CODE(). @param ctrlCode a control code */
#define DEVICE_TYPE_FROM_CTL_CODE(ctrlCode) (((DWORD)((ctrlCode) & 0xffff0000)) >> 16)
/** CTL_CODE() device type: a disk (Windows; source compatibility only). */
#define FILE_DEVICE_DISK 0x00000007
/** CTL_CODE() device type: a file system (WinFsp's driver control codes use it). */
#define FILE_DEVICE_FILE_SYSTEM 0x00000009
/** CTL_CODE() device type: a network file system (Windows; source compatibility only). */
#define FILE_DEVICE_NETWORK_FILE_SYSTEM 0x00000014

/*
 * Win32 error codes (Windows values), as FspNtStatusFromWin32() and FspWin32FromNtStatus()
 * convert them and <winfsp/win32-compat.h>'s GetLastError() reports them. Each says the
 * NTSTATUS FspNtStatusFromWin32() gives for it.
 */
/** Win32 error: success. */
#define ERROR_SUCCESS 0
/** Win32 error: success (ERROR_SUCCESS). */
#define NO_ERROR 0
/** Win32 error: the function is not supported; STATUS_INVALID_DEVICE_REQUEST. */
#define ERROR_INVALID_FUNCTION 1
/** Win32 error: the file does not exist; STATUS_OBJECT_NAME_NOT_FOUND. */
#define ERROR_FILE_NOT_FOUND 2
/** Win32 error: a directory of the path does not exist; STATUS_OBJECT_PATH_NOT_FOUND. */
#define ERROR_PATH_NOT_FOUND 3
/** Win32 error: too many open files; STATUS_TOO_MANY_OPENED_FILES. */
#define ERROR_TOO_MANY_OPEN_FILES 4
/** Win32 error: access denied; STATUS_ACCESS_DENIED. */
#define ERROR_ACCESS_DENIED 5
/** Win32 error: the handle is not valid; STATUS_INVALID_HANDLE. */
#define ERROR_INVALID_HANDLE 6
/** Win32 error: out of memory; STATUS_INSUFFICIENT_RESOURCES. */
#define ERROR_NOT_ENOUGH_MEMORY 8
/** Win32 error: the access code is not valid; STATUS_INVALID_LOCK_SEQUENCE. */
#define ERROR_INVALID_ACCESS 12
/** Win32 error: the data is not valid; STATUS_INVALID_PARAMETER. */
#define ERROR_INVALID_DATA 13
/** Win32 error: out of memory; STATUS_INSUFFICIENT_RESOURCES. */
#define ERROR_OUTOFMEMORY 14
/** Win32 error: no such drive; STATUS_NO_SUCH_DEVICE. */
#define ERROR_INVALID_DRIVE 15
/** Win32 error: not the same device; STATUS_NOT_SAME_DEVICE. */
#define ERROR_NOT_SAME_DEVICE 17
/** Win32 error: no more files; STATUS_NO_MORE_FILES. */
#define ERROR_NO_MORE_FILES 18
/** Win32 error: the medium is write-protected; STATUS_MEDIA_WRITE_PROTECTED. */
#define ERROR_WRITE_PROTECT 19
/** Win32 error: the device is not ready; STATUS_DEVICE_NOT_READY. */
#define ERROR_NOT_READY 21
/** Win32 error: a data error (checksum); STATUS_CRC_ERROR. */
#define ERROR_CRC 23
/** Win32 error: a length is wrong; STATUS_INFO_LENGTH_MISMATCH. */
#define ERROR_BAD_LENGTH 24
/** Win32 error: the position cannot be reached; STATUS_INVALID_PARAMETER. */
#define ERROR_SEEK 25
/** Win32 error: the device failed; STATUS_UNSUCCESSFUL. */
#define ERROR_GEN_FAILURE 31
/** Win32 error: the file is in use; STATUS_SHARING_VIOLATION. */
#define ERROR_SHARING_VIOLATION 32
/** Win32 error: a lock conflicts; STATUS_FILE_LOCK_CONFLICT. */
#define ERROR_LOCK_VIOLATION 33
/** Win32 error: the end of the file; STATUS_END_OF_FILE. */
#define ERROR_HANDLE_EOF 38
/** Win32 error: the disk is full; STATUS_DISK_FULL. */
#define ERROR_HANDLE_DISK_FULL 39
/** Win32 error: not supported; STATUS_NOT_SUPPORTED. */
#define ERROR_NOT_SUPPORTED 50
/** Win32 error: the network path was not found; STATUS_BAD_NETWORK_PATH. */
#define ERROR_BAD_NETPATH 53
/** Win32 error: the device does not exist; STATUS_DEVICE_DOES_NOT_EXIST. */
#define ERROR_DEV_NOT_EXIST 55
/** Win32 error: an unexpected network error; STATUS_UNEXPECTED_IO_ERROR. */
#define ERROR_UNEXP_NET_ERR 59
/** Win32 error: the network name is gone; STATUS_NETWORK_NAME_DELETED. */
#define ERROR_NETNAME_DELETED 64
/** Win32 error: network access denied; STATUS_NETWORK_ACCESS_DENIED. */
#define ERROR_NETWORK_ACCESS_DENIED 65
/** Win32 error: the network name was not found; STATUS_BAD_NETWORK_NAME. */
#define ERROR_BAD_NET_NAME 67
/** Win32 error: the file exists; STATUS_OBJECT_NAME_COLLISION. */
#define ERROR_FILE_EXISTS 80
/** Win32 error: the file or directory cannot be made; STATUS_CANNOT_MAKE. */
#define ERROR_CANNOT_MAKE 82
/** Win32 error: a parameter is not valid; STATUS_INVALID_PARAMETER. */
#define ERROR_INVALID_PARAMETER 87
/** Win32 error: the pipe is closed; STATUS_PIPE_BROKEN. */
#define ERROR_BROKEN_PIPE 109
/** Win32 error: the disk is full; STATUS_DISK_FULL. */
#define ERROR_DISK_FULL 112
/** Win32 error: the call is not implemented; STATUS_NOT_IMPLEMENTED. */
#define ERROR_CALL_NOT_IMPLEMENTED 120
/** Win32 error: the buffer is too small; STATUS_BUFFER_TOO_SMALL. */
#define ERROR_INSUFFICIENT_BUFFER 122
/** Win32 error: the name is not valid; STATUS_OBJECT_NAME_INVALID. */
#define ERROR_INVALID_NAME 123
/** Win32 error: a negative position; STATUS_INVALID_PARAMETER. */
#define ERROR_NEGATIVE_SEEK 131
/** Win32 error: the directory is not empty; STATUS_DIRECTORY_NOT_EMPTY. */
#define ERROR_DIR_NOT_EMPTY 145
/** Win32 error: the range is not locked; STATUS_RANGE_NOT_LOCKED. */
#define ERROR_NOT_LOCKED 158
/** Win32 error: the path is not valid; STATUS_OBJECT_PATH_INVALID. */
#define ERROR_BAD_PATHNAME 161
/** Win32 error: a lock could not be taken; STATUS_LOCK_NOT_GRANTED. */
#define ERROR_LOCK_FAILED 167
/** Win32 error: the resource is busy; STATUS_DEVICE_BUSY. */
#define ERROR_BUSY 170
/** Win32 error: the name exists already; STATUS_OBJECT_NAME_COLLISION. */
#define ERROR_ALREADY_EXISTS 183
/** Win32 error: the name is too long; STATUS_NAME_TOO_LONG. */
#define ERROR_FILENAME_EXCED_RANGE 206
/** Win32 error: the file is too large; STATUS_FILE_TOO_LARGE. */
#define ERROR_FILE_TOO_LARGE 223
/** Win32 error: more data is available; STATUS_BUFFER_OVERFLOW. */
#define ERROR_MORE_DATA 234
/** Win32 error: an extended attribute name is not valid; STATUS_INVALID_EA_NAME. */
#define ERROR_INVALID_EA_NAME 254
/** Win32 error: an extended attribute list is malformed; STATUS_EA_LIST_INCONSISTENT. */
#define ERROR_EA_LIST_INCONSISTENT 255
/** Win32 error: no more items; STATUS_NO_MORE_ENTRIES. */
#define ERROR_NO_MORE_ITEMS 259
/** Win32 error: not a directory (the name is not valid as one); STATUS_NOT_A_DIRECTORY. */
#define ERROR_DIRECTORY 267
/** Win32 error: the extended attributes do not fit; STATUS_EA_TOO_LARGE. */
#define ERROR_EAS_DIDNT_FIT 275
/** Win32 error: the extended attributes are corrupt; STATUS_EA_CORRUPT_ERROR. */
#define ERROR_EA_FILE_CORRUPT 276
/** Win32 error: the extended attribute table is full; STATUS_EA_TOO_LARGE. */
#define ERROR_EA_TABLE_FULL 277
/** Win32 error: no such extended attribute; STATUS_NONEXISTENT_EA_ENTRY. */
#define ERROR_INVALID_EA_HANDLE 278
/** Win32 error: extended attributes are not supported; STATUS_EAS_NOT_SUPPORTED. */
#define ERROR_EAS_NOT_SUPPORTED 282
/** Win32 error: the file is being deleted; STATUS_DELETE_PENDING. */
#define ERROR_DELETE_PENDING 303
/** Win32 error: no message for the code (what FspWin32FromNtStatus() gives for a status without a Win32 code); 0xC007013D. */
#define ERROR_MR_MID_NOT_FOUND 317
/** Win32 error: a directory is not allowed here; STATUS_DIRECTORY_NOT_SUPPORTED. */
#define ERROR_DIRECTORY_NOT_SUPPORTED 336
/** Win32 error: an arithmetic overflow; STATUS_INTEGER_OVERFLOW. */
#define ERROR_ARITHMETIC_OVERFLOW 534
/** Win32 error: the operation would wait; STATUS_CANT_WAIT. */
#define ERROR_CANT_WAIT 554
/** Win32 error: a limit of the file system; STATUS_FILE_SYSTEM_LIMITATION. */
#define ERROR_FILE_SYSTEM_LIMITATION 665
/** Win32 error: stopped on a symbolic link; STATUS_STOPPED_ON_SYMLINK. */
#define ERROR_STOPPED_ON_SYMLINK 681
/** Win32 error: the operation was aborted; STATUS_CANCELLED. */
#define ERROR_OPERATION_ABORTED 995
/** Win32 error: the operation completes later; STATUS_PENDING. */
#define ERROR_IO_PENDING 997
/** Win32 error: a bad memory access; STATUS_ACCESS_VIOLATION. */
#define ERROR_NOACCESS 998
/** Win32 error: the flags are not valid; STATUS_INVALID_PARAMETER. */
#define ERROR_INVALID_FLAGS 1004
/** Win32 error: the file is no longer valid; STATUS_FILE_INVALID. */
#define ERROR_FILE_INVALID 1006
/** Win32 error: the process ended unexpectedly (the launcher: an instance ended before it was ready); 0xC007042B. */
#define ERROR_PROCESS_ABORTED 1067
/** Win32 error: a character that cannot be mapped; STATUS_UNMAPPABLE_CHARACTER. */
#define ERROR_NO_UNICODE_TRANSLATION 1113
/** Win32 error: a shutdown is in progress (the launcher is stopping); 0xC007045B. */
#define ERROR_SHUTDOWN_IN_PROGRESS 1115
/** Win32 error: an I/O error; STATUS_IO_DEVICE_ERROR. */
#define ERROR_IO_DEVICE 1117
/** Win32 error: a possible deadlock; STATUS_POSSIBLE_DEADLOCK. */
#define ERROR_POSSIBLE_DEADLOCK 1131
/** Win32 error: too many links; STATUS_TOO_MANY_LINKS. */
#define ERROR_TOO_MANY_LINKS 1142
/** Win32 error: the device is not connected; STATUS_DEVICE_NOT_CONNECTED. */
#define ERROR_DEVICE_NOT_CONNECTED 1167
/** Win32 error: not found; STATUS_NOT_FOUND. */
#define ERROR_NOT_FOUND 1168
/** Win32 error: cancelled; STATUS_CANCELLED. */
#define ERROR_CANCELLED 1223
/** Win32 error: the connection was refused; STATUS_CONNECTION_REFUSED. */
#define ERROR_CONNECTION_REFUSED 1225
/** Win32 error: the network cannot be reached; STATUS_NETWORK_UNREACHABLE. */
#define ERROR_NETWORK_UNREACHABLE 1231
/** Win32 error: the host cannot be reached; STATUS_HOST_UNREACHABLE. */
#define ERROR_HOST_UNREACHABLE 1232
/** Win32 error: the connection was aborted; STATUS_CONNECTION_ABORTED. */
#define ERROR_CONNECTION_ABORTED 1236
/** Win32 error: try again; STATUS_RETRY. */
#define ERROR_RETRY 1237
/** Win32 error: the disk quota was exceeded; STATUS_DISK_QUOTA_EXCEEDED. */
#define ERROR_DISK_QUOTA_EXCEEDED 1295
/** Win32 error: the owner cannot be set to this SID; STATUS_INVALID_OWNER. */
#define ERROR_INVALID_OWNER 1307
/** Win32 error: a privilege is missing; STATUS_PRIVILEGE_NOT_HELD. */
#define ERROR_PRIVILEGE_NOT_HELD 1314
/** Win32 error: a wrong password; STATUS_WRONG_PASSWORD. */
#define ERROR_WRONG_PASSWORD 1323
/** Win32 error: the logon failed; STATUS_LOGON_FAILURE. */
#define ERROR_LOGON_FAILURE 1326
/** Win32 error: no account maps to the name or SID; STATUS_NONE_MAPPED. */
#define ERROR_NONE_MAPPED 1332
/** Win32 error: the ACL is not valid; STATUS_INVALID_ACL. */
#define ERROR_INVALID_ACL 1336
/** Win32 error: the SID is not valid; STATUS_INVALID_SID. */
#define ERROR_INVALID_SID 1337
/** Win32 error: the security descriptor is not valid; STATUS_INVALID_SECURITY_DESCR. */
#define ERROR_INVALID_SECURITY_DESCR 1338
/** Win32 error: an internal error; STATUS_INTERNAL_ERROR. */
#define ERROR_INTERNAL_ERROR 1359
/** Win32 error: the file is corrupt; STATUS_FILE_CORRUPT_ERROR. */
#define ERROR_FILE_CORRUPT 1392
/** Win32 error: the disk is corrupt; STATUS_DISK_CORRUPT_ERROR. */
#define ERROR_DISK_CORRUPT 1393
/** Win32 error: out of system resources (the launcher: out of memory or processes); 0xC00705AA. */
#define ERROR_NO_SYSTEM_RESOURCES 1450
/** Win32 error: timed out; STATUS_IO_TIMEOUT. */
#define ERROR_TIMEOUT 1460
/** Win32 error: the configuration is unusable (the launcher: a class file it refuses); 0xC007064A. */
#define ERROR_BAD_CONFIGURATION 1610
/** Win32 error: the buffer is not valid; STATUS_INVALID_USER_BUFFER. */
#define ERROR_INVALID_USER_BUFFER 1784
/** Win32 error: the name cannot be resolved (too many reparse points); STATUS_REPARSE_POINT_NOT_RESOLVED. */
#define ERROR_CANT_RESOLVE_FILENAME 1921
/** Win32 error: not a reparse point; STATUS_NOT_A_REPARSE_POINT. */
#define ERROR_NOT_A_REPARSE_POINT 4390
/** Win32 error: the reparse point conflicts with the file's; STATUS_REPARSE_ATTRIBUTE_CONFLICT. */
#define ERROR_REPARSE_ATTRIBUTE_CONFLICT 4391
/** Win32 error: the reparse data is not valid; STATUS_IO_REPARSE_DATA_INVALID. */
#define ERROR_INVALID_REPARSE_DATA 4392
/** Win32 error: the reparse tag is not valid; STATUS_IO_REPARSE_TAG_INVALID. */
#define ERROR_REPARSE_TAG_INVALID 4393
/** Win32 error: the reparse tag differs from the file's; STATUS_IO_REPARSE_TAG_MISMATCH. */
#define ERROR_REPARSE_TAG_MISMATCH 4394

#ifdef __cplusplus
}
#endif
#endif
