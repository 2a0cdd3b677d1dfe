#!/bin/bash
# svd under a supervisor that waits for its READY=1 (NOTIFY_SOCKET, as
# systemd's Type=notify gives it):
# 1. A service that never settles (a notify service that never says
#    READY=1; a crash loop or a gate would do the same) does not hold it back
#    past ready_timeout: READY=1 comes then, with a STATUS= naming it, and a
#    warning in svd's log; once all settle, a STATUS= says so.
# 2. A svd started again after a kill -9 (systemd's Restart=) sends READY=1
#    itself once its services are taken over, though its state says the
#    boot settled long ago. Before, it never did: systemd would time its
#    start out and kill the whole stack.
. "$(dirname "$0")/lib.sh"

cat >> "$T/etc/svd.yaml" <<EOF2
ready_timeout: 2s
EOF2
service ok <<EOF2
command: [sleep, "100000"]
EOF2
service slow <<EOF2
type: notify
command: [sleep, "100000"]
EOF2

trap 'kill $LISTENER 2>/dev/null; cleanup' EXIT

# ---- 1. a service that does not settle: READY=1 at ready_timeout
notify_listen "$T/n1.sock" "$T/n1.out"
t0=$(now)
NOTIFY_SOCKET="$T/n1.sock" start_svd
wait_for grep -q 'READY=1' "$T/n1.out"
t1=$(now)
grep -q '^READY=1 | STATUS=not settled after 2s: slow (starting)$' "$T/n1.out" ||
        fail "READY=1 without the service that did not settle: $(cat "$T/n1.out")"
grep -q 'ok (' "$T/n1.out" && fail "a settled service named as not settled: $(cat "$T/n1.out")"
assert_le "$(python3 -c "print($t1 - $t0)")" 6 "seconds to READY=1"
grep -q "WARN boot: not settled after 2s, 1 service not up: slow (starting)" "$T/svd.out" || fail "no warning in svd's log"
svctl stop slow > /dev/null
wait_for grep -q 'STATUS=all services settled' "$T/n1.out"
assert_eq "$(grep -c 'READY=1' "$T/n1.out")" 1 "READY=1 messages"
stop_svd || fail "svd exit status"
kill $LISTENER

# ---- 2. started again after a kill: READY=1 again
notify_listen "$T/n2.sock" "$T/n2.out"
rm "$T/services/slow.yaml"
NOTIFY_SOCKET="$T/n2.sock" start_svd
wait_for grep -q '^READY=1 | STATUS=all services settled' "$T/n2.out"
ok=$(field ok pid)
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2>/dev/null || true
SVD_PID=
NOTIFY_SOCKET="$T/n2.sock" start_svd
wait_for sh -c "[ \$(grep -c '^READY=1 | STATUS=all services settled' '$T/n2.out') = 2 ]"
assert_eq "$(field ok pid)" "$ok" "ok's pid after the take-over"
stop_svd || fail "svd exit status"
echo "svd_ready: ok"
