#!/bin/sh
# t-cli-accounts - the whole admin flow of the postkontor command
#
# Every command of the control panel, as an administrator runs it:
# domains (an IDNA one too), accounts with passwords from stdin, states,
# quotas, forwarding, aliases with several destinations, a catch-all,
# an alias domain, send-as grants, resolve (human, --explain, --json),
# list, show, and the change log with its actor.

. "$top_srcdir/tests/integration/lib.sh"
need python3

# pw INPUT ARGS...: run postkontor with INPUT as one line on stdin
pw() { input=$1; shift; printf '%s\n' "$input" | pk "$@"; }

# jcheck NAME PYEXPR CMD...: CMD succeeds, its stdout is one JSON
# document (named j) and PYEXPR is true of it
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

# has NAME PATTERN CMD...: CMD succeeds and prints a line matching PATTERN
has() {
    name=$1; pattern=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$name (exit $rc)"; sed 's/^/     | /' "$T/err"; return
    fi
    if grep -Eq -- "$pattern" "$T/out"; then pass "$name"; else
        fail "$name (no line matches $pattern)"; sed 's/^/     | /' "$T/out"; fi
}

# hash_of ADDRESS: the stored hash, from the export
hash_of() {
    pk export | python3 -c 'import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o.get("address") == sys.argv[1]:
        print(o["password"])' "$1"
}

echo "# database and domains"
check "init creates the database" pk init
check "init again is harmless" pk init
check "domain add" pk domain add example.se
check "domain add with a U-label" pk domain add exämple.se
has "an IDNA domain is stored as its A-label, shown with its U-label" \
    '^xn--exmple-cua\.se \(exämple\.se\)' pk list domains
jcheck "list --json shows the U-label" \
    '[d["unicode"] for d in j if d["domain"] == "xn--exmple-cua.se"] == ["exämple.se"]' \
    pk list domains --json
check "domain add elsewhere" pk domain add example.org

echo "# accounts"
check "account add with --password-stdin" \
    pw 'correct horse battery' account add alice@example.se --password-stdin
check "account add with a mixed-case address" \
    pw 'staple staple' account add Bob@Example.SE --password-stdin
check "account add in an IDNA domain by its U-label" \
    pw 'carols secret' account add carol@exämple.se --password-stdin
check "account add with --quota" \
    pw 'dave secret pw' account add dave@example.org --password-stdin --quota 500M
has "the address is stored lowercase" '^bob@example\.se ' pk list accounts
has "the IDNA account is found under its A-label" \
    '^carol@xn--exmple-cua\.se ' pk list accounts xn--exmple-cua.se
has "and under its U-label" '^carol@xn--exmple-cua\.se ' \
    pk list accounts exämple.se
jcheck "account add --quota 500M stored 500 MiB" \
    'j["quota"] == 500 * 1024 * 1024' pk --json account show dave@example.org

before=$(hash_of alice@example.se)
check "account passwd with --password-stdin" \
    pw 'a new horse' account passwd alice@example.se --password-stdin
after=$(hash_of alice@example.se)
case $before:$after in
'{ARGON2ID}'*:'{ARGON2ID}'*) [ "$before" != "$after" ] &&
    pass "passwd stored a new ARGON2ID hash" ||
    fail "passwd left the hash as it was" ;;
*) fail "hashes are not ARGON2ID: $before / $after" ;;
esac
jcheck "show --json never shows the hash" \
    'j["password_scheme"] == "ARGON2ID" and "argon2id$" not in json.dumps(j)' \
    pk --json account show alice@example.se

echo "# states"
for verb in suspend:suspended disable:disabled send-block:send-blocked \
    receive-block:receive-blocked resume:active; do
    check "account ${verb%%:*}" pk account "${verb%%:*}" bob@example.se
    has "show says ${verb#*:}" "^state +${verb#*:}\$" \
        pk account show bob@example.se
done
check "account suspend" pk account suspend bob@example.se
jcheck "a suspended mailbox still receives (resolve shows its state)" \
    'j["destinations"][0]["state"] == "suspended"' \
    pk resolve bob@example.se --json
check "account resume" pk account resume bob@example.se

echo "# quotas"
check "account quota 2G" pk account quota alice@example.se 2G
jcheck "quota is 2 GiB" 'j["quota"] == 2 * 1024**3' \
    pk --json account show alice@example.se
check "domain quota 1G" pk domain quota example.se 1G
check "account quota default" pk account quota alice@example.se default
jcheck "the domain default applies" \
    'j["quota"] is None and j["quota_effective"] == 1024**3' \
    pk --json account show alice@example.se
has "show names the domain default" '^quota +1G \(domain default\)$' \
    pk account show alice@example.se
check "account quota unlimited" pk account quota alice@example.se unlimited
jcheck "unlimited is 0" 'j["quota"] == 0' pk --json account show alice@example.se

echo "# forwarding"
check "forward with --keep-copy" \
    pk account forward alice@example.se alice@elsewhere.org --keep-copy
jcheck "forward with a copy delivers to both" \
    'sorted(j["deliver_to"]) == ["alice@elsewhere.org", "alice@example.se"]' \
    pk resolve alice@example.se --json
check "forward without --keep-copy" \
    pk account forward alice@example.se alice@elsewhere.org bob@example.se
jcheck "forward without a copy leaves the mailbox out" \
    'sorted(j["deliver_to"]) == ["alice@elsewhere.org", "bob@example.se"]' \
    pk resolve alice@example.se --json
has "show lists the forward" '^forward +alice@elsewhere\.org, bob@example\.se$' \
    pk account show alice@example.se
check "forward --off" pk account forward alice@example.se --off
jcheck "mail reaches the mailbox again" 'j["deliver_to"] == ["alice@example.se"]' \
    pk resolve alice@example.se --json

echo "# aliases"
check "alias add with several destinations" \
    pk alias add info@example.se alice@example.se bob@example.se friend@elsewhere.org
jcheck "resolve --json of the alias" \
    'j["address"] == "info@example.se" and j["kind"] == "alias" and j["matched"] == "info@example.se" and sorted(j["deliver_to"]) == ["alice@example.se", "bob@example.se", "friend@elsewhere.org"]' \
    pk resolve info@example.se --json
check "alias add to an existing alias adds" pk alias add info@example.se carol@exämple.se
check "alias remove one destination" pk alias remove info@example.se bob@example.se
jcheck "the removed destination is gone" \
    'sorted(j["deliver_to"]) == ["alice@example.se", "carol@xn--exmple-cua.se", "friend@elsewhere.org"]' \
    pk resolve info@example.se --json
check "alias of an alias" pk alias add team@example.se info@example.se dave@example.org
jcheck "aliases expand recursively" \
    'sorted(j["deliver_to"]) == ["alice@example.se", "carol@xn--exmple-cua.se", "dave@example.org", "friend@elsewhere.org"]' \
    pk resolve team@example.se --json
has "human resolve: what matched" '^info@example\.se: alias info@example\.se$' \
    pk resolve info@example.se
has "human resolve: a mailbox" '^  -> alice@example\.se \(mailbox\)$' \
    pk resolve info@example.se
has "human resolve: an outside address" '^  -> friend@elsewhere\.org \(outside\)$' \
    pk resolve info@example.se
if pk resolve info@example.se | grep -Eq '^ *[0-9]+\. '; then
    fail "resolve without --explain prints no steps"
else
    pass "resolve without --explain prints no steps"
fi
has "resolve --explain numbers its steps" '^ *1\. ' \
    pk resolve info@example.se --explain
has "resolve --explain still ends with the destinations" \
    '^  -> friend@elsewhere\.org \(outside\)$' pk resolve info@example.se --explain
jcheck "resolve --json --explain has steps" \
    'len(j["steps"]) >= 2 and all(isinstance(s, str) for s in j["steps"])' \
    pk resolve info@example.se --explain --json
jcheck "global options go before the command too" 'j["kind"] == "alias"' \
    pk --json resolve team@example.se

echo "# catch-all and alias domain"
check "catch-all" pk alias add @example.se alice@example.se
jcheck "the catch-all takes an unknown address" \
    'j["kind"] == "catchall" and j["matched"] == "@example.se" and j["deliver_to"] == ["alice@example.se"]' \
    pk resolve nobody@example.se --json
jcheck "the catch-all never captures an account" \
    'j["kind"] == "account" and j["deliver_to"] == ["bob@example.se"]' \
    pk resolve bob@example.se --json
jcheck "a subaddress finds its account" \
    'j["kind"] == "account" and j["deliver_to"] == ["bob@example.se"]' \
    pk resolve bob+lists@example.se --json
jcheck "an address in no domain of ours is external" \
    'j["kind"] == "external" and j["deliver_to"] == ["x@gmail.com"]' \
    pk resolve x@gmail.com --json
jcheck "an unknown address without a catch-all is unknown" \
    'j["kind"] == "unknown" and j["deliver_to"] == []' \
    pk resolve nobody@example.org --json
check "domain alias" pk domain alias example.nu example.se
jcheck "the alias domain maps to the target" \
    'j["kind"] == "alias" and j["matched"] == "info@example.se"' \
    pk resolve info@example.nu --json
has "list shows the alias domain" '^example\.nu +alias of example\.se' \
    pk list domains

echo "# send-as"
check "sendas grant" pk sendas grant alice@example.se billing@example.se
jcheck "sendas list --json" \
    'j == [{"login": "alice@example.se", "address": "billing@example.se"}]' \
    pk sendas list alice@example.se --json
has "show lists the grant" '^send as +billing@example\.se$' \
    pk account show alice@example.se
check "sendas revoke" pk sendas revoke alice@example.se billing@example.se
jcheck "the grant is gone" 'j == []' pk --json sendas list

echo "# list"
has "list shows domains" '^domains \(4\)$' pk list
has "list shows accounts" '^accounts \(4\)$' pk list
has "list shows aliases" '^aliases \(3\)$' pk list
jcheck "list --json is one array of typed objects" \
    'sorted({o["type"] for o in j}) == ["account", "alias", "catchall", "domain"] and len(j) == 11' \
    pk list --json
jcheck "list aliases DOMAIN --json" \
    'sorted(o["address"] for o in j) == ["@example.se", "info@example.se", "team@example.se"]' \
    pk list aliases example.se --json

echo "# change log"
me=$(id -un)
has "log shows changes with the actor" "cli:$me +account\\.add +alice@example\\.se" pk log
jcheck "log --json records every kind of change" \
    '{"domain.add", "account.add", "account.passwd", "account.state", "account.quota", "account.forward", "alias.add", "alias.remove", "sendas.grant", "sendas.revoke"} <= {e["op"] for e in j}' \
    pk log --json
jcheck "log --json has ISO 8601 UTC times" \
    'all(len(e["time"]) == 20 and e["time"].endswith("Z") and e["time"][10] == "T" for e in j)' \
    pk log --json
check "a change made through sudo" \
    env SUDO_USER=tester "$PK_BIN" --db "$T/db" account suspend carol@exämple.se
jcheck "the log names the sudo user" \
    "len(j) == 1 and j[0]['actor'] == 'cli:$me (sudo tester)' and j[0]['op'] == 'account.state'" \
    pk log --limit 1 --json
jcheck "log --since N --limit N" 'len(j) == 2 and j[0]["seq"] == 3' \
    pk log --since 3 --limit 2 --json

echo "# removal"
check "a one-destination alias" pk alias add solo@example.se bob@example.se
expect_fail "an account named by an alias cannot be removed" 'still delivers' \
    pk account del bob@example.se
check "alias del" pk alias del team@example.se
check "alias del of a nested alias" pk alias del info@example.se
check "alias remove of the last destination" \
    pk alias remove solo@example.se bob@example.se
jcheck "removes the alias" \
    'sorted(o["address"] for o in j) == ["@example.se"]' pk list aliases --json
check "account del" pk account del bob@example.se
jcheck "the account is gone" \
    '"bob@example.se" not in [o["address"] for o in j]' pk list accounts --json
check "domain del of the alias domain" pk domain del example.nu
jcheck "mutations report ok with --json" \
    'j["ok"] is True and j["domain"] == "xn--exmple-cua.se"' \
    pk --json domain quota exämple.se 3G

echo "# rate limit listing"
same "no rate limits is said so" "$(pk ratelimit list)" "no rate limits"
check "ratelimit set" pk ratelimit set accounts --messages 10 --per 1h
same "ratelimit list shows the default" \
    "$(pk ratelimit list | awk 'NR == 2 {print $1, $2, $4}')" "accounts 10 3600"
jcheck "ratelimit list --json is an array" \
    'j[0]["target"] == "accounts" and j[0]["messages"] == 10' \
    pk --json ratelimit list

finish
