#!/bin/bash
# logging.on_full: block opts a service into back-pressure: while the log
# disk is full svd stops draining its pipe, so the service blocks on write
# (its heartbeat stops) and nothing is dropped; once space is back it runs on
# and every line is in the file, in order, with no gap. Private mount
# namespace on a 2 MiB tmpfs, as log_diskfull.sh.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=2M
# On any exit, also a failure: svd stopped (lib.sh's cleanup, whose rm -rf
# fails on the mount point: not the end of the trap), the tmpfs unmounted
# (lazily if something still holds it), then $T removed.

heartbeat_service careful
dd if=/dev/zero of="$T/log/filler" bs=1K count=1900 status=none 2>/dev/null || true
start_svd
wait_for test -s "$T/out/hb"   # (the heartbeat is replaced atomically: never read half-written)
# the pipe fills, then the writer blocks: the heartbeat stops moving
stalled() { local a b; a=$(cat "$T/out/hb"); sleep 1; b=$(cat "$T/out/hb"); [ "$a" = "$b" ]; }
wait_for stalled
assert_eq "$(field careful log_dropped_bytes)" "0" "nothing dropped while blocking"
assert_eq "$(field careful state)" "running" "state"
rm -f "$T/log/filler"
# space is back: the service runs on
hb1=$(cat "$T/out/hb")
wait_for sh -c "[ \"\$(cat $T/out/hb)\" != $hb1 ]"
sleep 0.5
stop_svd || fail "svd exit status"
python3 - "$T/log/careful.log" <<'PY' || fail "lines lost or out of order"
import re, sys
nums = [int(m.group(1)) for m in re.finditer(rb" out line (\d+) z+\n", open(sys.argv[1], "rb").read())]
assert nums and nums == list(range(nums[0], nums[0] + len(nums))), "gap or disorder"
assert nums[0] == 0, nums[0]
print("lines:", len(nums))
PY
echo "log_onfull_block: ok"
