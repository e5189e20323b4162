#!/bin/sh
# t-ref-mail-path - the whole mail path through the reference server
#
# An account made with postkontor submits mail with AUTH (curl over
# SMTPS, swaks with STARTTLS on submission, Python's smtplib); mail to an
# alias is expanded to both accounts and delivered into their Maildirs;
# the recipients read it over POP3 (curl pop3/pop3s, poplib) and IMAP
# (curl imap/imaps, imaplib). Inbound mail on the SMTP role reaches an
# account too. Nothing is ever sent off the machine.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
need curl swaks
ref_setup
ref_start

cat >"$T/msg1" <<'EOM'
From: alice@example.test
To: team@example.test
Subject: curl smtps to the team

Hello team, from curl.
EOM
check "curl submits over SMTPS with AUTH to an alias" \
    curl -sS --crlf -k "smtps://127.0.0.1:$SMTPS_PORT" \
    --user "alice@example.test:$ALICE_PW" --mail-from alice@example.test \
    --mail-rcpt team@example.test -T "$T/msg1"
same "the alias delivered to alice" "$(maildir_count alice@example.test)" 1
same "the alias delivered to bob" "$(maildir_count bob@example.test)" 1

check "swaks submits with STARTTLS and AUTH LOGIN on submission" \
    swaks --server 127.0.0.1 --port "$SUB_PORT" --tls --auth LOGIN \
    --auth-user bob@example.test --auth-password "$BOB_PW" \
    --from bob@example.test --to alice@example.test \
    --header 'Subject: swaks to alice' --body 'Hi alice, swaks here.' </dev/null
same "swaks mail arrived" "$(maildir_count alice@example.test)" 2

check "smtplib submits with STARTTLS and AUTH PLAIN" ref_py - "$SUB_PORT" "$BOB_PW" <<'EOP'
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.starttls(context=ctx)
s.login("bob@example.test", sys.argv[2])
s.sendmail("bob@example.test", ["alice@example.test"],
           "From: bob@example.test\r\nSubject: smtplib\r\n\r\nline one\r\n.line with a dot\r\n")
s.quit()
EOP
same "smtplib mail arrived" "$(maildir_count alice@example.test)" 3

check "inbound SMTP (25 role) takes mail for a hosted domain" \
    swaks --server 127.0.0.1 --port "$SMTP_PORT" --from someone@elsewhere.invalid \
    --to Alice@Example.TEST --header 'Subject: inbound' --body 'from outside' </dev/null
same "inbound mail arrived" "$(maildir_count alice@example.test)" 4

check "curl lists alice's mail over POP3 with STLS" \
    curl -sS -k --ssl-reqd "pop3://127.0.0.1:$POP3_PORT/" --user "alice@example.test:$ALICE_PW"
same "POP3 LIST shows four messages" "$(wc -l <"$T/out" | tr -d ' ')" 4
check "curl reads bob's message over POP3S" \
    curl -sS -k -o "$T/got" "pop3s://127.0.0.1:$POP3S_PORT/1" --user "bob@example.test:$BOB_PW"
check "the POP3 message is curl's" grep -q 'Hello team, from curl.' "$T/got"

check "curl reads alice's mail over IMAP with STARTTLS" \
    curl -sS -k --ssl-reqd -o "$T/got" "imap://127.0.0.1:$IMAP_PORT/INBOX;UID=2" \
    --user "alice@example.test:$ALICE_PW"
check "the IMAP message is swaks's" grep -q 'Hi alice, swaks here.' "$T/got"
check "curl reads over IMAPS" \
    curl -sS -k -o "$T/got" "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UID=1" \
    --user "bob@example.test:$BOB_PW"
check "the IMAPS message is curl's" grep -q 'Hello team, from curl.' "$T/got"

check "imaplib sees all four subjects, dot-unstuffed, in order" ref_py - "$IMAPS_PORT" "$ALICE_PW" <<'EOP'
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=10)
m.login("alice@example.test", sys.argv[2])
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"4"], data
typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
subjects = [d[1].decode().strip() for d in data if isinstance(d, tuple)]
assert subjects == ["Subject: curl smtps to the team", "Subject: swaks to alice",
                    "Subject: smtplib", "Subject: inbound"], subjects
typ, data = m.fetch("3", "(RFC822)")
assert b"\r\n.line with a dot\r\n" in data[0][1], data
m.logout()
EOP

check "poplib reads and deletes at QUIT" ref_py - "$POP3S_PORT" "$BOB_PW" <<'EOP'
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
p.user("bob@example.test"); p.pass_(sys.argv[2])
count, size = p.stat()
assert count == 1, count
resp, lines, octets = p.retr(1)
assert b"Hello team, from curl." in lines, lines
p.dele(1)
p.quit()
EOP
same "bob's Maildir is empty after QUIT" "$(maildir_count bob@example.test)" 0
check "the server log records the alias delivery" \
    grep -q 'delivered to 2 mailbox' "$T/server.log"
finish
