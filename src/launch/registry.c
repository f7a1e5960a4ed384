/*
 * src/launch/registry.c - WinFsp's service registry on Linux: FspLaunchRegSetRecord,
 * FspLaunchRegGetRecord and FspLaunchRegFreeRecord on the class files of the class directory.
 */
#include "launch-internal.h"
#include "api.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wctype.h>

#ifndef LINFSP_CLASS_DIRECTORY
#define LINFSP_CLASS_DIRECTORY "/etc/linfsp/services"
#endif

FSP_API const char *FspLaunchRegDirectory(VOID)
{
    const char *dir = secure_getenv("LINFSP_LAUNCHER_CLASSDIR");
    return dir && '/' == dir[0] ? dir : LINFSP_CLASS_DIRECTORY;
}

/* The class name as UTF-8, if it is a valid one. */
static char *class_name(PWSTR ClassName)
{
    char *name = ClassName ? fsp_class_string(ClassName) : 0;
    if (name && !fsp_class_name_valid(name)) {
        free(name);
        name = 0;
    }
    return name;
}

/* Create the missing directories of path (mode 0755). */
static int make_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return ENOMEM;
    int err = 0;
    for (char *p = copy + 1; !err; p++) {
        if ('/' != *p && '\0' != *p)
            continue;
        char saved = *p;
        *p = '\0';
        if (0 != mkdir(copy, 0755) && EEXIST != errno)
            err = errno;
        *p = saved;
        if (!saved)
            break;
    }
    free(copy);
    return err;
}

static NTSTATUS status_of(int err)
{
    return EACCES == err || EPERM == err || EROFS == err ? STATUS_ACCESS_DENIED
                                                         : FspNtStatusFromErrno(err);
}

FSP_API NTSTATUS FspLaunchRegSetRecord(PWSTR ClassName, const FSP_LAUNCH_REG_RECORD *Record)
{
    char *name = class_name(ClassName), *text = 0, *path = 0, *tmp = 0;
    if (!name)
        return STATUS_INVALID_PARAMETER;
    const char *dir = FspLaunchRegDirectory();
    NTSTATUS status = STATUS_SUCCESS;
    if (asprintf(&path, "%s/%s.conf", dir, name) < 0) {
        path = 0;
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    if (!Record) {
        if (0 != unlink(path) && ENOENT != errno)
            status = status_of(errno);
        goto out;
    }
    status = fsp_class_format(Record, &text);
    if (!NT_SUCCESS(status))
        goto out;
    /* Check what is written as the launcher will read it: a record is accepted whole or not. */
    FSP_LAUNCH_REG_RECORD *check = 0;
    char msg[512];
    status = fsp_class_parse(text, strlen(text), path, &check, msg, sizeof msg);
    free(check);
    if (!NT_SUCCESS(status)) {
        FspDebugLog("linfsp: FspLaunchRegSetRecord: %s\n", msg);
        status = STATUS_INSUFFICIENT_RESOURCES == status ? status : STATUS_INVALID_PARAMETER;
        goto out;
    }
    int err = make_dirs(dir);
    if (err) {
        status = status_of(err);
        goto out;
    }
    if (asprintf(&tmp, "%s/.%s.conf.XXXXXX", dir, name) < 0) {
        tmp = 0;
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        status = status_of(errno);
        free(tmp);
        tmp = 0;
        goto out;
    }
    size_t len = strlen(text), done = 0;
    errno = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && EINTR == errno)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    /* 0644: the launcher refuses files that group or others may write. */
    err = done != len ? (errno ? errno : EIO) : 0;
    if (!err && (0 != fchmod(fd, 0644) || 0 != fsync(fd)))
        err = errno;
    if (0 != close(fd) && !err)
        err = errno;
    if (err) {
        status = status_of(err);
        unlink(tmp);
        goto out;
    }
    if (0 != rename(tmp, path)) {
        status = status_of(errno);
        unlink(tmp);
    }
out:
    free(tmp);
    free(text);
    free(path);
    free(name);
    return status;
}

/* Is Agent one of the comma-separated agents (case-insensitive), as WinFsp matches it? */
static bool agent_matches(PCWSTR agents, PCWSTR agent)
{
    size_t n = wcslen(agent);
    for (PCWSTR part = agents, p = agents;; p++)
        if (L',' == *p || L'\0' == *p) {
            if ((size_t)(p - part) == n) {
                size_t i = 0;
                while (i < n && towlower((wint_t)part[i]) == towlower((wint_t)agent[i]))
                    i++;
                if (i == n)
                    return true;
            }
            if (L'\0' == *p)
                return false;
            part = p + 1;
        }
}

FSP_API NTSTATUS FspLaunchRegGetRecordEx(PWSTR ClassName, PWSTR Agent,
                                         FSP_LAUNCH_REG_RECORD **PRecord, char *Message,
                                         ULONG MessageSize)
{
    *PRecord = 0;
    if (Message && MessageSize)
        Message[0] = '\0';
    char *name = class_name(ClassName);
    if (!name) {
        if (Message && MessageSize)
            snprintf(Message, MessageSize, "invalid class name");
        return STATUS_OBJECT_NAME_INVALID;
    }
    FSP_LAUNCH_REG_RECORD *record = 0;
    NTSTATUS status = fsp_class_load(FspLaunchRegDirectory(), name, geteuid(), &record, Message,
                                     MessageSize);
    free(name);
    if (!NT_SUCCESS(status))
        return status;
    if (Agent && Agent[0] && record->Agent && record->Agent[0] &&
        !agent_matches(record->Agent, Agent)) {
        free(record);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    *PRecord = record;
    return STATUS_SUCCESS;
}

FSP_API NTSTATUS FspLaunchRegGetRecord(PWSTR ClassName, PWSTR Agent,
                                       FSP_LAUNCH_REG_RECORD **PRecord)
{
    NTSTATUS status = FspLaunchRegGetRecordEx(ClassName, Agent, PRecord, 0, 0);
    /* As WinFsp: a record that cannot be used is "not found", and so is any record when the
     * class directory does not exist (WinFsp's Services key missing). */
    return STATUS_OBJECT_NAME_INVALID == status || STATUS_ACCESS_DENIED == status ||
                   STATUS_OBJECT_PATH_NOT_FOUND == status
               ? STATUS_OBJECT_NAME_NOT_FOUND
               : status;
}

FSP_API NTSTATUS FspLaunchRegReadRecordFile(const char *Path, FSP_LAUNCH_REG_RECORD **PRecord,
                                            char *Message, ULONG MessageSize)
{
    *PRecord = 0;
    if (Message && MessageSize)
        Message[0] = '\0';
    if (!Path)
        return STATUS_INVALID_PARAMETER;
    int fd = open(Path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || 0 != fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        int err = fd < 0 ? errno : EINVAL;
        if (Message && MessageSize)
            snprintf(Message, MessageSize, "%s: %s", Path,
                     fd < 0 ? strerror(err) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return ENOENT == err ? STATUS_OBJECT_NAME_NOT_FOUND : FspNtStatusFromErrno(err);
    }
    char *text = malloc(FSP_CLASS_FILE_MAX + 1);
    size_t got = 0;
    NTSTATUS status = text ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    while (text && got < FSP_CLASS_FILE_MAX + 1) {
        ssize_t r = read(fd, text + got, FSP_CLASS_FILE_MAX + 1 - got);
        if (r < 0 && EINTR == errno)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (NT_SUCCESS(status))
        status = fsp_class_parse(text, got, Path, PRecord, Message, MessageSize);
    free(text);
    return status;
}

FSP_API VOID FspLaunchRegFreeRecord(FSP_LAUNCH_REG_RECORD *Record)
{
    free(Record);
}
