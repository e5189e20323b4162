#!/bin/sh
# t-cli-backup-check - hot backup, and check against corrupt records
#
# A backup taken while readers run opens and exports like the original.
# check passes on a good database; a record rewritten with mdb_load
# into garbage is reported by check, and resolving its address (or an
# alias through it) fails with a database error, never "unknown".

. "$top_srcdir/tests/integration/lib.sh"
need python3 mdb_load

pw() { input=$1; shift; printf '%s\n' "$input" | pk "$@"; }

# jcheck_rc NAME RC PYEXPR CMD...: CMD exits RC, stdout is JSON (j), PYEXPR
jcheck_rc() {
    name=$1; want=$2; expr=$3; shift 3
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name (exit $rc, expected $want)"; sed 's/^/     | /' "$T/err"; return
    fi
    if python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$expr" 2>>"$T/err"; then
        pass "$name"
    else
        fail "$name"; sed 's/^/     | /' "$T/out" "$T/err"
    fi
}

# put DB KEY VALUE: overwrite one raw record (mdb_load -T escapes: \xx)
put() {
    printf '%s\n%s\n' "$2" "$3" | mdb_load -T -s "$1" "$T/db"
}

echo "# a database worth copying"
check "init" pk init
check "domain" pk domain add example.se
check "account" pw 'alice pw 123' account add alice@example.se --password-stdin
check "account 2" pw 'bob pw 1234' account add bob@example.se --password-stdin
check "alias" pk alias add info@example.se alice@example.se bob@example.se
python3 -c 'import json
for i in range(2000):
    print(json.dumps({"type": "alias", "address": "list%d@example.se" % i,
                      "to": ["alice@example.se", "x%d@elsewhere.org" % i]}))' >"$T/many.jsonl"
check "2000 more aliases" pk import "$T/many.jsonl"

echo "# hot backup"
: >"$T/reader-failures"
(
    while :; do
        "$PK_BIN" --db "$T/db" resolve info@example.se >/dev/null 2>&1 ||
            echo failed >>"$T/reader-failures"
    done
) &
reader=$!
stop_reader() { kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null; }
on_exit stop_reader
sleep 0.3
check "backup while a reader loop runs" pk backup "$T/backup"
sleep 0.3
stop_reader
[ -s "$T/reader-failures" ] && fail "readers failed during the backup" ||
    pass "readers kept working during the backup"
pk export >"$T/live.jsonl"
"$PK_BIN" --db "$T/backup" export >"$T/backup.jsonl"
[ -s "$T/backup.jsonl" ] && cmp -s "$T/live.jsonl" "$T/backup.jsonl" &&
    pass "the backup opens and exports identically" ||
    fail "the backup opens and exports identically"
expect_fail "a backup never overwrites a database" 'already' pk backup "$T/backup"
check "check on the backup" "$PK_BIN" --db "$T/backup" check
jcheck_rc "backup --json" 0 'j["ok"] and j["dir"].endswith("backup2")' \
    pk --json backup "$T/backup2"

echo "# check on a good database"
check "check passes" pk check
same "and says so" "$(cat "$T/out")" "0 problems"
jcheck_rc "check --json is an empty array" 0 'j == []' pk check --json

echo "# a corrupt record"
put addresses 'example.se\00bob' '\02\01garbage' || fail "mdb_load"
pk check >"$T/out" 2>"$T/err"
same "check exits 1" "$?" 1
grep -q 'bob@example\.se' "$T/out" && pass "check names the corrupt record" ||
    { fail "check names the corrupt record"; sed 's/^/     | /' "$T/out"; }
tail -n 1 "$T/out" | grep -Eq '^[1-9][0-9]* problems?$' &&
    pass "check ends with the number of problems" ||
    fail "check ends with the number of problems ($(tail -n 1 "$T/out"))"
same "check prints one line on stderr" "$(wc -l <"$T/err" | tr -d ' ')" 1
jcheck_rc "check --json lists it" 1 \
    'any(p["subject"] == "bob@example.se" for p in j)' pk check --json

# resolve_fails NAME ADDRESS: a database error, not an answer
resolve_fails() {
    expect_fail "$1" 'corrupt|newer|temporar' pk resolve "$2"
    if grep -qi 'unknown' "$T/err" || [ -s "$T/out" ]; then
        fail "$1: reported as an answer"
    fi
    expect_fail "$1 (--json)" 'corrupt|newer|temporar' pk resolve "$2" --json
    [ -s "$T/out" ] && fail "$1 (--json): printed $(cat "$T/out")"
}
resolve_fails "resolve of the corrupt address fails" bob@example.se
resolve_fails "resolve of an alias through it fails" info@example.se
resolve_fails "a catch-all does not hide it" bob+tag@example.se
expect_fail "account show fails" 'corrupt' pk account show bob@example.se
jcheck_rc "other addresses still resolve" 0 'j["deliver_to"] == ["alice@example.se"]' \
    pk resolve alice@example.se --json

echo "# a record of a newer version"
put addresses 'example.se\00alice' '\02\07' || fail "mdb_load"
jcheck_rc "check reports it" 1 \
    'any(p["subject"] == "alice@example.se" for p in j)' pk check --json
resolve_fails "resolve refuses to guess" alice@example.se

finish
