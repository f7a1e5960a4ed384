/*
 * tests/fscrash/fscrash.c - the crash-injecting layer over an FSP_FILE_SYSTEM_INTERFACE
 * (see fscrash.h).
 */
#include "fscrash.h"
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static FSP_FILE_SYSTEM_INTERFACE original, crashing;
static FSCRASH_OPTIONS options;
static atomic_ullong draws;         /* for Percent: the number of matching calls so far */
static atomic_bool memory_taken;    /* FsCrashHugeAlloc happens once */
static atomic_bool armed;           /* FsCrashArm was called */
static void *no_access_page;        /* FsCrashSegv writes here */

static const char *const kind_names[] = {
    "Reserved", "Create", "Overwrite", "Cleanup", "Close", "Read", "Write",
    "QueryInformation", "SetInformation", "QueryEa", "SetEa", "FlushBuffers",
    "QueryVolumeInformation", "SetVolumeInformation", "QueryDirectory", "FileSystemControl",
    "DeviceControl", "Shutdown", "LockControl", "QuerySecurity", "SetSecurity",
    "QueryStreamInformation",
};
#define KIND_COUNT (sizeof kind_names / sizeof kind_names[0])

const char *FsCrashKindName(UINT32 Kind)
{
    return Kind < KIND_COUNT ? kind_names[Kind] : 0;
}

/* ---- the injection ---- */

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Limit the address space to what is mapped now and take every allocation that still fits,
 * halving the size down to 16 bytes. Nothing is touched, so no memory is really used. The
 * blocks are chained through their first word and never freed. */
static void take_all_memory(void)
{
    static void *hoard;
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "re");
    if (f) {
        if (1 != fscanf(f, "%ld", &pages))
            pages = 0;
        fclose(f);
    }
    if (pages > 0) {
        struct rlimit rl;
        if (0 == getrlimit(RLIMIT_AS, &rl)) {
            rl.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
            setrlimit(RLIMIT_AS, &rl);
        }
    }
    for (size_t size = (size_t)1 << 44; size >= 16; size /= 2) {
        void *p;
        while ((p = malloc(size))) {
            *(void **)p = hoard;
            hoard = p;
        }
    }
}

static void inject(UINT32 member_kind, bool entering)
{
    if (!(entering ? options.Enter : options.Leave) || !atomic_load(&armed))
        return;
    /* Only inside an operation the engine makes: a file system that calls its own members
     * (memfs does while it sets itself up) is not injected into. */
    FSP_FILE_SYSTEM_OPERATION_CONTEXT *ctx = FspFileSystemGetOperationContext();
    if (!ctx || !ctx->Request)
        return;
    UINT32 kind = ctx->Request->Kind;
    (void)member_kind;
    if (kind >= 32 || !(options.Mask & (1u << kind)))
        return;
    if (options.Percent < 100) {
        uint64_t n = atomic_fetch_add(&draws, 1);
        if (mix(options.Seed ^ mix(n)) % 100 >= options.Percent)
            return;
    }
    if (FsCrashHugeAlloc == options.Action && atomic_exchange(&memory_taken, true))
        return; /* once */
    /* The driver checks where it happened. */
    char msg[128];
    int n = snprintf(msg, sizeof msg, "fscrash: injected at %s (%s)\n",
                     FsCrashKindName(kind) ? FsCrashKindName(kind) : "?", entering ? "enter" : "leave");
    if (n > 0 && write(2, msg, (size_t)n) < 0)
        (void)0;
    switch (options.Action) {
    case FsCrashTerminate:
        _exit(FSCRASH_EXIT_TERMINATED);
    case FsCrashSegv:
        *(volatile char *)no_access_page = 1;
        raise(SIGSEGV); /* not reached (the page could not be made inaccessible) */
        _exit(FSCRASH_EXIT_TERMINATED);
    case FsCrashAbort:
        abort();
    case FsCrashHugeAlloc:
        take_all_memory();
        break;
    default:
        break;
    }
}

/* ---- the members ---- */

/* A member that returns a value: inject, call the file system's own, inject again. */
#define WRAP(name, kind, params, args)                                                      \
    static NTSTATUS crash_##name params                                                     \
    {                                                                                       \
        inject(FspFsctlTransact##kind##Kind, true);                                         \
        NTSTATUS status = original.name args;                                               \
        inject(FspFsctlTransact##kind##Kind, false);                                        \
        return status;                                                                      \
    }
#define WRAP_VOID(name, kind, params, args)                                                 \
    static VOID crash_##name params                                                         \
    {                                                                                       \
        inject(FspFsctlTransact##kind##Kind, true);                                         \
        original.name args;                                                                 \
        inject(FspFsctlTransact##kind##Kind, false);                                        \
    }

WRAP(GetVolumeInfo, QueryVolumeInformation, (FSP_FILE_SYSTEM * fs, FSP_FSCTL_VOLUME_INFO *vi),
     (fs, vi))
WRAP(SetVolumeLabel, SetVolumeInformation,
     (FSP_FILE_SYSTEM * fs, PWSTR label, FSP_FSCTL_VOLUME_INFO *vi), (fs, label, vi))
WRAP(GetSecurityByName, QuerySecurity,
     (FSP_FILE_SYSTEM * fs, PWSTR name, PUINT32 attrs, PSECURITY_DESCRIPTOR sd, SIZE_T *size),
     (fs, name, attrs, sd, size))
WRAP(Create, Create,
     (FSP_FILE_SYSTEM * fs, PWSTR name, UINT32 co, UINT32 ga, UINT32 fa, PSECURITY_DESCRIPTOR sd,
      UINT64 as, PVOID *pctx, FSP_FSCTL_FILE_INFO *fi),
     (fs, name, co, ga, fa, sd, as, pctx, fi))
WRAP(Open, Create,
     (FSP_FILE_SYSTEM * fs, PWSTR name, UINT32 co, UINT32 ga, PVOID *pctx, FSP_FSCTL_FILE_INFO *fi),
     (fs, name, co, ga, pctx, fi))
WRAP(Overwrite, Overwrite,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, UINT32 fa, BOOLEAN replace, UINT64 as,
      FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, fa, replace, as, fi))
WRAP_VOID(Cleanup, Cleanup, (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, ULONG flags),
          (fs, ctx, name, flags))
WRAP_VOID(Close, Close, (FSP_FILE_SYSTEM * fs, PVOID ctx), (fs, ctx))
WRAP(Read, Read,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len, PULONG done),
     (fs, ctx, buf, off, len, done))
WRAP(Write, Write,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PVOID buf, UINT64 off, ULONG len, BOOLEAN eof,
      BOOLEAN constrained, PULONG done, FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, buf, off, len, eof, constrained, done, fi))
WRAP(Flush, FlushBuffers, (FSP_FILE_SYSTEM * fs, PVOID ctx, FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, fi))
WRAP(GetFileInfo, QueryInformation, (FSP_FILE_SYSTEM * fs, PVOID ctx, FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, fi))
WRAP(SetBasicInfo, SetInformation,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, UINT32 fa, UINT64 ct, UINT64 at, UINT64 wt, UINT64 cht,
      FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, fa, ct, at, wt, cht, fi))
WRAP(SetFileSize, SetInformation,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, UINT64 size, BOOLEAN alloc, FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, size, alloc, fi))
WRAP(CanDelete, SetInformation, (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name), (fs, ctx, name))
WRAP(Rename, SetInformation,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, PWSTR newname, BOOLEAN replace),
     (fs, ctx, name, newname, replace))
WRAP(GetSecurity, QuerySecurity,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PSECURITY_DESCRIPTOR sd, SIZE_T *size), (fs, ctx, sd, size))
WRAP(SetSecurity, SetSecurity,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, SECURITY_INFORMATION si, PSECURITY_DESCRIPTOR sd),
     (fs, ctx, si, sd))
WRAP(ReadDirectory, QueryDirectory,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR pattern, PWSTR marker, PVOID buf, ULONG len,
      PULONG done),
     (fs, ctx, pattern, marker, buf, len, done))
WRAP(ResolveReparsePoints, Create,
     (FSP_FILE_SYSTEM * fs, PWSTR name, UINT32 index, BOOLEAN last, PIO_STATUS_BLOCK ios,
      PVOID buf, PSIZE_T size),
     (fs, name, index, last, ios, buf, size))
WRAP(GetReparsePoint, FileSystemControl,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, PVOID buf, PSIZE_T size),
     (fs, ctx, name, buf, size))
WRAP(SetReparsePoint, FileSystemControl,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, PVOID buf, SIZE_T size),
     (fs, ctx, name, buf, size))
WRAP(DeleteReparsePoint, FileSystemControl,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, PVOID buf, SIZE_T size),
     (fs, ctx, name, buf, size))
WRAP(GetStreamInfo, QueryStreamInformation,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PVOID buf, ULONG len, PULONG done),
     (fs, ctx, buf, len, done))
WRAP(GetDirInfoByName, QueryDirectory,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, FSP_FSCTL_DIR_INFO *di), (fs, ctx, name, di))
WRAP(Control, DeviceControl,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, UINT32 code, PVOID in, ULONG inlen, PVOID out,
      ULONG outlen, PULONG done),
     (fs, ctx, code, in, inlen, out, outlen, done))
WRAP(SetDelete, SetInformation, (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, BOOLEAN del),
     (fs, ctx, name, del))
WRAP(CreateEx, Create,
     (FSP_FILE_SYSTEM * fs, PWSTR name, UINT32 co, UINT32 ga, UINT32 fa, PSECURITY_DESCRIPTOR sd,
      UINT64 as, PVOID extra, ULONG extralen, BOOLEAN isreparse, PVOID *pctx,
      FSP_FSCTL_FILE_INFO *fi),
     (fs, name, co, ga, fa, sd, as, extra, extralen, isreparse, pctx, fi))
WRAP(OverwriteEx, Overwrite,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, UINT32 fa, BOOLEAN replace, UINT64 as,
      PFILE_FULL_EA_INFORMATION ea, ULONG ealen, FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, fa, replace, as, ea, ealen, fi))
WRAP(GetEa, QueryEa,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea, ULONG len, PULONG done),
     (fs, ctx, ea, len, done))
WRAP(SetEa, SetEa,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PFILE_FULL_EA_INFORMATION ea, ULONG len,
      FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, ea, len, fi))
WRAP(CreateHardLink, SetInformation,
     (FSP_FILE_SYSTEM * fs, PVOID ctx, PWSTR name, PWSTR newname, FSP_FSCTL_FILE_INFO *fi),
     (fs, ctx, name, newname, fi))

const FSP_FILE_SYSTEM_INTERFACE *FsCrashInterface(const FSP_FILE_SYSTEM_INTERFACE *Interface,
                                                  const FSCRASH_OPTIONS *Options)
{
    original = *Interface;
    crashing = *Interface;
    options = *Options;
    if (FsCrashSegv == options.Action && !no_access_page) {
        long page = sysconf(_SC_PAGESIZE);
        void *p = mmap(0, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        no_access_page = MAP_FAILED == p ? 0 : p;
    }
#define SET(name)                                                                           \
    if (original.name)                                                                      \
        crashing.name = crash_##name;
    SET(GetVolumeInfo) SET(SetVolumeLabel) SET(GetSecurityByName) SET(Create) SET(Open)
    SET(Overwrite) SET(Cleanup) SET(Close) SET(Read) SET(Write) SET(Flush) SET(GetFileInfo)
    SET(SetBasicInfo) SET(SetFileSize) SET(CanDelete) SET(Rename) SET(GetSecurity)
    SET(SetSecurity) SET(ReadDirectory) SET(ResolveReparsePoints) SET(GetReparsePoint)
    SET(SetReparsePoint) SET(DeleteReparsePoint) SET(GetStreamInfo) SET(GetDirInfoByName)
    SET(Control) SET(SetDelete) SET(CreateEx) SET(OverwriteEx) SET(GetEa) SET(SetEa)
    SET(CreateHardLink)
#undef SET
    return &crashing;
}

void FsCrashArm(void)
{
    atomic_store(&armed, true);
}

/* ---- options ---- */

static int parse_mask(const char *v, UINT32 *pmask)
{
    char *end;
    errno = 0;
    unsigned long m = strtoul(v, &end, 0);
    if (!errno && end != v && !*end && m <= 0xffffffffUL) {
        *pmask = (UINT32)m;
        return 0;
    }
    /* A list of kind names: Create,Read,... ("all": every kind). */
    UINT32 mask = 0;
    char *copy = strdup(v), *save = 0;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(0, ",", &save)) {
        if (0 == strcasecmp(t, "all")) {
            mask = 0xffffffffu;
            continue;
        }
        UINT32 k = 1;
        while (k < KIND_COUNT && strcasecmp(t, kind_names[k]))
            k++;
        if (k == KIND_COUNT) {
            rc = -1;
            break;
        }
        mask |= 1u << k;
    }
    free(copy);
    if (0 == rc)
        *pmask = mask;
    return rc;
}

int FsCrashParseOptions(const char *words, FSCRASH_OPTIONS *o, char *err, size_t errsize)
{
    memset(o, 0, sizeof *o);
    o->Percent = 100;
    char *copy = strdup(words ? words : "");
    if (!copy) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = 0;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(0, " \t\n", &save)) {
        const char *v = strchr(w, '=');
        size_t n = v ? (size_t)(v - w) : strlen(w);
        v = v ? v + 1 : 0;
#define IS(s) (strlen(s) == n && 0 == strncmp(w, s, n))
        if (IS("--mask") && v)
            rc = parse_mask(v, &o->Mask);
        else if (IS("--enter") && !v)
            o->Enter = TRUE;
        else if (IS("--leave") && !v)
            o->Leave = TRUE;
        else if (IS("--terminate") && !v)
            o->Action = FsCrashTerminate;
        else if (IS("--crash") && !v)
            o->Action = FsCrashSegv;
        else if (IS("--abort") && !v)
            o->Action = FsCrashAbort;
        else if (IS("--huge-alloc") && !v)
            o->Action = FsCrashHugeAlloc;
        else if (IS("--percent") && v) {
            char *end;
            unsigned long p = strtoul(v, &end, 10);
            rc = end == v || *end || p > 100 ? -1 : 0;
            o->Percent = (ULONG)p;
        } else if (IS("--seed") && v) {
            char *end;
            o->Seed = strtoull(v, &end, 0);
            rc = end == v || *end ? -1 : 0;
        } else
            rc = -1;
#undef IS
        if (rc) {
            snprintf(err, errsize, "invalid crash option: %s", w);
            break;
        }
    }
    free(copy);
    if (0 == rc && !o->Enter && !o->Leave)
        o->Enter = TRUE; /* as WinFsp's fscrash: on entering unless told otherwise */
    if (0 == rc && FsCrashNone == o->Action) {
        snprintf(err, errsize, "one of --terminate, --crash, --abort, --huge-alloc is needed");
        rc = -1;
    }
    return rc;
}
