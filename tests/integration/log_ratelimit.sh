#!/bin/bash
# logging.rate_limit: lines beyond the burst are dropped and one line records
# how many, when the window ends.
. "$(dirname "$0")/lib.sh"

service burst <<EOF
command: ["sh", "-c", "for i in \$(seq 1 100); do echo line \$i; done; sleep 100"]
logging: { rate_limit: { burst: 10, interval: 1s } }
EOF
start_svd
wait_for grep -q "rate limit: dropped" "$T/log/burst.log"
assert_eq "$(grep -c ' out line ' "$T/log/burst.log")" "10" "lines kept"
grep -q ' out line 10$' "$T/log/burst.log" || fail "the first 10 lines are the ones kept"
grep -q ' svd rate limit: dropped 90 lines' "$T/log/burst.log" || fail "drop count: $(grep svd "$T/log/burst.log")"
stop_svd || fail "svd exit status"
echo "log_ratelimit: ok"
