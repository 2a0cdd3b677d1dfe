#!/bin/bash
# A connection that follows a service's log lines (logs_follow: for
# administrators only, as the 0640 files are) loses them with its rights: a
# reload that takes admin_group away ends the subscription with an error
# (code 3, denied) and closes the connection, instead of streaming lines to
# a peer that may no longer read them.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
getent group adm >/dev/null || { echo "no group adm"; exit 77; }
PY=/usr/bin/python3 # one nobody can run
[ -x "$PY" ] || PY=$(command -v python3)

sed -i '1i admin_group: adm' "$T/etc/svd.yaml"
service chatty <<'YAML'
command: [sh, -c, 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done']
YAML
start_svd
wait_state chatty running
chmod 755 "$T/run"

# the follower: subscribed as a member of adm, then every frame, one line
# each ("lines", or the error's code), until the connection ends
cat > "$T/follow.py" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
b = json.dumps({"v": 1, "op": "logs_follow", "name": "chatty", "stream": "out"}).encode()
s.sendall(struct.pack(">I", len(b)) + b)
s.settimeout(30)
def frame():
        hdr = s.recv(4, socket.MSG_WAITALL)
        if len(hdr) < 4:
                return None
        n = struct.unpack(">I", hdr)[0]
        return json.loads(s.recv(n, socket.MSG_WAITALL))
first = frame()
print("subscribed" if first and first.get("ok") else "refused %s" % first, flush=True)
while True:
        f = frame()
        if f is None:
                print("closed", flush=True)
                break
        print("lines" if "lines" in f else "error %s" % f.get("code"), flush=True)
PY
chmod 644 "$T/follow.py"
setpriv --reuid=nobody --regid=nogroup --groups=adm "$PY" "$T/follow.py" "$SOCK" > "$T/out/follow.out" 2>&1 &
FOLLOW=$!
trap 'kill $FOLLOW 2>/dev/null || true; cleanup' EXIT
wait_for grep -q '^lines$' "$T/out/follow.out"
grep -q '^subscribed$' "$T/out/follow.out" || fail "logs_follow as a member of adm: $(cat "$T/out/follow.out")"

sed -i '/^admin_group:/d' "$T/etc/svd.yaml"
svctl reload > /dev/null || fail "reload"
wait_for grep -q '^closed$' "$T/out/follow.out"
grep -q '^error 3$' "$T/out/follow.out" || fail "no denial before the close: $(tail -n 3 "$T/out/follow.out")"
wait "$FOLLOW" || fail "follower"
wait_for grep -q "control: client uid 65534 pid [0-9]* is no longer an administrator" "$T/svd.out"
kill -0 "$SVD_PID" || fail "svd died"
svctl status chatty > /dev/null || fail "svd no longer answers"
stop_svd || fail "svd exit status"
echo "control_reauth_follow: ok"
