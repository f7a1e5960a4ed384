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

# linfsp_with_mount NAME SRC_TMPFS EXPECTED_STATUS 'SERVER COMMAND' COMMAND [ARGS...]
#
# The skeleton of scripts/with-mount.sh and scripts/fsp-tests-on.sh: start a file system server
# (in the foreground of its own, in the background of the calling script), wait for its mount,
# run COMMAND, then stop the server with SIGTERM and check that it exits with EXPECTED_STATUS
# and leaves nothing mounted. In the server command and in COMMAND's arguments @MNT@ is the
# mount point (a new directory under $TMPDIR named after NAME) and @SRC@ a new source directory
# for passthroughs, on a tmpfs of its own when SRC_TMPFS is 1. Sets an EXIT trap: whatever
# happens, the server is ended (by its pid; SIGTERM, then its mounts freed, then SIGKILL) and the
# mounts and the directories go; INT and TERM exit 130. Returns COMMAND's status, or 1 when the
# server did not mount, stop or unmount cleanly (linfsp_mounted is 0 when it did not mount),
# 2 when the source tmpfs could not be mounted. Call it once per script.
linfsp_with_mount() {
    local name=$1 src_tmpfs=$2 expect=$3 server=$4
    shift 4
    linfsp_wm_dir=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
    linfsp_wm_mnt=$linfsp_wm_dir/mnt linfsp_wm_src=$linfsp_wm_dir/src linfsp_wm_pid=
    linfsp_mounted=0
    local mnt=$linfsp_wm_mnt src=$linfsp_wm_src
    mkdir -p "$mnt" "$src"
    trap linfsp_with_mount_cleanup EXIT
    trap 'exit 130' INT TERM
    if [ "$src_tmpfs" = 1 ]; then
        mount -t tmpfs -o size=4g "$name-src" "$src" || { echo "cannot mount the source tmpfs"; return 2; }
    fi
    local cmd=${server//@MNT@/$mnt} a args=()
    cmd=${cmd//@SRC@/$src}
    for a in "$@"; do a=${a//@MNT@/$mnt}; args+=("${a//@SRC@/$src}"); done
    echo "server: $cmd"
    eval "exec $cmd" </dev/null &
    linfsp_wm_pid=$!
    local pid=$linfsp_wm_pid
    for _ in $(seq 100); do
        grep -q " $mnt " /proc/self/mountinfo && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q " $mnt " /proc/self/mountinfo; then
        echo "the file system did not mount"
        return 1
    fi
    linfsp_mounted=1
    local rc=0 src_rc=0
    "${args[@]}" || rc=$?
    # The server must stop cleanly on SIGTERM and leave nothing mounted.
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "the file system did not stop on SIGTERM"; rc=1
    else
        wait "$pid" || src_rc=$?
        linfsp_wm_pid=
        [ "$src_rc" -eq "$expect" ] ||
            { echo "the file system exited with status $src_rc (not $expect)"; rc=1; }
        grep -q " $mnt " /proc/self/mountinfo && { echo "$mnt is still mounted"; rc=1; }
    fi
    return $rc
}

# linfsp_with_mount's EXIT trap: end the server it started, free the mounts, remove the files.
linfsp_with_mount_cleanup() {
    cd /
    local pid=${linfsp_wm_pid:-}
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && linfsp_free_mounts_under "$linfsp_wm_mnt"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    [ -n "${linfsp_wm_dir:-}" ] || return 0
    linfsp_free_mounts_under "$linfsp_wm_mnt"
    mountpoint -q "$linfsp_wm_src" && umount -l "$linfsp_wm_src"
    rm -rf "$linfsp_wm_dir"
}
