#!/bin/bash
# A log emptied by hand (": > app.log", "truncate -s 0", what an operator
# does on a full disk) counts from its real size again: svd's count of the
# bytes in the file does not stay at the old size, which made the next
# batch rotate the file early, into a rotated file holding next to nothing.
. "$(dirname "$0")/lib.sh"

F="$T/log/u.log"
# ~12K in the file each time $T/out/go appears (max_size 20K: two batches
# do not fit, one after the file was emptied does)
seq 1 300 | sed 's/^/line /' > "$T/out/batch"
service u <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; echo done; fi; sleep 0.02; done"]
logging: { max_size: 20K, compress: false }
EOF
start_svd
wait_state u running
batch() {
        touch "$T/out/go"
        wait_for sh -c "[ \$(cat '$F' 2> /dev/null | grep -c ' out done\$') -ge 1 ]"
}
batch
size=$(stat -c %s "$F")
[ "$size" -gt 10000 ] && [ "$size" -le 20480 ] || fail "first batch: $size bytes"
: > "$F"   # emptied by hand
batch
rotated=$(ls "$T/log" | grep -c '^u\.log\.' || true)
assert_eq "$rotated" "0" "rotated files after a batch that fits in the emptied file ($(ls "$T/log"))"
size2=$(stat -c %s "$F")
assert_eq "$size2" "$size" "the emptied file holds the second batch"
# and the count goes on from there: the third batch does not fit, the file rotates
batch2() {
        touch "$T/out/go"
        wait_for sh -c "[ \$(cat '$F' '$T'/log/u.log.* 2> /dev/null | grep -c ' out done\$') -ge 2 ]"
}
batch2
rotated=$(ls "$T/log" | grep -c '^u\.log\.' || true)
assert_eq "$rotated" "1" "rotated files after the third batch"
r=$(ls "$T"/log/u.log.*)
# the second batch and the third's lines that still fit in 20K
rs=$(stat -c %s "$r")
[ "$rs" -gt "$size" ] && [ "$rs" -le 20480 ] || fail "rotated file: $rs bytes"
assert_eq "$(grep -c ' out done$' "$r")" "1" "batch ends in the rotated file"
grep -q ' out done$' "$F" || fail "the third batch did not end in the new file"
stop_svd || fail "svd exit status"
echo "log_truncate_size: ok"
