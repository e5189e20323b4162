#!/bin/sh
# t-both-refserver.sh - the both-stacks scenario (both-stacks.py) against
# postkontor-refserver: accounts, aliases (several accounts, nested,
# catch-all, alias domain, subaddress) and states made with postkontor;
# submission with AUTH on the 587 and 465 roles, delivery, reading over
# POP3 (STLS, implicit TLS) and IMAP (STARTTLS, implicit TLS); unknown
# recipients, spoofed senders and a suspended account refused; no login
# before TLS. The test t-both-postfix-dovecot runs the same scenario against
# Postfix and Dovecot and expects the same outcomes.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start
ref_py "$top_srcdir/tests/integration/both-stacks.py" --pk "$PK_BIN" --db "$T/db" \
    --ca "$CERT" --smtp "$SMTP_PORT" --submission "$SUB_PORT" --smtps "$SMTPS_PORT" \
    --pop3 "$POP3_PORT" --pop3s "$POP3S_PORT" --imap "$IMAP_PORT" \
    --imaps "$IMAPS_PORT" >"$T/cases" 2>&1
rc=$?
cat "$T/cases"
same "every case of the scenario passed" "$rc:$(grep -c '^ok   ' "$T/cases")" "0:32"
check "the spoofing attempt is logged" \
    grep -q 'ann@both.test may not send as ben@both.test' "$T/server.log"
check "the outside recipient is logged as never relayed" \
    grep -q 'refused outside recipient someone@elsewhere.invalid' "$T/server.log"
finish
