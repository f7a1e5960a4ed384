#!/usr/bin/env bash
# tests/tools/test-debian-packages.sh [DEBDIR] - LinFsp's Debian packages, built, checked,
# installed on this machine, used, and removed again.
#
#  1. builds the packages with scripts/build-deb.sh (into DEBDIR, default a temporary directory);
#  2. checks that each package holds what it should, and that none of their files belongs to an
#     installed package (Debian's libfuse3-3, libfuse3-dev, libfuse2, libfuse-dev, fuse3, ...);
#  3. lintian: no errors (warnings are listed; the expected ones are overridden and explained in
#     debian/*.lintian-overrides and doc/packaging.md);
#  4. installs them with dpkg -i, then from the installed files only: mounts memfs
#     (/usr/bin/memfs) and uses it, builds a native program and a libfuse 3 program against the
#     installed headers and pkg-config files and runs them, shows man pages with man(1);
#  5. purges the packages and checks that nothing of them is left (the machine as it was).
# Needs root and /dev/fuse. Prints "N passed, N failed"; exit 0 when nothing failed. When one of
# the packages is installed before the test, steps 4 and 5 are skipped (the machine is not
# changed) and counted as skipped.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ]; then
    echo "test-debian-packages: needs root and /dev/fuse"
    echo "0 passed, 1 failed"
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/test-debian-packages.XXXXXX")
debs=${1:-$T/debs}
packages="liblinfsp0 liblinfsp-dev linfsp-fuse-compat linfsp-tools"
pid=
installed=
passed=0 failed=0 skipped=0

purge() {
    # shellcheck disable=SC2086  # word splitting of the package list is wanted
    dpkg --purge $packages >"$T/purge.log" 2>&1
}
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && linfsp_free_mounts_under "$T" && kill -KILL "$pid" 2>/dev/null
    fi
    linfsp_free_mounts_under "$T"
    [ -n "$installed" ] && purge
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check DESCRIPTION COMMAND...: one test
    if "${@:2}"; then echo "$1... OK"; passed=$((passed + 1)); else echo "$1... FAIL"; failed=$((failed + 1)); fi
}
skip() { echo "$1... SKIP ($2)"; skipped=$((skipped + 1)); }
finish() {
    if [ $skipped -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
    else echo "$passed passed, $failed failed"; fi
    [ $failed -eq 0 ]
    exit
}

# ---- 1. build ----
linfsp_install_packages lintian man-db groff-base || { echo "cannot install lintian and man-db"; failed=1; finish; }
build_ok() { bash scripts/build-deb.sh "$debs" >"$T/build.log" 2>&1 || { tail -30 "$T/build.log"; return 1; }; }
check "the packages build (scripts/build-deb.sh)" build_ok
deb() { ls "$debs/$1"_*.deb 2>/dev/null | head -1; }
for p in $packages; do
    check "$p is built" test -n "$(deb "$p")"
done
[ $failed -eq 0 ] || finish

# ---- 2. contents ----
has() { # has PACKAGE REGEX: the package holds a file matching REGEX
    dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | grep -E "$2" >/dev/null
}
check "liblinfsp0 holds liblinfsp.so.0" has liblinfsp0 '^\./usr/lib/[^/]+/liblinfsp\.so\.0$'
check "liblinfsp0 holds no headers" bash -c "! dpkg-deb -c '$(deb liblinfsp0)' | grep include/ >/dev/null"
check "liblinfsp-dev holds winfsp/winfsp.h" has liblinfsp-dev '^\./usr/include/winfsp/winfsp\.h$'
check "liblinfsp-dev holds linfsp.pc" has liblinfsp-dev '/pkgconfig/linfsp\.pc$'
check "liblinfsp-dev holds the liblinfsp.so link" has liblinfsp-dev '/liblinfsp\.so$'
check "linfsp-fuse-compat holds liblinfsp-fuse3.so.3" has linfsp-fuse-compat '/liblinfsp-fuse3\.so\.3$'
check "linfsp-fuse-compat holds liblinfsp-fuse.so.2" has linfsp-fuse-compat '/liblinfsp-fuse\.so\.2$'
check "linfsp-fuse-compat holds its headers under linfsp/" has linfsp-fuse-compat '^\./usr/include/linfsp/fuse3/fuse\.h$'
check "linfsp-fuse-compat holds linfsp-fuse3.pc and linfsp-fuse.pc" \
    bash -c "dpkg-deb -c '$(deb linfsp-fuse-compat)' | grep 'linfsp-fuse3\.pc' >/dev/null && dpkg-deb -c '$(deb linfsp-fuse-compat)' | grep 'linfsp-fuse\.pc' >/dev/null"
for prog in memfs passthrough fsptool fsp-tests memfs-fuse3 memfs-fuse2 passthrough-fuse hello-fuse3; do
    check "linfsp-tools holds $prog and its man page" \
        bash -c "dpkg-deb -c '$(deb linfsp-tools)' | grep '\./usr/bin/$prog\$' >/dev/null && dpkg-deb -c '$(deb linfsp-tools)' | grep 'man1/$prog\.1\.gz\$' >/dev/null"
done
# Every program the packages install has a man page.
no_page=$(dpkg-deb -c "$(deb linfsp-tools)" | awk '{print $6}' | sed -n 's#^\./usr/bin/##p' |
    while read -r p; do dpkg-deb -c "$(deb linfsp-tools)" | grep "man1/$p\.1\.gz\$" >/dev/null || echo "$p"; done)
check "every program in linfsp-tools has a man page${no_page:+ (missing: $no_page)}" test -z "$no_page"
# No file clashes with an installed package (libfuse's packages are installed for the tests).
clashes=$T/clashes
for p in $packages; do
    dpkg-deb -c "$(deb "$p")" | grep -v '^d' | awk '{print $6}' | sed 's#^\.##' |
        while read -r f; do
            owner=$(dpkg -S "$f" 2>/dev/null | grep -vE '^(liblinfsp0|liblinfsp-dev|linfsp-fuse-compat|linfsp-tools)(:[a-z0-9]+)?: ') &&
                echo "$f: $owner"
        done
done >"$clashes"
cat "$clashes"
check "no file of the packages belongs to another installed package" test ! -s "$clashes"
for p in libfuse3-3 libfuse3-dev libfuse2 libfuse-dev fuse3; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        check "$p is installed, so the check above covered it" true
    else
        skip "file clash check against $p" "not installed"
    fi
done

# ---- 3. lintian ----
lintian_ok() {
    lintian --fail-on error --pedantic -I "$debs"/*.changes 2>&1 | grep -v '^running with root' | tee "$T/lintian.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] && ! grep -q '^E:' "$T/lintian.log"
}
check "lintian finds no error" lintian_ok

# ---- 4. install and use ----
already=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && already="$already $p"
done
if [ -n "$already" ]; then
    skip "install, use and remove" "installed before the test:$already"
    finish
fi
installed=1
# shellcheck disable=SC2046  # one argument per package file
check "dpkg -i installs the four packages" dpkg -i $(for p in $packages; do deb "$p"; done)
for p in $packages; do
    check "$p is installed" bash -c "dpkg-query -W -f='\${Status}' $p | grep -q 'ok installed'"
done
check "memfs uses the installed liblinfsp.so.0" bash -c "ldd /usr/bin/memfs | grep -qE 'liblinfsp\.so\.0 => (/usr)?/lib/[^ ]*/liblinfsp\.so\.0 '"
check "the installed programs carry no build-tree RUNPATH" bash -c "! readelf -d /usr/bin/memfs /usr/bin/memfs-fuse3 | grep -q 'R\(UN\)\?PATH'"

mnt=$T/mnt
mkdir -p "$mnt"
/usr/bin/memfs -m "$mnt" >"$T/memfs.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "serving at" "$T/memfs.log" && break; sleep 0.1; done
check "memfs from the package mounts" bash -c "grep -q ' $mnt fuse.memfs ' /proc/self/mounts"
check "a file written on it reads back" bash -c "echo 'from the package' > '$mnt/f' && [ \"\$(cat '$mnt/f')\" = 'from the package' ]"
check "mkdir, symlink and rename work" bash -c "mkdir '$mnt/d' && ln -s f '$mnt/d/l' && mv '$mnt/f' '$mnt/d/g' && [ \"\$(readlink '$mnt/d/l')\" = f ] && [ -f '$mnt/d/g' ]"
check "extended attributes work" bash -c "setfattr -n user.x -v y '$mnt/d/g' && [ \"\$(getfattr --only-values -n user.x '$mnt/d/g')\" = y ]"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
check "memfs exits 0 on SIGTERM" test $rc -eq 0
check "memfs leaves nothing mounted" bash -c "! grep -q ' $mnt ' /proc/self/mounts"

# A file system and a libfuse program built against the installed development files.
cat >"$T/native.c" <<'EOF'
#include <winfsp/winfsp.h>
#include <stdio.h>
int main(void)
{
    UINT32 v = 0;
    FspVersion(&v);
    printf("LinFsp %u.%u\n", (unsigned)(v >> 16), (unsigned)(v & 0xffff));
    return NT_SUCCESS(FspFileSystemPreflight(FSP_FSCTL_DISK_DEVICE_NAME, 0)) ? 0 : 1;
}
EOF
# shellcheck disable=SC2046  # pkg-config's flags are word-split on purpose
check "a native program builds with pkg-config linfsp and runs" bash -c \
    "gcc -std=gnu11 -Wall -Werror '$T/native.c' \$(pkg-config --cflags --libs linfsp) -o '$T/native' && '$T/native' | grep -q '^LinFsp '"
check "hello-fuse3.c builds with pkg-config linfsp-fuse3" bash -c \
    "gcc -std=gnu11 -Wall -Werror examples/fuse/hello-fuse3.c \$(pkg-config --cflags --libs linfsp-fuse3) -o '$T/hello'"
hello_runs() {
    local m=$T/hello-mnt
    mkdir -p "$m"
    "$T/hello" -f -o greeting=packaged "$m" >"$T/hello.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q " $m fuse" /proc/self/mounts && break; sleep 0.1; done
    local got
    got=$(cat "$m/hello" 2>&1)
    kill -TERM "$pid"; wait "$pid"; pid=
    [ "$got" = packaged ]
}
check "that program mounts and serves its file" hello_runs
check "man shows memfs(1)" bash -c "LC_ALL=C MANWIDTH=80 man memfs 2>/dev/null | grep -q 'memfs - an in-memory file system'"
check "man -w finds every page of the package" bash -c \
    "for p in memfs passthrough fsptool fsp-tests memfs-fuse3 memfs-fuse2 passthrough-fuse hello-fuse3; do man -w \$p | grep -q '^/usr/share/man/man1/' || exit 1; done"
check "fsptool from the package runs" bash -c "/usr/bin/fsptool ver | grep -q '^LinFsp '"

# ---- 5. remove ----
check "dpkg --purge removes the four packages" purge
installed=
for p in $packages; do
    check "$p is gone" bash -c "! dpkg-query -W -f='\${Status}' $p 2>/dev/null | grep -q 'installed'"
done
check "no file of the packages is left" bash -c "[ ! -e /usr/bin/memfs ] && [ ! -e /usr/include/winfsp ] && ! ls /usr/lib/*/liblinfsp* >/dev/null 2>&1"
check "the dynamic linker's cache no longer lists liblinfsp" bash -c "! ldconfig -p | grep -q liblinfsp"
finish
