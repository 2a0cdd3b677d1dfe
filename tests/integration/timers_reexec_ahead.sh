#!/bin/bash
# A persistent job whose last run is later than the clock at boot counts
# from now until the clock gets there, then from that last run again
# (svd.yaml(5), schedule.persistent). That "until" was not handed over by
# a daemon-reexec: the new instance kept counting from its boot for good,
# so the run made after the clock got there came as if the last run had
# never been made (here 7 s early; on a box without RTC, the catch-up of a
# missed run at NTP's step waited out a whole interval instead).
# A step of the clock is tests/vm/clock.sh; here the clock gets there by
# itself: the job's first run is due at boot + 10 s, by then the clock is
# past the last run (boot + 7 s), so the run moves to last run + 10 s.
. "$(dirname "$0")/lib.sh"

service job <<EOF
type: oneshot
restart: "no"
schedule: { every: 10s, persistent: true }
command: [/bin/sh, -c, 'date +%s.%N >> $T/out/job']
EOF
stamp=$(( $(date +%s) + 7 ))
mkdir -p "$T/state/timers"
printf '%s.000000\nsuccess\n1000\n' "$stamp" > "$T/state/timers/job"
start_svd
grep -q "job: the last run (.*) is later than now: the schedule counts from now" "$T/svd.out" ||
        fail "no word about the last run from the future"
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q "daemon-reexec" "$T/svd.out"
# the first run: at stamp + 10 s (boot + 17 s); 30 s at most
for _ in $(seq 600); do [ -s "$T/out/job" ] && break; sleep 0.05; done
[ -s "$T/out/job" ] || fail "the job did not run"
first=$(head -n 1 "$T/out/job")
assert_le "$(( stamp + 9 ))" "$first" "first run after the daemon-reexec (last run $stamp, every 10 s)"
grep -q "job: the clock reached the last run: the schedule counts from it again" "$T/svd.out" ||
        fail "the clock reaching the last run was not seen"
stop_svd || fail "svd exit status"
echo "timers_reexec_ahead: ok"
