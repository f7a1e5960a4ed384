/*
 * src/api/dirinfo.c - packing records into the buffers file systems fill:
 * directory entries, stream entries, notifications and extended attributes.
 */
#include "api.h"
#include <string.h>

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)
#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

/* Append a record of `size` bytes (8-byte aligned) or, with NULL, a zero UINT16 end marker. */
static BOOLEAN add_record(const void *rec, size_t size, size_t hdrsize, PVOID Buffer, ULONG Length,
                          PULONG PBytesTransferred)
{
    size_t pos = ALIGN8(*PBytesTransferred);
    if (!rec) {
        if (pos + sizeof(UINT16) > Length)
            return FALSE;
        memset((char *)Buffer + pos, 0, sizeof(UINT16));
        *PBytesTransferred = (ULONG)(pos + sizeof(UINT16));
        return TRUE;
    }
    /* As WinFsp: the record counts with its padding, which must fit too. */
    if (size < hdrsize || pos + ALIGN8(size) > Length)
        return FALSE;
    memcpy((char *)Buffer + pos, rec, size);
    memset((char *)Buffer + pos + size, 0, ALIGN8(size) - size);
    *PBytesTransferred = (ULONG)(pos + ALIGN8(size));
    return TRUE;
}

FSP_API BOOLEAN FspFileSystemAddDirInfo(FSP_FSCTL_DIR_INFO *DirInfo, PVOID Buffer, ULONG Length,
                                        PULONG PBytesTransferred)
{
    return add_record(DirInfo, DirInfo ? DirInfo->Size : 0, sizeof(FSP_FSCTL_DIR_INFO), Buffer,
                      Length, PBytesTransferred);
}

FSP_API BOOLEAN FspFileSystemAddStreamInfo(FSP_FSCTL_STREAM_INFO *StreamInfo, PVOID Buffer,
                                           ULONG Length, PULONG PBytesTransferred)
{
    return add_record(StreamInfo, StreamInfo ? StreamInfo->Size : 0, sizeof(FSP_FSCTL_STREAM_INFO),
                      Buffer, Length, PBytesTransferred);
}

FSP_API BOOLEAN FspFileSystemAddNotifyInfo(FSP_FSCTL_NOTIFY_INFO *NotifyInfo, PVOID Buffer,
                                           ULONG Length, PULONG PBytesTransferred)
{
    return add_record(NotifyInfo, NotifyInfo ? NotifyInfo->Size : 0, sizeof(FSP_FSCTL_NOTIFY_INFO),
                      Buffer, Length, PBytesTransferred);
}

/*
 * Where the list FspFileSystemAddEa appended to last ends, per thread. Appending chains the new
 * entry to the list's last one; finding that one by walking from the start made a list of n
 * entries cost O(n^2) (2000 xattrs: 6 ms per getxattr). A file system builds its list in one
 * thread, entry after entry, so the entry written last is remembered with the buffer and the
 * byte count it left: the next append to that buffer at that count takes it, after checking that
 * it still ends the list exactly there; anything else (another buffer, a list restarted, a list
 * changed by hand) walks as before.
 */
static __thread struct {
    const void *list;
    ULONG bytes; /* *PBytesTransferred after that append */
    ULONG last;  /* offset of the entry it wrote */
} ea_tail;

static size_t ea_packed_size(const FILE_FULL_EA_INFORMATION *ea)
{
    return offsetof(FILE_FULL_EA_INFORMATION, EaName) + ea->EaNameLength + 1 + ea->EaValueLength;
}

/* The entry of a non-empty list that ends it (NextEntryOffset 0), the one written at bytes. */
static FILE_FULL_EA_INFORMATION *ea_last(FILE_FULL_EA_INFORMATION *Ea, ULONG bytes)
{
    if (ea_tail.list == Ea && ea_tail.bytes == bytes &&
        (size_t)ea_tail.last + offsetof(FILE_FULL_EA_INFORMATION, EaName) <= bytes) {
        FILE_FULL_EA_INFORMATION *e = (FILE_FULL_EA_INFORMATION *)((char *)Ea + ea_tail.last);
        if (0 == e->NextEntryOffset && ea_tail.last + ea_packed_size(e) == bytes)
            return e;
    }
    FILE_FULL_EA_INFORMATION *prev = Ea;
    while (prev->NextEntryOffset)
        prev = (FILE_FULL_EA_INFORMATION *)((char *)prev + prev->NextEntryOffset);
    return prev;
}

/* What FspFileSystemAddEa did on this thread since fsp_ea_track_reset (the engine's GetEa). */
static __thread struct fsp_ea_track ea_track;

void fsp_ea_track_reset(void)
{
    ea_track.adds = ea_track.refused = 0;
}

struct fsp_ea_track fsp_ea_track_get(void)
{
    return ea_track;
}

FSP_API BOOLEAN FspFileSystemAddEa(PFILE_FULL_EA_INFORMATION SingleEa, PFILE_FULL_EA_INFORMATION Ea,
                                   ULONG EaLength, PULONG PBytesTransferred)
{
    ea_track.adds++;
    if (!SingleEa)
        return TRUE; /* the list ends with the last entry's NextEntryOffset 0 */
    size_t size = ea_packed_size(SingleEa);
    size_t pos = ALIGN4(*PBytesTransferred);
    if (pos + size > EaLength) {
        ea_track.refused++; /* the list the file system returns lacks this entry */
        return FALSE;
    }
    /* Chain the previous entry (the last one written ends at *PBytesTransferred). */
    if (*PBytesTransferred) {
        FILE_FULL_EA_INFORMATION *prev = ea_last(Ea, *PBytesTransferred);
        prev->NextEntryOffset = (ULONG)((char *)Ea + pos - (char *)prev);
    }
    FILE_FULL_EA_INFORMATION *dst = (FILE_FULL_EA_INFORMATION *)((char *)Ea + pos);
    memcpy(dst, SingleEa, size);
    dst->NextEntryOffset = 0;
    *PBytesTransferred = (ULONG)(pos + size);
    ea_tail.list = Ea;
    ea_tail.bytes = *PBytesTransferred;
    ea_tail.last = (ULONG)pos;
    return TRUE;
}

FSP_API NTSTATUS FspFileSystemEnumerateEa(FSP_FILE_SYSTEM *FileSystem,
                                          NTSTATUS (*EnumerateEa)(FSP_FILE_SYSTEM *FileSystem,
                                                                  PVOID Context,
                                                                  PFILE_FULL_EA_INFORMATION SingleEa),
                                          PVOID Context, PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength)
{
    const char *p = (const char *)Ea, *end = p + EaLength;
    while (p < end) {
        const FILE_FULL_EA_INFORMATION *e = (const FILE_FULL_EA_INFORMATION *)p;
        size_t hdr = offsetof(FILE_FULL_EA_INFORMATION, EaName);
        if ((size_t)(end - p) < hdr)
            return STATUS_EA_CORRUPT_ERROR;
        size_t size = hdr + e->EaNameLength + 1 + e->EaValueLength;
        if (size > (size_t)(end - p) || '\0' != e->EaName[e->EaNameLength])
            return STATUS_EA_CORRUPT_ERROR;
        if (e->NextEntryOffset && (e->NextEntryOffset < size || (e->NextEntryOffset & 3) ||
                                   e->NextEntryOffset > (size_t)(end - p)))
            return STATUS_EA_CORRUPT_ERROR;
        NTSTATUS status = EnumerateEa(FileSystem, Context, (PFILE_FULL_EA_INFORMATION)e);
        if (!NT_SUCCESS(status))
            return status;
        if (!e->NextEntryOffset)
            break;
        p += e->NextEntryOffset;
    }
    return STATUS_SUCCESS;
}

FSP_API PWSTR FspFileSystemGetOpenFileInfoName(FSP_FSCTL_FILE_INFO *FileInfo)
{
    return ((FSP_FSCTL_OPEN_FILE_INFO *)FileInfo)->NormalizedName;
}
