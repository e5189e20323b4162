#!/bin/sh
# t-dovecot-bad-database.sh - a broken database is a temporary failure
#
# The auth module must never turn a database problem into "unknown user"
# or "wrong password", and Dovecot's auth process must survive it. Three
# faults, each while Dovecot runs, each repaired afterwards without a
# reload (a replaced or vanished file is noticed within a second): an account record that does not decode (written with mdb_load),
# the database directory gone, and the data file replaced by garbage.
# doveadm sees a temporary failure (exit 75 from "doveadm user", an
# internal failure from "auth test"), IMAP clients see [UNAVAILABLE], not
# [AUTHENTICATIONFAILED], and other accounts are not affected by a bad
# record.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need mdb_load mdb_dump /usr/bin/python3

pw() { p=$1; shift; printf '%s\n' "$p" | pk "$@"; }

cat >"$T/imap.py" <<'EOF'
import imaplib, ssl, sys

port, user, password, ca = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=ca)
c = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx, timeout=20)
try:
    print(c.login(user, password)[0])
    c.logout()
except imaplib.IMAP4.error as e:
    print("refused:", e)
    sys.exit(1)
EOF

# imap_says NAME PATTERN USER PASSWORD: the IMAP answer matches PATTERN
imap_says() {
    /usr/bin/python3 "$T/imap.py" "$DC_IMAPS" "$3" "$4" "$T/tls/cert.pem" >"$T/out" 2>&1
    if grep -Eq -- "$2" "$T/out"; then pass "$1"; else
        fail "$1"; sed 's/^/     | /' "$T/out"; fi
}

# user_exit ADDRESS: doveadm user's exit code (0 found, 67 unknown, 75 temporary)
user_exit() { dc_doveadm user "$1" >/dev/null 2>&1; echo $?; }

# auth_internal NAME PASSWORD: doveadm auth test reports an internal failure
auth_internal() {
    dc_auth_test "$1" "$2" >"$T/auth.out" 2>&1
    rc=$?
    cat "$T/auth.out"
    [ $rc != 0 ] && grep -Eqi "code=temp_fail|internal" "$T/auth.out"
}

auth_ok() { dc_auth_test "$1" "$2"; }

# eventually NAME CMD...: CMD succeeds within 5 s. The module looks at the
# data file's identity at most once a second, so a replaced or vanished
# file is noticed within that time (until then the old file answers).
eventually() {
    name=$1; shift
    i=0
    until "$@" >"$T/out" 2>&1; do
        i=$((i + 1))
        if [ $i -ge 25 ]; then fail "$name"; sed 's/^/     | /' "$T/out"; return; fi
        sleep 0.2
    done
    pass "$name"
}

# alive: the auth process is the one we started with
alive() { [ "$(dc_auth_pid)" = "$auth_pid" ]; }

dc_setup
check "init" pk init
check "domain" pk domain add example.se
check "alice" pw 'alice pw 1' account add alice@example.se --password-stdin
check "bob" pw 'bob pw 1' account add bob@example.se --password-stdin
dc_db_perms || fail "database permissions"
dc_start
auth_pid=$(dc_auth_pid)
check "alice logs in" auth_ok alice@example.se 'alice pw 1'

echo "# an account record that does not decode"
key=$(printf 'example.se\000alice' | od -An -tx1 | tr -d ' \n')
cat >"$T/bad.dump" <<EOF
VERSION=3
format=bytevalue
database=addresses
type=btree
HEADER=END
 $key
 0201ff
DATA=END
EOF
check "keep a dump of the good records" mdb_dump -s addresses -f "$T/good.dump" "$T/db"
check "write a damaged record for alice" mdb_load -s addresses -f "$T/bad.dump" "$T/db"
check "auth test: an internal failure, not a wrong password" auth_internal alice@example.se 'alice pw 1'
same "doveadm user: a temporary failure, not an unknown user" "$(user_exit alice@example.se)" 75
imap_says "IMAP: unavailable, not an authentication failure" 'UNAVAILABLE' alice@example.se 'alice pw 1'
check "bob is not affected" auth_ok bob@example.se 'bob pw 1'
same "an unknown user is still unknown" "$(user_exit nobody@example.se)" 67
dc_doveadm user '*' >"$T/iter" 2>&1
same "user iteration fails rather than skip the bad record" "$?" 75
check "the auth process survived" alive
check "the good record is loaded back" mdb_load -s addresses -f "$T/good.dump" "$T/db"
check "alice logs in again, without reload" auth_ok alice@example.se 'alice pw 1'
check "new password for alice" pw 'alice pw 2' account passwd alice@example.se --password-stdin

echo "# the database directory gone"
check "move the database away" mv "$T/db" "$T/db.away"
eventually "auth test: an internal failure" auth_internal alice@example.se 'alice pw 2'
same "doveadm user: a temporary failure" "$(user_exit alice@example.se)" 75
imap_says "IMAP: unavailable" 'UNAVAILABLE' alice@example.se 'alice pw 2'
check "the auth process survived" alive
check "move it back" mv "$T/db.away" "$T/db"
eventually "alice logs in again" auth_ok alice@example.se 'alice pw 2'

echo "# the data file replaced by garbage"
check "keep the good file" cp -p "$T/db/data.mdb" "$T/good.mdb"
head -c 65536 /dev/urandom >"$T/garbage"
chgrp dovecot "$T/garbage"; chmod 640 "$T/garbage"
check "replace data.mdb" mv "$T/garbage" "$T/db/data.mdb"
eventually "auth test: an internal failure" auth_internal alice@example.se 'alice pw 2'
same "doveadm user: a temporary failure" "$(user_exit bob@example.se)" 75
check "the auth process survived" alive
check "restore the good file" mv "$T/good.mdb" "$T/db/data.mdb"
eventually "alice logs in again" auth_ok alice@example.se 'alice pw 2'
same "bob is a user again" "$(user_exit bob@example.se)" 0

if dc_log | grep -Eq 'Fatal|Panic|killed with signal'; then
    fail "no crash in the log"; dc_log | grep -E 'Fatal|Panic|signal' | head -5
else pass "no crash in the log"; fi
finish
