#!/bin/bash
# A follower (svctl logs -f) of a service that writes a burst of short
# lines: svd forms the batch's records for it in a scratch array that grows
# to one entry per line of a read (hundreds of thousands of empty lines: MBs).
# Once no one follows, the scratch goes back: svd's memory returns to what
# it was, not 9 MB more for the rest of its life.
. "$(dirname "$0")/lib.sh"
# (AddressSanitizer keeps freed memory in quarantine: its RSS says nothing
# of what svd gives back)
if ldd "$SVD" 2> /dev/null | grep -q libasan; then echo "SKIP: an ASan build"; exit 77; fi

service burst <<EOF
command: ["sh", "-c", "while :; do if [ -e $T/out/go ]; then rm -f $T/out/go; yes '' | head -n 300000; echo burst done; fi; sleep 0.02; done"]
logging: { max_size: 0 }
EOF
start_svd
wait_state burst running
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SVD_PID/status"; }
# a burst without a follower first: the read and output buffers as they grow anyway
touch "$T/out/go"
wait_for grep -q 'out burst done$' "$T/log/burst.log"
base=$(rss)
"$SVCTL" -s "$SOCK" logs burst -f -n 0 > /dev/null 2>&1 &
follower=$!
sleep 0.5
touch "$T/out/go"
two() { [ "$(grep -c 'out burst done$' "$T/log/burst.log")" -ge 2 ]; }
wait_for two
kill "$follower" 2> /dev/null || true
wait "$follower" 2> /dev/null || true
sleep 0.3
# output with no one following
touch "$T/out/go"
three() { [ "$(grep -c 'out burst done$' "$T/log/burst.log")" -ge 3 ]; }
wait_for three
sleep 0.3
after=$(rss)
[ $((after - base)) -lt 3000 ] || fail "svd's RSS grew from ${base} kB to ${after} kB after the follower left"
stop_svd || fail "svd exit status"
echo "log_follow_memory: ok"
