#!/bin/bash
# milter-throughput.sh - postkontor-milter against no milter and OpenDKIM
#
# usage: bench/milter-throughput.sh [--builddir DIR] [--messages N]
#                                   [--sessions N] [--rounds N] [--reuse]
#
# One private Postfix (config, queue and everything else in a scratch
# directory; delivery to discard:, so nothing leaves) with four smtpd
# listeners on free loopback ports that differ only in their
# smtpd_milters line: none; postkontor-milter; Debian's OpenDKIM; and
# postkontor-milter with --no-sign --no-from-check, a milter that does
# nothing, which measures what libmilter and the protocol cost by
# themselves. main.cf (milter_protocol, timeouts) is shared; the two
# postkontor-milter listeners get the macro settings the documentation
# recommends (PK_MACROS below), the OpenDKIM one keeps the defaults.
# smtp-source sends the same 2 KiB message N times over S sessions to
# each, interleaved, for several rounds; the best rate of each side
# counts. By default each message has its own SMTP session, as a mail
# client submits it, and so its own milter connection (Postfix opens one
# per SMTP session); --reuse sends all of a session's messages over one
# connection (smtp-source -d), which shows the per-connection share.
# Both milters sign with an RSA-2048 key, relaxed/relaxed.
# smtp-source cannot log in, so milter_macro_defaults gives every
# listener the {auth_authen} a submission service sends: the mail is a
# login's, postkontor-milter checks its From against the database
# (may_send_as) and signs it, as on a submission port.
#
# CPU per message is each milter process's own user + system time
# (/proc/PID/stat, all its threads) over the rounds, divided by the
# messages. bench/milter-filter measures the filter's own work (From
# check, key lookup, canonicalization, signature) without libmilter.
#
# Prints the rates, the ratios with their targets:
#   postkontor / no milter            >= 0.8
#   postkontor / OpenDKIM             >= 3.5
#   milter CPU per message / one RSA-2048 signature (openssl speed) <= 1.3
# and what bounds each one: no milter / OpenDKIM is the most any milter
# can reach against OpenDKIM (no milter makes Postfix faster than none);
# (libmilter floor + one signature) / one signature is the least CPU
# ratio a milter on libmilter can reach here.
# Exit status 0 when it ran (whatever the ratios), 1 when it could not.

set -u
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_SRC/lib.sh"

BUILDDIR=${top_builddir:-.}
MESSAGES=2000
SESSIONS=8
ROUNDS=5
REUSE=
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) BUILDDIR=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --sessions) SESSIONS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --reuse) REUSE=-d ;;
    *) echo "milter-throughput.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BUILDDIR=$(cd "$BUILDDIR" && pwd)
PK=$BUILDDIR/cli/postkontor
MILTER=$BUILDDIR/milter/postkontor-milter
FILTER=$BUILDDIR/bench/milter-filter
for tool in "$PK" "$MILTER" "$FILTER" postfix smtp-source opendkim openssl ss script; do
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
    echo "bench-password-long-enough" | "$PK" --db "$WORK/db" account add \
        alice@example.se --password-stdin >/dev/null &&
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
"$MILTER" --foreground --db "$WORK/db" --socket "unix:$WORK/null.sock" \
    --no-sign --no-from-check 2>"$WORK/null.log" &
NULL_PID=$!
PIDS="$PIDS $NULL_PID"
opendkim -f -x "$WORK/odkim/opendkim.conf" 2>"$WORK/odkim.log" &
OD_PID=$!
PIDS="$PIDS $OD_PID"
n=0
while { [ ! -S "$WORK/pk.sock" ] || [ ! -S "$WORK/odkim.sock" ] ||
    [ ! -S "$WORK/null.sock" ]; } && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done
[ -S "$WORK/pk.sock" ] && [ -S "$WORK/odkim.sock" ] && [ -S "$WORK/null.sock" ] ||
    { echo "milter-throughput.sh: a milter did not start" >&2; cat "$WORK"/*.log >&2; exit 1; }
chmod 666 "$WORK/pk.sock" "$WORK/odkim.sock" "$WORK/null.sock"

# free_port FROM: the first free loopback port from FROM on
free_port() {
    local p=$1
    while [ -n "$(ss -ltnH "sport = :$p" 2>/dev/null)" ]; do p=$((p + 1)); done
    echo "$p"
}
P_NONE=$(free_port $((40000 + ($$ % 1000) * 10)))
P_PK=$(free_port $((P_NONE + 1)))
P_OD=$(free_port $((P_PK + 1)))
P_NULL=$(free_port $((P_OD + 1)))

# postkontor-milter's listeners send only the macro it reads, as
# doc/postfix-milter.example recommends (Postfix sends a macro command
# before each step either way, empty with these settings). OpenDKIM's
# listener keeps Postfix's defaults, which OpenDKIM relies on (its job
# id is the queue id {i}; its MTA and MacroList settings read
# {daemon_name} and other macros).
PK_MACROS=" -o milter_connect_macros= -o milter_helo_macros="
PK_MACROS="$PK_MACROS -o milter_mail_macros={auth_authen}"
PK_MACROS="$PK_MACROS -o milter_rcpt_macros= -o milter_data_macros="
PK_MACROS="$PK_MACROS -o milter_end_of_header_macros="
PK_MACROS="$PK_MACROS -o milter_end_of_data_macros="
PK_MACROS="$PK_MACROS -o milter_unknown_command_macros="
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
    "milter_macro_defaults = {auth_authen}=alice@example.se" \
    "disable_mime_output_conversion = yes" \
    "default_process_limit = 200" >"$PF/etc/main.cf"
awk -v a="$P_NONE" -v b="$P_PK" -v c="$P_OD" -v d="$P_NULL" -v w="$WORK" \
    -v m="$PK_MACROS" '
    /^#/ || /^$/ || /^[ \t]/ { print; next }
    $1 == "smtp" && $2 == "inet" {
        print "127.0.0.1:" a " inet n - n - - smtpd"
        print "127.0.0.1:" b " inet n - n - - smtpd -o smtpd_milters=unix:" w "/pk.sock" m
        print "127.0.0.1:" c " inet n - n - - smtpd -o smtpd_milters=unix:" w "/odkim.sock"
        print "127.0.0.1:" d " inet n - n - - smtpd -o smtpd_milters=unix:" w "/null.sock" m
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
    timed t smtp-source $REUSE -s "$SESSIONS" -m "$MESSAGES" -f alice@example.se \
        -t bob@elsewhere.example -F "$WORK/msg" "127.0.0.1:$1" >/dev/null ||
        { echo 0; return; }
    rate "$MESSAGES" "$t"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# idle_ticks - idle clock ticks of the whole machine so far (all CPUs)
idle_ticks() { awk '$1 == "cpu" { print $5 + $6 }' /proc/stat; }
# all_ticks - all clock ticks of the whole machine so far
all_ticks() { awk '$1 == "cpu" { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }' /proc/stat; }

# A warm-up round for each: processes started, keys parsed.
run "$P_NONE" >/dev/null; run "$P_PK" >/dev/null; run "$P_OD" >/dev/null
run "$P_NULL" >/dev/null
none=() pk=() od=() null=()
pk_ticks=0 od_ticks=0 null_ticks=0
# measure VAR_TICKS PID PORT - one run; the rate is printed, the
# process's CPU ticks are added to VAR_TICKS
measure() {
    local c0 c1 i0 i1 a0 a1
    c0=$(cpu_ticks "$2") i0=$(idle_ticks) a0=$(all_ticks)
    RATE=$(run "$3")
    c1=$(cpu_ticks "$2") i1=$(idle_ticks) a1=$(all_ticks)
    printf -v "$1" '%s' $((${!1} + c1 - c0))
    IDLE=$(awk -v i=$((i1 - i0)) -v a=$((a1 - a0)) \
        'BEGIN { printf "%.0f", a ? 100 * i / a : 0 }')
}
for r in $(seq 1 "$ROUNDS"); do
    none+=("$(run "$P_NONE")")
    measure pk_ticks "$PK_PID" "$P_PK"; pk+=("$RATE"); pk_idle=$IDLE
    measure od_ticks "$OD_PID" "$P_OD"; od+=("$RATE")
    measure null_ticks "$NULL_PID" "$P_NULL"; null+=("$RATE")
    say "round $r: no milter ${none[-1]}/s, postkontor-milter ${pk[-1]}/s," \
        "OpenDKIM ${od[-1]}/s, do-nothing milter ${null[-1]}/s" \
        "(machine idle ${pk_idle}% during postkontor-milter's run)"
done
best_none=$(largest "${none[@]}")
best_pk=$(largest "${pk[@]}")
best_od=$(largest "${od[@]}")
best_null=$(largest "${null[@]}")

# Nothing may have failed, and each side must have taken every message.
if grep -q 'milter.*\(error\|not responding\|tempfail\|reject\)' "$WORK/maillog"; then
    echo "milter-throughput.sh: milter errors in the Postfix log:" >&2
    grep 'milter' "$WORK/maillog" | head -5 >&2
    exit 1
fi

# CPU per message against one signature as openssl speed measures it.
hz=$(getconf CLK_TCK)
msgs=$((ROUNDS * MESSAGES))
cpu_msg=$(calc "$pk_ticks / $hz / $msgs")
od_msg=$(calc "$od_ticks / $hz / $msgs")
null_msg=$(calc "$null_ticks / $hz / $msgs")
signs=$(openssl speed -seconds 2 rsa2048 2>/dev/null |
    awk '/^rsa 2048 bits/ { print $6 }')
sign_s=$(calc "1 / $signs")
filter_us=$("$FILTER" "$WORK/db" alice@example.se 2000 sign |
    sed -n 's/^filter_us=//p')
[ -n "$filter_us" ] ||
    { echo "milter-throughput.sh: bench/milter-filter failed" >&2; exit 1; }

# Rounds vary by tens of percent on a shared machine; the ratio within
# each round (its sides ran one right after the other) is steadier.
per_none=() per_od=()
for i in "${!pk[@]}"; do
    per_none+=("$(ratio "${pk[$i]}" "${none[$i]}")")
    per_od+=("$(ratio "${pk[$i]}" "${od[$i]}")")
done
r1=$(ratio "$best_pk" "$best_none")
r2=$(ratio "$best_pk" "$best_od")
r3=$(ratio "$cpu_msg" "$sign_s")
say "best: no milter $best_none/s, postkontor-milter $best_pk/s," \
    "OpenDKIM $best_od/s, do-nothing milter $best_null/s"
say "CPU per message (clock ticks of 1/$hz s): postkontor-milter" \
    "$(calc "$cpu_msg * 1e6") us, OpenDKIM $(calc "$od_msg * 1e6") us," \
    "do-nothing milter (libmilter floor) $(calc "$null_msg * 1e6") us;" \
    "one RSA-2048 signature $(calc "$sign_s * 1e6") us"
say "filter alone (From check, key, canonicalization, signature):" \
    "$filter_us us = $(ratio "$filter_us" "$(calc "$sign_s * 1e6")")x" \
    "one signature"
say "ceilings: OpenDKIM ratio <= no milter / OpenDKIM =" \
    "$(ratio "$best_none" "$best_od")x; no-milter ratio <= do-nothing" \
    "milter / no milter = $(ratio "$best_null" "$best_none")x; CPU ratio >=" \
    "(libmilter floor + one signature) / one signature =" \
    "$(ratio "$(calc "$null_msg + $sign_s")" "$sign_s")x"
say "median of the per-round ratios: $(median "${per_none[@]}")x no milter," \
    "$(median "${per_od[@]}")x OpenDKIM"
say "postkontor-milter CPU / OpenDKIM CPU per message:" \
    "$(ratio "$cpu_msg" "$od_msg")x"
summary "milter-throughput: ${r1}x no milter (target >= 0.8) $(verdict "$r1" '>=' 0.8)"
summary "milter-throughput: ${r2}x OpenDKIM (target >= 3.5) $(verdict "$r2" '>=' 3.5)"
summary "milter-cpu: ${r3}x one RSA-2048 signature (target <= 1.3) $(verdict "$r3" '<=' 1.3)"
