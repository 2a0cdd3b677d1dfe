#!/bin/bash
# daemon-reexec in the middle of a rate-limit window: the window goes on in
# the next svd, its budget spent and its count kept (a service over its
# limit gets no fresh budget from a re-exec), noted once, when it ends: by
# its timer, or as the log closes. A line whose first piece was dropped
# stays dropped whole.
. "$(dirname "$0")/lib.sh"

service r <<YAML
command: ["sh", "-c", "printf 'line 1\\\\nline 2\\\\nline 3\\\\nline 4\\\\nline 5\\\\n'; while :; do if [ -e $T/out/go ]; then echo 'line 6'; rm -f $T/out/go; fi; sleep 0.02; done"]
logging: { rate_limit: { burst: 1, interval: 1h } }
YAML
# t: a window that ends (its timer, re-armed by the next svd)
service t <<YAML
command: ["sh", "-c", "printf 'line 1\\\\nline 2\\\\nline 3\\\\n'; exec sleep 1000"]
logging: { rate_limit: { burst: 1, interval: 4s } }
YAML
# p: a line cut into pieces whose first was dropped: its rest, read by the
# next svd, is not a line of its own
service p <<YAML
command: ["sh", "-c", "printf 'line 1\\\\n'; head -c 300 /dev/zero | tr '\\\\\\\\0' x; while [ ! -e $T/out/go2 ]; do sleep 0.02; done; printf 'rest\\\\nline 2\\\\n'; exec sleep 1000"]
logging: { rate_limit: { burst: 1, interval: 1h }, max_line: 100 }
YAML
start_svd
wait_state r running
wait_state t running
wait_state p running
wait_for grep -q ' out line 1$' "$T/log/r.log"
wait_for grep -q ' out line 1$' "$T/log/t.log"
wait_for grep -q ' out line 1$' "$T/log/p.log"
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q "services taken over" "$T/svd.out"
grep -q ' svd rate limit' "$T/log/r.log" && fail "r's window ended at the re-exec: $(grep " svd " "$T/log/r.log")"
# line 6, after the re-exec: the window's budget is still spent
touch "$T/out/go" "$T/out/go2"
wait_for sh -c "[ ! -e '$T/out/go' ]"
wait_for grep -q ' svd rate limit: dropped 2 lines (limit 1 per 4s)$' "$T/log/t.log"
stop_svd || fail "svd exit status"
grep -q " svd rate limit: dropped 5 lines (limit 1 per 1h)$" "$T/log/r.log" || fail "note: $(grep " svd " "$T/log/r.log")"
assert_eq "$(grep -c ' out line' "$T/log/r.log")" 1 "r's lines kept"
assert_eq "$(grep -c ' svd rate limit' "$T/log/r.log")" 1 "r's notes"
assert_eq "$(grep -c ' svd rate limit' "$T/log/t.log")" 1 "t's notes"
grep -q 'rest' "$T/log/p.log" && fail "the rest of a dropped line went in: $(cat "$T/log/p.log")"
grep -q " svd rate limit: dropped 2 lines (limit 1 per 1h)$" "$T/log/p.log" || fail "p: $(cat "$T/log/p.log")"
echo "log_ratelimit_reexec: ok"
