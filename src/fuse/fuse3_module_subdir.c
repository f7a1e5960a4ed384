/*
 * src/fuse/fuse3_module_subdir.c - the subdir module (-o modules=subdir,subdir=DIR): every
 * path the layer below sees is DIR followed by the path without its leading '/' (the root is
 * DIR itself; a relative DIR is relative to the program's working directory, "." when DIR is
 * empty). With -o rellinks, an absolute symlink target that points inside DIR reads back as
 * a target relative to the link (norellinks, the default, leaves targets alone).
 */
#include "fuse3_module_pathmap.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct subdir {
    struct fuse3_pathmap map; /* first: the layer's private data */
    char *base;               /* DIR, ending in '/' unless empty */
    int rellinks;
};

static int subdir_down(struct fuse3_pathmap *m, const char *path, char **out)
{
    struct subdir *d = (struct subdir *)m;
    while ('/' == *path)
        path++;
    size_t bl = strlen(d->base), pl = strlen(path);
    char *p = malloc(bl + pl + 2);
    if (!p)
        return -ENOMEM;
    memcpy(p, d->base, bl);
    memcpy(p + bl, path, pl + 1);
    if (!p[0])
        strcpy(p, ".");
    *out = p;
    return 0;
}

/* The next '/'-separated component at *p (skipping separators): its start and length, or 0. */
static size_t next_component(const char **p)
{
    while ('/' == **p)
        (*p)++;
    const char *e = strchr(*p, '/');
    return e ? (size_t)(e - *p) : strlen(*p);
}

/* How many components path has. */
static unsigned count_components(const char *path)
{
    unsigned n = 0;
    for (size_t len; (len = next_component(&path)) > 0; path += len)
        n++;
    return n;
}

/*
 * rellinks: an absolute target under DIR of the link at path_below (DIR/...) reads back
 * relative to the link's directory: the leading components target and link share are
 * dropped, and each directory left in the link's path becomes "..".
 */
static void subdir_target_up(struct fuse3_pathmap *m, const char *path_below, char *buf,
                             size_t size)
{
    struct subdir *d = (struct subdir *)m;
    if (!d->rellinks || '/' != buf[0] || '/' != d->base[0])
        return;
    const char *t = buf, *l = path_below;
    unsigned shared = 0;
    for (;;) {
        const char *t1 = t, *l1 = l;
        size_t tl = next_component(&t1), ll = next_component(&l1);
        if (!tl || tl != ll || memcmp(t1, l1, tl))
            break;
        t = t1 + tl, l = l1 + ll;
        shared++;
    }
    if (shared < count_components(d->base))
        return; /* the target is not under DIR: left as it is */
    unsigned ups = count_components(l);
    if (ups)
        ups--; /* the link's own name */
    while ('/' == *t)
        t++;
    size_t rest = strlen(t);
    if (3 * (size_t)ups + rest + 2 > size)
        return;
    char *out = malloc(3 * (size_t)ups + rest + 2), *o = out;
    if (!out)
        return;
    for (unsigned i = 0; i < ups; i++, o += 3)
        memcpy(o, "../", 3);
    memcpy(o, t, rest + 1);
    size_t ol = strlen(out);
    if (ol > 1 && '/' == out[ol - 1])
        out[ol - 1] = '\0';
    if (!out[0])
        strcpy(out, ".");
    strcpy(buf, out);
    free(out);
}

static void subdir_free(struct fuse3_pathmap *m)
{
    struct subdir *d = (struct subdir *)m;
    free(d->base);
    free(d);
}

static const struct fuse_opt subdir_opts[] = {
    {"subdir=%s", offsetof(struct subdir, base), 0},
    {"rellinks", offsetof(struct subdir, rellinks), 1},
    {"norellinks", offsetof(struct subdir, rellinks), 0},
    FUSE_OPT_KEY("-h", 0),
    FUSE_OPT_KEY("--help", 0),
    FUSE_OPT_END,
};

static int subdir_opt(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)data, (void)arg, (void)outargs;
    if (0 == key) {
        printf("    -o subdir=DIR          prepend this directory to all paths (mandatory)\n"
               "    -o [no]rellinks        transform absolute symlinks to relative\n");
        return -1;
    }
    return 1;
}

struct fuse_fs *fuse3_module_subdir(struct fuse_args *args, struct fuse_fs *next[])
{
    struct subdir *d = calloc(1, sizeof *d);
    if (!d) {
        fuse_log(FUSE_LOG_ERR, "fuse-subdir: out of memory\n");
        return 0;
    }
    d->map.free_state = subdir_free;
    if (-1 == fuse_opt_parse(args, d, subdir_opts, subdir_opt)) {
        subdir_free(&d->map);
        return 0;
    }
    if (!next[0] || next[1]) {
        fuse_log(FUSE_LOG_ERR, "fuse-subdir: exactly one next filesystem required\n");
        subdir_free(&d->map);
        return 0;
    }
    if (!d->base) {
        fuse_log(FUSE_LOG_ERR, "fuse-subdir: missing 'subdir' option\n");
        subdir_free(&d->map);
        return 0;
    }
    size_t bl = strlen(d->base);
    if (bl && '/' != d->base[bl - 1]) {
        char *b = realloc(d->base, bl + 2);
        if (!b) {
            subdir_free(&d->map);
            return 0;
        }
        b[bl] = '/', b[bl + 1] = '\0';
        d->base = b;
    }
    d->map.next = next[0];
    d->map.down = subdir_down;
    d->map.target_up = subdir_target_up;
    return fuse3_pathmap_new(&d->map);
}
