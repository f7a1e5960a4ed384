/*
 * tests/unit/test-win32-compat.c - <winfsp/win32-compat.h>: the Windows calls WinFsp file
 * systems make, with their Windows meaning (part of test-port).
 */
#include <winfsp/win32-compat.h>
#include "tlib.h"
#include <pthread.h>
#include <stdio.h>

static void heap_test(void)
{
    HANDLE heap = HeapCreate(0, 0, 0);
    ASSERT(heap);
    PUINT8 p = (PUINT8)HeapAlloc(heap, HEAP_ZERO_MEMORY, 100);
    ASSERT(p && 0 == ((UINT_PTR)p & 15));
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(p[i], 0);
    ASSERT_EQ(HeapSize(heap, 0, p), 100);
    memset(p, 0xab, 100);
    p = (PUINT8)HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 300);
    ASSERT(p);
    ASSERT_EQ(p[99], 0xab);
    for (int i = 100; i < 300; i++)
        ASSERT_EQ(p[i], 0); /* the grown part is zeroed */
    ASSERT_EQ(HeapSize(heap, 0, p), 300);
    /* in place only: shrinking works, growing fails and leaves the block */
    ASSERT(p == HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 200));
    ASSERT_EQ(HeapSize(heap, 0, p), 200);
    SetLastError(0);
    ASSERT(0 == HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 400));
    ASSERT_EQ(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
    ASSERT_EQ(HeapSize(heap, 0, p), 200);
    /* a block of another heap is refused */
    HANDLE other = HeapCreate(0, 0, 0);
    ASSERT(!HeapFree(other, 0, p));
    ASSERT_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    ASSERT(HeapFree(heap, 0, p));
    ASSERT(HeapFree(heap, 0, 0));
    /* destroying a heap frees what is still allocated (the leak checker would tell) */
    for (int i = 0; i < 10; i++)
        ASSERT(HeapAlloc(other, 0, 1000));
    ASSERT(HeapDestroy(other));
    ASSERT(HeapDestroy(heap));
    ASSERT(!HeapDestroy(GetProcessHeap()));
    /* a bounded heap refuses what would exceed it */
    heap = HeapCreate(0, 0, 1000);
    PVOID a = HeapAlloc(heap, 0, 600);
    ASSERT(a);
    ASSERT(0 == HeapAlloc(heap, 0, 600));
    ASSERT_EQ(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
    ASSERT(HeapFree(heap, 0, a));
    a = HeapAlloc(heap, 0, 600);
    ASSERT(a);
    ASSERT(HeapDestroy(heap));
}

static void local_alloc_test(void)
{
    PUINT8 p = (PUINT8)LocalAlloc(LPTR, 64);
    ASSERT(p && 0 == p[63]);
    ASSERT_EQ(LocalSize(p), 64);
    ASSERT(LocalLock(p) == p);
    ASSERT(0 == LocalFree(p)); /* NULL on success */
    ASSERT(0 == LocalFree(0));
    PVOID g = GlobalAlloc(GPTR, 8);
    ASSERT(g);
    ASSERT(0 == GlobalFree(g));
}

static int init_calls, fail_first;

static BOOL WINAPI init_fn(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    __atomic_add_fetch(&init_calls, 1, __ATOMIC_SEQ_CST);
    if (fail_first && 1 == init_calls)
        return FALSE;
    *ctx = param;
    return TRUE;
}

static INIT_ONCE shared_once = INIT_ONCE_STATIC_INIT;

static void *init_thread(void *arg)
{
    PVOID ctx = 0;
    BOOL ok = InitOnceExecuteOnce(&shared_once, init_fn, arg, &ctx);
    return ok && ctx == arg ? arg : 0;
}

static void init_once_test(void)
{
    int value;
    init_calls = 0, fail_first = 0;
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        ASSERT(0 == pthread_create(&t[i], 0, init_thread, &value));
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        ASSERT(r == &value);
    }
    ASSERT_EQ(init_calls, 1);
    /* a failed initialization is tried again */
    INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    init_calls = 0, fail_first = 1;
    PVOID ctx = 0;
    ASSERT(!InitOnceExecuteOnce(&once, init_fn, &value, &ctx));
    ASSERT(InitOnceExecuteOnce(&once, init_fn, &value, &ctx));
    ASSERT(ctx == &value);
    ASSERT(InitOnceExecuteOnce(&once, init_fn, 0, 0));
    ASSERT_EQ(init_calls, 2);
}

static volatile LONG counter;

static void *count_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++)
        InterlockedIncrement(&counter);
    return 0;
}

static void interlocked_test(void)
{
    counter = 0;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ASSERT(0 == pthread_create(&t[i], 0, count_thread, 0));
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], 0);
    ASSERT_EQ(counter, 40000);
    volatile LONG l = 5;
    ASSERT_EQ(InterlockedIncrement(&l), 6);  /* new value */
    ASSERT_EQ(InterlockedDecrement(&l), 5);
    ASSERT_EQ(InterlockedExchange(&l, 9), 5); /* old value */
    ASSERT_EQ(InterlockedCompareExchange(&l, 1, 8), 9); /* no exchange */
    ASSERT_EQ(l, 9);
    ASSERT_EQ(InterlockedCompareExchange(&l, 1, 9), 9);
    ASSERT_EQ(l, 1);
    ASSERT_EQ(InterlockedExchangeAdd(&l, 10), 1);
    ASSERT_EQ(InterlockedAdd(&l, 10), 21);
    ASSERT_EQ(InterlockedOr(&l, 0x100), 21);
    ASSERT_EQ(InterlockedAnd(&l, 0x100), 0x115);
    ASSERT_EQ(l, 0x100);
    volatile LONG64 q = (LONG64)1 << 40;
    ASSERT_EQ(InterlockedIncrement64(&q), ((LONG64)1 << 40) + 1);
    ASSERT_EQ(InterlockedAdd64(&q, -1), (LONG64)1 << 40);
    int a, b;
    PVOID volatile ptr = &a;
    ASSERT(InterlockedExchangePointer(&ptr, &b) == &a);
    ASSERT(InterlockedCompareExchangePointer(&ptr, &a, &b) == &b);
    ASSERT(ptr == &a);
    MemoryBarrier();
}

static void compare_test(void)
{
    ASSERT_EQ(CompareStringW(LOCALE_INVARIANT, NORM_IGNORECASE, L"File.TXT", -1, L"file.txt", -1),
              CSTR_EQUAL);
    ASSERT_EQ(CompareStringW(LOCALE_INVARIANT, 0, L"File.TXT", -1, L"file.txt", -1), CSTR_LESS_THAN);
    ASSERT_EQ(CompareStringW(LOCALE_INVARIANT, NORM_IGNORECASE, L"abc", 2, L"ABX", 2), CSTR_EQUAL);
    ASSERT_EQ(CompareStringW(LOCALE_INVARIANT, NORM_IGNORECASE, L"ab", -1, L"abc", -1), CSTR_LESS_THAN);
    ASSERT_EQ(CompareStringW(LOCALE_INVARIANT, NORM_IGNORECASE, L"b", -1, L"A", -1), CSTR_GREATER_THAN);
    ASSERT_EQ(CompareStringW(LOCALE_INVARIANT, 0, 0, -1, L"A", -1), 0);
    ASSERT_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    ASSERT_EQ(CompareStringA(LOCALE_INVARIANT, NORM_IGNORECASE, "user.Color", -1, "USER.COLOR", -1),
              CSTR_EQUAL);
    ASSERT_EQ(CompareStringOrdinal(L"x", -1, L"X", -1, TRUE), CSTR_EQUAL);
    ASSERT(0 == lstrcmpiW(L"Memfs", L"MEMFS"));
    ASSERT(lstrcmpW(L"Memfs", L"MEMFS") > 0);
    ASSERT(lstrcmpiA("a", "B") < 0);
    ASSERT_EQ(lstrlenW(L"four"), 4);
    ASSERT_EQ(lstrlenW(0), 0);
    ASSERT(0 == _wcsicmp(L"\\Dir\\File", L"\\dir\\FILE"));
    ASSERT(_wcsicmp(L"a", L"b") < 0);
    ASSERT(0 == _wcsnicmp(L"abcX", L"ABCy", 3));
    ASSERT(0 == _stricmp("EA", "ea"));
    wchar_t up[] = L"MixEd";
    ASSERT(0 == wcscmp(_wcslwr(up), L"mixed"));
    ASSERT(0 == wcscmp(_wcsupr(up), L"MIXED"));
    ASSERT_EQ(_wtoi(L"42"), 42);
    ASSERT_EQ(_wcstoui64(L"18446744073709551615", 0, 10), UINT64_MAX);
}

static void string_s_test(void)
{
    wchar_t buf[8];
    ASSERT_EQ(wcscpy_s(buf, ARRAYSIZE(buf), L"short"), 0);
    ASSERT(0 == wcscmp(buf, L"short"));
    ASSERT_EQ(wcscat_s(buf, ARRAYSIZE(buf), L"ab"), 0);
    ASSERT(0 == wcscmp(buf, L"shortab"));
    ASSERT_EQ(wcscat_s(buf, ARRAYSIZE(buf), L"c"), ERANGE);
    ASSERT(0 == buf[0]); /* emptied */
    ASSERT_EQ(wcscpy_s(buf, ARRAYSIZE(buf), L"too long!"), ERANGE);
    ASSERT(0 == buf[0]);
    ASSERT_EQ(wcsncpy_s(buf, ARRAYSIZE(buf), L"too long!", _TRUNCATE), STRUNCATE);
    ASSERT(0 == wcscmp(buf, L"too lon"));
    ASSERT_EQ(wcsncpy_s(buf, ARRAYSIZE(buf), L"abcdef", 3), 0);
    ASSERT(0 == wcscmp(buf, L"abc"));
    ASSERT_EQ(wcscpy_s(buf, 0, L"x"), EINVAL);
    ASSERT_EQ(wcscpy_s(buf, ARRAYSIZE(buf), 0), EINVAL);
    char nb[4];
    ASSERT_EQ(strcpy_s(nb, sizeof nb, "abc"), 0);
    ASSERT_EQ(strcpy_s(nb, sizeof nb, "abcd"), ERANGE);
    ASSERT_EQ(strncpy_s(nb, sizeof nb, "abcd", _TRUNCATE), STRUNCATE);
    ASSERT(0 == strcmp(nb, "abc"));
    char m[4];
    ASSERT_EQ(memcpy_s(m, sizeof m, "abcdef", 6), ERANGE);
    ASSERT_EQ(memcpy_s(m, sizeof m, "abc", 3), 0);
    ASSERT(0 == memcmp(m, "abc", 3));
}

static void wide_format_test(void)
{
    wchar_t buf[64];
    ASSERT_EQ(_snwprintf(buf, ARRAYSIZE(buf), L"[%s]", L"memfs"), 7);
    ASSERT(0 == wcscmp(buf, L"[memfs]"));
    _snwprintf(buf, ARRAYSIZE(buf), L"%S|%hs|%ls|%ws|%c%C", "n1", "n2", L"w1", L"w2", L'x', 'y');
    ASSERT(0 == wcscmp(buf, L"n1|n2|w1|w2|xy"));
    _snwprintf(buf, ARRAYSIZE(buf), L"%ld %lu %lx %I64d %lld %Iu %zu", (LONG)-5, (ULONG)7,
               (ULONG)0xffffffffu, (INT64)-1, (LONGLONG)1 << 40, (SIZE_T)12, (size_t)13);
    ASSERT(0 == wcscmp(buf, L"-5 7 ffffffff -1 1099511627776 12 13"));
    _snwprintf(buf, ARRAYSIZE(buf), L"%-4s|%4s|%.2s|%*d|100%%|%Z", L"ab", L"cd", L"xyz", 3, 7);
    ASSERT(0 == wcscmp(buf, L"ab  |  cd|xy|  7|100%|%Z"));
    ASSERT_EQ(_snwprintf(buf, 5, L"%s", L"abcdefgh"), -1);
    ASSERT(0 == wcscmp(buf, L"abcd")); /* what fit, terminated */
    ASSERT_EQ(swprintf_s(buf, 5, L"%s", L"abcdefgh"), -1);
    ASSERT(0 == buf[0]);
    ASSERT_EQ(wsprintfW(buf, L"%u-%s", 3u, L"x"), 3);
    ASSERT(0 == wcscmp(buf, L"3-x"));
}

static void time_test(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    UINT64 t = (UINT64)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
    UINT64 ut[2];
    FspPosixFileTimeToUnixTime(t, ut);
    time_t now = time(0);
    ASSERT((INT64)ut[0] >= (INT64)now - 2 && (INT64)ut[0] <= (INT64)now + 2);
    ULONGLONG a = GetTickCount64();
    Sleep(20);
    ULONGLONG b = GetTickCount64();
    ASSERT(b - a >= 19);
    LARGE_INTEGER f, c1, c2;
    ASSERT(QueryPerformanceFrequency(&f) && QueryPerformanceCounter(&c1));
    ASSERT(QueryPerformanceCounter(&c2) && c2.QuadPart >= c1.QuadPart);
    ASSERT_EQ(GetCurrentProcessId(), (DWORD)getpid());
    ASSERT(GetCurrentThreadId() > 0);
}

static void security_test(void)
{
    PSECURITY_DESCRIPTOR sd = 0;
    ULONG size = 0;
    ASSERT(ConvertStringSecurityDescriptorToSecurityDescriptorW(
        L"O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD)", SDDL_REVISION_1, &sd, &size));
    ASSERT(sd && size > 0);
    ASSERT_EQ(GetSecurityDescriptorLength(sd), size);
    ASSERT(IsValidSecurityDescriptor(sd));
    LPWSTR sddl = 0;
    ULONG len = 0;
    ASSERT(ConvertSecurityDescriptorToStringSecurityDescriptorW(
        sd, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &sddl, &len));
    ASSERT(sddl && wcsstr(sddl, L"O:BA"));
    ASSERT_EQ(len, wcslen(sddl) + 1);
    ASSERT(0 == LocalFree(sddl));
    ASSERT(0 == LocalFree(sd));
    ASSERT(!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"O:BAD:(Z;;)", SDDL_REVISION_1,
                                                                  &sd, &size));
    ASSERT(ERROR_SUCCESS != GetLastError());
    PSID sid = 0;
    ASSERT(ConvertStringSidToSidW(L"S-1-5-18", &sid));
    ASSERT(IsValidSid(sid) && 12 == GetLengthSid(sid));
    LPWSTR s = 0;
    ASSERT(ConvertSidToStringSidW(sid, &s));
    ASSERT(0 == wcscmp(s, L"S-1-5-18"));
    ASSERT(EqualSid(sid, sid));
    LocalFree(s);
    LocalFree(sid);
}

static void locks_test(void)
{
    CRITICAL_SECTION cs;
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    EnterCriticalSection(&cs); /* recursive, as Windows' */
    ASSERT(TryEnterCriticalSection(&cs));
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
    static SRWLOCK lock = SRWLOCK_INIT;
    AcquireSRWLockShared(&lock);
    ASSERT(TryAcquireSRWLockShared(&lock));
    ASSERT(!TryAcquireSRWLockExclusive(&lock));
    ReleaseSRWLockShared(&lock);
    ReleaseSRWLockShared(&lock);
    AcquireSRWLockExclusive(&lock);
    ReleaseSRWLockExclusive(&lock);
    SRWLOCK l2;
    InitializeSRWLock(&l2);
    ASSERT(TryAcquireSRWLockExclusive(&l2));
    ReleaseSRWLockExclusive(&l2);
}

void win32_compat_tests(void)
{
    TLIB_ADD_TEST("win32", heap_test);
    TLIB_ADD_TEST("win32", local_alloc_test);
    TLIB_ADD_TEST("win32", init_once_test);
    TLIB_ADD_TEST("win32", interlocked_test);
    TLIB_ADD_TEST("win32", compare_test);
    TLIB_ADD_TEST("win32", string_s_test);
    TLIB_ADD_TEST("win32", wide_format_test);
    TLIB_ADD_TEST("win32", time_test);
    TLIB_ADD_TEST("win32", security_test);
    TLIB_ADD_TEST("win32", locks_test);
}
