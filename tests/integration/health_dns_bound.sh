#!/bin/bash
# Name lookups of tcp and http checks are bounded when the DNS server never
# answers (a silent UDP socket named by a private /etc/resolv.conf, lookups
# that hang 10 s each): svd-probe looks a name up once for every check that
# needs it (a check of a name being looked up waits for that lookup, within
# its own timeout), never on curl's resolver threads, so four http checks
# every 100 ms of one hanging name do not pile threads up in svd-probe, and
# each timeout says the check was resolving the name.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

NAME=hang.svd-test.example
. "$(dirname "$0")/dns_silent.inc"
dns_silent 84 "$NAME"

PORT=$(free_port)
for i in 1 2 3 4; do
        service "web$i" <<EOF
command: [sleep, "1000"]
healthcheck:
  http: "http://$NAME:$PORT/$i"
  timeout: 100ms
  start_interval: 100ms
  interval: 100ms
EOF
done

start_svd
want="timeout after 100ms resolving '$NAME'"
for i in 1 2 3 4; do
        wait_for eval '[[ "$(field web'$i' last_probe)" == "$want"* ]]'
done
# ~120 checks in 3 s, each lookup hanging for 10 s: one thread per check
# would be over a hundred
sleep 3
probe_pid=$(pgrep -P "$SVD_PID" -x svd-probe || true)
[ -n "$probe_pid" ] || fail "no svd-probe under svd ($SVD_PID)"
thr=$(awk '/^Threads:/ { print $2 }' "/proc/$probe_pid/status")
[ "$thr" -le 8 ] || fail "svd-probe runs $thr threads for one hanging name"
for i in 1 2 3 4; do
        v=$(field "web$i" last_probe)
        [[ "$v" == "$want"* ]] || fail "web$i: last_probe '$v', expected '$want...'"
done
grep -q 'no reply from svd-probe\|killing it' "$T/svd.out" && fail "svd-probe was taken for stuck"
exit 0
