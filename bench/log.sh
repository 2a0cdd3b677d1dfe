#!/usr/bin/env bash
# bench/log.sh [LINES=1000000] [FANIN_SECONDS=30]
#
# Service-output throughput and fan-in cost, every peer measured in the same
# run. Not a test: prints figures and PASS/MISS against the targets:
#     svd (timestamps on)  >= 3   x s6-log t       (throughput)
#     svd (timestamps on)  >= 0.4 x plain file     (producer > file, no logger)
#     svd (timestamps off) >= 0.9 x plain file
#     fan-in 100 services x 100 lines/s: svd CPU% vs runit + svlogd -tt
#
# Producer: tests/helpers/loggen (LINES numbered lines of ~74 bytes, stdout
# and stderr in runs of 7, 4 KiB writes). Throughput = LINES / wall time from
# launching the pipeline until the logger has written the last byte:
#   file      loggen > FILE 2>&1 (no logger at all: the ceiling)
#   svd       svd starts the service; done when svctl shows it exited (svd
#             drains and writes the pipes before it records the exit)
#   s6-log    loggen 2>&1 | s6-log t s100000000 n20 DIR  (exits at EOF)
#   svlogd    loggen 2>&1 | svlogd -tt DIR               (skipped if absent)
#   supervisord  program with stdout_logfile, redirect_stderr; done when the
#             file has reached the plain file's size
# Fan-in: 100 services each writing 100 lines/s (one write per line) for
# FANIN_SECONDS; CPU time of svd alone vs runsvdir + runsv + svlogd (the
# producers are excluded on both sides).
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
SVD=${SVD:-$REPO/svd}
SVCTL=${SVCTL:-$REPO/svctl}
LINES=${1:-1000000}
FANIN_S=${2:-30}
PAD=$(printf 'p%.0s' $(seq 60))

W=$(mktemp -d /tmp/svd-bench-log.XXXXXX)
PIDS=()
cleanup() {
        for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
        sleep 0.3
        for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
        [ -n "${KEEP_TMP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

LOGGEN=$REPO/tests/helpers/loggen
if [ ! -x "$LOGGEN" ]; then
        LOGGEN=$W/loggen
        cc -O2 -o "$LOGGEN" "$REPO/tests/helpers/loggen.c"
fi

now() { printf '%s' "${EPOCHREALTIME}"; }
elapsed() { python3 -c "print(f'{$(now) - $1:.3f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
verdict() { python3 -c "import sys; print('PASS' if $1 >= $2 else 'MISS')"; }

# ---- throughput ----
svd_run() { # svd_run TIMESTAMPS(true|false) -> seconds
        local d=$W/svd-$1
        mkdir -p "$d/etc" "$d/services"
        printf 'services_dir: ../services\nstate_dir: ../state\nlog_dir: ../log\nrun_dir: ../run\n' > "$d/etc/svd.yaml"
        cat > "$d/services/gen.yaml" <<EOF
command: ["$LOGGEN", "-", "$LINES", "-", "$PAD"]
restart: no
logging: { timestamps: $1, compress: false, max_size: 100M }
EOF
        local t0
        t0=$(now)
        "$SVD" -c "$d/etc/svd.yaml" > "$d/svd.out" 2>&1 &
        local pid=$!
        PIDS+=("$pid")
        until "$SVCTL" -s "$d/run/control.sock" status --json 2>/dev/null | grep -q '"state":"exited"'; do
                sleep 0.01
        done
        elapsed "$t0"
        kill "$pid"
        wait "$pid" 2>/dev/null || true
}

echo "== throughput: $LINES lines of ~74 bytes (stdout + stderr)" >&2
t0=$(now)
"$LOGGEN" - "$LINES" - "$PAD" > "$W/plain" 2>&1
t_file=$(elapsed "$t0")
plain_size=$(stat -c %s "$W/plain")
rm -f "$W/plain"

t_svd_on=$(svd_run true)
t_svd_off=$(svd_run false)

mkdir -p "$W/s6"
t0=$(now)
"$LOGGEN" - "$LINES" - "$PAD" 2>&1 | s6-log t s100000000 n20 "$W/s6"
t_s6=$(elapsed "$t0")

t_svlogd=
if command -v svlogd >/dev/null; then
        mkdir -p "$W/svlogd"
        t0=$(now)
        "$LOGGEN" - "$LINES" - "$PAD" 2>&1 | svlogd -tt "$W/svlogd"
        t_svlogd=$(elapsed "$t0")
else
        echo "svlogd not found (Debian package runit): skipped" >&2
fi

t_sup=
if command -v supervisord >/dev/null; then
        mkdir -p "$W/sup"
        cat > "$W/sup/sup.conf" <<EOF
[supervisord]
nodaemon=true
logfile=$W/sup/supervisord.log
pidfile=$W/sup/supervisord.pid
[unix_http_server]
file=$W/sup/sup.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:gen]
command=$LOGGEN - $LINES - $PAD
autorestart=false
startsecs=0
redirect_stderr=true
stdout_logfile=$W/sup/gen.log
stdout_logfile_maxbytes=0
EOF
        t0=$(now)
        supervisord -c "$W/sup/sup.conf" > /dev/null 2>&1 &
        PIDS+=("$!")
        deadline=$((SECONDS + 120))
        until [ "$(stat -c %s "$W/sup/gen.log" 2>/dev/null || echo 0)" -ge "$plain_size" ]; do
                [ $SECONDS -gt $deadline ] && break
                sleep 0.01
        done
        t_sup=$(elapsed "$t0")
        kill "${PIDS[-1]}" 2>/dev/null || true
fi

lps() { python3 -c "print(f'{$LINES / $1 / 1e6:.2f}M lines/s')"; }
printf '%-22s %8ss  %s\n' "plain file" "$t_file" "$(lps "$t_file")"
printf '%-22s %8ss  %s\n' "svd timestamps on" "$t_svd_on" "$(lps "$t_svd_on")"
printf '%-22s %8ss  %s\n' "svd timestamps off" "$t_svd_off" "$(lps "$t_svd_off")"
printf '%-22s %8ss  %s\n' "s6-log t" "$t_s6" "$(lps "$t_s6")"
[ -n "$t_svlogd" ] && printf '%-22s %8ss  %s\n' "svlogd -tt" "$t_svlogd" "$(lps "$t_svlogd")"
[ -n "$t_sup" ] && printf '%-22s %8ss  %s\n' "supervisord" "$t_sup" "$(lps "$t_sup")"
r=$(ratio "$t_s6" "$t_svd_on")
echo "svd(ts on) / s6-log     = ${r}x  (target >= 3)    $(verdict "$r" 3)"
r=$(ratio "$t_file" "$t_svd_on")
echo "svd(ts on) / plain file = ${r}x  (target >= 0.4)  $(verdict "$r" 0.4)"
r=$(ratio "$t_file" "$t_svd_off")
echo "svd(ts off) / plain     = ${r}x  (target >= 0.9)  $(verdict "$r" 0.9)"
[ -n "$t_svlogd" ] && echo "svd(ts on) / svlogd     = $(ratio "$t_svlogd" "$t_svd_on")x"
[ -n "$t_sup" ] && echo "svd(ts on) / supervisord = $(ratio "$t_sup" "$t_svd_on")x"

# ---- fan-in ----
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
echo "== fan-in: $N services x 100 lines/s for ${FANIN_S}s" >&2

d=$W/fan-svd
mkdir -p "$d/etc" "$d/services"
printf 'services_dir: ../services\nstate_dir: ../state\nlog_dir: ../log\nrun_dir: ../run\n' > "$d/etc/svd.yaml"
for i in $(seq $N); do
        printf 'command: ["%s", "-", "0", "-", "%s", "100"]\n' "$LOGGEN" "$PAD" > "$d/services/s$i.yaml"
done
"$SVD" -c "$d/etc/svd.yaml" > "$d/svd.out" 2>&1 &
svd_pid=$!
PIDS+=("$svd_pid")
sleep 2
c0=$(cpu_ticks "$svd_pid")
sleep "$FANIN_S"
c1=$(cpu_ticks "$svd_pid")
kill "$svd_pid"
wait "$svd_pid" 2>/dev/null || true
svd_cpu=$(python3 -c "print(f'{($c1 - $c0) / $HZ / $FANIN_S * 100:.2f}')")

runit_cpu=
if command -v runsvdir >/dev/null && command -v svlogd >/dev/null; then
        d=$W/fan-runit
        mkdir -p "$d/sv"
        for i in $(seq $N); do
                s=$d/sv/s$i
                mkdir -p "$s/log/main"
                printf '#!/bin/sh\nexec %s - 0 - %s 100 2>&1\n' "$LOGGEN" "$PAD" > "$s/run"
                printf '#!/bin/sh\nexec svlogd -tt ./main\n' > "$s/log/run"
                chmod +x "$s/run" "$s/log/run"
        done
        runsvdir -P "$d/sv" > /dev/null 2>&1 &
        rd=$!
        PIDS+=("$rd")
        sleep 2
        pids() { echo "$rd"; pgrep -P "$rd" || true; for p in $(pgrep -P "$rd"); do pgrep -P "$p" -x svlogd || true; done; }
        mapfile -t rp < <(pids)
        c0=$(cpu_ticks "${rp[@]}")
        sleep "$FANIN_S"
        c1=$(cpu_ticks "${rp[@]}")
        runit_cpu=$(python3 -c "print(f'{($c1 - $c0) / $HZ / $FANIN_S * 100:.2f}')")
        echo "runit processes measured: ${#rp[@]} (runsvdir + runsv + svlogd)" >&2
        kill -HUP "$rd" 2>/dev/null || true # runsvdir: HUP stops all runsv
        sleep 1
else
        echo "runit not found: fan-in peer skipped" >&2
fi
echo "fan-in CPU: svd ${svd_cpu}%${runit_cpu:+, runit+svlogd ${runit_cpu}%}"
[ -n "$runit_cpu" ] && python3 -c "print(f'svd / runit+svlogd CPU = {$svd_cpu / max($runit_cpu, 0.01):.2f}x (lower is better)')"
exit 0
