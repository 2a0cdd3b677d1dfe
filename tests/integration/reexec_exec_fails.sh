#!/bin/bash
# A daemon-reexec whose execve fails after the new binary passed its checks
# (here: the file lost its execute bits in between, as a half-done package
# upgrade could leave it) leaves svd running in the old image, as it was:
# the failure is logged and svctl daemon-reexec exits 1 with it, the services keep their processes and are still
# supervised (a killed one is restarted), changes still reach state.json,
# its signals are still handled (the exec blocked them, then restored the
# mask), and a later daemon-reexec, with the binary fixed, goes through.
. "$(dirname "$0")/lib.sh"
command -v jq > /dev/null || fail "jq is needed"
svd_copy

service a <<EOF2
restart: always
command: [sleep, "100000"]
EOF2
service b <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state a running
wait_state b running
pa=$(field a pid)
pb=$(field b pid)
svd_pid=$SVD_PID

# the binary svd executes: a script that runs the real one for the checks,
# and takes its own execute bits away during the last one
cp "$T/bin/svd" "$T/bin/svd.real"
cat > "$T/bin/svd.new" <<EOF2
#!/bin/bash
[ "\$1" != --check ] || chmod a-x "$T/bin/svd"
exec "$T/bin/svd.real" "\$@"
EOF2
chmod +x "$T/bin/svd.new"
mv "$T/bin/svd.new" "$T/bin/svd" # (renamed over the running file, as dpkg does)
rc=0
svctl daemon-reexec > /dev/null 2> "$T/rx.err" || rc=$?
assert_eq "$rc" 1 "daemon-reexec's exit status (the exec failed)"
grep -q "daemon-reexec failed: executing $T/bin/svd failed: Permission denied" "$T/rx.err" || fail "$(cat "$T/rx.err")"
wait_for grep -q "daemon-reexec: executing $T/bin/svd failed: Permission denied; carrying on as before" "$T/svd.out"
sleep 0.2
kill -0 "$svd_pid" || fail "svd is gone"
grep -q "restore-fd" "/proc/$svd_pid/cmdline" && fail "svd runs a new image"
svctl status > /dev/null || fail "svctl status after the failed exec"
assert_eq "$(field a pid)" "$pa" "a's pid"
assert_eq "$(field b pid)" "$pb" "b's pid"

# still supervised, and its state still written
kill "$pa"
wait_for sh -c "[ \"\$($SVCTL -s $SOCK status --json | jq -r '.services[] | select(.name == \"a\") | .restarts')\" = 1 ]"
wait_state a running
pa=$(field a pid)
[ "$pa" != "" ] || fail "a has no pid"
wait_for sh -c "[ \"\$(jq -r '.services[] | select(.name == \"a\") | .pid' '$T/run/state.json')\" = '$pa' ]"

# a later re-exec, to a binary that can be executed, goes through
cp "$T/bin/svd.real" "$T/bin/svd.fixed"
mv "$T/bin/svd.fixed" "$T/bin/svd"
svctl daemon-reexec > /dev/null || fail "second daemon-reexec refused"
wait_for grep -q "restore-fd" "/proc/$svd_pid/cmdline"
wait_for svctl status
assert_eq "$(field a pid)" "$pa" "a's pid after the second re-exec"
assert_eq "$(field b pid)" "$pb" "b's pid after the second re-exec"
assert_eq "$SVD_PID" "$svd_pid" "svd's pid"

# SIGTERM: a clean stop
stop_svd || fail "svd exit status"
kill -0 "$pa" 2> /dev/null && fail "a's process survived svd's stop"
echo "reexec_exec_fails: ok"
