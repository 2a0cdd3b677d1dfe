#!/bin/bash
# log_max_total counts the current file of a service removed from the
# configuration (<log_dir>/NAME.log, no service of that name configured, in
# svd's record of the files it wrote):
# the rotated files of the services still there make room for it, so the
# total stays under the cap; the file itself is never deleted. A link there
# (to a configured service's file) is not counted a second time.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/log"
yes "$(printf "%059d" 0)" | head -c 60000 > "$T/log/gone.log" # a removed service's
# gone, configured in an earlier run of svd, which recorded its file
# (state_dir/logfiles: svd counts only the files it wrote)
service gone <<EOF2
command: [sleep, "1000"]
enabled: false
EOF2
start_svd
wait_for grep -q '/gone\.log$' "$T/state/logfiles"
stop_svd || fail "svd exit status"
rm "$T/services/gone.yaml"
echo "log_max_total: 100K" >> "$T/etc/svd.yaml"
ln -s a.log "$T/log/alias.log"                           # not a second a.log
seq 1 40 | sed 's/^/line /' > "$T/out/batch"             # ~2K each time go appears
service a <<EOF2
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; fi; sleep 0.02; done"]
logging: { max_size: 10K, max_files: 100, compress: false }
EOF2
start_svd
wait_state a running
total() { find "$T/log" -maxdepth 1 -type f ! -name 'audit.log*' -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
for i in $(seq 1 30); do
        touch "$T/out/go"
        wait_for sh -c "[ ! -e '$T/out/go' ]"
        [ "$(total)" -le 102400 ] || { sleep 0.2; [ "$(total)" -le 102400 ] || fail "$(total) bytes with log_max_total 100K: $(ls -l "$T/log")"; }
done
# a rotated, and kept what fits: 60K + 10K leave 30K, 3 of its files
n=$(ls "$T/log" | grep -c '^a\.log\.') || true
[ "$n" -ge 3 ] || fail "$n rotated files of a kept: $(ls -l "$T/log")"
assert_eq "$(stat -c %s "$T/log/gone.log")" "60000" "a removed service's current file is never deleted"
stop_svd || fail "svd exit status"
echo "log_max_total_removed: ok"
