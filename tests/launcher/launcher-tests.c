/*
 * tests/launcher/launcher-tests.c - the launcher through <winfsp/launch.h>, as WinFsp's
 * launcher tests: an echo class (tests/launcher/launcher-echo.c reports how it was started)
 * and a secret class, the service registry (class files), access control as other users,
 * recovery, malformed requests, memfs instances and concurrent clients.
 *
 * Run by tests/launcher/test-launcher.sh, which starts a launcher for it (as root) and sets:
 *   LINFSP_LAUNCHER_SOCKET    the test launcher's socket
 *   LINFSP_LAUNCHER_CLASSDIR  its class directory (this program registers the classes)
 *   LAUNCHER_TESTS_DIR        a directory of root's (mode 0755) for reports and mount points
 *   LAUNCHER_TESTS_ECHO       launcher-echo, LAUNCHER_TESTS_MEMFS memfs
 *   LAUNCHER_TESTS_ADMIN_GID  the launcher's --admin-group
 *   LAUNCHER_TESTS_START_TIMEOUT_MS  the launcher's --start-timeout
 *   LAUNCHER_TESTS_LAUNCHER   linfsp-launcher (for tests that start one of their own)
 */
#include <winfsp/launch.h>
#include "tlib.h"
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir, *out, *echo_exe, *memfs_exe, *class_dir, *sock_path;
static unsigned admin_gid, start_timeout_ms;

#define NOBODY 65534
#define OTHER_UID 65533

/* ---- helpers ---- */

/* A wide copy of a test string, kept until the program ends (a pool, freed at exit). */
static PWSTR *pool;
static size_t npool, cappool;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static void free_pool(void)
{
    for (size_t i = 0; i < npool; i++)
        free(pool[i]);
    free(pool);
}

static PWSTR W(const char *s)
{
    size_t n = mbstowcs(0, s, 0);
    PWSTR w = malloc((n + 1) * sizeof(WCHAR));
    if (!w)
        abort();
    mbstowcs(w, s, n + 1);
    pthread_mutex_lock(&pool_lock);
    if (npool == cappool) {
        cappool = cappool ? 2 * cappool : 256;
        if (!(pool = realloc(pool, cappool * sizeof *pool)))
            abort();
    }
    pool[npool++] = w;
    pthread_mutex_unlock(&pool_lock);
    return w;
}

/* Memory a test uses until it ends (an ASSERT may leave a test anywhere): freed after each. */
static void *kept[256];
static size_t nkept;

static void *keep(void *p)
{
    if (p && nkept < ARRAYSIZE(kept))
        kept[nkept++] = p;
    else if (p)
        abort();
    return p;
}

static void free_kept(void)
{
    while (nkept)
        free(kept[--nkept]);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, 0);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *buf = keep(calloc(1, 65537));
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

/* Wait for a file to appear (an echo instance's report). */
static char *wait_file(const char *path, long ms)
{
    for (long t = 0; t < ms; t += 20) {
        char *s = read_file(path);
        if (s)
            return s;
        sleep_ms(20);
    }
    return 0;
}

/* The value of "key=" in a report, or NULL. */
static char *report_value(const char *report, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = report; p && *p;) {
        const char *nl = strchr(p, '\n');
        if (0 == strncmp(p, key, n) && '=' == p[n]) {
            size_t len = nl ? (size_t)(nl - p) - n - 1 : strlen(p + n + 1);
            return keep(strndup(p + n + 1, len));
        }
        p = nl ? nl + 1 : 0;
    }
    return 0;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT(fd >= 0);
    ASSERT((ssize_t)strlen(text) == write(fd, text, strlen(text)));
    ASSERT(0 == fchmod(fd, mode));
    close(fd);
}

/* Register a class with FspLaunchRegSetRecord. */
static void reg(const char *name, const char *exe, const char *cmdline, const char *security,
                const char *runas, ULONG jobcontrol, ULONG credentials, ULONG recovery,
                const char *mountpoint, const char *stderr_path, const char *workdir)
{
    FSP_LAUNCH_REG_RECORD r;
    memset(&r, 0, sizeof r);
    r.Executable = W(exe);
    r.CommandLine = cmdline ? W(cmdline) : 0;
    r.Security = security ? W(security) : 0;
    r.RunAs = runas ? W(runas) : 0;
    r.MountPoint = mountpoint ? W(mountpoint) : 0;
    r.Stderr = stderr_path ? W(stderr_path) : 0;
    r.WorkDirectory = workdir ? W(workdir) : 0;
    r.JobControl = jobcontrol, r.Credentials = credentials, r.Recovery = recovery;
    ASSERT(NT_SUCCESS(FspLaunchRegSetRecord(W(name), &r)));
}

static ULONG start(const char *cls, const char *inst, int argc, const char **argv, bool secret)
{
    PWSTR wargv[9];
    for (int i = 0; i < argc; i++)
        wargv[i] = W(argv[i]);
    ULONG error = 0xffffffff;
    NTSTATUS status = FspLaunchStart(W(cls), W(inst), (ULONG)argc, wargv, secret, &error);
    ASSERT(NT_SUCCESS(status));
    return error;
}

static ULONG stop(const char *cls, const char *inst)
{
    ULONG error = 0xffffffff;
    ASSERT(NT_SUCCESS(FspLaunchStop(W(cls), W(inst), &error)));
    return error;
}

/* info: the six strings (class, instance, command line, pid, mount point, state). */
struct info {
    char field[6][4096];
    int n;
};

static ULONG info(const char *cls, const char *inst, struct info *out)
{
    static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof buf, error = 0xffffffff;
    ASSERT(NT_SUCCESS(FspLaunchGetInfo(W(cls), W(inst), buf, &size, &error)));
    if (out) {
        memset(out, 0, sizeof *out);
        for (size_t i = 0, count = size / sizeof(WCHAR); !error && i < count && out->n < 6;) {
            wcstombs(out->field[out->n++], buf + i, sizeof out->field[0]);
            i += wcslen(buf + i) + 1;
        }
    }
    return error;
}

/* How many times CLASS/INSTANCE is listed (pairs of strings). */
static int listed(const char *cls, const char *inst)
{
    static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof buf, error = 0xffffffff;
    ASSERT(NT_SUCCESS(FspLaunchGetNameList(buf, &size, &error)));
    ASSERT_EQ(error, 0);
    int found = 0;
    size_t count = size / sizeof(WCHAR);
    for (size_t i = 0; i < count;) {
        PWSTR c = buf + i;
        i += wcslen(c) + 1;
        if (i >= count)
            break;
        PWSTR n = buf + i;
        i += wcslen(n) + 1;
        char cs[256], ns[512];
        wcstombs(cs, c, sizeof cs), wcstombs(ns, n, sizeof ns);
        if (0 == strcmp(cs, cls) && (!inst || 0 == strcmp(ns, inst)))
            found++;
    }
    return found;
}

static int count_instances(void)
{
    static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof buf, error = 0xffffffff;
    ASSERT(NT_SUCCESS(FspLaunchGetNameList(buf, &size, &error)));
    ASSERT_EQ(error, 0);
    int n = 0;
    for (size_t i = 0, count = size / sizeof(WCHAR); i < count; n++)
        i += wcslen(buf + i) + 1;
    return n / 2;
}

static bool alive(pid_t pid)
{
    return 0 == kill(pid, 0);
}

/* Is there a mount at path in /proc/self/mountinfo? */
static bool mounted_at(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f)) {
        char target[4096];
        if (1 == sscanf(line, "%*s %*s %*s %*s %4095s", target) && 0 == strcmp(target, path))
            found = true;
    }
    if (f)
        fclose(f);
    return found;
}

static bool mounted_under(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    bool found = false;
    size_t n = strlen(path);
    while (f && !found && fgets(line, sizeof line, f)) {
        char target[4096];
        if (1 == sscanf(line, "%*s %*s %*s %*s %4095s", target) && 0 == strncmp(target, path, n) &&
            '/' == target[n])
            found = true;
    }
    if (f)
        fclose(f);
    return found;
}

/* Run fn as another user (a child with those credentials); returns fn's result (0..250). */
struct as_user {
    uid_t uid;
    gid_t gid;
    gid_t groups[4];
    int ngroups;
};

static int run_as(const struct as_user *u, int (*fn)(void *), void *arg)
{
    int p[2];
    ASSERT(0 == pipe(p));
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (0 == pid) {
        close(p[0]);
        int r = 255;
        if (0 == setgroups((size_t)u->ngroups, u->groups) && 0 == setresgid(u->gid, u->gid, u->gid) &&
            0 == setresuid(u->uid, u->uid, u->uid))
            r = fn(arg);
        unsigned char c = (unsigned char)r;
        if (write(p[1], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    unsigned char c = 255;
    ssize_t got = read(p[0], &c, 1);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    ASSERT(1 == got);
    return c;
}

/* Launcher errors squeezed into a byte for run_as. */
static int error_byte(ULONG e)
{
    switch (e) {
    case 0: return 0;
    case ERROR_ACCESS_DENIED: return 1;
    case ERROR_FILE_NOT_FOUND: return 2;
    case ERROR_BAD_PATHNAME: return 3;
    case ERROR_ALREADY_EXISTS: return 4;
    case ERROR_BUSY: return 5;
    default: return 100;
    }
}

struct call {
    char cmd; /* S start, T stop, I info, L list */
    const char *cls, *inst;
    const char *args[4];
    int argc;
};

static int do_call(void *arg)
{
    const struct call *c = arg;
    ULONG error = 0xffffffff;
    NTSTATUS status;
    static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof buf;
    PWSTR wargv[4];
    for (int i = 0; i < c->argc; i++)
        wargv[i] = W(c->args[i]);
    switch (c->cmd) {
    case 'S': status = FspLaunchStart(W(c->cls), W(c->inst), (ULONG)c->argc, wargv, FALSE, &error); break;
    case 'T': status = FspLaunchStop(W(c->cls), W(c->inst), &error); break;
    case 'I': status = FspLaunchGetInfo(W(c->cls), W(c->inst), buf, &size, &error); break;
    default: status = FspLaunchGetNameList(buf, &size, &error); break;
    }
    return NT_SUCCESS(status) ? error_byte(error) : 200;
}

/* After each test: stop whatever a failed test left running, free what it kept. */
static void stop_all(void)
{
    free_kept();
    static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof buf, error = 0;
    if (!NT_SUCCESS(FspLaunchGetNameList(buf, &size, &error)) || error)
        return;
    size_t count = size / sizeof(WCHAR);
    for (size_t i = 0; i < count;) {
        PWSTR c = buf + i;
        i += wcslen(c) + 1;
        if (i >= count)
            break;
        PWSTR n = buf + i;
        i += wcslen(n) + 1;
        FspLaunchStop(c, n, &error);
    }
}

static char path_buf[8][4096];
/* fmt has two %s: the directory, then a */
static const char *P(int slot, const char *fmt, const char *a)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], fmt, dir, a);
    return path_buf[slot];
}
/* the same in the reports' directory (everyone may write there: instances run as nobody) */
static const char *O(int slot, const char *fmt, const char *a)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], fmt, out, a);
    return path_buf[slot];
}

/* ---- the service registry ---- */

/* WinFsp's launch_reg_test on class files. */
static void reg_record_test(void)
{
    PWSTR name = W("launcher-tests-reg");
    FSP_LAUNCH_REG_RECORD rb, *r = (FSP_LAUNCH_REG_RECORD *)1;
    memset(&rb, 0, sizeof rb);
    ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == FspLaunchRegGetRecord(name, 0, &r));
    ASSERT(0 == r);
    ASSERT(STATUS_INVALID_PARAMETER == FspLaunchRegSetRecord(name, &rb));
    rb.Executable = W("/bin/true");
    rb.CommandLine = W("CommandLine %1");
    rb.WorkDirectory = W("/tmp");
    rb.RunAs = W("nobody");
    rb.Security = W("D:P(A;;RPWPLC;;;WD)");
    rb.MountPoint = W("%2");
    rb.JobControl = 1;
    rb.Credentials = 1;
    ASSERT(NT_SUCCESS(FspLaunchRegSetRecord(name, &rb)));
    ASSERT(NT_SUCCESS(FspLaunchRegGetRecord(name, 0, &r)));
    ASSERT(0 != r && 0 == r->Agent);
    ASSERT(0 == wcscmp(rb.Executable, r->Executable));
    ASSERT(0 == wcscmp(rb.CommandLine, r->CommandLine));
    ASSERT(0 == wcscmp(rb.WorkDirectory, r->WorkDirectory));
    ASSERT(0 == wcscmp(rb.RunAs, r->RunAs));
    ASSERT(0 == wcscmp(rb.Security, r->Security));
    ASSERT(0 == wcscmp(rb.MountPoint, r->MountPoint));
    ASSERT(1 == r->JobControl && 1 == r->Credentials && 0 == r->Recovery);
    FspLaunchRegFreeRecord(r);
    /* the file is root's, mode 0644 */
    struct stat st;
    char path[4096];
    snprintf(path, sizeof path, "%s/launcher-tests-reg.conf", class_dir);
    ASSERT(0 == stat(path, &st));
    ASSERT(0 == st.st_uid && 0644 == (st.st_mode & 07777));

    rb.Security = 0, rb.Credentials = 0, rb.JobControl = 0;
    ASSERT(NT_SUCCESS(FspLaunchRegSetRecord(name, &rb)));
    ASSERT(NT_SUCCESS(FspLaunchRegGetRecord(name, 0, &r)));
    ASSERT(0 == r->Security && 0 == r->Credentials && 0 == r->JobControl);
    FspLaunchRegFreeRecord(r);

    rb.Agent = W("Agent1,Agent2");
    ASSERT(NT_SUCCESS(FspLaunchRegSetRecord(name, &rb)));
    ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == FspLaunchRegGetRecord(name, W("Agent"), &r));
    ASSERT(NT_SUCCESS(FspLaunchRegGetRecord(name, W("agent2"), &r)));
    ASSERT(0 == wcscmp(rb.Agent, r->Agent));
    FspLaunchRegFreeRecord(r);
    ASSERT(NT_SUCCESS(FspLaunchRegGetRecord(name, 0, &r)));
    FspLaunchRegFreeRecord(r);

    ASSERT(NT_SUCCESS(FspLaunchRegSetRecord(name, 0)));
    ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == FspLaunchRegGetRecord(name, 0, &r));
    ASSERT(NT_SUCCESS(FspLaunchRegSetRecord(name, 0)));
    /* invalid class names */
    ASSERT(STATUS_INVALID_PARAMETER == FspLaunchRegSetRecord(W("../etc"), &rb));
    ASSERT(STATUS_INVALID_PARAMETER == FspLaunchRegSetRecord(W(""), &rb));
    ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == FspLaunchRegGetRecord(W("a/b"), 0, &r));
    /* no class directory at all: "not found" as well (WinFsp: no Services key), while the
     * Ex form says which directory is missing */
    char *saved = strdup(class_dir), msg[256];
    ASSERT(0 != saved);
    ASSERT(0 == setenv("LINFSP_LAUNCHER_CLASSDIR", "/nonexistent/linfsp-launcher-tests", 1));
    ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == FspLaunchRegGetRecord(name, 0, &r) && 0 == r);
    ASSERT(STATUS_OBJECT_PATH_NOT_FOUND == FspLaunchRegGetRecordEx(name, 0, &r, msg, sizeof msg));
    ASSERT(0 != strstr(msg, "/nonexistent/linfsp-launcher-tests"));
    ASSERT(0 == setenv("LINFSP_LAUNCHER_CLASSDIR", saved, 1));
    free(saved);
}

/* Records the launcher could not use are refused whole. */
static void reg_refused_test(void)
{
    PWSTR name = W("launcher-tests-bad");
    static const struct {
        const char *exe, *cmdline, *security, *runas, *stderr_path;
        bool auth;
    } bad[] = {
        {"bin/true", 0, 0, 0, 0, false},                 /* relative Executable */
        {"/bin/true", "\"unbalanced", 0, 0, 0, false},   /* quotes */
        {"/bin/true", "%X", 0, 0, 0, false},             /* unknown escape */
        {"/bin/true", "a\nb", 0, 0, 0, false},           /* line break */
        {"/bin/true", 0, "D:P(A;;RPWPLC;;;XX)", 0, 0, false}, /* bad SDDL */
        {"/bin/true", 0, "", 0, 0, false},               /* no DACL: everyone, everything */
        {"/bin/true", 0, "O:SYG:SY", 0, 0, false},
        {"/bin/true", 0, 0, "LocalService", 0, false},   /* Windows-only RunAs */
        {"/bin/true", 0, 0, "bad user", 0, false},
        {"/bin/true", 0, 0, 0, "relative.log", false},   /* relative Stderr */
        {"/bin/true", 0, 0, 0, 0, true},                 /* AuthPackage */
    };
    for (size_t i = 0; i < ARRAYSIZE(bad); i++) {
        FSP_LAUNCH_REG_RECORD rb;
        memset(&rb, 0, sizeof rb);
        rb.Executable = W(bad[i].exe);
        rb.CommandLine = bad[i].cmdline ? W(bad[i].cmdline) : 0;
        rb.Security = bad[i].security ? W(bad[i].security) : 0;
        rb.RunAs = bad[i].runas ? W(bad[i].runas) : 0;
        rb.Stderr = bad[i].stderr_path ? W(bad[i].stderr_path) : 0;
        rb.AuthPackage = bad[i].auth ? W("Kerberos") : 0;
        if (STATUS_INVALID_PARAMETER != FspLaunchRegSetRecord(name, &rb))
            fprintf(stderr, "    record %zu accepted\n", i);
        ASSERT(STATUS_INVALID_PARAMETER == FspLaunchRegSetRecord(name, &rb));
        FSP_LAUNCH_REG_RECORD *r = 0;
        ASSERT(STATUS_OBJECT_NAME_NOT_FOUND == FspLaunchRegGetRecord(name, 0, &r));
    }
}

/* Class files written by hand: refused with the reason, by the API and by the launcher,
 * which keeps serving. */
static void classfile_refused_test(void)
{
    char path[4096], msg[768], exe[4200], base[4200];
    snprintf(base, sizeof base, "Executable=%s\n", echo_exe);
    snprintf(exe, sizeof exe, "Executable=%s\nCommandLine=%s/refused.txt\n", echo_exe, out);
    static const struct {
        const char *extra, *reason;
        NTSTATUS status;
    } cases[] = {
        {"Frobnicate=1\n", "unknown key", STATUS_OBJECT_NAME_INVALID},
        {"executable=/bin/true\n", "did you mean Executable", STATUS_OBJECT_NAME_INVALID},
        {"RunAs=root\nRunAs=root\n", "given twice", STATUS_OBJECT_NAME_INVALID},
        {"JobControl=2\n", "0 or 1", STATUS_OBJECT_NAME_INVALID},
        {"Security=D:P(A;;RPWPLC;;;ZZ)\n", "not valid SDDL", STATUS_OBJECT_NAME_INVALID},
        /* no DACL: every right to everyone, never meant by an empty or forgotten DACL */
        {"Security=\n", "Security is empty", STATUS_OBJECT_NAME_INVALID},
        {"Security=   \n", "Security is empty", STATUS_OBJECT_NAME_INVALID},
        {"Security=O:SYG:SY\n", "has no DACL", STATUS_OBJECT_NAME_INVALID},
        {"Security=D:NO_ACCESS_CONTROL\n", "has no DACL", STATUS_OBJECT_NAME_INVALID},
        {"no equals sign\n", "Key=Value", STATUS_OBJECT_NAME_INVALID},
        {"AuthPackageId=0\n", "Windows-only", STATUS_OBJECT_NAME_INVALID},
        {"CommandLine=\"%\\x\"\n", "not supported", STATUS_OBJECT_NAME_INVALID},
        {"CommandLine=\"a b\n", "unbalanced", STATUS_OBJECT_NAME_INVALID},
        {"WorkDirectory=tmp\n", "absolute", STATUS_OBJECT_NAME_INVALID},
        {"Recovery=yes\n", "0 or 1", STATUS_OBJECT_NAME_INVALID},
    };
    snprintf(path, sizeof path, "%s/bad.conf", class_dir);
    for (size_t i = 0; i < ARRAYSIZE(cases); i++) {
        char text[8192];
        snprintf(text, sizeof text, "# a comment\n%s%s", base, cases[i].extra);
        write_text(path, text, 0644);
        FSP_LAUNCH_REG_RECORD *r = 0;
        NTSTATUS status = FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg);
        if (status != cases[i].status || !strstr(msg, cases[i].reason))
            fprintf(stderr, "    case %zu: status 0x%08x, message: %s\n", i, (unsigned)status, msg);
        ASSERT(status == cases[i].status);
        ASSERT(0 != strstr(msg, cases[i].reason));
        ASSERT(0 != strstr(msg, "bad.conf:"));
        ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
        ASSERT_EQ(listed("bad", 0), 0);
    }
    /* a UTF-8 byte order mark at the start (as Windows editors write one) is not part of the
     * first key; one anywhere else is refused */
    char bom[8400];
    snprintf(bom, sizeof bom, "\xef\xbb\xbf%s", exe);
    write_text(path, bom, 0644);
    FSP_LAUNCH_REG_RECORD *rb = 0;
    NTSTATUS bs = FspLaunchRegGetRecordEx(W("bad"), 0, &rb, msg, sizeof msg);
    if (!NT_SUCCESS(bs))
        fprintf(stderr, "    with a byte order mark: %s\n", msg);
    ASSERT(NT_SUCCESS(bs) && rb && 0 != rb->CommandLine);
    FspLaunchRegFreeRecord(rb);
    snprintf(bom, sizeof bom, "%s\xef\xbb\xbfRunAs=root\n", exe);
    write_text(path, bom, 0644);
    ASSERT(STATUS_OBJECT_NAME_INVALID == FspLaunchRegGetRecordEx(W("bad"), 0, &rb, msg, sizeof msg));
    /* unsafe files: world-writable, group-writable, another owner, a symlink */
    write_text(path, exe, 0666);
    FSP_LAUNCH_REG_RECORD *r = 0;
    ASSERT(STATUS_ACCESS_DENIED == FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg));
    ASSERT(0 != strstr(msg, "writable by everyone"));
    ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
    write_text(path, exe, 0620);
    ASSERT(STATUS_ACCESS_DENIED == FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg));
    ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
    write_text(path, exe, 0644);
    ASSERT(0 == chown(path, NOBODY, NOBODY));
    ASSERT(STATUS_ACCESS_DENIED == FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg));
    ASSERT(0 != strstr(msg, "owned by uid 65534"));
    ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
    char target[4200];
    snprintf(target, sizeof target, "%s/bad-target.conf", dir);
    write_text(target, exe, 0644);
    unlink(path);
    ASSERT(0 == symlink(target, path));
    ASSERT(STATUS_ACCESS_DENIED == FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg));
    ASSERT(0 != strstr(msg, "symbolic link"));
    ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
    unlink(path), unlink(target);
    /* the class directory writable by its group: every class refused, until fixed */
    write_text(path, exe, 0644);
    ASSERT(NT_SUCCESS(FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg)));
    FspLaunchRegFreeRecord(r);
    ASSERT(0 == chmod(class_dir, 0775));
    ASSERT(STATUS_ACCESS_DENIED == FspLaunchRegGetRecordEx(W("bad"), 0, &r, msg, sizeof msg));
    ULONG e = start("bad", "b1", 0, 0, false);
    ASSERT(0 == chmod(class_dir, 0755));
    ASSERT_EQ(e, ERROR_BAD_CONFIGURATION);
    /* an Executable others may change */
    char copy[4200], cmd[9000];
    snprintf(copy, sizeof copy, "%s/echo-copy", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && chmod 0777 %s", echo_exe, copy, copy);
    ASSERT(0 == system(cmd));
    snprintf(cmd, sizeof cmd, "Executable=%s\nCommandLine=%s/refused.txt\n", copy, out);
    write_text(path, cmd, 0644);
    ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
    unlink(copy);
    /* an Executable that is a symbolic link: what it points to is checked (and run). A link
     * (in a directory of root's) to a file of root's in a directory another user owns is
     * refused: that user could swap the file between the check and the exec. A link to a
     * file that is safe all the way works. */
    char vendor[4200], link_path[4200], copy2[4300], cmd2[20000];
    snprintf(vendor, sizeof vendor, "%s/vendor", dir);
    snprintf(copy2, sizeof copy2, "%s/echo", vendor);
    snprintf(link_path, sizeof link_path, "%s/echo-link", dir);
    snprintf(cmd2, sizeof cmd2, "mkdir -p %s && chown %d %s && cp %s %s && chmod 0755 %s", vendor,
             NOBODY, vendor, echo_exe, copy2, copy2);
    ASSERT(0 == system(cmd2));
    unlink(link_path);
    ASSERT(0 == symlink(copy2, link_path));
    snprintf(cmd, sizeof cmd, "Executable=%s\nCommandLine=%s/link.txt\n", link_path, out);
    write_text(path, cmd, 0644);
    ASSERT_EQ(start("bad", "b1", 0, 0, false), ERROR_BAD_CONFIGURATION);
    ASSERT_EQ(listed("bad", 0), 0);
    unlink(link_path);
    ASSERT(0 == symlink(echo_exe, link_path));
    unlink(O(0, "%s/link.txt", ""));
    ASSERT_EQ(start("bad", "b2", 0, 0, false), 0);
    ASSERT(wait_file(O(0, "%s/link.txt", ""), 5000));
    ASSERT_EQ(stop("bad", "b2"), 0);
    unlink(link_path), unlink(copy2), rmdir(vendor);
    unlink(path);
    /* the launcher still serves */
    ASSERT_EQ(count_instances(), 0);
    ASSERT_EQ(start("nosuchclass", "x", 0, 0, false), ERROR_FILE_NOT_FOUND);
}

/* ---- the echo class ---- */

static void echo_start_info_list_stop_test(void)
{
    char cmdline[8192];
    /* %1 inside a word, %2 quoted with a blank, %% a percent, %U the caller, %T the time,
     * %0 the executable */
    snprintf(cmdline, sizeof cmdline, "%s/echo-%%1.txt a%%1b \"%%2 two\" 100%%%% %%U %%T %%0", out);
    reg("echo", echo_exe, cmdline, 0, "nobody", 1, 0, 0, 0, 0, dir);
    const char *args[] = {"i1", "y"};
    unlink(O(0, "%s/echo-%s.txt", "i1"));
    ASSERT_EQ(start("echo", "i1", 2, args, false), 0);
    char *rep = wait_file(O(0, "%s/echo-%s.txt", "i1"), 5000);
    ASSERT(rep);
    char *v;
    ASSERT((v = report_value(rep, "arg1")) && 0 == strcmp(v, "ai1b"));
    ASSERT((v = report_value(rep, "arg2")) && 0 == strcmp(v, "y two"));
    ASSERT((v = report_value(rep, "arg3")) && 0 == strcmp(v, "100%"));
    ASSERT((v = report_value(rep, "arg4")) && 0 == strcmp(v, "root"));
    ASSERT((v = report_value(rep, "arg5")) && 20 == strlen(v) && 'T' == v[8] && 'Z' == v[19]);
    ASSERT((v = report_value(rep, "arg6")) && 0 == strcmp(v, echo_exe));
    /* RunAs=nobody: uid, gid and groups of nobody; its own session; WorkDirectory */
    ASSERT((v = report_value(rep, "uid")) && NOBODY == atoi(v));
    ASSERT((v = report_value(rep, "gid")) && 65534 == atoi(v));
    ASSERT((v = report_value(rep, "groups")) && 0 == strcmp(v, "65534"));
    ASSERT((v = report_value(rep, "cwd")) && 0 == strcmp(v, dir));
    char *pid = report_value(rep, "pid"), *pgid = report_value(rep, "pgid"), *sid = report_value(rep, "sid");
    ASSERT(pid && pgid && sid && 0 == strcmp(pid, pgid) && 0 == strcmp(pid, sid));
    /* a clean environment: nothing of the launcher's or the client's */
    ASSERT((v = report_value(rep, "env:USER")) && 0 == strcmp(v, "nobody"));
    ASSERT((v = report_value(rep, "env:HOME")) && 0 == strcmp(v, "/nonexistent"));
    ASSERT(report_value(rep, "env:PATH"));
    ASSERT(!strstr(rep, "LINFSP_") && !strstr(rep, "LAUNCHER_TESTS"));
    /* info, list */
    struct info in;
    ASSERT_EQ(info("echo", "i1", &in), 0);
    ASSERT_EQ(in.n, 6);
    ASSERT(0 == strcmp(in.field[0], "echo") && 0 == strcmp(in.field[1], "i1"));
    ASSERT(0 == strncmp(in.field[2], echo_exe, strlen(echo_exe)));
    ASSERT(strstr(in.field[2], "ai1b \"y two\" 100%"));
    ASSERT(0 == strcmp(in.field[3], pid));
    ASSERT(0 == strcmp(in.field[4], "") && 0 == strcmp(in.field[5], "running"));
    ASSERT_EQ(listed("echo", "i1"), 1);
    /* a second start of the same instance; another instance */
    ASSERT_EQ(start("echo", "i1", 2, args, false), ERROR_ALREADY_EXISTS);
    ASSERT_EQ(start("echo", "i2", 2, args, false), 0);
    ASSERT_EQ(listed("echo", 0), 2);
    /* stop: the process is gone when the reply comes */
    ASSERT_EQ(stop("echo", "i1"), 0);
    ASSERT(!alive(atoi(pid)));
    ASSERT_EQ(info("echo", "i1", 0), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(stop("echo", "i1"), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(listed("echo", 0), 1);
    ASSERT_EQ(stop("echo", "i2"), 0);
    ASSERT_EQ(listed("echo", 0), 0);
    /* requests the launcher refuses before looking at classes */
    ASSERT_EQ(start("echo", "has space", 0, 0, false), ERROR_INVALID_PARAMETER);
    ASSERT_EQ(start("echo", "has,comma", 0, 0, false), ERROR_INVALID_PARAMETER);
    ASSERT_EQ(start("ec/ho", "x", 0, 0, false), ERROR_INVALID_PARAMETER);
    const char *ctl[] = {"a\nb"};
    ASSERT_EQ(start("echo", "x", 1, ctl, false), ERROR_INVALID_PARAMETER);
    const char *ten[10] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
    PWSTR w10[10];
    for (int i = 0; i < 10; i++)
        w10[i] = W(ten[i]);
    ULONG error;
    ASSERT(STATUS_INVALID_PARAMETER == FspLaunchStart(W("echo"), W("x"), 10, w10, FALSE, &error));
}

/* ---- the secret class ---- */

static bool file_contains(const char *path, const char *s)
{
    int fd = open(path, O_RDONLY);
    char buf[65536];
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return false;
    for (ssize_t i = 0; i + (ssize_t)strlen(s) <= n; i++)
        if (0 == memcmp(buf + i, s, strlen(s)))
            return true;
    return false;
}

static void secret_test(void)
{
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "--secret %s/secret-%%1.txt %%1", out);
    reg("secret", echo_exe, cmdline, 0, 0, 1, 1, 0, 0, 0, 0);
    snprintf(cmdline, sizeof cmdline, "%s/echo-%%1.txt", out);
    reg("echo", echo_exe, cmdline, 0, "nobody", 1, 0, 0, 0, 0, 0);
    const char *args[] = {"s1", "s3cr3t-Value"};
    ASSERT_EQ(start("secret", "s1", 2, args, true), 0);
    char *rep = wait_file(O(0, "%s/secret-%s.txt", "s1"), 5000);
    ASSERT(rep);
    char *v = report_value(rep, "stdin"), *pid = report_value(rep, "pid");
    ASSERT(v && 0 == strcmp(v, "s3cr3t-Value"));
    /* the secret is on standard input only: not on the command line, not in the environment,
     * not in what info says */
    ASSERT((v = report_value(rep, "arg1")) && 0 == strcmp(v, "s1") && !report_value(rep, "arg2"));
    ASSERT(!file_contains(P(1, "/proc/%.0s%s/cmdline", pid), "s3cr3t"));
    ASSERT(!file_contains(P(1, "/proc/%.0s%s/environ", pid), "s3cr3t"));
    ASSERT(file_contains(P(1, "/proc/%.0s%s/cmdline", pid), "s1"));
    struct info in;
    ASSERT_EQ(info("secret", "s1", &in), 0);
    ASSERT(!strstr(in.field[2], "s3cr3t"));
    /* a secret the instance does not accept ("NO"): access denied, the instance is gone */
    const char *bad[] = {"s2", "bad-secret"};
    ASSERT_EQ(start("secret", "s2", 2, bad, true), ERROR_ACCESS_DENIED);
    ASSERT_EQ(listed("secret", "s2"), 0);
    /* Credentials decide whether a class takes a secret (as WinFsp) */
    ASSERT_EQ(start("secret", "s3", 1, args, false), ERROR_BAD_CONFIGURATION);
    ASSERT_EQ(start("echo", "e3", 2, args, true), ERROR_BAD_CONFIGURATION);
    /* an empty secret is malformed */
    const char *empty[] = {"s4", ""};
    ASSERT_EQ(start("secret", "s4", 2, empty, true), ERROR_INVALID_PARAMETER);
    ASSERT_EQ(stop("secret", "s1"), 0);
    ASSERT(!alive(atoi(pid)));
}

/* ---- access control ---- */

static void access_test(void)
{
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "%s/echo-%%1.txt", out);
    reg("echo", echo_exe, cmdline, 0, "nobody", 1, 0, 0, 0, 0, 0); /* default Security */
    reg("open", echo_exe, cmdline, "D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)(A;;RP;;;WD)", "nobody", 1,
        0, 0, 0, 0, 0);
    struct as_user nobody = {NOBODY, NOBODY, {0}, 0}, other = {OTHER_UID, OTHER_UID, {0}, 0};
    struct as_user admin = {OTHER_UID, OTHER_UID, {(gid_t)admin_gid}, 1};
    const char *args[] = {"a1"};
    /* the default Security: root and Administrators only */
    struct call c = {'S', "echo", "a1", {"a1"}, 1};
    ASSERT_EQ(run_as(&nobody, do_call, &c), 1);
    ASSERT_EQ(listed("echo", "a1"), 0);
    c.cmd = 'L';
    ASSERT_EQ(run_as(&nobody, do_call, &c), 0); /* list needs no right */
    /* root's instance: nobody may neither stop it nor ask about it */
    ASSERT_EQ(start("echo", "a1", 1, args, false), 0);
    c.cmd = 'I';
    ASSERT_EQ(run_as(&nobody, do_call, &c), 1);
    c.cmd = 'T';
    ASSERT_EQ(run_as(&nobody, do_call, &c), 1);
    ASSERT_EQ(listed("echo", "a1"), 1);
    ASSERT_EQ(stop("echo", "a1"), 0);
    /* a member of the launcher's administrators' group counts as BA */
    c.cmd = 'S';
    ASSERT_EQ(run_as(&admin, do_call, &c), 0);
    c.cmd = 'T';
    ASSERT_EQ(run_as(&admin, do_call, &c), 0);
    /* everyone may start "open"; the starter may then query and stop its instance, others not */
    struct call o = {'S', "open", "o1", {"o1"}, 1};
    ASSERT_EQ(run_as(&nobody, do_call, &o), 0);
    ASSERT_EQ(listed("open", "o1"), 1);
    o.cmd = 'I';
    ASSERT_EQ(run_as(&nobody, do_call, &o), 0);
    ASSERT_EQ(run_as(&other, do_call, &o), 1);
    o.cmd = 'T';
    ASSERT_EQ(run_as(&other, do_call, &o), 1);
    ASSERT_EQ(listed("open", "o1"), 1);
    ASSERT_EQ(run_as(&nobody, do_call, &o), 0);
    ASSERT_EQ(listed("open", "o1"), 0);
}

/* RunAs=.: the caller's uid, gid and groups. */
static void runas_caller_test(void)
{
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "%s/self-%%1.txt", out);
    reg("self", echo_exe, cmdline, "D:P(A;;RPWPLC;;;WD)", ".", 1, 0, 0, 0, 0, 0);
    struct as_user u = {OTHER_UID, 4243, {4243, 4244}, 2};
    struct call c = {'S', "self", "r1", {"r1"}, 1};
    unlink(O(0, "%s/self-%s.txt", "r1"));
    ASSERT_EQ(run_as(&u, do_call, &c), 0);
    char *rep = wait_file(O(0, "%s/self-%s.txt", "r1"), 5000);
    ASSERT(rep);
    char *v;
    ASSERT((v = report_value(rep, "uid")) && OTHER_UID == atoi(v));
    ASSERT((v = report_value(rep, "gid")) && 4243 == atoi(v));
    ASSERT((v = report_value(rep, "groups")) && 0 == strcmp(v, "4243,4244"));
    c.cmd = 'T';
    ASSERT_EQ(run_as(&u, do_call, &c), 0);
}

/* Stderr: the instance's standard error, appended to a file opened as the RunAs user. */
static void stderr_test(void)
{
    char cmdline[4200], log[4200];
    snprintf(cmdline, sizeof cmdline, "--stderr \"hello from %%1\" %s/echo-%%1.txt", out);
    snprintf(log, sizeof log, "%s/stderr-%%1.log", out);
    reg("errlog", echo_exe, cmdline, 0, "nobody", 1, 0, 0, 0, log, 0);
    const char *path = O(0, "%s/stderr-%s.log", "e1");
    unlink(path);
    const char *args[] = {"e1"};
    ULONG e = start("errlog", "e1", 1, args, false);
    char *text = wait_file(O(1, "%s/echo-%s.txt", "e1"), 5000);
    for (int i = 0; i < 100 && !file_contains(path, "hello from e1"); i++)
        sleep_ms(20);
    ASSERT_EQ(e, 0);
    ASSERT(text);
    ASSERT(file_contains(path, "hello from e1"));
    struct stat st;
    ASSERT(0 == stat(path, &st) && NOBODY == st.st_uid && 0600 == (st.st_mode & 0777));
    ASSERT_EQ(stop("errlog", "e1"), 0);
    /* arguments may name the file, not lead out of its directory */
    const char *escape[] = {"x/../../escaped"};
    ASSERT_EQ(start("errlog", "e2", 1, escape, false), ERROR_INVALID_PARAMETER);
    ASSERT_EQ(listed("errlog", 0), 0);
    /* nor into a directory through a symbolic link a user put into the file's directory (the
     * instance runs as root here, and the kernel follows such links unless
     * fs.protected_symlinks says otherwise): an argument in Stderr names a file, without / */
    reg("errlog", echo_exe, cmdline, 0, "root", 1, 0, 0, 0, log, 0);
    char link_path[4200], target[4200];
    snprintf(link_path, sizeof link_path, "%s/stderr-x", out);
    snprintf(target, sizeof target, "%s/pwn.log", dir);
    unlink(link_path), unlink(target);
    ASSERT(0 == symlink(dir, link_path) && 0 == lchown(link_path, NOBODY, NOBODY));
    const char *through[] = {"x/pwn"};
    ULONG e3 = start("errlog", "e3", 1, through, false);
    if (0 == e3)
        stop("errlog", "e3");
    bool written = 0 == access(target, F_OK);
    unlink(link_path), unlink(target);
    ASSERT_EQ(e3, ERROR_INVALID_PARAMETER);
    ASSERT(!written);
}

/* Instances that cannot start: the reply says so and the launcher keeps serving. */
static void failing_start_test(void)
{
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "--exit 3 %s/echo-%%1.txt", out);
    /* an instance that ends before it mounted */
    reg("exits", echo_exe, cmdline, 0, 0, 1, 0, 0, "%2", 0, 0);
    const char *args[] = {"f1"}, *margs0[] = {"f0", dir};
    ASSERT_EQ(start("exits", "f0", 2, margs0, false), ERROR_PROCESS_ABORTED);
    ASSERT_EQ(listed("exits", 0), 0);
    /* without a MountPoint, an instance is started once its program runs (as WinFsp's):
     * one that ends at once is then gone */
    reg("exits", echo_exe, cmdline, 0, 0, 1, 0, 0, 0, 0, 0);
    ASSERT_EQ(start("exits", "f1", 1, args, false), 0);
    for (int i = 0; i < 100 && listed("exits", 0); i++)
        sleep_ms(20);
    ASSERT_EQ(listed("exits", 0), 0);
    reg("nodir", echo_exe, cmdline, 0, 0, 1, 0, 0, 0, 0, "/nonexistent/dir");
    ASSERT_EQ(start("nodir", "f1", 1, args, false), ERROR_BAD_CONFIGURATION);
    reg("nouser", echo_exe, cmdline, 0, "no-such-user-here", 1, 0, 0, 0, 0, 0);
    ASSERT_EQ(start("nouser", "f1", 1, args, false), ERROR_BAD_CONFIGURATION);
    reg("noexe", "/nonexistent/program", cmdline, 0, 0, 1, 0, 0, 0, 0, 0);
    ASSERT_EQ(start("noexe", "f1", 1, args, false), ERROR_BAD_CONFIGURATION);
    /* a MountPoint the instance never mounts: the start times out and the instance is stopped */
    snprintf(cmdline, sizeof cmdline, "%s/echo-%%1.txt", out);
    reg("nomount", echo_exe, cmdline, 0, 0, 1, 0, 0, "%2", 0, 0);
    const char *margs[] = {"f2", dir};
    time_t t0 = time(0);
    ASSERT_EQ(start("nomount", "f2", 2, margs, false), ERROR_TIMEOUT);
    ASSERT(time(0) - t0 >= (time_t)(start_timeout_ms / 1000) - 1);
    ASSERT_EQ(listed("nomount", 0), 0);
    const char *missing[] = {"f3", "/nonexistent/mountpoint"};
    ASSERT_EQ(start("nomount", "f3", 2, missing, false), ERROR_PATH_NOT_FOUND);
    const char *empty[] = {"f4"};
    ASSERT_EQ(start("nomount", "f4", 1, empty, false), ERROR_INVALID_PARAMETER);
    ASSERT_EQ(count_instances(), 0);
}

/* Recovery=1 restarts a crashed instance; Recovery=0 does not. */
static void recovery_test(void)
{
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "--crash-after 300 %s/crash-%%1.txt", out);
    reg("crash", echo_exe, cmdline, 0, 0, 1, 0, 1, 0, 0, 0);
    reg("crash0", echo_exe, cmdline, 0, 0, 1, 0, 0, 0, 0, 0);
    const char *args[] = {"c1"};
    ASSERT_EQ(start("crash", "c1", 1, args, false), 0);
    struct info in;
    ASSERT_EQ(info("crash", "c1", &in), 0);
    int first = atoi(in.field[3]), restarts = 0, last = first;
    for (int i = 0; i < 250 && restarts < 2; i++) {
        sleep_ms(20);
        if (0 == info("crash", "c1", &in) && 0 == strcmp(in.field[5], "running") &&
            atoi(in.field[3]) != last) {
            last = atoi(in.field[3]);
            restarts++;
        }
    }
    ASSERT(restarts >= 2);
    ASSERT(!alive(first));
    ASSERT_EQ(stop("crash", "c1"), 0);
    ASSERT_EQ(listed("crash", 0), 0);
    ASSERT_EQ(start("crash0", "c2", 1, args, false), 0);
    for (int i = 0; i < 150 && listed("crash0", 0); i++)
        sleep_ms(20);
    ASSERT_EQ(listed("crash0", 0), 0);
}

/* ---- malformed requests on the socket ---- */

static int raw_connect(void)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
    ASSERT(fd >= 0 && 0 == connect(fd, (struct sockaddr *)&a, sizeof a));
    struct timeval tv = {30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Send a raw request; the reply as a string ("" when the launcher closed). */
static const char *raw_request(const void *req, size_t len)
{
    static char reply[FSP_LAUNCH_PIPE_BUFFER_SIZE + 1];
    int fd = raw_connect();
    ASSERT((ssize_t)len == send(fd, req, len, MSG_NOSIGNAL));
    ssize_t n = recv(fd, reply, FSP_LAUNCH_PIPE_BUFFER_SIZE, 0);
    close(fd);
    reply[n > 0 ? n : 0] = '\0';
    return reply;
}

static void malformed_request_test(void)
{
    static const struct {
        const char *req;
        size_t len;
        const char *reply;
    } cases[] = {
        {"", 0, ""},                          /* an empty message: no request */
        {"Z", 1, "!87"},                      /* unknown command */
        {"L\0extra", 7, "!87"},               /* list takes nothing */
        {"Tclass\0inst", 11, "!87"},          /* the last argument not NUL-terminated */
        {"Tclass\0", 7, "!87"},               /* too few arguments */
        {"Tcl ass\0inst\0", 13, "!87"},       /* invalid class name */
        {"T\0\0", 3, "!87"},                  /* empty names */
        {"Iecho\0a,b\0", 10, "!87"},          /* instance with a comma */
        {"Secho\0x\0\x01\0", 10, "!87"},      /* a control character in an argument */
        {"Secho\0x\0\xff\xfe\0", 11, "!87"},  /* not UTF-8 */
        {"Xecho\0x\0", 8, "!87"},             /* startWithSecret without a secret */
        {"S\0\0\0\0\0\0\0\0\0\0\0\0\0", 14, "!87"}, /* too many arguments */
        {"L", 1, "$"},                        /* a good one in between */
    };
    for (size_t i = 0; i < ARRAYSIZE(cases); i++) {
        const char *r = raw_request(cases[i].req, cases[i].len);
        if (0 != strcmp(r, cases[i].reply))
            fprintf(stderr, "    case %zu: reply '%s', expected '%s'\n", i, r, cases[i].reply);
        ASSERT(0 == strcmp(r, cases[i].reply));
    }
    /* oversized: longer than FSP_LAUNCH_PIPE_BUFFER_SIZE */
    size_t big = FSP_LAUNCH_PIPE_BUFFER_SIZE + 100;
    char *req = malloc(big);
    ASSERT(req);
    memset(req, 'a', big);
    req[0] = 'S';
    ASSERT(0 == strcmp(raw_request(req, big), "!24"));
    memset(req, '\0', big);
    req[0] = 'L';
    ASSERT(0 == strcmp(raw_request(req, big), "!24"));
    free(req);
    /* random garbage */
    unsigned seed = 12345;
    char junk[512];
    for (int i = 0; i < 300; i++) {
        size_t n = 1 + (size_t)(rand_r(&seed) % (int)sizeof junk);
        for (size_t j = 0; j < n; j++)
            junk[j] = (char)rand_r(&seed);
        if (i % 3 == 0)
            junk[0] = "SXTIL"[rand_r(&seed) % 5];
        const char *r = raw_request(junk, n);
        ASSERT('!' == r[0] || '$' == r[0]);
    }
    /* still serving */
    ASSERT_EQ(count_instances(), 0);
}

/* Clients that connect and say nothing do not hold up others. */
static void idle_clients_test(void)
{
    int fds[100];
    for (int i = 0; i < 100; i++)
        fds[i] = raw_connect();
    ASSERT_EQ(count_instances(), 0);
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "%s/echo-%%1.txt", out);
    reg("echo", echo_exe, cmdline, 0, "nobody", 1, 0, 0, 0, 0, 0);
    const char *args[] = {"idle"};
    ASSERT_EQ(start("echo", "idle", 1, args, false), 0);
    ASSERT_EQ(stop("echo", "idle"), 0);
    for (int i = 0; i < 100; i++)
        close(fds[i]);
    /* a client that goes away while its start is pending does not disturb the launcher */
    int fd = raw_connect();
    const char req[] = "Secho\0gone\0gone";
    ASSERT((ssize_t)sizeof req == send(fd, req, sizeof req, MSG_NOSIGNAL));
    close(fd);
    for (int i = 0; i < 100 && !listed("echo", "gone"); i++)
        sleep_ms(20);
    ASSERT_EQ(stop("echo", "gone"), 0);
}

/* One user's idle connections do not lock out everybody else: a user other than root holds at
 * most an eighth of the launcher's clients (--max-clients, 256 here), and an eighth is kept
 * for root. A child as nobody opens 300 connections and keeps them; meanwhile root and another
 * user are served, and nobody's connections beyond its share are answered "busy" at once. */
static void connection_hog_test(void)
{
    int ready[2], release[2];
    ASSERT(0 == pipe(ready) && 0 == pipe(release));
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (0 == pid) {
        close(ready[0]), close(release[1]);
        if (0 != setgroups(0, 0) || 0 != setresgid(NOBODY, NOBODY, NOBODY) ||
            0 != setresuid(NOBODY, NOBODY, NOBODY))
            _exit(1);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
        unsigned busy = 0;
        int fds[300], n = 0;
        for (; n < 300; n++) {
            /* kept open until the child exits */
            fds[n] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            if (fds[n] < 0 || 0 != connect(fds[n], (struct sockaddr *)&a, sizeof a))
                break;
        }
        /* a "busy" answer comes at once: give the launcher time to see every connection */
        sleep_ms(1500);
        for (int i = 0; i < n; i++) {
            char reply[16];
            ssize_t r = recv(fds[i], reply, sizeof reply - 1, MSG_DONTWAIT);
            if (r > 0) {
                reply[r] = '\0';
                busy += 0 == strcmp(reply, "!170");
            }
        }
        if (write(ready[1], &busy, sizeof busy) < 0)
            _exit(1);
        char c;
        if (read(release[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(ready[1]), close(release[0]);
    unsigned busy = 0;
    ASSERT((ssize_t)sizeof busy == read(ready[0], &busy, sizeof busy));
    close(ready[0]);
    /* root is served */
    static WCHAR buf[FSP_LAUNCH_PIPE_BUFFER_SIZE];
    ULONG size = sizeof buf, error = 0xffffffff;
    NTSTATUS status = FspLaunchGetNameList(buf, &size, &error);
    /* and so is another user */
    struct as_user other = {OTHER_UID, OTHER_UID, {0}, 0};
    struct call c = {'L', 0, 0, {0}, 0};
    int other_result = run_as(&other, do_call, &c);
    /* nobody, at its share, is told "busy" (the launcher answers and closes at once: the client
     * must read that answer even when its request no longer goes through) */
    struct as_user nb = {NOBODY, NOBODY, {0}, 0};
    int nobody_busy = 0;
    for (int i = 0; i < 10; i++) {
        int r = run_as(&nb, do_call, &c);
        if (5 != r)
            fprintf(stderr, "    nobody's call %d: %d\n", i, r);
        nobody_busy += 5 == r;
    }
    close(release[1]);
    int st;
    waitpid(pid, &st, 0);
    if (!NT_SUCCESS(status) || error || other_result)
        fprintf(stderr, "    root: status 0x%08x error %lu; other user: %d\n", (unsigned)status,
                (unsigned long)error, other_result);
    ASSERT(NT_SUCCESS(status));
    ASSERT_EQ(error, 0);
    ASSERT_EQ(other_result, 0);
    ASSERT_EQ(nobody_busy, 10);
    /* nobody got its share, not more: 300 - 256 / 8 connections were answered "busy" */
    if (busy < 300 - 256 / 8)
        fprintf(stderr, "    %u of nobody's connections answered busy\n", busy);
    ASSERT(busy >= 300 - 256 / 8);
}

/* A launcher of the test's own on SOCK (same class directory), with RLIMIT_NOFILE nofile (0:
 * unchanged) and extra options, logging to LOG; waits until it accepts connections. */
static pid_t own_launcher(const char *sock, const char *log, int nofile, const char *opt,
                          const char *value)
{
    const char *launcher = getenv("LAUNCHER_TESTS_LAUNCHER");
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (0 == pid) {
        struct rlimit rl = {(rlim_t)nofile, (rlim_t)nofile};
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || (nofile && 0 != setrlimit(RLIMIT_NOFILE, &rl)))
            _exit(127);
        execl(launcher, launcher, "-f", "-s", sock, "-c", class_dir, opt, value, (char *)0);
        _exit(127);
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    ASSERT(strlen(sock) < sizeof a.sun_path);
    memcpy(a.sun_path, sock, strlen(sock) + 1);
    for (int i = 0; i < 100; i++) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        int r = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (0 == r)
            return pid;
        sleep_ms(50);
    }
    kill(pid, SIGTERM);
    waitpid(pid, 0, 0);
    ASSERT(!"the test's own launcher did not start");
    return -1;
}

/* One user's instances do not take every place: a user other than root may have at most an
 * eighth of --max-instances (16 here: 2), and an eighth is kept for root. */
static void instance_share_test(void)
{
    if (!getenv("LAUNCHER_TESTS_LAUNCHER")) {
        fprintf(stderr, "    (LAUNCHER_TESTS_LAUNCHER not set: skipped)\n");
        return;
    }
    char sock[4200], log[4200], cmdline[4200];
    snprintf(sock, sizeof sock, "%s/share.sock", dir);
    snprintf(log, sizeof log, "%s/share.log", dir);
    pid_t pid = own_launcher(sock, log, 0, "--max-instances", "16");
    ASSERT(0 == setenv("LINFSP_LAUNCHER_SOCKET", sock, 1));
    snprintf(cmdline, sizeof cmdline, "%s/share-%%1.txt", out);
    reg("share", echo_exe, cmdline, "D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)(A;;RPWPLC;;;WD)", "nobody",
        1, 0, 0, 0, 0, 0);
    struct as_user nb = {NOBODY, NOBODY, {0}, 0}, other = {OTHER_UID, OTHER_UID, {0}, 0};
    int started = 0, busy = 0;
    static char names[16][8];
    for (int i = 0; i < 16; i++) {
        snprintf(names[i], sizeof names[i], "n%d", i);
        struct call c = {'S', "share", names[i], {names[i]}, 1};
        int r = run_as(&nb, do_call, &c);
        started += 0 == r, busy += 5 == r;
    }
    struct call oc = {'S', "share", "o1", {"o1"}, 1};
    int other_result = run_as(&other, do_call, &oc);
    const char *rargs[] = {"r1"};
    ULONG root_error = start("share", "r1", 1, rargs, false);
    int left = count_instances();
    kill(pid, SIGTERM); /* JobControl: its instances end with it */
    int st;
    waitpid(pid, &st, 0);
    ASSERT(0 == setenv("LINFSP_LAUNCHER_SOCKET", sock_path, 1));
    if (2 != started || 14 != busy || other_result || root_error)
        fprintf(stderr, "    nobody started %d (busy %d); another user: %d; root: %lu\n", started,
                busy, other_result, (unsigned long)root_error);
    ASSERT_EQ(started, 2);
    ASSERT_EQ(busy, 14);
    ASSERT_EQ(other_result, 0);
    ASSERT_EQ(root_error, 0);
    ASSERT_EQ(left, 4);
    ASSERT(WIFEXITED(st) && 0 == WEXITSTATUS(st));
}

/* A launcher out of file descriptors (RLIMIT_NOFILE, here 32 at most) cannot accept more
 * connections: it pauses accepting instead of trying again and again (which spun at full CPU,
 * writing a log line each time), and serves again once connections are gone. */
static void fd_limit_test(void)
{
    if (!getenv("LAUNCHER_TESTS_LAUNCHER")) {
        fprintf(stderr, "    (LAUNCHER_TESTS_LAUNCHER not set: skipped)\n");
        return;
    }
    char sock[4200], log[4200];
    snprintf(sock, sizeof sock, "%s/fd.sock", dir);
    snprintf(log, sizeof log, "%s/fd.log", dir);
    pid_t pid = own_launcher(sock, log, 32, "--max-clients", "200");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, sock, strlen(sock) + 1);
    /* 60 idle connections: more than the launcher has descriptors for */
    int fds[60];
    for (int i = 0; i < 60; i++) {
        fds[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        ASSERT(fds[i] >= 0 && 0 == connect(fds[i], (struct sockaddr *)&a, sizeof a));
    }
    sleep_ms(1500);
    int nlines = 0;
    FILE *f = fopen(log, "r");
    ASSERT(f);
    char line[1024];
    while (fgets(line, sizeof line, f))
        nlines += 0 != strstr(line, "Too many open files") || 0 != strstr(line, "out of file descriptors");
    fclose(f);
    for (int i = 0; i < 60; i++)
        close(fds[i]);
    /* served again: a list request answered */
    bool served = false;
    for (int i = 0; i < 100 && !served; i++) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char reply[64];
        if (0 == connect(fd, (struct sockaddr *)&a, sizeof a) &&
            1 == send(fd, "L", 1, MSG_NOSIGNAL) && recv(fd, reply, sizeof reply, 0) >= 1 &&
            '$' == reply[0])
            served = true;
        close(fd);
        if (!served)
            sleep_ms(50);
    }
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    if (nlines > 3)
        fprintf(stderr, "    %d log lines about the descriptor limit\n", nlines);
    ASSERT(nlines >= 1 && nlines <= 3);
    ASSERT(served);
    ASSERT(WIFEXITED(st) && 0 == WEXITSTATUS(st));
}

/* ---- memfs instances ---- */

static void reg_memfs(void)
{
    reg("memfs", memfs_exe, "-F memfs -o fsname=%1,%3 -m %2", "D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)",
        "root", 1, 0, 0, "%2", 0, 0);
}

static void memfs_test(void)
{
    reg_memfs();
    const char *mp = P(0, "%s/%s", "m1");
    mkdir(mp, 0755);
    const char *args[] = {"m1", mp, "noatime"};
    ASSERT_EQ(start("memfs", "m1", 3, args, false), 0);
    ASSERT(mounted_at(mp));
    struct info in;
    ASSERT_EQ(info("memfs", "m1", &in), 0);
    ASSERT(0 == strcmp(in.field[4], mp) && 0 == strcmp(in.field[5], "running"));
    ASSERT(strstr(in.field[2], "fsname=m1,noatime"));
    pid_t pid = atoi(in.field[3]);
    char file[4200];
    snprintf(file, sizeof file, "%s/hello", mp);
    write_text(file, "hello memfs\n", 0644);
    ASSERT(file_contains(file, "hello memfs"));
    ASSERT_EQ(stop("memfs", "m1"), 0);
    ASSERT(!mounted_at(mp));
    ASSERT(!alive(pid));
    rmdir(mp);
}

/* Is there a process with an argument that is prefix and a number (other than this one)?
 * say: print the ones found. */
static bool process_with_argument(const char *prefix, bool say)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    bool found = false;
    size_t n = strlen(prefix);
    while (d && !found && (de = readdir(d))) {
        int pid = atoi(de->d_name);
        if (pid <= 0 || pid == getpid())
            continue;
        char path[64], buf[8192];
        snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
        int fd = open(path, O_RDONLY);
        ssize_t len = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        for (ssize_t i = 0; i < len && !found; i += (ssize_t)strlen(buf + i) + 1) {
            buf[len] = '\0';
            if (0 == strncmp(buf + i, prefix, n) && buf[i + n] >= '0' && buf[i + n] <= '9') {
                if (say)
                    fprintf(stderr, "    pid %d: %s\n", pid, buf);
                found = true;
            }
        }
    }
    if (d)
        closedir(d);
    return found;
}

struct worker {
    int id;
    int failures;
};

static void *concurrent_worker(void *arg)
{
    struct worker *w = arg;
    char inst[32], mp[4200];
    snprintf(inst, sizeof inst, "c%d", w->id);
    snprintf(mp, sizeof mp, "%s/%s", dir, inst);
    mkdir(mp, 0755);
    PWSTR args[2] = {W(inst), W(mp)};
    for (int round = 0; round < 3; round++) {
        ULONG e1 = 1, e2 = 1;
        if (!NT_SUCCESS(FspLaunchStart(W("memfs"), args[0], 2, args, FALSE, &e1)) || e1)
            w->failures++;
        if (!NT_SUCCESS(FspLaunchStop(W("memfs"), args[0], &e2)) || e2)
            w->failures++;
        if (e1 || e2)
            fprintf(stderr, "    worker %d round %d: start %lu stop %lu\n", w->id, round,
                    (unsigned long)e1, (unsigned long)e2);
    }
    return 0;
}

/* 20 clients at once start and stop memfs instances: every request succeeds and nothing is
 * left (no instance, process or mount). */
static void concurrent_clients_test(void)
{
    reg_memfs();
    enum { N = 20 };
    pthread_t t[N];
    struct worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct worker){i, 0};
        ASSERT(0 == pthread_create(&t[i], 0, concurrent_worker, &w[i]));
    }
    int failures = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], 0);
        failures += w[i].failures;
    }
    ASSERT_EQ(failures, 0);
    ASSERT_EQ(count_instances(), 0);
    ASSERT(!mounted_under(dir));
    /* no memfs process of ours (mount points DIR/cN) once the short-lived helpers an instance
     * may leave for a moment have ended (over io_uring the engine's kick child, which ends as
     * soon as its mount's connection is gone): within 5 s */
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s/c", dir);
    bool left = true;
    for (int i = 0; i < 50 && (left = process_with_argument(prefix, i == 49)); i++)
        usleep(100000);
    ASSERT(!left);
    for (int i = 0; i < N; i++) {
        char mp[4200];
        snprintf(mp, sizeof mp, "%s/c%d", dir, i);
        rmdir(mp);
    }
}

static const char *need(const char *name)
{
    const char *v = getenv(name);
    if (!v || !v[0]) {
        fprintf(stderr, "launcher-tests: %s is not set (run tests/launcher/test-launcher.sh)\n", name);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    sock_path = need("LINFSP_LAUNCHER_SOCKET");
    class_dir = need("LINFSP_LAUNCHER_CLASSDIR");
    dir = need("LAUNCHER_TESTS_DIR");
    static char outbuf[4096];
    snprintf(outbuf, sizeof outbuf, "%s/out", dir);
    out = outbuf;
    mkdir(out, 01777);
    chmod(out, 01777);
    atexit(free_pool);
    echo_exe = need("LAUNCHER_TESTS_ECHO");
    memfs_exe = need("LAUNCHER_TESTS_MEMFS");
    admin_gid = (unsigned)atoi(need("LAUNCHER_TESTS_ADMIN_GID"));
    start_timeout_ms = (unsigned)atoi(need("LAUNCHER_TESTS_START_TIMEOUT_MS"));
    tlib_set_teardown(stop_all);
    TLIB_ADD_TEST("registry", reg_record_test);
    TLIB_ADD_TEST("registry", reg_refused_test);
    TLIB_ADD_TEST("registry", classfile_refused_test);
    TLIB_ADD_TEST("echo", echo_start_info_list_stop_test);
    TLIB_ADD_TEST("echo", secret_test);
    TLIB_ADD_TEST("access", access_test);
    TLIB_ADD_TEST("access", runas_caller_test);
    TLIB_ADD_TEST("echo", stderr_test);
    TLIB_ADD_TEST("echo", failing_start_test);
    TLIB_ADD_TEST("echo", recovery_test);
    TLIB_ADD_TEST("protocol", malformed_request_test);
    TLIB_ADD_TEST("protocol", idle_clients_test);
    TLIB_ADD_TEST("protocol", connection_hog_test);
    TLIB_ADD_TEST("protocol", fd_limit_test);
    TLIB_ADD_TEST("echo", instance_share_test);
    TLIB_ADD_TEST("memfs", memfs_test);
    TLIB_ADD_TEST("memfs", concurrent_clients_test);
    return tlib_run(argc, argv);
}
