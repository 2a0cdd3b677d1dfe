#!/bin/bash
# svd stops while a service's log file cannot take its output: what could
# not be written then (on_full: drop, the bytes whose gap note never made
# it to the file; on_full: block, the output held back and what waits
# unread behind it) is lost, and svd's own log says so, with the count, the
# file and the cause, instead of nothing at all. The file here cannot be
# opened (its directory is a regular file): met like a full disk, and
# unlike one it cannot take a short note in the slack of its last block.
. "$(dirname "$0")/lib.sh"

echo "not a directory" > "$T/notadir"
for s in dropper blocker; do
        on=drop
        [ $s = blocker ] && on=block
        service $s <<EOF
command: ["sh", "-c", "i=0; while :; do echo \"line \$i\"; i=\$((i+1)); sleep 0.01; done"]
logging: { on_full: $on, file: $T/notadir/$s.log }
EOF
done
start_svd
wait_state dropper running
wait_state blocker running
dropped() { [ "$(field dropper log_dropped_bytes)" -gt 0 ]; }
wait_for dropped
stop_svd || fail "svd exit status"
lost="output lost: [1-9][0-9]* bytes could not be written to $T/notadir/%s\\.log (Not a directory) before svd closed it"
for s in dropper blocker; do
        # shellcheck disable=SC2059 # the pattern is the format
        grep -q "WARN $s: $(printf "$lost" $s)" "$T/svd.out" || fail "no word of $s's lost output"
done
echo "log_stop_full: ok"
