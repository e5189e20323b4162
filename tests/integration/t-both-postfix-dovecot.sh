#!/bin/sh
# t-both-postfix-dovecot.sh - the both-stacks scenario (both-stacks.py)
# against the real stack: Debian's Postfix and Dovecot with the postkontor
# auth module, postkontor-postfix (tables and policy) and postkontor-milter,
# started by scripts/stack.sh on loopback ports of this test's own and
# stopped at the end. The scenario makes its accounts, aliases and states
# with postkontor in the stack's live database and expects exactly the
# outcomes t-both-refserver.sh expects from the reference server.

. "$top_srcdir/tests/integration/lib.sh"
need swaks ss dovecot postfix /usr/bin/python3
. "$top_srcdir/tests/integration/stacklib.sh"
# Port bases 500 above t-stack.sh's, so the two never pick the same ports.
stack_pick_base 61500 63500

check "scripts/stack.sh starts the stack" run_stack start
[ -f "$S/tls/cert.pem" ] || { sed 's/^/     | /' "$T/err" "$T/out"; finish; exit 1; }
/usr/bin/python3 "$top_srcdir/tests/integration/both-stacks.py" --pk "$PK_BIN" \
    --db "$S/db" --ca "$S/tls/cert.pem" --smtp $((base + 25)) \
    --submission $((base + 587)) --smtps $((base + 465)) --pop3 $((base + 110)) \
    --pop3s $((base + 995)) --imap $((base + 143)) --imaps $((base + 993)) \
    >"$T/cases" 2>&1
rc=$?
cat "$T/cases"
same "every case of the scenario passed" "$rc:$(grep -c '^ok   ' "$T/cases")" "0:32"
check "the spoofing attempt is logged by Postfix" \
    grep -q 'reject: RCPT .*ann@both.test may not send as ben@both.test' "$S/log/postfix.log"
check "the header From is refused by the milter" \
    grep -q 'milter-reject: END-OF-MESSAGE .*From header: ann@both.test may not send as ben@both.test' "$S/log/postfix.log"
check "the stack stops" run_stack stop
finish
