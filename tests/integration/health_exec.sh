#!/bin/bash
# Exec health checks: a dependent with condition: healthy starts only once the
# probe passes; a service that turns unhealthy is restarted; a hung probe is
# killed at its timeout with nothing left over; start_timeout fails a service
# that never becomes healthy, and its dependents with it; a missed sd_notify
# watchdog restarts the service.
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [/bin/sh, -c, 'sleep 0.5; date +%s.%N > $T/out/up.tmp; mv $T/out/up.tmp $T/out/up; exec sleep 1000']
restart: on-failure
backoff: { initial: 100ms }
healthcheck:
  exec: [/bin/sh, -c, 'echo probing; test -f $T/out/up']
  start_interval: 50ms
  interval: 100ms
  retries: 2
EOF
service client <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/client.start; exec sleep 1000']
depends_on: { web: { condition: healthy } }
EOF
service hang <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [sleep, "1001.4242"]   # (a name no other test runs: counted below)
  timeout: 300ms
  start_interval: 100ms
  interval: 100ms
  retries: 1000
EOF
service never <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: ["false"]
  start_interval: 100ms
  start_period: 10s
  start_timeout: 1s
EOF
service after_never <<EOF
command: [sleep, "1000"]
depends_on: { never: { condition: healthy } }
EOF
service wd <<EOF
type: notify
command: [python3, "$TOP_SRCDIR/tests/helpers/watchdog.py", "$T/out/wd.env", "5"]
watchdog: 400ms
restart: always
backoff: { initial: 100ms }
EOF

start_svd
wait_state client running
assert_eq "$(field web health)" "healthy" "web health"
assert_le "$(cat "$T/out/up")" "$(cat "$T/out/client.start")" "client started after web was healthy"
[ "$(field web probe_output)" = "probing" ] || fail "probe output: '$(field web probe_output)'"
svctl status web > "$T/detail.out"
grep -q '^  last probe: *exit 0' "$T/detail.out" || fail "status NAME lacks the last probe: $(cat "$T/detail.out")"
grep -A1 '^  probe output:' "$T/detail.out" | grep -q '^    probing$' || fail "status NAME lacks the probe output"

# unhealthy -> restarted through the restart policy
pid1=$(field web pid)
rm "$T/out/up"
wait_for sh -c "$SVCTL -s $SOCK status --json | python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin)[\"services\"] if x[\"name\"]==\"web\"][0]; sys.exit(0 if s[\"pid\"] not in (None, $pid1) else 1)'"
grep -q 'web: unhealthy: 2 failed probes' "$T/svd.out" || fail "unhealthy restart not logged"
wait_for sh -c "$SVCTL -s $SOCK status --json | python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin)[\"services\"] if x[\"name\"]==\"web\"][0]; sys.exit(0 if s[\"health\"]==\"healthy\" else 1)'"
[ "$(field web restarts)" -ge 1 ] || fail "restart not counted"
assert_eq "$(field client pid)" "$(field client pid)" "client untouched"

# the hung probe is killed at its timeout; never more than one at a time
wait_for sh -c "$SVCTL -s $SOCK status --json | grep -q 'timed out after 300ms'"
n=$(pgrep -fc '^sleep 1001.4242$' || true)
[ "$n" -le 1 ] || fail "$n hung probes running at once"
assert_eq "$(field hang state)" "running" "hang still running (retries not reached)"

# start_timeout
wait_state never failed
case "$(field never reason)" in
"not healthy within start_timeout 1s (last probe: exited 1)") ;;
*) fail "never reason: $(field never reason)" ;;
esac
wait_state after_never failed
assert_eq "$(field after_never reason)" "dependency never failed" "after_never reason"

# watchdog: WATCHDOG_USEC/PID exported, missed pings restart the service
wait_for sh -c "[ \$(wc -l < $T/out/wd.env) -ge 2 ]"
read -r usec wpid pid < "$T/out/wd.env"
assert_eq "$usec" "400000" "WATCHDOG_USEC"
assert_eq "$wpid" "$pid" "WATCHDOG_PID is the service's pid"
grep -q 'wd: watchdog timeout: no WATCHDOG=1 within 400ms' "$T/svd.out" || fail "watchdog not logged"

stop_svd || fail "svd exit status"
n=$(pgrep -fc '^sleep 1001.4242$' || true)
assert_eq "$n" "0" "probe processes left after shutdown"
echo "health_exec: ok"
