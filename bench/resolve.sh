# resolve.sh - in-process pk_resolve() against "postmap -q - lmdb:"; sourced
# by run.sh
#
# The peer is Postfix's own lmdb: table holding the same addresses, each
# mapped to its destination (an account to itself, an alias to its
# destinations), queried by "postmap -q -" with the same key files in
# the same shuffled order. bench-resolve reads the keys and prints the
# answers as postmap does (to /dev/null in the timed rounds); once,
# outside them, both outputs are compared byte for byte. Both sides run pinned to core 0, interleaved,
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
    local ohc=() omc=() phc=() pmc=() psc=()
    local best_oh best_om best_ph best_pm start xh xm ok
    local cpu_oh cpu_om cpu_ph cpu_pm

    if ! postfix_config "$pf"; then
        fail resolve "cannot write a Postfix configuration in $pf"
        return
    fi
    if ! postconf -c "$pf/etc" -m 2>/dev/null | grep -qx lmdb; then
        fail resolve "Postfix has no lmdb support (apt-get install postfix-lmdb)"
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
    # Both sides do the same work per key: read it, look it up, print
    # "key TAB destinations". Their outputs are the same bytes.
    postmap -c "$pf/etc" -q - "lmdb:$map" <"$data/hits.keys" >"$WORK/peer.out"
    if ! "$BENCH_RESOLVE" --db "$WORK/db" --output "$WORK/ours.out" \
        "$data/hits.keys" >/dev/null 2>"$WORK/err"; then
        fail resolve "bench-resolve: $(head -n 1 "$WORK/err")"
        return
    fi
    if ! cmp -s "$WORK/peer.out" "$WORK/ours.out"; then
        fail resolve "bench-resolve and postmap -q print different answers"
        return
    fi
    say "both sides print the same $(wc -l <"$WORK/ours.out") answers" \
        "($(filesize "$WORK/ours.out") bytes) for the hit keys"
    rm -f "$WORK/peer.out" "$WORK/ours.out"

    for r in $(seq 1 "$ROUNDS"); do
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$WORK/db" --expect hit \
            "$data/hits.keys" 2>"$WORK/err"); then
            fail resolve "bench-resolve: $(head -n 1 "$WORK/err")"
            return
        fi
        oh+=("$(field rate "$line")")
        ohc+=("$(field cpu "$line")")
        if ! line=$($PIN0 "$BENCH_RESOLVE" --db "$WORK/db" --expect miss \
            "$data/misses.keys" 2>"$WORK/err"); then
            fail resolve "bench-resolve: $(head -n 1 "$WORK/err")"
            return
        fi
        om+=("$(field rate "$line")")
        omc+=("$(field cpu "$line")")
        timed t $PIN0 postmap -c "$pf/etc" -q - "lmdb:$map" </dev/null
        ps+=("$t")
        psc+=("$t_cpu")
        timed t $PIN0 postmap -c "$pf/etc" -q - "lmdb:$map" \
            <"$data/hits.keys" >/dev/null
        ph+=("$t")
        phc+=("$t_cpu")
        timed t $PIN0 postmap -c "$pf/etc" -q - "lmdb:$map" \
            <"$data/misses.keys" >/dev/null
        pm+=("$t")
        pmc+=("$t_cpu")
        say "round $r: pk_resolve hits ${oh[-1]}/s, misses ${om[-1]}/s;" \
            "postmap hits ${ph[-1]} s, misses ${pm[-1]} s, start-up ${ps[-1]} s"
    done
    start=$(smallest "${ps[@]}")
    best_oh=$(largest "${oh[@]}")
    best_om=$(largest "${om[@]}")
    best_ph=$(rate "$N" "$(calc "$(smallest "${ph[@]}") - $start")")
    best_pm=$(rate "$N" "$(calc "$(smallest "${pm[@]}") - $start")")
    say "best: pk_resolve hits $best_oh/s, misses $best_om/s;" \
        "postmap -q hits $best_ph/s, misses $best_pm/s"
    # The same comparison by CPU time, which other load on the machine
    # does not distort.
    start=$(smallest "${psc[@]}")
    cpu_oh=$(rate "$N" "$(smallest "${ohc[@]}")")
    cpu_om=$(rate "$N" "$(smallest "${omc[@]}")")
    cpu_ph=$(rate "$N" "$(calc "$(smallest "${phc[@]}") - $start")")
    cpu_pm=$(rate "$N" "$(calc "$(smallest "${pmc[@]}") - $start")")
    say "per CPU second: pk_resolve hits $cpu_oh, misses $cpu_om;" \
        "postmap hits $cpu_ph, misses $cpu_pm"
    xh=$(ratio "$best_oh" "$best_ph")
    xm=$(ratio "$best_om" "$best_pm")
    ok=ok
    if [ "$(verdict "$xh" '>=' 2)" != ok ] || [ "$(verdict "$xm" '>=' 2)" != ok ]; then
        ok=MISSED
    fi
    summary "resolve: hits ${xh}x, misses ${xm}x postmap -q lmdb: (target >= 2x)" \
        "$ok; by CPU time $(ratio "$cpu_oh" "$cpu_ph")x," \
        "$(ratio "$cpu_om" "$cpu_pm")x"
}
