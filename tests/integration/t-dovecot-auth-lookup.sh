#!/bin/sh
# t-dovecot-auth-lookup.sh - Dovecot's own tools see postkontor accounts
#
# A private Dovecot loads the just-built libauthdb_postkontor.so. With
# doveadm: auth test (right and wrong password, case and IDNA forms of a
# name, an alias, odd names), auth lookup, user (uid, gid, home, mail,
# quota_rule), user '*' (accounts only). Then a password change, a
# suspension, a resumption, a deletion and a new account, each in effect
# at the next lookup with no reload, and the auth process alive throughout.

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

# pw PASSWORD ARGS...: postkontor with PASSWORD on stdin
pw() { p=$1; shift; printf '%s\n' "$p" | pk "$@"; }

# auth_ok NAME PASSWORD: doveadm auth test succeeds
auth_ok() { dc_auth_test "$1" "$2"; }

# auth_fails NAME PASSWORD: it fails as a failed login (exit 77), and
# not as an internal error
auth_fails() {
    dc_auth_test "$1" "$2" >"$T/auth.out" 2>&1
    rc=$?
    cat "$T/auth.out"
    [ $rc = 77 ] && ! grep -qi "internal" "$T/auth.out"
}

# has NAME PATTERN CMD...: CMD succeeds and prints a line matching PATTERN
has() {
    name=$1; pattern=$2; shift 2
    if "$@" >"$T/out" 2>&1 && grep -Eq -- "$pattern" "$T/out"; then
        pass "$name"
    else
        fail "$name"; sed 's/^/     | /' "$T/out"
    fi
}

# nologin NAME REASON NAME PASSWORD: the password is right but the
# account may not log in: "nologin" with the reason (the login process
# refuses it; t-dovecot-imap-pop3-login.sh shows a client's view)
nologin() {
    if auth_ok "$3" "$4" >"$T/out" 2>&1 && grep -Eq -- "^ +nologin" "$T/out" &&
        grep -Eq -- "^ +reason=$2\$" "$T/out"; then
        pass "$1"
    else
        fail "$1"; sed 's/^/     | /' "$T/out"
    fi
}

dc_setup
check "init" pk init
check "domains" sh -c "$PK_BIN --db '$T/db' domain add example.se &&
    $PK_BIN --db '$T/db' domain add exämple.se"
check "alice" pw 'alice pw 1' account add alice@example.se --password-stdin
check "bob" pw 'bob pw 1' account add bob@example.se --password-stdin
check "carol in an IDNA domain" pw 'carol pw 1' account add carol@exämple.se --password-stdin
check "an alias" pk alias add info@example.se alice@example.se
dc_db_perms || fail "database permissions"
dc_start
auth_pid=$(dc_auth_pid)
[ -n "$auth_pid" ] && pass "the auth process runs" || fail "the auth process runs"

echo "# passdb"
check "the right password logs in" auth_ok alice@example.se 'alice pw 1'
has "a mixed-case name logs in as the canonical address" \
    'user=alice@example.se' auth_ok ALICE@Example.SE 'alice pw 1'
has "a U-label domain logs in as the A-label address" \
    'user=carol@xn--exmple-cua.se' auth_ok 'carol@EXÄMPLE.se' 'carol pw 1'
check "a wrong password fails" auth_fails alice@example.se 'alice pw 2'
check "an unknown user fails" auth_fails nobody@example.se 'alice pw 1'
check "an alias cannot log in" auth_fails info@example.se 'alice pw 1'
check "a subaddress cannot log in" auth_fails alice+x@example.se 'alice pw 1'
for name in '%u' 'a%n@example.se' '*' 'alice*@example.se' \
    'alice@example.se/../bob' '../alice@example.se' 'al ice@example.se' \
    'alice' '@example.se' 'alice@example.se@example.se' "$(printf 'alice\001@example.se')" \
    "$(head -c 2000 /dev/zero | tr '\0' a)@example.se"; do
    check "odd name '$(printf '%s' "$name" | head -c 30 | tr -c '[:print:]' '?')' fails" \
        auth_fails "$name" 'alice pw 1'
done
has "auth lookup finds the account by its canonical name" \
    'user +: alice@example.se' dc_doveadm auth lookup Alice@example.SE

echo "# userdb"
check "account quota 10M" pk account quota alice@example.se 10M
dc_doveadm user alice@example.se >"$T/user" 2>&1
same "uid" "$(awk '$1 == "uid" { print $2 }' "$T/user")" 5000
same "gid" "$(awk '$1 == "gid" { print $2 }' "$T/user")" 5000
same "home under the mail root" "$(awk '$1 == "home" { print $2 }' "$T/user")" \
    "$T/vmail/example.se/alice"
same "mail location" "$(awk '$1 == "mail" { print $2 }' "$T/user")" \
    "maildir:~/Maildir"
same "quota_rule from the account quota" \
    "$(awk '$1 == "quota_rule" { print $2 }' "$T/user")" "*:bytes=10485760"
has "the IDNA account's home uses the A-label" \
    "home[[:space:]]+$T/vmail/xn--exmple-cua.se/carol\$" \
    dc_doveadm user 'carol@exämple.se'
dc_doveadm user info@example.se >/dev/null 2>&1
same "an alias is not a user" "$?" 67
dc_doveadm user '*' >"$T/all" 2>&1
same "user '*' lists the accounts and nothing else" "$(sort "$T/all" | tr '\n' ' ')" \
    "alice@example.se bob@example.se carol@xn--exmple-cua.se "

echo "# changes take effect at the next login, without reload"
check "passwd" pw 'alice pw 2' account passwd alice@example.se --password-stdin
check "the old password fails at once" auth_fails alice@example.se 'alice pw 1'
check "the new password works at once" auth_ok alice@example.se 'alice pw 2'
check "suspend" pk account suspend alice@example.se
nologin "a suspended account is refused, with its reason" \
    'account suspended' alice@example.se 'alice pw 2'
check "a suspended account with a wrong password fails" \
    auth_fails alice@example.se 'wrong'
if grep -q 'suspended' "$T/auth.out"; then fail "the reason is only told to who knows the password"
else pass "the reason is only told to who knows the password"; fi
# Only Dovecot's login processes act on nologin; Postfix's SMTP AUTH
# (service smtp) takes any passdb success as a login, so there the
# suspended account must fail outright.
dc_next_ip
dc_doveadm auth test -x rip="$DC_IP" -x service=smtp alice@example.se 'alice pw 2' \
    >"$T/smtp.out" 2>&1
same "SMTP AUTH of a suspended account fails, even with its password" "$?" 77
dc_next_ip
dc_doveadm auth test -x rip="$DC_IP" -x service=imap alice@example.se 'alice pw 2' \
    >"$T/imap.out" 2>&1
if [ $? = 0 ] && grep -Eq '^ +reason=account suspended$' "$T/imap.out"; then
    pass "IMAP still gets nologin and the reason"
else
    fail "IMAP still gets nologin and the reason"; sed 's/^/     | /' "$T/imap.out"
fi
check "resume" pk account resume alice@example.se
check "SMTP AUTH works again after resume" \
    dc_doveadm auth test -x rip=127.0.9.9 -x service=smtp alice@example.se 'alice pw 2'
check "a resumed account logs in" auth_ok alice@example.se 'alice pw 2'
check "disable" pk account disable bob@example.se
nologin "a disabled account is refused, with its reason" \
    'account disabled' bob@example.se 'bob pw 1'
check "send-block" pk account send-block carol@exämple.se
check "a send-blocked account still logs in" auth_ok carol@xn--exmple-cua.se 'carol pw 1'
check "delete" pk account del bob@example.se
check "a deleted account fails" auth_fails bob@example.se 'bob pw 1'
dc_doveadm user bob@example.se >/dev/null 2>&1
same "a deleted account is no user" "$?" 67
check "a new account" pw 'dave pw 1' account add dave@example.se --password-stdin
check "a new account logs in at once" auth_ok dave@example.se 'dave pw 1'
same "the auth process never restarted" "$(dc_auth_pid)" "$auth_pid"
if dc_log | grep -Eq 'Fatal|Panic|killed with signal'; then
    fail "no fatal error or crash in the log"; dc_log | grep -E 'Fatal|Panic|signal' | head -5
else pass "no fatal error or crash in the log"; fi

finish
