#!/bin/bash
# A main process that SIGKILL does not end (here: frozen by the v1 freezer,
# as one in uninterruptible sleep) does not hold up the shutdown for ever:
# 5 s after the SIGKILL svd logs "did not die after SIGKILL" with its pid,
# marks the service failed, and its dependency is stopped and svd exits.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for the freezer"; exit 77; }
FRZ=/sys/fs/cgroup/freezer
[ -w "$FRZ/cgroup.procs" ] || { echo "no v1 freezer at $FRZ"; exit 77; }
CG=$FRZ/svd-test-$$
mkdir "$CG" || { echo "cannot create a freezer cgroup"; exit 77; }
thaw() {
        echo THAWED > "$CG/freezer.state" 2>/dev/null || true
        for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        for _ in $(seq 50); do rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
        cleanup
}
trap thaw EXIT

service db <<EOF
command: [sleep, "100000"]
EOF
service stuck <<EOF
command: [/bin/sh, -c, 'echo \$\$ > $T/out/stuck.pid; exec sleep 100000']
depends_on: [db]
stop: { timeout: 1s }
EOF
start_svd
wait_state stuck running
PID=$(cat "$T/out/stuck.pid")
echo "$PID" > "$CG/cgroup.procs"
echo FROZEN > "$CG/freezer.state"
wait_for grep -q FROZEN "$CG/freezer.state"

kill -TERM "$SVD_PID"
# 1 s stop timeout + 5 s after SIGKILL, with room for a loaded machine
deadline=$(( $(date +%s) + 25 * SCALE ))
while kill -0 "$SVD_PID" 2>/dev/null && ! grep -q ') Z ' "/proc/$SVD_PID/stat" 2>/dev/null; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "svd still stopping: a process that outlives SIGKILL holds up the shutdown"
        sleep 0.1
done
rc=0; wait "$SVD_PID" || rc=$?
SVD_PID=
assert_eq "$rc" "0" "svd exit status"
grep -q "stuck: pid $PID did not die after SIGKILL" "$T/svd.out" || fail "no 'did not die after SIGKILL' for pid $PID"
grep -q 'stuck: stopping -> failed' "$T/svd.out" || fail "stuck not marked failed"
grep -q 'db: stopping -> stopped' "$T/svd.out" || fail "db (its dependency) was not stopped"
exit 0
