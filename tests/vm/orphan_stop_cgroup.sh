#!/bin/bash
# A no-longer-configured service's processes that left its process group (a
# double-forked daemon's child in a session of its own) but not its cgroup:
# after a daemon-reexec, and after a kill of svd, stopping its main process
# and its group left such a child running for ever, unsupervised. svd now
# sends the defaults' stop signal to every process in the removed service's
# leaf, kills what is left there after the stop timeout, hands that over to
# the next svd (no second stop signal), and removes the leaf once empty.
# The same service removed by a plain reload: its normal stop kills the
# whole leaf. In a VM with a pure cgroup v2 hierarchy (run by `make check-vm`).
# (a stop timeout long enough for two re-execs in a loaded TCG guest)
. "$(dirname "$0")/../integration/lib.sh"
grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || { echo "not in a cgroup v2 VM"; exit 77; }
cat >> "$T/etc/svd.yaml" <<EOF2
  stop: { timeout: 30s }
cgroups: required
EOF2
service a <<EOF2
command: [sleep, "100000"]
EOF2
# x's main process sleeps; a child of a subshell that exits (so not x's
# child) in a session of its own counts the SIGTERMs it gets and goes on.
# Its output does not go to the log pipes, which an svd taking over closes
# for a service it does not have.
x_service() {
        rm -f "$T/c.pid" "$T/c.terms"
        service x <<EOF2
command: [bash, -c, 'exec > /dev/null 2>&1; (setsid bash -c "trap \"echo TERM >> $T/c.terms\" TERM; echo \\\$\\\$ > $T/c.pid.new; mv $T/c.pid.new $T/c.pid; while :; do sleep 1; done" &); exec sleep 100000']
EOF2
}
gone() { ! kill -0 "$1" 2> /dev/null || grep -q '^State:.Z' "/proc/$1/status"; }
logged() { grep -qF -- "$1" "$T/svd.out"; }
count() { grep -cF -- "$1" "$T/svd.out" || true; }
reexec() {
        local n; n=$(count "daemon-reexec: ")
        svctl daemon-reexec > /dev/null || fail "daemon-reexec"
        wait_for eval '[ "$(count "daemon-reexec: ")" -gt '"$n"' ]'
        wait_for svctl status
}
# x running, its child outside its process group and session, in its leaf
x_up() {
        wait_state x running 30
        xpid=$(field x pid) leaf=$(field x cgroup)
        [ "$(basename "$leaf")" = x.service ] || fail "x's leaf: $leaf"
        wait_for test -s "$T/c.pid"
        cpid=$(cat "$T/c.pid")
        grep -qx "$cpid" "$leaf/cgroup.procs" || fail "x's child $cpid not in $leaf"
        [ "$(ps -o sid= -p "$cpid" | tr -d ' ')" = "$cpid" ] || fail "x's child $cpid not in its own session"
        [ "$(ps -o pgid= -p "$cpid" | tr -d ' ')" != "$(ps -o pgid= -p "$xpid" | tr -d ' ')" ] ||
                fail "x's child $cpid in x's process group"
}
# the child got one stop signal, then was killed with the leaf, which is removed
x_stopped() {
        wait_for test -s "$T/c.terms"
        SCALE=$((SCALE * 3)) wait_for gone "$cpid"
        wait_for logged "x: cgroup $leaf (no longer configured) still holds processes 30s after the stop signal; killing them"
        wait_for test ! -d "$leaf"
        wait_for logged "cgroup: removed $leaf (service x, no longer configured), empty now"
        assert_eq "$(wc -l < "$T/c.terms")" "1" "SIGTERMs x's child got"
}

# ---- 1. removed, then two daemon-reexecs, the second within the stop timeout
x_service
start_svd
wait_state a running 30
x_up
rm "$T/services/x.yaml"
reexec
logged "x: no longer configured; stopping its pid $xpid" || fail "re-exec 1: x's stop was not logged"
logged "x: no longer configured; stopping its cgroup $leaf (" || fail "re-exec 1: x's cgroup stop was not logged"
wait_for test -s "$T/c.terms"
reexec
kill -0 "$cpid" 2> /dev/null || fail "x's child ended before the second re-exec: the test proves nothing"
logged "x: cgroup $leaf (no longer configured) is still being stopped" || fail "re-exec 2: x's cgroup not named"
x_stopped

# ---- 2. svd killed (x removed meanwhile), started again
x_service
svctl reload > /dev/null || fail "reload"
x_up
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
SVD_PID=
rm "$T/services/x.yaml"
start_svd
wait_state a running 30
logged "x: no longer configured; stopping its pid $xpid" || fail "kill: x's stop was not logged"
logged "x: no longer configured; stopping its cgroup $leaf (" || fail "kill: x's cgroup stop was not logged"
x_stopped

# ---- 3. removed by a reload: its stop kills its whole leaf
x_service
svctl reload > /dev/null || fail "reload"
x_up
n=$(count "x: no longer configured")
rm "$T/services/x.yaml"
svctl reload > /dev/null || fail "reload"
wait_for gone "$cpid"
wait_for test ! -d "$leaf"
assert_eq "$(count "x: no longer configured")" "$n" "orphan stops after the reload"
stop_svd || fail "svd exit status"
echo "orphan_stop_cgroup: ok"
