#!/bin/bash
# PID 1's emergency state, without a VM: svd as PID 1 of a PID namespace
# (unshare --pid --fork --mount-proc) that cannot run its services must not
# exit (a real PID 1 exiting panics the kernel). Case 1: a service file with
# a typo at boot. svd keeps its control socket: `svctl status` names the
# emergency and every configuration error, other operations are refused with
# the cause, the main file's emergency_shell runs on the console (a file
# bind-mounted over /dev/console in the namespace) and is started again when
# it ends, orphans are reaped, a non-admin cannot power off, root can.
# Case 2: the manager fails to initialise (log_dir on a read-only file
# system, as on an appliance whose root is read-only): status names that
# cause, svctl reboot works.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

# The shell: records each start, leaves an orphan (a double fork whose
# middle process exits at once) and ends after a while, the first time.
cat > "$T/shell" <<EOF
#!/bin/sh
echo "started \$\$" >> $T/out/shell.starts
(sleep 0.3 &)
[ "\$(wc -l < $T/out/shell.starts)" -gt 1 ] || { sleep 1; exit 3; }
exec sleep 1000
EOF
chmod 755 "$T/shell"
: > "$T/console"
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
emergency_shell: $T/shell
EOF
service ok <<EOF
command: [/bin/sleep, "1000"]
EOF
service broken <<EOF
comand: [/bin/true]
EOF

# boot_pid1 [SETUP]: svd as PID 1 of a new PID and mount namespace; SETUP runs
# first (as that PID 1, which then execs svd)
boot_pid1() {
        unshare --pid --fork --mount-proc /bin/sh -c "mount --bind $T/console /dev/console && ${1:-:} && exec $SVD -c $T/etc/svd.yaml" \
                > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        ns_svd "$UNSHARE"
}

boot_pid1
wait_for grep -q 'EMERGENCY: the configuration does not load' "$T/svd.out"
svctl status > "$T/status.out" || fail "svctl status in the emergency state: $(cat "$T/status.out")"
grep -q '^EMERGENCY (for .*): the configuration does not load (2 errors; first: .*broken.yaml:1:1: comand: ' "$T/status.out" ||
        fail "status: $(cat "$T/status.out")"
grep -q "^emergency shell: $T/shell (pid [0-9]*) on the console" "$T/status.out" || fail "status shell: $(cat "$T/status.out")"
python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["emergency"]
assert d["services"] == [], d
assert e["reason"].startswith("the configuration does not load"), e
assert len(e["details"]) == 2 and "comand" in e["details"][0], e
assert e["shell"].endswith("/shell") and e["shell_pid"] > 0, e
' < <(svctl status --json) || fail "status --json: $(svctl status --json)"

# the shell ended after a second and was started again; its orphans
# (reparented to PID 1, that is svd) were reaped
wait_for sh -c "[ \$(wc -l < $T/out/shell.starts) -ge 2 ]"
grep -q 'emergency: shell .* ended (exited 3); starting it again' "$T/svd.out" || fail "no shell restart logged"
sleep 0.6
assert_eq "$(ps -o stat= --ppid "$SVD_PID" | grep -c Z || true)" "0" "zombies under PID 1"
assert_eq "$(ps -o comm= --ppid "$SVD_PID" | grep -c '^shell$\|^sleep$' || true)" "1" "the shell's process under PID 1"

# everything else is refused with the cause; version still answers
rc=0; svctl start ok > "$T/start.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "svctl start in the emergency state"
grep -q 'emergency mode (the configuration does not load' "$T/start.out" || fail "start: $(cat "$T/start.out")"
svctl version > /dev/null || fail "svctl version"

# poweroff: refused for nobody, done for root (reboot(2) ends the namespace)
chmod 755 "$T/run"
rc=0; setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" poweroff 2>/dev/null || rc=$?
assert_eq "$rc" "1" "poweroff by nobody"
svctl poweroff > /dev/null || fail "svctl poweroff"
rc=0; wait "$UNSHARE" || rc=$?
SVD_PID=
grep -q 'emergency: poweroff from uid 0 pid [0-9]*: poweroff' "$T/svd.out" || fail "poweroff not logged"
grep -q 'init: poweroff' "$T/svd.out" || fail "no init: poweroff"
grep -q 'leaving the file systems to the host' "$T/svd.out" || fail "file systems touched in a PID namespace"

# case 2: the configuration is fine, the manager cannot start
rm -f "$T/services/broken.yaml" "$T/out/shell.starts"
sed -i "s|^log_dir: .*|log_dir: $T/ro/log|" "$T/etc/svd.yaml"
mkdir -p "$T/ro"
boot_pid1 "mount -t tmpfs -o ro tmpfs $T/ro"
wait_for grep -q 'EMERGENCY: startup failed' "$T/svd.out"
svctl status > "$T/status.out" || fail "svctl status (case 2)"
grep -q "^EMERGENCY (for .*): startup failed: cannot create $T/ro/log: Read-only file system" "$T/status.out" ||
        fail "status (case 2): $(cat "$T/status.out")"
svctl reboot > /dev/null || fail "svctl reboot"
rc=0; wait "$UNSHARE" || rc=$?
SVD_PID=
grep -q 'init: reboot' "$T/svd.out" || fail "no init: reboot"
echo "emergency: ok"
