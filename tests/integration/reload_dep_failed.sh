#!/bin/bash
# A service that failed only because a dependency it follows failed
# (depends_on.X.restart) and that a reload replaces starts afresh: it is no
# longer taken for one waiting for that dependency to come back. Here the
# same reload fixes the dependency and disables the follower (enabled:
# true to false: not started again); before, the mark outlived the change
# and the fixed dependency's start started the disabled follower anyway.
. "$(dirname "$0")/lib.sh"

# db is ready only while db.ok exists; without it, it exits 1 before it is
# ready, so api waits for it and fails with it
cat > "$T/db.py" <<'PY'
import os, socket, sys
if not os.path.exists(sys.argv[1]):
    sys.exit(1)
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
os.execvp("sleep", ["sleep", "100000"])
PY
service db <<EOF2
type: notify
command: [python3, "$T/db.py", "$T/db.ok"]
restart: "no"
EOF2
service api <<EOF2
command: [sleep, "100001"]
depends_on: { db: { restart: true } }
EOF2
start_svd
wait_state db failed
wait_state api failed

# the fix of db, and api disabled, in one reload
touch "$T/db.ok"
printf 'type: notify\ncommand: [python3, "%s", "%s"]\nrestart: always\n' "$T/db.py" "$T/db.ok" > "$T/services/db.yaml"
printf 'command: [sleep, "100001"]\ndepends_on: { db: { restart: true } }\nenabled: false\n' > "$T/services/api.yaml"
svctl reload > "$T/out/r" || fail "reload: $(cat "$T/out/r")"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state db running
# (a follower starts again as db starts: that is over once db runs)
assert_eq "$(field api state)" failed "api (disabled by the reload)"
grep -q "api: starting again" "$T/svd.out" && fail "api started again as a follower of db"
# the operator can still start it
svctl start api > /dev/null || fail "svctl start api"
wait_state api running
stop_svd || fail "svd exit status"
echo "reload_dep_failed: ok"
