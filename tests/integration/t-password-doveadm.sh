#!/bin/sh
# t-password-doveadm.sh - the core's password hashes and Dovecot's agree.
#
# (1) A hash made by the core verifies with the real "doveadm pw -t", and
#     a wrong password fails there. (2) A hash made by "doveadm pw -s" for
#     each scheme Dovecot users have verifies in the core, and a wrong
#     password does not. The core is driven through the test-only helper
#     tests/integration/pwtool, so that this test does not depend on the
#     postkontor command. Passwords go through stdin to pwtool; doveadm
#     only takes them with -p, which is fine for throwaway test passwords.

. "$top_srcdir/tests/integration/lib.sh"

need doveadm
PWTOOL="$top_builddir/tests/integration/pwtool"
[ -x "$PWTOOL" ] || { echo "FAIL: $PWTOOL is not built" >&2; exit 1; }

PASS='correct horse battery staple'
# Differs in the first byte: DES-based CRYPT reads only eight.
WRONG='Correct horse battery staple'

# core_hash PASSWORD: print a new hash made by the core
core_hash() { printf '%s' "$1" | "$PWTOOL" hash; }

# core_verify HASH PASSWORD: exit 0 on match, 1 on mismatch, 2 on error
core_verify() { printf '%s' "$2" | "$PWTOOL" verify "$1"; }

# core_mismatch HASH PASSWORD: the core answers "mismatch", not an error
core_mismatch() {
    core_verify "$1" "$2"
    [ $? -eq 1 ]
}

# doveadm_verify HASH PASSWORD: doveadm says "(verified)"
doveadm_verify() {
    doveadm pw -t "$1" -p "$2" 2>&1 | grep -q '(verified)$'
}

# doveadm_refuses HASH PASSWORD: doveadm fails and does not verify
doveadm_refuses() {
    ! doveadm pw -t "$1" -p "$2" >"$T/dv.out" 2>&1 &&
        ! grep -q '(verified)' "$T/dv.out"
}

# (1) core -> doveadm
hash=$(core_hash "$PASS")
case $hash in
'{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$'*) pass "core makes an ARGON2ID hash" ;;
*) fail "core makes an ARGON2ID hash (got '$hash')" ;;
esac
check "doveadm verifies the core's hash" doveadm_verify "$hash" "$PASS"
check "doveadm refuses the core's hash with a wrong password" \
    doveadm_refuses "$hash" "$WRONG"
check "core verifies its own hash" core_verify "$hash" "$PASS"

utf8=$(printf 'Gr\303\274\303\237e, \344\270\226\347\225\214')
hash=$(core_hash "$utf8")
check "doveadm verifies the core's hash of a UTF-8 password" \
    doveadm_verify "$hash" "$utf8"

# (2) doveadm -> core
for scheme in ARGON2ID ARGON2I BLF-CRYPT SHA512-CRYPT SHA256-CRYPT CRYPT \
    SSHA512 SSHA512.HEX MD5-CRYPT DES-CRYPT; do
    hash=$(doveadm pw -s "$scheme" -p "$PASS")
    if [ -z "$hash" ]; then
        fail "doveadm makes a $scheme hash"
        continue
    fi
    check "core verifies doveadm's $scheme hash" core_verify "$hash" "$PASS"
    check "core refuses doveadm's $scheme hash with a wrong password" \
        core_mismatch "$hash" "$WRONG"
done

# A plaintext scheme is an error, not a match.
core_verify "{PLAIN}$PASS" "$PASS" 2>/dev/null
same "core refuses a {PLAIN} hash as an error" "$?" 2

finish
