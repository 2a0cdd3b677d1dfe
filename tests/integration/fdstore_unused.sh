#!/bin/bash
# svd killed, then started again without a readable state.json: nothing
# takes over the pipes svd-fdstore held for it, and the services the new
# configuration has but does not start (here one now enabled: false) never
# spawn to replace them: they were held until svd stopped for good. The next
# svd releases the pipes of every service it could not take over, whether
# or not it has that service (a service it starts gets new pipes anyway).
. "$(dirname "$0")/lib.sh"

service on <<EOF
command: [bash, -c, 'exec -a "on-instance $T" sleep 100000']
EOF
service off <<EOF
command: [bash, -c, 'exec -a "off-instance $T" sleep 100000']
EOF
instances() { pgrep -f -- "^$1-instance $T" || true; }
finish() {
        cleanup
        for p in $(instances on) $(instances off); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT

start_svd
wait_state on running
wait_state off running
store=$(pgrep -f -- "^svd-fdstore $T/.*fdstore.sock\$") || fail "no svd-fdstore for $T"
pipe_of() { readlink "/proc/$(field "$1" pid)/fd/1"; }
off_pipe=$(pipe_of off)
on_pipe=$(pipe_of on)
case "$off_pipe" in pipe:*) ;; *) fail "off's stdout: $off_pipe" ;; esac
holds() { ls -l "/proc/$store/fd" | grep -qF "$1"; }
holds "$off_pipe" || fail "svd-fdstore does not hold off's pipe $off_pipe"
holds "$on_pipe" || fail "svd-fdstore does not hold on's pipe $on_pipe"

crash_svd
for p in $(instances on) $(instances off); do kill -9 "$p"; done
service off <<EOF
enabled: false
command: [bash, -c, 'exec -a "off-instance $T" sleep 100000']
EOF
echo "not json" > "$T/run/state.json"
start_svd
wait_state on running
assert_eq "$(field off state)" "stopped" "off (disabled)"
released() { ! holds "$off_pipe" && ! holds "$on_pipe"; }
wait_for released || fail "svd-fdstore still holds: $(ls -l "/proc/$store/fd" | grep -F -e "$off_pipe" -e "$on_pipe")"
kill -0 "$store" || fail "svd-fdstore ($store) is gone"
grep -qF "svd-fdstore: released the output pipes of off, left by an svd whose state was not read" "$T/svd.out" ||
        fail "svd's log: $(grep fdstore "$T/svd.out")"
# on's new pipes are in the store, and its output reaches its log
holds "$(pipe_of on)" || fail "svd-fdstore does not hold on's new pipe"
stop_svd || fail "svd exit status"
echo "fdstore_unused: ok"
