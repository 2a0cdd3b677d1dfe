#!/bin/bash
# schedule.timeout across svd's own changes while a run is under way: after
# a daemon-reexec the limit still ends the run, counted from its beginning
# (not from the exec); a reload that changes the limit applies the new one to
# the run under way.
. "$(dirname "$0")/lib.sh"

job() {
        service hang <<EOF
type: oneshot
restart: "no"
schedule: { cron: "0 0 1 1 *", timeout: $1 }
stop: { timeout: 1s }
command: [/bin/sh, -c, 'echo run >> $T/out/hang; exec sleep 1000']
EOF
}
elapsed() { python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$1" "$(now)"; }

job 4s
start_svd
t0=$(now)
svctl run hang > /dev/null || fail "svctl run hang"
wait_for test -s "$T/out/hang"
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
assert_eq "$(field hang last_result)" "running" "the run after the daemon-reexec"
wait_field hang last_result \
        "failed: run time limit reached: still running after schedule.timeout 4s" 15
assert_le 3.9 "$(elapsed "$t0")" "the limit ended the run early"

# a reload that lowers the limit of a run under way: the new one, from its
# spawn (already past: it is stopped now)
job 1h
svctl reload > /dev/null || fail "reload to 1h"
svctl run hang > /dev/null || fail "second svctl run hang"
wait_for sh -c "[ \$(wc -l < $T/out/hang) -ge 2 ]"
sleep 1.2
job 1s
svctl reload > /dev/null || fail "reload to 1s"
wait_field hang last_result \
        "failed: run time limit reached: still running after schedule.timeout 1s" 10
stop_svd || fail "svd exit status"
echo "timers_timeout_reexec: ok"
