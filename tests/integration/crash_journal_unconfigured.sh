#!/bin/bash
# state.journal lines (processes a killed svd started after its last state
# write) for services the configuration no longer has: the processes are
# killed before anything starts, and the log says why. It said "its state
# does not name the service" also for a service the state names (its file
# removed while no svd ran), which is not why.
. "$(dirname "$0")/lib.sh"

service a <<EOF2
command: [sleep, "100000"]
EOF2
service x <<EOF2
command: [sleep, "100000"]
EOF2
strays=
finish() {
        cleanup
        for p in $strays; do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT
gone() { ! kill -0 "$1" 2> /dev/null || grep -q '^State:.Z' "/proc/$1/status"; }
logged() { grep -qF -- "$1" "$T/svd.out"; }
# stray NAME: a process ($last), and a journal line naming it as NAME's spawn
last=
stray() {
        (exec -a "stray-$1 $T" sleep 100000) > /dev/null 2>&1 &
        last=$!
        strays="$strays $last"
        wait_for grep -q "^sleep" "/proc/$last/comm"
        echo "S $last $(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$last/stat") $1" >> "$T/run/state.journal"
}

start_svd
wait_state a running
wait_state x running
apid=$(field a pid)
sleep 0.3 # (the state write)
crash_svd
stray x # x: in the state, no longer configured
px=$last
stray other # other: in neither
pg=$last
rm "$T/services/x.yaml"
start_svd
wait_state a running
logged "x: pid $px was started by the svd before, after its last state write (the service is no longer configured); killing it" ||
        fail "x's journal process: not killed for the right reason"
logged "other: pid $pg was started by the svd before, after its last state write (the service is no longer configured); killing it" ||
        fail "other's journal process: not killed for the right reason"
wait_for gone "$px"
wait_for gone "$pg"
assert_eq "$(field a pid)" "$apid" "a's pid, taken over"
stop_svd || fail "svd exit status"
echo "crash_journal_unconfigured: ok"
