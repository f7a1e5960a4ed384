/*
 * src/engine/ops_killpriv.c - a changed file loses its privileges
 * (FUSE_HANDLE_KILLPRIV_V2).
 *
 * Linux drops a regular file's privileges when it changes: a write or a
 * truncation by a caller without CAP_FSETID clears S_ISUID, and S_ISGID when
 * the group may execute the file (or the caller is not in its group); a change
 * of owner clears them on every file type but directories (S_ISGID again only
 * with group execute, or when a caller other than root is not in the file's
 * group); and any write, truncation or change of owner removes its
 * capabilities (security.capability).
 * Without FUSE_HANDLE_KILLPRIV_V2 the kernel does this itself and asks GETXATTR
 * "security.capability" before every write to find out whether there is
 * anything to do: one more round trip per write. With it, the kernel marks the
 * requests (FUSE_WRITE_KILL_SUIDGID, FATTR_KILL_SUIDGID, FUSE_OPEN_KILL_SUIDGID)
 * and the engine does the work here, in process.
 *
 * A node found to carry none of these (no set-ID bit, no capability) is marked
 * FSP_NODE_NO_PRIVS, so the common write costs one flag test. SETATTR of mode or
 * owner and SETXATTR unmark it. (All names of a hard-linked file are one node,
 * nodes.c, when the file system gives files an IndexNumber; without one, a
 * chmod through another name would unmark only that name's node, so a
 * hard-linked file without one is never marked, and LINK unmarks the old
 * name's node.) A node is marked only if its flags word did not change while
 * it was being looked at, so a concurrent chmod or setxattr is never lost.
 */
#include "ops.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char caps_name[] = "security.capability";

/* Is the caller in group gid: its primary group, or one of its supplementary groups (read
 * from /proc/PID/status; false when that cannot be read)? */
bool fsp_ops_caller_in_group(struct fsp_request *req, uint32_t gid)
{
    if (req->in->gid == gid)
        return true;
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%u/status", req->in->pid);
    FILE *f = req->in->pid ? fopen(path, "re") : 0;
    bool in = false;
    while (f && !in && fgets(line, sizeof line, f)) {
        if (strncmp(line, "Groups:", 7))
            continue;
        for (char *p = line + 7, *end; !in; p = end) {
            unsigned long g = strtoul(p, &end, 10);
            if (end == p)
                break;
            in = g == gid;
        }
        break;
    }
    if (f)
        fclose(f);
    return in;
}

uint32_t fsp_ops_killed_mode(struct fsp_request *req, uint32_t mode, uint32_t file_gid, bool chown)
{
    mode &= ~(uint32_t)S_ISUID;
    /* S_ISGID without group execute marks mandatory locking, not a privilege; a writer, or
     * the caller of a change of owner, outside the file's group loses it all the same, except
     * root (CAP_FSETID) changing the owner (as on Linux: setattr_should_drop_sgid). */
    bool exempt = chown && 0 == req->in->uid;
    if ((mode & S_ISGID) &&
        ((mode & S_IXGRP) || (!exempt && !fsp_ops_caller_in_group(req, file_gid))))
        mode &= ~(uint32_t)S_ISGID;
    return mode;
}

int fsp_ops_kill_privs(struct fsp_request *req, uint64_t nodeid, PVOID ctx, PWSTR path,
                       unsigned what)
{
    struct fsp_engine *eng = req->engine;
    if (!(fsp_engine_init_flags(eng) & FUSE_HANDLE_KILLPRIV_V2))
        return 0;
    /* The flags word as it was before looking: the node is marked clean below only if no
     * chmod/chown/setxattr/link changed it meanwhile (fsp_node_set_flag_if). */
    unsigned seen = nodeid ? fsp_node_flags(eng, nodeid) : 0;
    if (seen & FSP_NODE_NO_PRIVS)
        return 0;
    if (!req->fs->Interface->GetFileInfo)
        return 0;
    FSP_FSCTL_OPEN_FILE_INFO info;
    int err = fsp_ops_get_file_info(req, ctx, &info);
    if (err)
        return err;
    struct fuse_attr attr;
    err = fsp_ops_fill_attr(req, nodeid, ctx, path, &info, &attr);
    if (err)
        return fsp_err_through_status(err);
    if (!S_ISREG(attr.mode))
        return 0;
    uint32_t mode = attr.mode & 07777, keep = mode;
    if (what & FSP_KILLPRIV_SUIDGID)
        keep = fsp_ops_killed_mode(req, mode, attr.gid, false);
    if (keep != mode) {
        err = fsp_ops_set_posix_security(req, ctx, attr.uid, attr.gid, keep);
        if (nodeid)
            fsp_attr_invalidate_owner(eng, nodeid);
        if (err)
            return err;
    }
    /* A file whose EAs cannot be read (some file systems reach EAs by name only, and an
     * unlinked file has none) cannot have them removed either: the change goes ahead. */
    err = fsp_ops_xattr_present(req, ctx, caps_name);
    if (0 == err) {
        int rerr = fsp_ops_xattr_remove(req, ctx, caps_name);
        if (nodeid)
            fsp_attr_invalidate_owner(eng, nodeid);
        if (rerr)
            return rerr;
    }
    bool one_node = info.FileInfo.HardLinks <= 1 || info.FileInfo.IndexNumber; /* see above */
    if (nodeid && one_node && (0 == err || ENODATA == err || EOPNOTSUPP == err) &&
        !(keep & (S_ISUID | S_ISGID)))
        fsp_node_set_flag_if(eng, nodeid, FSP_NODE_NO_PRIVS, seen);
    return 0;
}
