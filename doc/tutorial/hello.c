/*
 * doc/tutorial/hello.c - a minimal read-only file system on LinFsp's native API.
 *
 * The volume holds one directory (the root) and one file, hello.txt.
 * Build (installed library):
 *     cc -std=gnu11 -Wall hello.c $(pkg-config --cflags --libs linfsp) -o hello
 * Run (as root, or as a user allowed to use fusermount3):
 *     ./hello MOUNTPOINT          # serves until SIGINT/SIGTERM/SIGHUP
 */
#include <winfsp/winfsp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char contents[] = "Hello, world!\n";

/* One node per object: the root directory and the file. The node is the FileContext. */
typedef struct {
    PCWSTR Name;      /* full path, "\" for the root */
    UINT32 Attributes;
    UINT64 IndexNumber;
    UINT32 Mode;      /* POSIX permission bits, turned into a security descriptor */
} NODE;

static NODE root_node = {L"\\", FILE_ATTRIBUTE_DIRECTORY, 1, 0555};
static NODE file_node = {L"\\hello.txt", FILE_ATTRIBUTE_READONLY, 2, 0444};
static UINT64 start_time; /* FILETIME of program start, used for every timestamp */

static NODE *find_node(PCWSTR FileName)
{
    if (0 == wcscmp(FileName, root_node.Name))
        return &root_node;
    if (0 == wcscmp(FileName, file_node.Name))
        return &file_node;
    return 0;
}

static void fill_file_info(NODE *Node, FSP_FSCTL_FILE_INFO *FileInfo)
{
    memset(FileInfo, 0, sizeof *FileInfo);
    FileInfo->FileAttributes = Node->Attributes;
    FileInfo->IndexNumber = Node->IndexNumber;
    if (&file_node == Node) {
        FileInfo->FileSize = sizeof contents - 1;
        FileInfo->AllocationSize = 4096;
    }
    FileInfo->CreationTime = FileInfo->LastAccessTime = start_time;
    FileInfo->LastWriteTime = FileInfo->ChangeTime = start_time;
}

/* Copy the node's security descriptor into the caller's buffer (size in/out). */
static NTSTATUS copy_security(NODE *Node, PSECURITY_DESCRIPTOR SecurityDescriptor,
                              SIZE_T *PSecurityDescriptorSize)
{
    PSECURITY_DESCRIPTOR sd;
    NTSTATUS Result = FspPosixMapPermissionsToSecurityDescriptor(
        (UINT32)geteuid(), (UINT32)getegid(), Node->Mode, &sd);
    if (!NT_SUCCESS(Result))
        return Result;
    SIZE_T size = FspGetSecurityDescriptorLength(sd);
    if (size > *PSecurityDescriptorSize)
        Result = STATUS_BUFFER_OVERFLOW;
    else if (SecurityDescriptor)
        memcpy(SecurityDescriptor, sd, size);
    *PSecurityDescriptorSize = size;
    FspDeleteSecurityDescriptor(sd, (NTSTATUS (*)())FspPosixMapPermissionsToSecurityDescriptor);
    return Result;
}

static NTSTATUS GetVolumeInfo(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_VOLUME_INFO *VolumeInfo)
{
    (void)FileSystem;
    memset(VolumeInfo, 0, sizeof *VolumeInfo);
    VolumeInfo->TotalSize = 1024 * 1024;
    VolumeInfo->FreeSize = 0;
    memcpy(VolumeInfo->VolumeLabel, L"HELLO", 5 * sizeof(WCHAR));
    VolumeInfo->VolumeLabelLength = 5 * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurityByName(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName,
                                  PUINT32 PFileAttributes, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                  SIZE_T *PSecurityDescriptorSize)
{
    (void)FileSystem;
    NODE *Node = find_node(FileName);
    if (!Node)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (PFileAttributes)
        *PFileAttributes = Node->Attributes;
    if (PSecurityDescriptorSize)
        return copy_security(Node, SecurityDescriptor, PSecurityDescriptorSize);
    return STATUS_SUCCESS;
}

static NTSTATUS GetSecurity(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T *PSecurityDescriptorSize)
{
    (void)FileSystem;
    return copy_security(FileContext, SecurityDescriptor, PSecurityDescriptorSize);
}

static NTSTATUS Open(FSP_FILE_SYSTEM *FileSystem, PWSTR FileName, UINT32 CreateOptions,
                     UINT32 GrantedAccess, PVOID *PFileContext, FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)FileSystem, (void)CreateOptions, (void)GrantedAccess;
    NODE *Node = find_node(FileName);
    if (!Node)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    *PFileContext = Node; /* static nodes: nothing to allocate */
    fill_file_info(Node, FileInfo);
    return STATUS_SUCCESS;
}

static VOID Close(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext)
{
    (void)FileSystem, (void)FileContext; /* nothing to free */
}

static NTSTATUS GetFileInfo(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext,
                            FSP_FSCTL_FILE_INFO *FileInfo)
{
    (void)FileSystem;
    fill_file_info(FileContext, FileInfo);
    return STATUS_SUCCESS;
}

static NTSTATUS Read(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PVOID Buffer, UINT64 Offset,
                     ULONG Length, PULONG PBytesTransferred)
{
    (void)FileSystem;
    if (&file_node != FileContext)
        return STATUS_INVALID_DEVICE_REQUEST;
    UINT64 size = sizeof contents - 1;
    if (Offset >= size)
        return STATUS_END_OF_FILE;
    if (Length > size - Offset)
        Length = (ULONG)(size - Offset);
    memcpy(Buffer, contents + Offset, Length);
    *PBytesTransferred = Length;
    return STATUS_SUCCESS;
}

static NTSTATUS ReadDirectory(FSP_FILE_SYSTEM *FileSystem, PVOID FileContext, PWSTR Pattern,
                              PWSTR Marker, PVOID Buffer, ULONG Length, PULONG PBytesTransferred)
{
    (void)FileSystem, (void)Pattern;
    if (&root_node != FileContext)
        return STATUS_NOT_A_DIRECTORY;
    /* A DIR_INFO with room for the name (names are not NUL terminated in it). */
    union {
        FSP_FSCTL_DIR_INFO D;
        UINT8 Raw[sizeof(FSP_FSCTL_DIR_INFO) + 16 * sizeof(WCHAR)];
    } u;
    PCWSTR name = L"hello.txt";
    size_t len = wcslen(name);
    /* Entries come in name order; Marker is the last name the engine has already received. */
    if (!Marker || wcscmp(Marker, name) < 0) {
        memset(&u.D, 0, sizeof u.D);
        u.D.Size = (UINT16)(sizeof(FSP_FSCTL_DIR_INFO) + len * sizeof(WCHAR));
        fill_file_info(&file_node, &u.D.FileInfo);
        memcpy(u.D.FileNameBuf, name, len * sizeof(WCHAR));
        if (!FspFileSystemAddDirInfo(&u.D, Buffer, Length, PBytesTransferred))
            return STATUS_SUCCESS; /* full: the engine asks again with a marker */
    }
    FspFileSystemAddDirInfo(0, Buffer, Length, PBytesTransferred); /* end of directory */
    return STATUS_SUCCESS;
}

static FSP_FILE_SYSTEM_INTERFACE hello_interface = {
    .GetVolumeInfo = GetVolumeInfo,
    .GetSecurityByName = GetSecurityByName,
    .Open = Open,
    .Close = Close,
    .GetFileInfo = GetFileInfo,
    .Read = Read,
    .GetSecurity = GetSecurity,
    .ReadDirectory = ReadDirectory,
};

static FSP_FILE_SYSTEM *hello_fs;

static NTSTATUS SvcStart(FSP_SERVICE *Service, ULONG argc, PWSTR *argv)
{
    (void)Service;
    if (2 != argc) {
        FspServiceLog(EVENTLOG_ERROR_TYPE, L"usage: hello MOUNTPOINT");
        return STATUS_INVALID_PARAMETER;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    UINT64 unix_time[2] = {(UINT64)ts.tv_sec, (UINT64)ts.tv_nsec};
    FspPosixUnixTimeToFileTime(unix_time, &start_time);

    FSP_FSCTL_VOLUME_PARAMS VolumeParams;
    memset(&VolumeParams, 0, sizeof VolumeParams);
    VolumeParams.Version = sizeof VolumeParams;
    VolumeParams.SectorSize = 512;
    VolumeParams.SectorsPerAllocationUnit = 8;
    VolumeParams.MaxComponentLength = 255;
    VolumeParams.VolumeCreationTime = start_time;
    VolumeParams.FileInfoTimeout = 1000; /* the kernel caches attributes and names for 1 s */
    VolumeParams.CaseSensitiveSearch = 1;
    VolumeParams.CasePreservedNames = 1;
    VolumeParams.UnicodeOnDisk = 1;
    VolumeParams.PersistentAcls = 1;
    VolumeParams.ReadOnlyVolume = 1;     /* mounted with MS_RDONLY; writes fail with EROFS */
    wcscpy(VolumeParams.FileSystemName, L"hello"); /* mount type fuse.hello */

    NTSTATUS Result = FspFileSystemCreate(FSP_FSCTL_DISK_DEVICE_NAME, &VolumeParams,
                                          &hello_interface, &hello_fs);
    if (!NT_SUCCESS(Result)) {
        FspServiceLog(EVENTLOG_ERROR_TYPE, L"cannot create the file system: 0x%08x", Result);
        return Result;
    }
    Result = FspFileSystemSetMountPoint(hello_fs, argv[1]);
    if (NT_SUCCESS(Result))
        Result = FspFileSystemStartDispatcher(hello_fs, 0);
    if (!NT_SUCCESS(Result)) {
        FspServiceLog(EVENTLOG_ERROR_TYPE, L"cannot mount at %ls: 0x%08x", argv[1], Result);
        FspFileSystemDelete(hello_fs);
        hello_fs = 0;
        return Result;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS SvcStop(FSP_SERVICE *Service)
{
    (void)Service;
    FspFileSystemStopDispatcher(hello_fs);
    FspFileSystemDelete(hello_fs); /* unmounts too */
    hello_fs = 0;
    return STATUS_SUCCESS;
}

int main(void)
{
    return (int)FspServiceRun(L"hello", SvcStart, SvcStop, 0);
}
