#!/bin/bash
# A service taken over after svd was killed (its main process watched with a
# pidfd: not svd's child) that then moves its main process with MAINPID= and
# lets the old one exit, as a daemon forking away from its starter does: the
# end of the old main process is not the service's end. The service stays
# running on the new main process, which is neither killed nor run twice;
# the end of the new one is then seen as the service's.
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
mkfifo "$T/d.fifo"
service d <<EOF2
type: notify
command: [python3, "$H", "$T/d.fifo"]
restart: always
backoff: { initial: 200ms }
stop: { timeout: 1s }
EOF2
child=
trap '[ -z "$child" ] || kill -9 "$child" 2>/dev/null; cleanup' EXIT

start_svd
wait_state d running
first=$(field d pid)
sleep 0.3 # (the state write after the change)

crash_restart_svd
wait_for grep -q "d: took over pid $first" "$T/svd.out"
assert_eq "$(field d state)" "running" "d after the takeover"

echo "fork $T/d.child" > "$T/d.fifo"
wait_for test -s "$T/d.child"
child=$(cat "$T/d.child")
wait_for grep -q "d: main process is now $child (was $first)" "$T/svd.out"
echo "exit 0" > "$T/d.fifo" # the taken-over process goes; the child stays
wait_for eval '! kill -0 '"$first"' 2>/dev/null || grep -q "^State:.Z" /proc/'"$first"'/status'
sleep 1 # (time for a wrong exit, a kill and a restart to show)
assert_eq "$(field d state)" "running" "d after its taken-over process exited"
assert_eq "$(field d pid)" "$child" "d main pid after its taken-over process exited"
kill -0 "$child" 2>/dev/null || fail "the new main process $child was killed"
assert_eq "$(field d restarts)" "0" "d restarts"
! grep -q "d: pid $child (taken over after svd restarted) is gone" "$T/svd.out" ||
        fail "the old main process's end was taken for the new one's"

# the new main process's own end is the service's
kill -TERM "$child"
wait_for grep -q 'd: running -> backoff' "$T/svd.out"
child=
wait_state d running
stop_svd
