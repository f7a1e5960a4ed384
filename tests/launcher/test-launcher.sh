#!/usr/bin/env bash
# tests/launcher/test-launcher.sh BUILDDIR [PREFIX] - the launcher's tests, as root.
#
# Programs come from BUILDDIR, or (linfsp-launcher, launchctl, mount.linfsp, fsreg, fsptool,
# memfs, passthrough, the example classes) from an installed PREFIX; the test programs
# (launcher-tests, launcher-echo) always from BUILDDIR.
#
# Everything runs in a private mount namespace (unshare): the system's mounts, /etc/fstab and
# /sbin are left alone. Inside it a tmpfs covers /run (mount(8)'s utab), an overlay adds
# mount.linfsp to /usr/sbin (where mount(8) looks for helpers) and a test fstab is bound over
# /etc/fstab. The launchers listen on sockets in a temporary directory, with a temporary class
# directory. Whatever the tests leave (instances, mounts) ends with the namespace; the exit
# trap stops the launchers by pid and frees mounts first.
#
# Runs launcher-tests (the FspLaunch* API), then the scenarios below; ends with the line
# "N passed, N failed" for both together.
set -u
build=$(realpath "${1:?usage: test-launcher.sh BUILDDIR [PREFIX]}")
prefix=${2:-}

if [ "$(id -u)" -ne 0 ]; then
    echo "test-launcher.sh: needs root (mounts, other users); skipped"
    echo "0 passed, 0 failed"
    exit 77
fi
if [ -z "${LINFSP_LAUNCHER_TEST_NS:-}" ]; then
    exec unshare --mount --propagation private env LINFSP_LAUNCHER_TEST_NS=1 bash "$0" "$@"
fi

if [ -n "$prefix" ]; then
    prefix=$(realpath "$prefix")
    sbin=$prefix/sbin bin=$prefix/bin
    launcher=$sbin/linfsp-launcher mount_helper=$sbin/mount.linfsp
    launchctl=$bin/launchctl fsreg=$bin/fsreg fsptool=$bin/fsptool
    memfs=$bin/memfs passthrough=$bin/passthrough
    memfs_class=$prefix/share/linfsp/services/memfs.conf
    passthrough_class=$prefix/share/linfsp/services/passthrough.conf
    units=$prefix/lib/systemd/system
else
    launcher=$build/src/launcher/linfsp-launcher mount_helper=$build/mount.linfsp
    launchctl=$build/launchctl fsreg=$build/fsreg fsptool=$build/fsptool
    memfs=$build/memfs passthrough=$build/examples/passthrough/passthrough
    memfs_class=$build/memfs.conf passthrough_class=$build/examples/passthrough/passthrough.conf
    units=$build/src/launcher
fi
echo_exe=$build/tests/launcher/launcher-echo
api_tests=$build/tests/launcher/launcher-tests
for p in "$launcher" "$mount_helper" "$launchctl" "$fsreg" "$fsptool" "$memfs" "$passthrough" \
         "$echo_exe" "$api_tests" "$memfs_class" "$passthrough_class"; do
    [ -e "$p" ] || { echo "test-launcher.sh: missing $p"; echo "0 passed, 1 failed"; exit 1; }
done

# A directory of root's that others may enter: sockets, classes, mount points, reports.
T=$(mktemp -d /tmp/linfsp-launcher.XXXXXX)
chmod 755 "$T"
mkdir -m 755 "$T/classes"
mkdir -m 1777 "$T/out"
export LINFSP_LAUNCHER_SOCKET=$T/launcher.sock LINFSP_LAUNCHER_CLASSDIR=$T/classes
NOBODY=65534
ADMIN_GID=4242
launcher_pids=()

# Stop the launchers we started (by pid), free the mounts under $T (abort, lazy unmount).
cleanup() {
    local pid dev mnt
    for pid in "${launcher_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${launcher_pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    awk -v d="$T" '$0 ~ / - fuse/ && index($5, d "/") == 1 { print $3, $5 }' /proc/self/mountinfo |
        sort -r -k2 | while read -r dev mnt; do
            [ -w "/sys/fs/fuse/connections/${dev#*:}/abort" ] && echo 1 > "/sys/fs/fuse/connections/${dev#*:}/abort"
            umount -l "$mnt" 2>/dev/null
        done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "$1... OK"; }
ko() { failed=$((failed + 1)); echo "$1... FAIL${2:+ ($2)}"; }
# check NAME COMMAND...: passes when COMMAND succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else ko "$n"; fi; }

# Wait (up to $2 tenths of a second) for a command to succeed.
wait_for() { local cmd=$1 n=${2:-100}; for _ in $(seq "$n"); do eval "$cmd" && return 0; sleep 0.1; done; return 1; }
is_mounted() { awk -v d="$1" '$5 == d { f = 1 } END { exit !f }' /proc/self/mountinfo; }
listed() { "$launchctl" list 2>/dev/null | grep -qx "$1 $2"; }
info_field() { "$launchctl" info "$1" "$2" | awk -v k="$3" '$1 == k { print $2 }'; }
as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }

# start_launcher NAME SOCKET ARGS...: a launcher in the foreground, logging to $T/NAME.log
start_launcher() {
    local name=$1 sock=$2; shift 2
    "$launcher" -f -v -s "$sock" -c "$T/classes" "$@" >"$T/$name.log" 2>&1 &
    launcher_pids+=($!)
    eval "${name}_pid=$!"
    wait_for "LINFSP_LAUNCHER_SOCKET=$sock '$launchctl' list >/dev/null 2>&1" 100
}

# ---- the launcher for the API tests and most scenarios ----
# (--kill-timeout: how long a SIGKILLed instance may take to end before a stop reports a timeout;
# ending takes the kernel longer on a loaded machine, and no test here waits for that report.)
check "launcher starts" start_launcher main "$T/launcher.sock" -a "$ADMIN_GID" \
    --start-timeout 3000 --stop-timeout 1500 --kill-timeout 10000

echo "== launcher-tests"
api_out=$(LAUNCHER_TESTS_DIR=$T LAUNCHER_TESTS_ECHO=$echo_exe LAUNCHER_TESTS_MEMFS=$memfs \
          LAUNCHER_TESTS_LAUNCHER=$launcher \
          LAUNCHER_TESTS_ADMIN_GID=$ADMIN_GID LAUNCHER_TESTS_START_TIMEOUT_MS=3000 \
          timeout 300 "$api_tests" 2>&1)
api_rc=$?
echo "$api_out"
api_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$api_out" | tail -1)
if [ -n "$api_line" ]; then
    passed=$((passed + $(cut -d' ' -f1 <<<"$api_line"))) failed=$((failed + $(cut -d' ' -f3 <<<"$api_line")))
    [ $api_rc -ne 0 ] && [ "$(cut -d' ' -f3 <<<"$api_line")" -eq 0 ] && ko "launcher-tests exit status" "$api_rc"
else
    ko "launcher-tests" "no closing line, exit $api_rc"
fi
echo "== scenarios"

# Installed: the class directory the programs were built for exists and is their default.
if [ -n "$prefix" ]; then
    prefix_defaults() {
        [ -d "$prefix/etc/linfsp/services" ] &&
            env -u LINFSP_LAUNCHER_CLASSDIR "$fsreg" -h | grep -q "($prefix/etc/linfsp/services;" &&
            "$launcher" -h | grep -q "(default $prefix/etc/linfsp/services)" &&
            grep -q "^ExecStart=$prefix/sbin/linfsp-launcher " "$units/linfsp-launcher.service" &&
            grep -q "^Executable=$prefix/bin/memfs\$" "$memfs_class"
    }
    check "installed: class directory, defaults and paths from the prefix" prefix_defaults
fi

# Denials are logged with who was denied what.
check "denials are logged" grep -q "denied: start echo/a1 to uid 65534 (nobody)" "$T/main.log"
check "malformed requests are logged" grep -q "malformed request" "$T/main.log"

# The example classes, registered with fsreg; --check agrees with them. From the build tree
# their Executable (the install location) is pointed at the programs built.
reg_examples() {
    if [ -z "$prefix" ]; then
        sed "s|^Executable=.*|Executable=$memfs|" "$memfs_class" > "$T/memfs.conf"
        sed "s|^Executable=.*|Executable=$passthrough|" "$passthrough_class" > "$T/passthrough.conf"
        memfs_class=$T/memfs.conf passthrough_class=$T/passthrough.conf
    fi
    "$fsreg" -f "$memfs_class" >/dev/null && "$fsreg" -f "$passthrough_class" >/dev/null &&
        "$fsreg" -l | grep -q "^memfs " && "$fsreg" -l | grep -q "^passthrough " &&
        [ "$(stat -c %a "$T/classes/memfs.conf")" = 644 ]
}
check "example classes registered (fsreg -f)" reg_examples
check "linfsp-launcher --check accepts them" "$launcher" --check -c "$T/classes"
check_bad() {
    printf 'Executable=/bin/true\nBogus=1\n' > "$T/classes/bogus.conf"
    local out rc=0
    out=$("$launcher" --check -c "$T/classes") || rc=$?
    rm -f "$T/classes/bogus.conf"
    [ $rc -eq 1 ] && grep -q "bogus.conf:2: unknown key 'Bogus'" <<<"$out" && grep -q "memfs: OK" <<<"$out"
}
check "linfsp-launcher --check reports a bad class file" check_bad

# launchctl and memfs instances: start, info, list, use, stop.
launchctl_memfs() {
    mkdir -p "$T/m1"
    [ "$("$launchctl" start memfs m1 m1 "$T/m1")" = OK ] || return 1
    is_mounted "$T/m1" || return 1
    local info pid
    info=$("$launchctl" info memfs m1) || return 1
    grep -qx "memfs m1" <<<"$info" && grep -qx "mountpoint $T/m1" <<<"$info" &&
        grep -qx "state running" <<<"$info" || { echo "$info"; return 1; }
    pid=$(info_field memfs m1 pid)
    listed memfs m1 || return 1
    echo "data" > "$T/m1/file" && [ "$(cat "$T/m1/file")" = data ] || return 1
    # the example's root directory is as /tmp: root's, 1777
    [ "$(stat -c %a:%U "$T/m1")" = 1777:root ] || return 1
    [ "$("$launchctl" stop memfs m1)" = OK ] || return 1
    ! is_mounted "$T/m1" && ! kill -0 "$pid" 2>/dev/null && ! listed memfs m1
}
check "launchctl start/info/list/stop of memfs" launchctl_memfs
launchctl_errors() {
    local out rc=0
    out=$("$launchctl" stop memfs m1) || rc=$?
    [ $rc -eq 1 ] && [ "$out" = "KO launcher: error 2 (no such class or instance)" ] || return 1
    rc=0; "$launchctl" frobnicate >/dev/null 2>&1 || rc=$?
    [ $rc -eq 2 ] || return 1
    "$launchctl" -h | grep -q startWithSecret || return 1
    rc=0; out=$(LINFSP_LAUNCHER_SOCKET=$T/none.sock "$launchctl" list 2>&1) || rc=$?
    [ $rc -eq 1 ] && grep -q "no launcher listens" <<<"$out"
}
check "launchctl reports errors (KO, exit 1; usage, exit 2)" launchctl_errors
launchctl_secret() {
    printf 'Executable=%s\nCommandLine=--secret %s/out/ls-%%1.txt %%1\nCredentials=1\n' \
        "$echo_exe" "$T" > "$T/classes/lsecret.conf"
    [ "$(echo 'from-stdin' | "$launchctl" startWithSecret lsecret k1 k1 -)" = OK ] &&
        wait_for "grep -qx 'stdin=from-stdin' '$T/out/ls-k1.txt'" 50 &&
        [ "$("$launchctl" stop lsecret k1)" = OK ]
}
check "launchctl startWithSecret reads the secret from stdin ('-')" launchctl_secret

# Ordinary users: refused by a class's Security; where it allows them, only on mount points
# they control.
user_refused() {
    local out rc=0
    mkdir -p "$T/p1" "$T/src"
    out=$(as_nobody "$launchctl" start passthrough "$T/src" "$T/src" "$T/p1") || rc=$?
    [ $rc -eq 1 ] && [ "$out" = "KO launcher: error 5 (access denied)" ] && ! is_mounted "$T/p1" &&
        grep -q "denied: start passthrough/$T/src to uid 65534" "$T/main.log"
}
check "a user without the right is refused (and logged)" user_refused
user_mountpoints() {
    mkdir -p "$T/rootdir" "$T/nbdir" "$T/nb/inner" && chown $NOBODY "$T/nbdir" "$T/nb" "$T/nb/inner"
    ln -sfn "$T/nbdir" "$T/nblink"
    local out
    # a directory of root's: not the user's to mount on
    out=$(as_nobody "$launchctl" start memfs u1 u1 "$T/rootdir")
    [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "$out"; return 1; }
    # below a directory the user could change (a component could become a symlink)
    out=$(as_nobody "$launchctl" start memfs u2 u2 "$T/nb/inner")
    [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "$out"; return 1; }
    # not a canonical path
    out=$(as_nobody "$launchctl" start memfs u3 u3 "$T/nblink")
    [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "$out"; return 1; }
    ! is_mounted "$T/rootdir" && ! is_mounted "$T/nb/inner" && ! is_mounted "$T/nbdir" || return 1
    # the user's own directory in a directory of root's: allowed, and the user may stop it
    [ "$(as_nobody "$launchctl" start memfs u4 u4 "$T/nbdir")" = OK ] && is_mounted "$T/nbdir" || return 1
    [ "$(as_nobody "$launchctl" info memfs u4 | sed -n 1p)" = OK ] || return 1
    [ "$(as_nobody "$launchctl" stop memfs u4)" = OK ] && ! is_mounted "$T/nbdir"
}
check "users mount only where they may (memfs class, Security for everyone)" user_mountpoints

# umount of an instance's mount point ends the instance.
umount_ends() {
    mkdir -p "$T/m2"
    [ "$("$launchctl" start memfs m2 m2 "$T/m2")" = OK ] || return 1
    local pid; pid=$(info_field memfs m2 pid)
    umount "$T/m2" || return 1
    wait_for "! listed memfs m2 && ! kill -0 $pid 2>/dev/null" 100
}
check "umount ends the instance" umount_ends

# A hung instance (SIGSTOP): stop aborts its connection and kills it; the mount is gone and a
# process blocked on it is released.
hung_stop() {
    mkdir -p "$T/m3"
    [ "$("$launchctl" start memfs m3 m3 "$T/m3")" = OK ] || return 1
    local pid stat_pid t0 rc=0; pid=$(info_field memfs m3 pid)
    kill -STOP "$pid"
    timeout 60 stat "$T/m3/x" >/dev/null 2>&1 &
    stat_pid=$!
    sleep 0.5
    kill -0 $stat_pid 2>/dev/null || { echo "stat did not block"; kill -CONT "$pid"; return 1; }
    t0=$SECONDS
    local out; out=$("$launchctl" stop memfs m3)
    echo "   stopped in $((SECONDS - t0)) s: $out"
    [ "$out" = OK ] || { rc=1; grep "memfs/m3" "$T/main.log" | tail -5; }
    wait $stat_pid
    is_mounted "$T/m3" && { echo "   still mounted"; rc=1; }
    kill -0 "$pid" 2>/dev/null && { echo "   pid $pid still there: $(ps -o stat=,wchan= -p "$pid")"; rc=1; }
    listed memfs m3 && { echo "   still listed"; rc=1; }
    grep -q "memfs/m3: still running .* aborting its FUSE connection and killing it" "$T/main.log" ||
        { echo "   no abort in the log"; rc=1; }
    return $rc
}
check "stopping a hung instance frees its mount" hung_stop

# A gone mount stays gone for its instance: while an unmounted instance is still stopping (it is
# SIGSTOPped here, so it lingers until the stop timeout kills it), another instance's new mount
# may get the same device number (the kernel hands it on at once), and its /dev/fuse descriptor
# still names that number. The first instance must neither take that mount for its own nor
# abort it when it ends.
device_reused() {
    mkdir -p "$T/r1" "$T/r2"
    [ "$("$launchctl" start memfs r1 r1 "$T/r1")" = OK ] || return 1
    local pid dev1 dev2 rc=0; pid=$(info_field memfs r1 pid)
    dev1=$(awk -v d="$T/r1" '$5 == d { print $3 }' /proc/self/mountinfo)
    kill -STOP "$pid"
    # -c: no stat(2) of the mount point, which would wait for the stopped file system
    umount -c "$T/r1" || { kill -CONT "$pid"; return 1; }
    [ "$("$launchctl" start memfs r2 r2 "$T/r2")" = OK ] || return 1
    dev2=$(awk -v d="$T/r2" '$5 == d { print $3 }' /proc/self/mountinfo)
    if [ "$dev1" = "$dev2" ]; then echo "   device $dev2 reused"
    else echo "   device not reused ($dev1, then $dev2; another mount took it): the race did not happen"; fi
    # the stop timeout kills r1
    wait_for "! kill -0 $pid 2>/dev/null && ! listed memfs r1" 100 || { echo "r1 did not end"; rc=1; }
    sleep 0.3
    { is_mounted "$T/r2" && echo reused > "$T/r2/f" && [ "$(cat "$T/r2/f")" = reused ] && listed memfs r2; } ||
        { echo "r2's mount did not survive r1's end"; rc=1; }
    ! grep -q "memfs/r1: mounted at $T/r2 " "$T/main.log" || { echo "r1 took r2's mount for its own"; rc=1; }
    [ "$("$launchctl" stop memfs r2)" = OK ] && ! is_mounted "$T/r2" || rc=1
    return $rc
}
check "a gone mount's device number, reused by another instance, stays the other's" device_reused

# fsptool lsvol: the volume, its process, its class and instance, its label (memfs has none).
lsvol() {
    mkdir -p "$T/m5"
    [ "$("$launchctl" start memfs m5 m5 "$T/m5")" = OK ] || return 1
    local pid out label=- labelled; pid=$(info_field memfs m5 pid)
    out=$("$fsptool" lsvol)
    # a label set with FS_IOC_SETFSLABEL (_IOW(0x94, 50, char[256])) shows in the last column
    if command -v python3 >/dev/null; then
        python3 -c 'import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.ioctl(fd, 0x41009432, b"Lab el" + bytes(250))' "$T/m5" && label="Lab el"
    fi
    labelled=$("$fsptool" lsvol)
    "$launchctl" stop memfs m5 >/dev/null
    grep -E "^$T/m5 +memfs +m5 +$pid/memfs +yes +memfs/m5 +-\$" <<<"$out" || { echo "$out"; return 1; }
    grep -E "^$T/m5 +memfs +m5 +$pid/memfs +yes +memfs/m5 +$label\$" <<<"$labelled" || { echo "$labelled"; return 1; }
}
check "fsptool lsvol shows the volume, its process and class/instance" lsvol

# The passthrough example class (root only by default).
passthrough_class() {
    mkdir -p "$T/src" "$T/pt" && echo "source file" > "$T/src/f"
    [ "$("$launchctl" start passthrough "$T/src" "$T/src" "$T/pt")" = OK ] || return 1
    local ok=0; [ "$(cat "$T/pt/f")" = "source file" ] && ok=1
    [ "$("$launchctl" stop passthrough "$T/src")" = OK ] && [ $ok -eq 1 ] && ! is_mounted "$T/pt"
}
check "passthrough example class mounts its source" passthrough_class

# JobControl: the launcher's exit ends the instances of JobControl=1 classes (unmounted), and
# leaves those of JobControl=0 classes running; a killed launcher's instances get SIGTERM.
jobcontrol() {
    printf 'Executable=%s\nCommandLine=%s/out/free-%%1.txt\nJobControl=0\n' "$echo_exe" "$T" > "$T/classes/free.conf"
    start_launcher jc "$T/jc.sock" || return 1
    local s=$T/jc.sock memfs_pid free_pid
    mkdir -p "$T/j1"
    [ "$(LINFSP_LAUNCHER_SOCKET=$s "$launchctl" start memfs j1 j1 "$T/j1")" = OK ] || return 1
    [ "$(LINFSP_LAUNCHER_SOCKET=$s "$launchctl" start free f1 f1)" = OK ] || return 1
    memfs_pid=$(LINFSP_LAUNCHER_SOCKET=$s info_field memfs j1 pid)
    wait_for "[ -s '$T/out/free-f1.txt' ]" 50 || return 1
    free_pid=$(sed -n 's/^pid=//p' "$T/out/free-f1.txt")
    kill -TERM "$jc_pid"
    wait_for "! kill -0 $jc_pid 2>/dev/null" 150 || return 1
    local rc=0
    { ! is_mounted "$T/j1" && ! kill -0 "$memfs_pid" 2>/dev/null; } || { echo "JobControl=1 instance left"; rc=1; }
    kill -0 "$free_pid" 2>/dev/null || { echo "JobControl=0 instance ended"; rc=1; }
    kill -TERM "$free_pid" 2>/dev/null
    # a launcher killed outright: its instances get SIGTERM (PR_SET_PDEATHSIG) and unmount
    start_launcher jc2 "$T/jc2.sock" || return 1
    mkdir -p "$T/j2"
    [ "$(LINFSP_LAUNCHER_SOCKET=$T/jc2.sock "$launchctl" start memfs j2 j2 "$T/j2")" = OK ] || return 1
    memfs_pid=$(LINFSP_LAUNCHER_SOCKET=$T/jc2.sock info_field memfs j2 pid)
    kill -KILL "$jc2_pid"; wait "$jc2_pid" 2>/dev/null
    wait_for "! is_mounted '$T/j2' && ! kill -0 $memfs_pid 2>/dev/null" 100 || { echo "instance of a killed launcher left"; rc=1; }
    rm -f "$T/classes/free.conf"
    [ $rc -eq 0 ] || tail -20 "$T/jc.log" "$T/jc2.log"
    return $rc
}
check "the launcher's exit ends JobControl instances and leaves the others" jobcontrol

# Daemon mode: returns once listening; --pid-file.
daemon_mode() {
    "$launcher" -s "$T/d.sock" -c "$T/classes" -p "$T/d.pid" || return 1
    local pid; pid=$(cat "$T/d.pid") && launcher_pids+=("$pid")
    [ "$(LINFSP_LAUNCHER_SOCKET=$T/d.sock "$launchctl" list)" = OK ] || return 1
    # a second launcher on the same socket is refused
    "$launcher" -f -s "$T/d.sock" -c "$T/classes" 2>"$T/d2.log" && return 1
    grep -q "another launcher serves this socket" "$T/d2.log" || return 1
    kill -TERM "$pid"
    wait_for "! kill -0 $pid 2>/dev/null" 100 && [ ! -e "$T/d.sock" ] && [ ! -e "$T/d.pid" ]
}
check "daemon mode (no -f): ready when it returns, one launcher per socket" daemon_mode

# Socket activation as systemd does it (systemd-socket-activate: LISTEN_FDS, fd 3).
socket_activation() {
    command -v systemd-socket-activate >/dev/null || { echo "   (no systemd-socket-activate)"; return 0; }
    systemd-socket-activate --seqpacket -l "$T/sa.sock" "$launcher" -f -c "$T/classes" \
        >"$T/sa.log" 2>&1 &
    local pid=$!; launcher_pids+=("$pid")
    wait_for "[ -S '$T/sa.sock' ]" 50 || return 1
    mkdir -p "$T/sa"
    local out; out=$(LINFSP_LAUNCHER_SOCKET=$T/sa.sock "$launchctl" start memfs sa sa "$T/sa")
    [ "$out" = OK ] && is_mounted "$T/sa" || { echo "$out"; cat "$T/sa.log"; return 1; }
    [ "$(LINFSP_LAUNCHER_SOCKET=$T/sa.sock "$launchctl" stop memfs sa)" = OK ] || return 1
    grep -q "listening on the socket systemd passed" "$T/sa.log" || return 1
    kill -TERM "$pid"; wait_for "! kill -0 $pid 2>/dev/null" 100
}
check "socket activation" socket_activation

# The systemd units are valid (systemd-analyze verify, ExecStart pointed at this launcher), and
# the man pages their Documentation= names exist: the installed ones (PREFIX/share/man), or
# doc/man's laid out as a man tree.
units_valid() {
    command -v systemd-analyze >/dev/null || { echo "   (no systemd-analyze)"; return 0; }
    mkdir -p "$T/units"
    sed "s|^ExecStart=[^ ]*|ExecStart=$launcher|" "$units/linfsp-launcher.service" > "$T/units/linfsp-launcher.service"
    cp "$units/linfsp-launcher.socket" "$T/units/"
    local manpath=$prefix/share/man page
    if [ -z "$prefix" ]; then
        manpath=$T/man
        for page in "$(dirname "$(realpath "$0")")"/../../doc/man/*.[1-8]; do
            mkdir -p "$manpath/man${page##*.}" && ln -sf "$(realpath "$page")" "$manpath/man${page##*.}/"
        done
    fi
    grep -q "^ListenSequentialPacket=/run/linfsp/launcher.sock" "$T/units/linfsp-launcher.socket" &&
        grep -q "^KillMode=process" "$T/units/linfsp-launcher.service" &&
        grep -q "^Documentation=man:linfsp-launcher(8)" "$T/units/linfsp-launcher.service" &&
        MANPATH=$manpath systemd-analyze verify "$T/units/linfsp-launcher.socket" "$T/units/linfsp-launcher.service"
}
check "systemd units verify" units_valid

# ---- mount(8): -t linfsp.CLASS, fstab, user mounts, umount ----
# In this namespace: mount.linfsp where mount(8) looks (/sbin = /usr/sbin here), a private
# /run (utab), a test fstab over /etc/fstab.
setup_mount8() {
    local sbindir; sbindir=$(realpath /sbin)
    mkdir -p "$T/ovl/upper" "$T/ovl/work" && ln -s "$mount_helper" "$T/ovl/upper/mount.linfsp" &&
        mount -t overlay overlay -o "lowerdir=$sbindir,upperdir=$T/ovl/upper,workdir=$T/ovl/work" "$sbindir" &&
        mount -t tmpfs -o mode=755 linfsp-test-run /run &&
        mkdir -p "$T/mt1" "$T/mt2" "$T/mt3" "$T/mt4" "$T/mt5" "$T/mt6" "$T/pub" "$T/priv" &&
        cat > "$T/fstab" <<EOF
mt2 $T/mt2 linfsp.memfs noauto 0 0
mt3 $T/mt3 linfsp.memfs noauto,user 0 0
p5 $T/mt5 linfsp.passthrough noauto,user 0 0
$T/pub $T/mt6 linfsp.ptusers ro,noauto,user 0 0
EOF
    chmod 644 "$T/fstab" && touch /etc/fstab && mount --bind "$T/fstab" /etc/fstab
}
if check "mount(8) set-up in the private namespace" setup_mount8; then
    mount_t() {
        mount -t linfsp.memfs mt1 "$T/mt1" -o noexec || return 1
        awk -v d="$T/mt1" '$5 == d && / - fuse.memfs mt1 / && $6 ~ /noexec/ { f = 1 } END { exit !f }' \
            /proc/self/mountinfo || { grep "$T/mt1" /proc/self/mountinfo; return 1; }
        listed memfs mt1 || return 1
        local pid; pid=$(info_field memfs mt1 pid)
        echo x > "$T/mt1/f" && umount "$T/mt1" || return 1
        wait_for "! listed memfs mt1 && ! kill -0 $pid 2>/dev/null" 100
    }
    check "mount -t linfsp.memfs (mount.linfsp -t) and umount, as root" mount_t
    mount_t_symlink() {
        ln -s "$mount_helper" "$T/ovl/upper/mount.linfsp.memfs" || return 1
        mount -t linfsp.memfs mt1 "$T/mt1" || return 1
        local rc=0; is_mounted "$T/mt1" && listed memfs mt1 || rc=1
        umount "$T/mt1"
        rm -f "$T/ovl/upper/mount.linfsp.memfs"
        wait_for "! listed memfs mt1" 100 && [ $rc -eq 0 ]
    }
    check "mount -t linfsp.memfs through mount.linfsp.memfs (class from the helper's name)" mount_t_symlink
    # mount(8) runs a helper as "HELPER SPEC DIR [OPTIONS]": the first two arguments are the
    # instance and the mount point even when the instance starts with "-" (which the launcher
    # allows), e.g. "-f", which must not be taken for -f (fake: nothing mounted, yet success).
    mount_t_dash() {
        local rc=0
        mount -t linfsp.memfs -- -f "$T/mt1" || rc=1
        is_mounted "$T/mt1" && listed memfs -f || { echo "-f not mounted"; rc=1; }
        umount "$T/mt1" 2>/dev/null
        wait_for "! listed memfs -f" 100 || rc=1
        mount -t linfsp.memfs -- -o "$T/mt1" || rc=1
        is_mounted "$T/mt1" && listed memfs -o || { echo "-o not mounted"; rc=1; }
        umount "$T/mt1" 2>/dev/null
        wait_for "! listed memfs -o" 100 || rc=1
        return $rc
    }
    check "mount -t linfsp.memfs of an instance whose name starts with -" mount_t_dash
    mount_fstab_root() {
        mount "$T/mt2" && is_mounted "$T/mt2" && listed memfs mt2 && umount "$T/mt2" &&
            wait_for "! listed memfs mt2" 100
    }
    check "mount DIR from fstab, as root" mount_fstab_root
    mount_fstab_user() {
        local out
        out=$(as_nobody mount "$T/mt3" 2>&1) || { echo "$out"; return 1; }
        is_mounted "$T/mt3" && listed memfs mt3 || return 1
        # the user's instance: the user may write (the root directory is 1777), stop it, umount it
        as_nobody sh -c "echo user > '$T/mt3/userfile'" || return 1
        out=$(as_nobody umount "$T/mt3" 2>&1) || { echo "$out"; return 1; }
        wait_for "! is_mounted '$T/mt3' && ! listed memfs mt3" 100
    }
    check "mount DIR and umount DIR as an ordinary user (fstab option user)" mount_fstab_user
    mount_user_refused() {
        local out
        # not in fstab: mount(8) itself refuses an ordinary user
        as_nobody mount -t linfsp.memfs mt4 "$T/mt4" >/dev/null 2>&1 && return 1
        # in fstab with user, but the class's Security does not let users start it
        out=$(as_nobody mount "$T/mt5" 2>&1) && return 1
        grep -q "access denied" <<<"$out" || { echo "$out"; return 1; }
        ! is_mounted "$T/mt4" && ! is_mounted "$T/mt5"
    }
    check "ordinary users: no mount without fstab's user option or the class's Security" mount_user_refused
    # An fstab line lets a user start what mount(8) would start from it and nothing else: not
    # the line's instance at its mount point with another source, or with options the line
    # does not give (rw where it says ro). ptusers: passthrough (as root) that users may start.
    fstab_binds_arguments() {
        sed -e 's/^JobControl=1$/Security=D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)(A;;RP;;;WD)\nJobControl=1/' \
            "$T/classes/passthrough.conf" > "$T/ptusers.conf" && "$fsreg" -f "$T/ptusers.conf" >/dev/null || return 1
        echo public > "$T/pub/f" && echo private > "$T/priv/f" && chmod 700 "$T/priv" || return 1
        local out rc=0
        # as mount(8) starts it: read-only, the line's source
        out=$(as_nobody mount "$T/mt6" 2>&1) || { echo "mount: $out"; rc=1; }
        [ "$(as_nobody cat "$T/mt6/f" 2>&1)" = public ] || { echo "not the line's source"; rc=1; }
        as_nobody sh -c "echo x > '$T/mt6/new'" 2>/dev/null && { echo "not read-only"; rc=1; }
        as_nobody umount "$T/mt6" 2>/dev/null || umount "$T/mt6"
        wait_for "! listed ptusers '$T/pub'" 100 || rc=1
        # the line's instance and mount point, another source: refused
        out=$(as_nobody "$launchctl" start ptusers "$T/pub" "$T/priv" "$T/mt6" "ro,noexec,nosuid,nodev")
        [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "other source: $out"; rc=1; }
        # the line's source, but rw where the line says ro: refused
        out=$(as_nobody "$launchctl" start ptusers "$T/pub" "$T/pub" "$T/mt6" rw)
        [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "rw: $out"; rc=1; }
        ! is_mounted "$T/mt6" || { echo "mounted"; umount -l "$T/mt6"; rc=1; }
        grep -q "does not allow the option rw" "$T/main.log" || { echo "no reason logged"; rc=1; }
        # what mount(8) sends, by hand: allowed
        out=$(as_nobody "$launchctl" start ptusers "$T/pub" "$T/pub" "$T/mt6" "ro,noexec,nosuid,nodev")
        [ "$out" = OK ] && is_mounted "$T/mt6" || { echo "as mount(8): $out"; rc=1; }
        "$launchctl" stop ptusers "$T/pub" >/dev/null 2>&1
        rm -f "$T/classes/ptusers.conf"
        return $rc
    }
    check "an fstab line lets users start only what mount(8) would (its source and options)" fstab_binds_arguments
    # A mount point on or below a FUSE file system a user mounted is refused: that user's server
    # answers lookups as it likes and could turn a component into a symbolic link to /etc
    # between the launcher's check and the mount, whatever stat showed. Here nobody's memfs
    # (through fusermount3, allow_other), whose root looks root's and 0755, with a directory
    # of root's in it; fstab lines let users mount both.
    users_fuse_refused() {
        local fm; fm=$(command -v fusermount3) && [ -u "$fm" ] || { echo "   (no setuid fusermount3)"; return 0; }
        echo user_allow_other > "$T/fuse.conf" && touch /etc/fuse.conf &&
            mount --bind "$T/fuse.conf" /etc/fuse.conf || return 1
        # /dev/fuse open to users, as on a usual system (some containers have it 0600)
        local fusedev=0
        if ! as_nobody test -r /dev/fuse -a -w /dev/fuse; then
            rm -f "$T/fuse-dev" && mknod -m 666 "$T/fuse-dev" c 10 229 &&
                mount --bind "$T/fuse-dev" /dev/fuse && fusedev=1 || return 1
        fi
        mkdir -p "$T/uf" && chown $NOBODY "$T/uf" && cp "$T/fstab" "$T/fstab.saved" || return 1
        as_nobody "$memfs" -m "$T/uf" -o allow_other \
            -S 'O:S-1-22-1-0G:S-1-22-2-0D:P(A;;FA;;;S-1-22-1-0)(A;;0x1200a9;;;S-1-22-2-0)(A;;0x1200a9;;;WD)' \
            >"$T/uf.log" 2>&1 &
        local fs_pid=$! rc=0 out
        if wait_for "is_mounted '$T/uf'" 100 && mkdir -p "$T/uf/sub"; then
            printf 'uf1 %s linfsp.memfs noauto,user 0 0\nuf2 %s linfsp.memfs noauto,user 0 0\n' \
                "$T/uf/sub" "$T/uf" >> "$T/fstab"
            out=$(as_nobody "$launchctl" start memfs uf1 uf1 "$T/uf/sub" rw,noexec,nosuid,nodev)
            [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "below: $out"; rc=1; }
            out=$(as_nobody "$launchctl" start memfs uf2 uf2 "$T/uf" rw,noexec,nosuid,nodev)
            [ "$out" = "KO launcher: error 161 (the caller may not mount there)" ] || { echo "on: $out"; rc=1; }
            grep -q "$T/uf is on a FUSE file system mounted by uid $NOBODY" "$T/main.log" || { echo "not logged"; rc=1; }
            "$launchctl" stop memfs uf1 >/dev/null 2>&1; "$launchctl" stop memfs uf2 >/dev/null 2>&1
            ! is_mounted "$T/uf/sub" || { umount -l "$T/uf/sub"; rc=1; }
        else
            echo "nobody's memfs did not mount"; cat "$T/uf.log"; rc=1
        fi
        kill -TERM $fs_pid 2>/dev/null; wait $fs_pid 2>/dev/null
        is_mounted "$T/uf" && umount -l "$T/uf"
        cat "$T/fstab.saved" > "$T/fstab"
        umount /etc/fuse.conf
        [ $fusedev -eq 1 ] && umount -l /dev/fuse
        return $rc
    }
    check "a mount point on or below a user's FUSE file system is refused" users_fuse_refused
    # The quick starts of doc/launcher.md and README.md work as written: each command
    # succeeds, run with this test's programs (first in PATH; mount.linfsp where mount(8) looks),
    # its launcher (instead of systemctl), its memfs class file, its fstab, and $T/qs for /mnt.
    doc_quick_start() {
        local doc=$1 heading=$2 cmds rc=0
        cmds=$(awk -v h="$heading" 'index($0, h) == 1 { f = 1 } f && /^```sh/ { b = 1; next }
                                    b && /^```/ { exit } b' "$doc")
        [ -n "$cmds" ] || { echo "no quick start in $doc"; return 1; }
        cmds=$(sed -e '/^meson setup/d' -e '/systemctl/d' -e 's/^sudo //' -e 's/| sudo /| /' \
                   -e "s|/usr/share/linfsp/services/memfs.conf|$memfs_class|g" \
                   -e "s|/mnt/|$T/qs/|g" <<<"$cmds")
        mkdir -p "$T/qs" && find "$T/qs" -mindepth 1 -maxdepth 1 -type d -empty -delete || return 1
        mkdir -p "$T/qsbin" && ln -sf "$launchctl" "$fsreg" "$fsptool" "$T/qsbin/" &&
            cp "$T/fstab" "$T/fstab.saved" || return 1
        PATH=$T/qsbin:$PATH bash -e -o pipefail -c "$cmds" >"$T/qs.log" 2>&1 || { cat "$T/qs.log"; rc=1; }
        # what a quick start leaves running
        local inst
        for inst in $("$launchctl" list | awk 'NR > 1 && $1 == "memfs" && $2 ~ /^m[0-9]$/ { print $2 }'); do
            "$launchctl" stop memfs "$inst" >/dev/null
        done
        cat "$T/fstab.saved" > "$T/fstab"
        ! awk -v d="$T/qs/" 'index($5, d) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo || { echo "mounts left"; rc=1; }
        return $rc
    }
    srcdir=$(dirname "$(realpath "$0")")/../..
    check "doc/launcher.md's quick start works as written" doc_quick_start "$srcdir/doc/launcher.md" "## Quick start"
    check "README's launcher commands work as written" doc_quick_start "$srcdir/README.md" "## The launcher"
fi

# Nothing left: no instance, no mount, no process of ours.
leftovers() {
    local rc=0
    [ "$("$launchctl" list)" = OK ] || { "$launchctl" list; rc=1; }
    local mounts; mounts=$(awk -v d="$T" 'index($5, d "/") == 1' /proc/self/mountinfo)
    [ -n "$mounts" ] && { echo "mounts left: $mounts"; rc=1; }
    local left; left=$(pgrep -af -- "$T/" | grep -v -e "linfsp-launcher" -e "pgrep" || true)
    [ -n "$left" ] && { echo "processes left: $left"; rc=1; }
    return $rc
}
check "nothing left behind" leftovers

# The main launcher stops cleanly on SIGTERM (ASan: no leak, exit 0).
stop_main() {
    kill -TERM "$main_pid" && wait "$main_pid"
}
check "the launcher exits 0 on SIGTERM" stop_main
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error" "$T"/*.log; then
    ko "no sanitizer report in the launchers' logs"
    grep -E -A20 "ERROR: (Address|Leak)Sanitizer|runtime error" "$T"/*.log | head -60
else
    ok "no sanitizer report in the launchers' logs"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
