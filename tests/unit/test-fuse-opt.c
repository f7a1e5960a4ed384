/*
 * tests/unit/test-fuse-opt.c - runs the fuse_opt tests (group "fuse_opt",
 * defined in test-fuse-opt-cases.c). The same cases build against the real
 * libfuse3 (-I/usr/include/fuse3 -lfuse3) to check that LinFsp behaves alike.
 */
#include "tlib.h"

void fuse_opt_tests(void);

int main(int argc, char **argv)
{
    fuse_opt_tests();
    return tlib_run(argc, argv);
}
