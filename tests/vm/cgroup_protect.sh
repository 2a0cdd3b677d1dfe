#!/bin/bash
# svd's own subtree root lets memory protection through (memory.min/low
# "max") only while some service or slice asks for it, in a VM with a pure
# cgroup v2 hierarchy (run by `make check-vm`): the root's values follow the
# configuration at every reload, both ways (a protection removed goes back
# to 0, one added is let through), stay as they are across daemon-reexec
# (no service restarted), and a new svd finding the root as a killed one left
# it sets them from its own configuration.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

service plain <<EOF
command: [sleep, "100000"]
EOF
# prot RESOURCES: the protected service's definition
prot() {
        service prot <<EOF
command: [sleep, "100000"]
resources: { $1 }
EOF
}
reload() { svctl reload > "$T/reload.out" 2>&1 || fail "reload: $(cat "$T/reload.out")"; }
# root MIN LOW WHAT: svd's subtree root holds these
root() {
        local got
        got="$(cat "$root/memory.min") $(cat "$root/memory.low")"
        assert_eq "$got" "$1 $2" "svd's root memory.min memory.low $3"
}

prot "memory_min: 4M"
start_svd
wait_state plain running 30
wait_state prot running 30
root=$(dirname "$(field plain cgroup)")
root max max "with memory_min"

# the last protection removed by a reload: nothing is let through any more
prot "memory_max: 64M"
reload
wait_state prot running 30
root 0 0 "once no service asks for protection"

# and added again: let through again (memory_low alone: only memory.low)
prot "memory_low: 8M"
reload
wait_state prot running 30
assert_eq "$(cat "$(field prot cgroup)/memory.low")" 8388608 "prot's memory.low"
root 0 max "with memory_low only"

# daemon-reexec: the same values, nobody restarted
pids="$(field plain pid) $(field prot pid)"
svctl daemon-reexec > /dev/null
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
root 0 max "after daemon-reexec"
assert_eq "$(field plain pid) $(field prot pid)" "$pids" "pids across daemon-reexec"

prot "memory_max: 64M"
reload
wait_state prot running 30
root 0 0 "after the reload that removed memory_low"
svctl daemon-reexec > /dev/null
sleep 1
wait_state plain running 30
root 0 0 "after a daemon-reexec without protection"

# a slice's protection, added and removed by reloads
echo "memory_min: 16M" > "$T/cgroups/box.yaml"
reload
wait_for test -d "$root/box.slice"
assert_eq "$(cat "$root/box.slice/memory.min")" 16777216 "box.slice memory.min"
root max max "with a protected slice"
rm "$T/cgroups/box.yaml"
reload
wait_for test ! -d "$root/box.slice"
root 0 0 "once the protected slice is gone"

# svd killed with protection configured; the next one starts from a
# configuration without: the root follows it
prot "memory_min: 4M"
reload
wait_state prot running 30
root max max "protected again"
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
SVD_PID=
prot "memory_max: 64M"
start_svd
wait_state plain running 30
root 0 0 "at the start of an svd whose configuration asks for none"
stop_svd
