#!/bin/sh
# t-postfix-bad-input.sh - hostile and broken clients straight on the
# sockets of postkontor-postfix: it answers or closes that one
# connection, and keeps serving everybody else.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/postfix-policy/testlib.sh"
need ss "$PKPF_BIN" "$PYTHON"

mkdir -p "$T/db"
chmod 700 "$T/db"
pk init >/dev/null
pk domain add example.se >/dev/null
echo "correct horse battery staple" | pk account add alice@example.se --password-stdin >/dev/null
pk alias add info@example.se alice@example.se >/dev/null

pkpf_start --max-connections 300

# Each case prints "ok NAME" or "FAIL NAME: why"; the shell tallies them.
"$PYTHON" - "$T/run/postfix.sock" "$T/run/policy.sock" >"$T/cases" 2>&1 <<'PYEOF'
import socket, sys, time
MAP, POL = sys.argv[1], sys.argv[2]

def conn(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(10)
    return s

def report(name, ok, why=""):
    print(("ok   " + name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()

def netstring(b):
    return b"%d:%s," % (len(b), b)

def recv_netstring(s):
    buf = b""
    while b":" not in buf:
        c = s.recv(1)
        if not c:
            return None
        buf += c
    n = int(buf[:-1])
    data = b""
    while len(data) < n + 1:
        c = s.recv(n + 1 - len(data))
        if not c:
            return None
        data += c
    return data[:-1]

def ask(s, req):
    s.sendall(netstring(req))
    return recv_netstring(s)

def closed(s):
    """the server closed the connection (reads EOF or reset)"""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False

def policy(s, attrs):
    s.sendall(("request=smtpd_access_policy\n" + "".join("%s=%s\n" % kv for kv in attrs) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n\n"):
        c = s.recv(4096)
        if not c:
            return None
        buf += c
    return buf.decode()

keep = conn(MAP)
good = lambda: ask(keep, b"alias info@example.se") == b"OK alice@example.se"
report("a kept connection answers", good())

s = conn(MAP); s.sendall(b"abc,"); report("non-digit length: closed", closed(s))
s = conn(MAP); s.sendall(b"5:alias;"); report("missing comma: closed", closed(s))
s = conn(MAP); s.sendall(b"99999999999999999999999:x"); report("overflowing length: closed", closed(s))
s = conn(MAP); s.sendall(b"10001:"); report("length over 10000: closed", closed(s))
s = conn(MAP)
try:
    big = b"10485760:" + b"a" * (10 * 1024 * 1024) + b","
    s.sendall(big)
    report("10 MB request: closed", closed(s))
except (BrokenPipeError, ConnectionResetError):
    report("10 MB request: closed", True)
s = conn(MAP)
r = ask(s, b"hello")
report("request without a key: PERM, connection kept", r is not None and r.startswith(b"PERM ") and
       ask(s, b"mailbox alice@example.se") == b"OK example.se/alice/", repr(r))
r = ask(s, b"alias " + b"x" * 2000 + b"@example.se")
report("overlong key: PERM", r is not None and r.startswith(b"PERM"), repr(r))
r = ask(s, b"alias a\x00b@example.se")
report("NUL in key: PERM", r is not None and r.startswith(b"PERM"), repr(r))
r = ask(s, b"alias \xff\xfe@example.se")
report("bytes that are no UTF-8: NOTFOUND", r == b"NOTFOUND ", repr(r))
s = conn(MAP); s.sendall(b"24:alias info@exa"); s.close()
report("disconnect mid-request: others still served", good())

# Pipelined: many requests in one write, answers in order.
s = conn(MAP)
s.sendall(b"".join(netstring(b"mailbox alice@example.se") for _ in range(2000)))
ok = all(recv_netstring(s) == b"OK example.se/alice/" for _ in range(2000))
report("2000 pipelined requests answered in order", ok)

# A client that never reads its answers stops being read; others go on.
lazy = conn(MAP)
lazy.setblocking(False)
try:
    for _ in range(20000):
        lazy.send(netstring(b"alias info@example.se"))
except BlockingIOError:
    pass
report("a client that does not read does not block others", good())
lazy.close()

# Many connections at once.
many = [conn(MAP) for _ in range(200)]
ok = all(ask(c, b"domain example.se") == b"OK example.se" for c in many)
for c in many:
    c.close()
report("200 connections at once", ok)

# Policy protocol.
p = conn(POL)
r = policy(p, [("protocol_state", "RCPT"), ("recipient", "nobody@example.se"),
               ("some_future_attribute", "whatever"), ("x", "a=b=c")])
report("policy: unknown attributes are skipped", r is not None and r.startswith("action=550 5.1.1"), repr(r))
r = policy(p, [("protocol_state", "RCPT"), ("recipient", "info@example.se")])
report("policy: same connection, next request", r == "action=DUNNO\n\n", repr(r))
q = conn(POL); q.sendall(b"request=smtpd_access_policy\nthis line has no equals sign\n\n")
report("policy: a line without '=': closed", closed(q))
q = conn(POL); q.sendall(b"request=something_else\n\n")
report("policy: not a policy request: closed", closed(q))
q = conn(POL)
try:
    q.sendall(b"request=smtpd_access_policy\n" + b"a=" + b"b" * 200000 + b"\n")
    report("policy: a request without an end: closed", closed(q))
except (BrokenPipeError, ConnectionResetError):
    report("policy: a request without an end: closed", True)
q = conn(POL); q.sendall(b"request=smtpd_access_policy\nprotocol_state=RC"); q.close()
r = policy(p, [("protocol_state", "RCPT"), ("recipient", "alice@example.se")])
report("policy: disconnect mid-request, others still served", r == "action=DUNNO\n\n", repr(r))
r = policy(p, [("protocol_state", "RCPT"), ("recipient", "x\r@example.se")])
report("policy: control characters never reach the answer",
       r is not None and "\r" not in r and r.count("\n") == 2, repr(r))
report("the first connection still answers", good())
PYEOF
cat "$T/cases"
while read -r word rest; do
    case $word in
    ok) PK_CHECKS=$((PK_CHECKS + 1)) ;;
    FAIL) PK_CHECKS=$((PK_CHECKS + 1)); PK_FAILS=$((PK_FAILS + 1)) ;;
    *) PK_CHECKS=$((PK_CHECKS + 1)); PK_FAILS=$((PK_FAILS + 1)) ;;
    esac
done <"$T/cases"
same "the client script ran every case" "$(grep -c '^ok\|^FAIL' "$T/cases")" 22
check "the daemon is still running" kill -0 "$PKPF_PID"
check "oversized input was logged" grep -q "oversized\|longer than" "$T/pkpf.log"
pkpf_stop
same "SIGTERM exits 0 after all that" "$PKPF_RC" 0
finish
