#!/bin/bash
# svctl logs -f reads a service's current file up to the size svd gives at
# the subscription, and takes what comes after from svd: that size is an
# offset in the file as it is. A file emptied by hand (": > app.log") left
# svd's count of the bytes it had written far beyond the file's end, so the
# reader took records written after the subscription from the file, and got
# them a second time from svd.
. "$(dirname "$0")/lib.sh"

F="$T/log/u.log"
seq 1 500 | sed 's/^/line /' > "$T/out/batch"
service u <<EOF
command: ["sh", "-c", "cat $T/out/batch; i=0; while :; do echo tick \$i; i=\$((i+1)); sleep 0.2; done"]
EOF
start_svd
wait_state u running
wait_for grep -q ' out tick 1$' "$F"
: > "$F"
wait_for grep -q ' out tick' "$F"
python3 - "$SOCK" "$F" <<'PY' || fail "the size in logs_follow's reply is past the file's end"
import json, os, socket, struct, sys
sock, path = sys.argv[1:]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
req = json.dumps({"v": 1, "op": "logs_follow", "name": "u"}).encode()
s.sendall(struct.pack(">I", len(req)) + req)
n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
reply = json.loads(s.recv(n, socket.MSG_WAITALL))
assert reply.get("ok"), reply
size = reply["services"][0]["size"]
real = os.path.getsize(path)  # (after the reply: the file only grows)
print("size", size, "file", real)
sys.exit(0 if size <= real else 1)
PY
stop_svd || fail "svd exit status"
echo "log_follow_truncated: ok"
