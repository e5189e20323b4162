# lib.sh - helpers for the benchmark scripts, sourced by bench/run.sh
#
# Timing is wall clock (date +%s%N) around one command; a rate or time
# for comparison is the best of several rounds, taken in the same run as
# the peer's and interleaved with it (NOTES.md, "Measuring on these
# machines").

# say - one detail line, indented below its benchmark's heading
say() {
    printf '  %s\n' "$*"
}

# times_cpu FILE - user + system seconds of finished children in the
# output of the "times" builtin (which must run in the shell itself, not
# in a $(...) subshell, to see them)
times_cpu() {
    awk 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}

# timed VAR CMD [ARG...] - run CMD; its wall-clock seconds go to VAR, the
# CPU seconds it used to VAR_cpu
timed() {
    local __var=$1 __t0 __t1 __rc
    shift
    times >"$WORK/times.0"
    __t0=$(date +%s%N)
    "$@"
    __rc=$?
    __t1=$(date +%s%N)
    times >"$WORK/times.1"
    printf -v "$__var" '%s' "$(awk -v a="$__t0" -v b="$__t1" \
        'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
    printf -v "${__var}_cpu" '%s' "$(calc "$(times_cpu "$WORK/times.1") - \
        $(times_cpu "$WORK/times.0")")"
    return $__rc
}

# calc EXPR - evaluate a floating-point expression with awk
calc() {
    awk "BEGIN { printf \"%.6g\", $* }"
}

# smallest, largest, median - of the arguments
smallest() {
    printf '%s\n' "$@" | sort -g | head -n 1
}

largest() {
    printf '%s\n' "$@" | sort -g | tail -n 1
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field NAME LINE - the value of NAME=value in a bench-resolve line
field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# verdict RATIO OP TARGET - "ok" when RATIO OP TARGET holds, else "MISSED"
verdict() {
    if awk -v r="$1" -v t="$3" "BEGIN { exit !(r $2 t) }"; then
        echo ok
    else
        echo MISSED
    fi
}

# ratio A B - A / B with two decimals
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# rate N SECONDS - N per second, rounded
rate() {
    awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'
}

# filesize FILE - size in bytes
filesize() {
    stat -c %s "$1"
}

# summary LINE - record one benchmark's result line for the end
summary() {
    say "=> $*"
    printf '%s\n' "$*" >>"$WORK/summary"
}

# fail NAME REASON - a benchmark could not run
fail() {
    summary "$1: FAILED ($2)"
    BENCH_FAILED=1
}
