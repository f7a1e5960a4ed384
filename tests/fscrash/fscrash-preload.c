/*
 * tests/fscrash/fscrash-preload.c - puts the fscrash layer under any LinFsp program: loaded
 * with LD_PRELOAD, it takes the program's calls of FspFileSystemCreate and gives the engine the
 * crashing copy of the program's interface (fscrash.h) when LINFSP_FSCRASH holds crash options
 * ("--mask=Read --enter --terminate"). The injection is armed when the program's
 * FspFileSystemStartDispatcher has started the dispatcher. The `fscrash` command sets both
 * variables.
 */
#include "fscrash.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

typedef NTSTATUS create_fn(PWSTR, const FSP_FSCTL_VOLUME_PARAMS *, const FSP_FILE_SYSTEM_INTERFACE *,
                           FSP_FILE_SYSTEM **);

FSP_API NTSTATUS FspFileSystemCreate(PWSTR DevicePath, const FSP_FSCTL_VOLUME_PARAMS *VolumeParams,
                                     const FSP_FILE_SYSTEM_INTERFACE *Interface,
                                     FSP_FILE_SYSTEM **PFileSystem)
{
    create_fn *real = (create_fn *)dlsym(RTLD_NEXT, "FspFileSystemCreate");
    if (!real) {
        fprintf(stderr, "fscrash: FspFileSystemCreate not found: is the program a LinFsp one?\n");
        return STATUS_NOT_IMPLEMENTED;
    }
    const char *words = getenv("LINFSP_FSCRASH");
    if (words && *words && Interface) {
        static int installed;
        FSCRASH_OPTIONS options;
        char err[256];
        if (0 != FsCrashParseOptions(words, &options, err, sizeof err)) {
            fprintf(stderr, "fscrash: LINFSP_FSCRASH: %s\n", err);
            return STATUS_INVALID_PARAMETER;
        }
        if (installed++) {
            fprintf(stderr, "fscrash: one crashing file system per process\n");
            return STATUS_INVALID_PARAMETER;
        }
        /* A crash on purpose leaves no core file behind. */
        struct rlimit nocore = {0, 0};
        setrlimit(RLIMIT_CORE, &nocore);
        Interface = FsCrashInterface(Interface, &options);
        fprintf(stderr, "fscrash: injecting into %s (%s)\n", "the file system", words);
    }
    return real(DevicePath, VolumeParams, Interface, PFileSystem);
}

typedef NTSTATUS start_fn(FSP_FILE_SYSTEM *, ULONG);

FSP_API NTSTATUS FspFileSystemStartDispatcher(FSP_FILE_SYSTEM *FileSystem, ULONG ThreadCount)
{
    start_fn *real = (start_fn *)dlsym(RTLD_NEXT, "FspFileSystemStartDispatcher");
    if (!real)
        return STATUS_NOT_IMPLEMENTED;
    NTSTATUS status = real(FileSystem, ThreadCount);
    if (NT_SUCCESS(status))
        FsCrashArm();
    return status;
}
