#!/bin/bash
# A service file whose resources: were only written another way before a
# daemon-reexec (512M as 524288K, 2 CPUs as 2.0, a CPU list in another
# order): the same limits, so the new instance does not take the running
# leaf for stale, says nothing, and the next reload has nothing to do for
# it. Before, the re-exec compared the text of resources: and the reload
# reported the same limits as "resources changed, applied live" and wrote
# them again. A real change next to it is still applied live.
. "$(dirname "$0")/lib.sh"

service same <<EOF2
command: [sleep, "100000"]
resources: { memory_max: 512M, cpus: 2, cpuset_cpus: "0,1" }
EOF2
service web <<EOF2
command: [sleep, "100000"]
resources: { memory_max: 512M }
EOF2
start_svd
for s in same web; do wait_state $s running; done
same1=$(field same pid)
cat > "$T/services/same.yaml" <<EOF2
command: [sleep, "100000"]
resources: { memory_max: 524288K, cpus: 2.0, cpuset_cpus: "1,0" }
EOF2
sed -i 's/512M/1G/' "$T/services/web.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: .* services taken over" "$T/svd.out"
wait_for svctl status > /dev/null
grep -q "web: its resources changed on disk; svctl reload applies them live" "$T/svd.out" || fail "web's change not said"
grep -q "same: its resources changed on disk" "$T/svd.out" && fail "same's respelled limits taken for a change"
svctl reload --dry-run > "$T/out/p" || fail "dry run: $(cat "$T/out/p")"
grep -qx "keep    web (resources changed, applied live)" "$T/out/p" || fail "plan: $(cat "$T/out/p")"
grep -q "same" "$T/out/p" && fail "same named: $(cat "$T/out/p")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 0 removed, 0 changed, 2 unchanged" "$T/svd.out"
grep -q "same: resources changed" "$T/svd.out" && fail "same's limits written again"
assert_eq "$(field same pid)" "$same1" "same's pid"
stop_svd || fail "svd exit status"
echo "reexec_resources_respelled: ok"
