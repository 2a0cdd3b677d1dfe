#!/bin/bash
# An http check whose reply comes after svd gave up on it (its timeout + 5 s:
# here svd-probe is stopped while the check waits for a slow server, as when
# its queue is full at its bound and the request waits there) still counts
# when it comes: the check did run, and its result is the service's. It used
# to be dropped (its id no longer matched), so a service whose checks all
# came late was never counted unhealthy. The overdue check itself still
# counts against no service.
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "python3 missing"; exit 77; }

PORT=$(free_port)
# answers at once, or 20 s late once $T/out/slow exists (then notes the
# request in $T/out/slowreq first)
python3 - "$PORT" "$T/out" <<'EOF' &
import http.server, os, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if os.path.exists(out + "/slow"):
            open(out + "/slowreq", "a").write("x\n")
            time.sleep(20)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; cleanup' EXIT
listening() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$PORT" 2>/dev/null; }
wait_for listening

service web <<EOF
command: [sleep, "1000"]
healthcheck:
  http: http://127.0.0.1:$PORT/
  timeout: 2s
  interval: 6s
  start_interval: 200ms
  retries: 1
  on_unhealthy: none
EOF
start_svd
wait_field web health healthy
prober=$(pgrep -P "$SVD_PID" -x svd-probe)
[ -n "$prober" ] || fail "no svd-probe"

touch "$T/out/slow"
wait_for test -s "$T/out/slowreq"
kill -STOP "$prober"
# 2 s + 5 s after it was sent: given up on, not counted
wait_for grep -q "web: no reply from svd-probe (pid $prober) to its check" "$T/svd.out"
assert_eq "$(field web health)" "healthy" "health after the overdue check"
kill -CONT "$prober"
# its own timeout passed long ago: the reply says so, and it counts
wait_for grep -q "web: svd-probe replied late to its overdue check: timeout after 2000ms; counted" "$T/svd.out"
wait_field web health unhealthy
grep -q "svd-probe (pid $prober) answered none" "$T/svd.out" && fail "svd-probe was taken for stuck"
echo "health_late_reply: ok"
