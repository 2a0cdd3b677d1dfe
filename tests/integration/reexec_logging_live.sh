#!/bin/bash
# A service file changed only in its logging: section before a
# daemon-reexec: the new instance applies the new logging settings to the
# running service at once (it takes the log pipes over with them), so it
# does not mark the service as running an older definition, and the next
# reload keeps it (same pid). Before, it warned "its definition changed on
# disk" and the reload restarted it. A change elsewhere in a file is still
# caught.
. "$(dirname "$0")/lib.sh"

service web <<EOF2
command: [sh, -c, 'while :; do sleep 0.2; echo tick; done']
logging: { timestamps: true }
EOF2
service api <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state web running
wait_state api running
web1=$(field web pid)
sed -i 's/timestamps: true/timestamps: false/' "$T/services/web.yaml"
printf 'command: [sleep, "100001"]\n' > "$T/services/api.yaml"
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for grep -q "daemon-reexec: .* services taken over" "$T/svd.out"
wait_for svctl status > /dev/null
wait_for grep -qx "tick" "$T/log/web.log"
grep -q "web: its definition changed on disk" "$T/svd.out" && fail "web marked as running an older definition"
grep -q "api: its definition changed on disk" "$T/svd.out" || fail "api's change not seen"
svctl reload --dry-run > "$T/out/p" || fail "dry run: $(cat "$T/out/p")"
grep -qx "change  api (running an older definition, taken over by svd)" "$T/out/p" || fail "plan: $(cat "$T/out/p")"
grep -q "change  web" "$T/out/p" && fail "web changed: $(cat "$T/out/p")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 0 removed, 1 changed, 1 unchanged" "$T/svd.out"
assert_eq "$(field web pid)" "$web1" "web's pid"
stop_svd || fail "svd exit status"
echo "reexec_logging_live: ok"
