#!/bin/bash
# An invisible character pasted into the program or a path of a service
# (a byte-order mark after the program name, a zero-width space in
# working_dir) is refused at reload, naming file:line:col, the key and the
# character; the running services go on untouched, and the corrected files
# then reload. Before, such a file loaded and the service failed at exec
# or at chdir.
. "$(dirname "$0")/lib.sh"

service app <<EOF2
command: [sleep, "100000"]
EOF2
start_svd
wait_state app running
app1=$(field app pid)

# the escape in the first, the raw bytes (U+200B) as a paste leaves them in
# the second
service app <<EOF2
command: ["sleep\uFEFF", "100001"]
EOF2
printf 'command: [sleep, "100002"]\nworking_dir: "/tmp\xe2\x80\x8b"\n' > "$T/services/newbie.yaml"
if svctl reload > "$T/out/r1" 2>&1; then fail "reload with invisible characters succeeded: $(cat "$T/out/r1")"; fi
grep -qF "app.yaml:1:11: command[0]: invisible character \\uFEFF in program name at byte 6 ('sleep\\uFEFF')" \
        "$T/out/r1" || fail "command[0] not named: $(cat "$T/out/r1")"
grep -qF "newbie.yaml:2:14: working_dir: invisible character \\u200B in path at byte 5 ('/tmp\\u200B')" \
        "$T/out/r1" || fail "working_dir not named: $(cat "$T/out/r1")"
grep -q "nothing was changed" "$T/out/r1" || fail "reply does not say nothing changed: $(cat "$T/out/r1")"
assert_eq "$(field app state)" "running" "app's state after the refused reload"
assert_eq "$(field app pid)" "$app1" "app's pid after the refused reload"
[ -z "$(field newbie state)" ] || fail "newbie appeared after a refused reload"

# corrected: both apply
service app <<EOF2
command: [sleep, "100001"]
EOF2
printf 'command: [sleep, "100002"]\nworking_dir: "/tmp"\n' > "$T/services/newbie.yaml"
svctl reload > "$T/out/r2" 2>&1 || fail "corrected reload refused: $(cat "$T/out/r2")"
wait_state newbie running 30
app_restarted() { local p; p=$(field app pid); [ -n "$p" ] && [ "$p" != "$app1" ]; }
wait_for app_restarted
wait_state app running 30
stop_svd || fail "svd exit status"
echo "config_invisible_reload: ok"
