#!/bin/bash
# An exec check running when svd re-executes itself (svctl daemon-reexec) is
# not left behind: the new instance kills its process group (its result is
# lost, not counted), and probing goes on with new checks, each killed at
# its timeout, never two at once. A check leaves no process behind
# (svd.yaml(5), healthcheck.exec), also across a daemon-reexec.
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [/bin/sh, -c, 'echo \$\$ > $T/out/probe.pid.tmp; mv $T/out/probe.pid.tmp $T/out/probe.pid; exec sleep 1000.5151']
  timeout: 30s
  start_interval: 100ms
  retries: 1000
EOF

start_svd
wait_state web running
wait_for test -s "$T/out/probe.pid"
old=$(cat "$T/out/probe.pid")
kill -0 "$old" 2>/dev/null || fail "the check is not running"
rm "$T/out/probe.pid"

svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
# well within the check's 30 s timeout: the old one is gone
wait_for sh -c "! kill -0 $old 2>/dev/null"
# a new check runs, alone
wait_for test -s "$T/out/probe.pid"
new=$(cat "$T/out/probe.pid")
[ "$new" != "$old" ] || fail "no new check"
# (the pid file is written just before the shell becomes the sleep)
running() { pgrep -fc '^sleep 1000.5151$' || true; }
wait_for sh -c "[ \"\$(pgrep -fc '^sleep 1000.5151\$' || true)\" = 1 ]"
sleep 0.3
assert_eq "$(running)" "1" "checks running"
assert_eq "$(field web probe_failures)" "0" "the killed check was not counted"
assert_eq "$(field web state)" "running" "web state"
