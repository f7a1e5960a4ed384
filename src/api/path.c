/*
 * src/api/path.c - splitting and joining backslash paths in place (WinFsp's FspPath*).
 */
#include <winfsp/winfsp.h>

FSP_API VOID FspPathPrefix(PWSTR Path, PWSTR *PPrefix, PWSTR *PRemain, PWSTR Root)
{
    /* Split at the first separator: "\a\b" gives Root (or "") and "a\b"; "a\b" gives "a" and "b". */
    PWSTR p = Path, prefix = Path;
    for (; *p; p++)
        if (L'\\' == *p) {
            if (Root && p == Path)
                prefix = Root;
            *p++ = L'\0';
            while (L'\\' == *p)
                p++;
            break;
        }
    *PPrefix = prefix;
    *PRemain = p;
}

FSP_API VOID FspPathSuffix(PWSTR Path, PWSTR *PRemain, PWSTR *PSuffix, PWSTR Root)
{
    /* As WinFsp: split at the last run of separators. "\\a\\b" gives "\\a" and "b", "\\a" gives
     * Root (or "") and "a", "a\\" gives "a" and "", "a" gives "a" and "". */
    PWSTR p = Path, last_sep = 0, after = 0;
    while (*p) {
        if (L'\\' == *p) {
            last_sep = p;
            while (L'\\' == *p)
                p++;
            after = p;
        } else
            p++;
    }
    *PRemain = Path;
    if (last_sep) {
        *last_sep = L'\0';
        *PSuffix = after;
        if (last_sep == Path && Root)
            *PRemain = Root;
    } else
        *PSuffix = p;
}

FSP_API VOID FspPathCombine(PWSTR Prefix, PWSTR Suffix)
{
    for (; Prefix < Suffix; Prefix++)
        if (L'\0' == *Prefix)
            *Prefix = L'\\';
}
