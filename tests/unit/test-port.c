/*
 * tests/unit/test-port.c - what a WinFsp file system needs to compile and run unchanged on
 * LinFsp: WinFsp's public names LinFsp added (each used here, with its value or behaviour
 * checked), the status mappings (errno and Win32), WinFsp's wide format strings in the log
 * functions, and <winfsp/win32-compat.h> (test-win32-compat.c). Linked with the shared
 * library, as a file system is: every function used must be exported.
 */
#include <winfsp/winfsp.h>
#include "tlib.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void win32_compat_tests(void);

/* ---- names ---- */

/* Each of these would not compile without the name; they run to check the values. */
FSP_FSCTL_STATIC_ASSERT(sizeof(int) >= 4, "file-scope use compiles");

static void fsctl_names_test(void)
{
    FSP_FSCTL_STATIC_ASSERT(1, "block-scope use compiles");
    ASSERT_EQ(FSP_FSCTL_DEFAULT_ALIGNMENT, 8);
    ASSERT_EQ(FSP_FSCTL_ALIGN_UP(13, 4), 16);
    ASSERT_EQ(FSP_FSCTL_ALIGN_UP(16, 4), 16);
    ASSERT_EQ(FSP_FSCTL_DEFAULT_ALIGN_UP(1), 8);
    ASSERT_EQ(FSP_FSCTL_DEFAULT_ALIGN_UP(24), 24);
    struct {
        char c;
        FSP_FSCTL_DECLSPEC_ALIGN UINT8 b;
    } s;
    ASSERT_EQ(offsetof(__typeof__(s), b), 8);
    ASSERT(0 == strcmp(FSP_FSCTL_STR(abc), "abc"));
    ASSERT(0 == strcmp(FSP_FSCTL_PRODUCT_NAME, "LinFsp"));
    ASSERT(0 == strcmp(FSP_FSCTL_PRODUCT_FILE_NAME, "linfsp"));
    ASSERT(0 == wcscmp(L"" FSP_FSCTL_DISK_DEVICE_NAME, L"/dev/fuse"));
    ASSERT(0 == wcscmp(L"" FSP_FSCTL_MUP_DEVICE_NAME, L"/dev/fuse"));
    ASSERT(0 == strcmp(FSP_FSCTL_VOLUME_PARAMS_PREFIX, "\\VolumeParams="));
    /* WinFsp's device control codes: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x800 + c, ...) */
    ASSERT_EQ(FSP_FSCTL_TRANSACT, 0x00092150);
    ASSERT_EQ(FSP_FSCTL_TRANSACT_BATCH, CTL_CODE(9, 0x800 + 't', METHOD_OUT_DIRECT, 0));
    ASSERT_EQ(FSP_IOCTL_TRANSACT, CTL_CODE(0x8000 | ('F' << 8) | 'W', 0x800 + 'T', 0, 0));
    ASSERT(FSP_FSCTL_MOUNTDEV && FSP_FSCTL_VOLUME_NAME && FSP_FSCTL_VOLUME_LIST && FSP_FSCTL_STOP &&
           FSP_FSCTL_STOP0 && FSP_FSCTL_NOTIFY && FSP_FSCTL_TRANSACT_INTERNAL &&
           FSP_IOCTL_TRANSACT_INTERNAL && FSP_IOCTL_TRANSACT_BATCH && FSP_FSCTL_QUERY_WINFSP);
    /* sizes: WinFsp's character counts (WCHAR is 4 bytes here) */
    ASSERT_EQ(FSP_FSCTL_TRANSACT_PATH_SIZEMAX, 1024 * sizeof(WCHAR));
    ASSERT_EQ(FSP_FSCTL_TRANSACT_REQ_SIZEMAX, 16 * 1024 - 64);
    ASSERT_EQ(FSP_FSCTL_TRANSACT_RSP_SIZEMAX, 16 * 1024);
    ASSERT_EQ(FSP_FSCTL_TRANSACT_REQ_BUFFER_SIZEMAX,
              FSP_FSCTL_TRANSACT_REQ_SIZEMAX - sizeof(FSP_FSCTL_TRANSACT_REQ));
    ASSERT_EQ(FSP_FSCTL_TRANSACT_RSP_BUFFER_SIZEMAX,
              FSP_FSCTL_TRANSACT_RSP_SIZEMAX - sizeof(FSP_FSCTL_TRANSACT_RSP));
    ASSERT_EQ(FSP_FSCTL_TRANSACT_BATCH_BUFFER_SIZEMIN, 64 * 1024);
    ASSERT_EQ(FSP_FSCTL_TRANSACT_BUFFER_SIZEMIN, FSP_FSCTL_TRANSACT_REQ_SIZEMAX);
    ASSERT_EQ(FSP_FSCTL_DEVICECONTROL_SIZEMAX, 4096);
    UINT64 token = (UINT64)1234 << 32 | 0x56;
    ASSERT_EQ(FSP_FSCTL_TRANSACT_REQ_TOKEN_PID(token), 1234);
    ASSERT_EQ((UINT_PTR)FSP_FSCTL_TRANSACT_REQ_TOKEN_HANDLE(token), 0x56);
    ASSERT_EQ(FspFsctlIrpTimeoutDefault, 300000);
    ASSERT_EQ(FspFsctlIrpCapacityMaximum, 1000);
    ASSERT_EQ(FspFsctlTransactTimeoutMinimum, 1000);
    ASSERT_EQ(FSP_FSCTL_IRPTIMEOUT_DEFAULT, FspFsctlIrpTimeoutDefault);
}

static void volume_params_v0_test(void)
{
    /* V0 is the prefix of the full parameters: the same fields at the same offsets. */
    ASSERT(sizeof(FSP_FSCTL_VOLUME_PARAMS_V0) < sizeof(FSP_FSCTL_VOLUME_PARAMS));
    ASSERT_EQ(offsetof(FSP_FSCTL_VOLUME_PARAMS_V0, FileInfoTimeout),
              offsetof(FSP_FSCTL_VOLUME_PARAMS, FileInfoTimeout));
    ASSERT_EQ(offsetof(FSP_FSCTL_VOLUME_PARAMS_V0, FileSystemName),
              offsetof(FSP_FSCTL_VOLUME_PARAMS, FileSystemName));
    ASSERT_EQ(sizeof(FSP_FSCTL_VOLUME_PARAMS_V0),
              offsetof(FSP_FSCTL_VOLUME_PARAMS, FileSystemName) +
                  sizeof(((FSP_FSCTL_VOLUME_PARAMS *)0)->FileSystemName));
    FSP_FSCTL_VOLUME_PARAMS vp;
    memset(&vp, 0, sizeof vp);
    vp.CaseSensitiveExtendedAttributes = 1; /* LinFsp's V1 extension */
    vp.CasePreservedExtendedAttributes = 1;
    ASSERT(vp.CaseSensitiveExtendedAttributes && !vp.WritebackCache && !vp.PassthroughBackingFiles);
}

/* WinFsp's field lists declare the same parameters: every member at the same offset, every flag
 * at the same bit (a port that declares its own structure with them must agree with LinFsp). */
typedef struct {
    FSP_FSCTL_VOLUME_PARAMS_V0_FIELD_DEFN
    FSP_FSCTL_VOLUME_PARAMS_V1_FIELD_DEFN
} defn_volume_params;

static void volume_params_field_defn_test(void)
{
    ASSERT_EQ(sizeof(defn_volume_params), sizeof(FSP_FSCTL_VOLUME_PARAMS));
#define SAME_OFFSET(m) ASSERT_EQ(offsetof(defn_volume_params, m), offsetof(FSP_FSCTL_VOLUME_PARAMS, m))
    SAME_OFFSET(FileInfoTimeout);
    SAME_OFFSET(Prefix);
    SAME_OFFSET(FileSystemName);
    SAME_OFFSET(VolumeInfoTimeout);
    SAME_OFFSET(DirInfoTimeout);
    SAME_OFFSET(NegativeEntryTimeout);
    SAME_OFFSET(Reserved64);
#undef SAME_OFFSET
#define SAME_BIT(m)                                                                                \
    do {                                                                                           \
        FSP_FSCTL_VOLUME_PARAMS a;                                                                 \
        defn_volume_params b;                                                                      \
        memset(&a, 0, sizeof a);                                                                   \
        memset(&b, 0, sizeof b);                                                                   \
        a.m = 1;                                                                                   \
        b.m = 1;                                                                                   \
        ASSERT(0 == memcmp(&a, &b, sizeof a));                                                     \
    } while (0)
    SAME_BIT(CaseSensitiveSearch);
    SAME_BIT(ReparsePoints);
    SAME_BIT(ExtendedAttributes);
    SAME_BIT(UmFileContextIsFullContext);
    SAME_BIT(CasePreservedExtendedAttributes);
    SAME_BIT(SupportsPosixUnlinkRename);
    SAME_BIT(VolumeInfoTimeoutValid);
    SAME_BIT(DirInfoTimeoutValid);
    SAME_BIT(PassthroughBackingFiles);
    SAME_BIT(WritebackCache);
    SAME_BIT(MountOptionsAsGiven);
    SAME_BIT(SymlinkAttributesFromFileInfo);
    SAME_BIT(FileMountPoint);
    SAME_BIT(NegativeEntryTimeoutValid);
    SAME_BIT(NanosecondTimes);
    SAME_BIT(EmptyEaValues);
    SAME_BIT(LinuxXattrNamespaces);
    SAME_BIT(XattrsPassThrough);
    SAME_BIT(CaseSensitiveExtendedAttributes);
    SAME_BIT(AccessTimesByFileSystem);
#undef SAME_BIT
}

static void transact_names_test(void)
{
    /* WinFsp's request and response members compile (the engine fills some, see native-api.md) */
    FSP_FSCTL_TRANSACT_REQ req;
    memset(&req, 0, sizeof req);
    req.Req.Create.AccessToken = (UINT64)42 << 32;
    req.Req.Create.EaIsReparsePoint = 1;
    ASSERT_EQ(FSP_FSCTL_TRANSACT_REQ_TOKEN_PID(req.Req.Create.AccessToken), 42);
    /* (Req is a union: the other kinds' members share its storage) */
    req.Req.SetInformation.Info.Basic.LastWriteTime = 1;
    req.Req.SetInformation.Info.RenameEx.Flags = FILE_RENAME_POSIX_SEMANTICS;
    req.Req.SetInformation.Info.EndOfFile.FileSize = 7;
    req.Req.SetVolumeInformation.Info.Label.VolumeLabel.Size = 0;
    req.Req.QueryDirectory.Pattern.Size = 0;
    req.Req.SetSecurity.SecurityDescriptor.Offset = 0;
    req.Req.Overwrite.Ea.Size = 0;
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(&rsp, 0, sizeof rsp);
    rsp.Rsp.Create.Opened.DisableCache = 1;
    rsp.Rsp.QueryEa.Ea.Size = 0;
    rsp.Rsp.SetEa.FileInfo.FileSize = 1;
    rsp.Rsp.QuerySecurity.SecurityDescriptor.Size = 0;
    rsp.Rsp.FileSystemControl.Buffer.Size = 0;
    ASSERT(rsp.Rsp.Create.Opened.DisableCache);

    /* produce/consume walk a batch of records packed 8-byte aligned */
    static UINT64 buf[4 * FSP_FSCTL_TRANSACT_REQ_SIZEMAX / 8];
    FSP_FSCTL_TRANSACT_REQ *r = (FSP_FSCTL_TRANSACT_REQ *)buf, *end = (FSP_FSCTL_TRANSACT_REQ *)(buf + ARRAYSIZE(buf));
    ASSERT(FspFsctlTransactCanProduceRequest(r, end));
    r->Size = sizeof *r + 3;
    FSP_FSCTL_TRANSACT_REQ *next = FspFsctlTransactProduceRequest(r, r->Size);
    ASSERT_EQ((char *)next - (char *)r, FSP_FSCTL_DEFAULT_ALIGN_UP(sizeof *r + 3));
    ASSERT(next == FspFsctlTransactConsumeRequest(r, end));
    r->Size = 4; /* smaller than a request: malformed */
    ASSERT(0 == FspFsctlTransactConsumeRequest(r, end));
    FSP_FSCTL_TRANSACT_RSP *p = (FSP_FSCTL_TRANSACT_RSP *)buf;
    p->Size = sizeof *p;
    ASSERT(FspFsctlTransactCanProduceResponse(p, end));
    ASSERT(FspFsctlTransactProduceResponse(p, p->Size) == FspFsctlTransactConsumeResponse(p, end));
    ASSERT(0 == FspFsctlTransactConsumeResponse(p, (char *)p + 2));
}

static void interlocked_names_test(void)
{
    INT32 volatile v = 5;
    ASSERT_EQ(FspInterlockedLoad32(&v), 5);
    FspInterlockedStore32(&v, -7);
    ASSERT_EQ(v, -7);
    int x;
    VOID *volatile ptr = 0;
    FspInterlockedStorePointer(&ptr, &x);
    ASSERT(FspInterlockedLoadPointer(&ptr) == &x);
}

static NTSTATUS counting_guard(FSP_FILE_SYSTEM *fs, FSP_FSCTL_TRANSACT_REQ *req, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    (void)req, (void)rsp;
    fs->UserContext = (PVOID)((UINT_PTR)fs->UserContext + 1);
    return STATUS_SUCCESS;
}

static void filesystem_names_test(void)
{
    FSP_FSCTL_VOLUME_PARAMS vp;
    memset(&vp, 0, sizeof vp);
    FSP_FILE_SYSTEM_INTERFACE fi;
    memset(&fi, 0, sizeof fi);
    FSP_FILE_SYSTEM *fs = 0;
    NTSTATUS st = FspFileSystemCreate(L"" FSP_FSCTL_DISK_DEVICE_NAME, &vp, &fi, &fs);
    if (STATUS_NO_SUCH_DEVICE == st || STATUS_ACCESS_DENIED == st)
        tlib_skip("no /dev/fuse");
    ASSERT(NT_SUCCESS(st));
    FSP_FILE_SYSTEM_OPERATION_GUARD *guard = counting_guard;
    FspFileSystemSetOperationGuardF(fs, guard, guard);
    FSP_FSCTL_TRANSACT_REQ req;
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(&req, 0, sizeof req);
    fs->UserContext = 0;
    ASSERT(NT_SUCCESS(FspFileSystemEnterOperationF(fs, &req, &rsp)));
    ASSERT(NT_SUCCESS(FspFileSystemLeaveOperationF(fs, &req, &rsp)));
    ASSERT_EQ((UINT_PTR)fs->UserContext, 2);
    FspFileSystemSetOperationGuard(fs, 0, 0);
    NTSTATUS result = -1;
    FspFileSystemGetDispatcherResult(fs, &result);
    ASSERT_EQ(result, STATUS_SUCCESS);
    FspFileSystemSetDispatcherResult(fs, STATUS_SUCCESS); /* ignored */
    FspFileSystemSetDispatcherResultF(fs, STATUS_ACCESS_DENIED);
    FspFileSystemSetDispatcherResult(fs, STATUS_DISK_FULL); /* the first failure stays */
    FspFileSystemGetDispatcherResultF(fs, &result);
    ASSERT_EQ(result, STATUS_ACCESS_DENIED);
    FspFileSystemDelete(fs);
}

static void misc_names_test(void)
{
    PVOID module = (PVOID)1;
    ASSERT_EQ(FspLoad(&module), STATUS_SUCCESS);
    ASSERT(0 == module);
    ASSERT_EQ(FspLoad(0), STATUS_SUCCESS);
    ASSERT(0 == wcscmp(FspSxsIdent(), L""));
    /* <stdlib.h>, <string.h>, <wchar.h> come with winfsp.h (this file includes nothing else
     * for malloc, memcpy and wcslen) */
    PWSTR w = malloc(8 * sizeof(WCHAR));
    ASSERT(w);
    memcpy(w, L"abc", 4 * sizeof(WCHAR));
    ASSERT_EQ(wcslen(w), 3);
    free(w);
    ASSERT_EQ(ERROR_FILE_NOT_FOUND, 2);
    ASSERT_EQ(ERROR_CANNOT_MAKE, 82);
    ASSERT_EQ(FILE_DEVICE_FILE_SYSTEM, 9);
}

static NTSTATUS svc_start(FSP_SERVICE *svc, ULONG argc, PWSTR *argv)
{
    (void)argc, (void)argv;
    svc->UserContext = (PVOID)1;
    return STATUS_DISK_FULL; /* ends the loop at once */
}

static void service_names_test(void)
{
    FSP_SERVICE *svc = 0;
    FSP_SERVICE_START *start = svc_start;
    ASSERT_EQ(FspServiceCreate(L"svc", start, 0, 0, &svc), STATUS_SUCCESS);
    ASSERT(svc && 0 == wcscmp(svc->ServiceName, L"svc"));
    FspServiceAllowConsoleMode(svc);
    FspServiceAcceptControl(svc, 0x5);
    ASSERT_EQ(svc->AcceptControl, 0x5);
    FspServiceRequestTime(svc, 1000);
    ASSERT_EQ(FspServiceLoop(svc), STATUS_DISK_FULL);
    ASSERT(svc->UserContext == (PVOID)1);
    ASSERT_EQ(FspServiceGetExitCode(svc), 1);
    FspServiceDelete(svc);
    BOOLEAN system = 2;
    NTSTATUS st = FspServiceContextCheck(0, &system);
    ASSERT_EQ(st, 0 == geteuid() ? STATUS_SUCCESS : STATUS_ACCESS_DENIED);
    ASSERT_EQ(system, 0 == geteuid());
    ASSERT_EQ(FspServiceContextCheck((HANDLE)1, 0), STATUS_INVALID_PARAMETER);
}

/* ---- status codes ---- */

#define S(x) {#x, x}
static const struct {
    const char *name;
    NTSTATUS status;
} failures[] = {
    /* every failure status ntstatus.h defines */
    S(STATUS_BUFFER_OVERFLOW), S(STATUS_NO_MORE_FILES), S(STATUS_DEVICE_BUSY),
    S(STATUS_INVALID_EA_NAME), S(STATUS_EA_LIST_INCONSISTENT), S(STATUS_INVALID_EA_FLAG),
    S(STATUS_NO_MORE_ENTRIES), S(STATUS_STOPPED_ON_SYMLINK), S(STATUS_UNSUCCESSFUL),
    S(STATUS_NOT_IMPLEMENTED), S(STATUS_INVALID_INFO_CLASS), S(STATUS_INFO_LENGTH_MISMATCH),
    S(STATUS_ACCESS_VIOLATION), S(STATUS_INVALID_HANDLE), S(STATUS_INVALID_PARAMETER),
    S(STATUS_NO_SUCH_DEVICE), S(STATUS_NO_SUCH_FILE), S(STATUS_INVALID_DEVICE_REQUEST),
    S(STATUS_END_OF_FILE), S(STATUS_MORE_PROCESSING_REQUIRED), S(STATUS_NO_MEMORY),
    S(STATUS_INVALID_LOCK_SEQUENCE), S(STATUS_ACCESS_DENIED), S(STATUS_BUFFER_TOO_SMALL),
    S(STATUS_OBJECT_TYPE_MISMATCH), S(STATUS_NOT_LOCKED), S(STATUS_INVALID_PARAMETER_MIX),
    S(STATUS_DISK_CORRUPT_ERROR), S(STATUS_OBJECT_NAME_INVALID), S(STATUS_OBJECT_NAME_NOT_FOUND),
    S(STATUS_OBJECT_NAME_COLLISION), S(STATUS_OBJECT_PATH_INVALID), S(STATUS_OBJECT_PATH_NOT_FOUND),
    S(STATUS_OBJECT_PATH_SYNTAX_BAD), S(STATUS_DATA_ERROR), S(STATUS_CRC_ERROR),
    S(STATUS_SHARING_VIOLATION), S(STATUS_QUOTA_EXCEEDED), S(STATUS_THREAD_IS_TERMINATING),
    S(STATUS_EAS_NOT_SUPPORTED), S(STATUS_EA_TOO_LARGE), S(STATUS_NONEXISTENT_EA_ENTRY),
    S(STATUS_NO_EAS_ON_FILE), S(STATUS_EA_CORRUPT_ERROR), S(STATUS_FILE_LOCK_CONFLICT),
    S(STATUS_LOCK_NOT_GRANTED), S(STATUS_DELETE_PENDING), S(STATUS_INVALID_OWNER),
    S(STATUS_INVALID_PRIMARY_GROUP), S(STATUS_PRIVILEGE_NOT_HELD), S(STATUS_NO_SUCH_USER),
    S(STATUS_WRONG_PASSWORD), S(STATUS_LOGON_FAILURE), S(STATUS_NONE_MAPPED), S(STATUS_INVALID_ACL),
    S(STATUS_INVALID_SID), S(STATUS_INVALID_SECURITY_DESCR), S(STATUS_RANGE_NOT_LOCKED),
    S(STATUS_DISK_FULL), S(STATUS_INTEGER_OVERFLOW), S(STATUS_FILE_INVALID),
    S(STATUS_INSUFFICIENT_RESOURCES), S(STATUS_DEVICE_DATA_ERROR), S(STATUS_DEVICE_NOT_CONNECTED),
    S(STATUS_MEDIA_WRITE_PROTECTED), S(STATUS_DEVICE_NOT_READY), S(STATUS_ILLEGAL_FUNCTION),
    S(STATUS_IO_TIMEOUT), S(STATUS_FILE_IS_A_DIRECTORY), S(STATUS_NOT_SUPPORTED),
    S(STATUS_BAD_NETWORK_PATH), S(STATUS_DEVICE_DOES_NOT_EXIST), S(STATUS_NETWORK_NAME_DELETED),
    S(STATUS_NETWORK_ACCESS_DENIED), S(STATUS_BAD_DEVICE_TYPE), S(STATUS_BAD_NETWORK_NAME),
    S(STATUS_NOT_SAME_DEVICE), S(STATUS_NO_SECURITY_ON_OBJECT), S(STATUS_CANT_WAIT),
    S(STATUS_INTERNAL_ERROR), S(STATUS_INVALID_USER_BUFFER), S(STATUS_UNEXPECTED_IO_ERROR),
    S(STATUS_INVALID_PARAMETER_1), S(STATUS_INVALID_PARAMETER_2), S(STATUS_INVALID_PARAMETER_3),
    S(STATUS_DIRECTORY_NOT_EMPTY), S(STATUS_FILE_CORRUPT_ERROR), S(STATUS_NOT_A_DIRECTORY),
    S(STATUS_NAME_TOO_LONG), S(STATUS_PROCESS_IS_TERMINATING), S(STATUS_TOO_MANY_OPENED_FILES),
    S(STATUS_CANCELLED), S(STATUS_CANNOT_DELETE), S(STATUS_FILE_DELETED), S(STATUS_FILE_CLOSED),
    S(STATUS_DLL_NOT_FOUND), S(STATUS_PIPE_BROKEN), S(STATUS_ILLEGAL_CHARACTER),
    S(STATUS_UNMAPPABLE_CHARACTER), S(STATUS_INVALID_DEVICE_STATE), S(STATUS_IO_DEVICE_ERROR),
    S(STATUS_POSSIBLE_DEADLOCK), S(STATUS_INVALID_BUFFER_SIZE), S(STATUS_CONNECTION_DISCONNECTED),
    S(STATUS_CONNECTION_RESET), S(STATUS_NOT_FOUND), S(STATUS_RETRY), S(STATUS_CONNECTION_REFUSED),
    S(STATUS_NETWORK_UNREACHABLE), S(STATUS_HOST_UNREACHABLE), S(STATUS_REQUEST_ABORTED),
    S(STATUS_CONNECTION_ABORTED), S(STATUS_TOO_MANY_LINKS), S(STATUS_VOLUME_DISMOUNTED),
    S(STATUS_NOT_A_REPARSE_POINT), S(STATUS_IO_REPARSE_TAG_INVALID), S(STATUS_IO_REPARSE_TAG_MISMATCH),
    S(STATUS_IO_REPARSE_DATA_INVALID), S(STATUS_IO_REPARSE_TAG_NOT_HANDLED),
    S(STATUS_REPARSE_POINT_NOT_RESOLVED), S(STATUS_DIRECTORY_IS_A_REPARSE_POINT),
    S(STATUS_REPARSE_ATTRIBUTE_CONFLICT), S(STATUS_CANNOT_MAKE), S(STATUS_FILE_SYSTEM_LIMITATION),
    S(STATUS_DIRECTORY_NOT_SUPPORTED), S(STATUS_DISK_QUOTA_EXCEEDED), S(STATUS_FILE_TOO_LARGE),
};
/* the failures whose errno is EIO on purpose (data and device errors, "unsuccessful") */
static const NTSTATUS eio[] = {
    STATUS_UNSUCCESSFUL, STATUS_MORE_PROCESSING_REQUIRED, STATUS_DISK_CORRUPT_ERROR,
    STATUS_DATA_ERROR, STATUS_CRC_ERROR, STATUS_EA_CORRUPT_ERROR, STATUS_FILE_INVALID,
    STATUS_DEVICE_DATA_ERROR, STATUS_INTERNAL_ERROR, STATUS_UNEXPECTED_IO_ERROR,
    STATUS_FILE_CORRUPT_ERROR, STATUS_INVALID_DEVICE_STATE, STATUS_IO_DEVICE_ERROR,
};

static void status_complete_mapping_test(void)
{
    for (size_t i = 0; i < ARRAYSIZE(failures); i++) {
        NTSTATUS s = failures[i].status;
        int e = FspErrnoFromNtStatus(s);
        bool want_eio = false;
        for (size_t j = 0; j < ARRAYSIZE(eio); j++)
            want_eio |= eio[j] == s;
        DWORD w = FspWin32FromNtStatus(s);
        if (e <= 0 || (EIO == e) != want_eio || ERROR_MR_MID_NOT_FOUND == w || ERROR_SUCCESS == w)
            fprintf(stderr, "    %s -> errno %d, Win32 %u\n", failures[i].name, e, (unsigned)w);
        ASSERT(e > 0);
        ASSERT((EIO == e) == want_eio);
        ASSERT(ERROR_MR_MID_NOT_FOUND != w && ERROR_SUCCESS != w);
        /* Win32 -> status gives a status with the same errno (several statuses share a code) */
        ASSERT(!NT_SUCCESS(FspNtStatusFromWin32(w)));
    }
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_CANNOT_MAKE), ENOSPC);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_DISK_FULL), ENOSPC);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_DISK_QUOTA_EXCEEDED), EDQUOT);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_POSSIBLE_DEADLOCK), EDEADLK);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_PIPE_BROKEN), EPIPE);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_CONNECTION_REFUSED), ECONNREFUSED);
    ASSERT_EQ(FspErrnoFromNtStatus((NTSTATUS)0xC0DE0001), EIO); /* unknown */
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_SUCCESS), 0);
    ASSERT_EQ(FspErrnoFromNtStatus(STATUS_PENDING), 0);
}

static void status_win32_test(void)
{
    static const struct {
        DWORD win32;
        NTSTATUS status;
    } map[] = {
        {ERROR_SUCCESS, STATUS_SUCCESS},
        {ERROR_FILE_NOT_FOUND, STATUS_OBJECT_NAME_NOT_FOUND},
        {ERROR_PATH_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND},
        {ERROR_ACCESS_DENIED, STATUS_ACCESS_DENIED},
        {ERROR_INVALID_HANDLE, STATUS_INVALID_HANDLE},
        {ERROR_NOT_ENOUGH_MEMORY, STATUS_INSUFFICIENT_RESOURCES},
        {ERROR_INVALID_PARAMETER, STATUS_INVALID_PARAMETER},
        {ERROR_ALREADY_EXISTS, STATUS_OBJECT_NAME_COLLISION},
        {ERROR_FILE_EXISTS, STATUS_OBJECT_NAME_COLLISION},
        {ERROR_DIR_NOT_EMPTY, STATUS_DIRECTORY_NOT_EMPTY},
        {ERROR_DIRECTORY, STATUS_NOT_A_DIRECTORY},
        {ERROR_DISK_FULL, STATUS_DISK_FULL},
        {ERROR_CANNOT_MAKE, STATUS_CANNOT_MAKE},
        {ERROR_SHARING_VIOLATION, STATUS_SHARING_VIOLATION},
        {ERROR_INSUFFICIENT_BUFFER, STATUS_BUFFER_TOO_SMALL},
        {ERROR_MORE_DATA, STATUS_BUFFER_OVERFLOW},
        {ERROR_NOT_SUPPORTED, STATUS_NOT_SUPPORTED},
        {ERROR_INVALID_FUNCTION, STATUS_INVALID_DEVICE_REQUEST},
        {ERROR_INVALID_NAME, STATUS_OBJECT_NAME_INVALID},
        {ERROR_IO_PENDING, STATUS_PENDING},
        {ERROR_OPERATION_ABORTED, STATUS_CANCELLED},
        {ERROR_NOT_A_REPARSE_POINT, STATUS_NOT_A_REPARSE_POINT},
        {ERROR_GEN_FAILURE, STATUS_UNSUCCESSFUL},
    };
    for (size_t i = 0; i < ARRAYSIZE(map); i++) {
        NTSTATUS s = FspNtStatusFromWin32(map[i].win32);
        if (s != map[i].status)
            fprintf(stderr, "    Win32 %u -> 0x%08x, expected 0x%08x\n", (unsigned)map[i].win32,
                    (unsigned)s, (unsigned)map[i].status);
        ASSERT_EQ(s, map[i].status);
    }
    ASSERT_EQ(FspWin32FromNtStatus(STATUS_SUCCESS), ERROR_SUCCESS);
    ASSERT_EQ(FspWin32FromNtStatus(STATUS_OBJECT_NAME_NOT_FOUND), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(FspWin32FromNtStatus(STATUS_CANNOT_MAKE), ERROR_CANNOT_MAKE);
    ASSERT_EQ(FspWin32FromNtStatus((NTSTATUS)0xC0DE0001), ERROR_MR_MID_NOT_FOUND);
    /* a Win32 code without a status travels as facility NTWIN32 and back */
    NTSTATUS w = FspNtStatusFromWin32(12345);
    ASSERT_EQ((UINT32)w, 0xC0073039u);
    ASSERT_EQ(FspWin32FromNtStatus(w), 12345);
    ASSERT_EQ(FspErrnoFromNtStatus(w), EIO);
    ASSERT_EQ(FspErrnoFromNtStatus((NTSTATUS)(0xC0070000u | ERROR_FILE_NOT_FOUND)), ENOENT);
}

/* ---- WinFsp's wide format strings ---- */

/* Run fn with file descriptor fd redirected into a pipe; the output (NUL-terminated) in out. */
static void capture(int fd, void (*fn)(void), char *out, size_t size)
{
    int p[2];
    ASSERT(0 == pipe(p));
    int saved = dup(fd);
    ASSERT(saved >= 0);
    ASSERT(dup2(p[1], fd) >= 0);
    fn();
    dup2(saved, fd);
    close(saved);
    close(p[1]);
    ssize_t n = read(p[0], out, size - 1);
    close(p[0]);
    out[n > 0 ? n : 0] = '\0';
}

static void log_service(void)
{
    /* what ported code writes: %s is a wide string, %ld a 32-bit ULONG, %S narrow */
    FspServiceLog(EVENTLOG_INFORMATION_TYPE, L"[%s] -t %ld -n %lu %S %c|%-4s|%I64d",
                  L"memfs", (ULONG)1000, (ULONG)4000000000u, "narrow", L'w', L"ab",
                  (INT64)-5000000000LL);
}

static void log_event(void)
{
    FspEventLog(EVENTLOG_ERROR_TYPE, L"cannot mount %s (Status=%lx) 100%%", L"/mnt/x",
                (NTSTATUS)STATUS_ACCESS_DENIED);
}

static void log_debug(void)
{
    FspDebugLog("%S|%s|%ls\n", L"wide", "narrow", L"wide2");
}

static void format_log_test(void)
{
    char out[1024];
    capture(2, log_service, out, sizeof out);
    if (!strstr(out, "[memfs] -t 1000 -n 4000000000 narrow w|ab  |-5000000000\n"))
        fprintf(stderr, "    FspServiceLog wrote: %s", out);
    ASSERT(strstr(out, "[memfs] -t 1000 -n 4000000000 narrow w|ab  |-5000000000\n"));
    capture(2, log_event, out, sizeof out);
    ASSERT(strstr(out, "cannot mount /mnt/x (Status=c0000022) 100%\n"));
    int p[2];
    ASSERT(0 == pipe(p));
    FspDebugLogSetFd(p[1]);
    log_debug();
    FspDebugLogSetFd(2);
    close(p[1]);
    ssize_t n = read(p[0], out, sizeof out - 1);
    close(p[0]);
    out[n > 0 ? n : 0] = '\0';
    ASSERT(strstr(out, "wide|narrow|wide2\n"));
}

/* The value of "internal const ... NAME = VALUE" in the C# source text, or -1. */
static long cs_const(const char *text, const char *name)
{
    char pat[128];
    snprintf(pat, sizeof pat, " %s = ", name);
    const char *p = strstr(text, pat);
    return p ? strtol(p + strlen(pat), 0, 0) : -1;
}

/*
 * The .NET layer reads the request and volume parameters at fixed offsets and bits
 * (dotnet/Fsp/Interop.cs): they must be this C layout's. A wrong CallerUid offset made every
 * caller root to passthrough-dotnet (trusted.* listed to any user), twice, when the Req union
 * grew.
 */
static void dotnet_offsets_test(void)
{
    FILE *f = fopen(INTEROP_CS, "r");
    ASSERT(f);
    static char text[256 * 1024];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    ASSERT_EQ(cs_const(text, "RequestHint"), (long)offsetof(FSP_FSCTL_TRANSACT_REQ, Hint));
    ASSERT_EQ(cs_const(text, "RequestFileName"), (long)offsetof(FSP_FSCTL_TRANSACT_REQ, FileName));
    ASSERT_EQ(cs_const(text, "RequestCallerUid"), (long)offsetof(FSP_FSCTL_TRANSACT_REQ, CallerUid));
    ASSERT_EQ(offsetof(FSP_FSCTL_TRANSACT_REQ, CallerGid), offsetof(FSP_FSCTL_TRANSACT_REQ, CallerUid) + 4);
    ASSERT_EQ(offsetof(FSP_FSCTL_TRANSACT_REQ, CallerPid), offsetof(FSP_FSCTL_TRANSACT_REQ, CallerUid) + 8);
    ASSERT_EQ(cs_const(text, "ResponseStatus"), (long)offsetof(FSP_FSCTL_TRANSACT_RSP, IoStatus.Status));
    /* the second flag word's LinFsp bits (AdditionalFlags, offset 872) */
#define CHECK_BIT(m)                                                                               \
    do {                                                                                           \
        FSP_FSCTL_VOLUME_PARAMS vp;                                                                \
        memset(&vp, 0, sizeof vp);                                                                 \
        vp.m = 1;                                                                                  \
        UINT32 word;                                                                               \
        memcpy(&word, (char *)&vp + 872, 4);                                                       \
        ASSERT_EQ(cs_const(text, #m), (long)word);                                                 \
    } while (0)
    CHECK_BIT(WritebackCache);
    CHECK_BIT(XattrsPassThrough);
    CHECK_BIT(CaseSensitiveExtendedAttributes);
    CHECK_BIT(AccessTimesByFileSystem);
#undef CHECK_BIT
}

int main(int argc, char **argv)
{
    TLIB_ADD_TEST("names", fsctl_names_test);
    TLIB_ADD_TEST("names", volume_params_v0_test);
    TLIB_ADD_TEST("names", volume_params_field_defn_test);
    TLIB_ADD_TEST("names", transact_names_test);
    TLIB_ADD_TEST("names", interlocked_names_test);
    TLIB_ADD_TEST("names", filesystem_names_test);
    TLIB_ADD_TEST("names", misc_names_test);
    TLIB_ADD_TEST("names", service_names_test);
    TLIB_ADD_TEST("names", dotnet_offsets_test);
    TLIB_ADD_TEST("status", status_complete_mapping_test);
    TLIB_ADD_TEST("status", status_win32_test);
    TLIB_ADD_TEST("format", format_log_test);
    win32_compat_tests();
    return tlib_run(argc, argv);
}
