#!/bin/bash
# svd killed, then started again without a readable state.json (here: not
# JSON) and without one of its services: svd-fdstore still held that
# service's output pipes, and nothing ever released them (an svd that takes
# over from its state drops what it does not claim; this one never asked).
# The next svd releases the pipes of services it does not have (those of a
# service it has too: fdstore_unused.sh).
. "$(dirname "$0")/lib.sh"

service keep <<EOF
command: [bash, -c, 'exec -a "keep-instance $T" sleep 100000']
EOF
service gone <<EOF
command: [bash, -c, 'exec -a "gone-instance $T" sleep 100000']
EOF
instances() { pgrep -f -- "^$1-instance $T" || true; }
finish() {
        cleanup
        for p in $(instances keep) $(instances gone); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT

start_svd
wait_state keep running
wait_state gone running
store=$(pgrep -f -- "^svd-fdstore $T/.*fdstore.sock\$") || fail "no svd-fdstore for $T"
pipe_of() { readlink "/proc/$(field "$1" pid)/fd/1"; }
gone_pipe=$(pipe_of gone)
keep_pipe=$(pipe_of keep)
case "$gone_pipe" in pipe:*) ;; *) fail "gone's stdout: $gone_pipe" ;; esac
holds() { ls -l "/proc/$store/fd" | grep -qF "$1"; }
holds "$gone_pipe" || fail "svd-fdstore does not hold gone's pipe $gone_pipe"
holds "$keep_pipe" || fail "svd-fdstore does not hold keep's pipe $keep_pipe"

crash_svd
for p in $(instances gone); do kill -9 "$p"; done
rm "$T/services/gone.yaml"
echo "not json" > "$T/run/state.json"
start_svd
wait_state keep running
released() { ! holds "$gone_pipe"; }
wait_for released
kill -0 "$store" || fail "svd-fdstore ($store) is gone"
assert_eq "$(pgrep -f -- "^svd-fdstore $T/.*fdstore.sock\$")" "$store" "the store after the restart"
grep -qF "svd-fdstore: released the output pipes of gone, not a service here" "$T/svd.out" ||
        fail "svd's log: $(grep fdstore "$T/svd.out")"
stop_svd || fail "svd exit status"
echo "fdstore_gone: ok"
