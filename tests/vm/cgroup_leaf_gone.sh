#!/bin/bash
# A removed service's leaf directly below svd's root cgroup that still
# holds processes when svd starts (the service was removed from the files
# while a killed svd was down, its process left running) is watched and
# removed as soon as it is empty, as a removed slice's is, and logged: when
# svd itself stops that process (the state names it), and when nothing
# names it and it ends later. Before, only slices were watched: the leaf
# stayed until a service of that name started again. In a VM with a pure
# cgroup v2 hierarchy (run by `make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
echo "cgroups: required" >> "$T/etc/svd.yaml"

service old <<EOF2
command: [sleep, "100000"]
EOF2
service other <<EOF2
command: [sleep, "100001"]
EOF2
start_svd
wait_state old running 30
wait_state other running 30
leaf=$(field old cgroup) pid=$(field old pid)
[ "$(basename "$leaf")" = old.service ] || fail "old's leaf: $leaf"

# svd killed, old removed: the next svd finds it in its state and stops it
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
SVD_PID=
rm "$T/services/old.yaml"
start_svd
wait_state other running 30
wait_for grep -qF "cgroup: $leaf is no longer in the configuration but holds processes; left there until it is empty" "$T/svd.out"
grep -q "old: no longer configured; stopping its pid $pid" "$T/svd.out" || fail "old's process not stopped"
wait_for test ! -d "$leaf"
wait_for grep -qF "cgroup: removed $leaf (service old, no longer configured), empty now" "$T/svd.out"

# again, with no state to name the process: it runs on; its leaf goes once
# it has ended
service old <<EOF2
command: [sleep, "100000"]
EOF2
svctl reload > /dev/null || fail "reload"
wait_state old running 30
leaf=$(field old cgroup) pid=$(field old pid)
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
SVD_PID=
rm "$T/services/old.yaml"
rm -f "$T"/run/state.json* "$T"/run/state.journal*
start_svd
wait_state other running 30
wait_for grep -qF "cgroup: $leaf is no longer in the configuration but holds processes; left there until it is empty" "$T/svd.out"
[ -d "$leaf" ] || fail "the leaf went with a process in it"
grep -qx "$pid" "$leaf/cgroup.procs" || fail "old's process $pid not in $leaf"
kill -KILL "$pid"
wait_for test ! -d "$leaf"
wait_for grep -qF "cgroup: removed $leaf (service old, no longer configured), empty now" "$T/svd.out"
stop_svd || fail "svd exit status"
echo "cgroup_leaf_gone: ok"
