#!/bin/bash
# metrics.textfile: svd writes its metrics for node_exporter's textfile
# collector; a real node_exporter (Debian's prometheus-node-exporter) on a
# free loopback port serves them, and a scrape shows svd_service_up 1 (for a
# real PostgreSQL named postgres, healthy, when a server is installed).
. "$(dirname "$0")/lib.sh"
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$NE" ] || { echo "SKIP: prometheus-node-exporter not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }

mkdir -p "$T/textfile"
cat >> "$T/etc/svd.yaml" <<EOF
metrics: { textfile: ../textfile/svd.prom, interval: 1s }
EOF
service web <<EOF
command: [sleep, "1000"]
EOF
service job <<EOF
type: oneshot
command: ["true"]
EOF
PG=
if [ "$(id -u)" = 0 ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        pg_setup
        PG=1
        service postgres <<EOF
type: notify
user: postgres
command: [$PGBIN/postgres, -D, $T/pgdata, -c, "port=$PORT", -c, listen_addresses=127.0.0.1, -c, "unix_socket_directories=$T/pgsock"]
stop: { signal: SIGINT, timeout: 30s }
healthcheck: { exec: [$PGBIN/pg_isready, -h, 127.0.0.1, -p, "$PORT"], start_interval: 100ms, interval: 1s }
EOF
else
        echo "no PostgreSQL server (or not root): the postgres part is skipped"
fi
start_svd
wait_state web running
wait_state job exited
# the textfile is rewritten on its interval: wait until it reflects both states
wait_for grep -q '^svd_service_up{service="web",slice=""} 1$' "$T/textfile/svd.prom"
wait_for grep -q '^svd_service_state{service="job",slice="",state="exited"} 1$' "$T/textfile/svd.prom"
[ "$(stat -c %a "$T/textfile/svd.prom")" = 644 ] || fail "svd.prom mode"
ls "$T/textfile" | grep -v '^svd.prom$' && fail "temporary files left in the textfile directory"

port=$(free_port)
"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
        --collector.textfile.directory="$T/textfile" > "$T/ne.out" 2>&1 &
NE_PID=$!
trap 'kill $NE_PID 2>/dev/null || true; cleanup' EXIT
scrape() { curl -fsS "http://127.0.0.1:$port/metrics" > "$T/scrape.out" 2>/dev/null; }
wait_for scrape
grep -q '^svd_service_up{service="web",slice=""} 1$' "$T/scrape.out" || fail "scrape: $(grep svd_ "$T/scrape.out")"
grep -q '^svd_service_up{service="job",slice=""} 0$' "$T/scrape.out" || fail "scrape (job): $(grep svd_ "$T/scrape.out")"
if [ -n "$PG" ]; then
        pg_healthy() { scrape && grep -q '^svd_service_healthy{service="postgres",slice=""} 1$' "$T/scrape.out"; }
        wait_for pg_healthy
        grep -q '^svd_service_up{service="postgres",slice=""} 1$' "$T/scrape.out" || fail "scrape (postgres): $(grep svd_ "$T/scrape.out")"
        grep -q '^svd_service_restarts_total{service="postgres",slice=""} 0$' "$T/scrape.out" || fail "postgres restarts"
fi
grep -q '^svd_service_state{service="job",slice="",state="exited"} 1$' "$T/scrape.out" || fail "state series"
# node_exporter reports a file it could not parse as an error metric
grep -q '^node_textfile_scrape_error 0$' "$T/scrape.out" || fail "textfile parse error: $(cat "$T/ne.out")"

# a stopped service shows as down at the next write
svctl stop web > /dev/null
wait_state web stopped
check_down() { scrape && grep -q '^svd_service_up{service="web",slice=""} 0$' "$T/scrape.out"; }
wait_for check_down

kill "$NE_PID"; wait "$NE_PID" 2>/dev/null || true
stop_svd || fail "svd exit status"
[ ! -e "$T/textfile/svd.prom" ] || fail "svd.prom left behind after svd exited"
echo "node_exporter: ok"
