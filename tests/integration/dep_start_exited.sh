#!/bin/bash
# svctl start of a service that needs a dependency healthy, where that
# dependency has exited 0 and is not restarted by its policy, starts the
# dependency again first (as it does one that is stopped or failed) rather
# than leave the service waiting for it: directly (x needs db healthy) and
# through another dependency (app needs db started, which exited 0 meets,
# and mid, which needs db healthy). A oneshot that has done its job is not
# run again: what needs it healthy fails at once, naming it. The
# operator's stop of a dependency is not undone by a start that does not
# reach it.
. "$(dirname "$0")/lib.sh"
# db_up PID: db's process PID has set its trap (running once spawned: a
# SIGUSR1 before the trap would end it on the signal, not exit 0)
db_up() { [ "$(cat "$T/out/db.up" 2> /dev/null)" = "$1" ]; }

service db <<EOF
command: [sh, -c, 'trap "exit 0" USR1; echo \$\$ > $T/out/db.up; while :; do sleep 0.1; done']
restart: "no"
EOF
service x <<EOF
command: [sleep, "1000"]
depends_on: { db: { condition: healthy } }
EOF
service mid <<EOF
command: [sleep, "1000"]
depends_on: { db: { condition: healthy } }
EOF
service app <<EOF
command: [sleep, "1000"]
depends_on: [db, mid]
EOF
service job <<EOF
type: oneshot
command: ["true"]
EOF
service needjob <<EOF
command: [sleep, "1000"]
enabled: false
depends_on: { job: { condition: healthy } }
EOF
start_svd
for n in db x mid app; do wait_state $n running; done
wait_state job exited

# x stopped, then db exits 0: svctl start x runs db again first
svctl stop x > /dev/null
wait_state x stopped
db1=$(field db pid)
wait_for db_up "$db1"
kill -USR1 "$db1"
wait_state db exited
svctl start x > /dev/null
wait_state x running
assert_eq "$(field db state)" running "db started again for x"
[ "$(field db pid)" != "$db1" ] || fail "db was not started again"

# through mid: app's own edge (started) is met by the exit, mid's is not
svctl stop x > /dev/null
svctl stop app > /dev/null
svctl stop mid > /dev/null
wait_state app stopped
wait_state mid stopped
db2=$(field db pid)
wait_for db_up "$db2"
kill -USR1 "$db2"
wait_state db exited
svctl start app > /dev/null
wait_state app running
assert_eq "$(field mid state)" running "mid"
[ "$(field db pid)" != "$db2" ] || fail "db was not started again for mid"
assert_eq "$(field x state)" stopped "x, stopped by the operator, not pulled in"

# a oneshot is not run again: needjob fails at once, naming it
runs=$(grep -c "job: stopped -> starting\|job: exited -> starting" "$T/svd.out" || true)
svctl start needjob > /dev/null
wait_state needjob failed
assert_eq "$(field needjob reason)" "dependency job exited" "needjob reason"
assert_eq "$(grep -c "job: stopped -> starting\|job: exited -> starting" "$T/svd.out" || true)" "$runs" "job runs"
stop_svd || fail "svd exit status"
echo "dep_start_exited: ok"
