#!/bin/bash
# A change to the main file's defaults: restarts at svctl reload exactly the
# services whose effective settings change: not one that overrides the
# changed default, and not for logging settings, which apply live. Before,
# any change of the defaults: block restarted every service.
. "$(dirname "$0")/lib.sh"

main() {
        cat > "$T/etc/svd.yaml" <<EOF2
services_dir: ../services
slices_dir: ../cgroups
state_dir: ../state
log_dir: ../log
run_dir: ../run
defaults:
  backoff: { initial: 100ms, max: 2s }
  restart: $1
  environment: { A: "$2" }
  logging: { timestamps: $3 }
EOF2
}
main always 1 true
# own: overrides restart: and A; plain: takes every default
service own <<EOF2
command: [sh, -c, 'echo "own A=\$A"; while :; do sleep 0.2; echo tick; done']
restart: on-failure
environment: { A: own }
EOF2
service plain <<EOF2
command: [sh, -c, 'echo "plain A=\$A"; exec sleep 100000']
EOF2
start_svd
wait_state own running
wait_state plain running
own1=$(field own pid) plain1=$(field plain pid)

# restart: and A change: own overrides both, plain takes them
main on-failure 2 true
svctl reload --dry-run > "$T/out/p1" || fail "dry run: $(cat "$T/out/p1")"
grep -qx "change  plain (defaults)" "$T/out/p1" || fail "plain not changed: $(cat "$T/out/p1")"
grep -q "0 to add, 0 to remove, 1 changed, 1 unchanged" "$T/out/p1" || fail "plan: $(cat "$T/out/p1")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 0 removed, 1 changed, 1 unchanged" "$T/svd.out"
wait_state plain running
[ "$(field plain pid)" != "$plain1" ] || fail "plain not restarted"
wait_for grep -q "plain A=2" "$T/log/plain.log"
assert_eq "$(field own pid)" "$own1" "own's pid (it overrides what changed)"
plain2=$(field plain pid)

# only a logging default: applied live, nobody restarts
main on-failure 2 false
svctl reload --dry-run > "$T/out/p2" || fail "dry run: $(cat "$T/out/p2")"
grep -q "0 to add, 0 to remove, 0 changed, 2 unchanged" "$T/out/p2" || fail "plan: $(cat "$T/out/p2")"
grep -qx "change  setting defaults (a service restarts only if what it takes from them changed; logging applies live)" "$T/out/p2" || fail "the defaults change not named: $(cat "$T/out/p2")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 0 removed, 0 changed, 2 unchanged" "$T/svd.out"
assert_eq "$(field own pid)" "$own1" "own's pid"
assert_eq "$(field plain pid)" "$plain2" "plain's pid"
# timestamps: false now applies to own's running output: a bare "tick" line
wait_for grep -qx "tick" "$T/log/own.log"
stop_svd || fail "svd exit status"
echo "reload_defaults: ok"
