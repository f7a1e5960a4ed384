/*
 * tests/unit/test-security.c - SIDs, security descriptors and SDDL of the
 * native API (group "security"), plus the POSIX mapping tests (test-posix.c) and access
 * tokens and checks (test-access.c).
 */
#include <winfsp/winfsp.h>
#include "tlib.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void posix_tests(void);
void access_tests(void);

static uint64_t sec_rng = 0x2545F4914F6CDD1DULL;
static uint32_t sec_rand(void)
{
    sec_rng ^= sec_rng << 13;
    sec_rng ^= sec_rng >> 7;
    sec_rng ^= sec_rng << 17;
    return (uint32_t)(sec_rng >> 16);
}

#define ALL_INFORMATION                                                                      \
    (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |   \
     SACL_SECURITY_INFORMATION)

/* The SDDL of sd (all parts) equals want; prints both when not. */
static int sd_is_sddl(PSECURITY_DESCRIPTOR sd, const wchar_t *want)
{
    PWSTR s = 0;
    if (!NT_SUCCESS(FspSecurityDescriptorToSddl(sd, ALL_INFORMATION, &s))) {
        fprintf(stderr, "    FspSecurityDescriptorToSddl failed (expected %ls)\n", want);
        return 0;
    }
    int eq = 0 == wcscmp(s, want);
    if (!eq)
        fprintf(stderr, "    SDDL %ls\n    expected %ls\n", s, want);
    free(s);
    return eq;
}

/* ---- SIDs ---- */

static void sid_string_test(void)
{
    static const struct {
        const wchar_t *in, *out;
        ULONG len;
    } map[] = {
        {L"S-1-5-18", L"S-1-5-18", 12},
        {L"SY", L"S-1-5-18", 12},
        {L"BA", L"S-1-5-32-544", 16},
        {L"BU", L"S-1-5-32-545", 16},
        {L"WD", L"S-1-1-0", 12},
        {L"AU", L"S-1-5-11", 12},
        {L"CO", L"S-1-3-0", 12},
        {L"S-1-22-1-1000", L"S-1-22-1-1000", 16},
        {L"S-1-22-2-4294967295", L"S-1-22-2-4294967295", 16},
        {L"S-1-5-21-3623811015-3361044348-30300820-1013",
         L"S-1-5-21-3623811015-3361044348-30300820-1013", 28},
        {L"s-1-5-18", L"S-1-5-18", 12},
        {L"S-1-0", L"S-1-0", 8},
        {L"S-1-010-1", L"S-1-10-1", 12}, /* decimal, not octal */
        {L"S-1-0x5-18", L"S-1-5-18", 12}, /* hexadecimal authority */
        {L"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", L"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
         68},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        PSID sid = 0;
        PWSTR str = 0;
        ASSERT_EQ(STATUS_SUCCESS, FspStringToSid(map[i].in, &sid));
        ASSERT(0 != sid);
        ULONG len = FspGetSidLength(sid);
        BOOLEAN valid = FspIsValidSid(sid, len), short_valid = FspIsValidSid(sid, len - 1);
        NTSTATUS status = FspSidToString(sid, &str);
        int eq = NT_SUCCESS(status) && 0 == wcscmp(str, map[i].out);
        if (!eq)
            fprintf(stderr, "    %ls -> %ls\n", map[i].in, str ? str : L"(null)");
        free(str);
        FspDeleteSid(sid, 0);
        ASSERT_EQ(map[i].len, len);
        ASSERT(valid);
        ASSERT(!short_valid);
        ASSERT(eq);
    }
}

static void sid_string_invalid_test(void)
{
    static const wchar_t *bad[] = {
        L"", L"S", L"S-", L"S-1", L"S-1-", L"S-2-5-18", L"X-1-5-18", L"S-1-5-18x", L"S-1-5-",
        L"S-1-5--18", L"S-1-5-4294967296", L"S-1-281474976710656-1", L"SYX", L"S-1-5-18 ",
        L"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", L"ZZ", L"S-x-5", L"S- 1-5-18",
        L"S-1-+5-18", L"S-1- 5", L"S-+1-5", L"S-1-5- 18", L"S-1-0x", L"S-1--5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PSID sid = (PSID)1;
        NTSTATUS status = FspStringToSid(bad[i], &sid);
        if (NT_SUCCESS(status))
            fprintf(stderr, "    accepted \"%ls\"\n", bad[i]);
        ASSERT(!NT_SUCCESS(status));
        ASSERT(0 == sid);
    }
    PSID sid = (PSID)1;
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspStringToSid(0, &sid));
    PWSTR str = (PWSTR)1;
    BYTE badsid[12] = {3, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    ASSERT_EQ(STATUS_INVALID_SID, FspSidToString((PSID)badsid, &str));
    ASSERT(0 == str);
}

static void sid_valid_equal_test(void)
{
    PSID sy = 0, sy2 = 0, ba = 0, u = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspStringToSid(L"SY", &sy));
    ASSERT_EQ(STATUS_SUCCESS, FspStringToSid(L"S-1-5-18", &sy2));
    ASSERT_EQ(STATUS_SUCCESS, FspStringToSid(L"BA", &ba));
    ASSERT_EQ(STATUS_SUCCESS, FspStringToSid(L"S-1-5-19", &u));
    BOOLEAN e1 = FspEqualSid(sy, sy2), e2 = FspEqualSid(sy, ba), e3 = FspEqualSid(sy, u),
            e4 = FspEqualSid(sy, 0), e5 = FspEqualSid(0, sy);
    BOOLEAN v1 = FspIsValidSid(sy, 12), v2 = FspIsValidSid(sy, 11), v3 = FspIsValidSid(0, 64),
            v4 = FspIsValidSid(sy, 7), v5 = FspIsValidSid(ba, SECURITY_MAX_SID_SIZE);
    FspDeleteSid(sy, 0);
    FspDeleteSid(sy2, 0);
    FspDeleteSid(ba, 0);
    FspDeleteSid(u, 0);
    ASSERT(e1);
    ASSERT(!e2);
    ASSERT(!e3);
    ASSERT(!e4);
    ASSERT(!e5);
    ASSERT(v1);
    ASSERT(!v2);
    ASSERT(!v3);
    ASSERT(!v4);
    ASSERT(v5);

    BYTE rev2[12] = {2, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    ASSERT(!FspIsValidSid((PSID)rev2, sizeof rev2));
    BYTE toomany[8 + 16 * 4] = {1, 16, 0, 0, 0, 0, 0, 5};
    ASSERT(!FspIsValidSid((PSID)toomany, sizeof toomany));
    BYTE none[8] = {1, 0, 0, 0, 0, 0, 0, 5};
    ASSERT(FspIsValidSid((PSID)none, sizeof none));
    ASSERT_EQ(8, FspGetSidLength((PSID)none));
}

/* ---- SDDL ---- */

static void sddl_roundtrip_test(void)
{
    /* canonical strings: they come back exactly */
    static const wchar_t *canon[] = {
        L"O:SYG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD)",
        L"O:BAG:BUD:(A;OICI;FA;;;SY)(D;;0x2;;;WD)",
        L"O:S-1-22-1-1000G:S-1-22-2-100D:P(A;;0x1f01bf;;;S-1-22-1-1000)(A;;0x120089;;;S-1-22-2-100)",
        L"D:NO_ACCESS_CONTROL",
        L"D:",
        L"O:SY",
        L"G:BU",
        L"",
        L"D:PAI(A;OICIID;FA;;;SY)(A;OIIOID;0x1200a9;;;BU)(A;CINP;0x100000;;;AU)",
        L"O:SYG:SYD:(A;;FA;;;SY)S:(AU;SAFA;FA;;;WD)",
        L"S:P(AU;FA;0x10000;;;BA)",
        L"D:AI(A;ID;FA;;;S-1-5-21-1-2-3-1000)",
        L"O:S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15G:S-1-0",
    };
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        PSECURITY_DESCRIPTOR sd = 0, sd2 = 0;
        ULONG size = 0, size2 = 0;
        ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(canon[i], &sd, &size));
        ULONG len = FspGetSecurityDescriptorLength(sd);
        BOOLEAN valid = FspIsValidSecurityDescriptor(sd, len);
        int eq = sd_is_sddl(sd, canon[i]);
        PWSTR s = 0;
        NTSTATUS status = FspSecurityDescriptorToSddl(sd, ALL_INFORMATION, &s);
        if (NT_SUCCESS(status))
            status = FspSddlToSecurityDescriptor(s, &sd2, &size2);
        int same = NT_SUCCESS(status) && size == size2 && 0 == memcmp(sd, sd2, size);
        free(s);
        FspDeleteSecurityDescriptor(sd, 0);
        FspDeleteSecurityDescriptor(sd2, 0);
        ASSERT_EQ(size, len);
        ASSERT(valid);
        ASSERT(eq);
        ASSERT(same);
    }

    /* non-canonical input: same binary SD after a round trip */
    static const wchar_t *other[] = {
        L"O:SYG:SYD:(A;;GA;;;SY)(A;;GRGX;;;WD)",
        L"D:(A;CIOI;FRFX;;;BA)(D;;SDWDWO;;;WD)",
        L"D:P(A;;FA;;;SY)  S:AI(AU;SA;FW;;;WD)",
        L"D:(A;;CCDCLCSWRPWPDTLOCR;;;SY)",
        L"D:PARAI(A;;FA;;;SY)S:PARAI(AU;FA;FA;;;SY)",
        L"D:(A;;0X1F01FF;;;SY)",
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        PSECURITY_DESCRIPTOR sd = 0, sd2 = 0;
        ULONG size = 0, size2 = 0;
        PWSTR s = 0;
        ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(other[i], &sd, &size));
        NTSTATUS status = FspSecurityDescriptorToSddl(sd, ALL_INFORMATION, &s);
        if (NT_SUCCESS(status))
            status = FspSddlToSecurityDescriptor(s, &sd2, &size2);
        int same = NT_SUCCESS(status) && size == size2 && 0 == memcmp(sd, sd2, size);
        if (!same)
            fprintf(stderr, "    %ls -> %ls\n", other[i], s ? s : L"(null)");
        free(s);
        FspDeleteSecurityDescriptor(sd, 0);
        FspDeleteSecurityDescriptor(sd2, 0);
        ASSERT(same);
    }
}

static void sddl_content_test(void)
{
    PSECURITY_DESCRIPTOR sd = 0;
    ASSERT_EQ(STATUS_SUCCESS,
              FspSddlToSecurityDescriptor(L"O:BAG:SYD:P(A;OICI;FA;;;SY)(D;;0x2;;;WD)", &sd, 0));
    const SECURITY_DESCRIPTOR_RELATIVE *h = sd;
    PSID owner = FspSecurityDescriptorOwner(sd), group = FspSecurityDescriptorGroup(sd);
    PACL dacl = FspSecurityDescriptorDacl(sd);
    PWSTR os = 0, gs = 0;
    FspSidToString(owner, &os);
    FspSidToString(group, &gs);
    int ok = os && gs && 0 == wcscmp(os, L"S-1-5-32-544") && 0 == wcscmp(gs, L"S-1-5-18");
    free(os);
    free(gs);
    int ctl = SECURITY_DESCRIPTOR_REVISION == h->Revision && (h->Control & SE_SELF_RELATIVE) &&
              (h->Control & SE_DACL_PRESENT) && (h->Control & SE_DACL_PROTECTED) &&
              !(h->Control & SE_SACL_PRESENT);
    int acl = dacl && 2 == dacl->AceCount;
    const ACCESS_ALLOWED_ACE *a0 = acl ? (const void *)(dacl + 1) : 0;
    const ACCESS_ALLOWED_ACE *a1 = acl ? (const void *)((const char *)a0 + a0->Header.AceSize) : 0;
    int aces = a0 && ACCESS_ALLOWED_ACE_TYPE == a0->Header.AceType &&
               (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE) == a0->Header.AceFlags &&
               FILE_ALL_ACCESS == a0->Mask && ACCESS_DENIED_ACE_TYPE == a1->Header.AceType &&
               0 == a1->Header.AceFlags && FILE_WRITE_DATA == a1->Mask;
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT(ok);
    ASSERT(ctl);
    ASSERT(acl);
    ASSERT(aces);

    /* absent parts */
    ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(L"D:NO_ACCESS_CONTROL", &sd, 0));
    h = sd;
    int nulldacl = 0 == FspSecurityDescriptorOwner(sd) && 0 == FspSecurityDescriptorGroup(sd) &&
                   0 == FspSecurityDescriptorDacl(sd) && (h->Control & SE_DACL_PRESENT);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT(nulldacl);

    /* only the parts asked for */
    ASSERT_EQ(STATUS_SUCCESS,
              FspSddlToSecurityDescriptor(L"O:BAG:SYD:(A;;FA;;;SY)S:(AU;SA;FA;;;WD)", &sd, 0));
    PWSTR s1 = 0, s2 = 0, s3 = 0;
    FspSecurityDescriptorToSddl(sd, OWNER_SECURITY_INFORMATION, &s1);
    FspSecurityDescriptorToSddl(sd, DACL_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, &s2);
    FspSecurityDescriptorToSddl(sd, 0, &s3);
    int parts = s1 && s2 && s3 && 0 == wcscmp(s1, L"O:BA") &&
                0 == wcscmp(s2, L"G:SYD:(A;;FA;;;SY)") && 0 == wcscmp(s3, L"");
    free(s1);
    free(s2);
    free(s3);
    FspDeleteSecurityDescriptor(sd, 0);
    ASSERT(parts);
}

static void sddl_invalid_test(void)
{
    static const wchar_t *bad[] = {
        L"X:", L"O:", L"O:ZZ", L"O:SYO:SY", L"G:BAG:BA", L"D:(A;;FA;;;SY", L"D:(Q;;FA;;;SY)",
        L"D:(A;;QQ;;;SY)", L"D:(A;;FA;;;)", L"D:(A;XX;FA;;;SY)", L"D:(A;;FA;;;SY)(",
        L"D:(A;;0xZZ;;;SY)", L"D:(A;;FA;abc;;SY)", L"D:(A;;FA;;;SY)D:", L"O:SY junk",
        L"D:(A;;FA;;;S-1-5-)", L"D:(A;;0x100000000;;;SY)", L"O", L"D:(A;", L"D:(",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)1;
        NTSTATUS status = FspSddlToSecurityDescriptor(bad[i], &sd, 0);
        if (NT_SUCCESS(status))
            fprintf(stderr, "    accepted \"%ls\"\n", bad[i]);
        if (NT_SUCCESS(status))
            FspDeleteSecurityDescriptor(sd, 0);
        ASSERT(!NT_SUCCESS(status));
        ASSERT(0 == sd);
    }
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)1;
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspSddlToSecurityDescriptor(0, &sd, 0));
    PWSTR s = (PWSTR)1;
    BYTE junk[32] = {0};
    ASSERT_EQ(STATUS_INVALID_SECURITY_DESCR, FspSecurityDescriptorToSddl(junk, ALL_INFORMATION, &s));
    ASSERT(0 == s);
}

/* ---- validation of untrusted buffers ---- */

static const wchar_t *valid_sddl =
    L"O:S-1-22-1-1000G:S-1-22-2-100D:P(A;OICI;FA;;;SY)(D;;0x2;;;WD)(A;;0x1200a9;;;BU)"
    L"S:(AU;SA;FA;;;WD)";

/* Whatever a buffer holds, the helpers that read SDs must not overrun it. */
static void exercise_sd(const void *buf, size_t n)
{
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)buf;
    if (!FspIsValidSecurityDescriptor(sd, n))
        return;
    ULONG len = FspGetSecurityDescriptorLength(sd);
    ASSERT(len <= n);
    PWSTR s = 0;
    if (NT_SUCCESS(FspSecurityDescriptorToSddl(sd, ALL_INFORMATION, &s))) {
        PSECURITY_DESCRIPTOR back = 0;
        if (NT_SUCCESS(FspSddlToSecurityDescriptor(s, &back, 0)))
            FspDeleteSecurityDescriptor(back, 0);
        free(s);
    }
    UINT32 u, g, m;
    FspPosixMapSecurityDescriptorToPermissions(sd, &u, &g, &m);
    PSECURITY_DESCRIPTOR merged = 0;
    if (NT_SUCCESS(FspSetSecurityDescriptor(sd, ALL_INFORMATION, sd, &merged)))
        FspDeleteSecurityDescriptor(merged, 0);
}

static void sd_truncated_test(void)
{
    PSECURITY_DESCRIPTOR sd = 0;
    ULONG size = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(valid_sddl, &sd, &size));
    ASSERT_EQ(size, FspGetSecurityDescriptorLength(sd));
    ASSERT(FspIsValidSecurityDescriptor(sd, size));
    ASSERT(FspIsValidSecurityDescriptor(sd, size + 1)); /* slack after it is fine */
    int bad = -1;
    for (ULONG n = 0; n < size; n++) {
        /* an exact-size heap copy, so that any read past n is caught */
        void *copy = malloc(n ? n : 1);
        memcpy(copy, sd, n);
        if (FspIsValidSecurityDescriptor(copy, n) && bad < 0)
            bad = (int)n;
        free(copy);
    }
    ASSERT(!FspIsValidSecurityDescriptor(0, 100));
    FspDeleteSecurityDescriptor(sd, 0);
    if (bad >= 0)
        fprintf(stderr, "    a %d-byte prefix passed as valid\n", bad);
    ASSERT_EQ(-1, bad);
}

static void sd_garbage_test(void)
{
    for (int iter = 0; iter < 50000; iter++) {
        size_t n = sec_rand() % 160;
        unsigned char *buf = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)sec_rand();
        if (n >= 20 && (iter & 1)) {
            /* plausible header, small offsets: reach the deeper checks */
            SECURITY_DESCRIPTOR_RELATIVE h;
            h.Revision = SECURITY_DESCRIPTOR_REVISION;
            h.Sbz1 = 0;
            h.Control = (WORD)(SE_SELF_RELATIVE | (sec_rand() & (SE_DACL_PRESENT | SE_SACL_PRESENT)));
            h.Owner = sec_rand() % 4 ? sec_rand() % n : 0;
            h.Group = sec_rand() % 4 ? sec_rand() % n : 0;
            h.Dacl = sec_rand() % 4 ? (sec_rand() % n) & ~3u : 0;
            h.Sacl = sec_rand() % 4 ? (sec_rand() % n) & ~3u : 0;
            memcpy(buf, &h, sizeof h);
        }
        exercise_sd(buf, n);
        free(buf);
    }
}

static void sd_mutation_test(void)
{
    PSECURITY_DESCRIPTOR sd = 0;
    ULONG size = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(valid_sddl, &sd, &size));
    unsigned char *buf = malloc(size);
    for (int iter = 0; iter < 50000; iter++) {
        memcpy(buf, sd, size);
        int flips = 1 + sec_rand() % 4;
        for (int f = 0; f < flips; f++) {
            uint32_t r = sec_rand();
            buf[r % size] = (r & 0x100) ? (unsigned char)(r >> 16) : buf[r % size] ^ (1 << (r >> 9) % 8);
        }
        exercise_sd(buf, size);
    }
    free(buf);
    FspDeleteSecurityDescriptor(sd, 0);
}

/* ---- SetSecurity merge ---- */

static void set_security_test(void)
{
    static const struct {
        SECURITY_INFORMATION info;
        const wchar_t *expect;
    } map[] = {
        {OWNER_SECURITY_INFORMATION, L"O:WDG:BAD:P(A;;FA;;;SY)S:(AU;SA;FA;;;WD)"},
        {GROUP_SECURITY_INFORMATION, L"O:SYG:BUD:P(A;;FA;;;SY)S:(AU;SA;FA;;;WD)"},
        {DACL_SECURITY_INFORMATION, L"O:SYG:BAD:AI(A;;FA;;;BU)S:(AU;SA;FA;;;WD)"},
        {SACL_SECURITY_INFORMATION, L"O:SYG:BAD:P(A;;FA;;;SY)"},
        {DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
         L"O:SYG:BAD:PAI(A;;FA;;;BU)S:(AU;SA;FA;;;WD)"},
        {OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
         L"O:WDG:BUD:AI(A;;FA;;;BU)S:(AU;SA;FA;;;WD)"},
        {0, L"O:SYG:BAD:P(A;;FA;;;SY)S:(AU;SA;FA;;;WD)"},
    };
    PSECURITY_DESCRIPTOR in = 0, mod = 0;
    ASSERT_EQ(STATUS_SUCCESS,
              FspSddlToSecurityDescriptor(L"O:SYG:BAD:P(A;;FA;;;SY)S:(AU;SA;FA;;;WD)", &in, 0));
    ASSERT_EQ(STATUS_SUCCESS, FspSddlToSecurityDescriptor(L"O:WDG:BUD:AI(A;;FA;;;BU)", &mod, 0));
    int bad = -1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        PSECURITY_DESCRIPTOR out = 0;
        NTSTATUS status = FspSetSecurityDescriptor(in, map[i].info, mod, &out);
        if ((!NT_SUCCESS(status) || !sd_is_sddl(out, map[i].expect)) && bad < 0)
            bad = (int)i;
        FspDeleteSecurityDescriptor(out, (NTSTATUS(*)())FspSetSecurityDescriptor);
    }
    /* UNPROTECTED clears the protection the new DACL would carry */
    PSECURITY_DESCRIPTOR prot = 0, out = 0;
    FspSddlToSecurityDescriptor(L"D:P(A;;FA;;;BU)", &prot, 0);
    NTSTATUS status = FspSetSecurityDescriptor(
        in, DACL_SECURITY_INFORMATION | UNPROTECTED_DACL_SECURITY_INFORMATION, prot, &out);
    int unprot = NT_SUCCESS(status) && sd_is_sddl(out, L"O:SYG:BAD:(A;;FA;;;BU)S:(AU;SA;FA;;;WD)");
    FspDeleteSecurityDescriptor(out, 0);
    FspDeleteSecurityDescriptor(prot, 0);
    out = (PSECURITY_DESCRIPTOR)1;
    NTSTATUS nullstatus = FspSetSecurityDescriptor(in, DACL_SECURITY_INFORMATION, 0, &out);
    int nullout = 0 == out;
    FspDeleteSecurityDescriptor(in, 0);
    FspDeleteSecurityDescriptor(mod, 0);
    if (bad >= 0)
        fprintf(stderr, "    case %d\n", bad);
    ASSERT_EQ(-1, bad);
    ASSERT(unprot);
    ASSERT_EQ(STATUS_INVALID_PARAMETER, nullstatus);
    ASSERT(nullout);
}

/* ---- new objects: inheritance ---- */

static void create_sd_test(void)
{
    PSECURITY_DESCRIPTOR parent = 0;
    ASSERT_EQ(STATUS_SUCCESS,
              FspSddlToSecurityDescriptor(
                  L"O:BAG:BAD:P(A;OICI;FA;;;SY)(A;;FA;;;BA)(A;OI;0x1200a9;;;WD)"
                  L"(A;CI;0x1200a9;;;BU)(A;OICINP;FA;;;AU)(A;OICIIO;FA;;;NU)(A;OICI;FA;;;CO)"
                  L"(A;OI;0x1200a9;;;CG)(D;CINP;0x2;;;CG)",
                  &parent, 0));
    FSP_FSCTL_TRANSACT_REQ req;
    memset(&req, 0, sizeof req);
    req.Kind = FspFsctlTransactCreateKind;
    req.CallerUid = 1000;
    req.CallerGid = 100;

    PSECURITY_DESCRIPTOR file = 0, dir = 0, plainfile = 0, plaindir = 0;
    NTSTATUS s1 = FspCreateSecurityDescriptor(0, &req, parent, &file);
    int f = NT_SUCCESS(s1) &&
            sd_is_sddl(file, L"O:S-1-22-1-1000G:S-1-22-2-100D:AI(A;ID;FA;;;SY)"
                             L"(A;ID;0x1200a9;;;WD)(A;ID;FA;;;AU)(A;ID;FA;;;NU)"
                             L"(A;ID;FA;;;S-1-22-1-1000)(A;ID;0x1200a9;;;S-1-22-2-100)");
    req.Req.Create.CreateOptions = FILE_DIRECTORY_FILE;
    NTSTATUS s2 = FspCreateSecurityDescriptor(0, &req, parent, &dir);
    int d = NT_SUCCESS(s2) &&
            sd_is_sddl(dir, L"O:S-1-22-1-1000G:S-1-22-2-100D:AI(A;OICIID;FA;;;SY)"
                            L"(A;OIIOID;0x1200a9;;;WD)(A;CIID;0x1200a9;;;BU)(A;ID;FA;;;AU)"
                            L"(A;OICIID;FA;;;NU)(A;ID;FA;;;S-1-22-1-1000)(A;OICIIOID;FA;;;CO)"
                            L"(A;OIIOID;0x1200a9;;;CG)(D;ID;0x2;;;S-1-22-2-100)");

    /* no inheritable ACEs: the POSIX defaults 0755 (directory) and 0644 (file) */
    PSECURITY_DESCRIPTOR bare = 0;
    FspSddlToSecurityDescriptor(L"O:BAG:BAD:P(A;;FA;;;SY)", &bare, 0);
    NTSTATUS s3 = FspCreateSecurityDescriptor(0, &req, bare, &plaindir);
    req.Req.Create.CreateOptions = 0;
    NTSTATUS s4 = FspCreateSecurityDescriptor(0, &req, 0, &plainfile);
    UINT32 u1 = 0, g1 = 0, m1 = 0, u2 = 0, g2 = 0, m2 = 0;
    if (NT_SUCCESS(s3))
        FspPosixMapSecurityDescriptorToPermissions(plaindir, &u1, &g1, &m1);
    if (NT_SUCCESS(s4))
        FspPosixMapSecurityDescriptorToPermissions(plainfile, &u2, &g2, &m2);
    PSECURITY_DESCRIPTOR none = (PSECURITY_DESCRIPTOR)1;
    NTSTATUS s5 = FspCreateSecurityDescriptor(0, 0, parent, &none);

    FspDeleteSecurityDescriptor(file, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    FspDeleteSecurityDescriptor(dir, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    FspDeleteSecurityDescriptor(plainfile, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    FspDeleteSecurityDescriptor(plaindir, (NTSTATUS(*)())FspCreateSecurityDescriptor);
    FspDeleteSecurityDescriptor(bare, 0);
    FspDeleteSecurityDescriptor(parent, 0);
    ASSERT(f);
    ASSERT(d);
    ASSERT_EQ(STATUS_SUCCESS, s3);
    ASSERT_EQ(STATUS_SUCCESS, s4);
    ASSERT_EQ(1000, u1);
    ASSERT_EQ(100, g1);
    ASSERT_EQ(0755, m1);
    ASSERT_EQ(1000, u2);
    ASSERT_EQ(100, g2);
    ASSERT_EQ(0644, m2);
    ASSERT_EQ(STATUS_INVALID_PARAMETER, s5);
    ASSERT(0 == none);
}

/* The common "creator owner has full control" parent makes the new file the creator's. */
static void create_sd_creator_owner_test(void)
{
    PSECURITY_DESCRIPTOR parent = 0, file = 0;
    ASSERT_EQ(STATUS_SUCCESS,
              FspSddlToSecurityDescriptor(L"O:SYG:SYD:P(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;WD)"
                                          L"(A;OICI;FA;;;SY)",
                                          &parent, 0));
    FSP_FSCTL_TRANSACT_REQ req;
    memset(&req, 0, sizeof req);
    req.Kind = FspFsctlTransactCreateKind;
    req.CallerUid = 1234;
    req.CallerGid = 567;
    NTSTATUS status = FspCreateSecurityDescriptor(0, &req, parent, &file);
    UINT32 uid = 0, gid = 0, mode = 0;
    NTSTATUS status2 = NT_SUCCESS(status)
                           ? FspPosixMapSecurityDescriptorToPermissions(file, &uid, &gid, &mode)
                           : status;
    FspDeleteSecurityDescriptor(file, 0);
    FspDeleteSecurityDescriptor(parent, 0);
    ASSERT_EQ(STATUS_SUCCESS, status);
    ASSERT_EQ(STATUS_SUCCESS, status2);
    ASSERT_EQ(1234, uid);
    ASSERT_EQ(567, gid);
    ASSERT_EQ(0755, mode);
}

static void generic_mapping_test(void)
{
    PGENERIC_MAPPING gm = FspGetFileGenericMapping();
    ASSERT(0 != gm);
    ASSERT_EQ(FILE_GENERIC_READ, gm->GenericRead);
    ASSERT_EQ(FILE_GENERIC_WRITE, gm->GenericWrite);
    ASSERT_EQ(FILE_GENERIC_EXECUTE, gm->GenericExecute);
    ASSERT_EQ(FILE_ALL_ACCESS, gm->GenericAll);
    ASSERT_EQ(0x1F01FF, FILE_ALL_ACCESS);
}

int main(int argc, char **argv)
{
    TLIB_ADD_TEST("security", sid_string_test);
    TLIB_ADD_TEST("security", sid_string_invalid_test);
    TLIB_ADD_TEST("security", sid_valid_equal_test);
    TLIB_ADD_TEST("security", sddl_roundtrip_test);
    TLIB_ADD_TEST("security", sddl_content_test);
    TLIB_ADD_TEST("security", sddl_invalid_test);
    TLIB_ADD_TEST("security", sd_truncated_test);
    TLIB_ADD_TEST("security", sd_garbage_test);
    TLIB_ADD_TEST("security", sd_mutation_test);
    TLIB_ADD_TEST("security", set_security_test);
    TLIB_ADD_TEST("security", create_sd_test);
    TLIB_ADD_TEST("security", create_sd_creator_owner_test);
    TLIB_ADD_TEST("security", generic_mapping_test);
    posix_tests();
    access_tests();
    return tlib_run(argc, argv);
}
