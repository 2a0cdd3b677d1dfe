#!/bin/bash
# STOPPING=1 announces a graceful shutdown, not a free pass: a service that
# then exits with a status other than 0, or is killed by a signal svd did not
# send, failed, and restart: on-failure restarts it (as systemd's
# Restart=on-failure does); restart: "no" leaves it failed. Its exit 0 after
# STOPPING=1 is the end it announced (stopped, no restart), and so is any
# exit after svctl stop. It used to end stopped whatever the exit.
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
stop: { timeout: 30s }
EOF
done
start_svd
for n in f g; do wait_state $n running; done
tell() { echo "$2" > "$T/$1.fifo"; }
# STOPPING=1, and wait until svd shows it (the order of what follows)
announce() { tell "$1" "send STOPPING=1"; wait_state "$1" stopping; }

# a non-zero exit after STOPPING=1: a failure, restarted
pid=$(field f pid)
announce f
tell f "exit 3"
wait_for grep -q "f: stopping -> backoff: exited 3 after STOPPING=1; restart 1 in" "$T/svd.out"
wait_state f running
assert_eq "$(field f restarts)" "1" "f restarts after exit 3"
[ "$(field f pid)" != "$pid" ] || fail "f not restarted"

# a signal svd did not send: a failure, restarted
pid=$(field f pid)
announce f
kill -SEGV "$pid"
wait_for grep -q "f: stopping -> backoff: killed by SIGSEGV.* after STOPPING=1; restart 2 in" "$T/svd.out"
wait_state f running
assert_eq "$(field f restarts)" "2" "f restarts after SIGSEGV"

# exit 0 after STOPPING=1: the announced end, not restarted
announce f
tell f "exit 0"
wait_state f stopped
assert_eq "$(field f reason)" "exited 0 after STOPPING=1" "f reason after exit 0"
sleep 0.5
assert_eq "$(field f state)" "stopped" "f after exit 0 (not restarted)"
assert_eq "$(field f restarts)" "2" "f restarts after exit 0"

# svctl stop after STOPPING=1: whatever the exit, the stop asked for
svctl start f >/dev/null || fail "start f"
wait_state f running
announce f
svctl stop f >/dev/null || fail "stop f"
tell f "exit 3"
wait_state f stopped
sleep 0.5
assert_eq "$(field f state)" "stopped" "f after svctl stop and exit 3"

# restart: "no": failed, with the reason
announce g
tell g "exit 4"
wait_state g failed
assert_eq "$(field g reason)" "exited 4 after STOPPING=1" "g reason"
assert_eq "$(field g restarts)" "0" "g restarts"
stop_svd || fail "svd exit status"
echo "notify_stopping_fail: ok"
