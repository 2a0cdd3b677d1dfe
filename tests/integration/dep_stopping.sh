#!/bin/bash
# svctl start of a service whose dependency is on its way down (an operator
# stopped it a moment before): the dependency is started again once it is
# down, and the service starts after it, instead of waiting for ever behind
# a dependency that stopped for good. The same when the dependency's stop
# still waits for its followers (depends_on ... restart: true) to stop: the
# start calls that stop off, and the dependency keeps running.
. "$(dirname "$0")/lib.sh"

service a <<EOF
command: [bash, -c, "trap 'sleep 1; exit 0' TERM; echo \$\$ > $T/out/a.up; while :; do sleep 0.1; done"]
EOF
service b <<EOF
command: [sleep, "1000"]
depends_on: [a]
EOF
service f <<EOF
command: [bash, -c, "trap 'sleep 1; exit 0' TERM; echo \$\$ > $T/out/f.up; while :; do sleep 0.1; done"]
depends_on: { a: { restart: true } }
EOF
start_svd
for n in a b f; do wait_state $n running; done
# up NAME: the process of NAME that runs has set its trap (running once
# spawned: a SIGTERM before the trap would end it at once, never stopping)
up() { [ "$(cat "$T/out/$1.up" 2> /dev/null)" = "$(field "$1" pid)" ]; }
wait_for up a
wait_for up f

# 1. a is stopping (1 s) when b is started: a comes back, then b
svctl stop b > /dev/null
wait_state b stopped
svctl stop f > /dev/null
wait_state f stopped
svctl stop a > /dev/null
wait_state a stopping
svctl start b > /dev/null
wait_state a running 10
wait_state b running 10

# 2. f follows a: svctl stop a stops f first (1 s) and a waits for it; f
# started meanwhile needs a, so a's stop is off: a keeps its process
svctl start f > /dev/null
wait_state f running
wait_for up f
a1=$(field a pid)
svctl stop a > /dev/null
wait_state f stopping
svctl start f > /dev/null
wait_state f running 10
sleep 0.5
assert_eq "$(field a state)" "running" "a after its stop was called off"
assert_eq "$(field a pid)" "$a1" "a's process"
assert_eq "$(field f state)" "running" "f"
echo "dep_stopping: ok"
