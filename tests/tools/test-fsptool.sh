#!/usr/bin/env bash
# tests/tools/test-fsptool.sh FSPTOOL - checks fsptool's conversions against known answers.
set -u
tool=${1:?usage: test-fsptool.sh PATH-TO-FSPTOOL}
passed=0 failed=0

# expect NAME EXPECTED-EXIT PATTERN -- ARGS...: run fsptool ARGS, check exit code and that stdout matches PATTERN.
expect() {
    local name=$1 want_rc=$2 pattern=$3; shift 4
    local out rc
    out=$("$tool" "$@" 2>&1); rc=$?
    if [[ $rc -eq $want_rc && $out =~ $pattern ]]; then
        passed=$((passed + 1)); echo "$name... OK"
    else
        failed=$((failed + 1)); echo "$name... FAIL (exit $rc, output: $out)"
    fi
}

expect perm_setuid_roundtrip 0 'perm=1000:1000:4755' -- perm 1000:1000:4755
expect perm_sticky_roundtrip 0 'perm=0:0:1777' -- perm 0:0:1777
expect perm_large_ids 0 'perm=4000000000:7:0640' -- perm 4000000000:7:640
expect perm_sddl_owner 0 'O:S-1-22-1-1000' -- perm 1000:100:0644
expect perm_from_sddl 0 'perm=544:544:' -- perm 'O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD)'
expect perm_bad_mode 2 'MODE' -- perm 1:2:99999
expect perm_bad_sddl 1 'invalid SDDL' -- perm 'O:XXG:'
expect id_uid 0 'user sid=S-1-22-1-1234' -- id 1234
expect id_sid 0 'uid=18' -- id S-1-5-18
expect id_unix_group_sid 0 'uid=77' -- id S-1-22-2-77
expect ver 0 '^LinFsp [0-9]+\.[0-9]+$' -- ver
expect unknown_command 2 'unknown command' -- frobnicate
# perm PATH: the file's owner, group and mode, and the descriptor LinFsp maps them to
tmp=$(mktemp -d)
touch "$tmp/f" && chmod 4750 "$tmp/f"
[ "$(id -u)" -eq 0 ] && chown 1234:77 "$tmp/f" && chmod 4750 "$tmp/f"   # else: the caller's ids
u=$(stat -c %u "$tmp/f") g=$(stat -c %g "$tmp/f")
expect perm_path 0 "regular file, owner .*\($u\), group .*\($g\), mode 4750.*O:S-1-22-1-${u}G:S-1-22-2-${g}D:P.*perm=$u:$g:4750" -- perm "$tmp/f"
expect perm_path_dir 0 'directory.*perm=0:0:1777' -- perm /tmp
expect perm_no_such_path 1 'no such file' -- perm "$tmp/missing"
rm -rf "$tmp"
# id: names, SIDs of accounts, the caller's access token
expect id_name 0 'uid=0\(root\) gid=0\(root\).*user sid=S-1-22-1-0.*token: S-1-22-1-0 S-1-22-2-0 .*S-1-1-0 S-1-5-11 S-1-5-18 S-1-5-32-544' -- id root
expect id_unix_user_sid 0 'uid=0.*user=root' -- id S-1-22-1-0
expect id_alias 0 'sid=S-1-5-32-544.*uid=544' -- id BA
expect id_caller 0 'token: .*S-1-1-0 S-1-5-11' -- id
expect id_unknown 1 'not a uid, SID, user or group' -- id no-such-user-or-group
# lsvol: a header and one line per FUSE volume, or none
expect lsvol 0 'MOUNTPOINT +FILESYSTEM|no FUSE volumes mounted' -- lsvol
# lsvol finishes when a mounted file system never answers (tests/tools/silent-fuse.py: the label's
# child waits for good; lsvol gives it two seconds and does not wait for it, nor may that child keep
# lsvol's output pipe open). Root only; the server is ended and the mount freed in any case.
lsvol_hung() {
    local dir pid out rc
    dir=$(mktemp -d) || return 1
    python3 "$(dirname "$0")/silent-fuse.py" "$dir" > "$dir.out" 2>&1 & pid=$!
    for _ in $(seq 50); do grep -q ready "$dir.out" 2>/dev/null && break; sleep 0.1; done
    out=$(timeout 30 "$tool" lsvol | cat); rc=$?
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null
    rmdir "$dir"; rm -f "$dir.out"
    [[ $rc -eq 0 && $out == *"$dir "*silent* ]]
}
if [[ $(id -u) -eq 0 ]] && command -v python3 >/dev/null; then
    if lsvol_hung; then passed=$((passed + 1)); echo "lsvol_hung_mount... OK"
    else failed=$((failed + 1)); echo "lsvol_hung_mount... FAIL (did not finish, or the volume was not listed)"; fi
fi
# manual pages
expect help 0 'SYNOPSIS.*fsptool lsvol' -- -h
expect help_lsvol 0 'NAME.*fsptool lsvol.*EXIT STATUS' -- lsvol -h
expect help_id 0 'NAME.*fsptool id.*EXIT STATUS' -- id -h
expect help_perm 0 'NAME.*fsptool perm.*EXIT STATUS' -- perm -h
expect help_ver 0 'NAME.*fsptool ver.*EXIT STATUS' -- ver -h

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
