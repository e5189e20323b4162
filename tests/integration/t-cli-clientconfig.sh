#!/bin/sh
# t-cli-clientconfig.sh - postkontor domain set and clientconfig, each
# output checked against its format with a real parser: both XML formats
# parse (python3 xml.etree) with the expected elements, the profile
# parses with plistlib (unsigned, and signed: openssl cms verifies it
# and its content is the unsigned profile), the SRV lines are valid RFC
# 6186/8314 records, the text reads in English and Swedish. Settings are
# validated, logged and reset; errors are one line on stderr.

. "$top_srcdir/tests/integration/lib.sh"
need openssl
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "FAIL: /usr/bin/python3 is required" >&2; exit 1; }

mkdir -m 700 "$T/db"
pk init >/dev/null
pk domain add exämple.se >/dev/null
pk domain alias example.nu exämple.se >/dev/null
printf 'pw 1\n' | pk account add alice@exämple.se --password-stdin >/dev/null

check "domain set stores several settings" pk domain set exämple.se \
    imap-host=imap.exämple.se smtp-host=smtp.xn--exmple-cua.se \
    "name=Exämple & Co" pop3-port=0
check "the change is logged" sh -c "'$PK_BIN' --db '$T/db' log | grep -q 'clientconfig.set.*imap-host.*imap.xn--exmple-cua.se'"
expect_fail "an unknown setting is refused" "unknown client setting" \
    pk domain set exämple.se imap-hostname=x.se
expect_fail "a bad port is refused" "not a port number" pk domain set exämple.se imap-port=70000
expect_fail "a pair without '=' is refused" "not NAME=VALUE" pk domain set exämple.se imap-host
expect_fail "an alias domain's settings are its target's" "alias domain" \
    pk domain set example.nu imap-host=x.se
expect_fail "nothing of a refused set is stored" "unknown client setting" \
    pk domain set exämple.se submission-port=2587 bogus=1
same "the refused set changed nothing" \
    "$(pk clientconfig alice@exämple.se --format srv | grep '^_submission\.')" \
    "_submission._tcp.xn--exmple-cua.se. 3600 IN SRV 10 1 587 smtp.xn--exmple-cua.se."

# thunderbird
pk clientconfig Alice@EXÄMPLE.se --format thunderbird >"$T/tb.xml" 2>"$T/err"
tb() {
    "$PY" - "$T/tb.xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "clientConfig" and root.get("version") == "1.1", root.tag
p = root.find("emailProvider")
assert p.get("id") == "xn--exmple-cua.se"
assert p.findtext("displayName") == "Exämple & Co"
ins = [(s.get("type"), s.findtext("hostname"), s.findtext("port"), s.findtext("socketType"),
        s.findtext("username")) for s in p.findall("incomingServer")]
assert ins == [("imap", "imap.xn--exmple-cua.se", "993", "SSL", "alice@xn--exmple-cua.se"),
               ("imap", "imap.xn--exmple-cua.se", "143", "STARTTLS", "alice@xn--exmple-cua.se"),
               ("pop3", "mail.xn--exmple-cua.se", "995", "SSL", "alice@xn--exmple-cua.se")], ins
outs = [(s.findtext("port"), s.findtext("socketType")) for s in p.findall("outgoingServer")]
assert outs == [("465", "SSL"), ("587", "STARTTLS")], outs
PYEOF
}
check "thunderbird: XML parses, implicit TLS first, full address" tb

pk clientconfig alice@exämple.se --format autodiscover >"$T/ad.xml"
ad() {
    "$PY" - "$T/ad.xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
ns = {"a": "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006",
      "o": "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{%s}Autodiscover" % ns["a"], root.tag
acct = root.find("o:Response/o:Account", ns)
assert acct.findtext("o:AccountType", namespaces=ns) == "email"
got = [(p.findtext("o:Type", namespaces=ns), p.findtext("o:Server", namespaces=ns),
        p.findtext("o:Port", namespaces=ns), p.findtext("o:SSL", namespaces=ns),
        p.findtext("o:LoginName", namespaces=ns)) for p in acct.findall("o:Protocol", ns)]
assert got == [("IMAP", "imap.xn--exmple-cua.se", "993", "on", "alice@xn--exmple-cua.se"),
               ("POP3", "mail.xn--exmple-cua.se", "995", "on", "alice@xn--exmple-cua.se"),
               ("SMTP", "smtp.xn--exmple-cua.se", "465", "on", "alice@xn--exmple-cua.se")], got
PYEOF
}
check "autodiscover: XML parses, one protocol each over implicit TLS" ad

pk clientconfig alice@exämple.se --format mobileconfig >"$T/p.mobileconfig"
plist() {
    "$PY" - "$1" <<'PYEOF'
import plistlib, sys, uuid
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f)
assert p["PayloadType"] == "Configuration" and p["PayloadVersion"] == 1
uuid.UUID(p["PayloadUUID"])
m = p["PayloadContent"][0]
assert m["PayloadType"] == "com.apple.mail.managed"
uuid.UUID(m["PayloadUUID"])
assert m["EmailAccountType"] == "EmailTypeIMAP"
assert m["EmailAddress"] == "alice@xn--exmple-cua.se"
assert (m["IncomingMailServerHostName"], m["IncomingMailServerPortNumber"]) == ("imap.xn--exmple-cua.se", 993)
assert (m["OutgoingMailServerHostName"], m["OutgoingMailServerPortNumber"]) == ("smtp.xn--exmple-cua.se", 465)
assert m["IncomingMailServerUseSSL"] is True and m["OutgoingMailServerUseSSL"] is True
assert m["IncomingMailServerUsername"] == m["OutgoingMailServerUsername"] == "alice@xn--exmple-cua.se"
PYEOF
}
check "mobileconfig: plistlib parses the profile" plist "$T/p.mobileconfig"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=profile-signer \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
    { echo "FAIL: openssl could not make a certificate"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other \
    -keyout "$T/key2.pem" -out "$T/cert2.pem" >/dev/null 2>&1
check "mobileconfig signed with a certificate" pk clientconfig alice@exämple.se \
    --format mobileconfig --sign-cert "$T/cert.pem" --sign-key "$T/key.pem"
cp "$T/out" "$T/signed.mobileconfig"
check "the signature verifies (openssl cms)" openssl cms -verify -inform DER \
    -in "$T/signed.mobileconfig" -CAfile "$T/cert.pem" -out "$T/inner.plist"
check "the signed content is the profile" cmp "$T/inner.plist" "$T/p.mobileconfig"
check "the signed content parses" plist "$T/inner.plist"
expect_fail "a key of another certificate is refused" "does not belong" \
    pk clientconfig alice@exämple.se --format mobileconfig \
    --sign-cert "$T/cert.pem" --sign-key "$T/key2.pem"
expect_fail "a missing key file is refused" "cannot read" \
    pk clientconfig alice@exämple.se --format mobileconfig \
    --sign-cert "$T/cert.pem" --sign-key "$T/none.pem"
expect_fail "only profiles are signed" "only --format mobileconfig" \
    pk clientconfig alice@exämple.se --format text \
    --sign-cert "$T/cert.pem" --sign-key "$T/key.pem"

pk clientconfig alice@exämple.se --format srv >"$T/srv.txt"
srv() {
    "$PY" - "$T/srv.txt" <<'PYEOF'
import re, sys
label = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
fqdn = re.compile(r"^(%s\.)+$" % label)
want = {"_imaps": (0, 993, "imap.xn--exmple-cua.se."), "_imap": (10, 143, "imap.xn--exmple-cua.se."),
        "_pop3s": (20, 995, "mail.xn--exmple-cua.se."), "_pop3": (0, 0, "."),
        "_submissions": (0, 465, "smtp.xn--exmple-cua.se."),
        "_submission": (10, 587, "smtp.xn--exmple-cua.se.")}
seen = {}
for line in open(sys.argv[1]):
    if line.startswith(";") or not line.strip():
        continue
    name, ttl, cls, typ, prio, weight, port, target = line.split()
    svc, proto, rest = name.split(".", 2)
    assert proto == "_tcp" and rest == "xn--exmple-cua.se.", name
    assert fqdn.match(rest) and int(ttl) > 0 and cls == "IN" and typ == "SRV", line
    prio, weight, port = int(prio), int(weight), int(port)
    assert 0 <= prio <= 65535 and 0 <= weight <= 65535 and 0 <= port <= 65535, line
    assert target == "." and port == 0 or fqdn.match(target) and port > 0, line
    seen[svc] = (prio, port, target)
assert seen == want, seen
PYEOF
}
check "srv: every record valid, RFC 6186 names, POP3 not offered" srv

check "text in English" pk clientconfig alice@exämple.se --format text
cp "$T/out" "$T/en.txt"
check "English text: IMAP over SSL/TLS first, STARTTLS the other way" sh -c \
    "grep -A3 -x 'Incoming mail, IMAP (recommended)' '$T/en.txt' | grep -qx '  Port:            993' &&
     grep -qx '  Or:              port 143 with STARTTLS' '$T/en.txt'"
check "text in Swedish" pk clientconfig alice@exämple.se --format text --lang sv
cp "$T/out" "$T/sv.txt"
check "Swedish text: the words and the username" sh -c \
    "grep -qx 'Inkommande e-post, IMAP (rekommenderas)' '$T/sv.txt' &&
     grep -qx '  Användarnamn:    alice@xn--exmple-cua.se' '$T/sv.txt'"
check "JSON output carries the document" sh -c \
    "'$PK_BIN' --db '$T/db' --json clientconfig alice@exämple.se --format srv |
     '$PY' -c 'import json,sys; d=json.load(sys.stdin); assert d[\"document\"].count(\"IN SRV\") == 6'"

expect_fail "an address that is not an account" "not an account" \
    pk clientconfig bob@exämple.se --format text
expect_fail "a domain that is not ours" "not an account" \
    pk clientconfig alice@other.se --format text
expect_fail "an unknown format" "unknown format" \
    pk clientconfig alice@exämple.se --format vcard
expect_fail "a format is required" "--format" pk clientconfig alice@exämple.se
expect_fail "an unknown language" "--lang" \
    pk clientconfig alice@exämple.se --format text --lang de

check "an empty value restores the default" pk domain set exämple.se imap-host= pop3-port=
same "defaults again" \
    "$(pk clientconfig alice@exämple.se --format srv | grep -E '^_(imaps|pop3)\.')" \
    "_imaps._tcp.xn--exmple-cua.se. 3600 IN SRV 0 1 993 mail.xn--exmple-cua.se.
_pop3._tcp.xn--exmple-cua.se. 3600 IN SRV 30 1 110 mail.xn--exmple-cua.se."
finish
