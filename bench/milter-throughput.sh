#!/bin/bash
# milter-throughput.sh - postkontor-milter against no milter and OpenDKIM
#
# usage: bench/milter-throughput.sh [--builddir DIR] [--messages N]
#                                   [--sessions N] [--rounds N]
#
# One private Postfix (config, queue and everything else in a scratch
# directory; delivery to discard:, so nothing leaves) with three smtpd
# listeners on free loopback ports: one without a milter, one with
# postkontor-milter, one with Debian's OpenDKIM. smtp-source sends the
# same 2 KiB message N times over S sessions to each, interleaved, for
# several rounds; the best rate of each side counts. Both milters sign
# with an RSA-2048 key, relaxed/relaxed, for mail from loopback (internal
# to both), and postkontor-milter parses From on the way.
#
# Prints the rates and three ratios with their targets:
#   postkontor / no milter            >= 0.8
#   postkontor / OpenDKIM             >= 3.5
#   milter CPU per message / one RSA-2048 signature (openssl speed) <= 1.3
# Exit status 0 when it ran (whatever the ratios), 1 when it could not.

set -u
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_SRC/lib.sh"

BUILDDIR=${top_builddir:-.}
MESSAGES=2000
SESSIONS=8
ROUNDS=3
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) BUILDDIR=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --sessions) SESSIONS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    *) echo "milter-throughput.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BUILDDIR=$(cd "$BUILDDIR" && pwd)
PK=$BUILDDIR/cli/postkontor
MILTER=$BUILDDIR/milter/postkontor-milter
for tool in "$PK" "$MILTER" postfix smtp-source opendkim openssl ss script; do
    command -v "$tool" >/dev/null || {
        echo "milter-throughput.sh: $tool is missing (build, or apt-get" \
            "install postfix opendkim)" >&2
        exit 1
    }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-bench-milter-XXXXXX")
chmod 711 "$WORK"
PIDS=""
PF=$WORK/pf
cleanup() {
    if [ -f "$PF/spool/pid/master.pid" ]; then
        pid=$(tr -d ' \n' <"$PF/spool/pid/master.pid")
        postfix -c "$PF/etc" stop >/dev/null 2>&1
        n=0
        while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    fi
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        n=0
        while kill -0 "$p" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The database and its key; OpenDKIM gets a key of the same size.
mkdir -m 700 "$WORK/db"
"$PK" --db "$WORK/db" init >/dev/null &&
    "$PK" --db "$WORK/db" domain add example.se >/dev/null &&
    "$PK" --db "$WORK/db" dkim keygen example.se --selector bench >/dev/null ||
    { echo "milter-throughput.sh: database setup failed" >&2; exit 1; }
mkdir -m 700 "$WORK/odkim"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$WORK/odkim/key.pem" 2>/dev/null
cat >"$WORK/odkim/opendkim.conf" <<EOF
Mode s
Domain example.se
Selector bench
KeyFile $WORK/odkim/key.pem
Socket local:$WORK/odkim.sock
InternalHosts 127.0.0.1
Canonicalization relaxed/relaxed
SignatureAlgorithm rsa-sha256
RequireSafeKeys false
Background no
Syslog no
UMask 000
EOF

"$MILTER" --foreground --db "$WORK/db" --socket "unix:$WORK/pk.sock" \
    2>"$WORK/pk.log" &
PK_PID=$!
PIDS="$PIDS $PK_PID"
opendkim -f -x "$WORK/odkim/opendkim.conf" 2>"$WORK/odkim.log" &
PIDS="$PIDS $!"
n=0
while { [ ! -S "$WORK/pk.sock" ] || [ ! -S "$WORK/odkim.sock" ]; } && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done
[ -S "$WORK/pk.sock" ] && [ -S "$WORK/odkim.sock" ] ||
    { echo "milter-throughput.sh: a milter did not start" >&2; cat "$WORK"/*.log >&2; exit 1; }
chmod 666 "$WORK/pk.sock" "$WORK/odkim.sock"

# free_port FROM: the first free loopback port from FROM on
free_port() {
    local p=$1
    while [ -n "$(ss -ltnH "sport = :$p" 2>/dev/null)" ]; do p=$((p + 1)); done
    echo "$p"
}
P_NONE=$(free_port $((40000 + ($$ % 1000) * 10)))
P_PK=$(free_port $((P_NONE + 1)))
P_OD=$(free_port $((P_PK + 1)))

mkdir -p "$PF/etc" "$PF/spool" "$PF/data"
chown postfix "$PF/data"
printf '%s\n' \
    "compatibility_level = 3.6" \
    "queue_directory = $PF/spool" \
    "data_directory = $PF/data" \
    "mail_owner = postfix" \
    "setgid_group = postdrop" \
    "myhostname = mx.bench.invalid" \
    "mydestination =" \
    "inet_interfaces = 127.0.0.1" \
    "inet_protocols = ipv4" \
    "mynetworks = 127.0.0.0/8" \
    "alias_maps =" \
    "alias_database =" \
    "local_recipient_maps =" \
    "relayhost =" \
    "default_transport = discard:benchmark" \
    "relay_transport = discard:benchmark" \
    "smtp_dns_support_level = disabled" \
    "smtpd_peername_lookup = no" \
    "maillog_file = $WORK/maillog" \
    "maillog_file_prefixes = $WORK" \
    "smtpd_relay_restrictions = permit_mynetworks, reject" \
    "milter_default_action = tempfail" \
    "disable_mime_output_conversion = yes" \
    "default_process_limit = 200" >"$PF/etc/main.cf"
awk -v a="$P_NONE" -v b="$P_PK" -v c="$P_OD" -v w="$WORK" '
    /^#/ || /^$/ || /^[ \t]/ { print; next }
    $1 == "smtp" && $2 == "inet" {
        print "127.0.0.1:" a " inet n - n - - smtpd"
        print "127.0.0.1:" b " inet n - n - - smtpd -o smtpd_milters=unix:" w "/pk.sock"
        print "127.0.0.1:" c " inet n - n - - smtpd -o smtpd_milters=unix:" w "/odkim.sock"
        next }
    { $5 = "n"; print }' /usr/share/postfix/master.cf.dist >"$PF/etc/master.cf"
touch "$WORK/maillog"
chown postfix "$WORK/maillog"
script -qec "postfix -c $PF/etc start" /dev/null >"$WORK/pf.log" 2>&1 ||
    { echo "milter-throughput.sh: postfix did not start" >&2; cat "$WORK/pf.log" >&2; exit 1; }

# The message: a typical small mail, about 2 KiB.
{
    printf 'From: Alice <alice@example.se>\nTo: Bob <bob@elsewhere.example>\n'
    printf 'Subject: benchmark message\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n'
    printf 'Message-ID: <bench@example.se>\nMIME-Version: 1.0\n'
    printf 'Content-Type: text/plain; charset=utf-8\n\n'
    for i in $(seq 1 28); do
        printf 'Line %02d of the benchmark body, some words to hash.   \n' "$i"
    done
} >"$WORK/msg"

# run PORT: messages per second through that listener
run() {
    local t
    timed t smtp-source -s "$SESSIONS" -m "$MESSAGES" -f alice@example.se \
        -t bob@elsewhere.example -F "$WORK/msg" "127.0.0.1:$1" >/dev/null ||
        { echo 0; return; }
    rate "$MESSAGES" "$t"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# A warm-up round for each: processes started, keys parsed.
run "$P_NONE" >/dev/null; run "$P_PK" >/dev/null; run "$P_OD" >/dev/null
none=() pk=() od=()
pk_ticks=0
for r in $(seq 1 "$ROUNDS"); do
    none+=("$(run "$P_NONE")")
    c0=$(cpu_ticks "$PK_PID")
    pk+=("$(run "$P_PK")")
    c1=$(cpu_ticks "$PK_PID")
    pk_ticks=$((pk_ticks + c1 - c0))
    od+=("$(run "$P_OD")")
    say "round $r: no milter ${none[-1]}/s, postkontor-milter ${pk[-1]}/s, OpenDKIM ${od[-1]}/s"
done
best_none=$(largest "${none[@]}")
best_pk=$(largest "${pk[@]}")
best_od=$(largest "${od[@]}")

# Both milters must have signed, and nothing may have failed.
if grep -q 'milter.*\(error\|not responding\|tempfail\)' "$WORK/maillog"; then
    echo "milter-throughput.sh: milter errors in the Postfix log:" >&2
    grep 'milter' "$WORK/maillog" | head -5 >&2
    exit 1
fi

# CPU per message against one signature as openssl speed measures it.
hz=$(getconf CLK_TCK)
cpu_msg=$(calc "$pk_ticks / $hz / ($ROUNDS * $MESSAGES)")
signs=$(openssl speed -seconds 2 rsa2048 2>/dev/null |
    awk '/^rsa 2048 bits/ { print $6 }')
sign_s=$(calc "1 / $signs")

r1=$(ratio "$best_pk" "$best_none")
r2=$(ratio "$best_pk" "$best_od")
r3=$(ratio "$cpu_msg" "$sign_s")
say "best: no milter $best_none/s, postkontor-milter $best_pk/s, OpenDKIM $best_od/s"
say "milter CPU $(calc "$cpu_msg * 1e6") us/message (clock ticks of 1/$hz s);" \
    "one RSA-2048 signature $(calc "$sign_s * 1e6") us"
summary "milter-throughput: ${r1}x no milter (target >= 0.8) $(verdict "$r1" '>=' 0.8)"
summary "milter-throughput: ${r2}x OpenDKIM (target >= 3.5) $(verdict "$r2" '>=' 3.5)"
summary "milter-cpu: ${r3}x one RSA-2048 signature (target <= 1.3) $(verdict "$r3" '<=' 1.3)"
