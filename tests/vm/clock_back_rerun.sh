#!/bin/bash
# A cron job and a step of the wall clock back just after its run. It sets
# the system clock, so it runs only in a throwaway VM (`make check-vm`).
#
# After a step back, a cron job was re-armed for the first match after the
# new time, whatever ran already: a daily 03:00 job that NTP stepped back by
# 30 s just after its run ran its 03:00 again 30 s later (a second backup, a
# second report mailed). After a step back of less than three hours a match
# runs again only as far from the run it repeats, in elapsed time, as the
# schedule's runs ever are. A larger step back says the clock was wrong: a
# step back by 12 hours runs the next 03:00 the clock shows, 12 hours on,
# not 36. What the last firing was is kept across a daemon-reexec. One step
# back is said once, though svd may look at its jobs twice after it.
. "$(dirname "$0")/../integration/lib.sh"
[ "${VMRUN:-}" = 1 ] || { echo "sets the system clock: only in a throwaway VM (make check-vm)"; exit 77; }

service daily <<EOF
type: oneshot
restart: "no"
schedule: { cron: "0 3 * * *" }
command: [/bin/sh, -c, 'date +%s >> $T/out/daily']
EOF

lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
# until_clock EPOCH: until the wall clock is past EPOCH (what would run
# then has had its chance), 120 s at most
until_clock() {
        local deadline=$(( $(date +%s) + 120 * SCALE ))
        until [ "$(date +%s)" -gt "$1" ]; do
                [ "$(date +%s)" -gt "$deadline" ] && fail "the clock did not reach $1"
                sleep 0.2
        done
}
# step_to EPOCH: sets the wall clock to EPOCH
step_to() {
        echo "clock: $(date +%s) -> $1 (uptime $(cut -d' ' -f1 /proc/uptime))"
        date -s "@$1" >/dev/null || fail "cannot set the clock"
}
has_next() { [ -n "$(field daily next_run)" ]; }
ran() { [ "$(lines "$T/out/daily")" -ge "$1" ]; }
# set_back_logged N: the N-th "set back" line for daily (settle_cb ran)
set_back_logged() { [ "$(grep -c "daily: the clock was set back" "$T/svd.out")" -ge "$1" ]; }

start_svd
wait_for has_next
due=$(field daily next_run)
due=${due%.*}
# a few seconds before its 03:00 (a step forward that passes no match)
step_to $(( due - 8 ))
until_clock $(( due + 1 ))
wait_for ran 1
wait_state daily exited
# (the new instance knows 03:00 has run)
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: .* services taken over" "$T/svd.out"
wait_for svctl status

# NTP steps the clock back just after the run, to 02:59:40: 03:00 has run.
# (Stepped just after svd's loop read the wall clock, as once in CI: libev
# then reports the step twice, from its timerfd at once and from its own
# look at the clock when it next wakes, at svd's settle a second on, and
# svd looks at its jobs twice. After a second of no requests (not a wait
# for svd: its loop must have been idle for half a second), the loop reads
# the clock when the version request wakes it; the step follows its reply.)
echo "clock: $(date +%s) -> $(( due - 20 )) (uptime $(cut -d' ' -f1 /proc/uptime))"
sleep 1
python3 - "$SVCTL" "$SOCK" $(( due - 20 )) <<'PY' || fail "cannot set the clock"
import subprocess, sys, time
subprocess.run([sys.argv[1], "-s", sys.argv[2], "version"], check=True, stdout=subprocess.DEVNULL)
time.clock_settime(time.CLOCK_REALTIME, float(sys.argv[3]))
PY
wait_for set_back_logged 1
next=$(field daily next_run)
[ "${next%.*}" -ge $(( due + 86400 )) ] ||
        fail "after a step back to $(( due - 20 )) the next run is $next, expected tomorrow's 03:00 ($(( due + 86400 )))"
until_clock $(( due + 10 ))
[ "$(lines "$T/out/daily")" -eq 1 ] || fail "03:00 ran again after the step back: $(cat "$T/out/daily")"
assert_eq "$(field daily runs)" 1 "runs"
# said once for the one step, 30 s on
assert_eq "$(grep -c "daily: the clock was set back to before its run due at" "$T/svd.out")" 1 \
        "lines saying 03:00 is not run again, for one step back"

# 12 hours back: the clock was wrong, the 03:00 it shows next runs, 12
# hours on, not a day later
# (waited for by its effect: a count of lines would not say this step was
# seen)
step_to $(( $(date +%s) - 12 * 3600 ))
next_is() { next=$(field daily next_run); [ "${next%.*}" -eq "$1" ]; }
wait_for next_is "$due" # (else: "timed out waiting for: next_is ..." and svd's log)
stop_svd || fail "svd exit status"
echo "clock_back_rerun: ok"
