#!/bin/bash
# A stop ends a service's checks: its health goes to "none", and neither svd's
# log nor svctl events gives the last check's result as the reason (before,
# "health healthy -> none: exit 0" read as if the check had caused it).
. "$(dirname "$0")/lib.sh"

service hc <<EOF2
command: [sleep, "1000"]
healthcheck:
  exec: [true]
  start_interval: 50ms
  interval: 100ms
EOF2
start_svd
wait_field hc health healthy
svctl stop hc > /dev/null
wait_state hc stopped
wait_for grep -q 'hc: health healthy -> none' "$T/svd.out"
line=$(grep 'hc: health healthy -> none' "$T/svd.out")
case "$line" in
*"-> none") ;;
*) fail "the stop's health change carries a check result: '$line'" ;;
esac
ev=$(svctl events | grep 'hc health healthy -> none') || fail "no health event: $(svctl events)"
case "$ev" in
*"-> none") ;;
*) fail "the stop's health event carries a check result: '$ev'" ;;
esac
# a real check result is still given where the check decided the change
grep -q 'hc: health starting -> healthy: exit 0' "$T/svd.out" || fail "healthy without its result: $(grep 'hc: health' "$T/svd.out")"
