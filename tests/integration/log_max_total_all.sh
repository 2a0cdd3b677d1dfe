#!/bin/bash
# log_max_total covers every service log svd keeps, not only those of the
# services started since svd started: the rotated files in log_dir of a
# service removed from the configuration (by an earlier svd, which recorded
# it), of one
# configured but not started, and the current file of that one. They count
# from svd's start, without waiting for a rotation, and the oldest go first,
# whoever's; no current file is ever deleted; svd's audit log is not counted.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/log"
blob() { head -c "$2" /dev/zero | tr '\0' x > "$T/log/$1"; }
blob gone.log.20200101T000000.000000Z 40000 # a service removed long ago
# gone, configured in an earlier run of svd, which recorded its file
# (state_dir/logfiles: svd counts only the files it wrote)
service gone <<EOF
command: [sleep, "1000"]
enabled: false
EOF
start_svd
wait_for grep -q '/gone\.log$' "$T/state/logfiles"
stop_svd || fail "svd exit status"
rm "$T/services/gone.yaml"
echo "log_max_total: 100K" >> "$T/etc/svd.yaml"
blob idle.log.20200102T000000.000000Z 40000 # one configured, not started
blob idle.log 30000
blob audit.log.20190101T000000.000000Z 20000 # svd's audit log: not counted
service idle <<EOF
command: [sleep, "1000"]
enabled: false
EOF
# ~2K each time $T/out/go appears
seq 1 40 | sed 's/^/line /' > "$T/out/batch"
service a <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; cat $T/out/batch; fi; sleep 0.02; done"]
logging: { max_size: 10K, max_files: 100, compress: false }
EOF
start_svd
wait_state a running
# 30K (idle.log) + 10K (a.log, at most) + 80K rotated is over 100K: the
# oldest, the removed service's, goes at start
wait_for sh -c "[ ! -e '$T/log/gone.log.20200101T000000.000000Z' ]"
[ -e "$T/log/idle.log.20200102T000000.000000Z" ] || fail "more than the cap needed was deleted"
# a's rotations: idle's rotated file goes next, before any of a's
total() { find "$T/log" -maxdepth 1 -type f ! -name 'audit.log*' -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
for i in $(seq 1 30); do
        touch "$T/out/go"
        wait_for sh -c "[ ! -e '$T/out/go' ]"
        [ "$(total)" -le 102400 ] || { sleep 0.2; [ "$(total)" -le 102400 ] || fail "$(total) bytes with log_max_total 100K: $(ls -l "$T/log")"; }
done
wait_for sh -c "[ \$(ls '$T/log' | grep -c '^a\\.log\\.') -ge 3 ]"
[ ! -e "$T/log/idle.log.20200102T000000.000000Z" ] || fail "the idle service's rotated file outlived a's rotations"
assert_eq "$(stat -c %s "$T/log/idle.log")" "30000" "a current file is never deleted"
[ -e "$T/log/audit.log.20190101T000000.000000Z" ] || fail "the audit log's rotated file was deleted"
stop_svd || fail "svd exit status"
echo "log_max_total_all: ok"
