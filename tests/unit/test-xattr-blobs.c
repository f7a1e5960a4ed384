/*
 * tests/unit/test-xattr-blobs.c - the byte formats of the xattrs the engine serves itself
 * (src/api/xattr_blobs.c): Samba's user.DOSATTRIB (versions 1 to 5 and the legacy hex string)
 * and security.NTACL (versions 1 to 4), and the POSIX ACL xattr value. Known blobs (the layouts
 * of /work/shared/reference/ntfs-xattr-facts.md, as Samba 4.17 writes them), round trips, every
 * truncation of a valid blob, and random and mutated blobs: a value from setxattr(2) is the
 * caller's, so the decoders must answer EINVAL, never read outside it (run under ASan).
 */
#include "xattr_blobs.h"
#include "tlib.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static uint64_t rng = 0x243F6A8885A308D3ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A copy in a buffer of exactly size bytes (malloc'ed), so that ASan sees any read beyond. */
static void *exact(const void *p, size_t size)
{
    void *b = malloc(size ? size : 1);
    if (b && size)
        memcpy(b, p, size);
    return b;
}

static int dos_decode(const void *blob, size_t size, struct fsp_dosattrib *d)
{
    void *b = exact(blob, size);
    int r = fsp_dosattrib_decode(b, size, d);
    free(b);
    return r;
}

static int ntacl_decode(const void *blob, size_t size, PSECURITY_DESCRIPTOR *psd, size_t *plen)
{
    void *b = exact(blob, size);
    int r = fsp_ntacl_decode(b, size, psd, plen);
    free(b);
    return r;
}

/* 2022-01-01 00:00:00 UTC as NTTIME: the creation time of the blobs below */
#define CT 0x01d7fe8cb3a2c000ULL

/* ---- user.DOSATTRIB ---- */

/* The version 5 blob Samba 4.17 writes, byte for byte (the fact sheet's observed example). */
static void dosattrib_encode_v5_test(void)
{
    static const uint8_t want[24] = {0x00, 0x00, 0x05, 0x00, 0x05, 0x00, 0x00, 0x00,
                                     0x11, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00,
                                     0x1c, 0xda, 0xd6, 0x6b, 0x58, 0x86, 0xdd, 0x01};
    uint8_t b[FSP_DOSATTRIB_V5_SIZE];
    fsp_dosattrib_encode(0x27, 0x01dd86586bd6da1cULL, b);
    ASSERT_EQ(sizeof b, 24);
    ASSERT(0 == memcmp(b, want, 24));
    struct fsp_dosattrib d;
    ASSERT_EQ(dos_decode(b, sizeof b, &d), 0);
    ASSERT(d.has_attrib && d.has_create_time);
    ASSERT_EQ(d.attrib, 0x27);
    ASSERT_EQ(d.create_time, 0x01dd86586bd6da1cULL);
}

/* Round trips of the encoder through the decoder. */
static void dosattrib_roundtrip_test(void)
{
    for (int i = 0; i < 1000; i++) {
        uint32_t a = rnd();
        uint64_t t = (uint64_t)rnd() << 32 | rnd();
        uint8_t b[FSP_DOSATTRIB_V5_SIZE];
        fsp_dosattrib_encode(a, t, b);
        struct fsp_dosattrib d;
        ASSERT_EQ(dos_decode(b, sizeof b, &d), 0);
        ASSERT(d.has_attrib);
        ASSERT_EQ(d.attrib, a);
        ASSERT_EQ(d.has_create_time, 0 != t);
        ASSERT_EQ(d.create_time, t);
    }
}

/*
 * A blob of version ver as NDR lays it out after the hex string hex (with its NUL): pad to 2,
 * version, discriminant, pad to 4, then the fields. Returns its size.
 */
static size_t dos_blob(uint8_t *b, const char *hex, uint16_t ver, uint32_t valid, uint32_t attrib,
                       uint64_t create)
{
    memset(b, 0, 256);
    size_t off = strlen(hex) + 1;
    memcpy(b, hex, off);
    off = (off + 1) & ~(size_t)1;
    put16(b + off, ver), put16(b + off + 2, ver);
    off = (off + 4 + 3) & ~(size_t)3;
    uint8_t *p = b + off;
    switch (ver) {
    case 1: /* attrib, ea_size, size, alloc_size, create_time, change_time */
        put32(p, attrib), put32(p + 4, 99), put64(p + 8, 1234), put64(p + 16, 4096);
        put64(p + 24, create), put64(p + 32, create + 5);
        return off + 40;
    case 2: /* flags, attrib, ea_size, size, alloc_size, create, change, write, name */
        put32(p, 0), put32(p + 4, attrib), put32(p + 8, 0), put64(p + 12, 1), put64(p + 20, 2);
        put64(p + 28, create), put64(p + 36, create), put64(p + 44, create);
        memcpy(p + 52, "name", 5);
        return off + 57;
    case 3: /* valid, attrib, ea_size, size, alloc_size, create_time, change_time */
        put32(p, valid), put32(p + 4, attrib), put32(p + 8, 0), put64(p + 12, 1), put64(p + 20, 2);
        put64(p + 28, create), put64(p + 36, create + 7);
        return off + 44;
    case 4: /* valid, attrib, itime, create_time */
        put32(p, valid), put32(p + 4, attrib), put64(p + 8, create + 9), put64(p + 16, create);
        return off + 24;
    case 5: /* valid, attrib, create_time */
        put32(p, valid), put32(p + 4, attrib), put64(p + 8, create);
        return off + 16;
    }
    return off;
}

/* Every version Samba reads, with the offsets the fact sheet observed. */
static void dosattrib_versions_test(void)
{
    uint8_t b[256];
    struct fsp_dosattrib d;
    /* v3 as 4.17 accepts it: "0x6\0", version at 4, valid at 8, attrib at 12, create at 36 */
    size_t n = dos_blob(b, "0x6", 3, 0x11, 0x6, CT);
    ASSERT_EQ(n, 52);
    ASSERT_EQ(get32(b + 8), 0x11);
    ASSERT_EQ(get32(b + 12), 0x6);
    ASSERT_EQ(get32(b + 36), (uint32_t)CT);
    ASSERT_EQ(dos_decode(b, n, &d), 0);
    ASSERT(d.has_attrib && d.has_create_time);
    ASSERT_EQ(d.attrib, 0x6);
    ASSERT_EQ(d.create_time, CT);
    /* v1: 48 bytes, attrib at 8, create at 32; the creation time counts when not 0 */
    n = dos_blob(b, "", 1, 0, 0x21, CT);
    ASSERT_EQ(n, 48);
    ASSERT_EQ(get32(b + 8), 0x21);
    ASSERT_EQ(get32(b + 32), (uint32_t)CT);
    ASSERT_EQ(dos_decode(b, n, &d), 0);
    ASSERT(d.has_attrib && d.has_create_time);
    ASSERT_EQ(d.attrib, 0x21);
    ASSERT_EQ(d.create_time, CT);
    n = dos_blob(b, "", 1, 0, 0x21, 0);
    ASSERT_EQ(dos_decode(b, n, &d), 0);
    ASSERT(d.has_attrib && !d.has_create_time);
    /* v1 after a 5-byte hex string ("0x27\0"): one pad byte, then the alignment to 4 */
    n = dos_blob(b, "0x27", 1, 0, 0x27, CT);
    ASSERT_EQ(n, 12 + 40);
    ASSERT_EQ(b[6], 1);
    ASSERT_EQ(dos_decode(b, n, &d), 0);
    ASSERT_EQ(d.attrib, 0x27);
    ASSERT_EQ(d.create_time, CT);
    /* v2: attributes only (Samba ignores its times) */
    n = dos_blob(b, "0x20", 2, 0, 0x20, CT);
    ASSERT_EQ(dos_decode(b, n, &d), 0);
    ASSERT(d.has_attrib && !d.has_create_time);
    ASSERT_EQ(d.attrib, 0x20);
    /* v4: valid, attrib, itime, create */
    n = dos_blob(b, "", 4, 0x11, 0x2, CT);
    ASSERT_EQ(n, 32);
    ASSERT_EQ(dos_decode(b, n, &d), 0);
    ASSERT(d.has_attrib && d.has_create_time);
    ASSERT_EQ(d.attrib, 0x2);
    ASSERT_EQ(d.create_time, CT); /* not the itime */
    /* the valid flags name what is set: v3, v4 and v5 alike */
    for (uint16_t v = 3; v <= 5; v++) {
        n = dos_blob(b, "", v, 0x01, 0x1, CT);
        ASSERT_EQ(dos_decode(b, n, &d), 0);
        ASSERT(d.has_attrib && !d.has_create_time);
        ASSERT_EQ(d.attrib, 0x1);
        n = dos_blob(b, "", v, 0x10, 0x1, CT);
        ASSERT_EQ(dos_decode(b, n, &d), 0);
        ASSERT(!d.has_attrib && d.has_create_time);
        ASSERT_EQ(d.create_time, CT);
        n = dos_blob(b, "", v, 0x10, 0x1, 0); /* a creation time of 0 is none */
        ASSERT_EQ(dos_decode(b, n, &d), 0);
        ASSERT(!d.has_attrib && !d.has_create_time);
        n = dos_blob(b, "", v, 0x6e, 0x1, CT); /* the other flags name nothing the decoder sets */
        ASSERT_EQ(dos_decode(b, n, &d), 0);
        ASSERT(!d.has_attrib && !d.has_create_time);
    }
    /* trailing bytes after a known version are accepted (as NDR does) */
    n = dos_blob(b, "", 5, 0x11, 0x20, CT);
    ASSERT_EQ(dos_decode(b, n + 8, &d), 0);
    ASSERT_EQ(d.attrib, 0x20);
}

/* The legacy form: a hex string alone, with or without its NUL. */
static void dosattrib_hex_test(void)
{
    static const struct {
        const char *s;
        size_t n;
        uint32_t attrib;
    } ok[] = {
        {"0x23", 4, 0x23}, {"0x2", 3, 0x2}, {"0x22", 5, 0x22}, {"0X1F", 4, 0x1f},
        {"27", 2, 0x27},   {"0xffffffff", 10, 0xffffffff},    {"0x20", 5, 0x20},
    };
    struct fsp_dosattrib d;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ASSERT_EQ(dos_decode(ok[i].s, ok[i].n, &d), 0);
        ASSERT(d.has_attrib && !d.has_create_time);
        ASSERT_EQ(d.attrib, ok[i].attrib);
    }
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"", 0}, {"", 1}, {"0x", 2}, {"0x", 3}, {"0xZZ", 4}, {"0x123456789", 11}, {"0x1 ", 4},
        {"-1", 2}, {"0x1g", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ASSERT_EQ(dos_decode(bad[i].s, bad[i].n, &d), EINVAL);
}

/* Versions Samba does not know, a discriminant that is not the version, short blobs. */
static void dosattrib_malformed_test(void)
{
    uint8_t b[256];
    struct fsp_dosattrib d;
    static const uint16_t versions[] = {0, 6, 7, 0xffff, 0x8005};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        size_t n = dos_blob(b, "", 5, 0x11, 0x20, CT);
        put16(b + 2, versions[i]), put16(b + 4, versions[i]);
        ASSERT_EQ(dos_decode(b, n + 64, &d), EINVAL);
    }
    size_t n = dos_blob(b, "", 5, 0x11, 0x20, CT);
    put16(b + 4, 4); /* discriminant 4, version 5 */
    ASSERT_EQ(dos_decode(b, n, &d), EINVAL);
    /* every truncation of every version: EINVAL, or (a prefix ending in the hex string) the
     * hex string alone */
    for (uint16_t v = 1; v <= 5; v++) {
        n = dos_blob(b, "0x27", v, 0x11, 0x27, CT);
        for (size_t k = 0; k < n; k++) {
            int r = dos_decode(b, k, &d);
            if (4 == k || 5 == k) {
                ASSERT_EQ(r, 0);
                ASSERT_EQ(d.attrib, 0x27);
            } else if (1 == k || 3 == k) {
                ASSERT_EQ(r, 0); /* "0" and "0x2" are hex strings too */
                ASSERT_EQ(d.attrib, 1 == k ? 0 : 2);
            } else
                ASSERT_EQ(r, EINVAL);
        }
        ASSERT_EQ(dos_decode(b, n, &d), 0);
    }
    /* a version 2 blob whose name has no NUL */
    n = dos_blob(b, "", 2, 0, 0x20, CT);
    ASSERT_EQ(dos_decode(b, n - 1, &d), EINVAL);
}

/* Random and mutated blobs: 0 or EINVAL, and nothing read outside (ASan). */
static void dosattrib_fuzz_test(void)
{
    uint8_t b[300];
    struct fsp_dosattrib d;
    for (int i = 0; i < 20000; i++) {
        size_t n = rnd() % sizeof b;
        if (i & 1) {
            for (size_t k = 0; k < n; k++)
                b[k] = (uint8_t)rnd();
            if (n > 4 && (i & 2)) { /* plausible headers */
                b[0] = 0;
                put16(b + 2, (uint16_t)(rnd() % 7)), put16(b + 4, b[2]);
            }
        } else {
            size_t m = dos_blob(b, (i & 4) ? "0x27" : "", (uint16_t)(1 + rnd() % 5), rnd(), rnd(), CT);
            for (int k = 0; k < 3; k++)
                b[rnd() % m] = (uint8_t)rnd();
            n = rnd() % (m + 8);
        }
        int r = dos_decode(b, n, &d);
        ASSERT(0 == r || EINVAL == r);
        if (r)
            ASSERT(!d.has_attrib && !d.has_create_time);
    }
}

/* ---- security.NTACL ---- */

/* A descriptor with owner, group, a DACL of two ACEs and (sacl) a SACL; malloc'ed. */
static PSECURITY_DESCRIPTOR make_sd(bool sacl, ULONG *plen)
{
    PSECURITY_DESCRIPTOR sd = 0;
    const wchar_t *sddl = sacl ? L"O:S-1-22-1-1000G:S-1-22-2-100D:P(A;;FA;;;S-1-22-1-1000)(D;OICI;FW;;;S-1-22-1-4242)"
                                 L"S:(AU;SA;FW;;;WD)"
                               : L"O:S-1-22-1-1000G:S-1-22-2-100D:(A;;FA;;;S-1-22-1-1000)(A;;FR;;;WD)";
    if (!NT_SUCCESS(FspSddlToSecurityDescriptor(sddl, &sd, plen)))
        return 0;
    return sd;
}

/* An NTACL blob of version ver holding sd, laid out as Samba's NDR: offsets from the blob. */
static size_t ntacl_blob(uint8_t *b, size_t cap, uint16_t ver, const char *desc, const void *sd, size_t sdlen)
{
    memset(b, 0, cap);
    put16(b, ver), put16(b + 2, ver), put32(b + 4, 0x00020000);
    size_t start = 8;
    if (2 == ver) {
        put32(b + 8, 0x00020004);
        memset(b + 12, 0xab, 16); /* hash (unused) */
        start = 28;
    } else if (3 == ver || 4 == ver) {
        put32(b + 8, 0x00020004);
        put16(b + 12, 1);         /* SHA256 */
        memset(b + 14, 0xcd, 32); /* the hash's 32 bytes, then zeros */
        start = 80;
        if (4 == ver) {
            size_t d = strlen(desc) + 1;
            memcpy(b + 78, desc, d);
            start = ((78 + d + 3) & ~(size_t)3);
            put64(b + start, CT);                 /* time */
            memset(b + start + 8, 0xef, 32);      /* sys_acl_hash */
            start += 8 + 64;
        }
    }
    memcpy(b + start, sd, sdlen);
    for (size_t i = 4; i < 20; i += 4) {
        uint32_t off = get32(b + start + i);
        if (off)
            put32(b + start + i, off + (uint32_t)start);
    }
    return start + sdlen;
}

/* Version 1 as the engine serves it: 8 header bytes, offsets from the blob's start. */
static void ntacl_encode_v1_test(void)
{
    ULONG len;
    PSECURITY_DESCRIPTOR sd = make_sd(false, &len);
    ASSERT(sd);
    void *blob = 0;
    size_t n = 0;
    int r = fsp_ntacl_encode_v1(sd, len, &blob, &n);
    uint8_t want[512];
    size_t wn = ntacl_blob(want, sizeof want, 1, 0, sd, len);
    bool same = 0 == r && n == wn && 0 == memcmp(blob, want, n);
    const uint8_t *bb = blob;
    uint32_t owner = bb ? get32(bb + 8 + 4) : 0, sdowner = get32((const uint8_t *)sd + 4);
    PSECURITY_DESCRIPTOR back = 0;
    size_t blen = 0;
    int r2 = blob ? ntacl_decode(blob, n, &back, &blen) : -1;
    bool same_sd = 0 == r2 && blen == len && 0 == memcmp(back, sd, len);
    free(blob), free(back), free(sd);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(n, 8 + len);
    ASSERT(same);
    ASSERT_EQ(owner, sdowner + 8);
    ASSERT(same_sd);
}

/* Versions 1 to 4 as Samba writes them: the descriptor comes back as it was. */
static void ntacl_versions_test(void)
{
    static const struct {
        uint16_t ver;
        const char *desc;
        size_t start;
    } cases[] = {
        {1, 0, 8}, {2, 0, 28}, {3, 0, 80}, {4, "posix_acl", 160}, {4, "", 152}, {4, "abc", 156},
    };
    for (int sacl = 0; sacl < 2; sacl++) {
        ULONG len;
        PSECURITY_DESCRIPTOR sd = make_sd(sacl, &len);
        ASSERT(sd);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            uint8_t b[1024];
            size_t n = ntacl_blob(b, sizeof b, cases[i].ver, cases[i].desc, sd, len);
            PSECURITY_DESCRIPTOR back = 0;
            size_t blen = 0;
            int r = ntacl_decode(b, n, &back, &blen);
            bool same = 0 == r && blen == len && 0 == memcmp(back, sd, len);
            free(back);
            if (!same) {
                free(sd);
                fprintf(stderr, "    version %u, description %s: %d\n", cases[i].ver,
                        cases[i].desc ? cases[i].desc : "-", r);
                ASSERT(same);
            }
            ASSERT_EQ(n, cases[i].start + len);
            /* a writer that kept the descriptor's own offsets is understood too */
            memcpy(b + cases[i].start, sd, len);
            r = ntacl_decode(b, n, &back, &blen);
            same = 0 == r && blen == len && 0 == memcmp(back, sd, len);
            free(back);
            if (!same)
                free(sd);
            ASSERT(same);
        }
        free(sd);
    }
}

static void ntacl_malformed_test(void)
{
    ULONG len;
    PSECURITY_DESCRIPTOR sd = make_sd(true, &len);
    ASSERT(sd);
    uint8_t b[1024], c[1024];
    PSECURITY_DESCRIPTOR back = 0;
    size_t blen = 0;
    int fails = 0;
    /* other versions, a discriminant that differs, NULL pointers */
    size_t n = ntacl_blob(b, sizeof b, 1, 0, sd, len);
    static const uint16_t versions[] = {0, 5, 0xffff};
    for (size_t i = 0; i < 3; i++) {
        memcpy(c, b, n);
        put16(c, versions[i]), put16(c + 2, versions[i]);
        fails += EINVAL != ntacl_decode(c, n, &back, &blen);
    }
    memcpy(c, b, n);
    put16(c + 2, 2);
    fails += EINVAL != ntacl_decode(c, n, &back, &blen);
    memcpy(c, b, n);
    put32(c + 4, 0);
    fails += EINVAL != ntacl_decode(c, n, &back, &blen);
    for (uint16_t v = 2; v <= 4; v++) {
        n = ntacl_blob(b, sizeof b, v, "posix_acl", sd, len);
        put32(b + 8, 0);
        fails += EINVAL != ntacl_decode(b, n, &back, &blen);
    }
    /* a version 4 description without its NUL */
    n = ntacl_blob(b, sizeof b, 4, "posix_acl", sd, len);
    memset(c, 'x', sizeof c);
    memcpy(c, b, 78);
    fails += EINVAL != ntacl_decode(c, 78 + 40, &back, &blen);
    /* every truncation of every version (the descriptor's end included) */
    for (uint16_t v = 1; v <= 4; v++) {
        n = ntacl_blob(b, sizeof b, v, "posix_acl", sd, len);
        for (size_t k = 0; k < n; k++)
            if (EINVAL != ntacl_decode(b, k, &back, &blen)) {
                fprintf(stderr, "    version %u cut to %zu bytes decoded\n", v, k);
                fails++;
                free(back);
            }
    }
    /* offsets that point outside, or into the header */
    n = ntacl_blob(b, sizeof b, 1, 0, sd, len);
    static const uint32_t offs[] = {0xfffffff0u, 0x7fffffffu, 1024, 4, 9, 8 + 20 - 4};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
        for (size_t f = 4; f < 20; f += 4) {
            memcpy(c, b, n);
            put32(c + 8 + f, offs[i]);
            int r = ntacl_decode(c, n, &back, &blen);
            if (0 == r) {
                /* only a field that may be absent may decode, and then within the bytes */
                if (blen > n - 8)
                    fails++;
                free(back);
            }
        }
    /* not self-relative, another revision */
    memcpy(c, b, n);
    c[8] = 2;
    fails += EINVAL != ntacl_decode(c, n, &back, &blen);
    memcpy(c, b, n);
    c[8 + 3] &= 0x7f; /* SE_SELF_RELATIVE is 0x8000 */
    fails += EINVAL != ntacl_decode(c, n, &back, &blen);
    free(sd);
    ASSERT_EQ(fails, 0);
}

static void ntacl_fuzz_test(void)
{
    ULONG len;
    PSECURITY_DESCRIPTOR sd = make_sd(true, &len);
    ASSERT(sd);
    uint8_t b[1024];
    int bad = 0;
    for (int i = 0; i < 20000 && !bad; i++) {
        size_t n;
        if (0 == i % 4) {
            n = rnd() % 400;
            for (size_t k = 0; k < n; k++)
                b[k] = (uint8_t)rnd();
            if (n >= 8) {
                uint16_t v = (uint16_t)(1 + rnd() % 4);
                put16(b, v), put16(b + 2, v);
            }
        } else {
            uint16_t v = (uint16_t)(1 + rnd() % 4);
            n = ntacl_blob(b, sizeof b, v, (i & 1) ? "posix_acl" : "", sd, len);
            int flips = 1 + (int)(rnd() % 4);
            for (int k = 0; k < flips; k++) {
                size_t at = rnd() % n;
                b[at] = (i & 2) ? (uint8_t)rnd() : (uint8_t)(b[at] ^ (1u << (rnd() % 8)));
            }
            if (i & 8)
                n = rnd() % (n + 1);
        }
        PSECURITY_DESCRIPTOR back = 0;
        size_t blen = 0;
        int r = ntacl_decode(b, n, &back, &blen);
        if (0 == r) {
            /* whatever decodes is a valid descriptor of the length it says */
            if (!back || !FspIsValidSecurityDescriptor(back, blen) ||
                FspGetSecurityDescriptorLength(back) != blen)
                bad = 1;
            free(back);
        } else if (EINVAL != r || back)
            bad = 2;
    }
    free(sd);
    ASSERT_EQ(bad, 0);
}

/* ---- POSIX ACL values ---- */

static size_t acl_value(uint8_t *v, const struct fsp_acl_entry *e, size_t n)
{
    put32(v, 2);
    for (size_t i = 0; i < n; i++) {
        put16(v + 4 + 8 * i, e[i].tag);
        put16(v + 4 + 8 * i + 2, e[i].perm);
        put32(v + 4 + 8 * i + 4, e[i].id);
    }
    return 4 + 8 * n;
}

static void acl_value_test(void)
{
    /* the value the fact sheet observed on ext4 */
    static const uint8_t observed[] = {
        0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x07, 0x00, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x07, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff, 0x08, 0x00, 0x05, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x07, 0x00, 0xff, 0xff, 0xff, 0xff, 0x20, 0x00, 0x05, 0x00,
        0xff, 0xff, 0xff, 0xff};
    struct fsp_acl_entry *e = 0;
    size_t n = 0;
    void *v = exact(observed, sizeof observed);
    int r = fsp_acl_decode(v, sizeof observed, &e, &n);
    free(v);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(n, 6);
    ASSERT(FSP_ACL_USER == e[1].tag && 7 == e[1].perm && 0 == e[1].id);
    ASSERT(FSP_ACL_GROUP == e[3].tag && 5 == e[3].perm && 0 == e[3].id);
    /* encoded again, shuffled first: sorted by tag then id, undefined ids for the others */
    struct fsp_acl_entry t = e[0];
    e[0] = e[5], e[5] = t;
    e[2].id = 1234; /* GROUP_OBJ's id does not count */
    void *out = 0;
    size_t on = 0;
    r = fsp_acl_encode(e, n, &out, &on);
    bool same = 0 == r && sizeof observed == on && 0 == memcmp(out, observed, on);
    free(out), free(e);
    ASSERT(same);
}

static void acl_value_malformed_test(void)
{
    const struct fsp_acl_entry base[] = {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_OTHER, 4, 0}};
    static const struct {
        const char *what;
        struct fsp_acl_entry e[6];
        size_t n;
    } bad[] = {
        {"no USER_OBJ", {{FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 2},
        {"two USER_OBJ", {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 4},
        {"no OTHER", {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_GROUP_OBJ, 4, 0}}, 2},
        {"named user without a mask", {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_USER, 4, 7}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 4},
        {"two masks", {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_MASK, 4, 0}, {FSP_ACL_MASK, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 5},
        {"a user twice", {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_USER, 4, 7}, {FSP_ACL_USER, 2, 7}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_MASK, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 6},
        {"unknown tag", {{FSP_ACL_USER_OBJ, 6, 0}, {0x40, 4, 0}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 4},
        {"perm 8", {{FSP_ACL_USER_OBJ, 8, 0}, {FSP_ACL_GROUP_OBJ, 4, 0}, {FSP_ACL_OTHER, 4, 0}}, 3},
    };
    uint8_t v[64];
    struct fsp_acl_entry *e = 0;
    size_t n = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t vn = acl_value(v, bad[i].e, bad[i].n);
        void *c = exact(v, vn);
        int r = fsp_acl_decode(c, vn, &e, &n);
        free(c);
        if (EINVAL != r) {
            fprintf(stderr, "    %s: %d\n", bad[i].what, r);
            free(e);
        }
        ASSERT_EQ(r, EINVAL);
        ASSERT(!e);
    }
    /* a user and a group of the same id are two entries */
    const struct fsp_acl_entry same_id[] = {{FSP_ACL_USER_OBJ, 6, 0}, {FSP_ACL_USER, 4, 7}, {FSP_ACL_GROUP_OBJ, 4, 0},
                                            {FSP_ACL_GROUP, 4, 7}, {FSP_ACL_MASK, 4, 0}, {FSP_ACL_OTHER, 4, 0}};
    size_t vn = acl_value(v, same_id, 6);
    ASSERT_EQ(fsp_acl_decode(v, vn, &e, &n), 0);
    free(e);
    /* version, sizes */
    vn = acl_value(v, base, 3);
    ASSERT_EQ(fsp_acl_decode(v, vn, &e, &n), 0);
    free(e);
    for (size_t k = 0; k < vn; k++) {
        void *c = exact(v, k);
        int r = fsp_acl_decode(c, k, &e, &n);
        free(c);
        ASSERT_EQ(r, EINVAL);
    }
    put32(v, 1);
    ASSERT_EQ(fsp_acl_decode(v, vn, &e, &n), EINVAL);
    /* random values: 0 or EINVAL */
    for (int i = 0; i < 20000; i++) {
        size_t m = 4 + 8 * (rnd() % 8) + ((i & 7) ? 0 : rnd() % 8);
        uint8_t r8[80];
        for (size_t k = 0; k < m; k++)
            r8[k] = (uint8_t)rnd();
        if (i & 1)
            put32(r8, 2);
        for (size_t k = 4; (i & 2) && k + 8 <= m; k += 8) {
            static const uint16_t tags[] = {1, 2, 4, 8, 0x10, 0x20};
            put16(r8 + k, tags[rnd() % 6]);
            put16(r8 + k + 2, (uint16_t)(rnd() % 8));
        }
        void *c = exact(r8, m);
        int r = fsp_acl_decode(c, m, &e, &n);
        free(c);
        ASSERT(0 == r || EINVAL == r);
        free(e);
    }
}

int main(int argc, char **argv)
{
    TLIB_ADD_TEST("dosattrib", dosattrib_encode_v5_test);
    TLIB_ADD_TEST("dosattrib", dosattrib_roundtrip_test);
    TLIB_ADD_TEST("dosattrib", dosattrib_versions_test);
    TLIB_ADD_TEST("dosattrib", dosattrib_hex_test);
    TLIB_ADD_TEST("dosattrib", dosattrib_malformed_test);
    TLIB_ADD_TEST("dosattrib", dosattrib_fuzz_test);
    TLIB_ADD_TEST("ntacl", ntacl_encode_v1_test);
    TLIB_ADD_TEST("ntacl", ntacl_versions_test);
    TLIB_ADD_TEST("ntacl", ntacl_malformed_test);
    TLIB_ADD_TEST("ntacl", ntacl_fuzz_test);
    TLIB_ADD_TEST("aclvalue", acl_value_test);
    TLIB_ADD_TEST("aclvalue", acl_value_malformed_test);
    return tlib_run(argc, argv);
}
