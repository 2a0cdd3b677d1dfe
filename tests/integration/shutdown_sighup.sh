#!/bin/bash
# SIGHUP while svd stops its services (a shutdown under way) reloads
# nothing, and says why in words: it used to read and check the whole
# configuration, log "SIGHUP: reloading ..." and then refuse with
# strerror(ESHUTDOWN), "Cannot send after transport endpoint shutdown".
. "$(dirname "$0")/lib.sh"

service slow <<EOF
command: [/bin/sh, -c, 'trap "sleep 2; exit 0" TERM; touch $T/out/slow.up; while :; do sleep 0.05; done']
EOF
start_svd
wait_state slow running
# (running once spawned: a SIGTERM before its trap would end it at once,
# and svd with it, before the SIGHUP)
wait_for test -e "$T/out/slow.up"
kill -TERM "$SVD_PID"
wait_for grep -q "slow: running -> stopping" "$T/svd.out"
kill -HUP "$SVD_PID"
wait_for grep -q "SIGHUP: svd is shutting down; no reload" "$T/svd.out"
stop_rc=0; wait "$SVD_PID" || stop_rc=$?
SVD_PID=
assert_eq "$stop_rc" "0" "svd exit status"
! grep -q "transport endpoint" "$T/svd.out" || fail "$(grep SIGHUP "$T/svd.out")"
! grep -q "SIGHUP: reloading" "$T/svd.out" || fail "a reload was begun during the shutdown"
echo "shutdown_sighup: ok"
