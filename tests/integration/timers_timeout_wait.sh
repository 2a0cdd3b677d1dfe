#!/bin/bash
# schedule.timeout counts from when a run was triggered, the time it waits
# for its dependencies included: a run stuck waiting for a dependency that
# never becomes healthy is ended at its limit (left stopped, its last result
# failed with a reason saying it was still waiting), so the next due run is
# not skipped for ever; that next run, once the dependency is healthy, runs.
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
start_svd
wait_state db running
wait_state job waiting 10
wait_field job last_result \
        "failed: run time limit reached: still waiting after schedule.timeout 1s" 10
assert_eq "$(field job state)" "stopped" "job after its limit"
assert_eq "$(field job reason)" "run time limit reached: still waiting after schedule.timeout 1s" "job's reason"
grep -q "job: run time limit reached: still waiting" "$T/svd.out" || fail "the limit was not logged"
[ ! -e "$T/out/job" ] || fail "job ran without its dependency healthy"

# the next due run is not skipped: once db is healthy it runs
touch "$T/out/healthy"
wait_field job last_result success 15
assert_eq "$(field job skipped)" "0" "runs skipped"
[ -s "$T/out/job" ] || fail "job did not run"
stop_svd || fail "svd exit status"
echo "timers_timeout_wait: ok"
