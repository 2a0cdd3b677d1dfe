#!/bin/bash
# The lines a rate-limit window dropped are noted in the file when the
# window cannot end by its timer: when a reload changes the service's
# rate_limit live (the note gives the old limit; the new one starts a fresh
# window), when a reload removes the service, and when svd stops. Before,
# the count went with the window, the lines lost without a trace.
. "$(dirname "$0")/lib.sh"

lines() { printf "command: [\"sh\", \"-c\", \"for i in 1 2 3 4 5; do echo line \$i; done; exec sleep 1000\"]\n"; }
{ lines; echo "logging: { rate_limit: { burst: 1, interval: 1h } }"; } > "$T/out/r.yaml"
service r < "$T/out/r.yaml"
service g < "$T/out/r.yaml"
service s < "$T/out/r.yaml"
start_svd
for n in r g s; do
        wait_state $n running
        wait_for grep -q ' out line 1$' "$T/log/$n.log"
done
# each kept line 1 and dropped lines 2 to 5

# r: another limit, applied live: the old window's count goes out now
sed -i 's/burst: 1,/burst: 2,/' "$T/services/r.yaml"
# g: removed
rm "$T/services/g.yaml"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 1 removed" "$T/svd.out"
wait_for grep -q ' svd rate limit: dropped 4 lines (limit 1 per 1h)$' "$T/log/r.log"
wait_for grep -q ' svd rate limit: dropped 4 lines (limit 1 per 1h)$' "$T/log/g.log"
grep -q ' svd rate limit' "$T/log/s.log" && fail "s's window noted before it ended: $(cat "$T/log/s.log")"
# s: svd stops
stop_svd || fail "svd exit status"
grep -q ' svd rate limit: dropped 4 lines (limit 1 per 1h)$' "$T/log/s.log" || fail "s: $(cat "$T/log/s.log")"
for n in r g s; do
        assert_eq "$(grep -c ' out line' "$T/log/$n.log")" 1 "$n's lines kept"
        assert_eq "$(grep -c ' svd rate limit' "$T/log/$n.log")" 1 "$n's notes"
done
echo "log_ratelimit_close: ok"
