#!/bin/sh
# t-cli-bad-input - bad input gets one clear error and changes nothing
#
# Each bad command must exit non-zero, print exactly one line on stderr
# ("postkontor: ...") and nothing on stdout, and the database must export
# byte for byte as it did before. Covers addresses, domains, aliases,
# passwords (argv, empty, mismatched at the prompt, no terminal), sizes,
# the database directory (missing, world-readable, newer schema) and a
# malformed import.

. "$top_srcdir/tests/integration/lib.sh"
need python3 mdb_load

pw() { input=$1; shift; printf '%s\n' "$input" | pk "$@"; }

# unchanged NAME: the database exports as it did at the snapshot
unchanged() {
    if pk export >"$T/now" 2>"$T/err" && cmp -s "$T/before" "$T/now"; then
        pass "$1: database unchanged"
    else
        fail "$1: database changed"; diff "$T/before" "$T/now" | sed 's/^/     | /'
    fi
}

# bad NAME PATTERN CMD...: CMD fails with one clear line; nothing changed
bad() {
    expect_fail "$@"
    unchanged "$1"
}

echo "# setup"
check "init" pk init
check "domain" pk domain add example.se
check "account" pw 'alice secret pw' account add alice@example.se --password-stdin
check "account 2" pw 'bob secret pw' account add bob@example.se --password-stdin
check "alias" pk alias add info@example.se alice@example.se
check "nested alias" pk alias add team@example.se info@example.se
pk export >"$T/before" || fail "export"
[ -s "$T/before" ] && pass "snapshot taken" || fail "snapshot is empty"

echo "# addresses"
bad "address without @" 'invalid|address' \
    pw 'a password' account add alice.example.se --password-stdin
bad "address with a space" 'invalid|address' pk alias add 'a b@example.se' alice@example.se
bad "destination with two @" 'invalid|address' pk alias add new@example.se 'x@@example.se'
bad "quoted local part" 'invalid|address|quoted' pk alias add '"a b"@example.se' alice@example.se
long_local=$(printf '%065d' 0 | tr 0 a)
bad "local part over 64 octets" '64|long' pk alias add "$long_local@example.se" alice@example.se
long_label=$(printf '%063d' 0 | tr 0 b)
long_domain="$long_label.$long_label.$long_label.$long_label.se"
bad "domain over 253 octets" '253|long' pk domain add "$long_domain"
addr_255="$(printf '%064d' 0 | tr 0 c)@$long_label.$long_label.$(printf '%059d' 0 | tr 0 d).se"
same "the long address is 255 octets" "${#addr_255}" 255
bad "address over 254 octets" '254|long' pk alias add "$addr_255" alice@example.se
bad "unknown domain" 'not hosted|unknown|domain' \
    pw 'a password' account add carol@nowhere.se --password-stdin
bad "alias in an unknown domain" 'not hosted|unknown|domain' \
    pk alias add x@nowhere.se alice@example.se

echo "# accounts and aliases"
bad "alias on an account's address" 'account' pk alias add alice@example.se bob@example.se
bad "account on an alias's address" 'alias' \
    pw 'a password' account add info@example.se --password-stdin
bad "an account twice" 'exist' pw 'a password' account add alice@example.se --password-stdin
bad "alias cycle" 'loop|cycle' pk alias add info@example.se team@example.se
bad "alias to itself" 'loop|cycle|itself' pk alias add team@example.se team@example.se
bad "unknown local destination" 'ghost@example\.se' pk alias add new@example.se ghost@example.se
bad "forward to an unknown local address" 'ghost@example\.se' \
    pk account forward alice@example.se ghost@example.se
bad "removing an account an alias delivers to" 'still' pk account del alice@example.se
bad "removing a domain in use" 'example\.se' pk domain del example.se
bad "a state of an unknown account" 'nobody@example\.se' pk account suspend nobody@example.se
bad "sendas for a login that is no account" 'info@example\.se' \
    pk sendas grant info@example.se billing@example.se
bad "domain alias to an unknown domain" 'nowhere\.se' pk domain alias example.nu nowhere.se

echo "# passwords"
bad "password as an extra argument" 'never taken from the command line' \
    pk account add carol@example.se hunter22
bad "--password=..." 'never taken from the command line' \
    pk account add carol@example.se --password=hunter22
bad "--password ..." 'never taken from the command line' \
    pk account add carol@example.se --password hunter22
bad "passwd with a password argument" 'never taken from the command line' \
    pk account passwd alice@example.se hunter22
bad "empty password" 'empty' pw '' account add carol@example.se --password-stdin
bad "empty passwd" 'empty' pw '' account passwd alice@example.se --password-stdin
bad "no password at all on stdin" 'password' \
    sh -c '"$1" --db "$2" account add carol@example.se --password-stdin </dev/null' \
    sh "$PK_BIN" "$T/db"
bad "no terminal and no --password-stdin" 'not a terminal' \
    sh -c 'echo secret | "$1" --db "$2" account add carol@example.se' \
    sh "$PK_BIN" "$T/db"
long_pw=$(printf '%02000d' 0)
bad "an overlong password" 'long' pw "$long_pw" account add carol@example.se --password-stdin

# prompt PW1 PW2 ARGS...: answer the two no-echo prompts on a terminal
cat >"$T/prompt.py" <<'EOF'
import os, pty, sys
pw1, pw2, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, answers = b"", [pw1, pw2]
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    out += data
    # Answer each prompt once it is shown (echo is off by then).
    if answers and out.lower().count(b"password for") > 2 - len(answers):
        os.write(fd, answers.pop(0).encode() + b"\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
prompt() { python3 "$T/prompt.py" "$@"; }
if prompt 'same pw 1' 'same pw 1' "$PK_BIN" --db "$T/db" account add prompted@example.se \
    >"$T/out" 2>&1; then
    pass "the prompt takes a password typed twice"
else
    fail "the prompt takes a password typed twice"; sed 's/^/     | /' "$T/out"
fi
grep -q 'same pw' "$T/out" && fail "the password was echoed" ||
    pass "the password is not echoed"
check "remove it again" pk account del prompted@example.se
pk export >"$T/before"
if prompt 'first pw 1' 'other pw 2' "$PK_BIN" --db "$T/db" account add carol@example.se \
    >"$T/out" 2>&1; then
    fail "mismatched passwords (succeeded)"
elif [ "$(grep -c '^postkontor: ' "$T/out")" = 1 ] && grep -q 'do not match' "$T/out"; then
    pass "mismatched passwords: one clear error"
else
    fail "mismatched passwords"; sed 's/^/     | /' "$T/out"
fi
unchanged "mismatched passwords"
if prompt 'first pw 1' 'other pw 2' "$PK_BIN" --db "$T/db" account passwd alice@example.se \
    >"$T/out" 2>&1; then
    fail "mismatched passwd (succeeded)"
else
    pass "mismatched passwd is refused"
fi
unchanged "mismatched passwd"

echo "# sizes and usage"
bad "a size that is garbage" 'not a size' pk account quota alice@example.se 2X
bad "a fractional size" 'not a size' pk account quota alice@example.se 1.5G
bad "a size that overflows" 'too large' pk account quota alice@example.se 99999999999999999999G
bad "a negative size" 'not a size' pk domain quota example.se -1
bad "an unknown command" 'unknown command' pk frobnicate
bad "an unknown subcommand" 'unknown command' pk account frobnicate x@example.se
bad "a missing argument" 'usage' pk alias add info@example.se
bad "an unknown option" 'option' pk resolve info@example.se --frobnicate
for cmd in "account add x@example.se hunter22" "resolve" "alias add"; do
    # shellcheck disable=SC2086
    pk $cmd >/dev/null 2>&1
    rc=$?
    same "usage error exit status: $cmd" "$rc" 2
done

echo "# the database directory"
expect_fail "a missing database directory" 'no database at .*run postkontor init' \
    "$PK_BIN" --db "$T/missing" list
expect_fail "a directory without a database" 'no database at' \
    sh -c 'mkdir -m 700 "$1" && "$2" --db "$1" list' sh "$T/empty" "$PK_BIN"
[ -e "$T/missing" ] && fail "a read created the directory" ||
    pass "a read did not create the directory"
expect_fail "POSTKONTOR_DB names the database too" 'no database at .*/missing' \
    env POSTKONTOR_DB="$T/missing" "$PK_BIN" list
cp -a "$T/db" "$T/open"
chmod 755 "$T/open"
expect_fail "a world-readable database directory" 'other users|permission|mode' \
    "$PK_BIN" --db "$T/open" list
expect_fail "a world-readable directory is not written to" 'other users|permission|mode' \
    "$PK_BIN" --db "$T/open" domain add example.org
cp -a "$T/db" "$T/newer"
printf 'schema\n\\02\\00\\00\\00\n' | mdb_load -T -s meta "$T/newer" ||
    fail "mdb_load of a newer schema"
expect_fail "a database of a newer schema" 'newer' "$PK_BIN" --db "$T/newer" list
expect_fail "a newer schema is not written to" 'newer' \
    "$PK_BIN" --db "$T/newer" domain add example.org
unchanged "directory checks"

echo "# import"
good_line='{"type":"domain","domain":"example.org"}'
printf '%s\n%s\n' "$good_line" '{"type":"account","address":"x@example.org",' >"$T/broken.jsonl"
bad "a malformed JSON line" 'line 2' pk import "$T/broken.jsonl"
printf '%s\n%s\n' "$good_line" '{"type":"alias","address":"y@example.org","to":["ghost@example.org"]}' \
    >"$T/dangling.jsonl"
bad "an import with a dangling destination" 'ghost@example\.org' pk import "$T/dangling.jsonl"
printf '%s\n%s\n' "$good_line" '{"type":"account","address":"z@example.org","password":"{PLAIN}secret"}' \
    >"$T/plain.jsonl"
bad "an import with a plaintext password" 'PLAIN|scheme|plaintext' pk import "$T/plain.jsonl"
printf '%s\n' "$good_line" '{"type":"mailbox","address":"z@example.org"}' >"$T/type.jsonl"
bad "an import with an unknown type" 'line 2' pk import "$T/type.jsonl"
printf 'u@example.org:{PLAIN}secret::::::\n' >"$T/passwd"
bad "a passwd-file with a plaintext password" 'PLAIN|plaintext|scheme' \
    pk import --format dovecot-passwd --create-domains "$T/passwd"
printf 'new@example.se alice@example.se\nnoatsign alice@example.se\n' >"$T/virtual"
bad "a virtual table with a pattern without a domain" 'line 2' \
    pk import --format postfix-virtual "$T/virtual"
bad "an unknown import format" 'format' pk import --format csv "$T/virtual"
bad "an import file that does not exist" 'nosuchfile' pk import "$T/nosuchfile"

finish
