/*
 * src/fuse/fuse3_priv.h - internals of LinFsp's FUSE 3 layer.
 *
 * fuse3_main.c:  command line, struct fuse life cycle, mount, loop, signals.
 * fuse3_intf.c:  the native FSP_FILE_SYSTEM_INTERFACE, each operation calling
 *                the program's operations through the file system stack.
 * fuse3_fs.c:    the stacking API (struct fuse_fs, fuse_fs_*) and modules.
 * fuse3_module_subdir.c, fuse3_module_iconv.c: the modules libfuse ships.
 * fuse3_buf.c:   struct fuse_buf copying.
 * fuse2.c:       the FUSE 2.9 API on top of all this, in liblinfsp-fuse.so.2, which holds
 *                these sources too, compiled with LINFSP_FUSE2_BUILD (see fuse2_rename.h).
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
    int signal; /* the signal that ended the loop (fuse_set_signal_handlers), or 0: __atomic_* */
    int wake_fd; /* eventfd: fuse_exit, the signal handlers and the volume going away wake the loop */
};

/** One layer of the file system stack: the program's operations, or a module's. */
struct fuse_fs {
    struct fuse_operations op;
    void *user_data;    /* private_data while its operations run */
    const void *compat; /* fuse2.c: the 2.9 operations its trampolines call */
    void *dl;           /* a module's library (dlopen), closed with it */
    void (*free_data)(void *user_data); /* a built-in module's state, freed without destroy() */
    struct fuse *owner; /* the struct fuse whose stack holds it (in_program), or NULL */
};

/** What a poll() may keep to wake its waiter (fuse_notify_poll). */
struct fuse_pollhandle {
    uint64_t kh;
    FSP_FILE_SYSTEM *fs;
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

struct fuse3_listing;

/** An open file: the native FileContext. */
struct fuse3_file {
    struct fuse3_file *next, *prev; /* the open file list (f->lock) */
    char *path;                     /* current POSIX path (f->lock); NULL once removed */
    uint64_t fh;                    /* what open/opendir/create put in fi->fh */
    int fi_flags;                   /* the fi->flags open/opendir/create got */
    bool is_dir;
    bool opened;          /* open/opendir/create called: release/releasedir due (flag_get/set) */
    bool removed;         /* unlink/rmdir done (flag_get/set) */
    bool unlink_on_close; /* renamed to a hidden name: the last close unlinks it (flag_get/set) */
    bool closing;         /* in Close: past its release (f->lock) */
    bool truncated;       /* open(2) with O_TRUNC: the program's open truncated it (Overwrite) */
    int open_flags;
    struct fuse3_listing *listing; /* a directory's entries as readdir gave them (fuse3_intf.c) */
    struct fuse3_ghost *ghost; /* a removed directory (f->lock) */
};

/** Modules pushed by fuse_new: at most this many layers above the program's. */
#define FUSE3_MAX_MODULES 8

struct fuse {
    struct fuse_fs *top;        /* the stack's top: what the layer calls */
    struct fuse_fs *chain[FUSE3_MAX_MODULES + 1]; /* every layer fuse_new made, bottom first */
    unsigned nchain;
    FSP_FILE_SYSTEM_INTERFACE intf; /* the native interface, without what the program lacks */
    void *user_data;    /* given to fuse_new */
    void *private_data; /* what init returned (user_data before init) */
    struct fuse_config conf;
    unsigned conn_want;       /* what init left in conn->want (FUSE_CAP_*) */
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
    void *compat; /* fuse2.c: the FUSE 2.9 state (its channel) */
    /* threads inside the program's operations (fuse3_fs.c, atomic): when the dispatcher stops
     * with one still there (a worker abandoned in a callback that never returned),
     * fuse_destroy keeps everything it may touch when it comes back, as the engine does */
    unsigned in_program;
    /* calls into the program that may have changed what getattr returns, counted once they
     * returned (fuse3_fs.c, fuse_invalidate_path; atomic): a directory listing read earlier
     * is served with its attributes only while this has not moved (fuse3_intf.c) */
    uint64_t changes;
    /* a listing's memory kept from a directory closed for the next one opened (atomic) */
    struct fuse3_listing *spare_listing;
};

/** Count a change of f's files (see struct fuse's changes). */
static inline void fuse3_changed(struct fuse *f)
{
    __atomic_add_fetch(&f->changes, 1, __ATOMIC_RELEASE);
}

/* fuse3_intf.c */
extern const FSP_FILE_SYSTEM_INTERFACE fuse3_interface;
/** Set the calling thread's fuse_context for an operation of f (from the native operation context). */
void fuse3_context_enter(struct fuse *f);
/** The context of the calling thread (creating it on first use). */
struct fuse_context *fuse3_context(void);
/** The native interface for f: fuse3_interface without the members f's operations lack. */
void fuse3_interface_for(struct fuse *f);
/** Free a directory listing (fuse3_file's listing). */
void fuse3_listing_free(struct fuse3_listing *l);
/** An NTSTATUS for a negative errno a FUSE operation returned (exact round trip). */
NTSTATUS fuse3_status(int err);

/* fuse3_fs.c */
/** The layer whose operation the calling thread runs (fuse_fs_* set it; fuse2.c reads it). */
struct fuse_fs *fuse3_current_fs(void);
/** A layer whose operations are fuse2.c's trampolines: compat (copied along) is what they call. */
struct fuse_fs *fuse3_fs_new_compat(const struct fuse_operations *op, void *user_data,
                                    const void *compat, size_t compat_size);
/** fuse2.c: a module registered by a 2.9 program (fuse_register_module), or NULL. */
extern fuse_module_factory_t (*fuse3_module_lookup)(const char *name);
/** Push the modules of the modules= option on f's stack; their options leave args. -1 on error. */
int fuse3_push_modules(struct fuse *f, struct fuse_args *args);
/** Free f's stack: fuse_fs_destroy(top) when init ran, otherwise without destroy(). */
void fuse3_free_stack(struct fuse *f);
/** The module factories built in (fuse3_module_*.c). */
struct fuse_fs *fuse3_module_subdir(struct fuse_args *args, struct fuse_fs *next[]);
struct fuse_fs *fuse3_module_iconv(struct fuse_args *args, struct fuse_fs *next[]);

/* fuse3_main.c */
/** Log through fuse_log with a "fuse: " prefix. */
void fuse3_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** The volume parameters of a FUSE mount before the operations are known. */
void fuse3_base_volume_params(FSP_FSCTL_VOLUME_PARAMS *vp, bool read_only);
/**
 * Create the native file system and mount it at mountpoint (FUSE 2.9's fuse_mount mounts
 * before fuse_new). Returns it, or NULL after logging why.
 */
FSP_FILE_SYSTEM *fuse3_mount_native(const FSP_FSCTL_VOLUME_PARAMS *vp,
                                    const FSP_FILE_SYSTEM_INTERFACE *intf, const char *mount_opts,
                                    const char *fsname, const char *subtype,
                                    const char *mountpoint, bool debug);
/** Take over a file system fuse3_mount_native mounted for f (FUSE 2.9's fuse_new). */
void fuse3_adopt_mount(struct fuse *f, FSP_FILE_SYSTEM *fs, const char *mountpoint);
/** Unmount and delete a native file system no struct fuse took over. */
void fuse3_unmount_native(FSP_FILE_SYSTEM *fs);

#endif
