/*
 * src/api/reparse.c - reparse point helpers: finding a reparse point on a
 * path, resolving symlinks along it, checking replacement rules, and the
 * symlink reparse data of POSIX symlinks (made and read back here for the
 * engine, the FUSE layer and the passthrough example alike).
 */
#include "api.h"
#include <stdlib.h>
#include <string.h>

typedef NTSTATUS GET_REPARSE_POINT_BY_NAME(FSP_FILE_SYSTEM *, PVOID, PWSTR, BOOLEAN, PVOID, PSIZE_T);

#define MAX_REPARSE_HOPS 63

FSP_API BOOLEAN FspFileSystemFindReparsePoint(FSP_FILE_SYSTEM *FileSystem,
                                              GET_REPARSE_POINT_BY_NAME *GetReparsePointByName,
                                              PVOID Context, PWSTR FileName,
                                              PUINT32 PReparsePointIndex)
{
    /* Check every proper prefix "\a", "\a\b", ... of FileName (not the whole name). As in
     * WinFsp, the index is where the reparse point's own name starts in FileName. */
    size_t len = wcslen(FileName);
    for (size_t i = 1; i < len; i++) {
        if (L'\\' != FileName[i])
            continue;
        WCHAR save = FileName[i];
        FileName[i] = 0;
        NTSTATUS status = GetReparsePointByName(FileSystem, Context, FileName, TRUE, 0, 0);
        FileName[i] = save;
        if (NT_SUCCESS(status)) {
            size_t start = i;
            while (start > 0 && L'\\' != FileName[start - 1])
                start--;
            if (PReparsePointIndex)
                *PReparsePointIndex = (UINT32)start;
            return TRUE;
        }
    }
    return FALSE;
}

/* Validate a symlink reparse buffer and return its substitute name (not NUL terminated). */
static BOOLEAN symlink_target(const REPARSE_DATA_BUFFER *rp, SIZE_T size, PCWSTR *ptarget,
                              size_t *plen, BOOLEAN *prelative)
{
    size_t hdr = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer);
    if (size < hdr || IO_REPARSE_TAG_SYMLINK != rp->ReparseTag ||
        (size_t)rp->ReparseDataLength + REPARSE_DATA_BUFFER_HEADER_SIZE > size)
        return FALSE;
    USHORT off = rp->SymbolicLinkReparseBuffer.SubstituteNameOffset;
    USHORT len = rp->SymbolicLinkReparseBuffer.SubstituteNameLength;
    if ((off % sizeof(WCHAR)) || (len % sizeof(WCHAR)) || hdr + off + len > size)
        return FALSE;
    *ptarget = (PCWSTR)((const char *)rp->SymbolicLinkReparseBuffer.PathBuffer + off);
    *plen = len / sizeof(WCHAR);
    *prelative = (rp->SymbolicLinkReparseBuffer.Flags & SYMLINK_FLAG_RELATIVE) ? TRUE : FALSE;
    return TRUE;
}

FSP_API NTSTATUS FspFileSystemResolveReparsePoints(FSP_FILE_SYSTEM *FileSystem,
                                                   GET_REPARSE_POINT_BY_NAME *GetReparsePointByName,
                                                   PVOID Context, PWSTR FileName,
                                                   UINT32 ReparsePointIndex,
                                                   BOOLEAN ResolveLastPathComponent,
                                                   PIO_STATUS_BLOCK PIoStatus, PVOID Buffer,
                                                   PSIZE_T PSize)
{
    (void)ReparsePointIndex;
    size_t cap = 4096;
    PWSTR path = malloc(cap * sizeof(WCHAR));
    void *rpbuf = malloc(MAXIMUM_REPARSE_DATA_BUFFER_SIZE);
    NTSTATUS result = STATUS_SUCCESS;
    if (!path || !rpbuf) {
        result = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    if (wcslen(FileName) + 1 > cap) {
        result = STATUS_OBJECT_NAME_INVALID;
        goto out;
    }
    wcscpy(path, FileName);
    for (int hops = 0;;) {
        size_t len = wcslen(path);
        BOOLEAN replaced = FALSE;
        for (size_t i = 1; i <= len && !replaced; i++) {
            if (i < len && L'\\' != path[i])
                continue;
            BOOLEAN last = i == len;
            if (last && !ResolveLastPathComponent)
                break;
            WCHAR save = path[i];
            path[i] = 0;
            SIZE_T size = MAXIMUM_REPARSE_DATA_BUFFER_SIZE;
            NTSTATUS status = GetReparsePointByName(FileSystem, Context, path, !last, rpbuf, &size);
            path[i] = save;
            if (!NT_SUCCESS(status))
                continue;
            PCWSTR target;
            size_t tlen;
            BOOLEAN relative;
            if (!symlink_target(rpbuf, size, &target, &tlen, &relative)) {
                /* Not a symlink: report the tag and hand back the raw data. */
                const REPARSE_DATA_BUFFER *rp = rpbuf;
                if (size > *PSize) {
                    result = STATUS_BUFFER_TOO_SMALL;
                    goto out;
                }
                memcpy(Buffer, rpbuf, size);
                *PSize = size;
                PIoStatus->Status = STATUS_REPARSE;
                PIoStatus->Information = rp->ReparseTag;
                result = STATUS_REPARSE;
                goto out;
            }
            if (++hops > MAX_REPARSE_HOPS) {
                result = STATUS_REPARSE_POINT_NOT_RESOLVED;
                goto out;
            }
            /* New path: the parent of the link (relative) or the target (absolute) + the rest. */
            size_t base = 0; /* relative: keep "\\dir\\" before the link's own name */
            if (relative)
                for (base = i; base > 0 && L'\\' != path[base - 1]; base--)
                    ;
            size_t restlen = len - i;
            if (base + tlen + restlen + 2 > cap) {
                result = STATUS_REPARSE_POINT_NOT_RESOLVED;
                goto out;
            }
            PWSTR rest = wcsdup(path + i);
            if (!rest) {
                result = STATUS_INSUFFICIENT_RESOURCES;
                goto out;
            }
            memcpy(path + base, target, tlen * sizeof(WCHAR));
            wcscpy(path + base + tlen, rest);
            free(rest);
            if (L'\\' != path[0]) {
                memmove(path + 1, path, (wcslen(path) + 1) * sizeof(WCHAR));
                path[0] = L'\\';
            }
            replaced = TRUE;
        }
        if (!replaced)
            break;
    }
    {
        size_t bytes = (wcslen(path) + 1) * sizeof(WCHAR);
        if (bytes > *PSize) {
            result = STATUS_BUFFER_TOO_SMALL;
            goto out;
        }
        memcpy(Buffer, path, bytes);
        *PSize = bytes - sizeof(WCHAR);
        PIoStatus->Status = STATUS_REPARSE;
        PIoStatus->Information = 0; /* IO_REPARSE: Buffer holds the resolved path */
        result = STATUS_REPARSE;
    }
out:
    free(path);
    free(rpbuf);
    return result;
}

FSP_API NTSTATUS FspFileSystemCanReplaceReparsePoint(PVOID CurrentReparseData,
                                                     SIZE_T CurrentReparseDataSize,
                                                     PVOID ReplaceReparseData,
                                                     SIZE_T ReplaceReparseDataSize)
{
    if (CurrentReparseDataSize < sizeof(ULONG) || ReplaceReparseDataSize < sizeof(ULONG))
        return STATUS_IO_REPARSE_DATA_INVALID;
    ULONG tag = *(PULONG)CurrentReparseData;
    if (tag != *(PULONG)ReplaceReparseData)
        return STATUS_IO_REPARSE_TAG_MISMATCH;
    if (!IsReparseTagMicrosoft(tag)) {
        if (CurrentReparseDataSize < REPARSE_GUID_DATA_BUFFER_HEADER_SIZE ||
            ReplaceReparseDataSize < REPARSE_GUID_DATA_BUFFER_HEADER_SIZE)
            return STATUS_IO_REPARSE_DATA_INVALID;
        if (0 != memcmp(&((PREPARSE_GUID_DATA_BUFFER)CurrentReparseData)->ReparseGuid,
                        &((PREPARSE_GUID_DATA_BUFFER)ReplaceReparseData)->ReparseGuid, sizeof(GUID)))
            return STATUS_REPARSE_ATTRIBUTE_CONFLICT;
    }
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspPosixMakeSymlinkReparseData(const char *Target, PVOID Buffer, PSIZE_T PSize)
{
    if (!Target || !PSize || (!Buffer && *PSize))
        return STATUS_INVALID_PARAMETER;
    if (strlen(Target) >= 4096)
        return STATUS_NAME_TOO_LONG;
    PWSTR w = 0;
    NTSTATUS status = FspPosixMapPosixToWindowsPath(Target, &w);
    if (!NT_SUCCESS(status))
        return status;
    size_t bytes = wcslen(w) * sizeof(WCHAR);
    size_t hdr = offsetof(REPARSE_DATA_BUFFER, SymbolicLinkReparseBuffer.PathBuffer);
    /* The print name repeats the target; dropped when both do not fit (WCHAR is 4 bytes here). */
    size_t pbytes = hdr + 2 * bytes > MAXIMUM_REPARSE_DATA_BUFFER_SIZE ? 0 : bytes;
    size_t size = hdr + bytes + pbytes;
    if (size > MAXIMUM_REPARSE_DATA_BUFFER_SIZE || bytes > 0xffff) {
        FspPosixDeletePath(w);
        return STATUS_NAME_TOO_LONG;
    }
    if (size > *PSize) {
        FspPosixDeletePath(w);
        *PSize = size;
        return STATUS_BUFFER_TOO_SMALL;
    }
    REPARSE_DATA_BUFFER *rp = Buffer;
    memset(rp, 0, size);
    rp->ReparseTag = IO_REPARSE_TAG_SYMLINK;
    rp->ReparseDataLength = (USHORT)(size - REPARSE_DATA_BUFFER_HEADER_SIZE);
    rp->SymbolicLinkReparseBuffer.SubstituteNameOffset = 0;
    rp->SymbolicLinkReparseBuffer.SubstituteNameLength = (USHORT)bytes;
    rp->SymbolicLinkReparseBuffer.PrintNameOffset = (USHORT)bytes;
    rp->SymbolicLinkReparseBuffer.PrintNameLength = (USHORT)pbytes;
    rp->SymbolicLinkReparseBuffer.Flags = '/' == Target[0] ? 0 : SYMLINK_FLAG_RELATIVE;
    memcpy(rp->SymbolicLinkReparseBuffer.PathBuffer, w, bytes);
    memcpy((char *)rp->SymbolicLinkReparseBuffer.PathBuffer + bytes, w, pbytes);
    FspPosixDeletePath(w);
    *PSize = size;
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspPosixGetSymlinkTarget(PVOID Buffer, SIZE_T Size, char **PTarget)
{
    if (!Buffer || !PTarget)
        return STATUS_INVALID_PARAMETER;
    *PTarget = 0;
    PCWSTR target;
    size_t n;
    BOOLEAN relative;
    if (!symlink_target(Buffer, Size, &target, &n, &relative) || 0 == n)
        return STATUS_IO_REPARSE_DATA_INVALID;
    PWSTR w = malloc((n + 1) * sizeof(WCHAR));
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(w, target, n * sizeof(WCHAR));
    w[n] = 0;
    NTSTATUS status = wcslen(w) != n ? STATUS_IO_REPARSE_DATA_INVALID /* an embedded NUL */
                                     : FspPosixMapWindowsToPosixPath(w, PTarget);
    free(w);
    return status;
}
