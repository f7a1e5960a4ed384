/*
 * tests/tools/fuse-blocking.c - a FUSE 3 program (libfuse API only) whose read of /block never
 * returns. test-fuse-blocking.sh checks that SIGTERM still unmounts it and ends the process:
 * a callback that blocks forever must not wedge the unmount.
 */
#define FUSE_USE_VERSION 35
#include <fuse.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static int bl_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (0 == strcmp(path, "/block") || 0 == strcmp(path, "/ok")) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = 3;
        return 0;
    }
    return -ENOENT;
}

static int bl_open(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    fi->direct_io = 1; /* every read reaches the program */
    return 0;
}

static int bl_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    if (0 == strcmp(path, "/block"))
        for (;;)
            pause(); /* never returns */
    if (off >= 3)
        return 0;
    size_t n = size < (size_t)(3 - off) ? size : (size_t)(3 - off);
    memcpy(buf, &"ok\n"[off], n);
    return (int)n;
}

static const struct fuse_operations bl_ops = {
    .getattr = bl_getattr,
    .open = bl_open,
    .read = bl_read,
};

int main(int argc, char *argv[])
{
    return fuse_main(argc, argv, &bl_ops, 0);
}
