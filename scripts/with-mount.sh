#!/usr/bin/env bash
# scripts/with-mount.sh [--src-tmpfs] 'SERVER COMMAND' COMMAND [ARGS...]
#
# Run COMMAND while a file system served by a program is mounted: starts the server (in the
# foreground, in the background of this script), waits for its mount, runs COMMAND, then stops
# the server with SIGTERM and checks that it exits 0 and leaves nothing mounted. In the server
# command and in COMMAND's arguments @MNT@ is the mount point (a new directory) and @SRC@ a new
# source directory for passthroughs (a directory under $TMPDIR, or a tmpfs of its own with
# --src-tmpfs). Whatever happens, the server is ended (by its pid) and the mount freed.
# Exits with COMMAND's status, or 1 when the server did not mount, stop or unmount cleanly.
set -uo pipefail
src_tmpfs=0
[ "${1:-}" = "--src-tmpfs" ] && { src_tmpfs=1; shift; }
server=${1:?usage: with-mount.sh [--src-tmpfs] 'SERVER COMMAND' COMMAND [ARGS...]}
shift
[ $# -ge 1 ] || { echo "usage: with-mount.sh [--src-tmpfs] 'SERVER COMMAND' COMMAND [ARGS...]" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/with-mount.XXXXXX")
mnt=$dir/mnt src=$dir/src
mkdir -p "$mnt" "$src"
pid=
cleanup() {
    cd /
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && linfsp_free_mounts_under "$mnt"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    linfsp_free_mounts_under "$mnt"
    mountpoint -q "$src" && umount -l "$src"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $src_tmpfs -eq 1 ]; then
    mount -t tmpfs -o size=4g with-mount-src "$src" || { echo "cannot mount the source tmpfs"; exit 2; }
fi
cmd=${server//@MNT@/$mnt}
cmd=${cmd//@SRC@/$src}
args=()
for a in "$@"; do a=${a//@MNT@/$mnt}; args+=("${a//@SRC@/$src}"); done
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
    exit 1
fi
rc=0
"${args[@]}" || rc=$?
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    echo "the file system did not stop on SIGTERM"; rc=1
else
    src_rc=0
    wait "$pid" || src_rc=$?
    pid=
    [ $src_rc -eq 0 ] || { echo "the file system exited with status $src_rc"; rc=1; }
    grep -q " $mnt " /proc/self/mountinfo && { echo "$mnt is still mounted"; rc=1; }
fi
exit $rc
