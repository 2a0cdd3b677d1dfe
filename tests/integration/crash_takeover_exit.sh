#!/bin/bash
# After a kill -9 of svd, the next svd takes the running services over from
# state.json: their processes are not its children, so waitpid cannot tell
# how they end (a pidfd says only that they did). What svd knows is still
# reported as it is: the SIGKILL svd itself sent at the stop timeout is
# "killed by SIGKILL", as it would be for a child (and after a
# daemon-reexec); an end nobody can tell is "exit status unknown", not a
# made-up "exited 255". Both survive a daemon-reexec and another kill of svd.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"

service stubborn <<EOF2
command: [sh, -c, 'trap "" TERM; exec sleep 100000']
stop: { timeout: 1s }
EOF2
service quits <<EOF2
restart: "no"
command: [sleep, "100000"]
EOF2
start_svd
wait_state stubborn running
wait_state quits running
ps=$(field stubborn pid)
pq=$(field quits pid)
# (stubborn ignores SIGTERM once its sh has run the trap and exec'd sleep:
# it is running once spawned, before that)
wait_for grep -qx sleep "/proc/$ps/comm"
wait_for sh -c "[ \"\$(jq -r '.services[] | select(.name == \"quits\") | .pid' '$T/run/state.json')\" = '$pq' ]"
wait_for sh -c "[ \"\$(jq -r '.services[] | select(.name == \"stubborn\") | .pid' '$T/run/state.json')\" = '$ps' ]"

crash_restart_svd
assert_eq "$(field stubborn pid)" "$ps" "stubborn's pid after the take-over"
assert_eq "$(field quits pid)" "$pq" "quits' pid after the take-over"

# svd's own SIGKILL at the stop timeout
svctl stop stubborn > /dev/null || fail "stop stubborn"
wait_state stubborn stopped 10
assert_eq "$(field stubborn last_exit)" "killed by SIGKILL" "stubborn's last exit"
# (gone, or a zombie its new parent has not reaped yet)
state=$(sed -n 's/^.*) \([A-Z]\).*/\1/p' "/proc/$ps/stat" 2> /dev/null || true)
[ -z "$state" ] || [ "$state" = Z ] || fail "stubborn's process survived (state $state)"

# an end svd cannot know the status of
kill -TERM "$pq"
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name == \"quits\") | .pid // \"\"')\" = '' ]"
assert_eq "$(field quits last_exit)" "exit status unknown" "quits' last exit"
svctl status > "$T/st"
grep -q "exited 255" "$T/st" && fail "status: $(cat "$T/st")"
grep -q "^quits .*exit status unknown" "$T/st" || fail "status: $(cat "$T/st")"

# kept across a daemon-reexec and another kill of svd
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
assert_eq "$(field stubborn last_exit)" "killed by SIGKILL" "stubborn's last exit after daemon-reexec"
assert_eq "$(field quits last_exit)" "exit status unknown" "quits' last exit after daemon-reexec"
sleep 0.3 # (the state write after the re-exec)
crash_restart_svd
assert_eq "$(field stubborn last_exit)" "killed by SIGKILL" "stubborn's last exit after another kill of svd"
assert_eq "$(field quits last_exit)" "exit status unknown" "quits' last exit after another kill of svd"

stop_svd || fail "svd exit status"
echo "crash_takeover_exit: ok"
