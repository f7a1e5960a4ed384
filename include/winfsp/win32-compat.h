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

#define WINAPI   /**< Windows' calling convention: nothing on Linux */
#define WINAPIV  /**< Windows' variadic calling convention: nothing on Linux */
#define CALLBACK /**< Windows' callback calling convention: nothing on Linux */
#define APIENTRY /**< Windows' entry point calling convention: nothing on Linux */
#ifndef CONST
#define CONST const /**< const */
#endif
#ifndef UNREFERENCED_PARAMETER
/** Mark a parameter as used. @param P the parameter */
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#endif
#ifndef _countof
/** The number of elements of an array. @param a the array */
#define _countof(a) ARRAYSIZE(a)
#endif

typedef short SHORT;            /**< 16-bit signed */
typedef short *PSHORT;          /**< pointer to SHORT */
typedef int INT;                /**< 32-bit signed */
typedef int *PINT;              /**< pointer to INT */
typedef int *LPINT;             /**< pointer to INT */
typedef unsigned int UINT;      /**< 32-bit unsigned */
typedef unsigned int *PUINT;    /**< pointer to UINT */
typedef LONG *LPLONG;           /**< pointer to LONG */
typedef WORD *LPWORD;           /**< pointer to WORD */
typedef WORD *PWORD;            /**< pointer to WORD */
typedef BYTE *LPBYTE;           /**< pointer to BYTE */
typedef DWORD *LPDWORD;         /**< pointer to DWORD */
typedef BOOL *PBOOL;            /**< pointer to BOOL */
typedef BOOL *LPBOOL;           /**< pointer to BOOL */
typedef uint64_t DWORD64;       /**< 64-bit unsigned */
typedef uint64_t *PDWORD64;     /**< pointer to DWORD64 */
typedef ULONG_PTR DWORD_PTR;    /**< pointer-sized unsigned */
typedef int64_t LONG64;         /**< 64-bit signed */
typedef int64_t *PLONG64;       /**< pointer to LONG64 */
typedef uint64_t ULONG64;       /**< 64-bit unsigned */
typedef uint64_t *PULONG64;     /**< pointer to ULONG64 */
typedef intptr_t SSIZE_T;       /**< pointer-sized signed */
typedef void *LPVOID;           /**< pointer to anything */
typedef const void *LPCVOID;    /**< pointer to anything constant */
typedef char *LPSTR;            /**< narrow string */
typedef char *PCHAR;            /**< narrow string */
typedef const char *LPCSTR;     /**< constant narrow string */
typedef wchar_t *LPWSTR;        /**< wide string (WCHAR, UTF-32 on Linux) */
typedef const wchar_t *LPCWSTR; /**< constant wide string */
typedef const wchar_t *PCWCH;   /**< constant wide characters */
typedef const char *PCCH;       /**< constant narrow characters */
typedef PFILETIME LPFILETIME;   /**< pointer to FILETIME */
typedef void *HMODULE;          /**< a loaded module (FspLoad()) */
typedef void *HINSTANCE;        /**< a loaded module */
typedef void *HLOCAL;           /**< LocalAlloc() memory: the block's address */
typedef void *HGLOBAL;          /**< GlobalAlloc() memory: the block's address */
typedef DWORD LCID;             /**< a locale identifier (ignored by the comparisons here) */
typedef int errno_t;            /**< the result of the _s functions: 0 or an errno */

/** Share access of a Create request (FSP_FSCTL_TRANSACT_REQ Req.Create.ShareAccess, always 0 on LinFsp): read. */
#define FILE_SHARE_READ 0x00000001
/** Share access: write. */
#define FILE_SHARE_WRITE 0x00000002
/** Share access: delete. */
#define FILE_SHARE_DELETE 0x00000004

/* ---- memory ---- */

/** Fill with zeros. @param Destination the memory @param Length bytes */
#define ZeroMemory(Destination, Length) memset((Destination), 0, (Length))
/** ZeroMemory(). */
#define RtlZeroMemory ZeroMemory
/** Fill with zeros in a way the compiler does not drop (explicit_bzero(3)). @param Destination the memory @param Length bytes */
#define SecureZeroMemory(Destination, Length) explicit_bzero((Destination), (Length))
/** memcpy(3). @param Destination to @param Source from @param Length bytes */
#define CopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
/** CopyMemory(). */
#define RtlCopyMemory CopyMemory
/** memmove(3). @param Destination to @param Source from @param Length bytes */
#define MoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
/** MoveMemory(). */
#define RtlMoveMemory MoveMemory
/** memset(3). @param Destination the memory @param Length bytes @param Fill the byte */
#define FillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
/** FillMemory(). */
#define RtlFillMemory FillMemory
/** Whether two blocks are equal (non-zero) or not (0). @param Destination one @param Source the other @param Length bytes */
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
/** RtlEqualMemory(). */
#define EqualMemory RtlEqualMemory

#define HEAP_NO_SERIALIZE 0x00000001          /**< accepted; heaps always lock */
#define HEAP_GENERATE_EXCEPTIONS 0x00000004   /**< accepted; failures return NULL (no SEH) */
#define HEAP_ZERO_MEMORY 0x00000008           /**< the new block (or a grown block's new part) is zeroed */
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010 /**< HeapReAlloc() may not move the block (it only shrinks) */
#define HEAP_CREATE_ENABLE_EXECUTE 0x00040000 /**< accepted; ignored */

/**
 * Make a heap: a set of malloc(3)'ed blocks it keeps track of, so that HeapDestroy() frees
 * them all (HeapCreate() calls this).
 * @param Options HEAP_* flags (HEAP_NO_SERIALIZE and HEAP_GENERATE_EXCEPTIONS are accepted and ignored)
 * @param InitialSize ignored
 * @param MaximumSize 0: the heap grows as needed; else allocations fail once it holds this many bytes
 * @return the heap, or NULL (GetLastError() ERROR_NOT_ENOUGH_MEMORY)
 */
FSP_API HANDLE FspWin32HeapCreate(DWORD Options, SIZE_T InitialSize, SIZE_T MaximumSize);
/**
 * Free a heap and every block still allocated from it (HeapDestroy() calls this).
 * @param Heap the heap; the process heap cannot be destroyed
 * @return TRUE, or FALSE (ERROR_INVALID_PARAMETER) for the process heap or NULL
 */
FSP_API BOOL FspWin32HeapDestroy(HANDLE Heap);
/**
 * The process heap (GetProcessHeap() calls this), which LocalAlloc() and GlobalAlloc() use.
 * @return the process heap
 */
FSP_API HANDLE FspWin32GetProcessHeap(VOID);
/**
 * Allocate a block (HeapAlloc() calls this).
 * @param Heap the heap
 * @param Flags HEAP_ZERO_MEMORY or 0
 * @param Size bytes (0 gives a block of its own)
 * @return the block, or NULL (ERROR_NOT_ENOUGH_MEMORY)
 */
FSP_API PVOID FspWin32HeapAlloc(HANDLE Heap, DWORD Flags, SIZE_T Size);
/**
 * Resize a block (HeapReAlloc() calls this).
 * @param Heap the block's heap
 * @param Flags HEAP_ZERO_MEMORY (a grown part is zeroed), HEAP_REALLOC_IN_PLACE_ONLY
 * @param Pointer the block
 * @param Size its new size in bytes
 * @return the block (maybe moved), or NULL with the block unchanged (ERROR_NOT_ENOUGH_MEMORY,
 *         ERROR_INVALID_PARAMETER for a block of another heap)
 */
FSP_API PVOID FspWin32HeapReAlloc(HANDLE Heap, DWORD Flags, PVOID Pointer, SIZE_T Size);
/**
 * Free a block (HeapFree() calls this).
 * @param Heap the block's heap
 * @param Flags ignored
 * @param Pointer the block, or NULL
 * @return TRUE, or FALSE (ERROR_INVALID_PARAMETER) for a block of another heap
 */
FSP_API BOOL FspWin32HeapFree(HANDLE Heap, DWORD Flags, PVOID Pointer);
/**
 * The size a block was allocated with (HeapSize() calls this).
 * @param Heap the block's heap
 * @param Flags ignored
 * @param Pointer the block
 * @return its size, or (SIZE_T)-1 (ERROR_INVALID_PARAMETER) for a block of another heap
 */
FSP_API SIZE_T FspWin32HeapSize(HANDLE Heap, DWORD Flags, PCVOID Pointer);

/**
 * Make a heap.
 * @param Options HEAP_* flags (accepted and ignored)
 * @param InitialSize ignored
 * @param MaximumSize 0 makes a growable heap; otherwise allocations fail (NULL,
 *        ERROR_NOT_ENOUGH_MEMORY) once the heap holds MaximumSize bytes
 * @return the heap, or NULL
 */
static inline HANDLE HeapCreate(DWORD Options, SIZE_T InitialSize, SIZE_T MaximumSize)
{
    return FspWin32HeapCreate(Options, InitialSize, MaximumSize);
}
/**
 * Free the heap and every block still allocated from it.
 * @param Heap the heap; the process heap cannot be destroyed
 * @return TRUE, or FALSE
 */
static inline BOOL HeapDestroy(HANDLE Heap)
{
    return FspWin32HeapDestroy(Heap);
}
/**
 * The process heap.
 * @return the process heap
 */
static inline HANDLE GetProcessHeap(VOID)
{
    return FspWin32GetProcessHeap();
}
/**
 * Allocate a block.
 * @param Heap the heap
 * @param Flags HEAP_ZERO_MEMORY or 0
 * @param Size bytes
 * @return the block, or NULL (ERROR_NOT_ENOUGH_MEMORY)
 */
static inline LPVOID HeapAlloc(HANDLE Heap, DWORD Flags, SIZE_T Size)
{
    return FspWin32HeapAlloc(Heap, Flags, Size);
}
/**
 * Resize a block. Growing with HEAP_ZERO_MEMORY zeroes the new part;
 * HEAP_REALLOC_IN_PLACE_ONLY only shrinks.
 * @param Heap the block's heap
 * @param Flags HEAP_ZERO_MEMORY, HEAP_REALLOC_IN_PLACE_ONLY
 * @param Pointer the block
 * @param Size the new size
 * @return the block, or NULL with the block unchanged
 */
static inline LPVOID HeapReAlloc(HANDLE Heap, DWORD Flags, LPVOID Pointer, SIZE_T Size)
{
    return FspWin32HeapReAlloc(Heap, Flags, Pointer, Size);
}
/**
 * Free a block. NULL is accepted.
 * @param Heap the block's heap
 * @param Flags ignored
 * @param Pointer the block
 * @return TRUE, or FALSE (ERROR_INVALID_PARAMETER) for a block of another heap
 */
static inline BOOL HeapFree(HANDLE Heap, DWORD Flags, LPVOID Pointer)
{
    return FspWin32HeapFree(Heap, Flags, Pointer);
}
/**
 * The size a block was allocated with.
 * @param Heap the block's heap
 * @param Flags ignored
 * @param Pointer the block
 * @return its size, or (SIZE_T)-1
 */
static inline SIZE_T HeapSize(HANDLE Heap, DWORD Flags, LPCVOID Pointer)
{
    return FspWin32HeapSize(Heap, Flags, Pointer);
}

#define LMEM_FIXED 0x0000    /**< a fixed block (the only kind) */
#define LMEM_MOVEABLE 0x0002 /**< accepted; the handle is the pointer (LocalLock returns it) */
#define LMEM_ZEROINIT 0x0040 /**< the block is zeroed */
#define LPTR (LMEM_FIXED | LMEM_ZEROINIT)    /**< a zeroed fixed block */
#define LHND (LMEM_MOVEABLE | LMEM_ZEROINIT) /**< a zeroed "moveable" block */
#define GMEM_FIXED 0x0000    /**< as LMEM_FIXED */
#define GMEM_MOVEABLE 0x0002 /**< as LMEM_MOVEABLE */
#define GMEM_ZEROINIT 0x0040 /**< as LMEM_ZEROINIT */
#define GPTR (GMEM_FIXED | GMEM_ZEROINIT) /**< as LPTR */

/**
 * Allocate a block of the process heap (what Windows' functions that return memory to free
 * with LocalFree() use; ConvertStringSidToSidW() etc. here too).
 * @param Flags LMEM_ZEROINIT zeroes the block; LMEM_MOVEABLE is accepted
 * @param Bytes bytes
 * @return the block, or NULL
 */
static inline HLOCAL LocalAlloc(UINT Flags, SIZE_T Bytes)
{
    return FspWin32HeapAlloc(FspWin32GetProcessHeap(), (Flags & LMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0,
                             Bytes);
}
/**
 * Resize a LocalAlloc() block.
 * @param Mem the block
 * @param Bytes the new size
 * @param Flags LMEM_ZEROINIT zeroes a grown part
 * @return the block, or NULL with the block unchanged
 */
static inline HLOCAL LocalReAlloc(HLOCAL Mem, SIZE_T Bytes, UINT Flags)
{
    return FspWin32HeapReAlloc(FspWin32GetProcessHeap(),
                               (Flags & LMEM_ZEROINIT) ? HEAP_ZERO_MEMORY : 0, Mem, Bytes);
}
/**
 * Free a LocalAlloc() block.
 * @param Mem the block, or NULL
 * @return NULL on success, Mem when it is not a block of the process heap
 */
static inline HLOCAL LocalFree(HLOCAL Mem)
{
    return FspWin32HeapFree(FspWin32GetProcessHeap(), 0, Mem) ? (HLOCAL)0 : Mem;
}
/**
 * The address of a LocalAlloc() block.
 * @param Mem the block
 * @return Mem
 */
static inline LPVOID LocalLock(HLOCAL Mem)
{
    return Mem;
}
/**
 * Unlock a LocalAlloc() block: nothing to do.
 * @param Mem the block
 * @return FALSE, as Windows for a fixed block
 */
static inline BOOL LocalUnlock(HLOCAL Mem)
{
    (void)Mem;
    return FALSE; /* as Windows for a fixed block */
}
/**
 * The size of a LocalAlloc() block.
 * @param Mem the block
 * @return its size
 */
static inline SIZE_T LocalSize(HLOCAL Mem)
{
    return FspWin32HeapSize(FspWin32GetProcessHeap(), 0, Mem);
}
/**
 * As LocalAlloc().
 * @param Flags GMEM_* flags
 * @param Bytes bytes
 * @return the block, or NULL
 */
static inline HGLOBAL GlobalAlloc(UINT Flags, SIZE_T Bytes)
{
    return LocalAlloc(Flags, Bytes);
}
/**
 * As LocalFree().
 * @param Mem the block, or NULL
 * @return NULL on success
 */
static inline HGLOBAL GlobalFree(HGLOBAL Mem)
{
    return LocalFree(Mem);
}

/* ---- the last error ---- */

/**
 * The calling thread's last Windows error code (GetLastError() calls this).
 * @return the code this header's functions set on their last failure in this thread
 *         (ERROR_* of wintypes.h), or what SetLastError() set
 */
FSP_API DWORD FspWin32GetLastError(VOID);
/**
 * Set the calling thread's last error (SetLastError() calls this).
 * @param Error an ERROR_* code
 */
FSP_API VOID FspWin32SetLastError(DWORD Error);
/**
 * The calling thread's last Windows error code. Only the functions of this header set it;
 * POSIX calls that replaced Windows calls report errno instead (FspNtStatusFromErrno()).
 * @return the code (FspNtStatusFromWin32() turns it into an NTSTATUS)
 */
static inline DWORD GetLastError(VOID)
{
    return FspWin32GetLastError();
}
/**
 * Set the calling thread's last error.
 * @param Error an ERROR_* code
 */
static inline VOID SetLastError(DWORD Error)
{
    FspWin32SetLastError(Error);
}

/* ---- one-time initialization ---- */

/** A one-time initialization (InitOnceExecuteOnce()); set it up with INIT_ONCE_STATIC_INIT or InitOnceInitialize(). */
typedef struct _INIT_ONCE {
    volatile LONG State; /**< 0: not done yet; 2: done */
    PVOID Context;       /**< what the initialization function stored in its Context */
} INIT_ONCE;
typedef INIT_ONCE *PINIT_ONCE;  /**< pointer to INIT_ONCE */
typedef INIT_ONCE *LPINIT_ONCE; /**< pointer to INIT_ONCE */
/** A static INIT_ONCE's initializer. */
#define INIT_ONCE_STATIC_INIT {0, 0}
/** An initialization function: TRUE when it succeeded (it may store a value in *Context). */
typedef BOOL(CALLBACK *PINIT_ONCE_FN)(PINIT_ONCE InitOnce, PVOID Parameter, PVOID *Context);

/**
 * Run an initialization once (InitOnceExecuteOnce() calls this).
 * @param InitOnce the initialization's state
 * @param InitFn the function
 * @param Parameter passed to InitFn
 * @param Context receives what InitFn stored, or NULL
 * @return TRUE once the initialization is done; FALSE when InitFn failed (or
 *         ERROR_INVALID_PARAMETER for NULL arguments)
 */
FSP_API BOOL FspWin32InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn,
                                         PVOID Parameter, LPVOID *Context);
/**
 * Call InitFn once: concurrent callers wait until it returns; when it returns FALSE the
 * initialization is not done and the next call tries again.
 * @param InitOnce the initialization's state
 * @param InitFn the function
 * @param Parameter passed to InitFn
 * @param Context receives what InitFn stored in its Context, or NULL
 * @return TRUE once the initialization is done, FALSE when InitFn returned FALSE
 */
static inline BOOL InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn, PVOID Parameter,
                                       LPVOID *Context)
{
    return FspWin32InitOnceExecuteOnce(InitOnce, InitFn, Parameter, Context);
}
/**
 * Set up an INIT_ONCE at run time.
 * @param InitOnce the initialization's state
 */
static inline VOID InitOnceInitialize(PINIT_ONCE InitOnce)
{
    InitOnce->State = 0;
    InitOnce->Context = 0;
}

/* ---- atomics: type-generic (LONG, LONG64, any integer or pointer), full barriers ---- */

/** Add 1. @param p the variable @return the new value */
#define InterlockedIncrement(p) __sync_add_and_fetch((p), 1)
/** Subtract 1. @param p the variable @return the new value */
#define InterlockedDecrement(p) __sync_sub_and_fetch((p), 1)
/** Add. @param p the variable @param v the addend @return the new value */
#define InterlockedAdd(p, v) __sync_add_and_fetch((p), (v))
/** Add. @param p the variable @param v the addend @return the old value */
#define InterlockedExchangeAdd(p, v) __sync_fetch_and_add((p), (v))
/** Store. @param p the variable @param v the new value @return the old value */
#define InterlockedExchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
/** Store Exchange if the value is Comparand. @param p the variable @param Exchange the new value @param Comparand the expected value @return the old value */
#define InterlockedCompareExchange(p, Exchange, Comparand) \
    __sync_val_compare_and_swap((p), (Comparand), (Exchange))
/** Bitwise or. @param p the variable @param v the bits @return the old value */
#define InterlockedOr(p, v) __sync_fetch_and_or((p), (v))
/** Bitwise and. @param p the variable @param v the bits @return the old value */
#define InterlockedAnd(p, v) __sync_fetch_and_and((p), (v))
/** Bitwise exclusive or. @param p the variable @param v the bits @return the old value */
#define InterlockedXor(p, v) __sync_fetch_and_xor((p), (v))
#define InterlockedIncrement64 InterlockedIncrement                /**< InterlockedIncrement() */
#define InterlockedDecrement64 InterlockedDecrement                /**< InterlockedDecrement() */
#define InterlockedAdd64 InterlockedAdd                            /**< InterlockedAdd() */
#define InterlockedExchangeAdd64 InterlockedExchangeAdd            /**< InterlockedExchangeAdd() */
#define InterlockedExchange64 InterlockedExchange                  /**< InterlockedExchange() */
#define InterlockedCompareExchange64 InterlockedCompareExchange    /**< InterlockedCompareExchange() */
#define InterlockedOr64 InterlockedOr                              /**< InterlockedOr() */
#define InterlockedAnd64 InterlockedAnd                            /**< InterlockedAnd() */
#define InterlockedXor64 InterlockedXor                            /**< InterlockedXor() */
#define InterlockedExchangePointer InterlockedExchange             /**< InterlockedExchange() */
#define InterlockedCompareExchangePointer InterlockedCompareExchange /**< InterlockedCompareExchange() */
#if defined(__SANITIZE_THREAD__)
#define FSP_WIN32_COMPAT_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FSP_WIN32_COMPAT_TSAN_ 1
#endif
#endif
#if defined(FSP_WIN32_COMPAT_TSAN_)
/*
 * ThreadSanitizer does not accept a standalone fence; a sequentially consistent
 * read-modify-write is one on the hardware LinFsp runs on and TSan understands it.
 */
static inline void MemoryBarrier(void)
{
    static LONG barrier;
    __atomic_fetch_or(&barrier, 0, __ATOMIC_SEQ_CST);
}
#else
/** A full memory barrier (a sequentially consistent fence). */
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
/** A compiler barrier: no reordering of memory accesses across it by the compiler. */
#define _ReadWriteBarrier() __asm__ __volatile__("" ::: "memory")
#if defined(__x86_64__) || defined(__i386__)
/** A spin-wait hint to the processor (pause). */
#define YieldProcessor() __builtin_ia32_pause()
#else
/** A spin-wait hint to the processor (none on this architecture). */
#define YieldProcessor() ((void)0)
#endif

/* ---- locks ---- */

/** A critical section: a recursive mutex, as Windows' (the owner may enter again). */
typedef struct _CRITICAL_SECTION {
    pthread_mutex_t Mutex; /**< the recursive mutex */
} CRITICAL_SECTION;
typedef CRITICAL_SECTION *PCRITICAL_SECTION;  /**< pointer to CRITICAL_SECTION */
typedef CRITICAL_SECTION *LPCRITICAL_SECTION; /**< pointer to CRITICAL_SECTION */

/**
 * Set up a critical section.
 * @param Section the critical section
 */
static inline VOID InitializeCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&Section->Mutex, &attr);
    pthread_mutexattr_destroy(&attr);
}
/**
 * Set up a critical section.
 * @param Section the critical section
 * @param SpinCount ignored
 * @return TRUE
 */
static inline BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION Section, DWORD SpinCount)
{
    (void)SpinCount;
    InitializeCriticalSection(Section);
    return TRUE;
}
/**
 * Release a critical section's resources.
 * @param Section the critical section (not held)
 */
static inline VOID DeleteCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutex_destroy(&Section->Mutex);
}
/**
 * Enter (wait for) a critical section; the owner may enter again.
 * @param Section the critical section
 */
static inline VOID EnterCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutex_lock(&Section->Mutex);
}
/**
 * Enter a critical section if that needs no wait.
 * @param Section the critical section
 * @return TRUE when entered
 */
static inline BOOL TryEnterCriticalSection(LPCRITICAL_SECTION Section)
{
    return 0 == pthread_mutex_trylock(&Section->Mutex);
}
/**
 * Leave a critical section (once per enter).
 * @param Section the critical section
 */
static inline VOID LeaveCriticalSection(LPCRITICAL_SECTION Section)
{
    pthread_mutex_unlock(&Section->Mutex);
}

/**
 * A slim reader/writer lock: a pthread rwlock. Unlike Windows', it must be released by the
 * thread that acquired it. SRW locks need no destruction, as on Windows.
 */
typedef struct _SRWLOCK {
    pthread_rwlock_t Lock; /**< the rwlock */
} SRWLOCK;
typedef SRWLOCK *PSRWLOCK; /**< pointer to SRWLOCK */
/** A static SRWLOCK's initializer. */
#define SRWLOCK_INIT {PTHREAD_RWLOCK_INITIALIZER}

/**
 * Set up an SRW lock at run time.
 * @param SRWLock the lock
 */
static inline VOID InitializeSRWLock(PSRWLOCK SRWLock)
{
    pthread_rwlock_init(&SRWLock->Lock, 0);
}
/**
 * Take the lock exclusively (wait).
 * @param SRWLock the lock
 */
static inline VOID AcquireSRWLockExclusive(PSRWLOCK SRWLock)
{
    pthread_rwlock_wrlock(&SRWLock->Lock);
}
/**
 * Take the lock shared (wait).
 * @param SRWLock the lock
 */
static inline VOID AcquireSRWLockShared(PSRWLOCK SRWLock)
{
    pthread_rwlock_rdlock(&SRWLock->Lock);
}
/**
 * Take the lock exclusively if that needs no wait.
 * @param SRWLock the lock
 * @return TRUE when taken
 */
static inline BOOLEAN TryAcquireSRWLockExclusive(PSRWLOCK SRWLock)
{
    return 0 == pthread_rwlock_trywrlock(&SRWLock->Lock);
}
/**
 * Take the lock shared if that needs no wait.
 * @param SRWLock the lock
 * @return TRUE when taken
 */
static inline BOOLEAN TryAcquireSRWLockShared(PSRWLOCK SRWLock)
{
    return 0 == pthread_rwlock_tryrdlock(&SRWLock->Lock);
}
/**
 * Release an exclusive hold.
 * @param SRWLock the lock
 */
static inline VOID ReleaseSRWLockExclusive(PSRWLOCK SRWLock)
{
    pthread_rwlock_unlock(&SRWLock->Lock);
}
/**
 * Release a shared hold.
 * @param SRWLock the lock
 */
static inline VOID ReleaseSRWLockShared(PSRWLOCK SRWLock)
{
    pthread_rwlock_unlock(&SRWLock->Lock);
}

/* ---- time ---- */

/**
 * Now as a FILETIME (100 ns units since 1601-01-01 UTC; CLOCK_REALTIME).
 * @param FileTime receives the time
 */
static inline VOID GetSystemTimeAsFileTime(LPFILETIME FileTime)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    UINT64 t = (UINT64)ts.tv_sec * 10000000 + (UINT64)ts.tv_nsec / 100 + 116444736000000000ULL;
    FileTime->dwLowDateTime = (DWORD)t;
    FileTime->dwHighDateTime = (DWORD)(t >> 32);
}
/**
 * As GetSystemTimeAsFileTime() (which is as precise as the clock already).
 * @param FileTime receives the time
 */
static inline VOID GetSystemTimePreciseAsFileTime(LPFILETIME FileTime)
{
    GetSystemTimeAsFileTime(FileTime);
}
/**
 * Milliseconds since an arbitrary start (CLOCK_MONOTONIC).
 * @return the count
 */
static inline ULONGLONG GetTickCount64(VOID)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ULONGLONG)ts.tv_sec * 1000 + (ULONGLONG)ts.tv_nsec / 1000000;
}
/**
 * GetTickCount64() in 32 bits (wraps after 49.7 days).
 * @return the count
 */
static inline DWORD GetTickCount(VOID)
{
    return (DWORD)GetTickCount64();
}
/**
 * The frequency of QueryPerformanceCounter(): nanoseconds.
 * @param Frequency receives 1000000000
 * @return TRUE
 */
static inline BOOL QueryPerformanceFrequency(PLARGE_INTEGER Frequency)
{
    Frequency->QuadPart = 1000000000;
    return TRUE;
}
/**
 * A high-resolution counter (CLOCK_MONOTONIC in nanoseconds).
 * @param Count receives the count
 * @return TRUE
 */
static inline BOOL QueryPerformanceCounter(PLARGE_INTEGER Count)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    Count->QuadPart = (LONGLONG)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return TRUE;
}
/**
 * Sleep (signals do not cut it short).
 * @param Milliseconds how long; INFINITE: for ever
 */
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

/**
 * The process id.
 * @return getpid(2)
 */
static inline DWORD GetCurrentProcessId(VOID)
{
    return (DWORD)getpid();
}
/**
 * The thread id.
 * @return gettid(2)
 */
static inline DWORD GetCurrentThreadId(VOID)
{
    return (DWORD)syscall(SYS_gettid);
}

/* ---- string comparisons ---- */

#define LOCALE_INVARIANT 0x007f      /**< a locale (ignored: comparisons are by code point) */
#define LOCALE_USER_DEFAULT 0x0400   /**< a locale (ignored) */
#define LOCALE_SYSTEM_DEFAULT 0x0800 /**< a locale (ignored) */
#define NORM_IGNORECASE 0x00000001   /**< compare ignoring case (towupper(3)) */
#define NORM_IGNORENONSPACE 0x00000002 /**< accepted; ignored */
#define NORM_IGNORESYMBOLS 0x00000004  /**< accepted; ignored */
#define LINGUISTIC_IGNORECASE 0x00000010 /**< as NORM_IGNORECASE */
#define SORT_STRINGSORT 0x00001000      /**< accepted; ignored */
#define CSTR_LESS_THAN 1    /**< CompareString*(): the first string sorts first */
#define CSTR_EQUAL 2        /**< CompareString*(): equal */
#define CSTR_GREATER_THAN 3 /**< CompareString*(): the first string sorts last */

/**
 * Compare wide strings by code point (CompareStringW() and the others use it).
 * @param s1 the first string
 * @param n1 its length in characters, -1: up to its NUL
 * @param s2 the second string
 * @param n2 its length, -1: up to its NUL
 * @param IgnoreCase compare upper-cased (towupper(3))
 * @return CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN
 */
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
/**
 * Compare narrow strings by byte (CompareStringA() and the others use it).
 * @param s1 the first string
 * @param n1 its length in bytes, -1: up to its NUL
 * @param s2 the second string
 * @param n2 its length, -1: up to its NUL
 * @param IgnoreCase compare upper-cased (toupper(3): ASCII letters)
 * @return CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN
 */
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
 * Compare wide strings. With NORM_IGNORECASE (or LINGUISTIC_IGNORECASE) characters compare
 * upper-cased by towupper(3) (Unicode when the program's LC_CTYPE is a UTF-8 locale, ASCII in
 * "C"). LinFsp compares code points (an ordinal order), not Windows' linguistic order:
 * equality is the same, the order of unequal strings may differ.
 * @param Locale ignored
 * @param Flags NORM_* flags
 * @param String1 the first string
 * @param Count1 its length in characters, -1: NUL-terminated
 * @param String2 the second string
 * @param Count2 its length, -1: NUL-terminated
 * @return CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN; 0 (ERROR_INVALID_PARAMETER) for
 *         NULL strings
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
/**
 * As CompareStringW() over bytes (toupper(3) folds ASCII letters).
 * @param Locale ignored
 * @param Flags NORM_* flags
 * @param String1 the first string
 * @param Count1 its length in bytes, -1: NUL-terminated
 * @param String2 the second string
 * @param Count2 its length, -1: NUL-terminated
 * @return CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN; 0 for NULL strings
 */
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
/**
 * Compare wide strings by code point.
 * @param String1 the first string
 * @param Count1 its length in characters, -1: NUL-terminated
 * @param String2 the second string
 * @param Count2 its length, -1: NUL-terminated
 * @param IgnoreCase compare upper-cased (towupper(3))
 * @return CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN; 0 for NULL strings
 */
static inline int CompareStringOrdinal(PCWCH String1, int Count1, PCWCH String2, int Count2,
                                       BOOL IgnoreCase)
{
    if (!String1 || !String2) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return FspWin32CompareW(String1, Count1, String2, Count2, IgnoreCase);
}
/**
 * Compare wide strings as CompareStringW() does (NULL sorts first).
 * @param s1 the first string
 * @param s2 the second string
 * @return < 0, 0 or > 0
 */
static inline int lstrcmpW(LPCWSTR s1, LPCWSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareW(s1, -1, s2, -1, FALSE) - 2;
}
/**
 * Compare wide strings ignoring case (NULL sorts first).
 * @param s1 the first string
 * @param s2 the second string
 * @return < 0, 0 or > 0
 */
static inline int lstrcmpiW(LPCWSTR s1, LPCWSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareW(s1, -1, s2, -1, TRUE) - 2;
}
/**
 * Compare narrow strings (NULL sorts first).
 * @param s1 the first string
 * @param s2 the second string
 * @return < 0, 0 or > 0
 */
static inline int lstrcmpA(LPCSTR s1, LPCSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareA(s1, -1, s2, -1, FALSE) - 2;
}
/**
 * Compare narrow strings ignoring the case of ASCII letters (NULL sorts first).
 * @param s1 the first string
 * @param s2 the second string
 * @return < 0, 0 or > 0
 */
static inline int lstrcmpiA(LPCSTR s1, LPCSTR s2)
{
    return !s1 || !s2 ? (s1 ? 1 : s2 ? -1 : 0) : FspWin32CompareA(s1, -1, s2, -1, TRUE) - 2;
}
/**
 * The length of a wide string.
 * @param s the string, or NULL
 * @return characters before the NUL (0 for NULL)
 */
static inline int lstrlenW(LPCWSTR s)
{
    return s ? (int)wcslen(s) : 0;
}
/**
 * The length of a narrow string.
 * @param s the string, or NULL
 * @return bytes before the NUL (0 for NULL)
 */
static inline int lstrlenA(LPCSTR s)
{
    return s ? (int)strlen(s) : 0;
}

/* ---- the Windows C library's string functions that glibc lacks ---- */

/**
 * Compare at most n wide characters ignoring case (towlower(3), as the Windows C library).
 * @param s1 the first string
 * @param s2 the second string
 * @param n the most characters compared
 * @return < 0, 0 or > 0
 */
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
/**
 * Compare wide strings ignoring case (towlower(3)).
 * @param s1 the first string
 * @param s2 the second string
 * @return < 0, 0 or > 0
 */
static inline int _wcsicmp(const wchar_t *s1, const wchar_t *s2)
{
    return _wcsnicmp(s1, s2, SIZE_MAX);
}
#define _wcsdup wcsdup          /**< wcsdup(3) */
#define _stricmp strcasecmp     /**< strcasecmp(3) */
#define _strnicmp strncasecmp   /**< strncasecmp(3) */
#define _strdup strdup          /**< strdup(3) */
#define _wcsicoll _wcsicmp      /**< _wcsicmp() (by code point, not by collation) */
/** A decimal wide string as int. @param s the string */
#define _wtoi(s) ((int)wcstol((s), 0, 10))
/** A decimal wide string as long. @param s the string */
#define _wtol(s) wcstol((s), 0, 10)
/** A decimal wide string as INT64. @param s the string */
#define _wtoi64(s) ((INT64)wcstoll((s), 0, 10))
#define _wcstoi64 wcstoll       /**< wcstoll(3) */
#define _wcstoui64 wcstoull     /**< wcstoull(3) */
#define _strtoi64 strtoll       /**< strtoll(3) */
#define _strtoui64 strtoull     /**< strtoull(3) */
/**
 * Lower-case a wide string in place (towlower(3)).
 * @param s the string
 * @return s
 */
static inline wchar_t *_wcslwr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = (wchar_t)towlower((wint_t)*p);
    return s;
}
/**
 * Upper-case a wide string in place (towupper(3)).
 * @param s the string
 * @return s
 */
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
#define _TRUNCATE ((size_t)-1) /**< Count of the n-variants: copy what fits */
#define STRUNCATE 80           /**< the result of a copy _TRUNCATE cut short */

/**
 * The wide _s copies' work (wcscpy_s() and the others use it).
 * @param dest the destination
 * @param size its size in characters
 * @param src the source
 * @param count the most characters copied, or _TRUNCATE
 * @param at where in dest to copy to (the end of its string, for the cat variants)
 * @return 0, EINVAL, ERANGE or STRUNCATE (see above)
 */
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
/**
 * The narrow _s copies' work (strcpy_s() and the others use it).
 * @param dest the destination
 * @param size its size in bytes
 * @param src the source
 * @param count the most bytes copied, or _TRUNCATE
 * @param at where in dest to copy to
 * @return 0, EINVAL, ERANGE or STRUNCATE
 */
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
        memset(dest + at + n, 0, 1); /* not dest[at + n] = 0: GCC -O2 warned of a write past dest
                                      * on the path this branch excludes (-Wstringop-overflow) */
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
/**
 * Copy a wide string.
 * @param dest the destination
 * @param size its size in characters
 * @param src the source
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t wcscpy_s(wchar_t *dest, size_t size, const wchar_t *src)
{
    return FspWin32CopyW(dest, size, src, SIZE_MAX - 1, 0);
}
/**
 * Copy at most count wide characters.
 * @param dest the destination
 * @param size its size in characters
 * @param src the source
 * @param count the most characters, or _TRUNCATE
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t wcsncpy_s(wchar_t *dest, size_t size, const wchar_t *src, size_t count)
{
    return FspWin32CopyW(dest, size, src, count, 0);
}
/**
 * Append a wide string.
 * @param dest the destination, a string
 * @param size its size in characters
 * @param src the source
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t wcscat_s(wchar_t *dest, size_t size, const wchar_t *src)
{
    if (!dest || !size)
        return EINVAL;
    return FspWin32CopyW(dest, size, src, SIZE_MAX - 1, wcsnlen(dest, size));
}
/**
 * Append at most count wide characters.
 * @param dest the destination, a string
 * @param size its size in characters
 * @param src the source
 * @param count the most characters, or _TRUNCATE
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t wcsncat_s(wchar_t *dest, size_t size, const wchar_t *src, size_t count)
{
    if (!dest || !size)
        return EINVAL;
    return FspWin32CopyW(dest, size, src, count, wcsnlen(dest, size));
}
/**
 * Copy a narrow string.
 * @param dest the destination
 * @param size its size in bytes
 * @param src the source
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t strcpy_s(char *dest, size_t size, const char *src)
{
    return FspWin32CopyA(dest, size, src, SIZE_MAX - 1, 0);
}
/**
 * Copy at most count bytes of a narrow string.
 * @param dest the destination
 * @param size its size in bytes
 * @param src the source
 * @param count the most bytes, or _TRUNCATE
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t strncpy_s(char *dest, size_t size, const char *src, size_t count)
{
    return FspWin32CopyA(dest, size, src, count, 0);
}
/**
 * Append a narrow string.
 * @param dest the destination, a string
 * @param size its size in bytes
 * @param src the source
 * @return 0, EINVAL, ERANGE (dest becomes the empty string) or STRUNCATE
 */
static inline errno_t strcat_s(char *dest, size_t size, const char *src)
{
    if (!dest || !size)
        return EINVAL;
    return FspWin32CopyA(dest, size, src, SIZE_MAX - 1, strnlen(dest, size));
}
/**
 * Copy memory with the destination's size checked.
 * @param dest the destination
 * @param size its size
 * @param src the source
 * @param count bytes to copy
 * @return 0; EINVAL for NULL pointers; ERANGE when count exceeds size (dest is zeroed)
 */
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
/**
 * Move memory (overlap allowed) with the destination's size checked.
 * @param dest the destination
 * @param size its size
 * @param src the source
 * @param count bytes to move
 * @return 0; EINVAL for NULL pointers; ERANGE when count exceeds size
 */
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
/**
 * Format with the Windows C library's wide printf rules (_vsnwprintf() and the others call it).
 * @param Buffer the destination
 * @param Count its size in characters
 * @param Format the wide format (see FspServiceLog())
 * @param ap the arguments
 * @return the length written, or -1 (ERROR_INSUFFICIENT_BUFFER) when it did not fit
 */
FSP_API int FspWin32VFormatW(PWSTR Buffer, SIZE_T Count, PCWSTR Format, va_list ap);
/**
 * Format into a buffer.
 * @param Buffer the destination
 * @param Count its size in characters
 * @param Format the wide format
 * @param ap the arguments
 * @return the length, or -1 when it did not fit
 */
static inline int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list ap)
{
    return FspWin32VFormatW(Buffer, Count, Format, ap);
}
/**
 * Format into a buffer.
 * @param Buffer the destination
 * @param Count its size in characters
 * @param Format the wide format
 * @param ... the arguments
 * @return the length, or -1 when it did not fit
 */
static inline int _snwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = FspWin32VFormatW(Buffer, Count, Format, ap);
    va_end(ap);
    return n;
}
/**
 * Format into a buffer; one that does not fit becomes the empty string.
 * @param Buffer the destination
 * @param Count its size in characters
 * @param Format the wide format
 * @param ap the arguments
 * @return the length, or -1
 */
static inline int vswprintf_s(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list ap)
{
    int n = FspWin32VFormatW(Buffer, Count, Format, ap);
    if (n < 0 && Buffer && Count)
        Buffer[0] = 0;
    return n;
}
/**
 * Format into a buffer; one that does not fit becomes the empty string.
 * @param Buffer the destination
 * @param Count its size in characters
 * @param Format the wide format
 * @param ... the arguments
 * @return the length, or -1
 */
static inline int swprintf_s(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = vswprintf_s(Buffer, Count, Format, ap);
    va_end(ap);
    return n;
}
/**
 * Format into a buffer of 1024 characters, as on Windows (longer output is cut).
 * @param Buffer the destination (at least 1024 characters)
 * @param Format the wide format
 * @param ap the arguments
 * @return the length written
 */
static inline int wvsprintfW(LPWSTR Buffer, LPCWSTR Format, va_list ap)
{
    int n = FspWin32VFormatW(Buffer, 1024, Format, ap);
    return n < 0 ? (int)wcslen(Buffer) : n;
}
/**
 * Format into a buffer of 1024 characters.
 * @param Buffer the destination (at least 1024 characters)
 * @param Format the wide format
 * @param ... the arguments
 * @return the length written
 */
static inline int wsprintfW(LPWSTR Buffer, LPCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    int n = wvsprintfW(Buffer, Format, ap);
    va_end(ap);
    return n;
}

/* ---- security descriptors and SIDs ---- */

#define SDDL_REVISION_1 1 /**< the SDDL revision the Convert* functions take */

/**
 * The length of a self-relative security descriptor.
 * @param SecurityDescriptor the descriptor
 * @return its length in bytes (0 when it is not valid)
 */
static inline DWORD GetSecurityDescriptorLength(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    return FspGetSecurityDescriptorLength(SecurityDescriptor);
}
/**
 * Whether a self-relative security descriptor is valid.
 * @param SecurityDescriptor the descriptor, or NULL
 * @return TRUE when valid
 */
static inline BOOL IsValidSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor)
{
    ULONG Length = SecurityDescriptor ? FspGetSecurityDescriptorLength(SecurityDescriptor) : 0;
    return 0 != Length && FspIsValidSecurityDescriptor(SecurityDescriptor, Length);
}
/**
 * The length of a SID.
 * @param Sid the SID
 * @return bytes
 */
static inline DWORD GetLengthSid(PSID Sid)
{
    return FspGetSidLength(Sid);
}
/**
 * Whether a SID is valid.
 * @param Sid the SID, or NULL
 * @return TRUE when valid
 */
static inline BOOL IsValidSid(PSID Sid)
{
    return Sid && FspIsValidSid(Sid, SECURITY_MAX_SID_SIZE);
}
/**
 * Whether two SIDs are equal.
 * @param Sid1 one
 * @param Sid2 the other
 * @return TRUE when equal
 */
static inline BOOL EqualSid(PSID Sid1, PSID Sid2)
{
    return FspEqualSid(Sid1, Sid2);
}

/**
 * A copy in LocalAlloc() memory, for the Convert* functions (whose results the caller frees
 * with LocalFree()).
 * @param Source the malloc(3)'ed data; freed
 * @param Size its size in bytes
 * @return the copy, or NULL (ERROR_NOT_ENOUGH_MEMORY)
 */
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
 * SDDL to a self-relative security descriptor in LocalAlloc() memory (free with
 * LocalFree()), through FspSddlToSecurityDescriptor() (the SDDL LinFsp understands:
 * doc/native-api.md).
 * @param StringSecurityDescriptor the SDDL
 * @param StringSDRevision SDDL_REVISION_1
 * @param SecurityDescriptor receives the descriptor
 * @param SecurityDescriptorSize receives its size, or NULL
 * @return TRUE; FALSE with GetLastError() set (ERROR_INVALID_PARAMETER, ...)
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
/**
 * A security descriptor as SDDL in LocalAlloc() memory (free with LocalFree()).
 * @param SecurityDescriptor the descriptor
 * @param RequestedStringSDRevision SDDL_REVISION_1
 * @param SecurityInformation the parts to show (OWNER_SECURITY_INFORMATION, ...)
 * @param StringSecurityDescriptor receives the SDDL
 * @param StringLen receives its length with the NUL, or NULL
 * @return TRUE; FALSE with GetLastError() set
 */
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
/**
 * "S-1-5-18" (or an SDDL alias such as "SY") to a SID in LocalAlloc() memory (free with
 * LocalFree()).
 * @param StringSid the string
 * @param Sid receives the SID
 * @return TRUE; FALSE with GetLastError() set
 */
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
/**
 * A SID as "S-1-..." in LocalAlloc() memory (free with LocalFree()).
 * @param Sid the SID
 * @param StringSid receives the string
 * @return TRUE; FALSE with GetLastError() set
 */
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
