/*
 * tools/fsptool.c - LinFsp's command-line tool (WinFsp's fsptool for Linux).
 *
 *   fsptool lsvol                      the mounted FUSE volumes: mount point, file system,
 *                                      serving process, launcher class/instance
 *   fsptool id [NAME|UID|SID]          the uid/gid <-> SID mapping and access tokens
 *   fsptool perm PATH|SDDL|UID:GID:MODE
 *                                      security descriptor <-> POSIX permissions
 *   fsptool ver                        LinFsp's version
 *
 * Each command has a manual page: fsptool COMMAND -h.
 */
#include <winfsp/launch.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <locale.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *progname = "fsptool";

static const char manual_main[] =
    "NAME\n"
    "    fsptool - LinFsp's tool: volumes, SIDs, security descriptors, version\n"
    "\n"
    "SYNOPSIS\n"
    "    fsptool lsvol\n"
    "    fsptool id [NAME|UID|SID]\n"
    "    fsptool perm PATH|SDDL|UID:GID:MODE\n"
    "    fsptool ver\n"
    "    fsptool [COMMAND] -h\n"
    "\n"
    "DESCRIPTION\n"
    "    WinFsp's fsptool for Linux. WinFsp's lsdrv, load and unload (the Windows driver) have\n"
    "    no counterpart: LinFsp uses the kernel's FUSE.\n"
    "\n"
    "    lsvol   list the mounted FUSE volumes, with the process serving each and, for\n"
    "            instances the launcher started, their class and instance\n"
    "    id      show how users, groups and SIDs map to each other, and a user's access token\n"
    "    perm    convert between security descriptors (SDDL) and POSIX owner, group and mode\n"
    "    ver     show LinFsp's version\n"
    "\n"
    "    fsptool COMMAND -h shows the manual of COMMAND.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 failure, 2 usage error.\n";

static const char manual_lsvol[] =
    "NAME\n"
    "    fsptool lsvol - list mounted FUSE volumes\n"
    "\n"
    "SYNOPSIS\n"
    "    fsptool lsvol\n"
    "\n"
    "DESCRIPTION\n"
    "    Lists every FUSE mount of the caller's mount namespace (/proc/self/mountinfo), one\n"
    "    line each:\n"
    "        MOUNTPOINT  FILESYSTEM  SOURCE  PID/COMMAND  LINFSP  CLASS/INSTANCE  LABEL\n"
    "    FILESYSTEM is the mount's subtype (a LinFsp file system's FileSystemName). PID/COMMAND\n"
    "    is the process serving the volume: the one holding the volume's /dev/fuse connection\n"
    "    (/proc/PID/fdinfo, Linux 6.x; only processes the caller may inspect). LINFSP is yes\n"
    "    when that process uses liblinfsp, no when not, ? when unknown. CLASS/INSTANCE is shown\n"
    "    for volumes of instances the launcher started, as far as the launcher tells the\n"
    "    caller (its info command needs the query right on the instance). LABEL is the volume\n"
    "    label (ioctl FS_IOC_GETFSLABEL, which LinFsp answers from the file system's volume\n"
    "    information; a volume that does not answer within two seconds shows '-').\n"
    "    '-' is unknown.\n"
    "\n"
    "EXAMPLE\n"
    "    $ fsptool lsvol\n"
    "    /mnt/m1   memfs  m1  4711/memfs  yes  memfs/m1  -\n"
    "\n"
    "EXIT STATUS\n"
    "    0, also when no volume is mounted; 1 when mountinfo cannot be read.\n";

static const char manual_id[] =
    "NAME\n"
    "    fsptool id - users, groups and SIDs\n"
    "\n"
    "SYNOPSIS\n"
    "    fsptool id              the caller\n"
    "    fsptool id NAME         a user (or, when no user has that name, a group)\n"
    "    fsptool id UID          a number: the SIDs it maps to as a uid and as a gid\n"
    "    fsptool id SID          a SID (S-1-... or an SDDL alias such as BA): its number\n"
    "\n"
    "DESCRIPTION\n"
    "    LinFsp maps uid N to S-1-22-1-N and gid N to S-1-22-2-N, and well-known Windows SIDs\n"
    "    to fixed numbers (doc/posix-mapping.md). For the caller and for users, id also shows\n"
    "    the access token: the SIDs an access check matches (user, groups, Everyone,\n"
    "    Authenticated Users, and for root LocalSystem and Administrators), as the launcher\n"
    "    sees a caller. Use these SIDs in a launcher class's Security.\n"
    "\n"
    "EXAMPLES\n"
    "    $ fsptool id 1000\n"
    "    uid=1000\n"
    "    user sid=S-1-22-1-1000\n"
    "    group sid=S-1-22-2-1000\n"
    "    $ fsptool id S-1-5-18\n"
    "    sid=S-1-5-18\n"
    "    uid=18\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 unknown name or invalid SID, 2 usage error.\n";

static const char manual_perm[] =
    "NAME\n"
    "    fsptool perm - security descriptors and POSIX permissions\n"
    "\n"
    "SYNOPSIS\n"
    "    fsptool perm UID:GID:MODE   the security descriptor of owner, group and mode (octal)\n"
    "    fsptool perm SDDL           the owner, group and mode of a security descriptor\n"
    "    fsptool perm PATH           a file's owner, group and mode and its security descriptor\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints the descriptor as SDDL followed by (perm=UID:GID:MODE), using LinFsp's POSIX\n"
    "    mapping (FspPosixMapPermissionsToSecurityDescriptor and\n"
    "    FspPosixMapSecurityDescriptorToPermissions; doc/posix-mapping.md).\n"
    "    For a PATH the descriptor is the one LinFsp maps the file's owner, group and mode to:\n"
    "    what the passthrough file system reports for it, and what chmod and chown through a\n"
    "    LinFsp mount write. An argument that is SDDL (O:, G:, D:, S:) or UID:GID:MODE is never\n"
    "    taken as a path.\n"
    "\n"
    "EXAMPLES\n"
    "    $ fsptool perm 1000:100:0754\n"
    "    O:S-1-22-1-1000G:S-1-22-2-100D:P(A;;FA;;;S-1-22-1-1000)(A;;0x1200a9;;;S-1-22-2-100)"
    "(A;;0x120089;;;WD) (perm=1000:100:0754)\n"
    "    $ fsptool perm /tmp\n"
    "    /tmp: directory, owner root (0), group root (0), mode 1777\n"
    "    O:S-1-22-1-0G:S-1-22-2-0D:P(A;;0x1;;;S-1-0-0)... (perm=0:0:1777)\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 invalid SDDL or a file that cannot be read, 2 usage error.\n";

static const char manual_ver[] =
    "NAME\n"
    "    fsptool ver - LinFsp's version\n"
    "\n"
    "SYNOPSIS\n"
    "    fsptool ver\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints \"LinFsp MAJOR.MINOR\", the version of the liblinfsp this tool runs with\n"
    "    (FspVersion).\n"
    "\n"
    "EXIT STATUS\n"
    "    0.\n";

static int usage(const char *manual)
{
    fputs(manual, stderr);
    return 2;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (0 == strcmp(argv[i], "-h") || 0 == strcmp(argv[i], "--help"))
            return true;
    return false;
}

static int fail_status(const char *what, NTSTATUS status)
{
    fprintf(stderr, "%s: %s: %s (status 0x%08x)\n", progname, what,
            strerror(FspErrnoFromNtStatus(status)), (unsigned)status);
    return 1;
}

/* Parse a whole unsigned 32-bit number in base 0 (decimal, 0x hex, 0 octal); -1 on error. */
static int parse_u32(const char *s, int base, UINT32 *pvalue)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (0 != errno || end == s || '\0' != *end || v > 0xffffffffULL || '-' == s[0] || isspace((unsigned char)s[0]))
        return -1;
    *pvalue = (UINT32)v;
    return 0;
}

static PWSTR widen(const char *s)
{
    size_t n = mbstowcs(0, s, 0);
    if ((size_t)-1 == n)
        return 0;
    PWSTR w = malloc((n + 1) * sizeof(WCHAR));
    if (w)
        mbstowcs(w, s, n + 1);
    return w;
}

static int print_sid_line(const char *label, PSID sid)
{
    PWSTR str = 0;
    NTSTATUS status = FspSidToString(sid, &str);
    if (!NT_SUCCESS(status))
        return fail_status("cannot format SID", status);
    printf("%s%ls\n", label, str);
    free(str);
    return 0;
}

/* ---- id ---- */

static void print_name(const char *prefix, unsigned id, bool group)
{
    struct passwd *pw = group ? 0 : getpwuid(id);
    struct group *gr = group ? getgrgid(id) : 0;
    const char *name = pw ? pw->pw_name : gr ? gr->gr_name : 0;
    if (name)
        printf("%s%u(%s)", prefix, id, name);
    else
        printf("%s%u", prefix, id);
}

/* uid, gid, groups and the access token of a user (as the launcher would see it). */
static int print_identity(UINT32 uid, UINT32 gid, const UINT32 *groups, int ngroups)
{
    print_name("uid=", uid, false);
    print_name(" gid=", gid, true);
    for (int i = 0; i < ngroups; i++)
        print_name(0 == i ? " groups=" : ",", groups[i], true);
    printf("\n");
    PSID usid = 0, gsid = 0;
    NTSTATUS status = FspPosixMapUidToSid(uid, &usid);
    if (NT_SUCCESS(status))
        status = FspPosixMapGidToSid(gid, &gsid);
    FSP_ACCESS_TOKEN *token = 0;
    if (NT_SUCCESS(status))
        status = FspPosixCreateAccessToken(uid, gid, groups, (ULONG)ngroups, &token);
    int r = NT_SUCCESS(status) ? 0 : fail_status("cannot map ids", status);
    if (0 == r)
        r = print_sid_line("user sid=", usid);
    if (0 == r)
        r = print_sid_line("group sid=", gsid);
    if (0 == r) {
        printf("token:");
        for (ULONG i = 0; i < FspAccessTokenSidCount(token); i++) {
            PWSTR s = 0;
            if (NT_SUCCESS(FspSidToString(FspAccessTokenSid(token, i), &s)))
                printf(" %ls", s);
            free(s);
        }
        printf("\n");
    }
    FspDeleteAccessToken(token);
    FspDeleteSid(usid, (NTSTATUS(*)())FspPosixMapUidToSid);
    FspDeleteSid(gsid, (NTSTATUS(*)())FspPosixMapGidToSid);
    return r;
}

static int id_of_user(const struct passwd *pw)
{
    int n = 64;
    gid_t *g = 0;
    for (;;) {
        gid_t *ng = realloc(g, (size_t)n * sizeof *g);
        if (!ng) {
            free(g);
            return fail_status("out of memory", STATUS_INSUFFICIENT_RESOURCES);
        }
        g = ng;
        int got = n;
        if (getgrouplist(pw->pw_name, pw->pw_gid, g, &got) >= 0) {
            n = got;
            break;
        }
        if (got <= n)
            n *= 2;
        else
            n = got;
    }
    UINT32 *groups = malloc((size_t)(n ? n : 1) * sizeof *groups);
    int r = 1;
    if (groups) {
        for (int i = 0; i < n; i++)
            groups[i] = g[i];
        r = print_identity(pw->pw_uid, pw->pw_gid, groups, n);
    }
    free(groups);
    free(g);
    return r;
}

static int cmd_id(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(manual_id, stdout);
        return 0;
    }
    if (argc > 1)
        return usage(manual_id);
    UINT32 id;
    if (0 == argc) {
        int n = getgroups(0, 0);
        gid_t *g = malloc((size_t)(n > 0 ? n : 1) * sizeof *g);
        UINT32 *groups = malloc((size_t)(n > 0 ? n : 1) * sizeof *groups);
        int r = 1;
        if (g && groups && (n = getgroups(n, g)) >= 0) {
            for (int i = 0; i < n; i++)
                groups[i] = g[i];
            r = print_identity((UINT32)geteuid(), (UINT32)getegid(), groups, n);
        }
        free(g), free(groups);
        return r;
    }
    if (0 == parse_u32(argv[0], 10, &id)) {
        PSID usid = 0, gsid = 0;
        NTSTATUS status = FspPosixMapUidToSid(id, &usid);
        if (NT_SUCCESS(status))
            status = FspPosixMapGidToSid(id, &gsid);
        if (!NT_SUCCESS(status)) {
            FspDeleteSid(usid, (NTSTATUS(*)())FspPosixMapUidToSid);
            return fail_status("cannot map id", status);
        }
        printf("uid=%u\n", (unsigned)id);
        int r = print_sid_line("user sid=", usid);
        if (0 == r)
            r = print_sid_line("group sid=", gsid);
        FspDeleteSid(usid, (NTSTATUS(*)())FspPosixMapUidToSid);
        FspDeleteSid(gsid, (NTSTATUS(*)())FspPosixMapGidToSid);
        return r;
    }
    /* A SID (S-1-... or an alias), else a user or group name. */
    PWSTR wsid = widen(argv[0]);
    PSID sid = 0;
    NTSTATUS status = wsid ? FspStringToSid(wsid, &sid) : STATUS_INVALID_PARAMETER;
    free(wsid);
    if (!NT_SUCCESS(status)) {
        struct passwd *pw = getpwnam(argv[0]);
        if (pw)
            return id_of_user(pw);
        struct group *gr = getgrnam(argv[0]);
        if (gr) {
            PSID gsid = 0;
            status = FspPosixMapGidToSid(gr->gr_gid, &gsid);
            if (!NT_SUCCESS(status))
                return fail_status("cannot map gid", status);
            printf("gid=%u(%s)\n", (unsigned)gr->gr_gid, gr->gr_name);
            int r = print_sid_line("group sid=", gsid);
            FspDeleteSid(gsid, (NTSTATUS(*)())FspPosixMapGidToSid);
            return r;
        }
        fprintf(stderr, "%s: id: %s is not a uid, SID, user or group\n", progname, argv[0]);
        return 1;
    }
    status = FspPosixMapSidToUid(sid, &id);
    int r = NT_SUCCESS(status) ? print_sid_line("sid=", sid) : fail_status("cannot map SID", status);
    if (0 == r) {
        printf("uid=%u\n", (unsigned)id);
        /* Unix User / Unix Group SIDs name an account. */
        const SID *s = sid;
        if (2 == s->SubAuthorityCount && 22 == s->IdentifierAuthority.Value[5] &&
            (1 == s->SubAuthority[0] || 2 == s->SubAuthority[0])) {
            bool group = 2 == s->SubAuthority[0];
            struct passwd *pw = group ? 0 : getpwuid(id);
            struct group *gr = group ? getgrgid(id) : 0;
            if (pw || gr)
                printf("%s=%s\n", group ? "group" : "user", pw ? pw->pw_name : gr->gr_name);
        }
    }
    free(sid);
    return r;
}

/* ---- perm ---- */

static int print_sd(PSECURITY_DESCRIPTOR sd)
{
    PWSTR sddl = 0;
    UINT32 uid, gid, mode;
    NTSTATUS status = FspSecurityDescriptorToSddl(sd, OWNER_SECURITY_INFORMATION |
                                                          GROUP_SECURITY_INFORMATION |
                                                          DACL_SECURITY_INFORMATION,
                                                  &sddl);
    if (NT_SUCCESS(status))
        status = FspPosixMapSecurityDescriptorToPermissions(sd, &uid, &gid, &mode);
    if (!NT_SUCCESS(status)) {
        free(sddl);
        return fail_status("cannot convert", status);
    }
    printf("%ls (perm=%u:%u:%04o)\n", sddl, (unsigned)uid, (unsigned)gid, (unsigned)mode);
    free(sddl);
    return 0;
}

static const char *file_type(mode_t m)
{
    return S_ISREG(m) ? "regular file" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symbolic link"
           : S_ISFIFO(m) ? "fifo" : S_ISSOCK(m) ? "socket" : S_ISCHR(m) ? "character device"
           : S_ISBLK(m) ? "block device" : "file";
}

static int cmd_perm(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(manual_perm, stdout);
        return 0;
    }
    if (1 != argc)
        return usage(manual_perm);
    UINT32 uid, gid, mode;
    char *arg = argv[0], *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;
    bool sddl_like = ('O' == arg[0] || 'G' == arg[0] || 'D' == arg[0] || 'S' == arg[0]) && ':' == arg[1];
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS status;
    if (!sddl_like && c1 && c2 && !strchr(c2 + 1, ':') && !strchr(arg, '/')) {
        *c1 = *c2 = '\0';
        if (0 != parse_u32(arg, 10, &uid) || 0 != parse_u32(c1 + 1, 10, &gid) ||
            0 != parse_u32(c2 + 1, 8, &mode) || mode > 07777) {
            fprintf(stderr, "%s: perm: expected UID:GID:MODE (MODE in octal, at most 7777)\n",
                    progname);
            return 2;
        }
        status = FspPosixMapPermissionsToSecurityDescriptor(uid, gid, mode, &sd);
        if (!NT_SUCCESS(status))
            return fail_status("cannot map permissions", status);
        int r = print_sd(sd);
        FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
        return r;
    }
    struct stat st;
    if (!sddl_like && 0 == lstat(arg, &st)) {
        struct passwd *pw = getpwuid(st.st_uid);
        struct group *gr = getgrgid(st.st_gid);
        printf("%s: %s, owner %s (%u), group %s (%u), mode %04o\n", arg, file_type(st.st_mode),
               pw ? pw->pw_name : "?", (unsigned)st.st_uid, gr ? gr->gr_name : "?",
               (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
        status = FspPosixMapPermissionsToSecurityDescriptor((UINT32)st.st_uid, (UINT32)st.st_gid,
                                                            (UINT32)(st.st_mode & 07777), &sd);
        if (!NT_SUCCESS(status))
            return fail_status("cannot map permissions", status);
        int r = print_sd(sd);
        FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
        return r;
    }
    PWSTR wsddl = widen(arg);
    if (!wsddl)
        return fail_status("invalid argument", STATUS_INVALID_PARAMETER);
    status = FspSddlToSecurityDescriptor(wsddl, &sd, 0);
    free(wsddl);
    if (!NT_SUCCESS(status)) {
        if (strchr(arg, '/'))
            fprintf(stderr, "%s: perm: %s: no such file (and not SDDL)\n", progname, arg);
        return fail_status("invalid SDDL", status);
    }
    int r = print_sd(sd);
    free(sd);
    return r;
}

/* ---- lsvol ---- */

struct volume {
    unsigned dev;
    char *target, *fsname, *source;
    int pid;
    char comm[64];
    int linfsp; /* 1 yes, 0 no, -1 unknown */
    char *launched; /* CLASS/INSTANCE */
};

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

/* Does process pid map liblinfsp? 1, 0, or -1 when it cannot be told. */
static int uses_linfsp(int pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        if (strstr(line, "/liblinfsp.so"))
            found = 1;
    fclose(f);
    return found;
}

/* Who serves each volume: the process whose /dev/fuse descriptor names its connection. */
static void find_servers(struct volume *v, size_t n)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return;
    struct dirent *pe;
    while ((pe = readdir(proc))) {
        int pid = atoi(pe->d_name);
        if (pid <= 0)
            continue;
        char path[96];
        snprintf(path, sizeof path, "/proc/%d/fd", pid);
        DIR *fds = opendir(path);
        if (!fds)
            continue;
        struct dirent *fe;
        while ((fe = readdir(fds))) {
            if ('.' == fe->d_name[0])
                continue;
            char link[320], target[32];
            snprintf(link, sizeof link, "/proc/%d/fd/%s", pid, fe->d_name);
            ssize_t len = readlink(link, target, sizeof target - 1);
            if (len < 0)
                continue;
            target[len] = '\0';
            if (0 != strcmp(target, "/dev/fuse"))
                continue;
            snprintf(link, sizeof link, "/proc/%d/fdinfo/%s", pid, fe->d_name);
            FILE *f = fopen(link, "re");
            char line[128];
            unsigned dev;
            while (f && fgets(line, sizeof line, f))
                if (1 == sscanf(line, "fuse_connection: %u", &dev))
                    for (size_t i = 0; i < n; i++)
                        if (v[i].dev == dev && !v[i].pid) {
                            v[i].pid = pid;
                            snprintf(link, sizeof link, "/proc/%d/comm", pid);
                            FILE *c = fopen(link, "re");
                            if (c && fgets(v[i].comm, sizeof v[i].comm, c))
                                v[i].comm[strcspn(v[i].comm, "\n")] = '\0';
                            if (c)
                                fclose(c);
                            v[i].linfsp = uses_linfsp(pid);
                        }
            if (f)
                fclose(f);
        }
        closedir(fds);
    }
    closedir(proc);
}

/* Class and instance of launcher instances, by mount point (as far as the launcher tells). */
static void find_launched(struct volume *v, size_t n)
{
    static WCHAR list[FSP_LAUNCH_PIPE_BUFFER_SIZE], info[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof list, error = 0;
    if (!NT_SUCCESS(FspLaunchGetNameList(list, &size, &error)) || error)
        return;
    size_t count = size / sizeof(WCHAR);
    for (size_t i = 0; i < count;) {
        PWSTR cls = list + i;
        i += wcslen(cls) + 1;
        if (i >= count)
            break;
        PWSTR inst = list + i;
        i += wcslen(inst) + 1;
        ULONG isize = sizeof info;
        if (!NT_SUCCESS(FspLaunchGetInfo(cls, inst, info, &isize, &error)) || error)
            continue;
        /* class, instance, command line, pid, mount point, state */
        PWSTR f[6] = {0};
        size_t ic = isize / sizeof(WCHAR), k = 0;
        for (size_t j = 0; j < ic && k < 6; k++) {
            f[k] = info + j;
            j += wcslen(info + j) + 1;
        }
        if (!f[4] || !f[4][0])
            continue;
        char mp[4096];
        if ((size_t)-1 == wcstombs(mp, f[4], sizeof mp))
            continue;
        for (size_t j = 0; j < n; j++)
            if (0 == strcmp(v[j].target, mp) && !v[j].launched) {
                char buf[600];
                snprintf(buf, sizeof buf, "%ls/%ls", cls, inst);
                v[j].launched = strdup(buf);
            }
    }
}

/*
 * The volume label of the mount at dir (FS_IOC_GETFSLABEL, which LinFsp answers from
 * GetVolumeInfo), asked by a child process that is given two seconds: a file system that does
 * not answer must not hang the listing. "-" when there is none or it cannot be read.
 */
static void volume_label(const char *dir, char *label, size_t size)
{
    snprintf(label, size, "-");
    int p[2];
    if (0 != pipe(p))
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (0 == pid) {
        /* Keep nothing of the caller's output open: a child stuck in the mount must not hold a
         * pipe that fsptool's reader waits on. */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        close(p[0]);
        char buf[FSLABEL_MAX];
        memset(buf, 0, sizeof buf);
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && 0 == ioctl(fd, FS_IOC_GETFSLABEL, buf) && buf[0])
            (void)!write(p[1], buf, strnlen(buf, sizeof buf - 1));
        _exit(0);
    }
    close(p[1]);
    if (pid > 0) {
        struct pollfd pfd = {p[0], POLLIN, 0};
        char buf[FSLABEL_MAX];
        ssize_t n = 1 == poll(&pfd, 1, 2000) ? read(p[0], buf, sizeof buf - 1) : -1;
        if (n > 0) {
            buf[n] = 0;
            snprintf(label, size, "%s", buf);
            waitpid(pid, 0, 0);
        } else if (n == 0)
            waitpid(pid, 0, 0); /* it ended without a label */
        else {
            /* No answer: a child waiting for a FUSE reply the kernel already passed on waits
             * uninterruptibly, SIGKILL or not; do not wait for it (it ends when the mount answers or
             * is aborted, and init reaps it after this process exits). */
            kill(pid, SIGKILL);
            for (int i = 0; i < 10 && 0 == waitpid(pid, 0, WNOHANG); i++)
                poll(0, 0, 10);
        }
    }
    close(p[0]);
}

static int cmd_lsvol(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(manual_lsvol, stdout);
        return 0;
    }
    if (0 != argc)
        return usage(manual_lsvol);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) {
        fprintf(stderr, "%s: cannot read /proc/self/mountinfo: %s\n", progname, strerror(errno));
        return 1;
    }
    struct volume *v = 0;
    size_t n = 0;
    char *line = 0;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char *save = 0, *field[5] = {0};
        field[0] = strtok_r(line, " \n", &save);
        for (int i = 1; i < 5 && field[i - 1]; i++)
            field[i] = strtok_r(0, " \n", &save);
        unsigned major, minor;
        if (!field[4] || 2 != sscanf(field[2], "%u:%u", &major, &minor))
            continue;
        char *tok, *fstype = 0, *source = 0;
        while ((tok = strtok_r(0, " \n", &save)))
            if (0 == strcmp(tok, "-")) {
                fstype = strtok_r(0, " \n", &save);
                source = strtok_r(0, " \n", &save);
                break;
            }
        if (!fstype || (0 != strcmp(fstype, "fuse") && 0 != strncmp(fstype, "fuse.", 5) &&
                        0 != strcmp(fstype, "fuseblk")))
            continue;
        struct volume *nv = realloc(v, (n + 1) * sizeof *v);
        if (!nv)
            break;
        v = nv;
        memset(&v[n], 0, sizeof v[n]);
        unescape(field[4]);
        if (source)
            unescape(source);
        v[n].dev = major << 20 | minor;
        v[n].target = strdup(field[4]);
        v[n].fsname = strdup(0 == strncmp(fstype, "fuse.", 5) ? fstype + 5 : fstype);
        v[n].source = strdup(source ? source : "-");
        v[n].linfsp = -1;
        n++;
    }
    free(line);
    fclose(f);
    if (0 == n)
        printf("no FUSE volumes mounted\n");
    else {
        find_servers(v, n);
        find_launched(v, n);
        printf("%-32s %-12s %-20s %-20s %-6s %-20s %s\n", "MOUNTPOINT", "FILESYSTEM", "SOURCE",
               "PID/COMMAND", "LINFSP", "CLASS/INSTANCE", "LABEL");
        for (size_t i = 0; i < n; i++) {
            char proc[96];
            if (v[i].pid)
                snprintf(proc, sizeof proc, "%d/%s", v[i].pid, v[i].comm);
            else
                snprintf(proc, sizeof proc, "-");
            char label[FSLABEL_MAX];
            if (v[i].target)
                volume_label(v[i].target, label, sizeof label);
            else
                snprintf(label, sizeof label, "-");
            printf("%-32s %-12s %-20s %-20s %-6s %-20s %s\n", v[i].target ? v[i].target : "?",
                   v[i].fsname ? v[i].fsname : "?", v[i].source ? v[i].source : "?", proc,
                   1 == v[i].linfsp ? "yes" : 0 == v[i].linfsp ? "no" : "?",
                   v[i].launched ? v[i].launched : "-", label);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].target), free(v[i].fsname), free(v[i].source), free(v[i].launched);
    free(v);
    return 0;
}

/* ---- ver ---- */

static int cmd_ver(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(manual_ver, stdout);
        return 0;
    }
    if (0 != argc)
        return usage(manual_ver);
    UINT32 version;
    FspVersion(&version);
    printf("LinFsp %u.%u\n", (unsigned)(version >> 16), (unsigned)(version & 0xffff));
    return 0;
}

int main(int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    if (argc < 2)
        return usage(manual_main);
    const char *cmd = argv[1];
    if (0 == strcmp(cmd, "-h") || 0 == strcmp(cmd, "--help") || 0 == strcmp(cmd, "help")) {
        fputs(manual_main, stdout);
        return 0;
    }
    argc -= 2, argv += 2;
    if (0 == strcmp(cmd, "lsvol"))
        return cmd_lsvol(argc, argv);
    if (0 == strcmp(cmd, "id"))
        return cmd_id(argc, argv);
    if (0 == strcmp(cmd, "perm"))
        return cmd_perm(argc, argv);
    if (0 == strcmp(cmd, "ver"))
        return cmd_ver(argc, argv);
    fprintf(stderr, "%s: unknown command %s\n", progname, cmd);
    return usage(manual_main);
}
