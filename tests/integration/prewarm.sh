#!/bin/bash
# While services wait for a dependency, svd prepares their spawn in idle time
# (prewarm.h): the log file is open before the dependency is done; what was
# prepared is used at the spawn; a wait that ends in failure spawns nothing.
. "$(dirname "$0")/lib.sh"

mkfifo "$T/out/go" "$T/out/go2"
service init <<EOF2
type: oneshot
command: [/bin/sh, -c, 'read x < $T/out/go']
EOF2
service app <<EOF2
command: [/bin/sh, -c, 'echo app up; exec sleep 1000']
depends_on: { init: { condition: completed } }
EOF2
service badinit <<EOF2
type: oneshot
restart: "no"
command: [/bin/sh, -c, 'read x < $T/out/go2; exit 3']
EOF2
service web <<EOF2
command: [sleep, "1000"]
depends_on: { badinit: { condition: completed } }
EOF2
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
        service asnobody <<EOF2
user: nobody
command: [/bin/sh, -c, 'id -G; exec sleep 1000']
depends_on: { init: { condition: completed } }
EOF2
fi

start_svd
wait_state app waiting
wait_state web waiting
# prepared while waiting: the log files exist, nothing was spawned
wait_for test -f "$T/log/app.log"
wait_for test -f "$T/log/web.log"
[ -z "$(field app pid)" ] || fail "app spawned before init completed"

echo go > "$T/out/go" & w1=$!
echo go > "$T/out/go2" & w2=$!
wait "$w1" "$w2"
wait_state init exited
wait_state app running
wait_for grep -q 'app up' "$T/log/app.log"
wait_state badinit failed
wait_state web failed
assert_eq "$(field web reason)" "dependency badinit failed" "web reason"
[ -z "$(field web pid)" ] || fail "web was spawned"
if [ -f "$T/services/asnobody.yaml" ]; then
        wait_state asnobody running
        # the group list looked up ahead is the one the service got
        want=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')
        wait_for grep -q '^[0-9]' "$T/log/asnobody.log"
        got=$(grep -o '[0-9][0-9 ]*$' "$T/log/asnobody.log" | head -1 | tr ' ' '\n' | sort -n | tr '\n' ' ')
        assert_eq "$got" "$want" "groups of a prewarmed service"
fi
stop_svd || fail "svd exit status"
echo "prewarm: ok"
