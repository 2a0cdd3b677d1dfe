#!/bin/bash
# A service whose file was removed while svd ran (no reload), then taken
# over by a daemon-reexec or by the svd started after a kill -9: the state
# names its process, the configuration no longer has it. It was sent
# SIGTERM and forgotten: one that ignores SIGTERM ran on for ever, named by
# no state, supervised by nothing, with the processes of its group. Now it
# gets the defaults' stop signal, and SIGKILL (with its group) after the
# defaults' stop timeout, both logged; a service still configured is not
# touched. One still running when svd stops gets SIGKILL then; a re-exec
# or a kill of svd during its stop timeout hands it over (it was forgotten
# again).
. "$(dirname "$0")/lib.sh"

cat >> "$T/etc/svd.yaml" <<EOF2
  stop: { timeout: 1s }
EOF2
service a <<EOF2
command: [bash, -c, 'exec -a "a-instance $T" sleep 100000']
EOF2
# x ignores SIGTERM and has a child in its process group
x_service() {
        service x <<EOF2
command: [bash, -c, 'trap "" TERM; bash -c "exec -a \"x-child $T\" sleep 100000" & while :; do sleep 0.1; done']
EOF2
}
instances() { pgrep -f -- "^$1 $T" || true; }
child_runs() { [ -n "$(instances x-child)" ]; }
child_gone() { [ -z "$(instances x-child)" ]; }
xpid=
finish() {
        cleanup
        for p in $(instances a-instance) $(instances x-child) $xpid; do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT
gone() { ! kill -0 "$1" 2> /dev/null || grep -q '^State:.Z' "/proc/$1/status"; }
logged() { grep -qF -- "$1" "$T/svd.out"; }

# check_stopped HOW: x's process and its child end, SIGKILLed after 1 s
check_stopped() {
        logged "x: no longer configured; stopping its pid $xpid" || fail "$1: x's stop was not logged"
        wait_for gone "$xpid"
        wait_for child_gone
        wait_for logged "x: pid $xpid (no longer configured) did not stop within 1s; sending SIGKILL"
        wait_for logged "x: pid $xpid (no longer configured) ended"
        assert_eq "$(field a pid)" "$apid" "$1: a's pid"
        assert_eq "$(field x pid 2> /dev/null || true)" "" "$1: x in svctl status"
}

# ---- 1. daemon-reexec
x_service
start_svd
wait_state a running
wait_state x running
apid=$(field a pid)
xpid=$(field x pid)
wait_for child_runs
rm "$T/services/x.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "restore-fd" "/proc/$SVD_PID/cmdline"
wait_for svctl status
check_stopped "after a re-exec"

# ---- 2. a kill -9 of svd, a new one started
x_service
svctl reload > /dev/null || fail "reload"
wait_state x running
xpid=$(field x pid)
wait_for child_runs
sleep 0.3 # (the state write)
crash_svd
rm "$T/services/x.yaml"
start_svd
wait_state a running
check_stopped "after a kill of svd"

# ---- 3. svd stops before the stop timeout: what still runs is killed
sed -i 's/stop: { timeout: 1s }/stop: { timeout: 1h }/' "$T/etc/svd.yaml"
x_service
svctl reload > /dev/null || fail "reload"
wait_state x running
xpid=$(field x pid)
wait_for child_runs
sleep 0.3
crash_svd
rm "$T/services/x.yaml"
start_svd
wait_state a running
logged "x: no longer configured; stopping its pid $xpid" || fail "x's stop was not logged"
sleep 0.5
kill -0 "$xpid" || fail "x ended on a signal it ignores"
# ---- 4. ... and a re-exec, then a kill of svd, during its stop: it is
# still being stopped (it was forgotten again)
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for logged "x: pid $xpid (no longer configured) is still being stopped"
sleep 0.3 # (the state write)
crash_svd
start_svd
wait_state a running
logged "x: pid $xpid (no longer configured) is still being stopped" || fail "x forgotten after a kill of svd"
kill -0 "$xpid" || fail "x ended on a signal it ignores"
stop_svd || fail "svd exit status"
grep -qF "x: pid $xpid (no longer configured) still runs as svd ends; sent SIGKILL" "$T/svd.out" ||
        fail "no SIGKILL for x as svd ended"
wait_for gone "$xpid"
wait_for child_gone
echo "orphan_stop: ok"
