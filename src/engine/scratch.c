/*
 * src/engine/scratch.c - per-thread scratch buffers: the paths a request
 * names, a security descriptor or extended attributes being read.
 *
 * Each thread (worker, or a file system thread completing a request) has
 * one growable buffer per kind; after the first requests no request
 * allocates memory for them. They are freed when the thread ends.
 */
#include "core.h"
#include <stdlib.h>

struct scratch {
    void *p;
    size_t cap;
};

static __thread struct scratch tls_scratch[FSP_SCRATCH_KINDS];
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static bool scratch_key_made;

static void scratch_free(void *arg)
{
    struct scratch *s = arg;
    for (unsigned i = 0; i < FSP_SCRATCH_KINDS; i++) {
        free(s[i].p);
        s[i].p = 0;
        s[i].cap = 0;
    }
}

static void scratch_key_make(void)
{
    scratch_key_made = 0 == pthread_key_create(&scratch_key, scratch_free);
}

void *fsp_thread_scratch(unsigned kind, size_t bytes)
{
    if (kind >= FSP_SCRATCH_KINDS)
        return 0;
    struct scratch *s = &tls_scratch[kind];
    if (s->cap >= bytes)
        return s->p;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < bytes)
        cap *= 2;
    void *p = realloc(s->p, cap);
    if (!p)
        return 0;
    bool first = true;
    for (unsigned i = 0; i < FSP_SCRATCH_KINDS; i++)
        first &= !tls_scratch[i].p;
    if (first) { /* the thread's first buffer: free them all when it ends */
        pthread_once(&scratch_once, scratch_key_make);
        if (scratch_key_made)
            pthread_setspecific(scratch_key, tls_scratch);
    }
    s->p = p;
    s->cap = cap;
    return p;
}
