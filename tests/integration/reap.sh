#!/bin/bash
# svd is a subreaper: a double-forking service's orphaned grandchild is
# reaped when it exits (no zombie left), and the group is cleaned up when
# the main process exits.
. "$(dirname "$0")/lib.sh"

service forker <<EOF
type: oneshot
# The grandchild leaves the process group (setsid) before the main process
# exits: leftovers still in the group are killed with the main process.
command: [/bin/sh, -c, '(setsid sh -c "echo \$\$ > $T/out/gc.tmp; mv $T/out/gc.tmp $T/out/gc.pid; sleep 0.5" &) ; while [ ! -s $T/out/gc.pid ]; do sleep 0.01; done; exit 0']
EOF
start_svd
wait_state forker exited
wait_for test -s "$T/out/gc.pid"
gc=$(cat "$T/out/gc.pid")
# the grandchild was re-parented to svd, not to init
wait_for sh -c "! kill -0 $gc 2>/dev/null || [ \"\$(ps -o ppid= -p $gc | tr -d ' ')\" = $SVD_PID ]"
# once it exits, svd reaps it: no zombie children of svd remain
wait_for sh -c "! kill -0 $gc 2>/dev/null"
zombies=$(ps -o stat= --ppid "$SVD_PID" | grep -c Z || true)
assert_eq "$zombies" "0" "zombie children of svd"
stop_svd || fail "svd exit status"
echo "reap: ok"
