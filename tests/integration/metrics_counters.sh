#!/bin/bash
# svd_service_restarts_total is a Prometheus counter: it never goes back
# while svd runs. It used to be the restart count `svctl status` shows,
# which starts again from 0 when the service is started by hand and when a
# reload changes its definition: a scraper took each such drop for svd
# having restarted. Now it counts every automatic restart since svd
# started, daemon-reexec included; `svctl status` keeps its own count.
. "$(dirname "$0")/lib.sh"

service flap <<EOF2
command: [sh, -c, 'while [ ! -e $T/out/crash ]; do sleep 0.05; done; rm -f $T/out/crash; exit 1']
restart: always
backoff: { initial: 50ms, max: 50ms }
EOF2
start_svd
wait_state flap running
restarts() { svctl metrics | sed -n 's/^svd_service_restarts_total{service="flap",slice=""} //p'; }
is() { [ "$(restarts)" = "$1" ]; }
counted() { [ "$(field flap restarts)" = "$1" ]; }
crash() {
        local n=$(( $(field flap restarts) + 1 ))
        touch "$T/out/crash"
        wait_for counted "$n"
        wait_state flap running
}
crash
crash
assert_eq "$(restarts)" "2" "after two crashes"

svctl restart flap > /dev/null || fail "restart by hand"
wait_state flap running
assert_eq "$(field flap restarts)" "0" "svctl status's count after a start by hand"
assert_eq "$(restarts)" "2" "the counter after a start by hand"

# a changed definition: restarted afresh by the reload
sed -i 's/max: 50ms/max: 60ms/' "$T/services/flap.yaml"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state flap running
assert_eq "$(restarts)" "2" "the counter after a reload changed the service"

svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "restore-fd" "/proc/$SVD_PID/cmdline"
wait_for svctl status flap > /dev/null
assert_eq "$(restarts)" "2" "the counter after daemon-reexec"
crash
assert_eq "$(restarts)" "3" "after one more crash"
stop_svd || fail "svd exit status"
echo "metrics_counters: ok"
