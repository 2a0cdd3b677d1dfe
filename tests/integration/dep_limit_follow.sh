#!/bin/bash
# A follower (depends_on: {db: {restart: true}}) that failed only because db
# hit its start limit starts again once svctl start brings db back; a
# follower the operator stopped stays stopped, and one that failed on its
# own account stays failed. One that also needs a service the operator
# stopped meanwhile waits for it.
. "$(dirname "$0")/lib.sh"

# db is ready only while db.ok exists; without it, it exits 1 before it is
# ready, so its followers wait for it (and fail with it) instead of
# starting on each of its attempts
cat > "$T/db.py" <<'PY'
import os, socket, sys
if not os.path.exists(sys.argv[1]):
    sys.exit(1)
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
os.execvp("sleep", ["sleep", "1000"])
PY
touch "$T/db.ok"
service db <<EOF
type: notify
command: [python3, "$T/db.py", "$T/db.ok"]
restart: always
backoff: { initial: 100ms, max: 100ms, factor: 1 }
start_limit: { burst: 3, interval: 1m }
EOF
service api <<EOF
command: [sleep, "1000"]
depends_on: { db: { restart: true } }
EOF
service opstop <<EOF
command: [sleep, "1000"]
depends_on: { db: { restart: true } }
EOF
service aux <<EOF
command: [sleep, "1000"]
EOF
service two <<EOF
command: [sleep, "1000"]
depends_on: { db: { restart: true }, aux: {} }
EOF
service own <<EOF
command: [sh, -c, 'exit 3']
restart: "no"
depends_on: { db: { restart: true } }
EOF
start_svd
wait_state db running
wait_state api running
wait_state opstop running
wait_state own failed
wait_state two running
own_reason=$(field own reason)
svctl stop opstop > /dev/null
wait_state opstop stopped

rm "$T/db.ok"
kill -9 "$(field db pid)"
wait_state db failed
case "$(field db reason)" in
"start limit hit:"*) ;;
*) fail "db reason: $(field db reason)" ;;
esac
wait_state api failed
wait_state two failed
svctl stop aux > /dev/null
wait_state aux stopped
assert_eq "$(field api reason)" "dependency db failed" "api reason"
assert_eq "$(field opstop state)" stopped "opstop while db failed"
assert_eq "$(field own reason)" "$own_reason" "own keeps its own reason"

touch "$T/db.ok"
svctl start db > /dev/null
wait_state db running
wait_state api running
grep -q "api: starting again: db is" "$T/svd.out" || fail "no line for api starting again"
wait_state two waiting
svctl start aux > /dev/null
wait_state two running
# the others had every chance to start with api: they did not
assert_eq "$(field opstop state)" stopped "opstop stays stopped"
assert_eq "$(field own state)" failed "own stays failed"
assert_eq "$(field own reason)" "$own_reason" "own reason"
! grep -q "opstop: starting again\|own: starting again" "$T/svd.out" || fail "opstop or own started again"
stop_svd || fail "svd exit status"
echo "dep_limit_follow: ok"
