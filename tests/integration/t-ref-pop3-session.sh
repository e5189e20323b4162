#!/bin/sh
# t-ref-pop3-session - POP3 commands (RFC 1939, 2449) and deletion at QUIT
#
# CAPA, STAT, LIST, UIDL, RETR (byte-stuffed), TOP, DELE, RSET, NOOP;
# a message marked deleted is gone only after QUIT: a connection that
# drops without QUIT deletes nothing. A Maildir file with LF line ends
# (as another program writes them) is served and counted with CRLF.
# A maildrop in a POP3 transaction is locked: a second session gets
# -ERR [IN-USE] (RFC 2449, 3206) and stays unauthenticated; the lock
# goes with QUIT or a dropped connection, and other accounts are free.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
need swaks
ref_setup
ref_start
for n in 1 2 3; do
    swaks --server 127.0.0.1 --port "$SMTP_PORT" --from x@outside.invalid \
        --to bob@example.test --header "Subject: number $n" \
        --body "line one of $n
.starts with a dot
line three" </dev/null >/dev/null || fail "swaks delivery $n"
done
d=$MAILROOT/example.test/bob/Maildir
printf 'Subject: lf file\n\nbody\n' >"$d/new/1000000000.M000001P1.other,S=26"

ref_py - "$POP3S_PORT" "$BOB_PW" >"$T/py" 2>&1 <<'EOP'
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
caps = p.capa()
assert "UIDL" in caps and "TOP" in caps and "STLS" not in caps, caps
p.user("bob@example.test"); p.pass_(sys.argv[2])
count, size = p.stat()
assert count == 4, count
resp, listing, _ = p.list()
sizes = [int(l.split()[1]) for l in listing]
assert sum(sizes) == size, (sizes, size)
resp, lines, octets = p.retr(1)
assert lines[0] == b"Subject: lf file" and octets == sizes[0], (lines, octets, sizes)
resp, lines, octets = p.retr(2)
assert b".starts with a dot" in lines, lines
resp, lines, _ = p.top(3, 1)
assert lines[-1] == b"line one of 2" and b"line three" not in lines, lines
resp, uidl, _ = p.uidl()
assert len(set(u.split()[1] for u in uidl)) == 4, uidl
p.dele(1); p.dele(2)
try:
    p.retr(1); raise SystemExit("RETR of a deleted message worked")
except poplib.error_proto:
    pass
assert p.stat()[0] == 2
p.rset()
assert p.stat()[0] == 4
p.dele(4)
p.noop()
p.sock.close()
EOP
check "poplib: CAPA, STAT, LIST, RETR, TOP, UIDL, DELE, RSET" sh -c "[ ! -s '$T/py' ]"
[ -s "$T/py" ] && sed 's/^/     | /' "$T/py"
same "a dropped connection deletes nothing" "$(maildir_count bob@example.test)" 4

rawtalk --tls "$POP3S_PORT" 'USER bob@example.test\r\n' "PASS $BOB_PW\\r\\n" \
    'DELE 1\r\nDELE 1\r\nDELE 9\r\nRETR x\r\nTOP 2 -1\r\nQUIT\r\n' >"$T/raw"
check "DELE of a deleted message is refused" grep -q '^-ERR Message is deleted' "$T/raw"
check "a message number out of range is refused" grep -q "^-ERR There's no message 9" "$T/raw"
check "a bad message number is refused" grep -q "^-ERR There's no message x" "$T/raw"
check "a bad TOP line count is refused" grep -q '^-ERR Invalid line count' "$T/raw"
check "QUIT answers +OK" grep -q '^+OK Logging out' "$T/raw"
same "QUIT applied the deletion" "$(maildir_count bob@example.test)" 3
check "the LF file is the one deleted (oldest first)" sh -c "[ ! -e '$d/new/1000000000.M000001P1.other,S=26' ]"
rawtalk --tls "$POP3S_PORT" 'STAT\r\nBOGUS\r\n' 'QUIT\r\n' >"$T/pre"
check "STAT before login is refused" grep -q '^-ERR Unknown command' "$T/pre"

ref_py - "$POP3S_PORT" "$POP3_PORT" "$BOB_PW" "$ALICE_PW" >"$T/lock" 2>&1 <<'EOP'
import poplib, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
port, plain, bob, alice = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def session(user, pw, tls=False):
    if tls:
        p = poplib.POP3("127.0.0.1", plain, timeout=10); p.stls(context=ctx)
    else:
        p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=10)
    p.user(user)
    return p, p.pass_(pw)
def refused(user, pw):
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=10)
    p.user(user)
    try:
        p.pass_(pw)
    except poplib.error_proto as e:
        print("second:", e.args[0].decode())
        # still in AUTHORIZATION: the session may try again
        assert "USER" in p.capa()
        try:
            p.stat(); raise SystemExit("STAT worked without a maildrop")
        except poplib.error_proto:
            pass
        p.quit()
        return
    raise SystemExit("a second session got the locked maildrop")
first, r = session("bob@example.test", bob)
assert r.startswith(b"+OK"), r
refused("bob@example.test", bob)
# another account is not locked
other, r = session("alice@example.test", alice)
assert r.startswith(b"+OK"), r
other.quit()
first.dele(1)
first.quit()
again, r = session("bob@example.test", bob, tls=True)
assert r.startswith(b"+OK"), r
print("after quit: %d messages" % again.stat()[0])
again.file.close(); again.sock.close()    # dropped, no QUIT
time.sleep(0.3)
third, r = session("bob@example.test", bob)
assert r.startswith(b"+OK"), r
third.quit()
print("done")
EOP
check "POP3 lock: a second session gets -ERR [IN-USE]" grep -q '^second: -ERR \[IN-USE\]' "$T/lock"
check "POP3 lock: released at QUIT (STLS session logs in)" grep -q '^after quit: 2 messages' "$T/lock"
check "POP3 lock: released when a connection drops" grep -qx done "$T/lock"
[ "$(tail -n1 "$T/lock")" = done ] || sed 's/^/     | /' "$T/lock"
check "POP3 lock: the refusal is logged" grep -q 'pop3 maildrop of bob@example.test in use' "$T/server.log"
finish
