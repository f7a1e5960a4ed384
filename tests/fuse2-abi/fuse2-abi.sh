#!/usr/bin/env bash
# tests/fuse2-abi/fuse2-abi.sh [CC]: LinFsp's FUSE 2.9 headers (include/fuse/) against the
# system's libfuse 2.9 headers (pkg-config fuse, e.g. Debian's libfuse-dev): fuse2-abi.c is
# built against both for FUSE_USE_VERSION 26..29 and must print the same layout. Skipped (exit
# 0, "0 passed") without libfuse 2.9's headers. Ends with "N passed, N failed".
set -uo pipefail
cc=${1:-${CC:-cc}}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sys=$(pkg-config --cflags fuse 2>/dev/null) || { echo "no libfuse 2.9 headers: skipped"; echo "0 passed, 0 failed"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for v in 26 27 28 29; do
    ok=1
    "$cc" -std=gnu11 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -DV=$v $sys "$here/fuse2-abi.c" \
        -o "$tmp/sys" && "$tmp/sys" >"$tmp/sys.txt" || ok=0
    "$cc" -std=gnu11 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -DV=$v -I"$top/include/fuse" \
        "$here/fuse2-abi.c" -o "$tmp/our" && "$tmp/our" >"$tmp/our.txt" || ok=0
    if [ $ok -eq 1 ] && diff -u "$tmp/sys.txt" "$tmp/our.txt"; then
        echo "FUSE_USE_VERSION $v: $(wc -l <"$tmp/our.txt") sizes and offsets match... OK"
        passed=$((passed + 1))
    else
        echo "FUSE_USE_VERSION $v... FAIL"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
