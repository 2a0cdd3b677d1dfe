#!/bin/bash
# The main file's defaults: changed on disk before a daemon-reexec: the
# services taken over run with the old defaults, and the next svctl reload
# restarts those whose effective settings differ (not the others). Before,
# the new instance knew only the defaults on disk, took them for the ones
# the services run with, and the reload said "0 changed" for good. The plan
# names the defaults change as it does without a re-exec (it did not).
. "$(dirname "$0")/lib.sh"

sed -i 's/^defaults:$/defaults:\n  environment: { A: "1" }/' "$T/etc/svd.yaml"
grep -q 'A: "1"' "$T/etc/svd.yaml" || fail "test setup: $(cat "$T/etc/svd.yaml")"
service plain <<EOF2
command: [sh, -c, 'echo "plain A=\$A"; exec sleep 100000']
EOF2
service own <<EOF2
command: [sleep, "100001"]
environment: { A: own }
EOF2
start_svd
wait_state plain running
wait_state own running
plain1=$(field plain pid) own1=$(field own pid)

sed -i 's/A: "1"/A: "2"/' "$T/etc/svd.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "plain: its definition changed on disk" "$T/svd.out"
wait_for svctl status
# a second re-exec keeps the mark
svctl daemon-reexec > /dev/null || fail "second daemon-reexec"
wait_for sh -c "[ \$(grep -c 'daemon-reexec: .* services taken over' '$T/svd.out') = 2 ]"
wait_for svctl status
assert_eq "$(field plain pid)" "$plain1" "plain's pid after the re-execs"
grep -q "own: its definition changed" "$T/svd.out" && fail "own marked changed: it overrides A"

svctl reload --dry-run > "$T/out/plan" || fail "dry run: $(cat "$T/out/plan")"
grep -qx "change  plain (running an older definition, taken over by svd)" "$T/out/plan" ||
        fail "plain not changed in the plan: $(cat "$T/out/plan")"
grep -q "0 to add, 0 to remove, 1 changed, 1 unchanged" "$T/out/plan" || fail "plan: $(cat "$T/out/plan")"
grep -qx "change  setting defaults (a service restarts only if what it takes from them changed; logging applies live)" \
        "$T/out/plan" || fail "the defaults change not named: $(cat "$T/out/plan")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state plain running
[ "$(field plain pid)" != "$plain1" ] || fail "plain not restarted"
wait_for grep -q "plain A=2" "$T/log/plain.log"
assert_eq "$(field own pid)" "$own1" "own's pid"
# applied: the next plan no longer names them
svctl reload --dry-run > "$T/out/plan2" || fail "second dry run: $(cat "$T/out/plan2")"
! grep -q "setting defaults" "$T/out/plan2" || fail "defaults named again: $(cat "$T/out/plan2")"
stop_svd || fail "svd exit status"
echo "reexec_defaults: ok"
