/*
 * src/api/debuglog.c - FspDebugLog and the request/response tracing behind `-d`.
 * Each line goes out in one write(2), so lines from threads do not mix.
 */
#include "api.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int debug_fd = 2;

FSP_API VOID FspDebugLogSetFd(int Fd)
{
    debug_fd = Fd;
}

FSP_API VOID FspDebugLogSetHandle(HANDLE Handle)
{
    debug_fd = (int)(intptr_t)Handle;
}

FSP_API VOID FspDebugLog(const char *Format, ...)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "[%ld] ", (long)syscall(SYS_gettid));
    va_list ap;
    va_start(ap, Format);
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n, Format, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len >= sizeof buf)
        len = sizeof buf - 1, buf[len - 1] = '\n';
    if (write(debug_fd, buf, len) < 0)
        (void)0;
}

FSP_API VOID FspDebugLogSD(const char *Format, PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    PWSTR sddl = 0;
    char *s = 0;
    if (SecurityDescriptor &&
        NT_SUCCESS(FspSecurityDescriptorToSddl(SecurityDescriptor,
                                               OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                                                   DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION,
                                               &sddl)) &&
        0 == fsp_wcs_to_utf8(sddl, wcslen(sddl), &s, 0))
        FspDebugLog(Format, s);
    else
        FspDebugLog(Format, SecurityDescriptor ? "invalid security descriptor" : "NULL");
    free(s);
    free(sddl);
}

FSP_API VOID FspDebugLogSid(const char *Format, PSID Sid)
{
    PWSTR str = 0;
    char *s = 0;
    if (Sid && NT_SUCCESS(FspSidToString(Sid, &str)) && 0 == fsp_wcs_to_utf8(str, wcslen(str), &s, 0))
        FspDebugLog(Format, s);
    else
        FspDebugLog(Format, Sid ? "invalid SID" : "NULL");
    free(s);
    free(str);
}

FSP_API VOID FspDebugLogFT(const char *Format, PFILETIME FileTime)
{
    UINT64 ft = (UINT64)FileTime->dwHighDateTime << 32 | FileTime->dwLowDateTime, ut[2];
    FspPosixFileTimeToUnixTime(ft, ut);
    char buf[64];
    snprintf(buf, sizeof buf, "%lld.%09llu", (long long)ut[0], (unsigned long long)ut[1]);
    FspDebugLog(Format, buf);
}

static const char *kind_name(UINT32 kind)
{
    static const char *names[] = {"Reserved", "Create", "Overwrite", "Cleanup", "Close", "Read",
                                  "Write", "QueryInformation", "SetInformation", "QueryEa", "SetEa",
                                  "FlushBuffers", "QueryVolumeInformation",
                                  "SetVolumeInformation", "QueryDirectory", "FileSystemControl",
                                  "DeviceControl", "Shutdown", "LockControl", "QuerySecurity",
                                  "SetSecurity", "QueryStreamInformation"};
    return kind < ARRAYSIZE(names) ? names[kind] : "Unknown";
}

FSP_API VOID FspDebugLogRequest(FSP_FSCTL_TRANSACT_REQ *Request)
{
    char *name = 0;
    if (Request->FileName)
        fsp_wcs_to_utf8(Request->FileName, wcslen(Request->FileName), &name, 0);
    FspDebugLog("%s[%llu] %s uid=%u pid=%u\n", kind_name(Request->Kind),
                (unsigned long long)Request->Hint, name ? name : "", Request->CallerUid,
                Request->CallerPid);
    free(name);
}

FSP_API VOID FspDebugLogResponse(FSP_FSCTL_TRANSACT_RSP *Response)
{
    FspDebugLog("%s[%llu] status 0x%08x information %u\n", kind_name(Response->Kind),
                (unsigned long long)Response->Hint, Response->IoStatus.Status,
                Response->IoStatus.Information);
}
