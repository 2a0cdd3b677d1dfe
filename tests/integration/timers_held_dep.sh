#!/bin/bash
# A scheduled run does not pull up what the operator stopped: a job whose
# dependency's dependency (not only a direct one) was stopped with svctl
# stop skips its runs (logged, counted), and that dependency stays stopped;
# once the operator starts it again, the job runs again. svctl status j
# does not put those skips down to a previous run still running.
. "$(dirname "$0")/lib.sh"

service x <<YAML
command: [sleep, "1000"]
YAML
service a <<YAML
depends_on: [x]
command: [sleep, "1000"]
YAML
service j <<YAML
type: oneshot
depends_on: [a]
schedule: { every: 1s }
command: [/bin/sh, -c, 'echo run >> $T/out/j']
YAML

runs() { cat "$T/out/j" 2>/dev/null | wc -l; }
skips() { [ "$(grep -c "j: scheduled run skipped: dependency x is held stopped (svctl start x starts it)" "$T/svd.out")" -ge "$1" ]; }

start_svd
wait_state x running
wait_state a running
wait_for test -s "$T/out/j"
svctl stop x > /dev/null || fail "stop x"
wait_state x stopped
n=$(runs)
wait_for skips 2
assert_eq "$(field x state)" "stopped" "x, stopped by the operator, after scheduled runs of j"
assert_eq "$(field a state)" "running" "a (its dependents keep running)"
assert_eq "$(runs)" "$n" "j's runs while x is stopped"
# svctl status says what the skips were, not only "the previous one ran"
svctl status j > "$T/out/status" || fail "status j"
grep -q "skipped:.*held stopped" "$T/out/status" || fail "status j: $(grep skipped: "$T/out/status")"
svctl start x > /dev/null || fail "start x"
more() { [ "$(runs)" -gt "$n" ]; }
wait_for more
stop_svd || fail "svd exit status $?"
echo "timers_held_dep: ok"
