#!/usr/bin/env bash
# bench/log.sh [LINES=2000000] [FANIN_SECONDS=30]
#
# Service-output throughput and fan-in cost, every peer measured in the same
# run. Not a test: prints figures and PASS/MISS against the targets:
#     svd (timestamps on)  >= 3   x s6-log t       (throughput)
#     svd (timestamps on)  >= 0.4 x plain file     (producer > file, no logger)
#     svd (timestamps off) >= 0.9 x plain file
#     fan-in 100 services x 100 lines/s: svd CPU <= 3% of a core and
#                                        <= 0.15 x runit + svlogd -tt
#
# Throughput is measured in ROUNDS rounds (env, default 5). Each round runs
# every variant once, in an order rotated by one each round, so a burst of
# load from elsewhere on a shared machine hits all of them alike; the table
# shows each variant's median and the ratios are taken between medians.
# Variants (producer: tests/helpers/loggen, LINES numbered lines of ~74
# bytes, stdout and stderr in runs of 7, 4 KiB writes):
#   plain file   loggen > FILE 2>&1 (no logger at all: the ceiling)
#   svd ts on    svd starts it as a service, timestamps: true
#   svd ts off   the same with timestamps: false
#   s6-log t     loggen 2>&1 | s6-log t s100000000 n20 DIR
#   svlogd -tt   loggen 2>&1 | svlogd -tt DIR         (skipped if absent)
#   supervisord  [program] with stdout_logfile, redirect_stderr (skipped if
#                absent)
# One stopwatch (bench/logrun.c, compiled on the fly) times them all, from
# the first byte in the log file to the end: the pipelines' exit (s6-log and
# svlogd exit at EOF, after their last write), or for svd and supervisord
# the moment their file holds every byte (checked every millisecond). The
# start-up of the supervisor or logger is left out of the throughput (it is
# shown as "from spawn": svd's is 5-15 ms, supervisord's most of a second).
#
# Fan-in: 100 services each writing 100 lines/s (one write per line) for
# FANIN_SECONDS (0 skips it); CPU time of svd alone vs runsvdir + runsv +
# svlogd (the producers are excluded on both sides).
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LINES=${1:-2000000}
FANIN_S=${2:-30}
ROUNDS=${ROUNDS:-5}
PAD=$(printf 'p%.0s' $(seq 60))
try_build_svd || die "no svd binary (build first)"

mk_tmp W
LOGGEN=$REPO_DIR/tests/helpers/loggen
if [ ! -x "$LOGGEN" ]; then
        LOGGEN=$W/loggen
        cc -O2 -o "$LOGGEN" "$REPO_DIR/tests/helpers/loggen.c" || die "cannot compile loggen.c"
fi
LOGRUN=$W/logrun
cc -O2 -o "$LOGRUN" "$BENCH_DIR/logrun.c" || die "cannot compile logrun.c"
GEN="$LOGGEN - $LINES - $PAD"

# ---------------------------------------------------------------- throughput
svd_conf() { # svd_conf DIR TIMESTAMPS
        mkdir -p "$1/etc" "$1/services"
        printf 'services_dir: ../services\nstate_dir: ../state\nlog_dir: ../log\nrun_dir: ../run\n' >"$1/etc/svd.yaml"
        cat >"$1/services/gen.yaml" <<EOF
command: ["$LOGGEN", "-", "$LINES", "-", "$PAD"]
restart: no
logging: { timestamps: $2, compress: false, max_size: 1G }
EOF
}
svd_conf "$W/svd-on" true
svd_conf "$W/svd-off" false

HAVE_SVLOGD=0
command -v svlogd >/dev/null && HAVE_SVLOGD=1 || log "svlogd not found (Debian package runit): skipped"
HAVE_SUP=0
if command -v supervisord >/dev/null; then
        HAVE_SUP=1
        mkdir -p "$W/sup"
        cat >"$W/sup/sup.conf" <<EOF
[supervisord]
nodaemon=true
logfile=$W/sup/supervisord.log
pidfile=$W/sup/supervisord.pid
[unix_http_server]
file=$W/sup/sup.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:gen]
command=$GEN
autorestart=false
startsecs=0
redirect_stderr=true
stdout_logfile=$W/sup/gen.log
stdout_logfile_maxbytes=0
EOF
else
        log "supervisord not found (Debian package supervisor): skipped"
fi

# The plain file's size is what svd (timestamps off) and supervisord must
# reach; with timestamps svd adds "<27-byte time> out " (32 bytes) per line.
sh -c "exec $GEN" >"$W/plain" 2>&1
PLAIN_SIZE=$(stat -c %s "$W/plain")
ON_SIZE=$((PLAIN_SIZE + 32 * LINES))
rm -f "$W/plain"

VARIANTS=(file svd_on svd_off s6)
[ $HAVE_SVLOGD = 1 ] && VARIANTS+=(svlogd)
[ $HAVE_SUP = 1 ] && VARIANTS+=(sup)
declare -A LABEL=([file]="plain file" [svd_on]="svd timestamps on" [svd_off]="svd timestamps off"
        [s6]="s6-log t" [svlogd]="svlogd -tt" [sup]="supervisord")
declare -A TIMES TOTALS

# run_variant NAME -> "LOGGING TOTAL" seconds on stdout (see logrun.c)
run_variant() {
        local d
        case $1 in
        file)
                "$LOGRUN" -f "$W/plain" -- sh -c "exec $GEN >'$W/plain' 2>&1"
                rm -f "$W/plain"
                ;;
        svd_on | svd_off)
                d=$W/svd-${1#svd_}
                rm -rf "$d/state" "$d/log" "$d/run"
                local want=$PLAIN_SIZE
                [ "$1" = svd_on ] && want=$ON_SIZE
                "$LOGRUN" -f "$d/log/gen.log" -z "$want" -- "$SVD" -c "$d/etc/svd.yaml" 2>>"$d/svd.out"
                local got
                got=$(stat -c %s "$d/log/gen.log")
                [ "$got" = "$want" ] || log "warning: $1 wrote $got bytes, expected $want"
                ;;
        s6)
                rm -rf "$W/s6" && mkdir -p "$W/s6"
                "$LOGRUN" -f "$W/s6/current" -- sh -c "$GEN 2>&1 | s6-log t s100000000 n20 '$W/s6'"
                ;;
        svlogd)
                rm -rf "$W/svlogd" && mkdir -p "$W/svlogd"
                "$LOGRUN" -f "$W/svlogd/current" -- sh -c "$GEN 2>&1 | svlogd -tt '$W/svlogd'"
                ;;
        sup)
                rm -f "$W/sup/gen.log"
                "$LOGRUN" -f "$W/sup/gen.log" -z "$PLAIN_SIZE" -- supervisord -c "$W/sup/sup.conf"
                ;;
        esac
}

log "== throughput: $LINES lines of ~74 bytes (stdout + stderr), $ROUNDS rounds, variants interleaved"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
nv=${#VARIANTS[@]}
for ((r = 0; r < ROUNDS; r++)); do
        order=()
        for ((i = 0; i < nv; i++)); do
                v=${VARIANTS[$(((i + r) % nv))]}
                read -r t total < <(run_variant "$v")
                TIMES[$v]="${TIMES[$v]:-} $t"
                TOTALS[$v]="${TOTALS[$v]:-} $total"
                order+=("$v=$t")
        done
        log "round $((r + 1)): ${order[*]}"
done

declare -A MED BEST
printf '%-20s %9s  %12s  %7s  %10s   %s\n' variant "median s" "lines/s" "best s" "from spawn" "all rounds (s)"
for v in "${VARIANTS[@]}"; do
        # shellcheck disable=SC2086
        MED[$v]=$(median ${TIMES[$v]})
        # shellcheck disable=SC2086
        BEST[$v]=$(printf '%s\n' ${TIMES[$v]} | sort -g | head -n 1)
        # shellcheck disable=SC2086
        printf '%-20s %9s  %11.2fM  %7s  %10s   %s\n' "${LABEL[$v]}" "${MED[$v]}" \
                "$(awk -v n="$LINES" -v t="${MED[$v]}" 'BEGIN { print n / t / 1e6 }')" "${BEST[$v]}" \
                "$(median ${TOTALS[$v]})" "${TIMES[$v]# }"
done
# Throughput ratios = inverse time ratios; the verdict is on the medians, the
# ratio of the best rounds is shown beside it (on a loaded machine the best
# round is the one least disturbed).
target() { # target LABEL FASTER SLOWER MIN
        local r b
        r=$(ratio "${MED[$2]}" "${MED[$3]}")
        b=$(ratio "${BEST[$2]}" "${BEST[$3]}")
        printf '%-26s = %5sx  (best rounds %5sx)  target >= %-4s %s\n' "$1" "$r" "$b" "$4" "$(verdict "$r" ge "$4")"
}
target "svd(ts on)  / s6-log t" s6 svd_on 3
target "svd(ts on)  / plain file" file svd_on 0.4
target "svd(ts off) / plain file" file svd_off 0.9
[ $HAVE_SVLOGD = 1 ] && echo "svd(ts on)  / svlogd -tt   = $(ratio "${MED[svlogd]}" "${MED[svd_on]}")x"
[ $HAVE_SUP = 1 ] && echo "svd(ts on)  / supervisord  = $(ratio "${MED[sup]}" "${MED[svd_on]}")x"
echo "load average after the throughput rounds: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

# ---------------------------------------------------------------- fan-in
[ "$FANIN_S" -gt 0 ] || exit 0
cpu_ticks() { # sum of utime+stime of the given pids
        local t=0 p f
        for p in "$@"; do
                f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
                t=$((t + ${f% *} + ${f#* }))
        done
        echo "$t"
}
HZ=$(getconf CLK_TCK)
N=100
log "== fan-in: $N services x 100 lines/s for ${FANIN_S}s"

d=$W/fan-svd
mkdir -p "$d/etc" "$d/services"
printf 'services_dir: ../services\nstate_dir: ../state\nlog_dir: ../log\nrun_dir: ../run\n' >"$d/etc/svd.yaml"
for i in $(seq $N); do
        printf 'command: ["%s", "-", "0", "-", "%s", "100"]\n' "$LOGGEN" "$PAD" >"$d/services/s$i.yaml"
done
svd_start "$d"
sleep 2
c0=$(cpu_ticks "$SVD_PID")
sleep "$FANIN_S"
c1=$(cpu_ticks "$SVD_PID")
svd_stop
svd_cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$FANIN_S" 'BEGIN { printf "%.2f", (b - a) / hz / s * 100 }')

runit_cpu=
if command -v runsvdir >/dev/null && command -v svlogd >/dev/null; then
        d=$W/fan-runit
        mkdir -p "$d/sv"
        for i in $(seq $N); do
                s=$d/sv/s$i
                mkdir -p "$s/log/main"
                printf '#!/bin/sh\nexec %s - 0 - %s 100 2>&1\n' "$LOGGEN" "$PAD" >"$s/run"
                printf '#!/bin/sh\nexec svlogd -tt ./main\n' >"$s/log/run"
                chmod +x "$s/run" "$s/log/run"
        done
        runsvdir -P "$d/sv" >/dev/null 2>&1 &
        rd=$!
        track_pid "$rd"
        sleep 2
        pids() { echo "$rd"; pgrep -P "$rd" || true; for p in $(pgrep -P "$rd"); do pgrep -P "$p" -x svlogd || true; done; }
        mapfile -t rp < <(pids)
        c0=$(cpu_ticks "${rp[@]}")
        sleep "$FANIN_S"
        c1=$(cpu_ticks "${rp[@]}")
        runit_cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$FANIN_S" 'BEGIN { printf "%.2f", (b - a) / hz / s * 100 }')
        log "runit processes measured: ${#rp[@]} (runsvdir + runsv + svlogd)"
        kill -HUP "$rd" 2>/dev/null || true # runsvdir: HUP stops all runsv
        sleep 1
        stop_tree "$rd" TERM 5
else
        log "runit not found: fan-in peer skipped"
fi
echo "fan-in CPU: svd ${svd_cpu}% of a core (target <= 3)  $(verdict "$svd_cpu" le 3)"
if [ -n "$runit_cpu" ]; then
        r=$(ratio "$svd_cpu" "$runit_cpu")
        echo "fan-in CPU: runit+svlogd ${runit_cpu}%; svd / runit+svlogd = ${r}x  (target <= 0.15)  $(verdict "$r" le 0.15)"
fi
exit 0
