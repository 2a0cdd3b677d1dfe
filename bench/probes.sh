#!/usr/bin/env bash
# bench/probes.sh [N=500] [SECS=30]
#
# Cost of health checks, and how fast a dependent starts once its dependency
# is ready. Not a test: prints PASS/MISS, never fails on a threshold.
#
# 1. CPU per HTTP probe. One local HTTP server answers every check: Debian's
#    nginx by default (one process, epoll, HTTP/1.1 keep-alive, requests
#    counted by stub_status), the server the default stack's gateway runs
#    and Kong is built on, like the event-driven Go servers (GoTrue, Ollama)
#    of the stack; PROBE_SERVER=python uses tests/helpers/httpd.py instead
#    (a thread per connection). The server decides much of what a client's
#    check costs: the kernel mostly runs the woken server on the client's CPU
#    (each request preempts the client, with either server), and httpd.py
#    spends ~180 us of Python per request there against nginx's ~10 us. On
#    the same machine every libcurl client, the floors below included, costs
#    2-4 times as much against httpd.py as against nginx: the hot floor is
#    12-16 us against nginx (the issue's "~12 us per check through a reused
#    libcurl handle"), 40-70 us against httpd.py. svd
#    runs N `sleep` services, each with `healthcheck: http` every 1 s (HTTP
#    checks run in the svd-probe process, libcurl multi, connections reused).
#    Once all N are healthy (+ SETTLE_S), the CPU time of svd and of svd-probe
#    is read over SECS seconds (sum of /proc/PID/task/*/schedstat, i.e. ns on
#    CPU, for every thread; /proc/PID/stat utime+stime shown as a cross-check)
#    and divided by the probes the server actually answered in that window.
#    Peer, same run, same server: CURL_RUNS sequential
#    `curl -s -o /dev/null URL` (one fork+exec per probe, what an exec check
#    running curl costs). Its CPU is the rusage of the curl processes only
#    (bash `times`, children), not counting the loop's bash; the loop total
#    under `perf stat` (bash forks included) is shown too when perf works.
#    Second peer, same run, same server: bench/curl_reuse.c (compiled into
#    the temp dir), one libcurl easy handle reused for CURL_REUSE_RUNS
#    sequential GETs on one kept-alive connection, CPU per request from
#    CLOCK_PROCESS_CPUTIME_ID: the least any libcurl client can spend per
#    check on this machine (svd/floor is printed; no target, it is context
#    for the % of a core, which depends on the machine). Twice: back to back
#    (a hot loop: caches, predictors and the one server thread it talks to
#    all warm; the least possible, but no prober's duty cycle) and paced like
#    svd's probes (N/20 requests, then 50 ms asleep: one slot of svd's grid,
#    health.c), where each burst starts cold. On a shared VM the two differ
#    by 1.5-3x and the hot one swings 20-100 us with the other load: compare
#    svd + svd-probe with the paced one, measured right after its window.
#    In a VM whose idle vCPUs halt (cpuidle haltpoll with
#    guest_halt_poll_ns=0, as on the machine this was tuned on), every
#    request of the hot loop also pays for its vCPU halting while it waits
#    and being woken by an IPI: on an otherwise idle machine the hot floor
#    measured 58-70 us, with SCHED_IDLE spinners keeping both vCPUs awake
#    18-24 us (svd + svd-probe: 71 -> 52-56 us), which is why it swings with
#    the other load. The cpuidle setup is printed with the results.
#    Targets: curl/svd CPU per probe >= 100, svd + svd-probe <= 2 % of a core.
# 2. PSS of svd (smaps_rollup) with N services without any check vs the same
#    N with HTTP checks (after the CPU window); target: unchanged within 5 %.
#    svd-probe's own PSS is printed separately (it is not part of svd's).
# 3. Ready -> dependent latency. `ready` is a type: notify service
#    (bench/notify_ready.c, compiled into the temp dir) that stamps
#    CLOCK_REALTIME just before sendto(READY=1); `dependent` has
#    depends_on: { ready: { condition: healthy, restart: true } } and runs the
#    same binary in stamp mode (CLOCK_REALTIME at the top of main(), after
#    execve). REPS times: `svctl restart ready` (which restarts `dependent`
#    too), and per round:
#      svd's part   svd's log timestamp of "dependent: ... -> starting"
#                   minus the READY stamp (datagram + wakeup + scheduling)
#      end to end   dependent's main() stamp minus the READY stamp
#                   (svd's part + clone + execve + dynamic loading)
#    Target: median of svd's part < 1 ms.
#
# Knobs: CURL_RUNS (200), CURL_REUSE_RUNS (2000, each floor peer), REPS (20), SETTLE_S (2), READY_DELAY_MS (20: the
# notify service waits this long before READY=1, so that the dependent's
# stop has surely finished), PROBE_SERVER (nginx | python), NGINX (the nginx
# binary), plus those of common.sh. Needs nginx (or PROBE_SERVER=python), python3,
# cc (latency part), curl (peer; skipped if missing), perf (optional).
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

N=${1:-500}
SECS=${2:-30}
CURL_RUNS=${CURL_RUNS:-200}
CURL_REUSE_RUNS=${CURL_REUSE_RUNS:-2000}
REPS=${REPS:-20}
SETTLE_S=${SETTLE_S:-2}
READY_DELAY_MS=${READY_DELAY_MS:-20}
if [ "$N" -lt 1 ] || [ "$SECS" -lt 1 ]; then die "usage: $0 [N>=1] [SECS>=1]"; fi
command -v python3 >/dev/null || die "python3 is needed (the python server, /stats, reports)"
HTTPD_PY=$REPO_DIR/tests/helpers/httpd.py
[ -f "$HTTPD_PY" ] || die "missing $HTTPD_PY"
PROBE_SERVER=${PROBE_SERVER:-nginx}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
case "$PROBE_SERVER" in
nginx) [ -x "$NGINX" ] || die "nginx is needed for PROBE_SERVER=nginx (apt-get install nginx, or PROBE_SERVER=python)" ;;
python) ;;
*) die "PROBE_SERVER must be nginx or python, not '$PROBE_SERVER'" ;;
esac
try_build_svd || die "svd/svctl not found at $SVD, $SVCTL"
[ -x "$(dirname "$SVD")/svd-probe" ] || log "warning: no svd-probe next to $SVD: HTTP checks will fail"
HZ=$(getconf CLK_TCK)
w0=0 w1=0 cw0=0 t0=0 t1=0 # set by now_us (printf -v)

# ---------------------------------------------------------------- helpers
# cpu_ns PID -> ns on CPU, all threads (schedstat); "" if PID is gone
cpu_ns() {
        local f s=0 a
        for f in /proc/"$1"/task/*/schedstat; do
                read -r a _ <"$f" 2>/dev/null || continue
                s=$((s + a))
        done
        [ -d "/proc/$1" ] && echo "$s"
}
# ticks PID -> utime+stime in clock ticks (/proc/PID/stat, process total)
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# count_json DIR NEEDLE -> occurrences of NEEDLE in `svctl status --json`
count_json() {
        local out stripped
        out=$("$SVCTL" -s "$1/run/control.sock" status --json 2>/dev/null) || { echo 0; return; }
        out=${out//[[:space:]]/}
        stripped=${out//"$2"/}
        echo $(((${#out} - ${#stripped}) / ${#2}))
}

# wait_json DIR NEEDLE COUNT [TIMEOUT_S]
wait_json() {
        local t0 n
        now_us t0
        while [ "$(count_json "$1" "$2")" -lt "$3" ]; do
                alive "$SVD_PID" || { log "svd exited early; see $1/svd.out:"; tail -n 20 "$1/svd.out" >&2; return 1; }
                now_us n
                [ $((n - t0)) -lt $((${4:-$BENCH_TIMEOUT} * 1000000)) ] || {
                        log "timeout: only $(count_json "$1" "$2")/$3 with $2 after ${4:-$BENCH_TIMEOUT}s"
                        return 1
                }
                sleep 0.1
        done
}

# stats -> "CONNECTIONS REQUESTS" of the HTTP server (this request included)
stats() {
        python3 - "$PORT" <<'EOF'
import sys, urllib.request
b = urllib.request.urlopen("http://127.0.0.1:%s/stats" % sys.argv[1], timeout=5).read().decode().split()
if b[0] == "connections":  # httpd.py: "connections N requests M"
    print(b[1], b[3])
else:  # nginx stub_status: "... server accepts handled requests A H R ..."
    i = b.index("requests")
    print(b[i + 1], b[i + 3])
EOF
}

# mem3 PID -> "PSS RSS PSS_ANON" (KiB, smaps_rollup; Pss_Anon n/a on old kernels)
mem3() {
        awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Pss_Anon:/ {a=$2} END {print p+0, r+0, (a == "" ? "n/a" : a)}' "/proc/$1/smaps_rollup"
}

# ---------------------------------------------------------------- HTTP server
# nginx_conf DIR PORT -> a one-process nginx (epoll, keep-alive without a
# request limit) answering 200 "ok" everywhere and its counters on /stats
nginx_conf() {
        cat <<NGX
daemon off; master_process off; worker_processes 1; pid $1/nginx.pid; error_log stderr;
events { worker_connections 4096; }
http {
        access_log off; keepalive_requests 1000000000; keepalive_timeout 600s;
        client_body_temp_path $1/t; proxy_temp_path $1/t; fastcgi_temp_path $1/t;
        uwsgi_temp_path $1/t; scgi_temp_path $1/t;
        server {
                listen 127.0.0.1:$2;
                location = /stats { stub_status; }
                location / { default_type text/plain; return 200 "ok\n"; }
        }
}
NGX
}
mk_tmp TS
if [ "$PROBE_SERVER" = nginx ]; then
        PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        nginx_conf "$TS" "$PORT" >"$TS/nginx.conf"
        "$NGINX" -e stderr -p "$TS" -c "$TS/nginx.conf" 2>"$TS/httpd.err" &
        HTTPD_PID=$!
        track_pid "$HTTPD_PID"
        for _ in $(seq 100); do stats >/dev/null 2>&1 && break; sleep 0.05; done
        stats >/dev/null 2>&1 || die "nginx did not start: $(cat "$TS/httpd.err")"
else
        python3 "$HTTPD_PY" 0 >"$TS/port" 2>"$TS/httpd.err" &
        HTTPD_PID=$!
        track_pid "$HTTPD_PID"
        for _ in $(seq 100); do [ -s "$TS/port" ] && break; sleep 0.05; done
        PORT=$(head -n1 "$TS/port")
        [ -n "$PORT" ] || die "HTTP server did not start: $(cat "$TS/httpd.err")"
fi
URL="http://127.0.0.1:$PORT/health"
log "HTTP server ($PROBE_SERVER): $URL (pid $HTTPD_PID)"

# ---------------------------------------------------------------- svd runs
svd_setup_probes() { # DIR N: like svd_setup, plus an HTTP check per service
        local f
        svd_setup "$1" "$2"
        for f in "$1"/services/*.yaml; do
                cat >>"$f" <<EOF
healthcheck:
  http: { url: "$URL" }
  interval: 1s
  start_interval: 1s
EOF
        done
}

# Run A: N services, no checks -> PSS of svd
log "svd: $N services without checks"
mk_tmp TA
svd_setup "$TA" "$N"
svd_start "$TA"
PSS_A=n/a RSS_A=n/a ANON_A=n/a
if svd_wait_running "$TA" "$N"; then
        sleep "$SETTLE_S"
        read -r PSS_A RSS_A ANON_A < <(mem3 "$SVD_PID")
fi
svd_stop "$TA"

# Run B: N services with HTTP checks -> CPU over SECS, then PSS
log "svd: $N services with an HTTP check every 1 s"
mk_tmp TB
svd_setup_probes "$TB" "$N"
svd_start "$TB"
PROBE_PID=
C_SVD=n/a C_PRB=n/a T_SVD=n/a T_PRB=n/a C_HTTP=n/a REQS=n/a CONNS=n/a WIN_S=n/a
PSS_B=n/a RSS_B=n/a ANON_B=n/a PSS_B0=n/a RSS_B0=n/a ANON_B0=n/a
PSS_P=n/a RSS_P=n/a ANON_P=n/a PSS_P0=n/a RSS_P0=n/a ANON_P0=n/a UNHEALTHY=n/a FAILS=n/a LAT=n/a NEWC=n/a
if svd_wait_running "$TB" "$N" && wait_json "$TB" '"health":"healthy"' "$N"; then
        sleep "$SETTLE_S"
        PROBE_PID=$(pgrep -P "$SVD_PID" -x svd-probe | head -n1 || true)
        [ -n "$PROBE_PID" ] || log "warning: no svd-probe child of svd found"
        read -r PSS_B0 RSS_B0 ANON_B0 < <(mem3 "$SVD_PID")
        [ -n "$PROBE_PID" ] && read -r PSS_P0 RSS_P0 ANON_P0 < <(mem3 "$PROBE_PID")
        log "all $N healthy; measuring ${SECS}s (svd $SVD_PID, svd-probe ${PROBE_PID:-?}, httpd $HTTPD_PID)"
        read -r c0 r0 < <(stats)
        now_us w0
        s0=$(cpu_ns "$SVD_PID"); k0=$(ticks "$SVD_PID"); h0=$(cpu_ns "$HTTPD_PID")
        if [ -n "$PROBE_PID" ]; then p0=$(cpu_ns "$PROBE_PID"); q0=$(ticks "$PROBE_PID"); fi
        sleep "$SECS"
        s1=$(cpu_ns "$SVD_PID"); k1=$(ticks "$SVD_PID"); h1=$(cpu_ns "$HTTPD_PID")
        if [ -n "$PROBE_PID" ]; then p1=$(cpu_ns "$PROBE_PID"); q1=$(ticks "$PROBE_PID"); fi
        now_us w1
        read -r c1 r1 < <(stats)
        WIN_S=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
        REQS=$((r1 - r0 - 1)) # the second /stats request counts itself
        CONNS=$((c1 - c0 - 1))
        C_SVD=$((s1 - s0)) T_SVD=$((k1 - k0)) C_HTTP=$((h1 - h0))
        if [ -n "$PROBE_PID" ] && [ -n "${p1:-}" ]; then C_PRB=$((p1 - p0)) T_PRB=$((q1 - q0)); fi
        read -r PSS_B RSS_B ANON_B < <(mem3 "$SVD_PID")
        [ -n "$PROBE_PID" ] && read -r PSS_P RSS_P ANON_P < <(mem3 "$PROBE_PID")
        [ -n "$PROBE_PID" ] && [ "$(pgrep -P "$SVD_PID" -x svd-probe | head -n1)" != "$PROBE_PID" ] &&
                log "warning: svd-probe pid changed during the window"
        # health summary after the window: unhealthy count, failures, probe latency
        read -r UNHEALTHY FAILS LAT NEWC < <("$SVCTL" -s "$TB/run/control.sock" status --json | python3 -c '
import json, re, statistics, sys
s = json.load(sys.stdin)["services"]
lat, newc = [], 0
for x in s:
    m = re.search(r"in ([0-9.]+)ms(?: \(new connections: ([0-9]+)\))?", x.get("last_probe") or "")
    if m:
        lat.append(float(m.group(1))); newc += int(m.group(2) or 0)
print(sum(1 for x in s if x.get("health") != "healthy"), sum(x.get("probe_failures") or 0 for x in s),
      "%.2f" % statistics.median(lat) if lat else "n/a", newc)')
fi
svd_stop "$TB"

# ---------------------------------------------------------------- curl peer
CURL_US=n/a CURL_LOOP_US=n/a CURL_WALL_MS=n/a
if command -v curl >/dev/null; then
        log "peer: $CURL_RUNS x curl -s -o /dev/null $URL (sequential fork+exec)"
        read -r cr0 < <(stats | awk '{print $2}')
        now_us cw0
        # `times` line 2 = user and sys of the subshell's children (the curls)
        tout=$(
                for ((i = 0; i < CURL_RUNS; i++)); do curl -s -o /dev/null "$URL" || true; done
                times
        )
        ms_since CURL_WALL_MS "$cw0"
        read -r cr1 < <(stats | awk '{print $2}')
        [ $((cr1 - cr0 - 1)) -eq "$CURL_RUNS" ] || log "warning: server saw $((cr1 - cr0 - 1)) curl requests, expected $CURL_RUNS"
        CURL_US=$(sed -n 2p <<<"$tout" | awk -v n="$CURL_RUNS" '{
                t = 0
                for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
                printf "%.1f", t * 1e6 / n }')
        if command -v perf >/dev/null && perf stat -x, -e task-clock true >/dev/null 2>&1; then
                # the whole loop incl. bash's forks, task-clock in ms
                # shellcheck disable=SC2016 # $1 and $2 belong to the inner bash
                pl=$(perf stat -x, -e task-clock bash -c 'for ((i = 0; i < $1; i++)); do curl -s -o /dev/null "$2" || true; done' _ "$CURL_RUNS" "$URL" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}')
                [ -n "$pl" ] && CURL_LOOP_US=$(awk -v m="$pl" -v n="$CURL_RUNS" 'BEGIN { printf "%.1f", m * 1000 / n }')
        fi
else
        log "curl not installed: curl peer skipped"
fi

# ---------------------------------------------------------------- libcurl floor
REUSE_US=n/a REUSE_NEWC=n/a PACED_US=n/a PACED_NEWC=n/a
BURST=$(((N + 19) / 20))
mk_tmp TR
if command -v cc >/dev/null && cc -O2 -o "$TR/curl_reuse" "$BENCH_DIR/curl_reuse.c" -lcurl 2>"$TR/cc.err"; then
        log "peer: libcurl, one easy handle reused for $CURL_REUSE_RUNS sequential GETs"
        read -r REUSE_US REUSE_NEWC < <("$TR/curl_reuse" "$URL" "$CURL_REUSE_RUNS" || echo "n/a n/a")
        log "peer: the same, paced: $BURST requests then 50 ms asleep (svd's duty cycle)"
        read -r PACED_US PACED_NEWC < <("$TR/curl_reuse" "$URL" "$CURL_REUSE_RUNS" "$BURST" 50 || echo "n/a n/a")
else
        log "cannot compile curl_reuse.c (libcurl headers?): libcurl floor skipped"
fi

# ---------------------------------------------------------------- ready latency
LAT_SVD=n/a LAT_E2E=n/a LAT_NOTE=
if command -v cc >/dev/null; then
        log "ready -> dependent: $REPS restarts"
        mk_tmp TL
        cc -O2 -o "$TL/notify_ready" "$BENCH_DIR/notify_ready.c" || die "cannot compile notify_ready.c"
        svd_setup "$TL" 0
        cat >"$TL/services/ready.yaml" <<EOF
type: notify
command: ["$TL/notify_ready", ready, "$TL/ready.us", "$READY_DELAY_MS"]
EOF
        cat >"$TL/services/dependent.yaml" <<EOF
command: ["$TL/notify_ready", stamp, "$TL/dependent.us"]
depends_on: { ready: { condition: healthy, restart: true } }
EOF
        lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
        svd_start "$TL"
        if svd_wait_running "$TL" 2; then
                ok=0
                for ((r = 1; r <= REPS; r++)); do
                        a=$(lines "$TL/ready.us") b=$(lines "$TL/dependent.us")
                        "$SVCTL" -s "$TL/run/control.sock" restart ready >/dev/null
                        now_us t0
                        while [ "$(lines "$TL/ready.us")" -le "$a" ] || [ "$(lines "$TL/dependent.us")" -le "$b" ]; do
                                now_us t1
                                [ $((t1 - t0)) -lt 5000000 ] || break
                                sleep 0.005
                        done
                        [ "$(lines "$TL/dependent.us")" -gt "$b" ] && ok=$((ok + 1))
                        sleep 0.05
                done
                [ "$ok" = "$REPS" ] || log "warning: only $ok/$REPS rounds saw the dependent start"
                sleep 0.1 # let svd write its log lines
        fi
        svd_stop "$TL"
        # Pair each READY stamp (the first = the initial start, skipped) with
        # the first later "dependent: X -> starting" log line and dependent stamp.
        read -r LAT_SVD LAT_E2E LAT_NOTE < <(python3 - "$TL/ready.us" "$TL/dependent.us" "$TL/svd.out" <<'EOF'
import calendar, datetime, re, statistics, sys
ready = [int(x) for x in open(sys.argv[1]).read().split()][1:]
dep = [int(x) for x in open(sys.argv[2]).read().split()]
logts = []
for line in open(sys.argv[3], errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z .*\bdependent: \S+ -> starting", line)
    if m:
        dt = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
        logts.append(calendar.timegm(dt.timetuple()) * 1000000 + int(m.group(2)))
def lat(r, xs):
    later = [x - r for x in xs if x >= r]
    return min(later) if later else None
s = [v for v in (lat(r, logts) for r in ready) if v is not None]
e = [v for v in (lat(r, dep) for r in ready) if v is not None]
f = lambda v: "%.3f" % (statistics.median(v) / 1000) if v else "n/a"
rng = lambda v: "%.3f..%.3f" % (min(v) / 1000, max(v) / 1000) if v else "n/a"
print(f(s), f(e), "n=%d/%d svd=%s e2e=%s" % (len(s), len(ready), rng(s), rng(e)))
EOF
        ) || true
else
        log "cc not found: latency part skipped"
fi

# ---------------------------------------------------------------- report
us_per() { # NS PROBES -> µs per probe
        case "$1$2" in *n/a*) echo n/a; return ;; esac
        awk -v c="$1" -v n="$2" 'BEGIN { if (n <= 0) print "n/a"; else printf "%.2f\n", c / 1000 / n }'
}
pct() { # NS -> % of one core over the window
        case "$1$WIN_S" in *n/a*) echo n/a; return ;; esac
        awk -v c="$1" -v w="$WIN_S" 'BEGIN { printf "%.3f\n", c / 1e9 / w * 100 }'
}
tick_ms() { case "$1" in n/a) echo n/a ;; *) echo $(($1 * 1000 / HZ)) ;; esac; }
ms_of() { case "$1" in n/a) echo n/a ;; *) awk -v c="$1" 'BEGIN { printf "%.1f\n", c / 1e6 }' ;; esac; }

C_BOTH=n/a
[ "$C_SVD" != n/a ] && [ "$C_PRB" != n/a ] && C_BOTH=$((C_SVD + C_PRB))
T_BOTH=n/a
[ "$T_SVD" != n/a ] && [ "$T_PRB" != n/a ] && T_BOTH=$((T_SVD + T_PRB))
EXPECT=$(awk -v n="$N" -v w="$WIN_S" 'BEGIN { if (w == "n/a") print "n/a"; else printf "%.0f", n * w }')
PER_SVD=$(us_per "$C_BOTH" "$REQS")

echo "== HTTP health checks: $N services, every 1 s, ${WIN_S}s window; server answered $REQS probes (expected ~$EXPECT) on $CONNS new connections =="
printf '%-40s %10s %12s %9s %12s\n' peer "CPU ms" "us/probe" "% core" "stat ms"
printf '%-40s %10s %12s %9s %12s\n' "svd (main process)" "$(ms_of "$C_SVD")" "$(us_per "$C_SVD" "$REQS")" "$(pct "$C_SVD")" "$(tick_ms "$T_SVD")"
printf '%-40s %10s %12s %9s %12s\n' "svd-probe" "$(ms_of "$C_PRB")" "$(us_per "$C_PRB" "$REQS")" "$(pct "$C_PRB")" "$(tick_ms "$T_PRB")"
printf '%-40s %10s %12s %9s %12s\n' "svd + svd-probe" "$(ms_of "$C_BOTH")" "$PER_SVD" "$(pct "$C_BOTH")" "$(tick_ms "$T_BOTH")"
printf '%-40s %10s %12s %9s %12s\n' "curl fork+exec ($CURL_RUNS, curl procs only)" "" "$CURL_US" "" ""
printf '%-40s %10s %12s %9s %12s\n' "curl loop incl. bash forks (perf stat)" "" "$CURL_LOOP_US" "" ""
printf '%-40s %10s %12s %9s %12s\n' "libcurl reused handle ($CURL_REUSE_RUNS, hot loop)" "" "$REUSE_US" "" ""
printf '%-40s %10s %12s %9s %12s\n' "libcurl reused handle, $BURST per 50 ms" "" "$PACED_US" "" ""
printf '%-40s %10s %12s %9s %12s\n' "(HTTP server, $PROBE_SERVER, not counted)" "$(ms_of "$C_HTTP")" "$(us_per "$C_HTTP" "$REQS")" "$(pct "$C_HTTP")" ""
echo "(machine: $(nproc) CPUs, vm: $(systemd-detect-virt --vm 2>/dev/null || true), cpuidle $(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo n/a), guest_halt_poll_ns $(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null || echo n/a), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "(CPU = schedstat ns of all threads; 'stat ms' = utime+stime ticks at ${HZ} Hz as a cross-check; curl wall: $CURL_WALL_MS ms for $CURL_RUNS)"
echo "after the window: $UNHEALTHY not healthy, $FAILS probe failures in total, median last_probe ${LAT} ms, new connections in last probes: $NEWC"
R=$(ratio "$CURL_US" "$PER_SVD")
P=$(pct "$C_BOTH")
printf 'ratio curl/svd CPU per probe = %-8s target >= 100  %s\n' "$R" "$(verdict "$R" ge 100)"
printf 'svd + svd-probe %% of a core  = %-8s target <= 2    %s\n' "$P" "$(verdict "$P" le 2)"
RF=$(ratio "$PER_SVD" "$REUSE_US")
FP=n/a
[ "$REUSE_US" != n/a ] && FP=$(awk -v u="$REUSE_US" -v n="$N" 'BEGIN { printf "%.3f", u * n / 1e6 * 100 }')
printf 'svd + svd-probe / libcurl floor = %-6s (the floor alone at %s probes/s = %s %% of a core; %s new connections in its loop)\n' \
        "$RF" "$N" "$FP" "$REUSE_NEWC"
RP=$(ratio "$PER_SVD" "$PACED_US")
PP=n/a
[ "$PACED_US" != n/a ] && PP=$(awk -v u="$PACED_US" -v n="$N" 'BEGIN { printf "%.3f", u * n / 1e6 * 100 }')
printf 'svd + svd-probe / paced floor   = %-6s (the paced floor alone at %s probes/s = %s %% of a core; %s new connections)\n' \
        "$RP" "$N" "$PP" "$PACED_NEWC"

echo "== memory (KiB, smaps_rollup), $N services =="
printf '%-44s %9s %9s %9s\n' process PSS RSS Pss_Anon
printf '%-44s %9s %9s %9s\n' "svd, no checks" "$PSS_A" "$RSS_A" "$ANON_A"
printf '%-44s %9s %9s %9s\n' "svd, HTTP checks, all healthy (+${SETTLE_S}s)" "$PSS_B0" "$RSS_B0" "$ANON_B0"
printf '%-44s %9s %9s %9s\n' "svd, HTTP checks, after the ${SECS}s window" "$PSS_B" "$RSS_B" "$ANON_B"
printf '%-44s %9s %9s %9s\n' "svd-probe, all healthy (separate process)" "$PSS_P0" "$RSS_P0" "$ANON_P0"
printf '%-44s %9s %9s %9s\n' "svd-probe, after the window" "$PSS_P" "$RSS_P" "$ANON_P"
echo "(svd-probe maps the same libc/libev/libcjson as svd, which lowers svd's PSS for those pages; compare Pss_Anon too)"
D=n/a
case "$PSS_A$PSS_B" in *n/a*) ;; *) D=$(awk -v a="$PSS_A" -v b="$PSS_B" 'BEGIN { printf "%.1f", (b - a) * 100 / a }') ;; esac
AD=${D#-}
DA=n/a
case "$ANON_A$ANON_B" in *n/a*) ;; *) DA=$(awk -v a="$ANON_A" -v b="$ANON_B" 'BEGIN { printf "%.1f", (b - a) * 100 / a }') ;; esac
printf 'svd PSS with/without checks = %s / %s KiB = %s\n' "$PSS_B" "$PSS_A" "$(ratio "$PSS_B" "$PSS_A")"
printf 'svd PSS change with checks = %s %%   target within +-5  %s   (no checks -> after the window)\n' "$D" "$(verdict "$AD" le 5)"
printf 'svd Pss_Anon change        = %s %%   (heap and stacks only; not a target, for reading the PSS line)\n' "$DA"

echo "== ready -> dependent start (ms, median of $REPS restarts; READY sent ${READY_DELAY_MS} ms after start) =="
printf '%-52s %9s\n' "svd's part (log 'dependent: -> starting' - READY)" "$LAT_SVD"
printf '%-52s %9s\n' "end to end (dependent main() - READY)" "$LAT_E2E"
echo "(${LAT_NOTE:-no data})"
printf 'svd part median = %s ms   target < 1  %s\n' "$LAT_SVD" "$(verdict "$LAT_SVD" le 0.999)"
