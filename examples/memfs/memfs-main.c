/*
 * examples/memfs/memfs-main.c - the memfs program: WinFsp memfs's command
 * line on Linux. Serves in the foreground until SIGINT or SIGTERM, then
 * unmounts and exits 0.
 */
#include "memfs.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGNAME "memfs"

static void usage_to(FILE *f)
{
    fprintf(f,
            "usage: " PROGNAME " OPTIONS\n"
            "\n"
            "options:\n"
            "    -m MountPoint       directory to mount on (required)\n"
            "    -t FileInfoTimeout  ms the kernel caches metadata; -1 also caches data (default -1)\n"
            "    -n MaxFileNodes     maximum number of files and directories (default 1048576)\n"
            "    -s MaxFileSize      maximum file size, K/M/G/T suffixes allowed (default 16G)\n"
            "    -i                  case-insensitive file system\n"
            "    -W                  writeback cache (with -t -1): the kernel keeps written data\n"
            "                        and writes it back later; no hard links (link(2): EPERM)\n"
            "    -d DebugFlags       trace requests (-1: all)\n"
            "    -D DebugLogFile     trace to this file ('-' for stderr)\n"
            "    -F FileSystemName   file system name (mount subtype; default memfs)\n"
            "    -S RootSddl         security of the root directory (SDDL)\n"
            "    -u \\Server\\Share    volume prefix (shown as the mount source)\n"
            "    -o Options          mount options (allow_other, ro, ...); may repeat\n"
            "    -M MaxDelay         slow I/O: maximum delay in ms\n"
            "    -P PercentDelay     slow I/O: percent of Read/Write/ReadDirectory completed later\n"
            "    -R RarefyDelay      slow I/O: percent of delayed operations that really wait\n"
            "    -h                  this help\n");
}

static void usage(void)
{
    usage_to(stderr);
}

/* A whole number with an optional K/M/G/T suffix; -1 allowed when allow_neg. */
static int parse_number(const char *s, bool allow_neg, bool suffix, unsigned long long *pv)
{
    char *end;
    errno = 0;
    if (allow_neg && 0 == strcmp(s, "-1")) {
        *pv = ULLONG_MAX;
        return 0;
    }
    if ('-' == s[0])
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return -1;
    if (suffix && *end) {
        unsigned shift = 'K' == *end || 'k' == *end ? 10 : 'M' == *end || 'm' == *end ? 20
                       : 'G' == *end || 'g' == *end ? 30 : 'T' == *end || 't' == *end ? 40 : 0;
        if (!shift || end[1] || v > (ULLONG_MAX >> shift))
            return -1;
        v <<= shift;
        end++;
    }
    if (*end)
        return -1;
    *pv = v;
    return 0;
}

static PWSTR widen(const char *s)
{
    size_t n = mbstowcs(0, s, 0);
    if ((size_t)-1 == n)
        return 0;
    PWSTR w = malloc((n + 1) * sizeof(WCHAR));
    if (w)
        mbstowcs(w, s, n + 1);
    return w;
}

static MEMFS *memfs;

static NTSTATUS fail(const char *what, NTSTATUS status)
{
    fprintf(stderr, PROGNAME ": %s: %s (status 0x%08x)\n", what,
            strerror(FspErrnoFromNtStatus(status)), (unsigned)status);
    return status;
}

static NTSTATUS SvcStart(FSP_SERVICE *Service, ULONG argc, PWSTR *argv)
{
    (void)Service;
    /* Options parsed by hand on the wide argv (FspServiceRun's contract, as on WinFsp). */
    char **av = calloc(argc + 1, sizeof *av);
    if (!av)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = 0; i < argc; i++) {
        size_t n = wcstombs(0, argv[i], 0);
        av[i] = (size_t)-1 == n ? 0 : malloc(n + 1);
        if (av[i])
            wcstombs(av[i], argv[i], n + 1);
        else
            av[i] = strdup("?");
    }
    const char *mountpoint = 0, *debug_file = 0, *fsname = 0, *sddl = 0, *prefix = 0;
    char *options = 0;
    unsigned long long timeout = ULLONG_MAX, nodes = 1024 * 1024, maxsize = 16ULL << 30;
    unsigned long long debug = 0, slow_delay = 0, slow_percent = 0, slow_rarefy = 0;
    ULONG flags = MemfsDisk;
    NTSTATUS status = STATUS_SUCCESS;
    int opt;
    optind = 1;
    opterr = 0;
    while (-1 != (opt = getopt((int)argc, av, "+m:t:n:s:iWd:D:F:S:u:o:M:P:R:h"))) {
        int bad = 0;
        switch (opt) {
        case 'm': mountpoint = optarg; break;
        case 't': bad = parse_number(optarg, true, false, &timeout); break;
        case 'n': bad = parse_number(optarg, false, false, &nodes) || 0 == nodes || nodes > 0xffffffffULL; break;
        case 's': bad = parse_number(optarg, false, true, &maxsize); break;
        case 'i': flags |= MemfsCaseInsensitive; break;
        case 'W': flags |= MemfsWritebackCache; break;
        case 'd': bad = parse_number(optarg, true, false, &debug); break;
        case 'D': debug_file = optarg; break;
        case 'F': fsname = optarg; break;
        case 'S': sddl = optarg; break;
        case 'u': prefix = optarg; break;
        case 'o': {
            size_t old = options ? strlen(options) : 0;
            char *n = realloc(options, old + strlen(optarg) + 2);
            if (!n) {
                bad = 1;
                break;
            }
            if (old)
                n[old++] = ',';
            strcpy(n + old, optarg);
            options = n;
            break;
        }
        case 'M': bad = parse_number(optarg, false, false, &slow_delay) || slow_delay > 60000; break;
        case 'P': bad = parse_number(optarg, false, false, &slow_percent) || slow_percent > 100; break;
        case 'R': bad = parse_number(optarg, false, false, &slow_rarefy) || slow_rarefy > 100; break;
        case 'h':
            usage();
            status = STATUS_INVALID_PARAMETER;
            goto out;
        default:
            bad = 1;
        }
        if (bad) {
            if ('?' == opt)
                fprintf(stderr, PROGNAME ": unknown option -%c\n", optopt);
            else if (':' == opt)
                fprintf(stderr, PROGNAME ": option -%c needs a value\n", optopt);
            else
                fprintf(stderr, PROGNAME ": invalid value for -%c: %s\n", opt, optarg);
            usage();
            status = STATUS_INVALID_PARAMETER;
            goto out;
        }
    }
    if (optind < (int)argc || !mountpoint) {
        fprintf(stderr, PROGNAME ": %s\n", mountpoint ? "unexpected argument" : "-m MountPoint is required");
        usage();
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }
    if (debug_file) {
        int fd = 0 == strcmp(debug_file, "-") ? 2
                                              : open(debug_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            fprintf(stderr, PROGNAME ": cannot open %s: %s\n", debug_file, strerror(errno));
            status = STATUS_INVALID_PARAMETER;
            goto out;
        }
        FspDebugLogSetFd(fd);
    }
    PWSTR wfsname = fsname ? widen(fsname) : 0, wsddl = sddl ? widen(sddl) : 0;
    PWSTR wprefix = prefix ? widen(prefix) : 0, wmount = widen(mountpoint);
    ULONG info_timeout = ULLONG_MAX == timeout || timeout > 0xfffffffeULL ? INFINITE : (ULONG)timeout;
    status = MemfsCreateFunnel(flags, info_timeout, (ULONG)nodes, maxsize, (ULONG)slow_delay,
                               (ULONG)slow_percent, (ULONG)slow_rarefy, wfsname, wprefix, wsddl, &memfs);
    if (!NT_SUCCESS(status))
        fail(STATUS_INVALID_PARAMETER == status ? "invalid parameters (check -S and -n)"
                                                : "cannot create the file system",
             status);
    else {
        FSP_FILE_SYSTEM *fs = MemfsFileSystem(memfs);
        fs->DebugLog = debug ? (UINT32)debug : 0;
        if (options)
            status = FspFileSystemSetMountOptions(fs, options);
        if (!NT_SUCCESS(status))
            fprintf(stderr, PROGNAME ": invalid mount options: %s\n", options);
        else {
            status = FspFileSystemSetMountPoint(fs, wmount);
            if (!NT_SUCCESS(status)) {
                const char *why = STATUS_OBJECT_PATH_NOT_FOUND == status ? "mount point does not exist"
                                  : STATUS_NOT_A_DIRECTORY == status     ? "mount point is not a directory"
                                  : STATUS_ACCESS_DENIED == status       ? "permission denied"
                                  : STATUS_DEVICE_BUSY == status         ? "already mounted there"
                                  : STATUS_NO_SUCH_DEVICE == status      ? "no FUSE device (/dev/fuse)"
                                                                         : "mount failed";
                fprintf(stderr, PROGNAME ": cannot mount at %s: %s\n", mountpoint, why);
            }
        }
        if (NT_SUCCESS(status)) {
            status = MemfsStart(memfs);
            if (!NT_SUCCESS(status))
                fail("cannot start the dispatcher", status);
        }
        if (!NT_SUCCESS(status)) {
            MemfsDelete(memfs);
            memfs = 0;
        } else
            fprintf(stderr, PROGNAME ": serving at %s\n", mountpoint);
    }
    free(wfsname), free(wsddl), free(wprefix), free(wmount);
out:
    free(options);
    for (ULONG i = 0; i < argc; i++)
        free(av[i]);
    free(av);
    return status;
}

static NTSTATUS SvcStop(FSP_SERVICE *Service)
{
    (void)Service;
    if (memfs) {
        MemfsStop(memfs);
        MemfsDelete(memfs);
        memfs = 0;
    }
    return STATUS_SUCCESS;
}

int main(int argc, char **argv)
{
    /* WCHAR is UTF-32: make the C library's multibyte conversions UTF-8. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    if (2 == argc && (0 == strcmp(argv[1], "-h") || 0 == strcmp(argv[1], "--help"))) {
        usage_to(stdout);
        return 0;
    }
    return (int)FspServiceRunArgv(L"" PROGNAME, argc, argv, SvcStart, SvcStop, 0, 0);
}
