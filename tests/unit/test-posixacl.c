/*
 * tests/unit/test-posixacl.c - POSIX ACLs <-> security descriptors (src/api/posixacl.c), the
 * mapping behind system.posix_acl_access / _default on LinFsp volumes.
 *
 * The rule it must keep: the descriptor made for a POSIX ACL grants no principal more than
 * the ACL does (a Windows client through Samba, or the file system's own checks, must not get
 * more than Linux gives), and exactly as much for a principal that matches at most one group
 * entry; reading the descriptor back gives an ACL with the same effective permissions for
 * everyone. Random ACLs are checked against both evaluations: POSIX.1e's (owner, named user,
 * groups, other, with the mask) and Windows' (ACEs in order, a denial before a grant wins).
 */
#include "posixacl.h"
#include "tlib.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

static uint64_t rng = 0x13198A2E03707344ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

#define OWNER 1000
#define GROUP 100

/* A caller: a uid and its groups. */
struct principal {
    uint32_t uid;
    uint32_t gids[4];
    int ngids;
};

static bool in_groups(const struct principal *p, uint32_t gid)
{
    for (int i = 0; i < p->ngids; i++)
        if (p->gids[i] == gid)
            return true;
    return false;
}

/* POSIX.1e's answer (rwx, bit by bit) for p; *pgroups counts the group entries p matches. */
static uint32_t posix_access(const struct fsp_acl_entry *e, size_t n, uint32_t owner, uint32_t group,
                             const struct principal *p, int *pgroups)
{
    uint32_t mask = 7, g = 0;
    bool has_mask = false;
    *pgroups = 0;
    for (size_t i = 0; i < n; i++)
        if (FSP_ACL_MASK == e[i].tag)
            mask = e[i].perm, has_mask = true;
    for (size_t i = 0; i < n; i++)
        if (FSP_ACL_USER_OBJ == e[i].tag && p->uid == owner)
            return e[i].perm;
    for (size_t i = 0; i < n; i++)
        if (FSP_ACL_USER == e[i].tag && p->uid == e[i].id)
            return e[i].perm & mask;
    for (size_t i = 0; i < n; i++)
        if ((FSP_ACL_GROUP_OBJ == e[i].tag && in_groups(p, group)) ||
            (FSP_ACL_GROUP == e[i].tag && in_groups(p, e[i].id))) {
            (*pgroups)++;
            g |= e[i].perm & (has_mask ? mask : 7);
        }
    if (*pgroups)
        return g;
    for (size_t i = 0; i < n; i++)
        if (FSP_ACL_OTHER == e[i].tag)
            return e[i].perm;
    return 0;
}

/* Windows' answer for p: its user SID, group SIDs and Everyone, ACEs in order. */
static uint32_t windows_access(PSECURITY_DESCRIPTOR sd, const struct principal *p)
{
    PSID sids[8];
    int n = 0;
    FspPosixMapUidToSid(p->uid, &sids[n++]);
    for (int i = 0; i < p->ngids; i++)
        FspPosixMapGidToSid(p->gids[i], &sids[n++]);
    FspStringToSid(L"S-1-1-0", &sids[n++]);
    PACL dacl = FspSecurityDescriptorDacl(sd);
    ACCESS_MASK granted = 0, denied = 0;
    const char *a = dacl ? (const char *)(dacl + 1) : 0;
    for (WORD i = 0; dacl && i < dacl->AceCount; i++) {
        const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)a;
        a += ace->Header.AceSize;
        if (ace->Header.AceFlags & INHERIT_ONLY_ACE)
            continue;
        bool match = false;
        for (int j = 0; j < n && !match; j++)
            match = FspEqualSid((PSID)&ace->SidStart, sids[j]);
        if (!match)
            continue;
        ACCESS_MASK m = ace->Mask;
        if (m & GENERIC_READ)
            m |= FILE_GENERIC_READ;
        if (m & GENERIC_WRITE)
            m |= FILE_GENERIC_WRITE;
        if (m & GENERIC_EXECUTE)
            m |= FILE_GENERIC_EXECUTE;
        if (m & GENERIC_ALL)
            m |= FILE_ALL_ACCESS;
        if (ACCESS_ALLOWED_ACE_TYPE == ace->Header.AceType)
            granted |= m & ~denied;
        else if (ACCESS_DENIED_ACE_TYPE == ace->Header.AceType)
            denied |= m & ~granted;
    }
    for (int j = 0; j < n; j++)
        free(sids[j]);
    if (!dacl)
        return 7;
    return ((granted & FILE_READ_DATA) ? 4 : 0) | ((granted & FILE_WRITE_DATA) ? 2 : 0) |
           ((granted & FILE_EXECUTE) ? 1 : 0);
}

/* A random valid access ACL: the three base entries, up to 3 named users and groups, a mask. */
static size_t random_acl(struct fsp_acl_entry *e, bool force_named)
{
    static const uint32_t users[] = {1001, 1002, 1003, OWNER};
    static const uint32_t groups[] = {200, 201, 202, GROUP};
    size_t n = 0;
    e[n++] = (struct fsp_acl_entry){FSP_ACL_USER_OBJ, (uint16_t)(rnd() % 8), 0};
    e[n++] = (struct fsp_acl_entry){FSP_ACL_GROUP_OBJ, (uint16_t)(rnd() % 8), 0};
    e[n++] = (struct fsp_acl_entry){FSP_ACL_OTHER, (uint16_t)(rnd() % 8), 0};
    unsigned nu = rnd() % 4, ng = rnd() % 4;
    if (force_named && !nu && !ng)
        nu = 1;
    unsigned ustart = rnd() % 4, gstart = rnd() % 4;
    for (unsigned i = 0; i < nu; i++)
        e[n++] = (struct fsp_acl_entry){FSP_ACL_USER, (uint16_t)(rnd() % 8), users[(ustart + i) % 4]};
    for (unsigned i = 0; i < ng; i++)
        e[n++] = (struct fsp_acl_entry){FSP_ACL_GROUP, (uint16_t)(rnd() % 8), groups[(gstart + i) % 4]};
    if (nu || ng)
        e[n++] = (struct fsp_acl_entry){FSP_ACL_MASK, (uint16_t)(rnd() % 8), 0};
    return n;
}

/* The callers the checks try: the owner, named and unnamed users, with every mix of groups. */
static int principals(struct principal *p)
{
    static const uint32_t uids[] = {OWNER, 1001, 1002, 1005};
    static const uint32_t gids[] = {GROUP, 200, 201, 300};
    int n = 0;
    for (int u = 0; u < 4; u++)
        for (unsigned set = 0; set < 16; set++) {
            p[n].uid = uids[u];
            p[n].ngids = 0;
            for (int g = 0; g < 4; g++)
                if (set & (1u << g))
                    p[n].gids[p[n].ngids++] = gids[g];
            n++;
        }
    return n;
}

static void print_acl(const char *what, const struct fsp_acl_entry *e, size_t n)
{
    fprintf(stderr, "    %s:", what);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %x:%u:%u", e[i].tag, e[i].perm, e[i].id);
    fprintf(stderr, "\n");
}

static const char *print_principal(const struct principal *p)
{
    static char buf[128];
    int k = snprintf(buf, sizeof buf, "uid %u groups", p->uid);
    for (int i = 0; i < p->ngids; i++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, " %u", p->gids[i]);
    return buf;
}

/*
 * The descriptor of a random ACL grants each caller at most what POSIX grants (exactly that
 * with at most one matching group entry), and its POSIX view has the same effective rights.
 */
static void acl_access_matches_test(void)
{
    struct principal ps[64];
    int np = principals(ps);
    int fewer = 0;
    for (int round = 0; round < 3000; round++) {
        struct fsp_acl_entry e[12];
        size_t n = random_acl(e, round & 1);
        struct fsp_posix_acls a = {OWNER, GROUP, 0, e, n, 0, 0};
        PSECURITY_DESCRIPTOR sd = 0;
        ASSERT_EQ(fsp_posix_acls_to_sd(&a, 0, 0, &sd), STATUS_SUCCESS);
        ULONG len = FspGetSecurityDescriptorLength(sd);
        bool valid = FspIsValidSecurityDescriptor(sd, len);
        struct fsp_posix_acls b;
        NTSTATUS st = fsp_posix_acls_from_sd(sd, &b);
        const char *why = 0;
        const struct principal *bad = 0;
        uint32_t px = 0, wx = 0, bx = 0;
        for (int i = 0; i < np && !why && NT_SUCCESS(st); i++) {
            int groups, bgroups;
            px = posix_access(e, n, OWNER, GROUP, &ps[i], &groups);
            wx = windows_access(sd, &ps[i]);
            bx = posix_access(b.acc, b.nacc, b.uid, b.gid, &ps[i], &bgroups);
            if (wx & ~px)
                why = "the descriptor grants more than the ACL", bad = &ps[i];
            else if (wx != px && groups <= 1)
                why = "the descriptor grants less than the ACL to a caller of one group", bad = &ps[i];
            else if (bx != px)
                why = "the ACL read back grants otherwise", bad = &ps[i];
            fewer += wx != px;
        }
        if (!valid || !NT_SUCCESS(st) || why) {
            print_acl("acl", e, n);
            if (NT_SUCCESS(st))
                print_acl("read back", b.acc, b.nacc);
            PWSTR sddl = 0;
            if (NT_SUCCESS(FspSecurityDescriptorToSddl(sd, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &sddl)))
                fprintf(stderr, "    sd: %ls\n", sddl);
            free(sddl);
            if (why)
                fprintf(stderr, "    %s: %s: posix %o windows %o read back %o\n", why, print_principal(bad), px, wx, bx);
        }
        bool ok = NT_SUCCESS(st) && b.uid == OWNER && b.gid == GROUP && 0 == b.special && !b.def;
        fsp_posix_acls_free(&b);
        free(sd);
        ASSERT(valid);
        ASSERT_EQ(st, STATUS_SUCCESS);
        ASSERT(!why);
        ASSERT(ok);
    }
    fprintf(stderr, "    (callers of several groups given less by the descriptor: %d of %d)\n", fewer, 3000 * np);
}

/* An ACL of the three base entries is the mode: the descriptor is exactly the mode's. */
static void acl_minimal_is_mode_test(void)
{
    for (uint32_t mode = 0; mode < 010000; mode += 7) {
        struct fsp_acl_entry e[3] = {{FSP_ACL_USER_OBJ, (uint16_t)((mode >> 6) & 7), 0},
                                     {FSP_ACL_GROUP_OBJ, (uint16_t)((mode >> 3) & 7), 0},
                                     {FSP_ACL_OTHER, (uint16_t)(mode & 7), 0}};
        struct fsp_posix_acls a = {OWNER, GROUP, mode & 07000, e, 3, 0, 0};
        PSECURITY_DESCRIPTOR sd = 0, want = 0;
        ASSERT_EQ(fsp_posix_acls_to_sd(&a, 0, SE_DACL_PROTECTED, &sd), STATUS_SUCCESS);
        ASSERT_EQ(FspPosixMapPermissionsToSecurityDescriptor(OWNER, GROUP, mode, &want), STATUS_SUCCESS);
        ULONG l1 = FspGetSecurityDescriptorLength(sd), l2 = FspGetSecurityDescriptorLength(want);
        bool same = l1 == l2 && 0 == memcmp(sd, want, l1);
        uint32_t uid, gid, m2;
        NTSTATUS st = fsp_posix_mode_of_sd(sd, &uid, &gid, &m2);
        struct fsp_posix_acls b;
        NTSTATUS st2 = fsp_posix_acls_from_sd(sd, &b);
        bool three = NT_SUCCESS(st2) && 3 == b.nacc && !b.def && fsp_posix_acls_mode(&b) == mode;
        if (NT_SUCCESS(st2))
            fsp_posix_acls_free(&b);
        free(sd), free(want);
        if (!same || !three)
            fprintf(stderr, "    mode %o\n", mode);
        ASSERT(same);
        ASSERT_EQ(st, STATUS_SUCCESS);
        ASSERT_EQ(m2, mode);
        ASSERT(three);
    }
}

/* The mode of a descriptor with named entries: the group bits are the mask. */
static void acl_mode_is_mask_test(void)
{
    for (int round = 0; round < 500; round++) {
        struct fsp_acl_entry e[12];
        size_t n = random_acl(e, true);
        struct fsp_posix_acls a = {OWNER, GROUP, (rnd() % 8) << 9, e, n, 0, 0};
        PSECURITY_DESCRIPTOR sd = 0;
        ASSERT_EQ(fsp_posix_acls_to_sd(&a, 0, 0, &sd), STATUS_SUCCESS);
        uint32_t uid, gid, mode;
        NTSTATUS st = fsp_posix_mode_of_sd(sd, &uid, &gid, &mode);
        struct fsp_posix_acls b;
        NTSTATUS st2 = fsp_posix_acls_from_sd(sd, &b);
        uint32_t bmode = NT_SUCCESS(st2) ? fsp_posix_acls_mode(&b) : 0;
        if (NT_SUCCESS(st2))
            fsp_posix_acls_free(&b);
        free(sd);
        ASSERT_EQ(st, STATUS_SUCCESS);
        ASSERT_EQ(st2, STATUS_SUCCESS);
        ASSERT_EQ(mode, bmode);
        ASSERT_EQ(mode & 07700, a.special | (uint32_t)e[0].perm << 6);
        ASSERT_EQ(mode & 7, e[2].perm);
        /* the group bits (the mask read back) never show more than the mask set */
        uint32_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (FSP_ACL_MASK == e[i].tag)
                m = e[i].perm;
        uint32_t g = (mode >> 3) & 7;
        ASSERT(0 == (g & ~(m | e[2].perm)));
    }
}

/* chmod(2) on a file with an ACL: the mask takes the group bits, the named entries stay. */
static void acl_chmod_test(void)
{
    struct fsp_acl_entry e[5] = {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_USER, 6, 1001}, {FSP_ACL_GROUP_OBJ, 4, 0},
                                 {FSP_ACL_MASK, 6, 0}, {FSP_ACL_OTHER, 0, 0}};
    struct fsp_posix_acls a = {OWNER, GROUP, 0, e, 5, 0, 0};
    PSECURITY_DESCRIPTOR sd = 0, sd2 = 0;
    ASSERT_EQ(fsp_posix_acls_to_sd(&a, 0, 0, &sd), STATUS_SUCCESS);
    struct fsp_posix_acls b;
    ASSERT_EQ(fsp_posix_acls_from_sd(sd, &b), STATUS_SUCCESS);
    fsp_posix_acls_chmod(&b, 0640);
    NTSTATUS st = fsp_posix_acls_to_sd(&b, sd, 0, &sd2);
    fsp_posix_acls_free(&b);
    struct principal named = {1001, {0}, 0}, member = {1005, {GROUP}, 1};
    uint32_t wn = NT_SUCCESS(st) ? windows_access(sd2, &named) : 99, wm = NT_SUCCESS(st) ? windows_access(sd2, &member) : 99;
    struct fsp_posix_acls c = {0};
    NTSTATUS st2 = NT_SUCCESS(st) ? fsp_posix_acls_from_sd(sd2, &c) : st;
    uint32_t mode = NT_SUCCESS(st2) ? fsp_posix_acls_mode(&c) : 0;
    size_t cn = c.nacc;
    fsp_posix_acls_free(&c);
    free(sd), free(sd2);
    ASSERT_EQ(st, STATUS_SUCCESS);
    ASSERT_EQ(st2, STATUS_SUCCESS);
    ASSERT_EQ(cn, 5);
    ASSERT_EQ(mode, 0640);
    ASSERT_EQ(wn, 4); /* rw- masked by r-- */
    ASSERT_EQ(wm, 4);
}

/* ACEs without a POSIX form survive a rebuild (chmod, setfacl): deny ACEs first, then the others. */
static void acl_keeps_other_aces_test(void)
{
    PSECURITY_DESCRIPTOR cur = 0, nsd = 0;
    ASSERT_EQ(FspSddlToSecurityDescriptor(L"O:S-1-22-1-1000G:S-1-22-2-100D:"
                                          L"(D;;FW;;;S-1-5-21-1-2-3-500)"      /* a domain user */
                                          L"(A;;FA;;;S-1-22-1-1000)(A;;FR;;;S-1-22-2-100)"
                                          L"(A;;FR;;;AU)"                      /* Authenticated Users */
                                          L"(A;OI;FR;;;S-1-22-1-1001)"         /* files only: no POSIX default */
                                          L"(A;;FR;;;WD)",
                                          &cur, 0),
              STATUS_SUCCESS);
    struct fsp_posix_acls a;
    ASSERT_EQ(fsp_posix_acls_from_sd(cur, &a), STATUS_SUCCESS);
    fsp_posix_acls_chmod(&a, 0700);
    NTSTATUS st = fsp_posix_acls_to_sd(&a, cur, 0, &nsd);
    fsp_posix_acls_free(&a);
    PWSTR sddl = 0;
    if (NT_SUCCESS(st))
        FspSecurityDescriptorToSddl(nsd, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &sddl);
    free(cur);
    bool deny_first = false, au = false, oi = false, no_everyone_read = true;
    if (sddl) {
        fprintf(stderr, "    after chmod 700: %ls\n", sddl);
        deny_first = sddl == wcsstr(sddl, L"O:") && wcsstr(sddl, L"D:(D;;") &&
                     wcsstr(sddl, L"S-1-5-21-1-2-3-500") < wcsstr(sddl, L"(A;");
        au = wcsstr(sddl, L";;;AU)");
        oi = wcsstr(sddl, L"(A;OIIO;FR;;;S-1-22-1-1001)") || wcsstr(sddl, L"(A;OIIO;0x");
    }
    struct principal other = {1005, {300}, 1};
    if (NT_SUCCESS(st))
        no_everyone_read = 0 == windows_access(nsd, &other);
    free(sddl);
    free(nsd);
    ASSERT_EQ(st, STATUS_SUCCESS);
    ASSERT(deny_first);
    ASSERT(au);
    ASSERT(oi);
    ASSERT(no_everyone_read);
}

/* A directory's default ACL: inherit-only ACEs for files and directories, read back the same. */
static void acl_default_roundtrip_test(void)
{
    struct principal ps[64];
    int np = principals(ps);
    for (int round = 0; round < 1000; round++) {
        struct fsp_acl_entry acc[3] = {{FSP_ACL_USER_OBJ, 7, 0}, {FSP_ACL_GROUP_OBJ, 5, 0}, {FSP_ACL_OTHER, 5, 0}};
        struct fsp_acl_entry d[12];
        size_t n = random_acl(d, round & 1);
        struct fsp_posix_acls a = {OWNER, GROUP, 0, acc, 3, d, n};
        PSECURITY_DESCRIPTOR sd = 0;
        ASSERT_EQ(fsp_posix_acls_to_sd(&a, 0, 0, &sd), STATUS_SUCCESS);
        bool inh = fsp_sd_has_inheritable(sd, true) && fsp_sd_has_inheritable(sd, false);
        /* every ACE of the default part is OI|CI|IO */
        PACL dacl = FspSecurityDescriptorDacl(sd);
        const char *p = (const char *)(dacl + 1);
        bool flags_ok = true;
        int ninh = 0;
        for (WORD i = 0; i < dacl->AceCount; i++) {
            const ACE_HEADER *h = (const ACE_HEADER *)p;
            p += h->AceSize;
            if (h->AceFlags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)) {
                ninh++;
                flags_ok &= (h->AceFlags & 0xf) == (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE);
            }
        }
        struct fsp_posix_acls b;
        NTSTATUS st = fsp_posix_acls_from_sd(sd, &b);
        bool same = NT_SUCCESS(st) && 3 == b.nacc && b.def;
        /* the default ACL read back grants what it granted, with the creator as owner */
        for (int i = 0; same && i < np; i++) {
            int g1, g2;
            same = posix_access(d, n, OWNER, GROUP, &ps[i], &g1) == posix_access(b.def, b.ndef, OWNER, GROUP, &ps[i], &g2);
            if (!same) {
                print_acl("default", d, n);
                print_acl("read back", b.def, b.ndef);
                fprintf(stderr, "    %s\n", print_principal(&ps[i]));
            }
        }
        if (NT_SUCCESS(st))
            fsp_posix_acls_free(&b);
        free(sd);
        ASSERT(inh);
        ASSERT(flags_ok && ninh > 0);
        ASSERT(same);
    }
}

/* Descriptors that are not POSIX-made: no DACL, an empty DACL, inherited ACEs only. */
static void acl_foreign_sd_test(void)
{
    static const wchar_t *sddls[] = {
        L"O:S-1-22-1-1000G:S-1-22-2-100",                            /* no DACL: everything */
        L"O:S-1-22-1-1000G:S-1-22-2-100D:",                          /* an empty DACL: nothing */
        L"O:S-1-22-1-1000G:S-1-22-2-100D:(A;ID;FA;;;WD)",
        L"O:BAG:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)(A;;0x1200a9;;;BU)",
        L"O:S-1-22-1-1000G:S-1-22-2-100D:(A;;GR;;;S-1-22-1-1001)(D;;GW;;;S-1-22-2-200)(A;;GA;;;S-1-22-2-200)",
    };
    static const uint32_t want_other[] = {7, 0, 7, 0, 0};
    for (size_t i = 0; i < sizeof sddls / sizeof sddls[0]; i++) {
        PSECURITY_DESCRIPTOR sd = 0;
        ASSERT_EQ(FspSddlToSecurityDescriptor(sddls[i], &sd, 0), STATUS_SUCCESS);
        struct fsp_posix_acls a;
        NTSTATUS st = fsp_posix_acls_from_sd(sd, &a);
        struct principal ps[64];
        int np = principals(ps);
        const char *why = 0;
        /* the view never grants more than the descriptor */
        for (int k = 0; NT_SUCCESS(st) && k < np && !why; k++) {
            int g;
            uint32_t px = posix_access(a.acc, a.nacc, a.uid, a.gid, &ps[k], &g);
            if (px & ~windows_access(sd, &ps[k]) && ps[k].uid != a.uid)
                why = print_principal(&ps[k]);
        }
        struct principal nobody = {4242, {4242}, 1};
        int g;
        uint32_t other = NT_SUCCESS(st) ? posix_access(a.acc, a.nacc, a.uid, a.gid, &nobody, &g) : 99;
        if (NT_SUCCESS(st))
            fsp_posix_acls_free(&a);
        free(sd);
        if (why)
            fprintf(stderr, "    %ls: the view grants more to %s\n", sddls[i], why);
        ASSERT_EQ(st, STATUS_SUCCESS);
        ASSERT(!why);
        ASSERT_EQ(other, want_other[i]);
    }
}

int main(int argc, char **argv)
{
    TLIB_ADD_TEST("posixacl", acl_access_matches_test);
    TLIB_ADD_TEST("posixacl", acl_minimal_is_mode_test);
    TLIB_ADD_TEST("posixacl", acl_mode_is_mask_test);
    TLIB_ADD_TEST("posixacl", acl_chmod_test);
    TLIB_ADD_TEST("posixacl", acl_keeps_other_aces_test);
    TLIB_ADD_TEST("posixacl", acl_default_roundtrip_test);
    TLIB_ADD_TEST("posixacl", acl_foreign_sd_test);
    return tlib_run(argc, argv);
}
