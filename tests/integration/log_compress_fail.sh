#!/bin/bash
# Compression of rotated logs that fails says why, once per episode: no
# inodes left for NAME.gz.tmp ("cannot create ...gz.tmp: No space left on
# device"), said once however many rotations fail that way; a compression
# that works again ends the episode (said too); a gzip that fails on a full
# disk gives gzip's own cause ("gzip: stdout: No space left on device").
# The rotated files are kept uncompressed. Runs in a private mount
# namespace on a small tmpfs: the host is untouched.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=1M,nr_inodes=64

PAD=$(printf 'z%.0s' $(seq 100))
service chatty <<YAML
command: ["sh", "-c", "while :; do echo \"line $PAD\"; sleep 0.01; done"]
logging: { max_age: 1s, max_files: 200, compress: true }
YAML
start_svd
wait_state chatty running
wait_for sh -c "ls $T/log | grep -q '^chatty\.log\..*\.gz\$'" # compression works

plain() { ls "$T/log" | grep -c '^chatty\.log\.[0-9TZ.]*Z$' || true; }
create_fail='logs: cannot create .*/chatty\.log\.[^ ]*\.gz\.tmp: No space left on device; kept uncompressed'

# --- no inodes left: each rotation's NAME.gz.tmp cannot be created ---
i=0
while touch "$T/log/ino.$i" 2> /dev/null; do i=$((i + 1)); done
wait_for grep -q "$create_fail" "$T/svd.out"
p0=$(plain)
for round in 1 2 3; do
        rm -f "$T/log/ino.$round" # room for the log file again, which rotates and takes it
        more() { [ "$(plain)" -gt "$p0" ]; }
        wait_for more
        p0=$(plain)
done
assert_eq "$(grep -c "$create_fail" "$T/svd.out")" 1 "warnings for one episode"
rm -f "$T"/log/ino.*
wait_for grep -q "logs: compression in .*log works again" "$T/svd.out"

# --- no space left: gzip fails writing NAME.gz.tmp ---
dd if=/dev/zero of="$T/log/spare" bs=4k count=2 status=none
dd if=/dev/zero of="$T/log/fill" bs=4k status=none 2> /dev/null || true
rm -f "$T/log/spare" # (room for the log file to have something to rotate)
wait_for grep -q "logs: compressing .*/chatty\.log\.[^ ]* failed: gzip: stdout: No space left on device; kept uncompressed" "$T/svd.out"
rm -f "$T/log/fill"
stop_svd || fail "svd exit status"
echo "log_compress_fail: ok"
