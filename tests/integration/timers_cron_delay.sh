#!/bin/bash
# schedule.random_delay against a cron: schedule, whose runs need not be
# evenly apart: longer than every gap between its runs is an error, longer
# than the shortest only a warning (the config loads); each names file,
# line, column and key. A delay within every gap is accepted without a
# word. random_delay used to be checked against every: only.
. "$(dirname "$0")/lib.sh"

check() { rc=0; "$SVD" --check -c "$T/etc/svd.yaml" > "$T/out/check" 2> "$T/out/err" || rc=$?; }

service quarter <<EOF
type: oneshot
command: [true]
schedule:
  cron: "*/15 * * * *"
  random_delay: 20m
EOF
check
[ "$rc" != 0 ] || fail "--check accepted random_delay 20m for a run every 15 minutes"
grep -q "quarter.yaml:5:17: schedule.random_delay: 20m exceeds the time between any two runs of cron '\*/15 \* \* \* \*' (at most 15m)" \
        "$T/out/err" || fail "no error naming the key: $(cat "$T/out/err")"

# working hours: 1h apart by day, 16h overnight: a warning, and it loads
service quarter <<EOF
type: oneshot
command: [true]
schedule:
  cron: "0 9-17 * * *"
  random_delay: 2h
EOF
check
[ "$rc" = 0 ] || fail "--check refused a delay within the longest gap: $(cat "$T/out/err")"
grep -q "quarter.yaml:5:17: warning: schedule.random_delay: 2h exceeds the shortest time between runs of cron '0 9-17 \* \* \*' (1h)" \
        "$T/out/err" || fail "no warning: $(cat "$T/out/err")"

# weekdays at 03:00: a day apart, or the weekend: 1d is as much as a day
service quarter <<EOF
type: oneshot
command: [true]
schedule: { cron: "0 3 * * 1-5", random_delay: 1d }
EOF
check
[ "$rc" = 0 ] || fail "--check refused 1d for daily runs: $(cat "$T/out/err")"
grep -q "random_delay" "$T/out/err" && fail "a warning for a delay within every gap: $(cat "$T/out/err")"

# the warning is in svd's log at start too, and the job is scheduled
service quarter <<EOF
type: oneshot
command: [true]
schedule: { cron: "0,10 * * * *", random_delay: 15m }
EOF
start_svd
grep -q "quarter.yaml:3:49: warning: schedule.random_delay: 15m exceeds the shortest time" "$T/svd.out" ||
        fail "no warning in svd's log"
[ -n "$(field quarter next_run)" ] || fail "the job is not scheduled"
stop_svd || fail "svd exit status"
echo "timers_cron_delay: ok"
