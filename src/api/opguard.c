/*
 * src/api/opguard.c - WinFsp's operation guard strategies.
 *
 * FINE: operations that change the namespace are exclusive, those that read
 * it are shared, file I/O is not guarded. COARSE: everything is exclusive.
 */
#include <winfsp/winfsp.h>

#define FileLinkInformation 11

enum guard { GUARD_NONE, GUARD_SHARED, GUARD_EXCLUSIVE };

static enum guard classify(FSP_FILE_SYSTEM *fs, FSP_FSCTL_TRANSACT_REQ *req)
{
    if (FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE == fs->OpGuardStrategy)
        return GUARD_EXCLUSIVE;
    switch (req->Kind) {
    case FspFsctlTransactCreateKind:
        return FILE_OPEN == (req->Req.Create.CreateOptions >> 24) ? GUARD_SHARED : GUARD_EXCLUSIVE;
    case FspFsctlTransactOverwriteKind:
        return GUARD_EXCLUSIVE;
    case FspFsctlTransactCleanupKind:
        return req->Req.Cleanup.Delete ? GUARD_EXCLUSIVE : GUARD_NONE;
    case FspFsctlTransactSetInformationKind:
        switch (req->Req.SetInformation.FileInformationClass) {
        case FileRenameInformation:
        case FileRenameInformationEx:
        case FileLinkInformation:
            return GUARD_EXCLUSIVE;
        case FileDispositionInformation:
        case FileDispositionInformationEx:
            return GUARD_SHARED;
        default:
            return GUARD_NONE;
        }
    case FspFsctlTransactSetVolumeInformationKind:
        return GUARD_EXCLUSIVE;
    case FspFsctlTransactFlushBuffersKind:
        return 0 == req->Req.FlushBuffers.UserContext && 0 == req->Req.FlushBuffers.UserContext2
                   ? GUARD_EXCLUSIVE
                   : GUARD_NONE;
    case FspFsctlTransactQueryDirectoryKind:
    case FspFsctlTransactQueryVolumeInformationKind:
        return GUARD_SHARED;
    default:
        return GUARD_NONE;
    }
}

/* The guard taken is remembered in Request->Version so Leave releases exactly what Enter took. */

FSP_API NTSTATUS FspFileSystemOpEnter(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_REQ *Request,
                                      FSP_FSCTL_TRANSACT_RSP *Response)
{
    (void)Response;
    enum guard g = classify(FileSystem, Request);
    if (GUARD_EXCLUSIVE == g)
        pthread_rwlock_wrlock(&FileSystem->OpGuardLock);
    else if (GUARD_SHARED == g)
        pthread_rwlock_rdlock(&FileSystem->OpGuardLock);
    Request->Version = (UINT16)g;
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemOpLeave(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_TRANSACT_REQ *Request,
                                      FSP_FSCTL_TRANSACT_RSP *Response)
{
    (void)Response;
    if (GUARD_NONE != (enum guard)Request->Version)
        pthread_rwlock_unlock(&FileSystem->OpGuardLock);
    Request->Version = 0;
    return STATUS_SUCCESS;
}
