#!/bin/sh
# t-dovecot-imap-pop3-login.sh - mail clients log in with postkontor accounts
#
# A private Dovecot with the just-built module, on 127.0.0.1 with TLS.
# curl logs in over IMAP with STARTTLS and over IMAPS, over POP3 with STLS
# and over POP3S; Python's imaplib and poplib do the same and show what a
# client is told: a wrong password, an unknown user, a suspended account
# (its reason), and no plaintext login before TLS from another address.
# Each login comes from its own loopback address (see dc_next_ip).

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
need curl /usr/bin/python3

pw() { p=$1; shift; printf '%s\n' "$p" | pk "$@"; }

# curl_login URL USER PASSWORD: curl logs in (STARTTLS where the URL is
# plain) and lists the mailbox; prints curl's exit code on failure
curl_login() {
    dc_next_ip
    curl -sS --max-time 20 --ssl-reqd --cacert "$T/tls/cert.pem" \
        --interface "$DC_IP" --user "$2:$3" "$1"
}

# curl_refused URL USER PASSWORD: curl's login is refused (exit 67)
curl_refused() {
    curl_login "$@"
    [ $? = 67 ]
}

# py MODE PORT USER PASSWORD: run the Python client; it prints what the
# server said and exits 0 for a login, 1 for a refusal, 2 otherwise
py() {
    dc_next_ip
    /usr/bin/python3 "$T/client.py" "$1" "$2" "$3" "$4" "$DC_IP" \
        "$T/tls/cert.pem"
}

cat >"$T/client.py" <<'EOF'
import imaplib, poplib, socket, ssl, sys

mode, port, user, password, src, ca = sys.argv[1:7]
port = int(port)
ctx = ssl.create_default_context(cafile=ca)

class IMAP(imaplib.IMAP4):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(src, 0))

class IMAPS(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout,
                                        source_address=(src, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)

class POP(poplib.POP3):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(src, 0))

class POPS(poplib.POP3_SSL):
    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout,
                                        source_address=(src, 0))
        return self.context.wrap_socket(sock, server_hostname=self.host)

try:
    if mode in ("imap-starttls", "imap-plain", "imaps"):
        if mode == "imaps":
            c = IMAPS("127.0.0.1", port, ssl_context=ctx, timeout=20)
        else:
            c = IMAP("127.0.0.1", port, timeout=20)
            if mode == "imap-starttls":
                c.starttls(ssl_context=ctx)
            else:
                print("capabilities:", " ".join(c.capabilities))
        typ, data = c.login(user, password)
        print(typ, data)
        typ, data = c.select("INBOX")
        print("select", typ, data)
        c.logout()
    else:
        if mode == "pop3s":
            c = POPS("127.0.0.1", port, context=ctx, timeout=20)
        else:
            c = POP("127.0.0.1", port, timeout=20)
            if mode == "pop3-stls":
                c.stls(context=ctx)
        c.user(user)
        print(c.pass_(password))
        print("stat", c.stat())
        c.quit()
except (imaplib.IMAP4.error, poplib.error_proto) as e:
    print("refused:", e)
    sys.exit(1)
except Exception as e:
    print("error:", type(e).__name__, e)
    sys.exit(2)
EOF

# py_says NAME WANT-EXIT PATTERN MODE PORT USER PASSWORD
py_says() {
    name=$1; want=$2; pattern=$3; shift 3
    py "$@" >"$T/py.out" 2>&1
    rc=$?
    if [ $rc = "$want" ] && grep -Eq -- "$pattern" "$T/py.out"; then pass "$name"; else
        fail "$name (exit $rc)"; sed 's/^/     | /' "$T/py.out"; fi
}

dc_setup
check "init" pk init
check "domain" pk domain add example.se
check "alice" pw 'alice pw 1' account add alice@example.se --password-stdin
check "bob" pw 'bob pw 1' account add bob@example.se --password-stdin
dc_db_perms || fail "database permissions"
dc_start

echo "# curl"
check "curl IMAP with STARTTLS" curl_login "imap://127.0.0.1:$DC_IMAP/" alice@example.se 'alice pw 1'
grep -q INBOX "$T/out" && pass "curl lists INBOX" || fail "curl lists INBOX"
check "curl IMAPS" curl_login "imaps://127.0.0.1:$DC_IMAPS/" alice@example.se 'alice pw 1'
check "curl POP3 with STLS" curl_login "pop3://127.0.0.1:$DC_POP3/" alice@example.se 'alice pw 1'
check "curl POP3S" curl_login "pop3s://127.0.0.1:$DC_POP3S/" alice@example.se 'alice pw 1'
check "curl IMAPS with a mixed-case name" curl_login "imaps://127.0.0.1:$DC_IMAPS/" Alice@EXAMPLE.se 'alice pw 1'
check "curl IMAPS, wrong password refused" curl_refused "imaps://127.0.0.1:$DC_IMAPS/" alice@example.se 'alice pw 2'
check "curl POP3S, unknown user refused" curl_refused "pop3s://127.0.0.1:$DC_POP3S/" nobody@example.se 'x'

echo "# Python imaplib and poplib"
py_says "imaplib STARTTLS login" 0 "^OK" imap-starttls "$DC_IMAP" alice@example.se 'alice pw 1'
py_says "imaplib IMAPS login" 0 "^OK" imaps "$DC_IMAPS" alice@example.se 'alice pw 1'
py_says "poplib STLS login" 0 "^b'\+OK" pop3-stls "$DC_POP3" alice@example.se 'alice pw 1'
py_says "poplib POP3S login" 0 "^b'\+OK" pop3s "$DC_POP3S" alice@example.se 'alice pw 1'
py_says "imaplib: a wrong password is an authentication failure" 1 \
    "AUTHENTICATIONFAILED" imaps "$DC_IMAPS" alice@example.se 'alice pw 2'
py_says "imaplib: an unknown user is an authentication failure" 1 \
    "AUTHENTICATIONFAILED" imaps "$DC_IMAPS" nobody@example.se 'alice pw 1'
py_says "imaplib: an odd name is an authentication failure" 1 \
    "AUTHENTICATIONFAILED" imaps "$DC_IMAPS" 'alice%d@example.se' 'alice pw 1'
py_says "imaplib: no plaintext login before STARTTLS from another address" 1 \
    "LOGINDISABLED|disabled" imap-plain "$DC_IMAP" alice@example.se 'alice pw 1'

echo "# state changes, seen by clients at the next login"
check "suspend bob" pk account suspend bob@example.se
py_says "imaplib: a suspended account is told why" 1 "account suspended" \
    imaps "$DC_IMAPS" bob@example.se 'bob pw 1'
py_says "poplib: a suspended account is told why" 1 "account suspended" \
    pop3s "$DC_POP3S" bob@example.se 'bob pw 1'
py_says "imaplib: a suspended account with a wrong password is not told" 1 \
    "AUTHENTICATIONFAILED" imaps "$DC_IMAPS" bob@example.se 'bob pw 2'
grep -q suspended "$T/py.out" && fail "no state for a wrong password" ||
    pass "no state for a wrong password"
check "resume bob" pk account resume bob@example.se
py_says "imaplib: a resumed account logs in" 0 "^OK" imaps "$DC_IMAPS" bob@example.se 'bob pw 1'
check "new password for bob" pw 'bob pw 2' account passwd bob@example.se --password-stdin
check "curl: the old password is refused at once" curl_refused "imaps://127.0.0.1:$DC_IMAPS/" bob@example.se 'bob pw 1'
check "curl: the new password works at once" curl_login "imaps://127.0.0.1:$DC_IMAPS/" bob@example.se 'bob pw 2'

if dc_log | grep -Eq 'Fatal|Panic|killed with signal'; then
    fail "no fatal error or crash in the log"; dc_log | grep -E 'Fatal|Panic|signal' | head -5
else pass "no fatal error or crash in the log"; fi
finish
