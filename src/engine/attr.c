/*
 * src/engine/attr.c - FSP_FSCTL_FILE_INFO + POSIX identity -> struct fuse_attr.
 */
#include "engine.h"
#include <string.h>
#include <sys/stat.h>

/* FILETIME (100 ns since 1601) -> seconds and nanoseconds since 1970 (0 stays 1601-based). */
static void filetime_split(UINT64 ft, uint64_t *sec, uint32_t *nsec)
{
    UINT64 ut[2];
    FspPosixFileTimeToUnixTime(ft, ut);
    *sec = ut[0];
    *nsec = (uint32_t)ut[1];
}

void fsp_attr_from_info(struct fsp_engine *eng, const FSP_FSCTL_FILE_INFO *info, uint32_t uid,
                        uint32_t gid, uint32_t mode, uint32_t rdev_type_mode, uint32_t rdev,
                        struct fuse_attr *attr)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &fsp_engine_fs(eng)->VolumeParams;
    memset(attr, 0, sizeof *attr);
    attr->ino = info->IndexNumber;
    attr->size = (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) && !info->FileSize ? 0 : info->FileSize;
    attr->blocks = (info->AllocationSize + 511) / 512;
    filetime_split(info->LastAccessTime, &attr->atime, &attr->atimensec);
    filetime_split(info->LastWriteTime, &attr->mtime, &attr->mtimensec);
    filetime_split(info->ChangeTime ? info->ChangeTime : info->LastWriteTime, &attr->ctime,
                   &attr->ctimensec);
    attr->mode = rdev_type_mode | (mode & 07777);
    bool is_dir = S_ISDIR(rdev_type_mode);
    /* With the HardLinks extension the count is the file system's (0 for an unlinked open file);
     * without it the ops make it what Linux expects where the engine knows (fsp_ops_fix_nlink). */
    attr->nlink = vp->HardLinks || info->HardLinks ? info->HardLinks : is_dir ? 2 : 1;
    attr->uid = uid;
    attr->gid = gid;
    attr->rdev = rdev;
    attr->blksize = (uint32_t)vp->SectorSize * vp->SectorsPerAllocationUnit;
    if (attr->blksize < 512)
        attr->blksize = 4096;
}
