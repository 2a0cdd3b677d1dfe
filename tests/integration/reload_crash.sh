#!/bin/bash
# svd killed (a crash) while a reload waits for a changed service to stop:
# the reload's own hold on it is not the operator's. The next svd starts it
# (with the definition on disk), whether it was still stopping (db) or
# already down (fast); one the operator had stopped stays stopped (quiet).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/out"
service db <<EOF
command: [sh, -c, "trap 'sleep 2; exit 0' TERM; touch $T/out/db.up; while :; do sleep 0.1; done"]
EOF
service quiet <<EOF
command: [sleep, "1000"]
EOF
service fast <<EOF
command: [sleep, "74001"]
EOF
start_svd
wait_state db running
wait_for test -e "$T/out/db.up" # (its trap is set: running once spawned)
wait_state fast running
wait_state quiet running
svctl stop quiet > /dev/null
wait_state quiet stopped

service db <<EOF
command: [sh, -c, "echo v2 > $T/out/db-version; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
EOF
service quiet <<EOF
command: [sleep, "1001"]
EOF
service fast <<EOF
command: [sleep, "74002"]
EOF
svctl reload > "$T/out/r" 2>&1 || fail "reload refused: $(cat "$T/out/r")"
wait_state db stopping
wait_state fast stopped
# the state file says so (it is written in 50 ms batches)
saved() {
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
st={s["name"]: s["state"] for s in d["services"]}
sys.exit(0 if st.get("db")=="stopping" and st.get("fast")=="stopped" else 1)' "$T/run/state.json" 2>/dev/null
}
wait_for saved
crash_svd
start_svd
wait_state db running 15
wait_for test -s "$T/out/db-version"
assert_eq "$(field db held)" "False" "db held after the crash"
wait_state fast running
pgrep -f "sleep 74002" > /dev/null || fail "fast does not run its new command"
sleep 0.5
assert_eq "$(field quiet state)" stopped "quiet (svctl stop) after the crash"
stop_svd
