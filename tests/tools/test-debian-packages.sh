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
#     installed headers and pkg-config files and runs them, shows man pages with man(1); checks
#     that the launcher's socket unit is enabled, registers the example memfs class with fsreg,
#     runs /usr/sbin/linfsp-launcher (on a socket and class directory of its own), starts and
#     stops memfs instances with launchctl and with mount -t linfsp.memfs (/sbin/mount.linfsp)
#     and umount;
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
packages="liblinfsp0 liblinfsp-dev linfsp-fuse-compat linfsp-tools linfsp-launcher"
pid= lpid=
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
    if [ -n "$lpid" ] && kill -0 "$lpid" 2>/dev/null; then
        # SIGTERM: the launcher stops its instances (JobControl=1) and exits
        kill -TERM "$lpid" 2>/dev/null
        for _ in $(seq 150); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$lpid" 2>/dev/null && linfsp_free_mounts_under "$T" && kill -KILL "$lpid" 2>/dev/null
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
check "linfsp-fuse-compat holds the compatibility pkg-config files (linfsp/compat-pkgconfig/fuse3.pc, fuse.pc)" \
    bash -c "dpkg-deb -c '$(deb linfsp-fuse-compat)' | grep '/linfsp/compat-pkgconfig/fuse3\.pc\$' >/dev/null && dpkg-deb -c '$(deb linfsp-fuse-compat)' | grep '/linfsp/compat-pkgconfig/fuse\.pc\$' >/dev/null"
for prog in memfs passthrough fsptool fsp-tests memfs-fuse3 memfs-fuse2 passthrough-fuse hello-fuse3 winfsp-memfs; do
    check "linfsp-tools holds $prog and its man page" \
        bash -c "dpkg-deb -c '$(deb linfsp-tools)' | grep '\./usr/bin/$prog\$' >/dev/null && dpkg-deb -c '$(deb linfsp-tools)' | grep 'man1/$prog\.1\.gz\$' >/dev/null"
done
check "linfsp-tools holds no launcher program" bash -c "! dpkg-deb -c '$(deb linfsp-tools)' | grep -E 'launch|fsreg|mount\.linfsp' >/dev/null"
for f in usr/sbin/linfsp-launcher sbin/mount.linfsp usr/bin/launchctl usr/bin/fsreg \
         lib/systemd/system/linfsp-launcher.service lib/systemd/system/linfsp-launcher.socket \
         usr/share/linfsp/services/memfs.conf usr/share/linfsp/services/passthrough.conf \
         etc/linfsp/services/ usr/share/man/man8/linfsp-launcher.8.gz usr/share/man/man8/mount.linfsp.8.gz \
         usr/share/man/man5/linfsp-launcher.conf.5.gz usr/share/man/man1/launchctl.1.gz \
         usr/share/man/man1/fsreg.1.gz; do
    check "linfsp-launcher holds /$f" has linfsp-launcher "^\./${f//./\\.}\$"
done
check "the mount helper is in /sbin, as fuse3's mount.fuse3 (where mount(8) looks)" \
    bash -c "! dpkg-deb -c '$(deb linfsp-launcher)' | grep -q '\./usr/sbin/mount\.linfsp'"
check "the units name the installed launcher" bash -c \
    "dpkg-deb --fsys-tarfile '$(deb linfsp-launcher)' | tar -xO ./lib/systemd/system/linfsp-launcher.service | grep -q '^ExecStart=/usr/sbin/linfsp-launcher '"
check "the memfs class names the installed memfs" bash -c \
    "dpkg-deb --fsys-tarfile '$(deb linfsp-launcher)' | tar -xO ./usr/share/linfsp/services/memfs.conf | grep -q '^Executable=/usr/bin/memfs\$'"
# Every program the packages install has a man page in its package: bin in section 1, sbin in 8.
no_page=$(for p in $packages; do
    dpkg-deb -c "$(deb "$p")" | awk '{print $6}' | sed -n 's#^\./\(usr/\)\?\(s\?bin\)/\([^/]\+\)$#\2 \3#p' |
        while read -r dir prog; do
            sec=1; [ "$dir" = sbin ] && sec=8
            dpkg-deb -c "$(deb "$p")" | grep "man$sec/$prog\.$sec\.gz\$" >/dev/null || echo "$prog($sec)"
        done
done)
check "every program the packages install has a man page${no_page:+ (missing: $no_page)}" test -z "$no_page"
# No file clashes with an installed package (libfuse's packages are installed for the tests).
clashes=$T/clashes
for p in $packages; do
    dpkg-deb -c "$(deb "$p")" | grep -v '^d' | awk '{print $6}' | sed 's#^\.##' |
        while read -r f; do
            owner=$(dpkg -S "$f" 2>/dev/null | grep -vE '^(liblinfsp0|liblinfsp-dev|linfsp-fuse-compat|linfsp-tools|linfsp-launcher)(:[a-z0-9]+)?: ') &&
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
check "dpkg -i installs the five packages" dpkg -i $(for p in $packages; do deb "$p"; done)
for p in $packages; do
    check "$p is installed" bash -c "dpkg-query -W -f='\${Status}' $p | grep -q 'ok installed'"
done
check "memfs uses the installed liblinfsp.so.0" bash -c "ldd /usr/bin/memfs | grep -qE 'liblinfsp\.so\.0 => (/usr)?/lib/[^ ]*/liblinfsp\.so\.0 '"
check "the installed programs carry no build-tree RUNPATH" bash -c "! readelf -d /usr/bin/memfs /usr/bin/memfs-fuse3 /usr/sbin/linfsp-launcher /sbin/mount.linfsp /usr/bin/launchctl | grep -q 'R\(UN\)\?PATH'"

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
# A libfuse program's own build finds LinFsp through the compatibility pkg-config directory.
check "hello-fuse3.c builds with pkg-config fuse3 from linfsp/compat-pkgconfig, against LinFsp" bash -c \
    "d=\$(ls -d /usr/lib/*/linfsp/compat-pkgconfig) && gcc -std=gnu11 -Wall -Werror examples/fuse/hello-fuse3.c \$(PKG_CONFIG_PATH=\$d pkg-config --cflags --libs fuse3) -o '$T/hello-compat' && ldd '$T/hello-compat' | grep -q liblinfsp-fuse3 && ! ldd '$T/hello-compat' | grep -q 'libfuse3\.so'"
check "man shows memfs(1)" bash -c "LC_ALL=C MANWIDTH=80 man memfs 2>/dev/null | grep -q 'memfs - an in-memory file system'"
check "man -w finds every page of the packages" bash -c \
    "for p in memfs passthrough fsptool fsp-tests memfs-fuse3 memfs-fuse2 passthrough-fuse hello-fuse3 launchctl fsreg; do man -w \$p | grep -q '^/usr/share/man/man1/' || exit 1; done &&
     man -w 8 linfsp-launcher | grep -q '^/usr/share/man/man8/' && man -w 8 mount.linfsp | grep -q '^/usr/share/man/man8/' &&
     man -w 5 linfsp-launcher.conf | grep -q '^/usr/share/man/man5/'"
check "fsptool from the package runs" bash -c "/usr/bin/fsptool ver | grep -q '^LinFsp '"

# The launcher from the package: the socket unit is enabled (deb-systemd-helper; started only
# where systemd runs), the class directory exists, and the programs work together. The launcher
# runs here on a socket and class directory of its own, so a system launcher is not disturbed.
check "the launcher's socket unit is enabled (the service is not)" bash -c \
    "[ -L /etc/systemd/system/sockets.target.wants/linfsp-launcher.socket ] && ! ls /etc/systemd/system/*.wants/linfsp-launcher.service >/dev/null 2>&1"
check "the class directory /etc/linfsp/services is root's, mode 0755" bash -c "[ \"\$(stat -c %U:%a /etc/linfsp/services)\" = root:755 ]"
cls=$T/classes sock=$T/launcher.sock
mkdir -m 755 "$cls" "$T/m1" "$T/m2"
check "fsreg registers the example memfs class" bash -c \
    "LINFSP_LAUNCHER_CLASSDIR='$cls' /usr/bin/fsreg -f /usr/share/linfsp/services/memfs.conf | grep -q '^registered memfs' && [ -f '$cls/memfs.conf' ]"
check "linfsp-launcher --check accepts it" bash -c "/usr/sbin/linfsp-launcher --check -c '$cls' | grep -q '^memfs: OK'"
/usr/sbin/linfsp-launcher -f -s "$sock" -c "$cls" >"$T/launcher.log" 2>&1 &
lpid=$!
for _ in $(seq 100); do grep -q "ready" "$T/launcher.log" && break; sleep 0.1; done
check "linfsp-launcher from the package serves its socket" test -S "$sock"
export LINFSP_LAUNCHER_SOCKET=$sock
check "launchctl start memfs mounts an instance" bash -c "[ \"\$(/usr/bin/launchctl start memfs pkg1 pkg1 '$T/m1')\" = OK ] && grep -q ' $T/m1 fuse.memfs ' /proc/self/mounts"
check "a file written on it reads back" bash -c "echo launched > '$T/m1/f' && [ \"\$(cat '$T/m1/f')\" = launched ]"
check "mount -t linfsp.memfs runs /sbin/mount.linfsp and mounts" bash -c "mount -t linfsp.memfs pkg2 '$T/m2' && grep -q '^pkg2 $T/m2 fuse.memfs ' /proc/self/mounts"
check "launchctl list shows both instances" bash -c "/usr/bin/launchctl list | grep -qx 'memfs pkg1' && /usr/bin/launchctl list | grep -qx 'memfs pkg2'"
umount_ends() {
    umount "$T/m2" || return 1
    for _ in $(seq 100); do /usr/bin/launchctl list | grep -qx 'memfs pkg2' || return 0; sleep 0.1; done
    return 1
}
check "umount ends the instance" umount_ends
check "launchctl stop stops the other and unmounts it" bash -c "[ \"\$(/usr/bin/launchctl stop memfs pkg1)\" = OK ] && ! grep -q ' $T/m1 ' /proc/self/mounts"
kill -TERM "$lpid"
rc=0
wait "$lpid" || rc=$?
lpid=
check "the launcher exits 0 on SIGTERM" test $rc -eq 0
unset LINFSP_LAUNCHER_SOCKET

# ---- 5. remove ----
check "dpkg --purge removes the five packages" purge
installed=
for p in $packages; do
    check "$p is gone" bash -c "! dpkg-query -W -f='\${Status}' $p 2>/dev/null | grep -q 'installed'"
done
check "no file of the packages is left" bash -c "[ ! -e /usr/bin/memfs ] && [ ! -e /usr/include/winfsp ] && ! ls /usr/lib/*/liblinfsp* >/dev/null 2>&1 &&
    [ ! -e /usr/sbin/linfsp-launcher ] && [ ! -e /sbin/mount.linfsp ] && [ ! -e /etc/linfsp ] && [ ! -e /usr/share/linfsp ] &&
    [ ! -e /lib/systemd/system/linfsp-launcher.socket ] && [ ! -L /etc/systemd/system/sockets.target.wants/linfsp-launcher.socket ]"
check "the dynamic linker's cache no longer lists liblinfsp" bash -c "! ldconfig -p | grep -q liblinfsp"
finish
