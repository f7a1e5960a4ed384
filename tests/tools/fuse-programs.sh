#!/usr/bin/env bash
# tests/tools/fuse-programs.sh - real libfuse programs on LinFsp, side by side with libfuse.
#
# Builds sshfs (FUSE 3), bindfs (FUSE 3, and FUSE 2 with --with-fuse2) and archivemount
# (FUSE 2) from the source snapshots in the fuse-programs directory, each twice and with
# nothing changed in its source or build files: against Debian's libfuse (libfuse3-dev,
# libfuse-dev) and against LinFsp installed into a temporary prefix, found through LinFsp's
# compatibility pkg-config directory (PKG_CONFIG_PATH=<libdir>/linfsp/compat-pkgconfig).
# Then runs, on both builds:
#   - sshfs's pytest suite, with an sshd of its own (127.0.0.1 only, key authentication, its
#     configuration and keys in the temporary directory; started and stopped here; `ssh
#     localhost` reaches it through an ssh wrapper first in PATH, so nothing of the system's
#     or root's ssh configuration is touched);
#   - bindfs's ruby suite (tests/test_bindfs.rb, as root), loaded with
#     tests/tools/fuse-programs-keepgoing.rb so that one failure does not end the run;
#   - an archivemount round trip, for a tar and a zip archive: mount, walk, read, modify,
#     unmount, and compare the archive written back with the expected tree.
# Prints each program's results side by side and ends with "N passed, N failed": a test that
# passes on libfuse and fails (or does not run) on LinFsp is a failure; one that fails on both
# is listed but not counted against LinFsp.
#
# Usage: tests/tools/fuse-programs.sh [--only sshfs,bindfs-fuse3,bindfs-fuse2,archivemount]
#                                     [--prefix DIR] [--keep]
#   --prefix DIR  use LinFsp installed in DIR instead of building and installing it
#   --keep        keep the temporary directory (builds and logs)
# The fuse-programs directory: $FUSE_PROGRAMS_DIR, else ../shared/fuse-programs or
# ../../shared/fuse-programs beside the repository. Needs root and /dev/fuse; installs the
# Debian packages it needs. Every mount it makes is under its temporary directory and freed
# at the end, also after a failure or the time limit of the step that runs it.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/scripts/lib.sh"

only="sshfs,bindfs-fuse3,bindfs-fuse2,archivemount" prefix="" keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --only) only=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--only LIST] [--prefix DIR] [--keep]" >&2; exit 2 ;;
    esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

if [ "$(id -u)" -ne 0 ]; then echo "fuse-programs: run as root"; echo "0 passed, 1 failed"; exit 1; fi
progs=${FUSE_PROGRAMS_DIR:-}
for d in "$repo/../shared/fuse-programs" "$repo/../../shared/fuse-programs"; do
    [ -z "$progs" ] && [ -d "$d" ] && progs=$(cd "$d" && pwd)
done
if [ -z "$progs" ] || [ ! -d "$progs" ]; then
    echo "fuse-programs: no fuse-programs directory (set FUSE_PROGRAMS_DIR)"
    echo "0 passed, 1 failed"
    exit 1
fi
tarball() { ls "$progs"/"$1"-*.tar.gz 2>/dev/null | head -1; }

# Test-only packages (the programs' build and test dependencies).
for attempt in 1 2 3 4 5 6; do
    linfsp_install_packages libglib2.0-dev python3-pytest openssh-server openssh-client \
        autoconf automake libtool ruby libarchive-dev sudo zip unzip && break
    echo "fuse-programs: apt-get failed (attempt $attempt; another apt may hold the lock)"
    sleep 20
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fuse-programs.XXXXXX")
sshd_pid=
bg_pids=()
cleanup() {
    cd /
    for p in "${bg_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "$sshd_pid" ] && kill -TERM "$sshd_pid" 2>/dev/null
    linfsp_free_mounts_under "$work"
    if [ $keep -eq 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR" "$work/results"

# ---- LinFsp in a prefix of its own ----
if [ -z "$prefix" ]; then
    prefix=$work/linfsp
    echo "== LinFsp: building and installing into $prefix"
    if ! { meson setup "$work/linfsp-build" "$repo" --prefix="$prefix" --buildtype=debugoptimized \
               >"$work/linfsp-build.log" 2>&1 &&
           ninja -C "$work/linfsp-build" install >>"$work/linfsp-build.log" 2>&1; }; then
        tail -30 "$work/linfsp-build.log"
        echo "fuse-programs: LinFsp did not build"; echo "0 passed, 1 failed"; exit 1
    fi
fi
compat=$(ls -d "$prefix"/lib*/linfsp/compat-pkgconfig "$prefix"/lib/*/linfsp/compat-pkgconfig 2>/dev/null | head -1)
if [ -z "$compat" ]; then
    echo "fuse-programs: $prefix has no lib/.../linfsp/compat-pkgconfig"; echo "0 passed, 1 failed"; exit 1
fi
echo "== LinFsp's compatibility pkg-config directory: $compat"

# ---- building ----

# build_one KEY SIDE: extract the program of KEY (sshfs, bindfs-fuse3, bindfs-fuse2,
# archivemount) and build it in $work/SIDE/KEY/NAME; 0 when it built. SIDE is libfuse or
# linfsp (PKG_CONFIG_PATH: LinFsp's compatibility directory, so fuse3 and fuse are LinFsp).
build_one() {
    local key=$1 side=$2
    local name=${key%-fuse[23]} dir=$work/$side/$key tb
    local log=$work/results/build-$key-$side.log
    tb=$(tarball "$name") || true
    mkdir -p "$dir"
    [ -n "$tb" ] && tar xzf "$tb" -C "$dir" || { echo "no $name tarball in $progs" >"$log"; return 1; }
    local pcpath=
    [ linfsp = "$side" ] && pcpath=$compat
    (
        cd "$dir/$name" || exit 1
        export PKG_CONFIG_PATH=$pcpath
        case $key in
        sshfs) meson setup build && ninja -C build ;;
        bindfs-fuse3) autoreconf -fi && ./configure && make -j2 && make -C tests check TESTS= ;;
        bindfs-fuse2) autoreconf -fi && ./configure --with-fuse2 && make -j2 &&
                      make -C tests check TESTS= ;;
        archivemount) autoreconf -fi && ./configure && make ;;
        esac
    ) >"$log" 2>&1
}

# ---- results ----
# Each run writes $work/results/PROGRAM.SIDE: one line per test, "RESULT<TAB>NAME", RESULT
# being PASS, FAIL or SKIP, in the order the tests ran.

# sshfs: pytest -v lines "test/x.py::name PASSED [ 3%]"
run_sshfs() {
    local side=$1
    local build=$work/$side/sshfs/sshfs/build out=$work/results/sshfs.$side
    local log=$work/results/sshfs-$side.log
    [ -x "$build/sshfs" ] || { : >"$out"; return; }
    (cd "$build" && PATH=$work/ssh/bin:$PATH timeout 900 "$python" -m pytest test/ -v \
        --maxfail=1000 -p no:cacheprovider --basetemp="$work/tmp/pytest-$side") >"$log" 2>&1
    sed -nE 's/^(test\/[^ ]+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS).*/\2\t\1/p' "$log" |
        sed -E 's/^PASSED/PASS/; s/^(FAILED|ERROR|XPASS)/FAIL/; s/^(SKIPPED|XFAIL)/SKIP/' >"$out"
}

# bindfs: "--- TITLE ---" opens a test; "OK" / "SKIP..." / the keep-going marker closes it.
run_bindfs() {
    local side=$1 flavor=$2
    local dir=$work/$side/bindfs-$flavor/bindfs key=bindfs-$flavor
    local out=$work/results/$key.$side log=$work/results/$key-$side.log pcpath=
    [ linfsp = "$side" ] && pcpath=$compat
    [ -x "$dir/src/bindfs" ] || { : >"$out"; return; }
    (cd "$dir/tests" && PKG_CONFIG_PATH=$pcpath timeout 900 \
        ruby -r"$repo/tests/tools/fuse-programs-keepgoing.rb" test_bindfs.rb) >"$log" 2>&1
    linfsp_free_mounts_under "$dir"
    awk '
        function close_test(r) { if (name != "") { print r "\t" name; name = "" } }
        /^--- .* ---$/ { close_test("FAIL"); n++; t = substr($0, 5, length($0) - 8); name = sprintf("%03d %s", n, t); next }
        /^OK$/ { close_test("PASS"); next }
        /^SKIP/ { close_test("SKIP"); next }
        /^KEEPGOING: FAILED/ { close_test("FAIL"); next }
        END { close_test("FAIL") }' "$log" |
        # temporary file names differ from run to run
        sed -E "s#$work#<tmp>#g; s#[0-9]{8}-[0-9]+-[a-z0-9]+#X#g" >"$out"
}

# archivemount: a round trip per archive format, one result per step.
am_result() { printf '%s\t%s %s\n' "$1" "$2" "$3" >>"$4"; }
run_archivemount() {
    local side=$1
    local bin=$work/$side/archivemount/archivemount/archivemount
    local out=$work/results/archivemount.$side log=$work/results/archivemount-$side.log fmt
    : >"$out"
    [ -x "$bin" ] || return
    for fmt in tar zip; do
        local d=$work/am-$side-$fmt
        rm -rf "$d" && mkdir -p "$d/src/dir/sub" "$d/mnt" "$d/check"
        (
            cd "$d" || exit 1
            printf 'hello\n' >src/a.txt
            head -c 300000 /dev/urandom >src/dir/bin.dat
            printf 'nested\n' >src/dir/sub/n.txt
            printf 'to be removed\n' >src/gone.txt
            : >src/empty
            ln -s a.txt src/link
            chmod 640 src/a.txt
            if [ tar = $fmt ]; then tar cf archive.tar -C src .; else (cd src && zip -qry ../archive.zip .); fi
            cp -a src expect
        ) >>"$log" 2>&1
        # mount (in the foreground, as a background job of ours)
        (cd "$d" && exec "$bin" -f archive.$fmt mnt) >>"$log" 2>&1 &
        local pid=$! ok=0
        for _ in $(seq 100); do
            grep -q " $d/mnt " /proc/self/mountinfo && { ok=1; break; }
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
        if [ $ok -ne 1 ]; then
            for step in mount walk read modify unmount archive; do am_result FAIL $fmt $step "$out"; done
            kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
            continue
        fi
        am_result PASS $fmt mount "$out"
        # walk: the same names and types as the source, and the same sizes of regular files
        local walk_ok=1
        (cd "$d/src" && find . -mindepth 1 -printf '%P %y %s\n' | awk '$2 != "f" { $3 = "" } 1' | sort) \
            >"$d/walk.src"
        (cd "$d/mnt" && find . -mindepth 1 -printf '%P %y %s\n' | awk '$2 != "f" { $3 = "" } 1' | sort) \
            >"$d/walk.mnt" 2>>"$log" || walk_ok=0
        diff "$d/walk.src" "$d/walk.mnt" >>"$log" 2>&1 || walk_ok=0
        [ $walk_ok -eq 1 ] && am_result PASS $fmt walk "$out" || am_result FAIL $fmt walk "$out"
        # read: every file's contents and the symlink's target
        local read_ok=1 f
        for f in a.txt dir/bin.dat dir/sub/n.txt gone.txt empty; do
            cmp "$d/src/$f" "$d/mnt/$f" >>"$log" 2>&1 || read_ok=0
        done
        [ "$(readlink "$d/mnt/link" 2>>"$log")" = a.txt ] || read_ok=0
        [ $read_ok -eq 1 ] && am_result PASS $fmt read "$out" || am_result FAIL $fmt read "$out"
        # modify: the same changes on the mount and on the expected tree
        local mod_ok=1
        (
            set -e
            for t in mnt expect; do
                cd "$d/$t"
                printf 'more\n' >>a.txt
                printf 'new file\n' >new.txt
                rm gone.txt
                mkdir newdir
                mv dir/sub/n.txt newdir/n.txt
                head -c 5000 dir/bin.dat >dir/head.dat
                ln -s newdir/n.txt newlink
            done
        ) >>"$log" 2>&1 || mod_ok=0
        cmp "$d/mnt/a.txt" "$d/expect/a.txt" >>"$log" 2>&1 || mod_ok=0
        [ $mod_ok -eq 1 ] && am_result PASS $fmt modify "$out" || am_result FAIL $fmt modify "$out"
        # unmount: the program writes the archive back and ends with status 0
        local um_ok=1 rc=0
        fusermount3 -u "$d/mnt" >>"$log" 2>&1 || um_ok=0
        for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
        if kill -0 $pid 2>/dev/null; then
            um_ok=0; kill -TERM $pid 2>/dev/null
        fi
        wait $pid 2>/dev/null || rc=$?
        [ $rc -eq 0 ] || { echo "archivemount exited with status $rc" >>"$log"; um_ok=0; }
        grep -q " $d/mnt " /proc/self/mountinfo && um_ok=0
        [ $um_ok -eq 1 ] && am_result PASS $fmt unmount "$out" || am_result FAIL $fmt unmount "$out"
        # archive: what it holds now is the expected tree
        local ar_ok=1
        (
            cd "$d/check" || exit 1
            if [ tar = $fmt ]; then tar xf ../archive.tar; else unzip -q ../archive.zip; fi
        ) >>"$log" 2>&1 || ar_ok=0
        diff -r --no-dereference "$d/expect" "$d/check" >>"$log" 2>&1 || ar_ok=0
        [ "$(readlink "$d/check/newlink")" = newdir/n.txt ] || ar_ok=0
        [ -e "$d/archive.$fmt.orig" ] || { echo "no backup archive.$fmt.orig" >>"$log"; ar_ok=0; }
        [ $ar_ok -eq 1 ] && am_result PASS $fmt archive "$out" || am_result FAIL $fmt archive "$out"
    done
}

# ---- the ssh server for sshfs's suite ----
start_sshd() {
    local s=$work/ssh port
    mkdir -p "$s/bin" /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$s/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$s/id" || return 1
    cp "$s/id.pub" "$s/authorized_keys" && chmod 600 "$s/authorized_keys"
    for port in $(shuf -i 20000-60000 -n 20); do
        cat >"$s/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $s/host_key
PidFile $s/sshd.pid
AuthorizedKeysFile $s/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
        cat >"$s/ssh_config" <<EOF
Host localhost
  HostName 127.0.0.1
  Port $port
  User root
  IdentityFile $s/id
  IdentitiesOnly yes
  UserKnownHostsFile $s/known_hosts
  StrictHostKeyChecking no
  LogLevel ERROR
EOF
        /usr/sbin/sshd -D -f "$s/sshd_config" -E "$s/sshd.log" &
        sshd_pid=$!
        printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$s/ssh_config" >"$s/bin/ssh"
        chmod +x "$s/bin/ssh"
        for _ in $(seq 50); do
            PATH=$s/bin:$PATH ssh -o BatchMode=yes localhost true 2>/dev/null && return 0
            kill -0 $sshd_pid 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM $sshd_pid 2>/dev/null; wait $sshd_pid 2>/dev/null; sshd_pid=
    done
    return 1
}

# ---- run ----
start=$SECONDS
# Debian's python3 (python3-pytest), not another python3 earlier in PATH
python=/usr/bin/python3
[ -x $python ] || python=python3
declare -A built
programs=()
wants sshfs && programs+=(sshfs)
wants bindfs-fuse3 && programs+=(bindfs-fuse3)
wants bindfs-fuse2 && programs+=(bindfs-fuse2)
wants archivemount && programs+=(archivemount)

echo "== building the programs (libfuse and LinFsp)"
for p in "${programs[@]}"; do
    for side in libfuse linfsp; do
        if build_one "$p" $side; then built[$p.$side]=1; else built[$p.$side]=0; fi
        echo "   $p on $side: $([ ${built[$p.$side]} -eq 1 ] && echo built || echo "BUILD FAILED")"
    done
done

if wants sshfs; then
    if start_sshd; then
        echo "== sshfs: pytest on libfuse and on LinFsp (in the background)"
        run_sshfs libfuse & bg_pids+=($!)
        run_sshfs linfsp & bg_pids+=($!)
    else
        echo "   cannot start an sshd: sshfs's suite does not run"
        : >"$work/results/sshfs.libfuse"; : >"$work/results/sshfs.linfsp"
    fi
fi
for flavor in fuse3 fuse2; do
    if wants bindfs-$flavor; then
        for side in libfuse linfsp; do
            echo "== bindfs ($flavor): ruby suite on $side"
            run_bindfs $side $flavor
        done
    fi
done
if wants archivemount; then
    for side in libfuse linfsp; do
        echo "== archivemount: tar and zip round trips on $side"
        run_archivemount $side
    done
fi
for p in "${bg_pids[@]}"; do wait "$p"; done
bg_pids=()
[ -n "$sshd_pid" ] && { kill -TERM "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null; sshd_pid=; }

# ---- side by side ----
passed=0 failed=0
echo
for p in "${programs[@]}"; do
    a=$work/results/$p.libfuse b=$work/results/$p.linfsp
    touch "$a" "$b"
    printf '\n%s\n%-8s %-8s %s\n' "== $p" libfuse LinFsp test
    np_a=$(grep -c '^PASS' "$a") np_b=$(grep -c '^PASS' "$b")
    if [ "${built[$p.linfsp]:-0}" -ne 1 ]; then
        echo "   the LinFsp build failed:"
        tail -15 "$work/results/build-$p-linfsp.log" 2>/dev/null | sed 's/^/     /'
        failed=$((failed + 1))
    fi
    if [ "${built[$p.libfuse]:-0}" -ne 1 ] || [ ! -s "$a" ]; then
        echo "   no results on libfuse (build or environment failed): nothing to compare"
        failed=$((failed + 1))
    fi
    # every test either build ran, in libfuse's order, then those only LinFsp ran
    cut -f2 "$a" >"$work/names"; cut -f2 "$b" | grep -vxFf "$work/names" >>"$work/names"
    pf=0 ff=0
    while IFS= read -r name; do
        ra=$(awk -F'\t' -v n="$name" '$2 == n { print $1; exit }' "$a"); ra=${ra:-NONE}
        rb=$(awk -F'\t' -v n="$name" '$2 == n { print $1; exit }' "$b"); rb=${rb:-NONE}
        verdict=
        if [ PASS = "$ra" ] && [ PASS != "$rb" ]; then
            verdict="  <- passes on libfuse only"; failed=$((failed + 1)); ff=$((ff + 1))
        elif [ PASS = "$rb" ] || [ "$ra" = "$rb" ]; then
            passed=$((passed + 1)); pf=$((pf + 1))
            [ PASS != "$rb" ] && verdict="  (the same on both)"
        else
            passed=$((passed + 1)); pf=$((pf + 1))
        fi
        printf '%-8s %-8s %s%s\n' "$ra" "$rb" "$name" "$verdict"
    done <"$work/names"
    printf -- '-- %s: libfuse %d passed, LinFsp %d passed; %d as on libfuse, %d passing on libfuse only\n' \
        "$p" "$np_a" "$np_b" "$pf" "$ff"
done
echo
echo "fuse-programs: $((SECONDS - start))s; logs in $work/results$([ $keep -eq 1 ] || echo ' (removed; --keep keeps them)')"
if [ $failed -ne 0 ] && [ $keep -eq 0 ]; then
    # what failed, for the CI log
    for f in "$work"/results/*-linfsp.log; do
        grep -lqE 'FAILED|KEEPGOING|ERROR|error' "$f" 2>/dev/null && { echo "--- tail of $f"; tail -40 "$f"; }
    done
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
