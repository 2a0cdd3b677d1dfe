#!/bin/bash
# A notify service whose check passed once while it was starting, then
# failed (failures before the first healthy are not counted without a
# start_period), is not made healthy by READY=1: "READY=1 alone never makes
# an unhealthy service healthy" (svd.yaml(5), start_interval). It is probed
# at once instead, and turns healthy only when a check passes again.
. "$(dirname "$0")/lib.sh"

service db <<EOF
type: notify
command: [python3, -c, "import os, socket, time\nwhile not os.path.exists('$T/out/go'): time.sleep(0.02)\nsocket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\ntime.sleep(1000)"]
healthcheck:
  exec: [test, -f, "$T/out/ok"]
  start_interval: 50ms
  interval: 50ms
EOF

touch "$T/out/ok"
start_svd
wait_field db last_probe "exit 0"
assert_eq "$(field db state)" "starting" "db state before READY=1"
rm "$T/out/ok"
wait_field db last_probe "exited 1"
assert_eq "$(field db probe_failures)" "0" "failures before the first healthy (not counted)"

# READY=1 now: the last check failed, so not healthy
touch "$T/out/go"
wait_state db running
assert_eq "$(field db health)" "starting" "health right after READY=1 that followed a failed check"
sleep 0.3
assert_eq "$(field db health)" "starting" "health with the check still failing"
[ "$(field db last_probe)" = "exited 1" ] || fail "last probe: $(field db last_probe)"

# the next pass makes it healthy
touch "$T/out/ok"
wait_field db health healthy
