#!/bin/bash
# logging.max_age counts a file's age from its first record: a file that
# stayed empty for longer than max_age is not rotated right after the line
# that ends its silence (a rotated file of one line), but max_age after it.
. "$(dirname "$0")/lib.sh"

# quiet for 5.5 s (the empty file's age timer fires at 3 s and looks again
# at 6 s), then one line
service q <<YAML
command: ["sh", "-c", "sleep 5.5; echo late; exec sleep 1000"]
logging: { compress: false, max_age: 3s }
YAML
start_svd
wait_state q running
wait_for grep -q late "$T/log/q.log"
sleep 1.8
rotated() { ls "$T/log" | grep -q '^q\.log\.2'; }
! rotated || fail "q.log rotated within 1.8 s of its first line: $(ls "$T/log")"
# max_age still applies, counted from the line
wait_for rotated
grep -q late "$T"/log/q.log.2* || fail "the rotated file lacks the service's line"
stop_svd || fail "svd exit status"
echo "log_age_first: ok"
