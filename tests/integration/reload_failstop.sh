#!/bin/bash
# A reload that changes a service while svd stops it for failing its health
# check (it was to restart, or to fail and be started again as a changed
# failed service is): it runs again with its new definition, not left
# stopped as if the operator had stopped it. One the operator stops meanwhile
# stays stopped.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/out"
web() { # web VERSION
        service web <<EOF
command: [sh, -c, "trap 'sleep 1.5; exit 0' TERM; echo $1 > $T/out/version; while :; do sleep 0.1; done"]
restart: on-failure
backoff: { initial: 100ms }
healthcheck:
  exec: [test, -f, $T/out/ok]
  start_interval: 50ms
  interval: 100ms
  retries: 1
EOF
}
web v1
touch "$T/out/ok"
start_svd
wait_state web running
wait_for grep -qx v1 "$T/out/version" # (written once its trap is set: running once spawned)
wait_field web health healthy
rm "$T/out/ok"
wait_state web stopping
touch "$T/out/ok"
web v2
svctl reload > "$T/out/r" 2>&1 || fail "reload refused: $(cat "$T/out/r")"
wait_for grep -q "reload: done" "$T/svd.out"
wait_state web running
wait_for grep -qx v2 "$T/out/version"
wait_field web health healthy

# the operator stops it while it stops for its health check: stays stopped
rm "$T/out/ok"
wait_state web stopping
svctl stop web > /dev/null
touch "$T/out/ok"
web v3
svctl reload > "$T/out/r" 2>&1 || fail "reload refused: $(cat "$T/out/r")"
wait_for sh -c "[ \$(grep -c 'reload: done' $T/svd.out) -ge 2 ]"
sleep 0.5
assert_eq "$(field web state)" stopped "web after svctl stop and a reload"
assert_eq "$(cat "$T/out/version")" v2 "web's last run"
stop_svd
