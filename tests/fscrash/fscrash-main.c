/*
 * tests/fscrash/fscrash-main.c - the fscrash command: run a LinFsp file system with the crash
 * layer under it (fscrash.h).
 *
 *   fscrash [CRASH OPTIONS] [MEMFS OPTIONS]            memfs (this build's) with crashes
 *   fscrash [CRASH OPTIONS] [--] PROGRAM [ARGS...]     any LinFsp program, e.g. passthrough
 *
 * The crash options are checked here, then passed in LINFSP_FSCRASH to the program, which is
 * started with the layer preloaded (LD_PRELOAD, fscrash-preload.c).
 */
#include "fscrash.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FSCRASH_PRELOAD
#error FSCRASH_PRELOAD: the path of the preload library (set by Meson)
#endif
#ifndef FSCRASH_MEMFS
#error FSCRASH_MEMFS: the path of the memfs program (set by Meson)
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fscrash [CRASH OPTIONS] [MEMFS OPTIONS]\n"
            "       fscrash [CRASH OPTIONS] [--] PROGRAM [ARGS...]\n"
            "crash options:\n"
            "  --mask=M        transact kinds to inject at: a bit mask over FspFsctlTransact*Kind\n"
            "                  (1 << Kind) or a list of names: Create,Overwrite,Cleanup,Close,Read,\n"
            "                  Write,QueryInformation,SetInformation,QueryEa,SetEa,FlushBuffers,\n"
            "                  QueryVolumeInformation,QueryDirectory,FileSystemControl,\n"
            "                  DeviceControl,QuerySecurity,SetSecurity,... or all\n"
            "  --enter         inject before the file system's member runs (the default)\n"
            "  --leave         inject after it returned\n"
            "  --terminate     end the process at once (exit status %d)\n"
            "  --crash         crash it: SIGSEGV\n"
            "  --abort         crash it: abort(), SIGABRT\n"
            "  --huge-alloc    take all memory the process may still get; it goes on without\n"
            "  --percent=P     inject at P%% of the matching calls (default 100: the first)\n"
            "  --seed=S        the random choice for --percent\n"
            "Without PROGRAM, memfs (%s) runs with the remaining options.\n",
            FSCRASH_EXIT_TERMINATED, FSCRASH_MEMFS);
}

int main(int argc, char **argv)
{
    if (2 == argc && (0 == strcmp(argv[1], "-h") || 0 == strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    static const char *const crash_words[] = {"--mask=", "--enter", "--leave", "--terminate",
                                              "--crash", "--abort", "--huge-alloc",
                                              "--percent=", "--seed=", 0};
    size_t wlen = 1;
    for (int i = 1; i < argc; i++)
        wlen += strlen(argv[i]) + 1;
    char *words = calloc(1, wlen);
    if (!words)
        return 2;
    int i = 1;
    for (; i < argc; i++) {
        bool crash_word = false;
        for (const char *const *w = crash_words; *w && !crash_word; w++) {
            size_t n = strlen(*w);
            crash_word = '=' == (*w)[n - 1] ? 0 == strncmp(argv[i], *w, n) : 0 == strcmp(argv[i], *w);
        }
        if (!crash_word)
            break;
        if (*words)
            strcat(words, " ");
        strcat(words, argv[i]);
    }
    FSCRASH_OPTIONS options;
    char err[256];
    if (0 != FsCrashParseOptions(words, &options, err, sizeof err)) {
        fprintf(stderr, "fscrash: %s\n", err);
        usage(stderr);
        return 2;
    }
    /* The program: after "--", or a word that is not an option; memfs otherwise. */
    char **av;
    if (i < argc && 0 == strcmp(argv[i], "--"))
        i++;
    if (i < argc && '-' != argv[i][0])
        av = argv + i;
    else {
        av = calloc((size_t)(argc - i) + 2, sizeof *av);
        if (!av)
            return 2;
        av[0] = (char *)FSCRASH_MEMFS;
        memcpy(av + 1, argv + i, (size_t)(argc - i) * sizeof *av);
    }
    const char *old = getenv("LD_PRELOAD");
    char *preload = malloc(strlen(FSCRASH_PRELOAD) + (old ? strlen(old) : 0) + 2);
    const char *asan = getenv("ASAN_OPTIONS");
    char *asan_options = malloc((asan ? strlen(asan) : 0) + 64);
    if (!preload || !asan_options)
        return 2;
    sprintf(preload, "%s%s%s", FSCRASH_PRELOAD, old && *old ? ":" : "", old && *old ? old : "");
    /* A sanitizer build of the program: its runtime is not first in the list now. */
    sprintf(asan_options, "%s%sverify_asan_link_order=0", asan ? asan : "", asan && *asan ? ":" : "");
    setenv("LD_PRELOAD", preload, 1);
    setenv("ASAN_OPTIONS", asan_options, 1);
    setenv("LINFSP_FSCRASH", words, 1);
    execvp(av[0], av);
    fprintf(stderr, "fscrash: cannot run %s: %m\n", av[0]);
    return 127;
}
