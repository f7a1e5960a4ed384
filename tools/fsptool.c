/*
 * tools/fsptool.c - LinFsp's command-line tool (WinFsp's fsptool for Linux).
 *
 *   fsptool lsvol                 list mounted LinFsp volumes
 *   fsptool id [UID|SID]          show the SID <-> uid mapping
 *   fsptool perm SDDL|UID:GID:MODE
 *                                 convert between a security descriptor and POSIX permissions
 *   fsptool ver                   show LinFsp's version
 */
#include <winfsp/winfsp.h>
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "fsptool";

static int usage(void)
{
    fprintf(stderr,
            "usage: %s COMMAND [ARGS]\n"
            "commands:\n"
            "    lsvol                   list mounted LinFsp volumes\n"
            "    id [UID|SID]            show the uid <-> SID mapping (default: the caller)\n"
            "    perm SDDL|UID:GID:MODE  convert a security descriptor to POSIX permissions or back\n"
            "    ver                     show the LinFsp version\n",
            progname);
    return 2;
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
    if (0 != errno || end == s || '\0' != *end || v > 0xffffffffULL || '-' == s[0])
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

static int cmd_id(int argc, char **argv)
{
    if (argc > 1)
        return usage();
    UINT32 id;
    if (0 == argc || 0 == parse_u32(argv[0], 10, &id)) {
        if (0 == argc)
            id = (UINT32)geteuid();
        PSID usid = 0, gsid = 0;
        NTSTATUS status = FspPosixMapUidToSid(id, &usid);
        if (NT_SUCCESS(status))
            status = FspPosixMapGidToSid(0 == argc ? (UINT32)getegid() : id, &gsid);
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
    PWSTR wsid = widen(argv[0]);
    if (!wsid)
        return fail_status("invalid argument", STATUS_INVALID_PARAMETER);
    PSID sid = 0;
    NTSTATUS status = FspStringToSid(wsid, &sid);
    free(wsid);
    if (!NT_SUCCESS(status))
        return fail_status("not a uid or SID", status);
    status = FspPosixMapSidToUid(sid, &id);
    int r = NT_SUCCESS(status) ? print_sid_line("sid=", sid) : fail_status("cannot map SID", status);
    if (0 == r)
        printf("uid=%u\n", (unsigned)id);
    free(sid);
    return r;
}

static int cmd_perm(int argc, char **argv)
{
    if (1 != argc)
        return usage();
    UINT32 uid, gid, mode;
    char *arg = argv[0], *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;
    PSECURITY_DESCRIPTOR sd = 0;
    NTSTATUS status;
    bool from_posix = false;
    if (c1 && c2 && !strchr(c2 + 1, ':') && 'O' != arg[0] && 'G' != arg[0] && 'D' != arg[0]) {
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
        from_posix = true;
    } else {
        PWSTR wsddl = widen(arg);
        if (!wsddl)
            return fail_status("invalid argument", STATUS_INVALID_PARAMETER);
        status = FspSddlToSecurityDescriptor(wsddl, &sd, 0);
        free(wsddl);
        if (!NT_SUCCESS(status))
            return fail_status("invalid SDDL", status);
    }
    PWSTR sddl = 0;
    status = FspSecurityDescriptorToSddl(sd, OWNER_SECURITY_INFORMATION |
                                                 GROUP_SECURITY_INFORMATION |
                                                 DACL_SECURITY_INFORMATION,
                                         &sddl);
    if (NT_SUCCESS(status))
        status = FspPosixMapSecurityDescriptorToPermissions(sd, &uid, &gid, &mode);
    if (from_posix)
        FspDeleteSecurityDescriptor(sd, (NTSTATUS(*)())FspPosixMapPermissionsToSecurityDescriptor);
    else
        free(sd);
    if (!NT_SUCCESS(status)) {
        free(sddl);
        return fail_status("cannot convert", status);
    }
    printf("%ls (perm=%u:%u:%04o)\n", sddl, (unsigned)uid, (unsigned)gid, (unsigned)mode);
    free(sddl);
    return 0;
}

/* List FUSE mounts (type fuse or fuse.SUBTYPE; LinFsp mounts as fuse.FileSystemName): the
 * kernel does not record which library serves a mount, so every FUSE volume is listed. */
static int cmd_lsvol(int argc, char **argv)
{
    (void)argv;
    if (0 != argc)
        return usage();
    FILE *f = fopen("/proc/self/mounts", "r");
    if (!f) {
        fprintf(stderr, "%s: cannot read /proc/self/mounts: %s\n", progname, strerror(errno));
        return 1;
    }
    char source[4096], target[4096], type[256], opts[4096];
    int n = 0;
    while (4 == fscanf(f, "%4095s %4095s %255s %4095s %*d %*d", source, target, type, opts)) {
        if (0 != strncmp(type, "fuse.", 5) && 0 != strcmp(type, "fuse"))
            continue;
        printf("%-24s %-40s %s\n", source, target, type);
        n++;
    }
    fclose(f);
    if (0 == n)
        printf("no FUSE volumes mounted\n");
    return 0;
}

static int cmd_ver(int argc, char **argv)
{
    (void)argv;
    if (0 != argc)
        return usage();
    UINT32 version;
    FspVersion(&version);
    printf("LinFsp %u.%u\n", (unsigned)(version >> 16), (unsigned)(version & 0xffff));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    argc -= 2, argv += 2;
    if (0 == strcmp(cmd, "lsvol"))
        return cmd_lsvol(argc, argv);
    if (0 == strcmp(cmd, "id"))
        return cmd_id(argc, argv);
    if (0 == strcmp(cmd, "perm"))
        return cmd_perm(argc, argv);
    if (0 == strcmp(cmd, "ver"))
        return cmd_ver(argc, argv);
    return usage();
}
