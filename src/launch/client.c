/*
 * src/launch/client.c - the launcher's client side: one request per connection on the
 * launcher's Unix socket (SOCK_SEQPACKET), as WinFsp sends one message over the launcher's
 * named pipe. The protocol is in doc/launcher.md.
 */
#include "launch-internal.h"
#include "api.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* How long a client waits for the launcher's reply: a start waits until the instance is
 * ready (the launcher's start timeout, 15 s by default) and, when it is not, until it is
 * stopped again. */
#define LAUNCH_REPLY_TIMEOUT_S 90

static const char *socket_path(void)
{
    const char *path = secure_getenv("LINFSP_LAUNCHER_SOCKET");
    return path && path[0] ? path : FSP_LAUNCH_PIPE_NAME;
}

static NTSTATUS connect_launcher(int *pfd)
{
    const char *path = socket_path();
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return STATUS_OBJECT_NAME_INVALID;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return FspNtStatusFromErrno(errno);
    int r;
    do
        r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    while (r < 0 && EINTR == errno);
    if (r < 0) {
        int err = errno;
        close(fd);
        /* As WinFsp when the launcher's pipe does not exist. */
        return ENOENT == err || ECONNREFUSED == err || ENOTDIR == err ? STATUS_OBJECT_NAME_NOT_FOUND
               : EACCES == err || EPERM == err                       ? STATUS_ACCESS_DENIED
                                                                      : FspNtStatusFromErrno(err);
    }
    /* As WinFsp checks that the pipe belongs to LocalSystem: only root (or the caller itself,
     * for a launcher of its own) may answer, so that no one else can collect secrets. */
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (0 != getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
        (0 != cred.uid && geteuid() != cred.uid)) {
        close(fd);
        return STATUS_ACCESS_DENIED;
    }
    struct timeval tv = {.tv_sec = LAUNCH_REPLY_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    tv.tv_sec = 10;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    *pfd = fd;
    return STATUS_SUCCESS;
}

/* The reply's data (NUL-terminated UTF-8 strings) as NUL-terminated WCHAR strings. */
static void copy_reply(const char *data, size_t len, PWSTR Buffer, PULONG PSize)
{
    if (!PSize)
        return;
    size_t cap = Buffer ? *PSize / sizeof(WCHAR) : 0, out = 0;
    for (size_t pos = 0; pos < len;) {
        const char *end = memchr(data + pos, '\0', len - pos);
        size_t n = end ? (size_t)(end - (data + pos)) : len - pos;
        PWSTR w = 0;
        size_t wl = 0;
        if (0 != fsp_utf8_to_wcs(data + pos, n, &w, &wl))
            break;
        for (size_t i = 0; i <= wl; i++, out++)
            if (out < cap)
                Buffer[out] = w[i];
        free(w);
        pos += n + 1;
    }
    *PSize = (ULONG)((out < cap ? out : cap) * sizeof(WCHAR));
}

FSP_API NTSTATUS FspLaunchCallLauncherPipeEx(WCHAR Command, ULONG Argc, PWSTR *Argv, ULONG *Argl,
                                             PWSTR Buffer, PULONG PSize,
                                             BOOLEAN AllowImpersonation, PULONG PLauncherError)
{
    (void)AllowImpersonation; /* the kernel always gives the launcher the caller's credentials */
    *PLauncherError = 0;
    if (Command <= 0 || Command >= 0x80 || (Argc && !Argv)) {
        if (PSize)
            *PSize = 0;
        return STATUS_INVALID_PARAMETER;
    }
    char *req = malloc(FSP_LAUNCH_PIPE_BUFFER_SIZE), *rsp = 0;
    size_t len = 0;
    NTSTATUS status = req ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    if (req)
        req[len++] = (char)Command;
    for (ULONG i = 0; i < Argc && NT_SUCCESS(status); i++) {
        if (!Argv[i])
            continue;
        size_t wl = !Argl || (ULONG)-1 == Argl[i] ? wcslen(Argv[i]) : Argl[i];
        char *s = 0;
        size_t sl = 0;
        if (wmemchr(Argv[i], L'\0', wl) || 0 != fsp_wcs_to_utf8(Argv[i], wl, &s, &sl))
            status = STATUS_INVALID_PARAMETER;
        else if (len + sl + 1 > FSP_LAUNCH_PIPE_BUFFER_SIZE)
            status = STATUS_INVALID_PARAMETER;
        else {
            memcpy(req + len, s, sl + 1);
            len += sl + 1;
        }
        if (s)
            explicit_bzero(s, sl);
        free(s);
    }
    int fd = -1;
    if (NT_SUCCESS(status))
        status = connect_launcher(&fd);
    /* A launcher that cannot serve the connection (too many clients) answers at once and
     * closes it, maybe before the request is sent: then the send fails, and the answer waits
     * to be read. */
    bool sent = false;
    NTSTATUS send_status = STATUS_SUCCESS;
    if (NT_SUCCESS(status)) {
        ssize_t r;
        do
            r = send(fd, req, len, MSG_NOSIGNAL);
        while (r < 0 && EINTR == errno);
        sent = r == (ssize_t)len;
        if (!sent)
            status = r < 0 ? FspNtStatusFromErrno(errno) : STATUS_UNSUCCESSFUL;
        if (r < 0 && (EPIPE == errno || ECONNRESET == errno))
            send_status = status, status = STATUS_SUCCESS; /* read what the launcher said */
    }
    if (NT_SUCCESS(status) && !(rsp = malloc(FSP_LAUNCH_PIPE_BUFFER_SIZE)))
        status = STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(status)) {
        ssize_t r;
        do
            r = recv(fd, rsp, FSP_LAUNCH_PIPE_BUFFER_SIZE, sent ? 0 : MSG_DONTWAIT);
        while (r < 0 && EINTR == errno);
        /* A launcher that closed with our request unread resets the connection; its answer
         * may still wait behind that error (reported once). */
        if (r < 0 && ECONNRESET == errno) {
            int err = errno;
            do
                r = recv(fd, rsp, FSP_LAUNCH_PIPE_BUFFER_SIZE, MSG_DONTWAIT);
            while (r < 0 && EINTR == errno);
            if (r < 0)
                errno = err;
        }
        if (!sent && r <= 0)
            status = send_status; /* closed without an answer */
        else if (r < 0)
            status = EAGAIN == errno || EWOULDBLOCK == errno ? STATUS_IO_TIMEOUT
                                                              : FspNtStatusFromErrno(errno);
        else {
            /* As WinFsp: a reply that is neither success nor a failure code is ERROR_BROKEN_PIPE. */
            ULONG error = ERROR_BROKEN_PIPE;
            if (r >= 1 && FspLaunchCmdSuccess == rsp[0]) {
                error = 0;
                copy_reply(rsp + 1, (size_t)r - 1, Buffer, PSize);
            } else if (r >= 2 && FspLaunchCmdFailure == rsp[0]) {
                unsigned long code = 0;
                ssize_t i = 1;
                for (; i < r && rsp[i] >= '0' && rsp[i] <= '9' && code < 100000000; i++)
                    code = code * 10 + (unsigned long)(rsp[i] - '0');
                if (code && (i == r || '\0' == rsp[i]))
                    error = (ULONG)code;
            }
            *PLauncherError = error;
            if (error && PSize)
                *PSize = 0;
        }
    }
    if (fd >= 0)
        close(fd);
    if (req)
        explicit_bzero(req, FSP_LAUNCH_PIPE_BUFFER_SIZE); /* may hold a secret */
    free(req);
    free(rsp);
    if (!NT_SUCCESS(status) && PSize)
        *PSize = 0;
    return status;
}

FSP_API NTSTATUS FspLaunchCallLauncherPipe(WCHAR Command, ULONG Argc, PWSTR *Argv, ULONG *Argl,
                                           PWSTR Buffer, PULONG PSize, PULONG PLauncherError)
{
    return FspLaunchCallLauncherPipeEx(Command, Argc, Argv, Argl, Buffer, PSize, FALSE,
                                       PLauncherError);
}

FSP_API NTSTATUS FspLaunchStartEx(PWSTR ClassName, PWSTR InstanceName, ULONG Argc, PWSTR *Argv,
                                  BOOLEAN HasSecret, BOOLEAN AllowImpersonation,
                                  PULONG PLauncherError)
{
    *PLauncherError = 0;
    if (!ClassName || !InstanceName || Argc > FSP_LAUNCH_MAX_ARGUMENTS || (Argc && !Argv) ||
        (HasSecret && 0 == Argc))
        return STATUS_INVALID_PARAMETER;
    PWSTR args[FSP_LAUNCH_MAX_ARGUMENTS + 2];
    args[0] = ClassName;
    args[1] = InstanceName;
    for (ULONG i = 0; i < Argc; i++)
        args[2 + i] = Argv[i];
    return FspLaunchCallLauncherPipeEx(HasSecret ? FspLaunchCmdStartWithSecret : FspLaunchCmdStart,
                                       Argc + 2, args, 0, 0, 0, AllowImpersonation,
                                       PLauncherError);
}

FSP_API NTSTATUS FspLaunchStart(PWSTR ClassName, PWSTR InstanceName, ULONG Argc, PWSTR *Argv,
                                BOOLEAN HasSecret, PULONG PLauncherError)
{
    return FspLaunchStartEx(ClassName, InstanceName, Argc, Argv, HasSecret, FALSE, PLauncherError);
}

FSP_API NTSTATUS FspLaunchStop(PWSTR ClassName, PWSTR InstanceName, PULONG PLauncherError)
{
    PWSTR args[2] = {ClassName, InstanceName};
    *PLauncherError = 0;
    if (!ClassName || !InstanceName)
        return STATUS_INVALID_PARAMETER;
    return FspLaunchCallLauncherPipe(FspLaunchCmdStop, 2, args, 0, 0, 0, PLauncherError);
}

FSP_API NTSTATUS FspLaunchGetInfo(PWSTR ClassName, PWSTR InstanceName, PWSTR Buffer,
                                  PULONG PSize, PULONG PLauncherError)
{
    PWSTR args[2] = {ClassName, InstanceName};
    *PLauncherError = 0;
    if (!ClassName || !InstanceName)
        return STATUS_INVALID_PARAMETER;
    return FspLaunchCallLauncherPipe(FspLaunchCmdGetInfo, 2, args, 0, Buffer, PSize,
                                     PLauncherError);
}

FSP_API NTSTATUS FspLaunchGetNameList(PWSTR Buffer, PULONG PSize, PULONG PLauncherError)
{
    return FspLaunchCallLauncherPipe(FspLaunchCmdGetNameList, 0, 0, 0, Buffer, PSize,
                                     PLauncherError);
}

FSP_API const char *FspLaunchErrorMessage(ULONG LauncherError)
{
    switch (LauncherError) {
    case 0: return "success";
    case ERROR_FILE_NOT_FOUND: return "no such class or instance";
    case ERROR_PATH_NOT_FOUND: return "the mount point does not exist";
    case ERROR_ACCESS_DENIED: return "access denied";
    case ERROR_BAD_LENGTH: return "the request is too long";
    case ERROR_INVALID_PARAMETER: return "invalid request";
    case ERROR_BROKEN_PIPE: return "the launcher's reply was not understood";
    case ERROR_BAD_PATHNAME: return "the caller may not mount there";
    case ERROR_BUSY: return "the launcher is busy (too many clients or instances)";
    case ERROR_ALREADY_EXISTS: return "the instance exists already";
    case ERROR_DIRECTORY: return "the mount point is not a directory";
    case ERROR_OPERATION_ABORTED: return "the instance was stopped while it started";
    case ERROR_PROCESS_ABORTED: return "the instance ended before it was ready (see its log)";
    case ERROR_SHUTDOWN_IN_PROGRESS: return "the launcher is stopping";
    case ERROR_NO_SYSTEM_RESOURCES: return "the launcher is out of resources";
    case ERROR_TIMEOUT: return "the instance did not get ready in time";
    case ERROR_BAD_CONFIGURATION: return "the class is misconfigured (see the launcher's log)";
    default: return "launcher error";
    }
}
