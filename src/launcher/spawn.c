/*
 * src/launcher/spawn.c - an instance's process: fork, then in the child its own session and
 * process group, standard input (a secret's pipe or /dev/null), the RunAs user's groups, gid
 * and uid (each call checked, and checked again after), the work directory, standard error
 * (the class's Stderr file, opened as that user) and output, SIGTERM when the launcher dies
 * (JobControl), and exec with a clean environment. A failure before exec is reported on a
 * close-on-exec pipe, so the launcher learns of it without waiting.
 */
#include "launcher.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const char *spawn_stage_name(int stage)
{
    switch (stage) {
    case SPAWN_STAGE_SETUP: return "setting up the process";
    case SPAWN_STAGE_CREDENTIALS: return "switching to the RunAs user";
    case SPAWN_STAGE_WORKDIR: return "changing to WorkDirectory";
    case SPAWN_STAGE_STDERR: return "opening the Stderr file";
    case SPAWN_STAGE_EXEC: return "running Executable";
    default: return "starting";
    }
}

static void __attribute__((noreturn)) fail(int fd, int stage, int error)
{
    struct spawn_failure f = {stage, error};
    if (write(fd, &f, sizeof f) < 0)
        (void)0;
    _exit(127);
}

static void child(const struct spawn_spec *s, int status_fd, pid_t parent)
{
    /* The launcher blocks the signals it takes through signalfd and ignores SIGPIPE. */
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, 0);
    for (int sig = 1; sig < NSIG; sig++)
        if (SIGKILL != sig && SIGSTOP != sig)
            signal(sig, SIG_DFL);
    umask(022);
    if (setsid() < 0)
        fail(status_fd, SPAWN_STAGE_SETUP, errno);
    int in = s->stdin_fd >= 0 ? s->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in < 0 || dup2(in, 0) < 0)
        fail(status_fd, SPAWN_STAGE_SETUP, errno);
    if (s->change_ids) {
        if (0 != setgroups((size_t)s->ngroups, s->groups))
            fail(status_fd, SPAWN_STAGE_CREDENTIALS, errno);
        if (0 != setresgid(s->gid, s->gid, s->gid))
            fail(status_fd, SPAWN_STAGE_CREDENTIALS, errno);
        if (0 != setresuid(s->uid, s->uid, s->uid))
            fail(status_fd, SPAWN_STAGE_CREDENTIALS, errno);
        uid_t ru, eu, su;
        gid_t rg, eg, sg;
        if (0 != getresuid(&ru, &eu, &su) || 0 != getresgid(&rg, &eg, &sg) || ru != s->uid ||
            eu != s->uid || su != s->uid || rg != s->gid || eg != s->gid || sg != s->gid)
            fail(status_fd, SPAWN_STAGE_CREDENTIALS, EPERM);
        /* Dropped for good: root must not be regained. */
        if (0 != s->uid && (0 == setuid(0) || 0 == seteuid(0)))
            fail(status_fd, SPAWN_STAGE_CREDENTIALS, EPERM);
    }
    if (0 != chdir(s->workdir ? s->workdir : "/"))
        fail(status_fd, SPAWN_STAGE_WORKDIR, errno);
    if (s->stderr_path) {
        int fd = open(s->stderr_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                      0600);
        if (fd < 0 || dup2(fd, 2) < 0)
            fail(status_fd, SPAWN_STAGE_STDERR, errno);
    }
    if (dup2(s->stdout_fd >= 0 ? s->stdout_fd : 2, 1) < 0)
        fail(status_fd, SPAWN_STAGE_SETUP, errno);
    /* After the credentials changed (a change clears it): SIGTERM when the launcher ends. */
    if (s->jobcontrol) {
        if (0 != prctl(PR_SET_PDEATHSIG, SIGTERM))
            fail(status_fd, SPAWN_STAGE_SETUP, errno);
        if (getppid() != parent)
            _exit(127);
    }
    /* Nothing of the launcher's but standard input, output and error (and the status pipe,
     * closed by exec). */
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(s->path, s->argv, s->envp);
    fail(status_fd, SPAWN_STAGE_EXEC, errno);
}

pid_t spawn_instance(const struct spawn_spec *spec, int *pstatus_fd)
{
    int p[2];
    if (0 != pipe2(p, O_CLOEXEC))
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(p[0]), close(p[1]);
        errno = err;
        return -1;
    }
    if (0 == pid) {
        close(p[0]);
        child(spec, p[1], parent);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    *pstatus_fd = p[0];
    return pid;
}
