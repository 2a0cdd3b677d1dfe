#!/bin/bash
# A kill of svd after it reaped a service's main process but before
# state.json said so: the next svd still knows how the process ended (from
# state.journal), so a oneshot that exited 0 is exited, and its dependent
# starts, instead of "ended while svd was down; its exit status is unknown"
# failing both. The window is held open by a FIFO in place of
# state.json.tmp: svd's write of that state blocks in open() until the
# test kills it.
. "$(dirname "$0")/lib.sh"

service init <<EOF2
type: oneshot
command: [sh, -c, 'while [ ! -e $T/out/go ]; do sleep 0.01; done; exit 0']
EOF2
service app <<EOF2
depends_on: { init: { condition: completed } }
command: [sleep, "100000"]
EOF2

leftovers() {
        rm -f "$T/run/state.json.tmp"
        if [ -n "$SVD_PID" ] && kill -0 "$SVD_PID" 2>/dev/null; then
                kill -KILL "$SVD_PID"
                wait "$SVD_PID" 2>/dev/null || true
        fi
        SVD_PID=
        pkill -KILL -f -- "^sh -c while \[ ! -e $T/" 2>/dev/null || true
        pkill -KILL -f -- "^svd-fdstore $T/" 2>/dev/null || true
}
trap 'leftovers; cleanup' EXIT

start_svd
wait_state init starting
sleep 0.3 # (nothing left to write: the next write is the exit's)
mkfifo "$T/run/state.json.tmp"
touch "$T/out/go"
# svd reaped the oneshot, made it exited and now waits in open() of the FIFO
wait_for svd_blocked_in_fifo || fail "svd is not blocked writing the state (wchan $(cat "/proc/$SVD_PID/wchan"))"
grep -q "^X [0-9]* 0 init$" "$T/run/state.journal" || fail "no exit line in the journal: $(cat "$T/run/state.journal")"
crash_restart_svd rm -f "$T/run/state.json.tmp"
wait_state init exited 5
wait_state app running 5
grep -q "init: pid [0-9]* ended (exited 0) after the last state write, as state.journal says" "$T/svd.out" ||
        fail "the journal's exit not logged: $(grep init "$T/svd.out")"
grep -q "exit status is unknown" "$T/svd.out" && fail "an exit taken for unknown: $(grep unknown "$T/svd.out")"

stop_svd || fail "svd exit status"
echo "crash_exit_window: ok"
