#!/bin/sh
# t-ref-smtp-policy - the core's SMTP decisions in the reference server
#
# The same decisions the Postfix daemon and the milter make: envelope
# send-as (itself, an alias that delivers to it, an explicit grant; a
# stranger's address is refused), header From (one author, owned by the
# login), account states (suspended: no login; send-blocked: no
# sending; receive-blocked: no receiving), unknown and outside
# recipients (never relayed), and the per-account rate limit.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
need swaks
ref_setup
printf '%s\n' 'dora pw 123456' | pk account add dora@example.test --password-stdin >/dev/null
printf '%s\n' 'erik pw 123456' | pk account add erik@example.test --password-stdin >/dev/null
pk account send-block dora@example.test >/dev/null
pk account receive-block erik@example.test >/dev/null
pk sendas grant alice@example.test boss@example.org >/dev/null
ref_start

# sub FROM TO [HEADER-FROM] [USER PASSWORD]: submit one message over SMTPS;
# swaks's transcript goes to $T/swaks
sub() {
    swaks --server 127.0.0.1 --port "$SMTPS_PORT" --tlsc --auth PLAIN \
        --auth-user "${4:-alice@example.test}" --auth-password "${5:-$ALICE_PW}" \
        --from "$1" --to "$2" --header "From: ${3:-$1}" --header 'Subject: policy' \
        --body 'policy test' </dev/null >"$T/swaks" 2>&1
}
check "alice may send as herself" sub alice@example.test bob@example.test
check "alice may send as an alias that delivers to her" sub team@example.test bob@example.test
check "alice may send as an address she was granted" sub boss@example.org bob@example.test
sub bob@example.test alice@example.test
check "alice may not send as bob (envelope)" grep -q '<~\* 553 5.7.1 Sender address not owned' "$T/swaks"
sub alice@example.test bob@example.test bob@example.test
check "alice may not send as bob (header From)" grep -q '<~\* 550 5.7.1 Header From <bob@example.test> not owned' "$T/swaks"
sub alice@example.test bob@example.test 'alice@example.test, bob@example.test'
check "two header From addresses are refused" grep -q '<~\* 550 5.7.1 Header From refused' "$T/swaks"
sub dora@example.test bob@example.test dora@example.test dora@example.test 'dora pw 123456'
check "a send-blocked account may log in but not send" \
    grep -q '<~\* 553 5.7.1 .*may not send (send-blocked)' "$T/swaks"
check "and logged in first" grep -q '<~  235 ' "$T/swaks"
sub alice@example.test erik@example.test
check "a receive-blocked recipient is refused" grep -q '<~\* 550 5.2.1' "$T/swaks"
sub alice@example.test nobody@example.test
check "an unknown recipient is refused" grep -q '<~\* 550 5.1.1' "$T/swaks"
sub alice@example.test someone@outside.invalid
check "an outside recipient is never relayed" grep -q '<~\* 554 5.7.1' "$T/swaks"
check "and the refusal is logged" grep -q 'never relayed' "$T/server.log"
n_before=$(maildir_count alice@example.test)
sub alice@example.test mixed@example.test
check "an alias with an outside destination delivers the local part" \
    grep -q '<~  250 2.0.0 Ok: delivered to 1 mailbox' "$T/swaks"
same "to alice only" "$(maildir_count alice@example.test)" $((n_before + 1))
check "the outside destination is logged as not relayed" \
    grep -q 'outside destination someone@outside.invalid of mixed@example.test not relayed' "$T/server.log"

check "a rate limit is set for bob" pk ratelimit set bob@example.test --messages 2 --per 1h
sub bob@example.test alice@example.test bob@example.test bob@example.test "$BOB_PW"
r1=$?
sub bob@example.test alice@example.test bob@example.test bob@example.test "$BOB_PW"
r2=$?
same "bob's first two messages pass" "$r1 $r2" "0 0"
sub bob@example.test alice@example.test bob@example.test bob@example.test "$BOB_PW"
check "the third is deferred by the core's rate limit" grep -q '<~\* 450 4.7.1' "$T/swaks"
finish
