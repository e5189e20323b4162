# resolve.sh - in-process pk_resolve() against "postmap -q - lmdb:"; sourced
# by run.sh
#
# The peer is Postfix's own lmdb: table holding the same addresses, each
# mapped to its destination (an account to itself, an alias to its
# destinations), queried by "postmap -q -" with the same key files in
# the same shuffled order. Both sides run pinned to core 0, interleaved,
# and the best round of each is compared. postmap's start-up time (its
# run over an empty input) is taken off its times, in its favour.

# postfix_config DIR - a minimal private Postfix configuration directory
postfix_config() {
    mkdir -p "$1/etc" "$1/spool" || return 1
    cat >"$1/etc/main.cf" <<EOF
compatibility_level = 3.6
default_database_type = lmdb
queue_directory = $1/spool
EOF
}

bench_resolve() {
    local pf=$WORK/postfix map=$WORK/postfix/virtual data=$WORK/data
    local r t line found oh=() om=() ph=() pm=() ps=()
    local best_oh best_om best_ph best_pm start xh xm

    if ! postconf -m 2>/dev/null | grep -qx lmdb; then
        fail resolve "Postfix has no lmdb support (apt-get install postfix-lmdb)"
        return
    fi
    if ! postfix_config "$pf"; then
        fail resolve "cannot write a Postfix configuration in $pf"
        return
    fi
    cp "$data/postfix.txt" "$map"
    if ! timed t postmap -c "$pf/etc" "lmdb:$map" 2>"$WORK/err"; then
        fail resolve "postmap: $(head -n 1 "$WORK/err")"
        return
    fi
    say "built the Postfix table $map.lmdb ($(filesize "$map.lmdb") bytes, $t s)"
    # Check the peer's answers once, outside the timed rounds.
    found=$(postmap -c "$pf/etc" -q - "lmdb:$map" <"$data/hits.keys" | wc -l)
    if [ "$found" != "$N" ]; then
        fail resolve "postmap found $found of $N hit keys"
        return
    fi
    found=$(postmap -c "$pf/etc" -q - "lmdb:$map" <"$data/misses.keys" | wc -l)
    if [ "$found" != 0 ]; then
        fail resolve "postmap found $found of the miss keys"
        return
    fi

    for r in $(seq 1 "$ROUNDS"); do
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$WORK/db" --expect hit \
            "$data/hits.keys" 2>"$WORK/err"); then
            fail resolve "bench-resolve: $(head -n 1 "$WORK/err")"
            return
        fi
        oh+=("$(field rate "$line")")
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$WORK/db" --expect miss \
            "$data/misses.keys" 2>"$WORK/err"); then
            fail resolve "bench-resolve: $(head -n 1 "$WORK/err")"
            return
        fi
        om+=("$(field rate "$line")")
        timed t $PIN0 postmap -c "$pf/etc" -q - "lmdb:$map" </dev/null
        ps+=("$t")
        timed t $PIN0 postmap -c "$pf/etc" -q - "lmdb:$map" \
            <"$data/hits.keys" >/dev/null
        ph+=("$t")
        timed t $PIN0 postmap -c "$pf/etc" -q - "lmdb:$map" \
            <"$data/misses.keys" >/dev/null
        pm+=("$t")
        say "round $r: hits ${oh[-1]}/s, misses ${om[-1]}/s;" \
            "postmap hits ${ph[-1]} s, misses ${pm[-1]} s, start-up ${ps[-1]} s"
    done
    start=$(smallest "${ps[@]}")
    best_oh=$(largest "${oh[@]}")
    best_om=$(largest "${om[@]}")
    best_ph=$(rate "$N" "$(calc "$(smallest "${ph[@]}") - $start")")
    best_pm=$(rate "$N" "$(calc "$(smallest "${pm[@]}") - $start")")
    say "best: pk_resolve hits $best_oh/s, misses $best_om/s;" \
        "postmap -q hits $best_ph/s, misses $best_pm/s"
    xh=$(ratio "$best_oh" "$best_ph")
    xm=$(ratio "$best_om" "$best_pm")
    local ok=ok
    if [ "$(verdict "$xh" '>=' 2)" != ok ] || [ "$(verdict "$xm" '>=' 2)" != ok ]; then
        ok=MISSED
    fi
    summary "resolve: hits ${xh}x, misses ${xm}x postmap -q lmdb: (target >= 2x) $ok"
}
