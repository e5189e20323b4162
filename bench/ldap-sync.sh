#!/bin/bash
# ldap-sync.sh - postkontor-sync fed by a 3-provider OpenLDAP cluster:
# the initial load of a new host, and the time from a write acknowledged
# by a provider to the change being visible on every host.
#
#   bench/ldap-sync.sh --builddir BUILDDIR [--accounts N] [--rate R]
#                      [--seconds S] [--rounds K] [--tmpdir DIR] [--keep]
#                      [--compare SYNC-BINARY]
#
# Three slapd (the test suite's tests/integration/slapd.sh, from
# doc/slapd-multiprovider.conf.example) on 127.0.0.1, loaded offline
# with N accounts (default 100,000) in 100 domains. Then:
#
# 1. Initial load: "postkontor-sync --once" into an empty database, K
#    rounds (default 2), each from another provider; the best time is
#    compared with the issue's target of 5 s.
# 2. Replication delay: three hosts, each with its own copy and its own
#    provider first in its failover list, run postkontor-sync --trace
#    (a line per applied change with its commit time). ldap-sync-writer
#    (bench/ldap-sync-writer.c) writes R changes/s (default 100) for S
#    seconds (default 30) round-robin over the three providers and
#    prints each acknowledgement time. A write's delay is the latest
#    of its three commit times minus its acknowledgement (0 if a host
#    was faster than the acknowledgement); p50, p99 and max are
#    compared with the targets p99 <= 25 ms, max <= 100 ms.
#
# --compare runs step 2 four times, alternating our postkontor-sync and
# the given one (a variant under study), and prints the ratios of their
# best rounds (the smallest maximum); the verdict is always on ours.
#
# Everything (slapd's databases, the hosts' copies) lives in a scratch
# directory under $TMPDIR or /tmp, or --tmpdir DIR: on tmpfs (/dev/shm)
# no write waits for the disk, which separates the software path from
# the disk's fsync latency (both slapd and postkontor-sync commit
# durably; a change written on one provider passes through another
# provider's commit before it reaches the hosts that follow that one).
#
# The last line is the verdict; MISSED names a target not met, FAILED a
# run that could not complete (exit 1). Everything runs on this machine:
# the figures include slapd's own replication between providers.
set -u

builddir="" accounts=100000 rate=100 seconds=30 rounds=2 keep=0 compare=""
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) builddir=$2; shift ;;
    --accounts) accounts=$2; shift ;;
    --rate) rate=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --tmpdir) TMPDIR=$2; export TMPDIR; shift ;;
    --compare) compare=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 --builddir DIR [--accounts N] [--rate R] [--seconds S] [--rounds K] [--tmpdir DIR] [--compare SYNC-BINARY] [--keep]" >&2
       exit 1 ;;
    esac
    shift
done
[ -n "$builddir" ] || { echo "$0: --builddir is required" >&2; exit 1; }
sides=A
[ -z "$compare" ] || sides="A B A B"

top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "$builddir" && pwd)
PK_BIN=$top_builddir/cli/postkontor
SYNC_BIN=$top_builddir/sync/postkontor-sync
PK_KEEP_TEST=$keep
SLAPD_DEBUG=0
PYTHON=/usr/bin/python3
CC=${CC:-cc}
export PK_BIN PK_KEEP_TEST
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/slapd.sh"

failed() { echo "ldap-sync: FAILED ($1)"; exit 1; }
[ -x "$SYNC_BIN" ] || failed "$SYNC_BIN is not built"
need "$PYTHON" "$CC" slapcat
$CC -O2 -o "$T/writer" "$top_srcdir/bench/ldap-sync-writer.c" -lldap -llber ||
    failed "cannot build ldap-sync-writer"

echo "ldap-sync: $accounts accounts, $rate writes/s for $seconds s in $(df -P "$T" | awk 'NR == 2 { print $6 }') ($(stat -f -c %T "$T")); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The directory, as LDIF: suffix, 100 domains, the accounts.
"$PYTHON" - "$LDAP_SUFFIX" "$accounts" >"$T/data.ldif" <<'PYEOF'
import sys
base, n = sys.argv[1], int(sys.argv[2])
h = ("{SHA512-CRYPT}$6$9Jam6yySh6v0Nv/N$8Nx9CgJmz8utsUZT9kIzqeTXUu/bEG.BJgISV0hzMq2k"
     "Xb3ndwR2lVJW8r9GUd6pjXOkxmXKwauV/I0YrU/eA1")
w = sys.stdout.write
w("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: x\n\n" % base)
for d in range(100):
    w("dn: pkDomainName=d%d.example,%s\nobjectClass: pkDomain\npkDomainName: d%d.example\n\n"
      % (d, base, d))
for i in range(n):
    a = "user%d@d%d.example" % (i, i % 100)
    w("dn: pkAddress=%s,pkDomainName=d%d.example,%s\nobjectClass: pkAccount\n"
      "pkAddress: %s\npkPasswordHash: %s\n\n" % (a, i % 100, base, a, h))
PYEOF

# Three providers with the same data (entryUUID and entryCSN included),
# loaded offline as an administrator would seed a new cluster.
slapd_setup 3
d1=$(slapd_dir 1)
slapadd -q -w -S 1 -F "$d1/slapd.d" -b "$LDAP_SUFFIX" -l "$T/data.ldif" \
    >"$T/slapadd.log" 2>&1 || failed "slapadd: $(tail -1 "$T/slapadd.log")"
slapcat -F "$d1/slapd.d" -b "$LDAP_SUFFIX" -l "$T/seed.ldif" || failed "slapcat"
for i in 2 3; do
    slapadd -q -w -F "$(slapd_dir $i)/slapd.d" -b "$LDAP_SUFFIX" -l "$T/seed.ldif" \
        >>"$T/slapadd.log" 2>&1 || failed "slapadd on node $i"
done
rm -f "$T/data.ldif" "$T/seed.ldif"
for i in 1 2 3; do slapd_start $i || failed "slapd node $i"; done

sync_args() {
    echo --base "$LDAP_SUFFIX" --bind-dn "$LDAP_ADMIN" --password-file "$LDAP_PWFILE"
}
calc() { awk "BEGIN { printf \"%.3g\", $* }"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }

# 1. Initial load into a new host, best of the rounds.
best=""
r=1
while [ "$r" -le "$rounds" ]; do
    p=$(( (r - 1) % 3 + 1 ))
    rm -rf "$T/load" && mkdir -m 700 "$T/load"
    t0=$(date +%s%N)
    # shellcheck disable=SC2046
    "$SYNC_BIN" --db "$T/load" $(sync_args) --once "$(slapd_uri $p)" \
        >"$T/load.log" 2>&1 || failed "initial load: $(tail -1 "$T/load.log")"
    t1=$(date +%s%N)
    n=$("$PK_BIN" --db "$T/load" --json export | grep -c '"type":"account"')
    [ "$n" = "$accounts" ] || failed "initial load has $n accounts, not $accounts"
    t=$(ms "$t0" "$t1")
    echo "  load round $r (provider $p): $t ms, $(du -sk "$T/load" | cut -f1) KiB"
    [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
    r=$((r + 1))
done
load_ratio=$(awk -v t="$best" 'BEGIN { printf "%.2f", t / 5000 }')

# 2. Write to visible: three hosts from the loaded copy, each following
# its own provider first. latency_round R BIN: one round with the
# postkontor-sync BIN; its figures to $T/round.R.
stop_hosts() {
    for h in 1 2 3; do
        [ -s "$T/sync$h.pid" ] || continue
        kill -TERM "$(cat "$T/sync$h.pid")" 2>/dev/null
        wait "$(cat "$T/sync$h.pid")" 2>/dev/null
        rm -f "$T/sync$h.pid"
    done
}
on_exit stop_hosts
# cpu_now: CPU seconds (utime + stime) of the three consumers, then of
# the three slapd
cpu_now() {
    for f in "$T"/sync1.pid "$T"/sync2.pid "$T"/sync3.pid \
        "$(slapd_dir 1)/slapd.pid" "$(slapd_dir 2)/slapd.pid" "$(slapd_dir 3)/slapd.pid"; do
        awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f ", ($14 + $15) / hz }' \
            "/proc/$(cat "$f")/stat" 2>/dev/null || printf '0 '
    done
    echo
}
latency_round() {
    for h in 1 2 3; do
        rm -rf "$T/host$h" && cp -a "$T/load" "$T/host$h"
        a=$h b=$((h % 3 + 1)) c=$(((h + 1) % 3 + 1))
        # shellcheck disable=SC2046
        "$2" --db "$T/host$h" $(sync_args) --trace \
            "$(slapd_uri $a)" "$(slapd_uri $b)" "$(slapd_uri $c)" >"$T/sync$h.log" 2>&1 &
        echo $! >"$T/sync$h.pid"
    done
    for h in 1 2 3; do
        tries=0
        until grep -q "in step" "$T/sync$h.log" 2>/dev/null; do
            tries=$((tries + 1))
            [ $tries -lt 300 ] || failed "host $h did not get in step"
            sleep 0.1
        done
    done
    cpu_now >"$T/cpu0.$1"
    "$T/writer" "$rate" "$seconds" "$LDAP_SUFFIX" "$LDAP_ADMIN" "$LDAP_PWFILE" "$1" \
        "$(slapd_uri 1)" "$(slapd_uri 2)" "$(slapd_uri 3)" >"$T/acks" 2>"$T/writer.err" ||
        failed "writer: $(head -1 "$T/writer.err")"
    # Let the last writes arrive everywhere (bounded), then stop the hosts.
    want=$(wc -l <"$T/acks")
    tries=0
    while [ $tries -lt 50 ]; do
        ok=1
        for h in 1 2 3; do
            [ "$(grep -c ' applied ' "$T/sync$h.log")" -ge "$want" ] || ok=0
        done
        [ $ok = 1 ] && break
        sleep 0.1; tries=$((tries + 1))
    done
    cpu_now >"$T/cpu1.$1"
    stop_hosts
    "$PYTHON" - "$T/acks" "$T/sync1.log" "$T/sync2.log" "$T/sync3.log" \
        >"$T/round.$1" <<'PYEOF'
import sys
acks = {}
for line in open(sys.argv[1]):
    name, t = line.split()
    acks[name] = int(t)
hosts, commits = [], []
for path in sys.argv[2:5]:
    seen, c, live = {}, [], False
    for line in open(path):
        f = line.split()
        if "in step" in line:
            live = True      # what came before was the catch-up refresh
        elif live and len(f) == 4 and f[1] == "applied" and f[2] in acks and f[2] not in seen:
            seen[f[2]] = int(f[3])
        elif live and " batch of " in line:
            c.append(int(f[-2]) / 1000.0)
    hosts.append(seen)
    commits.append(sorted(c))
delays, missing = [], 0
for name, t in acks.items():
    if any(name not in h for h in hosts):
        missing += 1
        continue
    delays.append(max(0, max(h[name] for h in hosts) - t) / 1000.0)
delays.sort()
def pct(v, p):
    return v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")
def pm(v):
    return "p99 %.1f, max %.1f" % (pct(v, 0.99), v[-1]) if v else "none"
per_host = [pm(sorted(max(0, h[n] - t) / 1000.0 for n, t in acks.items() if n in h)) for h in hosts]
print("%d %d %.1f %.1f %.1f" % (len(acks), missing, pct(delays, 0.5), pct(delays, 0.99),
                                 delays[-1] if delays else float("nan")))
print("delay per host (ms): %s" % "; ".join(per_host))
print("local commit per host (ms): %s" % "; ".join(pm(c) for c in commits))
print("writes over 25 ms: %d, over 50 ms: %d" % (sum(d > 25 for d in delays), sum(d > 50 for d in delays)))
PYEOF
}

# Rounds: ours alone, or ours and --compare's binary interleaved (A B A B).
r=1
for side in $sides; do
    if [ "$side" = A ]; then bin=$SYNC_BIN; else bin=$compare; fi
    latency_round $r "$bin"
    read -r n miss p50 p99 mx <"$T/round.$r"
    cpu=$(paste -d' ' "$T/cpu0.$r" "$T/cpu1.$r" | awk '{ c = $7 + $8 + $9 - $1 - $2 - $3
        s = $10 + $11 + $12 - $4 - $5 - $6; print c, s }')
    echo "  round $r ($side): $n writes, $miss not visible everywhere; p50 $p50 ms, p99 $p99 ms, max $mx ms"
    tail -n +2 "$T/round.$r" | sed 's/^/    /'
    echo "    CPU per write (ms), the three together: consumers $(calc "${cpu% *} * 1000 / $n"), slapd $(calc "${cpu#* } * 1000 / $n")"
    echo "$side $miss $p50 $p99 $mx" >>"$T/rounds"
    r=$((r + 1))
done

# The verdict on ours: its best round, the one with the smallest maximum
# (the harder target); so for the other binary.
awk -v ratio="$load_ratio" -v best="$best" '
    $1 == "A" && (mx == "" || $5 < mx) { miss = $2; p50 = $3; p99 = $4; mx = $5 }
    $1 == "B" && (bmx == "" || $5 < bmx) { bmiss = $2; bp50 = $3; bp99 = $4; bmx = $5 }
    END {
        lok = ratio <= 1.0 ? "ok" : "MISSED"
        wok = (miss == 0 && p99 <= 25 && mx <= 100) ? "ok" : "MISSED"
        if (bp99 != "")
            printf "ldap-sync: --compare binary, best round: p50 %.1f ms, p99 %.1f ms, max %.1f ms; p99 %.2fx, max %.2fx ours\n", bp50, bp99, bmx, bp99 / p99, bmx / mx
        printf "ldap-sync: initial load %.2fx the 5 s target (%d ms) %s; write to visible on every host p50 %.1f ms, p99 %.1f ms, max %.1f ms (targets p99 <= 25, max <= 100) %s\n", ratio, best, lok, p50, p99, mx, wok
    }' "$T/rounds"
