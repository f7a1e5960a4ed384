/**
 * @file fscrash.h
 * fscrash: a layer that wraps any FSP_FILE_SYSTEM_INTERFACE and, at chosen operations, kills
 * the file system's process, crashes it or exhausts its memory - WinFsp's fscrash for LinFsp.
 *
 * The layer sits between the engine and the file system: every member of the interface that
 * the file system implements is replaced by one that checks the injection rule before (enter)
 * and/or after (leave) calling the file system's own member. An operation's kind is the
 * transact kind the engine gives the call (FspFileSystemGetOperationContext()->Request->Kind);
 * calls outside an operation (a file system calling its own members while it sets itself up)
 * are never injected into.
 *
 * tests/fscrash/fscrash-preload.c puts the layer under any LinFsp program (LD_PRELOAD);
 * tests/fscrash/fscrash-main.c is the `fscrash` command; tests/fscrash/fscrash-test.c drives
 * workloads against it. See doc/testing.md.
 */
#ifndef FSCRASH_H_INCLUDED
#define FSCRASH_H_INCLUDED

#include <winfsp/winfsp.h>

/** What happens at an injection point. */
typedef enum {
    FsCrashNone = 0,
    FsCrashTerminate,   /**< _exit(FSCRASH_EXIT_TERMINATED): the process ends at once */
    FsCrashSegv,        /**< a write to an inaccessible page: SIGSEGV */
    FsCrashAbort,       /**< abort(): SIGABRT */
    FsCrashHugeAlloc,   /**< the address space is limited to what is mapped now and every
                             allocation that still fits is taken and kept: the file system goes
                             on with no memory left */
} FSCRASH_ACTION;

/** The exit status of a process ended by FsCrashTerminate. */
#define FSCRASH_EXIT_TERMINATED 86

typedef struct {
    UINT32 Mask;           /**< bit (1 << Kind) for each FspFsctlTransact*Kind to inject at */
    BOOLEAN Enter, Leave;  /**< before and/or after the file system's member runs */
    FSCRASH_ACTION Action;
    ULONG Percent;         /**< chance (0-100) that a matching call injects; default 100 */
    UINT64 Seed;           /**< for Percent < 100 */
} FSCRASH_OPTIONS;

/**
 * Parse crash options from a string of words ("--mask=0x10 --enter --terminate --percent=50");
 * also accepts the kind names in --mask ("--mask=Read,Write"). Returns 0, or -1 with a message
 * in err (size errsize).
 */
int FsCrashParseOptions(const char *words, FSCRASH_OPTIONS *Options, char *err, size_t errsize);

/**
 * A copy of Interface whose implemented members inject as Options say (one crashing interface
 * per process: the copy is static). Members the file system leaves NULL stay NULL.
 */
const FSP_FILE_SYSTEM_INTERFACE *FsCrashInterface(const FSP_FILE_SYSTEM_INTERFACE *Interface,
                                                  const FSCRASH_OPTIONS *Options);

/**
 * From now on the crashing interface injects (before, it only passes calls on). Armed once the
 * dispatcher runs, so that the injection never comes while the file system is still starting.
 */
void FsCrashArm(void);

/** The name of a transact kind ("Create", "Read", ...), or NULL when out of range. */
const char *FsCrashKindName(UINT32 Kind);

#endif
