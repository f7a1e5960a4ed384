#!/usr/bin/env bash
# tests/tools/fuse-api-sweep.sh BUILDDIR - LinFsp's FUSE headers and libraries against libfuse's
# (Debian's libfuse3-dev 3.14 and libfuse-dev 2.9 headers, libfuse3.so.3 and libfuse.so.2): every
# function, macro, struct member and enum constant a high-level program can use exists in
# LinFsp's headers, and every such function is exported by liblinfsp-fuse3.so / liblinfsp-fuse.so.
# What LinFsp leaves out on purpose - the low-level API, CUSE, the 2.9 compat APIs and 2.9's raw
# command loop - is listed below with the reason (doc/fuse3.md, doc/fuse2.md say the same).
# Needs universal-ctags and the libfuse headers (exit 77 without them).
# Prints one line per item checked that is missing, and "N passed, N failed".
set -u
build=${1:?usage: fuse-api-sweep.sh BUILDDIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
command -v ctags >/dev/null && [ -d /usr/include/fuse3 ] && [ -d /usr/include/fuse ] ||
    { echo "needs universal-ctags, libfuse3-dev and libfuse-dev: skipped"; exit 77; }
lib3=$(ls "$build"/src/fuse/liblinfsp-fuse3.so 2>/dev/null)
lib2=$(ls "$build"/src/fuse/liblinfsp-fuse.so 2>/dev/null)
[ -n "$lib3" ] && [ -n "$lib2" ] || { echo "no LinFsp FUSE libraries in $build/src/fuse"; echo "0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuse-api-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# ---- what is left out on purpose (extended regular expressions over names) ----
# The low-level API (inode-based operations, requests and replies, notifications by inode,
# directory entry buffers, custom sessions) - LinFsp has none: the engine is its low level,
# and WinFsp's native API takes its place. CUSE (character devices) - no.
absent3_functions='^(fuse_reply_|fuse_req_|fuse_lowlevel_notify_|fuse_add_direntry|cuse_)|^fuse_session_(new|new_versioned|destroy|receive_buf|process_buf|custom_io)$'
# (struct fuse_loop_config is opaque from FUSE_USE_VERSION 312 on, as in libfuse 3.14: its
# members before 3.12 are fuse_loop_config_v1's, checked as such.)
absent3_structs='^(fuse_entry_param|fuse_ctx|fuse_forget_data|fuse_lowlevel_ops|fuse_custom_io|cuse_info|cuse_lowlevel_ops|fuse_loop_config)$'
# Include guards; the lowlevel header's request/inode constants (FUSE_ROOT_ID, FUSE_SET_ATTR_*).
absent3_macros='^(FUSE_H_|FUSE_COMMON_H_|FUSE_LOWLEVEL_H_|FUSE_OPT_H_|FUSE_LOG_H_|FUSE_ROOT_ID|FUSE_SET_ATTR_.*|fuse_session_new|FUSE_USE_VERSION)$'
# 2.9: the low-level API and CUSE as above; the pre-2.6 compat APIs; the raw command loop of
# fuse.h's "advanced API for event handling" (fuse_read_cmd, fuse_process_cmd,
# fuse_loop_mt_proc, fuse_set_getcontext_func): the engine owns the kernel channel; the channel
# and session internals of fuse_lowlevel.h a high-level program has no use for.
absent2_functions='^(fuse_reply_|fuse_req_|fuse_lowlevel_|fuse_add_dirent|fuse_dirent_size|cuse_|fuse_kern_chan_new)|^fuse_(read_cmd|process_cmd|loop_mt_proc|set_getcontext_func)$|^fuse_chan_(new|destroy|send|recv|receive|data)$|^fuse_session_(new|destroy|add_chan|remove_chan|process|process_buf|receive_buf|data)$|_compat[0-9]*$'
absent2_structs='^(fuse_entry_param|fuse_ctx|fuse_forget_data|fuse_lowlevel_ops|fuse_session_ops|fuse_chan_ops|cuse_info|cuse_lowlevel_ops|fuse_cmd)$'
absent2_macros='^(FUSE_H_|FUSE_COMMON_H_|FUSE_LOWLEVEL_H_|FUSE_OPT_H_|FUSE_ROOT_ID|FUSE_SET_ATTR_.*|FUSE_USE_VERSION|fuse_(main|new|mount|unmount|setup|teardown|loop_mt|dirfil_t|operations|chan_new|session_ops|lowlevel_new|kern_chan_new|lowlevel_ops|chan_ops|chan_receive|chan_send|req_interrupt_func|reply_open|reply_statfs|file_info|conn_info|statfs|dirh_t)|FUSE_MINOR_VERSION)$'

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "missing: $*"; }

# sweep API THEIR_DIR OUR_DIR LIB VERSION HEADERS...
sweep() {
    local api=$1 theirs=$2 ours=$3 lib=$4 version=$5; shift 5
    local hdrs=("$@") h absent_f absent_s absent_m
    if [ 3 = "$api" ]; then absent_f=$absent3_functions absent_s=$absent3_structs absent_m=$absent3_macros
    else absent_f=$absent2_functions absent_s=$absent2_structs absent_m=$absent2_macros; fi
    local their_files=() our_files=()
    for h in "${hdrs[@]}"; do their_files+=("$theirs/$h"); [ -e "$ours/$h" ] && our_files+=("$ours/$h"); done
    # include/fuse3/fuse_opt.h stands for include/fuse/fuse_opt.h (installed in its place)
    [ 3 = "$api" ] && our_files+=("$repo/include/fuse/fuse_opt.h")
    # functions: declared in our headers and exported by our library
    ctags -x --c-kinds=p "${their_files[@]}" | awk '{print $1}' | sort -u >"$tmp/f.theirs"
    ctags -x --c-kinds=p "${our_files[@]}" | awk '{print $1}' | sort -u >"$tmp/f.ours"
    nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u >"$tmp/f.lib"
    local name
    while read -r name; do
        [[ $name =~ $absent_f ]] && continue
        if grep -qx "$name" "$tmp/f.ours" && grep -qx "$name" "$tmp/f.lib"; then ok
        else bad "FUSE $api function $name ($(grep -qx "$name" "$tmp/f.ours" && echo "not exported" || echo "not declared"))"; fi
    done <"$tmp/f.theirs"
    # macros and enum constants: defined when a program includes the headers
    local inc="" h2
    for h2 in "${hdrs[@]}"; do inc+="#include <$h2>"$'\n'; done
    printf '#define FUSE_USE_VERSION %s\n%s' "$version" "$inc" >"$tmp/all.c"
    gcc -E -dM -D_FILE_OFFSET_BITS=64 -I"$theirs" "$tmp/all.c" 2>/dev/null |
        awk '$1 == "#define" {sub(/\(.*/, "", $2); print $2}' | grep -E '^(FUSE|fuse|CUSE)' | sort -u >"$tmp/m.theirs"
    gcc -E -dM -D_FILE_OFFSET_BITS=64 -I"$ours" "$tmp/all.c" 2>/dev/null |
        awk '$1 == "#define" {sub(/\(.*/, "", $2); print $2}' | sort -u >"$tmp/m.ours"
    while read -r name; do
        [[ $name =~ $absent_m ]] && continue
        if grep -qx "$name" "$tmp/m.ours"; then ok; else bad "FUSE $api macro $name"; fi
    done <"$tmp/m.theirs"
    ctags -x --c-kinds=e "${their_files[@]}" | awk '{print $1}' | sort -u >"$tmp/e.theirs"
    {
        printf '#define FUSE_USE_VERSION %s\n%s' "$version" "$inc"
        while read -r name; do printf 'int e_%s = %s;\n' "$name" "$name"; done <"$tmp/e.theirs"
    } >"$tmp/enums.c"
    gcc -fsyntax-only -D_FILE_OFFSET_BITS=64 -I"$ours" "$tmp/enums.c" 2>"$tmp/enums.err"
    while read -r name; do
        if grep -q "'$name' undeclared" "$tmp/enums.err"; then bad "FUSE $api enum constant $name"; else ok; fi
    done <"$tmp/e.theirs"
    # struct members: each one is there (bit-fields too) in our struct of that name; the
    # compiler's errors name the lines (one member per line) that do not compile
    ctags -f - --c-kinds=m --fields=+s "${their_files[@]}" |
        sed -nE 's/^([^\t]+)\t.*\tstruct:([A-Za-z0-9_]+).*/\2 \1/p' | sort -u |
        while read -r st mem; do [[ $st =~ $absent_s ]] || echo "$st $mem"; done >"$tmp/s.theirs"
    {
        printf '#define FUSE_USE_VERSION %s\n%s' "$version" "$inc"
        local st mem
        while read -r st mem; do
            printf 'void check_member(struct %s *s) { (void)s->%s; } /* %s.%s */\n' "$st" "$mem" "$st" "$mem"
        done <"$tmp/s.theirs"
    } | awk '/check_member/ { sub(/check_member/, "m" NR) } 1' >"$tmp/members.c"
    gcc -fsyntax-only -fmax-errors=0 -D_FILE_OFFSET_BITS=64 -I"$ours" "$tmp/members.c" 2>&1 |
        sed -nE 's/^[^:]*members\.c:([0-9]+):[0-9]+: error:.*/\1/p' | sort -u >"$tmp/members.bad"
    local line=0 l
    while IFS= read -r l; do
        line=$((line + 1))
        [[ $l == *"/* "*"."*" */" ]] || continue
        local what=${l##*/\* }
        what=${what% \*/}
        if grep -qx "$line" "$tmp/members.bad"; then bad "FUSE $api struct member $what"; else ok; fi
    done <"$tmp/members.c"
}

# exports: every function libfuse's library exports (but the absences above) ours exports too
# (ctags can miss a declaration; the symbol tables cannot)
exports() {
    local api=$1 theirs=$2 ours=$3 absent=$4 name
    nm -D --defined-only "$theirs" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u >"$tmp/x.theirs"
    nm -D --defined-only "$ours" | awk '{print $3}' | sed 's/@.*//' | sort -u >"$tmp/x.ours"
    while read -r name; do
        [[ $name =~ $absent ]] && continue
        [[ $name == _* ]] && continue # libfuse-internal versions of compat functions
        if grep -qx "$name" "$tmp/x.ours"; then ok; else bad "FUSE $api exported function $name"; fi
    done <"$tmp/x.theirs"
}
so3=$(ls /usr/lib/*/libfuse3.so.3 /lib/*/libfuse3.so.3 2>/dev/null | head -1)
so2=$(ls /usr/lib/*/libfuse.so.2 /lib/*/libfuse.so.2 2>/dev/null | head -1)
[ -n "$so3" ] && exports 3 "$so3" "$lib3" "$absent3_functions"
# (libfuse 2.9's exported fuse_main is the pre-2.6 function; 2.6+ programs have the macro)
[ -n "$so2" ] && exports 2 "$so2" "$lib2" "$absent2_functions|^fuse_main$"

sweep 3 /usr/include/fuse3 "$repo/include/fuse3" "$lib3" 314 fuse.h fuse_common.h fuse_lowlevel.h fuse_opt.h fuse_log.h
sweep 2 /usr/include/fuse "$repo/include/fuse" "$lib2" 29 fuse.h fuse_common.h fuse_lowlevel.h fuse_opt.h
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
