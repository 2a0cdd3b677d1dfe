#!/bin/bash
# svctl stop of a service while a reload that changes it is under way (its
# old definition still stopping) keeps it stopped and held once the reload
# is done, as a stop before the reload does (reload_held.sh). Before, the
# stop only cancelled its start with the new definition: the switch gave it
# back the hold it had when the reload began (none), and svd's state file
# written meanwhile said the same.
. "$(dirname "$0")/lib.sh"

service x <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.1; done"]
EOF2
start_svd
wait_state x running

service x <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.2; done"]
EOF2
svctl reload > /dev/null || fail "reload"
wait_state x stopping
svctl stop x > /dev/null || fail "stop x during the reload"
wait_for grep -q "reload: done" "$T/svd.out"
sleep 0.3
assert_eq "$(field x state)" "stopped" "x after the reload"
assert_eq "$(field x held)" "True" "x's hold after the reload"
stop_svd || fail "svd exit status"
echo "reload_stop_during: ok"
