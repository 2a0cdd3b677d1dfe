#!/bin/bash
# A burst that meets a nearly full disk (on_full: drop): what the disk has
# room for goes in, in whole records, and only the rest is dropped and
# counted; a batch used to go in whole or not at all, so a 256K batch was
# dropped whole where 64K had room. Private mount namespace on a 1 MiB
# tmpfs.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=1M

F="$T/log/u.log"
# ~300K in records at once when $T/out/go appears
python3 -c 'import sys; sys.stdout.write("".join("burst %04d %s\n" % (i, "x" * 80) for i in range(2600)))' > "$T/out/batch"
service u <<EOF
command: ["sh", "-c", "echo ready; while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; fi; sleep 0.02; done"]
logging: { max_size: 0 }
EOF
start_svd
wait_for grep -q ' out ready$' "$F"
# 64K of room left
dd if=/dev/zero of="$T/log/room" bs=4K count=16 status=none 2> /dev/null || true
dd if=/dev/zero of="$T/log/filler" bs=4K status=none 2> /dev/null || true
rm -f "$T/log/room"
touch "$T/out/go"
dropped() { [ "$(field u log_dropped_bytes)" -gt 0 ]; }
wait_for dropped
grep -q ' out burst 0000 x*$' "$F" || fail "the burst's first records were dropped with the rest: $(stat -c %s "$F") bytes"
rm -f "$T/log/filler"
wait_for grep -q ' svd dropped [0-9]* bytes ([0-9]* lines) of output: No space left on device' "$F"
stop_svd || fail "svd exit status"
python3 - "$F" <<'PY' || fail "records cut, out of order or miscounted"
import re, sys
data = open(sys.argv[1], "rb").read()
rec = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (out (ready|burst (\d{4}) x{80})|svd dropped (\d+) bytes \((\d+) lines\) .*)$")
nums, dropped = [], None
for l in data.split(b"\n")[:-1]:
    m = rec.match(l)
    assert m, l[:100]
    if m.group(3):
        nums.append(int(m.group(3)))
    if m.group(4):
        dropped = (int(m.group(4)), int(m.group(5)))
assert nums == sorted(nums) and nums[0] == 0, "disorder"
# what is missing is what the note says was dropped
missing = 2600 - len(nums)
assert dropped == (missing * 92, missing), (dropped, missing)
PY
echo "log_drop_head: ok"
