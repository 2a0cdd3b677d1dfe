#!/bin/bash
# An exec health check that outlives SIGKILL at its timeout (stuck in the
# kernel: here dd's direct write to a throttled /dev/ram0, which waits for
# its bio uninterruptibly) in a VM with a pure cgroup v2 hierarchy (run by
# `make check-vm`). svd no longer waits for it: HEALTH_KILL_GRACE (5 s)
# after the SIGKILL the check counts as failed, naming the stuck process,
# and every check due while it is still there fails too (a second one never
# runs beside it), so the service turns unhealthy instead of keeping its
# last health for as long as the kernel holds the process. A restart while
# it is still there: the new run's checks wait for it and say so. Once it
# is gone, the checks run again.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"
modprobe brd rd_nr=1 rd_size=8192 || fail "modprobe brd"
[ -b /dev/ram0 ] || fail "no /dev/ram0"

# the first check writes 4 MiB at 16 KiB/s in one write (over four minutes,
# uninterruptibly); the next ones pass
service stuck <<EOF
command: [sleep, "100000"]
resources: { io_max: ["/dev/ram0 wbps=16384"] }
healthcheck:
  exec: [/bin/sh, -c, 'if [ -e $T/out/once ]; then exit 0; fi; touch $T/out/once; exec dd if=/dev/zero of=/dev/ram0 bs=4M count=1 oflag=direct']
  timeout: 5s # (dd reaches its write well before, even in a loaded VM)
  start_interval: 500ms
  interval: 500ms
  start_period: 100ms
  retries: 3
  on_unhealthy: none
EOF

start_svd
wait_state stuck running 30
cg=$(field stuck cgroup)
wait_for test -e "$T/out/once"
wait_for sh -c "grep -q '^State:.*D' /proc/\$(pgrep -x dd)/status"
t0=$(date +%s)
wait_field stuck health unhealthy 15
echo "unhealthy $(( $(date +%s) - t0 )) s after the stuck check started"
last=$(field stuck last_probe)
case "$last" in
*"did not exit"*"after SIGKILL"*) ;;
*) fail "last_probe: '$last'" ;;
esac
pgrep -x dd > /dev/null || fail "dd is not stuck any more: the test proves nothing"
# no second check ran beside the stuck one
assert_eq "$(pgrep -x dd | wc -l)" 1 "dd processes"

# restarted while the check is still stuck: the new run's checks wait for
# it, uncounted, and say why (once in the log, in last_probe at each tick);
# they used to be skipped silently, the health staying "starting"
svctl restart stuck > /dev/null || fail "svctl restart stuck"
# (the restart waits 15 s for the stuck process to leave the cgroup first)
wait_state stuck running 30
wait_for grep -q "stuck: the check of the previous run (pid [0-9]*) has not exited yet (stuck in the kernel?): not run beside it" "$T/svd.out"
case "$(field stuck last_probe)" in
"the check of the previous run"*) ;;
*) fail "last_probe after the restart: '$(field stuck last_probe)'" ;;
esac
assert_eq "$(field stuck health)" "starting" "health while the old check is stuck"
sleep 1.5 # three start_interval ticks
assert_eq "$(grep -c 'the check of the previous run' "$T/svd.out")" 1 "log lines about the old check"
pgrep -x dd > /dev/null || fail "dd is not stuck any more: the test proves nothing"

# the throttle lifted: the stuck check ends, the checks run again and pass
echo "1:0 wbps=max" > "$cg/io.max"
wait_for sh -c "! pgrep -x dd > /dev/null"
wait_field stuck health healthy 15
stop_svd
