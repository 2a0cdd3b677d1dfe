#!/bin/bash
# A client that sends its requests and then shuts down its sending side
# (shutdown(SHUT_WR), as socat or nc do at the end of their input) still
# gets every reply: svd answers what it read and closes the connection once
# the replies are out, even when they fill the socket's buffer first. A
# request cut short by the shutdown gets no reply, and the connection still
# closes. A request whose reply is deferred (daemon-reexec) is answered too,
# and the requests sent after it.
. "$(dirname "$0")/lib.sh"

svd_copy

service web <<YAML
command: [sleep, "1000"]
YAML
start_svd
wait_state web running

# N status requests (about 1 MB of replies, many times the socket buffer),
# then the shutdown; svd's replies are read only after it has seen it, then
# to the end of the stream
halfclose() {
        python3 - "$SOCK" "$@" <<'PY'
import json, socket, struct, sys, time
n, tail = int(sys.argv[2]), sys.argv[3] == "tail"
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
body = json.dumps({"v": 1, "op": "status"}).encode()
s.sendall((struct.pack(">I", len(body)) + body) * n)
if tail:  # the start of one more request
        s.sendall(struct.pack(">I", len(body)) + body[:5])
s.shutdown(socket.SHUT_WR)
time.sleep(1)
s.settimeout(20)
buf = b""
while True:
        c = s.recv(1 << 20)
        if not c:
                break
        buf += c
got = 0
while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
        n_ = struct.unpack(">I", buf[:4])[0]
        assert json.loads(buf[4:4 + n_])["ok"], buf[4:4 + n_]
        buf = buf[4 + n_:]
        got += 1
print(got, len(buf))
PY
}
sockets() { ls -l "/proc/$SVD_PID/fd" | grep -c socket: || true; }
before=$(sockets)
assert_eq "$(halfclose 2000 whole)" "2000 0" "replies to a half-closed client"
assert_eq "$(halfclose 3 tail)" "3 0" "replies before a cut request"
# a deferred reply: the "upgraded" binary fails its checks after a while
rm -f "$T/bin/svd"
printf '#!/bin/sh\nsleep 1\nexit 1\n' > "$T/bin/svd"
chmod 755 "$T/bin/svd"
out=$(python3 - "$SOCK" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
for op in ("daemon_reexec", "status", "version"):
        b = json.dumps({"v": 1, "op": op}).encode()
        s.sendall(struct.pack(">I", len(b)) + b)
s.shutdown(socket.SHUT_WR)
s.settimeout(30)
buf = b""
while True:
        c = s.recv(1 << 20)
        if not c:
                break
        buf += c
out = []
while len(buf) >= 4:
        n = struct.unpack(">I", buf[:4])[0]
        r = json.loads(buf[4:4 + n])
        buf = buf[4 + n:]
        out.append("ok" if r["ok"] else "error")
print(" ".join(out))
PY
)
assert_eq "$out" "error ok ok" "replies to a half-closed client after a deferred one"
if grep -q "went away while its request" "$T/svd.out"; then fail "a half-closed client taken for gone"; fi
# nothing left behind: svd holds no more sockets than before
same_sockets() { [ "$(sockets)" = "$before" ]; }
wait_for same_sockets
svctl status web > /dev/null || fail "svd no longer answers"
stop_svd || fail "svd exit status"
echo "control_halfclose: ok"
