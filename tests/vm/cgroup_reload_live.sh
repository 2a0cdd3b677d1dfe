#!/bin/bash
# A reload that changes only a service's resources: applies them to its
# running cgroup leaf, in a VM with a pure cgroup v2 hierarchy (run by
# `make check-vm`): no restart (the same pid), the plan says so, a limit
# raised, lowered or dropped reads back from the kernel's files, and a
# memory_max below what the service (or its slice) uses now is warned
# about by name;
# svctl status shows the limits in effect (read back from the kernel).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

svc() {
        service lim <<EOF2
command: [sh, -c, 'head -c 12m /dev/zero > /dev/shm/svd-live-\$\$; exec sleep 100000']
resources:
$1
EOF2
}
svc "  { memory_max: 64M, pids_max: 50, cpus: 0.5, cpu_weight: 300 }"
echo "memory_max: 256M" > "$T/cgroups/box.yaml"
service inbox <<EOF2
command: [sh, -c, 'head -c 12m /dev/zero > /dev/shm/svd-live-box-\$\$; exec sleep 100000']
slice: box
EOF2
start_svd
wait_state lim running 30
wait_state inbox running 30
pid=$(field lim pid)
cg=$(field lim cgroup)
assert_eq "$(cat "$cg/memory.max") $(cat "$cg/pids.max") $(cat "$cg/cpu.max")" "67108864 50 50000 100000" "before"

# raised, dropped, lowered, added
svc "  { memory_max: 128M, cpus: 0.25, memory_high: 100M }"
svctl reload --dry-run > "$T/plan" || fail "dry run: $(cat "$T/plan")"
grep -qx "keep    lim (resources changed, applied live)" "$T/plan" || fail "plan: $(cat "$T/plan")"
svctl reload > "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
wait_for grep -q "reload: done: 0 added, 0 removed, 0 changed, 2 unchanged" "$T/svd.out"
grep -q "lim: resources changed, applied live (no restart)" "$T/svd.out" || fail "not logged"
assert_eq "$(field lim pid)" "$pid" "lim's pid"
for kv in memory.max=134217728 memory.high=104857600 pids.max=max "cpu.max=25000 100000" cpu.weight=100; do
        assert_eq "$(cat "$cg/${kv%%=*}")" "${kv#*=}" "${kv%%=*} after the reload"
done

# svctl status shows the limits in effect and the use, as the kernel's files say
svctl status lim > "$T/st" || true
grep -Eq "limits: +memory.max 134217728, memory.high 104857600, pids.max max, cpu.max 25000 100000\$" "$T/st" ||
        fail "limits: $(cat "$T/st")"
grep -Eq "usage: +memory.current [0-9]+, pids.current $(cat "$cg/pids.current")\$" "$T/st" || fail "usage: $(cat "$T/st")"
svctl status --json > "$T/st.json"
grep -q '"limits":{"memory.max":"134217728","memory.high":"104857600","pids.max":"max","cpu.max":"25000 100000"}' \
        "$T/st.json" || fail "json: $(cat "$T/st.json")"

# below what it holds now (12M of shmem charged to it): said, with the numbers
svc "  { memory_max: 4M }"
svctl reload > "$T/reload.out" || fail "reload 2: $(cat "$T/reload.out")"
wait_for grep -q "lim: resources.memory_max 4194304 is below its memory use now" "$T/svd.out"
assert_eq "$(cat "$cg/memory.max")" 4194304 "memory.max lowered"

# a slice's too
echo "memory_max: 4M" > "$T/cgroups/box.yaml"
svctl reload > "$T/reload.out" || fail "reload 3: $(cat "$T/reload.out")"
wait_for grep -q "slice box: memory_max 4194304 is below its memory use now" "$T/svd.out"
rm -f /dev/shm/svd-live-*
