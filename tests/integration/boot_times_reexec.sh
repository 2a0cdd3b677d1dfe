#!/bin/bash
# The boot timing in a status reply (svctl status --boot --json) stays
# within the boot across a daemon-reexec: each service's times are from the
# manager's start and no later than now (so are svd's own: reading the
# configuration, settling), never a wrapped-around difference
# of a moment the new instance was not told (about 1.8e19 us). And none of
# them is lost: the service's prepare, exec, spawn, ready and up times after
# the re-exec are the ones before it.
. "$(dirname "$0")/lib.sh"

svd_copy

service web <<YAML
command: [sleep, "100000"]
YAML
start_svd
wait_state web running

check_boot() {
        python3 - "$SOCK" "$TOP_SRCDIR/tests/helpers" "$1" "$T/web.$2" <<'PY' || fail "boot times $1"
import sys, time
sys.path.insert(0, sys.argv[2])
from svdproto import request
rep = request(sys.argv[1], {"v": 1, "op": "status"})
b = rep["boot"]
limit = (time.time() - b["started"]) * 1e6 + 1e6  # since svd's start, with a second to spare
for k in ("config_usec", "settled_usec"):
        v = b.get(k)
        assert v is None or 0 <= v <= limit, "%s: %s = %r (limit %r)" % (sys.argv[3], k, v, limit)
web = b["services"]["web"]
for k, v in web.items():
        assert 0 <= v <= limit, "%s: %s = %r (limit %r)" % (sys.argv[3], k, v, limit)
for k in ("prepare_usec", "exec_usec", "spawned_usec", "ready_usec", "up_usec"):
        assert k in web, "%s: no %s: %s" % (sys.argv[3], k, web)
import json
with open(sys.argv[4], "w") as f:
        json.dump(web, f, sort_keys=True)
PY
}
check_boot "before the re-exec" before
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
svctl status web > /dev/null || fail "svd does not answer after the re-exec"
check_boot "after the re-exec" after
assert_eq "$(cat "$T/web.before")" "$(cat "$T/web.after")" "web's boot times across the re-exec"
stop_svd || fail "svd exit status"
echo "boot_times_reexec: ok"
