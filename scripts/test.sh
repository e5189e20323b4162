#!/bin/sh
# test.sh - install, build and run every test; fail if any test failed or
# was skipped. This is what CI runs.
#
#   1. the normal build, warnings as errors: make check (unit tests for
#      every core module, integration tests with real clients)
#   2. an ASan+UBSan build: make check again (all but the tests that load
#      our module into Debian's Dovecot, which refuses an ASan module)
#   3. the unit tests under valgrind (leaks and invalid reads fail)
#   4. every fuzz target for a short run (libFuzzer)
#   5. the Debian packages: built, installed, checked with Dovecot and
#      Postfix, purged
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh --test

passed=0 failed=0 skipped=0

# tally LOG - add up one automake test-suite log summary
tally() {
    log="$1"
    if [ ! -f "$log" ]; then failed=$((failed + 1)); return; fi
    for kind in PASS FAIL SKIP ERROR XPASS XFAIL; do
        n=$(sed -n "s/^# $kind: *//p" "$log" | head -n 1)
        n=${n:-0}
        case $kind in
            PASS|XFAIL) passed=$((passed + n)) ;;
            SKIP) skipped=$((skipped + n)) ;;
            *) failed=$((failed + n)) ;;
        esac
    done
}

phase() { echo; echo "=== $*"; }

phase "build (warnings are errors) and make check"
sh scripts/build.sh --enable-werror
cd "$top/_build"
make -s -j"$(nproc)" check || true
tally "$top/_build/test-suite.log"

phase "ASan+UBSan build and make check"
BUILD_DIR="$top/_build-san" sh "$top/scripts/build.sh" --enable-sanitizers --enable-werror
(cd "$top/_build-san" && ASAN_OPTIONS=detect_leaks=1 make -s -j"$(nproc)" check \
    TESTS="$(cd "$top/_build-san" && make -s print-sanitizer-tests | tr '\n' ' ')") || true
tally "$top/_build-san/test-suite.log"

phase "unit tests under valgrind"
make -s check TESTS="$(make -s print-valgrind-tests)" \
    LOG_COMPILER="$top/tests/unit/valgrind-run" TEST_SUITE_LOG=valgrind-suite.log || true
tally "$top/_build/valgrind-suite.log"

phase "fuzz targets, short runs"
if sh "$top/tests/fuzz/run.sh" "${PK_FUZZ_SECONDS:-10}" >"$top/_build/fuzz.log" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
tail -n 20 "$top/_build/fuzz.log"

phase "Debian packages: build, install, check, purge"
# From the committed tree, in a scratch copy: a package build configures
# in its source tree, which must stay free for the out-of-tree builds.
debtmp=$(mktemp -d)
mkdir "$debtmp/src"
if git -C "$top" archive --format=tar HEAD | tar -x -C "$debtmp/src" &&
    (cd "$debtmp/src" && dpkg-buildpackage -us -uc -b >"$debtmp/build.log" 2>&1) &&
    sh "$top/debian/tests/run-local.sh" "$debtmp"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    tail -n 30 "$debtmp/build.log" 2>/dev/null
fi
rm -rf "$debtmp"

cd "$top"
for log in _build/test-suite.log _build-san/test-suite.log _build/valgrind-suite.log; do
    [ -f "$log" ] && grep -E '^(FAIL|ERROR|SKIP)' "$log" | head -n 40
done
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$skipped" -gt 0 ]; then
    echo "a skipped test counts as a failure here" >&2
    exit 1
fi
[ "$failed" -eq 0 ]
