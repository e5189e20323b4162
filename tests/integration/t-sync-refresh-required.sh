#!/bin/sh
# t-sync-refresh-required - a provider that cannot serve a host's cookie
# answers e-syncRefreshRequired (RFC 4533 sections 3.4 and 2.5, result
# 4096); postkontor-sync then starts a full refresh (from the next
# provider of its list) and ends up with exactly the directory,
# deletions made while it was away included.
#
# Debian's slapd 2.5 gives this answer to a main-database consumer only
# in corner cases (its check for a usable cookie is an unindexed
# "entryCSN<=" search that stops at the first candidate), so the
# provider that answers it here is a stand-in: a minimal LDAP server
# that accepts the bind and answers every search with result 4096, as
# syncprov does. The real provider behind it is a slapd.
. "$top_srcdir/tests/integration/lib.sh"
on_exit hosts_stop
. "$top_srcdir/tests/integration/slapd.sh"

need python3
[ -x "$SYNC_BIN" ] || { echo "FAIL: $SYNC_BIN is not built" >&2; exit 1; }
DOM="pkDomainName=example.org,$LDAP_SUFFIX"

providers_start 1

# The stand-in: binds succeed, searches end with 4096; each search is
# logged with whether it carried a cookie.
/usr/bin/python3 - "$T/stub.port" "$T/stub.log" >"$T/stub.err" 2>&1 <<'PYEOF' &
import socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
open(sys.argv[1] + ".tmp", "w").write(str(srv.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
def tlv(tag, body):
    n = len(body)
    ln = bytes([n]) if n < 128 else bytes([0x82, n >> 8, n & 255])
    return bytes([tag]) + ln + body
def read_msg(f):
    tag = f.read(1)
    if not tag:
        return None
    ln = f.read(1)
    n = ln[0]
    if n & 0x80:
        more = f.read(n & 0x7f)
        ln += more
        n = int.from_bytes(more, "big")
    return tag + ln + f.read(n)
def result(msgid, app, code, text):
    op = tlv(app, tlv(0x0a, code.to_bytes(2, "big")) + tlv(0x04, b"") + tlv(0x04, text))
    return tlv(0x30, tlv(0x02, msgid) + op)
while True:
    conn, _ = srv.accept()
    f = conn.makefile("rb")
    while True:
        m = read_msg(f)
        if m is None or len(m) < 8:
            break
        # 0x30 LEN 0x02 IDLEN ID... OP (short lengths: requests are small)
        hl = 2 if m[1] < 128 else 2 + (m[1] & 0x7f)
        idlen = m[hl + 1]
        msgid = m[hl + 2:hl + 2 + idlen]
        op = m[hl + 2 + idlen]
        if op == 0x60:
            conn.sendall(result(msgid, 0x61, 0, b""))
        elif op == 0x63:
            with open(sys.argv[2], "a") as log:
                log.write("search cookie=%s\n" % ("yes" if b"csn=" in m else "no"))
            conn.sendall(result(msgid, 0x65, 4096, b"sync cookie is stale"))
        elif op == 0x42:
            break
    conn.close()
PYEOF
STUB_PID=$!
stop_stub() { kill "$STUB_PID" 2>/dev/null; wait "$STUB_PID" 2>/dev/null; }
on_exit stop_stub
tries=0
while [ ! -s "$T/stub.port" ] && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
[ -s "$T/stub.port" ] || { echo "FAIL: the stand-in provider did not start"; cat "$T/stub.err"; exit 1; }
STUB_URI="ldap://127.0.0.1:$(cat "$T/stub.port")/"

{
    printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: x\n\n' "$LDAP_SUFFIX"
    printf 'dn: %s\nobjectClass: pkDomain\npkDomainName: example.org\n\n' "$DOM"
    n=0
    while [ $n -lt 20 ]; do
        printf 'dn: pkAddress=u%s@example.org,%s\nobjectClass: pkAccount\npkAddress: u%s@example.org\npkPasswordHash: %s\n\n' \
            $n "$DOM" $n "$HASH"
        n=$((n + 1))
    done
    printf 'dn: pkAddress=info@example.org,%s\nobjectClass: pkAlias\npkAddress: info@example.org\npkDestination: u1@example.org\n\n' "$DOM"
} >"$T/base.ldif"
check "directory content" ld_add 1 -f "$T/base.ldif"

host_start 1 "$(slapd_uri 1)"
check "the host loads the directory" hosts_converged 10 1 "$T/host1"
host_kill TERM 1

# While the host is down: deletions, additions and changes.
{
    for n in 0 1 2 3 4; do
        printf 'dn: pkAddress=u%s@example.org,%s\nchangetype: delete\n\n' $n "$DOM"
    done
    printf 'dn: pkAddress=info@example.org,%s\nchangetype: delete\n\n' "$DOM"
    for n in 20 21 22; do
        printf 'dn: pkAddress=u%s@example.org,%s\nchangetype: add\nobjectClass: pkAccount\npkAddress: u%s@example.org\npkPasswordHash: %s\n\n' \
            $n "$DOM" $n "$HASH"
    done
    n=5
    while [ $n -lt 20 ]; do
        printf 'dn: pkAddress=u%s@example.org,%s\nchangetype: modify\nreplace: pkState\npkState: suspended\n\n' $n "$DOM"
        n=$((n + 1))
    done
} >"$T/changes.ldif"
check "changes while the host is down" ld_modify 1 -f "$T/changes.ldif"

# The host comes back with the stand-in first in its list.
host_start 1 "$STUB_URI" "$(slapd_uri 1)"
check "the host converges after refresh required" hosts_converged 10 1 "$T/host1"
same "the host presented its cookie once" "$(cat "$T/stub.log" 2>/dev/null)" "search cookie=yes"
after=$(grep -c "refresh required: full refresh" "$T/sync1.log")
same "the host logged refresh required once" "$after" 1
check "and then ran a full refresh" grep -q "consuming (full refresh) from $(slapd_uri 1)" "$T/sync1.log"
gone() { [ "$("$PK_BIN" --db "$T/host1" export | grep -c "\"$1\"")" = 0 ]; }
check "a deleted account is gone" gone u0@example.org
check "a deleted alias is gone" gone info@example.org
check "the copy passes postkontor check" "$PK_BIN" --db "$T/host1" check

# The full refresh left a cookie the provider can serve: a further
# change arrives without another refresh required.
printf 'dn: pkAddress=u30@example.org,%s\nobjectClass: pkAccount\npkAddress: u30@example.org\npkPasswordHash: %s\n' \
    "$DOM" "$HASH" | ld_add 1 >/dev/null 2>&1 || fail "add u30"
check "a later change arrives" hosts_converged 10 1 "$T/host1"
host_kill TERM 1
host_start 1 "$(slapd_uri 1)"
printf 'dn: pkAddress=u31@example.org,%s\nobjectClass: pkAccount\npkAddress: u31@example.org\npkPasswordHash: %s\n' \
    "$DOM" "$HASH" | ld_add 1 >/dev/null 2>&1 || fail "add u31"
check "a restart resumes from the new cookie" hosts_converged 10 1 "$T/host1"
same "no further refresh required" "$(grep -c "refresh required" "$T/sync1.log")" "$after"
same "and no further request to the stand-in" "$(wc -l <"$T/stub.log")" 1

finish
