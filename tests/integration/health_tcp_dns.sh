#!/bin/bash
# A tcp or http check of a host name is bounded by its timeout, name lookup
# included, and a slow lookup holds up no other check: with a DNS server
# that never answers (a silent UDP socket named by a private
# /etc/resolv.conf), the check fails with "timeout after 300ms resolving
# 'NAME' (lookup running for ...)" at its timeout (not when the resolver gives up, 10 s later, nor as "no reply
# from svd-probe"), and another service's tcp check goes on being probed
# every interval meanwhile.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

NAME=slow.svd-test.example
. "$(dirname "$0")/dns_silent.inc"
dns_silent 83 "$NAME"

PORT=$(free_port)
service slow <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: "$NAME:80"
  timeout: 300ms
  start_interval: 200ms
  interval: 200ms
EOF
service slowhttp <<EOF
command: [sleep, "1000"]
healthcheck:
  http: "http://$NAME:$PORT/"
  timeout: 300ms
  start_interval: 200ms
  interval: 200ms
EOF
service fast <<EOF
command: [python3, -c, "import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT)); s.listen(64); time.sleep(1000)"]
healthcheck:
  tcp: "127.0.0.1:$PORT"
  start_interval: 50ms
  interval: 100ms
EOF

start_svd
want="timeout after 300ms resolving '$NAME' (lookup running for "
wait_for eval '[[ "$(field slow last_probe)" == "$want"* ]]'
wait_for eval '[[ "$(field slowhttp last_probe)" == "$want"* ]]'
wait_field fast health healthy 4
# slow's lookups are still hanging (10 s each): fast is probed all along
a=$(field fast last_probe_at)
sleep 1
b=$(field fast last_probe_at)
python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) >= 0.3 else 1)' "$a" "$b" ||
        fail "fast was not probed while slow's lookup hung: last probe at $a, then $b"
for s in slow slowhttp; do
        v=$(field $s last_probe)
        [[ "$v" == "$want"* ]] || fail "$s: last_probe '$v', expected '$want...'"
done
grep -q 'no reply from svd-probe\|killing it' "$T/svd.out" && fail "svd-probe was taken for stuck"
# lookups still hanging are bounded: the prober's threads do not pile up
probe_pid=$(pgrep -P "$SVD_PID" -x svd-probe || true)
if [ -n "$probe_pid" ]; then
        thr=$(awk '/^Threads:/ { print $2 }' "/proc/$probe_pid/status")
        [ "$thr" -le 40 ] || fail "svd-probe runs $thr threads"
fi
exit 0
