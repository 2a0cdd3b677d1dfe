#!/bin/bash
# Connections that asked for one reply a little below 64 KiB (svctl
# metrics for many services) and then stay open and idle: svd frees a
# client's write buffer once its reply is sent, so such clients cost
# little. It used to keep the buffer of the last reply for the
# connection's life when it was under 64 KiB (the size that asks for a
# heap trim): 48 idle clients held ~48 x 50 KiB of PID 1's memory.
. "$(dirname "$0")/lib.sh"
# (AddressSanitizer keeps freed memory in quarantine: its RSS says nothing
# of what svd gives back)
if ldd "$SVD" 2> /dev/null | grep -q libasan; then echo "SKIP: an ASan build"; exit 77; fi

# services never started (enabled: false), with long names: each adds
# about 1.5 KiB of metrics text
for i in $(seq 1 34); do
        service "$(printf 'idle-service-with-a-rather-long-name-%03d' "$i")" <<EOF2
command: [sleep, "1000"]
enabled: false
EOF2
done
start_svd
wait_state idle-service-with-a-rather-long-name-034 stopped

python3 - "$SOCK" "$SVD_PID" "$TOP_SRCDIR/tests/helpers" > "$T/out/idle.out" 2>&1 <<'PY' || fail "client: $(cat "$T/out/idle.out")"
import sys, time
sys.path.insert(0, sys.argv[3])
from svdproto import call_sized, connect as proto_connect

def rss(pid):
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])

def connect():
    return proto_connect(sys.argv[1], 30)

pid = sys.argv[2]
# warm up: svd's heap once holds what one such reply takes
s = connect()
for _ in range(3):
    size, r = call_sized(s, {"v": 1, "op": "metrics"})
    assert r.get("ok") is True, r
s.close()
# the reply must be large, and below the size that makes svd trim its heap
assert 40 << 10 < size < 64 << 10, "reply of %d bytes: adjust the services" % size
time.sleep(1)
base = rss(pid)
conns = []
for i in range(48):
    s = connect()
    call_sized(s, {"v": 1, "op": "metrics"})
    conns.append(s)
time.sleep(1)
after = rss(pid)
print("RSS %d kB -> %d kB with %d idle clients (replies of %d bytes)" % (base, after, len(conns), size))
assert after - base < 1000, "svd's RSS grew by %d kB" % (after - base)
for s in conns:
    s.close()
PY
svctl status > /dev/null || fail "svd does not answer"
stop_svd || fail "svd exit status"
echo "control_idle_wbuf: $(cat "$T/out/idle.out")"
