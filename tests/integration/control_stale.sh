#!/bin/bash
# The control socket's file at start: one whose listener goes away within a
# second (a child a killed svd was spawning still held svd's descriptors
# until its execve) is taken over; one that keeps answering is another svd's
# and svd refuses to start, leaving it alone.
. "$(dirname "$0")/lib.sh"

service idle <<EOF
command: [sleep, "1000"]
EOF
mkdir -p "$(dirname "$SOCK")"
# listen SECONDS: a listener on $SOCK that closes after SECONDS (no unlink)
listen() {
        python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[1] + ".up", "w").close()
time.sleep(float(sys.argv[2]))' "$SOCK" "$1" &
        LPID=$!
        wait_for test -e "$SOCK.up"
        rm -f "$SOCK.up"
}

listen 0.4
start_svd
wait_state idle running
wait "$LPID"
stop_svd || fail "svd exit status"

listen 30
timeout 20 "$SVD" -c "$T/etc/svd.yaml" > "$T/svd2.out" 2>&1 && fail "svd started beside a listener that answers"
grep -q 'Address already in use' "$T/svd2.out" || fail "no reason given: $(cat "$T/svd2.out")"
[ -S "$SOCK" ] || fail "the other listener's socket file was removed"
kill "$LPID"
wait "$LPID" 2>/dev/null || true
# nothing of the refused svd is left running (it started a pipe store)
wait_for sh -c "! pgrep -f '^svd-fdstore $T/' >/dev/null"

# a second svd beside a running one: refused before it touches the first
# one's state file or pipe store
rm -f "$SOCK"
start_svd
wait_state idle running
store=$(pgrep -f "svd-fdstore $T/") || fail "no pipe store"
state=$(cat "$T/run/state.json")
timeout 20 "$SVD" -c "$T/etc/svd.yaml" > "$T/svd3.out" 2>&1 && fail "a second svd started"
grep -q 'Address already in use' "$T/svd3.out" || fail "no reason given: $(cat "$T/svd3.out")"
assert_eq "$(pgrep -f "svd-fdstore $T/")" "$store" "the first svd's pipe store"
assert_eq "$(cat "$T/run/state.json")" "$state" "the first svd's state file"
assert_eq "$(field idle state)" running "the first svd's service"
stop_svd || fail "svd exit status"
echo PASS
