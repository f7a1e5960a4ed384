/*
 * src/api/winformat.c - WinFsp's wide format strings on glibc.
 *
 * WinFsp code formats wide strings with the Windows C library, whose wide printf differs
 * from glibc's: %s and %c take a *wide* string and character (%S and %C the narrow ones),
 * and an l on an integer conversion means Windows' 32-bit long. glibc's wide printf reads
 * %s as a narrow string and %ld as a 64-bit long, so ported code prints garbage (or reads
 * past its arguments) without any compiler warning. fsp_windows_wformat translates a format
 * with Windows' meaning into one with the same meaning for glibc; FspServiceLog, FspEventLog
 * and the wide printf functions of <winfsp/win32-compat.h> use it.
 */
#include "api.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <wchar.h>

static bool is_flag(WCHAR c)
{
    return L'-' == c || L'+' == c || L' ' == c || L'#' == c || L'0' == c || L'\'' == c;
}

static bool is_digit(WCHAR c)
{
    return L'0' <= c && c <= L'9';
}

PWSTR fsp_windows_wformat(PCWSTR format)
{
    /* Each conversion grows by at most 3 characters (%ls for %s, %% for a bare %). */
    size_t len = wcslen(format), cap = len * 3 + 1;
    PWSTR out = malloc(cap * sizeof(WCHAR)), o = out;
    if (!out)
        return 0;
    for (PCWSTR p = format; *p;) {
        if (L'%' != *p) {
            *o++ = *p++;
            continue;
        }
        PCWSTR start = p++;
        if (L'%' == *p) {
            *o++ = L'%', *o++ = L'%';
            p++;
            continue;
        }
        /* flags, width, precision: the same in both libraries */
        PCWSTR spec = p;
        while (is_flag(*p))
            p++;
        if (L'*' == *p)
            p++;
        else
            while (is_digit(*p))
                p++;
        if (L'.' == *p) {
            p++;
            if (L'*' == *p)
                p++;
            else
                while (is_digit(*p))
                    p++;
        }
        PCWSTR spec_end = p;
        /* length: Windows' modifiers */
        enum { LEN_NONE, LEN_HH, LEN_H, LEN_L32, LEN_LL, LEN_Z, LEN_J, LEN_T, LEN_LDBL, LEN_WIDE } l = LEN_NONE;
        if (L'h' == p[0] && L'h' == p[1])
            l = LEN_HH, p += 2;
        else if (L'h' == p[0])
            l = LEN_H, p++;
        else if (L'l' == p[0] && L'l' == p[1])
            l = LEN_LL, p += 2;
        else if (L'l' == p[0])
            l = LEN_L32, p++; /* also %ls, %lc: wide (below) */
        else if (L'w' == p[0])
            l = LEN_WIDE, p++;
        else if (L'I' == p[0] && L'6' == p[1] && L'4' == p[2])
            l = LEN_LL, p += 3;
        else if (L'I' == p[0] && L'3' == p[1] && L'2' == p[2])
            l = LEN_NONE, p += 3;
        else if (L'I' == p[0] || L'z' == p[0])
            l = LEN_Z, p++;
        else if (L'j' == p[0])
            l = LEN_J, p++;
        else if (L't' == p[0])
            l = LEN_T, p++;
        else if (L'L' == p[0])
            l = LEN_LDBL, p++;
        else if (L'q' == p[0])
            l = LEN_LL, p++;
        WCHAR conv = *p;
        const wchar_t *mod = 0;
        switch (conv) {
        case L'd': case L'i': case L'o': case L'u': case L'x': case L'X': case L'n':
            mod = LEN_HH == l ? L"hh" : LEN_H == l ? L"h" : LEN_LL == l || LEN_LDBL == l ? L"ll"
                : LEN_Z == l ? L"z" : LEN_J == l ? L"j" : LEN_T == l ? L"t" : L"";
            break;
        case L'e': case L'E': case L'f': case L'F': case L'g': case L'G': case L'a': case L'A':
            mod = LEN_LDBL == l ? L"L" : L"";
            break;
        case L's': case L'c':
            /* wide unless h says narrow */
            mod = LEN_H == l || LEN_HH == l ? L"" : L"l";
            break;
        case L'S': case L'C':
            /* narrow unless l or w says wide */
            mod = LEN_L32 == l || LEN_WIDE == l ? L"l" : L"";
            conv = L'S' == conv ? L's' : L'c';
            break;
        case L'p':
            mod = L"";
            break;
        default:
            break;
        }
        if (!mod) {
            /* Not a conversion glibc knows the same way (%Z, a truncated format): print the text. */
            *o++ = L'%', *o++ = L'%';
            p = start + 1;
            continue;
        }
        *o++ = L'%';
        for (PCWSTR q = spec; q < spec_end; q++)
            *o++ = *q;
        for (const wchar_t *m = mod; *m; m++)
            *o++ = *m;
        *o++ = conv;
        p++;
    }
    *o = 0;
    return out;
}

int fsp_windows_vswprintf(PWSTR buf, size_t count, PCWSTR format, va_list ap)
{
    if (!buf || !count || !format) {
        errno = EINVAL;
        return -1;
    }
    PWSTR f = fsp_windows_wformat(format);
    if (!f) {
        buf[0] = 0;
        return -1;
    }
    int n = vswprintf(buf, count, f, ap);
    free(f);
    if (n < 0)
        buf[count - 1] = 0; /* truncated (or unformattable): keep what fit */
    return n;
}

PWSTR fsp_windows_vaswprintf(PCWSTR format, va_list ap)
{
    PWSTR f = fsp_windows_wformat(format);
    if (!f)
        return 0;
    PWSTR buf = 0;
    for (size_t size = 256; size <= 1024 * 1024; size *= 4) {
        PWSTR n = realloc(buf, size * sizeof(WCHAR));
        if (!n)
            break;
        buf = n;
        va_list aq;
        va_copy(aq, ap);
        errno = 0;
        int r = vswprintf(buf, size, f, aq);
        va_end(aq);
        if (r >= 0) {
            free(f);
            return buf;
        }
        if (EILSEQ == errno)
            break; /* a narrow string not valid in the locale: longer buffers do not help */
    }
    /* unformattable or enormous: what the format says, literally */
    free(buf);
    buf = wcsdup(format);
    free(f);
    return buf;
}
