/*
 * tests/lib/tlib.h - LinFsp's small test library (in the spirit of WinFsp's tlib).
 *
 * Tests are registered by group and name, selected by patterns on the command
 * line ("name", "group", "pre*", "-exclude*", "+optional"), run in order, and
 * the program ends with the line "N passed, N failed" (", N skipped" when some
 * were skipped). An ASSERT that fails ends the current test only.
 */
#ifndef TLIB_H_INCLUDED
#define TLIB_H_INCLUDED

#include <stdbool.h>
#include <stdio.h>

typedef void tlib_test_fn(void);

/** Register a test; optional tests run only when named with +name or +pattern. */
void tlib_add_test(const char *group, const char *name, tlib_test_fn *fn, bool optional);
#define TLIB_ADD_TEST(group, fn) tlib_add_test(group, #fn, fn, false)
#define TLIB_ADD_TEST_OPT(group, fn) tlib_add_test(group, #fn, fn, true)

/** Called by ASSERT; does not return. */
void tlib_fail(const char *file, int line, const char *expr) __attribute__((noreturn));
/** Skip the current test with a reason (counted as skipped); does not return. */
void tlib_skip(const char *reason) __attribute__((noreturn));

#define ASSERT(expr) ((expr) ? (void)0 : tlib_fail(__FILE__, __LINE__, #expr))
/** Like ASSERT, printing the two values when they differ. */
#define ASSERT_EQ(a, b)                                                                      \
    do {                                                                                     \
        long long tlib_a_ = (long long)(a), tlib_b_ = (long long)(b);                        \
        if (tlib_a_ != tlib_b_) {                                                            \
            fprintf(stderr, "    %s = %lld, %s = %lld\n", #a, tlib_a_, #b, tlib_b_);         \
            tlib_fail(__FILE__, __LINE__, #a " == " #b);                                     \
        }                                                                                    \
    } while (0)
/** Assert that a syscall-style expression returns -1 with errno == err. */
#define ASSERT_ERRNO(expr, err)                                                              \
    do {                                                                                     \
        errno = 0;                                                                           \
        long tlib_r_ = (long)(expr);                                                         \
        int tlib_e_ = errno;                                                                 \
        if (tlib_r_ != -1 || tlib_e_ != (err)) {                                             \
            fprintf(stderr, "    %s returned %ld, errno %d (%s); expected -1, errno %d (%s)\n", \
                    #expr, tlib_r_, tlib_e_, strerror(tlib_e_), (int)(err), strerror(err));   \
            tlib_fail(__FILE__, __LINE__, #expr);                                            \
        }                                                                                    \
    } while (0)

/**
 * Run the selected tests. argv holds patterns (options the program handled
 * itself must be removed first). "--list" lists the selected tests.
 * Returns the process exit code: 0 when nothing failed.
 */
int tlib_run(int argc, char **argv);

/** Register a function to run before every test (it may ASSERT or skip), or NULL. */
void tlib_set_setup(void (*fn)(void));
/** Register a function to run after every test (e.g. to clean a directory), or NULL. */
void tlib_set_teardown(void (*fn)(void));

#endif
