#!/bin/bash
# A reload that enables a service (enabled: false to true) starts it, as it
# starts a new one; one the operator stopped stays stopped; and a reload
# that disables a running one stops it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/out"
service extra <<EOF
command: [sleep, "72001"]
enabled: false
EOF
service other <<EOF
command: [sleep, "72002"]
enabled: false
EOF
service going <<EOF
command: [sleep, "72003"]
EOF
start_svd
wait_state going running
assert_eq "$(field extra state)" stopped "extra at boot"
svctl start other > /dev/null
wait_state other running
svctl stop other > /dev/null
wait_state other stopped

service extra <<EOF
command: [sleep, "72001"]
enabled: true
EOF
service other <<EOF
command: [sleep, "72002"]
enabled: true
EOF
service going <<EOF
command: [sleep, "72003"]
enabled: false
EOF
svctl reload > "$T/out/r" 2>&1 || fail "reload refused: $(cat "$T/out/r")"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state extra running
wait_state going stopped
sleep 0.3
assert_eq "$(field other state)" stopped "other (svctl stop) after the reload"
stop_svd
