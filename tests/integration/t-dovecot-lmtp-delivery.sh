#!/bin/sh
# t-dovecot-lmtp-delivery.sh - mail delivered by Dovecot's LMTP is read back
#
# Python's smtplib.LMTP delivers over the LMTP unix socket (as Postfix's
# virtual_transport = lmtp:unix:... does) and over TCP. Each mail lands in
# the account's Maildir under the mail root and is read back over IMAP
# (imaplib) and POP3 (poplib). An unknown recipient is refused at RCPT; a
# suspended account still receives mail; doveadm -A walks every account.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need /usr/bin/python3

pw() { p=$1; shift; printf '%s\n' "$p" | pk "$@"; }

cat >"$T/lmtp.py" <<'EOF'
import smtplib, sys

where, rcpt, subject = sys.argv[1:4]
msg = ("From: sender@example.org\r\nTo: %s\r\nSubject: %s\r\n"
       "Message-ID: <%s@test>\r\n\r\nbody of %s\r\n" % (rcpt, subject, subject, subject))
if where.startswith("/"):
    c = smtplib.LMTP(where, timeout=20)
else:
    c = smtplib.LMTP("127.0.0.1", int(where), timeout=20)
try:
    refused = c.sendmail("sender@example.org", [rcpt], msg)
    print("delivered", refused)
except smtplib.SMTPRecipientsRefused as e:
    print("refused", e.recipients)
    sys.exit(1)
finally:
    c.quit()
EOF

cat >"$T/read.py" <<'EOF'
import imaplib, poplib, ssl, sys

proto, port, user, password, ca = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca)
if proto == "imap":
    c = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx, timeout=20)
    c.login(user, password)
    c.select("INBOX", readonly=True)
    typ, data = c.search(None, "ALL")
    for num in data[0].split():
        typ, msg = c.fetch(num, "(BODY.PEEK[])")
        text = msg[0][1].decode()
        print("imap", [l for l in text.splitlines() if l.startswith("Subject:")][0],
              "|", text.split("\r\n\r\n", 1)[1].strip())
    c.logout()
else:
    c = poplib.POP3_SSL("127.0.0.1", int(port), context=ctx, timeout=20)
    c.user(user)
    c.pass_(password)
    count = c.stat()[0]
    for i in range(1, count + 1):
        lines = [l.decode() for l in c.retr(i)[1]]
        print("pop3", [l for l in lines if l.startswith("Subject:")][0],
              "|", lines[lines.index("") + 1])
    c.quit()
EOF

deliver() { /usr/bin/python3 "$T/lmtp.py" "$@"; }
read_imap() { /usr/bin/python3 "$T/read.py" imap "$DC_IMAPS" "$1" "$2" "$T/tls/cert.pem"; }
read_pop3() { /usr/bin/python3 "$T/read.py" pop3 "$DC_POP3S" "$1" "$2" "$T/tls/cert.pem"; }

dc_setup
check "init" pk init
check "domain" pk domain add example.se
check "alice" pw 'alice pw 1' account add alice@example.se --password-stdin
check "bob" pw 'bob pw 1' account add bob@example.se --password-stdin
dc_db_perms || fail "database permissions"
dc_start

echo "# delivery"
check "LMTP over the unix socket delivers to alice" deliver "$DC_RUN/lmtp" alice@example.se first
check "LMTP over TCP delivers to alice" deliver "$DC_LMTP" alice@example.se second
check "a mixed-case recipient is the same account" deliver "$DC_RUN/lmtp" ALICE@Example.SE third
deliver "$DC_RUN/lmtp" nobody@example.se lost >"$T/out" 2>&1
same "an unknown recipient is refused at RCPT" "$?" 1
check "suspend bob" pk account suspend bob@example.se
check "a suspended account still receives mail" deliver "$DC_RUN/lmtp" bob@example.se kept

n=$(find "$T/vmail/example.se/alice/Maildir" -path '*/new/*' -type f | wc -l)
same "three mails in alice's Maildir under the mail root" "$n" 3
owner=$(stat -c %u:%g "$T/vmail/example.se/alice/Maildir")
same "the Maildir belongs to the userdb's uid and gid" "$owner" 5000:5000
n=$(find "$T/vmail/example.se/bob/Maildir" -path '*/new/*' -type f | wc -l)
same "one mail in bob's Maildir" "$n" 1

echo "# read back"
read_imap alice@example.se 'alice pw 1' >"$T/imap" 2>&1
same "IMAP reads the three mails in order" "$(cat "$T/imap")" "imap Subject: first | body of first
imap Subject: second | body of second
imap Subject: third | body of third"
read_pop3 alice@example.se 'alice pw 1' >"$T/pop3" 2>&1
same "POP3 reads the same three mails" "$(cat "$T/pop3")" "pop3 Subject: first | body of first
pop3 Subject: second | body of second
pop3 Subject: third | body of third"
check "resume bob" pk account resume bob@example.se
read_imap bob@example.se 'bob pw 1' >"$T/imap" 2>&1
same "bob reads what came while he was suspended" "$(cat "$T/imap")" \
    "imap Subject: kept | body of kept"

echo "# doveadm -A"
dc_doveadm -f flow mailbox status -A messages INBOX >"$T/all" 2>&1
same "doveadm -A walks every account" "$(sort "$T/all" | tr '\n' ';')" \
    "alice@example.se INBOX messages=3;bob@example.se INBOX messages=1;"

if dc_log | grep -Eq 'Fatal|Panic|killed with signal'; then
    fail "no fatal error or crash in the log"; dc_log | grep -E 'Fatal|Panic|signal' | head -5
else pass "no fatal error or crash in the log"; fi
finish
