/*
 * src/api/access.c - access tokens and access checks (LinFsp extensions): the SIDs a Linux
 * caller is known by (its uid, gid and groups through the POSIX mapping, plus the well-known
 * SIDs every caller or root has), and Windows' DACL evaluation of a security descriptor for
 * such a token. The launcher checks every request with them (doc/launcher.md).
 */
#include "api.h"
#include "secutil.h"
#include <stdlib.h>
#include <string.h>

struct _FSP_ACCESS_TOKEN {
    ULONG Count, Capacity;
    PSID *Sids; /* Sids[0] is the user */
};

FSP_API BOOLEAN FspAccessTokenHasSid(FSP_ACCESS_TOKEN *Token, PSID Sid)
{
    if (!Token || !Sid)
        return FALSE;
    for (ULONG i = 0; i < Token->Count; i++)
        if (FspEqualSid(Token->Sids[i], Sid))
            return TRUE;
    return FALSE;
}

FSP_API NTSTATUS FspAccessTokenAddSid(FSP_ACCESS_TOKEN *Token, PSID Sid)
{
    if (!Token || !FspIsValidSid(Sid, SECURITY_MAX_SID_SIZE))
        return STATUS_INVALID_PARAMETER;
    if (FspAccessTokenHasSid(Token, Sid))
        return STATUS_SUCCESS;
    if (Token->Count == Token->Capacity) {
        ULONG cap = Token->Capacity ? Token->Capacity * 2 : 16;
        PSID *n = realloc(Token->Sids, cap * sizeof *n);
        if (!n)
            return STATUS_INSUFFICIENT_RESOURCES;
        Token->Sids = n, Token->Capacity = cap;
    }
    ULONG len = FspGetSidLength(Sid);
    PSID copy = malloc(len);
    if (!copy)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(copy, Sid, len);
    Token->Sids[Token->Count++] = copy;
    return STATUS_SUCCESS;
}

FSP_API VOID FspDeleteAccessToken(FSP_ACCESS_TOKEN *Token)
{
    if (!Token)
        return;
    for (ULONG i = 0; i < Token->Count; i++)
        free(Token->Sids[i]);
    free(Token->Sids);
    free(Token);
}

FSP_API PSID FspAccessTokenUserSid(FSP_ACCESS_TOKEN *Token)
{
    return Token && Token->Count ? Token->Sids[0] : 0;
}

FSP_API ULONG FspAccessTokenSidCount(FSP_ACCESS_TOKEN *Token)
{
    return Token ? Token->Count : 0;
}

FSP_API PSID FspAccessTokenSid(FSP_ACCESS_TOKEN *Token, ULONG Index)
{
    return Token && Index < Token->Count ? Token->Sids[Index] : 0;
}

static NTSTATUS add_mapped(FSP_ACCESS_TOKEN *t, NTSTATUS (*map)(UINT32, PSID *), UINT32 id)
{
    PSID sid = 0;
    NTSTATUS status = map(id, &sid);
    if (NT_SUCCESS(status))
        status = FspAccessTokenAddSid(t, sid);
    free(sid);
    return status;
}

static NTSTATUS add_well_known(FSP_ACCESS_TOKEN *t, uint64_t authority, int count, DWORD a, DWORD b)
{
    FSP_SID_BUF s;
    fsp_sid_init(&s, authority, count, a, b);
    return FspAccessTokenAddSid(t, (PSID)&s);
}

FSP_API NTSTATUS FspPosixCreateAccessToken(UINT32 Uid, UINT32 Gid, const UINT32 *Groups,
                                           ULONG GroupCount, FSP_ACCESS_TOKEN **PToken)
{
    *PToken = 0;
    if (GroupCount && !Groups)
        return STATUS_INVALID_PARAMETER;
    FSP_ACCESS_TOKEN *t = calloc(1, sizeof *t);
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* The user first (FspAccessTokenUserSid), then its groups, then the well-known SIDs. */
    NTSTATUS status = add_mapped(t, FspPosixMapUidToSid, Uid);
    if (NT_SUCCESS(status))
        status = add_mapped(t, FspPosixMapGidToSid, Gid);
    for (ULONG i = 0; NT_SUCCESS(status) && i < GroupCount; i++)
        status = add_mapped(t, FspPosixMapGidToSid, Groups[i]);
    if (NT_SUCCESS(status))
        status = add_well_known(t, 1, 1, 0, 0);           /* Everyone (WD) */
    if (NT_SUCCESS(status))
        status = add_well_known(t, 5, 1, 11, 0);          /* Authenticated Users (AU) */
    if (NT_SUCCESS(status) && 0 == Uid) {
        status = add_well_known(t, 5, 1, 18, 0);          /* LocalSystem (SY) */
        if (NT_SUCCESS(status))
            status = add_well_known(t, 5, 2, 32, 544);    /* Administrators (BA) */
    }
    if (!NT_SUCCESS(status)) {
        FspDeleteAccessToken(t);
        return status;
    }
    *PToken = t;
    return STATUS_SUCCESS;
}

static ACCESS_MASK map_generic(ACCESS_MASK m, const GENERIC_MAPPING *g)
{
    if (m & GENERIC_READ)
        m |= g->GenericRead;
    if (m & GENERIC_WRITE)
        m |= g->GenericWrite;
    if (m & GENERIC_EXECUTE)
        m |= g->GenericExecute;
    if (m & GENERIC_ALL)
        m |= g->GenericAll;
    return m & ~(ACCESS_MASK)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

/* S-1-3-4 (OWNER RIGHTS): when present in a DACL it replaces the owner's implicit rights. */
static bool is_owner_rights(PSID sid)
{
    const SID *s = sid;
    return 1 == s->SubAuthorityCount && 3 == fsp_sid_authority(sid) && 4 == s->SubAuthority[0];
}

FSP_API NTSTATUS FspAccessCheckToken(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                     FSP_ACCESS_TOKEN *Token, ACCESS_MASK DesiredAccess,
                                     PGENERIC_MAPPING GenericMapping, PACCESS_MASK PGrantedAccess)
{
    if (PGrantedAccess)
        *PGrantedAccess = 0;
    ULONG sdlen = FspGetSecurityDescriptorLength(SecurityDescriptor);
    if (!Token || !GenericMapping || 0 == sdlen ||
        !FspIsValidSecurityDescriptor(SecurityDescriptor, sdlen))
        return STATUS_INVALID_PARAMETER;
    const GENERIC_MAPPING *g = GenericMapping;
    ACCESS_MASK all = map_generic(g->GenericAll, g) | STANDARD_RIGHTS_ALL;
    bool maximum = DesiredAccess & MAXIMUM_ALLOWED;
    ACCESS_MASK desired = map_generic(DesiredAccess & ~(ACCESS_MASK)MAXIMUM_ALLOWED, g);
    /* Reading or writing the SACL needs a privilege no LinFsp token holds. */
    if (desired & ACCESS_SYSTEM_SECURITY)
        return STATUS_PRIVILEGE_NOT_HELD;
    if (0 == desired && !maximum)
        return STATUS_ACCESS_DENIED;

    PACL dacl = FspSecurityDescriptorDacl(SecurityDescriptor);
    ACCESS_MASK granted = 0, denied = 0;
    if (!dacl)
        granted = all; /* no DACL (or a NULL DACL): everyone has every right */
    else {
        PSID owner = FspSecurityDescriptorOwner(SecurityDescriptor);
        bool is_owner = owner && FspAccessTokenHasSid(Token, owner);
        bool owner_rights_ace = false;
        const char *p = (const char *)(dacl + 1);
        for (WORD i = 0; i < dacl->AceCount; i++) {
            const ACE_HEADER *h = (const ACE_HEADER *)p;
            p += h->AceSize;
            if ((ACCESS_ALLOWED_ACE_TYPE == h->AceType || ACCESS_DENIED_ACE_TYPE == h->AceType) &&
                is_owner_rights((PSID)&((const ACCESS_ALLOWED_ACE *)h)->SidStart))
                owner_rights_ace = true;
        }
        /* As Windows: the owner may always read and change the DACL, unless OWNER RIGHTS ACEs
         * say otherwise. */
        if (is_owner && !owner_rights_ace)
            granted = READ_CONTROL | WRITE_DAC;
        p = (const char *)(dacl + 1);
        for (WORD i = 0; i < dacl->AceCount; i++) {
            const ACE_HEADER *h = (const ACE_HEADER *)p;
            p += h->AceSize;
            if (h->AceFlags & INHERIT_ONLY_ACE)
                continue;
            if (ACCESS_ALLOWED_ACE_TYPE != h->AceType && ACCESS_DENIED_ACE_TYPE != h->AceType)
                continue;
            const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)h;
            PSID sid = (PSID)&ace->SidStart;
            bool applies = is_owner_rights(sid) ? is_owner : FspAccessTokenHasSid(Token, sid);
            if (!applies)
                continue;
            /* The first ACE that decides a right wins: a right allowed earlier cannot be
             * denied later, and the other way round. */
            ACCESS_MASK m = map_generic(ace->Mask, g);
            if (ACCESS_DENIED_ACE_TYPE == h->AceType)
                denied |= m & ~granted;
            else
                granted |= m & ~denied;
        }
    }
    if (maximum) {
        if ((desired & ~granted) || (0 == desired && 0 == granted))
            return STATUS_ACCESS_DENIED;
        if (PGrantedAccess)
            *PGrantedAccess = granted;
        return STATUS_SUCCESS;
    }
    if (desired & ~granted)
        return STATUS_ACCESS_DENIED;
    if (PGrantedAccess)
        *PGrantedAccess = desired;
    return STATUS_SUCCESS;
}
