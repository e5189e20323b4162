#!/bin/sh
# dovecot-auth.sh - Dovecot's auth process: postkontor against passwd-file
#
#   bench/dovecot-auth.sh --builddir DIR [--users N] [--requests N]
#                         [--rounds N] [--pin]
#
# The same N users (default 100,000, all with one {SSHA512} hash, a cheap
# scheme so that hashing does not hide the lookup, and one quota) in a
# Dovecot passwd-file and, imported from that file, in a postkontor
# database. Two private Dovecots (tests/integration/dovecot.sh, so the
# configuration is doc/dovecot-example.conf), one with each backend, run
# side by side; the benchmark first checks that both userdbs return the
# same fields (uid, gid, home, mail, quota_rule) with the same values.
# Each round measures through the auth sockets passdb (AUTH PLAIN) and
# userdb (USER) lookups per second, one request at a time and pipelined
# (64 outstanding), over random users, each measurement taken on one
# backend right after the other (the order alternating by round), so
# that load from elsewhere hits both alike. The best round of each counts;
# the range of single-round ratios is printed beside it. Then the auth
# process's resident memory after a lookup of every user (total, and the
# part that is not file-backed) with each backend, freshly started.
# Prints each figure and the postkontor/passwd-file ratios, and beside
# them the ratio of the auth process's own CPU time per lookup (summed
# over all rounds, passwd-file's over postkontor's so that above 1 is
# better here too): it does not count time spent waiting for the CPU, so
# it varies less than the rates on a busy machine.
# With --pin, Dovecot and the client run on CPU 0 only, both backends
# alike (a round trip between cores costs several times more here).
# Needs root (Dovecot is started in a private mount namespace).

set -u
BUILDDIR=
USERS=100000
REQUESTS=20000
ROUNDS=5
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
quota = 1 << 30
with open(t + "/users.passwd", "w") as f:
    for i in range(n):
        d = "d%03d.example" % (i % 100)
        f.write("user%d@%s:%s:5000:5000::%s/vmail/%s/user%d::userdb_quota_rule=*:bytes=%d\n"
                % (i, d, h, t, d, i, quota))
names = ["user%d@d%03d.example" % (i, i % 100) for i in range(n)]
random.Random(1).shuffle(names)
with open(t + "/names", "w") as f:
    f.write("\n".join(names) + "\n")
EOF
pk init >/dev/null && pk import --format dovecot-passwd --create-domains \
    "$T/users.passwd" >/dev/null || { echo "FAIL: postkontor import"; exit 1; }
dc_db_perms || { echo "FAIL: database permissions"; exit 1; }
chgrp dovecot "$T/users.passwd" && chmod 640 "$T/users.passwd"

# Both instances run side by side for the whole measurement, so that
# each passwd-file figure is taken right next to its postkontor figure:
# load from elsewhere on the machine then hits both sides alike. The
# passwd-file instance is the same configuration with the passdb and
# userdb blocks swapped, and its own run directory, log and ports.
# Ports for the second instance: the next free block of five.
PF_PORT_OFFSET=5
while :; do
    ok=1
    for p in $DC_IMAP $DC_IMAPS $DC_POP3 $DC_POP3S $DC_LMTP; do
        port_free $((p + PF_PORT_OFFSET)) || ok=0
    done
    [ $ok = 1 ] && break
    PF_PORT_OFFSET=$((PF_PORT_OFFSET + 5))
    [ $PF_PORT_OFFSET -lt 500 ] || { echo "FAIL: no free ports"; exit 1; }
done
mkdir -p "$T/run-pf" "$T/state-pf"
cp "$DC_CONF" "$T/postkontor.conf"
/usr/bin/python3 - "$T/postkontor.conf" "$T/passwd-file.conf" "$T/users.passwd" \
    "$T" "$PF_PORT_OFFSET" <<'EOF'
import re, sys
src, dst, pwfile, t, offset = sys.argv[1:6]
text = open(src).read()
text = re.sub(r"passdb \{\n  driver = postkontor\n  args = [^\n]*\n\}",
              "passdb {\n  driver = passwd-file\n  args = %s\n}" % pwfile, text)
text = re.sub(r"userdb \{\n  driver = postkontor\n  args = [^\n]*\n\}",
              "userdb {\n  driver = passwd-file\n  args = %s\n"
              "  default_fields = mail=maildir:~/Maildir\n}" % pwfile, text)
if "driver = postkontor" in text:
    sys.exit("could not swap the passdb and userdb blocks")
text, n = re.subn(r"(?m)^(\s*port = )(\d+)$",
                  lambda m: m.group(1) + str(int(m.group(2)) + int(offset)), text)
for key, value in (("base_dir", t + "/run-pf"), ("state_dir", t + "/state-pf"),
                   ("log_path", t + "/dovecot-pf.log"),
                   ("instance_name", "pk-bench-pf-%s" % t.rsplit("-", 1)[-1])):
    text, m = re.subn(r"(?m)^%s = .*$" % key, "%s = %s" % (key, value), text)
    n += m
if n != 9:
    sys.exit("could not give the passwd-file instance its own ports and paths")
open(dst, "w").write(text)
EOF
[ $? = 0 ] || exit 1

# use BACKEND: point the dovecot.sh helpers at that backend's instance
use() {
    DC_CONF="$T/$1.conf"
    DC_RUN="$T/run"; [ "$1" = passwd-file ] && DC_RUN="$T/run-pf"
}
stop_both() { use passwd-file; dc_stop; use postkontor; dc_stop; }
on_exit stop_both

# start BACKEND: start its instance and record what its userdb answers
# for one user: both backends must return the same fields with the same
# values, or the comparison is unfair.
start() {
    use "$1"
    dc_start
    dc_doveadm user "$(head -n 1 "$T/names")" >"$T/fields.$1" 2>"$T/fields.err" ||
        { echo "FAIL: $1: doveadm user"; cat "$T/fields.$1" "$T/fields.err"; exit 1; }
    sort -o "$T/fields.$1" "$T/fields.$1"
}

# measure BACKEND KIND WINDOW: one measurement, appending
# "BACKEND KIND WINDOW ROUND RATE AUTH-CPU-TICKS" to $T/results
measure() {
    use "$1"
    sock="$DC_RUN/auth-client"; [ "$2" = userdb ] && sock="$DC_RUN/auth-userdb"
    pid=$(dc_auth_pid)
    cpu0=$(cpu_ticks "$pid")
    out=$($PIN /usr/bin/python3 "$CLIENT" "$2" "$sock" "$T/names" "$REQUESTS" \
        "$3" "$PASSWORD") || { echo "FAIL: client"; exit 1; }
    cpu1=$(cpu_ticks "$pid")
    set -- "$1" "$2" "$3" $out
    [ "$5" = 0 ] || { echo "FAIL: $1 $2: $5 failed lookups"; exit 1; }
    echo "$1 $2 $3 $r $4 $((cpu1 - cpu0))" >>"$T/results"
}

# cpu_ticks PID: user + system CPU time of a process, in clock ticks
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# memory BACKEND: the auth process's VmRSS and RssAnon (KiB) after a
# userdb lookup of every user, in a freshly started instance
memory() {
    use "$1"
    dc_start
    /usr/bin/python3 "$CLIENT" userdb "$DC_RUN/auth-userdb" "$T/names" "$USERS" 64 x >/dev/null
    pid=$(dc_auth_pid)
    awk -v b="$1" '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 }
        END { print b, r, a }' "/proc/$pid/status" >>"$T/memory"
    dc_stop
    rm -f "$DC_RUN/master.pid"
}

start passwd-file
start postkontor
if ! cmp -s "$T/fields.passwd-file" "$T/fields.postkontor"; then
    echo "FAIL: the two userdbs return different fields:"
    diff "$T/fields.passwd-file" "$T/fields.postkontor"
    exit 1
fi
echo "  userdb fields (both backends): $(awk '$1 != "field" { print $1 }' "$T/fields.postkontor" | tr '\n' ' ')"

# Rounds: every kind of measurement once per backend, side by side, the
# order of the two sides alternating from round to round.
: >"$T/results"
r=1
while [ $r -le "$ROUNDS" ]; do
    order="passwd-file postkontor"
    [ $((r % 2)) = 0 ] && order="postkontor passwd-file"
    for kind in passdb userdb; do
        for window in 1 64; do
            for b in $order; do measure $b $kind $window; done
        done
    done
    r=$((r + 1))
done
stop_both
rm -f "$T/run/master.pid" "$T/run-pf/master.pid"
: >"$T/memory"
memory passwd-file
memory postkontor

best() { awk -v b="$1" -v k="$2" -v w="$3" '$1 == b && $2 == k && $3 == w && $5 > m { m = $5 } END { print m + 0 }' "$T/results"; }
# pairs KIND WINDOW: the lowest and highest postkontor/passwd-file ratio
# of a single round
pairs() {
    awk -v k="$1" -v w="$2" '$2 == k && $3 == w { rate[$1, $4] = $5; n = $4 > n ? $4 : n }
        END { lo = 1e9; hi = 0
              for (i = 1; i <= n; i++) { q = rate["postkontor", i] / rate["passwd-file", i]
                  if (q < lo) lo = q; if (q > hi) hi = q }
              printf "%.2f-%.2f", lo, hi }' "$T/results"
}
# cpu KIND WINDOW: the auth process's CPU time per lookup, passwd-file's
# over postkontor's (over all rounds; above 1: postkontor costs less)
cpu() {
    awk -v k="$1" -v w="$2" '$2 == k && $3 == w { t[$1] += $6 }
        END { if (t["postkontor"] > 0) printf "%.2f", t["passwd-file"] / t["postkontor"]; else print "-" }' "$T/results"
}
for kind in passdb userdb; do
    for window in 1 64; do
        pf=$(best passwd-file $kind $window); pk=$(best postkontor $kind $window)
        mode="one at a time"; [ $window = 1 ] || mode="pipelined ($window)"
        printf '  %s %s: passwd-file %s/s, postkontor %s/s, ratio %s (target >= 0.95; single rounds %s; auth CPU per lookup %s)\n' \
            $kind "$mode" "$pf" "$pk" "$(awk -v a="$pk" -v b="$pf" 'BEGIN { printf "%.2f", a / b }')" \
            "$(pairs $kind $window)" "$(cpu $kind $window)"
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
