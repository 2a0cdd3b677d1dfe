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

# 12 connections, each asking for about 3 MiB of status replies and reading
# none; then how many of them svd closed. At most 5 fit in 16 MiB (svd's
# own count is a little less than 3 MiB each, part sits in the sockets'
# buffers): a bound that works closes 7, the test asks for 5.
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
for _ in range(12):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(sys.argv[1])
        try:
                s.sendall(one * n)
        except OSError:
                pass
        conns.append(s)
# A connection svd dropped shows a hang-up (the peer's end closed) while
# what svd queued before is still unread: wait until the drops are there
# (an ASan build on CI's loaded 2 cores takes minutes for the 36 MiB of
# replies) or 300 s pass
import select
def hung_up():
        n = 0
        for s in conns:
                p = select.poll()
                p.register(s, select.POLLRDHUP)
                if any(ev & (select.POLLHUP | select.POLLRDHUP) for _, ev in p.poll(0)):
                        n += 1
        return n
deadline = time.time() + 300
closed = hung_up()
while closed < 5 and time.time() < deadline:
        time.sleep(0.2)
        closed = hung_up()
print(closed)
PY
chmod 644 "$T/unread.py"
closed=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$PY" "$T/unread.py" "$SOCK") || fail "client"
echo "closed: $closed of 12"
[ "$closed" -ge 5 ] || fail "only $closed of 12 unread connections closed"
grep -q "control: dropping client pid [0-9]*: users other than root and the admin group leave more than 16 MiB of replies unread" \
        "$T/svd.out" || fail "no log line for the drops"
svctl status web > /dev/null || fail "root refused"
stop_svd || fail "svd exit status"
echo "control_unread_users: ok"
