#!/bin/bash
# run.sh - run every postkontor benchmark against its peer (bench/README.md)
#
# usage: bench/run.sh [--quick] [--rounds N] [--builddir DIR] [--tmpdir DIR]
#                     [--import-dir DIR] [--keep] [--only NAME]
#
#   --quick      100,000 accounts and aliases instead of 1,000,000 (CI)
#   --rounds N   rounds per side, interleaved with the peer (default 3)
#   --builddir   where cli/postkontor and bench/bench-resolve were built
#                (default: $top_builddir, else the current directory)
#   --tmpdir     where the scratch directory goes (default $TMPDIR or /tmp)
#   --import-dir DIR  where the import benchmark writes its databases
#                (default: a directory in /dev/shm when it is a tmpfs with
#                room, else the scratch directory; see import.sh)
#   --keep       keep the scratch directory (data, databases) afterwards
#   --only NAME  import, resolve or readers (resolve and readers use the
#                database the import benchmark makes, so it always runs)
#
# Prints detail lines (indented) while it runs and one unindented line
# per benchmark: "NAME: RATIO PEER (target ...) ok|MISSED". Exit status 0
# when every benchmark ran, whether or not it met its target; 1 when one
# could not run; 2 for a usage error.

set -u

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_SRC/lib.sh"
. "$BENCH_SRC/import.sh"
. "$BENCH_SRC/resolve.sh"
. "$BENCH_SRC/readers.sh"

QUICK=0
ROUNDS=3
BUILDDIR=${top_builddir:-.}
TMPBASE=${TMPDIR:-/tmp}
KEEP=0
ONLY=
IMPORT_BASE=
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    --builddir) BUILDDIR=$2; shift ;;
    --tmpdir) TMPBASE=$2; shift ;;
    --import-dir) IMPORT_BASE=$2; shift ;;
    --keep) KEEP=1 ;;
    --only) ONLY=$2; shift ;;
    -h | --help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case $ONLY in
'' | import | resolve | readers) ;;
*) echo "run.sh: --only import|resolve|readers" >&2; exit 2 ;;
esac
if ! [ "$ROUNDS" -ge 1 ] 2>/dev/null; then
    echo "run.sh: --rounds needs a number >= 1" >&2
    exit 2
fi

PK=$(cd "$BUILDDIR" 2>/dev/null && pwd)/cli/postkontor
BENCH_RESOLVE=$(cd "$BUILDDIR" 2>/dev/null && pwd)/bench/bench-resolve
for prog in "$PK" "$BENCH_RESOLVE"; do
    if ! [ -x "$prog" ]; then
        echo "run.sh: $prog is not built (make, or pass --builddir)" >&2
        exit 1
    fi
done
PYTHON=${PYTHON:-python3}
for tool in "$PYTHON" taskset mdb_dump mdb_load mdb_stat postmap postconf; do
    if ! command -v "$tool" >/dev/null; then
        echo "run.sh: $tool is missing (apt-get install lmdb-utils" \
            "postfix postfix-lmdb python3 util-linux)" >&2
        exit 1
    fi
done

# Sizes. The readers' import is a second data set of the same number of
# lines as the first has accounts, in domains of its own.
if [ $QUICK = 1 ]; then
    N=100000
else
    N=1000000
fi
DOMAINS=1000
# Pin single-threaded and request/response work to one core; the import
# that competes with the readers goes to the other one.
PIN0="taskset -c 0"
PIN1="taskset -c 1"

WORK=$(mktemp -d "$TMPBASE/pk-bench.XXXXXX") || exit 1
chmod 700 "$WORK"
# The import benchmark's databases, dump and load: about 3 KB an account.
if [ -z "$IMPORT_BASE" ] && [ "$(df --output=fstype /dev/shm 2>/dev/null |
    tail -n 1)" = tmpfs ] && [ "$(df --output=avail -k /dev/shm |
    tail -n 1)" -gt $((N * 3)) ]; then
    IMPORT_BASE=/dev/shm
fi
if [ -n "$IMPORT_BASE" ]; then
    IMPORT_DIR=$(mktemp -d "$IMPORT_BASE/pk-bench.XXXXXX") || exit 1
else
    IMPORT_DIR=$WORK
fi
cleanup() {
    if [ "$IMPORT_DIR" != "$WORK" ]; then
        rm -rf "$IMPORT_DIR"
    fi
    if [ $KEEP = 1 ]; then
        echo "scratch directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
BENCH_FAILED=0
: >"$WORK/summary"

# make_hash - one valid {SHA512-CRYPT} hash that every account shares
make_hash() {
    local h

    if h=$(doveadm pw -s SHA512-CRYPT -p bench 2>/dev/null) \
        && [ "${h#\{SHA512-CRYPT\}\$6\$}" != "$h" ]; then
        printf '%s\n' "$h"
    elif h=$(openssl passwd -6 bench 2>/dev/null); then
        printf '{SHA512-CRYPT}%s\n' "$h"
    else
        return 1
    fi
}

# generate - the data sets; not timed
generate() {
    local hash t

    mkdir -p "$WORK/data" "$WORK/data2" || return 1
    hash=$(make_hash) || { echo "run.sh: need doveadm or openssl" >&2; return 1; }
    timed t "$PYTHON" "$BENCH_SRC/gen-data.py" --accounts $N --aliases $N \
        --domains $DOMAINS --keys $N --hash "$hash" "$WORK/data" || return 1
    say "generated $N accounts, $N aliases in $DOMAINS domains," \
        "$N hit and $N miss keys (${t}s, not measured)"
    timed t "$PYTHON" "$BENCH_SRC/gen-data.py" --accounts $((N / 2)) \
        --aliases $((N / 2)) --domains $DOMAINS --prefix e --seed 2 \
        --hash "$hash" "$WORK/data2" || return 1
    say "generated a second import of $((N / 2)) accounts and" \
        "$((N / 2)) aliases for the readers benchmark (${t}s)"
}

echo "postkontor benchmarks: $N accounts + $N aliases, $ROUNDS rounds," \
    "scratch $WORK"
say "$(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg) at start"
start=$(date +%s)
if ! generate; then
    echo "run.sh: cannot generate the data" >&2
    exit 1
fi
for name in import resolve readers; do
    if [ -n "$ONLY" ] && [ "$name" != import ] && [ "$name" != "$ONLY" ]; then
        continue
    fi
    if [ $name != import ] && ! [ -f "$WORK/db/data.mdb" ]; then
        fail $name "no database from the import benchmark"
        continue
    fi
    echo "== $name"
    t0=$(date +%s)
    bench_$name
    say "($(($(date +%s) - t0)) s)"
done
echo
echo "summary ($(($(date +%s) - start)) s in all):"
cat "$WORK/summary"
exit $BENCH_FAILED
