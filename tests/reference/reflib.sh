# reflib.sh - helpers for the reference server's integration tests
# (sourced after tests/integration/lib.sh, POSIX sh).
#
# ref_setup: a certificate, a database with domain example.test,
#   accounts alice@example.test (password $ALICE_PW) and
#   bob@example.test ($BOB_PW), an alias team@example.test -> alice, bob
#   and one with an outside destination; a Maildir root $MAILROOT.
# ref_start [OPTIONS...]: start postkontor-refserver on free ports
#   (SMTP_PORT SUB_PORT SMTPS_PORT POP3_PORT POP3S_PORT IMAP_PORT
#   IMAPS_PORT) and wait until it is ready; ref_stop stops it.
# ref_py: the Python with Debian's modules.

REFSERVER="$top_builddir/tests/reference/postkontor-refserver"
[ -x "$REFSERVER" ] || { echo "FAIL: $REFSERVER is not built" >&2; exit 1; }
ALICE_PW='alice horse battery'
BOB_PW='bob staple pencil'
MAILROOT=$T/mail
CERT=$T/cert.pem
KEY=$T/key.pem
REF_PID=

ref_py() { /usr/bin/python3 "$@"; }

# free_port N: print a port from N upwards nobody listens on
free_port() {
    p=$1
    until port_free "$p"; do p=$((p + 1)); done
    echo "$p"
}

ref_setup() {
    need openssl ss
    mkdir -p "$MAILROOT"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$KEY" -out "$CERT" >/dev/null 2>&1 ||
        { echo "FAIL: cannot make a certificate" >&2; exit 1; }
    pk init >/dev/null &&
        pk domain add example.test >/dev/null &&
        pk domain add example.org >/dev/null &&
        printf '%s\n' "$ALICE_PW" | pk account add alice@example.test --password-stdin >/dev/null &&
        printf '%s\n' "$BOB_PW" | pk account add bob@example.test --password-stdin >/dev/null &&
        pk alias add team@example.test alice@example.test bob@example.test >/dev/null &&
        pk alias add mixed@example.test alice@example.test someone@outside.invalid >/dev/null ||
        { echo "FAIL: cannot set up the database" >&2; exit 1; }
}

ref_stop() {
    if [ -n "$REF_PID" ]; then
        kill "$REF_PID" 2>/dev/null
        i=0
        while kill -0 "$REF_PID" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1; i=$((i + 1))
        done
        kill -9 "$REF_PID" 2>/dev/null
        REF_PID=
    fi
    return 0
}

# ref_try_start BASE OPTIONS...: one start on ports from BASE; 0 if ready
ref_try_start() {
    SMTP_PORT=$(free_port "$1")
    shift
    SUB_PORT=$(free_port $((SMTP_PORT + 1)))
    SMTPS_PORT=$(free_port $((SUB_PORT + 1)))
    POP3_PORT=$(free_port $((SMTPS_PORT + 1)))
    POP3S_PORT=$(free_port $((POP3_PORT + 1)))
    IMAP_PORT=$(free_port $((POP3S_PORT + 1)))
    IMAPS_PORT=$(free_port $((IMAP_PORT + 1)))
    : >"$T/server.log"
    "$REFSERVER" --db "$T/db" --maildir "$MAILROOT" --cert "$CERT" --key "$KEY" \
        --smtp "$SMTP_PORT" --submission "$SUB_PORT" --smtps "$SMTPS_PORT" \
        --pop3 "$POP3_PORT" --pop3s "$POP3S_PORT" --imap "$IMAP_PORT" \
        --imaps "$IMAPS_PORT" --hostname mx.example.test --foreground "$@" \
        2>>"$T/server.log" &
    REF_PID=$!
    i=0
    while ! grep -q 'ready:' "$T/server.log" && [ $i -lt 100 ]; do
        kill -0 "$REF_PID" 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    grep -q 'ready:' "$T/server.log"
}

ref_start() {
    # 37 ports apart per process id: room for 7 listeners and a peer's.
    # Another test may take a port between our check and our bind: then
    # start again elsewhere, a few times.
    base=$((20000 + ($$ * 37) % 12000))
    for attempt in 1 2 3 4 5; do
        ref_try_start "$base" "$@" && return 0
        grep -q 'Address already in use' "$T/server.log" || break
        REF_PID=
        base=$((20000 + (base + 997 * attempt) % 40000))
    done
    echo "FAIL: postkontor-refserver did not start" >&2
    cat "$T/server.log" >&2
    exit 1
}
on_exit ref_stop

# maildir_count ADDR: messages in new/ and cur/ of an INBOX
maildir_count() {
    d=$MAILROOT/${1#*@}/${1%@*}/Maildir
    find "$d/new" "$d/cur" -type f 2>/dev/null | wc -l
}

# rawtalk PORT SCRIPT [TLS]: send SCRIPT (printf format, may pipeline)
# to a server with a pause after each "@@" marker, print the replies.
# The SCRIPT bytes are sent exactly, so bare CR/LF can be tested.
rawtalk() {
    ref_py "$top_srcdir/tests/reference/rawtalk.py" "$@"
}
