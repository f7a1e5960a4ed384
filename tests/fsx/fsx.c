/*
 * tests/fsx/fsx.c - an fsx-style file system exerciser for LinFsp (the project's own code, in
 * the spirit of Apple's fsx, which WinFsp runs on memfs).
 *
 * One file is changed by a random sequence of operations - read, write, mmap read, mmap write,
 * truncate, fallocate in every mode (default, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE,
 * ZERO_RANGE|KEEP_SIZE), fsync, close and reopen - while the program keeps a model of what the
 * file must hold. Every read (pread or through a mapping) is compared with the model, and the
 * file's size (fstat) is checked after every operation; at the end and every few thousand
 * operations the whole file is read back. Written bytes are never zero and depend on the
 * operation's number and the offset, so stale, misplaced or zeroed data shows.
 *
 * A run is reproducible from its seed (-S); every operation can be written to a log (-L) that
 * --replay runs again, one operation per line ("17 write 0x1000 0x200"). On a failure the
 * program prints the difference and the last operations, writes FILE.fsxgood (what the file
 * should hold) and FILE.fsxlog (every operation so far), and exits 1.
 *
 * Ends with "1 passed, 0 failed" or "0 passed, 1 failed" (the test suite's closing line).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/falloc.h>

/* ---- operations ---- */

enum op_kind {
    OP_READ,
    OP_WRITE,
    OP_MAPREAD,
    OP_MAPWRITE,
    OP_TRUNCATE,
    OP_FALLOCATE,
    OP_FSYNC,
    OP_REOPEN,
    OP_COUNT
};
static const char *const op_names[OP_COUNT] = {"read",     "write",     "mapread", "mapwrite",
                                               "truncate", "fallocate", "fsync",   "reopen"};

/* The fallocate modes, in the order of their names on the command line and in the log. */
enum { FA_DEFAULT, FA_KEEP, FA_PUNCH, FA_ZERO, FA_ZERO_KEEP, FA_COUNT };
static const char *const fa_names[FA_COUNT] = {"default", "keep", "punch", "zero", "zero-keep"};
static const int fa_flags[FA_COUNT] = {
    0,
    FALLOC_FL_KEEP_SIZE,
    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
    FALLOC_FL_ZERO_RANGE,
    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
};

struct op {
    uint64_t num;    /* 1-based operation number; the data written depends on it */
    enum op_kind kind;
    uint64_t off, len; /* truncate: off is the new size */
    int mode;        /* fallocate: FA_* */
};

/* ---- options and state ---- */

static const char *fname;
static uint64_t numops = 10000;     /* 0: run until stopped */
static uint64_t seed;
static uint64_t maxfilelen = 256 * 1024;
static uint64_t maxoplen = 64 * 1024;
static uint64_t readbdy = 1, writebdy = 1, truncbdy = 1; /* alignment of offsets and sizes */
static unsigned reopen_per_mille = 10; /* -c: chance per operation to close and reopen, in 1/1000 */
static bool op_enabled[OP_COUNT] = {true, true, true, true, true, true, true, true};
static bool fa_enabled[FA_COUNT] = {true, true, true, true, true};
static bool skip_unsupported;  /* -E: a fallocate mode refused with EOPNOTSUPP is dropped */
static bool quiet, trace;
static uint64_t check_every = 2000;  /* whole-file check period */
static const char *logname, *replayname;
static FILE *logf, *replayf;

static int fd = -1;
static unsigned char *good;   /* the model: what the file holds */
static uint64_t good_size;
static unsigned char *temp;   /* read buffer */
static long pagesize;

/* The last operations, for the failure report. */
#define HISTORY 64
static struct op history[HISTORY];
static uint64_t nhistory;
static uint64_t counts[OP_COUNT], fa_counts[FA_COUNT];
static uint64_t unsupported_seen[FA_COUNT]; /* -E: how often a mode was refused */

/* ---- random numbers (splitmix64: the same sequence everywhere for a seed) ---- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
/* Uniform in [0, n) (n > 0). */
static uint64_t rnd_below(uint64_t n)
{
    return rnd() % n;
}

/* ---- reporting ---- */

static void op_format(const struct op *o, char *buf, size_t size)
{
    switch (o->kind) {
    case OP_TRUNCATE:
        snprintf(buf, size, "%" PRIu64 " truncate 0x%" PRIx64, o->num, o->off);
        break;
    case OP_FALLOCATE:
        snprintf(buf, size, "%" PRIu64 " fallocate 0x%" PRIx64 " 0x%" PRIx64 " %s", o->num, o->off,
                 o->len, fa_names[o->mode]);
        break;
    case OP_FSYNC:
    case OP_REOPEN:
        snprintf(buf, size, "%" PRIu64 " %s", o->num, op_names[o->kind]);
        break;
    default:
        snprintf(buf, size, "%" PRIu64 " %s 0x%" PRIx64 " 0x%" PRIx64, o->num, op_names[o->kind],
                 o->off, o->len);
    }
}

static void save_file(const char *suffix, const void *data, size_t size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", fname, suffix);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        fprintf(stderr, "fsx: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    const char *p = data;
    while (size) {
        ssize_t n = write(out, p, size);
        if (n <= 0)
            break;
        p += n, size -= (size_t)n;
    }
    close(out);
}

/* Print the failure, the last operations; save the model and the whole log; exit 1. */
static void failure(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void failure(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "fsx: FAILURE: ");
    vfprintf(stdout, fmt, ap);
    fprintf(stdout, "\n");
    va_end(ap);
    uint64_t first = nhistory > HISTORY ? nhistory - HISTORY : 0;
    printf("fsx: the last %" PRIu64 " operations (seed %" PRIu64 "):\n", nhistory - first, seed);
    for (uint64_t i = first; i < nhistory; i++) {
        char line[128];
        op_format(&history[i % HISTORY], line, sizeof line);
        printf("    %s\n", line);
    }
    save_file(".fsxgood", good, good_size);
    printf("fsx: %s.fsxgood holds what the file should hold (0x%" PRIx64 " bytes)\n", fname,
           good_size);
    if (logf) {
        fflush(logf);
        printf("fsx: every operation is in %s (--replay runs them again)\n", logname);
    }
    printf("0 passed, 1 failed\n");
    fflush(stdout);
    exit(1);
}

/* ---- the model ---- */

/* The byte an operation writes at an offset: never zero. */
static unsigned char pattern(uint64_t opnum, uint64_t off)
{
    return (unsigned char)((opnum * 31 + off + (off >> 8) * 7) % 255 + 1);
}

static void model_resize(uint64_t size)
{
    if (size > good_size)
        memset(good + good_size, 0, size - good_size);
    good_size = size;
}

/* Compare what was read at off with the model; report where it differs. */
static void check_buffer(const unsigned char *buf, uint64_t off, uint64_t len, const char *what)
{
    if (0 == memcmp(buf, good + off, len))
        return;
    uint64_t i = 0;
    while (i < len && buf[i] == good[off + i])
        i++;
    uint64_t bad = 0, last = i;
    for (uint64_t k = i; k < len; k++)
        if (buf[k] != good[off + k])
            bad++, last = k;
    printf("fsx: %s: %" PRIu64 " bytes differ between 0x%" PRIx64 " and 0x%" PRIx64
           " (file size 0x%" PRIx64 ")\n",
           what, bad, off + i, off + last, good_size);
    printf("    offset     good  file\n");
    for (uint64_t k = i, shown = 0; k < len && shown < 16; k++)
        if (buf[k] != good[off + k]) {
            printf("    0x%-8" PRIx64 " 0x%02x  0x%02x\n", off + k, good[off + k], buf[k]);
            shown++;
        }
    failure("%s of 0x%" PRIx64 " bytes at 0x%" PRIx64 " read wrong data", what, len, off);
}

static void check_size(const char *after)
{
    struct stat st;
    if (0 != fstat(fd, &st))
        failure("fstat after %s: %s", after, strerror(errno));
    if ((uint64_t)st.st_size != good_size)
        failure("after %s the file has 0x%" PRIx64 " bytes, expected 0x%" PRIx64, after,
                (uint64_t)st.st_size, good_size);
}

/* ---- file access ---- */

static void open_file(bool create)
{
    fd = open(fname, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
    if (fd < 0)
        failure("open %s: %s", fname, strerror(errno));
}

static void full_read(uint64_t off, uint64_t len, const char *what)
{
    uint64_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, temp + done, len - done, (off_t)(off + done));
        if (n < 0)
            failure("%s: pread of 0x%" PRIx64 " bytes at 0x%" PRIx64 ": %s", what, len - done,
                    off + done, strerror(errno));
        if (0 == n)
            failure("%s: end of file at 0x%" PRIx64 ", expected 0x%" PRIx64 " bytes", what,
                    off + done, good_size);
        done += (uint64_t)n;
    }
    /* Nothing after the end: a read there returns 0 bytes. */
    if (off + len == good_size) {
        unsigned char extra;
        ssize_t n = pread(fd, &extra, 1, (off_t)good_size);
        if (0 != n)
            failure("%s: a read at the end of file (0x%" PRIx64 ") returned %zd", what, good_size,
                    n);
    }
}

static void check_whole_file(const char *why)
{
    check_size(why);
    full_read(0, good_size, why);
    check_buffer(temp, 0, good_size, why);
}

/* ---- the operations ---- */

static void do_read(const struct op *o)
{
    uint64_t len = o->len;
    if (o->off >= good_size) {
        unsigned char b;
        ssize_t n = pread(fd, &b, 1, (off_t)o->off);
        if (0 != n)
            failure("read at 0x%" PRIx64 ", beyond the end (0x%" PRIx64 "), returned %zd (%s)",
                    o->off, good_size, n, n < 0 ? strerror(errno) : "data");
        return;
    }
    if (o->off + len > good_size)
        len = good_size - o->off;
    full_read(o->off, len, "read");
    check_buffer(temp, o->off, len, "read");
}

static void do_write(const struct op *o)
{
    for (uint64_t i = 0; i < o->len; i++)
        temp[i] = pattern(o->num, o->off + i);
    uint64_t done = 0;
    while (done < o->len) {
        ssize_t n = pwrite(fd, temp + done, o->len - done, (off_t)(o->off + done));
        if (n <= 0)
            failure("write of 0x%" PRIx64 " bytes at 0x%" PRIx64 ": %s", o->len - done,
                    o->off + done, n < 0 ? strerror(errno) : "wrote nothing");
        done += (uint64_t)n;
    }
    if (o->off + o->len > good_size)
        model_resize(o->off + o->len);
    memcpy(good + o->off, temp, o->len);
}

/* Map [off, off+len) of the file (page-aligned around it); returns the address of off. */
static unsigned char *map_range(uint64_t off, uint64_t len, int prot, void **pbase, size_t *plen)
{
    uint64_t start = off - off % (uint64_t)pagesize;
    size_t mlen = (size_t)(off + len - start);
    void *p = mmap(0, mlen, prot, MAP_SHARED, fd, (off_t)start);
    if (MAP_FAILED == p)
        failure("mmap of 0x%zx bytes at 0x%" PRIx64 ": %s", mlen, start, strerror(errno));
    *pbase = p;
    *plen = mlen;
    return (unsigned char *)p + (off - start);
}

static void do_mapread(const struct op *o)
{
    if (0 == good_size || o->off >= good_size)
        return; /* nothing to map (a mapping beyond the end faults) */
    uint64_t len = o->len;
    if (o->off + len > good_size)
        len = good_size - o->off;
    void *base;
    size_t mlen;
    unsigned char *p = map_range(o->off, len, PROT_READ, &base, &mlen);
    memcpy(temp, p, len);
    if (0 != munmap(base, mlen))
        failure("munmap: %s", strerror(errno));
    check_buffer(temp, o->off, len, "mapread");
}

static void do_mapwrite(const struct op *o)
{
    uint64_t end = o->off + o->len;
    if (end > good_size) {
        /* A mapping cannot grow the file: extend it first, as fsx does. */
        if (0 != ftruncate(fd, (off_t)end))
            failure("ftruncate to 0x%" PRIx64 " before mapwrite: %s", end, strerror(errno));
        model_resize(end);
    }
    void *base;
    size_t mlen;
    unsigned char *p = map_range(o->off, o->len, PROT_READ | PROT_WRITE, &base, &mlen);
    for (uint64_t i = 0; i < o->len; i++)
        p[i] = good[o->off + i] = pattern(o->num, o->off + i);
    if (0 != msync(base, mlen, MS_SYNC))
        failure("msync: %s", strerror(errno));
    if (0 != munmap(base, mlen))
        failure("munmap: %s", strerror(errno));
}

static void do_truncate(const struct op *o)
{
    if (0 != ftruncate(fd, (off_t)o->off))
        failure("ftruncate to 0x%" PRIx64 ": %s", o->off, strerror(errno));
    model_resize(o->off);
}

/* Returns false when the mode is refused (EOPNOTSUPP) and -E allows that. */
static bool do_fallocate(const struct op *o)
{
    if (0 != fallocate(fd, fa_flags[o->mode], (off_t)o->off, (off_t)o->len)) {
        int err = errno;
        if (EOPNOTSUPP == err && skip_unsupported) {
            if (0 == unsupported_seen[o->mode]++)
                printf("fsx: fallocate mode %s is not supported here; skipped from now on (-E)\n",
                       fa_names[o->mode]);
            fa_enabled[o->mode] = false;
            return false;
        }
        failure("fallocate %s of 0x%" PRIx64 " bytes at 0x%" PRIx64 ": %s%s", fa_names[o->mode],
                o->len, o->off, strerror(err),
                EOPNOTSUPP == err ? " (-E skips modes the file system refuses)" : "");
    }
    uint64_t end = o->off + o->len;
    switch (o->mode) {
    case FA_DEFAULT:
        if (end > good_size)
            model_resize(end);
        break;
    case FA_KEEP:
        break; /* space only: neither size nor data change */
    case FA_PUNCH:
    case FA_ZERO_KEEP:
        if (o->off < good_size)
            memset(good + o->off, 0, (end < good_size ? end : good_size) - o->off);
        break;
    case FA_ZERO:
        if (end > good_size)
            model_resize(end);
        memset(good + o->off, 0, o->len);
        break;
    }
    return true;
}

static void do_fsync(void)
{
    if (0 != fsync(fd))
        failure("fsync: %s", strerror(errno));
}

static void do_reopen(void)
{
    if (0 != close(fd))
        failure("close: %s", strerror(errno));
    fd = -1;
    open_file(false);
}

/* ---- choosing operations ---- */

static uint64_t align_down(uint64_t v, uint64_t bdy)
{
    return bdy > 1 ? v - v % bdy : v;
}

/* A random operation of an enabled kind; false when none is enabled. */
static bool choose(struct op *o, uint64_t num)
{
    memset(o, 0, sizeof *o);
    o->num = num;
    if (op_enabled[OP_REOPEN] && reopen_per_mille && rnd_below(1000) < reopen_per_mille) {
        o->kind = OP_REOPEN;
        return true;
    }
    /* Weights: reads and writes most, then fallocate, the rest less. */
    static const unsigned weight[OP_COUNT] = {20, 20, 10, 10, 8, 20, 2, 0};
    unsigned total = 0;
    bool any_fa = false;
    for (int m = 0; m < FA_COUNT; m++)
        any_fa |= fa_enabled[m];
    for (int k = 0; k < OP_COUNT; k++)
        if (op_enabled[k] && (OP_FALLOCATE != k || any_fa))
            total += weight[k];
    if (0 == total)
        return false;
    uint64_t r = rnd_below(total);
    int k = 0;
    for (; k < OP_COUNT; k++) {
        if (!op_enabled[k] || (OP_FALLOCATE == k && !any_fa))
            continue;
        if (r < weight[k])
            break;
        r -= weight[k];
    }
    o->kind = (enum op_kind)k;
    uint64_t bdy = OP_READ == k || OP_MAPREAD == k ? readbdy : OP_TRUNCATE == k ? truncbdy : writebdy;
    o->off = align_down(rnd_below(maxfilelen), bdy);
    o->len = rnd_below(maxoplen) + 1;
    if (o->off + o->len > maxfilelen)
        o->len = maxfilelen - o->off;
    if (bdy > 1 && o->len >= bdy)
        o->len = align_down(o->len, bdy);
    if (0 == o->len)
        o->len = 1;
    if (OP_TRUNCATE == k) {
        o->off = align_down(rnd_below(maxfilelen + 1), truncbdy);
        o->len = 0;
    }
    if (OP_FALLOCATE == k) {
        unsigned n = 0;
        for (int m = 0; m < FA_COUNT; m++)
            n += fa_enabled[m];
        unsigned pick = (unsigned)rnd_below(n);
        for (int m = 0; m < FA_COUNT; m++)
            if (fa_enabled[m] && 0 == pick--) {
                o->mode = m;
                break;
            }
    }
    return true;
}

/* One operation line of a log; false at the end. Lines starting with '#' are comments. */
static bool replay_next(struct op *o)
{
    char line[256];
    while (fgets(line, sizeof line, replayf)) {
        if ('#' == line[0] || '\n' == line[0])
            continue;
        char name[32] = "", mode[32] = "";
        unsigned long long num = 0, a = 0, b = 0;
        int n = sscanf(line, "%llu %31s %lli %lli %31s", &num, name, (long long *)&a,
                       (long long *)&b, mode);
        memset(o, 0, sizeof *o);
        o->num = num;
        int k = 0;
        while (k < OP_COUNT && strcmp(name, op_names[k]))
            k++;
        bool ok = n >= 2 && k < OP_COUNT;
        o->kind = (enum op_kind)k;
        if (ok && (OP_FSYNC == k || OP_REOPEN == k))
            ok = 2 == n;
        else if (ok && OP_TRUNCATE == k)
            ok = 3 == n, o->off = a;
        else if (ok && OP_FALLOCATE == k) {
            ok = 5 == n;
            o->off = a, o->len = b, o->mode = FA_COUNT;
            for (int m = 0; m < FA_COUNT; m++)
                if (0 == strcmp(mode, fa_names[m]))
                    o->mode = m;
            ok = ok && o->mode < FA_COUNT;
        } else if (ok)
            ok = 4 == n, o->off = a, o->len = b;
        if (ok && (o->off > maxfilelen || o->len > maxoplen || o->off + o->len > maxfilelen)) {
            fprintf(stderr, "fsx: %s: the operation does not fit -l/-o: %s", replayname, line);
            exit(2);
        }
        if (!ok) {
            fprintf(stderr, "fsx: %s: not an operation: %s", replayname, line);
            exit(2);
        }
        return true;
    }
    return false;
}

static void run_op(const struct op *o)
{
    history[nhistory++ % HISTORY] = *o;
    char line[128];
    if (logf || trace)
        op_format(o, line, sizeof line);
    if (logf)
        fprintf(logf, "%s\n", line);
    if (trace)
        printf("%s\n", line);
    counts[o->kind]++;
    switch (o->kind) {
    case OP_READ: do_read(o); break;
    case OP_WRITE: do_write(o); break;
    case OP_MAPREAD: do_mapread(o); break;
    case OP_MAPWRITE: do_mapwrite(o); break;
    case OP_TRUNCATE: do_truncate(o); break;
    case OP_FALLOCATE:
        if (do_fallocate(o))
            fa_counts[o->mode]++;
        break;
    case OP_FSYNC: do_fsync(); break;
    case OP_REOPEN: do_reopen(); break;
    default: break;
    }
    check_size(op_names[o->kind]);
}

/* ---- command line ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fsx [options] FILE\n"
            "  -N numops    operations to run (default 10000; 0: until interrupted)\n"
            "  -S seed      random seed (default: from the clock; printed)\n"
            "  -l flen      maximum file length (default 256K; K/M suffixes)\n"
            "  -o oplen     maximum length of one operation (default 64K)\n"
            "  -r bdy       align read offsets and lengths to bdy\n"
            "  -w bdy       align write and fallocate offsets and lengths to bdy\n"
            "  -t bdy       align truncate sizes to bdy\n"
            "  -c permille  chance per operation to close and reopen the file (default 10; 0: never)\n"
            "  -R           no mmap reads          -W  no mmap writes\n"
            "  -T           no truncates           -F  no fallocate\n"
            "  -Y           no fsync\n"
            "  -x MODES     fallocate modes not to use (comma list of default,keep,punch,zero,zero-keep)\n"
            "  -E           a fallocate mode the file system refuses with EOPNOTSUPP is skipped\n"
            "               from then on (by default that is a failure)\n"
            "  -C n         read the whole file back every n operations (default 2000; 0: at the end only)\n"
            "  -L LOG       write every operation to LOG\n"
            "  --replay LOG run the operations of LOG (from -L) instead of random ones\n"
            "  -d           print every operation      -q  quiet\n"
            "The file is created (truncated). On a failure: FILE.fsxgood holds what it should hold.\n");
}

static bool parse_size(const char *s, uint64_t *pv)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || '-' == s[0])
        return false;
    unsigned shift = 0;
    if ('k' == *end || 'K' == *end)
        shift = 10, end++;
    else if ('m' == *end || 'M' == *end)
        shift = 20, end++;
    else if ('g' == *end || 'G' == *end)
        shift = 30, end++;
    if (*end || v > (ULLONG_MAX >> shift))
        return false;
    *pv = v << shift;
    return true;
}

static bool parse_modes(const char *s)
{
    char *copy = strdup(s), *save = 0;
    bool ok = copy != 0;
    for (char *t = copy ? strtok_r(copy, ",", &save) : 0; t && ok; t = strtok_r(0, ",", &save)) {
        int m = 0;
        while (m < FA_COUNT && strcmp(t, fa_names[m]))
            m++;
        if (m == FA_COUNT)
            ok = false;
        else
            fa_enabled[m] = false;
    }
    free(copy);
    return ok;
}

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int main(int argc, char **argv)
{
    bool seed_given = false;
    int i = 1;
    for (; i < argc && '-' == argv[i][0] && argv[i][1]; i++) {
        const char *a = argv[i];
        if (0 == strcmp(a, "--")) {
            i++;
            break;
        }
        if (0 == strcmp(a, "-h") || 0 == strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        bool ok = true;
        const char *v = 0;
        if (0 == strcmp(a, "--replay") || strchr("NSlortwcxCL", a[1])) {
            if (a[1] != '-' && a[2])
                v = a + 2;
            else if (i + 1 < argc)
                v = argv[++i];
            else {
                fprintf(stderr, "fsx: %s needs a value\n", a);
                return 2;
            }
        }
        if (0 == strcmp(a, "--replay"))
            replayname = v;
        else if ('-' == a[1])
            ok = false;
        else
            switch (a[1]) {
            case 'N': ok = parse_size(v, &numops); break;
            case 'S': ok = parse_size(v, &seed), seed_given = true; break;
            case 'l': ok = parse_size(v, &maxfilelen) && maxfilelen > 0; break;
            case 'o': ok = parse_size(v, &maxoplen) && maxoplen > 0; break;
            case 'r': ok = parse_size(v, &readbdy) && readbdy > 0; break;
            case 'w': ok = parse_size(v, &writebdy) && writebdy > 0; break;
            case 't': ok = parse_size(v, &truncbdy) && truncbdy > 0; break;
            case 'c': {
                uint64_t c;
                ok = parse_size(v, &c) && c <= 1000;
                reopen_per_mille = (unsigned)c;
                break;
            }
            case 'C': ok = parse_size(v, &check_every); break;
            case 'x': ok = parse_modes(v); break;
            case 'L': logname = v; break;
            case 'R': op_enabled[OP_MAPREAD] = false, ok = !a[2]; break;
            case 'W': op_enabled[OP_MAPWRITE] = false, ok = !a[2]; break;
            case 'T': op_enabled[OP_TRUNCATE] = false, ok = !a[2]; break;
            case 'F': op_enabled[OP_FALLOCATE] = false, ok = !a[2]; break;
            case 'Y': op_enabled[OP_FSYNC] = false, ok = !a[2]; break;
            case 'E': skip_unsupported = true, ok = !a[2]; break;
            case 'd': trace = true, ok = !a[2]; break;
            case 'q': quiet = true, ok = !a[2]; break;
            default: ok = false;
            }
        if (!ok) {
            fprintf(stderr, "fsx: invalid option or value: %s%s%s\n", a, v ? " " : "", v ? v : "");
            usage(stderr);
            return 2;
        }
    }
    if (i + 1 != argc) {
        fprintf(stderr, "fsx: %s\n", i < argc ? "one FILE only" : "FILE is missing");
        usage(stderr);
        return 2;
    }
    fname = argv[i];
    if (replayname && !(replayf = fopen(replayname, "re"))) {
        fprintf(stderr, "fsx: cannot read %s: %s\n", replayname, strerror(errno));
        return 2;
    }
    if (replayf) {
        /* The log's first line gives the seed and lengths of the run it came from. */
        char line[512];
        unsigned long long s, l, o;
        if (fgets(line, sizeof line, replayf) &&
            3 == sscanf(line, "# fsx seed %llu -l %lli -o %lli", &s, (long long *)&l, (long long *)&o) &&
            l > 0 && o > 0 && l <= (1ULL << 32)) {
            seed = s, maxfilelen = l, maxoplen = o > l ? l : o;
            seed_given = true;
        }
        rewind(replayf);
    }
    if (maxoplen > maxfilelen)
        maxoplen = maxfilelen;
    if (maxfilelen > (1ULL << 32)) {
        fprintf(stderr, "fsx: -l above 4G is not supported (the model is kept in memory)\n");
        return 2;
    }
    pagesize = sysconf(_SC_PAGESIZE);
    if (!seed_given) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = ((uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid()) % 1000000000;
    }
    rng_state = seed;
    good = malloc(maxfilelen + 1);
    temp = malloc(maxfilelen + 1);
    if (!good || !temp) {
        fprintf(stderr, "fsx: out of memory\n");
        return 2;
    }
    if (logname && !(logf = fopen(logname, "we"))) {
        fprintf(stderr, "fsx: cannot write %s: %s\n", logname, strerror(errno));
        return 2;
    }
    if (logf) {
        fprintf(logf, "# fsx seed %" PRIu64 " -l 0x%" PRIx64 " -o 0x%" PRIx64 " file %s\n", seed,
                maxfilelen, maxoplen, fname);
        setvbuf(logf, 0, _IOLBF, 0);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);

    if (!quiet) {
        if (replayname)
            printf("fsx: %s, replaying %s (seed %" PRIu64 ")", fname, replayname, seed);
        else
            printf("fsx: %s, seed %" PRIu64 ", %" PRIu64 " operations", fname, seed, numops);
        printf(", file up to 0x%" PRIx64 " bytes, operations up to 0x%" PRIx64 "\n", maxfilelen,
               maxoplen);
        fflush(stdout);
    }
    open_file(true);
    good_size = 0;
    uint64_t done = 0;
    struct op o;
    while (!stop_requested) {
        if (replayf) {
            if (!replay_next(&o))
                break;
        } else {
            if (numops && done >= numops)
                break;
            if (!choose(&o, done + 1))
                break;
        }
        run_op(&o);
        done++;
        if (check_every && 0 == done % check_every) {
            check_whole_file("whole-file check");
            if (!quiet && done % (check_every * 50) == 0) {
                printf("fsx: %" PRIu64 " operations\n", done);
                fflush(stdout);
            }
        }
    }
    check_whole_file("final whole-file check");
    if (0 != close(fd))
        failure("close: %s", strerror(errno));
    if (logf)
        fclose(logf);
    if (replayf)
        fclose(replayf);
    if (!quiet) {
        printf("fsx: %" PRIu64 " operations:", done);
        for (int k = 0; k < OP_COUNT; k++)
            printf(" %s %" PRIu64, op_names[k], counts[k]);
        printf("; fallocate modes:");
        for (int m = 0; m < FA_COUNT; m++)
            printf(" %s %" PRIu64 "%s", fa_names[m], fa_counts[m],
                   unsupported_seen[m] ? " (refused, skipped)" : "");
        printf("\n");
    }
    free(good);
    free(temp);
    printf("1 passed, 0 failed\n");
    return 0;
}
