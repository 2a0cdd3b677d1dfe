#!/bin/bash
# An exec health check of a type: notify service with a watchdog got svd's
# WATCHDOG_USEC and its unfilled WATCHDOG_PID placeholder
# (WATCHDOG_PID=00000000000000000000): the pid is written only by the main
# process's spawn. The check is not the watched process (its datagrams are
# not the service's: it runs in a process group of its own), so, as with
# systemd, which sets them for the main process only, it gets neither; the
# main process still gets both, with its own pid, and a WATCHDOG_* the
# operator set in environment: reaches the check as given.
. "$(dirname "$0")/lib.sh"
service wd <<EOF
type: notify
watchdog: 30s
healthcheck:
  exec: [/bin/sh, -c, 'env > $T/out/check.tmp && mv $T/out/check.tmp $T/out/check.env']
  interval: 200ms
command: [/bin/sh, -c, 'env > $T/out/main.tmp && mv $T/out/main.tmp $T/out/main.env; echo \$\$ > $T/out/main.pid; exec sleep 1000']
EOF
service op <<EOF
type: notify
watchdog: 30s
environment: { WATCHDOG_PID: "4242", WATCHDOG_USEC: "7" }
healthcheck:
  exec: [/bin/sh, -c, 'env > $T/out/opcheck.tmp && mv $T/out/opcheck.tmp $T/out/opcheck.env']
  interval: 200ms
command: [/bin/sleep, "1000"]
EOF
start_svd
wait_for test -s "$T/out/check.env"
wait_for test -s "$T/out/main.env"
wait_for test -s "$T/out/opcheck.env"
! grep -q '^WATCHDOG_' "$T/out/check.env" || fail "the check got $(grep '^WATCHDOG_' "$T/out/check.env" | tr '\n' ' ')"
grep -q '^NOTIFY_SOCKET=' "$T/out/check.env" || fail "the check lost the rest of the service's environment"
grep -q '^SVD_SERVICE=wd$' "$T/out/check.env" || fail "the check lost SVD_SERVICE"
assert_eq "$(sed -n 's/^WATCHDOG_PID=//p' "$T/out/main.env")" "$(cat "$T/out/main.pid")" "main WATCHDOG_PID"
assert_eq "$(sed -n 's/^WATCHDOG_USEC=//p' "$T/out/main.env")" 30000000 "main WATCHDOG_USEC"
assert_eq "$(sed -n 's/^WATCHDOG_PID=//p' "$T/out/opcheck.env")" 4242 "operator's WATCHDOG_PID in the check"
assert_eq "$(sed -n 's/^WATCHDOG_USEC=//p' "$T/out/opcheck.env")" 7 "operator's WATCHDOG_USEC in the check"
stop_svd || fail "svd exit status"
echo "health_exec_watchdog_env: ok"
