/*
 * src/fuse/fuse3_priv.h - internals of LinFsp's FUSE 3 layer.
 *
 * fuse3_main.c: command line, struct fuse life cycle, mount, loop, signals.
 * fuse3_intf.c: the native FSP_FILE_SYSTEM_INTERFACE, each operation calling
 *               the program's struct fuse_operations.
 * fuse3_buf.c:  struct fuse_buf copying.
 * fuse2.c:      the FUSE 2.9 API on top of all this, in liblinfsp-fuse.so.2, which holds
 *               these sources too, compiled with LINFSP_FUSE2_BUILD (see fuse2_rename.h).
 */
#ifndef LINFSP_FUSE3_PRIV_H_INCLUDED
#define LINFSP_FUSE3_PRIV_H_INCLUDED

#define FUSE_USE_VERSION 317
#ifdef LINFSP_FUSE2_BUILD
#include "fuse2_rename.h" /* built into the FUSE 2.9 library: private names (see there) */
#endif
#include "fuse.h"
#include "fuse_lowlevel.h"
#include <winfsp/winfsp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#ifdef LINFSP_FUSE2_BUILD
#define FUSE3_API __attribute__((visibility("hidden")))
#else
#define FUSE3_API __attribute__((visibility("default")))
#endif

/** 3.12+ loop configuration (opaque to programs). */
struct fuse_loop_config {
    int clone_fd;
    unsigned int max_idle_threads;
    unsigned int max_threads;
};

struct fuse_session {
    struct fuse *f;
    int exited; /* set from signal handlers and other threads: __atomic_* only */
    int wake_fd; /* eventfd: fuse_exit, the signal handlers and the volume going away wake the loop */
};

/** Ask the loop of se to return (async-signal-safe). */
void fuse3_session_wake(struct fuse_session *se);

/**
 * What is left of a directory removed (rmdir, or replaced by a rename) while open: its
 * attributes as they were, st_nlink 0. The program has no name for it any more (libfuse
 * would answer ESTALE); fstat, fchmod, fchown and futimens through the open descriptors
 * work on this copy, shared by every context that had the directory open (f->lock).
 */
struct fuse3_ghost {
    unsigned refs;
    struct stat st;
};

/** An open file: the native FileContext. */
struct fuse3_file {
    struct fuse3_file *next, *prev; /* the open file list (f->lock) */
    char *path;                     /* current POSIX path (f->lock); NULL once removed */
    struct fuse_file_info fi;
    bool is_dir;
    bool opened;          /* open/opendir/create called: release/releasedir due (flag_get/set) */
    bool removed;         /* unlink/rmdir done (flag_get/set) */
    bool unlink_on_close; /* renamed to a hidden name: the last close unlinks it (flag_get/set) */
    bool closing;         /* in Close: past its release (f->lock) */
    int open_flags;
    PVOID dir_buffer;
    struct fuse3_ghost *ghost; /* a removed directory (f->lock) */
};

struct fuse {
    struct fuse_operations ops;
    void *user_data;    /* given to fuse_new */
    void *private_data; /* what init returned (user_data before init) */
    struct fuse_config conf;
    struct fuse_session se;
    FSP_FILE_SYSTEM *fs;
    FSP_FSCTL_VOLUME_PARAMS vp;
    char *mount_opts;  /* for FspFileSystemSetMountOptions */
    char *mountpoint;
    char *fsname, *subtype, *volname;
    char *volume_prefix, *fs_name; /* WinFsp options VolumePrefix=, FileSystemName= */
    int file_info_timeout;         /* WinFsp option FileInfoTimeout= (ms; -1 INFINITE) */
    int file_info_timeout_set;
    int dir_info_timeout, dir_info_timeout_set;
    int read_only;
    bool inited, mounted, destroyed;
    bool atomic_o_trunc; /* FUSE_CAP_ATOMIC_O_TRUNC wanted after init: open gets O_TRUNC */
    unsigned threads;
    pthread_mutex_t lock;      /* the open file list and paths */
    pthread_mutex_t open_lock; /* giving a file its FUSE handle on first use */
    struct fuse3_file files;   /* list head */
    unsigned hidden_counter;
    void *compat; /* fuse2.c: the FUSE 2.9 state (its operations, its channel) */
};

/* fuse3_intf.c */
extern const FSP_FILE_SYSTEM_INTERFACE fuse3_interface;
/** Set the calling thread's fuse_context for an operation of f (from the native operation context). */
void fuse3_context_enter(struct fuse *f);
/** The context of the calling thread (creating it on first use). */
struct fuse_context *fuse3_context(void);

/* fuse3_main.c */
/** Log through fuse_log with a "fuse: " prefix. */
void fuse3_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
