/*
 * src/engine/notify.c - FspFileSystemNotify: a file system tells the engine
 * that files changed behind the kernel's back; the engine makes the kernel
 * drop what it cached (names: FUSE_NOTIFY_INVAL_ENTRY; attributes and data:
 * FUSE_NOTIFY_INVAL_INODE), and drops what the engine cached of the file and its
 * directory (attr_cache.c).
 *
 * Do not call it from inside an operation on the same file: the kernel may
 * wait for that operation while invalidating (as with libfuse's notify calls).
 */
#include "core.h"
#include "api.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static pthread_rwlock_t notify_lock = PTHREAD_RWLOCK_INITIALIZER;

FSP_API NTSTATUS FspFileSystemNotifyBegin(FSP_FILE_SYSTEM *FileSystem, ULONG Timeout)
{
    (void)FileSystem, (void)Timeout;
    pthread_rwlock_rdlock(&notify_lock);
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemNotifyEnd(FSP_FILE_SYSTEM *FileSystem)
{
    (void)FileSystem;
    pthread_rwlock_unlock(&notify_lock);
    return STATUS_SUCCESS;
}

static int notify_write(struct fsp_engine *eng, int code, const struct iovec *payload, int n)
{
    struct fuse_out_header out;
    struct iovec v[4];
    size_t len = sizeof out;
    for (int i = 0; i < n; i++) {
        v[i + 1] = payload[i];
        len += payload[i].iov_len;
    }
    out.len = (uint32_t)len;
    out.error = code;
    out.unique = 0;
    v[0].iov_base = &out;
    v[0].iov_len = sizeof out;
    return fsp_channel_write(eng->fd, v, n + 1);
}

static void inval_entry(struct fsp_engine *eng, uint64_t parent, PCWSTR name)
{
    char *uname = 0;
    if (!NT_SUCCESS(FspPosixMapWindowsToPosixPathEx((PWSTR)name, &uname, TRUE)))
        return;
    struct fuse_notify_inval_entry_out o;
    memset(&o, 0, sizeof o);
    o.parent = parent;
    o.namelen = (uint32_t)strlen(uname);
    struct iovec v[2] = {{&o, sizeof o}, {uname, o.namelen + 1}};
    int err = notify_write(eng, FUSE_NOTIFY_INVAL_ENTRY, v, 2);
    if (err && ENOENT != err)
        FspDebugLog("linfsp: invalidating an entry failed: %s\n", strerror(err));
    FspPosixDeletePath(uname);
}

static void inval_inode(struct fsp_engine *eng, uint64_t nodeid)
{
    struct fuse_notify_inval_inode_out o;
    memset(&o, 0, sizeof o);
    o.ino = nodeid;
    o.off = 0;
    o.len = -1; /* the whole file */
    struct iovec v = {&o, sizeof o};
    int err = notify_write(eng, FUSE_NOTIFY_INVAL_INODE, &v, 1);
    if (err && ENOENT != err)
        FspDebugLog("linfsp: invalidating a file failed: %s\n", strerror(err));
}

void fsp_notify_inval_attr(struct fsp_engine *eng, uint64_t nodeid)
{
    struct fuse_notify_inval_inode_out o;
    memset(&o, 0, sizeof o);
    o.ino = nodeid;
    o.off = -1; /* attributes only: takes no lock the kernel may hold during a request */
    struct iovec v = {&o, sizeof o};
    notify_write(eng, FUSE_NOTIFY_INVAL_INODE, &v, 1);
}

FSP_API NTSTATUS FspFileSystemNotify(FSP_FILE_SYSTEM *FileSystem, FSP_FSCTL_NOTIFY_INFO *NotifyInfo,
                                     SIZE_T Size)
{
    struct fsp_engine *eng = FileSystem->Engine;
    if (!NotifyInfo && Size)
        return STATUS_INVALID_PARAMETER;
    if (!eng->initialized || eng->fd < 0)
        return STATUS_SUCCESS; /* nothing cached yet */
    const char *p = (const char *)NotifyInfo, *end = p + Size;
    while (p + sizeof(FSP_FSCTL_NOTIFY_INFO) <= end) {
        const FSP_FSCTL_NOTIFY_INFO *ni = (const FSP_FSCTL_NOTIFY_INFO *)p;
        if (ni->Size < sizeof *ni || ni->Size > (size_t)(end - p))
            return STATUS_INVALID_PARAMETER;
        size_t nchars = (ni->Size - sizeof *ni) / sizeof(WCHAR);
        PWSTR path = malloc((nchars + 1) * sizeof(WCHAR));
        if (!path)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(path, ni->FileNameBuf, nchars * sizeof(WCHAR));
        path[nchars] = 0;
        uint64_t parent = 0;
        PWSTR last = 0;
        uint64_t nodeid = fsp_node_find_path(eng, path, &parent, &last);
        /* The engine's own cache first (attr_cache.c): the kernel may ask again at once. */
        if (parent)
            fsp_attr_invalidate(eng, parent);
        if (nodeid)
            fsp_attr_invalidate_owner(eng, nodeid);
        if (parent && last)
            inval_entry(eng, parent, last);
        if (nodeid)
            inval_inode(eng, nodeid);
        /* Changed behind the engine's back: directories' subdirectory counts are unknown now. */
        if (parent)
            fsp_node_subdirs_forget(eng, parent);
        if (nodeid)
            fsp_node_subdirs_forget(eng, nodeid);
        free(last);
        free(path);
        p += (ni->Size + 7) & ~(size_t)7;
    }
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspFileSystemNotifyPoll(FSP_FILE_SYSTEM *FileSystem, UINT64 PollHandle)
{
    if (!FileSystem || 0 == PollHandle)
        return STATUS_INVALID_PARAMETER;
    struct fsp_engine *eng = FileSystem->Engine;
    if (!eng->initialized || eng->fd < 0)
        return STATUS_INVALID_DEVICE_STATE;
    struct fuse_notify_poll_wakeup_out o;
    memset(&o, 0, sizeof o);
    o.kh = PollHandle;
    struct iovec v = {&o, sizeof o};
    int err = notify_write(eng, FUSE_NOTIFY_POLL, &v, 1);
    /* ENOENT: the kernel no longer waits for this handle (the file was released). */
    return 0 == err || ENOENT == err ? STATUS_SUCCESS : FspNtStatusFromErrno(err);
}
