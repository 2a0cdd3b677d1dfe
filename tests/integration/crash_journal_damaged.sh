#!/bin/bash
# A state.journal that does not start as svd starts one (damage), found by
# the svd started after a kill -9, is reported as an error naming the file:
# what it may name (a process started after the last state write) cannot be
# stopped, and the operator is told to look. A journal that merely follows
# an older state file (svd was killed between a state write and starting the
# journal over) is ignored without a word, as before.
. "$(dirname "$0")/lib.sh"

service a <<EOF2
command: [sleep, "100000"]
EOF2

start_svd
wait_state a running
sleep 0.3 # (the state write after the change)

# an older state's journal: not damage
crash_restart_svd sed -i '1s/^svd-state-journal 1 .*/svd-state-journal 1 12345/' "$T/run/state.journal"
wait_state a running
! grep -q 'is not a journal svd wrote' "$T/svd.out" || fail "a journal of an older state was reported as damage"

sleep 0.3
crash_restart_svd sed -i '1s/^.*/svd-state-j0urnal garbage/' "$T/run/state.journal"
wait_for grep -q "ERROR $T/etc/../run/state.journal is not a journal svd wrote" "$T/svd.out"
wait_state a running
# the journal is started over: the next kill finds a good one
sleep 0.3
head -n 1 "$T/run/state.journal" | grep -q '^svd-state-journal 1 [0-9]' || fail "journal not started over: $(head -n 1 "$T/run/state.journal")"

# a last line cut short (a full disk): said, and not acted on
sleep 0.3
crash_restart_svd sh -c "printf 'S 1' >> '$T/run/state.journal'"
wait_for grep -q "WARN $T/etc/../run/state.journal: its last line is cut short (3 bytes, no newline" "$T/svd.out"
wait_state a running
stop_svd
