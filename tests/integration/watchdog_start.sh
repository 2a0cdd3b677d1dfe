#!/bin/bash
# The watchdog runs from READY=1 on, as systemd's ("activated when the
# start-up is completed"): a notify service whose start lasts several
# watchdog intervals without a ping (a daemon pinging from a main loop that
# begins after a long recovery) is not killed while starting; once ready, a
# missed ping restarts it. A WATCHDOG=1 while starting starts the watchdog
# at once: a service that pinged and then hangs before READY=1 is restarted.
# A daemon-reexec while starting does not start it either.
. "$(dirname "$0")/lib.sh"

cat > "$T/wd.py" <<'PY'
import os, signal, socket, sys
name, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n = sum(1 for f in os.listdir(out) if f.startswith(name + ".start"))
open("%s/%s.start%d" % (out, name, n), "w").close()
if name == "pinged":
    s.sendto(b"WATCHDOG=1", os.environ["NOTIFY_SOCKET"])
    signal.pause()  # hangs before READY=1
if n == 0:
    sys.stdin = open(sys.argv[3])  # a long start: until the test opens the fifo
    sys.stdin.readline()
s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
signal.pause()  # no pings: the watchdog fires
PY
mkfifo "$T/go.fifo"
service slow <<EOF2
type: notify
command: [python3, "$T/wd.py", slow, "$T/out", "$T/go.fifo"]
watchdog: 200ms
restart: always
backoff: { initial: 100ms }
EOF2
service pinged <<EOF2
type: notify
command: [python3, "$T/wd.py", pinged, "$T/out"]
watchdog: 200ms
restart: always
backoff: { initial: 100ms }
EOF2

start_svd
# pinged: its WATCHDOG=1 while starting started the watchdog
wait_for test -f "$T/out/pinged.start1"
grep -q 'pinged: watchdog timeout: no WATCHDOG=1 within 200ms' "$T/svd.out" || fail "pinged's watchdog not logged"
# slow: 10 watchdog intervals into its start (the negative needs a window),
# the first run is still starting, also across a daemon-reexec (the new
# instance does not start the watchdog of a service still starting either)
wait_for test -f "$T/out/slow.start0"
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
sleep 2
assert_eq "$(field slow state)" "starting" "slow during its long start"
assert_eq "$(field slow restarts)" "0" "slow's restarts during its long start"
[ ! -e "$T/out/slow.start1" ] || fail "slow was started again during its start"
if grep 'slow: watchdog' "$T/svd.out"; then fail "the watchdog fired while slow was starting"; fi
# ready without pings: the watchdog restarts it
echo go > "$T/go.fifo"
wait_for test -f "$T/out/slow.start1"
grep -q 'slow: watchdog timeout: no WATCHDOG=1 within 200ms' "$T/svd.out" || fail "slow's watchdog not logged"
stop_svd
