/*
 * src/api/secutil.h - helpers shared by security.c, sddl.c and posix.c (not installed).
 */
#ifndef LINFSP_SECUTIL_H_INCLUDED
#define LINFSP_SECUTIL_H_INCLUDED

#include <winfsp/winfsp.h>
#include <stdbool.h>

struct fsp_acl_builder {
    ACL *acl;
    size_t cap;
};
NTSTATUS fsp_acl_init(struct fsp_acl_builder *b);
NTSTATUS fsp_acl_add(struct fsp_acl_builder *b, BYTE type, BYTE flags, ACCESS_MASK mask, PSID sid);
NTSTATUS fsp_acl_add_raw(struct fsp_acl_builder *b, const ACE_HEADER *ace, BYTE flags);
void fsp_acl_free(struct fsp_acl_builder *b);

/* A malloc'ed self-relative SD from its parts (any may be NULL). */
NTSTATUS fsp_sd_build(PSID owner, PSID group, PACL dacl, bool dacl_present, PACL sacl,
                      bool sacl_present, SECURITY_DESCRIPTOR_CONTROL extra_control,
                      PSECURITY_DESCRIPTOR *psd, ULONG *psize);

/* GENERIC_* bits -> the file rights they stand for. */
ACCESS_MASK fsp_map_generic(ACCESS_MASK m);

/* A SID in a caller-provided buffer: authority and up to 15 sub-authorities. */
typedef struct {
    BYTE Revision, SubAuthorityCount;
    SID_IDENTIFIER_AUTHORITY IdentifierAuthority;
    DWORD SubAuthority[SID_MAX_SUB_AUTHORITIES];
} FSP_SID_BUF;
void fsp_sid_init(FSP_SID_BUF *s, uint64_t authority, int count, ...);
uint64_t fsp_sid_authority(PSID sid);

/* The POSIX mapping's rights (posix.c, posixacl.c): every ACE grants BASE_RIGHTS, the owner's
 * also OWNER_RIGHTS; the special bits ride on an allow ACE for the NULL SID (S-1-0-0), which no
 * caller has, as these rights. */
#define FSP_POSIX_BASE_RIGHTS (SYNCHRONIZE | READ_CONTROL | FILE_READ_ATTRIBUTES | FILE_READ_EA)
#define FSP_POSIX_OWNER_RIGHTS                                                                    \
    (DELETE | WRITE_DAC | WRITE_OWNER | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA)
#define FSP_POSIX_SPECIAL_ISVTX FILE_READ_DATA
#define FSP_POSIX_SPECIAL_ISGID FILE_WRITE_DATA
#define FSP_POSIX_SPECIAL_ISUID FILE_APPEND_DATA
/* The data rights of rwx bits (write: with FILE_DELETE_CHILD unless sticky and not the owner). */
ACCESS_MASK fsp_posix_rights_of(UINT32 rwx, bool sticky, bool owner);
/* The rwx bits data rights give. */
UINT32 fsp_posix_rwx_of(ACCESS_MASK m);

#endif
