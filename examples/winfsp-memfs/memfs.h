/**
 * @file memfs.h
 * MEMFS written as a WinFsp file system: an in-memory file system that implements WinFsp's
 * FSP_FILE_SYSTEM_INTERFACE the way WinFsp file systems do on Windows, ported to LinFsp by
 * replacing only its Windows calls (<winfsp/win32-compat.h>). See doc/porting.md.
 */
#ifndef WINFSP_MEMFS_H_INCLUDED
#define WINFSP_MEMFS_H_INCLUDED

#include <winfsp/winfsp.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _MEMFS MEMFS;

enum
{
    MemfsDisk                           = 0x00000000,
    MemfsNet                            = 0x00000001,
    MemfsDeviceMask                     = 0x0000000f,
    MemfsCaseInsensitive                = 0x80000000,
    MemfsFlushAndPurgeOnCleanup         = 0x40000000,
};

NTSTATUS MemfsCreate(
    ULONG Flags,
    ULONG FileInfoTimeout,
    ULONG MaxFileNodes,
    ULONG MaxFileSize,
    PWSTR FileSystemName,
    PWSTR VolumePrefix,
    PWSTR RootSddl,
    MEMFS **PMemfs);
VOID MemfsDelete(MEMFS *Memfs);
NTSTATUS MemfsStart(MEMFS *Memfs);
VOID MemfsStop(MEMFS *Memfs);
FSP_FILE_SYSTEM *MemfsFileSystem(MEMFS *Memfs);

#ifdef __cplusplus
}
#endif

#endif
