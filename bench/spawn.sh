#!/usr/bin/env bash
# bench/spawn.sh [N=200] [RUNS=3]
#
# Time from launching the supervisor to N `sleep 100000` services being up,
# for svd, s6-svscan and a bare posix_spawn loop (bench/bare_spawn.c), all in
# the same run, interleaved, median of RUNS. Not a test: never fails on a
# threshold, just prints PASS/MISS against the targets:
#     svd / s6   <= 0.5
#     svd / bare <= 1.2
#
# What is measured (t0 = just before the supervisor is forked by this script):
#   svd        first 5 ms poll at which `svctl status --json` lists N services
#              in state "running"
#   svd-proc   first poll at which N `sleep` children of svd exist (/proc scan;
#              same method as s6/bare, shown for reference)
#   s6         first poll at which N `sleep` processes exist as children of the
#              s6-supervise processes of our s6-svscan (run = `#!/bin/sh` +
#              `exec sleep 100000`, the usual s6 way)
#   bare       first poll at which N `sleep` children of bare_spawn exist
#   bare-self  bare_spawn's own timestamp after its last posix_spawn()
#              returned (no polling latency; used for the svd/bare ratio,
#              which is the strict choice)
# Polling adds up to POLL_MS (+ the cost of one poll) to every poll-based figure.
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

N=${1:-200}
RUNS=${2:-3}
command -v s6-svscan >/dev/null || log "s6-svscan not found: s6 column skipped"
build_bare

HAVE_SVD=1
try_build_svd || { HAVE_SVD=0; log "svd/svctl not found at $SVD, $SVCTL: svd columns skipped"; }

svd_ms=() svdp_ms=() s6_ms=() bare_ms=() bares_ms=()

run_svd() {
        local t t0 now ctl=0 pr=0 tp='' tc=''
        mk_tmp t
        svd_setup "$t" "$N"
        now_us t0
        svd_start "$t"
        while :; do
                if [ -z "$tp" ]; then
                        pr=$(count_children "$(basename "${SLEEP_BIN:-sleep}")" "$SVD_PID")
                        [ "$pr" -ge "$N" ] && ms_since tp "$t0"
                fi
                if [ -z "$tc" ]; then
                        ctl=$(svd_running "$t")
                        [ "$ctl" -ge "$N" ] && ms_since tc "$t0"
                fi
                [ -n "$tc" ] && [ -n "$tp" ] && break
                alive "$SVD_PID" || { log "svd exited early:"; tail -n 20 "$t/svd.out" >&2; break; }
                now_us now
                if [ $((now - t0)) -ge $((BENCH_TIMEOUT * 1000000)) ]; then
                        log "svd: timeout, $ctl/$N running (svctl), $pr/$N sleep children"
                        break
                fi
                sleep "$POLL_S"
        done
        svd_stop "$t"
        svd_ms+=("${tc:-n/a}")
        svdp_ms+=("${tp:-n/a}")
        log "  svd:  ${tc:-n/a} ms (svctl)  ${tp:-n/a} ms (/proc); SIGTERM to all gone: $STOP_MS ms"
}

run_s6() {
        local t t0 ms=''
        mk_tmp t
        s6_setup "$t" "$N"
        now_us t0
        s6_start "$t"
        if wait_count s6_count "$N"; then ms_since ms "$t0"; fi
        s6_stop "$t"
        s6_ms+=("${ms:-n/a}")
        log "  s6:   ${ms:-n/a} ms; stop to all gone: $STOP_MS ms"
}

bare_count() { count_children "$(basename "${SLEEP_BIN:-sleep}")" "$BARE_PID"; }

run_bare() {
        local t t0 ms='' end
        mk_tmp t
        now_us t0
        "$BARE_BIN" "$N" >"$t/out" 2>&1 &
        BARE_PID=$!
        track_pid "$BARE_PID"
        if wait_count bare_count "$N"; then ms_since ms "$t0"; fi
        # bare_spawn prints its line right after the last spawn; give it a moment
        for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q end_us "$t/out" && break; sleep 0.05; done
        end=$(sed -n 's/.*end_us=\([0-9]*\).*/\1/p' "$t/out")
        stop_tree "$BARE_PID" TERM 10
        bare_ms+=("${ms:-n/a}")
        if [ -n "$end" ]; then bares_ms+=("$(us_to_ms $((end - t0)))"); else bares_ms+=(n/a); fi
        log "  bare: ${ms:-n/a} ms (/proc)  ${bares_ms[-1]} ms (self)"
}

med() { # median of the numeric values; n/a if any is n/a
        case " $* " in *" n/a "*) echo n/a ;; *) median "$@" ;; esac
}

for ((r = 1; r <= RUNS; r++)); do
        log "run $r/$RUNS (N=$N)"
        [ $HAVE_SVD = 1 ] && run_svd
        command -v s6-svscan >/dev/null && run_s6
        run_bare
done

S=n/a SP=n/a S6=n/a
[ $HAVE_SVD = 1 ] && S=$(med "${svd_ms[@]}") && SP=$(med "${svdp_ms[@]}")
[ ${#s6_ms[@]} -gt 0 ] && S6=$(med "${s6_ms[@]}")
B=$(med "${bare_ms[@]}")
BS=$(med "${bares_ms[@]}")

echo "== spawn: $N services, median of $RUNS runs, poll every ${POLL_MS} ms =="
printf '%-34s %10s   %s\n' "peer" "ms" "runs"
printf '%-34s %10s   %s\n' "svd (svctl: all running)" "$S" "${svd_ms[*]:-}"
printf '%-34s %10s   %s\n' "svd (/proc: N sleep children)" "$SP" "${svdp_ms[*]:-}"
printf '%-34s %10s   %s\n' "s6-svscan (/proc: N sleeps)" "$S6" "${s6_ms[*]:-}"
printf '%-34s %10s   %s\n' "bare posix_spawn (/proc)" "$B" "${bare_ms[*]}"
printf '%-34s %10s   %s\n' "bare posix_spawn (self-timed)" "$BS" "${bares_ms[*]}"
R1=$(ratio "$S" "$S6")
R2=$(ratio "$S" "$BS")
printf 'ratio svd/s6   = %-6s target <= 0.5  %s   (svd svctl-running vs s6 /proc)\n' "$R1" "$(verdict "$R1" le 0.5)"
printf 'ratio svd/bare = %-6s target <= 1.2  %s   (svd svctl-running vs bare self-timed, no poll latency)\n' "$R2" "$(verdict "$R2" le 1.2)"
printf 'same method (/proc poll for all): svd/s6 = %s, svd/bare = %s\n' "$(ratio "$SP" "$S6")" "$(ratio "$SP" "$B")"
