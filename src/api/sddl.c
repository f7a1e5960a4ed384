/*
 * src/api/sddl.c - SID strings ("S-1-5-18", aliases like "SY") and SDDL
 * ("O:BAG:BAD:P(A;OICI;FA;;;SY)") to and from self-relative security descriptors.
 */
#include "api.h"
#include "secutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static const struct {
    const wchar_t *alias;
    uint64_t auth;
    int n;
    DWORD sub[2];
} sid_aliases[] = {
    {L"WD", 1, 1, {0, 0}},    {L"CO", 3, 1, {0, 0}},    {L"CG", 3, 1, {1, 0}},
    {L"OW", 3, 1, {4, 0}},    {L"NU", 5, 1, {2, 0}},    {L"IU", 5, 1, {4, 0}},
    {L"SU", 5, 1, {6, 0}},    {L"AN", 5, 1, {7, 0}},    {L"AU", 5, 1, {11, 0}},
    {L"SY", 5, 1, {18, 0}},   {L"LS", 5, 1, {19, 0}},   {L"NS", 5, 1, {20, 0}},
    {L"BA", 5, 2, {32, 544}}, {L"BU", 5, 2, {32, 545}}, {L"BG", 5, 2, {32, 546}},
};

static const struct {
    const wchar_t *name;
    ACCESS_MASK mask;
} right_names[] = {
    {L"GA", GENERIC_ALL}, {L"GR", GENERIC_READ}, {L"GW", GENERIC_WRITE}, {L"GX", GENERIC_EXECUTE},
    {L"RC", READ_CONTROL}, {L"SD", DELETE}, {L"WD", WRITE_DAC}, {L"WO", WRITE_OWNER},
    {L"FA", FILE_ALL_ACCESS}, {L"FR", FILE_GENERIC_READ}, {L"FW", FILE_GENERIC_WRITE},
    {L"FX", FILE_GENERIC_EXECUTE}, {L"CC", 0x1}, {L"DC", 0x2}, {L"LC", 0x4}, {L"SW", 0x8},
    {L"RP", 0x10}, {L"WP", 0x20}, {L"DT", 0x40}, {L"LO", 0x80}, {L"CR", 0x100},
};

static const struct {
    const wchar_t *name;
    BYTE flag;
} ace_flag_names[] = {
    {L"OI", OBJECT_INHERIT_ACE}, {L"CI", CONTAINER_INHERIT_ACE}, {L"NP", NO_PROPAGATE_INHERIT_ACE},
    {L"IO", INHERIT_ONLY_ACE},   {L"ID", INHERITED_ACE},         {L"SA", SUCCESSFUL_ACCESS_ACE_FLAG},
    {L"FA", FAILED_ACCESS_ACE_FLAG},
};

/* Parse a SID at *ps (alias or S-R-A-S...), advancing *ps. */
static NTSTATUS parse_sid(PCWSTR *ps, FSP_SID_BUF *sid)
{
    PCWSTR s = *ps;
    for (size_t i = 0; i < ARRAYSIZE(sid_aliases); i++)
        if (0 == wcsncmp(s, sid_aliases[i].alias, 2)) {
            fsp_sid_init(sid, sid_aliases[i].auth, sid_aliases[i].n, sid_aliases[i].sub[0],
                         sid_aliases[i].sub[1]);
            *ps = s + 2;
            return STATUS_SUCCESS;
        }
    if ((L'S' != s[0] && L's' != s[0]) || L'-' != s[1])
        return STATUS_INVALID_SID;
    s += 2;
    wchar_t *end;
    errno = 0;
    /* digits only (wcsto* would take blanks and signs); the authority is decimal or 0x hex */
    if (!iswdigit(s[0]))
        return STATUS_INVALID_SID;
    unsigned long rev = wcstoul(s, &end, 10);
    if (end == s || SID_REVISION != rev || L'-' != *end)
        return STATUS_INVALID_SID;
    s = end + 1;
    if (!iswdigit(s[0]))
        return STATUS_INVALID_SID;
    unsigned long long auth =
        wcstoull(s, &end, L'0' == s[0] && (L'x' == s[1] || L'X' == s[1]) ? 16 : 10);
    if (end == s || errno || auth > 0xFFFFFFFFFFFFULL)
        return STATUS_INVALID_SID;
    s = end;
    memset(sid, 0, sizeof *sid);
    fsp_sid_init(sid, auth, 0);
    int n = 0;
    while (L'-' == *s && iswdigit(s[1])) {
        if (n == SID_MAX_SUB_AUTHORITIES)
            return STATUS_INVALID_SID;
        unsigned long long v = wcstoull(s + 1, &end, 10);
        if (errno || v > 0xFFFFFFFFULL)
            return STATUS_INVALID_SID;
        sid->SubAuthority[n++] = (DWORD)v;
        s = end;
    }
    sid->SubAuthorityCount = (BYTE)n;
    *ps = s;
    return STATUS_SUCCESS;
}

static PSID copy_sid(const FSP_SID_BUF *sid)
{
    ULONG len = FspGetSidLength((PSID)sid);
    void *p = malloc(len);
    if (p)
        memcpy(p, sid, len);
    return p;
}

FSP_API NTSTATUS FspStringToSid(PCWSTR String, PSID *PSid)
{
    *PSid = 0;
    if (!String)
        return STATUS_INVALID_PARAMETER;
    FSP_SID_BUF sid;
    PCWSTR s = String;
    NTSTATUS status = parse_sid(&s, &sid);
    if (!NT_SUCCESS(status))
        return status;
    if (*s)
        return STATUS_INVALID_SID;
    *PSid = copy_sid(&sid);
    return *PSid ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* Append to a growing wide string; returns false on allocation failure. */
struct wbuf {
    PWSTR s;
    size_t len, cap;
    bool failed;
};

static void wb_add(struct wbuf *b, PCWSTR t)
{
    size_t tl = wcslen(t);
    if (b->failed)
        return;
    if (b->len + tl + 1 > b->cap) {
        size_t cap = (b->cap + tl + 1) * 2;
        PWSTR n = realloc(b->s, cap * sizeof(WCHAR));
        if (!n) {
            b->failed = true;
            return;
        }
        b->s = n, b->cap = cap;
    }
    memcpy(b->s + b->len, t, (tl + 1) * sizeof(WCHAR));
    b->len += tl;
}

static void wb_sid(struct wbuf *b, PSID psid, bool alias)
{
    const SID *sid = psid;
    uint64_t auth = fsp_sid_authority(psid);
    if (alias)
        for (size_t i = 0; i < ARRAYSIZE(sid_aliases); i++)
            if (sid_aliases[i].auth == auth && sid_aliases[i].n == sid->SubAuthorityCount &&
                sid_aliases[i].sub[0] == sid->SubAuthority[0] &&
                (1 == sid_aliases[i].n || sid_aliases[i].sub[1] == sid->SubAuthority[1])) {
                wb_add(b, sid_aliases[i].alias);
                return;
            }
    WCHAR t[32];
    swprintf(t, ARRAYSIZE(t), L"S-%u-%llu", (unsigned)sid->Revision, (unsigned long long)auth);
    wb_add(b, t);
    for (BYTE i = 0; i < sid->SubAuthorityCount; i++) {
        swprintf(t, ARRAYSIZE(t), L"-%u", (unsigned)sid->SubAuthority[i]);
        wb_add(b, t);
    }
}

FSP_API NTSTATUS FspSidToString(PSID Sid, PWSTR *PString)
{
    *PString = 0;
    if (!FspIsValidSid(Sid, SECURITY_MAX_SID_SIZE))
        return STATUS_INVALID_SID;
    struct wbuf b = {0};
    wb_sid(&b, Sid, false);
    if (b.failed) {
        free(b.s);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *PString = b.s;
    return STATUS_SUCCESS;
}

/* Parse "(type;flags;rights;;;sid)" at *ps into the ACL builder. */
static NTSTATUS parse_ace(PCWSTR *ps, struct fsp_acl_builder *b)
{
    PCWSTR s = *ps;
    if (L'(' != *s++)
        return STATUS_INVALID_PARAMETER;
    BYTE type;
    if (0 == wcsncmp(s, L"AU;", 3))
        type = SYSTEM_AUDIT_ACE_TYPE, s += 2;
    else if (0 == wcsncmp(s, L"A;", 2))
        type = ACCESS_ALLOWED_ACE_TYPE, s += 1;
    else if (0 == wcsncmp(s, L"D;", 2))
        type = ACCESS_DENIED_ACE_TYPE, s += 1;
    else
        return STATUS_INVALID_PARAMETER;
    s++; /* ';' */
    BYTE flags = 0;
    while (L';' != *s) {
        size_t i;
        for (i = 0; i < ARRAYSIZE(ace_flag_names); i++)
            if (0 == wcsncmp(s, ace_flag_names[i].name, 2))
                break;
        if (i == ARRAYSIZE(ace_flag_names))
            return STATUS_INVALID_PARAMETER;
        flags |= ace_flag_names[i].flag;
        s += 2;
    }
    s++;
    ACCESS_MASK mask = 0;
    if (L'0' == s[0] && (L'x' == s[1] || L'X' == s[1])) {
        wchar_t *end;
        errno = 0;
        unsigned long long v = wcstoull(s, &end, 16);
        if (end == s + 2 || errno || v > 0xFFFFFFFFULL)
            return STATUS_INVALID_PARAMETER;
        mask = (ACCESS_MASK)v;
        s = end;
    } else
        while (L';' != *s) {
            size_t i;
            for (i = 0; i < ARRAYSIZE(right_names); i++)
                if (0 == wcsncmp(s, right_names[i].name, 2))
                    break;
            if (i == ARRAYSIZE(right_names))
                return STATUS_INVALID_PARAMETER;
            mask |= right_names[i].mask;
            s += 2;
        }
    /* object guid and inherited object guid are not supported (must be empty) */
    if (0 != wcsncmp(s, L";;;", 3))
        return STATUS_INVALID_PARAMETER;
    s += 3;
    FSP_SID_BUF sid;
    NTSTATUS status = parse_sid(&s, &sid);
    if (!NT_SUCCESS(status))
        return status;
    if (L')' != *s++)
        return STATUS_INVALID_PARAMETER;
    status = fsp_acl_add(b, type, flags, mask, (PSID)&sid);
    *ps = s;
    return status;
}

/* Parse an ACL part "P(...)(...)" (after "D:" or "S:"). */
static NTSTATUS parse_acl(PCWSTR *ps, struct fsp_acl_builder *b, SECURITY_DESCRIPTOR_CONTROL *pc,
                          bool dacl, bool *pnull)
{
    PCWSTR s = *ps;
    *pnull = false;
    for (;;) {
        if (L'P' == *s)
            *pc |= dacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED, s++;
        else if (0 == wcsncmp(s, L"AI", 2))
            *pc |= dacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED, s += 2;
        else if (0 == wcsncmp(s, L"AR", 2))
            *pc |= dacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ, s += 2;
        else
            break;
    }
    if (0 == wcsncmp(s, L"NO_ACCESS_CONTROL", 17)) {
        *pnull = true;
        *ps = s + 17;
        return STATUS_SUCCESS;
    }
    NTSTATUS status = fsp_acl_init(b);
    while (NT_SUCCESS(status) && L'(' == *s)
        status = parse_ace(&s, b);
    *ps = s;
    return status;
}

FSP_API NTSTATUS FspSddlToSecurityDescriptor(PCWSTR Sddl, PSECURITY_DESCRIPTOR *PSecurityDescriptor,
                                             PULONG PSecurityDescriptorSize)
{
    *PSecurityDescriptor = 0;
    if (!Sddl)
        return STATUS_INVALID_PARAMETER;
    FSP_SID_BUF owner, group;
    bool has_owner = false, has_group = false, has_dacl = false, has_sacl = false;
    bool dacl_null = false, sacl_null = false;
    struct fsp_acl_builder dacl = {0}, sacl = {0};
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    NTSTATUS status = STATUS_SUCCESS;
    PCWSTR s = Sddl;
    while (NT_SUCCESS(status) && *s) {
        while (iswspace(*s))
            s++;
        if (!*s)
            break;
        if (L':' != s[1]) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        WCHAR part = s[0];
        s += 2;
        if (L'O' == part && !has_owner)
            status = parse_sid(&s, &owner), has_owner = true;
        else if (L'G' == part && !has_group)
            status = parse_sid(&s, &group), has_group = true;
        else if (L'D' == part && !has_dacl)
            status = parse_acl(&s, &dacl, &control, true, &dacl_null), has_dacl = true;
        else if (L'S' == part && !has_sacl)
            status = parse_acl(&s, &sacl, &control, false, &sacl_null), has_sacl = true;
        else
            status = STATUS_INVALID_PARAMETER;
    }
    if (NT_SUCCESS(status))
        status = fsp_sd_build(has_owner ? (PSID)&owner : 0, has_group ? (PSID)&group : 0,
                              dacl_null ? 0 : dacl.acl, has_dacl, sacl_null ? 0 : sacl.acl,
                              has_sacl, control, PSecurityDescriptor, PSecurityDescriptorSize);
    fsp_acl_free(&dacl);
    fsp_acl_free(&sacl);
    return status;
}

static void wb_acl(struct wbuf *b, PACL acl)
{
    WCHAR t[64];
    const char *p = (const char *)(acl + 1);
    for (WORD i = 0; i < acl->AceCount; i++) {
        const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)p;
        p += ace->Header.AceSize;
        const wchar_t *type = ACCESS_ALLOWED_ACE_TYPE == ace->Header.AceType  ? L"A"
                              : ACCESS_DENIED_ACE_TYPE == ace->Header.AceType ? L"D"
                              : SYSTEM_AUDIT_ACE_TYPE == ace->Header.AceType  ? L"AU"
                                                                              : 0;
        if (!type)
            continue; /* other ACE types have no SDDL form here */
        wb_add(b, L"(");
        wb_add(b, type);
        wb_add(b, L";");
        for (size_t f = 0; f < ARRAYSIZE(ace_flag_names); f++)
            if (ace->Header.AceFlags & ace_flag_names[f].flag)
                wb_add(b, ace_flag_names[f].name);
        if (FILE_ALL_ACCESS == ace->Mask)
            wb_add(b, L";FA;;;");
        else {
            swprintf(t, ARRAYSIZE(t), L";0x%x;;;", (unsigned)ace->Mask);
            wb_add(b, t);
        }
        wb_sid(b, (PSID)&ace->SidStart, true);
        wb_add(b, L")");
    }
}

FSP_API NTSTATUS FspSecurityDescriptorToSddl(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                             SECURITY_INFORMATION SecurityInformation, PWSTR *PSddl)
{
    *PSddl = 0;
    ULONG len = FspGetSecurityDescriptorLength(SecurityDescriptor);
    if (0 == len || !FspIsValidSecurityDescriptor(SecurityDescriptor, len))
        return STATUS_INVALID_SECURITY_DESCR;
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    struct wbuf b = {0};
    wb_add(&b, L"");
    PSID owner = FspSecurityDescriptorOwner(SecurityDescriptor);
    PSID group = FspSecurityDescriptorGroup(SecurityDescriptor);
    if ((SecurityInformation & OWNER_SECURITY_INFORMATION) && owner)
        wb_add(&b, L"O:"), wb_sid(&b, owner, true);
    if ((SecurityInformation & GROUP_SECURITY_INFORMATION) && group)
        wb_add(&b, L"G:"), wb_sid(&b, group, true);
    if ((SecurityInformation & DACL_SECURITY_INFORMATION) && (sd->Control & SE_DACL_PRESENT)) {
        wb_add(&b, L"D:");
        if (sd->Control & SE_DACL_PROTECTED)
            wb_add(&b, L"P");
        if (sd->Control & SE_DACL_AUTO_INHERIT_REQ)
            wb_add(&b, L"AR");
        if (sd->Control & SE_DACL_AUTO_INHERITED)
            wb_add(&b, L"AI");
        PACL dacl = FspSecurityDescriptorDacl(SecurityDescriptor);
        if (dacl)
            wb_acl(&b, dacl);
        else
            wb_add(&b, L"NO_ACCESS_CONTROL");
    }
    if ((SecurityInformation & SACL_SECURITY_INFORMATION) && (sd->Control & SE_SACL_PRESENT)) {
        wb_add(&b, L"S:");
        if (sd->Control & SE_SACL_PROTECTED)
            wb_add(&b, L"P");
        if (sd->Control & SE_SACL_AUTO_INHERIT_REQ)
            wb_add(&b, L"AR");
        if (sd->Control & SE_SACL_AUTO_INHERITED)
            wb_add(&b, L"AI");
        if (sd->Sacl)
            wb_acl(&b, (PACL)((char *)SecurityDescriptor + sd->Sacl));
        else
            wb_add(&b, L"NO_ACCESS_CONTROL");
    }
    if (b.failed) {
        free(b.s);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *PSddl = b.s;
    return STATUS_SUCCESS;
}
