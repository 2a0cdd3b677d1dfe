#!/bin/bash
# Shutdown edge cases. As PID 1 (unshare --pid --fork --mount-proc): the
# words of the kernel command line it does not know (single, splash, an
# unknown option, -h, -V, what follows --) are logged and ignored, the boot
# goes on; the first shutdown request decides (reboot, then SIGTERM and
# svctl poweroff: still a reboot, the poweroff refused). Not as PID 1: a
# service in backoff is not started again during the shutdown; a process
# that left its service's process group (setsid, no cgroups) does not outlive
# svd; a SIGTERM racing a daemon-reexec is neither lost nor fatal.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }

cp "$T/etc/svd.yaml" "$T/etc/base.yaml"
cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
EOF

# --- PID 1: argument trouble never ends the boot
# (its 5 s stop is the window in which the test's later requests must
# arrive; 2 s was too short once on a loaded machine)
service slow <<EOF
command: [/bin/sh, -c, 'trap "sleep 5; exit 0" TERM; touch $T/out/slow.up; while :; do sleep 0.05; done']
EOF
unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" single splash -s -h -V --bogus -- quiet -x \
        > "$T/svd.out" 2>&1 &
UNSHARE=$!
ns_svd "$UNSHARE"
wait_state slow running
wait_for test -e "$T/out/slow.up" # (its trap is set: running once spawned)
for w in "argument 'single'" "argument 'splash'" "option -s" "option -h" "option -V" "option --bogus" \
        "argument 'quiet'" "argument '-x'"; do
        grep -q "ignoring .*$w" "$T/svd.out" || fail "no 'ignoring ... $w' in the log"
done
grep -q '^Usage:' "$T/svd.out" && fail "PID 1 printed its usage"
grep -q '^svd [0-9]' "$T/svd.out" && fail "PID 1 printed its version"

# --- PID 1: the first request's action stands
svctl reboot > /dev/null || fail "svctl reboot"
wait_state slow stopping
kill -TERM "$SVD_PID"
rc=0; svctl poweroff > "$T/poweroff.out" 2>&1 || rc=$?
assert_eq "$rc" "1" "svctl poweroff during a reboot"
grep -q 'reboot is already under way' "$T/poweroff.out" || fail "poweroff refusal: $(cat "$T/poweroff.out")"
rc=0; wait "$UNSHARE" || rc=$?
SVD_PID=
grep -q 'init: reboot' "$T/svd.out" || fail "no reboot at the end"
grep -q 'init: poweroff' "$T/svd.out" && fail "a later request turned the reboot into a poweroff"
grep -q 'already stopping to reboot; the poweroff request is ignored' "$T/svd.out" || fail "SIGTERM not logged as ignored"

# not PID 1: the strict command line stays
rc=0; "$SVD" -c "$T/etc/svd.yaml" single > /dev/null 2>&1 || rc=$?
assert_eq "$rc" "2" "svd (not PID 1) with an extra argument"

# --- not PID 1, no cgroups: backoff and escaped processes at the shutdown
cp "$T/etc/base.yaml" "$T/etc/svd.yaml"
echo "cgroups: optional" >> "$T/etc/svd.yaml"
rm -f "$T/services/slow.yaml"
service db <<EOF
command: [/bin/sh, -c, 'echo x >> $T/out/db.starts; while [ ! -e $T/out/crash ]; do sleep 0.05; done; exit 1']
restart: always
backoff: { initial: 2s, max: 2s }
EOF
service app <<EOF
command: [/bin/sh, -c, 'trap "touch $T/out/app.term; sleep 4; exit 0" TERM; touch $T/out/app.up; while :; do sleep 0.05; done']
depends_on: [db]
EOF
service escaper <<EOF
command: [/bin/sh, -c, 'setsid sleep 1000 < /dev/null > /dev/null 2>&1 & echo \$! > $T/out/esc.tmp; mv $T/out/esc.tmp $T/out/esc.pid; exec sleep 1000']
EOF
start_svd
wait_state app running
wait_for test -e "$T/out/app.up" # (its trap is set: running once spawned)
wait_state escaper running
wait_for test -s "$T/out/esc.pid"
ESC=$(cat "$T/out/esc.pid")
kill -0 "$ESC" || fail "the escaped process did not start"
touch "$T/out/crash"
wait_state db backoff
kill -TERM "$SVD_PID"
rc=0; wait "$SVD_PID" || rc=$?
SVD_PID=
assert_eq "$rc" "0" "svd exit status"
# app took 4 s to stop; db's 2 s backoff ended meanwhile
[ -e "$T/out/app.term" ] || fail "app ended without its 4 s stop: db's backoff did not run out during the shutdown"
assert_eq "$(wc -l < "$T/out/db.starts")" "1" "db starts (a restart during the shutdown?)"
st=$(ps -o stat= -p "$ESC" 2>/dev/null || true)
case "$st" in ""|Z*) ;; *) kill -KILL "$ESC"; fail "pid $ESC (left its group) outlived svd: $st";; esac
grep -q "pid $ESC outlived its service" "$T/svd.out" || fail "the escaped process was not logged"

# --- a SIGTERM racing a daemon-reexec: svd stops cleanly, whenever it lands
rm -f "$T/services/"*.yaml "$T/out/crash"
service idle <<EOF
command: [/bin/sh, -c, 'echo \$\$ > $T/out/idle.pid; exec sleep 100000']
EOF
for delay in 0 0.002 0.003 0.005; do
        start_svd
        wait_state idle running
        # the request goes out, then (after delay: before the exec, during
        # it, in the new instance's start) SIGTERM every 0.5 ms until svd
        # says it got one (or is gone: a zombie counts, it is our child)
        python3 - "$SOCK" "$SVD_PID" "$T/svd.out" "$delay" <<'EOF'
import json, os, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
body = json.dumps({"v": 1, "op": "daemon_reexec"}).encode()
s.sendall(struct.pack(">I", len(body)) + body)
time.sleep(float(sys.argv[4]))
pid, end = int(sys.argv[2]), time.time() + 20
while time.time() < end:
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        with open(sys.argv[3]) as f:
            if "received SIGTERM" in f.read():
                break
        os.kill(pid, 15)
    except (FileNotFoundError, ProcessLookupError):
        break
    time.sleep(0.0005)
EOF
        # a SIGTERM the old instance took must not be lost in the new one
        wait_for sh -c "grep -q ') Z ' /proc/$SVD_PID/stat 2>/dev/null || ! test -e /proc/$SVD_PID"
        rc=0; wait "$SVD_PID" || rc=$?
        SVD_PID=
        assert_eq "$rc" "0" "svd exit status, SIGTERM racing daemon-reexec (delay $delay)"
        grep -q 'all services stopped' "$T/svd.out" || fail "delay $delay: services not stopped"
        kill -0 "$(cat "$T/out/idle.pid")" 2>/dev/null && { kill -KILL "$(cat "$T/out/idle.pid")"; fail "delay $delay: idle outlived svd"; }
done
exit 0
