#!/bin/bash
# An exec health check runs in a cgroup of its own below its service's leaf
# (<leaf>/svd-check), in a VM with a pure cgroup v2 hierarchy (run by `make
# check-vm`): a process the check started that left its process group with
# setsid() is killed when the check ends, whether the check exited by
# itself or was killed at its timeout; the check still counts against the
# service's cgroup; after daemon-reexec the checks of a service taken over
# still run there (not in svd's own cgroup); and the leaf, check cgroup and
# all, is removed when the service goes.
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

# check.sh NAME MODE SECS: records its cgroup, starts "sleep SECS" in a
# session of its own (setsid), waits until that one is there, then exits 0
# (MODE quick) or hangs past its timeout (MODE hang)
cat > "$T/out/check.sh" <<EOF
#!/bin/sh
cat /proc/self/cgroup >> "$T/out/\$1.cg"
rm -f "$T/out/\$1.esc"
setsid sh -c 'echo \$\$ > "$T/out/\$0.tmp"; mv "$T/out/\$0.tmp" "$T/out/\$0.esc"; exec sleep \$1' "\$1" "\$3" &
while [ ! -s "$T/out/\$1.esc" ]; do sleep 0.05; done
[ "\$2" = hang ] && exec sleep 1000
exit 0
EOF
chmod 755 "$T/out/check.sh"

service quick <<EOF
command: [sleep, "100000"]
healthcheck:
  exec: [$T/out/check.sh, quick, quick, "4243"]
  start_interval: 500ms
  interval: 2s
EOF
service hang <<EOF
command: [sleep, "100000"]
healthcheck:
  exec: [$T/out/check.sh, hang, hang, "4244"]
  timeout: 2s
  start_interval: 500ms
  interval: 1h
  retries: 1000
EOF

# escapees SECS: how many "sleep SECS" are alive
escapees() { pgrep -f -x "sleep $1" | wc -l; }

start_svd
wait_field quick health healthy 30
cg=$(field quick cgroup)
[ -n "$cg" ] && [ -d "$cg" ] || fail "quick has no cgroup: '$cg'"
# the escapee of every check so far is gone
wait_for sh -c "[ \$(pgrep -f -x 'sleep 4243' | wc -l) = 0 ]"
# a check killed at its timeout: its escapee goes with it
# (the next check removes hang.esc before it writes its own: read until a
# pid is there, as any timed-out check's escapee must go)
esc=
for _ in $(seq 400); do
        esc=$(cat "$T/out/hang.esc" 2> /dev/null || true)
        [ -n "$esc" ] && break
        sleep 0.05
done
[ -n "$esc" ] || fail "hang's check never recorded its escapee"
wait_field hang last_probe 'timed out after 2s' 30
wait_for sh -c "! kill -0 $esc 2>/dev/null"
[ "$(escapees 4244)" -le 1 ] || fail "escapees of hang's timed out checks: $(escapees 4244)"
# the checks ran below the service's leaf
grep -qx "0::${cg#/sys/fs/cgroup}/svd-check" "$T/out/quick.cg" ||
        fail "the check ran in $(cat "$T/out/quick.cg"), not in ${cg#/sys/fs/cgroup}/svd-check"

# daemon-reexec: the checks of the services taken over still run below
# their leaf
svctl daemon-reexec > /dev/null
wait_for grep -q 'daemon-reexec: [0-9]* services taken over' "$T/svd.out"
: > "$T/out/quick.cg"
wait_for test -s "$T/out/quick.cg"
grep -qx "0::${cg#/sys/fs/cgroup}/svd-check" "$T/out/quick.cg" ||
        fail "after daemon-reexec the check ran in $(cat "$T/out/quick.cg"), not below ${cg#/sys/fs/cgroup}"
wait_for sh -c "[ \$(pgrep -f -x 'sleep 4243' | wc -l) = 0 ]"

# stopped: nothing left, and the leaf with its check cgroup is removed
svctl stop quick > /dev/null
svctl stop hang > /dev/null
wait_state quick stopped 30
wait_state hang stopped 30
wait_for sh -c "[ \$(pgrep -f -x 'sleep 424[34]' | wc -l) = 0 ]"
stop_svd
[ ! -d "$cg" ] || fail "$cg is still there: $(ls "$cg")"
