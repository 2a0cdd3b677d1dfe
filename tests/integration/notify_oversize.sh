#!/bin/bash
# A notify datagram longer than svd reads (4096 bytes) is ignored whole, its
# READY=1 too, and svd's log says so, naming the service and the size,
# instead of dropping it without a word (the service would wait in starting
# with nothing to tell why). A READY=1 of normal size after it counts.
. "$(dirname "$0")/lib.sh"

cat > "$T/big.py" <<'PY'
import os, signal, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=" + b"x" * 5000, os.environ["NOTIFY_SOCKET"])
sys.stdin = open(sys.argv[1])  # blocks until the test opens the fifo
sys.stdin.readline()
s.sendto(b"READY=1\nSTATUS=small", os.environ["NOTIFY_SOCKET"])
signal.pause()
PY
mkfifo "$T/go.fifo"
service big <<EOF2
type: notify
command: [python3, "$T/big.py", "$T/go.fifo"]
EOF2

start_svd
wait_for grep -q 'big: notify message of 5015 bytes ignored: longer than 4096 bytes' "$T/svd.out"
assert_eq "$(field big state)" "starting" "big after an oversized READY=1"
echo go > "$T/go.fifo"
wait_state big running
assert_eq "$(field big status)" "small" "big's status"
stop_svd
