#!/bin/sh
# t-stack.sh - scripts/stack.sh as a newcomer runs it: start (with the
# already built tree), start again over the running stack, stop, stop
# again. Checked: the printed settings table (every service, its port,
# security and the full address as username); both demo messages arrive
# (inbound to the alias, and DKIM-signed from submissions); the table's
# POP3S and IMAP STARTTLS lines work for a client of this test's own; the
# database tells clients the stack's ports (postkontor clientconfig); mail
# to another domain is refused; the second start replaces every process of
# the first; stop leaves no process of the stack and no mount behind, and
# frees every port.

. "$top_srcdir/tests/integration/lib.sh"
need swaks ss dovecot postfix /usr/bin/python3
PY=/usr/bin/python3
. "$top_srcdir/tests/integration/stacklib.sh"
# Port bases 61000..64000; t-both-postfix-dovecot.sh sits 500 above.
stack_pick_base 61000 64000

# stack_pids: the masters, the daemons and all their children
stack_pids() {
    m="$(tr -dc 0-9 <"$S/run/dovecot/master.pid" 2>/dev/null) $(tr -dc 0-9 <"$S/postfix/spool/pid/master.pid" 2>/dev/null)"
    for p in $m; do echo "$p"; ps -o pid= --ppid "$p"; done
    cat "$S/pkpf.pid" "$S/milter.pid" 2>/dev/null
}

# table OUT: every line of the settings table is there
table() {
    for row in "IMAP      localhost  $((base + 993))  SSL/TLS (implicit)  alice@example.se" \
               "IMAP      localhost  $((base + 143))  STARTTLS            alice@example.se" \
               "POP3      localhost  $((base + 995))  SSL/TLS (implicit)  alice@example.se" \
               "POP3      localhost  $((base + 110))  STARTTLS            alice@example.se" \
               "SMTP      localhost  $((base + 465))  SSL/TLS (implicit)  alice@example.se" \
               "SMTP      localhost  $((base + 587))  STARTTLS            alice@example.se"; do
        grep -qF -- "$row" "$1" || { echo "missing: $row"; return 1; }
    done
    grep -q "Stop everything with: .*scripts/stack.sh stop" "$1"
}

check "first start" run_stack
cp "$T/out" "$T/start1"
check "settings table printed" table "$T/start1"
check "message to the alias arrived" \
    grep -q "arrived: Hello through the alias .*To: info@example.se" "$T/start1"
check "submitted message arrived DKIM-signed" \
    grep -q "arrived: Signed on submission .*DKIM-signed d=example.se" "$T/start1"
check "stored in alice's Maildir" \
    sh -c "grep -l 'Subject: Hello through the alias' '$S'/vmail/example.se/alice/Maildir/new/*"

pw=$(cat "$S/demo-password")
check "the database tells clients the stack's ports" sh -c \
    "'$top_builddir/cli/postkontor' --db '$S/db' clientconfig alice@example.se --format srv |
     grep -qx '_imaps._tcp.example.se. 3600 IN SRV 0 1 $((base + 993)) mail.example.se.'"
clients() {
    "$PY" - "$base" "$pw" "$S/tls/cert.pem" <<'PYEOF'
import imaplib, poplib, ssl, sys
base, pw, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
p = poplib.POP3_SSL("localhost", base + 995, context=ctx, timeout=30)
p.user("alice@example.se"); p.pass_(pw)
n = p.stat()[0]
p.quit()
assert n == 2, "POP3S sees %d messages" % n
m = imaplib.IMAP4("localhost", base + 143, timeout=30)
m.starttls(ssl_context=ctx)
m.login("alice@example.se", pw)
typ, data = m.select("INBOX", readonly=True)
assert data[0] == b"2", data
m.logout()
PYEOF
}
check "POP3S and IMAP STARTTLS from the table work" clients
outside() {
    ! swaks --server 127.0.0.1 --port $((base + 25)) --from alice@example.se \
        --to someone@example.org --body x </dev/null >"$T/swaks.out" 2>&1 &&
        grep -q "Relay access denied" "$T/swaks.out"
}
check "mail to another domain is refused" outside

stack_pids >"$T/pids1"
check "second start over the running stack" run_stack
cp "$T/out" "$T/start2"
check "settings table printed again" table "$T/start2"
check "delivery again" grep -q "DKIM-signed d=example.se" "$T/start2"
gone() { for p in $(cat "$1"); do kill -0 "$p" 2>/dev/null && { echo "alive: $p"; return 1; }; done; return 0; }
check "the first stack's processes are gone" gone "$T/pids1"

stack_pids >"$T/pids2"
check "the second stack runs (processes recorded)" test "$(wc -l <"$T/pids2")" -ge 6
check "stop" run_stack stop
check "no process of the stack is left" gone "$T/pids2"
nomount() { ! cat /proc/[0-9]*/mountinfo 2>/dev/null | grep -qF "$S/"; }
check "no mount of the stack is left" nomount
check "every port is free again" stack_ports_free "$base"
check "stop again (nothing running)" run_stack stop
check "clean removes the state directory" sh -c "PK_STACK_DIR='$S' sh '$STACK' clean && test ! -e '$S'"
finish
