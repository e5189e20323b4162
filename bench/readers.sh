# readers.sh - a reader's lookup rate while an import runs; sourced by run.sh
#
# One reader process, bench-resolve cycling through the hit keys, pinned
# to core 0. Each round copies the database the import benchmark made,
# runs the reader alone for a fixed time (idle), then runs it again for
# exactly as long as "postkontor import" of a second data set into the
# same database takes on core 1 (busy). The round's ratio is busy rate
# over idle rate; the median round is reported.
#
# The reader also reports its CPU time. When other work on the machine
# takes core 0 from it, its wall-clock rate drops for a reason that is
# not the import; the details then show the share of the time it had the
# core and the ratio of lookups per CPU second, which that does not
# affect.

bench_readers() {
    local r idle busy line rd=$WORK/readers secs x window
    local ratios=() cpu_ratios=() idle_share busy_share share=()
    local idle_cpu busy_cpu xc

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
        idle_cpu=$(rate "$(field lookups "$line")" "$(field cpu "$line")")
        idle_share=$(calc "100 * $(field cpu "$line") / $(field seconds "$line")")
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$rd" --expect hit \
            "$WORK/data/hits.keys" -- $PIN1 "$PK" --db "$rd" import \
            "$WORK/data2/import.jsonl" 2>"$WORK/err"); then
            fail readers "bench-resolve during import: $(head -n 1 "$WORK/err")"
            return
        fi
        busy=$(field rate "$line")
        busy_cpu=$(rate "$(field lookups "$line")" "$(field cpu "$line")")
        busy_share=$(calc "100 * $(field cpu "$line") / $(field seconds "$line")")
        secs=$(field seconds "$line")
        ratios+=("$(ratio "$busy" "$idle")")
        cpu_ratios+=("$(ratio "$busy_cpu" "$idle_cpu")")
        share+=("$busy_share")
        say "round $r: idle $idle/s over $window s (on CPU" \
            "$(printf '%.0f' "$idle_share")%), during import $busy/s over" \
            "$secs s (on CPU $(printf '%.0f' "$busy_share")%): ${ratios[-1]}x," \
            "per CPU second ${cpu_ratios[-1]}x"
    done
    rm -rf "$rd"
    x=$(printf '%.2f' "$(median "${ratios[@]}")")
    xc=$(printf '%.2f' "$(median "${cpu_ratios[@]}")")
    if [ "$(verdict "$(median "${share[@]}")" '<' 90)" = ok ]; then
        say "the reader had core 0 for less than 90% of the time during" \
            "the import: other processes ran there, so the wall-clock" \
            "ratio understates it; see the per-CPU-second ratio"
    fi
    summary "readers: ${x}x idle rate during import (target >= 0.9x)" \
        "$(verdict "$x" '>=' 0.9); per CPU second ${xc}x"
}
