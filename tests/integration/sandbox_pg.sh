#!/bin/bash
# A real PostgreSQL under a tight sandbox: a non-root user (allow_root:
# false), the default seccomp profile, no capabilities (empty bounding set),
# no_new_privileges, protect_system: strict with only its data and socket
# directories in read_write_paths, and hidden homes (no private_tmp: the
# test's data directory lives in /tmp). It must
# come up healthy (sd_notify READY=1 + pg_isready), accept writes, and shut
# down cleanly; the confinement is read back from /proc of the postmaster.
. "$(dirname "$0")/lib.sh"
pg_setup
echo "using $PGBIN"

service pg <<EOF
type: notify
user: postgres
allow_root: false
command: [$PGBIN/postgres, -D, $T/pgdata, -c, "port=$PORT", -c, listen_addresses=127.0.0.1, -c, "unix_socket_directories=$T/pgsock"]
restart: "no"
stop: { signal: SIGINT, timeout: 30s }
sandbox:
  capabilities: []
  no_new_privileges: true
  seccomp: default
  protect_system: strict
  protect_home: true
  read_write_paths: [$T/pgdata, $T/pgsock]
healthcheck:
  exec: [$PGBIN/pg_isready, -h, 127.0.0.1, -p, "$PORT"]
  start_interval: 100ms
  interval: 1s
  timeout: 5s
  retries: 3
  start_timeout: 60s
EOF
service app <<EOF
type: oneshot
user: postgres
allow_root: false
restart: "no"
sandbox: { protect_system: strict, read_write_paths: [$T/out] }
command: [/bin/sh, -c, '$PGBIN/psql -X -h $T/pgsock -p $PORT -U postgres -d postgres -tA -c "create table t (x int); insert into t values (42); select x from t" > $T/out/app.result 2>&1; echo \$? > $T/out/app.rc']
depends_on: { pg: { condition: healthy } }
EOF

start_svd
wait_state app exited 60
assert_eq "$(field pg state)" "running" "pg state"
assert_eq "$(field pg health)" "healthy" "pg health"
assert_eq "$(cat "$T/out/app.rc")" "0" "psql exit status (output: $(cat "$T/out/app.result"))"
assert_eq "$(tail -n1 "$T/out/app.result")" "42" "write and read back"

pid=$(field pg pid)
st() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$pid/status"; }
assert_eq "$(st Seccomp)" "2" "postmaster seccomp mode"
assert_eq "$(st NoNewPrivs)" "1" "postmaster no_new_privs"
assert_eq "$(st CapEff)" "0000000000000000" "postmaster CapEff"
assert_eq "$(st CapBnd)" "0000000000000000" "postmaster CapBnd"
[ "$(ps -o user= -p "$pid")" = postgres ] || fail "postgres not running as user postgres"
[ "$(readlink /proc/$pid/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] || fail "postgres shares svd's mount namespace"
grep -Eq " / [^ ]+ ro[ ,]| / [^ ]+ ro$" /proc/$pid/mountinfo || grep -q ' / / ro' /proc/$pid/mountinfo ||
        fail "/ is not read-only for postgres"
svctl audit | grep -q '^pg  *postgres  *-  *default/errno  *yes  *strict+home ' || fail "audit: $(svctl audit)"

svctl stop pg > /dev/null
wait_state pg stopped 60
grep -q 'database system is shut down' "$T/log/pg.log" || fail "postgres did not shut down cleanly"
"$PGBIN/pg_controldata" "$T/pgdata" | grep -Eq '^Database cluster state: +shut down$' ||
        fail "cluster state: $("$PGBIN/pg_controldata" "$T/pgdata" | grep 'cluster state')"
stop_svd || fail "svd exit status $?"
echo "sandbox_pg: ok"
