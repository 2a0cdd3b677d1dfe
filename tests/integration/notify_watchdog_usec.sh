#!/bin/bash
# sd_notify WATCHDOG_USEC= at run time, as systemd has it: the service's
# watchdog interval from that message on, until its next start.
#  - long: watchdog 1s, sends WATCHDOG_USEC=5000000 and pings every 1.5s:
#    never killed, also across a daemon-reexec and a restart of svd after a
#    crash (the next svd keeps the value; state.json has it).
#  - short: watchdog 3s, its first run sends WATCHDOG_USEC=500000 and stops
#    pinging: killed about 0.5s later; its next run is held to the
#    configured 3s again (no WATCHDOG_USEC= then).
#  - off: watchdog 500ms, sends WATCHDOG_USEC=0 (systemd's "off") and never
#    pings: not killed.
#  - bad: garbage, an empty value, more than a day, below 10ms: each refused
#    with a warning naming the service; plain (not type notify): ignored with
#    a warning.
. "$(dirname "$0")/lib.sh"

cat > "$T/wd.py" <<'PY'
import os, signal, socket, sys, time
name, out = sys.argv[1], sys.argv[2]
addr = os.environ.get("NOTIFY_SOCKET") or sys.argv[3]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def send(text):
    sock.sendto(text.encode(), addr)
def mark(tag):  # (written whole before it appears)
    open("%s/%s.tmp" % (out, name), "w").close()
    os.rename("%s/%s.tmp" % (out, name), "%s/%s.%s" % (out, name, tag))
n = sum(1 for f in os.listdir(out) if f.startswith(name + ".start"))
mark("start%d" % n)
if name == "long":
    send("READY=1\nWATCHDOG_USEC=5000000")
    i = 0
    while True:
        time.sleep(1.5)
        send("WATCHDOG=1")
        i += 1
        mark("ping%d" % i)
elif name == "short":
    send("READY=1")
    if n == 0:
        send("WATCHDOG_USEC=500000")
elif name == "off":
    send("READY=1")
    send("WATCHDOG_USEC=0")
elif name == "bad":
    send("READY=1")
    for v in ("12x", "", "86400000001", "99999999999999999999999", "5"):
        send("WATCHDOG_USEC=" + v)
else:
    send("WATCHDOG_USEC=2000000")
mark("sent%d" % n)
signal.pause()
PY
for s in long:1s short:3s off:500ms bad:30s; do
        service "${s%%:*}" <<EOF2
type: notify
command: [python3, "$T/wd.py", "${s%%:*}", "$T/out"]
watchdog: ${s#*:}
restart: always
backoff: { initial: 100ms }
EOF2
done
service plain <<EOF2
command: [python3, "$T/wd.py", plain, "$T/out", "$T/run/notify.sock"]
EOF2
# until_file PATH: 30 s at most (long's pings come every 1.5 s)
until_file() {
        local deadline=$(( $(date +%s) + 30 * SCALE ))
        until [ -e "$1" ]; do
                [ "$(date +%s)" -gt "$deadline" ] && fail "timed out waiting for $1"
                sleep 0.1
        done
}

start_svd
# short: killed about 0.5s after its WATCHDOG_USEC=500000 (svd's own log
# times: the test's load does not count)
wait_for test -e "$T/out/short.start1"
t0=$(logtime 'short: watchdog now 500ms \(WATCHDOG_USEC=500000\)')
t1=$(logtime 'short: watchdog timeout: no WATCHDOG=1 within 500ms')
assert_le 0.45 "$(echo "$t1 - $t0" | bc)" "short killed too soon after WATCHDOG_USEC=500000"
assert_le "$(echo "$t1 - $t0" | bc)" 2 "short killed too late after WATCHDOG_USEC=500000"
# its next run: the configured 3s again
wait_for grep -q 'short: watchdog timeout: no WATCHDOG=1 within 3s' "$T/svd.out"
t2=$(logtime 'short: watchdog timeout: no WATCHDOG=1 within 3s')
assert_le 2.9 "$(echo "$t2 - $t1" | bc)" "short's next run was not held to its configured 3s"

# long: two pings 1.5s apart under a 1s watchdog, then a daemon-reexec and
# three more, then a crash of svd and three more
until_file "$T/out/long.ping2"
svctl daemon-reexec > "$T/out/rx" || fail "daemon-reexec: $(cat "$T/out/rx")"
until_file "$T/out/long.ping5"
# state.json is written on a change of state, not on each ping: one just
# before the crash, so that the time long's watchdog had left is recent
svctl stop plain > /dev/null
st() { jq -r --arg n "$1" --arg k "$2" '.services[] | select(.name == $n) | .[$k]' "$T/run/state.json"; }
plain_stopped() { [ "$(st plain state)" = stopped ]; }
wait_for plain_stopped
assert_eq "$(st long watchdog_usec)" 5000000 "long's WATCHDOG_USEC= in state.json"
cp "$T/svd.out" "$T/svd.before"
crash_restart_svd
until_file "$T/out/long.ping8"
assert_eq "$(field long restarts)" "0" "long's restarts"
[ ! -e "$T/out/long.start1" ] || fail "long was started again"
if grep 'ERROR long: watchdog timeout' "$T/svd.before" "$T/svd.out"; then fail "long's watchdog fired"; fi

# off: many times its 500ms by now, and never pinged
grep -q 'off: watchdog off (WATCHDOG_USEC=0) until the service starts again' "$T/svd.before" ||
        fail "off's WATCHDOG_USEC=0 not logged"
[ ! -e "$T/out/off.start1" ] || fail "off was started again"
if grep 'ERROR off: watchdog timeout' "$T/svd.before" "$T/svd.out"; then fail "off's watchdog fired"; fi

# bad, plain: refused, each with a warning naming the service
assert_eq "$(grep -c "bad: notify message's WATCHDOG_USEC= has an invalid value: that key is ignored" "$T/svd.before")" 2 \
        "warnings for WATCHDOG_USEC=12x and WATCHDOG_USEC="
assert_eq "$(grep -c 'bad: WATCHDOG_USEC=over a day refused: not between 10ms and 1d (0 turns the watchdog off); the watchdog stays 30s' "$T/svd.before")" 2 \
        "refusals of just over a day and of far more"
grep -q 'bad: WATCHDOG_USEC=5 refused: not between 10ms and 1d' "$T/svd.before" || fail "5us not refused"
grep -q 'plain: WATCHDOG_USEC=2000000 ignored: only a service of type notify has a watchdog' "$T/svd.before" ||
        fail "plain's WATCHDOG_USEC= not refused"
assert_eq "$(field bad state)" "running" "bad's state"
stop_svd || fail "svd exit status"
