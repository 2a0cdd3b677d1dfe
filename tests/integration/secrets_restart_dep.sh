#!/bin/bash
# The restart of a changed secret's consumers does not pull up what the
# operator stopped: a consumer whose dependency the operator stopped (before
# the change, or while the consumers restart) is left stopped, logged, and
# the dependency stays stopped; the other consumers restart as before.
. "$(dirname "$0")/lib.sh"

# slow ignores SIGTERM: it stays stopping until its stop timeout
service slow <<YAML
secrets:
  pw: { generate: password }
restart: "no"
stop: { signal: SIGTERM, timeout: 2s }
command: [/bin/sh, -c, 'trap "" TERM; cat \$CREDENTIALS_DIRECTORY/pw >> $T/out/slow; echo >> $T/out/slow; exec sleep 1000']
YAML
service x <<YAML
secrets: [pw]
command: [/bin/sh, -c, 'echo >> $T/out/x; exec sleep 1000']
YAML
service y <<YAML
depends_on: [x]
secrets: [pw]
command: [/bin/sh, -c, 'echo >> $T/out/y; exec sleep 1000']
YAML
# db is no consumer; app, which needs it, is
service db <<YAML
command: [/bin/sh, -c, 'echo >> $T/out/db; exec sleep 1000']
YAML
service app <<YAML
depends_on: [db]
secrets: [pw]
command: [/bin/sh, -c, 'echo >> $T/out/app; exec sleep 1000']
YAML

n() { wc -l < "$T/out/$1"; }
lines() { [ "$(n "$1")" -ge "$2" ]; }
logged() { grep -q "$1" "$T/svd.out"; }

start_svd
for s in slow x y db app; do wait_state $s running; done
wait_for lines slow 1 # (slow ignores SIGTERM now: running once spawned)

# --- x, a consumer y needs, stopped by the operator during the restart ----
# --- db, which app needs, stopped by the operator before it ---------------
svctl stop db > /dev/null || fail "stop db"
wait_state db stopped
assert_eq "$(field app state)" "running" "app (its dependents keep running)"
svctl secret rotate pw > /dev/null || fail "rotate"
wait_state slow stopping
wait_state x stopped
svctl stop x > /dev/null || fail "stop x"
wait_state slow running 15
wait_for lines slow 2
sleep 0.5
assert_eq "$(field x state)" "stopped" "x, stopped by the operator during the restart"
assert_eq "$(field db state)" "stopped" "db, stopped by the operator before the restart"
assert_eq "$(field y state)" "stopped" "y, which needs x"
assert_eq "$(field app state)" "stopped" "app, which needs db"
assert_eq "$(n x)" 1 "x's starts"
assert_eq "$(n db)" 1 "db's starts"
logged "secrets: y is left stopped: its dependency x is held stopped" || fail "y: not logged"
logged "secrets: app is left stopped: its dependency db is held stopped" || fail "app: not logged"

# --- and after a kill -9 they are still what the operator made them -------
crash_restart_svd
wait_state slow running
sleep 0.5
for s in x y db app; do assert_eq "$(field $s state)" "stopped" "$s after svd was killed"; done
svctl start y > /dev/null || fail "start y"
wait_state x running
wait_state y running
stop_svd || fail "svd exit status $?"
echo "secrets_restart_dep: ok"
