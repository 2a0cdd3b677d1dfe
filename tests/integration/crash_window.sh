#!/bin/bash
# kill -9 of svd right after it acknowledged an svctl stop or start, and a
# READY=1 sent while no svd runs: the svd started next keeps what the
# client was told (stopped stays stopped; a start is taken over, not killed
# and left stopped) and reads the READY=1 that waited in the notify socket
# svd-fdstore holds (the service becomes running).
. "$(dirname "$0")/lib.sh"

service a <<EOF2
restart: always
command: [bash, -c, "exec -a 'a-instance $T' sleep 100000"]
EOF2
service b <<EOF2
enabled: false
command: [sleep, "100000"]
EOF2
# n sends READY=1 once $T/out/go exists, and notes how that went
cat > "$T/n.py" <<'PY'
import os, socket, sys, time
T = sys.argv[1]
while not os.path.exists(T + "/out/go"):
    time.sleep(0.01)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    s.sendto(b"READY=1\n", os.environ["NOTIFY_SOCKET"])
    r = "sent"
except OSError as e:
    r = str(e)
with open(T + "/out/sent.tmp", "w") as f:
    f.write(r + "\n")
os.rename(T + "/out/sent.tmp", T + "/out/sent")
os.execvp("sleep", ["n-instance " + T, "100000"])
PY
service n <<EOF2
type: notify
enabled: false
command: [python3, "$T/n.py", "$T"]
EOF2

instances() { pgrep -f -- "^$1-instance $T" || true; }
# a failure can leave svd killed: its services and store go too
leftovers() {
        cleanup_svd=$SVD_PID
        if [ -n "$cleanup_svd" ] && kill -0 "$cleanup_svd" 2>/dev/null; then
                kill -TERM "$cleanup_svd"
                wait "$cleanup_svd" 2>/dev/null || true
        fi
        SVD_PID=
        for p in $(instances a) $(instances n) $(pgrep -f -- "^svd-fdstore $T/" || true); do
                kill -KILL "$p" 2>/dev/null || true
        done
}
trap 'leftovers; cleanup' EXIT
# ctl_kill OP NAME [OP NAME...]: the requests on one connection, each
# acknowledged before the next, and svd killed (SIGKILL) as soon as the
# last one is: no svctl start-up in between
ctl_kill() {
        python3 - "$SOCK" "$SVD_PID" "$TOP_SRCDIR/tests/helpers" "$@" <<'PY' || fail "control requests $*"
import os, signal, sys
sys.path.insert(0, sys.argv[3])
from svdproto import call, connect
s = connect(sys.argv[1])
def checked(req):
    rep = call(s, req)
    if not rep.get("ok", True) or rep.get("error"):
        sys.exit("refused: %s" % rep)
args = sys.argv[4:]
for op, name in zip(args[0::2], args[1::2]):
    checked({"v": 1, "op": op, "name": name})
os.kill(int(sys.argv[2]), signal.SIGKILL)
PY
        wait "$SVD_PID" 2>/dev/null || true
        SVD_PID=
}
start_svd
wait_state a running

# an acknowledged stop: killed at once after it, svd still has it stopped
sleep 0.2 # (the state file is older than 50 ms: the stop would be written 50 ms later)
ctl_kill stop a
start_svd
sleep 0.5
assert_eq "$(field a state)" "stopped" "a after svctl stop and a kill"
wait_for sh -c "[ -z \"\$(pgrep -f -- '^a-instance $T')\" ]"

# an acknowledged start: the process it started is taken over, not killed.
# b's start just before it (a state written less than 50 ms ago waits),
# and svd killed as soon as a's start is acknowledged
sleep 0.2
ctl_kill start b start a
pid=$(instances a)
[ -n "$pid" ] || fail "svctl start a started nothing"
start_svd
sleep 0.5
assert_eq "$(field a state)" "running" "a after svctl start and a kill"
assert_eq "$(field a pid)" "$pid" "a's pid after svctl start and a kill"
assert_eq "$(instances a)" "$pid" "a's processes"

# a READY=1 while no svd runs
svctl start n > /dev/null
wait_state n starting
sleep 0.2
ready_while_down() {
        touch "$T/out/go"
        wait_for test -e "$T/out/sent"
}
crash_restart_svd ready_while_down
assert_eq "$(cat "$T/out/sent")" "sent" "READY=1 sent while svd was down"
wait_state n running 5
assert_eq "$(instances n)" "$(field n pid)" "n's pid"

stop_svd || fail "svd exit status"
[ -z "$(instances a)$(instances n)" ] || fail "processes left after a clean stop"
echo "crash_window: ok"
