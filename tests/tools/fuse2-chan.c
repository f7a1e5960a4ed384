/*
 * tests/tools/fuse2-chan.c - a FUSE 2.9 program that mounts the way archivemount does
 * (tests/tools/test-fuse-cmdline.sh): fuse_parse_cmdline, fuse_mount for a channel,
 * fcntl on fuse_chan_fd, fuse_new on the channel, signal handlers on fuse_get_session,
 * fuse_loop_mt, fuse_unmount and fuse_destroy; it includes <fuse/fuse_lowlevel.h> as such
 * programs do. One read-only file, "chan", tells what fuse_chan_fd gave: "fd N cloexec dev"
 * when N is open, close-on-exec and /dev/fuse (a character device), else what was wrong.
 * Exits 0 after a clean stop, 1 on any failure.
 */
#define FUSE_USE_VERSION 29
#include <fuse.h>
#include <fuse/fuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char report[128];

static int chan_getattr(const char *path, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else if (0 == strcmp(path, "/chan")) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = (off_t)strlen(report);
    } else
        return -ENOENT;
    return 0;
}

static int chan_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                        struct fuse_file_info *fi)
{
    (void)off, (void)fi;
    if (0 != strcmp(path, "/"))
        return -ENOENT;
    fill(buf, ".", 0, 0);
    fill(buf, "..", 0, 0);
    fill(buf, "chan", 0, 0);
    return 0;
}

static int chan_open(const char *path, struct fuse_file_info *fi)
{
    if (0 != strcmp(path, "/chan"))
        return -ENOENT;
    return (fi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
}

static int chan_read(const char *path, char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    size_t len = strlen(report);
    if ((size_t)off >= len)
        return 0;
    if (size > len - (size_t)off)
        size = len - (size_t)off;
    memcpy(buf, report + off, size);
    return (int)size;
}

static const struct fuse_operations chan_ops = {
    .getattr = chan_getattr,
    .readdir = chan_readdir,
    .open = chan_open,
    .read = chan_read,
};

/* What fuse_chan_fd gave, as the file "chan" reports it. */
static void describe(int fd)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFD);
    if (fd < 0 || fl < 0 || 0 != fstat(fd, &st))
        snprintf(report, sizeof report, "fd %d not open\n", fd);
    else
        snprintf(report, sizeof report, "fd %d %s %s\n", fd, (fl & FD_CLOEXEC) ? "cloexec" : "inherited",
                 S_ISCHR(st.st_mode) ? "dev" : "notdev");
}

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    char *mountpoint = 0;
    int multithreaded = 0, foreground = 0, res = 1;
    if (-1 == fuse_parse_cmdline(&args, &mountpoint, &multithreaded, &foreground) || !mountpoint) {
        fprintf(stderr, "usage: fuse2-chan [FUSE options] mountpoint\n");
        fuse_opt_free_args(&args);
        free(mountpoint);
        return 1;
    }
    struct fuse_chan *ch = fuse_mount(mountpoint, &args);
    if (ch) {
        /* as archivemount: keep the descriptor from programs it starts */
        if (0 == fcntl(fuse_chan_fd(ch), F_SETFD, FD_CLOEXEC))
            describe(fuse_chan_fd(ch));
        else
            snprintf(report, sizeof report, "fcntl(fuse_chan_fd) failed: %s\n", strerror(errno));
        struct fuse *fuse = fuse_new(ch, &args, &chan_ops, sizeof chan_ops, 0);
        if (fuse) {
            struct fuse_session *se = fuse_get_session(fuse);
            if (0 == fuse_set_signal_handlers(se)) {
                res = (multithreaded ? fuse_loop_mt(fuse) : fuse_loop(fuse)) ? 1 : 0;
                fuse_remove_signal_handlers(se);
            }
            fuse_unmount(mountpoint, ch);
            fuse_destroy(fuse);
        } else
            fuse_unmount(mountpoint, ch);
    }
    fuse_opt_free_args(&args);
    free(mountpoint);
    return res;
}
