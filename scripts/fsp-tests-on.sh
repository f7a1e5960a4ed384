#!/usr/bin/env bash
# scripts/fsp-tests-on.sh FSP-TESTS 'SERVER COMMAND' [FSP-TESTS ARGS...]
#
# Run fsp-tests --external on a file system served by a program: mounts it, runs the tests,
# stops the program (SIGTERM, then SIGKILL), frees the mount (linfsp_with_mount in lib.sh, which
# with-mount.sh uses too). In the server command @MNT@ is the mount point (a new directory) and
# @SRC@ a new directory on a tmpfs of its own (for passthroughs). The program must serve in the foreground. Prints fsp-tests' output, ending
# with its "N passed, N failed" line; exits with its status. The program must exit with status
# $FSP_TESTS_ON_STATUS (default 0) on SIGTERM: libfuse 3 programs (fuse_main) exit with 8.
set -uo pipefail
ft=${1:?usage: fsp-tests-on.sh FSP-TESTS 'SERVER COMMAND' [ARGS...]}
server=${2:?usage: fsp-tests-on.sh FSP-TESTS 'SERVER COMMAND' [ARGS...]}
shift 2
. "$(dirname "$0")/lib.sh"
src_tmpfs=0
[[ $server == *@SRC@* ]] && src_tmpfs=1
rc=0
linfsp_with_mount fsp-tests-on "$src_tmpfs" "${FSP_TESTS_ON_STATUS:-0}" "$server" "$ft" --external @MNT@ "$@" || rc=$?
[ "$linfsp_mounted" = 1 ] || echo "0 passed, 1 failed"
exit $rc
