#!/bin/bash
# svctl daemon-reexec when the binary to execute closes its output and then
# does not exit (a wrapper script gone wrong, a destructor that hangs): svd
# waited for it without a bound once its output was closed, and as PID 1
# nothing else ran meanwhile (no reaping, no control request, no shutdown).
# Now the 5 s bound of the --state-format check covers the wait for its
# end too: the helper is killed, the re-exec refused, svd answers again.
. "$(dirname "$0")/lib.sh"

svd_copy

service app <<EOF
command: [sleep, "100000"]
EOF
start_svd
wait_state app running
pid_app=$(field app pid)

# the "upgraded" binary: closes stdout and stderr, then sleeps
rm -f "$T/bin/svd"
cat > "$T/bin/svd" <<EOF
#!/bin/bash
echo \$\$ > "$T/out/hung.pid"
exec >&- 2>&-
exec sleep 60
EOF
chmod 755 "$T/bin/svd"

start=$(date +%s)
if out=$(timeout $((20 * SCALE)) "$SVCTL" daemon-reexec 2>&1); then
        fail "daemon-reexec accepted a binary that answers nothing: $out"
fi
took=$(($(date +%s) - start))
echo "$out" | grep -q "reads state format '(none)'" || fail "reply (after ${took}s): $out"
hung=$(cat "$T/out/hung.pid")
wait_for sh -c "! kill -0 $hung 2>/dev/null"
svctl status > /dev/null || fail "svd does not answer"
assert_eq "$(field app pid)" "$pid_app" "app's pid"
grep -q "restore-fd" "/proc/$SVD_PID/cmdline" && fail "svd was executed again"
echo "reexec_hang: ok (refused after ${took}s)"
