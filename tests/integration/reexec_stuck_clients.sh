#!/bin/bash
# Before a daemon-reexec svd writes out the replies still queued, but a
# client that does not read its replies (any local user can be one, many
# times over) must not hold PID 1 for long: all of them together get about a
# second, whatever their number, and the re-exec (with svctl's own reply)
# goes ahead after it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin"
cp "$SVD" "$T/bin/svd"
cp "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/" # found next to svd
SVD=$T/bin/svd

service web <<YAML
command: [sleep, "100000"]
YAML
start_svd
wait_state web running
pid=$(field web pid)

# 12 clients, each with far more status replies queued than its socket takes
python3 - "$SOCK" > "$T/out/stuck.out" 2>&1 <<'PY' &
import json, socket, struct, sys, time
body = json.dumps({"v": 1, "op": "status"}).encode()
frame = struct.pack(">I", len(body)) + body
conns = []
for _ in range(12):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        s.sendall(frame * 1500)
        conns.append(s)
print("ready", flush=True)
time.sleep(60)
PY
STUCK=$!
trap 'kill $STUCK 2>/dev/null || true; cleanup' EXIT
wait_for grep -q ready "$T/out/stuck.out"
sleep 1 # svd has read the requests and queued the replies

t0=$(now)
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
svctl status web > /dev/null || fail "svd does not answer after the re-exec"
t1=$(now)
assert_le "$(python3 -c "print($t1 - $t0)")" 5 "daemon-reexec with 12 clients that do not read"
assert_eq "$(field web pid)" "$pid" "web's pid across the re-exec"
kill "$STUCK" 2>/dev/null || true
stop_svd || fail "svd exit status"
echo "reexec_stuck_clients: ok"
