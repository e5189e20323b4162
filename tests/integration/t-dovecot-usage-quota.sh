#!/bin/sh
# t-dovecot-usage-quota.sh - usage recorded by the mail plugin matches Dovecot
#
# With "mail_plugins = quota postkontor", mail delivered over LMTP and
# expunged over IMAP changes what "postkontor account show" reports, and
# it is what Dovecot's own "doveadm quota get" counts: the same number of
# messages, the same kilobytes (rounded up, as doveadm shows them), and
# bytes equal to the mailbox's virtual
# size. An IMAP or POP3 login records the last login time; an LMTP
# delivery does not. The userdb's quota_rule reaches the quota plugin as
# the limit. The mail processes write only the usage database.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need /usr/bin/python3

pw() { p=$1; shift; printf '%s\n' "$p" | pk "$@"; }

cat >"$T/mail.py" <<'EOF'
import imaplib, poplib, smtplib, ssl, sys

what = sys.argv[1]
if what == "deliver":
    sock, rcpt, size = sys.argv[2], sys.argv[3], int(sys.argv[4])
    msg = ("From: s@example.org\r\nTo: %s\r\nSubject: size %d\r\n\r\n" % (rcpt, size)
           + ("x" * 70 + "\r\n") * (size // 72))
    c = smtplib.LMTP(sock, timeout=20)
    c.sendmail("s@example.org", [rcpt], msg)
    c.quit()
elif what == "expunge-first":
    port, user, password, ca = sys.argv[2:6]
    ctx = ssl.create_default_context(cafile=ca)
    c = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx, timeout=20)
    c.login(user, password)
    c.select("INBOX")
    c.store("1", "+FLAGS", "\\Deleted")
    c.expunge()
    c.logout()
elif what == "pop3-login":
    port, user, password, ca = sys.argv[2:6]
    ctx = ssl.create_default_context(cafile=ca)
    c = poplib.POP3_SSL("127.0.0.1", int(port), context=ctx, timeout=20)
    c.user(user)
    c.pass_(password)
    c.quit()
EOF
mail() { /usr/bin/python3 "$T/mail.py" "$@"; }

# show_field ADDRESS KEY: one field of "postkontor --json account show"
show_field() {
    pk --json account show "$1" | /usr/bin/python3 -c 'import json, sys
print(json.load(sys.stdin).get(sys.argv[1], "none"))' "$2"
}

# dove_quota ADDRESS TYPE: doveadm quota get's value (STORAGE in KiB, MESSAGE)
dove_quota() {
    dc_doveadm -f tab quota get -u "$1" | awk -F '\t' -v t="$2" '$2 == t { print $3 }'
}

# dove_vsize ADDRESS: the INBOX's virtual size in bytes
dove_vsize() {
    dc_doveadm -f flow mailbox status -u "$1" vsize INBOX | sed 's/.*vsize=//'
}

# wait_usage ADDRESS MESSAGES: until the recorded count is MESSAGES (the
# mail process writes it as its session ends, just after the client is done)
wait_usage() {
    i=0
    while [ "$(show_field "$1" usage_messages)" != "$2" ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ "$(show_field "$1" usage_messages)" = "$2" ]
}

# matches_dovecot ADDRESS: postkontor's figures are Dovecot's
matches_dovecot() {
    m=$(show_field "$1" usage_messages); b=$(show_field "$1" usage_bytes)
    dm=$(dove_quota "$1" MESSAGE); dk=$(dove_quota "$1" STORAGE); dv=$(dove_vsize "$1")
    echo "postkontor: $m messages, $b bytes; doveadm: $dm messages, $dk KiB, vsize $dv"
    [ "$m" = "$dm" ] && [ "$b" = "$dv" ] && [ $(((b + 1023) / 1024)) = "$dk" ]
}

dc_setup
check "init" pk init
check "domain" pk domain add example.se
check "alice with a 10M quota" pw 'alice pw 1' account add alice@example.se \
    --password-stdin --quota 10M
check "bob" pw 'bob pw 1' account add bob@example.se --password-stdin
dc_db_perms || fail "database permissions"
ln -s "$T/usage" "$T/db/usage"
dc_start

echo "# nothing recorded yet"
same "no usage before any mail" "$(show_field alice@example.se usage_messages)" none
has_line() { pk account show alice@example.se | grep -Eq "$1"; }
check "account show says usage is not recorded" has_line '^usage +\(not recorded\)$'

echo "# deliveries"
check "deliver 3000 bytes" mail deliver "$DC_RUN/lmtp" alice@example.se 3000
check "deliver 5000 bytes" mail deliver "$DC_RUN/lmtp" alice@example.se 5000
check "deliver 70000 bytes" mail deliver "$DC_RUN/lmtp" alice@example.se 70000
check "three messages recorded" wait_usage alice@example.se 3
check "usage after deliveries matches doveadm quota get" matches_dovecot alice@example.se
sed 's/^/     | /' "$T/out"
check "account show prints the usage" has_line "^usage +$(show_field alice@example.se usage_bytes) bytes in 3 messages$"
same "a delivery is not a login" "$(show_field alice@example.se last_login)" none
dc_doveadm -f tab quota get -u alice@example.se >"$T/q" 2>&1
same "the userdb's quota_rule is the quota plugin's limit" \
    "$(awk -F '\t' '$2 == "STORAGE" { print $4 }' "$T/q")" 10240

echo "# an expunge over IMAP, which is also a login"
before=$(date +%s)
check "expunge the first mail" mail expunge-first "$DC_IMAPS" alice@example.se \
    'alice pw 1' "$T/tls/cert.pem"
after=$(date +%s)
check "two messages recorded" wait_usage alice@example.se 2
check "usage after the expunge matches doveadm quota get" matches_dovecot alice@example.se
sed 's/^/     | /' "$T/out"
login=$(show_field alice@example.se last_login)
if [ "$login" != none ] && [ "$login" -ge "$before" ] && [ "$login" -le "$after" ]; then
    pass "the IMAP login is the last login"
else fail "the IMAP login is the last login (got $login, not in $before..$after)"; fi
check "account show prints the last login" has_line '^last login +[0-9]{4}-'

echo "# POP3 login"
same "bob has no login yet" "$(show_field bob@example.se last_login)" none
check "bob logs in over POP3" mail pop3-login "$DC_POP3S" bob@example.se 'bob pw 1' "$T/tls/cert.pem"
i=0; while [ "$(show_field bob@example.se last_login)" = none ] && [ $i -lt 50 ]; do
    sleep 0.1; i=$((i + 1)); done
[ "$(show_field bob@example.se last_login)" != none ] &&
    pass "a POP3 login is recorded" || fail "a POP3 login is recorded"

echo "# what mail processes can write"
owner=$(stat -c %u "$T/usage/data.mdb")
same "the usage database was created by the mail uid" "$owner" 5000
same "the account database is not theirs" "$(stat -c %u:%a "$T/db/data.mdb")" "0:640"

if dc_log | grep -Eq 'Fatal|Panic|killed with signal|postkontor.*failed'; then
    fail "no error in the log"; dc_log | grep -E 'Fatal|Panic|signal|failed' | head -5
else pass "no error in the log"; fi
finish
