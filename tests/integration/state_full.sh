#!/bin/bash
# state_full: a full run_dir (a tmpfs any process can fill) does not leave a
# stale state.json for the svd that takes over after a kill -9:
# 1. With run_dir filled to the last byte, `svctl stop a` and `svctl restart
#    b` are still written to state.json (svd gives back part of
#    state.reserve, said once in its log): the next svd, on the same full
#    run_dir, keeps a stopped and takes b's new process over (one instance
#    of each, none left over).
# 2. With the reserve used up as well, a write that fails is tried again on
#    a timer: once the filler is gone, the last state is written with no
#    further change ("state written again"), and the next svd sees it.
# Runs in a private mount namespace, with run_dir on a 1 MiB tmpfs of its own.
SVD_PRIVATE_MOUNTS=1
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"
RUN=$T/run
mkdir -p "$RUN"
mount -t tmpfs -o size=1m,mode=755 svd-state-full "$RUN" 2> /dev/null || { echo "cannot mount a tmpfs"; exit 77; }

for n in a b; do
        service $n <<EOF2
restart: always
backoff: { initial: 100ms }
command: [bash, -c, 'exec -a "$n-instance $T" sleep 100000']
EOF2
done

instances() { pgrep -f -- "^$1-instance $T" || true; }
finish() {
        umount -l "$RUN" 2> /dev/null || true # (svd keeps what it has open)
        cleanup # (svd before its services: it would restart what is killed here)
        for p in $(instances a) $(instances b); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT
# fill: run_dir full to the last page (a file per call)
fills=0
fill() {
        fills=$((fills + 1))
        dd if=/dev/zero of="$RUN/filler.$fills" bs=4k 2> /dev/null && fail "dd did not fill $RUN"
        assert_eq "$(stat -f -c %a "$RUN")" 0 "free blocks in $RUN after filling it"
}
reserve() { stat -c %s "$RUN/state.reserve"; }
count() { grep -cF -- "$1" "$T/svd.out" || true; }

start_svd
wait_state a running
wait_state b running
sleep 0.3 # (the state write after the change)
[ -f "$RUN/state.reserve" ] || fail "no $RUN/state.reserve"
[ "$(reserve)" -ge 65536 ] || fail "state.reserve is $(reserve) bytes, expected 64 KiB at least"

# ---- 1. full: stop a, restart b, kill svd
fill
svctl stop a > /dev/null
wait_state a stopped
oldb=$(field b pid)
svctl restart b > /dev/null
wait_state b running
newb=$(field b pid)
[ "$newb" != "$oldb" ] || fail "b's pid did not change at its restart"
sleep 0.3
fill # (what the reserve gave back and the state did not take)
assert_eq "$(count "is full")" 1 "lines saying run_dir is full"
assert_eq "$(count "cannot write")" 0 "lines saying a state write failed"
crash_svd
start_svd
wait_state b running
sleep 1 # (a restart by policy, or a kill of a process the state misses, would be done by now)
assert_eq "$(field a state)" stopped "a's state after the take-over"
assert_eq "$(field b pid)" "$newb" "b's pid after the take-over"
assert_eq "$(instances a)" "" "instances of a"
assert_eq "$(instances b)" "$newb" "instances of b"

# ---- 2. the reserve used up: a failed write is tried again
for i in $(seq 10); do
        [ "$(reserve)" -gt 0 ] || break
        svctl restart b > /dev/null
        wait_state b running
        fill
done
assert_eq "$(reserve)" 0 "state.reserve's size once used up"
b=$(field b pid)
svctl stop b > /dev/null 2> "$T/stop.err" || fail "svctl stop b: exit $?"
grep -q "^svctl: warning: state.json could not be written (No space left on device): if svd is killed before a later write succeeds, the svd after it does not know of this stop$" "$T/stop.err" ||
        fail "svctl stop did not warn that the state was not written: $(cat "$T/stop.err")"
wait_state b stopped
wait_for grep -q "state.json: No space left on device" "$T/svd.out"
jq -e '.services[] | select(.name == "b") | .pid == '"$b" "$RUN/state.json" > /dev/null ||
        fail "state.json does not hold b's pid $b any more"
rm -f "$RUN"/filler.*
wait_for grep -q "state written again" "$T/svd.out"
assert_eq "$(count "cannot write")" 1 "lines saying a state write failed"
[ "$(reserve)" -ge 65536 ] || fail "state.reserve is $(reserve) bytes once there is room again"
crash_svd
start_svd
sleep 1
assert_eq "$(field b state)" stopped "b's state after the take-over"
assert_eq "$(field a state)" stopped "a's state after the take-over"
assert_eq "$(instances b)" "" "instances of b"
assert_eq "$(instances a)" "" "instances of a"

# ---- a clean stop removes the reserve with the state files
stop_svd || fail "svd exit status"
[ ! -e "$RUN/state.reserve" ] || fail "state.reserve left after a clean stop"
[ ! -e "$RUN/state.json" ] || fail "state.json left after a clean stop"
echo "state_full: ok"
