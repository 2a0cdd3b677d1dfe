#!/bin/bash
# svctl daemon-reexec when the binary to execute does not load the
# configuration on disk (a newer svd stricter than the running one, or a
# file edited since the last reload): refused with that binary's first
# error (file:line:col, key), nothing changed: the same svd keeps running
# and supervising with the same PIDs. It used to execute anyway, and the new
# instance, unable to load its configuration, exited (as PID 1: the
# emergency state), leaving every service unsupervised. Once the file is
# fixed, the re-exec goes through.
. "$(dirname "$0")/lib.sh"

service app <<EOF
command: [sleep, "100000"]
EOF
service other <<EOF
command: [sleep, "100000"]
EOF
start_svd
wait_state app running
wait_state other running
pid_app=$(field app pid)
pid_svd=$SVD_PID
cp "$T/services/other.yaml" "$T/other.yaml.good"

# a value the binary refuses (backoff.factor is 1.0 to 100)
printf 'command: [sleep, "100000"]\nbackoff: { factor: 1000 }\n' > "$T/services/other.yaml"
if out=$(svctl daemon-reexec 2>&1); then
        fail "daemon-reexec accepted a configuration the binary refuses: $out"
fi
echo "$out" | grep -q "does not load .*other.yaml:2:[0-9]*: backoff.factor" || fail "reply: $out"
echo "$out" | grep -q "nothing was changed" || fail "reply: $out"
grep -q "daemon-reexec refused: .*other.yaml:2:[0-9]*: backoff.factor" "$T/svd.out" || fail "not logged"
sleep 0.5
kill -0 "$pid_svd" || fail "svd is gone"
assert_eq "$(field app pid)" "$pid_app" "app's pid"
assert_eq "$(field app state)" "running" "app's state"
svctl status > /dev/null || fail "svd does not answer"
grep -q "restore-fd" "/proc/$pid_svd/cmdline" && fail "svd was executed again"

# fixed: the re-exec goes through, the service keeps its pid
cp "$T/other.yaml.good" "$T/services/other.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec with a good configuration"
wait_for grep -q "restore-fd" "/proc/$pid_svd/cmdline"
wait_for svctl status
assert_eq "$(field app pid)" "$pid_app" "app's pid after the re-exec"
echo "reexec_badconfig: ok"
