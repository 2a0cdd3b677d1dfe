#!/bin/bash
# TCP and HTTP health checks, run by svd-probe against real local servers that
# are themselves services of svd:
#   - web: an HTTP server (tests/helpers/httpd.py) whose status comes from a
#     file. Healthy on 200; flipped to 500 it turns unhealthy after 2 failed
#     probes and svd restarts it (reason "unhealthy: ..."); flipped back it is
#     healthy again.
#   - body: answers 200 but without the expected text: never healthy, failed at
#     start_timeout with the body check named in the reason.
#   - slow: accepts and never answers: the probe times out at 300ms.
#   - tcpl: a listener that appears only after 1 s: healthy only after it
#     appears, and its dependent (condition: healthy) starts after that; once
#     the listener closes, unhealthy.
. "$(dirname "$0")/lib.sh"

HTTPD="$TOP_SRCDIR/tests/helpers/httpd.py"

# four distinct free loopback ports, held together while picked
read -r PW PB PS PT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
')


# has NAME KEY TEXT: a status field contains TEXT
has() { case "$(field "$1" "$2")" in *"$3"*) return 0 ;; *) return 1 ;; esac; }
# catch NAME KEY TEXT [SECONDS]: polls (one python process, svctl only per
# round, so short-lived values are not missed on a loaded machine) until a
# status field contains TEXT, and prints that value
catch() {
        python3 - "$SVCTL" "$SOCK" "$1" "$2" "$3" "${4:-20}" "${SCALE:-1}" <<'PY' || fail "$1: $2 never contained '$3'"
import json, subprocess, sys, time
svctl, sock, name, key, text = sys.argv[1:6]
deadline = time.monotonic() + float(sys.argv[6] if len(sys.argv) > 6 else 20) * float(sys.argv[7] if len(sys.argv) > 7 else 1)
while time.monotonic() < deadline:
    out = subprocess.run([svctl, "-s", sock, "status", "--json"], capture_output=True, text=True).stdout
    try:
        svc = [s for s in json.loads(out)["services"] if s["name"] == name][0]
    except (ValueError, KeyError, IndexError):
        svc = {}
    v = svc.get(key)
    if v is not None and text in str(v):
        print(v)
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
}
# wait_has NAME KEY TEXT [SECONDS]
wait_has() { catch "$1" "$2" "$3" "${4:-20}" > /dev/null; }
# wait_eq NAME KEY VALUE [SECONDS]
wait_eq() {
        local deadline=$(( $(date +%s) + ${4:-20} * ${SCALE:-1} )) v=
        while :; do
                v=$(field "$1" "$2")
                [ "$v" = "$3" ] && return 0
                [ "$(date +%s)" -gt "$deadline" ] && fail "$1: $2 is '$v', expected '$3'"
                sleep 0.05
        done
}
# wait_pid_change NAME OLDPID [SECONDS]: a new process is running
wait_pid_change() {
        local deadline=$(( $(date +%s) + ${3:-20} * ${SCALE:-1} )) p=
        while :; do
                p=$(field "$1" pid)
                [ -n "$p" ] && [ "$p" != "$2" ] && [ "$(field "$1" state)" = running ] && return 0
                [ "$(date +%s)" -gt "$deadline" ] && fail "$1: no new process (pid '$p', was $2)"
                sleep 0.05
        done
}

# The TCP listener: records when it is about to listen, listens after 1 s,
# and closes its listening socket (staying alive) once $T/out/tcp.close exists.
cat > "$T/listener.py" <<'EOF'
import os, socket, sys, time
port, out, close = int(sys.argv[1]), sys.argv[2], sys.argv[3]
time.sleep(1)
with open(out + ".tmp", "w") as f:
    f.write("%.6f\n" % time.time())
os.rename(out + ".tmp", out)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
s.settimeout(0.05)
while not os.path.exists(close):
    try:
        c, _ = s.accept()
        c.close()
    except socket.timeout:
        pass
s.close()
while True:
    time.sleep(1000)
EOF

echo 200 > "$T/out/web.status"
service web <<EOF
command: [python3, "$HTTPD", "$PW", "$T/out/web.status"]
restart: always
# long enough to see the reason while it waits to restart
backoff: { initial: 3s, max: 3s }
healthcheck:
  http: { url: "http://127.0.0.1:$PW/health" }
  start_interval: 100ms
  interval: 200ms
  timeout: 2s
  retries: 2
EOF
service body <<EOF
command: [python3, "$HTTPD", "$PB"]
restart: "no"
healthcheck:
  http: { url: "http://127.0.0.1:$PB/", status: 200, body_contains: needle-xyz }
  start_interval: 100ms
  interval: 200ms
  timeout: 2s
  start_timeout: 2s
EOF
service slow <<EOF
command: [python3, "$HTTPD", "$PS"]
healthcheck:
  http: { url: "http://127.0.0.1:$PS/slow" }
  start_interval: 100ms
  interval: 200ms
  timeout: 300ms
  retries: 1000
EOF
service tcpl <<EOF
command: [python3, "$T/listener.py", "$PT", "$T/out/tcp.listen", "$T/out/tcp.close"]
healthcheck:
  tcp: 127.0.0.1:$PT
  start_interval: 100ms
  interval: 200ms
  timeout: 2s
  retries: 2
  on_unhealthy: none
EOF
service tcpdep <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/tcpdep.start; exec sleep 1000']
depends_on: { tcpl: { condition: healthy } }
EOF

start_svd

# --- HTTP: healthy on 200
wait_eq web health healthy 30
has web last_probe "HTTP 200" || fail "web last_probe: $(field web last_probe)"
assert_eq "$(field web restarts)" "0" "web restarts before the flip"
pid1=$(field web pid)

# 500: unhealthy after 2 failed probes, restarted through the restart policy
echo 500 > "$T/out/web.status"
reason=$(catch web reason unhealthy 30)
case "$reason" in *"HTTP 500"*) ;; *) fail "web reason: $reason" ;; esac
grep -q 'web: unhealthy: 2 failed probes (last: HTTP 500' "$T/svd.out" || fail "unhealthy restart not logged"
grep -q 'web: health healthy -> unhealthy' "$T/svd.out" || fail "web health transition not logged"
wait_pid_change web "$pid1" 30
[ "$(field web restarts)" -ge 1 ] || fail "web restart not counted: $(field web restarts)"
# still answering 500: not healthy again
assert_eq "$(field web health)" "starting" "web health while still 500"

# back to 200: healthy again, without another restart
pid2=$(field web pid)
echo 200 > "$T/out/web.status"
wait_eq web health healthy 30
assert_eq "$(field web pid)" "$pid2" "web not restarted again"
assert_eq "$(field web state)" "running" "web state"

# --- body_contains mismatch: never healthy, failed at start_timeout
wait_state body failed 30
case "$(field body reason)" in
"not healthy within start_timeout 2s (last probe: body does not contain 'needle-xyz')"*) ;;
*) fail "body reason: $(field body reason)" ;;
esac
grep -q 'body: health starting -> healthy' "$T/svd.out" && fail "body was healthy at some point"

# --- a server that never answers: the probe times out at 300ms
wait_has slow last_probe "timeout" 30
has slow last_probe "timeout after 300ms" || fail "slow last_probe: $(field slow last_probe)"
assert_eq "$(field slow health)" "starting" "slow health"
assert_eq "$(field slow state)" "running" "slow state"

# --- TCP: healthy only once the listener appears; the dependent after that
wait_state tcpdep running 30
assert_eq "$(field tcpl health)" "healthy" "tcpl health"
has tcpl last_probe "connected" || fail "tcpl last_probe: $(field tcpl last_probe)"
listen=$(cat "$T/out/tcp.listen")
assert_le "$listen" "$(logtime 'tcpl: health starting -> healthy')" "tcpl healthy after its listener appeared"
assert_le "$listen" "$(cat "$T/out/tcpdep.start")" "tcpdep started after tcpl's listener appeared"
assert_le "$(logtime 'tcpl: health starting -> healthy')" "$(cat "$T/out/tcpdep.start")" "tcpdep started after tcpl was healthy"

# the listener closes: unhealthy (on_unhealthy: none, so no restart)
tpid=$(field tcpl pid)
touch "$T/out/tcp.close"
wait_eq tcpl health unhealthy 30
has tcpl last_probe "refused" || fail "tcpl last_probe: $(field tcpl last_probe)"
grep -q 'tcpl: health healthy -> unhealthy' "$T/svd.out" || fail "tcpl health transition not logged"
assert_eq "$(field tcpl pid)" "$tpid" "tcpl not restarted"
assert_eq "$(field tcpl state)" "running" "tcpl state"

stop_svd || fail "svd exit status $?"
left=$(pgrep -f "$T/" || true)
[ -z "$left" ] || fail "processes left after shutdown: $left"
echo "tcp_http: ok"
