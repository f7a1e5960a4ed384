#!/usr/bin/env bash
# scripts/fsp-tests-on.sh FSP-TESTS 'SERVER COMMAND' [FSP-TESTS ARGS...]
#
# Run fsp-tests --external on a file system served by a program: mounts it, runs the tests,
# stops the program (SIGTERM, then SIGKILL), frees the mount. In the server command @MNT@ is
# the mount point (a new directory) and @SRC@ a new directory on a tmpfs of its own (for
# passthroughs). The program must serve in the foreground. Prints fsp-tests' output, ending
# with its "N passed, N failed" line; exits with its status. The program must exit with status
# $FSP_TESTS_ON_STATUS (default 0) on SIGTERM: libfuse 3 programs (fuse_main) exit with 8.
set -uo pipefail
ft=${1:?usage: fsp-tests-on.sh FSP-TESTS 'SERVER COMMAND' [ARGS...]}
server=${2:?usage: fsp-tests-on.sh FSP-TESTS 'SERVER COMMAND' [ARGS...]}
shift 2
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/fsp-tests-on.XXXXXX")
mnt=$dir/mnt src=$dir/src
mkdir -p "$mnt" "$src"
pid=
cleanup() {
    cd /
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    linfsp_free_mounts_under "$mnt"
    mountpoint -q "$src" && umount -l "$src"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $server == *@SRC@* ]]; then
    mount -t tmpfs -o size=4g fsp-tests-src "$src" || { echo "cannot mount the source tmpfs"; exit 2; }
fi
cmd=${server//@MNT@/$mnt}
cmd=${cmd//@SRC@/$src}
echo "server: $cmd"
eval "exec $cmd" </dev/null &
pid=$!
for _ in $(seq 100); do
    grep -q " $mnt " /proc/self/mountinfo && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q " $mnt " /proc/self/mountinfo; then
    echo "the file system did not mount"
    echo "0 passed, 1 failed"
    exit 1
fi
rc=0
"$ft" --external "$mnt" "$@" || rc=$?
# The program must stop cleanly on SIGTERM and leave nothing mounted.
kill -TERM "$pid"
src_rc=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    echo "the file system did not stop on SIGTERM"; rc=1
else
    wait "$pid" || src_rc=$?
    pid=
    [ $src_rc -eq "${FSP_TESTS_ON_STATUS:-0}" ] ||
        { echo "the file system exited with status $src_rc (not ${FSP_TESTS_ON_STATUS:-0})"; rc=1; }
    grep -q " $mnt " /proc/self/mountinfo && { echo "$mnt is still mounted"; rc=1; }
fi
exit $rc
