/*
 * src/api/api.h - internal declarations shared inside liblinfsp (not installed).
 * Each block names the file that implements it.
 */
#ifndef LINFSP_API_H_INCLUDED
#define LINFSP_API_H_INCLUDED

#include <winfsp/winfsp.h>

/* ---- unicode.c: UTF-8 <-> WCHAR (UTF-32) without path translation ----
 * Invalid UTF-8 bytes become U+DC80..U+DCFF and convert back to the same
 * bytes, so any byte string round-trips. Results are malloc'ed (NUL
 * terminated); *plen (may be NULL) receives the length in units without NUL.
 * Return 0, ENOMEM, or EILSEQ (a WCHAR that is not a Unicode scalar value
 * and not an escape). */
int fsp_utf8_to_wcs(const char *s, size_t len, PWSTR *pw, size_t *plen);
int fsp_wcs_to_utf8(PCWSTR w, size_t len, char **ps, size_t *plen);
/* fsp_utf8_to_wcs into out, which has room for len + 1 WCHARs; returns the length in WCHARs. */
size_t fsp_utf8_to_wcs_into(const char *s, size_t len, PWSTR out);
/* fsp_wcs_to_utf8 into out, which has room for 4 * len + 1 bytes; returns the length in bytes,
 * or (size_t)-1 for a WCHAR that is not a Unicode scalar value and not an escape. */
size_t fsp_wcs_to_utf8_into(PCWSTR w, size_t len, char *out);

/* ---- posix.c ---- */
/* FspPosixMapPosixToWindowsPathEx(Translate TRUE) of len bytes of a name into out, which has
 * room for len + 1 WCHARs; returns the length in WCHARs. */
size_t fsp_posix_map_name_into(const char *name, size_t len, PWSTR out);
/* FspPosixMapWindowsToPosixPathEx(Translate TRUE) of n WCHARs of a name into out, which has
 * room for 4 * n + 1 bytes; returns the length in bytes, or (size_t)-1 when it cannot be. */
size_t fsp_posix_unmap_name_into(PCWSTR w, size_t n, char *out);

#endif
