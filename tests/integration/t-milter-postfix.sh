#!/bin/sh
# t-milter-postfix.sh - postkontor-milter inside a real Postfix
#
# A private Postfix (config and queue under $T, one smtpd on a free
# loopback port) authenticates through a private Dovecot with the
# postkontor auth module (SASL), runs postkontor-milter on its smtpd and
# delivers everything over LMTP to a sink on a unix socket that keeps each
# message: nothing can leave the machine. Messages are sent with swaks
# (STARTTLS, AUTH PLAIN). Checked: what Postfix delivers verifies with
# python3-dkim for rsa-sha256 and ed25519-sha256, with bodies that have
# trailing white space, long lines, no content at all, and 8-bit text;
# an own alias is allowed and signed; a spoofed From is refused with
# 550 5.7.1 and not delivered; mail without a login from a client that
# is not internal passes unsigned.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need postfix postconf swaks ss script
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import dkim' 2>/dev/null || {
    echo "FAIL: /usr/bin/python3 with python3-dkim is required" >&2
    exit 1
}
MILTER=$top_builddir/milter/postkontor-milter
LUA=$top_srcdir/tests/milter
[ -x "$MILTER" ] || { echo "FAIL: $MILTER not built" >&2; exit 1; }

dc_setup
mkdir -m 700 "$T/db"
pk init >/dev/null
pk domain add example.se >/dev/null
pk domain add ed.example >/dev/null
for a in alice@example.se bob@example.se dave@ed.example; do
    printf '%s\n' "$a secret 1" | pk account add "$a" --password-stdin >/dev/null
done
pk alias add info@example.se alice@example.se >/dev/null
check "rsa-sha256 key for example.se" pk dkim keygen example.se --selector mail
check "ed25519-sha256 key for ed.example" pk dkim keygen ed.example \
    --selector ed --algorithm ed25519-sha256
dc_db_perms || { echo "FAIL: database permissions"; exit 1; }
# Postfix's smtpd (user postfix) talks to the auth-client socket.
printf '%s\n' 'service auth {' '  unix_listener auth-client {' \
    '    mode = 0660' '    user = postfix' '  }' '}' >>"$DC_CONF"
dc_start

# The sink, then the milter: loopback is not internal here, so mail
# without a login is left alone.
mkdir -p "$T/run" "$T/mail"
/usr/bin/python3 "$LUA/lmtp-sink.py" "$T/run/sink.sock" "$T/mail" \
    >"$T/sink.log" 2>&1 &
SINK=$!
"$MILTER" --foreground --db "$T/db" --socket "unix:$T/run/milter.sock" \
    --internal 192.0.2.0/24 2>"$T/milter.log" &
MPID=$!
stop_helpers() {
    kill "$SINK" "$MPID" 2>/dev/null
    n=0
    while kill -0 "$MPID" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    kill -9 "$MPID" "$SINK" 2>/dev/null
    return 0
}
on_exit stop_helpers
n=0
while { [ ! -S "$T/run/milter.sock" ] || [ ! -S "$T/run/sink.sock" ]; } &&
    [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -S "$T/run/milter.sock" ] || { echo "FAIL: milter did not start"; cat "$T/milter.log"; exit 1; }
chmod 666 "$T/run/milter.sock"
chmod 711 "$T/run"

# A free port from a range of this script's own.
port=$((30000 + ($$ % 500) * 5))
until port_free "$port"; do port=$((port + 1)); done

pf=$T/pf
mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
chown postfix "$pf/data"
cat >"$pf/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.invalid
mydomain = test.invalid
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
# Every delivery goes to the sink; nothing can leave.
default_transport = lmtp:unix:$T/run/sink.sock
relay_transport = lmtp:unix:$T/run/sink.sock
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
maillog_file = $T/maillog
maillog_file_prefixes = $T
smtpd_tls_security_level = may
smtpd_tls_cert_file = $T/tls/cert.pem
smtpd_tls_key_file = $T/tls/key.pem
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DC_RUN/auth-client
smtpd_relay_restrictions = permit_sasl_authenticated, permit_mynetworks, reject
smtpd_milters = unix:$T/run/milter.sock
milter_default_action = tempfail
disable_mime_output_conversion = yes
smtputf8_enable = yes
EOF
awk -v port="$port" '
    /^#/ || /^$/ || /^[ \t]/ { print; next }
    { if ($1 == "smtp" && $2 == "inet") $1 = "127.0.0.1:" port
      $5 = "n"; print }' /usr/share/postfix/master.cf.dist >"$pf/etc/master.cf"
touch "$T/maillog"
chown postfix "$T/maillog"
pf_stop() {
    pid=$(tr -d ' \n' <"$pf/spool/pid/master.pid" 2>/dev/null)
    postfix -c "$pf/etc" stop >/dev/null 2>&1
    n=0
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do
        sleep 0.1; n=$((n + 1)); done
    return 0
}
script -qec "postfix -c $pf/etc check" /dev/null >"$T/pf-check.log" 2>&1 ||
    { echo "FAIL: postfix check"; cat "$T/pf-check.log"; exit 1; }
on_exit pf_stop
script -qec "postfix -c $pf/etc start" /dev/null >"$T/pf-start.log" 2>&1 ||
    { echo "FAIL: postfix start"; cat "$T/pf-start.log" "$T/maillog"; exit 1; }
n=0
until /usr/bin/python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; do
    n=$((n + 1))
    [ $n -lt 100 ] || { echo "FAIL: no SMTP banner on $port"; cat "$T/maillog"; exit 1; }
    sleep 0.1
done

# msg NAME FROM BODY-FILE: a whole message in $T/msg/NAME (CRLF lines)
mkdir "$T/msg"
msg() {
    { printf 'From: %s\r\nTo: Someone <someone@elsewhere.example>\r\n' "$2"
      printf 'Subject: pk-milter %s\r\nMessage-ID: <%s@test.invalid>\r\n' "$1" "$1"
      printf 'Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\n'
      cat "$3"; } >"$T/msg/$1"
}
# send LOGIN|- NAME FROM: swaks, with STARTTLS and a login unless "-"
send() {
    if [ "$1" = - ]; then
        set -- --from "$3" --data "$T/msg/$2"
    else
        set -- --tls --auth PLAIN --auth-user "$1" --auth-password "$1 secret 1" \
            --from "$3" --data "$T/msg/$2"
    fi
    swaks --server 127.0.0.1 --port "$port" --to someone@elsewhere.example \
        --timeout 30 "$@" </dev/null >"$T/swaks.out" 2>&1
}

printf 'trailing spaces   \r\n\ttabs\t \r\n\r\nend  \r\n\r\n\r\n' >"$T/b-trailing"
awk 'BEGIN { for (i = 0; i < 3; i++) { s = ""; for (j = 0; j < 900; j++) s = s "long  "; printf "%s\r\n", s } }' >"$T/b-long"
: >"$T/b-empty"
printf 'r\303\244ksm\303\266rg\303\245s \342\202\254 \r\n8-bit  text\r\n' >"$T/b-8bit"

signed=""
for who in alice@example.se dave@ed.example; do
    alg=rsa; [ "$who" = dave@ed.example ] && alg=ed25519
    for body in trailing long empty 8bit; do
        name=$alg-$body
        msg "$name" "$who" "$T/b-$body"
        if send "$who" "$name" "$who"; then
            pass "$name: accepted (logged in as $who)"
            signed="$signed $name"
        else
            fail "$name: refused"; sed 's/^/     | /' "$T/swaks.out" | tail -5
        fi
    done
done

msg alias "Info <info@example.se>" "$T/b-trailing"
if send alice@example.se alias info@example.se; then
    pass "own alias in From: accepted"; signed="$signed alias"
else
    fail "own alias in From: refused"; tail -5 "$T/swaks.out"
fi

msg spoof "bob@example.se" "$T/b-trailing"
if send alice@example.se spoof alice@example.se; then
    fail "spoofed From: accepted"
elif grep -q '550 5.7.1' "$T/swaks.out" &&
    grep -q 'may not send as bob@example.se' "$T/swaks.out"; then
    pass "spoofed From: refused with 550 5.7.1 and the reason"
else
    fail "spoofed From: not refused as expected"; tail -5 "$T/swaks.out"
fi

msg unauth "alice@example.se" "$T/b-trailing"
if send - unauth alice@example.se; then
    pass "no login, outside client: accepted"
else
    fail "no login: refused"; tail -5 "$T/swaks.out"
fi

# Wait for the deliveries: every accepted message, and no more.
want=$(($(echo $signed | wc -w) + 1))
n=0
while [ "$(ls "$T/mail" | grep -c '\.eml$')" -lt $want ] && [ $n -lt 300 ]; do
    sleep 0.1; n=$((n + 1))
done
same "Postfix delivered every accepted message" \
    "$(ls "$T/mail" | grep -c '\.eml$')" "$want"

# delivered NAME: the file the sink kept for a message
delivered() { grep -l "^Subject: pk-milter $1" "$T/mail"/*.eml 2>/dev/null | head -n 1; }

if [ -z "$(delivered spoof)" ]; then pass "the spoofed message was not delivered"
else fail "the spoofed message was delivered"; fi
f=$(delivered unauth)
if [ -n "$f" ] && ! grep -qi '^DKIM-Signature:' "$f"; then
    pass "no login, outside client: delivered unsigned"
else
    fail "no login, outside client: signed or lost"
fi

pk --json dkim show >"$T/keys.json"
files=""
for name in $signed; do
    f=$(delivered "$name")
    [ -n "$f" ] || continue
    cp "$f" "$T/mail/$name.signed"
    files="$files $T/mail/$name.signed"
    case $name in
    ed25519-*) grep -q 'a=ed25519-sha256' "$f" || fail "$name: not ed25519-sha256" ;;
    esac
done
# shellcheck disable=SC2086
if /usr/bin/python3 "$LUA/dkim-verify.py" "$T/keys.json" $files >"$T/verify.out" 2>&1; then
    pass "python3-dkim verifies all $(echo $signed | wc -w) delivered signed messages"
else
    fail "python3-dkim verification of delivered messages"
fi
sed 's/^/     | /' "$T/verify.out"
check "no milter errors in the Postfix log" \
    sh -c "! grep -q 'milter.*\(error\|not responding\)' '$T/maillog'"
finish
