#!/bin/bash
# on_full: block holds its output back while the disk is full; once there
# is room again, what fits goes in, in whole records, and not only once
# there is room for all of it: the output held back can be a burst's batch
# (hundreds of KiB), more than the room a deleted file (or retention) gives.
# Nothing is lost, nothing is out of order, no record is cut. Private mount
# namespace on a 2 MiB tmpfs.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=2M

heartbeat_service careful
F="$T/log/careful.log"
start_svd
wait_for test -s "$F"
# the disk full: 64K in one file, the rest in another
dd if=/dev/zero of="$T/log/room" bs=4K count=16 status=none 2> /dev/null || true
dd if=/dev/zero of="$T/log/filler" bs=4K status=none 2> /dev/null || true
stalled() { local a b; a=$(stat -c %s "$F"); sleep 1; b=$(stat -c %s "$F"); [ "$a" = "$b" ]; }
wait_for stalled
before=$(stat -c %s "$F")
rm -f "$T/log/room"
# the 64K goes to what is held back, in whole records
grown() { [ "$(stat -c %s "$F")" -gt $((before + 32768)) ]; }
wait_for grown
rm -f "$T/log/filler"
hb1=$(cat "$T/out/hb")
wait_for sh -c "[ \"\$(cat $T/out/hb)\" != $hb1 ]"
sleep 0.5
assert_eq "$(field careful log_dropped_bytes)" "0" "nothing dropped while blocking"
stop_svd || fail "svd exit status"
python3 - "$F" <<'PY' || fail "lines lost, cut or out of order"
import re, sys
data = open(sys.argv[1], "rb").read()
rec = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z out line (\d+) z{2000}$")
nums = []
for l in data.split(b"\n")[:-1]:
    m = rec.match(l)
    assert m, l[:80]
    nums.append(int(m.group(1)))
assert nums and nums == list(range(len(nums))), "gap or disorder"
print("lines:", len(nums))
PY
echo "log_block_head: ok"
