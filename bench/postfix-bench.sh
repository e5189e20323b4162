#!/bin/bash
# postfix-bench.sh - postkontor-postfix against its peers, in one run
#
# usage: bench/postfix-bench.sh [--quick] [--keys N] [--rounds N]
#                               [--builddir DIR] [--keep]
#
#   --quick     100,000 accounts and aliases (default 1,000,000)
#   --keys N    lookup keys per round (default: as many as accounts)
#   --rounds N  rounds per side, interleaved (default 3)
#   --builddir  where cli/postkontor and postfix-policy/postkontor-postfix
#               were built (default $top_builddir, else .)
#   --keep      keep the scratch directory
#
# Peers, all on this machine in this run (NOTES.md, "Measuring"):
#   - socketmap: "postmap -q -" over the keys against postkontor-postfix's
#     alias table and against bench/postfix-null.c, a do-nothing socketmap
#     server (the transport's ceiling), with one client (client and server
#     pinned to core 0) and four clients at once; against the same
#     server making the one LMDB read of the key's record that any server
#     of this database must make (the floor: what the lookup itself costs
#     on this machine); and against Postfix's in-process lmdb: table of
#     the same data (postmap -q - lmdb:).
#   - policy: bench/postfix-policy-client.c, persistent connections of
#     RCPT + END-OF-MESSAGE requests from authenticated senders with a
#     rate limit in force, against postkontor-postfix and the do-nothing
#     policy server, with one connection (pinned) and four, and the
#     same server reading the login's record (the floor); and against
#     Debian's policyd-rate-limit enforcing the same per-login message
#     limit, with its SQLite database as packaged (on disk, in the
#     scratch directory) and, as a detail, on /dev/shm (no sync cost).
# Prints detail lines and one line per comparison, "NAME: RATIO (target)
# ok|MISSED". Exit 0 when every benchmark ran.

set -u
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_SRC/lib.sh"

QUICK=0 ROUNDS=3 KEEP=0 KEYS=
BUILDDIR=${top_builddir:-.}
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1 ;;
    --keys) KEYS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --builddir) BUILDDIR=$2; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "postfix-bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
N=1000000
[ $QUICK = 1 ] && N=100000
KEYS=${KEYS:-$N}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
PK=$BUILDDIR/cli/postkontor
PKPF=$BUILDDIR/postfix-policy/postkontor-postfix
PYTHON=${PYTHON:-python3}
CC=${CC:-cc}
for prog in "$PK" "$PKPF"; do
    [ -x "$prog" ] || { echo "postfix-bench.sh: $prog is not built" >&2; exit 1; }
done
for tool in "$PYTHON" "$CC" taskset postmap postconf openssl; do
    command -v "$tool" >/dev/null || { echo "postfix-bench.sh: $tool is missing" >&2; exit 1; }
done
PIN0="taskset -c 0"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-pfbench-XXXXXX") || exit 1
chmod 700 "$WORK"
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    [ $KEEP = 1 ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
BENCH_FAILED=0

echo "postfix: $N accounts and $N aliases, $KEYS keys, $ROUNDS rounds"
$CC -O2 -D_GNU_SOURCE -o "$WORK/null" "$BENCH_SRC/postfix-null.c" -llmdb &&
    $CC -O2 -D_GNU_SOURCE -o "$WORK/client" "$BENCH_SRC/postfix-policy-client.c" ||
    { echo "postfix-bench.sh: cannot build the peers" >&2; exit 1; }
hash='{SHA512-CRYPT}'$(openssl passwd -6 -salt benchsaltbench bench)
mkdir -p "$WORK/data" "$WORK/db" "$WORK/pf/etc" "$WORK/pf/spool" && chmod 700 "$WORK/db"
"$PYTHON" "$BENCH_SRC/gen-data.py" --accounts $N --aliases $N --domains 1000 \
    --keys "$KEYS" --hash "$hash" "$WORK/data" || exit 1
"$PK" --db "$WORK/db" init >/dev/null &&
    timed t "$PK" --db "$WORK/db" import "$WORK/data/import.jsonl" >/dev/null ||
    { echo "postfix-bench.sh: import failed" >&2; exit 1; }
say "imported in $t s"
# A rate limit in force, so that the policy path counts every message.
"$PK" --db "$WORK/db" ratelimit set accounts --messages 100000000 --per 1d >/dev/null
"$PK" --db "$WORK/db" ratelimit set domains --recipients 100000000 --per 1d >/dev/null
cat >"$WORK/pf/etc/main.cf" <<EOF2
compatibility_level = 3.6
queue_directory = $WORK/pf/spool
EOF2
cp "$WORK/data/postfix.txt" "$WORK/pf/virtual"
postmap -c "$WORK/pf/etc" "lmdb:$WORK/pf/virtual" || exit 1
split -n l/4 -d "$WORK/data/hits.keys" "$WORK/keys4."

$PIN0 "$PKPF" --db "$WORK/db" --foreground --socketmap "unix:$WORK/pk.sock" \
    --policy "unix:$WORK/pkpol.sock" 2>"$WORK/pkpf.log" &
PIDS="$PIDS $!"
$PIN0 "$WORK/null" socketmap "$WORK/null.sock" & PIDS="$PIDS $!"
$PIN0 "$WORK/null" socketmap "$WORK/floor.sock" "$WORK/db" & PIDS="$PIDS $!"
$PIN0 "$WORK/null" policy "$WORK/nullpol.sock" & PIDS="$PIDS $!"
$PIN0 "$WORK/null" policy "$WORK/floorpol.sock" "$WORK/db" & PIDS="$PIDS $!"
for s in pk.sock pkpol.sock null.sock floor.sock nullpol.sock floorpol.sock; do
    i=0; while [ ! -S "$WORK/$s" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
done

# Answers first, outside the timing: ours must agree with the lmdb: table
# on every alias key (accounts are NOTFOUND by design in ours).
a=$(postmap -c "$WORK/pf/etc" -q - "socketmap:unix:$WORK/pk.sock:alias" <"$WORK/data/hits.keys" | sort | md5sum)
b=$(postmap -c "$WORK/pf/etc" -q - "lmdb:$WORK/pf/virtual" <"$WORK/data/hits.keys" |
    awk -F'\t' '$1 != $2' | sort | md5sum)
[ "$a" = "$b" ] && say "alias answers agree with the lmdb: table" ||
    { fail postfix-socketmap "alias answers differ from the lmdb: table"; }

# The floor maps the database's pages as ours did in the check above.
postmap -c "$WORK/pf/etc" -q - "socketmap:unix:$WORK/floor.sock:alias" <"$WORK/data/hits.keys" >/dev/null

# one_map TABLE: postmap over all keys, one client, pinned
one_map() { $PIN0 postmap -c "$WORK/pf/etc" -q - "$1" <"$WORK/data/hits.keys" >/dev/null; }
# four_map TABLE: four clients at once, each a quarter of the keys
four_map() {
    local f pids=
    for f in "$WORK"/keys4.*; do
        postmap -c "$WORK/pf/etc" -q - "$1" <"$f" >/dev/null & pids="$pids $!"
    done
    wait $pids
}

sm_pk1=() sm_null1=() sm_lmdb=() sm_pk4=() sm_null4=() sm_floor1=() sm_floor4=()
for r in $(seq 1 "$ROUNDS"); do
    timed t one_map "socketmap:unix:$WORK/pk.sock:alias"; sm_pk1+=("$t")
    timed t one_map "socketmap:unix:$WORK/null.sock:alias"; sm_null1+=("$t")
    timed t one_map "socketmap:unix:$WORK/floor.sock:alias"; sm_floor1+=("$t")
    timed t one_map "lmdb:$WORK/pf/virtual"; sm_lmdb+=("$t")
    timed t four_map "socketmap:unix:$WORK/pk.sock:alias"; sm_pk4+=("$t")
    timed t four_map "socketmap:unix:$WORK/null.sock:alias"; sm_null4+=("$t")
    timed t four_map "socketmap:unix:$WORK/floor.sock:alias"; sm_floor4+=("$t")
    say "round $r: 1 client ours ${sm_pk1[-1]} s, null ${sm_null1[-1]} s, floor ${sm_floor1[-1]} s, lmdb: ${sm_lmdb[-1]} s;" \
        "4 clients ours ${sm_pk4[-1]} s, null ${sm_null4[-1]} s, floor ${sm_floor4[-1]} s"
done
p1=$(smallest "${sm_pk1[@]}") n1=$(smallest "${sm_null1[@]}") l1=$(smallest "${sm_lmdb[@]}")
p4=$(smallest "${sm_pk4[@]}") n4=$(smallest "${sm_null4[@]}")
f1=$(smallest "${sm_floor1[@]}") f4=$(smallest "${sm_floor4[@]}")
say "best: ours $(rate "$KEYS" "$p1")/s, null $(rate "$KEYS" "$n1")/s, floor $(rate "$KEYS" "$f1")/s, lmdb: $(rate "$KEYS" "$l1")/s (1 client);" \
    "ours $(rate "$KEYS" "$p4")/s, null $(rate "$KEYS" "$n4")/s, floor $(rate "$KEYS" "$f4")/s (4 clients)"
say "the floor (null server + one LMDB read of the key's record) against the null server:" \
    "$(ratio "$n1" "$f1")x with 1 client, $(ratio "$n4" "$f4")x with 4: no server of this database can do better"
x=$(ratio "$n1" "$p1"); summary "postfix-socketmap 1 client: ${x}x null server (target >= 0.9) $(verdict "$x" '>=' 0.9); $(ratio "$f1" "$p1")x the floor"
x=$(ratio "$n4" "$p4"); summary "postfix-socketmap 4 clients: ${x}x null server (target >= 0.9) $(verdict "$x" '>=' 0.9); $(ratio "$f4" "$p4")x the floor"
x=$(ratio "$l1" "$p1"); summary "postfix-socketmap vs lmdb: ${x}x Postfix's in-process lmdb: table (reported, no target)"

REQ=$((KEYS / 5))
[ $REQ -lt 20000 ] && REQ=20000
pol() { # pol SOCKET CONNS PIN: the rate
    local line
    line=$($3 "$WORK/client" "$1" "$2" $((REQ / $2)) $N) || return 1
    field rate "$line"
}
po_pk1=() po_null1=() po_pk4=() po_null4=() po_floor1=() po_floor4=()
for r in $(seq 1 "$ROUNDS"); do
    po_pk1+=("$(pol "$WORK/pkpol.sock" 1 "$PIN0")") || { fail postfix-policy "client failed"; break; }
    po_null1+=("$(pol "$WORK/nullpol.sock" 1 "$PIN0")")
    po_floor1+=("$(pol "$WORK/floorpol.sock" 1 "$PIN0")")
    po_pk4+=("$(pol "$WORK/pkpol.sock" 4 "")")
    po_null4+=("$(pol "$WORK/nullpol.sock" 4 "")")
    po_floor4+=("$(pol "$WORK/floorpol.sock" 4 "")")
    say "round $r: 1 connection ours ${po_pk1[-1]}/s, null ${po_null1[-1]}/s, floor ${po_floor1[-1]}/s;" \
        "4 connections ours ${po_pk4[-1]}/s, null ${po_null4[-1]}/s, floor ${po_floor4[-1]}/s"
done
say "the floor (null server + one LMDB read of the login's record) against the null server:" \
    "$(ratio "$(largest "${po_floor1[@]}")" "$(largest "${po_null1[@]}")")x with 1 connection," \
    "$(ratio "$(largest "${po_floor4[@]}")" "$(largest "${po_null4[@]}")")x with 4"
x=$(ratio "$(largest "${po_pk1[@]}")" "$(largest "${po_null1[@]}")")
summary "postfix-policy 1 connection: ${x}x null server (target >= 0.85) $(verdict "$x" '>=' 0.85);" \
    "$(ratio "$(largest "${po_pk1[@]}")" "$(largest "${po_floor1[@]}")")x the floor"
x=$(ratio "$(largest "${po_pk4[@]}")" "$(largest "${po_null4[@]}")")
summary "postfix-policy 4 connections: ${x}x null server (target >= 0.85) $(verdict "$x" '>=' 0.85);" \
    "$(ratio "$(largest "${po_pk4[@]}")" "$(largest "${po_floor4[@]}")")x the floor"

# Debian's policyd-rate-limit: the same limit (messages per day per SASL
# login), counting at RCPT. Fewer requests: it is far slower.
prl_start() { # prl_start NAME DBDIR: a private instance on $WORK/prl-NAME.sock
    mkdir -p "$2" "$WORK/prl-$1"
    cat >"$WORK/prl-$1/conf.yaml" <<EOF2
debug: False
user: "root"
group: "root"
pidfile: "$WORK/prl-$1/pid"
sqlite_config:
    database: "$2/db.sqlite3"
backend: 0
SOCKET: "$WORK/prl-$1.sock"
socket_permission: 0600
limits:
    - [100000000, 86400]
limits_by_id: {}
limit_by_sasl: True
limit_by_sender: False
limit_by_ip: False
limited_networks: []
success_action: "dunno"
fail_action: "defer_if_permit Rate limit reached, retry later"
db_error_action: "defer_if_permit database error"
report: False
delay_to_close: 300
EOF2
    $PIN0 policyd-rate-limit --file "$WORK/prl-$1/conf.yaml" 2>"$WORK/prl-$1/log" &
    PIDS="$PIDS $!"
    i=0; while [ ! -S "$WORK/prl-$1.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -S "$WORK/prl-$1.sock" ]
}
if ! command -v policyd-rate-limit >/dev/null; then
    fail postfix-policy-prl "policyd-rate-limit is not installed"
else
    SHM=/dev/shm/pk-pfbench-$$
    prl_start disk "$WORK/prl-disk/db" && prl_start shm "$SHM" ||
        fail postfix-policy-prl "policyd-rate-limit did not start"
    REQ_SAVE=$REQ REQ=1000
    po_prl1=() po_prl4=() po_shm1=() po_pkb1=()
    for r in $(seq 1 "$ROUNDS"); do
        po_pkb1+=("$(REQ=$REQ_SAVE pol "$WORK/pkpol.sock" 1 "$PIN0")")
        po_prl1+=("$(pol "$WORK/prl-disk.sock" 1 "$PIN0")") || { fail postfix-policy-prl "client failed"; break; }
        po_prl4+=("$(pol "$WORK/prl-disk.sock" 4 "")")
        po_shm1+=("$(pol "$WORK/prl-shm.sock" 1 "$PIN0")")
        say "round $r: ours ${po_pkb1[-1]}/s; policyd-rate-limit ${po_prl1[-1]}/s (4 connections ${po_prl4[-1]}/s)," \
            "with its database on /dev/shm ${po_shm1[-1]}/s"
    done
    REQ=$REQ_SAVE
    rm -rf "$SHM"
    sqlite3_rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from mail_count').fetchone()[0])" \
        "$WORK/prl-disk/db/db.sqlite3" 2>/dev/null)
    say "policyd-rate-limit counted ${sqlite3_rows:-?} messages in its database"
    x=$(ratio "$(largest "${po_pkb1[@]}")" "$(largest "${po_prl1[@]}")")
    summary "postfix-policy vs policyd-rate-limit: ${x}x Debian's policyd-rate-limit, same limit, 1 connection (target >= 30) $(verdict "$x" '>=' 30)"
    x=$(ratio "$(largest "${po_pk4[@]}")" "$(largest "${po_prl4[@]}")")
    summary "postfix-policy vs policyd-rate-limit 4 connections: ${x}x (target >= 30) $(verdict "$x" '>=' 30)"
    x=$(ratio "$(largest "${po_pkb1[@]}")" "$(largest "${po_shm1[@]}")")
    say "against policyd-rate-limit with its database on /dev/shm (no sync per message): ${x}x"
fi
grep -q "warning\|error" "$WORK/pkpf.log" && { say "daemon log:"; head -5 "$WORK/pkpf.log"; }
exit $BENCH_FAILED
