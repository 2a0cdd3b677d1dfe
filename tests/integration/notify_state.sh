#!/bin/bash
# sd_notify beyond READY=1, with a real notify client (tests/helpers/notifier.py,
# datagrams to $NOTIFY_SOCKET): RELOADING=1 shows the service reloading until
# READY=1; an empty STATUS= clears the status; MAINPID= moves the tracked main
# process to a process of the service (svd follows it to its end, also when it
# is not svd's child) and is refused
# for a process that is not the service's; STOPPING=1 shows it stopping, and
# the exit that follows ends it stopped, not restarted (restart: on-failure),
# or SIGKILLed at the stop timeout (restart: always is notify_stopping_always).
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
for n in a b c d e; do
        mkfifo "$T/$n.fifo"
        policy=always
        [ $n != e ] || policy=on-failure
        service $n <<EOF
type: notify
command: [python3, "$H", "$T/$n.fifo"]
restart: $policy
backoff: { initial: 200ms }
stop: { timeout: 1s }
EOF
done
# a foreign process: not started by svd, in no service
sleep 1000 &
FOREIGN=$!
trap 'kill $FOREIGN 2>/dev/null; cleanup' EXIT

start_svd
for n in a b c d e; do wait_state $n running; done
tell() { echo "$2" > "$T/$1.fifo"; }
pid_is() { [ "$(field "$1" pid)" = "$2" ]; }

# RELOADING=1 ... READY=1
tell a "send RELOADING=1"
wait_state a reloading
tell a "send STATUS=reloaded\nREADY=1"
wait_state a running
assert_eq "$(field a status)" "reloaded" "STATUS= with READY=1"
# an empty STATUS= clears the text (as systemd does), not ignored
tell a "send STATUS="
wait_field a status ""
grep -q 'a: running -> reloading' "$T/svd.out" || fail "no reloading transition logged"

# MAINPID= of a process of the service (forked child), then the old main exits:
# svd keeps the service running on the child, and sees the child's end.
pid_b=$(field b pid)
tell b "fork $T/b.child"
wait_for test -s "$T/b.child"
child=$(cat "$T/b.child")
wait_for pid_is b "$child"
grep -q "b: main process is now $child (was $pid_b)" "$T/svd.out" || fail "MAINPID not logged"
tell b "exit 0" # the original main process goes; the child stays
sleep 0.5
assert_eq "$(field b state)" "running" "b after its original process exited"
assert_eq "$(field b pid)" "$child" "b main pid after its original process exited"
kill -TERM "$child"
wait_for grep -q 'b: running -> backoff' "$T/svd.out"
grep -q 'b: running -> backoff: killed by SIGTERM' "$T/svd.out" || fail "b: the adopted main's end: $(grep 'b: running' "$T/svd.out")"
wait_state b running # restart: always brings it back

# MAINPID= of a process that is not the service's: refused, nothing changes
pid_c=$(field c pid)
tell c "mainpid $FOREIGN"
wait_for grep -q "c: MAINPID=$FOREIGN ignored: pid $FOREIGN does not belong to the service" "$T/svd.out"
assert_eq "$(field c pid)" "$pid_c" "c main pid after a refused MAINPID="
tell c "mainpid 99999999"
wait_for grep -q "c: MAINPID=99999999 ignored: pid 99999999 does not exist" "$T/svd.out"
assert_eq "$(field c state)" "running" "c after a MAINPID= of no process"
kill -0 "$FOREIGN" || fail "the foreign process was touched"

# An adopted main process that is not svd's child (its parent, the service's
# first process, never reaps it): its end is seen through a pidfd.
tell d "fork $T/d.child"
wait_for test -s "$T/d.child"
dchild=$(cat "$T/d.child")
wait_for pid_is d "$dchild"
tell d "killchild"
wait_for grep -q "d: main process $dchild (not a child of svd) ended" "$T/svd.out"
wait_for grep -q 'd: running -> backoff: exited 0' "$T/svd.out"
wait_state d running

# STOPPING=1: shown stopping; its exit ends it stopped, not restarted (restart: on-failure)
tell e "send STOPPING=1"
wait_state e stopping
tell e "exit 0"
wait_state e stopped
sleep 0.5
assert_eq "$(field e state)" "stopped" "e not restarted after STOPPING=1"
assert_eq "$(field e reason)" "exited 0 after STOPPING=1" "e reason"
assert_eq "$(field e restarts)" "0" "e restarts"
# STOPPING=1 and then hanging: SIGKILLed at the stop timeout, which is a
# failure (as systemd's timeout result): on-failure restarts it
svctl start e >/dev/null
wait_state e running
tell e "send STOPPING=1"
wait_state e stopping
wait_for grep -q 'e: did not stop within its timeout, sending SIGKILL' "$T/svd.out"
wait_for grep -q 'e: stopping -> backoff: did not end within its stop timeout after STOPPING=1: killed by SIGKILL; restart 1 in' "$T/svd.out"
wait_state e running

stop_svd
