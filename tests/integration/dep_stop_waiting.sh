#!/bin/bash
# svctl stop of a dependency a service still waits for (here: to become
# healthy): the dependent goes on waiting, shown waiting, neither failed nor
# started; svctl start of the dependent starts the dependency first, and the
# dependent once the dependency is healthy (svctl(8), stop).
. "$(dirname "$0")/lib.sh"

service db <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [test, -f, "$T/out/healthy"]
  start_interval: 100ms
  interval: 100ms
EOF
service app <<EOF
command: [sleep, "1000"]
depends_on: { db: { condition: healthy } }
EOF
start_svd
wait_state db running
wait_state app waiting
svctl stop db > /dev/null || fail "stop db"
wait_state db stopped
touch "$T/out/healthy"
sleep 0.5
assert_eq "$(field app state)" "waiting" "app after svctl stop db"
assert_eq "$(field db state)" "stopped" "db (held stopped)"
svctl start app > /dev/null || fail "start app"
wait_state db running
wait_state app running
stop_svd || fail "svd exit status"
echo "dep_stop_waiting: ok"
