#!/bin/bash
# An audit record whose fields (a long service name, echoed again in the
# error) fill its line is cut at the line's end, never written past it: svd
# keeps answering, and the record stays one line of at most 2048 bytes that
# says who asked for what and how it ended: a name is cut (ending in "...")
# before the result would be. Any local user can send such a name (a refused
# request is audited too).
. "$(dirname "$0")/lib.sh"

service web <<EOF
command: [sleep, "1000"]
EOF
start_svd
wait_state web running

# names of lengths around the line's end: the name alone fills it, or the
# name leaves a few bytes for " result=failed", " code=4" and the error
python3 - "$SOCK" "$TOP_SRCDIR/tests/helpers" <<'PY' || fail "long names"
import sys
sys.path.insert(0, sys.argv[2])
from svdproto import request
for n in list(range(1940, 2060, 3)) + [4000, 100000]:
    rep = request(sys.argv[1], {"v": 1, "op": "stop", "name": "A" * n})
    if rep.get("ok") or rep.get("code") != 4:
        sys.exit("stop of a %d-byte name: %s" % (n, rep))
PY
kill -0 "$SVD_PID" || fail "svd died"
svctl status web > /dev/null || fail "svd no longer answers"
svctl restart web > /dev/null || fail "restart"
tail -n 1 "$T/log/audit.log" | grep -q 'op=restart name=web result=ok$' || fail "last record: $(tail -n 1 "$T/log/audit.log")"
python3 - "$T/log/audit.log" <<'PY' || fail "audit records"
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"", "no newline at the end"
lines = lines[:-1]
long = [l for l in lines if b" op=stop name=" in l]
assert len(long) == 42, "%d stop records of %d lines" % (len(long), len(lines))
for l in lines:
    assert len(l) + 1 <= 2048, "a record of %d bytes" % (len(l) + 1)
    assert b" uid=0 pid=" in l, l[:80]
# the name is cut (marked), the result is always there
for l in long:
    assert b"... result=failed code=4 error=" in l, l[-200:]
PY
stop_svd || fail "svd exit status"
echo "audit_long_fields: ok"
