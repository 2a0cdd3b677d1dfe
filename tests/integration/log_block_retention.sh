#!/bin/bash
# logging.on_full: block holds the output back while the disk is full, but
# its file still rotates when due (here max_age) and retention still runs:
# max_files deletes the oldest rotated file, which gives the disk back room
# for what waits. Blocked, a sink used to skip rotation and with it
# retention, as on_full: drop does not. Private mount namespace on a 2 MiB
# tmpfs.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=2M

PAD=$(printf 'z%.0s' $(seq 500))
# ~50K of output a second
service careful <<EOF
command: ["sh", "-c", "i=0; while :; do echo \"line \$i $PAD\"; i=\$((i+1)); sleep 0.01; done"]
logging: { on_full: block, max_size: 0, max_age: 2s, max_files: 1, compress: false }
EOF
start_svd
wait_state careful running
last() { cat "$T"/log/careful.log* 2> /dev/null | sed -n 's/.* out line \([0-9]*\) z*$/\1/p' | sort -n | tail -n 1; }
newest() { ls "$T/log" | grep '^careful\.log\.' | tail -n 1; }
rotated() { [ -n "$(newest)" ]; }
wait_for rotated
# the disk full half a second after a rotation (with an empty current file
# there is nothing to rotate, and nothing for retention to delete while
# max_files holds): the service blocks at its next write
r0=$(newest)
fresh() { [ "$(newest)" != "$r0" ]; }
wait_for fresh
sleep 0.5
dd if=/dev/zero of="$T/log/filler" bs=4K status=none 2> /dev/null || true
sleep 1
before=$(ls "$T/log" | grep '^careful\.log\.' | tail -n 1)
n=$(last)
# the file still rotates by age, and retention (max_files) deletes the
# rotated file there was before
rotated_on() {
        local now
        now=$(ls "$T/log" | grep '^careful\.log\.' | tail -n 1)
        [ "$now" \> "$before" ] && [ ! -e "$T/log/$before" ]
}
wait_for rotated_on
[ -e "$T/log/filler" ] || fail "the filler is gone"
# space is back: the service runs on, nothing it wrote since is lost
rm -f "$T/log/filler"
moved() { [ "$(last)" -gt $((n + 100)) ]; }
wait_for moved
assert_eq "$(field careful log_dropped_bytes)" "0" "nothing dropped while blocking"
stop_svd || fail "svd exit status"
python3 - "$T/log" <<'PY' || fail "lines lost or out of order"
import glob, re, sys
data = b"".join(open(p, "rb").read() for p in sorted(glob.glob(sys.argv[1] + "/careful.log.*")) + [sys.argv[1] + "/careful.log"])
nums = [int(m.group(1)) for m in re.finditer(rb" out line (\d+) z+\n", data)]
# the oldest files are gone (max_files): the lines kept follow on without a gap
assert nums and nums == list(range(nums[0], nums[0] + len(nums))), "gap or disorder"
PY
echo "log_block_retention: ok"
