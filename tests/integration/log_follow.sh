#!/bin/bash
# svctl logs -f across rotations: a service writes 6000 numbered lines while
# its file rotates (and is compressed) many times a second; followers that
# start at different moments, with the whole history (-n), each print every
# line exactly once, in order per stream. Some followers talk to svd through
# a relay that holds svd's reply back for 0.4 s, so the file that was current
# when svd subscribed them has been rotated (and gzipped) before they can
# open it: svctl must find it by its inode / rotated name, not read the new
# file at the old size.
. "$(dirname "$0")/lib.sh"

LOGGEN="$TOP_BUILDDIR/tests/helpers/loggen"
TOTAL=6000
service num <<EOF
command: ["$LOGGEN", "-", "$TOTAL", "-", "", "1500"]
restart: no
logging: { max_size: 4K, max_files: 1000, compress: true }
EOF

# relay SOCKET: a socket that forwards to svd, delaying svd's first frame
cat > "$T/relay.py" <<'PY'
import os, socket, sys, threading, time
listen, target, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
srv = socket.socket(socket.AF_UNIX)
srv.bind(listen)
srv.listen(16)
def pump(a, b, hold):
    buf = b""
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            if hold:
                buf += d
                if len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:4], "big"):
                    time.sleep(delay)   # svd has subscribed us; rotations go on
                    b.sendall(buf)
                    hold = False
                continue
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def serve(c):
    u = socket.socket(socket.AF_UNIX)
    u.connect(target)
    threading.Thread(target=pump, args=(c, u, False), daemon=True).start()
    pump(u, c, True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY

start_svd
python3 "$T/relay.py" "$T/relay.sock" "$SOCK" 0.4 &
RELAY=$!
trap 'kill $RELAY 2>/dev/null || true; cleanup' EXIT
wait_for test -S "$T/relay.sock"

# followers start while the service is writing: wait for some history first
wait_for sh -c "[ \$(ls '$T/log' | grep -c '^num\\.log\\.') -ge 5 ]"
FPIDS=()
for i in 1 2 3 4 5 6; do
        if [ $((i % 2)) = 0 ]; then
                "$SVCTL" -s "$T/relay.sock" logs num -f -n 100000000 > "$T/f$i" 2> "$T/f$i.err" &
        else
                svctl logs num -f -n 100000000 > "$T/f$i" 2> "$T/f$i.err" &
        fi
        FPIDS+=($!)
        sleep 0.3
done
wait_state num exited 30
# every follower has everything once the last line has reached all of them
deadline=$(( $(date +%s) + 10 * SCALE ))
for i in 1 2 3 4 5 6; do
        until [ "$(grep -c ' [0-9]\{8\}$' "$T/f$i")" -ge $TOTAL ] || [ "$(date +%s)" -gt $deadline ]; do
                sleep 0.1
        done
done
sleep 0.3
kill "${FPIDS[@]}" 2>/dev/null || true
wait "${FPIDS[@]}" 2>/dev/null || true

rotations=$(ls "$T/log" | grep -c '^num\.log\..*\.gz$' || true)
[ "$rotations" -ge 20 ] || fail "only $rotations rotations: the test did not rotate enough"
for i in 1 2 3 4 5 6; do
        [ -s "$T/f$i.err" ] && { cat "$T/f$i.err" >&2; fail "follower $i wrote errors"; }
        python3 - "$T/f$i" "$TOTAL" <<'PY' || fail "follower $i: lines lost, repeated or out of order"
import sys
total = int(sys.argv[2])
seen = {"out": [], "err": []}
for line in open(sys.argv[1]):
    parts = line.split()
    # TIME STREAM  out|err NUMBER
    assert len(parts) == 4 and parts[1] in ("out", "err") and parts[2] == parts[1], line
    seen[parts[1]].append(int(parts[3]))
for st, nums in seen.items():
    want = [n for n in range(total) if ((n // 7) % 2 == 0) == (st == "out")]
    assert nums == want, (st, len(nums), len(want),
                          next((i, a, b) for i, (a, b) in enumerate(zip(nums + [None], want + [None])) if a != b))
PY
done
# the single file svctl prints without -f agrees
assert_eq "$(svctl logs num | grep -c ' [0-9]\{8\}$')" "$TOTAL" "svctl logs num"
kill $RELAY 2>/dev/null || true
stop_svd || fail "svd exit status"
echo "log_follow: ok ($rotations rotations)"
