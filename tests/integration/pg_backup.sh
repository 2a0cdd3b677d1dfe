#!/bin/bash
# The shipped backup jobs against a real PostgreSQL: services/pg-backup.yaml
# and pg-restore-drill.yaml, pointed at a test cluster (only their environment
# and paths rewritten; private_tmp dropped, since the test tree is in /tmp), run by `svctl run` under svd with their own sandbox.
# pg-backup writes one complete custom-format dump per database (no .tmp
# left); the drill restores the newest into a scratch database, runs its check
# query and drops it; retention keeps the newest per day/week and deletes the
# old ones (simulated with touch -d).
. "$(dirname "$0")/lib.sh"
pg_setup
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
mkdir -p "$T/backups" "$T/services/scripts"
cp "$top"/services/scripts/pg-backup.sh "$top"/services/scripts/pg-restore-drill.sh "$T/services/scripts/"

service postgres <<EOF
type: notify
user: postgres
command: [$PGBIN/postgres, -D, $T/pgdata, -c, "port=$PORT", -c, listen_addresses=127.0.0.1, -c, "unix_socket_directories=$T/pgsock"]
restart: "no"
stop: { signal: SIGINT, timeout: 30s }
healthcheck:
  exec: [$PGBIN/pg_isready, -h, $T/pgsock, -p, "$PORT"]
  start_interval: 100ms
  interval: 10s
  retries: 3
  start_timeout: 60s
EOF
for job in pg-backup pg-restore-drill; do
        sed -e "s|/var/lib/svd/postgres/bin|$PGBIN|" -e "s|/run/svd/postgres|$T/pgsock|" \
                -e "s|\"5433\"|\"$PORT\"|" -e "s|/var/lib/svd/backups|$T/backups|" \
                -e "s|read_write_paths: \[/var/lib/svd\]|read_write_paths: [$T/backups]|" \
                -e '/private_tmp/d' -e 's|KEEP_DAILY: "7"|KEEP_DAILY: "3"|' -e 's|KEEP_WEEKLY: "4"|KEEP_WEEKLY: "2"|' \
                "$top/services/$job.yaml" > "$T/services/$job.yaml"
done
grep -q "$T/backups" "$T/services/pg-backup.yaml" || fail "rewrite of pg-backup.yaml"
printf '  DRILL_CHECK_SQL: "SELECT count(*) FROM visits"\n  DRILL_DBS: app\n' > "$T/drill.env"
sed -i "/^  BACKUP_DIR:/r $T/drill.env" "$T/services/pg-restore-drill.yaml"

start_svd
wait_state postgres running 60
assert_eq "$(field pg-backup state)" "stopped" "a scheduled job is not started at boot"
psql() { runuser -u postgres -- "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -h "$T/pgsock" -p "$PORT" "$@"; }
psql -d postgres -c "CREATE DATABASE app" >/dev/null
psql -d app -c "CREATE TABLE visits (id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO visits DEFAULT VALUES; INSERT INTO visits DEFAULT VALUES; INSERT INTO visits DEFAULT VALUES;" >/dev/null

# backup
svctl run pg-backup >/dev/null || fail "svctl run pg-backup"
wait_state pg-backup exited 60 || true
assert_eq "$(field pg-backup last_result)" "success" "pg-backup result ($(tail -n 5 "$T/log/pg-backup.log"))"
ls "$T/backups"/app-*.dump >/dev/null 2>&1 || fail "no dump of app: $(ls -l "$T/backups")"
ls "$T/backups"/postgres-*.dump >/dev/null 2>&1 || fail "no dump of postgres: $(ls -l "$T/backups")"
ls "$T/backups"/*.tmp >/dev/null 2>&1 && fail "a .tmp dump was left"
dump=$(ls "$T/backups"/app-*.dump)
"$PGBIN/pg_restore" -l "$dump" | grep -q "TABLE public visits" || fail "dump does not hold table visits"
assert_eq "$(stat -c %a "$dump")" "600" "dump mode"

# restore drill
svctl run pg-restore-drill >/dev/null || fail "svctl run pg-restore-drill"
wait_state pg-restore-drill exited 60 || true
assert_eq "$(field pg-restore-drill last_result)" "success" "drill result ($(tail -n 5 "$T/log/pg-restore-drill.log"))"
grep -q "pg-restore-drill: app: restored app-.*, check: 3" "$T/log/pg-restore-drill.log" || fail "drill output: $(cat "$T/log/pg-restore-drill.log")"
assert_eq "$(psql -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'svd_drill%'")" "0" "scratch database dropped"

# a broken dump fails the drill (and still drops the scratch database)
cp "$dump" "$T/good.dump"
sleep 1.1
bad="$T/backups/app-$(date -u +%Y%m%dT%H%M%SZ).dump"
head -c 100 "$T/good.dump" > "$bad"
svctl run pg-restore-drill >/dev/null || fail "svctl run pg-restore-drill (broken)"
wait_state pg-restore-drill failed 60
assert_eq "$(psql -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'svd_drill%'")" "0" "scratch database dropped after a failure"
rm -f "$bad"

# retention (KEEP_DAILY 3, KEEP_WEEKLY 2): dumps from 1..20 days ago
for d in $(seq 1 20); do
        f="$T/backups/app-$(date -u -d "$d days ago" +%Y%m%dT%H%M%SZ).dump"
        cp "$T/good.dump" "$f"
        touch -d "$d days ago" "$f"
done
svctl run pg-backup >/dev/null || fail "svctl run pg-backup (retention)"
wait_for test "$(field pg-backup runs)" = 2
wait_state pg-backup exited 60
assert_eq "$(field pg-backup last_result)" "success" "second pg-backup"
has() { ls "$T/backups"/app-"$(date -u -d "$1 days ago" +%Y%m%d)"T*.dump >/dev/null 2>&1; }
has 1 || fail "1 day old dump deleted"
has 2 || fail "2 days old dump deleted"
has 10 && fail "10 days old dump kept"
has 20 && fail "20 days old (oldest) dump kept"
n=$(ls "$T/backups"/app-*.dump | wc -l)
[ "$n" -le 5 ] || fail "$n app dumps kept: $(ls "$T/backups")"
grep -q "retention: removed app-" "$T/log/pg-backup.log" || fail "removals not logged"
stop_svd || fail "svd exit status"
echo "pg_backup: ok"
