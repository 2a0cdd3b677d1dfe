#!/bin/bash
# `svctl stop` holds a service down (no restart by policy) until `svctl
# start`; `restart` gives a new pid; unknown names and usage errors.
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [sleep, "1000"]
restart: always
backoff: { initial: 50ms }
EOF

start_svd
wait_state web running
pid1=$(field web pid)
svctl stop web > "$T/stop.out" || fail "svctl stop"
wait_state web stopped
kill -0 "$pid1" 2>/dev/null && fail "old process still alive"
# restart: always must not bring it back while held: give it many backoff periods
sleep 1
assert_eq "$(field web state)" "stopped" "held"
assert_eq "$(field web held)" "True" "held flag"
svctl start web >/dev/null || fail "svctl start"
wait_state web running
pid2=$(field web pid)
[ "$pid1" != "$pid2" ] || fail "same pid after start"
svctl restart web >/dev/null || fail "svctl restart"
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print([s[\"pid\"] for s in json.load(sys.stdin)[\"services\"]][0])')\" != $pid2 ]"
wait_state web running
assert_eq "$(field web restarts)" "0" "operator restarts are not policy restarts"

# an external kill is restarted by policy
pid3=$(field web pid)
kill -9 "$pid3"
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print([s[\"pid\"] for s in json.load(sys.stdin)[\"services\"]][0])')\" != $pid3 ]"
wait_state web running
assert_eq "$(field web restarts)" "1" "policy restart counted"
assert_eq "$(field web last_exit)" "killed by SIGKILL" "last_exit"

rc=0; svctl stop nosuch 2> "$T/err" || rc=$?
assert_eq "$rc" "4" "unknown service exit code"
grep -q "unknown service 'nosuch'" "$T/err" || fail "unknown service message: $(cat "$T/err")"
rc=0; svctl frobnicate 2>/dev/null || rc=$?
assert_eq "$rc" "2" "usage exit code"
rc=0; "$SVCTL" -s "$T/nope.sock" status 2>/dev/null || rc=$?
assert_eq "$rc" "3" "unreachable exit code"
stop_svd || fail "svd exit status"
echo "hold: ok"
