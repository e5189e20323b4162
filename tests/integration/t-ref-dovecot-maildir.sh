#!/bin/sh
# t-ref-dovecot-maildir - the reference server and Dovecot share Maildirs
#
# Mail the reference server delivers (with flags and a keyword set over
# its IMAP, and a folder made there) is read by a private Dovecot through
# "mail_location = maildir:ROOT/%d/%n/Maildir"; mail Dovecot delivers
# over LMTP is read back over the reference server's POP3 and IMAP, and
# a keyword Dovecot sets is seen by the reference server.
# Dovecot runs its mail processes as nobody, so the test hands the
# Maildirs to nobody between the two servers.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
need dovecot doveadm swaks
ref_setup
ref_start

swaks --server 127.0.0.1 --port "$SMTP_PORT" --from x@outside.invalid \
    --to alice@example.test --header 'Subject: from the refserver' \
    --body 'delivered by postkontor-refserver' </dev/null >/dev/null
check "the reference server delivered to alice" sh -c "[ $(maildir_count alice@example.test) -eq 1 ]"
check "alice marks it flagged and \$Important, files a copy in a folder over IMAP" ref_py - "$IMAPS_PORT" "$ALICE_PW" <<'EOP'
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=10)
m.login("alice@example.test", sys.argv[2])
m.select("INBOX")
assert m.store("1", "+FLAGS", "(\\Flagged $Important)")[0] == "OK"
assert m.create("Saved")[0] == "OK"
assert m.copy("1", "Saved")[0] == "OK"
m.logout()
EOP

# A private Dovecot over the same Maildir root.
D=$T/dovecot
mkdir -p "$D/run" "$D/state"
DIMAP=$(free_port $((IMAPS_PORT + 10)))
DLMTP=$(free_port $((DIMAP + 1)))
printf 'alice@example.test:{PLAIN}%s\nbob@example.test:{PLAIN}%s\n' "$ALICE_PW" "$BOB_PW" >"$D/passwd"
cat >"$D/dovecot.conf" <<EOC
base_dir = $D/run
state_dir = $D/state
log_path = $D/log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 65534
mail_location = maildir:$MAILROOT/%d/%n/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$MAILROOT/%d/%n
}
service imap-login {
  inet_listener imap {
    port = $DIMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DLMTP
  }
}
EOC
chown -R 65534:65534 "$MAILROOT"
chmod 755 "$T"
dovecot_stop() {
    if [ -f "$D/run/master.pid" ]; then
        pid=$(cat "$D/run/master.pid")
        kill "$pid" 2>/dev/null
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    fi
    return 0
}
on_exit dovecot_stop
check "a private Dovecot starts" dovecot -c "$D/dovecot.conf"
i=0
until [ -n "$(ss -ltnH "sport = :$DIMAP")" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done

check "Dovecot reads the reference server's mail, flags, keyword and folder" ref_py - "$DIMAP" "$ALICE_PW" <<'EOP'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=10)
m.login("alice@example.test", sys.argv[2])
typ, data = m.select("INBOX")
assert data == [b"1"], data
typ, data = m.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])")
assert b"\\Flagged" in data[0][0] and b"$Important" in data[0][0], data
assert data[0][1].strip() == b"Subject: from the refserver", data
assert b"delivered by postkontor-refserver" in data[1][1], data
typ, data = m.search(None, "KEYWORD", "$Important")
assert data == [b"1"], ("Dovecot searches the keyword", data)
assert m.store("1", "+FLAGS", "(FromDovecot)")[0] == "OK"
typ, data = m.select("Saved")
assert data == [b"1"], ("Dovecot sees the Maildir++ folder", data)
m.logout()
EOP

check "Dovecot delivers to bob over LMTP" ref_py - "$DLMTP" <<'EOP'
import smtplib, sys
s = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("x@outside.invalid", ["bob@example.test"],
           "Subject: from dovecot\r\n\r\ndelivered by Dovecot LMTP\r\n")
s.quit()
EOP
dovecot_stop

check "the reference server sees the keyword Dovecot set, and its own" ref_py - "$IMAPS_PORT" "$ALICE_PW" <<'EOP'
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=10)
m.login("alice@example.test", sys.argv[2])
m.select("INBOX")
typ, data = m.fetch("1", "(FLAGS)")
assert b"FromDovecot" in data[0] and b"$Important" in data[0] and b"\\Flagged" in data[0], data
typ, data = m.search(None, "KEYWORD", "FromDovecot")
assert data == [b"1"], data
m.logout()
EOP

check "the reference server reads Dovecot's delivery over POP3" \
    curl -sS -k -o "$T/pop" "pop3s://127.0.0.1:$POP3S_PORT/1" --user "bob@example.test:$BOB_PW"
check "it is Dovecot's message" grep -q 'delivered by Dovecot LMTP' "$T/pop"
check "and over IMAP, with Dovecot's index files beside it" ref_py - "$IMAPS_PORT" "$BOB_PW" <<'EOP'
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=10)
m.login("bob@example.test", sys.argv[2])
typ, data = m.select("INBOX")
assert data == [b"1"], data
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
assert data[0][1].strip() == b"Subject: from dovecot", data
m.logout()
EOP
finish
