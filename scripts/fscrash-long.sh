#!/usr/bin/env bash
# scripts/fscrash-long.sh - fscrash for longer than CI: every action (terminate, SIGSEGV, abort,
# huge allocation), entering and leaving, every transact kind the workload reaches, and crashes
# later in the workload (--percent with many seeds), on memfs (-t 0 and -t -1), on passthrough
# over a directory on $TMPDIR's disk (fsynced files must survive) with -P0 and -P1, and on
# memfs-fuse3 (the FUSE 3 layer).
#
#   scripts/fscrash-long.sh [--seeds=N] [--build=DIR]
#
#   --seeds  seeds per injection point for the later crashes (default 20)
#   --build  the build to use (default build/release; huge-alloc needs a build without ASan)
# Ends with "N passed, N failed" (the sum over the runs of tests/fscrash/fscrash-test).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
seeds=20 build=build/release
while [ $# -gt 0 ]; do
    case $1 in
    --seeds=*) seeds=${1#--seeds=} ;;
    --build=*) build=${1#--build=} ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fscrash-long.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" -eq 0 ] || { echo "fscrash-long.sh: run as root (mounts)" >&2; exit 2; }
[ -x "$build/tests/fscrash/fscrash-test" ] || linfsp_build "$build" --buildtype=debugoptimized ||
    { echo "0 passed, 1 failed"; exit 1; }
ft=$build/tests/fscrash/fscrash-test
pt="$build/examples/passthrough/passthrough"
all=--actions=terminate,crash,abort,huge-alloc
passed=0 failed=0
run() {
    echo "== fscrash-test $*"
    local out line
    out=$("$ft" "$@" 2>&1)
    echo "$out" | grep -v '\.\.\. OK' | tail -40
    line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    passed=$((passed + ${line%% *}))
    local f=${line#* passed, }; f=${f%% *}
    [ -n "$line" ] || f=1
    failed=$((failed + f))
    echo "-- $line"
}
run $all -- "$build/memfs" -t 0 -m @MNT@
run $all -- "$build/memfs" -m @MNT@
run --percent=10 --seeds="$seeds" --actions=terminate,crash -- "$build/memfs" -t 0 -m @MNT@
run $all --durable --skip-kinds=DeviceControl -- "$pt" -P0 -p @SRC@ -m @MNT@
run --durable --percent=10 --seeds="$seeds" --actions=terminate,crash --skip-kinds=DeviceControl -- "$pt" -P0 -p @SRC@ -m @MNT@
run --durable --percent=10 --seeds="$seeds" --actions=terminate --skip-kinds=DeviceControl,Read,Write -- "$pt" -P1 -p @SRC@ -m @MNT@
run --actions=terminate,crash,abort --skip-kinds=DeviceControl -- "$build/src/fuse/memfs-fuse3" -f @MNT@
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
