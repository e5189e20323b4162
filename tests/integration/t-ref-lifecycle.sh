#!/bin/sh
# t-ref-lifecycle - many clients at once, idle timeouts, clean shutdown
#
# 40 clients hold IMAP, POP3 and SMTP sessions open at the same time and
# all are served; an idle client is dropped after --idle-timeout; a slow
# client that sends one byte at a time still gets its answer; a missing
# certificate or a port in use stops the start with a message; SIGTERM
# with sessions open ends the server with status 0 and removes its pid
# file.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start --idle-timeout 3 --pid-file "$T/ref.pid"
check "the pid file names the server" sh -c "[ \"\$(cat '$T/ref.pid')\" = $REF_PID ]"

ref_py - "$IMAPS_PORT" "$POP3S_PORT" "$SMTP_PORT" "$ALICE_PW" >"$T/many" 2>&1 <<'EOP'
import socket, ssl, sys, threading
imaps, pop3s, smtp, pw = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
socks, errors = [], []
def readline(f):
    line = f.readline()
    if not line:
        raise RuntimeError("connection closed")
    return line
def one(i):
    try:
        kind = i % 3
        port = (imaps, pop3s, smtp)[kind]
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        if kind < 2:
            s = ctx.wrap_socket(s)
        f = s.makefile("rb")
        greeting = readline(f)
        assert greeting[:1] in (b"*", b"+", b"2"), greeting
        socks.append((s, f, kind))
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors
assert len(socks) == 40
for s, f, kind in socks:
    s.sendall((b"a NOOP\r\n", b"CAPA\r\n", b"NOOP\r\n")[kind])
    line = readline(f)
    assert line.startswith((b"a OK", b"+OK", b"250")), line
print("ok")
EOP
check "40 sessions at once are all served" grep -qx ok "$T/many"
[ "$(cat "$T/many")" = ok ] || sed 's/^/     | /' "$T/many"

ref_py - "$IMAP_PORT" >"$T/slow" 2>&1 <<'EOP'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb"); f.readline()
for b in b"a CAPABILITY\r\n":
    s.sendall(bytes([b])); time.sleep(0.02)
f.readline(); print(f.readline().decode().strip())
EOP
check "a client sending one byte at a time is served" grep -q '^a OK' "$T/slow"

ref_py - "$SMTP_PORT" >"$T/idle" 2>&1 <<'EOP'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
s.recv(1000)
t0 = time.time()
data = s.recv(1000)
print("closed" if data == b"" else "data", round(time.time() - t0))
EOP
check "an idle client is dropped after the idle timeout" grep -Eq '^closed [3-6]$' "$T/idle"
check "the idle timeout is logged" grep -q 'idle timeout' "$T/server.log"

ref_py - "$IMAPS_PORT" "$ALICE_PW" <<'EOP' >/dev/null 2>&1 &
import imaplib, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=10)
m.login("alice@example.test", sys.argv[2]); m.select("INBOX")
time.sleep(10)
EOP
holder=$!
sleep 1.5
kill -TERM "$REF_PID"
i=0
while kill -0 "$REF_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGTERM with a session open stops the server within 5 s" sh -c "! kill -0 $REF_PID 2>/dev/null"
wait "$REF_PID"
same "the exit status is 0" "$?" 0
REF_PID=
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check "the pid file is removed" sh -c "[ ! -e '$T/ref.pid' ]"
check "the shutdown is logged" grep -q 'stopped' "$T/server.log"

expect_fail "a missing certificate stops the start" 'cert.*missing' \
    "$REFSERVER" --db "$T/db" --maildir "$MAILROOT" --cert "$T/missing" --key "$KEY" \
    --imap 1 --foreground
busy=$(free_port 30000)
ref_py -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(5)' "$busy" &
blocker=$!
sleep 0.5
expect_fail "a port in use stops the start" "listen on 127.0.0.1 port $busy" \
    "$REFSERVER" --db "$T/db" --maildir "$MAILROOT" --cert "$CERT" --key "$KEY" \
    --imap "$busy" --foreground
kill "$blocker" 2>/dev/null
wait "$blocker" 2>/dev/null
finish
