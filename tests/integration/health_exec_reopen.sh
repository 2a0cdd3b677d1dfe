#!/bin/bash
# An exec health check of a service with a user: reopens its stdout or
# stderr by path (dash's "echo x > /dev/stderr"; here /proc/self/fd/2, as
# the VM's devtmpfs has no /dev/stderr link) as that user, as the service
# itself can (svc.c gives it its log pipes): the
# check's pipe was svd's (root, 0600), and such a check failed with
# "cannot create /dev/stderr: Permission denied" while the service was fine.
. "$(dirname "$0")/lib.sh"
id -u nobody > /dev/null 2>&1 || { echo "no user nobody"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root (user: nobody)"; exit 77; }
service web <<EOF
user: nobody
command: [/bin/sh, -c, 'echo started > /proc/self/fd/2; exec sleep 100000']
healthcheck: { exec: [/bin/sh, -c, 'echo checked > /proc/self/fd/2; echo also > /proc/self/fd/1'], interval: 300ms }
EOF
start_svd
wait_state web running
wait_field web health healthy
out=$(field web probe_output)
case "$out" in
*checked*also*) ;;
*) fail "the check's output: $out" ;;
esac
stop_svd || fail "svd exit status"
echo "health_exec_reopen: ok"
