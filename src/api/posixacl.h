/*
 * src/api/posixacl.h - POSIX ACLs <-> security descriptors (not installed; used by the engine
 * when FUSE_POSIX_ACL is negotiated). See doc/posix-mapping.md, "POSIX ACLs".
 *
 * A descriptor's DACL shows as two POSIX ACLs:
 * - the access ACL, from the ACEs that apply to the file itself (not INHERIT_ONLY_ACE):
 *   USER_OBJ from the owner's ACEs, GROUP_OBJ from the group's, OTHER from Everyone's, a USER
 *   or GROUP entry for every other SID that the uid/gid mapping turns into an id and back into
 *   the same SID (S-1-22-1-N, S-1-22-2-N, FspPosixSetUidMap's SIDs), and a MASK when there are
 *   such entries. Each entry has what Windows would grant that SID (its ACEs and Everyone's,
 *   in order); the set-ID and sticky bits ride on the NULL SID's allow ACE as in the mode
 *   mapping.
 * - the default ACL (directories), from the ACEs inherited by both files and directories
 *   (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, without NO_PROPAGATE_INHERIT_ACE), with
 *   CREATOR OWNER as USER_OBJ and CREATOR GROUP as GROUP_OBJ.
 * Every other ACE (other SIDs, other ACE types, other inheritance flags) has no POSIX form and
 * is kept as it is when ACLs are rebuilt: denying ACEs first, the others last.
 */
#ifndef LINFSP_POSIXACL_H_INCLUDED
#define LINFSP_POSIXACL_H_INCLUDED

#include "xattr_blobs.h"

/** The POSIX view of a descriptor. */
struct fsp_posix_acls {
    uint32_t uid, gid;            /* owner and group ids */
    uint32_t special;             /* S_ISUID | S_ISGID | S_ISVTX */
    struct fsp_acl_entry *acc;    /* access ACL: USER_OBJ, GROUP_OBJ, OTHER, [named, MASK] */
    size_t nacc;
    struct fsp_acl_entry *def;    /* default ACL, or NULL (ndef 0) when nothing is inherited */
    size_t ndef;
};

/** Read a valid self-relative descriptor's POSIX view (arrays malloc'ed). STATUS_SUCCESS or ... */
NTSTATUS fsp_posix_acls_from_sd(PSECURITY_DESCRIPTOR sd, struct fsp_posix_acls *out);
void fsp_posix_acls_free(struct fsp_posix_acls *a);

/**
 * The descriptor (owner, group, DACL) for a POSIX view: its ACEs made as the mode mapping makes
 * them, plus cur's ACEs that have no POSIX form. Owner and group keep cur's SIDs when those map
 * to uid and gid. control gives SE_DACL_PROTECTED / SE_DACL_AUTO_INHERITED. A view with only
 * the three base entries, no default ACL and no such ACEs gives exactly what
 * FspPosixMapPermissionsToSecurityDescriptor gives.
 */
NTSTATUS fsp_posix_acls_to_sd(const struct fsp_posix_acls *a, PSECURITY_DESCRIPTOR cur,
                              SECURITY_DESCRIPTOR_CONTROL control, PSECURITY_DESCRIPTOR *pnew);

/** The mode (permission bits; group bits = MASK when there is one) of a view. */
uint32_t fsp_posix_acls_mode(const struct fsp_posix_acls *a);

/** Give a view the mode's bits as chmod(2) does (with a MASK, the group bits go to it). */
void fsp_posix_acls_chmod(struct fsp_posix_acls *a, uint32_t mode);

/**
 * uid, gid and mode of a descriptor with the POSIX ACL rule for the group bits; the same as
 * FspPosixMapSecurityDescriptorToPermissions for a DACL without ACEs for other ids.
 */
NTSTATUS fsp_posix_mode_of_sd(PSECURITY_DESCRIPTOR sd, uint32_t *puid, uint32_t *pgid, uint32_t *pmode);

/** Does the DACL hold ACEs new files or directories (is_dir) inherit? */
bool fsp_sd_has_inheritable(PSECURITY_DESCRIPTOR sd, bool is_dir);

#endif
