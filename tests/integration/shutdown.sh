#!/bin/bash
# SIGTERM to svd stops everything in reverse dependency order, each service
# with its own stop signal; one that ignores its signal is killed after its
# timeout; svd exits 0.
. "$(dirname "$0")/lib.sh"

mk() { # name stop-signal deps
service "$1" <<EOF
command: [/bin/sh, -c, 'trap "date +%s.%N > $T/out/$1.stop; exit 0" $2; date +%s.%N > $T/out/$1.start; while :; do sleep 0.05; done']
stop: { signal: SIG$2, timeout: 5s }
depends_on: [$3]
EOF
}
mk db INT ""
mk api TERM db
mk web USR1 api
service stubborn <<EOF
command: [/bin/sh, -c, 'trap "" TERM; date +%s.%N > $T/out/stubborn.start; while :; do sleep 0.05; done']
stop: { timeout: 500ms }
EOF

start_svd
# running once spawned: each is signalled only once its trap is set (its
# .start file), or the signal would end it before it handled it
for n in db api web stubborn; do
        wait_state $n running
        wait_for test -s "$T/out/$n.start"
done
t0=$(now)
stop_svd || fail "svd exit status $?"
t1=$(now)
for n in db api web; do [ -f "$T/out/$n.stop" ] || fail "$n did not get its stop signal"; done
assert_le "$(cat "$T/out/web.stop")" "$(cat "$T/out/api.stop")" "web stops before api"
assert_le "$(cat "$T/out/api.stop")" "$(cat "$T/out/db.stop")" "api stops before db"
grep -q 'stubborn: did not stop within its timeout, sending SIGKILL' "$T/svd.out" || fail "no SIGKILL escalation"
assert_le "$(python3 -c "print($t1 - $t0)")" 4 "shutdown took too long"
echo "shutdown: ok"
