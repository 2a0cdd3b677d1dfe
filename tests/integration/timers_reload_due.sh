#!/bin/bash
# A reload that changes a scheduled job at rest without changing its
# schedule (its command, environment, description) keeps the job's due
# time: an `every:` job's next run used to move to a whole interval after
# the reload, so each edit of a 6-hourly job postponed it by up to 6 hours
# (a nightly one by a day), with no run skipped or logged. A reload that
# changes the schedule itself arms it anew, as at boot.
. "$(dirname "$0")/lib.sh"

service job <<EOF
type: oneshot
restart: "no"
schedule: { every: 1h }
command: [/bin/true]
EOF
start_svd
armed() { [ -n "$(field job next_run)" ]; }
wait_for armed
due=$(field job next_run)
sleep 1.2 # (a re-arm from now would show)
echo "description: edited" >> "$T/services/job.yaml"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: .* 1 changed" "$T/svd.out"
assert_eq "$(field job next_run)" "$due" "job's next run after a reload that left its schedule alone"
assert_eq "$(field job runs)" "0" "job's runs"

# its schedule changed: armed anew, from now
sed -i 's/every: 1h/every: 2h/' "$T/services/job.yaml"
svctl reload > /dev/null || fail "reload"
reloads() { [ "$(grep -c "reload: done: .* 1 changed" "$T/svd.out")" = 2 ]; }
wait_for reloads
every_2h() { [ "$(field job schedule)" = "every 2h" ]; }
wait_for every_2h
next=$(field job next_run)
assert_le "$(( $(date +%s) + 7200 - 60 ))" "$next" "job's next run after its interval changed to 2h"
stop_svd || fail "svd exit status"
echo "timers_reload_due: ok"
