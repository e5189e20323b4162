#!/bin/sh
# demo.sh - the main job: install, build, and show postkontor at work.
#
# Creates a demo database in ./demo/db (and nothing outside ./demo),
# with a domain, accounts and aliases, then shows where mail goes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
sh scripts/build.sh
pk="$top/_build/cli/postkontor --db $top/demo/db"

rm -rf demo
mkdir -m 700 demo
$pk init
$pk domain add example.se
$pk domain add exämple.se
$pk domain alias example.nu example.se
printf 'alice-password\n' | $pk account add alice@example.se --password-stdin
printf 'bob-password\n' | $pk account add bob@example.se --password-stdin
printf 'carol-password\n' | $pk account add carol@exämple.se --password-stdin
$pk account quota alice@example.se 2G
$pk alias add info@example.se alice@example.se bob@example.se
$pk alias add sales@example.se info@example.se partner@elsewhere.org
$pk alias add @example.se alice@example.se
$pk sendas grant bob@example.se billing@example.se
echo
echo "== domains, accounts and aliases"
$pk list
for a in info@example.se sales@example.se Alice+news@EXAMPLE.nu nobody@example.se carol@xn--exmple-cua.se; do
    echo
    echo "== postkontor resolve $a --explain"
    $pk resolve "$a" --explain
done
echo
echo "== postkontor resolve sales@example.se --json"
$pk --json resolve sales@example.se
echo
echo "== postkontor check"
$pk check
echo
echo "== postkontor log"
$pk log
echo
echo "The demo database is in $top/demo/db; remove ./demo to clean up."
