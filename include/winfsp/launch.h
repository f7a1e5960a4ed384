/**
 * @file winfsp/launch.h
 * LinFsp's launch API: WinFsp's launch API for Linux.
 *
 * The launcher (linfsp-launcher, doc/launcher.md) starts and stops instances of registered
 * file-system classes on request. A class is a file CLASS.conf in the class directory
 * (FspLaunchRegDirectory) holding WinFsp's registry values as Key=Value lines. The launcher
 * listens on a Unix socket (FSP_LAUNCH_PIPE_NAME, or $LINFSP_LAUNCHER_SOCKET); these functions
 * send it one request each, as WinFsp's send one message over the launcher's named pipe.
 *
 * Names and semantics follow WinFsp's launch.h. Deviations and LinFsp extensions:
 * - strings on the socket are UTF-8 (WCHAR strings are converted);
 * - the socket's server must run as root or as the calling user (WinFsp checks that the
 *   pipe belongs to LocalSystem), else STATUS_ACCESS_DENIED;
 * - AllowImpersonation has no effect: the kernel always tells the launcher who calls;
 * - FSP_LAUNCH_REG_RECORD.MountPoint (LinFsp), AuthPackage and AuthPackageId are refused
 *   (Windows-only);
 * - FspLaunchGetInfo returns three more strings: pid, mount point and state;
 * - extensions: FspLaunchRegDirectory, FspLaunchRegGetRecordEx, FspLaunchRegReadRecordFile,
 *   FspLaunchErrorMessage.
 */
#ifndef WINFSP_LAUNCH_H_INCLUDED
#define WINFSP_LAUNCH_H_INCLUDED

#include <winfsp/winfsp.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The launcher's default socket; $LINFSP_LAUNCHER_SOCKET overrides it for clients. */
#define FSP_LAUNCH_PIPE_NAME "/run/linfsp/launcher.sock"
/** The largest request and reply, in bytes (UTF-8 on the socket). */
#define FSP_LAUNCH_PIPE_BUFFER_SIZE 16384
/** The most arguments of a start request (%1 to %9), a secret included. */
#define FSP_LAUNCH_MAX_ARGUMENTS 9

/**
 * The security of an instance when its class sets none: LocalSystem and Administrators (on
 * Linux: root, and members of the launcher's administrators' group) may start, stop and query.
 * The rights: RP SERVICE_START, WP SERVICE_STOP, LC SERVICE_QUERY_STATUS. Whoever starts an
 * instance may also stop and query it.
 */
#define FSP_LAUNCH_SERVICE_DEFAULT_SDDL "D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)"
/** Everyone may start, stop and query. */
#define FSP_LAUNCH_SERVICE_WORLD_SDDL "D:P(A;;RPWPLC;;;WD)"

/** Commands (the first byte of a request). */
enum {
    FspLaunchCmdStart = 'S',           /**< requires SERVICE_START */
    FspLaunchCmdStartWithSecret = 'X', /**< requires SERVICE_START */
    FspLaunchCmdStop = 'T',            /**< requires SERVICE_STOP */
    FspLaunchCmdGetInfo = 'I',         /**< requires SERVICE_QUERY_STATUS */
    FspLaunchCmdGetNameList = 'L',     /**< requires nothing */
};
/** Replies (the first byte of a reply). */
enum {
    FspLaunchCmdSuccess = '$',
    FspLaunchCmdFailure = '!',
};

/* The instance rights (winsvc.h's values) and their generic mapping. */
#ifndef SERVICE_START
#define SERVICE_QUERY_CONFIG 0x0001
#define SERVICE_CHANGE_CONFIG 0x0002
#define SERVICE_QUERY_STATUS 0x0004
#define SERVICE_ENUMERATE_DEPENDENTS 0x0008
#define SERVICE_START 0x0010
#define SERVICE_STOP 0x0020
#define SERVICE_PAUSE_CONTINUE 0x0040
#define SERVICE_INTERROGATE 0x0080
#define SERVICE_USER_DEFINED_CONTROL 0x0100
#define SERVICE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0x01FF)
#endif

/*
 * The launcher's errors are Win32 error codes, as WinFsp's. These are the ones it returns
 * (FspLaunchErrorMessage describes them).
 */
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND 2          /**< no such class or instance */
#define ERROR_PATH_NOT_FOUND 3          /**< the mount point does not exist */
#define ERROR_ACCESS_DENIED 5           /**< the class's Security does not allow it */
#define ERROR_BAD_LENGTH 24             /**< the request is longer than FSP_LAUNCH_PIPE_BUFFER_SIZE */
#define ERROR_INVALID_PARAMETER 87      /**< a malformed request */
#define ERROR_BROKEN_PIPE 109           /**< the reply was not understood */
#define ERROR_BAD_PATHNAME 161          /**< the caller may not mount there */
#define ERROR_BUSY 170                  /**< too many clients or instances */
#define ERROR_ALREADY_EXISTS 183        /**< the instance exists already */
#define ERROR_DIRECTORY 267             /**< the mount point is not a directory */
#define ERROR_OPERATION_ABORTED 995     /**< the instance was stopped while it started */
#define ERROR_PROCESS_ABORTED 1067      /**< the instance ended before it was ready */
#define ERROR_SHUTDOWN_IN_PROGRESS 1115 /**< the launcher is stopping */
#define ERROR_NO_SYSTEM_RESOURCES 1450  /**< out of memory or processes */
#define ERROR_TIMEOUT 1460              /**< the instance did not get ready (or stop) in time */
#define ERROR_BAD_CONFIGURATION 1610    /**< the class file is unusable (the launcher logs why) */
#endif

/**
 * Send a command to the launcher and receive its reply.
 *
 * @param Command one of FspLaunchCmd*.
 * @param Argc, Argv the arguments (Argv may be NULL when Argc is 0; NULL entries are skipped).
 * @param Argl the length of each argument in characters, or -1 (also when Argl is NULL) for
 *     a NUL-terminated one. Arguments may not contain NUL.
 * @param Buffer, PSize (may be NULL) receive a successful reply's data: NUL-terminated
 *     strings; *PSize is the buffer's size in bytes on input and the data's on output (the
 *     data is cut at the buffer's size).
 * @param PLauncherError receives the launcher's error (a Win32 error code; 0 on success).
 * @return STATUS_SUCCESS when the launcher answered (even with an error);
 *     STATUS_OBJECT_NAME_NOT_FOUND when no launcher listens on the socket;
 *     STATUS_ACCESS_DENIED when the socket's server is not root or the caller;
 *     STATUS_INVALID_PARAMETER when the request is too long; other errors of the socket.
 */
FSP_API NTSTATUS FspLaunchCallLauncherPipe(WCHAR Command, ULONG Argc, PWSTR *Argv, ULONG *Argl,
                                           PWSTR Buffer, PULONG PSize, PULONG PLauncherError);
/** As FspLaunchCallLauncherPipe; AllowImpersonation has no effect on Linux. */
FSP_API NTSTATUS FspLaunchCallLauncherPipeEx(WCHAR Command, ULONG Argc, PWSTR *Argv, ULONG *Argl,
                                             PWSTR Buffer, PULONG PSize,
                                             BOOLEAN AllowImpersonation, PULONG PLauncherError);
/**
 * Start an instance of a class with up to 9 arguments (%1 to %9 of the class's CommandLine).
 * With HasSecret the last of Argv is a secret (e.g. a password) that the instance receives on
 * its standard input, never on its command line or in its environment; the class must set
 * Credentials, and the instance must answer "OK" on its standard output.
 * The reply comes once the instance is ready: running, and mounted when its class names a
 * MountPoint.
 */
FSP_API NTSTATUS FspLaunchStart(PWSTR ClassName, PWSTR InstanceName, ULONG Argc, PWSTR *Argv,
                                BOOLEAN HasSecret, PULONG PLauncherError);
FSP_API NTSTATUS FspLaunchStartEx(PWSTR ClassName, PWSTR InstanceName, ULONG Argc, PWSTR *Argv,
                                  BOOLEAN HasSecret, BOOLEAN AllowImpersonation,
                                  PULONG PLauncherError);
/**
 * Stop an instance: SIGTERM to its process group, then (after the launcher's stop timeout)
 * its FUSE connection aborted and SIGKILL. The reply comes once the instance has ended and its
 * mount is gone.
 */
FSP_API NTSTATUS FspLaunchStop(PWSTR ClassName, PWSTR InstanceName, PULONG PLauncherError);
/**
 * Information about an instance: NUL-terminated strings class name, instance name, command
 * line (as WinFsp), then (LinFsp) the process id, the mount point ("" when none is known) and
 * the state ("starting", "running", "stopping" or "restarting").
 */
FSP_API NTSTATUS FspLaunchGetInfo(PWSTR ClassName, PWSTR InstanceName, PWSTR Buffer,
                                  PULONG PSize, PULONG PLauncherError);
/** Every instance: pairs of NUL-terminated strings, class name and instance name. */
FSP_API NTSTATUS FspLaunchGetNameList(PWSTR Buffer, PULONG PSize, PULONG PLauncherError);

/**
 * A class (WinFsp's service registry record). On Linux a class is the file CLASS.conf in the
 * class directory, one Key=Value line per non-NULL field (doc/launcher.md).
 */
typedef struct _FSP_LAUNCH_REG_RECORD {
    PWSTR Agent;         /**< comma-separated agents (FspLaunchRegGetRecord's Agent matches one) */
    PWSTR Executable;    /**< absolute path of the program (required) */
    PWSTR CommandLine;   /**< its arguments: %0-%9, %U user, %P home, %T time, %% (see doc) */
    PWSTR WorkDirectory; /**< absolute directory the instance starts in (default /) */
    PWSTR RunAs;         /**< root (default), a user name, or "." for the caller */
    PWSTR Security;      /**< SDDL over the instance (default FSP_LAUNCH_SERVICE_DEFAULT_SDDL) */
    PWSTR AuthPackage;   /**< Windows only: must be NULL */
    PWSTR Stderr;        /**< file the instance's standard error (and output) is appended to */
    PWSTR MountPoint;    /**< LinFsp: the instance's mount point, e.g. %2 (WinFsp: reserved) */
    PVOID Reserved0[3];
    ULONG JobControl;    /**< 1 (default): instances end when the launcher ends */
    ULONG Credentials;   /**< 1: instances are started with a secret (startWithSecret) */
    ULONG AuthPackageId; /**< Windows only: must be 0 */
    ULONG Recovery;      /**< 1: restart an instance that crashed */
    ULONG Reserved1[4];
    UINT8 Buffer[];
} FSP_LAUNCH_REG_RECORD;

/**
 * Write a class file (CLASS.conf in the class directory, replaced atomically); a NULL Record
 * removes it. The record is checked as the launcher checks class files: STATUS_INVALID_PARAMETER
 * when Executable is NULL or a field is invalid; STATUS_ACCESS_DENIED when the directory is not
 * writable (only root registers classes in the system's class directory).
 */
FSP_API NTSTATUS FspLaunchRegSetRecord(PWSTR ClassName, const FSP_LAUNCH_REG_RECORD *Record);
/**
 * Read a class file. STATUS_OBJECT_NAME_NOT_FOUND when there is none, when Agent (if not
 * NULL or empty) is not among the record's agents, or when the file is refused (unsafe owner
 * or permissions, unknown keys, invalid values: FspLaunchRegGetRecordEx says why).
 * Free the record with FspLaunchRegFreeRecord.
 */
FSP_API NTSTATUS FspLaunchRegGetRecord(PWSTR ClassName, PWSTR Agent,
                                       FSP_LAUNCH_REG_RECORD **PRecord);
FSP_API VOID FspLaunchRegFreeRecord(FSP_LAUNCH_REG_RECORD *Record);

/**
 * LinFsp extension: as FspLaunchRegGetRecord, and when the class file is refused, why (the
 * file, the line and what is wrong) in Message (MessageSize bytes, NUL-terminated; may be NULL).
 * A refused file gives STATUS_OBJECT_NAME_INVALID (a bad value, unknown key or bad syntax) or
 * STATUS_ACCESS_DENIED (unsafe owner or permissions of the file or a directory above it).
 */
FSP_API NTSTATUS FspLaunchRegGetRecordEx(PWSTR ClassName, PWSTR Agent,
                                         FSP_LAUNCH_REG_RECORD **PRecord, char *Message,
                                         ULONG MessageSize);
/**
 * LinFsp extension: read and check a class file at any path (no owner checks), e.g. to
 * register it with FspLaunchRegSetRecord. Errors as FspLaunchRegGetRecordEx.
 */
FSP_API NTSTATUS FspLaunchRegReadRecordFile(const char *Path, FSP_LAUNCH_REG_RECORD **PRecord,
                                            char *Message, ULONG MessageSize);
/**
 * LinFsp extension: the class directory: $LINFSP_LAUNCHER_CLASSDIR, else the one chosen when
 * LinFsp was built (SYSCONFDIR/linfsp/services, /etc/linfsp/services for prefix /usr).
 */
FSP_API const char *FspLaunchRegDirectory(VOID);
/** LinFsp extension: an English description of a launcher error (never NULL). */
FSP_API const char *FspLaunchErrorMessage(ULONG LauncherError);

#ifdef __cplusplus
}
#endif

#endif
