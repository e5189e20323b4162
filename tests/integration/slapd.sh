# slapd.sh - private OpenLDAP providers for the sync tests (sourced, POSIX sh)
#
# Source after lib.sh. slapd_setup N makes N (1..3) providers of a
# multi-provider cluster from doc/slapd-multiprovider.conf.example, each
# with its own cn=config directory, data and accesslog under
# $T/ldap/nodeI, listening on ldap://127.0.0.1:PORT/ (a free port from a
# PID-derived range above the ephemeral range). slapd runs as the caller
# (no -u). slapd_start I / slapd_stop I start and stop one node;
# every started node is stopped at exit. SLAPD_DEBUG (default "sync")
# is slapd's -d level and log level; a benchmark sets it to 0.
#
#	LDAP_SUFFIX, LDAP_ADMIN, LDAP_PWFILE	the directory, its admin and
#						a file with the password
#	slapd_uri I				ldap://127.0.0.1:PORT/ of node I
#	ld_add I / ld_modify I / ld_delete I	ldapadd/ldapmodify/ldapdelete
#	ld_search I ARGS...			ldapsearch -LLL as admin
#	ld_config I ARGS...			ldapmodify of cn=config as root

need slapd slapadd slappasswd ldapsearch ldapadd ldapmodify ldapdelete ss

LDAP_SUFFIX="dc=example,dc=net"
LDAP_ADMIN="cn=admin,$LDAP_SUFFIX"
LDAP_PW="pw-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
LDAP_PWFILE="$T/ldap-admin.pw"
(umask 077 && printf '%s' "$LDAP_PW" >"$LDAP_PWFILE") || exit 1
SLAPD_NODES=0
SLAPD_CONF_EXAMPLE="$top_srcdir/doc/slapd-multiprovider.conf.example"
SLAPD_SCHEMA="$top_srcdir/doc/postkontor.ldif"


# slapd_pick_ports N: N consecutive free ports, in SLAPD_PORT1..N
slapd_pick_ports() {
    base=$((61000 + ($$ % 400) * 10))
    tries=0
    while [ $tries -lt 400 ]; do
        ok=1 _pp_i=1
        while [ $_pp_i -le "$1" ]; do
            port_free $((base + _pp_i)) || ok=0
            _pp_i=$((_pp_i + 1))
        done
        if [ $ok = 1 ]; then
            _pp_i=1
            while [ $_pp_i -le "$1" ]; do
                eval "SLAPD_PORT$_pp_i=$((base + _pp_i))"
                _pp_i=$((_pp_i + 1))
            done
            return 0
        fi
        base=$((base + 10)); [ $base -gt 64980 ] && base=61000
        tries=$((tries + 1))
    done
    echo "FAIL: no free ports for slapd" >&2; exit 1
}

slapd_port() { eval "echo \$SLAPD_PORT$1"; }
slapd_uri() { echo "ldap://127.0.0.1:$(slapd_port "$1")/"; }
slapd_dir() { echo "$T/ldap/node$1"; }
# slapd_ldapi I: node I's unix socket, where root may change cn=config
slapd_ldapi() { echo "ldapi://$(slapd_dir "$1" | sed 's|/|%2F|g')%2Fldapi"; }
# ld_config I ARGS...: ldapmodify on node I's cn=config (SASL EXTERNAL)
ld_config() {
    n=$1; shift
    ldapmodify -Q -Y EXTERNAL -H "$(slapd_ldapi "$n")" "$@"
}
slapd_pid() { cat "$(slapd_dir "$1")/slapd.pid" 2>/dev/null; }

# slapd_config N DIR: the example configuration rewritten for this test
slapd_config() {
    _sc_n=$1 _sc_dir=$2
    hash=$(slappasswd -T "$LDAP_PWFILE") || return 1
    sedargs=""
    _sc_i=1
    while [ $_sc_i -le 3 ]; do
        if [ $_sc_i -le "$_sc_n" ]; then
            sedargs="$sedargs -e s|ldap://ldap$_sc_i.example.net/|$(slapd_uri $_sc_i)|g"
        else
            sedargs="$sedargs -e /ldap$_sc_i\.example\.net/d"
        fi
        _sc_i=$((_sc_i + 1))
    done
    # A single node is a plain provider: no serverID list or syncrepl.
    [ "$_sc_n" -gt 1 ] || sedargs="$sedargs -e /^olcServerID:/d -e /^olcSyncrepl:/d -e /^olcMultiProvider:/d"
    # shellcheck disable=SC2086
    sed $sedargs \
        -e "s|/var/run/slapd/|$_sc_dir/|" \
        -e "s|/var/lib/ldap/|$_sc_dir/|" \
        -e "s|file:///usr/share/doc/postkontor/postkontor.ldif|file://$SLAPD_SCHEMA|" \
        -e "s|^olcRootPW: CHANGE-ME|olcRootPW: $hash|" \
        -e "s|credentials=CHANGE-ME|credentials=$LDAP_PW|" \
        -e "s|^olcLogLevel: .*|olcLogLevel: ${SLAPD_DEBUG:-sync}|" \
        "$SLAPD_CONF_EXAMPLE"
}

# slapd_setup N: configure N providers (not started)
slapd_setup() {
    SLAPD_NODES=$1
    slapd_pick_ports "$1"
    _ss_i=1
    while [ $_ss_i -le "$1" ]; do
        _ss_d=$(slapd_dir $_ss_i)
        mkdir -p "$_ss_d/slapd.d" "$_ss_d/postkontor" "$_ss_d/accesslog" || exit 1
        slapd_config "$1" "$_ss_d" >"$_ss_d/config.ldif" || exit 1
        if ! slapadd -n 0 -F "$_ss_d/slapd.d" -l "$_ss_d/config.ldif" >"$_ss_d/slapadd.log" 2>&1; then
            echo "FAIL: slapadd of node $_ss_i's configuration" >&2
            sed 's/^/     | /' "$_ss_d/slapadd.log" >&2; exit 1
        fi
        _ss_i=$((_ss_i + 1))
    done
    on_exit slapd_stop_all
}

# slapd_start I: start node I and wait until it answers (10 s at most)
slapd_start() {
    _st_d=$(slapd_dir "$1")
    rm -f "$_st_d/slapd.pid"
    slapd -h "$(slapd_uri "$1") $(slapd_ldapi "$1")" -F "$_st_d/slapd.d" -d "${SLAPD_DEBUG:-sync}" \
        >>"$_st_d/slapd.log" 2>&1 &
    tries=0
    while [ $tries -lt 100 ]; do
        if ldapsearch -x -H "$(slapd_uri "$1")" -s base -b "" -LLL \
            namingContexts >/dev/null 2>&1 && [ -s "$_st_d/slapd.pid" ]; then
            return 0
        fi
        sleep 0.1; tries=$((tries + 1))
    done
    echo "FAIL: slapd node $1 did not start" >&2
    tail -20 "$_st_d/slapd.log" | sed 's/^/     | /' >&2
    return 1
}

# slapd_stop I: stop node I and wait for it to exit (10 s, then SIGKILL)
slapd_stop() {
    pid=$(slapd_pid "$1") || return 0
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null
    kill -TERM "$pid" 2>/dev/null || return 0
    tries=0
    while kill -0 "$pid" 2>/dev/null && [ $tries -lt 100 ]; do
        sleep 0.1; tries=$((tries + 1))
    done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$(slapd_dir "$1")/slapd.pid"
    return 0
}

slapd_stop_all() {
    _sa_i=1
    while [ $_sa_i -le "$SLAPD_NODES" ]; do slapd_stop $_sa_i; _sa_i=$((_sa_i + 1)); done
}

# The admin password goes in a file (-y), never on a command line.
ld_add() { n=$1; shift; ldapadd -x -H "$(slapd_uri "$n")" -D "$LDAP_ADMIN" -y "$LDAP_PWFILE" "$@"; }
ld_modify() { n=$1; shift; ldapmodify -x -H "$(slapd_uri "$n")" -D "$LDAP_ADMIN" -y "$LDAP_PWFILE" "$@"; }
ld_delete() { n=$1; shift; ldapdelete -x -H "$(slapd_uri "$n")" -D "$LDAP_ADMIN" -y "$LDAP_PWFILE" "$@"; }
ld_search() {
    n=$1; shift
    ldapsearch -x -LLL -o ldif-wrap=no -H "$(slapd_uri "$n")" -D "$LDAP_ADMIN" \
        -y "$LDAP_PWFILE" -b "$LDAP_SUFFIX" "$@"
}

# ld_wait_count I FILTER COUNT: node I holds COUNT entries matching FILTER
# (within 10 s)
ld_wait_count() {
    tries=0
    while [ $tries -lt 100 ]; do
        c=$(ld_search "$1" "$2" dn 2>/dev/null | grep -c '^dn:')
        [ "$c" = "$3" ] && return 0
        sleep 0.1; tries=$((tries + 1))
    done
    echo "node $1: $c entries match $2, expected $3" >&2
    return 1
}

# --- helpers for the postkontor-sync tests ---
#
#	ld_digest I		digest and count of the accounts and aliases
#				node I holds (address, kind, state, destinations)
#	pk_digest DB		the same of a host's copy (postkontor export)
#	hosts_converged S I DB...	every DB equals node I within S seconds
#	ld_purge_log I...	the nodes' accesslogs emptied of deletions by
#				their own purge task (as olcAccessLogPurge
#				does in production, minCSN moving with it)
#	host_start H ARGS...	postkontor-sync on $T/hostH (log $T/syncH.log),
#				as the admin, with ARGS (options, then URIs)
#	host_kill SIG H		signal host H's daemon and wait for it
#	hosts_stop		stop every host's daemon (on_exit)
#	host_uris H		the three providers, host H's own (node H) first
#	providers_start N	N providers set up and started, each a check
#	$HASH			a valid {SHA512-CRYPT} hash for test accounts
SYNC_BIN="$top_builddir/sync/postkontor-sync"
HASH='{SHA512-CRYPT}$6$9Jam6yySh6v0Nv/N$8Nx9CgJmz8utsUZT9kIzqeTXUu/bEG.BJgISV0hzMq2kXb3ndwR2lVJW8r9GUd6pjXOkxmXKwauV/I0YrU/eA1'

providers_start() {
    slapd_setup "$1"
    for _ps_i in $(seq 1 "$1"); do check "provider $_ps_i starts" slapd_start "$_ps_i"; done
}

ld_digest() {
    ld_search "$1" "(|(objectClass=pkAccount)(objectClass=pkAlias))" \
        objectClass pkAddress pkState pkDestination | /usr/bin/python3 -c '
import sys, hashlib
out, cur = [], {}
def flush():
    if cur.get("pkAddress"):
        kind = "account" if "pkAccount" in cur.get("objectClass", []) else "alias"
        st = cur.get("pkState", ["active"])[0] if kind == "account" else ""
        out.append("%s %s %s %s" % (kind, cur["pkAddress"][0], st, ",".join(sorted(cur.get("pkDestination", [])))))
for line in sys.stdin.read().split("\n") + [""]:
    if not line:
        flush(); cur = {}; continue
    k, _, v = line.partition(": ")
    cur.setdefault(k, []).append(v)
print(hashlib.sha256("\n".join(sorted(out)).encode()).hexdigest(), len(out))'
}

pk_digest() {
    "$PK_BIN" --db "$1" export 2>/dev/null | /usr/bin/python3 -c '
import sys, json, hashlib
out = []
for line in sys.stdin:
    o = json.loads(line)
    if o["type"] == "account":
        out.append("account %s %s " % (o["address"], o["state"]))
    elif o["type"] == "alias":
        out.append("alias %s  %s" % (o["address"], ",".join(sorted(o["to"]))))
print(hashlib.sha256("\n".join(sorted(out)).encode()).hexdigest(), len(out))'
}

hosts_converged() {
    _hc_s=$1 _hc_n=$2; shift 2
    _hc_t=0
    while [ $_hc_t -lt $((_hc_s * 10)) ]; do
        _hc_want=$(ld_digest "$_hc_n")
        _hc_ok=1
        for _hc_db in "$@"; do
            [ "$(pk_digest "$_hc_db")" = "$_hc_want" ] || { _hc_ok=0; break; }
        done
        [ $_hc_ok = 1 ] && return 0
        sleep 0.1; _hc_t=$((_hc_t + 1))
    done
    echo "directory: $_hc_want"
    for _hc_db in "$@"; do echo "$_hc_db: $(pk_digest "$_hc_db")"; done
    return 1
}

_set_purge() {
    printf 'dn: olcOverlay={1}accesslog,olcDatabase={2}mdb,cn=config\nchangetype: modify\nreplace: olcAccessLogPurge\nolcAccessLogPurge: %s\n' \
        "$2" | ld_config "$1" >/dev/null
}
# _log_count I: deletions node I's accesslog still holds (heartbeats keep
# adding modifications, so those are never all gone)
_log_count() {
    ldapsearch -x -LLL -H "$(slapd_uri "$1")" -D "$LDAP_ADMIN" -y "$LDAP_PWFILE" \
        -b cn=accesslog -s one "(objectClass=auditDelete)" dn 2>/dev/null | grep -c '^dn:'
}
ld_purge_log() {
    sleep 1.1 # every entry at least one second old
    for _pl_n; do _set_purge "$_pl_n" "00:00:01 00:00:01" || return 1; done
    for _pl_n; do
        _pl_t=0
        while [ "$(_log_count "$_pl_n")" != 0 ] && [ $_pl_t -lt 100 ]; do
            sleep 0.1; _pl_t=$((_pl_t + 1))
        done
        [ "$(_log_count "$_pl_n")" = 0 ] || return 1
    done
    for _pl_n; do _set_purge "$_pl_n" "07+00:00 01+00:00" || return 1; done
}

host_start() {
    _hs_h=$1; shift
    mkdir -p -m 700 "$T/host$_hs_h"
    "$SYNC_BIN" --db "$T/host$_hs_h" --base "$LDAP_SUFFIX" --bind-dn "$LDAP_ADMIN" \
        --password-file "$LDAP_PWFILE" "$@" >>"$T/sync$_hs_h.log" 2>&1 &
    echo $! >"$T/sync$_hs_h.pid"
}
host_kill() {
    [ -s "$T/sync$2.pid" ] || return 0
    kill "-$1" "$(cat "$T/sync$2.pid")" 2>/dev/null
    wait "$(cat "$T/sync$2.pid")" 2>/dev/null
    rm -f "$T/sync$2.pid"
}
hosts_stop() { for _hk_f in "$T"/sync*.pid; do [ -e "$_hk_f" ] || continue; _hk_h=${_hk_f##*/sync}; host_kill TERM "${_hk_h%.pid}"; done; }
host_uris() {
    case $1 in
    1) echo "$(slapd_uri 1) $(slapd_uri 2) $(slapd_uri 3)" ;;
    2) echo "$(slapd_uri 2) $(slapd_uri 3) $(slapd_uri 1)" ;;
    3) echo "$(slapd_uri 3) $(slapd_uri 1) $(slapd_uri 2)" ;;
    esac
}
