#!/bin/bash
# restart: unless-stopped is restart: always. For both, an operator's svctl
# stop lasts across svctl daemon-reexec and a killed svd started again
# (state.json), not across an orderly restart of svd (or a reboot): the
# next svd starts every enabled service, as at boot.
. "$(dirname "$0")/lib.sh"

for n in alw uns; do
        policy=always
        [ $n = uns ] && policy=unless-stopped
        service $n <<EOF
command: [sleep, "1000"]
restart: $policy
backoff: { initial: 50ms }
EOF
done
start_svd
wait_state alw running
wait_state uns running
# a crash is restarted by both
for n in alw uns; do
        p=$(field $n pid)
        kill -9 "$p"
        wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name == \"$n\") | \"\(.state) \(.pid)\"')\" != 'running $p' ]"
        wait_state $n running
done
svctl stop alw > /dev/null
svctl stop uns > /dev/null
wait_state alw stopped
wait_state uns stopped
svctl daemon-reexec > "$T/rx" || fail "daemon-reexec: $(cat "$T/rx")"
wait_for sh -c "grep -q 'daemon-reexec: [0-9]* services taken over' $T/svd.out"
sleep 0.3 # a restart by policy would have come by now (backoff 50 ms)
assert_eq "$(field alw state)" stopped "alw after daemon-reexec"
assert_eq "$(field uns state)" stopped "uns after daemon-reexec"
crash_restart_svd
sleep 0.3
assert_eq "$(field alw state)" stopped "alw after a killed svd"
assert_eq "$(field uns state)" stopped "uns after a killed svd"
stop_svd || fail "svd exit status"
start_svd
wait_state alw running
wait_state uns running
stop_svd || fail "svd exit status"
echo "restart_unless_stopped: ok"
