#!/bin/bash
# A kill of svd after it read a service's READY=1 but before state.json
# said so: the next svd still makes the service running. The datagram
# leaves the notify socket (held across the kill by svd-fdstore) only once
# the state that records it is written. The window is held open here by a
# FIFO in place of state.json.tmp: svd's write of that state blocks in
# open() until the test kills it.
. "$(dirname "$0")/lib.sh"

# n sends READY=1 once $T/out/go exists
cat > "$T/n.py" <<'PY'
import os, socket, sys, time
T = sys.argv[1]
while not os.path.exists(T + "/out/go"):
    time.sleep(0.01)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\n", os.environ["NOTIFY_SOCKET"])
open(T + "/out/sent", "w").close()
os.execvp("sleep", ["n-instance " + T, "100000"])
PY
service n <<EOF2
type: notify
command: [python3, "$T/n.py", "$T"]
EOF2

instances() { pgrep -f -- "^$1-instance $T" || true; }
leftovers() {
        rm -f "$T/run/state.json.tmp"
        if [ -n "$SVD_PID" ] && kill -0 "$SVD_PID" 2>/dev/null; then
                kill -KILL "$SVD_PID"
                wait "$SVD_PID" 2>/dev/null || true
        fi
        SVD_PID=
        for p in $(instances n) $(pgrep -f -- "^python3 $T/n.py" || true) \
                $(pgrep -f -- "^svd-fdstore $T/" || true); do
                kill -KILL "$p" 2>/dev/null || true
        done
}
trap 'leftovers; cleanup' EXIT

start_svd
wait_state n starting
sleep 0.3 # (nothing left to write: the next write is READY=1's)
mkfifo "$T/run/state.json.tmp"
touch "$T/out/go"
wait_for test -e "$T/out/sent"
# svd read the datagram, made n running and now waits in open() of the FIFO
wait_for svd_blocked_in_fifo || fail "svd is not blocked writing the state (wchan $(cat "/proc/$SVD_PID/wchan"))"
crash_restart_svd rm -f "$T/run/state.json.tmp"
wait_state n running 5
assert_eq "$(instances n)" "$(field n pid)" "n's pid"

stop_svd || fail "svd exit status"
echo "crash_ready_window: ok"
