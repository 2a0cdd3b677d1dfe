#!/bin/bash
# check_vm_hang: `make check-vm` notices a hung TCG guest in seconds, not at
# vmrun's 600 s limit, and runs the test again at once; and it never stops a
# healthy guest. A real guest cannot be made to hang on demand, so
# tests/helpers/fake-vmrun stands in for vmrun (VMRUN= on make's command
# line) with tests/helpers/vm-stub.sh and vm-boot-stub.sh as the tests: a
# console that reports a soft lockup, a guest with no heartbeat (both stopped
# and retried, for VM_TESTS and for a boot test's own vmrun call), a retry
# that hangs again (FAIL), a long setup before the guest starts, a single
# short lockup report and a test that prints nothing for longer than the
# silence bound (all left alone), and --init, where the guest has no
# heartbeat to miss.
. "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
fake=$TOP_SRCDIR/tests/helpers/fake-vmrun
run_one=$TOP_SRCDIR/tests/vm/run-one.sh
export FAKE_VMRUN_CALLS=$T/calls
mkdir -p "$T/tmp"

# check_vm MODES VM_TESTS VM_BOOT_TESTS: `make check-vm` with fake-vmrun
# acting as MODES says, its output in $T/out/log. The bound is far below the
# 600 s a hung guest used to cost and far above the seconds it takes now.
check_vm() {
        rm -f "$FAKE_VMRUN_CALLS"
        FAKE_VMRUN_MODE=$1 TMPDIR=$T/tmp timeout 120 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
                make -s -C "$TOP_BUILDDIR" check-vm VMRUN="$fake" VM_TESTS="$2" VM_BOOT_TESTS="$3" VM_HELPERS= \
                > "$T/out/log" 2>&1
}
log_has() { grep -qE -- "$1" "$T/out/log" || { cat "$T/out/log" >&2; fail "no '$1' in check-vm's output"; }; }
# the heartbeat files in the working directory: a check-vm of a developer's
# own may run there meanwhile, so one counts as left only if it is new and
# no running process names it (its vmrun does)
beats() { ls -A "$TOP_BUILDDIR" | grep '^\.run-one-beat\.' || true; }
beats0=$(beats)
no_leftovers() {
        local f
        [ -z "$(ls -A "$T/tmp")" ] || fail "left in TMPDIR: $(ls -A "$T/tmp")"
        for f in $(comm -13 <(echo "$beats0") <(beats)); do
                pgrep -f -- "$f" > /dev/null || fail "a heartbeat file left in $TOP_BUILDDIR: $f"
        done
        [ ! -e "$TOP_BUILDDIR/check-vm.hang" ] || fail "check-vm.hang left behind"
}

# a soft lockup on the console: stopped, retried at once, passes
check_vm "lockup run" tests/helpers/vm-stub.sh "" || { cat "$T/out/log" >&2; fail "check-vm failed after a soft lockup"; }
log_has '^run-one\.sh: guest soft lockup at [0-9]+ s \(a CPU stuck for 44 s\): stopping the VM \(exit 124\)$'
log_has '^  \| \[   67\.120000\] watchdog: BUG: soft lockup - CPU#0 stuck for 44s! \[swapper/0:0\]$'
log_has '^== tests/helpers/vm-stub\.sh: guest soft lockup at [0-9]+ s \(a CPU stuck for 44 s\): retrying$'
# the second run ran the test, with the caller's TMPDIR
log_has "^vm-stub: ran, VMRUN=1 SVD_TEST_SCALE=4 TMPDIR=$T/tmp\$"
log_has '^PASS: tests/helpers/vm-stub\.sh \([0-9]+ s\)$'
assert_eq "$(cat "$FAKE_VMRUN_CALLS")" 2 "vmrun calls"
no_leftovers

# no heartbeat from the guest for RUN_ONE_SILENCE seconds: the same
RUN_ONE_SILENCE=5 RUN_ONE_BEAT=1 check_vm "silent run" tests/helpers/vm-stub.sh "" ||
        { cat "$T/out/log" >&2; fail "check-vm failed after a silent guest"; }
log_has '^run-one\.sh: guest silent at [0-9]+ s \(no heartbeat for [0-9]+ s\): stopping the VM \(exit 124\)$'
log_has '^run-one\.sh: the guest console is empty$'
log_has '^== tests/helpers/vm-stub\.sh: guest silent at [0-9]+ s \(no heartbeat for [0-9]+ s\): retrying$'
log_has '^PASS: tests/helpers/vm-stub\.sh'
assert_eq "$(cat "$FAKE_VMRUN_CALLS")" 2 "vmrun calls"
no_leftovers

# a boot test (its own `$VMRUN --init`): run once more after a hang
check_vm "lockup run" "" tests/helpers/vm-boot-stub.sh || { cat "$T/out/log" >&2; fail "the boot test failed after a soft lockup"; }
log_has '^== tests/helpers/vm-boot-stub\.sh: guest soft lockup at [0-9]+ s \(a CPU stuck for 44 s\): retrying$'
log_has "^vm-boot-stub: ran, TMPDIR=$T/tmp\$"
log_has '^PASS: tests/helpers/vm-boot-stub\.sh'
assert_eq "$(cat "$FAKE_VMRUN_CALLS")" 2 "vmrun calls"
no_leftovers

# a guest that hangs again on its retry: FAIL, with the timeout's status
if check_vm "lockup" tests/helpers/vm-stub.sh ""; then cat "$T/out/log" >&2; fail "check-vm passed two hung runs"; fi
log_has '^FAIL: tests/helpers/vm-stub\.sh \(exit 124, [0-9]+ s\)$'
assert_eq "$(cat "$FAKE_VMRUN_CALLS")" 2 "vmrun calls"
no_leftovers

# healthy: a vmrun that sets itself up for longer than the silence bound
# (no guest yet), one 22 s lockup report (a vCPU the busy host starved once),
# then a test that prints nothing for twice the bound; its status kept
rm -f "$FAKE_VMRUN_CALLS"
rc=0
FAKE_VMRUN_SETUP=12 FAKE_VMRUN_MODE=blip RUN_ONE_VMRUN=$fake RUN_ONE_SILENCE=8 RUN_ONE_BEAT=1 TMPDIR=$T/tmp \
        "$run_one" --timeout 120 -- sh -c 'sleep 18; echo slow-done; exit 3' > "$T/out/log" 2>&1 || rc=$?
assert_eq "$rc" 3 "a healthy slow test's status"
log_has '^slow-done$'
! grep -q 'run-one' "$T/out/log" || { cat "$T/out/log" >&2; fail "run-one.sh stepped in on a healthy guest"; }
no_leftovers

# the heartbeat beside the test is one process that forks nothing per beat
# (tests/vm/pressure.sh counts the VM's processes before and after a fork
# bomb): once it holds its FIFO (fd 3), no child of it is seen over 5 beats
rc=0
FAKE_VMRUN_MODE=run RUN_ONE_VMRUN=$fake RUN_ONE_BEAT=0.5 TMPDIR=$T/tmp "$run_one" --timeout 120 -- bash -c '
        for p in $(pgrep -P "$PPID"); do [ "$p" = $$ ] || beat=$p; done
        [ -n "$beat" ] || { echo "no heartbeat beside the test"; exit 1; }
        for i in $(seq 300); do [ -e /proc/$beat/fd/3 ] && break; sleep 0.1; done
        [ -e /proc/$beat/fd/3 ] || { echo "the heartbeat holds no FIFO"; exit 1; }
        for i in $(seq 25); do pgrep -a -P "$beat"; sleep 0.1; done
        exit 0' > "$T/out/log" 2>&1 || rc=$?
assert_eq "$rc" 0 "the heartbeat check"
[ ! -s "$T/out/log" ] || { cat "$T/out/log" >&2; fail "the heartbeat forked"; }
no_leftovers

# --init: COMMAND is PID 1, no heartbeat beside it, so silence is no sign of
# a hang there; only vmrun's own limit (the fake's exit 124) ends it
rm -f "$FAKE_VMRUN_CALLS"
rc=0
FAKE_VMRUN_MODE=silent RUN_ONE_VMRUN=$fake RUN_ONE_SILENCE=2 RUN_ONE_HANG_FILE=$T/hang TMPDIR=$T/tmp \
        "$run_one" --init --timeout 6 -- /bin/true > "$T/out/log" 2>&1 || rc=$?
assert_eq "$rc" 124 "--init, silent until the limit"
log_has '^vmrun: timeout: VM killed after 6s$'
! grep -q 'run-one' "$T/out/log" || { cat "$T/out/log" >&2; fail "run-one.sh stepped in on a silent --init guest"; }
[ ! -e "$T/hang" ] || fail "a hang recorded for a silent --init guest"
no_leftovers
echo "ok"
