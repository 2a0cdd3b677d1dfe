#!/bin/bash
# A dependency that restarts does not restart its dependents, unless they ask
# for it with depends_on: {x: {restart: true}}.
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
command: [sleep, "1000"]
depends_on: { db: { restart: true } }
EOF
start_svd
for n in db loose tight; do wait_state $n running; done
loose1=$(field loose pid); tight1=$(field tight pid); db1=$(field db pid)
kill -9 "$db1"
wait_for sh -c "[ -n \"\$($SVCTL -s $SOCK status --json | python3 -c 'import json,sys; print(\" \".join(str(s[\"pid\"]) for s in json.load(sys.stdin)[\"services\"] if s[\"name\"]==\"db\" and s[\"state\"]==\"running\" and s[\"pid\"]!=$db1))')\" ]"
wait_state tight running
tight2=$(field tight pid)
[ "$tight1" != "$tight2" ] || fail "tight was not restarted"
assert_eq "$(field loose pid)" "$loose1" "loose untouched"
stop_svd || fail "svd exit status"
echo "deprestart: ok"
