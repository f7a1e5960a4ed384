/*
 * src/api/xattr_blobs.h - the byte formats of the xattrs the engine serves itself
 * (ops_ntxattr.c): Samba's user.DOSATTRIB and security.NTACL (NDR), POSIX ACL values.
 * Pure functions, no engine state; unit-tested in tests/unit/test-xattr-blobs.c.
 */
#ifndef LINFSP_XATTR_BLOBS_H_INCLUDED
#define LINFSP_XATTR_BLOBS_H_INCLUDED

#include <winfsp/winfsp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- user.DOSATTRIB (Samba's xattr_DOSATTRIB) ---- */

/** Bytes of the version 5 blob fsp_dosattrib_encode makes. */
#define FSP_DOSATTRIB_V5_SIZE 24

/** What a DOSATTRIB blob sets: the attributes and/or the creation time (FILETIME). */
struct fsp_dosattrib {
    bool has_attrib;
    bool has_create_time;
    uint32_t attrib;
    uint64_t create_time;
};

/**
 * The version 5 blob Samba 4.17 writes: an empty hex string, version 5, valid flags
 * ATTRIB | CREATE_TIME, the attributes and the creation time. out holds FSP_DOSATTRIB_V5_SIZE.
 */
void fsp_dosattrib_encode(uint32_t attrib, uint64_t create_time, uint8_t out[FSP_DOSATTRIB_V5_SIZE]);

/**
 * Parse any blob Samba reads: the legacy hex string ("0x27" with or without its NUL), versions
 * 1 to 5. Versions 3 to 5 set only what their valid flags name; versions 1 and 3 to 5 set the
 * creation time only when it is not 0. Returns 0, or EINVAL for a malformed blob or another
 * version.
 */
int fsp_dosattrib_decode(const void *blob, size_t size, struct fsp_dosattrib *out);

/* ---- security.NTACL (Samba's xattr_NTACL) ---- */

/**
 * A version 1 blob holding the self-relative descriptor sd (sdsize bytes): 8 header bytes, then
 * the descriptor with its owner, group, DACL and SACL offsets counted from the blob's start, as
 * Samba's NDR writes them. *pblob is malloc'ed. Returns 0 or ENOMEM.
 */
int fsp_ntacl_encode_v1(const void *sd, size_t sdsize, void **pblob, size_t *psize);

/**
 * The descriptor of a version 1, 2, 3 or 4 blob, as a malloc'ed self-relative descriptor with
 * offsets counted from its own start, checked with FspIsValidSecurityDescriptor (hashes are
 * not checked). Returns 0, EINVAL (malformed, invalid descriptor, other version) or ENOMEM.
 */
int fsp_ntacl_decode(const void *blob, size_t size, PSECURITY_DESCRIPTOR *psd, size_t *psdsize);

/* ---- system.posix_acl_access / system.posix_acl_default ---- */

/** Entry tags of the POSIX ACL xattr (version 2). */
enum {
    FSP_ACL_USER_OBJ = 0x01,
    FSP_ACL_USER = 0x02,
    FSP_ACL_GROUP_OBJ = 0x04,
    FSP_ACL_GROUP = 0x08,
    FSP_ACL_MASK = 0x10,
    FSP_ACL_OTHER = 0x20,
};
/** One POSIX ACL entry: tag, rwx bits (4, 2, 1), and the uid or gid for USER and GROUP. */
struct fsp_acl_entry {
    uint16_t tag;
    uint16_t perm;
    uint32_t id;
};
/**
 * Parse a POSIX ACL xattr value into *pentries (malloc'ed, *pcount entries) and check it as the
 * kernel does: version 2, known tags, one USER_OBJ, GROUP_OBJ and OTHER, at most one MASK and
 * one when there are USER or GROUP entries, no id twice per tag. Returns 0, EINVAL or ENOMEM.
 */
int fsp_acl_decode(const void *value, size_t size, struct fsp_acl_entry **pentries, size_t *pcount);
/** The xattr value of count entries (sorted by tag then id here); *pvalue malloc'ed. 0 or ENOMEM. */
int fsp_acl_encode(struct fsp_acl_entry *entries, size_t count, void **pvalue, size_t *psize);

#endif
