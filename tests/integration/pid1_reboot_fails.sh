#!/bin/bash
# reboot(2) refused to svd as PID 1 of a PID namespace (a container without
# CAP_SYS_BOOT, or whose seccomp filter denies reboot(2), as Docker's does by
# default): svd exits once the services are stopped, which ends the
# namespace. Before, it logged the error and only reaped children for good:
# the container ran on, empty, until its runtime killed it. The same after
# a crash of PID 1 (init_crash.c), which has its own reboot(2). A reboot
# exits with status 129 (INIT_EXIT_REBOOT), a poweroff with 0: before, both
# exited 0, and a runtime could not tell a reboot from a poweroff.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root for unshare"; exit 77; }
unshare --pid --fork --mount-proc true 2>/dev/null || { echo "unshare --pid not permitted here"; exit 77; }
setpriv --bounding-set=-sys_boot true 2>/dev/null || { echo "setpriv --bounding-set not available"; exit 77; }

cat >> "$T/etc/svd.yaml" <<EOF
cgroups: optional
EOF
service db <<EOF
command: [/bin/sh, -c, 'trap "touch $T/out/db.stop; exit 0" TERM; touch $T/out/db.up; while :; do sleep 0.05; done']
EOF

# Starts svd as PID 1 of a new PID namespace, without CAP_SYS_BOOT in its
# bounding set (its reboot(2) fails with EPERM), and waits for db to run.
boot_ns() {
        rm -f "$T/out/db.up" "$T/out/db.stop"
        setpriv --bounding-set=-sys_boot unshare --pid --fork --mount-proc "$SVD" -c "$T/etc/svd.yaml" \
                > "$T/svd.out" 2>&1 &
        UNSHARE=$!
        ns_svd "$UNSHARE"
        wait_state db running
        wait_for test -e "$T/out/db.up"
}

# Waits up to SECS for the namespace to end after WHAT; sets RC to its PID
# 1's exit status.
end_ns() {
        local secs=$1 what=$2 rc=0
        timeout $((secs * SCALE)) tail --pid="$UNSHARE" -f /dev/null || rc=$?
        if [ "$rc" != 0 ]; then
                kill -KILL "$SVD_PID" 2>/dev/null || true
                wait "$UNSHARE" || true
                SVD_PID=
                cat "$T/svd.out"
                fail "PID 1 still runs $secs s after $what although reboot(2) failed"
        fi
        RC=0
        wait "$UNSHARE" || RC=$?
        SVD_PID=
}

# 1: SIGTERM: poweroff, status 0
boot_ns
kill -TERM "$SVD_PID"
end_ns 30 SIGTERM
assert_eq "$RC" "0" "exit status of the namespace's PID 1 after a failed poweroff"
[ -f "$T/out/db.stop" ] || fail "db was not stopped before the poweroff"
grep -q 'init: poweroff: reboot(2): Operation not permitted; PID 1 of a PID namespace: exiting instead' "$T/svd.out" ||
        { cat "$T/svd.out"; fail "no line for the failed reboot(2)"; }

# 2: PID 1 crashed (SIGSEGV sent from outside the namespace reaches the
# handler), then SIGTERM: crash_finish's reboot(2) fails too
ulimit -c 0 # (the crash's core dump child: no core file in the test's cwd)
boot_ns
kill -SEGV "$SVD_PID"
wait_for grep -q 'svd: PID 1 crashed (SIGSEGV)' "$T/svd.out"
kill -TERM "$SVD_PID"
end_ns 40 "SIGTERM to the crashed PID 1"
assert_eq "$RC" "0" "exit status of the crashed PID 1 after a failed poweroff"
grep -q 'svd: crashed PID 1: reboot(2) failed; PID 1 of a PID namespace: exiting instead' "$T/svd.out" ||
        { cat "$T/svd.out"; fail "no line for the crashed PID 1's failed reboot(2)"; }

# 3: svctl reboot: the same, but status 129, so a runtime's restart policy
# tells it from a poweroff
boot_ns
svctl reboot > /dev/null || fail "svctl reboot"
end_ns 30 "svctl reboot"
assert_eq "$RC" "129" "exit status of the namespace's PID 1 after a failed reboot"
[ -f "$T/out/db.stop" ] || fail "db was not stopped before the reboot"
grep -q 'init: reboot: reboot(2): Operation not permitted; PID 1 of a PID namespace: exiting instead (status 129)' \
        "$T/svd.out" || { cat "$T/svd.out"; fail "no line for the failed reboot(2)"; }

# 4: crashed PID 1, then SIGINT (Ctrl-Alt-Del: reboot): status 129 too
boot_ns
kill -SEGV "$SVD_PID"
wait_for grep -q 'svd: PID 1 crashed (SIGSEGV)' "$T/svd.out"
kill -INT "$SVD_PID"
end_ns 40 "SIGINT to the crashed PID 1"
assert_eq "$RC" "129" "exit status of the crashed PID 1 after a failed reboot"
grep -q 'svd: crashed PID 1: Ctrl-Alt-Del: reboot; sending SIGTERM to every process' "$T/svd.out" ||
        { cat "$T/svd.out"; fail "the crashed PID 1 did not reboot on SIGINT"; }
grep -q 'svd: crashed PID 1: reboot(2) failed; PID 1 of a PID namespace: exiting instead (status 129)' "$T/svd.out" ||
        { cat "$T/svd.out"; fail "no line for the crashed PID 1's failed reboot(2)"; }
echo "pid1_reboot_fails: ok"
