#!/usr/bin/env bash
# scripts/fuzz.sh - build and run the engine's libFuzzer target (tests/fuzz/fuzz-engine).
#
#   scripts/fuzz.sh                  run for an hour (the long run)
#   scripts/fuzz.sh --time=SECONDS   run for that long
#   scripts/fuzz.sh --runs=N         run N inputs after the seed corpus, from a fresh copy of it
#                                    and with a fixed random seed (what CI does: bounded by a
#                                    count, not by the clock, and the same inputs every time)
#   scripts/fuzz.sh --seed=S         libFuzzer's random seed (default: 1 with --runs, else random)
#   scripts/fuzz.sh --build-only     only build
#   scripts/fuzz.sh ... -- ARGS      more libFuzzer options (e.g. -jobs=2 -workers=2)
#
# Builds build/fuzz with clang (Debian's clang-14 and libclang-rt-14-dev, installed when missing),
# -Dfuzzing=true and ASan+UBSan, then runs fuzz-engine on a copy of the committed seed corpus
# (tests/fuzz/corpus) in build/fuzz-work/corpus, so new inputs stay out of the source tree
# (--merge adds the new coverage to tests/fuzz/corpus afterwards). A crash, a sanitizer report,
# a leak or a hang (an input running longer than 60 s) is kept in build/fuzz-work/ as
# crash-*/leak-*/timeout-* and fails the run; `build/fuzz/tests/fuzz/fuzz-engine FILE` replays it
# (FUZZ_ENGINE_TRACE=1 shows every message). Ends with "N passed, N failed" (one test: the run).
#
# Environment: FUZZ_ENGINE_CLOSE_ALL, FUZZ_ENGINE_CONFIG_MASK (see tests/fuzz/fuzz-engine.c) to
# look past known defects.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
time_limit=3600 runs= build_only=0 merge=0 seed=
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --time=*) time_limit=${1#--time=} ;;
    --runs=*) runs=${1#--runs=} ;;
    --seed=*) seed=${1#--seed=} ;;
    --build-only) build_only=1 ;;
    --merge) merge=1 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

linfsp_install_packages clang-14 libclang-rt-14-dev || { echo "fuzz.sh: cannot install clang"; echo "0 passed, 1 failed"; exit 1; }
if [ ! -f build/fuzz/build.ninja ]; then
    CC=clang-14 meson setup build/fuzz --buildtype=debug -Dfuzzing=true \
        -Db_sanitize=address,undefined -Db_lundef=false >build/fuzz.setup.log 2>&1 ||
        { cat build/fuzz.setup.log; echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C build/fuzz -j2 tests/fuzz/fuzz-engine >build/fuzz.ninja.log 2>&1 ||
    { tail -40 build/fuzz.ninja.log; echo "0 passed, 1 failed"; exit 1; }
[ $build_only -eq 1 ] && { echo "built build/fuzz/tests/fuzz/fuzz-engine"; exit 0; }
[ -e /dev/fuse ] || modprobe fuse 2>/dev/null

work=build/fuzz-work
corpus=$work/corpus
# A bounded run starts from the committed corpus alone, so that it is the same run every time.
[ -n "$runs" ] && corpus=$work/ci-corpus && rm -rf "$corpus"
mkdir -p "$corpus"
cp -n tests/fuzz/corpus/* "$corpus/" 2>/dev/null
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
target=$(readlink -f build/fuzz/tests/fuzz/fuzz-engine)
opts=(-max_len=16384 -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/")
if [ -n "$runs" ]; then opts+=(-runs="$runs" -seed="${seed:-1}"); else opts+=(-max_total_time="$time_limit"); fi
[ -z "$runs" ] && [ -n "$seed" ] && opts+=(-seed="$seed")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "fuzz-engine ${opts[*]} ${extra[*]} $corpus"
start=$SECONDS
rc=0
"$target" "${opts[@]}" "${extra[@]}" "$corpus" >"$work/fuzz.log" 2>&1 || rc=$?
grep -E '^#[0-9]+ +(DONE|pulse)|^stat::|^Done ' "$work/fuzz.log" | tail -8
found=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null)
if [ $rc -ne 0 ] || [ -n "$found" ]; then
    grep -E -m1 -A30 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|^fuzz-engine: ' "$work/fuzz.log" | head -50
    echo "found: ${found:-nothing kept (exit $rc)}; the whole log: $work/fuzz.log"
fi
if [ $merge -eq 1 ]; then
    "$target" -merge=1 tests/fuzz/corpus "$corpus" >"$work/merge.log" 2>&1 &&
        echo "merged new coverage into tests/fuzz/corpus"
fi
echo "fuzz-engine ran $((SECONDS - start)) s, $(ls "$corpus" | wc -l) inputs in the corpus"
if [ $rc -eq 0 ] && [ -z "$found" ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi
