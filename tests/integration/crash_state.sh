#!/bin/bash
# What a kill -9 of svd (not PID 1) leaves in run_dir is trusted only as far
# as it can be:
# 1. state.json and state.journal written during another boot (run_dir on
#    persistent storage) are ignored, with a line naming the file: their
#    pids and start times may name processes of this boot, which are then
#    neither taken over nor killed. Files without a boot id (an older svd's)
#    are read as before.
# 2. A number out of range in state.json (a damaged file) makes svd ignore
#    the file (a top-level field) or that service's entry, naming the field,
#    instead of converting it (undefined behaviour).
# 3. A kill of svd in the middle of a spawn, while the child is still being
#    set up (svd is suspended until its exec), leaves no process that no
#    file names: the child wrote its pid to the journal before its setup,
#    and the next svd kills it instead of running the service twice.
. "$(dirname "$0")/lib.sh"

OTHER_BOOT=00000000-0000-4000-8000-000000000000
BOOT=$(cat /proc/sys/kernel/random/boot_id)
STALL_SO=$TOP_BUILDDIR/tests/helpers/stallchdir.so
[ -e "$STALL_SO" ] || fail "$STALL_SO not built (make check builds it)"
command -v jq > /dev/null || fail "jq is needed"

service a <<EOF2
restart: always
backoff: { initial: 300ms }
command: [bash, -c, 'exec -a "a-instance $T" sleep 100000']
EOF2
mkdir -p "$T/stall"
service w <<EOF2
restart: always
backoff: { initial: 300ms }
working_dir: $T/stall
command: [bash, -c, 'exec -a "w-instance $T" sleep 100000']
EOF2

instances() { pgrep -f -- "^$1-instance $T" || true; }
strays=
# stray PID: a process this test leaves behind on purpose, killed at the end
stray() { strays="$strays $1"; }
finish() {
        cleanup # (svd first: it would restart what is killed here)
        for p in $strays $(instances a) $(instances w) $(instances x); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT
svd_dead() { ! kill -0 "$SVD_PID" 2> /dev/null || grep -q '^State:.Z' "/proc/$SVD_PID/status"; }
jqi() { # jqi FILTER FILE: FILE edited in place
        jq -c "$1" "$2" > "$2.new" && mv "$2.new" "$2"
}
logged() { grep -qF -- "$1" "$T/svd.out"; }
alive() { kill -0 "$1" 2> /dev/null; }

start_svd
wait_state a running
wait_state w running
sleep 0.3 # (the state write after the change)
assert_eq "$(jq -r .boot_id "$T/run/state.json")" "$BOOT" "state.json's boot id"
grep -qx "boot $BOOT" "$T/run/state.journal" || fail "no boot line in state.journal: $(cat "$T/run/state.journal")"

# ---- 1. another boot's state.json: nothing taken over or stopped. What
# it names is a process of this boot that is not the service's (with
# cgroups, what is in the service's cgroup is killed at its start anyway).
cp "$T/run/state.json" "$T/state.copy" # (svd's own: the svd it names stops)
stop_svd || fail "svd exit status"
exec -a "x-instance $T" sleep 100000 &
x=$!
stray "$x"
xstart=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$x/stat")
jq -c --argjson p "$x" --argjson s "$xstart" --arg b "$OTHER_BOOT" \
        '.boot_id = $b | (.services[] | select(.name == "a") | .pid, .pgid) = $p |
         (.services[] | select(.name == "a") | .pid_start) = $s' "$T/state.copy" > "$T/run/state.json"
start_svd
wait_state a running
logged "state.json is from another boot" || fail "the other boot's state.json was not reported"
[ "$(field a pid)" != "$x" ] || fail "pid $x of another boot's state was taken over"
alive "$x" || fail "pid $x named by another boot's state was killed"

# ---- 1b. another boot's journal at a fresh start (no state file)
stop_svd || fail "svd exit status"
printf 'svd-state-journal 1 0\nboot %s\nS %d %s a\n' "$OTHER_BOOT" "$x" "$xstart" > "$T/run/state.journal"
start_svd
wait_state a running
logged "state.journal is from another boot" || fail "the other boot's state.journal was not reported"
alive "$x" || fail "pid $x named by another boot's journal was killed"
# the same journal without a boot line (an older svd's): read as before
stop_svd || fail "svd exit status"
printf 'svd-state-journal 1 0\nS %d %s a\n' "$x" "$xstart" > "$T/run/state.journal"
start_svd
wait_state a running
wait_for sh -c "! kill -0 $x 2>/dev/null || grep -q '^State:.Z' /proc/$x/status"
wait "$x" 2> /dev/null || true

# ---- 1c. files without a boot id (an older svd's): taken over as before
wait_state w running
sleep 0.3
old=$(field a pid)
crash_svd
jqi 'del(.boot_id)' "$T/run/state.json"
sed -i '/^boot /d' "$T/run/state.journal"
start_svd
logged "svd was not stopped cleanly" || fail "no take-over of an older svd's state.json"
assert_eq "$(field a pid)" "$old" "the pid taken over from an older svd's state"
assert_eq "$(instances a)" "$old" "instances of a"

# ---- 2. numbers out of range
wait_state w running
sleep 0.3
old=$(field a pid)
crash_svd
jqi '(.services[] | select(.name == "a") | .spawned_mono) = 1e300' "$T/run/state.json"
start_svd
logged "a: spawned_mono out of range" || fail "the bad field of a's entry was not named"
wait_state a running
[ "$(field a pid)" != "$old" ] || fail "pid $old taken over from a damaged entry"
kill -9 "$old" 2> /dev/null || true # (the stray is the test's; with cgroups, a's start killed it)
wait_state w running
sleep 0.3
crash_svd
for p in $(instances w) $(instances a); do stray "$p"; done
jqi '.svd_start = 1e300' "$T/run/state.json"
start_svd
logged "svd_start out of range" || fail "the bad svd_start was not named"
[ -e "$T/run/state.json.unreadable" ] || fail "the damaged state.json was not kept aside"
stop_svd || fail "svd exit status"
for p in $strays; do kill -9 "$p" 2> /dev/null || true; done
for p in $(instances a) $(instances w); do kill -9 "$p" 2> /dev/null || true; done

# ---- 3. svd killed while a spawn's child is being set up
STALL_DIR=$T/stall LD_PRELOAD=$STALL_SO ASAN_OPTIONS=verify_asan_link_order=0:${ASAN_OPTIONS:-} start_svd
wait_state w running
sleep 0.3
touch "$T/stall/arm"
kill -9 "$(field w pid)" # restarted after 300 ms: that spawn stalls
wait_for test -e "$T/stall/stalled"
crash_svd
start_svd
wait_state w running
sleep 4 # the stalled child would exec by now
run=$(instances w)
assert_eq "$(echo $run | wc -w)" 1 "instances of w after a kill during its spawn (pids: $(echo $run))"
assert_eq "$(field w pid)" "$run" "the pid svd tracks for w"

stop_svd || fail "svd exit status"
[ -z "$(instances a)$(instances w)" ] || fail "processes left after a clean stop"
echo "crash_state: ok"
