/* src/api/version.c - LinFsp's version. */
#include <winfsp/winfsp.h>

FSP_API NTSTATUS FspVersion(PUINT32 PVersion)
{
    *PVersion = (UINT32)FSP_VERSION_MAJOR << 16 | FSP_VERSION_MINOR;
    return STATUS_SUCCESS;
}

FSP_API PWSTR FspSxsIdent(VOID)
{
    return L"";
}
