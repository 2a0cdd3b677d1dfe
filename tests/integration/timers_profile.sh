#!/bin/bash
# Scheduled jobs that cannot run on this host (profiles:). A job outside
# the selected profiles is not armed: no next run (its status says why),
# nothing at its due times. One whose dependency is outside them (or whose
# program is not installed) skips its runs, logged and counted, and its
# status shows no next run but why it cannot run. Neither pulls up its
# dependencies: a firing used to log "scheduled run", start every
# dependency that was down (here a failed db, again at every due time),
# and only then find that the job itself could not start.
. "$(dirname "$0")/lib.sh"

echo "profiles: [core]" >> "$T/etc/svd.yaml"
service db <<EOF
restart: "no"
profiles: [core]
command: [/bin/sh, -c, 'echo start >> $T/out/db; exit 1']
EOF
service tool <<EOF
profiles: [backup]
command: [sleep, "1000"]
EOF
service offjob <<EOF
type: oneshot
profiles: [backup]
depends_on: [db]
schedule: { every: 1s }
command: [/bin/sh, -c, 'echo ran >> $T/out/offjob']
EOF
service blockedjob <<EOF
type: oneshot
profiles: [core]
depends_on: [db, tool]
schedule: { every: 1s }
command: [/bin/sh, -c, 'echo ran >> $T/out/blockedjob']
EOF
start_svd
wait_state db failed
skipped() { [ "$(field blockedjob skipped)" -ge 2 ]; }
wait_for skipped
grep -q "blockedjob: scheduled run skipped: blocked: dependency tool disabled: not in profile" "$T/svd.out" ||
        fail "the blocked job's skip: $(grep blockedjob "$T/svd.out")"
assert_eq "$(wc -l < "$T/out/db")" "1" "db's starts (a firing pulled it up?)"
assert_eq "$(field tool state)" "stopped" "tool"
assert_eq "$(field offjob next_run)" "" "offjob's next run (not in the selected profiles)"
assert_eq "$(field offjob next_run_blocked)" "disabled: not in profile (profiles: backup; selected: core)" \
        "offjob's next_run_blocked"
# no next run shown for the one that cannot run here: held, and why
assert_eq "$(field blockedjob next_run)" "" "blockedjob's next run (a dependency not in the selected profiles)"
why="blocked: dependency tool disabled: not in profile (profiles: backup; selected: core)"
assert_eq "$(field blockedjob next_run_blocked)" "$why" "blockedjob's next_run_blocked"
svctl status blockedjob | grep -qF "next run:     none: cannot run here: $why" ||
        fail "status blockedjob: $(svctl status blockedjob)"
! grep -q "offjob: scheduled run" "$T/svd.out" || fail "offjob fired: $(grep offjob "$T/svd.out")"
[ ! -e "$T/out/offjob" ] && [ ! -e "$T/out/blockedjob" ] || fail "a job that cannot run here ran"
stop_svd || fail "svd exit status"
echo "timers_profile: ok"
