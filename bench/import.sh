# import.sh - bulk import against mdb_load of the same pairs; sourced by run.sh
#
# Each round imports the generated JSON lines into a fresh database with
# "postkontor import" and then loads the mdb_dump of the first round's
# database into a fresh directory with mdb_load: the same key/value pairs
# in the same named databases, change log included, with LMDB doing
# nothing but storing them. mdb_load is single-threaded and pinned to
# core 0; the import parses on more than one core
# (common/import-parallel.c), so it is not pinned, and its CPU time is
# that of all its threads. The best time of each side is compared. The
# first round's database is kept as $WORK/db for the other benchmarks.
#
# Both sides write to $IMPORT_DIR, a tmpfs when there is room: mdb_load
# commits every 100 records, each commit synchronous, and on a disk its
# time is then almost all waiting for those syncs (here ~12 s of a 200k
# record load that takes 0.3 s on tmpfs), which would hide what the
# import itself costs.

# db_breakdown DIR - entries and megabytes of each named database
db_breakdown() {
    mdb_stat -a "$1" 2>/dev/null | awk -v psize="$(mdb_stat -e "$1" |
        awk '/Page size/ { print $3 }')" '
        /^Status of / { name = $3 }
        /Branch pages|Leaf pages|Overflow pages/ { pages[name] += $3 }
        /Entries/ { entries[name] = $2 }
        END {
            for (n in entries)
                if (n != "Main")
                    printf "%s %d entries %.1f MB, ", n, entries[n],
                        pages[n] * psize / 1e6
        }' | sed 's/, $//'
}

bench_import() {
    local r t ti=() tl=() tic=() tlc=() entries bytes compact loaded
    local best_i best_l x xc d=$IMPORT_DIR

    say "databases on $(df --output=fstype "$d" | tail -n 1) ($d)"
    for r in $(seq 1 "$ROUNDS"); do
        rm -rf "$d/imp" "$d/load"
        if ! "$PK" --db "$d/imp" init >/dev/null 2>"$WORK/err"; then
            fail import "postkontor init: $(head -n 1 "$WORK/err")"
            return
        fi
        if ! timed t "$PK" --db "$d/imp" import \
            "$WORK/data/import.jsonl" >/dev/null 2>"$WORK/err"; then
            fail import "postkontor import: $(head -n 1 "$WORK/err")"
            return
        fi
        ti+=("$t")
        tic+=("$t_cpu")
        if [ "$r" = 1 ]; then
            entries=$(mdb_stat -s addresses "$d/imp" |
                awk '/Entries/ { print $2 }')
            if [ "$entries" != $((2 * N)) ]; then
                fail import "the database holds ${entries:-no} addresses, not $((2 * N))"
                return
            fi
            if ! mdb_dump -a -f "$d/dump" "$d/imp" 2>"$WORK/err"; then
                fail import "mdb_dump: $(head -n 1 "$WORK/err")"
                return
            fi
            mv "$d/imp" "$d/db"
        fi
        mkdir -m 700 "$d/load"
        # mdb_load 0.9.24 warns about dump header keywords it does not
        # know (db_pagesize); they change nothing here.
        if ! timed t $PIN0 mdb_load -f "$d/dump" "$d/load" \
            2>"$WORK/err"; then
            fail import "mdb_load: $(grep -v 'keyword ignored' "$WORK/err" | head -n 1)"
            return
        fi
        tl+=("$t")
        tlc+=("$t_cpu")
        say "round $r: postkontor import ${ti[-1]} s (CPU ${tic[-1]} s)," \
            "mdb_load $t s (CPU $t_cpu s)"
    done
    best_i=$(smallest "${ti[@]}")
    best_l=$(smallest "${tl[@]}")
    bytes=$(filesize "$d/db/data.mdb")
    loaded=$(filesize "$d/load/data.mdb")
    if ! "$PK" --db "$d/db" backup "$d/compact" >/dev/null \
        2>"$WORK/err"; then
        fail import "postkontor backup: $(head -n 1 "$WORK/err")"
        return
    fi
    compact=$(filesize "$d/compact/data.mdb")
    xc=$(ratio "$(smallest "${tic[@]}")" "$(smallest "${tlc[@]}")")
    say "best: import $best_i s ($(rate $((2 * N)) "$best_i") records/s)," \
        "mdb_load $best_l s"
    say "data.mdb: $bytes bytes after import, $compact after backup," \
        "$loaded as mdb_load wrote it"
    say "$(db_breakdown "$d/db")"
    # The other benchmarks read this database; the readers one writes
    # to a copy of it on disk, as a server would.
    rm -rf "$d/imp" "$d/load" "$d/dump" "$d/compact"
    if [ "$d" != "$WORK" ]; then
        rm -rf "$WORK/db"
        cp -a "$d/db" "$WORK/db" && rm -rf "$d/db"
    fi
    x=$(ratio "$best_i" "$best_l")
    summary "import: ${x}x mdb_load (target <= 1.5x) $(verdict "$x" '<=' 1.5);" \
        "by CPU time ${xc}x; $((bytes / N)) B/account," \
        "$((compact / N)) B/account compacted"
}
