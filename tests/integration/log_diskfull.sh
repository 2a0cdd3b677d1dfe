#!/bin/bash
# A full disk does not block the service: svd keeps draining its pipes,
# counts the dropped bytes (svctl status: log_dropped_bytes) and, once space
# is back, writes a line recording the gap. Runs in a private mount namespace
# on a 2 MiB tmpfs so the host is untouched.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=2M
# On any exit, also a failure: svd stopped (lib.sh's cleanup, whose rm -rf
# fails on the mount point: not the end of the trap), the tmpfs unmounted
# (lazily if something still holds it), then $T removed.

PAD=$(printf 'z%.0s' $(seq 500))
service chatty <<EOF
command: ["sh", "-c", "i=0; while :; do date +%s%N > $T/out/hb.tmp; mv -f $T/out/hb.tmp $T/out/hb; echo \"line \$i $PAD\"; i=\$((i+1)); sleep 0.005; done"]
EOF
# leave little room (about 50K: on a loaded machine the service writes only
# a few KiB a second, and the drop must begin well within wait_for's limit)
dd if=/dev/zero of="$T/log/filler" bs=1K count=1990 status=none 2>/dev/null || true
start_svd
wait_for sh -c "[ \$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print(int(json.load(sys.stdin)[\"services\"][0][\"log_dropped_bytes\"]))') -gt 10000 ]"
wait_for test -s "$T/out/hb"   # replaced atomically: never read half-written
# the service is not blocked: its heartbeat moves on while output is dropped
hb1=$(cat "$T/out/hb")
hb_moved() { [ "$(cat "$T/out/hb")" -gt "$hb1" ]; }
wait_for hb_moved   # fails (timed out) if the service is blocked
assert_eq "$(field chatty state)" "running" "state"
rm -f "$T/log/filler"
wait_for grep -q ' svd dropped [0-9]* bytes ([0-9]* lines) of output: No space left on device' "$T/log/chatty.log"
# framing intact: every record is whole
python3 - "$T/log/chatty.log" <<'PY' || fail "broken records"
import re, sys
rec = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (out|svd) (line \d+ z{500}|dropped .*)$")
for l in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    assert rec.match(l), l[:100]
PY
stop_svd || fail "svd exit status"
echo "log_diskfull: ok"
