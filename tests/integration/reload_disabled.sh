#!/bin/bash
# A changed service with enabled: false that was running (svctl start, or
# pulled in by a dependent) starts again with its new definition, as any
# changed service that ran does. Before, the reload logged "restarting",
# stopped it and left it stopped: enabled: false (not started at boot)
# was taken for "not wanted", and a dependent kept running without it.
# One that was not running stays stopped, and a new one is not started;
# one the change disables (enabled: true to false) stops and stays stopped
# (reload_enable.sh).
. "$(dirname "$0")/lib.sh"

service od <<EOF2
command: [sleep, "100000"]
enabled: false
EOF2
service db <<EOF2
command: [sleep, "100001"]
enabled: false
EOF2
service api <<EOF2
command: [sleep, "100002"]
depends_on: [db]
EOF2
service idle <<EOF2
command: [sleep, "100003"]
enabled: false
EOF2
start_svd
wait_state api running
wait_state db running
svctl start od > /dev/null
wait_state od running
od1=$(field od pid) db1=$(field db pid) api1=$(field api pid)
assert_eq "$(field idle state)" stopped "idle (disabled, not started)"

printf 'command: [sleep, "100010"]\nenabled: false\n' > "$T/services/od.yaml"
printf 'command: [sleep, "100011"]\nenabled: false\n' > "$T/services/db.yaml"
printf 'command: [sleep, "100013"]\nenabled: false\n' > "$T/services/idle.yaml"
printf 'command: [sleep, "100014"]\nenabled: false\n' > "$T/services/new.yaml"
svctl reload > "$T/out/r" || fail "reload: $(cat "$T/out/r")"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state od running
wait_state db running
[ "$(field od pid)" != "$od1" ] || fail "od not restarted"
[ "$(field db pid)" != "$db1" ] || fail "db not restarted"
tr '\0' ' ' < "/proc/$(field od pid)/cmdline" | grep -q "sleep 100010" || fail "od runs its old command"
assert_eq "$(field api pid)" "$api1" "api's pid (kept)"
assert_eq "$(field idle state)" stopped "idle after the reload"
assert_eq "$(field new state)" stopped "new (disabled) after the reload"
stop_svd || fail "svd exit status"
echo "reload_disabled: ok"
