/*
 * tools/fsreg.c - register launcher classes (WinFsp's fsreg.bat for Linux, on top of
 * FspLaunchRegSetRecord): a class file CLASS.conf in the class directory.
 *
 *   fsreg CLASS EXECUTABLE COMMANDLINE [SECURITY]   as WinFsp's fsreg.bat (JobControl=1)
 *   fsreg -f FILE [CLASS]                           a class file (e.g. an installed example)
 *   fsreg -u CLASS                                  unregister
 *   fsreg -p CLASS                                  print a class as the launcher reads it
 *   fsreg -l                                        every class, and what is wrong with any
 */
#include <winfsp/launch.h>
#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGNAME "fsreg"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROGNAME " CLASS EXECUTABLE COMMANDLINE [SECURITY]\n"
            "       " PROGNAME " -f FILE [CLASS]\n"
            "       " PROGNAME " -u CLASS\n"
            "       " PROGNAME " -p CLASS\n"
            "       " PROGNAME " -l\n"
            "\n"
            "Registers a launcher class: the file CLASS.conf in the class directory\n"
            "(%s; $LINFSP_LAUNCHER_CLASSDIR overrides it).\n"
            "    CLASS EXE CMDLINE [SDDL]   register EXE with CommandLine CMDLINE, JobControl=1 and\n"
            "                               Security SDDL (default: root and Administrators only)\n"
            "    -f FILE [CLASS]            register the class file FILE (CLASS: FILE's name\n"
            "                               without .conf), e.g. PREFIX/share/linfsp/services/memfs.conf\n"
            "    -u CLASS                   unregister\n"
            "    -p CLASS                   print the class as the launcher reads it\n"
            "    -l                         list the classes and what is wrong with any\n"
            "The launcher refuses class files not owned by root or writable by others, unknown\n"
            "keys and invalid values; fsreg checks a class the same way before writing it.\n",
            FspLaunchRegDirectory());
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

static int fail(const char *what, NTSTATUS status)
{
    const char *why = STATUS_ACCESS_DENIED == status ? "permission denied (run as root)"
                      : STATUS_INVALID_PARAMETER == status ? "invalid class (see the rules in doc/launcher.md)"
                      : STATUS_OBJECT_NAME_NOT_FOUND == status ? "no such class"
                                                               : strerror(FspErrnoFromNtStatus(status));
    fprintf(stderr, PROGNAME ": %s: %s\n", what, why);
    return 1;
}

static void print_record(const FSP_LAUNCH_REG_RECORD *r)
{
#define S(f) if (r->f) printf(#f "=%ls\n", r->f)
    S(Agent);
    S(Executable);
    S(CommandLine);
    S(WorkDirectory);
    S(RunAs);
    S(Security);
    S(Stderr);
    S(MountPoint);
#undef S
    printf("JobControl=%lu\nCredentials=%lu\nRecovery=%lu\n", (unsigned long)r->JobControl,
           (unsigned long)r->Credentials, (unsigned long)r->Recovery);
}

static int register_file(const char *path, const char *name)
{
    char msg[768], cls[256];
    if (!name) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        size_t n = strlen(base);
        if (n > 5 && 0 == strcmp(base + n - 5, ".conf"))
            n -= 5;
        snprintf(cls, sizeof cls, "%.*s", (int)n, base);
        name = cls;
    }
    FSP_LAUNCH_REG_RECORD *rec = 0;
    NTSTATUS status = FspLaunchRegReadRecordFile(path, &rec, msg, sizeof msg);
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, PROGNAME ": %s\n", msg);
        return 1;
    }
    PWSTR wname = widen(name);
    status = wname ? FspLaunchRegSetRecord(wname, rec) : STATUS_INVALID_PARAMETER;
    FspLaunchRegFreeRecord(rec);
    free(wname);
    if (!NT_SUCCESS(status))
        return fail(name, status);
    printf("registered %s in %s\n", name, FspLaunchRegDirectory());
    return 0;
}

static int list_classes(void)
{
    const char *dir = FspLaunchRegDirectory();
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, PROGNAME ": %s: %s\n", dir, strerror(errno));
        return 1;
    }
    int bad = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if ('.' == de->d_name[0] || n <= 5 || 0 != strcmp(de->d_name + n - 5, ".conf"))
            continue;
        char name[256], msg[768];
        snprintf(name, sizeof name, "%.*s", (int)(n - 5), de->d_name);
        PWSTR wname = widen(name);
        FSP_LAUNCH_REG_RECORD *rec = 0;
        NTSTATUS status = wname ? FspLaunchRegGetRecordEx(wname, 0, &rec, msg, sizeof msg)
                                : STATUS_OBJECT_NAME_INVALID;
        if (NT_SUCCESS(status))
            printf("%-20s %ls\n", name, rec->Executable);
        else {
            printf("%-20s REFUSED: %s\n", name, wname ? msg : "invalid name");
            bad = 1;
        }
        FspLaunchRegFreeRecord(rec);
        free(wname);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *a = argv[1];
    if (0 == strcmp(a, "-h") || 0 == strcmp(a, "--help")) {
        usage(stdout);
        return 0;
    }
    if (0 == strcmp(a, "-l") && 2 == argc)
        return list_classes();
    if (0 == strcmp(a, "-f") && (3 == argc || 4 == argc))
        return register_file(argv[2], 4 == argc ? argv[3] : 0);
    if ((0 == strcmp(a, "-u") || 0 == strcmp(a, "-p")) && 3 == argc) {
        PWSTR name = widen(argv[2]);
        if (!name)
            return fail(argv[2], STATUS_INVALID_PARAMETER);
        int rc = 0;
        if ('u' == a[1]) {
            NTSTATUS status = FspLaunchRegSetRecord(name, 0);
            rc = NT_SUCCESS(status) ? 0 : fail(argv[2], status);
        } else {
            char msg[768];
            FSP_LAUNCH_REG_RECORD *rec = 0;
            NTSTATUS status = FspLaunchRegGetRecordEx(name, 0, &rec, msg, sizeof msg);
            if (NT_SUCCESS(status))
                print_record(rec);
            else {
                fprintf(stderr, PROGNAME ": %s\n", msg[0] ? msg : "no such class");
                rc = 1;
            }
            FspLaunchRegFreeRecord(rec);
        }
        free(name);
        return rc;
    }
    if ('-' == a[0] || (4 != argc && 5 != argc)) {
        usage(stderr);
        return 2;
    }
    FSP_LAUNCH_REG_RECORD rec;
    memset(&rec, 0, sizeof rec);
    PWSTR name = widen(argv[1]);
    rec.Executable = widen(argv[2]);
    rec.CommandLine = widen(argv[3]);
    rec.Security = 5 == argc ? widen(argv[4]) : 0;
    rec.JobControl = 1;
    NTSTATUS status = name && rec.Executable && rec.CommandLine && (4 == argc || rec.Security)
                          ? FspLaunchRegSetRecord(name, &rec)
                          : STATUS_INVALID_PARAMETER;
    free(name), free(rec.Executable), free(rec.CommandLine), free(rec.Security);
    if (!NT_SUCCESS(status))
        return fail(argv[1], status);
    printf("registered %s in %s\n", argv[1], FspLaunchRegDirectory());
    return 0;
}
