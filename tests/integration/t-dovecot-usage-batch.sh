#!/bin/sh
# t-dovecot-usage-batch.sh - usage commits gathered per process
#
# The mail plugin gathers usage updates and commits them together (one
# LMDB write transaction per interval, per 64 addresses, and at process
# end). Mail to many recipients in one LMTP session, more than one
# commit's worth, must all be recorded; mail delivered just before
# Dovecot stops must be recorded by the last commit; the LMTP process,
# which is root between deliveries, must write as the mail user (the
# usage files stay owned by the mail uid), and Dovecot logs no error,
# warning or leak from it. When two LMTP processes deliver to one mailbox,
# the count taken last is what stays recorded, whichever commits last.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need /usr/bin/python3

cat >"$T/deliver.py" <<'EOF'
import smtplib, sys

sock, count = sys.argv[1], int(sys.argv[2])
rcpts = sys.argv[3:]
c = smtplib.LMTP(sock, timeout=20)
for i in range(count):
    rcpt = rcpts[i % len(rcpts)]
    c.sendmail("s@example.org", [rcpt],
               "From: s@example.org\r\nTo: %s\r\nSubject: %d\r\n\r\nbody\r\n" % (rcpt, i))
c.quit()
EOF
deliver() { /usr/bin/python3 "$T/deliver.py" "$@"; }

# Two LMTP sessions open at once (two LMTP processes): A, B, A deliver
# to one recipient, so B holds an older count than A's last one, and
# B's commit comes last.
cat >"$T/two.py" <<'EOF'
import smtplib, sys

sock, rcpt = sys.argv[1], sys.argv[2]
a = smtplib.LMTP(sock, timeout=20)
b = smtplib.LMTP(sock, timeout=20)
for c in (a, b, a):
    c.sendmail("s@example.org", [rcpt], "Subject: two\r\n\r\nbody\r\n")
a.quit()
b.quit()
EOF

# messages ADDRESS: the recorded message count, or "none"
messages() {
    pk --json account show "$1" | /usr/bin/python3 -c 'import json, sys
print(json.load(sys.stdin).get("usage_messages", "none"))'
}

# all_recorded N ADDRESS...: every ADDRESS has N messages recorded, within 5 s
all_recorded() {
    n=$1; shift
    i=0
    while [ $i -lt 50 ]; do
        ok=1
        for a in "$@"; do [ "$(messages "$a")" = "$n" ] || { ok=0; break; }; done
        [ $ok = 1 ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    for a in "$@"; do echo "$a: $(messages "$a")"; done | grep -v ": $n\$" | head -5
    return 1
}

dc_setup
check "init" pk init
check "domain" pk domain add example.se
names=""
i=1
while [ $i -le 80 ]; do
    printf 'pw %d\n' $i | pk account add "u$i@example.se" --password-stdin >/dev/null ||
        fail "account u$i"
    names="$names u$i@example.se"
    i=$((i + 1))
done
dc_db_perms || fail "database permissions"
ln -s "$T/usage" "$T/db/usage"
dc_start

echo "# 160 deliveries to 80 recipients in one LMTP session"
check "delivered" deliver "$DC_RUN/lmtp" 160 $names
# shellcheck disable=SC2086
check "two messages recorded for each of the 80" all_recorded 2 $names

echo "# two processes, the older count committed last"
check "delivered in two sessions" /usr/bin/python3 "$T/two.py" "$DC_RUN/lmtp" u2@example.se
sleep 1.5
check "the later count stays" all_recorded 5 u2@example.se

echo "# a delivery just before Dovecot stops"
check "delivered" deliver "$DC_RUN/lmtp" 1 u1@example.se
dc_stop
check "recorded by the last commit" all_recorded 3 u1@example.se

echo "# who wrote"
same "data.mdb owned by the mail uid" "$(stat -c %u "$T/usage/data.mdb")" "$DC_UID"
same "lock.mdb owned by the mail uid" "$(stat -c %u "$T/usage/lock.mdb")" "$DC_UID"
dc_log | grep -iE 'postkontor|leak|panic|fatal|error' >"$T/bad.log"
same "no errors, warnings or leaks in Dovecot's log" "$(cat "$T/bad.log")" ""

finish
