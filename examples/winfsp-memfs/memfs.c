/**
 * @file memfs.c
 * MEMFS written as a WinFsp file system would be, and ported to LinFsp.
 *
 * This file system is deliberately written against WinFsp's native API as it behaves on
 * Windows, the way WinFsp's own MEMFS sample is structured: one map of file nodes keyed by
 * their full names (so a directory's children follow it in the map), a contiguous heap block
 * per file's data, security descriptors, reparse points and extended attributes per node. It
 * relies on what WinFsp's kernel driver does for a file system, and lets LinFsp's engine
 * supply it on Linux:
 *
 * - Write, SetFileSize and SetSecurity do not touch the file times: Cleanup sets them from
 *   the FspCleanupSet* flags, as the driver passes them when a file was modified;
 * - extended attribute names compare case-insensitively (NTFS's rule), and setting one
 *   replaces an entry whose name differs only in case;
 * - GetEa returns success with the attributes that fit and no end marker when the buffer is
 *   too small (the driver retries with a larger one);
 * - Rename refuses to replace a directory (STATUS_ACCESS_DENIED), as NTFS does;
 * - it keeps no link counts (FSP_FSCTL_FILE_INFO::HardLinks is 0, as WinFsp documents).
 *
 * The port changed only Windows calls: heap, one-time initialization, interlocked, time,
 * string comparison and security-descriptor calls come from <winfsp/win32-compat.h> under
 * their Windows names. Lines that differ from what the code would be on Windows are marked
 * "PORT:" (doc/porting.md explains each).
 *
 * Compared to WinFsp's MEMFS it has no named streams (Linux cannot reach them), no
 * DeviceControl and no slow-I/O mode.
 */
#include <winfsp/win32-compat.h>
#include <assert.h>
#include "memfs.h"

#define MEMFS_SECTOR_SIZE               512
#define MEMFS_SECTORS_PER_ALLOCATION_UNIT 1

/*
 * Large Heap Support
 *
 * File data lives in a heap of its own, whose allocations are rounded up to large
 * granules so that files can grow without moving too often.
 */

typedef struct
{
    DWORD Options;
    SIZE_T InitialSize;
    SIZE_T MaximumSize;
    SIZE_T Alignment;
} LARGE_HEAP_INITIALIZE_PARAMS;
static INIT_ONCE LargeHeapInitOnce = INIT_ONCE_STATIC_INIT;
static HANDLE LargeHeap;
static SIZE_T LargeHeapAlignment;
static volatile LONG64 LargeHeapUsed;   /* bytes allocated: the volume's used space */

static BOOL WINAPI LargeHeapInitOnceF(
    PINIT_ONCE InitOnce, PVOID Parameter, PVOID *Context)
{
    LARGE_HEAP_INITIALIZE_PARAMS *Params = (LARGE_HEAP_INITIALIZE_PARAMS *)Parameter;

    (void)InitOnce, (void)Context;
    LargeHeap = HeapCreate(Params->Options, Params->InitialSize, Params->MaximumSize);
    LargeHeapAlignment = 0 != Params->Alignment ?
        FSP_FSCTL_ALIGN_UP(Params->Alignment, 4096) :
        16 * 4096;
    return 0 != LargeHeap;
}

static inline
BOOLEAN LargeHeapInitialize(
    DWORD Options,
    SIZE_T InitialSize,
    SIZE_T MaximumSize,
    SIZE_T Alignment)
{
    LARGE_HEAP_INITIALIZE_PARAMS Params;

    Params.Options = Options;
    Params.InitialSize = InitialSize;
    Params.MaximumSize = MaximumSize;
    Params.Alignment = Alignment;
    return InitOnceExecuteOnce(&LargeHeapInitOnce, LargeHeapInitOnceF, &Params, 0);
}

static inline
VOID LargeHeapFree(PVOID Pointer)
{
    if (0 != Pointer)
    {
        InterlockedAdd64(&LargeHeapUsed, -(LONG64)HeapSize(LargeHeap, 0, Pointer));
        HeapFree(LargeHeap, 0, Pointer);
    }
}

static inline
PVOID LargeHeapRealloc(PVOID Pointer, SIZE_T Size)
{
    SIZE_T OldSize;
    PVOID NewPointer;

    if (0 == Size)
    {
        LargeHeapFree(Pointer);
        return 0;
    }

    Size = FSP_FSCTL_ALIGN_UP(Size, LargeHeapAlignment);
    OldSize = 0 != Pointer ? HeapSize(LargeHeap, 0, Pointer) : 0;
    NewPointer = 0 != Pointer ?
        HeapReAlloc(LargeHeap, 0, Pointer, Size) :
        HeapAlloc(LargeHeap, 0, Size);
    if (0 != NewPointer)
        InterlockedAdd64(&LargeHeapUsed, (LONG64)Size - (LONG64)OldSize);
    return NewPointer;
}

/*
 * MEMFS
 */

static inline
UINT64 MemfsGetSystemTime(VOID)
{
    FILETIME FileTime;

    GetSystemTimeAsFileTime(&FileTime);
    return ((UINT64)FileTime.dwHighDateTime << 32) | FileTime.dwLowDateTime;
}

/*
 * File names compare one character at a time, with the backslash below every other
 * character: a directory sorts right before its children, and all of them before any
 * name that merely starts like it ("\a", "\a\b", "\a\c", "\a b").
 */
static inline
int MemfsFileNameCompare(PWSTR a, PWSTR b, BOOLEAN CaseInsensitive)
{
    for (;; a++, b++)
    {
        WCHAR c = *a, d = *b;

        if (CaseInsensitive)
        {
            c = (WCHAR)towupper(c);
            d = (WCHAR)towupper(d);
        }
        if (L'\\' == c)
            c = 1;
        if (L'\\' == d)
            d = 1;
        if (c != d)
            return c < d ? -1 : 1;
        if (L'\0' == c)
            return 0;
    }
}

/* Is Name a descendant of (or the same as) Prefix? */
static inline
BOOLEAN MemfsFileNameHasPrefix(PWSTR Name, PWSTR Prefix, BOOLEAN CaseInsensitive)
{
    size_t PrefixLength = wcslen(Prefix);

    if (wcslen(Name) < PrefixLength)
        return FALSE;
    if (CaseInsensitive ?
        CSTR_EQUAL != CompareStringW(LOCALE_INVARIANT, NORM_IGNORECASE,
            Name, (int)PrefixLength, Prefix, (int)PrefixLength) :
        0 != wcsncmp(Name, Prefix, PrefixLength))
        return FALSE;
    return L'\0' == Name[PrefixLength] || L'\\' == Name[PrefixLength] ||
        (1 == PrefixLength && L'\\' == Prefix[0]);
}

/* EA names are case-insensitive in MEMFS, as in NTFS. */
static inline
int MemfsEaNameCompare(PSTR a, PSTR b)
{
    return CompareStringA(LOCALE_INVARIANT, NORM_IGNORECASE, a, -1, b, -1) - CSTR_EQUAL;
}

typedef struct _MEMFS_FILE_NODE
{
    PWSTR FileName;                     /* PORT: allocated, not WCHAR[MAX_PATH] (doc/porting.md) */
    FSP_FSCTL_FILE_INFO FileInfo;
    SIZE_T FileSecuritySize;
    PVOID FileSecurity;
    PVOID FileData;
    SIZE_T ReparseDataSize;
    PVOID ReparseData;
    PFILE_FULL_EA_INFORMATION *Eas;
    ULONG EaCount;
    volatile LONG RefCount;
} MEMFS_FILE_NODE;

/* The map: file nodes sorted by MemfsFileNameCompare. */
typedef struct _MEMFS_FILE_NODE_MAP
{
    BOOLEAN CaseInsensitive;
    MEMFS_FILE_NODE **Nodes;
    ULONG Count, Capacity;
} MEMFS_FILE_NODE_MAP;

struct _MEMFS
{
    FSP_FILE_SYSTEM *FileSystem;
    MEMFS_FILE_NODE_MAP *FileNodeMap;
    ULONG MaxFileNodes;
    ULONG MaxFileSize;
    UINT16 VolumeLabelLength;
    WCHAR VolumeLabel[32];
};

static inline
NTSTATUS MemfsFileNodeCreate(PWSTR FileName, MEMFS_FILE_NODE **PFileNode)
{
    static volatile LONG64 IndexNumber = 0;
    MEMFS_FILE_NODE *FileNode;

    *PFileNode = 0;

    FileNode = (MEMFS_FILE_NODE *)malloc(sizeof *FileNode);
    if (0 == FileNode)
        return STATUS_INSUFFICIENT_RESOURCES;

    memset(FileNode, 0, sizeof *FileNode);
    FileNode->FileName = _wcsdup(FileName);
    if (0 == FileNode->FileName)
    {
        free(FileNode);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FileNode->FileInfo.CreationTime =
    FileNode->FileInfo.LastAccessTime =
    FileNode->FileInfo.LastWriteTime =
    FileNode->FileInfo.ChangeTime = MemfsGetSystemTime();
    FileNode->FileInfo.IndexNumber = (UINT64)InterlockedIncrement(&IndexNumber);

    *PFileNode = FileNode;

    return STATUS_SUCCESS;
}

static inline
VOID MemfsFileNodeDeleteEas(MEMFS_FILE_NODE *FileNode)
{
    for (ULONG Index = 0; FileNode->EaCount > Index; Index++)
        free(FileNode->Eas[Index]);
    free(FileNode->Eas);
    FileNode->Eas = 0;
    FileNode->EaCount = 0;
    FileNode->FileInfo.EaSize = 0;
}

static inline
VOID MemfsFileNodeDelete(MEMFS_FILE_NODE *FileNode)
{
    MemfsFileNodeDeleteEas(FileNode);
    free(FileNode->ReparseData);
    LargeHeapFree(FileNode->FileData);
    free(FileNode->FileSecurity);
    free(FileNode->FileName);
    free(FileNode);
}

static inline
VOID MemfsFileNodeReference(MEMFS_FILE_NODE *FileNode)
{
    InterlockedIncrement(&FileNode->RefCount);
}

static inline
VOID MemfsFileNodeDereference(MEMFS_FILE_NODE *FileNode)
{
    if (0 == InterlockedDecrement(&FileNode->RefCount))
        MemfsFileNodeDelete(FileNode);
}

static inline
VOID MemfsFileNodeGetFileInfo(MEMFS_FILE_NODE *FileNode, FSP_FSCTL_FILE_INFO *FileInfo)
{
    *FileInfo = FileNode->FileInfo;
}

/* Set (value length > 0) or delete (0) one EA; called by FspFileSystemEnumerateEa. */
static NTSTATUS MemfsFileNodeSetEa(
    FSP_FILE_SYSTEM *FileSystem, PVOID Context,
    PFILE_FULL_EA_INFORMATION Ea)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)Context;
    PFILE_FULL_EA_INFORMATION FileNodeEa = 0;
    ULONG Index, EaSize;

    (void)FileSystem;
    if (0 != Ea->EaValueLength)
    {
        EaSize = FIELD_OFFSET(FILE_FULL_EA_INFORMATION, EaName) +
            Ea->EaNameLength + 1 + Ea->EaValueLength;
        FileNodeEa = (PFILE_FULL_EA_INFORMATION)malloc(EaSize);
        if (0 == FileNodeEa)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(FileNodeEa, Ea, EaSize);
        FileNodeEa->NextEntryOffset = 0;
    }

    /* the same name, in any case, is the same EA: replace it (the new spelling stays) */
    for (Index = 0; FileNode->EaCount > Index; Index++)
        if (0 == MemfsEaNameCompare(FileNode->Eas[Index]->EaName, Ea->EaName))
            break;
    if (FileNode->EaCount > Index)
    {
        FileNode->FileInfo.EaSize -= FspFileSystemGetEaPackedSize(FileNode->Eas[Index]);
        free(FileNode->Eas[Index]);
        FileNode->Eas[Index] = FileNode->Eas[--FileNode->EaCount];
    }

    if (0 != FileNodeEa)
    {
        PFILE_FULL_EA_INFORMATION *Eas = (PFILE_FULL_EA_INFORMATION *)realloc(FileNode->Eas,
            (FileNode->EaCount + 1) * sizeof *Eas);
        if (0 == Eas)
        {
            free(FileNodeEa);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        FileNode->Eas = Eas;
        FileNode->Eas[FileNode->EaCount++] = FileNodeEa;
        FileNode->FileInfo.EaSize += FspFileSystemGetEaPackedSize(FileNodeEa);
    }

    return STATUS_SUCCESS;
}

/*
 * The file node map
 */

static inline
NTSTATUS MemfsFileNodeMapCreate(BOOLEAN CaseInsensitive, MEMFS_FILE_NODE_MAP **PFileNodeMap)
{
    *PFileNodeMap = (MEMFS_FILE_NODE_MAP *)calloc(1, sizeof **PFileNodeMap);
    if (0 == *PFileNodeMap)
        return STATUS_INSUFFICIENT_RESOURCES;
    (*PFileNodeMap)->CaseInsensitive = CaseInsensitive;
    return STATUS_SUCCESS;
}

static inline
VOID MemfsFileNodeMapDelete(MEMFS_FILE_NODE_MAP *FileNodeMap)
{
    for (ULONG Index = 0; FileNodeMap->Count > Index; Index++)
        MemfsFileNodeDelete(FileNodeMap->Nodes[Index]);
    free(FileNodeMap->Nodes);
    free(FileNodeMap);
}

static inline
SIZE_T MemfsFileNodeMapCount(MEMFS_FILE_NODE_MAP *FileNodeMap)
{
    return FileNodeMap->Count;
}

/* The index of the first node whose name is not less than FileName (> with Upper). */
static inline
ULONG MemfsFileNodeMapBound(MEMFS_FILE_NODE_MAP *FileNodeMap, PWSTR FileName, BOOLEAN Upper)
{
    ULONG Lo = 0, Hi = FileNodeMap->Count;

    while (Lo < Hi)
    {
        ULONG Mid = Lo + (Hi - Lo) / 2;
        int Result = MemfsFileNameCompare(FileNodeMap->Nodes[Mid]->FileName, FileName,
            FileNodeMap->CaseInsensitive);
        if (0 > Result || (Upper && 0 == Result))
            Lo = Mid + 1;
        else
            Hi = Mid;
    }
    return Lo;
}

static inline
MEMFS_FILE_NODE *MemfsFileNodeMapGet(MEMFS_FILE_NODE_MAP *FileNodeMap, PWSTR FileName)
{
    ULONG Index = MemfsFileNodeMapBound(FileNodeMap, FileName, FALSE);

    if (FileNodeMap->Count > Index &&
        0 == MemfsFileNameCompare(FileNodeMap->Nodes[Index]->FileName, FileName,
            FileNodeMap->CaseInsensitive))
        return FileNodeMap->Nodes[Index];
    return 0;
}

static inline
MEMFS_FILE_NODE *MemfsFileNodeMapGetParent(MEMFS_FILE_NODE_MAP *FileNodeMap, PWSTR FileName0,
    PNTSTATUS PResult)
{
    WCHAR Root[2] = L"\\";
    PWSTR Remain, Suffix, FileName;
    MEMFS_FILE_NODE *Parent;

    FileName = _wcsdup(FileName0);                  /* PORT: no fixed-size buffer */
    if (0 == FileName)
    {
        *PResult = STATUS_INSUFFICIENT_RESOURCES;
        return 0;
    }
    FspPathSuffix(FileName, &Remain, &Suffix, Root);
    Parent = MemfsFileNodeMapGet(FileNodeMap, Remain);
    free(FileName);
    if (0 == Parent)
    {
        *PResult = STATUS_OBJECT_PATH_NOT_FOUND;
        return 0;
    }
    if (0 == (Parent->FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY))
    {
        *PResult = STATUS_NOT_A_DIRECTORY;
        return 0;
    }
    return Parent;
}

static inline
VOID MemfsFileNodeMapTouchParent(MEMFS_FILE_NODE_MAP *FileNodeMap, MEMFS_FILE_NODE *FileNode)
{
    NTSTATUS Result;
    MEMFS_FILE_NODE *Parent;

    if (L'\\' == FileNode->FileName[0] && L'\0' == FileNode->FileName[1])
        return;
    Parent = MemfsFileNodeMapGetParent(FileNodeMap, FileNode->FileName, &Result);
    if (0 == Parent)
        return;
    Parent->FileInfo.LastAccessTime =
    Parent->FileInfo.LastWriteTime =
    Parent->FileInfo.ChangeTime = MemfsGetSystemTime();
}

static inline
NTSTATUS MemfsFileNodeMapInsert(MEMFS_FILE_NODE_MAP *FileNodeMap, MEMFS_FILE_NODE *FileNode,
    PBOOLEAN PInserted)
{
    ULONG Index = MemfsFileNodeMapBound(FileNodeMap, FileNode->FileName, FALSE);

    *PInserted = FALSE;
    if (FileNodeMap->Count > Index &&
        0 == MemfsFileNameCompare(FileNodeMap->Nodes[Index]->FileName, FileNode->FileName,
            FileNodeMap->CaseInsensitive))
        return STATUS_SUCCESS;
    if (FileNodeMap->Count == FileNodeMap->Capacity)
    {
        ULONG Capacity = 0 != FileNodeMap->Capacity ? FileNodeMap->Capacity * 2 : 64;
        MEMFS_FILE_NODE **Nodes = (MEMFS_FILE_NODE **)realloc(FileNodeMap->Nodes,
            Capacity * sizeof *Nodes);
        if (0 == Nodes)
            return STATUS_INSUFFICIENT_RESOURCES;
        FileNodeMap->Nodes = Nodes;
        FileNodeMap->Capacity = Capacity;
    }
    memmove(FileNodeMap->Nodes + Index + 1, FileNodeMap->Nodes + Index,
        (FileNodeMap->Count - Index) * sizeof FileNodeMap->Nodes[0]);
    FileNodeMap->Nodes[Index] = FileNode;
    FileNodeMap->Count++;
    *PInserted = TRUE;
    MemfsFileNodeReference(FileNode);
    MemfsFileNodeMapTouchParent(FileNodeMap, FileNode);
    return STATUS_SUCCESS;
}

static inline
VOID MemfsFileNodeMapRemove(MEMFS_FILE_NODE_MAP *FileNodeMap, MEMFS_FILE_NODE *FileNode)
{
    ULONG Index = MemfsFileNodeMapBound(FileNodeMap, FileNode->FileName, FALSE);

    if (FileNodeMap->Count > Index && FileNode == FileNodeMap->Nodes[Index])
    {
        memmove(FileNodeMap->Nodes + Index, FileNodeMap->Nodes + Index + 1,
            (FileNodeMap->Count - Index - 1) * sizeof FileNodeMap->Nodes[0]);
        FileNodeMap->Count--;
        MemfsFileNodeMapTouchParent(FileNodeMap, FileNode);
        MemfsFileNodeDereference(FileNode);
    }
}

static inline
BOOLEAN MemfsFileNodeMapHasChild(MEMFS_FILE_NODE_MAP *FileNodeMap, MEMFS_FILE_NODE *FileNode)
{
    ULONG Index = MemfsFileNodeMapBound(FileNodeMap, FileNode->FileName, TRUE);

    return FileNodeMap->Count > Index &&
        MemfsFileNameHasPrefix(FileNodeMap->Nodes[Index]->FileName, FileNode->FileName,
            FileNodeMap->CaseInsensitive);
}

/*
 * Call EnumFn for each child of FileNode after the child named Marker (from the first one
 * when Marker is NULL), until it returns FALSE. Returns FALSE when EnumFn stopped it.
 */
static inline
BOOLEAN MemfsFileNodeMapEnumerateChildren(MEMFS_FILE_NODE_MAP *FileNodeMap, MEMFS_FILE_NODE *FileNode,
    PWSTR Marker, BOOLEAN (*EnumFn)(MEMFS_FILE_NODE *, PVOID), PVOID Context)
{
    size_t Length = wcslen(FileNode->FileName);
    BOOLEAN IsRoot = 1 == Length;
    ULONG Index;

    if (0 != Marker)
    {
        size_t MarkerLength = wcslen(Marker);
        PWSTR Name = (PWSTR)malloc((Length + 1 + MarkerLength + 1) * sizeof(WCHAR));
        if (0 == Name)
            return FALSE;
        memcpy(Name, FileNode->FileName, Length * sizeof(WCHAR));
        Name[IsRoot ? 0 : Length] = L'\\';
        memcpy(Name + (IsRoot ? 1 : Length + 1), Marker, (MarkerLength + 1) * sizeof(WCHAR));
        Index = MemfsFileNodeMapBound(FileNodeMap, Name, TRUE);
        free(Name);
    }
    else
        Index = MemfsFileNodeMapBound(FileNodeMap, FileNode->FileName, TRUE);

    for (; FileNodeMap->Count > Index; Index++)
    {
        MEMFS_FILE_NODE *Child = FileNodeMap->Nodes[Index];
        PWSTR Rest = Child->FileName + (IsRoot ? 1 : Length + 1);

        if (!MemfsFileNameHasPrefix(Child->FileName, FileNode->FileName,
            FileNodeMap->CaseInsensitive))
            break;
        if (0 != wcschr(Rest, L'\\'))
            continue; /* a grandchild */
        if (!EnumFn(Child, Context))
            return FALSE;
    }
    return TRUE;
}

/*
 * FSP_FILE_SYSTEM_INTERFACE
 */

static NTSTATUS GetReparsePointByName(
    FSP_FILE_SYSTEM *FileSystem, PVOID Context,
    PWSTR FileName, BOOLEAN IsDirectory, PVOID Buffer, PSIZE_T PSize);

static NTSTATUS SetFileSizeInternal(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, UINT64 NewSize, BOOLEAN SetAllocationSize);

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *FileSystem,
    FSP_FSCTL_VOLUME_INFO *VolumeInfo)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    UINT64 Used = (UINT64)InterlockedAdd64(&LargeHeapUsed, 0);

    /* the data of MaxFileNodes files of MaxFileSize bytes; free is what file data does not use */
    VolumeInfo->TotalSize = Memfs->MaxFileNodes * (UINT64)Memfs->MaxFileSize;
    VolumeInfo->FreeSize = Used < VolumeInfo->TotalSize ? VolumeInfo->TotalSize - Used : 0;
    VolumeInfo->VolumeLabelLength = Memfs->VolumeLabelLength;
    memcpy(VolumeInfo->VolumeLabel, Memfs->VolumeLabel, Memfs->VolumeLabelLength);

    return STATUS_SUCCESS;
}

static NTSTATUS SetVolumeLabel(FSP_FILE_SYSTEM *FileSystem,
    PWSTR VolumeLabel,
    FSP_FSCTL_VOLUME_INFO *VolumeInfo)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;

    Memfs->VolumeLabelLength = (UINT16)(wcslen(VolumeLabel) * sizeof(WCHAR));
    if (Memfs->VolumeLabelLength > sizeof Memfs->VolumeLabel)
        Memfs->VolumeLabelLength = sizeof Memfs->VolumeLabel;
    memcpy(Memfs->VolumeLabel, VolumeLabel, Memfs->VolumeLabelLength);

    return GetVolumeInfo(FileSystem, VolumeInfo);
}

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *FileSystem,
    PWSTR FileName, PUINT32 PFileAttributes,
    PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T *PSecurityDescriptorSize)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode;
    NTSTATUS Result;

    FileNode = MemfsFileNodeMapGet(Memfs->FileNodeMap, FileName);
    if (0 == FileNode)
    {
        Result = STATUS_OBJECT_NAME_NOT_FOUND;

        if (FspFileSystemFindReparsePoint(FileSystem, GetReparsePointByName, 0,
            FileName, PFileAttributes))
            Result = STATUS_REPARSE;
        else
            MemfsFileNodeMapGetParent(Memfs->FileNodeMap, FileName, &Result);

        return Result;
    }

    if (0 != PFileAttributes)
        *PFileAttributes = FileNode->FileInfo.FileAttributes;

    if (0 != PSecurityDescriptorSize)
    {
        if (FileNode->FileSecuritySize > *PSecurityDescriptorSize)
        {
            *PSecurityDescriptorSize = FileNode->FileSecuritySize;
            return STATUS_BUFFER_OVERFLOW;
        }

        *PSecurityDescriptorSize = FileNode->FileSecuritySize;
        if (0 != SecurityDescriptor)
            memcpy(SecurityDescriptor, FileNode->FileSecurity, FileNode->FileSecuritySize);
    }

    return STATUS_SUCCESS;
}

static NTSTATUS Create(FSP_FILE_SYSTEM *FileSystem,
    PWSTR FileName, UINT32 CreateOptions, UINT32 GrantedAccess,
    UINT32 FileAttributes, PSECURITY_DESCRIPTOR SecurityDescriptor, UINT64 AllocationSize,
    PVOID ExtraBuffer, ULONG ExtraLength, BOOLEAN ExtraBufferIsReparsePoint,
    PVOID *PFileNode, FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode;
    MEMFS_FILE_NODE *ParentNode;
    NTSTATUS Result;
    BOOLEAN Inserted;

    (void)GrantedAccess;
    if (CreateOptions & FILE_DIRECTORY_FILE)
        AllocationSize = 0;

    FileNode = MemfsFileNodeMapGet(Memfs->FileNodeMap, FileName);
    if (0 != FileNode)
        return STATUS_OBJECT_NAME_COLLISION;

    ParentNode = MemfsFileNodeMapGetParent(Memfs->FileNodeMap, FileName, &Result);
    if (0 == ParentNode)
        return Result;

    if (MemfsFileNodeMapCount(Memfs->FileNodeMap) >= Memfs->MaxFileNodes)
        return STATUS_CANNOT_MAKE;

    if (AllocationSize > Memfs->MaxFileSize)
        return STATUS_DISK_FULL;

    Result = MemfsFileNodeCreate(FileName, &FileNode);
    if (!NT_SUCCESS(Result))
        return Result;

    FileNode->FileInfo.FileAttributes = (FileAttributes & FILE_ATTRIBUTE_DIRECTORY) ?
        FileAttributes : FileAttributes | FILE_ATTRIBUTE_ARCHIVE;

    if (0 != SecurityDescriptor)
    {
        FileNode->FileSecuritySize = GetSecurityDescriptorLength(SecurityDescriptor);
        FileNode->FileSecurity = (PSECURITY_DESCRIPTOR)malloc(FileNode->FileSecuritySize);
        if (0 == FileNode->FileSecurity)
        {
            MemfsFileNodeDelete(FileNode);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memcpy(FileNode->FileSecurity, SecurityDescriptor, FileNode->FileSecuritySize);
    }

    if (0 != ExtraBuffer)
    {
        if (!ExtraBufferIsReparsePoint)
        {
            Result = FspFileSystemEnumerateEa(FileSystem, MemfsFileNodeSetEa, FileNode,
                (PFILE_FULL_EA_INFORMATION)ExtraBuffer, ExtraLength);
            if (!NT_SUCCESS(Result))
            {
                MemfsFileNodeDelete(FileNode);
                return Result;
            }
        }
        else
        {
            FileNode->ReparseDataSize = ExtraLength;
            FileNode->ReparseData = malloc(ExtraLength);
            if (0 == FileNode->ReparseData && 0 != ExtraLength)
            {
                MemfsFileNodeDelete(FileNode);
                return STATUS_INSUFFICIENT_RESOURCES;
            }

            FileNode->FileInfo.FileAttributes |= FILE_ATTRIBUTE_REPARSE_POINT;
            FileNode->FileInfo.ReparseTag = *(PULONG)ExtraBuffer;
                /* the first field in a reparse buffer is the reparse tag */
            memcpy(FileNode->ReparseData, ExtraBuffer, ExtraLength);
        }
    }

    FileNode->FileInfo.AllocationSize = AllocationSize;
    if (0 != FileNode->FileInfo.AllocationSize)
    {
        FileNode->FileData = LargeHeapRealloc(0, (size_t)FileNode->FileInfo.AllocationSize);
        if (0 == FileNode->FileData)
        {
            MemfsFileNodeDelete(FileNode);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }

    Result = MemfsFileNodeMapInsert(Memfs->FileNodeMap, FileNode, &Inserted);
    if (!NT_SUCCESS(Result) || !Inserted)
    {
        MemfsFileNodeDelete(FileNode);
        if (NT_SUCCESS(Result))
            Result = STATUS_OBJECT_NAME_COLLISION; /* should not happen! */
        return Result;
    }

    MemfsFileNodeReference(FileNode);
    *PFileNode = FileNode;
    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS Open(FSP_FILE_SYSTEM *FileSystem,
    PWSTR FileName, UINT32 CreateOptions, UINT32 GrantedAccess,
    PVOID *PFileNode, FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode;
    NTSTATUS Result;

    (void)CreateOptions, (void)GrantedAccess;
    FileNode = MemfsFileNodeMapGet(Memfs->FileNodeMap, FileName);
    if (0 == FileNode)
    {
        Result = STATUS_OBJECT_NAME_NOT_FOUND;
        MemfsFileNodeMapGetParent(Memfs->FileNodeMap, FileName, &Result);
        return Result;
    }

    MemfsFileNodeReference(FileNode);
    *PFileNode = FileNode;
    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS Overwrite(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, UINT32 FileAttributes, BOOLEAN ReplaceFileAttributes, UINT64 AllocationSize,
    PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength,
    FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    NTSTATUS Result;

    /* an overwritten file gets the EAs of the request (none, when it brings none) */
    MemfsFileNodeDeleteEas(FileNode);
    if (0 != Ea)
    {
        Result = FspFileSystemEnumerateEa(FileSystem, MemfsFileNodeSetEa, FileNode, Ea, EaLength);
        if (!NT_SUCCESS(Result))
            return Result;
    }

    Result = SetFileSizeInternal(FileSystem, FileNode, AllocationSize, TRUE);
    if (!NT_SUCCESS(Result))
        return Result;

    if (ReplaceFileAttributes)
        FileNode->FileInfo.FileAttributes = FileAttributes | FILE_ATTRIBUTE_ARCHIVE;
    else
        FileNode->FileInfo.FileAttributes |= FileAttributes | FILE_ATTRIBUTE_ARCHIVE;

    FileNode->FileInfo.FileSize = 0;
    FileNode->FileInfo.LastAccessTime =
    FileNode->FileInfo.LastWriteTime =
    FileNode->FileInfo.ChangeTime = MemfsGetSystemTime();

    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static VOID Cleanup(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, PWSTR FileName, ULONG Flags)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileName;
    assert(0 != Flags); /* FSP_FSCTL_VOLUME_PARAMS::PostCleanupWhenModifiedOnly ensures this */

    if (Flags & FspCleanupSetArchiveBit)
    {
        if (0 == (FileNode->FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY))
            FileNode->FileInfo.FileAttributes |= FILE_ATTRIBUTE_ARCHIVE;
    }

    if (Flags & (FspCleanupSetLastAccessTime | FspCleanupSetLastWriteTime | FspCleanupSetChangeTime))
    {
        UINT64 SystemTime = MemfsGetSystemTime();

        if (Flags & FspCleanupSetLastAccessTime)
            FileNode->FileInfo.LastAccessTime = SystemTime;
        if (Flags & FspCleanupSetLastWriteTime)
            FileNode->FileInfo.LastWriteTime = SystemTime;
        if (Flags & FspCleanupSetChangeTime)
            FileNode->FileInfo.ChangeTime = SystemTime;
    }

    if (Flags & FspCleanupSetAllocationSize)
    {
        UINT64 AllocationUnit = MEMFS_SECTOR_SIZE * MEMFS_SECTORS_PER_ALLOCATION_UNIT;
        UINT64 AllocationSize = (FileNode->FileInfo.FileSize + AllocationUnit - 1) /
            AllocationUnit * AllocationUnit;

        SetFileSizeInternal(FileSystem, FileNode, AllocationSize, TRUE);
    }

    if ((Flags & FspCleanupDelete) && !MemfsFileNodeMapHasChild(Memfs->FileNodeMap, FileNode))
        MemfsFileNodeMapRemove(Memfs->FileNodeMap, FileNode);
}

static VOID Close(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileSystem;
    MemfsFileNodeDereference(FileNode);
}

static NTSTATUS Read(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, PVOID Buffer, UINT64 Offset, ULONG Length,
    PULONG PBytesTransferred)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    UINT64 EndOffset;

    (void)FileSystem;
    if (Offset >= FileNode->FileInfo.FileSize)
        return STATUS_END_OF_FILE;

    EndOffset = Offset + Length;
    if (EndOffset > FileNode->FileInfo.FileSize)
        EndOffset = FileNode->FileInfo.FileSize;

    memcpy(Buffer, (PUINT8)FileNode->FileData + Offset, (size_t)(EndOffset - Offset));

    *PBytesTransferred = (ULONG)(EndOffset - Offset);

    return STATUS_SUCCESS;
}

static NTSTATUS Write(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, PVOID Buffer, UINT64 Offset, ULONG Length,
    BOOLEAN WriteToEndOfFile, BOOLEAN ConstrainedIo,
    PULONG PBytesTransferred, FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    UINT64 EndOffset;
    NTSTATUS Result;

    if (ConstrainedIo)
    {
        if (Offset >= FileNode->FileInfo.FileSize)
            return STATUS_SUCCESS;
        EndOffset = Offset + Length;
        if (EndOffset > FileNode->FileInfo.FileSize)
            EndOffset = FileNode->FileInfo.FileSize;
    }
    else
    {
        if (WriteToEndOfFile)
            Offset = FileNode->FileInfo.FileSize;
        EndOffset = Offset + Length;
        if (EndOffset > FileNode->FileInfo.FileSize)
        {
            Result = SetFileSizeInternal(FileSystem, FileNode, EndOffset, FALSE);
            if (!NT_SUCCESS(Result))
                return Result;
        }
    }

    memcpy((PUINT8)FileNode->FileData + Offset, Buffer, (size_t)(EndOffset - Offset));

    *PBytesTransferred = (ULONG)(EndOffset - Offset);
    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS Flush(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileSystem;
    /* nothing to flush, since we do not cache anything */
    if (0 != FileNode)
        MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileSystem;
    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS SetBasicInfo(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, UINT32 FileAttributes,
    UINT64 CreationTime, UINT64 LastAccessTime, UINT64 LastWriteTime, UINT64 ChangeTime,
    FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileSystem;
    if (INVALID_FILE_ATTRIBUTES != FileAttributes)
        FileNode->FileInfo.FileAttributes = FileAttributes;
    if (0 != CreationTime)
        FileNode->FileInfo.CreationTime = CreationTime;
    if (0 != LastAccessTime)
        FileNode->FileInfo.LastAccessTime = LastAccessTime;
    if (0 != LastWriteTime)
        FileNode->FileInfo.LastWriteTime = LastWriteTime;
    if (0 != ChangeTime)
        FileNode->FileInfo.ChangeTime = ChangeTime;

    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS SetFileSizeInternal(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, UINT64 NewSize, BOOLEAN SetAllocationSize)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    if (SetAllocationSize)
    {
        if (FileNode->FileInfo.AllocationSize != NewSize)
        {
            if (NewSize > Memfs->MaxFileSize)
                return STATUS_DISK_FULL;

            PVOID FileData = LargeHeapRealloc(FileNode->FileData, (size_t)NewSize);
            if (0 == FileData && 0 != NewSize)
                return STATUS_INSUFFICIENT_RESOURCES;

            FileNode->FileData = FileData;

            FileNode->FileInfo.AllocationSize = NewSize;
            if (FileNode->FileInfo.FileSize > NewSize)
                FileNode->FileInfo.FileSize = NewSize;
        }
    }
    else
    {
        if (FileNode->FileInfo.FileSize != NewSize)
        {
            if (FileNode->FileInfo.AllocationSize < NewSize)
            {
                UINT64 AllocationUnit = MEMFS_SECTOR_SIZE * MEMFS_SECTORS_PER_ALLOCATION_UNIT;
                UINT64 AllocationSize = (NewSize + AllocationUnit - 1) / AllocationUnit * AllocationUnit;

                NTSTATUS Result = SetFileSizeInternal(FileSystem, FileNode, AllocationSize, TRUE);
                if (!NT_SUCCESS(Result))
                    return Result;
            }

            if (FileNode->FileInfo.FileSize < NewSize)
                memset((PUINT8)FileNode->FileData + FileNode->FileInfo.FileSize, 0,
                    (size_t)(NewSize - FileNode->FileInfo.FileSize));
            FileNode->FileInfo.FileSize = NewSize;
        }
    }

    return STATUS_SUCCESS;
}

static NTSTATUS SetFileSize(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, UINT64 NewSize, BOOLEAN SetAllocationSize,
    FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    NTSTATUS Result;

    Result = SetFileSizeInternal(FileSystem, FileNode0, NewSize, SetAllocationSize);
    if (!NT_SUCCESS(Result))
        return Result;

    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static NTSTATUS CanDelete(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, PWSTR FileName)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileName;
    if (MemfsFileNodeMapHasChild(Memfs->FileNodeMap, FileNode))
        return STATUS_DIRECTORY_NOT_EMPTY;

    return STATUS_SUCCESS;
}

static NTSTATUS Rename(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PWSTR FileName, PWSTR NewFileName, BOOLEAN ReplaceIfExists)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE_MAP *FileNodeMap = Memfs->FileNodeMap;
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    MEMFS_FILE_NODE *NewFileNode, **Descendants;
    ULONG First, Count, Index;
    size_t FileNameLength, NewFileNameLength;
    BOOLEAN Inserted;
    NTSTATUS Result;

    (void)FileName;
    NewFileNode = MemfsFileNodeMapGet(FileNodeMap, NewFileName);
    if (0 != NewFileNode && FileNode != NewFileNode)
    {
        if (!ReplaceIfExists)
            return STATUS_OBJECT_NAME_COLLISION;

        if (NewFileNode->FileInfo.FileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            return STATUS_ACCESS_DENIED;
    }

    /* the node and its descendants follow each other in the map */
    First = MemfsFileNodeMapBound(FileNodeMap, FileNode->FileName, FALSE);
    for (Count = 0; FileNodeMap->Count > First + Count; Count++)
        if (!MemfsFileNameHasPrefix(FileNodeMap->Nodes[First + Count]->FileName, FileNode->FileName,
            FileNodeMap->CaseInsensitive))
            break;
    if (0 == Count || FileNodeMap->Nodes[First] != FileNode)
        return STATUS_OBJECT_NAME_NOT_FOUND;

    /* renaming into its own subtree */
    if (FileNode != NewFileNode &&
        MemfsFileNameHasPrefix(NewFileName, FileNode->FileName, FileNodeMap->CaseInsensitive))
        return STATUS_ACCESS_DENIED;

    Descendants = (MEMFS_FILE_NODE **)malloc(Count * sizeof *Descendants);
    if (0 == Descendants)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(Descendants, FileNodeMap->Nodes + First, Count * sizeof *Descendants);

    FileNameLength = wcslen(FileNode->FileName);
    NewFileNameLength = wcslen(NewFileName);
    PWSTR *NewNames = (PWSTR *)calloc(Count, sizeof *NewNames);
    if (0 == NewNames)
    {
        free(Descendants);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    for (Index = 0; Count > Index; Index++)
    {
        PWSTR Rest = Descendants[Index]->FileName + FileNameLength;
        size_t RestLength = wcslen(Rest);
        NewNames[Index] = (PWSTR)malloc((NewFileNameLength + RestLength + 1) * sizeof(WCHAR));
        if (0 == NewNames[Index])
        {
            for (ULONG J = 0; Index > J; J++)
                free(NewNames[J]);
            free(NewNames);
            free(Descendants);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memcpy(NewNames[Index], NewFileName, NewFileNameLength * sizeof(WCHAR));
        memcpy(NewNames[Index] + NewFileNameLength, Rest, (RestLength + 1) * sizeof(WCHAR));
    }

    if (0 != NewFileNode && FileNode != NewFileNode)
    {
        MemfsFileNodeReference(NewFileNode);
        MemfsFileNodeMapRemove(FileNodeMap, NewFileNode);
        MemfsFileNodeDereference(NewFileNode);
    }

    /* take the subtree out of the map (its references stay with the nodes), rename it, put it back */
    MemfsFileNodeMapTouchParent(FileNodeMap, FileNode);
    First = MemfsFileNodeMapBound(FileNodeMap, FileNode->FileName, FALSE);
    memmove(FileNodeMap->Nodes + First, FileNodeMap->Nodes + First + Count,
        (FileNodeMap->Count - First - Count) * sizeof FileNodeMap->Nodes[0]);
    FileNodeMap->Count -= Count;
    for (Index = 0; Count > Index; Index++)
    {
        free(Descendants[Index]->FileName);
        Descendants[Index]->FileName = NewNames[Index];
    }
    Result = STATUS_SUCCESS;
    for (Index = 0; Count > Index; Index++)
    {
        Result = MemfsFileNodeMapInsert(FileNodeMap, Descendants[Index], &Inserted);
        if (!NT_SUCCESS(Result))
        {
            FspDebugLog("%s: cannot insert into FileNodeMap; aborting\n", __func__);
            abort();
        }
        assert(Inserted);
        MemfsFileNodeDereference(Descendants[Index]); /* the reference Insert took twice */
    }

    free(NewNames);
    free(Descendants);

    return Result;
}

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T *PSecurityDescriptorSize)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileSystem;
    if (FileNode->FileSecuritySize > *PSecurityDescriptorSize)
    {
        *PSecurityDescriptorSize = FileNode->FileSecuritySize;
        return STATUS_BUFFER_OVERFLOW;
    }

    *PSecurityDescriptorSize = FileNode->FileSecuritySize;
    if (0 != SecurityDescriptor)
        memcpy(SecurityDescriptor, FileNode->FileSecurity, FileNode->FileSecuritySize);

    return STATUS_SUCCESS;
}

static NTSTATUS SetSecurity(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    SECURITY_INFORMATION SecurityInformation, PSECURITY_DESCRIPTOR ModificationDescriptor)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    PSECURITY_DESCRIPTOR NewSecurityDescriptor, FileSecurity;
    SIZE_T FileSecuritySize;
    NTSTATUS Result;

    (void)FileSystem;
    Result = FspSetSecurityDescriptor(
        FileNode->FileSecurity,
        SecurityInformation,
        ModificationDescriptor,
        &NewSecurityDescriptor);
    if (!NT_SUCCESS(Result))
        return Result;

    FileSecuritySize = GetSecurityDescriptorLength(NewSecurityDescriptor);
    FileSecurity = (PSECURITY_DESCRIPTOR)malloc(FileSecuritySize);
    if (0 == FileSecurity)
    {
        FspDeleteSecurityDescriptor(NewSecurityDescriptor, (NTSTATUS (*)())FspSetSecurityDescriptor);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(FileSecurity, NewSecurityDescriptor, FileSecuritySize);
    FspDeleteSecurityDescriptor(NewSecurityDescriptor, (NTSTATUS (*)())FspSetSecurityDescriptor);

    free(FileNode->FileSecurity);
    FileNode->FileSecuritySize = FileSecuritySize;
    FileNode->FileSecurity = FileSecurity;

    return STATUS_SUCCESS;
}

typedef struct _MEMFS_READ_DIRECTORY_CONTEXT
{
    PVOID Buffer;
    ULONG Length;
    PULONG PBytesTransferred;
} MEMFS_READ_DIRECTORY_CONTEXT;

static BOOLEAN AddDirInfo(MEMFS_FILE_NODE *FileNode, PWSTR FileName,
    PVOID Buffer, ULONG Length, PULONG PBytesTransferred)
{
    FSP_FSCTL_DIR_INFO *DirInfo;
    WCHAR Root[2] = L"\\";
    PWSTR Remain, Suffix;
    BOOLEAN Result;

    if (0 == FileName)
    {
        FspPathSuffix(FileNode->FileName, &Remain, &Suffix, Root);
        FileName = Suffix;
        FspPathCombine(FileNode->FileName, Suffix);
    }

    size_t Size = sizeof(FSP_FSCTL_DIR_INFO) + wcslen(FileName) * sizeof(WCHAR);
    DirInfo = (FSP_FSCTL_DIR_INFO *)malloc(Size);         /* PORT: names are not MAX_PATH-sized */
    if (0 == DirInfo)
        return FALSE;
    memset(DirInfo->Padding, 0, sizeof DirInfo->Padding);
    DirInfo->Size = (UINT16)Size;
    DirInfo->FileInfo = FileNode->FileInfo;
    memcpy(DirInfo->FileNameBuf, FileName, Size - sizeof(FSP_FSCTL_DIR_INFO));

    Result = FspFileSystemAddDirInfo(DirInfo, Buffer, Length, PBytesTransferred);
    free(DirInfo);
    return Result;
}

static BOOLEAN ReadDirectoryEnumFn(MEMFS_FILE_NODE *FileNode, PVOID Context0)
{
    MEMFS_READ_DIRECTORY_CONTEXT *Context = (MEMFS_READ_DIRECTORY_CONTEXT *)Context0;

    return AddDirInfo(FileNode, 0,
        Context->Buffer, Context->Length, Context->PBytesTransferred);
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0, PWSTR Pattern, PWSTR Marker,
    PVOID Buffer, ULONG Length, PULONG PBytesTransferred)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    MEMFS_FILE_NODE *ParentNode;
    MEMFS_READ_DIRECTORY_CONTEXT Context;
    NTSTATUS Result;

    assert(0 == Pattern);
    (void)Pattern;

    Context.Buffer = Buffer;
    Context.Length = Length;
    Context.PBytesTransferred = PBytesTransferred;

    if (L'\0' != FileNode->FileName[1])
    {
        /* if this is not the root directory add the dot entries */

        ParentNode = MemfsFileNodeMapGetParent(Memfs->FileNodeMap, FileNode->FileName, &Result);
        if (0 == ParentNode)
            return Result;

        if (0 == Marker)
        {
            if (!AddDirInfo(FileNode, L".", Buffer, Length, PBytesTransferred))
                return STATUS_SUCCESS;
        }
        if (0 == Marker || (L'.' == Marker[0] && L'\0' == Marker[1]))
        {
            if (!AddDirInfo(ParentNode, L"..", Buffer, Length, PBytesTransferred))
                return STATUS_SUCCESS;
            Marker = 0;
        }
        else if (L'.' == Marker[0] && L'.' == Marker[1] && L'\0' == Marker[2])
            Marker = 0;
    }

    if (MemfsFileNodeMapEnumerateChildren(Memfs->FileNodeMap, FileNode, Marker,
        ReadDirectoryEnumFn, &Context))
        FspFileSystemAddDirInfo(0, Buffer, Length, PBytesTransferred);

    return STATUS_SUCCESS;
}

static NTSTATUS GetDirInfoByName(FSP_FILE_SYSTEM *FileSystem,
    PVOID ParentNode0, PWSTR FileName,
    FSP_FSCTL_DIR_INFO *DirInfo)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *ParentNode = (MEMFS_FILE_NODE *)ParentNode0;
    MEMFS_FILE_NODE *FileNode;
    size_t ParentLength, BSlashLength, FileNameLength;
    WCHAR Root[2] = L"\\";
    PWSTR Remain, Suffix, FullName;

    ParentLength = wcslen(ParentNode->FileName);
    BSlashLength = 1 < ParentLength;
    FileNameLength = wcslen(FileName);
    FullName = (PWSTR)malloc((ParentLength + BSlashLength + FileNameLength + 1) * sizeof(WCHAR));
    if (0 == FullName)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(FullName, ParentNode->FileName, ParentLength * sizeof(WCHAR));
    memcpy(FullName + ParentLength, L"\\", BSlashLength * sizeof(WCHAR));
    memcpy(FullName + ParentLength + BSlashLength, FileName, (FileNameLength + 1) * sizeof(WCHAR));

    FileNode = MemfsFileNodeMapGet(Memfs->FileNodeMap, FullName);
    free(FullName);
    if (0 == FileNode)
        return STATUS_OBJECT_NAME_NOT_FOUND;

    FspPathSuffix(FileNode->FileName, &Remain, &Suffix, Root);
    FileName = Suffix;
    FspPathCombine(FileNode->FileName, Suffix);

    DirInfo->Size = (UINT16)(sizeof(FSP_FSCTL_DIR_INFO) + wcslen(FileName) * sizeof(WCHAR));
    DirInfo->FileInfo = FileNode->FileInfo;
    memcpy(DirInfo->FileNameBuf, FileName, DirInfo->Size - sizeof(FSP_FSCTL_DIR_INFO));

    return STATUS_SUCCESS;
}

static NTSTATUS ResolveReparsePoints(FSP_FILE_SYSTEM *FileSystem,
    PWSTR FileName, UINT32 ReparsePointIndex, BOOLEAN ResolveLastPathComponent,
    PIO_STATUS_BLOCK PIoStatus, PVOID Buffer, PSIZE_T PSize)
{
    return FspFileSystemResolveReparsePoints(FileSystem, GetReparsePointByName, 0,
        FileName, ReparsePointIndex, ResolveLastPathComponent,
        PIoStatus, Buffer, PSize);
}

static NTSTATUS GetReparsePointByName(
    FSP_FILE_SYSTEM *FileSystem, PVOID Context,
    PWSTR FileName, BOOLEAN IsDirectory, PVOID Buffer, PSIZE_T PSize)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode;

    (void)Context, (void)IsDirectory;
    FileNode = MemfsFileNodeMapGet(Memfs->FileNodeMap, FileName);
    if (0 == FileNode)
        return STATUS_OBJECT_NAME_NOT_FOUND;

    if (0 == (FileNode->FileInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        return STATUS_NOT_A_REPARSE_POINT;

    if (0 != Buffer)
    {
        if (FileNode->ReparseDataSize > *PSize)
            return STATUS_BUFFER_TOO_SMALL;

        *PSize = FileNode->ReparseDataSize;
        memcpy(Buffer, FileNode->ReparseData, FileNode->ReparseDataSize);
    }

    return STATUS_SUCCESS;
}

static NTSTATUS GetReparsePoint(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PWSTR FileName, PVOID Buffer, PSIZE_T PSize)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;

    (void)FileSystem, (void)FileName;
    if (0 == (FileNode->FileInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        return STATUS_NOT_A_REPARSE_POINT;

    if (FileNode->ReparseDataSize > *PSize)
        return STATUS_BUFFER_TOO_SMALL;

    *PSize = FileNode->ReparseDataSize;
    memcpy(Buffer, FileNode->ReparseData, FileNode->ReparseDataSize);

    return STATUS_SUCCESS;
}

static NTSTATUS SetReparsePoint(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PWSTR FileName, PVOID Buffer, SIZE_T Size)
{
    MEMFS *Memfs = (MEMFS *)FileSystem->UserContext;
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    PVOID ReparseData;
    NTSTATUS Result;

    (void)FileName;
    if (MemfsFileNodeMapHasChild(Memfs->FileNodeMap, FileNode))
        return STATUS_DIRECTORY_NOT_EMPTY;

    if (0 != FileNode->ReparseData)
    {
        Result = FspFileSystemCanReplaceReparsePoint(
            FileNode->ReparseData, FileNode->ReparseDataSize,
            Buffer, Size);
        if (!NT_SUCCESS(Result))
            return Result;
    }

    ReparseData = realloc(FileNode->ReparseData, Size);
    if (0 == ReparseData && 0 != Size)
        return STATUS_INSUFFICIENT_RESOURCES;

    FileNode->FileInfo.FileAttributes |= FILE_ATTRIBUTE_REPARSE_POINT;
    FileNode->FileInfo.ReparseTag = *(PULONG)Buffer;
        /* the first field in a reparse buffer is the reparse tag */
    FileNode->ReparseDataSize = Size;
    FileNode->ReparseData = ReparseData;
    memcpy(FileNode->ReparseData, Buffer, Size);

    return STATUS_SUCCESS;
}

static NTSTATUS DeleteReparsePoint(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PWSTR FileName, PVOID Buffer, SIZE_T Size)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    NTSTATUS Result;

    (void)FileSystem, (void)FileName;
    if (0 != FileNode->ReparseData)
    {
        Result = FspFileSystemCanReplaceReparsePoint(
            FileNode->ReparseData, FileNode->ReparseDataSize,
            Buffer, Size);
        if (!NT_SUCCESS(Result))
            return Result;
    }
    else
        return STATUS_NOT_A_REPARSE_POINT;

    free(FileNode->ReparseData);

    FileNode->FileInfo.FileAttributes &= ~FILE_ATTRIBUTE_REPARSE_POINT;
    FileNode->FileInfo.ReparseTag = 0;
    FileNode->ReparseDataSize = 0;
    FileNode->ReparseData = 0;

    return STATUS_SUCCESS;
}

static NTSTATUS GetEa(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength, PULONG PBytesTransferred)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    ULONG Index;

    (void)FileSystem;
    /* as many EAs as fit; the end marker only when all of them did */
    for (Index = 0; FileNode->EaCount > Index; Index++)
        if (!FspFileSystemAddEa(FileNode->Eas[Index], Ea, EaLength, PBytesTransferred))
            return STATUS_SUCCESS;
    FspFileSystemAddEa(0, Ea, EaLength, PBytesTransferred);

    return STATUS_SUCCESS;
}

static NTSTATUS SetEa(FSP_FILE_SYSTEM *FileSystem,
    PVOID FileNode0,
    PFILE_FULL_EA_INFORMATION Ea, ULONG EaLength,
    FSP_FSCTL_FILE_INFO *FileInfo)
{
    MEMFS_FILE_NODE *FileNode = (MEMFS_FILE_NODE *)FileNode0;
    NTSTATUS Result;

    Result = FspFileSystemEnumerateEa(FileSystem, MemfsFileNodeSetEa, FileNode, Ea, EaLength);
    if (!NT_SUCCESS(Result))
        return Result;

    MemfsFileNodeGetFileInfo(FileNode, FileInfo);

    return STATUS_SUCCESS;
}

static FSP_FILE_SYSTEM_INTERFACE MemfsInterface =
{
    .GetVolumeInfo = GetVolumeInfo,
    .SetVolumeLabel = SetVolumeLabel,
    .GetSecurityByName = GetSecurityByName,
    .Open = Open,
    .Cleanup = Cleanup,
    .Close = Close,
    .Read = Read,
    .Write = Write,
    .Flush = Flush,
    .GetFileInfo = GetFileInfo,
    .SetBasicInfo = SetBasicInfo,
    .SetFileSize = SetFileSize,
    .CanDelete = CanDelete,
    .Rename = Rename,
    .GetSecurity = GetSecurity,
    .SetSecurity = SetSecurity,
    .ReadDirectory = ReadDirectory,
    .ResolveReparsePoints = ResolveReparsePoints,
    .GetReparsePoint = GetReparsePoint,
    .SetReparsePoint = SetReparsePoint,
    .DeleteReparsePoint = DeleteReparsePoint,
    .GetDirInfoByName = GetDirInfoByName,
    .CreateEx = Create,
    .OverwriteEx = Overwrite,
    .GetEa = GetEa,
    .SetEa = SetEa,
};

/*
 * Public API
 */

NTSTATUS MemfsCreate(
    ULONG Flags,
    ULONG FileInfoTimeout,
    ULONG MaxFileNodes,
    ULONG MaxFileSize,
    PWSTR FileSystemName,
    PWSTR VolumePrefix,
    PWSTR RootSddl,
    MEMFS **PMemfs)
{
    NTSTATUS Result;
    FSP_FSCTL_VOLUME_PARAMS VolumeParams;
    BOOLEAN CaseInsensitive = !!(Flags & MemfsCaseInsensitive);
    BOOLEAN FlushAndPurgeOnCleanup = !!(Flags & MemfsFlushAndPurgeOnCleanup);
    PWSTR DevicePath = MemfsNet == (Flags & MemfsDeviceMask) ?
        L"" FSP_FSCTL_NET_DEVICE_NAME : L"" FSP_FSCTL_DISK_DEVICE_NAME;
    UINT64 AllocationUnit;
    MEMFS *Memfs;
    MEMFS_FILE_NODE *RootNode;
    PSECURITY_DESCRIPTOR RootSecurity;
    ULONG RootSecuritySize;
    BOOLEAN Inserted;

    *PMemfs = 0;

    if (!LargeHeapInitialize(0, 0, 0, 0))
        return STATUS_INSUFFICIENT_RESOURCES;

    if (0 == RootSddl)
        RootSddl = L"O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD)";
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(RootSddl, SDDL_REVISION_1,
        &RootSecurity, &RootSecuritySize))
        return FspNtStatusFromWin32(GetLastError());

    Memfs = (MEMFS *)malloc(sizeof *Memfs);
    if (0 == Memfs)
    {
        LocalFree(RootSecurity);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    memset(Memfs, 0, sizeof *Memfs);
    Memfs->MaxFileNodes = MaxFileNodes;
    AllocationUnit = MEMFS_SECTOR_SIZE * MEMFS_SECTORS_PER_ALLOCATION_UNIT;
    Memfs->MaxFileSize = (ULONG)((MaxFileSize + AllocationUnit - 1) / AllocationUnit * AllocationUnit);

    Result = MemfsFileNodeMapCreate(CaseInsensitive, &Memfs->FileNodeMap);
    if (!NT_SUCCESS(Result))
    {
        free(Memfs);
        LocalFree(RootSecurity);
        return Result;
    }

    memset(&VolumeParams, 0, sizeof VolumeParams);
    VolumeParams.Version = sizeof VolumeParams;
    VolumeParams.SectorSize = MEMFS_SECTOR_SIZE;
    VolumeParams.SectorsPerAllocationUnit = MEMFS_SECTORS_PER_ALLOCATION_UNIT;
    VolumeParams.VolumeCreationTime = MemfsGetSystemTime();
    VolumeParams.VolumeSerialNumber = (UINT32)(MemfsGetSystemTime() / (10000 * 1000));
    VolumeParams.FileInfoTimeout = FileInfoTimeout;
    VolumeParams.CaseSensitiveSearch = !CaseInsensitive;
    VolumeParams.CasePreservedNames = 1;
    VolumeParams.UnicodeOnDisk = 1;
    VolumeParams.PersistentAcls = 1;
    VolumeParams.ReparsePoints = 1;
    VolumeParams.ReparsePointsAccessCheck = 0;
    VolumeParams.PostCleanupWhenModifiedOnly = 1;
    VolumeParams.PassQueryDirectoryFileName = 1;
    VolumeParams.FlushAndPurgeOnCleanup = FlushAndPurgeOnCleanup;
    VolumeParams.ExtendedAttributes = 1;
    VolumeParams.AllowOpenInKernelMode = 1;
    VolumeParams.SupportsPosixUnlinkRename = 1;
    if (0 != VolumePrefix)
        wcscpy_s(VolumeParams.Prefix, sizeof VolumeParams.Prefix / sizeof(WCHAR), VolumePrefix);
    wcscpy_s(VolumeParams.FileSystemName, sizeof VolumeParams.FileSystemName / sizeof(WCHAR),
        0 != FileSystemName ? FileSystemName : L"-MEMFS");

    Result = FspFileSystemCreate(DevicePath, &VolumeParams, &MemfsInterface, &Memfs->FileSystem);
    if (!NT_SUCCESS(Result))
    {
        MemfsFileNodeMapDelete(Memfs->FileNodeMap);
        free(Memfs);
        LocalFree(RootSecurity);
        return Result;
    }

    Memfs->FileSystem->UserContext = Memfs;
    Memfs->VolumeLabelLength = sizeof L"MEMFS" - sizeof(WCHAR);
    memcpy(Memfs->VolumeLabel, L"MEMFS", Memfs->VolumeLabelLength);

    /*
     * PORT: WinFsp's driver serializes the operations on one file (a read cannot overlap a
     * write that moves the file's data); LinFsp's engine does not, and this file system keeps
     * no locks of its own, so every operation is made exclusive (doc/porting.md).
     */
    FspFileSystemSetOperationGuardStrategy(Memfs->FileSystem,
        FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE);

    /*
     * Create root directory.
     */

    Result = MemfsFileNodeCreate(L"\\", &RootNode);
    if (!NT_SUCCESS(Result))
    {
        MemfsDelete(Memfs);
        LocalFree(RootSecurity);
        return Result;
    }

    RootNode->FileInfo.FileAttributes = FILE_ATTRIBUTE_DIRECTORY;

    RootNode->FileSecurity = malloc(RootSecuritySize);
    if (0 == RootNode->FileSecurity)
    {
        MemfsFileNodeDelete(RootNode);
        MemfsDelete(Memfs);
        LocalFree(RootSecurity);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RootNode->FileSecuritySize = RootSecuritySize;
    memcpy(RootNode->FileSecurity, RootSecurity, RootSecuritySize);

    Result = MemfsFileNodeMapInsert(Memfs->FileNodeMap, RootNode, &Inserted);
    if (!NT_SUCCESS(Result))
    {
        MemfsFileNodeDelete(RootNode);
        MemfsDelete(Memfs);
        LocalFree(RootSecurity);
        return Result;
    }

    LocalFree(RootSecurity);

    *PMemfs = Memfs;

    return STATUS_SUCCESS;
}

VOID MemfsDelete(MEMFS *Memfs)
{
    FspFileSystemDelete(Memfs->FileSystem);

    MemfsFileNodeMapDelete(Memfs->FileNodeMap);

    free(Memfs);
}

NTSTATUS MemfsStart(MEMFS *Memfs)
{
    return FspFileSystemStartDispatcher(Memfs->FileSystem, 0);
}

VOID MemfsStop(MEMFS *Memfs)
{
    FspFileSystemStopDispatcher(Memfs->FileSystem);
}

FSP_FILE_SYSTEM *MemfsFileSystem(MEMFS *Memfs)
{
    return Memfs->FileSystem;
}
