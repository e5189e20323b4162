#!/bin/sh
# t-postfix-submission.sh - the whole mail path with real servers: a
# private Postfix (port-25 and submission roles from the doc/ examples)
# asks postkontor-postfix for tables and policy, authenticates through
# the Dovecot module (SASL) and delivers over LMTP into a private Dovecot;
# mail is read back over IMAP. Submission: own address and own alias
# allowed, another account's address refused, a suspended account cannot
# log in, a send-blocked one cannot send, a rate limit defers; a full
# mailbox (usage recorded by the Dovecot plugin) is deferred at RCPT with
# 452 4.2.2, also through an alias.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/postfix-policy/testlib.sh"
need postfix ss script "$PKPF_BIN" "$PYTHON"

dc_setup
mkdir -p "$T/db"
chmod 700 "$T/db"
pk init >/dev/null
pk domain add example.se >/dev/null
for a in alice bob sue sam full; do
    printf '%s\n' "$a password 1" | pk account add "$a@example.se" --password-stdin >/dev/null
done
pk alias add info@example.se alice@example.se bob@example.se >/dev/null
pk alias add fulls@example.se full@example.se >/dev/null
pk account quota full@example.se 3000 >/dev/null
pk account suspend sue@example.se >/dev/null
pk account send-block sam@example.se >/dev/null
pk ratelimit set bob@example.se --messages 1 --per 1h >/dev/null
# Where postkontor-postfix finds the usage the Dovecot plugin records
# (as doc/dovecot-example.conf sets it up).
ln -s "$T/usage" "$T/db/usage"
dc_db_perms || { echo "FAIL: database permissions"; exit 1; }
# Postfix's smtpd runs as the mail owner and asks Dovecot's auth-client
# socket for SASL, as a Postfix host configures it.
cat >>"$DC_CONF" <<EOF
service auth {
  unix_listener auth-client {
    group = postfix
    mode = 0660
  }
}
EOF
dc_start

pkpf_start
port=$(free_port "$(test_port_base 25)")
sub=$(free_port $((port + 1)))
smtps=$(free_port $((sub + 1)))
PF_SUBMISSION_PORT=$sub PF_SMTPS_PORT=$smtps PF_SASL_PATH=$DC_RUN/auth-client \
    PF_LMTP="inet:127.0.0.1:$DC_LMTP" postfix_start "$port"

"$PYTHON" - "$port" "$sub" "$smtps" "$DC_IMAP" "$PK_BIN" "$T/db" >"$T/cases" 2>&1 <<'PYEOF'
import imaplib, json, smtplib, ssl, subprocess, sys, time
port, sub, smtps, imap = (int(x) for x in sys.argv[1:5])
pk_bin, pk_db = sys.argv[5:7]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
n = [0]

def report(name, ok, why=""):
    print(("ok   " + name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()

def session(kind, login=None):
    if kind == "smtps":
        s = smtplib.SMTP_SSL("127.0.0.1", smtps, timeout=30, context=ctx)
    else:
        s = smtplib.SMTP("127.0.0.1", port if kind == "smtp" else sub, timeout=30)
    s.ehlo("client.invalid")
    if kind == "submission":
        s.starttls(context=ctx)
        s.ehlo("client.invalid")
    if login:
        s.login(login, login.split("@")[0] + " password 1")
    return s

def send(kind, login, sender, rcpt, size=None, body="hello"):
    """(code, text, subject): the first refusal, or the DATA answer"""
    n[0] += 1
    subject = "pk-test-%d" % n[0]
    try:
        s = session(kind, login)
    except smtplib.SMTPAuthenticationError as e:
        return e.smtp_code, e.smtp_error.decode(), subject
    code, msg = s.mail(sender, ["SIZE=%d" % size] if size else [])
    if code == 250:
        code, msg = s.rcpt(rcpt)
    if code == 250:
        code, msg = s.data(("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n%s\r\n"
                            % (sender, rcpt, subject, body)).encode())
    s.quit()
    return code, msg.decode("utf-8", "replace"), subject

def inbox_has(login, subject, wait=30):
    deadline = time.time() + wait
    while time.time() < deadline:
        m = imaplib.IMAP4("127.0.0.1", imap)
        m.login(login, login.split("@")[0] + " password 1")
        m.select("INBOX")
        typ, data = m.search(None, "SUBJECT", subject)
        m.logout()
        if data and data[0].split():
            return True
        time.sleep(0.2)
    return False

code, msg, subj = send("smtp", None, "tester@client.invalid", "info@example.se")
report("port 25: mail to an alias accepted", code == 250, "%s %s" % (code, msg))
report("  ... delivered into alice's mailbox over LMTP", inbox_has("alice@example.se", subj))
report("  ... and into bob's", inbox_has("bob@example.se", subj))
code, msg, subj = send("smtp", None, "tester@client.invalid", "Alice+News@EXAMPLE.se")
report("port 25: subaddress, upper case", code == 250 and inbox_has("alice@example.se", subj),
       "%s %s" % (code, msg))

code, msg, subj = send("submission", "alice@example.se", "alice@example.se", "bob@example.se")
report("submission (STARTTLS, AUTH): own address allowed", code == 250, "%s %s" % (code, msg))
report("  ... delivered to bob", inbox_has("bob@example.se", subj))
code, msg, subj = send("submission", "alice@example.se", "info@example.se", "bob@example.se")
report("submission: own alias allowed", code == 250 and inbox_has("bob@example.se", subj),
       "%s %s" % (code, msg))
code, msg, subj = send("submission", "alice@example.se", "bob@example.se", "x@elsewhere.invalid")
report("submission: another account's address refused 553 5.7.1",
       code == 553 and "5.7.1" in msg and "may not send as bob@example.se" in msg,
       "%s %s" % (code, msg))
code, msg, subj = send("smtps", "alice@example.se", "sam@example.se", "x@elsewhere.invalid")
report("smtps (implicit TLS): spoofing refused too", code == 553, "%s %s" % (code, msg))
code, msg, subj = send("smtps", "alice@example.se", "alice@example.se", "bob@example.se")
report("smtps: own address allowed", code == 250, "%s %s" % (code, msg))
code, msg, subj = send("submission", "sue@example.se", "sue@example.se", "x@elsewhere.invalid")
report("submission: a suspended account cannot log in", code == 535,
       "%s %s" % (code, msg))
code, msg, subj = send("submission", "sam@example.se", "sam@example.se", "x@elsewhere.invalid")
report("submission: a send-blocked account is refused",
       code == 554 and "send-blocked" in msg, "%s %s" % (code, msg))
code, msg, subj = send("smtp", None, "sam@example.se", "x@elsewhere.invalid")
report("port 25: relay refused", code == 554 and "Relay access denied" in msg, "%s %s" % (code, msg))

code, msg, subj = send("submission", "bob@example.se", "bob@example.se", "alice@example.se")
report("rate limit: bob's first message", code == 250, "%s %s" % (code, msg))
code, msg, subj = send("submission", "bob@example.se", "bob@example.se", "alice@example.se")
report("rate limit: bob's second message deferred with the reason",
       code == 450 and "4.7.1" in msg and "rate limit" in msg, "%s %s" % (code, msg))

code, msg, subj = send("smtp", None, "tester@client.invalid", "full@example.se", body="x" * 2000)
report("quota: a message that fits is delivered", code == 250 and inbox_has("full@example.se", subj),
       "%s %s" % (code, msg))
# The usage plugin commits its counts a moment after a delivery: wait
# (bounded) until the database shows this one before asking again.
def usage_bytes(addr):
    out = subprocess.run([pk_bin, "--db", pk_db, "--json", "account", "show", addr],
                         capture_output=True, text=True).stdout
    try:
        return int(json.loads(out).get("usage_bytes") or 0)
    except ValueError:
        return 0
deadline = time.time() + 15
while usage_bytes("full@example.se") < 2000 and time.time() < deadline:
    time.sleep(0.1)
code, msg, subj = send("smtp", None, "tester@client.invalid", "full@example.se", size=1500)
report("quota: the next one is deferred at RCPT 452 4.2.2",
       code == 452 and "4.2.2" in msg, "%s %s" % (code, msg))
code, msg, subj = send("smtp", None, "tester@client.invalid", "fulls@example.se", size=1500)
report("quota: also through an alias", code == 452 and "4.2.2" in msg, "%s %s" % (code, msg))
code, msg, subj = send("smtp", None, "tester@client.invalid", "full@example.se", size=100)
report("quota: a small one still fits", code == 250, "%s %s" % (code, msg))
PYEOF
cat "$T/cases"
while read -r word rest; do
    PK_CHECKS=$((PK_CHECKS + 1))
    [ "$word" = ok ] || PK_FAILS=$((PK_FAILS + 1))
done <"$T/cases"
same "the client script ran every case" "$(grep -c '^ok\|^FAIL' "$T/cases")" 19
check "no lookup errors in the Postfix log" sh -c "! grep -q 'lookup error\|table lookup problem' '$T/maillog'"
finish
