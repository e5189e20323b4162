#!/bin/sh
# t-postfix-smtp.sh - a private Postfix on a 127.0.0.1 high port, configured
# from doc/postfix-main.cf.example and doc/postfix-master.cf.example, asks
# postkontor-postfix for its tables and policy. Mail is accepted and
# delivered (over LMTP, into a sink) exactly where "postkontor resolve"
# says; unknown recipients, relaying, blocked and full mailboxes are
# refused at RCPT. Nothing can leave the machine: every outside transport
# is error:.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/postfix-policy/testlib.sh"
need postfix postconf ss script mdb_load "$PKPF_BIN" "$PYTHON"

mkdir -p "$T/db"
chmod 700 "$T/db"
pk init >/dev/null
pk domain add example.se >/dev/null
pk domain add exämple.se >/dev/null
pk domain alias example.nu example.se >/dev/null
for a in alice@example.se bob@example.se carol@example.se full@example.se \
    rob@example.se "dora@exämple.se"; do
    echo "correct horse battery staple" | pk account add "$a" --password-stdin >/dev/null
done
pk alias add info@example.se alice@example.se bob@example.se carol@elsewhere.invalid >/dev/null
pk alias add team@example.se info@example.se carol@example.se >/dev/null
pk alias add fulls@example.se full@example.se >/dev/null
pk alias add "@exämple.se" "dora@exämple.se" >/dev/null
pk account receive-block rob@example.se >/dev/null
pk account quota full@example.se 1000 >/dev/null

# Usage as the Dovecot mail plugin records it (usage.h): full@example.se
# holds 5000 bytes, over its quota of 1000.
mkdir -p "$T/db/usage"
chmod 770 "$T/db/usage"
"$PYTHON" - >"$T/usage.dump" <<'PYEOF'
import struct
key = b"example.se\0full"
val = bytes([5, 1]) + struct.pack("<QQQQ", 5000, 3, 0, 0)
print("VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END")
print(" " + key.hex())
print(" " + val.hex())
print("DATA=END")
PYEOF
mdb_load -f "$T/usage.dump" "$T/db/usage" || { echo "FAIL: mdb_load"; exit 1; }

port=$(free_port "$(test_port_base 25)")
pkpf_start
lmtp_sink_start
postfix_start "$port"

"$PYTHON" - "$port" "$PK_BIN" "$T/db" "$T/delivered" >"$T/cases" 2>&1 <<'PYEOF'
import json, smtplib, subprocess, sys, time
port, pk, db, delivered = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def report(name, ok, why=""):
    print(("ok   " + name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()

def resolve(addr):
    out = subprocess.run([pk, "--db", db, "--json", "resolve", addr],
                         capture_output=True, check=True).stdout
    r = json.loads(out)
    return sorted(d["address"] for d in r.get("destinations", []) if d.get("mailbox"))

def rcpt_code(rcpt, sender="tester@client.invalid"):
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.ehlo("client.invalid")
    utf8 = any(ord(c) > 127 for c in rcpt)
    if utf8:
        s.command_encoding = "utf-8"
    s.mail(sender, ["SMTPUTF8"] if utf8 else [])
    code, msg = s.rcpt(rcpt)
    s.quit()
    return code, msg.decode("utf-8", "replace")

sent = {}
def send(rcpt, n):
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.ehlo("client.invalid")
    utf8 = any(ord(c) > 127 for c in rcpt)
    if utf8:
        s.command_encoding = "utf-8"
    s.mail("tester@client.invalid", ["SMTPUTF8"] if utf8 else [])
    code, msg = s.rcpt(rcpt)
    if code != 250:
        s.quit()
        return code, msg
    mid = "<t%d.pk@client.invalid>" % n
    code, msg = s.data(("From: tester@client.invalid\r\nTo: x@example.se\r\n"
                        "Message-ID: %s\r\nSubject: test %d\r\n\r\nhello\r\n" % (mid, n)).encode())
    s.quit()
    sent[mid] = rcpt
    return code, msg

cases = ["alice@example.se", "info@example.se", "team@example.se", "info@example.nu",
         "alice+tag@example.se", "ALICE@EXAMPLE.SE", "whoever@exämple.se",
         "whoever@xn--exmple-cua.se", "Bob@Example.NU"]
for n, rcpt in enumerate(cases):
    code, msg = send(rcpt, n)
    report("accepted: " + rcpt, code == 250, "%s %s" % (code, msg))

# Wait (bounded) until every accepted message reached the sink.
got = {}
deadline = time.time() + 60
while time.time() < deadline:
    got = {}
    for line in open(delivered):
        r, mid = line.split()
        got.setdefault(mid, set()).add(r)
    if all(m in got for m in sent):
        break
    time.sleep(0.2)
for mid, rcpt in sent.items():
    want = resolve(rcpt)
    have = sorted(got.get(mid, []))
    report("delivered where postkontor resolve says: %s -> %s" % (rcpt, ",".join(want)),
           want and have == want, "got %s" % have)

code, msg = rcpt_code("nobody@example.se")
report("unknown recipient refused at RCPT", code == 550 and "5.1.1" in msg, "%s %s" % (code, msg))
code, msg = rcpt_code("nobody@example.nu")
report("unknown recipient in an alias domain refused", code == 550, "%s %s" % (code, msg))
code, msg = rcpt_code("someone@elsewhere.invalid")
report("relay refused", code == 554 and "Relay access denied" in msg, "%s %s" % (code, msg))
code, msg = rcpt_code("someone@elsewhere.invalid", "alice@example.se")
report("relay refused with a local sender too", code == 554, "%s %s" % (code, msg))
code, msg = rcpt_code("rob@example.se")
report("receive-blocked mailbox refused", code == 550 and "5.2.1" in msg, "%s %s" % (code, msg))
code, msg = rcpt_code("full@example.se")
report("full mailbox deferred 452 4.2.2", code == 452 and "4.2.2" in msg and "mailbox full" in msg,
       "%s %s" % (code, msg))
code, msg = rcpt_code("fulls@example.se")
report("full mailbox through an alias deferred 452 4.2.2", code == 452 and "4.2.2" in msg,
       "%s %s" % (code, msg))
PYEOF
cat "$T/cases"
while read -r word rest; do
    PK_CHECKS=$((PK_CHECKS + 1))
    [ "$word" = ok ] || PK_FAILS=$((PK_FAILS + 1))
done <"$T/cases"
same "the client script ran every case" "$(grep -c '^ok\|^FAIL' "$T/cases")" 25
check "the outside destination of an alias went to the error transport" \
    grep -q "to=<carol@elsewhere.invalid>.*status=bounced" "$T/maillog"
check "no lookup errors in the Postfix log" sh -c "! grep -q 'lookup error\|table lookup problem' '$T/maillog'"
finish
