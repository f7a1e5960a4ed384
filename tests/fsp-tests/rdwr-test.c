/*
 * tests/fsp-tests/rdwr-test.c - fsp-tests group rdwr: reading and writing file data
 * (in the spirit of winfsp-tests' rdwr group, in POSIX terms): round trips at
 * page-boundary sizes and offsets, pread/pwrite, O_APPEND, EOF, sparse and
 * multi-GiB files, O_DIRECT, fsync, truncation, concurrent writers,
 * SEEK_DATA/SEEK_HOLE, fallocate, copy_file_range, bad access modes and a
 * large file with a checksum.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define KiB 1024ULL
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * 1024 * 1024)

static uint8_t wbuf[MiB + 8192] __attribute__((aligned(4096)));
static uint8_t rbuf[MiB + 8192] __attribute__((aligned(4096)));

/* The byte a pattern puts at file offset off (differs between pages and seeds). */
static uint8_t pat(uint64_t off, unsigned seed)
{
    return (uint8_t)(off % 251 + (off >> 12) * 7 + seed * 13 + 1);
}

static void fill_pat(uint8_t *buf, uint64_t off, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pat(off + i, seed);
}

/* Index of the first byte of buf that differs from the pattern, or -1. */
static long check_pat(const uint8_t *buf, uint64_t off, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != pat(off + i, seed))
            return (long)i;
    return -1;
}

static bool all_zero(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i])
            return false;
    return true;
}

/* pwrite/pread all of len (looping over short transfers); returns the count or -1. */
static ssize_t pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
        if (n <= 0)
            return n < 0 ? -1 : (ssize_t)done;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static ssize_t pread_all(int fd, void *buf, size_t len, off_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
        if (n < 0)
            return -1;
        if (0 == n)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static off_t file_size(const char *path)
{
    struct stat st;
    ASSERT(0 == stat(path, &st));
    return st.st_size;
}

/* Write len pattern bytes at off into a fresh file, read them back (and the zeros before). */
static void rdwr_sizes_test(void)
{
    static const size_t sizes[] = {1, 4095, 4096, 4097, 128 * KiB, MiB + 1};
    static const off_t offsets[] = {0, 1, 4095, 4096, 12345};
    for (size_t s = 0; s < ARRAYSIZE(sizes); s++)
        for (size_t o = 0; o < ARRAYSIZE(offsets); o++) {
            size_t len = sizes[s];
            off_t off = offsets[o];
            unsigned seed = (unsigned)(s * 5 + o);
            int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
            ASSERT(-1 != fd);
            fill_pat(wbuf, (uint64_t)off, len, seed);
            ssize_t n = pwrite_all(fd, wbuf, len, off);
            close(fd);
            ASSERT_EQ(n, len);
            ASSERT_EQ(file_size("file"), off + (off_t)len);

            /* read back on a new descriptor, the whole file in one go */
            fd = open("file", O_RDONLY);
            ASSERT(-1 != fd);
            memset(rbuf, 0xee, sizeof rbuf);
            n = pread_all(fd, rbuf, (size_t)off + len + 100, 0);
            close(fd);
            ASSERT_EQ(n, (size_t)off + len);
            ASSERT(all_zero(rbuf, (size_t)off));
            ASSERT_EQ(check_pat(rbuf + off, (uint64_t)off, len, seed), -1);
        }
}

/* Overwrite random ranges of a file and compare with a shadow copy. */
static void rdwr_overwrite_test(void)
{
    enum { SIZE = 256 * 1024 };
    static uint8_t shadow[SIZE];
    memset(shadow, 0, sizeof shadow);
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    ASSERT(0 == ftruncate(fd, SIZE));
    unsigned r = 12345;
    bool ok = true;
    for (int i = 0; i < 300 && ok; i++) {
        r = r * 1103515245u + 12345u;
        size_t off = (r >> 8) % SIZE;
        r = r * 1103515245u + 12345u;
        size_t len = 1 + (r >> 8) % 9000;
        if (off + len > SIZE)
            len = SIZE - off;
        fill_pat(wbuf, off, len, (unsigned)i);
        memcpy(shadow + off, wbuf, len);
        ok = (ssize_t)len == pwrite_all(fd, wbuf, len, (off_t)off);
        if (ok && 0 == i % 50) {
            ok = SIZE == pread_all(fd, rbuf, SIZE, 0) && 0 == memcmp(rbuf, shadow, SIZE);
        }
    }
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(file_size("file"), SIZE);
    ASSERT_EQ(fsp_tests_read_file("file", rbuf, SIZE + 1), SIZE);
    ASSERT(0 == memcmp(rbuf, shadow, SIZE));
}

/* pread/pwrite leave the file offset alone; read/write move it. */
static void rdwr_pread_pwrite_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    bool ok = 5 == write(fd, "hello", 5) && 5 == lseek(fd, 0, SEEK_CUR) &&
              5 == pwrite(fd, "WORLD", 5, 100) && 5 == lseek(fd, 0, SEEK_CUR) &&
              6 == write(fd, " there", 6) && 11 == lseek(fd, 0, SEEK_CUR);
    char b[128];
    memset(b, 0, sizeof b);
    ok = ok && 5 == pread(fd, b, 5, 100) && 0 == memcmp(b, "WORLD", 5) && 11 == lseek(fd, 0, SEEK_CUR);
    ok = ok && 0 == lseek(fd, 0, SEEK_SET) && 105 == read(fd, b, sizeof b) &&
              0 == memcmp(b, "hello there", 11) && all_zero((uint8_t *)b + 11, 89) &&
              0 == memcmp(b + 100, "WORLD", 5) && 105 == lseek(fd, 0, SEEK_CUR);
    close(fd);
    ASSERT(ok);
}

static void rdwr_append_test(void)
{
    fsp_tests_write_file("file", "abc", 3);
    int fd = open("file", O_WRONLY | O_APPEND);
    ASSERT(-1 != fd);
    bool ok = 3 == write(fd, "def", 3);
    ok = ok && 0 == lseek(fd, 0, SEEK_SET) && 3 == write(fd, "ghi", 3);
    /* pwrite on an O_APPEND descriptor appends too (Linux) */
    ok = ok && 3 == pwrite(fd, "jkl", 3, 0);
    close(fd);
    ASSERT(ok);
    /* a second appending descriptor sees the size the first one made */
    int fd1 = open("file", O_WRONLY | O_APPEND);
    int fd2 = open("file", O_WRONLY | O_APPEND);
    ok = -1 != fd1 && -1 != fd2 && 1 == write(fd1, "1", 1) && 1 == write(fd2, "2", 1) &&
         1 == write(fd1, "3", 1);
    if (-1 != fd1)
        close(fd1);
    if (-1 != fd2)
        close(fd2);
    ASSERT(ok);
    char b[64];
    size_t n = fsp_tests_read_file("file", b, sizeof b);
    ASSERT_EQ(n, 15);
    ASSERT(0 == memcmp(b, "abcdefghijkl123", 15));
}

static void rdwr_eof_test(void)
{
    fsp_tests_write_file("file", "0123456789", 10);
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    char b[64];
    bool ok = 10 == read(fd, b, sizeof b) && 0 == read(fd, b, sizeof b) && 0 == read(fd, b, 1);
    ok = ok && 0 == pread(fd, b, 10, 10) && 0 == pread(fd, b, 10, 4096) &&
         0 == pread(fd, b, 10, (off_t)GiB);
    ok = ok && 3 == pread(fd, b, 10, 7) && 0 == memcmp(b, "789", 3);
    ok = ok && 100 == lseek(fd, 100, SEEK_SET) && 0 == read(fd, b, sizeof b);
    close(fd);
    ASSERT(ok);
    /* an empty file */
    fsp_tests_write_file("empty", 0, 0);
    fd = open("empty", O_RDONLY);
    ASSERT(-1 != fd);
    ok = 0 == read(fd, b, sizeof b) && 0 == pread(fd, b, 1, 0);
    close(fd);
    ASSERT(ok);
}

/* Holes read as zeros and take no space. */
static void sparse_check(uint64_t at)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    fill_pat(wbuf, at, 4096, 3);
    bool ok = 4096 == pwrite_all(fd, wbuf, 4096, (off_t)at);
    struct stat st;
    ok = ok && 0 == fstat(fd, &st);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(st.st_size, at + 4096);
    ASSERT(st.st_blocks * 512 < 1 * (long long)MiB);

    fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    static const uint64_t holes[] = {0, 4096, 100 * MiB + 17, 0};
    for (size_t i = 0; i < ARRAYSIZE(holes) && ok; i++) {
        uint64_t h = i == ARRAYSIZE(holes) - 1 ? at - 8192 : holes[i];
        memset(rbuf, 0xee, 8192);
        ok = 8192 == pread_all(fd, rbuf, 8192, (off_t)h) && all_zero(rbuf, 8192);
    }
    /* the data, and the bytes just before it */
    memset(rbuf, 0xee, 8192);
    ok = ok && 4096 + 100 == pread_all(fd, rbuf, 8192, (off_t)at - 100) && all_zero(rbuf, 100) &&
         -1 == check_pat(rbuf + 100, at, 4096, 3);
    ok = ok && 0 == fstat(fd, &st);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(st.st_size, at + 4096);

    /* truncating back to a small size frees the space */
    ASSERT(0 == truncate("file", 10));
    ASSERT_EQ(file_size("file"), 10);
}

static void rdwr_sparse_test(void)
{
    sparse_check(GiB);
}

static void rdwr_sparse_5g_test(void)
{
    sparse_check(5 * GiB + 12345);
}

/* Data crossing the 4 GiB boundary (no 32-bit offset arithmetic anywhere). */
static void rdwr_4g_boundary_test(void)
{
    sparse_check(4 * GiB - 2048);
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    fill_pat(wbuf, 4 * GiB - 5000, 10000, 4);
    bool ok = 10000 == pwrite_all(fd, wbuf, 10000, (off_t)(4 * GiB - 5000));
    memset(rbuf, 0, 20000);
    ok = ok && 10000 == pread_all(fd, rbuf, 20000, (off_t)(4 * GiB - 5000)) &&
         -1 == check_pat(rbuf, 4 * GiB - 5000, 10000, 4);
    /* the same bytes read from the 4 GiB mark */
    ok = ok && 5000 == pread_all(fd, rbuf, 5000, (off_t)(4 * GiB)) &&
         -1 == check_pat(rbuf, 4 * GiB, 5000, 4);
    /* and the low addresses they would alias with 32-bit offsets are still holes */
    ok = ok && 8192 == pread_all(fd, rbuf, 8192, 0) && all_zero(rbuf, 8192);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(file_size("file"), 4 * GiB + 5000);
}

/* Writing, truncating and fallocating update the modification time. */
static void rdwr_mtime_test(void)
{
    fsp_tests_write_file("file", "data", 4);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file", old, 0));
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_mtim.tv_sec, 1000000000);
    int fd = open("file", O_WRONLY);
    ASSERT(-1 != fd);
    bool ok = 1 == pwrite(fd, "D", 1, 0) && 0 == fstat(fd, &st);
    close(fd);
    ASSERT(ok);
    ASSERT(st.st_mtim.tv_sec > 1000000000);
    ASSERT(0 == stat("file", &st));
    ASSERT(st.st_mtim.tv_sec > 1000000000);
    ASSERT(st.st_ctim.tv_sec > 1000000000);
    ASSERT(0 == utimensat(AT_FDCWD, "file", old, 0));
    ASSERT(0 == truncate("file", 2));
    ASSERT(0 == stat("file", &st));
    ASSERT(st.st_mtim.tv_sec > 1000000000);
    /* reading changes neither size nor mtime */
    ASSERT(0 == utimensat(AT_FDCWD, "file", old, 0));
    char b[8];
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 2);
    ASSERT(0 == memcmp(b, "Da", 2));
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_mtim.tv_sec, 1000000000);
    ASSERT_EQ(st.st_size, 2);
}

/* Data written densely takes space (st_blocks). */
static void rdwr_blocks_test(void)
{
    fill_pat(wbuf, 0, MiB, 1);
    fsp_tests_write_file("file", wbuf, MiB);
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT(st.st_blocks * 512 >= (long long)MiB);
    ASSERT(st.st_blocks * 512 < 2 * (long long)MiB);
    ASSERT(0 == truncate("file", 0));
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_blocks, 0);
}

/* I/O through a descriptor of a file unlinked or renamed since it was opened. */
static void rdwr_unlinked_test(void)
{
    fsp_tests_write_file("file", "0123456789", 10);
    int fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    char b[32];
    memset(b, 0, sizeof b);
    bool ok = 0 == rename("file", "renamed") && 3 == pwrite(fd, "abc", 3, 10) &&
              13 == pread(fd, b, sizeof b, 0) && 0 == memcmp(b, "0123456789abc", 13);
    struct stat st;
    ok = ok && 0 == unlink("renamed") && 3 == pwrite(fd, "xyz", 3, 13) && 0 == fstat(fd, &st) &&
         16 == st.st_size && 0 == st.st_nlink;
    memset(b, 0, sizeof b);
    ok = ok && 16 == pread(fd, b, sizeof b, 0) && 0 == memcmp(b, "0123456789abcxyz", 16);
    ok = ok && 0 == ftruncate(fd, 4) && 0 == fstat(fd, &st) && 4 == st.st_size;
    close(fd);
    ASSERT(ok);
    ASSERT_ERRNO(stat("renamed", &st), ENOENT);
    ASSERT_ERRNO(stat("file", &st), ENOENT);
}

static void rdwr_direct_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (-1 == fd && EINVAL == errno)
        tlib_skip("O_DIRECT not supported here");
    ASSERT(-1 != fd);
    fill_pat(wbuf, 0, 64 * KiB, 5);
    ssize_t n = pwrite(fd, wbuf, 64 * KiB, 0);
    if (-1 == n && EINVAL == errno) {
        close(fd);
        tlib_skip("O_DIRECT writes not supported here");
    }
    bool ok = 64 * KiB == n;
    /* overwrite the middle, aligned */
    fill_pat(wbuf, 8192, 16 * KiB, 6);
    ok = ok && 16 * KiB == pwrite(fd, wbuf, 16 * KiB, 8192);
    memset(rbuf, 0, 64 * KiB);
    ok = ok && 64 * KiB == pread(fd, rbuf, 64 * KiB, 0);
    ok = ok && -1 == check_pat(rbuf, 0, 8192, 5) && -1 == check_pat(rbuf + 8192, 8192, 16 * KiB, 6) &&
         -1 == check_pat(rbuf + 24 * KiB, 24 * KiB, 40 * KiB, 5);
    /* a read past EOF with O_DIRECT returns what there is */
    ok = ok && 0 == pread(fd, rbuf, 4096, 64 * KiB);
    /* one call larger than a FUSE request: 1 MiB + 8 KiB, then read back across EOF */
    fill_pat(wbuf, 0, MiB + 8192, 12);
    ok = ok && (ssize_t)(MiB + 8192) == pwrite(fd, wbuf, MiB + 8192, 0);
    memset(rbuf, 0, sizeof rbuf);
    ok = ok && (ssize_t)(MiB + 4096) == pread(fd, rbuf, MiB + 4096, 4096) &&
         -1 == check_pat(rbuf, 4096, MiB + 4096, 12);
    close(fd);
    ASSERT(ok);
    /* buffered readers see the direct writes */
    ASSERT_EQ(fsp_tests_read_file("file", rbuf, sizeof rbuf), MiB + 8192);
    ASSERT_EQ(check_pat(rbuf, 0, MiB + 8192, 12), -1);
    /* and direct readers see buffered writes */
    fill_pat(wbuf, 0, 64 * KiB, 7);
    fsp_tests_write_file("file", wbuf, 64 * KiB);
    fd = open("file", O_RDONLY | O_DIRECT);
    ASSERT(-1 != fd);
    memset(rbuf, 0, 64 * KiB);
    n = pread(fd, rbuf, 64 * KiB, 0);
    close(fd);
    ASSERT_EQ(n, 64 * KiB);
    ASSERT_EQ(check_pat(rbuf, 0, 64 * KiB, 7), -1);
}

static void rdwr_fsync_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    fill_pat(wbuf, 0, 10000, 1);
    bool ok = 10000 == write(fd, wbuf, 10000);
    int r1 = fsync(fd), r2 = fdatasync(fd), r3 = syncfs(fd);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(r3, 0);
    fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    r1 = fsync(fd);
    close(fd);
    ASSERT_EQ(r1, 0);
    /* a directory can be fsync'ed too */
    fd = open(".", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    r1 = fsync(fd);
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(fsp_tests_read_file("file", rbuf, MiB), 10000);
    ASSERT_EQ(check_pat(rbuf, 0, 10000, 1), -1);
}

/* Shrinking then growing a file leaves zeros where the data was. */
/*
 * The largest file: writing at it or truncating past it is EFBIG, a write across it is cut
 * short (POSIX; truncate/12, ftruncate/12 of pjdfstest): on the in-process memfs, whose limit
 * (MaxFileSize) is known. Everywhere: a negative size is EINVAL.
 */
static void rdwr_file_too_large_test(void)
{
    fsp_tests_write_file("file0", "x", 1);
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    errno = 0;
    int r1 = ftruncate(fd, -1);
    int e2 = errno;
    ssize_t w2 = -2, w3 = -2;
    int r2 = -2, r3 = -2, r4 = -2, e3 = 0, e4 = 0, e5 = 0, e6 = 0;
    struct stat st = {0};
    if (fsp_tests_internal()) {
        const off_t max = (off_t)FSP_TESTS_MEMFS_MAX_FILE_SIZE;
        errno = 0;
        r2 = ftruncate(fd, max + 1);
        e3 = errno;
        errno = 0;
        r3 = truncate("file0", max + 4096);
        e4 = errno;
        /* With the writeback cache the kernel takes writes into its page cache and the file
         * system sees them later: their errors reach fsync(2) and close(2), not write(2). */
        if (!fsp_tests_options.writeback) {
            errno = 0;
            w2 = pwrite(fd, "z", 1, max);
            e5 = errno;
            w3 = pwrite(fd, "abcd", 4, max - 2); /* two bytes fit */
        }
        errno = 0;
        r4 = fallocate(fd, FALLOC_FL_KEEP_SIZE, max, 4096);
        e6 = errno;
        fstat(fd, &st);
    }
    close(fd);
    ASSERT_EQ(r1, -1);
    ASSERT_EQ(e2, EINVAL);
    if (fsp_tests_internal()) {
        ASSERT_EQ(r2, -1);
        ASSERT_EQ(e3, EFBIG);
        ASSERT_EQ(r3, -1);
        ASSERT_EQ(e4, EFBIG);
        if (!fsp_tests_options.writeback) {
            ASSERT_EQ(w2, -1);
            ASSERT_EQ(e5, EFBIG);
            ASSERT_EQ(w3, 2);
            ASSERT_EQ(st.st_size, (off_t)FSP_TESTS_MEMFS_MAX_FILE_SIZE);
        }
        ASSERT_EQ(r4, -1);
        ASSERT(EFBIG == e6 || EOPNOTSUPP == e6);
    }
    ASSERT(0 == truncate("file0", 1));
}

static void rdwr_truncate_test(void)
{
    fill_pat(wbuf, 0, 3 * 4096, 2);
    fsp_tests_write_file("file", wbuf, 3 * 4096);
    int fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    bool ok = 0 == ftruncate(fd, 100) && 0 == ftruncate(fd, 3 * 4096 + 50);
    memset(rbuf, 0xee, 4 * 4096);
    ok = ok && 3 * 4096 + 50 == pread_all(fd, rbuf, 4 * 4096, 0);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(check_pat(rbuf, 0, 100, 2), -1);
    ASSERT(all_zero(rbuf + 100, 3 * 4096 + 50 - 100));
    ASSERT_EQ(file_size("file"), 3 * 4096 + 50);

    /* a truncation in the middle of a page, then a write beyond: the gap is zeros */
    fill_pat(wbuf, 0, 8192, 4);
    fsp_tests_write_file("file", wbuf, 8192);
    ASSERT(0 == truncate("file", 5000));
    fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    ok = 1 == pwrite(fd, "Z", 1, 7000);
    memset(rbuf, 0xee, 8192);
    ok = ok && 7001 == pread_all(fd, rbuf, 8192, 0);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(check_pat(rbuf, 0, 5000, 4), -1);
    ASSERT(all_zero(rbuf + 5000, 2000));
    ASSERT_EQ(rbuf[7000], 'Z');

    /* truncate to 0 and open with O_TRUNC */
    ASSERT(0 == truncate("file", 0));
    ASSERT_EQ(file_size("file"), 0);
    fsp_tests_write_file("file", "xyz", 3);
    fd = open("file", O_RDWR | O_TRUNC);
    ASSERT(-1 != fd);
    ok = 0 == read(fd, rbuf, 10);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(file_size("file"), 0);
}

struct writer {
    int fd;
    unsigned idx;
    int errors;
};

enum { NWRITERS = 4, WRITER_CHUNK = 4096 + 123, WRITER_CHUNKS = 48 };

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    uint8_t buf[WRITER_CHUNK];
    uint64_t base = (uint64_t)w->idx * WRITER_CHUNK * WRITER_CHUNKS;
    for (unsigned i = 0; i < WRITER_CHUNKS; i++) {
        /* every writer goes through its region in a different order */
        unsigned c = (i * 7 + w->idx) % WRITER_CHUNKS;
        uint64_t off = base + (uint64_t)c * WRITER_CHUNK;
        fill_pat(buf, off, WRITER_CHUNK, 10 + w->idx);
        if (WRITER_CHUNK != pwrite_all(w->fd, buf, WRITER_CHUNK, (off_t)off))
            w->errors++;
    }
    return 0;
}

static void run_writers(bool shared_fd)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    struct writer w[NWRITERS];
    pthread_t t[NWRITERS];
    int started = 0;
    for (unsigned i = 0; i < NWRITERS; i++) {
        w[i] = (struct writer){shared_fd ? fd : open("file", O_WRONLY), i, 0};
        if (-1 == w[i].fd || 0 != pthread_create(&t[i], 0, writer_main, &w[i]))
            break;
        started++;
    }
    int errors = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], 0);
        errors += w[i].errors;
        if (!shared_fd)
            close(w[i].fd);
    }
    if (!shared_fd && started < NWRITERS && -1 != w[started].fd)
        close(w[started].fd);
    close(fd);
    ASSERT_EQ(started, NWRITERS);
    ASSERT_EQ(errors, 0);
    size_t total = (size_t)NWRITERS * WRITER_CHUNK * WRITER_CHUNKS;
    ASSERT(total <= sizeof rbuf);
    ASSERT_EQ(file_size("file"), total);
    ASSERT_EQ(fsp_tests_read_file("file", rbuf, sizeof rbuf), total);
    for (unsigned i = 0; i < NWRITERS; i++) {
        size_t region = (size_t)WRITER_CHUNK * WRITER_CHUNKS;
        ASSERT_EQ(check_pat(rbuf + i * region, i * region, region, 10 + i), -1);
    }
}

static void rdwr_threads_test(void)
{
    run_writers(true);
    run_writers(false);
}

/* SEEK_DATA/SEEK_HOLE: exact answers or the generic "all data, hole at EOF". */
static void rdwr_seek_data_hole_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    fill_pat(wbuf, 0, 4096, 1);
    const off_t size = (off_t)(MiB + 4096);
    bool ok = 4096 == pwrite(fd, wbuf, 4096, 0) && 4096 == pwrite(fd, wbuf, 4096, (off_t)MiB);
    off_t d0 = lseek(fd, 0, SEEK_DATA);
    off_t h0 = lseek(fd, 0, SEEK_HOLE);
    off_t d1 = lseek(fd, 8192, SEEK_DATA);
    off_t h1 = lseek(fd, (off_t)MiB, SEEK_HOLE);
    errno = 0;
    off_t dend = lseek(fd, size, SEEK_DATA);
    int eend = errno;
    errno = 0;
    off_t hend = lseek(fd, size + 10, SEEK_HOLE);
    int ehend = errno;
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(d0, 0);
    ASSERT(4096 == h0 || size == h0);
    ASSERT(8192 == d1 || (off_t)MiB == d1);
    ASSERT_EQ(h1, size);
    ASSERT_EQ(dend, -1);
    ASSERT_EQ(eend, ENXIO);
    ASSERT_EQ(hend, -1);
    ASSERT_EQ(ehend, ENXIO);
}

static void rdwr_fallocate_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    int r = fallocate(fd, 0, 0, (off_t)MiB);
    if (-1 == r && EOPNOTSUPP == errno) {
        close(fd);
        tlib_skip("fallocate not supported here");
    }
    struct stat st;
    bool ok = 0 == r && 0 == fstat(fd, &st) && (off_t)MiB == st.st_size;
    ok = ok && (ssize_t)MiB == pread_all(fd, rbuf, MiB + 10, 0) && all_zero(rbuf, MiB);
    /* within the size: nothing changes */
    ok = ok && 0 == fallocate(fd, 0, 4096, 4096) && 0 == fstat(fd, &st) && (off_t)MiB == st.st_size;
    /* data written into allocated space reads back */
    fill_pat(wbuf, 4000, 1000, 2);
    ok = ok && 1000 == pwrite(fd, wbuf, 1000, 4000) && 1000 == pread(fd, rbuf, 1000, 4000) &&
         -1 == check_pat(rbuf, 4000, 1000, 2);
    /* growing past the size with offset + length */
    ok = ok && 0 == fallocate(fd, 0, (off_t)MiB - 10, 20) && 0 == fstat(fd, &st) &&
         (off_t)MiB + 10 == st.st_size;
    /* FALLOC_FL_KEEP_SIZE leaves the size alone */
    r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)(2 * MiB));
    ok = ok && (0 == r || EOPNOTSUPP == errno) && 0 == fstat(fd, &st) && (off_t)MiB + 10 == st.st_size;
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(file_size("file"), MiB + 10);
    /* fallocate on a read-only descriptor */
    fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    errno = 0;
    r = fallocate(fd, 0, 0, (off_t)(4 * MiB));
    int e = errno;
    close(fd);
    ASSERT_EQ(r, -1);
    ASSERT_EQ(e, EBADF);
}

/* st_size and st_blocks of an open file, or -1 on error. */
static off_t fsize(int fd)
{
    struct stat st;
    return 0 == fstat(fd, &st) ? st.st_size : -1;
}

static off_t fblocks(int fd)
{
    struct stat st;
    return 0 == fstat(fd, &st) ? (off_t)st.st_blocks : -1;
}

/*
 * fallocate(FALLOC_FL_KEEP_SIZE) never changes the size, also on a sparse file whose allocation
 * is below its size (with Windows semantics an allocation below the size truncates: LinFsp cut
 * such files, passthrough's real source file too).
 */
static void rdwr_fallocate_keep_size_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    bool ok = 0 == ftruncate(fd, (off_t)MiB);
    fill_pat(wbuf, MiB - 4096, 4096, 3);
    ok = ok && 4096 == pwrite_all(fd, wbuf, 4096, (off_t)(MiB - 4096));
    fill_pat(wbuf, 100, 50, 4);
    ok = ok && 50 == pwrite_all(fd, wbuf, 50, 100);
    int r1 = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096);          /* inside, sparse */
    off_t s1 = fsize(fd);
    int r2 = fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 3 * 4096);   /* inside, a hole */
    off_t s2 = fsize(fd);
    int r3 = fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)MiB - 10, (off_t)MiB); /* past the end */
    off_t s3 = fsize(fd);
    ok = ok && (ssize_t)MiB == pread_all(fd, rbuf, MiB + 100, 0);
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(r3, 0);
    ASSERT_EQ(s1, MiB);
    ASSERT_EQ(s2, MiB);
    ASSERT_EQ(s3, MiB);
    ASSERT(all_zero(rbuf, 100));
    ASSERT_EQ(check_pat(rbuf + 100, 100, 50, 4), -1);
    ASSERT(all_zero(rbuf + 150, MiB - 4096 - 150));
    ASSERT_EQ(check_pat(rbuf + MiB - 4096, MiB - 4096, 4096, 3), -1);
    ASSERT_EQ(file_size("file"), MiB);
    /* the default mode extends, never shrinks */
    fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    int r4 = fallocate(fd, 0, 0, 4096);
    off_t s4 = fsize(fd);
    int r5 = fallocate(fd, 0, (off_t)MiB, 4096);
    off_t s5 = fsize(fd);
    close(fd);
    ASSERT_EQ(r4, 0);
    ASSERT_EQ(s4, MiB);
    ASSERT_EQ(r5, 0);
    ASSERT_EQ(s5, MiB + 4096);
}

/*
 * FALLOC_FL_PUNCH_HOLE (with FALLOC_FL_KEEP_SIZE, as Linux requires): the range reads as zeros,
 * the size stays, what is around it stays, and whole pages inside it are given back.
 */
static void rdwr_fallocate_punch_hole_test(void)
{
    size_t len = 256 * KiB;
    fill_pat(wbuf, 0, len, 5);
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    bool ok = (ssize_t)len == pwrite_all(fd, wbuf, len, 0) && 0 == fsync(fd);
    off_t blocks0 = fblocks(fd);
    int r1 = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 5000, 128 * KiB);
    if (-1 == r1 && EOPNOTSUPP == errno && !fsp_tests_internal()) {
        close(fd);
        tlib_skip("punch hole not supported here (memfs must)");
    }
    off_t s1 = fsize(fd);
    off_t blocks1 = fblocks(fd);
    ok = ok && (ssize_t)len == pread_all(fd, rbuf, len, 0);
    /* past the end: nothing to zero, the size stays */
    int r2 = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)len - 100, 1000);
    off_t s2 = fsize(fd);
    uint8_t tail[100];
    ok = ok && 100 == pread_all(fd, tail, 100, (off_t)len - 100);
    /* without FALLOC_FL_KEEP_SIZE Linux refuses a punch */
    errno = 0;
    int r3 = fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096);
    int e3 = errno;
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT(ok);
    ASSERT_EQ(s1, len);
    ASSERT_EQ(check_pat(rbuf, 0, 5000, 5), -1);
    ASSERT(all_zero(rbuf + 5000, 128 * KiB));
    ASSERT_EQ(check_pat(rbuf + 5000 + 128 * KiB, 5000 + 128 * KiB, len - 5000 - 128 * KiB, 5), -1);
    /* storage inside the hole was given back: on memfs its 31 whole pages, elsewhere at least
     * something (allocation units differ); with the writeback cache the kernel keeps the
     * attributes it has */
    if (fsp_tests_internal() && !fsp_tests_options.writeback)
        ASSERT(blocks1 <= blocks0 - 31 * 4096 / 512);
    else if (!fsp_tests_options.writeback)
        ASSERT(blocks1 < blocks0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(s2, len);
    ASSERT(all_zero(tail, 100));
    ASSERT_EQ(r3, -1);
    ASSERT_EQ(e3, EOPNOTSUPP);
    ASSERT_EQ(file_size("file"), len);
}

/*
 * FALLOC_FL_ZERO_RANGE: the range reads as zeros; without FALLOC_FL_KEEP_SIZE a range past the
 * end extends the file, with it the size stays. (tmpfs does not offer it: skipped there, as on
 * any external file system that answers EOPNOTSUPP; LinFsp's passthrough emulates it.)
 */
static void rdwr_fallocate_zero_range_test(void)
{
    size_t len = 64 * KiB;
    fill_pat(wbuf, 0, len, 6);
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    bool ok = (ssize_t)len == pwrite_all(fd, wbuf, len, 0);
    int r1 = fallocate(fd, FALLOC_FL_ZERO_RANGE, 1000, 10000);
    if (-1 == r1 && EOPNOTSUPP == errno && !fsp_tests_internal()) {
        close(fd);
        tlib_skip("zero range not supported here (tmpfs has none; memfs must)");
    }
    off_t s1 = fsize(fd);
    ok = ok && (ssize_t)len == pread_all(fd, rbuf, len, 0);
    int r2 = fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)len - 10, 1000);
    off_t s2 = fsize(fd);
    int r3 = fallocate(fd, FALLOC_FL_ZERO_RANGE, (off_t)len - 10, 1000);
    off_t s3 = fsize(fd);
    uint8_t tail[1000];
    ok = ok && 1000 == pread_all(fd, tail, 1000, (off_t)len - 10);
    close(fd);
    ASSERT_EQ(r1, 0);
    ASSERT(ok);
    ASSERT_EQ(s1, len);
    ASSERT_EQ(check_pat(rbuf, 0, 1000, 6), -1);
    ASSERT(all_zero(rbuf + 1000, 10000));
    ASSERT_EQ(check_pat(rbuf + 11000, 11000, len - 11000, 6), -1);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(s2, len);
    ASSERT_EQ(r3, 0);
    ASSERT_EQ(s3, len - 10 + 1000);
    ASSERT(all_zero(tail, 1000));
}

/* Modes Linux does not combine, ranges past the largest file: the errors tmpfs gives. */
static void rdwr_fallocate_invalid_test(void)
{
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    int r[5], e[5];
    errno = 0, r[0] = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 10), e[0] = errno;
    errno = 0, r[1] = fallocate(fd, 0, INT64_MAX - 10, 100), e[1] = errno;
    errno = 0, r[2] = fallocate(fd, 0, 0, 0), e[2] = errno;
    errno = 0, r[3] = fallocate(fd, 0, -1, 10), e[3] = errno;
    errno = 0, r[4] = fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), e[4] = errno;
    off_t s = fsize(fd);
    close(fd);
    ASSERT_EQ(r[0], -1);
    ASSERT_EQ(e[0], EOPNOTSUPP);
    ASSERT_EQ(r[1], -1);
    ASSERT_EQ(e[1], EFBIG);
    ASSERT_EQ(r[2], -1);
    ASSERT_EQ(e[2], EINVAL);
    ASSERT_EQ(r[3], -1);
    ASSERT_EQ(e[3], EINVAL);
    ASSERT_EQ(r[4], -1);
    ASSERT(EOPNOTSUPP == e[4] || EINVAL == e[4]);
    ASSERT_EQ(s, 0);
}

static void rdwr_copy_file_range_test(void)
{
    size_t len = 300 * KiB + 7;
    fill_pat(wbuf, 0, len, 8);
    fsp_tests_write_file("src", wbuf, len);
    int in = open("src", O_RDONLY);
    int out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
    bool ok = -1 != in && -1 != out;
    /* the whole file, then a piece of it at an offset in the middle of dst */
    size_t done = 0;
    int err = 0;
    while (ok && done < len) {
        ssize_t n = copy_file_range(in, 0, out, 0, len - done, 0);
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            ok = false;
        } else
            done += (size_t)n;
    }
    loff_t ioff = 1000, ooff = 50000;
    ssize_t n2 = ok ? copy_file_range(in, &ioff, out, &ooff, 5000, 0) : -1;
    if (-1 != in)
        close(in);
    if (-1 != out)
        close(out);
    if (!ok && (ENOSYS == err || EOPNOTSUPP == err || EXDEV == err))
        tlib_skip("copy_file_range not supported here");
    ASSERT(ok);
    ASSERT_EQ(n2, 5000);
    ASSERT_EQ(ioff, 6000);
    ASSERT_EQ(ooff, 55000);
    ASSERT_EQ(fsp_tests_read_file("dst", rbuf, MiB), len);
    ASSERT_EQ(check_pat(rbuf, 0, 50000, 8), -1);
    ASSERT_EQ(check_pat(rbuf + 50000, 1000, 5000, 8), -1);
    ASSERT_EQ(check_pat(rbuf + 55000, 55000, len - 55000, 8), -1);
    ASSERT_EQ(file_size("src"), len);
}

static void rdwr_badfd_test(void)
{
    fsp_tests_write_file("file", "data", 4);
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    errno = 0;
    ssize_t n = write(fd, "x", 1);
    int e1 = errno;
    errno = 0;
    ssize_t n2 = pwrite(fd, "x", 1, 0);
    int e2 = errno;
    close(fd);
    ASSERT_EQ(n, -1);
    ASSERT_EQ(e1, EBADF);
    ASSERT_EQ(n2, -1);
    ASSERT_EQ(e2, EBADF);
    fd = open("file", O_WRONLY);
    ASSERT(-1 != fd);
    char b[8];
    errno = 0;
    n = read(fd, b, sizeof b);
    e1 = errno;
    errno = 0;
    n2 = pread(fd, b, sizeof b, 0);
    e2 = errno;
    close(fd);
    ASSERT_EQ(n, -1);
    ASSERT_EQ(e1, EBADF);
    ASSERT_EQ(n2, -1);
    ASSERT_EQ(e2, EBADF);
    /* reading a directory */
    fd = open(".", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    errno = 0;
    n = read(fd, b, sizeof b);
    e1 = errno;
    close(fd);
    ASSERT_EQ(n, -1);
    ASSERT_EQ(e1, EISDIR);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 4);
    ASSERT(0 == memcmp(b, "data", 4));
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* 64 MiB written in 1 MiB pieces, read back in odd-sized pieces, compared by checksum. */
static void rdwr_large_test(void)
{
    const uint64_t total = 64 * MiB;
    uint64_t wsum = 1469598103934665603ULL, rsum = wsum;
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    bool ok = true;
    for (uint64_t off = 0; ok && off < total; off += MiB) {
        fill_pat(wbuf, off, MiB, 9);
        wsum = fnv(wsum, wbuf, MiB);
        ok = (ssize_t)MiB == pwrite_all(fd, wbuf, MiB, (off_t)off);
    }
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(file_size("file"), total);
    fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    uint64_t got = 0;
    const size_t piece = 777 * 1000;
    long bad = -1;
    while (ok) {
        ssize_t n = read(fd, rbuf, piece);
        if (n < 0)
            ok = false;
        if (n <= 0)
            break;
        if (bad < 0 && -1 != check_pat(rbuf, got, (size_t)n, 9))
            bad = (long)got;
        rsum = fnv(rsum, rbuf, (size_t)n);
        got += (uint64_t)n;
    }
    close(fd);
    ASSERT(ok);
    ASSERT_EQ(got, total);
    ASSERT_EQ(bad, -1);
    ASSERT(wsum == rsum);
}

void rdwr_tests(void)
{
    TLIB_ADD_TEST("rdwr", rdwr_sizes_test);
    TLIB_ADD_TEST("rdwr", rdwr_overwrite_test);
    TLIB_ADD_TEST("rdwr", rdwr_pread_pwrite_test);
    TLIB_ADD_TEST("rdwr", rdwr_append_test);
    TLIB_ADD_TEST("rdwr", rdwr_eof_test);
    TLIB_ADD_TEST("rdwr", rdwr_sparse_test);
    TLIB_ADD_TEST("rdwr", rdwr_sparse_5g_test);
    TLIB_ADD_TEST("rdwr", rdwr_4g_boundary_test);
    TLIB_ADD_TEST("rdwr", rdwr_mtime_test);
    TLIB_ADD_TEST("rdwr", rdwr_blocks_test);
    TLIB_ADD_TEST("rdwr", rdwr_unlinked_test);
    TLIB_ADD_TEST("rdwr", rdwr_direct_test);
    TLIB_ADD_TEST("rdwr", rdwr_fsync_test);
    TLIB_ADD_TEST("rdwr", rdwr_truncate_test);
    TLIB_ADD_TEST("rdwr", rdwr_file_too_large_test);
    TLIB_ADD_TEST("rdwr", rdwr_threads_test);
    TLIB_ADD_TEST("rdwr", rdwr_seek_data_hole_test);
    TLIB_ADD_TEST("rdwr", rdwr_fallocate_test);
    TLIB_ADD_TEST("rdwr", rdwr_fallocate_keep_size_test);
    TLIB_ADD_TEST("rdwr", rdwr_fallocate_punch_hole_test);
    TLIB_ADD_TEST("rdwr", rdwr_fallocate_zero_range_test);
    TLIB_ADD_TEST("rdwr", rdwr_fallocate_invalid_test);
    TLIB_ADD_TEST("rdwr", rdwr_copy_file_range_test);
    TLIB_ADD_TEST("rdwr", rdwr_badfd_test);
    TLIB_ADD_TEST("rdwr", rdwr_large_test);
}
