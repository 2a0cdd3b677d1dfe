#!/bin/bash
# svctl restart of a service whose followers stop first (depends_on.X.restart):
# if the service exits by itself while it waits for them (a crash, or its
# own end), the restart still happens once they are down. It used to be
# lost: the service was left stopped, and its followers waited for it.
. "$(dirname "$0")/lib.sh"

service db <<EOF
command: [/bin/sh, -c, 'echo start >> $T/out/db; rm -f $T/out/die; while [ ! -f $T/out/die ]; do sleep 0.05; done; exit 1']
EOF
# api stops only once the test lets it (its start line written once its
# trap is set)
service api <<EOF
depends_on: { db: { restart: true } }
stop: { timeout: 30s }
command: [/bin/sh, -c, 'trap "while [ ! -f $T/out/api.go ]; do sleep 0.05; done; exit 0" TERM; echo start >> $T/out/api; while :; do sleep 0.05; done']
EOF
lines() { [ "$(wc -l < "$T/out/$1")" -ge "$2" ]; }
start_svd
wait_state db running
wait_state api running
wait_for lines api 1 # (its trap is set: running once spawned)
svctl restart db > /dev/null || fail "svctl restart db"
wait_state api stopping
assert_eq "$(field db state)" "running" "db while api stops"
touch "$T/out/die"
wait_for grep -q "db: running -> " "$T/svd.out"
touch "$T/out/api.go"
wait_for lines db 2
wait_state db running
wait_state api running
wait_for lines api 2
assert_eq "$(wc -l < "$T/out/api")" "2" "api's starts"
stop_svd || fail "svd exit status $?"
echo "restart_exit_while_followers_stop: ok"
