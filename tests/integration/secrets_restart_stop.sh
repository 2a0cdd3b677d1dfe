#!/bin/bash
# The operator's word beats svd's own plan: a consumer of a changed secret
# that the operator stops (svctl stop) while it waits in the restart for the
# new value, stopping or already down, stays stopped: the other consumers
# start again without it, and the log says why it was left. That holds when
# svd is killed (kill -9) or re-executed before the others are down. A
# consumer the operator starts (svctl start/restart) in that window runs
# once, and does not keep the others from starting again.
. "$(dirname "$0")/lib.sh"

# slow ignores SIGTERM: it stays stopping until its stop timeout, which is
# the window in which the operator acts
service slow <<YAML
secrets:
  pw: { generate: password }
restart: "no"
stop: { signal: SIGTERM, timeout: 3s }
command: [/bin/sh, -c, 'trap "" TERM; cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/slow; echo >> $T/out/slow; exec sleep 1000']
YAML
# x goes down at once; x2 takes 1.5 s (it is still stopping when the
# operator stops it)
service x <<YAML
secrets: [pw]
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/x; echo >> $T/out/x; exec sleep 1000']
YAML
service x2 <<YAML
secrets: [pw]
stop: { signal: SIGTERM, timeout: 1500ms }
command: [/bin/sh, -c, 'trap "" TERM; cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/x2; echo >> $T/out/x2; exec sleep 1000']
YAML

n() { wc -l < "$T/out/$1"; }
last() { tail -n 1 "$T/out/$1"; }
lines() { [ "$(n "$1")" -ge "$2" ]; }
logged() { grep -q "$1" "$T/svd.out"; }
up_all() { for s in slow x x2; do wait_state $s running; done; }

start_svd
up_all
wait_for lines slow 1
wait_for lines x 1
wait_for lines x2 1

# --- svctl stop of a consumer already down, and of one still stopping -----
svctl secret rotate pw > /dev/null || fail "rotate"
new=$(svctl secret get pw)
wait_state x stopped
wait_state x2 stopping
wait_state slow stopping
svctl stop x > /dev/null || fail "stop x"
svctl stop x2 > /dev/null || fail "stop x2"
wait_state slow running 15
wait_for lines slow 2
assert_eq "$(last slow)" "$new" "slow's value"
sleep 1 # (x2's stop timeout has passed; nothing may start x or x2 now)
assert_eq "$(field x state)" "stopped" "x, stopped by the operator during the restart"
assert_eq "$(field x2 state)" "stopped" "x2, stopped by the operator during the restart"
assert_eq "$(n x)" 1 "x's starts"
assert_eq "$(n x2)" 1 "x2's starts"
logged "secrets: x is left stopped: the operator stopped it" || fail "x: not logged"
logged "secrets: x2 is left stopped: the operator stopped it" || fail "x2: not logged"

# --- svd killed after the operator's stop, before the others are down ------
svctl start x > /dev/null || fail "start x"
svctl start x2 > /dev/null || fail "start x2"
wait_state x running
wait_state x2 running
wait_for lines x 2
wait_for lines x2 2 # (x2 ignores SIGTERM now: running once spawned)
svctl secret rotate pw > /dev/null || fail "rotate"
new=$(svctl secret get pw)
wait_state x stopped
wait_state slow stopping
svctl stop x > /dev/null || fail "stop x"
crash_restart_svd
wait_state slow running 15
wait_for lines slow 3
wait_state x2 running
wait_for lines x2 3
assert_eq "$(last slow)" "$new" "slow's value after svd was killed"
sleep 0.5
assert_eq "$(field x state)" "stopped" "x after svd was killed"
assert_eq "$(n x)" 2 "x's starts after svd was killed"

# --- the same across a daemon-reexec --------------------------------------
svctl secret rotate pw > /dev/null || fail "rotate"
new=$(svctl secret get pw)
wait_state x2 stopping
wait_state slow stopping
svctl stop x2 > /dev/null || fail "stop x2"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_state slow running 15
wait_for lines slow 4
assert_eq "$(last slow)" "$new" "slow's value after the daemon-reexec"
sleep 1
assert_eq "$(field x2 state)" "stopped" "x2 after the daemon-reexec"
assert_eq "$(n x2)" 3 "x2's starts after the daemon-reexec"
assert_eq "$(field x state)" "stopped" "x (stopped before the rotation)"

# --- svctl start / restart during the restart: one start each -------------
svctl start x2 > /dev/null || fail "start x2"
wait_state x2 running
wait_for lines x2 4
svctl start x > /dev/null || fail "start x"
wait_state x running
wait_for lines x 3
svctl secret rotate pw > /dev/null || fail "rotate"
new=$(svctl secret get pw)
wait_state x stopped
wait_state slow stopping
svctl start x > /dev/null || fail "start x during the restart"
svctl restart x2 > /dev/null || fail "restart x2 during the restart"
wait_state slow running 15
wait_state x running
wait_state x2 running
wait_for lines slow 5
sleep 1
assert_eq "$(n x)" 4 "x's starts (svctl start during the restart)"
assert_eq "$(n x2)" 5 "x2's starts (svctl restart during the restart)"
assert_eq "$(last x)" "$new" "x's value"
assert_eq "$(last x2)" "$new" "x2's value"
assert_eq "$(n slow)" 5 "slow's starts"
assert_eq "$(field x state)" "running" "x"
assert_eq "$(field x2 state)" "running" "x2"
stop_svd || fail "svd exit status $?"
echo "secrets_restart_stop: ok"
