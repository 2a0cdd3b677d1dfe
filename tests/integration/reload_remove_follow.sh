#!/bin/bash
# A connection that follows one service's log lines (logs_follow with a
# name) when a reload removes that service: the subscription ends with an
# error naming the service (code 4, not found) after the service's last
# lines, and the connection is closed, instead of waiting silently forever
# (and streaming another service's lines should one of that name come back
# later). `svctl logs -f NAME` prints the error and exits 1. A follower of
# every service keeps following the others.
. "$(dirname "$0")/lib.sh"

service keep <<'YAML'
command: [sh, -c, 'i=0; while :; do i=$((i+1)); echo "keep $i"; sleep 0.05; done']
YAML
service gone <<'YAML'
command: [sh, -c, 'trap "echo last-words; exit 0" TERM; i=0; while :; do i=$((i+1)); echo "gone $i"; sleep 0.05; done']
YAML
start_svd
wait_state keep running
wait_state gone running

# a raw follower: one line per frame ("lines", "last-words", or the
# error's code and text; for one of every service also "from SERVICE"),
# then "closed" when the connection ends
cat > "$T/follow.py" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
req = {"v": 1, "op": "logs_follow"}
if len(sys.argv) > 2:
        req["name"] = sys.argv[2]
b = json.dumps(req).encode()
s.sendall(struct.pack(">I", len(b)) + b)
s.settimeout(60)
def frame():
        hdr = s.recv(4, socket.MSG_WAITALL)
        if len(hdr) < 4:
                return None
        n = struct.unpack(">I", hdr)[0]
        return json.loads(s.recv(n, socket.MSG_WAITALL))
first = frame()
print("subscribed" if first and first.get("ok") else "refused %s" % first, flush=True)
while True:
        try:
                f = frame()
        except socket.timeout:
                print("timeout", flush=True)
                break
        if f is None:
                print("closed", flush=True)
                break
        if "lines" in f:
                texts = [l["text"] for l in f["lines"]]
                print("last-words" if "last-words" in texts else "lines", flush=True)
                for svc in sorted({l["service"] for l in f["lines"]}) if "name" not in req else []:
                        print("from " + svc, flush=True)
        else:
                print("error %s %s" % (f.get("code"), f.get("error")), flush=True)
PY
python3 "$T/follow.py" "$SOCK" gone > "$T/out/one" 2>&1 &
ONE=$!
python3 "$T/follow.py" "$SOCK" > "$T/out/all" 2>&1 &
ALL=$!
svctl logs -f -n 0 gone > "$T/out/svctl.out" 2> "$T/out/svctl.err" &
SVCTL_F=$!
trap 'kill $ONE $ALL $SVCTL_F 2>/dev/null || true; cleanup' EXIT
wait_for grep -q '^lines$' "$T/out/one"
wait_for grep -q '^from keep$' "$T/out/all"
wait_for grep -q 'gone [0-9]' "$T/out/svctl.out"

rm "$T/services/gone.yaml"
svctl reload > "$T/out/reload" 2>&1 || fail "reload: $(cat "$T/out/reload")"
wait_for grep -q '^closed$' "$T/out/one"
assert_eq "$(tail -n 2 "$T/out/one" | head -n 1)" \
        "error 4 logs_follow ended: service 'gone' was removed by a reload" "the named follower's last frame"
grep -q '^last-words$' "$T/out/one" || fail "the service's last line did not come before the end: $(cat "$T/out/one")"
wait "$ONE" || fail "named follower"

rc=0
wait "$SVCTL_F" || rc=$?
assert_eq "$rc" 1 "svctl logs -f gone: exit status"
grep -q 'last-words' "$T/out/svctl.out" || fail "svctl logs -f: no last line: $(tail -n 3 "$T/out/svctl.out")"
assert_eq "$(cat "$T/out/svctl.err")" "svctl: logs_follow ended: service 'gone' was removed by a reload" \
        "svctl logs -f gone: standard error"

# the follower of every service goes on, and svd answers
n=$(grep -c '^from keep$' "$T/out/all")
more() { [ "$(grep -c '^from keep$' "$T/out/all")" -gt $((n + 3)) ]; }
wait_for more
grep -q '^error\|^closed' "$T/out/all" && fail "the follower of every service was ended: $(cat "$T/out/all")"
kill "$ALL"
svctl status keep > /dev/null || fail "svd no longer answers"
stop_svd
