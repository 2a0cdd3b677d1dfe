#!/bin/bash
# A service taken over at daemon-reexec (or after a crash of svd) whose
# file changed since its process started runs an older definition than the
# one svd now holds: the next svctl reload restarts it with the new one.
# Before, svd warned that the change "applies at the next restart", and a
# reload compared the file with itself, said "0 changed" and kept the old
# process for good. The mark survives a second re-exec and goes once the
# service runs its new definition.
. "$(dirname "$0")/lib.sh"

service app <<EOF2
command: [sleep, "100000"]
EOF2
service other <<EOF2
command: [sleep, "100001"]
EOF2
start_svd
wait_state app running
app1=$(field app pid) other1=$(field other pid)

printf 'command: [sleep, "100002"]\n' > "$T/services/app.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "app: its definition changed on disk" "$T/svd.out"
wait_for svctl status
svctl daemon-reexec > /dev/null || fail "second daemon-reexec"
wait_for sh -c "[ \$(grep -c 'daemon-reexec: .* services taken over' '$T/svd.out') = 2 ]"
wait_for svctl status
assert_eq "$(field app pid)" "$app1" "app's pid after the re-execs"

svctl reload --dry-run > "$T/out/plan" || fail "dry run: $(cat "$T/out/plan")"
grep -qx "change  app (running an older definition, taken over by svd)" "$T/out/plan" ||
        fail "app not changed in the plan: $(cat "$T/out/plan")"
grep -q "0 to add, 0 to remove, 1 changed, 1 unchanged" "$T/out/plan" || fail "plan: $(cat "$T/out/plan")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state app running
app2=$(field app pid)
[ "$app2" != "$app1" ] || fail "app not restarted"
tr '\0' ' ' < "/proc/$app2/cmdline" | grep -q "sleep 100002" || fail "app runs its old command"
assert_eq "$(field other pid)" "$other1" "other's pid"
# it runs its definition now: nothing more to do
svctl reload --dry-run > "$T/out/plan2" || fail "dry run: $(cat "$T/out/plan2")"
grep -q "0 to add, 0 to remove, 0 changed, 2 unchanged" "$T/out/plan2" || fail "plan: $(cat "$T/out/plan2")"
stop_svd || fail "svd exit status"
echo "reload_stale: ok"
