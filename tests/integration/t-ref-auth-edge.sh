#!/bin/sh
# t-ref-auth-edge - AUTH PLAIN and LOGIN edge cases on SMTP, IMAP, POP3
#
# Missing or extra NULs, an authorization identity other than the
# login, bad base64, a huge blob, "*" to abort, an unknown mechanism,
# unknown user and wrong password (one answer), a suspended account,
# and the good cases. Each failing attempt comes from its own loopback
# address so that the failed-login slowdown stays short.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
printf '%s\n' 'carol pw 123' | pk account add carol@example.test --password-stdin >/dev/null
pk account suspend carol@example.test >/dev/null
ref_start

src=10
# try PORT CHUNK...: talk over TLS from a fresh source address
try() {
    port=$1; shift
    src=$((src + 1))
    rawtalk --tls --wait 1.2 --source "127.0.0.$src" "$port" "$@"
}
b64() { printf "$1" | base64 -w0; }

ok_plain=$(b64 "\\0alice@example.test\\0$ALICE_PW")
same_authz=$(b64 "alice@example.test\\0alice@example.test\\0$ALICE_PW")
other_authz=$(b64 "bob@example.test\\0alice@example.test\\0$ALICE_PW")
no_nul=$(b64 "alice@example.test$ALICE_PW")
one_nul=$(b64 "alice@example.test\\0$ALICE_PW")
extra_nul=$(b64 "\\0alice@example.test\\0$ALICE_PW\\0x")
wrong=$(b64 "\\0alice@example.test\\0not the password")
unknown=$(b64 "\\0nobody@example.test\\0$ALICE_PW")
suspended=$(b64 "\\0carol@example.test\\0carol pw 123")
huge=$(head -c 3000 /dev/zero | tr '\0' 'Q')
u=$(b64 alice@example.test)
p=$(b64 "$ALICE_PW")

smtp() { try "$SMTPS_PORT" 'EHLO x\r\n' "$@"; }
smtp "AUTH PLAIN $ok_plain\\r\\n" >"$T/o"
check "SMTP PLAIN with an initial response logs in" grep -q '^235 2.7.0' "$T/o"
smtp 'AUTH PLAIN\r\n' "$same_authz\\r\\n" >"$T/o"
check "SMTP PLAIN after 334, authzid = authcid, logs in" grep -q '^235 2.7.0' "$T/o"
smtp 'AUTH LOGIN\r\n' "$u\\r\\n" "$p\\r\\n" >"$T/o"
check "SMTP LOGIN logs in" grep -q '^235 2.7.0' "$T/o"
smtp "AUTH LOGIN $u\\r\\n" "$p\\r\\n" >"$T/o"
check "SMTP LOGIN with an initial user name logs in" grep -q '^235 2.7.0' "$T/o"
smtp "AUTH PLAIN $ok_plain\\r\\n" "AUTH PLAIN $ok_plain\\r\\n" >"$T/o"
check "SMTP AUTH twice is refused" grep -q '^503 5.5.1 Already authenticated' "$T/o"
smtp "AUTH PLAIN $other_authz\\r\\n" >"$T/o"
check "SMTP PLAIN acting as someone else is refused" grep -q '^535 5.7.8 Authorization identity' "$T/o"
for case in no_nul one_nul extra_nul; do
    eval "blob=\$$case"
    smtp "AUTH PLAIN $blob\\r\\n" >"$T/o"
    check "SMTP PLAIN with $case is malformed" grep -q '^501 5.5.2 Malformed PLAIN' "$T/o"
done
for bad in '!!!!' 'YWJj=' 'YQ==YQ==' 'Y Q=='; do
    smtp "AUTH PLAIN $bad\\r\\n" >"$T/o"
    check "SMTP PLAIN with bad base64 '$bad' is refused" grep -q '^501 5.5.2 Cannot decode' "$T/o"
done
smtp "AUTH PLAIN $huge\\r\\n" >"$T/o"
check "SMTP PLAIN with a huge blob is refused" grep -Eq '^50[01] 5.5.2' "$T/o"
smtp 'AUTH PLAIN\r\n' '*\r\n' >"$T/o"
check "SMTP PLAIN aborted with * " grep -q '^501 5.7.0 Authentication aborted' "$T/o"
smtp 'AUTH LOGIN\r\n' "$u\\r\\n" '*\r\n' >"$T/o"
check "SMTP LOGIN aborted with * at the password" grep -q '^501 5.7.0 Authentication aborted' "$T/o"
smtp 'AUTH CRAM-MD5\r\n' >"$T/o"
check "SMTP with an unknown mechanism" grep -q '^504 5.5.4' "$T/o"
smtp "AUTH PLAIN $wrong\\r\\n" >"$T/w"
smtp "AUTH PLAIN $unknown\\r\\n" >"$T/n"
check "SMTP wrong password is 535" grep -q '^535 5.7.8 Authentication credentials invalid' "$T/w"
check "SMTP unknown user gets the same answer" \
    sh -c "grep '^535' '$T/w' | cmp -s - '$T/n' || [ \"\$(grep '^535' '$T/w')\" = \"\$(grep '^535' '$T/n')\" ]"
smtp "AUTH PLAIN $suspended\\r\\n" >"$T/o"
check "SMTP suspended account is refused" grep -q '^535 5.7.8' "$T/o"

try "$IMAPS_PORT" "a AUTHENTICATE PLAIN $ok_plain\\r\\n" >"$T/o"
check "IMAP AUTHENTICATE PLAIN with SASL-IR logs in" grep -q '^a OK' "$T/o"
try "$IMAPS_PORT" 'a AUTHENTICATE PLAIN\r\n' "$ok_plain\\r\\n" >"$T/o"
check "IMAP AUTHENTICATE PLAIN after + logs in" grep -q '^a OK' "$T/o"
try "$IMAPS_PORT" 'a AUTHENTICATE PLAIN\r\n' '*\r\n' >"$T/o"
check "IMAP AUTHENTICATE aborted with *" grep -q '^a BAD Authentication aborted' "$T/o"
try "$IMAPS_PORT" "a AUTHENTICATE PLAIN $other_authz\\r\\n" >"$T/o"
check "IMAP acting as someone else is refused" grep -q '^a NO \[AUTHORIZATIONFAILED\]' "$T/o"
try "$IMAPS_PORT" "a AUTHENTICATE PLAIN $extra_nul\\r\\n" >"$T/o"
check "IMAP PLAIN with an extra NUL is malformed" grep -q '^a BAD Malformed' "$T/o"
try "$IMAPS_PORT" 'a AUTHENTICATE PLAIN !!!!\r\n' >"$T/o"
check "IMAP PLAIN with bad base64" grep -q '^a BAD Invalid base64' "$T/o"
try "$IMAPS_PORT" "a LOGIN carol@example.test \"carol pw 123\"\\r\\n" >"$T/o"
check "IMAP suspended account is refused" grep -q '^a NO \[AUTHENTICATIONFAILED\]' "$T/o"

try "$POP3S_PORT" "AUTH PLAIN $ok_plain\\r\\n" >"$T/o"
check "POP3 AUTH PLAIN with an initial response logs in" grep -q '^+OK Logged in' "$T/o"
try "$POP3S_PORT" 'AUTH PLAIN\r\n' "$ok_plain\\r\\n" >"$T/o"
check "POP3 AUTH PLAIN after + logs in" grep -q '^+OK Logged in' "$T/o"
try "$POP3S_PORT" 'AUTH PLAIN\r\n' '*\r\n' >"$T/o"
check "POP3 AUTH aborted with *" grep -q '^-ERR Authentication aborted' "$T/o"
try "$POP3S_PORT" "AUTH PLAIN $one_nul\\r\\n" >"$T/o"
check "POP3 PLAIN with one NUL is malformed" grep -q '^-ERR Malformed' "$T/o"
try "$POP3S_PORT" "AUTH PLAIN $other_authz\\r\\n" >"$T/o"
check "POP3 acting as someone else is refused" grep -q '^-ERR \[AUTH\] Authorization' "$T/o"
try "$POP3S_PORT" 'USER alice@example.test\r\n' 'PASS wrong\r\n' >"$T/o"
check "POP3 wrong password" grep -q '^-ERR \[AUTH\] Authentication failed' "$T/o"
finish
