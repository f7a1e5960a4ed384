/*
 * include/fuse3/fuse_opt.h - the libfuse option parser API for the FUSE 3
 * header set. The declarations live in include/fuse/fuse_opt.h (the unit
 * tests use that one); installation puts that file here under this name
 * (see src/fuse/meson.build).
 */
#include "../fuse/fuse_opt.h"
