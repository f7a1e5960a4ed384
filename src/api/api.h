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

/* ---- dirinfo.c: what FspFileSystemAddEa did on the calling thread ----
 * The engine resets the count before GetEa and reads it after: an entry AddEa refused means
 * the list the file system returned is truncated, whatever status it returned (WinFsp's
 * driver retries with a larger buffer; a file system may return success with what fit). */
struct fsp_ea_track {
    unsigned adds;    /* calls, the NULL end marker included */
    unsigned refused; /* calls that returned FALSE (the entry did not fit) */
};
void fsp_ea_track_reset(void);
struct fsp_ea_track fsp_ea_track_get(void);

/* ---- winformat.c: WinFsp's (the Windows C library's) wide printf formats on glibc ----
 * fsp_windows_wformat translates a format with Windows' meaning (%s wide, %S narrow, l on an
 * integer 32 bits, I64, I, w) into glibc's (malloc'ed; NULL when out of memory).
 * fsp_windows_vswprintf formats into buf (count characters, NUL-terminated): the length, or -1
 * when the output did not fit (buf keeps what fit). fsp_windows_vaswprintf returns a malloc'ed
 * result (the format itself when it cannot be formatted; NULL when out of memory). */
#include <stdarg.h>
PWSTR fsp_windows_wformat(PCWSTR format);
int fsp_windows_vswprintf(PWSTR buf, size_t count, PCWSTR format, va_list ap);
PWSTR fsp_windows_vaswprintf(PCWSTR format, va_list ap);

#endif
