/*
 * src/launcher/launcher.h - linfsp-launcher, the launcher service: declarations shared by its
 * files. Each block names the file that implements it. The launcher is one thread around one
 * epoll set (main.c): clients on the socket (server.c) ask for instances (instance.c), which
 * are processes (spawn.c) whose mounts are watched in /proc/self/mountinfo (mounts.c); who may
 * do what is decided from the caller's credentials (caller.c) and, for mount points, by
 * mountpoint.c. See doc/launcher.md.
 */
#ifndef LINFSP_LAUNCHER_H_INCLUDED
#define LINFSP_LAUNCHER_H_INCLUDED

#include "launch-internal.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>

/* ---- main.c: configuration, the event loop ---- */
struct launcher_config {
    const char *socket_path;
    const char *class_dir;
    const char *fstab;
    const char *pid_file;
    bool has_admin_group;
    gid_t admin_gid;
    unsigned start_timeout_ms;  /* an instance must be ready (mounted, secret taken) in time */
    unsigned stop_timeout_ms;   /* SIGTERM, then its connection aborted and SIGKILL */
    unsigned kill_timeout_ms;   /* after SIGKILL */
    unsigned max_clients, max_instances;
    bool foreground, verbose;
};
extern struct launcher_config launcher_cfg;
extern bool launcher_stopping;

/* Something to call when an fd in the epoll set is ready. */
struct watch {
    void (*on_ready)(struct watch *w, uint32_t events);
};
int loop_add(int fd, uint32_t events, struct watch *w);
int loop_mod(int fd, uint32_t events, struct watch *w);
void loop_del(int fd);
uint64_t now_ms(void);

/* ---- log.c: to stderr (with journald priorities when under systemd) or to syslog ---- */
void log_init(bool use_syslog);
void log_msg(int priority, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* ---- caller.c: who is on the other end of a connection ---- */
struct caller {
    pid_t pid;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    int ngroups;
    char *name; /* user name, or the uid in decimal */
    char *home; /* home directory ("" when unknown) */
    FSP_ACCESS_TOKEN *token;
};
/* From SO_PEERCRED and SO_PEERGROUPS; -1 with errno on failure. */
int caller_from_socket(int fd, struct caller *c);
int caller_copy(struct caller *dst, const struct caller *src);
void caller_free(struct caller *c);
bool caller_in_group(const struct caller *c, gid_t gid);
/* Does the caller have Right over SecurityDescriptor? Denials are logged with what. */
bool caller_allowed(const struct caller *c, PSECURITY_DESCRIPTOR sd, ACCESS_MASK right,
                    const char *what, const char *class_name, const char *instance_name);
/* The service rights' generic mapping (winsvc.h's). */
extern GENERIC_MAPPING launcher_service_mapping;

/* ---- server.c: the socket, requests and replies ---- */
struct client;
int server_init(void);           /* listen (or take systemd's socket) */
int server_start(void);          /* serve it (in the event loop) */
void server_close(void);         /* stop listening */
uint64_t server_tick(uint64_t now); /* idle clients; returns the next deadline (0: none) */
void server_reply(struct client *cl, ULONG error, const char *data, size_t len);
const struct caller *client_caller(struct client *cl);
void server_free_all(void);

/* ---- instance.c: instances of classes ---- */
struct instance;
void instance_start(struct client *cl, bool with_secret, const char *class_name,
                    const char *instance_name, int argc, char **argv, const char *secret,
                    size_t secret_len);
void instance_stop(struct client *cl, const char *class_name, const char *instance_name);
void instance_info(struct client *cl, const char *class_name, const char *instance_name);
void instance_list(struct client *cl);
/* A client waiting for an instance went away. */
void instance_forget_client(struct client *cl);
void instances_child_exited(pid_t pid, int status);
void instances_mounts_changed(void);
uint64_t instances_tick(uint64_t now);
/* Stop the instances under job control, leave the others; true when nothing is left to wait for. */
void instances_shutdown(void);
bool instances_done(void);
void instances_free_all(void);

/* ---- spawn.c: an instance's process ---- */
struct spawn_spec {
    const char *path; /* the program to run (argv[0] is what the instance sees) */
    char *const *argv;
    char *const *envp;
    bool change_ids; /* set uid, gid and groups (the launcher runs as root) */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int ngroups;
    const char *workdir;
    const char *stderr_path; /* NULL: the launcher's standard error */
    int stdin_fd;            /* -1: /dev/null */
    int stdout_fd;           /* -1: the same as standard error */
    bool jobcontrol;         /* SIGTERM when the launcher dies */
};
/* The child's failure before exec, written to the status pipe. */
struct spawn_failure {
    int stage; /* SPAWN_STAGE_* */
    int error; /* errno */
};
enum {
    SPAWN_STAGE_SETUP = 1,
    SPAWN_STAGE_CREDENTIALS,
    SPAWN_STAGE_WORKDIR,
    SPAWN_STAGE_STDERR,
    SPAWN_STAGE_EXEC,
};
const char *spawn_stage_name(int stage);
/* fork and exec; *pstatus_fd (non-blocking) reads a spawn_failure, or EOF once exec worked. */
pid_t spawn_instance(const struct spawn_spec *spec, int *pstatus_fd);

/* ---- mounts.c: /proc/self/mountinfo, FUSE connections ---- */
struct mnt_entry {
    int id;       /* the mount's ID */
    unsigned dev; /* the kernel's device number: major << 20 | minor (= the FUSE connection) */
    char *target;
    bool fuse;
    long fuse_user; /* a FUSE mount's user_id= (who mounted it), -1 when not given */
};
struct mnt_table {
    struct mnt_entry *v;
    size_t n;
};
int mounts_init(void); /* the mountinfo watch */
void mounts_close(void);
int mnt_table_read(struct mnt_table *t);
void mnt_table_free(struct mnt_table *t);
/* The most recent mount of dev; NULL if none. Device numbers are reused as soon as a mount is
 * gone: a mount once seen is recognized by ID, device and target together. */
const struct mnt_entry *mnt_table_find_dev(const struct mnt_table *t, unsigned dev);
const struct mnt_entry *mnt_table_find_mount(const struct mnt_table *t, int id, unsigned dev,
                                             const char *target);
const struct mnt_entry *mnt_table_find_fuse_target(const struct mnt_table *t, const char *target);
/* The FUSE mount of device dev (st_dev's major << 20 | minor); NULL when dev is no FUSE mount. */
const struct mnt_entry *mnt_table_find_fuse_dev(const struct mnt_table *t, unsigned dev);
/* The FUSE connection a process serves: 1 found, 0 none yet, -1 the kernel does not say. */
int fuse_connection_of(pid_t pid, unsigned *pdev);
/* Abort a FUSE connection (mounting fusectl when needed); unmount (lazily) every mount of dev.
 * Only for a connection whose mount is still there (else its number may be someone else's). */
void fuse_abort_connection(unsigned dev);
void mounts_detach_dev(unsigned dev);

/* ---- mountpoint.c: where a caller may have an instance mount ---- */
/* 0, or a Win32 error with why. *pcanonical receives the mount point's canonical path. argc
 * and argv are the start's arguments (%1...): an fstab line allows only its own. */
ULONG mountpoint_check(const char *mountpoint, const struct caller *c, uid_t runas_uid,
                       const char *class_name, const char *instance_name, int argc,
                       char *const *argv, char **pcanonical, bool *pverify, char *why,
                       size_t whysize);

/* ---- systemd.c: socket activation and readiness, without libsystemd ---- */
int systemd_listen_fd(void); /* the socket systemd passed, or -1 */
void systemd_notify(const char *state);

#endif
