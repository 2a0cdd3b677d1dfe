#!/bin/bash
# svctl reload does not start what the operator stopped: a changed service
# (y) or a new one (z) whose dependency (x) the operator stopped is left
# stopped, logged, rather than pulling x up again; x stays stopped (and held)
# also when its own definition changed in the same reload. svctl start y
# then starts both.
. "$(dirname "$0")/lib.sh"

service x <<YAML
command: [sleep, "1000"]
YAML
service y <<YAML
depends_on: [x]
command: [sleep, "1000"]
YAML

logged() { grep -q "$1" "$T/svd.out"; }

start_svd
wait_state x running
wait_state y running
svctl stop x > /dev/null || fail "stop x"
wait_state x stopped
assert_eq "$(field y state)" "running" "y (its dependents keep running)"

service x <<YAML
command: [sleep, "1001"]
YAML
service y <<YAML
depends_on: [x]
command: [sleep, "1002"]
YAML
service z <<YAML
depends_on: [y]
command: [sleep, "1003"]
YAML
svctl reload > /dev/null || fail "reload"
wait_for logged "reload: done"
sleep 0.5
assert_eq "$(field x state)" "stopped" "x, stopped by the operator, after the reload"
assert_eq "$(field x held)" "True" "x's hold after the reload changed it"
assert_eq "$(field y state)" "stopped" "y (changed), which needs x"
assert_eq "$(field z state)" "stopped" "z (added), which needs x through y"
logged "reload: y is left stopped: its dependency x is held stopped" || fail "y: not logged"
logged "reload: z is left stopped: its dependency x is held stopped" || fail "z: not logged"

svctl start z > /dev/null || fail "start z"
wait_state x running
wait_state y running
wait_state z running
stop_svd || fail "svd exit status $?"
echo "reload_held: ok"
