#!/bin/bash
# tests/tools/test-dotnet-install.sh BUILDDIR PREFIX
#
# The .NET layer as a user gets it (needs root, /dev/fuse, Mono's mcs): configures BUILDDIR with
# --prefix=PREFIX (a directory outside the system's library paths; a BUILDDIR configured before
# gets that prefix), installs, then follows
# doc/dotnet.md and doc/tutorial-dotnet.md word for word:
# - builds the tutorial's file system (doc/tutorial/Hello.cs) against the installed assembly
#   (mcs $(pkg-config --libs linfsp-net) with PKG_CONFIG_PATH), runs it with MONO_PATH, and again
#   with linfsp-net.dll and its .dll.config copied next to the .exe; mounts, reads, lists, is
#   refused a write (read-only volume), stops on SIGTERM with status 0, unmounted;
# - runs the installed memfs-dotnet and passthrough-dotnet launchers (PREFIX/bin);
# - each time, the liblinfsp.so.0 the process mapped is PREFIX's (no LD_LIBRARY_PATH set).
# Prints "N passed, N failed". Everything is made under one mktemp directory; the exit trap stops
# what it started (by pid) and frees a mount left behind.
set -u
[ $# -eq 2 ] || { echo "usage: test-dotnet-install.sh BUILDDIR PREFIX" >&2; exit 2; }
build=$(realpath -m "$1") prefix=$(realpath -m "$2")
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || ! command -v mcs >/dev/null; then
    echo "test-dotnet-install: needs root, /dev/fuse and mcs; skipped"
    exit 77
fi
unset LD_LIBRARY_PATH MONO_PATH

T=$(mktemp -d /tmp/test-dotnet-install.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    local m
    for m in "$T"/mnt*; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
same() { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: '$2' != '$3'"; fi; }
m() { timeout -s KILL 20 "$@"; }

# ---- install ----
if [ ! -f "$build/build.ninja" ]; then
    meson setup --prefix="$prefix" "$build" >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; echo "0 passed, 1 failed"; exit 1; }
else
    meson configure "$build" -Dprefix="$prefix" >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; echo "0 passed, 1 failed"; exit 1; }
fi
if ninja -C "$build" install >"$T/install.log" 2>&1; then
    ok "meson setup --prefix=$prefix; ninja install"
else
    tail -30 "$T/install.log"; bad "ninja install"; echo "$pass passed, $fail failed"; exit 1
fi
libdir=$(meson introspect "$build" --buildoptions | "${PYTHON:-python3}" -c \
    'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "libdir"][0])')
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
netdir=$prefix/$libdir/linfsp-net
check "installed: linfsp-net.dll, its .dll.config, the examples, linfsp-net.pc" test -f "$netdir/linfsp-net.dll" \
    -a -f "$netdir/linfsp-net.dll.config" -a -f "$netdir/memfs-dotnet.exe" -a -f "$PKG_CONFIG_PATH/linfsp-net.pc"
check "the .dll.config maps liblinfsp.so.0 to the prefix's" grep -qF "target=\"$prefix/$libdir/liblinfsp.so.0\"" \
    "$netdir/linfsp-net.dll.config"

# serve NAME MOUNTPOINT COMMAND...: start a file system in the background, wait for its mount
serve() {
    local name=$1 mnt=$2; shift 2
    mkdir -p "$mnt"
    "$@" >"$T/$name.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do mountpoint -q "$mnt" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if mountpoint -q "$mnt"; then ok "$name: mounted"; else bad "$name: mounted"; cat "$T/$name.log"; fi
    local lib
    lib=$(grep -m1 'liblinfsp\.so' /proc/$pid/maps 2>/dev/null | awk '{print $6}')
    same "$name: maps the prefix's liblinfsp.so.0" "$(readlink -f "$lib")" "$(readlink -f "$prefix/$libdir/liblinfsp.so.0")"
}
# stop NAME MOUNTPOINT SIGNAL: stop it; status 0 and unmounted
stop() {
    local name=$1 mnt=$2 rc=0
    kill -"$3" $pid
    for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then bad "$name: stops on SIG$3"; kill -KILL $pid; fi
    wait $pid || rc=$?
    pid=
    same "$name: exit status after SIG$3" "$rc" 0
    check "$name: unmounted" eval '! mountpoint -q "$mnt"'
}

# ---- the tutorial's file system, built against the installed assembly (doc/tutorial-dotnet.md) ----
mkdir "$T/hello"
cp doc/tutorial/Hello.cs "$T/hello/"
# shellcheck disable=SC2046  # pkg-config's words are split on purpose
if (cd "$T/hello" && mcs -unsafe $(pkg-config --libs linfsp-net) -r:Mono.Posix.dll -out:Hello.exe Hello.cs) >"$T/mcs.log" 2>&1; then
    ok "mcs -unsafe \$(pkg-config --libs linfsp-net) -r:Mono.Posix.dll -out:Hello.exe Hello.cs"
else
    bad "mcs Hello.cs"; cat "$T/mcs.log"
fi
hello_checks() { # hello_checks NAME MOUNTPOINT
    same "$1: cat hello.txt" "$(m cat "$2/hello.txt" 2>&1)" "Hello, world!"
    same "$1: ls -l" "$(m stat -c '%A %s %n' "$2"/* 2>&1 | sed "s|$2/||")" "-r--r--r-- 14 hello.txt"
    same "$1: mount type" "$(awk -v m="$2" '$5 == m { for (i = 7; i < NF; i++) if ($i == "-") print $(i + 1) }' /proc/self/mountinfo)" "fuse.hello"
    check "$1: a write is refused" eval "! m sh -c 'echo x > \"$2/hello.txt\"' 2>/dev/null"
}
# (README: MONO_PATH=$(pkg-config --variable=libdir linfsp-net)/linfsp-net)
serve hello "$T/mnt1" env MONO_PATH="$(pkg-config --variable=libdir linfsp-net)/linfsp-net" mono "$T/hello/Hello.exe" -m "$T/mnt1"
hello_checks hello "$T/mnt1"
stop hello "$T/mnt1" TERM
# the other way doc/dotnet.md gives: the assembly and its .dll.config next to the program
cp "$netdir/linfsp-net.dll" "$netdir/linfsp-net.dll.config" "$T/hello/"
serve "hello (assembly copied)" "$T/mnt2" mono "$T/hello/Hello.exe" -m "$T/mnt2"
hello_checks "hello (assembly copied)" "$T/mnt2"
stop "hello (assembly copied)" "$T/mnt2" INT

# ---- the installed examples ----
serve memfs-dotnet "$T/mnt3" "$prefix/bin/memfs-dotnet" -m "$T/mnt3"
m sh -c "echo one > '$T/mnt3/f' && mkdir '$T/mnt3/d' && mv '$T/mnt3/f' '$T/mnt3/d/g'"
same "memfs-dotnet: write, mkdir, rename, read" "$(m cat "$T/mnt3/d/g" 2>&1)" one
stop memfs-dotnet "$T/mnt3" TERM
mkdir "$T/src"
echo source > "$T/src/s"
serve passthrough-dotnet "$T/mnt4" "$prefix/bin/passthrough-dotnet" -p "$T/src" -m "$T/mnt4"
same "passthrough-dotnet: reads the source" "$(m cat "$T/mnt4/s" 2>&1)" source
m sh -c "echo made > '$T/mnt4/t'"
same "passthrough-dotnet: writes the source" "$(cat "$T/src/t" 2>&1)" made
stop passthrough-dotnet "$T/mnt4" INT

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
