#!/usr/bin/env bash
# scripts/soak.sh - soak LinFsp's file systems: Debian's stress-ng file system stressors and
# the fsx checker at once, for a long time, on memfs and on passthrough.
#
#   scripts/soak.sh [--time=SECONDS] [--fs=memfs,passthrough] [--round=SECONDS]
#                   [--build=DIR] [--fsx-args='ARGS'] [--src=DIR] [--report=FILE]
#
#   --time     how long each file system is soaked (default 600: ten minutes)
#   --fs       which file systems, in order (default memfs,passthrough)
#   --round    the length of one stress-ng round (default 60 s; the last round is shorter)
#   --build    the build whose programs run (default build/release; built when missing)
#   --fsx-args more options for the fsx runs (e.g. '-x keep -E' to leave out a known defect)
#   --src      passthrough's source directory is made under DIR (default $TMPDIR, a real disk
#              directory here)
#   --report   append the results as Markdown to FILE
#
# For each file system: mount it (memfs -m MNT; passthrough -P0 -p SRC -m MNT, so that reads and
# writes go through the file system, not the kernel's passthrough), start two fsx runs on files of
# their own (until the end), then run rounds of stress-ng with every file system stressor that
# works in a directory of its own (one instance each, --verify, --timeout ROUND, under a time
# limit), removing the stressors' leftovers after every round. Sampled every 10 s: the file
# system's RSS and open descriptors (written to a CSV next to the logs).
#
# A file system fails the soak when: a stress-ng round fails (a stressor's verify error or
# failure; a stressor that finds no support, exit status 4, is only noted) or overruns its time
# limit (a hang); an fsx run fails; the mount stops answering (a stat takes 30 s) or the process
# dies; its memory grows under churn (RSS after the cleanup of the last round above that after
# round 2 by more than 25% + 64 MiB, or 16 more open descriptors: the churn is the same every
# round, so a file system that frees what it is given back stays flat); SIGTERM does not stop
# it with status 0 and unmounted.
# Logs: build/soak-logs/. Ends with "N passed, N failed" (four checks per file system).
#
# stress-ng's io, getdent and procfs stressors are left out: they sync or read every file
# system of the machine (other mounts too), not the one under test; fstat is pointed at the mount.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
soak_time=600 round_time=60 build=build/release fsx_args= report= fs_list=memfs,passthrough
src_base=${TMPDIR:-/tmp}
while [ $# -gt 0 ]; do
    case $1 in
    --time=*) soak_time=${1#--time=} ;;
    --round=*) round_time=${1#--round=} ;;
    --fs=*) fs_list=${1#--fs=} ;;
    --build=*) build=${1#--build=} ;;
    --fsx-args=*) fsx_args=${1#--fsx-args=} ;;
    --src=*) src_base=${1#--src=} ;;
    --report=*) report=${1#--report=} ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$(id -u)" -ne 0 ]; then echo "soak.sh: run as root (mounts)" >&2; exit 2; fi
linfsp_install_packages stress-ng || { echo "soak.sh: cannot install stress-ng"; echo "0 passed, 1 failed"; exit 1; }
[ -e /dev/fuse ] || modprobe fuse 2>/dev/null
if [ ! -x "$build/memfs" ]; then
    linfsp_build "$build" --buildtype=debugoptimized || { echo "0 passed, 1 failed"; exit 1; }
fi
build=$(readlink -f "$build")
fsx=$build/tests/fsx/fsx
[ -x "$fsx" ] || { echo "soak.sh: $fsx is missing (ninja -C $build)"; exit 2; }

STRESSORS="access chdir chmod chown copy-file dentry dir dirdeep dirmany fallocate fcntl filename
flock fpunch fsize fstat hdd inode-flags iomix link locka lockf lockofd mknod open readahead
rename seek symlink sync-file touch utime xattr"
# Sizes that keep an in-memory file system's data to a few hundred MiB.
SIZES=(--hdd-bytes 64M --iomix-bytes 64M --fallocate-bytes 64M --readahead-bytes 64M
       --seek-size 64M --sync-file-bytes 64M --copy-file-bytes 128M --chdir-dirs 2048
       --dirdeep-inodes 20000)

logs=build/soak-logs
mkdir -p "$logs"
logs=$(readlink -f "$logs")
passed=0 failed=0
summary=()

work= pid= fsx_pids=() sampler=
cleanup() {
    cd /
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
    for p in "${fsx_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && linfsp_free_mounts_under "$work"
        kill -KILL "$pid" 2>/dev/null
    fi
    [ -n "$work" ] && linfsp_free_mounts_under "$work"
    [ -n "$work" ] && rm -rf "$work"
    work= pid= sampler= fsx_pids=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check NAME OK(0/1) DETAIL
    if [ "$2" -eq 1 ]; then passed=$((passed + 1)); echo "$1... OK ($3)"
    else failed=$((failed + 1)); echo "$1... FAIL ($3)"; fi
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { echo $(( ($1 + 512) / 1024 )); }

soak_one() {
    local fs=$1
    work=$(mktemp -d "$src_base/soak.XXXXXX")
    local mnt=$work/mnt src=$work/src log=$logs/$fs
    mkdir -p "$mnt" "$src"
    rm -f "$log".* "$log".round*
    case $fs in
    memfs) set -- "$build/memfs" -m "$mnt" ;;
    passthrough) set -- "$build/examples/passthrough/passthrough" -P0 -p "$src" -m "$mnt" ;;
    *) echo "soak.sh: unknown file system $fs"; return 1 ;;
    esac
    echo "== soak $fs: $* for ${soak_time}s (logs $log.*)"
    "$@" >"$log.server" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 100); do grep -q " $mnt " /proc/self/mountinfo && break; sleep 0.1; done
    if ! grep -q " $mnt " /proc/self/mountinfo; then
        check "soak/$fs/mount" 0 "did not mount; $(tail -3 "$log.server" | tr '\n' ' ')"
        cleanup
        return
    fi
    # Memory and descriptors every 10 s.
    ( while kill -0 "$pid" 2>/dev/null; do
          echo "$SECONDS $(rss_kb "$pid") $(ls "/proc/$pid/fd" 2>/dev/null | wc -l)"
          sleep 10
      done ) >"$log.samples" &
    sampler=$!
    # fsx: two runs until the end, each on its own file.
    mkdir -p "$mnt/fsx"
    local i seed
    for i in 1 2; do
        seed=$((RANDOM * 32768 + RANDOM))
        # shellcheck disable=SC2086  # fsx_args is a list of options
        "$fsx" -N 0 -S "$seed" $fsx_args "$mnt/fsx/file$i" >"$log.fsx$i" 2>&1 &
        fsx_pids+=($!)
    done
    local start=$SECONDS round=0 rounds_ok=0 rounds_failed=0 notes= hang=0 dead=0
    local -a after=() fds_after=()
    local args=()
    for s in $STRESSORS; do args+=("--$s" 1); done
    while [ $((SECONDS - start)) -lt "$soak_time" ]; do
        round=$((round + 1))
        local left=$((soak_time - (SECONDS - start)))
        local t=$round_time
        [ "$left" -lt "$t" ] && t=$left
        [ "$t" -lt 10 ] && t=10
        mkdir -p "$mnt/stress"
        local rc=0
        timeout -k 30 $((t + 300)) stress-ng "${args[@]}" "${SIZES[@]}" --temp-path "$mnt/stress" \
            --fstat-dir "$mnt" \
            --timeout "$t" --verify --metrics-brief >"$log.round$round" 2>&1 || rc=$?
        if [ $rc -eq 1 ]; then
            echo "   stress-ng refused its options:"; head -5 "$log.round$round" | sed 's/^/      /'
            rounds_failed=$((rounds_failed + 1))
            break
        fi
        local fails
        fails=$(grep -cE 'stress-ng: fail:|: FAILED|verify (error|failure)' "$log.round$round")
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            hang=1; rounds_failed=$((rounds_failed + 1))
            echo "   round $round: stress-ng did not finish within $((t + 300)) s"
        elif [ "$fails" -gt 0 ] || { [ $rc -ne 0 ] && [ $rc -ne 4 ] && [ $rc -ne 3 ]; }; then
            rounds_failed=$((rounds_failed + 1))
            echo "   round $round: stress-ng exit $rc, $fails failures:"
            grep -E 'fail|FAILED|error' "$log.round$round" | head -8 | sed 's/^/      /'
        else
            rounds_ok=$((rounds_ok + 1))
            [ $rc -ne 0 ] && notes="stress-ng exit $rc in round $round (a stressor without support)"
        fi
        # The churn's leftovers go; then the memory the file system keeps.
        if ! timeout 600 rm -rf "$mnt/stress"; then
            hang=1; echo "   round $round: removing the stressors' files failed or hung"
        fi
        if ! kill -0 "$pid" 2>/dev/null; then dead=1; echo "   round $round: the file system died"; break; fi
        if ! timeout 30 stat "$mnt" >/dev/null 2>&1; then hang=1; echo "   round $round: the mount does not answer"; break; fi
        after+=("$(rss_kb "$pid")")
        fds_after+=("$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)")
        echo "   round $round (${t}s): stress-ng exit $rc; RSS after cleanup $(mib "${after[-1]}") MiB"
        [ $hang -eq 1 ] && break
    done
    # fsx: stop, final whole-file checks.
    local fsx_ok=1 fsx_ops=0 f n
    for p in "${fsx_pids[@]}"; do kill -INT "$p" 2>/dev/null; done
    for i in "${!fsx_pids[@]}"; do
        if ! timeout 120 tail --pid="${fsx_pids[$i]}" -f /dev/null; then kill -KILL "${fsx_pids[$i]}" 2>/dev/null; fi
        wait "${fsx_pids[$i]}" 2>/dev/null
        f=$log.fsx$((i + 1))
        n=$(sed -n 's/^fsx: \([0-9]*\) operations:.*/\1/p' "$f" | tail -1)
        fsx_ops=$((fsx_ops + ${n:-0}))
        grep -q '^1 passed, 0 failed' "$f" || { fsx_ok=0; echo "   fsx $((i + 1)) failed:"; grep -E 'FAILURE|differ|expected' "$f" | head -5 | sed 's/^/      /'; }
    done
    fsx_pids=()
    kill "$sampler" 2>/dev/null; sampler=
    local peak
    peak=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$log.samples")
    # Stop: SIGTERM, exit 0, unmounted.
    local stop_ok=1 st=0
    if [ $dead -eq 0 ]; then
        kill -TERM "$pid"
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then stop_ok=0; else wait "$pid" || st=$?; [ $st -eq 0 ] || stop_ok=0; fi
    else
        wait "$pid"; st=$?; stop_ok=0
    fi
    grep -q " $mnt " /proc/self/mountinfo && stop_ok=0
    pid=
    # Memory under churn: the last round's RSS after cleanup against round 2's.
    local mem_ok=1 base last growth detail
    if [ ${#after[@]} -ge 3 ]; then
        base=${after[1]} last=${after[-1]}
        growth=$((last - base))
        [ $growth -gt $((base / 4 + 65536)) ] && mem_ok=0
        detail="after cleanup: round 2 $(mib "$base") MiB, last (round ${#after[@]}) $(mib "$last") MiB, growth $(mib $growth) MiB; peak $(mib "$peak") MiB"
    else
        detail="only ${#after[@]} rounds: too short to judge; peak $(mib "$peak") MiB"
    fi
    local fds="${fds_after[1]:-?} -> ${fds_after[-1]:-?}"
    check "soak/$fs/stress-ng" $(( rounds_failed == 0 && hang == 0 && dead == 0 && rounds_ok > 0 )) \
        "$rounds_ok of $round rounds clean${notes:+; $notes}"
    check "soak/$fs/fsx" $fsx_ok "2 runs, $fsx_ops operations"
    # Descriptors after cleanup: the same churn every round, so the count must not creep up.
    if [ ${#fds_after[@]} -ge 3 ] && [ "${fds_after[-1]}" -gt $((fds_after[1] + 16)) ]; then mem_ok=0; fi
    check "soak/$fs/memory" $mem_ok "$detail; open descriptors after cleanup (round 2 -> last) $fds"
    check "soak/$fs/stop" $stop_ok "SIGTERM: exit $st, $(grep -q " $mnt " /proc/self/mountinfo && echo still mounted || echo unmounted)"
    summary+=("| $fs | $((SECONDS - start)) s | $rounds_ok/$round | $fsx_ops | $(mib "${after[1]:-0}") -> $(mib "${after[-1]:-0}") MiB | $(mib "$peak") MiB | $fds | $( [ $stop_ok -eq 1 ] && echo clean || echo FAILED ) |")
    cp "$log.samples" "$log.samples.csv" 2>/dev/null
    cleanup
}

for fs in ${fs_list//,/ }; do
    soak_one "$fs"
done
if [ -n "$report" ]; then
    {
        echo
        echo "Soak of $(date -u +%Y-%m-%d) ($(git rev-parse --short HEAD 2>/dev/null)), ${soak_time} s per file system, rounds of ${round_time} s:"
        echo
        echo "| file system | time | clean stress-ng rounds | fsx operations | RSS after cleanup (round 2 -> last) | peak RSS | descriptors after cleanup | stop |"
        echo "|---|---|---|---|---|---|---|---|"
        printf '%s\n' "${summary[@]}"
    } >>"$report"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
