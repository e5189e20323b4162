# stacklib.sh - start and stop scripts/stack.sh from a test, on a port
# range of the test's own. Sourced after lib.sh.
#   stack_pick_base FIRST LAST: set $base to a port base from FIRST to LAST
#       (steps of 1000, starting at a PID-derived one) whose eight service
#       ports are free; fails the test when none is.
#   stack_ports_free BASE: nothing listens on the eight ports of BASE (above
#       the ephemeral range; closed connections may linger in TIME_WAIT).
#   run_stack [stop]: scripts/stack.sh with the built tree, in $S, on $base.
# The stack's processes pass through $T, so it is made traversable.

STACK="$top_srcdir/scripts/stack.sh"
S=$T/stack
chmod 711 "$T"

stack_ports_free() {
    for o in 24 25 110 143 465 587 993 995; do
        [ -z "$(ss -ltnH "sport = :$(($1 + o))" 2>/dev/null)" ] || return 1
    done
}

stack_pick_base() {
    span=$((($2 - $1) / 1000 + 1))
    base=$(($1 + ($$ % span) * 1000))
    n=0
    until stack_ports_free "$base"; do
        base=$((base + 1000)); [ $base -gt "$2" ] && base=$1
        n=$((n + 1)); [ $n -le "$span" ] || { echo "FAIL: no free port base"; exit 1; }
    done
}

run_stack() {
    PK_STACK_DIR=$S PK_STACK_BUILD=$top_builddir PK_STACK_PORT_BASE=$base \
        sh "$STACK" "$@"
}
stop_stack() { [ -d "$S" ] && run_stack stop >/dev/null 2>&1; return 0; }
on_exit stop_stack
