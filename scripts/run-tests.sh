#!/usr/bin/env bash
# scripts/run-tests.sh - LinFsp's whole test suite (what CI runs).
#
# Installs the Debian packages it needs when they are missing, builds LinFsp three times (normal,
# ASan+UBSan, ThreadSanitizer), then runs every test program:
#   - meson test in both builds: the unit tests (no mount) and fsp-tests on memfs;
#   - fsp-tests on memfs in its variants (cache timeouts, case-insensitive, slow I/O, COARSE
#     guard, one thread, 100k-entry directory) in the sanitizer build;
#   - the engine's unit tests and fsp-tests under ThreadSanitizer (no data races);
#   - fsp-tests --external on the memfs and passthrough programs' mounts, and on a tmpfs this
#     script mounts (the same tests must pass there);
#   - the FUSE 3 examples built against Debian's libfuse3 and against LinFsp's FUSE 3 layer:
#     every test that passes on libfuse must pass on LinFsp (tests/tools/compare-fuse.sh); the
#     same rule for real programs (sshfs, bindfs, archivemount: tests/tools/fuse-programs.sh);
#   - the .NET layer: test-dotnet, test-passthrough-dotnet (in meson test), fsp-tests on memfs-dotnet
#     and passthrough-dotnet, and the layer installed under a prefix (tutorial, launchers) (Mono);
#   - the reliability harnesses: fsx on memfs, passthrough and tmpfs; fscrash on memfs and
#     passthrough; the engine's libFuzzer target for a fixed number of inputs; a short soak;
#   - the memfs program: scripts/demo.sh (mount, use, SIGTERM, unmounted);
#   - the API reference (Doxygen: every public declaration documented, warnings are errors) and
#     the man pages (well-formed, installed, true to the programs' options);
#   - the Debian packages: built, lintian-clean of errors, installed, memfs run from them, removed;
#   - the shared library depends on no FUSE library (ldd);
#   - the launcher from an installed prefix (meson test runs it from both builds).
# Every step runs under a time limit; a mount a step leaves behind is aborted and unmounted.
# Ends with the line "N passed, N failed" (tests of all programs together).
#
# Options: --quick  skip the sanitizer build's variants, the 100k-entry directory test, the fuzzer
#                  and the soak.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
quick=0
[ "${1:-}" = "--quick" ] && quick=1

if [ "$(id -u)" -ne 0 ]; then
    echo "run-tests.sh: run as root (the tests mount file systems and switch users)" >&2
    exit 2
fi
linfsp_install_packages || { echo "run-tests.sh: cannot install the packages needed"; exit 2; }
[ -e /dev/fuse ] || modprobe fuse 2>/dev/null
[ -e /dev/fuse ] || { echo "run-tests.sh: /dev/fuse is missing"; exit 2; }

work=$(mktemp -d /tmp/linfsp-tests.XXXXXX)
logs=build/test-logs   # every step's whole output stays here
rm -rf "$logs" && mkdir -p "$logs"
export TMPDIR=$work   # fsp-tests mounts its memfs under $TMPDIR
tmpfs_dir=$work/tmpfs
uring_param=/sys/module/fuse/parameters/enable_uring
uring_before=$(cat $uring_param 2>/dev/null)
# the installed-prefix step's prefix (outside $work: the launcher's tests run programs as nobody)
export LINFSP_TEST_PREFIX=/tmp/linfsp-prefix.$(pwd | md5sum | cut -c1-8)
cleanup() {
    cd /
    # the io_uring step changes the fuse module's parameter: put it back even after a time limit
    [ -n "$uring_before" ] && [ -w $uring_param ] && echo "$uring_before" > $uring_param
    linfsp_free_mounts_under "$work"
    mountpoint -q "$tmpfs_dir" && umount -l "$tmpfs_dir"
    rm -rf "$work" "$LINFSP_TEST_PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

total_passed=0 total_failed=0
failed_steps=()

# step NAME SECONDS COMMAND...: run a test program with a time limit, add its closing line's
# counts to the totals (a program that ends without one counts as one failure).
step() {
    local name=$1 limit=$2; shift 2
    local log=$logs/$(echo "$name" | tr -c 'a-zA-Z0-9_.\n-' '_').log
    echo
    echo "== $name"
    local start=$SECONDS rc=0
    # bash -c so that a step can be one of this script's functions (exported below).
    timeout -k 10 "$limit" bash -c '"$@"' "$name" "$@" >"$log" 2>&1 || rc=$?
    linfsp_free_mounts_under "$work"
    local line passed failed
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    if [ -n "$line" ]; then
        passed=$(echo "$line" | cut -d' ' -f1)
        failed=$(echo "$line" | cut -d' ' -f3)
    else
        passed=0 failed=0
    fi
    # A program that fails without a failing test (crash, sanitizer report, time limit) counts once.
    if [ $rc -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
    # What failed, with the assertion lines before it; sanitizer reports.
    grep -E -B6 'FAIL [0-9.]+s$|^[^ ].*\.\.\. FAIL' "$log" | head -60
    grep -E -A12 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error' "$log" | head -40
    # compare-fuse.sh: each test where the two builds differ, with its direction
    grep -E '^[^ ]+: A=[A-Z]+ B=[A-Z]+' "$log" | head -60
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "   time limit of ${limit}s reached"; fi
    if [ $rc -ne 0 ] || [ "$failed" -ne 0 ]; then
        failed_steps+=("$name")
        echo "   --- last lines of $name (whole output: $log) ---"; tail -15 "$log" | sed 's/^/   /'
    fi
    echo "-- $name: ${line:-no closing line} (exit $rc, $((SECONDS - start))s)"
}

# meson_tests BUILDDIR: meson test, then the closing lines of each program it ran.
meson_tests() {
    local dir=$1 rc=0
    meson test -C "$dir" --print-errorlogs --num-processes 1 || rc=$?
    # meson's testlog holds every program's output; add up their closing lines.
    grep -hE '^[0-9]+ passed, [0-9]+ failed' "$dir/meson-logs/testlog.txt" |
        awk '{p += $1; f += $3} END {printf "%d passed, %d failed\n", p, f}'
    return $rc
}

echo "== building build/release (debugoptimized)"
build_ok=1
linfsp_build build/release --buildtype=debugoptimized || build_ok=0
# The .NET layer (managed code, the same in every build; Mono cannot load a sanitized
# liblinfsp) is built and tested in build/release only.
echo "== building build/sanitize (ASan+UBSan)"
linfsp_build build/sanitize --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Ddotnet=disabled || build_ok=0
echo "== building build/tsan (ThreadSanitizer)"
linfsp_build build/tsan --buildtype=debug -Db_sanitize=thread -Db_lundef=false -Ddotnet=disabled || build_ok=0
if [ $build_ok -ne 1 ]; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

export -f meson_tests
step "meson test (release)" 900 meson_tests build/release
step "meson test (ASan+UBSan)" 1200 meson_tests build/sanitize

ft=build/sanitize/tests/fsp-tests/fsp-tests
step "fsp-tests --timeout=0 (ASan+UBSan)" 600 "$ft" --timeout=0
step "fsp-tests --timeout=-1 (ASan+UBSan)" 600 "$ft" --timeout=-1
step "fsp-tests --timeout=-1 --writeback (ASan+UBSan)" 600 "$ft" --timeout=-1 --writeback
if [ $quick -eq 0 ]; then
    step "fsp-tests --case-insensitive (ASan+UBSan)" 600 "$ft" --case-insensitive
    step "fsp-tests --slowio (ASan+UBSan)" 600 "$ft" --slowio
    step "fsp-tests --coarse --threads=1 (ASan+UBSan)" 600 "$ft" --coarse --threads=1
    step "fsp-tests +dirctl_100k_test (release)" 600 build/release/tests/fsp-tests/fsp-tests +dirctl_100k_test dirctl_100k_test
fi

# FUSE over io_uring (the engine uses it when the kernel offers it): the kernel offers it only
# with the fuse module's enable_uring; turned on for these steps and put back after. Without the
# parameter the engine falls back to /dev/fuse and the steps still run the suite.
uring_tests() {
    local param=/sys/module/fuse/parameters/enable_uring old=
    [ -w $param ] && old=$(cat $param) && echo Y > $param
    local rc=0
    "$@" || rc=$?
    [ -n "$old" ] && echo "$old" > $param
    return $rc
}
export -f uring_tests
step "fsp-tests --io-uring (ASan+UBSan)" 600 uring_tests "$ft" --io-uring

# Where threads meet: the engine's workers, pending completions and interrupts, memfs's slow-I/O
# threads. ThreadSanitizer exits 66 on a data race, which fails the step.
export TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1
step "test-engine (ThreadSanitizer)" 600 build/tsan/tests/unit/test-engine
step "test-api (ThreadSanitizer)" 300 build/tsan/tests/unit/test-api
# memfs's callbacks racing each other (reparse data, streams, directory times)
step "test-memfs (ThreadSanitizer)" 300 build/tsan/tests/unit/test-memfs
step "fsp-tests (ThreadSanitizer)" 900 build/tsan/tests/fsp-tests/fsp-tests
# io_uring is the engine's default where the kernel offers it: the same run with enable_uring on
step "fsp-tests over io_uring by default (ThreadSanitizer)" 900 uring_tests build/tsan/tests/fsp-tests/fsp-tests
step "fsp-tests --slowio --timeout=-1 (ThreadSanitizer)" 900 build/tsan/tests/fsp-tests/fsp-tests --slowio --timeout=-1

# The same tests through LinFsp's programs, mounted as any user would mount them (--linfsp:
# LinFsp's documented deviations from tmpfs are expected there).
on=scripts/fsp-tests-on.sh
step "fsp-tests on the memfs program (ASan+UBSan)" 600 $on "$ft" "build/sanitize/memfs -m @MNT@" --linfsp
step "fsp-tests on passthrough over tmpfs (ASan+UBSan)" 600 $on "$ft" \
    "build/sanitize/examples/passthrough/passthrough -p @SRC@ -m @MNT@" --linfsp
# Windows clients through Samba (issue 15): smbd of the test's own in a network namespace,
# smbclient and smbcacls against memfs (installs samba, smbclient, acl).
step "Samba on memfs: streams, DOS attributes, ACLs, creation time (ASan+UBSan)" 300 \
    tests/tools/test-samba.sh build/sanitize/memfs

# What needs the native API's LinFsp extensions for Linux fidelity (issue 11; doc/native-api.md
# items 85-88), which a file system written for WinFsp, and the .NET layer, do not have:
# nanosecond times, empty xattr values and tmpfs's xattr namespaces, RENAME_EXCHANGE, O_TMPFILE.
no_linux_ext=(-info_utimens_test -info_utimens_nsec_test -xattr_empty_value_test -xattr_namespace_test
              -rename_exchange_test -rename_exchange_dirs_test -create_tmpfile_test -create_tmpfile_excl_test
              -security_tmpfile_exchange_test)
# A WinFsp file system ported with only its Windows calls changed (examples/winfsp-memfs,
# doc/porting.md): the engine supplies what WinFsp's driver does (Cleanup flags, link counts,
# rename over an empty directory, the GetEa contract, EA name case). Excluded, features the
# engine cannot supply: hard links (WinFsp's API has none; security_killpriv_again_test and
# rename_hardlink_ctime_test make one), sparse or very large files (this MEMFS keeps a file's
# data in one heap block), and the LinFsp extensions above.
step "fsp-tests on winfsp-memfs (a WinFsp file system, ASan+UBSan)" 600 $on "$ft" \
    "build/sanitize/examples/winfsp-memfs/winfsp-memfs -n 1000000 -s 2147483648 -m @MNT@" --linfsp \
    -link_basic_test -link_data_test -link_unlink_test -link_other_dir_test -link_rename_test \
    -link_attr_shared_test -link_open_unlinked_test -link_same_inode_test -link_symlink_test \
    -link_many_test -security_killpriv_again_test -rename_hardlink_ctime_test -rdwr_sparse_test \
    -rdwr_sparse_5g_test -rdwr_4g_boundary_test "${no_linux_ext[@]}"
# The .NET layer (dotnet/, Mono): its own test program, then the suite on the C# file systems
# mounts (as memfs and passthrough above). Excluded (doc/dotnet.md): the LinFsp extensions above,
# which the .NET layer does not carry yet.
step "test-dotnet (.NET layer)" 300 mono build/release/dotnet/test-dotnet.exe
step "fsp-tests on memfs-dotnet (.NET layer)" 600 $on build/release/tests/fsp-tests/fsp-tests \
    "mono build/release/dotnet/memfs-dotnet.exe -m @MNT@" --linfsp "${no_linux_ext[@]}"
step "fsp-tests on passthrough-dotnet over tmpfs (.NET layer)" 600 $on build/release/tests/fsp-tests/fsp-tests \
    "mono build/release/dotnet/passthrough-dotnet.exe -p @SRC@ -m @MNT@" --linfsp "${no_linux_ext[@]}"

# The FUSE 3 layer: an unmodified libfuse 3 program (memfs-fuse3) on LinFsp. Excluded: xattrs on
# a file open but unlinked (FUSE's xattr operations take a path; such a file has none),
# O_TMPFILE, which libfuse's high-level API has no operation for (libfuse answers EOPNOTSUPP too),
# and the access time after reads (memfs-fuse3 keeps its own times and does not update atime, on
# libfuse either). As with libfuse, other users reach the mount with allow_other, and the kernel
# checks permissions with default_permissions; fuse_main exits with 8 when SIGTERM ends it
# (libfuse 3's status).
no_tmpfile=(-create_tmpfile_test -create_tmpfile_excl_test -security_tmpfile_exchange_test)
fuse3_on="env FSP_TESTS_ON_STATUS=8 $on"
step "fsp-tests on memfs-fuse3 (FUSE 3 layer, ASan+UBSan)" 600 $fuse3_on "$ft" \
    "build/sanitize/src/fuse/memfs-fuse3 -f -o allow_other,default_permissions @MNT@" --linfsp \
    -xattr_unlinked_test -info_read_atime_test "${no_tmpfile[@]}"
# A FUSE 3 passthrough written to the libfuse API only (nullpath_ok, .fuse_hidden files, O_TRUNC
# in open): every test passes but O_TMPFILE's (as above).
step "fsp-tests on passthrough-fuse over tmpfs (FUSE 3 layer, ASan+UBSan)" 600 $fuse3_on "$ft" \
    "build/sanitize/src/fuse/passthrough-fuse -f -o allow_other,default_permissions -o source=@SRC@ @MNT@" \
    --linfsp "${no_tmpfile[@]}"
# The FUSE layer's open-file list is shared by the engine's workers: the same run under
# ThreadSanitizer (a race makes the program exit 66 at SIGTERM, which fails the step).
step "fsp-tests on passthrough-fuse over tmpfs (FUSE 3 layer, ThreadSanitizer)" 900 $fuse3_on "$ft" \
    "build/tsan/src/fuse/passthrough-fuse -f -o allow_other,default_permissions -o source=@SRC@ @MNT@" \
    --linfsp "${no_tmpfile[@]}"

# The issue's rule: the same FUSE program built against Debian's libfuse3 and against LinFsp
# gives the same results on the same tests. libfuse3-dev is a test-only dependency (LinFsp never
# links libfuse). libfuse's high-level library fails some POSIX behaviour that LinFsp gets right
# (ESTALE for operations on removed files and directories), so the comparison is LinFsp ⊇
# libfuse: every test that passes on libfuse must pass on LinFsp (compare-fuse.sh --superset,
# which prints each test where they differ with its direction; doc/fuse3.md). On LinFsp fsp-tests
# runs with --linfsp (LinFsp's documented deviations, e.g. xattr values up to 65535 bytes).
# Both get the same mount options (LinFsp adds none, as libfuse).
libfuse_compare() {
    local prog=$1; shift
    local ref=$TMPDIR/$prog-libfuse3
    # shellcheck disable=SC2046  # pkg-config's flags are word-split on purpose
    gcc -std=gnu11 -Wall -Wextra -Werror -O2 "examples/fuse/$prog.c" $(pkg-config --cflags --libs fuse3) -o "$ref" ||
        { echo "cannot build $prog against libfuse3"; echo "0 passed, 1 failed"; return 1; }
    FSP_TESTS_ARGS_B=--linfsp bash tests/tools/compare-fuse.sh --superset "$ref" "build/sanitize/src/fuse/$prog" "$@"
}
export -f libfuse_compare
step "memfs-fuse3: libfuse3 vs LinFsp (compare-fuse.sh --superset)" 600 libfuse_compare memfs-fuse3 \
    -o allow_other,default_permissions
step "passthrough-fuse: libfuse3 vs LinFsp (compare-fuse.sh --superset)" 600 libfuse_compare passthrough-fuse \
    -o allow_other -o 'source=%SRC%'

# The FUSE 2.9 headers lay out every structure as libfuse 2.9's do (skipped without libfuse-dev).
step "FUSE 2.9 headers against libfuse 2.9's" 120 tests/fuse2-abi/fuse2-abi.sh

# The FUSE 2.9 layer: an unmodified libfuse 2.9 program (memfs-fuse2) on LinFsp. Excluded, as
# with libfuse 2.9 itself: renameat2 flags (the 2.9 rename has none: EINVAL), fchmod/futimens
# on a directory removed while open (2.9's chmod/utimens take only a path, and it has none),
# O_TMPFILE (no operation for it), and the access time after reads, as for memfs-fuse3.
step "fsp-tests on memfs-fuse2 (FUSE 2.9 layer, ASan+UBSan)" 600 $on "$ft" \
    "build/sanitize/src/fuse/memfs-fuse2 -f -o allow_other,default_permissions @MNT@" --linfsp \
    -rename_noreplace_test -rename_exchange_test -rename_exchange_dirs_test \
    -info_removed_dir_setattr_test -info_read_atime_test "${no_tmpfile[@]}"

# Real libfuse programs (issue 9's drop-in rule): sshfs, bindfs (FUSE 3 and FUSE 2 builds) and
# archivemount from /work/shared/fuse-programs, each built unchanged against Debian's libfuse
# and against LinFsp installed into a temporary prefix (its compat-pkgconfig directory), running
# their own suites (sshfs's pytest with an sshd of the script's own, bindfs's ruby suite) and an
# archivemount round trip on both: every test that passes on libfuse must pass on LinFsp.
step "real libfuse programs: sshfs, bindfs, archivemount (tests/tools/fuse-programs.sh)" 1500 \
    bash tests/tools/fuse-programs.sh

# ---- The reliability harnesses (doc/testing.md): each bounded by a count, not by the clock ----
# fsx: random reads, writes, mmap reads and writes, truncates and fallocate in every mode,
# checked against a model of the file; on memfs in its cache configurations and on passthrough
# over a directory of this machine's disk (scripts/fsx-long.sh runs millions).
fx=build/release/tests/fsx/fsx
wm=scripts/with-mount.sh
step "fsx on memfs (ASan+UBSan)" 300 $wm "build/sanitize/memfs -m @MNT@" $fx -N 50000 -S 1 @MNT@/fsx
step "fsx on memfs -t 0 (ASan+UBSan)" 300 $wm "build/sanitize/memfs -t 0 -m @MNT@" $fx -N 50000 -S 2 @MNT@/fsx
step "fsx on memfs -t 1000 (ASan+UBSan)" 300 $wm "build/sanitize/memfs -t 1000 -m @MNT@" $fx -N 50000 -S 3 @MNT@/fsx
step "fsx on memfs -W (writeback cache, ASan+UBSan)" 300 $wm "build/sanitize/memfs -W -m @MNT@" $fx -N 50000 -S 4 @MNT@/fsx
step "fsx on passthrough -P0 (ASan+UBSan)" 300 $wm \
    "build/sanitize/examples/passthrough/passthrough -P0 -p @SRC@ -m @MNT@" $fx -N 30000 -S 5 @MNT@/fsx
# fscrash: the file system killed, crashed or starved of memory at every kind of operation,
# entering and leaving; callers, the mount, remounting and fsynced files are checked
# (scripts/fscrash-long.sh runs more actions, seeds and file systems).
fc=build/release/tests/fscrash/fscrash-test
pt=build/release/examples/passthrough/passthrough
step "fscrash on memfs (release)" 300 $fc -- build/release/memfs -t 0 -m @MNT@
step "fscrash on passthrough (release)" 300 $fc --durable --skip-kinds=DeviceControl -- $pt -P0 -p @SRC@ -m @MNT@
step "fscrash on passthrough, later crashes (release)" 300 $fc --durable --percent=20 \
    --actions=terminate,crash --phases=enter --skip-kinds=DeviceControl -- $pt -P0 -p @SRC@ -m @MNT@
if [ $quick -eq 0 ]; then
    # The engine's message decoding under libFuzzer (clang, ASan+UBSan): the seed corpus, then
    # a fixed number of inputs (scripts/fuzz.sh with no option runs an hour).
    step "fuzz-engine: 3000 inputs (libFuzzer, ASan+UBSan)" 900 bash scripts/fuzz.sh --runs=3000
    # A short soak: stress-ng's file system stressors and fsx together, three rounds on each of
    # memfs and passthrough, memory and descriptors after each round (scripts/soak.sh: 10 min).
    step "soak: stress-ng and fsx, 30 s on memfs and on passthrough" 600 bash scripts/soak.sh \
        --time=30 --round=10
fi

mkdir -p "$tmpfs_dir"
if mount -t tmpfs -o size=8g linfsp-tests "$tmpfs_dir"; then
    step "fsp-tests --external on tmpfs" 600 build/release/tests/fsp-tests/fsp-tests --external "$tmpfs_dir"
    # fsx must pass on a kernel file system too (tmpfs has no ZERO_RANGE: -E skips what it refuses).
    step "fsx on tmpfs" 300 $fx -E -N 200000 -S 6 "$tmpfs_dir/fsx"
    umount "$tmpfs_dir" || umount -l "$tmpfs_dir"
else
    echo "cannot mount a tmpfs"; total_failed=$((total_failed + 1)); failed_steps+=("tmpfs")
fi

demo_check() {
    local out rc=0
    out=$(bash scripts/demo.sh "$TMPDIR/demo" 2>&1) || rc=$?
    echo "$out"
    local ok=1
    for want in 'hello from LinFsp' 'docs/numbers: 588895 bytes, 2 links' 'hello.txt: 18 bytes, 1 links, mode 4750' \
                'user.comment="an extended attribute"' 'link-to-hello -> hello.txt' 'memfs exited with status 0' 'is unmounted'; do
        if grep -qF -- "$want" <<<"$out"; then echo "demo shows: $want... OK"; else echo "demo shows: $want... FAIL"; ok=0; fi
    done
    [ $rc -eq 0 ] && [ $ok -eq 1 ] && echo "1 passed, 0 failed" || { echo "0 passed, 1 failed"; return 1; }
}
export -f demo_check
step "memfs program (scripts/demo.sh)" 300 demo_check

nofuse_check() {
    local lib
    lib=$(ls build/release/liblinfsp.so.0* | head -1)
    ldd "$lib"
    if ldd "$lib" | grep -qi fuse; then echo "liblinfsp links a FUSE library... FAIL"; echo "0 passed, 1 failed"; return 1; fi
    echo "liblinfsp links no FUSE library... OK"; echo "1 passed, 0 failed"
}
# The benchmark harness in its quick mode: proves it runs end to end (never asserts timings).
bench_quick() {
    local out rc=0
    out=$(bash bench/run-bench.sh --quick --no-perf --out="$TMPDIR/bench" 2>&1) || rc=$?
    echo "$out" | tail -30
    if [ $rc -eq 0 ] && [ -s "$TMPDIR/bench/README.md" ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; return 1; fi
}
export -f bench_quick
step "benchmark harness (bench/run-bench.sh --quick)" 600 bench_quick

export -f nofuse_check
step "no libfuse in liblinfsp (ldd)" 60 nofuse_check

# Documentation: the API reference covers every public declaration (doc/api; Doxygen warnings are
# errors), and the man pages install, show with man(1) and list the programs' real options.
step "API reference (ninja doc, Doxygen)" 300 tests/tools/test-api-reference.sh build/release
step "man pages" 180 tests/tools/test-man-pages.sh build/release
# The Debian packages (debian/, scripts/build-deb.sh): a full package build (about a minute on
# 2 CPUs), lintian, dpkg -i, memfs and a FUSE program run from the installed files, dpkg --purge.
step "Debian packages (build, lintian, install, run, remove)" 900 tests/tools/test-debian-packages.sh
# Everything from an installed prefix (meson setup --prefix; ninja install): the launcher's tests
# against the installed launcher, launchctl, mount.linfsp, fsreg, fsptool, memfs, passthrough,
# example classes and systemd units. (meson test runs the same tests from both build trees.)
# The prefix is a directory others may enter (the tests run programs as nobody), one per
# worktree so that build/prefix stays configured between runs.
prefix_check() {
    local prefix=$LINFSP_TEST_PREFIX rc=0
    rm -rf "$prefix" && mkdir -m 755 "$prefix" || { echo "0 passed, 1 failed"; return 1; }
    if [ ! -f build/prefix/build.ninja ]; then
        meson setup build/prefix --buildtype=debugoptimized --prefix="$prefix" >/dev/null
    else
        meson configure build/prefix -Dprefix="$prefix" >/dev/null
    fi || { echo "meson setup failed"; echo "0 passed, 1 failed"; return 1; }
    if ! ninja -C build/prefix install >build/prefix.install.log 2>&1; then
        tail -30 build/prefix.install.log; echo "0 passed, 1 failed"; rm -rf "$prefix"; return 1
    fi
    bash tests/launcher/test-launcher.sh build/prefix "$prefix" || rc=$?
    rm -rf "$prefix"
    return $rc
}
export -f prefix_check
step "launcher from an installed prefix (ninja install)" 900 prefix_check
# The .NET layer as a user gets it, from the same installed prefix (build/prefix): the C#
# tutorial's file system built against the installed assembly (pkg-config linfsp-net) and
# mounted, the installed memfs-dotnet and passthrough-dotnet launchers.
dotnet_prefix_check() {
    local prefix=$LINFSP_TEST_PREFIX rc=0
    rm -rf "$prefix" && mkdir -m 755 "$prefix" || { echo "0 passed, 1 failed"; return 1; }
    bash tests/tools/test-dotnet-install.sh build/prefix "$prefix" || rc=$?
    rm -rf "$prefix"
    return $rc
}
export -f dotnet_prefix_check
step "the .NET layer from an installed prefix (test-dotnet-install.sh)" 600 dotnet_prefix_check

echo
if [ ${#failed_steps[@]} -ne 0 ]; then
    echo "failing steps: ${failed_steps[*]}"
fi
echo "$total_passed passed, $total_failed failed"
[ $total_failed -eq 0 ]
