#!/bin/bash
# restart: always (and unless-stopped) restarts a service that sent
# STOPPING=1 and then ended by itself with exit 0: svd did not ask for that
# exit (systemd's Restart=always restarts it too). on-failure leaves it
# stopped. It used to end stopped whatever the policy. svd's SIGKILL at the
# end of stop.timeout is a failure, which always restarts too (and
# on-failure: notify_stopping_timeout.sh).
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
for n in a u f; do
        mkfifo "$T/$n.fifo"
        case $n in a) policy=always ;; u) policy=unless-stopped ;; f) policy=on-failure ;; esac
        service $n <<EOF
type: notify
command: [python3, "$H", "$T/$n.fifo"]
restart: $policy
backoff: { initial: 200ms }
stop: { timeout: 1s }
EOF
done
start_svd
for n in a u f; do wait_state $n running; done
tell() { echo "$2" > "$T/$1.fifo"; }
announce() { tell "$1" "send STOPPING=1"; wait_state "$1" stopping; }

# exit 0 after STOPPING=1: always and unless-stopped restart it
for n in a u; do
        pid=$(field $n pid)
        announce $n
        tell $n "exit 0"
        wait_for grep -q "$n: stopping -> backoff: exited 0 after STOPPING=1; restart 1 in" "$T/svd.out"
        wait_state $n running
        assert_eq "$(field $n restarts)" "1" "$n restarts after exit 0"
        [ "$(field $n pid)" != "$pid" ] || fail "$n not restarted"
done

# svd's SIGKILL at the end of stop.timeout after STOPPING=1: restarted too
pid=$(field a pid)
announce a
wait_for grep -q "a: stopping -> backoff: did not end within its stop timeout after STOPPING=1: killed by SIGKILL; restart 2 in" "$T/svd.out"
wait_state a running
assert_eq "$(field a restarts)" "2" "a restarts after the stop timeout"
[ "$(field a pid)" != "$pid" ] || fail "a not restarted after the stop timeout"

# on-failure: the announced end (exit 0) is no failure
announce f
tell f "exit 0"
wait_state f stopped
assert_eq "$(field f reason)" "exited 0 after STOPPING=1" "f reason after exit 0"
sleep 0.5
assert_eq "$(field f state)" "stopped" "f after exit 0 (not restarted)"
assert_eq "$(field f restarts)" "0" "f restarts"

# svctl stop after STOPPING=1: the exit is the stop's, no restart under always
announce a
svctl stop a >/dev/null || fail "stop a"
tell a "exit 0"
wait_state a stopped
sleep 0.5
assert_eq "$(field a state)" "stopped" "a after svctl stop and exit 0"
stop_svd || fail "svd exit status"
echo "notify_stopping_always: ok"
