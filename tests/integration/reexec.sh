#!/bin/bash
# svctl daemon-reexec, 20 times under a log-producing, probe-checked stack:
# no service restarted (PIDs unchanged), no log line lost (numbered lines
# complete, in order), status and counters preserved, a backoff delay and a
# notify service's pending READY=1 carried across; an upgraded binary (the
# file replaced under the running svd) is the one executed; a binary that
# reads another state format is refused and nothing changes. A kill right
# after a re-exec takes over from the state as it was, not an older file.
. "$(dirname "$0")/lib.sh"

# svd runs from a copy, so the test can replace "the package's" binary
mkdir -p "$T/bin"
cp "$SVD" "$T/bin/svd"
cp "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/" # found next to svd
SVD_ORIG=$SVD
SVD=$T/bin/svd
PORT=$(free_port)
cat > "$T/out/web.py" <<EOF
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", $PORT), H).serve_forever()
EOF
service counter <<EOF
command: [sh, -c, "i=0; while :; do echo \"n \$i\"; i=\$((i+1)); sleep 0.002; done"]
EOF
service web <<EOF
command: [python3, $T/out/web.py]
healthcheck: { http: "http://127.0.0.1:$PORT/", interval: 200ms }
EOF
service checked <<EOF
command: [sleep, "100000"]
secrets: { token: { generate: hex, bytes: 16 } }   # its credential files live across re-execs
depends_on: { web: { condition: healthy } }
healthcheck: { exec: [true], interval: 300ms }
EOF
service flaky <<EOF
command: [sh, -c, "exit 7"]
restart: always
backoff: { initial: 2s, max: 2s }
start_limit: { burst: 60, interval: 1m }
EOF
service late <<EOF
type: notify
command: [sh, -c, "while [ ! -e $T/out/go ]; do sleep 0.05; done; exec python3 -c 'import os,socket,time; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.sendto(b\"READY=1\", os.environ[\"NOTIFY_SOCKET\"]); time.sleep(100000)'"]
EOF
start_svd
for n in counter web checked; do wait_state $n running; done
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"checked\") | .health')\" = healthy ]"
wait_state flaky backoff
wait_state late starting
snap() { svctl status --json | jq -c '[.services[] | {name, pid, restarts, state}] | sort_by(.name)'; }
pids() { svctl status --json | jq -c '[.services[] | select(.name != "flaky") | {name, pid}] | sort_by(.name)'; }
before=$(pids)
svd_pid=$SVD_PID
worst=0
for i in $(seq 20); do
        t0=$(now)
        svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec $i: $(cat "$T/out/rx")"
        # the control socket stays open: this waits in its backlog, never fails
        svctl status > /dev/null || fail "status right after re-exec $i"
        ms=$(python3 -c "print(int(1000 * ($(now) - $t0)))")
        [ "$ms" -gt "$worst" ] && worst=$ms
        [ "$i" = 10 ] && touch "$T/out/go" # READY=1 arrives around a re-exec
        sleep 0.1
done
echo "20 re-execs: worst request-to-answer ${worst} ms"
assert_eq "$(grep -c 'daemon-reexec: [0-9]* services taken over' "$T/svd.out")" "20" "re-execs completed"
kill -0 "$svd_pid" || fail "svd's pid changed"
assert_eq "$(pids)" "$before" "PIDs after 20 re-execs"
wait_state late running
for n in counter web checked; do assert_eq "$(field $n restarts)" "0" "$n restarts"; done
assert_eq "$(field checked health)" "healthy" "checked health"
# flaky kept its backoff rhythm: restarts go on from the count it had
r=$(field flaky restarts)
[ "$r" -ge 2 ] || fail "flaky restarts: $r"

# one svd-fdstore, the first one, kept across every re-exec
assert_eq "$(pgrep -f -c "svd-fdstore $T/")" "1" "svd-fdstore processes after 20 re-execs"
[ -f "$T/run/credentials/checked/token" ] || fail "checked's credential file is gone"

# numbered lines complete and in order
sleep 0.3
python3 - "$T/log/counter.log" <<'PY' || fail "lines lost or reordered"
import re, sys
nums = [int(m.group(1)) for m in re.finditer(rb" out n (\d+)$", open(sys.argv[1], "rb").read(), re.M)]
gaps = [(a, b) for a, b in zip(nums, nums[1:]) if b != a + 1]
print("counter: %d lines, %d gaps" % (len(nums), len(gaps)))
sys.exit(1 if gaps or nums[0] != 0 else 0)
PY

# an upgrade: the binary file is replaced while svd runs from it
rm "$T/bin/svd"
cp "$SVD_ORIG" "$T/bin/svd"
ls -l "/proc/$SVD_PID/exe" | grep -q '(deleted)' || fail "the running binary is not seen as replaced"
svctl daemon-reexec > "$T/out/up" 2>&1 || { ls -l "$T/bin" "/proc/$SVD_PID/exe"; "$T/bin/svd" --state-format; fail "daemon-reexec after an upgrade: $(cat "$T/out/up")"; }
wait_for sh -c "ls -l /proc/$SVD_PID/exe | grep -qv deleted"
assert_eq "$(pids)" "$(pids)" "status answers"
assert_eq "$(pids | jq -c 'map(select(.name != "late"))')" "$(echo "$before" | jq -c 'map(select(.name != "late"))')" "PIDs after the upgrade"

# a binary that reads another state format is refused; nothing changes
cp "$T/bin/svd" "$T/bin/svd.real"
rm "$T/bin/svd" # the running file is unlinked, as a package upgrade does
printf '#!/bin/sh\n[ "$1" = --state-format ] && echo "svd-state 99" && exit 0\nexec %s "$@"\n' "$T/bin/svd.real" > "$T/bin/svd"
chmod +x "$T/bin/svd"
if svctl daemon-reexec > "$T/out/rx" 2>&1; then fail "an incompatible binary was executed"; fi
grep -q "svd-state 99" "$T/out/rx" || fail "refusal does not name the format: $(cat "$T/out/rx")"
assert_eq "$(pids | jq -c 'map(select(.name != "late"))')" "$(echo "$before" | jq -c 'map(select(.name != "late"))')" "PIDs after a refused re-exec"
# a change just before a re-exec, then a kill: the old instance's state
# write, still waiting for its timer, died with the exec; the new one writes
# the file itself, so the svd started after the kill takes over from the
# state as it is (counter stopped) instead of an older one (counter running,
# "ended while svd was down", restarted)
cp "$T/bin/svd.real" "$T/bin/svd"
n_rx=$(grep -c 'daemon-reexec: [0-9]* services taken over' "$T/svd.out")
svctl stop counter > /dev/null
svctl daemon-reexec > /dev/null || fail "daemon-reexec after a stop"
wait_for sh -c "[ \$(grep -c 'daemon-reexec: [0-9]* services taken over' '$T/svd.out') -gt $n_rx ]"
# (the stop's exit may be collected just after the new instance says so)
wait_state counter stopped
sleep 0.3
crash_restart_svd
wait_state web running
assert_eq "$(field counter state)" stopped "counter after a kill that followed the re-exec"
! grep -q 'counter: pid .* ended while svd was down' "$T/svd.out" || fail "taken over from an older state file"
store=$(pgrep -f "svd-fdstore $T/")
stop_svd || fail "svd exit status"
# the last instance cleans up what the first one set up
wait_for sh -c "! kill -0 $store 2>/dev/null || grep -q '^State:.Z' /proc/$store/status"
if [ "$(id -u)" = 0 ] && mountpoint -q "$T/run/credentials"; then fail "credentials tmpfs left mounted"; fi
echo "reexec: ok"
