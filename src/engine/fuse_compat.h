/*
 * src/engine/fuse_compat.h - FUSE protocol constants newer than the build
 * machine's <linux/fuse.h>. Each is used only when the kernel offers it in
 * FUSE_INIT, so building against an older header stays correct.
 */
#ifndef LINFSP_FUSE_COMPAT_H_INCLUDED
#define LINFSP_FUSE_COMPAT_H_INCLUDED

#include <linux/fuse.h>

/* The highest protocol minor this engine implements (kernel 6.18 speaks 7.45). */
#define FSP_FUSE_MINOR_MAX 45
/* The oldest protocol minor accepted (Linux 5.10 speaks 7.32; 7.31 is the floor). */
#define FSP_FUSE_MINOR_MIN 31

#ifndef FUSE_DIRECT_IO_ALLOW_MMAP
#define FUSE_DIRECT_IO_ALLOW_MMAP (1ULL << 36)
#endif
#ifndef FUSE_NO_EXPORT_SUPPORT
#define FUSE_NO_EXPORT_SUPPORT (1ULL << 38)
#endif
#ifndef FUSE_HAS_RESEND
#define FUSE_HAS_RESEND (1ULL << 39)
#endif
#ifndef FUSE_STATX
#define FUSE_STATX 52
#endif
/* 7.39 statx (Linux 6.6): the request and reply of FUSE_STATX. */
/* (fsp_ names: newer <linux/fuse.h> headers define the same structures as fuse_*) */
struct fsp_fuse_sx_time {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct fsp_fuse_statx {
    uint32_t mask;
    uint32_t blksize;
    uint64_t attributes;
    uint32_t nlink;
    uint32_t uid;
    uint32_t gid;
    uint16_t mode;
    uint16_t spare0[1];
    uint64_t ino;
    uint64_t size;
    uint64_t blocks;
    uint64_t attributes_mask;
    struct fsp_fuse_sx_time atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare2[14];
};
struct fsp_fuse_statx_in {
    uint32_t getattr_flags;
    uint32_t reserved;
    uint64_t fh;
    uint32_t sx_flags;
    uint32_t sx_mask;
};
struct fsp_fuse_statx_out {
    uint64_t attr_valid;
    uint32_t attr_valid_nsec;
    uint32_t flags;
    uint64_t spare[2];
    struct fsp_fuse_statx stat;
};
#ifndef FUSE_COPY_FILE_RANGE_64
#define FUSE_COPY_FILE_RANGE_64 53
#endif
#ifndef FUSE_UNIQUE_RESEND
#define FUSE_UNIQUE_RESEND (1ULL << 63)
#endif

/*
 * 7.40 passthrough (Linux 6.9): FUSE_PASSTHROUGH, FOPEN_PASSTHROUGH, the backing file
 * ioctls, fuse_init_out.max_stack_depth (unused[0] before) and fuse_open_out.backing_id
 * (padding before). The two fields are reached through these macros.
 */
#ifdef FUSE_PASSTHROUGH
#define FSP_INIT_OUT_MAX_STACK_DEPTH(out) ((out).max_stack_depth)
#define FSP_OPEN_OUT_BACKING_ID(out) ((out).backing_id)
#else
#define FUSE_PASSTHROUGH (1ULL << 37)
#define FSP_INIT_OUT_MAX_STACK_DEPTH(out) ((out).unused[0])
#define FSP_OPEN_OUT_BACKING_ID(out) ((out).padding)
#endif
#ifndef FOPEN_PASSTHROUGH
#define FOPEN_PASSTHROUGH (1 << 7)
#endif
#ifndef FUSE_DEV_IOC_BACKING_OPEN
struct fuse_backing_map {
    int32_t fd;
    uint32_t flags;
    uint64_t padding;
};
#define FUSE_DEV_IOC_BACKING_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)
#endif

#endif
