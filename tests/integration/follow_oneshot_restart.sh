#!/bin/bash
# svctl restart of a oneshot that has exited (a migration run again) with a
# follower (depends_on.X.restart: true, here condition: completed): the
# follower stops first, the oneshot runs again, and the follower starts once
# it has completed, as for a service that runs. It used to run the oneshot
# again under the running follower, which was never restarted.
. "$(dirname "$0")/lib.sh"

service mig <<EOF
type: oneshot
command: [/bin/sh, -c, 'echo "run \$(cat $T/out/api.up 2>/dev/null || echo down)" >> $T/out/mig; sleep 0.3']
EOF
service api <<EOF
depends_on: { mig: { condition: completed, restart: true } }
command: [/bin/sh, -c, 'echo up > $T/out/api.up; trap "rm -f $T/out/api.up; exit 0" TERM; echo start >> $T/out/api; while :; do sleep 0.05; done']
EOF
service other <<EOF
depends_on: { mig: { condition: completed } }
command: [/bin/sh, -c, 'echo start >> $T/out/other; exec sleep 1000']
EOF
lines() { [ "$(wc -l < "$T/out/$1")" -ge "$2" ]; }
start_svd
wait_state api running
wait_for lines api 1 # (its trap is set: running once spawned)
wait_state other running
assert_eq "$(cat "$T/out/mig")" "run down" "mig's first run"

out=$(svctl restart mig) || fail "svctl restart mig: $out"
wait_for lines api 2
wait_state api running
wait_state mig exited
# it ran again while api was down, and api started again after it
assert_eq "$(sed -n 2p "$T/out/mig")" "run down" "mig's second run (api must be down)"
assert_eq "$(wc -l < "$T/out/mig")" "2" "mig's runs"
assert_eq "$(wc -l < "$T/out/api")" "2" "api's starts"
assert_eq "$(wc -l < "$T/out/other")" "1" "other's starts (it does not follow mig)"
grep -q "api: stopping before mig, which it follows" "$T/svd.out" || fail "api was not stopped first"

# svctl start of the exited oneshot only runs it again (a timer's run does the same)
svctl start mig > /dev/null || fail "svctl start mig"
wait_for lines mig 3
wait_state mig exited
assert_eq "$(wc -l < "$T/out/api")" "2" "api's starts after svctl start mig"
stop_svd || fail "svd exit status $?"
echo "follow_oneshot_restart: ok"
