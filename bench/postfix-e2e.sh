#!/bin/bash
# postfix-e2e.sh - mail through Postfix with postkontor-postfix's tables
# and policy service, against the same Postfix with static lmdb: tables
#
# usage: bench/postfix-e2e.sh [--builddir DIR] [--messages N]
#                             [--sessions N] [--rounds N] [--quick]
#
#   --builddir  a finished build (default $top_builddir, else _build)
#   --messages  messages per round and side (default 1000; --quick 300)
#   --sessions  parallel SMTP sessions of smtp-source (default 8)
#   --rounds    rounds per side, interleaved (default 5)
#
# One private Dovecot (tests/integration/dovecot.sh: LMTP, the postkontor
# auth module as userdb) and two private Postfix instances, each with its
# own configuration, queue and port (postfix-policy/testlib.sh), both
# delivering to Dovecot's LMTP listener:
#   ours    doc/postfix-main.cf.example as shipped: socketmap tables of
#           postkontor-postfix for virtual_mailbox_domains,
#           virtual_mailbox_maps, virtual_alias_maps and
#           smtpd_sender_login_maps, and its policy service at RCPT and
#           at END-OF-MESSAGE;
#   static  the same main.cf with those tables as lmdb: files made by
#           postmap from the same data, and no policy service.
# smtp-source sends N messages of 2 KiB over S sessions to an alias
# (info@example.se, delivered to alice@example.se), so every message
# costs alias and mailbox lookups, and the round ends when all N are
# files in alice's Maildir (a round where they are not fails). Rounds
# alternate ours, static, ours, ...; the best of each side counts.
# Ratio: our rate / the static rate (target >= 0.95). Both sides wait
# for the same syncs (Postfix's queue file, Dovecot's delivery), which
# make single rounds vary; the ratio of each pair of rounds and their
# median are printed too.
# Needs root (Dovecot and Postfix), postfix, postfix-lmdb, smtp-source.

set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${top_builddir:-$top_srcdir/_build}
MESSAGES= SESSIONS=8 ROUNDS=5 QUICK=0
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) BUILDDIR=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --sessions) SESSIONS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --quick) QUICK=1 ;;
    -h | --help) sed -n '3,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "postfix-e2e.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$MESSAGES" ] || { [ $QUICK = 1 ] && MESSAGES=300 || MESSAGES=1000; }
top_builddir=$(cd "$BUILDDIR" && pwd)
PK_BIN=$top_builddir/cli/postkontor
export top_builddir top_srcdir PK_BIN
[ "$(id -u)" = 0 ] || { echo "postfix-e2e.sh: run me as root" >&2; exit 1; }
[ -x "$PK_BIN" ] || { echo "postfix-e2e.sh: $PK_BIN is not built" >&2; exit 1; }

# The integration helpers: scratch directory $T (removed at exit), the
# private Dovecot, postkontor-postfix and the private Postfix.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/postfix-policy/testlib.sh"
. "$top_srcdir/bench/lib.sh"
WORK=$T
SMTP_SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
need postfix postmap postconf ss script "$SMTP_SOURCE" "$PKPF_BIN"

dc_setup
mkdir -p "$T/db"
chmod 700 "$T/db"
pk init >/dev/null &&
    pk domain add example.se >/dev/null &&
    for a in alice bob carol; do
        printf '%s\n' "$a password 1" |
            pk account add "$a@example.se" --password-stdin >/dev/null || exit 1
    done &&
    pk alias add info@example.se alice@example.se >/dev/null ||
    { echo "postfix-e2e.sh: cannot fill the database" >&2; exit 1; }
ln -s "$T/usage" "$T/db/usage"
dc_db_perms || { echo "postfix-e2e.sh: database permissions" >&2; exit 1; }
dc_start
pkpf_start

# ours: the shipped example configuration (testlib.sh)
p_ours=$(free_port "$(test_port_base 25)")
PF_LMTP="inet:127.0.0.1:$DC_LMTP" postfix_start "$p_ours"

# static: a second instance, same main.cf, lmdb: tables, no policy
p_static=$(free_port $((p_ours + 1)))
S=$T/pfs
mkdir -p "$S/etc" "$S/spool" "$S/data"
chown postfix "$S/data"
cat >"$S/virtual_domains" <<EOF
example.se example.se
EOF
cat >"$S/virtual_mailboxes" <<EOF
alice@example.se example.se/alice/
bob@example.se example.se/bob/
carol@example.se example.se/carol/
EOF
cat >"$S/virtual_aliases" <<EOF
info@example.se alice@example.se
EOF
cat >"$S/sender_logins" <<EOF
alice@example.se alice@example.se
bob@example.se bob@example.se
carol@example.se carol@example.se
info@example.se alice@example.se
EOF
cp "$T/pf/etc/main.cf" "$S/etc/main.cf"
postconf -c "$S/etc" -e "queue_directory = $S/spool" "data_directory = $S/data" \
    "maillog_file = $T/maillog.static" \
    "virtual_mailbox_domains = lmdb:$S/virtual_domains" \
    "virtual_mailbox_maps = lmdb:$S/virtual_mailboxes" \
    "virtual_alias_maps = lmdb:$S/virtual_aliases" \
    "smtpd_sender_login_maps = lmdb:$S/sender_logins" \
    "smtpd_recipient_restrictions =" "smtpd_end_of_data_restrictions =" || exit 1
sed "s/^127\.0\.0\.1:$p_ours /127.0.0.1:$p_static /" "$T/pf/etc/master.cf" >"$S/etc/master.cf"
touch "$T/maillog.static" && chown postfix "$T/maillog.static"
for m in virtual_domains virtual_mailboxes virtual_aliases sender_logins; do
    postmap -c "$S/etc" "lmdb:$S/$m" || exit 1
done
grep -q "^127.0.0.1:$p_static " "$S/etc/master.cf" &&
    ! grep -q "check_policy_service\|socketmap" <(postconf -c "$S/etc" -n) ||
    { echo "postfix-e2e.sh: the static configuration is not what it should be" >&2; exit 1; }
static_stop() {
    pid=$(tr -d ' \n' <"$S/spool/pid/master.pid" 2>/dev/null)
    postfix -c "$S/etc" stop >/dev/null 2>&1
    i=0
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
on_exit static_stop
script -qec "postfix -c $S/etc start" /dev/null >"$T/pfs-start.log" 2>&1 ||
    { echo "postfix-e2e.sh: the static Postfix did not start" >&2; cat "$T/pfs-start.log" >&2; exit 1; }
i=0
until "$PYTHON" -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$p_static),1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "postfix-e2e.sh: no banner from the static Postfix" >&2; exit 1; }
    sleep 0.1
done

BOX=$T/vmail/example.se/alice/Maildir
# count_mail: message files in alice's Maildir
count_mail() {
    find "$BOX/new" "$BOX/cur" -type f 2>/dev/null | wc -l
}
# round PORT [N]: send N (MESSAGES) to info@ through PORT, wait until delivered
round() {
    local before i=0 n=${2:-$MESSAGES}
    before=$(count_mail)
    "$SMTP_SOURCE" -s "$SESSIONS" -m "$n" -l 2048 -f sender@elsewhere.invalid \
        -t info@example.se "127.0.0.1:$1" >>"$T/smtp-source.log" 2>&1 || return 1
    while [ "$(count_mail)" -lt $((before + n)) ]; do
        i=$((i + 1))
        [ $i -lt 3000 ] || return 1
        sleep 0.05
    done
}

echo "postfix-e2e: smtp-source -s $SESSIONS -m $MESSAGES -l 2048 to an alias, Postfix -> LMTP -> Dovecot, $ROUNDS rounds"
# One message through each side first: both deliver, and the policy
# service answered (the log of the daemon is quiet about errors).
round "$p_ours" 1 && round "$p_static" 1 ||
    { echo "postfix-e2e.sh: a warm-up round failed" >&2; tail -20 "$T/maillog" "$T/maillog.static" >&2; exit 1; }
ours=() static=() FAILED=0
for r in $(seq 1 "$ROUNDS"); do
    timed t round "$p_ours" || { FAILED=1; break; }
    ours+=("$(rate "$MESSAGES" "$t")")
    timed t round "$p_static" || { FAILED=1; break; }
    static+=("$(rate "$MESSAGES" "$t")")
    say "round $r: ours ${ours[-1]} messages/s, static lmdb: ${static[-1]} messages/s"
done
if [ $FAILED = 1 ]; then
    echo "  => postfix-e2e: FAILED (mail was not delivered in time)"
    tail -20 "$T/maillog" "$T/maillog.static" >&2
    exit 1
fi
say "warnings and errors in postkontor-postfix's log: $(grep -c "warning\|error" "$T/pkpf.log")"
pairs=()
for i in "${!ours[@]}"; do pairs+=("$(ratio "${ours[$i]}" "${static[$i]}")"); done
say "round by round: ${pairs[*]} (median $(median "${pairs[@]}"))"
x=$(ratio "$(largest "${ours[@]}")" "$(largest "${static[@]}")")
echo "  => postfix-e2e: ${x}x the same Postfix with static lmdb: tables and no policy (target >= 0.95) $(verdict "$x" '>=' 0.95)"
exit 0
