#!/bin/sh
# t-ref-plaintext-login - no password is accepted before TLS
#
# Without --loopback-plaintext: submission offers no AUTH before
# STARTTLS and answers AUTH with 538; POP3 refuses USER/PASS and AUTH
# and does not list them in CAPA; IMAP announces LOGINDISABLED and
# refuses LOGIN and AUTHENTICATE. The inbound SMTP role never offers
# AUTH. After TLS the same logins work. With --loopback-plaintext a
# loopback client may log in without TLS.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start
auth=$(printf '\0alice@example.test\0%s' "$ALICE_PW" | base64 -w0)

rawtalk "$SUB_PORT" 'EHLO x\r\n' "AUTH PLAIN $auth\\r\\n" 'MAIL FROM:<alice@example.test>\r\n' >"$T/s"
check "submission offers no AUTH before TLS" sh -c "! grep -q AUTH '$T/s'"
check "submission refuses AUTH before TLS with 538" grep -q '^538 5.7.11' "$T/s"
check "submission refuses MAIL without AUTH" grep -q '^530 5.7.0' "$T/s"
rawtalk --starttls-after 1 "$SMTP_PORT" 'EHLO x\r\nSTARTTLS\r\n' 'EHLO x\r\n' "AUTH PLAIN $auth\\r\\n" >"$T/s25"
check "the inbound role offers no AUTH even with TLS" sh -c "! grep -q '^250-AUTH' '$T/s25'"
check "the inbound role refuses AUTH" grep -q '^503 5.5.1 AUTH not available' "$T/s25"

rawtalk "$POP3_PORT" 'CAPA\r\n' 'USER alice@example.test\r\n' "PASS $ALICE_PW\\r\\n" \
    "AUTH PLAIN $auth\\r\\n" >"$T/p"
check "POP3 CAPA lists no USER or SASL before TLS" sh -c "! grep -Eq '^(USER|SASL)' '$T/p'"
check "POP3 refuses USER before TLS" grep -q '^-ERR \[AUTH\] Plaintext authentication disallowed' "$T/p"
check "POP3 never logs in before TLS" sh -c "! grep -q 'Logged in' '$T/p'"

rawtalk "$IMAP_PORT" "a LOGIN alice@example.test \"$ALICE_PW\"\\r\\n" \
    "b AUTHENTICATE PLAIN $auth\\r\\n" >"$T/i"
check "IMAP announces LOGINDISABLED before TLS" grep -q 'LOGINDISABLED' "$T/i"
check "IMAP refuses LOGIN before TLS" grep -q '^a NO \[PRIVACYREQUIRED\]' "$T/i"
check "IMAP refuses AUTHENTICATE before TLS" grep -q '^b NO \[PRIVACYREQUIRED\]' "$T/i"

rawtalk --starttls-after 1 "$IMAP_PORT" 'a STARTTLS\r\n' 'b CAPABILITY\r\n' \
    "c LOGIN alice@example.test \"$ALICE_PW\"\\r\\n" >"$T/it"
sed -n '/^\[TLS\]/,$p' "$T/it" >"$T/it.after"
check "IMAP after STARTTLS offers AUTH=PLAIN, not LOGINDISABLED" \
    sh -c "grep '^\* CAPABILITY' '$T/it.after' | grep -q AUTH=PLAIN && ! grep -q LOGINDISABLED '$T/it.after'"
check "IMAP LOGIN works after STARTTLS" grep -q '^c OK' "$T/it"
rawtalk --starttls-after 1 "$POP3_PORT" 'STLS\r\n' 'USER alice@example.test\r\n' \
    "PASS $ALICE_PW\\r\\n" >"$T/pt"
check "POP3 login works after STLS" grep -q '^+OK Logged in' "$T/pt"

ref_stop
ref_start --loopback-plaintext
rawtalk "$IMAP_PORT" "a LOGIN alice@example.test \"$ALICE_PW\"\\r\\n" >"$T/il"
check "with --loopback-plaintext IMAP LOGIN works from loopback" grep -q '^a OK' "$T/il"
rawtalk "$SUB_PORT" 'EHLO x\r\n' "AUTH PLAIN $auth\\r\\n" >"$T/sl"
check "with --loopback-plaintext submission AUTH works from loopback" grep -q '^235 ' "$T/sl"
finish
