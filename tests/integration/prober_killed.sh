#!/bin/bash
# svd-probe killed (SIGKILL) with checks in flight: those checks end as
# "prober restarted", not counted (a service with retries: 1 does not turn
# unhealthy for it), svd starts a new svd-probe, and checks pass through it.
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
SLOW=$(free_port)
# a server that accepts and never answers: slow's check is in flight 10 s
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
open(sys.argv[2], "w").write("up")
held = []
while True:
    held.append(s.accept()[0])
' "$SLOW" "$T/out/slow.up" 2> "$T/slow.err" &
SLOW_PID=$!
trap 'kill $SLOW_PID 2>/dev/null || true; cleanup' EXIT
wait_for test -s "$T/out/slow.up"

service web <<EOF
command: [python3, -m, http.server, --bind, 127.0.0.1, "$PORT"]
healthcheck:
  http: "http://127.0.0.1:$PORT/"
  start_interval: 100ms
  interval: 100ms
  retries: 1
EOF
service hang <<EOF
command: [sleep, "1000"]
healthcheck:
  http: "http://127.0.0.1:$SLOW/"
  timeout: 10s
  start_interval: 100ms
  interval: 100ms
  retries: 1
  start_period: 1s
EOF

start_svd
wait_field web health healthy 10
live_prober() { for p in $(pgrep -P "$SVD_PID" -x svd-probe); do grep -q '^State:.*Z' /proc/$p/status || echo $p; done; }
old=$(live_prober)
[ -n "$old" ] || fail "no svd-probe under svd ($SVD_PID)"
sleep 1.5 # past hang's start_period: a counted failure would make it unhealthy
kill -KILL "$old"
wait_for grep -q "svd-probe (pid $old) .*checks in flight are not counted" "$T/svd.out"
# (a check of hang's that comes due before the new svd-probe is up ends
# "prober unavailable", also not counted, and may replace that result
# before a poll sees it: under load this happened)
hang_cut() { case "$(field hang last_probe)" in "prober restarted" | "prober unavailable") return 0 ;; esac; return 1; }
wait_for hang_cut
new_prober() { p=$(live_prober); [ -n "$p" ] && [ "$p" != "$old" ]; }
wait_for new_prober
killed=$(date +%s.%N)
probe_after() {
        [[ "$(field web last_probe)" == "HTTP 200 in "* ]] &&
                python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
                        "$killed" "$(field web last_probe_at)"
}
wait_for probe_after
assert_eq "$(field web health)" healthy "web's health"
assert_eq "$(field hang health)" starting "hang's health (its check was never failed, only cut short)"
grep -Eq "(web|hang): health [a-z]+ -> unhealthy" "$T/svd.out" && fail "a killed svd-probe was blamed on a service"
exit 0
