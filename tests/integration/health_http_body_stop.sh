#!/bin/bash
# An http check with body_contains stops reading the body once the string
# is found (at 64 KiB at most): a server that sends the string and then
# streams an endless body passes the check promptly (not "body larger than
# 16 MiB" nor a timeout), and svd-probe closed the connection before 16 MiB
# were sent (the rest is what the sockets' buffers held).
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
python3 -c '
import socket, sys, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2] + ".up", "w").write("up")
def serve(c):
    c.recv(65536)
    sent = 0
    try:
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nstatus: all-good\n")
        chunk = b"x" * 65536
        while sent < 64 << 20:   # endless for the check: 4 times its limit
            c.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    with open(sys.argv[2], "a") as f:
        f.write("%d\n" % sent)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$PORT" "$T/out/sent" 2> "$T/server.err" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; cleanup' EXIT
wait_for test -s "$T/out/sent.up"

service web <<EOF2
command: [sleep, "1000"]
healthcheck:
  http: { url: "http://127.0.0.1:$PORT/", body_contains: all-good }
  timeout: 20s
  start_interval: 200ms
  interval: 60s
EOF2

start_svd
wait_for eval '[ -n "$(field web last_probe)" ]'
v=$(field web last_probe)
[[ "$v" == "HTTP 200 in "* ]] || fail "last_probe '$v', expected 'HTTP 200 in ...'"
wait_field web health healthy
# the server learns the connection closed when a send fails
wait_for test -s "$T/out/sent"
sent=$(head -1 "$T/out/sent")
echo "server sent $sent bytes after the match before svd-probe closed"
[ "$sent" -lt $((16 << 20)) ] || fail "svd-probe read $sent bytes of the body after body_contains matched"
exit 0
