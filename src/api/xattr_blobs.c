/*
 * src/api/xattr_blobs.c - encoders and decoders of user.DOSATTRIB and security.NTACL
 * (Samba's NDR layouts, librpc/idl/xattr.idl) and of POSIX ACL xattr values.
 *
 * NDR as Samba pushes these structures: little-endian, each value aligned to its size counted
 * from the start of the blob, except that 64-bit times (NTTIME, udlong) align to 4. The
 * descriptor inside an NTACL blob is NDR's: its four offsets count from the start of the blob,
 * not from the descriptor.
 */
#include "xattr_blobs.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static size_t align(size_t off, size_t a)
{
    return (off + a - 1) & ~(a - 1);
}

/* ---- DOSATTRIB ---- */

enum {
    DOSINFO_ATTRIB = 0x01,
    DOSINFO_CREATE_TIME = 0x10,
};

void fsp_dosattrib_encode(uint32_t attrib, uint64_t create_time, uint8_t out[FSP_DOSATTRIB_V5_SIZE])
{
    memset(out, 0, FSP_DOSATTRIB_V5_SIZE);
    /* out[0]: the empty attrib_hex string; out[1]: padding to 2 */
    wr16(out + 2, 5); /* version */
    wr16(out + 4, 5); /* union discriminant */
    /* out[6..7]: padding to 4 */
    wr32(out + 8, DOSINFO_ATTRIB | DOSINFO_CREATE_TIME);
    wr32(out + 12, attrib);
    wr64(out + 16, create_time);
}

/* The legacy form: a hex number, "0x" optional. */
static int parse_hex(const char *s, size_t n, uint32_t *pv)
{
    if (n >= 2 && '0' == s[0] && ('x' == s[1] || 'X' == s[1]))
        s += 2, n -= 2;
    if (0 == n || n > 8)
        return EINVAL;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (16 == d)
            return EINVAL;
        v = v << 4 | d;
    }
    *pv = v;
    return 0;
}

int fsp_dosattrib_decode(const void *blob, size_t size, struct fsp_dosattrib *out)
{
    const uint8_t *b = blob;
    memset(out, 0, sizeof *out);
    const uint8_t *nul = size ? memchr(b, 0, size) : 0;
    size_t hexlen = nul ? (size_t)(nul - b) : size;
    if (!nul || hexlen + 1 == size) {
        /* the string alone (Samba 3 wrote no NUL): the attributes in hex */
        if (0 != parse_hex((const char *)b, hexlen, &out->attrib))
            return EINVAL;
        out->has_attrib = true;
        return 0;
    }
    size_t off = align(hexlen + 1, 2);
    if (off + 4 > size)
        return EINVAL;
    uint16_t version = rd16(b + off), discr = rd16(b + off + 2);
    if (version != discr)
        return EINVAL;
    off = align(off + 4, 4);
    /* sizes of the fixed parts, after the alignment */
    static const size_t need[6] = {0, 40, 52, 44, 24, 16};
    if (version < 1 || version > 5 || off + need[version] > size)
        return EINVAL;
    /* version 2 ends with a name, UTF-8 and its NUL */
    if (2 == version && !memchr(b + off + need[2], 0, size - off - need[2]))
        return EINVAL;
    const uint8_t *p = b + off;
    uint32_t valid;
    uint64_t create = 0;
    switch (version) {
    case 1: /* attrib, ea_size, size, alloc_size, create_time, change_time */
        out->has_attrib = true;
        out->attrib = rd32(p);
        create = rd64(p + 24);
        out->has_create_time = 0 != create;
        break;
    case 2: /* flags, attrib, ea_size, size, alloc_size, 3 times, name: Samba takes the attributes only */
        out->has_attrib = true;
        out->attrib = rd32(p + 4);
        break;
    case 3: /* valid_flags, attrib, ea_size, size, alloc_size, create_time, change_time */
    case 4: /* valid_flags, attrib, itime, create_time */
    case 5: /* valid_flags, attrib, create_time */
        valid = rd32(p);
        out->has_attrib = valid & DOSINFO_ATTRIB;
        out->attrib = out->has_attrib ? rd32(p + 4) : 0;
        create = rd64(p + (3 == version ? 28 : 4 == version ? 16 : 8));
        out->has_create_time = (valid & DOSINFO_CREATE_TIME) && 0 != create;
        break;
    }
    out->create_time = out->has_create_time ? create : 0;
    return 0;
}

/* ---- NTACL ---- */

#define NTACL_REFERENT 0x00020000u /* the unique pointer's referent id Samba writes */

/* Add delta to each present offset of the descriptor header at sd (20 bytes). */
static void rebase(uint8_t *sd, int64_t delta)
{
    for (size_t i = 4; i < 20; i += 4) {
        uint32_t off = rd32(sd + i);
        if (off)
            wr32(sd + i, (uint32_t)((int64_t)off + delta));
    }
}

int fsp_ntacl_encode_v1(const void *sd, size_t sdsize, void **pblob, size_t *psize)
{
    uint8_t *b = malloc(8 + sdsize);
    if (!b)
        return ENOMEM;
    wr16(b, 1);
    wr16(b + 2, 1);
    wr32(b + 4, NTACL_REFERENT);
    memcpy(b + 8, sd, sdsize);
    if (sdsize >= 20)
        rebase(b + 8, 8);
    *pblob = b;
    *psize = 8 + sdsize;
    return 0;
}

int fsp_ntacl_decode(const void *blob, size_t size, PSECURITY_DESCRIPTOR *psd, size_t *psdsize)
{
    const uint8_t *b = blob;
    *psd = 0;
    if (size < 8)
        return EINVAL;
    uint16_t version = rd16(b), discr = rd16(b + 2);
    if (version != discr || 0 == rd32(b + 4))
        return EINVAL;
    size_t start;
    switch (version) {
    case 1:
        start = 8;
        break;
    case 2: /* sd pointer, 16-byte hash */
        start = 8 + 4 + 16;
        break;
    case 3: /* sd pointer, hash type, 64-byte hash, padding */
        start = align(8 + 4 + 2 + 64, 4);
        break;
    case 4: { /* sd pointer, hash type, hash, description (UTF-8 + NUL), time, sys_acl_hash */
        size_t d = 8 + 4 + 2 + 64;
        const uint8_t *z = d < size ? memchr(b + d, 0, size - d) : 0;
        if (!z)
            return EINVAL;
        start = align((size_t)(z - b) + 1, 4) + 8 + 64;
        break;
    }
    default:
        return EINVAL;
    }
    if (start + 20 > size || (version > 1 && 0 == rd32(b + 8)))
        return EINVAL;
    size_t n = size - start;
    uint8_t *sd = malloc(n);
    if (!sd)
        return ENOMEM;
    /* NDR's offsets count from the blob's start; a writer that used the descriptor's own
     * offsets is accepted too. */
    for (int pass = 0; pass < 2; pass++) {
        memcpy(sd, b + start, n);
        bool ok = true;
        if (0 == pass) {
            for (size_t i = 4; i < 20; i += 4) {
                uint32_t off = rd32(sd + i);
                if (off && off < start + 20)
                    ok = false;
            }
            if (ok)
                rebase(sd, -(int64_t)start);
        }
        /* checked within the n bytes there are before anything is read at its offsets */
        ULONG len = ok && FspIsValidSecurityDescriptor(sd, n) ? FspGetSecurityDescriptorLength(sd) : 0;
        if (len && len <= n && FspIsValidSecurityDescriptor(sd, len)) {
            *psd = sd;
            *psdsize = len;
            return 0;
        }
    }
    free(sd);
    return EINVAL;
}

/* ---- POSIX ACLs ---- */

#define ACL_XATTR_VERSION 2
#define ACL_UNDEFINED_ID 0xffffffffu

int fsp_acl_decode(const void *value, size_t size, struct fsp_acl_entry **pentries, size_t *pcount)
{
    const uint8_t *v = value;
    *pentries = 0;
    *pcount = 0;
    if (size < 4 || (size - 4) % 8 || ACL_XATTR_VERSION != rd32(v))
        return EINVAL;
    size_t n = (size - 4) / 8;
    struct fsp_acl_entry *e = calloc(n ? n : 1, sizeof *e);
    if (!e)
        return ENOMEM;
    unsigned uobj = 0, gobj = 0, other = 0, mask = 0, named = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = v + 4 + 8 * i;
        e[i].tag = rd16(p);
        e[i].perm = rd16(p + 2);
        e[i].id = rd32(p + 4);
        if (e[i].perm & ~7u)
            goto bad;
        switch (e[i].tag) {
        case FSP_ACL_USER_OBJ:
            uobj++;
            break;
        case FSP_ACL_GROUP_OBJ:
            gobj++;
            break;
        case FSP_ACL_OTHER:
            other++;
            break;
        case FSP_ACL_MASK:
            mask++;
            break;
        case FSP_ACL_USER:
        case FSP_ACL_GROUP:
            named++;
            for (size_t j = 0; j < i; j++)
                if (e[j].tag == e[i].tag && e[j].id == e[i].id)
                    goto bad;
            break;
        default:
            goto bad;
        }
    }
    if (1 != uobj || 1 != gobj || 1 != other || mask > 1 || (named && !mask))
        goto bad;
    *pentries = e;
    *pcount = n;
    return 0;
bad:
    free(e);
    return EINVAL;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct fsp_acl_entry *x = a, *y = b;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int fsp_acl_encode(struct fsp_acl_entry *entries, size_t count, void **pvalue, size_t *psize)
{
    qsort(entries, count, sizeof *entries, entry_cmp);
    uint8_t *v = malloc(4 + 8 * count);
    if (!v)
        return ENOMEM;
    wr32(v, ACL_XATTR_VERSION);
    for (size_t i = 0; i < count; i++) {
        uint8_t *p = v + 4 + 8 * i;
        bool named = FSP_ACL_USER == entries[i].tag || FSP_ACL_GROUP == entries[i].tag;
        wr16(p, entries[i].tag);
        wr16(p + 2, entries[i].perm);
        wr32(p + 4, named ? entries[i].id : ACL_UNDEFINED_ID);
    }
    *pvalue = v;
    *psize = 4 + 8 * count;
    return 0;
}
