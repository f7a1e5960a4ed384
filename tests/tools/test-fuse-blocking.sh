#!/usr/bin/env bash
# tests/tools/test-fuse-blocking.sh FUSE-BLOCKING - a FUSE program whose callback never returns
# must still unmount and exit on SIGTERM (within the engine's grace period plus a margin), and
# the caller blocked in it must be released; a hung mount left behind is freed by aborting its
# connection (scripts/lib.sh, which mounts fusectl when needed). Needs root; exits 77 otherwise.
set -u
prog=${1:?usage: test-fuse-blocking.sh PATH-TO-fuse-blocking}
. "$(dirname "$0")/../../scripts/lib.sh" # linfsp_abort_connection
[ "$(id -u)" -eq 0 ] && [ -e /dev/fuse ] || { echo "needs root and /dev/fuse: skipped"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/fuse-blocking.XXXXXX")
mnt=$dir/mnt
mkdir -p "$mnt"
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "$1... OK"; else failed=$((failed + 1)); echo "$1... FAIL"; fi; }
pid= reader=
cleanup() {
    [ -n "$reader" ] && kill -KILL "$reader" 2>/dev/null
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    local dev
    dev=$(awk -v m="$mnt" '$5 == m {print $3}' /proc/self/mountinfo)
    if [ -n "$dev" ]; then
        linfsp_abort_connection "${dev#*:}"
        umount -l "$mnt" 2>/dev/null
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

# The program leaks on purpose when it abandons the stuck worker: no leak report for it.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$prog" -f "$mnt" &
pid=$!
for _ in $(seq 100); do grep -q " $mnt " /proc/self/mountinfo && break; sleep 0.1; done
check "mounted" 'grep -q " $mnt " /proc/self/mountinfo'
check "serves" '[ "$(cat "$mnt/ok")" = ok ]'
cat "$mnt/block" > /dev/null 2>&1 &
reader=$!
sleep 0.5
check "the reader is blocked in the file system" 'kill -0 $reader 2>/dev/null'
start=$SECONDS
kill -TERM "$pid"
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    check "the program ends on SIGTERM" false
else
    wait "$pid"; rc=$?
    pid=
    # fuse_main's status when a signal ended the loop is libfuse 3's: 8
    check "the program ends on SIGTERM, exit 8 as with libfuse (exit $rc, $((SECONDS - start)) s)" '[ $rc -eq 8 ]'
fi
check "nothing is left mounted" '! grep -q " $mnt " /proc/self/mountinfo'
for _ in $(seq 50); do kill -0 "$reader" 2>/dev/null || break; sleep 0.1; done
check "the blocked reader is released" '! kill -0 $reader 2>/dev/null'

# A hung mount left behind is freed the way run-tests.sh frees leftovers (scripts/lib.sh): its
# connection is aborted, which releases a caller blocked in it, also where the fusectl file
# system (/sys/fs/fuse/connections) is not mounted yet; a lazy unmount alone would leave the
# caller blocked.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$prog" -f "$mnt" &
pid=$!
for _ in $(seq 100); do grep -q " $mnt " /proc/self/mountinfo && break; sleep 0.1; done
cat "$mnt/block" > /dev/null 2>&1 &
reader=$!
sleep 0.5
check "a second reader is blocked in the file system" 'kill -0 $reader 2>/dev/null'
linfsp_free_mounts_under "$dir" > /dev/null
for _ in $(seq 50); do kill -0 "$reader" 2>/dev/null || break; sleep 0.1; done
check "freeing the leftover mount releases the blocked reader" '! kill -0 $reader 2>/dev/null'
check "the leftover mount is gone" '! grep -q " $mnt " /proc/self/mountinfo'
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
