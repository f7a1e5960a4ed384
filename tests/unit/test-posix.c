/*
 * tests/unit/test-posix.c - the POSIX interoperability helpers of the native
 * API: uid/gid <-> SID, mode <-> security descriptor, POSIX <-> Windows paths
 * and Unix time <-> FILETIME. Public API only: this file is also linked into
 * fsp-tests against the shared library.
 */
#include <winfsp/winfsp.h>
#include "tlib.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

void posix_tests(void);

/* ---- helpers ---- */

static uint64_t posix_rng = 0x9E3779B97F4A7C15ULL;
static uint32_t posix_rand(void)
{
    posix_rng ^= posix_rng << 13;
    posix_rng ^= posix_rng >> 7;
    posix_rng ^= posix_rng << 17;
    return (uint32_t)(posix_rng >> 16);
}

/* The SID's string form equals want (S-1-... syntax). */
static int sid_is_string(PSID Sid, const wchar_t *want)
{
    PWSTR s = 0;
    if (!NT_SUCCESS(FspSidToString(Sid, &s)))
        return 0;
    int eq = 0 == wcscmp(s, want);
    if (!eq)
        fprintf(stderr, "    SID %ls, expected %ls\n", s, want);
    free(s);
    return eq;
}

static PSID sid_from(const wchar_t *str)
{
    PSID sid = 0;
    if (!NT_SUCCESS(FspStringToSid(str, &sid)))
        return 0;
    return sid;
}

/*
 * Windows access evaluation of a DACL for a principal holding the SIDs in
 * sids[]: ACEs in order; an allow grants what was not denied before, a deny
 * denies what was not granted before. No DACL grants everything.
 */
static ACCESS_MASK effective_access(PSECURITY_DESCRIPTOR sd, PSID *sids, int nsids)
{
    PACL dacl = FspSecurityDescriptorDacl(sd);
    if (!dacl)
        return 0xFFFFFFFF;
    ACCESS_MASK granted = 0, denied = 0;
    const char *p = (const char *)(dacl + 1);
    for (WORD i = 0; i < dacl->AceCount; i++) {
        const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)p;
        p += ace->Header.AceSize;
        if (ace->Header.AceFlags & INHERIT_ONLY_ACE)
            continue;
        int match = 0;
        for (int j = 0; j < nsids && !match; j++)
            match = FspEqualSid((PSID)&ace->SidStart, sids[j]);
        if (!match)
            continue;
        if (ACCESS_ALLOWED_ACE_TYPE == ace->Header.AceType)
            granted |= ace->Mask & ~denied;
        else if (ACCESS_DENIED_ACE_TYPE == ace->Header.AceType)
            denied |= ace->Mask & ~granted;
    }
    return granted;
}

static UINT32 rwx_from_access(ACCESS_MASK m)
{
    return ((m & FILE_READ_DATA) ? 4 : 0) | ((m & FILE_WRITE_DATA) ? 2 : 0) |
           ((m & FILE_EXECUTE) ? 1 : 0);
}

/* ---- uid/gid <-> SID ---- */

static void posix_uid_sid_roundtrip_test(void)
{
    static const UINT32 ids[] = {0, 1, 18, 544, 1000, 65533, 65534, 65535, 100000,
                                 4000000000u, 0xFFFFFFFEu};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        wchar_t want[64];
        PSID sid = 0;
        UINT32 id = 12345;

        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapUidToSid(ids[i], &sid));
        ASSERT(0 != sid);
        ASSERT(FspIsValidSid(sid, FspGetSidLength(sid)));
        swprintf(want, 64, L"S-1-22-1-%u", ids[i]);
        ASSERT(sid_is_string(sid, want));
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapSidToUid(sid, &id));
        ASSERT_EQ(ids[i], id);
        FspDeleteSid(sid, (NTSTATUS(*)())FspPosixMapUidToSid);

        sid = 0, id = 12345;
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapGidToSid(ids[i], &sid));
        ASSERT(0 != sid);
        swprintf(want, 64, L"S-1-22-2-%u", ids[i]);
        ASSERT(sid_is_string(sid, want));
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapSidToUid(sid, &id));
        ASSERT_EQ(ids[i], id);
        FspDeleteSid(sid, (NTSTATUS(*)())FspPosixMapGidToSid);
    }
}

static void posix_wellknown_sid_test(void)
{
    static const struct {
        const wchar_t *sid;
        UINT32 uid;
    } map[] = {
        {L"S-1-5-18", 18},             /* SYSTEM */
        {L"S-1-5-19", 19},             /* LOCAL SERVICE */
        {L"S-1-5-11", 11},             /* Authenticated Users */
        {L"S-1-5-32-544", 544},        /* Administrators */
        {L"S-1-5-32-545", 545},        /* Users */
        {L"S-1-1-0", 0x10100},         /* Everyone */
        {L"S-1-3-0", 0x10300},         /* CREATOR OWNER */
        {L"S-1-5-80-0", 0x50000},      /* S-1-5-X-RID -> 0x1000 * X + RID */
        {L"S-1-16-12288", 0x63000},    /* mandatory label: high */
        {L"S-1-0-65534", 65534},       /* "nobody" */
        {L"S-1-5-21-1-2-3-1000", 65534}, /* unmapped domain account */
        {L"S-1-22-1-0", 0},
        {L"S-1-22-2-42", 42},
        {L"SY", 18},
        {L"BA", 544},
        {L"WD", 0x10100},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        PSID sid = sid_from(map[i].sid);
        ASSERT(0 != sid);
        UINT32 uid = 12345;
        NTSTATUS status = FspPosixMapSidToUid(sid, &uid);
        FspDeleteSid(sid, 0);
        ASSERT_EQ(STATUS_SUCCESS, status);
        if (map[i].uid != uid)
            fprintf(stderr, "    %ls -> %u, expected %u\n", map[i].sid, uid, map[i].uid);
        ASSERT_EQ(map[i].uid, uid);
    }

    /* invalid SIDs are rejected */
    BYTE bad[12] = {2 /* revision */, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    UINT32 uid = 0;
    ASSERT_EQ(STATUS_INVALID_SID, FspPosixMapSidToUid((PSID)bad, &uid));
    BYTE bad2[8] = {1, 16 /* too many sub-authorities */, 0, 0, 0, 0, 0, 5};
    ASSERT_EQ(STATUS_INVALID_SID, FspPosixMapSidToUid((PSID)bad2, &uid));
}

static void posix_uidmap_test(void)
{
    PSID sid = sid_from(L"S-1-5-21-11-22-33-1001");
    ASSERT(0 != sid);
    UINT32 uids[1] = {5000};
    PSID sids[1] = {sid};
    NTSTATUS s1 = FspPosixSetUidMap(uids, sids, 1);
    FspDeleteSid(sid, 0); /* the map keeps its own copy */

    PSID got = 0;
    UINT32 uid = 0, other = 0;
    NTSTATUS s2 = FspPosixMapUidToSid(5000, &got);
    int eq = got && sid_is_string(got, L"S-1-5-21-11-22-33-1001");
    NTSTATUS s3 = got ? FspPosixMapSidToUid(got, &uid) : STATUS_UNSUCCESSFUL;
    FspDeleteSid(got, 0);
    PSID plain = 0;
    NTSTATUS s4 = FspPosixMapUidToSid(5001, &plain); /* not in the map */
    int eq2 = plain && sid_is_string(plain, L"S-1-22-1-5001");
    NTSTATUS s5 = plain ? FspPosixMapSidToUid(plain, &other) : STATUS_UNSUCCESSFUL;
    FspDeleteSid(plain, 0);

    /* an invalid SID in the map is refused and leaves the map as it was */
    BYTE bad[8] = {7, 1, 0, 0, 0, 0, 0, 5};
    PSID badsids[2] = {sid_from(L"S-1-5-18"), (PSID)bad};
    UINT32 baduids[2] = {1, 2};
    NTSTATUS s6 = FspPosixSetUidMap(baduids, badsids, 2);
    FspDeleteSid(badsids[0], 0);
    PSID still = 0;
    FspPosixMapUidToSid(5000, &still);
    int eq3 = still && sid_is_string(still, L"S-1-5-21-11-22-33-1001");
    FspDeleteSid(still, 0);

    /* reset before asserting: other tests rely on the default mapping */
    NTSTATUS s7 = FspPosixSetUidMap(0, 0, 0);
    PSID after = 0;
    FspPosixMapUidToSid(5000, &after);
    int eq4 = after && sid_is_string(after, L"S-1-22-1-5000");
    FspDeleteSid(after, 0);

    ASSERT_EQ(STATUS_SUCCESS, s1);
    ASSERT_EQ(STATUS_SUCCESS, s2);
    ASSERT(eq);
    ASSERT_EQ(STATUS_SUCCESS, s3);
    ASSERT_EQ(5000, uid);
    ASSERT_EQ(STATUS_SUCCESS, s4);
    ASSERT(eq2);
    ASSERT_EQ(STATUS_SUCCESS, s5);
    ASSERT_EQ(5001, other);
    ASSERT_EQ(STATUS_INVALID_SID, s6);
    ASSERT(eq3);
    ASSERT_EQ(STATUS_SUCCESS, s7);
    ASSERT(eq4);
}

/* ---- mode <-> security descriptor ---- */

static void posix_mode_roundtrip_test(void)
{
    static const UINT32 pairs[][2] = {
        {0, 0}, {1000, 1000}, {1000, 100}, {65534, 65534}, {4000000000u, 5}, {18, 544},
    };
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        UINT32 uid = pairs[p][0], gid = pairs[p][1];
        for (UINT32 mode = 0; mode <= 07777; mode++) {
            PSECURITY_DESCRIPTOR sd = 0;
            ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPermissionsToSecurityDescriptor(uid, gid, mode, &sd));
            ASSERT(0 != sd);
            ULONG len = FspGetSecurityDescriptorLength(sd);
            int valid = 0 != len && FspIsValidSecurityDescriptor(sd, len);
            const SECURITY_DESCRIPTOR_RELATIVE *h = sd;
            int prot = (h->Control & SE_DACL_PROTECTED) && (h->Control & SE_DACL_PRESENT);
            UINT32 u = 1, g = 1, m = 0xFFFF;
            NTSTATUS status = FspPosixMapSecurityDescriptorToPermissions(sd, &u, &g, &m);
            FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
            ASSERT(valid);
            ASSERT(prot);
            ASSERT_EQ(STATUS_SUCCESS, status);
            ASSERT_EQ(uid, u);
            ASSERT_EQ(gid, g);
            if (mode != m)
                fprintf(stderr, "    uid %u gid %u mode 0%o -> 0%o\n", uid, gid, mode, m);
            ASSERT_EQ(mode, m);
        }
    }
    /* S_IFMT bits are ignored */
    PSECURITY_DESCRIPTOR sd = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPermissionsToSecurityDescriptor(1, 2, S_IFDIR | 01755, &sd));
    UINT32 u, g, m;
    NTSTATUS status = FspPosixMapSecurityDescriptorToPermissions(sd, &u, &g, &m);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT_EQ(STATUS_SUCCESS, status);
    ASSERT_EQ(01755, m);
}

/* The DACL gives owner, group members and others exactly the POSIX answer. */
static void posix_mode_access_test(void)
{
    PSID owner = 0, group = 0, world = sid_from(L"S-1-1-0");
    ASSERT(0 != world);
    ASSERT_EQ(STATUS_SUCCESS, FspPosixMapUidToSid(1000, &owner));
    ASSERT_EQ(STATUS_SUCCESS, FspPosixMapGidToSid(100, &group));
    PSID as_owner[] = {owner, world};
    PSID as_owner_in_group[] = {owner, group, world};
    PSID as_group[] = {group, world};
    PSID as_other[] = {world};
    int bad = 0;
    for (UINT32 mode = 0; mode <= 07777 && !bad; mode++) {
        PSECURITY_DESCRIPTOR sd = 0;
        if (!NT_SUCCESS(FspPosixMapPermissionsToSecurityDescriptor(1000, 100, mode, &sd))) {
            bad = 1;
            break;
        }
        UINT32 o = (mode >> 6) & 7, g = (mode >> 3) & 7, w = mode & 7;
        int sticky = 0 != (mode & S_ISVTX);
        ACCESS_MASK ao = effective_access(sd, as_owner, 2);
        ACCESS_MASK aog = effective_access(sd, as_owner_in_group, 3);
        ACCESS_MASK ag = effective_access(sd, as_group, 2);
        ACCESS_MASK aw = effective_access(sd, as_other, 1);
        if (rwx_from_access(ao) != o || rwx_from_access(aog) != o || rwx_from_access(ag) != g ||
            rwx_from_access(aw) != w)
            bad = 1;
        /* everybody may read attributes and the security descriptor */
        ACCESS_MASK base = READ_CONTROL | FILE_READ_ATTRIBUTES | SYNCHRONIZE;
        if ((ao & base) != base || (ag & base) != base || (aw & base) != base)
            bad = 2;
        /* only the owner may change the DACL, the owner or the attributes */
        if (!(ao & WRITE_DAC) || !(ao & WRITE_OWNER) || (ag & (WRITE_DAC | WRITE_OWNER)) ||
            (aw & (WRITE_DAC | WRITE_OWNER)))
            bad = 3;
        /* deleting children: write permission, and with the sticky bit the owner only */
        if (!!(ao & FILE_DELETE_CHILD) != !!(o & 2) ||
            !!(ag & FILE_DELETE_CHILD) != (!!(g & 2) && !sticky) ||
            !!(aw & FILE_DELETE_CHILD) != (!!(w & 2) && !sticky))
            bad = 4;
        if (bad)
            fprintf(stderr, "    mode 0%o: owner 0x%x group 0x%x other 0x%x (check %d)\n", mode,
                    ao, ag, aw, bad);
        FspDeleteSecurityDescriptor(sd, 0);
    }
    FspDeleteSid(owner, 0);
    FspDeleteSid(group, 0);
    FspDeleteSid(world, 0);
    ASSERT_EQ(0, bad);
}

static void posix_map_sd_sddl_test(void)
{
    PSECURITY_DESCRIPTOR sd = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPermissionsToSecurityDescriptor(1000, 100, 0644, &sd));
    PWSTR sddl = 0;
    NTSTATUS status = FspSecurityDescriptorToSddl(
        sd, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, &sddl);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT_EQ(STATUS_SUCCESS, status);
    int eq = 0 == wcscmp(sddl, L"O:S-1-22-1-1000G:S-1-22-2-100");
    if (!eq)
        fprintf(stderr, "    %ls\n", sddl);
    free(sddl);
    ASSERT(eq);

    /* a foreign SD: owner SYSTEM, group Administrators, a plain DACL */
    ASSERT_EQ(STATUS_SUCCESS,
              FspSddlToSecurityDescriptor(
                  L"O:SYG:BAD:P(A;;FA;;;SY)(A;;0x1200a9;;;BA)(A;;0x120089;;;WD)", &sd, 0));
    UINT32 u, g, m;
    status = FspPosixMapSecurityDescriptorToPermissions(sd, &u, &g, &m);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT_EQ(STATUS_SUCCESS, status);
    ASSERT_EQ(18, u);
    ASSERT_EQ(544, g);
    ASSERT_EQ(0754, m);

    /* a NULL DACL grants everything */
    ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(L"O:SYG:SYD:NO_ACCESS_CONTROL", &sd, 0));
    status = FspPosixMapSecurityDescriptorToPermissions(sd, &u, &g, &m);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT_EQ(STATUS_SUCCESS, status);
    ASSERT_EQ(0777, m);

    /* an empty DACL grants nothing; no owner/group maps to nobody */
    ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(L"D:P", &sd, 0));
    status = FspPosixMapSecurityDescriptorToPermissions(sd, &u, &g, &m);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT_EQ(STATUS_SUCCESS, status);
    ASSERT_EQ(0, m);
    ASSERT_EQ(65534, u);
    ASSERT_EQ(65534, g);

    /* garbage is refused */
    BYTE junk[64];
    memset(junk, 0xA5, sizeof junk);
    ASSERT_EQ(STATUS_INVALID_SECURITY_DESCR, FspPosixMapSecurityDescriptorToPermissions(junk, &u, &g, &m));
}

/* WinFsp semantics: the existing SD's owner, group and DACL win; Uid/Gid fill in what it lacks. */
static void posix_merge_sd_test(void)
{
    static const struct {
        const wchar_t *existing, *expect;
    } map[] = {
        {0, 0}, /* no existing SD: as FspPosixMapPermissionsToSecurityDescriptor */
        {L"", L"O:S-1-22-1-1000G:S-1-22-2-100"},
        {L"O:WD", L"O:WDG:S-1-22-2-100"},
        {L"G:WD", L"O:S-1-22-1-1000G:WD"},
        {L"O:WDG:WD", L"O:WDG:WD"},
        {L"D:P", L"O:S-1-22-1-1000G:S-1-22-2-100D:P"},
        {L"D:P(A;;FA;;;SY)", L"O:S-1-22-1-1000G:S-1-22-2-100D:P(A;;FA;;;SY)"},
        {L"O:WDG:WDD:P(A;;FA;;;SY)", L"O:WDG:WDD:P(A;;FA;;;SY)"},
        {L"O:SYG:BAD:(A;;FA;;;SY)S:(AU;SA;FA;;;WD)", L"O:SYG:BAD:(A;;FA;;;SY)S:(AU;SA;FA;;;WD)"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        PSECURITY_DESCRIPTOR existing = 0, sd = 0, plain = 0;
        if (map[i].existing)
            ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(map[i].existing, &existing, 0));
        NTSTATUS status = FspPosixMergePermissionsToSecurityDescriptor(1000, 100, 0750, existing, &sd);
        PWSTR sddl = 0;
        int ok = NT_SUCCESS(status) && sd;
        if (ok && map[i].expect) {
            ok = NT_SUCCESS(FspSecurityDescriptorToSddl(
                sd,
                OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                    DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION,
                &sddl));
            if (ok && 0 != wcscmp(sddl, map[i].expect)) {
                fprintf(stderr, "    existing %ls: got %ls, expected %ls\n", map[i].existing,
                        sddl, map[i].expect);
                ok = 0;
            }
        } else if (ok) {
            ok = NT_SUCCESS(FspPosixMapPermissionsToSecurityDescriptor(1000, 100, 0750, &plain)) &&
                 FspGetSecurityDescriptorLength(plain) == FspGetSecurityDescriptorLength(sd) &&
                 0 == memcmp(plain, sd, FspGetSecurityDescriptorLength(sd));
        }
        free(sddl);
        FspDeleteSecurityDescriptor(plain, 0);
        FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMergePermissionsToSecurityDescriptor);
        FspDeleteSecurityDescriptor(existing, 0);
        ASSERT(ok);
    }
}

/* ---- paths ---- */

static void posix_map_path_test(void)
{
    static const struct {
        const wchar_t *windows;
        const char *posix;
    } map[] = {
        {L"", ""},
        {L"\\", "/"},
        {L"\\foo\\bar", "/foo/bar"},
        {L"\\foo\xf03c\xf03e\xf03a\xf02f\xf05c\xf022\xf07c\xf03f\xf02a\\bar",
         "/foo<>:\xef\x80\xaf\\\"|?*/bar"},
        {L"a\xf001" L"b\xf01f\xf009\xf00a", "a\x01" "b\x1f\t\n"},
        {L"h\x00e9llo \x20ac \x1F600", "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"},
        /* bytes that are not UTF-8 come through as U+DC80..U+DCFF */
        {L"\xdcff\xdcfe\xdc80" L"abc\xdcc3", "\xff\xfe\x80" "abc\xc3"},
        {L"\xdced\xdca0\xdc80", "\xed\xa0\x80"}, /* an encoded surrogate is not UTF-8 */
        {L"\xdcc0\xdc80", "\xc0\x80"},           /* nor is an overlong NUL */
        /* private-use characters that stand for nothing stay as they are */
        {L"\xf041\xf000\xf080", "\xef\x81\x81\xef\x80\x80\xef\x82\x80"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char *posix = 0;
        PWSTR windows = 0;
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapWindowsToPosixPath((PWSTR)map[i].windows, &posix));
        int peq = 0 == strcmp(posix, map[i].posix);
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPosixToWindowsPath(map[i].posix, &windows));
        int weq = 0 == wcscmp(windows, map[i].windows);
        if (!peq || !weq)
            fprintf(stderr, "    case %zu: posix %s, windows %ls\n", i, peq ? "ok" : "differs",
                    weq ? L"ok" : L"differs");
        FspPosixDeletePath(posix);
        FspPosixDeletePath(windows);
        ASSERT(peq);
        ASSERT(weq);
    }
}

static void posix_map_path_untranslated_test(void)
{
    PWSTR windows = 0;
    char *posix = 0;
    /* as WinFsp: without Translate only the encoding changes, separators included */
    ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPosixToWindowsPathEx("/a:b/c*\\", &windows, FALSE));
    int weq = 0 == wcscmp(windows, L"/a:b/c*\\");
    ASSERT_EQ(STATUS_SUCCESS, FspPosixMapWindowsToPosixPathEx(L"\\a\xf03a" L"b/", &posix, FALSE));
    int peq = 0 == strcmp(posix, "\\a\xef\x80\xba" "b/");
    FspPosixDeletePath(windows);
    FspPosixDeletePath(posix);
    ASSERT(weq);
    ASSERT(peq);
}

static void posix_map_path_invalid_test(void)
{
    char *posix = (char *)1;
    PWSTR windows = (PWSTR)1;
    /* lone surrogates outside the escape range and values beyond Unicode have no UTF-8 form */
    ASSERT(!NT_SUCCESS(FspPosixMapWindowsToPosixPath(L"a\xd800" L"b", &posix)));
    ASSERT(0 == posix);
    posix = (char *)1;
    ASSERT(!NT_SUCCESS(FspPosixMapWindowsToPosixPath(L"\xdc7f", &posix)));
    ASSERT(0 == posix);
    posix = (char *)1;
    ASSERT(!NT_SUCCESS(FspPosixMapWindowsToPosixPath(L"\x110000", &posix)));
    ASSERT(0 == posix);
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspPosixMapWindowsToPosixPath(0, &posix));
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspPosixMapPosixToWindowsPath(0, &windows));
    ASSERT(0 == windows);
}

/* Any byte string survives POSIX -> Windows -> POSIX; the Windows form holds no illegal character. */
static void posix_map_path_fuzz_test(void)
{
    char in[80];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = posix_rand() % (sizeof in - 1);
        for (size_t i = 0; i < n; i++) {
            uint32_t r = posix_rand();
            /* favour the interesting bytes */
            in[i] = (char)(0 == (r & 3) ? 1 + (r >> 8) % 0x7F
                           : 1 == (r & 3) ? (uint32_t)(unsigned char)"/\\:*?\"<>|\x01\x1f\x7f"[(r >> 8) % 13]
                                          : 1 + (r >> 8) % 255);
        }
        in[n] = '\0';
        PWSTR windows = 0;
        char *back = 0;
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPosixToWindowsPath(in, &windows));
        int clean = 1;
        for (PWSTR p = windows; *p; p++)
            if ((*p >= 1 && *p < 0x20) || wcschr(L"\"*:<>?|", *p) || *p == L'/')
                clean = 0;
        NTSTATUS status = FspPosixMapWindowsToPosixPath(windows, &back);
        int eq = NT_SUCCESS(status) && 0 == strcmp(in, back);
        FspPosixDeletePath(windows);
        FspPosixDeletePath(back);
        ASSERT(clean);
        ASSERT_EQ(STATUS_SUCCESS, status);
        ASSERT(eq);
    }
}

/* WinFsp: Encode turns a Windows path into its POSIX form in place, Decode the reverse. */
static void posix_encode_decode_test(void)
{
    WCHAR buf[32];
    wcscpy(buf, L"\\a\xf03a" L"b\\c\xf02a\xf041");
    FspPosixEncodeWindowsPath(buf, (ULONG)wcslen(buf));
    ASSERT(0 == wcscmp(buf, L"/a:b/c*\xf041"));
    FspPosixDecodeWindowsPath(buf, (ULONG)wcslen(buf));
    ASSERT(0 == wcscmp(buf, L"\\a\xf03a" L"b\\c\xf02a\xf041"));

    wcscpy(buf, L"/x\\y|\x01");
    FspPosixDecodeWindowsPath(buf, (ULONG)wcslen(buf));
    ASSERT(0 == wcscmp(buf, L"\\x\xf05cy\xf07c\xf001"));

    /* only Size characters are touched */
    wcscpy(buf, L"a:b:c");
    FspPosixDecodeWindowsPath(buf, 2);
    ASSERT(0 == wcscmp(buf, L"a\xf03a" L"b:c"));
}

/* ---- time ---- */

static void posix_time_test(void)
{
    const UINT64 epoch = 116444736000000000ULL;
    UINT64 ft, ut[2];

    ut[0] = 0, ut[1] = 0;
    FspPosixUnixTimeToFileTime(ut, &ft);
    ASSERT_EQ(epoch, ft);
    ut[0] = 1, ut[1] = 0;
    FspPosixUnixTimeToFileTime(ut, &ft);
    ASSERT_EQ(epoch + 10000000, ft);
    ut[0] = 0, ut[1] = 999; /* nanoseconds truncate to 100 ns */
    FspPosixUnixTimeToFileTime(ut, &ft);
    ASSERT_EQ(epoch + 9, ft);
    ut[0] = 0, ut[1] = 99;
    FspPosixUnixTimeToFileTime(ut, &ft);
    ASSERT_EQ(epoch, ft);
    ut[0] = 1700000000, ut[1] = 123456789;
    FspPosixUnixTimeToFileTime(ut, &ft);
    ASSERT_EQ(epoch + 17000000000000000ULL + 1234567, ft);

    FspPosixFileTimeToUnixTime(epoch, ut);
    ASSERT_EQ(0, ut[0]);
    ASSERT_EQ(0, ut[1]);
    FspPosixFileTimeToUnixTime(epoch + 17000000000000000ULL + 1234567, ut);
    ASSERT_EQ(1700000000, ut[0]);
    ASSERT_EQ(123456700, ut[1]);
    /* before 1970 */
    FspPosixFileTimeToUnixTime(epoch - 1, ut);
    ASSERT_EQ(-1, (INT64)ut[0]);
    ASSERT_EQ(999999900, ut[1]);
    FspPosixFileTimeToUnixTime(0, ut);
    ASSERT_EQ(-11644473600LL, (INT64)ut[0]);
    ASSERT_EQ(0, ut[1]);
    ut[0] = (UINT64)-11644473600LL, ut[1] = 0;
    FspPosixUnixTimeToFileTime(ut, &ft);
    ASSERT_EQ(0, ft);

    /* FILETIME -> Unix -> FILETIME is exact; Unix -> FILETIME -> Unix keeps 100 ns */
    for (int i = 0; i < 100000; i++) {
        UINT64 t = ((UINT64)posix_rand() << 26 ^ posix_rand()) % (epoch * 2);
        FspPosixFileTimeToUnixTime(t, ut);
        ASSERT(ut[1] < 1000000000 && 0 == ut[1] % 100);
        FspPosixUnixTimeToFileTime(ut, &ft);
        ASSERT_EQ(t, ft);
        UINT64 u2[2] = {posix_rand() % 4000000000u, posix_rand() % 1000000000u}, back[2];
        FspPosixUnixTimeToFileTime(u2, &ft);
        FspPosixFileTimeToUnixTime(ft, back);
        ASSERT_EQ(u2[0], back[0]);
        ASSERT_EQ(u2[1] / 100 * 100, back[1]);
    }
}

void posix_tests(void)
{
    TLIB_ADD_TEST("posix", posix_uid_sid_roundtrip_test);
    TLIB_ADD_TEST("posix", posix_wellknown_sid_test);
    TLIB_ADD_TEST("posix", posix_uidmap_test);
    TLIB_ADD_TEST("posix", posix_mode_roundtrip_test);
    TLIB_ADD_TEST("posix", posix_mode_access_test);
    TLIB_ADD_TEST("posix", posix_map_sd_sddl_test);
    TLIB_ADD_TEST("posix", posix_merge_sd_test);
    TLIB_ADD_TEST("posix", posix_map_path_test);
    TLIB_ADD_TEST("posix", posix_map_path_untranslated_test);
    TLIB_ADD_TEST("posix", posix_map_path_invalid_test);
    TLIB_ADD_TEST("posix", posix_map_path_fuzz_test);
    TLIB_ADD_TEST("posix", posix_encode_decode_test);
    TLIB_ADD_TEST("posix", posix_time_test);
}
