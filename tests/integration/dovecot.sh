# dovecot.sh - a private Dovecot for integration tests (sourced after lib.sh)
#
# dc_setup prepares everything in $T: a self-signed certificate, the
# database permissions Dovecot needs (doc/dovecot-example.conf), the mail
# root and usage directory, the modules (the just-built auth module beside
# copies of the shipped ones, the mail plugin beside the quota plugin) and
# $DC_CONF, made from doc/dovecot-example.conf with paths and ports
# replaced and test-only settings appended. dc_start starts Dovecot in a
# private mount namespace in which $T/auth-modules is bind-mounted over
# Dovecot's fixed auth module directory, and waits until the postkontor
# userdb answers. dc_stop stops it (registered with on_exit by dc_setup).
#
# Ports: DC_IMAP DC_IMAPS DC_POP3 DC_POP3S DC_LMTP, free ones from a range
# derived from the test's PID. The LMTP unix socket is $DC_RUN/lmtp, the
# auth-client socket $DC_RUN/auth-client (for Postfix SASL).
#
# Helpers: dc_auth_test NAME PASSWORD (doveadm auth test from a fresh
# loopback address each time, see dc_next_ip), dc_doveadm ARGS... (doveadm with $DC_CONF), dc_log (the log),
# dc_auth_pid (the auth process's PID, to show it survived), dc_db_perms
# (redo the database permissions after "postkontor init").

: "${top_builddir:?}" "${top_srcdir:?}"
DC_MODULE="$top_builddir/dovecot-plugin/.libs/libauthdb_postkontor.so"
DC_PLUGIN="$top_builddir/dovecot-plugin/.libs/lib20_postkontor_plugin.so"
DC_EXAMPLE="$top_srcdir/doc/dovecot-example.conf"
DC_SYS_AUTH=/usr/lib/dovecot/modules/auth
DC_SYS_MODULES=/usr/lib/dovecot/modules
DC_UID=5000
DC_GID=5000
DC_CONF="$T/dovecot.conf"
DC_RUN="$T/run"


# dc_pick_ports: five consecutive free ports from a PID-derived range
dc_pick_ports() {
    base=$((20000 + ($$ % 1200) * 10))
    tries=0
    while [ $tries -lt 200 ]; do
        ok=1
        for i in 0 1 2 3 4; do port_free $((base + i)) || ok=0; done
        if [ $ok = 1 ]; then
            DC_IMAP=$base DC_IMAPS=$((base + 1)) DC_POP3=$((base + 2))
            DC_POP3S=$((base + 3)) DC_LMTP=$((base + 4))
            return 0
        fi
        base=$((base + 10)); [ $base -gt 32700 ] && base=20000
        tries=$((tries + 1))
    done
    echo "FAIL: no free ports" >&2; exit 1
}

# dc_db_perms: the database readable by the auth process (user dovecot)
dc_db_perms() {
    chgrp dovecot "$T/db" "$T/db/data.mdb" "$T/db/lock.mdb" &&
        chmod 750 "$T/db" && chmod 640 "$T/db/data.mdb" &&
        chmod 660 "$T/db/lock.mdb"
}

# dc_setup: certificate, directories, modules and $DC_CONF
dc_setup() {
    need dovecot doveadm openssl unshare mount ss sed
    [ -f "$DC_MODULE" ] || { echo "FAIL: $DC_MODULE is not built" >&2; exit 1; }
    [ -f "$DC_PLUGIN" ] || { echo "FAIL: $DC_PLUGIN is not built" >&2; exit 1; }
    # Dovecot's unprivileged processes must reach their sockets under $T.
    chmod 711 "$T"
    dc_pick_ports
    mkdir -p "$T/tls" "$T/auth-modules" "$T/mail-modules" "$T/vmail" \
        "$T/usage" "$DC_RUN" "$T/state"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$T/tls/key.pem" -out "$T/tls/cert.pem" >/dev/null 2>&1 ||
        { echo "FAIL: openssl could not make a certificate" >&2; exit 1; }
    chmod 600 "$T/tls/key.pem"
    # The bind mount hides the shipped modules: copy them first.
    for m in "$DC_SYS_AUTH"/*.so; do install -m 644 "$m" "$T/auth-modules/"; done
    install -m 644 "$DC_MODULE" "$T/auth-modules/"
    ln -s "$DC_SYS_MODULES/lib10_quota_plugin.so" "$T/mail-modules/"
    ln -s "$DC_SYS_MODULES/lib11_imap_quota_plugin.so" "$T/mail-modules/"
    install -m 644 "$DC_PLUGIN" "$T/mail-modules/"
    chown "$DC_UID:$DC_GID" "$T/vmail"
    chown "root:$DC_GID" "$T/usage"; chmod 2770 "$T/usage"
    sed -e "s|/var/lib/postkontor-usage|$T/usage|g" \
        -e "s|/var/lib/postkontor|$T/db|g" \
        -e "s|/var/vmail|$T/vmail|g" \
        -e "s|/etc/dovecot/private/dovecot.pem|$T/tls/cert.pem|" \
        -e "s|/etc/dovecot/private/dovecot.key|$T/tls/key.pem|" \
        -e "s|port = 143$|port = $DC_IMAP|" -e "s|port = 993$|port = $DC_IMAPS|" \
        -e "s|port = 110$|port = $DC_POP3|" -e "s|port = 995$|port = $DC_POP3S|" \
        -e "s|port = 24$|port = $DC_LMTP|" \
        -e "s|^listen = \*|listen = 127.0.0.1|" \
        "$DC_EXAMPLE" >"$DC_CONF"
    cat >>"$DC_CONF" <<EOF

# --- test-only settings (dovecot.sh) ---
base_dir = $DC_RUN
state_dir = $T/state
log_path = $T/dovecot.log
mail_plugin_dir = $T/mail-modules
instance_name = pk-test-$$
auth_failure_delay = 0
EOF
    on_exit dc_stop
}

# dc_doveadm ARGS...: doveadm against the private instance
dc_doveadm() { doveadm -c "$DC_CONF" "$@"; }

# dc_next_ip: set DC_IP to a loopback address not used before in this
# test. Dovecot delays every login from an address that failed before
# (anvil's auth penalty, up to seconds), so each login gets its own.
DC_IP_N=0
dc_next_ip() {
    DC_IP_N=$((DC_IP_N + 1))
    DC_IP=127.0.$((DC_IP_N / 250 + 1)).$((DC_IP_N % 250 + 2))
}

# dc_auth_test NAME PASSWORD: doveadm auth test from a fresh address
dc_auth_test() {
    dc_next_ip
    dc_doveadm auth test -x rip="$DC_IP" "$1" "$2"
}

dc_log() { cat "$T/dovecot.log" 2>/dev/null; }

# dc_master_pid: the master's PID, or nothing
dc_master_pid() { cat "$DC_RUN/master.pid" 2>/dev/null; }

# dc_auth_pid: the PID of the (first) auth process of this instance
dc_auth_pid() {
    m=$(dc_master_pid)
    [ -n "$m" ] && ps -o pid=,args= --ppid "$m" |
        awk '$2 ~ /\/auth$/ && NF == 2 { print $1; exit }'
}

# dc_start: start Dovecot with the private module directory; wait until
# the postkontor userdb answers (an unknown user is an answer). $DC_WRAP,
# if set, prefixes the command (benchmarks: DC_WRAP="taskset -c 0").
dc_start() {
    ${DC_WRAP:-} unshare -m sh -c 'mount --bind "$1" "$2" && exec dovecot -c "$3"' sh \
        "$T/auth-modules" "$DC_SYS_AUTH" "$DC_CONF" >"$T/dovecot.start" 2>&1 ||
        { echo "FAIL: dovecot did not start:"; cat "$T/dovecot.start"; dc_log; exit 1; }
    i=0
    while [ $i -lt 150 ]; do
        dc_doveadm user readiness-probe@invalid.test >/dev/null 2>&1
        [ $? = 67 ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL: dovecot's postkontor userdb never answered"; dc_doveadm user readiness-probe@invalid.test; echo rc=$?; dc_log; exit 1
}

# dc_stop: stop the instance and wait for the master to exit
dc_stop() {
    m=$(dc_master_pid)
    [ -n "$m" ] && kill -0 "$m" 2>/dev/null || return 0
    kill -TERM "$m"
    i=0
    while kill -0 "$m" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$m" 2>/dev/null && kill -KILL "$m"
    return 0
}
