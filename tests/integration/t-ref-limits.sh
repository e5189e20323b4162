#!/bin/sh
# t-ref-limits - overlong lines, huge literals, deep nesting, NULs
#
# Each is answered with an error or a disconnect, memory stays bounded,
# and the server keeps serving other clients afterwards.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start --loopback-plaintext --max-size 100000

long=$(head -c 20000 /dev/zero | tr '\0' 'A')
rawtalk "$SMTP_PORT" "EHLO $long\\r\\n" 'NOOP\r\n' >"$T/s"
check "SMTP: an overlong command line is refused" grep -q '^500 5.5.2 Error: line too long' "$T/s"
check "SMTP: and the connection is closed" sh -c "! grep -q '^250 2.0.0' '$T/s'"
rawtalk "$POP3_PORT" "USER $long\\r\\n" >"$T/p"
check "POP3: an overlong command line is refused" grep -q '^-ERR Line too long' "$T/p"
rawtalk "$IMAP_PORT" "a NOOP $long\\r\\n" >"$T/i"
check "IMAP: an overlong command line is refused" grep -q '^\* BYE Line too long' "$T/i"

rawtalk "$SMTP_PORT" 'EHLO x\r\nMAIL FROM:<a@outside.invalid> SIZE=200000\r\n' >"$T/size"
check "SMTP: SIZE over the limit is refused at MAIL" grep -q '^552 5.3.4' "$T/size"
big=$(head -c 120000 /dev/zero | tr '\0' 'x' | fold -w 100 | sed 's/$/\\r\\n/' | tr -d '\n')
rawtalk "$SMTP_PORT" 'EHLO x\r\nMAIL FROM:<a@outside.invalid>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n' \
    "Subject: big\\r\\n\\r\\n$big.\\r\\n" >"$T/bigdata"
check "SMTP: data over the limit is refused at the end" grep -q '^552 5.3.4' "$T/bigdata"
same "SMTP: and not delivered" "$(maildir_count alice@example.test)" 0

login="a LOGIN alice@example.test \"$ALICE_PW\"\\r\\n"
rawtalk "$IMAP_PORT" "$login" 'b APPEND INBOX {200000}\r\n' 'c NOOP\r\n' >"$T/lit"
check "IMAP: a synchronizing literal over the limit gets NO [TOOBIG]" \
    grep -q '^b NO \[TOOBIG\]' "$T/lit"
check "IMAP: and the session goes on" grep -q '^c OK' "$T/lit"
rawtalk "$IMAP_PORT" "$login" 'b APPEND INBOX {200000+}\r\nxxxx' >"$T/lit2"
check "IMAP: a non-synchronizing literal over the limit closes" \
    grep -q '^\* BYE \[TOOBIG\]' "$T/lit2"
rawtalk "$IMAP_PORT" "$login" 'b APPEND INBOX {99999999999999999999999999}\r\n' >"$T/lit3"
check "IMAP: an absurd literal size closes" grep -q '^\* BYE \[TOOBIG\]' "$T/lit3"
deep=$(printf '%0100d' 0 | tr 0 '(')
rawtalk "$IMAP_PORT" "$login" "b SEARCH ${deep}ALL\\r\\n" 'c NOOP\r\n' >"$T/deep"
check "IMAP: parentheses nested too deeply are a BAD" \
    grep -q '^b BAD Error in IMAP command: lists nested too deeply' "$T/deep"
check "IMAP: and the session goes on after it" grep -q '^c OK' "$T/deep"
rawtalk "$IMAP_PORT" "$login" 'b SELECT "IN\x00BOX"\r\n' >"$T/nul"
check "IMAP: a NUL in a quoted string closes" grep -q '^\* BYE Bare CR, LF or NUL' "$T/nul"
rawtalk "$IMAP_PORT" "$login" 'b SELECT {5}\r\n' 'IN\x00BX\r\n' >"$T/nul2"
check "IMAP: a NUL in a literal mailbox name is refused" grep -q '^b NO' "$T/nul2"
rawtalk "$IMAP_PORT" "$login" 'b SELECT "INBOX\r\n' >"$T/q"
check "IMAP: an unterminated quoted string is a BAD" grep -q '^b BAD' "$T/q"

check "the server still serves a normal session" \
    curl -sS -k "imaps://127.0.0.1:$IMAPS_PORT/INBOX" --user "alice@example.test:$ALICE_PW"
check "the server is alive" kill -0 "$REF_PID"
finish
