/*
 * src/api/unicode.c - UTF-8 <-> UTF-32 (WCHAR) conversion that loses nothing:
 * bytes that are not valid UTF-8 become U+DC80..U+DCFF and convert back to
 * the same bytes, so any Linux name survives a trip through the native API.
 */
#include "api.h"
#include <errno.h>
#include <stdlib.h>

/* Decode one UTF-8 sequence at s (n bytes left); returns its length, or 0 if invalid. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *pc)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *pc = c;
        return 1;
    }
    size_t len;
    uint32_t cp, min;
    if (0xC0 == (c & 0xE0))
        len = 2, cp = c & 0x1F, min = 0x80;
    else if (0xE0 == (c & 0xF0))
        len = 3, cp = c & 0x0F, min = 0x800;
    else if (0xF0 == (c & 0xF8))
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (0x80 != (s[i] & 0xC0))
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *pc = cp;
    return len;
}

int fsp_utf8_to_wcs(const char *s, size_t len, PWSTR *pw, size_t *plen)
{
    PWSTR w = malloc((len + 1) * sizeof(WCHAR));
    if (!w)
        return ENOMEM;
    size_t n = fsp_utf8_to_wcs_into(s, len, w);
    *pw = w;
    if (plen)
        *plen = n;
    return 0;
}

size_t fsp_utf8_to_wcs_into(const char *s, size_t len, PWSTR w)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, j = 0;
    while (i < len) {
        uint32_t cp;
        size_t l = decode(u + i, len - i, &cp);
        if (0 == l) {
            w[j++] = (WCHAR)(0xDC00 + u[i]); /* escape the invalid byte (>= 0x80) */
            i++;
        } else {
            w[j++] = (WCHAR)cp;
            i += l;
        }
    }
    w[j] = 0;
    return j;
}

int fsp_wcs_to_utf8(PCWSTR w, size_t len, char **ps, size_t *plen)
{
    char *s = malloc(len * 4 + 1);
    if (!s)
        return ENOMEM;
    size_t j = fsp_wcs_to_utf8_into(w, len, s);
    if ((size_t)-1 == j) {
        free(s);
        return EILSEQ;
    }
    *ps = s;
    if (plen)
        *plen = j;
    return 0;
}

size_t fsp_wcs_to_utf8_into(PCWSTR w, size_t len, char *s)
{
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        uint32_t c = (uint32_t)w[i];
        if (c >= 0xDC80 && c <= 0xDCFF)
            s[j++] = (char)(c - 0xDC00);
        else if (c < 0x80)
            s[j++] = (char)c;
        else if (c < 0x800) {
            s[j++] = (char)(0xC0 | c >> 6);
            s[j++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return (size_t)-1;
            s[j++] = (char)(0xE0 | c >> 12);
            s[j++] = (char)(0x80 | ((c >> 6) & 0x3F));
            s[j++] = (char)(0x80 | (c & 0x3F));
        } else if (c <= 0x10FFFF) {
            s[j++] = (char)(0xF0 | c >> 18);
            s[j++] = (char)(0x80 | ((c >> 12) & 0x3F));
            s[j++] = (char)(0x80 | ((c >> 6) & 0x3F));
            s[j++] = (char)(0x80 | (c & 0x3F));
        } else
            return (size_t)-1;
    }
    s[j] = '\0';
    return j;
}

uint32_t fsp_upcase(uint32_t c); /* upcase.c, generated */

FSP_API WCHAR FspUpcaseChar(WCHAR Char)
{
    return (WCHAR)fsp_upcase((uint32_t)Char);
}
