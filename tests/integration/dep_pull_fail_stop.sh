#!/bin/bash
# A start that pulls in a dependency svd is stopping because it failed a
# check (here: unhealthy, with restart: "no") starts that dependency again
# once it is down, as it would have had the dependency already failed, and
# as svctl start of the dependency itself does: it used to end failed, and
# the service being started failed with "dependency db failed". One that
# its policy restarts waits out its delay, as one already in it does.
. "$(dirname "$0")/lib.sh"

touch "$T/out/ok"
service db <<EOF
restart: "no"
command: [/bin/sh, -c, 'echo start >> $T/out/db; trap "sleep 1; exit 0" TERM; touch $T/out/db.up; while :; do sleep 0.05; done']
healthcheck:
  exec: [test, -e, $T/out/ok]
  interval: 1s
  retries: 1
EOF
service app <<EOF
enabled: false
depends_on: [db]
command: [sleep, "1000"]
EOF
# one its policy restarts waits out its restart delay: a start that pulls
# it in does not cut a crash loop short (as for one in its delay already)
touch "$T/out/ok2"
service db2 <<EOF
restart: always
backoff: { initial: 60s, max: 60s }
command: [/bin/sh, -c, 'echo start >> $T/out/db2; trap "sleep 1; exit 0" TERM; touch $T/out/db2.up; while :; do sleep 0.05; done']
healthcheck:
  exec: [test, -e, $T/out/ok2]
  interval: 1s
  retries: 1
EOF
service app2 <<EOF
enabled: false
depends_on: [db2]
command: [sleep, "1000"]
EOF
start_svd
wait_state db running
wait_field db health healthy
# (running once spawned: a SIGTERM before its trap would end it at once,
# never seen stopping)
wait_for test -e "$T/out/db.up"
rm "$T/out/ok"
wait_state db stopping
touch "$T/out/ok"
svctl start app > /dev/null || fail "svctl start app"
wait_state app running
assert_eq "$(field db state)" "running" "db after app's start"
assert_eq "$(wc -l < "$T/out/db")" "2" "db's starts"

wait_field db2 health healthy
wait_for test -e "$T/out/db2.up"
rm "$T/out/ok2"
wait_state db2 stopping
touch "$T/out/ok2"
svctl start app2 > /dev/null || fail "svctl start app2"
wait_state db2 backoff
assert_eq "$(field app2 state)" "waiting" "app2 while db2 waits out its delay"
sleep 0.5
assert_eq "$(field db2 state)" "backoff" "db2 after app2's start"
assert_eq "$(wc -l < "$T/out/db2")" "1" "db2's starts"
stop_svd || fail "svd exit status"
echo "dep_pull_fail_stop: ok"
