#!/bin/bash
# While a name lookup hangs (a DNS server that never answers), svd-probe
# sleeps: it learns that a lookup ended from glibc's notification, not by
# polling, so its main thread wakes a handful of times in 2 s (polling every
# 16 ms woke it over a hundred times). When the resolver gives up (10 s),
# the notification, a thread started under svd-probe's seccomp filter,
# reaches the check: it fails with the resolver's error, by the same
# svd-probe.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

NAME=wake.svd-test.example
. "$(dirname "$0")/dns_silent.inc"
dns_silent 85 "$NAME"

service hang <<EOF2
command: [sleep, "1000"]
healthcheck:
  tcp: "$NAME:80"
  timeout: 30s
  start_interval: 100ms
  interval: 60s
EOF2

n0=$(wc -l < "$T/out/dns.queries") # dns_silent's own lookups
start_svd
wait_for eval '[ "$(grep -cx "$NAME" "$T/out/dns.queries")" -gt "$n0" ]'
probe_pid=$(pgrep -P "$SVD_PID" -x svd-probe || true)
[ -n "$probe_pid" ] || fail "no svd-probe under svd ($SVD_PID)"
ctxt() { awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$probe_pid/task/$probe_pid/status"; }
before=$(ctxt)
sleep 2
after=$(ctxt)
woke=$((after - before))
echo "svd-probe's main thread woke $woke times in 2 s of a hanging lookup"
[ "$woke" -le 20 ] || fail "svd-probe woke $woke times in 2 s while a lookup hung"

# the resolver gives up after 10 s: the check ends then, well within 30 s
want="resolve '$NAME': "
end=$((SECONDS + 25))
until [[ "$(field hang last_probe)" == "$want"* ]]; do
        [ "$SECONDS" -lt "$end" ] || fail "last_probe '$(field hang last_probe)', expected '$want...'"
        sleep 0.2
done
now_pid=$(pgrep -P "$SVD_PID" -x svd-probe || true)
assert_eq "$now_pid" "$probe_pid"
grep -q 'no reply from svd-probe\|killing it\|svd-probe.*signal' "$T/svd.out" && fail "svd-probe died or was taken for stuck"
exit 0
