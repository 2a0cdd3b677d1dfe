#!/bin/bash
# schedule.timeout counts from when a run was triggered, the time it waits
# for its dependencies included: a run stuck waiting for a dependency that
# never becomes healthy is ended at its limit (left stopped, its last result
# failed with a reason saying it was still waiting), so the next due run is
# not skipped for ever; that next run, once the dependency is healthy, runs.
# A daemon-reexec during the wait keeps the run's beginning.
# The wait used to be outside the limit: the run waited for ever and every
# later due run was skipped.
. "$(dirname "$0")/lib.sh"

service db <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [test, -f, "$T/out/healthy"]
  start_interval: 100ms
  interval: 100ms
  retries: 1
EOF
service job <<EOF
type: oneshot
restart: "no"
depends_on: { db: { condition: healthy } }
schedule: { every: 3s, timeout: 1s }
command: [/bin/sh, -c, 'echo run >> $T/out/job']
EOF
# run by hand only: its wait goes across a daemon-reexec
service manual <<EOF
type: oneshot
restart: "no"
depends_on: { db: { condition: healthy } }
schedule: { cron: "0 0 1 1 *", timeout: 4s }
command: [/bin/sh, -c, 'echo run >> $T/out/manual']
EOF
start_svd
wait_state db running
wait_state job waiting 10
wait_field job last_result \
        "failed: run time limit reached: still waiting after schedule.timeout 1s" 10
assert_eq "$(field job state)" "stopped" "job after its limit"
assert_eq "$(field job reason)" "run time limit reached: still waiting after schedule.timeout 1s" "job's reason"
grep -q "job: run time limit reached: still waiting" "$T/svd.out" || fail "the limit was not logged"
[ ! -e "$T/out/job" ] || fail "job ran without its dependency healthy"

# the limit still counts from the run's beginning after a daemon-reexec
# during the wait (not from the exec, which would end it 2s later)
svctl run manual > /dev/null || fail "svctl run manual"
wait_state manual waiting
sleep 2
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
assert_eq "$(field manual state)" "waiting" "manual after the daemon-reexec"
wait_field manual last_result \
        "failed: run time limit reached: still waiting after schedule.timeout 4s" 15
began=$(logtime "manual: stopped -> waiting")
ended=$(logtime "manual: run time limit reached")
took=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$began" "$ended")
assert_le 3.9 "$took" "manual ended early"
assert_le "$took" 5.5 "manual's limit counted from the daemon-reexec"

# the next due run is not skipped: once db is healthy it runs
touch "$T/out/healthy"
wait_field job last_result success 15
assert_eq "$(field job skipped)" "0" "runs skipped"
[ -s "$T/out/job" ] || fail "job did not run"
stop_svd || fail "svd exit status"
echo "timers_timeout_wait: ok"
