/*
 * tests/fsp-tests/fuse-compat-test.c - group "fuse": the FUSE layer behaves as libfuse where
 * libfuse programs can tell (issue 9). Each test mounts a small FUSE file system of its own in
 * this process (fuse_new, fuse_mount, fuse_loop_mt in a thread), uses it through the mount,
 * and checks what the program's operations saw and what callers got. Checks are recorded and
 * asserted after the file system is stopped and unmounted, so a failure never leaves a mount.
 *
 *   fuse_fi_per_request_test   each call gets its own fuse_file_info (readdir/read cannot
 *                              change what releasedir/release get)
 *   fuse_symlink_getattr_test  a symlink's type and size come from getattr alone; readlink
 *                              only for readlink(2); an open that would follow a symlink the
 *                              program refuses to resolve never reaches its open
 *   fuse_chmod_noop_test       chmod/chown reach the program when nothing changes
 *   fuse_mount_options_test    the mount gets the options given (no implied allow_other or
 *                              default_permissions); -o dev and -o suid take effect
 *   fuse_listxattr_enotsup_test, fuse_nlink_test, fuse_locks_test, fuse_ioctl_test,
 *   fuse_modules_subdir_test, fuse_modules_iconv_test, fuse_options_test,
 *   fuse_session_fd_test, fuse_open_flags_test, fuse_poll_test, fuse_file_mountpoint_test,
 *   fuse_fd_mountpoint_test, fuse_debug_trace_test: see each test.
 *   fuse_fidelity_test         issue 11 as the program sees it: exact times both ways, no
 *                              readlink for a symlink's attributes, getxattr of one name,
 *                              empty values, rename and fallocate flags, chown of a FIFO
 */
#define FUSE_USE_VERSION 35
#include <fuse.h>
#include <fuse_lowlevel.h>
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ---- recorded checks ---- */

static char check_failed[512];

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr) && !check_failed[0])                                                           \
            snprintf(check_failed, sizeof check_failed, "%s:%d: %s (errno %d)", __FILE__,          \
                     __LINE__, #expr, errno);                                                      \
    } while (0)

/* After the file system is gone: fail the test with the first check that failed. */
#define ASSERT_CHECKS()                                                                            \
    do {                                                                                           \
        if (check_failed[0]) {                                                                     \
            fprintf(stderr, "    %s\n", check_failed);                                             \
            ASSERT(!"a check failed");                                                             \
        }                                                                                          \
    } while (0)

/* ---- one FUSE file system in this process ---- */

struct mounted {
    struct fuse *fuse;
    pthread_t thread;
    char dir[PATH_MAX];
    char mnt[PATH_MAX + 8];
    int loop_result;
    bool started;
};

static void *serve(void *arg)
{
    struct mounted *m = arg;
    struct fuse_loop_config cfg = {.clone_fd = 0, .max_idle_threads = 10};
    m->loop_result = fuse_loop_mt(m->fuse, &cfg);
    return 0;
}

/*
 * Mount ops at m->mnt (a new directory; a regular file when file_mnt; "/dev/fd/N" when
 * mountpoint is given) with the options opts ("-o" argument, or NULL), and serve it.
 */
static bool start_fs(struct mounted *m, const struct fuse_operations *ops, const char *opts,
                     bool file_mnt, const char *mountpoint)
{
    memset(m, 0, sizeof *m);
    check_failed[0] = '\0';
    const char *tmp = getenv("TMPDIR");
    snprintf(m->dir, sizeof m->dir, "%s/fsp-tests-fusecompat.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(m->dir))
        return false;
    snprintf(m->mnt, sizeof m->mnt, "%s/mnt", m->dir);
    if (file_mnt) {
        int fd = open(m->mnt, O_CREAT | O_WRONLY, 0644);
        if (fd < 0)
            return false;
        close(fd);
    } else if (0 != mkdir(m->mnt, 0755))
        return false;
    char *argv[] = {"fsp-tests-fuse", "-o", (char *)opts, 0};
    struct fuse_args args = FUSE_ARGS_INIT(opts ? 3 : 1, argv);
    m->fuse = fuse_new(&args, ops, sizeof *ops, 0);
    fuse_opt_free_args(&args);
    if (!m->fuse || 0 != fuse_mount(m->fuse, mountpoint ? mountpoint : m->mnt) ||
        0 != pthread_create(&m->thread, 0, serve, m)) {
        if (m->fuse)
            fuse_destroy(m->fuse);
        m->fuse = 0;
        return false;
    }
    m->started = true;
    return true;
}

static void stop_fs(struct mounted *m)
{
    if (m->started) {
        fuse_exit(m->fuse);
        pthread_join(m->thread, 0);
        fuse_unmount(m->fuse);
        fuse_destroy(m->fuse);
        m->started = false;
    }
    if (m->mnt[0]) {
        if (0 != rmdir(m->mnt))
            unlink(m->mnt);
    }
    if (m->dir[0])
        rmdir(m->dir);
}

/* Wait (up to 5 s) until *v is at least min: what the kernel sends after a close (RELEASE) is
 * asynchronous to the close. */
static void wait_for(atomic_ullong *v, unsigned long long min)
{
    for (int i = 0; i < 500 && atomic_load(v) < min; i++)
        usleep(10000);
}

static void wait_for_int(atomic_int *v, int min)
{
    for (int i = 0; i < 500 && atomic_load(v) < min; i++)
        usleep(10000);
}

/* m->mnt + "/" + name */
static const char *at(struct mounted *m, const char *name)
{
    static char path[PATH_MAX + 320];
    snprintf(path, sizeof path, "%s/%s", m->mnt, name);
    return path;
}

/* The option string of the mount at mnt in /proc/self/mountinfo: per-mount " - " super. */
static bool mount_options(const char *mnt, char *per_mount, size_t pm, char *super, size_t sm)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return false;
    char line[4096], pat[PATH_MAX + 16];
    snprintf(pat, sizeof pat, " %s ", mnt);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (!strstr(line, pat))
            continue;
        char *fields[12] = {0}, *save = 0;
        int n = 0;
        for (char *t = strtok_r(line, " \n", &save); t && n < 12; t = strtok_r(0, " \n", &save))
            fields[n++] = t;
        if (n < 10)
            continue;
        snprintf(per_mount, pm, "%s", fields[5]);
        for (int i = 6; i < n - 3; i++)
            if (0 == strcmp(fields[i], "-")) {
                snprintf(super, sm, "%s", fields[i + 3]);
                found = true;
                break;
            }
    }
    fclose(f);
    return found;
}

static bool has_opt(const char *list, const char *opt)
{
    size_t ol = strlen(opt);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == ol && 0 == memcmp(p, opt, ol))
            return true;
        p = e ? e + 1 : 0;
    }
    return false;
}

/* ---- 1: each call gets its own fuse_file_info ---- */

static atomic_ullong fi_read_fh, fi_release_fh, fi_readdir_fh, fi_releasedir_fh;

static int fi_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/") || 0 == strcmp(path, "/d"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/f"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 5;
    else
        return -ENOENT;
    return 0;
}

static int fi_open(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    fi->fh = 1001;
    return 0;
}

static int fi_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    atomic_store(&fi_read_fh, fi->fh);
    fi->fh = 666; /* a program's scribble: must stay with this call */
    if (off >= 5)
        return 0;
    size_t n = size < (size_t)(5 - off) ? size : (size_t)(5 - off);
    memcpy(buf, &"hello"[off], n);
    return (int)n;
}

static int fi_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    atomic_store(&fi_release_fh, fi->fh);
    return 0;
}

static int fi_opendir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    fi->fh = 2002;
    return 0;
}

static int fi_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off, (void)flags;
    atomic_store(&fi_readdir_fh, fi->fh);
    fi->fh = 777; /* sshfs's directory cache does this */
    fill(buf, ".", 0, 0, 0);
    fill(buf, "..", 0, 0, 0);
    if (0 == strcmp(path, "/"))
        fill(buf, "f", 0, 0, 0);
    return 0;
}

static int fi_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    atomic_store(&fi_releasedir_fh, fi->fh);
    return 0;
}

static void fuse_fi_per_request_test(void)
{
    fsp_tests_need_root();
    atomic_store(&fi_read_fh, 0), atomic_store(&fi_release_fh, 0);
    atomic_store(&fi_readdir_fh, 0), atomic_store(&fi_releasedir_fh, 0);
    static const struct fuse_operations ops = {
        .getattr = fi_getattr, .open = fi_open, .read = fi_read, .release = fi_release,
        .opendir = fi_opendir, .readdir = fi_readdir, .releasedir = fi_releasedir,
    };
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    if (ok) {
        char buf[16];
        int fd = open(at(&m, "f"), O_RDONLY);
        CHECK(fd >= 0);
        CHECK(5 == read(fd, buf, sizeof buf));
        CHECK(0 == close(fd));
        DIR *d = opendir(m.mnt);
        CHECK(d);
        while (d && readdir(d))
            ;
        if (d)
            closedir(d);
        d = opendir(at(&m, "d"));
        CHECK(d);
        while (d && readdir(d))
            ;
        if (d)
            closedir(d);
        wait_for(&fi_release_fh, 1);
        wait_for(&fi_releasedir_fh, 1);
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT_EQ(atomic_load(&fi_read_fh), 1001);
    ASSERT_EQ(atomic_load(&fi_release_fh), 1001);
    ASSERT_EQ(atomic_load(&fi_readdir_fh), 2002);
    ASSERT_EQ(atomic_load(&fi_releasedir_fh), 2002);
}

/* ---- 2: symlinks from getattr alone; readlink only for readlink(2) ---- */

static atomic_int sl_readlink_calls, sl_open_link_calls;

static int sl_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/escape"))
        st->st_mode = S_IFLNK | 0777, st->st_nlink = 1, st->st_size = 11; /* "/etc/passwd" */
    else if (0 == strcmp(path, "/zero"))
        st->st_mode = S_IFLNK | 0777, st->st_nlink = 1, st->st_size = 0; /* archivemount's 0 */
    else
        return -ENOENT;
    return 0;
}

static int sl_readlink(const char *path, char *buf, size_t size)
{
    atomic_fetch_add(&sl_readlink_calls, 1);
    if (0 == strcmp(path, "/escape"))
        return -EPERM; /* the program refuses to resolve it (sshfs contain_symlinks) */
    snprintf(buf, size, "target");
    return 0;
}

static int sl_open(const char *path, struct fuse_file_info *fi)
{
    (void)fi;
    if (0 == strcmp(path, "/escape"))
        atomic_fetch_add(&sl_open_link_calls, 1); /* its server would follow the link */
    return 0;
}

static int sl_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    const char secret[] = "root:x:0:0:SECRET";
    if ((size_t)off >= sizeof secret - 1)
        return 0;
    size_t n = sizeof secret - 1 - (size_t)off < size ? sizeof secret - 1 - (size_t)off : size;
    memcpy(buf, secret + off, n);
    return (int)n;
}

static int sl_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)path, (void)off, (void)fi, (void)flags;
    fill(buf, "escape", 0, 0, 0);
    fill(buf, "zero", 0, 0, 0);
    return 0;
}

static void fuse_symlink_getattr_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {
        .getattr = sl_getattr, .readlink = sl_readlink, .open = sl_open, .read = sl_read,
        .readdir = sl_readdir,
    };
    atomic_store(&sl_readlink_calls, 0);
    atomic_store(&sl_open_link_calls, 0);
    struct mounted m;
    bool ok = start_fs(&m, &ops, "attr_timeout=0,entry_timeout=0", false, 0);
    int calls_after_stat = -1, calls_after_readlink = -1;
    if (ok) {
        struct stat st;
        CHECK(0 == lstat(at(&m, "escape"), &st) && S_ISLNK(st.st_mode) && 11 == st.st_size);
        CHECK(0 == lstat(at(&m, "zero"), &st) && S_ISLNK(st.st_mode) && 0 == st.st_size);
        DIR *d = opendir(m.mnt);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if ('.' != e->d_name[0])
                CHECK(0 == lstat(at(&m, e->d_name), &st) && S_ISLNK(st.st_mode));
        if (d)
            closedir(d);
        calls_after_stat = atomic_load(&sl_readlink_calls);
        /* Following the link needs its target: the program refuses, so nothing is opened. */
        errno = 0;
        int fd = open(at(&m, "escape"), O_RDONLY);
        char buf[64] = {0};
        if (fd >= 0) {
            CHECK(read(fd, buf, sizeof buf) < 0);
            close(fd);
        }
        CHECK(fd < 0 && EPERM == errno);
        CHECK(!strstr(buf, "SECRET"));
        CHECK(-1 == readlink(at(&m, "escape"), buf, sizeof buf) && EPERM == errno);
        calls_after_readlink = atomic_load(&sl_readlink_calls);
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT_EQ(calls_after_stat, 0);
    ASSERT(calls_after_readlink >= 1);
    ASSERT_EQ(atomic_load(&sl_open_link_calls), 0);
}

/* ---- 3: chmod/chown reach the program when nothing changes ---- */

static atomic_int noop_chmod_calls, noop_chown_calls;

static int noop_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/f"))
        st->st_mode = S_IFREG | 0640, st->st_nlink = 1;
    else
        return -ENOENT;
    return 0;
}

static int noop_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)path, (void)mode, (void)fi;
    atomic_fetch_add(&noop_chmod_calls, 1);
    return -EPERM; /* bindfs --chmod-deny */
}

static int noop_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    (void)path, (void)uid, (void)gid, (void)fi;
    atomic_fetch_add(&noop_chown_calls, 1);
    return -EPERM;
}

static void fuse_chmod_noop_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {
        .getattr = noop_getattr, .chmod = noop_chmod, .chown = noop_chown,
    };
    atomic_store(&noop_chmod_calls, 0);
    atomic_store(&noop_chown_calls, 0);
    struct mounted m;
    bool ok = start_fs(&m, &ops, "attr_timeout=0", false, 0);
    if (ok) {
        errno = 0;
        CHECK(-1 == chmod(at(&m, "f"), 0640) && EPERM == errno); /* the same mode */
        errno = 0;
        CHECK(-1 == chown(at(&m, "f"), 0, 0) && EPERM == errno); /* the same owner */
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT(atomic_load(&noop_chmod_calls) >= 1);
    ASSERT(atomic_load(&noop_chown_calls) >= 1);
}

/* ---- 4: mount options as given; -o dev, -o suid ---- */

static int dev_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/null"))
        st->st_mode = S_IFCHR | 0666, st->st_nlink = 1, st->st_rdev = makedev(1, 3);
    else
        return -ENOENT;
    return 0;
}

static void fuse_mount_options_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = dev_getattr};
    char pm[1024] = "", sup[1024] = "", pm2[1024] = "", sup2[1024] = "";
    struct mounted m;
    /* No options: what libfuse gives root, nosuid,nodev and nothing implied. */
    bool ok = start_fs(&m, &ops, 0, false, 0);
    bool found = ok && mount_options(m.mnt, pm, sizeof pm, sup, sizeof sup);
    int nodev_open = -2;
    if (ok) {
        errno = 0;
        int fd = open(at(&m, "null"), O_WRONLY);
        nodev_open = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
    }
    stop_fs(&m);
    /* -o dev,suid: device nodes work */
    bool ok2 = start_fs(&m, &ops, "dev,suid", false, 0);
    bool found2 = ok2 && mount_options(m.mnt, pm2, sizeof pm2, sup2, sizeof sup2);
    if (ok2) {
        int fd = open(at(&m, "null"), O_WRONLY);
        CHECK(fd >= 0);
        CHECK(fd >= 0 && 3 == write(fd, "abc", 3));
        if (fd >= 0)
            close(fd);
    }
    stop_fs(&m);
    ASSERT(ok && found && ok2 && found2);
    ASSERT_CHECKS();
    ASSERT(has_opt(pm, "nosuid") && has_opt(pm, "nodev"));
    ASSERT(!has_opt(sup, "allow_other"));
    ASSERT(!has_opt(sup, "default_permissions"));
    ASSERT_EQ(nodev_open, EACCES);
    ASSERT(!has_opt(pm2, "nosuid") && !has_opt(pm2, "nodev"));
}

/* ---- 5: listxattr's ENOTSUP reaches the caller ---- */

static int nx_listxattr(const char *path, char *list, size_t size)
{
    (void)path, (void)list, (void)size;
    return -ENOTSUP;
}

static int nx_getxattr(const char *path, const char *name, char *value, size_t size)
{
    (void)path, (void)name, (void)value, (void)size;
    return -ENOTSUP;
}

static void fuse_listxattr_enotsup_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {
        .getattr = noop_getattr, .listxattr = nx_listxattr, .getxattr = nx_getxattr,
    };
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    ssize_t r = 0;
    int err = 0;
    if (ok) {
        char list[256];
        errno = 0;
        r = listxattr(at(&m, "f"), list, sizeof list);
        err = errno;
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_EQ(r, -1);
    ASSERT_EQ(err, ENOTSUP);
}

/* ---- 6: st_nlink is the program's ---- */

static int nl_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 4;
    else if (0 == strcmp(path, "/f"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 7;
    else if (0 == strcmp(path, "/d"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 5;
    else
        return -ENOENT;
    return 0;
}

static void fuse_nlink_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = nl_getattr}; /* no link operation */
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    struct stat sf = {0}, sd = {0}, sr = {0};
    if (ok) {
        CHECK(0 == stat(at(&m, "f"), &sf));
        CHECK(0 == stat(at(&m, "d"), &sd));
        CHECK(0 == stat(m.mnt, &sr));
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT_EQ(sf.st_nlink, 7);
    ASSERT_EQ(sd.st_nlink, 5);
    ASSERT_EQ(sr.st_nlink, 4);
}

/* ---- 7: locks reach the program ---- */

static atomic_int lk_locked; /* the program's view: another owner holds the file */
static atomic_int lk_setlk_calls, lk_getlk_calls, lk_unlock_calls, lk_flock_calls, lk_flock_un,
    lk_flush_calls;
static atomic_llong lk_last_start, lk_last_len;

static int lk_open(const char *path, struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    return 0;
}

static int lk_lock(const char *path, struct fuse_file_info *fi, int cmd, struct flock *lock)
{
    (void)path, (void)fi;
    if (F_GETLK == cmd) {
        atomic_fetch_add(&lk_getlk_calls, 1);
        if (atomic_load(&lk_locked)) {
            /* a pid the kernel can translate: this process's */
            lock->l_type = F_WRLCK, lock->l_start = 0, lock->l_len = 0, lock->l_pid = getpid();
        } else
            lock->l_type = F_UNLCK;
        return 0;
    }
    if (F_UNLCK == lock->l_type) {
        atomic_fetch_add(&lk_unlock_calls, 1);
        return 0;
    }
    atomic_fetch_add(&lk_setlk_calls, 1);
    atomic_store(&lk_last_start, (long long)lock->l_start);
    atomic_store(&lk_last_len, (long long)lock->l_len);
    return atomic_load(&lk_locked) ? -EAGAIN : 0;
}

static int lk_flock(const char *path, struct fuse_file_info *fi, int op)
{
    (void)path, (void)fi;
    if (LOCK_UN == (op & ~LOCK_NB)) {
        atomic_fetch_add(&lk_flock_un, 1);
        return 0;
    }
    atomic_fetch_add(&lk_flock_calls, 1);
    return atomic_load(&lk_locked) ? -EWOULDBLOCK : 0;
}

static int lk_flush(const char *path, struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    atomic_fetch_add(&lk_flush_calls, 1);
    return 0;
}

static void fuse_locks_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {
        .getattr = noop_getattr, .open = lk_open, .lock = lk_lock, .flock = lk_flock,
        .flush = lk_flush,
    };
    atomic_store(&lk_locked, 0);
    atomic_store(&lk_setlk_calls, 0), atomic_store(&lk_getlk_calls, 0);
    atomic_store(&lk_unlock_calls, 0), atomic_store(&lk_flock_calls, 0);
    atomic_store(&lk_flock_un, 0), atomic_store(&lk_flush_calls, 0);
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    if (ok) {
        int fd = open(at(&m, "f"), O_RDWR);
        CHECK(fd >= 0);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 20};
        CHECK(0 == fcntl(fd, F_SETLK, &fl));
        CHECK(10 == atomic_load(&lk_last_start) && 20 == atomic_load(&lk_last_len));
        atomic_store(&lk_locked, 1); /* from now on another owner holds it */
        fl.l_type = F_WRLCK;
        errno = 0;
        CHECK(-1 == fcntl(fd, F_SETLK, &fl) && EAGAIN == errno);
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        CHECK(0 == fcntl(fd, F_GETLK, &q) && F_WRLCK == q.l_type && getpid() == q.l_pid);
        errno = 0;
        CHECK(-1 == flock(fd, LOCK_EX | LOCK_NB) && EWOULDBLOCK == errno);
        atomic_store(&lk_locked, 0);
        CHECK(0 == flock(fd, LOCK_SH | LOCK_NB));
        CHECK(0 == close(fd)); /* flush, and the owner's POSIX locks go */
        wait_for_int(&lk_flock_un, 1); /* the flock(2) lock goes with the release */
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT(atomic_load(&lk_setlk_calls) >= 2);
    ASSERT(atomic_load(&lk_getlk_calls) >= 1);
    ASSERT(atomic_load(&lk_flock_calls) >= 2);
    ASSERT(atomic_load(&lk_flush_calls) >= 1);
    ASSERT(atomic_load(&lk_unlock_calls) >= 1);
    ASSERT(atomic_load(&lk_flock_un) >= 1);
}

/* ---- 8: ioctl reaches the program ---- */

#define TEST_IOC_DOUBLE _IOWR('T', 1, int)
#define TEST_IOC_OTHER _IO('T', 2)

static int io_ioctl(const char *path, unsigned int cmd, void *arg, struct fuse_file_info *fi,
                    unsigned int flags, void *data)
{
    (void)path, (void)arg, (void)fi, (void)flags;
    if (TEST_IOC_DOUBLE != cmd)
        return -ENOTTY;
    int v;
    memcpy(&v, data, sizeof v);
    v *= 2;
    memcpy(data, &v, sizeof v);
    return 5;
}

static void fuse_ioctl_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = noop_getattr, .open = lk_open,
                                               .ioctl = io_ioctl};
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    int r = -2, v = 21, err = 0;
    if (ok) {
        int fd = open(at(&m, "f"), O_RDONLY);
        CHECK(fd >= 0);
        r = ioctl(fd, TEST_IOC_DOUBLE, &v);
        errno = 0;
        CHECK(-1 == ioctl(fd, TEST_IOC_OTHER));
        err = errno;
        close(fd);
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT_EQ(r, 5);
    ASSERT_EQ(v, 42);
    ASSERT_EQ(err, ENOTTY);
}

/* ---- 9: modules ---- */

static char md_last_path[256];
static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;

static void md_record(const char *path)
{
    pthread_mutex_lock(&md_lock);
    snprintf(md_last_path, sizeof md_last_path, "%s", path);
    pthread_mutex_unlock(&md_lock);
}

static bool md_saw(const char *path)
{
    pthread_mutex_lock(&md_lock);
    bool same = 0 == strcmp(md_last_path, path);
    pthread_mutex_unlock(&md_lock);
    return same;
}

static int sd_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    md_record(path);
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/base") || 0 == strcmp(path, "/base/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/base/f"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 3;
    else
        return -ENOENT;
    return 0;
}

static void fuse_modules_subdir_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = sd_getattr};
    struct mounted m;
    bool ok = start_fs(&m, &ops, "modules=subdir,subdir=/base,attr_timeout=0", false, 0);
    struct stat st = {0};
    if (ok) {
        CHECK(0 == stat(at(&m, "f"), &st) && 3 == st.st_size);
        CHECK(md_saw("/base/f"));
        errno = 0;
        CHECK(-1 == stat(at(&m, "base"), &st) && ENOENT == errno);
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
}

/* The program keeps names in ISO-8859-1: "caf\xe9" is café. */
static int ic_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    md_record(path);
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/caf\xe9"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1;
    else
        return -ENOENT;
    return 0;
}

static int ic_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)path, (void)off, (void)fi, (void)flags;
    fill(buf, "caf\xe9", 0, 0, 0);
    return 0;
}

static void fuse_modules_iconv_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = ic_getattr, .readdir = ic_readdir};
    struct mounted m;
    bool ok = start_fs(&m, &ops, "modules=iconv,from_code=ISO-8859-1,to_code=UTF-8,attr_timeout=0",
                       false, 0);
    bool listed = false;
    if (ok) {
        DIR *d = opendir(m.mnt);
        struct dirent *e;
        while (d && (e = readdir(d)))
            listed = listed || 0 == strcmp(e->d_name, "caf\xc3\xa9");
        if (d)
            closedir(d);
        struct stat st;
        CHECK(0 == stat(at(&m, "caf\xc3\xa9"), &st));
        CHECK(md_saw("/caf\xe9"));
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT(listed);
    ASSERT_CHECKS();
}

/* ---- 9: options as libfuse parses them ---- */

static void fuse_options_test(void)
{
    static const struct fuse_operations ops = {.getattr = noop_getattr};
    char *bad_argv[] = {"prog", "-o", "bogus", 0};
    struct fuse_args bad = FUSE_ARGS_INIT(3, bad_argv);
    struct fuse *f1 = fuse_new(&bad, &ops, sizeof ops, 0);
    fuse_opt_free_args(&bad);
    char *empty_argv[] = {"prog", "-o", "", 0};
    struct fuse_args empty = FUSE_ARGS_INIT(3, empty_argv);
    struct fuse *f2 = fuse_new(&empty, &ops, sizeof ops, 0);
    fuse_opt_free_args(&empty);
    char *sub_argv[] = {"prog", "-o", "subdir=/x", 0}; /* a module's option without the module */
    struct fuse_args sub = FUSE_ARGS_INIT(3, sub_argv);
    struct fuse *f3 = fuse_new(&sub, &ops, sizeof ops, 0);
    fuse_opt_free_args(&sub);
    bool f2_ok = f2 != 0;
    if (f1)
        fuse_destroy(f1);
    if (f2)
        fuse_destroy(f2);
    if (f3)
        fuse_destroy(f3);
    ASSERT(!f1);
    ASSERT(f2_ok); /* -o '' is no option at all */
    ASSERT(!f3);
}

/* ---- 10: fuse_session_fd ---- */

static void fuse_session_fd_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = noop_getattr};
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    int fd = -1, fdflags = -1;
    struct stat st = {0};
    if (ok) {
        fd = fuse_session_fd(fuse_get_session(m.fuse));
        fdflags = fcntl(fd, F_GETFD);
        CHECK(0 == fstat(fd, &st));
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT(fd >= 0);
    ASSERT(fdflags >= 0);
    ASSERT(S_ISCHR(st.st_mode));
}

/* ---- 12: per-open flags: keep_cache, direct_io, nonseekable, cache_readdir ---- */

static atomic_int of_version; /* the content the program serves: "AAAA" or "BBBB" */
static atomic_int of_readdir_calls;

static int of_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    st->st_mtime = 1000000000; /* never changes: only keep_cache decides what is cached */
    if (0 == strcmp(path, "/") || 0 == strcmp(path, "/dir"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/keep") || 0 == strcmp(path, "/nokeep") ||
             0 == strcmp(path, "/pipe"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 4;
    else if (0 == strcmp(path, "/direct"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 0; /* size unknown */
    else
        return -ENOENT;
    return 0;
}

static int of_open(const char *path, struct fuse_file_info *fi)
{
    if (0 == strcmp(path, "/keep"))
        fi->keep_cache = 1;
    else if (0 == strcmp(path, "/direct"))
        fi->direct_io = 1;
    else if (0 == strcmp(path, "/pipe"))
        fi->nonseekable = 1;
    return 0;
}

static int of_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    const char *data = atomic_load(&of_version) ? "BBBB" : "AAAA";
    if (off >= 4)
        return 0;
    size_t n = size < (size_t)(4 - off) ? size : (size_t)(4 - off);
    memcpy(buf, data + off, n);
    return (int)n;
}

static int of_opendir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
    return 0;
}

static int of_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off, (void)fi, (void)flags;
    if (0 == strcmp(path, "/dir"))
        atomic_fetch_add(&of_readdir_calls, 1);
    fill(buf, "x", 0, 0, 0);
    return 0;
}

static void read_all(const char *path, char *buf, size_t size)
{
    memset(buf, 0, size);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        if (read(fd, buf, size - 1) < 0)
            buf[0] = '\0';
        close(fd);
    }
}

static void fuse_open_flags_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {
        .getattr = of_getattr, .open = of_open, .read = of_read, .opendir = of_opendir,
        .readdir = of_readdir,
    };
    atomic_store(&of_version, 0);
    atomic_store(&of_readdir_calls, 0);
    struct mounted m;
    bool ok = start_fs(&m, &ops, "attr_timeout=60,entry_timeout=60", false, 0);
    char keep1[8], keep2[8], nokeep2[8], direct[8];
    int seek_err = 0;
    if (ok) {
        read_all(at(&m, "keep"), keep1, sizeof keep1);
        read_all(at(&m, "nokeep"), nokeep2, sizeof nokeep2);
        atomic_store(&of_version, 1); /* the data changes behind the kernel's back */
        read_all(at(&m, "keep"), keep2, sizeof keep2);     /* keep_cache: still the cached AAAA */
        read_all(at(&m, "nokeep"), nokeep2, sizeof nokeep2); /* dropped at open: BBBB */
        read_all(at(&m, "direct"), direct, sizeof direct);   /* direct_io: past st_size 0 */
        int fd = open(at(&m, "pipe"), O_RDONLY);
        CHECK(fd >= 0);
        errno = 0;
        CHECK(-1 == lseek(fd, 1, SEEK_SET));
        seek_err = errno;
        if (fd >= 0)
            close(fd);
        for (int i = 0; i < 2; i++) {
            DIR *d = opendir(at(&m, "dir"));
            CHECK(d);
            while (d && readdir(d))
                ;
            if (d)
                closedir(d);
        }
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT(0 == strcmp(keep1, "AAAA"));
    ASSERT(0 == strcmp(keep2, "AAAA"));
    ASSERT(0 == strcmp(nokeep2, "BBBB"));
    ASSERT(0 == strcmp(direct, "BBBB"));
    ASSERT_EQ(seek_err, ESPIPE);
    ASSERT_EQ(atomic_load(&of_readdir_calls), 1); /* the second listing came from the cache */
}

/* ---- 12: poll and fuse_notify_poll ---- */

static atomic_int pl_ready;
static struct fuse_pollhandle *_Atomic pl_handle;

static int pl_poll(const char *path, struct fuse_file_info *fi, struct fuse_pollhandle *ph,
                   unsigned *reventsp)
{
    (void)path, (void)fi;
    if (ph) {
        struct fuse_pollhandle *old = atomic_exchange(&pl_handle, ph);
        if (old)
            fuse_pollhandle_destroy(old);
    }
    *reventsp = atomic_load(&pl_ready) ? POLLIN : 0;
    return 0;
}

struct poll_wait {
    int fd;
    int result;
    short revents;
};

static void *poll_thread(void *arg)
{
    struct poll_wait *w = arg;
    struct pollfd p = {w->fd, POLLIN, 0};
    w->result = poll(&p, 1, 10000);
    w->revents = p.revents;
    return 0;
}

static void fuse_poll_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = noop_getattr, .open = lk_open,
                                               .poll = pl_poll};
    atomic_store(&pl_ready, 0);
    atomic_store(&pl_handle, (struct fuse_pollhandle *)0);
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, false, 0);
    int not_ready = -2, notified = -1;
    struct poll_wait w = {-1, -2, 0};
    if (ok) {
        w.fd = open(at(&m, "f"), O_RDONLY);
        CHECK(w.fd >= 0);
        struct pollfd p = {w.fd, POLLIN, 0};
        not_ready = poll(&p, 1, 0); /* the program says: not readable */
        pthread_t t;
        bool started = 0 == pthread_create(&t, 0, poll_thread, &w);
        CHECK(started);
        for (int i = 0; i < 100 && !atomic_load(&pl_handle); i++)
            usleep(20000);
        usleep(50000);
        atomic_store(&pl_ready, 1);
        struct fuse_pollhandle *ph = atomic_exchange(&pl_handle, (struct fuse_pollhandle *)0);
        notified = ph ? fuse_notify_poll(ph) : -1;
        if (ph)
            fuse_pollhandle_destroy(ph);
        if (started)
            pthread_join(t, 0);
        if (w.fd >= 0)
            close(w.fd);
    }
    stop_fs(&m);
    struct fuse_pollhandle *left = atomic_exchange(&pl_handle, (struct fuse_pollhandle *)0);
    if (left)
        fuse_pollhandle_destroy(left);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT_EQ(not_ready, 0);
    ASSERT_EQ(notified, 0);
    ASSERT_EQ(w.result, 1);
    ASSERT(w.revents & POLLIN);
}

/* ---- 13: a regular file as the mount point (libfuse's null example) ---- */

static int nf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    if (0 != strcmp(path, "/"))
        return -ENOENT;
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 5;
    return 0;
}

static void fuse_file_mountpoint_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = nf_getattr, .open = lk_open,
                                               .read = fi_read};
    struct mounted m;
    bool ok = start_fs(&m, &ops, 0, true, 0);
    char buf[16] = {0};
    struct stat st = {0};
    if (ok) {
        CHECK(0 == stat(m.mnt, &st) && S_ISREG(st.st_mode) && 5 == st.st_size);
        read_all(m.mnt, buf, sizeof buf);
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT(0 == strcmp(buf, "hello"));
}

/* ---- 13: "/dev/fd/N": a /dev/fuse descriptor someone else mounted ---- */

static void fuse_fd_mountpoint_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = fi_getattr, .open = lk_open,
                                               .read = fi_read, .readdir = fi_readdir};
    /* What mount.fuse3 -o drop_privileges does before it runs the program. */
    char dir[PATH_MAX], mnt[PATH_MAX + 8], opts[128], fdpath[64];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fsp-tests-fusefd.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ASSERT(mkdtemp(dir));
    snprintf(mnt, sizeof mnt, "%s/mnt", dir);
    ASSERT(0 == mkdir(mnt, 0755));
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    bool mounted = false;
    if (fd >= 0) {
        snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
        mounted = 0 == mount("fsp-tests", mnt, "fuse.fsp-tests", MS_NOSUID | MS_NODEV, opts);
    }
    snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", fd);
    struct mounted m;
    memset(&m, 0, sizeof m);
    check_failed[0] = '\0';
    bool served = false;
    char buf[16] = {0};
    if (mounted) {
        char *argv[] = {"fsp-tests-fuse", 0};
        struct fuse_args args = FUSE_ARGS_INIT(1, argv);
        m.fuse = fuse_new(&args, &ops, sizeof ops, 0);
        fuse_opt_free_args(&args);
        served = m.fuse && 0 == fuse_mount(m.fuse, fdpath) &&
                 0 == pthread_create(&m.thread, 0, serve, &m);
        if (served) {
            m.started = true;
            char path[PATH_MAX + 16];
            snprintf(path, sizeof path, "%s/f", mnt);
            read_all(path, buf, sizeof buf);
        } else if (m.fuse) {
            fuse_destroy(m.fuse);
            m.fuse = 0;
        }
    }
    /* the mount is ours to undo: unmounting ends the program's loop */
    if (mounted)
        umount2(mnt, MNT_DETACH);
    if (m.started) {
        pthread_join(m.thread, 0);
        fuse_unmount(m.fuse);
        fuse_destroy(m.fuse); /* closes the descriptor */
    } else if (fd >= 0)
        close(fd);
    rmdir(mnt);
    rmdir(dir);
    ASSERT(fd >= 0);
    ASSERT(mounted);
    ASSERT(served);
    ASSERT(0 == strcmp(buf, "hello"));
}

/* ---- 10, 13: fuse_open_channel mounts a descriptor for another to serve as /dev/fd/N ---- */

static void fuse_open_channel_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = fi_getattr, .open = lk_open,
                                               .read = fi_read, .readdir = fi_readdir};
    char dir[PATH_MAX], mnt[PATH_MAX + 8], fdpath[64];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fsp-tests-openchan.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ASSERT(mkdtemp(dir));
    snprintf(mnt, sizeof mnt, "%s/mnt", dir);
    ASSERT(0 == mkdir(mnt, 0755));
    int fd = fuse_open_channel(mnt, "rw");
    char pm[1024] = "", sup[1024] = "";
    bool mounted = fd >= 0 && mount_options(mnt, pm, sizeof pm, sup, sizeof sup);
    snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", fd);
    struct mounted m;
    memset(&m, 0, sizeof m);
    bool served = false;
    char buf[16] = {0};
    if (mounted) {
        char *argv[] = {"fsp-tests-fuse", 0};
        struct fuse_args args = FUSE_ARGS_INIT(1, argv);
        m.fuse = fuse_new(&args, &ops, sizeof ops, 0);
        fuse_opt_free_args(&args);
        served = m.fuse && 0 == fuse_mount(m.fuse, fdpath) &&
                 0 == pthread_create(&m.thread, 0, serve, &m);
        if (served) {
            m.started = true;
            char path[PATH_MAX + 16];
            snprintf(path, sizeof path, "%s/f", mnt);
            read_all(path, buf, sizeof buf);
        } else if (m.fuse) {
            fuse_destroy(m.fuse);
            m.fuse = 0;
        }
    }
    if (fd >= 0)
        umount2(mnt, MNT_DETACH);
    if (m.started) {
        pthread_join(m.thread, 0);
        fuse_unmount(m.fuse);
        fuse_destroy(m.fuse);
    } else if (fd >= 0)
        close(fd);
    rmdir(mnt);
    rmdir(dir);
    ASSERT(fd >= 0);
    ASSERT(mounted);
    ASSERT(served);
    ASSERT(0 == strcmp(buf, "hello"));
}

/* ---- 14: the debug trace in libfuse's words ---- */

static void fuse_debug_trace_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {.getattr = noop_getattr};
    char log[PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    snprintf(log, sizeof log, "%s/fsp-tests-trace.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int lfd = mkstemp(log);
    ASSERT(lfd >= 0);
    FspDebugLogSetFd(lfd);
    struct mounted m;
    bool ok = start_fs(&m, &ops, "debug,attr_timeout=0,entry_timeout=0", false, 0);
    if (ok) {
        struct stat st;
        CHECK(0 == stat(at(&m, "f"), &st));
        CHECK(-1 == stat(at(&m, "missing"), &st) && ENOENT == errno);
    }
    stop_fs(&m);
    FspDebugLogSetFd(2);
    FILE *f = fdopen(lfd, "r");
    int success = 0, error_lines = 0, bad = 0;
    char line[1024];
    if (f) {
        rewind(f);
        while (fgets(line, sizeof line, f)) {
            if (strstr(line, ", success, outsize"))
                success++;
            if (strstr(line, "error")) {
                error_lines++;
                /* only real errors say so, with libfuse's "error: -ERRNO (text)" */
                if (!strstr(line, "error: -"))
                    bad++;
            }
        }
        fclose(f);
    } else
        close(lfd);
    unlink(log);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT(success > 0);
    ASSERT(error_lines >= 1); /* the missing name's LOOKUP */
    ASSERT_EQ(bad, 0);
}

/* ---- 15: what issue 11 fixed, as the program sees it ---- */

/*
 * A small tree: /f and /g regular files, /l a symlink to "f", /p a FIFO with set-user-ID and
 * set-group-ID. Times are exact to the nanosecond and kept per name; every call is recorded.
 */
static pthread_mutex_t fid_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec fid_times[3][2]; /* f, l, p: atime, mtime */
static int fid_readlink_calls, fid_listxattr_calls, fid_rename_flags[2], fid_renames;
static int fid_fallocate_modes[2], fid_fallocates, fid_empty_set, fid_empty_size = -1;
static mode_t fid_p_mode, fid_p_chmod = (mode_t)-1;
static char fid_getxattr_names[256];

static int fid_index(const char *path)
{
    return 0 == strcmp(path, "/f") ? 0 : 0 == strcmp(path, "/l") ? 1 : 0 == strcmp(path, "/p") ? 2 : -1;
}

static int fid_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    int i = fid_index(path);
    if (0 == strcmp(path, "/"))
        st->st_mode = S_IFDIR | 0755, st->st_nlink = 2;
    else if (0 == strcmp(path, "/g"))
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 4;
    else if (i < 0)
        return -ENOENT;
    pthread_mutex_lock(&fid_lock);
    if (0 == i)
        st->st_mode = S_IFREG | 0644, st->st_nlink = 1, st->st_size = 4;
    else if (1 == i)
        st->st_mode = S_IFLNK | 0777, st->st_nlink = 1, st->st_size = 1;
    else if (2 == i)
        st->st_mode = S_IFIFO | fid_p_mode, st->st_nlink = 1;
    if (i >= 0) {
        st->st_atim = fid_times[i][0], st->st_mtim = fid_times[i][1];
        st->st_ctim = (struct timespec){1500000000, 555555555};
    }
    pthread_mutex_unlock(&fid_lock);
    return 0;
}

static int fid_readlink(const char *path, char *buf, size_t size)
{
    (void)path;
    pthread_mutex_lock(&fid_lock);
    fid_readlink_calls++;
    pthread_mutex_unlock(&fid_lock);
    snprintf(buf, size, "f");
    return 0;
}

static int fid_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    (void)fi;
    int i = fid_index(path);
    if (i < 0)
        return -ENOENT;
    pthread_mutex_lock(&fid_lock);
    for (int k = 0; k < 2; k++)
        if (UTIME_OMIT != tv[k].tv_nsec)
            fid_times[i][k] = tv[k];
    pthread_mutex_unlock(&fid_lock);
    return 0;
}

static int fid_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)fi;
    if (2 != fid_index(path))
        return 0;
    pthread_mutex_lock(&fid_lock);
    fid_p_chmod = mode, fid_p_mode = mode & 07777;
    pthread_mutex_unlock(&fid_lock);
    return 0;
}

static int fid_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    (void)path, (void)uid, (void)gid, (void)fi;
    return 0;
}

static int fid_rename(const char *from, const char *to, unsigned int flags)
{
    (void)from, (void)to;
    pthread_mutex_lock(&fid_lock);
    if (fid_renames < 2)
        fid_rename_flags[fid_renames] = (int)flags;
    fid_renames++;
    pthread_mutex_unlock(&fid_lock);
    return 0;
}

static int fid_getxattr(const char *path, const char *name, char *value, size_t size)
{
    (void)path;
    pthread_mutex_lock(&fid_lock);
    size_t l = strlen(fid_getxattr_names);
    snprintf(fid_getxattr_names + l, sizeof fid_getxattr_names - l, "%s;", name);
    bool empty = fid_empty_set;
    pthread_mutex_unlock(&fid_lock);
    if (0 == strcmp(name, "foo.bar"))
        return -EOPNOTSUPP; /* a namespace the program does not have */
    if (0 == strcmp(name, "user.unlisted")) {
        if (size && size < 3)
            return -ERANGE;
        if (size)
            memcpy(value, "abc", 3);
        return 3;
    }
    if (0 == strcmp(name, "user.empty") && empty)
        return 0;
    return -ENODATA;
}

static int fid_setxattr(const char *path, const char *name, const char *value, size_t size,
                        int flags)
{
    (void)path, (void)value, (void)flags;
    if (strcmp(name, "user.empty"))
        return -ENOTSUP;
    pthread_mutex_lock(&fid_lock);
    fid_empty_set = 1, fid_empty_size = (int)size;
    pthread_mutex_unlock(&fid_lock);
    return 0;
}

static int fid_listxattr(const char *path, char *list, size_t size)
{
    (void)path;
    pthread_mutex_lock(&fid_lock);
    fid_listxattr_calls++;
    bool empty = fid_empty_set;
    pthread_mutex_unlock(&fid_lock);
    static const char names[] = "user.empty";
    if (!empty)
        return 0;
    if (size && size < sizeof names)
        return -ERANGE;
    if (size)
        memcpy(list, names, sizeof names);
    return (int)sizeof names;
}

static int fid_open(const char *path, struct fuse_file_info *fi)
{
    (void)path, (void)fi;
    return 0;
}

static int fid_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
    (void)path, (void)off, (void)len, (void)fi;
    pthread_mutex_lock(&fid_lock);
    if (fid_fallocates < 2)
        fid_fallocate_modes[fid_fallocates] = mode;
    fid_fallocates++;
    pthread_mutex_unlock(&fid_lock);
    return 0;
}

static int fid_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)path, (void)off, (void)fi, (void)flags;
    static const char *names[] = {"f", "g", "l", "p"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[8];
        snprintf(p, sizeof p, "/%s", names[i]);
        struct stat st;
        fid_getattr(p, &st, 0);
        fill(buf, names[i], &st, 0, FUSE_FILL_DIR_PLUS);
    }
    return 0;
}

/*
 * Issue 11 through the FUSE layer, as libfuse passes it: times to the nanosecond both ways;
 * a symlink's attributes (also after utimensat/lchown on it, and in a listing) never call
 * readlink (issue 11 item 1, issue 9 item 2); getxattr(2) calls the program's getxattr of that
 * one name (not listxattr), with its errors; empty values reach setxattr and come back; rename
 * flags RENAME_EXCHANGE and RENAME_NOREPLACE reach rename; fallocate modes reach fallocate;
 * chown of a FIFO drops set-user-ID and set-group-ID through the program's chmod (item 5).
 */
static void fuse_fidelity_test(void)
{
    fsp_tests_need_root();
    static const struct fuse_operations ops = {
        .getattr = fid_getattr, .readlink = fid_readlink, .utimens = fid_utimens,
        .chmod = fid_chmod, .chown = fid_chown, .rename = fid_rename,
        .getxattr = fid_getxattr, .setxattr = fid_setxattr, .listxattr = fid_listxattr,
        .open = fid_open, .fallocate = fid_fallocate, .readdir = fid_readdir,
    };
    pthread_mutex_lock(&fid_lock);
    for (int i = 0; i < 3; i++)
        fid_times[i][0] = (struct timespec){1400000000, 111111111},
        fid_times[i][1] = (struct timespec){1400000000, 222222222};
    fid_readlink_calls = fid_listxattr_calls = fid_renames = fid_fallocates = 0;
    fid_empty_set = 0, fid_empty_size = -1, fid_p_mode = 06755, fid_p_chmod = (mode_t)-1;
    fid_getxattr_names[0] = '\0';
    pthread_mutex_unlock(&fid_lock);
    struct mounted m;
    bool ok = start_fs(&m, &ops, "attr_timeout=0,entry_timeout=0", false, 0);
    struct statx fx = {0}, lx = {0};
    int readlink_after_attrs = -1, listxattr_after_get = -1;
    ssize_t unlisted = -2, empty_len = -2;
    int foo_err = 0;
    char names[256] = "", value[8] = "";
    if (ok) {
        /* times: exact from the program, exact to it */
        struct timespec ts[2] = {{1000000000, 123456789}, {1300000000, 987654321}};
        CHECK(0 == utimensat(AT_FDCWD, at(&m, "f"), ts, 0));
        CHECK(0 == statx(AT_FDCWD, at(&m, "f"), AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &fx));
        /* a symlink: utimensat and lchown of it, stat, a listing; no readlink for any of it */
        CHECK(0 == utimensat(AT_FDCWD, at(&m, "l"), ts, AT_SYMLINK_NOFOLLOW));
        CHECK(0 == lchown(at(&m, "l"), 0, 0));
        CHECK(0 == statx(AT_FDCWD, at(&m, "l"), AT_SYMLINK_NOFOLLOW | AT_STATX_FORCE_SYNC,
                         STATX_BASIC_STATS, &lx));
        DIR *d = opendir(m.mnt);
        struct dirent *e;
        struct stat st;
        while (d && (e = readdir(d)))
            if ('.' != e->d_name[0])
                CHECK(0 == fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW));
        if (d)
            closedir(d);
        pthread_mutex_lock(&fid_lock);
        readlink_after_attrs = fid_readlink_calls;
        pthread_mutex_unlock(&fid_lock);
        /* xattrs */
        unlisted = getxattr(at(&m, "f"), "user.unlisted", value, sizeof value);
        errno = 0;
        CHECK(-1 == getxattr(at(&m, "f"), "foo.bar", value, sizeof value));
        foo_err = errno;
        pthread_mutex_lock(&fid_lock);
        listxattr_after_get = fid_listxattr_calls;
        snprintf(names, sizeof names, "%s", fid_getxattr_names);
        pthread_mutex_unlock(&fid_lock);
        CHECK(0 == setxattr(at(&m, "f"), "user.empty", "", 0, 0));
        empty_len = getxattr(at(&m, "f"), "user.empty", value, sizeof value);
        char list[64];
        CHECK(listxattr(at(&m, "f"), list, sizeof list) == (ssize_t)sizeof "user.empty");
        /* rename flags */
        int dfd = open(m.mnt, O_RDONLY | O_DIRECTORY); /* at() has one buffer */
        CHECK(0 == renameat2(dfd, "f", dfd, "g", RENAME_EXCHANGE));
        CHECK(0 == renameat2(dfd, "g", dfd, "new", RENAME_NOREPLACE));
        if (dfd >= 0)
            close(dfd);
        /* fallocate modes */
        int fd = open(at(&m, "g"), O_RDWR);
        CHECK(fd >= 0);
        if (fd >= 0) {
            CHECK(0 == fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2));
            CHECK(0 == fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 2));
            close(fd);
        }
        /* chown of a FIFO: the set-ID bits go (the kernel leaves it to the file system) */
        CHECK(0 == chown(at(&m, "p"), 0, 0));
    }
    stop_fs(&m);
    ASSERT(ok);
    ASSERT_CHECKS();
    ASSERT_EQ(fx.stx_atime.tv_sec, 1000000000);
    ASSERT_EQ(fx.stx_atime.tv_nsec, 123456789);
    ASSERT_EQ(fx.stx_mtime.tv_sec, 1300000000);
    ASSERT_EQ(fx.stx_mtime.tv_nsec, 987654321);
    ASSERT_EQ(fx.stx_ctime.tv_nsec, 555555555);
    ASSERT(S_ISLNK(lx.stx_mode));
    ASSERT_EQ(lx.stx_size, 1);
    ASSERT_EQ(lx.stx_mtime.tv_nsec, 987654321);
    ASSERT_EQ(readlink_after_attrs, 0);
    ASSERT_EQ(unlisted, 3);
    ASSERT(0 == memcmp(value, "abc", 3));
    ASSERT_EQ(foo_err, EOPNOTSUPP);
    ASSERT_EQ(listxattr_after_get, 0);
    ASSERT(strstr(names, "user.unlisted;") && strstr(names, "foo.bar;"));
    ASSERT_EQ(fid_empty_size, 0);
    ASSERT_EQ(empty_len, 0);
    ASSERT_EQ(fid_renames, 2);
    ASSERT_EQ(fid_rename_flags[0], RENAME_EXCHANGE);
    ASSERT_EQ(fid_rename_flags[1], RENAME_NOREPLACE);
    ASSERT_EQ(fid_fallocates, 2);
    ASSERT_EQ(fid_fallocate_modes[0], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
    ASSERT_EQ(fid_fallocate_modes[1], FALLOC_FL_ZERO_RANGE);
    ASSERT_EQ(fid_p_chmod, (mode_t)(S_IFIFO | 0755));
}

void fuse_compat_tests(void)
{
    TLIB_ADD_TEST("fuse", fuse_fi_per_request_test);
    TLIB_ADD_TEST("fuse", fuse_symlink_getattr_test);
    TLIB_ADD_TEST("fuse", fuse_chmod_noop_test);
    TLIB_ADD_TEST("fuse", fuse_mount_options_test);
    TLIB_ADD_TEST("fuse", fuse_listxattr_enotsup_test);
    TLIB_ADD_TEST("fuse", fuse_nlink_test);
    TLIB_ADD_TEST("fuse", fuse_locks_test);
    TLIB_ADD_TEST("fuse", fuse_ioctl_test);
    TLIB_ADD_TEST("fuse", fuse_modules_subdir_test);
    TLIB_ADD_TEST("fuse", fuse_modules_iconv_test);
    TLIB_ADD_TEST("fuse", fuse_options_test);
    TLIB_ADD_TEST("fuse", fuse_session_fd_test);
    TLIB_ADD_TEST("fuse", fuse_open_flags_test);
    TLIB_ADD_TEST("fuse", fuse_poll_test);
    TLIB_ADD_TEST("fuse", fuse_file_mountpoint_test);
    TLIB_ADD_TEST("fuse", fuse_fd_mountpoint_test);
    TLIB_ADD_TEST("fuse", fuse_open_channel_test);
    TLIB_ADD_TEST("fuse", fuse_debug_trace_test);
    TLIB_ADD_TEST("fuse", fuse_fidelity_test);
}
