# readers.sh - a reader's lookup rate while an import runs; sourced by run.sh
#
# One reader process, bench-resolve cycling through the hit keys, pinned
# to core 0. Each round copies the database the import benchmark made,
# runs the reader alone for a fixed time (idle), then runs it again for
# exactly as long as "postkontor import" of a second data set into the
# same database takes on core 1 (busy). The round's ratio is busy rate
# over idle rate; the median round is reported.

bench_readers() {
    local r idle busy line rd=$WORK/readers secs x ratios=() window

    if [ "$(nproc)" -lt 2 ]; then
        fail readers "needs two cores, this machine has $(nproc)"
        return
    fi
    if [ $QUICK = 1 ]; then
        window=2
    else
        window=5
    fi
    for r in $(seq 1 "$ROUNDS"); do
        rm -rf "$rd"
        cp -a "$WORK/db" "$rd"
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$rd" --expect hit \
            --seconds $window "$WORK/data/hits.keys" 2>"$WORK/err"); then
            fail readers "bench-resolve: $(head -n 1 "$WORK/err")"
            return
        fi
        idle=$(field rate "$line")
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$rd" --expect hit \
            "$WORK/data/hits.keys" -- $PIN1 "$PK" --db "$rd" import \
            "$WORK/data2/import.jsonl" 2>"$WORK/err"); then
            fail readers "bench-resolve during import: $(head -n 1 "$WORK/err")"
            return
        fi
        busy=$(field rate "$line")
        secs=$(field seconds "$line")
        ratios+=("$(ratio "$busy" "$idle")")
        say "round $r: idle $idle/s over $window s," \
            "during import $busy/s over $secs s (${ratios[-1]}x)"
    done
    rm -rf "$rd"
    x=$(median "${ratios[@]}")
    x=$(printf '%.2f' "$x")
    summary "readers: ${x}x idle rate during import (target >= 0.9x)" \
        "$(verdict "$x" '>=' 0.9)"
}
