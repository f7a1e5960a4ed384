/**
 * @file winfsp/win32-compat.h
 * The Windows calls WinFsp file systems commonly make, for porting them to LinFsp.
 *
 * A file system written for WinFsp calls Windows besides WinFsp: it allocates from heaps,
 * initializes once, counts references with Interlocked functions, compares names with
 * CompareStringW, reads the clock with GetSystemTimeAsFileTime, measures security descriptors
 * with GetSecurityDescriptorLength, locks with critical sections and SRW locks, formats with
 * the Windows C library's wide printf and its _s string functions. This header provides those
 * calls with their Windows names and meaning on Linux, so that such code compiles and runs
 * unchanged. It is not <windows.h>: file, process and thread APIs (CreateFileW, CreateThread,
 * WaitForSingleObject, ...) are not here; a port replaces them with POSIX calls (see
 * doc/porting.md, which lists every function here with its deviations).
 *
 * Functions that need state shared by the whole program (heaps, init-once, the last error,
 * wide formatting) are implemented in liblinfsp under FspWin32* names; everything else is
 * inline. The Interlocked functions are type-generic macros (as Windows' C++ overloads are).
 *
 * Include it after (or instead of) <winfsp/winfsp.h>. Define WIN32_COMPAT_WMAIN before
 * including it in one source file to get a main() that calls the program's
 * wmain(int argc, wchar_t **argv) with the arguments converted to wide strings.
 *
 * This is a LinFsp extension; WinFsp has no such header.
 */
#ifndef WINFSP_WIN32_COMPAT_H_INCLUDED
#define WINFSP_WIN32_COMPAT_H_INCLUDED

#include <winfsp/winfsp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <strings.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <wctype.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- types and calling conventions ---- */

#define WINAPI
#define WINAPIV
#define CALLBACK
#define APIENTRY
#ifndef CONST
#define CONST const
#endif
#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#endif
#ifndef _countof
#define _countof(a) ARRAYSIZE(a)
#endif

typedef short SHORT, *PSHORT;
typedef int INT, *PINT, *LPINT;
typedef unsigned int UINT, *PUINT;
typedef LONG *LPLONG;
typedef WORD *LPWORD, *PWORD;
typedef BYTE *LPBYTE;
typedef DWORD *LPDWORD;
typedef BOOL *PBOOL, *LPBOOL;
typedef uint64_t DWORD64, *PDWORD64;
typedef ULONG_PTR DWORD_PTR;
typedef int64_t LONG64, *PLONG64;
typedef uint64_t ULONG64, *PULONG64;
typedef intptr_t SSIZE_T;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef char *LPSTR, *PCHAR;
typedef const char *LPCSTR;
typedef wchar_t *LPWSTR;
typedef const wchar_t *LPCWSTR, *PCWCH;
typedef const char *PCCH;
typedef PFILETIME LPFILETIME;
typedef void *HMODULE, *HINSTANCE, *HLOCAL, *HGLOBAL;
typedef DWORD LCID;
typedef int errno_t;

/* the share access of a Create request (FSP_FSCTL_TRANSACT_REQ.Req.Create.ShareAccess) */
#define FILE_SHARE_READ 0x00000001
#define FILE_SHARE_WRITE 0x00000002
#define FILE_SHARE_DELETE 0x00000004

/* ---- memory ---- */

#define ZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlZeroMemory ZeroMemory
#define SecureZeroMemory(Destination, Length) explicit_bzero((Destination), (Length))
#define CopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlCopyMemory CopyMemory
#define MoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlMoveMemory MoveMemory
#define FillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlFillMemory FillMemory
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define EqualMemory RtlEqualMemory

#define HEAP_NO_SERIALIZE 0x00000001          /**< accepted; heaps always lock */
#define HEAP_GENERATE_EXCEPTIONS 0x00000004   /**< accepted; failures return NULL (no SEH) */
#define HEAP_ZERO_MEMORY 0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
#define HEAP_CREATE_ENABLE_EXECUTE 0x00040000 /**< accepted; ignored */

/** Heaps (LinFsp: malloc'ed blocks a heap keeps track of, so HeapDestroy frees them all). */
FSP_API HANDLE FspWin32HeapCreate(DWORD Options, SIZE_T InitialSize, SIZE_T MaximumSize);
FSP_API BOOL FspWin32HeapDestroy(HANDLE Heap);
FSP_API HANDLE FspWin32GetProcessHeap(VOID);
FSP_API PVOID FspWin32HeapAlloc(HANDLE Heap, DWORD Flags, SIZE_T Size);
FSP_API PVOID FspWin32HeapReAlloc(HANDLE Heap, DWORD Flags, PVOID Pointer, SIZE_T Size);
FSP_API BOOL FspWin32HeapFree(HANDLE Heap, DWORD Flags, PVOID Pointer);
FSP_API SIZE_T FspWin32HeapSize(HANDLE Heap, DWORD Flags, PCVOID Pointer);

/**
 * HeapCreate: MaximumSize 0 makes a growable heap; otherwise allocations fail (NULL,
 * ERROR_NOT_ENOUGH_MEMORY) once the heap holds MaximumSize bytes. InitialSize is ignored.
 */
static inline HANDLE HeapCreate(DWORD Options, SIZE_T InitialSize, SIZE_T MaximumSize)
{
    return FspWin32HeapCreate(Options, InitialSize, MaximumSize);
}
/** Free the heap and every block still allocated from it. The process heap cannot be destroyed. */
static inline BOOL HeapDestroy(HANDLE Heap)
{
    return FspWin32HeapDestroy(Heap);
}
static inline HANDLE GetProcessHeap(VOID)
{
    return FspWin32GetProcessHeap();
}
static inline LPVOID HeapAlloc(HANDLE Heap, DWORD Flags, SIZE_T Size)
{
    return FspWin32HeapAlloc(Heap, Flags, Size);
}
/** Growing with HEAP_ZERO_MEMORY zeroes the new part; HEAP_REALLOC_IN_PLACE_ONLY only shrinks. */
static inline LPVOID HeapReAlloc(HANDLE Heap, DWORD Flags, LPVOID Pointer, SIZE_T Size)
{
    return FspWin32HeapReAlloc(Heap, Flags, Pointer, Size);
}
/** FALSE (ERROR_INVALID_PARAMETER) for a block of another heap. NULL is accepted. */
static inline BOOL HeapFree(HANDLE Heap, DWORD Flags, LPVOID Pointer)
{
    return FspWin32HeapFree(Heap, Flags, Pointer);
}
static inline SIZE_T HeapSize(HANDLE Heap, DWORD Flags, LPCVOID Pointer)
{
    return FspWin32HeapSize(Heap, Flags, Pointer);
}

#define LMEM_FIXED 0x0000
#define LMEM_MOVEABLE 0x0002 /**< accepted; the handle is the pointer (LocalLock returns it) */
#define LMEM_ZEROINIT 0x0040
#define LPTR (LMEM_FIXED | LMEM_ZEROINIT)
#define LHND (LMEM_MOVEABLE | LMEM_ZEROINIT)
#define GMEM_FIXED 0x0000
#define GMEM_MOVEABLE 0x0002
#define GMEM_ZEROINIT 0x0040
#define GPTR (GMEM_FIXED | GMEM_ZEROINIT)

/** LocalAlloc/GlobalAlloc: blocks of the process heap. LocalFree returns NULL on success. */
static inline HLOCAL LocalAlloc(UINT Flags, SIZE_T Bytes)
{
    return FspWin32HeapAlloc(FspWin32GetProcessHeap(), (Flags & LMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0,
                             Bytes);
}
static inline HLOCAL LocalReAlloc(HLOCAL Mem, SIZE_T Bytes, UINT Flags)
{
    return FspWin32HeapReAlloc(FspWin32GetProcessHeap(),
                               (Flags & LMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0, Mem, Bytes);
}
static inline HLOCAL LocalFree(HLOCAL Mem)
{
    return FspWin32HeapFree(FspWin32GetProcessHeap(), 0, Mem) ? (HLOCAL)0 : Mem;
}
static inline LPVOID LocalLock(HLOCAL Mem)
{
    return Mem;
}
static inline BOOL LocalUnlock(HLOCAL Mem)
{
    (void)Mem;
    return FALSE; /* as Windows for a fixed block */
}
static inline SIZE_T LocalSize(HLOCAL Mem)
{
    return FspWin32HeapSize(FspWin32GetProcessHeap(), 0, Mem);
}
static inline HGLOBAL GlobalAlloc(UINT Flags, SIZE_T Bytes)
{
    return LocalAlloc(Flags, Bytes);
}
static inline HGLOBAL GlobalFree(HGLOBAL Mem)
{
    return LocalFree(Mem);
}

/* ---- the last error ---- */

/** The calling thread's last Windows error code (set by this header's functions on failure). */
FSP_API DWORD FspWin32GetLastError(VOID);
FSP_API VOID FspWin32SetLastError(DWORD Error);
static inline DWORD GetLastError(VOID)
{
    return FspWin32GetLastError();
}
static inline VOID SetLastError(DWORD Error)
{
    FspWin32SetLastError(Error);
}

/* ---- one-time initialization ---- */

/** WinFsp's INIT_ONCE: State 0 (not yet), 2 (done); Context is what the function gave. */
typedef struct _INIT_ONCE {
    volatile LONG State;
    PVOID Context;
} INIT_ONCE, *PINIT_ONCE, *LPINIT_ONCE;
#define INIT_ONCE_STATIC_INIT {0, 0}
typedef BOOL(CALLBACK *PINIT_ONCE_FN)(PINIT_ONCE InitOnce, PVOID Parameter, PVOID *Context);

FSP_API BOOL FspWin32InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn,
                                         PVOID Parameter, LPVOID *Context);
/**
 * Call InitFn once: concurrent callers wait until it returns; when it returns FALSE the
 * initialization is not done and the next call tries again (the result is FALSE then).
 * *Context (may be NULL) receives what InitFn stored in its Context.
 */
static inline BOOL InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn, PVOID Parameter,
                                       LPVOID *Context)
{
    return FspWin32InitOnceExecuteOnce(InitOnce, InitFn, Parameter, Context);
}
static inline VOID InitOnceInitialize(PINIT_ONCE InitOnce)
{
    InitOnce->State = 0;
    InitOnce->Context = 0;
}

/* ---- atomics: type-generic (LONG, LONG64, any integer or pointer), full barriers ---- */

/** The new value. */
#define InterlockedIncrement(p) __sync_add_and_fetch((p), 1)
#define InterlockedDecrement(p) __sync_sub_and_fetch((p), 1)
#define InterlockedAdd(p, v) __sync_add_and_fetch((p), (v))
/** The old value. */
#define InterlockedExchangeAdd(p, v) __sync_fetch_and_add((p), (v))
#define InterlockedExchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedCompareExchange(p, Exchange, Comparand) \
    __sync_val_compare_and_swap((p), (Comparand), (Exchange))
#define InterlockedOr(p, v) __sync_fetch_and_or((p), (v))
#define InterlockedAnd(p, v) __sync_fetch_and_and((p), (v))
#define InterlockedXor(p, v) __sync_fetch_and_xor((p), (v))
#define InterlockedIncrement64 InterlockedIncrement
#define InterlockedDecrement64 InterlockedDecrement
#define InterlockedAdd64 InterlockedAdd
#define InterlockedExchangeAdd64 InterlockedExchangeAdd
#define InterlockedExchange64 InterlockedExchange
#define InterlockedCompareExchange64 InterlockedCompareExchange
#define InterlockedOr64 InterlockedOr
#define InterlockedAnd64 InterlockedAnd
#define InterlockedXor64 InterlockedXor
#define InterlockedExchangePointer InterlockedExchange
#define InterlockedCompareExchangePointer InterlockedCompareExchange
#if defined(__SANITIZE_THREAD__)
#define FSP_WIN32_COMPAT_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FSP_WIN32_COMPAT_TSAN_ 1
#endif
#endif
#if defined(FSP_WIN32_COMPAT_TSAN_)
/* ThreadSanitizer does not accept a standalone fence; a sequentially consistent
 * read-modify-write is one on the hardware LinFsp runs on and TSan understands it. */
static inline void MemoryBarrier(void)
{
    static LONG barrier;
    __atomic_fetch_or(&barrier, 0, __ATOMIC_SEQ_CST);
}
#else
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#define _ReadWriteBarrier() __asm__ __volatile__("" ::: "memory")
#if defined(__x86_64__) || defined(__i386__)
#define YieldProcessor() __builtin_ia32_pause()
#else
#define YieldProcessor() ((void)0)
#endif

/* ---- locks ---- */

/** A critical section: a recursive mutex, as Windows' (the owner may enter again). */
typedef struct _CRITICAL_SECTION {
    pthread_mutex_t Mutex;
} CRITICAL_SECTION, *PCRITICAL_SECTION, *LPCRITICAL_SECTION;

static inline VOID InitializeCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&Section->Mutex, &attr);
    pthread_mutexattr_destroy(&attr);
}
static inline BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION Section, DWORD SpinCount)
{
    (void)SpinCount;
    InitializeCriticalSection(Section);
    return TRUE;
}
static inline VOID DeleteCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutex_destroy(&Section->Mutex);
}
static inline VOID EnterCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutex_lock(&Section->Mutex);
}
static inline BOOL TryEnterCriticalSection(LPCRITICAL_SECTION Section)
{
    return 0 == pthread_mutex_trylock(&Section->Mutex);
}
static inline VOID LeaveCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutex_unlock(&Section->Mutex);
}

/**
 * A slim reader/writer lock: a pthread rwlock. Unlike Windows', it must be released by the
 * thread that acquired it. SRW locks need no destruction, as on Windows.
 */
typedef struct _SRWLOCK {
    pthread_rwlock_t Lock;
} SRWLOCK, *PSRWLOCK;
#define SRWLOCK_INIT {PTHREAD_RWLOCK_INITIALIZER}

static inline VOID InitializeSRWLock(PSRWLOCK SRWLock)
{
    pthread_rwlock_init(&SRWLock->Lock, 0);
}
static inline VOID AcquireSRWLockExclusive(PSRWLOCK SRWLock)
{
    pthread_rwlock_wrlock(&SRWLock->Lock);
}
static inline VOID AcquireSRWLockShared(PSRWLOCK SRWLock)
{
    pthread_rwlock_rdlock(&SRWLock->Lock);
}
static inline BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK SRWLock)
{
    return 0 == pthread_rwlock_trywrlock(&SRWLock->Lock);
}
static inline BOOLEAN TryAcquireSRWLockShared(PSRWLOCK SRWLock)
{
    return 0 == pthread_rwlock_tryrdlock(&SRWLock->Lock);
}
static inline VOID ReleaseSRWLockExclusive(PSRWLOCK SRWLock)
{
    pthread_rwlock_unlock(&SRWLock->Lock);
}
static inline VOID ReleaseSRWLockShared(PSRWLOCK SRWLock)
{
    pthread_rwlock_unlock(&SRWLock->Lock);
}

/* ---- time ---- */

/** Now as a FILETIME (100 ns units since 1601-01-01 UTC; CLOCK_REALTIME). */
static inline VOID GetSystemTimeAsFileTime(LPFILETIME FileTime)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    UINT64 t = (UINT64)ts.tv_sec * 10000000 + (UINT64)ts.tv_nsec / 100 + 116444736000000000ULL;
    FileTime->dwLowDateTime = (DWORD)t;
    FileTime->dwHighDateTime = (DWORD)(t >> 32);
}
static inline VOID GetSystemTimePreciseAsFileTime(LPFILETIME FileTime)
{
    GetSystemTimeAsFileTime(FileTime);
}
/** Milliseconds since an arbitrary start (CLOCK_MONOTONIC). */
static inline ULONGLONG GetTickCount64(VOID)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ULONGLONG)ts.tv_sec * 1000 + (ULONGLONG)ts.tv_nsec / 1000000;
}
static inline DWORD GetTickCount(VOID)
{
    return (DWORD)GetTickCount64();
}
static inline BOOL QueryPerformanceFrequency(PLARGE_INTEGER Frequency)
{
    Frequency->QuadPart = 1000000000;
    return TRUE;
}
static inline BOOL QueryPerformanceCounter(PLARGE_INTEGER Count)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    Count->QuadPart = (LONGLONG)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return TRUE;
}
/** Sleep Milliseconds (INFINITE: for ever). */
static inline VOID Sleep(DWORD Milliseconds)
{
    if (INFINITE == Milliseconds)
        for (;;)
            pause();
    struct timespec ts = {(time_t)(Milliseconds / 1000), (long)(Milliseconds % 1000) * 1000000};
    while (0 != nanosleep(&ts, &ts) && EINTR == errno)
        ;
}

/* ---- processes and threads ---- */

static inline DWORD GetCurrentProcessId(VOID)
{
    return (DWORD)getpid();
}
static inline DWORD GetCurrentThreadId(VOID)
{
    return (DWORD)syscall(SYS_gettid);
}

/* ---- string comparisons ---- */

#define LOCALE_INVARIANT 0x007f
#define LOCALE_USER_DEFAULT 0x0400
#define LOCALE_SYSTEM_DEFAULT 0x0800
#define NORM_IGNORECASE 0x00000001
#define NORM_IGNORENONSPACE 0x00000002 /**< accepted; ignored */
#define NORM_IGNORESYMBOLS 0x00000004  /**< accepted; ignored */
#define LINGUISTIC_IGNORECASE 0x00000010
#define SORT_STRINGSORT 0x00001000      /**< accepted; ignored */
#define CSTR_LESS_THAN 1
#define CSTR_EQUAL 2
#define CSTR_GREATER_THAN 3

/* Compare n1 and n2 characters (-1: up to the NUL) by code point, upper-cased with towupper. */
static inline int FspWin32CompareW(PCWCH s1, int n1, PCWCH s2, int n2, BOOL IgnoreCase)
{
    size_t l1 = n1 < 0 ? wcslen(s1) : (size_t)n1, l2 = n2 < 0 ? wcslen(s2) : (size_t)n2;
    for (size_t i = 0; i < l1 && i < l2; i++) {
        wint_t c = (wint_t)s1[i], d = (wint_t)s2[i];
        if (IgnoreCase)
            c = towupper(c), d = towupper(d);
        if (c != d)
            return c < d ? CSTR_LESS_THAN : CSTR_GREATER_THAN;
    }
    return l1 < l2 ? CSTR_LESS_THAN : l1 > l2 ? CSTR_GREATER_THAN : CSTR_EQUAL;
}
static inline int FspWin32CompareA(PCCH s1, int n1, PCCH s2, int n2, BOOL IgnoreCase)
{
    size_t l1 = n1 < 0 ? strlen(s1) : (size_t)n1, l2 = n2 < 0 ? strlen(s2) : (size_t)n2;
    for (size_t i = 0; i < l1 && i < l2; i++) {
        int c = (unsigned char)s1[i], d = (unsigned char)s2[i];
        if (IgnoreCase)
            c = toupper(c), d = toupper(d);
        if (c != d)
            return c < d ? CSTR_LESS_THAN : CSTR_GREATER_THAN;
    }
    return l1 < l2 ? CSTR_LESS_THAN : l1 > l2 ? CSTR_GREATER_THAN : CSTR_EQUAL;
}
/**
 * CompareStringW: CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN (0 and
 * ERROR_INVALID_PARAMETER for NULL strings). Counts of -1 mean NUL-terminated. With
 * NORM_IGNORECASE (or LINGUISTIC_IGNORECASE) characters compare upper-cased by towupper(3)
 * (Unicode when the program's LC_CTYPE is a UTF-8 locale, ASCII in "C"). LinFsp compares code
 * points (an ordinal order), not Windows' linguistic order: equality is the same, the order of
 * unequal strings may differ.
 */
static inline int CompareStringW(LCID Locale, DWORD Flags, PCWCH String1, int Count1,
                                 PCWCH String2, int Count2)
{
    (void)Locale;
    if (!String1 || !String2) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return FspWin32CompareW(String1, Count1, String2, Count2,
                            0 != (Flags & (NORM_IGNORECASE | LINGUISTIC_IGNORECASE)));
}
/** CompareStringA: as CompareStringW over bytes (toupper(3) folds ASCII letters). */
static inline int CompareStringA(LCID Locale, DWORD Flags, PCCH String1, int Count1, PCCH String2,
                                 int Count2)
{
    (void)Locale;
    if (!String1 || !String2) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return FspWin32CompareA(String1, Count1, String2, Count2,
                            0 != (Flags & (NORM_IGNORECASE | LINGUISTIC_IGNORECASE)));
}
static inline int CompareStringOrdinal(PCWCH String1, int Count1, PCWCH String2, int Count2,
                                       BOOL IgnoreCase)
{
    if (!String1 || !String2) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return FspWin32CompareW(String1, Count1, String2, Count2, IgnoreCase);
}
/** lstrcmp*: < 0, 0, > 0 as CompareString* (NULL sorts first). */
static inline int lstrcmpW(LPCWSTR s1, LPCWSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareW(s1, -1, s2, -1, FALSE) - 2;
}
static inline int lstrcmpiW(LPCWSTR s1, LPCWSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareW(s1, -1, s2, -1, TRUE) - 2;
}
static inline int lstrcmpA(LPCSTR s1, LPCSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareA(s1, -1, s2, -1, FALSE) - 2;
}
static inline int lstrcmpiA(LPCSTR s1, LPCSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareA(s1, -1, s2, -1, TRUE) - 2;
}
static inline int lstrlenW(LPCWSTR s)
{
    return s ? (int)wcslen(s) : 0;
}
static inline int lstrlenA(LPCSTR s)
{
    return s ? (int)strlen(s) : 0;
}

/* ---- the Windows C library's string functions that glibc lacks ---- */

/** Case-insensitive comparisons (towlower/tolower, as the Windows C library). */
static inline int _wcsnicmp(const wchar_t *s1, const wchar_t *s2, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        wint_t c = towlower((wint_t)s1[i]), d = towlower((wint_t)s2[i]);
        if (c != d)
            return c < d ? -1 : 1;
        if (!c)
            break;
    }
    return 0;
}
static inline int _wcsicmp(const wchar_t *s1, const wchar_t *s2)
{
    return _wcsnicmp(s1, s2, SIZE_MAX);
}
#define _wcsdup wcsdup
#define _stricmp strcasecmp
#define _strnicmp strncasecmp
#define _strdup strdup
#define _wcsicoll _wcsicmp
#define _wtoi(s) ((int)wcstol((s), 0, 10))
#define _wtol(s) wcstol((s), 0, 10)
#define _wtoi64(s) ((INT64)wcstoll((s), 0, 10))
#define _wcstoi64 wcstoll
#define _wcstoui64 wcstoull
#define _strtoi64 strtoll
#define _strtoui64 strtoull
static inline wchar_t *_wcslwr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = (wchar_t)towlower((wint_t)*p);
    return s;
}
static inline wchar_t *_wcsupr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = (wchar_t)towupper((wint_t)*p);
    return s;
}

/*
 * The bounds-checked functions (_s). They return 0, EINVAL for a NULL argument or a zero size,
 * ERANGE when the result does not fit (the destination becomes the empty string), or, for
 * the n-variants with Count _TRUNCATE, STRUNCATE after copying what fits. Windows calls its
 * invalid-parameter handler (which ends the program by default) where these return EINVAL or
 * ERANGE.
 */
#define _TRUNCATE ((size_t)-1)
#define STRUNCATE 80

static inline errno_t FspWin32CopyW(wchar_t *dest, size_t size, const wchar_t *src, size_t count,
                                    size_t at)
{
    if (!dest || !size)
        return EINVAL;
    if (!src) {
        dest[0] = 0;
        return EINVAL;
    }
    if (at >= size) {
        dest[0] = 0;
        return EINVAL;
    }
    size_t n = _TRUNCATE == count ? wcslen(src) : wcsnlen(src, count);
    if (at + n < size) {
        memcpy(dest + at, src, n * sizeof(wchar_t));
        dest[at + n] = 0;
        return 0;
    }
    if (_TRUNCATE == count) {
        memcpy(dest + at, src, (size - 1 - at) * sizeof(wchar_t));
        dest[size - 1] = 0;
        return STRUNCATE;
    }
    dest[0] = 0;
    return ERANGE;
}
static inline errno_t FspWin32CopyA(char *dest, size_t size, const char *src, size_t count, size_t at)
{
    if (!dest || !size)
        return EINVAL;
    if (!src || at >= size) {
        dest[0] = 0;
        return EINVAL;
    }
    size_t n = _TRUNCATE == count ? strlen(src) : strnlen(src, count);
    if (at + n < size) {
        memcpy(dest + at, src, n);
        dest[at + n] = 0;
        return 0;
    }
    if (_TRUNCATE == count) {
        memcpy(dest + at, src, size - 1 - at);
        dest[size - 1] = 0;
        return STRUNCATE;
    }
    dest[0] = 0;
    return ERANGE;
}
static inline errno_t wcscpy_s(wchar_t *dest, size_t size, const wchar_t *src)
{
    return FspWin32CopyW(dest, size, src, SIZE_MAX - 1, 0);
}
static inline errno_t wcsncpy_s(wchar_t *dest, size_t size, const wchar_t *src, size_t count)
{
    return FspWin32CopyW(dest, size, src, count, 0);
}
static inline errno_t wcscat_s(wchar_t *dest, size_t size, const wchar_t *src)
{
    if (!dest || !size)
        return EINVAL;
    return FspWin32CopyW(dest, size, src, SIZE_MAX - 1, wcsnlen(dest, size));
}
static inline errno_t wcsncat_s(wchar_t *dest, size_t size, const wchar_t *src, size_t count)
{
    if (!dest || !size)
        return EINVAL;
    return FspWin32CopyW(dest, size, src, count, wcsnlen(dest, size));
}
static inline errno_t strcpy_s(char *dest, size_t size, const char *src)
{
    return FspWin32CopyA(dest, size, src, SIZE_MAX - 1, 0);
}
static inline errno_t strncpy_s(char *dest, size_t size, const char *src, size_t count)
{
    return FspWin32CopyA(dest, size, src, count, 0);
}
static inline errno_t strcat_s(char *dest, size_t size, const char *src)
{
    if (!dest || !size)
        return EINVAL;
    return FspWin32CopyA(dest, size, src, SIZE_MAX - 1, strnlen(dest, size));
}
static inline errno_t memcpy_s(void *dest, size_t size, const void *src, size_t count)
{
    if (!count)
        return 0;
    if (!dest)
        return EINVAL;
    if (!src || count > size) {
        memset(dest, 0, size);
        return src ? ERANGE : EINVAL;
    }
    memcpy(dest, src, count);
    return 0;
}
static inline errno_t memmove_s(void *dest, size_t size, const void *src, size_t count)
{
    if (!count)
        return 0;
    if (!dest || !src)
        return EINVAL;
    if (count > size)
        return ERANGE;
    memmove(dest, src, count);
    return 0;
}

/*
 * Wide formatting with the Windows C library's rules (%s wide, %S narrow, %ld 32 bits, I64):
 * see FspServiceLog in winfsp.h. The result is always NUL-terminated; the return value is the
 * length, or -1 when it did not fit (Windows' _snwprintf leaves such a buffer unterminated).
 */
FSP_API int FspWin32VFormatW(PWSTR Buffer, SIZE_T Count, PCWSTR Format, va_list ap);
static inline int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list ap)
{
    return FspWin32VFormatW(Buffer, Count, Format, ap);
}
static inline int _snwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = FspWin32VFormatW(Buffer, Count, Format, ap);
    va_end(ap);
    return n;
}
static inline int vswprintf_s(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list ap)
{
    int n = FspWin32VFormatW(Buffer, Count, Format, ap);
    if (n < 0 && Buffer && Count)
        Buffer[0] = 0;
    return n;
}
static inline int swprintf_s(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = vswprintf_s(Buffer, Count, Format, ap);
    va_end(ap);
    return n;
}
/** wsprintfW/wvsprintfW: at most 1024 characters, as on Windows. */
static inline int wvsprintfW(LPWSTR Buffer, LPCWSTR Format, va_list ap)
{
    int n = FspWin32VFormatW(Buffer, 1024, Format, ap);
    return n < 0 ? (int)wcslen(Buffer) : n;
}
static inline int wsprintfW(LPWSTR Buffer, LPCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = wvsprintfW(Buffer, Format, ap);
    va_end(ap);
    return n;
}

/* ---- security descriptors and SIDs ---- */

#define SDDL_REVISION_1 1

/** The length of a self-relative security descriptor (0 when it is not valid). */
static inline DWORD GetSecurityDescriptorLength(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    return FspGetSecurityDescriptorLength(SecurityDescriptor);
}
static inline BOOL IsValidSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    ULONG Length = SecurityDescriptor ? FspGetSecurityDescriptorLength(SecurityDescriptor) : 0;
    return 0 != Length && FspIsValidSecurityDescriptor(SecurityDescriptor, Length);
}
static inline DWORD GetLengthSid(PSID Sid)
{
    return FspGetSidLength(Sid);
}
static inline BOOL IsValidSid(PSID Sid)
{
    return Sid && FspIsValidSid(Sid, SECURITY_MAX_SID_SIZE);
}
static inline BOOL EqualSid(PSID Sid1, PSID Sid2)
{
    return FspEqualSid(Sid1, Sid2);
}

/* A copy of Size bytes in LocalAlloc memory (for the Convert* functions, whose results
 * the caller frees with LocalFree); frees Source with free. */
static inline PVOID FspWin32LocalCopy(PVOID Source, SIZE_T Size)
{
    PVOID Copy = LocalAlloc(LMEM_FIXED, Size);
    if (Copy)
        memcpy(Copy, Source, Size);
    else
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    free(Source);
    return Copy;
}
/**
 * SDDL -> self-relative security descriptor in LocalAlloc memory (free with LocalFree),
 * through FspSddlToSecurityDescriptor (the SDDL LinFsp understands: doc/native-api.md).
 */
static inline BOOL ConvertStringSecurityDescriptorToSecurityDescriptorW(
    LPCWSTR StringSecurityDescriptor, DWORD StringSDRevision,
    PSECURITY_DESCRIPTOR *SecurityDescriptor, PULONG SecurityDescriptorSize)
{
    PSECURITY_DESCRIPTOR Sd = 0;
    ULONG Size = 0;
    NTSTATUS Result = SDDL_REVISION_1 != StringSDRevision || !SecurityDescriptor
                          ? STATUS_INVALID_PARAMETER
                          : FspSddlToSecurityDescriptor(StringSecurityDescriptor, &Sd, &Size);
    if (!NT_SUCCESS(Result)) {
        SetLastError(FspWin32FromNtStatus(Result));
        return FALSE;
    }
    *SecurityDescriptor = FspWin32LocalCopy(Sd, Size);
    if (!*SecurityDescriptor)
        return FALSE;
    if (SecurityDescriptorSize)
        *SecurityDescriptorSize = Size;
    return TRUE;
}
/** Security descriptor -> SDDL in LocalAlloc memory (free with LocalFree). */
static inline BOOL ConvertSecurityDescriptorToStringSecurityDescriptorW(
    PSECURITY_DESCRIPTOR SecurityDescriptor, DWORD RequestedStringSDRevision,
    SECURITY_INFORMATION SecurityInformation, LPWSTR *StringSecurityDescriptor, PULONG StringLen)
{
    PWSTR Sddl = 0;
    NTSTATUS Result = SDDL_REVISION_1 != RequestedStringSDRevision || !StringSecurityDescriptor
                          ? STATUS_INVALID_PARAMETER
                          : FspSecurityDescriptorToSddl(SecurityDescriptor, SecurityInformation, &Sddl);
    if (!NT_SUCCESS(Result)) {
        SetLastError(FspWin32FromNtStatus(Result));
        return FALSE;
    }
    size_t Length = wcslen(Sddl);
    *StringSecurityDescriptor = (LPWSTR)FspWin32LocalCopy(Sddl, (Length + 1) * sizeof(WCHAR));
    if (!*StringSecurityDescriptor)
        return FALSE;
    if (StringLen)
        *StringLen = (ULONG)(Length + 1);
    return TRUE;
}
/** "S-1-5-18" (or an SDDL alias) -> SID in LocalAlloc memory (free with LocalFree). */
static inline BOOL ConvertStringSidToSidW(LPCWSTR StringSid, PSID *Sid)
{
    PSID S = 0;
    NTSTATUS Result = FspStringToSid(StringSid, &S);
    if (!NT_SUCCESS(Result)) {
        SetLastError(FspWin32FromNtStatus(Result));
        return FALSE;
    }
    *Sid = FspWin32LocalCopy(S, FspGetSidLength(S));
    return 0 != *Sid;
}
static inline BOOL ConvertSidToStringSidW(PSID Sid, LPWSTR *StringSid)
{
    PWSTR S = 0;
    NTSTATUS Result = FspSidToString(Sid, &S);
    if (!NT_SUCCESS(Result)) {
        SetLastError(FspWin32FromNtStatus(Result));
        return FALSE;
    }
    *StringSid = (LPWSTR)FspWin32LocalCopy(S, (wcslen(S) + 1) * sizeof(WCHAR));
    return 0 != *StringSid;
}

/* ---- wmain ---- */

#if defined(WIN32_COMPAT_WMAIN)
int wmain(int argc, wchar_t **argv);
/* main() converts the arguments (UTF-8, as FspPosixMapPosixToWindowsPathEx without
 * translation) and calls wmain. */
int main(int argc, char **argv)
{
    wchar_t **wargv = (wchar_t **)calloc((size_t)argc + 1, sizeof *wargv);
    if (!wargv)
        return 1;
    for (int i = 0; i < argc; i++)
        if (!NT_SUCCESS(FspPosixMapPosixToWindowsPathEx(argv[i], &wargv[i], FALSE)))
            return 1;
    int code = wmain(argc, wargv);
    for (int i = 0; i < argc; i++)
        FspPosixDeletePath(wargv[i]);
    free(wargv);
    return code;
}
#endif

#ifdef __cplusplus
}
#endif
#endif
