#!/bin/bash
# bench/run-bench.sh - fsbench side by side over tmpfs, LinFsp memfs, the raw
# /dev/fuse floor and memfs-fuse3 (LinFsp's FUSE layer and Debian's libfuse3),
# in one run; writes a Markdown report with tables and plots.
#
# usage: bench/run-bench.sh [--quick] [--runs=N] [--pin=both|same|split|none]
#                           [--out=DIR] [--configs=a,b,...] [--tests=p,q,...]
#                           [--no-perf] [--no-plots]
#
#   default   WinFsp-like counts, 3 runs per configuration, a perf profile of memfs
#             serving file_create; report in doc/performance/ (about 20 minutes on 2 CPUs)
#   --quick   small counts, 1 run, no profile; report in /tmp/linfsp-bench-quick
#             unless --out is given (well under 2 minutes; for CI)
#   --runs=N  runs per configuration (the report gives median, min and max)
#   --pin     both (default): every configuration pinned (as same) and unpinned (as none)
#             in the same run, interleaved; the report has a section for each;
#             same: fsbench and the file system server on one CPU (the last);
#             split: server on CPU 0, fsbench on the last CPU; none: no pinning
#   --configs comma-separated subset of: tmpfs memfs memfs-t0 memfs-wb memfs-uring memfs-dotnet
#             memfs-dotnet-t0 raw-floor raw-floor-t0 raw-floor-uring fuse3-linfsp fuse3-libfuse
#             fuse3-libfuse-dp passthrough passthrough-fuse-linfsp passthrough-fuse-libfuse
#             (memfs-uring and raw-floor-uring turn the fuse module's enable_uring on for
#             their runs and back, also when the script is interrupted)
#   --tests   comma-separated fsbench test patterns (fnmatch, see fsbench --list-tests);
#             only those tests run (what they need, e.g. the files, is made untimed)
#   BUILD=DIR environment: the meson build directory (default build/release)
#
# Every mount is made under a private temporary directory and unmounted on exit,
# also on failure or interrupt (a hung FUSE mount is aborted through
# /sys/fs/fuse/connections). Only processes this script started are killed, by pid.
# Needs root (mount(2), /dev/fuse).

set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../scripts/lib.sh" # linfsp_abort_connection
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build/release}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD

QUICK=0
RUNS=
PIN=both
OUT=
CONFIGS=
TESTS=()
DO_PERF=1
DO_PLOTS=1

die() { echo "run-bench: $*" >&2; exit 2; }
usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }

for a in "$@"; do
    case $a in
    --quick) QUICK=1 ;;
    --runs=*) RUNS=${a#*=}; [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "bad --runs: $RUNS" ;;
    --pin=*) PIN=${a#*=}; [[ $PIN =~ ^(both|same|split|none)$ ]] || die "bad --pin: $PIN" ;;
    --out=*) OUT=${a#*=} ;;
    --configs=*) CONFIGS=${a#*=} ;;
    --tests=*) IFS=, read -r -a TESTS <<< "${a#*=}"; ((${#TESTS[@]})) || die "bad --tests: ${a#*=}" ;;
    --no-perf) DO_PERF=0 ;;
    --no-plots) DO_PLOTS=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $a" ;;
    esac
done
[[ $(id -u) = 0 ]] || die "must run as root (mount(2), /dev/fuse)"

if ((QUICK)); then
    : "${RUNS:=1}"
    DO_PERF=0
    FSBENCH_OPTS=(--files=1000 --open=5 --list=10 --rdwr-cc=25 --rdwr-nc=10 --mmap=25 --file-size=2M)
    FSB_TIMEOUT=120
    [[ -n $OUT ]] || OUT=/tmp/linfsp-bench-quick
else
    : "${RUNS:=3}"
    FSBENCH_OPTS=(--files=1000 --open=10 --list=20 --rdwr-cc=100 --rdwr-nc=25 --mmap=100 --file-size=4M)
    FSB_TIMEOUT=300
    [[ -n $OUT ]] || OUT=$ROOT/doc/performance
fi
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)

WORK=$(mktemp -d /tmp/linfsp-bench.XXXXXX) || die "mktemp failed"
LOG=$WORK/log
mkdir -p "$WORK/mnt" "$LOG"
RESULTS=$WORK/results.csv
echo "config,pin,run,test,seconds,status,client_cpu,server_cpu" > "$RESULTS"
NOTES=$WORK/notes.txt
: > "$NOTES"
note() { echo "run-bench: $*" >&2; echo "$*" >> "$NOTES"; }

# ---- cleanup: every mount we made, every process we started ----
MOUNTS=()   # mount points we mounted (or a server of ours mounted)
PIDS=()     # server processes we started

mounted() { # MNT -> "MAJ:MIN" of the mount on exactly MNT, or nothing
    awk -v m="$1" '$5 == m { print $3 }' /proc/self/mountinfo | tail -1
}

force_unmount() { # MNT: unmount, aborting the FUSE connection if it hangs
    local mnt=$1 dev minor
    dev=$(mounted "$mnt")
    [[ -n $dev ]] || return 0
    timeout 5 umount "$mnt" 2>/dev/null && return 0
    dev=$(mounted "$mnt")
    [[ -n $dev ]] || return 0
    minor=${dev#*:}
    if [[ ${dev%%:*} = 0 ]]; then
        linfsp_abort_connection "$minor" 2>/dev/null
    fi
    umount -l "$mnt" 2>/dev/null
    [[ -z $(mounted "$mnt") ]] || echo "run-bench: could not unmount $mnt" >&2
}

ours() { # PID: alive (not a zombie) and a child of this script?
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }          # after "pid (comm) ": state ppid ...
    [[ ${s%% *} != Z ]] || return 1
    s=${s#* }
    [[ ${s%% *} = "$$" ]]
}

stop_pid() { # PID: TERM, wait up to 5 s, then KILL; only our own children
    local pid=$1 i p rest=()
    for p in "${PIDS[@]}"; do [[ $p = "$pid" ]] || rest+=("$p"); done
    PIDS=("${rest[@]}")
    ours "$pid" || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        ours "$pid" || break
        sleep 0.1
    done
    if ours "$pid"; then
        echo "run-bench: pid $pid ignored SIGTERM: SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
}

cleanup() {
    local m p
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do stop_pid "$p"; done
    PIDS=()
    for m in "${MOUNTS[@]}"; do force_unmount "$m"; done
    [[ -n ${URING_OLD:-} ]] && echo "$URING_OLD" > "$URING_PARAM" 2>/dev/null
    if [[ -n ${KEEP_WORK:-} ]]; then
        echo "run-bench: work directory kept: $WORK" >&2
    else
        # only remove the (now unmounted) work tree
        [[ -z $(awk -v w="$WORK/" 'index($5, w) == 1' /proc/self/mountinfo) ]] && rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'echo "run-bench: interrupted" >&2; exit 130' INT TERM

# ---- pinning ----
NCPU=$(nproc)
LAST=$((NCPU - 1))
if ! command -v taskset >/dev/null && [[ $PIN != none ]]; then
    note "taskset missing: no pinning"
    PIN=none
fi
case $PIN in
both) PINS=(same none) ;;
*) PINS=("$PIN") ;;
esac
set_pin() { # MODE: the taskset prefixes of the server and of fsbench
    case $1 in
    same) SRV_PIN=(taskset -c "$LAST"); BEN_PIN=(taskset -c "$LAST") ;;
    split) SRV_PIN=(taskset -c 0); BEN_PIN=(taskset -c "$LAST") ;;
    none) SRV_PIN=(); BEN_PIN=() ;;
    esac
}
set_pin "${PINS[0]}"

PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3

# ---- build ----
CC=${CC:-gcc}
CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE)
echo "run-bench: building fsbench and raw-floor in $WORK" >&2
"$CC" "${CFLAGS[@]}" -pthread -o "$WORK/fsbench" "$HERE/fsbench.c" || die "cannot build fsbench"
"$CC" "${CFLAGS[@]}" -pthread -o "$WORK/raw-floor" "$HERE/raw-floor.c" || die "cannot build raw-floor"
MEMFS=$BUILD/memfs
PASSTHROUGH=$BUILD/examples/passthrough/passthrough
FUSE3_LINFSP=$BUILD/src/fuse/memfs-fuse3
FUSE3_SRC=$ROOT/examples/fuse/memfs-fuse3.c
PTFUSE_LINFSP=$BUILD/src/fuse/passthrough-fuse
PTFUSE_SRC=$ROOT/examples/fuse/passthrough-fuse.c
PTFUSE_LIBFUSE=
FUSE3_LIBFUSE=
if [[ -f $FUSE3_SRC ]]; then
    if ! pkg-config --exists fuse3 2>/dev/null; then
        echo "run-bench: installing libfuse3-dev fuse3" >&2
        apt-get install -y libfuse3-dev fuse3 > "$LOG/apt.log" 2>&1 || note "apt-get install libfuse3-dev failed"
    fi
    if pkg-config --exists fuse3 2>/dev/null; then
        # shellcheck disable=SC2046
        if "$CC" -std=gnu11 -O2 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -o "$WORK/passthrough-fuse-libfuse" \
                "$PTFUSE_SRC" $(pkg-config --cflags --libs fuse3) -lpthread > "$LOG/ptfuse-build.log" 2>&1; then
            PTFUSE_LIBFUSE=$WORK/passthrough-fuse-libfuse
        else
            note "passthrough-fuse.c does not build against libfuse3: $(head -c 300 "$LOG/ptfuse-build.log" | tr '\n' ' ')"
        fi
        if "$CC" -std=gnu11 -O2 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -o "$WORK/memfs-fuse3-libfuse" \
                "$FUSE3_SRC" $(pkg-config --cflags --libs fuse3) -lpthread > "$LOG/fuse3-build.log" 2>&1; then
            FUSE3_LIBFUSE=$WORK/memfs-fuse3-libfuse
        else
            note "memfs-fuse3.c does not build against libfuse3 $(pkg-config --modversion fuse3): $(head -c 300 "$LOG/fuse3-build.log" | tr '\n' ' ')"
        fi
    fi
fi

# ---- configurations ----
# name|kind|command (MNT is replaced by the mount point)|description
ALL_CONFIGS=(
    "tmpfs|tmpfs||tmpfs (kernel, no FUSE): the ceiling"
    "memfs|fuse|$MEMFS -m MNT -t -1|LinFsp memfs -t -1 (FileInfoTimeout INFINITE: metadata cached, page cache kept across opens)"
    "memfs-t0|fuse|$MEMFS -m MNT -t 0|LinFsp memfs -t 0 (no metadata caching: every lookup/stat reaches the engine)"
    "memfs-wb|fuse|$MEMFS -m MNT -t -1 -W|LinFsp memfs -t -1 -W (writeback cache: writes stay in the page cache)"
    "memfs-uring|fuse-uring|$MEMFS -m MNT -t -1|LinFsp memfs -t -1 over FUSE io_uring (LINFSP_IO_URING=1, fuse.enable_uring=Y)"
    "memfs-dotnet|fuse|mono $BUILD/dotnet/memfs-dotnet.exe -m MNT -t -1|memfs-dotnet (C#, LinFsp's .NET layer on Mono) -t -1: memfs's cache policy, every request through the managed layer"
    "memfs-dotnet-t0|fuse|mono $BUILD/dotnet/memfs-dotnet.exe -m MNT -t 0|memfs-dotnet -t 0 (no metadata caching): the managed layer's cost per request, against memfs-t0"
    "raw-floor|fuse|$WORK/raw-floor -t -1 MNT|raw /dev/fuse floor, same cache policy as memfs -t -1, single-threaded"
    "raw-floor-t0|fuse|$WORK/raw-floor -t 0 MNT|raw /dev/fuse floor, same cache policy as memfs -t 0"
    "raw-floor-uring|fuse-uring|$WORK/raw-floor -u -t -1 MNT|raw floor over FUSE io_uring: a thread per kernel queue (pinned to its CPU) answering with a hash lookup, as memfs -t -1 (the stand-in for libfuse's io_uring, which Debian's libfuse lacks)"
    "fuse3-linfsp|fuse|$FUSE3_LINFSP -f MNT|memfs-fuse3 on LinFsp's libfuse-compatible layer (build/release/src/fuse/memfs-fuse3)"
    "fuse3-libfuse|fuse|${FUSE3_LIBFUSE:-none} -f MNT|the same memfs-fuse3.c built against Debian's libfuse3 $(pkg-config --modversion fuse3 2>/dev/null), the program's defaults (no permission checks)"
    "fuse3-libfuse-dp|fuse|${FUSE3_LIBFUSE:-none} -f -o default_permissions MNT|the same, with -o default_permissions: the kernel checks permissions, as on LinFsp (which always does)"
    "passthrough|fuse|$PASSTHROUGH -p SRC -m MNT|LinFsp passthrough over a tmpfs directory (kernel passthrough to backing files, -P1)"
    "passthrough-fuse-linfsp|fuse|$PTFUSE_LINFSP -f -o source=SRC MNT|passthrough-fuse.c on LinFsp's FUSE layer, over a tmpfs directory"
    "passthrough-fuse-libfuse|fuse|${PTFUSE_LIBFUSE:-none} -f -o source=SRC MNT|the same passthrough-fuse.c built against Debian's libfuse3, over a tmpfs directory"
)
URING_PARAM=/sys/module/fuse/parameters/enable_uring
URING_OLD=
SELECTED=()
for c in "${ALL_CONFIGS[@]}"; do
    name=${c%%|*}
    if [[ -n $CONFIGS && ,$CONFIGS, != *,$name,* ]]; then continue; fi
    case $name in
    memfs|memfs-t0|memfs-wb) [[ -x $MEMFS ]] || { note "skipped $name: $MEMFS not built"; continue; } ;;
    memfs-uring|raw-floor-uring)
        [[ $name = raw-floor-uring || -x $MEMFS ]] || { note "skipped $name: $MEMFS not built"; continue; }
        [[ -w $URING_PARAM ]] || { note "skipped $name: $URING_PARAM not writable (kernel without FUSE over io_uring)"; continue; } ;;
    memfs-dotnet|memfs-dotnet-t0)
        [[ -f $BUILD/dotnet/memfs-dotnet.exe ]] && command -v mono > /dev/null ||
            { note "skipped $name: $BUILD/dotnet/memfs-dotnet.exe not built or mono missing"; continue; } ;;
    passthrough) [[ -x $PASSTHROUGH ]] || { note "skipped $name: $PASSTHROUGH not built"; continue; } ;;
    passthrough-fuse-linfsp) [[ -x $PTFUSE_LINFSP ]] || { note "skipped $name: $PTFUSE_LINFSP not built"; continue; } ;;
    passthrough-fuse-libfuse) [[ -n $PTFUSE_LIBFUSE ]] || { note "skipped $name: passthrough-fuse.c not buildable against libfuse3"; continue; } ;;
    fuse3-linfsp) [[ -x $FUSE3_LINFSP ]] || { note "skipped $name: $FUSE3_LINFSP not built (yet)"; continue; } ;;
    fuse3-libfuse|fuse3-libfuse-dp) [[ -n $FUSE3_LIBFUSE ]] || { note "skipped $name: ${FUSE3_SRC#"$ROOT"/} missing or not buildable against libfuse3"; continue; } ;;
    esac
    SELECTED+=("$c")
done
((${#SELECTED[@]})) || die "no configuration to run"

# Mount CONFIG on MNT; sets SRV_PID (0 for tmpfs). Returns 1 on failure.
start_config() {
    local kind=$1 cmd=$2 mnt=$3 name=$4 i
    SRV_PID=0
    mkdir -p "$mnt"
    if [[ $kind = tmpfs ]]; then
        mount -t tmpfs -o size=2g,mode=0755 linfsp-bench "$mnt" || return 1
        MOUNTS+=("$mnt")
        return 0
    fi
    if [[ $cmd = *SRC* ]]; then
        # a passthrough's source: a tmpfs of its own (backing files must not be on a stacked fs)
        mkdir -p "$mnt.src"
        mount -t tmpfs -o size=2g,mode=0755 linfsp-bench-src "$mnt.src" || return 1
        MOUNTS+=("$mnt.src")
        cmd=${cmd//SRC/$mnt.src}
    fi
    # LinFsp uses FUSE over io_uring by default whenever the fuse module offers it (enable_uring
    # is global and other work on the machine may have turned it on): the /dev/fuse
    # configurations say so explicitly, so that memfs is memfs on /dev/fuse in every run.
    local env=(env LINFSP_IO_URING=0)
    if [[ $kind = fuse-uring ]]; then
        [[ -z $URING_OLD ]] && URING_OLD=$(cat "$URING_PARAM")
        echo Y > "$URING_PARAM" || return 1
        env=(env LINFSP_IO_URING=1)
    fi
    local argv=(${cmd//MNT/$mnt})
    MOUNTS+=("$mnt")
    "${env[@]}" "${SRV_PIN[@]}" "${argv[@]}" > "$LOG/$name.server.log" 2>&1 &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    for ((i = 0; i < 100; i++)); do
        if [[ -n $(mounted "$mnt") ]] && stat -f "$mnt" > /dev/null 2>&1; then
            return 0
        fi
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    note "$name: server did not mount $mnt: $(tail -c 300 "$LOG/$name.server.log" | tr '\n' ' ')"
    stop_config "$mnt"
    return 1
}

stop_config() {
    local mnt=$1
    if ((SRV_PID)); then
        stop_pid "$SRV_PID"
        SRV_PID=0
    fi
    force_unmount "$mnt"
    force_unmount "$mnt.src"
    if [[ -n $URING_OLD ]]; then
        echo "$URING_OLD" > "$URING_PARAM" 2>/dev/null
        URING_OLD=
    fi
}

# Server CPU time and context switches: "ticks voluntary involuntary", summed over threads.
# (Noise from other load on the machine barely moves these, unlike wall-clock times.)
CLK_TCK=$(getconf CLK_TCK)
SERVER=$WORK/server.csv
echo "config,pin,run,cpu_seconds,voluntary_ctxsw,involuntary_ctxsw" > "$SERVER"
server_usage() {
    local pid=$1 s t v=0 i=0 f
    ((pid)) || return 0
    s=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
    s=${s##*) }
    read -r -a t <<< "$s"
    # fields after "(comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
    for f in /proc/"$pid"/task/*/status; do
        v=$((v + $(awk '/^voluntary_ctxt_switches/ { print $2 }' "$f" 2>/dev/null || echo 0)))
        i=$((i + $(awk '/^nonvoluntary_ctxt_switches/ { print $2 }' "$f" 2>/dev/null || echo 0)))
    done
    echo "$((t[11] + t[12] + t[13] + t[14])) $v $i"
}

# fsbench in the background, so that a signal to this script is handled at once even while
# fsbench waits on a hung file system; timeout(1) bounds each run.
run_bench() { # STDOUT STDERR ARGS...
    local o=$1 e=$2 pid rc
    shift 2
    "${BEN_PIN[@]}" timeout -k 5 "$FSB_TIMEOUT" "$WORK/fsbench" "$@" > "$o" 2> "$e" &
    pid=$!
    PIDS+=("$pid")
    wait "$pid"
    rc=$?
    stop_pid "$pid"
    return $rc
}

# ---- the runs ----
START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "run-bench: ${#SELECTED[@]} configurations x $RUNS run(s) x pinning ${PINS[*]}; fsbench ${FSBENCH_OPTS[*]}${TESTS[*]:+ ${TESTS[*]}}" >&2
for ((run = 1; run <= RUNS; run++)); do
  for pin in "${PINS[@]}"; do
    set_pin "$pin"
    for c in "${SELECTED[@]}"; do
        IFS='|' read -r name kind cmd desc <<< "$c"
        mnt=$WORK/mnt/$name
        if ! start_config "$kind" "$cmd" "$mnt" "$name"; then
            continue
        fi
        srv0=$(server_usage "$SRV_PID")
        t0=$(date +%s.%N)
        cpu_opt=()
        ((SRV_PID)) && cpu_opt=(--server-pid="$SRV_PID")
        run_bench "$LOG/$name.$pin.$run.csv" "$LOG/$name.$pin.$run.err" --csv "${cpu_opt[@]}" "${FSBENCH_OPTS[@]}" "${TESTS[@]}" "$mnt"
        rc=$?
        ((rc == 124 || rc == 137)) && note "$name ($pin) run $run: fsbench timed out after ${FSB_TIMEOUT}s"
        t1=$(date +%s.%N)
        srv1=$(server_usage "$SRV_PID")
        if [[ -n $srv0 && -n $srv1 ]]; then
            awk -v a="$srv0" -v b="$srv1" -v n="$name" -v p="$pin" -v r="$run" -v hz="$CLK_TCK" 'BEGIN {
                split(a, x, " "); split(b, y, " ");
                printf "%s,%s,%s,%.3f,%d,%d\n", n, p, r, (y[1] - x[1]) / hz, y[2] - x[2], y[3] - x[3] }' >> "$SERVER"
        fi
        stop_config "$mnt"
        printf 'run-bench: run %d %-5s %-17s %6.1fs  %s\n' "$run" "$pin" "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
            "$(tail -1 "$LOG/$name.$pin.$run.csv")" >&2
        ((rc == 0)) || note "$name ($pin) run $run: fsbench exit $rc: $(head -c 400 "$LOG/$name.$pin.$run.err" | tr '\n' ' ')"
        # test,seconds,status[,client_cpu,server_cpu]: the CPU columns (fsbench's thread and the
        # server's threads during the test) when there is a server
        grep -E '^[a-z.0-9_]+,[0-9.]*,(ok|fail|skip)(,[0-9.]*,[0-9.]*)?$' "$LOG/$name.$pin.$run.csv" |
            sed -E "s/^/$name,$pin,$run,/; s/(ok|fail|skip)\$/\1,,/" >> "$RESULTS"
    done
  done
done
set_pin "${PINS[0]}"
ELAPSED=$(( $(date +%s) - START ))

# ---- a profile of memfs serving file_create ----
PROFILE=
if ((DO_PERF)) && [[ ,${CONFIGS:-memfs}, = *,memfs,* && -x $MEMFS ]]; then
    if command -v perf > /dev/null; then
        mnt=$WORK/mnt/perf
        # perf starts memfs (on /dev/fuse), so that it follows every worker thread, also those
        # the engine starts later (perf record -p sees only the threads there when it attaches).
        # cpu-clock: virtual machines often have no hardware PMU (the default event then records
        # nothing). Stopping perf (SIGTERM) ends memfs, which unmounts, and writes the data.
        if start_config fuse "perf record -e cpu-clock -F 4999 -g -o $WORK/perf.data -- $MEMFS -m MNT -t -1" \
                "$mnt" memfs-perf; then
            run_bench "$LOG/perf-fsbench.txt" "$LOG/perf-fsbench.err" --files=20000 file_create file_delete "$mnt"
            stop_config "$mnt"
            PROFILE=$WORK/profile.txt
            {
                echo "# perf record -e cpu-clock -g -- memfs -m MNT -t -1 (on /dev/fuse), fsbench --files=20000 file_create file_delete"
                sed 's/^/# /' "$LOG/perf-fsbench.txt"
                echo "## self time by symbol (no children)"
                perf report -i "$WORK/perf.data" --no-children --sort symbol --percent-limit 1 --stdio -g none 2>/dev/null |
                    grep -v '^$' | head -60
                echo "## by shared object"
                perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15
                echo "## user-space symbols only (LinFsp, memfs, libc), % of all samples"
                perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none \
                    --dsos "$(basename "$(readlink -f "$BUILD/liblinfsp.so.0")"),memfs,libc.so.6" 2>/dev/null |
                    grep -v '^#' | grep -v '^$' | head -20
                echo "## where the top kernel symbols are reached from (caller graph, >= 3%)"
                perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -G --percent-limit 3 2>/dev/null |
                    grep -v '^#' | grep -v '^$' | head -80
            } > "$PROFILE"
            cp "$PROFILE" "$OUT/profile-memfs-file_create.txt"
        fi
    else
        note "perf not installed: no profile"
    fi
fi

# ---- memory: bytes per empty file ----
MEMORY=$WORK/memory.csv
echo "config,files,rss_before_kib,rss_after_kib" > "$MEMORY"
NFILES_MEM=$( ((QUICK)) && echo 10000 || echo 100000)
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
for c in "${SELECTED[@]}"; do
    IFS='|' read -r name kind cmd desc <<< "$c"
    case $name in memfs|fuse3-linfsp|fuse3-libfuse) ;; *) continue ;; esac
    mnt=$WORK/mnt/mem-$name
    start_config "$kind" "$cmd" "$mnt" "mem-$name" || continue
    before=$(rss_kib "$SRV_PID")
    if timeout 300 "$PY" -c '
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    os.close(os.open("%s/m%07d" % (d, i), os.O_CREAT | os.O_WRONLY, 0o644))
' "$mnt" "$NFILES_MEM"; then
        after=$(rss_kib "$SRV_PID")
        [[ -n $before && -n $after ]] && echo "$name,$NFILES_MEM,$before,$after" >> "$MEMORY"
    else
        note "memory $name: creating $NFILES_MEM files failed"
    fi
    stop_config "$mnt"
done

# ---- the report ----
MACHINE=$WORK/machine.txt
{
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); total benchmark time ${ELAPSED}s"
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $NCPU; memory $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "- kernel: $(uname -r); load average at the start: $LOAD0; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    if awk -v l="$LOAD0 $(cut -d' ' -f1 /proc/loadavg)" -v n="$NCPU" 'BEGIN { split(l, x, " "); exit !(x[1] > n / 2 || x[4] > n / 2) }'; then
        echo "- note: other work was running on the machine (load above half the CPUs): expect noise of tens of percent on the short tests; min is the least disturbed run"
    fi
    echo "- LinFsp: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown) (build: ${BUILD#"$ROOT"/})"
    echo "- libfuse3: $(pkg-config --modversion fuse3 2>/dev/null || echo 'not installed'); compiler: $("$CC" --version | head -1)"
    echo "- fsbench options: \`${FSBENCH_OPTS[*]}${TESTS[*]:+ ${TESTS[*]}}\`; runs per configuration and pinning: $RUNS; pinning: $(
        for p in "${PINS[@]}"; do
            case $p in same) printf '%s; ' "pinned (fsbench and server both on CPU $LAST)" ;;
                split) printf '%s; ' "split (server CPU 0, fsbench CPU $LAST)" ;;
                none) printf '%s; ' "unpinned (the scheduler places both)" ;; esac
        done | sed 's/; $//')"
} > "$MACHINE"
CONFIG_DESC=$WORK/configs.txt
for c in "${SELECTED[@]}"; do
    IFS='|' read -r name kind cmd desc <<< "$c"
    echo "$name|$desc|${cmd//$WORK\//<work>/}"
done > "$CONFIG_DESC"

"$PY" "$HERE/report.py" --results "$RESULTS" --machine "$MACHINE" --configs "$CONFIG_DESC" \
    --notes "$NOTES" --server "$SERVER" --out "$OUT" --plots "$DO_PLOTS" ${PROFILE:+--profile "$PROFILE"} \
    --analysis "$ROOT/doc/performance/analysis.md" --quick "$QUICK" --memory "$MEMORY" ||
    die "report generation failed (raw results in $RESULTS)"
cp "$RESULTS" "$OUT/results.csv"
cp "$SERVER" "$OUT/server-usage.csv"
cp "$MEMORY" "$OUT/memory.csv"
echo "run-bench: report written to $OUT/README.md (${ELAPSED}s of benchmarks)" >&2
