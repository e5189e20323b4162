#!/bin/sh
# t-sync-crash - postkontor-sync killed with SIGKILL while writes go on,
# three times: each restart resends no more than what was written while
# it was down plus one batch (--batch 5 here), measured from the counts
# the daemon logs at the end of its refresh; the copy converges and
# passes "postkontor check"; the reader slot the killed daemon left in
# the LMDB lock file is cleared when it starts again (mdb_reader_check).
# A reader that lives on, as on a real host, keeps the environment open
# throughout (postkontor-postfix here): without one, LMDB would reset
# the whole reader table at the next open anyway.
. "$top_srcdir/tests/integration/lib.sh"
on_exit hosts_stop
. "$top_srcdir/tests/integration/slapd.sh"

need python3 od mdb_stat
[ -x "$SYNC_BIN" ] || { echo "FAIL: $SYNC_BIN is not built" >&2; exit 1; }
DOM="pkDomainName=example.org,$LDAP_SUFFIX"
BATCH=5

providers_start 3
printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: x\n\ndn: %s\nobjectClass: pkDomain\npkDomainName: example.org\n' \
    "$LDAP_SUFFIX" "$DOM" >"$T/base.ldif"
check "base entries" ld_add 1 -f "$T/base.ldif"

# writer: round-robin over the providers, until $T/stop exists: two of
# every three writes add a new account, the third alternately suspends
# one of them or deletes the one suspended before (so nearly every write
# touches an entry of its own, and a restart that resent more than it
# must would show); one line in $T/writes per acknowledged write.
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
writer() {
    : >"$T/writes"
    while [ ! -e "$T/stop" ] && [ "$K" -lt 100000 ]; do
        p=$((K % 3 + 1))
        case $((K % 3)) in
        2) if [ $((K / 3 % 2)) = 0 ]; then
               printf 'dn: pkAddress=c%s@example.org,%s\nchangetype: modify\nreplace: pkState\npkState: suspended\n' \
                   $((K - 2)) "$DOM" | ld_modify $p
           else # the account suspended three writes before
               ld_delete $p "pkAddress=c$((K - 5))@example.org,$DOM"
           fi ;;
        *) printf 'dn: pkAddress=c%s@example.org,%s\nobjectClass: pkAccount\npkAddress: c%s@example.org\npkPasswordHash: %s\n' \
               "$K" "$DOM" "$K" "$HASH" | ld_add $p ;;
        esac >/dev/null 2>&1 && echo "$K" >>"$T/writes"
        K=$((K + 1))
    done
}
# Each writer run starts its numbers far above the last one's.
RUN=0
start_writer() { rm -f "$T/stop"; RUN=$((RUN + 1)); K=$((RUN * 10000)); writer & WRITER=$!; }
stop_writer() { : >"$T/stop"; wait "$WRITER" 2>/dev/null; }
writes() { wc -l <"$T/writes"; }

list="$(slapd_uri 1) $(slapd_uri 2) $(slapd_uri 3)"
# shellcheck disable=SC2086
host_start 1 --batch $BATCH $list
start_writer
sleep 2
stop_writer
check "the host follows the writes" hosts_converged 10 1 "$T/host1"

PKPF_BIN="$top_builddir/postfix-policy/postkontor-postfix"
mkdir -p "$T/run"
"$PKPF_BIN" --db "$T/host1" --foreground --socketmap "unix:$T/run/pf.sock" \
    >"$T/pkpf.log" 2>&1 &
PKPF_PID=$!
stop_pkpf() { kill "$PKPF_PID" 2>/dev/null; wait "$PKPF_PID" 2>/dev/null; }
on_exit stop_pkpf
tries=0
while [ ! -S "$T/run/pf.sock" ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
check "a reader keeps the host's database open" test -S "$T/run/pf.sock"

# reader_pids DB: the PIDs in the database's reader table
reader_pids() { mdb_stat -r "$1" | awk '$1 ~ /^[0-9]+$/ { print $1 }'; }
# log_wait PATTERN N: the host's log has N lines matching PATTERN (10 s)
log_wait() {
    tries=0
    while [ "$(grep -c "$1" "$T/sync1.log")" -lt "$2" ] && [ $tries -lt 100 ]; do
        sleep 0.1; tries=$((tries + 1))
    done
    [ "$(grep -c "$1" "$T/sync1.log")" -ge "$2" ]
}

for round in 1 2 3; do
    start_writer
    sleep 1.$(rand 9)
    dead=$(cat "$T/sync1.pid")
    host_kill KILL 1
    w0=$(writes)
    if reader_pids "$T/host1" | grep -qx "$dead"; then
        pass "round $round: the killed daemon left its reader slot"
    else
        fail "round $round: the killed daemon left its reader slot"
    fi
    sleep 1
    stop_writer
    down=$(($(writes) - w0))
    done_before=$(grep -c "refresh done" "$T/sync1.log")
    # shellcheck disable=SC2086
    host_start 1 --batch $BATCH $list
    check "round $round: the restarted daemon finishes its refresh" \
        log_wait "refresh done" $((done_before + 1))
    if reader_pids "$T/host1" | grep -qx "$dead"; then
        fail "round $round: the stale reader slot is cleared at start"
    else
        pass "round $round: the stale reader slot is cleared at start"
    fi
    resent=$(grep "refresh done" "$T/sync1.log" | tail -1 |
        sed -n 's/.*refresh done: \([0-9]*\) stored, \([0-9]*\) deleted.*/\1 \2/p' |
        awk '{ print $1 + $2 }')
    echo "round $round: $down writes while down, $resent changes applied at restart"
    if [ -n "$resent" ] && [ "$resent" -le $((down + BATCH)) ]; then
        pass "round $round: resent $resent <= $down written while down + $BATCH"
    else
        fail "round $round: resent ${resent:-?} <= $down written while down + $BATCH"
    fi
    check "round $round: the copy converges" hosts_converged 10 1 "$T/host1"
    check "round $round: the copy passes postkontor check" "$PK_BIN" --db "$T/host1" check
done
check "the daemon logged the slots it cleared" grep -q "cleared 1 stale reader slots" "$T/sync1.log"

finish
