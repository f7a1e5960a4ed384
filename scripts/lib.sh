# scripts/lib.sh - shared by the scripts and test scripts (sourced, not run; defines functions only).

# libfuse3-dev and libfuse-dev are for tests only (the same programs built on libfuse, ABI checks,
# the API sweep, which also needs universal-ctags); LinFsp itself links neither.
# mono-mcs, mono-runtime and libmono-posix4.0-cil build and run the .NET layer (dotnet/).
LINFSP_PACKAGES="meson ninja-build gcc libc6-dev linux-libc-dev pkg-config fuse3 attr libfuse3-dev libfuse-dev universal-ctags mono-mcs mono-runtime libmono-posix4.0-cil"

# Install the Debian packages the build and the tests need, when some are missing.
linfsp_install_packages() {
    local missing=() p
    for p in $LINFSP_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# linfsp_build DIR [meson options...]: configure (once) and build.
linfsp_build() {
    local dir=$1; shift
    mkdir -p "$(dirname "$dir")"
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
    fi
    ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
}

# The FUSE mounts at or below DIR, one per line ("MAJOR:MINOR MOUNTPOINT"), deepest first.
linfsp_fuse_mounts_under() {
    local dir=$1
    awk -v d="$dir" '$0 ~ / - fuse/ && ($5 == d || index($5, d "/") == 1) { print $3, $5 }' \
        /proc/self/mountinfo | sort -r -k2
}

# linfsp_abort_connection MINOR: abort the FUSE connection MINOR (the minor of the mount's
# device, the third field of /proc/self/mountinfo is 0:MINOR), so that nothing waits for a hung
# file system any more. The connections are in the fusectl file system, which many systems do
# not mount: it is mounted first when /sys/fs/fuse/connections is empty. Needs root.
linfsp_abort_connection() {
    local minor=$1 ctl=/sys/fs/fuse/connections
    [ -n "$minor" ] || return 1
    if [ -d "$ctl" ] && [ -z "$(ls -A "$ctl" 2>/dev/null)" ] &&
        ! awk -v d="$ctl" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo; then
        mount -t fusectl none "$ctl" 2>/dev/null
    fi
    [ -w "$ctl/$minor/abort" ] && echo 1 >"$ctl/$minor/abort"
}

# Free every FUSE mount at or below DIR: abort its connection (a hung file system cannot
# block the unmount then), then unmount lazily.
linfsp_free_mounts_under() {
    local dev mnt
    linfsp_fuse_mounts_under "$1" | while read -r dev mnt; do
        echo "   freeing leftover mount $mnt (connection ${dev#*:})"
        linfsp_abort_connection "${dev#*:}"
        umount -l "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null
    done
}
