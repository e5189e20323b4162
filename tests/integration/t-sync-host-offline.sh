#!/bin/sh
# t-sync-host-offline - a host fed by postkontor-sync keeps serving logins
# and delivering mail while its sync daemon is down: Dovecot (with the
# just-built postkontor module) authenticates from the local copy after
# the daemon was killed with SIGKILL, and a private Postfix asking
# postkontor-postfix for its tables delivers into that Dovecot over
# LMTP; a change made in the directory meanwhile is simply not there yet
# (an unknown user, never an internal or temporary error), and it
# arrives when the daemon is back, with no Dovecot or Postfix reload.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/slapd.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/postfix-policy/testlib.sh"

SYNC_BIN="$top_builddir/sync/postkontor-sync"
need doveadm dovecot postfix postmap swaks script "$PKPF_BIN"
[ -x "$SYNC_BIN" ] || { echo "FAIL: $SYNC_BIN is not built" >&2; exit 1; }
DOM="pkDomainName=example.se,$LDAP_SUFFIX"

providers_start 1

# account_ldif NAME PASSWORD: an account entry with a SHA512-CRYPT hash
account_ldif() {
    h=$(doveadm pw -s SHA512-CRYPT -p "$2") || return 1
    printf 'dn: pkAddress=%s@example.se,%s\nobjectClass: pkAccount\npkAddress: %s@example.se\npkPasswordHash: %s\n\n' \
        "$1" "$DOM" "$1" "$h"
}
{
    printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: x\n\n' "$LDAP_SUFFIX"
    printf 'dn: %s\nobjectClass: pkDomain\npkDomainName: example.se\n\n' "$DOM"
    account_ldif alice 'alice pw 1'
} >"$T/base.ldif"
check "directory content" ld_add 1 -f "$T/base.ldif"

mkdir -m 700 "$T/db"
sync_args() {
    echo --db "$T/db" --base "$LDAP_SUFFIX" --bind-dn "$LDAP_ADMIN" \
        --password-file "$LDAP_PWFILE"
}
# shellcheck disable=SC2046
check "initial load" "$SYNC_BIN" $(sync_args) --once "$(slapd_uri 1)"

dc_setup
dc_db_perms || fail "database permissions"
dc_start
first_auth_pid=$(dc_auth_pid)

# Postfix on this host: its tables from postkontor-postfix (the local
# copy), delivery into the Dovecot above.
pkpf_start
port=$(free_port "$(test_port_base 25)")
PF_LMTP="inet:127.0.0.1:$DC_LMTP" postfix_start "$port"
# deliver ADDRESS: a message to ADDRESS is accepted and delivered (30 s)
deliver() {
    subj="offline-test-$1-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
    swaks --server 127.0.0.1 --port "$port" --from someone@example.org \
        --to "$1" --header "Subject: $subj" --body "hello" </dev/null >"$T/swaks.out" 2>&1 ||
        { cat "$T/swaks.out"; return 1; }
    tries=0
    while [ $tries -lt 150 ]; do
        grep -rqs "^Subject: $subj" "$T/vmail" && return 0
        sleep 0.2; tries=$((tries + 1))
    done
    echo "not delivered: $subj"; grep "$1" "$T/maillog" | tail -3
    return 1
}
# pf_unknown ADDRESS: Postfix's own lookup finds nothing (exit 1, no error)
pf_unknown() {
    postmap -c "$T/pf/etc" -q "$1" "socketmap:unix:$T/run/postfix.sock:mailbox" >"$T/pm.out" 2>"$T/pm.err"
    rc=$?
    cat "$T/pm.out" "$T/pm.err"
    [ $rc = 1 ] && [ ! -s "$T/pm.err" ]
}

sync_start() {
    # shellcheck disable=SC2046
    "$SYNC_BIN" $(sync_args) "$(slapd_uri 1)" >>"$T/sync.log" 2>&1 &
    echo $! >"$T/sync.pid"
}
sync_kill() {
    [ -s "$T/sync.pid" ] || return 0
    kill "-$1" "$(cat "$T/sync.pid")" 2>/dev/null
    wait "$(cat "$T/sync.pid")" 2>/dev/null
    rm -f "$T/sync.pid"
}
stop_sync() { sync_kill TERM; }
on_exit stop_sync

# within NAME CMD...: CMD succeeds within 10 s
within() {
    name=$1; shift
    tries=0
    while ! "$@" >"$T/out" 2>&1; do
        tries=$((tries + 1))
        if [ $tries -ge 50 ]; then fail "$name"; sed 's/^/     | /' "$T/out"; return; fi
        sleep 0.2
    done
    pass "$name"
}
# unknown NAME PASSWORD: a failed login (exit 77), not an internal error
unknown() {
    dc_auth_test "$1" "$2" >"$T/auth.out" 2>&1
    rc=$?
    cat "$T/auth.out"
    [ $rc = 77 ] && ! grep -qi "internal\|temporar" "$T/auth.out"
}

sync_start
check "a synchronised account logs in" dc_auth_test alice@example.se 'alice pw 1'
account_ldif bob 'bob pw 1' | ld_add 1 >/dev/null 2>&1 || fail "add bob"
within "an account added in the directory logs in" dc_auth_test bob@example.se 'bob pw 1'

sync_kill KILL
check "with the daemon killed, logins still work" dc_auth_test alice@example.se 'alice pw 1'
account_ldif carol 'carol pw 1' | ld_add 1 >/dev/null 2>&1 || fail "add carol"
check "a change made meanwhile is not there yet: an unknown user" \
    unknown carol@example.se 'carol pw 1'
check "and existing accounts still log in" dc_auth_test bob@example.se 'bob pw 1'
check "with the daemon killed, Postfix delivers to a synchronised account" deliver alice@example.se
check "and to one added before the kill" deliver bob@example.se
check "the change made meanwhile is unknown to Postfix, not an error" pf_unknown carol@example.se

sync_start
within "the daemon back, the change arrives" dc_auth_test carol@example.se 'carol pw 1'
check "and Postfix delivers to it" deliver carol@example.se
check "the copy passes postkontor check" pk check
same "the auth process survived throughout" "$(dc_auth_pid)" "$first_auth_pid"

finish
