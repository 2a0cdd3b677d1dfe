#!/bin/bash
# The process group svd made for a service is signalled only while its number
# is still the service's (mainpid_group): once its leader is reaped and the
# main process (MAINPID=) is in another group, the number is free, and here
# it is handed out again on purpose (ns_last_pid in a PID namespace of the
# test's own) to an unrelated process that makes it its group: that process
# survives the service's stop, and its sd_notify messages are not taken as
# the service's. A main process still in the group keeps it: the group's
# other members get the stop signal.
if [ -z "${SVD_IN_PIDNS:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "needs root for unshare and ns_last_pid"; exit 77; }
        unshare --pid --fork --mount-proc sh -c 'echo 100 > /proc/sys/kernel/ns_last_pid' 2>/dev/null ||
                { echo "no PID namespace with a writable ns_last_pid here"; exit 77; }
        exec unshare --pid --fork --mount-proc env SVD_IN_PIDNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

# svc.py MODE PREFIX: the process svd spawns (the group's leader) forks the
# main process, which leaves the group (MODE away: setsid) or stays in it
# with a worker (MODE stay); the leader sends MAINPID= and READY=1, and exits
# once PREFIX.go exists.
cat > "$T/svc.py" <<'EOF'
import os, socket, sys, time
mode, out = sys.argv[1], sys.argv[2]
def put(name, text):
    with open(out + name + ".tmp", "w") as f:
        f.write(text)
    os.rename(out + name + ".tmp", out + name)
r, w = os.pipe()
q = os.fork()
if q == 0:
    os.close(r)
    if mode == "away":
        os.setsid()
    else:
        wk = os.fork()
        if wk == 0:
            while True:
                time.sleep(1000)
        put(".worker", "%d\n" % wk)
    os.write(w, b"x")
    while True:
        time.sleep(1000)
os.close(w)
os.read(r, 1)
put(".leader", "%d\n" % os.getpid())
put(".main", "%d\n" % q)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"MAINPID=%d\nREADY=1" % q, os.environ["NOTIFY_SOCKET"])
while not os.path.exists(out + ".go"):
    time.sleep(0.01)
os._exit(0)
EOF
# victim.py PREFIX SOCKET: an unrelated process that makes its pid its
# group (and session), tries to speak for the service, and notes a SIGTERM
cat > "$T/victim.py" <<'EOF'
import os, signal, socket, sys, time
out, sock = sys.argv[1], sys.argv[2]
signal.signal(signal.SIGTERM, lambda *a: (open(out + ".term", "w").close(), os._exit(1)))
os.setsid()
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"STATUS=hijacked\nSTOPPING=1", sock)
with open(out + ".tmp", "w") as f:
    f.write("%d %d %d\n" % (os.getpid(), os.getpgid(0), os.getsid(0)))
os.rename(out + ".tmp", out)
while True:
    time.sleep(1000)
EOF
for mode in stay away; do
        service $mode <<EOF
type: notify
command: [python3, $T/svc.py, $mode, $T/out/$mode]
EOF
done
start_svd
wait_state stay running
wait_state away running

gone() { ! kill -0 "$1" 2>/dev/null; }
# no longer running: gone, or a zombie nobody reaped yet
dead() { gone "$1" || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]; }

# The main process stays in the group: after the leader's end, the stop still
# reaches the group (the worker).
wait_for test -s "$T/out/stay.main"
leader=$(cat "$T/out/stay.leader")
main=$(cat "$T/out/stay.main")
worker=$(cat "$T/out/stay.worker")
wait_field stay pid "$main"
touch "$T/out/stay.go"
wait_for gone "$leader"
svctl stop stay >/dev/null
wait_state stay stopped
wait_for dead "$worker"
grep -q "stay: process group" "$T/svd.out" && fail "stay: its group was forgotten"

# The main process left the group: once the leader is reaped, svd forgets it.
wait_for test -s "$T/out/away.main"
leader=$(cat "$T/out/away.leader")
main=$(cat "$T/out/away.main")
wait_field away pid "$main"
touch "$T/out/away.go"
wait_for grep -q "away: process group $leader is no longer signalled: its leader was reaped and the main process $main is not in it" "$T/svd.out"
gone "$leader" || fail "the leader $leader was not reaped"

# Its number handed out again: the next process forked here gets it.
echo $((leader - 1)) > /proc/sys/kernel/ns_last_pid
python3 "$T/victim.py" "$T/out/victim" "$T/run/notify.sock" </dev/null >/dev/null 2>&1 &
victim=$!
[ "$victim" = "$leader" ] || fail "the unrelated process got pid $victim, not the freed $leader"
wait_for test -s "$T/out/victim"
assert_eq "$(cat "$T/out/victim")" "$leader $leader $leader" "the unrelated process's pid, group and session"

# Its datagram was read before the second status is answered.
svctl status >/dev/null
assert_eq "$(field away state)" "running" "away after a STOPPING=1 from the unrelated process"
[ "$(field away status)" != hijacked ] || fail "the unrelated process's STATUS= was taken as away's"

svctl stop away >/dev/null
wait_state away stopped
wait_for gone "$main"
dead "$victim" && fail "the unrelated process in group $leader was killed by away's stop"
[ -e "$T/out/victim.term" ] && fail "the unrelated process in group $leader got away's stop signal"
kill -KILL "$victim"
stop_svd || fail "svd exit status"
echo "notify_pgid_reuse: ok"
