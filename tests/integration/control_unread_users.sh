#!/bin/bash
# Replies left unread are bounded per client (4 MiB) and, for users other
# than root and the admin group, in all (16 MiB): one such user holding
# dozens of connections that never read cannot make PID 1 keep 56 x 4 MiB.
# Connections that would take the total past the bound are dropped (the log
# says why); root's connections are not counted and keep working.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
PY=/usr/bin/python3 # one nobody can run
[ -x "$PY" ] || PY=$(command -v python3)

service web <<YAML
command: [sleep, "1000"]
YAML
start_svd
wait_state web running
chmod 755 "$T/run"

# 30 connections, each asking for about 3 MiB of status replies and reading
# none; then which of them svd closed
cat > "$T/unread.py" <<'PY'
import json, socket, struct, sys, time
body = json.dumps({"v": 1, "op": "status"}).encode()
one = struct.pack(">I", len(body)) + body
probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
probe.connect(sys.argv[1])
probe.sendall(one)
hdr = probe.recv(4, socket.MSG_WAITALL)
size = 4 + struct.unpack(">I", hdr)[0]
probe.close()
n = 3 * (1 << 20) // size  # requests for about 3 MiB of replies
conns = []
for _ in range(30):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(sys.argv[1])
        try:
                s.sendall(one * n)
        except OSError:
                pass
        conns.append(s)
# svd has handled the requests once it is idle
def cpu():
        f = open("/proc/%s/stat" % sys.argv[2]).read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])
deadline = time.time() + 120
while time.time() < deadline:
        c0 = cpu()
        time.sleep(0.5)
        if cpu() - c0 <= 2:
                break
closed = 0
for s in conns:
        s.setblocking(False)
        try:
                while True:
                        c = s.recv(1 << 20)  # reading now: what svd queued, then the end if it closed
                        if not c:
                                closed += 1
                                break
        except BlockingIOError:
                pass
        except OSError:
                closed += 1
print(closed)
PY
chmod 644 "$T/unread.py"
closed=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$PY" "$T/unread.py" "$SOCK" "$SVD_PID") || fail "client"
echo "closed: $closed of 30"
[ "$closed" -ge 20 ] || fail "only $closed of 30 unread connections closed"
grep -q "control: dropping client pid [0-9]*: users other than root and the admin group leave more than 16 MiB of replies unread" \
        "$T/svd.out" || fail "no log line for the drops"
svctl status web > /dev/null || fail "root refused"
stop_svd || fail "svd exit status"
echo "control_unread_users: ok"
