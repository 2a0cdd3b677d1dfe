#!/bin/bash
# What a main process sends just before it exits is acted on before its
# exit, also when svd reads both at once (libev runs child watchers first):
# a main process that forks its daemon, sends "MAINPID=<daemon>\nREADY=1"
# and exits at once hands the service over to the daemon (running, its
# pid), instead of the service ending with the daemon left unsupervised;
# a running service's STOPPING=1 just before its exit 0 counts ("exited 0
# after STOPPING=1"). svd is held with SIGSTOP while the senders send and
# exit (both are zombies, unreaped), so it finds both events at once. Another
# service's READY=1 queued ahead of them (it waits for state.json before it
# leaves the socket) does not hold them up.
. "$(dirname "$0")/lib.sh"

cat > "$T/race.py" <<'PY'
import os, signal, socket, subprocess, sys
mode, fifo, out = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if mode == "other":
    msg = b"READY=1"
elif mode == "fork":
    daemon = subprocess.Popen(["sleep", "1000"]).pid
    open(out + "/daemon", "w").write(str(daemon))
    msg = b"MAINPID=%d\nREADY=1" % daemon
else:
    s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
    msg = b"STOPPING=1"
open(out + "/" + mode + ".up", "w").close()
sys.stdin = open(fifo)  # until the test opens the fifo
sys.stdin.readline()
s.sendto(msg, os.environ["NOTIFY_SOCKET"])
if mode == "other":
    open(out + "/other.sent", "w").close()
    sys.stdin.readline()  # (EOF: stays up, as a daemon)
    signal.pause()
os._exit(0)
PY
mkfifo "$T/other.fifo" "$T/fork.fifo" "$T/stop.fifo"
service other <<EOF2
type: notify
command: [python3, "$T/race.py", other, "$T/other.fifo", "$T/out"]
EOF2
service fork <<EOF2
type: notify
restart: "no"
command: [python3, "$T/race.py", fork, "$T/fork.fifo", "$T/out"]
EOF2
service stop <<EOF2
type: notify
restart: "no"
command: [python3, "$T/race.py", stop, "$T/stop.fifo", "$T/out"]
EOF2

start_svd
wait_for test -f "$T/out/other.up"
wait_for test -f "$T/out/fork.up"
wait_for test -f "$T/out/stop.up"
wait_state stop running 30
fork_pid=$(field fork pid)
stop_pid=$(field stop pid)
daemon=$(cat "$T/out/daemon")
zombie() { grep -q '^State:.*Z' "/proc/$1/status"; }
kill -STOP "$SVD_PID"
echo go > "$T/other.fifo"
wait_for test -f "$T/out/other.sent"
echo go > "$T/fork.fifo"
echo go > "$T/stop.fifo"
# (wait_for's deadline, in the unlikely case, leaves svd stopped: fail's
# cleanup still ends it with SIGKILL)
wait_for zombie "$fork_pid"
wait_for zombie "$stop_pid"
kill -CONT "$SVD_PID"

wait_state stop stopped 30
svctl status stop > "$T/stop.out"
grep -q 'exited 0 after STOPPING=1' "$T/stop.out" || fail "stop's exit: $(cat "$T/stop.out")"
wait_field fork pid "$daemon" 30
assert_eq "$(field fork state)" "running" "fork after its main process handed over and exited"
grep -q "fork: main process is now $daemon (was $fork_pid)" "$T/svd.out" || fail "the handover not logged"
wait_state other running 30
stop_svd
kill -0 "$daemon" 2>/dev/null && fail "the daemon outlived svd's stop" || true
