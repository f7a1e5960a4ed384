/*
 * src/api/posix.c - POSIX interoperability: uid/gid <-> SID, mode <->
 * security descriptor, POSIX path <-> Windows path. See doc/posix-mapping.md.
 */
#include "api.h"
#include "secutil.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void fsp_sid_init(FSP_SID_BUF *s, uint64_t authority, int count, ...)
{
    memset(s, 0, sizeof *s);
    s->Revision = SID_REVISION;
    s->SubAuthorityCount = (BYTE)count;
    for (int i = 0; i < 6; i++)
        s->IdentifierAuthority.Value[5 - i] = (BYTE)(authority >> (8 * i));
    va_list ap;
    va_start(ap, count);
    for (int i = 0; i < count; i++)
        s->SubAuthority[i] = va_arg(ap, DWORD);
    va_end(ap);
}

uint64_t fsp_sid_authority(PSID sid)
{
    const SID *s = sid;
    uint64_t a = 0;
    for (int i = 0; i < 6; i++)
        a = a << 8 | s->IdentifierAuthority.Value[i];
    return a;
}

static PSID sid_dup(const void *sid)
{
    ULONG len = FspGetSidLength((PSID)sid);
    void *p = malloc(len);
    if (p)
        memcpy(p, sid, len);
    return p;
}

/* ---- explicit uid map (FspPosixSetUidMap) ---- */

static pthread_rwlock_t map_lock = PTHREAD_RWLOCK_INITIALIZER;
static UINT32 *map_uids;
static PSID *map_sids;
static ULONG map_count;

FSP_API NTSTATUS FspPosixSetUidMap(UINT32 Uid[], PSID Sid[], ULONG Count)
{
    UINT32 *uids = Count ? malloc(Count * sizeof *uids) : 0;
    PSID *sids = Count ? calloc(Count, sizeof *sids) : 0;
    if (Count && (!uids || !sids)) {
        free(uids), free(sids);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    for (ULONG i = 0; i < Count; i++) {
        if (!FspIsValidSid(Sid[i], SECURITY_MAX_SID_SIZE) || !(sids[i] = sid_dup(Sid[i]))) {
            for (ULONG j = 0; j < i; j++)
                free(sids[j]);
            free(uids), free(sids);
            return FspIsValidSid(Sid[i], SECURITY_MAX_SID_SIZE) ? STATUS_INSUFFICIENT_RESOURCES
                                                                : STATUS_INVALID_SID;
        }
        uids[i] = Uid[i];
    }
    pthread_rwlock_wrlock(&map_lock);
    for (ULONG i = 0; i < map_count; i++)
        free(map_sids[i]);
    free(map_uids), free(map_sids);
    map_uids = uids, map_sids = sids, map_count = Count;
    pthread_rwlock_unlock(&map_lock);
    return STATUS_SUCCESS;
}

static bool map_lookup_uid(UINT32 uid, PSID *psid)
{
    bool found = false;
    pthread_rwlock_rdlock(&map_lock);
    for (ULONG i = 0; i < map_count && !found; i++)
        if (map_uids[i] == uid) {
            *psid = sid_dup(map_sids[i]);
            found = true;
        }
    pthread_rwlock_unlock(&map_lock);
    return found;
}

static bool map_lookup_sid(PSID sid, UINT32 *puid)
{
    bool found = false;
    pthread_rwlock_rdlock(&map_lock);
    for (ULONG i = 0; i < map_count && !found; i++)
        if (FspEqualSid(map_sids[i], sid)) {
            *puid = map_uids[i];
            found = true;
        }
    pthread_rwlock_unlock(&map_lock);
    return found;
}

#define UNIX_AUTHORITY 22 /* S-1-22-1-UID "Unix User", S-1-22-2-GID "Unix Group" */

static NTSTATUS unix_sid(DWORD kind, UINT32 id, PSID *psid)
{
    FSP_SID_BUF s;
    fsp_sid_init(&s, UNIX_AUTHORITY, 2, kind, id);
    *psid = sid_dup(&s);
    return *psid ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

FSP_API NTSTATUS FspPosixMapUidToSid(UINT32 Uid, PSID *PSid)
{
    *PSid = 0;
    if (map_lookup_uid(Uid, PSid))
        return *PSid ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    return unix_sid(1, Uid, PSid);
}

FSP_API NTSTATUS FspPosixMapGidToSid(UINT32 Gid, PSID *PSid)
{
    *PSid = 0;
    if (map_lookup_uid(Gid, PSid))
        return *PSid ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    return unix_sid(2, Gid, PSid);
}

FSP_API NTSTATUS FspPosixMapSidToUid(PSID Sid, PUINT32 PUid)
{
    if (!FspIsValidSid(Sid, SECURITY_MAX_SID_SIZE))
        return STATUS_INVALID_SID;
    if (map_lookup_sid(Sid, PUid))
        return STATUS_SUCCESS;
    const SID *s = Sid;
    uint64_t auth = fsp_sid_authority(Sid);
    BYTE n = s->SubAuthorityCount;
    const DWORD *sub = s->SubAuthority;
    UINT32 uid = 65534;
    if (UNIX_AUTHORITY == auth && 2 == n && (1 == sub[0] || 2 == sub[0]))
        uid = sub[1];
    else if (5 == auth && 1 == n)
        uid = sub[0];                                  /* S-1-5-RID (SYSTEM = 18) */
    else if (5 == auth && 2 == n && 32 == sub[0])
        uid = sub[1];                                  /* S-1-5-32-RID (Administrators = 544) */
    else if (5 == auth && 2 == n && sub[1] < 0x1000)
        uid = 0x1000 * sub[0] + sub[1];                /* S-1-5-X-RID */
    else if (16 == auth && 1 == n)
        uid = 0x60000 + sub[0];                        /* mandatory labels */
    else if (auth < 0x100 && 1 == n && sub[0] < 0x100)
        uid = 0x10000 + 0x100 * (UINT32)auth + sub[0]; /* S-1-X-Y (Everyone = 0x10100) */
    *PUid = uid;
    return STATUS_SUCCESS;
}

FSP_API VOID FspDeleteSid(PSID Sid, NTSTATUS (*CreateFunc)())
{
    (void)CreateFunc;
    free(Sid);
}

/* ---- mode <-> security descriptor ---- */

#define BASE_RIGHTS FSP_POSIX_BASE_RIGHTS
#define OWNER_RIGHTS FSP_POSIX_OWNER_RIGHTS
#define SPECIAL_ISVTX FSP_POSIX_SPECIAL_ISVTX
#define SPECIAL_ISGID FSP_POSIX_SPECIAL_ISGID
#define SPECIAL_ISUID FSP_POSIX_SPECIAL_ISUID

ACCESS_MASK fsp_posix_rights_of(UINT32 rwx, bool sticky, bool owner)
{
    ACCESS_MASK m = 0;
    if (rwx & 4)
        m |= FILE_READ_DATA;
    if (rwx & 2)
        m |= FILE_WRITE_DATA | FILE_APPEND_DATA | ((!sticky || owner) ? FILE_DELETE_CHILD : 0);
    if (rwx & 1)
        m |= FILE_EXECUTE;
    return m;
}

UINT32 fsp_posix_rwx_of(ACCESS_MASK m)
{
    return ((m & FILE_READ_DATA) ? 4 : 0) | ((m & FILE_WRITE_DATA) ? 2 : 0) |
           ((m & FILE_EXECUTE) ? 1 : 0);
}

static NTSTATUS build_permissions_sd(PSID owner, PSID group, UINT32 Mode, PSECURITY_DESCRIPTOR *psd)
{
    FSP_SID_BUF everyone, nobody;
    fsp_sid_init(&everyone, 1, 1, 0);
    fsp_sid_init(&nobody, 0, 1, 0);
    bool sticky = Mode & S_ISVTX;
    UINT32 o = (Mode >> 6) & 7, g = (Mode >> 3) & 7, w = Mode & 7;
    ACCESS_MASK om = fsp_posix_rights_of(o, sticky, true);
    ACCESS_MASK gm = fsp_posix_rights_of(g, sticky, false);
    ACCESS_MASK wm = fsp_posix_rights_of(w, sticky, false);
    struct fsp_acl_builder b;
    NTSTATUS status = fsp_acl_init(&b);
    if (!NT_SUCCESS(status))
        return status;
    ACCESS_MASK special = ((Mode & S_ISUID) ? SPECIAL_ISUID : 0) |
                          ((Mode & S_ISGID) ? SPECIAL_ISGID : 0) | (sticky ? SPECIAL_ISVTX : 0);
    if (special)
        status = fsp_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0, special, &nobody);
    /* POSIX checks owner, then group, then others; Windows adds them up. Deny what a class
     * lacks but a later class has, so the sum equals the POSIX answer. */
    ACCESS_MASK odeny = fsp_posix_rights_of((g | w) & ~o, false, false);
    if (NT_SUCCESS(status) && odeny)
        status = fsp_acl_add(&b, ACCESS_DENIED_ACE_TYPE, 0, odeny, owner);
    if (NT_SUCCESS(status))
        status = fsp_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0, BASE_RIGHTS | OWNER_RIGHTS | om, owner);
    ACCESS_MASK gdeny = fsp_posix_rights_of(w & ~g, false, false);
    if (NT_SUCCESS(status) && gdeny)
        status = fsp_acl_add(&b, ACCESS_DENIED_ACE_TYPE, 0, gdeny, group);
    if (NT_SUCCESS(status))
        status = fsp_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0, BASE_RIGHTS | gm, group);
    if (NT_SUCCESS(status))
        status = fsp_acl_add(&b, ACCESS_ALLOWED_ACE_TYPE, 0, BASE_RIGHTS | wm, &everyone);
    if (NT_SUCCESS(status))
        status = fsp_sd_build(owner, group, b.acl, true, 0, false, SE_DACL_PROTECTED, psd, 0);
    fsp_acl_free(&b);
    return status;
}

FSP_API NTSTATUS FspPosixMapPermissionsToSecurityDescriptor(UINT32 Uid, UINT32 Gid, UINT32 Mode,
                                                            PSECURITY_DESCRIPTOR *PSecurityDescriptor)
{
    *PSecurityDescriptor = 0;
    PSID owner = 0, group = 0;
    NTSTATUS status = FspPosixMapUidToSid(Uid, &owner);
    if (NT_SUCCESS(status))
        status = FspPosixMapGidToSid(Gid, &group);
    if (NT_SUCCESS(status))
        status = build_permissions_sd(owner, group, Mode & 07777, PSecurityDescriptor);
    free(owner);
    free(group);
    return status;
}

FSP_API NTSTATUS FspPosixMergePermissionsToSecurityDescriptor(UINT32 Uid, UINT32 Gid, UINT32 Mode,
                                                              PSECURITY_DESCRIPTOR ExistingSecurityDescriptor,
                                                              PSECURITY_DESCRIPTOR *PSecurityDescriptor)
{
    /* As WinFsp: the existing SD's owner, group, DACL and SACL are kept; Uid and Gid only
     * supply a missing owner or group. Without an existing SD the mode defines everything. */
    PSECURITY_DESCRIPTOR fresh = 0;
    NTSTATUS status = FspPosixMapPermissionsToSecurityDescriptor(Uid, Gid, Mode, &fresh);
    if (!NT_SUCCESS(status) || !ExistingSecurityDescriptor) {
        *PSecurityDescriptor = fresh;
        return status;
    }
    SECURITY_INFORMATION keep =
        DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION |
        (FspSecurityDescriptorOwner(ExistingSecurityDescriptor) ? OWNER_SECURITY_INFORMATION : 0) |
        (FspSecurityDescriptorGroup(ExistingSecurityDescriptor) ? GROUP_SECURITY_INFORMATION : 0);
    status = FspSetSecurityDescriptor(fresh, keep, ExistingSecurityDescriptor, PSecurityDescriptor);
    free(fresh);
    return status;
}

static bool sid_is(PSID sid, uint64_t auth, DWORD sub0)
{
    const SID *s = sid;
    return 1 == s->SubAuthorityCount && auth == fsp_sid_authority(sid) && sub0 == s->SubAuthority[0];
}

FSP_API NTSTATUS FspPosixMapSecurityDescriptorToPermissions(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                            PUINT32 PUid, PUINT32 PGid,
                                                            PUINT32 PMode)
{
    ULONG len = FspGetSecurityDescriptorLength(SecurityDescriptor);
    if (0 == len || !FspIsValidSecurityDescriptor(SecurityDescriptor, len))
        return STATUS_INVALID_SECURITY_DESCR;
    PSID owner = FspSecurityDescriptorOwner(SecurityDescriptor);
    PSID group = FspSecurityDescriptorGroup(SecurityDescriptor);
    UINT32 uid = 65534, gid = 65534;
    if (owner)
        FspPosixMapSidToUid(owner, &uid);
    if (group)
        FspPosixMapSidToUid(group, &gid);
    const SECURITY_DESCRIPTOR_RELATIVE *sd = SecurityDescriptor;
    PACL dacl = FspSecurityDescriptorDacl(SecurityDescriptor);
    UINT32 mode = 0;
    if (!(sd->Control & SE_DACL_PRESENT) || !dacl)
        mode = 0777; /* a NULL DACL grants everything */
    else {
        /* Effective rights per class: ACEs apply in order, a right once denied stays denied. */
        ACCESS_MASK allow[3] = {0}, deny[3] = {0};
        const char *p = (const char *)(dacl + 1);
        for (WORD i = 0; i < dacl->AceCount; i++) {
            const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)p;
            p += ace->Header.AceSize;
            if (ace->Header.AceFlags & INHERIT_ONLY_ACE)
                continue;
            if (ACCESS_ALLOWED_ACE_TYPE != ace->Header.AceType &&
                ACCESS_DENIED_ACE_TYPE != ace->Header.AceType)
                continue;
            PSID sid = (PSID)&ace->SidStart;
            ACCESS_MASK m = fsp_map_generic(ace->Mask);
            if (sid_is(sid, 0, 0)) {
                if (ACCESS_ALLOWED_ACE_TYPE == ace->Header.AceType)
                    mode |= ((m & SPECIAL_ISUID) ? S_ISUID : 0) |
                            ((m & SPECIAL_ISGID) ? S_ISGID : 0) |
                            ((m & SPECIAL_ISVTX) ? S_ISVTX : 0);
                continue;
            }
            bool everyone = sid_is(sid, 1, 0);
            bool match[3] = {everyone || (owner && FspEqualSid(sid, owner)),
                             everyone || (group && FspEqualSid(sid, group)), everyone};
            for (int c = 0; c < 3; c++) {
                if (!match[c])
                    continue;
                if (ACCESS_ALLOWED_ACE_TYPE == ace->Header.AceType)
                    allow[c] |= m & ~deny[c];
                else
                    deny[c] |= m & ~allow[c];
            }
        }
        mode |= fsp_posix_rwx_of(allow[0]) << 6 | fsp_posix_rwx_of(allow[1]) << 3 |
                fsp_posix_rwx_of(allow[2]);
    }
    *PUid = uid;
    *PGid = gid;
    *PMode = mode;
    return STATUS_SUCCESS;
}

/* ---- paths ---- */

/* Characters a Windows name cannot hold; POSIX names carry them as U+F000 + c. */
static bool is_windows_illegal(WCHAR c)
{
    return (c >= 1 && c < 0x20) || L'"' == c || L'*' == c || L':' == c || L'<' == c ||
           L'>' == c || L'?' == c || L'\\' == c || L'|' == c;
}

/* As WinFsp: Encode turns a Windows path into its POSIX form in place, Decode the reverse. */
FSP_API VOID FspPosixEncodeWindowsPath(PWSTR WindowsPath, ULONG Size)
{
    for (ULONG i = 0; i < Size; i++) {
        WCHAR c = WindowsPath[i];
        if (L'\\' == c)
            WindowsPath[i] = L'/';
        else if (c > 0xF000 && c < 0xF080 && is_windows_illegal(c - 0xF000))
            WindowsPath[i] = c - 0xF000;
    }
}

FSP_API VOID FspPosixDecodeWindowsPath(PWSTR WindowsPath, ULONG Size)
{
    for (ULONG i = 0; i < Size; i++) {
        WCHAR c = WindowsPath[i];
        if (L'/' == c)
            WindowsPath[i] = L'\\';
        else if (is_windows_illegal(c))
            WindowsPath[i] = 0xF000 + c;
    }
}

/* Windows form of one POSIX character (Translate). */
static WCHAR posix_to_windows(WCHAR c)
{
    return is_windows_illegal(c) ? 0xF000 + c : L'/' == c ? L'\\' : c;
}

size_t fsp_posix_map_name_into(const char *name, size_t len, PWSTR out)
{
    size_t i = 0;
    for (; i < len && !(name[i] & 0x80); i++) /* ASCII: one WCHAR per byte */
        out[i] = posix_to_windows((WCHAR)name[i]);
    if (i == len) {
        out[i] = 0;
        return i;
    }
    size_t n = fsp_utf8_to_wcs_into(name, len, out);
    for (size_t i = 0; i < n; i++)
        out[i] = posix_to_windows(out[i]);
    return n;
}

FSP_API NTSTATUS FspPosixMapPosixToWindowsPathEx(const char *PosixPath, PWSTR *PWindowsPath,
                                                 BOOLEAN Translate)
{
    *PWindowsPath = 0;
    if (!PosixPath)
        return STATUS_INVALID_PARAMETER;
    PWSTR w = 0;
    size_t n = 0;
    int err = fsp_utf8_to_wcs(PosixPath, strlen(PosixPath), &w, &n);
    if (err)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 0; Translate && i < n; i++) /* as WinFsp: no Translate, no changes */
        w[i] = posix_to_windows(w[i]);
    *PWindowsPath = w;
    return STATUS_SUCCESS;
}

/* POSIX form of one Windows character (Translate). */
static WCHAR windows_to_posix(WCHAR c)
{
    if (L'\\' == c)
        return L'/';
    if (c > 0xF000 && c < 0xF080 && is_windows_illegal(c - 0xF000))
        return c - 0xF000;
    return c;
}

size_t fsp_posix_unmap_name_into(PCWSTR w, size_t n, char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        WCHAR c = windows_to_posix(w[i]);
        if (c > 0 && c < 0x80) { /* ASCII: one byte */
            out[len++] = (char)c;
            continue;
        }
        size_t got = fsp_wcs_to_utf8_into(&c, 1, out + len);
        if ((size_t)-1 == got)
            return got;
        len += got;
    }
    out[len] = '\0';
    return len;
}

FSP_API NTSTATUS FspPosixMapWindowsToPosixPathEx(PWSTR WindowsPath, char **PPosixPath,
                                                 BOOLEAN Translate)
{
    *PPosixPath = 0;
    if (!WindowsPath)
        return STATUS_INVALID_PARAMETER;
    size_t n = wcslen(WindowsPath);
    PWSTR w = malloc((n + 1) * sizeof(WCHAR));
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 0; i <= n; i++)
        w[i] = Translate ? windows_to_posix(WindowsPath[i]) : WindowsPath[i];
    char *s = 0;
    int err = fsp_wcs_to_utf8(w, n, &s, 0);
    free(w);
    if (err)
        return ENOMEM == err ? STATUS_INSUFFICIENT_RESOURCES : STATUS_OBJECT_NAME_INVALID;
    *PPosixPath = s;
    return STATUS_SUCCESS;
}

FSP_API VOID FspPosixDeletePath(void *Path)
{
    free(Path);
}
