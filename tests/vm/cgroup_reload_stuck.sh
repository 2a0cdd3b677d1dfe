#!/bin/bash
# A service removed by svctl reload whose cgroup still holds a process when
# the switch comes (one stuck in the kernel, here dd's direct write to a
# throttled /dev/ram0, which waits for its bio uninterruptibly and outlives
# SIGKILL): the leaf is logged with what is in it, watched, and removed as
# soon as it is empty. Before, the leaf stayed, unlogged, until a service
# of that name started again (or svd started again), for good if none did.
# In a VM with a pure cgroup v2 hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"

# 4 MiB at 16 KiB/s in one write: over four minutes, uninterruptibly
service stuck <<EOF2
command: [sh, -c, 'dd if=/dev/zero of=/dev/ram0 bs=4M count=1 oflag=direct & exec sleep 100000']
resources: { io_max: ["/dev/ram0 wbps=16384"] }
stop: { timeout: 1s }
EOF2
service other <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state stuck running 30
wait_state other running 30
leaf=$(field stuck cgroup)
[ -n "$leaf" ] && [ -d "$leaf" ] || fail "stuck's leaf: '$leaf'"
wait_for sh -c "grep -q '^State:.*D' /proc/\$(pgrep -x dd)/status"
dd=$(pgrep -x dd)

rm "$T/services/stuck.yaml"
svctl reload > /dev/null || fail "reload"
# (the switch waits up to 5 s for the cgroup after the main process exited)
wait_for grep -q "reload: done: 0 added, 1 removed" "$T/svd.out"
kill -0 "$dd" 2> /dev/null || fail "dd is not stuck any more: the test proves nothing"
[ -d "$leaf" ] || fail "the leaf went with a process in it"
wait_for grep -qF "cgroup: $leaf (service stuck, removed by the reload) is not empty: 1 process in it; removed once it is" "$T/svd.out"

# the write is let through: dd ends (its SIGKILL was waiting), the leaf goes
echo "1:0 wbps=max" > "$leaf/io.max" || fail "cannot lift $leaf/io.max"
wait_for test ! -d "$leaf"
wait_for grep -qF "cgroup: removed $leaf (service stuck, no longer configured), empty now" "$T/svd.out"
assert_eq "$(field other state)" running "other's state"
stop_svd || fail "svd exit status"
echo "cgroup_reload_stuck: ok"
