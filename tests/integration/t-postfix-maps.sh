#!/bin/sh
# t-postfix-maps.sh - postkontor-postfix answers Postfix's own client
# (postmap -q) for every table, sees changes at the next lookup, reloads on
# SIGHUP and stops cleanly on SIGTERM.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/postfix-policy/testlib.sh"
need postmap ss "$PKPF_BIN"

mkdir -p "$T/db" "$T/etc"
chmod 700 "$T/db"
: >"$T/etc/main.cf"
pk init >/dev/null
pk domain add example.se >/dev/null
pk domain add exämple.se >/dev/null
pk domain alias example.nu example.se >/dev/null
for a in alice bob carol; do
    echo "correct horse battery $a" | pk account add "$a@example.se" --password-stdin >/dev/null
done
echo "correct horse battery dora" | pk account add "dora@exämple.se" --password-stdin >/dev/null
pk alias add info@example.se alice@example.se bob@elsewhere.org >/dev/null
pk alias add team@example.se info@example.se bob@example.se >/dev/null
pk alias add "@exämple.se" "dora@exämple.se" >/dev/null
pk account forward carol@example.se carol@elsewhere.org --keep-copy >/dev/null
pk sendas grant bob@example.se billing@example.se >/dev/null

pkpf_start

# q MAP KEY: the value, or "NOTFOUND" (exit 1, silent), or "ERROR" when
# postmap reports a lookup error (it exits 1 then too, with a message)
q() {
    out=$(postmap -c "$T/etc" -q "$2" "socketmap:unix:$T/run/postfix.sock:$1" 2>"$T/pm.err")
    case $?:$(wc -c <"$T/pm.err") in
    0:*) echo "$out" ;;
    1:0) echo NOTFOUND ;;
    *) echo ERROR; cat "$T/pm.err" >&2 ;;
    esac
}

same "domain: hosted" "$(q domain example.se)" example.se
same "domain: alias domain, upper case" "$(q domain EXAMPLE.NU)" example.nu
same "domain: U-label" "$(q domain exämple.se)" xn--exmple-cua.se
same "domain: not ours" "$(q domain elsewhere.org)" NOTFOUND

same "mailbox: account" "$(q mailbox alice@example.se)" example.se/alice/
same "mailbox: subaddress and case" "$(q mailbox Alice+Tag@Example.SE)" example.se/alice/
same "mailbox: alias is not a mailbox" "$(q mailbox info@example.se)" NOTFOUND
same "mailbox: unknown" "$(q mailbox nobody@example.se)" NOTFOUND

same "alias: plain account falls through to mailbox" "$(q alias alice@example.se)" NOTFOUND
same "alias: two destinations" "$(q alias info@example.se)" "alice@example.se,bob@elsewhere.org"
same "alias: nested, expanded" "$(q alias team@example.se)" \
    "alice@example.se,bob@elsewhere.org,bob@example.se"
same "alias: alias domain" "$(q alias info@example.nu)" "alice@example.se,bob@elsewhere.org"
same "alias: account in the alias domain" "$(q alias alice@example.nu)" alice@example.se
same "alias: subaddress" "$(q alias alice+news@example.se)" alice@example.se
same "alias: upper case" "$(q alias ALICE@EXAMPLE.SE)" alice@example.se
same "alias: catch-all, U-label" "$(q alias whoever@exämple.se)" "dora@xn--exmple-cua.se"
same "alias: catch-all, A-label" "$(q alias whoever@xn--exmple-cua.se)" "dora@xn--exmple-cua.se"
same "alias: forwarding keeps a copy" "$(q alias carol@example.se)" \
    "carol@elsewhere.org,carol@example.se"
same "alias: unknown" "$(q alias nobody@example.se)" NOTFOUND
same "alias: outside" "$(q alias someone@elsewhere.org)" NOTFOUND

same "sender: itself" "$(q sender alice@example.se)" alice@example.se
same "sender: own alias" "$(q sender info@example.se)" alice@example.se
same "sender: explicit grant" "$(q sender billing@example.se)" bob@example.se
same "sender: nobody owns an outside address" "$(q sender x@elsewhere.org)" NOTFOUND

# Agreement with the command's own resolution.
same "alias agrees with postkontor resolve" "$(q alias team@example.se | tr , '\n' | sort)" \
    "$(pk --json resolve team@example.se | "$PYTHON" -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin)["deliver_to"])))')"

# A change is seen at the next lookup, with no reload.
pk alias add new@example.se bob@example.se >/dev/null
same "a new alias is seen at once" "$(q alias new@example.se)" bob@example.se
pk alias remove new@example.se bob@example.se >/dev/null
same "a removed alias is gone at once" "$(q alias new@example.se)" NOTFOUND
pk account suspend alice@example.se >/dev/null
same "a suspended account still receives" "$(q mailbox alice@example.se)" example.se/alice/
pk account receive-block alice@example.se >/dev/null
same "a receive-blocked account has no mailbox" "$(q mailbox alice@example.se)" NOTFOUND
pk account resume alice@example.se >/dev/null

# Many keys on one connection (postmap -q - keeps it open).
printf 'alice@example.se\ninfo@example.se\nnobody@example.se\nbob@example.se\n' >"$T/keys"
postmap -c "$T/etc" -q - "socketmap:unix:$T/run/postfix.sock:mailbox" <"$T/keys" >"$T/many"
same "one connection, many keys" "$(cat "$T/many")" \
    "$(printf 'alice@example.se\texample.se/alice/\nbob@example.se\texample.se/bob/')"

# An unknown table is a configuration error, never "not found".
same "unknown table is an error" "$(q virtual alice@example.se 2>/dev/null)" ERROR

# SIGHUP reopens the database; lookups go on.
kill -HUP "$PKPF_PID"
i=0
while ! grep -q reloaded "$T/pkpf.log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP reloads" grep -q "reloaded" "$T/pkpf.log"
same "lookups after reload" "$(q alias info@example.se)" "alice@example.se,bob@elsewhere.org"

# SIGTERM: exit 0 and the sockets are removed.
pkpf_stop
same "SIGTERM exits 0" "$PKPF_RC" 0
check "sockets removed" test ! -e "$T/run/postfix.sock" -a ! -e "$T/run/policy.sock"

# Start-up errors are one line and exit 1.
"$PKPF_BIN" --db "$T/nodb" --foreground --socketmap "unix:$T/run/x.sock" >"$T/out" 2>"$T/err"
same "no database: exit 1" "$?" 1
same "no database: one line" "$(wc -l <"$T/err")" 1
"$PKPF_BIN" --db "$T/db" --foreground --socketmap "inet:nowhere:99999" >"$T/out" 2>"$T/err"
same "bad listener: exit 1" "$?" 1

finish
