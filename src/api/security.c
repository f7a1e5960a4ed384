/*
 * src/api/security.c - self-relative security descriptors, SIDs and ACLs:
 * validation (file systems hand the engine SDs it must not trust), accessors,
 * building, merging (SetSecurity) and inheritance (new objects).
 */
#include "api.h"
#include "secutil.h"
#include <stdlib.h>
#include <string.h>

static GENERIC_MAPPING file_generic_mapping = {FILE_GENERIC_READ, FILE_GENERIC_WRITE,
                                               FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};

FSP_API PGENERIC_MAPPING FspGetFileGenericMapping(VOID)
{
    return &file_generic_mapping;
}

ACCESS_MASK fsp_map_generic(ACCESS_MASK m)
{
    if (m & GENERIC_READ)
        m |= FILE_GENERIC_READ;
    if (m & GENERIC_WRITE)
        m |= FILE_GENERIC_WRITE;
    if (m & GENERIC_EXECUTE)
        m |= FILE_GENERIC_EXECUTE;
    if (m & GENERIC_ALL)
        m |= FILE_ALL_ACCESS;
    return m & ~(ACCESS_MASK)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

FSP_API ULONG FspGetSidLength(PSID Sid)
{
    return 8 + 4 * (ULONG)((SID *)Sid)->SubAuthorityCount;
}

FSP_API BOOLEAN FspIsValidSid(PSID Sid, SIZE_T Size)
{
    if (!Sid || Size < 8)
        return FALSE;
    const SID *s = Sid;
    return SID_REVISION == s->Revision && s->SubAuthorityCount <= SID_MAX_SUB_AUTHORITIES &&
           FspGetSidLength(Sid) <= Size;
}

FSP_API BOOLEAN FspEqualSid(PSID Sid1, PSID Sid2)
{
    if (!Sid1 || !Sid2)
        return FALSE;
    ULONG l1 = FspGetSidLength(Sid1);
    return l1 == FspGetSidLength(Sid2) && 0 == memcmp(Sid1, Sid2, l1);
}

/* Check one ACL of aclsize bytes available at acl. */
static BOOLEAN valid_acl(const ACL *acl, size_t avail)
{
    if (avail < sizeof(ACL) || acl->AclSize < sizeof(ACL) || acl->AclSize > avail)
        return FALSE;
    if (ACL_REVISION != acl->AclRevision && ACL_REVISION_DS != acl->AclRevision)
        return FALSE;
    const char *p = (const char *)(acl + 1), *end = (const char *)acl + acl->AclSize;
    for (WORD i = 0; i < acl->AceCount; i++) {
        if (end - p < (ptrdiff_t)sizeof(ACE_HEADER))
            return FALSE;
        const ACE_HEADER *h = (const ACE_HEADER *)p;
        if (h->AceSize < sizeof(ACE_HEADER) || h->AceSize > end - p || (h->AceSize & 3))
            return FALSE;
        if (ACCESS_ALLOWED_ACE_TYPE == h->AceType || ACCESS_DENIED_ACE_TYPE == h->AceType ||
            SYSTEM_AUDIT_ACE_TYPE == h->AceType || SYSTEM_MANDATORY_LABEL_ACE_TYPE == h->AceType) {
            size_t sidoff = offsetof(ACCESS_ALLOWED_ACE, SidStart);
            if (h->AceSize < sidoff + 8 ||
                !FspIsValidSid((PSID)(p + sidoff), h->AceSize - sidoff))
                return FALSE;
        }
        p += h->AceSize;
    }
    return TRUE;
}

FSP_API BOOLEAN FspIsValidSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor, SIZE_T Size)
{
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    if (!sd || Size < sizeof *sd || SECURITY_DESCRIPTOR_REVISION != sd->Revision ||
        !(sd->Control & SE_SELF_RELATIVE))
        return FALSE;
    const char *base = SecurityDescriptor;
    /* As Windows: every part starts after the header, 4-byte aligned (SIDs hold DWORDs). */
#define BAD_OFFSET(off) ((off) < sizeof *sd || (off) >= Size || ((off) & 3))
    if (sd->Owner && (BAD_OFFSET(sd->Owner) || !FspIsValidSid((PSID)(base + sd->Owner), Size - sd->Owner)))
        return FALSE;
    if (sd->Group && (BAD_OFFSET(sd->Group) || !FspIsValidSid((PSID)(base + sd->Group), Size - sd->Group)))
        return FALSE;
    if ((sd->Control & SE_DACL_PRESENT) && sd->Dacl &&
        (BAD_OFFSET(sd->Dacl) || !valid_acl((const ACL *)(base + sd->Dacl), Size - sd->Dacl)))
        return FALSE;
    if ((sd->Control & SE_SACL_PRESENT) && sd->Sacl &&
        (BAD_OFFSET(sd->Sacl) || !valid_acl((const ACL *)(base + sd->Sacl), Size - sd->Sacl)))
        return FALSE;
#undef BAD_OFFSET
    return TRUE;
}

FSP_API ULONG FspGetSecurityDescriptorLength(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    if (!sd || SECURITY_DESCRIPTOR_REVISION != sd->Revision || !(sd->Control & SE_SELF_RELATIVE))
        return 0;
    const char *base = SecurityDescriptor;
    ULONG end = sizeof *sd;
#define UPTO(off, len) do { ULONG e_ = (ULONG)(off) + (ULONG)(len); if (e_ > end) end = e_; } while (0)
    if (sd->Owner)
        UPTO(sd->Owner, FspGetSidLength((PSID)(base + sd->Owner)));
    if (sd->Group)
        UPTO(sd->Group, FspGetSidLength((PSID)(base + sd->Group)));
    if ((sd->Control & SE_DACL_PRESENT) && sd->Dacl)
        UPTO(sd->Dacl, ((const ACL *)(base + sd->Dacl))->AclSize);
    if ((sd->Control & SE_SACL_PRESENT) && sd->Sacl)
        UPTO(sd->Sacl, ((const ACL *)(base + sd->Sacl))->AclSize);
#undef UPTO
    return end;
}

FSP_API PSID FspSecurityDescriptorOwner(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    return sd && sd->Owner ? (PSID)((char *)SecurityDescriptor + sd->Owner) : 0;
}

FSP_API PSID FspSecurityDescriptorGroup(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    return sd && sd->Group ? (PSID)((char *)SecurityDescriptor + sd->Group) : 0;
}

FSP_API PACL FspSecurityDescriptorDacl(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    return sd && (sd->Control & SE_DACL_PRESENT) && sd->Dacl
               ? (PACL)((char *)SecurityDescriptor + sd->Dacl)
               : 0;
}

static PACL sd_sacl(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    return sd && (sd->Control & SE_SACL_PRESENT) && sd->Sacl
               ? (PACL)((char *)SecurityDescriptor + sd->Sacl)
               : 0;
}

NTSTATUS fsp_sd_build(PSID owner, PSID group, PACL dacl, bool dacl_present, PACL sacl,
                      bool sacl_present, SECURITY_DESCRIPTOR_CONTROL extra_control,
                      PSECURITY_DESCRIPTOR *psd, ULONG *psize)
{
    ULONG ol = owner ? FspGetSidLength(owner) : 0, gl = group ? FspGetSidLength(group) : 0;
    ULONG dl = dacl ? dacl->AclSize : 0, sl = sacl ? sacl->AclSize : 0;
    ULONG size = sizeof(SECURITY_DESCRIPTOR_RELATIVE) + ol + gl + dl + sl;
    char *buf = calloc(1, size);
    if (!buf)
        return STATUS_INSUFFICIENT_RESOURCES;
    SECURITY_DESCRIPTOR_RELATIVE *sd = (SECURITY_DESCRIPTOR_RELATIVE *)buf;
    sd->Revision = SECURITY_DESCRIPTOR_REVISION;
    sd->Control = SE_SELF_RELATIVE |
                  (extra_control & (SE_DACL_PROTECTED | SE_SACL_PROTECTED | SE_DACL_AUTO_INHERITED |
                                    SE_SACL_AUTO_INHERITED | SE_DACL_AUTO_INHERIT_REQ |
                                    SE_SACL_AUTO_INHERIT_REQ));
    ULONG off = sizeof *sd;
    /* ACLs first: they need 4-byte alignment, which the header size (20) gives. */
    if (sacl_present) {
        sd->Control |= SE_SACL_PRESENT;
        if (sacl) {
            memcpy(buf + off, sacl, sl);
            sd->Sacl = off;
            off += sl;
        }
    }
    if (dacl_present) {
        sd->Control |= SE_DACL_PRESENT;
        if (dacl) {
            memcpy(buf + off, dacl, dl);
            sd->Dacl = off;
            off += dl;
        }
    }
    if (owner) {
        memcpy(buf + off, owner, ol);
        sd->Owner = off;
        off += ol;
    }
    if (group) {
        memcpy(buf + off, group, gl);
        sd->Group = off;
        off += gl;
    }
    *psd = buf;
    if (psize)
        *psize = off;
    return STATUS_SUCCESS;
}

/* ---- ACL builder ---- */

NTSTATUS fsp_acl_init(struct fsp_acl_builder *b)
{
    b->cap = 256;
    b->acl = calloc(1, b->cap);
    if (!b->acl)
        return STATUS_INSUFFICIENT_RESOURCES;
    b->acl->AclRevision = ACL_REVISION;
    b->acl->AclSize = sizeof(ACL);
    return STATUS_SUCCESS;
}

NTSTATUS fsp_acl_add(struct fsp_acl_builder *b, BYTE type, BYTE flags, ACCESS_MASK mask, PSID sid)
{
    ULONG sl = FspGetSidLength(sid);
    ULONG size = (ULONG)offsetof(ACCESS_ALLOWED_ACE, SidStart) + sl;
    size = (size + 3) & ~3u;
    if (b->acl->AclSize + size > 0xffff)
        return STATUS_INVALID_PARAMETER;
    if (b->acl->AclSize + size > b->cap) {
        size_t cap = b->cap * 2 + size;
        ACL *n = realloc(b->acl, cap);
        if (!n)
            return STATUS_INSUFFICIENT_RESOURCES;
        memset((char *)n + b->cap, 0, cap - b->cap);
        b->acl = n, b->cap = cap;
    }
    ACCESS_ALLOWED_ACE *ace = (ACCESS_ALLOWED_ACE *)((char *)b->acl + b->acl->AclSize);
    ace->Header.AceType = type;
    ace->Header.AceFlags = flags;
    ace->Header.AceSize = (WORD)size;
    ace->Mask = mask;
    memcpy(&ace->SidStart, sid, sl);
    b->acl->AclSize = (WORD)(b->acl->AclSize + size);
    b->acl->AceCount++;
    return STATUS_SUCCESS;
}

NTSTATUS fsp_acl_add_raw(struct fsp_acl_builder *b, const ACE_HEADER *ace, BYTE flags)
{
    if (b->acl->AclSize + ace->AceSize > 0xffff)
        return STATUS_INVALID_PARAMETER;
    if (b->acl->AclSize + ace->AceSize > b->cap) {
        size_t cap = b->cap * 2 + ace->AceSize;
        ACL *n = realloc(b->acl, cap);
        if (!n)
            return STATUS_INSUFFICIENT_RESOURCES;
        b->acl = n, b->cap = cap;
    }
    ACE_HEADER *dst = (ACE_HEADER *)((char *)b->acl + b->acl->AclSize);
    memcpy(dst, ace, ace->AceSize);
    dst->AceFlags = flags;
    b->acl->AclSize = (WORD)(b->acl->AclSize + ace->AceSize);
    b->acl->AceCount++;
    return STATUS_SUCCESS;
}

void fsp_acl_free(struct fsp_acl_builder *b)
{
    free(b->acl);
    b->acl = 0;
}

/* ---- SetSecurity and inheritance ---- */

FSP_API NTSTATUS FspSetSecurityDescriptor(PSECURITY_DESCRIPTOR InputDescriptor,
                                          SECURITY_INFORMATION SecurityInformation,
                                          PSECURITY_DESCRIPTOR ModificationDescriptor,
                                          PSECURITY_DESCRIPTOR *PSecurityDescriptor)
{
    *PSecurityDescriptor = 0;
    if (!InputDescriptor || !ModificationDescriptor)
        return STATUS_INVALID_PARAMETER;
    const SECURITY_DESCRIPTOR_RELATIVE *in = InputDescriptor, *mod = ModificationDescriptor;
    bool o = SecurityInformation & OWNER_SECURITY_INFORMATION;
    bool g = SecurityInformation & GROUP_SECURITY_INFORMATION;
    bool d = SecurityInformation & DACL_SECURITY_INFORMATION;
    bool s = SecurityInformation & SACL_SECURITY_INFORMATION;
    PSID owner = o ? FspSecurityDescriptorOwner(ModificationDescriptor)
                   : FspSecurityDescriptorOwner(InputDescriptor);
    PSID group = g ? FspSecurityDescriptorGroup(ModificationDescriptor)
                   : FspSecurityDescriptorGroup(InputDescriptor);
    const SECURITY_DESCRIPTOR_RELATIVE *dsrc = d ? mod : in, *ssrc = s ? mod : in;
    PACL dacl = FspSecurityDescriptorDacl((PSECURITY_DESCRIPTOR)dsrc);
    PACL sacl = sd_sacl((PSECURITY_DESCRIPTOR)ssrc);
    SECURITY_DESCRIPTOR_CONTROL control =
        (dsrc->Control & (SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED)) |
        (ssrc->Control & (SE_SACL_PROTECTED | SE_SACL_AUTO_INHERITED));
    if (SecurityInformation & PROTECTED_DACL_SECURITY_INFORMATION)
        control |= SE_DACL_PROTECTED;
    if (SecurityInformation & UNPROTECTED_DACL_SECURITY_INFORMATION)
        control &= ~SE_DACL_PROTECTED;
    return fsp_sd_build(owner, group, dacl, dsrc->Control & SE_DACL_PRESENT, sacl,
                        ssrc->Control & SE_SACL_PRESENT, control, PSecurityDescriptor, 0);
}

FSP_API VOID FspDeleteSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                         NTSTATUS (*CreateFunc)())
{
    (void)CreateFunc; /* every LinFsp security descriptor comes from malloc */
    free(SecurityDescriptor);
}

/* Inheritable ACEs of the parent's ACL for a new file or directory. */
static NTSTATUS inherit_acl(PACL parent, bool is_dir, PSID owner, PSID group,
                            struct fsp_acl_builder *b, bool *pany)
{
    *pany = false;
    if (!parent)
        return STATUS_SUCCESS;
    const char *p = (const char *)(parent + 1);
    for (WORD i = 0; i < parent->AceCount; i++) {
        const ACE_HEADER *h = (const ACE_HEADER *)p;
        p += h->AceSize;
        BYTE f = h->AceFlags;
        BYTE nf;
        if (!is_dir) {
            if (!(f & OBJECT_INHERIT_ACE))
                continue;
            nf = INHERITED_ACE;
        } else {
            if (!(f & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)))
                continue;
            if (f & CONTAINER_INHERIT_ACE)
                nf = (f & NO_PROPAGATE_INHERIT_ACE) ? INHERITED_ACE
                                                    : (BYTE)((f & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)) | INHERITED_ACE);
            else if (f & NO_PROPAGATE_INHERIT_ACE)
                continue;
            else
                nf = OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE | INHERITED_ACE;
        }
        /* As Windows: CREATOR OWNER / CREATOR GROUP (S-1-3-0 / S-1-3-1) take effect as the new
         * object's owner / group; the creator ACE itself is kept only to be inherited further. */
        const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)h;
        PSID creator = 0;
        if ((ACCESS_ALLOWED_ACE_TYPE == h->AceType || ACCESS_DENIED_ACE_TYPE == h->AceType) &&
            h->AceSize >= offsetof(ACCESS_ALLOWED_ACE, SidStart) + 12) {
            const SID *s = (const SID *)&ace->SidStart;
            if (1 == s->SubAuthorityCount && 3 == fsp_sid_authority((PSID)s) && s->SubAuthority[0] <= 1)
                creator = 0 == s->SubAuthority[0] ? owner : group;
        }
        NTSTATUS status;
        if (creator && !(nf & INHERIT_ONLY_ACE)) {
            status = fsp_acl_add(b, h->AceType, INHERITED_ACE, fsp_map_generic(ace->Mask), creator);
            if (NT_SUCCESS(status) && (nf & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)))
                status = fsp_acl_add_raw(b, h, (BYTE)(nf | INHERIT_ONLY_ACE));
        } else
            status = fsp_acl_add_raw(b, h, nf);
        if (!NT_SUCCESS(status))
            return status;
        *pany = true;
    }
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspCreateSecurityDescriptor(FSP_FILE_SYSTEM *FileSystem,
                                             FSP_FSCTL_TRANSACT_REQ *Request,
                                             PSECURITY_DESCRIPTOR ParentDescriptor,
                                             PSECURITY_DESCRIPTOR *PSecurityDescriptor)
{
    (void)FileSystem;
    *PSecurityDescriptor = 0;
    if (!Request)
        return STATUS_INVALID_PARAMETER;
    bool is_dir = FspFsctlTransactCreateKind == Request->Kind &&
                  (Request->Req.Create.CreateOptions & FILE_DIRECTORY_FILE);
    PSID owner = 0, group = 0;
    NTSTATUS status = FspPosixMapUidToSid(Request->CallerUid, &owner);
    if (NT_SUCCESS(status))
        status = FspPosixMapGidToSid(Request->CallerGid, &group);
    struct fsp_acl_builder b = {0};
    bool any = false;
    if (NT_SUCCESS(status))
        status = fsp_acl_init(&b);
    if (NT_SUCCESS(status))
        status = inherit_acl(FspSecurityDescriptorDacl(ParentDescriptor), is_dir, owner, group, &b, &any);
    if (NT_SUCCESS(status)) {
        if (any)
            status = fsp_sd_build(owner, group, b.acl, true, 0, false, SE_DACL_AUTO_INHERITED,
                                  PSecurityDescriptor, 0);
        else
            status = FspPosixMapPermissionsToSecurityDescriptor(Request->CallerUid,
                                                                Request->CallerGid,
                                                                is_dir ? 0755 : 0644,
                                                                PSecurityDescriptor);
    }
    fsp_acl_free(&b);
    free(owner);
    free(group);
    return status;
}

FSP_API NTSTATUS FspSecurityDescriptorAddAccessAllowedAce(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                          ACCESS_MASK AccessMask, PSID Sid,
                                                          PSECURITY_DESCRIPTOR *PSecurityDescriptor)
{
    *PSecurityDescriptor = 0;
    ULONG len = FspGetSecurityDescriptorLength(SecurityDescriptor);
    if (0 == len || !FspIsValidSecurityDescriptor(SecurityDescriptor, len) ||
        !FspIsValidSid(Sid, SECURITY_MAX_SID_SIZE))
        return STATUS_INVALID_PARAMETER;
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    PACL dacl = FspSecurityDescriptorDacl(SecurityDescriptor);
    struct fsp_acl_builder b = {0};
    NTSTATUS status = STATUS_SUCCESS;
    /* A descriptor without a DACL grants everyone everything: an allow ACE adds nothing to it
     * (and would take rights away from everyone else), so it is copied unchanged. */
    if (dacl) {
        status = fsp_acl_init(&b);
        const char *p = (const char *)(dacl + 1);
        for (WORD i = 0; NT_SUCCESS(status) && i < dacl->AceCount; i++) {
            const ACE_HEADER *h = (const ACE_HEADER *)p;
            p += h->AceSize;
            status = fsp_acl_add_raw(&b, h, h->AceFlags);
        }
        if (NT_SUCCESS(status))
            status = fsp_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0, AccessMask, Sid);
    }
    if (NT_SUCCESS(status))
        status = fsp_sd_build(FspSecurityDescriptorOwner(SecurityDescriptor),
                              FspSecurityDescriptorGroup(SecurityDescriptor),
                              dacl ? b.acl : 0, sd->Control & SE_DACL_PRESENT,
                              sd_sacl(SecurityDescriptor), sd->Control & SE_SACL_PRESENT,
                              sd->Control, PSecurityDescriptor, 0);
    fsp_acl_free(&b);
    return status;
}
