#!/bin/bash
# svctl status of a scheduled job that is held stopped (svctl stop of the
# job, or of a dependency, direct or not) shows no next run, and says what
# holds it: its runs are skipped until svctl start. It used to show the
# next due time as if the job would run then. Starting it again shows the
# next run again.
. "$(dirname "$0")/lib.sh"

service x <<EOF
command: [sleep, "1000"]
EOF
service a <<EOF
depends_on: [x]
command: [sleep, "1000"]
EOF
service j <<EOF
type: oneshot
depends_on: [a]
schedule: { every: 1h }
command: [/bin/true]
EOF
start_svd
wait_state a running
[ -n "$(field j next_run)" ] || fail "j has no next run at first"

next_line() { svctl status j | grep "next run:"; }

# the job itself held stopped
svctl stop j > /dev/null || fail "stop j"
assert_eq "$(field j next_run)" "" "next_run of j, held stopped"
assert_eq "$(field j next_run_held_by)" "j" "next_run_held_by of j, held stopped"
next_line | grep -qF "none while j is stopped (svctl start j)" || fail "status j, held: $(next_line)"
svctl start j > /dev/null || fail "start j"
wait_state j exited
[ -n "$(field j next_run)" ] || fail "j started again has no next run"
next_line | grep -q "next run: *20[0-9-]* [0-9:]* UTC" || fail "status j, started again: $(next_line)"

# its dependency's dependency held stopped
svctl stop x > /dev/null || fail "stop x"
wait_state x stopped
assert_eq "$(field j next_run)" "" "next_run of j, x held stopped"
assert_eq "$(field j next_run_held_by)" "x" "next_run_held_by of j, x held stopped"
next_line | grep -qF "none while x is stopped (svctl start x)" || fail "status j, x held: $(next_line)"
svctl start x > /dev/null || fail "start x"
wait_state x running
[ -n "$(field j next_run)" ] || fail "j has no next run once x is started again"
stop_svd || fail "svd exit status $?"
echo "timers_held_next: ok"
