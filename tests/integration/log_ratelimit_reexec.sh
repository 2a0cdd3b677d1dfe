#!/bin/bash
# daemon-reexec in the middle of a rate-limit window: the lines the window
# dropped so far are recorded ("svd rate limit: dropped N lines"), not lost
# without a trace with the window (which is not handed over).
. "$(dirname "$0")/lib.sh"

service r <<YAML
command: ["sh", "-c", "printf 'line 1\\\\nline 2\\\\nline 3\\\\nline 4\\\\nline 5\\\\n'; exec sleep 1000"]
logging: { rate_limit: { burst: 1, interval: 1h } }
YAML
start_svd
wait_state r running
# one write: the read that got line 1 got (and dropped) the other four
wait_for grep -q ' out line 1$' "$T/log/r.log"
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q "services taken over" "$T/svd.out"
wait_for grep -q " svd rate limit: dropped 4 lines" "$T/log/r.log"
# the interval as the configuration gives durations, not "3.6e+03s"
grep -q " svd rate limit: dropped 4 lines (limit 1 per 1h)$" "$T/log/r.log" || fail "note: $(grep " svd " "$T/log/r.log")"
assert_eq "$(grep -c ' out line' "$T/log/r.log")" 1 "lines kept"
stop_svd || fail "svd exit status"
echo "log_ratelimit_reexec: ok"
