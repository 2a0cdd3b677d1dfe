#!/bin/bash
# kill -9 of svd (not PID 1) right after it started a service's main process,
# before its state file (written up to 50 ms after a change) had it: the svd
# started next must not start the service a second time beside the process
# the dead one started (nothing would track that one), whether the spawn was
# a restart after an exit, an svctl start, the boot (no state file yet), or
# a MAINPID= that moved the main process out of the service's process group.
# The service does it itself: its first action stops svd (SIGSTOP: before
# the state write 50 ms after the change can happen), and it kills svd once
# svd has logged the spawn (the state transition after it); for MAINPID=,
# once svd has logged the change. Then: exactly one instance runs, and it
# is the one svd tracks (and restarts when it dies).
. "$(dirname "$0")/lib.sh"

# $T/out/arm-dup: the next start stops svd ($T/out/svd) at once, before its
# state write 50 ms after the change can happen, then kills it once svd.out
# has more than $T/out/n-dup "dup: starting -> running" lines (logged after
# the spawn: what svd does about the new process is done by then)
cat > "$T/dup.sh" <<'SH'
T=$1
if [ -e "$T/out/arm-dup" ]; then
        read -r svd < "$T/out/svd"
        kill -STOP "$svd"
        rm -f "$T/out/arm-dup"
        read -r n < "$T/out/n-dup"
        c=0
        while [ "$c" -le "$n" ]; do
                c=0
                while IFS= read -r l; do
                        case $l in *"dup: starting -> running"*) c=$((c + 1)) ;; esac
                done < "$T/svd.out"
                if [ "$c" -le "$n" ]; then
                        kill -CONT "$svd"
                        kill -STOP "$svd"
                fi
        done
        kill -9 "$svd"
fi
# one process, named for pgrep (a shell forking sleep would show its own
# command line twice for an instant)
exec -a "dup-instance $T" sleep 100000
SH
service dup <<EOF2
restart: always
backoff: { initial: 300ms }
command: [bash, "$T/dup.sh", "$T"]
EOF2
# the same for MAINPID=: the child it names leaves the process group (setsid)
cat > "$T/mainpid.py" <<'PY'
import os, socket, sys, time
T = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def send(text):
    sock.sendto(text.encode(), os.environ["NOTIFY_SOCKET"])
def logged(text, more_than=0):
    with open(T + "/svd.out", errors="replace") as f:
        return f.read().count(text) > more_than
send("READY=1")
def become_instance():
    os.execvp("sleep", ["mp-instance " + T, "100000"])
if not os.path.exists(T + "/out/arm-mp"):
    become_instance()
os.unlink(T + "/out/arm-mp")
n = int(open(T + "/out/n-mp").read())
while not logged("mp: starting -> running", n):
    time.sleep(0.001)
time.sleep(0.2)  # the state file has it running (READY=1 is not what this is about)
r, w = os.pipe()
done_r, done_w = os.pipe()
child = os.fork()
if child == 0:
    os.setsid()
    os.close(w)
    os.read(r, 1)
    while not logged("mp: main process is now %d" % os.getpid()):
        pass
    os.kill(int(open(T + "/out/svd").read()), 9)
    os.write(done_w, b"x")
    become_instance()
send("MAINPID=%d" % child)
os.close(w)
os.read(done_r, 1)  # svd is gone: the old main process ends
PY
service mp <<EOF2
type: notify
restart: always
backoff: { initial: 300ms }
command: [python3, "$T/mainpid.py", "$T"]
EOF2

instances() { pgrep -f -- "^$1-instance $T " || true; }
# crash NAME COMMAND...: arms NAME's next start, runs COMMAND (which makes
# svd start it), waits for svd to be killed by it
svd_dead() { ! kill -0 "$SVD_PID" 2>/dev/null || grep -q '^State:.Z' "/proc/$SVD_PID/status"; }
# Killed in the middle of another spawn, svd leaves a child that holds a
# copy of its descriptors until its exec: the control socket still listens
# (the next svd would refuse to start) for as long.
crash() {
        local name=$1
        shift
        echo "$SVD_PID" > "$T/out/svd"
        grep -c "$name: starting -> running" "$T/svd.out" > "$T/out/n-$name" || true
        touch "$T/out/arm-$name"
        "$@"
        wait_for svd_dead
        wait "$SVD_PID" 2>/dev/null || true
        SVD_PID=
        wait_for control_socket_free
        [ -e "$T/out/arm-$name" ] && fail "$name did not start"
        cat "$T/svd.out" >> "$T/svd.before"
}
# one instance of NAME runs, and svd tracks it
one() {
        local run
        run=$(instances "$1")
        assert_eq "$(echo $run | wc -w)" 1 "$2: instances of $1 running (pids: $(echo $run))"
        assert_eq "$(field "$1" pid)" "$run" "$2: the pid svd tracks for $1"
}
dump_before() { echo "--- svd output before the kill ---" >&2; cat "$T/svd.before" >&2 2>/dev/null || true; }
trap 'dump_before; cleanup' EXIT

start_svd
wait_state dup running
wait_state mp running
one dup "at start"
one mp "at start"

# 1. a restart after an exit: the state file says backoff (or the old pid)
crash dup kill -9 "$(field dup pid)"
start_svd
grep -q "svd was not stopped cleanly" "$T/svd.out" || fail "no take-over logged"
wait_state dup running
sleep 1 # (a restored backoff would start it within 300 ms)
one dup "restart"
# still supervised: killed, it is restarted
old=$(field dup pid)
kill -9 "$old"
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"dup\") | .pid')\" != $old ]"
wait_state dup running
one dup "restart after the take-over"

# 2. svctl start of a stopped service: the state file says stopped
svctl stop dup > /dev/null
wait_state dup stopped
sleep 0.2
# (svd writes state.json before it answers, so the kill may come first:
# svctl's "closed the connection without replying" is not a failure here;
# crash checks that dup started)
start_dup() { svctl start dup > /dev/null 2>&1 || true; }
crash dup start_dup
start_svd
sleep 1
case "$(field dup state)" in
running) one dup "svctl start" ;;
stopped) assert_eq "$(instances dup)" "" "svctl start: dup processes while stopped" ;;
*) fail "svctl start: dup is $(field dup state)" ;;
esac
if [ "$(field dup state)" = stopped ]; then
        svctl start dup > /dev/null
        wait_state dup running
fi

# 3. MAINPID= to a process outside the service's process group
crash mp kill -9 "$(field mp pid)"
start_svd
wait_state mp running
sleep 1
one mp "MAINPID="

# 4. the boot: no state file written yet. dup alone: stopped and killed
# while it spawned another service, svd would be suspended until that
# child's exec (the child notes its own pid first: crash_state.sh tests a
# kill in the middle of a spawn), which this test does not arrange.
stop_svd || fail "svd exit status"
cat "$T/svd.out" >> "$T/svd.before"
[ -z "$(instances dup)$(instances mp)" ] || fail "processes left after a clean stop"
rm "$T/services/mp.yaml"
echo 0 > "$T/out/n-dup"
touch "$T/out/arm-dup"
# (its pid is in $T/out/svd before it starts anything)
sh -c 'echo $$ > "$1/out/svd"; exec "$2" -c "$1/etc/svd.yaml"' sh "$T" "$SVD" > "$T/svd.out" 2>&1 &
SVD_PID=$!
wait_for svd_dead
[ -e "$T/out/arm-dup" ] && fail "dup did not start"
wait "$SVD_PID" 2>/dev/null || true
SVD_PID=
wait_for control_socket_free
cat "$T/svd.out" >> "$T/svd.before"
start_svd
wait_state dup running
sleep 1
one dup "boot"

stop_svd || fail "svd exit status"
[ -e "$T/run/state.journal" ] && fail "state.journal left after a clean stop"
trap cleanup EXIT
echo "crash_spawn: ok"
