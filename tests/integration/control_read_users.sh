#!/bin/bash
# The read buffers of users other than root and admin_group are bounded
# together, as their unread replies are: a request is read into a buffer
# of its frame's size (up to 1 MiB), so one user with 16 connections that
# each send most of a 1 MiB request and then wait made svd (PID 1) hold
# 16 MiB, and a few such users 56 MiB, for as long as they trickled bytes.
# Past CONTROL_MAX_READING_USERS (4 MiB) a large request of such a user is
# refused ("too busy", code 5) and its connection closed; root is still
# served, and once those connections are gone a large request of a user is
# read and answered again.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }
PY=/usr/bin/python3 # one nobody can run (not a python under /root)
[ -x "$PY" ] || PY=$(command -v python3)

service web <<'YAML'
command: [sleep, "100000"]
YAML
start_svd
wait_state web running
chmod 755 "$T/run"

# hog.py SOCKET GO: 16 connections, one after the other, each sending all
# but the last byte of a 1 MiB status request. sendall returns once svd has
# read most of it (the socket holds far less), so svd has made room for the
# whole frame by then, or refused it: an error frame and the close (EPIPE
# or ECONNRESET on the send). Prints "held N refused N codes ... errors",
# then waits for GO before completing the held requests and reading their
# replies ("answered N").
cat > "$T/hog.py" <<'PY'
import json, os, socket, struct, sys, time
path, go = sys.argv[1], sys.argv[2]
names = ["no-such-service-%06d" % i for i in range(40000)]
body = json.dumps({"v": 1, "op": "status", "names": names}).encode()
body += b" " * ((1 << 20) - len(body))
assert len(body) == 1 << 20
held, refused, errors = [], 0, set()
def reply(s):
        hdr = s.recv(4, socket.MSG_WAITALL)
        if len(hdr) < 4:
                return None
        return json.loads(s.recv(struct.unpack(">I", hdr)[0], socket.MSG_WAITALL))
for i in range(16):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(path)
        try:
                s.sendall(struct.pack(">I", len(body)) + body[:-1])
                held.append(s)
        except (BrokenPipeError, ConnectionResetError):
                refused += 1
                r = reply(s)
                errors.add("%s %s" % (r and r.get("code"), r and r.get("error")))
                s.close()
print("held %d refused %d" % (len(held), refused), flush=True)
for e in sorted(errors):
        print("error " + e, flush=True)
open(go + ".ready", "w").close()
while not os.path.exists(go):
        time.sleep(0.05)
answered = 0
for s in held:
        s.sendall(body[-1:])
        r = reply(s)
        answered += r is not None and r.get("code") == 4 # unknown service
print("answered %d" % answered, flush=True)
PY
chmod 644 "$T/hog.py"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody "$PY" "$T/hog.py" "$SOCK" "$T/out/go" > "$T/out/hog" 2>&1 &
HOG=$!
trap 'kill $HOG 2>/dev/null || true; cleanup' EXIT
wait_for test -e "$T/out/go.ready"
read -r _ held _ refused < "$T/out/hog"
[ "$held" -ge 1 ] && [ "$held" -le 4 ] || fail "connections whose 1 MiB request svd made room for: $(cat "$T/out/hog")"
assert_eq "$((held + refused))" 16 "connections held or refused ($(cat "$T/out/hog"))"
assert_eq "$(grep -c '^error' "$T/out/hog")" 1 "kinds of refusal ($(cat "$T/out/hog"))"
grep -qx "error 5 too busy: requests of users other than root and the admin group would hold more than 4 MiB; send it again later" \
        "$T/out/hog" || fail "refusal: $(cat "$T/out/hog")"
svctl status web > /dev/null || fail "root not served meanwhile"

touch "$T/out/go"
wait "$HOG" || fail "hog.py: $(cat "$T/out/hog")"
assert_eq "$(tail -n 1 "$T/out/hog")" "answered $held" "the held requests, completed"
# and with those gone, a large request of a user is read again
as_nobody "$PY" "$T/hog.py" "$SOCK" "$T/out/go" > "$T/out/hog2" 2>&1 || fail "hog.py again: $(cat "$T/out/hog2")"
read -r _ held2 _ _ < "$T/out/hog2"
assert_eq "$held2" "$held" "connections held the second time"
kill -0 "$SVD_PID" || fail "svd died"
cat "$T/out/hog" >&2
stop_svd
