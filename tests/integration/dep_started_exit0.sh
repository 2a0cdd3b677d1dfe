#!/bin/bash
# depends_on condition started is met by a dependency that exited 0 and is
# not restarted by its policy, whatever its type (here simple, restart
# on-failure): what depends on it starts, and a follower is not restarted
# by that exit.
. "$(dirname "$0")/lib.sh"

service init <<EOF
command: [sh, -c, 'while [ ! -e $T/go ]; do sleep 0.05; done; exit 0']
restart: on-failure
EOF
service app <<EOF
command: [sleep, "1000"]
depends_on: [init]
EOF
service fol <<EOF
command: [sleep, "1000"]
depends_on: { init: { restart: true } }
EOF
start_svd
wait_state init running
wait_state app running
wait_state fol running
app1=$(field app pid); fol1=$(field fol pid)
touch "$T/go"
wait_state init exited
assert_eq "$(field app state)" running "app"
assert_eq "$(field app pid)" "$app1" "app pid"
assert_eq "$(field fol state)" running "fol"
assert_eq "$(field fol pid)" "$fol1" "fol not restarted by an exit 0"
# started from rest: exited 0 meets started at once
svctl stop app > /dev/null
wait_state app stopped
svctl start app > /dev/null
wait_state app running
assert_eq "$(field init state)" exited "init not run again"
stop_svd || fail "svd exit status"
echo "dep_started_exit0: ok"
