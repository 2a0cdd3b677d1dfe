#!/bin/bash
# A service waiting for its dependencies names the first one (in the order
# of depends_on) whose condition does not hold yet, what that one is doing
# and what it needs, and how many more it waits for: "waiting for db
# (running, health starting; needs healthy) and 1 more". The reason follows
# the dependencies as they come up. It used to say only "waiting for
# dependencies".
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
mkfifo "$T/cache.fifo"
service db <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [test, -e, "$T/out/db.ok"]
  start_interval: 100ms
  interval: 100ms
  start_period: 1h
EOF
service cache <<EOF
type: notify
command: [sh, -c, 'while [ ! -e $T/out/cache.go ]; do sleep 0.05; done; exec python3 $H $T/cache.fifo']
EOF
service web <<EOF
command: [sleep, "1000"]
depends_on:
  db: { condition: healthy }
  cache: { condition: started }
EOF
start_svd
wait_state db running
wait_state cache starting
wait_state web waiting
assert_eq "$(field db health)" "starting" "db's health"
wait_field web reason "waiting for db (running, health starting; needs healthy) and 1 more"

# db healthy: only cache is left
touch "$T/out/db.ok"
wait_field db health healthy
wait_field web reason "waiting for cache (starting; needs started)"
assert_eq "$(field web state)" "waiting" "web while cache starts"

# cache ready: web starts, the reason is gone
touch "$T/out/cache.go"
wait_state cache running
wait_state web running
assert_eq "$(field web reason)" "" "web's reason once running"
stop_svd || fail "svd exit status"
echo "dep_wait_reason: ok"
