#!/bin/bash
# svd_service_state is an enum the Prometheus way: each service has one
# series per possible state, 1 for the state it is in and 0 for the others,
# so no series comes and goes with the state (an alert rule
# svd_service_state{state="failed"} == 1 always has its series). It used to
# export only the current state's series. The family has one HELP and one
# TYPE line, and a stopped service keeps its state="running" series, at 0.
. "$(dirname "$0")/lib.sh"
STATES="stopped waiting starting running stopping backoff failed exited reloading"

service web <<EOF2
command: [sleep, "1000"]
EOF2
service job <<EOF2
type: oneshot
command: ["true"]
EOF2
start_svd
wait_state web running
wait_state job exited

# check SERVICE STATE: every state's series once, 1 for STATE only
check() {
        svctl metrics > "$T/m.txt" || fail "svctl metrics"
        local st v n
        for st in $STATES; do
                n=$(grep -c "^svd_service_state{service=\"$1\",slice=\"\",state=\"$st\"} [01]\$" "$T/m.txt" || true)
                [ "$n" = 1 ] || fail "$1: $n series for state $st: $(grep "^svd_service_state{service=\"$1\"" "$T/m.txt")"
                v=0
                [ "$st" = "$2" ] && v=1
                grep -q "^svd_service_state{service=\"$1\",slice=\"\",state=\"$st\"} $v\$" "$T/m.txt" ||
                        fail "$1 in $2: state $st is not $v: $(grep "^svd_service_state{service=\"$1\"" "$T/m.txt")"
        done
        n=$(grep -c "^svd_service_state{service=\"$1\"," "$T/m.txt" || true)
        assert_eq "$n" 9 "$1: series of svd_service_state"
}
check web running
check job exited
assert_eq "$(grep -c '^# TYPE svd_service_state gauge$' "$T/m.txt")" 1 "TYPE lines"
assert_eq "$(grep -c '^# HELP svd_service_state ' "$T/m.txt")" 1 "HELP lines"
assert_eq "$(grep -c '^# TYPE svd_service_state ' "$T/m.txt")" 1 "TYPE lines of any type"

svctl stop web > /dev/null
wait_state web stopped
check web stopped
stop_svd || fail "svd exit status"
echo "metrics_state: ok"
