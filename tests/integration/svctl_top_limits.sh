#!/bin/bash
# svctl top shows each service's memory and pids limit beside its use
# (MEMMAX and PIDMAX; memory_max and pids_max in --json), from the "limits"
# svd's status reply carries (memory.max and pids.max as the kernel has
# them): a number, "max" for no limit, and "-" (null) where svd sent none
# (no cgroup; a slice, from an svd that sent only services' limits) or a
# value that is no limit (a negative number, not a string).
# tests/helpers/fakestatus.py plays svd: this machine's services may have no
# cgroup to limit (tests/vm/top_slice_limits.sh: a real svd's).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

cat > "$T/r.json" <<'JSON'
[{"v": 1, "ok": true, "services": [
  {"name": "db", "state": "running", "pid": 10, "restarts": 0, "oom_kills": 0, "cpu_usage_usec": 1000,
   "cpu_throttled_usec": 0, "memory_current": 1048576, "pids_current": 3,
   "limits": {"memory.max": "268435456", "memory.high": "max", "pids.max": "512", "cpu.max": "max 100000"}},
  {"name": "free", "state": "running", "pid": 11, "restarts": 0, "oom_kills": 0, "memory_current": 2048,
   "pids_current": 1, "limits": {"memory.max": "max", "pids.max": "max"}},
  {"name": "nocg", "state": "running", "pid": 12, "restarts": 0, "oom_kills": 0},
  {"name": "odd", "state": "running", "pid": 13, "restarts": 0, "oom_kills": 0,
   "limits": {"memory.max": "-5", "pids.max": 7}}],
 "slices": [{"name": "box", "cpu_usage_usec": 1, "cpu_throttled_usec": 0, "memory_current": 4096,
             "pids_current": 1}]}]
JSON
fctl "$T/r.json" top -n 1 --sort name > "$T/top.out" || fail "top: $(cat "$T/top.out")"
head -n 1 "$T/top.out" | grep -Eq '^NAME +STATE +CPU% +THR% +MEM +PEAK +MEMMAX +PIDS +PIDMAX +OOM +RESTARTS$' ||
        fail "header: $(cat "$T/top.out")"
grep -Eq '^db +running +- +- +1M +- +256M +3 +512 +0 +0$' "$T/top.out" || fail "db: $(cat "$T/top.out")"
grep -Eq '^free +running +- +- +2K +- +max +1 +max +0 +0$' "$T/top.out" || fail "free: $(cat "$T/top.out")"
grep -Eq '^nocg +running +- +- +- +- +- +- +- +0 +0$' "$T/top.out" || fail "nocg: $(cat "$T/top.out")"
grep -Eq '^odd +running +- +- +- +- +- +- +- +0 +0$' "$T/top.out" || fail "odd: $(cat "$T/top.out")"
grep -Eq '^box\.slice +- +- +4K +- +- +1 +- +- +-$' "$T/top.out" || fail "box.slice: $(cat "$T/top.out")"

fctl "$T/r.json" top -n 1 --json > "$T/top.json" || fail "top --json: $(cat "$T/top.json")"
python3 - "$T/top.json" <<'PY' || fail "top --json: $(cat "$T/top.json")"
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
want = {"db": (268435456, 512), "free": ("max", "max"), "nocg": (None, None), "odd": (None, None),
        "box.slice": (None, None)}
for name, (mem, pids) in want.items():
    r = rows[name]
    assert (r["memory_max"], r["pids_max"]) == (mem, pids), r
PY
echo ok
