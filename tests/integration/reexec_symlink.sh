#!/bin/bash
# daemon-reexec checks the main file the new instance will read: the name
# svd was started with. When that is a symbolic link switched to another
# file since, the check used the file it named at svd's start (its
# canonical name) and passed, while the new instance read the new file,
# could not load it and exited, leaving every service unsupervised. Now the
# re-exec is refused with that file's error, nothing changed.
. "$(dirname "$0")/lib.sh"

mv "$T/etc/svd.yaml" "$T/etc/svd-v1.yaml"
ln -s svd-v1.yaml "$T/etc/svd.yaml"
cp "$T/etc/svd-v1.yaml" "$T/etc/svd-v2.yaml"
echo "bogus_key: 1" >> "$T/etc/svd-v2.yaml"
service app <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state app running
pid_app=$(field app pid)
pid_svd=$SVD_PID

ln -sfn svd-v2.yaml "$T/etc/svd.yaml"
if out=$(svctl daemon-reexec 2>&1); then
        fail "daemon-reexec accepted a main file that does not load: $out"
fi
echo "$out" | grep -q "svd.yaml:[0-9]*:[0-9]*: bogus_key" || fail "reply does not name the error: $out"
sleep 0.5
kill -0 "$pid_svd" || fail "svd is gone"
grep -q "restore-fd" "/proc/$pid_svd/cmdline" && fail "svd was executed again"
assert_eq "$(field app pid)" "$pid_app" "app's pid"

# back to a file that loads: the re-exec goes through
ln -sfn svd-v1.yaml "$T/etc/svd.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec with a good configuration"
wait_for grep -q "restore-fd" "/proc/$pid_svd/cmdline"
wait_for svctl status
assert_eq "$(field app pid)" "$pid_app" "app's pid after the re-exec"
echo "reexec_symlink: ok"
