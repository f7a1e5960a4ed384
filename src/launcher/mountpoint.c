/*
 * src/launcher/mountpoint.c - where a caller may have an instance mount. An instance that runs
 * as the caller mounts with the caller's own rights (fusermount3 checks them); one that runs as
 * root or another user mounts with rights the caller may not have, so for a caller other than
 * root the launcher checks the class's MountPoint first:
 * - it must be an existing directory given by its canonical path (no symlink, "." or "..");
 * - the caller must not be able to change any directory above it (else it could swap a
 *   component for a symlink between this check and the mount; a sticky directory is fine
 *   when the caller owns neither it nor the next component), and neither it nor a directory
 *   above it may be on a FUSE file system that a user other than root mounted (whose server
 *   can make a component anything at any time, whatever stat showed);
 * - the caller owns the directory or may write to it (fusermount3's rule), or /etc/fstab (the
 *   launcher's --fstab) has an entry "INSTANCE MOUNTPOINT linfsp.CLASS" with the user or
 *   users option (what mount(8) allows an ordinary user), and the start is the one mount(8)
 *   would make from it (%1 INSTANCE, %2 MOUNTPOINT, %3 the line's options).
 * Once mounted, the launcher checks that the mount landed on that very path (pverify).
 */
#include "launcher.h"
#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* May the caller write to a directory with this stat (ignoring capabilities)? */
static bool caller_may_write(const struct caller *c, const struct stat *st)
{
    if (st->st_uid == c->uid)
        return true; /* the owner may also chmod it */
    if (caller_in_group(c, st->st_gid))
        return st->st_mode & S_IWGRP;
    return st->st_mode & S_IWOTH;
}

/* Is a directory (its stat) on a FUSE file system that a user other than root mounted? Its
 * server answers every lookup as it likes: what it shows now proves nothing about what the
 * instance finds when it mounts (a component may have become a symbolic link to /etc). */
static bool on_users_fuse(const struct mnt_table *t, const struct stat *st, long *puser)
{
    unsigned dev = (unsigned)(major(st->st_dev) << 20 | minor(st->st_dev));
    const struct mnt_entry *e = mnt_table_find_fuse_dev(t, dev);
    if (!e || 0 == e->fuse_user)
        return false;
    *puser = e->fuse_user;
    return true;
}

/* Is opt (NAME or NAME=VALUE) one of the comma-separated options in list? */
static bool has_option(const char *list, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && 0 == strncmp(p, opt, n))
            return true;
        p += len + (',' == p[len]);
    }
    return false;
}

/* An fstab line lets users start what mount(8) would start from it, nothing else: mount.linfsp
 * sends %1 = the line's source (the instance), %2 = its mount point and %3 = its options, where
 * mount(8) may have added options that only take rights away (nosuid, nodev, noexec for a user
 * mount; ro), and "rw" stands for no options unless the line says ro. Without this a user could
 * start the instance of the line at its mount point with another source or options (rw where
 * the line says ro), for classes that let users start instances at all. */
static bool fstab_arguments_ok(const struct mntent *m, const char *mountpoint, int argc,
                               char *const *argv, char *why, size_t whysize)
{
    static const char *const restricting[] = {"nosuid", "nodev", "noexec", "ro"};
    if (3 != argc || 0 != strcmp(argv[0], m->mnt_fsname) || 0 != strcmp(argv[1], mountpoint)) {
        snprintf(why, whysize, "the fstab line for it lets users start only %s %s OPTIONS (as "
                 "mount %s does)", m->mnt_fsname, mountpoint, mountpoint);
        return false;
    }
    char *opts = strdup(argv[2]);
    if (!opts) {
        snprintf(why, whysize, "out of memory");
        return false;
    }
    bool ok = true;
    char *save = 0;
    for (char *o = strtok_r(opts, ",", &save); o && ok; o = strtok_r(0, ",", &save)) {
        bool known = has_option(m->mnt_opts, o) ||
                     (0 == strcmp(o, "rw") && !has_option(m->mnt_opts, "ro"));
        for (size_t i = 0; i < ARRAYSIZE(restricting) && !known; i++)
            known = 0 == strcmp(o, restricting[i]);
        if (!known) {
            snprintf(why, whysize, "the fstab line for it does not allow the option %.64s", o);
            ok = false;
        }
    }
    free(opts);
    return ok;
}

/* Is there an fstab entry that lets users mount INSTANCE of CLASS at mountpoint, with these
 * arguments? 1: yes; 0: no entry; -1: an entry, but the arguments are not the line's (why). */
static int fstab_allows(const char *mountpoint, const char *class_name, const char *instance_name,
                        int argc, char *const *argv, char *why, size_t whysize)
{
    const char *path = launcher_cfg.fstab;
    struct stat st;
    if (0 != stat(path, &st))
        return 0;
    /* Only an fstab that root controls counts. */
    if ((0 != st.st_uid && geteuid() != st.st_uid) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        log_msg(LOG_WARNING, "%s: not owned by root or writable by others: ignored", path);
        return 0;
    }
    FILE *f = setmntent(path, "re");
    if (!f)
        return 0;
    char type[128];
    snprintf(type, sizeof type, "linfsp.%s", class_name);
    int found = 0;
    struct mntent m;
    char buf[4096];
    while (found <= 0 && getmntent_r(f, &m, buf, sizeof buf)) {
        if (0 != strcmp(m.mnt_fsname, instance_name) || 0 != strcmp(m.mnt_type, type))
            continue;
        char *real = realpath(m.mnt_dir, 0);
        bool same = real && 0 == strcmp(real, mountpoint);
        free(real);
        if (same && (hasmntopt(&m, "user") || hasmntopt(&m, "users")))
            found = fstab_arguments_ok(&m, mountpoint, argc, argv, why, whysize) ? 1 : -1;
    }
    endmntent(f);
    return found;
}

ULONG mountpoint_check(const char *mountpoint, const struct caller *c, uid_t runas_uid,
                       const char *class_name, const char *instance_name, int argc,
                       char *const *argv, char **pcanonical, bool *pverify, char *why,
                       size_t whysize)
{
    *pcanonical = 0;
    *pverify = false;
    if ('/' != mountpoint[0]) {
        snprintf(why, whysize, "mount point %s is not an absolute path", mountpoint);
        return ERROR_BAD_PATHNAME;
    }
    char *real = realpath(mountpoint, 0);
    struct stat st;
    if (!real || 0 != stat(real, &st)) {
        int err = errno;
        snprintf(why, whysize, "mount point %s: %s", mountpoint, strerror(err));
        free(real);
        return ENOTDIR == err ? ERROR_DIRECTORY : ENOENT == err ? ERROR_PATH_NOT_FOUND
                                                                : ERROR_BAD_PATHNAME;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, whysize, "mount point %s is not a directory", mountpoint);
        free(real);
        return ERROR_DIRECTORY;
    }
    /* Root may mount anywhere; an instance running as the caller gets the caller's rights. */
    if (0 == c->uid || runas_uid == c->uid) {
        *pcanonical = real;
        return 0;
    }
    if (0 != strcmp(real, mountpoint)) {
        snprintf(why, whysize, "mount point %s is not a canonical path (it is %s)", mountpoint, real);
        free(real);
        return ERROR_BAD_PATHNAME;
    }
    /* No directory above it may be changed by the caller, nor be on a FUSE file system of a
     * user (its server could change the path between this check and the mount). */
    size_t n = strlen(real);
    char *prefix = malloc(n + 1);
    struct mnt_table t;
    if (!prefix || 0 != mnt_table_read(&t)) {
        free(prefix);
        free(real);
        snprintf(why, whysize, "cannot read the mount table");
        return ERROR_NO_SYSTEM_RESOURCES;
    }
    ULONG error = 0;
    long fuse_user = -1;
    if (on_users_fuse(&t, &st, &fuse_user)) {
        snprintf(why, whysize, "mount point %s is on a FUSE file system mounted by uid %ld",
                 mountpoint, fuse_user);
        error = ERROR_BAD_PATHNAME;
    }
    for (size_t i = 1; i < n && !error; i++) {
        if (1 != i && '/' != real[i])
            continue;
        memcpy(prefix, real, i);
        prefix[i] = '\0';
        struct stat dir, next;
        /* the component below this directory */
        size_t j = i + ('/' == real[i] ? 1 : 0);
        while (j < n && '/' != real[j])
            j++;
        char saved = real[j];
        real[j] = '\0';
        int r = lstat(real, &next);
        real[j] = saved;
        if (0 != lstat(prefix, &dir) || 0 != r) {
            snprintf(why, whysize, "mount point %s: %s", mountpoint, strerror(errno));
            error = ERROR_BAD_PATHNAME;
        } else if (on_users_fuse(&t, &dir, &fuse_user)) {
            snprintf(why, whysize, "mount point %s: %s is on a FUSE file system mounted by uid "
                     "%ld (it could change the path before the mount)", mountpoint, prefix,
                     fuse_user);
            error = ERROR_BAD_PATHNAME;
        } else if (caller_may_write(c, &dir) &&
                   !((dir.st_mode & S_ISVTX) && dir.st_uid != c->uid && next.st_uid != c->uid)) {
            snprintf(why, whysize, "mount point %s: uid %u may change %s above it", mountpoint,
                     (unsigned)c->uid, prefix);
            error = ERROR_BAD_PATHNAME;
        }
    }
    free(prefix);
    mnt_table_free(&t);
    if (!error && !(caller_may_write(c, &st) && (!(st.st_mode & S_ISVTX) || st.st_uid == c->uid))) {
        char fstab_why[256] = "";
        int r = fstab_allows(real, class_name, instance_name, argc, argv, fstab_why,
                             sizeof fstab_why);
        if (r < 0) {
            snprintf(why, whysize, "mount point %s: uid %u neither owns it nor may write to it, "
                     "and %s", mountpoint, (unsigned)c->uid, fstab_why);
            error = ERROR_BAD_PATHNAME;
        } else if (0 == r) {
            snprintf(why, whysize, "mount point %s: uid %u neither owns it nor may write to it, "
                     "and no fstab entry with the user option names it", mountpoint,
                     (unsigned)c->uid);
            error = ERROR_BAD_PATHNAME;
        }
    }
    if (error) {
        free(real);
        return error;
    }
    *pcanonical = real;
    *pverify = true;
    return 0;
}
