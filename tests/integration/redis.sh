#!/bin/bash
# A real, unmodified Redis under svd: `--supervised systemd` makes it send
# READY=1 (and a STATUS=) to $NOTIFY_SOCKET once it accepts connections, so
# `type: notify` alone tells svd when it is up. A dependent with condition:
# healthy starts only after that and its one PING gets PONG. SIGTERM stops it
# cleanly.
. "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null || { echo "redis-server not installed"; exit 77; }
command -v redis-cli >/dev/null || { echo "redis-cli not installed"; exit 77; }
REDIS_SERVER=$(command -v redis-server)
REDIS_CLI=$(command -v redis-cli)

# Debian's redis runs as user redis; as whoever runs the test otherwise
RUN_AS=$(id -un)
if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then RUN_AS=redis; fi

PORT=$(free_port)
mkdir -p "$T/redis"
chown "$RUN_AS:" "$T/redis"


# `--save ""` cannot be given as arguments: svd refuses an empty string in
# `command`, so that one setting comes from a config file (the first argument)
printf 'save ""\n' > "$T/redis.conf"

service redis <<EOF
type: notify
user: $RUN_AS
command: [$REDIS_SERVER, $T/redis.conf, --supervised, systemd, --port, "$PORT", --bind, 127.0.0.1, --appendonly, "no", --dir, $T/redis]
restart: "no"
stop: { timeout: 20s }
EOF
# one PING, no retries
service client <<EOF
command: [/bin/sh, -c, 'date +%s.%N > $T/out/client.start; $REDIS_CLI -h 127.0.0.1 -p $PORT ping > $T/out/ping.out 2>&1; echo \$? > $T/out/ping.rc; exec sleep 1000']
depends_on: { redis: { condition: healthy } }
EOF

start_svd
wait_state redis running 30
wait_state client running 30
wait_for test -s "$T/out/ping.rc"
assert_eq "$(cat "$T/out/ping.rc")" "0" "redis-cli exit status (output: $(cat "$T/out/ping.out"))"
assert_eq "$(cat "$T/out/ping.out")" "PONG" "dependent's PING"
assert_eq "$(grep -c 'client: .* -> starting' "$T/svd.out")" "1" "client started exactly once"
assert_eq "$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" ping)" "PONG" "redis-cli ping"
assert_eq "$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" config get save | sed -n 2p)" "" "save disabled"

# running only through READY=1, and the dependent after that
ready=$(logtime 'redis: starting -> running')
assert_le "$ready" "$(cat "$T/out/client.start")" "client started after redis's READY=1"
grep -q 'Ready to accept connections' "$T/log/redis.log" || fail "redis did not log readiness"
case "$(field redis status)" in
*"Ready to accept connections"*) ;;
*) fail "redis sd_notify STATUS: '$(field redis status)'" ;;
esac
pid=$(field redis pid)
assert_eq "$(ps -o user= -p "$pid" | tr -d ' ')" "$RUN_AS" "redis user"

# a clean stop
svctl stop redis > /dev/null
wait_state redis stopped 30
grep -q 'ready to exit, bye bye' "$T/log/redis.log" || fail "redis did not shut down cleanly"
kill -0 "$pid" 2>/dev/null && fail "redis $pid still alive"
"$REDIS_CLI" -h 127.0.0.1 -p "$PORT" ping > /dev/null 2>&1 && fail "redis still answers"

stop_svd || fail "svd exit status $?"
echo "redis: ok"
