#!/bin/bash
# The switch to a new configuration runs once per reload, however busy the
# loop iteration it falls in. It is a zero-delay timer armed when the last
# service the reload replaces is down; libev runs the callbacks of one
# iteration newest first, so a callback queued after it (here: the backoff
# timers of services restarting with no delay) ran its scheduling pass first,
# found the plan still there and the timer no longer active (expired, its
# callback pending) and armed it again: the second switch found no plan and
# svd (PID 1) died on a NULL pointer. Every reload must be applied once and
# svd must stay up.
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4 5 6; do
        service "flap$i" <<'EOF'
command: [/bin/false]
restart: always
backoff: { initial: 0s, max: 0s }
start_limit: { burst: 0 }
EOF
done
service keep <<'EOF'
command: [sleep, "1000"]
EOF

start_svd
wait_state keep running
# done_count N: the log has at least N finished reloads
done_count() { [ "$(grep -c 'reload: done' "$T/svd.out")" -ge "$1" ]; }
n=30
for i in $(seq "$n"); do
        echo "# edit $i" >> "$T/services/keep.yaml" # a change: keep stops, then the switch
        out=$(svctl reload 2>&1) || fail "reload $i refused: $out"
        wait_for done_count "$i"
        kill -0 "$SVD_PID" 2>/dev/null || fail "svd died at reload $i"
done
assert_eq "$(grep -c 'reload: done' "$T/svd.out")" "$n" "switches made"
wait_state keep running
kill -0 "$SVD_PID" 2>/dev/null || fail "svd died"
stop_svd || fail "svd exit status"
echo "reload_race: ok"
