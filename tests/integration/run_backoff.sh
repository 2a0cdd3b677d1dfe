#!/bin/bash
# svctl run of a job waiting out its restart delay runs it now, as svctl
# start would start it: a fresh start (restart count and delay reset), said
# in the reply and the log, and counted as a new run; a run whose process
# is still there is refused as before.
. "$(dirname "$0")/lib.sh"

# fails while $T/out/ok is missing; with it, sleeps until $T/out/go exists
service job <<EOF
type: oneshot
restart: on-failure
backoff: { initial: 60s, max: 120s, factor: 2 }
schedule: { cron: "0 0 1 1 *" }
shell: true
command: |
  echo x >> $T/out/job.starts
  [ -e $T/out/ok ] || exit 1
  while [ ! -e $T/out/go ]; do sleep 0.05; done
EOF
starts() { wc -l < "$T/out/job.starts"; }

start_svd
svctl run job > /dev/null || fail "first svctl run"
wait_state job backoff
assert_eq "$(field job reason)" "exited 1; restart 1 in 1m" "job's first backoff"
assert_eq "$(field job runs)" "1" "runs after the first run"

# in its restart delay: run now, a fresh start, a new run
out=$(svctl run job 2>&1) || fail "svctl run in backoff refused: $out"
echo "$out" | grep -qF "restart delay cut short; restart count reset" || fail "svctl run says: $out"
wait_for sh -c "[ \$(wc -l < $T/out/job.starts) -eq 2 ]"
wait_state job backoff
assert_eq "$(field job reason)" "exited 1; restart 1 in 1m" "job's backoff after the run (count reset)"
assert_eq "$(field job restarts)" "1" "restart count after the run"
assert_eq "$(field job runs)" "2" "runs after the run in backoff"
grep -qF "job: started now, not after its restart delay" "$T/svd.out" || fail "svd's log"

# a run whose process is still there: refused, runs never overlap
touch "$T/out/ok"
svctl run job > /dev/null || fail "svctl run in backoff (2)"
wait_for sh -c "[ \$(wc -l < $T/out/job.starts) -eq 3 ]"
out=$(svctl run job 2>&1) && fail "svctl run accepted while the job runs: $out"
echo "$out" | grep -qF "already running (starting): runs never overlap" || fail "refusal: $out"
touch "$T/out/go"
wait_state job exited
assert_eq "$(field job last_result)" "success" "last result"
assert_eq "$(field job runs)" "3" "runs at the end"
assert_eq "$(starts)" "3" "starts at the end"
stop_svd || fail "svd exit status"
echo "run_backoff: ok"
