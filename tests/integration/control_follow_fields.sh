#!/bin/bash
# A request to follow (events with "follow": true, logs_follow) has its
# common fields checked like any other: a missing or unsupported protocol
# version "v" is refused with an error naming the field, and nothing is
# subscribed. So is a "follow" that is not a boolean.
. "$(dirname "$0")/lib.sh"

service web <<YAML
command: [sleep, "1000"]
YAML
start_svd
wait_state web running

python3 - "$SOCK" "$TOP_SRCDIR/tests/helpers" <<'PY' || fail "follow requests"
import sys
sys.path.insert(0, sys.argv[2])
from svdproto import request
for req in ({"op": "events", "follow": True}, {"v": 7, "op": "events", "follow": True},
            {"v": "1", "op": "logs_follow", "name": "web"}, {"op": "logs_follow", "name": "web"}):
    rep = request(sys.argv[1], req)
    if rep.get("ok") is not False or rep.get("code") != 2 or not rep.get("error", "").startswith("field 'v': "):
        sys.exit("%s: %s" % (req, rep))
# a "follow" that is not true or false is refused, naming the field (not
# taken for false: the client would wait for events that never come)
for f in (1, "yes", None, [True]):
    rep = request(sys.argv[1], {"v": 1, "op": "events", "follow": f})
    if rep.get("ok") is not False or rep.get("code") != 2 or rep.get("error") != "field 'follow': expected true or false":
        sys.exit("follow %r: %s" % (f, rep))
rep = request(sys.argv[1], {"v": 1, "op": "events", "follow": False})
assert rep.get("ok") is True and "events" in rep, rep
# the same with "v": 1 is a subscription
rep = request(sys.argv[1], {"v": 1, "op": "events", "follow": True})
assert rep.get("ok") is True and "events" in rep, rep
PY
svctl status web > /dev/null || fail "svd no longer answers"
stop_svd || fail "svd exit status"
echo "control_follow_fields: ok"
