/*
 * tests/fsp-tests/volume-test.c - volume information (GetVolumeInfo on LinFsp): statfs/statvfs
 * fields, free space accounting, the file system type, name length limits.
 */
#include "fsp-tests.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FUSE_SUPER_MAGIC 0x65735546

static void volume_statvfs_test(void)
{
    struct statvfs sv;
    ASSERT(0 == statvfs(".", &sv));
    ASSERT(sv.f_bsize > 0);
    ASSERT(sv.f_frsize > 0);
    ASSERT(sv.f_blocks > 0);
    ASSERT(sv.f_blocks >= sv.f_bfree);
    ASSERT(sv.f_bfree >= sv.f_bavail);
    ASSERT(sv.f_files >= sv.f_ffree);
    ASSERT_EQ(sv.f_namemax, 255);
    /* every name on the volume reports the same volume */
    struct statvfs sv2;
    ASSERT(0 == mkdir("dir0", 0755));
    fsp_tests_write_file("dir0/file1", 0, 0);
    ASSERT(0 == statvfs("dir0/file1", &sv2));
    ASSERT_EQ(sv2.f_blocks, sv.f_blocks);
    ASSERT_EQ(sv2.f_bsize, sv.f_bsize);
    ASSERT_EQ(sv2.f_fsid, sv.f_fsid);
    int fd = open("dir0", O_RDONLY | O_DIRECTORY);
    ASSERT(-1 != fd);
    int r = fstatvfs(fd, &sv2);
    close(fd);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(sv2.f_blocks, sv.f_blocks);
    ASSERT(0 == statvfs(fsp_tests_root(), &sv2));
    ASSERT_EQ(sv2.f_blocks, sv.f_blocks);
    ASSERT_EQ(sv2.f_namemax, 255);
}

static void volume_free_space_test(void)
{
    /* memfs accounts the pages files use; tmpfs does too */
    static char data[1024 * 1024];
    memset(data, 'f', sizeof data);
    struct statvfs before, after, freed;
    ASSERT(0 == statvfs(".", &before));
    fsp_tests_write_file("file0", data, sizeof data);
    ASSERT(0 == statvfs(".", &after));
    unsigned long long used = (before.f_bfree - after.f_bfree) * (unsigned long long)before.f_frsize;
    ASSERT(after.f_bfree < before.f_bfree);
    ASSERT(used >= sizeof data);
    ASSERT(used < 2 * sizeof data);
    ASSERT_EQ(after.f_blocks, before.f_blocks);
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT(st.st_blocks * 512ULL >= sizeof data);
    /* truncating and removing give the space back */
    ASSERT(0 == truncate("file0", 0));
    ASSERT(0 == unlink("file0"));
    ASSERT(0 == statvfs(".", &freed));
    ASSERT(freed.f_bfree > after.f_bfree);
    ASSERT((freed.f_bfree - after.f_bfree) * (unsigned long long)freed.f_frsize >= sizeof data);
}

static void volume_fstype_test(void)
{
    fsp_tests_need_internal();
    struct statfs sf;
    ASSERT(0 == statfs(".", &sf));
    ASSERT_EQ(sf.f_type, FUSE_SUPER_MAGIC);
    ASSERT_EQ(sf.f_namelen, 255);
    ASSERT(sf.f_bsize > 0);
    struct statvfs sv;
    ASSERT(0 == statvfs(".", &sv));
    ASSERT(sv.f_flag & ST_NOSUID);
    ASSERT(sv.f_flag & ST_NODEV);
    ASSERT(!(sv.f_flag & ST_RDONLY));
    /* memfs: the volume holds MaxFileSize (16 GiB for fsp-tests) at least */
    ASSERT(sv.f_blocks * (unsigned long long)sv.f_frsize >= 16ULL * 1024 * 1024 * 1024);
    /* blksize of files is the allocation unit */
    fsp_tests_write_file("file0", "x", 1);
    struct stat st;
    ASSERT(0 == stat("file0", &st));
    ASSERT(st.st_blksize > 0);
}

static void volume_name_length_test(void)
{
    char name[300];
    memset(name, 'n', sizeof name);
    name[255] = 0;
    fsp_tests_write_file(name, "x", 1);
    struct stat st;
    ASSERT(0 == stat(name, &st));
    ASSERT(0 == mkdir("d", 0755));
    char path[310];
    snprintf(path, sizeof path, "d/%s", name);
    ASSERT(0 == mkdir(path, 0755));
    ASSERT(0 == rename(name, "short"));
    ASSERT(0 == rename("short", name));
    ASSERT(0 == unlink(name));
    name[255] = 'n', name[256] = 0;
    ASSERT_ERRNO(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    ASSERT_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
    ASSERT_ERRNO(stat(name, &st), ENAMETOOLONG);
    ASSERT_ERRNO(symlink("x", name), ENAMETOOLONG);
    /* a 255-byte name of 2-byte characters */
    for (int i = 0; i < 127; i++)
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    name[254] = 'e', name[255] = 0;
    fsp_tests_write_file(name, 0, 0);
    ASSERT(0 == stat(name, &st));
    ASSERT(0 == unlink(name));
}

static void volume_statfs_after_fill_test(void)
{
    /* many small files: the free block count goes down and comes back */
    fsp_tests_need_internal();
    char name[32];
    struct statvfs before, after, back;
    ASSERT(0 == statvfs(".", &before));
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "f%d", i);
        fsp_tests_write_file(name, "0123456789", 10);
    }
    ASSERT(0 == statvfs(".", &after));
    ASSERT(after.f_bfree < before.f_bfree);
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "f%d", i);
        ASSERT(0 == unlink(name));
    }
    ASSERT(0 == statvfs(".", &back));
    ASSERT_EQ(back.f_bfree, before.f_bfree);
}

void volume_tests(void)
{
    TLIB_ADD_TEST("volume", volume_statvfs_test);
    TLIB_ADD_TEST("volume", volume_free_space_test);
    TLIB_ADD_TEST("volume", volume_fstype_test);
    TLIB_ADD_TEST("volume", volume_name_length_test);
    TLIB_ADD_TEST("volume", volume_statfs_after_fill_test);
}
