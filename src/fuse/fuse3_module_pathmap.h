/*
 * src/fuse/fuse3_module_pathmap.h - the part the subdir and iconv modules share: a layer
 * of the file system stack that hands every operation to the layer below it with its
 * paths mapped (fuse3_module_pathmap.c). A module fills in the mapping functions; its
 * state starts with struct fuse3_pathmap and is the layer's private data.
 */
#ifndef LINFSP_FUSE3_MODULE_PATHMAP_H_INCLUDED
#define LINFSP_FUSE3_MODULE_PATHMAP_H_INCLUDED

#include "fuse3_priv.h"

struct fuse3_pathmap {
    struct fuse_fs *next; /* the layer below */
    /** A path from above -> the path below (malloc'ed into *out). 0 or a negative errno. */
    int (*down)(struct fuse3_pathmap *m, const char *path, char **out);
    /** A name readdir below gave -> the name above (malloc'ed); NULL: unchanged. */
    int (*name_up)(struct fuse3_pathmap *m, const char *name, char **out);
    /** A symlink target from above -> the target to store below; NULL: unchanged. */
    int (*target_down)(struct fuse3_pathmap *m, const char *target, char **out);
    /** Rewrite in place (size bytes) the target readlink below gave for the path below. */
    void (*target_up)(struct fuse3_pathmap *m, const char *path_below, char *buf, size_t size);
    /** Free the module's state (destroy, or when init never ran). */
    void (*free_state)(struct fuse3_pathmap *m);
};

/** A new layer above m->next with the pathmap operations; NULL (and m freed) on failure. */
struct fuse_fs *fuse3_pathmap_new(struct fuse3_pathmap *m);

#endif
