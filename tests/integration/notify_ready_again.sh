#!/bin/bash
# READY=1 from a service that is running already changes nothing: it does
# not start a health check at once (only the READY=1 that makes it running,
# from starting or reloading, does). READY=1 is never dropped as flood, so a
# service repeating it would otherwise make svd run its exec check once per
# datagram, as fast as it sends them, and reach healthcheck.retries in no
# time instead of at healthcheck.interval; nor does it write state.json
# (which svd did at once for each, as for the READY=1 that ends a start).
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
mkfifo "$T/r.fifo"
service r <<EOF2
type: notify
command: [python3, "$H", "$T/r.fifo"]
healthcheck:
  exec: [sh, -c, 'echo x >> $T/out/probes; exit 1']
  interval: 1h
  start_interval: 1h
  retries: 1000
EOF2
probes() { wc -l < "$T/out/probes" 2> /dev/null || echo 0; }
probed() { [ "$(probes)" -ge "$1" ]; }
# state.json (a new file at each write) records r as running
recorded_running() {
        [ "$(jq -r '.services[] | select(.name == "r") | .state' "$T/run/state.json" 2> /dev/null)" = running ]
}

start_svd
wait_state r running
wait_for probed 1 # the READY=1 that made it running: probed at once
wait_for recorded_running # (the state write after the change)
inode=$(stat -c "%i %.9Z" "$T/run/state.json")
for _ in $(seq 10); do
        echo "send READY=1" > "$T/r.fifo"
        sleep 0.1
done
echo "send STATUS=after" > "$T/r.fifo"
wait_field r status after
sleep 0.3 # (a check started by the last READY=1 would have run by now)
assert_eq "$(probes)" "1" "checks run after READY=1 while running"
# nor is state.json written again for it (each write is a new file)
assert_eq "$(stat -c "%i %.9Z" "$T/run/state.json")" "$inode" "state.json (inode, change time) after READY=1 while running"
# RELOADING=1 ... READY=1: the READY=1 that ends a reload is still probed at once
echo "send RELOADING=1" > "$T/r.fifo"
wait_state r reloading
echo "send READY=1" > "$T/r.fifo"
wait_state r running
wait_for probed 2
stop_svd
