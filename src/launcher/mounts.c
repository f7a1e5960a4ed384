/*
 * src/launcher/mounts.c - the launcher's view of mounts: /proc/self/mountinfo (watched with
 * epoll: the kernel flags it when the mount table changes), which FUSE connection a process
 * serves (/proc/PID/fdinfo of its /dev/fuse descriptors: "fuse_connection", Linux 6.x), and
 * freeing a mount whose file system is gone or hung (abort the connection, lazy unmount).
 */
#include "launcher.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUSECTL_DIR "/sys/fs/fuse/connections"

static int mountinfo_fd = -1;
static struct watch mountinfo_watch;

static void mountinfo_ready(struct watch *w, uint32_t events)
{
    (void)w, (void)events;
    instances_mounts_changed();
}

int mounts_init(void)
{
    mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (mountinfo_fd < 0)
        return -1;
    mountinfo_watch.on_ready = mountinfo_ready;
    return loop_add(mountinfo_fd, EPOLLPRI, &mountinfo_watch);
}

void mounts_close(void)
{
    if (mountinfo_fd >= 0) {
        loop_del(mountinfo_fd);
        close(mountinfo_fd);
        mountinfo_fd = -1;
    }
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
    char *o = s;
    for (char *c = s; *c; c++) {
        if ('\\' == c[0] && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' &&
            c[3] >= '0' && c[3] <= '7') {
            *o++ = (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
            c += 3;
        } else
            *o++ = *c;
    }
    *o = '\0';
}

void mnt_table_free(struct mnt_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].target);
    free(t->v);
    t->v = 0, t->n = 0;
}

/* The whole of mountinfo in one read(2): the kernel builds one read's worth under one lock,
 * so a mount table that changes meanwhile is never seen half old, half new (reads in small
 * pieces can miss entries). The buffer grows until one read holds everything. */
static char *read_mountinfo(size_t *plen)
{
    for (size_t cap = 256 * 1024; cap <= 64 * 1024 * 1024; cap *= 4) {
        int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        char *buf = fd >= 0 ? malloc(cap + 1) : 0;
        ssize_t n = buf ? read(fd, buf, cap) : -1;
        if (fd >= 0)
            close(fd);
        if (n < 0) {
            free(buf);
            return 0;
        }
        if ((size_t)n < cap) {
            buf[n] = '\0';
            *plen = (size_t)n;
            return buf;
        }
        free(buf);
    }
    return 0;
}

int mnt_table_read(struct mnt_table *t)
{
    t->v = 0, t->n = 0;
    size_t len = 0, alloc = 0;
    char *text = read_mountinfo(&len), *save_line = 0;
    if (!text)
        return -1;
    for (char *line = strtok_r(text, "\n", &save_line); line; line = strtok_r(0, "\n", &save_line)) {
        /* ID PARENT MAJOR:MINOR ROOT TARGET OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        char *save = 0, *field[5] = {0};
        field[0] = strtok_r(line, " ", &save);
        for (int i = 1; i < 5 && field[i - 1]; i++)
            field[i] = strtok_r(0, " ", &save);
        unsigned major, minor;
        int id;
        if (!field[4] || 1 != sscanf(field[0], "%d", &id) ||
            2 != sscanf(field[2], "%u:%u", &major, &minor))
            continue;
        char *tok, *fstype = 0, *super = 0;
        while ((tok = strtok_r(0, " ", &save)))
            if (0 == strcmp(tok, "-")) {
                fstype = strtok_r(0, " ", &save);
                if (fstype && strtok_r(0, " ", &save)) /* the source */
                    super = strtok_r(0, " ", &save);
                break;
            }
        if (t->n == alloc) {
            size_t n = alloc ? alloc * 2 : 64;
            struct mnt_entry *v = realloc(t->v, n * sizeof *v);
            if (!v)
                break;
            t->v = v, alloc = n;
        }
        unescape(field[4]);
        struct mnt_entry *e = &t->v[t->n];
        e->id = id;
        e->dev = major << 20 | minor;
        e->target = strdup(field[4]);
        e->fuse = fstype && (0 == strcmp(fstype, "fuse") || 0 == strncmp(fstype, "fuse.", 5) ||
                             0 == strcmp(fstype, "fuseblk"));
        e->fuse_user = -1;
        for (char *o = super; e->fuse && o && *o;) {
            unsigned long uid;
            if (0 == strncmp(o, "user_id=", 8) && 1 == sscanf(o + 8, "%lu", &uid))
                e->fuse_user = (long)uid;
            o = strchr(o, ',');
            o = o ? o + 1 : 0;
        }
        if (e->target)
            t->n++;
    }
    free(text);
    return 0;
}

const struct mnt_entry *mnt_table_find_dev(const struct mnt_table *t, unsigned dev)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->v[i].dev == dev)
            return &t->v[i];
    return 0;
}

const struct mnt_entry *mnt_table_find_mount(const struct mnt_table *t, int id, unsigned dev,
                                             const char *target)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].id == id && t->v[i].dev == dev && 0 == strcmp(t->v[i].target, target))
            return &t->v[i];
    return 0;
}

const struct mnt_entry *mnt_table_find_fuse_target(const struct mnt_table *t, const char *target)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->v[i].fuse && 0 == strcmp(t->v[i].target, target))
            return &t->v[i];
    return 0;
}

const struct mnt_entry *mnt_table_find_fuse_dev(const struct mnt_table *t, unsigned dev)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->v[i].fuse && t->v[i].dev == dev)
            return &t->v[i];
    return 0;
}

int fuse_connection_of(pid_t pid, unsigned *pdev)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int result = 0;
    bool any_fuse_fd = false;
    struct dirent *de;
    while (result <= 0 && (de = readdir(d))) {
        if ('.' == de->d_name[0])
            continue;
        char link[320], target[32];
        snprintf(link, sizeof link, "/proc/%d/fd/%s", (int)pid, de->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        if (0 != strcmp(target, "/dev/fuse"))
            continue;
        any_fuse_fd = true;
        snprintf(link, sizeof link, "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
        FILE *f = fopen(link, "re");
        if (!f)
            continue;
        char line[128];
        unsigned dev;
        while (fgets(line, sizeof line, f))
            if (1 == sscanf(line, "fuse_connection: %u", &dev)) {
                *pdev = dev;
                result = 1;
                break;
            }
        fclose(f);
    }
    closedir(d);
    return result > 0 ? 1 : any_fuse_fd ? -1 : 0;
}

/* fusectl holds each connection's abort file; mount it when nobody has (as root). */
static void ensure_fusectl(void)
{
    struct stat st, parent;
    if (0 != stat(FUSECTL_DIR, &st) || 0 != stat("/sys/fs/fuse", &parent))
        return;
    if (st.st_dev != parent.st_dev)
        return; /* mounted already */
    if (0 != mount("fusectl", FUSECTL_DIR, "fusectl", 0, 0) && EBUSY != errno)
        log_msg(LOG_DEBUG, "cannot mount fusectl on " FUSECTL_DIR ": %s", strerror(errno));
}

void fuse_abort_connection(unsigned dev)
{
    ensure_fusectl();
    char path[96];
    snprintf(path, sizeof path, FUSECTL_DIR "/%u/abort", dev);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        log_msg(LOG_DEBUG, "cannot abort FUSE connection %u: %s", dev, strerror(errno));
        return;
    }
    if (write(fd, "1", 1) < 0)
        log_msg(LOG_DEBUG, "cannot abort FUSE connection %u: %s", dev, strerror(errno));
    else
        log_msg(LOG_INFO, "aborted FUSE connection %u", dev);
    close(fd);
}

void mounts_detach_dev(unsigned dev)
{
    /* A mount may be seen more than once (bind mounts); the most recent first. */
    for (int round = 0; round < 16; round++) {
        struct mnt_table t;
        if (0 != mnt_table_read(&t))
            return;
        const struct mnt_entry *e = mnt_table_find_dev(&t, dev);
        bool done = !e || 0 != umount2(e->target, MNT_DETACH | UMOUNT_NOFOLLOW);
        if (e && !done)
            log_msg(LOG_INFO, "unmounted %s (FUSE connection %u)", e->target, dev);
        else if (e)
            log_msg(LOG_WARNING, "cannot unmount %s: %s", e->target, strerror(errno));
        mnt_table_free(&t);
        if (done)
            return;
    }
}
