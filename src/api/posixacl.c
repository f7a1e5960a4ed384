/*
 * src/api/posixacl.c - POSIX ACLs <-> security descriptors (see posixacl.h and
 * doc/posix-mapping.md). The ACEs made for a POSIX ACL follow the mode mapping of posix.c:
 * every entry's allow ACE carries its rwx, and a deny ACE in front takes away what it would
 * otherwise get from Everyone, a group or the mask, so that Windows' evaluation (rights add up,
 * a denial first wins) grants each SID what POSIX grants the id.
 */
#include "api.h"
#include "posixacl.h"
#include "secutil.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BASE_RIGHTS FSP_POSIX_BASE_RIGHTS
#define OWNER_RIGHTS FSP_POSIX_OWNER_RIGHTS
#define SPECIAL_ISVTX FSP_POSIX_SPECIAL_ISVTX
#define SPECIAL_ISGID FSP_POSIX_SPECIAL_ISGID
#define SPECIAL_ISUID FSP_POSIX_SPECIAL_ISUID

static bool sid_is(PSID sid, uint64_t auth, DWORD sub0)
{
    const SID *s = sid;
    return 1 == s->SubAuthorityCount && auth == fsp_sid_authority(sid) && sub0 == s->SubAuthority[0];
}

#define IS_EVERYONE(s) sid_is((s), 1, 0)
#define IS_NULL_SID(s) sid_is((s), 0, 0)
#define IS_CREATOR_OWNER(s) sid_is((s), 3, 0)
#define IS_CREATOR_GROUP(s) sid_is((s), 3, 1)

/* A SID that is a POSIX id: the mapping makes an id of it and the same SID of that id. */
static bool sid_id(PSID sid, bool *pgroup, uint32_t *pid)
{
    uint32_t id;
    if (!NT_SUCCESS(FspPosixMapSidToUid(sid, &id)))
        return false;
    PSID back = 0;
    bool ok = false;
    if (NT_SUCCESS(FspPosixMapUidToSid(id, &back)) && FspEqualSid(back, sid))
        ok = true, *pgroup = false;
    free(back);
    back = 0;
    if (!ok && NT_SUCCESS(FspPosixMapGidToSid(id, &back)) && FspEqualSid(back, sid))
        ok = true, *pgroup = true;
    free(back);
    *pid = id;
    return ok;
}

#define INHERIT_FLAGS (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | NO_PROPAGATE_INHERIT_ACE | INHERIT_ONLY_ACE)

static bool is_allow_deny(const ACE_HEADER *h)
{
    return (ACCESS_ALLOWED_ACE_TYPE == h->AceType || ACCESS_DENIED_ACE_TYPE == h->AceType) &&
           h->AceSize >= offsetof(ACCESS_ALLOWED_ACE, SidStart) + 8;
}

static PSID ace_sid(const ACE_HEADER *h)
{
    return (PSID) & ((const ACCESS_ALLOWED_ACE *)h)->SidStart;
}

/* Does the ACE count in the access view (dflt false) or the default view (dflt true)? */
static bool in_view(const ACE_HEADER *h, bool dflt)
{
    if (!is_allow_deny(h))
        return false;
    if (!dflt)
        return !(h->AceFlags & INHERIT_ONLY_ACE);
    return (h->AceFlags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | NO_PROPAGATE_INHERIT_ACE)) ==
           (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE);
}

/* The ACEs of an ACL (NULL: none), one by one: FOR_ACES(acl, h) { ... h ... } */
struct ace_iter {
    const char *p;
    WORD left;
};

static struct ace_iter ace_iter_of(const ACL *acl)
{
    struct ace_iter it = {acl ? (const char *)(acl + 1) : 0, acl ? acl->AceCount : 0};
    return it;
}

static const ACE_HEADER *ace_next(struct ace_iter *it)
{
    if (!it->left)
        return 0;
    const ACE_HEADER *h = (const ACE_HEADER *)it->p;
    it->p += h->AceSize;
    it->left--;
    return h;
}

#define FOR_ACES(acl, h)                                                                           \
    for (struct ace_iter it_ = ace_iter_of(acl), *once_ = &it_; once_; once_ = 0)                  \
        for (const ACE_HEADER *h; (h = ace_next(&it_));)

/* Windows' answer for sid (with Everyone's ACEs; both when sid is NULL: Everyone alone). */
static uint32_t eval(const ACL *acl, bool dflt, PSID sid)
{
    ACCESS_MASK allow = 0, deny = 0;
    FOR_ACES(acl, h)
    {
        if (!in_view(h, dflt))
            continue;
        PSID s = ace_sid(h);
        if (!IS_EVERYONE(s) && !(sid && FspEqualSid(s, sid)))
            continue;
        ACCESS_MASK m = fsp_map_generic(((const ACCESS_ALLOWED_ACE *)h)->Mask);
        if (ACCESS_ALLOWED_ACE_TYPE == h->AceType)
            allow |= m & ~deny;
        else
            deny |= m & ~allow;
    }
    return fsp_posix_rwx_of(allow);
}

/* The rwx that the sid's own allow ACEs carry. */
static uint32_t raw(const ACL *acl, bool dflt, PSID sid)
{
    ACCESS_MASK allow = 0;
    FOR_ACES(acl, h)
    {
        if (in_view(h, dflt) && ACCESS_ALLOWED_ACE_TYPE == h->AceType && FspEqualSid(ace_sid(h), sid))
            allow |= fsp_map_generic(((const ACCESS_ALLOWED_ACE *)h)->Mask);
    }
    return fsp_posix_rwx_of(allow);
}

/* Is this SID one the view shows as USER_OBJ, GROUP_OBJ or OTHER? */
static bool obj_sid(PSID s, bool dflt, PSID owner, PSID group)
{
    if (IS_EVERYONE(s))
        return true;
    if (dflt)
        return IS_CREATOR_OWNER(s) || IS_CREATOR_GROUP(s);
    return (owner && FspEqualSid(s, owner)) || (group && FspEqualSid(s, group));
}

/* One view (access or default) of acl. *pn 0 for a default view without inheritable ACEs. */
static NTSTATUS view_of(const ACL *acl, bool dflt, PSID owner, PSID group,
                        struct fsp_acl_entry **pe, size_t *pn)
{
    *pe = 0;
    *pn = 0;
    size_t cap = 4, n = 0;
    bool any = false;
    FOR_ACES(acl, h)
    {
        if (in_view(h, dflt)) {
            any = true;
            if (!obj_sid(ace_sid(h), dflt, owner, group) && !IS_NULL_SID(ace_sid(h)))
                cap++;
        }
    }
    if (dflt && !any)
        return STATUS_SUCCESS;
    struct fsp_acl_entry *e = calloc(cap, sizeof *e);
    PSID *sids = calloc(cap, sizeof *sids);
    if (!e || !sids) {
        free(e), free(sids);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FSP_SID_BUF co, cg;
    fsp_sid_init(&co, 3, 1, 0);
    fsp_sid_init(&cg, 3, 1, 1);
    PSID uo = dflt ? (PSID)&co : owner, go = dflt ? (PSID)&cg : group;
    e[n++] = (struct fsp_acl_entry){FSP_ACL_USER_OBJ, (uint16_t)(uo ? eval(acl, dflt, uo) : 0), 0};
    e[n++] = (struct fsp_acl_entry){FSP_ACL_GROUP_OBJ, (uint16_t)(go ? eval(acl, dflt, go) : 0), 0};
    e[n++] = (struct fsp_acl_entry){FSP_ACL_OTHER, (uint16_t)eval(acl, dflt, 0), 0};
    /* the named entries: each SID once */
    size_t first_named = n;
    uint16_t rawp[64 + 4];
    FOR_ACES(acl, h)
    {
        if (!in_view(h, dflt))
            continue;
        PSID s = ace_sid(h);
        bool grp;
        uint32_t id;
        if (obj_sid(s, dflt, owner, group) || IS_NULL_SID(s) || !sid_id(s, &grp, &id))
            continue;
        bool seen = false;
        for (size_t k = first_named; k < n && !seen; k++)
            seen = FspEqualSid(sids[k], s);
        if (seen)
            continue;
        sids[n] = s;
        e[n++] = (struct fsp_acl_entry){grp ? FSP_ACL_GROUP : FSP_ACL_USER, (uint16_t)eval(acl, dflt, s), id};
    }
    if (n > first_named) {
        /* the mask: the group class's rights; each entry shows its own ACE's rwx when that and
         * the mask give what Windows grants, else what Windows grants */
        uint16_t m = e[1].perm;
        for (size_t k = first_named; k < n; k++)
            m |= e[k].perm;
        /* Linux skips the ACL when the mode's group bits (the mask) are empty, and a named
         * entry would then get the others' rights: never show an empty mask while others
         * have rights (the entries show what Windows grants them either way) */
        if (0 == m)
            m = e[2].perm;
        bool consistent = n - first_named < 64;
        for (size_t k = 1; consistent && k < n; k++) {
            if (2 == k)
                continue;
            PSID s = 1 == k ? go : sids[k];
            rawp[k < first_named ? 0 : k - first_named + 1] = s ? (uint16_t)raw(acl, dflt, s) : 0;
            consistent = (rawp[k < first_named ? 0 : k - first_named + 1] & m) == e[k].perm;
        }
        if (consistent) {
            e[1].perm = rawp[0];
            for (size_t k = first_named; k < n; k++)
                e[k].perm = rawp[k - first_named + 1];
        }
        e[n++] = (struct fsp_acl_entry){FSP_ACL_MASK, m, 0};
    }
    free(sids);
    *pe = e;
    *pn = n;
    return STATUS_SUCCESS;
}

NTSTATUS fsp_posix_acls_from_sd(PSECURITY_DESCRIPTOR sd, struct fsp_posix_acls *out)
{
    memset(out, 0, sizeof *out);
    PSID owner = FspSecurityDescriptorOwner(sd), group = FspSecurityDescriptorGroup(sd);
    UINT32 mode;
    NTSTATUS status = FspPosixMapSecurityDescriptorToPermissions(sd, &out->uid, &out->gid, &mode);
    if (!NT_SUCCESS(status))
        return status;
    out->special = mode & (S_ISUID | S_ISGID | S_ISVTX);
    const ACL *dacl = FspSecurityDescriptorDacl(sd);
    if (!dacl) {
        /* no DACL grants everything */
        out->acc = calloc(3, sizeof *out->acc);
        if (!out->acc)
            return STATUS_INSUFFICIENT_RESOURCES;
        out->acc[0] = (struct fsp_acl_entry){FSP_ACL_USER_OBJ, 7, 0};
        out->acc[1] = (struct fsp_acl_entry){FSP_ACL_GROUP_OBJ, 7, 0};
        out->acc[2] = (struct fsp_acl_entry){FSP_ACL_OTHER, 7, 0};
        out->nacc = 3;
        return STATUS_SUCCESS;
    }
    status = view_of(dacl, false, owner, group, &out->acc, &out->nacc);
    if (NT_SUCCESS(status))
        status = view_of(dacl, true, owner, group, &out->def, &out->ndef);
    if (!NT_SUCCESS(status))
        fsp_posix_acls_free(out);
    return status;
}

void fsp_posix_acls_free(struct fsp_posix_acls *a)
{
    free(a->acc);
    free(a->def);
    a->acc = a->def = 0;
    a->nacc = a->ndef = 0;
}

static struct fsp_acl_entry *find(struct fsp_acl_entry *e, size_t n, uint16_t tag)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].tag == tag)
            return &e[i];
    return 0;
}

uint32_t fsp_posix_acls_mode(const struct fsp_posix_acls *a)
{
    struct fsp_acl_entry *u = find(a->acc, a->nacc, FSP_ACL_USER_OBJ),
                         *g = find(a->acc, a->nacc, FSP_ACL_GROUP_OBJ),
                         *o = find(a->acc, a->nacc, FSP_ACL_OTHER),
                         *m = find(a->acc, a->nacc, FSP_ACL_MASK);
    uint32_t gbits = m ? m->perm : g ? g->perm : 0;
    return a->special | (u ? u->perm : 0) << 6 | gbits << 3 | (o ? o->perm : 0);
}

void fsp_posix_acls_chmod(struct fsp_posix_acls *a, uint32_t mode)
{
    struct fsp_acl_entry *u = find(a->acc, a->nacc, FSP_ACL_USER_OBJ),
                         *g = find(a->acc, a->nacc, FSP_ACL_GROUP_OBJ),
                         *o = find(a->acc, a->nacc, FSP_ACL_OTHER),
                         *m = find(a->acc, a->nacc, FSP_ACL_MASK);
    if (u)
        u->perm = (mode >> 6) & 7;
    if (m)
        m->perm = (mode >> 3) & 7;
    else if (g)
        g->perm = (mode >> 3) & 7;
    if (o)
        o->perm = mode & 7;
    a->special = mode & (S_ISUID | S_ISGID | S_ISVTX);
}

/* The ACEs of one POSIX ACL: as posix.c's mode mapping, extended to named entries. */
static NTSTATUS add_view(struct fsp_acl_builder *b, const struct fsp_acl_entry *e, size_t n,
                         bool dflt, uint32_t special, PSID owner, PSID group)
{
    FSP_SID_BUF everyone, nobody, co, cg;
    fsp_sid_init(&everyone, 1, 1, 0);
    fsp_sid_init(&nobody, 0, 1, 0);
    fsp_sid_init(&co, 3, 1, 0);
    fsp_sid_init(&cg, 3, 1, 1);
    BYTE flags = dflt ? (BYTE)(OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE) : 0;
    PSID uo = dflt ? (PSID)&co : owner, go = dflt ? (PSID)&cg : group;
    const struct fsp_acl_entry *ue = find((struct fsp_acl_entry *)e, n, FSP_ACL_USER_OBJ),
                               *oe = find((struct fsp_acl_entry *)e, n, FSP_ACL_OTHER),
                               *me = find((struct fsp_acl_entry *)e, n, FSP_ACL_MASK);
    uint32_t o = ue ? ue->perm & 7 : 0, w = oe ? oe->perm & 7 : 0, m = me ? me->perm & 7 : 7;
    bool sticky = !dflt && (special & S_ISVTX);
    /* what the group class grants, after the mask */
    uint32_t geff = 0;
    for (size_t i = 0; i < n; i++)
        if (FSP_ACL_GROUP_OBJ == e[i].tag || FSP_ACL_GROUP == e[i].tag)
            geff |= e[i].perm & m;
    NTSTATUS status = STATUS_SUCCESS;
    ACCESS_MASK sp = ((special & S_ISUID) ? SPECIAL_ISUID : 0) | ((special & S_ISGID) ? SPECIAL_ISGID : 0) |
                     ((special & S_ISVTX) ? SPECIAL_ISVTX : 0);
    if (!dflt && sp)
        status = fsp_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, 0, sp, &nobody);
    ACCESS_MASK odeny = fsp_posix_rights_of((geff | w) & ~o, false, false);
    if (NT_SUCCESS(status) && odeny && uo)
        status = fsp_acl_add(b, ACCESS_DENIED_ACE_TYPE, flags, odeny, uo);
    if (NT_SUCCESS(status) && uo)
        status = fsp_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, flags,
                             BASE_RIGHTS | OWNER_RIGHTS | fsp_posix_rights_of(o, sticky, true), uo);
    /* A named entry for the owning group: its members get both entries' rights (POSIX), so
     * the owning group's ACEs carry both. (One for the owner never applies: the owner has
     * USER_OBJ's rights alone.) */
    uint32_t gextra = 0;
    for (size_t i = 0; i < n && NT_SUCCESS(status) && go; i++) {
        PSID sid = 0;
        if (FSP_ACL_GROUP != e[i].tag || !NT_SUCCESS(FspPosixMapGidToSid(e[i].id, &sid)))
            continue;
        if (FspEqualSid(sid, go))
            gextra |= e[i].perm & 7;
        free(sid);
    }
    /* named users, the owning group, named groups */
    static const uint16_t order[3] = {FSP_ACL_USER, FSP_ACL_GROUP_OBJ, FSP_ACL_GROUP};
    for (int k = 0; k < 3 && NT_SUCCESS(status); k++)
        for (size_t i = 0; i < n && NT_SUCCESS(status); i++) {
            if (e[i].tag != order[k])
                continue;
            PSID sid = 0;
            if (FSP_ACL_GROUP_OBJ == e[i].tag)
                sid = go;
            else if (FSP_ACL_USER == e[i].tag)
                status = FspPosixMapUidToSid(e[i].id, &sid);
            else
                status = FspPosixMapGidToSid(e[i].id, &sid);
            if (!NT_SUCCESS(status) || !sid)
                continue;
            if (sid != go && (FspEqualSid(sid, uo) || FspEqualSid(sid, go))) {
                free(sid); /* the owner or the owning group: their own entries count */
                continue;
            }
            uint32_t p = (e[i].perm | (FSP_ACL_GROUP_OBJ == e[i].tag ? gextra : 0)) & 7, eff = p & m;
            /* a named user may be in the groups too; everyone gets Everyone's rights */
            uint32_t leak = FSP_ACL_USER == e[i].tag ? (p | w | geff) : (p | w);
            ACCESS_MASK deny = fsp_posix_rights_of(leak & ~eff, false, false);
            if (deny)
                status = fsp_acl_add(b, ACCESS_DENIED_ACE_TYPE, flags, deny, sid);
            if (NT_SUCCESS(status))
                status = fsp_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, flags,
                                     BASE_RIGHTS | fsp_posix_rights_of(p, sticky, false), sid);
            if (sid != go)
                free(sid);
        }
    if (NT_SUCCESS(status))
        status = fsp_acl_add(b, ACCESS_ALLOWED_ACE_TYPE, flags,
                             BASE_RIGHTS | fsp_posix_rights_of(w, sticky, false), &everyone);
    return status;
}

/*
 * What happens to an ACE of the old DACL when the views are rebuilt: 0 it is rebuilt from them,
 * 1 it is kept, 2 kept for inheritance only (its access part is rebuilt), 3 kept for the
 * file only (its inheritable part is rebuilt).
 */
static int fate(const ACE_HEADER *h, PSID owner, PSID group)
{
    if (!is_allow_deny(h))
        return 1;
    PSID s = ace_sid(h);
    bool grp;
    uint32_t id;
    bool named = !IS_EVERYONE(s) && !IS_NULL_SID(s) && !IS_CREATOR_OWNER(s) && !IS_CREATOR_GROUP(s) &&
                 sid_id(s, &grp, &id);
    bool acc_part = !(h->AceFlags & INHERIT_ONLY_ACE);
    bool def_part = 0 != (h->AceFlags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE));
    bool acc_ok = acc_part && (obj_sid(s, false, owner, group) || named ||
                               (IS_NULL_SID(s) && ACCESS_ALLOWED_ACE_TYPE == h->AceType));
    bool def_ok = def_part && in_view(h, true) && (obj_sid(s, true, 0, 0) || named);
    if ((!acc_part || acc_ok) && (!def_part || def_ok))
        return 0;
    if (acc_part && acc_ok)
        return 2;
    if (def_part && def_ok)
        return 3;
    return 1;
}

static NTSTATUS keep(struct fsp_acl_builder *b, const ACL *old, PSID owner, PSID group, bool denies)
{
    NTSTATUS status = STATUS_SUCCESS;
    FOR_ACES(old, h)
    {
        int f = fate(h, owner, group);
        if (!f || !NT_SUCCESS(status))
            continue;
        bool deny = ACCESS_DENIED_ACE_TYPE == h->AceType && !(h->AceFlags & INHERIT_ONLY_ACE) && 2 != f;
        if (deny != denies)
            continue;
        BYTE flags = h->AceFlags;
        if (2 == f)
            flags |= INHERIT_ONLY_ACE;
        else if (3 == f)
            flags &= (BYTE) ~(INHERIT_FLAGS);
        status = fsp_acl_add_raw(b, h, flags);
    }
    return status;
}

/* The SID for id: cur's when it maps to the same id, else the mapping's. */
static NTSTATUS pick_sid(PSID cur, uint32_t id, bool group, PSID *psid, bool *pfree)
{
    uint32_t cid;
    *pfree = false;
    if (cur && NT_SUCCESS(FspPosixMapSidToUid(cur, &cid)) && cid == id) {
        *psid = cur;
        return STATUS_SUCCESS;
    }
    *pfree = true;
    return group ? FspPosixMapGidToSid(id, psid) : FspPosixMapUidToSid(id, psid);
}

NTSTATUS fsp_posix_acls_to_sd(const struct fsp_posix_acls *a, PSECURITY_DESCRIPTOR cur,
                              SECURITY_DESCRIPTOR_CONTROL control, PSECURITY_DESCRIPTOR *pnew)
{
    *pnew = 0;
    PSID owner = 0, group = 0;
    bool fo = false, fg = false;
    NTSTATUS status = pick_sid(cur ? FspSecurityDescriptorOwner(cur) : 0, a->uid, false, &owner, &fo);
    if (NT_SUCCESS(status))
        status = pick_sid(cur ? FspSecurityDescriptorGroup(cur) : 0, a->gid, true, &group, &fg);
    struct fsp_acl_builder b = {0};
    if (NT_SUCCESS(status))
        status = fsp_acl_init(&b);
    const ACL *old = cur ? FspSecurityDescriptorDacl(cur) : 0;
    PSID cowner = cur ? FspSecurityDescriptorOwner(cur) : 0, cgroup = cur ? FspSecurityDescriptorGroup(cur) : 0;
    if (NT_SUCCESS(status) && old)
        status = keep(&b, old, cowner, cgroup, true);
    if (NT_SUCCESS(status))
        status = add_view(&b, a->acc, a->nacc, false, a->special, owner, group);
    if (NT_SUCCESS(status) && old)
        status = keep(&b, old, cowner, cgroup, false);
    if (NT_SUCCESS(status) && a->ndef)
        status = add_view(&b, a->def, a->ndef, true, 0, owner, group);
    if (NT_SUCCESS(status))
        status = fsp_sd_build(owner, group, b.acl, true, 0, false, control, pnew, 0);
    if (b.acl)
        fsp_acl_free(&b);
    if (fo)
        free(owner);
    if (fg)
        free(group);
    return status;
}

NTSTATUS fsp_posix_mode_of_sd(PSECURITY_DESCRIPTOR sd, uint32_t *puid, uint32_t *pgid, uint32_t *pmode)
{
    NTSTATUS status = FspPosixMapSecurityDescriptorToPermissions(sd, puid, pgid, pmode);
    if (!NT_SUCCESS(status))
        return status;
    /* only ACEs for other ids change the group bits (to the mask) */
    const ACL *dacl = FspSecurityDescriptorDacl(sd);
    PSID owner = FspSecurityDescriptorOwner(sd), group = FspSecurityDescriptorGroup(sd);
    bool other = false;
    FOR_ACES(dacl, h)
    {
        if (in_view(h, false) && !obj_sid(ace_sid(h), false, owner, group) && !IS_NULL_SID(ace_sid(h)))
            other = true;
    }
    if (!other)
        return STATUS_SUCCESS;
    struct fsp_posix_acls a;
    status = fsp_posix_acls_from_sd(sd, &a);
    if (NT_SUCCESS(status))
        *pmode = fsp_posix_acls_mode(&a);
    fsp_posix_acls_free(&a);
    return status;
}

bool fsp_sd_has_inheritable(PSECURITY_DESCRIPTOR sd, bool is_dir)
{
    const ACL *dacl = sd ? FspSecurityDescriptorDacl(sd) : 0;
    FOR_ACES(dacl, h)
    {
        if (h->AceFlags & OBJECT_INHERIT_ACE)
            return true;
        if (is_dir && (h->AceFlags & CONTAINER_INHERIT_ACE))
            return true;
    }
    return false;
}
