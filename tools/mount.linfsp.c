/*
 * tools/mount.linfsp.c - mount(8)'s helper for LinFsp classes, the Linux counterpart of
 * WinFsp's "net use": `mount -t linfsp.CLASS INSTANCE DIR -o OPTIONS` (or an /etc/fstab line)
 * asks the launcher to start INSTANCE of CLASS with
 *     %1 = INSTANCE, %2 = DIR, %3 = OPTIONS (mount(8)'s own options left out; "rw" if none)
 * and returns once it is mounted. `umount DIR` unmounts it, and the instance then ends.
 *
 * mount(8) runs /sbin/mount.linfsp.CLASS when it exists, else /sbin/mount.linfsp with
 * "-t linfsp.CLASS", as:  mount.linfsp SPEC DIR [-sfnv] [-N NS] [-o OPTIONS] [-t TYPE]
 * (SPEC and DIR always first, even when SPEC starts with "-").
 * For ordinary users (fstab option user or users) mount(8) runs helpers with the user's own
 * rights: the launcher then decides with the class's Security and its mount point rules.
 */
#include <winfsp/launch.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGNAME "mount.linfsp"
/* mount(8)'s exit codes */
#define EX_USAGE 1
#define EX_SYSERR 2
#define EX_FAIL 32

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROGNAME " INSTANCE DIR [-sfnv] [-o OPTIONS] -t linfsp.CLASS\n"
            "       mount -t linfsp.CLASS INSTANCE DIR [-o OPTIONS]\n"
            "\n"
            "Starts INSTANCE of the launcher class CLASS mounted at DIR: the class's CommandLine\n"
            "gets %%1 = INSTANCE, %%2 = DIR, %%3 = OPTIONS. umount DIR stops it.\n"
            "\n"
            "options (as mount(8) passes them):\n"
            "    -t linfsp.CLASS     the class (not needed when run as mount.linfsp.CLASS)\n"
            "    -o OPTIONS          mount options, passed on as %%3 (\"rw\" if none) without\n"
            "                        mount(8)'s own (user, users, noauto, nofail, _netdev,\n"
            "                        defaults, comment=, x-*, ...); may be repeated\n"
            "    -f                  fake: check the arguments, start nothing\n"
            "    -v                  say what is started\n"
            "    -s                  sloppy (accepted and ignored)\n"
            "    -n                  do not write mtab (accepted and ignored)\n"
            "    -N NS               refused (another mount namespace)\n"
            "    -h                  this help\n"
            "The launcher's socket: $LINFSP_LAUNCHER_SOCKET or %s.\n"
            "Exit status: 0 mounted, 1 usage error or refused, 2 no launcher, 32 mount failure.\n",
            FSP_LAUNCH_PIPE_NAME);
}

/* Options that are mount(8)'s or fstab's business, not the file system's. */
static bool mount8_option(const char *o)
{
    static const char *const names[] = {"user", "users", "nouser", "owner", "group", "auto",
                                        "noauto", "_netdev", "nofail", "defaults", "comment",
                                        "loop", "helper", "nosymfollow"};
    size_t n = strcspn(o, "=");
    if (0 == strncmp(o, "x-", 2))
        return true;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && 0 == strncmp(o, names[i], n))
            return true;
    return false;
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

int main(int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    if (2 == argc && (0 == strcmp(argv[1], "-h") || 0 == strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    /* The class: from mount.linfsp.CLASS, or -t linfsp.CLASS. */
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *class_name = 0 == strncmp(self, "mount.linfsp.", 13) ? self + 13 : 0;
    const char *spec = 0, *dir = 0, *type = 0;
    char *options = calloc(1, 1);
    bool fake = false, verbose = false;
    if (!options)
        return EX_SYSERR;
    /* mount(8) runs helpers as "HELPER SPEC DIR [OPTIONS...]": the first two arguments are
     * the instance and the mount point, whatever they look like (an instance may start with
     * "-", and "-f" must not become fake mode). */
    if (argc >= 3) {
        spec = argv[1];
        dir = argv[2];
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if ('-' == a[0] && a[1]) {
            /* -o, -t, -N take a value; -s -f -n -v (combinable) do not */
            if ('o' == a[1] || 't' == a[1] || 'N' == a[1]) {
                const char *v = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : 0;
                if (!v) {
                    usage(stderr);
                    return EX_USAGE;
                }
                if ('t' == a[1])
                    type = v;
                else if ('N' == a[1]) {
                    fprintf(stderr, PROGNAME ": -N (another mount namespace) is not supported\n");
                    return EX_USAGE;
                } else {
                    size_t old = strlen(options);
                    char *n = realloc(options, old + strlen(v) + 2);
                    if (!n)
                        return EX_SYSERR;
                    options = n;
                    if (old)
                        options[old++] = ',';
                    strcpy(options + old, v);
                }
                continue;
            }
            for (const char *f = a + 1; *f; f++)
                if ('f' == *f)
                    fake = true;
                else if ('v' == *f)
                    verbose = true;
                else if ('s' != *f && 'n' != *f) {
                    fprintf(stderr, PROGNAME ": unknown option -%c\n", *f);
                    usage(stderr);
                    return EX_USAGE;
                }
            continue;
        }
        usage(stderr); /* a third positional argument */
        return EX_USAGE;
    }
    if (type) {
        if (0 != strncmp(type, "linfsp.", 7) || !type[7]) {
            fprintf(stderr, PROGNAME ": the type must be linfsp.CLASS (got %s)\n", type);
            return EX_USAGE;
        }
        class_name = type + 7;
    }
    if (!spec || !dir || !class_name || !class_name[0]) {
        if (!class_name || !class_name[0])
            fprintf(stderr, PROGNAME ": no class: use -t linfsp.CLASS\n");
        usage(stderr);
        return EX_USAGE;
    }
    char *real = realpath(dir, 0);
    if (!real) {
        fprintf(stderr, PROGNAME ": %s: %s\n", dir, strerror(errno));
        return EX_FAIL;
    }
    /* The file system's options: mount(8)'s own left out. */
    char *fsopts = calloc(1, strlen(options) + 3);
    if (!fsopts)
        return EX_SYSERR;
    char *save = 0;
    for (char *o = strtok_r(options, ",", &save); o; o = strtok_r(0, ",", &save)) {
        if (mount8_option(o))
            continue;
        if (fsopts[0])
            strcat(fsopts, ",");
        strcat(fsopts, o);
    }
    if (!fsopts[0])
        strcpy(fsopts, "rw");
    if (verbose)
        fprintf(stderr, PROGNAME ": starting %s/%s at %s with options %s\n", class_name, spec,
                real, fsopts);
    if (fake)
        return 0;
    PWSTR wclass = widen(class_name), winst = widen(spec), wdir = widen(real), wopts = widen(fsopts);
    if (!wclass || !winst || !wdir || !wopts) {
        fprintf(stderr, PROGNAME ": arguments not valid in this locale\n");
        return EX_USAGE;
    }
    PWSTR args[3] = {winst, wdir, wopts};
    ULONG error = 0;
    NTSTATUS status = FspLaunchStart(wclass, winst, 3, args, FALSE, &error);
    int rc = 0;
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, PROGNAME ": cannot reach the launcher: %s\n",
                STATUS_OBJECT_NAME_NOT_FOUND == status ? "it is not running"
                : STATUS_ACCESS_DENIED == status       ? "its socket is not served by root"
                                                       : strerror(FspErrnoFromNtStatus(status)));
        rc = EX_SYSERR;
    } else if (error) {
        fprintf(stderr, PROGNAME ": cannot mount %s of class %s at %s: %s (launcher error %lu)\n",
                spec, class_name, real, FspLaunchErrorMessage(error), (unsigned long)error);
        rc = ERROR_ACCESS_DENIED == error || ERROR_BAD_PATHNAME == error ? EX_USAGE : EX_FAIL;
    }
    free(wclass), free(winst), free(wdir), free(wopts);
    free(fsopts), free(options), free(real);
    return rc;
}
