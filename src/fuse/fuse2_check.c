/*
 * src/fuse/fuse2_check.c - compile-time check that fuse2_priv.h mirrors the
 * public FUSE 2.9 types of include/fuse/ exactly (fuse2.c uses the mirror;
 * programs use the public header). Generates no code.
 */
#define FUSE_USE_VERSION 29
#include "../../include/fuse/fuse.h"
#include "fuse2_priv.h"
#include <stddef.h>

#define SAME_SIZE(a, b) _Static_assert(sizeof(struct a) == sizeof(struct b), #a " size")
#define SAME_MEMBER(a, b, m)                                                                        \
    _Static_assert(offsetof(struct a, m) == offsetof(struct b, m) &&                             \
                       sizeof(((struct a *)0)->m) == sizeof(((struct b *)0)->m),                 \
                   #a "." #m)

SAME_SIZE(fuse_file_info, fuse2_file_info);
SAME_MEMBER(fuse_file_info, fuse2_file_info, flags);
SAME_MEMBER(fuse_file_info, fuse2_file_info, fh_old);
SAME_MEMBER(fuse_file_info, fuse2_file_info, writepage);
SAME_MEMBER(fuse_file_info, fuse2_file_info, fh);
SAME_MEMBER(fuse_file_info, fuse2_file_info, lock_owner);

SAME_SIZE(fuse_conn_info, fuse2_conn_info);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, proto_major);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, async_read);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, max_write);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, capable);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, want);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, congestion_threshold);
SAME_MEMBER(fuse_conn_info, fuse2_conn_info, reserved);

#define OP(m) SAME_MEMBER(fuse_operations, fuse2_operations, m)
SAME_SIZE(fuse_operations, fuse2_operations);
OP(getattr); OP(readlink); OP(getdir); OP(mknod); OP(mkdir); OP(unlink); OP(rmdir);
OP(symlink); OP(rename); OP(link); OP(chmod); OP(chown); OP(truncate); OP(utime); OP(open);
OP(read); OP(write); OP(statfs); OP(flush); OP(release); OP(fsync); OP(setxattr);
OP(getxattr); OP(listxattr); OP(removexattr); OP(opendir); OP(readdir); OP(releasedir);
OP(fsyncdir); OP(init); OP(destroy); OP(access); OP(create); OP(ftruncate); OP(fgetattr);
OP(lock); OP(utimens); OP(bmap); OP(ioctl); OP(poll); OP(write_buf); OP(read_buf); OP(flock);
OP(fallocate);

/* An ISO C translation unit must declare something. */
extern int linfsp_fuse2_check_unused;
