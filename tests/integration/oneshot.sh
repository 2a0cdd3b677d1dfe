#!/bin/bash
# `condition: completed` waits for a oneshot to exit 0; a oneshot that fails
# fails its dependents (transitively) with a reason, never leaving them hanging.
. "$(dirname "$0")/lib.sh"

service init <<EOF
type: oneshot
command: [/bin/sh, -c, 'sleep 0.5; date +%s.%N > $T/out/init.end']
EOF
service app <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/app.start; exec sleep 1000']
depends_on: { init: { condition: completed } }
EOF
service badinit <<EOF
type: oneshot
restart: "no"
command: [/bin/sh, -c, 'exit 3']
EOF
service web <<EOF
command: [sleep, "1000"]
depends_on: { badinit: { condition: completed } }
EOF
service front <<EOF
command: [sleep, "1000"]
depends_on: [web]
EOF

start_svd
wait_state init exited
wait_state app running
assert_le "$(cat "$T/out/init.end")" "$(cat "$T/out/app.start")" "init completed before app"
assert_eq "$(field init last_exit)" "exited 0" "init last_exit"

wait_state badinit failed
assert_eq "$(field badinit reason)" "exited 3" "badinit reason"
wait_state web failed
assert_eq "$(field web reason)" "dependency badinit failed" "web reason"
wait_state front failed
assert_eq "$(field front reason)" "dependency web failed" "front reason"
[ -z "$(field web pid)" ] || fail "web was spawned"
stop_svd || fail "svd exit status"
echo "oneshot: ok"
