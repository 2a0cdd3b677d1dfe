#!/bin/bash
# A dependency that restarts does not restart its dependents, unless they ask
# for it with depends_on: {x: {restart: true}}. svctl restart or stop of the
# dependency stops such a follower first (it takes 0.3 s to stop here), and
# the dependency only once the follower has stopped; the follower starts
# again once the dependency is back. Down a chain too: web follows tight,
# which follows db, so web stops first (it takes 1 s), then tight, then db;
# and svctl start db while web still stops calls off the stops that waited.
. "$(dirname "$0")/lib.sh"

service db <<EOF
command: [sleep, "1000"]
restart: always
backoff: { initial: 100ms }
EOF
service loose <<EOF
command: [sleep, "1000"]
depends_on: [db]
EOF
service tight <<EOF
command: [sh, -c, 'trap "sleep 0.3; exit 0" TERM; echo \$\$ > $T/out/tight.up; while :; do sleep 0.1; done']
depends_on: { db: { restart: true } }
EOF
service web <<EOF
command: [sh, -c, 'trap "sleep 1; exit 0" TERM; echo \$\$ > $T/out/web.up; while :; do sleep 0.1; done']
depends_on: { tight: { restart: true } }
EOF
start_svd
for n in db loose tight web; do wait_state $n running; done
# traps_set: the tight and web that run have set their traps (running once
# spawned: a SIGTERM before the trap would end one at once, never stopping)
up() { [ "$(cat "$T/out/$1.up" 2> /dev/null)" = "$(field "$1" pid)" ]; }
traps_set() { up tight && up web; }
wait_for traps_set
loose1=$(field loose pid); tight1=$(field tight pid); db1=$(field db pid)
kill -9 "$db1"
wait_for sh -c "[ -n \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print(\" \".join(str(s[\"pid\"]) for s in json.load(sys.stdin)[\"services\"] if s[\"name\"]==\"db\" and s[\"state\"]==\"running\" and s[\"pid\"]!=$db1))')\" ]"
wait_state tight running
tight2=$(field tight pid)
[ "$tight1" != "$tight2" ] || fail "tight was not restarted"
assert_eq "$(field loose pid)" "$loose1" "loose untouched"

# the order of the lines svd logs: tight stopped before db began to stop
order() { # FIRST SECOND: the last FIRST line comes before the last SECOND line
        local a b
        a=$(grep -n "$1" "$T/svd.out" | tail -n1 | cut -d: -f1)
        b=$(grep -n "$2" "$T/svd.out" | tail -n1 | cut -d: -f1)
        [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "'$1' (line $a) not before '$2' (line $b)"
}
wait_state web running
wait_for traps_set
db2=$(field db pid); tight2=$(field tight pid); web2=$(field web pid)
svctl restart db > /dev/null
web_back() { [ "$(field web state)" = running ] && [ "$(field web pid)" != "$web2" ]; }
wait_for web_back
grep -q "tight: stopping before db, which it follows" "$T/svd.out" || fail "no line for tight stopping first"
grep -q "web: stopping before tight, which it follows" "$T/svd.out" || fail "no line for web stopping first"
order "web: stopping -> stopped" "tight: running -> stopping"
order "tight: stopping -> stopped" "db: running -> stopping"
order "db: starting -> running" "tight: starting -> running"
order "tight: starting -> running" "web: starting -> running"
[ "$(field tight pid)" != "$tight2" ] || fail "tight was not restarted"
[ "$(field db pid)" != "$db2" ] || fail "db was not restarted"
assert_eq "$(field loose pid)" "$loose1" "loose untouched by svctl restart db"
# svctl stop db: tight stops first and waits; loose keeps running
svctl stop db > /dev/null
wait_state db stopped
wait_state tight waiting
wait_state web waiting
order "web: stopping -> stopped" "tight: running -> stopping"
order "tight: stopping -> stopped" "db: running -> stopping"
assert_eq "$(field loose pid)" "$loose1" "loose untouched by svctl stop db"
svctl start db > /dev/null
wait_state db running
wait_state tight running
wait_state web running
wait_for traps_set
# called off: web is still stopping (1 s) when db is started again; tight
# and db, which waited for it, never stop, and web comes back
db3=$(field db pid); tight3=$(field tight pid); web3=$(field web pid)
svctl stop db > /dev/null
wait_state web stopping
assert_eq "$(field tight state)" running "tight waits for web"
assert_eq "$(field db state)" running "db waits for tight"
svctl start db > /dev/null
web_back3() { [ "$(field web state)" = running ] && [ "$(field web pid)" != "$web3" ]; }
wait_for web_back3
assert_eq "$(field tight pid)" "$tight3" "tight kept running: its stop was called off"
assert_eq "$(field db pid)" "$db3" "db kept running: its stop was called off"
assert_eq "$(field tight reason)" "" "tight's reason no longer says it will stop"
stop_svd || fail "svd exit status"
echo "deprestart: ok"
