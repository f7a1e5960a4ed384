/*
 * tests/unit/test-access.c - access tokens (FspPosixCreateAccessToken) and the access check
 * (FspAccessCheckToken), LinFsp extensions the launcher decides with; and
 * FspSecurityDescriptorAddAccessAllowedAce. Linked into test-security (group "access").
 */
#include <winfsp/winfsp.h>
#include <winfsp/launch.h>
#include "tlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

void access_tests(void);

static PSID sid(const wchar_t *s)
{
    PSID p = 0;
    return NT_SUCCESS(FspStringToSid(s, &p)) ? p : 0;
}

static PSECURITY_DESCRIPTOR sd_of(const wchar_t *sddl)
{
    PSECURITY_DESCRIPTOR sd = 0;
    return NT_SUCCESS(FspSddlToSecurityDescriptor(sddl, &sd, 0)) ? sd : 0;
}

static bool token_has(FSP_ACCESS_TOKEN *t, const wchar_t *s)
{
    PSID p = sid(s);
    bool r = p && FspAccessTokenHasSid(t, p);
    free(p);
    return r;
}

static void access_token_test(void)
{
    UINT32 groups[] = {27, 100, 27};
    FSP_ACCESS_TOKEN *t = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(1000, 100, groups, 3, &t));
    PSID user = sid(L"S-1-22-1-1000");
    ASSERT(FspEqualSid(FspAccessTokenUserSid(t), user));
    ASSERT(FspEqualSid(FspAccessTokenSid(t, 0), user));
    free(user);
    /* user, its groups once each, Everyone, Authenticated Users */
    ASSERT_EQ(5, FspAccessTokenSidCount(t));
    ASSERT(token_has(t, L"S-1-22-2-100") && token_has(t, L"S-1-22-2-27"));
    ASSERT(token_has(t, L"WD") && token_has(t, L"AU"));
    ASSERT(!token_has(t, L"SY") && !token_has(t, L"BA") && !token_has(t, L"S-1-22-1-0"));
    ASSERT(0 == FspAccessTokenSid(t, 5));
    /* more SIDs: added once; invalid ones refused */
    PSID ba = sid(L"BA");
    ASSERT_EQ(STATUS_SUCCESS, FspAccessTokenAddSid(t, ba));
    ASSERT_EQ(STATUS_SUCCESS, FspAccessTokenAddSid(t, ba));
    ASSERT_EQ(6, FspAccessTokenSidCount(t));
    ASSERT(token_has(t, L"BA"));
    free(ba);
    BYTE bad[8] = {2, 1, 0, 0, 0, 0, 0, 5};
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspAccessTokenAddSid(t, (PSID)bad));
    FspDeleteAccessToken(t);
    /* root: also LocalSystem and Administrators */
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(0, 0, 0, 0, &t));
    ASSERT(token_has(t, L"S-1-22-1-0") && token_has(t, L"S-1-22-2-0") && token_has(t, L"SY") &&
           token_has(t, L"BA") && token_has(t, L"WD"));
    FspDeleteAccessToken(t);
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspPosixCreateAccessToken(1, 1, 0, 2, &t));
    ASSERT(0 == t);
}

/* For every mode, the access check gives owner, group members and others what POSIX does. */
static void access_check_mode_test(void)
{
    FSP_ACCESS_TOKEN *owner = 0, *owner_in_group = 0, *member = 0, *other = 0;
    UINT32 g100[] = {100}, g300[] = {300, 301};
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(1000, 500, 0, 0, &owner));
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(1000, 500, g100, 1, &owner_in_group));
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(2000, 600, g100, 1, &member));
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(3000, 300, g300, 2, &other));
    FSP_ACCESS_TOKEN *who[] = {owner, owner_in_group, member, other};
    PGENERIC_MAPPING map = FspGetFileGenericMapping();
    int bad = 0;
    for (UINT32 mode = 0; mode <= 07777 && !bad; mode++) {
        PSECURITY_DESCRIPTOR sd = 0;
        ASSERT_EQ(STATUS_SUCCESS, FspPosixMapPermissionsToSecurityDescriptor(1000, 100, mode, &sd));
        UINT32 cls[] = {(mode >> 6) & 7, (mode >> 6) & 7, (mode >> 3) & 7, mode & 7};
        for (int w = 0; w < 4 && !bad; w++) {
            ACCESS_MASK granted = 0;
            NTSTATUS s = FspAccessCheckToken(sd, who[w], MAXIMUM_ALLOWED, map, &granted);
            UINT32 rwx = ((granted & FILE_READ_DATA) ? 4 : 0) | ((granted & FILE_WRITE_DATA) ? 2 : 0) |
                         ((granted & FILE_EXECUTE) ? 1 : 0);
            if (!NT_SUCCESS(s) || rwx != cls[w])
                bad = 1;
            /* one right asked for: granted exactly when POSIX allows it */
            static const ACCESS_MASK rights[] = {FILE_READ_DATA, FILE_WRITE_DATA, FILE_EXECUTE};
            static const UINT32 bits[] = {4, 2, 1};
            for (int r = 0; r < 3; r++) {
                s = FspAccessCheckToken(sd, who[w], rights[r], map, &granted);
                if ((NT_SUCCESS(s) && granted == rights[r]) != !!(cls[w] & bits[r]) ||
                    (!NT_SUCCESS(s) && STATUS_ACCESS_DENIED != s))
                    bad = 2;
            }
            /* the owner may change the DACL; nobody else */
            s = FspAccessCheckToken(sd, who[w], WRITE_DAC, map, 0);
            if (NT_SUCCESS(s) != (w < 2))
                bad = 3;
            if (bad)
                fprintf(stderr, "    mode 0%o, caller %d: granted 0x%x (check %d)\n", mode, w,
                        (unsigned)granted, bad);
        }
        FspDeleteSecurityDescriptor(sd, 0);
    }
    for (int w = 0; w < 4; w++)
        FspDeleteAccessToken(who[w]);
    ASSERT_EQ(0, bad);
}

/* Windows' rules: ACE order, no DACL, empty DACL, owner rights, inherit-only ACEs, generic
 * rights, the launcher's service rights. */
static void access_check_rules_test(void)
{
    FSP_ACCESS_TOKEN *user = 0, *root = 0;
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(1000, 100, 0, 0, &user));
    ASSERT_EQ(STATUS_SUCCESS, FspPosixCreateAccessToken(0, 0, 0, 0, &root));
    PGENERIC_MAPPING map = FspGetFileGenericMapping();
    static const struct {
        const wchar_t *sddl;
        int token; /* 0 user, 1 root */
        ACCESS_MASK desired;
        NTSTATUS status;
        ACCESS_MASK granted;
    } cases[] = {
        /* a deny before an allow wins; an allow before a deny wins */
        {L"D:(D;;0x1;;;WD)(A;;FA;;;WD)", 0, FILE_READ_DATA, STATUS_ACCESS_DENIED, 0},
        {L"D:(D;;0x1;;;WD)(A;;FA;;;WD)", 0, FILE_WRITE_DATA, STATUS_SUCCESS, FILE_WRITE_DATA},
        {L"D:(A;;0x1;;;WD)(D;;FA;;;WD)", 0, FILE_READ_DATA, STATUS_SUCCESS, FILE_READ_DATA},
        {L"D:(A;;0x1;;;WD)(D;;FA;;;WD)", 0, FILE_READ_DATA | FILE_WRITE_DATA, STATUS_ACCESS_DENIED, 0},
        /* rights are added up over the ACEs that apply */
        {L"D:(A;;0x1;;;S-1-22-1-1000)(A;;0x2;;;S-1-22-2-100)", 0, 0x3, STATUS_SUCCESS, 0x3},
        {L"D:(A;;0x1;;;S-1-22-1-1001)(A;;0x2;;;S-1-22-2-100)", 0, 0x3, STATUS_ACCESS_DENIED, 0},
        /* no DACL: everything; an empty DACL: nothing */
        {L"O:SYG:SY", 0, FILE_ALL_ACCESS, STATUS_SUCCESS, FILE_ALL_ACCESS},
        {L"O:SYG:SYD:", 1, FILE_READ_DATA, STATUS_ACCESS_DENIED, 0},
        /* the owner: READ_CONTROL and WRITE_DAC, unless OWNER RIGHTS ACEs say otherwise */
        {L"O:S-1-22-1-1000D:", 0, READ_CONTROL | WRITE_DAC, STATUS_SUCCESS, READ_CONTROL | WRITE_DAC},
        {L"O:S-1-22-1-1000D:(A;;0x1;;;OW)", 0, WRITE_DAC, STATUS_ACCESS_DENIED, 0},
        {L"O:S-1-22-1-1000D:(A;;0x1;;;OW)", 0, FILE_READ_DATA, STATUS_SUCCESS, FILE_READ_DATA},
        {L"O:S-1-22-1-1001D:(A;;0x1;;;OW)", 0, FILE_READ_DATA, STATUS_ACCESS_DENIED, 0},
        /* inherit-only ACEs do not apply to the object itself */
        {L"D:(A;OICIIO;FA;;;WD)", 0, FILE_READ_DATA, STATUS_ACCESS_DENIED, 0},
        {L"D:(A;OICI;FA;;;WD)", 0, FILE_READ_DATA, STATUS_SUCCESS, FILE_READ_DATA},
        /* generic rights, in ACEs and asked for */
        {L"D:(A;;GA;;;WD)", 0, FILE_ALL_ACCESS, STATUS_SUCCESS, FILE_ALL_ACCESS},
        {L"D:(A;;FR;;;WD)", 0, GENERIC_READ, STATUS_SUCCESS, FILE_GENERIC_READ},
        {L"D:(A;;FR;;;WD)", 0, GENERIC_WRITE, STATUS_ACCESS_DENIED, 0},
        /* MAXIMUM_ALLOWED: what the DACL gives */
        {L"D:(A;;0x3;;;WD)(D;;0x2;;;AU)", 0, MAXIMUM_ALLOWED, STATUS_SUCCESS, 0x3},
        {L"D:(D;;0x2;;;AU)(A;;0x3;;;WD)", 0, MAXIMUM_ALLOWED, STATUS_SUCCESS, 0x1},
        {L"D:(A;;0x1;;;S-1-22-1-5)", 0, MAXIMUM_ALLOWED, STATUS_ACCESS_DENIED, 0},
        /* the SACL is not reachable; nothing asked for is refused */
        {L"D:(A;;GA;;;WD)", 1, ACCESS_SYSTEM_SECURITY, STATUS_PRIVILEGE_NOT_HELD, 0},
        {L"D:(A;;GA;;;WD)", 1, 0, STATUS_ACCESS_DENIED, 0},
    };
    for (size_t i = 0; i < ARRAYSIZE(cases); i++) {
        PSECURITY_DESCRIPTOR sd = sd_of(cases[i].sddl);
        ASSERT(sd);
        ACCESS_MASK granted = 0xdeadbeef;
        NTSTATUS s = FspAccessCheckToken(sd, cases[i].token ? root : user, cases[i].desired, map,
                                         &granted);
        free(sd);
        if (s != cases[i].status || granted != cases[i].granted)
            fprintf(stderr, "    case %zu (%ls): status 0x%08x granted 0x%x\n", i, cases[i].sddl,
                    (unsigned)s, (unsigned)granted);
        ASSERT_EQ(cases[i].status, s);
        ASSERT_EQ(cases[i].granted, granted);
    }
    /* the launcher's default instance security: root (SY, BA) may start, stop and query */
    GENERIC_MAPPING svc = {READ_CONTROL | SERVICE_QUERY_STATUS, READ_CONTROL,
                           READ_CONTROL | SERVICE_START | SERVICE_STOP, SERVICE_ALL_ACCESS};
    PSECURITY_DESCRIPTOR sd = sd_of(L"O:SYG:SYD:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)");
    ASSERT(sd);
    ASSERT_EQ(STATUS_SUCCESS, FspAccessCheckToken(sd, root, SERVICE_START, &svc, 0));
    ASSERT_EQ(STATUS_SUCCESS, FspAccessCheckToken(sd, root, SERVICE_STOP | SERVICE_QUERY_STATUS, &svc, 0));
    ASSERT_EQ(STATUS_ACCESS_DENIED, FspAccessCheckToken(sd, user, SERVICE_START, &svc, 0));
    ASSERT_EQ(STATUS_ACCESS_DENIED, FspAccessCheckToken(sd, user, SERVICE_QUERY_STATUS, &svc, 0));
    /* a member of an administrators' group, given BA */
    PSID ba = sid(L"BA");
    ASSERT_EQ(STATUS_SUCCESS, FspAccessTokenAddSid(user, ba));
    ASSERT_EQ(STATUS_SUCCESS, FspAccessCheckToken(sd, user, SERVICE_START, &svc, 0));
    free(ba);
    free(sd);
    /* invalid arguments: not a self-relative descriptor (revision 2, or no SE_SELF_RELATIVE) */
    BYTE garbage[32] = {2, 0, 0x04, 0x80};
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspAccessCheckToken(garbage, root, SERVICE_START, &svc, 0));
    BYTE absolute[32] = {1, 0, 0x04, 0x00};
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspAccessCheckToken(absolute, root, SERVICE_START, &svc, 0));
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspAccessCheckToken(0, root, SERVICE_START, &svc, 0));
    FspDeleteAccessToken(user);
    FspDeleteAccessToken(root);
}

static void add_allowed_ace_test(void)
{
    PSECURITY_DESCRIPTOR in = sd_of(L"O:SYG:SYD:P(A;;RPWPLC;;;SY)(D;;WP;;;WD)"), out = 0;
    PSID user = sid(L"S-1-22-1-1000");
    ASSERT(in && user);
    ASSERT_EQ(STATUS_SUCCESS,
              FspSecurityDescriptorAddAccessAllowedAce(in, SERVICE_STOP | SERVICE_QUERY_STATUS, user, &out));
    PSECURITY_DESCRIPTOR want = sd_of(L"O:SYG:SYD:P(A;;RPWPLC;;;SY)(D;;WP;;;WD)(A;;0x24;;;S-1-22-1-1000)");
    ASSERT(want);
    ULONG len = FspGetSecurityDescriptorLength(out);
    ASSERT(len && len == FspGetSecurityDescriptorLength(want));
    ASSERT(0 == memcmp(out, want, len));
    free(out), free(want);
    /* no DACL: already everything, copied unchanged */
    PSECURITY_DESCRIPTOR open_sd = sd_of(L"O:SYG:SY");
    ASSERT_EQ(STATUS_SUCCESS, FspSecurityDescriptorAddAccessAllowedAce(open_sd, 0x24, user, &out));
    len = FspGetSecurityDescriptorLength(out);
    ASSERT(len == FspGetSecurityDescriptorLength(open_sd) && 0 == memcmp(out, open_sd, len));
    free(out), free(open_sd), free(in);
    BYTE bad[8] = {2, 1, 0, 0, 0, 0, 0, 5};
    in = sd_of(L"D:");
    ASSERT_EQ(STATUS_INVALID_PARAMETER, FspSecurityDescriptorAddAccessAllowedAce(in, 1, (PSID)bad, &out));
    ASSERT(0 == out);
    free(in), free(user);
}

void access_tests(void)
{
    TLIB_ADD_TEST("access", access_token_test);
    TLIB_ADD_TEST("access", access_check_mode_test);
    TLIB_ADD_TEST("access", access_check_rules_test);
    TLIB_ADD_TEST("access", add_allowed_ace_test);
}
