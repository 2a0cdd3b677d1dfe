#!/bin/bash
# schedule.timeout: a scheduled run that outlives its time limit is stopped
# (its stop signal, then SIGKILL of its whole group after its stop timeout),
# recorded as failed with a reason naming the limit and logged; the next due
# run is not skipped. One waiting out its restart delay is ended there. A
# bad value names file, line and key. Status shows the limit.
. "$(dirname "$0")/lib.sh"

service badlimit <<EOF
type: oneshot
schedule: { every: 1h, timeout: 500ms }
command: [true]
EOF
out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) && fail "--check accepted schedule.timeout 500ms"
echo "$out" | grep -q 'badlimit.yaml:2:[0-9]*: schedule.timeout' || fail "no error naming the key: $out"
rm "$T/services/badlimit.yaml"

# Each run ignores SIGTERM (so only SIGKILL ends it) and leaves a child in
# its group that ignores it too. Runs are due every 4s: one ends about 2s
# after it starts (1s limit + 1s stop timeout), well before the next.
service hang <<EOF
type: oneshot
restart: "no"
schedule: { every: 4s, timeout: 1s }
stop: { signal: SIGTERM, timeout: 1s }
shell: true
command: |
  trap '' TERM
  sleep 1000 &
  echo \$! >> $T/out/hang.child
  echo run >> $T/out/hang
  wait
EOF
# fails at once and waits out a long restart delay: the limit ends the
# run there too (no process to stop), as failed
service flaky <<EOF
type: oneshot
restart: on-failure
backoff: { initial: 60s, max: 120s }
schedule: { cron: "0 0 1 1 *", timeout: 2s }
command: [/bin/sh, -c, 'echo x >> $T/out/flaky; exit 1']
EOF
start_svd
svctl status hang | grep -q "schedule: *every 4s, time limit 1s" || fail "status: $(svctl status hang)"

wait_for test -s "$T/out/hang"
wait_field hang last_result \
        "failed: run time limit reached: still running after schedule.timeout 1s" 10
assert_eq "$(field hang state)" "failed" "state after the limit"
child=$(head -n1 "$T/out/hang.child")
wait_for sh -c "! kill -0 $child 2>/dev/null" || fail "the run's child $child outlived the limit"
grep -q "hang: run time limit reached" "$T/svd.out" || fail "the limit was not logged"
svctl status hang | grep -q "last run: .*(failed: run time limit reached" || fail "status: $(svctl status hang)"

# the next due run happens, and is stopped in turn
wait_for sh -c "[ \$(wc -l < $T/out/hang) -ge 2 ]"
wait_field hang last_result \
        "failed: run time limit reached: still running after schedule.timeout 1s" 10
assert_eq "$(field hang skipped)" "0" "runs skipped"

svctl run flaky > /dev/null || fail "svctl run flaky"
wait_state flaky backoff
wait_field flaky last_result \
        "failed: run time limit reached: still running after schedule.timeout 2s" 10
assert_eq "$(field flaky state)" "stopped" "flaky after the limit"
assert_eq "$(field flaky reason)" "run time limit reached: still running after schedule.timeout 2s" "flaky's reason"
assert_eq "$(wc -l < "$T/out/flaky")" "1" "flaky's starts"

stop_svd || fail "svd exit status"
echo "timers_timeout: ok"
