#!/usr/bin/env bash
# tests/tools/test-man-pages.sh BUILDDIR - the man pages are well-formed, install, show with
# man(1), and tell the truth about the programs' options.
#
#  1. every page of doc/man/ passes groff's and man's warnings (groff -man -ww -z, man --warnings);
#  2. `meson install --destdir` of BUILDDIR puts every page under PREFIX/share/man, and
#     `man -M PREFIX/share/man NAME` shows it;
#  3. every program the build installs has a page (bin: section 1, sbin: section 8);
#  4. every option a program's -h lists (memfs, passthrough, winfsp-memfs, fsp-tests, fsptool's commands, the
#     FUSE examples' own -o options, the .NET examples when built, the launcher's programs) is in
#     its page, and every key of a launcher class file is in linfsp-launcher.conf(5).
# Installs man-db and groff-base when missing. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh
build=${1:?usage: test-man-pages.sh BUILDDIR}
passed=0 failed=0
check() { if "${@:2}"; then echo "$1... OK"; passed=$((passed + 1)); else echo "$1... FAIL"; failed=$((failed + 1)); fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/test-man-pages.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LC_ALL=C MANWIDTH=200

linfsp_install_packages man-db groff-base || { echo "cannot install man-db"; echo "0 passed, 1 failed"; exit 1; }

# ---- 1. well-formed ----
for page in doc/man/*.[1-8]; do
    check "$page: groff finds nothing to warn about" bash -c "[ -z \"\$(groff -man -ww -z '$page' 2>&1)\" ]"
    check "$page: man finds nothing to warn about" bash -c "[ -z \"\$(man --warnings -l '$page' 2>&1 >/dev/null)\" ]"
done

# ---- 2. installed and shown ----
meson install -C "$build" --destdir "$T/root" --no-rebuild --quiet >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; echo "meson install failed"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }
mandir=$(find "$T/root" -type d -path '*/share/man' | head -1)
bindir=$(find "$T/root" -type d -path '*/bin' | head -1)
sbindir=$(find "$T/root" -type d -path '*/sbin' | head -1)
# the installed programs run from the staging directory: find their libraries there
LD_LIBRARY_PATH=$(dirname "$(find "$T/root" -name 'liblinfsp.so.0' | head -1)"):$(dirname "$(find "$T/root" -name 'liblinfsp-fuse3.so.3' | head -1)")
export LD_LIBRARY_PATH
check "meson install puts man pages under PREFIX/share/man" test -n "$mandir"
for page in doc/man/*.[1-8]; do
    name=$(basename "$page"); sec=${name##*.}; name=${name%.*}
    # pages of optional programs (the .NET layer's) install with them; file formats (5) always
    [ "$sec" = 5 ] || [ -e "$bindir/$name" ] || [ -e "$sbindir/$name" ] ||
        { echo "$name is not built here: its page is not installed"; continue; }
    check "$name($sec) is installed" test -f "$mandir/man$sec/$name.$sec"
    check "man -M PREFIX/share/man $name shows it" bash -c "man -M '$mandir' $sec $name | grep -qE '^NAME' && man -M '$mandir' $sec $name | grep -qF -- '$name - '"
done

# ---- 3. a page for every installed program ----
for prog in "$bindir"/*; do
    name=$(basename "$prog")
    check "the installed program $name has a page" test -f "$mandir/man1/$name.1"
done
check "the build installs programs in sbin (the launcher, mount.linfsp)" test -n "$sbindir"
for prog in "${sbindir:-/nonexistent}"/*; do
    [ -e "$prog" ] || continue
    name=$(basename "$prog")
    check "the installed administrator's program $name has a page in section 8" test -f "$mandir/man8/$name.8"
done

# ---- 4. the options in the pages are the programs' ----
page_text() { man -l "$(ls doc/man/"$1".[1-8] | head -1)" 2>/dev/null; }
options_in_page() { # options_in_page PAGE OPTION...: each option appears in the rendered page
    local text missing=() o
    [ $# -gt 1 ] || { echo "   no options found to look for"; return 1; }
    text=$(page_text "$1")
    for o in "${@:2}"; do grep -qF -- "$o" <<<"$text" || missing+=("$o"); done
    [ ${#missing[@]} -eq 0 ] || { echo "   not in $1: ${missing[*]}"; return 1; }
}
# memfs and passthrough: the options their -h lists ("    -m MountPoint ...", "    -P1, -P0 ...")
for p in memfs passthrough; do
    mapfile -t opts < <("$bindir/$p" -h | grep -oE '^ +-[A-Za-z0-9]+' | tr -d ' ')
    check "memfs/passthrough -h: every option of $p is in $p(1) (${#opts[@]} options)" options_in_page "$p" "${opts[@]}"
done
# winfsp-memfs (a WinFsp program): its usage goes to standard error, as WinFsp's memfs prints it
mapfile -t opts < <("$bindir/winfsp-memfs" -h 2>&1 | grep -oE '^ +-[A-Za-z0-9]+' | tr -d ' ')
check "winfsp-memfs -h: every option is in winfsp-memfs(1) (${#opts[@]} options)" options_in_page winfsp-memfs "${opts[@]}"
# The .NET layer's programs (built when Mono's mcs is installed): their usage goes to stderr.
for p in memfs-dotnet passthrough-dotnet; do
    [ -f "$build/dotnet/$p.exe" ] && command -v mono >/dev/null || continue
    mapfile -t opts < <(mono "$build/dotnet/$p.exe" -h 2>&1 | grep -oE '^ +-[A-Za-z0-9]+' | tr -d ' ')
    check "$p -h: every option is in $p(1) (${#opts[@]} options)" options_in_page "$p" "${opts[@]}"
done
mapfile -t opts < <("$bindir/fsp-tests" --help | grep -oE '^ +--?[a-z-]+' | tr -d ' ')
check "fsp-tests --help: every option is in fsp-tests(1) (${#opts[@]} options)" options_in_page fsp-tests "${opts[@]}"
mapfile -t opts < <("$bindir/fsptool" 2>&1 | sed -n 's/^    \([a-z]\+\) .*/\1/p')
check "fsptool: every command is in fsptool(1) (${#opts[@]} commands)" options_in_page fsptool "${opts[@]}"
# The FUSE examples: their own -o options (printed before the FUSE library's)
for p in memfs-fuse2 passthrough-fuse; do
    mapfile -t opts < <("$bindir/$p" -h 2>&1 | awk '/^usage:/ && ++n == 2 { exit } { print }' |
                        grep -oE '^ +-o [a-z_]+=' | sed 's/^ *//')
    check "$p -h: its own options are in $p(1) (${#opts[@]})" options_in_page "$p" "${opts[@]}"
done
mapfile -t opts < <(grep -oE '"[a-z_]+=%s"' examples/fuse/hello-fuse3.c | tr -d '"' | sed 's/%s$//; s/^/-o /')
check "hello-fuse3: its option is in hello-fuse3(1)" options_in_page hello-fuse3 "${opts[@]}"
# The generic FUSE options the layer's -h lists are in memfs-fuse3(1)
mapfile -t opts < <("$bindir/memfs-fuse3" -h 2>&1 | grep -oE '^ +-o [a-z_]+|^ +-[a-zA-Z]\b' | sed 's/^ *//')
check "memfs-fuse3 -h: every FUSE option is in memfs-fuse3(1) (${#opts[@]})" options_in_page memfs-fuse3 "${opts[@]}"

# The launcher's programs: the options and commands their -h lists.
# linfsp-launcher: "  -f, --foreground   ...", "      --fstab PATH   ..."
mapfile -t opts < <("$sbindir/linfsp-launcher" -h | grep -E '^ +-' | grep -oE -- '--?[a-z][a-z-]*' | sort -u)
check "linfsp-launcher -h: every option is in linfsp-launcher(8) (${#opts[@]} options)" options_in_page linfsp-launcher "${opts[@]}"
# launchctl: its commands ("    start    CLASS ...") and options ("    -s SOCKET ...")
mapfile -t opts < <("$bindir/launchctl" -h | grep -oE '^    [a-zA-Z-]+' | tr -d ' ')
check "launchctl -h: every command and option is in launchctl(1) (${#opts[@]})" options_in_page launchctl "${opts[@]}"
# mount.linfsp: "    -o OPTIONS   ..."
mapfile -t opts < <("$sbindir/mount.linfsp" -h | grep -oE '^ +-[A-Za-z]+' | tr -d ' ')
check "mount.linfsp -h: every option is in mount.linfsp(8) (${#opts[@]} options)" options_in_page mount.linfsp "${opts[@]}"
# fsreg: the forms of its usage ("       fsreg -f FILE [CLASS]")
mapfile -t opts < <("$bindir/fsreg" -h | sed -n 's/^\(usage:\)\? *fsreg \(-[a-z]\).*/\2/p')
check "fsreg -h: every option is in fsreg(1) (${#opts[@]} options)" options_in_page fsreg "${opts[@]}"
# The keys of a class file (src/launch/classfile.c) are in linfsp-launcher.conf(5), and so are
# the Windows-only ones it refuses.
mapfile -t opts < <(grep -oE '^ +\{"[A-Za-z]+", KEY_' src/launch/classfile.c | grep -oE '[A-Za-z]+"' | tr -d '"' | sed 's/$/=/')
check "class files: every key is in linfsp-launcher.conf(5) (${#opts[@]} keys)" options_in_page linfsp-launcher.conf "${opts[@]}" AuthPackage AuthPackageId

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
