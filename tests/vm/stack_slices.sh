#!/bin/bash
# The shipped slices (cgroups/*.yaml) under a real cgroup v2 hierarchy (run by
# `make check-vm` in a VM): one service in each of db, app, gateway and ai;
# svd writes each slice's limits, percentages resolved against the VM's RAM:
# the database protected (memory.min/low, in system too, since a child's
# protection is limited by its parent's), the AI slice capped (memory.max, no
# swap, 1.5 CPUs, the lowest weight).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
echo "cgroups: required" >> "$T/etc/svd.yaml"
cp "$top"/cgroups/*.yaml "$T/cgroups/"
for s in db app gateway ai; do
        service "in_$s" <<EOF2
slice: $s
command: [sleep, "100000"]
EOF2
done
start_svd
for s in db app gateway ai; do wait_state "in_$s" running 30; done

ram=$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)
slice() { dirname "$(field "in_$1" cgroup)"; }
# KNOB of SLICE is PCT% of RAM (the kernel keeps whole pages)
pct() {
        local v want
        v=$(cat "$1/$2")
        want=$(( ram * $3 / 100 ))
        [ "$v" -le "$want" ] && [ "$v" -gt $(( want - 65536 )) ] || fail "$1/$2 = $v, expected about $3% of $ram ($want)"
}
db=$(slice db); app=$(slice app); gw=$(slice gateway); ai=$(slice ai)
system=$(dirname "$db")
assert_eq "$(basename "$system")" "system.slice" "parent of db"
assert_eq "$(dirname "$ai")" "$system" "parent of ai"
pct "$system" memory.min 15; pct "$system" memory.low 37; pct "$system" memory.max 90
pct "$db" memory.min 15; pct "$db" memory.low 30; pct "$db" memory.high 40; pct "$db" memory.max 50
assert_eq "$(cat "$db/cpu.weight")" 200 "db cpu.weight"
pct "$app" memory.low 5; pct "$app" memory.max 25
assert_eq "$(cat "$app/cpu.weight")" 100 "app cpu.weight"
pct "$gw" memory.low 2; pct "$gw" memory.max 10
assert_eq "$(cat "$gw/cpu.weight")" 150 "gateway cpu.weight"
pct "$ai" memory.high 35; pct "$ai" memory.max 40
assert_eq "$(cat "$ai/memory.low")" 0 "ai memory.low"
assert_eq "$(cat "$ai/memory.swap.max")" 0 "ai memory.swap.max"
assert_eq "$(cat "$ai/cpu.max")" "150000 100000" "ai cpu.max"
assert_eq "$(cat "$ai/cpu.weight")" 50 "ai cpu.weight"
# svd's own subtree root lets the slices' protection through (a child's is capped by its parent's)
root=$(dirname "$system")
assert_eq "$(cat "$root/memory.min")" max "svd root memory.min"
assert_eq "$(cat "$root/memory.low")" max "svd root memory.low"
stop_svd || fail "svd exit status"
echo "stack_slices: ok"
