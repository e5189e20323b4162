#!/bin/sh
# stack.sh - a whole mail host on this machine's loopback, in one command.
#
#   scripts/stack.sh [start]   install, build, start, deliver, print settings
#   scripts/stack.sh stop      stop every process the stack started
#   scripts/stack.sh clean     stop, then remove the state directory
#
# Run as root on Debian bookworm. Everything is kept in the state
# directory ./stack (or $PK_STACK_DIR): the database, certificate,
# configurations, logs, queue and mailboxes. Nothing is written to /etc
# or any system directory: Dovecot finds the postkontor auth module
# through a bind mount that exists only in its own mount namespace, and
# Postfix runs from a configuration directory of its own. Services listen
# on 127.0.0.1 only, on high ports standing in for the usual ones (the
# port number plus $PK_STACK_PORT_BASE, 40000 by default: 40143 for IMAP,
# 40993 for IMAPS, ...). Postfix delivers the stack's own domain over LMTP
# to Dovecot and refuses every other destination: no mail leaves the
# machine.
#
# Started: Dovecot (IMAP, POP3, LMTP; auth module postkontor, usage
# plugin), Postfix (inbound SMTP, submission with STARTTLS, submissions
# with implicit TLS) with postkontor-postfix's lookup tables and policy
# service and postkontor-milter on the submission services. The database
# holds the domain example.se, the account alice@example.se (password in
# the state directory's demo-password) and the alias info@example.se.
#
# Environment: PK_STACK_DIR (state directory), PK_STACK_PORT_BASE (port
# offset), PK_STACK_BUILD (an already built build directory: skip
# installing packages and building), BUILD_DIR (where to build).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
S=${PK_STACK_DIR:-$top/stack}
case $S in /*) ;; *) S=$(pwd)/$S ;; esac
B=${PK_STACK_PORT_BASE:-40000}
DOMAIN=example.se
USER=alice@$DOMAIN
ALIAS=info@$DOMAIN
MAILUID=5000
MARK=.postkontor-stack
P_SMTP=$((B + 25)) P_LMTP=$((B + 24)) P_POP3=$((B + 110)) P_IMAP=$((B + 143))
P_SMTPS=$((B + 465)) P_SUB=$((B + 587)) P_IMAPS=$((B + 993)) P_POP3S=$((B + 995))
PY=/usr/bin/python3
AUTHDIR=/usr/lib/dovecot/modules/auth

say() { printf '%s\n' "stack: $*"; }
die() { printf '%s\n' "stack: $*" >&2; exit 1; }

# wait_gone PID SECONDS: wait (bounded) until PID has exited
wait_gone() {
    n=0
    while kill -0 "$1" 2>/dev/null && [ $n -lt $(($2 * 10)) ]; do
        sleep 0.1; n=$((n + 1))
    done
    ! kill -0 "$1" 2>/dev/null
}

# pid_of FILE: the process ID in FILE, if that process is alive
pid_of() {
    [ -f "$1" ] || return 0
    pid=$(tr -dc 0-9 <"$1")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
    return 0
}

# stop: all four at once (the milter alone may take seconds), wait
# (bounded), then SIGKILL whatever is left
stop() {
    [ -d "$S" ] || return 0
    [ -f "$S/$MARK" ] || die "$S is not a stack state directory"
    pf_pid=$(pid_of "$S/postfix/spool/pid/master.pid")
    [ -n "$pf_pid" ] && { postfix -c "$S/postfix/etc" stop >/dev/null 2>&1 || kill -TERM "$pf_pid"; }
    pids=$pf_pid
    for f in "$S/run/dovecot/master.pid" "$S/dovecot.pid" "$S/milter.pid" "$S/pkpf.pid"; do
        p=$(pid_of "$f")
        [ -n "$p" ] && { kill -TERM "$p" 2>/dev/null || true; pids="$pids $p"; }
    done
    for p in $pids; do
        wait_gone "$p" 15 || { kill -KILL "$p" 2>/dev/null; wait_gone "$p" 5 || true; }
    done
    rm -f "$S/dovecot.pid" "$S/milter.pid" "$S/pkpf.pid"
}

port_free() { [ -z "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }

# ready CMD...: retry CMD for up to 15 s
ready() {
    n=0
    until "$@" >/dev/null 2>&1; do
        n=$((n + 1)); [ $n -lt 150 ] || return 1; sleep 0.1
    done
}

smtp_banner() {
    "$PY" -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$1),2); sys.exit(0 if s.recv(100).startswith(b'220') else 1)"
}

start() {
    [ "$(id -u)" = 0 ] || die "run me as root (Dovecot and Postfix start as root)"
    if [ -n "${PK_STACK_BUILD:-}" ]; then
        bd=$PK_STACK_BUILD
    else
        say "installing packages (scripts/deps.sh --stack)"
        sh "$top/scripts/deps.sh" --stack
        bd=${BUILD_DIR:-$top/_build}
        say "building in $bd"
        BUILD_DIR=$bd sh "$top/scripts/build.sh"
    fi
    pk_bin=$bd/cli/postkontor
    for f in "$pk_bin" "$bd/postfix-policy/postkontor-postfix" "$bd/milter/postkontor-milter" \
        "$bd/dovecot-plugin/.libs/libauthdb_postkontor.so" \
        "$bd/dovecot-plugin/.libs/lib20_postkontor_plugin.so"; do
        [ -f "$f" ] || die "$f is not built"
    done
    for t in dovecot doveadm postfix swaks openssl unshare mount ss script runuser; do
        command -v "$t" >/dev/null 2>&1 || die "$t is not installed (scripts/deps.sh --stack)"
    done
    [ -x "$PY" ] || die "$PY is not installed"

    # A second start replaces the first.
    if [ -e "$S" ]; then
        [ -f "$S/$MARK" ] || die "$S exists and is not a stack state directory"
        say "stopping the stack already in $S"
        stop
        rm -rf "$S"
    fi
    for p in $P_SMTP $P_LMTP $P_POP3 $P_IMAP $P_SMTPS $P_SUB $P_IMAPS $P_POP3S; do
        port_free "$p" || die "port $p is in use (choose another PK_STACK_PORT_BASE)"
    done

    mkdir -p "$S"
    : >"$S/$MARK"
    # A start that fails half-way stops what it started.
    trap 'rc=$?; [ $rc = 0 ] || stop; exit $rc' EXIT
    # Dovecot's and Postfix's unprivileged processes pass through $S.
    chmod 711 "$S"
    runuser -u dovecot -- test -x "$S" ||
        die "user dovecot cannot enter $S: choose a PK_STACK_DIR all users can traverse"
    mkdir -p "$S/tls" "$S/log" "$S/run/dovecot" "$S/run/postkontor" \
        "$S/dovecot/auth-modules" "$S/dovecot/mail-modules" "$S/dovecot/state" \
        "$S/vmail" "$S/usage" "$S/postfix/etc" "$S/postfix/spool" "$S/postfix/data"
    chmod 711 "$S/run"
    chown root:postfix "$S/run/postkontor"; chmod 750 "$S/run/postkontor"
    chown "$MAILUID:$MAILUID" "$S/vmail"; chmod 750 "$S/vmail"
    chown "root:$MAILUID" "$S/usage"; chmod 2770 "$S/usage"
    chown postfix "$S/postfix/data"
    chmod 700 "$S/tls"; chmod 711 "$S/log"
    export TZ=UTC

    say "certificate for localhost and 127.0.0.1"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$S/tls/key.pem" -out "$S/tls/cert.pem" >/dev/null 2>&1 ||
        die "openssl could not make a certificate"
    chmod 600 "$S/tls/key.pem"; chmod 644 "$S/tls/cert.pem"

    say "database with $DOMAIN, $USER and $ALIAS"
    pk() { "$pk_bin" --db "$S/db" "$@"; }
    mkdir -m 700 "$S/db"
    pk init >/dev/null
    pk domain add "$DOMAIN" >/dev/null
    openssl rand -base64 12 | tr -d '\n/+=' >"$S/demo-password"
    chmod 600 "$S/demo-password"
    pw=$(cat "$S/demo-password")
    printf '%s\n' "$pw" | pk account add "$USER" --password-stdin >/dev/null
    pk alias add "$ALIAS" "$USER" >/dev/null
    pk dkim keygen "$DOMAIN" --selector stack >"$S/dkim-record.txt"
    # What mail clients are told (postkontor clientconfig): the stack's ports.
    pk domain set "$DOMAIN" "name=postkontor stack" imaps-port=$P_IMAPS imap-port=$P_IMAP \
        pop3s-port=$P_POP3S pop3-port=$P_POP3 submissions-port=$P_SMTPS \
        submission-port=$P_SUB >/dev/null
    ln -s "$S/usage" "$S/db/usage"
    # The auth process (user dovecot) reads the database; LMDB readers
    # write their slot in lock.mdb.
    chgrp dovecot "$S/db" "$S/db/data.mdb" "$S/db/lock.mdb"
    chmod 750 "$S/db"; chmod 640 "$S/db/data.mdb"; chmod 660 "$S/db/lock.mdb"

    say "Dovecot: IMAP $P_IMAP/$P_IMAPS, POP3 $P_POP3/$P_POP3S"
    for m in "$AUTHDIR"/*.so; do install -m 644 "$m" "$S/dovecot/auth-modules/"; done
    install -m 644 "$bd/dovecot-plugin/.libs/libauthdb_postkontor.so" "$S/dovecot/auth-modules/"
    for m in lib10_quota_plugin.so lib11_imap_quota_plugin.so; do
        ln -s "/usr/lib/dovecot/modules/$m" "$S/dovecot/mail-modules/"
    done
    install -m 644 "$bd/dovecot-plugin/.libs/lib20_postkontor_plugin.so" "$S/dovecot/mail-modules/"
    sed -e "s|/var/lib/postkontor-usage|$S/usage|g" \
        -e "s|/var/lib/postkontor|$S/db|g" \
        -e "s|/var/vmail|$S/vmail|g" \
        -e "s|/etc/dovecot/private/dovecot.pem|$S/tls/cert.pem|" \
        -e "s|/etc/dovecot/private/dovecot.key|$S/tls/key.pem|" \
        -e "s|port = 143$|port = $P_IMAP|" -e "s|port = 993$|port = $P_IMAPS|" \
        -e "s|port = 110$|port = $P_POP3|" -e "s|port = 995$|port = $P_POP3S|" \
        -e "s|port = 24$|port = $P_LMTP|" \
        -e "s|^listen = \*|listen = 127.0.0.1|" \
        -e "s|uid=5000 gid=5000|uid=$MAILUID gid=$MAILUID|" \
        "$top/doc/dovecot-example.conf" >"$S/dovecot/dovecot.conf"
    cat >>"$S/dovecot/dovecot.conf" <<EOF

# --- scripts/stack.sh: everything under the state directory ---
base_dir = $S/run/dovecot
state_dir = $S/dovecot/state
log_path = $S/log/dovecot.log
mail_plugin_dir = $S/dovecot/mail-modules
instance_name = postkontor-stack
# Postfix's smtpd (group postfix) asks for SASL logins here.
service auth {
  unix_listener auth-client {
    group = postfix
    mode = 0660
  }
}
EOF
    unshare -m sh -c 'mount --bind "$1" "$2" && exec dovecot -c "$3"' sh \
        "$S/dovecot/auth-modules" "$AUTHDIR" "$S/dovecot/dovecot.conf" \
        >"$S/log/dovecot.start" 2>&1 || { cat "$S/log/dovecot.start" >&2; die "Dovecot did not start"; }
    n=0
    while [ $n -lt 150 ]; do
        rc=0; doveadm -c "$S/dovecot/dovecot.conf" user probe@invalid.test >/dev/null 2>&1 || rc=$?
        [ $rc = 67 ] && break
        sleep 0.1; n=$((n + 1))
    done
    [ -f "$S/run/dovecot/master.pid" ] && cp "$S/run/dovecot/master.pid" "$S/dovecot.pid"
    [ $n -lt 150 ] || { cat "$S/log/dovecot.log" >&2; die "Dovecot's postkontor userdb does not answer"; }

    say "postkontor-postfix and postkontor-milter"
    sock=$S/run/postkontor
    setsid "$bd/postfix-policy/postkontor-postfix" --db "$S/db" --foreground \
        --socket-mode 0666 --socketmap "unix:$sock/postfix.sock" \
        --policy "unix:$sock/policy.sock" </dev/null >>"$S/log/postkontor-postfix.log" 2>&1 &
    echo $! >"$S/pkpf.pid"
    setsid "$bd/milter/postkontor-milter" --db "$S/db" --foreground \
        --socket "unix:$sock/milter.sock" </dev/null >>"$S/log/postkontor-milter.log" 2>&1 &
    echo $! >"$S/milter.pid"
    ready test -S "$sock/postfix.sock" -a -S "$sock/policy.sock" -a -S "$sock/milter.sock" ||
        { cat "$S/log/postkontor-postfix.log" "$S/log/postkontor-milter.log" >&2; die "the daemons did not start"; }
    chmod 666 "$sock/milter.sock"

    say "Postfix: SMTP $P_SMTP, submission $P_SUB, submissions $P_SMTPS"
    pf=$S/postfix
    sed -e "s|/run/postkontor/|$sock/|g" \
        -e "s|lmtp:unix:private/dovecot-lmtp|lmtp:inet:127.0.0.1:$P_LMTP|" \
        "$top/doc/postfix-main.cf.example" >"$pf/etc/main.cf"
    cat >>"$pf/etc/main.cf" <<EOF

# --- scripts/stack.sh: private directories, loopback, nothing leaves ---
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
default_transport = error:this stack delivers no mail off the machine
relay_transport = error:this stack delivers no mail off the machine
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
maillog_file = $S/log/postfix.log
maillog_file_prefixes = $S/log
smtpd_tls_security_level = may
smtpd_tls_cert_file = $S/tls/cert.pem
smtpd_tls_key_file = $S/tls/key.pem
smtpd_sasl_type = dovecot
smtpd_sasl_path = $S/run/dovecot/auth-client
smtputf8_enable = yes
milter_default_action = tempfail
milter_connect_macros =
milter_helo_macros =
milter_mail_macros = {auth_authen}
milter_rcpt_macros =
milter_data_macros =
milter_end_of_header_macros =
milter_end_of_data_macros =
milter_unknown_command_macros =
disable_mime_output_conversion = yes
EOF
    # master.cf: the example's services, without chroot, on the stack's
    # ports, the milter on both submission services.
    sed "s|/run/postkontor/|$sock/|g" "$top/doc/postfix-master.cf.example" |
        awk -v smtp="$P_SMTP" -v subp="$P_SUB" -v smtps="$P_SMTPS" -v milter="unix:$sock/milter.sock" '
            /^#/ || /^$/ || /^[ \t]/ { print; next }
            { m = 0
              if ($2 == "inet" && $1 == "smtp") $1 = "127.0.0.1:" smtp
              else if ($2 == "inet" && $1 == "submission") { $1 = "127.0.0.1:" subp; m = 1 }
              else if ($2 == "inet" && $1 == "smtps") { $1 = "127.0.0.1:" smtps; m = 1 }
              $5 = "n"; print
              if (m) print "  -o smtpd_milters=" milter }' >"$pf/etc/master.cf"
    touch "$S/log/postfix.log"; chown postfix "$S/log/postfix.log"
    script -qec "postfix -c $pf/etc check" /dev/null >"$S/log/postfix.start" 2>&1 ||
        { cat "$S/log/postfix.start" >&2; die "postfix check failed"; }
    script -qec "postfix -c $pf/etc start" /dev/null >>"$S/log/postfix.start" 2>&1 ||
        { cat "$S/log/postfix.start" "$S/log/postfix.log" >&2; die "Postfix did not start"; }
    for p in $P_SMTP $P_SUB; do
        ready smtp_banner "$p" || { cat "$S/log/postfix.log" >&2; die "no SMTP banner on $p"; }
    done

    say "sending to $ALIAS (port $P_SMTP) and, logged in as $USER, through submissions (port $P_SMTPS)"
    swaks --server 127.0.0.1 --port "$P_SMTP" --ehlo client.example.org \
        --from someone@example.org --to "$ALIAS" \
        --header "Subject: Hello through the alias" \
        --body "Delivered by Postfix to $ALIAS, stored by Dovecot for $USER." \
        </dev/null >"$S/log/swaks-inbound.log" 2>&1 ||
        { cat "$S/log/swaks-inbound.log" >&2; die "swaks (port $P_SMTP) failed"; }
    swaks --server 127.0.0.1 --port "$P_SMTPS" --tls-on-connect --ehlo client.example.org \
        --auth PLAIN --auth-user "$USER" --auth-password "$pw" \
        --from "$USER" --to "$ALIAS" --header "From: $USER" \
        --header "Subject: Signed on submission" \
        --body "Sent by $USER, DKIM-signed by postkontor-milter." \
        </dev/null >"$S/log/swaks-submission.log" 2>&1 ||
        { cat "$S/log/swaks-submission.log" >&2; die "swaks (port $P_SMTPS) failed"; }

    say "reading $USER's inbox over IMAPS (port $P_IMAPS)"
    "$PY" - "$P_IMAPS" "$USER" "$pw" "$S/tls/cert.pem" <<'PYEOF' || die "the messages did not arrive"
import imaplib, ssl, sys, time, email
port, user, pw, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)   # the stack's certificate, verified
want = ["Hello through the alias", "Signed on submission"]
deadline = time.time() + 30
while True:
    m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx)
    m.login(user, pw)
    m.select("INBOX", readonly=True)
    found = {}
    for num in m.search(None, "ALL")[1][0].split():
        msg = email.message_from_bytes(m.fetch(num, "(RFC822.HEADER)")[1][0][1])
        found[msg["Subject"]] = msg
    m.logout()
    if all(w in found for w in want) or time.time() > deadline:
        break
    time.sleep(0.3)
for w in want:
    if w not in found:
        print("  missing: " + w); sys.exit(1)
    msg = found[w]
    dkim = "DKIM-signed d=" + msg["DKIM-Signature"].split("d=")[1].split(";")[0] \
        if msg["DKIM-Signature"] else "not signed"
    print("  arrived: %-26s To: %s, %s" % (w, msg["To"], dkim))
PYEOF

    stopenv=
    [ "$S" = "$top/stack" ] || stopenv="PK_STACK_DIR=$S "
    cat <<EOF

Mail server settings for $USER
(on a real host: its name, and ports 993, 143, 995, 110, 465, 587, 25)

  Service   Server     Port   Security            Username
  IMAP      localhost  $P_IMAPS  SSL/TLS (implicit)  $USER
  IMAP      localhost  $P_IMAP  STARTTLS            $USER
  POP3      localhost  $P_POP3S  SSL/TLS (implicit)  $USER
  POP3      localhost  $P_POP3  STARTTLS            $USER
  SMTP      localhost  $P_SMTPS  SSL/TLS (implicit)  $USER
  SMTP      localhost  $P_SUB  STARTTLS            $USER
  Password: $pw (normal password; in $S/demo-password)
  Inbound mail for $DOMAIN (MX): localhost port $P_SMTP, no login.

The certificate is self-signed: $S/tls/cert.pem.
Logs are in $S/log; the database is $S/db, for example:
  $pk_bin --db $S/db list
Client setup files (with the host name of a real host, mail.$DOMAIN):
  $pk_bin --db $S/db clientconfig $USER --format thunderbird|autodiscover|mobileconfig|srv|text
Stop everything with: ${stopenv}scripts/stack.sh stop   (clean: also remove $S)
EOF
    trap - EXIT
}

case ${1:-start} in
    start) start ;;
    stop) stop; [ -d "$S" ] && say "stopped" || true ;;
    clean) stop; rm -rf "$S"; say "removed $S" ;;
    *) die "usage: scripts/stack.sh [start|stop|clean]" ;;
esac
