/*
 * bench/fsbench.c - WinFsp's fsbench in POSIX terms.
 *
 * Each test is one timed loop of file system calls over N files or N
 * iterations; the time printed is the wall-clock time of the loop only
 * (setup it depends on - files to open, a data file to read - is done
 * beforehand and not timed). With --threads=T the same loop runs in T
 * threads at once, each in its own subdirectory, and the time is from the
 * moment all threads start until the last one ends.
 *
 * Output: one line per test, "TEST_NAME  SECONDS" (or CSV with --csv),
 * then "N passed, N failed". A test fails when an operation errors; a test
 * the file system cannot run (O_DIRECT refused) is skipped with a note.
 * Exit status: 0 all passed, 1 a test failed, 2 bad usage or setup error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define PAGE_IO 4096UL
#define LARGE_IO (1024UL * 1024UL)

/* ---- options ---- */

static unsigned long opt_files = 1000;    /* files per thread for the file_* tests, mkdir/rmdir */
static unsigned long opt_open = 10;       /* iter.file_open: files*open reopens of one file */
static unsigned long opt_list = 100;      /* file_list: readdirs; file_list_single/none: files*list stats... see usage */
static unsigned long opt_rdwr_cc = 100;   /* passes over the data file, cached I/O */
static unsigned long opt_rdwr_nc = 100;   /* passes over the data file, O_DIRECT */
static unsigned long opt_mmap = 100;      /* passes over the mapped file */
static unsigned long opt_file_size = 4UL * 1024 * 1024;
static unsigned long opt_threads = 1;
static bool opt_empty_cache = false;
static bool opt_csv = false;
static bool opt_keep = false;
static unsigned long opt_server_pid = 0;  /* --server-pid: also report that process's CPU time */

static const char *progname = "fsbench";

static void usage(FILE *f)
{
    fprintf(f,
        "usage: %s [OPTIONS] [TEST_PATTERN...] DIRECTORY\n"
        "\n"
        "Runs file system benchmarks in a new subdirectory of DIRECTORY (removed at the end).\n"
        "TEST_PATTERNs are shell patterns (fnmatch) over the test names; default: all tests.\n"
        "\n"
        "options:\n"
        "  --files=N       files (and directories) per thread       (default 1000)\n"
        "  --open=N        iter.file_open reopens one file N*files times (default 10)\n"
        "  --list=N        file_list reads the directory N times;\n"
        "                  file_list_single/none stat N*files times  (default 100)\n"
        "  --rdwr-cc=N     passes over the data file, cached I/O      (default 100)\n"
        "  --rdwr-nc=N     passes over the data file, O_DIRECT        (default 100)\n"
        "  --mmap=N        passes over the mapped file                (default 100)\n"
        "  --file-size=B   data file size, multiple of 4096, K/M/G suffix (default 4M)\n"
        "  --threads=T     run each test in T threads, each in its own subdirectory (default 1)\n"
        "  --empty-cache   sync and drop the kernel caches (echo 3 > /proc/sys/vm/drop_caches)\n"
        "                  before each test (needs root)\n"
        "  --csv           machine-readable output: test,seconds,status\n"
        "  --keep          do not remove the working subdirectory at the end\n"
        "  --server-pid=P  also measure the CPU time of each test: fsbench's threads and every\n"
        "                  thread of process P (the file system server); CSV gets two columns\n"
        "  --list-tests    print the test names and exit\n"
        "  -h, --help      this help\n"
        "\n"
        "tests (in the order they run):\n"
        "  file_create file_open iter.file_open file_overwrite file_attr file_list\n"
        "  file_list_single file_list_none file_delete mkdir rmdir\n"
        "  rdwr_cc_write_page rdwr_cc_read_page rdwr_cc_write_large rdwr_cc_read_large\n"
        "  rdwr_nc_write_page rdwr_nc_read_page rdwr_nc_write_large rdwr_nc_read_large\n"
        "  mmap_write mmap_read\n"
        "(page = 4 KiB per call, large = 1 MiB per call; nc = O_DIRECT)\n",
        progname);
}

static void die_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n");
    usage(stderr);
    exit(2);
}

/* A positive whole number, with a K/M/G suffix when allowed. */
static bool parse_count(const char *s, bool suffix, unsigned long *pv)
{
    char *end;
    if (!*s || '-' == *s || '+' == *s)
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    if (suffix && *end) {
        unsigned shift = 0;
        switch (*end) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: return false;
        }
        if (end[1] && !(('i' == end[1] || 'I' == end[1]) && !end[2]) &&
            !(('b' == end[1] || 'B' == end[1]) && !end[2]))
            return false;
        if (v > (~0ULL >> shift))
            return false;
        v <<= shift;
        end = (char *)"";
    }
    if (*end || 0 == v || v > (unsigned long)-1 / 2)
        return false;
    *pv = (unsigned long)v;
    return true;
}

/* ---- per-thread state and error reporting ---- */

struct worker {
    unsigned long index;
    pthread_t thread;
    char dir[4200];         /* this thread's subdirectory */
    bool files_exist;       /* fsbench-file0..N-1 exist */
    bool dirs_exist;        /* fsbench-dir0..N-1 exist */
    bool data_written;      /* fsbench-data holds file_size bytes */
    bool mmap_written;      /* fsbench-mmap holds file_size bytes */
    char *buf;              /* 1 MiB, 4 KiB aligned (O_DIRECT) */
    double start, end;      /* the current test's run, this thread */
    double cpu;             /* the current test's CPU time, this thread (seconds) */
    int failed;             /* the current test failed */
    char error[512];        /* the first error of the current test */
};

static struct worker *workers;
static pthread_barrier_t barrier;

static void fail(struct worker *w, const char *fmt, ...)
{
    if (w->failed++)
        return;
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->error, sizeof w->error, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof w->error)
        snprintf(w->error + n, sizeof w->error - n, ": %s", strerror(e));
}

static void path_of(struct worker *w, char *path, size_t size, const char *kind, unsigned long i)
{
    snprintf(path, size, "%s/fsbench-%s%lu", w->dir, kind, i);
}

/* ---- helpers shared by tests and setup ---- */

static bool create_files(struct worker *w, int flags)
{
    char path[4400];
    for (unsigned long i = 0; i < opt_files; i++) {
        path_of(w, path, sizeof path, "file", i);
        int fd = open(path, flags, 0644);
        if (fd < 0) {
            fail(w, "open %s", path);
            return false;
        }
        if (close(fd) < 0) {
            fail(w, "close %s", path);
            return false;
        }
    }
    return true;
}

static int mkdir_0755(const char *path)
{
    return mkdir(path, 0755);
}

/* Apply op to the worker's N names "PREFIX<i>"; stops at the first failure. */
static bool each_name(struct worker *w, const char *prefix, int (*op)(const char *),
                      const char *opname)
{
    char path[4400];
    for (unsigned long i = 0; i < opt_files; i++) {
        path_of(w, path, sizeof path, prefix, i);
        if (op(path) < 0) {
            fail(w, "%s %s", opname, path);
            return false;
        }
    }
    return true;
}

static bool delete_files(struct worker *w)
{
    return each_name(w, "file", unlink, "unlink");
}

static bool make_dirs(struct worker *w)
{
    return each_name(w, "dir", mkdir_0755, "mkdir");
}

static bool remove_dirs(struct worker *w)
{
    return each_name(w, "dir", rmdir, "rmdir");
}

/* Write the whole file in chunks of `chunk` bytes, `passes` times; flags add O_DIRECT. */
static bool write_passes(struct worker *w, const char *name, int flags, size_t chunk,
                         unsigned long passes)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    if (fd < 0) {
        fail(w, "open %s", path);
        return false;
    }
    bool ok = true;
    for (unsigned long p = 0; ok && p < passes; p++) {
        for (size_t off = 0; off < opt_file_size; off += chunk) {
            size_t n = opt_file_size - off < chunk ? opt_file_size - off : chunk;
            w->buf[0] = (char)p;
            ssize_t r = pwrite(fd, w->buf, n, (off_t)off);
            if (r != (ssize_t)n) {
                if (r >= 0)
                    errno = EIO;
                fail(w, "pwrite %s at %zu", path, off);
                ok = false;
                break;
            }
        }
    }
    if (close(fd) < 0 && ok) {
        fail(w, "close %s", path);
        ok = false;
    }
    return ok;
}

static bool read_passes(struct worker *w, const char *name, int flags, size_t chunk,
                        unsigned long passes)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    int fd = open(path, O_RDONLY | flags);
    if (fd < 0) {
        fail(w, "open %s", path);
        return false;
    }
    bool ok = true;
    for (unsigned long p = 0; ok && p < passes; p++) {
        for (size_t off = 0; off < opt_file_size; off += chunk) {
            size_t n = opt_file_size - off < chunk ? opt_file_size - off : chunk;
            ssize_t r = pread(fd, w->buf, n, (off_t)off);
            if (r != (ssize_t)n) {
                if (r >= 0)
                    errno = EIO; /* short read: the file is not as large as written */
                fail(w, "pread %s at %zu", path, off);
                ok = false;
                break;
            }
        }
    }
    close(fd);
    return ok;
}

/* ---- the tests ---- */

enum skip_reason { RUN = 0, SKIP_NODIRECT };

struct test {
    const char *name;
    enum skip_reason (*setup)(struct worker *w); /* untimed; may return a reason to skip */
    void (*run)(struct worker *w);
};

static enum skip_reason need_files(struct worker *w)
{
    if (!w->files_exist && create_files(w, O_WRONLY | O_CREAT | O_EXCL))
        w->files_exist = true;
    return RUN;
}

static enum skip_reason need_no_files(struct worker *w)
{
    if (w->files_exist && delete_files(w))
        w->files_exist = false;
    return RUN;
}

static enum skip_reason need_dirs(struct worker *w)
{
    if (!w->dirs_exist && make_dirs(w))
        w->dirs_exist = true;
    return RUN;
}

static enum skip_reason need_no_dirs(struct worker *w)
{
    if (w->dirs_exist && remove_dirs(w))
        w->dirs_exist = false;
    return RUN;
}

static enum skip_reason need_nothing(struct worker *w)
{
    (void)w;
    return RUN;
}

static enum skip_reason need_data(struct worker *w)
{
    if (!w->data_written && write_passes(w, "fsbench-data", 0, LARGE_IO, 1))
        w->data_written = true;
    return RUN;
}

/* O_DIRECT: probe on the data file; the file system may refuse it (EINVAL). */
static enum skip_reason need_direct(struct worker *w)
{
    need_data(w);
    char path[4400];
    snprintf(path, sizeof path, "%s/fsbench-data", w->dir);
    int fd = open(path, O_RDWR | O_DIRECT);
    if (fd < 0) {
        if (EINVAL == errno || EOPNOTSUPP == errno)
            return SKIP_NODIRECT;
        fail(w, "open O_DIRECT %s", path);
        return RUN;
    }
    /* Some file systems accept the open and refuse the I/O. */
    ssize_t r = pread(fd, w->buf, PAGE_IO, 0);
    int e = errno;
    close(fd);
    if (r < 0 && EINVAL == e)
        return SKIP_NODIRECT;
    return RUN;
}

static enum skip_reason need_mmap(struct worker *w)
{
    if (!w->mmap_written && write_passes(w, "fsbench-mmap", 0, LARGE_IO, 1))
        w->mmap_written = true;
    return RUN;
}

static void t_file_create(struct worker *w)
{
    if (create_files(w, O_WRONLY | O_CREAT | O_EXCL))
        w->files_exist = true;
}

static void t_file_open(struct worker *w)
{
    create_files(w, O_RDONLY);
}

static void t_iter_file_open(struct worker *w)
{
    char path[4400];
    path_of(w, path, sizeof path, "file", 0);
    unsigned long n = opt_files * opt_open;
    for (unsigned long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            fail(w, "open %s", path);
            return;
        }
        close(fd);
    }
}

static void t_file_overwrite(struct worker *w)
{
    create_files(w, O_WRONLY | O_TRUNC);
}

static void t_file_attr(struct worker *w)
{
    char path[4400];
    struct stat st;
    for (unsigned long i = 0; i < opt_files; i++) {
        path_of(w, path, sizeof path, "file", i);
        if (stat(path, &st) < 0) {
            fail(w, "stat %s", path);
            return;
        }
    }
}

static void t_file_list(struct worker *w)
{
    for (unsigned long l = 0; l < opt_list; l++) {
        DIR *d = opendir(w->dir);
        if (!d) {
            fail(w, "opendir %s", w->dir);
            return;
        }
        unsigned long n = 0;
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d)))
            n++;
        if (errno) {
            fail(w, "readdir %s", w->dir);
            closedir(d);
            return;
        }
        closedir(d);
        if (n < opt_files + 2) {
            errno = ENOENT;
            fail(w, "readdir %s: %lu entries, expected at least %lu", w->dir, n, opt_files + 2);
            return;
        }
    }
}

static void t_file_list_single(struct worker *w)
{
    char path[4400];
    struct stat st;
    path_of(w, path, sizeof path, "file", opt_files / 2);
    unsigned long n = opt_files * opt_list;
    for (unsigned long i = 0; i < n; i++)
        if (stat(path, &st) < 0) {
            fail(w, "stat %s", path);
            return;
        }
}

static void t_file_list_none(struct worker *w)
{
    char path[4400];
    struct stat st;
    path_of(w, path, sizeof path, "none", 0);
    unsigned long n = opt_files * opt_list;
    for (unsigned long i = 0; i < n; i++)
        if (0 == stat(path, &st) || ENOENT != errno) {
            if (0 == errno)
                errno = EEXIST;
            fail(w, "stat %s (expected ENOENT)", path);
            return;
        }
}

static void t_file_delete(struct worker *w)
{
    if (delete_files(w))
        w->files_exist = false;
}

static void t_mkdir(struct worker *w)
{
    if (make_dirs(w))
        w->dirs_exist = true;
}

static void t_rmdir(struct worker *w)
{
    if (remove_dirs(w))
        w->dirs_exist = false;
}

static void t_cc_write_page(struct worker *w)
{
    if (write_passes(w, "fsbench-data", 0, PAGE_IO, opt_rdwr_cc))
        w->data_written = true;
}
static void t_cc_read_page(struct worker *w)
{
    read_passes(w, "fsbench-data", 0, PAGE_IO, opt_rdwr_cc);
}
static void t_cc_write_large(struct worker *w)
{
    if (write_passes(w, "fsbench-data", 0, LARGE_IO, opt_rdwr_cc))
        w->data_written = true;
}
static void t_cc_read_large(struct worker *w)
{
    read_passes(w, "fsbench-data", 0, LARGE_IO, opt_rdwr_cc);
}
static void t_nc_write_page(struct worker *w)
{
    write_passes(w, "fsbench-data", O_DIRECT, PAGE_IO, opt_rdwr_nc);
}
static void t_nc_read_page(struct worker *w)
{
    read_passes(w, "fsbench-data", O_DIRECT, PAGE_IO, opt_rdwr_nc);
}
static void t_nc_write_large(struct worker *w)
{
    write_passes(w, "fsbench-data", O_DIRECT, LARGE_IO, opt_rdwr_nc);
}
static void t_nc_read_large(struct worker *w)
{
    read_passes(w, "fsbench-data", O_DIRECT, LARGE_IO, opt_rdwr_nc);
}

static void mmap_passes(struct worker *w, bool write)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/fsbench-mmap", w->dir);
    int fd = open(path, write ? O_RDWR | O_CREAT : O_RDONLY, 0644);
    if (fd < 0) {
        fail(w, "open %s", path);
        return;
    }
    if (write && ftruncate(fd, (off_t)opt_file_size) < 0) {
        fail(w, "ftruncate %s", path);
        close(fd);
        return;
    }
    volatile unsigned long sum = 0;
    for (unsigned long p = 0; p < opt_mmap; p++) {
        unsigned char *m = mmap(0, opt_file_size, write ? PROT_READ | PROT_WRITE : PROT_READ,
                                MAP_SHARED, fd, 0);
        if (MAP_FAILED == m) {
            fail(w, "mmap %s", path);
            break;
        }
        for (size_t off = 0; off < opt_file_size; off += PAGE_IO) {
            if (write)
                m[off] = (unsigned char)(p + 1);
            else
                sum += m[off];
        }
        if (munmap(m, opt_file_size) < 0) {
            fail(w, "munmap %s", path);
            break;
        }
    }
    (void)sum;
    if (close(fd) < 0)
        fail(w, "close %s", path);
    if (write && !w->failed)
        w->mmap_written = true;
}

static void t_mmap_write(struct worker *w)
{
    mmap_passes(w, true);
}
static void t_mmap_read(struct worker *w)
{
    mmap_passes(w, false);
}

static const struct test tests[] = {
    {"file_create", need_no_files, t_file_create},
    {"file_open", need_files, t_file_open},
    {"iter.file_open", need_files, t_iter_file_open},
    {"file_overwrite", need_files, t_file_overwrite},
    {"file_attr", need_files, t_file_attr},
    {"file_list", need_files, t_file_list},
    {"file_list_single", need_files, t_file_list_single},
    {"file_list_none", need_files, t_file_list_none},
    {"file_delete", need_files, t_file_delete},
    {"mkdir", need_no_dirs, t_mkdir},
    {"rmdir", need_dirs, t_rmdir},
    {"rdwr_cc_write_page", need_nothing, t_cc_write_page},
    {"rdwr_cc_read_page", need_data, t_cc_read_page},
    {"rdwr_cc_write_large", need_nothing, t_cc_write_large},
    {"rdwr_cc_read_large", need_data, t_cc_read_large},
    {"rdwr_nc_write_page", need_direct, t_nc_write_page},
    {"rdwr_nc_read_page", need_direct, t_nc_read_page},
    {"rdwr_nc_write_large", need_direct, t_nc_write_large},
    {"rdwr_nc_read_large", need_direct, t_nc_read_large},
    {"mmap_write", need_nothing, t_mmap_write},
    {"mmap_read", need_mmap, t_mmap_read},
};
#define NTESTS (sizeof tests / sizeof tests[0])

/* ---- the driver: T workers step through the selected tests in lockstep ---- */

static bool selected[NTESTS];
static enum skip_reason skip[64];       /* per worker setup outcome of the current test */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of every thread of process pid so far (the first field of each thread's
 * /proc/PID/task/TID/schedstat: nanoseconds on a CPU); -1 when it cannot be read. */
static double process_cpu(unsigned long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%lu/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    double sum = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if ('.' == de->d_name[0])
            continue;
        char stat[400];
        snprintf(stat, sizeof stat, "%s/%s/schedstat", path, de->d_name);
        FILE *f = fopen(stat, "r");
        unsigned long long ns = 0;
        if (f && 1 == fscanf(f, "%llu", &ns))
            sum += ns / 1e9;
        if (f)
            fclose(f);
    }
    closedir(d);
    return sum;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (size_t t = 0; t < NTESTS; t++) {
        if (!selected[t])
            continue;
        w->failed = 0;
        w->error[0] = 0;
        skip[w->index] = tests[t].setup(w);     /* untimed */
        pthread_barrier_wait(&barrier);         /* setup done: main may drop caches */
        pthread_barrier_wait(&barrier);         /* go */
        bool skipped = false;
        for (unsigned long i = 0; i < opt_threads; i++)
            skipped |= SKIP_NODIRECT == skip[i];
        /* Each thread times itself: whoever the scheduler runs first after the
         * barrier, the clock covers exactly the test loop. */
        double cpu0 = thread_cpu();
        w->start = now();
        if (!skipped && !w->failed)
            tests[t].run(w);
        w->end = now();
        w->cpu = thread_cpu() - cpu0;
        pthread_barrier_wait(&barrier);         /* done */
        pthread_barrier_wait(&barrier);         /* main has collected the results */
    }
    return 0;
}

static void empty_cache(void)
{
    sync();
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0 || 2 != write(fd, "3\n", 2))
        fprintf(stderr, "%s: --empty-cache: /proc/sys/vm/drop_caches: %s\n", progname,
                strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* Remove a tree (only what fsbench created; no symlinks are followed). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char sub[4400];
            snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            struct stat st;
            if (0 == lstat(sub, &st) && S_ISDIR(st.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

int main(int argc, char **argv)
{
    progname = argv[0];
    const char *patterns[256];
    size_t npatterns = 0;
    const char *dir = 0;
    bool list_only = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = strchr(a, '=');
        size_t klen = v ? (size_t)(v - a) : strlen(a);
        v = v ? v + 1 : 0;
#define IS(name) (strlen(name) == klen && 0 == strncmp(a, name, klen))
        if (0 == strcmp(a, "-h") || 0 == strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (0 == strcmp(a, "--")) {
            for (i++; i < argc; i++) {
                if (npatterns == sizeof patterns / sizeof patterns[0])
                    die_usage("too many test patterns");
                patterns[npatterns++] = argv[i];
            }
            break;
        } else if ('-' != a[0] || !a[1]) {
            if (npatterns == sizeof patterns / sizeof patterns[0])
                die_usage("too many test patterns");
            patterns[npatterns++] = a;
            continue;
        }
        unsigned long *target = 0;
        bool suffix = false;
        if (IS("--files"))
            target = &opt_files;
        else if (IS("--open"))
            target = &opt_open;
        else if (IS("--list"))
            target = &opt_list;
        else if (IS("--rdwr-cc"))
            target = &opt_rdwr_cc;
        else if (IS("--rdwr-nc"))
            target = &opt_rdwr_nc;
        else if (IS("--mmap"))
            target = &opt_mmap;
        else if (IS("--file-size"))
            target = &opt_file_size, suffix = true;
        else if (IS("--threads"))
            target = &opt_threads;
        else if (IS("--server-pid"))
            target = &opt_server_pid;
        else if (IS("--empty-cache") || IS("--csv") || IS("--keep") || IS("--list-tests")) {
            if (v)
                die_usage("option %.*s takes no value", (int)klen, a);
            if (IS("--empty-cache"))
                opt_empty_cache = true;
            else if (IS("--csv"))
                opt_csv = true;
            else if (IS("--keep"))
                opt_keep = true;
            else
                list_only = true;
            continue;
        } else
            die_usage("unknown option %s", a);
        if (!v) {
            if (i + 1 >= argc)
                die_usage("option %s needs a value", a);
            v = argv[++i];
        }
        if (!parse_count(v, suffix, target))
            die_usage("bad value for %.*s: '%s' (a positive whole number%s)", (int)klen, a, v,
                      suffix ? ", K/M/G suffix allowed" : "");
#undef IS
    }
    if (list_only) {
        for (size_t t = 0; t < NTESTS; t++)
            printf("%s\n", tests[t].name);
        return 0;
    }
    if (0 == npatterns)
        die_usage("missing DIRECTORY");
    dir = patterns[--npatterns];
    if (opt_file_size % PAGE_IO)
        die_usage("--file-size must be a multiple of 4096 (O_DIRECT alignment)");
    if (opt_threads > sizeof skip / sizeof skip[0])
        die_usage("--threads must be at most %zu", sizeof skip / sizeof skip[0]);
    if (opt_files > 100000000UL / (opt_open > opt_list ? opt_open : opt_list))
        die_usage("--files times --open/--list is too large");

    size_t nselected = 0;
    for (size_t t = 0; t < NTESTS; t++) {
        selected[t] = 0 == npatterns;
        for (size_t p = 0; p < npatterns; p++)
            if (0 == fnmatch(patterns[p], tests[t].name, 0))
                selected[t] = true;
        nselected += selected[t];
    }
    for (size_t p = 0; p < npatterns; p++) {
        bool any = false;
        for (size_t t = 0; t < NTESTS; t++)
            any |= 0 == fnmatch(patterns[p], tests[t].name, 0);
        if (!any)
            die_usage("no test matches '%s' (see --list-tests)", patterns[p]);
    }

    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s: %s\n", progname, dir, stat(dir, &st) < 0 ? strerror(errno)
                                                                          : "not a directory");
        return 2;
    }
    char root[4000];
    snprintf(root, sizeof root, "%s/fsbench.%ld", dir, (long)getpid());
    if (mkdir(root, 0755) < 0) {
        fprintf(stderr, "%s: mkdir %s: %s\n", progname, root, strerror(errno));
        return 2;
    }

    workers = calloc(opt_threads, sizeof *workers);
    if (!workers) {
        perror("calloc");
        return 2;
    }
    for (unsigned long i = 0; i < opt_threads; i++) {
        struct worker *w = &workers[i];
        w->index = i;
        if (1 == opt_threads)
            snprintf(w->dir, sizeof w->dir, "%s", root);
        else {
            snprintf(w->dir, sizeof w->dir, "%s/t%lu", root, i);
            if (mkdir(w->dir, 0755) < 0) {
                fprintf(stderr, "%s: mkdir %s: %s\n", progname, w->dir, strerror(errno));
                remove_tree(root);
                return 2;
            }
        }
        if (posix_memalign((void **)&w->buf, PAGE_IO, LARGE_IO)) {
            perror("posix_memalign");
            return 2;
        }
        memset(w->buf, 'x', LARGE_IO);
    }

    pthread_barrier_init(&barrier, 0, (unsigned)opt_threads + 1);
    for (unsigned long i = 0; i < opt_threads; i++)
        if (pthread_create(&workers[i].thread, 0, worker_main, &workers[i])) {
            fprintf(stderr, "%s: cannot create thread %lu\n", progname, i);
            return 2;
        }

    if (opt_csv)
        printf(opt_server_pid ? "test,seconds,status,client_cpu,server_cpu\n" : "test,seconds,status\n");
    unsigned passed = 0, failed = 0, skipped = 0;
    for (size_t t = 0; t < NTESTS; t++) {
        if (!selected[t])
            continue;
        pthread_barrier_wait(&barrier);     /* setup done */
        if (opt_empty_cache)
            empty_cache();
        double srv0 = opt_server_pid ? process_cpu(opt_server_pid) : 0;
        pthread_barrier_wait(&barrier);     /* go */
        pthread_barrier_wait(&barrier);     /* done */
        double srv1 = opt_server_pid ? process_cpu(opt_server_pid) : 0, cpu = 0;
        for (unsigned long i = 0; i < opt_threads; i++)
            cpu += workers[i].cpu;
        double t0 = workers[0].start, t1 = workers[0].end;
        for (unsigned long i = 1; i < opt_threads; i++) {
            if (workers[i].start < t0)
                t0 = workers[i].start;
            if (workers[i].end > t1)
                t1 = workers[i].end;
        }
        double secs = t1 - t0; /* first start to last end */

        bool skip_test = false, fail_test = false;
        const char *why = 0;
        for (unsigned long i = 0; i < opt_threads; i++) {
            if (SKIP_NODIRECT == skip[i])
                skip_test = true;
            if (workers[i].failed && !fail_test) {
                fail_test = true;
                why = workers[i].error;
            }
        }
        if (fail_test) {
            failed++;
            fprintf(stderr, "%s: %s FAILED: %s\n", progname, tests[t].name, why);
            if (opt_csv)
                printf(opt_server_pid ? "%s,,fail,,\n" : "%s,,fail\n", tests[t].name);
            else
                printf("%-22s FAILED (%s)\n", tests[t].name, why);
        } else if (skip_test) {
            skipped++;
            if (opt_csv)
                printf(opt_server_pid ? "%s,,skip,,\n" : "%s,,skip\n", tests[t].name);
            else
                printf("%-22s skipped (the file system refuses O_DIRECT)\n", tests[t].name);
        } else {
            passed++;
            if (opt_csv && opt_server_pid)
                printf("%s,%.6f,ok,%.6f,%.6f\n", tests[t].name, secs, cpu,
                       srv0 >= 0 && srv1 >= 0 ? srv1 - srv0 : 0.0);
            else if (opt_csv)
                printf("%s,%.6f,ok\n", tests[t].name, secs);
            else if (opt_server_pid)
                printf("%-22s %.6f  (CPU: fsbench %.6f, server %.6f)\n", tests[t].name, secs, cpu,
                       srv0 >= 0 && srv1 >= 0 ? srv1 - srv0 : 0.0);
            else
                printf("%-22s %.6f\n", tests[t].name, secs);
        }
        fflush(stdout);
        pthread_barrier_wait(&barrier);     /* results collected: workers may go on */
    }
    for (unsigned long i = 0; i < opt_threads; i++)
        pthread_join(workers[i].thread, 0);
    (void)nselected;

    if (!opt_keep)
        remove_tree(root);
    if (skipped)
        printf("# %u test(s) skipped\n", skipped);
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
