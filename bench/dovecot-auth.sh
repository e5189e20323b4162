#!/bin/sh
# dovecot-auth.sh - Dovecot's auth process: postkontor against passwd-file
#
#   bench/dovecot-auth.sh --builddir DIR [--users N] [--requests N]
#                         [--rounds N] [--pin]
#
# The same N users (default 100,000, all with one {SSHA512} hash, a cheap
# scheme so that hashing does not hide the lookup) in a Dovecot passwd-file
# and, imported from that file, in a postkontor database. A private
# Dovecot (tests/integration/dovecot.sh, so the configuration is
# doc/dovecot-example.conf) is started with one and then the other, in
# alternating rounds; each round measures through the auth sockets:
# passdb (AUTH PLAIN) and userdb (USER) lookups per second, one request at
# a time and pipelined (64 outstanding), over random users. The best round
# of each counts. Then the auth process's resident memory after a lookup
# of every user (total, and the part that is not file-backed) with each
# backend. Prints each figure and the postkontor/passwd-file ratios.
# With --pin, Dovecot and the client run on CPU 0 only, both backends
# alike (a round trip between cores costs several times more here).
# Needs root (Dovecot is started in a private mount namespace).

set -u
BUILDDIR=
USERS=100000
REQUESTS=20000
ROUNDS=3
PIN=
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) BUILDDIR=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --pin) PIN="taskset -c 0"; shift ;;
    *) echo "usage: $0 --builddir DIR [--users N] [--requests N] [--rounds N] [--pin]" >&2; exit 2 ;;
    esac
done
[ -n "$BUILDDIR" ] || { echo "$0: --builddir is required" >&2; exit 2; }
top_builddir=$(cd "$BUILDDIR" && pwd)
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
PK_BIN="$top_builddir/cli/postkontor"
export top_builddir top_srcdir PK_BIN

# The integration helpers, without their pass/fail bookkeeping.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need /usr/bin/python3 awk
[ -z "$PIN" ] || need taskset
DC_WRAP=$PIN
CLIENT="$top_srcdir/bench/dovecot-auth-client.py"
PASSWORD=benchpw

echo "dovecot-auth: $USERS users, $REQUESTS requests per measurement, $ROUNDS rounds${PIN:+, pinned to CPU 0}"
dc_setup

# One shared SSHA512 hash: sha512(password + salt) + salt, base64.
HASH=$(/usr/bin/python3 -c 'import base64, hashlib, sys
salt = b"pkbench1"
print("{SSHA512}" + base64.b64encode(hashlib.sha512(sys.argv[1].encode() + salt).digest() + salt).decode())' "$PASSWORD")
/usr/bin/python3 - "$USERS" "$HASH" "$T" <<'EOF'
import random, sys
n, h, t = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(t + "/users.passwd", "w") as f:
    for i in range(n):
        d = "d%03d.example" % (i % 100)
        f.write("user%d@%s:%s:5000:5000::%s/vmail/%s/user%d::\n" % (i, d, h, t, d, i))
names = ["user%d@d%03d.example" % (i, i % 100) for i in range(n)]
random.Random(1).shuffle(names)
with open(t + "/names", "w") as f:
    f.write("\n".join(names) + "\n")
EOF
pk init >/dev/null && pk import --format dovecot-passwd --create-domains \
    "$T/users.passwd" >/dev/null || { echo "FAIL: postkontor import"; exit 1; }
dc_db_perms || { echo "FAIL: database permissions"; exit 1; }
chgrp dovecot "$T/users.passwd" && chmod 640 "$T/users.passwd"

# The passwd-file configuration: the same file with the two blocks swapped.
cp "$DC_CONF" "$T/postkontor.conf"
/usr/bin/python3 - "$T/postkontor.conf" "$T/passwd-file.conf" "$T/users.passwd" <<'EOF'
import re, sys
src, dst, pwfile = sys.argv[1:4]
text = open(src).read()
text = re.sub(r"passdb \{\n  driver = postkontor\n  args = [^\n]*\n\}",
              "passdb {\n  driver = passwd-file\n  args = %s\n}" % pwfile, text)
text = re.sub(r"userdb \{\n  driver = postkontor\n  args = [^\n]*\n\}",
              "userdb {\n  driver = passwd-file\n  args = %s\n"
              "  default_fields = mail=maildir:~/Maildir\n}" % pwfile, text)
if "driver = postkontor" in text:
    sys.exit("could not swap the passdb and userdb blocks")
open(dst, "w").write(text)
EOF
[ $? = 0 ] || exit 1

# measure BACKEND: one round, appending "BACKEND KIND WINDOW RATE" lines
measure() {
    cp "$T/$1.conf" "$DC_CONF"
    dc_start
    for kind in passdb userdb; do
        sock="$DC_RUN/auth-client"; [ $kind = userdb ] && sock="$DC_RUN/auth-userdb"
        for window in 1 64; do
            out=$($PIN /usr/bin/python3 "$CLIENT" $kind "$sock" "$T/names" "$REQUESTS" \
                $window "$PASSWORD") || { echo "FAIL: client"; dc_stop; exit 1; }
            set -- "$1" $out
            [ "$3" = 0 ] || { echo "FAIL: $1 $kind: $3 failed lookups"; dc_stop; exit 1; }
            echo "$1 $kind $window $2" >>"$T/results"
        done
    done
    dc_stop
    rm -f "$DC_RUN/master.pid"
}

# memory BACKEND: the auth process's VmRSS and RssAnon (KiB) after a
# userdb lookup of every user
memory() {
    cp "$T/$1.conf" "$DC_CONF"
    dc_start
    /usr/bin/python3 "$CLIENT" userdb "$DC_RUN/auth-userdb" "$T/names" "$USERS" 64 x >/dev/null
    pid=$(dc_auth_pid)
    awk -v b="$1" '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 }
        END { print b, r, a }' "/proc/$pid/status" >>"$T/memory"
    dc_stop
    rm -f "$DC_RUN/master.pid"
}

: >"$T/results"
r=1
while [ $r -le "$ROUNDS" ]; do
    measure passwd-file
    measure postkontor
    r=$((r + 1))
done
: >"$T/memory"
memory passwd-file
memory postkontor

best() { awk -v b="$1" -v k="$2" -v w="$3" '$1 == b && $2 == k && $3 == w && $4 > m { m = $4 } END { print m + 0 }' "$T/results"; }
for kind in passdb userdb; do
    for window in 1 64; do
        pf=$(best passwd-file $kind $window); pk=$(best postkontor $kind $window)
        mode="one at a time"; [ $window = 1 ] || mode="pipelined ($window)"
        printf '  %s %s: passwd-file %s/s, postkontor %s/s, ratio %s (target >= 0.95)\n' \
            $kind "$mode" "$pf" "$pk" "$(awk -v a="$pk" -v b="$pf" 'BEGIN { printf "%.2f", a / b }')"
    done
done
read -r _ pf_rss pf_anon <<EOF
$(grep '^passwd-file ' "$T/memory")
EOF
read -r _ pk_rss pk_anon <<EOF
$(grep '^postkontor ' "$T/memory")
EOF
printf '  auth process after %s users: passwd-file %s KiB (anonymous %s), postkontor %s KiB (anonymous %s)\n' \
    "$USERS" "$pf_rss" "$pf_anon" "$pk_rss" "$pk_anon"
printf '  memory ratio: total %s, anonymous %s (target <= 0.25)\n' \
    "$(awk -v a="$pk_rss" -v b="$pf_rss" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v a="$pk_anon" -v b="$pf_anon" 'BEGIN { printf "%.2f", a / b }')"
