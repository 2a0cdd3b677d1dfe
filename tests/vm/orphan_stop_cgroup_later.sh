#!/bin/bash
# A service added back (enabled: false) while the stop of its old cgroup
# (no longer configured at a daemon-reexec) is still under way, and started
# only once the old processes there have ended: the reload that added it took
# the leaf off cgroup_gone's watch (a configured service's leaf), so the
# leaf's emptying was not seen, and the old stop's timer, when its timeout
# was up, found the leaf populated by the new x and cgroup.kill'ed it. x's
# start now ends that stop (its leaf empty). z ignores its stop signal: its
# SIGKILL, due when x's cgroup kill would be, marks that the timeout is up.
# In a VM with a pure cgroup v2 hierarchy (`make check-vm`).
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
cat >> "$T/etc/svd.yaml" <<EOF2
  stop: { timeout: 45s }
cgroups: required
EOF2
service x <<EOF2
command: [sh, -c, 'trap "" TERM; touch $T/x.ready; while [ ! -e $T/x.go ]; do sleep 0.1; done']
EOF2
service z <<EOF2
command: [sh, -c, 'trap "" TERM; touch $T/z.ready; exec sleep 100000']
EOF2
logged() { grep -qF -- "$1" "$T/svd.out"; }
count() { grep -cF -- "$1" "$T/svd.out" || true; }
zpid= xold=
finish() {
        cleanup
        [ -z "$zpid" ] || kill -9 "$zpid" 2> /dev/null || true
        [ -z "$xold" ] || kill -9 "$xold" 2> /dev/null || true
}
trap finish EXIT

start_svd
wait_state x running 30
wait_state z running 30
wait_for test -e "$T/x.ready"
wait_for test -e "$T/z.ready"
xleaf=$(field x cgroup) zpid=$(field z pid) xold=$(field x pid)
[ "$(basename "$xleaf")" = x.service ] || fail "x's leaf: $xleaf"
rm "$T/services/x.yaml" "$T/services/z.yaml"
n=$(count "daemon-reexec: ")
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for eval '[ "$(count "daemon-reexec: ")" -gt '"$n"' ]'
wait_for svctl status
logged "x: no longer configured; stopping its cgroup $xleaf (" || fail "x's cgroup stop was not logged"
logged "z: no longer configured; stopping its pid $zpid" || fail "z's stop was not logged"
kill -0 "$xold" || fail "x's old process ended at its stop signal: the test proves nothing"

# x added back, not started: its leaf is configured again (off the watch)
service x <<EOF2
command: [sleep, "100000"]
enabled: false
EOF2
svctl reload > /dev/null || fail "reload"
wait_for eval '[ "$(field x state)" != "" ]'
[ "$(field x state)" != running ] || fail "x started at the reload"
# its old process ends; the leaf is empty, then x is started in it
touch "$T/x.go"
wait_for eval '! kill -0 '"$xold"' 2> /dev/null'
wait_for grep -qx "populated 0" "$xleaf/cgroup.events"
svctl start x > /dev/null || fail "start x"
wait_state x running 30
xpid=$(field x pid)
assert_eq "$(field x cgroup)" "$xleaf" "x's leaf after it was added back"
kill -0 "$zpid" || fail "z ended before x was back: the test proves nothing"
logged "did not stop within" && fail "the stop timeout was up before x was back: the test proves nothing"

# the stop timeout is up (z killed), then one more turn of svd's loop
SCALE=$((SCALE * 3)) wait_for logged "z: pid $zpid (no longer configured) did not stop within 45s; sending SIGKILL"
svctl status > /dev/null || fail "status"
logged "x: cgroup $xleaf (no longer configured) still holds processes" &&
        fail "the new x's processes were killed by the old x's cgroup stop"
assert_eq "$(field x pid)" "$xpid" "x's pid after the stop timeout"
assert_eq "$(field x state)" running "x's state after the stop timeout"
logged "x: cgroup $xleaf (no longer configured) is empty now; its stop is done" ||
        fail "the end of x's cgroup stop was not logged"
stop_svd || fail "svd exit status"
echo "orphan_stop_cgroup_later: ok"
