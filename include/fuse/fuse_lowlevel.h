/*
 * include/fuse/fuse_lowlevel.h - the part of libfuse 2.9's low-level header that high-level
 * programs use: the descriptor and buffer size of the channel fuse_mount() made
 * (fuse_chan_fd: FD_CLOEXEC, polling), the channel's session, and running or ending the
 * session's loop. LinFsp has no low-level API (as WinFsp): programs using
 * fuse_lowlevel_new, fuse_lowlevel_ops, fuse_reply_* or fuse_req_* do not build
 * (doc/fuse2.md).
 */
#ifndef LINFSP_FUSE2_LOWLEVEL_H_INCLUDED
#define LINFSP_FUSE2_LOWLEVEL_H_INCLUDED

#include "fuse_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The /dev/fuse descriptor of a mounted channel, or -1. */
int fuse_chan_fd(struct fuse_chan *ch);

/** The size of the buffer one request needs. */
size_t fuse_chan_bufsize(struct fuse_chan *ch);

/** The session the channel serves (once fuse_new has the channel), or NULL. */
struct fuse_session *fuse_chan_session(struct fuse_chan *ch);

/** The session's channel: the one after ch (NULL: the first). */
struct fuse_chan *fuse_session_next_chan(struct fuse_session *se, struct fuse_chan *ch);

/** Serve the session's file system with one thread / several threads, as fuse_loop(_mt). */
int fuse_session_loop(struct fuse_session *se);
int fuse_session_loop_mt(struct fuse_session *se);

/** End the session's loop; whether it was ended; clear the ended state. */
void fuse_session_exit(struct fuse_session *se);
int fuse_session_exited(struct fuse_session *se);
void fuse_session_reset(struct fuse_session *se);

#ifdef __cplusplus
}
#endif
#endif
