/*
 * src/engine/ops.h - helpers shared by the opcode handlers (ops_*.c), implemented in ops_common.c.
 *
 * Conventions for handlers: every handler replies exactly once (fsp_reply_*),
 * brackets each interface call with fsp_op_enter/fsp_op_leave, frees what it
 * allocates, and validates what the file system returns (sizes, names) before
 * using it: impossible data becomes EIO plus a debug log line.
 */
#ifndef LINFSP_OPS_H_INCLUDED
#define LINFSP_OPS_H_INCLUDED

#include "engine.h"
#include "fs_errors.h"

/** The file context a handler should pass for fh (FileContext per UmFileContextIs*). */
#define FSP_OPS_CTX(h) ((h)->file_context)

/*
 * File information: every FSP_FSCTL_FILE_INFO the engine passes to a callback is the FileInfo
 * of an FSP_FSCTL_OPEN_FILE_INFO, zeroed before the call, so that a file system with
 * VolumeParams.NanosecondTimes can return the nanoseconds of its times in Nsec beside it
 * (FspFileSystemGetFileInfoNsec). The ops keep and pass the whole record.
 */

/**
 * Open an existing name for the engine's own use (lookup, getattr without fh,
 * unlink, rename, readlink, xattrs without fh): Open with FILE_OPEN_REPARSE_POINT
 * and the given access. Returns 0 or the engine's errno (fs_errors.h) of Open.
 */
int fsp_ops_open_path(struct fsp_request *req, PWSTR path, UINT32 access, PVOID *pctx,
                      FSP_FSCTL_OPEN_FILE_INFO *info);
/**
 * Cleanup (with flags; skipped when 0 and PostCleanupWhenModifiedOnly) then Close. With
 * FspCleanupDelete, returns what the file system reported of the delete through the operation
 * context's Response->IoStatus.Status (0, or the errno of why the name is still there), or
 * FSP_EPENDING when it reported nothing; otherwise 0.
 */
int fsp_ops_close(struct fsp_request *req, PVOID ctx, PWSTR path, ULONG cleanup_flags);
/**
 * GetFileInfo(ctx) inside the operation's context, info zeroed and passed as the FileInfo the
 * call may give nanoseconds beside (fsp_op_info_arg); FSP_EINVALID_DEVICE_REQUEST when the file
 * system has no such member.
 */
int fsp_ops_get_file_info(struct fsp_request *req, PVOID ctx, FSP_FSCTL_OPEN_FILE_INFO *info);

/**
 * Fill attr for an open file: FILE_INFO -> sizes/times/ino/nlink; the
 * security descriptor (GetSecurity, or GetSecurityByName(path) when ctx is
 * NULL) -> uid/gid/permission bits; FILE_ATTRIBUTE_DIRECTORY / reparse tag
 * (GetReparsePoint for IO_REPARSE_TAG_NFS) -> S_IFMT and rdev. Returns 0 or errno.
 * nodeid (0: none) is the node whose cached owner may stand in for the security
 * descriptor, and which caches what was read (attr_cache.c).
 */
int fsp_ops_fill_attr(struct fsp_request *req, uint64_t nodeid, PVOID ctx, PWSTR path,
                      const FSP_FSCTL_OPEN_FILE_INFO *info, struct fuse_attr *attr);

/**
 * When info is a symlink whose attributes need its target (GetReparsePoint), read it now and
 * remember its length for the rest of the request: fsp_ops_fill_attr then uses it instead of
 * reading again. For a change that must not be followed by a read of the target (SETATTR of
 * times: reading a FUSE program's symlink may change its access time).
 */
void fsp_ops_remember_symlink_size(struct fsp_request *req, PVOID ctx, PWSTR path,
                                   const FSP_FSCTL_OPEN_FILE_INFO *info);

/**
 * st_nlink for a file system that keeps no link counts (VolumeParams.HardLinks off): what
 * fsp_node_nlink says for nodeid (0 when its name is gone, 2 + known subdirectories for a
 * directory). With HardLinks the file system's count stays.
 */
void fsp_ops_fix_nlink(struct fsp_request *req, uint64_t nodeid, const FSP_FSCTL_FILE_INFO *info,
                       struct fuse_attr *attr);

/**
 * Answer a request that made the kernel learn a name (LOOKUP, MKDIR, MKNOD,
 * SYMLINK, LINK, and CREATE's entry part): enter the node, fill out (nodeid,
 * generation, timeouts, attr). Returns 0 or errno (nothing entered on error).
 */
int fsp_ops_make_entry(struct fsp_request *req, uint64_t parent, const char *name, PVOID ctx,
                       PWSTR path, const FSP_FSCTL_OPEN_FILE_INFO *info, struct fuse_entry_out *out);

/**
 * The entry part of fsp_ops_make_entry, for an out->attr already filled from info: enter
 * the node (a further name of a hard-linked file gets the node the kernel has for it),
 * nodeid, generation, timeouts.
 */
int fsp_ops_enter_entry(struct fsp_request *req, uint64_t parent, const char *name,
                        const FSP_FSCTL_OPEN_FILE_INFO *info, struct fuse_entry_out *out);

/**
 * Reply with an entry the request entered in the node table (LOOKUP, MKDIR, MKNOD, SYMLINK,
 * LINK): when the kernel does not get the reply, its lookup reference is given back.
 */
void fsp_ops_reply_entry(struct fsp_request *req, const struct fuse_entry_out *out);

/**
 * Reply to an open (OPEN, OPENDIR) with the handle it made: when the kernel does not get the
 * reply, the handle leaves the table (and closes when the request ends).
 */
void fsp_ops_reply_open(struct fsp_request *req, struct fsp_handle *h,
                        const struct fuse_open_out *out);

/**
 * Security descriptor for a new object made by the request's caller with
 * mode (permission and S_IS* bits, umask already applied by the kernel):
 * owner = caller uid; group = caller gid, or the parent's gid when the parent
 * directory has S_ISGID (and then a new directory keeps S_ISGID).
 * The descriptor belongs to the calling thread (valid until its next call; not freed).
 */
int fsp_ops_new_object_sd(struct fsp_request *req, uint64_t parent, uint32_t mode, bool is_dir,
                          PSECURITY_DESCRIPTOR *psd);

/**
 * Create a new object: CreateEx (with reparse data when reparse != NULL) or
 * Create (+ SetReparsePoint for reparse data when there is no CreateEx).
 * Disposition FILE_CREATE; create_options gets FILE_DIRECTORY_FILE for directories.
 */
int fsp_ops_create_object(struct fsp_request *req, PWSTR path, UINT32 create_options,
                          UINT32 granted_access, UINT32 file_attributes,
                          PSECURITY_DESCRIPTOR sd, PVOID reparse, ULONG reparse_len,
                          PVOID *pctx, FSP_FSCTL_OPEN_FILE_INFO *info);

/**
 * Create path, a new child of the request's nodeid, with the security descriptor that
 * fsp_ops_new_object_sd makes from mode: fsp_ops_new_object_sd + fsp_ops_create_object.
 */
int fsp_ops_create_child(struct fsp_request *req, PWSTR path, uint32_t mode, bool is_dir,
                         UINT32 create_options, UINT32 granted_access, UINT32 file_attributes,
                         PVOID reparse, ULONG reparse_len, PVOID *pctx,
                         FSP_FSCTL_OPEN_FILE_INFO *info);

/**
 * Create a regular file without a name in directory dirpath (open(2) with O_TMPFILE) through
 * the LinFsp extension CreateUnnamed, with security descriptor sd. FSP_EINVALID_DEVICE_REQUEST
 * when the file system has no CreateUnnamed.
 */
int fsp_ops_create_unnamed(struct fsp_request *req, PWSTR dirpath, UINT32 granted_access,
                           PSECURITY_DESCRIPTOR sd, PVOID *pctx, FSP_FSCTL_OPEN_FILE_INFO *info);

/** Access mask for open(2) flags (O_ACCMODE, O_APPEND). */
UINT32 fsp_ops_access_from_flags(int flags);

/**
 * Symlinks are IO_REPARSE_TAG_SYMLINK reparse points whose substitute name is
 * the POSIX target mapped to Windows form (lossless), relative unless the
 * target starts with '/': FspPosixMakeSymlinkReparseData / FspPosixGetSymlinkTarget
 * (src/api/reparse.c). Build one (malloc'ed) / read one back (NUL-terminated target,
 * free with FspPosixDeletePath). Errno: EINVAL when the data is not a valid symlink.
 */
int fsp_ops_symlink_reparse(const char *target, void **pdata, size_t *psize);
int fsp_ops_symlink_target(const void *data, size_t size, char **ptarget);

/** Read an open file's reparse data (GetReparsePoint) into a malloc'ed buffer. */
int fsp_ops_get_reparse(struct fsp_request *req, PVOID ctx, PWSTR path, void **pdata,
                        size_t *psize);

/**
 * Give an open file the owner, group and permission bits (07777) through SetSecurity,
 * with the security descriptor FspPosixMapPermissionsToSecurityDescriptor makes of them.
 */
int fsp_ops_set_posix_security(struct fsp_request *req, PVOID ctx, uint32_t uid, uint32_t gid,
                               uint32_t mode);

/** Privileges to drop (ops_killpriv.c): a file's capabilities always go. */
enum {
    FSP_KILLPRIV_CAPS = 0,    /**< only security.capability (a privileged caller) */
    FSP_KILLPRIV_SUIDGID = 1, /**< also S_ISUID/S_ISGID (the kernel's *_KILL_SUIDGID flags) */
};

/**
 * With FUSE_HANDLE_KILLPRIV_V2 negotiated, drop what a write, truncation or O_TRUNC open
 * of a regular file takes from it (see ops_killpriv.c). ctx is the file, open; path its
 * name (may be NULL); nodeid its node, or 0 when unknown. A node marked FSP_NODE_NO_PRIVS
 * costs nothing.
 */
int fsp_ops_kill_privs(struct fsp_request *req, uint64_t nodeid, PVOID ctx, PWSTR path,
                       unsigned what);

/**
 * mode without the set-ID bits a change drops: S_ISUID; S_ISGID when the group may execute,
 * or when the caller is not in the file's group file_gid (not root, for a change of owner).
 */
uint32_t fsp_ops_killed_mode(struct fsp_request *req, uint32_t mode, uint32_t file_gid, bool chown);

/** Fetch a file's security descriptor by context (or by name when ctx is NULL); *psd malloc'ed, validated. */
int fsp_ops_get_security(struct fsp_request *req, PVOID ctx, PWSTR path, PSECURITY_DESCRIPTOR *psd);

/** Is the request's caller in group gid (its primary group or a supplementary one)? */
bool fsp_ops_caller_in_group(struct fsp_request *req, uint32_t gid);

/** Does the caller hold capability number cap (CapEff of /proc/PID/status; else uid 0)? */
bool fsp_ops_caller_capable(struct fsp_request *req, int cap);

/**
 * A function run on an opened file (fsp_ops_with_node); h is the open handle used for a file
 * without a name, NULL when the engine opened it by name.
 */
typedef int fsp_node_fn(struct fsp_request *req, PVOID ctx, struct fsp_handle *h, void *arg);
/**
 * Run fn on the request's node: opened by its name with access, or, when it has none (unlinked
 * while open), on one of its open handles. Returns fn's result or the open's errno.
 */
int fsp_ops_with_node(struct fsp_request *req, UINT32 access, fsp_node_fn *fn, void *arg);

/*
 * The xattr names the engine serves itself (ops_ntxattr.c): ntfs-3g's system.ntfs_*, Samba's
 * user.DOSATTRIB, security.NTACL and user.DosStream.NAME:$DATA, and system.posix_acl_* from
 * the security descriptor. Each returns false for a name it does not serve (ops_xattr.c then
 * uses EAs), true when it replied.
 */
bool fsp_ntxattr_get(struct fsp_request *req, const char *name, uint32_t size);
bool fsp_ntxattr_set(struct fsp_request *req, const char *name, const void *value, size_t size,
                     uint32_t flags, uint32_t setxattr_flags);
bool fsp_ntxattr_remove(struct fsp_request *req, const char *name);
/**
 * May the caller read (change false) or set and remove (change true) the EA name of ctx? The
 * kernel guards no system.* name (tmpfs refuses them all): for those the engine asks what
 * ntfs-3g asks, read access to read, ownership or CAP_FOWNER to change. 0 or the errno.
 */
int fsp_ntxattr_check_ea(struct fsp_request *req, PVOID ctx, const char *name, bool change);
/** Is an EA of this name hidden (a served name takes it)? */
bool fsp_ntxattr_hides(struct fsp_request *req, const char *name);
/** LISTXATTR: append the served names ctx has (NUL-terminated) to *plist (realloc'ed). 0 or errno. */
int fsp_ntxattr_list(struct fsp_request *req, PVOID ctx, char **plist, size_t *plen);
/** Were POSIX ACLs negotiated (FUSE_POSIX_ACL): modes and new files follow the descriptor's ACLs. */
bool fsp_ops_posix_acls(struct fsp_request *req);

/** Does the file system serve EAs (VolumeParams.ExtendedAttributes, GetEa and SetEa)? */
bool fsp_ops_eas_supported(struct fsp_request *req);
/**
 * All EAs of ctx (GetEa, retried with larger buffers until the list is complete), malloc'ed;
 * E2BIG (STATUS_EA_TOO_LARGE's errno) when it does not fit in 16 MiB.
 */
int fsp_ops_read_eas(struct fsp_request *req, PVOID ctx, void **pbuf, ULONG *plen);
/** Is the EA name present on ctx (0), absent (ENODATA), or errno. EOPNOTSUPP without EAs. */
int fsp_ops_xattr_present(struct fsp_request *req, PVOID ctx, const char *name);
/** Remove the EA name from ctx. */
int fsp_ops_xattr_remove(struct fsp_request *req, PVOID ctx, const char *name);

/** RELEASE (dir false) and RELEASEDIR: take the handle out of the table and let it close. */
void fsp_ops_release_handle(struct fsp_request *req, bool dir);

/** Current time as FILETIME; *pnsec (may be NULL) receives its nanoseconds below 100 ns. */
UINT64 fsp_ops_now_filetime(UINT8 *pnsec);

/* ---- WinFsp's Cleanup flags where Linux expects their effect (ops_cleanup.c) ---- */

/** What a change to a file's data owes it: mtime, ctime, the archive bit. */
#define FSP_OPS_DATA_CHANGED (FspCleanupSetLastWriteTime | FspCleanupSetChangeTime | FspCleanupSetArchiveBit)
/** ... and a truncation: the allocation past the new end is freed. */
#define FSP_OPS_SIZE_CHANGED (FSP_OPS_DATA_CHANGED | FspCleanupSetAllocationSize)
/** What a change to security (owner, group, mode) owes: ctime, the archive bit. */
#define FSP_OPS_SECURITY_CHANGED (FspCleanupSetChangeTime | FspCleanupSetArchiveBit)
/** What a change to the EAs owes: ctime. */
#define FSP_OPS_EA_CHANGED FspCleanupSetChangeTime

/** The time a change starts, to compare the file system's times with (FILETIME, coarse clock). */
UINT64 fsp_ops_since(void);
/**
 * The Cleanup flags of want that info shows the file system did not apply itself: a time
 * older than since, an allocation larger than the size needs.
 */
ULONG fsp_ops_owed_flags(struct fsp_request *req, const FSP_FSCTL_FILE_INFO *info, UINT64 since,
                         ULONG want);
/**
 * After a change made through ctx: pass the owed flags to the file system's Cleanup of an open
 * of the file's own (by path, or by nodeid's current path when path is NULL), then refresh
 * *info from ctx (GetFileInfo). A file with no name keeps them in h (may be NULL) for its
 * release.
 */
void fsp_ops_modified(struct fsp_request *req, uint64_t nodeid, PWSTR path, struct fsp_handle *h,
                      PVOID ctx, UINT64 since, ULONG want, FSP_FSCTL_OPEN_FILE_INFO *info);
/** Flags h owes its file, passed at its release (an asynchronous write's). */
void fsp_ops_owe(struct fsp_handle *h, ULONG flags);
/**
 * Data or entries are read through h: at its first read, FspCleanupSetLastAccessTime by the
 * relatime rule, through an open of the file's own (or SetBasicInfo for a nameless file).
 */
void fsp_ops_read_through(struct fsp_request *req, struct fsp_handle *h);
/** The Cleanup flags h still owes for its release (an asynchronous write's); clears them. */
ULONG fsp_ops_release_flags(struct fsp_handle *h);

/* Handlers, one per opcode, grouped by file (the opcode table in ops_misc.c lists them). */
fsp_op_fn fsp_op_lookup, fsp_op_forget, fsp_op_batch_forget, fsp_op_getattr, fsp_op_setattr,
    fsp_op_statfs, fsp_op_statx, fsp_op_access;                                    /* ops_entry.c */
fsp_op_fn fsp_op_open, fsp_op_create, fsp_op_read, fsp_op_write, fsp_op_flush, fsp_op_fsync,
    fsp_op_release, fsp_op_fallocate, fsp_op_tmpfile;                              /* ops_file.c */
fsp_op_fn fsp_op_opendir, fsp_op_readdir, fsp_op_readdirplus, fsp_op_releasedir,
    fsp_op_mkdir;                                                                  /* ops_dir.c */
fsp_op_fn fsp_op_unlink, fsp_op_rmdir, fsp_op_rename, fsp_op_rename2, fsp_op_link,
    fsp_op_symlink, fsp_op_readlink, fsp_op_mknod;                                 /* ops_namespace.c */
fsp_op_fn fsp_op_getxattr, fsp_op_setxattr, fsp_op_listxattr, fsp_op_removexattr; /* ops_xattr.c */
fsp_op_fn fsp_op_ioctl, fsp_op_syncfs, fsp_op_getlk, fsp_op_setlk, fsp_op_setlkw,
    fsp_op_poll;                                                                   /* ops_misc.c */

#endif
