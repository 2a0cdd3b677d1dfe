#!/bin/bash
# ready_timeout (READY=1 to svd's own supervisor, settled or not) follows a
# reload until READY=1 has gone, still counted from svd's start:
# 1. shortened from a day to 1s: READY=1 comes, naming the service that
#    did not settle. Before, the reload changed nothing: systemd would have
#    waited for READY=1 until its own start timeout killed the stack.
# 2. set to 0 before it passed: no READY=1 until every service settled.
. "$(dirname "$0")/lib.sh"

service ok <<EOF2
command: [sleep, "100000"]
EOF2
service slow <<EOF2
type: notify
command: [sleep, "100000"]
EOF2

trap 'kill $LISTENER 2>/dev/null; cleanup' EXIT
cp "$T/etc/svd.yaml" "$T/svd.yaml.base"
set_ready() { cp "$T/svd.yaml.base" "$T/etc/svd.yaml"; echo "ready_timeout: $1" >> "$T/etc/svd.yaml"; }

# ---- 1. shortened: READY=1 at the new timeout
set_ready 1d
notify_listen "$T/n1.sock" "$T/n1.out"
NOTIFY_SOCKET="$T/n1.sock" start_svd
wait_state ok running
set_ready 1s
svctl reload > "$T/out/r1" || fail "reload: $(cat "$T/out/r1")"
wait_for grep -q 'READY=1' "$T/n1.out"
grep -q '^READY=1 | STATUS=not settled after 1s: slow (starting)$' "$T/n1.out" ||
        fail "READY=1 without the service that did not settle: $(cat "$T/n1.out")"
grep -q "WARN boot: not settled after 1s, 1 service not up: slow (starting)" "$T/svd.out" || fail "no warning in svd's log"
# once sent, a longer one changes nothing
set_ready 1d
svctl reload > "$T/out/r1b" || fail "reload: $(cat "$T/out/r1b")"
svctl stop slow > /dev/null
wait_for grep -q 'STATUS=all services settled' "$T/n1.out"
assert_eq "$(grep -c 'READY=1' "$T/n1.out")" 1 "READY=1 messages"
stop_svd || fail "svd exit status"
kill $LISTENER

# ---- 2. set to 0 before it passed: READY=1 only once all settled
set_ready 6s
notify_listen "$T/n2.sock" "$T/n2.out"
t0=$(now)
NOTIFY_SOCKET="$T/n2.sock" start_svd
set_ready 0
svctl reload > "$T/out/r2" || fail "reload: $(cat "$T/out/r2")"
assert_le "$(python3 -c "print($(now) - $t0)")" 5 "seconds to the reload (the test needs it before ready_timeout)"
wait_state slow starting
sleep "$(python3 -c "print(max(0, $t0 + 7 - $(now)))")" # past the old ready_timeout
grep -q 'READY=1' "$T/n2.out" && fail "READY=1 after a reload set ready_timeout to 0: $(cat "$T/n2.out")"
svctl stop slow > /dev/null
wait_for grep -q '^READY=1 | STATUS=all services settled' "$T/n2.out"
stop_svd || fail "svd exit status"
echo "reload_ready_timeout: ok"
