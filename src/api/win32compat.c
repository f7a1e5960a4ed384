/*
 * src/api/win32compat.c - the parts of <winfsp/win32-compat.h> that keep state for the whole
 * program: heaps, one-time initialization, the thread's last error, wide formatting with the
 * Windows C library's rules.
 */
#include "api.h"
#include <winfsp/win32-compat.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * A heap keeps its blocks in a list so that HeapDestroy can free them. Each block starts with
 * a header (its heap, neighbours and size: 32 bytes, so the caller's part keeps malloc's
 * 16-byte alignment).
 */
struct block {
    struct block *prev, *next;
    struct heap *heap;
    size_t size;
};
_Static_assert(0 == sizeof(struct block) % 16, "heap block headers keep 16-byte alignment");

struct heap {
    pthread_mutex_t lock;
    struct block head; /* circular list of blocks */
    size_t max, used;
    bool process;
};

static struct heap process_heap = {
    PTHREAD_MUTEX_INITIALIZER, {&process_heap.head, &process_heap.head, 0, 0}, 0, 0, true,
};

static __thread DWORD last_error;

FSP_API DWORD FspWin32GetLastError(VOID)
{
    return last_error;
}

FSP_API VOID FspWin32SetLastError(DWORD Error)
{
    last_error = Error;
}

FSP_API HANDLE FspWin32GetProcessHeap(VOID)
{
    return &process_heap;
}

FSP_API HANDLE FspWin32HeapCreate(DWORD Options, SIZE_T InitialSize, SIZE_T MaximumSize)
{
    (void)Options, (void)InitialSize;
    struct heap *h = calloc(1, sizeof *h);
    if (!h) {
        last_error = ERROR_NOT_ENOUGH_MEMORY;
        return 0;
    }
    pthread_mutex_init(&h->lock, 0);
    h->head.prev = h->head.next = &h->head;
    h->max = MaximumSize;
    return h;
}

FSP_API BOOL FspWin32HeapDestroy(HANDLE Heap)
{
    struct heap *h = Heap;
    if (!h || h->process) {
        last_error = ERROR_INVALID_PARAMETER;
        return FALSE;
    }
    for (struct block *b = h->head.next, *n; b != &h->head; b = n) {
        n = b->next;
        free(b);
    }
    pthread_mutex_destroy(&h->lock);
    free(h);
    return TRUE;
}

static void link_block(struct heap *h, struct block *b)
{
    b->heap = h;
    b->next = &h->head;
    b->prev = h->head.prev;
    h->head.prev->next = b;
    h->head.prev = b;
}

static void unlink_block(struct block *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

/* May the heap grow by more bytes? (under its lock) */
static bool has_room(struct heap *h, size_t more)
{
    return !h->max || (more <= h->max && h->used <= h->max - more);
}

FSP_API PVOID FspWin32HeapAlloc(HANDLE Heap, DWORD Flags, SIZE_T Size)
{
    struct heap *h = Heap;
    if (!h || Size > SIZE_MAX - sizeof(struct block)) {
        last_error = h ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_HANDLE;
        return 0;
    }
    pthread_mutex_lock(&h->lock);
    struct block *b = 0;
    if (has_room(h, Size))
        b = (Flags & HEAP_ZERO_MEMORY) ? calloc(1, sizeof *b + Size) : malloc(sizeof *b + Size);
    if (b) {
        b->size = Size;
        h->used += Size;
        link_block(h, b);
    }
    pthread_mutex_unlock(&h->lock);
    if (!b) {
        last_error = ERROR_NOT_ENOUGH_MEMORY;
        return 0;
    }
    return b + 1;
}

/* The block of Pointer when it belongs to heap h (under its lock), else NULL. */
static struct block *block_of(struct heap *h, PCVOID Pointer)
{
    struct block *b = (struct block *)Pointer - 1;
    return b->heap == h ? b : 0;
}

FSP_API PVOID FspWin32HeapReAlloc(HANDLE Heap, DWORD Flags, PVOID Pointer, SIZE_T Size)
{
    struct heap *h = Heap;
    if (!h || !Pointer) {
        last_error = ERROR_INVALID_PARAMETER;
        return 0;
    }
    if (Size > SIZE_MAX - sizeof(struct block)) {
        last_error = ERROR_NOT_ENOUGH_MEMORY;
        return 0;
    }
    pthread_mutex_lock(&h->lock);
    struct block *b = block_of(h, Pointer), *n = 0;
    DWORD error = ERROR_NOT_ENOUGH_MEMORY;
    if (!b)
        error = ERROR_INVALID_PARAMETER;
    else if (Flags & HEAP_REALLOC_IN_PLACE_ONLY)
        n = Size <= b->size ? b : 0; /* only shrinking stays in place */
    else if (Size <= b->size || has_room(h, Size - b->size)) {
        unlink_block(b);
        n = realloc(b, sizeof *b + Size);
        link_block(h, n ? n : b); /* on failure the old block stays as it was */
    }
    if (n) {
        if ((Flags & HEAP_ZERO_MEMORY) && Size > n->size)
            memset((char *)(n + 1) + n->size, 0, Size - n->size);
        h->used = h->used - n->size + Size;
        n->size = Size;
    }
    pthread_mutex_unlock(&h->lock);
    if (!n) {
        last_error = error;
        return 0;
    }
    return n + 1;
}

FSP_API BOOL FspWin32HeapFree(HANDLE Heap, DWORD Flags, PVOID Pointer)
{
    (void)Flags;
    struct heap *h = Heap;
    if (!h) {
        last_error = ERROR_INVALID_HANDLE;
        return FALSE;
    }
    if (!Pointer)
        return TRUE;
    pthread_mutex_lock(&h->lock);
    struct block *b = block_of(h, Pointer);
    if (b) {
        unlink_block(b);
        h->used -= b->size;
        b->heap = 0;
    }
    pthread_mutex_unlock(&h->lock);
    if (!b) {
        last_error = ERROR_INVALID_PARAMETER;
        return FALSE;
    }
    free(b);
    return TRUE;
}

FSP_API SIZE_T FspWin32HeapSize(HANDLE Heap, DWORD Flags, PCVOID Pointer)
{
    (void)Flags;
    struct heap *h = Heap;
    if (!h || !Pointer) {
        last_error = ERROR_INVALID_PARAMETER;
        return (SIZE_T)-1;
    }
    pthread_mutex_lock(&h->lock);
    struct block *b = block_of(h, Pointer);
    SIZE_T size = b ? b->size : (SIZE_T)-1;
    pthread_mutex_unlock(&h->lock);
    if (!b)
        last_error = ERROR_INVALID_PARAMETER;
    return size;
}

/* One lock for every INIT_ONCE; recursive, so an init function may run another one. */
static pthread_mutex_t init_once_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

FSP_API BOOL FspWin32InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn,
                                         PVOID Parameter, LPVOID *Context)
{
    if (!InitOnce || !InitFn) {
        last_error = ERROR_INVALID_PARAMETER;
        return FALSE;
    }
    if (2 != __atomic_load_n(&InitOnce->State, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&init_once_lock);
        if (2 != InitOnce->State) {
            PVOID ctx = 0;
            if (!InitFn(InitOnce, Parameter, &ctx)) {
                pthread_mutex_unlock(&init_once_lock);
                return FALSE;
            }
            InitOnce->Context = ctx;
            __atomic_store_n(&InitOnce->State, 2, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&init_once_lock);
    }
    if (Context)
        *Context = InitOnce->Context;
    return TRUE;
}

FSP_API int FspWin32VFormatW(PWSTR Buffer, SIZE_T Count, PCWSTR Format, va_list ap)
{
    int n = fsp_windows_vswprintf(Buffer, Count, Format, ap);
    if (n < 0)
        last_error = ERROR_INSUFFICIENT_BUFFER;
    return n;
}
