#!/bin/bash
# A main process svd took over (not its child) that ended while svd was
# down, its cgroup still holding a process: the exit is "exit status
# unknown", and it waits for the leaf to empty (up to 5 s). A state written
# in that wait, read by the next svd after a kill -9, must keep the exit
# unknown. It kept the 255 that stands for it (a failure for the restart
# policy) but not the flag, so the next svd reported "exited 255" once the
# leaf was empty. In a VM with a pure cgroup v2 hierarchy (run by `make
# check-vm`). The wait is held open by a process stuck in the kernel past
# SIGKILL: dd's direct write to a throttled /dev/ram0 waits for its bio
# uninterruptibly, until the test lifts the throttle. svd stops itself
# (tests/helpers/stopstate.so) right after writing a state with that wait,
# so the test kills it in the wait however slow the VM is.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
command -v jq > /dev/null || fail "jq is needed"
STOP_SO=$TOP_BUILDDIR/tests/helpers/stopstate.so
[ -f "$STOP_SO" ] || fail "no $STOP_SO"
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"
mkdir "$T/stop"

# 4 MiB at 16 KiB/s in one write: over four minutes, uninterruptibly
service quits <<EOF2
restart: "no"
command: [sh, -c, 'dd if=/dev/zero of=/dev/ram0 bs=4M count=1 oflag=direct & exec sleep 100000']
resources: { io_max: ["/dev/ram0 wbps=16384"] }
EOF2

# quits' field KEY in state.json
state_field() { jq -r --arg k "$1" '.services[] | select(.name == "quits") | .[$k]' "$T/run/state.json"; }
# the svd that runs is killed (SIGKILL) and reaped; $@ runs while none
# does; then one with stopstate.so, armed: it stops itself at its first
# state write with the wait, maybe before it answers on its socket (not
# start_svd, which asks it)
restart_armed() {
        kill -KILL "$SVD_PID"
        wait "$SVD_PID" 2> /dev/null || true
        [ $# -eq 0 ] || "$@"
        touch "$T/stop/arm"
        STOPSTATE_DIR=$T/stop LD_PRELOAD=$STOP_SO ASAN_OPTIONS=verify_asan_link_order=0:${ASAN_OPTIONS:-} \
                "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
        SVD_PID=$!
}
# svd stopped itself after the state write that has the wait: that state
# file is the one the next svd reads (svd is killed before any other write)
stopped_in_wait() {
        wait_for test -f "$T/stop/stopped"
        rm "$T/stop/stopped"
        wait_for grep -q '^State:.*T' "/proc/$SVD_PID/status"
        [ "$(state_field exit_pending)" = true ] && [ "$(state_field pending_status)" = 65280 ] ||
                fail "state.json: $(cat "$T/run/state.json")"
        [ -d "/proc/$dd" ] || fail "dd ended: the test proves nothing"
}
# lifts the throttle: dd's write ends, and its SIGKILL with it
unstick() {
        echo "1:0 wbps=max" > "$cg/io.max" || fail "cannot lift $cg/io.max"
        wait_for sh -c "[ ! -d /proc/$dd ]"
        wait_for grep -qx 'populated 0' "$cg/cgroup.events"
}
has_exit() { [ -n "$(field quits last_exit)" ]; }

start_svd
wait_state quits running 30
pid=$(field quits pid)
cg=$(field quits cgroup)
[ -n "$cg" ] && [ -d "$cg" ] || fail "quits' leaf: '$cg'"
wait_for sh -c "[ -n \"\$(pgrep -x dd)\" ]"
dd=$(pgrep -x dd)
grep -qxF "0::${cg#/sys/fs/cgroup}" "/proc/$dd/cgroup" || fail "dd is not in $cg: $(cat "/proc/$dd/cgroup")"
wait_for grep -q '^State:.*D' "/proc/$dd/status"
wait_for sh -c "[ \"\$(jq -r '.services[] | select(.name == \"quits\") | .pid' '$T/run/state.json')\" = '$pid' ]"

# svd stopped, quits' main process ends (svd's zombie), svd killed: the
# zombie goes to init, which reaps it. The next svd takes quits over from
# state.json: its main process is gone, how it ended is unknown, and the
# exit waits for the leaf, which dd holds. Its first state write (right
# after the take-over) is in the wait.
kill -STOP "$SVD_PID"
kill -TERM "$pid"
restart_armed wait_for sh -c "[ ! -d /proc/$pid ]"
stopped_in_wait
grep -q "quits: pid $pid ended while svd was down; its exit status is unknown" "$T/svd.out" ||
        fail "quits' main process was not found gone at the take-over"

# a kill -9 in the wait: the next svd takes the wait over (the leaf is still
# held), and writes it again
restart_armed
stopped_in_wait

# another kill -9 in the wait: the next svd finds the leaf empty
crash_restart_svd unstick
wait_for has_exit
assert_eq "$(field quits last_exit)" "exit status unknown" "quits' last exit"
assert_eq "$(field quits state)" "failed" "quits' state"
svctl status > "$T/st"
! grep -q "exited 255" "$T/st" || fail "status: $(cat "$T/st")"
grep -q "^quits .*exit status unknown" "$T/st" || fail "status: $(cat "$T/st")"
stop_svd || fail "svd exit status"
echo "takeover_unknown_pending: ok"
