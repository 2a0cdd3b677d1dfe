#!/bin/bash
# The stop of a no-longer-configured service's cgroup (orphanstop_cg.h) ends
# when the cgroup is empty (its cgroup.events: populated 0), not at its stop
# timeout: its kill timer ran on after everything in it had ended, and a
# service of that name added back meanwhile, which runs in the same leaf,
# was killed by it when the timeout was up (x). It ends too when a service
# of that name added back takes the leaf, killing what is left in it before
# its start (w, whose old process ignores its stop signal). z ignores its
# stop signal: its SIGKILL, due when x's and w's cgroup kills would be,
# marks that the timeout is up. In a VM with a pure cgroup v2 hierarchy
# (`make check-vm`).
# (a stop timeout long enough for a re-exec and a reload in a loaded TCG guest)
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
cat >> "$T/etc/svd.yaml" <<EOF2
  stop: { timeout: 45s }
cgroups: required
EOF2
service a <<EOF2
command: [sleep, "100000"]
EOF2
service x <<EOF2
command: [sleep, "100000"]
EOF2
service w <<EOF2
command: [sh, -c, 'trap "" TERM; exec sleep 100000']
EOF2
service z <<EOF2
command: [sh, -c, 'trap "" TERM; exec sleep 100000']
EOF2
logged() { grep -qF -- "$1" "$T/svd.out"; }
count() { grep -cF -- "$1" "$T/svd.out" || true; }
zpid= wold=
finish() {
        cleanup
        [ -z "$zpid" ] || kill -9 "$zpid" 2> /dev/null || true
        [ -z "$wold" ] || kill -9 "$wold" 2> /dev/null || true
}
trap finish EXIT

start_svd
wait_state x running 30
wait_state w running 30
wait_state z running 30
xleaf=$(field x cgroup) zpid=$(field z pid) wleaf=$(field w cgroup) wold=$(field w pid)
# w and z are running once spawned, before their sh ran `trap "" TERM`: a
# SIGTERM before would end them at once. Their sleep, exec'd after the
# trap, inherits it.
wait_for grep -qx sleep "/proc/$wold/comm"
wait_for grep -qx sleep "/proc/$zpid/comm"
[ "$(basename "$xleaf")" = x.service ] || fail "x's leaf: $xleaf"
mv "$T/services/x.yaml" "$T/x.yaml"
rm "$T/services/z.yaml" "$T/services/w.yaml"
n=$(count "daemon-reexec: ")
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for eval '[ "$(count "daemon-reexec: ")" -gt '"$n"' ]'
wait_for svctl status
logged "x: no longer configured; stopping its cgroup $xleaf (" || fail "x's cgroup stop was not logged"
logged "z: no longer configured; stopping its pid $zpid" || fail "z's stop was not logged"
logged "w: no longer configured; stopping its cgroup $wleaf (" || fail "w's cgroup stop was not logged"
# x's sleep ends at its stop signal: its leaf is empty and removed
wait_for test ! -d "$xleaf"
wait_for logged "cgroup: removed $xleaf (service x, no longer configured), empty now"

# x and w added back: they run in leaves at the same paths, w once its old
# process left there was killed
mv "$T/x.yaml" "$T/services/x.yaml"
service w <<EOF2
command: [sleep, "100000"]
EOF2
kill -0 "$wold" || fail "w's old process ended at its stop signal: the test proves nothing"
svctl reload > /dev/null || fail "reload"
wait_state x running 30
wait_state w running 30
xpid=$(field x pid) wpid=$(field w pid)
assert_eq "$(field x cgroup)" "$xleaf" "x's leaf after it was added back"
assert_eq "$(field w cgroup)" "$wleaf" "w's leaf after it was added back"
logged "w: processes left in $wleaf from an earlier run; killed them" || fail "w's leftover was not killed"
kill -0 "$zpid" || fail "z ended before x was back: the test proves nothing"
logged "did not stop within" && fail "the stop timeout was up before x was back: the test proves nothing"

# the stop timeout is up (z killed), then one more turn of svd's loop
SCALE=$((SCALE * 3)) wait_for logged "z: pid $zpid (no longer configured) did not stop within 45s; sending SIGKILL"
svctl status > /dev/null || fail "status"
logged "x: cgroup $xleaf (no longer configured) still holds processes" &&
        fail "the new x's processes were killed by the old x's cgroup stop"
logged "w: cgroup $wleaf (no longer configured) still holds processes" &&
        fail "the new w's processes were killed by the old w's cgroup stop"
assert_eq "$(field w pid)" "$wpid" "w's pid after the stop timeout"
logged "w: cgroup $wleaf (no longer configured) is a service's again" ||
        fail "the end of w's cgroup stop was not logged"
assert_eq "$(field x pid)" "$xpid" "x's pid after the stop timeout"
assert_eq "$(field x state)" running "x's state after the stop timeout"
grep -qx "$xpid" "$xleaf/cgroup.procs" || fail "x's pid $xpid not in $xleaf"
logged "x: cgroup $xleaf (no longer configured) is empty now; its stop is done" ||
        fail "the end of x's cgroup stop was not logged"
stop_svd || fail "svd exit status"
echo "orphan_stop_cgroup_empty: ok"
