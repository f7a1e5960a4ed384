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

/**
 * The launcher's default socket: a Unix SOCK_SEQPACKET socket (WinFsp: the launcher's named
 * pipe). Clients use $LINFSP_LAUNCHER_SOCKET instead when it is set (and the program is not
 * setuid); the launcher takes another one with linfsp-launcher --socket. LinFsp: a path.
 */
#define FSP_LAUNCH_PIPE_NAME "/run/linfsp/launcher.sock"
/**
 * The largest request and the largest reply, in bytes of UTF-8 on the socket (WinFsp: 4096
 * WCHARs). A longer request is refused by FspLaunchCallLauncherPipe() (STATUS_INVALID_PARAMETER)
 * and by the launcher (ERROR_BAD_LENGTH).
 */
#define FSP_LAUNCH_PIPE_BUFFER_SIZE 16384
/** The most arguments of a start request (%1 to %9 of a class's CommandLine), a secret included. */
#define FSP_LAUNCH_MAX_ARGUMENTS 9

/**
 * The security of an instance when its class sets none: LocalSystem (SY) and Administrators
 * (BA) may start, stop and query. On Linux SY is root, and BA is root and the members of the
 * launcher's administrators' group (linfsp-launcher --admin-group). The rights are the service
 * rights in SDDL: RP SERVICE_START, WP SERVICE_STOP, LC SERVICE_QUERY_STATUS. Whoever starts an
 * instance may also stop and query it (the launcher adds an ACE for the starter).
 */
#define FSP_LAUNCH_SERVICE_DEFAULT_SDDL "D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)"
/** A class Security that lets everyone (WD) start, stop and query its instances. */
#define FSP_LAUNCH_SERVICE_WORLD_SDDL "D:P(A;;RPWPLC;;;WD)"

/**
 * The launcher's commands: the first byte of a request (doc/launcher.md, "The protocol").
 * Each needs a right on the instance's security descriptor (the class's Security).
 */
enum {
    FspLaunchCmdStart = 'S',           /**< start CLASS INSTANCE ARGS...; requires SERVICE_START */
    FspLaunchCmdStartWithSecret = 'X', /**< start with a secret (the last argument); requires SERVICE_START */
    FspLaunchCmdStop = 'T',            /**< stop CLASS INSTANCE; requires SERVICE_STOP */
    FspLaunchCmdGetInfo = 'I',         /**< info CLASS INSTANCE; requires SERVICE_QUERY_STATUS */
    FspLaunchCmdGetNameList = 'L',     /**< list every instance; requires nothing */
};
/** The launcher's replies: the first byte of a reply. */
enum {
    FspLaunchCmdSuccess = '$', /**< success; the reply's data (NUL-terminated strings) follows */
    FspLaunchCmdFailure = '!', /**< failure; a Win32 error code in decimal ASCII follows */
};

/* The instance rights (winsvc.h's values), for classes' Security and FspAccessCheckToken(). */
#ifndef SERVICE_START
/** Read a service's configuration (winsvc.h; the launcher does not use it). */
#define SERVICE_QUERY_CONFIG 0x0001
/** Change a service's configuration (winsvc.h; the launcher does not use it). */
#define SERVICE_CHANGE_CONFIG 0x0002
/** Query an instance: FspLaunchCmdGetInfo (SDDL: LC). */
#define SERVICE_QUERY_STATUS 0x0004
/** List a service's dependents (winsvc.h; the launcher does not use it). */
#define SERVICE_ENUMERATE_DEPENDENTS 0x0008
/** Start an instance: FspLaunchCmdStart, FspLaunchCmdStartWithSecret (SDDL: RP). */
#define SERVICE_START 0x0010
/** Stop an instance: FspLaunchCmdStop (SDDL: WP). */
#define SERVICE_STOP 0x0020
/** Pause and continue a service (winsvc.h; the launcher does not use it). */
#define SERVICE_PAUSE_CONTINUE 0x0040
/** Ask a service for its status (winsvc.h; the launcher does not use it). */
#define SERVICE_INTERROGATE 0x0080
/** Send a service a control code of its own (winsvc.h; the launcher does not use it). */
#define SERVICE_USER_DEFINED_CONTROL 0x0100
/** Every service right, and the standard rights. */
#define SERVICE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0x01FF)
#endif

/*
 * The launcher's errors are Win32 error codes, as WinFsp's. These are the ones it returns
 * (FspLaunchErrorMessage describes them).
 */
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND 2          /**< no such class or instance */
#define ERROR_PATH_NOT_FOUND 3          /**< the mount point does not exist */
#define ERROR_ACCESS_DENIED 5           /**< the class's Security does not allow it, or the instance refused its secret */
#define ERROR_BAD_LENGTH 24             /**< the request is longer than FSP_LAUNCH_PIPE_BUFFER_SIZE */
#define ERROR_INVALID_PARAMETER 87      /**< a malformed request (unknown command, invalid names or arguments, an empty argument where one is needed) */
#define ERROR_BROKEN_PIPE 109           /**< (client side) the reply was not understood */
#define ERROR_BAD_PATHNAME 161          /**< the caller may not mount there */
#define ERROR_BUSY 170                  /**< too many clients or instances */
#define ERROR_ALREADY_EXISTS 183        /**< the instance exists already */
#define ERROR_DIRECTORY 267             /**< the mount point is not a directory */
#define ERROR_OPERATION_ABORTED 995     /**< the instance was stopped while it started */
#define ERROR_PROCESS_ABORTED 1067      /**< the instance ended before it was ready */
#define ERROR_SHUTDOWN_IN_PROGRESS 1115 /**< the launcher is stopping */
#define ERROR_NO_SYSTEM_RESOURCES 1450  /**< out of memory or processes */
#define ERROR_TIMEOUT 1460              /**< the instance did not get ready (or stop) in time */
#define ERROR_BAD_CONFIGURATION 1610    /**< the class file is unusable, or the start cannot be done as the class says (the launcher logs why) */
#endif

/**
 * Send one request to the launcher and receive its reply (WinFsp's FspLaunchCallLauncherPipe).
 *
 * Connects to the launcher's socket ($LINFSP_LAUNCHER_SOCKET, else FSP_LAUNCH_PIPE_NAME),
 * checks that the socket's server runs as root or as the calling user (SO_PEERCRED; WinFsp
 * checks that the pipe belongs to LocalSystem), sends Command and the arguments, each
 * converted to UTF-8 and NUL-terminated, and waits up to 90 seconds for the reply (a start is
 * answered only once the instance is ready). Request buffers are zeroed after use (a start
 * with a secret holds it). The convenience functions below build the arguments of each
 * command; call this one for a command of your own choosing.
 * @param Command one of FspLaunchCmd* (any ASCII character 1 to 127 is sent; the launcher
 *        answers an unknown one with ERROR_INVALID_PARAMETER)
 * @param Argc the number of arguments
 * @param Argv the arguments (may be NULL when Argc is 0; NULL entries are skipped)
 * @param Argl the length of each argument in WCHARs, or -1 for a NUL-terminated one; NULL:
 *        every argument is NUL-terminated. An argument may not contain NUL.
 * @param Buffer receives a successful reply's data as NUL-terminated WCHAR strings (may be
 *        NULL: the data is dropped)
 * @param PSize in: the size of Buffer in bytes; out: the bytes of data received, cut at the
 *        buffer's size; 0 on failure or when the launcher answers with an error (may be NULL
 *        when no data is wanted)
 * @param PLauncherError receives the launcher's error (a Win32 error code, ERROR_*; 0 on
 *        success; ERROR_BROKEN_PIPE when the reply is neither a success nor a failure)
 * @return STATUS_SUCCESS when the launcher answered, even with an error (*PLauncherError);
 *         STATUS_INVALID_PARAMETER (Command outside 1 to 127, Argv NULL with an Argc, an
 *         argument with a NUL or not convertible to UTF-8, the request longer than
 *         FSP_LAUNCH_PIPE_BUFFER_SIZE); STATUS_OBJECT_NAME_NOT_FOUND (no launcher listens on
 *         the socket); STATUS_OBJECT_NAME_INVALID (the socket's path is too long);
 *         STATUS_ACCESS_DENIED (the socket may not be connected to, or its server is neither
 *         root nor the caller); STATUS_IO_TIMEOUT (no reply in time);
 *         STATUS_INSUFFICIENT_RESOURCES; another status for other errors of the socket
 */
FSP_API NTSTATUS FspLaunchCallLauncherPipe(WCHAR Command, ULONG Argc, PWSTR *Argv, ULONG *Argl,
                                           PWSTR Buffer, PULONG PSize, PULONG PLauncherError);
/**
 * As FspLaunchCallLauncherPipe() (WinFsp's FspLaunchCallLauncherPipeEx).
 * Deviation: AllowImpersonation has no effect. WinFsp's launcher acts on the caller's behalf
 * only when a client allows it to impersonate it; on Linux the kernel always tells the
 * launcher who calls (SO_PEERCRED, SO_PEERGROUPS), and it checks every request against that.
 * @param Command one of FspLaunchCmd*
 * @param Argc the number of arguments
 * @param Argv the arguments (may be NULL when Argc is 0; NULL entries are skipped)
 * @param Argl the length of each argument in WCHARs, or -1 for a NUL-terminated one; NULL:
 *        every argument is NUL-terminated
 * @param Buffer receives a successful reply's data as NUL-terminated WCHAR strings (may be
 *        NULL)
 * @param PSize in: the size of Buffer in bytes; out: the bytes of data received (may be NULL)
 * @param AllowImpersonation ignored
 * @param PLauncherError receives the launcher's error (0 on success)
 * @return as FspLaunchCallLauncherPipe()
 */
FSP_API NTSTATUS FspLaunchCallLauncherPipeEx(WCHAR Command, ULONG Argc, PWSTR *Argv, ULONG *Argl,
                                             PWSTR Buffer, PULONG PSize,
                                             BOOLEAN AllowImpersonation, PULONG PLauncherError);
/**
 * Start an instance of a class (WinFsp's FspLaunchStart; launchctl start, startWithSecret).
 *
 * The launcher loads the class file, checks that the caller has SERVICE_START on the
 * instance's security descriptor (the class's Security), builds the command line (the
 * arguments become %1 to %9 of CommandLine), checks where the instance would mount when the
 * caller is not root, and starts the program as the class's RunAs user. The reply comes once
 * the instance is ready (LinFsp; WinFsp replies once the process exists): its program runs,
 * it has accepted its secret, and, when its class names a MountPoint, it has mounted.
 * @param ClassName the class (a file CLASS.conf in the class directory)
 * @param InstanceName the instance's name, unique within the class (1 to 255 bytes of UTF-8
 *        without blanks, commas, backslashes or control characters)
 * @param Argc the number of arguments, at most FSP_LAUNCH_MAX_ARGUMENTS (the secret included)
 * @param Argv the arguments (UTF-8 without control characters on the socket)
 * @param HasSecret TRUE: the last argument is a secret (for example a password) that the
 *        instance receives on its standard input, never on its command line, in its
 *        environment or in the launcher's log; the class must set Credentials=1, and the
 *        instance must answer "OK" on its standard output. FALSE: the class must not set
 *        Credentials.
 * @param PLauncherError receives the launcher's error: 0; ERROR_FILE_NOT_FOUND (no such
 *        class); ERROR_ACCESS_DENIED (no SERVICE_START, or the instance refused its secret);
 *        ERROR_ALREADY_EXISTS; ERROR_INVALID_PARAMETER (invalid names or arguments, an empty
 *        mount point); ERROR_BAD_CONFIGURATION (the class file is refused, Credentials does not
 *        match HasSecret, the RunAs user does not exist, the program cannot be started);
 *        ERROR_PATH_NOT_FOUND, ERROR_DIRECTORY, ERROR_BAD_PATHNAME (the mount point);
 *        ERROR_PROCESS_ABORTED (the instance ended before it was ready); ERROR_TIMEOUT (not
 *        ready within the launcher's start timeout: it is stopped again);
 *        ERROR_OPERATION_ABORTED (stopped while it started); ERROR_BUSY;
 *        ERROR_SHUTDOWN_IN_PROGRESS; ERROR_NO_SYSTEM_RESOURCES
 * @return STATUS_SUCCESS when the launcher answered (*PLauncherError says how);
 *         STATUS_INVALID_PARAMETER (ClassName or InstanceName NULL, more than
 *         FSP_LAUNCH_MAX_ARGUMENTS arguments, Argv NULL with an Argc, HasSecret without an
 *         argument); else as FspLaunchCallLauncherPipe()
 */
FSP_API NTSTATUS FspLaunchStart(PWSTR ClassName, PWSTR InstanceName, ULONG Argc, PWSTR *Argv,
                                BOOLEAN HasSecret, PULONG PLauncherError);
/**
 * As FspLaunchStart() (WinFsp's FspLaunchStartEx). AllowImpersonation has no effect (see
 * FspLaunchCallLauncherPipeEx()).
 * @param ClassName the class
 * @param InstanceName the instance's name
 * @param Argc the number of arguments, at most FSP_LAUNCH_MAX_ARGUMENTS
 * @param Argv the arguments
 * @param HasSecret TRUE: the last argument is a secret
 * @param AllowImpersonation ignored
 * @param PLauncherError receives the launcher's error (0 on success)
 * @return as FspLaunchStart()
 */
FSP_API NTSTATUS FspLaunchStartEx(PWSTR ClassName, PWSTR InstanceName, ULONG Argc, PWSTR *Argv,
                                  BOOLEAN HasSecret, BOOLEAN AllowImpersonation,
                                  PULONG PLauncherError);
/**
 * Stop an instance (WinFsp's FspLaunchStop; launchctl stop).
 *
 * The launcher sends SIGTERM to the instance's process group; after its stop timeout (5.5 s
 * by default, WinFsp's) it aborts the instance's FUSE connection, unmounts it lazily and
 * sends SIGKILL. The reply comes once the instance has ended and its mount is gone (LinFsp),
 * so a hung file system does not keep its mount point. Stopping an instance that is still
 * starting fails its start with ERROR_OPERATION_ABORTED.
 * @param ClassName the class
 * @param InstanceName the instance
 * @param PLauncherError receives the launcher's error: 0; ERROR_FILE_NOT_FOUND (no such
 *        instance); ERROR_ACCESS_DENIED (no SERVICE_STOP: neither the class's Security nor
 *        having started the instance allows it); ERROR_TIMEOUT (the process did not end even
 *        after SIGKILL); ERROR_SHUTDOWN_IN_PROGRESS; ERROR_INVALID_PARAMETER (invalid names)
 * @return STATUS_SUCCESS when the launcher answered; STATUS_INVALID_PARAMETER (ClassName or
 *         InstanceName NULL); else as FspLaunchCallLauncherPipe()
 */
FSP_API NTSTATUS FspLaunchStop(PWSTR ClassName, PWSTR InstanceName, PULONG PLauncherError);
/**
 * Information about an instance (WinFsp's FspLaunchGetInfo; launchctl info).
 *
 * The data is NUL-terminated WCHAR strings: the class name, the instance name and the
 * command line (as WinFsp: the executable and its arguments as started; a secret is never in
 * it), then (LinFsp) the process id in decimal, the mount point (as mounted; the class's
 * MountPoint until then; "" when none is known) and the state: "starting", "running",
 * "stopping" or "restarting".
 * @param ClassName the class
 * @param InstanceName the instance
 * @param Buffer receives the strings
 * @param PSize in: the size of Buffer in bytes; out: the bytes received (cut at the buffer's
 *        size; 0 on failure)
 * @param PLauncherError receives the launcher's error: 0; ERROR_FILE_NOT_FOUND;
 *        ERROR_ACCESS_DENIED (no SERVICE_QUERY_STATUS); ERROR_INVALID_PARAMETER
 * @return STATUS_SUCCESS when the launcher answered; STATUS_INVALID_PARAMETER (ClassName or
 *         InstanceName NULL); else as FspLaunchCallLauncherPipe()
 */
FSP_API NTSTATUS FspLaunchGetInfo(PWSTR ClassName, PWSTR InstanceName, PWSTR Buffer,
                                  PULONG PSize, PULONG PLauncherError);
/**
 * Every instance (WinFsp's FspLaunchGetNameList; launchctl list): pairs of NUL-terminated
 * WCHAR strings, class name and instance name, oldest instance first. Needs no right.
 * @param Buffer receives the strings
 * @param PSize in: the size of Buffer in bytes; out: the bytes received (cut at the buffer's
 *        size; 0 on failure)
 * @param PLauncherError receives the launcher's error (0 on success)
 * @return STATUS_SUCCESS when the launcher answered; else as FspLaunchCallLauncherPipe()
 */
FSP_API NTSTATUS FspLaunchGetNameList(PWSTR Buffer, PULONG PSize, PULONG PLauncherError);

/**
 * A class (WinFsp's service registry record). On Linux a class is the file CLASS.conf in the
 * class directory (FspLaunchRegDirectory()), one Key=Value line per non-NULL string field and
 * per number field that is set (linfsp-launcher.conf(5), doc/launcher.md). The layout is
 * WinFsp's; a record from FspLaunchRegGetRecord() is one allocation, its strings in Buffer.
 */
typedef struct _FSP_LAUNCH_REG_RECORD {
    PWSTR Agent;         /**< comma-separated agents (FspLaunchRegGetRecord's Agent matches one, ignoring case); NULL: none */
    PWSTR Executable;    /**< absolute path of the program (required) */
    PWSTR CommandLine;   /**< its arguments, split at blanks: %0 the executable, %1-%9 the start's arguments, %U the caller's user name, %P its home directory, %T the time, %% a % */
    PWSTR WorkDirectory; /**< absolute directory the instance starts in (NULL: /) */
    PWSTR RunAs;         /**< root (NULL, the default), a user name, or "." for the caller (WinFsp's LocalService and NetworkService are refused) */
    PWSTR Security;      /**< SDDL over the instance: a DACL ("D:...") or a whole descriptor (NULL: FSP_LAUNCH_SERVICE_DEFAULT_SDDL) */
    PWSTR AuthPackage;   /**< Windows only: must be NULL */
    PWSTR Stderr;        /**< absolute path of a file the instance's standard error (and output) is appended to, with the CommandLine's substitutions (NULL: the launcher's standard error) */
    PWSTR MountPoint;    /**< LinFsp extension (WinFsp: the first reserved pointer): the instance's mount point, with substitutions, e.g. %2; the start waits for the mount */
    PVOID Reserved0[3];  /**< reserved: NULL (WinFsp's Reserved0[4] less MountPoint) */
    ULONG JobControl;    /**< 1 (the default): instances end when the launcher ends; 0: they outlive it */
    ULONG Credentials;   /**< 1: instances are started with a secret (FspLaunchStart's HasSecret) */
    ULONG AuthPackageId; /**< Windows only: must be 0 */
    ULONG Recovery;      /**< 1: restart an instance that crashed (killed by a signal or a non-zero exit status) */
    ULONG Reserved1[4];  /**< reserved: 0 */
    UINT8 Buffer[];      /**< the strings of a record read from a class file */
} FSP_LAUNCH_REG_RECORD;

/**
 * Register a class: write its class file (WinFsp's FspLaunchRegSetRecord, which writes the
 * registry). The record is checked first as the launcher checks class files, so that a file
 * is written whole or not at all; the file is written to a temporary file, made mode 0644 and
 * renamed over CLASS.conf (the class directory is created when missing, mode 0755). Only root
 * registers classes in the system's class directory; the launcher refuses files that are not
 * root's (or its own user's).
 * @param ClassName the class: 1 to 64 letters, digits, '_', '-', '.', '+', not starting with
 *        '.' or '-'
 * @param Record the class (Executable required; AuthPackage NULL, AuthPackageId 0); NULL
 *        removes the class file (success also when there is none)
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (an invalid class name, Executable NULL, a
 *         value the launcher would refuse or a file cannot hold: line breaks, control
 *         characters, blanks at either end; the reason goes to the debug log);
 *         STATUS_ACCESS_DENIED (the class directory may not be written); another status for
 *         other errors of the file system
 */
FSP_API NTSTATUS FspLaunchRegSetRecord(PWSTR ClassName, const FSP_LAUNCH_REG_RECORD *Record);
/**
 * Read a class (WinFsp's FspLaunchRegGetRecord). The class file is checked as the launcher
 * checks it: who owns it and the directories above it, and every value. As WinFsp treats
 * unusable registry values, a refused file is "not found"; FspLaunchRegGetRecordEx() says why.
 * @param ClassName the class
 * @param Agent NULL or empty: any class; else the class only when Agent is one of its
 *        comma-separated agents (ignoring case) or it names none
 * @param PRecord receives the record (NULL on failure); free it with FspLaunchRegFreeRecord()
 * @return STATUS_SUCCESS; STATUS_OBJECT_NAME_NOT_FOUND (no such class or class directory, an
 *         invalid class name, an agent that does not match, a refused file);
 *         STATUS_INSUFFICIENT_RESOURCES; another status when the file cannot be read
 */
FSP_API NTSTATUS FspLaunchRegGetRecord(PWSTR ClassName, PWSTR Agent,
                                       FSP_LAUNCH_REG_RECORD **PRecord);
/**
 * Free a record from FspLaunchRegGetRecord(), FspLaunchRegGetRecordEx() or
 * FspLaunchRegReadRecordFile().
 * @param Record the record, or NULL (nothing happens)
 */
FSP_API VOID FspLaunchRegFreeRecord(FSP_LAUNCH_REG_RECORD *Record);

/**
 * LinFsp extension: as FspLaunchRegGetRecord(), telling why a class file is refused.
 * The checks (linfsp-launcher.conf(5)): the class file must be a regular file (not a symbolic
 * link) owned by root or by the calling user, and not writable by group or others; the class
 * directory likewise; every directory above it must be root's (or the caller's) and not
 * writable by group or others unless it is sticky. The file must be at most 64 KiB, its
 * lines 4 KiB, UTF-8 without control characters, with known keys, each once, and valid
 * values.
 * @param ClassName the class
 * @param Agent NULL or empty: any class; else as FspLaunchRegGetRecord()
 * @param PRecord receives the record (NULL on failure); free it with FspLaunchRegFreeRecord()
 * @param Message receives why the file is refused ("FILE:LINE: what is wrong"), or "" on
 *        success; NUL-terminated, cut at MessageSize (may be NULL)
 * @param MessageSize the size of Message in bytes
 * @return STATUS_SUCCESS; STATUS_OBJECT_NAME_NOT_FOUND (no such class, or an agent that does
 *         not match); STATUS_OBJECT_NAME_INVALID (an invalid class name, a bad value, an
 *         unknown or repeated key, bad syntax, a file too long); STATUS_ACCESS_DENIED (an
 *         unsafe owner or mode of the file or a directory above it, a symbolic link);
 *         STATUS_OBJECT_PATH_NOT_FOUND (no class directory); STATUS_INSUFFICIENT_RESOURCES;
 *         another status when the file cannot be read
 */
FSP_API NTSTATUS FspLaunchRegGetRecordEx(PWSTR ClassName, PWSTR Agent,
                                         FSP_LAUNCH_REG_RECORD **PRecord, char *Message,
                                         ULONG MessageSize);
/**
 * LinFsp extension: read and check a class file at any path, for example an installed example
 * to register with FspLaunchRegSetRecord() (fsreg -f). The values are checked as
 * FspLaunchRegGetRecordEx() checks them; who owns the file and its directories is not.
 * @param Path the file (a regular file; symbolic links are followed)
 * @param PRecord receives the record (NULL on failure); free it with FspLaunchRegFreeRecord()
 * @param Message receives why the file is refused, or "" on success; NUL-terminated, cut at
 *        MessageSize (may be NULL)
 * @param MessageSize the size of Message in bytes
 * @return STATUS_SUCCESS; STATUS_INVALID_PARAMETER (Path NULL, or not a regular file);
 *         STATUS_OBJECT_NAME_NOT_FOUND (no such file); STATUS_OBJECT_NAME_INVALID (the
 *         contents, as FspLaunchRegGetRecordEx()); STATUS_INSUFFICIENT_RESOURCES; another
 *         status when the file cannot be read
 */
FSP_API NTSTATUS FspLaunchRegReadRecordFile(const char *Path, FSP_LAUNCH_REG_RECORD **PRecord,
                                            char *Message, ULONG MessageSize);
/**
 * LinFsp extension: the class directory in effect, where FspLaunchRegSetRecord() writes and
 * FspLaunchRegGetRecord() reads class files (WinFsp: the registry key
 * HKLM\\SOFTWARE\\WinFsp\\Services).
 * @return $LINFSP_LAUNCHER_CLASSDIR when it is an absolute path (and the program is not
 *         setuid), else the directory chosen when LinFsp was built: SYSCONFDIR/linfsp/services
 *         (/etc/linfsp/services for prefix /usr). A static or environment string: do not
 *         free it.
 */
FSP_API const char *FspLaunchRegDirectory(VOID);
/**
 * LinFsp extension: an English description of a launcher error, as launchctl and mount.linfsp
 * print it.
 * @param LauncherError a Win32 error code from the launcher (*PLauncherError)
 * @return a static string: "success" for 0, the error's description for the ERROR_* codes
 *         above, "launcher error" for any other; never NULL
 */
FSP_API const char *FspLaunchErrorMessage(ULONG LauncherError);

#ifdef __cplusplus
}
#endif

#endif
