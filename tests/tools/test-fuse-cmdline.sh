#!/usr/bin/env bash
# tests/tools/test-fuse-cmdline.sh HELLO-FUSE3 MEMFS-FUSE2 - libfuse programs on LinFsp behave
# as on libfuse where scripts can tell, from the command line (issue 9):
#   - an unknown option ends a FUSE 3 program with fuse_main's status 3 and a FUSE 2.9 one
#     with 1 (libfuse 3.14 and 2.9); -o '' is no option;
#   - SIGTERM ends a FUSE 3 program with status 8 and a FUSE 2.9 one with 0;
#   - the debug trace (-d) says "success" for successful replies and "error: -N (text)" only
#     for failed ones (scripts look for the word "error");
#   - Debian's mount.fuse3 -o drop_privileges mounts and hands the program the /dev/fuse
#     descriptor as /dev/fd/N: the program serves it;
#   - a regular file is a mount point (the root is a file), as libfuse's null example does;
#   - a FUSE 2.9 program that mounts as archivemount does (fuse_mount, fcntl on fuse_chan_fd,
#     fuse_new on the channel, <fuse/fuse_lowlevel.h>) serves, and stops cleanly on SIGTERM.
# Needs root and /dev/fuse (exit 77 otherwise). Ends with "N passed, N failed".
set -u
usage="usage: test-fuse-cmdline.sh HELLO-FUSE3 MEMFS-FUSE2 FUSE2-CHAN"
hello=${1:?$usage}
memfs2=${2:?$usage}
chan2=${3:?$usage}
hello=$(realpath "$hello") memfs2=$(realpath "$memfs2") chan2=$(realpath "$chan2")
[ "$(id -u)" -eq 0 ] && [ -e /dev/fuse ] || { echo "needs root and /dev/fuse: skipped"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/fuse-cmdline.XXXXXX")
mnt=$dir/mnt
mkdir -p "$mnt"
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "$1... OK"; else failed=$((failed + 1)); echo "$1... FAIL"; fi; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    local dev m
    awk -v d="$dir" 'index($5, d) == 1 {print $3, $5}' /proc/self/mountinfo | while read -r dev m; do
        [ -w "/sys/fs/fuse/connections/${dev#*:}/abort" ] && echo 1 > "/sys/fs/fuse/connections/${dev#*:}/abort"
        umount -l "$m" 2>/dev/null
    done
    rm -rf "$dir"
}
trap cleanup EXIT
mounted() { grep -q " $1 " /proc/self/mountinfo; }
wait_mounted() { for _ in $(seq 100); do mounted "$1" && return 0; sleep 0.1; done; return 1; }
# The mount shows before fuse_main (or the program) installs its SIGTERM handler, as with libfuse:
# a SIGTERM sent in between kills it. Wait for the handler (SigCgt bit of signal 15) first.
wait_term_handler() {
    local mask
    for _ in $(seq 100); do
        mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null)
        [ -n "$mask" ] && [ $(( 0x$mask & 0x4000 )) -ne 0 ] && return 0
        sleep 0.1
    done
    return 1
}
wait_gone() { for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }

# unknown options
rc=0; "$hello" -f -o bogus "$mnt" 2>"$dir/err" || rc=$?
check "FUSE 3: an unknown option exits with 3 (exit $rc)" '[ $rc -eq 3 ] && grep -q "unknown option" "$dir/err"'
rc=0; "$memfs2" -f -o bogus "$mnt" 2>"$dir/err" || rc=$?
check "FUSE 2.9: an unknown option exits with 1 (exit $rc)" '[ $rc -eq 1 ] && grep -q "unknown option" "$dir/err"'
check "nothing was mounted" '! mounted "$mnt"'

# -o '' and SIGTERM
"$hello" -f -o '' "$mnt" 2>"$dir/err" &
pid=$!; pids+=($pid)
wait_mounted "$mnt"
check "FUSE 3: -o '' mounts" 'mounted "$mnt" && [ "$(cat "$mnt/hello" 2>/dev/null)" = "Hello World!" ]'
wait_term_handler $pid; kill -TERM $pid; wait_gone $pid; rc=0; wait $pid || rc=$?
check "FUSE 3: SIGTERM ends fuse_main with 8 and unmounts (exit $rc)" '[ $rc -eq 8 ] && ! mounted "$mnt"'
"$memfs2" -f "$mnt" 2>"$dir/err" &
pid=$!; pids+=($pid)
wait_mounted "$mnt"
wait_term_handler $pid; kill -TERM $pid; wait_gone $pid; rc=0; wait $pid || rc=$?
check "FUSE 2.9: SIGTERM ends fuse_main with 0 and unmounts (exit $rc)" '[ $rc -eq 0 ] && ! mounted "$mnt"'

# the debug trace
"$hello" -d "$mnt" 2>"$dir/trace" &
pid=$!; pids+=($pid)
wait_mounted "$mnt"
cat "$mnt/hello" >/dev/null 2>&1
stat "$mnt/missing" >/dev/null 2>&1
umount "$mnt" 2>/dev/null || umount -l "$mnt"
wait_gone $pid; wait $pid 2>/dev/null
check "-d: successful replies say success" 'grep -q "unique: [0-9]*, success, outsize" "$dir/trace"'
check "-d: a failed LOOKUP says error: -2 (No such file or directory)" \
    'grep -q "error: -2 (No such file or directory)" "$dir/trace"'
check "-d: no other line says error" '! grep -i "error" "$dir/trace" | grep -vq "error: -[0-9]* ("'

# mount.fuse3 -o drop_privileges: the program gets /dev/fd/N
if [ -x /sbin/mount.fuse3 ]; then
    rc=0; /sbin/mount.fuse3 "$hello" "$mnt" -o drop_privileges >"$dir/err" 2>&1 || rc=$?
    wait_mounted "$mnt"
    check "mount.fuse3 -o drop_privileges: the program serves /dev/fd/N (exit $rc)" \
        '[ $rc -eq 0 ] && [ "$(cat "$mnt/hello" 2>/dev/null)" = "Hello World!" ] && pgrep -f "$hello /dev/fd/" >/dev/null'
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
    for _ in $(seq 50); do pgrep -f "$hello /dev/fd/" >/dev/null || break; sleep 0.1; done
    check "the program ends when its mount goes away" '! pgrep -f "$hello /dev/fd/" >/dev/null'
else
    echo "mount.fuse3 is missing (Debian's fuse3): drop_privileges not checked"
fi

# a regular file as the mount point: hello's root is a directory, so the kernel refuses to
# serve it as a file; the mount itself must be accepted (libfuse's null example: a file root)
: >"$dir/file"
"$hello" -f "$dir/file" 2>"$dir/err" &
pid=$!; pids+=($pid)
wait_mounted "$dir/file"
check "a regular file is accepted as the mount point" 'mounted "$dir/file"'
umount "$dir/file" 2>/dev/null || umount -l "$dir/file"
wait_gone $pid; wait $pid 2>/dev/null

# FUSE 2.9's channel API, as archivemount uses it
"$chan2" -f "$mnt" 2>"$dir/err" &
pid=$!; pids+=($pid)
wait_mounted "$mnt"
check "FUSE 2.9: fuse_mount + fuse_new(ch) serve the mount" 'mounted "$mnt" && [ "$(ls "$mnt" 2>/dev/null)" = chan ]'
check "FUSE 2.9: fuse_chan_fd is the open /dev/fuse descriptor, close-on-exec after fcntl ($(cat "$mnt/chan" 2>/dev/null))" \
    'grep -qx "fd [0-9]* cloexec dev" "$mnt/chan"'
wait_term_handler $pid; kill -TERM $pid; wait_gone $pid; rc=0; wait $pid || rc=$?
check "FUSE 2.9: SIGTERM ends fuse_loop_mt, fuse_unmount unmounts (exit $rc)" '[ $rc -eq 0 ] && ! mounted "$mnt"'

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
