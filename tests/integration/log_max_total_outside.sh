#!/bin/bash
# log_max_total counts the files of a service removed from the configuration
# whose logging.file is outside log_dir, as those of a removed service in
# log_dir: its current file at its size (never deleted) and its rotated
# files, the oldest first when the cap needs room; after the reload that
# removed it, and after a restart of svd and a daemon-reexec, which know of
# it by svd's record (state_dir/logfiles).
. "$(dirname "$0")/lib.sh"

echo "log_max_total: 100K" >> "$T/etc/svd.yaml"
mkdir -p "$T/ext"
blob() { head -c "$2" /dev/zero | tr '\0' x > "$T/ext/$1"; }
blob b.log.20200101T000000.000000Z 20000 # b's older generations
blob b.log.20200102T000000.000000Z 20000
seq 1 40 | sed 's/^/line /' > "$T/out/batch" # ~2K each time go appears
service a <<EOF2
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; fi; sleep 0.02; done"]
logging: { max_size: 10K, max_files: 100, compress: false }
EOF2
service b <<EOF2
command: ["sh", "-c", "seq 1 100; exec sleep 1000"]
logging: { file: $T/ext/b.log, max_size: 10K, compress: false }
EOF2
start_svd
wait_state a running
wait_for grep -q ' out 100$' "$T/ext/b.log"
rm "$T/services/b.yaml"
svctl reload > /dev/null || fail "svctl reload"
wait_for sh -c "! svctl status b > /dev/null 2>&1"
bsize=$(stat -c %s "$T/ext/b.log")
total() { find "$T/log" "$T/ext" -maxdepth 1 -type f ! -name 'audit.log*' -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
under() { [ "$(total)" -le 102400 ]; }
for i in $(seq 1 35); do
        touch "$T/out/go"
        wait_for sh -c "[ ! -e '$T/out/go' ]"
        under || { sleep 0.2; under || fail "$(total) bytes with log_max_total 100K: $(ls -l "$T/log" "$T/ext")"; }
done
[ ! -e "$T/ext/b.log.20200101T000000.000000Z" ] || fail "the removed service's oldest file outlived a's rotations"
assert_eq "$(stat -c %s "$T/ext/b.log")" "$bsize" "a removed service's current file is never deleted"
# a restart of svd: b is known by the record
stop_svd || fail "svd exit status"
blob b.log.20200103T000000.000000Z 20000
blob b.log.20200104T000000.000000Z 20000
start_svd
wait_for under
[ ! -e "$T/ext/b.log.20200103T000000.000000Z" ] || fail "b's oldest file outlived svd's restart"
# a daemon-reexec: likewise
blob b.log.20200105T000000.000000Z 20000
blob b.log.20200106T000000.000000Z 20000
svctl daemon-reexec > /dev/null || fail "svctl daemon-reexec"
wait_for under
[ ! -e "$T/ext/b.log.20200105T000000.000000Z" ] || fail "b's oldest file outlived a daemon-reexec"
assert_eq "$(stat -c %s "$T/ext/b.log")" "$bsize" "a removed service's current file is never deleted"
stop_svd || fail "svd exit status"
echo "log_max_total_outside: ok"
