#!/bin/bash
# svctl start of a service waiting out its restart delay starts it now, as a
# fresh start (restart count and delay reset, as after svctl restart), and
# says so; a dependent's start only pulls it in: it keeps waiting for its
# delay, and the dependent waits for it.
. "$(dirname "$0")/lib.sh"

service crash <<EOF
command: [/bin/sh, -c, 'echo x >> $T/out/crash.starts; exit 1']
restart: on-failure
backoff: { initial: 60s, max: 120s, factor: 2 }
EOF
service dep <<EOF
command: [/bin/sh, -c, 'echo x >> $T/out/dep.starts; exit 1']
restart: on-failure
backoff: { initial: 60s, max: 120s, factor: 2 }
EOF
service user <<EOF
command: [sleep, "1000"]
enabled: false
depends_on: [dep]
EOF
starts() { wc -l < "$T/out/$1.starts"; }

start_svd
wait_state crash backoff
wait_state dep backoff
assert_eq "$(field crash reason)" "exited 1; restart 1 in 1m" "crash's first backoff"

# the operator's start: now, with the counters reset
out=$(svctl start crash) || fail "svctl start crash: $out"
echo "$out" | grep -qF "restart delay cut short" || fail "svctl start crash says: $out"
wait_for sh -c "[ \$(wc -l < $T/out/crash.starts) -eq 2 ]"
wait_state crash backoff
assert_eq "$(field crash reason)" "exited 1; restart 1 in 1m" "crash's backoff after the start"
assert_eq "$(field crash restarts)" "1" "crash's restart count after the start"
grep -qF "crash: started now, not after its restart delay" "$T/svd.out" || fail "svd's log"

# a dependent's start: dep keeps waiting out its delay
svctl start user > /dev/null || fail "svctl start user"
assert_eq "$(field user state)" "waiting" "user waits for dep"
sleep 0.5
assert_eq "$(starts dep)" "1" "dep's starts after user's start"
assert_eq "$(field dep state)" "backoff" "dep after user's start"
assert_eq "$(field dep reason)" "exited 1; restart 1 in 1m" "dep's reason after user's start"
stop_svd || fail "svd exit status"
echo "start_backoff: ok"
