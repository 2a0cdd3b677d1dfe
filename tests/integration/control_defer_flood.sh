#!/bin/bash
# A client whose request waits for a deferred reply (daemon-reexec while
# the binary's checks run) and that sends requests ahead (2.4 MB of them):
# svd does not read them while the reply waits (they stay in the socket,
# not in svd's memory) nor spin on the readable socket (it stays idle
# meanwhile), then answers the waiting request first and every request sent
# ahead, in order. One that goes away while its request waits is noticed
# at once (no spinning on its EOF either) and the reply, when it comes,
# goes nowhere.
. "$(dirname "$0")/lib.sh"

svd_copy

service app <<EOF
command: [sleep, "100000"]
EOF
start_svd
wait_state app running

# the "upgraded" binary answers nothing and keeps its output open: the
# --state-format check waits for its 5 s bound
rm -f "$T/bin/svd"
cat > "$T/bin/svd" <<EOF
#!/bin/bash
exec sleep 60
EOF
chmod 755 "$T/bin/svd"

python3 - "$SOCK" "$SVD_PID" > "$T/out/flood.out" 2>&1 <<'PYEOF' || fail "client: $(cat "$T/out/flood.out")"
import json, os, socket, struct, sys, time

def frame(obj):
    b = json.dumps(obj).encode()
    return struct.pack(">I", len(b)) + b

def cpu(pid):
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(frame({"v": 1, "op": "daemon_reexec"}))
time.sleep(0.3)
# requests sent ahead: each padded, together well over the frame limit
n = 0
pad = "x" * 60000
s.setblocking(False)
data = b"".join(frame({"v": 1, "op": "version", "pad": pad, "n": i}) for i in range(40))
sent = 0
deadline = time.time() + 2
while sent < len(data) and time.time() < deadline:
    try:
        sent += s.send(data[sent:])
    except BlockingIOError:
        time.sleep(0.05)
assert sent < (1 << 20), "svd read %d bytes of requests while one waited for its reply" % sent
c0 = cpu(sys.argv[2])
time.sleep(1.5)
used = cpu(sys.argv[2]) - c0
assert used < 0.5, "svd used %.2f s of CPU in 1.5 s while the reply waited" % used
s.setblocking(True)
s.settimeout(30)
s.sendall(data[sent:])
buf = b""
replies = []
while len(replies) < 41:
    while len(buf) >= 4 and len(buf) - 4 >= struct.unpack(">I", buf[:4])[0]:
        l = struct.unpack(">I", buf[:4])[0]
        replies.append(json.loads(buf[4:4 + l]))
        buf = buf[4 + l:]
    if len(replies) >= 41:
        break
    chunk = s.recv(65536)
    assert chunk, "svd closed after %d replies: %s" % (len(replies), replies[-1:])
    buf += chunk
first = json.dumps(replies[0])
assert "state format" in first, "first reply: " + first
for r in replies[1:]:
    assert r.get("ok") is not False and "error" not in r, json.dumps(r)[:300]
print("ok, cpu %.2f" % used)
PYEOF
svctl status > /dev/null || fail "svd does not answer"

# a client that asks and goes away at once
python3 - "$SOCK" "$SVD_PID" > "$T/out/gone.out" 2>&1 <<'PYEOF' || fail "client: $(cat "$T/out/gone.out")"
import json, os, socket, struct, sys, time

def cpu(pid):
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
b = json.dumps({"v": 1, "op": "daemon_reexec"}).encode()
s.sendall(struct.pack(">I", len(b)) + b)
time.sleep(0.3)
s.close()
c0 = cpu(sys.argv[2])
time.sleep(1.5)
used = cpu(sys.argv[2]) - c0
assert used < 0.5, "svd used %.2f s of CPU in 1.5 s after the client went away" % used
print("ok, cpu %.2f" % used)
PYEOF
wait_for grep -q "control: client uid [0-9]* pid [0-9]* went away while its request was still being handled" "$T/svd.out"
wait_for grep -q "daemon-reexec: the client that asked for it went away; it was refused" "$T/svd.out"
svctl status > /dev/null || fail "svd does not answer after the client went away"
grep -q "restore-fd" "/proc/$SVD_PID/cmdline" && fail "svd was executed again"
echo "control_defer_flood: $(cat "$T/out/flood.out"); gone: $(cat "$T/out/gone.out")"
