#!/bin/bash
# Scheduled jobs at the edges of time: an interval as long as a duration can
# be (the sum with the current time used to wrap into the past: the job was
# due again at once after every firing, PID 1 started or skipped it in a
# tight loop) is never due.
. "$(dirname "$0")/lib.sh"

service huge <<EOF
type: oneshot
restart: "no"
schedule: { every: 213500000d }
command: [/bin/sh, -c, 'echo ran >> $T/out/huge']
EOF
service hugedelay <<EOF
type: oneshot
restart: "no"
schedule: { every: 1h, random_delay: 213500000d }
command: [/bin/sh, -c, 'echo ran >> $T/out/hugedelay']
EOF

start_svd
sleep 1.5
[ -e "$T/out/huge" ] && fail "huge ran $(wc -l < "$T/out/huge") times"
assert_eq "$(field huge skipped)" "0" "huge skipped"
assert_eq "$(field huge runs)" "0" "huge runs"
assert_eq "$(field huge next_run)" "" "huge next_run (never)"
svctl status huge | grep -q "next run: *not scheduled" || fail "details: $(svctl status huge)"
[ -e "$T/out/hugedelay" ] && fail "hugedelay ran $(wc -l < "$T/out/hugedelay") times"
[ -n "$(field hugedelay next_run)" ] || fail "hugedelay not armed"
# svctl run still runs it now
svctl run huge >/dev/null || fail "svctl run huge"
wait_state huge exited
assert_eq "$(wc -l < "$T/out/huge")" "1" "huge runs after svctl run"
stop_svd || fail "svd exit status"
echo "timers_edge: ok"
