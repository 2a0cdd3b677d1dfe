#!/bin/bash
# A client whose pipelined requests are left over for a later turn gets that
# turn although svd's loop is never idle: a service floods its output, so
# its log pipe is readable at every loop iteration. A turn that waited for
# an idle loop (libev's idle watchers run only when nothing else is pending)
# never came, and the client's remaining requests were never answered.
. "$(dirname "$0")/lib.sh"

for i in $(seq 1 50); do
        service "s$i" <<YAML
command: [sleep, "100000"]
YAML
done
for i in 1 2 3; do
        service "flood$i" <<'YAML'
command: [sh, -c, "exec yes 'a line of output that keeps the log pipe full'"]
YAML
done
start_svd
for i in $(seq 1 50); do wait_state "s$i" running 60; done
for i in 1 2 3; do wait_state "flood$i" running 60; wait_for test -s "$T/log/flood$i.log"; done

# 600 pipelined status requests are several turns' worth (2 ms each) even in
# a fast build; all their replies must come, within a generous bound: about
# 0.4 s without the floods and 1.6 s with them here (release build), 49 s
# with them when turns waited for an idle loop.
OUT=$(timeout 120 python3 - "$SOCK" <<'PY'
import json, socket, struct, sys, time
body = json.dumps({"v": 1, "op": "status"}).encode()
req = struct.pack(">I", len(body)) + body
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60)
s.connect(sys.argv[1])
n = 600
s.sendall(req * n)
buf, got, t0 = b"", 0, time.monotonic()
try:
    while got < n:
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
            c = s.recv(1 << 16)
            if not c:
                raise EOFError("closed")
            buf += c
        k = struct.unpack(">I", buf[:4])[0]
        buf = buf[4 + k:]
        got += 1
except Exception as e:
    print("got %d of %d replies: %r" % (got, n, e))
    sys.exit(1)
print("%.2f" % (time.monotonic() - t0))
PY
) || fail "pipelined client starved while svd was busy: $OUT"
echo "600 replies in $OUT s"
assert_le "$OUT" 20 "seconds for the 600 replies while services flood their logs"
kill -0 "$SVD_PID" || fail "svd died"
echo PASS
