#!/bin/bash
# A dependency that ends by itself after STOPPING=1 and is not restarted by
# its policy (on-failure: stopped, "exited 0 after STOPPING=1") can no longer
# meet any condition: a service waiting for it fails, naming it ("dependency
# db stopped"), as it does when the dependency fails or exits 0 where it is
# needed healthy, instead of waiting for ever; svctl start of the dependent
# starts the dependency again. It used to wait for ever.
. "$(dirname "$0")/lib.sh"

H="$TOP_SRCDIR/tests/helpers/notifier.py"
mkfifo "$T/db.fifo"
service db <<EOF
type: notify
command: [python3, "$H", "$T/db.fifo"]
restart: on-failure
healthcheck:
  exec: [test, -f, "$T/out/healthy"]
  start_interval: 100ms
  interval: 100ms
EOF
service app <<EOF
command: [sleep, "1000"]
depends_on: { db: { condition: healthy } }
EOF
start_svd
wait_state db running
wait_state app waiting
echo "send STOPPING=1" > "$T/db.fifo"
wait_state db stopping
echo "exit 0" > "$T/db.fifo"
wait_state db stopped
assert_eq "$(field db reason)" "exited 0 after STOPPING=1" "db's reason"
wait_state app failed
assert_eq "$(field app reason)" "dependency db stopped" "app's reason"

# svctl start of the dependent starts the dependency again, and waits for it
svctl start app > /dev/null || fail "start app"
wait_state db running
assert_eq "$(field app state)" "waiting" "app while db is not healthy"
touch "$T/out/healthy"
wait_state app running
stop_svd || fail "svd exit status"
echo "dep_self_stopped: ok"
