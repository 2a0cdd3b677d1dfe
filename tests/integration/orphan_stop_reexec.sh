#!/bin/bash
# A no-longer-configured service's process being stopped (orphanstop.h)
# when svd re-executes again, or is killed and taken over, before the
# process ended: its pidfd and its SIGKILL timer did not outlive the svd
# that stopped it, and the next svd's state did not name it, so one that
# ignores its stop signal ran on for ever. The state now carries it
# ("orphans"): the next svd watches it again and sends SIGKILL when its
# stop timeout is up, without a second stop signal.
. "$(dirname "$0")/lib.sh"

cat >> "$T/etc/svd.yaml" <<EOF2
  stop: { timeout: 5s }
EOF2
service a <<EOF2
command: [sleep, "100000"]
EOF2
# x ignores SIGTERM and counts the ones it gets; its output does not go to
# the log pipes, which an svd taking over closes for a service it does not
# have (bash's "Terminated" line for its sleep would get it a SIGPIPE). It
# writes its pid to x.up once its trap is set: it is running once spawned,
# and a SIGTERM before the trap would end it at once
x_service() {
        service x <<EOF2
command: [bash, -c, 'exec > /dev/null 2>&1; trap "echo TERM >> $T/x.terms" TERM; echo \$\$ > $T/x.up; while :; do sleep 0.1; done']
EOF2
}
xpid=
finish() {
        cleanup
        [ -z "$xpid" ] || kill -9 "$xpid" 2> /dev/null || true
}
trap finish EXIT
gone() { ! kill -0 "$1" 2> /dev/null || grep -q '^State:.Z' "/proc/$1/status"; }
logged() { grep -qF -- "$1" "$T/svd.out"; }
count() { grep -cF -- "$1" "$T/svd.out" || true; }
reexec() {
        local n; n=$(count "daemon-reexec: ")
        svctl daemon-reexec > /dev/null || fail "daemon-reexec"
        wait_for eval '[ "$(count "daemon-reexec: ")" -gt '"$n"' ]'
        wait_for svctl status
}

# ---- 1. two daemon-reexecs, the second within x's stop timeout
x_service
start_svd
wait_state x running
xpid=$(field x pid)
wait_for grep -qx "$xpid" "$T/x.up"
rm "$T/services/x.yaml"
reexec
logged "x: no longer configured; stopping its pid $xpid" || fail "re-exec 1: x's stop was not logged"
wait_for test -s "$T/x.terms"
reexec
kill -0 "$xpid" 2> /dev/null || fail "x ended before the second re-exec: the test proves nothing"
wait_for gone "$xpid"
logged "x: pid $xpid (no longer configured) is still being stopped" || fail "re-exec 2: x not named"
wait_for logged "x: pid $xpid (no longer configured) did not stop within 5s; sending SIGKILL"
wait_for logged "x: pid $xpid (no longer configured) ended"
assert_eq "$(wc -l < "$T/x.terms")" "1" "SIGTERMs x got"

# ---- 2. svd killed twice, the second time within x's stop timeout
rm -f "$T/x.terms"
x_service
svctl reload > /dev/null || fail "reload"
wait_state x running
xpid=$(field x pid)
wait_for grep -qx "$xpid" "$T/x.up"
sleep 0.5 # (the state write)
crash_svd
rm "$T/services/x.yaml"
start_svd
wait_state a running
logged "x: no longer configured; stopping its pid $xpid" || fail "take-over 1: x's stop was not logged"
wait_for test -s "$T/x.terms"
sleep 0.5 # (the state write)
crash_svd
start_svd
wait_state a running
kill -0 "$xpid" 2> /dev/null || fail "x ended before the second take-over: the test proves nothing"
wait_for gone "$xpid"
logged "x: pid $xpid (no longer configured) is still being stopped" || fail "take-over 2: x not named"
assert_eq "$(wc -l < "$T/x.terms")" "1" "SIGTERMs x got"

stop_svd || fail "svd exit status"
echo "orphan_stop_reexec: ok"
