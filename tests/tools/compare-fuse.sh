#!/bin/bash
# tests/tools/compare-fuse.sh [--superset] PROG_A PROG_B [PROG_ARGS ...]
#
# Two builds of one FUSE program (say, an example built against libfuse and the same
# source built against LinFsp's FUSE layer) must behave alike. Each build is mounted in
# turn as
#     PROG -f PROG_ARGS... MOUNTPOINT
# on a fresh mktemp directory, fsp-tests runs on the mount (--external), and the build
# is stopped again. Then the per-test outcomes ("group/name... OK|FAIL|SKIP") of the two
# runs are compared: one line per test whose outcomes differ,
#     group/name: A=OK B=FAIL
# then "N passed, N failed", where a test passes when both builds agree (a test that is
# missing or did not finish in one run counts as MISSING/UNFINISHED there).
#
# --superset: B must pass every test that A passes (B ⊇ A), for a reference A that fails
# some tests B gets right (libfuse's high-level library answers ESTALE on removed nodes).
# Every test whose outcomes differ is still printed, with its direction:
#     group/name: A=OK B=FAIL (only A passes)    counts as failed
#     group/name: A=FAIL B=OK (only B passes)    counts as passed
# A test passes when B passes it or A does not (OK is the only pass; SKIP, FAIL, MISSING
# and UNFINISHED are not). The comparison fails, too, when A passed no test at all
# (nothing to compare with).
#
# In PROG_ARGS, %SRC% stands for a fresh empty tmpfs per run (for passthroughs:
# "-o source=%SRC%"; a tmpfs, so that the results do not depend on the limits of the
# file system that holds $TMPDIR, such as ext4's xattr sizes and time range). fsp-tests switches users in some tests; give "-o allow_other" so
# that they can reach the mount.
#
# Environment:
#   FSP_TESTS       the fsp-tests binary (default: build/release/tests/fsp-tests/fsp-tests
#                   of this source tree)
#   FSP_TESTS_ARGS  extra fsp-tests arguments, e.g. test patterns (word-split)
#   FSP_TESTS_ARGS_A, FSP_TESTS_ARGS_B
#                   extra fsp-tests arguments for one build only (word-split), e.g. --linfsp
#                   for a LinFsp build: its tests then expect LinFsp's documented deviations
#                   from Linux where the others expect Linux's behaviour
#   TEST_TIMEOUT    seconds one fsp-tests run may take (default 600)
#   LOG_DIR         if set, the runs' stdout/stderr (fsp-tests and program) are copied there
#
# Needs root and /dev/fuse (exit status 77 otherwise). Exit status 0 when the builds
# agree on every test (with --superset: when B passes all that A passes), 1 when they do
# not or when a program's stderr holds a sanitizer report (ASan, LSan, UBSan), 2 when a
# build cannot be mounted or run.
# Everything lives under one mktemp directory that the exit trap removes; the trap stops
# the program it started (by pid) and aborts the FUSE connection of a mount that hangs.
set -u
export LC_ALL=C # one collation for sort and join

usage() {
    echo "usage: $0 [--superset] PROG_A PROG_B [PROG_ARGS ...]   (see the comment on top)" >&2
    exit 2
}
superset=0
if [ "${1:-}" = "--superset" ]; then
    superset=1
    shift
fi
[ $# -ge 2 ] || usage
PROG_A=$1
PROG_B=$2
shift 2
PROG_ARGS=("$@")

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh" # linfsp_abort_connection
top=$(cd "$here/../.." && pwd)
FSP_TESTS=${FSP_TESTS:-$top/build/release/tests/fsp-tests/fsp-tests}
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
    echo "compare-fuse: needs root and /dev/fuse; skipped" >&2
    exit 77
fi
for p in "$PROG_A" "$PROG_B" "$FSP_TESTS"; do
    if [ ! -x "$p" ]; then
        echo "compare-fuse: $p: not an executable" >&2
        exit 2
    fi
done
PROG_A=$(readlink -f "$PROG_A")
PROG_B=$(readlink -f "$PROG_B")
FSP_TESTS=$(readlink -f "$FSP_TESTS")

T=$(mktemp -d "${TMPDIR:-/tmp}/compare-fuse.XXXXXX") || exit 2
pid=     # the program being run
mnt=     # its mount point
srcmnt=  # the tmpfs that %SRC% stands for

# The FUSE connection number of the mount at $1 (the minor device of its mountinfo line).
connection_of() {
    awk -v m="$1" '$5 == m { split($3, d, ":"); print d[2]; exit }' /proc/self/mountinfo
}

is_mounted() {
    awk -v m="$1" '$5 == m { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# Stop the program we started and make sure nothing stays mounted at $mnt.
stop() {
    if [ -n "$pid" ]; then
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        if kill -0 "$pid" 2>/dev/null; then
            echo "compare-fuse: $pid does not stop; aborting its connection" >&2
            local conn
            conn=$([ -n "$mnt" ] && connection_of "$mnt")
            [ -n "$conn" ] && linfsp_abort_connection "$conn"
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
        pid=
    fi
    if [ -n "$mnt" ] && is_mounted "$mnt"; then
        # the program is gone but its mount is not: a dead connection
        local conn
        conn=$(connection_of "$mnt")
        [ -n "$conn" ] && linfsp_abort_connection "$conn"
        umount -l "$mnt" 2>/dev/null
    fi
    mnt=
    if [ -n "$srcmnt" ]; then
        umount -l "$srcmnt" 2>/dev/null
        srcmnt=
    fi
}

cleanup() {
    stop
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# run LABEL PROG EXTRA_ARGS: mount PROG, run fsp-tests on it (with EXTRA_ARGS, word-split),
# leave the outcomes in $T/LABEL.outcomes
run() {
    local label=$1 prog=$2 extra=$3
    local dir=$T/$label
    mkdir -p "$dir/src" "$dir/mnt"
    local args=() a
    for a in "${PROG_ARGS[@]}"; do args+=("${a//%SRC%/$dir/src}"); done
    if [[ " ${PROG_ARGS[*]} " == *%SRC%* ]]; then
        if ! mount -t tmpfs compare-fuse-src "$dir/src"; then
            echo "compare-fuse: $label: cannot mount a tmpfs for %SRC%" >&2
            return 2
        fi
        srcmnt=$dir/src
    fi
    mnt=$dir/mnt
    echo "compare-fuse: $label: $prog -f ${args[*]} $mnt" >&2
    "$prog" -f "${args[@]}" "$mnt" > "$dir/prog.out" 2> "$dir/prog.err" < /dev/null &
    pid=$!
    for _ in $(seq 100); do
        is_mounted "$mnt" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! is_mounted "$mnt"; then
        echo "compare-fuse: $label: $prog did not mount; its stderr:" >&2
        sed 's/^/    /' "$dir/prog.err" >&2
        return 2
    fi
    # fsp-tests from / so that its working directory holds nothing on the mount
    # shellcheck disable=SC2086  # FSP_TESTS_ARGS is word-split on purpose
    # shellcheck disable=SC2086
    (cd / && timeout -k 10 "$TEST_TIMEOUT" "$FSP_TESTS" --external "$mnt" $extra ${FSP_TESTS_ARGS:-}) \
        > "$dir/fsp-tests.out" 2> "$dir/fsp-tests.err" < /dev/null
    local rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        echo "compare-fuse: $label: fsp-tests timed out after ${TEST_TIMEOUT}s" >&2
    fi
    stop
    # "group/name... OUTCOME 0.001s" -> "group/name OUTCOME"; a test that did not finish
    # (fsp-tests crashed or timed out) is UNFINISHED
    awk '/^[^ ]+\/[^ ]+\.\.\. / {
             name = $1; sub(/\.\.\.$/, "", name)
             if (NF >= 3 && $NF ~ /^[0-9.]+s$/) print name, $(NF - 1); else print name, "UNFINISHED"
         }' "$dir/fsp-tests.out" | sort -k1,1 > "$T/$label.outcomes"
    echo "compare-fuse: $label: $(tail -n 1 "$dir/fsp-tests.out")" >&2
    if [ -n "${LOG_DIR:-}" ]; then
        mkdir -p "$LOG_DIR/$label" && cp "$dir"/*.out "$dir"/*.err "$LOG_DIR/$label/"
    fi
    if [ ! -s "$T/$label.outcomes" ]; then
        echo "compare-fuse: $label: fsp-tests ran no test (exit status $rc); its stderr:" >&2
        tail -n 20 "$dir/fsp-tests.err" | sed 's/^/    /' >&2
        return 2
    fi
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir/prog.err"; then
        echo "compare-fuse: $label: sanitizer report in $prog's stderr:" >&2
        grep -E -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir/prog.err" | head -40 | sed 's/^/    /' >&2
        echo "$label" >> "$T/sanitizer"
    fi
    return 0
}

run A "$PROG_A" "${FSP_TESTS_ARGS_A:-}" || exit 2
run B "$PROG_B" "${FSP_TESTS_ARGS_B:-}" || exit 2

join -a 1 -a 2 -e MISSING -o 0,1.2,2.2 "$T/A.outcomes" "$T/B.outcomes" |
    awk -v superset=$superset -v sanitizer="$([ -s "$T/sanitizer" ] && echo 1)" '
         $2 == "OK" { a_passed++ }
         $2 == $3 { pass++; next }
         !superset { fail++; printf "%s: A=%s B=%s\n", $1, $2, $3; next }
         $2 == "OK" { fail++; only_a++; printf "%s: A=%s B=%s (only A passes)\n", $1, $2, $3; next }
         { pass++; if ($3 == "OK") { only_b++; printf "%s: A=%s B=%s (only B passes)\n", $1, $2, $3 } }
         END {
             if (superset) {
                 printf "compare-fuse: B passes %d test(s) A fails, A passes %d test(s) B does not\n",
                        only_b, only_a
                 if (!a_passed) { print "compare-fuse: A passed no test: nothing to compare with"; fail++ }
             }
             if (sanitizer) fail++
             printf "%d passed, %d failed\n", pass, fail; exit fail ? 1 : 0
         }'
