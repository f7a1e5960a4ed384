/**
 * @file memfs.h
 * MEMFS: LinFsp's reference in-memory file system, on the native API.
 * Used by the memfs program (memfs-main.c) and embedded by fsp-tests.
 */
#ifndef MEMFS_H_INCLUDED
#define MEMFS_H_INCLUDED

#include <winfsp/winfsp.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _MEMFS MEMFS;

enum {
    MemfsDisk = 0x00000000,
    MemfsNet = 0x00000001,
    MemfsDeviceMask = 0x0000000f,
    MemfsCaseInsensitive = 0x80000000,
    MemfsFlushAndPurgeOnCleanup = 0x40000000,
    MemfsLegacyUnlinkRename = 0x20000000,
    MemfsWritebackCache = 0x10000000, /**< with FileInfoTimeout INFINITE: VolumeParams.WritebackCache */
};

/**
 * Create a MEMFS instance (not mounted yet).
 * @param Flags MemfsDisk/MemfsNet | MemfsCaseInsensitive | ...
 * @param FileInfoTimeout ms (INFINITE also caches data in the kernel)
 * @param MaxFileNodes maximum number of files and directories
 * @param MaxFileSize maximum size of one file in bytes
 * @param SlowioMaxDelay, SlowioPercentDelay, SlowioRarefyDelay: when
 *        SlowioPercentDelay > 0, that percentage of Read/Write/ReadDirectory
 *        operations complete asynchronously (STATUS_PENDING) after a delay
 *        of up to SlowioMaxDelay ms.
 * @param FileSystemName shown as the mount's subtype (NULL: "memfs")
 * @param VolumePrefix \Server\Share or NULL
 * @param RootSddl security of the root directory, or NULL (the calling user, mode 0755)
 */
NTSTATUS MemfsCreateFunnel(ULONG Flags, ULONG FileInfoTimeout, ULONG MaxFileNodes,
                           UINT64 MaxFileSize, ULONG SlowioMaxDelay, ULONG SlowioPercentDelay,
                           ULONG SlowioRarefyDelay, PWSTR FileSystemName, PWSTR VolumePrefix,
                           PWSTR RootSddl, MEMFS **PMemfs);
static inline NTSTATUS MemfsCreate(ULONG Flags, ULONG FileInfoTimeout, ULONG MaxFileNodes,
                                   UINT64 MaxFileSize, PWSTR VolumePrefix, PWSTR RootSddl,
                                   MEMFS **PMemfs)
{
    return MemfsCreateFunnel(Flags, FileInfoTimeout, MaxFileNodes, MaxFileSize, 0, 0, 0, 0,
                             VolumePrefix, RootSddl, PMemfs);
}
VOID MemfsDelete(MEMFS *Memfs);
/** Start the dispatcher (ThreadCount 0: the engine's default). */
NTSTATUS MemfsStart(MEMFS *Memfs);
NTSTATUS MemfsStartEx(MEMFS *Memfs, ULONG ThreadCount);
VOID MemfsStop(MEMFS *Memfs);
FSP_FILE_SYSTEM *MemfsFileSystem(MEMFS *Memfs);

/**
 * ioctl memfs answers through Control: the output is the ROT13 of the input
 * (as WinFsp's memfs). On LinFsp control codes are Linux ioctl numbers: the
 * engine passes the ioctl(2) request number as ControlCode and _IOC_SIZE of it
 * as the input/output length.
 */
#include <sys/ioctl.h>
#define MEMFS_CONTROL_ROT13 _IOWR('M', 'R', char[64])

#ifdef __cplusplus
}
#endif
#endif
