#!/bin/sh
# run-local.sh DIR - install the .deb files in DIR on this machine, run
# install-check, then purge the packages again (as root; this changes the
# system: users, a group, /var/lib/postkontor).
set -u
dir=${1:?usage: run-local.sh DIR-WITH-DEBS}
shift $#
here=$(cd "$(dirname "$0")" && pwd)
pkgs="postkontor dovecot-postkontor postkontor-postfix postkontor-milter"
purge() { dpkg --purge $pkgs >/dev/null 2>&1; }
trap purge EXIT
for p in $pkgs; do set -- "$@" "$dir/${p}_"*.deb; done
dpkg -i "$@" || exit 1
sh "$here/install-check"
