#!/bin/bash
# A reload while the consumers of a changed secret are being restarted
# (stopped, waiting for the slowest to go down before they start again)
# does not forget them: they start again with the new value.
. "$(dirname "$0")/lib.sh"

service app <<YAML
secrets:
  pw: { generate: password }
stop: { signal: SIGTERM, timeout: 1s }
command: [/bin/sh, -c, 'trap "" TERM; cat \$CREDENTIALS_DIRECTORY/pw > $T/out/app; while :; do sleep 0.1; done']
YAML

start_svd
wait_state app running
wait_for test -s "$T/out/app" # (it ignores SIGTERM now: running once spawned)
pid=$(field app pid)
svctl secret rotate pw > /dev/null || fail "rotate"
new=$(svctl secret get pw)
# app ignores SIGTERM: it is stopping for a second, then killed
wait_state app stopping
svctl reload > /dev/null || fail "reload"
wait_state app running 10
[ "$(field app pid)" != "$pid" ] || fail "app was not restarted"
got_new() { [ "$(cat "$T/out/app")" = "$new" ]; }
wait_for got_new
stop_svd || fail "svd exit status $?"
