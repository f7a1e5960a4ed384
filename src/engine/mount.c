/*
 * src/engine/mount.c - mounting and unmounting.
 *
 * As root the engine mounts with mount(2) and starts a watchdog process that
 * lazily unmounts should this process die without unmounting (a killed file
 * system leaves no mount that fails callers). As an ordinary user it asks
 * fusermount3 (Debian's fuse3) to mount, with auto_unmount.
 */
#include "core.h"
#include "api.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Mount points of this process's file systems, to refuse mounting twice at one place. */
static pthread_mutex_t mounts_lock = PTHREAD_MUTEX_INITIALIZER;
static char **mounts;
static size_t nmounts;

static bool mounts_add(const char *path)
{
    pthread_mutex_lock(&mounts_lock);
    for (size_t i = 0; i < nmounts; i++)
        if (0 == strcmp(mounts[i], path)) {
            pthread_mutex_unlock(&mounts_lock);
            return false;
        }
    char **m = realloc(mounts, (nmounts + 1) * sizeof *m);
    char *copy = strdup(path);
    if (m)
        mounts = m;
    if (!m || !copy) {
        free(copy);
        pthread_mutex_unlock(&mounts_lock);
        return false;
    }
    mounts[nmounts++] = copy;
    pthread_mutex_unlock(&mounts_lock);
    return true;
}

static void mounts_remove(const char *path)
{
    pthread_mutex_lock(&mounts_lock);
    for (size_t i = 0; i < nmounts; i++)
        if (0 == strcmp(mounts[i], path)) {
            free(mounts[i]);
            mounts[i] = mounts[--nmounts];
            break;
        }
    if (0 == nmounts) {
        free(mounts);
        mounts = 0;
    }
    pthread_mutex_unlock(&mounts_lock);
}

/* The options FspFileSystemSetMountOptions accepts, and whether they take a value. */
static const struct {
    const char *name;
    bool value;
} known_options[] = {
    {"allow_other", false}, {"allow_root", false}, {"default_permissions", false},
    {"ro", false},          {"rw", false},         {"fsname", true},
    {"subtype", true},      {"auto_unmount", false}, {"max_read", true},
    {"nosuid", false},      {"suid", false},       {"nodev", false},
    {"dev", false},         {"noexec", false},     {"exec", false},
    {"noatime", false},     {"atime", false},      {"relatime", false},
    {"sync", false},        {"async", false},      {"dirsync", false},
    {"io_uring", false}, {"no_io_uring", false}, /* engine only (uring.c): not passed to the kernel */
};

/* Call fn(name, value, ctx) for each comma-separated option; stops at the first non-zero result. */
static int each_option(const char *options, int (*fn)(const char *, const char *, void *), void *ctx)
{
    if (!options || !*options)
        return 0;
    char *copy = strdup(options), *save = 0;
    if (!copy)
        return ENOMEM;
    int r = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(0, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq++ = '\0';
        r = fn(tok, eq, ctx);
    }
    free(copy);
    return r;
}

static int check_option(const char *name, const char *value, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < ARRAYSIZE(known_options); i++)
        if (0 == strcmp(name, known_options[i].name)) {
            if (known_options[i].value != (value != 0)) {
                FspDebugLog("linfsp: mount option '%s' %s a value\n", name,
                            known_options[i].value ? "needs" : "takes no");
                return EINVAL;
            }
            if (0 == strcmp(name, "max_read")) {
                char *end;
                errno = 0;
                unsigned long v = strtoul(value, &end, 10);
                if (errno || end == value || *end || 0 == v || v > 0xffffffffUL) {
                    FspDebugLog("linfsp: mount option max_read=%s is not a number\n", value);
                    return EINVAL;
                }
            }
            return 0;
        }
    FspDebugLog("linfsp: unknown mount option '%s'\n", name);
    return EINVAL;
}

NTSTATUS fsp_mount_check_options(const char *options)
{
    int r = each_option(options, check_option, 0);
    return 0 == r ? STATUS_SUCCESS : ENOMEM == r ? STATUS_INSUFFICIENT_RESOURCES
                                                 : STATUS_INVALID_PARAMETER;
}

struct mount_args {
    unsigned long flags;
    char data[1024];
    char fsname[256], subtype[64];
    bool auto_unmount, ro, dev, suid;
};

static void append(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", len ? "," : "", s);
}

static int collect_option(const char *name, const char *value, void *ctx)
{
    struct mount_args *a = ctx;
    char opt[512];
    if (0 == strcmp(name, "fsname"))
        snprintf(a->fsname, sizeof a->fsname, "%s", value);
    else if (0 == strcmp(name, "subtype"))
        snprintf(a->subtype, sizeof a->subtype, "%s", value);
    else if (0 == strcmp(name, "ro"))
        a->flags |= MS_RDONLY, a->ro = true;
    else if (0 == strcmp(name, "rw"))
        a->flags &= ~(unsigned long)MS_RDONLY, a->ro = false;
    else if (0 == strcmp(name, "nosuid"))
        a->flags |= MS_NOSUID, a->suid = false;
    else if (0 == strcmp(name, "suid"))
        a->flags &= ~(unsigned long)MS_NOSUID, a->suid = true;
    else if (0 == strcmp(name, "nodev"))
        a->flags |= MS_NODEV, a->dev = false;
    else if (0 == strcmp(name, "dev"))
        a->flags &= ~(unsigned long)MS_NODEV, a->dev = true;
    else if (0 == strcmp(name, "noexec"))
        a->flags |= MS_NOEXEC;
    else if (0 == strcmp(name, "exec"))
        a->flags &= ~(unsigned long)MS_NOEXEC;
    else if (0 == strcmp(name, "atime"))
        a->flags &= ~(unsigned long)MS_NOATIME;
    else if (0 == strcmp(name, "noatime"))
        a->flags |= MS_NOATIME;
    else if (0 == strcmp(name, "relatime"))
        a->flags |= MS_RELATIME;
    else if (0 == strcmp(name, "sync"))
        a->flags |= MS_SYNCHRONOUS;
    else if (0 == strcmp(name, "dirsync"))
        a->flags |= MS_DIRSYNC;
    else if (0 == strcmp(name, "auto_unmount"))
        a->auto_unmount = true;
    else if (0 == strcmp(name, "async"))
        a->flags &= ~(unsigned long)MS_SYNCHRONOUS;
    else if (0 == strcmp(name, "default_permissions"))
        append(a->data, sizeof a->data, "default_permissions");
    else if (0 == strcmp(name, "allow_other") || 0 == strcmp(name, "max_read")) {
        snprintf(opt, sizeof opt, "%s%s%s", name, value ? "=" : "", value ? value : "");
        append(a->data, sizeof a->data, opt);
    } else if (0 == strcmp(name, "allow_root"))
        append(a->data, sizeof a->data, "allow_other"); /* the kernel has only allow_other */
    return 0;
}

/* A printable, comma-free rendition of a WCHAR string for fsname/subtype. */
static void narrow_name(PCWSTR w, char *buf, size_t size)
{
    char *s = 0;
    buf[0] = '\0';
    if (w && w[0] && 0 == fsp_wcs_to_utf8(w, wcslen(w), &s, 0)) {
        size_t j = 0;
        for (size_t i = 0; s[i] && j + 1 < size; i++)
            buf[j++] = (',' == s[i] || ' ' == s[i] || '\\' == s[i]) ? '_' : s[i];
        buf[j] = '\0';
        free(s);
    }
}

/* Watchdog child: waits for the parent to go away, then unmounts unless told it was done cleanly. */
static pid_t start_watchdog(const char *mountpoint, int *pwfd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]), close(p[1]);
        return -1;
    }
    if (0 == pid) {
        /* Only async-signal-safe calls here: the parent may have threads. */
        int keep = p[0];
        if (keep != 3) {
            dup2(keep, 3);
            keep = 3;
        }
        syscall(SYS_close_range, 4, ~0U, 0);
        for (int fd = 0; fd < 3; fd++)
            close(fd);
        setsid();
        char c = 0;
        ssize_t n;
        do
            n = read(keep, &c, 1);
        while (n < 0 && EINTR == errno);
        if (!(1 == n && 'u' == c))
            umount2(mountpoint, MNT_DETACH);
        _exit(0);
    }
    close(p[0]);
    *pwfd = p[1];
    return pid;
}

static NTSTATUS status_from_errno(int err)
{
    switch (err) {
    case ENOENT:
        return STATUS_OBJECT_PATH_NOT_FOUND;
    case ENOTDIR:
        return STATUS_NOT_A_DIRECTORY;
    case EACCES:
    case EPERM:
        return STATUS_ACCESS_DENIED;
    case EBUSY:
        return STATUS_DEVICE_BUSY;
    case ENODEV:
        return STATUS_NO_SUCH_DEVICE;
    case ENOMEM:
        return STATUS_INSUFFICIENT_RESOURCES;
    default:
        return FspNtStatusFromErrno(err);
    }
}

/*
 * Run fusermount3 to mount; it hands back the /dev/fuse fd over a socket (_FUSE_COMMFD).
 * With auto_unmount fusermount3 stays behind as a watchdog that unmounts when our end of
 * the socket closes (this process ended or unmounted): *psock and *ppid receive that end
 * and that process then, to be closed and reaped at unmount; otherwise they are -1 / 0.
 */
static int fusermount_mount(const char *mountpoint, const char *opts, int *pfd, int *psock,
                            pid_t *ppid)
{
    *psock = -1, *ppid = 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return errno;
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(sv[0]), close(sv[1]);
        return err;
    }
    if (0 == pid) {
        char env[32];
        snprintf(env, sizeof env, "%d", sv[1]);
        setenv("_FUSE_COMMFD", env, 1);
        close(sv[0]);
        execlp("fusermount3", "fusermount3", "-o", opts, "--", mountpoint, (char *)0);
        _exit(127);
    }
    close(sv[1]);
    char dummy;
    char ctl[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&dummy, 1};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    ssize_t n;
    do
        n = recvmsg(sv[0], &msg, 0);
    while (n < 0 && EINTR == errno);
    int fd = -1;
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : 0;
    if (c && SCM_RIGHTS == c->cmsg_type && c->cmsg_len >= CMSG_LEN(sizeof(int)))
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
    int st = 0;
    if (fd < 0) {
        close(sv[0]);
        waitpid(pid, &st, 0);
        return WIFEXITED(st) && 127 == WEXITSTATUS(st) ? ENOENT : EPERM;
    }
    if (strstr(opts, "auto_unmount")) {
        /* fusermount3 watches this socket and unmounts when it closes, but only once the
         * connection is dead (all /dev/fuse descriptors closed). A dying process closes its
         * descriptors in ascending order: move the socket above the channels we open later. */
        struct rlimit rl;
        int high = 0 == getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur > 512 && rl.rlim_cur < 65536
                       ? (int)rl.rlim_cur - 16 : 256;
        int moved = fcntl(sv[0], F_DUPFD_CLOEXEC, high);
        if (moved >= 0) {
            close(sv[0]);
            sv[0] = moved;
        } else
            fcntl(sv[0], F_SETFD, FD_CLOEXEC);
        *psock = sv[0], *ppid = pid;
    } else {
        close(sv[0]);
        waitpid(pid, &st, 0);
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    *pfd = fd;
    return 0;
}

/* Is path (canonical) the mount point of a FUSE file system already? Mount points in
 * /proc/self/mountinfo escape space, tab, newline and backslash as \ooo. */
static bool is_fuse_mount_point(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        /* id parent major:minor root mountpoint options... - fstype source superoptions */
        char *save = 0, *field = strtok_r(line, " ", &save);
        for (int i = 1; field && i < 5; i++)
            field = strtok_r(0, " ", &save);
        if (!field)
            continue;
        char mnt[4096];
        size_t j = 0;
        for (const char *c = field; *c && j + 1 < sizeof mnt; c++) {
            if ('\\' == c[0] && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' &&
                c[3] >= '0' && c[3] <= '7') {
                mnt[j++] = (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
                c += 3;
            } else
                mnt[j++] = *c;
        }
        mnt[j] = 0;
        if (0 != strcmp(mnt, path))
            continue;
        char *rest;
        while ((rest = strtok_r(0, " ", &save)) && 0 != strcmp(rest, "-"))
            ;
        char *fstype = rest ? strtok_r(0, " ", &save) : 0;
        found = fstype && (0 == strcmp(fstype, "fuse") || 0 == strncmp(fstype, "fuse.", 5) ||
                           0 == strcmp(fstype, "fuseblk"));
    }
    fclose(f);
    return found;
}

/*
 * "/dev/fd/N": N is a /dev/fuse descriptor someone else mounted already (mount.fuse3 -o
 * drop_privileges, as libfuse 3.3+ accepts): returns N, or -1 when path is not of that form.
 */
static int premounted_fd(const char *path)
{
    const char *prefix = "/dev/fd/";
    size_t pl = strlen(prefix);
    if (0 != strncmp(path, prefix, pl) || !path[pl])
        return -1;
    char *end;
    errno = 0;
    long n = strtol(path + pl, &end, 10);
    if (errno || *end || n < 0 || n > 0x7fffffff)
        return -1;
    return (int)n;
}

/* Serve the connection of an already mounted /dev/fuse descriptor: no mount, no unmount. */
static NTSTATUS adopt_fd(struct fsp_engine *eng, const char *mountpoint, int fd)
{
    struct stat st;
    if (fcntl(fd, F_GETFD) < 0 || 0 != fstat(fd, &st))
        return STATUS_INVALID_HANDLE;
    if (!S_ISCHR(st.st_mode)) {
        FspDebugLog("linfsp: %s is not a /dev/fuse descriptor\n", mountpoint);
        return STATUS_INVALID_PARAMETER;
    }
    char *copy = strdup(mountpoint);
    if (!copy)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (eng->fd >= 0 && eng->fd != fd)
        close(eng->fd);
    eng->fd = fd; /* ours from now on, as libfuse takes it: closed with the engine */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    eng->adopted = true;
    eng->mountpoint = copy;
    return STATUS_SUCCESS;
}

NTSTATUS fsp_mount(struct fsp_engine *eng, const char *mountpoint)
{
    FSP_FILE_SYSTEM *fs = eng->fs;
    const FSP_FSCTL_VOLUME_PARAMS *vp = &fs->VolumeParams;
    struct stat st;
    if (eng->mountpoint || eng->attached)
        return STATUS_INVALID_DEVICE_STATE;
    int given = premounted_fd(mountpoint);
    if (given >= 0)
        return adopt_fd(eng, mountpoint, given);
    if (0 != stat(mountpoint, &st))
        return status_from_errno(errno);
    /* A regular file may be the mount point of a file system that says so (libfuse allows it:
     * the root is then a file); anything else must be a directory. */
    if (!S_ISDIR(st.st_mode) && !(S_ISREG(st.st_mode) && vp->FileMountPoint))
        return STATUS_NOT_A_DIRECTORY;
    char *real = realpath(mountpoint, 0);
    if (!real)
        return status_from_errno(errno);
    /* Stacking a second file system on a FUSE mount point hides the first: refuse, as
     * "already mounted". */
    if (is_fuse_mount_point(real) || !mounts_add(real)) {
        free(real);
        return STATUS_DEVICE_BUSY;
    }

    struct mount_args a;
    memset(&a, 0, sizeof a);
    a.flags = MS_NOSUID | MS_NODEV;
    if (fs->VolumeParams.ReadOnlyVolume)
        a.flags |= MS_RDONLY, a.ro = true;
    narrow_name(fs->VolumeParams.FileSystemName, a.subtype, sizeof a.subtype);
    narrow_name(fs->VolumeParams.Prefix, a.fsname, sizeof a.fsname);
    each_option(eng->mount_options, collect_option, &a);
    if (!a.subtype[0])
        snprintf(a.subtype, sizeof a.subtype, "linfsp");
    if (!a.fsname[0])
        snprintf(a.fsname, sizeof a.fsname, "%s", a.subtype);

    NTSTATUS status;
    /* As on WinFsp, every user reaches the file system and its security decides: a mount
     * made by root is open to other users (allow_other); the mode bits the engine derives
     * from the security descriptors are checked by the kernel (default_permissions). A file
     * system that asks for the options as given (LinFsp's FUSE layer) gets only those, as
     * libfuse mounts. */
    bool as_given = vp->MountOptionsAsGiven;
    bool has_allow_other = NULL != strstr(a.data, "allow_other");
    bool has_default_permissions = NULL != strstr(a.data, "default_permissions");
    const char *implied_dp = as_given || has_default_permissions ? "" : "default_permissions,";
    if (0 == geteuid()) {
        char data[1400], type[80];
        snprintf(data, sizeof data, "fd=%d,rootmode=%o,user_id=%u,group_id=%u%s%s%s%s",
                 eng->fd, (unsigned)(st.st_mode & S_IFMT), (unsigned)geteuid(), (unsigned)getegid(),
                 implied_dp[0] ? ",default_permissions" : "",
                 as_given || has_allow_other ? "" : ",allow_other", a.data[0] ? "," : "", a.data);
        snprintf(type, sizeof type, "fuse.%s", a.subtype);
        if (0 != mount(a.fsname, real, type, a.flags, data)) {
            status = status_from_errno(errno);
            goto fail;
        }
        eng->watchdog_pid = start_watchdog(real, &eng->watchdog_fd);
    } else {
        char opts[1600];
        snprintf(opts, sizeof opts, "fsname=%s,subtype=%s,%sauto_unmount%s%s%s%s%s%s%s",
                 a.fsname, a.subtype, implied_dp, a.ro ? ",ro" : "",
                 (a.flags & MS_NOEXEC) ? ",noexec" : "", (a.flags & MS_NOATIME) ? ",noatime" : "",
                 a.dev ? ",dev" : "", a.suid ? ",suid" : "", a.data[0] ? "," : "", a.data);
        int fd = -1, err = fusermount_mount(real, opts, &fd, &eng->watchdog_fd, &eng->watchdog_pid);
        if (err) {
            status = ENOENT == err ? STATUS_NO_SUCH_DEVICE : STATUS_ACCESS_DENIED;
            FspDebugLog("linfsp: fusermount3 could not mount %s (%s)\n", real,
                        ENOENT == err ? "fusermount3 not found: install fuse3" : "refused");
            goto fail;
        }
        /* fusermount3 opened its own /dev/fuse: serve that one. */
        if (eng->fd >= 0)
            close(eng->fd);
        eng->fd = fd;
        eng->mounted_with_fusermount = true;
    }
    eng->mountpoint = real;
    return STATUS_SUCCESS;

fail:
    mounts_remove(real);
    free(real);
    return status;
}

void fsp_unmount(struct fsp_engine *eng)
{
    if (!eng->mountpoint)
        return;
    if (eng->adopted) { /* mounted by whoever gave the descriptor: theirs to unmount */
        free(eng->mountpoint);
        eng->mountpoint = 0;
        return;
    }
    if (eng->mounted_with_fusermount) {
        pid_t pid = fork();
        if (0 == pid) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0)
                dup2(null, 2);
            execlp("fusermount3", "fusermount3", "-u", "-z", "--", eng->mountpoint, (char *)0);
            _exit(127);
        }
        if (pid > 0)
            waitpid(pid, 0, 0);
        /* Closing the socket ends fusermount3's auto_unmount watch (nothing is left to unmount). */
        if (eng->watchdog_fd >= 0) {
            close(eng->watchdog_fd);
            eng->watchdog_fd = -1;
        }
        if (eng->watchdog_pid > 0) {
            waitpid(eng->watchdog_pid, 0, 0);
            eng->watchdog_pid = 0;
        }
    } else {
        if (0 != umount2(eng->mountpoint, 0) && EINVAL != errno)
            umount2(eng->mountpoint, MNT_DETACH);
        if (eng->watchdog_fd >= 0) {
            if (write(eng->watchdog_fd, "u", 1) < 0)
                (void)0;
            close(eng->watchdog_fd);
            eng->watchdog_fd = -1;
        }
        if (eng->watchdog_pid > 0) {
            waitpid(eng->watchdog_pid, 0, 0);
            eng->watchdog_pid = 0;
        }
    }
    mounts_remove(eng->mountpoint);
    free(eng->mountpoint);
    eng->mountpoint = 0;
}

NTSTATUS fsp_mount_detach(struct fsp_engine *eng, int *pfd)
{
    if (!eng->mountpoint || eng->adopted || eng->dispatching || eng->fd < 0)
        return STATUS_INVALID_DEVICE_STATE;
    *pfd = eng->fd;
    eng->fd = -1;
    if (eng->mounted_with_fusermount) {
        /* fusermount3's auto_unmount watch: the socket closes with this process (close-on-exec),
         * and fusermount3 unmounts once the connection is dead; not reaped here. */
        eng->watchdog_fd = -1;
        eng->watchdog_pid = 0;
    } else {
        /* the watchdog leaves the mount alone: someone else serves and unmounts it */
        if (eng->watchdog_fd >= 0) {
            if (write(eng->watchdog_fd, "u", 1) < 0)
                (void)0;
            close(eng->watchdog_fd);
            eng->watchdog_fd = -1;
        }
        if (eng->watchdog_pid > 0) {
            waitpid(eng->watchdog_pid, 0, 0);
            eng->watchdog_pid = 0;
        }
    }
    mounts_remove(eng->mountpoint);
    free(eng->mountpoint);
    eng->mountpoint = 0;
    return STATUS_SUCCESS;
}
