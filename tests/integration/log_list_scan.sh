#!/bin/bash
# svctl logs without a NAME asks svd for every service's files: the log
# directory they share (<log_dir>, every default NAME.log) is read once for
# all of them, not once per service. A pass per service read the whole
# directory N times on svd's loop (quadratic in the services: seconds on a
# shared log_dir of many services with many rotated files each), and any
# user may ask. strace counts svd's opens of the directory for one listing.
. "$(dirname "$0")/lib.sh"
command -v strace > /dev/null || { echo "no strace"; exit 77; }

N=12
for i in $(seq $N); do
        service "s$i" <<EOF
command: ["sh", "-c", "echo hello from s$i; exec sleep 100000"]
EOF
done
mkdir -p "$T/log"
# a rotated file each, for the listing to find
for i in $(seq $N); do
        echo "2020-01-01T00:00:01.000000Z out old line of s$i" > "$T/log/s$i.log.20200101T000002.000000Z"
done
start_svd
for i in $(seq $N); do wait_state "s$i" running; done
# (the first look at each log is done: its own pass is not the listing's)
sleep 0.5
strace -f -qq -p "$SVD_PID" -e trace=openat -o "$T/strace" &
tracer=$!
wait_for grep -q TracerPid:.*[1-9] "/proc/$SVD_PID/status"
svctl logs > "$T/so" 2> "$T/se" || fail "svctl logs: $(cat "$T/se")"
sleep 0.2
kill "$tracer"
wait "$tracer" 2> /dev/null || true
for i in $(seq $N); do
        grep -q "old line of s$i\$" "$T/so" || fail "s$i's rotated file not listed"
        grep -q "hello from s$i\$" "$T/so" || fail "s$i's current file not read"
done
# the log directory opened to be read (safedir: its path walked with
# O_PATH down to "log", then "." of that opened for reading; not another
# directory svd reads meanwhile, such as its state directory)
opens=$(python3 - "$T/strace" <<'PY'
import re, sys
walked, n = None, 0
for l in open(sys.argv[1]):
    m = re.search(r'openat\(\d+, "log", [^)]*O_PATH[^)]*\) = (\d+)', l)
    if m:
        walked = m[1]
        continue
    m = re.search(r'openat\((\d+), "\.", O_RDONLY\|O_CLOEXEC\|O_DIRECTORY\) = \d+', l)
    if m and m[1] == walked:
        n += 1
print(n)
PY
)
assert_eq "$opens" 1 "passes over the log directory for one listing"
stop_svd || fail "svd exit status"
echo "log_list_scan: ok"
