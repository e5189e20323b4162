#!/bin/sh
# t-milter-rules.sh - every rule of postkontor-milter, through libmilter
#
# Starts the milter three times on private unix sockets: on a test
# database (keys: rsa-sha256 for example.se, ed25519-sha256 for
# ed.example), on a database that does not exist (fail-closed), and on
# the same with --db-error accept. Runs each tests/milter/*.lua with
# miltertest (each named by the behaviour it checks), checks the reply
# text in the milter's log, and verifies every message the milter signed
# with python3-dkim, an independent verifier.

. "$top_srcdir/tests/integration/lib.sh"
need miltertest
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import dkim' 2>/dev/null || {
    echo "FAIL: /usr/bin/python3 with python3-dkim is required" >&2
    exit 1
}

MILTER=$top_builddir/milter/postkontor-milter
LUA=$top_srcdir/tests/milter
[ -x "$MILTER" ] || { echo "FAIL: $MILTER not built" >&2; exit 1; }

pids=""
stop_milters() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        # libmilter may take several seconds to notice SIGTERM.
        n=0
        while kill -0 "$p" 2>/dev/null && [ $n -lt 100 ]; do
            sleep 0.1; n=$((n + 1))
        done
        kill -9 "$p" 2>/dev/null
    done
    pids=""
}
on_exit stop_milters

# start_milter NAME ARGS...: a milter on $T/NAME.sock, logging to NAME.log
start_milter() {
    name=$1; shift
    "$MILTER" --foreground --socket "unix:$T/$name.sock" "$@" \
        2>"$T/$name.log" &
    pids="$pids $!"
    n=0
    while [ ! -S "$T/$name.sock" ] && [ $n -lt 100 ]; do
        sleep 0.1; n=$((n + 1))
    done
    [ -S "$T/$name.sock" ] || { fail "milter $name did not start"; cat "$T/$name.log"; finish; exit 1; }
}

# The test database.
mkdir -m 700 "$T/db"
pk init >/dev/null
for d in example.se ed.example other.example; do pk domain add $d >/dev/null; done
pk domain alias example.nu example.se >/dev/null
for a in alice@example.se bob@example.se mallory@example.se \
    dave@ed.example eve@other.example; do
    echo "pw-$a-long-enough" | pk account add "$a" --password-stdin >/dev/null
done
pk account send-block mallory@example.se >/dev/null
pk alias add info@example.se alice@example.se >/dev/null
pk alias add @example.se bob@example.se >/dev/null
pk sendas grant alice@example.se billing@other.example >/dev/null
check "dkim keygen rsa-sha256" pk dkim keygen example.se --selector rsa1
check "dkim keygen ed25519-sha256" pk dkim keygen ed.example \
    --selector ed1 --algorithm ed25519-sha256

# miltertest delivers nothing: no MTA breaks long lines after the milter
# (t-milter-postfix.sh checks that path with Postfix's default).
start_milter main --db "$T/db" --line-length-limit 0
start_milter nodb --db "$T/no-such-db"
start_milter nodb-accept --db "$T/no-such-db" --db-error accept

MILTER_TESTS=$LUA
MILTER_SOCKET=unix:$T/main.sock
MILTER_SOCKET_NODB=unix:$T/nodb.sock
MILTER_SOCKET_NODB_ACCEPT=unix:$T/nodb-accept.sock
OUT_DIR=$T/signed
mkdir "$OUT_DIR"
export MILTER_TESTS MILTER_SOCKET MILTER_SOCKET_NODB \
    MILTER_SOCKET_NODB_ACCEPT OUT_DIR

# run_lua NAME: one script; its own "ok"/"FAIL" lines are shown
run_lua() {
    if miltertest -s "$LUA/$1.lua" >"$T/mt.out" 2>&1; then
        pass "$1"
    else
        fail "$1 (miltertest exit $?)"
    fi
    sed 's/^/     | /' "$T/mt.out"
}

# in_log NAME LOG PATTERN: the milter logged a line matching PATTERN
in_log() {
    if grep -Eq -- "$3" "$T/$2.log"; then pass "$1"; else
        fail "$1 (no log line matching: $3)"; fi
}

for script in "$LUA"/*.lua; do
    name=${script##*/}
    name=${name%.lua}
    case $name in
    lib | key-rotation-seen-without-restart) continue ;;
    esac
    run_lua "$name"
done

# The rotation: no signal, no restart.
pk dkim rotate example.se --selector rsa2 >/dev/null
NEW_SELECTOR=rsa2
export NEW_SELECTOR
run_lua key-rotation-seen-without-restart

# The replies the MTA passes to the client.
in_log "reply names the login and address" main \
    "reject 550 5\.7\.1 From header: alice@example\.se may not send as bob@example\.se"
in_log "reply for two From fields" main \
    "reject 550 5\.7\.1 From header: more than one From header field"
in_log "reply for an address list" main \
    "reject 550 5\.7\.1 From header: more than one address in the From field"
in_log "reply for group syntax" main "reject 550 5\.7\.1 From header: group syntax"
in_log "reply for a hidden address" main \
    "reject 550 5\.7\.1 From header: the From display name shows another address"
in_log "reply for no From" main "reject 550 5\.7\.1 From header: no From header field"
in_log "reply for too many signed fields" main "reject 552 5\.3\.4"
in_log "database failure is a temporary failure" nodb "tempfail 451 4\.3\.0"
if grep -q "reject" "$T/nodb.log"; then
    fail "a database failure was reported as a rejection"
else
    pass "a database failure is never a rejection"
fi

# Every signed message verifies with an independent verifier.
pk --json dkim show >"$T/keys.json"
if /usr/bin/python3 "$LUA/dkim-verify.py" "$T/keys.json" "$OUT_DIR"/*.eml \
    >"$T/verify.out" 2>&1; then
    pass "python3-dkim verifies $(ls "$OUT_DIR" | wc -l) signed messages"
else
    fail "python3-dkim verification"
fi
sed 's/^/     | /' "$T/verify.out"

stop_milters
finish
