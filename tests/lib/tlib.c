/*
 * tests/lib/tlib.c - test registration, selection, execution and the closing line.
 */
#include "tlib.h"
#include <fnmatch.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tlib_test {
    const char *group, *name;
    tlib_test_fn *fn;
    bool optional;
};

static struct tlib_test *tests;
static size_t ntests, captests;
static jmp_buf test_jmp;
static const char *test_outcome;
static void (*setup)(void);
static void (*teardown)(void);

void tlib_add_test(const char *group, const char *name, tlib_test_fn *fn, bool optional)
{
    if (ntests == captests) {
        size_t cap = captests ? captests * 2 : 64;
        struct tlib_test *t = realloc(tests, cap * sizeof *t);
        if (!t) {
            fprintf(stderr, "tlib: out of memory\n");
            exit(2);
        }
        tests = t, captests = cap;
    }
    tests[ntests++] = (struct tlib_test){group, name, fn, optional};
}

void tlib_set_setup(void (*fn)(void))
{
    setup = fn;
}

void tlib_set_teardown(void (*fn)(void))
{
    teardown = fn;
}

void tlib_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "    ASSERT(%s) failed at %s:%d\n", expr, file, line);
    test_outcome = "FAIL";
    longjmp(test_jmp, 1);
}

void tlib_skip(const char *reason)
{
    fprintf(stderr, "    skipped: %s\n", reason);
    test_outcome = "SKIP";
    longjmp(test_jmp, 1);
}

static bool matches(const char *pattern, const struct tlib_test *t)
{
    return 0 == fnmatch(pattern, t->name, 0) || 0 == fnmatch(pattern, t->group, 0);
}

/* A test is selected when an include pattern (or none given) matches it and no
 * exclude pattern (-pat) does; optional tests need a +pat. */
static bool selected(const struct tlib_test *t, int argc, char **argv)
{
    bool any_include = false, included = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ('-' == a[0] && '-' != a[1]) {
            if (matches(a + 1, t))
                return false;
        } else if ('+' == a[0]) {
            if (matches(a + 1, t))
                return true;
        } else if ('-' != a[0]) {
            any_include = true;
            if (matches(a, t))
                included = true;
        }
    }
    if (t->optional)
        return false;
    return any_include ? included : true;
}

/* Run one test with its setup and teardown; the outcome is left in test_outcome.
 * (A function of its own so that no local of tlib_run lives across setjmp.) */
static void run_one(const struct tlib_test *t)
{
    test_outcome = "OK";
    if (0 == setjmp(test_jmp)) {
        if (setup)
            setup();
        t->fn();
    }
    if (teardown)
        teardown();
}

int tlib_run(int argc, char **argv)
{
    bool list = false;
    for (int i = 1; i < argc; i++)
        if (0 == strcmp(argv[i], "--list"))
            list = true;
    unsigned passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < ntests; i++) {
        struct tlib_test *t = &tests[i];
        if (!selected(t, argc, argv))
            continue;
        if (list) {
            printf("%s/%s\n", t->group, t->name);
            continue;
        }
        printf("%s/%s... ", t->group, t->name);
        fflush(stdout);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        run_one(t);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("%s %.3fs\n", test_outcome, secs);
        fflush(stdout);
        if (0 == strcmp(test_outcome, "OK"))
            passed++;
        else if (0 == strcmp(test_outcome, "SKIP"))
            skipped++;
        else
            failed++;
    }
    if (list)
        return 0;
    if (skipped)
        printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
    else
        printf("%u passed, %u failed\n", passed, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}
