#!/bin/bash
# The shipped default stack's front door: services/gateway.yaml (nginx + Lua,
# etc/gateway) in front of services/app.yaml (Node) and a real PostgreSQL,
# with postgres-setup, app-install and gateway-install as shipped. Only their
# paths and ports are rewritten into the test tree (/var/lib/svd -> $T/lib,
# /run/svd -> $T/rsvd, 5433/8080/8000 -> free ports; private_tmp dropped,
# since the test tree is in /tmp). Through the gateway the app answers with a
# valid key (anon or service, as apikey: or Authorization: Bearer) with rows
# it read from PostgreSQL, and every request without a valid key is 401.
. "$(dirname "$0")/lib.sh"
pg_setup
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] && [ -x /usr/sbin/nginx ] ||
        { echo "nginx or libnginx-mod-http-lua missing (tools/install-deps)"; exit 77; }
command -v node >/dev/null && [ -d "$top/examples/app/node_modules/pg" ] ||
        { echo "node or the app's node_modules missing (tools/install-deps)"; exit 77; }
for u in svd-app svd-gateway svd-kong; do
        id "$u" >/dev/null 2>&1 || { echo "user $u missing (tools/install-deps)"; exit 77; }
done

APP_PORT=$(free_port)
GW_PORT=$(free_port)
[ "$APP_PORT" != "$GW_PORT" ] || GW_PORT=$(free_port)
mkdir -p "$T/lib/postgres" "$T/rsvd/postgres"
chmod 755 "$T/lib" "$T/rsvd"
ln -s "$PGBIN" "$T/lib/postgres/bin"
chown postgres: "$T/rsvd/postgres"

rewrite() {
        sed -e "s|/var/lib/svd|$T/lib|g" -e "s|/run/svd|$T/rsvd|g" -e "s|5433|$PORT|g" \
                -e "s|127.0.0.1:8080|127.0.0.1:$APP_PORT|g" -e "s|\"8080\"|\"$APP_PORT\"|g" \
                -e "s|127.0.0.1:8000|127.0.0.1:$GW_PORT|g" -e '/private_tmp/d' \
                -e "s|working_dir: ../examples/app|working_dir: $top/examples/app|" "$1"
}
for s in postgres-setup app-install app gateway-install gateway kong-config; do
        rewrite "$top/services/$s.yaml" > "$T/services/$s.yaml"
done
cp "$top/cgroups/"*.yaml "$T/cgroups/"
mkdir -p "$T/etc/gateway"
rewrite "$top/etc/gateway/nginx.conf" > "$T/etc/gateway/nginx.conf"
cp "$top/etc/gateway/apikey.lua" "$T/etc/gateway/"
mkdir -p "$T/etc/kong"
cp "$top/etc/kong/kong.yml" "$T/etc/kong/"
grep -q "listen 127.0.0.1:$GW_PORT;" "$T/etc/gateway/nginx.conf" || fail "rewrite of nginx.conf"
grep -q "APP_PORT: \"$APP_PORT\"" "$T/services/app.yaml" || fail "rewrite of app.yaml"
# password logins over TCP, as postgres-init.yaml's cluster has them
sed -i '/^host/s/trust$/scram-sha-256/' "$T/pgdata/pg_hba.conf"
grep -q '^host.*scram-sha-256$' "$T/pgdata/pg_hba.conf" || fail "pg_hba.conf: $(grep '^host' "$T/pgdata/pg_hba.conf")"
# the shipped postgres.yaml runs initdb's cluster in /var/lib/svd; this one
# runs pg_setup's, with the same socket directory and port layout
service postgres <<EOF2
type: notify
slice: db
user: postgres
command: [$PGBIN/postgres, -D, $T/pgdata, -c, "port=$PORT", -c, listen_addresses=127.0.0.1, -c, "unix_socket_directories=$T/rsvd/postgres"]
restart: "no"
stop: { signal: SIGINT, timeout: 30s }
healthcheck:
  exec: [$PGBIN/pg_isready, -q, -h, $T/rsvd/postgres, -p, "$PORT"]
  start_interval: 100ms
  interval: 10s
  start_timeout: 60s
EOF2
# jwt_secret, which the keys are signed with, as gotrue.yaml defines it
# (GoTrue itself is not part of this test)
def=$(grep -m1 '^  jwt_secret: ' "$top/services/gotrue.yaml") || fail "no jwt_secret in gotrue.yaml"
printf 'type: oneshot\nenabled: false\ncommand: ["true"]\nsecrets:\n%s\n' "$def" > "$T/services/jwt.yaml"

out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) || fail "--check: $out"
start_svd
wait_state postgres running 60
wait_state postgres-setup exited 60
wait_state app running 60
wait_state gateway running 60
gw_healthy() { [ "$(field gateway health)" = healthy ]; }
wait_for gw_healthy
assert_eq "$(field app health)" "healthy" "app health"
[ "$(ps -o user= -p "$(field gateway pid)")" = svd-gateway ] || fail "nginx master not running as svd-gateway"
for p in $(pgrep -P "$(field gateway pid)"); do
        [ "$(ps -o user= -p "$p")" = svd-gateway ] || fail "nginx worker $p not running as svd-gateway"
done

# the gateway gets its two keys, not the secret they are signed with
assert_eq "$(ls "$T/run/credentials/gateway" | tr '\n' ' ')" "anon_key service_role_key " "gateway's credential files"
anon=$(svctl secret get anon_key)
service_key=$(svctl secret get service_role_key)
[ -n "$anon" ] && [ -n "$service_key" ] && [ "$anon" != "$service_key" ] || fail "keys"
# the keys are Supabase-style JWTs
payload=$(echo "$anon" | cut -d. -f2 | tr '_-' '/+')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
echo "$payload" | base64 -d | jq -e '.role == "anon" and .iss == "supabase" and .exp > .iat' >/dev/null ||
        fail "anon key claims: $(echo "$payload" | base64 -d)"

url="http://127.0.0.1:$GW_PORT"
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
psql_app() { runuser -u postgres -- "$PGBIN/psql" -X -At -h "$T/rsvd/postgres" -p "$PORT" -d app -c "$1"; }

# refused: no key, a wrong key, a wrong bearer token, a key of the right shape
assert_eq "$(code "$url/")" 401 "no key"
jq -e '.error' "$T/body" >/dev/null || fail "401 body: $(cat "$T/body")"
curl -s -D - -o /dev/null "$url/" | grep -qi '^WWW-Authenticate: Bearer' || fail "no WWW-Authenticate"
assert_eq "$(code -H "apikey: wrong" "$url/")" 401 "wrong apikey"
assert_eq "$(code -H "Authorization: Bearer wrong" "$url/")" 401 "wrong bearer"
assert_eq "$(code -H "apikey: ${anon%?}x" "$url/")" 401 "anon key with its last character changed"
assert_eq "$(code -H "apikey: $anon$anon" "$url/")" 401 "two keys in one"
assert_eq "$(code -H "Authorization: $anon" "$url/")" 401 "key without Bearer"
assert_eq "$(code -H "apikey: $anon" -H "apikey: $anon" "$url/")" 401 "repeated apikey header"
assert_eq "$(code "$url/rest/v1/visits")" 401 "rest without a key"
assert_eq "$(code "$url/auth/v1/user")" 401 "auth without a key"
n0=$(psql_app "SELECT count(*) FROM visits" 2>/dev/null || echo 0)
# the refused requests never reached the app
assert_eq "$n0" 0 "visits recorded by refused requests"

# allowed: the anon key as apikey, the service key as a bearer token
assert_eq "$(code -H "apikey: $anon" "$url/")" 200 "anon key ($(cat "$T/body"))"
jq -e '.ok == true and .database == "app" and .role == "svd-app" and .consumer == "anon" and (.postgres | startswith("PostgreSQL"))' "$T/body" >/dev/null ||
        fail "app answer: $(cat "$T/body")"
v1=$(jq -r .visits "$T/body")
assert_eq "$(code -H "Authorization: Bearer $service_key" "$url/")" 200 "service key as bearer"
jq -e '.consumer == "service_role"' "$T/body" >/dev/null || fail "app answer: $(cat "$T/body")"
v2=$(jq -r .visits "$T/body")
assert_eq "$v2" "$((v1 + 1))" "visit count"
# the count is PostgreSQL's: the rows are there
assert_eq "$(psql_app "SELECT count(*) FROM visits")" "$v2" "rows in visits"
# a client cannot claim a role: the gateway's X-Consumer-Username wins
assert_eq "$(code -H "apikey: $anon" -H "X-Consumer-Username: service_role" "$url/")" 200 "spoofed consumer"
jq -e '.consumer == "anon"' "$T/body" >/dev/null || fail "spoofed consumer reached the app: $(cat "$T/body")"
# an upstream that is not running (PostgREST is not part of this test) is a JSON 502
assert_eq "$(code -H "apikey: $anon" "$url/rest/v1/visits")" 502 "rest without PostgREST"
jq -e '.error' "$T/body" >/dev/null || fail "502 body: $(cat "$T/body")"
# the gateway's own health needs no key
assert_eq "$(code "$url/health")" 200 "health"
# GoTrue's e-mail links carry no key: open (502 here, GoTrue is not running)
assert_eq "$(code "$url/auth/v1/verify?token=x&type=signup")" 502 "auth verify without a key"
# CORS: a preflight needs no key; answers, also 401, allow any origin
assert_eq "$(code -X OPTIONS -H "Origin: http://example.test" -H "Access-Control-Request-Method: GET" \
        -H "Access-Control-Request-Headers: apikey" "$url/rest/v1/visits")" 204 "preflight"
curl -s -D - -o /dev/null -X OPTIONS -H "Origin: http://example.test" -H "Access-Control-Request-Method: GET" \
        -H "Access-Control-Request-Headers: apikey" "$url/" | tr -d '\r' > "$T/hdr"
grep -qx 'Access-Control-Allow-Headers: apikey' "$T/hdr" || fail "preflight headers: $(cat "$T/hdr")"
grep -qx 'Access-Control-Allow-Origin: \*' "$T/hdr" || fail "preflight origin: $(cat "$T/hdr")"
assert_eq "$(code -X OPTIONS "$url/")" 401 "OPTIONS that is no preflight"
curl -s -D - -o /dev/null -H "Origin: http://example.test" "$url/" | tr -d '\r' > "$T/hdr"
grep -q '^HTTP/1.1 401' "$T/hdr" && grep -qx 'Access-Control-Allow-Origin: \*' "$T/hdr" || fail "401 without CORS: $(cat "$T/hdr")"
# nginx's access log reaches svd's log file through stdout
wait_for grep -q '"GET / HTTP/1.1" 401' "$T/log/gateway.log"
grep -q '"GET / HTTP/1.1" 200' "$T/log/gateway.log" || fail "access log: $(tail -n 5 "$T/log/gateway.log")"

# a rotation of the signing secret re-mints the keys and restarts the gateway:
# the old key is refused, the new one accepted
gw1=$(field gateway pid)
svctl secret rotate jwt_secret >/dev/null || fail "rotate jwt_secret"
gw_moved() { local p; p=$(field gateway pid); [ -n "$p" ] && [ "$p" != "$gw1" ]; }
wait_for gw_moved
wait_state gateway running 30
anon2=$(svctl secret get anon_key)
[ "$anon2" != "$anon" ] || fail "anon key not re-minted"
up() { [ "$(code "$url/health")" = 200 ]; }
wait_for up
assert_eq "$(code -H "apikey: $anon" "$url/")" 401 "old anon key after rotation"
assert_eq "$(code -H "apikey: $anon2" "$url/")" 200 "new anon key"

# postgres-setup made GoTrue's and PostgREST's roles, with the generated
# passwords: they log in over TCP; authenticator may become anon and read the
# app's table, supabase_auth_admin owns schema auth and works in it
tcp() { PGPASSWORD="$1" runuser -u nobody -- "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$2" -d app -c "$3" 2>&1; }
rest_pw=$(svctl secret get rest_db_password)
auth_pw=$(svctl secret get auth_db_password)
[ ${#rest_pw} -eq 32 ] && [ ${#auth_pw} -eq 32 ] || fail "generated passwords"
n=$(psql_app "SELECT count(*) FROM visits")
assert_eq "$(tcp "$rest_pw" authenticator "SET ROLE anon; SELECT count(*) FROM visits" | tail -n 1)" "$n" "authenticator as anon"
tcp "$rest_pw" authenticator "SET ROLE anon; INSERT INTO visits (path) VALUES ('x')" | grep -q 'permission denied' ||
        fail "anon may write visits"
assert_eq "$(tcp "$auth_pw" supabase_auth_admin "SHOW search_path")" "auth" "supabase_auth_admin's search_path"
assert_eq "$(tcp "$auth_pw" supabase_auth_admin "CREATE TABLE probe (x int); SELECT to_regclass('auth.probe') IS NOT NULL; DROP TABLE probe" | tail -n 2 | head -n 1)" "t" "table in schema auth"
tcp wrong authenticator "SELECT 1" | grep -q 'password authentication failed' || fail "a wrong password logged in"
# a rotated password is set by postgres-setup (on_rotate) before anything else
svctl secret rotate rest_db_password >/dev/null || fail "rotate rest_db_password"
wait_for grep -q 'on_rotate job postgres-setup done' "$T/svd.out"
rest_pw2=$(svctl secret get rest_db_password)
[ "$rest_pw2" != "$rest_pw" ] || fail "rest_db_password unchanged"
assert_eq "$(tcp "$rest_pw2" authenticator "SELECT current_user")" "authenticator" "new password"
tcp "$rest_pw" authenticator "SELECT 1" | grep -q 'password authentication failed' || fail "the old password still works"

# Kong's declarative file (kong-config.yaml, as shipped) holds the same keys
svctl start kong-config >/dev/null || fail "svctl start kong-config"
wait_state kong-config exited 30
kyml="$T/rsvd/kong/kong.yml"
assert_eq "$(stat -c '%U %a' "$kyml")" "svd-kong 600" "owner and mode of $kyml"
assert_eq "$(grep -c -e "^      - key: $anon2\$" -e "^      - key: $(svctl secret get service_role_key)\$" "$kyml")" 2 "keys in $kyml"
grep -q '\$[A-Z_]*KEY' "$kyml" && fail "a placeholder left in $kyml"

# SIGQUIT: a graceful stop, nothing left behind
svctl stop gateway >/dev/null
wait_state gateway stopped 30
# (this test's nginx only: its paths are under $T; another stack's gateway
# may run on the same host)
pgrep -u svd-gateway -f "nginx.*$T/" >/dev/null && fail "nginx processes left: $(pgrep -a -u svd-gateway -f "nginx.*$T/")"
stop_svd || fail "svd exit status"
echo "gateway: ok"
