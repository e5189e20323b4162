#!/bin/bash
# refserver.sh - the reference server against Postfix -> LMTP -> Dovecot
#
# usage: bench/refserver.sh [--builddir DIR] [--quick] [--rounds N]
#
#   --builddir DIR  a configured and built tree (default _build)
#   --quick         300 messages instead of 2000, fewer IMAP sessions
#   --rounds N      rounds per side, interleaved with the peer (default 3)
#
# Two benchmarks from issue 6 (bench/README.md), each against the private
# Postfix + Dovecot stack of scripts/stack.sh started in the same run:
#
# smtp: smtp-source sends the same N messages (about 2 KiB each, one
#   connection per message, 4 in parallel) to alice@example.se through
#   postkontor-refserver's port-25 role and through the stack's Postfix
#   port-25 role. A round ends when all N messages are files in alice's
#   Maildir (counted; a round where they are not fails), so both sides
#   are timed to the same durable state: the refserver fsyncs the file
#   and its directory before its 250; Postfix fsyncs the queue file
#   before its 250 and Dovecot's LMTP fsyncs the message file
#   (mail_fsync, checked) before the 250 that lets Postfix delete it.
#   Rate = N / seconds; ratio = ours / stack (target >= 1.0).
# imap: bob@example.se gets the same 100 messages on both sides (by
#   smtp-source); refserver-imap.py then times R sessions of LOGIN +
#   SELECT INBOX + FETCH 1:100 (RFC822) over plaintext loopback (the
#   refserver with --loopback-plaintext; Dovecot treats loopback as
#   secured). One untimed session per side first, so the \Seen flags
#   and Dovecot's index exist before timing. Ratio = stack time / our
#   time (target >= 0.8). The LOGIN reply time (password verification)
#   is shown apart, and the ratio of the rest (SELECT + FETCH + LOGOUT)
#   follows the verdict.
#
# Both sides run unpinned on the same cores, rounds interleaved (ours,
# stack, ours, ...); the best round of each is compared. Everything
# listens on 127.0.0.1 only, lives in a scratch directory from mktemp
# and is stopped and removed at exit. Needs root (the stack starts
# Dovecot and Postfix), smtp-source (postfix), swaks, /usr/bin/python3.
# Exit status 0 when both benchmarks ran (met or MISSED), 1 when one
# could not run, 2 for a usage error.

set -u

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_SRC/.." && pwd)
. "$BENCH_SRC/lib.sh"

BUILDDIR=_build
QUICK=0
ROUNDS=3
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) [ $# -ge 2 ] || { echo "refserver.sh: --builddir needs a directory" >&2; exit 2; }
        BUILDDIR=$2; shift ;;
    --quick) QUICK=1 ;;
    --rounds) [ $# -ge 2 ] || { echo "refserver.sh: --rounds needs a number" >&2; exit 2; }
        ROUNDS=$2; shift ;;
    -h | --help) sed -n '3,39p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "refserver.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if ! [ "$ROUNDS" -ge 1 ] 2>/dev/null; then
    echo "refserver.sh: --rounds needs a number >= 1" >&2
    exit 2
fi
[ -d "$BUILDDIR" ] || { echo "refserver.sh: no build directory $BUILDDIR" >&2; exit 1; }
BUILDDIR=$(cd "$BUILDDIR" && pwd)

if [ "$QUICK" = 1 ]; then
    NMSG=300 IMAP_REPEAT=5
else
    NMSG=2000 IMAP_REPEAT=20
fi
IMAP_COUNT=100
MSGLEN=2048
SESSIONS=4
SENDER=sender@example.net
DOMAIN=example.se
PY=/usr/bin/python3
SMTP_SOURCE=/usr/sbin/smtp-source
PK=$BUILDDIR/cli/postkontor
REFSERVER=$BUILDDIR/tests/reference/postkontor-refserver

die() { echo "refserver.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root (the stack starts Dovecot and Postfix)"
for f in "$PK" "$REFSERVER" "$SMTP_SOURCE" "$PY"; do
    [ -x "$f" ] || die "$f is missing"
done
for t in openssl ss doveconf swaks; do
    command -v "$t" >/dev/null 2>&1 || die "$t is not installed"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-bench-refserver.XXXXXX") || die "mktemp failed"
# The stack's Dovecot and Postfix processes pass through here.
chmod 711 "$WORK"
S=$WORK/stack
R=$WORK/ref
REF_PID=
STACK_STARTED=0

cleanup() {
    if [ -n "$REF_PID" ]; then
        kill "$REF_PID" 2>/dev/null
        i=0
        while kill -0 "$REF_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$REF_PID" 2>/dev/null
        wait "$REF_PID" 2>/dev/null
        REF_PID=
    fi
    if [ "$STACK_STARTED" = 1 ]; then
        PK_STACK_DIR=$S sh "$TOP/scripts/stack.sh" stop >/dev/null 2>&1
        STACK_STARTED=0
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port_free() { [ -z "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }

# free_port N: a port from N upwards nobody listens on
free_port() {
    local p=$1
    while ! port_free "$p"; do p=$((p + 1)); done
    echo "$p"
}

# count_mail DIR: message files in the Maildir DIR (new/ and cur/)
count_mail() {
    find "$1/new" "$1/cur" -type f 2>/dev/null | wc -l
}

# wait_count DIR N SECONDS: wait until DIR holds at least N messages
wait_count() {
    local end=$(($(date +%s) + $3))
    while [ "$(count_mail "$1")" -lt "$2" ]; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.02
    done
}

echo "refserver: $NMSG messages of ~$MSGLEN bytes, $ROUNDS rounds;" \
    "IMAP $IMAP_REPEAT sessions x $IMAP_COUNT messages; $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the stack: Postfix -> LMTP -> Dovecot (scripts/stack.sh) ---
PB=
for try in 0 1 2 3 4 5 6 7 8 9; do
    b=$((21000 + ((($$ + try * 7) % 40) * 1000)))
    ok=1
    for o in 24 25 110 143 465 587 993 995; do port_free $((b + o)) || ok=0; done
    [ $ok = 1 ] && { PB=$b; break; }
done
[ -n "$PB" ] || die "no free port range for the stack"
say "starting the stack (ports $PB + 24..995)"
STACK_STARTED=1
PK_STACK_DIR=$S PK_STACK_PORT_BASE=$PB PK_STACK_BUILD=$BUILDDIR \
    sh "$TOP/scripts/stack.sh" start >"$WORK/stack.out" 2>&1 ||
    { cat "$WORK/stack.out" >&2; die "the stack did not start"; }
STACK_SMTP=$((PB + 25))
STACK_IMAP=$((PB + 143))
DC_CONF=$S/dovecot/dovecot.conf
STACK_BOX=$S/vmail/$DOMAIN/alice/Maildir
STACK_BOB=$S/vmail/$DOMAIN/bob/Maildir
fsync_mode=$(doveconf -c "$DC_CONF" -h mail_fsync 2>/dev/null)
case $fsync_mode in
optimized | always) ;;
*) die "the stack's Dovecot has mail_fsync = '$fsync_mode': not durable" ;;
esac
say "stack durability: Postfix fsyncs each queue file before 250; Dovecot LMTP mail_fsync = $fsync_mode"

# --- the reference server, with the same accounts ---
mkdir -p "$R/mail" && mkdir -m 700 "$R/db"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$R/key.pem" -out "$R/cert.pem" >/dev/null 2>&1 || die "cannot make a certificate"
openssl rand -hex 12 >"$WORK/bob-password"
pk_r() { "$PK" --db "$R/db" "$@" >/dev/null; }
pk_r init && pk_r domain add "$DOMAIN" &&
    pk_r account add "alice@$DOMAIN" --password-stdin <"$WORK/bob-password" &&
    pk_r account add "bob@$DOMAIN" --password-stdin <"$WORK/bob-password" ||
    die "cannot set up the refserver's database"
# bob on the stack: the same password hash scheme (the same CLI)
"$PK" --db "$S/db" account add "bob@$DOMAIN" --password-stdin <"$WORK/bob-password" >/dev/null ||
    die "cannot add bob@$DOMAIN to the stack's database"
REF_SMTP=
for attempt in 1 2 3 4 5; do
    REF_SMTP=$(free_port $((30000 + (($$ * 13 + attempt * 997) % 20000))))
    REF_IMAP=$(free_port $((REF_SMTP + 1)))
    : >"$WORK/ref.log"
    "$REFSERVER" --db "$R/db" --maildir "$R/mail" --cert "$R/cert.pem" --key "$R/key.pem" \
        --smtp "$REF_SMTP" --imap "$REF_IMAP" --listen 127.0.0.1 --hostname mx.$DOMAIN \
        --loopback-plaintext --foreground 2>>"$WORK/ref.log" &
    REF_PID=$!
    i=0
    while ! grep -q 'ready:' "$WORK/ref.log" && [ $i -lt 100 ]; do
        kill -0 "$REF_PID" 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    grep -q 'ready:' "$WORK/ref.log" && break
    wait "$REF_PID" 2>/dev/null
    REF_PID=
    grep -q 'Address already in use' "$WORK/ref.log" || break
done
[ -n "$REF_PID" ] || { cat "$WORK/ref.log" >&2; die "postkontor-refserver did not start"; }
REF_BOX=$R/mail/$DOMAIN/alice/Maildir
REF_BOB=$R/mail/$DOMAIN/bob/Maildir
say "refserver durability: file and directory fsynced before 250 (SMTP $REF_SMTP, IMAP $REF_IMAP)"

# send PORT RCPT N: smtp-source N messages to RCPT through 127.0.0.1:PORT
send() {
    "$SMTP_SOURCE" -l "$MSGLEN" -m "$3" -s "$SESSIONS" -f "$SENDER" -t "$2" \
        "127.0.0.1:$1" >>"$WORK/smtp-source.log" 2>&1
}

# smtp_round NAME PORT MAILDIR: one round; its seconds go to SMTP_SECS
smtp_round() {
    local before t0 t1 after
    before=$(count_mail "$3")
    t0=$(date +%s%N)
    send "$2" "alice@$DOMAIN" "$NMSG" || { tail -5 "$WORK/smtp-source.log" >&2; return 1; }
    wait_count "$3" $((before + NMSG)) 300 || {
        echo "refserver.sh: $1: only $(($(count_mail "$3") - before)) of $NMSG messages arrived" >&2
        tail -5 "$WORK/smtp-source.log" >&2
        return 1
    }
    t1=$(date +%s%N)
    after=$(count_mail "$3")
    [ "$after" -eq $((before + NMSG)) ] ||
        { echo "refserver.sh: $1: $((after - before)) messages arrived, not $NMSG" >&2; return 1; }
    SMTP_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

# --- 1. SMTP ---
echo "smtp: smtp-source -l $MSGLEN -m $NMSG -s $SESSIONS into the port-25 role, until all are in the Maildir"
ref_rates= stack_rates= SMTP_FAILED=0
for r in $(seq 1 "$ROUNDS"); do
    smtp_round refserver "$REF_SMTP" "$REF_BOX" || { SMTP_FAILED=1; break; }
    ref_rates="$ref_rates $(rate "$NMSG" "$SMTP_SECS")"
    say "round $r: refserver $SMTP_SECS s ($(rate "$NMSG" "$SMTP_SECS") msg/s)"
    smtp_round stack "$STACK_SMTP" "$STACK_BOX" || { SMTP_FAILED=1; break; }
    stack_rates="$stack_rates $(rate "$NMSG" "$SMTP_SECS")"
    say "round $r: stack     $SMTP_SECS s ($(rate "$NMSG" "$SMTP_SECS") msg/s)"
done
if [ "$SMTP_FAILED" = 1 ]; then
    fail smtp "messages did not arrive"
else
    say "delivered: refserver $(count_mail "$REF_BOX"), stack $(count_mail "$STACK_BOX") files in alice's Maildir"
    br=$(largest $ref_rates) bs=$(largest $stack_rates)
    q=$(ratio "$br" "$bs")
    summary "smtp: ${q}x Postfix+LMTP+Dovecot (target >= 1.0x) $(verdict "$q" '>=' 1.0); $br vs $bs msg/s, best of $ROUNDS"
fi

# --- 2. IMAP ---
echo "imap: $IMAP_REPEAT x (LOGIN + SELECT INBOX + FETCH 1:$IMAP_COUNT (RFC822)), one imaplib client, plaintext loopback"
# imap_run NAME PORT REPEAT: R sessions; seconds to IMAP_SECS, bytes
# to IMAP_BYTES, the seconds LOGIN took to IMAP_LOGIN
imap_run() {
    local out rest
    out=$("$PY" "$BENCH_SRC/refserver-imap.py" --port "$2" --user "bob@$DOMAIN" \
        --password-file "$WORK/bob-password" --count "$IMAP_COUNT" --repeat "$3" \
        --min-size "$MSGLEN") || { echo "refserver.sh: imap: $1 failed" >&2; return 1; }
    read -r IMAP_SECS IMAP_BYTES IMAP_LOGIN rest <<<"$out"
}
# per_session SECONDS LOGIN: "T ms/session (LOGIN L ms, rest X ms)"
per_session() {
    awk -v s="$1" -v l="$2" -v n="$IMAP_REPEAT" 'BEGIN {
        printf "%.2f ms/session (LOGIN %.2f ms, rest %.2f ms)", s * 1000 / n,
            l * 1000 / n, (s - l) * 1000 / n }'
}
IMAP_FAILED=0
send "$REF_SMTP" "bob@$DOMAIN" "$IMAP_COUNT" && send "$STACK_SMTP" "bob@$DOMAIN" "$IMAP_COUNT" &&
    wait_count "$REF_BOB" "$IMAP_COUNT" 120 && wait_count "$STACK_BOB" "$IMAP_COUNT" 120 &&
    [ "$(count_mail "$REF_BOB")" -eq "$IMAP_COUNT" ] && [ "$(count_mail "$STACK_BOB")" -eq "$IMAP_COUNT" ] ||
    IMAP_FAILED=1
if [ "$IMAP_FAILED" = 0 ] && imap_run refserver "$REF_IMAP" 1 && ref_bytes=$IMAP_BYTES &&
    imap_run stack "$STACK_IMAP" 1 && stack_bytes=$IMAP_BYTES; then
    say "warm-up done; one session fetches $ref_bytes bytes (refserver), $stack_bytes (stack)"
    ref_times= stack_times= ref_rest= stack_rest=
    for r in $(seq 1 "$ROUNDS"); do
        imap_run refserver "$REF_IMAP" "$IMAP_REPEAT" || { IMAP_FAILED=1; break; }
        ref_times="$ref_times $IMAP_SECS"
        ref_rest="$ref_rest $(calc "$IMAP_SECS - $IMAP_LOGIN")"
        d_ref=$(per_session "$IMAP_SECS" "$IMAP_LOGIN")
        imap_run stack "$STACK_IMAP" "$IMAP_REPEAT" || { IMAP_FAILED=1; break; }
        stack_times="$stack_times $IMAP_SECS"
        stack_rest="$stack_rest $(calc "$IMAP_SECS - $IMAP_LOGIN")"
        say "round $r: refserver $d_ref; stack $(per_session "$IMAP_SECS" "$IMAP_LOGIN")"
    done
else
    IMAP_FAILED=1
fi
if [ "$IMAP_FAILED" = 1 ]; then
    fail imap "sessions failed or the mailboxes were not filled"
else
    br=$(smallest $ref_times) bs=$(smallest $stack_times)
    q=$(ratio "$bs" "$br")
    summary "imap: ${q}x Dovecot (target >= 0.8x) $(verdict "$q" '>=' 0.8);" \
        "$(awk -v s="$br" -v n="$IMAP_REPEAT" 'BEGIN { printf "%.2f", s * 1000 / n }') vs" \
        "$(awk -v s="$bs" -v n="$IMAP_REPEAT" 'BEGIN { printf "%.2f", s * 1000 / n }') ms/session, best of $ROUNDS;" \
        "without LOGIN $(ratio "$(smallest $stack_rest)" "$(smallest $ref_rest)")x"
fi

echo "summary:"
cat "$WORK/summary"
[ "${BENCH_FAILED:-0}" = 0 ]
