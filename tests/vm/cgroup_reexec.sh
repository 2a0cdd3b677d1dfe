#!/bin/bash
# svctl daemon-reexec with cgroups, in a VM with a pure cgroup v2 hierarchy
# (run by `make check-vm`): the new instance finds itself in
# <root>/supervisor and takes the same subtree over instead of nesting a new
# one below it: svd stays in the same supervisor cgroup, the services keep
# their leaves and limits (nobody restarted), a service started or
# restarted afterwards goes into its leaf under the same root, a slice limit
# still changes with a reload, and so across a second re-exec too.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

echo "memory_max: 100M" > "$T/cgroups/box.yaml"
service boxed <<EOF
command: [sleep, "100000"]
slice: box
resources: { memory_max: 64M, pids_max: 50 }
EOF
service plain <<EOF
command: [sleep, "100000"]
EOF
service later <<EOF
command: [sleep, "100000"]
enabled: false
EOF
start_svd
wait_state boxed running 30
wait_state plain running 30
root=$(dirname "$(field plain cgroup)")
sup=$(sed -n 's/^0:://p' /proc/$SVD_PID/cgroup)
assert_eq "$sup" "${root#/sys/fs/cgroup}/supervisor" "svd's cgroup"
boxed_cg=$(field boxed cgroup)
assert_eq "$boxed_cg" "$root/box.slice/boxed.service" "boxed's leaf"

for round in 1 2; do
        pids="$(field boxed pid) $(field plain pid)"
        svctl daemon-reexec > /dev/null
        wait_for sh -c "[ \$(grep -c 'daemon-reexec: [0-9]* services taken over' $T/svd.out) -ge $round ]"
        ! grep -q 'cgroups are required' "$T/svd.out" || fail "round $round: the new instance lost its cgroups"
        kill -0 "$SVD_PID" || fail "round $round: svd is gone"
        assert_eq "$(sed -n 's/^0:://p' /proc/$SVD_PID/cgroup)" "$sup" "round $round: svd's cgroup"
        [ ! -e "$root/supervisor/${root##*/}" ] || fail "round $round: a subtree nested in the supervisor cgroup"
        assert_eq "$(field boxed pid) $(field plain pid)" "$pids" "round $round: pids"
        assert_eq "$(field boxed cgroup)" "$boxed_cg" "round $round: boxed's leaf"
        assert_eq "$(field plain cgroup)" "$root/plain.service" "round $round: plain's leaf"
        grep -qx "$(field boxed pid)" "$boxed_cg/cgroup.procs" || fail "round $round: boxed not in its leaf"
        assert_eq "$(cat "$boxed_cg/memory.max") $(cat "$boxed_cg/pids.max")" "67108864 50" "round $round: boxed's limits"
        # a start and a restart after the re-exec: the same subtree
        svctl start later > /dev/null
        wait_state later running 30
        assert_eq "$(field later cgroup)" "$root/later.service" "round $round: later's leaf"
        grep -qx "$(field later pid)" "$root/later.service/cgroup.procs" || fail "round $round: later not in its leaf"
        svctl stop later > /dev/null
        wait_state later stopped 30
        svctl restart boxed > /dev/null
        wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"boxed\") | .pid')\" != \"${pids%% *}\" ]"
        wait_state boxed running 30
        grep -qx "$(field boxed pid)" "$boxed_cg/cgroup.procs" || fail "round $round: restarted boxed not in its leaf"
        # a slice limit changed by a reload lands in the same slice
        echo "memory_max: $((100 + round))M" > "$T/cgroups/box.yaml"
        svctl reload > "$T/reload.out" 2>&1 || fail "round $round: reload: $(cat "$T/reload.out")"
        wait_for sh -c "[ \"\$(cat $root/box.slice/memory.max)\" = $(((100 + round) * 1048576)) ]"
done
stop_svd
