#!/bin/sh
# t-cli-import-export - JSON lines round trip and migration imports
#
# export -> import into a new database -> export gives identical bytes;
# a Dovecot passwd-file imports with its hashes kept as they are (and
# Dovecot still verifies them); a Postfix virtual(5) table imports with
# comments, continuation lines, a catch-all and an alias domain.

. "$top_srcdir/tests/integration/lib.sh"
need python3 doveadm

pw() { input=$1; shift; printf '%s\n' "$input" | pk "$@"; }
pk2() { "$PK_BIN" --db "$T/db2" "$@"; }
pk3() { "$PK_BIN" --db "$T/db3" "$@"; }
pw3() { input=$1; shift; printf '%s\n' "$input" | pk3 "$@"; }
pk5() { "$PK_BIN" --db "$T/db5" "$@"; }

# jcheck NAME PYEXPR CMD...: CMD's stdout is JSON (j) and PYEXPR holds
jcheck() {
    name=$1; expr=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$name (exit $rc)"; sed 's/^/     | /' "$T/err"; return
    fi
    if python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$expr" 2>"$T/err"; then
        pass "$name"
    else
        fail "$name"; sed 's/^/     | /' "$T/out" "$T/err"
    fi
}

# field FILE ADDRESS KEY: one field of the exported object of ADDRESS
field() {
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("address") == sys.argv[2]:
        print(o[sys.argv[3]])' "$@"
}

echo "# a database with one of everything"
check "init" pk init
check "domain" pk domain add example.se
check "IDNA domain" pk domain add exämple.se
check "domain quota" pk domain quota example.se 1G
check "alias domain" pk domain alias example.nu example.se
check "account" pw 'alice pw 123' account add alice@example.se --password-stdin --quota 2G
check "account 2" pw 'bob pw 1234' account add bob@example.se --password-stdin
check "account 3" pw 'carol pw 12' account add carol@exämple.se --password-stdin
check "suspended" pk account suspend bob@example.se
check "forward" pk account forward bob@example.se bob@elsewhere.org --keep-copy
check "alias" pk alias add info@example.se alice@example.se bob@example.se x@elsewhere.org
check "catch-all" pk alias add @example.se alice@example.se
check "sendas" pk sendas grant alice@example.se billing@example.se
check "DKIM key" pk dkim keygen example.se --selector s1 --algorithm ed25519-sha256
check "DKIM rotation" pk dkim rotate example.se --selector s2 --algorithm ed25519-sha256
check "rate limit default" pk ratelimit set accounts --messages 100 --per 1h
check "rate limit of an account" pk ratelimit set alice@example.se --messages 5 --recipients 50 --per 1d
check "rate limit of a domain" pk ratelimit set example.se --recipients 1000 --per 1h

echo "# JSON lines round trip"
check "export" pk export
cp "$T/out" "$T/e1"
if python3 -c 'import json, sys
[json.loads(l) for l in open(sys.argv[1])]' "$T/e1"; then
    pass "every exported line is a JSON object"
else
    fail "every exported line is a JSON object"
fi
# 3 domains (one an alias domain), 3 accounts, 2 aliases, 1 grant,
# 2 DKIM keys, 3 rate limits
same "one line per item" "$(wc -l <"$T/e1" | tr -d ' ')" 14
same "both DKIM keys are exported" "$(grep -c '"type":"dkim"' "$T/e1")" 2
same "the rate limits are exported" "$(grep -c '"type":"ratelimit"' "$T/e1")" 3
pk --json export >"$T/e1json"
cmp -s "$T/e1" "$T/e1json" && pass "export ignores --json" ||
    fail "export ignores --json"
grep -q '"{ARGON2ID}' "$T/e1" && pass "export holds the stored hashes" ||
    fail "export holds the stored hashes"
check "init a second database" pk2 init
check "import the export" pk2 import "$T/e1"
pk2 export >"$T/e2"
cmp "$T/e1" "$T/e2" && pass "export of the import is identical" ||
    { fail "export of the import is identical"; diff "$T/e1" "$T/e2" | sed 's/^/     | /'; }
pk dkim show example.se >"$T/dns1" 2>&1
pk2 dkim show example.se >"$T/dns2" 2>&1
cmp -s "$T/dns1" "$T/dns2" && grep -q 's2._domainkey' "$T/dns2" &&
    pass "the imported DKIM keys publish the same records" ||
    fail "the imported DKIM keys publish the same records"
pk ratelimit list >"$T/rl1" 2>&1
pk2 ratelimit list >"$T/rl2" 2>&1
cmp -s "$T/rl1" "$T/rl2" && grep -q 'alice@example.se' "$T/rl2" &&
    pass "the imported rate limits are the same" ||
    fail "the imported rate limits are the same"
check "check finds nothing wrong in the import" pk2 check
grep '"type":"dkim"' "$T/e1" | sed 's/"active":false/"active":true/' >"$T/two-active"
check "init a database for bad keys" pk5 init
check "its domain" pk5 domain add example.se
expect_fail "two active DKIM keys are refused" 'at most one signs' \
    pk5 import "$T/two-active"
grep '"type":"dkim"' "$T/e1" | sed 's/"key":"[^"]*"/"key":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"/' >"$T/bad-key"
expect_fail "a key that does not parse is refused" 'not a private key' \
    pk5 import "$T/bad-key"
printf '%s\n' '{"type":"ratelimit","scope":"account","subject":"nobody@example.se","messages":1,"recipients":0,"window":60}' >"$T/bad-limit"
expect_fail "a rate limit for a missing account is refused" 'line 1: rate limit: nobody@example.se is not an account' \
    pk5 import "$T/bad-limit"
pk5 export >"$T/e5"
same "and nothing of them was stored" "$(grep -c -v '"type":"domain"' "$T/e5")" 0
check "import from stdin" sh -c '"$1" --db "$2" init && "$1" --db "$2" import - <"$3"' \
    sh "$PK_BIN" "$T/db3" "$T/e1"
pk3 export | cmp -s "$T/e1" - && pass "import - reads stdin" || fail "import - reads stdin"
jcheck "import --json counts what it did" \
    'j["ok"] and j["domains"] == 0 and j["accounts"] == 0' \
    sh -c '"$1" --db "$2" init >/dev/null && : | "$1" --db "$2" --json import -' \
    sh "$PK_BIN" "$T/db4"
expect_fail "importing it again is refused" 'exist' pk2 import "$T/e1"
pk2 export | cmp -s "$T/e1" - && pass "and changes nothing" || fail "and changes nothing"
hash=$(field "$T/e2" alice@example.se password)
doveadm pw -t "$hash" -p 'alice pw 123' >/dev/null 2>&1 &&
    pass "Dovecot verifies the imported ARGON2ID hash" ||
    fail "Dovecot verifies the imported ARGON2ID hash ($hash)"
jcheck "the imported account resolves" \
    'sorted(j["deliver_to"]) == ["alice@example.se", "bob@elsewhere.org", "bob@example.se", "x@elsewhere.org"]' \
    pk2 resolve info@example.nu --json

echo "# Dovecot passwd-file"
h1=$(doveadm pw -s SHA512-CRYPT -p 'dove secret 1')
h2=$(doveadm pw -s SHA256-CRYPT -p 'dove secret 2')
cat >"$T/users" <<EOF
u1@dove.example:$h1:1000:1000::/home/u1::userdb_quota_rule=*:storage=1G
u2@dove.example:$h2::::::
EOF
check "init" pk3 init
expect_fail "an unknown domain is refused without --create-domains" 'dove\.example' \
    pk3 import --format dovecot-passwd "$T/users"
check "import --format dovecot-passwd --create-domains" \
    pk3 import --format dovecot-passwd --create-domains "$T/users"
pk3 export >"$T/e3"
same "the SHA512-CRYPT hash is kept as it is" "$(field "$T/e3" u1@dove.example password)" "$h1"
same "the SHA256-CRYPT hash is kept as it is" "$(field "$T/e3" u2@dove.example password)" "$h2"
doveadm pw -t "$(field "$T/e3" u1@dove.example password)" -p 'dove secret 1' >/dev/null 2>&1 &&
    pass "Dovecot verifies the kept hash" || fail "Dovecot verifies the kept hash"
jcheck "userdb_quota_rule sets the quota" 'j["quota"] == 1024**3' \
    pk3 --json account show u1@dove.example

echo "# Postfix virtual(5)"
check "domain for the table" pk3 domain add example.org
check "account" pw3 'alice pw 123' account add alice@example.org --password-stdin
check "account 2" pw3 'bob pw 1234' account add bob@example.org --password-stdin
cat >"$T/virtual" <<'EOF'
# virtual(5): aliases of example.org
example.org        this-line-declares-the-domain

info@example.org   alice@example.org,
                   bob@example.org
sales@example.org  alice@example.org, outside@elsewhere.net   
# a catch-all and an alias domain
@example.org       alice@example.org
@example.net       @example.org
EOF
check "import --format postfix-virtual" \
    pk3 import --format postfix-virtual --create-domains "$T/virtual"
jcheck "a continuation line adds destinations" \
    'j["kind"] == "alias" and sorted(j["deliver_to"]) == ["alice@example.org", "bob@example.org"]' \
    pk3 resolve info@example.org --json
jcheck "an outside destination" \
    'sorted(j["deliver_to"]) == ["alice@example.org", "outside@elsewhere.net"]' \
    pk3 resolve sales@example.org --json
jcheck "@domain is the catch-all" \
    'j["kind"] == "catchall" and j["deliver_to"] == ["alice@example.org"]' \
    pk3 resolve nobody@example.org --json
jcheck "@domain @target is an alias domain" \
    'j["matched"] == "info@example.org" and sorted(j["deliver_to"]) == ["alice@example.org", "bob@example.org"]' \
    pk3 resolve info@example.net --json
jcheck "the alias domain is listed as one" \
    '[d["target"] for d in j if d["domain"] == "example.net"] == ["example.org"]' \
    pk3 list domains --json

finish
