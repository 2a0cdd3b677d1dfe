#!/bin/bash
# A reload that changes a dependency stops the dependents that follow it
# (depends_on.X.restart), kept by the reload or not, before the dependency
# itself, as svctl restart does: the follower (0.5 s to stop) has stopped
# before the dependency gets its stop signal, and both are back afterwards,
# the dependency with its new definition.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/out"
service db <<EOF
command: [sh, -c, "trap 'echo db-term >> $T/out/order; exit 0' TERM; touch $T/out/db.up; while :; do sleep 0.1; done"]
EOF
service api <<EOF
command: [sh, -c, "trap 'echo api-term >> $T/out/order; sleep 0.5; echo api-gone >> $T/out/order; exit 0' TERM; touch $T/out/api.up; while :; do sleep 0.1; done"]
depends_on: { db: { restart: true } }
EOF
start_svd
wait_state db running
wait_state api running
# (running once spawned: a stop before its trap is set would end it unrecorded)
wait_for test -e "$T/out/db.up"
wait_for test -e "$T/out/api.up"
api1=$(field api pid); db1=$(field db pid)

service db <<EOF
command: [sh, -c, "trap 'echo db2-term >> $T/out/order; exit 0' TERM; while :; do sleep 0.1; done"]
EOF
svctl reload > "$T/out/r" 2>&1 || fail "reload refused: $(cat "$T/out/r")"
back() { [ "$(field db state)" = running ] && [ "$(field db pid)" != "$db1" ] &&
         [ "$(field api state)" = running ] && [ "$(field api pid)" != "$api1" ]; }
wait_for back
assert_eq "$(tr '\n' ' ' < "$T/out/order")" "api-term api-gone db-term " "order of the stops"
grep -q "api: stopping before db, which it follows" "$T/svd.out" || fail "no line for api stopping first"
stop_svd
