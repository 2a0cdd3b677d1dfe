#!/bin/bash
# svctl start of a service still stopping says that it starts again once it
# has stopped (before: only "NAME: stopping", which read as a refusal), and
# it does.
. "$(dirname "$0")/lib.sh"

service slow <<EOF2
command: [sh, -c, 'trap "sleep 1; exit 0" TERM; echo \$\$ > $T/out/slow.up; while :; do sleep 0.1; done']
stop:
  timeout: 10s
EOF2
start_svd
wait_state slow running
pid1=$(field slow pid)
# slow is running once spawned: a SIGTERM before its sh set the trap would
# end it at once, never seen stopping
wait_for grep -qx "$pid1" "$T/out/slow.up"
svctl stop slow > /dev/null
wait_state slow stopping
out=$(svctl start slow)
assert_eq "$out" "slow: stopping (starts again once it has stopped)"
json=$(svctl --json start slow)
case "$json" in
*'"state":"stopping","note":"starts again once it has stopped"'*) ;;
*'"state":"running"'*) ;; # (a stop this quick is done already: nothing to say)
*) fail "svctl --json start: $json" ;;
esac
wait_state slow running
pid2=$(field slow pid)
[ "$pid2" != "$pid1" ] || fail "not started again: pid $pid2"
# a start of a running service has no such note
assert_eq "$(svctl start slow)" "slow: running"
