#!/bin/sh
# t-sync-slapd-cluster - the shipped schema and 3-node multi-provider
# example work: a change on any provider reaches the others, the
# directory refuses an address without its domain, and a provider that
# was stopped catches up when it comes back.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/slapd.sh"

providers_start 3

cat >"$T/base.ldif" <<LDIF
dn: $LDAP_SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: example

dn: pkDomainName=example.org,$LDAP_SUFFIX
objectClass: pkDomain
pkDomainName: example.org
pkDefaultQuota: 1000000
pkCreated: 1700000000

dn: pkAddress=anna@example.org,pkDomainName=example.org,$LDAP_SUFFIX
objectClass: pkAccount
pkAddress: anna@example.org
pkPasswordHash: {SHA512-CRYPT}\$6\$salt\$hash
pkState: active
pkSendAs: @example.org
pkCreated: 1700000000
pkChanged: 1700000000
LDIF
check "add domain and account on provider 1" ld_add 1 -f "$T/base.ldif"
check "account reaches provider 2" ld_wait_count 2 "(pkAddress=anna@example.org)" 1
check "account reaches provider 3" ld_wait_count 3 "(pkAddress=anna@example.org)" 1

cat >"$T/orphan.ldif" <<LDIF
dn: pkAddress=bob@example.com,pkDomainName=example.com,$LDAP_SUFFIX
objectClass: pkAccount
pkAddress: bob@example.com
pkPasswordHash: {SHA512-CRYPT}\$6\$salt\$hash
LDIF
if ld_add 2 -f "$T/orphan.ldif" >"$T/out" 2>&1; then
    fail "an address without its domain is refused (it was added)"
elif grep -q "No such object" "$T/out"; then
    pass "an address without its domain is refused"
else
    fail "an address without its domain is refused ($(head -1 "$T/out"))"
fi

cat >"$T/alias.ldif" <<LDIF
dn: pkAddress=info@example.org,pkDomainName=example.org,$LDAP_SUFFIX
objectClass: pkAlias
pkAddress: info@example.org
pkDestination: anna@example.org
pkDestination: someone@example.com
LDIF
check "add alias on provider 3" ld_add 3 -f "$T/alias.ldif"
check "alias reaches provider 1" ld_wait_count 1 "(pkDestination=someone@example.com)" 1

slapd_stop 2
cat >"$T/mod.ldif" <<LDIF
dn: pkAddress=anna@example.org,pkDomainName=example.org,$LDAP_SUFFIX
changetype: modify
replace: pkState
pkState: suspended
LDIF
check "modify on provider 1 while 2 is down" ld_modify 1 -f "$T/mod.ldif"
check "delete alias on provider 3 while 2 is down" \
    ld_delete 3 "pkAddress=info@example.org,pkDomainName=example.org,$LDAP_SUFFIX"
check "provider 2 restarts" slapd_start 2
check "provider 2 catches up on the change" ld_wait_count 2 "(pkState=suspended)" 1
check "provider 2 catches up on the deletion" ld_wait_count 2 "(objectClass=pkAlias)" 0
check "deletion reached provider 1" ld_wait_count 1 "(objectClass=pkAlias)" 0

finish
