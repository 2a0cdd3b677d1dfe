#!/usr/bin/env bash
# bench/idle.sh [N=20] [SECONDS=10]
#
# Syscalls made by an idle supervisor with N idle `sleep 100000` services:
# once every service is up (plus SETTLE_S, default 1 s), run
#     timeout -s INT SECONDS strace -c -f -p PID...
# and report the total number of syscalls (-f also follows anything the
# supervisor would fork during the window; the services themselves are not
# traced). Target for svd: 0. Peers, same run: s6-svscan + its s6-supervise
# processes, and supervisord if installed.
# Not a test: prints PASS/MISS, never fails on a threshold.
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

N=${1:-20}
IDLE_S=${2:-10}
SETTLE_S=${SETTLE_S:-1}
SLEEP_NAME=$(basename "${SLEEP_BIN:-sleep}")
command -v strace >/dev/null || die "strace not installed"

HAVE_SVD=1
try_build_svd || { HAVE_SVD=0; log "svd/svctl not found at $SVD, $SVCTL: svd row skipped"; }

# trace DIR PID...: sets CALLS (total syscalls) and TOP (busiest syscalls)
trace() {
        local out=$1/strace.out pargs=() p
        shift
        for p in "$@"; do pargs+=(-p "$p"); done
        timeout -s INT "$IDLE_S" strace -c -f -o "$out" "${pargs[@]}" 2>/dev/null || true
        # no syscalls at all -> strace writes no table
        CALLS=$(awk '$NF == "total" { print $4 }' "$out")
        CALLS=${CALLS:-0}
        TOP=$(awk '/^-/ { t++; next } t == 1 && NF >= 5 { printf "%s%s=%s", sep, $NF, $4; sep = " " }' "$out" | cut -c1-120)
}

rows=()
row() { rows+=("$(printf '%-13s %6s %10s   %s' "$1" "$2" "$3" "$4")"); }

SVD_CALLS=n/a
if [ $HAVE_SVD = 1 ]; then
        log "svd: $N services, tracing ${IDLE_S}s"
        mk_tmp t # sets t
        svd_setup "$t" "$N"
        svd_start "$t"
        if svd_wait_running "$t" "$N"; then
                sleep "$SETTLE_S"
                trace "$t" "$SVD_PID"
                SVD_CALLS=$CALLS
                row svd 1 "$CALLS" "$TOP"
        else
                row svd 1 n/a "did not start"
        fi
        svd_stop "$t"
fi

if command -v s6-svscan >/dev/null; then
        log "s6: $N services, tracing ${IDLE_S}s"
        mk_tmp t # sets t
        s6_setup "$t" "$N"
        s6_start "$t"
        if wait_count s6_count "$N"; then
                sleep "$SETTLE_S"
                # shellcheck disable=SC2046
                trace "$t" "$S6_PID" $(pgrep -P "$S6_PID" -x s6-supervise)
                row s6 $((N + 1)) "$CALLS" "$TOP"
        else
                row s6 - n/a "did not start"
        fi
        s6_stop "$t"
fi

sv_count() { count_children "$SLEEP_NAME" "$SV_PID"; }
if command -v supervisord >/dev/null; then
        log "supervisord: $N programs, tracing ${IDLE_S}s"
        mk_tmp t # sets t
        supervisord_setup "$t" "$N"
        supervisord_start "$t"
        if wait_count sv_count "$N" 60; then
                sleep "$SETTLE_S"
                trace "$t" "$SV_PID"
                row supervisord 1 "$CALLS" "$TOP"
        else
                row supervisord - n/a "did not start"
        fi
        supervisord_stop
fi

echo "== idle: syscalls in ${IDLE_S} s with $N idle services (strace -c -f) =="
printf '%-13s %6s %10s   %s\n' peer procs syscalls "busiest"
printf '%s\n' "${rows[@]}"
printf 'svd idle syscalls = %s   target 0  %s\n' "$SVD_CALLS" "$(verdict "$SVD_CALLS" le 0)"
