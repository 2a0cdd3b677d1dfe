#!/usr/bin/env bash
# bench/mem.sh [N=200]
#
# Memory of the supervisor itself (not of the services) with 1 and N
# `sleep 100000` services running, from /proc/PID/smaps_rollup, after all
# services are up and a settle delay (SETTLE_S, default 1 s).
#
#   svd          the svd process and its svd-fdstore
#   s6           s6-svscan + all its s6-supervise processes (summed)
#   supervisord  the supervisord process (if installed)
#
# Targets (svd, N services): PSS <= 1.5 MiB, RSS <= 4 MiB,
# per extra service (PSS_N - PSS_1)/(N-1) <= 4 KiB.
# Not a test: prints PASS/MISS, never fails on a threshold.
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

N=${1:-200}
SETTLE_S=${SETTLE_S:-1}
[ "$N" -ge 2 ] || die "N must be >= 2"
SLEEP_NAME=$(basename "${SLEEP_BIN:-sleep}")

HAVE_SVD=1
try_build_svd || { HAVE_SVD=0; log "svd/svctl not found at $SVD, $SVCTL: svd rows skipped"; }

# sum_mem PID... -> "PSS RSS" summed (KiB)
sum_mem() {
        local p ps=0 rs=0 a b
        for p in "$@"; do
                read -r a b < <(mem_kb "$p") || continue
                ps=$((ps + a)) rs=$((rs + b))
        done
        echo "$ps $rs"
}

# Each measure_* N sets M="PSS RSS NPROCS" (KiB) or "n/a n/a 0" (no subshell,
# so the cleanup trap sees every pid and temp dir).
measure_svd() {
        local t m
        mk_tmp t
        svd_setup "$t" "$1"
        svd_start "$t"
        if svd_wait_running "$t" "$1"; then
                sleep "$SETTLE_S"
                # svd-fdstore (holds the log pipes across a crash) is part of the supervisor
                local store
                store=$(pgrep -P "$SVD_PID" -x svd-fdstore || true)
                # shellcheck disable=SC2086
                m="$(sum_mem "$SVD_PID" $store) $((1 + $(echo $store | wc -w)))"
        else
                m="n/a n/a 0"
        fi
        svd_stop "$t"
        M=$m
}

measure_s6() {
        local t m sup
        mk_tmp t
        s6_setup "$t" "$1"
        s6_start "$t"
        if wait_count s6_count "$1"; then
                sleep "$SETTLE_S"
                # shellcheck disable=SC2046
                sup=$(pgrep -P "$S6_PID" -x s6-supervise | tr '\n' ' ')
                # shellcheck disable=SC2086
                m="$(sum_mem "$S6_PID" $sup) $((1 + $(wc -w <<<"$sup")))"
        else
                m="n/a n/a 0"
        fi
        s6_stop "$t"
        M=$m
}

sv_count() { count_children "$SLEEP_NAME" "$SV_PID"; }
measure_supervisord() {
        local t m
        mk_tmp t
        supervisord_setup "$t" "$1"
        supervisord_start "$t"
        if wait_count sv_count "$1" 60; then
                sleep "$SETTLE_S"
                m="$(sum_mem "$SV_PID") 1"
        else
                m="n/a n/a 0"
        fi
        supervisord_stop
        M=$m
}

per_extra() { # PSS1 PSSN -> KiB per extra service
        case "$1$2" in *n/a*) echo n/a; return ;; esac
        awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%.1f\n", (b - a) / (n - 1) }'
}
mib() { case "$1" in n/a) echo n/a ;; *) awk -v k="$1" 'BEGIN { printf "%.2f\n", k / 1024 }' ;; esac; }

rows=()
row() { # NAME P1 R1 PN RN PROCS
        local pe
        pe=$(per_extra "$2" "$4")
        rows+=("$(printf '%-13s %9s %9s %9s %9s %7s %9s' "$1" "$2" "$3" "$4" "$5" "$6" "$pe")")
        if [ "$1" = svd ]; then SVD_ROW=("$4" "$5" "$pe"); fi
}

SVD_ROW=(n/a n/a n/a)
if [ $HAVE_SVD = 1 ]; then
        log "svd: 1 service";  measure_svd 1; read -r p1 r1 _ <<<"$M"
        log "svd: $N services"; measure_svd "$N"; read -r pn rn k <<<"$M"
        row svd "$p1" "$r1" "$pn" "$rn" "$k"
fi
if command -v s6-svscan >/dev/null; then
        log "s6: 1 service";  measure_s6 1; read -r p1 r1 _ <<<"$M"
        log "s6: $N services"; measure_s6 "$N"; read -r pn rn k <<<"$M"
        row s6 "$p1" "$r1" "$pn" "$rn" "$k"
fi
if command -v supervisord >/dev/null; then
        log "supervisord: 1 program";  measure_supervisord 1; read -r p1 r1 _ <<<"$M"
        log "supervisord: $N programs"; measure_supervisord "$N"; read -r pn rn k <<<"$M"
        row supervisord "$p1" "$r1" "$pn" "$rn" "$k"
else
        log "supervisord not installed: skipped"
fi

echo "== memory of the supervisor (KiB, smaps_rollup), 1 vs $N services =="
printf '%-13s %9s %9s %9s %9s %7s %9s\n' peer PSS@1 RSS@1 "PSS@$N" "RSS@$N" procs KiB/extra
printf '%s\n' "${rows[@]}"
echo "(s6 = s6-svscan + every s6-supervise; procs = supervisor processes summed at N)"
printf 'svd PSS@%s    = %s MiB   target <= 1.5  %s\n' "$N" "$(mib "${SVD_ROW[0]}")" "$(verdict "$(mib "${SVD_ROW[0]}")" le 1.5)"
printf 'svd RSS@%s    = %s MiB   target <= 4    %s\n' "$N" "$(mib "${SVD_ROW[1]}")" "$(verdict "$(mib "${SVD_ROW[1]}")" le 4)"
printf 'svd per extra = %s KiB   target <= 4    %s\n' "${SVD_ROW[2]}" "$(verdict "${SVD_ROW[2]}" le 4)"
