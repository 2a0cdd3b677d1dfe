#!/bin/bash
# The shipped services/postgres-init.yaml, postgres.yaml and postgres-setup.yaml
# as they are (paths and port rewritten into the test tree): initdb makes a
# cluster whose superuser password is the generated secret postgres_password
# (password logins over TCP work with it, and only with it); the memory
# settings are written from this host's RAM and the selected profiles, and the
# server runs with them; postgres-setup's roles are in place.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (initdb runs as user postgres)"; exit 77; }
ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
[ -n "$ver" ] && [ -x "/usr/lib/postgresql/$ver/bin/initdb" ] || { echo "no PostgreSQL server installed"; exit 77; }
id svd-app >/dev/null 2>&1 || { echo "user svd-app missing (tools/install-deps)"; exit 77; }
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PORT=$(free_port)
mkdir -p "$T/lib" "$T/rsvd"
chmod 755 "$T" "$T/lib" "$T/rsvd"
for s in postgres-init postgres postgres-setup; do
        sed -e "s|/var/lib/svd|$T/lib|g" -e "s|/run/svd|$T/rsvd|g" -e "s|5433|$PORT|g" -e '/private_tmp/d' \
                "$top/services/$s.yaml" > "$T/services/$s.yaml"
done
cp "$top/cgroups/"*.yaml "$T/cgroups/"
start_svd
wait_state postgres-setup exited 120
assert_eq "$(field postgres state)" "running" "postgres"

# the superuser's password is the generated one
pw=$(svctl secret get postgres_password)
[ "${#pw}" -ge 32 ] || fail "postgres_password: '${pw}'"
PSQL="$T/lib/postgres/bin/psql"
out=$(PGPASSWORD=$pw "$PSQL" -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "select current_user") ||
        fail "password login as postgres failed"
assert_eq "$out" "postgres" "login with the generated password"
if PGPASSWORD=wrong "$PSQL" -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "select 1" 2>/dev/null; then
        fail "a wrong password was accepted"
fi
[ -e "$T/lib/postgres/initdb.pw" ] && fail "initdb's password file was left behind"

# memory settings from this host's RAM (no profile selection here: 25%)
ram_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
want=$(( ram_mb * 25 / 100 )); [ "$want" -gt 8192 ] && want=8192
conf="$T/lib/postgres/data/conf.d/svd-memory.conf"
grep -qx "shared_buffers = ${want}MB" "$conf" || fail "svd-memory.conf: $(cat "$conf")"
got=$(PGPASSWORD=$pw "$PSQL" -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
        -c "select setting::bigint * 8 / 1024 from pg_settings where name = 'shared_buffers'")
assert_eq "$got" "$want" "shared_buffers (MB) the server runs with"
echo "pg_init: ${ram_mb} MB of RAM -> shared_buffers ${got} MB"
# roles from postgres-setup
roles=$(PGPASSWORD=$pw "$PSQL" -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
        -c "select string_agg(rolname, ',' order by rolname) from pg_roles where rolname in ('svd-app','authenticator','supabase_auth_admin')")
assert_eq "$roles" "authenticator,supabase_auth_admin,svd-app" "roles"

# with a local LLM in the selected profiles the database takes less
stop_svd || fail "svd exit status"
service llm <<EOF2
profiles: [ai]
command: [sleep, "100000"]
EOF2
echo "profiles: [ai]" >> "$T/etc/svd.yaml"
start_svd
wait_state postgres running 120
want=$(( ram_mb * 15 / 100 )); [ "$want" -gt 8192 ] && want=8192
grep -qx "shared_buffers = ${want}MB" "$conf" || fail "with profile ai: $(cat "$conf")"
stop_svd || fail "svd exit status"
echo "pg_init: ok"
