/*
 * src/engine/uring.h - FUSE over io_uring (Linux 6.14+, FUSE 7.42): the
 * engine's second transport. Off unless asked for (mount option "io_uring"
 * or LINFSP_IO_URING=1) and offered by the kernel in FUSE_INIT (module
 * parameter fuse.enable_uring=Y); otherwise everything goes over /dev/fuse.
 */
#ifndef LINFSP_URING_H_INCLUDED
#define LINFSP_URING_H_INCLUDED

#include "core.h"

struct fsp_uring;
struct fsp_uring_ent;

/* workers.c: before the workers start: create each worker's io_uring and ring entries when
 * io_uring is wanted, for `requested` workers (0: two per kernel queue). Returns the number of
 * workers to start: two per queue at least with io_uring; dev_workers when /dev/fuse is used
 * (not wanted, or fewer workers requested than that). */
unsigned fsp_uring_start(struct fsp_engine *eng, unsigned requested, unsigned dev_workers);
/* workers.c (worker thread): serve requests through the ring (and /dev/fuse) until the
 * dispatcher stops or the volume goes away: true. false: not used, read /dev/fuse as usual. */
bool fsp_uring_serve(struct fsp_worker *w);
/* workers.c: after the workers were joined: close the rings (replies are dropped from now on). */
void fsp_uring_stop(struct fsp_engine *eng);
/* session.c: at engine free: free the ring entries. */
void fsp_uring_free(struct fsp_engine *eng);

/* session.c: FUSE_INIT: the flag to ask for (FUSE_OVER_IO_URING or 0), and, after the
 * INIT reply was written, the outcome (the workers then register their ring entries). */
uint64_t fsp_uring_init_flags(struct fsp_engine *eng, uint64_t offered);
void fsp_uring_init_done(struct fsp_engine *eng, uint64_t flags);

/* A ring entry's memory: the header area (fuse_in_header, the opcode's first argument, commit id
 * and payload size) and the payload buffer, behind FSP_URING_HEAD_ROOM bytes where the request is
 * put back together. */
#define FSP_URING_HEADER_SIZE 288
#define FSP_URING_HEAD_ROOM 4096
/* The request a ring entry holds (hdr: its FSP_URING_HEADER_SIZE-byte header area; payload: its
 * payload buffer of payload_cap bytes, with FSP_URING_HEAD_ROOM bytes before it), put back
 * together in front of the payload as one /dev/fuse message: returns its start and length, or
 * NULL when the sizes in the header do not fit (logged). Used for every ring request, and by the
 * fuzzer (tests/fuzz), which has no ring. */
void *fsp_uring_unpack(const void *hdr, char *payload, size_t payload_cap, size_t *plen);

/* ops_entry.c: is the caller of a STATFS (fuse_in_header.pid) the child process that kicks
 * the queues? Its STATFS is answered without the file system. */
bool fsp_uring_is_kick(uint32_t pid);

/* dispatch.c: process a request that came through ring entry ent. */
void fsp_dispatch_via(struct fsp_engine *eng, struct fsp_worker *w, int fd,
                      struct fsp_uring_ent *ent, void *buf, size_t n);
/* reply.c: the reply v[0] (fuse_out_header) + v[1..count-1] (payload) to a ring request:
 * written into its ring entry and committed (COMMIT_AND_FETCH). Returns 0 or an errno. */
int fsp_uring_reply(struct fsp_request *req, const struct iovec *v, int count);

#endif
