#!/bin/bash
# Spawn failures are a state with the stage and errno, not a crash loop.
. "$(dirname "$0")/lib.sh"

service missing <<EOF
command: [/nonexistent/bin/daemon, --flag]
restart: always
EOF
service nocwd <<EOF
command: [sleep, "1000"]
working_dir: $T/does-not-exist
EOF
service dependent <<EOF
command: [sleep, "1000"]
depends_on: [missing]
EOF

start_svd
wait_state missing failed
assert_eq "$(field missing reason)" "exec: /nonexistent/bin/daemon: No such file or directory" "missing reason"
assert_eq "$(field missing restarts)" "0" "no crash loop"
wait_state nocwd failed
assert_eq "$(field nocwd reason)" "chdir: $T/does-not-exist: No such file or directory" "nocwd reason"
wait_state dependent failed
assert_eq "$(field dependent reason)" "dependency missing failed" "dependent reason"
# the table shows the reason too
svctl status missing | grep -q 'exec: /nonexistent/bin/daemon: No such file or directory' || fail "table lacks reason: $(svctl status missing)"
svctl status >/dev/null || fail "svd not answering"
stop_svd || fail "svd exit status"
echo "spawnfail: ok"
