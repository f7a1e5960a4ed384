/*
 * src/engine/pending.c - operations the file system completes later
 * (STATUS_PENDING + FspFileSystemSendResponse), and FUSE_INTERRUPT.
 *
 * A pending request keeps the worker's buffers (the kernel's request with
 * any write data, and the scratch buffer a read or directory listing fills);
 * the worker continues with fresh ones. An interrupted pending request is
 * answered EINTR at once, but its record and buffers stay until the file
 * system sends its response, since it may still be writing into them.
 */
#include "core.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct fsp_pending {
    struct fsp_pending *next;
    struct fsp_request req;
    fsp_complete_fn *complete;
    void *ctx;
    void *buf, *scratch;
    bool cancelled;   /* answered already (interrupt or stop); waiting for the FS's response */
    bool cancelling;  /* the cancel reply is being written now: the record must stay */
    bool orphaned;    /* the FS's response came during cancelling: the canceller frees it */
    bool completed;   /* for a worker that could not detach and waits */
    bool waited;
    bool on_stack;    /* the waiting worker's own record (not prepared): never freed */
};

/* A response that arrived before its request was registered as pending. */
struct fsp_early_response {
    struct fsp_early_response *next;
    FSP_FSCTL_TRANSACT_RSP rsp; /* followed by the rest of the response when Size is larger */
};

/*
 * Free a pending record whose operation the file system has finished (or that the engine
 * gives up on). Its handle reference goes too: queued for a worker to close, since this runs on
 * the file system's completing thread (or an INTERRUPT's), which must not be called back.
 */
static void pending_free(struct fsp_pending *p)
{
    if (p->req.handle)
        fsp_handle_put(p->req.engine, p->req.handle, false);
    if (!p->waited) {
        free(p->buf);
        free(p->scratch);
    }
    if (!p->on_stack)
        free(p);
}

/* Unlink and return the pending record for hint, or NULL. Caller holds pending_lock. */
static struct fsp_pending *take(struct fsp_engine *eng, uint64_t hint)
{
    for (struct fsp_pending **pp = &eng->pending; *pp; pp = &(*pp)->next)
        if ((*pp)->req.treq.Hint == hint) {
            struct fsp_pending *p = *pp;
            *pp = p->next;
            eng->npending--;
            return p;
        }
    return 0;
}

/* Unlink and return the early response for hint, or NULL. Caller holds pending_lock. */
static struct fsp_early_response *take_early(struct fsp_engine *eng, uint64_t hint)
{
    for (struct fsp_early_response **pp = &eng->early; *pp; pp = &(*pp)->next)
        if ((*pp)->rsp.Hint == hint) {
            struct fsp_early_response *e = *pp;
            *pp = e->next;
            return e;
        }
    return 0;
}

static struct fsp_pending *find(struct fsp_engine *eng, uint64_t hint)
{
    for (struct fsp_pending *p = eng->pending; p; p = p->next)
        if (p->req.treq.Hint == hint)
            return p;
    return 0;
}

static void cancel_reply(struct fsp_pending *p)
{
    FSP_FSCTL_TRANSACT_RSP rsp;
    memset(&rsp, 0, sizeof rsp);
    rsp.Size = sizeof rsp;
    rsp.Kind = p->req.treq.Kind;
    rsp.Hint = p->req.treq.Hint;
    rsp.IoStatus.Status = (UINT32)STATUS_CANCELLED;
    p->complete(&p->req, &rsp, p->ctx);
    if (!p->req.replied)
        fsp_reply_err(&p->req, EINTR);
}

/*
 * Answer a pending request EINTR (interrupt, stop). Called and returns with pending_lock
 * held; drops it while replying. The file system's response may arrive meanwhile: then
 * fsp_pending_complete leaves the record to us (orphaned) and we finish it here.
 */
static void cancel_one(struct fsp_engine *eng, struct fsp_pending *p)
{
    p->cancelled = true;
    p->cancelling = true;
    pthread_mutex_unlock(&eng->pending_lock);
    cancel_reply(p);
    pthread_mutex_lock(&eng->pending_lock);
    p->cancelling = false;
    if (p->orphaned) {
        if (p->waited) {
            p->completed = true; /* the worker waiting in fsp_request_pend frees it */
            pthread_cond_broadcast(&eng->pending_cond);
        } else
            pending_free(p);
    }
}

bool fsp_request_prepare_pend(struct fsp_request *req)
{
    struct fsp_worker *w = req->worker;
    if (!w || w->spare)
        return true; /* without a worker, fsp_request_pend waits on a record of its own */
    w->spare = fsp_engine_fault_alloc(req->engine) ? 0 : calloc(1, sizeof *w->spare);
    if (!w->spare)
        FspDebugLog("linfsp: out of memory for a pending operation's record; refused\n");
    return 0 != w->spare;
}

void fsp_request_pend(struct fsp_request *req, fsp_complete_fn *complete, void *ctx)
{
    struct fsp_engine *eng = req->engine;
    struct fsp_worker *w = req->worker;
    /* The record was made before the file system was called (fsp_request_prepare_pend): from
     * here on nothing can fail, since the file system works in the request's buffers. */
    struct fsp_pending local, *p = w ? w->spare : 0;
    bool on_stack = !p;
    if (w)
        w->spare = 0;
    if (on_stack) {
        memset(&local, 0, sizeof local);
        p = &local; /* this thread waits for the completion below, so the record lives here */
        p->on_stack = true;
    }
    void *newbuf = w && !on_stack ? malloc(FSP_ENGINE_BUFSIZE) : 0;
    void *newscratch = w && !on_stack ? malloc(FSP_ENGINE_BUFSIZE) : 0;
    p->req = *req;
    p->req.worker = 0;
    req->handle = 0; /* the pending operation holds the handle until the file system is done */
    p->complete = complete;
    p->ctx = ctx;
    if (w && newbuf && newscratch) {
        p->buf = w->buf, p->scratch = w->scratch;
        w->buf = newbuf, w->scratch = newscratch;
    } else {
        /* Could not give the worker new buffers: it waits here for the completion. */
        free(newbuf), free(newscratch);
        p->waited = true;
    }
    req->replied = true; /* the pending record answers from now on */
    pthread_mutex_lock(&eng->pending_lock);
    struct fsp_early_response *early = take_early(eng, p->req.treq.Hint);
    if (early) {
        /* The file system answered already: complete now, as if the response came later. */
        pthread_mutex_unlock(&eng->pending_lock);
        p->complete(&p->req, &early->rsp, p->ctx);
        if (!p->req.replied)
            fsp_reply_err(&p->req, EIO);
        free(early);
        if (!p->waited) {
            w->buf = p->buf, w->scratch = p->scratch; /* give the worker its buffers back */
            free(newbuf), free(newscratch);
        }
        req->handle = p->req.handle; /* and the request its handle */
        if (!on_stack)
            free(p);
        return;
    }
    p->next = eng->pending;
    eng->pending = p;
    eng->npending++;
    if (p->waited) {
        while (!p->completed)
            pthread_cond_wait(&eng->pending_cond, &eng->pending_lock);
        pthread_mutex_unlock(&eng->pending_lock);
        req->handle = p->req.handle; /* this worker drops it when the request ends */
        p->req.handle = 0;
        pending_free(p);
        return;
    }
    pthread_mutex_unlock(&eng->pending_lock);
}

struct wait_result {
    NTSTATUS status;
    UINT64 information;
};

/* The response to an operation the engine waits for: nothing to answer (the request it serves
 * is answered by its worker). */
static void wait_complete(struct fsp_request *req, FSP_FSCTL_TRANSACT_RSP *rsp, void *ctx)
{
    struct wait_result *r = ctx;
    r->status = (NTSTATUS)rsp->IoStatus.Status;
    r->information = rsp->IoStatus.Information;
    req->replied = true;
}

NTSTATUS fsp_request_wait(struct fsp_request *req, UINT64 *pinformation)
{
    struct fsp_engine *eng = req->engine;
    struct wait_result r = {STATUS_CANCELLED, 0};
    struct fsp_pending p;
    memset(&p, 0, sizeof p);
    p.req = *req;
    p.req.worker = 0;
    p.req.handle = 0; /* the request keeps its handle */
    p.req.replied = false;
    p.complete = wait_complete;
    p.ctx = &r;
    p.waited = true;
    p.on_stack = true;
    pthread_mutex_lock(&eng->pending_lock);
    struct fsp_early_response *early = take_early(eng, req->treq.Hint);
    if (early) {
        pthread_mutex_unlock(&eng->pending_lock);
        wait_complete(&p.req, &early->rsp, &r);
        free(early);
    } else {
        /* registered as pending: an interrupt or a stop cancels it (STATUS_CANCELLED, and no
         * reply since wait_complete marks it answered), fsp_pending_complete finishes it */
        p.next = eng->pending;
        eng->pending = &p;
        eng->npending++;
        while (!p.completed)
            pthread_cond_wait(&eng->pending_cond, &eng->pending_lock);
        pthread_mutex_unlock(&eng->pending_lock);
    }
    if (pinformation)
        *pinformation = r.information;
    return r.status;
}

/* Is a worker processing the request with this unique id right now? */
static bool in_flight(struct fsp_engine *eng, uint64_t hint)
{
    for (unsigned i = 0, n = __atomic_load_n(&eng->nworkers, __ATOMIC_ACQUIRE); i < n; i++)
        if (hint == __atomic_load_n(&eng->workers[i].current_unique, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

/* Keep a response for a request that has not been registered as pending yet. Caller holds
 * pending_lock. Returns false when out of memory. */
static bool stash_early(struct fsp_engine *eng, const FSP_FSCTL_TRANSACT_RSP *rsp)
{
    size_t size = rsp->Size;
    if (size < sizeof *rsp || size > FSP_FSCTL_TRANSACT_RSP_SIZEMAX)
        size = sizeof *rsp;
    struct fsp_early_response *e = malloc(offsetof(struct fsp_early_response, rsp) + size);
    if (!e)
        return false;
    memcpy(&e->rsp, rsp, size);
    e->next = eng->early;
    eng->early = e;
    return true;
}

void fsp_pending_complete(struct fsp_engine *eng, FSP_FSCTL_TRANSACT_RSP *rsp)
{
    pthread_mutex_lock(&eng->pending_lock);
    struct fsp_pending *p = take(eng, rsp->Hint);
    if (!p && 0 != rsp->Hint && in_flight(eng, rsp->Hint)) {
        bool kept = stash_early(eng, rsp);
        pthread_mutex_unlock(&eng->pending_lock);
        if (!kept)
            FspDebugLog("linfsp: out of memory keeping an early response (hint %llu)\n",
                        (unsigned long long)rsp->Hint);
        return;
    }
    if (p && p->cancelling) {
        p->orphaned = true; /* cancel_one is replying with it; it frees the record */
        pthread_mutex_unlock(&eng->pending_lock);
        return;
    }
    pthread_mutex_unlock(&eng->pending_lock);
    if (!p) {
        FspDebugLog("linfsp: response for unknown operation hint %llu ignored\n",
                    (unsigned long long)rsp->Hint);
        return;
    }
    if (!p->cancelled) {
        p->complete(&p->req, rsp, p->ctx);
        if (!p->req.replied)
            fsp_reply_err(&p->req, EIO);
    }
    if (p->waited) {
        pthread_mutex_lock(&eng->pending_lock);
        p->completed = true;
        pthread_cond_broadcast(&eng->pending_cond);
        pthread_mutex_unlock(&eng->pending_lock);
        return; /* the waiting worker frees it */
    }
    pending_free(p);
}

void fsp_pending_interrupt(struct fsp_request *req)
{
    struct fsp_engine *eng = req->engine;
    const struct fuse_interrupt_in *in = req->arg;
    uint64_t target = in->unique;
    pthread_mutex_lock(&eng->pending_lock);
    struct fsp_pending *p = find(eng, target);
    /* A WRITE that came through an io_uring entry has its data in the entry, which goes back to
     * the kernel with the reply, while the file system may still read it: it is not answered
     * before the file system completes it (an interrupt is only a request). */
    bool data_in_ring = p && p->req.ring && FUSE_WRITE == p->req.in->opcode;
    if (p && !p->cancelled && !data_in_ring) {
        cancel_one(eng, p);
        pthread_mutex_unlock(&eng->pending_lock);
        fsp_reply_none(req);
        return;
    }
    pthread_mutex_unlock(&eng->pending_lock);
    if (p) {
        fsp_reply_none(req);
        return;
    }
    /* Running synchronously in a worker? As on WinFsp, an operation the file system did not
     * pend cannot be cancelled: it completes normally and the interrupt needs no answer. */
    for (unsigned i = 0, n = __atomic_load_n(&eng->nworkers, __ATOMIC_ACQUIRE); i < n; i++) {
        struct fsp_worker *w = &eng->workers[i];
        if (target == __atomic_load_n(&w->current_unique, __ATOMIC_ACQUIRE)) {
            fsp_reply_none(req);
            return;
        }
    }
    /* Not seen yet (or already answered): EAGAIN makes the kernel send it again if still needed. */
    fsp_reply_err(req, EAGAIN);
}

void fsp_pending_cancel_all(struct fsp_engine *eng)
{
    pthread_mutex_lock(&eng->pending_lock);
    for (;;) {
        struct fsp_pending *p = eng->pending;
        while (p && p->cancelled)
            p = p->next;
        if (!p)
            break;
        cancel_one(eng, p); /* drops the lock meanwhile: look at the list afresh */
    }
    pthread_mutex_unlock(&eng->pending_lock);
}

/* Called when the engine is freed: the file system has stopped sending responses. */
void fsp_pending_free_all(struct fsp_engine *eng)
{
    pthread_mutex_lock(&eng->pending_lock);
    struct fsp_pending *p = eng->pending;
    struct fsp_early_response *e = eng->early;
    eng->pending = 0;
    eng->npending = 0;
    eng->early = 0;
    pthread_mutex_unlock(&eng->pending_lock);
    while (e) {
        struct fsp_early_response *next = e->next;
        free(e);
        e = next;
    }
    while (p) {
        struct fsp_pending *next = p->next;
        if (!p->waited)
            pending_free(p);
        p = next;
    }
}
