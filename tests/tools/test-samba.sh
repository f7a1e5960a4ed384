#!/bin/bash
# tests/tools/test-samba.sh MEMFS
#
# The proof that a LinFsp volume exported by Samba looks like an NTFS share to a Windows
# client (issue 15): Debian's samba and smbclient are installed if missing, the memfs program
# is mounted, and a Samba server of the script's own (smb.conf, private, lock and state
# directories in a temporary directory; "vfs objects = streams_xattr acl_xattr", "store dos
# attributes = yes") exports it on 127.0.0.1 port 445 of a network namespace of its own (so
# no other server and no other network sees it; smbcacls of Samba 4.17 has no port option).
# smbclient and smbcacls then check, as a Windows client sees it:
# - put/get of files, data compared (and the same data on the Linux side);
# - allinfo lists a named stream made on the Linux side (user.DosStream.NAME:$DATA), and a
#   stream made over SMB is a stream of memfs's file (listed and read back on Linux);
# - DOS attributes set with setmode are system.ntfs_attrib on Linux, and the reverse;
# - an ACL set with smbcacls is the descriptor memfs holds (system.ntfs_acl), and an ACL set
#   on Linux (setfacl) is what smbcacls shows;
# - the creation time smbclient shows is the file's birth time (statx).
# Prints "N passed, N failed"; exit 0 when nothing failed, 77 (skip) when not root, without
# /dev/fuse or without a way to make a network namespace. The exit trap stops smbd and memfs
# (by pid), unmounts and removes the temporary directory; memfs must end with status 0 and no
# sanitizer report (it may be an ASan+UBSan build).
set -u
MEMFS=${1:?usage: test-samba.sh PATH_TO_MEMFS}
MEMFS=$(readlink -f "$MEMFS")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh" # linfsp_abort_connection, linfsp_install_packages

if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
    echo "test-samba: needs root and /dev/fuse; skipped"
    exit 77
fi

# Everything below runs in a network namespace of its own: re-run inside one.
if [ -z "${TEST_SAMBA_NETNS:-}" ]; then
    for _ in 1 2 3 4 5; do # another helper or step may hold the dpkg lock
        LINFSP_PACKAGES= linfsp_install_packages samba smbclient attr acl iproute2 python3 && break
        sleep 15
    done
    for c in smbd smbclient smbcacls smbpasswd getfattr setfacl ip unshare python3; do
        command -v "$c" >/dev/null || { echo "test-samba: $c is missing"; echo "0 passed, 1 failed"; exit 1; }
    done
    if ! unshare --net true 2>/dev/null; then
        echo "test-samba: cannot make a network namespace; skipped"
        exit 77
    fi
    TEST_SAMBA_NETNS=1 exec unshare --net "$0" "$@"
fi
ip link set lo up || { echo "test-samba: no loopback in the namespace"; exit 1; }

T=$(mktemp -d /tmp/test-samba.XXXXXX)
MNT=$T/share
mkdir -p "$MNT" "$T"/{private,lock,state,cache,run,ncalrpc,local}
memfs_pid=
smbd_pid=

stop_smbd() {
    # smbd signals its process group as it stops (its own session, see below; the script
    # ignores such a SIGTERM here too, should one reach it)
    trap '' INT TERM HUP
    if [ -n "$smbd_pid" ] && kill -0 "$smbd_pid" 2>/dev/null; then
        kill -TERM "$smbd_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$smbd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$smbd_pid" 2>/dev/null
        wait "$smbd_pid" 2>/dev/null
    fi
    smbd_pid=
    trap 'exit 1' INT TERM HUP
}
# stop_memfs: SIGINT, then (after 5 s) its connection aborted and SIGKILL; returns its status
stop_memfs() {
    local rc=0
    if [ -n "$memfs_pid" ] && kill -0 "$memfs_pid" 2>/dev/null; then
        kill -INT "$memfs_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$memfs_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$memfs_pid" 2>/dev/null; then
            linfsp_abort_connection "$(awk -v m="$MNT" '$5 == m { split($3, d, ":"); print d[2] }' /proc/self/mountinfo)"
            kill -KILL "$memfs_pid" 2>/dev/null
        fi
        wait "$memfs_pid" 2>/dev/null || rc=$?
    fi
    memfs_pid=
    return $rc
}
cleanup() {
    trap '' INT TERM HUP
    stop_smbd
    trap '' INT TERM HUP
    stop_memfs
    mountpoint -q "$MNT" 2>/dev/null && umount -l "$MNT"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
same() { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: '$2' != '$3'"; fi; }
has() { if grep -qF -- "$3" <<<"$2"; then ok "$1"; else bad "$1: no '$3' in: $2"; fi; }
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}

"$MEMFS" -m "$MNT" >"$T/memfs.log" 2>&1 &
memfs_pid=$!
for _ in $(seq 50); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT" || { bad "memfs mounted"; cat "$T/memfs.log"; finish; }
chmod 0777 "$MNT"

CONF=$T/smb.conf
cat >"$CONF" <<EOF
[global]
    server role = standalone server
    workgroup = LINFSP
    netbios name = LINFSPTEST
    interfaces = 127.0.0.1
    bind interfaces only = yes
    smb ports = 445
    disable netbios = yes
    server min protocol = SMB2
    private dir = $T/private
    lock directory = $T/lock
    state directory = $T/state
    cache directory = $T/cache
    pid directory = $T/run
    ncalrpc dir = $T/ncalrpc
    log file = $T/log.smbd
    log level = 1
    passdb backend = tdbsam:$T/private/passdb.tdb
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    map to guest = never
[share]
    path = $MNT
    read only = no
    vfs objects = streams_xattr acl_xattr
    store dos attributes = yes
    ea support = yes
EOF
PW=Linfsp-Test-1
printf '%s\n%s\n' "$PW" "$PW" | smbpasswd -c "$CONF" -s -a root >/dev/null ||
    { bad "smbpasswd"; finish; }
# smbd in a session of its own (setsid; the script's child all the same, for wait): as it stops
# it signals its process group, and its forked children do so after the main process ended, when
# the script no longer ignores SIGTERM; in the script's group that SIGTERM also reached timeout(1)
# of run-tests.sh and ended the step with status 1 under load.
setsid smbd --foreground --no-process-group --configfile="$CONF" >"$T/smbd.out" 2>&1 &
smbd_pid=$!
for _ in $(seq 100); do
    smbclient -s "$CONF" -U "root%$PW" //127.0.0.1/share -c 'ls' >/dev/null 2>&1 && break
    sleep 0.2
done
smb() { timeout 60 smbclient -s "$CONF" -U "root%$PW" //127.0.0.1/share -c "$1" 2>&1; }
cacls() { timeout 60 smbcacls -s "$CONF" -U "root%$PW" --numeric //127.0.0.1/share "$@" 2>&1; }
L=$T/local

# The descriptor's ACEs as smbcacls --numeric prints them: "ACL:SID:TYPE/FLAGS/MASK" (type 0
# allowed, 1 denied).
sd_aces() { # sd_aces FILE: from system.ntfs_acl (the descriptor memfs holds)
    getfattr --only-values -n system.ntfs_acl "$1" 2>/dev/null | python3 -c '
import struct, sys
b = sys.stdin.buffer.read()
def sid(o):
    rev, n = b[o], b[o + 1]
    auth = int.from_bytes(b[o + 2:o + 8], "big")
    subs = struct.unpack_from("<%dI" % n, b, o + 8)
    return "S-%d-%d" % (rev, auth) + "".join("-%d" % s for s in subs)
ctl, owner, group, sacl, dacl = struct.unpack_from("<HIIII", b, 2)
print("OWNER:" + sid(owner)); print("GROUP:" + sid(group))
if dacl:
    n = struct.unpack_from("<H", b, dacl + 4)[0]; o = dacl + 8
    for _ in range(n):
        t, f, size = struct.unpack_from("<BBH", b, o); mask = struct.unpack_from("<I", b, o + 4)[0]
        print("ACL:%s:%d/0x%x/0x%08x" % (sid(o + 8), t, f, mask)); o += size
'
}
cacls_aces() { # cacls_aces FILE: what smbcacls shows
    cacls "$1" | grep -E '^(OWNER|GROUP|ACL):'
}

# ---- data ----
head -c 300000 /dev/urandom >"$L/big"
printf 'hello from linux\n' >"$MNT/fromlinux.txt"
out=$(smb "put $L/big big; get big $L/big.back; get fromlinux.txt $L/fromlinux.back")
if cmp -s "$L/big" "$L/big.back" && cmp -s "$L/big" "$MNT/big"; then ok "put/get: the data is the same over SMB and on Linux"; else bad "put/get: $out"; fi
if cmp -s "$MNT/fromlinux.txt" "$L/fromlinux.back"; then ok "a file made on Linux reads the same over SMB"; else bad "get of a Linux file"; fi

# ---- named streams ----
printf 'stream made on linux' >"$L/sv"
setfattr -n 'user.DosStream.linuxstream:$DATA' -v "0s$(base64 -w0 <"$L/sv")" "$MNT/fromlinux.txt"
out=$(smb 'allinfo fromlinux.txt')
has "allinfo lists a stream made on Linux" "$out" ':linuxstream:$DATA'
out=$(smb "get fromlinux.txt:linuxstream $L/sv.back")
if cmp -s "$L/sv" "$L/sv.back"; then ok "the stream made on Linux reads the same over SMB"; else bad "get of the Linux stream: $out"; fi
printf 'stream made over smb' >"$L/ss"
out=$(smb "put $L/ss fromlinux.txt:smbstream")
got=$(getfattr --only-values -n 'user.DosStream.smbstream:$DATA' "$MNT/fromlinux.txt" 2>/dev/null | tr -d '\0')
same "a stream made over SMB is memfs's stream (user.DosStream.smbstream:\$DATA)" "$got" "stream made over smb"
list=$(getfattr -d -m '^user\.' "$MNT/fromlinux.txt" 2>&1)
has "listxattr shows the SMB stream" "$list" 'user.DosStream.smbstream:$DATA'
same "the main data is untouched by the streams" "$(cat "$MNT/fromlinux.txt")" "hello from linux"

# ---- DOS attributes ----
printf 'x' >"$MNT/attrs.txt"
smb 'setmode attrs.txt +hs' >/dev/null
a=$(getfattr --only-values -n system.ntfs_attrib_be "$MNT/attrs.txt" 2>/dev/null | od -An -tx1 | tr -d ' \n')
if [ -n "$a" ] && [ $((0x$a & 6)) -eq 6 ]; then ok "setmode +hs is system.ntfs_attrib (0x$a)"; else bad "setmode +hs: system.ntfs_attrib_be is '$a'"; fi
printf 'y' >"$MNT/attrs2.txt"
setfattr -n system.ntfs_attrib_be -v 0x00000021 "$MNT/attrs2.txt" # READONLY | ARCHIVE
out=$(smb 'allinfo attrs2.txt')
has "system.ntfs_attrib set on Linux shows over SMB (R)" "$(grep -i '^attributes' <<<"$out")" "R"
out=$(smb 'allinfo attrs.txt')
has "and H and S over SMB" "$(grep -i '^attributes' <<<"$out")" "HS"

# ---- ACLs ----
printf 'z' >"$MNT/acl.txt"
cacls acl.txt -a 'ACL:S-1-22-1-65534:ALLOWED/0x0/0x001200a9' >/dev/null
want=$(cacls_aces acl.txt | sort)
got=$(sd_aces "$MNT/acl.txt" | sort)
same "an ACL set with smbcacls is the descriptor memfs holds" "$got" "$want"
has "  and it holds the new ACE" "$got" "ACL:S-1-22-1-65534:0/0x0/0x001200a9"
has "  which Linux shows as a POSIX ACL entry" "$(getfacl -cn "$MNT/acl.txt" 2>&1)" "user:65534:r-x"
printf 'w' >"$MNT/acl2.txt"
setfacl -m u:4242:rw "$MNT/acl2.txt"
want=$(sd_aces "$MNT/acl2.txt" | sort)
got=$(cacls_aces acl2.txt | sort)
same "an ACL set on Linux (setfacl) is what smbcacls shows" "$got" "$want"
has "  with the user's ACE" "$got" "ACL:S-1-22-1-4242:0/"

# ---- creation time ----
# a whole second, so that smbclient's seconds show it exactly: 2001-09-09 01:46:40 UTC
ft=$(( (1000000000 + 11644473600) * 10000000 ))
setfattr -n system.ntfs_crtime_be -v "0x$(printf '%016x' "$ft")" "$MNT/big"
same "system.ntfs_crtime set on Linux is the birth time (statx)" "$(stat -c %W "$MNT/big")" 1000000000
ct=$(smb 'allinfo big' | sed -n 's/^create_time:[[:space:]]*//p')
same "the creation time over SMB is the birth time on Linux" "$(date -d "$ct" +%s 2>/dev/null)" 1000000000
: >"$L/empty"
smb "put $L/empty newfile" >/dev/null
ct=$(smb 'allinfo newfile' | sed -n 's/^create_time:[[:space:]]*//p')
d=$(( $(date -d "$ct" +%s 2>/dev/null || echo 0) - $(stat -c %W "$MNT/newfile" 2>/dev/null || echo 9) ))
if [ "$d" -ge -1 ] && [ "$d" -le 1 ]; then ok "a file made over SMB: the same creation time on both sides"; else bad "creation time of a new file: $ct vs $(stat -c %w "$MNT/newfile")"; fi

kill -0 "$smbd_pid" 2>/dev/null && ok "smbd still serving" || bad "smbd died: $(tail -5 "$T/smbd.out")"
[ "$fail" -eq 0 ] || { echo "--- smbd log"; tail -30 "$T/log.smbd" 2>/dev/null; }

# memfs ends cleanly after all that: exit status 0 on SIGINT, nothing from the sanitizers
stop_smbd
rc=0
stop_memfs || rc=$?
if [ $rc -eq 0 ] && ! grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error' "$T/memfs.log"; then
    ok "memfs stops with status 0 and no sanitizer report"
else
    bad "memfs stopped with status $rc"
    grep -E -A20 'ERROR: [A-Za-z]+Sanitizer|runtime error' "$T/memfs.log" | head -60
fi
finish
