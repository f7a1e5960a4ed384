/*
 * src/launcher/caller.c - a caller's identity and rights. The kernel gives the launcher the
 * credentials of the process at the other end of a connection (SO_PEERCRED: pid, uid, gid;
 * SO_PEERGROUPS: the supplementary groups); LinFsp's POSIX mapping turns them into an access
 * token (FspPosixCreateAccessToken), plus Administrators (BA) for members of the launcher's
 * administrators' group, and LinFsp's access check decides against the instance's security
 * descriptor. Denials are logged.
 */
#include "launcher.h"
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

GENERIC_MAPPING launcher_service_mapping = {
    .GenericRead = STANDARD_RIGHTS_READ | SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS |
                   SERVICE_INTERROGATE | SERVICE_ENUMERATE_DEPENDENTS,
    .GenericWrite = STANDARD_RIGHTS_WRITE | SERVICE_CHANGE_CONFIG,
    .GenericExecute = STANDARD_RIGHTS_EXECUTE | SERVICE_START | SERVICE_STOP |
                      SERVICE_PAUSE_CONTINUE | SERVICE_USER_DEFINED_CONTROL,
    .GenericAll = SERVICE_ALL_ACCESS,
};

bool caller_in_group(const struct caller *c, gid_t gid)
{
    if (c->gid == gid)
        return true;
    for (int i = 0; i < c->ngroups; i++)
        if (c->groups[i] == gid)
            return true;
    return false;
}

static int make_token(struct caller *c)
{
    UINT32 *groups = c->ngroups ? malloc((size_t)c->ngroups * sizeof *groups) : 0;
    if (c->ngroups && !groups)
        return -1;
    for (int i = 0; i < c->ngroups; i++)
        groups[i] = c->groups[i];
    NTSTATUS status = FspPosixCreateAccessToken(c->uid, c->gid, groups, (ULONG)c->ngroups, &c->token);
    free(groups);
    if (NT_SUCCESS(status) && launcher_cfg.has_admin_group &&
        caller_in_group(c, launcher_cfg.admin_gid)) {
        PSID ba = 0;
        status = FspStringToSid(L"BA", &ba);
        if (NT_SUCCESS(status))
            status = FspAccessTokenAddSid(c->token, ba);
        free(ba);
    }
    if (!NT_SUCCESS(status)) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static int fill_names(struct caller *c)
{
    struct passwd pw, *res = 0;
    char buf[4096];
    if (0 == getpwuid_r(c->uid, &pw, buf, sizeof buf, &res) && res) {
        c->name = strdup(pw.pw_name);
        c->home = strdup(pw.pw_dir ? pw.pw_dir : "");
    } else {
        if (asprintf(&c->name, "%u", (unsigned)c->uid) < 0)
            c->name = 0;
        c->home = strdup("");
    }
    return c->name && c->home ? 0 : -1;
}

int caller_from_socket(int fd, struct caller *c)
{
    memset(c, 0, sizeof *c);
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (0 != getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
        return -1;
    c->pid = cred.pid, c->uid = cred.uid, c->gid = cred.gid;
    /* SO_PEERGROUPS: the groups at connect time; ERANGE tells the size needed. */
    len = 64 * sizeof(gid_t);
    for (;;) {
        gid_t *g = realloc(c->groups, len ? len : sizeof(gid_t));
        if (!g) {
            caller_free(c);
            return -1;
        }
        c->groups = g;
        socklen_t got = len;
        if (0 == getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &got)) {
            c->ngroups = (int)(got / sizeof(gid_t));
            break;
        }
        if (ERANGE != errno || got <= len) {
            caller_free(c);
            return -1;
        }
        len = got;
    }
    if (0 != fill_names(c) || 0 != make_token(c)) {
        caller_free(c);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int caller_copy(struct caller *dst, const struct caller *src)
{
    memset(dst, 0, sizeof *dst);
    dst->pid = src->pid, dst->uid = src->uid, dst->gid = src->gid;
    dst->ngroups = src->ngroups;
    dst->groups = malloc((size_t)(src->ngroups ? src->ngroups : 1) * sizeof(gid_t));
    if (dst->groups)
        memcpy(dst->groups, src->groups, (size_t)src->ngroups * sizeof(gid_t));
    dst->name = strdup(src->name);
    dst->home = strdup(src->home);
    if (!dst->groups || !dst->name || !dst->home || 0 != make_token(dst)) {
        caller_free(dst);
        return -1;
    }
    return 0;
}

void caller_free(struct caller *c)
{
    free(c->groups);
    free(c->name);
    free(c->home);
    FspDeleteAccessToken(c->token);
    memset(c, 0, sizeof *c);
}

bool caller_allowed(const struct caller *c, PSECURITY_DESCRIPTOR sd, ACCESS_MASK right,
                    const char *what, const char *class_name, const char *instance_name)
{
    NTSTATUS status = FspAccessCheckToken(sd, c->token, right, &launcher_service_mapping, 0);
    if (NT_SUCCESS(status))
        return true;
    log_msg(LOG_WARNING, "denied: %s %s/%s to uid %u (%s) pid %d: access denied", what,
            class_name, instance_name, (unsigned)c->uid, c->name, (int)c->pid);
    return false;
}
