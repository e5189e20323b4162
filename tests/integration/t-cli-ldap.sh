#!/bin/sh
# t-cli-ldap - postkontor in cluster mode: commands run against
# different providers of a 3-node OpenLDAP cluster reach every host's
# copy (kept by postkontor-sync); a bad input fails with the same line
# and exit status as on one machine and leaves the directory unchanged;
# an alias and its target written together arrive target first; a
# referenced account cannot be removed; provider failover; --wait;
# heartbeat and "postkontor status".
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/slapd.sh"

SYNC_BIN="$top_builddir/sync/postkontor-sync"
need python3
[ -x "$SYNC_BIN" ] || { echo "FAIL: $SYNC_BIN is not built" >&2; exit 1; }

providers_start 3
cat >"$T/base.ldif" <<LDIF
dn: $LDAP_SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: example
LDIF
check "suffix entry" ld_add 1 -f "$T/base.ldif"

# Each host: its own copy, its own provider first.
# shellcheck disable=SC2046
sync_start() { host_start "$1" $(host_uris "$1"); }
on_exit hosts_stop
for h in 1 2 3; do sync_start $h; done
host_ready() { [ -s "$T/host$1/data.mdb" ] && "$PK_BIN" --db "$T/host$1" list domains >/dev/null 2>&1; }
for h in 1 2 3; do
    tries=0
    while ! host_ready $h && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    check "host $h has its copy" host_ready $h
done

# The cluster settings: URI and wait as options, the rest from the
# environment (both ways are documented).
POSTKONTOR_LDAP_BASE=$LDAP_SUFFIX
POSTKONTOR_LDAP_BIND_DN=$LDAP_ADMIN
POSTKONTOR_LDAP_PASSWORD_FILE=$LDAP_PWFILE
export POSTKONTOR_LDAP_BASE POSTKONTOR_LDAP_BIND_DN POSTKONTOR_LDAP_PASSWORD_FILE
# on H ARGS: a command in cluster mode on host H through provider H
on() { h=$1; shift; "$PK_BIN" --db "$T/host$h" --ldap "$(slapd_uri "$h")" --wait "$@"; }
hs() { h=$1; shift; "$PK_BIN" --db "$T/host$h" "$@"; }
check "a single machine for comparison" pk init

# same_everywhere: every host's export equals host 1's
same_everywhere() {
    hs 1 export >"$T/x1" || return 1
    for h in 2 3; do hs $h export >"$T/x$h" && cmp -s "$T/x1" "$T/x$h" || { diff "$T/x1" "$T/x$h"; return 1; }; done
}
wait_same() {
    tries=0
    while ! same_everywhere >/dev/null 2>&1 && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    same_everywhere
}

# both H ARGS...: the same command on one machine and in cluster mode
# through host H: same exit status, same stdout, same stderr; it must
# succeed unless BAD=1. A host validates against its own copy, so a
# script that goes from host to host first lets every copy catch up
# (--wait covers only the host that writes).
BAD=0
both() {
    h=$1; shift
    wait_same >/dev/null 2>&1
    pk "$@" <"$T/stdin" >"$T/one.out" 2>"$T/one.err"; one=$?
    on "$h" "$@" <"$T/stdin" >"$T/cl.out" 2>"$T/cl.err"; cl=$?
    if [ $one = $cl ] && { [ $BAD = 1 ] || [ $cl = 0 ]; } &&
        cmp -s "$T/one.out" "$T/cl.out" &&
        cmp -s "$T/one.err" "$T/cl.err"; then return 0; fi
    echo "one machine: exit $one"; cat "$T/one.out" "$T/one.err"
    echo "cluster:     exit $cl"; cat "$T/cl.out" "$T/cl.err"
    return 1
}
: >"$T/stdin"

# dir_digest: every postkontor entry of the directory, as provider 1 has it
dir_digest() {
    ld_search 1 "(|(objectClass=pkDomain)(objectClass=pkAliasDomain)(objectClass=pkAccount)(objectClass=pkAlias)(objectClass=pkDkimKey))" \
        | /usr/bin/python3 -c '
import sys, hashlib
entries = sys.stdin.read().strip().split("\n\n")
print(hashlib.sha256("\n\n".join(sorted("\n".join(sorted(e.split("\n"))) for e in entries)).encode()).hexdigest(), len(entries))'
}

# Changes, each through another provider; --wait: each is on the
# writing host when the command returns.
check "domain add through provider 1" both 1 domain add example.org
printf 'Secret-pw-1\n' >"$T/stdin"
check "account add through provider 2" both 2 account add anna@example.org --password-stdin
check "second account through provider 3" both 3 account add bo@example.org --password-stdin
: >"$T/stdin"
check "alias add through provider 3" both 3 alias add info@example.org anna@example.org bo@example.org
check "alias remove through provider 1" both 1 alias remove info@example.org bo@example.org
check "send-as grant through provider 2" both 2 sendas grant bo@example.org info@example.org
check "suspend through provider 1" both 1 account suspend bo@example.org
check "quota through provider 2" both 2 account quota anna@example.org 2G
check "forward through provider 3" both 3 account forward bo@example.org someone@example.com --keep-copy
check "domain quota through provider 1" both 1 domain quota example.org 1G
check "alias domain through provider 2" both 2 domain alias example.net example.org
check "DKIM key through provider 3" on 3 dkim keygen example.org --selector s1 --algorithm ed25519-sha256
check "the key is on host 3 when the command returns" sh -c "'$PK_BIN' --db '$T/host3' dkim show example.org | grep -q s1"

# Two hosts change one entry, one of them from a copy that has not seen
# the other's change (its postkontor-sync is stopped): both changes
# stay, since a command sends only what it changed.
pk account suspend anna@example.org >/dev/null
pk account quota anna@example.org 3G >/dev/null
pk alias add info@example.org bo@example.org >/dev/null
pk alias add info@example.org other@example.com >/dev/null
wait_same >/dev/null 2>&1
host_kill TERM 2
stale2() { "$PK_BIN" --db "$T/host2" --ldap "$(slapd_uri 2)" "$@"; }
check "state through host 1" on 1 account suspend anna@example.org
check "quota through host 2, whose copy has not seen it" stale2 account quota anna@example.org 3G
check "a destination through host 1" on 1 alias add info@example.org bo@example.org
check "another through host 2, whose copy has not seen it" stale2 alias add info@example.org other@example.com
sync_start 2
check "every host's copy is the same" wait_same
for h in 1 2 3; do
    same "host $h resolves the alias" "$(hs $h resolve info@example.org)" "$(pk resolve info@example.org)"
    same "host $h resolves through the alias domain" "$(hs $h resolve info@example.net)" "$(pk resolve info@example.net)"
    same "host $h lists the accounts as one machine does" \
        "$(hs $h list accounts | sed 's/  */ /g')" "$(pk list accounts | sed 's/  */ /g')"
    same "host $h has the grant" "$(hs $h sendas list bo@example.org)" "$(pk sendas list bo@example.org)"
    same "host $h has the state" "$(hs $h account show bo@example.org --json | /usr/bin/python3 -c 'import sys,json; print(json.load(sys.stdin)["state"])')" suspended
done
check "host 2's copy passes postkontor check" hs 2 check

# Bad input: the same line and exit status as on one machine, and the
# directory does not change.
before=$(dir_digest)
: >"$T/stdin"
bad() {
    name=$1; shift
    BAD=1
    check "$name: as on one machine" both "$@"
    BAD=0
    if [ "$(wc -l <"$T/cl.err")" = 1 ] && [ ! -s "$T/cl.out" ] && [ "$cl" != 0 ]; then
        pass "$name: one error line, exit $cl"
    else
        fail "$name: one error line and a failure (exit $cl)"
    fi
    same "$name: the directory is unchanged" "$(dir_digest)" "$before"
}
printf 'Secret-pw-2\n' >"$T/stdin"
bad "unknown domain" 1 account add carl@unknown.example --password-stdin
bad "account on an alias address" 2 account add info@example.org --password-stdin
bad "invalid address" 3 account add "carl smith@example.org" --password-stdin
: >"$T/stdin"
bad "alias to an unknown local address" 1 alias add team@example.org nobody@example.org
check "an alias pointing at info" both 2 alias add team@example.org info@example.org
before=$(dir_digest)
bad "alias cycle" 3 alias add info@example.org team@example.org
bad "referenced account cannot be removed" 1 account del anna@example.org
bad "unknown domain removed" 2 domain del nowhere.example
bad "domain with accounts cannot be removed" 3 domain del example.org
expect_fail "a setting of each host is refused in cluster mode" \
    "does not hold; run it without --ldap" on 1 ratelimit set accounts --messages 10 --per 1h
same "... and the directory is unchanged" "$(dir_digest)" "$before"

# An alias and its target in one command (an import): the alias's key
# sorts first, yet the target is written first.
cat >"$T/new.jsonl" <<EOF
{"type":"domain","domain":"example.se"}
{"type":"alias","address":"aaa@example.se","to":["zed@example.se"]}
{"type":"account","address":"zed@example.se","password":"$HASH"}
EOF
check "alias and target in one import" both 1 import "$T/new.jsonl"
csn() { ld_search 1 "$1" entryCSN | sed -n 's/^entryCSN: //p'; }
# earlier A B: CSN A is older than CSN B (both non-empty)
earlier() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort | head -1)" = "$1" ]; }
check "the domain was written before its addresses" \
    earlier "$(csn "(&(objectClass=pkDomain)(pkDomainName=example.se))")" "$(csn "(pkAddress=zed@example.se)")"
check "the target was written before the alias" \
    earlier "$(csn "(pkAddress=zed@example.se)")" "$(csn "(pkAddress=aaa@example.se)")"
check "alias and target reach every host" wait_same
same "host 3 resolves the new alias" "$(hs 3 resolve aaa@example.se)" "$(pk resolve aaa@example.se)"

# Removing in the order the core allows: the alias, then its account.
check "alias del through provider 2" both 2 alias del aaa@example.se
check "then its account through provider 3" both 3 account del zed@example.se
check "removals reach every host" wait_same
same "host 1 no longer has the account" "$(hs 1 resolve zed@example.se 2>&1)" "$(pk resolve zed@example.se 2>&1)"

# Failover: an unreachable provider first in the list.
check "failover to the next provider" "$PK_BIN" --db "$T/host1" --ldap "ldap://127.0.0.1:1/,$(slapd_uri 2)" \
    --wait account resume bo@example.org
expect_fail "no provider at all" "no provider accepted" \
    "$PK_BIN" --db "$T/host1" --ldap "ldap://127.0.0.1:1/" account suspend bo@example.org
expect_fail "a bad bind" "no provider accepted.*Invalid credentials" \
    env POSTKONTOR_LDAP_BIND_DN="cn=nobody,$LDAP_SUFFIX" "$PK_BIN" --db "$T/host1" \
    --ldap "$(slapd_uri 1)" account suspend bo@example.org
expect_fail "cluster settings are needed" "needs --ldap-base" \
    env -u POSTKONTOR_LDAP_BASE "$PK_BIN" --db "$T/host1" --ldap "$(slapd_uri 1)" account suspend bo@example.org

# --wait gives up when the copy is not fed, and says so.
host_kill TERM 3
expect_fail "--wait gives up when the copy does not follow" "does not show it after 1 s" \
    "$PK_BIN" --db "$T/host3" --ldap "$(slapd_uri 3)" --wait=1 account suspend bo@example.org
sync_start 3
check "host 3 catches up" wait_same

# Heartbeats and status.
check "heartbeat once" on 1 heartbeat --name hb-test
hb_seen() { hs "$1" status | grep -q '^heartbeat hb-test: written'; }
for h in 1 2 3; do
    tries=0
    while ! hb_seen $h && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    check "host $h's status shows the heartbeat" hb_seen $h
done
check "status shows each server's position" sh -c \
    "'$PK_BIN' --db '$T/host2' status | grep -Eq '^server 00[123]: newest change [0-9]{14}\\.[0-9]{6}Z#'"
"$PK_BIN" --db "$T/host1" --ldap "$(slapd_uri 2)" heartbeat --name hb-every --every 1 \
    >"$T/hb.out" 2>"$T/hb.err" &
hbpid=$!
sleep 3.5
hb_fresh() {
    hs 2 --json status | /usr/bin/python3 -c '
import sys, json
d = json.load(sys.stdin)
hb = [h for h in d["heartbeats"] if h["name"] == "hb-every"]
assert d["synced"] and hb and hb[0]["age"] < 2.0 and hb[0]["applied_age"] < 2.0, d
assert len(d["servers"]) >= 1 and all(s["age"] >= 0 for s in d["servers"]), d
assert d["last_applied_age"] < 2.0, d'
}
check "a periodic heartbeat stays fresh on host 2 (JSON status)" hb_fresh
# Its provider goes away and comes back: the writer reconnects.
slapd_stop 2
sleep 1.5
check "provider 2 restarts" slapd_start 2
hb_back() {
    tries=0
    while ! hb_fresh >/dev/null 2>&1 && [ $tries -lt 150 ]; do sleep 0.1; tries=$((tries + 1)); done
    hb_fresh
}
check "the heartbeat is fresh again after its provider came back" hb_back
check "the writer said why it missed beats" grep -q "heartbeat hb-every" "$T/hb.err"
kill -TERM $hbpid
wait $hbpid
same "the periodic heartbeat stops cleanly on SIGTERM" "$?" 0
check "one machine: status says it is not fed by sync" sh -c \
    "'$PK_BIN' --db '$T/db' status | grep -q 'not fed by postkontor-sync'"
same "one machine: status in JSON" "$(pk --json status)" '{"ok": true, "synced": false}'

finish
