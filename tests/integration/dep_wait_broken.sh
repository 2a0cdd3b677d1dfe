#!/bin/bash
# A service that begins to wait for its dependencies while one of them is
# already failed (or exited 0, needed healthy) fails at once, as it does
# when that dependency fails while it waits, instead of waiting for ever:
# x's backoff delay runs out after db failed; y's after job exited 0; f,
# following db2, finishes its stop only after db2 failed. f, a follower
# (dep_failed), starts again once db2 is back; x, which does not follow
# db, stays failed. A dependency a reload under way replaces is not taken
# as failed: it comes back with its new definition.
. "$(dirname "$0")/lib.sh"

# x's and y's backoff must outlast the test's steps from their crash to
# the checks that they are still in it (a dozen svctl calls: 3 s was too
# short on a loaded CPU); f and slow end their stop only once the test has
# seen them stopping (f.go, slow.go), not after a fixed time.
service db <<EOF
command: [sleep, "1000"]
restart: "no"
EOF
service x <<EOF
command: [sleep, "1000"]
restart: always
backoff: { initial: 10s, max: 10s, factor: 1 }
depends_on: [db]
EOF
service job <<EOF
command: [sh, -c, 'trap "exit 0" USR1; echo \$\$ > $T/out/job.up; while :; do sleep 0.1; done']
restart: "no"
EOF
service y <<EOF
command: [sleep, "1000"]
restart: always
backoff: { initial: 10s, max: 10s, factor: 1 }
depends_on: { job: { condition: healthy } }
EOF
service db2 <<EOF
command: [sleep, "1000"]
restart: "no"
EOF
service f <<EOF
command: [sh, -c, 'trap "until [ -e $T/out/f.go ]; do sleep 0.05; done; exit 0" TERM; echo \$\$ > $T/out/f.up; while :; do sleep 0.1; done']
stop: { timeout: 60s }
depends_on: { db2: { restart: true } }
EOF
# for a reload: x3 needs db3, which fails, then the reload changes it
service db3 <<EOF
command: [sleep, "1000"]
restart: "no"
EOF
service slow <<EOF
command: [sh, -c, 'trap "until [ -e $T/out/slow.go ]; do sleep 0.05; done; exit 0" TERM; echo \$\$ > $T/out/slow.up; while :; do sleep 0.1; done']
stop: { timeout: 60s }
EOF
service x3 <<EOF
command: [sleep, "1000"]
enabled: false
depends_on: [db3]
EOF
start_svd
for n in db x job y db2 f db3 slow; do wait_state $n running; done
# up NAME: the process of NAME that runs has set its trap (running once
# spawned: a signal before the trap would end it at once, on the signal)
up() { [ "$(cat "$T/out/$1.up" 2> /dev/null)" = "$(field "$1" pid)" ]; }
for n in job f slow; do wait_for up $n; done

# x and y crash into their backoff; their dependencies end meanwhile
kill -9 "$(field x pid)" "$(field y pid)"
wait_state x backoff
wait_state y backoff
kill -9 "$(field db pid)"
kill -USR1 "$(field job pid)"
wait_state db failed
wait_state job exited
assert_eq "$(field x state)" backoff "x still in its backoff when db failed"
assert_eq "$(field y state)" backoff "y still in its backoff when job exited"
wait_state x failed 30
wait_state y failed 30
assert_eq "$(field x reason)" "dependency db failed" "x reason"
assert_eq "$(field y reason)" "dependency job exited" "y reason"

# f stops (1 s) to follow db2, which has failed before f is down
kill -9 "$(field db2 pid)"
wait_state db2 failed
assert_eq "$(field f state)" stopping "f still stopping when db2 failed"
touch "$T/out/f.go"
wait_state f failed
assert_eq "$(field f reason)" "dependency db2 failed" "f reason"

# db2 back: f, failed by it, starts again; x, not following db, does not
svctl start db2 > /dev/null
wait_state f running
svctl start db > /dev/null
wait_state db running
sleep 0.5
assert_eq "$(field x state)" failed "x stays failed"

# a start while a reload replaces a failed dependency: x3 waits for db3's
# new definition, which the reload starts once slow (changed too) is down
kill -9 "$(field db3 pid)"
wait_state db3 failed
service db3 <<EOF
command: [sleep, "1001"]
restart: "no"
EOF
service slow <<EOF
command: [sh, -c, 'trap "sleep 2; exit 0" TERM; while :; do sleep 0.2; done']
EOF
svctl reload > /dev/null || fail "reload"
wait_state slow stopping
svctl start x3 > /dev/null
assert_eq "$(field x3 state)" waiting "x3 while the reload replaces db3"
touch "$T/out/slow.go"
wait_state x3 running 30
assert_eq "$(field db3 state)" running "db3 with its new definition"
stop_svd || fail "svd exit status"
echo "dep_wait_broken: ok"
