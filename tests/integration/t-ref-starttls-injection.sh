#!/bin/sh
# t-ref-starttls-injection - plaintext pipelined after STARTTLS is discarded
#
# For SMTP, POP3 and IMAP a client sends STARTTLS (STLS) and, in the same
# packet, a command an attacker injected in plaintext. The server must
# discard it: after the handshake only the commands sent inside TLS are
# answered. Also: the SMTP session is reset by STARTTLS (EHLO again,
# RFC 3207 4.2), and STARTTLS after a login is refused on all three.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start --loopback-plaintext

# after_tls FILE: the replies after the handshake
after_tls() { sed -n '/^\[TLS\]/,$p' "$1" | tail -n +2; }

rawtalk --starttls-after 1 "$SUB_PORT" 'EHLO x\r\nSTARTTLS\r\nVRFY injected\r\n' \
    'QUIT\r\n' >"$T/smtp"
after_tls "$T/smtp" >"$T/smtp.after"
check "SMTP: the handshake happened" grep -q '^220 2.0.0 Ready' "$T/smtp"
check "SMTP: QUIT inside TLS is answered" grep -q '^221 ' "$T/smtp.after"
check "SMTP: the injected VRFY is never answered" sh -c "! grep -q '^252' '$T/smtp'"

rawtalk --starttls-after 1 "$SUB_PORT" 'EHLO x\r\nSTARTTLS\r\n' \
    'MAIL FROM:<alice@example.test>\r\n' >"$T/smtp2"
check "SMTP: STARTTLS resets the session (MAIL needs EHLO again)" \
    grep -q '^503 5.5.1' "$T/smtp2"

rawtalk --starttls-after 1 "$POP3_PORT" 'STLS\r\nCAPA\r\n' 'QUIT\r\n' >"$T/pop3"
check "POP3: QUIT inside TLS is answered" grep -q '^+OK Logging out' "$T/pop3"
check "POP3: the injected CAPA is never answered" sh -c "! grep -q '^TOP' '$T/pop3'"

rawtalk --starttls-after 1 "$IMAP_PORT" 'a1 STARTTLS\r\na2 CAPABILITY\r\n' \
    'a3 LOGOUT\r\n' >"$T/imap"
check "IMAP: LOGOUT inside TLS is answered" grep -q '^a3 OK' "$T/imap"
check "IMAP: the injected CAPABILITY is never answered" \
    sh -c "! grep -q '^a2 ' '$T/imap'"

# No STARTTLS after login (the loopback exception allows a plaintext login).
auth=$(printf '\0alice@example.test\0%s' "$ALICE_PW" | base64 -w0)
rawtalk "$SUB_PORT" 'EHLO x\r\n' "AUTH PLAIN $auth\\r\\n" 'STARTTLS\r\n' >"$T/smtp3"
check "SMTP: the plaintext loopback login worked" grep -q '^235 ' "$T/smtp3"
check "SMTP: STARTTLS after AUTH is refused" grep -q '^503 5.5.1 STARTTLS not allowed' "$T/smtp3"
rawtalk "$POP3_PORT" 'USER alice@example.test\r\n' "PASS $ALICE_PW\\r\\n" 'STLS\r\n' >"$T/pop3b"
check "POP3: STLS after login is refused" grep -q '^-ERR Unknown command' "$T/pop3b"
rawtalk "$IMAP_PORT" "a LOGIN alice@example.test \"$ALICE_PW\"\\r\\n" 'b STARTTLS\r\n' >"$T/imapb"
check "IMAP: STARTTLS after login is refused" grep -q '^b BAD' "$T/imapb"
rawtalk --starttls-after 1 "$IMAP_PORT" 'a STARTTLS\r\n' 'b STARTTLS\r\n' >"$T/imapc"
check "IMAP: STARTTLS inside TLS is refused" grep -q '^b BAD' "$T/imapc"
finish
