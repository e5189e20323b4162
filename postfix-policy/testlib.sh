# testlib.sh - helpers for the postkontor-postfix integration tests
# (sourced after tests/integration/lib.sh, POSIX sh).
#
# free_port BASE: the first port from BASE up that nothing listens on.
# pkpf_start ARGS...: start the daemon in the foreground (log in
#   $T/pkpf.log), with the sockets $T/run/postfix.sock and $T/run/policy.sock,
#   wait until both exist; stopped at exit.
# pkpf_stop: SIGTERM and wait (bounded).
# postfix_start PORT: a private Postfix (config $T/pf/etc from the
#   examples in doc/, queue $T/pf/spool) listening on 127.0.0.1:PORT with
#   our maps and policy; stopped at exit. Mail never leaves the machine:
#   every non-local transport is error:, and local delivery goes to
#   the LMTP sink at $T/run/lmtp.sock.
# lmtp_sink_start: the python LMTP sink; each delivery appends
#   "RCPT-ADDRESS MESSAGE-ID" to $T/delivered.

PKPF_BIN=${PKPF_BIN:-$top_builddir/postfix-policy/postkontor-postfix}
PKPF_PID=
PF_UP=
SINK_PID=
PYTHON=/usr/bin/python3

free_port() {
    p=$1
    while [ "$p" -lt 65000 ]; do
        if port_free "$p"; then
            echo "$p"; return 0
        fi
        p=$((p + 1))
    done
    return 1
}

# test_port_base: a base port distinct per test file and run
test_port_base() { echo $((20000 + ($$ % 120) * 100 + $1)); }

wait_for_file() {
    i=0
    while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$1" ]
}

pkpf_start() {
    mkdir -p "$T/run"
    rm -f "$T/run/postfix.sock" "$T/run/policy.sock"
    "$PKPF_BIN" --db "$T/db" --foreground --socket-mode 0666 \
        --socketmap "unix:$T/run/postfix.sock" --policy "unix:$T/run/policy.sock" \
        "$@" >>"$T/pkpf.log" 2>&1 &
    PKPF_PID=$!
    wait_for_file "$T/run/postfix.sock" && wait_for_file "$T/run/policy.sock" || {
        echo "FAIL: postkontor-postfix did not start"; cat "$T/pkpf.log"; exit 1; }
}

pkpf_stop() {
    [ -n "$PKPF_PID" ] || return 0
    kill -TERM "$PKPF_PID" 2>/dev/null
    i=0
    while kill -0 "$PKPF_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    wait "$PKPF_PID" 2>/dev/null
    PKPF_RC=$?
    PKPF_PID=
}
on_exit pkpf_stop

lmtp_sink_start() {
    : >"$T/delivered"
    "$PYTHON" - "$T/run/lmtp.sock" "$T/delivered" >"$T/sink.log" 2>&1 <<'PYEOF' &
import os, socketserver, sys
path, out = sys.argv[1], sys.argv[2]

class LMTP(socketserver.StreamRequestHandler):
    def handle(self):
        w = lambda s: (self.wfile.write(s.encode() + b"\r\n"), self.wfile.flush())
        w("220 sink LMTP")
        rcpts = []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("utf-8", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "LHLO":
                w("250-sink"); w("250-8BITMIME"); w("250-SMTPUTF8"); w("250 PIPELINING")
            elif verb == "MAIL":
                rcpts = []; w("250 ok")
            elif verb == "RCPT":
                rcpts.append(cmd[cmd.index("<") + 1:cmd.rindex(">")]); w("250 ok")
            elif verb == "DATA":
                w("354 go")
                mid = ""
                while True:
                    l = self.rfile.readline(100000)
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    if l.lower().startswith(b"message-id:"):
                        mid = l.split(b":", 1)[1].strip().decode()
                with open(out, "a") as f:
                    for r in rcpts:
                        f.write("%s %s\n" % (r, mid))
                for r in rcpts:
                    w("250 2.0.0 delivered to " + r)
            elif verb == "RSET":
                rcpts = []; w("250 ok")
            elif verb == "QUIT":
                w("221 bye"); return
            else:
                w("250 ok")

class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

if os.path.exists(path):
    os.unlink(path)
srv = Server(path, LMTP)
os.chmod(path, 0o666)
srv.serve_forever()
PYEOF
    SINK_PID=$!
    wait_for_file "$T/run/lmtp.sock" || { echo "FAIL: LMTP sink did not start"; cat "$T/sink.log"; exit 1; }
}

sink_stop() {
    [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
    SINK_PID=
}
on_exit sink_stop

postfix_start() {
    port=$1
    pf=$T/pf
    # Postfix's unprivileged processes must reach the sockets under $T.
    chmod 711 "$T"
    mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
    chown postfix "$pf/data"
    # The examples, with the test's socket paths, plus what a test needs:
    # private directories, no syslog, and nothing that could leave.
    sed "s|/run/postkontor/|$T/run/|g; s|unix:private/dovecot-lmtp|${PF_LMTP:-unix:$T/run/lmtp.sock}|" \
        "$top_srcdir/doc/postfix-main.cf.example" >"$pf/etc/main.cf"
    cat >>"$pf/etc/main.cf" <<EOF

# --- test overrides ---
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
default_transport = error:mail to outside addresses is disabled in this test
relay_transport = error:mail to outside addresses is disabled in this test
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
maillog_file = $T/maillog
maillog_file_prefixes = $T
smtpd_tls_security_level = none
smtputf8_enable = yes
EOF
    if [ -n "${PF_SUBMISSION_PORT:-}" ]; then
        cat >>"$pf/etc/main.cf" <<EOF
smtpd_tls_cert_file = $T/tls/cert.pem
smtpd_tls_key_file = $T/tls/key.pem
smtpd_sasl_type = dovecot
smtpd_sasl_path = $PF_SASL_PATH
EOF
    fi
    # master.cf: no chroot, the listeners moved to test ports, and the
    # submission services (TLS and SASL) left out unless ports are given
    # for them in PF_SUBMISSION_PORT and PF_SMTPS_PORT.
    sed "s|/run/postkontor/|$T/run/|g" "$top_srcdir/doc/postfix-master.cf.example" |
        awk -v port="$port" -v subport="${PF_SUBMISSION_PORT:-}" -v smtps="${PF_SMTPS_PORT:-}" '
            /^#/ || /^$/ { print; next }
            /^[ \t]/ { if (!skip) print; next }
            { skip = 0
              if ($1 == "submission" && $2 == "inet") {
                  if (subport == "") { skip = 1; next }
                  $1 = "127.0.0.1:" subport
              }
              if ($1 == "smtps" && $2 == "inet") {
                  if (smtps == "") { skip = 1; next }
                  $1 = "127.0.0.1:" smtps
              }
              if ($1 == "smtp" && $2 == "inet") $1 = "127.0.0.1:" port
              $5 = "n"; print }' >"$pf/etc/master.cf"
    touch "$T/maillog"
    chown postfix "$T/maillog"
    if ! script -qec "postfix -c $pf/etc check" /dev/null >"$T/pf-check.log" 2>&1; then
        echo "FAIL: postfix check"; cat "$T/pf-check.log"; exit 1
    fi
    if ! script -qec "postfix -c $pf/etc start" /dev/null >"$T/pf-start.log" 2>&1; then
        echo "FAIL: postfix start"; cat "$T/pf-start.log" "$T/maillog"; exit 1
    fi
    PF_UP=$pf
    i=0
    until "$PYTHON" -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "FAIL: no SMTP banner on $port"; cat "$T/maillog"; exit 1; }
        sleep 0.1
    done
}

postfix_stop() {
    [ -n "$PF_UP" ] || return 0
    pid=$(tr -d ' \n' <"$PF_UP/spool/pid/master.pid" 2>/dev/null)
    postfix -c "$PF_UP/etc" stop >/dev/null 2>&1
    i=0
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    PF_UP=
}
on_exit postfix_stop
