#!/bin/bash
# svd out of file descriptors cannot accept a connection: the connection
# stays queued and the listening socket readable. svd says so once, retries
# a few times a second instead of spinning on the socket (PID 1 at 100%
# CPU), and accepts the waiting client once a descriptor is free again.
. "$(dirname "$0")/lib.sh"
command -v prlimit > /dev/null || { echo "no prlimit"; exit 77; }

service web <<YAML
command: [sleep, "1000"]
YAML
start_svd
wait_state web running

# the soft limit at svd's lowest free descriptor: the next accept fails
lowest_free() {
        python3 -c '
import os, sys
used = {int(f) for f in os.listdir("/proc/%s/fd" % sys.argv[1])}
i = 0
while i in used:
        i += 1
print(i)' "$SVD_PID"
}
limit=$(prlimit --pid "$SVD_PID" --nofile --noheadings --output SOFT,HARD | awk '{print $1 ":" $2}')
free=$(lowest_free)
prlimit --pid "$SVD_PID" --nofile="$free:${limit#*:}"

python3 - "$SOCK" "$SVD_PID" "$limit" > "$T/out/client.out" 2>&1 <<'PY' || fail "client: $(cat "$T/out/client.out")"
import json, os, socket, struct, subprocess, sys, time

def cpu(pid):
        f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])  # queued: svd cannot accept it
b = json.dumps({"v": 1, "op": "version"}).encode()
s.sendall(struct.pack(">I", len(b)) + b)
c0 = cpu(sys.argv[2])
time.sleep(1.5)
used = cpu(sys.argv[2]) - c0
assert used < 0.3, "svd used %.2f s of CPU in 1.5 s while it could not accept" % used
# a descriptor again: the waiting client is answered
subprocess.check_call(["prlimit", "--pid", sys.argv[2], "--nofile=" + sys.argv[3]])
s.settimeout(10)
hdr = s.recv(4, socket.MSG_WAITALL)
assert len(hdr) == 4, "no reply after the limit was raised"
rep = json.loads(s.recv(struct.unpack(">I", hdr)[0], socket.MSG_WAITALL))
assert rep["ok"], rep
print("ok, cpu %.2f" % used)
PY
wait_for grep -q "control: cannot accept a connection: Too many open files" "$T/svd.out"
assert_eq "$(grep -c 'control: cannot accept a connection' "$T/svd.out")" "1" "warnings"
wait_for grep -q "control: accepting connections again" "$T/svd.out"
svctl status web > /dev/null || fail "svd no longer answers"
stop_svd || fail "svd exit status"
echo "control_accept_emfile: ok"
