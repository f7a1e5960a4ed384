/*
 * tests/fsp-tests/info-test.c - fsp-tests group "info": file attributes (stat, sizes, times,
 * modes, owners), after winfsp-tests' info tests, in POSIX terms.
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long ts_ns(struct timespec ts)
{
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts_ns(ts);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Slack for comparing file times with the clock: the kernel stamps times with a coarse clock. */
#define SLACK_NS 50000000LL

static void info_stat_file_test(void)
{
    struct stat st;
    long long before = now_ns();
    fsp_tests_write_file("file0", "0123456789", 10);
    long long after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_mode & 07777, 0644);
    ASSERT_EQ(st.st_size, 10);
    ASSERT_EQ(st.st_nlink, 1);
    ASSERT_EQ(st.st_uid, geteuid());
    ASSERT_EQ(st.st_gid, getegid());
    ASSERT(st.st_blksize > 0);
    ASSERT(0 != st.st_ino);
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
    ASSERT(ts_ns(st.st_ctim) >= before - SLACK_NS && ts_ns(st.st_ctim) <= after + SLACK_NS);
    struct stat lst;
    ASSERT(0 == lstat("file0", &lst));
    ASSERT_EQ(lst.st_ino, st.st_ino);
    ASSERT_EQ(lst.st_mode, st.st_mode);
}

static void info_stat_dir_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0751));
    ASSERT(0 == stat("dir0", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_EQ(st.st_mode & 07777, 0751);
    ASSERT_EQ(st.st_uid, geteuid());
    ASSERT_EQ(st.st_gid, getegid());
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT(0 == mkdir("dir0/a", 0755));
    ASSERT(0 == mkdir("dir0/b", 0755));
    fsp_tests_write_file("dir0/file", "x", 1);
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_nlink, 4); /* ".", its entry, and ".." of each subdirectory */
    ASSERT(0 == rmdir("dir0/b"));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_nlink, 3);
    ASSERT(0 == stat("dir0/a", &st));
    ASSERT_EQ(st.st_nlink, 2);
}

static void check_zero(const char *path, off_t from, off_t to)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    ASSERT(-1 != fd);
    for (off_t off = from; off < to;) {
        size_t len = (size_t)(to - off) < sizeof buf ? (size_t)(to - off) : sizeof buf;
        ssize_t n = pread(fd, buf, len, off);
        if (n <= 0) {
            close(fd);
            ASSERT(n > 0);
        }
        for (ssize_t i = 0; i < n; i++)
            if (buf[i]) {
                fprintf(stderr, "    nonzero byte at %lld\n", (long long)(off + i));
                close(fd);
                ASSERT(0 == buf[i]);
            }
        off += n;
    }
    close(fd);
}

static void info_truncate_test(void)
{
    char data[5000], buf[5000];
    struct stat st;
    memset(data, 'D', sizeof data);
    fsp_tests_write_file("file0", data, 100);
    ASSERT(0 == truncate("file0", 10000));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 10000);
    ASSERT_EQ(fsp_tests_read_file("file0", buf, 100), 100);
    ASSERT(0 == memcmp(buf, data, 100));
    check_zero("file0", 100, 10000);
    /* shrink, then grow again: the cut-off data must not come back */
    fsp_tests_write_file("file0", data, sizeof data);
    ASSERT(0 == truncate("file0", 10));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 10);
    ASSERT(0 == truncate("file0", 3000));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 3000);
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 3000);
    ASSERT(0 == memcmp(buf, data, 10));
    check_zero("file0", 10, 3000);
    ASSERT(0 == truncate("file0", 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 0);
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 0);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT_ERRNO(truncate("dir0", 0), EISDIR);
    ASSERT_ERRNO(truncate("file0", -1), EINVAL);
    ASSERT_ERRNO(truncate("missing", 0), ENOENT);
}

static void info_ftruncate_test(void)
{
    char data[8192], buf[8192];
    struct stat st;
    memset(data, 'F', sizeof data);
    int fd = open("file0", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    ssize_t w = write(fd, data, sizeof data);
    int r1 = ftruncate(fd, 4097);
    int r2 = fstat(fd, &st);
    ASSERT_EQ(w, (ssize_t)sizeof data);
    if (0 != r1 || 0 != r2)
        close(fd);
    ASSERT(0 == r1 && 0 == r2);
    ASSERT_EQ(st.st_size, 4097);
    r1 = ftruncate(fd, 8000);
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    r2 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1 && 0 == r2);
    ASSERT_EQ(n, 8000);
    ASSERT_EQ(st.st_size, 8000);
    ASSERT(0 == memcmp(buf, data, 4097));
    for (int i = 4097; i < 8000; i++)
        ASSERT_EQ(buf[i], 0);
    /* a descriptor not open for writing cannot truncate */
    fd = open("file0", O_RDONLY);
    ASSERT(-1 != fd);
    errno = 0;
    r1 = ftruncate(fd, 0);
    int e = errno;
    close(fd);
    ASSERT_EQ(r1, -1);
    ASSERT(EINVAL == e || EBADF == e);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 8000);
}

static void info_utimens_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    /* times a multiple of 100ns survive exactly on every file system (Windows keeps 100ns units) */
    struct timespec ts[2] = {{1000000000, 123456700}, {1234567890, 987654300}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
    ASSERT_EQ(st.st_atim.tv_nsec, 123456700);
    ASSERT_EQ(st.st_mtim.tv_sec, 1234567890);
    ASSERT_EQ(st.st_mtim.tv_nsec, 987654300);
    /* single nanoseconds: exact, as on tmpfs (LinFsp file systems keep them beside FILETIME's
     * 100 ns units: VolumeParams.NanosecondTimes) */
    struct timespec ts2[2] = {{1500000000, 111111111}, {1600000000, 999999999}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts2, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, 1500000000);
    ASSERT_EQ(st.st_mtim.tv_sec, 1600000000);
    ASSERT_EQ(st.st_atim.tv_nsec, 111111111);
    ASSERT_EQ(st.st_mtim.tv_nsec, 999999999);
    /* times before 1970 (Windows FILETIME reaches back to 1601) */
    struct timespec ts3[2] = {{-86400, 0}, {-1000000000, 500000000}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts3, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, -86400);
    ASSERT_EQ(st.st_atim.tv_nsec, 0);
    ASSERT_EQ(st.st_mtim.tv_sec, -1000000000);
    ASSERT_EQ(st.st_mtim.tv_nsec, 500000000);
    /* the epoch itself, and a time far in the future */
    struct timespec ts4[2] = {{0, 0}, {16725225600LL, 400}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts4, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, 0);
    ASSERT_EQ(st.st_atim.tv_nsec, 0);
    ASSERT_EQ(st.st_mtim.tv_sec, 16725225600LL);
    ASSERT_EQ(st.st_mtim.tv_nsec, 400);
    /* directories too, and futimens on an open descriptor */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == utimensat(AT_FDCWD, "dir0", ts, 0));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_mtim.tv_sec, 1234567890);
    ASSERT_EQ(st.st_mtim.tv_nsec, 987654300);
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    int r = futimens(fd, ts);
    struct stat fst;
    int r2 = fstat(fd, &fst);
    close(fd);
    ASSERT(0 == r && 0 == r2);
    ASSERT_EQ(fst.st_mtim.tv_sec, 1234567890);
    ASSERT_EQ(fst.st_mtim.tv_nsec, 987654300);
    ASSERT_ERRNO(utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);
}

static void info_utime_now_omit_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    struct timespec old[2] = {{1000000000, 0}, {1100000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    /* UTIME_OMIT leaves a time alone; UTIME_NOW sets it to the current time */
    long long before = now_ns();
    struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts, 0));
    long long after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
    ASSERT_EQ(st.st_atim.tv_nsec, 0);
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
    struct timespec ts2[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    before = now_ns();
    ASSERT(0 == utimensat(AT_FDCWD, "file0", ts2, 0));
    after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT(ts_ns(st.st_atim) >= before - SLACK_NS && ts_ns(st.st_atim) <= after + SLACK_NS);
    ASSERT_EQ(st.st_mtim.tv_sec, 1100000000);
    /* NULL sets both to now */
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    before = now_ns();
    ASSERT(0 == utimensat(AT_FDCWD, "file0", NULL, 0));
    after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT(ts_ns(st.st_atim) >= before - SLACK_NS && ts_ns(st.st_atim) <= after + SLACK_NS);
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
    /* both UTIME_OMIT changes nothing */
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", omit, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
    ASSERT_EQ(st.st_mtim.tv_sec, 1100000000);
}

static void info_write_times_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "abc", 3);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    ASSERT(0 == stat("file0", &st));
    long long ctime0 = ts_ns(st.st_ctim);
    ASSERT_EQ(st.st_mtim.tv_sec, 1000000000);
    sleep_ms(30);
    long long before = now_ns();
    int fd = open("file0", O_WRONLY);
    ASSERT(-1 != fd);
    ssize_t w = pwrite(fd, "xyz", 3, 1);
    int r = close(fd);
    long long after = now_ns();
    ASSERT_EQ(w, 3);
    ASSERT(0 == r);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 4);
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
    ASSERT(ts_ns(st.st_ctim) > ctime0);
    ASSERT(ts_ns(st.st_ctim) >= before - SLACK_NS && ts_ns(st.st_ctim) <= after + SLACK_NS);
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000); /* writing does not touch atime */
    /* creating a file in a directory changes the directory's mtime */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == utimensat(AT_FDCWD, "dir0", old, 0));
    before = now_ns();
    fsp_tests_write_file("dir0/new", NULL, 0);
    after = now_ns();
    ASSERT(0 == stat("dir0", &st));
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
    /* and so does removing one */
    ASSERT(0 == utimensat(AT_FDCWD, "dir0", old, 0));
    before = now_ns();
    ASSERT(0 == unlink("dir0/new"));
    after = now_ns();
    ASSERT(0 == stat("dir0", &st));
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
}

static void info_truncate_times_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "abcdef", 6);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    long long before = now_ns();
    ASSERT(0 == truncate("file0", 2));
    long long after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 2);
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
    ASSERT(ts_ns(st.st_ctim) >= before - SLACK_NS && ts_ns(st.st_ctim) <= after + SLACK_NS);
    /* O_TRUNC too */
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    before = now_ns();
    int fd = open("file0", O_WRONLY | O_TRUNC);
    ASSERT(-1 != fd);
    close(fd);
    after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 0);
    ASSERT(ts_ns(st.st_mtim) >= before - SLACK_NS && ts_ns(st.st_mtim) <= after + SLACK_NS);
}

static void info_chmod_test(void)
{
    static const mode_t modes[] = {0, 0400, 0644, 0755, 0777, 0111, 0640, 0600};
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        ASSERT(0 == chmod("file0", modes[i]));
        ASSERT(0 == stat("file0", &st));
        ASSERT_EQ(st.st_mode, S_IFREG | modes[i]);
    }
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == chmod("dir0", 0700));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 0700);
    ASSERT(0 == chmod("dir0", 01777));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 01777);
    int fd = open("file0", O_RDONLY);
    ASSERT(-1 != fd);
    int r = fchmod(fd, 0604);
    struct stat fst;
    int r2 = fstat(fd, &fst);
    close(fd);
    ASSERT(0 == r && 0 == r2);
    ASSERT_EQ(fst.st_mode, S_IFREG | 0604);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0604);
    ASSERT_ERRNO(chmod("missing", 0644), ENOENT);
}

static void info_chmod_ctime_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    ASSERT(0 == stat("file0", &st));
    long long ctime0 = ts_ns(st.st_ctim);
    sleep_ms(30);
    long long before = now_ns();
    ASSERT(0 == chmod("file0", 0600));
    long long after = now_ns();
    ASSERT(0 == stat("file0", &st));
    ASSERT(ts_ns(st.st_ctim) > ctime0);
    ASSERT(ts_ns(st.st_ctim) >= before - SLACK_NS && ts_ns(st.st_ctim) <= after + SLACK_NS);
    /* chmod changes neither mtime nor atime */
    ASSERT_EQ(st.st_mtim.tv_sec, 1000000000);
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
}

static void info_chown_test(void)
{
    fsp_tests_need_root();
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == chown("file0", 1234, 5678));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 1234);
    ASSERT_EQ(st.st_gid, 5678);
    ASSERT_EQ(st.st_mode, S_IFREG | 0644);
    ASSERT(0 == chown("file0", (uid_t)-1, 4321)); /* -1 leaves the owner */
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 1234);
    ASSERT_EQ(st.st_gid, 4321);
    ASSERT(0 == chown("file0", 4321, (gid_t)-1));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 4321);
    ASSERT_EQ(st.st_gid, 4321);
    ASSERT(0 == mkdir("dir0", 0755));
    int fd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    int r = fchown(fd, 1000, 1000);
    struct stat fst;
    int r2 = fstat(fd, &fst);
    close(fd);
    ASSERT(0 == r && 0 == r2);
    ASSERT_EQ(fst.st_uid, 1000);
    ASSERT_EQ(fst.st_gid, 1000);
    ASSERT(0 == chown("file0", 0, 0));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 0);
    ASSERT_EQ(st.st_gid, 0);
}

static void info_fstat_test(void)
{
    char data[3000];
    memset(data, 'q', sizeof data);
    fsp_tests_write_file("file0", data, sizeof data);
    ASSERT(0 == mkdir("dir0", 0700));
    const char *names[] = {"file0", "dir0"};
    for (int i = 0; i < 2; i++) {
        struct stat st, fst;
        int fd = open(names[i], O_RDONLY);
        ASSERT(-1 != fd);
        int r = fstat(fd, &fst);
        close(fd);
        ASSERT(0 == r);
        ASSERT(0 == stat(names[i], &st));
        ASSERT_EQ(fst.st_dev, st.st_dev);
        ASSERT_EQ(fst.st_ino, st.st_ino);
        ASSERT_EQ(fst.st_mode, st.st_mode);
        ASSERT_EQ(fst.st_nlink, st.st_nlink);
        ASSERT_EQ(fst.st_uid, st.st_uid);
        ASSERT_EQ(fst.st_gid, st.st_gid);
        ASSERT_EQ(fst.st_size, st.st_size);
        ASSERT_EQ(fst.st_blocks, st.st_blocks);
        ASSERT_EQ(ts_ns(fst.st_mtim), ts_ns(st.st_mtim));
        ASSERT_EQ(ts_ns(fst.st_ctim), ts_ns(st.st_ctim));
    }
    /* fstat of a descriptor sees writes through it at once */
    int fd = open("file0", O_RDWR | O_APPEND);
    ASSERT(-1 != fd);
    ssize_t w = write(fd, "tail", 4);
    struct stat fst;
    int r = fstat(fd, &fst);
    close(fd);
    ASSERT_EQ(w, 4);
    ASSERT(0 == r);
    ASSERT_EQ(fst.st_size, 3004);
}

static void info_blocks_test(void)
{
    char data[5000];
    struct stat st;
    memset(data, 'b', sizeof data);
    fsp_tests_write_file("file0", data, sizeof data);
    ASSERT(0 == stat("file0", &st));
    ASSERT(st.st_blocks * 512 >= 5000);
    ASSERT(st.st_blocks * 512 <= 5000 + 1024 * 1024);
    fsp_tests_write_file("empty", NULL, 0);
    ASSERT(0 == stat("empty", &st));
    ASSERT(st.st_blocks * 512 <= 1024 * 1024);
    /* a sparse file occupies at most about its size */
    fsp_tests_write_file("sparse", NULL, 0);
    ASSERT(0 == truncate("sparse", 10 * 1024 * 1024));
    ASSERT(0 == stat("sparse", &st));
    ASSERT_EQ(st.st_size, 10 * 1024 * 1024);
    ASSERT(st.st_blocks >= 0);
    ASSERT(st.st_blocks * 512 <= 11 * 1024 * 1024);
}

static void info_statx_btime_test(void)
{
    struct statx stx;
    fsp_tests_write_file("file0", "x", 1);
    if (0 != statx(AT_FDCWD, "file0", 0, STATX_BASIC_STATS | STATX_BTIME, &stx)) {
        ASSERT(ENOSYS == errno);
        tlib_skip("no statx");
    }
    ASSERT(STATX_BASIC_STATS == (stx.stx_mask & STATX_BASIC_STATS));
    ASSERT_EQ(stx.stx_size, 1);
    ASSERT_EQ(stx.stx_nlink, 1);
    if (!(stx.stx_mask & STATX_BTIME))
        tlib_skip("no birth time");
    long long btime = stx.stx_btime.tv_sec * 1000000000LL + stx.stx_btime.tv_nsec;
    long long mtime = stx.stx_mtime.tv_sec * 1000000000LL + stx.stx_mtime.tv_nsec;
    /* With the writeback cache the kernel stamps mtime itself, from its coarse clock (a tick
     * behind the file system's) */
    ASSERT(btime <= mtime + (fsp_tests_options.writeback ? 50000000LL : 0));
    ASSERT(btime >= now_ns() - 60 * 1000000000LL);
    /* writing and utimensat do not change the birth time */
    sleep_ms(20);
    fsp_tests_write_file("file0", "yy", 2);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    ASSERT(0 == statx(AT_FDCWD, "file0", 0, STATX_BTIME, &stx));
    ASSERT(stx.stx_mask & STATX_BTIME);
    ASSERT_EQ(stx.stx_btime.tv_sec * 1000000000LL + stx.stx_btime.tv_nsec, btime);
}

static void info_access_test(void)
{
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == chmod("file0", 0644));
    ASSERT(0 == access("file0", F_OK));
    ASSERT(0 == access("file0", R_OK | W_OK));
    if (0 == geteuid())
        ASSERT_ERRNO(access("file0", X_OK), EACCES); /* root needs some x bit to execute */
    ASSERT(0 == chmod("file0", 0744));
    ASSERT(0 == access("file0", X_OK));
    ASSERT_ERRNO(access("missing", F_OK), ENOENT);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == access("dir0", R_OK | W_OK | X_OK));
}

static void info_pwrite_extends_test(void)
{
    struct stat st;
    char buf[16];
    int fd = open("file0", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    ssize_t w = pwrite(fd, "end", 3, 1024 * 1024);
    int r = fstat(fd, &st);
    ssize_t n = pread(fd, buf, sizeof buf, 512 * 1024);
    close(fd);
    ASSERT_EQ(w, 3);
    ASSERT(0 == r);
    ASSERT_EQ(st.st_size, 1024 * 1024 + 3);
    ASSERT_EQ(n, (ssize_t)sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        ASSERT_EQ(buf[i], 0);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 1024 * 1024 + 3);
}

static void info_suid_test(void)
{
    fsp_tests_need_root();
    struct stat st;
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == chmod("file0", 04755));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 04755);
    ASSERT(0 == chmod("file0", 06711));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 06711);
    /* changing the owner of a file drops its set-user-ID bit (and set-group-ID with x for group) */
    ASSERT(0 == chown("file0", 1000, 1000));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_uid, 1000);
    ASSERT_EQ(st.st_mode, S_IFREG | 0711);
    /* directories keep set-group-ID */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == chmod("dir0", 02775));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 02775);
}

/* A size change through one descriptor or name is seen through every other. */
static void info_size_coherent_test(void)
{
    char data[1000];
    memset(data, 's', sizeof data);
    fsp_tests_write_file("file0", data, sizeof data);
    int fd1 = open("file0", O_RDONLY);
    ASSERT(-1 != fd1);
    int fd2 = open("file0", O_RDWR);
    if (-1 == fd2)
        close(fd1);
    ASSERT(-1 != fd2);
    struct stat st1, st2, st3, st4;
    int r1 = ftruncate(fd2, 10);
    int r2 = fstat(fd1, &st1);
    int r3 = stat("file0", &st2);
    int fd3 = open("file0", O_WRONLY | O_TRUNC);
    if (-1 != fd3)
        close(fd3);
    int r4 = fstat(fd1, &st3);
    ssize_t w = pwrite(fd2, data, 123, 0);
    int r5 = fstat(fd1, &st4);
    char buf[16];
    ssize_t n = pread(fd1, buf, sizeof buf, 120);
    close(fd1);
    close(fd2);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3 && 0 == r4 && 0 == r5);
    ASSERT(-1 != fd3);
    ASSERT_EQ(st1.st_size, 10);
    ASSERT_EQ(st2.st_size, 10);
    ASSERT_EQ(st3.st_size, 0);
    ASSERT_EQ(w, 123);
    ASSERT_EQ(st4.st_size, 123);
    ASSERT_EQ(n, 3);
}

/* Attributes of a file that is open but has no name any more can still be changed. */
static void info_unlinked_setattr_test(void)
{
    fsp_tests_write_file("file0", "abcdef", 6);
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    struct timespec ts[2] = {{1000000000, 100}, {1200000000, 200}};
    int r1 = unlink("file0");
    int r2 = fchmod(fd, 0600);
    int r3 = futimens(fd, ts);
    int r4 = ftruncate(fd, 3);
    int r5 = 0 == geteuid() ? fchown(fd, 1234, 4321) : 0;
    struct stat st;
    int r6 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1);
    ASSERT(0 == r2);
    ASSERT(0 == r3);
    ASSERT(0 == r4);
    ASSERT(0 == r5);
    ASSERT(0 == r6);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(st.st_mode, S_IFREG | 0600);
    ASSERT_EQ(st.st_size, 3);
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
    /* ftruncate after futimens sets mtime to now */
    ASSERT(st.st_mtim.tv_sec > 1200000000);
    if (0 == geteuid()) {
        ASSERT_EQ(st.st_uid, 1234);
        ASSERT_EQ(st.st_gid, 4321);
    }
}

/* The same for a directory removed while open. */
/*
 * Exact times as the file system keeps them: asked afresh (statx AT_STATX_FORCE_SYNC makes the
 * kernel ask the file system instead of answering from its cache), for files, directories and
 * through an open descriptor, and as a directory listing brings them.
 */
static void info_utimens_nsec_test(void)
{
    static const struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
    struct statx sx;
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/inner", "y", 1);
    const char *const names[] = {"file0", "dir0", "dir0/inner"};
    for (int i = 0; i < 3; i++) {
        ASSERT(0 == utimensat(AT_FDCWD, names[i], ts, 0));
        ASSERT(0 == statx(AT_FDCWD, names[i], AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx));
        ASSERT_EQ(sx.stx_atime.tv_sec, 1000000000);
        ASSERT_EQ(sx.stx_atime.tv_nsec, 123456789);
        ASSERT_EQ(sx.stx_mtime.tv_sec, 1100000000);
        ASSERT_EQ(sx.stx_mtime.tv_nsec, 987654321);
    }
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    struct timespec ts2[2] = {{UTIME_OMIT, UTIME_OMIT}, {1200000000, 1}};
    int r = futimens(fd, ts2);
    int r2 = statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx);
    close(fd);
    ASSERT(0 == r && 0 == r2);
    ASSERT_EQ(sx.stx_mtime.tv_sec, 1200000000);
    ASSERT_EQ(sx.stx_mtime.tv_nsec, 1);
    ASSERT_EQ(sx.stx_atime.tv_nsec, 123456789);
    /* a listing of the directory (readdirplus) carries the same times */
    DIR *d = opendir("dir0");
    ASSERT(NULL != d);
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        seen += 0 == strcmp(de->d_name, "inner");
    closedir(d);
    ASSERT_EQ(seen, 1);
    struct stat st;
    ASSERT(0 == stat("dir0/inner", &st));
    ASSERT_EQ(st.st_mtim.tv_nsec, 987654321);
    /* times the file system sets itself keep their nanoseconds too: a write's ctime and mtime
     * agree with what is asked afresh */
    fd = open("dir0/inner", O_WRONLY);
    ASSERT(-1 != fd);
    ssize_t w = write(fd, "z", 1);
    r = fstat(fd, &st);
    r2 = statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx);
    close(fd);
    ASSERT(1 == w && 0 == r && 0 == r2);
    ASSERT_EQ(st.st_mtim.tv_sec, sx.stx_mtime.tv_sec);
    ASSERT_EQ(st.st_mtim.tv_nsec, sx.stx_mtime.tv_nsec);
    /* asked again at once (on LinFsp the engine's attribute cache answers): the same times,
     * the birth time included */
    struct statx sx2;
    ASSERT(0 == statx(AT_FDCWD, "dir0/inner", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS | STATX_BTIME, &sx));
    ASSERT(0 == statx(AT_FDCWD, "dir0/inner", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS | STATX_BTIME, &sx2));
    ASSERT_EQ(sx.stx_mtime.tv_nsec, sx2.stx_mtime.tv_nsec);
    ASSERT_EQ(sx.stx_ctime.tv_nsec, sx2.stx_ctime.tv_nsec);
    ASSERT_EQ(sx.stx_mask & STATX_BTIME, sx2.stx_mask & STATX_BTIME);
    if (sx.stx_mask & STATX_BTIME) {
        ASSERT_EQ(sx.stx_btime.tv_sec, sx2.stx_btime.tv_sec);
        ASSERT_EQ(sx.stx_btime.tv_nsec, sx2.stx_btime.tv_nsec);
    }
}

static void info_removed_dir_setattr_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    int fd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    struct timespec ts[2] = {{1000000000, 0}, {1200000000, 0}};
    int r1 = rmdir("dir0");
    int r2 = fchmod(fd, 0700);
    int r3 = futimens(fd, ts);
    struct stat st;
    int r4 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3 && 0 == r4);
    ASSERT_EQ(st.st_mode, S_IFDIR | 0700);
    ASSERT_EQ(st.st_mtim.tv_sec, 1200000000);
    ASSERT_EQ(st.st_nlink, 0);
}

/* readdir's d_ino is the inode number stat reports, for files and directories alike. */
static void info_ino_readdir_test(void)
{
    fsp_tests_write_file("file0", "x", 1);
    fsp_tests_write_file("file1", "x", 1);
    ASSERT(0 == mkdir("dir0", 0755));
    DIR *d = opendir(".");
    ASSERT(NULL != d);
    struct dirent *de;
    int checked = 0, bad = 0;
    while ((de = readdir(d))) {
        struct stat st;
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        if (0 != stat(de->d_name, &st) || st.st_ino != de->d_ino) {
            fprintf(stderr, "    %s: d_ino %llu\n", de->d_name, (unsigned long long)de->d_ino);
            bad++;
        }
        checked++;
    }
    closedir(d);
    ASSERT_EQ(bad, 0);
    ASSERT_EQ(checked, 3);
    /* and it stays the same across a rename */
    struct stat st1, st2;
    ASSERT(0 == stat("file0", &st1));
    ASSERT(0 == rename("file0", "file2"));
    ASSERT(0 == stat("file2", &st2));
    ASSERT_EQ(st1.st_ino, st2.st_ino);
}

/*
 * Reading a file updates its access time when it is not later than its modification time
 * (relatime, Linux's default). With FUSE the update may come when the kernel releases the file,
 * shortly after close(2): poll for it. (A read the kernel serves from its page cache never
 * reaches a FUSE file system, so the test drops the file's pages first.)
 */
static void info_read_atime_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "abc", 3);
    struct timespec old[2] = {{1000000000, 0}, {1100000000, 0}}; /* atime before mtime */
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    char buf[8];
    long long before = now_ns();
    /* read from the file system, not from the kernel's page cache (which would not tell it) */
    int fd = open("file0", O_RDONLY);
    ASSERT(-1 != fd);
    fsync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    ASSERT_EQ(n, 3);
    for (int i = 0; i < 200; i++) {
        ASSERT(0 == stat("file0", &st));
        if (st.st_atim.tv_sec != 1000000000)
            break;
        sleep_ms(10);
    }
    ASSERT(ts_ns(st.st_atim) >= before - SLACK_NS);
    ASSERT_EQ(st.st_mtim.tv_sec, 1100000000); /* reading does not touch mtime */
    /* O_NOATIME (the owner, or root): the access time stays */
    ASSERT(0 == utimensat(AT_FDCWD, "file0", old, 0));
    fd = open("file0", O_RDONLY | O_NOATIME);
    ASSERT(-1 != fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    n = read(fd, buf, sizeof buf);
    close(fd);
    ASSERT_EQ(n, 3);
    sleep_ms(100);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
    /* a directory's listing is a read too */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == utimensat(AT_FDCWD, "dir0", old, 0));
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
    for (int i = 0; i < 200; i++) {
        ASSERT(0 == stat("dir0", &st));
        if (st.st_atim.tv_sec != 1000000000)
            break;
        sleep_ms(10);
    }
    ASSERT(ts_ns(st.st_atim) >= before - SLACK_NS);
}

void info_tests(void)
{
    TLIB_ADD_TEST("info", info_stat_file_test);
    TLIB_ADD_TEST("info", info_stat_dir_test);
    TLIB_ADD_TEST("info", info_truncate_test);
    TLIB_ADD_TEST("info", info_ftruncate_test);
    TLIB_ADD_TEST("info", info_utimens_test);
    TLIB_ADD_TEST("info", info_utimens_nsec_test);
    TLIB_ADD_TEST("info", info_utime_now_omit_test);
    TLIB_ADD_TEST("info", info_write_times_test);
    TLIB_ADD_TEST("info", info_truncate_times_test);
    TLIB_ADD_TEST("info", info_chmod_test);
    TLIB_ADD_TEST("info", info_chmod_ctime_test);
    TLIB_ADD_TEST("info", info_chown_test);
    TLIB_ADD_TEST("info", info_suid_test);
    TLIB_ADD_TEST("info", info_fstat_test);
    TLIB_ADD_TEST("info", info_blocks_test);
    TLIB_ADD_TEST("info", info_statx_btime_test);
    TLIB_ADD_TEST("info", info_access_test);
    TLIB_ADD_TEST("info", info_pwrite_extends_test);
    TLIB_ADD_TEST("info", info_size_coherent_test);
    TLIB_ADD_TEST("info", info_unlinked_setattr_test);
    TLIB_ADD_TEST("info", info_removed_dir_setattr_test);
    TLIB_ADD_TEST("info", info_ino_readdir_test);
    TLIB_ADD_TEST("info", info_read_atime_test);
}
