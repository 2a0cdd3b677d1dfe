#!/bin/bash
# Connections that sent one large request (a padded frame of 900 kB) and
# then stay open and idle: svd sizes a client's read buffer by the frame it
# is reading and gives it back once the frame is handled, so such clients
# cost little. It used to keep each buffer at its largest (about 1 MiB, the
# frame limit) for the connection's life: 48 idle clients held ~48 MiB of
# PID 1's memory.
. "$(dirname "$0")/lib.sh"
# (AddressSanitizer keeps freed memory in quarantine: its RSS says nothing
# of what svd gives back)
if ldd "$SVD" 2> /dev/null | grep -q libasan; then echo "SKIP: an ASan build"; exit 77; fi

service web <<EOF2
command: [sleep, "1000"]
EOF2
start_svd
wait_state web running

python3 - "$SOCK" "$SVD_PID" "$TOP_SRCDIR/tests/helpers" > "$T/out/idle.out" 2>&1 <<'PY' || fail "client: $(cat "$T/out/idle.out")"
import json, sys, time
sys.path.insert(0, sys.argv[3])
from svdproto import call, connect

def rss(pid):
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])

pid = sys.argv[2]
base = rss(pid)
conns = []
for i in range(48):
    s = connect(sys.argv[1], 30)
    call(s, {"v": 1, "op": "version", "pad": "x" * 900000})
    conns.append(s)
# small requests on the same connections: still nothing kept
for s in conns:
    assert "version" in json.dumps(call(s, {"v": 1, "op": "version"}))
time.sleep(1.5) # svd trims its heap 0.5 s after large buffers go
after = rss(pid)
print("RSS %d kB -> %d kB with %d idle clients" % (base, after, len(conns)))
assert after - base < 12000, "svd's RSS grew by %d kB" % (after - base)
for s in conns:
    s.close()
PY
svctl status web > /dev/null || fail "svd does not answer"
stop_svd || fail "svd exit status"
echo "control_idle_memory: $(cat "$T/out/idle.out")"
