#!/bin/bash
# A main process svd took over after a crash is not svd's child: its end
# is seen through a pidfd. One that ends while svd executes itself again
# (daemon-reexec), before the new image watches it, sends no SIGCHLD to svd
# and leaves no zombie: the new image found it gone, logged "its exit is
# reaped next", and nothing ever reaped it. The service stayed "running"
# with a pid that no longer existed, for ever (no restart). Now its end is
# taken as an exit of unknown status, as after a kill of svd, and the
# restart policy applies.
. "$(dirname "$0")/lib.sh"

svd_copy
cp "$T/bin/svd" "$T/bin/svd.real"
# the image a daemon-reexec executes waits for the test's go (the window)
cat > "$T/svd.wrapper" << EOF2
#!/bin/bash
case " \$* " in
*" --restore-fd="*)
        touch "$T/out/exec"
        while [ ! -e "$T/out/go" ]; do sleep 0.05; done ;;
esac
exec "$T/bin/svd.real" "\$@"
EOF2
chmod 755 "$T/svd.wrapper"

service app << EOF2
command: [sleep, "100000"]
restart: always
EOF2

start_svd
wait_state app running
old=$(field app pid)
crash_restart_svd
wait_state app running
assert_eq "$(field app pid)" "$old" "app's pid taken over after the crash"
mv "$T/svd.wrapper" "$T/bin/svd" # (what svd executes: the file it was started as)

svctl daemon-reexec > "$T/out/reexec" 2>&1 &
reexec=$!
wait_for test -e "$T/out/exec"
kill -9 "$old"
gone() { ! kill -0 "$old" 2> /dev/null; } # (reaped by whoever adopted it, not svd)
wait_for gone
touch "$T/out/go"
wait "$reexec" || fail "daemon-reexec: $(cat "$T/out/reexec")"

# started again, with a process of its own
new_pid() { p=$(field app pid) && [ -n "$p" ] && [ "$p" != "$old" ] && kill -0 "$p"; }
wait_for new_pid
wait_state app running
grep -qF "app: pid $old ended during the daemon-reexec; its exit status is unknown" "$T/svd.out" ||
        fail "the end of app's pid $old was not logged"
stop_svd || fail "svd exit status $?"
echo "reexec_adopted_gone: ok"
