# lib.sh - shared helpers for integration tests (sourced, POSIX sh).
#
# Each test gets a private directory $T (removed at exit unless
# PK_KEEP_TEST=1), a database $T/db and the function "pk" that runs the
# freshly built postkontor against it. check/expect_fail record results;
# finish prints the tally and exits non-zero if anything failed.

set -u
: "${PK_BIN:?PK_BIN must name the postkontor binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pk-it-XXXXXX")
chmod 700 "$T"
PK_FAILS=0
PK_CHECKS=0
cleanup_hooks=""

pk_cleanup() {
    for h in $cleanup_hooks; do $h || true; done
    [ "${PK_KEEP_TEST:-0}" = 1 ] || rm -rf "$T"
}
trap pk_cleanup EXIT
trap 'exit 1' INT TERM

on_exit() { cleanup_hooks="$cleanup_hooks $1"; }

# port_free PORT: no TCP socket here uses PORT, listening or connected
# (a connection's local port blocks a later bind as much as a listener).
# Test listeners take ports from 20000 to 32767, below the kernel's
# ephemeral range (32768-60999), where outgoing connections take their
# local ports unasked; slapd and the stack use 61000 and up.
port_free() { [ -z "$(ss -tanH "sport = :$1" 2>/dev/null)" ]; }

pk() { "$PK_BIN" --db "$T/db" "$@"; }

need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "FAIL: required tool '$tool' is not installed" >&2
            exit 1
        }
    done
}

pass() { PK_CHECKS=$((PK_CHECKS + 1)); echo "ok   $1"; }
fail() { PK_CHECKS=$((PK_CHECKS + 1)); PK_FAILS=$((PK_FAILS + 1)); echo "FAIL $1"; }

# check NAME CMD...: CMD must succeed
check() {
    name=$1; shift
    if "$@" >"$T/out" 2>"$T/err"; then pass "$name"; else
        fail "$name (exit $?)"; sed 's/^/     | /' "$T/err" "$T/out"; fi
}

# expect_fail NAME PATTERN CMD...: CMD must fail with one stderr line
# matching PATTERN (grep -E), and print nothing on stdout
expect_fail() {
    name=$1; pattern=$2; shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        fail "$name (succeeded)"; return
    fi
    if [ "$(wc -l <"$T/err")" -ne 1 ]; then
        fail "$name (stderr is not one line)"; sed 's/^/     | /' "$T/err"; return
    fi
    if grep -Eq -- "$pattern" "$T/err"; then pass "$name"; else
        fail "$name (stderr: $(cat "$T/err"))"; fi
}

# same NAME A B: two strings are equal
same() {
    if [ "$2" = "$3" ]; then pass "$1"; else
        fail "$1"; echo "     | got:      $2"; echo "     | expected: $3"; fi
}

finish() {
    echo "$((PK_CHECKS - PK_FAILS)) passed, $PK_FAILS failed"
    [ "$PK_FAILS" -eq 0 ]
}
