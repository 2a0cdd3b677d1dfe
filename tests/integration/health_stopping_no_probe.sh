#!/bin/bash
# A service being stopped (SIGTERM sent, its exit awaited) is no longer
# checked: no exec check starts and svd-probe gets no tcp check for it. Before,
# the probe timer armed while it ran still fired during a slow stop: an exec
# check was spawned beside the stopping process (its result ignored), and a
# tcp check was sent to svd-probe again and again, every timeout + 5 s.
. "$(dirname "$0")/lib.sh"

# a listener that notes each connection (a tcp check) as one line
cat > "$T/listen.py" <<'EOF2'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("c\n")
    c.close()
EOF2
python3 "$T/listen.py" "$T/port" "$T/out/tc.checks" 2> "$T/listen.err" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null || true; cleanup' EXIT
wait_for test -s "$T/port"
PORT=$(cat "$T/port")
touch "$T/out/tc.checks"

# slow_stop NAME: a service that takes 6 s to stop after SIGTERM (it writes
# NAME.term once the stop began); NAME.up once its trap is set
slow_stop() {
        cat <<EOF2
command: ["sh", "-c", "trap 'touch $T/out/$1.term; sleep 6; exit 0' TERM; touch $T/out/$1.up; sleep 1000 & wait \$!"]
stop: { timeout: 60s }
EOF2
}
{ slow_stop ex; cat <<EOF2; } | service ex
healthcheck:
  exec: ["sh", "-c", "echo c >> $T/out/ex.checks"]
  start_interval: 50ms
  interval: 2s
EOF2
{ slow_stop tc; cat <<EOF2; } | service tc
healthcheck:
  tcp: 127.0.0.1:$PORT
  start_interval: 50ms
  interval: 2s
  timeout: 1s
EOF2
start_svd
wait_field ex health healthy 60
wait_field tc health healthy 60
wait_for test -e "$T/out/ex.up"
wait_for test -e "$T/out/tc.up"

lines() { wc -l < "$1"; }
grown() { [ "$(lines "$1")" -gt "$2" ]; }
# stop NAME CHECKS: stop it right after one of its checks (the next is
# about 2 s away), and count its checks from when its stop began
stop_after_check() {
        local n
        n=$(lines "$2")
        wait_for grown "$2" "$n"
        svctl stop "$1" > /dev/null
        wait_for test -e "$T/out/$1.term"
        lines "$2" > "$T/out/$1.at_stop"
}
stop_after_check ex "$T/out/ex.checks"
stop_after_check tc "$T/out/tc.checks"
# (the stop takes 6 s: over two intervals, and over the tcp check's
# timeout + 5 s, within which it was sent again before)
wait_state ex stopped 60
wait_state tc stopped 60
assert_eq "$(lines "$T/out/ex.checks")" "$(cat "$T/out/ex.at_stop")" "exec checks of ex once its stop began"
assert_eq "$(lines "$T/out/tc.checks")" "$(cat "$T/out/tc.at_stop")" "tcp checks of tc once its stop began"
