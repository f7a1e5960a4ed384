#!/bin/bash
# bench/dotnet-cost.sh - what a request costs in the .NET layer: server CPU time per FUSE request
# of memfs-dotnet against memfs, both with -t 0 (every lookup and stat reaches the file system).
#
# usage: bench/dotnet-cost.sh [--rounds=N] [--n=REQUESTS_PER_WORKLOAD]      (root; BUILD=DIR)
#
# Workloads (a Python client): stat, open+close, 4 KiB O_DIRECT read, 4 KiB O_DIRECT write,
# create+unlink, rename there and back. (Not readdir: the kernel keeps a listing while the
# directory does not change, even with -t 0, so repeated listings never reach the file system.)
# For each the FUSE requests it
# makes are counted once per file system from the engine's trace (-d -1); then ROUNDS rounds,
# memfs and memfs-dotnet interleaved, each a fresh mount with a warm-up pass (the JIT), measure
# the server's CPU time over the workload: utime + stime of /proc/PID/stat (every thread's, also
# of threads that ended meanwhile, as Mono's do; what the process itself executed, so other load
# on the machine moves it far less than wall-clock times; 10 ms ticks, hence N large). Prints, per
# workload and file system, the requests per step
# and the minimum and median CPU time per request, and the difference: the managed layer's cost.
# Server and client are pinned to one CPU (the last), as bench/run-bench.sh does by default.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$HERE/../build/release}
ROUNDS=7 N=30000
for a in "$@"; do
    case $a in
    --rounds=*) ROUNDS=${a#*=} ;;
    --n=*) N=${a#*=} ;;
    *) sed -n '2,/^set/s/^# \{0,1\}//p' "$0" | head -n -1; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "dotnet-cost: run as root" >&2; exit 2; }
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3)
CPU=$(($(nproc) - 1))
W=$(mktemp -d /tmp/linfsp-dotnet-cost.XXXXXX)
SRV=0
cleanup() {
    ((SRV)) && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
    mountpoint -q "$W/mnt" && umount -l "$W/mnt"
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir "$W/mnt"
declare -A CMD=([memfs]="$BUILD/memfs -m $W/mnt -t 0" [memfs-dotnet]="mono $BUILD/dotnet/memfs-dotnet.exe -m $W/mnt -t 0")

cat > "$W/client.py" <<'EOF'
import os, sys
d, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
f = os.path.join(d, "f")
if work == "setup":
    fd = os.open(f, os.O_CREAT | os.O_WRONLY, 0o644); os.write(fd, b"x" * 65536); os.close(fd)
    os.close(os.open(os.path.join(d, "r0"), os.O_CREAT | os.O_WRONLY, 0o644))
    sys.exit(0)
buf = __import__("mmap").mmap(-1, 4096)
if work == "stat":
    for i in range(n): os.stat(f)
elif work == "open":
    for i in range(n): os.close(os.open(f, os.O_RDONLY))
elif work in ("read", "write"):
    fd = os.open(f, (os.O_RDONLY if work == "read" else os.O_WRONLY) | os.O_DIRECT)
    for i in range(n):
        if work == "read": os.preadv(fd, [buf], (i % 16) * 4096)
        else: os.pwritev(fd, [buf], (i % 16) * 4096)
    os.close(fd)
elif work == "create":
    g = os.path.join(d, "g")
    for i in range(n):
        os.close(os.open(g, os.O_CREAT | os.O_WRONLY, 0o644)); os.unlink(g)
elif work == "rename":
    r0, r1 = os.path.join(d, "r0"), os.path.join(d, "r1")
    for i in range(n):
        os.rename(r0, r1); os.rename(r1, r0)
EOF
WORKS="stat open read write create rename"

start() { # start NAME [extra args]: mount, wait for it
    local name=$1; shift
    # shellcheck disable=SC2086
    taskset -c $CPU ${CMD[$name]} "$@" > "$W/$name.log" 2>&1 &
    SRV=$!
    for _ in $(seq 300); do mountpoint -q "$W/mnt" && return 0; sleep 0.1; done
    echo "dotnet-cost: $name did not mount"; cat "$W/$name.log"; exit 1
}
stop() {
    kill -INT "$SRV"; wait "$SRV" 2>/dev/null; SRV=0
    mountpoint -q "$W/mnt" && umount -l "$W/mnt"
}
HZ=$(getconf CLK_TCK)
cpu_ns() { # the server's CPU time (utime + stime, every thread's) in ns
    awk -v hz="$HZ" '{ sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz }' /proc/"$SRV"/stat  # (mawk: %d stops at 2^31)
}
client() { taskset -c $CPU "$PY" "$W/client.py" "$W/mnt" "$@"; }

# Requests per step, from the trace of a run with -d -1 (a second run of 100 steps minus one of 0).
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A REQ
for fs in memfs memfs-dotnet; do
    start $fs -d -1 -D "$W/trace"
    client setup 0
    for w in $WORKS; do
        client "$w" 10 > /dev/null
        : > "$W/trace"
        client "$w" 100
        sleep 0.5
        REQ[$fs.$w]=$(grep -c ': request unique' "$W/trace")
    done
    stop
done

echo "fs,round,workload,steps,requests,cpu_ns" > "$W/raw.csv"
for ((r = 1; r <= ROUNDS; r++)); do
    for fs in memfs memfs-dotnet; do
        start $fs
        client setup 0
        for w in $WORKS; do client "$w" 200; done   # warm-up (Mono's JIT)
        for w in $WORKS; do
            s=$N
            a=$(cpu_ns); client "$w" "$s"; b=$(cpu_ns)
            echo "$fs,$r,$w,$s,$(( ${REQ[$fs.$w]} * s / 100 )),$((b - a))" >> "$W/raw.csv"
        done
        stop
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cp "$W/raw.csv" "${OUT:-/tmp}/dotnet-cost.csv" 2>/dev/null
"$PY" - "$W/raw.csv" "$ROUNDS" <<'EOF'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1])))
print("%d rounds, interleaved; server CPU time per FUSE request (ns)" % int(sys.argv[2]))
print("%-8s %5s %5s | %8s %8s | %8s %8s | %8s %8s" % ("workload", "req/s", "req/s", "memfs", "", "dotnet", "", "cost", ""))
print("%-8s %5s %5s | %8s %8s | %8s %8s | %8s %8s" % ("", "memfs", "dotnet", "min", "median", "min", "median", "min", "median"))
for w in ("stat", "open", "read", "write", "create", "rename"):
    per = {}
    for fs in ("memfs", "memfs-dotnet"):
        rs = [r for r in rows if r["fs"] == fs and r["workload"] == w]
        per[fs] = [int(r["cpu_ns"]) / int(r["requests"]) for r in rs]
        per[fs + ".rps"] = int(rs[0]["requests"]) / int(rs[0]["steps"])
    m, d = per["memfs"], per["memfs-dotnet"]
    print("%-8s %5.1f %5.1f | %8.0f %8.0f | %8.0f %8.0f | %8.0f %8.0f" % (w, per["memfs.rps"], per["memfs-dotnet.rps"],
          min(m), statistics.median(m), min(d), statistics.median(d),
          min(d) - min(m), statistics.median(d) - statistics.median(m)))
EOF
