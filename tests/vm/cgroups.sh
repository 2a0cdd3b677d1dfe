#!/bin/bash
# cgroup v2 limits with real svd in a VM with a pure cgroup v2 hierarchy
# (run by `make check-vm` through ../shared/vm/vmrun; one VM boot for all of
# these): OOM kill counted and restarted without touching a sibling, a fork
# bomb contained by pids_max, cpus throttled, a slice limit shared by its
# services and changed in place by a reload, double-forking leftovers gone
# after a stop, start_when gating.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

cat > "$T/cgroups/box.yaml" <<EOF
memory_max: 100M
EOF
service hog <<EOF
command: [python3, -c, "import time; b = bytearray(200 * 1024 * 1024); time.sleep(1000)"]
resources: { memory_max: 50M, memory_swap_max: 0 }
restart: always
backoff: { initial: 1s, max: 2m, factor: 100 }   # one quick restart, then quiet
EOF
service sibling <<EOF
command: [sleep, "100000"]
EOF
service bomb <<EOF
command: [/bin/sh, -c, 'while :; do sleep 1000 & done']
resources: { pids_max: 32 }
restart: "no"
EOF
service busy <<EOF
command: [/bin/sh, -c, 'while :; do :; done']
resources: { cpus: 0.2 }
EOF
for n in a b; do
service box_$n <<EOF
slice: box
command: [python3, -c, "import time; b = bytearray(70 * 1024 * 1024); time.sleep(1000)"]
restart: "no"
EOF
done
service stubborn <<EOF
command: [/bin/sh, -c, '(setsid sh -c "trap \"\" TERM; while :; do sleep 30; done" &); trap "" TERM; while :; do sleep 30; done']
stop: { timeout: 1s }
EOF
service huge <<EOF
command: [sleep, "100000"]
start_when: { memory_available: 64G }
EOF
service small <<EOF
command: [sleep, "100000"]
start_when: { memory_available: 10M }
EOF

start_svd
sib=$(field sibling pid)
wait_state small running 60
assert_eq "$(field huge state)" "waiting" "huge waits"
case "$(field huge reason)" in "waiting (memory): 64G available needed"*) ;; *) fail "huge reason: $(field huge reason)";; esac

# OOM: counted, restarted by policy, sibling untouched
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print([s.get(\"oom_kills\",0) for s in json.load(sys.stdin)[\"services\"] if s[\"name\"]==\"hog\"][0])')\" -ge 1 ]"
grep -q 'hog: the OOM killer killed a process' "$T/svd.out" || fail "OOM not logged"
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print([s[\"restarts\"] for s in json.load(sys.stdin)[\"services\"] if s[\"name\"]==\"hog\"][0])')\" -ge 1 ]"
assert_eq "$(field sibling pid)" "$sib" "sibling pid unchanged"

# pids_max contains the fork bomb (the shell dies when fork fails); svd
# still answers and can spawn
wait_state bomb failed 30
grep -q "Cannot fork" "$T/log/bomb.log" || fail "bomb was not stopped by pids_max"
bcg=$(field bomb cgroup)
grep -Eq '^max [1-9]' "$bcg/pids.events" || fail "pids.events: $(cat "$bcg/pids.events")"
svctl restart sibling > /dev/null || fail "svd cannot act during the fork bomb"
wait_state sibling running
sib=$(field sibling pid)

# cpus: 0.2 -> throttled, ~20% of one CPU
u1=$(field busy cpu_usage_usec); t1=$(now)
sleep 3
u2=$(field busy cpu_usage_usec); t2=$(now)
pct=$(python3 -c "print(100.0 * ($u2 - $u1) / 1e6 / ($t2 - $t1))")
echo "busy: ${pct}% of a CPU, nr_throttled $(field busy nr_throttled)"
[ "$(field busy nr_throttled)" -gt 0 ] || fail "busy not throttled"
python3 -c "import sys; sys.exit(0 if 10 <= $pct <= 30 else 1)" || fail "busy used ${pct}%, want about 20%"

# svctl top: the busiest first when sorted by CPU, slices listed too
svctl top -n 2 -d 1 --sort cpu > "$T/top.out" || fail "svctl top"
first=$(awk '/^NAME/ {n++; next} n == 2 {print $1; exit}' "$T/top.out")
assert_eq "$first" "busy" "top's busiest service"
grep -q '^box.slice' "$T/top.out" || fail "top lacks slices: $(cat "$T/top.out")"

# the slice's 100M is shared: 2 x 70M cannot both live
wait_for sh -c "$SVCTL -s $SOCK status --json | python3 -c 'import json,sys; s={x[\"name\"]:x for x in json.load(sys.stdin)[\"services\"]}; sys.exit(0 if s[\"box_a\"].get(\"oom_kills\",0)+s[\"box_b\"].get(\"oom_kills\",0) >= 1 else 1)'"

# svctl metrics: every family of the issue, labelled by service and slice,
# with the cgroup's figures (the exposition the node_exporter test scrapes)
svctl metrics > "$T/metrics.out" || fail "svctl metrics"
python3 - "$T/metrics.out" <<'PY' || fail "metrics: $(grep -v '^#' "$T/metrics.out")"
import re, sys
v = {}
for line in open(sys.argv[1]):
    m = re.match(r'^(\w+)\{service="([^"]*)",slice="([^"]*)"\} (\S+)$', line)
    if m:
        v[(m.group(1), m.group(2))] = (m.group(3), float(m.group(4)))
def get(f, s):
    if (f, s) not in v:
        sys.exit("no %s for %s" % (f, s))
    return v[(f, s)]
for f in ["svd_service_up", "svd_service_healthy", "svd_service_restarts_total", "svd_service_oom_kills_total",
          "svd_service_cpu_seconds_total", "svd_service_memory_bytes", "svd_log_dropped_bytes_total"]:
    get(f, "sibling")
assert get("svd_service_up", "sibling") == ("", 1), get("svd_service_up", "sibling")
assert get("svd_service_oom_kills_total", "hog")[1] >= 1, "hog's OOM kills"
assert get("svd_service_restarts_total", "hog")[1] >= 1, "hog's restarts"
assert get("svd_service_cpu_seconds_total", "busy")[1] > 0.05, "busy's CPU seconds"
oom = get("svd_service_oom_kills_total", "box_a")[1] + get("svd_service_oom_kills_total", "box_b")[1]
assert oom >= 1, "box OOM kills"
assert get("svd_service_oom_kills_total", "box_a")[0] == "box", "box_a's slice label"
alive = [s for s in ("box_a", "box_b") if get("svd_service_up", s)[1] == 1]
assert alive, "one box service runs"
assert get("svd_service_memory_bytes", alive[0]) [0] == "box", "slice label of the memory series"
assert get("svd_service_memory_bytes", alive[0])[1] > 60e6, "the 70M box service's memory"
PY

# reload: a slice's new limit applies in place, nobody restarts
slice_dir=$(dirname "$(field box_a cgroup)")
assert_eq "$(cat "$slice_dir/memory.max")" "104857600" "box.slice memory.max before reload"
sib=$(field sibling pid) box_pid=$(field box_a pid)$(field box_b pid)
echo "memory_max: 300M" > "$T/cgroups/box.yaml"
svctl reload > "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
grep -q "0 to add, 0 to remove, 0 changed" "$T/reload.out" || fail "slice limit counted as a change: $(cat "$T/reload.out")"
wait_for sh -c "[ \"\$(cat $slice_dir/memory.max)\" = 314572800 ]"
assert_eq "$(field sibling pid)" "$sib" "sibling after reload"
assert_eq "$(field box_a pid)$(field box_b pid)" "$box_pid" "box services after reload"

# stop: the double-forked, TERM-ignoring grandchild is gone with its cgroup
cg=$(field stubborn cgroup)
[ -n "$cg" ] && [ -d "$cg" ] || fail "no cgroup for stubborn"
[ "$(wc -l < "$cg/cgroup.procs")" -ge 2 ] || fail "stubborn has fewer than 2 processes"
svctl stop stubborn > /dev/null
wait_state stubborn stopped
assert_eq "$(cat "$cg/cgroup.procs" 2>/dev/null | wc -l)" "0" "stubborn's cgroup is empty"
grep -q '^populated 0' "$cg/cgroup.events" || fail "cgroup.events not empty"

# stopping a memory hog lets a borderline waiter start
stop_svd || fail "svd exit status"
rm -f "$T"/services/*.yaml
avail=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
need=$(( avail / 1024 - 150 ))   # MiB: satisfied without the 300M hog, not with it
service bighog <<EOF
type: notify
command: [python3, -c, "import os, socket, time; b = bytearray(300 * 1024 * 1024); socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'READY=1', os.environ['NOTIFY_SOCKET']); time.sleep(1000)"]
EOF
service edge <<EOF
command: [sleep, "100000"]
enabled: false
start_when: { memory_available: ${need}M }
EOF
start_svd
wait_state bighog running 60
svctl start edge > /dev/null
wait_state edge waiting 10
case "$(field edge reason)" in "waiting (memory):"*) ;; *) fail "edge reason: $(field edge reason)";; esac
svctl stop bighog > /dev/null
wait_state edge running 30
stop_svd || fail "svd exit status"
echo "cgroups: ok"
