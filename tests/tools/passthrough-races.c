/*
 * tests/tools/passthrough-races.c - the passthrough's interface called directly (nothing mounted)
 * while its source changes underneath, as another program may change it, and while the source
 * fails calls the passthrough makes:
 *
 * - fifo_swap: a FIFO swapped in for a regular file between the passthrough's two opens of it
 *   must not block Open (a worker blocked forever in open(2) of a FIFO wedges the mount);
 * - delete_swap: Cleanup's delete must remove the file it was given, never another file that
 *   took the name meanwhile;
 * - create_rollback_swap: a create that fails after making its object removes that object only,
 *   never another one that took the name meanwhile;
 * - getea_errors: an extended attribute the source lists but cannot read is an error of GetEa,
 *   not an attribute that is not there (one that vanished meanwhile is simply gone).
 *
 * It compiles the passthrough in (renaming its main) and wraps the xattr calls it makes, so that
 * a read error can be had on demand. Each test runs in a child process with a time limit, so a
 * blocked call fails the test instead of hanging it. Needs /dev/fuse to create the file system
 * object (exit 77 without it). Prints "N passed, N failed".
 */
#include <sys/xattr.h>

/* getxattr/fgetxattr of the names the test chooses fail (g_eio: EIO, g_gone: ENODATA). */
static const char *g_eio, *g_gone;
static ssize_t test_fgetxattr(int fd, const char *name, void *value, size_t size);
static ssize_t test_getxattr(const char *path, const char *name, void *value, size_t size);
#define fgetxattr(f, n, v, s) test_fgetxattr(f, n, v, s)
#define getxattr(p, n, v, s) test_getxattr(p, n, v, s)
#define main passthrough_main
#include "../../examples/passthrough/passthrough.c"
#undef main
#undef fgetxattr
#undef getxattr
#include <pthread.h>
#include <sys/wait.h>

static ssize_t test_fgetxattr(int fd, const char *name, void *value, size_t size)
{
    if (g_eio && 0 == strcmp(name, g_eio))
        return errno = EIO, -1;
    if (g_gone && 0 == strcmp(name, g_gone))
        return errno = ENODATA, -1;
    return fgetxattr(fd, name, value, size);
}

static ssize_t test_getxattr(const char *path, const char *name, void *value, size_t size)
{
    if (g_eio && 0 == strcmp(name, g_eio))
        return errno = EIO, -1;
    if (g_gone && 0 == strcmp(name, g_gone))
        return errno = ENODATA, -1;
    return getxattr(path, name, value, size);
}

static char g_src[256];   /* the source directory of the current test */
static FSP_FILE_SYSTEM *g_fs;
static volatile int g_stop;

static void fail(const char *what)
{
    printf("    %s\n", what);
    fflush(stdout);
    _exit(1);
}

/* Swap two names of the source again and again (another program changing it). */
struct swapper {
    pthread_t thread;
    char a[320], b[320];
};

static void *swap_main(void *arg)
{
    struct swapper *s = arg;
    while (!__atomic_load_n(&g_stop, __ATOMIC_ACQUIRE))
        renameat2(AT_FDCWD, s->a, AT_FDCWD, s->b, RENAME_EXCHANGE);
    return 0;
}

static void swap_start(struct swapper *s, const char *a, const char *b)
{
    snprintf(s->a, sizeof s->a, "%s/%s", g_src, a);
    snprintf(s->b, sizeof s->b, "%s/%s", g_src, b);
    __atomic_store_n(&g_stop, 0, __ATOMIC_RELEASE);
    if (0 != pthread_create(&s->thread, 0, swap_main, s))
        fail("cannot start the swapping thread");
}

static void swap_stop(struct swapper *s)
{
    __atomic_store_n(&g_stop, 1, __ATOMIC_RELEASE);
    pthread_join(s->thread, 0);
}

static void src_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", g_src, name);
}

static void make_file(const char *name, const char *data)
{
    char p[320];
    src_path(p, sizeof p, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || (ssize_t)strlen(data) != write(fd, data, strlen(data)))
        fail("cannot make a source file");
    close(fd);
}

/* ---- the tests ---- */

static void fifo_swap(void)
{
    char p[320];
    make_file("f", "regular");
    src_path(p, sizeof p, "p");
    if (0 != mkfifo(p, 0644))
        fail("mkfifo");
    struct swapper s;
    swap_start(&s, "f", "p");
    for (int i = 0; i < 20000; i++) {
        PVOID ctx;
        FSP_FSCTL_FILE_INFO info;
        if (NT_SUCCESS(g_fs->Interface->Open(g_fs, L"\\f", 0, FILE_READ_DATA, &ctx, &info)))
            g_fs->Interface->Close(g_fs, ctx);
    }
    swap_stop(&s);
}

/* The number of links of what an open context holds (0: deleted). */
static nlink_t links_of(PVOID ctx)
{
    struct stat st;
    return 0 == fstat(((PTFILE *)ctx)->fd, &st) ? st.st_nlink : (nlink_t)-1;
}

static void delete_swap(void)
{
    make_file("x", "x");
    make_file("y", "y");
    struct swapper s;
    swap_start(&s, "x", "y");
    const FSP_FILE_SYSTEM_INTERFACE *fi = g_fs->Interface;
    for (int i = 0; i < 20000; i++) {
        PVOID ctx;
        FSP_FSCTL_FILE_INFO info;
        if (!NT_SUCCESS(fi->Open(g_fs, L"\\x", 0, DELETE, &ctx, &info)))
            continue;
        fi->Cleanup(g_fs, ctx, L"\\x", FspCleanupDelete);
        char x[320], y[320];
        src_path(x, sizeof x, "x");
        src_path(y, sizeof y, "y");
        int names = (0 == access(x, F_OK)) + (0 == access(y, F_OK));
        nlink_t mine = links_of(ctx);
        fi->Close(g_fs, ctx);
        if (names < 2 && 0 != mine) {
            swap_stop(&s);
            fail("Cleanup deleted another file than the one it was given");
        }
        if (names < 2) { /* ours went: make it again */
            if (0 != access(x, F_OK))
                make_file("x", "x");
            else
                make_file("y", "y");
        }
    }
    swap_stop(&s);
}

/*
 * CreateEx with EAs the source refuses (a name in a namespace Linux does not know) fails after
 * the file was made, and removes it again; meanwhile the name is swapped with another file's.
 */
static void create_rollback_swap(void)
{
    make_file("other", "other");
    /* an EA list the source refuses: the create fails after making the file */
    union {
        FILE_FULL_EA_INFORMATION e;
        char raw[64];
    } ea;
    memset(&ea, 0, sizeof ea);
    memcpy(ea.e.EaName, "bogus.x\0v", 9);
    ea.e.EaNameLength = 7;
    ea.e.EaValueLength = 1;
    struct swapper s;
    swap_start(&s, "new", "other");
    const FSP_FILE_SYSTEM_INTERFACE *fi = g_fs->Interface;
    for (int i = 0; i < 20000; i++) {
        PVOID ctx = 0;
        FSP_FSCTL_FILE_INFO info;
        NTSTATUS status = fi->CreateEx(g_fs, L"\\new", FILE_NON_DIRECTORY_FILE, FILE_ALL_ACCESS,
                                       FILE_ATTRIBUTE_ARCHIVE, 0, 0, &ea,
                                       (ULONG)(offsetof(FILE_FULL_EA_INFORMATION, EaName) + 9),
                                       FALSE, &ctx, &info);
        if (NT_SUCCESS(status)) {
            fi->Close(g_fs, ctx);
            swap_stop(&s);
            fail("a create with EAs the source refuses succeeded");
        }
        /* the file "other" must always be there, under one of the two names */
        char a[320], b[320];
        src_path(a, sizeof a, "new");
        src_path(b, sizeof b, "other");
        char buf[16] = "";
        int found = 0;
        for (int k = 0; k < 2 && !found; k++) {
            int fd = open(k ? b : a, O_RDONLY);
            if (fd >= 0) {
                ssize_t n = read(fd, buf, sizeof buf - 1);
                buf[n > 0 ? n : 0] = 0;
                found = 0 == strcmp(buf, "other");
                close(fd);
            }
        }
        if (!found) {
            /* the swap may have come between the two reads: look again with the names still */
            swap_stop(&s);
            for (int k = 0; k < 2 && !found; k++) {
                int fd = open(k ? b : a, O_RDONLY);
                ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
                buf[n > 0 ? n : 0] = 0;
                found = 0 == strcmp(buf, "other");
                if (fd >= 0)
                    close(fd);
            }
            if (!found)
                fail("a failed create removed another file that had taken the name");
            swap_start(&s, "new", "other");
        }
    }
    swap_stop(&s);
}

static void getea_errors(void)
{
    char p[320];
    make_file("e", "e");
    src_path(p, sizeof p, "e");
    if (0 != setxattr(p, "user.ok", "1", 1, 0) || 0 != setxattr(p, "user.fail", "2", 1, 0) ||
        0 != setxattr(p, "user.gone", "3", 1, 0)) {
        printf("    (no user xattrs on %s: skipped)\n", g_src);
        return;
    }
    const FSP_FILE_SYSTEM_INTERFACE *fi = g_fs->Interface;
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    if (!NT_SUCCESS(fi->Open(g_fs, L"\\e", 0, FILE_READ_EA, &ctx, &info)))
        fail("cannot open the file");
    static char buf[65536];
    ULONG bytes;
    g_gone = "user.gone"; /* listed, then removed before it is read: not there */
    NTSTATUS status = fi->GetEa(g_fs, ctx, (PFILE_FULL_EA_INFORMATION)buf, sizeof buf, &bytes);
    if (!NT_SUCCESS(status))
        fail("GetEa failed for an attribute removed meanwhile");
    g_eio = "user.fail"; /* listed, but reading it fails */
    status = fi->GetEa(g_fs, ctx, (PFILE_FULL_EA_INFORMATION)buf, sizeof buf, &bytes);
    g_eio = g_gone = 0;
    fi->Close(g_fs, ctx);
    if (NT_SUCCESS(status))
        fail("GetEa hid an attribute it could not read (EIO) as not there");
}

/* ---- running them ---- */

static int run_test(const char *name, void (*fn)(void), int seconds)
{
    char dir[] = "/tmp/passthrough-races.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(g_src, sizeof g_src, "%s", dir);
    fflush(stdout);
    pid_t pid = fork();
    if (0 == pid) {
        alarm((unsigned)seconds); /* a blocked call ends the child: the test fails */
        PTFS *pt;
        if (!NT_SUCCESS(ptfs_create(g_src, 1000, 0, false, &pt)))
            fail("cannot create the file system");
        g_fs = pt->fs;
        fn();
        ptfs_delete(pt);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (0 != system(cmd))
        (void)0;
    bool ok = WIFEXITED(st) && 0 == WEXITSTATUS(st);
    printf("%s... %s\n", name,
           ok ? "OK" : WIFSIGNALED(st) && SIGALRM == WTERMSIG(st) ? "FAIL (blocked)" : "FAIL");
    return ok ? 0 : 1;
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    if (0 != access("/dev/fuse", R_OK | W_OK)) {
        printf("passthrough-races: no /dev/fuse; skipped\n");
        return 77;
    }
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"fifo_swap", fifo_swap},
        {"delete_swap", delete_swap},
        {"create_rollback_swap", create_rollback_swap},
        {"getea_errors", getea_errors},
    };
    int failed = 0, n = (int)(sizeof tests / sizeof tests[0]);
    for (int i = 0; i < n; i++)
        failed += run_test(tests[i].name, tests[i].fn, 60);
    printf("%d passed, %d failed\n", n - failed, failed);
    return failed ? 1 : 0;
}
