#!/bin/bash
# A rotation that fails (the rename refused: here the file is a mount point,
# EBUSY; chattr +a or a security module refuse it the same way) is logged
# once, naming the file and the cause, not retried at every line, and the
# file grows on without losing a line; once a rotation works again svd
# says so and the limits hold again.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/log"
: > "$T/log/r.log"
mount --bind "$T/log/r.log" "$T/log/r.log" 2>/dev/null || { echo "cannot bind-mount a file"; exit 77; }
MOUNTS="$MOUNTS $T/log/r.log"
service r <<YAML
command: ["sh", "-c", "i=0; while :; do printf '%049d\\\\n' \$i; i=\$((i + 1)); sleep 0.01; done"]
logging: { max_size: 1K, max_files: 100, timestamps: false, compress: false }
YAML
start_svd
wait_state r running
# well past max_size: every line would have rotated it
wait_for sh -c "test \$(stat -c %s '$T/log/r.log') -gt 4096"
assert_eq "$(ls "$T/log" | grep -c '^r\.log\.' || true)" 0 "rotated files while the rename fails"
n=$(grep -c "cannot rotate $T/etc/\.\./log/r\.log (renaming it to r\.log\.2.*): Device or resource busy" "$T/svd.out" || true)
assert_eq "$n" 1 "warnings naming the file and the cause"

umount -l "$T/log/r.log" # (svd has it open: the same file under it)
wait_for grep -q "rotating $T/etc/\.\./log/r\.log works again" "$T/svd.out"
wait_for sh -c "ls '$T/log' | grep -q '^r\\.log\\.'"
# the limits hold again from the next rotation on
wait_for sh -c "test \$(ls '$T/log' | grep -c '^r\\.log\\.') -ge 3"
stop_svd || fail "svd exit status"
for f in $(ls "$T"/log/r.log.* | sort | tail -n +2) "$T/log/r.log"; do
        [ "$(stat -c %s "$f")" -le 1024 ] || fail "$f exceeds max_size once rotating works again"
done
# every line once, in order, across the files (the last one may be partial)
cat $(ls "$T"/log/r.log.* | sort) "$T/log/r.log" | python3 -c '
import sys
nums = [l.rstrip("\\\n") for l in sys.stdin]
nums = [int(n) for n in nums if n]
assert nums == list(range(len(nums))), "lines lost or repeated"
' || fail "lines lost or repeated across the failed and the good rotations"
echo "log_rotate_fail: ok"
