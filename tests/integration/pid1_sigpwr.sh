#!/bin/bash
# SIGPWR: what LXC's lxc-stop sends a container's init by default, and UPS
# daemons the machine's init when the power fails. svd as PID 1 of a PID
# namespace stops its services in order and powers off on it, in normal
# operation and in the emergency state; not as PID 1 it stops every service
# and exits, as on SIGTERM (the signal's default action killed svd and left
# the services unsupervised). Before, PID 1 had no handler for it and the
# kernel dropped it: the container ran on until its host killed it.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
EOF
service db <<EOF
command: [/bin/sh, -c, 'trap "date +%s.%N > $T/out/db.stop; exit 0" TERM; touch $T/out/db.up; while :; do sleep 0.05; done']
EOF
# db_up: db runs and has set its trap (running once spawned, before its sh
# ran the trap: a SIGTERM before would end it without db.stop)
db_up() {
        wait_state db running
        wait_for test -e "$T/out/db.up"
}

# 1: PID 1 in normal operation
unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
db_up
kill -PWR "$SVD_PID"
rc=0; timeout 20 tail --pid="$UNSHARE" -f /dev/null || rc=$?
assert_eq "$rc" "0" "PID 1 still runs 20 s after SIGPWR"
wait "$UNSHARE" || true
SVD_PID=
grep -q 'received SIGPWR, stopping all services, then poweroff' "$T/svd.out" || fail "no SIGPWR line"
[ -f "$T/out/db.stop" ] || fail "db was not stopped before the poweroff"
grep -q 'init: poweroff' "$T/svd.out" || fail "no poweroff in the log"

# 2: PID 1 in the emergency state (a broken service file)
rm -f "$T/out/db.stop"
service broken <<EOF
comand: [/bin/true]
EOF
unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_for grep -q 'EMERGENCY: the configuration does not load' "$T/svd.out"
kill -PWR "$SVD_PID"
rc=0; timeout 20 tail --pid="$UNSHARE" -f /dev/null || rc=$?
assert_eq "$rc" "0" "emergency PID 1 still runs 20 s after SIGPWR"
wait "$UNSHARE" || true
SVD_PID=
grep -q 'emergency: SIGPWR: poweroff' "$T/svd.out" || fail "no emergency SIGPWR line"
grep -q 'init: poweroff' "$T/svd.out" || fail "no poweroff in the emergency's log"
rm -f "$T/services/broken.yaml"

# 3: not PID 1: stop every service, exit 0
rm -f "$T/out/db.up"
start_svd
db_up
kill -PWR "$SVD_PID"
rc=0; wait "$SVD_PID" || rc=$?
SVD_PID=
assert_eq "$rc" "0" "svd's exit status after SIGPWR"
grep -q 'received SIGPWR, stopping all services$' "$T/svd.out" || fail "no SIGPWR line (not PID 1)"
[ -f "$T/out/db.stop" ] || fail "db was not stopped (not PID 1)"
echo "pid1_sigpwr: ok"
