# bench/common.sh - helpers shared by the svd benchmarks. Source it; do not run it.
#
# Environment knobs (all optional):
#   SVD, SVCTL      binaries to benchmark   (default: <repo>/svd, <repo>/svctl)
#   SLEEP_BIN       program every service runs (default: sleep, found in PATH)
#   POLL_MS         poll interval in ms while waiting for spawns (default 5)
#   BENCH_TIMEOUT   seconds to wait for any one start-up before giving up (default 30)
#   KEEP_TMP=1      keep the temp dirs under /tmp for inspection

# shellcheck shell=bash
export LC_ALL=C # $EPOCHREALTIME must use '.' as decimal separator

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
SVD=${SVD:-$REPO_DIR/svd}
SVCTL=${SVCTL:-$REPO_DIR/svctl}
POLL_MS=${POLL_MS:-5}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-30}
POLL_S=$(printf '0.%03d' "$POLL_MS")

_TMPDIRS=()
_PIDS=()

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# now_us VAR: microseconds since the epoch into VAR, without forking.
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }

# ms_since VAR T0_US: milliseconds (one decimal) elapsed since T0_US.
ms_since() {
        local _n
        now_us _n
        printf -v "$1" '%d.%d' $(((_n - $2) / 1000)) $((((_n - $2) % 1000) / 100))
}

# us_to_ms US -> "123.4"
us_to_ms() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

mk_tmp() { # mk_tmp VAR
        local _d
        _d=$(mktemp -d /tmp/svd-bench.XXXXXX)
        _TMPDIRS+=("$_d")
        printf -v "$1" '%s' "$_d"
}

track_pid() { _PIDS+=("$1"); }

# descendants PID...: every descendant pid, one per line (one ps call).
descendants() {
        ps -e -o pid=,ppid= | awk -v roots="$*" '
                BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) want[r[i]] = 1 }
                { kids[$2] = kids[$2] " " $1 }
                END {
                        for (i = 1; i <= n; i++) q[++qt] = r[i]
                        for (h = 1; h <= qt; h++) {
                                m = split(kids[q[h]], k, " ")
                                for (j = 1; j <= m; j++) if (!(k[j] in want)) { want[k[j]] = 1; q[++qt] = k[j]; print k[j] }
                        }
                }'
}

alive() { kill -0 "$1" 2>/dev/null; }

# gone PID: true if PID no longer runs (absent, or a zombie waiting to be reaped)
gone() {
        local st
        alive "$1" || return 0
        st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
        [ "$st" = Z ] || [ -z "$st" ]
}

# wait_gone TIMEOUT_S PID...: wait until none of PIDs runs. Returns 1 on timeout.
wait_gone() {
        local timeout=$1 t0 n p left
        shift
        now_us t0
        while :; do
                left=0
                for p in "$@"; do
                        gone "$p" || { left=1; break; }
                done
                [ $left = 0 ] && return 0
                now_us n
                [ $((n - t0)) -ge $((timeout * 1000000)) ] && return 1
                sleep 0.01
        done
}

# stop_tree PID [SIG] [TIMEOUT_S]: send SIG (default TERM) to PID, give it
# TIMEOUT_S (default 10) to take its process tree down, then SIGKILL what is
# left of the tree (as it was before the signal) and reap PID. Sets
# STOP_LEFT = number of descendants that had to be SIGKILLed (0 = clean) and
# STOP_MS = time until the whole tree was gone. Call it directly, not in $( ),
# so that `wait` can reap PID.
stop_tree() {
        local pid=$1 sig=${2:-TERM} timeout=${3:-10} d p t0
        # shellcheck disable=SC2034 # STOP_MS is read by the callers
        STOP_LEFT=0 STOP_MS=0
        alive "$pid" || return 0
        d=$(descendants "$pid" | tr '\n' ' ')
        now_us t0
        kill -s "$sig" "$pid" 2>/dev/null || true
        # shellcheck disable=SC2086
        if ! wait_gone "$timeout" "$pid" $d; then
                for p in $pid $d; do
                        if ! gone "$p"; then
                                [ "$p" != "$pid" ] && STOP_LEFT=$((STOP_LEFT + 1))
                                kill -KILL "$p" 2>/dev/null || true
                        fi
                done
                # shellcheck disable=SC2086
                wait_gone 5 "$pid" $d || true
        fi
        ms_since STOP_MS "$t0"
        wait "$pid" 2>/dev/null || true
}

_cleanup() {
        local p
        for p in "${_PIDS[@]}"; do
                alive "$p" && stop_tree "$p" TERM 3
        done
        if [ "${KEEP_TMP:-0}" != 1 ]; then
                for p in "${_TMPDIRS[@]}"; do
                        case $p in /tmp/svd-bench.*) rm -rf -- "$p" ;; esac
                done
        else
                log "kept: ${_TMPDIRS[*]}"
        fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM HUP

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio A B -> A/B with 2 decimals ("n/a" if either is missing)
ratio() {
        case "$1$2" in *n/a* | "") echo n/a; return ;; esac
        awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# verdict VALUE OP TARGET -> PASS / MISS / n/a   (OP is le or ge)
verdict() {
        case "$1" in n/a | "") echo n/a; return ;; esac
        awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
                ok = (op == "le") ? (v <= t) : (v >= t); print ok ? "PASS" : "MISS" }'
}

# count_children NAME PARENTS_CSV: number of processes called NAME whose
# parent is in PARENTS_CSV (one /proc scan).
count_children() {
        [ -n "$2" ] || { echo 0; return; }
        pgrep -c -x "$1" -P "$2" 2>/dev/null || true
}

# ---------------------------------------------------------------- memory
# mem_kb PID -> "PSS_KB RSS_KB" from /proc/PID/smaps_rollup
mem_kb() {
        awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print p+0, r+0}' "/proc/$1/smaps_rollup"
}

# ---------------------------------------------------------------- bare
BARE_BIN=
build_bare() {
        local d
        [ -n "$BARE_BIN" ] && return 0
        mk_tmp d
        cc -O2 -o "$d/bare_spawn" "$BENCH_DIR/bare_spawn.c" || die "cannot compile bare_spawn.c"
        BARE_BIN=$d/bare_spawn
}

# ---------------------------------------------------------------- svd
svd_usable() {
        [ -x "$SVD" ] && [ -x "$SVCTL" ]
}

# try_build_svd: if the binaries are missing and a Makefile exists, try
# `make svd svctl` (never configures, never touches build files).
try_build_svd() {
        svd_usable && return 0
        if [ -f "$REPO_DIR/Makefile" ]; then
                log "svd not built; trying: make -C $REPO_DIR -j2 svd svctl"
                make -C "$REPO_DIR" -j2 svd svctl >/dev/null 2>&1 || log "build failed"
        fi
        svd_usable
}

# svd_setup DIR N: main config + N services s001.. running `sleep 100000`.
svd_setup() {
        local t=$1 n=$2 i
        mkdir -p "$t/etc" "$t/services" "$t/cgroups" "$t/state" "$t/log" "$t/run"
        cat >"$t/etc/svd.yaml" <<EOF
services_dir: ../services
slices_dir: ../cgroups
state_dir: ../state
log_dir: ../log
run_dir: ../run
EOF
        for ((i = 1; i <= n; i++)); do
                printf 'command: [%s, "100000"]\n' "${SLEEP_BIN:-sleep}" >"$t/services/$(printf 's%03d' "$i").yaml"
        done
}

# svd_start DIR -> sets SVD_PID
svd_start() {
        "$SVD" -c "$1/etc/svd.yaml" >>"$1/svd.out" 2>&1 &
        SVD_PID=$!
        track_pid "$SVD_PID"
}

# svd_running DIR -> number of services svctl reports as "running"
svd_running() {
        local out stripped
        out=$("$SVCTL" -s "$1/run/control.sock" status --json 2>/dev/null) || { echo 0; return; }
        out=${out//[[:space:]]/}
        stripped=${out//'"state":"running"'/}
        echo $(((${#out} - ${#stripped}) / 17))
}

# svd_wait_running DIR N [TIMEOUT_S]: poll until N services are running.
svd_wait_running() {
        local t0 n
        now_us t0
        while [ "$(svd_running "$1")" -lt "$2" ]; do
                alive "$SVD_PID" || { log "svd exited early; see $1/svd.out:"; tail -n 20 "$1/svd.out" >&2; return 1; }
                now_us n
                [ $((n - t0)) -lt $((${3:-$BENCH_TIMEOUT} * 1000000)) ] || {
                        log "timeout: only $(svd_running "$1")/$2 running after ${3:-$BENCH_TIMEOUT}s"
                        return 1
                }
                sleep "$POLL_S"
        done
}

# svd_stop DIR: SIGTERM svd and wait; warns if children had to be SIGKILLed.
svd_stop() {
        stop_tree "$SVD_PID" TERM 10
        [ "$STOP_LEFT" = 0 ] || log "warning: svd left $STOP_LEFT service process(es) behind 10 s after SIGTERM (SIGKILLed)"
}

# ---------------------------------------------------------------- s6
# s6_setup DIR N: DIR/scan with N service dirs whose run script execs sleep.
s6_setup() {
        local t=$1 n=$2 i d
        mkdir -p "$t/scan"
        for ((i = 1; i <= n; i++)); do
                d=$t/scan/$(printf 's%03d' "$i")
                mkdir -p "$d"
                printf '#!/bin/sh\nexec %s 100000\n' "${SLEEP_BIN:-sleep}" >"$d/run"
                chmod +x "$d/run"
        done
}

s6_start() {
        s6-svscan "$1/scan" >>"$1/s6.out" 2>&1 &
        S6_PID=$!
        track_pid "$S6_PID"
}

# s6_count: number of `sleep` processes under our s6-supervise processes
s6_count() {
        local sup
        sup=$(pgrep -d, -P "$S6_PID" 2>/dev/null) || { echo 0; return; }
        count_children "$(basename "${SLEEP_BIN:-sleep}")" "$sup"
}

s6_stop() {
        # SIGTERM to s6-svscan = s6-svscanctl -t: bring down every supervisor
        # (each SIGTERMs its service) and exit
        stop_tree "$S6_PID" TERM 10
        [ "$STOP_LEFT" = 0 ] || log "note: s6 tree needed SIGKILL for $STOP_LEFT process(es)"
}

# ---------------------------------------------------------------- supervisord
supervisord_setup() {
        local t=$1 n=$2 i
        mkdir -p "$t/sv"
        {
                printf '[supervisord]\nnodaemon=true\nlogfile=%s/sv/supervisord.log\npidfile=%s/sv/supervisord.pid\nchildlogdir=%s/sv\nloglevel=warn\n' "$t" "$t" "$t"
                printf '[unix_http_server]\nfile=%s/sv/supervisor.sock\n' "$t"
                printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n'
                for ((i = 1; i <= n; i++)); do
                        printf '[program:s%03d]\ncommand=%s 100000\nstdout_logfile=NONE\nstderr_logfile=NONE\nstartsecs=0\n' "$i" "${SLEEP_BIN:-sleep}"
                done
        } >"$t/sv/supervisord.conf"
}

supervisord_start() {
        supervisord -c "$1/sv/supervisord.conf" >>"$1/sv/out" 2>&1 &
        SV_PID=$!
        track_pid "$SV_PID"
}

supervisord_stop() { stop_tree "$SV_PID" TERM 15; }

# wait_count FUNC N [TIMEOUT_S]: poll FUNC until it prints >= N.
wait_count() {
        local t0 n
        now_us t0
        while [ "$($1)" -lt "$2" ]; do
                now_us n
                [ $((n - t0)) -lt $((${3:-$BENCH_TIMEOUT} * 1000000)) ] || {
                        log "timeout waiting for $1 >= $2 (have $($1))"
                        return 1
                }
                sleep "$POLL_S"
        done
}
