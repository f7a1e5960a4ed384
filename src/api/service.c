/*
 * src/api/service.c - WinFsp's service framework for Linux: a file system
 * runs in the foreground until SIGINT, SIGTERM or SIGHUP (or FspServiceStop),
 * then stops cleanly (unmounts) and exits with the service's exit code.
 */
#include "api.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t service_lock = PTHREAD_MUTEX_INITIALIZER;
static FSP_SERVICE *running_service;
static pthread_t service_thread;

static PWSTR service_name_copy(PWSTR name)
{
    return name ? name : L"linfsp";
}

FSP_API VOID FspServiceLogV(ULONG Type, PWSTR Format, va_list ap)
{
    (void)Type;
    WCHAR wbuf[1024];
    int n = vswprintf(wbuf, ARRAYSIZE(wbuf), Format, ap);
    if (n < 0) {
        /* Too long or unformattable: log what fits. */
        wbuf[ARRAYSIZE(wbuf) - 1] = 0;
        n = (int)wcslen(wbuf);
    }
    char *s = 0;
    size_t len = 0;
    if (0 != fsp_wcs_to_utf8(wbuf, (size_t)n, &s, &len))
        return;
    pthread_mutex_lock(&service_lock);
    PWSTR name = running_service ? running_service->ServiceName : L"linfsp";
    pthread_mutex_unlock(&service_lock);
    char *sname = 0;
    fsp_wcs_to_utf8(name, wcslen(name), &sname, 0);
    char *line = 0;
    int ll = asprintf(&line, "%s: %s%s", sname ? sname : "linfsp", s,
                      len && '\n' == s[len - 1] ? "" : "\n");
    if (ll > 0 && write(2, line, (size_t)ll) < 0)
        (void)0;
    free(line);
    free(sname);
    free(s);
}

FSP_API VOID FspServiceLog(ULONG Type, PWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    FspServiceLogV(Type, Format, ap);
    va_end(ap);
}

FSP_API VOID FspEventLogV(ULONG Type, PWSTR Format, va_list ap)
{
    FspServiceLogV(Type, Format, ap);
}

FSP_API VOID FspEventLog(ULONG Type, PWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    FspServiceLogV(Type, Format, ap);
    va_end(ap);
}

FSP_API VOID FspServiceStop(FSP_SERVICE *Service)
{
    (void)Service;
    pthread_mutex_lock(&service_lock);
    if (running_service)
        pthread_kill(service_thread, SIGTERM);
    pthread_mutex_unlock(&service_lock);
}

FSP_API VOID FspServiceSetExitCode(FSP_SERVICE *Service, ULONG ExitCode)
{
    Service->ExitCode = ExitCode;
}

FSP_API ULONG FspServiceGetExitCode(FSP_SERVICE *Service)
{
    return Service->ExitCode;
}

FSP_API VOID FspServiceAllowConsoleMode(FSP_SERVICE *Service)
{
    Service->AllowConsoleMode = TRUE;
}

FSP_API VOID FspServiceAcceptControl(FSP_SERVICE *Service, ULONG Control)
{
    (void)Service, (void)Control; /* no service control manager on Linux */
}

FSP_API BOOLEAN FspServiceIsInteractive(VOID)
{
    return isatty(0) ? TRUE : FALSE;
}

FSP_API VOID FspFileSystemStopServiceIfNecessary(FSP_FILE_SYSTEM *FileSystem, BOOLEAN Normally)
{
    (void)FileSystem;
    if (!Normally)
        FspServiceStop(0);
}

FSP_API ULONG FspServiceRunArgv(PWSTR ServiceName, int argc, char **argv,
                                NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                                NTSTATUS (*OnStop)(FSP_SERVICE *),
                                NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                                PVOID UserContext)
{
    PWSTR name = service_name_copy(ServiceName);
    size_t nl = wcslen(name);
    FSP_SERVICE *svc = calloc(1, sizeof *svc + (nl + 1) * sizeof(WCHAR));
    PWSTR *wargv = calloc((size_t)argc + 1, sizeof *wargv);
    if (!svc || !wargv) {
        free(svc), free(wargv);
        fprintf(stderr, "linfsp: out of memory\n");
        return 1;
    }
    memcpy(svc->ServiceName, name, (nl + 1) * sizeof(WCHAR));
    svc->UserContext = UserContext;
    svc->OnStart = OnStart, svc->OnStop = OnStop, svc->OnControl = OnControl;
    svc->AllowConsoleMode = TRUE;
    ULONG code = 1;
    for (int i = 0; i < argc; i++)
        if (0 != fsp_utf8_to_wcs(argv[i], strlen(argv[i]), &wargv[i], 0))
            goto out;

    /* Block the stop signals before OnStart so every thread it starts inherits the mask;
     * this thread then takes them synchronously with sigwait. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_mutex_lock(&service_lock);
    running_service = svc;
    service_thread = pthread_self();
    pthread_mutex_unlock(&service_lock);

    NTSTATUS status = OnStart ? OnStart(svc, (ULONG)argc, wargv) : STATUS_SUCCESS;
    if (!NT_SUCCESS(status)) {
        if (!svc->ExitCode)
            svc->ExitCode = STATUS_INVALID_PARAMETER == status ? 2 : 1;
        code = svc->ExitCode;
    } else {
        int sig = 0;
        while (0 != sigwait(&set, &sig))
            ;
        svc->StopSignal = sig;
        if (OnStop)
            OnStop(svc);
        code = svc->ExitCode;
    }
    pthread_mutex_lock(&service_lock);
    running_service = 0;
    pthread_mutex_unlock(&service_lock);
    /* Discard stop signals that arrived meanwhile, then restore the mask. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, 0, &zero) > 0)
        ;
    pthread_sigmask(SIG_SETMASK, &old, 0);
out:
    for (int i = 0; i < argc; i++)
        free(wargv[i]);
    free(wargv);
    free(svc);
    return code;
}

FSP_API ULONG FspServiceRunEx(PWSTR ServiceName, NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                              NTSTATUS (*OnStop)(FSP_SERVICE *),
                              NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                              PVOID UserContext)
{
    /* argv from /proc/self/cmdline: NUL-separated arguments. */
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    char *buf = 0;
    size_t len = 0, cap = 0;
    if (fd >= 0) {
        for (;;) {
            if (len == cap) {
                size_t ncap = cap ? cap * 2 : 4096;
                char *n = realloc(buf, ncap + 1);
                if (!n)
                    break;
                buf = n, cap = ncap;
            }
            ssize_t r = read(fd, buf + len, cap - len);
            if (r <= 0)
                break;
            len += (size_t)r;
        }
        close(fd);
    }
    int argc = 0;
    for (size_t i = 0; i < len; i++)
        if ('\0' == buf[i])
            argc++;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!argv || !buf) {
        free(buf), free(argv);
        fprintf(stderr, "linfsp: cannot read the command line\n");
        return 1;
    }
    for (size_t i = 0, a = 0; i < len && (int)a < argc; a++) {
        argv[a] = buf + i;
        i += strlen(buf + i) + 1;
    }
    ULONG code = FspServiceRunArgv(ServiceName, argc, argv, OnStart, OnStop, OnControl, UserContext);
    free(argv);
    free(buf);
    return code;
}
