#!/usr/bin/env bash
# tests/tools/test-api-reference.sh BUILDDIR - the API reference covers every public declaration.
#
#  1. `ninja -C BUILDDIR doc` (Doxygen, doc/api/Doxyfile.in) succeeds without a single warning:
#     EXTRACT_ALL is off, so a declaration of include/winfsp/*.h without a doc comment, an
#     undocumented parameter or return value, or a broken reference is a warning, and
#     WARN_AS_ERROR fails the run;
#  2. every header has its page, and every function the headers declare (FSP_API functions and
#     static inline ones) appears in the reference (Doxygen lists only documented members);
#  3. the check can fail: the same Doxygen run on a copy of the headers with one function's and
#     one structure member's doc comment removed fails and names both.
# Installs doxygen when it is missing. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh
build=${1:?usage: test-api-reference.sh BUILDDIR}
passed=0 failed=0
check() { if "${@:2}"; then echo "$1... OK"; passed=$((passed + 1)); else echo "$1... FAIL"; failed=$((failed + 1)); fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/test-api-reference.XXXXXX")
trap 'rm -rf "$T"' EXIT

linfsp_install_packages doxygen || { echo "cannot install doxygen"; echo "0 passed, 1 failed"; exit 1; }
# The build was configured maybe before doxygen was installed: let meson look for it again.
grep -q "Program doxygen found: NO" "$build/meson-logs/meson-log.txt" 2>/dev/null &&
    meson setup --reconfigure "$build" >/dev/null

# ---- 1. the reference builds without warnings ----
doc_ok() {
    ninja -C "$build" doc >"$T/doc.log" 2>&1
    local rc=$?
    cat "$T/doc.log"
    [ $rc -eq 0 ] && ! grep -qiE 'warning|error' "$T/doc.log"
}
check "ninja doc: Doxygen reports nothing" doc_ok
html=$build/doc/api/html
check "the reference has a main page" test -s "$html/index.html"

# ---- 2. coverage ----
for h in include/winfsp/*.h; do
    page=$html/$(basename "$h" .h)_8h.html
    check "$(basename "$h") has its page" test -s "$page"
    # FSP_API functions and static inline functions declared in the header
    for f in $(grep -ohE '^(FSP_API|static inline) [A-Za-z_ *]*\b(Fsp[A-Za-z0-9_]+)\(' "$h" |
               grep -oE 'Fsp[A-Za-z0-9_]+\($' | tr -d '('); do
        check "$f is in the reference" grep -q ">$f<" "$page"
    done
done

# ---- 3. the check fails on an undocumented declaration ----
mkdir -p "$T/include"
cp -r include/winfsp "$T/include/"
python3 - "$T/include/winfsp" <<'EOF'
import re, sys
d = sys.argv[1]
# Remove the doc comment of FspVersion (winfsp.h) and of FSP_FSCTL_FILE_INFO::EaSize (fsctl.h).
p = d + '/winfsp.h'
s = open(p).read()
s2 = re.sub(r'/\*\*(?:(?!\*/).)*?\*/\nFSP_API NTSTATUS FspVersion', 'FSP_API NTSTATUS FspVersion', s, flags=re.S)
assert s2 != s
open(p, 'w').write(s2)
p = d + '/fsctl.h'
s = open(p).read()
s2 = re.sub(r'(UINT32 EaSize;)\s*/\*\*<[^*]*\*/', r'\1', s)
assert s2 != s
open(p, 'w').write(s2)
EOF
src=$(pwd)
sed -e "s#$src/include#$T/include#g" -e "s#^OUTPUT_DIRECTORY .*#OUTPUT_DIRECTORY = $T/out#" \
    "$build/doc/Doxyfile" >"$T/Doxyfile"
doxygen "$T/Doxyfile" >"$T/neg.log" 2>&1
rc=$?
cat "$T/neg.log"
check "Doxygen fails on a copy with undocumented declarations" test $rc -ne 0
check "it names the undocumented function (FspVersion)" grep -q 'FspVersion' "$T/neg.log"
check "it names the undocumented member (EaSize)" grep -q 'EaSize' "$T/neg.log"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
