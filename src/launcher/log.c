/*
 * src/launcher/log.c - the launcher's log: standard error in the foreground (each line with a
 * "<N>" priority prefix when standard error is systemd's journal, so that journalctl shows
 * warnings as warnings), syslog(3) as a daemon.
 */
#include "launcher.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool to_syslog, to_journal;

void log_init(bool use_syslog)
{
    to_syslog = use_syslog;
    if (use_syslog) {
        openlog("linfsp-launcher", LOG_PID | LOG_NDELAY, LOG_DAEMON);
        return;
    }
    /* $JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected to stderr. */
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev, ino;
    if (js && 2 == sscanf(js, "%llu:%llu", &dev, &ino) && 0 == fstat(2, &st) &&
        (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
        to_journal = true;
}

void log_msg(int priority, const char *format, ...)
{
    if (LOG_DEBUG == priority && !launcher_cfg.verbose)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, format);
    vsnprintf(line, sizeof line, format, ap);
    va_end(ap);
    /* What callers send (names, arguments) must not forge log lines. */
    for (char *c = line; *c; c++)
        if ((unsigned char)*c < 0x20 || 0x7f == *c)
            *c = '?';
    if (to_syslog) {
        syslog(priority, "%s", line);
        return;
    }
    static const char *const level[] = {"emergency", "alert", "critical", "error",
                                        "warning", "notice", "info", "debug"};
    char out[2200];
    int n = to_journal ? snprintf(out, sizeof out, "<%d>%s\n", priority, line)
                       : snprintf(out, sizeof out, "linfsp-launcher: %s%s%s\n",
                                  priority <= LOG_WARNING ? level[priority & 7] : "",
                                  priority <= LOG_WARNING ? ": " : "", line);
    if (n > 0 && write(2, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1) < 0)
        (void)0;
}
