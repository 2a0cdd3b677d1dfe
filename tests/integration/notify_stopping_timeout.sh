#!/bin/bash
# A service that sent STOPPING=1 and then did not end within its
# stop.timeout failed (systemd's result "timeout"): svd's SIGKILL ends it,
# restart: on-failure restarts it, restart: "no" leaves it failed, both
# with a reason that says so. It used to count as the end it announced
# (stopped, not restarted under on-failure).
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
for n in f g; do
        mkfifo "$T/$n.fifo"
        policy=on-failure
        [ $n = f ] || policy='"no"'
        service $n <<EOF
type: notify
command: [python3, "$H", "$T/$n.fifo"]
restart: $policy
backoff: { initial: 200ms }
stop: { timeout: 500ms }
EOF
done
start_svd
for n in f g; do wait_state $n running; done
tell() { echo "$2" > "$T/$1.fifo"; }
announce() { tell "$1" "send STOPPING=1"; wait_state "$1" stopping; }

why="did not end within its stop timeout after STOPPING=1: killed by SIGKILL"
# on-failure: restarted after the stop timeout
pid=$(field f pid)
announce f
wait_for grep -q "f: did not stop within its timeout, sending SIGKILL" "$T/svd.out"
wait_for grep -qF "f: stopping -> backoff: $why; restart 1 in" "$T/svd.out"
wait_state f running
assert_eq "$(field f restarts)" "1" "f restarts after the stop timeout"
[ "$(field f pid)" != "$pid" ] || fail "f not restarted"
assert_eq "$(field f last_failure)" "$why" "f's last failure"

# restart: "no": failed, with the reason
announce g
wait_state g failed
assert_eq "$(field g reason)" "$why" "g reason"
assert_eq "$(field g restarts)" "0" "g restarts"
assert_eq "$(field g last_exit)" "killed by SIGKILL" "g last exit"
stop_svd || fail "svd exit status"
echo "notify_stopping_timeout: ok"
