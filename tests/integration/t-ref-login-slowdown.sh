#!/bin/sh
# t-ref-login-slowdown - failed logins are slowed per source address,
# and the real user is never locked out
#
# From 127.0.0.2 an attacker fails several times: each answer comes
# later, up to 4 s. Meanwhile the real user logs in at once from
# 127.0.0.3, and even from 127.0.0.2 the right password still works
# (slowly), on IMAP as on SMTP and POP3.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start

# timed_login SRC PASSWORD: print "seconds result" of one IMAP login
timed_login() {
    ref_py - "$IMAPS_PORT" "$1" "$2" <<'EOP'
import imaplib, socket, ssl, sys, time
port, src, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
sock = socket.create_connection(("127.0.0.1", port), timeout=20, source_address=(src, 0))
class Conn(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        return ctx.wrap_socket(sock)
m = Conn("127.0.0.1", port, ssl_context=ctx, timeout=20)
t0 = time.time()
try:
    m.login("alice@example.test", pw)
    result = "ok"
except imaplib.IMAP4.error:
    result = "fail"
print("%.2f %s" % (time.time() - t0, result))
EOP
}

# slower_than LIMIT LINE: the time in LINE is at least LIMIT seconds
slower_than() { ref_py -c 'import sys; sys.exit(0 if float(sys.argv[2].split()[0]) >= float(sys.argv[1]) else 1)' "$1" "$2"; }
faster_than() { ref_py -c 'import sys; sys.exit(0 if float(sys.argv[2].split()[0]) < float(sys.argv[1]) else 1)' "$1" "$2"; }

r1=$(timed_login 127.0.0.2 wrong1)
r2=$(timed_login 127.0.0.2 wrong2)
r3=$(timed_login 127.0.0.2 wrong3)
r4=$(timed_login 127.0.0.2 wrong4)
same "four wrong passwords fail" "${r1#* } ${r2#* } ${r3#* } ${r4#* }" "fail fail fail fail"
check "the first failure takes at least 0.5 s" slower_than 0.5 "$r1"
check "the fourth failure from the same address takes at least 3.5 s" slower_than 3.5 "$r4"
r5=$(timed_login 127.0.0.3 "$ALICE_PW")
same "the real user logs in from another address" "${r5#* }" ok
check "and is not slowed down there" faster_than 2.5 "$r5"
r6=$(timed_login 127.0.0.2 "$ALICE_PW")
same "the right password still works from the failing address" "${r6#* }" ok

auth=$(printf '\0alice@example.test\0%s' "$ALICE_PW" | base64 -w0)
rawtalk --tls --source 127.0.0.4 "$SMTPS_PORT" 'EHLO x\r\n' "AUTH PLAIN $auth\\r\\n" >"$T/s"
check "SMTP logins from a clean address are not slowed or refused" grep -q '^235 ' "$T/s"
rawtalk --tls --source 127.0.0.2 --wait 5 "$POP3S_PORT" 'USER alice@example.test\r\n' 'PASS nope\r\n' >"$T/p"
check "POP3 failures from the failing address are slowed too" grep -q '^-ERR \[AUTH\]' "$T/p"
check "the failed logins are logged without passwords" \
    sh -c "grep -q '127.0.0.2: imap login failed' '$T/server.log' && ! grep -q wrong1 '$T/server.log'"
finish
