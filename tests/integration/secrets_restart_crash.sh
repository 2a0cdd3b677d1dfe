#!/bin/bash
# The running consumers of a changed secret are stopped and started again
# once all of them are down. If svd is killed (or crashes) while they are
# on their way down, the next svd finishes that restart: every consumer
# stopped for the change starts again, with the new value; a consumer the
# operator had stopped before stays stopped. A daemon-reexec while they
# stop is no longer refused: the new instance finishes it the same way
# (but a binary that does not say it takes that over, an older svd, is).
. "$(dirname "$0")/lib.sh"
# svd runs from a copy, so the test can replace "the package's" binary
mkdir -p "$T/bin"
cp "$SVD" "$(dirname "$SVD")/svd-probe" "$(dirname "$SVD")/svd-fdstore" "$T/bin/"
SVD=$T/bin/svd

service fast <<YAML
secrets:
  pw: { generate: password }
restart: "no"
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/fast; echo >> $T/out/fast; exec sleep 1000']
YAML
# slow ignores SIGTERM: it stays stopping until its stop timeout
service slow <<YAML
secrets: [pw]
restart: "no"
stop: { signal: SIGTERM, timeout: 3s }
command: [/bin/sh, -c, 'trap "" TERM; cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/slow; echo >> $T/out/slow; exec sleep 1000']
YAML
service idle <<YAML
secrets: [pw]
command: [/bin/sh, -c, 'exec sleep 1000']
YAML

last() { tail -n 1 "$T/out/$1"; }
lines() { [ "$(wc -l < "$T/out/$1")" -ge "$2" ]; }
logged() { grep -q "$1" "$T/svd.out"; }

start_svd
wait_state fast running
wait_state slow running
wait_state idle running
svctl stop idle > /dev/null || fail "stop idle"
wait_state idle stopped
wait_for lines fast 1
wait_for lines slow 1

# --- svd killed while the consumers stop ----------------------------------
svctl secret rotate pw > /dev/null || fail "rotate"
new=$(svctl secret get pw)
wait_state slow stopping
wait_state fast stopped
sleep 0.3 # (the state file has caught up with fast's stop)
slow_pid=$(field slow pid)
kill -KILL "$SVD_PID"
wait "$SVD_PID" 2> /dev/null || true
start_svd
# slow is taken over, still stopping; killed at its timeout, then both start
wait_state slow running 15
wait_state fast running
[ "$(field slow pid)" != "$slow_pid" ] || fail "slow was not restarted"
wait_for lines fast 2
wait_for lines slow 2
assert_eq "$(last fast)" "$new" "fast's value after svd was killed during the restart"
assert_eq "$(last slow)" "$new" "slow's value after svd was killed during the restart"
logged "secrets: fast was stopped for a changed secret" || fail "not logged: $(cat "$T/svd.out")"
assert_eq "$(field idle state)" "stopped" "idle (stopped by the operator before)"
stop_svd || fail "svd exit status $?"

# --- a clean restart does not restart them again --------------------------
start_svd
wait_state fast running
wait_state slow running
wait_for lines slow 3 # (slow ignores SIGTERM now: running once spawned)
sleep 0.5
assert_eq "$(wc -l < "$T/out/fast")" "3" "fast's starts after a clean restart"
svctl stop idle > /dev/null || fail "stop idle"
wait_state idle stopped

# --- daemon-reexec to a binary that does not take the restart over -------
cp "$T/bin/svd" "$T/bin/svd.real"
rm "$T/bin/svd" # the running file is unlinked, as a package upgrade does
printf '#!/bin/sh\nif [ "$1" = --state-format ]; then echo "svd-state 1"; echo secrets-key-fd; exit 0; fi\nexec %s "$@"\n' \
        "$T/bin/svd.real" > "$T/bin/svd"
chmod +x "$T/bin/svd"
svctl secret rotate pw > /dev/null || fail "rotate"
wait_state slow stopping
out=$(svctl daemon-reexec 2>&1) && fail "daemon-reexec to an older binary while the consumers stop: $out"
echo "$out" | grep -q "are being restarted, and .* does not take that over" || fail "refusal: $out"
wait_state slow running 15
wait_state fast running
wait_for lines fast 4
wait_for lines slow 4
rm "$T/bin/svd"
cp "$T/bin/svd.real" "$T/bin/svd"

# --- daemon-reexec while the consumers stop -------------------------------
svctl secret rotate pw > /dev/null || fail "rotate"
new2=$(svctl secret get pw)
wait_state slow stopping
out=$(svctl daemon-reexec 2>&1) || fail "daemon-reexec while the consumers stop: $out"
wait_for logged "daemon-reexec: 3 services taken over"
wait_state slow running 15
wait_state fast running
wait_for lines fast 5
wait_for lines slow 5
assert_eq "$(last fast)" "$new2" "fast's value after a daemon-reexec during the restart"
assert_eq "$(last slow)" "$new2" "slow's value after a daemon-reexec during the restart"
assert_eq "$(field idle state)" "stopped" "idle after the daemon-reexec"
stop_svd || fail "svd exit status $?"
echo "secrets_restart_crash: ok"
