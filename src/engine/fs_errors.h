/*
 * src/engine/fs_errors.h - the engine's one error currency: errno.
 *
 * Inside the engine every failure is an int: 0 for success, otherwise a positive errno as
 * fsp_reply_err takes it. NTSTATUS, the file system's currency, becomes an errno once, where
 * the engine calls the file system (fs_calls.c, fsp_err_from_status; pending.c for an
 * asynchronous completion).
 *
 * A few outcomes the engine must tell apart share one public errno (OBJECT_NAME_NOT_FOUND and
 * DELETE_PENDING are both ENOENT; the file system's own EEXIST is not "the name exists"). Like
 * the kernel's ERESTARTSYS, those get engine-internal codes: 0x10000 and above, which no errno
 * can be (FSP_STATUS_FROM_ERRNO carries at most 0xffff). Each has the public errno
 * FspErrnoFromNtStatus gives its status; fsp_reply_err replies with that, so no internal code
 * reaches the kernel. Code that compares with a public errno compares fsp_err_public(err).
 */
#ifndef LINFSP_FS_ERRORS_H_INCLUDED
#define LINFSP_FS_ERRORS_H_INCLUDED

#include <winfsp/winfsp.h>

/** Engine-internal error codes: the NTSTATUS each stands for, in the comment its public errno. */
enum {
    FSP_EINTERNAL_BASE = 0x10000,
    FSP_ENAME_NOT_FOUND = FSP_EINTERNAL_BASE, /**< STATUS_OBJECT_NAME_NOT_FOUND: ENOENT */
    FSP_EPATH_NOT_FOUND,          /**< STATUS_OBJECT_PATH_NOT_FOUND: ENOENT */
    FSP_ENAME_COLLISION,          /**< STATUS_OBJECT_NAME_COLLISION: EEXIST */
    FSP_EEND_OF_FILE,             /**< STATUS_END_OF_FILE: ENODATA */
    FSP_EBUFFER_OVERFLOW,         /**< STATUS_BUFFER_OVERFLOW: ERANGE */
    FSP_EBUFFER_TOO_SMALL,        /**< STATUS_BUFFER_TOO_SMALL: ERANGE */
    FSP_ENOT_REPARSE,             /**< STATUS_NOT_A_REPARSE_POINT: EINVAL */
    FSP_EINVALID_DEVICE_REQUEST,  /**< STATUS_INVALID_DEVICE_REQUEST (or a missing member): ENOSYS */
    FSP_ENOT_IMPLEMENTED,         /**< STATUS_NOT_IMPLEMENTED: ENOSYS */
    FSP_ENOT_SUPPORTED,           /**< STATUS_NOT_SUPPORTED: EOPNOTSUPP */
    FSP_EBAD_SD,                  /**< STATUS_INVALID_SECURITY_DESCR: EINVAL */
    FSP_EACCESS_DENIED,           /**< STATUS_ACCESS_DENIED: EACCES */
    FSP_ENO_RESOURCES,            /**< STATUS_INSUFFICIENT_RESOURCES: ENOMEM */
    FSP_EINVALID_PARAMETER,       /**< STATUS_INVALID_PARAMETER: EINVAL */
    FSP_EINTERNAL_ERROR,          /**< STATUS_INTERNAL_ERROR: EIO */
    FSP_EPENDING,                 /**< STATUS_PENDING where a member may pend: not an error (0) */
    FSP_EINTERNAL_END
};

/** Is err one of the internal codes? */
static inline int fsp_err_is_internal(int err)
{
    return err >= FSP_EINTERNAL_BASE && err < FSP_EINTERNAL_END;
}

/**
 * The engine's error for what a file system returned: 0 for every success code (STATUS_PENDING
 * too), the internal code of a status listed above, FspErrnoFromNtStatus otherwise.
 */
int fsp_err_from_status(NTSTATUS status);
/** The same, with STATUS_PENDING as FSP_EPENDING: for a member that may complete later. */
int fsp_err_from_status_pending(NTSTATUS status);
/** The errno the kernel gets for err: the public errno of an internal code, err otherwise. */
int fsp_err_public(int err);
/**
 * err passed on as an NTSTATUS (FspNtStatusFromErrno) and back: what paths that carried an errno
 * as an NTSTATUS gave (ENOSYS and ENOTTY become FSP_EINVALID_DEVICE_REQUEST, an errno without a
 * status EIO); kept where the outcome depends on it.
 */
int fsp_err_through_status(int err);
/** The NTSTATUS an internal code stands for (STATUS_SUCCESS for any other err). */
NTSTATUS fsp_err_status(int err);

#endif
