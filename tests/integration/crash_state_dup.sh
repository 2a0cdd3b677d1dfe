#!/bin/bash
# A state.json naming a service twice (damage: svd writes one entry each)
# after svd was killed: the second entry is reported and ignored, the
# service's process is taken over once, and its end is then seen once: one
# restart, and the new process runs on (a second takeover watched the same
# process twice; the watch left behind took every new process for the old
# one's end, restarting the service in a loop until its start limit).
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"

service d <<EOF2
restart: always
backoff: { initial: 100ms }
command: [bash, -c, 'exec -a "d-instance $T" sleep 100000']
EOF2
instances() { pgrep -f -- "^d-instance $T" || true; }
finish() {
        cleanup
        for p in $(instances); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT

start_svd
wait_state d running
first=$(field d pid)
sleep 0.3 # (the state write after the change)

dup() {
        jq -c '.services += .services' "$T/run/state.json" > "$T/state.new" && mv "$T/state.new" "$T/run/state.json"
        assert_eq "$(jq -c '[.services[].name]' "$T/run/state.json")" '["d","d"]' "services in the edited state"
}
crash_restart_svd dup
wait_for grep -q "state: d: a second entry for the service; ignored" "$T/svd.out"
assert_eq "$(grep -c "d: took over pid $first" "$T/svd.out")" "1" "takeovers of d"
kill "$first"
wait_for grep -q 'd: running -> backoff' "$T/svd.out"
wait_state d running
second=$(field d pid)
sleep 1 # (time for a wrong end of the new process to show)
assert_eq "$(field d state)" "running" "d after its taken-over process ended"
assert_eq "$(field d pid)" "$second" "d's new process"
assert_eq "$(field d restarts)" "1" "d restarts"
stop_svd
