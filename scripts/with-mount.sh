#!/usr/bin/env bash
# scripts/with-mount.sh [--src-tmpfs] 'SERVER COMMAND' COMMAND [ARGS...]
#
# Run COMMAND while a file system served by a program is mounted: starts the server (in the
# foreground, in the background of this script), waits for its mount, runs COMMAND, then stops
# the server with SIGTERM and checks that it exits 0 and leaves nothing mounted. In the server
# command and in COMMAND's arguments @MNT@ is the mount point (a new directory) and @SRC@ a new
# source directory for passthroughs (a directory under $TMPDIR, or a tmpfs of its own with
# --src-tmpfs). Whatever happens, the server is ended (by its pid) and the mount freed
# (linfsp_with_mount in lib.sh, which fsp-tests-on.sh uses too).
# Exits with COMMAND's status, or 1 when the server did not mount, stop or unmount cleanly.
set -uo pipefail
src_tmpfs=0
[ "${1:-}" = "--src-tmpfs" ] && { src_tmpfs=1; shift; }
server=${1:?usage: with-mount.sh [--src-tmpfs] 'SERVER COMMAND' COMMAND [ARGS...]}
shift
[ $# -ge 1 ] || { echo "usage: with-mount.sh [--src-tmpfs] 'SERVER COMMAND' COMMAND [ARGS...]" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"
linfsp_with_mount with-mount "$src_tmpfs" 0 "$server" "$@"
exit $?
