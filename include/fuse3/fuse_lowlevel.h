/*
 * include/fuse3/fuse_lowlevel.h - the part of libfuse 3's low-level header
 * that high-level programs use: command line parsing (fuse_parse_cmdline),
 * help texts and the session of a struct fuse (its loop, mount, descriptor).
 * LinFsp has no low-level API (as WinFsp): programs using fuse_session_new,
 * fuse_lowlevel_ops, fuse_reply_* or fuse_req_* do not build (doc/fuse3.md).
 */
#ifndef LINFSP_FUSE3_LOWLEVEL_H_INCLUDED
#define LINFSP_FUSE3_LOWLEVEL_H_INCLUDED

#include "fuse_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The generic command line options fuse_parse_cmdline recognizes. */
struct fuse_cmdline_opts {
    int singlethread;       /**< -s */
    int foreground;         /**< -f (also set by -d) */
    int debug;              /**< -d, -o debug */
    int nodefault_subtype;  /**< -o subtype= or fsname= given */
    char *mountpoint;       /**< the first non-option (made absolute; free() it) */
    int show_version;       /**< -V, --version */
    int show_help;          /**< -h, --help */
    int clone_fd;           /**< -o clone_fd */
    unsigned int max_idle_threads; /**< -o max_idle_threads= */
    unsigned int max_threads;      /**< -o max_threads= (3.12+) */
};

/**
 * Take the generic options out of args into opts; the other arguments stay
 * in args. A second non-option is an error. Returns 0 or -1.
 */
#if FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
int fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts);
#define fuse_parse_cmdline(args, opts) fuse_parse_cmdline_30(args, opts)
#else
int fuse_parse_cmdline(struct fuse_args *args, struct fuse_cmdline_opts *opts);
#endif
int fuse_parse_cmdline_312(struct fuse_args *args, struct fuse_cmdline_opts *opts);

/** Print the generic command line options. */
void fuse_cmdline_help(void);
/** Print the mount options (fuse_new's options are printed by fuse_lib_help). */
void fuse_lowlevel_help(void);
/** Print the library and protocol versions. */
void fuse_lowlevel_version(void);

/** End the session's loop; whether it was ended; clear the ended state. */
void fuse_session_exit(struct fuse_session *se);
int fuse_session_exited(struct fuse_session *se);
void fuse_session_reset(struct fuse_session *se);

/** The /dev/fuse descriptor of the session (after fuse_mount), for its flags; -1 before. */
int fuse_session_fd(struct fuse_session *se);

/*
 * The session of a struct fuse (fuse_get_session) served, mounted and unmounted through
 * the session: the same as fuse_loop, fuse_loop_mt, fuse_mount and fuse_unmount.
 */
int fuse_session_loop(struct fuse_session *se);
#if FUSE_USE_VERSION < 32
int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd);
#define fuse_session_loop_mt(se, clone_fd) fuse_session_loop_mt_31(se, clone_fd)
#elif FUSE_USE_VERSION < FUSE_MAKE_VERSION(3, 12)
int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config *config);
#define fuse_session_loop_mt(se, config) fuse_session_loop_mt_32(se, config)
#else
int fuse_session_loop_mt(struct fuse_session *se, struct fuse_loop_config *config);
#endif
int fuse_session_loop_mt_312(struct fuse_session *se, struct fuse_loop_config *config);
int fuse_session_mount(struct fuse_session *se, const char *mountpoint);
void fuse_session_unmount(struct fuse_session *se);

#ifdef __cplusplus
}
#endif
#endif
