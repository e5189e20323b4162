#!/bin/sh
# t-sync-consumer - three hosts, each with its own LMDB fed by
# postkontor-sync from a 3-provider OpenLDAP cluster: random adds,
# changes and deletes converge on every host (digest of the copy equals
# the directory's); a consumer killed with SIGKILL under load converges
# and leaves a database "postkontor check" accepts; deletions made while
# a host was down disappear, also after the accesslog was purged; a host restored from an old backup (older
# cookie) converges; a stopped provider is failed over.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/slapd.sh"

SYNC_BIN="$top_builddir/sync/postkontor-sync"
need python3 od
[ -x "$SYNC_BIN" ] || { echo "FAIL: $SYNC_BIN is not built" >&2; exit 1; }
DOM="pkDomainName=example.org,$LDAP_SUFFIX"

providers_start 3

cat >"$T/base.ldif" <<LDIF
dn: $LDAP_SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: example

dn: $DOM
objectClass: pkDomain
pkDomainName: example.org

dn: cn=heartbeat-1,$LDAP_SUFFIX
objectClass: pkHeartbeat
cn: heartbeat-1
pkHeartbeatTime: 1
LDIF
check "base entries" ld_add 1 -f "$T/base.ldif"

# sync_start H: host H's daemon, its own provider first in the list
# shellcheck disable=SC2046
sync_start() { host_start "$1" --idle 2 $(host_uris "$1"); }
on_exit hosts_stop

# converged SECONDS: every host's copy equals the directory as provider
# $DIGEST_FROM sees it, within SECONDS (slapd.sh's hosts_converged reads
# the directory again each time: providers replicate among themselves too)
DIGEST_FROM=1
converged() { hosts_converged "$1" "$DIGEST_FROM" "$T/host1" "$T/host2" "$T/host3"; }

# Random writes, round-robin over the providers. Each account N exists or
# not; an existing one is added, changed, or deleted.
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }
write_random() {
    count=$1 k=0
    while [ $k -lt "$count" ]; do
        # Provider p only ever writes accounts u<n> with n = p - 1 (mod 3):
        # two providers changing one entry before they have replicated
        # to each other is a multi-provider conflict slapd may resolve
        # differently on each node, and that is not what this tests.
        p=$((k % 3 + 1)) n=$(($(rand 10) * 3 + k % 3)) dn="pkAddress=u$n@example.org,$DOM"
        if ld_search $p "(pkAddress=u$n@example.org)" dn 2>/dev/null | grep -q '^dn:'; then
            case $(rand 3) in
            0) ld_delete $p "$dn" ;;
            *) printf 'dn: %s\nchangetype: modify\nreplace: pkState\npkState: %s\n' \
                   "$dn" "$(case $(rand 2) in 0) echo suspended ;; *) echo active ;; esac)" |
                   ld_modify $p ;;
            esac
        else
            printf 'dn: %s\nobjectClass: pkAccount\npkAddress: u%s@example.org\npkPasswordHash: %s\n' \
                "$dn" "$n" "$HASH" | ld_add $p
        fi >/dev/null 2>&1
        k=$((k + 1))
    done
}

# The providers' heartbeat, as a cron job on a provider would write it:
# a consumer that hears nothing for --idle seconds fails over.
heartbeat_loop() {
    while :; do
        printf 'dn: cn=heartbeat-1,%s\nchangetype: modify\nreplace: pkHeartbeatTime\npkHeartbeatTime: %s\n' \
            "$LDAP_SUFFIX" "$(date +%s%6N)" | ld_modify 2 >/dev/null 2>&1
        sleep 0.5
    done
}
heartbeat_loop &
echo $! >"$T/hb.pid"
stop_heartbeat() {
    [ -s "$T/hb.pid" ] && kill "$(cat "$T/hb.pid")" 2>/dev/null
    rm -f "$T/hb.pid"
}
on_exit stop_heartbeat

for h in 1 2 3; do sync_start $h; done
write_random 40
check "random writes: every host equals the directory" converged 30

# A consumer killed with SIGKILL, repeatedly, while writes go on.
for round in 1 2 3; do
    write_random 10 &
    wp=$!
    sleep 0.$(rand 9)
    host_kill KILL 2
    wait $wp
    sync_start 2
done
check "SIGKILLed consumer converges" converged 10
check "its copy passes postkontor check" "$PK_BIN" --db "$T/host2" check

# Deletions while a host is down.
host_kill TERM 3
ld_search 1 "(objectClass=pkAccount)" dn | sed -n 's/^dn: //p' | head -5 >"$T/gone"
while read -r dn; do ld_delete $(( $(rand 3) + 1 )) "$dn"; done <"$T/gone"
write_random 10
sync_start 3
check "deletions made while a host was down arrive" converged 10

# The accesslog purged while a host is down: no session log covers its
# cookie, so the provider falls back to a present phase, and what was
# deleted meanwhile must still disappear.
host_kill TERM 3
ld_search 1 "(objectClass=pkAccount)" dn | sed -n 's/^dn: //p' | head -3 >"$T/gone"
while read -r dn; do ld_delete 2 "$dn"; done <"$T/gone"
check "accesslog purged on every provider" ld_purge_log 1 2 3
sync_start 3
check "after a purge, deletions made while a host was down arrive" converged 10

# A host restored from an old backup (an older cookie).
check "backup of host 1" "$PK_BIN" --db "$T/host1" backup "$T/old1"
write_random 20
host_kill TERM 1
rm -rf "$T/host1" && mv "$T/old1" "$T/host1" && chmod 700 "$T/host1"
sync_start 1
check "host restored from an old backup converges" converged 10

# A stalled provider: host 1's first provider stops; the heartbeats
# written elsewhere keep the others talking, so host 1 fails over.
kill -STOP "$(slapd_pid 1)"
write_random_23() { # writes only to providers 2 and 3
    k=0
    while [ $k -lt 10 ]; do
        n=$((100 + k)) p=$((k % 2 + 2))
        printf 'dn: pkAddress=s%s@example.org,%s\nobjectClass: pkAccount\npkAddress: s%s@example.org\npkPasswordHash: %s\n' \
            "$n" "$DOM" "$n" "$HASH" | ld_add $p >/dev/null 2>&1
        k=$((k + 1))
    done
}
write_random_23
want2=$(ld_search 2 "(pkAddress=s1*)" dn | grep -c '^dn:')
host1_has() { [ "$("$PK_BIN" --db "$T/host1" export | grep -c '"address":"s1')" = "$want2" ]; }
waited=0
while ! host1_has && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
check "host 1 fails over from a stopped provider within 10 s" host1_has
kill -CONT "$(slapd_pid 1)"
# Provider 1 catches up on its own schedule (its syncrepl retry); the
# hosts must not wait for it.
DIGEST_FROM=2
check "after healing, every host equals the directory" converged 10
check "status reports positions and heartbeat age" sh -c \
    "'$SYNC_BIN' --db '$T/host1' --status | grep -q 'heartbeat heartbeat-1: written'"

finish
