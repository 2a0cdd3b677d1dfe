#!/bin/bash
# PID-1 behaviour without a VM: svd as PID 1 of a PID namespace
# (unshare --pid --fork --mount-proc). Orphans of a double-forking service are
# reaped; SIGINT follows ctrl_alt_del (here: ignore); svctl poweroff is
# refused to a non-admin and, from root, stops the services in reverse order
# before reboot(2) ends the namespace. Also, not as PID 1: READY=1 and
# STOPPING=1 reach $NOTIFY_SOCKET (svd under systemd, Type=notify), and one
# that cannot be reached is warned about once.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
ctrl_alt_del: ignore
EOF
service db <<EOF
command: [/bin/sh, -c, 'trap "date +%s.%N > $T/out/db.stop; exit 0" TERM; touch $T/out/db.up; while :; do sleep 0.05; done']
EOF
service app <<EOF
command: [/bin/sh, -c, 'trap "date +%s.%N > $T/out/app.stop; exit 0" TERM; touch $T/out/app.up; while :; do sleep 0.05; done']
depends_on: [db]
EOF
service forker <<EOF
type: oneshot
command: [/bin/sh, -c, '(setsid sh -c "echo \\\$\\\$ > $T/out/gc.tmp; mv $T/out/gc.tmp $T/out/gc.pid; sleep 0.5" &); while [ ! -s $T/out/gc.pid ]; do sleep 0.01; done']
EOF

unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_state app running
# db and app are running once spawned, before their sh ran the trap: a
# SIGTERM before would end them without NAME.stop
wait_for test -e "$T/out/db.up"
wait_for test -e "$T/out/app.up"
wait_state forker exited
grep -q 'boot: settled in' "$T/svd.out" || fail "no boot summary"
svctl status --boot > "$T/boot.out" || fail "svctl status --boot"
grep -q '^boot settled ' "$T/boot.out" || fail "status --boot: $(cat "$T/boot.out")"
grep -Eq '^app +[0-9.]+s +[0-9.]+s +[0-9.]+s$' "$T/boot.out" || fail "status --boot lacks app: $(cat "$T/boot.out")"
python3 -c 'import json,sys; b=json.load(sys.stdin)["boot"]; assert b["settled_usec"] > 0 and "app" in b["services"]' \
        < <(python3 "$TOP_SRCDIR/tests/helpers/ctl.py" "$SOCK" '{"v":1,"op":"status"}') || fail "status boot"

# the orphaned grandchild is reaped by svd (PID 1 of the namespace)
wait_for sh -c "! ps -o pid= --ppid $SVD_PID -o stat= | grep -q Z"
sleep 0.6
zombies=$(ps -o stat= --ppid "$SVD_PID" | grep -c Z || true)
assert_eq "$zombies" "0" "zombies under PID 1"

# Ctrl-Alt-Del (SIGINT to PID 1) is ignored as configured
kill -INT "$SVD_PID"
wait_for grep -q 'Ctrl-Alt-Del ignored' "$T/svd.out"
assert_eq "$(field app state)" "running" "app after SIGINT"

# poweroff: refused for nobody, accepted for root
chmod 755 "$T/run"
rc=0; setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVCTL" -s "$SOCK" poweroff 2>/dev/null || rc=$?
assert_eq "$rc" "1" "poweroff by nobody"
svctl poweroff > /dev/null || fail "svctl poweroff"
rc=0; wait "$UNSHARE" || rc=$?
SVD_PID=
[ -f "$T/out/app.stop" ] && [ -f "$T/out/db.stop" ] || fail "services were not stopped before poweroff"
assert_le "$(cat "$T/out/app.stop")" "$(cat "$T/out/db.stop")" "app stops before db"
grep -q 'init: poweroff' "$T/svd.out" || fail "no poweroff in the log"

# not PID 1, with NOTIFY_SOCKET: READY=1 once settled, STOPPING=1 at the end
rm -f "$T/services/forker.yaml"
python3 - "$T/notify.sock" > "$T/notify.out" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
got = []
while "STOPPING=1" not in " ".join(got):
    m = s.recv(4096).decode()
    got.append(m.replace("\n", " "))
    print(m.replace("\n", " "), flush=True)
EOF
LISTENER=$!
wait_for test -S "$T/notify.sock"
NOTIFY_SOCKET="$T/notify.sock" start_svd
wait_for grep -q 'READY=1' "$T/notify.out"
stop_svd || fail "svd exit status"
wait "$LISTENER" || fail "STOPPING=1 not received"
grep -q 'STOPPING=1' "$T/notify.out" || fail "no STOPPING=1"

# a $NOTIFY_SOCKET nobody listens on: one warning, not one per message
NOTIFY_SOCKET="$T/nobody.sock" start_svd
wait_for grep -q 'boot: settled' "$T/svd.out"
stop_svd || fail "svd exit status"
assert_eq "$(grep -c 'cannot notify NOTIFY_SOCKET' "$T/svd.out")" "1" "NOTIFY_SOCKET warnings"
echo "pid1: ok"
