/*
 * src/fuse/fuse3_main.c - LinFsp's FUSE 3 layer: command line, the life of
 * a struct fuse (fuse_new, fuse_mount, fuse_loop[_mt], fuse_unmount,
 * fuse_destroy), fuse_main, daemonizing, signals, logging.
 *
 * Mapping onto the native API:
 *   fuse_new    parses the library options into struct fuse_config and the
 *               mount options;
 *   fuse_mount  FspFileSystemCreate (VolumeParams from the configuration)
 *               + FspFileSystemSetMountOptions + FspFileSystemSetMountPoint;
 *   fuse_loop   init(), then FspFileSystemStartDispatcher and a wait on the session's eventfd
 *               (one thread and the COARSE guard; fuse_loop_mt: max_threads
 *               and the FINE guard), wait for SIGINT/SIGTERM/SIGHUP,
 *               fuse_exit or the volume going away, FspFileSystemStopDispatcher;
 *   fuse_unmount FspFileSystemRemoveMountPoint; fuse_destroy destroy() and
 *               FspFileSystemDelete.
 */
#include "fuse3_priv.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define FUSE3_PKGVERSION "3.14.0-linfsp"

/* ---- logging ---- */

static void default_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
    (void)level;
    vfprintf(stderr, fmt, ap);
}

static fuse_log_func_t log_func = default_log;

FUSE3_API void fuse_set_log_func(fuse_log_func_t func)
{
    log_func = func ? func : default_log;
}

FUSE3_API void fuse_log(enum fuse_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_func(level, fmt, ap);
    va_end(ap);
}

void fuse3_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_func(FUSE_LOG_ERR, fmt, ap);
    va_end(ap);
}

/* ---- versions ---- */

FUSE3_API int fuse_version(void)
{
    return FUSE_VERSION;
}

FUSE3_API const char *fuse_pkgversion(void)
{
    return FUSE3_PKGVERSION;
}

FUSE3_API void fuse_lowlevel_version(void)
{
    printf("using FUSE kernel interface version 7.31 (LinFsp engine)\n");
}

FUSE3_API void fuse_pollhandle_destroy(struct fuse_pollhandle *ph)
{
    free(ph);
}

FUSE3_API int fuse_notify_poll(struct fuse_pollhandle *ph)
{
    if (!ph)
        return -EINVAL;
    NTSTATUS status = FspFileSystemNotifyPoll(ph->fs, ph->kh);
    return NT_SUCCESS(status) ? 0 : -FspErrnoFromNtStatus(status);
}

/* ---- daemonizing ---- */

FUSE3_API int fuse_daemonize(int foreground)
{
    if (foreground)
        return 0;
    int p[2];
    if (pipe(p) < 0) {
        fuse_log(FUSE_LOG_ERR, "fuse_daemonize: pipe: %s\n", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fuse_log(FUSE_LOG_ERR, "fuse_daemonize: fork: %s\n", strerror(errno));
        close(p[0]), close(p[1]);
        return -1;
    }
    if (pid > 0) {
        /* The parent leaves once the child has detached (or died). */
        char c = 0;
        close(p[1]);
        while (read(p[0], &c, 1) < 0 && EINTR == errno)
            ;
        _exit(0);
    }
    close(p[0]);
    if (setsid() < 0) {
        fuse_log(FUSE_LOG_ERR, "fuse_daemonize: setsid: %s\n", strerror(errno));
        close(p[1]);
        return -1;
    }
    if (chdir("/") < 0)
        (void)0;
    int nullfd = open("/dev/null", O_RDWR);
    if (nullfd >= 0) {
        dup2(nullfd, 0);
        dup2(nullfd, 1);
        dup2(nullfd, 2);
        if (nullfd > 2)
            close(nullfd);
    }
    char c = 0;
    if (write(p[1], &c, 1) < 0)
        (void)0;
    close(p[1]);
    return 0;
}

/* ---- signals ---- */

static struct fuse_session *signal_session;

void fuse3_session_wake(struct fuse_session *se)
{
    uint64_t one = 1;
    if (se->wake_fd >= 0 && write(se->wake_fd, &one, sizeof one) < 0)
        (void)0; /* the counter is already non-zero: the loop wakes anyway */
}

static void exit_handler(int sig)
{
    if (signal_session) {
        /* the loop reports the signal that ended it, as libfuse's (fuse_main: status 8) */
        __atomic_store_n(&signal_session->signal, sig, __ATOMIC_RELEASE);
        __atomic_store_n(&signal_session->exited, 1, __ATOMIC_RELEASE);
        fuse3_session_wake(signal_session);
    }
}

static int set_one_handler(int sig, void (*handler)(int), bool remove)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = remove ? SIG_DFL : handler;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, 0, &old) < 0)
        return -1;
    /* Only replace the default disposition (or our own handler when removing). */
    if (!remove && SIG_DFL != old.sa_handler)
        return 0;
    if (remove && handler != old.sa_handler)
        return 0;
    return sigaction(sig, &sa, 0);
}

FUSE3_API int fuse_set_signal_handlers(struct fuse_session *se)
{
    if (set_one_handler(SIGHUP, exit_handler, false) < 0 ||
        set_one_handler(SIGINT, exit_handler, false) < 0 ||
        set_one_handler(SIGTERM, exit_handler, false) < 0 ||
        set_one_handler(SIGPIPE, SIG_IGN, false) < 0) {
        fuse_log(FUSE_LOG_ERR, "fuse: cannot set signal handlers: %s\n", strerror(errno));
        return -1;
    }
    signal_session = se;
    return 0;
}

FUSE3_API void fuse_remove_signal_handlers(struct fuse_session *se)
{
    if (signal_session != se)
        fuse_log(FUSE_LOG_ERR, "fuse: fuse_remove_signal_handlers: unknown session\n");
    else
        signal_session = 0;
    set_one_handler(SIGHUP, exit_handler, true);
    set_one_handler(SIGINT, exit_handler, true);
    set_one_handler(SIGTERM, exit_handler, true);
    set_one_handler(SIGPIPE, SIG_IGN, true);
}

/* ---- loop configuration ---- */

FUSE3_API struct fuse_loop_config *fuse_loop_cfg_create(void)
{
    struct fuse_loop_config *c = calloc(1, sizeof *c);
    if (c)
        c->max_idle_threads = UINT_MAX, c->max_threads = 10;
    return c;
}

FUSE3_API void fuse_loop_cfg_destroy(struct fuse_loop_config *config)
{
    free(config);
}

FUSE3_API void fuse_loop_cfg_set_idle_threads(struct fuse_loop_config *config, unsigned int value)
{
    config->max_idle_threads = value;
}

FUSE3_API void fuse_loop_cfg_set_max_threads(struct fuse_loop_config *config, unsigned int value)
{
    config->max_threads = value;
}

FUSE3_API void fuse_loop_cfg_set_clone_fd(struct fuse_loop_config *config, unsigned int value)
{
    config->clone_fd = (int)value;
}

FUSE3_API void fuse_loop_cfg_convert(struct fuse_loop_config *config,
                                     struct fuse_loop_config_v1 *v1_conf)
{
    config->clone_fd = v1_conf->clone_fd;
    config->max_idle_threads = v1_conf->max_idle_threads;
}

/* ---- connection options (fuse_parse_conn_info_opts) ---- */

struct fuse_conn_info_opts {
    int max_write, max_readahead, max_background, congestion_threshold, time_gran;
    int set_max_write, set_max_readahead, set_max_background, set_congestion_threshold,
        set_time_gran;
    int async_read, set_async_read;
    int atomic_o_trunc, no_remote_posix_lock, no_remote_flock;
    int splice_write, no_splice_write, splice_move, no_splice_move, splice_read, no_splice_read;
    int auto_inval_data, no_auto_inval_data, writeback_cache, no_writeback_cache;
    int readdirplus_set, readdirplus_no, readdirplus_auto;
    char *readdirplus;
};

#define CI(t, m, v) {t, offsetof(struct fuse_conn_info_opts, m), v}
static const struct fuse_opt conn_info_opts[] = {
    CI("max_write=%u", max_write, 0),          CI("max_write=", set_max_write, 1),
    CI("max_readahead=%u", max_readahead, 0),  CI("max_readahead=", set_max_readahead, 1),
    CI("max_background=%u", max_background, 0), CI("max_background=", set_max_background, 1),
    CI("congestion_threshold=%u", congestion_threshold, 0),
    CI("congestion_threshold=", set_congestion_threshold, 1),
    CI("time_gran=%u", time_gran, 0),          CI("time_gran=", set_time_gran, 1),
    CI("sync_read", async_read, 0),            CI("sync_read", set_async_read, 1),
    CI("async_read", async_read, 1),           CI("async_read", set_async_read, 1),
    CI("atomic_o_trunc", atomic_o_trunc, 1),
    CI("no_remote_lock", no_remote_posix_lock, 1), CI("no_remote_lock", no_remote_flock, 1),
    CI("no_remote_flock", no_remote_flock, 1), CI("no_remote_posix_lock", no_remote_posix_lock, 1),
    CI("splice_write", splice_write, 1),       CI("no_splice_write", no_splice_write, 1),
    CI("splice_move", splice_move, 1),         CI("no_splice_move", no_splice_move, 1),
    CI("splice_read", splice_read, 1),         CI("no_splice_read", no_splice_read, 1),
    CI("auto_inval_data", auto_inval_data, 1), CI("no_auto_inval_data", no_auto_inval_data, 1),
    CI("writeback_cache", writeback_cache, 1), CI("no_writeback_cache", no_writeback_cache, 1),
    CI("readdirplus=%s", readdirplus, 0),
    FUSE_OPT_END,
};

FUSE3_API struct fuse_conn_info_opts *fuse_parse_conn_info_opts(struct fuse_args *args)
{
    struct fuse_conn_info_opts *o = calloc(1, sizeof *o);
    if (!o) {
        fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
        return 0;
    }
    if (-1 == fuse_opt_parse(args, o, conn_info_opts, 0)) {
        free(o->readdirplus);
        free(o);
        return 0;
    }
    if (o->readdirplus) {
        if (0 == strcmp(o->readdirplus, "yes"))
            o->readdirplus_set = 1;
        else if (0 == strcmp(o->readdirplus, "no"))
            o->readdirplus_no = 1;
        else if (0 == strcmp(o->readdirplus, "auto"))
            o->readdirplus_set = o->readdirplus_auto = 1;
        else {
            fuse_log(FUSE_LOG_ERR, "fuse: invalid readdirplus= value `%s'\n", o->readdirplus);
            free(o->readdirplus);
            free(o);
            return 0;
        }
        free(o->readdirplus);
        o->readdirplus = 0;
    }
    return o;
}

/* The flag in conn->want, as far as conn->capable has it. */
static void want(struct fuse_conn_info *conn, unsigned cap, bool on)
{
    if (on)
        conn->want |= cap & conn->capable;
    else
        conn->want &= ~cap;
}

FUSE3_API void fuse_apply_conn_info_opts(struct fuse_conn_info_opts *o, struct fuse_conn_info *conn)
{
    if (!o || !conn)
        return;
    if (o->set_max_write)
        conn->max_write = (unsigned)o->max_write;
    if (o->set_max_readahead)
        conn->max_readahead = (unsigned)o->max_readahead;
    if (o->set_max_background)
        conn->max_background = (unsigned)o->max_background;
    if (o->set_congestion_threshold)
        conn->congestion_threshold = (unsigned)o->congestion_threshold;
    if (o->set_time_gran)
        conn->time_gran = (unsigned)o->time_gran;
    if (o->set_async_read)
        want(conn, FUSE_CAP_ASYNC_READ, o->async_read);
    if (o->atomic_o_trunc)
        want(conn, FUSE_CAP_ATOMIC_O_TRUNC, true);
    if (o->no_remote_posix_lock)
        want(conn, FUSE_CAP_POSIX_LOCKS, false);
    if (o->no_remote_flock)
        want(conn, FUSE_CAP_FLOCK_LOCKS, false);
    if (o->splice_write || o->no_splice_write)
        want(conn, FUSE_CAP_SPLICE_WRITE, o->splice_write);
    if (o->splice_move || o->no_splice_move)
        want(conn, FUSE_CAP_SPLICE_MOVE, o->splice_move);
    if (o->splice_read || o->no_splice_read)
        want(conn, FUSE_CAP_SPLICE_READ, o->splice_read);
    if (o->auto_inval_data || o->no_auto_inval_data)
        want(conn, FUSE_CAP_AUTO_INVAL_DATA, o->auto_inval_data);
    if (o->writeback_cache || o->no_writeback_cache)
        want(conn, FUSE_CAP_WRITEBACK_CACHE, o->writeback_cache);
    if (o->readdirplus_no)
        want(conn, FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO, false);
    if (o->readdirplus_set) {
        want(conn, FUSE_CAP_READDIRPLUS, true);
        want(conn, FUSE_CAP_READDIRPLUS_AUTO, o->readdirplus_auto);
    }
}

/* ---- generic command line ---- */

#define CMD_OPT(t, m, v) {t, offsetof(struct fuse_cmdline_opts, m), v}
enum { KEY_SUBTYPE_GIVEN = 100 };

static const struct fuse_opt cmdline_opts[] = {
    CMD_OPT("-h", show_help, 1),
    CMD_OPT("--help", show_help, 1),
    CMD_OPT("-V", show_version, 1),
    CMD_OPT("--version", show_version, 1),
    CMD_OPT("-d", debug, 1),
    CMD_OPT("debug", debug, 1),
    CMD_OPT("-d", foreground, 1),
    CMD_OPT("debug", foreground, 1),
    FUSE_OPT_KEY("-d", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_KEY("debug", FUSE_OPT_KEY_KEEP),
    CMD_OPT("-f", foreground, 1),
    CMD_OPT("-s", singlethread, 1),
    CMD_OPT("fsname=", nodefault_subtype, 1),
    FUSE_OPT_KEY("fsname=", FUSE_OPT_KEY_KEEP),
    CMD_OPT("subtype=", nodefault_subtype, 1),
    FUSE_OPT_KEY("subtype=", FUSE_OPT_KEY_KEEP),
    CMD_OPT("clone_fd", clone_fd, 1),
    CMD_OPT("max_idle_threads=%u", max_idle_threads, 0),
    CMD_OPT("max_threads=%u", max_threads, 0),
    FUSE_OPT_END,
};

static int cmdline_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)outargs;
    struct fuse_cmdline_opts *opts = data;
    if (FUSE_OPT_KEY_NONOPT != key)
        return 1; /* library options: for fuse_new */
    if (opts->mountpoint) {
        fuse_log(FUSE_LOG_ERR, "fuse: invalid argument `%s'\n", arg);
        return -1;
    }
    /* "/dev/fd/N": a /dev/fuse descriptor mounted by the caller (mount.fuse3 -o
     * drop_privileges), kept as it is (libfuse 3.3+) */
    unsigned fdn;
    char rest;
    if (1 == sscanf(arg, "/dev/fd/%u%c", &fdn, &rest)) {
        if (!(opts->mountpoint = strdup(arg)))
            return -1;
        return 0;
    }
    char *real = realpath(arg, 0);
    if (!real) {
        fuse_log(FUSE_LOG_ERR, "fuse: bad mount point `%s': %s\n", arg, strerror(errno));
        return -1;
    }
    opts->mountpoint = real;
    return 0;
}

static int parse_cmdline(struct fuse_args *args, struct fuse_cmdline_opts *opts, size_t size)
{
    struct fuse_cmdline_opts o;
    memset(&o, 0, sizeof o);
    o.max_idle_threads = UINT_MAX;
    o.max_threads = 10;
    if (-1 == fuse_opt_parse(args, &o, cmdline_opts, cmdline_proc)) {
        free(o.mountpoint);
        return -1;
    }
    /* Without fsname= or subtype=, the program's name is the subtype (as libfuse). */
    if (!o.nodefault_subtype && args->argc > 0 && args->argv[0] && args->argv[0][0]) {
        const char *base = strrchr(args->argv[0], '/');
        base = base ? base + 1 : args->argv[0];
        char *opt = malloc(strlen(base) + 16);
        if (!opt || (sprintf(opt, "-osubtype=%s", base), -1 == fuse_opt_add_arg(args, opt))) {
            free(opt);
            free(o.mountpoint);
            return -1;
        }
        free(opt);
    }
    memcpy(opts, &o, size);
    return 0;
}

FUSE3_API int fuse_parse_cmdline_312(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    return parse_cmdline(args, opts, sizeof *opts);
}

FUSE3_API int fuse_parse_cmdline_30(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    return parse_cmdline(args, opts, offsetof(struct fuse_cmdline_opts, max_threads));
}

#ifndef LINFSP_FUSE2_BUILD /* there the name is a rename macro (fuse2_rename.h) */
#undef fuse_parse_cmdline
#endif
FUSE3_API int fuse_parse_cmdline(struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    return parse_cmdline(args, opts, sizeof *opts);
}

FUSE3_API void fuse_cmdline_help(void)
{
    printf("    -h   --help            print help\n"
           "    -V   --version         print version\n"
           "    -d   -o debug          enable debug output (implies -f)\n"
           "    -f                     foreground operation\n"
           "    -s                     disable multi-threaded operation\n"
           "    -o clone_fd            use a separate /dev/fuse descriptor per thread\n"
           "    -o max_idle_threads    accepted (threads are not retired)\n"
           "    -o max_threads         the maximum number of threads (default 10)\n");
}

FUSE3_API void fuse_lowlevel_help(void)
{
    printf("    -o allow_other         allow access by all users\n"
           "    -o allow_root          allow access by root\n"
           "    -o auto_unmount        unmount when the process ends\n"
           "    -o default_permissions the kernel checks permissions against the modes shown\n"
           "    -o ro, rw, nosuid, suid, nodev, dev, noexec, exec, noatime, atime, sync, dirsync\n"
           "    -o fsname=NAME         the mount's source name\n"
           "    -o subtype=NAME        the mount's type fuse.NAME\n"
           "    -o max_read=N          the largest read request\n");
}

FUSE3_API void fuse_lib_help(struct fuse_args *args)
{
    (void)args;
    printf("    -o hard_remove         unlink open files at once (no .fuse_hidden names)\n"
           "    -o use_ino             let the file system choose inode numbers\n"
           "    -o readdir_ino         accepted\n"
           "    -o direct_io           bypass the page cache\n"
           "    -o kernel_cache        cache data and attributes (FileInfoTimeout=-1)\n"
           "    -o [no]auto_cache      accepted\n"
           "    -o umask=M             permission bits to clear (overrides the file system)\n"
           "    -o uid=N, gid=N        owner and group of every file\n"
           "    -o entry_timeout=T     seconds names are cached (1.0)\n"
           "    -o negative_timeout=T  seconds a missing name is cached (0.0)\n"
           "    -o attr_timeout=T      seconds attributes are cached (1.0)\n"
           "    -o ac_attr_timeout=T   accepted\n"
           "    -o modules=M1[:M2...]  stack modules (subdir, iconv, libfusemod_NAME.so)\n"
           "    -o subdir=DIR          the subdir module's directory\n"
           "    -o from_code=C, to_code=C  the iconv module's character sets\n"
           "    -o noforget, remember=T, intr, intr_signal=N, nullpath_ok: accepted\n"
           "    -o FileInfoTimeout=MS  WinFsp: attribute cache timeout in ms (-1: cache everything)\n"
           "    -o DirInfoTimeout=MS   WinFsp: name cache timeout in ms\n"
           "    -o FileSystemName=NAME WinFsp: file system name (mount subtype)\n"
           "    -o VolumePrefix=PREFIX WinFsp: volume prefix (mount source)\n"
           "    -o volname=NAME        volume label\n");
    fuse_lowlevel_help();
}

/* ---- fuse_new ---- */

#define CONF(t, m, v) {t, offsetof(struct fuse, conf.m), v}
#define FOPT(t, m, v) {t, offsetof(struct fuse, m), v}
enum { KEY_MOUNT = 200, KEY_RO, KEY_IGNORE };

static const struct fuse_opt lib_opts[] = {
    CONF("-h", show_help, 1),
    CONF("--help", show_help, 1),
    CONF("-d", debug, 1),
    CONF("debug", debug, 1),
    CONF("kernel_cache", kernel_cache, 1),
    CONF("auto_cache", auto_cache, 1),
    CONF("noauto_cache", auto_cache, 0),
    CONF("no_rofd_flush", no_rofd_flush, 1),
    CONF("umask=", set_mode, 1),
    CONF("umask=%o", umask, 0),
    CONF("uid=", set_uid, 1),
    CONF("uid=%u", uid, 0),
    CONF("gid=", set_gid, 1),
    CONF("gid=%u", gid, 0),
    CONF("entry_timeout=%lf", entry_timeout, 0),
    CONF("attr_timeout=%lf", attr_timeout, 0),
    CONF("ac_attr_timeout=%lf", ac_attr_timeout, 0),
    CONF("ac_attr_timeout=", ac_attr_timeout_set, 1),
    CONF("negative_timeout=%lf", negative_timeout, 0),
    CONF("noforget", remember, -1),
    CONF("remember=%u", remember, 0),
    CONF("modules=%s", modules, 0),
    CONF("intr", intr, 1),
    CONF("intr_signal=%d", intr_signal, 0),
    CONF("use_ino", use_ino, 1),
    CONF("readdir_ino", readdir_ino, 1),
    CONF("direct_io", direct_io, 1),
    CONF("hard_remove", hard_remove, 1),
    CONF("nullpath_ok", nullpath_ok, 1),
    /* WinFsp's FUSE options */
    FOPT("FileInfoTimeout=", file_info_timeout_set, 1),
    FOPT("FileInfoTimeout=%d", file_info_timeout, 0),
    FOPT("DirInfoTimeout=", dir_info_timeout_set, 1),
    FOPT("DirInfoTimeout=%d", dir_info_timeout, 0),
    FOPT("FileSystemName=%s", fs_name, 0),
    FOPT("VolumePrefix=%s", volume_prefix, 0),
    FOPT("volname=%s", volname, 0),
    /* mount options, for FspFileSystemSetMountOptions */
    FOPT("fsname=%s", fsname, 0),
    FOPT("subtype=%s", subtype, 0),
    FUSE_OPT_KEY("ro", KEY_RO),
    FUSE_OPT_KEY("rw", KEY_MOUNT),
    FUSE_OPT_KEY("allow_other", KEY_MOUNT),
    FUSE_OPT_KEY("allow_root", KEY_MOUNT),
    FUSE_OPT_KEY("default_permissions", KEY_MOUNT),
    FUSE_OPT_KEY("auto_unmount", KEY_MOUNT),
    FUSE_OPT_KEY("max_read=", KEY_MOUNT),
    FUSE_OPT_KEY("nosuid", KEY_MOUNT),
    FUSE_OPT_KEY("suid", KEY_MOUNT),
    FUSE_OPT_KEY("nodev", KEY_MOUNT),
    FUSE_OPT_KEY("dev", KEY_MOUNT),
    FUSE_OPT_KEY("noexec", KEY_MOUNT),
    FUSE_OPT_KEY("exec", KEY_MOUNT),
    FUSE_OPT_KEY("noatime", KEY_MOUNT),
    FUSE_OPT_KEY("atime", KEY_MOUNT),
    FUSE_OPT_KEY("relatime", KEY_MOUNT),
    FUSE_OPT_KEY("sync", KEY_MOUNT),
    FUSE_OPT_KEY("async", KEY_MOUNT),
    FUSE_OPT_KEY("dirsync", KEY_MOUNT),
    /* libfuse session options the native engine decides itself: accepted */
    FUSE_OPT_KEY("blkdev", KEY_IGNORE),
    FUSE_OPT_KEY("blksize=", KEY_IGNORE),
    FUSE_OPT_KEY("large_read", KEY_IGNORE),
    FUSE_OPT_KEY("max_write=", KEY_IGNORE),
    FUSE_OPT_KEY("max_readahead=", KEY_IGNORE),
    FUSE_OPT_KEY("max_background=", KEY_IGNORE),
    FUSE_OPT_KEY("congestion_threshold=", KEY_IGNORE),
    FUSE_OPT_KEY("async_read", KEY_IGNORE),
    FUSE_OPT_KEY("sync_read", KEY_IGNORE),
    FUSE_OPT_KEY("atomic_o_trunc", KEY_IGNORE),
    FUSE_OPT_KEY("no_remote_lock", KEY_IGNORE),
    FUSE_OPT_KEY("no_remote_flock", KEY_IGNORE),
    FUSE_OPT_KEY("no_remote_posix_lock", KEY_IGNORE),
    FUSE_OPT_KEY("splice_write", KEY_IGNORE),
    FUSE_OPT_KEY("no_splice_write", KEY_IGNORE),
    FUSE_OPT_KEY("splice_move", KEY_IGNORE),
    FUSE_OPT_KEY("no_splice_move", KEY_IGNORE),
    FUSE_OPT_KEY("splice_read", KEY_IGNORE),
    FUSE_OPT_KEY("no_splice_read", KEY_IGNORE),
    FUSE_OPT_KEY("auto_inval_data", KEY_IGNORE),
    FUSE_OPT_KEY("no_auto_inval_data", KEY_IGNORE),
    FUSE_OPT_KEY("readdirplus=", KEY_IGNORE),
    FUSE_OPT_KEY("writeback_cache", KEY_IGNORE),
    FUSE_OPT_KEY("no_writeback_cache", KEY_IGNORE),
    FUSE_OPT_KEY("time_gran=", KEY_IGNORE),
    FUSE_OPT_KEY("clone_fd", KEY_IGNORE),
    FUSE_OPT_END,
};

struct lib_parse {
    struct fuse *f;
    char *unknown; /* the unknown options, for the error message */
};

static int lib_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)outargs;
    struct fuse *f = data;
    switch (key) {
    case KEY_RO:
        f->read_only = 1;
        /* fall through */
    case KEY_MOUNT:
        return -1 == fuse_opt_add_opt(&f->mount_opts, arg) ? -1 : 0;
    case KEY_IGNORE:
        return 0;
    case FUSE_OPT_KEY_NONOPT:
    case FUSE_OPT_KEY_OPT:
    default:
        return 1; /* left in args: reported as unknown */
    }
}

static struct fuse *fuse_new_common(struct fuse_args *args, const struct fuse_operations *op,
                                    size_t op_size, void *private_data)
{
    struct fuse *f = calloc(1, sizeof *f);
    if (!f) {
        fuse_log(FUSE_LOG_ERR, "fuse: out of memory\n");
        return 0;
    }
    f->conf.entry_timeout = 1.0;
    f->conf.attr_timeout = 1.0;
    f->conf.negative_timeout = 0.0;
    f->conf.intr_signal = SIGUSR1;
    f->files.next = f->files.prev = &f->files;
    f->se.f = f;
    f->se.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (f->se.wake_fd < 0) {
        fuse_log(FUSE_LOG_ERR, "fuse: cannot create an eventfd: %s\n", strerror(errno));
        free(f);
        return 0;
    }
    pthread_mutex_init(&f->lock, 0);
    pthread_mutex_init(&f->open_lock, 0);
    f->top = fuse_fs_new(op, op_size, private_data);
    if (!f->top)
        goto fail;
    f->top->owner = f;
    f->chain[f->nchain++] = f->top;
    f->user_data = f->private_data = private_data;
    if (args && -1 == fuse_opt_parse(args, f, lib_opts, lib_proc))
        goto fail;
    if (f->conf.show_help) {
        fuse_lib_help(args);
        goto fail;
    }
    /* The modules take their own options (subdir=, from_code=, ...) out of args. */
    if (0 != fuse3_push_modules(f, args ? args : &(struct fuse_args)FUSE_ARGS_INIT(0, 0)))
        goto fail;
    /* An empty option list (-o '') is no option: libfuse's fuse_main accepts it (the
     * -osubtype= its command line parser adds swallows it). */
    if (args && 3 == args->argc && 0 == strcmp(args->argv[1], "-o") && !args->argv[2][0]) {
        if (args->allocated)
            free(args->argv[1]), free(args->argv[2]);
        args->argv[1] = 0;
        args->argc = 1;
    }
    if (args && args->argc > 1) {
        /* argv[0] is the program; anything else is an option nobody knows. */
        size_t len = 1;
        for (int i = 1; i < args->argc; i++)
            len += strlen(args->argv[i]) + 1;
        char *list = malloc(len);
        if (list) {
            list[0] = '\0';
            for (int i = 1; i < args->argc; i++)
                strcat(strcat(list, i > 1 ? " " : ""), args->argv[i]);
        }
        fuse_log(FUSE_LOG_ERR, "fuse: unknown option(s): `%s'\n", list ? list : "?");
        free(list);
        goto fail;
    }
    if (f->conf.remember)
        f->conf.remember = 0; /* the engine keeps its own node table */
    fuse3_interface_for(f);
    return f;
fail:
    fuse3_free_stack(f);
    free(f->mount_opts), free(f->fsname), free(f->subtype), free(f->volname);
    free(f->volume_prefix), free(f->fs_name), free(f->conf.modules);
    pthread_mutex_destroy(&f->lock);
    pthread_mutex_destroy(&f->open_lock);
    free(f);
    return 0;
}

FUSE3_API struct fuse *fuse_new_31(struct fuse_args *args, const struct fuse_operations *op,
                                   size_t op_size, void *private_data)
{
    return fuse_new_common(args, op, op_size, private_data);
}

FUSE3_API struct fuse *fuse_new_30(struct fuse_args *args, const struct fuse_operations *op,
                                   size_t op_size, void *private_data)
{
    return fuse_new_common(args, op, op_size, private_data);
}

#ifndef LINFSP_FUSE2_BUILD /* there the name is a rename macro (fuse2_rename.h) */
#undef fuse_new
#endif
FUSE3_API struct fuse *fuse_new(struct fuse_args *args, const struct fuse_operations *op,
                                size_t op_size, void *private_data)
{
    return fuse_new_common(args, op, op_size, private_data);
}

/* ---- volume parameters ---- */

static UINT32 ms_of(double seconds)
{
    if (seconds <= 0)
        return 0;
    if (seconds >= 4000000.0)
        return INFINITE - 1;
    return (UINT32)(seconds * 1000.0 + 0.5);
}

/* The timeouts from the configuration (which init may have changed). */
static void apply_timeouts(struct fuse *f, FSP_FSCTL_VOLUME_PARAMS *vp)
{
    if (f->file_info_timeout_set)
        vp->FileInfoTimeout = f->file_info_timeout < 0 ? INFINITE : (UINT32)f->file_info_timeout;
    else if (f->conf.kernel_cache)
        vp->FileInfoTimeout = INFINITE;
    else
        vp->FileInfoTimeout = ms_of(f->conf.attr_timeout);
    vp->NegativeEntryTimeoutValid = 1; /* libfuse: negative_timeout (default 0: not cached) */
    vp->NegativeEntryTimeout = ms_of(f->conf.negative_timeout);
    vp->DirInfoTimeoutValid = 1;
    if (f->dir_info_timeout_set)
        vp->DirInfoTimeout = f->dir_info_timeout < 0 ? INFINITE : (UINT32)f->dir_info_timeout;
    else if (INFINITE == vp->FileInfoTimeout)
        vp->DirInfoTimeout = INFINITE;
    else
        vp->DirInfoTimeout = ms_of(f->conf.entry_timeout);
}

static void set_wide(WCHAR *dst, size_t cap, const char *src)
{
    PWSTR w = 0;
    if (!src || !NT_SUCCESS(FspPosixMapPosixToWindowsPathEx(src, &w, FALSE)))
        return;
    size_t n = wcslen(w);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, w, n * sizeof(WCHAR));
    dst[n] = 0;
    FspPosixDeletePath(w);
}

void fuse3_base_volume_params(FSP_FSCTL_VOLUME_PARAMS *vp, bool read_only)
{
    memset(vp, 0, sizeof *vp);
    vp->Version = sizeof *vp;
    vp->SectorSize = 512;
    vp->SectorsPerAllocationUnit = 8;
    vp->MaxComponentLength = 255;
    vp->VolumeSerialNumber = (UINT32)getpid();
    vp->CaseSensitiveSearch = 1;
    vp->CasePreservedNames = 1;
    vp->UnicodeOnDisk = 1;
    vp->PersistentAcls = 1;
    vp->ReparsePoints = 1;
    /* st_nlink is the program's (CreateHardLink answers ENOSYS without link()) */
    vp->HardLinks = 1;
    vp->ReadOnlyVolume = read_only ? 1 : 0;
    /* What libfuse gives a program: times as it stores them (to the nanosecond), empty xattr
     * values (LinFsp extensions of the native API). */
    vp->NanosecondTimes = 1;
    vp->EmptyEaValues = 1;
    vp->XattrsPassThrough = 1; /* every xattr name is the program's (ntfs-3g serves system.ntfs_* itself) */
    vp->CasePreservedExtendedAttributes = 1;
    vp->CaseSensitiveExtendedAttributes = 1; /* FUSE programs get Linux xattr names unchanged */
    vp->AccessTimesByFileSystem = 1; /* as on libfuse: no access-time calls after reads */
    vp->SupportsPosixUnlinkRename = 1;
    vp->UmNoReparsePointsDirCheck = 1;
    /* libfuse's kernel interface: the mount options as given, symlinks as getattr says, a
     * regular file may be the mount point */
    vp->MountOptionsAsGiven = 1;
    vp->SymlinkAttributesFromFileInfo = 1;
    vp->FileMountPoint = 1;
}

static void build_volume_params(struct fuse *f, FSP_FSCTL_VOLUME_PARAMS *vp)
{
    fuse3_base_volume_params(vp, f->read_only);
    const struct fuse_operations *o = &f->top->op;
    vp->ExtendedAttributes =
        (o->getxattr && o->listxattr) || o->setxattr || o->removexattr ? 1 : 0;
    apply_timeouts(f, vp);
    const char *name = f->fs_name ? f->fs_name : f->subtype ? f->subtype : "FUSE";
    set_wide(vp->FileSystemName, sizeof vp->FileSystemName / sizeof(WCHAR), name);
    if (f->volume_prefix)
        set_wide(vp->Prefix, sizeof vp->Prefix / sizeof(WCHAR), f->volume_prefix);
}

/* ---- mount ---- */

static void without_sigpipe(FSP_FILE_SYSTEM *fs, VOID (*fn)(FSP_FILE_SYSTEM *));

FSP_FILE_SYSTEM *fuse3_mount_native(const FSP_FSCTL_VOLUME_PARAMS *vp,
                                    const FSP_FILE_SYSTEM_INTERFACE *intf, const char *mount_opts,
                                    const char *fsname, const char *subtype,
                                    const char *mountpoint, bool debug)
{
    FSP_FILE_SYSTEM *fs = 0;
    NTSTATUS status = FspFileSystemCreate(vp->Prefix[0] ? FSP_FSCTL_NET_DEVICE_NAME
                                                        : FSP_FSCTL_DISK_DEVICE_NAME,
                                          (FSP_FSCTL_VOLUME_PARAMS *)vp, intf, &fs);
    if (!NT_SUCCESS(status)) {
        fuse_log(FUSE_LOG_ERR, "fuse: cannot create the file system: %s\n",
                 strerror(FspErrnoFromNtStatus(status)));
        return 0;
    }
    if (debug)
        FspFileSystemSetDebugLog(fs, (UINT32)-1);
    /* fsname= and subtype= go to the mount as well as the volume parameters. */
    char *opts = mount_opts ? strdup(mount_opts) : 0;
    bool oom = mount_opts && !opts;
    if (fsname && !oom) {
        char *o = malloc(strlen(fsname) + 8);
        oom = !o || (sprintf(o, "fsname=%s", fsname), -1 == fuse_opt_add_opt(&opts, o));
        free(o);
    }
    if (subtype && !oom) {
        char *o = malloc(strlen(subtype) + 9);
        oom = !o || (sprintf(o, "subtype=%s", subtype), -1 == fuse_opt_add_opt(&opts, o));
        free(o);
    }
    status = oom ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
    if (NT_SUCCESS(status) && opts)
        status = FspFileSystemSetMountOptions(fs, opts);
    if (!NT_SUCCESS(status))
        fuse_log(FUSE_LOG_ERR, "fuse: invalid mount options `%s'\n", opts ? opts : "");
    free(opts);
    PWSTR wmp = 0;
    if (NT_SUCCESS(status))
        status = FspPosixMapPosixToWindowsPathEx(mountpoint, &wmp, FALSE);
    if (NT_SUCCESS(status)) {
        status = FspFileSystemSetMountPoint(fs, wmp);
        if (!NT_SUCCESS(status))
            fuse_log(FUSE_LOG_ERR, "fuse: cannot mount on %s: %s\n", mountpoint,
                     strerror(FspErrnoFromNtStatus(status)));
    }
    FspPosixDeletePath(wmp);
    if (!NT_SUCCESS(status)) {
        FspFileSystemDelete(fs);
        return 0;
    }
    return fs;
}

FUSE3_API int fuse_mount(struct fuse *f, const char *mountpoint)
{
    if (!f || !mountpoint)
        return -1;
    if (f->mounted) {
        fuse_log(FUSE_LOG_ERR, "fuse: already mounted\n");
        return -1;
    }
    build_volume_params(f, &f->vp);
    FSP_FILE_SYSTEM *fs = fuse3_mount_native(&f->vp, &f->intf, f->mount_opts, f->fsname,
                                             f->subtype, mountpoint, f->conf.debug);
    if (!fs)
        return -1;
    fs->UserContext = f;
    f->fs = fs;
    f->mountpoint = strdup(mountpoint);
    f->mounted = true;
    return 0;
}

void fuse3_adopt_mount(struct fuse *f, FSP_FILE_SYSTEM *fs, const char *mountpoint)
{
    build_volume_params(f, &f->vp);
    /* What the engine reads after mounting; the rest served the mount already. */
    fs->VolumeParams.ExtendedAttributes = f->vp.ExtendedAttributes;
    fs->VolumeParams.ReadOnlyVolume = f->vp.ReadOnlyVolume;
    apply_timeouts(f, &fs->VolumeParams);
    fs->Interface = &f->intf;
    fs->UserContext = f;
    if (f->conf.debug)
        FspFileSystemSetDebugLog(fs, (UINT32)-1);
    f->fs = fs;
    f->mountpoint = strdup(mountpoint);
    f->mounted = true;
}

void fuse3_unmount_native(FSP_FILE_SYSTEM *fs)
{
    without_sigpipe(fs, FspFileSystemDelete);
}

FUSE3_API int fuse_open_channel(const char *mountpoint, const char *options)
{
    if (!mountpoint)
        return -1;
    FSP_FSCTL_VOLUME_PARAMS vp;
    fuse3_base_volume_params(&vp, false);
    set_wide(vp.FileSystemName, sizeof vp.FileSystemName / sizeof(WCHAR), "fuse");
    FSP_FILE_SYSTEM *fs = fuse3_mount_native(&vp, &fuse3_interface, options, 0, 0, mountpoint,
                                             false);
    if (!fs)
        return -1;
    int fd = -1;
    NTSTATUS status = FspFileSystemDetachDevice(fs, &fd);
    FspFileSystemDelete(fs);
    if (!NT_SUCCESS(status)) {
        fuse_log(FUSE_LOG_ERR, "fuse: cannot hand the mount of %s over\n", mountpoint);
        return -1;
    }
    fcntl(fd, F_SETFD, 0); /* for the program that serves it (/dev/fd/N) */
    return fd;
}

FUSE3_API int fuse_session_fd(struct fuse_session *se)
{
    return se && se->f && se->f->fs ? FspFileSystemDeviceDescriptor(se->f->fs) : -1;
}

/*
 * Unmount (or delete) with SIGPIPE blocked: unmounting tells the engine's
 * watchdog process through a pipe, and that process may be gone already
 * (fuse_remove_signal_handlers has restored SIGPIPE's default by then).
 */
static void without_sigpipe(FSP_FILE_SYSTEM *fs, VOID (*fn)(FSP_FILE_SYSTEM *))
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    int blocked = pthread_sigmask(SIG_BLOCK, &set, &old);
    fn(fs);
    if (0 == blocked) {
        sigset_t pending;
        struct timespec zero = {0, 0};
        if (0 == sigpending(&pending) && sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE))
            sigtimedwait(&set, 0, &zero);
        pthread_sigmask(SIG_SETMASK, &old, 0);
    }
}

FUSE3_API void fuse_unmount(struct fuse *f)
{
    if (!f || !f->fs || !f->mounted)
        return;
    FspFileSystemStopDispatcher(f->fs);
    without_sigpipe(f->fs, FspFileSystemRemoveMountPoint);
    f->mounted = false;
}

FUSE3_API void fuse_destroy(struct fuse *f)
{
    if (!f)
        return;
    if (f->fs)
        FspFileSystemStopDispatcher(f->fs);
    if (__atomic_load_n(&f->in_program, __ATOMIC_ACQUIRE)) {
        /* A worker was abandoned inside one of the program's operations (it never returned):
         * should it come back it uses f, the stack and the program's state, so none of them is
         * freed or destroyed (the engine keeps its own memory likewise); only the mount goes. */
        fuse_log(FUSE_LOG_ERR, "fuse: an operation of the file system never returned; its "
                               "memory is kept\n");
        if (f->fs)
            without_sigpipe(f->fs, FspFileSystemDelete); /* unmounts; keeps what workers use */
        return;
    }
    fuse3_free_stack(f); /* destroy() when init ran */
    f->destroyed = true;
    if (f->fs)
        without_sigpipe(f->fs, FspFileSystemDelete); /* unmounts if still mounted */
    f->fs = 0;
    /* Files the kernel never released (the volume went away) */
    while (f->files.next != &f->files) {
        struct fuse3_file *x = f->files.next;
        x->prev->next = x->next;
        x->next->prev = x->prev;
        fuse3_listing_free(x->listing);
        free(x->path);
        free(x);
    }
    fuse3_listing_free(f->spare_listing);
    f->spare_listing = 0;
    free(f->mount_opts), free(f->fsname), free(f->subtype), free(f->volname);
    free(f->volume_prefix), free(f->fs_name), free(f->conf.modules), free(f->mountpoint);
    if (f->se.wake_fd >= 0)
        close(f->se.wake_fd);
    pthread_mutex_destroy(&f->lock);
    pthread_mutex_destroy(&f->open_lock);
    free(f);
}

/* ---- the loop ---- */

static void call_init(struct fuse *f)
{
    if (f->inited)
        return;
    const struct fuse_operations *o = &f->top->op;
    struct fuse_conn_info conn;
    memset(&conn, 0, sizeof conn);
    conn.proto_major = 7;
    conn.proto_minor = 31;
    conn.max_write = 1024 * 1024;
    conn.max_read = 0;
    conn.max_readahead = 128 * 1024;
    conn.capable = FUSE_CAP_ASYNC_READ | FUSE_CAP_POSIX_LOCKS | FUSE_CAP_ATOMIC_O_TRUNC |
                   FUSE_CAP_FLOCK_LOCKS | FUSE_CAP_IOCTL_DIR | FUSE_CAP_AUTO_INVAL_DATA |
                   FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO | FUSE_CAP_PARALLEL_DIROPS |
                   FUSE_CAP_CACHE_SYMLINKS;
    /* libfuse's defaults: locks forwarded when the program implements them */
    conn.want = conn.capable & ~(unsigned)(FUSE_CAP_CACHE_SYMLINKS | FUSE_CAP_POSIX_LOCKS |
                                           FUSE_CAP_FLOCK_LOCKS);
    if (o->lock)
        conn.want |= FUSE_CAP_POSIX_LOCKS;
    if (o->flock)
        conn.want |= FUSE_CAP_FLOCK_LOCKS;
    conn.max_background = 64;
    conn.congestion_threshold = 48;
    conn.time_gran = 100;
    fuse3_context_enter(f);
    fuse_fs_init(f->top, &conn, &f->conf);
    f->private_data = f->top->user_data;
    f->inited = true;
    f->conn_want = conn.want & conn.capable;
    f->atomic_o_trunc = 0 != (conn.want & FUSE_CAP_ATOMIC_O_TRUNC);
    fuse3_interface_for(f); /* init may have turned locks off */
    /* init may change the configuration: the timeouts follow (the engine reads them at INIT). */
    if (f->fs)
        apply_timeouts(f, &f->fs->VolumeParams);
}

/*
 * Serve until fuse_exit, a signal handler set by fuse_set_signal_handlers, or the volume going
 * away: each of them sets se.exited and wakes the session's eventfd. Every struct fuse has its
 * own loop, so a process may serve several file systems at once (as with libfuse).
 */
static int loop_common(struct fuse *f, unsigned threads, FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY guard)
{
    if (!f || !f->fs || !f->mounted) {
        fuse_log(FUSE_LOG_ERR, "fuse: the file system is not mounted\n");
        return -EINVAL;
    }
    call_init(f);
    if (__atomic_load_n(&f->se.exited, __ATOMIC_ACQUIRE))
        return 0;
    f->threads = threads;
    FspFileSystemSetOperationGuardStrategy(f->fs, guard);
    NTSTATUS status = FspFileSystemStartDispatcher(f->fs, f->threads);
    if (!NT_SUCCESS(status)) {
        fuse_log(FUSE_LOG_ERR, "fuse: cannot start serving: %s\n",
                 strerror(FspErrnoFromNtStatus(status)));
        return -EIO;
    }
    int res = 0;
    while (!__atomic_load_n(&f->se.exited, __ATOMIC_ACQUIRE)) {
        struct pollfd p = {f->se.wake_fd, POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && EINTR != errno) {
            res = -errno;
            break;
        }
        uint64_t count;
        if (read(f->se.wake_fd, &count, sizeof count) < 0)
            (void)0; /* EAGAIN: woken by a signal, not the eventfd */
    }
    FspFileSystemStopDispatcher(f->fs);
    int sig = __atomic_load_n(&f->se.signal, __ATOMIC_ACQUIRE);
    return res ? res : sig; /* ended by a signal: its number, as libfuse's loop reports it */
}

FUSE3_API int fuse_loop(struct fuse *f)
{
    return loop_common(f, 1, FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_COARSE);
}

FUSE3_API int fuse_loop_mt_31(struct fuse *f, int clone_fd)
{
    (void)clone_fd;
    return loop_common(f, 10, FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE);
}

FUSE3_API int fuse_loop_mt_32(struct fuse *f, struct fuse_loop_config_v1 *config)
{
    (void)config;
    return loop_common(f, 10, FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE);
}

FUSE3_API int fuse_loop_mt_312(struct fuse *f, struct fuse_loop_config *config)
{
    unsigned n = config && config->max_threads ? config->max_threads : 10;
    if (n > 256)
        n = 256;
    return loop_common(f, n, FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY_FINE);
}

#ifndef LINFSP_FUSE2_BUILD /* there the name is a rename macro (fuse2_rename.h) */
#undef fuse_loop_mt
#endif
FUSE3_API int fuse_loop_mt(struct fuse *f, struct fuse_loop_config *config)
{
    return fuse_loop_mt_312(f, config);
}

FUSE3_API int fuse_session_loop(struct fuse_session *se)
{
    return se ? fuse_loop(se->f) : -EINVAL;
}

FUSE3_API int fuse_session_loop_mt_312(struct fuse_session *se, struct fuse_loop_config *config)
{
    return se ? fuse_loop_mt_312(se->f, config) : -EINVAL;
}

FUSE3_API int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config)
{
    return se ? fuse_loop_mt_32(se->f, config) : -EINVAL;
}

FUSE3_API int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd)
{
    return se ? fuse_loop_mt_31(se->f, clone_fd) : -EINVAL;
}

#ifndef LINFSP_FUSE2_BUILD /* there the name is a rename macro (fuse2_rename.h) */
#undef fuse_session_loop_mt
#endif
FUSE3_API int fuse_session_loop_mt(struct fuse_session *se, struct fuse_loop_config *config)
{
    return se ? fuse_loop_mt_312(se->f, config) : -EINVAL;
}

FUSE3_API int fuse_session_mount(struct fuse_session *se, const char *mountpoint)
{
    return se ? fuse_mount(se->f, mountpoint) : -1;
}

FUSE3_API void fuse_session_unmount(struct fuse_session *se)
{
    if (se)
        fuse_unmount(se->f);
}

FUSE3_API void fuse_exit(struct fuse *f)
{
    if (!f)
        return;
    __atomic_store_n(&f->se.exited, 1, __ATOMIC_RELEASE);
    fuse3_session_wake(&f->se);
}

FUSE3_API struct fuse_session *fuse_get_session(struct fuse *f)
{
    return f ? &f->se : 0;
}

FUSE3_API void fuse_session_exit(struct fuse_session *se)
{
    if (se)
        fuse_exit(se->f);
}

FUSE3_API int fuse_session_exited(struct fuse_session *se)
{
    return se ? __atomic_load_n(&se->exited, __ATOMIC_ACQUIRE) : 1;
}

FUSE3_API void fuse_session_reset(struct fuse_session *se)
{
    if (se) {
        __atomic_store_n(&se->signal, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&se->exited, 0, __ATOMIC_RELEASE);
    }
}

/* ---- operation helpers ---- */

FUSE3_API struct fuse_context *fuse_get_context(void)
{
    return fuse3_context();
}

/*
 * The supplementary groups of the process calling the current operation, as libfuse reads them:
 * from the "Groups:" line of /proc/PID/status. Returns how many there are (list receives at most
 * size of them), or a negative errno.
 */
FUSE3_API int fuse_getgroups(int size, gid_t list[])
{
    struct fuse_context *ctx = fuse_get_context();
    if (!ctx || !ctx->fuse || size < 0 || (size > 0 && !list))
        return -EINVAL;
    char path[64];
    snprintf(path, sizeof path, "/proc/%lu/status", (unsigned long)ctx->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    char *line = 0;
    size_t cap = 0;
    int n = -EIO;
    while (getline(&line, &cap, f) > 0) {
        if (0 != strncmp(line, "Groups:", 7))
            continue;
        n = 0;
        char *p = line + 7, *end;
        for (;;) {
            errno = 0;
            unsigned long g = strtoul(p, &end, 10);
            if (end == p || errno)
                break;
            if (n < size)
                list[n] = (gid_t)g;
            n++;
            p = end;
        }
        break;
    }
    free(line);
    fclose(f);
    return n;
}

FUSE3_API int fuse_interrupted(void)
{
    return 0;
}

FUSE3_API int fuse_invalidate_path(struct fuse *f, const char *path)
{
    if (!f || !f->fs || !path)
        return -EINVAL;
    fuse3_changed(f); /* listings read earlier are served with fresh attributes */
    PWSTR w = 0;
    if (!NT_SUCCESS(FspPosixMapPosixToWindowsPath(path, &w)))
        return -ENOMEM;
    size_t wl = wcslen(w);
    size_t size = sizeof(FSP_FSCTL_NOTIFY_INFO) + wl * sizeof(WCHAR);
    FSP_FSCTL_NOTIFY_INFO *ni = calloc(1, size);
    char *buf = malloc(size + 16);
    int err = -ENOMEM;
    if (ni && buf) {
        ni->Size = (UINT16)size;
        ni->Filter = FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE;
        ni->Action = FILE_ACTION_MODIFIED;
        memcpy(ni->FileNameBuf, w, wl * sizeof(WCHAR));
        ULONG bytes = 0;
        FspFileSystemAddNotifyInfo(ni, buf, (ULONG)(size + 16), &bytes);
        NTSTATUS status = FspFileSystemNotifyBegin(f->fs, 1000);
        if (NT_SUCCESS(status)) {
            status = FspFileSystemNotify(f->fs, (FSP_FSCTL_NOTIFY_INFO *)buf, bytes);
            FspFileSystemNotifyEnd(f->fs);
        }
        err = NT_SUCCESS(status) ? 0 : -FspErrnoFromNtStatus(status);
    }
    free(ni), free(buf);
    FspPosixDeletePath(w);
    return err;
}

FUSE3_API int fuse_start_cleanup_thread(struct fuse *fuse)
{
    (void)fuse;
    return 0;
}

FUSE3_API void fuse_stop_cleanup_thread(struct fuse *fuse)
{
    (void)fuse;
}

FUSE3_API int fuse_clean_cache(struct fuse *fuse)
{
    (void)fuse;
    return 3600;
}

/* ---- fuse_main ---- */

FUSE3_API int fuse_main_real(int argc, char *argv[], const struct fuse_operations *op,
                             size_t op_size, void *private_data)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    memset(&opts, 0, sizeof opts);
    int res = 1;
    if (0 != fuse_parse_cmdline_312(&args, &opts)) {
        fuse_opt_free_args(&args);
        return 1;
    }
    if (opts.show_version) {
        printf("FUSE library version %s\n", fuse_pkgversion());
        fuse_lowlevel_version();
        res = 0;
        goto out;
    }
    if (opts.show_help) {
        if (args.argv[0] && args.argv[0][0])
            printf("usage: %s [options] <mountpoint>\n\n", args.argv[0]);
        printf("FUSE options:\n");
        fuse_cmdline_help();
        fuse_lib_help(&args);
        res = 0;
        goto out;
    }
    if (!opts.mountpoint) {
        fuse_log(FUSE_LOG_ERR, "error: no mountpoint specified\n");
        res = 2;
        goto out;
    }
    struct fuse *f = fuse_new_common(&args, op, op_size, private_data);
    if (!f) {
        res = 3;
        goto out;
    }
    if (0 != fuse_mount(f, opts.mountpoint)) {
        res = 4;
        goto destroy;
    }
    if (0 != fuse_daemonize(opts.foreground)) {
        res = 5;
        goto unmount;
    }
    if (0 != fuse_set_signal_handlers(&f->se)) {
        res = 6;
        goto unmount;
    }
    int err;
    if (opts.singlethread)
        err = fuse_loop(f);
    else {
        struct fuse_loop_config cfg = {opts.clone_fd, opts.max_idle_threads, opts.max_threads};
        err = fuse_loop_mt_312(f, &cfg);
    }
    res = err ? 8 : 0; /* libfuse 3: the loop failed or a signal ended it */
    fuse_remove_signal_handlers(&f->se);
unmount:
    fuse_unmount(f);
destroy:
    fuse_destroy(f);
out:
    free(opts.mountpoint);
    fuse_opt_free_args(&args);
    return res;
}

FUSE3_API int fuse_main_real_versioned(int argc, char *argv[], const struct fuse_operations *op,
                                       size_t op_size, struct libfuse_version *version,
                                       void *private_data)
{
    (void)version;
    return fuse_main_real(argc, argv, op, op_size, private_data);
}
