#!/bin/bash
# MAINPID= naming a thread of the service's process (its id is in the same
# number space as pids, kill(2) and /proc take it): refused, the process stays
# the main one. Taken, svd would track a number that is no process: the
# process's exit would go unseen (the service "running" for ever) and a stop
# would signal whatever later gets that number.
. "$(dirname "$0")/lib.sh"

cat > "$T/thr.py" <<'EOF'
import os, socket, sys, threading, time
tid = []
ready = threading.Event()
def run():
    tid.append(threading.get_native_id())
    ready.set()
    time.sleep(1000)
threading.Thread(target=run, daemon=True).start()
ready.wait()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), tid[0]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(("MAINPID=%d\nREADY=1" % tid[0]).encode(), os.environ["NOTIFY_SOCKET"])
time.sleep(1000)
EOF
service t <<EOF
type: notify
command: [python3, "$T/thr.py", "$T/ids"]
restart: "no"
stop: { timeout: 2s }
EOF

start_svd
wait_state t running
read -r pid tid < "$T/ids"
[ "$pid" != "$tid" ] || fail "the thread has the process's id"
wait_for grep -q "t: MAINPID=$tid ignored: pid $tid is a thread of process $pid, not a process" "$T/svd.out"
assert_eq "$(field t pid)" "$pid" "t main pid after MAINPID= of a thread"
# its end is seen
kill -TERM "$pid"
wait_for grep -q "t: running -> failed: killed by SIGTERM" "$T/svd.out"
stop_svd || fail "svd exit status"
echo "mainpid_thread: ok"
