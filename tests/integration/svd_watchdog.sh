#!/bin/bash
# svd under a supervisor with a watchdog (systemd's WatchdogSec= on
# svd.service: WATCHDOG_USEC, WATCHDOG_PID): svd sends WATCHDOG=1 to
# NOTIFY_SOCKET from its event loop at half the interval, so the pings stop
# while the loop does (here: SIGSTOP) and come back with it, and go on
# after a daemon-reexec. WATCHDOG_PID naming another process (the shell
# that started svd) means the watchdog is not svd's: no pings. Before, svd
# never pinged, and WatchdogSec= killed it at the first interval.
. "$(dirname "$0")/lib.sh"

service ok <<EOF2
command: [sleep, "100000"]
EOF2

trap '{ kill $LISTENER; [ -z "$SVD_PID" ] || kill -CONT $SVD_PID; } 2>/dev/null || true; cleanup' EXIT
pings() { grep -c '^WATCHDOG=1$' "$1" || true; }
more_pings() { [ "$(pings "$1")" -ge "$2" ]; }

# ---- 1. pings from the loop, every WATCHDOG_USEC / 2
notify_listen "$T/n1.sock" "$T/n1.out"
WATCHDOG_USEC=400000 NOTIFY_SOCKET="$T/n1.sock" start_svd
wait_for grep -q 'READY=1' "$T/n1.out"
wait_for more_pings "$T/n1.out" 3
grep -q "watchdog: pinging our supervisor every 0.2s (WATCHDOG_USEC=400000)" "$T/svd.out" ||
        fail "no log line for the watchdog: $(grep watchdog "$T/svd.out")"

# the loop stopped: no pings (a stopped process sends nothing; the wait
# is what a supervisor's interval would be, twice over)
kill -STOP "$SVD_PID"
sleep 0.3 # (a ping being sent as the signal came is counted before)
n=$(pings "$T/n1.out")
sleep 0.8
assert_eq "$(pings "$T/n1.out")" "$n" "pings while svd's loop is stopped"
kill -CONT "$SVD_PID"
wait_for more_pings "$T/n1.out" $((n + 2))

# ---- 2. after a daemon-reexec the new image pings on
svctl daemon-reexec > "$T/reexec.out" || fail "daemon-reexec: $(cat "$T/reexec.out")"
n=$(pings "$T/n1.out")
wait_for more_pings "$T/n1.out" $((n + 3))
stop_svd || fail "svd exit status"
kill $LISTENER

# ---- 3. WATCHDOG_PID of another process: not svd's watchdog
notify_listen "$T/n2.sock" "$T/n2.out"
WATCHDOG_USEC=400000 WATCHDOG_PID=$$ NOTIFY_SOCKET="$T/n2.sock" start_svd
wait_for grep -q 'READY=1' "$T/n2.out"
svctl status > /dev/null # (a full turn of the loop after READY=1)
assert_eq "$(pings "$T/n2.out")" "0" "pings with WATCHDOG_PID of another process"
grep -q "watchdog: pinging" "$T/svd.out" && fail "a watchdog started for another process's WATCHDOG_PID"
stop_svd || fail "svd exit status"
echo "svd_watchdog: ok"
