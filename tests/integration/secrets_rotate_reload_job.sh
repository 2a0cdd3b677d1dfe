#!/bin/bash
# A rotation with an on_rotate job is refused while a reload waits for its
# stops: the reload renumbers the services and the secrets, and the
# rotation would then wait for the wrong service (or one past the end).
# Once the reload is done, the same rotation runs and ends.
. "$(dirname "$0")/lib.sh"

# aaa: removed by the reload, slow to stop (it ignores SIGTERM)
service aaa <<YAML
stop: { signal: SIGTERM, timeout: 2s }
command: [/bin/sh, -c, 'trap "" TERM; touch $T/out/aaa.up; while :; do sleep 0.1; done']
YAML
service app <<YAML
secrets:
  pw: { generate: password, on_rotate: rot }
command: [/bin/sh, -c, 'exec sleep 1000']
YAML
service rot <<YAML
type: oneshot
enabled: false
restart: "no"
secrets: [pw]
command: [/bin/true]
YAML

start_svd
wait_state aaa running
wait_for test -e "$T/out/aaa.up" # (it ignores SIGTERM now: running once spawned)
wait_state app running
rm "$T/services/aaa.yaml"
svctl reload > /dev/null || fail "reload"
wait_state aaa stopping
if out=$(svctl secret rotate pw 2>&1); then
        fail "a rotation with an on_rotate job was accepted while a reload waited: $out"
fi
echo "$out" | grep -q "reload" || fail "the refusal does not say why: $out"
gone() { ! svctl status aaa > /dev/null 2>&1; }
wait_for gone
out=$(svctl secret rotate pw) || fail "rotate after the reload: $out"
done_rot() { svctl secret list | grep -q "^last rotation: pw done"; }
wait_for done_rot
svctl secret list | grep -q "rotating:" && fail "still rotating: $(svctl secret list)"
stop_svd || fail "svd exit status $?"
