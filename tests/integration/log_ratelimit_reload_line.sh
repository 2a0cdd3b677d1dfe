#!/bin/bash
# A line the rate limit dropped at its first piece stays dropped whole when
# a reload removes rate_limit before the line's rest arrives: the rest is
# not written without its head. The lines after it go in. q: the same
# without timestamps (whole lines go in without being looked at one by one).
. "$(dirname "$0")/lib.sh"

svc() {
        service $1 <<YAML
command: ["sh", "-c", "printf 'line 1\\\\n%0300d' 0; while [ ! -e $T/out/go ]; do sleep 0.02; done; printf 'rest\\\\nline 2\\\\n'; exec sleep 1000"]
logging: { max_line: 100$2 }
YAML
}
svc p ", rate_limit: { burst: 1, interval: 1h }"
svc q ", timestamps: false, rate_limit: { burst: 1, interval: 1h }"
start_svd
wait_state p running
wait_state q running
wait_for grep -q ' out line 1$' "$T/log/p.log"
wait_for grep -qx 'line 1' "$T/log/q.log"
pid1=$(field p pid)
svc p ""
svc q ", timestamps: false"
svctl reload > /dev/null || fail "svctl reload"
wait_for grep -q "reload: done" "$T/svd.out"
# the window's count, noted by the reload (line 1 and the next line's 300
# bytes are one write, read at once)
wait_for grep -q ' svd rate limit: dropped 1 lines (limit 1 per 1h)$' "$T/log/p.log"
wait_for grep -q 'rate limit: dropped 1 lines (limit 1 per 1h)$' "$T/log/q.log"
# q's last piece flushed as partial after a second of quiet, its buffers
# given back: the rest comes to an empty buffer, as whole lines
wait_field q log_buffer_bytes 0 20
touch "$T/out/go"
wait_for grep -q ' out line 2$' "$T/log/p.log"
grep -q 'rest' "$T/log/p.log" && fail "the rest of a dropped line went in: $(cat "$T/log/p.log")"
grep -q '0000000000' "$T/log/p.log" && fail "a piece of a dropped line went in: $(cat "$T/log/p.log")"
wait_for grep -qx 'line 2' "$T/log/q.log"
grep -q 'rest\|0000000000' "$T/log/q.log" && fail "q: a dropped line's rest or piece went in: $(cat "$T/log/q.log")"
assert_eq "$(field p pid)" "$pid1" "p's pid (applied live)"
stop_svd || fail "svd exit status"
echo "log_ratelimit_reload_line: ok"
