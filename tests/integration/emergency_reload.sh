#!/bin/bash
# Leaving PID 1's emergency state without a reboot (svd as PID 1 of a PID
# namespace, as in emergency.sh). Case 1: a boot with a service file that
# does not load. svctl reload while it is still broken is refused with the
# file:line:col and key, and status shows the new errors; a non-admin may
# not reload; once fixed, --dry-run says it loads and changes nothing, and
# SIGHUP starts svd again: same PID 1, every service up.
# Case 2: the configuration is edited between daemon-reexec's check and the
# exec (a wrapper binary does it), so the new instance cannot load it. Its
# services run on: status (on the control socket handed over) lists them,
# one that exits meanwhile has its exit kept, and svctl reload, once the file
# is fixed, takes the running one over with the same pid and acts on the
# other's exit (it is restarted: restart on-failure), instead of starting
# anything twice.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

: > "$T/console"
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
EOF
service ok <<EOF
command: [/bin/sleep, "100000"]
EOF
service broken <<EOF
comand: [/bin/sleep, "100000"]
EOF

# boot_pid1 BINARY: svd as PID 1 of a new PID and mount namespace
boot_pid1() {
        unshare --pid --fork --mount-proc /bin/sh -c "mount --bind $T/console /dev/console && exec $1 -c $T/etc/svd.yaml" \
                > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        ns_svd "$UNSHARE"
}
poweroff_pid1() {
        svctl poweroff > /dev/null || fail "svctl poweroff"
        wait "$UNSHARE" || true
        SVD_PID=
}

# --- case 1
boot_pid1 "$SVD"
wait_for grep -q 'EMERGENCY: the configuration does not load' "$T/svd.out"
svctl status > "$T/status.out" || fail "status: $(cat "$T/status.out")"
grep -q '^no services run; fix the cause, then: svctl reload (svd starts again), or svctl reboot$' "$T/status.out" ||
        fail "status: $(cat "$T/status.out")"

# still broken (another error now): refused, naming it; status follows
printf 'command: [/bin/sleep, "100000"]\nrestart: sometimes\n' > "$T/services/broken.yaml"
rc=0; svctl reload > "$T/reload.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "svctl reload of a configuration that still does not load"
grep -q "the configuration has 1 error; svd stays in its emergency state" "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
grep -q "broken.yaml:2:10: restart: " "$T/reload.out" || fail "reload: $(cat "$T/reload.out")"
svctl status > "$T/status.out"
grep -q '^EMERGENCY (for .*): the configuration does not load (1 error; first: .*broken.yaml:2:10: restart: ' "$T/status.out" ||
        fail "status after the reload: $(cat "$T/status.out")"

chmod 755 "$T/run"
rc=0; setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" reload > "$T/reload.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "reload by nobody"
grep -q "permission denied" "$T/reload.out" || fail "reload by nobody: $(cat "$T/reload.out")"

# fixed: a dry run changes nothing, SIGHUP starts svd again
printf 'command: [/bin/sleep, "100000"]\n' > "$T/services/broken.yaml"
out=$(svctl reload --dry-run) || fail "reload --dry-run: $out"
assert_eq "$out" "dry run: the configuration loads (2 services); svctl reload leaves the emergency state" "dry run"
sleep 0.3
svctl status | grep -q '^EMERGENCY' || fail "the dry run left the emergency state"
pid_before=$SVD_PID
kill -HUP "$SVD_PID"
wait_state ok running
wait_state broken running
assert_eq "$(pgrep -P "$UNSHARE" -x svd)" "$pid_before" "svd's pid after leaving the emergency"
grep -q 'SIGHUP: leaving the emergency state' "$T/svd.out" || fail "not logged"
grep -q "emergency: the configuration loads: executing " "$T/svd.out" || fail "exec not logged"
svctl status | grep -q EMERGENCY && fail "still in the emergency state"
poweroff_pid1

# --- case 2: svd runs from a copy, so that the file can be replaced
mkdir -p "$T/bin"
cp "$SVD" "$T/bin/svd.real"
cp "$SVD" "$T/bin/svd"
service short <<EOF
command: [/bin/sh, -c, "sleep 3; exit 7"]
restart: on-failure
EOF
boot_pid1 "$T/bin/svd"
wait_state ok running
wait_state short running
wait_state broken running
pid_ok=$(field ok pid)
pid_short=$(field short pid)
pid_before=$SVD_PID

# the binary daemon-reexec finds: passes both checks, then breaks the file
rm -f "$T/bin/svd"
cat > "$T/bin/svd" <<EOF
#!/bin/sh
case "\$1" in
--state-format|--check) exec "$T/bin/svd.real" "\$@" ;;
esac
printf 'comand: [/bin/true]\n' > "$T/services/broken.yaml"
exec "$T/bin/svd.real" "\$@"
EOF
chmod 755 "$T/bin/svd"
rc=0
svctl daemon-reexec > /dev/null 2> "$T/rx.err" || rc=$?
assert_eq "$rc" 1 "daemon-reexec's exit status (the new instance is in the emergency state)"
grep -q "new instance could not start and is in the emergency state" "$T/rx.err" || fail "$(cat "$T/rx.err")"
wait_for grep -q 'EMERGENCY: the configuration does not load' "$T/svd.out"
svctl status > "$T/status.out" || fail "status on the handed-over socket: $(cat "$T/status.out")"
grep -q "^  ok (pid $pid_ok)$" "$T/status.out" || fail "status: $(cat "$T/status.out")"
grep -q '^still running from before the daemon-reexec, unsupervised:$' "$T/status.out" || fail "status: $(cat "$T/status.out")"
grep -q 'emergency: 3 services of the previous instance run on, unsupervised' "$T/svd.out" || fail "not logged"

# short ends during the emergency: reaped, its exit kept
wait_for grep -q "emergency: short (pid $pid_short) ended (exited 7); svd acts on it once it runs again" "$T/svd.out"
svctl status --json | python3 -c '
import json, sys
e = json.load(sys.stdin)["emergency"]
names = sorted(c["name"] for c in e["carried"])
assert names == ["broken", "ok"], e
assert e["reload"] is True, e
' || fail "status --json: $(svctl status --json)"

printf 'command: [/bin/sleep, "100000"]\n' > "$T/services/broken.yaml"
out=$(svctl reload) || fail "reload: $out"
assert_eq "$out" "the configuration loads (3 services): svd leaves its emergency state and starts again, taking over the 2 services still running" "reload"
wait_for grep -q 'daemon-reexec: 3 services taken over' "$T/svd.out"
wait_for sh -c "! $SVCTL -s $SOCK status | grep -q EMERGENCY"
assert_eq "$(ps -o ppid= -p "$pid_before" | tr -d ' ')" "$UNSHARE" "svd's pid (the same PID 1)"
assert_eq "$(field ok pid)" "$pid_ok" "ok's pid (taken over, not started again)"
assert_eq "$(field ok state)" "running" "ok's state"
assert_eq "$(pgrep -c -f "^/bin/sleep 100000$" -P "$pid_before")" "2" "sleeps under PID 1 (nothing started twice)"
# short's exit 7 was acted on: restarted, a new pid
wait_field short restarts 1
[ "$(field short pid)" != "$pid_short" ] || fail "short not restarted"
grep -q "audit: .* op=reload result=ok" "$T/svd.out" || fail "the emergency's audit record is not in svd's log"
grep -q "audit: cannot write" "$T/svd.out" && fail "audit log written in the emergency state"
grep -q "emergency: the configuration loads: executing /proc/self/exe again, taking over 2 running services and 1 exit" "$T/svd.out" ||
        fail "exec not logged"
poweroff_pid1
echo "emergency_reload: ok"
