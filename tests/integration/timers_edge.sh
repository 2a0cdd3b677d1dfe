#!/bin/bash
# Scheduled jobs at the edges of time:
#  - the longest interval and random delay the config allows (366d, 1d,
#    a delay at most the interval;
#    longer ones are refused, config_ranges.sh; a sum with the current time
#    once wrapped into the past and PID 1 ran the job in a tight loop) are
#    not due before their time;
#  - a persistent job whose last run is later than now (it ran while the
#    clock was ahead, an RTC corrected back by NTP since) counts from now
#    (until the clock gets there): counting from that last run held it back
#    for as long as the clock had been ahead (here a year);
#  - a reload that changes a job while a run of it is under way stops that
#    run (as it stops any changed service) and makes it again with the new
#    definition: the run used to be dropped until the next due time (a
#    nightly backup killed by an unrelated edit and not made), while the log
#    said "restarting". A job at rest is not run by a reload.
# A step of the clock while svd runs is tests/vm/clock.sh (it sets the clock).
. "$(dirname "$0")/lib.sh"

service huge <<EOF
type: oneshot
restart: "no"
schedule: { every: 366d }
command: [/bin/sh, -c, 'echo ran >> $T/out/huge']
EOF
service hugedelay <<EOF
type: oneshot
restart: "no"
schedule: { every: 1d, random_delay: 1d }
command: [/bin/sh, -c, 'echo ran >> $T/out/hugedelay']
EOF
service ahead <<EOF
type: oneshot
restart: "no"
schedule: { every: 2s, persistent: true }
command: [/bin/sh, -c, 'echo ran >> $T/out/ahead']
EOF
service aheadcron <<EOF
type: oneshot
restart: "no"
schedule: { cron: "* * * * *", persistent: true }
command: [/bin/sh, -c, 'echo ran >> $T/out/aheadcron']
EOF
service long <<EOF
type: oneshot
restart: "no"
schedule: { every: 1h }
command: [/bin/sh, -c, 'echo "start v1" >> $T/out/long; sleep 2; echo "end v1" >> $T/out/long']
EOF
service rest <<EOF
type: oneshot
restart: "no"
schedule: { every: 1h }
command: [/bin/sh, -c, 'echo ran >> $T/out/rest']
EOF
mkdir -p "$T/state/timers"
year_ahead=$(( $(date +%s) + 365 * 86400 ))
printf '%s\nsuccess\n1000\n' "$year_ahead" > "$T/state/timers/ahead"
printf '%s\nsuccess\n1000\n' "$year_ahead" > "$T/state/timers/aheadcron"

# has_lines FILE N: FILE has at least N lines
has_lines() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }

start_svd
# the last run from the future: next run counted from now
assert_le "$(field ahead next_run)" "$(( $(date +%s) + 3 ))" "ahead: next run"
assert_le "$(field aheadcron next_run)" "$(( $(date +%s) + 61 ))" "aheadcron: next run"
grep -q "ahead: the last run (.*) is later than now: the schedule counts from now" "$T/svd.out" ||
        fail "no word about the last run from the future"
wait_for has_lines "$T/out/ahead" 1

# the longest interval: due in a year, not now
sleep 1.5
[ -e "$T/out/huge" ] && fail "huge ran $(wc -l < "$T/out/huge") times"
assert_eq "$(field huge skipped)" "0" "huge skipped"
assert_eq "$(field huge runs)" "0" "huge runs"
next=$(field huge next_run)
assert_le "$(( $(date +%s) + 366 * 86400 - 60 ))" "$next" "huge next_run (a year ahead)"
assert_le "$next" "$(( $(date +%s) + 366 * 86400 + 60 ))" "huge next_run (a year ahead)"
[ -e "$T/out/hugedelay" ] && fail "hugedelay ran $(wc -l < "$T/out/hugedelay") times"
[ -n "$(field hugedelay next_run)" ] || fail "hugedelay not armed"
# svctl run still runs it now
svctl run huge >/dev/null || fail "svctl run huge"
wait_state huge exited
assert_eq "$(wc -l < "$T/out/huge")" "1" "huge runs after svctl run"
# a reload while a run is under way: made again with the new definition
svctl run long >/dev/null || fail "svctl run long"
wait_for grep -q "start v1" "$T/out/long"
sed -i 's/v1/v2/g' "$T/services/long.yaml"
echo "environment: { EDITED: \"1\" }" >> "$T/services/rest.yaml"
svctl reload >/dev/null || fail "reload"
wait_for grep -q "end v2" "$T/out/long"
wait_state long exited
assert_eq "$(field long last_result)" "success" "long: last result"
assert_eq "$(grep -c start "$T/out/long")" "2" "long: runs"
grep -q "end v1" "$T/out/long" && fail "the run under way was not stopped"
[ -e "$T/out/rest" ] && fail "a job at rest was run by the reload"
grep -q "rest: definition changed (service file)$" "$T/svd.out" || fail "rest: 'restarting' logged"

stop_svd || fail "svd exit status"
echo "timers_edge: ok"
