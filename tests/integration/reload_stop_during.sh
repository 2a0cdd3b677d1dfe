#!/bin/bash
# svctl stop of a service while a reload that changes it is under way (its
# old definition still stopping) keeps it stopped and held once the reload
# is done, as a stop before the reload does (reload_held.sh). Before, the
# stop only cancelled its start with the new definition: the switch gave it
# back the hold it had when the reload began (none), and svd's state file
# written meanwhile said the same.
# A start of a dependent after that stop pulls it up with its new
# definition and ends the hold, as such a pull-in does at any time: before,
# it ran on held (no restart after a crash, not pulled in again).
. "$(dirname "$0")/lib.sh"
# x_up: the x that runs has set its trap (it is running once spawned, and a
# SIGTERM before the trap would end it at once, never seen stopping)
x_up() { [ "$(cat "$T/out/x.up" 2> /dev/null)" = "$(field x pid)" ]; }

service x <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; echo \$\$ > $T/out/x.up; while :; do sleep 0.1; done"]
EOF2
start_svd
wait_state x running
wait_for x_up

service x <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; echo \$\$ > $T/out/x.up; while :; do sleep 0.2; done"]
EOF2
svctl reload > /dev/null || fail "reload"
wait_state x stopping
svctl stop x > /dev/null || fail "stop x during the reload"
wait_for grep -q "reload: done" "$T/svd.out"
sleep 0.3
assert_eq "$(field x state)" "stopped" "x after the reload"
assert_eq "$(field x held)" "True" "x's hold after the reload"

# 2. stopped during the reload, then pulled in by a dependent's start
service y <<EOF2
command: [sleep, "100000"]
depends_on: [x]
EOF2
svctl start x > /dev/null || fail "start x"
svctl reload > /dev/null || fail "reload adding y"
wait_state y running
wait_for sh -c "[ \$(grep -c 'reload: done' '$T/svd.out') = 2 ]"
wait_for x_up
service x <<EOF2
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; echo \$\$ > $T/out/x.up; while :; do sleep 0.3; done"]
EOF2
svctl reload > /dev/null || fail "reload"
wait_state x stopping
svctl stop x > /dev/null || fail "stop x during the reload"
svctl start y > /dev/null || fail "start y during the reload"
wait_for sh -c "[ \$(grep -c 'reload: done' '$T/svd.out') = 3 ]"
wait_state x running
assert_eq "$(field x held)" "False" "x's hold once a dependent's start pulled it up"
stop_svd || fail "svd exit status"
echo "reload_stop_during: ok"
