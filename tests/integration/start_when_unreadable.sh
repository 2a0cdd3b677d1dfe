#!/bin/bash
# start_when when /proc/meminfo or /proc/pressure/memory cannot be read (or
# does not say what svd needs): the condition is not waited on, and the
# operator is told once, naming the file and the error, not at every
# 1-second recheck; when the file can be read again, svd says so once and
# the condition holds the service again. Runs in a private mount namespace
# where both files are replaced by what the test mounts over them.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
[ -r /proc/pressure/memory ] || { echo "no PSI on this kernel"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
cleanup_ns() {
        umount /proc/meminfo 2>/dev/null || true
        umount /proc/pressure 2>/dev/null || true
        umount /proc/pressure/memory 2>/dev/null || true
}
trap 'cleanup_ns; cleanup' EXIT

mem() {
        printf 'MemTotal:        8000000 kB\nMemFree:          100000 kB\nMemAvailable:   %8d kB\n' "$1" > "$T/out/meminfo"
}
psi() {
        printf 'some avg10=%s avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' "$1" > "$T/out/psi"
}
# count PATTERN: lines of svd's log matching PATTERN
count() { grep -c -- "$1" "$T/svd.out" || true; }

# /proc/meminfo: a socket, which open(2) refuses with ENXIO
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/out/sock"
mount --bind "$T/out/sock" /proc/meminfo || { echo "cannot bind-mount over /proc/meminfo"; exit 77; }
psi 50.00
mount --bind "$T/out/psi" /proc/pressure/memory || { echo "cannot bind-mount over /proc/pressure/memory"; exit 77; }

# waits on PSI while its memory condition cannot be checked: svd reads
# /proc/meminfo again at every recheck
service both <<EOF
command: [sleep, "100000"]
start_when: { memory_available: 2G, memory_pressure_below: 10 }
EOF

start_svd
wait_state both waiting
wait_for grep -q 'start_when.memory_available: /proc/meminfo: No such device or address' "$T/svd.out"
sleep 3 # three rechecks
[ "$(count '/proc/meminfo')" = 1 ] || fail "not one line about /proc/meminfo: $(grep /proc/meminfo "$T/svd.out")"

# readable again: said once, and the memory condition holds the service
umount /proc/meminfo
mem 1000000
mount --bind "$T/out/meminfo" /proc/meminfo
wait_for grep -q 'start_when.memory_available: /proc/meminfo can be read again' "$T/svd.out"
wait_for sh -c "$SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name==\"both\") | .reason' | grep -q '^waiting (memory): 2G available needed'"
sleep 2
[ "$(count '/proc/meminfo')" = 2 ] || fail "not two lines about /proc/meminfo: $(grep /proc/meminfo "$T/svd.out")"

# a file without a MemAvailable line (a kernel before 3.14) is said too
umount /proc/meminfo
printf 'MemTotal:        8000000 kB\nMemFree:          100000 kB\n' > "$T/out/meminfo2"
mount --bind "$T/out/meminfo2" /proc/meminfo
wait_for grep -q 'start_when.memory_available: /proc/meminfo: no MemAvailable line' "$T/svd.out"
umount /proc/meminfo
mount --bind "$T/out/meminfo" /proc/meminfo
wait_for sh -c "[ \$(grep -c '/proc/meminfo can be read again' $T/svd.out) = 2 ]"

# /proc/pressure/memory gone (an empty directory over /proc/pressure), with
# memory enough: not a condition then, so it starts; said once, also when
# the file is read again at its next start
mem 4000000
umount /proc/pressure/memory
mkdir -p "$T/out/empty"
mount --bind "$T/out/empty" /proc/pressure || { echo "cannot bind-mount over /proc/pressure"; exit 77; }
wait_state both running 5
grep -q 'start_when.memory_pressure_below: /proc/pressure/memory: No such file or directory (a kernel without PSI' "$T/svd.out" ||
        fail "no warning about /proc/pressure/memory: $(grep /proc/pressure "$T/svd.out")"
runs=$(count 'both: .* -> running')
svctl restart both >/dev/null
wait_for sh -c "[ \$(grep -c 'both: .* -> running' $T/svd.out) -gt $runs ]"
[ "$(count '/proc/pressure/memory: ')" = 1 ] || fail "not one line about /proc/pressure/memory: $(grep /proc/pressure "$T/svd.out")"
# back: said once, and it holds the service again
svctl stop both >/dev/null
wait_state both stopped
umount /proc/pressure
mount --bind "$T/out/psi" /proc/pressure/memory
svctl start both >/dev/null
wait_state both waiting
grep -q 'start_when.memory_pressure_below: /proc/pressure/memory can be read again' "$T/svd.out" ||
        fail "not said that /proc/pressure/memory can be read again"
# gone again while it waits: said again, and it starts at the next recheck
umount /proc/pressure/memory
mount --bind "$T/out/empty" /proc/pressure
wait_state both running 5
[ "$(count '/proc/pressure/memory: No such file')" = 2 ] || fail "not said again: $(grep /proc/pressure "$T/svd.out")"
umount /proc/pressure
stop_svd
