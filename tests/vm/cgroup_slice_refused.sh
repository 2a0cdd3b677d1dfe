#!/bin/bash
# A reload whose slice limits the kernel refuses in part (cpuset_cpus naming
# a CPU the machine does not have: cpuset.cpus says ERANGE or EINVAL) still
# writes every other limit of that slice, the ones after the refused knob
# too (io.max comes after cpuset.cpus), and of every other slice; each
# refusal is logged naming the slice, the file, the value and the kernel's
# reason, and is the slice's reason in svctl status (--json and the text
# under the table); its services keep running (same pid). Every reload
# writes the slices' limits again, so the next one tries (and says, in its
# plan too) it again, and once the file is fixed the slice holds them all
# and the reason is gone. Before, the first refusal skipped every knob after it in that
# slice, and only the first slice's refusal was logged. A daemon-reexec
# over a refused slice limit takes over as well, saying it again. In a VM
# with a pure cgroup v2 hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"

printf 'memory_max: 64M\npids_max: 50\n' > "$T/cgroups/box.yaml"
printf 'pids_max: 70\n' > "$T/cgroups/crate.yaml"
service inbox <<EOF2
command: [sleep, "100000"]
slice: box
EOF2
service incrate <<EOF2
command: [sleep, "100001"]
slice: crate
EOF2
start_svd
wait_state inbox running 30
wait_state incrate running 30
pid=$(field inbox pid)
box=$(dirname "$(field inbox cgroup)")
crate=$(dirname "$(field incrate cgroup)")
assert_eq "$(basename "$box") $(basename "$crate")" "box.slice crate.slice" "slice directories"
assert_eq "$(cat "$box/memory.max") $(cat "$box/pids.max")" "67108864 50" "box before"

# slice_reason NAME: the reason svctl status --json gives slice NAME
slice_reason() {
        svctl status --json | python3 -c '
import json, sys
for s in json.load(sys.stdin).get("slices", []):
    if s["name"] == sys.argv[1]:
        print(s.get("reason") or "")' "$1"
}

cat > "$T/cgroups/box.yaml" <<EOF2
memory_max: 128M
pids_max: 60
cpuset_cpus: "4000"
io_max: ["/dev/ram0 wbps=1M"]
EOF2
cat > "$T/cgroups/crate.yaml" <<EOF2
pids_max: 80
cpuset_cpus: "4001"
io_max: ["/dev/ram0 rbps=2M"]
EOF2
svctl reload > "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
wait_for grep -q "reload: done" "$T/svd.out"
assert_eq "$(cat "$box/memory.max") $(cat "$box/pids.max")" "134217728 60" "box's memory.max and pids.max"
grep -q "^1:0 rbps=max wbps=1048576 riops=max wiops=max" "$box/io.max" ||
        fail "box's io.max (after the refused knob): $(cat "$box/io.max")"
assert_eq "$(cat "$crate/pids.max")" 80 "crate's pids.max"
grep -q "^1:0 rbps=2097152 wbps=max riops=max wiops=max" "$crate/io.max" ||
        fail "crate's io.max (after the refused knob): $(cat "$crate/io.max")"
assert_eq "$(field inbox pid)" "$pid" "inbox's pid"
grep -q "slice box: limits not all applied: cpuset.cpus '4000': " "$T/svd.out" ||
        fail "box's refusal not logged: $(grep slice "$T/svd.out")"
grep -q "slice crate: limits not all applied: cpuset.cpus '4001': " "$T/svd.out" ||
        fail "crate's refusal not logged: $(grep slice "$T/svd.out")"
grep "limits not all applied" "$T/svd.out" | grep -q "io.max\|memory.max\|pids.max" &&
        fail "a knob written named as refused: $(grep slice "$T/svd.out")"
slice_reason box | grep -q "cpuset.cpus '4000': " || fail "box's reason: $(slice_reason box)"
slice_reason crate | grep -q "cpuset.cpus '4001': " || fail "crate's reason: $(slice_reason crate)"
svctl status > "$T/status.out" || fail "status"
grep -q "^slice box: cgroup: limits refused: cpuset.cpus '4000': " "$T/status.out" ||
        fail "svctl status: $(cat "$T/status.out")"

# not all in force: the next reload tries again, says so in its plan, and
# logs it again
svctl reload --dry-run > "$T/plan" || fail "dry run: $(cat "$T/plan")"
grep -qx "change  slice box (limits refused before, applied live again)" "$T/plan" || fail "plan: $(cat "$T/plan")"
svctl reload > "$T/reload.out" || fail "reload 2: $(cat "$T/reload.out")"
wait_for sh -c "[ \$(grep -c 'reload: done' $T/svd.out) -ge 2 ]"
assert_eq "$(grep -c "slice box: limits not all applied: cpuset.cpus '4000': " "$T/svd.out")" 2 "box's refusals logged"
slice_reason box | grep -q "cpuset.cpus '4000': " || fail "box's reason after reload 2: $(slice_reason box)"

# fixed: in force, no reason left, and not in the plan any more (a limit
# dropped from the file goes back to the kernel's default)
cat > "$T/cgroups/box.yaml" <<EOF2
pids_max: 60
cpuset_cpus: "0"
io_max: ["/dev/ram0 wbps=1M"]
EOF2
svctl reload > "$T/reload.out" || fail "reload 3: $(cat "$T/reload.out")"
wait_for sh -c "[ \$(grep -c 'reload: done' $T/svd.out) -ge 3 ]"
assert_eq "$(cat "$box/cpuset.cpus") $(cat "$box/memory.max")" "0 max" "box's cpuset.cpus and memory.max after the fix"
svctl reload --dry-run > "$T/plan" || fail "dry run 2: $(cat "$T/plan")"
grep -q "slice box" "$T/plan" && fail "box named again: $(cat "$T/plan")"
grep -qx "change  slice crate (limits refused before, applied live again)" "$T/plan" || fail "plan 2: $(cat "$T/plan")"
assert_eq "$(slice_reason box)" "" "box's reason once all are in force"
slice_reason crate | grep -q "cpuset.cpus '4001': " || fail "crate's reason after reload 3: $(slice_reason crate)"
assert_eq "$(field inbox pid)" "$pid" "inbox's pid after the fix"

# a daemon-reexec over crate's refusal: the new instance writes the others,
# says so and takes over (before: "cgroup setup failed", and svd was gone,
# its services left unsupervised)
pids="$(field inbox pid) $(field incrate pid)"
svctl daemon-reexec > "$T/reexec.out" 2>&1 ||
        fail "daemon-reexec: $(cat "$T/reexec.out"; grep "startup failed\|cgroup setup" "$T/svd.out")"
wait_for grep -q "daemon-reexec: [0-9]* services taken over" "$T/svd.out"
assert_eq "$(field inbox pid) $(field incrate pid)" "$pids" "pids after the re-exec"
assert_eq "$(grep -c "slice crate: limits not all applied: cpuset.cpus '4001': " "$T/svd.out")" 4 "crate's refusals logged"
slice_reason crate | grep -q "cpuset.cpus '4001': " || fail "crate's reason after the re-exec: $(slice_reason crate)"
assert_eq "$(slice_reason box)" "" "box's reason after the re-exec"
grep -q "^1:0 rbps=2097152 wbps=max riops=max wiops=max" "$crate/io.max" ||
        fail "crate's io.max after the re-exec: $(cat "$crate/io.max")"
stop_svd || fail "svd exit status"
echo "cgroup_slice_refused: ok"
