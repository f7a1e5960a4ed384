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

/* The command line's settings (SvcStart's options, before any is acted on). */
struct memfs_options {
    const char *mountpoint, *debug_file, *fsname, *sddl, *prefix;
    char *options; /* the -o options joined by commas (malloc'd) */
    unsigned long long timeout, nodes, maxsize;
    unsigned long long debug, slow_delay, slow_percent, slow_rarefy;
    ULONG flags;
};

/* The wide argv as multibyte strings (an unconvertible argument becomes "?"). */
static char **narrow_argv(ULONG argc, PWSTR *argv)
{
    char **av = calloc(argc + 1, sizeof *av);
    if (!av)
        return 0;
    for (ULONG i = 0; i < argc; i++) {
        size_t n = wcstombs(0, argv[i], 0);
        av[i] = (size_t)-1 == n ? 0 : malloc(n + 1);
        if (av[i])
            wcstombs(av[i], argv[i], n + 1);
        else
            av[i] = strdup("?");
    }
    return av;
}

static void free_argv(ULONG argc, char **av)
{
    for (ULONG i = 0; i < argc; i++)
        free(av[i]);
    free(av);
}

/* Append one -o argument to the comma-separated options; -1 when out of memory. */
static int append_option(char **poptions, const char *arg)
{
    size_t old = *poptions ? strlen(*poptions) : 0;
    char *n = realloc(*poptions, old + strlen(arg) + 2);
    if (!n)
        return -1;
    if (old)
        n[old++] = ',';
    strcpy(n + old, arg);
    *poptions = n;
    return 0;
}

/* Parse the options into o (defaults first); a bad one is reported with the usage. */
static NTSTATUS parse_options(int argc, char **av, struct memfs_options *o)
{
    memset(o, 0, sizeof *o);
    o->timeout = ULLONG_MAX, o->nodes = 1024 * 1024, o->maxsize = 16ULL << 30;
    o->flags = MemfsDisk;
    int opt;
    optind = 1;
    opterr = 0;
    while (-1 != (opt = getopt(argc, av, "+m:t:n:s:iWd:D:F:S:u:o:M:P:R:h"))) {
        int bad = 0;
        switch (opt) {
        case 'm': o->mountpoint = optarg; break;
        case 't': bad = parse_number(optarg, true, false, &o->timeout); break;
        case 'n':
            bad = parse_number(optarg, false, false, &o->nodes) || 0 == o->nodes || o->nodes > 0xffffffffULL;
            break;
        case 's': bad = parse_number(optarg, false, true, &o->maxsize); break;
        case 'i': o->flags |= MemfsCaseInsensitive; break;
        case 'W': o->flags |= MemfsWritebackCache; break;
        case 'd': bad = parse_number(optarg, true, false, &o->debug); break;
        case 'D': o->debug_file = optarg; break;
        case 'F': o->fsname = optarg; break;
        case 'S': o->sddl = optarg; break;
        case 'u': o->prefix = optarg; break;
        case 'o': bad = append_option(&o->options, optarg); break;
        case 'M': bad = parse_number(optarg, false, false, &o->slow_delay) || o->slow_delay > 60000; break;
        case 'P': bad = parse_number(optarg, false, false, &o->slow_percent) || o->slow_percent > 100; break;
        case 'R': bad = parse_number(optarg, false, false, &o->slow_rarefy) || o->slow_rarefy > 100; break;
        case 'h':
            usage();
            return STATUS_INVALID_PARAMETER;
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
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (optind < argc || !o->mountpoint) {
        fprintf(stderr, PROGNAME ": %s\n", o->mountpoint ? "unexpected argument" : "-m MountPoint is required");
        usage();
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* Send the trace to -D's file ('-': stderr), when one is given. */
static NTSTATUS open_debug_log(const char *debug_file)
{
    if (!debug_file)
        return STATUS_SUCCESS;
    int fd = 0 == strcmp(debug_file, "-") ? 2
                                          : open(debug_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, PROGNAME ": cannot open %s: %s\n", debug_file, strerror(errno));
        return STATUS_INVALID_PARAMETER;
    }
    FspDebugLogSetFd(fd);
    return STATUS_SUCCESS;
}

/* Why FspFileSystemSetMountPoint failed, in words. */
static const char *mount_failure(NTSTATUS status)
{
    return STATUS_OBJECT_PATH_NOT_FOUND == status ? "mount point does not exist"
           : STATUS_NOT_A_DIRECTORY == status     ? "mount point is not a directory"
           : STATUS_ACCESS_DENIED == status       ? "permission denied"
           : STATUS_DEVICE_BUSY == status         ? "already mounted there"
           : STATUS_NO_SUCH_DEVICE == status      ? "no FUSE device (/dev/fuse)"
                                                  : "mount failed";
}

/* Apply the mount options, mount at the mount point and start serving; memfs is deleted on failure. */
static NTSTATUS mount_and_start(const struct memfs_options *o, PWSTR wmount)
{
    FSP_FILE_SYSTEM *fs = MemfsFileSystem(memfs);
    fs->DebugLog = o->debug ? (UINT32)o->debug : 0;
    NTSTATUS status = STATUS_SUCCESS;
    if (o->options)
        status = FspFileSystemSetMountOptions(fs, o->options);
    if (!NT_SUCCESS(status))
        fprintf(stderr, PROGNAME ": invalid mount options: %s\n", o->options);
    else {
        status = FspFileSystemSetMountPoint(fs, wmount);
        if (!NT_SUCCESS(status))
            fprintf(stderr, PROGNAME ": cannot mount at %s: %s\n", o->mountpoint, mount_failure(status));
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
        fprintf(stderr, PROGNAME ": serving at %s\n", o->mountpoint);
    return status;
}

/* Create the file system with the options' volume parameters, then mount and start it. */
static NTSTATUS create_and_start(const struct memfs_options *o)
{
    PWSTR wfsname = o->fsname ? widen(o->fsname) : 0, wsddl = o->sddl ? widen(o->sddl) : 0;
    PWSTR wprefix = o->prefix ? widen(o->prefix) : 0, wmount = widen(o->mountpoint);
    ULONG info_timeout = ULLONG_MAX == o->timeout || o->timeout > 0xfffffffeULL ? INFINITE : (ULONG)o->timeout;
    NTSTATUS status = MemfsCreateFunnel(o->flags, info_timeout, (ULONG)o->nodes, o->maxsize,
                                        (ULONG)o->slow_delay, (ULONG)o->slow_percent, (ULONG)o->slow_rarefy,
                                        wfsname, wprefix, wsddl, &memfs);
    if (!NT_SUCCESS(status))
        fail(STATUS_INVALID_PARAMETER == status ? "invalid parameters (check -S and -n)"
                                                : "cannot create the file system",
             status);
    else
        status = mount_and_start(o, wmount);
    free(wfsname), free(wsddl), free(wprefix), free(wmount);
    return status;
}

static NTSTATUS SvcStart(FSP_SERVICE *Service, ULONG argc, PWSTR *argv)
{
    (void)Service;
    /* Options parsed by hand on the wide argv (FspServiceRun's contract, as on WinFsp). */
    char **av = narrow_argv(argc, argv);
    if (!av)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct memfs_options o;
    NTSTATUS status = parse_options((int)argc, av, &o);
    if (NT_SUCCESS(status))
        status = open_debug_log(o.debug_file);
    if (NT_SUCCESS(status))
        status = create_and_start(&o);
    free(o.options);
    free_argv(argc, av);
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
