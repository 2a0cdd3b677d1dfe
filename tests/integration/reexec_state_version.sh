#!/bin/bash
# The state a daemon-reexec hands over is read only when its format version
# is exactly this svd's. The new instance compared cJSON's integer view of
# "version", so a state of version 1.5 (not one any svd writes) was taken
# for version 1 and read, while the state file after a crash (statefile.c)
# compares the exact value and refuses it. Now both refuse it: the log says
# so and the services are taken over from the state file, as for any
# unreadable re-exec state.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"

service app <<EOF
command: [bash, -c, 'exec -a "app-instance $T" sleep 100000']
EOF
finish() {
        cleanup
        for p in $(pgrep -f -- "^app-instance $T" || true); do kill -9 "$p" 2> /dev/null || true; done
}
trap finish EXIT

start_svd
wait_state app running
old=$(field app pid)
# (the state file names app's process before svd is killed)
wait_for sh -c "jq -e '.services[] | select(.name == \"app\") | .pid == $old' '$T/run/state.json' > /dev/null"
crash_svd

# as if a daemon-reexec handed over a state of version 1.5 naming nothing
echo '{"format": "svd-state", "version": 1.5, "services": []}' > "$T/state15"
"$SVD" -c "$T/etc/svd.yaml" --restore-fd=9 9< "$T/state15" > "$T/svd.out" 2>&1 &
SVD_PID=$!
wait_for sh -c "$SVCTL -s $SOCK version > /dev/null 2>&1"
grep -q "daemon-reexec: the previous instance's state is unreadable or of another format" "$T/svd.out" ||
        fail "a state of version 1.5 was read as version 1"
grep -q "daemon-reexec: falling back to .*state.json" "$T/svd.out" || fail "no fallback to the state file"
wait_state app running
assert_eq "$(field app pid)" "$old" "app's pid (taken over from the state file)"
assert_eq "$(pgrep -f -- "^app-instance $T" | wc -l)" 1 "app's processes"
stop_svd || fail "svd exit status"
