/*
 * tests/fsp-tests/delete-test.c - fsp-tests group "delete": unlink and rmdir, including POSIX
 * deletion of open files and directories (after winfsp-tests' delete tests, in POSIX terms).
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static void delete_unlink_test(void)
{
    struct stat st;
    fsp_tests_write_file("file0", "data", 4);
    fsp_tests_write_file("file1", "keep", 4);
    ASSERT(0 == stat("file0", &st));
    ASSERT(0 == unlink("file0"));
    ASSERT_ERRNO(stat("file0", &st), ENOENT);
    ASSERT_ERRNO(open("file0", O_RDONLY), ENOENT);
    ASSERT_ERRNO(unlink("file0"), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
    ASSERT(0 == stat("file1", &st));
    ASSERT_EQ(st.st_size, 4);
    /* the name can be created again as a new, empty file */
    int fd = open("file0", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    int r = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r);
    ASSERT_EQ(st.st_size, 0);
}

static void delete_unlink_open_test(void)
{
    char buf[64];
    struct stat st;
    fsp_tests_write_file("file0", "original", 8);
    ASSERT(0 == stat("file0", &st));
    ino_t ino = st.st_ino;
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    int r = unlink("file0");
    if (0 != r)
        close(fd);
    ASSERT(0 == r);
    /* the name is gone at once */
    ASSERT_ERRNO(stat("file0", &st), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
    /* the descriptor still works */
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    ssize_t w = pwrite(fd, "+more", 5, 8);
    int r1 = fstat(fd, &st);
    ssize_t n2 = pread(fd, buf + 16, sizeof buf - 16, 0);
    r = ftruncate(fd, 4);
    struct stat st2;
    int r2 = fstat(fd, &st2);
    if (8 != n || 5 != w || 0 != r1 || 13 != n2 || 0 != r || 0 != r2)
        close(fd);
    ASSERT_EQ(n, 8);
    ASSERT(0 == memcmp(buf, "original", 8));
    ASSERT_EQ(w, 5);
    ASSERT(0 == r1);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(st.st_size, 13);
    ASSERT_EQ(st.st_ino, ino);
    ASSERT_EQ(n2, 13);
    ASSERT(0 == memcmp(buf + 16, "original+more", 13));
    ASSERT(0 == r && 0 == r2);
    ASSERT_EQ(st2.st_size, 4);
    /* a new file can take the name while the old one is open */
    fsp_tests_write_file("file0", "newfile", 7);
    n = pread(fd, buf, sizeof buf, 0);
    if (4 != n)
        close(fd);
    ASSERT_EQ(n, 4);
    ASSERT(0 == memcmp(buf, "orig", 4));
    ASSERT(0 == close(fd));
    ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), 7);
    ASSERT(0 == memcmp(buf, "newfile", 7));
    ASSERT_EQ(fsp_tests_count_entries("."), 1);
}

static void delete_unlink_open_twice_test(void)
{
    char buf[16];
    fsp_tests_write_file("file0", "shared", 6);
    int fd1 = open("file0", O_RDONLY);
    ASSERT(-1 != fd1);
    int fd2 = open("file0", O_RDWR);
    if (-1 == fd2)
        close(fd1);
    ASSERT(-1 != fd2);
    int r = unlink("file0");
    ssize_t w = pwrite(fd2, "SH", 2, 0);
    int c2 = close(fd2);
    ssize_t n = pread(fd1, buf, sizeof buf, 0);
    int c1 = close(fd1);
    ASSERT(0 == r);
    ASSERT_EQ(w, 2);
    ASSERT(0 == c2 && 0 == c1);
    ASSERT_EQ(n, 6);
    ASSERT(0 == memcmp(buf, "SHared", 6));
    struct stat st;
    ASSERT_ERRNO(stat("file0", &st), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static void delete_errors_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file", "x", 1);
    fsp_tests_write_file("file0", "x", 1);
    ASSERT_ERRNO(rmdir("dir0"), ENOTEMPTY);
    ASSERT_ERRNO(rmdir("file0"), ENOTDIR);
    ASSERT_ERRNO(unlink("dir0"), EISDIR);
    ASSERT_ERRNO(unlink("missing"), ENOENT);
    ASSERT_ERRNO(rmdir("missing"), ENOENT);
    ASSERT_ERRNO(unlink("missing/x"), ENOENT);
    ASSERT_ERRNO(unlink("file0/x"), ENOTDIR);
    ASSERT_ERRNO(rmdir("file0/x"), ENOTDIR);
    ASSERT_ERRNO(unlink("file0/"), ENOTDIR);
    ASSERT_ERRNO(rmdir("."), EINVAL);
    ASSERT_ERRNO(rmdir("dir0/."), EINVAL);
    ASSERT_ERRNO(rmdir("dir0/.."), ENOTEMPTY);
    /* the failures changed nothing */
    struct stat st;
    ASSERT(0 == stat("dir0/file", &st));
    ASSERT(0 == stat("file0", &st));
    ASSERT_EQ(fsp_tests_count_entries("."), 2);
    ASSERT(0 == unlink("dir0/file"));
    ASSERT(0 == rmdir("dir0/"));
    ASSERT_ERRNO(stat("dir0", &st), ENOENT);
}

static void delete_many_test(void)
{
    enum { N = 500 };
    char name[32];
    ASSERT(0 == mkdir("dir0", 0755));
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "dir0/file%d", i);
        fsp_tests_write_file(name, name, strlen(name));
    }
    ASSERT_EQ(fsp_tests_count_entries("dir0"), N);
    /* delete every other file, then check that exactly the others remain */
    for (int i = 0; i < N; i += 2) {
        snprintf(name, sizeof name, "dir0/file%d", i);
        ASSERT(0 == unlink(name));
    }
    ASSERT_EQ(fsp_tests_count_entries("dir0"), N / 2);
    for (int i = 0; i < N; i++) {
        struct stat st;
        snprintf(name, sizeof name, "dir0/file%d", i);
        if (i % 2)
            ASSERT(0 == stat(name, &st));
        else
            ASSERT_ERRNO(stat(name, &st), ENOENT);
    }
    /* delete the rest while a readdir walks the directory */
    DIR *d = opendir("dir0");
    ASSERT(NULL != d);
    struct dirent *de;
    int deleted = 0, failed = 0;
    while ((de = readdir(d))) {
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        snprintf(name, sizeof name, "dir0/%.20s", de->d_name);
        if (0 == unlink(name))
            deleted++;
        else
            failed++;
    }
    closedir(d);
    ASSERT_EQ(failed, 0);
    ASSERT_EQ(deleted, N / 2);
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
    ASSERT(0 == rmdir("dir0"));
}

/* The entries of an open directory stream other than "." and ".."; -1 when readdir fails. */
static int other_entries(DIR *d)
{
    struct dirent *de;
    int others = 0;
    errno = 0;
    while ((de = readdir(d)))
        if (0 != strcmp(de->d_name, ".") && 0 != strcmp(de->d_name, ".."))
            others++;
    return errno ? -1 : others;
}

/*
 * A removed directory that is a process's working directory (and nothing else: no name, no
 * open descriptor) still is a directory: stat(".") shows it with no links, opendir(".") opens
 * it and lists nothing (getdents: ENOENT, which readdir(3) takes as the end), fstat on that
 * descriptor works, chmod(".") works; nothing can be created in it.
 */
static void delete_cwd_test(void)
{
    char path[PATH_MAX];
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file", "x", 1);
    ASSERT(0 == chdir("dir0"));
    ASSERT(0 == unlink("file"));
    ASSERT(0 == rmdir("../dir0"));
    ASSERT_ERRNO(open("new", O_RDWR | O_CREAT, 0644), ENOENT);
    ASSERT_ERRNO(mkdir("newdir", 0755), ENOENT);
    int r1 = stat(".", &st);
    struct statx sx;
    int r2 = statx(AT_FDCWD, ".", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx);
    DIR *d = opendir(".");
    int e = errno, others = -2, r3 = -1, r4 = -1;
    struct stat dst, after;
    if (d) {
        r3 = fstat(dirfd(d), &dst);
        others = other_entries(d);
        closedir(d);
    }
    if (0 == chmod(".", 0700))
        r4 = stat(".", &after);
    snprintf(path, sizeof path, "%s", fsp_tests_dir());
    ASSERT(0 == chdir(path));
    ASSERT(0 == r1 && 0 == r2);
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT(S_ISDIR(sx.stx_mode));
    ASSERT_EQ(sx.stx_nlink, 0);
    ASSERT(d || (fprintf(stderr, "    opendir: %s\n", strerror(e)), false));
    ASSERT(0 == r3);
    ASSERT(S_ISDIR(dst.st_mode));
    ASSERT_EQ(dst.st_ino, st.st_ino);
    ASSERT_EQ(others, 0);
    ASSERT(0 == r4);
    ASSERT_EQ(after.st_mode, S_IFDIR | 0700);
    ASSERT_ERRNO(stat("dir0", &st), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
    /* the name is free again */
    ASSERT(0 == mkdir("dir0", 0755));
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
}

/* The same for a working directory that a rename replaced. */
static void delete_cwd_replaced_test(void)
{
    char path[PATH_MAX];
    struct stat before, st;
    ASSERT(0 == mkdir("src", 0755));
    fsp_tests_write_file("src/f", "f", 1);
    ASSERT(0 == mkdir("dst", 0711));
    ASSERT(0 == stat("dst", &before));
    ASSERT(0 == chdir("dst"));
    int r = rename("../src", "../dst");
    int e = errno;
    int r1 = stat(".", &st);
    DIR *d = opendir(".");
    int others = d ? other_entries(d) : -2;
    if (d)
        closedir(d);
    snprintf(path, sizeof path, "%s", fsp_tests_dir());
    ASSERT(0 == chdir(path));
    ASSERT(0 == r || (fprintf(stderr, "    rename: %s\n", strerror(e)), false));
    ASSERT(0 == r1);
    ASSERT_EQ(st.st_ino, before.st_ino);
    ASSERT_EQ(st.st_mode, S_IFDIR | 0711);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT(NULL != d);
    ASSERT_EQ(others, 0);
    char buf[4];
    ASSERT_EQ(fsp_tests_read_file("dst/f", buf, sizeof buf), 1);
    ASSERT_EQ(buf[0], 'f');
}

static void delete_opendir_test(void)
{
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/a", "x", 1);
    fsp_tests_write_file("dir0/b", "x", 1);
    int dfd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != dfd);
    int r1 = unlinkat(dfd, "a", 0);
    int r2 = unlinkat(dfd, "b", 0);
    int r3 = rmdir("dir0");
    int e3 = errno;
    struct stat st;
    int r4 = fstat(dfd, &st);
    int fd = openat(dfd, "c", O_RDWR | O_CREAT, 0644);
    int e5 = errno;
    if (-1 != fd)
        close(fd);
    DIR *d = fdopendir(dfd);
    if (!d)
        close(dfd);
    struct dirent *de;
    int others = 0, e = 0;
    if (d) {
        errno = 0;
        while ((de = readdir(d)))
            if (0 != strcmp(de->d_name, ".") && 0 != strcmp(de->d_name, ".."))
                others++;
        e = errno;
        closedir(d);
    }
    ASSERT(0 == r1 && 0 == r2);
    ASSERT(0 == r3 || (fprintf(stderr, "    rmdir: %s\n", strerror(e3)), false));
    ASSERT(0 == r4);
    ASSERT(S_ISDIR(st.st_mode));
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(fd, -1);
    ASSERT_EQ(e5, ENOENT);
    ASSERT(NULL != d);
    ASSERT_EQ(others, 0);
    ASSERT(0 == e || ENOENT == e);
    ASSERT_ERRNO(stat("dir0", &st), ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static void delete_dir_with_open_unlinked_file_test(void)
{
    char buf[16];
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file", "inside", 6);
    int fd = open("dir0/file", O_RDWR);
    ASSERT(-1 != fd);
    int r1 = unlink("dir0/file");
    /* the open but unlinked file does not keep its directory from being removed */
    int r2 = rmdir("dir0");
    int e2 = errno;
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    ssize_t w = pwrite(fd, "!", 1, 6);
    struct stat st;
    int r3 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1);
    ASSERT(0 == r2 || (fprintf(stderr, "    rmdir: %s\n", strerror(e2)), false));
    ASSERT_EQ(n, 6);
    ASSERT(0 == memcmp(buf, "inside", 6));
    ASSERT_EQ(w, 1);
    ASSERT(0 == r3);
    ASSERT_EQ(st.st_size, 7);
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static void delete_readonly_test(void)
{
    struct stat st;
    /* a read-only file is deleted like any other (no Windows READONLY attribute semantics) */
    fsp_tests_write_file("file0", "x", 1);
    ASSERT(0 == chmod("file0", 0444));
    ASSERT(0 == unlink("file0"));
    ASSERT_ERRNO(stat("file0", &st), ENOENT);
    fsp_tests_write_file("file1", "x", 1);
    ASSERT(0 == chmod("file1", 0));
    ASSERT(0 == unlink("file1"));
    ASSERT(0 == mkdir("dir0", 0555));
    ASSERT(0 == rmdir("dir0"));
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static int unlink_as_user(void *arg)
{
    const char *name = arg;
    if (-1 != unlink(name) || EACCES != errno)
        return 1;
    return 0;
}

static void delete_permission_test(void)
{
    fsp_tests_need_root();
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file", "x", 1);
    ASSERT(0 == chmod("dir0/file", 0666));
    /* deleting needs write permission on the directory, not on the file */
    ASSERT_EQ(fsp_tests_as_user(65534, 65534, unlink_as_user, "dir0/file"), 0);
    ASSERT(0 == stat("dir0/file", &st));
    /* root may delete in a directory without write permission */
    ASSERT(0 == chmod("dir0", 0555));
    ASSERT(0 == unlink("dir0/file"));
    ASSERT_ERRNO(stat("dir0/file", &st), ENOENT);
}

static void delete_recreate_test(void)
{
    char name[16], buf[32];
    for (int i = 0; i < 100; i++) {
        int len = snprintf(name, sizeof name, "gen%d", i);
        fsp_tests_write_file("file0", name, (size_t)len);
        ASSERT_EQ(fsp_tests_read_file("file0", buf, sizeof buf), len);
        ASSERT(0 == memcmp(buf, name, (size_t)len));
        ASSERT(0 == unlink("file0"));
        /* alternate file and directory under the same name */
        ASSERT(0 == mkdir("file0", 0755));
        struct stat st;
        ASSERT(0 == stat("file0", &st));
        ASSERT(S_ISDIR(st.st_mode));
        ASSERT(0 == rmdir("file0"));
        ASSERT_ERRNO(stat("file0", &st), ENOENT);
    }
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static void delete_tree_test(void)
{
    char path[64];
    struct stat st;
    ASSERT(0 == mkdir("a", 0755));
    ASSERT(0 == mkdir("a/b", 0755));
    ASSERT(0 == mkdir("a/b/c", 0755));
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "a/b/c/f%d", i);
        fsp_tests_write_file(path, "x", 1);
        snprintf(path, sizeof path, "a/f%d", i);
        fsp_tests_write_file(path, "x", 1);
    }
    ASSERT(0 == stat("a", &st));
    ASSERT_EQ(st.st_nlink, 3);
    ASSERT_ERRNO(rmdir("a/b/c"), ENOTEMPTY);
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "a/b/c/f%d", i);
        ASSERT(0 == unlink(path));
    }
    ASSERT(0 == rmdir("a/b/c"));
    ASSERT(0 == stat("a/b", &st));
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT(0 == rmdir("a/b"));
    ASSERT(0 == stat("a", &st));
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT_EQ(fsp_tests_count_entries("a"), 5);
    ASSERT_ERRNO(rmdir("a"), ENOTEMPTY);
}

static void delete_unlinkat_test(void)
{
    struct stat st;
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file", "x", 1);
    int dfd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != dfd);
    ASSERT(0 == mkdirat(dfd, "sub", 0755));
    int r1 = unlinkat(dfd, "file", AT_REMOVEDIR);
    int e1 = errno;
    int r2 = unlinkat(dfd, "sub", 0);
    int e2 = errno;
    int r3 = unlinkat(dfd, "sub", AT_REMOVEDIR);
    int r4 = unlinkat(dfd, "file", 0);
    int r5 = unlinkat(dfd, "file", 0);
    int e5 = errno;
    close(dfd);
    ASSERT_EQ(r1, -1);
    ASSERT_EQ(e1, ENOTDIR);
    ASSERT_EQ(r2, -1);
    ASSERT_EQ(e2, EISDIR);
    ASSERT(0 == r3 && 0 == r4);
    ASSERT_EQ(r5, -1);
    ASSERT_EQ(e5, ENOENT);
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 0);
    ASSERT(0 == stat("dir0", &st));
    ASSERT_EQ(st.st_nlink, 2);
}

static void delete_reuse_dir_name_test(void)
{
    struct stat st, old;
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/old", "x", 1);
    int dfd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != dfd);
    int r1 = unlink("dir0/old");
    int r2 = rmdir("dir0");
    int r3 = mkdir("dir0", 0700);
    int r4 = fstat(dfd, &old);
    /* the old directory's descriptor does not see the new directory's entries */
    int fd = open("dir0/new", O_RDWR | O_CREAT | O_EXCL, 0644);
    if (-1 != fd)
        close(fd);
    int r5 = faccessat(dfd, "new", F_OK, 0);
    int e5 = errno;
    close(dfd);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3 && 0 == r4);
    ASSERT(-1 != fd);
    ASSERT_EQ(r5, -1);
    ASSERT_EQ(e5, ENOENT);
    ASSERT(0 == stat("dir0", &st));
    ASSERT(st.st_ino != old.st_ino);
    ASSERT_EQ(st.st_mode, S_IFDIR | 0700);
    ASSERT_EQ(st.st_nlink, 2);
    ASSERT_EQ(old.st_nlink, 0);
    ASSERT_EQ(fsp_tests_count_entries("dir0"), 1);
}

#define DEL_THREADS 6
#define DEL_PER_THREAD 40
struct delete_thread_arg {
    int index;
    int own_failures;
    int shared_deleted;
    int shared_failures;
};

static void *delete_thread(void *p)
{
    struct delete_thread_arg *a = p;
    char name[32];
    for (int i = 0; i < DEL_PER_THREAD; i++) {
        snprintf(name, sizeof name, "t%d-%d", a->index, i);
        if (0 != unlink(name))
            a->own_failures++;
        snprintf(name, sizeof name, "shared%d", i);
        if (0 == unlink(name))
            a->shared_deleted++;
        else if (ENOENT != errno)
            a->shared_failures++;
    }
    return NULL;
}

static void delete_threads_test(void)
{
    char name[32];
    for (int t = 0; t < DEL_THREADS; t++)
        for (int i = 0; i < DEL_PER_THREAD; i++) {
            snprintf(name, sizeof name, "t%d-%d", t, i);
            fsp_tests_write_file(name, NULL, 0);
        }
    for (int i = 0; i < DEL_PER_THREAD; i++) {
        snprintf(name, sizeof name, "shared%d", i);
        fsp_tests_write_file(name, NULL, 0);
    }
    pthread_t th[DEL_THREADS];
    struct delete_thread_arg args[DEL_THREADS];
    memset(args, 0, sizeof args);
    for (int t = 0; t < DEL_THREADS; t++) {
        args[t].index = t;
        ASSERT(0 == pthread_create(&th[t], NULL, delete_thread, &args[t]));
    }
    int own = 0, deleted = 0, shared = 0;
    for (int t = 0; t < DEL_THREADS; t++) {
        pthread_join(th[t], NULL);
        own += args[t].own_failures;
        deleted += args[t].shared_deleted;
        shared += args[t].shared_failures;
    }
    ASSERT_EQ(own, 0);
    ASSERT_EQ(shared, 0);
    ASSERT_EQ(deleted, DEL_PER_THREAD); /* each shared name was deleted exactly once */
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

#define RACE_THREADS 4
#define RACE_ROUNDS 150
struct race_arg {
    int failures;
};

/* Threads create and delete the same few names as fast as they can. */
static void *race_thread(void *p)
{
    struct race_arg *a = p;
    char name[16];
    for (int i = 0; i < RACE_ROUNDS; i++) {
        snprintf(name, sizeof name, "n%d", i % 3);
        int fd = open(name, O_RDWR | O_CREAT, 0644);
        if (-1 != fd)
            close(fd);
        else if (ENOENT != errno) /* the name vanished between lookup and open */
            a->failures++;
        if (0 != unlink(name) && ENOENT != errno)
            a->failures++;
        if (0 != mkdir("dd", 0755) && EEXIST != errno)
            a->failures++;
        if (0 != rmdir("dd") && ENOENT != errno)
            a->failures++;
    }
    return NULL;
}

static void delete_race_test(void)
{
    pthread_t th[RACE_THREADS];
    struct race_arg args[RACE_THREADS];
    memset(args, 0, sizeof args);
    for (int t = 0; t < RACE_THREADS; t++)
        ASSERT(0 == pthread_create(&th[t], NULL, race_thread, &args[t]));
    int failures = 0;
    for (int t = 0; t < RACE_THREADS; t++) {
        pthread_join(th[t], NULL);
        failures += args[t].failures;
    }
    ASSERT_EQ(failures, 0);
    /* whatever is left is consistent: every listed name stats, and can be removed */
    DIR *d = opendir(".");
    ASSERT(NULL != d);
    struct dirent *de;
    int bad = 0;
    while ((de = readdir(d))) {
        struct stat st;
        if (0 == strcmp(de->d_name, ".") || 0 == strcmp(de->d_name, ".."))
            continue;
        if (0 != stat(de->d_name, &st))
            bad++;
        else if (0 != (S_ISDIR(st.st_mode) ? rmdir(de->d_name) : unlink(de->d_name)))
            bad++;
    }
    closedir(d);
    ASSERT_EQ(bad, 0);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

static long long free_bytes(void)
{
    struct statvfs sv;
    if (0 != statvfs(".", &sv))
        return -1;
    return (long long)sv.f_bfree * (long long)sv.f_frsize;
}

/* The space of a deleted file comes back when its last descriptor closes, not before. */
static void delete_space_test(void)
{
    enum { SIZE = 8 * 1024 * 1024, SLACK = 2 * 1024 * 1024 };
    static char chunk[64 * 1024];
    memset(chunk, 'S', sizeof chunk);
    long long free0 = free_bytes();
    ASSERT(free0 > 4LL * SIZE);
    int fd = open("big", O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT(-1 != fd);
    int bad = 0;
    for (int off = 0; off < SIZE; off += (int)sizeof chunk)
        bad += sizeof chunk != write(fd, chunk, sizeof chunk);
    fsync(fd);
    long long free1 = free_bytes();
    int r = unlink("big");
    long long free2 = free_bytes();
    char buf[16];
    ssize_t n = pread(fd, buf, sizeof buf, SIZE - (off_t)sizeof buf);
    close(fd);
    /* FUSE sends the release of a closed file asynchronously: give it a moment */
    long long free3 = free_bytes();
    for (int i = 0; i < 200 && free3 < free0 - SLACK; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        free3 = free_bytes();
    }
    ASSERT_EQ(bad, 0);
    ASSERT(0 == r);
    ASSERT_EQ(n, (ssize_t)sizeof buf);
    ASSERT(0 == memcmp(buf, chunk, sizeof buf));
    ASSERT(free1 <= free0 - (SIZE - SLACK));
    ASSERT(free2 <= free0 - (SIZE - SLACK)); /* still held by the open descriptor */
    ASSERT(free3 >= free0 - SLACK);
}

/* A file renamed and then unlinked while open stays usable. */
static void delete_renamed_open_test(void)
{
    char buf[16];
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("file0", "moving", 6);
    int fd = open("file0", O_RDWR);
    ASSERT(-1 != fd);
    int r1 = rename("file0", "dir0/file1");
    int r2 = unlink("dir0/file1");
    int r3 = rmdir("dir0");
    ssize_t w = pwrite(fd, "M", 1, 0);
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    struct stat st;
    int r4 = fstat(fd, &st);
    close(fd);
    ASSERT(0 == r1 && 0 == r2 && 0 == r3 && 0 == r4);
    ASSERT_EQ(w, 1);
    ASSERT_EQ(n, 6);
    ASSERT(0 == memcmp(buf, "Moving", 6));
    ASSERT_EQ(st.st_nlink, 0);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

/*
 * An unlinked file has no name, so the kernel's GETATTR of it (stat through /proc/self/fd,
 * after a write made the cached attributes stale) is answered from one of its open handles,
 * while its other descriptors close. The handle a GETATTR uses must never be one whose close
 * is under way. The descriptors opened first close first: they are the ones found first.
 */
#define CLOSE_RACE_ROUNDS 40
#define CLOSE_RACE_FDS 8
struct close_race_arg {
    char path[64];
    int fd;
    int stop, stats; /* atomic */
    int failures;
};

static void *close_race_stat_thread(void *p)
{
    struct close_race_arg *a = p;
    while (!__atomic_load_n(&a->stop, __ATOMIC_ACQUIRE)) {
        struct stat st;
        if (6 != pwrite(a->fd, "opened", 6, 0))
            a->failures++;
        if (0 != stat(a->path, &st) || 0 != st.st_nlink || 6 != st.st_size)
            a->failures++;
        __atomic_add_fetch(&a->stats, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* Wait until the stat thread has done one more round (or failed to start). */
static void close_race_wait(struct close_race_arg *a, int since)
{
    while (__atomic_load_n(&a->stats, __ATOMIC_ACQUIRE) == since)
        sched_yield();
}

static void delete_unlinked_close_race_test(void)
{
    int failures = 0, rounds = 0;
    for (; rounds < CLOSE_RACE_ROUNDS && 0 == failures; rounds++) {
        fsp_tests_write_file("file0", "opened", 6);
        int fds[CLOSE_RACE_FDS], nfds = 0;
        for (; nfds < CLOSE_RACE_FDS; nfds++)
            if (-1 == (fds[nfds] = open("file0", O_RDWR)))
                break;
        struct close_race_arg a;
        memset(&a, 0, sizeof a);
        a.fd = 0 < nfds ? fds[nfds - 1] : -1;
        snprintf(a.path, sizeof a.path, "/proc/self/fd/%d", a.fd);
        pthread_t th;
        bool ok = CLOSE_RACE_FDS == nfds && 0 == unlink("file0") &&
                  0 == pthread_create(&th, NULL, close_race_stat_thread, &a);
        if (!ok) {
            for (int i = 0; i < nfds; i++)
                close(fds[i]);
            unlink("file0");
            failures++;
            break;
        }
        /* the last descriptor stays open (the thread uses it) until the thread is done */
        for (int i = 0; i < nfds - 1; i++) {
            close_race_wait(&a, __atomic_load_n(&a.stats, __ATOMIC_ACQUIRE));
            close(fds[i]);
        }
        close_race_wait(&a, __atomic_load_n(&a.stats, __ATOMIC_ACQUIRE));
        __atomic_store_n(&a.stop, 1, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
        close(fds[nfds - 1]);
        failures += a.failures;
    }
    ASSERT_EQ(failures, 0);
    ASSERT_EQ(rounds, CLOSE_RACE_ROUNDS);
    ASSERT_EQ(fsp_tests_count_entries("."), 0);
}

void delete_tests(void)
{
    TLIB_ADD_TEST("delete", delete_unlink_test);
    TLIB_ADD_TEST("delete", delete_unlink_open_test);
    TLIB_ADD_TEST("delete", delete_unlink_open_twice_test);
    TLIB_ADD_TEST("delete", delete_errors_test);
    TLIB_ADD_TEST("delete", delete_many_test);
    TLIB_ADD_TEST("delete", delete_cwd_test);
    TLIB_ADD_TEST("delete", delete_cwd_replaced_test);
    TLIB_ADD_TEST("delete", delete_opendir_test);
    TLIB_ADD_TEST("delete", delete_dir_with_open_unlinked_file_test);
    TLIB_ADD_TEST("delete", delete_readonly_test);
    TLIB_ADD_TEST("delete", delete_permission_test);
    TLIB_ADD_TEST("delete", delete_recreate_test);
    TLIB_ADD_TEST("delete", delete_tree_test);
    TLIB_ADD_TEST("delete", delete_unlinkat_test);
    TLIB_ADD_TEST("delete", delete_reuse_dir_name_test);
    TLIB_ADD_TEST("delete", delete_threads_test);
    TLIB_ADD_TEST("delete", delete_race_test);
    TLIB_ADD_TEST("delete", delete_space_test);
    TLIB_ADD_TEST("delete", delete_renamed_open_test);
    TLIB_ADD_TEST("delete", delete_unlinked_close_race_test);
}
