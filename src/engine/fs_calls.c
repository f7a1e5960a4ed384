/*
 * src/engine/fs_calls.c - where the engine's errors meet the file system's: NTSTATUS becomes
 * the engine's errno (fs_errors.h) here, once.
 */
#include "fs_errors.h"
#include <stddef.h>

static const struct {
    NTSTATUS status;
    int err;
} internal_codes[] = {
    {STATUS_OBJECT_NAME_NOT_FOUND, FSP_ENAME_NOT_FOUND},
    {STATUS_OBJECT_PATH_NOT_FOUND, FSP_EPATH_NOT_FOUND},
    {STATUS_OBJECT_NAME_COLLISION, FSP_ENAME_COLLISION},
    {STATUS_END_OF_FILE, FSP_EEND_OF_FILE},
    {STATUS_BUFFER_OVERFLOW, FSP_EBUFFER_OVERFLOW},
    {STATUS_BUFFER_TOO_SMALL, FSP_EBUFFER_TOO_SMALL},
    {STATUS_NOT_A_REPARSE_POINT, FSP_ENOT_REPARSE},
    {STATUS_INVALID_DEVICE_REQUEST, FSP_EINVALID_DEVICE_REQUEST},
    {STATUS_NOT_IMPLEMENTED, FSP_ENOT_IMPLEMENTED},
    {STATUS_NOT_SUPPORTED, FSP_ENOT_SUPPORTED},
    {STATUS_INVALID_SECURITY_DESCR, FSP_EBAD_SD},
    {STATUS_ACCESS_DENIED, FSP_EACCESS_DENIED},
    {STATUS_INSUFFICIENT_RESOURCES, FSP_ENO_RESOURCES},
    {STATUS_INVALID_PARAMETER, FSP_EINVALID_PARAMETER},
    {STATUS_INTERNAL_ERROR, FSP_EINTERNAL_ERROR},
    {STATUS_PENDING, FSP_EPENDING},
};
_Static_assert(sizeof internal_codes / sizeof internal_codes[0] ==
                   FSP_EINTERNAL_END - FSP_EINTERNAL_BASE,
               "one status for each internal code");

int fsp_err_from_status_pending(NTSTATUS status)
{
    if (STATUS_SUCCESS == status)
        return 0;
    for (size_t i = 0; i < sizeof internal_codes / sizeof internal_codes[0]; i++)
        if (internal_codes[i].status == status)
            return internal_codes[i].err;
    return FspErrnoFromNtStatus(status); /* 0 for the other success codes */
}

int fsp_err_from_status(NTSTATUS status)
{
    return STATUS_PENDING == status ? 0 : fsp_err_from_status_pending(status);
}

NTSTATUS fsp_err_status(int err)
{
    return fsp_err_is_internal(err) ? internal_codes[err - FSP_EINTERNAL_BASE].status
                                    : STATUS_SUCCESS;
}

int fsp_err_public(int err)
{
    if (err < 0)
        err = -err;
    return fsp_err_is_internal(err) ? FspErrnoFromNtStatus(fsp_err_status(err)) : err;
}

int fsp_err_through_status(int err)
{
    return err ? fsp_err_from_status(FspNtStatusFromErrno(fsp_err_public(err))) : 0;
}
