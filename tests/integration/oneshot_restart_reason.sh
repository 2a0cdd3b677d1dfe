#!/bin/bash
# svctl restart of an exited oneshot with a follower still stopping: the
# oneshot's reason says it runs again once its followers are down (it has
# no process to stop), not that it stops; a running service's restart, and
# a stop of the oneshot, still say it stops.
. "$(dirname "$0")/lib.sh"
# up NAME: the process of NAME that runs has set its trap (running once
# spawned: a SIGTERM before the trap would end it at once, never stopping)
up() { [ "$(cat "$T/out/$1.up" 2> /dev/null)" = "$(field "$1" pid)" ]; }

service mig <<EOF
type: oneshot
command: [/bin/true]
EOF
service api <<EOF
depends_on: { mig: { condition: completed, restart: true } }
command: [/bin/sh, -c, 'trap "sleep 2; exit 0" TERM; echo \$\$ > $T/out/api.up; while :; do sleep 0.05; done']
EOF
service db <<EOF
command: [sleep, "1000"]
EOF
service web <<EOF
depends_on: { db: { restart: true } }
command: [/bin/sh, -c, 'trap "sleep 2; exit 0" TERM; echo \$\$ > $T/out/web.up; while :; do sleep 0.05; done']
EOF
start_svd
wait_state api running
wait_state web running
wait_for up api
wait_for up web
wait_state mig exited

svctl restart mig > /dev/null || fail "svctl restart mig"
assert_eq "$(field api state)" "stopping" "api while mig waits"
assert_eq "$(field mig reason)" "runs again once the services that follow it have stopped" "mig's reason"
svctl restart db > /dev/null || fail "svctl restart db"
assert_eq "$(field db reason)" "stops once the services that follow it have stopped" "db's reason"
wait_state api running
wait_state web running
wait_for up api
wait_for up web
assert_eq "$(field mig state)" "exited" "mig after its run"
assert_eq "$(field mig reason)" "" "mig's reason after its run"
# a stop of the exited oneshot is a stop
svctl stop mig > /dev/null || fail "svctl stop mig"
assert_eq "$(field mig reason)" "stops once the services that follow it have stopped" "mig's reason at its stop"
wait_state mig stopped
stop_svd || fail "svd exit status"
echo "oneshot_restart_reason: ok"
