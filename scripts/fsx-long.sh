#!/usr/bin/env bash
# scripts/fsx-long.sh - the fsx checker for millions of operations on every configuration CI
# runs it on (CI runs 50 000 each).
#
#   scripts/fsx-long.sh [--ops=N] [--build=DIR] [--only=NAME] [-- FSX OPTIONS]
#
#   --ops    operations per configuration (default 2000000)
#   --build  the build whose memfs and passthrough serve (default build/sanitize: ASan+UBSan
#            catch what the operations do to the file system's memory; built when missing)
#   --only   one configuration by name (memfs, memfs-t0, memfs-t1000, memfs-W, passthrough,
#            passthrough-P1, tmpfs)
#   after --: more fsx options for every run (e.g. -l 4M -o 1M)
#
# Configurations: memfs with its default FileInfoTimeout (-1: everything cached, FOPEN_KEEP_CACHE),
# -t 0 (nothing cached), -t 1000, -W (the writeback cache); passthrough over a directory on
# $TMPDIR's disk with -P0 (reads and writes through the file system) and -P1 (the kernel's
# passthrough to the backing file); tmpfs (fsx -E: tmpfs has no ZERO_RANGE). Each run has its own
# seed (printed), so a failure is replayed with fsx -S SEED -N OPS. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ops=2000000 build=build/sanitize only=
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --ops=*) ops=${1#--ops=} ;;
    --build=*) build=${1#--build=} ;;
    --only=*) only=${1#--only=} ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fsx-long.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" -eq 0 ] || { echo "fsx-long.sh: run as root (mounts)" >&2; exit 2; }
if [ ! -x "$build/memfs" ]; then
    opts=(--buildtype=debugoptimized)
    [ "$(basename "$build")" = sanitize ] && opts=(--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false)
    linfsp_build "$build" "${opts[@]}" || { echo "0 passed, 1 failed"; exit 1; }
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fsx=$build/tests/fsx/fsx
pt=$build/examples/passthrough/passthrough
work=$(mktemp -d "${TMPDIR:-/tmp}/fsx-long.XXXXXX")
cleanup() { linfsp_free_mounts_under "$work"; mountpoint -q "$work/tmpfs" && umount -l "$work/tmpfs"; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
passed=0 failed=0
run() { # run NAME COMMAND...
    local name=$1; shift
    [ -n "$only" ] && [ "$only" != "$name" ] && return
    local seed=$((RANDOM * 32768 + RANDOM)) start=$SECONDS rc=0 log=$work/$name.log
    echo "== fsx/$name: $ops operations, seed $seed"
    TMPDIR=$work "$@" "$fsx" -N "$ops" -S "$seed" "${extra[@]}" >"$log" 2>&1 || rc=$?
    tail -3 "$log" | sed 's/^/   /'
    if [ $rc -eq 0 ] && grep -q '^1 passed, 0 failed' "$log"; then
        passed=$((passed + 1)); echo "fsx/$name... OK $((SECONDS - start))s"
    else
        failed=$((failed + 1)); echo "fsx/$name... FAIL $((SECONDS - start))s"
        grep -E 'FAILURE|differ|expected|ERROR' "$log" | head -5 | sed 's/^/   /'
        cp "$log" "build/fsx-long-$name.log" 2>/dev/null && echo "   whole log: build/fsx-long-$name.log"
    fi
}
on() { # on 'SERVER' FSX...: fsx on FILE=@MNT@/fsx under the server
    local server=$1; shift
    bash scripts/with-mount.sh "$server" "$@" @MNT@/fsx
}
run memfs on "$build/memfs -m @MNT@"
run memfs-t0 on "$build/memfs -t 0 -m @MNT@"
run memfs-t1000 on "$build/memfs -t 1000 -m @MNT@"
run memfs-W on "$build/memfs -W -m @MNT@"
run passthrough on "$pt -P0 -p @SRC@ -m @MNT@"
run passthrough-P1 on "$pt -P1 -p @SRC@ -m @MNT@"
tmpfs_fsx() { "$@" -E "$work/tmpfs/fsx"; }
mkdir -p "$work/tmpfs"
if [ -z "$only" ] || [ "$only" = tmpfs ]; then
    if mount -t tmpfs -o size=1g fsx-long "$work/tmpfs"; then run tmpfs tmpfs_fsx
    else echo "cannot mount a tmpfs"; failed=$((failed + 1)); fi
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
