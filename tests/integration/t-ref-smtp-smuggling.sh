#!/bin/sh
# t-ref-smtp-smuggling - only CRLF.CRLF ends message data
#
# For each end-of-data variant an attacker could use (bare LF, bare CR,
# "\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r"), a message that hides a
# second SMTP transaction behind it is sent, followed by a real
# CRLF.CRLF. The server must answer the DATA once, refuse the message
# (bare CR or LF in data), never run the smuggled commands, and deliver
# nothing. A bare CR or LF inside a command line is refused too.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start

smuggled='MAIL FROM:<evil@outside.invalid>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n'
# label bytes: each end-of-data variant, named without backslashes
for pair in 'LF.LF:\n.\n' 'LF.CRLF:\n.\r\n' 'CRLF.LF:\r\n.\n' 'CR.CR:\r.\r' \
    'CR.CRLF:\r.\r\n' 'LF..LF:\n..\n' 'CRLF.CR:\r\n.\r'; do
    label=${pair%%:*}
    variant=${pair#*:}
    rawtalk "$SMTP_PORT" 'EHLO x\r\nMAIL FROM:<a@outside.invalid>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n' \
        "Subject: carrier\\r\\n\\r\\nbody$variant$smuggled" 'QUIT\r\n' >"$T/r"
    check "end of data by $label: the message is refused for bare CR/LF" \
        grep -q '^550 5.6.0' "$T/r"
    check "end of data by $label: the smuggled MAIL is never answered" \
        sh -c "[ \$(grep -c '^250 2.1.0' '$T/r') -eq 1 ]"
    check "end of data by $label: the smuggled DATA is never answered" \
        sh -c "[ \$(grep -c '^354' '$T/r') -eq 1 ]"
done
same "nothing was delivered to alice" "$(maildir_count alice@example.test)" 0
same "nothing was delivered to bob" "$(maildir_count bob@example.test)" 0

rawtalk "$SMTP_PORT" 'EHLO x\r\nMAIL FROM:<a@outside.invalid>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n' \
    'Subject: fine\r\n\r\nline\r\n.\r\nQUIT\r\n' >"$T/ok"
check "a clean message is still accepted" grep -q '^250 2.0.0' "$T/ok"
same "and delivered" "$(maildir_count alice@example.test)" 1

rawtalk "$SMTP_PORT" 'EHLO x\r\nNOOP\nRSET\r\n' >"$T/lf"
check "a bare LF in a command is refused" grep -q '^500 5.5.2 .*bare' "$T/lf"
check "and the command after it is not run" sh -c "! grep -q '^250 2.0.0' '$T/lf'"
rawtalk "$SMTP_PORT" 'EHLO x\r\nNOOP\rRSET\r\n' >"$T/cr"
check "a bare CR in a command is refused" grep -q '^500 5.5.2 .*bare' "$T/cr"
finish
