#!/usr/bin/env bash
# scripts/build-deb.sh [OUTDIR] - build LinFsp's Debian packages with dpkg-buildpackage -b.
#
# Builds from a copy of the source tree (the files git knows, and new ones it does not ignore),
# so the work tree stays clean and dpkg-buildpackage's output, which it writes next to the
# source, lands in a temporary directory. The .deb, .buildinfo and .changes files end up in
# OUTDIR (default build/debs). Installs the Debian packages the build needs when missing
# (debhelper, dpkg-dev, meson, ninja-build, pkg-config, gcc).
#
# Packages: liblinfsp0, liblinfsp-dev, linfsp-fuse-compat, linfsp-tools (see debian/control and
# doc/packaging.md). Tests are not run during the build (they mount file systems):
# tests/tools/test-debian-packages.sh installs the packages and runs memfs from them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
out=${1:-build/debs}
mkdir -p "$out"
out=$(cd "$out" && pwd)

linfsp_install_packages debhelper dpkg-dev || { echo "build-deb.sh: cannot install the build dependencies" >&2; exit 2; }

work=$(mktemp -d /tmp/linfsp-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/linfsp-$(dpkg-parsechangelog -S Version)
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
        [ -e "$f" ] && printf '%s\0' "$f"
    done | tar --null -T - -cf - | tar -xf - -C "$src"
else
    tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2   # the machine is shared: two jobs at most
echo "== dpkg-buildpackage -b -us -uc in $src"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$jobs" dpkg-buildpackage -b -us -uc -j"$jobs")
rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
echo "== packages in $out:"
ls -1 "$out"
