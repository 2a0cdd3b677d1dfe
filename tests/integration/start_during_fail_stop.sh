#!/bin/bash
# svctl start or restart of a service while svd stops it for a failed check
# (here: not healthy within start_timeout, a failure with no restart) starts
# it again once it is down: the operator's request wins over the failure,
# as it does during the operator's own stop. It used to reply "ok" and then
# leave the service failed; and the start it had asked for stayed pending,
# to fire at a later exit into stopped (after STOPPING=1, which must never
# restart it).
. "$(dirname "$0")/lib.sh"

# slow to stop (it ignores SIGTERM for a while), never healthy until the
# file ok exists; each start is counted
service slow <<EOF
restart: "no"
command: [/bin/sh, -c, 'echo start >> $T/out/starts; trap "" TERM; i=0; while [ \$i -lt 30 ]; do sleep 0.1; i=\$((i+1)); done; exec sleep 1000']
stop: { timeout: 1s }
healthcheck:
  exec: [test, -f, $T/out/ok]
  start_interval: 100ms
  interval: 100ms
  retries: 1
  start_timeout: 1s
EOF
starts() { wc -l < "$T/out/starts"; }

for op in restart start; do
        rm -f "$T/out/starts"
        svctl_op=$op
        if [ -z "$SVD_PID" ]; then start_svd; fi
        [ "$op" = restart ] || { svctl start slow > /dev/null || fail "start slow"; }
        wait_state slow stopping
        case "$(field slow reason)" in "not healthy within start_timeout"*) ;; *) fail "reason: $(field slow reason)";; esac
        assert_eq "$(starts)" "1" "starts before svctl $op"
        svctl $svctl_op slow > /dev/null || fail "svctl $op slow"
        touch "$T/out/ok"
        wait_state slow running 15
        assert_eq "$(starts)" "2" "starts after svctl $op during the failing stop"
        wait_field slow health healthy
        svctl stop slow > /dev/null || fail "stop slow"
        wait_state slow stopped 15
        rm -f "$T/out/ok"
done
stop_svd || fail "svd exit status $?"
echo "start_during_fail_stop: ok"
