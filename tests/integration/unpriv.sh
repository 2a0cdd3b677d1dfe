#!/bin/bash
# An unprivileged client may read status but not change state; the refusal is
# logged by svd with the peer's uid.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv missing"; exit 77; }

service web <<EOF
command: [sleep, "1000"]
EOF
start_svd
wait_state web running
chmod 755 "$T/run"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" "$@"; }
as_nobody status > "$T/ro.out" || fail "nobody cannot read status"
grep -q '^web  *running' "$T/ro.out" || fail "status as nobody: $(cat "$T/ro.out")"
rc=0; as_nobody stop web 2> "$T/err" || rc=$?
assert_eq "$rc" "1" "refused exit code"
grep -q 'permission denied' "$T/err" || fail "refusal message: $(cat "$T/err")"
assert_eq "$(field web state)" "running" "still running"
grep -q "refused stop web from uid $(id -u nobody)" "$T/svd.out" || fail "refusal not logged"
stop_svd || fail "svd exit status"

# A member of admin_group may change state (checked from the peer's groups).
getent group svd-test-adm >/dev/null || groupadd --system svd-test-adm
echo "admin_group: svd-test-adm" >> "$T/etc/svd.yaml"
start_svd
wait_state web running
chmod 755 "$T/run"
gid=$(getent group svd-test-adm | cut -d: -f3)
setpriv --reuid=nobody --regid=nogroup --groups="$gid" "$SVCTL" -s "$SOCK" stop web > /dev/null || fail "admin group member refused"
wait_state web stopped
rc=0; as_nobody start web 2>/dev/null || rc=$?
assert_eq "$rc" "1" "non-member still refused"
assert_eq "$(field web state)" "stopped" "non-member did not start it"
stop_svd || fail "svd exit status"

# ... also among more groups than fit a 4 KiB line of /proc/PID/status: the
# kernel's record of the connecting process (SO_PEERGROUPS) is what counts.
# setgroups() sorts the list, so the admin gid (numeric here) comes last.
sed -i 's/^admin_group: .*/admin_group: 250000/' "$T/etc/svd.yaml"
start_svd
wait_state web running
chmod 755 "$T/run"
many=$(seq -s, 200000 201199)
setpriv --reuid=nobody --regid=nogroup --groups="$many,250000" "$SVCTL" -s "$SOCK" stop web > /dev/null ||
        fail "admin group member with 1201 groups refused"
wait_state web stopped
setpriv --reuid=nobody --regid=nogroup --groups="$many" "$SVCTL" -s "$SOCK" start web 2>/dev/null &&
        fail "non-member with 1200 groups allowed"
assert_eq "$(field web state)" "stopped" "non-member with many groups did not start it"
stop_svd || fail "svd exit status"
echo "unpriv: ok"
