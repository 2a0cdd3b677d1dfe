#!/bin/bash
# svctl daemon-reexec between svd's SIGKILL at the stop timeout and the exit
# it causes, in a VM with a pure cgroup v2 hierarchy (run by `make
# check-vm`): the new svd knows that SIGKILL was its own (kill_sent is in
# the re-exec snapshot), so the exit after STOPPING=1 is its stop timeout
# ("did not end within its stop timeout after STOPPING=1: ..."), not a
# crash ("killed by SIGKILL after STOPPING=1"). The window is held
# open by a main process stuck in the kernel past SIGKILL: dd's direct write
# to a throttled /dev/ram0 waits for its bio uninterruptibly, until the
# test lifts the throttle (within SVC_KILL_WAIT, 5 s after the SIGKILL).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"

# STOPPING=1 once $T/out/go exists, then the write (4 MiB at 16 KiB/s)
service w <<EOF
type: notify
command:
  - python3
  - -c
  - |
    import os, socket, time
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = os.environ["NOTIFY_SOCKET"]
    s.sendto(b"READY=1", addr)
    while not os.path.exists("$T/out/go"): time.sleep(0.05)
    s.sendto(b"STOPPING=1", addr)
    os.execvp("dd", ["dd", "if=/dev/zero", "of=/dev/ram0", "bs=4M", "count=1", "oflag=direct"])
resources: { io_max: ["/dev/ram0 wbps=16384"] }
restart: "no"
stop: { timeout: 1s }
EOF

start_svd
wait_state w running 30
cg=$(field w cgroup)
[ -n "$cg" ] || fail "w has no cgroup"
pid=$(field w pid)
touch "$T/out/go"
wait_state w stopping 30
wait_for grep -q "w: did not stop within its timeout, sending SIGKILL" "$T/svd.out"
grep -q '^State:.*D' "/proc/$pid/status" || fail "dd is not stuck in the kernel: the test proves nothing"
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
[ -d "/proc/$pid" ] || fail "dd ended before the re-exec was over: the test proves nothing"
assert_eq "$(field w state)" "stopping" "w after the re-exec"

# the throttle lifted: the write ends, and SIGKILL with it
echo "1:0 wbps=max" > "$cg/io.max"
wait_for sh -c "[ ! -d /proc/$pid ]"
wait_state w failed 15
assert_eq "$(field w last_exit)" "killed by SIGKILL" "w: last exit"
assert_eq "$(field w reason)" "did not end within its stop timeout after STOPPING=1: killed by SIGKILL" "w: reason"
! grep -q "did not die after SIGKILL" "$T/svd.out" || fail "svd gave up on dd: the throttle was lifted too late"
stop_svd || fail "svd exit status"
echo "reexec_kill_sent: ok"
