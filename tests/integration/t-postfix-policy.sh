#!/bin/sh
# t-postfix-policy.sh - the policy service spoken to as Postfix's smtpd
# speaks to it (persistent connection, one request per RCPT and one at
# END-OF-MESSAGE): sender ownership for logins, account states, the
# recipient cap, and rate limits set with "postkontor ratelimit", whose
# counters survive a restart of the daemon.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/postfix-policy/testlib.sh"
need ss "$PKPF_BIN" "$PYTHON"

mkdir -p "$T/db"
chmod 700 "$T/db"
pk init >/dev/null
pk domain add example.se >/dev/null
pk domain add example.org >/dev/null
for a in alice bob sue sam; do
    echo "correct horse battery staple" | pk account add "$a@example.se" --password-stdin >/dev/null
done
echo "correct horse battery staple" | pk account add "olga@example.org" --password-stdin >/dev/null
echo "correct horse battery staple" | pk account add "otto@example.org" --password-stdin >/dev/null
pk alias add info@example.se alice@example.se >/dev/null
pk sendas grant bob@example.se billing@example.se >/dev/null
pk account suspend sue@example.se >/dev/null
pk account send-block sam@example.se >/dev/null
check "ratelimit set for one account" pk ratelimit set alice@example.se --messages 2 --per 1h
check "ratelimit set for a domain" pk ratelimit set example.org --recipients 3 --per 1d
check "ratelimit default for accounts" pk ratelimit set accounts --messages 1000 --recipients 5000 --per 1h

pkpf_start --max-recipients 4

cat >"$T/client.py" <<'PYEOF'
import socket, sys
POL = sys.argv[1]
phase = sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.connect(POL)
s.settimeout(10)
f = s.makefile("rb")

def ask(**attrs):
    attrs.setdefault("protocol_state", "RCPT")
    attrs.setdefault("protocol_name", "ESMTP")
    attrs.setdefault("client_address", "127.0.0.1")
    req = "request=smtpd_access_policy\n" + "".join("%s=%s\n" % kv for kv in attrs.items()) + "\n"
    s.sendall(req.encode())
    line = f.readline().decode()
    assert f.readline() == b"\n"
    return line.strip()

def report(name, ok, got):
    print(("ok   " + name) if ok else ("FAIL %s: %s" % (name, got)))

n = [0]
def message(login, rcpts, sender=None, ctx="submission"):
    """one message like smtpd sends it; the first answer that is not DUNNO"""
    n[0] += 1
    inst = "%s.%d" % (phase, n[0])
    for r in rcpts:
        a = ask(instance=inst, sasl_username=login, sender=sender or login,
                recipient=r, policy_context=ctx)
        if a != "action=DUNNO":
            return a
    return ask(protocol_state="END-OF-MESSAGE", instance=inst, sasl_username=login,
               sender=sender or login, recipient_count=str(len(rcpts)), policy_context=ctx)

if phase == "one":
    a = ask(sasl_username="alice@example.se", sender="alice@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p1")
    report("own address: allowed", a == "action=DUNNO", a)
    a = ask(sasl_username="alice@example.se", sender="info@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p2")
    report("own alias: allowed", a == "action=DUNNO", a)
    a = ask(sasl_username="alice@example.se", sender="bob@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p3")
    report("another account's address: refused 553 5.7.1", a.startswith("action=553 5.7.1 ") and "may not send as bob@example.se" in a, a)
    a = ask(sasl_username="bob@example.se", sender="billing@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p4")
    report("granted address: allowed", a == "action=DUNNO", a)
    a = ask(sasl_username="sue@example.se", sender="sue@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p5")
    report("suspended login: refused", a.startswith("action=554 5.7.1 ") and "suspended" in a, a)
    a = ask(sasl_username="sam@example.se", sender="sam@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p6")
    report("send-blocked login: refused", a.startswith("action=554 5.7.1 ") and "send-blocked" in a, a)
    a = ask(sender="alice@example.se", recipient="x@elsewhere.invalid", policy_context="submission", instance="p7")
    report("submission without a login: refused 530", a.startswith("action=530 5.7.0 "), a)
    a = message("bob@example.se", ["r%d@elsewhere.invalid" % i for i in range(5)])
    report("recipient cap: the fifth is refused 452 4.5.3", a.startswith("action=452 4.5.3 "), a)
    a = message("bob@example.se", ["r@elsewhere.invalid"])
    report("next message: cap counts again from zero", a == "action=DUNNO", a)
    for i in range(2):
        a = message("alice@example.se", ["y@elsewhere.invalid"])
        report("alice's message %d within her limit" % (i + 1), a == "action=DUNNO", a)
    a = message("alice@example.se", ["y@elsewhere.invalid"])
    report("alice's third message deferred 450 4.7.1 with the reason",
           a.startswith("action=450 4.7.1 rate limit: account alice@example.se may send 2 messages per 3600 s (2 sent)"), a)
    a = message("bob@example.se", ["y@elsewhere.invalid"])
    report("bob is not held back by alice's limit", a == "action=DUNNO", a)
    a = message("olga@example.org", ["a@elsewhere.invalid", "b@elsewhere.invalid"])
    report("domain limit: olga's two recipients", a == "action=DUNNO", a)
    a = message("otto@example.org", ["c@elsewhere.invalid", "d@elsewhere.invalid"])
    report("domain limit: otto's second recipient goes over the domain's 3",
           a.startswith("action=450 4.7.1 rate limit: domain example.org may send to 3 recipients"), a)
else:
    a = message("alice@example.se", ["y@elsewhere.invalid"])
    report("after a restart alice is still deferred",
           a.startswith("action=450 4.7.1 rate limit: account alice@example.se"), a)
    a = message("otto@example.org", ["c@elsewhere.invalid"])
    report("after a restart the domain count is kept (3 of 3)", a == "action=DUNNO", a)
    a = message("otto@example.org", ["c@elsewhere.invalid"])
    report("and the next recipient of the domain is deferred", a.startswith("action=450 4.7.1"), a)
PYEOF

tally() {
    cat "$1"
    while read -r word rest; do
        PK_CHECKS=$((PK_CHECKS + 1))
        [ "$word" = ok ] || PK_FAILS=$((PK_FAILS + 1))
    done <"$1"
}

"$PYTHON" "$T/client.py" "$T/run/policy.sock" one >"$T/one" 2>&1
tally "$T/one"
same "phase one ran every case" "$(grep -c '^ok\|^FAIL' "$T/one")" 15
check "refusals are logged with a reason" grep -q "may not send as bob@example.se" "$T/pkpf.log"

pkpf_stop
pkpf_start --max-recipients 4
"$PYTHON" "$T/client.py" "$T/run/policy.sock" two >"$T/two" 2>&1
tally "$T/two"
same "phase two ran every case" "$(grep -c '^ok\|^FAIL' "$T/two")" 3

# Removing the limit takes effect at the next request, without a reload.
pk ratelimit clear alice@example.se >/dev/null
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=alice@example.se\nsender=alice@example.se\nrecipient=z@elsewhere.invalid\ninstance=q\n\n' >"$T/req"
"$PYTHON" -c "
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(open(sys.argv[2],'rb').read())
print(s.recv(1000).decode().strip())" "$T/run/policy.sock" "$T/req" >"$T/cleared"
same "a cleared limit is gone at once" "$(cat "$T/cleared")" "action=DUNNO"

# Counts reach the disk about once a second: a daemon killed two seconds
# after a message still knows it after a restart (doc/postkontor-postfix.8,
# DURABILITY).
echo "correct horse battery staple" | pk account add "kim@example.se" --password-stdin >/dev/null
pk ratelimit set kim@example.se --messages 1 --per 1h >/dev/null
cat >"$T/kim.py" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
f = s.makefile("rb")
for state in sys.argv[3:]:
    s.sendall(("request=smtpd_access_policy\nprotocol_state=%s\n"
               "sasl_username=kim@example.se\nsender=kim@example.se\n"
               "recipient=z@elsewhere.invalid\ninstance=%s\n\n" % (state, sys.argv[2])).encode())
    print(f.readline().decode().strip())
    f.readline()
PYEOF
same "kim's first message is let through" \
    "$("$PYTHON" "$T/kim.py" "$T/run/policy.sock" k1 RCPT END-OF-MESSAGE | tr '\n' ' ')" \
    "action=DUNNO action=DUNNO "
sleep 2.5
kill -KILL "$PKPF_PID"
wait "$PKPF_PID" 2>/dev/null
PKPF_PID=
pkpf_start
case $("$PYTHON" "$T/kim.py" "$T/run/policy.sock" k2 RCPT) in
"action=450 4.7.1 rate limit: account kim@example.se may send 1 messages"*)
    pass "after SIGKILL, kim's counted message still counts" ;;
*) fail "after SIGKILL, kim's counted message still counts" ;;
esac
finish
