#!/bin/bash
# A reload that sets logging.max_age (or shortens it) rotates a quiet
# service's file when it is that old, as at start: the age timer follows
# the new settings, not only the next rotation or reopen-logs.
. "$(dirname "$0")/lib.sh"

service q <<YAML
command: ["sh", "-c", "echo one; exec sleep 1000"]
logging: { compress: false }
YAML
start_svd
wait_state q running
wait_for grep -q one "$T/log/q.log"

service q <<YAML
command: ["sh", "-c", "echo one; exec sleep 1000"]
logging: { compress: false, max_age: 2s }
YAML
svctl reload > /dev/null || fail "svctl reload"
wait_state q running
# the file is at least 2 s old within 2 s of the reload: rotated by then
# (wait_for allows several seconds more)
wait_for sh -c "ls '$T/log' | grep -q '^q\\.log\\.2'"
grep -q one "$T"/log/q.log.2* || fail "the rotated file lacks the service's line"
stop_svd || fail "svd exit status"
echo "log_reload_age: ok"
