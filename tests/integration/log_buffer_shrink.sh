#!/bin/bash
# A service's log buffers (the read buffer of each stream, the formatted
# output) grow with a burst and go back once the service is quiet for a few
# seconds: svd's memory for 50 services that each once wrote a burst is not
# 50 times a burst's buffers for the rest of its life. svctl status --json
# shows what a service's log holds (log_buffer_bytes). The next burst gets
# new buffers and loses nothing.
. "$(dirname "$0")/lib.sh"

for s in b1 b2 b3; do
service $s <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go.$s ]; then rm -f $T/out/go.$s; seq 1 100000 | sed 's/^/line /'; echo burst done; fi; sleep 0.02; done"]
logging: { max_size: 0 }
EOF
done
start_svd
for s in b1 b2 b3; do wait_state $s running; done
bufs() { field "$1" log_buffer_bytes; }
assert_eq "$(bufs b1)" "0" "buffers before any output"
for s in b1 b2 b3; do touch "$T/out/go.$s"; done
for s in b1 b2 b3; do wait_for grep -q 'out burst done$' "$T/log/$s.log"; done
# (held right after the burst, unless this machine is slower than the idle time)
shrunk() { [ "$(bufs b1)" = 0 ] && [ "$(bufs b2)" = 0 ] && [ "$(bufs b3)" = 0 ]; }
wait_for shrunk
# again: new buffers, every line there
touch "$T/out/go.b1"
two() { [ "$(grep -c 'out burst done$' "$T/log/b1.log")" -ge 2 ]; }
wait_for two
n=$(grep -c ' out line [0-9]*$' "$T/log/b1.log")
assert_eq "$n" "200000" "lines of two bursts"
wait_for shrunk
stop_svd || fail "svd exit status"
echo "log_buffer_shrink: ok"
