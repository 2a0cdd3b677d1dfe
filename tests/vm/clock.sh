#!/bin/bash
# Scheduled jobs across steps of the wall clock. It sets the system clock, so
# it runs only in a throwaway VM (`make check-vm`).
#
# The jobs are ev_periodics at absolute wall-clock times. A step back (an RTC
# that was ahead, corrected by NTP; an operator's date -s) left them at the
# old instant: an `every: 4s` job waited a day for its next run after a step
# back of a day. A step forward over a due time ran an interval job at once
# (on a box without RTC, every job at the NTP sync after boot). An interval
# is elapsed time, both ways; a cron expression follows the wall clock: the
# next match after the new time after a step back, one run for a match a step
# forward passed.
#
# Then a box whose clock is behind at boot (no RTC): a persistent job's last
# run is "in the future"; its schedule counts from now until NTP steps the
# clock forward past that run, then from the run again: a run missed while
# the box was off is made at once, one not yet due waits for its time.
. "$(dirname "$0")/../integration/lib.sh"
[ "${VMRUN:-}" = 1 ] || { echo "sets the system clock: only in a throwaway VM (make check-vm)"; exit 77; }

service tick <<EOF
type: oneshot
restart: "no"
schedule: { every: 4s }
command: [/bin/sh, -c, 'cut -d" " -f1 /proc/uptime >> $T/out/tick']
EOF
service hourly <<EOF
type: oneshot
restart: "no"
schedule: { every: 1h }
command: [/bin/sh, -c, 'echo ran >> $T/out/hourly']
EOF
service minute <<EOF
type: oneshot
restart: "no"
schedule: { cron: "* * * * *" }
command: [/bin/true]
EOF

# has_lines FILE N: FILE has at least N lines
has_lines() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }
# due_within NAME SECONDS: NAME's next run is at most SECONDS from now
due_within() {
        local n
        n=$(field "$1" next_run)
        [ -n "$n" ] && [ "${n%.*}" -le $(( $(date +%s) + $2 )) ]
}
# due_after NAME SECONDS: NAME's next run is more than SECONDS from now
due_after() {
        local n
        n=$(field "$1" next_run)
        [ -n "$n" ] && [ "${n%.*}" -gt $(( $(date +%s) + $2 )) ]
}
# step SECONDS: moves the wall clock (negative: back)
step() {
        echo "clock: step $1 s (uptime $(cut -d' ' -f1 /proc/uptime))"
        date -s "@$(( $(date +%s) + $1 ))" >/dev/null || fail "cannot set the clock"
}

start_svd
wait_for has_lines "$T/out/tick" 1
wait_for due_within tick 5
wait_for due_within minute 61

# a day back: the next runs stay where the schedules put them
step -86400
wait_for due_within tick 5
wait_for due_within minute 61
wait_for due_within hourly 3600
grep -q "tick: the clock was set back: next run" "$T/svd.out" || fail "the step back is not logged"
runs=$(wc -l < "$T/out/tick")
wait_for has_lines "$T/out/tick" $(( runs + 2 ))
# the interval is still 4 s of elapsed time (uptime counts it)
# (awk: a python3 start takes seconds in the VM)
gap=$(tail -n 2 "$T/out/tick" | awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }')
awk -v g="$gap" -v max=$(( 5 * SCALE )) 'BEGIN { exit !(g >= 3 && g <= max) }' ||
        fail "interval after the step back: $gap s"

# two hours forward, past hourly's due time: an interval is elapsed time, it
# does not run; the cron job runs once for the minutes it skipped; tick goes on
runs=$(wc -l < "$T/out/tick")
step 7200
wait_for has_lines "$T/out/tick" $(( runs + 2 ))
wait_for due_within tick 5
wait_for due_within minute 61
wait_for due_after hourly 3000
[ -e "$T/out/hourly" ] && fail "hourly ran when the clock was set forward"
gap=$(tail -n 2 "$T/out/tick" | awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }')
awk -v g="$gap" -v max=$(( 5 * SCALE )) 'BEGIN { exit !(g >= 3 && g <= max) }' ||
        fail "interval after the step forward: $gap s"
stop_svd || fail "svd exit status"

# a box whose clock is behind at boot, NTP steps it forward
rm -f "$T"/services/*.yaml
for n in missed soon; do
        service "$n" <<EOF
type: oneshot
restart: "no"
schedule: { every: 1h, persistent: true }
command: [/bin/sh, -c, 'echo ran >> $T/out/$n']
EOF
done
right=$(date +%s)
mkdir -p "$T/state/timers"
printf '%s\nsuccess\n1000\n' $(( right - 7200 )) > "$T/state/timers/missed" # due an hour ago
printf '%s\nsuccess\n1000\n' $(( right - 600 )) > "$T/state/timers/soon"    # due in 50 min
step -86400
start_svd
grep -q "missed: the last run (.*) is later than now: the schedule counts from now" "$T/svd.out" ||
        fail "no word about the last run from the future"
[ -e "$T/out/missed" ] && fail "missed ran before the clock was right"
step 86400
wait_for has_lines "$T/out/missed" 1
wait_state missed exited
wait_for due_after soon 2700
[ -e "$T/out/soon" ] && fail "soon ran before its time"
due_within soon 3000 || fail "soon: next run $(field soon next_run), expected in about 50 min"
echo "clock: stopping (uptime $(cut -d' ' -f1 /proc/uptime))"
stop_svd || fail "svd exit status"
echo "clock: ok"
