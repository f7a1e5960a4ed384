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
    if (!Format)
        return;
    /* WinFsp's format rules (%s wide, %S narrow, %ld 32 bits): see winformat.c */
    PWSTR wmsg = fsp_windows_vaswprintf(Format, ap);
    if (!wmsg)
        return;
    char *s = 0;
    size_t len = 0;
    int err = fsp_wcs_to_utf8(wmsg, wcslen(wmsg), &s, &len);
    free(wmsg);
    if (0 != err)
        return;
    pthread_mutex_lock(&service_lock);
    PWSTR name = running_service ? running_service->ServiceName : L"linfsp";
    char *sname = 0;
    fsp_wcs_to_utf8(name, wcslen(name), &sname, 0);
    pthread_mutex_unlock(&service_lock);
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
    Service->AcceptControl = Control; /* recorded; no service control manager on Linux */
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

/* A service object with its name; NULL when out of memory. */
static FSP_SERVICE *service_alloc(PWSTR ServiceName, FSP_SERVICE_START *OnStart,
                                  FSP_SERVICE_STOP *OnStop, FSP_SERVICE_CONTROL *OnControl,
                                  PVOID UserContext)
{
    PWSTR name = service_name_copy(ServiceName);
    size_t nl = wcslen(name);
    FSP_SERVICE *svc = calloc(1, sizeof *svc + (nl + 1) * sizeof(WCHAR));
    if (!svc)
        return 0;
    memcpy(svc->ServiceName, name, (nl + 1) * sizeof(WCHAR));
    svc->UserContext = UserContext;
    svc->OnStart = OnStart, svc->OnStop = OnStop, svc->OnControl = OnControl;
    return svc;
}

/*
 * Run svc with argv: OnStart, wait for a stop signal, OnStop. Returns the exit code;
 * *pstatus receives OnStart's failure (or STATUS_SUCCESS).
 */
static ULONG service_run(FSP_SERVICE *svc, int argc, char **argv, NTSTATUS *pstatus)
{
    PWSTR *wargv = calloc((size_t)argc + 1, sizeof *wargv);
    *pstatus = STATUS_INSUFFICIENT_RESOURCES;
    if (!wargv) {
        fprintf(stderr, "linfsp: out of memory\n");
        return 1;
    }
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

    NTSTATUS status = svc->OnStart ? svc->OnStart(svc, (ULONG)argc, wargv) : STATUS_SUCCESS;
    *pstatus = status;
    if (!NT_SUCCESS(status)) {
        if (!svc->ExitCode)
            svc->ExitCode = STATUS_INVALID_PARAMETER == status ? 2 : 1;
        code = svc->ExitCode;
    } else {
        int sig = 0;
        while (0 != sigwait(&set, &sig))
            ;
        svc->StopSignal = sig;
        if (svc->OnStop)
            svc->OnStop(svc);
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
    return code;
}

FSP_API ULONG FspServiceRunArgv(PWSTR ServiceName, int argc, char **argv,
                                NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                                NTSTATUS (*OnStop)(FSP_SERVICE *),
                                NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                                PVOID UserContext)
{
    FSP_SERVICE *svc = service_alloc(ServiceName, OnStart, OnStop, OnControl, UserContext);
    if (!svc) {
        fprintf(stderr, "linfsp: out of memory\n");
        return 1;
    }
    svc->AllowConsoleMode = TRUE;
    NTSTATUS status;
    ULONG code = service_run(svc, argc, argv, &status);
    free(svc);
    return code;
}

/* argv from /proc/self/cmdline (NUL-separated arguments); *pbuf holds the strings. */
static char **read_cmdline(int *pargc, char **pbuf)
{
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
        return 0;
    }
    for (size_t i = 0, a = 0; i < len && (int)a < argc; a++) {
        argv[a] = buf + i;
        i += strlen(buf + i) + 1;
    }
    *pargc = argc;
    *pbuf = buf;
    return argv;
}

FSP_API ULONG FspServiceRunEx(PWSTR ServiceName, NTSTATUS (*OnStart)(FSP_SERVICE *, ULONG, PWSTR *),
                              NTSTATUS (*OnStop)(FSP_SERVICE *),
                              NTSTATUS (*OnControl)(FSP_SERVICE *, ULONG, ULONG, PVOID),
                              PVOID UserContext)
{
    int argc = 0;
    char *buf = 0;
    char **argv = read_cmdline(&argc, &buf);
    if (!argv)
        return 1;
    ULONG code = FspServiceRunArgv(ServiceName, argc, argv, OnStart, OnStop, OnControl, UserContext);
    free(argv);
    free(buf);
    return code;
}

FSP_API NTSTATUS FspServiceCreate(PWSTR ServiceName, FSP_SERVICE_START *OnStart,
                                  FSP_SERVICE_STOP *OnStop, FSP_SERVICE_CONTROL *OnControl,
                                  FSP_SERVICE **PService)
{
    if (!PService)
        return STATUS_INVALID_PARAMETER;
    *PService = service_alloc(ServiceName, OnStart, OnStop, OnControl, 0);
    return *PService ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

FSP_API VOID FspServiceDelete(FSP_SERVICE *Service)
{
    free(Service);
}

FSP_API NTSTATUS FspServiceLoop(FSP_SERVICE *Service)
{
    int argc = 0;
    char *buf = 0;
    char **argv = read_cmdline(&argc, &buf);
    if (!argv)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status;
    service_run(Service, argc, argv, &status);
    free(argv);
    free(buf);
    return status;
}

FSP_API VOID FspServiceRequestTime(FSP_SERVICE *Service, ULONG Time)
{
    (void)Service, (void)Time; /* no service control manager to ask */
}

FSP_API NTSTATUS FspServiceContextCheck(HANDLE Token, PBOOLEAN PIsLocalSystem)
{
    if (Token)
        return STATUS_INVALID_PARAMETER; /* no access tokens on Linux: only the process */
    BOOLEAN root = 0 == geteuid();
    if (PIsLocalSystem)
        *PIsLocalSystem = root;
    return root ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}
