#!/bin/bash
# Scheduled jobs: not started at boot; `every:` runs repeatedly; a run due
# while the previous one is still running is skipped and counted (never two at
# once); `svctl run` starts one now and refuses while one runs; persistent
# catch-up runs a missed job at boot from <state_dir>/timers/NAME; status
# shows last_run/last_result/last_duration_usec/next_run.
. "$(dirname "$0")/lib.sh"

service tick <<EOF
type: oneshot
restart: "no"
schedule: { every: 2s }
command: [/bin/sh, -c, 'date +%s.%N >> $T/out/tick']
EOF
service slow <<EOF
type: oneshot
restart: "no"
schedule: { every: 1s }
shell: true
command: |
  [ -e $T/out/slow.running ] && echo overlap >> $T/out/slow.overlap
  touch $T/out/slow.running
  echo run >> $T/out/slow
  sleep 2.5
  rm -f $T/out/slow.running
EOF
service manual <<EOF
type: oneshot
restart: "no"
schedule: { cron: "0 0 1 1 *" }
command: [/bin/sh, -c, 'echo ran >> $T/out/manual; sleep 1']
EOF
service catchup <<EOF
type: oneshot
restart: "no"
schedule: { cron: "0 3 * * *", persistent: true }
command: [/bin/sh, -c, 'echo ran >> $T/out/catchup']
EOF
service nocatchup <<EOF
type: oneshot
restart: "no"
schedule: { cron: "0 3 * * *" }
command: [/bin/sh, -c, 'echo ran >> $T/out/nocatchup']
EOF
service badsched <<EOF
command: [sleep, "1000"]
schedule: { every: 1h }
EOF

# a schedule needs a oneshot; a bad cron expression names the field
out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) && fail "--check accepted schedule on a simple service"
echo "$out" | grep -q 'badsched.yaml:2:11: schedule: needs type: oneshot' || fail "no type error: $out"
rm "$T/services/badsched.yaml"
service badcron <<EOF
type: oneshot
schedule: { cron: "61 * * * *" }
command: [true]
EOF
out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) && fail "--check accepted a bad cron expression"
echo "$out" | grep -q "schedule.cron: minute: value out of range 0-59 in '61'" || fail "no cron error: $out"
rm "$T/services/badcron.yaml"

# svd was "down" since 2001: catchup's 03:00 run was missed
mkdir -p "$T/state/timers"
echo 1000000000 > "$T/state/timers/catchup"
echo 1000000000 > "$T/state/timers/nocatchup"

# has_lines FILE N: FILE has at least N lines
has_lines() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }

start_svd
# not started at boot
assert_eq "$(field tick state)" "stopped" "tick at boot"
assert_eq "$(field tick last_run)" "" "tick last_run at boot"
[ -n "$(field tick next_run)" ] || fail "tick has no next_run"

# persistent catch-up at boot, the other one waits for 03:00
wait_for test -s "$T/out/catchup"
wait_state catchup exited
assert_eq "$(field catchup last_result)" "success" "catchup last_result"
[ -e "$T/out/nocatchup" ] && fail "non-persistent job caught up"
last=$(head -n1 "$T/state/timers/catchup")
assert_le 1000000001 "$last" "state file updated"
grep -qx success "$T/state/timers/catchup" || fail "state file lacks the result: $(cat "$T/state/timers/catchup")"

# every: 2s runs repeatedly, back at rest (exited) in between
wait_for has_lines "$T/out/tick" 2
wait_state tick exited
assert_eq "$(field tick last_result)" "success" "tick last_result"
[ -n "$(field tick last_duration_usec)" ] || fail "tick has no last_duration_usec"
first=$(head -n1 "$T/out/tick"); second=$(sed -n 2p "$T/out/tick")
gap=$(python3 -c "print(float('$second') - float('$first'))")
assert_le 1.5 "$gap" "interval between runs"
assert_le "$gap" 3.5 "interval between runs"

# no overlap: runs take 2.5s, due every 1s -> skips counted
wait_for has_lines "$T/out/slow" 2
[ -e "$T/out/slow.overlap" ] && fail "slow runs overlapped"
sk=$(field slow skipped)
[ "$sk" -ge 1 ] || fail "slow: skipped=$sk, expected >= 1"
grep -q "slow: scheduled run skipped: the previous run is still" "$T/svd.out" || fail "skip not logged"

# svctl run: now, and never on top of a running one
[ -e "$T/out/manual" ] && fail "manual ran before its time"
svctl run manual >/dev/null || fail "svctl run failed"
wait_for test -s "$T/out/manual"
out=$(svctl run manual 2>&1) && fail "second run accepted while running: $out"
echo "$out" | grep -q "already running" || fail "refusal: $out"
wait_state manual exited
assert_eq "$(field manual last_result)" "success" "manual last_result"
assert_eq "$(wc -l < "$T/out/manual")" "1" "manual runs"
out=$(svctl run nosuch 2>&1) && fail "run of an unknown service"
svctl status manual | grep -q "last run: .*(success, took 1s)" || fail "details: $(svctl status manual)"
svctl status manual | grep -q "next run: .*-01-01 00:00:00 UTC" || fail "details: $(svctl status manual)"
svctl status manual | grep -q "schedule: *cron 0 0 1 1 \* (UTC)" || fail "details: $(svctl status manual)"

stop_svd || fail "svd exit status"
echo "timers: ok"
