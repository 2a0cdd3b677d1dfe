#!/bin/bash
# svd killed (kill -9) while a scheduled job runs, after the state write
# that names the run's process (timers_crash.sh is the kill before it).
# The run goes on without svd; its end has no exit status anyone can read
# ("exit status unknown"). That unknown end was a failure for the restart
# policy, so the default on-failure started the job again at once: a
# backup made twice. Now such a run is not run again (the job is left
# failed, as restart: no leaves it); its next due time stands:
# 1. the run ends while no svd runs;
# 2. the next svd takes the run over, and sees its end through a pidfd.
. "$(dirname "$0")/lib.sh"

# each run: its pid when it begins, then it waits for the test's go
service j <<YAML
type: oneshot
schedule: { every: 1h }
command: [/bin/sh, -c, 'echo \$\$ >> $T/out/begin; while [ ! -e $T/out/go ]; do sleep 0.05; done; rm -f $T/out/go; echo \$\$ >> $T/out/end']
YAML

runs() { cat "$T/out/begin" 2> /dev/null | wc -l; }
ends() { cat "$T/out/end" 2> /dev/null | wc -l; }
atleast() { [ "$(runs)" -ge "$1" ]; }
ended() { [ "$(ends)" -ge "$1" ]; }
# the state file names the run's process (a kill now leaves it out of the journal)
state_names() { [ "$(jq -r '.services[] | select(.name == "j") | .pid' "$T/run/state.json" 2> /dev/null)" = "$1" ]; }
gone() { ! kill -0 "$1" 2> /dev/null; }
logged() { grep -qF "$1" "$T/svd.out"; }

# run N: svctl run, once its process is in the state file
run_now() {
        svctl run j > /dev/null
        SCALE=3 wait_for atleast "$1"
        pid=$(sed -n "${1}p" "$T/out/begin")
        SCALE=3 wait_for state_names "$pid"
}

# after the unknown end: failed, not run again, the next due time kept
check_not_again() {
        wait_state j failed 30
        assert_eq "$(field j reason)" "exit status unknown" "j's reason"
        [ -n "$(field j next_run)" ] || fail "j lost its next run"
        # (failed is at rest: a rerun would have gone through backoff)
        assert_eq "$(runs)" "$1" "runs of j (the run svd took over is not made again)"
}

start_svd

# 1. the run ends while no svd runs
run_now 1
crash_svd
touch "$T/out/go"
SCALE=3 wait_for ended 1
SCALE=3 wait_for gone "$pid"
start_svd
SCALE=3 wait_for logged "j: pid $pid ended while svd was down; its exit status is unknown"
check_not_again 1

# 2. the next svd takes the run over; it ends afterwards
run_now 2
crash_svd
start_svd
SCALE=3 wait_for logged "j: took over pid $pid"
touch "$T/out/go"
SCALE=3 wait_for logged "j: pid $pid (taken over after svd restarted) is gone; its exit status is unknown"
check_not_again 2

stop_svd || fail "svd exit status $?"
echo "timers_crash_running: ok"
