/*
 * tools/launchctl.c - WinFsp's launchctl for Linux: one command to the launcher (through the
 * FspLaunch* API, on the launcher's socket only), "OK" and the data, or "KO" and the error.
 * Exit status 0 for OK, 1 for KO, 2 for usage errors.
 */
#include <winfsp/launch.h>
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGNAME "launchctl"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROGNAME " [-s SOCKET] COMMAND ARGS\n"
            "\n"
            "commands:\n"
            "    start               CLASS INSTANCE ARGS...\n"
            "    startWithSecret     CLASS INSTANCE ARGS... SECRET   (SECRET '-': read a line from stdin)\n"
            "    stop                CLASS INSTANCE\n"
            "    info                CLASS INSTANCE\n"
            "    list\n"
            "\n"
            "At most 9 ARGS (%%1 to %%9 of the class's CommandLine), the secret included.\n"
            "options:\n"
            "    -s SOCKET           the launcher's socket (default $LINFSP_LAUNCHER_SOCKET or %s)\n"
            "    -h                  this help\n"
            "Prints OK (and the data) or KO and the launcher's error; exits 0 (OK), 1 (KO)\n"
            "or 2 (usage error).\n",
            FSP_LAUNCH_PIPE_NAME);
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

/* Print the outcome of a call; returns the exit status. */
static int report(NTSTATUS status, ULONG error)
{
    if (!NT_SUCCESS(status)) {
        const char *why = STATUS_OBJECT_NAME_NOT_FOUND == status ? "no launcher listens on the socket"
                          : STATUS_ACCESS_DENIED == status ? "the socket is not served by root"
                          : STATUS_INVALID_PARAMETER == status ? "invalid arguments (too long?)"
                          : STATUS_IO_TIMEOUT == status ? "the launcher did not answer in time"
                                                        : strerror(FspErrnoFromNtStatus(status));
        printf("KO\n");
        fprintf(stderr, PROGNAME ": %s (status 0x%08x)\n", why, (unsigned)status);
        return 1;
    }
    if (error) {
        printf("KO launcher: error %lu (%s)\n", (unsigned long)error, FspLaunchErrorMessage(error));
        return 1;
    }
    return 0;
}

/* The reply's NUL-terminated WCHAR strings. */
static int split(PWSTR buf, ULONG size, PWSTR *parts, int max)
{
    int n = 0;
    size_t count = size / sizeof(WCHAR);
    for (size_t i = 0; i < count && n < max;) {
        parts[n++] = buf + i;
        while (i < count && buf[i])
            i++;
        i++;
    }
    return n;
}

/* Read a secret line from standard input (the trailing newline dropped). */
static char *read_secret(void)
{
    char *line = 0;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n <= 0) {
        free(line);
        return 0;
    }
    if ('\n' == line[n - 1])
        line[--n] = '\0';
    return line;
}

int main(int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    int opt;
    while (-1 != (opt = getopt(argc, argv, "+s:h"))) {
        switch (opt) {
        case 's':
            setenv("LINFSP_LAUNCHER_SOCKET", optarg, 1);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    argc -= optind, argv += optind;
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[0];
    PWSTR w[16] = {0};
    int nw = 0, rc = 2;
    char *secret = 0;
    for (int i = 1; i < argc && i < 16; i++) {
        const char *a = argv[i];
        if (0 == strcmp(cmd, "startWithSecret") && i == argc - 1 && 0 == strcmp(a, "-")) {
            if (!(secret = read_secret())) {
                fprintf(stderr, PROGNAME ": no secret on standard input\n");
                return 2;
            }
            a = secret;
        }
        if (!(w[nw++] = widen(a))) {
            fprintf(stderr, PROGNAME ": argument %d is not valid in this locale\n", i);
            goto out;
        }
    }
    NTSTATUS status;
    ULONG error = 0;
    if (0 == strcmp(cmd, "start") || 0 == strcmp(cmd, "startWithSecret")) {
        bool with_secret = 'W' == cmd[5];
        if (argc < 3 + with_secret || argc > 3 + FSP_LAUNCH_MAX_ARGUMENTS) {
            usage(stderr);
            goto out;
        }
        status = FspLaunchStart(w[0], w[1], (ULONG)(argc - 3), w + 2, with_secret, &error);
        rc = report(status, error);
        if (0 == rc)
            printf("OK\n");
    } else if (0 == strcmp(cmd, "stop")) {
        if (3 != argc) {
            usage(stderr);
            goto out;
        }
        status = FspLaunchStop(w[0], w[1], &error);
        rc = report(status, error);
        if (0 == rc)
            printf("OK\n");
    } else if (0 == strcmp(cmd, "info") || 0 == strcmp(cmd, "list")) {
        bool info = 'i' == cmd[0];
        if (argc != (info ? 3 : 1)) {
            usage(stderr);
            goto out;
        }
        static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
        ULONG size = sizeof buf;
        status = info ? FspLaunchGetInfo(w[0], w[1], buf, &size, &error)
                      : FspLaunchGetNameList(buf, &size, &error);
        rc = report(status, error);
        if (0 == rc) {
            PWSTR parts[2 * 1024];
            int n = split(buf, size, parts, (int)ARRAYSIZE(parts));
            printf("OK\n");
            if (info) {
                /* As WinFsp: "CLASS INSTANCE" then the command line; then LinFsp's fields. */
                static const char *const labels[] = {"pid", "mountpoint", "state"};
                if (n >= 2)
                    printf("%ls %ls\n", parts[0], parts[1]);
                if (n >= 3)
                    printf("%ls\n", parts[2]);
                for (int i = 3; i < n && i < 6; i++)
                    printf("%s %ls\n", labels[i - 3], parts[i]);
            } else
                for (int i = 0; i + 1 < n; i += 2)
                    printf("%ls %ls\n", parts[i], parts[i + 1]);
        }
    } else {
        fprintf(stderr, PROGNAME ": unknown command %s\n", cmd);
        usage(stderr);
    }
out:
    for (int i = 0; i < nw; i++)
        free(w[i]);
    if (secret) {
        explicit_bzero(secret, strlen(secret));
        free(secret);
    }
    return rc;
}
