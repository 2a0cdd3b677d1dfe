#!/bin/bash
# healthcheck.start_period as svd.yaml(5) describes it, unlike Compose's:
# 0 (the default) means failures do not count until the first pass, however
# long that takes (start_timeout bounds the wait), so a check that never
# passes leaves the service "starting", never unhealthy nor restarted; a
# positive start_period counts failures once it is over, even before any
# pass: the service turns unhealthy after retries more failures.
. "$(dirname "$0")/lib.sh"

service never0 <<EOF
command: [sleep, "100000"]
healthcheck:
  exec: ["false"]
  start_interval: 50ms
  retries: 1
EOF
service never1 <<EOF
command: [sleep, "100000"]
healthcheck:
  exec: ["false"]
  start_interval: 50ms
  start_period: 1s
  retries: 2
  on_unhealthy: none
EOF

start_svd
wait_state never0 running
pid0=$(field never0 pid)
wait_field never1 health unhealthy 10
# never0 has failed for as long as never1's start period and more (about 40
# checks): not one of them counted
sleep 1
assert_eq "$(field never0 health)" starting "never0's health after ~2 s of failing checks"
assert_eq "$(field never0 pid)" "$pid0" "never0 not restarted"
assert_eq "$(field never0 probe_failures)" 0 "never0's counted failures"
grep -q 'never1: health starting -> unhealthy' "$T/svd.out" || fail "never1 did not turn unhealthy from starting"
stop_svd
