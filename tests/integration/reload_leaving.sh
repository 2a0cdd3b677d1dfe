#!/bin/bash
# While a reload waits for the services it removes or changes to stop, none
# of them may come back with its old definition: the reload would wait for
# it forever (every later reload refused as "already under way") and a
# changed service would run its old command. An operator's start or restart
# of such a service is refused with the reason; a dependent's start does not
# pull in the old definition but waits for the new one.
. "$(dirname "$0")/lib.sh"

slow_yaml() { # NAME: ignores SIGTERM: its stop takes the whole timeout
        cat <<YAML
command: [sh, -c, "trap '' TERM; touch $T/out/$1.up; while :; do sleep 0.1; done"]
stop: { timeout: 3s }
YAML
}
service a <<'YAML'
command: [sleep, "1000"]
YAML
service b <<'YAML'
command: [sleep, "1001"]
depends_on: [a]
YAML
slow_yaml slow | service slow
start_svd
for n in a b slow; do wait_state $n running; done
# (running once spawned: a SIGTERM before its trap would end it at once)
wait_for test -e "$T/out/slow.up"
dones() { grep -c "reload: done" "$T/svd.out" || true; }
wait_done() { # N: until the Nth "reload: done"
        local deadline=$(( $(date +%s) + 15 * SCALE ))
        until [ "$(dones)" -ge "$1" ]; do
                [ "$(date +%s)" -gt "$deadline" ] && fail "reload $1 did not complete"
                sleep 0.1
        done
}

# A. a removed service cannot be started again while it stops
rm "$T/services/slow.yaml"
svctl reload > /dev/null || fail "reload A"
wait_state slow stopping
rc=0; svctl start slow > "$T/out/startA" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "start of a service the reload removes succeeded: $(cat "$T/out/startA")"
grep -q "reload under way removes it" "$T/out/startA" || fail "start slow: $(cat "$T/out/startA")"
rc=0; svctl restart slow > "$T/out/restartA" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "restart of a service the reload removes succeeded"
wait_done 1
[ -z "$(field slow state)" ] || fail "slow still there after the reload: $(field slow state)"

# B. a dependent's start does not bring back the old definition of what it
# depends on; it runs on the new one once the reload is done
slow_yaml c | service c
svctl reload > /dev/null || fail "reload adding c"
wait_done 2
wait_state c running
wait_for test -e "$T/out/c.up"
printf 'command: [sleep, "2000"]\n' > "$T/services/a.yaml"
rm "$T/services/c.yaml"
svctl reload > /dev/null || fail "reload B"
wait_state a stopped
wait_state c stopping
svctl start b > /dev/null || fail "start b"
rc=0; svctl start a > "$T/out/startB" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "start of a service the reload replaces succeeded"
grep -q "replaces its definition" "$T/out/startB" || fail "start a: $(cat "$T/out/startB")"
wait_done 3
wait_state a running
apid=$(field a pid)
assert_eq "$(tr '\0' ' ' < "/proc/$apid/cmdline")" "sleep 2000 " "a's command after the reload"
wait_state b running

# and the next reload is not refused as "already under way"
svctl reload > "$T/out/r4" 2>&1 || fail "a later reload: $(cat "$T/out/r4")"
wait_done 4

# C. a scheduled job the reload replaces skips its runs until the reload is
# done (for that reason, not "stopped by the operator"), then runs its new
# command
printf 'type: oneshot\nrestart: "no"\nschedule: { every: 1s }\ncommand: [sh, -c, "echo old >> %s/out/job"]\n' "$T" \
        > "$T/services/job.yaml"
slow_yaml d | service d
svctl reload > /dev/null || fail "reload adding job"
wait_done 5
wait_for test -e "$T/out/d.up"
wait_for grep -q old "$T/out/job"
printf 'type: oneshot\nrestart: "no"\nschedule: { every: 1s }\ncommand: [sh, -c, "echo new >> %s/out/job"]\n' "$T" \
        > "$T/services/job.yaml"
rm "$T/services/d.yaml"
: > "$T/out/job"
svctl reload > /dev/null || fail "reload C"
wait_for grep -q "job: scheduled run skipped: a reload under way removes or replaces it" "$T/svd.out"
wait_done 6
wait_for grep -q new "$T/out/job"
! grep -q old "$T/out/job" || fail "job ran its old command during the reload"
echo ok
