#!/bin/bash
# A reload whose profile selection no longer has a running service stops
# it, and it stays stopped with the reason; svd's log says so. Before, the
# log said "restarting" for a service that could not start again. A
# dependent without depends_on.X.restart keeps running, as when the
# dependency is stopped by hand.
. "$(dirname "$0")/lib.sh"

echo "profiles: [app]" >> "$T/etc/svd.yaml"
service base <<EOF2
command: [sleep, "100000"]
EOF2
service web <<EOF2
profiles: [app]
command: [sleep, "100001"]
EOF2
service front <<EOF2
command: [sleep, "100002"]
depends_on: [web]
EOF2
start_svd
wait_state web running
wait_state front running
front1=$(field front pid)

sed -i 's/^profiles: \[app\]$/profiles: [minimal]/' "$T/etc/svd.yaml"
svctl reload --dry-run > "$T/out/p" || fail "dry run: $(cat "$T/out/p")"
grep -qx "change  web (profile selection)" "$T/out/p" || fail "plan: $(cat "$T/out/p")"
svctl reload > /dev/null || fail "reload"
wait_for grep -q "reload: done: 0 added, 0 removed, 1 changed, 2 unchanged" "$T/svd.out"
grep -q "web: definition changed (profile selection): not started again (not in the selected profiles now)" \
        "$T/svd.out" || fail "the log does not say web stays stopped"
grep -q "web: definition changed (profile selection): restarting" "$T/svd.out" && fail "said restarting"
wait_state web stopped
case "$(field web reason)" in "disabled: not in profile"*) ;; *) fail "web's reason: $(field web reason)" ;; esac
assert_eq "$(field front pid)" "$front1" "front's pid"

# selected again: it starts
sed -i 's/^profiles: \[minimal\]$/profiles: [app]/' "$T/etc/svd.yaml"
svctl reload > /dev/null || fail "reload 2"
wait_state web running
stop_svd || fail "svd exit status"
echo "reload_profile_deselect: ok"
