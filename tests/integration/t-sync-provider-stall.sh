#!/bin/sh
# t-sync-provider-stall - a provider that stalls (SIGSTOP) for 15 s, and
# then a provider cut off from one host for 15 s (its connections stay
# open and silent: a relay between them is stopped) while it goes on
# working and taking writes. Every provider writes its own heartbeat
# entry twice a second, so a host hears something from a live provider
# at least that often. Measured, with bounded waits, for both:
# - the host following the stalled provider reports the growing age of
#   its newest heartbeat (--status, from what it stored) while the other
#   hosts' stay fresh, and it fails over (--idle 3) within 8 s, logging
#   the heartbeat age, and gets the writes made meanwhile elsewhere;
# - within 10 s of healing, every host and every provider hold the same
#   data, including a write made on the healed provider.
# (For the cut-off provider the writes made meanwhile go to it as well.)
. "$top_srcdir/tests/integration/lib.sh"
on_exit hosts_stop
. "$top_srcdir/tests/integration/slapd.sh"

need python3 timeout date
[ -x "$SYNC_BIN" ] || { echo "FAIL: $SYNC_BIN is not built" >&2; exit 1; }
DOM="pkDomainName=example.org,$LDAP_SUFFIX"
IDLE=3

providers_start 3
{
    printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: x\n\n' "$LDAP_SUFFIX"
    printf 'dn: %s\nobjectClass: pkDomain\npkDomainName: example.org\n\n' "$DOM"
    for i in 1 2 3; do
        printf 'dn: cn=heartbeat-%s,%s\nobjectClass: pkHeartbeat\ncn: heartbeat-%s\npkHeartbeatTime: 1\n\n' \
            $i "$LDAP_SUFFIX" $i
    done
} >"$T/base.ldif"
check "base entries" ld_add 1 -f "$T/base.ldif"
check "heartbeat entries reach provider 3" ld_wait_count 3 "(objectClass=pkHeartbeat)" 3

# heartbeat I: provider I's own heartbeat, every 0.5 s, as a cron job or
# a small daemon on the provider writes it; a stalled provider's write
# times out.
heartbeat() {
    while :; do
        printf 'dn: cn=heartbeat-%s,%s\nchangetype: modify\nreplace: pkHeartbeatTime\npkHeartbeatTime: %s\n' \
            "$1" "$LDAP_SUFFIX" "$(date +%s%6N)" |
            timeout 2 ldapmodify -x -H "$(slapd_uri "$1")" -D "$LDAP_ADMIN" \
                -y "$LDAP_PWFILE" >/dev/null 2>&1
        sleep 0.5
    done
}
HB_PIDS=""
for i in 1 2 3; do heartbeat $i & HB_PIDS="$HB_PIDS $!"; done
stop_heartbeats() { for p in $HB_PIDS; do kill "$p" 2>/dev/null; done; }
on_exit stop_heartbeats

u() { slapd_uri "$1"; }
host_start 1 --idle $IDLE "$(u 1)" "$(u 2)" "$(u 3)"
host_start 2 --idle $IDLE "$(u 2)" "$(u 3)" "$(u 1)"
host_start 3 --idle $IDLE "$(u 3)" "$(u 1)" "$(u 2)"
HOSTS="$T/host1 $T/host2 $T/host3"
add() { # add P NAME: an account, on provider P (10 s at most)
    printf 'dn: pkAddress=%s@example.org,%s\nobjectClass: pkAccount\npkAddress: %s@example.org\npkPasswordHash: %s\n' \
        "$2" "$DOM" "$2" "$HASH" |
        timeout 10 ldapadd -x -H "$(u "$1")" -D "$LDAP_ADMIN" -y "$LDAP_PWFILE" >/dev/null 2>&1
}
for n in 1 2 3 4 5 6; do add $((n % 3 + 1)) "a$n" || fail "add a$n"; done
# shellcheck disable=SC2086
check "every host holds the directory" hosts_converged 10 2 $HOSTS

# newest_hb H: the age in seconds of host H's newest heartbeat (--status)
newest_hb() {
    "$SYNC_BIN" --db "$T/host$1" --status 2>/dev/null |
        awk '/^heartbeat / { a = $4 + 0; if (m == "" || a < m) m = a } END { print m }'
}
# older A B: A > B (decimals)
older() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stall NAME P HOLD RESUME WRITERS: provider P out of host 1's reach for
# 15 s (HOLD and RESUME do it), with writes to the providers in WRITERS
stall() {
    sname=$1 p=$2 hold=$3 resume=$4 writers=$5
    t0=$(now_ms)
    $hold
    k=0
    for w in $writers $writers; do k=$((k + 1)); add "$w" "$sname$k" || fail "$sname: add $sname$k on provider $w"; done
    sleep_until 1800
    age1=$(newest_hb 1) age2=$(newest_hb 2)
    echo "$sname: 1.8 s in, newest heartbeat on host 1 ${age1} s old, on host 2 ${age2} s old"
    if older "$age1" 1.5; then pass "$sname: host 1 reports its heartbeat aging"; else
        fail "$sname: host 1 reports its heartbeat aging ($age1 s)"; fi
    if older 1.5 "$age2"; then pass "$sname: host 2 reports a fresh heartbeat"; else
        fail "$sname: host 2 reports a fresh heartbeat ($age2 s)"; fi
    while ! host1_has "$sname" $k && [ $(($(now_ms) - t0)) -lt 8000 ]; do sleep 0.1; done
    echo "$sname: host 1 had the writes made meanwhile $(($(now_ms) - t0)) ms in"
    check "$sname: host 1 fails over within 8 s and gets the writes made meanwhile" host1_has "$sname" $k
    fo=$(grep -c "nothing for $IDLE s, newest heartbeat [0-9.]* s old: failing over" "$T/sync1.log")
    if [ "$fo" -gt "$FAILOVERS" ]; then pass "$sname: host 1 logged the heartbeat age when it failed over"; else
        fail "$sname: host 1 logged the heartbeat age when it failed over"; fi
    FAILOVERS=$fo
    age1=$(newest_hb 1)
    if older 1.5 "$age1"; then pass "$sname: after failing over, host 1's heartbeat is fresh"; else
        fail "$sname: after failing over, host 1's heartbeat is fresh ($age1 s)"; fi
    for w in $writers; do k=$((k + 1)); add "$w" "$sname$k" || fail "$sname: add $sname$k"; done
    sleep_until 15000
    $resume
    t_heal=$(now_ms)
    check "$sname: the healed provider takes a write" add "$p" "$sname-healed"
    while ! all_equal && [ $(($(now_ms) - t_heal)) -lt 10000 ]; do sleep 0.2; done
    echo "$sname: after healing, everything equal within $(($(now_ms) - t_heal)) ms"
    check "$sname: within 10 s of healing every host and provider hold the same data" all_equal
    check "$sname: the healed write is on host 1" sh -c "'$PK_BIN' --db '$T/host1' export | grep -c $sname-healed@ >/dev/null"
    for h in 1 2 3; do
        age=$(newest_hb $h)
        if older 2 "$age"; then pass "$sname: host $h's heartbeat is fresh after healing"; else
            fail "$sname: host $h's heartbeat is fresh after healing ($age s)"; fi
    done
}
sleep_until() { while [ $(($(now_ms) - t0)) -lt "$1" ]; do sleep 0.05; done; }
# host1_has NAME N: host 1 has the accounts NAME1..NAMEN
host1_has() { [ "$("$PK_BIN" --db "$T/host1" export | grep -c "\"address\":\"$1[0-9]*@")" = "$2" ]; }
# all_equal: every host equals provider 1, which equals provider 2
all_equal() {
    want=$(ld_digest 1)
    [ "$(ld_digest 2)" = "$want" ] || return 1
    for db in $HOSTS; do [ "$(pk_digest "$db")" = "$want" ] || return 1; done
}
FAILOVERS=0

stop1() { kill -STOP "$(slapd_pid 1)"; }
cont1() { kill -CONT "$(slapd_pid 1)"; }
stall stopped 1 stop1 cont1 "2 3"

# A relay between host 1 and provider 1; stopping it cuts provider 1 off
# from host 1 only, connections open, nothing passing.
/usr/bin/python3 - "$(slapd_port 1)" "$T/relay.port" >"$T/relay.err" 2>&1 <<'PYEOF' &
import os, socket, sys, threading
up, portfile = int(sys.argv[1]), sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
open(portfile + ".tmp", "w").write(str(srv.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = srv.accept()
    u = socket.create_connection(("127.0.0.1", up))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
PYEOF
RELAY_PID=$!
stop_relay() { kill -CONT "$RELAY_PID" 2>/dev/null; kill "$RELAY_PID" 2>/dev/null; wait "$RELAY_PID" 2>/dev/null; }
on_exit stop_relay
tries=0
while [ ! -s "$T/relay.port" ] && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
RELAY_URI="ldap://127.0.0.1:$(cat "$T/relay.port")/"
host_kill TERM 1
steps=$(grep -c "$RELAY_URI: in step" "$T/sync1.log")
host_start 1 --idle $IDLE "$RELAY_URI" "$(u 2)" "$(u 3)"
tries=0
while [ "$(grep -c "$RELAY_URI: in step" "$T/sync1.log")" = "$steps" ] && [ $tries -lt 100 ]; do
    sleep 0.1; tries=$((tries + 1))
done
check "host 1 follows provider 1 through the relay" grep -q "$RELAY_URI: in step" "$T/sync1.log"
stopr() { kill -STOP "$RELAY_PID"; }
contr() { kill -CONT "$RELAY_PID"; }
stall cutoff 1 stopr contr "1 2"

finish
