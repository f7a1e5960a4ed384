#!/bin/bash
# tests/tools/test-passthrough.sh PROGRAM [ARG...]
#
# A passthrough program on a real mount (needs root), run as
# "PROGRAM ARG... -p SOURCE -m MOUNTPOINT -t 60000": the C example
# (examples/passthrough) or passthrough-dotnet ("mono passthrough-dotnet.exe").
# A tmpfs as the source, the passthrough over it, then
# - fidelity: what the mount shows and does equals what the source has
#   (data, modes with setuid/setgid/sticky, owners, times, xattrs, symlinks,
#   FIFOs and devices, hard links, rename, unlink while open);
# - confinement: nothing the passthrough does reaches outside the source, also
#   when a directory or file the kernel has cached is replaced in the source
#   by a symlink that leads outside (absolute or relative), through O_PATH
#   descriptors used by their /proc/self/fd names, and names with backslashes
#   stay single names;
# - a FIFO swapped in under a name between the passthrough's look at it and
#   its open for I/O never blocks a worker (issue 8 item 3).
# Prints "N passed, N failed"; exit status 0 when nothing failed, 77 (skip)
# when not root or without /dev/fuse. Everything is made under one mktemp
# directory and removed by the exit trap, which stops the passthrough it
# started (by pid) and aborts its FUSE connection should it hang.
set -u
[ $# -ge 1 ] || { echo "usage: test-passthrough.sh PROGRAM [ARG...]" >&2; exit 2; }
PT=()
for a in "$@"; do   # paths made absolute; a command name (mono) as it is
    if [ -e "$a" ]; then PT+=("$(readlink -f "$a")"); else PT+=("$a"); fi
done
. "$(dirname "$0")/../../scripts/lib.sh" # linfsp_abort_connection
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
    echo "test-passthrough: needs root and /dev/fuse; skipped"
    exit 77
fi

T=$(mktemp -d /tmp/test-passthrough.XXXXXX)
SRC=$T/src           # the source directory (a tmpfs)
MNT=$T/m/mnt         # the mount point: one level deeper than SRC, so that a relative
                     # symlink resolves to different places on the two sides
OUT=$T/outside       # what must never be touched through the passthrough
mkdir -p "$SRC" "$MNT" "$OUT"
pid=
racer=
holder=
conn=
srcmounted=

cleanup() {
    [ -n "$racer" ] && kill -KILL "$racer" 2>/dev/null
    [ -n "$holder" ] && kill -KILL "$holder" 2>/dev/null
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            # hung: abort the connection, then the process
            [ -n "$conn" ] && linfsp_abort_connection "$conn"
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    fi
    mountpoint -q "$MNT" 2>/dev/null && umount -l "$MNT"
    [ -n "$srcmounted" ] && umount -l "$SRC"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
same() { # same DESCRIPTION A B
    if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: '$2' != '$3'"; fi
}
# a command on the mount that must not hang
m() { timeout -s KILL 20 "$@"; }
statof() { stat -c "$1" "$2" 2>&1; }

mount -t tmpfs tmpfs "$SRC" || { echo "test-passthrough: cannot mount tmpfs"; exit 1; }
srcmounted=1

# A mount point inside the source is refused (the passthrough would call itself): the program
# ends by itself with an error, having mounted nothing.
mkdir "$SRC/inner"
timeout -s KILL 30 "${PT[@]}" -p "$SRC" -m "$SRC/inner" >"$T/inner.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 137 ] && ! mountpoint -q "$SRC/inner"; then
    ok "mount point inside the source is refused (exit $rc: $(head -1 "$T/inner.log"))"
else
    bad "mount point inside the source is refused (exit $rc)"
fi
mountpoint -q "$SRC/inner" && umount -l "$SRC/inner"
rmdir "$SRC/inner"

# -t 60000: the kernel keeps names and attributes for a minute, which lets the tests below
# change the source behind the kernel's back.
"${PT[@]}" -p "$SRC" -m "$MNT" -t 60000 > "$T/pt.log" 2>&1 &
pid=$!
for _ in $(seq 300); do mountpoint -q "$MNT" && break; sleep 0.1; done
if ! mountpoint -q "$MNT"; then
    echo "test-passthrough: the passthrough did not mount"; cat "$T/pt.log"; exit 1
fi
conn=$(awk -v m="$MNT" '$5 == m { split($3, d, ":"); print d[2] }' /proc/self/mountinfo)

# ---- fidelity ----
echo hello > "$MNT/file"
same "data written through the mount is in the source" "$(cat "$SRC/file")" hello
echo world > "$SRC/file2"
same "data in the source reads through the mount" "$(m cat "$MNT/file2")" world
m mkdir "$MNT/dir"
m chown 1234:5678 "$MNT/file"
m chmod 4755 "$MNT/file"
m chmod 3775 "$MNT/dir"
same "setuid mode and owner" "$(statof '%a %u:%g' "$MNT/file")" "$(statof '%a %u:%g' "$SRC/file")"
same "setuid mode and owner (values)" "$(statof '%a %u:%g' "$SRC/file")" "4755 1234:5678"
same "setgid+sticky directory" "$(statof '%a' "$SRC/dir")" "3775"
m touch -d '2001-02-03 04:05:06.1234567' "$MNT/file"
same "times to 100 ns" "$(statof '%y' "$MNT/file")" "$(statof '%y' "$SRC/file")"
same "times to 100 ns (value)" "$(statof '%.7Y' "$SRC/file")" "981173106.1234567"
if command -v setfattr >/dev/null; then
    m setfattr -n user.color -v blue "$MNT/file"
    same "xattr set through the mount" "$(getfattr --absolute-names --only-values -n user.color "$SRC/file" 2>&1)" blue
    setfattr -n user.shape -v round "$SRC/file"
    same "xattr of the source through the mount" "$(m getfattr --absolute-names --only-values -n user.shape "$MNT/file" 2>&1)" round
    m setfattr -x user.color "$MNT/file"
    check "xattr removed through the mount" test -z "$(getfattr --absolute-names -n user.color "$SRC/file" 2>/dev/null)"
fi
m ln -s ../some/where "$MNT/link"
same "symlink target" "$(readlink "$SRC/link")" "../some/where"
same "symlink through the mount" "$(m readlink "$MNT/link")" "../some/where"
m mkfifo -m 640 "$MNT/fifo"
m mknod "$MNT/null" c 1 3
same "FIFO" "$(statof '%F %a' "$MNT/fifo")" "$(statof '%F %a' "$SRC/fifo")"
same "device" "$(statof '%F %t:%T' "$MNT/null")" "$(statof '%F %t:%T' "$SRC/null")"
m ln "$MNT/file" "$MNT/dir/hard"
same "hard link: same inode and count" "$(statof '%i %h' "$MNT/dir/hard")" "$(statof '%i %h' "$SRC/file")"
same "hard link count" "$(statof '%h' "$MNT/file")" 2
m mv "$MNT/file2" "$MNT/dir/renamed"
check "rename" test -f "$SRC/dir/renamed" -a ! -e "$SRC/file2"
exec 3< "$MNT/dir/renamed"
m rm "$MNT/dir/renamed"
check "unlink removes the name in the source" test ! -e "$SRC/dir/renamed"
same "an open file stays readable after unlink" "$(cat <&3)" world
exec 3<&-

# A delete the source refuses is not reported as done (Cleanup reports it to the engine).
echo keep > "$SRC/immutable"
if chattr +i "$SRC/immutable" 2>/dev/null; then
    stat "$MNT/immutable" >/dev/null 2>&1
    out=$(m rm -f "$MNT/immutable" 2>&1)
    check "unlink of an immutable source file fails (EPERM): ${out:-no error}" \
        eval '[[ $out == *"Operation not permitted"* ]]'
    check "  ... it is still in the source" test -e "$SRC/immutable"
    check "  ... and still shown by the mount" test -e "$MNT/immutable"
    chattr -i "$SRC/immutable"
fi
mkdir -p "$SRC/busy" "$T/busysrc"
if mount --bind "$T/busysrc" "$SRC/busy" 2>/dev/null; then
    stat "$MNT/busy" >/dev/null 2>&1
    out=$(m rmdir "$MNT/busy" 2>&1)
    check "rmdir of a mount point in the source fails (EBUSY): ${out:-no error}" \
        eval '[[ $out == *"Device or resource busy"* ]]'
    check "  ... it is still shown by the mount" test -d "$MNT/busy"
    umount "$SRC/busy"
fi

# ---- other users: the kernel checks them against what the mount shows ----
if id nobody >/dev/null 2>&1 && command -v su >/dev/null; then
    chmod 755 "$T" "$T/m"
    nob() { m su nobody -s /bin/sh -c "$1" >/dev/null 2>&1; }
    denied() { ! nob "$1"; }
    echo root > "$MNT/rootfile"; chmod 644 "$MNT/rootfile"
    command -v setfattr >/dev/null && setfattr -n trusted.hidden -v 1 "$MNT/rootfile"
    m chmod 1777 "$MNT/dir"
    check "nobody cannot write root's 0644 file" denied "echo x >> '$MNT/rootfile'"
    same "  ... unchanged" "$(cat "$SRC/rootfile")" root
    check "nobody creates a file of its own" nob "echo mine > '$MNT/dir/mine'"
    same "  ... owned by nobody in the source" "$(statof '%U' "$SRC/dir/mine")" nobody
    check "nobody cannot chown" denied "chown root '$MNT/dir/mine'"
    check "nobody cannot make devices" denied "mknod '$MNT/dir/dev' c 1 3"
    m cp "$MNT/rootfile" "$MNT/dir/rootfile"
    check "nobody cannot remove root's file in a sticky directory" denied "rm -f '$MNT/dir/rootfile'"
    check "  ... still there" test -f "$SRC/dir/rootfile"
    if command -v getfattr >/dev/null; then
        same "nobody does not see trusted.* names" \
            "$(m su nobody -s /bin/sh -c "getfattr --absolute-names -m - -d '$MNT/rootfile'" 2>&1 | grep -c trusted)" 0
    fi
fi

# ---- a FIFO swapped in between two opens ----
# The passthrough looks at a name (O_PATH) and then opens it for I/O. Should it open the name again,
# a FIFO renamed over it meanwhile would be opened for reading or writing and wait for a partner:
# a worker lost for good, and any user who can write a directory could take every worker so (issue
# 8 item 3). The source swaps a FIFO and a regular file under one name as fast as it can while a
# caller opens the name through the mount (the kernel keeps taking it for the regular file: -t
# 60000); afterwards no thread of the passthrough may be waiting in a FIFO open.
PY=/usr/bin/python3   # the interpreter itself (a wrapper such as pyenv's would outlive timeout's kill)
[ -x $PY ] || PY=$(command -v python3)
mkfifo "$SRC/fifo0"
echo data > "$SRC/reg0"
cp "$SRC/reg0" "$SRC/swap"
stat "$MNT/swap" >/dev/null
"$PY" - "$SRC" "$MNT/swap" 4 > "$T/fifo.out" <<'EOF' &
import os, sys, time
src, name, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
stop = time.time() + secs
swapper = os.fork()
if 0 == swapper:  # the source's side: FIFO, file, FIFO, ... under the name "swap"
    t = os.path.join(src, "swap.tmp")
    while time.time() < stop:
        for kind in ("fifo0", "reg0"):
            try:
                os.link(os.path.join(src, kind), t)
                os.rename(t, os.path.join(src, "swap"))
            except OSError:
                pass
    os._exit(0)
opens = 0
while time.time() < stop:  # the caller's side: opens for reading and for writing
    for flags in (os.O_RDONLY, os.O_WRONLY):
        try:
            os.close(os.open(name, flags | os.O_NONBLOCK))
        except OSError:
            pass
        opens += 1
os.waitpid(swapper, 0)
print(opens)
EOF
racer=$!
for _ in $(seq 150); do kill -0 $racer 2>/dev/null || break; sleep 0.1; done
# A caller whose open a waiting worker serves waits with it (uninterruptibly, even SIGKILL).
blocked=$(grep -lE 'wait_for_partner|fifo_open' /proc/"$pid"/task/*/wchan 2>/dev/null | wc -l)
# Free any worker that waits (a FIFO open for reading and writing is every waiter's partner).
exec 4<>"$SRC/fifo0"
exec 4>&-
for _ in $(seq 100); do kill -0 $racer 2>/dev/null || break; sleep 0.1; done
kill -KILL $racer 2>/dev/null
wait $racer 2>/dev/null
racer=
opens=$(cat "$T/fifo.out")
check "FIFO swap: opens through the mount while the source swapped (${opens:-none})" test "${opens:-0}" -ge 200
same "FIFO swap: threads of the passthrough waiting in a FIFO open" "$blocked" 0
same "FIFO swap: the mount still answers" "$(m cat "$MNT/reg0")" data
rm -f "$SRC/fifo0" "$SRC/reg0" "$SRC/swap" "$SRC/swap.tmp"

# ---- confinement ----
echo secret > "$OUT/secret"
chmod 600 "$OUT/secret"
outside_state() { stat -c '%a %u:%g %s %Y %h %i' "$OUT/secret"; ls -A "$OUT" | tr '\n' ' '; getfattr --absolute-names -m - -d "$OUT/secret" 2>/dev/null; }
before=$(outside_state)

# A symlink in the source shows as a symlink; the kernel follows it on the caller's side:
# relative to the mount point, where "../outside" does not exist.
ln -s ../outside "$SRC/rel"
same "source symlink shows as a symlink" "$(m readlink "$MNT/rel")" "../outside"
m touch "$MNT/rel/x" 2>/dev/null
check "no file made through a relative symlink's source-side target" test ! -e "$OUT/x"
# Operations on a symlink itself (not following it) stay on the symlink.
ln -s "$OUT/secret" "$SRC/toout"
m touch -h -d '1990-01-01' "$MNT/toout"
m chown -h 4321:4321 "$MNT/toout"
command -v setfattr >/dev/null && m setfattr -h -n trusted.pwned -v 1 "$MNT/toout"
same "touch -h / chown -h act on the symlink" "$(statof '%Y %u' "$SRC/toout")" "631152000 4321"
same "  ... and not on its target" "$(outside_state)" "$before"
# O_PATH descriptors used by their /proc/self/fd names (magic links: they lead to the inode
# itself, so the kernel sends the calls for the inode the descriptor was opened on).
# opath.py NAME LINK [SOURCE TARGET]: open NAME with O_PATH; with SOURCE, then replace SOURCE (the
# same file in the source) by a symlink to TARGET; then try every call through /proc/self/fd/N.
cat > "$T/opath.py" <<'EOF'
import os, sys
name, link = sys.argv[1], sys.argv[2]
fd = os.open(name, os.O_PATH | os.O_NOFOLLOW)
if len(sys.argv) > 4:
    os.rename(sys.argv[3], sys.argv[3] + ".orig")
    os.symlink(sys.argv[4], sys.argv[3])
p = "/proc/self/fd/%d" % fd
for call in (lambda: os.close(os.open(p, os.O_RDWR)), lambda: os.close(os.open(p, os.O_WRONLY | os.O_TRUNC)),
             lambda: os.write(os.open(p, os.O_WRONLY | os.O_APPEND), b"pwned"), lambda: os.truncate(p, 0),
             lambda: os.chmod(p, 0o777), lambda: os.chown(p, 4321, 4321), lambda: os.utime(p, (0, 0)),
             lambda: os.setxattr(p, "user.pwned", b"1"), lambda: os.setxattr(p, "trusted.pwned", b"1"),
             lambda: os.link(p, link)):
    try:
        call()
    except OSError:
        pass
EOF
m "$PY" "$T/opath.py" "$MNT/toout" "$MNT/opathlink"
same "O_PATH of a symlink to the secret, used through /proc/self/fd: outside untouched" "$(outside_state)" "$before"
check "  ... a link made through it is the symlink" test ! -e "$SRC/opathlink" -o -L "$SRC/opathlink"
check "names with backslashes stay one name" m touch "$MNT/..\\..\\..\\x"
check "  ... and are made in the source" test -e "$SRC/..\\..\\..\\x"
check "  ... and not outside" test ! -e "$T/x" -a ! -e "$T/m/x"

# Directories and files the kernel knows, replaced in the source by symlinks leading outside.
for kind in abs rel; do
    target=$OUT
    [ $kind = rel ] && target=../outside
    m mkdir "$MNT/d$kind"
    m touch "$MNT/d$kind/known"
    echo inner > "$MNT/d$kind/secret"   # the outside file's name, known to the kernel in d$kind
    echo data > "$MNT/f$kind"
    echo other > "$MNT/g$kind"
    echo data > "$MNT/h$kind"
    stat "$MNT/d$kind" "$MNT/d$kind/known" "$MNT/d$kind/secret" "$MNT/f$kind" "$MNT/g$kind" >/dev/null # cached now
    # Held (O_PATH: no open reaches the passthrough), so that the kernel keeps their dentries:
    # one dropped under memory pressure (or by drop_caches elsewhere on the machine) is looked
    # up again and then is the symlink, which the kernel follows on the caller's side - between
    # a check below and its operation, that would change the outside as root, not through the
    # passthrough.
    "$PY" -c 'import os, sys, time
fds = [os.open(p, os.O_PATH) for p in sys.argv[1:]]
print("held", flush=True)
time.sleep(600)' "$MNT/d$kind" "$MNT/f$kind" > "$T/held.$kind" &
    holder=$!
    for _ in $(seq 100); do grep -q held "$T/held.$kind" 2>/dev/null && break; sleep 0.1; done
    # An O_PATH descriptor of a file held while the source replaces the file by a symlink to the
    # secret, then used through its /proc/self/fd name.
    m "$PY" "$T/opath.py" "$MNT/h$kind" "$MNT/hl$kind" "$SRC/h$kind" "$target/secret"
    same "$kind: O_PATH of a file replaced by a symlink, used through /proc/PID/fd: outside untouched" \
        "$(outside_state)" "$before"
    check "  ... a link made through it is not the secret" test ! -e "$SRC/hl$kind" -o -L "$SRC/hl$kind" \
        -o "$(statof %i "$SRC/hl$kind")" = "$(statof %i "$SRC/h$kind.orig")"
    mv "$SRC/d$kind" "$SRC/d$kind.orig"
    ln -s "$target" "$SRC/d$kind"
    mv "$SRC/f$kind" "$SRC/f$kind.orig"
    ln -s "$target/secret" "$SRC/f$kind"
    # Each operation runs only while the kernel still takes the name for what it was: once
    # it has seen the symlink (a changed file type makes it look the name up again), it
    # follows it itself on the caller's side, which is no longer the passthrough's doing.
    sent=0
    # (stat asks for every basic field, so that the kernel refreshes what it no longer trusts)
    D() { [ "$(stat -c '%F:%a:%u:%g:%s:%h:%i:%X:%Y:%Z:%b' "$MNT/d$kind" 2>/dev/null | cut -d: -f1)" != directory ] && return 0
          sent=$((sent + 1)); m "$@" 2>/dev/null; }
    F() { [ "$(stat -c '%F:%a:%u:%g:%s:%h:%i:%X:%Y:%Z:%b' "$MNT/f$kind" 2>/dev/null | cut -d: -f1)" != "regular file" ] && return 0
          sent=$((sent + 1)); m "$@" 2>/dev/null; }
    D touch "$MNT/d$kind/x"
    D mkdir "$MNT/d$kind/newdir"
    D ln -s t "$MNT/d$kind/newlink"
    D mkfifo "$MNT/d$kind/newfifo"
    D ln "$MNT/g$kind" "$MNT/d$kind/hard"
    D mv "$MNT/g$kind" "$MNT/d$kind/moved"
    D mv "$MNT/d$kind/known" "$MNT/back$kind"
    D ln "$MNT/d$kind/secret" "$MNT/stolen$kind"
    check "$kind: no link to a file beyond a replaced directory" test ! -e "$SRC/stolen$kind"
    got=$(D cat "$MNT/d$kind/secret")
    same "$kind: no read of a file beyond a replaced directory" "$got" ""
    got=$(D ls "$MNT/d$kind/")
    same "$kind: no listing of a directory beyond a replaced one" "$got" ""
    D chmod 777 "$MNT/d$kind/secret"
    D setfattr -n user.pwned -v 1 "$MNT/d$kind/secret"
    D rm -f "$MNT/d$kind/secret"
    # the file replaced by a symlink to the secret
    got=$(F cat "$MNT/f$kind")
    same "$kind: no read through a replaced file" "$got" ""
    F sh -c "echo pwned > '$MNT/f$kind'"
    F sh -c "echo pwned >> '$MNT/f$kind'"
    F truncate -s 0 "$MNT/f$kind"
    F chmod 777 "$MNT/f$kind"
    F chown 4321:4321 "$MNT/f$kind"
    F touch -d '1990-01-01' "$MNT/f$kind"
    F setfattr -n user.pwned -v 1 "$MNT/f$kind"
    check "$kind: operations sent while the kernel had the old names cached ($sent)" test "$sent" -ge 8
    same "$kind: outside untouched" "$(outside_state)" "$before"
    same "$kind: outside content" "$(cat "$OUT/secret")" secret
    check "$kind: the replaced names are still symlinks in the source" test -L "$SRC/d$kind" -a -L "$SRC/f$kind"
    kill -KILL "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
done

# The passthrough still serves after all that, and stops cleanly.
same "still serving" "$(m cat "$MNT/dir/hard")" hello
kill -INT "$pid"
rc=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    bad "stops on SIGINT"
else
    wait "$pid"; rc=$?
    same "exit status 0 on SIGINT" "$rc" 0
    pid=
fi
check "unmounted on exit" test ! -e "$MNT/dir"
if grep -q "ERROR: \(Address\|Leak\)Sanitizer\|runtime error" "$T/pt.log"; then
    bad "sanitizers quiet"; cat "$T/pt.log"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
