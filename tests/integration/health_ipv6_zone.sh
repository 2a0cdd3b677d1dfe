#!/bin/bash
# An IPv6 literal with a zone ("[fe80::1%lo]:PORT",
# "http://[fe80::1%25lo]:PORT/"), which healthcheck.tcp and healthcheck.http
# take, is probed like any address: resolving the zone's interface name (an
# SIOCGIFINDEX ioctl) is within svd-probe's seccomp filter, so the check
# ends with the connect's own error instead of killing the prober with
# SIGSYS, and every other check in flight with it, at every probe.
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
service tcp6 <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: "[fe80::1%lo]:$PORT"
  timeout: 300ms
  start_interval: 100ms
EOF
service http6 <<EOF
command: [sleep, "1000"]
healthcheck:
  http: "http://[fe80::1%25lo]:$PORT/"
  timeout: 300ms
  start_interval: 100ms
EOF
service web <<EOF
command: [python3, -c, "import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT)); s.listen(64); time.sleep(1000)"]
healthcheck:
  tcp: "127.0.0.1:$PORT"
  start_interval: 100ms
EOF

start_svd
wait_field web health healthy
# (lo has no fe80::1 here: the connect fails, or the check times out)
zone_done() {
        case "$(field "$1" last_probe)" in
        connect:* | "curl: "* | "timeout after 300ms") return 0 ;;
        *) return 1 ;;
        esac
}
wait_for zone_done tcp6
wait_for zone_done http6
sleep 0.5
if grep -q 'svd-probe (pid [0-9]*) killed\|prober restarted' "$T/svd.out"; then
        fail "svd-probe was killed: $(grep 'svd-probe' "$T/svd.out" | tail -n 3)"
fi
assert_eq "$(grep -c 'started .*svd-probe' "$T/svd.out")" "1" "svd-probe starts"
