#!/bin/bash
# A service's leaf (and a slice) that exists already when svd (re)uses it, in
# a VM with a pure cgroup v2 hierarchy (run by `make check-vm`):
# - limits that are no longer configured go back to the kernel's defaults
#   (a killed svd left the leaf with the old definition's limits; a reload
#   drops a slice's limit), io_max keys left out of a line included;
# - processes left in the leaf by a killed svd are killed, and the start
#   waits for them to be gone: the new main process is alone in its leaf,
#   and pids_max does not count the dying (the spawn failed with EAGAIN);
# - leftovers that outlive SIGKILL (a write stuck in a throttled device) hold
#   the start only CGROUP_LEFTOVER_WAIT (10 s), with a log line saying so.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"

# kill_svd: as a crash would (leaves stay, with whatever is in them), and
# without its state file, so nothing is taken over by the next one
kill_svd() {
        kill -KILL "$SVD_PID"
        wait "$SVD_PID" 2> /dev/null || true
        SVD_PID=
        rm -f "$T/run/state.json"
}

# ---- limits of a reused leaf and of a reloaded slice ----
cat > "$T/cgroups/box.yaml" <<EOF
memory_max: 100M
pids_max: 64
cpus: 0.5
EOF
service lim <<EOF
command: [sleep, "100000"]
slice: box
resources:
  memory_max: 64M
  memory_high: 48M
  memory_low: 8M
  memory_min: 4M
  memory_swap_max: 0
  cpus: 0.5
  cpu_weight: 300
  pids_max: 50
  io_weight: 70
  io_max: ["/dev/ram0 rbps=1M wbps=2M riops=100"]
  cpuset_cpus: "0"
EOF
start_svd
wait_state lim running 30
cg=$(field lim cgroup)
assert_eq "$(cat "$cg/memory.max") $(cat "$cg/pids.max") $(cat "$cg/cpuset.cpus")" "67108864 50 0" "lim's limits"
svctl stop lim > /dev/null
wait_state lim stopped
kill_svd
[ -d "$cg" ] || fail "$cg went with svd"
service lim <<EOF
command: [sleep, "100000"]
slice: box
resources:
  memory_high: 30M
  io_max: ["/dev/ram0 wbps=1M"]
EOF
start_svd
wait_state lim running 30
assert_eq "$(field lim cgroup)" "$cg" "the same leaf"
assert_eq "$(cat "$cg/memory.high")" 31457280 "memory.high (configured)"
for kv in memory.max=max memory.low=0 memory.min=0 memory.swap.max=max "cpu.max=max 100000" cpu.weight=100 \
        pids.max=max "io.weight=default 100" cpuset.cpus=; do
        assert_eq "$(cat "$cg/${kv%%=*}")" "${kv#*=}" "${kv%%=*} once no longer configured"
done
assert_eq "$(cat "$cg/io.max")" "1:0 rbps=max wbps=1048576 riops=max wiops=max" "io.max: only what the line says"

# a slice's limit dropped by a reload goes too
slice=$(dirname "$cg")
assert_eq "$(cat "$slice/pids.max") $(cat "$slice/cpu.max")" "64 50000 100000" "box.slice before the reload"
echo "memory_max: 200M" > "$T/cgroups/box.yaml"
svctl reload > "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
wait_for sh -c "[ \"\$(cat $slice/memory.max)\" = 209715200 ]"
assert_eq "$(cat "$slice/pids.max") $(cat "$slice/cpu.max")" "max max 100000" "box.slice after the reload"
stop_svd || fail "svd exit status"

# ---- leftovers of a killed svd: killed, and waited for ----
rm -f "$T"/services/*.yaml
service many <<EOF
command: [/bin/sh, -c, 'if [ -e $T/out/again ]; then n=0; while read p; do n=\$((n+1)); done < /sys/fs/cgroup\$(sed -n "s/^0:://p" /proc/self/cgroup)/cgroup.procs; echo \$n > $T/out/alone; exec sleep 100000; fi; for i in \$(seq 200); do sleep 100000 & done; wait']
resources: { pids_max: 300 }
EOF
start_svd
wait_state many running 30
cg=$(field many cgroup)
wait_for sh -c "[ \$(wc -l < $cg/cgroup.procs) -ge 201 ]"
kill_svd
# fewer pids allowed than the leftovers hold: they must be gone first
sed -i 's/pids_max: 300/pids_max: 20/' "$T/services/many.yaml"
touch "$T/out/again"
start_svd
wait_state many running 60
wait_for test -s "$T/out/alone"
assert_eq "$(cat "$T/out/alone")" 1 "processes in many's leaf when its new main process began"
grep -q "many: processes left in $cg from an earlier run; killed them, its start waits up to 10 s" "$T/svd.out" ||
        fail "leftovers not logged"
grep -q "many: the processes left in $cg are gone, [0-9]* ms after SIGKILL" "$T/svd.out" || fail "their end not logged"
stop_svd || fail "svd exit status"

# ---- leftovers that outlive SIGKILL: the wait is bounded ----
# dd's direct write of 1 MiB at 16 KiB/s (a minute) waits for its bio uninterruptibly:
# SIGKILL cannot end it until the throttle is lifted
rm -f "$T"/services/*.yaml
service stuck <<EOF
command: [/bin/sh, -c, 'if [ ! -e $T/out/stuck ]; then touch $T/out/stuck; exec dd if=/dev/zero of=/dev/ram0 bs=1M count=1 oflag=direct; fi; exec sleep 100000']
resources: { io_max: ["/dev/ram0 wbps=16384"] }
EOF
start_svd
wait_state stuck running 30
cg=$(field stuck cgroup)
wait_for sh -c "grep -q '^State:.*D' /proc/\$(head -n 1 $cg/cgroup.procs)/status"
kill_svd
t0=$(date +%s)
start_svd
wait_state stuck waiting 10
case "$(field stuck reason)" in "waiting for the processes left in $cg to exit") ;; *) fail "stuck reason: $(field stuck reason)" ;; esac
wait_state stuck running 60
took=$(( $(date +%s) - t0 ))
[ "$took" -ge 9 ] || fail "stuck started after ${took}s, before its leftovers' 10 s were over"
grep -q "stuck: processes left in $cg are still there 10 s after SIGKILL (stuck in the kernel?); the service is started beside them" \
        "$T/svd.out" || fail "the end of the wait not logged"
# the throttle lifted, the write ends and dd dies of its SIGKILL
echo "1:0 wbps=max" > "$cg/io.max"
wait_for sh -c "[ \$(wc -l < $cg/cgroup.procs) = 1 ]"
stop_svd || fail "svd exit status"
echo "cgroup_reuse: ok"
