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
#ifndef FUSE_COPY_FILE_RANGE_64
#define FUSE_COPY_FILE_RANGE_64 53
#endif
#ifndef FUSE_UNIQUE_RESEND
#define FUSE_UNIQUE_RESEND (1ULL << 63)
#endif

#endif
