#!/bin/bash
# run-one.sh: one vmrun call of `make check-vm`, stopped early when the TCG
# guest has hung. Under TCG the guest kernel sometimes hangs for good early in
# a run (its console shows "watchdog: BUG: soft lockup - CPU#0 stuck for
# 573s!", or nothing at all) and the run then only ends at vmrun's --timeout,
# 10 minutes later. This wrapper takes vmrun's own arguments and exit statuses,
# runs the vmrun named by RUN_ONE_VMRUN and watches the guest while it runs:
#  (a) the kernel console (vmrun's run directory, found by giving vmrun a
#      TMPDIR of its own) reports a soft lockup of RUN_ONE_STUCK seconds or
#      more (default 40: the kernel reports one after 20 s and repeats it every
#      20 s while the CPU stays stuck, so a single report of a vCPU that the
#      busy host starved for a moment does not count);
#  (b) without --init: the guest's heartbeat, a file in the shared working
#      directory that a small loop beside COMMAND rewrites every RUN_ONE_BEAT
#      seconds (default 5), has not changed for RUN_ONE_SILENCE seconds
#      (default 180), counted from QEMU's start. The test's own output
#      cannot be the sign of life: most VM tests print only at their end,
#      minutes after they start. With --init, COMMAND is PID 1 and nothing
#      may run beside it, so only (a).
# On a hang it prints why and the end of the guest console, writes the reason
# to RUN_ONE_HANG_FILE (if set; check-vm retries on it), stops vmrun with
# SIGTERM (vmrun kills the VM first) and exits 124, like vmrun's own timeout.
# vmrun's --timeout stays the outer bound. Documented in tests/vm/README.md.
#
# Usage: RUN_ONE_VMRUN=PATH/vmrun run-one.sh [vmrun options] -- COMMAND [ARGS...]
set -u

# Guest side (without --init): run COMMAND beside the heartbeat loop and exit
# with COMMAND's status. run-one.sh --guest BEATFILE PERIOD -- COMMAND...
# The loop is one process for the whole run and forks nothing per beat (a
# test may count the VM's processes, tests/vm/pressure.sh does): it waits on
# a FIFO that it holds open both ways, so a read there only times out.
if [ "${1:-}" = --guest ]; then
        beatfile=$2 period=$3
        shift 4
        (
                if fifo=$(mktemp -u /run/run-one-beat.XXXXXX) && mkfifo "$fifo" && exec 3<> "$fifo"; then
                        rm -f "$fifo"
                        pause() { read -r -t "$period" -u 3 _; }
                else
                        pause() { sleep "$period"; }
                fi
                n=0
                while :; do
                        n=$((n + 1))
                        echo "$n" > "$beatfile"
                        pause
                done
        ) < /dev/null > /dev/null 2>&1 &
        beat=$!
        rc=0
        "$@" || rc=$?
        kill "$beat" 2> /dev/null
        wait "$beat" 2> /dev/null
        exit "$rc"
fi

me=${0##*/}
say() { echo "$me: $*" >&2; }
: "${RUN_ONE_VMRUN:?RUN_ONE_VMRUN must name vmrun}"
stuck_min=${RUN_ONE_STUCK:-40}
silence_max=${RUN_ONE_SILENCE:-180}
period=${RUN_ONE_BEAT:-5}

# vmrun's options, up to "--"; the ones that take a value keep it.
opts=()
init=0
keep=0
while [ $# -gt 0 ] && [ "$1" != -- ]; do
        case $1 in
        --init) init=1 ;;
        --keep) keep=1 ;;
        --mem | --smp | --timeout | --accel | --append)
                [ $# -ge 2 ] || { say "$1 needs a value"; exit 125; }
                opts+=("$1")
                shift
                ;;
        esac
        opts+=("$1")
        shift
done
[ "${1:-}" = -- ] && [ $# -ge 2 ] || { say "usage: RUN_ONE_VMRUN=vmrun $me [vmrun options] -- COMMAND..."; exit 125; }
shift

# vmrun makes its run directory (console.log) in $TMPDIR: a private one makes
# it the only vmrun.* there. COMMAND gets the caller's TMPDIR back, as vmrun
# hands the whole environment to the guest.
if [ -n "${TMPDIR+set}" ]; then restore=(env "TMPDIR=$TMPDIR"); else restore=(env -u TMPDIR); fi
d=$(mktemp -d "${TMPDIR:-/tmp}/run-one.XXXXXX") || exit 125
beatfile=
if [ "$init" = 1 ]; then
        cmd=("${restore[@]}" "$@")
else
        # in the working directory, which the guest shares read-write
        beatfile=$(mktemp "$(pwd -P)/.run-one-beat.XXXXXX") || { rm -rf "$d"; exit 125; }
        self=$(cd "$(dirname "$0")" && pwd -P)/$me
        cmd=("${restore[@]}" bash "$self" --guest "$beatfile" "$period" -- "$@")
fi

vm=
finish() {
        # with --keep, vmrun's run directory (in $d) is kept as asked
        [ "$keep" = 1 ] || rm -rf "$d"
        [ -z "$beatfile" ] || rm -f "$beatfile"
}
# make's SIGINT does not reach vmrun (a background job ignores it): pass it on
trap 'kill -TERM "$vm" 2>/dev/null; wait "$vm"; finish; exit 130' INT
trap 'kill -TERM "$vm" 2>/dev/null; wait "$vm"; finish; exit 143' TERM HUP

TMPDIR=$d "$RUN_ONE_VMRUN" "${opts[@]}" -- "${cmd[@]}" &
vm=$!

start=$SECONDS
life=$SECONDS
beat=
consize=0
longest=0
hang=
while kill -0 "$vm" 2> /dev/null; do
        # polling: vmrun gives no event for either sign
        sleep 1
        con=$(find "$d" -maxdepth 2 -name console.log 2> /dev/null | head -n 1)
        # no console yet: vmrun is still on the host (its first call in CI
        # installs QEMU and fetches a kernel), so the guest's silence starts
        # with QEMU
        [ -n "$con" ] || [ -n "$beat" ] || life=$SECONDS
        size=0
        [ -z "$con" ] || size=$(stat -c %s "$con" 2> /dev/null || echo 0)
        if [ -n "$con" ] && [ "$size" != "$consize" ]; then
                consize=$size
                worst=$(tr -d '\r' < "$con" 2> /dev/null | sed -nE 's/.*soft lockup - CPU#[0-9]+ stuck for ([0-9]+)s.*/\1/p' | sort -n | tail -n 1)
                if [ -n "$worst" ] && [ "$worst" -ge "$stuck_min" ]; then
                        hang="guest soft lockup at $((SECONDS - start)) s (a CPU stuck for $worst s)"
                fi
        fi
        if [ -z "$hang" ] && [ -n "$beatfile" ]; then
                b=$(cat "$beatfile" 2> /dev/null)
                if [ "$b" != "$beat" ]; then
                        beat=$b
                        life=$SECONDS
                fi
                [ $((SECONDS - life)) -le "$longest" ] || longest=$((SECONDS - life))
                if [ "$longest" -ge "$silence_max" ]; then
                        hang="guest silent at $((SECONDS - start)) s (no heartbeat for $longest s)"
                fi
        fi
        if [ -n "$hang" ]; then
                say "$hang: stopping the VM (exit 124)"
                if [ -n "$con" ] && [ -s "$con" ]; then
                        say "guest console (last 40 lines):"
                        tail -n 40 "$con" | tr -d '\r' | sed 's/^/  | /' >&2
                else
                        say "the guest console is empty"
                fi
                [ -z "${RUN_ONE_HANG_FILE:-}" ] || echo "$hang" > "$RUN_ONE_HANG_FILE"
                kill -TERM "$vm" 2> /dev/null
                break
        fi
done
rc=0
wait "$vm" || rc=$?
finish
[ -z "$hang" ] || exit 124
[ -z "$beatfile" ] || [ -z "${RUN_ONE_VERBOSE:-}" ] || say "longest heartbeat gap: $longest s"
exit "$rc"
