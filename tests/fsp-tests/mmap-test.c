/*
 * tests/fsp-tests/mmap-test.c - fsp-tests group mmap: memory-mapped files and
 * their coherence with read(2)/write(2), msync, MAP_PRIVATE, truncation of a
 * mapped file, and two mappings of one file.
 *
 * Mappings always stay within the file size (touching a page past EOF is SIGBUS).
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096

static uint8_t buf[16 * PG];

static uint8_t pat(size_t off, unsigned seed)
{
    return (uint8_t)(off % 253 + (off >> 12) * 11 + seed * 17 + 1);
}

static void fill(uint8_t *p, size_t off, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = pat(off + i, seed);
}

static bool check(const uint8_t *p, size_t off, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != pat(off + i, seed))
            return false;
    return true;
}

static bool zeros(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

static bool pread_full(int fd, void *p, size_t len, off_t off)
{
    return (ssize_t)len == pread(fd, p, len, off);
}

/* Stores through a MAP_SHARED mapping are seen by read(2), now and after the file is reopened. */
static void mmap_shared_write_test(void)
{
    const size_t size = 5 * PG + 100;
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    ASSERT(0 == ftruncate(fd, (off_t)size));
    uint8_t *m = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (MAP_FAILED == m)
        close(fd);
    ASSERT(MAP_FAILED != m);
    ASSERT(zeros(m, size));
    fill(m, 0, size, 1);
    /* the same descriptor, at once */
    memset(buf, 0, sizeof buf);
    bool ok = pread_full(fd, buf, size, 0) && check(buf, 0, size, 1);
    /* another descriptor, at once */
    int fd2 = open("file", O_RDONLY);
    memset(buf, 0, sizeof buf);
    ok = ok && -1 != fd2 && pread_full(fd2, buf, size, 0) && check(buf, 0, size, 1);
    if (-1 != fd2)
        close(fd2);
    ok = ok && 0 == msync(m, size, MS_SYNC);
    munmap(m, size);
    struct stat st;
    ok = ok && 0 == fstat(fd, &st) && (off_t)size == st.st_size;
    close(fd);
    ASSERT(ok);
    /* the data reached the file system: a fresh open reads it */
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), size);
    ASSERT(check(buf, 0, size, 1));
}

/* Changes made with write(2) show in an existing mapping and a new one. */
static void mmap_write_then_map_test(void)
{
    const size_t size = 3 * PG;
    fill(buf, 0, size, 2);
    fsp_tests_write_file("file", buf, size);
    int fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    uint8_t *m = mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
    if (MAP_FAILED == m)
        close(fd);
    ASSERT(MAP_FAILED != m);
    bool ok = check(m, 0, size, 2);
    fill(buf, PG + 10, 100, 3);
    ok = ok && 100 == pwrite(fd, buf, 100, PG + 10);
    ok = ok && check(m, 0, PG + 10, 2) && check(m + PG + 10, PG + 10, 100, 3) &&
         check(m + PG + 110, PG + 110, size - PG - 110, 2);
    munmap(m, size);
    /* a mapping made after the write, on a new descriptor, read-only */
    int fd2 = open("file", O_RDONLY);
    m = -1 != fd2 ? mmap(0, size, PROT_READ, MAP_SHARED, fd2, 0) : MAP_FAILED;
    ok = ok && MAP_FAILED != m && check(m + PG + 10, PG + 10, 100, 3) && check(m, 0, PG + 10, 2);
    if (MAP_FAILED != m)
        munmap(m, size);
    if (-1 != fd2)
        close(fd2);
    close(fd);
    ASSERT(ok);
}

/* msync of part of a mapping, MS_ASYNC and MS_INVALIDATE succeed and the data persists. */
static void mmap_msync_test(void)
{
    const size_t size = 8 * PG;
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    ASSERT(0 == ftruncate(fd, (off_t)size));
    uint8_t *m = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd); /* the mapping keeps the file open */
    ASSERT(MAP_FAILED != m);
    fill(m + 2 * PG, 2 * PG, 3 * PG, 4);
    int r1 = msync(m + 2 * PG, 3 * PG, MS_SYNC);
    fill(m + 6 * PG, 6 * PG, PG, 5);
    int r2 = msync(m, size, MS_ASYNC);
    int r3 = msync(m, size, MS_SYNC | MS_INVALIDATE);
    /* misaligned address: EINVAL */
    errno = 0;
    int r4 = msync(m + 1, PG, MS_SYNC);
    int e4 = errno;
    munmap(m, size);
    ASSERT_EQ(r1, 0);
    ASSERT_EQ(r2, 0);
    ASSERT_EQ(r3, 0);
    ASSERT_EQ(r4, -1);
    ASSERT_EQ(e4, EINVAL);
    memset(buf, 0xee, sizeof buf);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), size);
    ASSERT(zeros(buf, 2 * PG));
    ASSERT(check(buf + 2 * PG, 2 * PG, 3 * PG, 4));
    ASSERT(zeros(buf + 5 * PG, PG));
    ASSERT(check(buf + 6 * PG, 6 * PG, PG, 5));
    ASSERT(zeros(buf + 7 * PG, PG));
}

/* A mapping of a file whose size is not a page multiple: the tail of the last page is zeros. */
static void mmap_partial_page_test(void)
{
    const size_t size = 2 * PG + 123;
    fill(buf, 0, size, 6);
    fsp_tests_write_file("file", buf, size);
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    uint8_t *m = mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    ASSERT(MAP_FAILED != m);
    bool ok = check(m, 0, size, 6) && zeros(m + size, 3 * PG - size);
    munmap(m, size);
    ASSERT(ok);
    /* mapping at a page offset */
    fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    m = mmap(0, PG + 123, PROT_READ, MAP_SHARED, fd, PG);
    close(fd);
    ASSERT(MAP_FAILED != m);
    ok = check(m, PG, PG + 123, 6);
    munmap(m, PG + 123);
    ASSERT(ok);
}

/* MAP_PRIVATE stores stay private. */
static void mmap_private_test(void)
{
    const size_t size = 2 * PG;
    fill(buf, 0, size, 7);
    fsp_tests_write_file("file", buf, size);
    int fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    uint8_t *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    uint8_t *s = mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
    bool ok = MAP_FAILED != p && MAP_FAILED != s;
    if (ok) {
        ok = check(p, 0, size, 7);
        memset(p + 100, 'P', 1000);
        ok = ok && 'P' == p[100] && check(s, 0, size, 7) && 0 == msync(p, size, MS_SYNC);
        memset(buf, 0, size);
        ok = ok && pread_full(fd, buf, size, 0) && check(buf, 0, size, 7);
    }
    if (MAP_FAILED != p)
        munmap(p, size);
    if (MAP_FAILED != s)
        munmap(s, size);
    close(fd);
    ASSERT(ok);
    memset(buf, 0, size);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), size);
    ASSERT(check(buf, 0, size, 7));
}

/* Truncate a mapped file and extend it again: what was cut off comes back as zeros. */
static void mmap_truncate_test(void)
{
    const size_t size = 4 * PG;
    fill(buf, 0, size, 8);
    fsp_tests_write_file("file", buf, size);
    int fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    uint8_t *m = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (MAP_FAILED == m)
        close(fd);
    ASSERT(MAP_FAILED != m);
    bool ok = check(m, 0, size, 8);
    /* cut in the middle of page 1; pages 2 and 3 are now past EOF (not touched) */
    ok = ok && 0 == ftruncate(fd, PG + 500);
    ok = ok && check(m, 0, PG + 500, 8) && zeros(m + PG + 500, PG - 500);
    ok = ok && 0 == ftruncate(fd, (off_t)size);
    ok = ok && check(m, 0, PG + 500, 8) && zeros(m + PG + 500, size - PG - 500);
    /* the mapping still writes through */
    m[3 * PG + 1] = 'X';
    ok = ok && 0 == msync(m, size, MS_SYNC);
    memset(buf, 0xee, size);
    ok = ok && pread_full(fd, buf, size, 0) && check(buf, 0, PG + 500, 8) && 'X' == buf[3 * PG + 1] &&
         zeros(buf + PG + 500, 2 * PG - 500 + 1) && zeros(buf + 3 * PG + 2, PG - 2);
    munmap(m, size);
    struct stat st;
    ok = ok && 0 == fstat(fd, &st) && (off_t)size == st.st_size;
    close(fd);
    ASSERT(ok);
    memset(buf, 0xee, size);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), size);
    ASSERT(check(buf, 0, PG + 500, 8));
    ASSERT(zeros(buf + PG + 500, 2 * PG - 500));
    ASSERT_EQ(buf[3 * PG + 1], 'X');
}

/* Two shared mappings (through two descriptors) see each other's stores. */
static void mmap_two_mappings_test(void)
{
    const size_t size = 3 * PG;
    int fd1 = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd1);
    int fd2 = open("file", O_RDWR);
    bool ok = -1 != fd2 && 0 == ftruncate(fd1, (off_t)size);
    uint8_t *a = ok ? mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd1, 0) : MAP_FAILED;
    uint8_t *b = ok ? mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0) : MAP_FAILED;
    /* a third mapping of only the middle page */
    uint8_t *c = ok ? mmap(0, PG, PROT_READ, MAP_SHARED, fd2, PG) : MAP_FAILED;
    ok = ok && MAP_FAILED != a && MAP_FAILED != b && MAP_FAILED != c;
    if (ok) {
        fill(a, 0, size, 9);
        ok = check(b, 0, size, 9) && check(c, PG, PG, 9);
        fill(b + PG, PG, PG, 10);
        ok = ok && check(a + PG, PG, PG, 10) && check(c, PG, PG, 10) && check(a, 0, PG, 9);
        ok = ok && 0 == msync(a, size, MS_SYNC) && 0 == msync(b, size, MS_SYNC);
    }
    if (MAP_FAILED != a)
        munmap(a, size);
    if (MAP_FAILED != b)
        munmap(b, size);
    if (MAP_FAILED != c)
        munmap(c, PG);
    if (-1 != fd2)
        close(fd2);
    close(fd1);
    ASSERT(ok);
    memset(buf, 0, sizeof buf);
    ASSERT_EQ(fsp_tests_read_file("file", buf, sizeof buf), size);
    ASSERT(check(buf, 0, PG, 9));
    ASSERT(check(buf + PG, PG, PG, 10));
    ASSERT(check(buf + 2 * PG, 2 * PG, PG, 9));
}

/* A writable shared mapping needs a descriptor open for writing. */
static void mmap_access_test(void)
{
    fsp_tests_write_file("file", "data", 4);
    int fd = open("file", O_RDONLY);
    ASSERT(-1 != fd);
    errno = 0;
    void *m = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int e = errno;
    if (MAP_FAILED != m)
        munmap(m, PG);
    /* a private writable mapping of a read-only descriptor is fine */
    uint8_t *p = mmap(0, 4, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    bool ok = MAP_FAILED != p && 0 == memcmp(p, "data", 4);
    if (MAP_FAILED != p) {
        p[0] = 'D';
        munmap(p, 4);
    }
    close(fd);
    ASSERT(MAP_FAILED == m);
    ASSERT_EQ(e, EACCES);
    ASSERT(ok);
    char b[8];
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 4);
    ASSERT(0 == memcmp(b, "data", 4));
}

/* A mapping outlives the unlinking of the file. */
static void mmap_unlink_test(void)
{
    const size_t size = 2 * PG;
    fill(buf, 0, size, 11);
    fsp_tests_write_file("file", buf, size);
    int fd = open("file", O_RDWR);
    ASSERT(-1 != fd);
    uint8_t *m = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    ASSERT(MAP_FAILED != m);
    bool ok = 0 == unlink("file") && check(m, 0, size, 11);
    if (ok) {
        fill(m, 0, size, 12);
        ok = check(m, 0, size, 12) && 0 == msync(m, size, MS_SYNC);
    }
    munmap(m, size);
    ASSERT(ok);
    struct stat st;
    ASSERT_ERRNO(stat("file", &st), ENOENT);
}

/* After msync(MS_SYNC) the file system itself holds the data (read through its interface). */
static void mmap_msync_native_test(void)
{
    fsp_tests_need_internal();
    const size_t size = 3 * PG;
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    ASSERT(0 == ftruncate(fd, (off_t)size));
    uint8_t *m = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (MAP_FAILED == m)
        close(fd);
    ASSERT(MAP_FAILED != m);
    fill(m, 0, size, 13);
    int r = msync(m, size, MS_SYNC);
    /* read it natively while the mapping and the descriptor are still there */
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    const char *dir = fsp_tests_dir() + strlen(fsp_tests_root());
    size_t n = 0;
    for (const char *p = dir; *p && n + 8 < ARRAYSIZE(name); p++)
        name[n++] = '/' == *p ? L'\\' : (WCHAR)(unsigned char)*p;
    wcscpy(name + n, L"\\file");
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    NTSTATUS s = fs->Interface->Open(fs, name, 0, FILE_GENERIC_READ, &ctx, &info);
    ULONG got = 0;
    memset(buf, 0, sizeof buf);
    if (NT_SUCCESS(s)) {
        s = fs->Interface->Read(fs, ctx, buf, 0, sizeof buf, &got);
        fs->Interface->Cleanup(fs, ctx, name, 0);
        fs->Interface->Close(fs, ctx);
    }
    munmap(m, size);
    close(fd);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(s, STATUS_SUCCESS);
    ASSERT_EQ(got, size);
    ASSERT(check(buf, 0, size, 13));
}

void mmap_tests(void)
{
    TLIB_ADD_TEST("mmap", mmap_shared_write_test);
    TLIB_ADD_TEST("mmap", mmap_write_then_map_test);
    TLIB_ADD_TEST("mmap", mmap_msync_test);
    TLIB_ADD_TEST("mmap", mmap_partial_page_test);
    TLIB_ADD_TEST("mmap", mmap_private_test);
    TLIB_ADD_TEST("mmap", mmap_truncate_test);
    TLIB_ADD_TEST("mmap", mmap_two_mappings_test);
    TLIB_ADD_TEST("mmap", mmap_access_test);
    TLIB_ADD_TEST("mmap", mmap_unlink_test);
    TLIB_ADD_TEST("mmap", mmap_msync_native_test);
}
