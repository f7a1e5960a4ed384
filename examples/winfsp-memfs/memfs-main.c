/**
 * @file memfs-main.c
 * The winfsp-memfs program: MEMFS run as a WinFsp service (in the foreground on Linux).
 *
 * usage: winfsp-memfs [-i] [-t FileInfoTimeout] [-n MaxFileNodes] [-s MaxFileSize]
 *                     [-d DebugFlags] [-D DebugLogFile] [-F FileSystemName] [-S RootSddl]
 *                     [-u \Server\Share] -m MountPoint
 */
#define WIN32_COMPAT_WMAIN      /* PORT: LinFsp's main() calls wmain with wide arguments */
#include <winfsp/win32-compat.h>
#include <fcntl.h>              /* PORT: the debug log file is opened with open(2) */
#include "memfs.h"

#define PROGNAME                        "winfsp-memfs"

/* PORT: GCC drops the comma before an empty __VA_ARGS__ only with ## (MSVC always does) */
#define info(format, ...)               FspServiceLog(EVENTLOG_INFORMATION_TYPE, format, ##__VA_ARGS__)
#define warn(format, ...)               FspServiceLog(EVENTLOG_WARNING_TYPE, format, ##__VA_ARGS__)
#define fail(format, ...)               FspServiceLog(EVENTLOG_ERROR_TYPE, format, ##__VA_ARGS__)

#define argtos(v)                       if (arge > ++argp) v = *argp; else goto usage
#define argtol(v)                       if (arge > ++argp) v = wcstol_deflt(*argp, v); else goto usage

static ULONG wcstol_deflt(wchar_t *w, ULONG deflt)
{
    wchar_t *endp;
    ULONG ul = wcstol(w, &endp, 0);
    return L'\0' != w[0] && L'\0' == *endp ? ul : deflt;
}

static NTSTATUS SvcStart(FSP_SERVICE *Service, ULONG argc, PWSTR *argv)
{
    wchar_t **argp, **arge;
    ULONG DebugFlags = 0;
    PWSTR DebugLogFile = 0;
    ULONG Flags = MemfsDisk;
    ULONG FileInfoTimeout = INFINITE;
    ULONG MaxFileNodes = 1024;
    ULONG MaxFileSize = 16 * 1024 * 1024;
    PWSTR FileSystemName = 0;
    PWSTR MountPoint = 0;
    PWSTR VolumePrefix = 0;
    PWSTR RootSddl = 0;
    MEMFS *Memfs = 0;
    NTSTATUS Result;

    for (argp = argv + 1, arge = argv + argc; arge > argp; argp++)
    {
        if (L'-' != argp[0][0])
            break;
        switch (argp[0][1])
        {
        case L'?':
            goto usage;
        case L'd':
            argtol(DebugFlags);
            break;
        case L'D':
            argtos(DebugLogFile);
            break;
        case L'F':
            argtos(FileSystemName);
            break;
        case L'i':
            Flags |= MemfsCaseInsensitive;
            break;
        case L'm':
            argtos(MountPoint);
            break;
        case L'n':
            argtol(MaxFileNodes);
            break;
        case L'S':
            argtos(RootSddl);
            break;
        case L's':
            argtol(MaxFileSize);
            break;
        case L't':
            argtol(FileInfoTimeout);
            break;
        case L'u':
            argtos(VolumePrefix);
            if (0 != VolumePrefix && L'\0' != VolumePrefix[0])
                Flags = MemfsNet | (Flags & ~MemfsDeviceMask);
            break;
        default:
            goto usage;
        }
    }

    if (arge > argp)
        goto usage;

    if (0 == MountPoint)
        goto usage;

    if (0 != DebugLogFile)
    {
        /* PORT: WinFsp opens the log with CreateFileW ("-" is standard error there too) */
        if (0 == wcscmp(L"-", DebugLogFile))
            FspDebugLogSetHandle((HANDLE)(intptr_t)2);
        else
        {
            char *Path = 0;
            int Fd = -1;
            if (NT_SUCCESS(FspPosixMapWindowsToPosixPathEx(DebugLogFile, &Path, FALSE)))
                Fd = open(Path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            FspPosixDeletePath(Path);
            if (-1 == Fd)
            {
                fail(L"cannot open debug log file");
                goto usage;
            }
            FspDebugLogSetHandle((HANDLE)(intptr_t)Fd);
        }
    }

    Result = MemfsCreate(Flags, FileInfoTimeout, MaxFileNodes, MaxFileSize,
        FileSystemName, VolumePrefix, RootSddl, &Memfs);
    if (!NT_SUCCESS(Result))
    {
        fail(L"cannot create MEMFS (Status=%lx)", Result);
        goto exit;
    }

    FspFileSystemSetDebugLog(MemfsFileSystem(Memfs), DebugFlags);

    Result = FspFileSystemSetMountPoint(MemfsFileSystem(Memfs), MountPoint);
    if (!NT_SUCCESS(Result))
    {
        fail(L"cannot mount MEMFS at %s (Status=%lx)", MountPoint, Result);
        goto exit;
    }

    Result = MemfsStart(Memfs);
    if (!NT_SUCCESS(Result))
    {
        fail(L"cannot start MEMFS (Status=%lx)", Result);
        goto exit;
    }

    MountPoint = FspFileSystemMountPoint(MemfsFileSystem(Memfs));

    info(L"%s%s -t %ld -n %ld -s %ld%s%s%s%s -m %s",
        L"" PROGNAME, (Flags & MemfsCaseInsensitive) ? L" -i" : L"",
        FileInfoTimeout, MaxFileNodes, MaxFileSize,
        RootSddl ? L" -S " : L"", RootSddl ? RootSddl : L"",
        VolumePrefix ? L" -u " : L"", VolumePrefix ? VolumePrefix : L"",
        MountPoint);

    Service->UserContext = Memfs;
    Result = STATUS_SUCCESS;

exit:
    if (!NT_SUCCESS(Result) && 0 != Memfs)
        MemfsDelete(Memfs);

    return Result;

usage:
    {
        static wchar_t usage[] = L""
            "usage: %s OPTIONS\n"
            "\n"
            "options:\n"
            "    -d DebugFlags       [-1: enable all debug logs]\n"
            "    -D DebugLogFile     [file path; use - for stderr]\n"
            "    -i                  [case insensitive file system]\n"
            "    -t FileInfoTimeout  [millis]\n"
            "    -n MaxFileNodes\n"
            "    -s MaxFileSize      [bytes]\n"
            "    -F FileSystemName\n"
            "    -S RootSddl         [file rights: FA, etc; NO generic rights: GA, etc.]\n"
            "    -u \\Server\\Share    [UNC prefix (single backslash)]\n"
            "    -m MountPoint       [a directory]\n";

        fail(usage, L"" PROGNAME);
    }

    return STATUS_UNSUCCESSFUL;
}

static NTSTATUS SvcStop(FSP_SERVICE *Service)
{
    MEMFS *Memfs = (MEMFS *)Service->UserContext;

    MemfsStop(Memfs);
    MemfsDelete(Memfs);

    return STATUS_SUCCESS;
}

int wmain(int argc, wchar_t **argv)
{
    (void)argc, (void)argv;
    return FspServiceRun(L"" PROGNAME, SvcStart, SvcStop, 0);
}
