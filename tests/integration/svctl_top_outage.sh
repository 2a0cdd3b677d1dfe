#!/bin/bash
# svctl top rides out an svd that goes away and comes back: svd re-executed
# (daemon-reexec) and killed with SIGKILL and started again while top runs
# without a terminal. top keeps refreshing (a failed refresh is the note
# "svd not answering since HH:MM:SS: REASON" above the last rows), shows
# the services again once svd answers, and ends with status 0 after -n.
. "$(dirname "$0")/lib.sh"

service a <<EOF2
command: [sleep, "100000"]
EOF2
service b <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state a running
wait_state b running

TOP=
trap '[ -z "$TOP" ] || kill "$TOP" 2>/dev/null || true; cleanup' EXIT
"$SVCTL" -s "$SOCK" top -n 60 -d 0.1 --sort name > "$T/top.out" 2> "$T/top.err" &
TOP=$!
wait_for grep -q '^a ' "$T/top.out"
for _ in 1 2 3; do
        svctl daemon-reexec > /dev/null || fail "daemon-reexec"
done
# at least three refreshes without svd
crash_restart_svd sleep 0.5
wait_state a running
rc=0; wait "$TOP" || rc=$?
TOP=
assert_eq "$rc" 0 "top's exit status ($(cat "$T/top.err"))"
[ "$(grep -c '^NAME' "$T/top.out")" = 60 ] || fail "60 tables: $(grep -c '^NAME' "$T/top.out")"
grep -Eq '^svd not answering since [0-9]{2}:[0-9]{2}:[0-9]{2}: ' "$T/top.out" \
        || fail "no note while svd was down: $(cat "$T/top.out")"
# every table, with or without svd, has both services; the last one is svd's answer
[ "$(grep -c '^a  *running ' "$T/top.out")" = 60 ] || fail "rows kept: $(cat "$T/top.out")"
awk '/^NAME/ {n++} n == 60' "$T/top.out" > "$T/last"
! grep -q '^svd not answering' "$T/last" || fail "the last table is a note: $(cat "$T/last")"
grep -q '^b  *running ' "$T/last" || fail "the last table: $(cat "$T/last")"
stop_svd || fail "svd exit status"
echo "svctl_top_outage: ok"
