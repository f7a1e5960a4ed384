/*
 * tests/fsp-tests/stream-test.c - fsp-tests group stream: named streams.
 *
 * Named streams ("file:stream") are a WinFsp/NTFS concept. LinFsp does not
 * expose them to Linux: a ':' in a Linux name is an ordinary character (the
 * engine maps it to U+F03A, as WinFsp's FUSE layer does), so "file:s" made
 * through the mount is a file of its own. Streams exist in the native API
 * only, so most tests here call memfs's FSP_FILE_SYSTEM_INTERFACE directly
 * (internal runs only) while the file system is mounted, and check that the
 * Linux view of the main file is unaffected. memfs locks internally, so such
 * direct calls can run alongside the dispatcher.
 */
#include "fsp-tests.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* The native name of rel (relative to the test directory; ':' keeps its stream meaning). */
static void native_name(WCHAR *out, size_t cap, const char *rel)
{
    const char *dir = fsp_tests_dir() + strlen(fsp_tests_root());
    size_t n = 0;
    for (const char *p = dir; *p && n + 1 < cap; p++)
        out[n++] = '/' == *p ? L'\\' : (WCHAR)(unsigned char)*p;
    if (n + 1 < cap)
        out[n++] = L'\\';
    for (const char *p = rel; *p && n + 1 < cap; p++)
        out[n++] = '/' == *p ? L'\\' : (WCHAR)(unsigned char)*p;
    out[n] = 0;
}

static NTSTATUS n_open(const char *rel, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    return fs->Interface->Open(fs, name, FILE_NON_DIRECTORY_FILE,
                               FILE_GENERIC_READ | FILE_GENERIC_WRITE, pctx, info);
}

static NTSTATUS n_create(const char *rel, PVOID *pctx, FSP_FSCTL_FILE_INFO *info)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    return fs->Interface->Create(fs, name, FILE_NON_DIRECTORY_FILE,
                                 FILE_GENERIC_READ | FILE_GENERIC_WRITE, FILE_ATTRIBUTE_NORMAL, 0,
                                 0, pctx, info);
}

/* Cleanup (flags, e.g. FspCleanupDelete) and Close. */
static void n_close(const char *rel, PVOID ctx, ULONG flags)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR name[512];
    native_name(name, ARRAYSIZE(name), rel);
    fs->Interface->Cleanup(fs, ctx, name, flags);
    fs->Interface->Close(fs, ctx);
}

/* Create stream rel holding data; STATUS_SUCCESS or the failure. */
static NTSTATUS n_write_new(const char *rel, const void *data, ULONG len)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    NTSTATUS status = n_create(rel, &ctx, &info);
    if (!NT_SUCCESS(status))
        return status;
    ULONG done = 0;
    if (len)
        status = fs->Interface->Write(fs, ctx, (PVOID)data, 0, len, FALSE, FALSE, &done, &info);
    if (NT_SUCCESS(status) && (done != len || info.FileSize != len))
        status = STATUS_UNSUCCESSFUL;
    n_close(rel, ctx, 0);
    return status;
}

/* Read all of stream rel (up to cap bytes); returns the count or -1. */
static long n_read_all(const char *rel, void *buf, ULONG cap)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    if (!NT_SUCCESS(n_open(rel, &ctx, &info)))
        return -1;
    ULONG got = 0;
    NTSTATUS status = info.FileSize ? fs->Interface->Read(fs, ctx, buf, 0, cap, &got) : STATUS_SUCCESS;
    n_close(rel, ctx, 0);
    if (!NT_SUCCESS(status) || got != (info.FileSize < cap ? info.FileSize : cap))
        return -1;
    return (long)got;
}

/* The streams of rel (as "name=size;" in ascending listing order) into out; false on failure. */
static bool n_streams(const char *rel, char *out, size_t cap)
{
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    out[0] = 0;
    if (!NT_SUCCESS(n_open(rel, &ctx, &info)))
        return false;
    static uint64_t buf[1024];
    ULONG bytes = 0;
    NTSTATUS status = fs->Interface->GetStreamInfo(fs, ctx, buf, sizeof buf, &bytes);
    n_close(rel, ctx, 0);
    if (!NT_SUCCESS(status) || bytes > sizeof buf)
        return false;
    size_t used = 0;
    for (size_t pos = 0; pos + sizeof(UINT16) <= bytes; pos = (pos + 7) & ~(size_t)7) {
        const FSP_FSCTL_STREAM_INFO *s = (const FSP_FSCTL_STREAM_INFO *)((char *)buf + pos);
        if (0 == s->Size)
            break;
        if (s->Size < sizeof *s || s->Size > bytes - pos)
            return false;
        size_t nchars = (s->Size - sizeof *s) / sizeof(WCHAR);
        for (size_t i = 0; i < nchars && used + 2 < cap; i++)
            out[used++] = s->StreamNameBuf[i] < 0x80 ? (char)s->StreamNameBuf[i] : '?';
        used += (size_t)snprintf(out + used, cap - used, "=%llu;", (unsigned long long)s->StreamSize);
        if (used >= cap)
            return false;
        pos += s->Size;
    }
    return true;
}

/* Does the stream list hold entry ("::$DATA=9" etc.)? */
static bool has(const char *list, const char *entry)
{
    char e[128];
    snprintf(e, sizeof e, "%s;", entry);
    const char *p = strstr(list, e);
    return p && (p == list || ';' == p[-1]);
}

static int count_stream_entries(const char *list)
{
    int n = 0;
    for (const char *p = list; *p; p++)
        n += ';' == *p;
    return n;
}

/* Names in the test directory, without "." and ".."; -1 on failure. */
static int count_dir(void)
{
    DIR *d = opendir(".");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* A stream is created and read back natively; the main file's Linux view does not change. */
static void stream_create_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_write_file("file", "main data", 9);
    ASSERT_EQ(n_write_new("file:s1", "stream one", 10), STATUS_SUCCESS);
    char b[64];
    memset(b, 0, sizeof b);
    ASSERT_EQ(n_read_all("file:s1", b, sizeof b), 10);
    ASSERT(0 == memcmp(b, "stream one", 10));
    /* the explicit type and the main stream by its "::$DATA" name */
    memset(b, 0, sizeof b);
    ASSERT_EQ(n_read_all("file:s1:$DATA", b, sizeof b), 10);
    ASSERT(0 == memcmp(b, "stream one", 10));
    memset(b, 0, sizeof b);
    ASSERT_EQ(n_read_all("file::$DATA", b, sizeof b), 9);
    ASSERT(0 == memcmp(b, "main data", 9));

    /* Linux sees the main stream only */
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_size, 9);
    memset(b, 0, sizeof b);
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 9);
    ASSERT(0 == memcmp(b, "main data", 9));
    ASSERT_EQ(count_dir(), 1);
    ASSERT_ERRNO(stat("file:s1", &st), ENOENT);

    /* a stream shares its file's identity */
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(n_open("file:s1", &ctx, &info), STATUS_SUCCESS);
    n_close("file:s1", ctx, 0);
    ASSERT_EQ(info.FileSize, 10);
    ASSERT_EQ(info.IndexNumber, st.st_ino);

    char list[512];
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT_EQ(count_stream_entries(list), 2);
    ASSERT(has(list, "::$DATA=9"));
    ASSERT(has(list, ":s1:$DATA=10"));
}

/* Several streams and the main stream change independently. */
static void stream_independent_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_write_file("file", "0123456789", 10);
    ASSERT_EQ(n_write_new("file:a", "A", 1), STATUS_SUCCESS);
    ASSERT_EQ(n_write_new("file:bb", "BBBBBBBBBBBBBBBBBBBB", 20), STATUS_SUCCESS);
    ASSERT_EQ(n_write_new("file:empty", 0, 0), STATUS_SUCCESS);
    char list[512];
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT_EQ(count_stream_entries(list), 4);
    ASSERT(has(list, "::$DATA=10") && has(list, ":a:$DATA=1") && has(list, ":bb:$DATA=20") &&
           has(list, ":empty:$DATA=0"));

    /* rewriting the main file through Linux (O_TRUNC, then longer data) leaves the streams */
    fsp_tests_write_file("file", "new main contents", 17);
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT(has(list, "::$DATA=17") && has(list, ":a:$DATA=1") && has(list, ":bb:$DATA=20"));
    char b[64];
    memset(b, 0, sizeof b);
    ASSERT_EQ(n_read_all("file:bb", b, sizeof b), 20);
    ASSERT(0 == memcmp(b, "BBBBBBBBBBBBBBBBBBBB", 20));

    /* growing a stream natively does not change the main file's Linux size */
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(n_open("file:a", &ctx, &info), STATUS_SUCCESS);
    ULONG done = 0;
    NTSTATUS status = fs->Interface->Write(fs, ctx, "zzzz", 100000, 4, FALSE, FALSE, &done, &info);
    n_close("file:a", ctx, 0);
    ASSERT_EQ(status, STATUS_SUCCESS);
    ASSERT_EQ(info.FileSize, 100004);
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_size, 17);
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT(has(list, ":a:$DATA=100004"));
}

/* Deleting a stream leaves the file and the other streams. */
static void stream_delete_test(void)
{
    fsp_tests_need_internal();
    fsp_tests_write_file("file", "data", 4);
    ASSERT_EQ(n_write_new("file:s1", "one", 3), STATUS_SUCCESS);
    ASSERT_EQ(n_write_new("file:s2", "two!", 4), STATUS_SUCCESS);
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(n_open("file:s1", &ctx, &info), STATUS_SUCCESS);
    n_close("file:s1", ctx, FspCleanupDelete);
    ASSERT_EQ(n_open("file:s1", &ctx, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    char list[512];
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT_EQ(count_stream_entries(list), 2);
    ASSERT(has(list, "::$DATA=4") && has(list, ":s2:$DATA=4"));
    char b[16];
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 4);
    ASSERT(0 == memcmp(b, "data", 4));
    /* the name can be used again */
    ASSERT_EQ(n_write_new("file:s1", "again", 5), STATUS_SUCCESS);
    ASSERT_EQ(n_read_all("file:s1", b, sizeof b), 5);
    ASSERT(0 == memcmp(b, "again", 5));
}

/* Unlinking the file through Linux takes its streams; an open stream lives on until closed. */
static void stream_unlink_main_test(void)
{
    fsp_tests_need_internal();
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    fsp_tests_write_file("file", "data", 4);
    ASSERT_EQ(n_write_new("file:s1", "stream", 6), STATUS_SUCCESS);
    ASSERT_EQ(n_write_new("file:s2", "other", 5), STATUS_SUCCESS);
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(n_open("file:s2", &ctx, &info), STATUS_SUCCESS);
    int r = unlink("file");
    PVOID ctx2;
    NTSTATUS s1 = n_open("file:s1", &ctx2, &info);
    if (NT_SUCCESS(s1))
        n_close("file:s1", ctx2, 0);
    /* the open stream still reads */
    char b[16];
    memset(b, 0, sizeof b);
    ULONG got = 0;
    NTSTATUS rs = fs->Interface->Read(fs, ctx, b, 0, sizeof b, &got);
    n_close("file:s2", ctx, 0);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(s1, STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(rs, STATUS_SUCCESS);
    ASSERT_EQ(got, 5);
    ASSERT(0 == memcmp(b, "other", 5));
    ASSERT_EQ(n_open("file:s2", &ctx, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    /* a new file of the same name has no streams */
    fsp_tests_write_file("file", "new", 3);
    char list[512];
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT_EQ(count_stream_entries(list), 1);
    ASSERT(has(list, "::$DATA=3"));
}

/* Streams of missing files, duplicate streams, bad stream types. */
static void stream_errors_test(void)
{
    fsp_tests_need_internal();
    PVOID ctx;
    FSP_FSCTL_FILE_INFO info;
    ASSERT_EQ(n_create("nofile:s", &ctx, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(n_open("nofile:s", &ctx, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    fsp_tests_write_file("file", "x", 1);
    ASSERT_EQ(n_open("file:nostream", &ctx, &info), STATUS_OBJECT_NAME_NOT_FOUND);
    ASSERT_EQ(n_write_new("file:s", "1", 1), STATUS_SUCCESS);
    ASSERT_EQ(n_create("file:s", &ctx, &info), STATUS_OBJECT_NAME_COLLISION);
    ASSERT_EQ(n_open("file:s:$BOGUS", &ctx, &info), STATUS_OBJECT_NAME_INVALID);
    ASSERT_EQ(n_create("file:s2:$BOGUS", &ctx, &info), STATUS_OBJECT_NAME_INVALID);
    /* a stream cannot be renamed */
    FSP_FILE_SYSTEM *fs = fsp_tests_fs();
    WCHAR from[512], to[512];
    native_name(from, ARRAYSIZE(from), "file:s");
    native_name(to, ARRAYSIZE(to), "file:t");
    ASSERT_EQ(n_open("file:s", &ctx, &info), STATUS_SUCCESS);
    NTSTATUS rs = fs->Interface->Rename(fs, ctx, from, to, FALSE);
    n_close("file:s", ctx, 0);
    ASSERT(!NT_SUCCESS(rs));
    char list[512];
    ASSERT(n_streams("file", list, sizeof list));
    ASSERT_EQ(count_stream_entries(list), 2);
    ASSERT(has(list, ":s:$DATA=1"));
    /* Linux cannot reach the stream: "file:s" is just another (missing) name */
    struct stat st;
    ASSERT_ERRNO(stat("file:s", &st), ENOENT);
}

/* Through Linux, ':' is an ordinary name character: "file:s" is a separate file. */
static void stream_colon_name_test(void)
{
    fsp_tests_write_file("file", "main", 4);
    fsp_tests_write_file("file:s", "colon file", 10);
    fsp_tests_write_file("file::$DATA", "odd", 3);
    struct stat st;
    ASSERT(0 == stat("file", &st));
    ASSERT_EQ(st.st_size, 4);
    ASSERT(0 == stat("file:s", &st));
    ASSERT_EQ(st.st_size, 10);
    ASSERT(0 == stat("file::$DATA", &st));
    ASSERT_EQ(st.st_size, 3);
    char b[16];
    ASSERT_EQ(fsp_tests_read_file("file", b, sizeof b), 4);
    ASSERT(0 == memcmp(b, "main", 4));
    ASSERT_EQ(count_dir(), 3);
    if (fsp_tests_internal()) {
        /* not a stream of "file" */
        char list[512];
        ASSERT(n_streams("file", list, sizeof list));
        ASSERT_EQ(count_stream_entries(list), 1);
        ASSERT(has(list, "::$DATA=4"));
    }
    ASSERT(0 == unlink("file:s"));
    ASSERT(0 == stat("file", &st));
    ASSERT(0 == unlink("file::$DATA"));
    ASSERT(0 == unlink("file"));
    ASSERT_EQ(count_dir(), 0);
}

void stream_tests(void)
{
    TLIB_ADD_TEST("stream", stream_create_test);
    TLIB_ADD_TEST("stream", stream_independent_test);
    TLIB_ADD_TEST("stream", stream_delete_test);
    TLIB_ADD_TEST("stream", stream_unlink_main_test);
    TLIB_ADD_TEST("stream", stream_errors_test);
    TLIB_ADD_TEST("stream", stream_colon_name_test);
}
