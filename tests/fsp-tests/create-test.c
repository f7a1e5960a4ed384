/*
 * tests/fsp-tests/create-test.c - fsp-tests group "create": creating and opening files and
 * directories (after winfsp-tests' create tests, in POSIX terms).
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void create_excl_test(void)
{
    int fd = open("file0", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    ASSERT(0 == close(fd));
    ASSERT_ERRNO(open("file0", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
    ASSERT_ERRNO(open("file0", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT_ERRNO(open("dir0", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    /* O_CREAT without O_EXCL simply opens the existing file */
    fd = open("file0", O_RDWR | O_CREAT, 0644);
    ASSERT(-1 != fd);
    ASSERT(0 == close(fd));
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
}

static void create_missing_test(void)
{
    struct stat st;
    ASSERT_ERRNO(open("missing", O_RDONLY), ENOENT);
    ASSERT_ERRNO(open("missing", O_RDWR), ENOENT);
    ASSERT_ERRNO(stat("missing", &st), ENOENT);
    ASSERT_ERRNO(open("nodir/file0", O_RDWR | O_CREAT, 0644), ENOENT);
    ASSERT_ERRNO(mkdir("nodir/dir0", 0755), ENOENT);
    ASSERT_ERRNO(stat("nodir/file0", &st), ENOENT);
    /* a failed open creates nothing */
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
    /* the negative lookups must not stick: create and find the names now */
    fsp_tests_write_file("missing", "x", 1);
    ASSERT(0 == stat("missing", &st));
    ASSERT_EQ(st.st_size, 1);
    ASSERT(0 == mkdir("nodir", 0755));
    fsp_tests_write_file("nodir/file0", "yy", 2);
    ASSERT(0 == stat("nodir/file0", &st));
    ASSERT_EQ(st.st_size, 2);
}

static void create_notdir_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "abc", 3);
    ASSERT_ERRNO(open("file0/x", O_RDONLY), ENOTDIR);
    ASSERT_ERRNO(open("file0/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
    ASSERT_ERRNO(mkdir("file0/d", 0755), ENOTDIR);
    ASSERT_ERRNO(stat("file0/", &st), ENOTDIR);
    ASSERT_ERRNO(open("file0", O_RDONLY | O_DIRECTORY), ENOTDIR);
    ASSERT_ERRNO(opendir("file0") ? 0 : -1, ENOTDIR);
    ASSERT(0 == mkdir("dir0", 0755));
    int fd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    ASSERT(0 == close(fd));
}

static void create_eisdir_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT_ERRNO(open("dir0", O_WRONLY), EISDIR);
    ASSERT_ERRNO(open("dir0", O_RDWR), EISDIR);
    ASSERT_ERRNO(open("dir0", O_RDWR | O_CREAT, 0644), EISDIR);
    ASSERT_ERRNO(open("dir0", O_WRONLY | O_TRUNC), EISDIR);
    /* a trailing slash names a directory: creating a file by it fails */
    ASSERT_ERRNO(open("file0/", O_RDWR | O_CREAT, 0644), EISDIR);
    int fd = open("dir0", O_RDONLY);
    ASSERT(-1 != fd);
    char buf[8];
    ssize_t n = read(fd, buf, sizeof buf);
    int e = errno;
    close(fd);
    ASSERT_EQ(n, -1);
    ASSERT_EQ(e, EISDIR);
    struct stat st;
    ASSERT(0 == stat("dir0", &st));
    ASSERT(S_ISDIR(st.st_mode));
}

static void create_trunc_test(void)
{
    char data[4096], buf[4096];
    memset(data, 'T', sizeof data);
    fsp_tests_write_file("file0", data, sizeof data);
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 4096);
    int fd = open("file0", O_WRONLY | O_TRUNC);
    ASSERT(-1 != fd);
    int r = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r);
    ASSERT_EQ(st.st_size, 0);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_size, 0);
    /* O_TRUNC together with O_CREAT on an existing file */
    fsp_tests_write_file("file1", data, 100);
    fd = open("file1", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT(-1 != fd);
    ssize_t w = write(fd, "new", 3);
    close(fd);
    ASSERT_EQ(w, 3);
    ASSERT_EQ(fsp_tests_read_file("file1", buf, sizeof buf), 3);
    ASSERT(0 == memcmp(buf, "new", 3));
    /* Linux truncates on O_TRUNC even when the file is opened read-only */
    fsp_tests_write_file("file2", data, 100);
    fd = open("file2", O_RDONLY | O_TRUNC);
    ASSERT(-1 != fd);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    ASSERT_EQ(n, 0);
    ASSERT(0 == stat("file2", &st));
    ASSERT_EQ(st.st_size, 0);
    /* O_TRUNC on an empty file, and on a file open elsewhere */
    fd = open("file2", O_WRONLY | O_TRUNC);
    ASSERT(-1 != fd);
    close(fd);
    fsp_tests_write_file("file3", data, 50);
    int fd1 = open("file3", O_RDONLY);
    ASSERT(-1 != fd1);
    fd = open("file3", O_RDWR | O_TRUNC);
    if (-1 != fd)
        close(fd);
    struct stat fst;
    int r2 = fstat(fd1, &fst);
    n = read(fd1, buf, sizeof buf);
    close(fd1);
    ASSERT(-1 != fd);
    ASSERT(0 == r2);
    ASSERT_EQ(fst.st_size, 0);
    ASSERT_EQ(n, 0);
}

static void create_existing_keeps_data_test(void)
{
    char buf[64];
    fsp_tests_write_file("file0", "keep me", 7);
    ASSERT(0 == chmod("file0", 0640));
    int fd = open("file0", O_RDWR | O_CREAT, 0777);
    ASSERT(-1 != fd);
    struct stat st;
    int r = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r);
    ASSERT_EQ(st.st_size, 7);
    ASSERT_EQ(st.st_mode & 07777, 0640); /* the mode of an existing file is not changed */
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 7);
    ASSERT(0 == memcmp(buf, "keep me", 7));
}

static void create_mode_umask_test(void)
{
    struct stat st;
    umask(022);
    int fd = open("file0", O_RDWR | O_CREAT | O_EXCL, 0777);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0755);
    umask(077);
    fd = open("file1", O_RDWR | O_CREAT | O_EXCL, 0666);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT(0 == stat("file1", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0600);
    umask(0);
    fd = open("file2", O_RDWR | O_CREAT | O_EXCL, 0640);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT(0 == stat("file2", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0640);
    umask(027);
    ASSERT(0 == mkdir("dir0", 0777));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 0750);
    umask(0);
    ASSERT(0 == mkdir("dir1", 0711));
    ASSERT(0 == stat("dir1", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 0711);
    umask(022);
}

/* A file created with a read-only mode is writable through the descriptor that created it. */
static int readonly_create_as_user(void *arg)
{
    (void)arg;
    int fd = open("ro", O_RDWR | O_CREAT | O_EXCL, 0444);
    if (-1 == fd)
        return 100 + errno;
    if (5 != write(fd, "hello", 5)) {
        close(fd);
        return 2;
    }
    close(fd);
    if (-1 != open("ro", O_RDWR) || EACCES != errno)
        return 3;
    if (-1 != open("ro", O_WRONLY | O_CREAT, 0644) || EACCES != errno)
        return 4;
    fd = open("ro", O_RDONLY);
    if (-1 == fd)
        return 5;
    char buf[8];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (5 != n || 0 != memcmp(buf, "hello", 5))
        return 6;
    return 0;
}

static void create_readonly_mode_test(void)
{
    fsp_tests_need_root();
    ASSERT(0 == chmod(".", 0777));
    ASSERT_EQ(fsp_tests_as_user(65534, 65534, readonly_create_as_user, NULL), 0);
    struct stat st;
    ASSERT(0 == stat("ro", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0444);
    ASSERT_EQ(st.st_size, 5);
    ASSERT_EQ(st.st_uid, 65534);
    ASSERT_EQ(st.st_gid, 65534);
}

static void create_mkdir_rmdir_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == stat("dir0", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
    ASSERT_ERRNO(mkdir("dir0", 0755), EEXIST);
    ASSERT_ERRNO(mkdir("dir0/", 0755), EEXIST);
    fsp_tests_write_file("file0", NULL, 0);
    ASSERT_ERRNO(mkdir("file0", 0755), EEXIST);
    ASSERT(0 == mkdir("dir0/sub", 0755));
    ASSERT(0 == mkdir("dir0/sub/subsub/", 0755)); /* trailing slash allowed */
    ASSERT(0 == stat("dir0/sub/subsub", &st));
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_ERRNO(rmdir("dir0/sub"), ENOTEMPTY);
    ASSERT(0 == rmdir("dir0/sub/subsub"));
    ASSERT(0 == rmdir("dir0/sub"));
    ASSERT(0 == rmdir("dir0"));
    ASSERT_ERRNO(stat("dir0", &st), ENOENT);
    ASSERT_ERRNO(rmdir("dir0"), ENOENT);
    /* the name can be reused by a file */
    fsp_tests_write_file("dir0", "f", 1);
    ASSERT(0 == stat("dir0", &st));
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
}

static void create_namelen_test(void)
{
    char name[300];
    struct stat st;
    memset(name, 'a', 255);
    name[255] = 0;
    int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    close(fd);
    ASSERT(0 == stat(name, &st));
    ASSERT(fsp_tests_has_entry(".", name));
    memset(name, 'd', 255);
    ASSERT(0 == mkdir(name, 0755));
    ASSERT(0 == stat(name, &st));
    ASSERT(S_ISDIR(st.st_mode));
    memset(name, 'b', 256);
    name[256] = 0;
    ASSERT_ERRNO(open(name, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
    ASSERT_ERRNO(open(name, O_RDONLY), ENAMETOOLONG);
    ASSERT_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
    ASSERT_ERRNO(stat(name, &st), ENAMETOOLONG);
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
}

static const char *const odd_names[] = {
    "with space",  " leading space", "trailing space ", "back\\slash", "co:lon",
    "st*r",        "quest?on",       "dq\"uote",        "less<",       "greater>",
    "pi|pe",       "trailing.dot.",  "...",             "tab\there",   "new\nline",
    "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "emoji\xf0\x9f\x98\x80",
    "CON",         "nul.txt",        "semi;colon",      "#hash%pct",   "~tilde",
    " ",           "  ",             ".hidden",         "a..b",        "ctrl\x01\x1f",
    "x\xe2\x80\x8bzero-width",
    /* not here: private-use characters U+F000..U+F0FF, which the POSIX <-> Windows name mapping
     * uses to carry the characters Windows forbids (U+F022 comes back as '"'), as in WinFsp */
};
#define ODD_COUNT (sizeof odd_names / sizeof odd_names[0])

static void create_odd_names_test(void)
{
    struct stat st;
    for (size_t i = 0; i < ODD_COUNT; i++) {
        char data[16];
        int len = snprintf(data, sizeof data, "%zu", i);
        fsp_tests_write_file(odd_names[i], data, (size_t)len);
    }
    ASSERT(0 == mkdir("dir:*?<>|\\\"", 0755));
    ASSERT(0 == stat("dir:*?<>|\\\"", &st));
    ASSERT(S_ISDIR(st.st_mode));
    fsp_tests_write_file("dir:*?<>|\\\"/in:side?", "z", 1);
    ASSERT(0 == stat("dir:*?<>|\\\"/in:side?", &st));
    ASSERT(fsp_tests_has_entry("dir:*?<>|\\\"", "in:side?"));

    /* every name comes back exactly through readdir, and nothing else */
    bool seen[ODD_COUNT + 1];
    memset(seen, 0, sizeof seen);
    DIR *d = opendir(".");
    ASSERT(NULL != d);
    struct dirent *de;
    int other = 0;
    while ((de = readdir(d))) {
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        size_t i;
        for (i = 0; i < ODD_COUNT; i++)
            if (0 == strcmp(de->d_name, odd_names[i]))
                break;
        if (i == ODD_COUNT && 0 == strcmp(de->d_name, "dir:*?<>|\\\""))
            i = ODD_COUNT;
        else if (i == ODD_COUNT) {
            fprintf(stderr, "    unexpected entry \"%s\"\n", de->d_name);
            other++;
            continue;
        }
        if (seen[i])
            other++;
        seen[i] = true;
    }
    closedir(d);
    ASSERT_EQ(other, 0);
    for (size_t i = 0; i <= ODD_COUNT; i++) {
        if (!seen[i])
            fprintf(stderr, "    missing entry #%zu\n", i);
        ASSERT(seen[i]);
    }
    /* and every name opens its own file */
    for (size_t i = 0; i < ODD_COUNT; i++) {
        char data[16], buf[16];
        int len = snprintf(data, sizeof data, "%zu", i);
        size_t n = fsp_tests_read_file(odd_names[i], buf, sizeof buf);
        ASSERT_EQ(n, len);
        ASSERT(0 == memcmp(buf, data, n));
    }
}

static void create_odirectory_test(void)
{
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT_ERRNO(open("file0", O_RDONLY | O_DIRECTORY), ENOTDIR);
    int fd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    /* openat relative to the directory descriptor */
    int fd2 = openat(fd, "inner", O_RDWR | O_CREAT | O_EXCL, 0644);
    int e = errno;
    if (-1 != fd2)
        close(fd2);
    struct stat st;
    int r = fstatat(fd, "inner", &st, 0);
    close(fd);
    ASSERT(-1 != fd2 || (errno = e, false));
    ASSERT(0 == r);
    ASSERT(S_ISREG(st.st_mode));
    ASSERT(0 == stat("dir0/inner", &st));
}

static void create_fifo_test(void)
{
    struct stat st;
    if (0 != mknod("fifo0", S_IFIFO | 0644, 0)) {
        /* memfs may have no special files; tmpfs has them */
        ASSERT(fsp_tests_linfsp());
        ASSERT(EPERM == errno || ENOSYS == errno || EOPNOTSUPP == errno || EINVAL == errno);
        tlib_skip("the file system does not hold FIFOs");
    }
    ASSERT(0 == stat("fifo0", &st));
    ASSERT(S_ISFIFO(st.st_mode));
    ASSERT_EQ(st.st_mode & 07777, 0644);
    ASSERT_EQ(st.st_size, 0);
    ASSERT_ERRNO(mknod("fifo0", S_IFIFO | 0644, 0), EEXIST);
    ASSERT(0 == mkfifo("fifo1", 0600));
    ASSERT(0 == stat("fifo1", &st));
    ASSERT(S_ISFIFO(st.st_mode));
    ASSERT_EQ(st.st_mode & 07777, 0600);
    /* a FIFO works as a pipe (the pipe itself lives in the kernel) */
    int fd = open("fifo0", O_RDWR | O_NONBLOCK);
    ASSERT(-1 != fd);
    char buf[8];
    ssize_t w = write(fd, "pipe", 4);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    ASSERT_EQ(w, 4);
    ASSERT_EQ(n, 4);
    ASSERT(0 == memcmp(buf, "pipe", 4));
    ASSERT(fsp_tests_has_entry(".", "fifo0"));
    ASSERT(0 == unlink("fifo0"));
    ASSERT(0 == unlink("fifo1"));
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static void create_many_test(void)
{
    enum { N = 1000 };
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "file%d", i);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        ASSERT(-1 != fd);
        ssize_t w = write(fd, name, strlen(name));
        close(fd);
        ASSERT_EQ(w, (ssize_t)strlen(name));
    }
    for (int i = 0; i < N; i++) {
        struct stat st;
        snprintf(name, sizeof name, "file%d", i);
        ASSERT(0 == stat(name, &st));
        ASSERT_EQ(st.st_size, (off_t)strlen(name));
    }
    /* readdir lists every file exactly once */
    static unsigned char seen[N];
    memset(seen, 0, sizeof seen);
    DIR *d = opendir(".");
    ASSERT(NULL != d);
    struct dirent *de;
    int bad = 0;
    while ((de = readdir(d))) {
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        int i;
        if (1 != sscanf(de->d_name, "file%d", &i) || i < 0 || i >= N || seen[i])
            bad++;
        else
            seen[i] = 1;
    }
    closedir(d);
    ASSERT_EQ(bad, 0);
    for (int i = 0; i < N; i++)
        ASSERT(seen[i]);
}

static void create_opath_test(void)
{
    fsp_tests_write_file("file0", "data", 4);
    ASSERT(0 == mkdir("dir0", 0755));
    int fd = open("file0", O_PATH);
    ASSERT(-1 != fd);
    struct stat st;
    char buf[8];
    int r = fstat(fd, &st);
    ssize_t n = read(fd, buf, sizeof buf);
    int e = errno;
    close(fd);
    ASSERT(0 == r);
    ASSERT(S_ISREG(st.st_mode));
    ASSERT_EQ(st.st_size, 4);
    ASSERT_EQ(n, -1);
    ASSERT_EQ(e, EBADF);
    int dfd = open("dir0", O_PATH | O_DIRECTORY);
    ASSERT(-1 != dfd);
    fd = openat(dfd, "file1", O_RDWR | O_CREAT | O_EXCL, 0644);
    if (-1 != fd)
        close(fd);
    r = fstatat(dfd, "", &st, AT_EMPTY_PATH);
    close(dfd);
    ASSERT(-1 != fd);
    ASSERT(0 == r);
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT(0 == stat("dir0/file1", &st));
    /* O_PATH of a missing name fails */
    ASSERT_ERRNO(open("missing", O_PATH), ENOENT);
}

#define THREADS 8
#define PER_THREAD 60
struct create_thread_arg {
    int index;
    int failures;
};

static void *create_thread(void *p)
{
    struct create_thread_arg *a = p;
    char name[32];
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(name, sizeof name, "t%d-f%d", a->index, i);
        int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
        if (-1 == fd) {
            a->failures++;
            continue;
        }
        if ((ssize_t)strlen(name) != write(fd, name, strlen(name)))
            a->failures++;
        close(fd);
        /* also race on one shared name: exactly one thread creates it */
        snprintf(name, sizeof name, "shared%d", i);
        fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
        if (-1 != fd)
            close(fd);
        else if (EEXIST != errno)
            a->failures++;
    }
    return NULL;
}

static void create_threads_test(void)
{
    pthread_t th[THREADS];
    struct create_thread_arg args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t].index = t;
        args[t].failures = 0;
        ASSERT(0 == pthread_create(&th[t], NULL, create_thread, &args[t]));
    }
    int failures = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        failures += args[t].failures;
    }
    ASSERT_EQ(failures, 0);
    ASSERT_EQ(fsp_tests_count_entries("."), THREADS * PER_THREAD + PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            char name[32];
            struct stat st;
            snprintf(name, sizeof name, "t%d-f%d", t, i);
            ASSERT(0 == stat(name, &st));
            ASSERT_EQ(st.st_size, (off_t)strlen(name));
        }
}

static void create_dot_test(void)
{
    struct stat st, st2;
    ASSERT_ERRNO(mkdir(".", 0755), EEXIST);
    ASSERT_ERRNO(mkdir("..", 0755), EEXIST);
    ASSERT_ERRNO(open(".", O_RDWR | O_CREAT, 0644), EISDIR);
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT(0 == stat("dir0/..", &st));
    ASSERT(0 == stat(".", &st2));
    ASSERT_EQ(st.st_ino, st2.st_ino);
    ASSERT(0 == stat("dir0/.", &st));
    ASSERT(0 == stat("dir0", &st2));
    ASSERT_EQ(st.st_ino, st2.st_ino);
    /* distinct files have distinct inode numbers */
    fsp_tests_write_file("file0", NULL, 0);
    fsp_tests_write_file("file1", NULL, 0);
    ASSERT(0 == stat("file0", &st));
    ASSERT(0 == stat("file1", &st2));
    ASSERT(st.st_ino != st2.st_ino);
    ASSERT_EQ(st.st_dev, st2.st_dev);
}

/* NAME_MAX counts bytes on Linux: multibyte characters count by their UTF-8 length. */
static void create_namelen_utf8_test(void)
{
    char name[600];
    struct stat st;
    size_t pos = 0;
    for (int i = 0; i < 127; i++)
        name[pos++] = '\xc3', name[pos++] = '\xa9'; /* U+00E9 */
    name[pos++] = 'a';
    name[pos] = 0; /* 255 bytes */
    fsp_tests_write_file(name, "e", 1);
    ASSERT(0 == stat(name, &st));
    ASSERT(fsp_tests_has_entry(".", name));
    name[pos - 1] = '\xc3', name[pos++] = '\xa9';
    name[pos] = 0; /* 256 bytes, 128 characters */
    ASSERT_ERRNO(open(name, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
    ASSERT_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
    pos = 0;
    for (int i = 0; i < 63; i++) {
        memcpy(name + pos, "\xf0\x9f\x98\x80", 4); /* U+1F600: 4 bytes, 2 UTF-16 units */
        pos += 4;
    }
    memcpy(name + pos, "abc", 4); /* 255 bytes */
    ASSERT(0 == mkdir(name, 0755));
    ASSERT(0 == stat(name, &st));
    ASSERT(fsp_tests_has_entry(".", name));
    memcpy(name + pos, "\xf0\x9f\x98\x80", 5); /* 256 bytes, 64 characters */
    ASSERT_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
    ASSERT_ERRNO(stat(name, &st), ENAMETOOLONG);
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
}

/* Deep paths: the path of a file may be much longer than a Windows path. */
static void create_deep_path_test(void)
{
    char path[4096], comp[128];
    memset(comp, 'p', 100);
    comp[100] = 0;
    size_t len = 0;
    int depth = 0;
    while (len + 101 + 16 < 3000) {
        len += (size_t)snprintf(path + len, sizeof path - len, "%s%s", len ? "/" : "", comp);
        ASSERT(0 == mkdir(path, 0755));
        depth++;
    }
    snprintf(path + len, sizeof path - len, "/file");
    fsp_tests_write_file(path, "deep", 4);
    char buf[8];
    ASSERT_EQ(fsp_tests_read_file(path, buf, sizeof buf), 4);
    ASSERT(0 == memcmp(buf, "deep", 4));
    struct stat st;
    ASSERT(0 == stat(path, &st));
    ASSERT_EQ(st.st_size, 4);
    ASSERT(depth >= 25);
}

/* Names that are not UTF-8: tmpfs keeps any bytes; a file system that stores names as Windows
 * (UTF-16) text may refuse them, but must then create nothing, and what it does create must
 * come back byte for byte. */
static void create_invalid_utf8_test(void)
{
    static const char *const names[] = {"bad\xff", "\xc3(", "lone\x80" "cont", "\xed\xa0\x80" "surrogate"};
    int created = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int fd = open(names[i], O_RDWR | O_CREAT | O_EXCL, 0644);
        if (-1 == fd) {
            ASSERT(fsp_tests_linfsp());
            ASSERT(EINVAL == errno || EILSEQ == errno);
            struct stat st;
            ASSERT(-1 == stat(names[i], &st));
            continue;
        }
        close(fd);
        created++;
        ASSERT(fsp_tests_has_entry(".", names[i]));
        ASSERT(0 == unlink(names[i]));
    }
    if (!fsp_tests_linfsp())
        ASSERT_EQ(created, 4);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static void create_case_test(void)
{
    struct stat st;
    fsp_tests_write_file("File", "upper", 5);
    int fd = open("file", O_RDWR | O_CREAT | O_EXCL, 0644);
    int e = errno;
    if (-1 != fd)
        close(fd);
    if (fsp_tests_options.case_insensitive) {
        /* case-insensitive memfs: both spellings name one file, and the stored case is kept */
        ASSERT_EQ(fd, -1);
        ASSERT_EQ(e, EEXIST);
        ASSERT(0 == stat("FILE", &st));
        ASSERT_EQ(st.st_size, 5);
        ASSERT(fsp_tests_has_entry(".", "File"));
        ASSERT_EQ(fsp_tests_count_entries("."), 1);
        ASSERT_ERRNO(mkdir("fILE", 0755), EEXIST);
        return;
    }
    ASSERT(-1 != fd);
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_size, 0);
    ASSERT(0 == stat("File", &st));
    ASSERT_EQ(st.st_size, 5);
    ASSERT_ERRNO(stat("FILE", &st), ENOENT);
    ASSERT(0 == mkdir("FILE", 0755));
    ASSERT_EQ(fsp_tests_count_entries("."), 3);
    ASSERT(fsp_tests_has_entry(".", "file") && fsp_tests_has_entry(".", "File") && fsp_tests_has_entry(".", "FILE"));
}

/* A directory with the set-group-ID bit passes its group (and, to subdirectories, the bit). */
static void create_setgid_dir_test(void)
{
    fsp_tests_need_root();
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0775));
    ASSERT(0 == chown("dir0", 0, 1234));
    ASSERT(0 == chmod("dir0", 02775));
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_mode, S_IFDIR | 02775);
    fsp_tests_write_file("dir0/file", "x", 1);
    ASSERT(0 == stat("dir0/file", &st));
    ASSERT_EQ(st.st_uid, geteuid());
    ASSERT_EQ(st.st_gid, 1234);
    ASSERT(0 == mkdir("dir0/sub", 0755));
    ASSERT(0 == stat("dir0/sub", &st));
    ASSERT_EQ(st.st_gid, 1234);
    ASSERT_EQ(st.st_mode, S_IFDIR | 02755);
    /* without the bit, new files get the creator's group */
    ASSERT(0 == mkdir("dir1", 0775));
    ASSERT(0 == chown("dir1", 0, 1234));
    fsp_tests_write_file("dir1/file", "x", 1);
    ASSERT(0 == stat("dir1/file", &st));
    ASSERT_EQ(st.st_gid, getegid());
}

/*
 * open(2) with O_TMPFILE: a regular file without a name (LinFsp's extension CreateUnnamed),
 * which linkat(2) of its descriptor can name, unless it was made with O_EXCL.
 */
static void create_tmpfile_test(void)
{
    int fd = open(".", O_TMPFILE | O_RDWR, 0600);
    ASSERT(-1 != fd);
    struct stat st, named;
    ssize_t w = write(fd, "tmp", 3);
    int r = fstat(fd, &st);
    int n = fsp_tests_count_entries(".");
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int r2 = linkat(AT_FDCWD, proc, AT_FDCWD, "named", AT_SYMLINK_FOLLOW);
    int r3 = fstat(fd, &named);
    /* the named file is the open one: writes through the descriptor show under the name */
    ssize_t w2 = pwrite(fd, "!", 1, 3);
    close(fd);
    ASSERT_EQ(w, 3);
    ASSERT(0 == r);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(st.st_mode, S_IFREG | 0600);
    ASSERT_EQ(st.st_uid, geteuid());
    ASSERT_EQ(st.st_size, 3);
    ASSERT_EQ(n, 0);
    ASSERT(0 == r2);
    ASSERT(0 == r3);
    ASSERT_EQ(named.st_nlink, 1);
    ASSERT_EQ(named.st_ino, st.st_ino);
    ASSERT_EQ(w2, 1);
    char buf[8];
    ASSERT_EQ(fsp_tests_read_file("named", buf, sizeof buf), 4);
    ASSERT(0 == memcmp(buf, "tmp!", 4));
    ASSERT(0 == stat("named", &st));
    ASSERT_EQ(st.st_ino, named.st_ino);
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

/* O_TMPFILE in a subdirectory, O_EXCL (never linkable), closed unnamed files go away. */
static void create_tmpfile_excl_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    int fd = open("dir0", O_TMPFILE | O_WRONLY | O_EXCL, 0640);
    ASSERT(-1 != fd);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int r = linkat(AT_FDCWD, proc, AT_FDCWD, "dir0/named", AT_SYMLINK_FOLLOW);
    int e = errno;
    struct stat st;
    int r2 = fstat(fd, &st);
    close(fd);
    ASSERT_EQ(r, -1);
    ASSERT_EQ(e, ENOENT);
    ASSERT(0 == r2);
    ASSERT_EQ(st.st_mode, S_IFREG | 0640);
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
    /* many unnamed files, closed without a name: nothing is left */
    for (int i = 0; i < 20; i++) {
        fd = open("dir0", O_TMPFILE | O_RDWR, 0600);
        ASSERT(-1 != fd);
        ASSERT_EQ(write(fd, "x", 1), 1);
        close(fd);
    }
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
    /* not in a file */
    fsp_tests_write_file("file0", 0, 0);
    ASSERT_ERRNO(open("file0", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
}

/* Root is not bound by permission bits (except that executing needs some x bit). */
static void create_root_override_test(void)
{
    fsp_tests_need_root();
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0));
    fsp_tests_write_file("dir0/file", "r", 1);
    ASSERT(0 == mkdir("dir0/sub", 0755));
    ASSERT(0 == chmod("dir0/file", 0));
    int fd = open("dir0/file", O_RDWR);
    ASSERT(-1 != fd);
    ssize_t w = pwrite(fd, "R", 1, 0);
    close(fd);
    ASSERT_EQ(w, 1);
    char buf[4];
    ASSERT_EQ(fsp_tests_read_file("dir0/file", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 'R');
    ASSERT(0 == stat("dir0/file", &st));
    ASSERT_EQ(st.st_mode, S_IFREG | 0);
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 2);
    ASSERT(0 == unlink("dir0/file"));
    ASSERT(0 == rmdir("dir0/sub"));
}

void create_tests(void)
{
    TLIB_ADD_TEST("create", create_excl_test);
    TLIB_ADD_TEST("create", create_missing_test);
    TLIB_ADD_TEST("create", create_notdir_test);
    TLIB_ADD_TEST("create", create_eisdir_test);
    TLIB_ADD_TEST("create", create_trunc_test);
    TLIB_ADD_TEST("create", create_existing_keeps_data_test);
    TLIB_ADD_TEST("create", create_mode_umask_test);
    TLIB_ADD_TEST("create", create_readonly_mode_test);
    TLIB_ADD_TEST("create", create_mkdir_rmdir_test);
    TLIB_ADD_TEST("create", create_namelen_test);
    TLIB_ADD_TEST("create", create_namelen_utf8_test);
    TLIB_ADD_TEST("create", create_deep_path_test);
    TLIB_ADD_TEST("create", create_invalid_utf8_test);
    TLIB_ADD_TEST("create", create_case_test);
    TLIB_ADD_TEST("create", create_setgid_dir_test);
    TLIB_ADD_TEST("create", create_tmpfile_test);
    TLIB_ADD_TEST("create", create_tmpfile_excl_test);
    TLIB_ADD_TEST("create", create_root_override_test);
    TLIB_ADD_TEST("create", create_odd_names_test);
    TLIB_ADD_TEST("create", create_odirectory_test);
    TLIB_ADD_TEST("create", create_fifo_test);
    TLIB_ADD_TEST("create", create_many_test);
    TLIB_ADD_TEST("create", create_opath_test);
    TLIB_ADD_TEST("create", create_threads_test);
    TLIB_ADD_TEST("create", create_dot_test);
}
