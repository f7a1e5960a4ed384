/*
 * tests/fsp-tests/fuse-test.c - group "fuse": LinFsp's FUSE 3 layer used in-process, as
 * winfsp-tests' fuse tests use WinFsp's: a small FUSE file system is created with fuse_new,
 * mounted with fuse_mount and served by fuse_loop / fuse_loop_mt in a thread of this process,
 * then used through the mount, stopped with fuse_exit and unmounted. Sequential and parallel
 * (several file systems at once). The file system under test is the FUSE ops table below:
 * a root directory with "hello" (read-only text), "data" (a writable 64 KiB buffer) and "many"
 * (a directory of MANY empty files that readdir lists in descending order of their names).
 */
#define FUSE_USE_VERSION 35
#include <fuse.h>
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA_MAX 65536
#define MANY 3000
static const char hello_text[] = "hello from a FUSE file system\n";
/* "outside" lists MANY entries "v<N>-<i>": N changes behind the mount's back (set by the test). */
static atomic_int g_outside_version;
/* "plus" lists PLUS entries "p<i>" with offsets and FUSE_FILL_DIR_PLUS (libfuse's offset mode). */
#define PLUS 50
/* Set before fusefs_start: the mount gets 60 s attribute and entry timeouts instead of 0. */
static atomic_bool g_long_timeouts;

/* One in-process FUSE file system: its state is its private_data. */
struct fusefs {
    struct fuse *fuse;
    pthread_t thread;
    bool multithreaded;
    int loop_result;
    char mnt[PATH_MAX];
    pthread_mutex_t lock;
    char data[DATA_MAX];
    size_t data_size;
    atomic_int getattr_calls;
    atomic_uint last_uid, last_pid;
    atomic_int last_ngroups;   /* fuse_getgroups of the last getattr's caller */
    atomic_uint last_group0, last_group1;
};

static struct fusefs *me(void)
{
    return fuse_get_context()->private_data;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    struct fusefs *f = me();
    atomic_fetch_add(&f->getattr_calls, 1);
    atomic_store(&f->last_uid, fuse_get_context()->uid);
    atomic_store(&f->last_pid, (unsigned)fuse_get_context()->pid);
    gid_t groups[8] = {0};
    int ngroups = fuse_getgroups(8, groups);
    atomic_store(&f->last_ngroups, ngroups);
    atomic_store(&f->last_group0, (unsigned)groups[0]);
    atomic_store(&f->last_group1, (unsigned)groups[1]);
    memset(st, 0, sizeof *st);
    if (0 == strcmp(path, "/")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else if (0 == strcmp(path, "/hello")) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = sizeof hello_text - 1;
    } else if (0 == strcmp(path, "/data")) {
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        pthread_mutex_lock(&f->lock);
        st->st_size = (off_t)f->data_size;
        pthread_mutex_unlock(&f->lock);
    } else if (0 == strcmp(path, "/many") || 0 == strcmp(path, "/outside") || 0 == strcmp(path, "/plus")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else if (0 == strncmp(path, "/outside/v", 10) || 0 == strncmp(path, "/plus/p", 7)) {
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
    } else if (0 == strncmp(path, "/many/m", 7)) {
        char *end;
        long i = strtol(path + 7, &end, 10);
        if (*end || i < 0 || i >= MANY || 4 != end - (path + 7))
            return -ENOENT;
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
    } else
        return -ENOENT;
    return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off, (void)fi, (void)flags;
    if (0 == strcmp(path, "/many")) {
        /* not in name order: the listing must come in this order, as with libfuse */
        struct stat st = {.st_mode = S_IFREG | 0644, .st_nlink = 1};
        for (int i = MANY - 1; i >= 0; i--) {
            char name[16];
            snprintf(name, sizeof name, "m%04d", i);
            if (fill(buf, name, &st, 0, FUSE_FILL_DIR_PLUS))
                break;
        }
        return 0;
    }
    if (0 == strcmp(path, "/plus")) {
        struct stat st = {.st_mode = S_IFREG | 0644, .st_nlink = 1};
        for (off_t i = off; i < PLUS; i++) {
            char name[16];
            snprintf(name, sizeof name, "p%04d", (int)i);
            if (fill(buf, name, &st, i + 1, FUSE_FILL_DIR_PLUS))
                break;
        }
        return 0;
    }
    if (0 == strcmp(path, "/outside")) {
        int version = atomic_load(&g_outside_version);
        for (int i = 0; i < MANY; i++) {
            char name[32];
            snprintf(name, sizeof name, "v%d-%04d", version, i);
            if (fill(buf, name, 0, 0, 0))
                break;
        }
        return 0;
    }
    if (0 != strcmp(path, "/"))
        return -ENOTDIR;
    fill(buf, ".", 0, 0, 0);
    fill(buf, "..", 0, 0, 0);
    fill(buf, "hello", 0, 0, 0);
    fill(buf, "data", 0, 0, 0);
    fill(buf, "many", 0, 0, 0);
    fill(buf, "outside", 0, 0, 0);
    fill(buf, "plus", 0, 0, 0);
    return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
    if (0 == strcmp(path, "/hello"))
        return (fi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
    return 0 == strcmp(path, "/data") ? 0 : -ENOENT;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)fi;
    struct fusefs *f = me();
    const char *src = hello_text;
    size_t len = sizeof hello_text - 1;
    int n = 0;
    if (0 == strcmp(path, "/data")) {
        pthread_mutex_lock(&f->lock);
        src = f->data, len = f->data_size;
    }
    if ((size_t)off < len) {
        n = (int)(len - (size_t)off < size ? len - (size_t)off : size);
        memcpy(buf, src + off, (size_t)n);
    }
    if (src == f->data)
        pthread_mutex_unlock(&f->lock);
    return n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)fi;
    struct fusefs *f = me();
    if (0 != strcmp(path, "/data"))
        return -EACCES;
    if (off < 0 || (size_t)off > DATA_MAX || size > DATA_MAX - (size_t)off)
        return -EFBIG;
    pthread_mutex_lock(&f->lock);
    memcpy(f->data + off, buf, size);
    if ((size_t)off + size > f->data_size)
        f->data_size = (size_t)off + size;
    pthread_mutex_unlock(&f->lock);
    return (int)size;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    (void)fi;
    struct fusefs *f = me();
    if (0 != strcmp(path, "/data"))
        return -EACCES;
    if (size < 0 || size > DATA_MAX)
        return -EFBIG;
    pthread_mutex_lock(&f->lock);
    if ((size_t)size > f->data_size)
        memset(f->data + f->data_size, 0, (size_t)size - f->data_size);
    f->data_size = (size_t)size;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->attr_timeout = 0, cfg->entry_timeout = 0; /* every stat reaches getattr */
    if (atomic_load(&g_long_timeouts))
        cfg->attr_timeout = 60, cfg->entry_timeout = 60;
    return fuse_get_context()->private_data;
}

static const struct fuse_operations fs_ops = {
    .getattr = fs_getattr,
    .readdir = fs_readdir,
    .open = fs_open,
    .read = fs_read,
    .write = fs_write,
    .truncate = fs_truncate,
    .init = fs_init,
};

static void *loop_main(void *arg)
{
    struct fusefs *f = arg;
    if (f->multithreaded) {
        struct fuse_loop_config cfg = {.clone_fd = 0, .max_idle_threads = 4};
        f->loop_result = fuse_loop_mt(f->fuse, &cfg);
    } else
        f->loop_result = fuse_loop(f->fuse);
    return 0;
}

/* Create, mount and serve a FUSE file system in this process. */
static struct fusefs *fusefs_start(bool multithreaded)
{
    struct fusefs *f = calloc(1, sizeof *f);
    if (!f)
        return 0;
    pthread_mutex_init(&f->lock, 0);
    f->multithreaded = multithreaded;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->mnt, sizeof f->mnt, "%s/fsp-tests-fuse.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    /* As with libfuse, other users reach the mount only with allow_other. */
    char *argv[] = {"fsp-tests-fuse", "-o", "allow_other,default_permissions", 0};
    struct fuse_args args = FUSE_ARGS_INIT(3, argv);
    if (!mkdtemp(f->mnt) || !(f->fuse = fuse_new(&args, &fs_ops, sizeof fs_ops, f)) ||
        0 != fuse_mount(f->fuse, f->mnt) || 0 != pthread_create(&f->thread, 0, loop_main, f)) {
        if (f->fuse)
            fuse_destroy(f->fuse);
        rmdir(f->mnt);
        pthread_mutex_destroy(&f->lock);
        free(f);
        fuse_opt_free_args(&args);
        return 0;
    }
    fuse_opt_free_args(&args);
    return f;
}

/* Stop serving, unmount and free; returns the loop's result (0 when it ended cleanly). */
static int fusefs_stop(struct fusefs *f)
{
    fuse_exit(f->fuse);
    pthread_join(f->thread, 0);
    fuse_unmount(f->fuse);
    fuse_destroy(f->fuse);
    int r = f->loop_result;
    rmdir(f->mnt);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return r;
}

static bool is_mounted(const char *mnt)
{
    FILE *m = fopen("/proc/self/mountinfo", "re");
    if (!m)
        return false;
    char line[4096], pat[PATH_MAX + 3];
    snprintf(pat, sizeof pat, " %s ", mnt);
    bool found = false;
    while (!found && fgets(line, sizeof line, m))
        found = NULL != strstr(line, pat);
    fclose(m);
    return found;
}

/* The checks one mounted file system must pass; returns a failed check's number or 0. */
static int exercise(struct fusefs *f, int seed)
{
    char path[PATH_MAX + 16], buf[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/hello", f->mnt);
    if (0 != stat(path, &st) || !S_ISREG(st.st_mode) || (off_t)(sizeof hello_text - 1) != st.st_size ||
        0444 != (st.st_mode & 07777))
        return 1;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 2;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n != (ssize_t)(sizeof hello_text - 1) || 0 != memcmp(buf, hello_text, (size_t)n))
        return 3;
    errno = 0;
    if (-1 != open(path, O_WRONLY) || EACCES != errno)
        return 4;
    snprintf(path, sizeof path, "%s/data", f->mnt);
    fd = open(path, O_RDWR | O_TRUNC);
    if (fd < 0)
        return 5;
    char pattern[4096];
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (char)(seed + i * 7);
    bool ok = (ssize_t)sizeof pattern == pwrite(fd, pattern, sizeof pattern, 1000);
    char back[sizeof pattern];
    ok = ok && (ssize_t)sizeof back == pread(fd, back, sizeof back, 1000) &&
         0 == memcmp(back, pattern, sizeof back);
    ok = ok && 0 == fstat(fd, &st) && 1000 + (off_t)sizeof pattern == st.st_size;
    close(fd);
    if (!ok)
        return 6;
    snprintf(path, sizeof path, "%s/missing", f->mnt);
    errno = 0;
    if (-1 != stat(path, &st) || ENOENT != errno)
        return 7;
    return 0;
}

static void fuse_sequential_test(void)
{
    fsp_tests_need_root();
    for (int round = 0; round < 2; round++) {
        struct fusefs *f = fusefs_start(false);
        ASSERT(f);
        char mnt[PATH_MAX];
        snprintf(mnt, sizeof mnt, "%s", f->mnt);
        int failed = exercise(f, round);
        bool mounted = is_mounted(mnt);
        int r = fusefs_stop(f);
        ASSERT_EQ(failed, 0);
        ASSERT(mounted);
        ASSERT_EQ(r, 0);
        ASSERT(!is_mounted(mnt)); /* fuse_unmount really unmounted */
    }
}

struct parallel_arg {
    struct fusefs *f;
    int seed, failed;
};

static void *parallel_worker(void *p)
{
    struct parallel_arg *a = p;
    for (int i = 0; i < 20 && !a->failed; i++)
        a->failed = exercise(a->f, a->seed + i);
    return 0;
}

static void fuse_parallel_test(void)
{
    fsp_tests_need_root();
    enum { NFS = 3 };
    struct fusefs *fs[NFS] = {0};
    for (int i = 0; i < NFS; i++)
        fs[i] = fusefs_start(true);
    struct parallel_arg args[NFS];
    pthread_t threads[NFS];
    bool started[NFS] = {false};
    for (int i = 0; i < NFS; i++) {
        args[i] = (struct parallel_arg){fs[i], i * 31, 0};
        started[i] = fs[i] && 0 == pthread_create(&threads[i], 0, parallel_worker, &args[i]);
    }
    int results[NFS], failed[NFS];
    for (int i = 0; i < NFS; i++) {
        if (started[i])
            pthread_join(threads[i], 0);
        failed[i] = args[i].failed;
        results[i] = fs[i] ? fusefs_stop(fs[i]) : -1;
    }
    for (int i = 0; i < NFS; i++) {
        ASSERT(started[i]);
        ASSERT_EQ(failed[i], 0);
        ASSERT_EQ(results[i], 0);
    }
}

static int stat_hello(void *arg)
{
    struct stat st;
    return 0 == stat((const char *)arg, &st) ? 0 : 1;
}

/* stat "hello" as uid/gid 4321 with the supplementary groups 777 and 888; returns 0 when it worked. */
static int stat_with_groups(void)
{
    pid_t pid = fork();
    if (0 == pid) {
        gid_t groups[] = {777, 888};
        struct stat st;
        if (0 != setgroups(2, groups) || 0 != setgid(4321) || 0 != setuid(4321))
            _exit(2);
        _exit(0 == stat("hello", &st) ? 0 : 1);
    }
    int status;
    if (pid < 0 || pid != waitpid(pid, &status, 0))
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void fuse_context_test(void)
{
    fsp_tests_need_root();
    struct fusefs *f = fusefs_start(false);
    ASSERT(f);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/hello", f->mnt);
    struct stat st;
    int r0 = stat(path, &st);
    unsigned uid0 = atomic_load(&f->last_uid), pid0 = atomic_load(&f->last_pid);
    /* Another user: fuse_get_context() reports that caller's uid. The child starts in the
     * mount (the directories above it may be closed to that user) and stats a relative name. */
    int cd = chdir(f->mnt);
    int r1 = 0 == cd ? fsp_tests_as_user(4321, 4321, stat_hello, "hello") : -1;

    unsigned uid1 = atomic_load(&f->last_uid);
    int ngroups1 = atomic_load(&f->last_ngroups);
    /* fuse_getgroups: the caller's supplementary groups */
    int r2 = 0 == cd ? stat_with_groups() : -1;
    int ngroups2 = atomic_load(&f->last_ngroups);
    unsigned g0 = atomic_load(&f->last_group0), g1 = atomic_load(&f->last_group1);
    if (0 != chdir(fsp_tests_dir())) /* leave the mount so that it can be unmounted */
        r1 = -2;
    int calls = atomic_load(&f->getattr_calls);
    int r = fusefs_stop(f);
    ASSERT_EQ(r0, 0);
    ASSERT_EQ(uid0, geteuid());
    ASSERT_EQ(pid0, (unsigned)getpid());
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(uid1, 4321);
    ASSERT_EQ(ngroups1, 0); /* fsp_tests_as_user drops the supplementary groups */
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(ngroups2, 2);
    ASSERT_EQ(g0, 777);
    ASSERT_EQ(g1, 888);
    ASSERT(calls >= 2);
    ASSERT_EQ(r, 0);
}

/* List dir through d; 0 when it gives the MANY names in readdir's (descending) order, each once,
 * else the number of a failed check. */
static int list_many(DIR *d)
{
    int next = MANY - 1;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d))) {
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        char want[16];
        snprintf(want, sizeof want, "m%04d", next);
        if (next < 0 || 0 != strcmp(de->d_name, want) || DT_REG != de->d_type)
            return 1;
        next--;
    }
    return errno ? 2 : next != -1 ? 3 : 0;
}

/* A listing comes in the order the program's readdir gave it (no sort, as libfuse), whole
 * across the batches the engine asks for, again after rewinddir and in a second open, and
 * seekdir in a fresh open goes on where telldir was. */
static void fuse_readdir_order_test(void)
{
    fsp_tests_need_root();
    struct fusefs *f = fusefs_start(true);
    ASSERT(f);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/many", f->mnt);
    int r1 = -1, r2 = -1, r3 = -1, r4 = -1;
    DIR *d = opendir(path);
    if (d) {
        r1 = list_many(d);
        rewinddir(d);
        r2 = list_many(d);
        closedir(d);
    }
    long pos = -1;
    char at[256] = "";
    if ((d = opendir(path))) {
        r3 = list_many(d);
        rewinddir(d);
        struct dirent *de = 0;
        for (int i = 0; i < MANY / 2 && (de = readdir(d)); i++)
            ;
        pos = telldir(d);
        if ((de = readdir(d)))
            snprintf(at, sizeof at, "%s", de->d_name);
        closedir(d);
    }
    if (pos >= 0 && (d = opendir(path))) {
        seekdir(d, pos);
        struct dirent *de = readdir(d);
        r4 = de && 0 == strcmp(de->d_name, at) ? 0 : 1;
        closedir(d);
    }
    int r = fusefs_stop(f);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(r3, 0);
    ASSERT(at[0]);
    ASSERT_EQ(r4, 0);
    ASSERT_EQ(r, 0);
}

/* The program's getattr calls while one pread(2) of path (opened with extra flags) runs, or -1. */
static int getattrs_in_read(struct fusefs *f, const char *path, int flags)
{
    int fd = open(path, O_RDONLY | flags);
    if (-1 == fd)
        return -1;
    char buf[64];
    int before = atomic_load(&f->getattr_calls);
    ssize_t n = pread(fd, buf, sizeof hello_text - 1, 0);
    int after = atomic_load(&f->getattr_calls);
    close(fd);
    return n == (ssize_t)sizeof hello_text - 1 ? after - before : -1;
}

/* The program's getattr calls while dir, of n entries, is listed (opened with extra flags), or -1. */
static int getattrs_in_listing_n(struct fusefs *f, const char *dir, int flags, long n)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | flags);
    DIR *d = -1 != fd ? fdopendir(fd) : 0;
    if (!d) {
        if (-1 != fd)
            close(fd);
        return -1;
    }
    int before = atomic_load(&f->getattr_calls);
    long entries = 0;
    while (readdir(d))
        entries++;
    int after = atomic_load(&f->getattr_calls);
    closedir(d);
    return n + 2 == entries ? after - before : -1;
}

/* The same for a directory of MANY entries. */
static int getattrs_in_listing(struct fusefs *f, const char *dir, int flags)
{
    return getattrs_in_listing_n(f, dir, flags, MANY);
}

/* A read or a listing makes the program no more getattr calls than one opened O_NOATIME (which
 * owes no access time): the program keeps its access times itself, as on libfuse
 * (VolumeParams.AccessTimesByFileSystem), so the engine makes no relatime calls for it (the files'
 * access times here are 0, which that rule would update at every first read through a handle).
 * The kernel's own GETATTRs (auto_inval_data, default_permissions) count alike in both. */
static void fuse_read_no_atime_calls_test(void)
{
    fsp_tests_need_root();
    struct fusefs *f = fusefs_start(false);
    ASSERT(f);
    char path[PATH_MAX + 16], dir[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/hello", f->mnt);
    snprintf(dir, sizeof dir, "%s/many", f->mnt);
    int read_plain = getattrs_in_read(f, path, 0);
    int read_noatime = getattrs_in_read(f, path, O_NOATIME);
    int read_plain2 = getattrs_in_read(f, path, 0);
    int list_plain = getattrs_in_listing(f, dir, 0);
    int list_noatime = getattrs_in_listing(f, dir, O_NOATIME);
    int list_plain2 = getattrs_in_listing(f, dir, 0);
    int r = fusefs_stop(f);
    ASSERT(read_noatime >= 0 && list_noatime >= 0);
    ASSERT_EQ(read_plain, read_noatime);
    ASSERT_EQ(read_plain2, read_noatime);
    ASSERT_EQ(list_plain, list_noatime);
    ASSERT_EQ(list_plain2, list_noatime);
    ASSERT_EQ(r, 0);
}

/* A READDIRPLUS listing costs the program no getattr for the entries its readdir gave with
 * FUSE_FILL_DIR_PLUS: "many" (offset 0: the entries go without attributes, as on libfuse) and
 * "plus" (offsets: the engine's owner and mode of each new entry come from the attributes the
 * filler just gave, in the first listing of a fresh mount where every entry is new to the
 * kernel), and those are what stat then shows. */
static void fuse_readdirplus_no_getattr_test(void)
{
    fsp_tests_need_root();
    struct fusefs *f = fusefs_start(false);
    ASSERT(f);
    char dir[PATH_MAX + 16], one[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/many", f->mnt);
    snprintf(one, sizeof one, "%s/many/m%04d", f->mnt, MANY - 1);
    char pdir[PATH_MAX + 16], pone[PATH_MAX + 32];
    snprintf(pdir, sizeof pdir, "%s/plus", f->mnt);
    snprintf(pone, sizeof pone, "%s/plus/p%04d", f->mnt, PLUS - 1);
    int first = getattrs_in_listing(f, dir, 0);
    int again = getattrs_in_listing(f, dir, 0);
    int plus = getattrs_in_listing_n(f, pdir, 0, PLUS);
    struct stat st, pst;
    int r1 = stat(one, &st);
    int r2 = stat(pone, &pst);
    int r = fusefs_stop(f);
    ASSERT_EQ(first, 0);
    ASSERT_EQ(again, 0);
    ASSERT_EQ(plus, 0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(pst.st_mode, S_IFREG | 0644);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(st.st_mode, S_IFREG | 0644);
    ASSERT_EQ(st.st_uid, 0);
    ASSERT_EQ(r, 0);
}

/* The program's getattr calls for one stat(2) of path; -1 when it fails. */
static int getattrs_in_stat(struct fusefs *f, const char *path)
{
    struct stat st;
    int before = atomic_load(&f->getattr_calls);
    int r = stat(path, &st);
    int after = atomic_load(&f->getattr_calls);
    return 0 == r ? after - before : -1;
}

/* The entries of a READDIRPLUS reply carry attributes exactly where libfuse 3.14's do: not those
 * of a filler called with offset 0 ("many": the kernel gets nodeid 0 and enters nothing, so a
 * stat after the listing is a LOOKUP, which asks getattr), and those of a filler called with
 * offsets and FUSE_FILL_DIR_PLUS ("plus": entered with the filler's attributes, so a stat
 * within the 60 s timeouts asks nothing). */
static void fuse_readdirplus_like_libfuse_test(void)
{
    fsp_tests_need_root();
    atomic_store(&g_long_timeouts, true); /* until the mount ends: init runs on its loop's thread */
    struct fusefs *f = fusefs_start(false);
    if (!f)
        atomic_store(&g_long_timeouts, false);
    ASSERT(f);
    char dir[PATH_MAX + 16], one[PATH_MAX + 32], pdir[PATH_MAX + 16], pone[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/many", f->mnt);
    snprintf(one, sizeof one, "%s/many/m%04d", f->mnt, MANY - 1); /* in the first reply */
    snprintf(pdir, sizeof pdir, "%s/plus", f->mnt);
    snprintf(pone, sizeof pone, "%s/plus/p%04d", f->mnt, 0);
    int listed = getattrs_in_listing(f, dir, 0);
    int after_many = getattrs_in_stat(f, one);
    long entries = -1;
    DIR *d = opendir(pdir);
    if (d) {
        entries = 0;
        while (readdir(d))
            entries++;
        closedir(d);
    }
    int after_plus = getattrs_in_stat(f, pone);
    int r = fusefs_stop(f);
    atomic_store(&g_long_timeouts, false);
    ASSERT_EQ(listed, 0);
    ASSERT(after_many >= 1);
    ASSERT_EQ(entries, PLUS + 2);
    ASSERT_EQ(after_plus, 0);
    ASSERT_EQ(r, 0);
}

/* How many of the entries "outside" lists now are of version (MANY when all are), or -1. */
static int outside_current(const char *dir, int version)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char prefix[32];
    int n = snprintf(prefix, sizeof prefix, "v%d-", version), current = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (0 == strncmp(de->d_name, prefix, (size_t)n))
            current++;
    closedir(d);
    return current;
}

/* Each opendir lists afresh, as libfuse calls readdir at each opendir (no cache_readdir): a
 * directory changed behind the mount's back (a passthrough's source, a network server) shows
 * the change at the next listing, within the attribute and entry timeouts too (the engine keeps
 * no listing between opens for such a program). */
static void fuse_listing_afresh_test(void)
{
    fsp_tests_need_root();
    struct fusefs *f = fusefs_start(false);
    ASSERT(f);
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/outside", f->mnt);
    int current[4];
    for (int i = 0; i < 4; i++) {
        atomic_store(&g_outside_version, 100 + i);
        current[i] = outside_current(dir, 100 + i);
    }
    int r = fusefs_stop(f);
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(current[i], MANY);
    ASSERT_EQ(r, 0);
}

void fuse_tests(void)
{
    TLIB_ADD_TEST("fuse", fuse_sequential_test);
    TLIB_ADD_TEST("fuse", fuse_parallel_test);
    TLIB_ADD_TEST("fuse", fuse_context_test);
    TLIB_ADD_TEST("fuse", fuse_readdir_order_test);
    TLIB_ADD_TEST("fuse", fuse_read_no_atime_calls_test);
    TLIB_ADD_TEST("fuse", fuse_listing_afresh_test);
    TLIB_ADD_TEST("fuse", fuse_readdirplus_no_getattr_test);
    TLIB_ADD_TEST("fuse", fuse_readdirplus_like_libfuse_test);
}
