#!/bin/bash
# `svctl --json secret get` into a pipe that is non-blocking and full (a
# 4 KiB pipe the reader drains late, the JSON 20 KiB): svctl waits for room
# as a blocking write would, and stdout carries exactly one JSON document,
# the whole value, exit status 0 (it stopped at the first EAGAIN, a short
# write, and then printed its error object after the cut JSON).
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: python3 missing"; exit 77; }

service web <<EOF
command: [sleep, "1000"]
secrets:
  pw: { generate: password }
EOF
start_svd
wait_state web running
python3 -c 'print("v" * 20000)' > "$T/value"
svctl secret set pw < "$T/value" > /dev/null || fail "secret set pw"

python3 - "$SVCTL" "$SOCK" "$T/value" <<'EOF' || fail "secret get --json into a non-blocking pipe"
import fcntl, json, os, subprocess, sys, time
svctl, sock, value = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().rstrip("\n")
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: the smallest pipe
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen([svctl, "-s", sock, "--json", "secret", "get", "pw"], stdout=w, stderr=subprocess.PIPE)
os.close(w)
time.sleep(0.5)  # the pipe is full and svctl's write would block: EAGAIN
data = b""
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    data += chunk
err = p.stderr.read().decode()
rc = p.wait()
if rc != 0 or err:
    sys.exit("exit %d, stderr %r, stdout %r...%r" % (rc, err, data[:60], data[-120:]))
o = json.loads(data)  # exactly one document: no error object after it
if o != {"name": "pw", "value": value}:
    sys.exit("wrong document: %r" % data[:200])
EOF
exit 0
