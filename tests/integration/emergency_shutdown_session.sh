#!/bin/bash
# A process that the emergency shell moved to a session of its own (setsid,
# a daemon started by hand) is outside the shell's process group, which is
# all that leaving the emergency state signals (emergency_shell_stop.sh).
# At a poweroff from the emergency state the final kill pass must still
# reach it before the file systems are touched: it is kill(-1), every
# process but PID 1 whatever its session, not a process group. svd as PID 1
# of a PID namespace, as in emergency.sh; the process traps SIGTERM and
# says so.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }
command -v setsid > /dev/null || { echo "no setsid"; exit 77; }

cat > "$T/away" <<EOF
#!/bin/sh
trap 'echo term > $T/out/away.term; exit 0' TERM
echo up > $T/out/away.up
while :; do sleep 0.05; done
EOF
cat > "$T/shell" <<EOF
#!/bin/sh
setsid $T/away < /dev/null > /dev/null 2>&1 &
while :; do sleep 1; done
EOF
chmod 755 "$T/shell" "$T/away"
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
wait_for test -f "$T/out/away.up"
away=$(pgrep -f "^/bin/sh $T/away\$") || fail "no process of the shell's"
shell=$(pgrep -P "$SVD_PID" -f "^/bin/sh $T/shell\$") || fail "no shell under PID 1"
[ "$(ps -o sid= -p "$away" | tr -d ' ')" != "$(ps -o sid= -p "$shell" | tr -d ' ')" ] ||
        fail "the process did not leave the shell's session"

svctl poweroff > /dev/null || fail "svctl poweroff"
rc=0; timeout $((30 * SCALE)) tail --pid="$UNSHARE" -f /dev/null || rc=$?
[ "$rc" = 0 ] || fail "PID 1 still runs 30 s after svctl poweroff"
wait "$UNSHARE" || true
SVD_PID=
[ -f "$T/out/away.term" ] || fail "the process in a session of its own got no SIGTERM at the poweroff"
grep -q 'init: sending SIGTERM to remaining processes' "$T/svd.out" || fail "the final SIGTERM not logged"
echo "emergency_shutdown_session: ok"
