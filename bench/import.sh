# import.sh - bulk import against mdb_load of the same pairs; sourced by run.sh
#
# Each round imports the generated JSON lines into a fresh database with
# "postkontor import" and then loads the mdb_dump of the first round's
# database into a fresh directory with mdb_load: the same key/value pairs
# in the same named databases, change log included, with LMDB doing
# nothing but storing them. Both are pinned to core 0. The best time of
# each side is compared. The first round's database is kept as
# $WORK/db for the other benchmarks.

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
    local r t ti=() tl=() entries bytes compact loaded best_i best_l x

    for r in $(seq 1 "$ROUNDS"); do
        rm -rf "$WORK/imp" "$WORK/load"
        if ! "$PK" --db "$WORK/imp" init >/dev/null 2>"$WORK/err"; then
            fail import "postkontor init: $(head -n 1 "$WORK/err")"
            return
        fi
        if ! timed t $PIN0 "$PK" --db "$WORK/imp" import \
            "$WORK/data/import.jsonl" >/dev/null 2>"$WORK/err"; then
            fail import "postkontor import: $(head -n 1 "$WORK/err")"
            return
        fi
        ti+=("$t")
        if [ "$r" = 1 ]; then
            entries=$(mdb_stat -s addresses "$WORK/imp" |
                awk '/Entries/ { print $2 }')
            if [ "$entries" != $((2 * N)) ]; then
                fail import "the database holds ${entries:-no} addresses, not $((2 * N))"
                return
            fi
            if ! mdb_dump -a -f "$WORK/dump" "$WORK/imp" 2>"$WORK/err"; then
                fail import "mdb_dump: $(head -n 1 "$WORK/err")"
                return
            fi
            mv "$WORK/imp" "$WORK/db"
        fi
        mkdir -m 700 "$WORK/load"
        if ! timed t $PIN0 mdb_load -f "$WORK/dump" "$WORK/load" \
            2>"$WORK/err"; then
            fail import "mdb_load: $(head -n 1 "$WORK/err")"
            return
        fi
        tl+=("$t")
        say "round $r: postkontor import ${ti[-1]} s ($(rate $((2 * N)) "${ti[-1]}") records/s)," \
            "mdb_load $t s"
    done
    best_i=$(smallest "${ti[@]}")
    best_l=$(smallest "${tl[@]}")
    bytes=$(filesize "$WORK/db/data.mdb")
    loaded=$(filesize "$WORK/load/data.mdb")
    if ! "$PK" --db "$WORK/db" backup "$WORK/compact" >/dev/null \
        2>"$WORK/err"; then
        fail import "postkontor backup: $(head -n 1 "$WORK/err")"
        return
    fi
    compact=$(filesize "$WORK/compact/data.mdb")
    rm -rf "$WORK/compact" "$WORK/load" "$WORK/dump"
    say "best: import $best_i s, mdb_load $best_l s"
    say "data.mdb: $bytes bytes after import, $compact after backup," \
        "$loaded as mdb_load wrote it"
    say "$(db_breakdown "$WORK/db")"
    x=$(ratio "$best_i" "$best_l")
    summary "import: ${x}x mdb_load (target <= 1.5x) $(verdict "$x" '<=' 1.5);" \
        "$((bytes / N)) B/account, $((compact / N)) B/account compacted"
}
