#!/bin/bash
# A real PostgreSQL role password managed by svd, end to end: a oneshot runs
# initdb with --pwfile from its credential file (password auth over TCP:
# scram-sha-256), an app connects with the password from its environment
# (${secret:postgres_password}). `svctl secret rotate` runs the on_rotate
# oneshot first (ALTER ROLE over the local socket, with the new value in its
# credential file), then restarts the app, which connects with the new
# password; the old one no longer works.
. "$(dirname "$0")/lib.sh"
pg_setup
# the cluster is made by the pg-init service below, with the generated password
rm -rf "$T/pgdata"
mkdir -p "$T/pgdata"
chown postgres: "$T/pgdata"
chmod 700 "$T/pgdata"

service pg-init <<YAML
type: oneshot
user: postgres
restart: "no"
secrets:
  postgres_password: { generate: password, length: 32, on_rotate: pg-rotate }
command: [/bin/sh, -c, '[ -f $T/pgdata/PG_VERSION ] || exec $PGBIN/initdb -D $T/pgdata -U postgres --auth-local=peer --auth-host=scram-sha-256 --pwfile="\$CREDENTIALS_DIRECTORY/postgres_password" -N --locale=C -E UTF8']
YAML
service pg <<YAML
type: notify
user: postgres
restart: "no"
depends_on: { pg-init: { condition: completed } }
command: [$PGBIN/postgres, -D, $T/pgdata, -c, "port=$PORT", -c, listen_addresses=127.0.0.1, -c, "unix_socket_directories=$T/pgsock"]
stop: { signal: SIGINT, timeout: 30s }
healthcheck:
  exec: [$PGBIN/pg_isready, -h, 127.0.0.1, -p, "$PORT"]
  start_interval: 100ms
  interval: 1s
  start_timeout: 60s
YAML
# installs a new password: local socket, peer authentication as postgres
service pg-rotate <<YAML
type: oneshot
user: postgres
enabled: false
restart: "no"
depends_on: { pg: { condition: healthy } }
command: [/bin/sh, -c, 'echo "ALTER ROLE postgres PASSWORD :''pw'';" | $PGBIN/psql -X -v ON_ERROR_STOP=1 -v pw="\$(cat \$CREDENTIALS_DIRECTORY/postgres_password)" -h $T/pgsock -p $PORT -U postgres -d postgres']
YAML
# connects over TCP with the password from its environment, once a second
service app <<YAML
user: nobody
depends_on: { pg: { condition: healthy } }
environment:
  PGPASSWORD: "\${secret:postgres_password}"
  DATABASE_URL: "postgresql://postgres:\${secret:postgres_password}@127.0.0.1:$PORT/postgres"
command: [/bin/sh, -c, 'while :; do if $PGBIN/psql -X "\$DATABASE_URL" -tAc "select 1" > /dev/null 2>$T/out/app.err; then echo "\$\$ ok" >> $T/out/app.log; else echo "\$\$ fail" >> $T/out/app.log; fi; sleep 0.3; done']
YAML

start_svd
wait_state pg-init exited 60
wait_state pg running 60
wait_state app running 60
ok_from() { grep -q "^$1 ok" "$T/out/app.log" 2>/dev/null; }
app1=$(field app pid)
wait_for ok_from "$app1"
grep -q "^$app1 fail" "$T/out/app.log" && fail "app failed to connect: $(cat "$T/out/app.err")"

pw1=$(svctl secret get postgres_password)
tcp() { PGPASSWORD="$1" runuser -u nobody -- "$PGBIN/psql" -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "select 1" 2>&1; }
assert_eq "$(tcp "$pw1")" "1" "password login"
tcp wrong-password | grep -q 'password authentication failed' || fail "a wrong password was accepted"
grep -q scram-sha-256 "$T/pgdata/pg_hba.conf" || fail "pg_hba without scram"

# rotate: ALTER ROLE first, then the app restarts with the new password
svctl secret rotate postgres_password | grep -q 'running pg-rotate' || fail "rotate did not name its job"
wait_for grep -q 'on_rotate job pg-rotate done' "$T/svd.out"
assert_eq "$(field pg-rotate state)" "exited" "pg-rotate"
pw2=$(svctl secret get postgres_password)
[ "$pw2" != "$pw1" ] || fail "password unchanged"
app_moved() { local p; p=$(field app pid); [ -n "$p" ] && [ "$p" != "$app1" ]; }
wait_for app_moved
wait_state app running
app2=$(field app pid)
wait_for ok_from "$app2"
grep -q "^$app2 fail" "$T/out/app.log" && fail "app failed after rotation: $(cat "$T/out/app.err")"
assert_eq "$(tcp "$pw2")" "1" "new password"
tcp "$pw1" | grep -q 'password authentication failed' || fail "the old password still works"
# the job ran before the app was restarted, and postgres itself was not restarted
job_done=$(grep -n 'pg-rotate: starting -> exited' "$T/svd.out" | tail -1 | cut -d: -f1)
app_stop=$(grep -n 'app: running -> stopping' "$T/svd.out" | tail -1 | cut -d: -f1)
[ -n "$job_done" ] && [ -n "$app_stop" ] && [ "$job_done" -lt "$app_stop" ] || fail "app restarted before ALTER ROLE"
assert_eq "$(grep -c 'pg: running -> stopping' "$T/svd.out")" 0 "postgres restarted"
grep -rqF -- "$pw2" "$T/state" && fail "the password is in the state dir"

svctl stop app > /dev/null
svctl stop pg > /dev/null
wait_state pg stopped 60
stop_svd || fail "svd exit status $?"
echo "secrets_pg: ok"
