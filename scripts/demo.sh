#!/usr/bin/env bash
# scripts/demo.sh [MOUNTPOINT] - build LinFsp, mount memfs at MOUNTPOINT (default: a new
# directory under /tmp), use it like any file system, then stop memfs (SIGTERM) and show that
# it unmounted. Installs the Debian packages it needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
linfsp_install_packages
echo "== building (build/release)"
linfsp_build build/release --buildtype=debugoptimized

mnt=${1:-$(mktemp -d /tmp/linfsp-demo.XXXXXX)}
mkdir -p "$mnt"
memfs_pid=
cleanup() {
    cd /
    [ -n "$memfs_pid" ] && kill "$memfs_pid" 2>/dev/null && wait "$memfs_pid" 2>/dev/null
    linfsp_free_mounts_under "$mnt"
}
trap cleanup EXIT

echo "== mounting memfs at $mnt"
build/release/memfs -m "$mnt" &
memfs_pid=$!
for _ in $(seq 50); do mountpoint -q "$mnt" && break; sleep 0.1; done
mountpoint -q "$mnt" || { echo "memfs did not mount"; exit 1; }
grep " $mnt " /proc/mounts

show() { echo "\$ $*"; "$@"; }
cd "$mnt"
show sh -c 'echo "hello from LinFsp" > hello.txt'
show cat hello.txt
show mkdir -p docs/notes
show sh -c 'seq 1 100000 > docs/numbers'
show ln -s hello.txt link-to-hello
show ln docs/numbers numbers-hardlink
show chmod 4750 hello.txt
show setfattr -n user.comment -v "an extended attribute" hello.txt
show getfattr -n user.comment hello.txt
show mv docs/notes docs/renamed
show ls -lin . docs
show stat -c '%n: %s bytes, %h links, mode %a, owner %u:%g' docs/numbers numbers-hardlink hello.txt
show df -h .
cd /

echo "== stopping memfs (SIGTERM)"
kill -TERM "$memfs_pid"
rc=0; wait "$memfs_pid" || rc=$?
memfs_pid=
echo "memfs exited with status $rc"
if mountpoint -q "$mnt"; then echo "FAILED: $mnt is still mounted"; exit 1; fi
echo "$mnt is unmounted"
[ $# -eq 0 ] && rmdir "$mnt"
exit $rc
