#!/bin/bash
# A service taken over at daemon-reexec while running an older definition
# (its file changed on disk) that a reload then replaces without starting
# it again (enabled: false now) holds its new definition: the next reload
# sees nothing to change. Before, the "older definition" mark outlived the
# reload that applied the new one, and every later reload listed it as
# changed ("running an older definition") though it no longer ran at all.
. "$(dirname "$0")/lib.sh"

service app <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state app running
printf 'command: [sleep, "100002"]\n' > "$T/services/app.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "app: its definition changed on disk" "$T/svd.out"
wait_for svctl status
printf 'command: [sleep, "100002"]\nenabled: false\n' > "$T/services/app.yaml"
svctl reload > "$T/out/p1" || fail "reload: $(cat "$T/out/p1")"
grep -qx "change  app (service file)" "$T/out/p1" || fail "plan: $(cat "$T/out/p1")"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state app stopped
svctl reload --dry-run > "$T/out/p2" || fail "dry run: $(cat "$T/out/p2")"
assert_eq "$(cat "$T/out/p2")" "dry run: 0 to add, 0 to remove, 0 changed, 1 unchanged" "plan after the reload"
stop_svd || fail "svd exit status"
echo "reload_stale_disabled: ok"
