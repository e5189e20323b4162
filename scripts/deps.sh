#!/bin/sh
# deps.sh - install what postkontor needs from Debian bookworm (as root).
#
#   scripts/deps.sh          build dependencies and the demo's tools
#   scripts/deps.sh --test   also everything the test suites run
#   scripts/deps.sh --stack  also what scripts/stack.sh runs
#
# README.md says why each package is there.
set -eu

BUILD="build-essential autoconf automake libtool pkg-config
 liblmdb-dev libidn2-dev libargon2-dev libcrypt-dev libssl-dev libjansson-dev
 lmdb-utils"
TEST="clang llvm valgrind python3 python3-dkim policyd-rate-limit util-linux procps iproute2 curl
 swaks openssl dovecot-core dovecot-dev dovecot-imapd dovecot-pop3d
 dovecot-lmtpd postfix postfix-lmdb libmilter-dev miltertest libldap-dev slapd
 ldap-utils debhelper dh-autoreconf dpkg-dev"
STACK="python3 util-linux procps iproute2 swaks openssl dovecot-core dovecot-dev
 dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix libmilter-dev"

pkgs=$BUILD
[ "${1:-}" = "--test" ] && pkgs="$BUILD $TEST"
[ "${1:-}" = "--stack" ] && pkgs="$BUILD $STACK"

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install)" >&2
    exit 1
fi
# Postfix asks questions on install unless told not to.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
