#!/bin/bash
# A real PostgreSQL under svd: `type: notify` (postgres sends READY=1 itself
# once it accepts connections) plus an exec probe (pg_isready). A dependent
# with condition: healthy is started only after both, so its single query
# (no retry loop) succeeds on the first try. Stopping it with SIGINT (a
# "fast" shutdown) leaves a cleanly shut down cluster and no processes.
. "$(dirname "$0")/lib.sh"
pg_setup
echo "using $PGBIN"


service pg <<EOF
type: notify
user: postgres
command: [$PGBIN/postgres, -D, $T/pgdata, -c, "port=$PORT", -c, listen_addresses=127.0.0.1, -c, "unix_socket_directories=$T/pgsock"]
restart: "no"
stop: { signal: SIGINT, timeout: 30s }
healthcheck:
  exec: [$PGBIN/pg_isready, -h, 127.0.0.1, -p, "$PORT"]
  start_interval: 100ms
  interval: 1s
  timeout: 5s
  retries: 3
  start_timeout: 60s
EOF
# one query, no retries: it succeeds only if postgres really is up
service app <<EOF
type: oneshot
user: postgres
restart: "no"
command: [/bin/sh, -c, 'date +%s.%N > $T/out/app.start; rc=0; $PGBIN/psql -X -h 127.0.0.1 -p $PORT -U postgres -d postgres -tA -c "select 1" > $T/out/app.result 2>&1 || rc=\$?; echo \$rc > $T/out/app.rc']
depends_on: { pg: { condition: healthy } }
EOF

start_svd
wait_state app exited 60
assert_eq "$(field pg state)" "running" "pg state"
assert_eq "$(field pg health)" "healthy" "pg health"
assert_eq "$(cat "$T/out/app.rc")" "0" "psql exit status (output: $(cat "$T/out/app.result"))"
assert_eq "$(cat "$T/out/app.result")" "1" "select 1"
assert_eq "$(grep -c 'app: .* -> starting' "$T/svd.out")" "1" "app started exactly once"

# app was spawned only after postgres said READY=1 and the probe passed
ready=$(logtime 'pg: starting -> running')
healthy=$(logtime 'pg: health starting -> healthy')
app=$(cat "$T/out/app.start")
assert_le "$ready" "$app" "app started after pg's READY=1"
assert_le "$healthy" "$app" "app started after pg was healthy"
assert_le "$ready" "$healthy" "pg healthy only after READY=1"
# (from the log: status's last_probe is empty while the next probe runs)
grep -q 'pg: health starting -> healthy: exit 0$' "$T/svd.out" || fail "pg's probe result not logged"
pid=$(field pg pid)
[ "$(ps -o user= -p "$pid")" = postgres ] || fail "postgres not running as user postgres"

# a fast shutdown through svctl: the cluster is cleanly shut down, nothing left
svctl stop pg > /dev/null
wait_state pg stopped 60
grep -q 'received fast shutdown request' "$T/log/pg.log" || fail "postgres did not see SIGINT"
grep -q 'database system is shut down' "$T/log/pg.log" || fail "postgres did not shut down cleanly"
"$PGBIN/pg_controldata" "$T/pgdata" | grep -Eq '^Database cluster state: +shut down$' ||
        fail "cluster state: $("$PGBIN/pg_controldata" "$T/pgdata" | grep 'cluster state')"
[ ! -e "$T/pgdata/postmaster.pid" ] || fail "postmaster.pid left behind"
# postgres processes run in the data directory (titles do not name it)
left=
for p in $(pgrep -u postgres || true); do
        [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$T/pgdata" ] && left="$left $p"
done
[ -z "$left" ] || fail "postgres processes left:$left"
kill -0 "$pid" 2>/dev/null && fail "postmaster $pid still alive"

stop_svd || fail "svd exit status $?"
echo "postgres: ok"
