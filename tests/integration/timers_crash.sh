#!/bin/bash
# svd killed (kill -9) while a scheduled run's process is being set up: the
# child outlives svd (it wrote its line in state.journal first), runs the
# job and ends while no svd runs. The svd started next must count that run
# as made: not run the job a second time for the same due time (a backup
# twice), and show the run's start as the last run.
. "$(dirname "$0")/lib.sh"
STALL_SO=$TOP_BUILDDIR/tests/helpers/stallchdir.so
[ -e "$STALL_SO" ] || fail "$STALL_SO not built (make check builds it)"
mkdir -p "$T/stall"

# its runs: one line each, at its end
service j <<YAML
type: oneshot
restart: "no"
working_dir: $T/stall
schedule: { every: 9s }
command: [/bin/sh, -c, 'date +%s >> $T/out/j']
YAML

runs() { cat "$T/out/j" 2> /dev/null | wc -l; }
atleast() { [ "$(runs)" -ge "$1" ]; }
# the stalled run's process (state.journal names it) is gone, reaped: it
# ran while no svd did
ran_while_down() {
        local pid
        pid=$(awk '$1 == "S" && $4 == "j" { p = $2 } END { print p }' "$T/run/state.journal")
        [ -n "$pid" ] || fail "state.journal names no spawn of j: $(cat "$T/run/state.journal")"
        wait_for atleast 2
        wait_for test ! -e "/proc/$pid"
}

STALL_DIR=$T/stall LD_PRELOAD=$STALL_SO ASAN_OPTIONS=verify_asan_link_order=0:${ASAN_OPTIONS:-} start_svd
sleep 5
wait_for atleast 1 # (the first run, 9 s after the start)
sleep 1            # (its end is in the state file, with the next due time)
t_arm=$(date +%s)  # (the next run starts after this, the first one before)
touch "$T/stall/arm"
wait_for test -e "$T/stall/stalled" # the next run's spawn: svd is suspended
t0=$(date +%s)
crash_restart_svd ran_while_down
sleep 2
[ "$(date +%s)" -lt $((t0 + 8)) ] || fail "too slow to tell a second run from the next one"
assert_eq "$(runs)" 2 "runs of j (the one made while no svd ran is not made again)"
last=$(field j last_run)
last=${last%.*}
[ "$last" -ge "$t_arm" ] || fail "last_run $last (armed at $t_arm): the run made while no svd ran is lost"
assert_eq "$(field j runs)" 2 "j's runs counter"
# and the schedule goes on from it
wait_for atleast 3
stop_svd || fail "svd exit status $?"
echo "timers_crash: ok"
