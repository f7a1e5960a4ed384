/*
 * examples/fuse/hello-fuse3.c - the smallest useful FUSE 3 file system: a
 * read-only root directory holding one file, "hello", whose contents are
 * a greeting. Uses only the libfuse 3 high-level API (getattr, readdir,
 * open, read and fuse_main):
 *     cc hello-fuse3.c $(pkg-config --cflags --libs linfsp-fuse3) -o hello-fuse3
 *     ./hello-fuse3 [-f] MOUNTPOINT [-o greeting=TEXT]
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    char *greeting;
} options;

static const struct fuse_opt option_spec[] = {
    {"greeting=%s", offsetof(__typeof__(options), greeting), 0},
    FUSE_OPT_END,
};

static void *hello_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->kernel_cache = 1; /* the contents never change */
    return NULL;
}

static int hello_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else if (0 == strcmp(path, "/hello")) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = (off_t)strlen(options.greeting);
    } else
        return -ENOENT;
    return 0;
}

static int hello_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                         struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off, (void)fi, (void)flags;
    if (0 != strcmp(path, "/"))
        return -ENOENT;
    filler(buf, ".", NULL, 0, (enum fuse_fill_dir_flags)0);
    filler(buf, "..", NULL, 0, (enum fuse_fill_dir_flags)0);
    filler(buf, "hello", NULL, 0, (enum fuse_fill_dir_flags)0);
    return 0;
}

static int hello_open(const char *path, struct fuse_file_info *fi)
{
    if (0 != strcmp(path, "/hello"))
        return -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    return 0;
}

static int hello_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    if (0 != strcmp(path, "/hello"))
        return -ENOENT;
    size_t len = strlen(options.greeting);
    if ((size_t)off >= len)
        return 0;
    if (size > len - (size_t)off)
        size = len - (size_t)off;
    memcpy(buf, options.greeting + off, size);
    return (int)size;
}

static const struct fuse_operations hello_ops = {
    .init = hello_init,
    .getattr = hello_getattr,
    .readdir = hello_readdir,
    .open = hello_open,
    .read = hello_read,
};

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    options.greeting = strdup("Hello World!\n");
    if (!options.greeting || -1 == fuse_opt_parse(&args, &options, option_spec, NULL))
        return 1;
    int ret = fuse_main(args.argc, args.argv, &hello_ops, NULL);
    fuse_opt_free_args(&args);
    free(options.greeting);
    return ret;
}
