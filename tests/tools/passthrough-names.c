/*
 * tests/tools/passthrough-names.c - the passthrough's interface called
 * directly (nothing mounted) with names no kernel would send: "..", ".",
 * empty components, and paths through source-side symlinks that lead
 * outside. Every such call must fail, and nothing outside the source may
 * appear, change or vanish. Complements test-passthrough.sh, which can only
 * send what the kernel sends.
 *
 * Build (it compiles the passthrough in, renaming its main):
 *   gcc -std=gnu11 -D_GNU_SOURCE -Iinclude tests/tools/passthrough-names.c -Lbuild -llinfsp
 * or with the sources of the library, as the passthrough itself is built.
 * Needs /dev/fuse to create the file system object (exit 77 without it).
 */
#define main passthrough_main
#include "../../examples/passthrough/passthrough.c"
#undef main

static int failures, checks;

static void must_fail(const char *what, PCWSTR name, NTSTATUS status)
{
    checks++;
    if (NT_SUCCESS(status)) {
        printf("FAIL %s %ls succeeded\n", what, name);
        failures++;
    }
}

static int run(const char *cmd)
{
    int r = system(cmd);
    return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    if (0 != access("/dev/fuse", R_OK | W_OK)) {
        printf("passthrough-names: no /dev/fuse; skipped\n");
        return 77;
    }
    char dir[] = "/tmp/passthrough-names.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "set -e; cd %s; mkdir -p src/a outside; echo v > victim; echo v > outside/victim;"
             "echo hi > src/file; ln -s %s/outside src/esc; ln -s ../outside src/rel", dir, dir);
    if (0 != run(cmd))
        return 1;
    snprintf(cmd, sizeof cmd, "cd %s && find . -path ./src -prune -o -print | sort | xargs ls -ld --time-style=+%%s.%%N",
             dir);
    char before[4096] = "", after[4096] = "";
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(before, 1, sizeof before - 1, p) : 0;
    before[n] = 0;
    if (p)
        pclose(p);

    char src[64];
    snprintf(src, sizeof src, "%s/src", dir);
    PTFS *pt;
    NTSTATUS status = ptfs_create(src, 1000, 0, false, &pt);
    if (!NT_SUCCESS(status)) {
        printf("passthrough-names: cannot create the file system (0x%08x); skipped\n", (unsigned)status);
        return 77;
    }
    FSP_FILE_SYSTEM *fs = pt->fs;
    const FSP_FILE_SYSTEM_INTERFACE *fi = fs->Interface;
    static PCWSTR bad[] = {
        L"\\..\\x", L"\\..", L"\\a\\..\\..\\x", L"\\.\\x", L"\\.", L"\\a\\.\\x", L"\\a\\\\x",
        L"\\esc\\x", L"\\rel\\x", L"\\esc\\victim", L"\\rel\\victim", L"\\esc", /* last: Open succeeds on the link itself */
    };
    size_t nbad = sizeof bad / sizeof bad[0];
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    UINT32 attrs;
    SIZE_T size = 0;
    for (size_t i = 0; i < nbad - 1; i++) {
        PWSTR name = (PWSTR)bad[i];
        ctx = 0;
        status = fi->Create(fs, name, 0, 0, 0, 0, 0, &ctx, &info);
        must_fail("Create", name, status);
        if (NT_SUCCESS(status))
            fi->Close(fs, ctx);
        status = fi->Create(fs, name, FILE_DIRECTORY_FILE, 0, 0, 0, 0, &ctx, &info);
        must_fail("Create(directory)", name, status);
        if (NT_SUCCESS(status))
            fi->Close(fs, ctx);
        if (wcscmp(name, L"\\.") && wcscmp(name, L"\\a\\.\\x")) {
            status = fi->Open(fs, name, 0, FILE_READ_DATA | FILE_WRITE_DATA, &ctx, &info);
            must_fail("Open", name, status);
            if (NT_SUCCESS(status))
                fi->Close(fs, ctx);
            must_fail("GetSecurityByName", name, fi->GetSecurityByName(fs, name, &attrs, 0, &size));
        }
    }
    status = fi->Open(fs, L"\\file", 0, FILE_READ_DATA, &ctx, &info);
    if (!NT_SUCCESS(status)) {
        printf("FAIL Open \\file: 0x%08x\n", (unsigned)status);
        failures++;
    } else {
        for (size_t i = 0; i < nbad; i++) {
            if (i < nbad - 1) { /* (renaming over the symlink itself is legitimate) */
                must_fail("Rename to", bad[i], fi->Rename(fs, ctx, L"\\file", (PWSTR)bad[i], TRUE));
                must_fail("CreateHardLink to", bad[i],
                          fi->CreateHardLink(fs, ctx, L"\\file", (PWSTR)bad[i], &info));
            } else
                must_fail("Rename (no replace) to", bad[i],
                          fi->Rename(fs, ctx, L"\\file", (PWSTR)bad[i], FALSE));
            /* Cleanup with delete under a hostile name must not remove anything */
            fi->Cleanup(fs, ctx, (PWSTR)bad[i], FspCleanupDelete);
        }
        fi->Cleanup(fs, ctx, L"\\..\\victim", FspCleanupDelete);
        fi->Close(fs, ctx);
    }
    /* The symlink itself opens (as a symlink), and operations on it stay on it. */
    status = fi->Open(fs, L"\\esc", 0, FILE_READ_DATA | FILE_WRITE_DATA, &ctx, &info);
    if (!NT_SUCCESS(status) || !(info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        printf("FAIL Open \\esc: 0x%08x attributes 0x%x\n", (unsigned)status, info.FileAttributes);
        failures++;
    } else {
        ULONG got;
        char data[4] = "xxx";
        must_fail("Write through", L"\\esc", fi->Write(fs, ctx, data, 0, 3, FALSE, FALSE, &got, &info));
        must_fail("SetFileSize through", L"\\esc", fi->SetFileSize(fs, ctx, 0, FALSE, &info));
        fi->Close(fs, ctx);
    }
    ptfs_delete(pt);

    p = popen(cmd, "r");
    n = p ? fread(after, 1, sizeof after - 1, p) : 0;
    after[n] = 0;
    if (p)
        pclose(p);
    if (0 != strcmp(before, after)) {
        printf("FAIL outside the source changed:\n%s---\n%s", before, after);
        failures++;
    }
    snprintf(cmd, sizeof cmd, "test -f %s/src/file && test -L %s/src/esc && test -L %s/src/rel", dir, dir, dir);
    if (0 != run(cmd)) {
        printf("FAIL the source lost a name\n");
        failures++;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    run(cmd);
    checks += 2; /* nothing outside changed; the source kept its names */
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
