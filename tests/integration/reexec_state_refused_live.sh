#!/bin/bash
# The state a daemon-reexec hands over is read only when its format version
# is exactly this svd's: 1.5 (not one any svd writes) was taken for 1 through
# cJSON's integer view, while statefile.c compares the exact value.
# A refused state (another format version, damage) leaves the previous
# image's control socket listening in the same process, with no state naming
# it. The new image bound a new one, found the path answering (itself) and
# ended: "Address already in use", services unsupervised. It now takes the
# inherited listener over: a client queued on it before the exec is
# answered, and the services are taken over from the state file.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"

service app <<EOF
command: [bash, -c, 'exec -a "app-instance $T" sleep 100000']
EOF
finish() {
        cleanup
        for p in $(pgrep -f -- "^app-instance $T" || true); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT

start_svd
wait_state app running
old=$(field app pid)
wait_for sh -c "jq -e '.services[] | select(.name == \"app\") | .pid == $old' '$T/run/state.json' > /dev/null"
crash_svd

# as the previous image leaves things at its exec: its listener open (here
# inherited as fd 5), a client queued on it, and a state of a format
# version this svd does not read
echo '{"format": "svd-state", "version": 1.5, "services": []}' > "$T/state15"
cat > "$T/exec.py" <<'PY'
import json, os, socket, struct, subprocess, sys
sock, svd, conf, state, out, wait = sys.argv[1:7]
try:
        os.unlink(sock)
except FileNotFoundError:
        pass
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(sock)
ls.listen(16)
os.dup2(ls.fileno(), 5)
ls.close()
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sock)  # queued before svd runs
body = json.dumps({"v": 1, "op": "version"}).encode()
c.sendall(struct.pack(">I", len(body)) + body)
os.dup2(os.open(state, os.O_RDONLY), 9)
with open(out, "w") as o:
        p = subprocess.Popen([svd, "-c", conf, "--restore-fd=9"], stdout=o, stderr=o, pass_fds=(5, 9))
os.close(5)
os.close(9)
print(p.pid, flush=True)
c.settimeout(float(wait))
try:
        hdr = c.recv(4, socket.MSG_WAITALL)
        reply = json.loads(c.recv(struct.unpack(">I", hdr)[0], socket.MSG_WAITALL))
        print("answered" if reply.get("ok") else "refused: %s" % reply, flush=True)
except Exception as e:
        print("no answer: %r" % e, flush=True)
PY
python3 "$T/exec.py" "$SOCK" "$SVD" "$T/etc/svd.yaml" "$T/state15" "$T/svd.out" $((30 * SCALE)) > "$T/exec.out"
SVD_PID=$(head -n 1 "$T/exec.out")
cat "$T/exec.out"
grep -q "Address already in use" "$T/svd.out" && fail "svd did not take its inherited control socket over"
assert_eq "$(sed -n 2p "$T/exec.out")" "answered" "the client queued before the exec"
grep -q "daemon-reexec: the previous instance's state is unreadable or of another format" "$T/svd.out" ||
        fail "a state of version 1.5 was read as version 1"
grep -q "daemon-reexec: falling back to .*state.json" "$T/svd.out" || fail "no fallback to the state file"
wait_state app running
assert_eq "$(field app pid)" "$old" "app's pid (taken over from the state file)"
assert_eq "$(pgrep -f -- "^app-instance $T" | wc -l)" 1 "app's processes"
kill -TERM "$SVD_PID" # (not this shell's child: python3 started it)
timeout $((30 * SCALE)) tail --pid="$SVD_PID" -f /dev/null || fail "svd did not stop"
grep -q "svd exiting" "$T/svd.out" || fail "svd did not end cleanly"
echo "reexec_state_refused_live: ok"
