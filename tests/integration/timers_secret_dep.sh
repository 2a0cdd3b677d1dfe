#!/bin/bash
# A scheduled run skipped because svd itself holds a dependency down (its
# restart for a changed secret) says so: not "stopped by the operator",
# which it was not. The dependency takes its time to stop (it ignores
# SIGTERM until stop.timeout), so the job's runs come while it is held.
# Once the dependency is up again with the new value, the job runs again.
. "$(dirname "$0")/lib.sh"

service d <<YAML
secrets:
  pw: { generate: password, length: 24 }
stop: { timeout: 3s }
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw > $T/out/d.pw; trap "" TERM; touch $T/out/d.up; while :; do sleep 0.2; done']
YAML
service j <<YAML
type: oneshot
restart: "no"
depends_on: [d]
schedule: { every: 1s }
command: [/bin/sh, -c, 'echo run >> $T/out/j']
YAML

runs() { cat "$T/out/j" 2>/dev/null | wc -l; }
start_svd
wait_state d running
wait_for test -e "$T/out/d.up" # (it ignores SIGTERM now: running once spawned)
wait_for test -s "$T/out/j"
svctl secret rotate pw > /dev/null || fail "rotate pw"
wait_for grep -q "j: scheduled run skipped: dependency d is down for its restart for a changed secret" "$T/svd.out"
! grep -q "j: scheduled run skipped: dependency d .*operator" "$T/svd.out" || fail "an operator's stop claimed: $(grep "skipped" "$T/svd.out")"
! grep -q "j: scheduled run skipped: dependency d is held stopped" "$T/svd.out" || fail "held by the operator, said: $(grep "skipped" "$T/svd.out")"
wait_for grep -qx -- "$(svctl secret get pw)" "$T/out/d.pw"
wait_state d running
n=$(runs)
more() { [ "$(runs)" -gt "$n" ]; }
wait_for more
stop_svd || fail "svd exit status $?"
echo "timers_secret_dep: ok"
