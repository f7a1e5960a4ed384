/*
 * tests/fsp-tests/mount-test.c - mounting through the native API (internal only): errors of
 * FspFileSystemSetMountPoint and FspFileSystemSetMountOptions, a second memfs mounted on a
 * temporary directory serving files, unmounting, mount options and read-only volumes.
 *
 * These tests allocate (MemfsCreate); each gathers its results first, cleans up, and asserts last.
 */
#include "fsp-tests.h"
#include "memfs.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <wchar.h>

#define FUSE_SUPER_MAGIC 0x65735546

/* Look up path as a mount point in /proc/self/mountinfo; copy its fstype, source and options. */
static bool find_mount(const char *path, char *fstype, char *source, char *opts)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return false;
    char line[4096], mnt[PATH_MAX], mopts[512], fst[256], src[256], sopts[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        /* id parent maj:min root mountpoint options [optional...] - fstype source superoptions */
        if (2 != sscanf(line, "%*s %*s %*s %*s %4095s %511s", mnt, mopts))
            continue;
        const char *dash = strstr(line, " - ");
        if (!dash || 3 != sscanf(dash + 3, "%255s %255s %511s", fst, src, sopts))
            continue;
        if (0 == strcmp(mnt, path)) {
            found = true;
            if (fstype)
                strcpy(fstype, fst);
            if (source)
                strcpy(source, src);
            if (opts)
                snprintf(opts, 1024, "%s,%s", mopts, sopts);
        }
    }
    fclose(f);
    return found;
}

static bool has_option(const char *opts, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = opts; p && *p;) {
        if (0 == strncmp(p, opt, n) && (',' == p[n] || 0 == p[n]))
            return true;
        p = strchr(p, ',');
        if (p)
            p++;
    }
    return false;
}

/* A second memfs on a temporary directory. */
struct second {
    MEMFS *memfs;
    char dir[64];
    WCHAR wdir[64];
    bool started;
};

static NTSTATUS second_create(struct second *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/fsp-mount-test.XXXXXX");
    if (!mkdtemp(s->dir)) {
        s->dir[0] = 0;
        return STATUS_UNSUCCESSFUL;
    }
    mbstowcs(s->wdir, s->dir, 64);
    return MemfsCreate(MemfsDisk, 0, 64, 16 * 1024 * 1024, 0, 0, &s->memfs);
}

static NTSTATUS second_mount(struct second *s, const char *options)
{
    FSP_FILE_SYSTEM *fs = MemfsFileSystem(s->memfs);
    NTSTATUS status = STATUS_SUCCESS;
    if (options)
        status = FspFileSystemSetMountOptions(fs, options);
    if (NT_SUCCESS(status))
        status = FspFileSystemSetMountPoint(fs, s->wdir);
    if (NT_SUCCESS(status))
        status = MemfsStart(s->memfs);
    s->started = NT_SUCCESS(status);
    return status;
}

/* Stop, unmount and delete; true when the mount is gone afterwards. */
static bool second_delete(struct second *s)
{
    if (s->memfs) {
        if (s->started)
            MemfsStop(s->memfs);
        FspFileSystemRemoveMountPoint(MemfsFileSystem(s->memfs));
        MemfsDelete(s->memfs);
        s->memfs = 0;
    }
    bool gone = !s->dir[0] || !find_mount(s->dir, 0, 0, 0);
    if (s->dir[0] && 0 != rmdir(s->dir))
        gone = false;
    return gone;
}

static void mount_errors_test(void)
{
    fsp_tests_need_internal();
    struct second s, t;
    NTSTATUS create = second_create(&s);
    NTSTATUS create2 = second_create(&t);
    NTSTATUS missing = -1, notdir = -1, relative_missing = -1, badopt = -1, badval = -1, noval = -1,
             goodopt = -1, good = -1, again = -1, busy = -1, busy_root = -1;
    WCHAR wpath[PATH_MAX];
    if (NT_SUCCESS(create) && NT_SUCCESS(create2)) {
        FSP_FILE_SYSTEM *fs = MemfsFileSystem(s.memfs);
        swprintf(wpath, PATH_MAX, L"%s/no/such/dir", s.dir);
        missing = FspFileSystemSetMountPoint(fs, wpath);
        fsp_tests_write_file("file0", 0, 0);
        swprintf(wpath, PATH_MAX, L"%s/file0", fsp_tests_dir());
        notdir = FspFileSystemSetMountPoint(fs, wpath);
        relative_missing = FspFileSystemSetMountPoint(fs, L"missing-dir");
        badopt = FspFileSystemSetMountOptions(fs, "allow_other,bogus_option");
        badval = FspFileSystemSetMountOptions(fs, "max_read=lots");
        noval = FspFileSystemSetMountOptions(fs, "fsname");
        goodopt = FspFileSystemSetMountOptions(fs, "noatime");
        /* after all these the file system still mounts */
        good = second_mount(&s, 0);
        again = FspFileSystemSetMountPoint(fs, s.wdir);
        /* this process has a file system there already */
        busy = FspFileSystemSetMountPoint(MemfsFileSystem(t.memfs), s.wdir);
        swprintf(wpath, PATH_MAX, L"%s", fsp_tests_root());
        busy_root = FspFileSystemSetMountPoint(MemfsFileSystem(t.memfs), wpath);
    }
    bool gone = second_delete(&s);
    bool gone2 = second_delete(&t);
    ASSERT_EQ(create, STATUS_SUCCESS);
    ASSERT_EQ(create2, STATUS_SUCCESS);
    ASSERT_EQ(missing, STATUS_OBJECT_PATH_NOT_FOUND);
    ASSERT_EQ(notdir, STATUS_NOT_A_DIRECTORY);
    ASSERT_EQ(relative_missing, STATUS_OBJECT_PATH_NOT_FOUND);
    ASSERT_EQ(badopt, STATUS_INVALID_PARAMETER);
    ASSERT_EQ(badval, STATUS_INVALID_PARAMETER);
    ASSERT_EQ(noval, STATUS_INVALID_PARAMETER);
    ASSERT_EQ(goodopt, STATUS_SUCCESS);
    ASSERT_EQ(good, STATUS_SUCCESS);
    ASSERT_EQ(again, STATUS_INVALID_DEVICE_STATE);
    ASSERT_EQ(busy, STATUS_DEVICE_BUSY);
    ASSERT_EQ(busy_root, STATUS_DEVICE_BUSY);
    ASSERT(gone);
    ASSERT(gone2);
}

static void mount_serve_test(void)
{
    fsp_tests_need_internal();
    struct second s;
    char path[128], fstype[256] = "", source[256] = "", opts[1024] = "", buf[16] = {0};
    NTSTATUS create = second_create(&s), mount = -1;
    bool mounted = false, mp_ok = false, separate = false;
    int wrote = -1, readn = -1, statfs_r = -1, readdir_count = -1;
    long ftype = 0;
    struct stat st;
    if (NT_SUCCESS(create)) {
        mount = second_mount(&s, 0);
        mounted = find_mount(s.dir, fstype, source, opts);
        PWSTR mp = FspFileSystemMountPoint(MemfsFileSystem(s.memfs));
        mp_ok = mp && 0 == wcscmp(mp, s.wdir);
        snprintf(path, sizeof path, "%s/served", s.dir);
        int fd = open(path, O_CREAT | O_RDWR, 0644);
        if (fd >= 0) {
            wrote = (int)pwrite(fd, "second", 6, 0);
            readn = (int)pread(fd, buf, sizeof buf, 0);
            close(fd);
        }
        struct statfs sf;
        statfs_r = statfs(s.dir, &sf);
        ftype = (long)sf.f_type;
        /* not on the first memfs */
        separate = -1 == lstat("served", &st) && ENOENT == errno;
        snprintf(path, sizeof path, "%s", s.dir);
        readdir_count = 0;
        DIR *d = opendir(path);
        if (d) {
            while (readdir(d))
                readdir_count++;
            closedir(d);
        }
    }
    bool gone = second_delete(&s);
    /* after unmounting, the directory is an empty directory again */
    snprintf(path, sizeof path, "%s/served", s.dir);
    bool file_gone = -1 == stat(path, &st) && ENOENT == errno;
    ASSERT_EQ(create, STATUS_SUCCESS);
    ASSERT_EQ(mount, STATUS_SUCCESS);
    ASSERT(mounted);
    ASSERT(0 == strncmp(fstype, "fuse", 4));
    ASSERT(has_option(opts, "nosuid"));
    ASSERT(has_option(opts, "nodev"));
    ASSERT(has_option(opts, "rw"));
    ASSERT(mp_ok);
    ASSERT_EQ(wrote, 6);
    ASSERT_EQ(readn, 6);
    ASSERT(0 == memcmp(buf, "second", 6));
    ASSERT_EQ(statfs_r, 0);
    ASSERT_EQ(ftype, FUSE_SUPER_MAGIC);
    ASSERT(separate);
    ASSERT_EQ(readdir_count, 3); /* ".", "..", "served" */
    ASSERT(gone);
    ASSERT(file_gone);
}

static void mount_options_test(void)
{
    fsp_tests_need_internal();
    struct second s;
    char fstype[256] = "", source[256] = "", opts[1024] = "";
    NTSTATUS create = second_create(&s), mount = -1;
    bool mounted = false;
    if (NT_SUCCESS(create))
        mount = second_mount(&s, "fsname=linfsp-test-src,subtype=xyzfs,noexec,noatime");
    if (NT_SUCCESS(mount))
        mounted = find_mount(s.dir, fstype, source, opts);
    bool gone = second_delete(&s);
    ASSERT_EQ(create, STATUS_SUCCESS);
    ASSERT_EQ(mount, STATUS_SUCCESS);
    ASSERT(mounted);
    ASSERT(0 == strcmp(fstype, "fuse.xyzfs"));
    ASSERT(0 == strcmp(source, "linfsp-test-src"));
    ASSERT(has_option(opts, "noexec"));
    ASSERT(has_option(opts, "noatime"));
    ASSERT(gone);
}

struct ro_result {
    NTSTATUS create, mount;
    bool mounted, ro_flag;
    int create_errno, mkdir_errno, stat_r, opendir_r, statfs_ro;
};

static void readonly_probe(struct second *s, const char *options, bool volume_param, struct ro_result *r)
{
    char path[128], opts[1024] = "";
    memset(r, 0, sizeof *r);
    r->mount = -1;
    r->create = second_create(s);
    if (!NT_SUCCESS(r->create))
        return;
    if (volume_param)
        MemfsFileSystem(s->memfs)->VolumeParams.ReadOnlyVolume = 1;
    r->mount = second_mount(s, options);
    if (!NT_SUCCESS(r->mount))
        return;
    r->mounted = find_mount(s->dir, 0, 0, opts);
    r->ro_flag = has_option(opts, "ro");
    snprintf(path, sizeof path, "%s/newfile", s->dir);
    errno = 0;
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    r->create_errno = -1 == fd ? errno : 0;
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/newdir", s->dir);
    r->mkdir_errno = 0 == mkdir(path, 0755) ? 0 : errno;
    struct stat st;
    r->stat_r = stat(s->dir, &st);
    int dfd = open(s->dir, O_RDONLY | O_DIRECTORY);
    r->opendir_r = dfd >= 0 ? 0 : -1;
    if (dfd >= 0)
        close(dfd);
    struct statfs sf;
    r->statfs_ro = 0 == statfs(s->dir, &sf) && (sf.f_flags & ST_RDONLY);
}

static void mount_readonly_test(void)
{
    fsp_tests_need_internal();
    struct second s;
    struct ro_result opt, vp;
    readonly_probe(&s, "ro", false, &opt);
    bool gone = second_delete(&s);
    readonly_probe(&s, 0, true, &vp);
    bool gone2 = second_delete(&s);
    /* the "ro" mount option */
    ASSERT_EQ(opt.create, STATUS_SUCCESS);
    ASSERT_EQ(opt.mount, STATUS_SUCCESS);
    ASSERT(opt.mounted);
    ASSERT(opt.ro_flag);
    ASSERT_EQ(opt.create_errno, EROFS);
    ASSERT_EQ(opt.mkdir_errno, EROFS);
    ASSERT_EQ(opt.stat_r, 0);
    ASSERT_EQ(opt.opendir_r, 0);
    ASSERT(opt.statfs_ro);
    ASSERT(gone);
    /* VolumeParams.ReadOnlyVolume */
    ASSERT_EQ(vp.create, STATUS_SUCCESS);
    ASSERT_EQ(vp.mount, STATUS_SUCCESS);
    ASSERT(vp.mounted);
    ASSERT(vp.ro_flag);
    ASSERT_EQ(vp.create_errno, EROFS);
    ASSERT_EQ(vp.mkdir_errno, EROFS);
    ASSERT_EQ(vp.stat_r, 0);
    ASSERT(vp.statfs_ro);
    ASSERT(gone2);
}

static void mount_delete_unmounts_test(void)
{
    /* FspFileSystemDelete (through MemfsDelete) unmounts a mounted file system by itself */
    fsp_tests_need_internal();
    struct second s;
    NTSTATUS create = second_create(&s), mount = -1;
    bool mounted = false, gone = false;
    if (NT_SUCCESS(create))
        mount = second_mount(&s, 0);
    if (NT_SUCCESS(mount)) {
        mounted = find_mount(s.dir, 0, 0, 0);
        MemfsDelete(s.memfs); /* stops the dispatcher and unmounts */
        s.memfs = 0;
        gone = !find_mount(s.dir, 0, 0, 0);
    }
    bool cleaned = second_delete(&s);
    ASSERT_EQ(create, STATUS_SUCCESS);
    ASSERT_EQ(mount, STATUS_SUCCESS);
    ASSERT(mounted);
    ASSERT(gone);
    ASSERT(cleaned);
}

void mount_tests(void)
{
    TLIB_ADD_TEST("mount", mount_errors_test);
    TLIB_ADD_TEST("mount", mount_serve_test);
    TLIB_ADD_TEST("mount", mount_options_test);
    TLIB_ADD_TEST("mount", mount_readonly_test);
    TLIB_ADD_TEST("mount", mount_delete_unmounts_test);
}
