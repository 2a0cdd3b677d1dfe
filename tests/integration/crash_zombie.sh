#!/bin/bash
# svd killed with SIGKILL whose parent does not reap it (a zombie: its pid
# and start time stay in /proc until then) is dead all the same: the next
# svd takes its services over from state.json instead of taking it for a
# live svd and starting every service anew beside the running ones.
. "$(dirname "$0")/lib.sh"

service z <<EOF2
restart: always
backoff: { initial: 100ms }
command: [bash, -c, 'exec -a "z-instance $T" sleep 100000']
EOF2
instances() { pgrep -f -- "^z-instance $T" || true; }
HOLDER=
finish() {
        cleanup
        [ -z "$HOLDER" ] || kill -9 "$HOLDER" 2> /dev/null || true
        for p in $(instances); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT

# svd as the child of a process that never waits for it (sh execs sleep)
sh -c '"$1" -c "$2" > "$3" 2>&1 & echo $! > "$4"; exec sleep 100000' sh "$SVD" "$T/etc/svd.yaml" \
        "$T/svd.out" "$T/svd.pid" &
HOLDER=$!
wait_for test -s "$T/svd.pid"
SVD_PID=$(cat "$T/svd.pid")
wait_for svctl version
wait_state z running
first=$(field z pid)
sleep 0.3 # (the state write after the change)

kill -KILL "$SVD_PID"
wait_for grep -q '^State:.Z' "/proc/$SVD_PID/status"
zombie=$SVD_PID
wait_for control_socket_free
cat "$T/svd.out" >> "$T/svd.before"
start_svd
wait_for grep -q "z: took over pid $first" "$T/svd.out"
grep -q '^State:.Z' "/proc/$zombie/status" || fail "the killed svd was reaped meanwhile: the test proves nothing"
assert_eq "$(field z pid)" "$first" "z's pid after the takeover"
sleep 0.5 # (time for a second instance to show)
assert_eq "$(instances | wc -l)" "1" "z instances"
stop_svd
