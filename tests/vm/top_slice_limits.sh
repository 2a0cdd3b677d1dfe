#!/bin/bash
# svctl top shows a slice's memory and pids limit beside its use, as a
# service's (MEMMAX, PIDMAX; memory_max and pids_max in --json): the status
# reply carries each slice's "limits" (memory.max, memory.high, pids.max,
# cpu.max as the kernel has them), which the services in it share; before,
# only services had them, and a slice's showed "-". In a VM with a pure
# cgroup v2 hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
grep -qw pids /sys/fs/cgroup/cgroup.controllers || { echo "no pids controller"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

cat > "$T/cgroups/box.yaml" <<EOF2
memory_max: 100M
pids_max: 64
EOF2
cat > "$T/cgroups/open.yaml" <<EOF2
cpu_weight: 50
EOF2
service boxed <<EOF2
command: [sleep, "100000"]
slice: box
resources: { memory_max: 50M, pids_max: 8 }
EOF2
service loose <<EOF2
command: [sleep, "100000"]
slice: open
EOF2
start_svd
wait_state boxed running 30
wait_state loose running 30

svctl status --json > "$T/status.json" || fail "status --json"
python3 - "$T/status.json" <<'PY' || fail "slices' limits in status --json: $(cat "$T/status.json")"
import json, sys
sl = {x["name"]: x for x in json.load(open(sys.argv[1]))["slices"]}
assert sl["box"]["limits"]["memory.max"] == str(100 << 20), sl["box"]
assert sl["box"]["limits"]["pids.max"] == "64", sl["box"]
assert sl["open"]["limits"]["memory.max"] == "max" and sl["open"]["limits"]["pids.max"] == "max", sl["open"]
PY
svctl top -n 1 --json > "$T/top.json" || fail "top --json"
python3 - "$T/top.json" <<'PY' || fail "top --json: $(cat "$T/top.json")"
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
want = {"box.slice": (100 << 20, 64), "open.slice": ("max", "max"), "boxed": (50 << 20, 8),
        "loose": ("max", "max")}
for name, (mem, pids) in want.items():
    assert (rows[name]["memory_max"], rows[name]["pids_max"]) == (mem, pids), rows[name]
PY
svctl top -n 1 > "$T/top.out" || fail "top"
grep -Eq '^box\.slice +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +100M +[0-9]+ +64 ' "$T/top.out" || fail "box.slice: $(cat "$T/top.out")"
stop_svd
