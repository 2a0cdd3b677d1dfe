#!/bin/bash
# A log file emptied by hand (": > app.log", a common way to clear a log)
# and then a disk that fills up in the middle of a batch. The batch is cut
# back to where it began in the file as it is now, not to the size svd
# counted before the file was emptied: that made ftruncate extend the file
# with a run of NUL bytes (a hole as large as the old file) in front of the
# next records. Runs in a private mount namespace on a 1 MiB tmpfs.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/log" size=1M

F="$T/log/u.log"
# a batch of ~80K in the file each time $T/out/go appears
seq 1 2000 | sed 's/^/line /' > "$T/out/batch"
service u <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; echo done; fi; sleep 0.02; done"]
logging: { max_size: 0 }
EOF
start_svd
wait_state u running
batch() {
        touch "$T/out/go"
        wait_for sh -c "[ \$(grep -c ' out done\$' '$F' 2> /dev/null || echo 0) -ge $1 ]"
}
for i in 1 2 3 4; do batch $i; done
[ "$(stat -c %s "$F")" -gt 200000 ] || fail "the file did not grow: $(stat -c %s "$F")"

: > "$F" # emptied by hand: svd writes on at its (new) end, O_APPEND
# leave 8K free, less than a batch
dd if=/dev/zero of="$T/log/spare" bs=8K count=1 status=none
dd if=/dev/zero of="$T/log/fill" bs=4K status=none 2> /dev/null || true
rm -f "$T/log/spare"
touch "$T/out/go"
dropped() { [ "$(field u log_dropped_bytes)" -gt 0 ]; }
wait_for dropped
size=$(stat -c %s "$F")
[ "$size" -le 8192 ] || fail "the file is $size bytes after a batch that did not fit in 8K (cut back to the old size?)"
rm -f "$T/log/fill"
wait_for grep -q ' svd dropped [0-9]* bytes ([0-9]* lines) of output: No space left on device' "$F"
python3 - "$F" <<'PY' || fail "NUL bytes or broken records in the file"
import re, sys
rec = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (out|svd) (line \d+|done|dropped .*)$")
data = open(sys.argv[1], "rb").read()
assert b"\0" not in data, "NUL bytes"
for l in data.split(b"\n")[:-1]:
    assert rec.match(l), l[:100]
PY
stop_svd || fail "svd exit status"
echo "log_truncated_full: ok"
