#!/bin/bash
# A service's entry in a damaged state.json with a number out of range is
# ignored, naming the field (svd(8)), instead of being converted (undefined
# behaviour in C). crash_state.sh covers the fields checked since the
# start; four read by the restore had no range: restarts_total and
# cpu_usec_gone (a counter of -1 read as 18446744073709551615: that was
# svd_service_restarts_total from then on), and a scheduled job's
# timer.begin_mono and timer.due_boot. Each now makes the entry ignored:
# the service starts as at boot, its counter from 0.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"

service a <<EOF2
command: [bash, -c, 'exec -a "a-instance $T" sleep 100000']
EOF2
# a scheduled job (its timer object in the state), run once by hand
service j <<EOF2
type: oneshot
schedule: { every: 1h }
command: [/bin/sh, -c, 'echo \$\$ >> $T/out/j']
EOF2

instances() { pgrep -f -- "^a-instance $T" || true; }
finish() {
        cleanup
        for p in $(instances); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT
logged() { grep -qF -- "$1" "$T/svd.out"; }
restarts_metric() {
        svctl metrics | awk -v s="service=\"$1\"" '/^svd_service_restarts_total/ && index($0, s) { print $2 }'
}
# the state file has j's last run (written 50 ms after the change at most)
j_saved() { [ "$(jq -r '.services[] | select(.name == "j") | .timer.runs' "$T/run/state.json" 2> /dev/null)" = 1 ]; }

start_svd
wait_state a running
svctl run j > /dev/null
wait_state j exited
wait_for j_saved

# damage FIELD VALUE NAME: svd killed, NAME's FIELD (a jq path in its
# entry) set to VALUE, a new svd, which names the field and ignores the entry
damage() {
        local old
        old=$(field a pid)
        crash_svd
        jq -c "(.services[] | select(.name == \"$3\") | .$1) = $2" "$T/run/state.json" > "$T/state.new"
        mv "$T/state.new" "$T/run/state.json"
        start_svd
        wait_for logged "state: $3: $1 out of range; its entry is ignored"
        if [ "$3" = a ]; then
                wait_state a running
                [ "$(field a pid)" != "$old" ] || fail "a: pid $old taken over from a damaged entry"
                kill -9 "$old" 2> /dev/null || true # (a stray the damaged entry left)
        fi
}

damage restarts_total -1 a
assert_eq "$(restarts_metric a)" 0 "svd_service_restarts_total of a after its damaged entry"
damage cpu_usec_gone -1 a
damage timer.begin_mono 1e300 j
damage timer.due_boot -5 j

stop_svd || fail "svd exit status $?"
echo "crash_state_counters: ok"
