#!/bin/bash
# A reload that changes a service the operator is stopping (svctl stop,
# still waiting for the follower that stops before it) says that it is not
# started again, and it is not. Before, svd's log said "restarting".
. "$(dirname "$0")/lib.sh"
# up NAME: the process of NAME that runs has set its trap (running once
# spawned: a SIGTERM before the trap would end it at once, never stopping)
up() { [ "$(cat "$T/out/$1.up" 2> /dev/null)" = "$(field "$1" pid)" ]; }

# (slow stops: the reload comes while db still waits for api, or stops)
service db <<EOF2
command: [sh, -c, "trap 'sleep 3; exit 0' TERM; echo \$\$ > $T/out/db.up; while :; do sleep 0.1; done"]
EOF2
service api <<EOF2
command: [sh, -c, "trap 'sleep 2; exit 0' TERM; echo \$\$ > $T/out/api.up; while :; do sleep 0.1; done"]
depends_on: { db: { restart: true } }
EOF2
start_svd
wait_state db running
wait_state api running
wait_for up db
wait_for up api
svctl stop db > "$T/out/stop" 2>&1 &
stopper=$!
wait_state api stopping
printf 'command: [sh, -c, "trap '"'"'sleep 3; exit 0'"'"' TERM; while :; do sleep 0.2; done"]\n' > "$T/services/db.yaml"
svctl reload > "$T/out/r" || fail "reload: $(cat "$T/out/r")"
wait_for grep -q "reload: done" "$T/svd.out"
wait "$stopper" || fail "svctl stop: $(cat "$T/out/stop")"
grep -q "db: definition changed (service file): not started again (stopped by the operator)$" "$T/svd.out" ||
        fail "the change's log line: $(grep 'db: definition changed' "$T/svd.out")"
assert_eq "$(field db state)" stopped "db after the reload"
assert_eq "$(field db held)" True "db's hold"
stop_svd || fail "svd exit status"
echo "reload_stop_held_log: ok"
