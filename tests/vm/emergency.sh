#!/bin/bash
# svd as PID 1 of a VM (vmrun --init) whose configuration does not load (a
# typo in a service file): it must not exit (that panics the kernel) but
# enter the emergency state. The emergency shell named in the main file runs
# on the console and plays the operator: it records `svctl status` (which
# must name the emergency and the error), checks that a start is refused,
# fixes the file and runs `svctl reload` (svd stops the shell, starts again
# as the same PID 1 and boots the service), and powers off with `svctl
# poweroff`; the VM must end with rc 0 and the console must show the
# poweroff. The shell also starts a daemon in a session of its own (setsid),
# outside its process group: leaving the emergency state must end it too
# (the shell runs in a cgroup of its own, which svd empties); it used to
# run on until the next shutdown. The operator, which must outlive the
# shell, moves itself out of that cgroup first, as an administrator would
# for what is to outlive the emergency. Runs on the host (it calls vmrun).
set -eu
: "${SVD:?}" "${SVCTL:?}" "${VMRUN:?}"
D=$(pwd -P)/vm-emergency.$$
rm -rf "$D"; mkdir -p "$D/etc" "$D/services" "$D/out"
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$D"/console "$D"/out/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2; exit 1; }
SOCK=/run/svd-emergency/control.sock
cat > "$D/etc/svd.yaml" <<EOF
services_dir: ../services
log_dir: ../log
run_dir: /run/svd-emergency
emergency_shell: $D/shell
EOF
cat > "$D/services/web.yaml" <<EOF
comand: [/bin/sleep, "1000"]
EOF
# The daemon and the operator, started by the shell in sessions of their
# own (leaving the emergency ends every process started from the shell:
# the operator leaves the shell's cgroup for the root's first). The daemon
# has its pid written before the operator starts.
cat > "$D/shell" <<EOF
#!/bin/sh
tty > $D/out/tty 2>&1
echo "\$(ulimit -Sn):\$(ulimit -Hn)" > $D/out/nofile
grep '^Sig\(Blk\|Ign\):' /proc/self/status > $D/out/signals
cat /proc/self/cgroup > $D/out/shell.cgroup
setsid $D/daemon < /dev/null > /dev/null 2>&1 &
while [ ! -s $D/out/daemon.pid ]; do sleep 0.1; done
setsid $D/operator \$\$ < /dev/null > $D/out/operator 2>&1 &
while :; do sleep 1; done
EOF
cat > "$D/daemon" <<EOF
#!/bin/sh
echo \$\$ > $D/out/daemon.pid.new && mv $D/out/daemon.pid.new $D/out/daemon.pid
exec sleep 1000
EOF
cat > "$D/operator" <<EOF
#!/bin/sh
echo 0 > /sys/fs/cgroup/cgroup.procs
export ASAN_OPTIONS=detect_leaks=0
$SVCTL -s $SOCK status > $D/out/status 2>&1
$SVCTL -s $SOCK start web > $D/out/start 2>&1; echo \$? > $D/out/start.rc
printf 'command: [/bin/sleep, "1000"]\n' > $D/services/web.yaml
$SVCTL -s $SOCK reload > $D/out/reload 2>&1; echo \$? > $D/out/reload.rc
i=0
while [ \$i -lt 150 ]; do
        $SVCTL -s $SOCK status --json > $D/out/status2 2>&1 && grep -q '"state":"running"' $D/out/status2 && break
        sleep 0.2; i=\$((i + 1))
done
[ -e /proc/\$1 ] && echo "shell \$1 still runs" > $D/out/shell.left
# the daemon was killed before the exec; once the new instance reaped it
# (its parent, the shell, is gone) its pid is gone too
d=\$(cat $D/out/daemon.pid); i=0
while [ -e /proc/\$d ] && [ \$i -lt 150 ]; do sleep 0.2; i=\$((i + 1)); done
[ -e /proc/\$d ] && echo "daemon \$d still there: \$(grep State /proc/\$d/status)" > $D/out/daemon.left
[ -d /sys/fs/cgroup/svd/emergency-shell ] && echo "the shell's cgroup is still there" > $D/out/cgroup.left
$SVCTL -s $SOCK poweroff > $D/out/poweroff 2>&1
sleep 100
EOF
chmod 755 "$D/shell" "$D/daemon" "$D/operator"
rc=0
"$VMRUN" --init --timeout 300 -- "$SVD" -c "$D/etc/svd.yaml" > "$D/console" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vmrun exited $rc"
grep -q '^EMERGENCY (for .*): the configuration does not load (2 errors; first: .*web.yaml:1:1: comand: unknown key' "$D/out/status" ||
        fail "status: $(cat "$D/out/status")"
grep -q "^emergency shell: $D/shell (pid [0-9]*) on the console" "$D/out/status" || fail "status shell"
[ "$(cat "$D/out/start.rc")" = 1 ] && grep -q 'emergency mode' "$D/out/start" || fail "start was not refused"
# the shell starts as a service would: the kernel's 1024 open files for
# PID 1 (svd raises its own), a hard limit of 524288, no signal blocked or
# ignored
[ "$(cat "$D/out/nofile")" = 1024:524288 ] || fail "the shell's limit on open files: $(cat "$D/out/nofile")"
[ "$(tr -s '\t' ' ' < "$D/out/signals" | tr '\n' ' ')" = "SigBlk: 0000000000000000 SigIgn: 0000000000000000 " ] ||
        fail "the shell's signals: $(cat "$D/out/signals")"
[ "$(cat "$D/out/reload.rc")" = 0 ] || fail "reload: $(cat "$D/out/reload")"
grep -q '^the configuration loads (1 service): svd leaves its emergency state and starts again$' "$D/out/reload" ||
        fail "reload: $(cat "$D/out/reload")"
grep -q '"name":"web"' "$D/out/status2" && grep -q '"state":"running"' "$D/out/status2" ||
        fail "web is not running after the reload: $(cat "$D/out/status2")"
grep -q '"emergency"' "$D/out/status2" && fail "still in the emergency state: $(cat "$D/out/status2")"
grep -q 'emergency: the configuration loads: executing ' "$D/console" || fail "exec not logged"
[ -f "$D/out/shell.left" ] && fail "$(cat "$D/out/shell.left") after the reload"
[ "$(cat "$D/out/shell.cgroup")" = "0::/svd/emergency-shell" ] || fail "the shell's cgroup: $(cat "$D/out/shell.cgroup")"
grep -q "emergency: the shell runs in the cgroup /sys/fs/cgroup/svd/emergency-shell" "$D/console" ||
        fail "the shell's cgroup not logged"
[ -s "$D/out/daemon.pid" ] || fail "the daemon did not start"
[ -f "$D/out/daemon.left" ] && fail "$(cat "$D/out/daemon.left") after the reload (it left the shell's session)"
[ -f "$D/out/cgroup.left" ] && fail "$(cat "$D/out/cgroup.left") after the reload"
grep -q "emergency: leaving the emergency state: sending SIGHUP to the shell $D/shell (pid [0-9]*) and its process group, and to every process in its cgroup /sys/fs/cgroup/svd/emergency-shell" "$D/console" ||
        fail "the shell's stop not logged"
grep -q "emergency: shell $D/shell (pid [0-9]*) ended (killed by SIGHUP)" "$D/console" || fail "the shell's end not logged"
grep -q "web: .*-> running" "$D/console" || fail "web did not start after the reload"
grep -q 'init: poweroff' "$D/console" || fail "no init: poweroff"
grep -q 'control: poweroff from uid 0' "$D/console" || fail "poweroff (by the booted svd) not logged"
echo "console: $(cat "$D/out/tty")"
echo "emergency: ok"
