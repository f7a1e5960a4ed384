/*
 * src/api/filesystem.c - the file system object: FspFileSystemCreate and
 * the lifecycle calls, which hand the kernel-facing work to the engine. Every
 * public function whose work is the engine's is defined here and calls the
 * engine (core.h); the engine defines no public function (doc/design.md,
 * "Components").
 */
#include "api.h"
#include "core.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The LinFsp extensions live in WinFsp's reserved bits, slots and padding: the structures keep
 * WinFsp's layout. Each group of volume flags fills exactly one UINT32 (a flag added without
 * taking a reserved bit would move every member after it), the interface has WinFsp's 64
 * slots, and the records whose padding holds FSP_FSCTL_FILE_NSEC keep their sizes.
 */
#define VP_END(m) (offsetof(FSP_FSCTL_VOLUME_PARAMS, m) + sizeof(((FSP_FSCTL_VOLUME_PARAMS *)0)->m))
_Static_assert(offsetof(FSP_FSCTL_VOLUME_PARAMS, Prefix) == VP_END(FileInfoTimeout) + sizeof(UINT32),
               "the volume flags before Prefix must total 32 bits");
_Static_assert(offsetof(FSP_FSCTL_VOLUME_PARAMS, VolumeInfoTimeout) ==
                   VP_END(FileSystemName) + sizeof(UINT32),
               "the V1 volume flags (KmAdditionalReservedFlags included) must total 32 bits");
_Static_assert(sizeof(FSP_FILE_SYSTEM_INTERFACE) == 64 * sizeof(NTSTATUS (*)(VOID)),
               "the interface has WinFsp's 64 slots: shrink Reserved for a new member");
_Static_assert(sizeof(FSP_FSCTL_FILE_INFO) == 72, "WinFsp's FSP_FSCTL_FILE_INFO");
_Static_assert(sizeof(FSP_FSCTL_OPEN_FILE_INFO) ==
                   sizeof(struct { FSP_FSCTL_FILE_INFO i; PWSTR n; UINT16 s; }),
               "FSP_FSCTL_OPEN_FILE_INFO keeps WinFsp's size (Nsec is in its padding)");
_Static_assert(offsetof(FSP_FSCTL_DIR_INFO, FileNameBuf) ==
                   offsetof(FSP_FSCTL_DIR_INFO, FileInfo) + sizeof(FSP_FSCTL_FILE_INFO) + 24,
               "FSP_FSCTL_DIR_INFO keeps WinFsp's 24 bytes of padding (Nsec is in them)");
#undef VP_END

static NTSTATUS validate_params(FSP_FSCTL_VOLUME_PARAMS *vp)
{
    if (0 != vp->Version && sizeof *vp != vp->Version)
        return STATUS_INVALID_PARAMETER;
    if (0 == vp->SectorSize)
        vp->SectorSize = 512;
    if (vp->SectorSize < 512 || (vp->SectorSize & (vp->SectorSize - 1)))
        return STATUS_INVALID_PARAMETER;
    if (0 == vp->SectorsPerAllocationUnit)
        vp->SectorsPerAllocationUnit = 1;
    if (0 == vp->MaxComponentLength || vp->MaxComponentLength > 255)
        vp->MaxComponentLength = 255;
    if (vp->UmFileContextIsUserContext2 && vp->UmFileContextIsFullContext)
        return STATUS_INVALID_PARAMETER;
    if (0 == vp->IrpTimeout)
        vp->IrpTimeout = FSP_FSCTL_IRPTIMEOUT_DEFAULT;
    if (0 == vp->IrpCapacity)
        vp->IrpCapacity = FSP_FSCTL_IRPCAPACITY_DEFAULT;
    if (0 == vp->Version) {
        /* V0: the V1 fields are not there. */
        vp->VolumeInfoTimeoutValid = vp->DirInfoTimeoutValid = vp->SecurityTimeoutValid = 0;
        vp->StreamInfoTimeoutValid = vp->EaTimeoutValid = 0;
        vp->PassthroughBackingFiles = 0;
        vp->WritebackCache = 0;
        vp->MountOptionsAsGiven = vp->SymlinkAttributesFromFileInfo = vp->FileMountPoint = 0;
        vp->NegativeEntryTimeoutValid = 0;
        vp->NanosecondTimes = vp->EmptyEaValues = vp->LinuxXattrNamespaces = 0;
        vp->XattrsPassThrough = vp->CaseSensitiveExtendedAttributes = 0;
        vp->AccessTimesByFileSystem = 0;
    }
    vp->Prefix[ARRAYSIZE(vp->Prefix) - 1] = 0;
    vp->FileSystemName[ARRAYSIZE(vp->FileSystemName) - 1] = 0;
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemCreate(PWSTR DevicePath, const FSP_FSCTL_VOLUME_PARAMS *VolumeParams,
                                     const FSP_FILE_SYSTEM_INTERFACE *Interface,
                                     FSP_FILE_SYSTEM **PFileSystem)
{
    if (!VolumeParams || !Interface || !PFileSystem)
        return STATUS_INVALID_PARAMETER;
    *PFileSystem = 0;
    /* both WinFsp device names are /dev/fuse here; like WinFsp, refuse a device it lacks */
    if (DevicePath && 0 != wcscmp(DevicePath, FSP_FSCTL_DISK_DEVICE_NAME) &&
        0 != wcscmp(DevicePath, FSP_FSCTL_NET_DEVICE_NAME))
        return STATUS_NO_SUCH_DEVICE;
    FSP_FILE_SYSTEM *fs = calloc(1, sizeof *fs);
    if (!fs)
        return STATUS_INSUFFICIENT_RESOURCES;
    fs->VolumeParams = *VolumeParams;
    NTSTATUS status = validate_params(&fs->VolumeParams);
    if (!NT_SUCCESS(status)) {
        free(fs);
        return status;
    }
    fs->Interface = Interface;
    fs->EnterOperation = FspFileSystemOpEnter;
    fs->LeaveOperation = FspFileSystemOpLeave;
    fs->OpGuardStrategy = FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE;
    fs->UmFileContextIsUserContext2 = fs->VolumeParams.UmFileContextIsUserContext2;
    fs->UmFileContextIsFullContext = fs->VolumeParams.UmFileContextIsFullContext;
    pthread_rwlock_init(&fs->OpGuardLock, 0);
    fs->Engine = fsp_engine_new(fs);
    if (!fs->Engine) {
        pthread_rwlock_destroy(&fs->OpGuardLock);
        free(fs);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    int err = fsp_channel_open(&fs->Engine->fd);
    /* An ordinary user may not be allowed to open /dev/fuse (mode 0600 on some systems):
     * fusermount3 opens it when mounting and hands the engine its descriptor. */
    if ((EACCES == err || EPERM == err) && 0 != geteuid())
        err = 0;
    if (err) {
        fsp_engine_free(fs->Engine);
        pthread_rwlock_destroy(&fs->OpGuardLock);
        free(fs);
        return ENOENT == err || ENODEV == err || ENXIO == err ? STATUS_NO_SUCH_DEVICE
               : EACCES == err || EPERM == err            ? STATUS_ACCESS_DENIED
                                                          : FspNtStatusFromErrno(err);
    }
    *PFileSystem = fs;
    return STATUS_SUCCESS;
}

FSP_API VOID FspFileSystemDelete(FSP_FILE_SYSTEM *FileSystem)
{
    if (!FileSystem)
        return;
    FspFileSystemStopDispatcher(FileSystem);
    FspFileSystemRemoveMountPoint(FileSystem);
    if (fsp_engine_abandoned(FileSystem->Engine))
        return; /* a worker is stuck in a callback of this file system: keep it all alive */
    fsp_engine_free(FileSystem->Engine);
    pthread_rwlock_destroy(&FileSystem->OpGuardLock);
    free(FileSystem->MountPoint);
    free(FileSystem);
}

FSP_API NTSTATUS FspFileSystemSetMountOptions(FSP_FILE_SYSTEM *FileSystem, const char *Options)
{
    struct fsp_engine *eng = FileSystem->Engine;
    if (eng->mountpoint)
        return STATUS_INVALID_DEVICE_STATE;
    NTSTATUS status = fsp_mount_check_options(Options);
    if (!NT_SUCCESS(status))
        return status;
    if (!Options || !*Options)
        return STATUS_SUCCESS;
    size_t old = eng->mount_options ? strlen(eng->mount_options) : 0;
    char *s = realloc(eng->mount_options, old + 1 + strlen(Options) + 1);
    if (!s)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (old)
        s[old++] = ',';
    strcpy(s + old, Options);
    eng->mount_options = s;
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemSetMountPointEx(FSP_FILE_SYSTEM *FileSystem, PWSTR MountPoint,
                                              PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    (void)SecurityDescriptor; /* the directory's own permissions apply on Linux */
    if (!MountPoint || !MountPoint[0])
        return STATUS_INVALID_PARAMETER;
    char *path = 0;
    if (0 != fsp_wcs_to_utf8(MountPoint, wcslen(MountPoint), &path, 0))
        return STATUS_OBJECT_NAME_INVALID;
    NTSTATUS status = fsp_mount(FileSystem->Engine, path);
    free(path);
    if (NT_SUCCESS(status)) {
        free(FileSystem->MountPoint);
        FileSystem->MountPoint = wcsdup(MountPoint);
    }
    return status;
}

FSP_API NTSTATUS FspFileSystemSetMountPoint(FSP_FILE_SYSTEM *FileSystem, PWSTR MountPoint)
{
    return FspFileSystemSetMountPointEx(FileSystem, MountPoint, 0);
}

FSP_API int FspFileSystemDeviceDescriptor(FSP_FILE_SYSTEM *FileSystem)
{
    if (!FileSystem || !FileSystem->Engine->mountpoint)
        return -1;
    return FileSystem->Engine->fd;
}

FSP_API NTSTATUS FspFileSystemDetachDevice(FSP_FILE_SYSTEM *FileSystem, int *PFd)
{
    if (!FileSystem || !PFd)
        return STATUS_INVALID_PARAMETER;
    *PFd = -1;
    NTSTATUS status = fsp_mount_detach(FileSystem->Engine, PFd);
    if (NT_SUCCESS(status)) {
        free(FileSystem->MountPoint);
        FileSystem->MountPoint = 0;
    }
    return status;
}

FSP_API VOID FspFileSystemRemoveMountPoint(FSP_FILE_SYSTEM *FileSystem)
{
    fsp_unmount(FileSystem->Engine);
}

FSP_API NTSTATUS FspFileSystemPreflight(PWSTR DevicePath, PWSTR MountPoint)
{
    (void)DevicePath;
    if (0 != access("/dev/fuse", 0 == geteuid() ? R_OK | W_OK : F_OK))
        return ENOENT == errno ? STATUS_NO_SUCH_DEVICE : STATUS_ACCESS_DENIED;
    if (!MountPoint)
        return STATUS_SUCCESS;
    char *path = 0;
    if (0 != fsp_wcs_to_utf8(MountPoint, wcslen(MountPoint), &path, 0))
        return STATUS_OBJECT_NAME_INVALID;
    struct stat st;
    NTSTATUS status = 0 != stat(path, &st) ? (ENOENT == errno ? STATUS_OBJECT_PATH_NOT_FOUND
                                                              : STATUS_ACCESS_DENIED)
                      : !S_ISDIR(st.st_mode) ? STATUS_NOT_A_DIRECTORY
                                             : STATUS_SUCCESS;
    free(path);
    return status;
}

FSP_API NTSTATUS FspFileSystemStartDispatcher(FSP_FILE_SYSTEM *FileSystem, ULONG ThreadCount)
{
    return fsp_dispatcher_start(FileSystem->Engine, ThreadCount);
}

FSP_API VOID FspFileSystemStopDispatcher(FSP_FILE_SYSTEM *FileSystem)
{
    fsp_dispatcher_stop(FileSystem->Engine, true);
}

FSP_API VOID FspFileSystemSendResponse(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_RSP *Response)
{
    if (FileSystem && Response)
        fsp_pending_complete(FileSystem->Engine, Response);
}

FSP_API FSP_FILE_SYSTEM_OPERATION_CONTEXT *FspFileSystemGetOperationContext(VOID)
{
    return *fsp_opctx_slot();
}

FSP_API NTSTATUS FspFileSystemSetOpenFlags(UINT32 Flags)
{
    return fsp_set_open_flags(Flags);
}

FSP_API NTSTATUS FspFileSystemSetOpenBackingFile(int Fd)
{
    return fsp_passthrough_set_backing_fd(Fd);
}

FSP_API FSP_FSCTL_FILE_NSEC *FspFileSystemGetFileInfoNsec(FSP_FSCTL_FILE_INFO *FileInfo)
{
    return fsp_file_info_nsec(FileInfo);
}

FSP_API NTSTATUS FspFileSystemNotifyBegin(FSP_FILE_SYSTEM *FileSystem, ULONG Timeout)
{
    (void)FileSystem, (void)Timeout;
    fsp_notify_begin();
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemNotifyEnd(FSP_FILE_SYSTEM *FileSystem)
{
    (void)FileSystem;
    fsp_notify_end();
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemNotify(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_NOTIFY_INFO *NotifyInfo,
                                     SIZE_T Size)
{
    if (!FileSystem)
        return STATUS_INVALID_PARAMETER;
    return fsp_notify(FileSystem->Engine, NotifyInfo, Size);
}

FSP_API NTSTATUS FspFileSystemNotifyPoll(FSP_FILE_SYSTEM *FileSystem, UINT64 PollHandle)
{
    if (!FileSystem)
        return STATUS_INVALID_PARAMETER;
    return fsp_notify_poll(FileSystem->Engine, PollHandle);
}

FSP_API PWSTR FspFileSystemMountPointF(FSP_FILE_SYSTEM *FileSystem)
{
    return FileSystem->MountPoint;
}

FSP_API VOID FspFileSystemSetDebugLogF(FSP_FILE_SYSTEM *FileSystem, UINT32 DebugLog)
{
    FileSystem->DebugLog = DebugLog;
}

FSP_API UINT32 FspFileSystemOperationProcessIdF(VOID)
{
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *ctx = FspFileSystemGetOperationContext();
    return ctx && ctx->Request ? ctx->Request->CallerPid : 0;
}

FSP_API BOOLEAN FspFileSystemIsOperationCaseSensitiveF(VOID)
{
    return FspFileSystemIsOperationCaseSensitive();
}

FSP_API VOID FspFileSystemSetOperationGuard(FSP_FILE_SYSTEM *FileSystem,
                                            FSP_FILE_SYSTEM_OPERATION_GUARD *EnterOperation,
                                            FSP_FILE_SYSTEM_OPERATION_GUARD *LeaveOperation)
{
    FileSystem->EnterOperation = EnterOperation;
    FileSystem->LeaveOperation = LeaveOperation;
}

FSP_API VOID FspFileSystemSetOperationGuardF(FSP_FILE_SYSTEM *FileSystem,
                                             FSP_FILE_SYSTEM_OPERATION_GUARD *EnterOperation,
                                             FSP_FILE_SYSTEM_OPERATION_GUARD *LeaveOperation)
{
    FspFileSystemSetOperationGuard(FileSystem, EnterOperation, LeaveOperation);
}

FSP_API NTSTATUS FspFileSystemEnterOperationF(FSP_FILE_SYSTEM *FileSystem,
                                              FSP_FSCTL_TRANSACT_REQ *Request,
                                              FSP_FSCTL_TRANSACT_RSP *Response)
{
    return FspFileSystemEnterOperation(FileSystem, Request, Response);
}

FSP_API NTSTATUS FspFileSystemLeaveOperationF(FSP_FILE_SYSTEM *FileSystem,
                                              FSP_FSCTL_TRANSACT_REQ *Request,
                                              FSP_FSCTL_TRANSACT_RSP *Response)
{
    return FspFileSystemLeaveOperation(FileSystem, Request, Response);
}

FSP_API VOID FspFileSystemGetDispatcherResultF(FSP_FILE_SYSTEM *FileSystem,
                                               NTSTATUS *PDispatcherResult)
{
    FspFileSystemGetDispatcherResult(FileSystem, PDispatcherResult);
}

FSP_API VOID FspFileSystemSetDispatcherResultF(FSP_FILE_SYSTEM *FileSystem,
                                               NTSTATUS DispatcherResult)
{
    FspFileSystemSetDispatcherResult(FileSystem, DispatcherResult);
}

FSP_API VOID FspFileSystemSetOperationGuardStrategyF(FSP_FILE_SYSTEM *FileSystem,
                                                     FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY GuardStrategy)
{
    FileSystem->OpGuardStrategy = GuardStrategy;
}

NTSTATUS fsp_engine_attach_fd(FSP_FILE_SYSTEM *fs, int fd)
{
    struct fsp_engine *eng = fs->Engine;
    if (eng->mountpoint || eng->dispatching)
        return STATUS_INVALID_DEVICE_STATE;
    if (eng->fd >= 0)
        close(eng->fd);
    eng->fd = fd;
    eng->attached = true;
    return STATUS_SUCCESS;
}
