#!/bin/bash
# Leaving PID 1's emergency state stops the emergency shell (svd as PID 1 of
# a PID namespace, as in emergency.sh). The shell ignores SIGHUP and SIGTERM
# and leaves a child in its process group; once the configuration is fixed,
# svctl reload must end both (SIGHUP, then SIGTERM, then SIGKILL of the
# process group), log each step, and boot the services: no shell stays on
# the console as an orphan of the new instance.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

cp /bin/sleep "$T/bgsleep"
cat > "$T/shell" <<EOF
#!/bin/sh
trap '' HUP TERM
$T/bgsleep 1000 &
echo started > $T/out/shell.started
while :; do sleep 1; done
EOF
chmod 755 "$T/shell"
: > "$T/console"
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
emergency_shell: $T/shell
EOF
service ok <<EOF
comand: [/bin/sleep, "1000"]
EOF

unshare --pid --fork --mount-proc /bin/sh -c "mount --bind $T/console /dev/console && exec $SVD -c $T/etc/svd.yaml" \
        > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_for grep -q 'EMERGENCY: the configuration does not load' "$T/svd.out"
wait_for test -f "$T/out/shell.started"
shell=$(pgrep -P "$SVD_PID" -f "^/bin/sh $T/shell\$") || fail "no shell under PID 1: $(ps --ppid "$SVD_PID" -o pid,args)"
bg=$(pgrep -P "$shell" -f "^$T/bgsleep") || fail "no child of the shell: $(ps --ppid "$shell" -o pid,args)"

printf 'command: [/bin/sleep, "1000"]\n' > "$T/services/ok.yaml"
out=$(svctl reload) || fail "reload: $out"
wait_state ok running
for p in "$shell" "$bg"; do
        wait_for sh -c "! test -e /proc/$p"
done
grep -q "emergency: leaving the emergency state: sending SIGHUP to the shell $T/shell (pid [0-9]*) and its process group" \
        "$T/svd.out" || fail "SIGHUP not logged"
grep -q "emergency: leaving the emergency state: sending SIGKILL to the shell" "$T/svd.out" || fail "SIGKILL not logged"
grep -q "emergency: shell $T/shell (pid [0-9]*) ended (killed by SIGKILL)" "$T/svd.out" || fail "the end not logged"
grep -q "emergency: shell .* ended (.*); starting it again" "$T/svd.out" && fail "the shell was started again"
# which of the two ends what the shell started: on a hybrid host, whose
# cgroup v2 hierarchy is not svd's, only its process group (the cgroup:
# tests/vm/emergency.sh)
grep -Eq "emergency: (.*: leaving the emergency state ends only the shell's process group|the shell runs in the cgroup .*: leaving the emergency state ends every process started from it)" "$T/svd.out" ||
        fail "what leaving the emergency ends is not logged"
svctl status | grep -q EMERGENCY && fail "still in the emergency state"

svctl poweroff > /dev/null || fail "svctl poweroff"
wait "$UNSHARE" || true
SVD_PID=
echo "emergency_shell_stop: ok"
