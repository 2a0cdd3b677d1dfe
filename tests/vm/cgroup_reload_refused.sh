#!/bin/bash
# A reload whose live limits the kernel refuses in part (cpuset_cpus naming
# a CPU the machine does not have: cpuset.cpus says ERANGE or EINVAL) still
# writes every other one, the ones after the refused knob too (io.max comes
# after cpuset.cpus), and names each refused one with the kernel's reason
# in the log and in svctl status's reason; the service keeps running (same
# pid). The file's limits are not all in force, so the next reload tries
# again, and once the file is fixed the leaf holds them all. Before, the
# first refusal skipped every knob after it (io.max here) until the next
# start. In a VM with a pure cgroup v2 hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"

svc() {
        service lim <<EOF2
command: [sleep, "100000"]
resources: $1
EOF2
}
svc "{ memory_max: 64M, pids_max: 50 }"
start_svd
wait_state lim running 30
pid=$(field lim pid)
cg=$(field lim cgroup)
assert_eq "$(cat "$cg/memory.max") $(cat "$cg/pids.max")" "67108864 50" "before"

svc '{ memory_max: 128M, pids_max: 60, cpuset_cpus: "4000", io_max: ["/dev/ram0 wbps=1M"] }'
svctl reload > "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
wait_for grep -q "reload: done: 0 added, 0 removed, 0 changed, 1 unchanged" "$T/svd.out"
grep -q "lim: resources not all applied live: cpuset.cpus '4000': " "$T/svd.out" || fail "refusal not logged: $(grep lim: "$T/svd.out")"
grep "lim: resources not all applied live" "$T/svd.out" | grep -q "io.max\|memory.max\|pids.max" &&
        fail "a knob written named as refused: $(grep lim: "$T/svd.out")"
assert_eq "$(field lim pid)" "$pid" "lim's pid"
assert_eq "$(cat "$cg/memory.max") $(cat "$cg/pids.max")" "134217728 60" "memory.max and pids.max after the reload"
grep -q "^1:0 rbps=max wbps=1048576 riops=max wiops=max" "$cg/io.max" || fail "io.max (after the refused knob): $(cat "$cg/io.max")"
field lim reason | grep -q "cpuset.cpus '4000': " || fail "reason: $(field lim reason)"

# not all in force: the next reload tries again; fixed, the leaf holds them
svctl reload --dry-run > "$T/plan" || fail "dry run: $(cat "$T/plan")"
grep -qx "keep    lim (resources changed, applied live)" "$T/plan" || fail "plan: $(cat "$T/plan")"
svc '{ memory_max: 128M, pids_max: 60, cpuset_cpus: "0", io_max: ["/dev/ram0 wbps=1M"] }'
svctl reload > "$T/reload.out" || fail "reload 2: $(cat "$T/reload.out")"
wait_for sh -c "[ \$(grep -c 'reload: done' $T/svd.out) -ge 2 ]"
assert_eq "$(cat "$cg/cpuset.cpus")" 0 "cpuset.cpus after the fix"
assert_eq "$(field lim pid)" "$pid" "lim's pid after the fix"
assert_eq "$(field lim reason)" "" "lim's reason once all are in force"
svctl reload --dry-run > "$T/plan" || fail "dry run 2"
grep -q "lim" "$T/plan" && fail "lim named again: $(cat "$T/plan")"
stop_svd || fail "svd exit status"
echo "cgroup_reload_refused: ok"
