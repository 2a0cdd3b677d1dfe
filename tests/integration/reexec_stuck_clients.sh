#!/bin/bash
# Before a daemon-reexec svd writes out the replies still queued, but a
# client that does not read its replies (any local user can be one, many
# times over) must not hold PID 1 for long: all of them together get about a
# second, whatever their number, and the re-exec (with svctl's own reply)
# goes ahead after it.
. "$(dirname "$0")/lib.sh"

svd_copy

service web <<YAML
command: [sleep, "100000"]
YAML
start_svd
wait_state web running
pid=$(field web pid)

# how long a re-exec takes here (its checks run the binary twice)
reexec_time() {
        local t0 t1
        t0=$(now)
        svctl daemon-reexec > /dev/null || fail "daemon-reexec"
        svctl status web > /dev/null || fail "svd does not answer after the re-exec"
        t1=$(now)
        python3 -c "print($t1 - $t0)"
}
base=$(reexec_time)

# 12 clients, each with far more status replies queued than its socket takes
python3 - "$SOCK" > "$T/out/stuck.out" 2>&1 <<'PY' &
import json, socket, struct, sys, time
body = json.dumps({"v": 1, "op": "status"}).encode()
frame = struct.pack(">I", len(body)) + body
conns = []
for _ in range(12):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        s.sendall(frame * 800)
        conns.append(s)
print("ready", flush=True)
time.sleep(60)
PY
STUCK=$!
trap 'kill $STUCK 2>/dev/null || true; cleanup' EXIT
wait_for grep -q ready "$T/out/stuck.out"
# svd has read the requests and queued the replies once it is idle
svd_idle() {
        python3 -c '
import os, sys, time
def cpu():
        f = open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])
c0 = cpu()
time.sleep(0.5)
sys.exit(0 if cpu() - c0 <= 2 else 1)' "$SVD_PID"
}
wait_for svd_idle

took=$(reexec_time)
assert_le "$(python3 -c "print($took - $base)")" 3 "daemon-reexec with 12 clients that do not read (${took}s, ${base}s without)"
assert_eq "$(field web pid)" "$pid" "web's pid across the re-exec"
kill "$STUCK" 2>/dev/null || true
stop_svd || fail "svd exit status"
echo "reexec_stuck_clients: ok"
