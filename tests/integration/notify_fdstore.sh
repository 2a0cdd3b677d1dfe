#!/bin/bash
# Descriptors a service passes with its notify messages are closed, never
# kept: svd keeps no descriptors for services. FDSTORE=1 with two pipe ends
# (systemd's file descriptor store) is refused with a warning naming the
# service and the count, and both ends are closed (the reader sees the
# hang-up); the READY=1 in the same message counts. BARRIER=1 (what
# sd_notify_barrier sends, with a pipe's write end) returns once svd has
# read it, its descriptor closed, without a warning.
. "$(dirname "$0")/lib.sh"

cat > "$T/fds.py" <<'PY'
import array, os, select, socket, sys
out = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def send_with(msg, fds):
    s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))], 0,
               os.environ["NOTIFY_SOCKET"])
def hung_up(r):  # whether every copy of the pipe's write end was closed
    p = select.poll()
    p.register(r, select.POLLIN)
    return bool(p.poll(60000))
r1, w1 = os.pipe()
r2, w2 = os.pipe()
send_with(b"FDSTORE=1\nFDNAME=db\nREADY=1", [w1, w2])
os.close(w1)
os.close(w2)
open(out + "/store", "w").write("closed" if hung_up(r1) and hung_up(r2) else "kept")
r, w = os.pipe()
send_with(b"BARRIER=1", [w])
os.close(w)
open(out + "/barrier", "w").write("ok" if hung_up(r) else "timed out")
select.select([], [], [])
PY
service app <<EOF2
type: notify
command: [python3, "$T/fds.py", "$T/out"]
EOF2

start_svd
wait_state app running 30
wait_for test -s "$T/out/store"
assert_eq "$(cat "$T/out/store")" "closed" "the FDSTORE=1 descriptors"
grep -q 'app: FDSTORE=1 ignored: svd keeps no descriptors for services; the 2 sent are closed' "$T/svd.out" ||
        fail "FDSTORE=1 not logged"
wait_for test -s "$T/out/barrier"
assert_eq "$(cat "$T/out/barrier")" "ok" "BARRIER=1"
assert_eq "$(grep -c 'FDSTORE' "$T/svd.out")" "1" "warnings about descriptors"
stop_svd
