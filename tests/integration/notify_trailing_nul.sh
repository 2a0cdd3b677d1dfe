#!/bin/bash
# A notify datagram whose last byte is a NUL (a sender that passes
# sizeof("READY=1"), terminator included) counts, as under systemd, whose
# manager takes one trailing NUL: the service becomes running with its
# STATUS=. A NUL anywhere else still makes the datagram malformed: it is
# ignored whole, with a warning, and that service stays starting.
. "$(dirname "$0")/lib.sh"

cat > "$T/nul.py" <<'PY'
import os, signal, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
msg = {"trailing": b"STATUS=up\nREADY=1\0", "inside": b"READY=1\0STATUS=x"}[sys.argv[1]]
s.sendto(msg, os.environ["NOTIFY_SOCKET"])
open(sys.argv[2], "w").close()
signal.pause()
PY
for n in trailing inside; do
        service $n <<EOF2
type: notify
command: [python3, "$T/nul.py", "$n", "$T/out/$n.sent"]
EOF2
done

start_svd
wait_state trailing running 30
assert_eq "$(field trailing status)" "up" "trailing's status"
wait_for test -f "$T/out/inside.sent"
wait_for grep -q 'inside: malformed notify message ignored' "$T/svd.out"
assert_eq "$(field inside state)" "starting" "inside after a datagram with a NUL inside"
stop_svd
