#!/bin/bash
# metrics.textfile on a full and on a read-only file system (a 64 KiB tmpfs
# in the test's own mount namespace). A failed write used to leave the last
# file in place, its old values ("up" included) exported as current with
# nothing but its mtime to tell. Now svd removes it where it can (an
# absent() alert then fires), says so once per failure streak with the
# reason, and svd_metrics_textfile_failing is 1 meanwhile; on a read-only
# file system, where the old file cannot go, the log says it stays.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
tmpfs_at "$T/prom" size=64k
P=$T/prom/svd.prom

service web <<EOF2
command: [sleep, "1000"]
EOF2
cat >> "$T/etc/svd.yaml" <<EOF2
metrics: { textfile: $P, interval: 1s }
EOF2
up_in() { grep -q '^svd_service_up{service="web",slice=""} 1$' "$P" 2>/dev/null; }
failing() { svctl metrics | grep -qx "svd_metrics_textfile_failing $1"; }
fill() { dd if=/dev/zero of="$T/prom/fill" bs=1k status=none 2>/dev/null || true; }

start_svd
wait_state web running
wait_for up_in
failing 0 || fail "svd_metrics_textfile_failing is not 0: $(svctl metrics | grep textfile)"

# full: the stale file goes
fill
wait_for grep -q "WARN metrics: cannot write $P (through $P.tmp): No space left on device; removed the last one" "$T/svd.out"
# (removing it frees its space: a write may work once, then not)
fill
absent_failing() { [ ! -e "$P" ] && failing 1; }
wait_for absent_failing
rm -f "$T/prom/fill"
wait_for up_in
wait_for grep -q "INFO metrics: writing $P again" "$T/svd.out"
failing 0 || fail "still failing once written"

# read-only: the old file cannot go, and the log says so
mount -o remount,ro "$T/prom" || fail "cannot remount $T/prom read-only"
wait_for grep -q "WARN metrics: cannot write $P (through $P.tmp): Read-only file system; the last one stays, with old values: cannot remove it: Read-only file system" "$T/svd.out"
failing 1 || fail "svd_metrics_textfile_failing is not 1 on a read-only file system"
sleep 2.5 # more failed writes: not logged again
mount -o remount,rw "$T/prom"
wait_for failing 0
assert_eq "$(grep -c 'Read-only file system; the last one stays' "$T/svd.out")" "1" "warnings in one streak"
stop_svd || fail "svd exit status"
[ -e "$P" ] && fail "the textfile left after svd exited"
echo "metrics_textfile_fail: ok"
