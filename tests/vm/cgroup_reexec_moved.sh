#!/bin/bash
# A slice's parent changed on disk before a daemon-reexec: the service in
# it keeps running in the cgroup the previous instance made for it, and the
# new instance takes it over there (not at the path the files on disk give
# now), says it runs an older definition, and the next svctl reload moves
# it (a restart into the new path); the old cgroups then go. Before, the new
# instance took the new path for the service's cgroup: it watched a cgroup
# that did not exist, a stop or kill missed the service's processes, and
# the next reload saw no change. The old cgroups are logged as the
# service's and the slice's from before they moved (before: "no longer in
# the configuration"). In a VM with a pure cgroup v2 hierarchy
# (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

printf 'memory_max: 300M\n' > "$T/cgroups/a.yaml"
printf 'memory_max: 200M\n' > "$T/cgroups/b.yaml"
printf 'parent: a\n' > "$T/cgroups/s1.yaml"
service app <<EOF2
command: [sleep, "100000"]
slice: s1
EOF2
service other <<EOF2
command: [sleep, "100001"]
EOF2
start_svd
wait_state app running 30
wait_state other running 30
old=$(field app cgroup) pid1=$(field app pid) other1=$(field other pid)
assert_eq "$(basename "$(dirname "$(dirname "$old")")")/$(basename "$(dirname "$old")")" "a.slice/s1.slice" "app's slices"

printf 'parent: b\n' > "$T/cgroups/s1.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: .* services taken over" "$T/svd.out"
wait_for svctl status > /dev/null
assert_eq "$(field app pid)" "$pid1" "app's pid after the re-exec"
assert_eq "$(field app cgroup)" "$old" "app's cgroup after the re-exec"
grep -q "app: its definition changed on disk" "$T/svd.out" || fail "app not marked as running an older definition"
grep -q "other: its definition changed" "$T/svd.out" && fail "other marked changed"
# the old cgroups are said to have moved, not to be gone from the configuration
root=$(dirname "$(dirname "$(dirname "$old")")")
grep -F "$old" "$T/svd.out" | grep -q "no longer in the configuration" && fail "app's old cgroup called gone"
grep -qF "cgroup: $old is service app's from before it moved to another slice path ($root/b.slice/s1.slice/app.service now) but holds processes" "$T/svd.out" ||
        fail "app's old cgroup not said to have moved"
grep -qF "cgroup: $(dirname "$old") is slice s1's from before it moved to another parent ($root/b.slice/s1.slice now) but holds processes" "$T/svd.out" ||
        fail "slice s1's old cgroup not said to have moved"

svctl reload --dry-run > "$T/out/plan" || fail "dry run: $(cat "$T/out/plan")"
grep -qx "change  app (running an older definition, taken over by svd)" "$T/out/plan" ||
        fail "app not changed in the plan: $(cat "$T/out/plan")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state app running 30
new=$(field app cgroup)
assert_eq "$(basename "$(dirname "$(dirname "$new")")")/$(basename "$(dirname "$new")")" "b.slice/s1.slice" "app's slices after the reload"
grep -qx "$(field app pid)" "$new/cgroup.procs" || fail "app's process is not in $new"
kill -0 "$pid1" 2>/dev/null && fail "app's old process $pid1 still runs"
assert_eq "$(field other pid)" "$other1" "other's pid"
wait_for test ! -d "$(dirname "$old")"
wait_for grep -qF "cgroup: removed $(dirname "$old") (slice s1, moved to another parent), empty now" "$T/svd.out"
stop_svd || fail "svd exit status"
echo "cgroup_reexec_moved: ok"
