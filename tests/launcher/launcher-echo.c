/*
 * tests/launcher/launcher-echo.c - the instance program of the launcher tests' echo and secret
 * classes (as WinFsp's launcher tests use a small program). It writes what it was started
 * with to a report file, then serves until SIGTERM (exit 0).
 *
 *   launcher-echo [OPTIONS] REPORT [ARGS...]
 *     --secret          read a secret from standard input to its end; answer "OK" on standard
 *                       output unless it starts with "bad" (then "NO")
 *     --exit N          exit N at once after the report
 *     --crash-after MS  abort() MS ms after the report
 *     --stderr TEXT     write TEXT to standard error
 *     --ignore-term     ignore SIGTERM
 *
 * The report (written whole, then renamed into place): one "key=value" line each for
 * arg1..argN, uid, gid, groups, cwd, pid, pgid, sid (session), stdin (what the secret read
 * got), and env:NAME for every environment variable.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    int secret = 0, exit_code = -1, ignore_term = 0;
    long crash_after = -1;
    const char *text = 0;
    int i = 1;
    for (; i < argc && 0 == strncmp(argv[i], "--", 2); i++) {
        if (0 == strcmp(argv[i], "--secret"))
            secret = 1;
        else if (0 == strcmp(argv[i], "--ignore-term"))
            ignore_term = 1;
        else if (0 == strcmp(argv[i], "--exit") && i + 1 < argc)
            exit_code = atoi(argv[++i]);
        else if (0 == strcmp(argv[i], "--crash-after") && i + 1 < argc)
            crash_after = atol(argv[++i]);
        else if (0 == strcmp(argv[i], "--stderr") && i + 1 < argc)
            text = argv[++i];
        else {
            fprintf(stderr, "launcher-echo: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: launcher-echo [OPTIONS] REPORT [ARGS...]\n");
        return 2;
    }
    const char *report = argv[i++];
    char in[4096] = "";
    size_t inlen = 0;
    if (secret) {
        ssize_t r;
        while (inlen < sizeof in - 1 && (r = read(0, in + inlen, sizeof in - 1 - inlen)) > 0)
            inlen += (size_t)r;
        in[inlen] = '\0';
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", report);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "launcher-echo: %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    for (int a = i; a < argc; a++)
        fprintf(f, "arg%d=%s\n", a - i + 1, argv[a]);
    fprintf(f, "uid=%u\ngid=%u\n", (unsigned)getuid(), (unsigned)getgid());
    gid_t groups[256];
    int n = getgroups(256, groups);
    fprintf(f, "groups=");
    for (int g = 0; g < n; g++)
        fprintf(f, "%s%u", g ? "," : "", (unsigned)groups[g]);
    fprintf(f, "\n");
    char cwd[4096];
    fprintf(f, "cwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    fprintf(f, "pid=%d\npgid=%d\nsid=%d\n", (int)getpid(), (int)getpgrp(), (int)getsid(0));
    if (secret)
        fprintf(f, "stdin=%s\n", in);
    for (char **e = environ; *e; e++)
        fprintf(f, "env:%s\n", *e);
    fclose(f);
    rename(tmp, report);
    if (text)
        fprintf(stderr, "%s\n", text);
    if (secret) {
        const char *answer = 0 == strncmp(in, "bad", 3) ? "NO" : "OK";
        if (write(1, answer, 2) < 0)
            return 1;
    }
    if (exit_code >= 0)
        return exit_code;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ignore_term ? SIG_IGN : on_term;
    sigaction(SIGTERM, &sa, 0);
    long waited = 0;
    while (!stop) {
        usleep(10000);
        waited += 10;
        if (crash_after >= 0 && waited >= crash_after)
            abort();
    }
    return 0;
}
