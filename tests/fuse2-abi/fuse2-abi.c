/*
 * tests/fuse2-abi/fuse2-abi.c - prints the sizes and member offsets of the FUSE 2.9 API's
 * structures (and where the bit fields fall). tests/fuse2-abi/fuse2-abi.sh builds it against
 * LinFsp's include/fuse/ and against the system's libfuse 2.9 headers, for FUSE_USE_VERSION
 * 26..29, and compares the output: programs built for one run with the other.
 */
#define FUSE_USE_VERSION V
#include <fuse.h>
#include <stdio.h>
#include <stddef.h>
#define S(t) printf("sizeof %s %zu\n", #t, sizeof(struct t))
#define O(t, m) printf("%s.%s %zu\n", #t, #m, offsetof(struct t, m))
int main(void)
{
    S(fuse_file_info); O(fuse_file_info, flags); O(fuse_file_info, fh_old); O(fuse_file_info, writepage);
    O(fuse_file_info, fh); O(fuse_file_info, lock_owner);
    { struct fuse_file_info fi = {0}; fi.direct_io = 1; fi.keep_cache = 1; fi.flush = 1; fi.nonseekable = 1; fi.flock_release = 1;
      unsigned char *p = (unsigned char *)&fi; printf("fi bits:"); for (size_t i = 0; i < sizeof fi; i++) printf(" %02x", p[i]); printf("\n"); }
    S(fuse_conn_info); O(fuse_conn_info, async_read); O(fuse_conn_info, max_write); O(fuse_conn_info, max_readahead);
    O(fuse_conn_info, capable); O(fuse_conn_info, want); O(fuse_conn_info, max_background); O(fuse_conn_info, congestion_threshold); O(fuse_conn_info, reserved);
    S(fuse_operations);
#define OP(m) O(fuse_operations, m);
    OP(getattr) OP(readlink) OP(getdir) OP(mknod) OP(mkdir) OP(unlink) OP(rmdir) OP(symlink) OP(rename) OP(link) OP(chmod) OP(chown)
    OP(truncate) OP(utime) OP(open) OP(read) OP(write) OP(statfs) OP(flush) OP(release) OP(fsync) OP(setxattr) OP(getxattr)
    OP(listxattr) OP(removexattr) OP(opendir) OP(readdir) OP(releasedir) OP(fsyncdir) OP(init) OP(destroy) OP(access) OP(create)
    OP(ftruncate) OP(fgetattr) OP(lock) OP(utimens) OP(bmap) OP(ioctl) OP(poll) OP(write_buf) OP(read_buf) OP(flock) OP(fallocate)
    { struct fuse_operations o = {0}; o.flag_nullpath_ok = 1; o.flag_utime_omit_ok = 1;
      unsigned char *p = (unsigned char *)&o + offsetof(struct fuse_operations, bmap) + sizeof(void *); printf("op flags: %02x %02x %02x %02x\n", p[0], p[1], p[2], p[3]); }
    S(fuse_context); O(fuse_context, uid); O(fuse_context, pid); O(fuse_context, private_data); O(fuse_context, umask);
    S(fuse_buf); O(fuse_buf, pos); S(fuse_bufvec); O(fuse_bufvec, buf); S(fuse_args); S(fuse_opt);
    printf("FUSE_VERSION %d caps %d %d\n", FUSE_VERSION, FUSE_CAP_BIG_WRITES, FUSE_CAP_IOCTL_DIR);
    return 0;
}
