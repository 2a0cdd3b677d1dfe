#!/bin/bash
# The audit log records every request svd refuses for want of rights, not
# only those of the ops that change state: an unprivileged logs_follow
# (the services' output, which only administrators may read) was refused
# and logged in svd's log, but left no audit record of who tried. A read
# that anyone may make (status) is still not audited.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] && command -v setpriv > /dev/null || { echo "not root or no setpriv"; exit 77; }
# a python3 that nobody may run (not one under root's home)
PY3=/usr/bin/python3
[ -x "$PY3" ] || { echo "no $PY3"; exit 77; }

service web <<EOF2
command: [sleep, "1000"]
EOF2
start_svd
wait_state web running
chmod 755 "$T/run"
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
raw() {
        as_nobody "$PY3" - "$SOCK" "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
req = sys.argv[2].encode()
s.sendall(struct.pack(">I", len(req)) + req)
n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
print(s.recv(n, socket.MSG_WAITALL).decode())
PY
}
out=$(raw '{"v":1,"op":"logs_follow","names":["web"]}')
echo "$out" | grep -q '"code":3' || fail "logs_follow by nobody not refused: $out"
out=$(raw '{"v":1,"op":"status"}')
echo "$out" | grep -q '"ok":true' || fail "status by nobody: $out"
# a request after them, audited: the file is complete up to it
svctl restart web > /dev/null || fail "restart"
wait_for grep -q "op=restart name=web result=ok" "$T/log/audit.log"
grep -q "uid=$(id -u nobody) pid=[0-9]* admin=no comm=python3[.0-9]* op=logs_follow result=denied code=3 error=\"permission denied: logs_follow needs root or the admin group\"" \
        "$T/log/audit.log" || fail "no audit record of the refused logs_follow: $(cat "$T/log/audit.log")"
grep -q "op=status" "$T/log/audit.log" && fail "a status request was audited"
stop_svd || fail "svd exit status"
echo "audit_denied: ok"
