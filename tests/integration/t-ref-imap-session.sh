#!/bin/sh
# t-ref-imap-session - IMAP4rev1 commands with imaplib, UIDPLUS, IDLE
#
# SELECT/EXAMINE, FETCH (FLAGS, UID, RFC822.SIZE, ENVELOPE,
# BODYSTRUCTURE of a multipart message, BODY[1], partials), STORE with
# flags kept in the Maildir names, SEARCH, COPY with COPYUID, APPEND
# with APPENDUID, EXPUNGE and UID EXPUNGE, CREATE/RENAME/DELETE as
# Maildir++ folders, LIST/LSUB/SUBSCRIBE, STATUS, CLOSE, and UIDs that
# survive a restart. IDLE reports mail delivered while idling.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start

cat >"$T/deliver.py" <<'EOP'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("x@outside.invalid", ["alice@example.test"], sys.argv[2])
s.quit()
EOP
ref_py "$T/deliver.py" "$SMTP_PORT" 'From: "Bob B" <bob@example.test>
To: alice@example.test, carl@outside.invalid
Subject: plain one
Message-ID: <one@example.test>

first body
' >/dev/null || fail "delivery 1"
ref_py "$T/deliver.py" "$SMTP_PORT" 'From: bob@example.test
Subject: multi
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XyZ"

preamble
--XyZ
Content-Type: text/plain; charset=utf-8

part one text
--XyZ
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAAA
--XyZ--
' >/dev/null || fail "delivery 2"

d=$MAILROOT/example.test/alice/Maildir
ref_py - "$IMAPS_PORT" "$ALICE_PW" "$SMTP_PORT" "$d" >"$T/py" 2>&1 <<'EOP'
import imaplib, os, smtplib, ssl, sys, time
port, pw, smtp_port, maildir = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=10)
typ, caps = m.capability()
for c in (b"IDLE", b"UIDPLUS", b"LITERAL+"):
    assert c in caps[0], caps
m.login("alice@example.test", pw)
typ, data = m.select("INBOX", readonly=True)
assert data == [b"2"], data
typ, data = m.fetch("1", "(BODY[TEXT])")
typ, data = m.fetch("1", "(FLAGS)")
assert b"\\Seen" not in data[0], ("EXAMINE set \\Seen", data)
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"2"], data
typ, data = m.fetch("1:2", "(UID FLAGS RFC822.SIZE)")
assert b"UID 1 " in data[0] and b"UID 2 " in data[1], data
typ, data = m.fetch("1", "(ENVELOPE)")
env = data[0]
assert b'"plain one"' in env and b'(("Bob B" NIL "bob" "example.test"))' in env, env
assert b'("carl" ' not in env and b'(NIL NIL "carl" "outside.invalid")' in env, env
assert b'"<one@example.test>"' in env, env
typ, data = m.fetch("2", "(BODYSTRUCTURE)")
bs = data[0]
assert b'("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 13 0)' in bs, bs
assert b'"mixed")' in bs and b'"application" "octet-stream"' in bs, bs
typ, data = m.fetch("2", "(BODY.PEEK[1])")
assert data[0][1] == b"part one text\r\n" or data[0][1] == b"part one text", data
typ, data = m.fetch("2", "(BODY.PEEK[2.MIME])")
assert b"Content-Transfer-Encoding: base64" in data[0][1], data
typ, data = m.fetch("1", "(BODY.PEEK[]<0.4>)")
assert data[0][1] == b"Retu", data
typ, data = m.fetch("1", "(FLAGS)")
assert b"\\Seen" not in data[0], data
typ, data = m.fetch("1", "(BODY[TEXT])")
assert data[0][1] == b"first body\r\n", data
typ, data = m.fetch("1", "(FLAGS)")
assert b"\\Seen" in data[0], ("BODY[] did not set \\Seen", data)
typ, data = m.store("2", "+FLAGS", "(\\Flagged \\Answered)")
assert b"\\Flagged" in data[0] and b"\\Answered" in data[0], data
typ, data = m.search(None, "FLAGGED")
assert data == [b"2"], data
typ, data = m.search(None, "UNSEEN")
assert data == [b"2"], data
typ, data = m.search(None, "OR", "SUBJECT", "plain", "BODY", '"part one"')
assert data == [b"1 2"], data
typ, data = m.search(None, "NOT", "FROM", '"Bob B"')
assert data == [b"2"], data
typ, data = m.uid("SEARCH", "UID", "2:*")
assert data == [b"2"], data
try:
    m.search(None, "BOGUSKEY"); raise SystemExit("unknown SEARCH key accepted")
except imaplib.IMAP4.error:
    pass
typ, data = m.create("Archive")
assert typ == "OK", data
typ, data = m.copy("1:2", "Archive")
assert typ == "OK" and data[0].startswith(b"[COPYUID ") \
    and data[0].split()[2:4] == [b"1,2", b"1,2]"], data
typ, data = m.append("Archive", "(\\Seen)", None, b"Subject: appended\r\n\r\nhi\r\n")
assert typ == "OK" and b"[APPENDUID " in data[0] and data[0].split()[2] == b"3]", data
typ, data = m.status("Archive", "(MESSAGES UIDNEXT UNSEEN)")
assert b"MESSAGES 3" in data[0] and b"UIDNEXT 4" in data[0] and b"UNSEEN 1" in data[0], data
typ, data = m.rename("Archive", "Old.Archive")
assert typ == "OK", data
assert os.path.isdir(maildir + "/.Old.Archive/cur"), "no Maildir++ folder"
typ, data = m.list()
names = sorted(d.split(b' "." ')[1].strip(b'"') for d in data)
assert names == [b"INBOX", b"Old.Archive"], data
typ, data = m.list('""', "%")
assert all(b"Old.Archive" not in d for d in data), data
m.subscribe("Old.Archive")
typ, data = m.lsub()
assert len(data) == 1 and b"Old.Archive" in data[0], data
typ, data = m.store("1", "+FLAGS.SILENT", "(\\Deleted)")
assert data == [None], data
typ, data = m.expunge()
assert data == [b"1"], data
typ, data = m.select("Old.Archive")
assert data == [b"3"], data
m.store("1:3", "+FLAGS", "(\\Deleted)")
m.response("EXPUNGE")
typ, data = m.uid("EXPUNGE", "2")
assert typ == "OK" and m.response("EXPUNGE")[1] == [b"2"], ("UID EXPUNGE", data)
m.close()
typ, data = m.select("Old.Archive")
assert data == [b"0"], ("CLOSE expunged", data)
typ, data = m.delete("Old.Archive")
assert typ == "NO" and b"selected" in data[0], data
m.close()
typ, data = m.delete("Old.Archive")
assert typ == "OK", data
typ, data = m.select("Old.Archive")
assert typ == "NO" and b"[NONEXISTENT]" in data[0], ("deleted folder selectable", data)
# IDLE: a delivery while idling is announced.
m.select("INBOX")
tag = m._new_tag()
m.send(tag + b" IDLE\r\n")
assert m.readline().startswith(b"+"), "no IDLE continuation"
s = smtplib.SMTP("127.0.0.1", smtp_port, timeout=10)
s.sendmail("x@outside.invalid", ["alice@example.test"], "Subject: while idle\r\n\r\nhi\r\n")
s.quit()
line = m.readline()
assert line == b"* 2 EXISTS\r\n", line
m.send(b"DONE\r\n")
while True:
    line = m.readline()
    if line.startswith(tag):
        assert b"OK" in line, line
        break
m.logout()
EOP
check "imaplib: SELECT, FETCH, STORE, SEARCH, COPY, APPEND, folders, IDLE" sh -c "[ ! -s '$T/py' ]"
[ -s "$T/py" ] && sed 's/^/     | /' "$T/py"

check "flags are kept in the Maildir file name" sh -c "ls '$d/cur' | grep -q ':2,FR\$'"
check "a deleted folder's directory is gone" sh -c "[ ! -e '$d/.Old.Archive' ]"
before=$(curl -sS -k "imaps://127.0.0.1:$IMAPS_PORT/INBOX" -X 'UID SEARCH ALL' \
    --user "alice@example.test:$ALICE_PW")
ref_stop
ref_start
after=$(curl -sS -k "imaps://127.0.0.1:$IMAPS_PORT/INBOX" -X 'UID SEARCH ALL' \
    --user "alice@example.test:$ALICE_PW")
same "UIDs survive a restart" "$after" "$before"
same "the UIDs are the ones given before" "$(echo "$after" | tr -d '\r')" "* SEARCH 2 3"
finish
