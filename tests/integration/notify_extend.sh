#!/bin/bash
# sd_notify EXTEND_TIMEOUT_USEC= and WATCHDOG=trigger, as systemd.service(5)
# has them. A slow starter that asks for more time is not failed at its
# start_timeout; one that stops slowly and asks for more time is not
# SIGKILLed at its stop timeout (it exits 0 on its own); WATCHDOG=trigger
# restarts a service at once, without a watchdog configured. A malformed
# EXTEND_TIMEOUT_USEC= is ignored with a warning: that starter fails at its
# start_timeout.
. "$(dirname "$0")/lib.sh"

# notify_svc NAME PYTHON: $T/NAME.py, a small python program with
# send(TEXT) at hand
notify_svc() {
        {
                echo 'import os, signal, socket, sys, time'
                echo 'sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)'
                echo 'def send(text):'
                echo '    sock.sendto(text.encode(), os.environ["NOTIFY_SOCKET"])'
                echo "$2"
        } > "$T/$1.py"
}

notify_svc slow '
send("EXTEND_TIMEOUT_USEC=4000000")
time.sleep(2.5)
send("READY=1")
time.sleep(100000)'
service slow <<EOF
type: notify
command: [python3, $T/slow.py]
healthcheck: { exec: [/bin/true], start_timeout: 1s }
restart: no
EOF

notify_svc bad '
send("EXTEND_TIMEOUT_USEC=12x")
time.sleep(100000)'
service bad <<EOF
type: notify
command: [python3, $T/bad.py]
healthcheck: { exec: [/bin/true], start_timeout: 1s }
restart: no
EOF

notify_svc stopper "
def term(sig, frame):
    send('EXTEND_TIMEOUT_USEC=4000000')
    time.sleep(2)
    open('$T/out/stopper.clean', 'w').close()
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
send('READY=1')
time.sleep(100000)"
service stopper <<EOF
type: notify
command: [python3, $T/stopper.py]
stop: { timeout: 1s }
EOF

notify_svc trig '
send("READY=1")
time.sleep(0.5)
send("WATCHDOG=trigger")
time.sleep(100000)'
service trig <<EOF
type: notify
command: [python3, $T/trig.py]
restart: on-failure
backoff: { initial: 5s, max: 10s }
EOF

start_svd
wait_for grep -q "trig: .*watchdog: the service sent WATCHDOG=trigger" "$T/svd.out"
wait_state trig backoff
wait_state bad failed 5
case "$(field bad reason)" in
*"not healthy within start_timeout 1s"*) ;;
*) fail "bad: $(field bad reason)" ;;
esac
grep -q "bad: notify message's EXTEND_TIMEOUT_USEC= has an invalid value: that key is ignored" "$T/svd.out" ||
        fail "no warning for bad's EXTEND_TIMEOUT_USEC=12x"
wait_state slow running 6
assert_eq "$(field slow restarts)" "0" "slow's restarts"
grep -q "slow: .*not healthy within start_timeout" "$T/svd.out" && fail "slow failed at its start_timeout"
svctl stop stopper > /dev/null || fail "stop stopper"
wait_state stopper stopped 8
[ -e "$T/out/stopper.clean" ] || fail "stopper was killed before it finished"
grep -q "stopper: did not stop within its timeout" "$T/svd.out" && fail "stopper got SIGKILL"
stop_svd || fail "svd exit status"
echo "notify_extend: ok"
