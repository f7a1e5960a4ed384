/*
 * src/engine/attr.c - FSP_FSCTL_FILE_INFO + POSIX identity -> struct fuse_attr.
 */
#include "engine.h"
#include <string.h>
#include <sys/stat.h>

/* FILETIME (100 ns since 1601) plus the nanoseconds below 100 ns -> seconds and nanoseconds
 * since 1970 (0 stays 1601-based). */
static void filetime_split(UINT64 ft, UINT8 ns, uint64_t *sec, uint32_t *nsec)
{
    UINT64 ut[2];
    FspPosixFileTimeToUnixTime(ft, ut);
    *sec = ut[0];
    *nsec = (uint32_t)ut[1] + (ns > 99 ? 99 : ns);
}

void fsp_attr_from_info(struct fsp_engine *eng, const FSP_FSCTL_OPEN_FILE_INFO *oinfo, uint32_t uid,
                        uint32_t gid, uint32_t mode, uint32_t rdev_type_mode, uint32_t rdev,
                        struct fuse_attr *attr)
{
    const FSP_FSCTL_VOLUME_PARAMS *vp = &fsp_engine_fs(eng)->VolumeParams;
    const FSP_FSCTL_FILE_INFO *info = &oinfo->FileInfo;
    /* The nanoseconds below FILETIME's ticks, from file systems that keep them (LinFsp extension). */
    FSP_FSCTL_FILE_NSEC ns = {0, 0, 0, 0};
    if (vp->NanosecondTimes)
        ns = oinfo->Nsec;
    memset(attr, 0, sizeof *attr);
    attr->ino = info->IndexNumber;
    attr->size = (info->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) && !info->FileSize ? 0 : info->FileSize;
    attr->blocks = (info->AllocationSize + 511) / 512;
    filetime_split(info->LastAccessTime, ns.LastAccessTime, &attr->atime, &attr->atimensec);
    filetime_split(info->LastWriteTime, ns.LastWriteTime, &attr->mtime, &attr->mtimensec);
    if (info->ChangeTime)
        filetime_split(info->ChangeTime, ns.ChangeTime, &attr->ctime, &attr->ctimensec);
    else
        filetime_split(info->LastWriteTime, ns.LastWriteTime, &attr->ctime, &attr->ctimensec);
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
