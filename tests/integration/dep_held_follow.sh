#!/bin/bash
# A follower the operator stops stays stopped when the service it follows
# restarts meanwhile: api (follows db) waits to stop until web (follows api,
# 1 s to stop) has; svctl restart db during that wait, or db going down by
# itself, must not turn api's stop into a restart (not even one that the
# stop waiting for web ends again).
. "$(dirname "$0")/lib.sh"

service db <<EOF
command: [sleep, "75001"]
restart: always
backoff: { initial: 100ms }
EOF
service api <<EOF
command: [sleep, "75002"]
depends_on: { db: { restart: true } }
EOF
service web <<EOF
command: [sh, -c, 'trap "sleep 1; exit 0" TERM; echo \$\$ > $T/out/web.up; while :; do sleep 0.1; done']
depends_on: { api: { restart: true } }
EOF
start_svd
for n in db api web; do wait_state $n running; done
# web_up: the web that runs has set its trap (running once spawned: a
# SIGTERM before the trap would end it at once, never seen stopping)
web_up() { [ "$(cat "$T/out/web.up" 2> /dev/null)" = "$(field web pid)" ]; }
wait_for web_up
api_runs() { grep -c "api: starting -> running" "$T/svd.out"; }

# 1. svctl restart db while api waits for web
svctl stop api > /dev/null
runs=$(api_runs)
wait_state web stopping
assert_eq "$(field api state)" running "api waits for web"
db1=$(field db pid)
svctl restart db > /dev/null
db_back() { [ "$(field db state)" = running ] && [ "$(field db pid)" != "$db1" ]; }
wait_for db_back
wait_state api stopped
sleep 1
assert_eq "$(field api state)" stopped "api (svctl stop) after svctl restart db"
assert_eq "$(field api held)" True "api held"
assert_eq "$(api_runs)" "$runs" "api's runs after svctl stop api (1)"

# 2. db crashes while api waits for web
svctl start api > /dev/null
wait_state web running
wait_for web_up
svctl stop api > /dev/null
runs=$(api_runs)
wait_state web stopping
db2=$(field db pid)
kill -9 "$db2"
db_back2() { [ "$(field db state)" = running ] && [ "$(field db pid)" != "$db2" ]; }
wait_for db_back2
wait_state api stopped
sleep 1
assert_eq "$(field api state)" stopped "api (svctl stop) after db crashed"
assert_eq "$(api_runs)" "$runs" "api's runs after svctl stop api (2)"
stop_svd
