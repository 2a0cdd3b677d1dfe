#!/bin/bash
# daemon-reexec with the service's rate_limit changed on disk (logging
# applies at the re-exec): the window under way ends then, its count noted
# under the limit it was counted for, as a reload's change does; the new
# limit starts a window of its own with the next line.
. "$(dirname "$0")/lib.sh"

svc() {
        service r <<YAML
command: ["sh", "-c", "printf 'line 1\\\\nline 2\\\\nline 3\\\\nline 4\\\\nline 5\\\\n'; while :; do if [ -e $T/out/go ]; then printf 'line 6\\\\nline 7\\\\nline 8\\\\n'; rm -f $T/out/go; fi; sleep 0.02; done"]
logging: { rate_limit: { burst: $1, interval: 1h } }
YAML
}
svc 1
start_svd
wait_state r running
wait_for grep -q ' out line 1$' "$T/log/r.log"
svc 2
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q "services taken over" "$T/svd.out"
wait_for grep -q ' svd rate limit: dropped 4 lines (limit 1 per 1h)$' "$T/log/r.log"
# the new limit's window: two of the next three lines
touch "$T/out/go"
wait_for grep -q ' out line 7$' "$T/log/r.log"
stop_svd || fail "svd exit status"
assert_eq "$(grep ' out line' "$T/log/r.log" | sed 's/.* out //' | tr '\n' ' ')" "line 1 line 6 line 7 " "lines kept"
grep -q ' svd rate limit: dropped 1 lines (limit 2 per 1h)$' "$T/log/r.log" || fail "notes: $(grep " svd " "$T/log/r.log")"
echo "log_ratelimit_reexec_changed: ok"
