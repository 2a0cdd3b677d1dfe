#!/bin/bash
# svctl events' history survives a daemon-reexec: the state and health
# changes from before it are still listed after it, in order, with their
# times and reasons, and new ones follow them.
. "$(dirname "$0")/lib.sh"

service web <<EOF2
command: [sleep, "100000"]
EOF2
service hc <<EOF2
command: [sleep, "100000"]
healthcheck:
  exec: [test, -f, $T/up]
  start_interval: 50ms
  interval: 100ms
  retries: 1
EOF2
touch "$T/up"
start_svd
wait_state web running
wait_field hc health healthy
svctl stop web > /dev/null
wait_state web stopped
svctl start web > /dev/null
wait_state web running

svctl events --json > "$T/before" || fail "events before the re-exec"
grep -q '"kind":"health"' "$T/before" || fail "no health event before the re-exec: $(cat "$T/before")"
grep -q '"to":"stopped"' "$T/before" || fail "no stop event before the re-exec: $(cat "$T/before")"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
svctl status web > /dev/null || fail "svd does not answer after the re-exec"
svctl stop web > /dev/null
wait_state web stopped
svctl events --json > "$T/after" || fail "events after the re-exec"

python3 - "$T/before" "$T/after" <<'PY' || fail "history across the re-exec"
import json, sys
before = [json.loads(l) for l in open(sys.argv[1])]
after = [json.loads(l) for l in open(sys.argv[2])]
assert after[:len(before)] == before, "before:\n%s\nafter:\n%s" % (before, after)
new = after[len(before):]
assert any(e["service"] == "web" and e["to"] == "stopped" for e in new), "no new stop after: %s" % new
PY
grep -q "not understood" "$T/svd.out" && fail "a warning about the history: $(grep "not understood" "$T/svd.out")"
stop_svd || fail "svd exit status"
echo "events_reexec: ok"
