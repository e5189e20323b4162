#!/bin/sh
# run.sh - build and run the libFuzzer targets in tests/fuzz/
#
# Usage: tests/fuzz/run.sh [SECONDS [TARGET...]]
#
# Builds every tests/fuzz/fuzz-*.c (or only fuzz-TARGET.c for each TARGET
# named) with clang, libFuzzer, ASan and UBSan, linked with all of
# common/*.c and the libraries of the core, and runs each for SECONDS
# (default 20). A seed corpus in tests/fuzz/corpus/TARGET/ is copied to a
# working corpus in the build directory: the source tree is never written.
#
# Prints one line per target and "N passed, N failed". Exits non-zero if a
# target failed to build, crashed, leaked, hit undefined behaviour or timed
# out, or if clang, pkg-config or a library is missing: a fuzz run that
# could not run is a failure, never a skip.
#
# Environment:
#   FUZZ_BUILD    build directory (default: a fresh mktemp directory,
#                 removed afterwards unless a target failed)
#   FUZZ_SOURCES  core sources to link, relative to the top directory
#                 (default: common/*.c); e.g. FUZZ_SOURCES="common/addr.c
#                 common/error.c" while other modules do not build yet
#   FUZZ_PKGS     pkg-config modules to link (default: the core's)
#   CC            the compiler (default: clang)

set -u

top=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
fuzzdir="$top/tests/fuzz"
seconds=${1:-20}
[ $# -gt 0 ] && shift

case $seconds in
'' | *[!0-9]* | 0)
    echo "usage: $0 [SECONDS [TARGET...]]; SECONDS is a positive integer" >&2
    exit 2
    ;;
esac

cc=${CC:-clang}
pkgs=${FUZZ_PKGS:-lmdb libidn2 libargon2 libxcrypt libcrypto jansson}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "run.sh: $cc not found: cannot build the fuzz targets" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if ! command -v pkg-config >/dev/null 2>&1; then
    echo "run.sh: pkg-config not found" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
# Word splitting of these is intended: they are lists of flags.
# shellcheck disable=SC2086
if ! pkg_cflags=$(pkg-config --cflags $pkgs) ||
    ! pkg_libs=$(pkg-config --libs $pkgs); then
    echo "run.sh: pkg-config cannot find all of: $pkgs" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

if [ -n "${FUZZ_BUILD:-}" ]; then
    build=$FUZZ_BUILD
    mkdir -p "$build" || exit 1
    own_build=no
else
    build=$(mktemp -d "${TMPDIR:-/tmp}/pk-fuzz-XXXXXX") || exit 1
    own_build=yes
fi

# The target list: named ones, or every fuzz-*.c there is.
targets=
if [ $# -gt 0 ]; then
    targets=$*
else
    for src in "$fuzzdir"/fuzz-*.c; do
        [ -f "$src" ] || continue
        name=${src##*/fuzz-}
        targets="$targets ${name%.c}"
    done
fi
if [ -z "$targets" ]; then
    echo "run.sh: no fuzz targets in $fuzzdir" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

if [ -n "${FUZZ_SOURCES:-}" ]; then
    sources=$FUZZ_SOURCES
else
    sources=
    for src in "$top"/common/*.c; do
        [ -f "$src" ] && sources="$sources ${src#"$top"/}"
    done
fi

# -fno-sanitize-recover: a UBSan report must stop the run, or libFuzzer
# would carry on and call it a pass.
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer -Wno-comment -D_GNU_SOURCE $san -I$top/common $pkg_cflags"

passed=0
failed=0

# Compile the core once, with coverage but without libFuzzer's main().
objects=
core_ok=yes
mkdir -p "$build/obj" || exit 1
: >"$build/core-build.log"
for src in $sources; do
    case $src in
    /*) path=$src ;;
    *) path=$top/$src ;;
    esac
    obj=$build/obj/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    if ! "$cc" $cflags -fsanitize=fuzzer-no-link -c "$path" -o "$obj" \
        >>"$build/core-build.log" 2>&1; then
        core_ok=no
    fi
    objects="$objects $obj"
done

for name in $targets; do
    src=$fuzzdir/fuzz-$name.c
    exe=$build/fuzz-$name
    log=$build/$name.log

    if [ ! -f "$src" ]; then
        echo "FAILED $name: no $src"
        failed=$((failed + 1))
        continue
    fi
    if [ "$core_ok" = no ]; then
        echo "FAILED $name: the core does not build (see $build/core-build.log)"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2086
    if ! "$cc" $cflags -fsanitize=fuzzer "$src" $objects $pkg_libs \
        -o "$exe" >"$build/$name-build.log" 2>&1; then
        echo "FAILED $name: build failed (see $build/$name-build.log)"
        failed=$((failed + 1))
        continue
    fi

    corpus=$build/corpus-$name
    mkdir -p "$corpus" || exit 1
    if [ -d "$fuzzdir/corpus/$name" ]; then
        cp "$fuzzdir/corpus/$name"/* "$corpus"/ 2>/dev/null
    fi

    rm -f "$build/$name-"crash-* "$build/$name-"leak-* \
        "$build/$name-"timeout-* "$build/$name-"oom-*
    "$exe" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/$name-" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        echo "ok     $name: ${runs:-?} runs in ${seconds} s"
        passed=$((passed + 1))
    else
        # shellcheck disable=SC2012
        crash=$(ls "$build/$name-"crash-* "$build/$name-"leak-* \
            "$build/$name-"timeout-* "$build/$name-"oom-* 2>/dev/null |
            head -n 1)
        echo "FAILED $name: exit $rc after ${runs:-?} runs;" \
            "input ${crash:-(none saved)}; log $log"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
    echo "build directory kept: $build" >&2
    exit 1
fi
[ "$own_build" = yes ] && rm -rf "$build"
exit 0
