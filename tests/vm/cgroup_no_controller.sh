#!/bin/bash
# A controller the host does not hand down to svd's cgroup (here io, left
# out of the parent's cgroup.subtree_control), in a VM with a pure cgroup v2
# hierarchy (run by `make check-vm`): the services and slices that ask for
# its limits still start, with their other limits; svd logs once which
# controller is missing, where, and whose keys it leaves unapplied, and
# `svctl status` says so for each such service. Before, each start failed
# with "cgroup: io.weight: No such file or directory".
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
host=/sys/fs/cgroup/noio-$$
mkdir -p "$host/base"
echo "+cpu +memory +pids" > "$host/cgroup.subtree_control"
grep -qw io "$host/base/cgroup.controllers" && fail "io handed down"
# svd starts there (its own cgroup, without io), alone: it moves into its
# subtree, and base can then hand its controllers down
printf '#!/bin/sh\necho $$ > %s/base/cgroup.procs && exec %s "$@"\n' "$host" "$SVD" > "$T/svd-in-base"
chmod +x "$T/svd-in-base"
SVD=$T/svd-in-base

echo "io_weight: 200" > "$T/cgroups/box.yaml"
service disk <<EOF
command: [sleep, "100000"]
slice: box
resources: { io_weight: 50, io_max: ["1:0 wbps=1M"], memory_max: 64M }
EOF
service plain <<EOF
command: [sleep, "100000"]
resources: { memory_max: 32M }
EOF
start_svd
wait_state disk running 30
wait_state plain running 30
cg=$(field disk cgroup)
assert_eq "$(cat "$cg/memory.max")" 67108864 "disk's memory.max"
grep -q "cgroup: the io controller is not available in $host/base (cgroup.controllers: cpu memory pids): io_weight, io_max not applied for service disk, slice box" "$T/svd.out" ||
        fail "no warning: $(grep cgroup: "$T/svd.out")"
svctl status disk > "$T/st" || true
grep -Eq "warning: +io_weight, io_max not applied: the io controller is not available to svd" "$T/st" ||
        fail "status: $(cat "$T/st")"
svctl status plain > "$T/st2" || true
! grep -q "warning:" "$T/st2" || fail "plain warned: $(cat "$T/st2")"
