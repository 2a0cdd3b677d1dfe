#!/bin/bash
# A process taken over at a daemon-reexec whose file's health check changed
# meanwhile is checked by the file's check (the old one is not known any
# more), and its health fits that check:
# - a check added: it begins as at a start, "starting" until a first pass
#   (start_period 0), not counted as failed from its first probe. Before,
#   its health went from none straight to unhealthy, and it was restarted;
# - a check removed: its health is none, as any service's without a check,
#   and a dependent waiting for it healthy starts. Before, it stayed
#   "starting" for ever (no check runs to end it), and so did the wait.
. "$(dirname "$0")/lib.sh"

service added <<EOF2
command: [sleep, "1000"]
EOF2
service removed <<EOF2
command: [sleep, "1000"]
healthcheck:
  exec: [sh, -c, "exit 1"]
  start_interval: 100ms
EOF2
service dep <<EOF2
command: [sleep, "1000"]
depends_on: { removed: { condition: healthy } }
EOF2
start_svd
wait_state added running 30
wait_field removed health starting 30
wait_state dep waiting 30
pid=$(field added pid)

service added <<EOF2
command: [sleep, "1000"]
healthcheck:
  exec: [sh, -c, "echo c >> $T/out/added.checks; exit 1"]
  start_interval: 50ms
  interval: 50ms
  retries: 1
EOF2
service removed <<EOF2
command: [sleep, "1000"]
EOF2
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"

# the dependent's wait ends: "removed" has no check, it is healthy as it runs
wait_state dep running 30
assert_eq "$(field removed health)" "none" "health of the service whose check was removed"
# five failed checks of "added" (retries: 1), none counted: still starting,
# not restarted
five() { [ -s "$T/out/added.checks" ] && [ "$(wc -l < "$T/out/added.checks")" -ge 5 ]; }
wait_for five
assert_eq "$(field added health)" "starting" "health of the service whose check was added"
assert_eq "$(field added pid)" "$pid" "pid of the service whose check was added"
assert_eq "$(field added restarts)" "0" "restarts of the service whose check was added"
